/* PDF text reader (pdf.h): takes each character and its box from poppler's GLib API and
** rebuilds the text from the layout: running headers and footers are set apart, the rest is
** cut into columns and blocks by whitespace bands (recursive XY cut), and each block into
** lines by baseline, with the gaps between glyphs read relative to the font size. */
#include "pdf.h"

#include <math.h>
#include <poppler.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "repair.h"

/* Layout thresholds, in ems of the font size (measured on reportlab and Word/Ichitaro
** reports: CJK glyph boxes abut, Latin word spaces are 0.2-0.3 em). */
#define PDF_GAP_SPACE 0.15f   /* a smaller gap between two glyphs is no gap at all */
#define PDF_GAP_TAB 2.0f      /* a gap this wide in a line separates table cells: '\t' */
#define PDF_LETTER_MAX 4.0f   /* widest letter spacing read as one word (均等割り付け) */
#define PDF_LETTER_EVEN 0.3f  /* letter-spacing gaps differ by at most this much */
#define PDF_GUTTER_MIN 1.0f   /* narrowest band between columns or table columns */
#define PDF_COLUMN_MIN 8.0f   /* a column is at least this wide, or it is a table column */
#define PDF_BLOCK_GAP 0.8f    /* a band between lines this high separates blocks */
#define PDF_SAME_ROW 0.45f    /* glyph centres this close (in glyph heights) share a line */
#define PDF_MARGIN_ZONE 0.12f /* headers and footers sit in this fraction of the page height */
#define PDF_SEGMENT_GAP 3.0f  /* pieces of a header line further apart are told apart */
#define PDF_MAX_DEPTH 48      /* XY-cut recursion limit (hostile files); deeper: one block */

typedef struct Glyph {
  float x0, y0, x1, y1; /* box in points, origin top left, y down */
  float size;           /* font size in points (never 0) */
  unsigned char u8[4];  /* the character, UTF-8 */
  unsigned char n_u8;   /* its length in bytes */
  unsigned char cjk;    /* 1: not ASCII (Japanese letter spacing applies) */
  unsigned char furn;   /* 1: part of a running header or footer */
} Glyph;

typedef struct PageGlyphs {
  Glyph *g;
  size_t n;
  double height; /* page height in points */
  int has_image;
} PageGlyphs;

/* A line being built: glyph indices [first, first + n) of an index array, sorted by x. */
typedef struct Row {
  size_t first, n;
  float x0, y0, x1, y1, size;
} Row;

typedef struct Out {
  JftsBuf text;
  PdfLine *lines;
  size_t n_lines, cap_lines;
  int rc;
  uint32_t page;      /* page being written, 1-based */
  uint32_t line;      /* lines written on that page */
} Out;

