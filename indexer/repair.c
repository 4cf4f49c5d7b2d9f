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

int repair_is_open_bracket(uint32_t c) {
  return c == '(' || c == '[' || c == '{' || c == 0xFF08 || c == 0xFF3B || c == 0xFF5B ||
         c == 0xFF62 || (c >= 0x3008 && c <= 0x3017 && c % 2 == 0 && c != 0x3012) || c == 0x3018 ||
         c == 0x301A || c == 0x301D || c == 0x2018 || c == 0x201C || c == 0xAB;
}

int repair_is_close_bracket(uint32_t c) {
  return c == ')' || c == ']' || c == '}' || c == 0xFF09 || c == 0xFF3D || c == 0xFF5D ||
         c == 0xFF63 || (c >= 0x3009 && c <= 0x3017 && c % 2 == 1 && c != 0x3013) || c == 0x3019 ||
         c == 0x301B || c == 0x301E || c == 0x301F || c == 0x2019 || c == 0x201D || c == 0xBB;
}

typedef enum CharKind { CK_OTHER = 0, CK_LATIN, CK_DIGIT } CharKind;

/* Chars that NFKC_Casefold turns into (or starts or ends with) a digit: ①-⑳ and ㉑-㊿,
** ⒈-⒛, ⓪, ⓵-⓾, superscript and subscript digits. Glued to a digit they would fuse two
** numbers into one word (514 + ④ -> 5144). */
static int is_digit_like(uint32_t c) {
  return (c >= 0x2460 && c <= 0x2473) || (c >= 0x2488 && c <= 0x249B) || c == 0x24EA ||
         (c >= 0x24F5 && c <= 0x24FE) || (c >= 0x3251 && c <= 0x325F) ||
         (c >= 0x32B1 && c <= 0x32BF) || c == 0xB2 || c == 0xB3 || c == 0xB9 ||
         (c >= 0x2070 && c <= 0x2079) || (c >= 0x2080 && c <= 0x2089);
}

