/* Character helpers shared by the structure module's two files (structure.c, the line
** recognisers; structure_doc.c, the document fields): UTF-8 decoding at a byte offset, digits
** ASCII or full-width, kanji, the spaces repair.h knows, byte-string search. Internal. */
#ifndef JFTS_STRUCTURE_CHARS_H
#define JFTS_STRUCTURE_CHARS_H

#include <stdint.h>
#include <string.h>

#include "jfts_common.h"
#include "repair.h"

/* The code point at byte i of s (n bytes), its length in *len_out (may be NULL); 0 past n. */
static inline uint32_t st_char_at(const char *s, size_t n, size_t i, size_t *len_out) {
  uint32_t c = 0;
  size_t len = i < n ? jfts_utf8_next(s + i, n - i, &c) : 0;
  if (len_out) *len_out = len;
  return c;
}

/* 0-9 for an ASCII or full-width digit, else -1. */
static inline int st_digit_value(uint32_t c) {
  if (c >= '0' && c <= '9') return (int)(c - '0');
  if (c >= 0xFF10 && c <= 0xFF19) return (int)(c - 0xFF10);
  return -1;
}

static inline int st_is_kanji(uint32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || c == 0x3005; }

/* The first byte at or after i that is not a space (repair_is_space), or n. */
static inline size_t st_skip_spaces(const char *s, size_t i, size_t n) {
  size_t len;
  while (i < n && repair_is_space(st_char_at(s, n, i, &len))) i += len;
  return i;
}

/* 1 when s (n bytes) holds p at byte i. */
static inline int st_has_prefix(const char *s, size_t n, size_t i, const char *p) {
  size_t m = strlen(p);
  return i <= n && n - i >= m && memcmp(s + i, p, m) == 0;
}

/* The first needle in s (n bytes), or NULL. */
static inline const char *st_find_in(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(s + i, needle, m) == 0) return s + i;
  return NULL;
}

#endif
