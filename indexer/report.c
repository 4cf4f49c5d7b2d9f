/* The report parser: recognises the ward report template (title line, ○実施状況 table, three
** numbered sections) in repaired PDF text and cuts it into quotable passages with provenance.
** Text outside the template is kept as untagged passages, so nothing is ever lost. */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "structure.h"
#include "textseg.h"

#define MAX_NAME_CHARS 40    /* a table name cell or activity name is short */
#define MAX_HEADING_CHARS 60 /* a heading line is a marker plus a short title */
#define SPLIT_MIN_CHARS 450  /* passages up to this many characters are never split */
#define PLAIN_GROUP_CHARS 200 /* untagged text: short blocks are grouped up to this size */
#define SPLIT_WINDOW (16 * REPORT_PASSAGE_MAX) /* bytes of text given to ICU at a time */

static const char *const k_wards[] = {"青葉区", "宮城野区", "若林区", "太白区", "泉区"};

typedef struct Parser {
  const char *text;
  size_t n_bytes;
  RepLine *lines;
  size_t n_lines;
  Report *r;
  size_t n_pass_alloc, n_meet_alloc, n_label_alloc, n_doc_alloc;
  int doc;                 /* current document index, -1 outside any */
  const char *section;     /* current section ("table", "1"...) or NULL */
  char *section_title;     /* owned; copied into passages */
  char *heading1;          /* owned: numbered or 〇 heading */
  char *heading2;          /* owned: 【…】 heading nested under heading1 */
  int heading_used;        /* passages emitted under the current heading */
  size_t heading_src[2];   /* source range of the current innermost heading */
  int heading_line;
  StState *st;             /* headings and turns of text outside the template (structure.h) */
  char *speaker;           /* owned: the speaker of the turn being emitted, or NULL */
  int toc;                 /* 1 while table-of-contents passages are emitted */
  StKind prev_kind;        /* marker of the previous block's first line (lists) */
  int rc;
  char **err_out;
} Parser;

/* ---- small text helpers ---------------------------------------------------------------- */

static int is_blank(const RepLine *l) { return l->trim_start >= l->trim_end; }

static int digit_value(uint32_t c) {
  if (c >= '0' && c <= '9') return (int)(c - '0');
  if (c >= 0xFF10 && c <= 0xFF19) return (int)(c - 0xFF10);
  return -1;
}

static int starts_with(const char *s, size_t n, const char *prefix) {
  size_t m = strlen(prefix);
  return n >= m && memcmp(s, prefix, m) == 0;
}

static const char *find_str(const char *s, size_t n, const char *needle) {
  size_t m = strlen(needle);
  for (size_t i = 0; m <= n && i <= n - m; i++)
    if (memcmp(s + i, needle, m) == 0) return s + i;
  return NULL;
}

static size_t skip_spaces(const char *s, size_t i, size_t end) {
  while (i < end) {
    uint32_t c;
    size_t len = jfts_utf8_next(s + i, end - i, &c);
    if (!repair_is_space(c)) break;
    i += len;
  }
  return i;
}

static size_t trim_back(const char *s, size_t start, size_t end) {
  while (end > start) {
    uint32_t c;
    size_t len = jfts_utf8_prev(s, end, &c);
    if (!repair_is_space(c)) break;
    end -= len;
  }
  return end;
}

/* Parses a number of 1-2 digits (ASCII or full-width) at s[*i]; -1 when none. */
static int parse_number(const char *s, size_t end, size_t *i) {
  int value = -1, n_digits = 0;
  size_t j = *i;
  while (j < end && n_digits < 4) {
    uint32_t c;
    size_t len = jfts_utf8_next(s + j, end - j, &c);
    int d = digit_value(c);
    if (d < 0) break;
    value = (value < 0 ? 0 : value * 10) + d;
    n_digits++;
    j += len;
  }
  if (value >= 0) *i = j;
  return value;
}

typedef enum MarkerKind {
  MK_NONE = 0,
  MK_PAREN,   /* （１） (1) */
  MK_CIRCLED, /* ①… */
  MK_SYMBOL,  /* 〇 ○ ● ◎ ■ □ ◆ ◇ */
  MK_BRACKET  /* 【…】: the marker is the whole bracket */
} MarkerKind;

/* Recognises a marker at s[start]; returns its kind, sets *end_out after it and *num_out to
** the number for MK_PAREN/MK_CIRCLED. */
static MarkerKind parse_marker(const char *s, size_t start, size_t end, size_t *end_out,
                               int *num_out) {
  uint32_t c, close;
  *num_out = 0;
  if (start >= end) return MK_NONE;
  size_t i = start + jfts_utf8_next(s + start, end - start, &c);
  if (c == 0xFF08 || c == '(') {
    int num = parse_number(s, end, &i);
    if (num < 1 || i >= end) return MK_NONE;
    i += jfts_utf8_next(s + i, end - i, &close);
    if (close != 0xFF09 && close != ')') return MK_NONE;
    *num_out = num;
    *end_out = i;
    return MK_PAREN;
  }
  if (c >= 0x2460 && c <= 0x2473) {
    *num_out = (int)(c - 0x2460) + 1;
    *end_out = i;
    return MK_CIRCLED;
  }
  if (c == 0x3007 || c == 0x25CB || c == 0x25CF || c == 0x25CE || c == 0x25A0 || c == 0x25A1 ||
      c == 0x25C6 || c == 0x25C7) {
    *end_out = i;
    return MK_SYMBOL;
  }
  if (c == 0x3010) {
    const char *close = find_str(s + i, end - i, "】");
    if (close == NULL) return MK_NONE;
    *end_out = (size_t)(close - s) + strlen("】");
    return MK_BRACKET;
  }
  return MK_NONE;
}

/* Finds a planned count "N回" in s[start,end): the first digits followed (after optional
** spaces) by 回 and not preceded by another digit. */
static int find_count(const char *s, size_t start, size_t end, size_t *count_start,
                      size_t *count_end, int *count) {
  size_t i = start;
  size_t prev_kind_digit = 0;
  while (i < end) {
    size_t here = i;
    uint32_t c;
    i += jfts_utf8_next(s + i, end - i, &c);
    if (digit_value(c) >= 0 && !prev_kind_digit) {
      size_t j = here;
      int value = parse_number(s, end, &j);
      size_t k = skip_spaces(s, j, end);
      if (value >= 0 && starts_with(s + k, end - k, "回")) {
        *count_start = here;
        *count_end = k + strlen("回");
        *count = value;
        return 1;
      }
    }
    prev_kind_digit = digit_value(c) >= 0;
  }
  return 0;
}

/* ---- growing the report ---------------------------------------------------------------- */

static void *grow_array(Parser *p, void *arr, size_t *n_alloc, size_t need, size_t elem) {
  if (p->rc != JFTS_OK) return arr;
  if (need <= *n_alloc) return arr;
  size_t n = *n_alloc ? *n_alloc * 2 : 16;
  while (n < need) n *= 2;
  void *q = jfts_realloc(arr, n * elem);
  if (q == NULL) {
    p->rc = JFTS_ERR_NOMEM;
    return arr;
  }
  memset((char *)q + *n_alloc * elem, 0, (n - *n_alloc) * elem);
  *n_alloc = n;
  return q;
}

static char *dup_or_null(Parser *p, const char *s) {
  if (s == NULL || p->rc != JFTS_OK) return NULL;
  char *d = jfts_strdup(s);
  if (d == NULL) p->rc = JFTS_ERR_NOMEM;
  return d;
}