static CharKind char_kind(uint32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return CK_LATIN;
  if ((c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) return CK_LATIN;
  if (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) return CK_LATIN;
  if ((c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) || is_digit_like(c)) return CK_DIGIT;
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

/* Latin words wrapped at a line end were separated by the break, and two numbers are never
** fused into one; a digit and Japanese were cut mid-word (8050 / 問題). */
int repair_wrap_space(uint32_t before, uint32_t after) {
  return char_kind(before) != CK_OTHER && char_kind(after) != CK_OTHER;
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
      if (repair_wrap_space(before, after)) put_bytes(t, " ", 1, rc);
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

/* ---- structural signals ---------------------------------------------------------------- */

static int is_ascii_or_wide_digit(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
}

static int is_kanji_numeral(uint32_t c) {
  static const uint32_t k[] = {0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94, 0x516D,
                               0x4E03, 0x516B, 0x4E5D, 0x5341, 0x3007}; /* 一…十 〇 */
  for (size_t i = 0; i < sizeof k / sizeof *k; i++)
    if (c == k[i]) return 1;
  return 0;
}

int repair_ends_sentence(const char *text, const RepLine *l) {
  size_t e = l->trim_end;
  uint32_t c = 0;
  while (e > l->trim_start) {
    e -= jfts_utf8_prev(text, e, &c);
    if (!repair_is_close_bracket(c)) break;
  }
  return c == 0x3002 || c == 0xFF0E || c == 0xFF01 || c == 0xFF1F || c == '!' || c == '?' ||
         c == 0xFF61;
}

/* The chars of a line as code points, at most max of them; returns how many. */
static size_t line_head(const char *text, const RepLine *l, uint32_t *cp, size_t max) {
  size_t n = 0, i = l->trim_start;
  while (n < max && i < l->trim_end) i += jfts_utf8_next(text + i, l->trim_end - i, &cp[n++]);
  return n;
}

/* Counters after a number that make "3 年", "2 回" text rather than a numbered heading. */
static int is_counter(uint32_t c) {
  static const uint32_t k[] = {0x56DE, 0x5E74, 0x6708, 0x65E5, 0x540D, 0x4EF6, 0x4EBA, 0x6B73,
                               0x6642, 0x5206, 0x500B, 0x7B87, 0x30F6, 0x304B, 0x5186, 0x4E07,
                               0x5104, 0x5343, 0x767E, 0x5272, '%', 0xFF05, 0x4E16, 0x5EA6};
  for (size_t i = 0; i < sizeof k / sizeof *k; i++)
    if (c == k[i]) return 1;
  return is_ascii_or_wide_digit(c) || c == ',' || c == 0xFF0C || c == '.' || c == 0xFF0E;
}

int repair_starts_item(const char *text, const RepLine *l) {
  uint32_t c[8];
  size_t n = line_head(text, l, c, 8);
  if (n == 0) return 0;
  uint32_t c0 = c[0];
  if ((c0 >= 0x2460 && c0 <= 0x249B) || (c0 >= 0x3251 && c0 <= 0x325F) ||
      (c0 >= 0x32B1 && c0 <= 0x32BF) || (c0 >= 0x2776 && c0 <= 0x2793))
    return 1; /* ① ⑴ ⒈ ❶ */
  static const uint32_t k_marks[] = {0x30FB, 0xFF65, 0x2010, 0x2011, 0x2022, 0x203B, 0x25A0,
                                     0x25A1, 0x25C6, 0x25C7, 0x25CB, 0x25CF, 0x25CE, 0x3007,
                                     0x25BC, 0x25B2, 0x25BD, 0x25B3, 0x2605, 0x2606, 0x25EF,
                                     0x3010, 0x25B6, 0x25BA, 0x27A2, 0x2023};
  for (size_t i = 0; i < sizeof k_marks / sizeof *k_marks; i++)
    if (c0 == k_marks[i]) return 1;
  if ((c0 == '-' || c0 == '*' || c0 == 0x2013 || c0 == 0x2212) && n > 1 && repair_is_space(c[1]))
    return 1;
  /* （1） (12) （ア） (a) （一） */
  if ((c0 == 0xFF08 || c0 == '(') && n >= 3) {
    size_t k = 1;
    if (is_ascii_or_wide_digit(c[k])) {
      k++;
      if (k < n && is_ascii_or_wide_digit(c[k])) k++;
    } else if ((c[k] >= 0x30A1 && c[k] <= 0x30F6) || (c[k] >= 0x3041 && c[k] <= 0x3096) ||
               (c[k] < 0x80 && ((c[k] | 0x20) >= 'a' && (c[k] | 0x20) <= 'z')) ||
               is_kanji_numeral(c[k])) {
      k++;
    } else {
      return 0;
    }
    return k < n && (c[k] == 0xFF09 || c[k] == ')');
  }
  /* ア） エ) */
  if (c0 >= 0x30A1 && c0 <= 0x30F6 && n >= 2 && (c[1] == 0xFF09 || c[1] == ')')) return 1;
  /* 第1章 第３節 第二条 第一次 第2期 */
  if (c0 == 0x7B2C) {
    size_t k = 1;
    while (k < n && repair_is_space(c[k])) k++;
    size_t d = k;
    while (k < n && (is_ascii_or_wide_digit(c[k]) || is_kanji_numeral(c[k]))) k++;
    size_t after = k;
    while (k < n && repair_is_space(c[k])) k++;
    if (k > d && k > after && k < n && !is_counter(c[k])) return 1; /* 第１　趣旨 */
    return k > d && k < n &&
           (c[k] == 0x7AE0 || c[k] == 0x7BC0 || c[k] == 0x6761 || c[k] == 0x90E8 ||
            c[k] == 0x7DE8 || c[k] == 0x6B21 || c[k] == 0x671F); /* 章節条部編次期 */
  }
  /* 1 今年度の… １．目的 2、 */
  if (is_ascii_or_wide_digit(c0)) {
    size_t k = 1;
    if (k < n && is_ascii_or_wide_digit(c[k])) k++;
    size_t after = k;
    if (k < n && (c[k] == '.' || c[k] == 0xFF0E || c[k] == 0x3001)) k++;
    while (k < n && repair_is_space(c[k])) k++;
    return k > after && k < n && !is_counter(c[k]);
  }
  return 0;
}

size_t repair_line_width(const char *text, const RepLine *l) {
  size_t w = 0;
  for (size_t i = l->trim_start; i < l->trim_end;) {
    uint32_t c;
    i += jfts_utf8_next(text + i, l->trim_end - i, &c);
    w += (c < 0x1100 || (c >= 0xFF61 && c <= 0xFF9F)) ? 1 : 2;
  }
  return w;
}

static int is_katakana(uint32_t c) {
  return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c >= 0xFF66 && c <= 0xFF9F);
}

/* 1 when a line break between last and first is surely inside a word or sentence, however
** short the line: the next line starts with a small kana, ー, 、 or 。 (which start no
** paragraph), or both sides are katakana (サイ / ズ in a narrow table cell, アップ / グレード). */
static int word_goes_on(uint32_t last, uint32_t first) {
  static const uint32_t k_never_first[] = {0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063,
                                           0x3083, 0x3085, 0x3087, 0x308E, 0x30A1, 0x30A3,
                                           0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5,
                                           0x30E7, 0x30EE, 0x30FC, 0x3001, 0x3002, 0xFF64,
                                           0xFF61, 0xFF70};
  for (size_t i = 0; i < sizeof k_never_first / sizeof *k_never_first; i++)
    if (first == k_never_first[i]) return 1;
  return is_katakana(last) && is_katakana(first);
}

/* Display width of a line's leading white space: a next line deeper by more than
** REP_HANGING_INDENT columns (more than a paragraph's first-line indent) is a hanging indent
** (a table-of-contents entry, a list item), which continues whatever the widths say. */
#define REP_HANGING_INDENT 4
static size_t indent_width(const char *text, const RepLine *l) {
  size_t w = 0;
  for (size_t i = l->start; i < l->trim_start;) {
    uint32_t c;
    i += jfts_utf8_next(text + i, l->trim_start - i, &c);
    w += c == 0x3000 ? 2 : 1;
  }
  return w;
}

/* Columns by which a line must fall short of its neighbours to count as ending early: two
** wide chars (a wrapped line can lose one to line-start rules for 、。), or a sixth of the
** line where it is wider (half-width Latin and digits in proportional fonts make justified
** lines differ in columns). */
#define REP_SHORT_SLACK 4
#define REP_SHORT_PART 6

void repair_infer_block_ends(const char *text, RepLine *lines, size_t n_lines, int blank_ends) {
  size_t prev = n_lines; /* previous non-blank line, none yet */
  for (size_t i = 0; i < n_lines; i++) {
    RepLine *l = &lines[i];
    l->ends_block = 0;
    if (l->trim_start >= l->trim_end) continue;
    size_t next = i + 1;
    while (next < n_lines && lines[next].trim_start >= lines[next].trim_end) next++;
    uint32_t last, first = 0;
    jfts_utf8_prev(text, l->trim_end, &last);
    if (next < n_lines)
      jfts_utf8_next(text + lines[next].trim_start, lines[next].trim_end - lines[next].trim_start,
                     &first);
    if (next < n_lines && (repair_is_open_bracket(last) || repair_is_close_bracket(first))) {
      l->ends_block = 0; /* a bracket pair goes on: "（" / "エ）" */
    } else if (next >= n_lines || (blank_ends && next > i + 1) || repair_ends_sentence(text, l) ||
               repair_starts_item(text, &lines[next])) {
      l->ends_block = 1;
    } else if (!word_goes_on(last, first) &&
               indent_width(text, &lines[next]) <= indent_width(text, l) + REP_HANGING_INDENT) {
      size_t ref = repair_line_width(text, &lines[next]);
      if (prev < n_lines && !repair_ends_sentence(text, &lines[prev])) {
        size_t w = repair_line_width(text, &lines[prev]);
        if (w > ref) ref = w;
      }
      size_t slack = ref / REP_SHORT_PART;
      if (slack < REP_SHORT_SLACK) slack = REP_SHORT_SLACK;
      l->ends_block = char_kind(last) != CK_LATIN && repair_line_width(text, l) + slack < ref;
    }
    prev = i;
  }
}
