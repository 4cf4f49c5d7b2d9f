/* Tests of jfts_common (the UTF-8 helpers every module reads text with, error texts, JftsBuf,
** jfts_mprintf / jfts_set_error, jfts_read_file, the allocator's hooks) and of icu_util's
** ICU error mapping. Decoding rows render each char as "U+XXXX/len", or "bad/len" for an
** ill-formed sequence (read as U+FFFD), so one string shows where every char starts. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "icu_util.h"
#include "jfts_common.h"
#include "test_util.h"

/* ---- UTF-8 ---- */

/* Input bytes (n_bytes given, so that NUL can be in them) and the chars jfts_utf8_next reads. */
static const struct {
  const char *name, *input;
  size_t n_bytes;
  const char *expect;
} k_utf8[] = {
    {"ASCII", "a~", 2, "U+0061/1|U+007E/1"},
    {"NUL", "\0a", 2, "U+0000/1|U+0061/1"},
    {"2 bytes", "\xC2\x80\xDF\xBF", 4, "U+0080/2|U+07FF/2"},
    {"3 bytes", "\xE3\x81\x82\xE0\xA0\x80\xEF\xBF\xBF", 9, "U+3042/3|U+0800/3|U+FFFF/3"},
    {"4 bytes", "\xF0\xA0\xAE\xB7\xF0\x90\x80\x80\xF4\x8F\xBF\xBF", 12,
     "U+20BB7/4|U+10000/4|U+10FFFF/4"},
    {"U+FFFD itself is well-formed", "\xEF\xBF\xBD", 3, "U+FFFD/3"},
    {"around the surrogates", "\xED\x9F\xBF\xEE\x80\x80", 6, "U+D7FF/3|U+E000/3"},
    {"stray continuation bytes", "\x80\xBF" "a", 3, "bad/1|bad/1|U+0061/1"},
    {"C0 and C1 are never lead bytes", "\xC0\x80\xC1\xBF", 4, "bad/1|bad/1|bad/1|bad/1"},
    {"F5 to FF are never lead bytes", "\xF5\x80\xFE\xFF", 4, "bad/1|bad/1|bad/1|bad/1"},
    {"overlong 3 bytes", "\xE0\x80\xAF", 3, "bad/1|bad/1|bad/1"},
    {"overlong 4 bytes", "\xF0\x8F\xBF\xBF", 4, "bad/1|bad/1|bad/1|bad/1"},
    {"surrogate", "\xED\xA0\x80", 3, "bad/1|bad/1|bad/1"},
    {"above U+10FFFF", "\xF4\x90\x80\x80", 4, "bad/1|bad/1|bad/1|bad/1"},
    {"3 bytes cut by the end", "\xE3\x81", 2, "bad/2"},
    {"4 bytes cut by the end", "a\xF0\xA0\xAE", 4, "U+0061/1|bad/3"},
    {"cut by a lead byte", "\xE3\x81\xE3\x81\x82", 5, "bad/2|U+3042/3"},
    {"cut by ASCII", "\xF0\xA0" "a\xC3", 4, "bad/2|U+0061/1|bad/1"},
    {"Japanese text", "地域 8050", 11,
     "U+5730/3|U+57DF/3|U+0020/1|U+0038/1|U+0030/1|U+0035/1|U+0030/1"},
};

static void render_next(const char *s, size_t n, char *out, size_t cap) {
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n;) {
    uint32_t cp = 0;
    size_t len = jfts_utf8_next(s + i, n - i, &cp);
    assert_true(len >= 1 && len <= 4 && len <= n - i);
    size_t valid = jfts_utf8_valid_len(s + i, n - i);
    if (valid == 0) {
      assert_int_equal(cp, JFTS_UTF8_REPLACEMENT);
      k += (size_t)snprintf(out + k, cap - k, "%sbad/%zu", i ? "|" : "", len);
    } else {
      assert_int_equal(valid, len);
      k += (size_t)snprintf(out + k, cap - k, "%sU+%04X/%zu", i ? "|" : "", (unsigned)cp, len);
    }
    assert_true(k < cap);
    i += len;
  }
}

static void test_utf8_next(void **state) {
  (void)state;
  char got[256];
  for (size_t i = 0; i < sizeof k_utf8 / sizeof k_utf8[0]; i++) {
    render_next(k_utf8[i].input, k_utf8[i].n_bytes, got, sizeof got);
    if (strcmp(got, k_utf8[i].expect) != 0) print_error("case '%s'\n", k_utf8[i].name);
    assert_string_equal(got, k_utf8[i].expect);
  }
}