static char *dupn(Parser *p, const char *s, size_t n) {
  if (p->rc != JFTS_OK) return NULL;
  char *d = jfts_strndup(s, n);
  if (d == NULL) p->rc = JFTS_ERR_NOMEM;
  return d;
}

static void add_label(Parser *p, size_t src_start, size_t src_end) {
  if (src_end <= src_start) return;
  Report *r = p->r;
  r->labels = grow_array(p, r->labels, &p->n_label_alloc, r->n_labels + 1, sizeof *r->labels);
  if (p->rc != JFTS_OK) return;
  r->labels[r->n_labels].src_start = src_start;
  r->labels[r->n_labels].src_end = src_end;
  r->n_labels++;
}

static void add_line_label(Parser *p, const RepLine *l) { add_label(p, l->trim_start, l->trim_end); }

static char *current_heading(Parser *p) {
  if (p->heading1 && p->heading2) {
    char *h = jfts_mprintf("%s › %s", p->heading1, p->heading2);
    if (h == NULL) p->rc = JFTS_ERR_NOMEM;
    return h;
  }
  return dup_or_null(p, p->heading1 ? p->heading1 : p->heading2);
}

/* Appends one passage taking ownership of *body (zeroed on return). */
static void push_passage(Parser *p, RepText *body, const char *meeting, const char *local_name,
                         int slot) {
  Report *r = p->r;
  size_t need = r->n_passages + 1;
  size_t old_alloc = p->n_pass_alloc;
  r->passages = grow_array(p, r->passages, &p->n_pass_alloc, need, sizeof *r->passages);
  if (p->rc == JFTS_OK && p->n_pass_alloc != old_alloc) {
    size_t tmp = old_alloc;
    r->passage_doc = grow_array(p, r->passage_doc, &tmp, p->n_pass_alloc, sizeof *r->passage_doc);
  }
  if (p->rc != JFTS_OK) {
    repair_reset(body);
    return;
  }
  Passage *ps = &r->passages[r->n_passages];
  memset(ps, 0, sizeof *ps);
  ps->ordinal = (int)r->n_passages;
  r->passage_doc[r->n_passages] = p->doc;
  r->n_passages++;
  ps->body = *body;
  memset(body, 0, sizeof *body);
  if (p->doc >= 0) {
    const ReportDoc *d = &r->docs[p->doc];
    ps->ward = dup_or_null(p, d->ward);
    ps->year = d->year;
    ps->year_label = dup_or_null(p, d->year_label);
  }
  ps->section = dup_or_null(p, p->section);
  ps->section_title = dup_or_null(p, p->section_title);
  ps->heading = current_heading(p);
  ps->meeting = dup_or_null(p, meeting);
  ps->local_name = dup_or_null(p, local_name);
  ps->slot = slot;
  ps->speaker = dup_or_null(p, p->speaker);
  ps->toc = p->toc;
  if (p->st) st_mark_used(p->st);
  const RepText *b = &ps->body;
  if (b->n_segs > 0) {
    const RepSeg *first = &b->segs[0], *last = &b->segs[b->n_segs - 1];
    ps->src_start = first->src_start;
    ps->src_end = (size_t)last->src_start + last->n_bytes;
    ps->line_start = first->lineno;
    ps->line_end = last->lineno;
  }
  p->heading_used++;
}

/* Moves a cut at byte `cut` of text[0,n) (a piece starts at `start`) so that no piece ends
** with an opening bracket (ICU counts （ after 。 as part of the sentence before) nor starts
** with a closing one. Returns cut unchanged when moving would empty a piece. */
static size_t bracket_safe_cut(const char *text, size_t start, size_t cut, size_t n) {
  size_t c = cut, back = cut;
  while (back > start) {
    uint32_t ch;
    size_t len = jfts_utf8_prev(text, back, &ch);
    if (repair_is_open_bracket(ch)) c = back - len;
    else if (!repair_is_space(ch) && ch != '\n') break;
    back -= len;
  }
  if (c > start && c < cut) return c;
  while (cut < n) {
    uint32_t ch;
    size_t len = jfts_utf8_next(text + cut, n - cut, &ch);
    if (!repair_is_close_bracket(ch)) break;
    cut += len;
  }
  return cut;
}

/* Emits body as one passage, or several cut at sentence ends near REPORT_PASSAGE_TARGET
** characters when it is long; none exceeds REPORT_PASSAGE_MAX bytes. */
static void emit_passage(Parser *p, RepText *body, const char *meeting, const char *local_name,
                         int slot) {
  if (p->rc != JFTS_OK || body->n_bytes == 0) {
    repair_reset(body);
    return;
  }
  size_t n_chars = jfts_utf8_count(body->text, body->n_bytes);
  if (n_chars <= SPLIT_MIN_CHARS && body->n_bytes <= REPORT_PASSAGE_MAX) {
    push_passage(p, body, meeting, local_name, slot);
    return;
  }
  /* Sentence ends are looked up in a window from the current cut on, so that a huge line
  ** (a 100 MB file without line breaks) costs linear time and bounded memory. A boundary ICU
  ** reports at the window's end is where the window stops, not a sentence end. */
  const char *text = body->text;
  size_t n = body->n_bytes;
  size_t *breaks = NULL, n_breaks = 0, win_end = 0;
  size_t start = 0, rest_chars = n_chars;
  while (p->rc == JFTS_OK && start < n) {
    size_t cut = n;
    if (rest_chars > SPLIT_MIN_CHARS || n - start > REPORT_PASSAGE_MAX) {
      if (breaks == NULL || (win_end < n && start + 2 * REPORT_PASSAGE_MAX > win_end)) {
        jfts_free(breaks);
        breaks = NULL;
        size_t win = n - start < SPLIT_WINDOW ? n - start : SPLIT_WINDOW;
        int rc = seg_boundaries(SEG_SENTENCE, text + start, win, &breaks, &n_breaks, p->err_out);
        if (rc != JFTS_OK) {
          p->rc = rc;
          break;
        }
        for (size_t j = 0; j < n_breaks; j++) breaks[j] += start;
        win_end = start + win;
      }
      /* The first sentence end at or after the target, unless that passes the byte cap. */
      size_t best = 0, chars = 0, pos = start;
      for (size_t j = 0; j < n_breaks; j++) {
        size_t b = breaks[j];
        if (b <= start) continue;
        if ((b == win_end && win_end < n) || b - start > REPORT_PASSAGE_MAX) break;
        chars += jfts_utf8_count(text + pos, b - pos);
        pos = b;
        best = b;
        if (chars >= REPORT_PASSAGE_TARGET) break;
      }
      if (best == 0)
        best = n - start > REPORT_PASSAGE_MAX
                   ? jfts_utf8_char_start(text, 0, start + REPORT_PASSAGE_MAX)
                   : n;
      cut = bracket_safe_cut(text, start, best, n);
    }
    rest_chars -= jfts_utf8_count(text + start, cut - start);
    RepText piece;
    repair_slice(body, start, cut, &piece, &p->rc);
    push_passage(p, &piece, meeting, local_name, slot);
    start = cut;
  }
  jfts_free(breaks);
  repair_reset(body);
}

/* ---- blocks --------------------------------------------------------------------------- */

static size_t next_nonblank(const Parser *p, size_t i, size_t hi) {
  while (i < hi && is_blank(&p->lines[i])) i++;
  return i;
}

