/* KWIC lines (kwic.h): context cut on grapheme cluster boundaries (textseg.h), concordance
** sorts through collation sort keys (collate.h), one key per line so that a sort of many
** lines costs one ICU call each, and the aligned text layout. Display forms (newline shown as
** ⏎) are made only for measuring and formatting; the stored strings stay exact. */
#include "kwic.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collate.h"
#include "jfts_common.h"
#include "textseg.h"

#define KWIC_NEWLINE_MARK "\xE2\x8F\x8E" /* ⏎ U+23CE, one column */

/* Largest index i with b[i] <= x (b is ascending and b[0] == 0 <= x). */
static size_t last_le(const size_t *b, size_t n, size_t x) {
  size_t lo = 0, hi = n; /* answer in [lo, hi) */
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (b[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* Smallest index i with b[i] >= x (b[n-1] >= x). */
static size_t first_ge(const size_t *b, size_t n, size_t x) {
  size_t lo = 0, hi = n - 1; /* answer in [lo, hi] */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (b[mid] >= x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* The text as shown: "\n" as ⏎, other C0/C1 controls and DEL as a space. New string. */
static char *display_form(const char *s, size_t n, size_t *n_out) {
  size_t n_nl = 0;
  for (size_t i = 0; i < n; i++) n_nl += s[i] == '\n';
  char *d = jfts_malloc(n + 2 * n_nl + 1);
  if (d == NULL) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\n') {
      memcpy(d + k, KWIC_NEWLINE_MARK, 3);
      k += 3;
    } else if (c < 0x20 || c == 0x7F) {
      d[k++] = ' ';
    } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
               (unsigned char)s[i + 1] <= 0x9F) {
      d[k++] = ' ';
      i++;
    } else {
      d[k++] = (char)c;
    }
  }
  d[k] = '\0';
  *n_out = k;
  return d;
}

static int display_width(const char *s, size_t n, int *width_out) {
  size_t n_d = 0;
  char *d = display_form(s, n, &n_d);
  if (d == NULL) return JFTS_ERR_NOMEM;
  *width_out = seg_display_width(d, n_d);
  jfts_free(d);
  return JFTS_OK;
}

void kwic_lines_clear(KwicLine *lines, size_t n) {
  for (size_t i = 0; lines && i < n; i++) {
    jfts_free(lines[i].left);
    jfts_free(lines[i].match);
    jfts_free(lines[i].right);
    memset(&lines[i], 0, sizeof lines[i]);
  }
}

/* Fills line with text[ls, start) [start, end) [end, re). */
static int fill_line(const char *text, size_t ls, size_t start, size_t end, size_t re,
                     KwicLine *line) {
  line->left = jfts_strndup(text + ls, start - ls);
  line->match = jfts_strndup(text + start, end - start);
  line->right = jfts_strndup(text + end, re - end);
  if (!line->left || !line->match || !line->right) return JFTS_ERR_NOMEM;
  line->n_left = start - ls;
  line->n_match = end - start;
  line->n_right = re - end;
  line->start_byte = ls;
  int rc = display_width(line->left, line->n_left, &line->left_width);
  if (rc == JFTS_OK) rc = display_width(line->match, line->n_match, &line->match_width);
  if (rc == JFTS_OK) rc = display_width(line->right, line->n_right, &line->right_width);
  return rc;
}

int kwic_make(const char *text, size_t n_bytes, const MatchSpan *spans, size_t n_spans,
              size_t n_context, KwicLine *lines_out, char **err_out) {
  int rc = JFTS_OK;
  size_t *b = NULL;
  size_t nb = 0;
  if (n_spans == 0) return JFTS_OK;
  memset(lines_out, 0, n_spans * sizeof *lines_out);
  for (size_t i = 0; i < n_spans; i++) {
    if (spans[i].start_byte > spans[i].end_byte || spans[i].end_byte > n_bytes) {
      jfts_set_error(err_out, "match %zu..%zu is outside the text of %zu bytes",
                     spans[i].start_byte, spans[i].end_byte, n_bytes);
      return JFTS_ERR_USAGE;
    }
  }
  rc = seg_boundaries(SEG_GRAPHEME, text, n_bytes, &b, &nb, err_out);
  if (rc != JFTS_OK) goto cleanup;
  for (size_t i = 0; rc == JFTS_OK && i < n_spans; i++) {
    size_t start = spans[i].start_byte, end = spans[i].end_byte;
    /* A cluster the match cuts counts as one character of context. */
    size_t ls = start, re = end;
    size_t l = last_le(b, nb, start);
    if (b[l] == start) ls = b[l >= n_context ? l - n_context : 0];
    else if (n_context > 0) ls = b[l >= n_context - 1 ? l - (n_context - 1) : 0];
    size_t r = first_ge(b, nb, end);
    if (b[r] == end) re = b[nb - 1 - r > n_context ? r + n_context : nb - 1];
    else if (n_context > 0) re = b[nb - 1 - r > n_context - 1 ? r + n_context - 1 : nb - 1];
    rc = fill_line(text, ls, start, end, re, &lines_out[i]);
  }

cleanup:
  jfts_free(b);
  if (rc != JFTS_OK) kwic_lines_clear(lines_out, n_spans);
  return rc;
}

size_t kwic_disjoint_spans(MatchSpan *spans, size_t n_spans) {
  size_t k = 0;
  for (size_t i = 0; i < n_spans; i++) {
    if (k > 0 && spans[i].start_byte < spans[k - 1].end_byte) continue;
    spans[k++] = spans[i];
  }
  return k;
}

int kwic_parse_sort(const char *name, KwicSort *how_out, char **err_out) {
  static const struct {
    const char *name;
    KwicSort how;
  } names[] = {{"doc", KWIC_SORT_DOC}, {"left", KWIC_SORT_LEFT}, {"right", KWIC_SORT_RIGHT}};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    if (name && strcmp(name, names[i].name) == 0) {
      *how_out = names[i].how;
      return JFTS_OK;
    }
  }
  jfts_set_error(err_out, "unknown sort '%s': expected doc, left or right", name ? name : "");
  return JFTS_ERR_USAGE;
}

/* The left context with its grapheme clusters in reverse order: the string a leftward
** reading compares, 1L first. New string in *out. */
static int reverse_clusters(const char *s, size_t n, char **out, char **err_out) {
  size_t *b = NULL;
  size_t nb = 0;
  *out = NULL;
  int rc = seg_boundaries(SEG_GRAPHEME, s, n, &b, &nb, err_out);
  if (rc != JFTS_OK) return rc;
  char *r = jfts_malloc(n + 1);
  if (r == NULL) {
    jfts_free(b);
    return JFTS_ERR_NOMEM;
  }
  size_t k = 0;
  for (size_t i = nb - 1; i > 0; i--) {
    memcpy(r + k, s + b[i - 1], b[i] - b[i - 1]);
    k += b[i] - b[i - 1];
  }
  r[k] = '\0';
  jfts_free(b);
  *out = r;
  return JFTS_OK;
}

typedef struct KwicKey {
  uint8_t *key;
  size_t n_key;
  size_t seq; /* position before sorting: the tie-break that keeps the sort stable */
} KwicKey;

static int key_cmp(const void *a, const void *b) {
  const KwicKey *x = a, *y = b;
  int c = coll_key_cmp(x->key, x->n_key, y->key, y->n_key);
  if (c != 0) return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int kwic_sort(KwicLine *lines, size_t n, KwicSort how, char **err_out) {
  int rc = JFTS_OK;
  Collator *coll = NULL;
  KwicKey *keys = NULL;
  KwicLine *sorted = NULL;
  if (how != KWIC_SORT_DOC && how != KWIC_SORT_LEFT && how != KWIC_SORT_RIGHT) {
    jfts_set_error(err_out, "unknown sort %d", (int)how);
    return JFTS_ERR_USAGE;
  }
  if (how == KWIC_SORT_DOC || n < 2) return JFTS_OK;
  keys = jfts_calloc(n, sizeof *keys);
  sorted = jfts_malloc(n * sizeof *sorted);
  if (keys == NULL || sorted == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  rc = coll_open("ja", &coll, err_out);
  for (size_t i = 0; rc == JFTS_OK && i < n; i++) {
    keys[i].seq = i;
    if (how == KWIC_SORT_RIGHT) {
      rc = coll_sort_key(coll, lines[i].right, lines[i].n_right, &keys[i].key, &keys[i].n_key,
                         err_out);
    } else {
      char *rev = NULL;
      rc = reverse_clusters(lines[i].left, lines[i].n_left, &rev, err_out);
      if (rc == JFTS_OK)
        rc = coll_sort_key(coll, rev, lines[i].n_left, &keys[i].key, &keys[i].n_key, err_out);
      jfts_free(rev);
    }
  }
  if (rc != JFTS_OK) goto cleanup;
  qsort(keys, n, sizeof *keys, key_cmp);
  for (size_t i = 0; i < n; i++) sorted[i] = lines[keys[i].seq];
  memcpy(lines, sorted, n * sizeof *lines);

cleanup:
  for (size_t i = 0; keys && i < n; i++) jfts_free(keys[i].key);
  jfts_free(keys);
  jfts_free(sorted);
  coll_close(coll);
  return rc;
}

/* Appends the display form of s. */
static void buf_add_display(JftsBuf *b, const char *s, size_t n) {
  if (b->rc != JFTS_OK) return;
  size_t n_d = 0;
  char *d = display_form(s, n, &n_d);
  if (d == NULL) {
    b->rc = JFTS_ERR_NOMEM;
    return;
  }
  jfts_buf_add(b, d, n_d);
  jfts_free(d);
}

int kwic_format_text(const KwicLine *line, const KwicStyle *style, char **out, char **err_out) {
  int rc = JFTS_OK;
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  size_t *br = NULL;
  size_t nb = 0, n_left = 0;
  char *left = NULL;
  *out = NULL;
  left = display_form(line->left ? line->left : "", line->n_left, &n_left);
  if (left == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  int cols = style->left_cols > 0 ? style->left_cols : 0;
  int width = seg_display_width(left, n_left);
  size_t cut = 0; /* bytes dropped from the start of the left context */
  if (width > cols) {
    rc = seg_boundaries(SEG_GRAPHEME, left, n_left, &br, &nb, err_out);
    if (rc != JFTS_OK) goto cleanup;
    for (size_t i = 0; i + 1 < nb && width > cols; i++) {
      width -= seg_display_width(left + br[i], br[i + 1] - br[i]);
      cut = br[i + 1];
    }
  }
  for (int i = width; i < cols; i++) jfts_buf_add(&b, " ", 1);
  jfts_buf_add(&b, left + cut, n_left - cut);
  if (style->hl_on) jfts_buf_add(&b, style->hl_on, strlen(style->hl_on));
  buf_add_display(&b, line->match ? line->match : "", line->n_match);
  if (style->hl_off) jfts_buf_add(&b, style->hl_off, strlen(style->hl_off));
  buf_add_display(&b, line->right ? line->right : "", line->n_right);
  rc = b.rc;
  if (rc == JFTS_OK && b.p == NULL) { /* everything was empty */
    b.p = jfts_strdup("");
    if (b.p == NULL) rc = JFTS_ERR_NOMEM;
  }
  if (rc == JFTS_OK) {
    *out = b.p;
    b.p = NULL;
  }

cleanup:
  jfts_buf_free(&b);
  jfts_free(br);
  jfts_free(left);
  return rc;
}
