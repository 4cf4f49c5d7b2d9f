/* The one allocator of the jfts library, with a failure-injection hook for tests, and the
** small helpers every module needs: error messages, a growing string buffer, reading a
** whole file. */
#include "jfts_common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Process-wide on purpose: the out-of-memory tests (test_oom) make the Nth allocation of a
** whole call tree fail and then check that nothing leaked, and only counters that every
** jfts_malloc sees can do that without threading an allocator argument through every module.
** g_fail_after: allocations left before failing; -1 = never fail (tests only, not
** thread-safe). g_live: outstanding allocations; atomic because jfts-index allocates on two
** threads (prefetch.h). */
static long g_fail_after = -1;
static _Atomic long g_live = 0;

static int alloc_should_fail(void) {
  if (g_fail_after < 0) return 0;
  if (g_fail_after == 0) return 1;
  g_fail_after--;
  return 0;
}

void jfts_alloc_fail_after(long n_ok) { g_fail_after = n_ok; }
long jfts_alloc_live(void) { return atomic_load(&g_live); }

void *jfts_malloc(size_t n_bytes) {
  if (alloc_should_fail()) return NULL;
  void *p = malloc(n_bytes ? n_bytes : 1);
  if (p) atomic_fetch_add_explicit(&g_live, 1, memory_order_relaxed);
  return p;
}

void *jfts_calloc(size_t n, size_t size) {
  if (alloc_should_fail()) return NULL;
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (p) atomic_fetch_add_explicit(&g_live, 1, memory_order_relaxed);
  return p;
}

void *jfts_realloc(void *p, size_t n_bytes) {
  if (p == NULL) return jfts_malloc(n_bytes);
  if (alloc_should_fail()) return NULL;
  return realloc(p, n_bytes ? n_bytes : 1);
}

void jfts_free(void *p) {
  if (p == NULL) return;
  atomic_fetch_sub_explicit(&g_live, 1, memory_order_relaxed);
  free(p);
}

void *jfts_grow(void *items, size_t *cap_inout, size_t need, size_t item_size) {
  size_t cap = *cap_inout;
  if (need <= cap) return items;
  cap = cap ? cap : 8;
  while (cap < need && cap <= SIZE_MAX / 2) cap *= 2;
  if (cap < need) cap = need;
  if (item_size != 0 && cap > SIZE_MAX / item_size) return NULL;
  void *p = jfts_realloc(items, cap * item_size);
  if (p == NULL) return NULL;
  *cap_inout = cap;
  return p;
}

char *jfts_strndup(const char *s, size_t n_bytes) {
  if (s == NULL) return NULL;
  char *d = jfts_malloc(n_bytes + 1);
  if (d == NULL) return NULL;
  memcpy(d, s, n_bytes);
  d[n_bytes] = '\0';
  return d;
}

char *jfts_strdup(const char *s) { return s ? jfts_strndup(s, strlen(s)) : NULL; }

const char *jfts_error_text(int rc, const char *err, char buf[48]) {
  if (err != NULL) return err;
  if (rc == JFTS_ERR_NOMEM) return "out of memory";
  snprintf(buf, 48, "internal error (code %d)", rc);
  return buf;
}

int jfts_parse_long(const char *text, long min, long max, long *value_out) {
  if (text[0] < '0' || text[0] > '9') return 0; /* strtol would skip spaces and take a sign */
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max) return 0;
  *value_out = v;
  return 1;
}

int jfts_parse_double(const char *text, double min, double max, double *value_out) {
  if (text[0] < '0' || text[0] > '9') return 0; /* strtod would skip spaces and take a sign */
  char *end;
  double v = strtod(text, &end);
  if (*end != '\0' || !(v >= min && v <= max)) return 0;
  *value_out = v;
  return 1;
}

void jfts_buf_add(JftsBuf *b, const char *text, size_t n_bytes) {
  if (b->rc != JFTS_OK) return;
  if (b->n + n_bytes + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n_bytes + 1) cap *= 2;
    char *p = jfts_realloc(b->p, cap);
    if (p == NULL) {
      b->rc = JFTS_ERR_NOMEM;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  if (n_bytes > 0) memcpy(b->p + b->n, text, n_bytes);
  b->n += n_bytes;
  b->p[b->n] = '\0';
}

void jfts_buf_free(JftsBuf *b) {
  jfts_free(b->p);
  b->p = NULL;
  b->n = 0;
  b->cap = 0;
}

static char *vmprintf(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) return NULL;
  char *s = jfts_malloc((size_t)n + 1);
  if (s) vsnprintf(s, (size_t)n + 1, fmt, ap);
  return s;
}

char *jfts_mprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = vmprintf(fmt, ap);
  va_end(ap);
  return s;
}

void jfts_set_error(char **err_out, const char *fmt, ...) {
  if (err_out == NULL || *err_out != NULL) return;
  va_list ap;
  va_start(ap, fmt);
  *err_out = vmprintf(fmt, ap);
  va_end(ap);
}

const char *jfts_strerror(int os_err) {
  if (os_err == JFTS_ENOTREG) return "not a regular file";
  if (os_err == EFBIG) return "file too large";
  return strerror(os_err);
}

int jfts_open_regular(const char *path, int *fd_out, int64_t *size_out) {
  *fd_out = -1;
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  int err = 0;
  if (fstat(fd, &st) != 0) err = errno;
  else if (S_ISDIR(st.st_mode)) err = EISDIR;
  else if (!S_ISREG(st.st_mode)) err = JFTS_ENOTREG;
  /* Back to blocking reads (a regular file never blocks, but stay conventional). */
  else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) err = errno;
  if (err) {
    close(fd);
    return err;
  }
  if (size_out) *size_out = (int64_t)st.st_size;
  *fd_out = fd;
  return 0;
}

int jfts_read_file(const char *path, unsigned char **buf_out, size_t *n_out) {
  return jfts_read_file_max(path, SIZE_MAX, buf_out, n_out);
}

int jfts_read_file_max(const char *path, size_t max_bytes, unsigned char **buf_out,
                       size_t *n_out) {
  *buf_out = NULL;
  *n_out = 0;
  int fd;
  int64_t size;
  int err = jfts_open_regular(path, &fd, &size);
  if (err) return err;
  unsigned char *buf = NULL;
  size_t n = 0, cap;
  if ((uint64_t)size > max_bytes) {
    err = EFBIG;
    goto cleanup;
  }
  /* The file may grow while we read: handled below. One byte more than the limit allows is
  ** enough to see that it went over. */
  cap = (size_t)size + 1;
  buf = malloc(cap);
  if (buf == NULL) {
    err = ENOMEM;
    goto cleanup;
  }
  for (;;) {
    if (n > max_bytes) {
      err = EFBIG;
      goto cleanup;
    }
    if (n == cap) {
      unsigned char *b = realloc(buf, cap * 2);
      if (b == NULL) {
        err = ENOMEM;
        goto cleanup;
      }
      buf = b;
      cap *= 2;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0) {
      if (errno == EINTR) continue;
      err = errno;
      goto cleanup;
    }
    if (got == 0) break;
    n += (size_t)got;
  }
cleanup:
  close(fd);
  if (err) {
    free(buf);
    return err;
  }
  *buf_out = buf;
  *n_out = n;
  return 0;
}
