/* Helpers shared by the unit tests, kept here so that each test file does not carry its own
** copy. Include after <cmocka.h> (the helpers fail the running test through cmocka). They
** are static inline: one copy per test program, no warning for the ones a file leaves out. */
#ifndef JFTS_TEST_UTIL_H
#define JFTS_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The whole file at path in a new malloc'ed buffer with a NUL after the last byte (so text
** fixtures can be used as C strings); its length without the NUL in *n_out. Fails the test
** when the file cannot be opened or read in full. */
static inline char *test_read_file(const char *path, size_t *n_out) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) fail_msg("cannot open %s", path);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  long n = ftell(f);
  assert_true(n >= 0);
  rewind(f);
  char *buf = malloc((size_t)n + 1);
  assert_non_null(buf);
  assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
  buf[n] = '\0';
  fclose(f);
  *n_out = (size_t)n;
  return buf;
}

/* Fills buf (n bytes) with a new path /tmp/jfts_test_<name>_XXXXXX for a test database: the
** name is made unique by mkstemp, then the file is removed, so that store_open creates the
** database there (the caller unlinks it when done). Fails the test when no name fits or
** mkstemp fails. */
static inline void test_temp_db(char *buf, size_t n, const char *name) {
  int len = snprintf(buf, n, "/tmp/jfts_test_%s_XXXXXX", name);
  assert_true(len > 0 && (size_t)len < n);
  int fd = mkstemp(buf);
  if (fd < 0) fail_msg("mkstemp %s failed", buf);
  close(fd);
  unlink(buf);
}

/* Writes n bytes to a new file at path (replacing it); fails the test on any error. */
static inline void test_write_file(const char *path, const void *bytes, size_t n) {
  FILE *f = fopen(path, "wb");
  if (f == NULL) fail_msg("cannot create %s", path);
  assert_int_equal(fwrite(bytes, 1, n, f), n);
  assert_int_equal(fclose(f), 0);
}

/* A TokCallback (tokenizer.h) counting FTS5 positions into the int at ctx: colocated tokens
** share one, as in FTS5's column sizes. */
static inline int test_count_positions(void *ctx, int colocated, const char *token, int n_token,
                                       int start, int end) {
  (void)token;
  (void)n_token;
  (void)start;
  (void)end;
  if (!colocated) (*(int *)ctx)++;
  return 0;
}

/* The next number of a xorshift64 generator whose state is *state (never 0): random inputs
** that a seed reproduces. */
static inline uint64_t test_rng_next(uint64_t *state) {
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state;
}

#endif