/* The block starting at nonblank line i: lines joined until a line ends a block (ends_block,
** by the file's trailing spaces or by evidence). Returns the index after its last line. */
static size_t block_end(const Parser *p, size_t i, size_t hi) {
  while (i < hi) {
    if (!is_blank(&p->lines[i]) && p->lines[i].ends_block) return i + 1;
    i++;
  }
  return hi;
}

/* Appends lines [i,end) of one block to body; `first_join` says how the first line meets
** text already in body. */
static void append_lines(Parser *p, RepText *body, size_t i, size_t end, RepJoin first_join) {
  RepJoin join = first_join;
  for (; i < end; i++) {
    const RepLine *l = &p->lines[i];
    if (is_blank(l)) continue;
    repair_append(body, p->text, l->trim_start, l->trim_end, l->lineno, join, &p->rc);
    join = REP_JOIN_WRAP;
  }
}

static void set_section(Parser *p, const char *section, const char *title, size_t n_title);

/* ---- text outside the template: structure of any document ------------------------------ */

/* Text outside any report (a plain-text corpus, a plan, minutes, a newsletter): consecutive
** blocks under one heading are grouped into passages of at least PLAIN_GROUP_CHARS
** characters, joined with line breaks, so that the short paragraphs of converted HTML and man
** pages (menu entries, list items, "戻る") make one passage with their context rather than
** one each. A group never grows past SPLIT_MIN_CHARS (so no grouped passage is cut again) nor
** REPORT_PASSAGE_MAX bytes; a longer block alone is cut at sentence ends as usual. Inside a
** report every block is a passage of its own (parse_plain): there the template says what
** belongs together. */
static void group_block(Parser *p, RepText *body, size_t i, size_t e) {
  size_t before = body->n_bytes;
  append_lines(p, body, i, e, REP_JOIN_BLOCK);
  if (p->rc != JFTS_OK) return;
  /* Counted on the joined text: the wrap rule may add spaces, the join a line break. */
  size_t chars = jfts_utf8_count(body->text, body->n_bytes);
  if (before > 0 && (chars > SPLIT_MIN_CHARS || body->n_bytes > REPORT_PASSAGE_MAX) &&
      body->text[before] == '\n') {
    /* Too much with this block: the group so far is a passage, the block starts anew. */
    RepText head = {0}, tail = {0};
    repair_slice(body, 0, before, &head, &p->rc);
    repair_slice(body, before + 1, body->n_bytes, &tail, &p->rc);
    repair_reset(body);
    emit_passage(p, &head, NULL, NULL, 0);
    *body = tail;
    chars = jfts_utf8_count(body->text, body->n_bytes);
  }
  if (chars >= PLAIN_GROUP_CHARS) emit_passage(p, body, NULL, NULL, 0);
}

/* The passages to come take the heading path of the structure's first `depth` levels, and
** its top level as their section. */
static void sync_heading(Parser *p, int depth) {
  const StState *st = p->st;
  jfts_free(p->heading1);
  jfts_free(p->heading2);
  jfts_free(p->section_title);
  p->heading2 = NULL;
  p->heading1 = st_path(st, depth, &p->rc);
  p->section = depth > 0 ? st->stack[0].section : NULL;
  p->section_title = depth > 0 ? dup_or_null(p, st->stack[0].title) : NULL;
}

/* Levels [level, depth) are about to go: one that no passage came under becomes a passage
** of its own (under the levels above it), so its text stays in passage text too. */
static void flush_unused_levels(Parser *p, int level) {
  StState *st = p->st;
  int depth = st->depth;
  for (int l = depth - 1; p->rc == JFTS_OK && l >= level; l--) {
    StHeading *h = &st->stack[l];
    if (h->used || !h->here) continue;
    sync_heading(p, l);
    RepText body = {0};
    repair_append(&body, p->text, h->src_start, h->src_end, h->lineno, REP_JOIN_WRAP, &p->rc);
    if (h->src2_end > h->src2_start)
      repair_append(&body, p->text, h->src2_start, h->src2_end, h->lineno2, REP_JOIN_WRAP,
                    &p->rc);
    st->depth = l; /* emitting marks the levels above as used, not this one's children */
    emit_passage(p, &body, NULL, NULL, 0);
    st->depth = depth;
    h->used = 1;
  }
  sync_heading(p, st->depth);
}

/* Kinds whose items may follow each other as a list (no text between them): all but
** chapters, sections and 【…】. */
static int lists_kind(StKind k) {
  return k != ST_CHAPTER && k != ST_SETSU && k != ST_DAI && k != ST_BRACKET && k != ST_NONE;
}

static StKind line_marker(const Parser *p, size_t i, StMarker *m) {
  const RepLine *l = &p->lines[i];
  return st_marker(p->text + l->trim_start, l->trim_end - l->trim_start, m);
}

/* Whether the block [i,e) is a heading: one line, a marker and a short title (structure.h),
** not an item of a list (a line of the same marker before or after it), numbered on from the
** headings above. Sets the marker, the level and *title_line (a title printed on the line
** after a lone 第N章, or hi). */
static int heading_at(Parser *p, size_t i, size_t e, size_t hi, StMarker *m, int *level,
                      size_t *title_line) {
  const RepLine *l = &p->lines[i];
  *title_line = hi;
  if (next_nonblank(p, i + 1, e) < e) return 0;
  size_t n = l->trim_end - l->trim_start;
  if (!st_heading_line(p->text + l->trim_start, n, m)) return 0;
  size_t j = next_nonblank(p, e, hi);
  StMarker next;
  StKind next_kind = j < hi ? line_marker(p, j, &next) : ST_NONE;
  if (lists_kind(m->kind) && (p->prev_kind == m->kind || next_kind == m->kind)) return 0;
  if (m->title_start == n && m->kind != ST_BRACKET) {
    /* "第２章" alone, its title on the next line. */
    const RepLine *t = j < hi ? &p->lines[j] : NULL;
    if (t == NULL || next_kind != ST_NONE || block_end(p, j, hi) != j + 1 ||
        jfts_utf8_count(p->text + t->trim_start, t->trim_end - t->trim_start) > 40 ||
        find_str(p->text + t->trim_start, t->trim_end - t->trim_start, "。"))
      return 0;
    *title_line = j;
  }
  for (size_t k = l->start; k < l->trim_start && p->text[k] == ' '; k++) m->indent++;
  *level = st_place(p->st, m, p->text + l->trim_start);
  return *level >= 0;
}

static void push_heading(Parser *p, size_t i, const StMarker *m, int level, size_t title_line,
                         size_t hi) {
  const RepLine *l = &p->lines[i];
  const RepLine *t = title_line < hi ? &p->lines[title_line] : NULL;
  flush_unused_levels(p, level);
  char *extra = t ? dupn(p, p->text + t->trim_start, t->trim_end - t->trim_start) : NULL;
  if (p->rc != JFTS_OK) return;
  int rc = st_push(p->st, level, m, p->text + l->trim_start, l->trim_end - l->trim_start, extra,
                   l->trim_start, l->trim_end, l->lineno);
  jfts_free(extra);
  if (rc != JFTS_OK) {
    p->rc = rc;
    return;
  }
  StHeading *h = &p->st->stack[p->st->depth - 1];
  add_line_label(p, l);
  if (t) {
    add_line_label(p, t);
    h->src2_start = t->trim_start;
    h->src2_end = t->trim_end;
    h->lineno2 = t->lineno;
  }
  sync_heading(p, p->st->depth);
}

