/* Piecewise reading of large files at block boundaries (see chunker.h). The cut is searched
** backwards from the end of the buffer, over at most its second half, so each piece is at
** least half the requested size and the work is linear in the file. */
#include "chunker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jfts_common.h"

struct Chunker {
  int fd;
  unsigned char *buf;
  size_t cap;       /* bytes buf holds at most */
  size_t n;         /* bytes in buf */
  size_t consumed;  /* bytes at the start of buf handed out by the last call */
  uint64_t offset;  /* raw offset of buf[0] */
  int line;         /* line number of buf[0] */
  int eof;
};

int chunker_open(const char *path, size_t piece_bytes, Chunker **out) {
  *out = NULL;
  if (piece_bytes < 4096) piece_bytes = 4096;
  Chunker *c = jfts_calloc(1, sizeof *c);
  if (c == NULL) return ENOMEM;
  int err = jfts_open_regular(path, &c->fd, NULL);
  if (err) {
    jfts_free(c);
    return err;
  }
  c->buf = jfts_malloc(piece_bytes);
  if (c->buf == NULL) {
    chunker_close(c);
    return ENOMEM;
  }
  c->cap = piece_bytes;
  c->line = 1;
  *out = c;
  return 0;
}

static int is_line_end(const unsigned char *b, size_t n, size_t i) {
  /* A CR that a LF follows is not a line end by itself: the LF is. */
  return b[i] == '\n' || (b[i] == '\r' && i + 1 < n && b[i + 1] != '\n');
}

size_t chunker_cut(const unsigned char *b, size_t n) {
  size_t last_break = 0;
  for (size_t i = n; i-- > n / 2;) {
    if (!is_line_end(b, n, i)) continue;
    if (last_break == 0) last_break = i + 1;
    size_t j = i;
    if (b[j] == '\n' && j > 0 && b[j - 1] == '\r') j--;
    int trailing_space = j > 0 && (b[j - 1] == ' ' || b[j - 1] == '\t');
    int blank_next = i + 1 < n && (b[i + 1] == '\n' || b[i + 1] == '\r');
    if (trailing_space || blank_next) return i + 1;
  }
  if (last_break) return last_break;
  for (size_t i = n / 2; i-- > 0;)
    if (is_line_end(b, n, i)) return i + 1;
  /* One huge line: end before the last character, which may be incomplete. */
  size_t c = jfts_utf8_char_start(b, 0, n - 1);
  return c > 0 ? c : n;
}

int chunker_next(Chunker *c, const unsigned char **bytes_out, size_t *n_out,
                 uint64_t *raw_offset_out, int *first_line_out) {
  /* Drop what the previous call handed out, counting its lines. */
  for (size_t i = 0; i < c->consumed; i++)
    if (is_line_end(c->buf, c->n, i)) c->line++;
  memmove(c->buf, c->buf + c->consumed, c->n - c->consumed);
  c->n -= c->consumed;
  c->offset += c->consumed;
  c->consumed = 0;
  while (!c->eof && c->n < c->cap) {
    ssize_t got = read(c->fd, c->buf + c->n, c->cap - c->n);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) c->eof = 1;
    c->n += (size_t)got;
  }
  size_t cut = c->eof ? c->n : chunker_cut(c->buf, c->n);
  c->consumed = cut;
  *bytes_out = c->buf;
  *n_out = cut;
  *raw_offset_out = c->offset;
  *first_line_out = c->line;
  return 0;
}

void chunker_keep(Chunker *c, size_t n_used) {
  if (n_used > 0 && n_used < c->consumed) c->consumed = n_used;
}

int chunker_at_end(const Chunker *c) { return c->eof && c->consumed == c->n; }

void chunker_close(Chunker *c) {
  if (c == NULL) return;
  if (c->fd >= 0) close(c->fd);
  jfts_free(c->buf);
  jfts_free(c);
}
