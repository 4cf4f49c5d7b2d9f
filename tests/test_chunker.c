/* Tests of the chunker (indexer/chunker.c): where chunker_cut ends a piece (a PDF block end or
** a blank line in the buffer's second half, else its last line break, else a line break in
** the first half, else a UTF-8 character boundary; never between CR and LF), and that the
** pieces chunker_next hands out put the file back together with the right offsets and lines. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chunker.h"
#include "jfts_common.h"
#include "test_util.h"

/* Each input is cut once; expect is the input with '|' where the cut falls. */
static const struct {
  const char *name, *input, *expect;
} cut_cases[] = {
    /* A line ending in a space (pdftotext's block end) wins over a later plain break. */
    {"block end (space)", "xxxxxxxx\nyyyy \nzz\nw", "xxxxxxxx\nyyyy \n|zz\nw"},
    {"block end (tab)", "xxxxxxxx\nyyyy\t\nzz\nw", "xxxxxxxx\nyyyy\t\n|zz\nw"},
    /* Before a blank line: the next piece starts with it. */
    {"blank line", "xxxxxxxx\nyyyy\n\nzz\nw", "xxxxxxxx\nyyyy\n|\nzz\nw"},
    /* No block end: the last line break of the second half. */
    {"last line break", "xxxxxxxx\nyyyy\nzz\nw", "xxxxxxxx\nyyyy\nzz\n|w"},
    /* CRLF is one line end: the cut goes after the LF, never between. */
    {"CRLF block end", "xxxxxxxx\r\nyy \r\nzz", "xxxxxxxx\r\nyy \r\n|zz"},
    {"CRLF not split", "xxxxxxxxxx\r\nab", "xxxxxxxxxx\r\n|ab"},
    {"lone CR", "xxxxxxxx\ryy", "xxxxxxxx\r|yy"},
    /* The second half has no line break: the last one of the first half. */
    {"break in first half", "ab\nxxxxxxxxxx", "ab\n|xxxxxxxxxx"},
    /* One huge line: before the last character, which may be incomplete. */
    {"one ASCII line", "abcdefgh", "abcdefg|h"},
    {"one line, whole char", "あいう", "あい|う"},
    {"one line, cut char", "あい\xe3\x81", "あい|\xe3\x81"},
    /* Nothing to cut at: the whole buffer. */
    {"one char", "あ", "あ|"},
};

static void test_cut(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cut_cases / sizeof cut_cases[0]; i++) {
    const char *in = cut_cases[i].input;
    size_t n = strlen(in);
    size_t cut = chunker_cut((const unsigned char *)in, n);
    if (cut == 0 || cut > n) fail_msg("%s: cut %zu of %zu bytes", cut_cases[i].name, cut, n);
    char got[64];
    snprintf(got, sizeof got, "%.*s|%s", (int)cut, in, in + cut);
    if (strcmp(got, cut_cases[i].expect) != 0)
      fail_msg("%s: got \"%s\", expected \"%s\"", cut_cases[i].name, got, cut_cases[i].expect);
  }
}

/* Lines of varying length, some ending in a space, with CRLF and a few Japanese characters:
** pieces of 4096 bytes reassemble to the file, start where the last one ended, know their
** first line, and (but the last) end at a line end. */
static void test_pieces(void **state) {
  (void)state;
  char dir[] = "/tmp/jfts-chunker-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/f.txt", dir);
  size_t n_file = 0, cap = 40000;
  char *file = malloc(cap);
  assert_non_null(file);
  for (int k = 0; n_file + 200 < cap; k++)
    n_file += (size_t)snprintf(file + n_file, cap - n_file, "行%d %.*s%s", k, k % 97,
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                               "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                               k % 7 == 0 ? " \r\n" : "\n");
  test_write_file(path, file, n_file);

  Chunker *ch = NULL;
  assert_int_equal(chunker_open(path, 4096, &ch), 0);
  const unsigned char *bytes;
  size_t n, done = 0;
  uint64_t off;
  int line, n_pieces = 0, lines_before = 1;
  while (chunker_next(ch, &bytes, &n, &off, &line) == 0 && n > 0) {
    n_pieces++;
    assert_int_equal(off, done);
    assert_int_equal(line, lines_before);
    assert_memory_equal(bytes, file + done, n);
    assert_true(n <= 4096);
    if (!chunker_at_end(ch)) assert_int_equal(bytes[n - 1], '\n');
    for (size_t i = 0; i < n; i++) lines_before += bytes[i] == '\n';
    done += n;
  }
  assert_int_equal(done, n_file);
  assert_true(n_pieces >= 10);
  chunker_close(ch);
  unlink(path);
  rmdir(dir);
  free(file);
}

/* chunker_keep hands the rest of a piece out again at the start of the next one. */
static void test_keep(void **state) {
  (void)state;
  char dir[] = "/tmp/jfts-chunker-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char path[64];
  snprintf(path, sizeof path, "%s/f.txt", dir);
  char file[10000];
  for (size_t i = 0; i < sizeof file; i++) file[i] = i % 50 == 49 ? '\n' : 'a';
  test_write_file(path, file, sizeof file);
  Chunker *ch = NULL;
  assert_int_equal(chunker_open(path, 4096, &ch), 0);
  const unsigned char *bytes;
  size_t n;
  uint64_t off;
  int line;
  assert_int_equal(chunker_next(ch, &bytes, &n, &off, &line), 0);
  assert_true(n > 100);
  chunker_keep(ch, 100); /* two lines */
  assert_int_equal(chunker_next(ch, &bytes, &n, &off, &line), 0);
  assert_int_equal(off, 100);
  assert_int_equal(line, 3);
  assert_memory_equal(bytes, file + 100, n);
  chunker_close(ch);
  unlink(path);
  rmdir(dir);
}

static void test_open_missing(void **state) {
  (void)state;
  Chunker *ch = (Chunker *)1;
  assert_int_equal(chunker_open("/nonexistent/jfts/f.txt", 4096, &ch), ENOENT);
  assert_null(ch);
  chunker_close(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cut),
      cmocka_unit_test(test_pieces),
      cmocka_unit_test(test_keep),
      cmocka_unit_test(test_open_missing),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
