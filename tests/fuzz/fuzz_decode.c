/* Fuzz target for the decoder (decode.h): every input is decoded twice, once with detection
** and once, without its first byte, in an encoding that the first byte chooses. Whatever the
** bytes, the result must be well-formed UTF-8 without NUL whose raw-offset map is monotonic
** and ends at the raw length; UTF-8 and UTF-16 results must re-encode to the raw bytes. */
#include <stdint.h>
#include <string.h>

#include "decode.h"
#include "fuzz_util.h"
#include "jfts_common.h"

/* Names a caller may pass: the documented aliases, some spellings of them, other ICU
** converters (stateful, EBCDIC, 4-byte), and two that must be rejected. NULL = detect. */
static const char *const k_encodings[] = {
    NULL,        "utf8",      "UTF-8",      "utf-16le",  "utf-16be",   "utf-16",
    "UTF_16",    "shift_jis", "sjis",       "cp932",     "MS932",      "windows-31j",
    "euc-jp",    "eucjp",     "ujis",       "ISO-2022-JP", "UTF-7",    "UTF-32",
    "SCSU",      "BOCU-1",    "gb18030",    "ibm-1047",  "windows-1252", "",
    "no-such-encoding",
};
#define N_ENCODINGS (sizeof k_encodings / sizeof k_encodings[0])

static int starts_with(const uint8_t *raw, size_t n, const char *prefix, size_t n_prefix) {
  return n >= n_prefix && memcmp(raw, prefix, n_prefix) == 0;
}

/* Encodes the decoded text back to UTF-16 (little_endian or not) and compares it, char by
** char, with the raw bytes at each char's raw offset. */
static void check_utf16_roundtrip(const uint8_t *raw, size_t n_raw, const DecodedText *d,
                                  int little_endian) {
  const unsigned char *t = (const unsigned char *)d->text;
  size_t at = d->n_bom_bytes;
  for (size_t i = 0; i < d->n_bytes;) {
    uint32_t cp;
    size_t len = fuzz_utf8_len(t + i, d->n_bytes - i, &cp);
    FUZZ_CHECK(d->raw_offset[i] == at, "UTF-16: char at decoded %zu maps to raw %u, not %zu", i,
               (unsigned)d->raw_offset[i], at);
    uint16_t units[2];
    size_t n_units = 1;
    if (cp >= 0x10000) {
      units[0] = (uint16_t)(0xD800 + ((cp - 0x10000) >> 10));
      units[1] = (uint16_t)(0xDC00 + ((cp - 0x10000) & 0x3FF));
      n_units = 2;
    } else {
      units[0] = (uint16_t)cp;
    }
    for (size_t k = 0; k < n_units; k++) {
      FUZZ_CHECK(at + 2 <= n_raw, "UTF-16: decoded text longer than the raw input");
      uint16_t u = little_endian ? (uint16_t)(raw[at] | raw[at + 1] << 8)
                                 : (uint16_t)(raw[at] << 8 | raw[at + 1]);
      FUZZ_CHECK(u == units[k], "UTF-16: raw unit at %zu is %04x, decoded text says %04x", at, u,
                 units[k]);
      at += 2;
    }
    i += len;
  }
  FUZZ_CHECK(at == n_raw, "UTF-16: %zu raw bytes left over after the decoded text",
             n_raw - at);
}