/* A heading glued by the extraction to the first sentence under it, at the start of the block
** [i,e) (st_glued_heading): the heading is pushed as push_heading does, its sentence and the
** rest of the block become passages under it; the text grouped before it (pending) is a
** passage first. Returns 0 (nothing done) when there is none. */
static int parse_glued(Parser *p, size_t i, size_t e, RepText *pending) {
  const RepLine *l = &p->lines[i];
  const char *s = p->text + l->trim_start;
  size_t split;
  StMarker m;
  if (!st_glued_heading(s, l->trim_end - l->trim_start, &m, &split)) return 0;
  if (lists_kind(m.kind) && p->prev_kind == m.kind) return 0;
  int level = st_place(p->st, &m, s);
  if (level < 0) return 0;
  emit_passage(p, pending, NULL, NULL, 0);
  flush_unused_levels(p, level);
  if (p->rc != JFTS_OK) return 1;
  int rc = st_push(p->st, level, &m, s, split, NULL, l->trim_start, l->trim_start + split,
                   l->lineno);
  if (rc != JFTS_OK) {
    p->rc = rc;
    return 1;
  }
  add_label(p, l->trim_start, l->trim_start + split);
  sync_heading(p, p->st->depth);
  RepText body = {0};
  repair_append(&body, p->text, l->trim_start + split, l->trim_end, l->lineno, REP_JOIN_BLOCK,
                &p->rc);
  append_lines(p, &body, i + 1, e, REP_JOIN_WRAP);
  emit_passage(p, &body, NULL, NULL, 0);
  p->prev_kind = ST_NONE; /* text came after the marker: not an item of a list */
  return 1;
}

/* A table of contents from line i (its 目次 title, or a first entry with a dot leader): its
** entries are passages marked toc, under the 目次 line. Returns the line after it. */
static size_t parse_toc(Parser *p, size_t i, size_t hi) {
  const RepLine *l = &p->lines[i];
  int in_toc = st_toc_title(p->text + l->trim_start, l->trim_end - l->trim_start);
  jfts_free(p->heading1);
  jfts_free(p->heading2);
  jfts_free(p->section_title);
  p->heading1 = p->heading2 = p->section_title = NULL;
  p->section = NULL;
  if (in_toc) {
    add_line_label(p, l);
    p->heading1 = dupn(p, p->text + l->trim_start, l->trim_end - l->trim_start);
    i = next_nonblank(p, i + 1, hi);
  }
  p->toc = 1;
  RepText body = {0};
  while (p->rc == JFTS_OK && i < hi) {
    l = &p->lines[i];
    const char *s = p->text + l->trim_start;
    size_t n = l->trim_end - l->trim_start;
    int entry = st_toc_line(s, n, in_toc);
    if (!entry && in_toc && jfts_utf8_count(s, n) <= 40 && !find_str(s, n, "。")) {
      /* An entry whose page number went to the next line, or a part title above entries. */
      size_t j = next_nonblank(p, i + 1, hi);
      const RepLine *nl = j < hi ? &p->lines[j] : NULL;
      entry = nl && st_toc_line(p->text + nl->trim_start, nl->trim_end - nl->trim_start, 1);
    }
    if (!entry) break;
    group_block(p, &body, i, i + 1);
    i = next_nonblank(p, i + 1, hi);
  }
  emit_passage(p, &body, NULL, NULL, 0);
  p->toc = 0;
  p->prev_kind = ST_NONE;
  sync_heading(p, p->st->depth);
  return i;
}

static int turn_start(const Parser *p, size_t i, size_t *name_a, size_t *name_b,
                      size_t *speech) {
  const RepLine *l = &p->lines[i];
  return p->st->minutes && st_speaker_line(p->text + l->trim_start, l->trim_end - l->trim_start,
                                           name_a, name_b, speech) > 0;
}

/* Council minutes: the file shows speaker turns when two lines at least are strong ones
** (君, or a role such as 議長, 委員) with the speech on the same line or the name in
** parentheses. */
static void detect_minutes(Parser *p, size_t lo, size_t hi) {
  int n_turns = 0;
  for (size_t i = lo; i < hi && n_turns < 2 && !p->st->minutes; i++) {
    const RepLine *l = &p->lines[i];
    const char *s = p->text + l->trim_start;
    size_t n = l->trim_end - l->trim_start, a, b, sp;
    if (!is_blank(l) && st_speaker_line(s, n, &a, &b, &sp) == 2 &&
        (sp < n || find_str(s + a, b - a, "（") || memchr(s + a, '(', b - a)))
      n_turns++;
  }
  if (n_turns >= 2) p->st->minutes = 1;
}

/* A speaker's turn from line i (or, when i starts no turn, the rest of the turn an earlier
** piece ended in): the speaker is a label, the speech its passages (split as long passages
** are), up to the next turn. Returns the line after it. */
static size_t parse_turn(Parser *p, size_t i, size_t hi) {
  StState *st = p->st;
  const RepLine *l = &p->lines[i];
  size_t a, b, sp;
  RepText body = {0};
  size_t e = i;
  if (turn_start(p, i, &a, &b, &sp)) {
    add_label(p, l->trim_start, l->trim_start + b);
    jfts_free(st->speaker);
    st->speaker = dupn(p, p->text + l->trim_start + a, b - a);
    if (l->trim_start + sp < l->trim_end)
      repair_append(&body, p->text, l->trim_start + sp, l->trim_end, l->lineno, REP_JOIN_WRAP,
                    &p->rc);
    e = block_end(p, i, hi);
    append_lines(p, &body, i + 1, e, body.n_bytes ? REP_JOIN_WRAP : REP_JOIN_BLOCK);
    i = next_nonblank(p, e, hi);
  }
  while (p->rc == JFTS_OK && i < hi && !turn_start(p, i, &a, &b, &sp)) {
    e = block_end(p, i, hi);
    append_lines(p, &body, i, e, REP_JOIN_BLOCK);
    i = next_nonblank(p, e, hi);
  }
  jfts_free(p->speaker);
  p->speaker = dup_or_null(p, st->speaker);
  emit_passage(p, &body, NULL, NULL, 0);
  jfts_free(p->speaker);
  p->speaker = NULL;
  p->prev_kind = ST_NONE;
  if (i < hi || hi < p->n_lines || !st->more) {
    jfts_free(st->speaker); /* the turn ended here; at a piece's end it goes on in the next */
    st->speaker = NULL;
  }
  return i;
}

static void parse_untagged(Parser *p, size_t lo, size_t hi) {
  RepText body = {0};
  detect_minutes(p, lo, hi);
  sync_heading(p, p->st->depth);
  p->prev_kind = ST_NONE;
  size_t i = next_nonblank(p, lo, hi);
  if (i < hi && p->st->speaker) i = parse_turn(p, i, hi);
  while (p->rc == JFTS_OK && i < hi) {
    const RepLine *l = &p->lines[i];
    const char *s = p->text + l->trim_start;
    size_t n = l->trim_end - l->trim_start, a, b, sp, title_line;
    if (st_toc_title(s, n) || st_toc_line(s, n, 0)) {
      emit_passage(p, &body, NULL, NULL, 0);
      i = parse_toc(p, i, hi);
      continue;
    }
    if (turn_start(p, i, &a, &b, &sp)) {
      emit_passage(p, &body, NULL, NULL, 0);
      i = parse_turn(p, i, hi);
      continue;
    }
    size_t e = block_end(p, i, hi);
    StMarker m;
    int level;
    if (heading_at(p, i, e, hi, &m, &level, &title_line)) {
      emit_passage(p, &body, NULL, NULL, 0);
      push_heading(p, i, &m, level, title_line, hi);
      p->prev_kind = m.kind;
      i = next_nonblank(p, title_line < hi ? title_line + 1 : e, hi);
      continue;
    }
    if (parse_glued(p, i, e, &body)) {
      i = next_nonblank(p, e, hi);
      continue;
    }
    group_block(p, &body, i, e);
    p->prev_kind = line_marker(p, i, &m);
    i = next_nonblank(p, e, hi);
  }
  emit_passage(p, &body, NULL, NULL, 0);
  if (!(p->st->more && hi == p->n_lines)) flush_unused_levels(p, 0);
  set_section(p, NULL, NULL, 0);
}

