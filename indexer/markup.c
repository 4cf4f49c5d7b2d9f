/* Markup readers (markup.h): Markdown and HTML to the plain text of the report parser. Both
** walk the decoded text once and copy what is text, dropping markup, into an output that
** keeps a raw offset for every byte and every '\n' of the source, so that lines and offsets
** of passages are the file's own. */
#include "markup.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "jfts_common.h"

/* ---- output with its raw map ------------------------------------------------------------- */

typedef struct Out {
  const DecodedText *src;
  char *t;        /* output text */
  uint32_t *map;  /* raw offset of each output byte */
  size_t n, cap;  /* bytes used, allocated (t and map alike) */
  int rc;         /* sticky: JFTS_ERR_NOMEM once an allocation failed */
} Out;

static int grow(Out *o, size_t more) {
  if (o->rc != JFTS_OK) return 0;
  if (o->n + more + 1 <= o->cap) return 1;
  size_t cap = o->cap ? o->cap : 256;
  while (cap < o->n + more + 1) cap *= 2;
  char *t = jfts_realloc(o->t, cap);
  if (t) o->t = t;
  uint32_t *m = t ? jfts_realloc(o->map, cap * sizeof *m) : NULL;
  if (m) o->map = m;
  if (t == NULL || m == NULL) {
    o->rc = JFTS_ERR_NOMEM;
    return 0;
  }
  o->cap = cap;
  return 1;
}

/* Copies source bytes [from, to) with their raw offsets. */
static void copy(Out *o, size_t from, size_t to) {
  if (to <= from || !grow(o, to - from)) return;
  memcpy(o->t + o->n, o->src->text + from, to - from);
  for (size_t i = from; i < to; i++) o->map[o->n++] = (uint32_t)dec_raw_offset(o->src, i);
}

/* Inserts s, every byte of it standing at source byte at. */
static void insert(Out *o, const char *s, size_t n, size_t at) {
  if (n == 0 || !grow(o, n)) return;
  memcpy(o->t + o->n, s, n);
  uint32_t raw = (uint32_t)dec_raw_offset(o->src, at);
  for (size_t i = 0; i < n; i++) o->map[o->n++] = raw;
}

/* The output line in progress has something on it other than spaces. */
static int line_has_text(const Out *o) {
  for (size_t i = o->n; i > 0 && o->t[i - 1] != '\n'; i--)
    if (o->t[i - 1] != ' ' && o->t[i - 1] != '\t') return 1;
  return 0;
}

/* Ends the line in progress as a block end (a trailing space, repair.h), at source byte at. */
static void end_block(Out *o, size_t at) {
  if (line_has_text(o) && o->t[o->n - 1] != ' ') insert(o, " ", 1, at);
}

/* Makes the line that ends just before output byte ls (the start of the line in progress) a
** block end: what follows starts a new block. The line in progress moves one byte on. */
static void end_previous_block(Out *o, size_t ls) {
  if (o->rc != JFTS_OK || ls < 2 || o->t[ls - 1] != '\n') return;
  char last = o->t[ls - 2];
  if (last == '\n' || last == ' ' || !grow(o, 1)) return;
  memmove(o->t + ls + 1, o->t + ls, o->n - ls);
  memmove(o->map + ls + 1, o->map + ls, (o->n - ls) * sizeof *o->map);
  o->t[ls - 1] = ' ';
  o->t[ls] = '\n';
  o->map[ls] = o->map[ls - 1];
  o->n++;
}

static int finish(Out *o, DecodedText **out, char **err_out) {
  (void)err_out;
  grow(o, 0);
  DecodedText *d = o->rc == JFTS_OK ? jfts_calloc(1, sizeof *d) : NULL;
  if (d == NULL) {
    jfts_free(o->t);
    jfts_free(o->map);
    return JFTS_ERR_NOMEM;
  }
  o->t[o->n] = '\0';
  o->map[o->n] = (uint32_t)dec_raw_offset(o->src, o->src->n_bytes);
  d->text = o->t;
  d->n_bytes = o->n;
  d->raw_offset = o->map;
  memcpy(d->encoding, o->src->encoding, sizeof d->encoding);
  *out = d;
  return JFTS_OK;
}

