/* Decoding of raw input into UTF-8 with a map back to raw byte offsets (contract in decode.h).
** UTF-8, the common case, is validated and copied without ICU so that it costs next to
** nothing; other encodings go through ICU converters chunk by chunk, and ICU's charset
** detector chooses between Shift_JIS and EUC-JP when neither a BOM nor the caller says. */
#include "decode.h"

#include <stdio.h>
#include <string.h>

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "icu_util.h"
#include "jfts_common.h"

/* UTF-16 units per ucnv_toUnicode call. Feeding half as many source bytes keeps the target
** from overflowing for every converter that emits at most two units per byte, so ICU's
** internal overflow buffer (whose units carry no offsets) is the exception, not the rule. */
#define DEC_CHUNK_U16 8192
#define DEC_CHUNK_SRC (DEC_CHUNK_U16 / 2)
/* Bytes given to ucsdet (~40 MB/s): plenty for a confident answer on Japanese text. */
#define DEC_DETECT_WINDOW 65536
#define DEC_MIN_CONFIDENCE 50
#define DEC_MAX_CANDIDATES 2

typedef enum EncKind {
  ENC_UTF8,    /* own validation + copy */
  ENC_UTF16,   /* BOM decides the byte order; big-endian without one */
  ENC_UTF16LE,
  ENC_UTF16BE,
  ENC_SJIS,    /* CP932 */
  ENC_EUCJP,
  ENC_OTHER    /* any other ICU converter the caller named */
} EncKind;

typedef struct Encoding {
  EncKind kind;
  const char *icu; /* ICU converter name; NULL for UTF-8 */
  char name[32];   /* canonical name reported in DecodedText.encoding */
} Encoding;

/* ICU 72 resolves "Shift_JIS", "cp932", "windows-31j" and "sjis" all to ibm-943_P15A-2003
** (some with U_AMBIGUOUS_ALIAS_WARNING); naming the table makes the choice explicit. It equals
** glibc's CP932 on every double-byte code (NEC row 13, NEC-selected and IBM extensions,
** 0x8160 -> U+FF5E); only the single bytes 0x1A/0x1C/0x7F differ, see sjis_fix_ascii. */
static const Encoding k_utf8 = {ENC_UTF8, NULL, "UTF-8"};
static const Encoding k_utf16le = {ENC_UTF16LE, "UTF-16LE", "UTF-16LE"};
static const Encoding k_utf16be = {ENC_UTF16BE, "UTF-16BE", "UTF-16BE"};
static const Encoding k_sjis = {ENC_SJIS, "ibm-943_P15A-2003", "Shift_JIS"};
static const Encoding k_eucjp = {ENC_EUCJP, "euc-jp-2007", "EUC-JP"};

typedef struct Magic {
  const char *bytes;
  size_t n_bytes;
  const char *name;
} Magic;

/* String literals are split where a hex escape would otherwise swallow the next character. */
static const Magic k_magics[] = {
    {"%PDF-", 5, "PDF"},
    {"\x7f" "ELF", 4, "ELF"},
    {"\x89PNG\r\n\x1a\n", 8, "PNG"},
    {"GIF87a", 6, "GIF"},
    {"GIF89a", 6, "GIF"},
    {"\xff\xd8\xff", 3, "JPEG"},
    {"PK\x03\x04", 4, "ZIP"},
    {"PK\x05\x06", 4, "ZIP"},
    {"\x1f\x8b", 2, "gzip"},
    {"\xfd" "7zXZ", 5, "xz"},
    {"7z\xbc\xaf\x27\x1c", 6, "7z"},
    {"Rar!\x1a\x07", 6, "RAR"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "OLE2"},
};

static int has_prefix(const unsigned char *raw, size_t n_bytes, const char *bytes, size_t n) {
  return n_bytes >= n && memcmp(raw, bytes, n) == 0;
}

static int is_utf16le_bom(const unsigned char *raw, size_t n_bytes) {
  return has_prefix(raw, n_bytes, "\xff\xfe", 2);
}

static int is_utf16be_bom(const unsigned char *raw, size_t n_bytes) {
  return has_prefix(raw, n_bytes, "\xfe\xff", 2);
}