static void check_decoded(const uint8_t *raw, size_t n, const char *encoding, int rc,
                          const DecodedText *d, const char *err) {
  const char *shown = encoding ? encoding : "(detect)";
  FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_NOMEM || rc == JFTS_ERR_USAGE ||
                 rc == JFTS_ERR_INPUT || rc == JFTS_ERR_ICU,
             "%s: unexpected rc %d", shown, rc);
  FUZZ_CHECK((rc == JFTS_OK) == (d != NULL), "%s: rc %d with out=%p", shown, rc, (void *)d);
  if (rc != JFTS_OK) {
    FUZZ_CHECK(rc == JFTS_ERR_NOMEM || err != NULL, "%s: rc %d without a message", shown, rc);
    return;
  }
  FUZZ_CHECK(err == NULL, "%s: success with a message '%s'", shown, err);
  const unsigned char *t = (const unsigned char *)d->text;
  FUZZ_CHECK(d->text != NULL && t[d->n_bytes] == '\0', "%s: text not NUL-terminated", shown);
  size_t bad = fuzz_utf8_invalid_at(t, d->n_bytes);
  FUZZ_CHECK(bad == d->n_bytes, "%s: decoded text is not UTF-8 at byte %zu", shown, bad);
  FUZZ_CHECK(memchr(t, 0, d->n_bytes) == NULL, "%s: decoded text holds a NUL", shown);
  FUZZ_CHECK(memchr(d->encoding, 0, sizeof d->encoding) != NULL && d->encoding[0] != '\0',
             "%s: bad encoding name", shown);
  FUZZ_CHECK(d->n_bom_bytes <= n, "%s: BOM longer than the input", shown);
  FUZZ_CHECK(dec_raw_offset(d, d->n_bytes + 7) == dec_raw_offset(d, d->n_bytes),
             "%s: dec_raw_offset does not clamp", shown);

  if (d->raw_offset == NULL) {
    FUZZ_CHECK(strcmp(d->encoding, "UTF-8") == 0, "%s: no offset map for %s", shown,
               d->encoding);
    FUZZ_CHECK(d->n_bom_bytes + d->n_bytes == n &&
                   memcmp(raw + d->n_bom_bytes, d->text, d->n_bytes) == 0,
               "%s: UTF-8 text differs from the raw bytes", shown);
    return;
  }
  FUZZ_CHECK(d->raw_offset[d->n_bytes] == n, "%s (%s): last offset %u, raw length %zu", shown,
             d->encoding, (unsigned)d->raw_offset[d->n_bytes], n);
  uint32_t prev = (uint32_t)d->n_bom_bytes;
  for (size_t i = 0; i < d->n_bytes;) {
    uint32_t cp;
    size_t len = fuzz_utf8_len(t + i, d->n_bytes - i, &cp);
    uint32_t at = d->raw_offset[i];
    FUZZ_CHECK(at >= prev && at < n, "%s (%s): decoded byte %zu maps to raw %u (previous %u)",
               shown, d->encoding, i, (unsigned)at, (unsigned)prev);
    for (size_t k = 1; k < len; k++)
      FUZZ_CHECK(d->raw_offset[i + k] == at, "%s (%s): bytes of one char map apart at %zu",
                 shown, d->encoding, i + k);
    /* Both Japanese encodings are ASCII-compatible: an ASCII char comes from that byte. */
    if (cp < 0x80 && (strcmp(d->encoding, "Shift_JIS") == 0 || strcmp(d->encoding, "EUC-JP") == 0))
      FUZZ_CHECK(raw[at] == cp, "%s (%s): U+%04X at decoded %zu comes from raw byte %02x", shown,
                 d->encoding, (unsigned)cp, i, raw[at]);
    prev = at;
    i += len;
  }
  if (strcmp(d->encoding, "UTF-16LE") == 0) check_utf16_roundtrip(raw, n, d, 1);
  if (strcmp(d->encoding, "UTF-16BE") == 0) check_utf16_roundtrip(raw, n, d, 0);
}

static void run(const uint8_t *raw, size_t n, const char *encoding) {
  DecodedText *d = NULL;
  char *err = NULL;
  int rc = dec_decode(raw, n, encoding, &d, &err);
  check_decoded(raw, n, encoding, rc, d, err);

  size_t nul_at = 0;
  int binary = dec_is_binary(raw, n, &nul_at);
  int utf16_bom = starts_with(raw, n, "\xff\xfe", 2) || starts_with(raw, n, "\xfe\xff", 2);
  if (encoding == NULL) {
    if (binary) {
      FUZZ_CHECK(rc == JFTS_ERR_INPUT || rc == JFTS_ERR_NOMEM, "binary input decoded (rc %d)",
                 rc);
      if (rc == JFTS_ERR_INPUT && !utf16_bom)
        FUZZ_CHECK(strncmp(err, "binary file (", 13) == 0, "binary input: message '%s'", err);
    } else if (fuzz_utf8_invalid_at(raw, n) == n) {
      /* Valid UTF-8 always wins detection. */
      FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_NOMEM, "valid UTF-8 rejected: %s",
                 err ? err : "");
      if (rc == JFTS_OK)
        FUZZ_CHECK(strcmp(d->encoding, "UTF-8") == 0, "valid UTF-8 decoded as %s", d->encoding);
    }
  } else if (strcmp(encoding, "utf8") == 0 && rc != JFTS_ERR_NOMEM) {
    size_t bom = starts_with(raw, n, "\xef\xbb\xbf", 3) ? 3 : 0;
    int valid = fuzz_utf8_invalid_at(raw + bom, n - bom) == n - bom;
    int magic = binary && nul_at == 0 && (n == 0 || raw[0] != 0);
    int has_nul = memchr(raw, 0, n) != NULL;
    FUZZ_CHECK((rc == JFTS_OK) == (valid && !has_nul && !magic),
               "forced utf8: rc %d for input valid=%d nul=%d magic=%d", rc, valid, has_nul, magic);
  }
  dec_free(d);
  jfts_free(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run(data, size, NULL);
  if (size > 0) run(data + 1, size - 1, k_encodings[data[0] % N_ENCODINGS]);
  return 0;
}