/* Untagged text inside a report: every block becomes passages. */
static void parse_plain(Parser *p, size_t lo, size_t hi) {
  size_t i = next_nonblank(p, lo, hi);
  while (p->rc == JFTS_OK && i < hi) {
    size_t e = block_end(p, i, hi);
    RepText body = {0};
    append_lines(p, &body, i, e, REP_JOIN_WRAP);
    emit_passage(p, &body, NULL, NULL, 0);
    i = next_nonblank(p, e, hi);
  }
}

/* ---- document structure ---------------------------------------------------------------- */

/* A title line: 令和 N年度 <name>…協議会 … (a short block of its own). */
static int is_title_line(const Parser *p, const RepLine *l) {
  const char *s = p->text + l->trim_start;
  size_t n = l->trim_end - l->trim_start;
  if (!(starts_with(s, n, "令和") || starts_with(s, n, "平成"))) return 0;
  if (find_str(s, n, "年度") == NULL || find_str(s, n, "協議会") == NULL) return 0;
  return jfts_utf8_count(s, n) <= 80;
}

static void parse_title(Parser *p, const RepLine *l, ReportDoc *d) {
  const char *s = p->text;
  size_t start = l->trim_start, end = l->trim_end;
  d->title = dupn(p, s + start, end - start);
  int reiwa = starts_with(s + start, end - start, "令和");
  size_t i = skip_spaces(s, start + strlen("令和"), end);
  int num = starts_with(s + i, end - i, "元") ? 1 : parse_number(s, end, &i);
  if (num < 0) num = 0;
  if (starts_with(s + i, end - i, "元")) i += strlen("元");
  d->year = num > 0 ? (reiwa ? 2018 + num : 1988 + num) : 0;
  d->year_label = jfts_mprintf("%s%d年度", reiwa ? "令和" : "平成", num);
  if (d->year_label == NULL) p->rc = JFTS_ERR_NOMEM;
  /* The document model's fields the title line gives (ingest adds the other sources). */
  d->title_from = DOC_FROM_TITLE;
  d->year_from = d->year ? DOC_FROM_TITLE : DOC_FROM_NONE;
  const char *kind = st_kind_of(s + start, end - start);
  d->kind = dup_or_null(p, kind);
  d->kind_from = kind ? DOC_FROM_TITLE : DOC_FROM_NONE;
  for (size_t w = 0; w < sizeof k_wards / sizeof *k_wards; w++) {
    if (find_str(s + start, end - start, k_wards[w])) {
      /* The template with one of Sendai's wards is Sendai's. */
      d->ward = dup_or_null(p, k_wards[w]);
      d->org = dup_or_null(p, "仙台市");
      d->ward_from = d->org_from = DOC_FROM_TITLE;
      return;
    }
  }
  /* Another city's report: the name just before 障害者…協議会, after the year. */
  const char *council = find_str(s + start, end - start, "障害者");
  if (council == NULL) council = find_str(s + start, end - start, "協議会");
  const char *nendo = find_str(s + start, end - start, "年度");
  if (council && nendo && nendo < council) {
    size_t a = skip_spaces(s, (size_t)(nendo - s) + strlen("年度"), (size_t)(council - s));
    size_t b = (size_t)(council - s);
    if (b > a) d->ward = dupn(p, s + a, b - a);
    if (b > a) d->ward_from = DOC_FROM_TITLE;
  }
}

/* A section line: "１ 今年度の主な取組み" with the expected number, as a block of its own. */
static int is_section_line(const Parser *p, const RepLine *l, int expect, size_t *title_start) {
  if (!l->ends_block || is_blank(l)) return 0;
  const char *s = p->text;
  size_t i = l->trim_start;
  int num = parse_number(s, l->trim_end, &i);
  if (num != expect) return 0;
  size_t t = skip_spaces(s, i, l->trim_end);
  if (t == i || t >= l->trim_end) return 0;
  static const char *const not_titles[] = {"回", "年", "月", "日", "名", "件", "人", "歳", "%", "％"};
  for (size_t k = 0; k < sizeof not_titles / sizeof *not_titles; k++)
    if (starts_with(s + t, l->trim_end - t, not_titles[k])) return 0;
  size_t n_chars = jfts_utf8_count(s + t, l->trim_end - t);
  if (n_chars > MAX_HEADING_CHARS) return 0;
  if (trim_back(s, t, l->trim_end) >= 3 &&
      starts_with(s + l->trim_end - strlen("。"), strlen("。"), "。"))
    return 0;
  *title_start = t;
  return 1;
}

static void set_section(Parser *p, const char *section, const char *title, size_t n_title) {
  jfts_free(p->section_title);
  jfts_free(p->heading1);
  jfts_free(p->heading2);
  p->heading1 = p->heading2 = NULL;
  p->section = section;
  p->section_title = title ? dupn(p, title, n_title) : NULL;
  p->heading_used = 1;
}

/* ---- the ○実施状況 table ----------------------------------------------------------------- */

typedef struct NamePiece {
  size_t start, end;
  int lineno;
} NamePiece;

/* Splits a name cell "全体協議会（青葉区高齢者障害者地域会議）" into meeting and local name. */
static void split_name(Parser *p, const char *name, size_t n, char **meeting, char **local) {
  const char *open = find_str(name, n, "（");
  size_t open_len = strlen("（");
  const char *ascii_open = memchr(name, '(', n);
  if (open == NULL || (ascii_open && ascii_open < open)) {
    open = ascii_open;
    open_len = 1;
  }
  *meeting = *local = NULL;
  if (open == NULL) {
    size_t e = trim_back(name, 0, n);
    *meeting = dupn(p, name, e);
    return;
  }
  size_t a = (size_t)(open - name) + open_len;
  const char *close = find_str(name + a, n - a, "）");
  const char *ascii_close = memchr(name + a, ')', n - a);
  if (close == NULL || (ascii_close && ascii_close < close)) close = ascii_close;
  size_t b = close ? (size_t)(close - name) : n;
  size_t m_end = trim_back(name, 0, (size_t)(open - name));
  /* Text after the parenthesis belongs to the type name as well. */
  if (close) {
    size_t after = b + (*close == ')' ? 1 : strlen("）"));
    after = skip_spaces(name, after, n);
    if (after < n) {
      *meeting = jfts_mprintf("%.*s%.*s", (int)m_end, name, (int)(n - after), name + after);
      if (*meeting == NULL) p->rc = JFTS_ERR_NOMEM;
    }
  }
  if (*meeting == NULL) *meeting = dupn(p, name, m_end);
  if (b > a) *local = dupn(p, name + a, b - a);
}