static int is_utf8_bom(const unsigned char *raw, size_t n_bytes) {
  return has_prefix(raw, n_bytes, "\xef\xbb\xbf", 3);
}

static const char *binary_magic(const unsigned char *raw, size_t n_bytes) {
  for (size_t i = 0; i < sizeof k_magics / sizeof k_magics[0]; i++) {
    if (has_prefix(raw, n_bytes, k_magics[i].bytes, k_magics[i].n_bytes)) return k_magics[i].name;
  }
  /* "BZh" alone could start a text; the block magic after the level digit cannot. */
  if (n_bytes >= 10 && memcmp(raw, "BZh", 3) == 0 && raw[3] >= '1' && raw[3] <= '9' &&
      memcmp(raw + 4, "1AY&SY", 6) == 0) {
    return "bzip2";
  }
  return NULL;
}

/* Returns the offset of the first NUL byte, or of the first U+0000 unit when the input starts
** with a UTF-16 BOM; n_bytes when there is none. */
static size_t find_nul(const unsigned char *raw, size_t n_bytes) {
  if (is_utf16le_bom(raw, n_bytes) || is_utf16be_bom(raw, n_bytes)) {
    for (size_t i = 2; i + 1 < n_bytes; i += 2) {
      if (raw[i] == 0 && raw[i + 1] == 0) return i;
    }
    return n_bytes;
  }
  const unsigned char *z = memchr(raw, 0, n_bytes);
  return z ? (size_t)(z - raw) : n_bytes;
}

int dec_is_binary(const unsigned char *raw, size_t n_bytes, size_t *offset_out) {
  size_t offset = 0;
  int binary = 1;
  if (binary_magic(raw, n_bytes) == NULL) {
    offset = find_nul(raw, n_bytes);
    binary = offset < n_bytes;
    if (!binary) offset = 0;
  }
  if (offset_out) *offset_out = offset;
  return binary;
}

/* Sets the "binary file (...)" message and returns 1 when the input is binary. */
static int reject_binary(const unsigned char *raw, size_t n_bytes, char **err_out) {
  const char *magic = binary_magic(raw, n_bytes);
  if (magic) {
    jfts_set_error(err_out, "binary file (%s)", magic);
    return 1;
  }
  size_t nul = find_nul(raw, n_bytes);
  if (nul < n_bytes) {
    jfts_set_error(err_out, "binary file (NUL byte at %zu)", nul);
    return 1;
  }
  return 0;
}

/* Offset of the first byte of the first ill-formed UTF-8 sequence, or n_bytes when the whole
** input is well-formed. U8_NEXT is strict: it rejects overlongs, surrogates, code points
** above U+10FFFF, stray continuation bytes and sequences cut short. */
size_t dec_utf8_first_invalid(const unsigned char *s, size_t n_bytes) {
  size_t i = 0;
  while (i < n_bytes) {
    /* Eight ASCII bytes at a time: most of any text's newlines, digits and spaces. */
    while (i + 8 <= n_bytes) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & UINT64_C(0x8080808080808080)) break;
      i += 8;
    }
    if (i >= n_bytes) break;
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    size_t start = i;
    UChar32 c;
    U8_NEXT(s, i, n_bytes, c);
    if (c < 0) return start;
  }
  return n_bytes;
}

/* Decodes UTF-8 after a BOM of n_bom bytes into d. Returns JFTS_ERR_INPUT with *bad_out set
** to the raw offset of the first invalid byte; no message. */
static int decode_utf8(const unsigned char *raw, size_t n_raw, size_t n_bom, DecodedText *d,
                       size_t *bad_out) {
  size_t n = n_raw - n_bom;
  size_t bad = dec_utf8_first_invalid(raw + n_bom, n);
  if (bad < n) {
    *bad_out = n_bom + bad;
    return JFTS_ERR_INPUT;
  }
  d->text = jfts_malloc(n + 1);
  if (d->text == NULL) return JFTS_ERR_NOMEM;
  memcpy(d->text, raw + n_bom, n);
  d->text[n] = '\0';
  d->n_bytes = n;
  d->n_bom_bytes = n_bom;
  d->raw_offset = NULL;
  snprintf(d->encoding, sizeof d->encoding, "%s", k_utf8.name);
  return JFTS_OK;
}

