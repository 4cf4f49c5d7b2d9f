/* Tests of the decoding module: the same Japanese sample in six encodings decodes to the same
** UTF-8; raw offsets agree with an independent encoder (glibc iconv) for every character;
** every way an input is rejected yields its exact message. Fixtures: tests/data/decode/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "jfts_common.h"
#include "test_util.h"

#define DATA_DIR JFTS_TESTDATA "/decode/"
#define SAMPLE_UTF8 DATA_DIR "sample.utf8.txt"
#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

/* A byte string literal with its length, embedded NULs included. */
#define B(s) s, sizeof(s) - 1

typedef struct Buf {
  char *p;
  size_t n;
} Buf;

static Buf read_file(const char *path) {
  Buf b = {NULL, 0};
  b.p = test_read_file(path, &b.n);
  return b;
}

static void buf_append(Buf *b, const void *p, size_t n) {
  b->p = realloc(b->p, b->n + n + 1);
  assert_non_null(b->p);
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static const char *rc_name(int rc) {
  switch (rc) {
    case JFTS_OK: return "OK";
    case JFTS_ERR_NOMEM: return "NOMEM";
    case JFTS_ERR_IO: return "IO";
    case JFTS_ERR_INPUT: return "INPUT";
    case JFTS_ERR_USAGE: return "USAGE";
    case JFTS_ERR_DB: return "DB";
    case JFTS_ERR_ICU: return "ICU";
    case JFTS_ERR_SCHEMA: return "SCHEMA";
    default: return "?";
  }
}

static size_t utf8_char_len(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/* Decodes and renders the result as one line: "<encoding> <char>@<raw offset> ... end@<raw
** length>" on success (controls as \xHH), "rc=<code> <message>" on failure. With a map
** (non-UTF-8 input), a continuation byte whose raw offset differs from its lead byte's shows
** as "!map@<decoded byte>". */
static void render(const char *raw, size_t n_raw, const char *encoding, char *out, size_t cap) {
  DecodedText *d = (DecodedText *)1;
  char *err = NULL;
  int rc = dec_decode((const unsigned char *)raw, n_raw, encoding, &d, &err);
  size_t k = 0;
  if (rc != JFTS_OK) {
    assert_null(d);
    snprintf(out, cap, "rc=%s %s", rc_name(rc), err ? err : "(no message)");
    jfts_free(err);
    return;
  }
  assert_null(err);
  k += (size_t)snprintf(out + k, cap - k, "%s", d->encoding);
  for (size_t i = 0; i < d->n_bytes && k < cap;) {
    size_t len = utf8_char_len((unsigned char)d->text[i]);
    for (size_t j = 1; d->raw_offset && j < len && k < cap; j++) {
      if (dec_raw_offset(d, i + j) != dec_raw_offset(d, i)) {
        k += (size_t)snprintf(out + k, cap - k, " !map@%zu", i + j);
      }
    }
    unsigned char c = (unsigned char)d->text[i];
    if (k >= cap) break;
    if (c < 0x20 || c == 0x7f) {
      k += (size_t)snprintf(out + k, cap - k, " \\x%02X@%zu", c, dec_raw_offset(d, i));
    } else {
      k += (size_t)snprintf(out + k, cap - k, " %.*s@%zu", (int)len, d->text + i,
                            dec_raw_offset(d, i));
    }
    i += len;
  }
  if (k < cap) snprintf(out + k, cap - k, " end@%zu", dec_raw_offset(d, d->n_bytes));
  assert_int_equal(d->text[d->n_bytes], '\0');
  dec_free(d);
}

typedef struct Case {
  const char *name;
  const char *raw;
  size_t n_raw;
  const char *encoding; /* NULL: detect */
  const char *expect;
} Case;

static void run_cases(const Case *cases, size_t n_cases) {
  long live = jfts_alloc_live();
  for (size_t i = 0; i < n_cases; i++) {
    char got[1024];
    render(cases[i].raw, cases[i].n_raw, cases[i].encoding, got, sizeof got);
    if (strcmp(got, cases[i].expect) != 0) {
      print_error("case '%s':\n  got    %s\n  expect %s\n", cases[i].name, got, cases[i].expect);
    }
    assert_string_equal(got, cases[i].expect);
    assert_int_equal(jfts_alloc_live(), live);
  }
}

/* ---- the sample fixture in every encoding ------------------------------------------------ */

static void test_sample_fixtures(void **state) {
  (void)state;
  static const struct {
    const char *file, *encoding, *expect;
  } cases[] = {
      {"sample.utf8.txt", NULL, "UTF-8 bom=0 map=identity"},
      {"sample.utf8bom.txt", NULL, "UTF-8 bom=3 map=identity"},
      {"sample.utf16le.txt", NULL, "UTF-16LE bom=2 map=table"},
      {"sample.utf16be.txt", NULL, "UTF-16BE bom=2 map=table"},
      {"sample.sjis.txt", NULL, "Shift_JIS bom=0 map=table"},
      {"sample.eucjp.txt", NULL, "EUC-JP bom=0 map=table"},
      /* --encoding overrides, through ICU's aliases */
      {"sample.utf8.txt", "utf8", "UTF-8 bom=0 map=identity"},
      {"sample.utf8bom.txt", "UTF-8", "UTF-8 bom=3 map=identity"},
      {"sample.utf16le.txt", "utf-16le", "UTF-16LE bom=2 map=table"},
      {"sample.utf16le.txt", "utf-16", "UTF-16LE bom=2 map=table"},
      {"sample.utf16be.txt", "UTF16", "UTF-16BE bom=2 map=table"},
      {"sample.sjis.txt", "sjis", "Shift_JIS bom=0 map=table"},
      {"sample.sjis.txt", "cp932", "Shift_JIS bom=0 map=table"},
      {"sample.sjis.txt", "shift_jis", "Shift_JIS bom=0 map=table"},
      {"sample.sjis.txt", "Windows-31J", "Shift_JIS bom=0 map=table"},
      {"sample.eucjp.txt", "EUC-JP", "EUC-JP bom=0 map=table"},
      {"sample.eucjp.txt", "eucjp", "EUC-JP bom=0 map=table"},
      {"sample.eucjp.txt", "ujis", "EUC-JP bom=0 map=table"},
  };
  Buf want = read_file(SAMPLE_UTF8);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char path[512], got[256];
    snprintf(path, sizeof path, DATA_DIR "%s", cases[i].file);
    Buf raw = read_file(path);
    DecodedText *d = NULL;
    char *err = NULL;
    int rc = dec_decode((const unsigned char *)raw.p, raw.n, cases[i].encoding, &d, &err);
    if (rc != JFTS_OK) {
      snprintf(got, sizeof got, "rc=%s %s", rc_name(rc), err);
    } else {
      snprintf(got, sizeof got, "%s bom=%zu map=%s%s", d->encoding, d->n_bom_bytes,
               d->raw_offset ? "table" : "identity",
               d->n_bytes == want.n && memcmp(d->text, want.p, want.n) == 0 ? "" : " TEXT DIFFERS");
      if (dec_raw_offset(d, d->n_bytes) != raw.n) strcat(got, " END DIFFERS");
    }
    if (strcmp(got, cases[i].expect) != 0) {
      print_error("case %s with %s\n", cases[i].file,
                  cases[i].encoding ? cases[i].encoding : "detection");
    }
    assert_string_equal(got, cases[i].expect);
    dec_free(d);
    jfts_free(err);
    free(raw.p);
  }
  free(want.p);
}

/* Characters of the sample and their offsets in sample.sjis.txt, found with
** `LC_ALL=C grep -obUa` on the raw bytes; line starts from the positions of its 0x0A bytes. */
static void test_sjis_offsets_documented(void **state) {
  (void)state;
  static const struct {
    const char *utf8, *sjis;
  } chars[] = {
      {"①", "\x87\x40"}, {"～", "\x81\x60"}, {"１２", "\x82\x50\x82\x51"},
      {"8050", "8050"},  {"ｶﾀ", "\xb6\xc0"},
  };
  Buf raw = read_file(DATA_DIR "sample.sjis.txt");
  DecodedText *d = NULL;
  assert_int_equal(dec_decode((const unsigned char *)raw.p, raw.n, NULL, &d, NULL), JFTS_OK);
  char got[512] = "";
  for (size_t i = 0; i < sizeof chars / sizeof chars[0]; i++) {
    const char *hit = strstr(d->text, chars[i].utf8);
    assert_non_null(hit);
    size_t at = dec_raw_offset(d, (size_t)(hit - d->text));
    assert_memory_equal(raw.p + at, chars[i].sjis, strlen(chars[i].sjis));
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s@%zu ", chars[i].utf8, at);
  }
  strcat(got, "| lines");
  for (size_t i = 0; i < d->n_bytes; i++) {
    if (i == 0 || d->text[i - 1] == '\n') {
      snprintf(got + strlen(got), sizeof got - strlen(got), " %zu", dec_raw_offset(d, i));
    }
  }
  assert_string_equal(got, "①@48 ～@96 １２@124 8050@178 ｶﾀ@228 | lines 0 48 103 132 228");
  dec_free(d);
  free(raw.p);
}

/* Line starts in the UTF-16LE fixture: after the BOM, then after each "\x0a\x00" unit. */
static void test_utf16_line_starts(void **state) {
  (void)state;
  Buf raw = read_file(DATA_DIR "sample.utf16le.txt");
  DecodedText *d = NULL;
  assert_int_equal(dec_decode((const unsigned char *)raw.p, raw.n, NULL, &d, NULL), JFTS_OK);
  char got[256] = "lines";
  for (size_t i = 0; i < d->n_bytes; i++) {
    if (i == 0 || d->text[i - 1] == '\n') {
      snprintf(got + strlen(got), sizeof got - strlen(got), " %zu", dec_raw_offset(d, i));
    }
  }
  snprintf(got + strlen(got), sizeof got - strlen(got), " end %zu", dec_raw_offset(d, d->n_bytes));
  assert_string_equal(got, "lines 2 56 112 144 246 end 280");
  dec_free(d);
  free(raw.p);
}

/* ---- every character's raw offset against glibc iconv ---------------------------------- */

enum Source { SRC_SAMPLE, SRC_CORPUS, SRC_SUPPLEMENTARY, SRC_ASCII };

static Buf source_text(enum Source src) {
  Buf b = {NULL, 0};
  switch (src) {
    case SRC_SAMPLE: return read_file(SAMPLE_UTF8);
    case SRC_CORPUS: return read_file(CORPUS_FILE);
    case SRC_SUPPLEMENTARY:
      /* 6 bytes of UTF-16 per round against 4096-byte source chunks: the chunk edges fall
      ** between the two halves of a surrogate pair as well as between characters. */
      for (int i = 0; i < 3000; i++) {
        if (i % 40 == 39) {
          buf_append(&b, B("𠮷あ\n"));
        } else {
          buf_append(&b, B("𠮷あ"));
        }
      }
      return b;
    case SRC_ASCII:
      buf_append(&b, B("plain ASCII line\nand another\n"));
      return b;
  }
  return b;
}

/* Encodes text one character at a time with iconv, so that the raw offset of every character
** is known without asking the code under test; checks all of them and the text. With a map,
** every byte of a decoded character maps to the character's raw start; without one (UTF-8)
** each byte maps to itself shifted by the BOM. */
static void check_against_iconv(enum Source src, const char *iconv_name, const char *bom,
                                const char *encoding, char *out, size_t cap) {
  Buf text = source_text(src);
  Buf raw = {NULL, 0};
  size_t n_chars = 0;
  size_t *char_raw = malloc((text.n + 1) * sizeof *char_raw); /* by decoded byte */
  assert_non_null(char_raw);
  buf_append(&raw, bom, strlen(bom));
  iconv_t cd = iconv_open(iconv_name, "UTF-8");
  assert_true(cd != (iconv_t)-1);
  for (size_t i = 0; i < text.n;) {
    size_t len = utf8_char_len((unsigned char)text.p[i]);
    char enc[16];
    char *in = text.p + i, *o = enc;
    size_t in_left = len, out_left = sizeof enc;
    assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    for (size_t j = 0; j < len; j++) char_raw[i + j] = raw.n;
    buf_append(&raw, enc, (size_t)(o - enc));
    i += len;
    n_chars++;
  }
  char_raw[text.n] = raw.n;
  iconv_close(cd);

  DecodedText *d = NULL;
  char *err = NULL;
  int rc = dec_decode((const unsigned char *)raw.p, raw.n, encoding, &d, &err);
  if (rc != JFTS_OK) {
    snprintf(out, cap, "rc=%s %s", rc_name(rc), err);
  } else if (d->n_bytes != text.n || memcmp(d->text, text.p, text.n) != 0) {
    snprintf(out, cap, "%s: text differs", d->encoding);
  } else {
    size_t bad = text.n + 1, lead = 0, want = 0;
    for (size_t i = 0; i <= text.n && bad > text.n; i++) {
      if (i == text.n || ((unsigned char)text.p[i] & 0xc0) != 0x80) lead = i;
      want = char_raw[i] + (d->raw_offset ? 0 : i - lead);
      if (dec_raw_offset(d, i) != want) bad = i;
    }
    if (bad <= text.n) {
      snprintf(out, cap, "%s: decoded byte %zu maps to raw %zu, iconv says %zu", d->encoding, bad,
               dec_raw_offset(d, bad), want);
    } else {
      snprintf(out, cap, "%s: %zu chars ok", d->encoding, n_chars);
    }
  }
  dec_free(d);
  jfts_free(err);
  free(char_raw);
  free(raw.p);
  free(text.p);
}

static void test_offsets_against_iconv(void **state) {
  (void)state;
  static const struct {
    const char *name;
    enum Source src;
    const char *iconv_name, *bom, *encoding, *expect;
  } cases[] = {
      {"sample sjis", SRC_SAMPLE, "CP932", "", NULL, "Shift_JIS: 139 chars ok"},
      {"sample eucjp", SRC_SAMPLE, "EUC-JP-MS", "", NULL, "EUC-JP: 139 chars ok"},
      {"sample utf16le", SRC_SAMPLE, "UTF-16LE", "\xff\xfe", NULL, "UTF-16LE: 139 chars ok"},
      {"sample utf16be", SRC_SAMPLE, "UTF-16BE", "\xfe\xff", NULL, "UTF-16BE: 139 chars ok"},
      {"sample utf8 bom", SRC_SAMPLE, "UTF-8", "\xef\xbb\xbf", NULL, "UTF-8: 139 chars ok"},
      {"corpus sjis", SRC_CORPUS, "CP932", "", NULL, "Shift_JIS: 9233 chars ok"},
      {"corpus eucjp", SRC_CORPUS, "EUC-JP-MS", "", NULL, "EUC-JP: 9233 chars ok"},
      {"corpus utf16le", SRC_CORPUS, "UTF-16LE", "\xff\xfe", NULL, "UTF-16LE: 9233 chars ok"},
      {"corpus utf16be", SRC_CORPUS, "UTF-16BE", "\xfe\xff", NULL, "UTF-16BE: 9233 chars ok"},
      {"corpus sjis explicit", SRC_CORPUS, "CP932", "", "cp932", "Shift_JIS: 9233 chars ok"},
      {"corpus eucjp explicit", SRC_CORPUS, "EUC-JP-MS", "", "euc-jp", "EUC-JP: 9233 chars ok"},
      {"corpus utf16le no bom", SRC_CORPUS, "UTF-16LE", "", "UTF-16LE", "UTF-16LE: 9233 chars ok"},
      {"pairs utf16le", SRC_SUPPLEMENTARY, "UTF-16LE", "\xff\xfe", NULL, "UTF-16LE: 6075 chars ok"},
      {"pairs utf16be", SRC_SUPPLEMENTARY, "UTF-16BE", "\xfe\xff", NULL, "UTF-16BE: 6075 chars ok"},
      {"ascii as sjis", SRC_ASCII, "CP932", "", "sjis", "Shift_JIS: 29 chars ok"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char got[256];
    check_against_iconv(cases[i].src, cases[i].iconv_name, cases[i].bom, cases[i].encoding, got,
                        sizeof got);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
}

/* ---- small inputs: rejections, overrides, mapping details ------------------------------- */

static void test_invalid_utf8(void **state) {
  (void)state;
  static const Case cases[] = {
      {"lone continuation", B("abc\x80" "def"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 3)"},
      {"truncated at EOF", B("\xe3\x81\x82\xe3\x81"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 3)"},
      {"truncated mid-text", B("a\xe3\x81" "b"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 1)"},
      {"overlong 2-byte", B("a\xc0\xaf"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 1)"},
      {"overlong 3-byte", B("\xe0\x80\xaf"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"overlong 4-byte", B("\xf0\x80\x80\xaf"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"surrogate", B("xy\xed\xa0\x80"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 2)"},
      {"above U+10FFFF", B("\xf4\x90\x80\x80"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"lead F5", B("\xf5\x80\x80\x80"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"after 9 ascii", B("123456789\xff"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 9)"},
      {"Latin-1", B("caf\xe9 au lait"), NULL, "rc=INPUT not UTF-8 (first invalid byte at 3)"},
      {"short Shift_JIS: too little for the detector", B("\x93\xfa\x96\x7b\x8c\xea"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"short EUC-JP", B("\xc6\xfc\xcb\xdc\xb8\xec"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"garbage", B("ok \xfe\xfd\xfc\xfb\xfa\x80\x81"), NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 3)"},
      {"UTF-8 BOM then invalid", B("\xef\xbb\xbf" "ab\xff"), NULL,
       "rc=INPUT invalid UTF-8 at byte 5"},
      {"explicit UTF-8", B("ab\xc3"), "utf8", "rc=INPUT invalid UTF-8 at byte 2"},
      {"valid one of each length", B("a\xc2\xa9\xe3\x81\x82\xf0\xa0\xae\xb7"), NULL,
       "UTF-8 a@0 ©@1 あ@3 𠮷@6 end@10"},
      {"largest code points", B("\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf"), NULL,
       "UTF-8 \xed\x9f\xbf@0 \xee\x80\x80@3 \xf4\x8f\xbf\xbf@6 end@10"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_invalid_other(void **state) {
  (void)state;
  static const Case cases[] = {
      {"sjis lead at EOF", B("ab\x82"), "sjis", "rc=INPUT invalid Shift_JIS at byte 2"},
      {"sjis bad trail keeps the newline", B("ab\x82\ncd"), "sjis",
       "rc=INPUT invalid Shift_JIS at byte 2"},
      {"sjis unassigned", B("\x82\xa0\x85\x40"), "cp932", "rc=INPUT invalid Shift_JIS at byte 2"},
      {"euc-jp truncated", B("\xa4\xa2\xa4"), "euc-jp", "rc=INPUT invalid EUC-JP at byte 2"},
      /* eucJP-ms (glibc EUC-JP-MS) writes IBM kanji such as 髙 as 3 bytes; ICU's table does not */
      {"eucJP-ms IBM kanji", B("ab\x8f\xf4\xfb"), "euc-jp", "rc=INPUT invalid EUC-JP at byte 2"},
      {"utf-16le unpaired lead", B("\xff\xfe" "a\x00\x00\xd8" "b\x00"), NULL,
       "rc=INPUT invalid UTF-16LE at byte 4"},
      {"utf-16le lone trail", B("\xff\xfe\x00\xdc"), NULL, "rc=INPUT invalid UTF-16LE at byte 2"},
      {"utf-16le odd length", B("\xff\xfe" "a\x00" "b"), NULL,
       "rc=INPUT invalid UTF-16LE at byte 4"},
      {"utf-16be lead at EOF", B("\xfe\xff\x00" "a\xd8\x00"), NULL,
       "rc=INPUT invalid UTF-16BE at byte 4"},
      {"unknown name", B("abc"), "xyz", "rc=USAGE unknown encoding 'xyz'"},
      {"empty name", B("abc"), "", "rc=USAGE unknown encoding ''"},
      {"unknown name wins over binary", B("a\0b"), "klingon",
       "rc=USAGE unknown encoding 'klingon'"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_binary(void **state) {
  (void)state;
  static const Case cases[] = {
      {"NUL", B("abc\0def"), NULL, "rc=INPUT binary file (NUL byte at 3)"},
      {"NUL before invalid UTF-8", B("\xff\xfe\xfd" "abc\0"), "utf8",
       "rc=INPUT binary file (NUL byte at 6)"},
      {"NUL after valid prefix", B("\xe3\x81\x82\xff\0"), NULL,
       "rc=INPUT binary file (NUL byte at 4)"},
      {"PNG", B("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), NULL, "rc=INPUT binary file (PNG)"},
      {"PDF", B("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), NULL, "rc=INPUT binary file (PDF)"},
      {"PDF explicit", B("%PDF-1.4\n"), "utf8", "rc=INPUT binary file (PDF)"},
      {"ELF", B("\x7f" "ELF\x02\x01\x01"), NULL, "rc=INPUT binary file (ELF)"},
      {"GIF", B("GIF89a\x01\x02"), NULL, "rc=INPUT binary file (GIF)"},
      {"JPEG", B("\xff\xd8\xff\xe0"), NULL, "rc=INPUT binary file (JPEG)"},
      {"ZIP / docx", B("PK\x03\x04\x14"), NULL, "rc=INPUT binary file (ZIP)"},
      {"OLE2 / doc", B("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), NULL, "rc=INPUT binary file (OLE2)"},
      {"gzip", B("\x1f\x8b\x08"), NULL, "rc=INPUT binary file (gzip)"},
      {"bzip2", B("BZh91AY&SY\x12"), NULL, "rc=INPUT binary file (bzip2)"},
      {"text starting with BZh", B("BZh9 x"), NULL, "UTF-8 B@0 Z@1 h@2 9@3  @4 x@5 end@6"},
      {"UTF-16 U+0000", B("\xff\xfe" "a\x00\x00\x00"), NULL,
       "rc=INPUT binary file (NUL byte at 4)"},
      {"UTF-8 BOM then NUL", B("\xef\xbb\xbf" "a\0"), NULL, "rc=INPUT binary file (NUL byte at 4)"},
      {"explicit sjis NUL", B("\x82\xa0\0"), "sjis", "rc=INPUT binary file (NUL byte at 2)"},
      {"UTF-16 NUL bytes are not binary", B("a\x00" "b\x00"), "utf-16le", "UTF-16LE a@0 b@2 end@4"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_is_binary(void **state) {
  (void)state;
  static const Case cases[] = {
      {"empty", B(""), NULL, "0@0"},
      {"text", B("テキスト\n"), NULL, "0@0"},
      {"NUL", B("ab\0"), NULL, "1@2"},
      {"PNG", B("\x89PNG\r\n\x1a\n"), NULL, "1@0"},
      {"PDF", B("%PDF-"), NULL, "1@0"},
      {"PDF too short", B("%PDF"), NULL, "0@0"},
      {"UTF-16LE text", B("\xff\xfe" "a\x00\x42\x30"), NULL, "0@0"},
      {"UTF-16BE text", B("\xfe\xff\x00" "a"), NULL, "0@0"},
      {"UTF-16LE U+0000", B("\xff\xfe" "a\x00\x00\x00"), NULL, "1@4"},
      /* U+0041 U+4100: the two zero bytes belong to different units */
      {"UTF-16LE zero bytes across units", B("\xff\xfe" "A\x00\x00" "A"), NULL, "0@0"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t at = 99;
    char got[32];
    int bin = dec_is_binary((const unsigned char *)cases[i].raw, cases[i].n_raw, &at);
    snprintf(got, sizeof got, "%d@%zu", bin, at);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
  assert_int_equal(dec_is_binary((const unsigned char *)"\0", 1, NULL), 1);
}

static void test_empty_and_bom_only(void **state) {
  (void)state;
  static const Case cases[] = {
      {"empty", B(""), NULL, "UTF-8 end@0"},
      {"empty explicit sjis", B(""), "sjis", "Shift_JIS end@0"},
      {"UTF-8 BOM only", B("\xef\xbb\xbf"), NULL, "UTF-8 end@3"},
      {"UTF-16LE BOM only", B("\xff\xfe"), NULL, "UTF-16LE end@2"},
      {"UTF-8 BOM + text", B("\xef\xbb\xbf" "a\n"), NULL, "UTF-8 a@3 \\x0A@4 end@5"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);

  DecodedText *d = NULL;
  assert_int_equal(dec_decode(NULL, 0, NULL, &d, NULL), JFTS_OK);
  assert_string_equal(d->text, "");
  assert_int_equal(d->n_bytes, 0);
  assert_null(d->raw_offset);
  assert_int_equal(dec_raw_offset(d, 5), 0); /* clamped */
  dec_free(d);
  dec_free(NULL);
}

/* CP932 as Windows writes it, decoded explicitly; expected code points from Microsoft's
** table (glibc CP932 agrees on every double-byte code). */
static void test_cp932_mappings(void **state) {
  (void)state;
  static const Case cases[] = {
      {"NEC row 13", B("\x87\x40\x87\x8a\x87\x82\x87\x54\x87\x90"), "cp932",
       "Shift_JIS ①@0 ㈱@2 №@4 Ⅰ@6 ≒@8 end@10"},
      {"IBM extensions", B("\xfa\x40\xfa\x5c\xfb\xfc\xfa\xb1"), "cp932",
       "Shift_JIS ⅰ@0 纊@2 髙@4 﨑@6 end@8"},
      {"NEC-selected IBM extensions", B("\xed\x40\xee\xef"), "cp932", "Shift_JIS 纊@0 ⅰ@2 end@4"},
      /* Microsoft's choices where JIS differs: U+FF5E, U+2225, U+FF0D, U+FFE2 */
      {"MS mappings", B("\x81\x60\x81\x61\x81\x7c\x81\xca"), "cp932",
       "Shift_JIS ～@0 ∥@2 －@4 ￢@6 end@8"},
      {"ASCII stays ASCII", B("\\~"), "cp932", "Shift_JIS \\@0 ~@1 end@2"},
      {"DOS ^Z, FS, DEL stay themselves", B("a\x1a\x1c\x7f"), "cp932",
       "Shift_JIS a@0 \\x1A@1 \\x1C@2 \\x7F@3 end@4"},
      {"half-width katakana", B("\xb6\xc0\xb6\xc5\r\n"), "cp932",
       "Shift_JIS ｶ@0 ﾀ@1 ｶ@2 ﾅ@3 \\x0D@4 \\x0A@5 end@6"},
      {"user-defined area", B("\xf0\x40"), "cp932", "Shift_JIS \xee\x80\x80@0 end@2"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_other_encodings(void **state) {
  (void)state;
  static const Case cases[] = {
      {"EUC-JP kana, NEC row 13, wave dash", B("\xa4\xa2\xad\xa1\xa1\xc1"), "euc-jp",
       "EUC-JP あ@0 ①@2 ～@4 end@6"},
      {"EUC-JP half-width kana", B("\x8e\xb6\x8e\xc0"), "eucjp", "EUC-JP ｶ@0 ﾀ@2 end@4"},
      {"EUC-JP JIS X 0212", B("a\x8f\xb0\xa1" "b"), "euc-jp", "EUC-JP a@0 丂@1 b@4 end@5"},
      {"EUC-JP IBM kanji, CP51932 rows", B("\xfc\xe2"), "euc-jp", "EUC-JP 髙@0 end@2"},
      {"UTF-16LE pair", B("\xff\xfe\x42\xd8\xb7\xdf" "a\x00"), NULL, "UTF-16LE 𠮷@2 a@6 end@8"},
      {"UTF-16BE", B("\xfe\xff\x30\x42\x00\n"), NULL, "UTF-16BE あ@2 \\x0A@4 end@6"},
      {"UTF-16 without BOM is big-endian", B("\x30\x42"), "utf-16", "UTF-16BE あ@0 end@2"},
      {"explicit UTF-16LE keeps a foreign BOM", B("\xfe\xff"), "utf-16le",
       "UTF-16LE \xef\xbf\xbe@0 end@2"},
      /* a stateful encoding: escape sequences belong to no character */
      {"ISO-2022-JP", B("a\x1b$B$\"4A\x1b(B\n"), "ISO-2022-JP",
       "ISO-2022-JP a@0 あ@4 漢@6 \\x0A@11 end@12"},
      {"explicit UTF-8 on ASCII", B("hi"), "UTF8", "UTF-8 h@0 i@1 end@2"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* ---- detection of files without BOM ----------------------------------------------------- */

static void test_detection_edges(void **state) {
  (void)state;
  char got[256];
  Buf sjis = read_file(DATA_DIR "sample.sjis.txt");
  Buf utf8 = read_file(SAMPLE_UTF8);

  /* 68 KB of ASCII first: the detector must look where the Japanese starts. */
  Buf late = {NULL, 0};
  for (int i = 0; i < 2000; i++) buf_append(&late, B("ASCII preamble, 34 bytes per line\n"));
  buf_append(&late, sjis.p, sjis.n);
  DecodedText *d = NULL;
  assert_int_equal(dec_decode((const unsigned char *)late.p, late.n, NULL, &d, NULL), JFTS_OK);
  snprintf(got, sizeof got, "%s %zu", d->encoding, dec_raw_offset(d, d->n_bytes - utf8.n));
  assert_string_equal(got, "Shift_JIS 68000");
  assert_memory_equal(d->text + d->n_bytes - utf8.n, utf8.p, utf8.n);
  dec_free(d);

  /* One unmappable code at the end: no partial decoding, the UTF-8 verdict stands. */
  Buf bad = {NULL, 0};
  buf_append(&bad, sjis.p, sjis.n);
  buf_append(&bad, B("\x85\x40"));
  /* Valid UTF-8 Japanese with one stray byte is not mistaken for another encoding. */
  Buf stray = {NULL, 0};
  buf_append(&stray, utf8.p, utf8.n);
  buf_append(&stray, B("\x80"));
  const Case cases[] = {
      {"sjis + unmappable", bad.p, bad.n, NULL, "rc=INPUT not UTF-8 (first invalid byte at 0)"},
      {"utf8 + stray byte", stray.p, stray.n, NULL,
       "rc=INPUT not UTF-8 (first invalid byte at 373)"},
  };
  run_cases(cases, sizeof cases / sizeof cases[0]);

  free(late.p);
  free(bad.p);
  free(stray.p);
  free(sjis.p);
  free(utf8.p);
}

/* ---- out of memory ---------------------------------------------------------------------- */

static void test_out_of_memory(void **state) {
  (void)state;
  static const char *const files[] = {"sample.utf8.txt", "sample.sjis.txt", "sample.utf16le.txt"};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    char path[512];
    snprintf(path, sizeof path, DATA_DIR "%s", files[f]);
    Buf raw = read_file(path);
    long live = jfts_alloc_live();
    int n_failed = 0;
    for (long k = 0;; k++) {
      DecodedText *d = NULL;
      char *err = NULL;
      jfts_alloc_fail_after(k);
      int rc = dec_decode((const unsigned char *)raw.p, raw.n, NULL, &d, &err);
      jfts_alloc_fail_after(-1);
      if (rc == JFTS_OK) {
        dec_free(d);
        break;
      }
      if (rc != JFTS_ERR_NOMEM) print_error("%s, allocation %ld: %s\n", files[f], k, err);
      assert_int_equal(rc, JFTS_ERR_NOMEM);
      assert_null(d);
      jfts_free(err);
      assert_int_equal(jfts_alloc_live(), live);
      n_failed++;
    }
    assert_true(n_failed >= 2);
    assert_int_equal(jfts_alloc_live(), live);
    free(raw.p);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sample_fixtures),
      cmocka_unit_test(test_sjis_offsets_documented),
      cmocka_unit_test(test_utf16_line_starts),
      cmocka_unit_test(test_offsets_against_iconv),
      cmocka_unit_test(test_invalid_utf8),
      cmocka_unit_test(test_invalid_other),
      cmocka_unit_test(test_binary),
      cmocka_unit_test(test_is_binary),
      cmocka_unit_test(test_empty_and_bom_only),
      cmocka_unit_test(test_cp932_mappings),
      cmocka_unit_test(test_other_encodings),
      cmocka_unit_test(test_detection_edges),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