/* Walking back with jfts_utf8_prev over well-formed text meets the same chars as walking
** forward; over ill-formed text it takes the bytes back to a non-continuation byte. */
static void test_utf8_prev(void **state) {
  (void)state;
  static const struct {
    const char *name, *input;
    size_t n_bytes;
    const char *expect; /* chars from the end, as "U+XXXX/len" */
  } cases[] = {
      {"mixed widths", "a\xC3\xA9\xE3\x81\x82\xF0\xA0\xAE\xB7", 10,
       "U+20BB7/4|U+3042/3|U+00E9/2|U+0061/1"},
      {"stray continuation bytes join the char before", "a\x80\x80", 3, "U+FFFD/3"},
      {"a cut char", "a\xE3\x81", 3, "U+FFFD/2|U+0061/1"},
      {"continuation bytes at the start", "\x80\x80", 2, "U+FFFD/2"},
      {"one byte", "x", 1, "U+0078/1"},
  };
  char got[128];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t k = 0;
    got[0] = '\0';
    for (size_t end = cases[i].n_bytes; end > 0;) {
      uint32_t cp = 0;
      size_t len = jfts_utf8_prev(cases[i].input, end, &cp);
      assert_true(len >= 1 && len <= end);
      k += (size_t)snprintf(got + k, sizeof got - k, "%sU+%04X/%zu", k ? "|" : "", (unsigned)cp,
                            len);
      end -= len;
    }
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
  /* Every well-formed row of the forward table, reversed. */
  for (size_t i = 0; i < sizeof k_utf8 / sizeof k_utf8[0]; i++) {
    const char *s = k_utf8[i].input;
    size_t n = k_utf8[i].n_bytes;
    if (strstr(k_utf8[i].expect, "bad") != NULL) continue;
    for (size_t end = n; end > 0;) {
      uint32_t back = 0, fwd = 0;
      size_t len = jfts_utf8_prev(s, end, &back);
      size_t len_fwd = jfts_utf8_next(s + end - len, len, &fwd);
      if (len_fwd != len || back != fwd) print_error("case '%s' at %zu\n", k_utf8[i].name, end);
      assert_int_equal(len_fwd, len);
      assert_int_equal(back, fwd);
      end -= len;
    }
  }
}

static void test_utf8_char_start_and_count(void **state) {
  (void)state;
  static const struct {
    const char *name, *input;
    size_t min_byte, at_byte, expect;
  } starts[] = {
      {"on a lead byte", "あい", 0, 3, 3},
      {"inside a char", "あい", 0, 5, 3},
      {"ASCII", "ab", 0, 1, 1},
      {"at the start", "\x80\x80", 0, 1, 0},
      {"not below min_byte", "\x80\x80\x80\x80\x80", 2, 4, 2},
      {"min_byte past a lead byte", "あい", 1, 2, 1},
  };
  for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
    size_t got = jfts_utf8_char_start(starts[i].input, starts[i].min_byte, starts[i].at_byte);
    if (got != starts[i].expect) print_error("char_start case '%s'\n", starts[i].name);
    assert_int_equal(got, starts[i].expect);
  }
  static const struct {
    const char *input;
    size_t expect;
  } counts[] = {{"", 0}, {"a", 1}, {"aあ\xF0\xA0\xAE\xB7", 3}, {"\x80\x80", 0}, {"\xE3\x81", 1}};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    size_t got = jfts_utf8_count(counts[i].input, strlen(counts[i].input));
    if (got != counts[i].expect) print_error("count of '%s'\n", counts[i].input);
    assert_int_equal(got, counts[i].expect);
  }
}

/* ---- messages ---- */