/* Grows text and offsets together to hold at least `need` entries. */
static int sink_reserve(char **text, uint32_t **offsets, size_t *cap, size_t need) {
  if (need <= *cap) return JFTS_OK;
  size_t cap2 = *cap + *cap / 2;
  if (cap2 < need) cap2 = need;
  char *t = jfts_realloc(*text, cap2);
  if (t == NULL) return JFTS_ERR_NOMEM;
  *text = t;
  uint32_t *o = jfts_realloc(*offsets, cap2 * sizeof *o);
  if (o == NULL) return JFTS_ERR_NOMEM;
  *offsets = o;
  *cap = cap2;
  return JFTS_OK;
}

static int is_conversion_error(UErrorCode status) {
  return status == U_INVALID_CHAR_FOUND || status == U_ILLEGAL_CHAR_FOUND ||
         status == U_TRUNCATED_CHAR_FOUND || status == U_ILLEGAL_ESCAPE_SEQUENCE ||
         status == U_UNSUPPORTED_ESCAPE_SEQUENCE;
}

/* Failure details of decode_icu when it returns JFTS_ERR_INPUT. */
typedef struct IcuFail {
  size_t offset; /* raw byte offset of the offending sequence */
  int nul;       /* 1: it decoded to U+0000 (binary), 0: invalid or unmappable bytes */
} IcuFail;

/* The UTF-8 that decode_icu builds, and the state that crosses its chunk boundaries. */
typedef struct IcuSink {
  char *text;         /* the UTF-8 so far (n bytes of cap) */
  uint32_t *offsets;  /* per byte of text: raw byte offset of its character */
  size_t n, cap;      /* bytes used, entries allocated in text and offsets */
  size_t char_start;  /* raw offset of the character the next -1 unit belongs to */
  UChar lead;         /* a lead surrogate waiting for its trail unit; 0: none */
  size_t lead_start;  /* raw offset of that lead's character */
} IcuSink;

/* Appends the n_units UTF-16 units of one ucnv_toUnicode call to k as UTF-8, each byte with
** the raw offset of its character: u16_src[i] counted from base, or -1 for a unit of a
** character whose bytes began in an earlier call. Returns JFTS_OK, JFTS_ERR_NOMEM, or
** JFTS_ERR_INPUT with *fail set (an unpaired surrogate, or U+0000: binary). */
static int icu_sink_units(IcuSink *k, const UChar *u16, const int32_t *u16_src, size_t n_units,
                          size_t base, const unsigned char *raw, EncKind kind, IcuFail *fail) {
  /* 3 UTF-8 bytes per unit at most, plus a pair completed from the previous chunk. */
  int rc = sink_reserve(&k->text, &k->offsets, &k->cap, k->n + 3 * n_units + 5);
  for (size_t i = 0; rc == JFTS_OK && i < n_units; i++) {
    size_t at = u16_src[i] >= 0 ? base + (size_t)u16_src[i] : k->char_start;
    k->char_start = at;
    UChar32 cp = u16[i];
    if (k->lead) {
      if (!U16_IS_TRAIL(cp)) {
        fail->offset = k->lead_start;
        fail->nul = 0;
        return JFTS_ERR_INPUT;
      }
      cp = U16_GET_SUPPLEMENTARY(k->lead, cp);
      at = k->lead_start;
      k->lead = 0;
    } else if (U16_IS_LEAD(cp)) {
      k->lead = (UChar)cp;
      k->lead_start = at;
      continue;
    } else if (U16_IS_TRAIL(cp)) {
      fail->offset = at;
      fail->nul = 0;
      return JFTS_ERR_INPUT;
    }
    /* CP932 is ASCII below 0x80, but ICU's ibm-943 table rotates 0x1A/0x1C/0x7F the IBM PC
    ** way (0x1A -> U+001C); a DOS end-of-file ^Z must stay U+001A. Lead bytes are >= 0x81,
    ** so a raw byte below 0x80 at `at` is always a single-byte character. */
    if (kind == ENC_SJIS && raw[at] < 0x80) cp = raw[at];
    if (cp == 0) {
      fail->offset = at;
      fail->nul = 1;
      return JFTS_ERR_INPUT;
    }
    size_t first = k->n;
    U8_APPEND_UNSAFE((uint8_t *)k->text, k->n, cp);
    for (size_t j = first; j < k->n; j++) k->offsets[j] = (uint32_t)at;
  }
  return rc;
}