static int is_space_cp(gunichar c) {
  return c < 0x21 || c == 0x7F || c == 0xA0 || c == 0x3000 || c == 0xFEFF ||
         (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0xFFFD;
}

/* ---- reading the glyphs of a page ------------------------------------------------------- */

/* Font size of character index i from poppler's attribute runs (sorted by start_index);
** *cursor walks the list along with i. */
static float attr_size(GList **cursor, int i) {
  while (*cursor && ((PopplerTextAttributes *)(*cursor)->data)->end_index < i)
    *cursor = (*cursor)->next;
  if (*cursor) {
    PopplerTextAttributes *a = (*cursor)->data;
    if (a->start_index <= i && a->font_size > 0) return (float)a->font_size;
  }
  return 0;
}

/* Fills pg with the non-space characters of page and their boxes. */
static int page_glyphs(PopplerPage *page, PageGlyphs *pg) {
  int rc = JFTS_OK;
  PopplerRectangle *rects = NULL;
  guint n_rects = 0;
  double w = 0, h = 0;
  poppler_page_get_size(page, &w, &h);
  pg->height = h > 0 ? h : 842;
  /* Three pages' worth around the page: poppler_page_get_text() stops at the page's edge,
  ** and with it the rest of the text block where a line runs over that edge. */
  PopplerRectangle area = {-w, -h, 2 * w, 2 * h};
  char *text = poppler_page_get_text_for_area(page, &area);
  GList *attrs = NULL;
  if (text == NULL || !poppler_page_get_text_layout_for_area(page, &area, &rects, &n_rects))
    goto cleanup;
  attrs = poppler_page_get_text_attributes_for_area(page, &area);
  pg->g = jfts_malloc((n_rects ? n_rects : 1) * sizeof *pg->g);
  if (pg->g == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  GList *cursor = attrs;
  const char *p = text;
  for (guint i = 0; i < n_rects && *p; i++, p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) break; /* poppler gives UTF-8; be safe */
    if (is_space_cp(c)) continue;
    PopplerRectangle *r = &rects[i];
    Glyph *gl = &pg->g[pg->n];
    gl->x0 = (float)fmin(r->x1, r->x2), gl->x1 = (float)fmax(r->x1, r->x2);
    gl->y0 = (float)fmin(r->y1, r->y2), gl->y1 = (float)fmax(r->y1, r->y2);
    if (!isfinite(gl->x0) || !isfinite(gl->x1) || !isfinite(gl->y0) || !isfinite(gl->y1))
      continue;
    float size = attr_size(&cursor, (int)i);
    float box = gl->y1 - gl->y0;
    gl->size = size > 0 ? size : box > 0 ? box : 1;
    gl->n_u8 = (unsigned char)g_unichar_to_utf8(c, (char *)gl->u8);
    gl->cjk = c >= 0x80;
    gl->furn = 0;
    pg->n++;
  }
cleanup:
  if (rc == JFTS_OK && pg->n == 0) { /* no text: a scan, or a blank page (no error) */
    GList *images = poppler_page_get_image_mapping(page);
    pg->has_image = images != NULL;
    poppler_page_free_image_mapping(images);
  }
  if (attrs) poppler_page_free_text_attributes(attrs);
  g_free(rects);
  g_free(text);
  return rc;
}

/* ---- lines by baseline ------------------------------------------------------------------ */

/* qsort has no context argument (qsort_r is not C11): the glyphs being sorted, per thread. */
static _Thread_local const Glyph *g_sort_glyphs;

static int cmp_ycenter(const void *a, const void *b) {
  const Glyph *x = &g_sort_glyphs[*(const size_t *)a], *y = &g_sort_glyphs[*(const size_t *)b];
  float cx = x->y0 + x->y1, cy = y->y0 + y->y1;
  if (cx != cy) return cx < cy ? -1 : 1;
  return x->x0 < y->x0 ? -1 : x->x0 > y->x0;
}

static int cmp_x0(const void *a, const void *b) {
  const Glyph *x = &g_sort_glyphs[*(const size_t *)a], *y = &g_sort_glyphs[*(const size_t *)b];
  if (x->x0 != y->x0) return x->x0 < y->x0 ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int cmp_y0(const void *a, const void *b) {
  const Glyph *x = &g_sort_glyphs[*(const size_t *)a], *y = &g_sort_glyphs[*(const size_t *)b];
  if (x->y0 != y->y0) return x->y0 < y->y0 ? -1 : 1;
  return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* A float as an unsigned key in the same order (IEEE 754: negatives have every bit flipped,
** others the sign bit set); -0 is taken as +0, as the comparators take them equal. */
static uint64_t float_key(float f) {
  uint32_t u;
  f += 0.0f;
  memcpy(&u, &f, sizeof u);
  return u & 0x80000000u ? ~u : u | 0x80000000u;
}

/* The sort key of glyph i for comparator cmp: the comparator's order as one 64-bit number
** (ties of cmp_ycenter keep their order, as a stable sort does). */
static uint64_t sort_key(const Glyph *g, size_t i, int (*cmp)(const void *, const void *)) {
  if (cmp == cmp_ycenter) return float_key(g[i].y0 + g[i].y1) << 32 | float_key(g[i].x0);
  return float_key(cmp == cmp_x0 ? g[i].x0 : g[i].y0) << 32 | (uint32_t)i;
}

typedef struct SortItem {
  uint64_t key;
  size_t idx;
} SortItem;

/* Sorts glyph indices idx[0..n) in the order of comparator cmp (cmp_x0, cmp_y0 or
** cmp_ycenter, which read g through g_sort_glyphs). A page's glyphs are sorted many times
** over by the XY cut; a stable LSD radix sort on precomputed keys (a byte at a time, bytes
** that all keys share skipped) gives glibc's stable merge sort's order at a fraction of the
** cost of its indirect comparisons. Small arrays (most: a block, a row) get an insertion sort
** on the keys; a failure to get memory falls back to qsort. */
static void sort_idx(const Glyph *g, size_t *idx, size_t n, int (*cmp)(const void *, const void *)) {
  enum { SMALL = 48 };
  if (n <= SMALL) {
    SortItem small[SMALL];
    for (size_t i = 0; i < n; i++) {
      SortItem it = {sort_key(g, idx[i], cmp), idx[i]};
      size_t j = i;
      for (; j > 0 && small[j - 1].key > it.key; j--) small[j] = small[j - 1];
      small[j] = it;
    }
    for (size_t i = 0; i < n; i++) idx[i] = small[i].idx;
    return;
  }
  SortItem *a = jfts_malloc(2 * n * sizeof *a);
  if (a == NULL) {
    g_sort_glyphs = g;
    qsort(idx, n, sizeof *idx, cmp);
    return;
  }
  SortItem *b = a + n;
  for (size_t i = 0; i < n; i++) a[i] = (SortItem){sort_key(g, idx[i], cmp), idx[i]};
  for (unsigned shift = 0; shift < 64; shift += 8) {
    size_t count[257] = {0};
    for (size_t i = 0; i < n; i++) count[((a[i].key >> shift) & 0xFF) + 1]++;
    if (count[((a[0].key >> shift) & 0xFF) + 1] == n) continue; /* one byte value: in order */
    for (size_t d = 1; d <= 256; d++) count[d] += count[d - 1];
    for (size_t i = 0; i < n; i++) b[count[(a[i].key >> shift) & 0xFF]++] = a[i];
    SortItem *t = a;
    a = b, b = t;
  }
  for (size_t i = 0; i < n; i++) idx[i] = a[i].idx;
  jfts_free(a < b ? a : b);
}

static int cmp_index(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return (x > y) - (x < y);
}

typedef struct Run {
  float x0;     /* left edge of the run's first glyph */
  size_t first; /* the run is ix[first..first+n) in poppler's order */
  size_t n;
} Run;

static int cmp_run(const void *a, const void *b) {
  const Run *x = a, *y = b;
  if (x->x0 != y->x0) return x->x0 < y->x0 ? -1 : 1;
  return (x->first > y->first) - (x->first < y->first);
}

/* Puts the glyphs ix[0..n) of one line in reading order: runs of glyphs that follow each
** other in poppler's text order and go rightwards stay whole, and the runs go by their left
** edge. Sorting the glyphs themselves by x would interleave text that overflows its table
** cell into the next one (autocleなanった). */
static int order_row(const Glyph *g, size_t *ix, size_t n) {
  if (n < 2) return JFTS_OK;
  /* Mostly in order already (poppler's order is the reading order): an insertion sort is
  ** then linear; a long row out of order goes to qsort. */
  if (n <= 256) {
    for (size_t k = 1; k < n; k++) {
      size_t v = ix[k], j = k;
      for (; j > 0 && ix[j - 1] > v; j--) ix[j] = ix[j - 1];
      ix[j] = v;
    }
  } else {
    qsort(ix, n, sizeof *ix, cmp_index);
  }
  size_t n_runs = 1;
  for (size_t k = 1; k < n; k++)
    n_runs += ix[k] != ix[k - 1] + 1 || g[ix[k]].x0 < g[ix[k - 1]].x0;
  if (n_runs == 1) return JFTS_OK;
  Run *runs = jfts_malloc(n_runs * sizeof *runs);
  size_t *copy = jfts_malloc(n * sizeof *copy);
  if (runs == NULL || copy == NULL) {
    jfts_free(runs);
    jfts_free(copy);
    return JFTS_ERR_NOMEM;
  }
  size_t r = 0;
  for (size_t k = 0; k < n; k++) {
    if (k == 0 || ix[k] != ix[k - 1] + 1 || g[ix[k]].x0 < g[ix[k - 1]].x0)
      runs[r++] = (Run){g[ix[k]].x0, k, 0};
    runs[r - 1].n++;
  }
  qsort(runs, n_runs, sizeof *runs, cmp_run);
  memcpy(copy, ix, n * sizeof *copy);
  for (size_t k = 0, at = 0; k < n_runs; k++) {
    memcpy(ix + at, copy + runs[k].first, runs[k].n * sizeof *ix);
    at += runs[k].n;
  }
  jfts_free(runs);
  jfts_free(copy);
  return JFTS_OK;
}

/* Groups idx[0..n) into rows, top to bottom, each sorted by x; reorders idx. *rows_out is
** jfts_malloc'ed. */
static int make_rows(const Glyph *g, size_t *idx, size_t n, Row **rows_out, size_t *n_rows_out) {
  *rows_out = NULL;
  *n_rows_out = 0;
  if (n == 0) return JFTS_OK;
  Row *rows = jfts_malloc(n * sizeof *rows);
  if (rows == NULL) return JFTS_ERR_NOMEM;
  sort_idx(g, idx, n, cmp_ycenter);
  size_t n_rows = 0;
  for (size_t i = 0; i < n; i++) {
    const Glyph *gl = &g[idx[i]];
    float c = (gl->y0 + gl->y1) / 2, h = gl->y1 - gl->y0;
    Row *r = n_rows ? &rows[n_rows - 1] : NULL;
    if (r) {
      float rc = (r->y0 + r->y1) / 2, rh = r->y1 - r->y0;
      float tol = PDF_SAME_ROW * (h < rh ? h : rh);
      if (tol <= 0) tol = 0.5f;
      if (c - rc > tol) r = NULL;
    }
    if (r == NULL) {
      r = &rows[n_rows++];
      *r = (Row){i, 0, gl->x0, gl->y0, gl->x1, gl->y1, gl->size};
    }
    r->n++;
    r->x0 = fminf(r->x0, gl->x0), r->x1 = fmaxf(r->x1, gl->x1);
    r->y0 = fminf(r->y0, gl->y0), r->y1 = fmaxf(r->y1, gl->y1);
    r->size = fmaxf(r->size, gl->size);
  }
  int rc = JFTS_OK;
  for (size_t k = 0; k < n_rows && rc == JFTS_OK; k++)
    rc = order_row(g, idx + rows[k].first, rows[k].n);
  if (rc != JFTS_OK) {
    jfts_free(rows);
    return rc;
  }
  *rows_out = rows;
  *n_rows_out = n_rows;
  return JFTS_OK;
}

/* ---- the text of one line --------------------------------------------------------------- */

static float gap_em(const Glyph *a, const Glyph *b) {
  float em = a->size > b->size ? a->size : b->size;
  return (b->x0 - a->x1) / em;
}

/* Marks in letter[k] (gap between glyph k and k+1 of the row) the gaps of letter-spaced
** words: runs of even gaps between lone glyphs (人 件 費), read as one word. A run counts when
** at least two of its glyphs stand alone (gaps on both sides or the line's end), so that two
** words with one space between them (会議 年間) stay apart. */
static void mark_letter_spacing(const Glyph *g, const size_t *ix, size_t n, unsigned char *letter) {
  size_t k = 0;
  while (k + 1 < n) {
    float g0 = gap_em(&g[ix[k]], &g[ix[k + 1]]);
    if (g0 < PDF_GAP_SPACE || g0 > PDF_LETTER_MAX || !g[ix[k]].cjk || !g[ix[k + 1]].cjk) {
      k++;
      continue;
    }
    size_t end = k + 1; /* the run is glyphs k..end */
    float prev = g0;
    while (end + 1 < n) {
      float ge = gap_em(&g[ix[end]], &g[ix[end + 1]]);
      if (ge < PDF_GAP_SPACE || ge > PDF_LETTER_MAX || fabsf(ge - prev) > PDF_LETTER_EVEN ||
          !g[ix[end + 1]].cjk)
        break;
      prev = ge;
      end++;
    }
    size_t alone = end - k - 1; /* the inner glyphs have gaps on both sides */
    if (k == 0 || gap_em(&g[ix[k - 1]], &g[ix[k]]) >= PDF_GAP_SPACE) alone++;
    if (end + 1 == n || gap_em(&g[ix[end]], &g[ix[end + 1]]) >= PDF_GAP_SPACE) alone++;
    if (alone >= 2)
      for (size_t j = k; j < end; j++) letter[j] = 1;
    k = end;
  }
}

/* Appends the row's text to out->text: glyphs in x order, a space for a word gap, a tab for
** a table cell gap, nothing for letter spacing. Sets *has_tab. */
static void row_text(Out *out, const Glyph *g, const size_t *ix, size_t n, int *has_tab) {
  unsigned char small[256];
  unsigned char *letter = n <= sizeof small ? small : jfts_calloc(n, 1);
  *has_tab = 0;
  if (letter == NULL) {
    out->rc = JFTS_ERR_NOMEM;
    return;
  }
  memset(letter, 0, n);
  mark_letter_spacing(g, ix, n, letter);
  for (size_t k = 0; k < n; k++) {
    if (k > 0 && !letter[k - 1]) {
      float ge = gap_em(&g[ix[k - 1]], &g[ix[k]]);
      if (ge >= PDF_GAP_TAB) {
        jfts_buf_add(&out->text, "\t", 1);
        *has_tab = 1;
      } else if (ge >= PDF_GAP_SPACE) {
        jfts_buf_add(&out->text, " ", 1);
      }
    }
    jfts_buf_add(&out->text, (const char *)g[ix[k]].u8, g[ix[k]].n_u8);
  }
  if (letter != small) jfts_free(letter);
}

static void add_line(Out *out, size_t start, unsigned flags) {
  if (out->rc == JFTS_OK && out->text.rc != JFTS_OK) out->rc = out->text.rc;
  if (out->rc != JFTS_OK) return;
  if (out->n_lines == out->cap_lines) {
    size_t cap = out->cap_lines ? out->cap_lines * 2 : 64;
    PdfLine *grown = jfts_realloc(out->lines, cap * sizeof *grown);
    if (grown == NULL) {
      out->rc = JFTS_ERR_NOMEM;
      return;
    }
    out->lines = grown;
    out->cap_lines = cap;
  }
  out->lines[out->n_lines++] =
      (PdfLine){start, out->text.n - start, out->page, ++out->line, flags};
  jfts_buf_add(&out->text, "\n", 1);
}

/* 1 when line i of out starts a list item or a heading as repair_starts_item reads them,
** with a marker that is no letter or digit (①, ・, •, ■, ※, 【, （1）): what comes before it
** is no wrap however full the line. "2 桁", "10 列)" and "ス）" at the left edge of a justified
** paragraph are too often the rest of its sentence to count here. */
static int line_starts_item(const Out *out, size_t i) {
  const PdfLine *l = &out->lines[i];
  RepLine rl = {.start = l->start_byte, .end = l->start_byte + l->n_bytes,
                .trim_start = l->start_byte, .trim_end = l->start_byte + l->n_bytes};
  uint32_t c;
  if (l->n_bytes == 0 || !repair_starts_item(out->text.p, &rl)) return 0;
  jfts_utf8_next(out->text.p + l->start_byte, l->n_bytes, &c);
  if (c == 0x30FB || c == 0xFF65) return 1; /* ・ */
  return !(c < 0x80 && ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))) &&
         (c < 0x3040 || c == 0xFF08);
}

/* 1 when the line at s[0, n_bytes) ends in a leader and a page number ("はじめに . . . . 12",
** "概要………3"): an entry of a table of contents, which goes on in no next line. */
static int ends_with_leader(const char *s, size_t n_bytes) {
  size_t e = n_bytes, digits = 0, leaders = 0;
  uint32_t c = 0;
  while (e > 0) {
    size_t len = jfts_utf8_prev(s, e, &c);
    if (!((c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19))) break;
    digits++, e -= len;
  }
  while (digits > 0 && e > 0) {
    size_t len = jfts_utf8_prev(s, e, &c);
    if (c == '.' || c == 0x30FB || c == 0x2026 || c == 0x2025 || c == 0xB7 || c == 0xFF0E) leaders++;
    else if (!repair_is_space(c)) break;
    e -= len;
  }
  return leaders >= 3;
}

/* 1 for a glyph that can mark a list item by itself: not a letter, digit, kana or kanji. */
static int is_marker_glyph(const Glyph *gl) {
  uint32_t c;
  jfts_utf8_next(gl->u8, gl->n_u8, &c);
  if (c < 0x80) return !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'));
  return c < 0x3040 && !(c >= 0xC0 && c <= 0x24F); /* punctuation and symbols before kana */
}

/* 1 when x is the left edge (within half an em) of the text after the marker that row r
** starts with: the glyph after a lone marker glyph set apart by a gap (• LTSP, ∗ この, – 「主),
** or, when the line starts an item (item), any of its first few glyphs (（1）相談, ①相談).
** The next line set there goes on with the item (a hanging indent); without a marker a line
** one em in is a paragraph's first line. */
static int under_item_text(const Glyph *g, const size_t *ix, const Row *r, float x, int item) {
  size_t n = r->n < 8 ? r->n : 8;
  for (size_t k = 1; k < n; k++) {
    const Glyph *gl = &g[ix[r->first + k]];
    if (fabsf(gl->x0 - x) > 0.5f * r->size) continue;
    if (item) return 1;
    const Glyph *mark = &g[ix[r->first]];
    return k == 1 && is_marker_glyph(mark) && gap_em(mark, gl) >= PDF_GAP_SPACE;
  }
  return 0;
}

/* The flag of row k of a block whose next row is k + 1 (line first + k of out): a soft wrap
** when the row reaches the block's right edge, has no table cell gap, the next row has its
** font size and starts no item, and the next row starts at the block's left edge, under the
** text of an item this row starts (a hanging indent), or where this row does when this row
** itself went on from the one before (the rest of a hanging indent). */
static unsigned wrap_flag(const Out *out, const Glyph *g, const size_t *idx, const Row *rows,
                          size_t k, size_t first, float bx0, float bx1, int has_tab,
                          unsigned prev_flag) {
  const Row *r = &rows[k], *next = &rows[k + 1];
  float em = r->size;
  const PdfLine *l = &out->lines[first + k];
  if (has_tab || r->x1 < bx1 - em || fabsf(next->size - r->size) > 0.2f * em ||
      line_starts_item(out, first + k + 1) ||
      ends_with_leader(out->text.p + l->start_byte, l->n_bytes))
    return 0;
  if (next->x0 <= bx0 + 0.5f * em) return PDF_LINE_SOFT_WRAP;
  RepLine rl = {.start = l->start_byte, .end = l->start_byte + l->n_bytes,
                .trim_start = l->start_byte, .trim_end = l->start_byte + l->n_bytes};
  if (under_item_text(g, idx, r, next->x0, repair_starts_item(out->text.p, &rl)))
    return PDF_LINE_SOFT_WRAP;
  if ((prev_flag & PDF_LINE_SOFT_WRAP) && fabsf(next->x0 - r->x0) <= 0.5f * em)
    return PDF_LINE_SOFT_WRAP;
  return 0;
}

/* Writes a block's rows as lines, then flags each: the last ends the block, the others are
** soft wraps or hard line ends (wrap_flag). */
static void emit_block(Out *out, const Glyph *g, const size_t *idx, const Row *rows,
                       size_t n_rows) {
  float bx0 = rows[0].x0, bx1 = rows[0].x1;
  for (size_t k = 1; k < n_rows; k++) bx0 = fminf(bx0, rows[k].x0), bx1 = fmaxf(bx1, rows[k].x1);
  size_t first = out->n_lines;
  for (size_t k = 0; k < n_rows && out->rc == JFTS_OK; k++) {
    size_t start = out->text.n;
    int has_tab = 0;
    row_text(out, g, idx + rows[k].first, rows[k].n, &has_tab);
    add_line(out, start, k + 1 == n_rows ? PDF_LINE_BLOCK_END : 0);
  }
  if (out->rc != JFTS_OK) return;
  unsigned prev = 0;
  for (size_t k = 0; k + 1 < n_rows; k++) {
    const PdfLine *l = &out->lines[first + k];
    int has_tab = memchr(out->text.p + l->start_byte, '\t', l->n_bytes) != NULL;
    prev = wrap_flag(out, g, idx, rows, k, first, bx0, bx1, has_tab, prev);
    out->lines[first + k].flags = prev;
  }
}

/* ---- blocks and columns: recursive XY cut ----------------------------------------------- */

/* The widest band free of glyphs across idx[0..n) along x (vertical = 1) or y. Sorts idx
** along that axis unless it is sorted so already (sorted = 1); returns the band's width and in
** *split_out the index where it falls. */
static float widest_band(const Glyph *g, size_t *idx, size_t n, int vertical, int sorted,
                         size_t *split_out) {
  if (!sorted) sort_idx(g, idx, n, vertical ? cmp_x0 : cmp_y0);
  float best = 0, reach = vertical ? g[idx[0]].x1 : g[idx[0]].y1;
  *split_out = 0;
  for (size_t i = 1; i < n; i++) {
    const Glyph *gl = &g[idx[i]];
    float lo = vertical ? gl->x0 : gl->y0, hi = vertical ? gl->x1 : gl->y1;
    if (lo - reach > best) best = lo - reach, *split_out = i;
    if (hi > reach) reach = hi;
  }
  return best;
}

static float mean_size(const Glyph *g, const size_t *idx, size_t n) {
  double sum = 0;
  for (size_t i = 0; i < n; i++) sum += g[idx[i]].size;
  return n ? (float)(sum / (double)n) : 1;
}

static float span_x(const Glyph *g, const size_t *idx, size_t n) {
  float lo = g[idx[0]].x0, hi = g[idx[0]].x1;
  for (size_t i = 1; i < n; i++) lo = fminf(lo, g[idx[i]].x0), hi = fmaxf(hi, g[idx[i]].x1);
  return hi - lo;
}

/* Fraction of the rows of part a that have a row of part b on the same baseline, and in
** *full_out the fraction of a's rows that reach a's right edge (wrapped text). */
static float aligned_rows(const Row *a, size_t n_a, const Row *b, size_t n_b, float *full_out) {
  size_t aligned = 0, full = 0;
  float right = a[0].x1;
  for (size_t i = 1; i < n_a; i++) right = fmaxf(right, a[i].x1);
  for (size_t i = 0, j = 0; i < n_a; i++) {
    while (j < n_b && b[j].y1 < a[i].y1 - 0.3f * a[i].size) j++;
    if (j < n_b && fabsf(b[j].y1 - a[i].y1) <= 0.3f * a[i].size) aligned++;
    if (a[i].x1 >= right - a[i].size) full++;
  }
  *full_out = (float)full / (float)n_a;
  return (float)aligned / (float)n_a;
}

/* 1 when the parts idx[0..split) (left) and idx[split..n) are columns of text to be read
** one after the other; 0 when they are columns of a table, to be read row by row: table
** cells share their rows' baselines and rarely fill their width, lines of text columns do.
** Reorders each part's indices (make_rows); the caller re-sorts as it needs. */
static int are_columns(Out *out, const Glyph *g, size_t *idx, size_t split, size_t n, float em) {
  if (span_x(g, idx, split) < PDF_COLUMN_MIN * em ||
      span_x(g, idx + split, n - split) < PDF_COLUMN_MIN * em)
    return 0;
  Row *l = NULL, *r = NULL;
  size_t n_l = 0, n_r = 0;
  int columns = 1;
  int rc = make_rows(g, idx, split, &l, &n_l);
  if (rc == JFTS_OK) rc = make_rows(g, idx + split, n - split, &r, &n_r);
  if (rc != JFTS_OK) {
    out->rc = rc;
  } else if (n_l > 0 && n_r > 0) {
    float full_l, full_r;
    float al = n_l <= n_r ? aligned_rows(l, n_l, r, n_r, &full_l)
                          : aligned_rows(r, n_r, l, n_l, &full_r);
    aligned_rows(l, n_l, r, n_r, &full_l);
    aligned_rows(r, n_r, l, n_l, &full_r);
    /* Any one or two lines fill their own width: the fill says something from three up. */
    columns = al < 0.8f || (n_l >= 3 && n_r >= 3 && full_l >= 0.6f && full_r >= 0.6f);
  }
  jfts_free(l);
  jfts_free(r);
  return columns;
}

/* Reads the region idx[0..n) into out: columns left to right when a wide glyph-free band
** splits it into parts that are both columns of text; otherwise blocks top to bottom at
** bands higher than PDF_BLOCK_GAP; otherwise one block of lines (a paragraph, or a table
** whose rows come out as lines with their cells apart). by_y0: idx is sorted by cmp_y0
** already (a block cut from a region so sorted), which spares the sort for the blocks; the
** columns are looked for in a copy sorted by x, so that the order stays when there are none. */
static void cut_region(Out *out, const Glyph *g, size_t *idx, size_t n, int depth, int by_y0) {
  if (n == 0 || out->rc != JFTS_OK) return;
  float em = mean_size(g, idx, n);
  size_t split;
  if (depth < PDF_MAX_DEPTH) {
    /* Two columns are each PDF_COLUMN_MIN wide with a gutter between: a narrower region is
    ** never cut across, and need not be sorted by x to know it. */
    if (span_x(g, idx, n) >= (2 * PDF_COLUMN_MIN + PDF_GUTTER_MIN) * em) {
      size_t *by_x = by_y0 ? jfts_malloc(n * sizeof *by_x) : NULL;
      size_t *v = by_x ? by_x : idx;
      if (by_x) memcpy(by_x, idx, n * sizeof *by_x);
      float vband = widest_band(g, v, n, 1, 0, &split);
      if (vband >= PDF_GUTTER_MIN * em && are_columns(out, g, v, split, n, em)) {
        if (by_x) memcpy(idx, by_x, n * sizeof *idx);
        jfts_free(by_x);
        cut_region(out, g, idx, split, depth + 1, 0);
        cut_region(out, g, idx + split, n - split, depth + 1, 0);
        return;
      }
      if (by_x == NULL) by_y0 = 0; /* idx itself was sorted by x (and rows) */
      jfts_free(by_x);
      if (out->rc != JFTS_OK) return;
    }
    /* All the blocks at once, not one band per level: a page of many paragraphs would
    ** otherwise cost a sort per paragraph. */
    if (widest_band(g, idx, n, 0, by_y0, &split) >= PDF_BLOCK_GAP * em) {
      float reach = g[idx[0]].y1;
      size_t from = 0;
      for (size_t i = 1; i <= n && out->rc == JFTS_OK; i++) {
        if (i < n && g[idx[i]].y0 - reach < PDF_BLOCK_GAP * em) {
          reach = fmaxf(reach, g[idx[i]].y1);
          continue;
        }
        cut_region(out, g, idx + from, i - from, depth + 1, 1);
        if (i < n) from = i, reach = g[idx[i]].y1;
      }
      return;
    }
  }
  Row *rows = NULL;
  size_t n_rows = 0;
  int rc = make_rows(g, idx, n, &rows, &n_rows);
  if (rc != JFTS_OK) {
    out->rc = rc;
    return;
  }
  emit_block(out, g, idx, rows, n_rows);
  jfts_free(rows);
}

/* ---- running headers and footers -------------------------------------------------------- */

typedef struct Piece {
  char *key;     /* text with digits made '#', then '@' zone and position */
  uint32_t page; /* 0-based */
  size_t *ix;    /* the piece's glyph indices (into that page's glyphs), in x order */
  size_t n;
  int numeric;   /* a page number on its own ("14 / 95", "- 3 -") */
} Piece;

typedef struct Pieces {
  Piece *p;
  size_t n, cap;
} Pieces;

/* 1 when s (digits already '#') is a page number: '#' plus separators only. */
static int is_page_number(const char *s) {
  static const char *const seps[] = {"#", " ", "/", "-", ".", "(", ")", "p", "P", "－", "ー",
                                     "‐", "—", "−", "（", "）", "／", "頁", "ページ", "第"};
  int digits = 0;
  while (*s && *s != '@') {
    size_t k, len = 0;
    for (k = 0; k < sizeof seps / sizeof *seps; k++) {
      len = strlen(seps[k]);
      if (strncmp(s, seps[k], len) == 0) break;
    }
    if (k == sizeof seps / sizeof *seps) return 0;
    digits |= k == 0;
    s += len;
  }
  return digits;
}

/* Adds the pieces of one row that lies in the top or bottom margin of page p; a page number
** counts as one only in the page's first or last row (outermost), not in a table cell. */
static int add_pieces(Pieces *ps, const PageGlyphs *pg, uint32_t p, const size_t *ix, size_t n,
                      char zone, int outermost) {
  size_t from = 0;
  for (size_t k = 1; k <= n; k++) {
    if (k < n && gap_em(&pg->g[ix[k - 1]], &pg->g[ix[k]]) < PDF_SEGMENT_GAP) continue;
    JftsBuf b = {NULL, 0, 0, JFTS_OK};
    float y = pg->g[ix[from]].y0;
    for (size_t j = from; j < k; j++) {
      const Glyph *gl = &pg->g[ix[j]];
      unsigned char c = gl->u8[0];
      if (gl->n_u8 == 1 && c >= '0' && c <= '9')
        jfts_buf_add(&b, "#", 1);
      else if (gl->n_u8 == 3 && memcmp(gl->u8, "\xef\xbc", 2) == 0 && gl->u8[2] >= 0x90 &&
               gl->u8[2] <= 0x99) /* full-width digits */
        jfts_buf_add(&b, "#", 1);
      else
        jfts_buf_add(&b, (const char *)gl->u8, gl->n_u8);
    }
    char pos[32];
    snprintf(pos, sizeof pos, "@%c%d", zone, (int)lrintf(y / 4));
    jfts_buf_add(&b, pos, strlen(pos));
    size_t *copy = jfts_malloc((k - from) * sizeof *copy);
    if (copy != NULL && b.rc == JFTS_OK && ps->n == ps->cap) {
      size_t cap = ps->cap ? ps->cap * 2 : 32;
      Piece *grown = jfts_realloc(ps->p, cap * sizeof *grown);
      if (grown != NULL) ps->p = grown, ps->cap = cap;
    }
    if (b.rc != JFTS_OK || copy == NULL || ps->n == ps->cap) {
      jfts_buf_free(&b);
      jfts_free(copy);
      return JFTS_ERR_NOMEM;
    }
    memcpy(copy, ix + from, (k - from) * sizeof *copy);
    ps->p[ps->n++] = (Piece){b.p, p, copy, k - from, outermost && is_page_number(b.p)};
    from = k;
  }
  return JFTS_OK;
}

static int cmp_piece(const void *a, const void *b) {
  const Piece *x = a, *y = b;
  int c = strcmp(x->key, y->key);
  return c ? c : (x->page > y->page) - (x->page < y->page);
}

/* Marks as furniture the margin pieces that recur at the same place on most pages (at least
** two, and at least half of the pages with text) and the page numbers. */
static int mark_furniture(PageGlyphs *pages, uint32_t n_pages) {
  Pieces ps = {NULL, 0, 0};
  int rc = JFTS_OK;
  uint32_t with_text = 0;
  for (uint32_t p = 0; p < n_pages && rc == JFTS_OK; p++) {
    PageGlyphs *pg = &pages[p];
    if (pg->n == 0) continue;
    with_text++;
    size_t *idx = jfts_malloc(pg->n * sizeof *idx);
    Row *rows = NULL;
    size_t n_rows = 0;
    if (idx == NULL) rc = JFTS_ERR_NOMEM;
    for (size_t i = 0; rc == JFTS_OK && i < pg->n; i++) idx[i] = i;
    if (rc == JFTS_OK) rc = make_rows(pg->g, idx, pg->n, &rows, &n_rows);
    float top = (float)(pg->height * PDF_MARGIN_ZONE);
    float bottom = (float)(pg->height * (1 - PDF_MARGIN_ZONE));
    for (size_t k = 0; rc == JFTS_OK && k < n_rows; k++) {
      int outermost = k == 0 || k + 1 == n_rows;
      if (rows[k].y1 <= top)
        rc = add_pieces(&ps, pg, p, idx + rows[k].first, rows[k].n, 't', outermost);
      else if (rows[k].y0 >= bottom)
        rc = add_pieces(&ps, pg, p, idx + rows[k].first, rows[k].n, 'b', outermost);
    }
    jfts_free(rows);
    jfts_free(idx);
  }
  if (rc == JFTS_OK && ps.n > 0) qsort(ps.p, ps.n, sizeof *ps.p, cmp_piece);
  uint32_t need = (with_text + 1) / 2 < 2 ? 2 : (with_text + 1) / 2;
  for (size_t i = 0; rc == JFTS_OK && i < ps.n;) {
    size_t j = i;
    uint32_t n_distinct = 0;
    for (; j < ps.n && strcmp(ps.p[j].key, ps.p[i].key) == 0; j++)
      if (j == i || ps.p[j].page != ps.p[j - 1].page) n_distinct++;
    for (size_t k = i; k < j; k++) {
      if (n_distinct < need && !ps.p[k].numeric) continue;
      for (size_t m = 0; m < ps.p[k].n; m++) pages[ps.p[k].page].g[ps.p[k].ix[m]].furn = 1;
    }
    i = j;
  }
  for (size_t i = 0; i < ps.n; i++) jfts_free(ps.p[i].key), jfts_free(ps.p[i].ix);
  jfts_free(ps.p);
  return rc;
}

/* ---- pages, document info, errors -------------------------------------------------------- */

/* Writes page p's furniture into page->furniture and its body lines into out. */
static int read_page_text(Out *out, PageGlyphs *pg, PdfPage *page) {
  int rc = JFTS_OK;
  size_t n_furn = 0, n_body = 0;
  size_t *idx = jfts_malloc((pg->n ? pg->n : 1) * sizeof *idx);
  Row *rows = NULL;
  size_t n_rows = 0;
  if (idx == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < pg->n; i++)
    if (pg->g[i].furn) idx[n_furn++] = i;
  if (n_furn > 0) {
    Out f = {{NULL, 0, 0, JFTS_OK}, NULL, 0, 0, JFTS_OK, 0, 0};
    rc = make_rows(pg->g, idx, n_furn, &rows, &n_rows);
    for (size_t k = 0; rc == JFTS_OK && k < n_rows; k++) {
      int has_tab;
      row_text(&f, pg->g, idx + rows[k].first, rows[k].n, &has_tab);
      jfts_buf_add(&f.text, "\n", 1);
      if (f.rc == JFTS_OK) f.rc = f.text.rc;
      rc = f.rc;
    }
    if (rc == JFTS_OK) page->furniture = f.text.p, f.text.p = NULL;
    jfts_buf_free(&f.text);
  }
  for (size_t i = 0; i < pg->n; i++)
    if (!pg->g[i].furn) idx[n_body++] = i;
  size_t before = out->n_lines;
  if (rc == JFTS_OK) {
    cut_region(out, pg->g, idx, n_body, 0, 0);
    rc = out->rc;
  }
  page->n_lines = (uint32_t)(out->n_lines - before);
  jfts_free(rows);
  jfts_free(idx);
  return rc;
}

/* A GLib string as a new jfts string (NULL stays NULL); sets *rc when out of memory. */
static char *dup_info(gchar *s, int *rc) {
  char *copy = NULL;
  if (s != NULL && *s != '\0') {
    copy = jfts_strdup(s);
    if (copy == NULL) *rc = JFTS_ERR_NOMEM;
  }
  g_free(s);
  return copy;
}

static char *dup_date(GDateTime *t, int *rc) {
  return t ? dup_info(g_date_time_format(t, "%Y-%m-%dT%H:%M:%S%:z"), rc) : NULL;
}

static int read_info(PopplerDocument *pd, PdfDoc *doc) {
  int rc = JFTS_OK;
  doc->title = dup_info(poppler_document_get_title(pd), &rc);
  doc->author = dup_info(poppler_document_get_author(pd), &rc);
  doc->subject = dup_info(poppler_document_get_subject(pd), &rc);
  doc->creator = dup_info(poppler_document_get_creator(pd), &rc);
  doc->producer = dup_info(poppler_document_get_producer(pd), &rc);
  GDateTime *created = poppler_document_get_creation_date_time(pd);
  GDateTime *modified = poppler_document_get_modification_date_time(pd);
  doc->created = dup_date(created, &rc);
  doc->modified = dup_date(modified, &rc);
  if (created) g_date_time_unref(created);
  if (modified) g_date_time_unref(modified);
  return rc;
}

/* Appends "what on pages a-b" (or "on page a") to b, "; " first when b is not empty. */
static void add_range(JftsBuf *b, const char *what, uint32_t first, uint32_t last) {
  char num[64];
  if (b->n > 0) jfts_buf_add(b, "; ", 2);
  jfts_buf_add(b, what, strlen(what));
  if (first == last) snprintf(num, sizeof num, " on page %u", (unsigned)first);
  else snprintf(num, sizeof num, " on pages %u-%u", (unsigned)first, (unsigned)last);
  jfts_buf_add(b, num, strlen(num));
}

/* Sums the page errors up into b, consecutive pages with the same error as one range. */
static void sum_up_errors(const PdfDoc *doc, JftsBuf *b) {
  for (uint32_t p = 0; p < doc->n_pages;) {
    const char *e = doc->pages[p].error;
    if (e == NULL) {
      p++;
      continue;
    }
    uint32_t q = p + 1;
    while (q < doc->n_pages && doc->pages[q].error && strcmp(doc->pages[q].error, e) == 0) q++;
    add_range(b, e, p + 1, q);
    p = q;
  }
}

static const char k_no_text[] = "no text layer (scanned?)";

/* Reads every page of pd into doc. Pages that fail are recorded in doc->pages. */
static int read_pages(PopplerDocument *pd, PdfDoc *doc, Out *out) {
  int rc = JFTS_OK;
  PageGlyphs *pages = jfts_calloc(doc->n_pages ? doc->n_pages : 1, sizeof *pages);
  if (pages == NULL) return JFTS_ERR_NOMEM;
  for (uint32_t p = 0; p < doc->n_pages && rc == JFTS_OK; p++) {
    PopplerPage *page = poppler_document_get_page(pd, (int)p);
    if (page == NULL) {
      doc->pages[p].error = jfts_strdup("cannot read the page");
      if (doc->pages[p].error == NULL) rc = JFTS_ERR_NOMEM;
      continue;
    }
    rc = page_glyphs(page, &pages[p]);
    g_object_unref(page);
    if (rc == JFTS_OK && pages[p].n == 0 && pages[p].has_image) {
      doc->pages[p].error = jfts_strdup(k_no_text);
      if (doc->pages[p].error == NULL) rc = JFTS_ERR_NOMEM;
    }
  }
  if (rc == JFTS_OK) rc = mark_furniture(pages, doc->n_pages);
  for (uint32_t p = 0; p < doc->n_pages && rc == JFTS_OK; p++) {
    out->page = p + 1;
    out->line = 0;
    rc = read_page_text(out, &pages[p], &doc->pages[p]);
  }
  for (uint32_t p = 0; p < doc->n_pages; p++) jfts_free(pages[p].g);
  jfts_free(pages);
  return rc;
}

/* Opens raw as a poppler document, or says why not in *err_out. */
static int open_document(const unsigned char *raw, size_t n_bytes, const char *name,
                         PopplerDocument **pd_out, char **err_out) {
  GError *gerr = NULL;
  GBytes *bytes = g_bytes_new_static(raw, n_bytes);
  *pd_out = poppler_document_new_from_bytes(bytes, NULL, &gerr);
  g_bytes_unref(bytes);
  if (*pd_out != NULL) return JFTS_OK;
  if (gerr != NULL && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
    jfts_set_error(err_out, "'%s': encrypted PDF (a password is needed)", name);
  else
    jfts_set_error(err_out, "'%s': not a readable PDF (%s)", name,
                   gerr && gerr->message ? gerr->message : "poppler cannot open it");
  if (gerr) g_error_free(gerr);
  return JFTS_ERR_INPUT;
}

/* poppler reports syntax errors in the file through this callback; the reader's caller
** learns of a damaged file from the return code instead. */
extern void jfts_poppler_set_error_callback(void (*cb)(int category, long long pos,
                                                       const char *msg))
    __asm__("_Z16setErrorCallbackPFv13ErrorCategoryxPKcE");

static void quiet_poppler(int category, long long pos, const char *msg) {
  (void)category, (void)pos, (void)msg;
}

static void quiet_glib_log(const gchar *domain, GLogLevelFlags level, const gchar *msg,
                           gpointer data) {
  (void)domain, (void)level, (void)msg, (void)data;
}

/* Turns off, for the whole process, poppler's diagnostics on stderr: the core library's
** syntax errors and the GLib binding's warnings (log domain "Poppler": a bad date's time
** zone). Only G_LOG_LEVEL_ERROR, which aborts anyway, still goes through. */
static void silence_poppler_once(void) {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    jfts_poppler_set_error_callback(quiet_poppler);
    g_log_set_handler("Poppler",
                      G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE |
                          G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG | G_LOG_FLAG_FATAL |
                          G_LOG_FLAG_RECURSION,
                      quiet_glib_log, NULL);
    g_once_init_leave(&done, 1);
  }
}

int pdf_read(const unsigned char *raw, size_t n_bytes, const char *name_for_errors,
             PdfDoc **doc_out, char **err_out) {
  const char *name = name_for_errors ? name_for_errors : "PDF";
  PopplerDocument *pd = NULL;
  Out out = {{NULL, 0, 0, JFTS_OK}, NULL, 0, 0, JFTS_OK, 0, 0};
  JftsBuf warn = {NULL, 0, 0, JFTS_OK};
  PdfDoc *doc = NULL;
  int rc = JFTS_OK;
  *doc_out = NULL;
  if ((raw == NULL && n_bytes > 0) || n_bytes > (size_t)G_MAXINT) {
    jfts_set_error(err_out, "'%s': no PDF bytes given, or more than 2 GB", name);
    return JFTS_ERR_USAGE;
  }
  silence_poppler_once();
  rc = open_document(raw ? raw : (const unsigned char *)"", n_bytes, name, &pd, err_out);
  if (rc == JFTS_OK) {
    doc = jfts_calloc(1, sizeof *doc);
    if (doc == NULL) rc = JFTS_ERR_NOMEM;
  }
  if (rc == JFTS_OK) {
    int n = poppler_document_get_n_pages(pd);
    doc->n_pages = n > 0 ? (uint32_t)n : 0;
    doc->pages = jfts_calloc(doc->n_pages ? doc->n_pages : 1, sizeof *doc->pages);
    if (doc->pages == NULL) rc = JFTS_ERR_NOMEM;
  }
  if (rc == JFTS_OK) rc = read_info(pd, doc);
  if (rc == JFTS_OK) rc = read_pages(pd, doc, &out);
  jfts_buf_add(&out.text, "", 0);
  if (rc == JFTS_OK && out.text.rc != JFTS_OK) rc = out.text.rc;
  if (rc == JFTS_OK) {
    doc->text = out.text.p, out.text.p = NULL;
    doc->n_bytes = out.text.n;
    doc->lines = out.lines, out.lines = NULL;
    doc->n_lines = out.n_lines;
    for (uint32_t p = 0; p < doc->n_pages; p++) doc->n_failed += doc->pages[p].error != NULL;
    sum_up_errors(doc, &warn);
    if (warn.rc != JFTS_OK) rc = JFTS_ERR_NOMEM;
    doc->warning = warn.p, warn.p = NULL;
  }
  if (rc == JFTS_OK && doc->n_lines == 0) {
    int furniture = 0;
    for (uint32_t p = 0; p < doc->n_pages; p++) furniture |= doc->pages[p].furniture != NULL;
    if (!furniture) {
      rc = JFTS_ERR_INPUT;
      if (doc->n_pages == 0) jfts_set_error(err_out, "'%s': no pages", name);
      else if (doc->n_pages == 1) jfts_set_error(err_out, "'%s': %s on page 1", name, k_no_text);
      else jfts_set_error(err_out, "'%s': %s on pages 1-%u", name, k_no_text,
                          (unsigned)doc->n_pages);
    }
  }
  if (pd) g_object_unref(pd);
  jfts_buf_free(&out.text);
  jfts_buf_free(&warn);
  jfts_free(out.lines);
  if (rc != JFTS_OK) {
    pdf_doc_free(doc);
    doc = NULL;
  }
  *doc_out = doc;
  return rc;
}

void pdf_doc_free(PdfDoc *doc) {
  if (doc == NULL) return;
  for (uint32_t p = 0; doc->pages && p < doc->n_pages; p++) {
    jfts_free(doc->pages[p].furniture);
    jfts_free(doc->pages[p].error);
  }
  jfts_free(doc->pages);
  jfts_free(doc->text);
  jfts_free(doc->lines);
  jfts_free(doc->warning);
  jfts_free(doc->title);
  jfts_free(doc->author);
  jfts_free(doc->subject);
  jfts_free(doc->creator);
  jfts_free(doc->producer);
  jfts_free(doc->created);
  jfts_free(doc->modified);
  jfts_free(doc);
}

int pdf_doc_join_soft_wraps(const PdfDoc *doc, char **text_out, size_t *n_bytes_out) {
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  jfts_buf_add(&b, "", 0);
  for (size_t i = 0; i < doc->n_lines; i++) {
    const PdfLine *l = &doc->lines[i];
    const char *s = doc->text + l->start_byte;
    jfts_buf_add(&b, s, l->n_bytes);
    if (!(l->flags & PDF_LINE_SOFT_WRAP) || i + 1 == doc->n_lines) {
      jfts_buf_add(&b, "\n", 1);
    } else {
      const PdfLine *next = &doc->lines[i + 1];
      uint32_t before, after;
      if (l->n_bytes > 0 && next->n_bytes > 0 && jfts_utf8_prev(s, l->n_bytes, &before) > 0 &&
          jfts_utf8_next(doc->text + next->start_byte, next->n_bytes, &after) > 0 &&
          repair_wrap_space(before, after))
        jfts_buf_add(&b, " ", 1);
    }
  }
  *text_out = NULL;
  *n_bytes_out = 0;
  if (b.rc != JFTS_OK) {
    jfts_buf_free(&b);
    return JFTS_ERR_NOMEM;
  }
  *text_out = b.p;
  *n_bytes_out = b.n;
  return JFTS_OK;
}