static int too_large(const DecodedText *src, char **err_out) {
  if (dec_raw_offset(src, src->n_bytes) <= UINT32_MAX && src->n_bytes < UINT32_MAX) return 0;
  jfts_set_error(err_out, "markup larger than 4 GiB");
  return 1;
}

/* A heading's own marker (numbered, 〇, 【...】): such a heading is kept as written. */
static int starts_with_marker(const char *s, size_t n) {
  uint32_t c = 0;
  if (n == 0 || jfts_utf8_next(s, n, &c) == 0) return 0;
  return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) || c == 0x3007 ||
         c == 0x25CB || c == 0x25CF || c == 0x25A0 || c == 0x25A1 || c == 0x25C6 ||
         c == 0x25C7 || c == 0x3010 || c == 0xFF08 || c == '(' || c == 0x30FB ||
         (c >= 0x2460 && c <= 0x2473) || c == 0x7B2C;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* ---- Markdown ---------------------------------------------------------------------------- */

/* Index of the ')' closing the '(' at s[i], or 0 when there is none on the line. */
static size_t close_paren(const char *s, size_t i, size_t e) {
  int depth = 0;
  for (size_t k = i; k < e; k++) {
    if (s[k] == '(') depth++;
    else if (s[k] == ')' && --depth == 0) return k;
  }
  return 0;
}