/* Converts raw[start..n_raw) with enc's ICU converter into d, stopping at the first invalid
** or unmappable sequence (no substitution). ICU's per-call offsets are relative to the
** call's source start; a character whose bytes began in an earlier call gets -1 and starts
** where the bytes still held by the converter begin. On JFTS_ERR_INPUT *fail says why and
** no message is set, so that detection can try another candidate quietly. */
static int decode_icu(const unsigned char *raw, size_t n_raw, size_t start, const Encoding *enc,
                      DecodedText *d, IcuFail *fail, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter *cnv = NULL;
  UChar *u16 = NULL;
  int32_t *u16_src = NULL; /* per unit: source offset within the call, or -1 */
  IcuSink k = {0};
  int rc = JFTS_OK;

  cnv = ucnv_open(enc->icu, &status);
  if (U_SUCCESS(status)) {
    ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &status);
  }
  if (U_FAILURE(status)) {
    rc = jfts_icu_error(status, "ucnv_open", err_out);
    goto cleanup;
  }
  u16 = jfts_malloc(DEC_CHUNK_U16 * sizeof *u16);
  u16_src = jfts_malloc(DEC_CHUNK_U16 * sizeof *u16_src);
  if (u16 == NULL || u16_src == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  /* Japanese in a double-byte encoding grows by half in UTF-8; the end result is trimmed. */
  rc = sink_reserve(&k.text, &k.offsets, &k.cap, (n_raw - start) + (n_raw - start) / 2 + 16);

  const char *src = (const char *)raw + start;
  const char *end = (const char *)raw + n_raw;
  k.char_start = start;
  while (rc == JFTS_OK) {
    size_t base = (size_t)(src - (const char *)raw);
    const char *limit = (size_t)(end - src) > DEC_CHUNK_SRC ? src + DEC_CHUNK_SRC : end;
    UBool flush = limit == end;
    int32_t held = ucnv_toUCountPending(cnv, &status);
    if (U_FAILURE(status)) {
      rc = jfts_icu_error(status, "ucnv_toUCountPending", err_out);
      break;
    }
    if (held > 0) k.char_start = base - (size_t)held;

    UChar *t = u16;
    ucnv_toUnicode(cnv, &t, u16 + DEC_CHUNK_U16, &src, limit, u16_src, flush, &status);
    int overflow = status == U_BUFFER_OVERFLOW_ERROR;
    if (overflow) status = U_ZERO_ERROR;
    if (is_conversion_error(status)) {
      char bad[32]; /* more than any converter's longest character */
      int8_t n_bad = (int8_t)sizeof bad;
      UErrorCode st2 = U_ZERO_ERROR;
      ucnv_getInvalidChars(cnv, bad, &n_bad, &st2);
      fail->offset = (size_t)(src - (const char *)raw) - (U_SUCCESS(st2) ? (size_t)n_bad : 0);
      fail->nul = 0;
      rc = JFTS_ERR_INPUT;
      break;
    }
    if (U_FAILURE(status)) {
      rc = jfts_icu_error(status, "ucnv_toUnicode", err_out);
      break;
    }

    rc = icu_sink_units(&k, u16, u16_src, (size_t)(t - u16), base, raw, enc->kind, fail);
    if (rc == JFTS_OK && flush && !overflow) break;
  }
  if (rc == JFTS_OK && k.lead) {
    fail->offset = k.lead_start;
    fail->nul = 0;
    rc = JFTS_ERR_INPUT;
  }
  if (rc == JFTS_OK) {
    k.text[k.n] = '\0';
    k.offsets[k.n] = (uint32_t)n_raw;
    /* Trimming is best effort: when it fails the larger blocks stay valid. */
    char *t = jfts_realloc(k.text, k.n + 1);
    if (t) k.text = t;
    uint32_t *o = jfts_realloc(k.offsets, (k.n + 1) * sizeof *o);
    if (o) k.offsets = o;
    d->text = k.text;
    d->raw_offset = k.offsets;
    d->n_bytes = k.n;
    d->n_bom_bytes = start;
    snprintf(d->encoding, sizeof d->encoding, "%s", enc->name);
    k.text = NULL;
    k.offsets = NULL;
  }

cleanup:
  jfts_free(k.text);
  jfts_free(k.offsets);
  jfts_free(u16);
  jfts_free(u16_src);
  if (cnv) ucnv_close(cnv);
  return rc;
}