static void push_meeting(Parser *p, int slot, const char *meeting, const char *local, int count,
                         const RepText *desc, int line_start, int line_end, int passage) {
  Report *r = p->r;
  size_t old_alloc = p->n_meet_alloc;
  r->meetings = grow_array(p, r->meetings, &p->n_meet_alloc, r->n_meetings + 1,
                           sizeof *r->meetings);
  if (p->rc == JFTS_OK && old_alloc != p->n_meet_alloc) {
    size_t tmp = old_alloc;
    r->meeting_doc = grow_array(p, r->meeting_doc, &tmp, p->n_meet_alloc, sizeof *r->meeting_doc);
  }
  if (p->rc != JFTS_OK) return;
  Meeting *m = &r->meetings[r->n_meetings];
  r->meeting_doc[r->n_meetings] = p->doc;
  r->n_meetings++;
  m->slot = slot;
  m->meeting = dup_or_null(p, meeting);
  m->local_name = dup_or_null(p, local);
  m->count = count;
  m->text = dupn(p, desc->text ? desc->text : "", desc->n_bytes);
  m->passage = passage;
  m->line_start = line_start;
  m->line_end = line_end;
}

/* Emits the description of one table row as passage(s) and the row itself as a meeting. */
static void finish_row(Parser *p, int slot, const char *meeting, const char *local, int count,
                       RepText *desc, int line_start, int line_end) {
  int first_passage = desc->n_bytes > 0 ? (int)p->r->n_passages : -1;
  if (desc->n_segs > 0) line_end = desc->segs[desc->n_segs - 1].lineno;
  push_meeting(p, slot, meeting, local, count, desc, line_start, line_end, first_passage);
  emit_passage(p, desc, meeting, local, slot);
}

/* Reads a name cell starting at source offset `start` of line i: the name may run over a few
** short lines until the count "N回". Returns the line index after the name; sets *count
** (-1 when none) and *rest_start (source offset of text after the count on its line, or 0). */
static size_t read_name_cell(Parser *p, size_t i, size_t hi, size_t start, RepText *name,
                             int *count, size_t *rest_start, size_t *rest_line) {
  *count = -1;
  *rest_start = 0;
  size_t line = i;
  size_t piece_start = start;
  for (int n_lines = 0; p->rc == JFTS_OK && n_lines < 5 && line < hi; n_lines++) {
    const RepLine *l = &p->lines[line];
    size_t cs, ce;
    int value;
    if (n_lines > 0) {
      /* A continuation must look like a name: short, no sentence end. */
      size_t n_chars = jfts_utf8_count(p->text + l->trim_start, l->trim_end - l->trim_start);
      if (n_chars > 24 || find_str(p->text + l->trim_start, l->trim_end - l->trim_start, "。"))
        return line;
      size_t dummy;
      int num;
      if (parse_marker(p->text, l->trim_start, l->trim_end, &dummy, &num) == MK_PAREN &&
          !find_count(p->text, l->trim_start, l->trim_end, &cs, &ce, &value) &&
          jfts_utf8_count(name->text ? name->text : "", name->n_bytes) == 0)
        return line;
      piece_start = l->trim_start;
    }
    if (find_count(p->text, piece_start, l->trim_end, &cs, &ce, &value)) {
      size_t name_end = trim_back(p->text, piece_start, cs);
      repair_append(name, p->text, piece_start, name_end, l->lineno, REP_JOIN_WRAP, &p->rc);
      add_label(p, piece_start, ce);
      *count = value;
      size_t r = skip_spaces(p->text, ce, l->trim_end);
      if (r < l->trim_end) {
        *rest_start = r;
        *rest_line = line;
      }
      return line + 1;
    }
    /* Only the first line, or lines that continue a wrapped or parenthesised cell. */
    if (n_lines > 0) {
      const RepLine *prev = &p->lines[line - 1];
      int wraps = !prev->ends_block;
      int paren = starts_with(p->text + l->trim_start, l->trim_end - l->trim_start, "（") ||
                  p->text[l->trim_start] == '(';
      size_t lookahead = next_nonblank(p, line + 1, hi);
      int count_next = lookahead < hi &&
                       find_count(p->text, p->lines[lookahead].trim_start,
                                  p->lines[lookahead].trim_end, &cs, &ce, &value) &&
                       jfts_utf8_count(p->text + p->lines[lookahead].trim_start,
                                   p->lines[lookahead].trim_end - p->lines[lookahead].trim_start) <= 24;
      if (!wraps && !paren && !count_next) return line;
    }
    repair_append(name, p->text, piece_start, l->trim_end, l->lineno, REP_JOIN_WRAP, &p->rc);
    add_label(p, piece_start, l->trim_end);
    line = next_nonblank(p, line + 1, hi);
  }
  return line;
}

/* A table row start: the marker of the expected slot, or その他の活動. */
static int is_row_start(const Parser *p, const RepLine *l, int expect_slot) {
  size_t e;
  int num;
  if (starts_with(p->text + l->trim_start, l->trim_end - l->trim_start, "その他の活動")) return 1;
  return parse_marker(p->text, l->trim_start, l->trim_end, &e, &num) == MK_PAREN &&
         num == expect_slot;
}

/* An その他の活動 entry: a short name ending in a count, within the next three lines. */
static int is_activity_start(const Parser *p, size_t i, size_t hi) {
  size_t n_chars = 0;
  for (int k = 0; k < 3 && i < hi; k++) {
    const RepLine *l = &p->lines[i];
    const char *s = p->text + l->trim_start;
    size_t n = l->trim_end - l->trim_start;
    if (k == 0 && (starts_with(s, n, "・") || starts_with(s, n, "･"))) return 0;
    if (find_str(s, n, "。") || find_str(s, n, "、")) return 0;
    size_t cs, ce;
    int value;
    if (find_count(p->text, l->trim_start, l->trim_end, &cs, &ce, &value) &&
        trim_back(p->text, l->trim_start, l->trim_end) == ce)
      return n_chars + jfts_utf8_count(s, cs - l->trim_start) <= MAX_NAME_CHARS;
    n_chars += jfts_utf8_count(s, n);
    if (n_chars > MAX_NAME_CHARS) return 0;
    i = next_nonblank(p, i + 1, hi);
  }
  return 0;
}

/* Description lines of a row: from line i until a line for which stop() holds. Blocks are
** joined with "\n", wrapped lines with the wrap rule. */
static size_t read_description(Parser *p, size_t i, size_t hi, int expect_slot, int activities,
                               RepText *desc) {
  int after_block_end = 1;
  while (p->rc == JFTS_OK && i < hi) {
    const RepLine *l = &p->lines[i];
    if (is_blank(l)) {
      i++;
      continue;
    }
    if (after_block_end && (is_row_start(p, l, expect_slot) ||
                            (activities && is_activity_start(p, i, hi))))
      break;
    repair_append(desc, p->text, l->trim_start, l->trim_end, l->lineno,
                  after_block_end ? REP_JOIN_BLOCK : REP_JOIN_WRAP, &p->rc);
    after_block_end = l->ends_block;
    i++;
  }
  return i;
}

