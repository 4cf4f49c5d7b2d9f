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
#define JFTS_TOKENIZER_VERSION 1
/* Database schema version, kept in PRAGMA user_version. */
#define JFTS_SCHEMA_VERSION 1

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

/* Reads the whole file at path into a new buffer (malloc'ed: free it with free(), it is
** the raw input and never counted by the allocation hooks), even if the file grows while
** it is read. Returns 0 with *buf_out and *n_out set, or an errno value (EISDIR for a
** directory, ENOMEM) with *buf_out NULL. */
int jfts_read_file(const char *path, unsigned char **buf_out, size_t *n_out);

/* Test hook: after `n_ok` more successful allocations, every allocation fails until reset
** with a negative value. Not thread-safe; meant for the out-of-memory tests only. */
void jfts_alloc_fail_after(long n_ok);
/* Number of allocations not yet freed through jfts_free (leak checks in tests). */
long jfts_alloc_live(void);

#endif