static int reject_too_large(size_t n_bytes, char **err_out) {
  if (n_bytes < UINT32_MAX) return 0;
  jfts_set_error(err_out, "input over 4 GiB is supported in UTF-8 only");
  return 1;
}

/* Decodes with a known encoding (explicit, or announced by a BOM). */
static int decode_with(const unsigned char *raw, size_t n_bytes, const Encoding *requested,
                       DecodedText *d, char **err_out) {
  Encoding enc = *requested;
  size_t n_bom = 0;
  switch (enc.kind) {
    case ENC_UTF8:
      if (is_utf8_bom(raw, n_bytes)) n_bom = 3;
      break;
    case ENC_UTF16:
      enc = is_utf16le_bom(raw, n_bytes) ? k_utf16le : k_utf16be;
      if (is_utf16le_bom(raw, n_bytes) || is_utf16be_bom(raw, n_bytes)) n_bom = 2;
      break;
    case ENC_UTF16LE:
      if (is_utf16le_bom(raw, n_bytes)) n_bom = 2;
      break;
    case ENC_UTF16BE:
      if (is_utf16be_bom(raw, n_bytes)) n_bom = 2;
      break;
    default:
      break;
  }
  const char *magic = binary_magic(raw, n_bytes);
  if (magic) {
    jfts_set_error(err_out, "binary file (%s)", magic);
    return JFTS_ERR_INPUT;
  }

  if (enc.kind == ENC_UTF8) {
    /* NUL is valid UTF-8; test it first so that binary wins over "invalid". */
    const unsigned char *z = memchr(raw + n_bom, 0, n_bytes - n_bom);
    if (z) {
      jfts_set_error(err_out, "binary file (NUL byte at %zu)", (size_t)(z - raw));
      return JFTS_ERR_INPUT;
    }
    size_t bad = 0;
    int rc = decode_utf8(raw, n_bytes, n_bom, d, &bad);
    if (rc == JFTS_ERR_INPUT) jfts_set_error(err_out, "invalid UTF-8 at byte %zu", bad);
    return rc;
  }

  if (reject_too_large(n_bytes, err_out)) return JFTS_ERR_INPUT;
  IcuFail fail = {0, 0};
  int rc = decode_icu(raw, n_bytes, n_bom, &enc, d, &fail, err_out);
  if (rc == JFTS_ERR_INPUT) {
    if (fail.nul) {
      jfts_set_error(err_out, "binary file (NUL byte at %zu)", fail.offset);
    } else {
      jfts_set_error(err_out, "invalid %s at byte %zu", enc.name, fail.offset);
    }
  }
  return rc;
}

