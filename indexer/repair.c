/* Repair of PDF-extraction damage: line splitting with block-end detection (a trailing space
** ends a PDF text block) and the joining of wrapped lines, keeping an exact map from every
** repaired byte back to the decoded text. See repair.h for the joining rule. */
#include "repair.h"

#include <string.h>

#include "jfts_common.h"

int repair_is_space(uint32_t c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == 0xA0 || c == 0x3000 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x1680;
}

int repair_split_lines(const char *text, size_t n_bytes, RepLine **lines_out,
                       size_t *n_lines_out) {
  return repair_split_lines_at(text, n_bytes, 1, lines_out, n_lines_out);
}

int repair_split_lines_at(const char *text, size_t n_bytes, int first_lineno,
                          RepLine **lines_out, size_t *n_lines_out) {
  size_t n_alloc = 64, n = 0;
  RepLine *lines = jfts_malloc(n_alloc * sizeof *lines);
  *lines_out = NULL;
  *n_lines_out = 0;
  if (lines == NULL) return JFTS_ERR_NOMEM;
  size_t pos = 0;
  int lineno = first_lineno;
  while (pos < n_bytes) {
    size_t end = pos;
    while (end < n_bytes && text[end] != '\n' && text[end] != '\r') end++;
    if (n == n_alloc) {
      RepLine *grown = jfts_realloc(lines, 2 * n_alloc * sizeof *lines);
      if (grown == NULL) {
        jfts_free(lines);
        return JFTS_ERR_NOMEM;
      }
      lines = grown;
      n_alloc *= 2;
    }
    RepLine *l = &lines[n++];
    l->start = pos;
    l->end = end;
    l->lineno = lineno;
    size_t ts = pos, te = end;
    while (ts < te) {
      uint32_t c;
      size_t len = jfts_utf8_next(text + ts, te - ts, &c);
      if (!repair_is_space(c)) break;
      ts += len;
    }
    int trailing_space = 0;
    while (te > ts) {
      uint32_t c;
      size_t len = jfts_utf8_prev(text, te, &c);
      if (!repair_is_space(c)) break;
      trailing_space = 1;
      te -= len;
    }
    l->trim_start = ts;
    l->trim_end = te;
    if (end < n_bytes && text[end] == '\r' && end + 1 < n_bytes && text[end + 1] == '\n') end++;
    pos = end + 1;
    l->ends_block = trailing_space || pos >= n_bytes;
    lineno++;
  }
  *lines_out = lines;
  *n_lines_out = n;
  return JFTS_OK;
}

typedef enum CharKind { CK_OTHER = 0, CK_LATIN, CK_DIGIT } CharKind;

static CharKind char_kind(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return CK_LATIN;
  if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) return CK_LATIN;
  if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) return CK_LATIN;
  if ((c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19)) return CK_DIGIT;
  return CK_OTHER;
}

static void grow(void **p, size_t *n_alloc, size_t need, size_t elem, int *rc) {
  if (need <= *n_alloc) return;
  size_t n = *n_alloc ? *n_alloc : 64;
  while (n < need) n *= 2;
  void *q = jfts_realloc(*p, n * elem);
  if (q == NULL) {
    *rc = JFTS_ERR_NOMEM;
    return;
  }
  *p = q;
  *n_alloc = n;
}

static void put_bytes(RepText *t, const char *b, size_t n, int *rc) {
  grow((void **)&t->text, &t->n_alloc, t->n_bytes + n + 1, 1, rc);
  if (*rc != JFTS_OK) return;
  memcpy(t->text + t->n_bytes, b, n);
  t->n_bytes += n;
  t->text[t->n_bytes] = '\0';
}

void repair_append(RepText *t, const char *src, size_t start, size_t end, int lineno,
                   RepJoin join, int *rc) {
  if (*rc != JFTS_OK || end <= start) return;
  if (t->n_bytes > 0) {
    if (join == REP_JOIN_BLOCK) {
      put_bytes(t, "\n", 1, rc);
    } else if (join == REP_JOIN_WRAP) {
      uint32_t before, after;
      jfts_utf8_prev(t->text, t->n_bytes, &before);
      jfts_utf8_next(src + start, end - start, &after);
      CharKind a = char_kind(before), b = char_kind(after);
      /* Latin words wrapped at a line end were separated by the break; digits and Japanese
      ** were cut mid-word (8050 / 問題, 地域包 / 括). */
      if ((a == CK_LATIN && b != CK_OTHER) || (b == CK_LATIN && a != CK_OTHER))
        put_bytes(t, " ", 1, rc);
    }
  }
  if (*rc != JFTS_OK) return;
  if (t->n_bytes > UINT32_MAX - (end - start)) {
    *rc = JFTS_ERR_INPUT;
    return;
  }
  grow((void **)&t->segs, &t->n_segs_alloc, t->n_segs + 1, sizeof *t->segs, rc);
  if (*rc != JFTS_OK) return;
  RepSeg *s = &t->segs[t->n_segs++];
  s->text_start = (uint32_t)t->n_bytes;
  s->src_start = (uint32_t)start;
  s->n_bytes = (uint32_t)(end - start);
  s->lineno = lineno;
  put_bytes(t, src + start, end - start, rc);
}

/* Index of the segment holding byte, or of the first segment after it. */
static size_t seg_at(const RepText *t, size_t byte) {
  size_t lo = 0, hi = t->n_segs;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const RepSeg *s = &t->segs[mid];
    if (byte >= (size_t)s->text_start + s->n_bytes) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void repair_slice(const RepText *t, size_t start, size_t end, RepText *out, int *rc) {
  if (*rc != JFTS_OK) return;
  memset(out, 0, sizeof *out);
  if (end > t->n_bytes) end = t->n_bytes;
  if (start >= end) return;
  put_bytes(out, t->text + start, end - start, rc);
  for (size_t k = seg_at(t, start); *rc == JFTS_OK && k < t->n_segs; k++) {
    const RepSeg *s = &t->segs[k];
    size_t a = s->text_start, b = (size_t)s->text_start + s->n_bytes;
    if (a >= end) break;
    if (a < start) a = start;
    if (b > end) b = end;
    if (a >= b) continue;
    grow((void **)&out->segs, &out->n_segs_alloc, out->n_segs + 1, sizeof *out->segs, rc);
    if (*rc != JFTS_OK) break;
    RepSeg *d = &out->segs[out->n_segs++];
    d->text_start = (uint32_t)(a - start);
    d->src_start = (uint32_t)(s->src_start + (a - s->text_start));
    d->n_bytes = (uint32_t)(b - a);
    d->lineno = s->lineno;
  }
}

void repair_reset(RepText *t) {
  if (t == NULL) return;
  jfts_free(t->text);
  jfts_free(t->segs);
  memset(t, 0, sizeof *t);
}
