/* Shared return codes, version strings and the allocator every library module uses.
** One allocator (jfts_malloc & co.) exists so that tests can make the Nth allocation fail
** and check that each caller cleans up (issue: hardening). Code that runs inside SQLite
** (tokenizer callbacks) uses sqlite3_malloc64 instead, as SQLite expects. */
#ifndef JFTS_COMMON_H
#define JFTS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define JFTS_VERSION "0.1.0"
/* Bumped whenever tokens for the same text change; stored in each index so that an index
** built by another tokenizer version is rebuilt rather than silently mis-queried. */
#define JFTS_TOKENIZER_VERSION 3
/* Database schema version, kept in PRAGMA user_version. 4: segment maps as varint steps
** (store_segs_pack); a new index also gets 8 KiB pages (an upgraded one keeps its own). */
#define JFTS_SCHEMA_VERSION 4

typedef enum JftsRc {
  JFTS_OK = 0,
  JFTS_ERR_NOMEM,   /* an allocation failed */
  JFTS_ERR_IO,      /* cannot read or write a file */
  JFTS_ERR_INPUT,   /* the input is malformed (encoding, binary, ...) */
  JFTS_ERR_USAGE,   /* the caller asked for something invalid */
  JFTS_ERR_DB,      /* SQLite reported an error */
  JFTS_ERR_ICU,     /* ICU reported an error other than out-of-memory */
  JFTS_ERR_SCHEMA   /* a database from a newer schema, or not a jfts database */
} JftsRc;

void *jfts_malloc(size_t n_bytes);
void *jfts_calloc(size_t n, size_t size);
void *jfts_realloc(void *p, size_t n_bytes);
void jfts_free(void *p);
char *jfts_strdup(const char *s);
char *jfts_strndup(const char *s, size_t n_bytes);

/* Makes room for at least `need` items of item_size bytes in the jfts_malloc'ed array items
** (NULL when empty) that holds *cap_inout: doubles the capacity (from 8), or jumps to need.
** Returns the array, perhaps moved, with *cap_inout updated; or NULL when out of memory
** (also when the size overflows), with items and *cap_inout as they were. The growth rule of
** the arrays that a module appends to item by item. */
void *jfts_grow(void *items, size_t *cap_inout, size_t need, size_t item_size);

