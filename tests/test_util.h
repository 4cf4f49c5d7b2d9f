/* Helpers shared by the unit tests, kept here so that each test file does not carry its own
** copy. Include after <cmocka.h> (the helpers fail the running test through cmocka), and
** only from files that use every helper: they are static, one copy per test program. */
#ifndef JFTS_TEST_UTIL_H
#define JFTS_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

/* The whole file at path in a new malloc'ed buffer with a NUL after the last byte (so text
** fixtures can be used as C strings); its length without the NUL in *n_out. Fails the test
** when the file cannot be opened or read in full. */
static char *test_read_file(const char *path, size_t *n_out) {
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

#endif