/* Lists Shift_JIS / EUC-JP when ucsdet is confident enough, best first. The window starts
** at the line holding the first non-ASCII byte: ASCII reads the same in every candidate,
** and a long English preamble would otherwise leave the detector nothing to judge. */
static int detect_candidates(const unsigned char *raw, size_t n_bytes,
                             const Encoding **cand_out, size_t *n_cand_out, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector *det = NULL;
  int rc = JFTS_OK;
  *n_cand_out = 0;

  size_t first_high = 0;
  while (first_high < n_bytes && raw[first_high] < 0x80) first_high++;
  size_t start = first_high;
  size_t floor = first_high > 1024 ? first_high - 1024 : 0;
  while (start > floor && raw[start - 1] != '\n') start--;
  size_t len = n_bytes - start > DEC_DETECT_WINDOW ? DEC_DETECT_WINDOW : n_bytes - start;

  det = ucsdet_open(&status);
  if (U_SUCCESS(status)) ucsdet_setText(det, (const char *)raw + start, (int32_t)len, &status);
  int32_t n_matches = 0;
  const UCharsetMatch **matches = NULL;
  if (U_SUCCESS(status)) matches = ucsdet_detectAll(det, &n_matches, &status);
  if (status == U_INVALID_CHAR_FOUND) {
    /* ICU's answer when no charset fits at all (a few stray bytes): no candidate. */
    status = U_ZERO_ERROR;
    n_matches = 0;
  }
  if (U_FAILURE(status)) {
    rc = jfts_icu_error(status, "ucsdet_detectAll", err_out);
    goto cleanup;
  }
  for (int32_t i = 0; i < n_matches && *n_cand_out < DEC_MAX_CANDIDATES; i++) {
    const char *name = ucsdet_getName(matches[i], &status);
    int32_t confidence = ucsdet_getConfidence(matches[i], &status);
    if (U_FAILURE(status)) {
      rc = jfts_icu_error(status, "ucsdet_getName", err_out);
      goto cleanup;
    }
    if (confidence < DEC_MIN_CONFIDENCE) break; /* matches come best first */
    if (strcmp(name, "Shift_JIS") == 0) cand_out[(*n_cand_out)++] = &k_sjis;
    if (strcmp(name, "EUC-JP") == 0) cand_out[(*n_cand_out)++] = &k_eucjp;
  }

cleanup:
  if (det) ucsdet_close(det);
  return rc;
}

/* No BOM, no explicit encoding: UTF-8 if valid, else a confidently detected Japanese
** encoding that converts without a single error. */
static int decode_detect(const unsigned char *raw, size_t n_bytes, DecodedText *d,
                         char **err_out) {
  if (reject_binary(raw, n_bytes, err_out)) return JFTS_ERR_INPUT;
  size_t bad = 0;
  int rc = decode_utf8(raw, n_bytes, 0, d, &bad);
  if (rc != JFTS_ERR_INPUT) return rc;

  const Encoding *cand[DEC_MAX_CANDIDATES];
  size_t n_cand = 0;
  if (n_bytes < UINT32_MAX) {
    rc = detect_candidates(raw, n_bytes, cand, &n_cand, err_out);
    if (rc != JFTS_OK) return rc;
  }
  for (size_t i = 0; i < n_cand; i++) {
    IcuFail fail = {0, 0};
    rc = decode_icu(raw, n_bytes, 0, cand[i], d, &fail, err_out);
    if (rc != JFTS_ERR_INPUT) return rc;
  }
  jfts_set_error(err_out, "not UTF-8 (first invalid byte at %zu)", bad);
  return JFTS_ERR_INPUT;
}

