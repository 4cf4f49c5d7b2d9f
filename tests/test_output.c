/* Tests of the row writers and text helpers (query/output.c): exact bytes for every format,
** including the characters each format must escape, Japanese text and invalid UTF-8. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "output.h"

typedef struct Val {
  char kind; /* 's' string, 'i' integer, 'n' null, 'j' raw JSON; 0 ends a row */
  const char *s;
  int64_t i;
} Val;

#define S(x) {'s', x, 0}
#define I(x) {'i', NULL, x}
#define NUL {'n', NULL, 0}
#define J(x) {'j', x, 0}

#define BOM "\xEF\xBB\xBF"
#define FFFD "\xEF\xBF\xBD"

static const struct {
  const char *name;
  OutFormat format;
  const char *fields[4];
  size_t n_fields;
  Val rows[3][5];
  size_t n_rows;
  const char *expect;
} cases[] = {
    {"json types", OUT_JSON, {"a", "b", "c", "d"}, 4,
     {{S("x"), I(42), NUL, J("[1,{\"k\":null}]")}, {S(""), I(-7), S("null"), NUL}}, 2,
     "{\"a\":\"x\",\"b\":42,\"c\":null,\"d\":[1,{\"k\":null}]}\n"
     "{\"a\":\"\",\"b\":-7,\"c\":\"null\",\"d\":null}\n"},
    {"json escapes", OUT_JSON, {"text"}, 1,
     {{S("say \"hi\" \\ back\nline\ttab\r\b\f")}, {S("\x01\x1f\x7f end")}}, 2,
     "{\"text\":\"say \\\"hi\\\" \\\\ back\\nline\\ttab\\r\\b\\f\"}\n"
     "{\"text\":\"\\u0001\\u001f\\u007f end\"}\n"},
    {"json japanese", OUT_JSON, {"ward", "年度"}, 2,
     {{S("青葉区"), S("令和3年度「8050 問題」…𠮷")}}, 1,
     "{\"ward\":\"青葉区\",\"年度\":\"令和3年度「8050 問題」…𠮷\"}\n"},
    {"json invalid utf8", OUT_JSON, {"t"}, 1,
     {{S("a\xff" "b\xe3\x81")}, {S("\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe3\x81\x82")}}, 2,
     "{\"t\":\"a" FFFD "b" FFFD FFFD "\"}\n"
     "{\"t\":\"" FFFD FFFD "|" FFFD FFFD FFFD "|" FFFD FFFD FFFD FFFD "|あ\"}\n"},
    {"json no rows", OUT_JSON, {"a"}, 1, {{NUL}}, 0, ""},
    {"csv quoting", OUT_CSV, {"ward", "count", "text"}, 3,
     {{S("泉区"), I(3), S("a, b")},
      {S("say \"hi\""), NUL, S("two\nlines")},
      {S("cr\r"), I(0), S("plain\ttab")}},
     3,
     BOM "ward,count,text\r\n"
         "泉区,3,\"a, b\"\r\n"
         "\"say \"\"hi\"\"\",,\"two\nlines\"\r\n"
         "\"cr\r\",0,plain\ttab\r\n"},
    {"csv header only", OUT_CSV, {"a", "b,c"}, 2, {{NUL}}, 0, BOM "a,\"b,c\"\r\n"},
    {"csv raw json is text", OUT_CSV, {"j"}, 1, {{J("{\"a\":1}")}}, 1,
     BOM "j\r\n\"{\"\"a\"\":1}\"\r\n"},
    {"tsv escapes", OUT_TSV, {"a", "b"}, 2,
     {{S("tab\there"), S("new\nline\r")}, {S("back\\slash"), NUL}, {S("太白区 \"q\", c"), I(12)}},
     3,
     "a\tb\n"
     "tab\\there\tnew\\nline\\r\n"
     "back\\\\slash\t\n"
     "太白区 \"q\", c\t12\n"},
    {"tsv invalid utf8", OUT_TSV, {"a"}, 1, {{S("x\x80y")}}, 1, "a\nx" FFFD "y\n"},
};

static char *render(size_t ci, int *row_rc) {
  char *buf = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&buf, &n);
  assert_non_null(fp);
  OutWriter *w = NULL;
  char *err = NULL;
  int rc = out_open(fp, cases[ci].format, cases[ci].fields, cases[ci].n_fields, &w, &err);
  assert_int_equal(rc, JFTS_OK);
  *row_rc = JFTS_OK;
  for (size_t r = 0; r < cases[ci].n_rows; r++) {
    for (const Val *v = cases[ci].rows[r]; v->kind; v++) {
      switch (v->kind) {
        case 's': out_str(w, v->s); break;
        case 'i': out_int(w, v->i); break;
        case 'n': out_null(w); break;
        case 'j': out_json(w, v->s); break;
        default: fail();
      }
    }
    int rc2 = out_row_end(w);
    if (rc2 != JFTS_OK) *row_rc = rc2;
  }
  out_close(w);
  fclose(fp);
  return buf;
}

static void test_formats(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int row_rc;
    char *got = render(i, &row_rc);
    if (strcmp(got, cases[i].expect) != 0 || row_rc != JFTS_OK)
      print_error("case '%s' (row rc %d)\n", cases[i].name, row_rc);
    assert_int_equal(row_rc, JFTS_OK);
    assert_string_equal(got, cases[i].expect);
    free(got);
  }
  assert_int_equal(jfts_alloc_live(), 0);
}

/* A writer of the fields "a" and "b" into memory, for the row-width tests. */
typedef struct MemOut {
  char *buf; /* what was written (open_memstream's; free() it after mem_close) */
  size_t n;
  FILE *fp;
  OutWriter *w;
} MemOut;