static void test_error_text(void **state) {
  (void)state;
  static const struct {
    int rc;
    const char *err, *expect;
  } cases[] = {
      {JFTS_ERR_NOMEM, NULL, "out of memory"},
      {JFTS_ERR_NOMEM, "cannot grow the index", "cannot grow the index"},
      {JFTS_ERR_IO, "cannot read 'a.txt'", "cannot read 'a.txt'"},
      {JFTS_ERR_IO, NULL, "internal error (code 2)"},
      {JFTS_ERR_SCHEMA, NULL, "internal error (code 7)"},
      {JFTS_OK, NULL, "internal error (code 0)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char buf[48];
    const char *got = jfts_error_text(cases[i].rc, cases[i].err, buf);
    if (strcmp(got, cases[i].expect) != 0) print_error("case %zu\n", i);
    assert_string_equal(got, cases[i].expect);
  }
}

static void test_mprintf_and_set_error(void **state) {
  (void)state;
  char *s = jfts_mprintf("%s:%d: %s", "a.txt", 12, "invalid UTF-8");
  assert_string_equal(s, "a.txt:12: invalid UTF-8");
  jfts_free(s);
  s = jfts_mprintf("%s", "");
  assert_string_equal(s, "");
  jfts_free(s);

  char *err = NULL;
  jfts_set_error(NULL, "ignored %d", 1); /* no place for a message: nothing happens */
  jfts_set_error(&err, "inner %s", "cause");
  jfts_set_error(&err, "outer %s", "context");
  assert_string_equal(err, "inner cause"); /* the first message stays */
  jfts_free(err);

  jfts_alloc_fail_after(0);
  s = jfts_mprintf("%d", 42);
  err = NULL;
  jfts_set_error(&err, "%d", 42);
  jfts_alloc_fail_after(-1);
  assert_null(s);
  assert_null(err);
  assert_int_equal(jfts_alloc_live(), 0);
}

/* ---- JftsBuf ---- */

static void test_parse_long(void **state) {
  (void)state;
  static const struct {
    const char *text;
    long min, max;
    const char *expect; /* the value, or "-" when refused */
  } cases[] = {
      {"0", 0, 10, "0"},
      {"10", 0, 10, "10"},
      {"007", 0, 10, "7"},
      {"11", 0, 10, "-"},
      {"0", 1, 64, "-"},
      {"", 0, 10, "-"},
      {"-1", 0, 10, "-"},
      {"+5", 0, 10, "-"},
      {" 5", 0, 10, "-"},
      {"5 ", 0, 10, "-"},
      {"5x", 0, 10, "-"},
      {"9223372036854775807", 0, LONG_MAX, "9223372036854775807"},
      {"9223372036854775808", 0, LONG_MAX, "-"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    long v = -42;
    char got[32];
    if (jfts_parse_long(cases[i].text, cases[i].min, cases[i].max, &v))
      snprintf(got, sizeof got, "%ld", v);
    else
      snprintf(got, sizeof got, "-%s", v == -42 ? "" : " (value changed)");
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case %zu '%s': got %s, expected %s", i, cases[i].text, got, cases[i].expect);
  }
}

static void test_grow(void **state) {
  (void)state;
  size_t cap = 0;
  int *v = jfts_grow(NULL, &cap, 1, sizeof *v);
  assert_non_null(v);
  assert_int_equal(cap, 8);
  v[7] = 7;
  int *same = jfts_grow(v, &cap, 8, sizeof *v);
  assert_ptr_equal(same, v); /* room enough: untouched */
  v = jfts_grow(v, &cap, 9, sizeof *v);
  assert_non_null(v);
  assert_int_equal(cap, 16);
  assert_int_equal(v[7], 7);
  v = jfts_grow(v, &cap, 100, sizeof *v);
  assert_non_null(v);
  assert_int_equal(cap, 128);
  /* A size that overflows, and a failed allocation, leave the array and cap as they were. */
  assert_null(jfts_grow(v, &cap, SIZE_MAX / 2, sizeof *v));
  assert_int_equal(cap, 128);
  jfts_alloc_fail_after(0);
  assert_null(jfts_grow(v, &cap, 129, sizeof *v));
  jfts_alloc_fail_after(-1);
  assert_int_equal(cap, 128);
  assert_int_equal(v[7], 7);
  jfts_free(v);
}

static void test_buf(void **state) {
  (void)state;
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  jfts_buf_add(&b, "", 0);
  assert_non_null(b.p);
  assert_string_equal(b.p, "");
  jfts_buf_add(&b, "地域包括xyz", 12); /* not NUL-terminated at 12 */
  assert_string_equal(b.p, "地域包括");
  char line[100];
  memset(line, 'x', sizeof line);
  for (int i = 0; i < 3; i++) jfts_buf_add(&b, line, sizeof line); /* grows past 64 twice */
  assert_int_equal(b.n, 12 + 3 * sizeof line);
  assert_int_equal(strlen(b.p), b.n);
  assert_true(b.cap > b.n);
  assert_int_equal(b.rc, JFTS_OK);
  jfts_buf_free(&b);
  assert_null(b.p);
  assert_int_equal(b.n, 0);
  jfts_buf_free(&b); /* twice is fine */

  /* A failed append sets rc; later appends do nothing, and freeing keeps rc. */
  jfts_buf_add(&b, "abc", 3);
  jfts_alloc_fail_after(0);
  jfts_buf_add(&b, line, sizeof line);
  jfts_alloc_fail_after(-1);
  assert_int_equal(b.rc, JFTS_ERR_NOMEM);
  assert_string_equal(b.p, "abc");
  jfts_buf_add(&b, "def", 3);
  assert_string_equal(b.p, "abc");
  assert_int_equal(b.n, 3);
  jfts_buf_free(&b);
  assert_int_equal(b.rc, JFTS_ERR_NOMEM);
  assert_int_equal(jfts_alloc_live(), 0);
}

/* ---- allocator hooks ---- */

static void test_alloc_hooks(void **state) {
  (void)state;
  long live = jfts_alloc_live();
  void *a = jfts_malloc(0); /* a real pointer even for 0 bytes */
  void *c = jfts_calloc(4, 8);
  char *d = jfts_strndup("abcdef", 3);
  assert_non_null(a);
  assert_non_null(c);
  assert_string_equal(d, "abc");
  assert_int_equal(jfts_alloc_live(), live + 3);
  a = jfts_realloc(a, 100); /* moves, but stays one allocation */
  assert_non_null(a);
  assert_int_equal(jfts_alloc_live(), live + 3);
  assert_null(jfts_strdup(NULL));
  jfts_free(NULL);
  jfts_free(a);
  jfts_free(c);
  jfts_free(d);
  assert_int_equal(jfts_alloc_live(), live);

  jfts_alloc_fail_after(2);
  void *ok1 = jfts_malloc(1);
  void *ok2 = jfts_strdup("x");
  void *no1 = jfts_calloc(1, 1);
  void *no2 = jfts_realloc(ok1, 10);
  jfts_alloc_fail_after(-1);
  assert_non_null(ok1);
  assert_non_null(ok2);
  assert_null(no1);
  assert_null(no2); /* a failed realloc leaves ok1 to the caller */
  jfts_free(ok1);
  jfts_free(ok2);
  assert_int_equal(jfts_alloc_live(), live);
}

/* ---- jfts_read_file ---- */

static void test_jfts_read_file(void **state) {
  (void)state;
  char dir[] = "/tmp/jfts_test_common_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  static const struct {
    const char *name;
    const char *bytes;
    size_t n_bytes;
  } files[] = {
      {"empty", "", 0},
      {"text with NUL", "地域\0包括\n", 14},
      {"one byte", "x", 1},
  };
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    snprintf(path, sizeof path, "%s/f%zu", dir, i);
    test_write_file(path, files[i].bytes, files[i].n_bytes);
    unsigned char *buf = NULL;
    size_t n = 99;
    int err = jfts_read_file(path, &buf, &n);
    if (err != 0 || n != files[i].n_bytes) print_error("file '%s'\n", files[i].name);
    assert_int_equal(err, 0);
    assert_non_null(buf);
    assert_int_equal(n, files[i].n_bytes);
    assert_memory_equal(buf, files[i].bytes, n);
    free(buf);
    unlink(path);
  }
  /* A file larger than one read, as st_size promised it. */
  size_t big_n = 3u << 20;
  char *big = malloc(big_n);
  assert_non_null(big);
  for (size_t i = 0; i < big_n; i++) big[i] = (char)(i * 7u);
  snprintf(path, sizeof path, "%s/big", dir);
  test_write_file(path, big, big_n);
  unsigned char *buf = NULL;
  size_t n = 0;
  assert_int_equal(jfts_read_file(path, &buf, &n), 0);
  assert_int_equal(n, big_n);
  assert_memory_equal(buf, big, big_n);
  free(buf);
  free(big);
  unlink(path);

  static const struct {
    const char *name, *suffix;
    int err;
  } errors[] = {{"directory", "", EISDIR}, {"missing", "/missing", ENOENT}};
  for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
    snprintf(path, sizeof path, "%s%s", dir, errors[i].suffix);
    buf = (unsigned char *)"not reset";
    n = 99;
    int err = jfts_read_file(path, &buf, &n);
    if (err != errors[i].err) print_error("case '%s': %s\n", errors[i].name, strerror(err));
    assert_int_equal(err, errors[i].err);
    assert_null(buf);
    assert_int_equal(n, 0);
  }
  /* Special files are refused without blocking (a FIFO with no writer would hang a plain
  ** open) and without reading (/dev/zero never ends); limits count the bytes. */
  snprintf(path, sizeof path, "%s/fifo", dir);
  assert_int_equal(mkfifo(path, 0600), 0);
  static const struct {
    const char *name, *path;
    size_t max;
    int err;
  } special[] = {
      {"FIFO", NULL, SIZE_MAX, JFTS_ENOTREG},
      {"char device", "/dev/zero", SIZE_MAX, JFTS_ENOTREG},
      {"over the limit", JFTS_DEFAULT_THESAURUS, 100, EFBIG},
      {"at the limit", JFTS_DEFAULT_THESAURUS, 0, 0}, /* max filled in: the file's size */
  };
  struct stat st;
  assert_int_equal(stat(JFTS_DEFAULT_THESAURUS, &st), 0);
  for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
    size_t max = special[i].max ? special[i].max : (size_t)st.st_size;
    buf = (unsigned char *)"not reset";
    n = 99;
    int err = jfts_read_file_max(special[i].path ? special[i].path : path, max, &buf, &n);
    if (err != special[i].err) print_error("case '%s': %s\n", special[i].name, jfts_strerror(err));
    assert_int_equal(err, special[i].err);
    if (err == 0) {
      assert_int_equal(n, (size_t)st.st_size);
      free(buf);
    } else {
      assert_null(buf);
      assert_int_equal(n, 0);
    }
  }
  assert_string_equal(jfts_strerror(JFTS_ENOTREG), "not a regular file");
  assert_string_equal(jfts_strerror(EFBIG), "file too large");
  int fd = 99;
  assert_int_equal(jfts_open_regular(path, &fd, NULL), JFTS_ENOTREG);
  assert_int_equal(fd, -1);
  assert_int_equal(unlink(path), 0);
  assert_int_equal(rmdir(dir), 0);
  assert_int_equal(jfts_alloc_live(), 0);
}