/* Formats a message into a new jfts_malloc'ed string; returns NULL when out of memory. */
char *jfts_mprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Sets *err_out (when err_out is not NULL and *err_out is NULL) to a formatted message.
** Keeps the first message: the innermost cause is the most precise one. */
void jfts_set_error(char **err_out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* The message to show for a failed call that returned rc with the optional message err:
** err itself when there is one, "out of memory" for JFTS_ERR_NOMEM, and otherwise
** "internal error (code N)" written into buf (which must hold 48 bytes). Never claims an
** allocation failed unless rc says so. */
const char *jfts_error_text(int rc, const char *err, char buf[48]);

/* Parses text as a decimal number in [min, max] (min >= 0): digits only, no sign, space or
** other trailing text, and nothing past LONG_MAX. Returns 1 with *value_out set, or 0 (and
** *value_out untouched) when text is not such a number. The one number parser of the
** programs' options and of jfts-serve's request parameters. */
int jfts_parse_long(const char *text, long min, long max, long *value_out);
/* The same for a decimal number with an optional fraction ("1.5"): digits first, no sign,
** space or trailing text. Returns 1 with *value_out set, or 0 (*value_out untouched). */
int jfts_parse_double(const char *text, double min, double max, double *value_out);

/* A growing string with a sticky error code, shared by the modules that build text piece by
** piece (FTS5 MATCH strings, KWIC lines, snippets). Start from JftsBuf b = {NULL, 0, 0, JFTS_OK}.
** Once an append fails, rc is JFTS_ERR_NOMEM and later appends do nothing, so callers check
** rc once at the end. p is NULL until the first append, then always NUL-terminated; it is
** jfts_malloc'ed and the caller may take it over (then set p to NULL) or release it with
** jfts_buf_free. */
typedef struct JftsBuf {
  char *p;      /* the text, NUL-terminated; NULL before the first append */
  size_t n;     /* bytes used, without the NUL */
  size_t cap;   /* bytes allocated */
  int rc;       /* JFTS_OK, or JFTS_ERR_NOMEM after a failed append */
} JftsBuf;

/* Appends n_bytes of text (which need not be NUL-terminated); even n_bytes == 0 makes p a
** valid string. Does nothing once b->rc is set. */
void jfts_buf_add(JftsBuf *b, const char *text, size_t n_bytes);
/* Frees b->p (NULL is fine) and resets b to the empty state; b->rc is kept. */
void jfts_buf_free(JftsBuf *b);

/* ---- reading files ----
** Every file jfts reads by name (documents, sidecars, the thesaurus, --queries, PDFs) is opened
** through jfts_open_regular: opened with O_NONBLOCK, so that a FIFO or a device never blocks
** the open, then checked with fstat on the descriptor itself (no window between a check and
** the open in which the path could change). Standard input ("-") is read as it is, on purpose. */

/* Not an errno value: the path names a FIFO, a device or a socket (jfts_strerror says "not a
** regular file"). Positive and above every errno, so that callers can keep `if (os_err)`. */
#define JFTS_ENOTREG 4096

/* Limits on what jfts reads whole, by kind of file (documented in the README's bad-input
** table). Documents have none: a large one is read in pieces (chunker.h). */
#define JFTS_SIDECAR_MAX_BYTES ((size_t)64 << 10)    /* a NAME.meta sidecar: 64 KiB */
#define JFTS_THESAURUS_MAX_BYTES ((size_t)4 << 20)   /* a thesaurus file: 4 MiB */

/* strerror(os_err), but "not a regular file" for JFTS_ENOTREG and "file too large" for
** EFBIG (what jfts_read_file_max returns over its limit). */
const char *jfts_strerror(int os_err);

/* Opens path read-only for a regular file: *fd_out is a descriptor in blocking mode (close
** it with close()) and, when size_out is not NULL, *size_out the file's size. Returns 0, or an
** errno value (EISDIR for a directory, JFTS_ENOTREG for anything else that is not a regular
** file) with *fd_out -1. */
int jfts_open_regular(const char *path, int *fd_out, int64_t *size_out);

/* Reads the whole regular file at path (jfts_open_regular) into a new buffer (malloc'ed:
** free it with free(), it is the raw input and never counted by the allocation hooks), even if
** the file grows while it is read. Returns 0 with *buf_out and *n_out set, or an errno value
** (EISDIR, JFTS_ENOTREG, ENOMEM, ...) with *buf_out NULL. */
int jfts_read_file(const char *path, unsigned char **buf_out, size_t *n_out);
/* jfts_read_file, refusing with EFBIG a file that holds more than max_bytes (checked on the
** bytes read, so a file that grows past the limit while it is read is refused too). */
int jfts_read_file_max(const char *path, size_t max_bytes, unsigned char **buf_out,
                       size_t *n_out);

/* ---- UTF-8 ----
** The one UTF-8 decoder of jfts. The tokenizer (norm.c), the query parser and the matcher read
** text through it, so they agree byte for byte on where each char starts and on what an
** ill-formed sequence becomes. static inline: norm_text calls it for every non-ASCII char. */

#define JFTS_UTF8_REPLACEMENT 0xFFFDu /* what an ill-formed sequence decodes to */

/* Decodes the char at s[0..n_bytes) (n_bytes >= 1) into *cp_out and returns its length in
** bytes (1 to 4). An ill-formed sequence (a stray continuation byte, C0, C1 or F5..FF, an
** overlong form, a surrogate, a code point above U+10FFFF, or a sequence cut short by a bad
** byte or by the end of s) yields U+FFFD and the length of its maximal well-formed prefix,
** at least 1 byte: the practice of ICU (U8_NEXT) and WHATWG. So every byte of any input
** lies in exactly one decoded char. */
static inline size_t jfts_utf8_next(const void *s, size_t n_bytes, uint32_t *cp_out) {
  const unsigned char *u = s;
  uint32_t cp = u[0];
  if (cp < 0x80) {
    *cp_out = cp;
    return 1;
  }
  size_t need;                  /* continuation bytes after the lead byte */
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the next continuation byte */
  if (cp >= 0xC2 && cp <= 0xDF) {
    need = 1;
    cp &= 0x1F;
  } else if (cp >= 0xE0 && cp <= 0xEF) {
    need = 2;
    if (cp == 0xE0) lo = 0xA0; /* no overlong forms */
    if (cp == 0xED) hi = 0x9F; /* no surrogates */
    cp &= 0x0F;
  } else if (cp >= 0xF0 && cp <= 0xF4) {
    need = 3;
    if (cp == 0xF0) lo = 0x90;
    if (cp == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
    cp &= 0x07;
  } else {
    *cp_out = JFTS_UTF8_REPLACEMENT;
    return 1;
  }
  size_t i = 1;
  for (; i <= need; i++) {
    if (i >= n_bytes || u[i] < lo || u[i] > hi) {
      *cp_out = JFTS_UTF8_REPLACEMENT;
      return i;
    }
    cp = (cp << 6) | (u[i] & 0x3Fu);
    lo = 0x80;
    hi = 0xBF;
  }
  *cp_out = cp;
  return i;
}

/* Length of the well-formed char at s[0..n_bytes) (n_bytes >= 1), 1 to 4, or 0 when
** jfts_utf8_next would read an ill-formed sequence there. */
static inline size_t jfts_utf8_valid_len(const void *s, size_t n_bytes) {
  uint32_t cp;
  size_t len = jfts_utf8_next(s, n_bytes, &cp);
  /* U+FFFD itself is EF BF BD; an ill-formed sequence led by EF stops after 2 bytes. */
  if (cp == JFTS_UTF8_REPLACEMENT && !(len == 3 && *(const unsigned char *)s == 0xEF)) return 0;
  return len;
}

/* Byte offset of the start of the char that holds byte at_byte of s: at_byte moved back over
** continuation bytes (10xxxxxx), but not below min_byte. Used to cut text without splitting a
** char; s[at_byte] must be readable. */
static inline size_t jfts_utf8_char_start(const void *s, size_t min_byte, size_t at_byte) {
  const unsigned char *u = s;
  while (at_byte > min_byte && (u[at_byte] & 0xC0u) == 0x80u) at_byte--;
  return at_byte;
}

/* Decodes the char that ends at s[end_byte] (end_byte >= 1) into *cp_out and returns its
** length, so that it starts at end_byte minus that. The char is taken back to the nearest
** byte that is not a continuation byte (or to s[0]); when those bytes are not exactly one
** well-formed char (ill-formed text), *cp_out is U+FFFD. */
static inline size_t jfts_utf8_prev(const void *s, size_t end_byte, uint32_t *cp_out) {
  size_t start = jfts_utf8_char_start(s, 0, end_byte - 1);
  if (jfts_utf8_next((const unsigned char *)s + start, end_byte - start, cp_out) !=
      end_byte - start)
    *cp_out = JFTS_UTF8_REPLACEMENT;
  return end_byte - start;
}

/* Chars in s[0..n_bytes): the bytes that are not continuation bytes (for well-formed text,
** its code points). */
static inline size_t jfts_utf8_count(const void *s, size_t n_bytes) {
  const unsigned char *u = s;
  size_t k = 0;
  for (size_t i = 0; i < n_bytes; i++) k += (u[i] & 0xC0u) != 0x80u;
  return k;
}

/* Test hook: after `n_ok` more successful allocations, every allocation fails until reset
** with a negative value. Not thread-safe; meant for the out-of-memory tests only. */
void jfts_alloc_fail_after(long n_ok);
/* Number of allocations not yet freed through jfts_free (leak checks in tests). */
long jfts_alloc_live(void);

#endif