static void parse_other_activities(Parser *p, size_t i, size_t hi) {
  const RepLine *l = &p->lines[i];
  size_t after = l->trim_start + strlen("その他の活動");
  add_label(p, l->trim_start, after);
  after = skip_spaces(p->text, after, l->trim_end);
  if (after < l->trim_end) {
    /* "その他の活動 なし": a row that records that there was nothing else. */
    RepText desc = {0};
    repair_append(&desc, p->text, after, l->trim_end, l->lineno, REP_JOIN_WRAP, &p->rc);
    size_t e = read_description(p, i + 1, hi, 0, 0, &desc);
    finish_row(p, 0, "その他の活動", NULL, -1, &desc, l->lineno, l->lineno);
    parse_plain(p, e, hi);
    return;
  }
  i = next_nonblank(p, i + 1, hi);
  while (p->rc == JFTS_OK && i < hi) {
    if (!is_activity_start(p, i, hi)) {
      RepText desc = {0};
      size_t e = read_description(p, i, hi, 0, 1, &desc);
      if (e == i) {
        /* A line that would start a row here (a second その他の活動) is text of this one:
        ** every turn of this loop must consume a line. */
        const RepLine *l = &p->lines[i];
        repair_append(&desc, p->text, l->trim_start, l->trim_end, l->lineno, REP_JOIN_BLOCK,
                      &p->rc);
        e = read_description(p, i + 1, hi, 0, 1, &desc);
      }
      finish_row(p, 0, "その他の活動", NULL, -1, &desc, p->lines[i].lineno,
                 p->lines[i].lineno);
      i = next_nonblank(p, e, hi);
      continue;
    }
    RepText name = {0}, desc = {0};
    int count;
    size_t rest = 0, rest_line = 0;
    int line_start = p->lines[i].lineno;
    size_t j = read_name_cell(p, i, hi, p->lines[i].trim_start, &name, &count, &rest, &rest_line);
    if (rest) repair_append(&desc, p->text, rest, p->lines[rest_line].trim_end,
                            p->lines[rest_line].lineno, REP_JOIN_WRAP, &p->rc);
    size_t e = read_description(p, j, hi, 0, 1, &desc);
    finish_row(p, 0, name.text ? name.text : "", NULL, count, &desc, line_start,
               p->lines[j > i ? j - 1 : i].lineno);
    repair_reset(&name);
    i = next_nonblank(p, e, hi);
  }
}

static void parse_table(Parser *p, size_t lo, size_t hi) {
  const RepLine *first = &p->lines[lo];
  add_line_label(p, first);
  size_t ts = first->trim_start;
  size_t me, num_dummy;
  int num;
  (void)num_dummy;
  if (parse_marker(p->text, ts, first->trim_end, &me, &num) == MK_SYMBOL) ts = me;
  set_section(p, "table", p->text + ts, first->trim_end - ts);
  int expect = 1;
  size_t i = next_nonblank(p, lo + 1, hi);
  /* A table whose rows lost their （N） markers (another extractor, a retyped report) has no
  ** row to hang its text on: it is read as plain text, else all of it would become column
  ** header labels, which are not searched. */
  size_t r = i;
  while (r < hi && !is_row_start(p, &p->lines[r], expect)) r = next_nonblank(p, r + 1, hi);
  if (r >= hi) {
    parse_plain(p, i, hi);
    return;
  }
  /* Column headers up to the first row. */
  while (i < hi && !is_row_start(p, &p->lines[i], expect)) {
    add_line_label(p, &p->lines[i]);
    i = next_nonblank(p, i + 1, hi);
  }
  while (p->rc == JFTS_OK && i < hi) {
    const RepLine *l = &p->lines[i];
    if (starts_with(p->text + l->trim_start, l->trim_end - l->trim_start, "その他の活動")) {
      parse_other_activities(p, i, hi);
      return;
    }
    size_t name_start;
    parse_marker(p->text, l->trim_start, l->trim_end, &name_start, &num);
    add_label(p, l->trim_start, name_start);
    name_start = skip_spaces(p->text, name_start, l->trim_end);
    RepText name = {0}, desc = {0};
    int count;
    size_t rest = 0, rest_line = 0;
    size_t j = read_name_cell(p, i, hi, name_start, &name, &count, &rest, &rest_line);
    if (rest) repair_append(&desc, p->text, rest, p->lines[rest_line].trim_end,
                            p->lines[rest_line].lineno, REP_JOIN_WRAP, &p->rc);
    expect = num + 1;
    size_t e = read_description(p, j, hi, expect, 0, &desc);
    char *meeting = NULL, *local = NULL;
    split_name(p, name.text ? name.text : "", name.n_bytes, &meeting, &local);
    finish_row(p, num, meeting, local, count, &desc, l->lineno, l->lineno);
    jfts_free(meeting);
    jfts_free(local);
    repair_reset(&name);
    i = next_nonblank(p, e, hi);
  }
}

/* ---- numbered sections ----------------------------------------------------------------- */

/* A heading: one short line that is a marker plus a title, not a sentence. */
static int heading_kind(const Parser *p, size_t i, size_t e, MarkerKind *kind) {
  const RepLine *l = &p->lines[i];
  if (next_nonblank(p, i + 1, e) < e) return 0;
  size_t me;
  int num;
  *kind = parse_marker(p->text, l->trim_start, l->trim_end, &me, &num);
  if (*kind == MK_NONE) return 0;
  const char *s = p->text + l->trim_start;
  size_t n = l->trim_end - l->trim_start;
  if (jfts_utf8_count(s, n) > MAX_HEADING_CHARS) return 0;
  if (*kind == MK_BRACKET) return me == l->trim_end || jfts_utf8_count(p->text + me, l->trim_end - me) <= 20;
  if (me >= l->trim_end) return 0;
  return !(n >= strlen("。") && memcmp(s + n - strlen("。"), "。", strlen("。")) == 0);
}

/* A heading that no passage came to follow is a passage of its own, so it stays findable. */
static void flush_unused_heading(Parser *p, int level) {
  if (p->heading_used > 0) return;
  char **slot = level == 2 ? &p->heading2 : &p->heading1;
  char *saved = *slot;
  *slot = NULL;
  RepText body = {0};
  repair_append(&body, p->text, p->heading_src[0], p->heading_src[1], p->heading_line,
                REP_JOIN_WRAP, &p->rc);
  emit_passage(p, &body, NULL, NULL, 0);
  *slot = saved;
}

static void parse_section(Parser *p, size_t lo, size_t hi, const char *section, size_t title_start) {
  const RepLine *sl = &p->lines[lo];
  add_line_label(p, sl);
  set_section(p, section, p->text + title_start, sl->trim_end - title_start);
  size_t i = next_nonblank(p, lo + 1, hi);
  while (p->rc == JFTS_OK && i < hi) {
    size_t e = block_end(p, i, hi);
    MarkerKind kind;
    if (heading_kind(p, i, e, &kind)) {
      const RepLine *l = &p->lines[i];
      int level = (kind == MK_BRACKET && p->heading1) ? 2 : 1;
      int current = p->heading2 ? 2 : (p->heading1 ? 1 : 0);
      /* A sub-heading does not leave its parent unused: its passages carry both. */
      if (level <= current) flush_unused_heading(p, current);
      if (level == 1) {
        jfts_free(p->heading1);
        jfts_free(p->heading2);
        p->heading2 = NULL;
        p->heading1 = dupn(p, p->text + l->trim_start, l->trim_end - l->trim_start);
      } else {
        jfts_free(p->heading2);
        p->heading2 = dupn(p, p->text + l->trim_start, l->trim_end - l->trim_start);
      }
      p->heading_used = 0;
      p->heading_src[0] = l->trim_start;
      p->heading_src[1] = l->trim_end;
      p->heading_line = l->lineno;
      add_line_label(p, l);
    } else {
      RepText body = {0};
      append_lines(p, &body, i, e, REP_JOIN_WRAP);
      emit_passage(p, &body, NULL, NULL, 0);
    }
    i = next_nonblank(p, e, hi);
  }
  if (p->heading1 || p->heading2) flush_unused_heading(p, p->heading2 ? 2 : 1);
}