/* Inline Markdown of source bytes [i, e): text kept, marks and link targets dropped. */
static void md_inline(Out *o, size_t i, size_t e) {
  const char *s = o->src->text;
  size_t run = i; /* start of the text not yet copied */
  while (i < e) {
    char c = s[i];
    size_t skip_to = 0, keep_from = 0, keep_to = 0;
    if (c == '\\' && i + 1 < e && strchr("\\`*_{}[]()#+-.!|<>~", s[i + 1])) {
      keep_from = i + 1, keep_to = i + 2, skip_to = i + 2;
    } else if (c == '*' || c == '`' || (c == '~' && i + 1 < e && s[i + 1] == '~')) {
      skip_to = i + 1;
      while (skip_to < e && s[skip_to] == c) skip_to++;
    } else if (c == '<' && i + 1 < e && (s[i + 1] == '/' || s[i + 1] == '!' ||
                                          ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'))) {
      const char *gt = memchr(s + i, '>', e - i); /* an autolink or a tag: all of it goes */
      if (gt) skip_to = (size_t)(gt - s) + 1;
    } else if (c == '[' || (c == '!' && i + 1 < e && s[i + 1] == '[')) {
      size_t open = c == '!' ? i + 1 : i;
      const char *rb = memchr(s + open, ']', e - open);
      size_t k = rb ? (size_t)(rb - s) : 0;
      size_t end = 0;
      if (k && k + 1 < e && s[k + 1] == '(') end = close_paren(s, k + 1, e);
      else if (k && k + 1 < e && s[k + 1] == '[') {
        const char *rb2 = memchr(s + k + 1, ']', e - k - 1);
        end = rb2 ? (size_t)(rb2 - s) : 0;
      } else if (k) end = k; /* [text] alone: the brackets go */
      if (end) {
        copy(o, run, i);
        md_inline(o, open + 1, k);
        i = run = end + 1;
        continue;
      }
    }
    if (skip_to) {
      copy(o, run, i);
      if (keep_to) copy(o, keep_from, keep_to);
      i = run = skip_to;
      continue;
    }
    i++;
  }
  copy(o, run, e);
}

/* Length of a list marker ("- ", "* ", "+ ", "1. ", "1) ") at s[i], with its space; 0: none. */
static size_t md_list_marker(const char *s, size_t i, size_t e) {
  if (i + 1 < e && strchr("-*+", s[i]) && s[i + 1] == ' ') return 2;
  size_t k = i;
  while (k < e && k - i < 9 && s[k] >= '0' && s[k] <= '9') k++;
  if (k > i && k + 1 < e && (s[k] == '.' || s[k] == ')') && s[k + 1] == ' ') return k + 2 - i;
  return 0;
}

static int md_only(const char *s, size_t i, size_t e, const char *chars) {
  int any = 0;
  for (; i < e; i++) {
    if (is_blank(s[i])) continue;
    if (!strchr(chars, s[i])) return 0;
    any = 1;
  }
  return any;
}

/* A table row: its cells' text joined by spaces; the separator row (|---|:--|) is empty. */
static void md_table_row(Out *o, size_t i, size_t e) {
  const char *s = o->src->text;
  if (md_only(s, i, e, "|-: ")) return;
  size_t cell = s[i] == '|' ? i + 1 : i;
  for (size_t k = cell; k <= e; k++) {
    if (k < e && (s[k] != '|' || (k > 0 && s[k - 1] == '\\'))) continue;
    size_t a = cell, b = k;
    while (a < b && is_blank(s[a])) a++;
    while (b > a && is_blank(s[b - 1])) b--;
    if (a < b) {
      if (line_has_text(o)) insert(o, " ", 1, a);
      md_inline(o, a, b);
    }
    cell = k + 1;
  }
}

/* One line [i, e) of Markdown outside fenced code; *block_out says it is a block of its own. */
static void md_line(Out *o, size_t i, size_t e, int *block_out) {
  const char *s = o->src->text;
  size_t t = i;
  while (t < e && is_blank(s[t])) t++;
  *block_out = 1;
  if (t == e) return; /* blank */
  if (s[t] == '[') { /* a reference definition "[id]: url" is no text */
    const char *rb = memchr(s + t, ']', e - t);
    if (rb && (size_t)(rb - s) + 1 < e && rb[1] == ':') return;
  }
  if (md_only(s, t, e, "=") || (e - t >= 3 && md_only(s, t, e, "-*_"))) return; /* rules */
  if (s[t] == '#') {
    size_t h = t;
    while (h < e && s[h] == '#') h++;
    size_t level = h - t;
    if (level <= 6 && (h == e || s[h] == ' ')) {
      while (h < e && is_blank(s[h])) h++;
      size_t end = e;
      while (end > h && (is_blank(s[end - 1]) || s[end - 1] == '#')) end--;
      int mark = !starts_with_marker(s + h, end - h);
      /* A heading without a marker of its own is indented by its level - 1, so that the
      ** structure module nests ## under # (structure.h, StMarker.indent). */
      for (size_t k = 1; mark && k < level; k++) insert(o, " ", 1, t);
      if (mark) insert(o, "【", strlen("【"), h);
      md_inline(o, h, end);
      if (mark) insert(o, "】", strlen("】"), end);
      return;
    }
  }
  while (t < e && s[t] == '>') { /* block quote */
    t++;
    while (t < e && is_blank(s[t])) t++;
  }
  if (t < e && s[t] == '|') {
    md_table_row(o, t, e);
    return;
  }
  size_t lm = md_list_marker(s, t, e);
  *block_out = lm > 0;
  md_inline(o, t + lm, e);
}

int markup_markdown(const DecodedText *src, DecodedText **out, char **err_out) {
  *out = NULL;
  if (too_large(src, err_out)) return JFTS_ERR_INPUT;
  Out o = {.src = src};
  const char *s = src->text;
  int in_fence = 0;
  for (size_t i = 0; i <= src->n_bytes && o.rc == JFTS_OK;) {
    const char *nl = memchr(s + i, '\n', src->n_bytes - i);
    size_t e = nl ? (size_t)(nl - s) : src->n_bytes;
    size_t t = i;
    while (t < e && t - i < 4 && s[t] == ' ') t++;
    int fence = e - t >= 3 && (memcmp(s + t, "```", 3) == 0 || memcmp(s + t, "~~~", 3) == 0);
    int block = 1;
    size_t ls = o.n; /* where this line starts in the output */
    if (fence) in_fence = !in_fence;
    else if (in_fence) copy(&o, i, e);
    else md_line(&o, i, e, &block);
    if (block) end_previous_block(&o, ls);
    int hard = e - i >= 2 && s[e - 1] == ' ' && s[e - 2] == ' ';
    if (block || in_fence || hard) end_block(&o, e);
    if (nl == NULL) break;
    copy(&o, e, e + 1);
    i = e + 1;
  }
  return finish(&o, out, err_out);
}

/* ---- HTML -------------------------------------------------------------------------------- */

/* Decodes the entity at s[i] ('&'): *len_out its length, the UTF-8 of its character in buf;
** returns the UTF-8 length, 0 when it is no entity (the '&' is text). */
static size_t html_entity(const char *s, size_t i, size_t e, size_t *len_out, char buf[4]) {
  static const struct {
    const char *name;
    const char *utf8;
  } named[] = {{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
               {"nbsp", " "}, {"copy", "\xC2\xA9"}, {"hellip", "\xE2\x80\xA6"}};
  const char *semi = memchr(s + i, ';', e - i < 12 ? e - i : 12);
  if (semi == NULL) return 0;
  size_t n = (size_t)(semi - s) - i - 1; /* between '&' and ';' */
  *len_out = n + 2;
  if (n >= 2 && s[i + 1] == '#') {
    int hex = (s[i + 2] | 0x20) == 'x';
    uint32_t c = 0;
    for (size_t k = i + 2 + (size_t)hex; k < i + 1 + n; k++) {
      char d = s[k];
      int v = d >= '0' && d <= '9' ? d - '0' : hex && (d | 0x20) >= 'a' && (d | 0x20) <= 'f'
                                                   ? (d | 0x20) - 'a' + 10 : -1;
      if (v < 0 || c > 0x10FFFF) return 0;
      c = c * (hex ? 16u : 10u) + (uint32_t)v;
    }
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
    if (c < 0x80) return buf[0] = (char)c, 1;
    if (c < 0x800) return buf[0] = (char)(0xC0 | c >> 6), buf[1] = (char)(0x80 | (c & 0x3F)), 2;
    if (c < 0x10000) {
      buf[0] = (char)(0xE0 | c >> 12), buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
      return buf[2] = (char)(0x80 | (c & 0x3F)), 3;
    }
    buf[0] = (char)(0xF0 | c >> 18), buf[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    return buf[3] = (char)(0x80 | (c & 0x3F)), 4;
  }
  for (size_t k = 0; k < sizeof named / sizeof *named; k++)
    if (strlen(named[k].name) == n && memcmp(s + i + 1, named[k].name, n) == 0) {
      memcpy(buf, named[k].utf8, strlen(named[k].utf8));
      return strlen(named[k].utf8);
    }
  return 0;
}

/* What a tag means for the text: its name (lowercase, in name[16]) and whether it closes. */
static void tag_name(const char *s, size_t i, size_t e, char name[16], int *closing) {
  size_t k = i + 1, n = 0;
  *closing = k < e && s[k] == '/';
  if (*closing) k++;
  while (k < e && n < 15 && (((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z') ||
                             (s[k] >= '0' && s[k] <= '9')))
    name[n++] = (char)(s[k++] | 0x20);
  name[n] = '\0';
}

static int html_is_block(const char *name) {
  static const char *const blocks[] = {
      "p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
      "dl", "dt", "dd", "section", "article", "header", "footer", "blockquote", "pre", "hr",
      "title", "caption", "nav", "main", "aside", "form", "figure", "figcaption", "body"};
  for (size_t k = 0; k < sizeof blocks / sizeof *blocks; k++)
    if (strcmp(name, blocks[k]) == 0) return 1;
  return 0;
}

typedef struct Html {
  Out o;
  int block_end;      /* a block element ended on this line */
  int heading;        /* inside h1-h6: 1 before its first text, 2 when 【 was put */
  size_t skip_until;  /* inside script/style: skip to the matching end tag */
} Html;

/* Copies the newlines of source bytes [i, e) (inside a tag or a comment): lines stay lines. */
static void keep_newlines(Html *h, size_t i, size_t e) {
  for (size_t k = i; k < e; k++)
    if (h->o.src->text[k] == '\n') {
      if (h->block_end) end_block(&h->o, k);
      h->block_end = 0;
      copy(&h->o, k, k + 1);
    }
}

/* The tag (or comment) at s[i] ('<'); returns the byte after it. */
static size_t html_tag(Html *h, size_t i, size_t e) {
  const char *s = h->o.src->text;
  const char *end = NULL;
  if (e - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
    for (size_t k = i + 4; k + 3 <= e && end == NULL; k++)
      if (memcmp(s + k, "-->", 3) == 0) end = s + k + 2;
  } else {
    end = memchr(s + i, '>', e - i);
  }
  size_t after = end ? (size_t)(end - s) + 1 : e;
  char name[16];
  int closing;
  tag_name(s, i, after, name, &closing);
  keep_newlines(h, i, after);
  if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
    const char *close = strcmp(name, "script") == 0 ? "</script" : "</style";
    size_t k = after;
    while (k + strlen(close) <= e && strncasecmp(s + k, close, strlen(close)) != 0) k++;
    keep_newlines(h, after, k < e ? k : e);
    return k < e ? k : e;
  }
  int heading = name[0] == 'h' && name[1] >= '1' && name[1] <= '6' && name[2] == '\0';
  if (heading && !closing) h->heading = 1;
  if (heading && closing) {
    if (h->heading == 2) insert(&h->o, "】", strlen("】"), i);
    h->heading = 0;
  }
  if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
    /* A cell starts: apart from the one before it on the line. */
    if (!closing && line_has_text(&h->o) && h->o.t[h->o.n - 1] != ' ') insert(&h->o, " ", 1, i);
  } else if (html_is_block(name) && (closing || strcmp(name, "br") == 0 ||
                                      strcmp(name, "hr") == 0 || strcmp(name, "li") == 0 ||
                                      strcmp(name, "p") == 0 || strcmp(name, "tr") == 0)) {
    /* An element that ends (or a new one that starts) a block on this line: the blocks
    ** before it on the line are kept apart by a space, the line ends a block. */
    if (line_has_text(&h->o)) {
      h->block_end = 1;
      if (h->o.t[h->o.n - 1] != ' ') insert(&h->o, " ", 1, i);
    }
  }
  return after;
}

int markup_html(const DecodedText *src, DecodedText **out, char **err_out) {
  *out = NULL;
  if (too_large(src, err_out)) return JFTS_ERR_INPUT;
  Html h = {.o = {.src = src}};
  const char *s = src->text;
  size_t e = src->n_bytes, i = 0;
  while (i < e && h.o.rc == JFTS_OK) {
    char c = s[i];
    if (c == '<' && i + 1 < e && (s[i + 1] == '/' || s[i + 1] == '!' ||
                                  ((s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z'))) {
      i = html_tag(&h, i, e);
      continue;
    }
    if (c == '\n') {
      keep_newlines(&h, i, i + 1);
      i++;
      continue;
    }
    if (h.heading == 1 && !is_blank(c)) {
      h.heading = starts_with_marker(s + i, e - i) ? 3 : 2;
      if (h.heading == 2) insert(&h.o, "【", strlen("【"), i);
    }
    char buf[4];
    size_t len = 0, n = c == '&' ? html_entity(s, i, e, &len, buf) : 0;
    if (n) {
      insert(&h.o, buf, n, i);
      i += len;
    } else {
      copy(&h.o, i, i + 1);
      i++;
    }
  }
  if (h.block_end) end_block(&h.o, e);
  return finish(&h.o, out, err_out);
}