/* Resolves a caller's encoding name through ICU's alias table, which already knows utf8,
** sjis, cp932, windows-31j, eucjp, ujis and friends, ignoring case and punctuation. */
static int resolve_encoding(const char *name, Encoding *enc_out, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  UConverter *cnv = NULL;
  int rc = JFTS_OK;

  /* ucnv_open("") would silently open the platform's default converter. */
  if (name[0] != '\0') cnv = ucnv_open(name, &status);
  if (cnv == NULL || U_FAILURE(status)) {
    if (status == U_MEMORY_ALLOCATION_ERROR) {
      rc = JFTS_ERR_NOMEM;
    } else {
      jfts_set_error(err_out, "unknown encoding '%s'", name);
      rc = JFTS_ERR_USAGE;
    }
    goto cleanup;
  }
  const char *icu = ucnv_getName(cnv, &status);
  if (U_FAILURE(status)) {
    rc = jfts_icu_error(status, "ucnv_getName", err_out);
    goto cleanup;
  }
  static const Encoding *const known[] = {&k_utf8, &k_utf16le, &k_utf16be, &k_sjis, &k_eucjp};
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
    if (strcmp(icu, known[i]->icu ? known[i]->icu : "UTF-8") == 0) {
      *enc_out = *known[i];
      goto cleanup;
    }
  }
  if (strcmp(icu, "UTF-16") == 0) {
    *enc_out = (Encoding){ENC_UTF16, NULL, "UTF-16"};
    goto cleanup;
  }
  /* Any other converter is used as named; report its MIME or IANA name when one fits. */
  enc_out->kind = ENC_OTHER;
  enc_out->icu = name;
  const char *shown = icu;
  const char *standards[] = {"MIME", "IANA"};
  for (size_t i = 0; i < 2; i++) {
    UErrorCode st2 = U_ZERO_ERROR;
    const char *s = ucnv_getStandardName(icu, standards[i], &st2);
    if (U_SUCCESS(st2) && s && strlen(s) < sizeof enc_out->name) {
      shown = s;
      break;
    }
  }
  snprintf(enc_out->name, sizeof enc_out->name, "%s", shown);

cleanup:
  if (cnv) ucnv_close(cnv);
  return rc;
}

int dec_decode(const unsigned char *raw, size_t n_bytes, const char *encoding,
               DecodedText **out, char **err_out) {
  DecodedText *d = NULL;
  Encoding enc = k_utf8;
  int rc = JFTS_OK;

  *out = NULL;
  if (encoding) {
    rc = resolve_encoding(encoding, &enc, err_out);
    if (rc != JFTS_OK) goto cleanup;
  }
  d = jfts_calloc(1, sizeof *d);
  if (d == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  if (raw == NULL) raw = (const unsigned char *)""; /* empty input may come without a buffer */
  if (encoding) {
    rc = decode_with(raw, n_bytes, &enc, d, err_out);
  } else if (is_utf8_bom(raw, n_bytes)) {
    rc = decode_with(raw, n_bytes, &k_utf8, d, err_out);
  } else if (is_utf16le_bom(raw, n_bytes)) {
    rc = decode_with(raw, n_bytes, &k_utf16le, d, err_out);
  } else if (is_utf16be_bom(raw, n_bytes)) {
    rc = decode_with(raw, n_bytes, &k_utf16be, d, err_out);
  } else {
    rc = decode_detect(raw, n_bytes, d, err_out);
  }

cleanup:
  if (rc != JFTS_OK) {
    dec_free(d);
    d = NULL;
  }
  *out = d;
  return rc;
}

int dec_decode_piece(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                     const char *encoding, DecodedText **out, char **err_out) {
  if (raw_base == 0) return dec_decode(raw, n_bytes, encoding, out, err_out);
  *out = NULL;
  DecodedText *d = jfts_calloc(1, sizeof *d);
  if (d == NULL) return JFTS_ERR_NOMEM;
  const unsigned char *z = memchr(raw, 0, n_bytes);
  size_t bad = 0;
  int rc = JFTS_ERR_INPUT;
  if (z) {
    jfts_set_error(err_out, "binary file (NUL byte at %llu)",
                   (unsigned long long)(raw_base + (uint64_t)(z - raw)));
  } else {
    rc = decode_utf8(raw, n_bytes, 0, d, &bad);
    if (rc == JFTS_ERR_INPUT)
      jfts_set_error(err_out, "not UTF-8 (first invalid byte at %llu)",
                     (unsigned long long)(raw_base + bad));
  }
  if (rc != JFTS_OK) {
    dec_free(d);
    return rc;
  }
  d->n_bom_bytes = (size_t)raw_base;
  *out = d;
  return JFTS_OK;
}

size_t dec_raw_offset(const DecodedText *d, size_t byte) {
  if (byte > d->n_bytes) byte = d->n_bytes;
  return d->raw_offset ? d->raw_offset[byte] : byte + d->n_bom_bytes;
}

void dec_free(DecodedText *d) {
  if (d == NULL) return;
  jfts_free(d->text);
  jfts_free(d->raw_offset);
  jfts_free(d);
}