static void parse_document(Parser *p, size_t lo, size_t hi) {
  Report *r = p->r;
  r->docs = grow_array(p, r->docs, &p->n_doc_alloc, r->n_docs + 1, sizeof *r->docs);
  if (p->rc != JFTS_OK) return;
  ReportDoc *d = &r->docs[r->n_docs];
  memset(d, 0, sizeof *d);
  p->doc = (int)r->n_docs++;
  parse_title(p, &p->lines[lo], d);
  d->line_start = p->lines[lo].lineno;
  d->src_start = p->lines[lo].start;
  d->line_end = p->lines[hi - 1].lineno;
  add_line_label(p, &p->lines[lo]);
  set_section(p, NULL, NULL, 0);

  /* Section lines, numbered 1, 2, 3… in order. */
  size_t sec_line[10], sec_title[10];
  int n_sec = 0;
  for (size_t i = lo + 1; i < hi && n_sec < 9; i++) {
    if (is_section_line(p, &p->lines[i], n_sec + 1, &sec_title[n_sec])) sec_line[n_sec++] = i;
  }
  size_t body_end = n_sec > 0 ? sec_line[0] : hi;
  size_t table = hi;
  for (size_t i = lo + 1; i < body_end; i++) {
    const RepLine *l = &p->lines[i];
    if (!is_blank(l) && find_str(p->text + l->trim_start, l->trim_end - l->trim_start, "実施状況") &&
        jfts_utf8_count(p->text + l->trim_start, l->trim_end - l->trim_start) <= 12) {
      table = i;
      break;
    }
  }
  parse_plain(p, lo + 1, table < body_end ? table : body_end);
  if (table < body_end) parse_table(p, table, body_end);
  static const char *const names[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9"};
  for (int k = 0; p->rc == JFTS_OK && k < n_sec; k++)
    parse_section(p, sec_line[k], k + 1 < n_sec ? sec_line[k + 1] : hi, names[k], sec_title[k]);
  set_section(p, NULL, NULL, 0);
}

/* ---- entry points ---------------------------------------------------------------------- */

int report_parse(const char *text, size_t n_bytes, Report **out, char **err_out) {
  return report_parse_carry(text, n_bytes, 1, NULL, out, err_out);
}

int report_parse_at(const char *text, size_t n_bytes, int first_lineno, Report **out,
                    char **err_out) {
  return report_parse_carry(text, n_bytes, first_lineno, NULL, out, err_out);
}

int report_parse_carry(const char *text, size_t n_bytes, int first_lineno, StState *carry,
                       Report **out, char **err_out) {
  Parser p;
  memset(&p, 0, sizeof p);
  p.text = text;
  p.n_bytes = n_bytes;
  p.err_out = err_out;
  p.doc = -1;
  *out = NULL;
  p.st = carry ? carry : st_state_new();
  p.r = p.st ? jfts_calloc(1, sizeof *p.r) : NULL;
  if (p.r == NULL) {
    if (carry == NULL) st_state_free(p.st);
    return JFTS_ERR_NOMEM;
  }
  p.rc = repair_split_lines_at(text, n_bytes, first_lineno, &p.lines, &p.n_lines);
  if (p.rc != JFTS_OK) goto cleanup;

  /* PDF text marks block ends with a trailing space; plain text files mark paragraphs with
  ** blank lines instead. */
  size_t n_nonblank = 0, n_trailing = 0;
  for (size_t i = 0; i < p.n_lines; i++) {
    const RepLine *l = &p.lines[i];
    if (is_blank(l)) continue;
    n_nonblank++;
    if (l->trim_end < l->end) n_trailing++;
  }
  if (n_trailing * 5 < n_nonblank) {
    /* No trailing-space convention (another extractor, or an editor stripped the spaces):
    ** block ends by evidence. Blank lines end blocks unless nearly every line is followed
    ** by one (double-spaced extractor output), where they say nothing. */
    size_t n_then_blank = 0;
    for (size_t i = 0; i + 1 < p.n_lines; i++)
      n_then_blank += !is_blank(&p.lines[i]) && is_blank(&p.lines[i + 1]);
    repair_infer_block_ends(text, p.lines, p.n_lines, n_then_blank * 5 < n_nonblank * 4);
  }

  size_t prev = 0;
  int in_doc = 0;
  for (size_t i = 0; p.rc == JFTS_OK && i <= p.n_lines; i++) {
    int title = i < p.n_lines && !is_blank(&p.lines[i]) && is_title_line(&p, &p.lines[i]);
    if (!title && i < p.n_lines) continue;
    if (in_doc) parse_document(&p, prev, i);
    else parse_untagged(&p, prev, i);
    p.doc = -1;
    prev = i;
    in_doc = title;
  }
  p.r->tagged = p.r->n_docs > 0;

cleanup:
  jfts_free(p.lines);
  jfts_free(p.section_title);
  jfts_free(p.heading1);
  jfts_free(p.heading2);
  jfts_free(p.speaker);
  if (carry) st_leave_piece(carry);
  else st_state_free(p.st);
  if (p.rc != JFTS_OK) {
    report_free(p.r);
    return p.rc;
  }
  *out = p.r;
  return JFTS_OK;
}

void report_free(Report *r) {
  if (r == NULL) return;
  for (size_t i = 0; i < r->n_passages; i++) {
    Passage *ps = &r->passages[i];
    jfts_free(ps->ward);
    jfts_free(ps->year_label);
    jfts_free(ps->section);
    jfts_free(ps->section_title);
    jfts_free(ps->heading);
    jfts_free(ps->meeting);
    jfts_free(ps->local_name);
    jfts_free(ps->speaker);
    repair_reset(&ps->body);
  }
  for (size_t i = 0; i < r->n_meetings; i++) {
    jfts_free(r->meetings[i].meeting);
    jfts_free(r->meetings[i].local_name);
    jfts_free(r->meetings[i].text);
  }
  for (size_t i = 0; i < r->n_docs; i++) {
    jfts_free(r->docs[i].ward);
    jfts_free(r->docs[i].year_label);
    jfts_free(r->docs[i].title);
    jfts_free(r->docs[i].org);
    jfts_free(r->docs[i].kind);
    jfts_free(r->docs[i].date);
  }
  jfts_free(r->passages);
  jfts_free(r->passage_doc);
  jfts_free(r->meetings);
  jfts_free(r->meeting_doc);
  jfts_free(r->labels);
  jfts_free(r->docs);
  jfts_free(r);
}

const char *const *report_ward_list(size_t *n_out) { *n_out = sizeof k_wards / sizeof *k_wards; return k_wards; }

const char *report_canonical_ward(const char *s) {
  if (s == NULL) return NULL;
  for (size_t w = 0; w < sizeof k_wards / sizeof *k_wards; w++) {
    size_t n = strlen(k_wards[w]) - strlen("区");
    if (strcmp(s, k_wards[w]) == 0 || (strlen(s) == n && memcmp(s, k_wards[w], n) == 0))
      return k_wards[w];
  }
  return NULL;
}