/* ---- ICU error mapping ---- */

static void test_icu_error(void **state) {
  (void)state;
  static const struct {
    UErrorCode status;
    const char *fn;
    int rc;
    const char *expect; /* NULL: no message */
  } cases[] = {
      {U_MEMORY_ALLOCATION_ERROR, "unorm2_normalize", JFTS_ERR_NOMEM, NULL},
      {U_MISSING_RESOURCE_ERROR, "ubrk_open", JFTS_ERR_ICU, "ubrk_open: U_MISSING_RESOURCE_ERROR"},
      {U_ILLEGAL_ARGUMENT_ERROR, "ucol_strcollUTF8", JFTS_ERR_ICU,
       "ucol_strcollUTF8: U_ILLEGAL_ARGUMENT_ERROR"},
      {U_BUFFER_OVERFLOW_ERROR, "ucnv_toUnicode", JFTS_ERR_ICU,
       "ucnv_toUnicode: U_BUFFER_OVERFLOW_ERROR"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *err = NULL;
    int rc = jfts_icu_error(cases[i].status, cases[i].fn, &err);
    if (rc != cases[i].rc) print_error("case %zu (%s)\n", i, cases[i].fn);
    assert_int_equal(rc, cases[i].rc);
    if (cases[i].expect == NULL) {
      assert_null(err);
    } else {
      assert_non_null(err);
      assert_string_equal(err, cases[i].expect);
    }
    jfts_free(err);
    assert_int_equal(jfts_icu_error(cases[i].status, cases[i].fn, NULL), cases[i].rc);
  }
  /* A message already there is the innermost cause: it stays. */
  char *err = jfts_strdup("first");
  assert_int_equal(jfts_icu_error(U_INVALID_FORMAT_ERROR, "ubrk_setText", &err), JFTS_ERR_ICU);
  assert_string_equal(err, "first");
  jfts_free(err);
  assert_int_equal(jfts_alloc_live(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_next),
      cmocka_unit_test(test_utf8_prev),
      cmocka_unit_test(test_utf8_char_start_and_count),
      cmocka_unit_test(test_error_text),
      cmocka_unit_test(test_mprintf_and_set_error),
      cmocka_unit_test(test_parse_long),
      cmocka_unit_test(test_grow),
      cmocka_unit_test(test_buf),
      cmocka_unit_test(test_alloc_hooks),
      cmocka_unit_test(test_jfts_read_file),
      cmocka_unit_test(test_icu_error),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