static OutWriter *mem_open(MemOut *m, OutFormat format) {
  static const char *const fields[] = {"a", "b"};
  m->buf = NULL;
  m->n = 0;
  m->w = NULL;
  m->fp = open_memstream(&m->buf, &m->n);
  assert_non_null(m->fp);
  assert_int_equal(out_open(m->fp, format, fields, 2, &m->w, NULL), JFTS_OK);
  return m->w;
}

static void mem_close(MemOut *m) {
  out_close(m->w);
  assert_int_equal(fclose(m->fp), 0);
}

/* A row with the wrong number of values is reported, and the JSON line stays parsable. */
static void test_wrong_row_width(void **state) {
  (void)state;
  MemOut m;
  OutWriter *w = mem_open(&m, OUT_JSON);
  out_int(w, 1);
  assert_int_equal(out_row_end(w), JFTS_ERR_USAGE);
  out_int(w, 1);
  out_int(w, 2);
  out_int(w, 3);
  assert_int_equal(out_row_end(w), JFTS_ERR_USAGE);
  out_int(w, 4);
  out_int(w, 5);
  assert_int_equal(out_row_end(w), JFTS_OK);
  mem_close(&m);
  assert_string_equal(m.buf, "{\"a\":1}\n{\"a\":1,\"b\":2}\n{\"a\":4,\"b\":5}\n");
  free(m.buf);
}

/* out_row_end_lenient: a wrong row is noted and the listing goes on; a good row leaves the
** note as it is. */
static void test_row_end_lenient(void **state) {
  (void)state;
  MemOut m;
  OutWriter *w = mem_open(&m, OUT_TSV);
  int bad = 0;
  out_int(w, 1);
  out_int(w, 2);
  assert_int_equal(out_row_end_lenient(w, &bad), JFTS_OK);
  assert_int_equal(bad, 0);
  out_int(w, 3);
  assert_int_equal(out_row_end_lenient(w, &bad), JFTS_OK);
  assert_int_equal(bad, 1);
  out_int(w, 4);
  out_int(w, 5);
  assert_int_equal(out_row_end_lenient(w, &bad), JFTS_OK);
  assert_int_equal(bad, 1);
  mem_close(&m);
  assert_string_equal(m.buf, "a\tb\n1\t2\n3\n4\t5\n");
  free(m.buf);
}

static void test_open_errors(void **state) {
  (void)state;
  const char *fields[] = {"a"};
  OutWriter *w = NULL;
  char *err = NULL;
  assert_int_equal(out_open(stdout, OUT_TEXT, fields, 1, &w, &err), JFTS_ERR_USAGE);
  assert_null(w);
  assert_string_equal(err, "the text format has no row writer");
  jfts_free(err);

  /* A stream that cannot be written: the error shows at the first write. */
  FILE *ro = fopen("/dev/null", "r");
  assert_non_null(ro);
  err = NULL;
  assert_int_equal(out_open(ro, OUT_TSV, fields, 1, &w, &err), JFTS_ERR_IO);
  assert_string_equal(err, "cannot write output");
  jfts_free(err);
  assert_int_equal(out_open(ro, OUT_JSON, fields, 1, &w, NULL), JFTS_OK);
  out_str(w, "x");
  assert_int_equal(out_row_end(w), JFTS_ERR_IO);
  out_close(w);
  fclose(ro);

  /* Out of memory at each allocation of out_open: no leak, no writer. */
  for (long k = 0; k < 3; k++) {
    jfts_alloc_fail_after(k);
    w = (OutWriter *)1;
    assert_int_equal(out_open(stdout, OUT_JSON, fields, 1, &w, NULL), JFTS_ERR_NOMEM);
    jfts_alloc_fail_after(-1);
    assert_null(w);
  }
  assert_int_equal(jfts_alloc_live(), 0);
}

static void test_parse_format(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int rc;
    OutFormat format;
  } fmts[] = {{"text", JFTS_OK, OUT_TEXT}, {"json", JFTS_OK, OUT_JSON},
              {"jsonl", JFTS_OK, OUT_JSON}, {"csv", JFTS_OK, OUT_CSV},
              {"tsv", JFTS_OK, OUT_TSV},   {"JSON", JFTS_ERR_USAGE, OUT_TEXT},
              {"", JFTS_ERR_USAGE, OUT_TEXT}};
  for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
    OutFormat f = OUT_TEXT;
    int rc = out_parse_format(fmts[i].name, &f);
    if (rc != fmts[i].rc || f != fmts[i].format) print_error("format '%s'\n", fmts[i].name);
    assert_int_equal(rc, fmts[i].rc);
    assert_int_equal(f, fmts[i].format);
  }
}

static void test_want_color(void **state) {
  (void)state;
  char *buf = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&buf, &n);
  unsetenv("NO_COLOR");
  assert_int_equal(out_want_color(fp), 0); /* not a terminal */
  fclose(fp);
  free(buf);
  FILE *tty = fopen("/dev/tty", "w");
  if (tty) { /* only when the tests run on a terminal */
    assert_int_equal(out_want_color(tty), 1);
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(out_want_color(tty), 0);
    setenv("NO_COLOR", "", 1);
    assert_int_equal(out_want_color(tty), 1);
    unsetenv("NO_COLOR");
    fclose(tty);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_formats),     cmocka_unit_test(test_wrong_row_width),
      cmocka_unit_test(test_open_errors), cmocka_unit_test(test_parse_format),
      cmocka_unit_test(test_want_color),  cmocka_unit_test(test_row_end_lenient),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
