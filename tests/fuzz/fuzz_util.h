/* Helpers shared by the fuzz harnesses: the libFuzzer entry point's prototype, a failure
** that every driver (libFuzzer, the replay driver, a sanitizer) reports as a crash, and a
** strict UTF-8 checker that does not share code with the modules under test. */
#ifndef JFTS_FUZZ_UTIL_H
#define JFTS_FUZZ_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, then abort so that libFuzzer saves the input as a crash. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2), noreturn))
#endif
static inline void fuzz_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("jfts fuzz: invariant broken: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  fflush(stderr);
  abort();
}

#define FUZZ_CHECK(cond, ...) \
  do {                        \
    if (!(cond)) fuzz_fail(__VA_ARGS__); \
  } while (0)

/* Length of the well-formed UTF-8 sequence at s[0..n) (1 to 4), or 0 when it is ill-formed:
** overlongs, surrogates, code points above U+10FFFF and truncated sequences are rejected. */
static inline size_t fuzz_utf8_len(const unsigned char *s, size_t n, uint32_t *cp_out) {
  unsigned c = s[0];
  size_t len;
  uint32_t cp, min;
  *cp_out = 0;
  if (c < 0x80) {
    *cp_out = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  *cp_out = cp;
  return len;
}

/* Offset of the first ill-formed byte, or n when s is well-formed UTF-8. */
static inline size_t fuzz_utf8_invalid_at(const unsigned char *s, size_t n) {
  size_t i = 0;
  uint32_t cp;
  while (i < n) {
    size_t len = fuzz_utf8_len(s + i, n - i, &cp);
    if (len == 0) return i;
    i += len;
  }
  return n;
}

/* 1 when byte offset i of well-formed UTF-8 s (n bytes) starts a character or is n. */
static inline int fuzz_utf8_boundary(const unsigned char *s, size_t n, size_t i) {
  return i == n || (i < n && (s[i] & 0xC0) != 0x80);
}

#endif
