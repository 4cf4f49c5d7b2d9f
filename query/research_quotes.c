/* --quotes (research.h): every occurrence of a query as a citable KWIC line, with its ward,
** FILE:LINE and the file's metadata. One unlimited search_run in document order; the lines are
** then sorted as asked, or, in document order with ResearchOptions.stream, written as each
** passage is read (text aligns its columns to the widest line, measured by a first pass), so
** that memory does not grow with the number of quotes. */

#include "research_internal.h"

#include <string.h>

#include "jfts_common.h"
#include "render.h"
#include "search.h"

/* ---- --quotes ---------------------------------------------------------------------------- */

/* Where a quoted occurrence is: the passage text, or (a passage found through them) its
** heading path or its label, quoted as they are so that --quotes shows every occurrence
** --wards counts. */
typedef enum QuoteField { QUOTE_TEXT = 0, QUOTE_HEADING, QUOTE_LABEL } QuoteField;
static const char *const k_field_names[] = {"text", "heading", "label"};

/* What a quote cites of its passage; strings owned. */
typedef struct QuotePassage {
  char *ward, *year_label, *section, *section_title, *heading, *meeting, *file;
  char *org, *local_name, *doc_title, *kind, *heading_path; /* the document model's */
  char *file_title, *file_source; /* its file's sidecar title and source */
  int year;
} QuotePassage;

typedef struct QuoteInfo {
  size_t passage;      /* index into QuotesCtx.passages (streamed: 0, the current one) */
  int line;            /* line where the match starts (within the page for a PDF) */
  int page;            /* its 1-based page; 0 for a text file */
  int column;          /* its code point column on a long line (store_cite), else 0 */
  const char *matched; /* borrowed from the query */
  int via_variant;
  QuoteField field;    /* where the match is: passage text, heading path or label */
} QuoteInfo;

/* How the lines of a passage are handled once made. */
typedef enum QuotesPass {
  QUOTES_HOLD = 0, /* kept for sorting, written after the search */
  QUOTES_MEASURE,  /* streamed text, first pass: only the column widths are kept */
  QUOTES_WRITE     /* streamed: written at once */
} QuotesPass;

typedef struct QuotesCtx {
  const Query *query;
  const ResearchOptions *opt;
  QuotesPass pass;
  size_t n_context;
  FILE *fp;
  OutWriter *w;        /* json/csv/tsv, opened at the first row written */
  KwicStyle style;     /* text: left column width (measured), highlight marks */
  int w_tail;          /* text: widest match + right context, in columns */
  KwicLine *lines;
  QuoteInfo *info;     /* parallel to lines as made; lines[i].tag indexes it after sorting */
  size_t n, cap;       /* lines held (QUOTES_HOLD), or of the current passage */
  QuotePassage *passages;
  size_t n_passages, cap_passages; /* held; streamed: only the current one is kept */
  size_t n_lines, n_quoted; /* totals: lines made, passages quoted */
  char **err_out;
} QuotesCtx;

static char *dup_or_null(const char *s, int *rc) {
  if (s == NULL) return NULL;
  char *d = jfts_strdup(s);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

static void quote_passage_clear(QuotePassage *p) {
  jfts_free(p->ward);
  jfts_free(p->year_label);
  jfts_free(p->section);
  jfts_free(p->section_title);
  jfts_free(p->heading);
  jfts_free(p->meeting);
  jfts_free(p->file);
  jfts_free(p->org);
  jfts_free(p->local_name);
  jfts_free(p->doc_title);
  jfts_free(p->kind);
  jfts_free(p->heading_path);
  jfts_free(p->file_title);
  jfts_free(p->file_source);
  memset(p, 0, sizeof *p);
}

/* "query" (--queries) and then the fields of every row. */
static const char *const k_quote_fields[] = {
    "query", "ward", "year",  "year_label", "section", "section_title", "heading", "meeting",
    "left", "match", "right", "matched",   "file",    "line",          "title",   "source",
    "page", "column", "org", "local_name", "doc_title", "kind", "heading_path", "field"};

const char *const *research_quote_fields(int with_query, size_t *n_out) {
  size_t skip = with_query ? 0 : 1;
  *n_out = sizeof k_quote_fields / sizeof *k_quote_fields - skip;
  return k_quote_fields + skip;
}

/* Opens the json/csv/tsv writer on first use (so that a failure before any row writes
** nothing, and no rows still give the header), unless the caller gave one. */
static int writer_open(QuotesCtx *c) {
  if (c->w != NULL) return JFTS_OK;
  if (c->opt->w != NULL) {
    c->w = c->opt->w;
    return JFTS_OK;
  }
  size_t n_fields;
  const char *const *fields = research_quote_fields(c->opt->query_line != NULL, &n_fields);
  return out_open(c->fp, c->opt->format, fields, n_fields, &c->w, NULL);
}

static int write_row(QuotesCtx *c, const KwicLine *l, const QuoteInfo *qi, const QuotePassage *qp) {
  int rc = writer_open(c);
  if (rc != JFTS_OK) return rc;
  OutWriter *w = c->w;
  if (c->opt->query_line) out_strn(w, c->opt->query_line, c->opt->n_query_line);
  out_str(w, qp->ward);
  out_int_or_null(w, qp->year, 0);
  out_str(w, qp->year_label);
  out_str(w, qp->section);
  out_str(w, qp->section_title);
  out_str(w, qp->heading);
  out_str(w, qp->meeting);
  out_strn(w, l->left, l->n_left);
  out_strn(w, l->match, l->n_match);
  out_strn(w, l->right, l->n_right);
  out_str(w, qi->matched);
  out_str(w, qp->file);
  out_int(w, qi->line);
  out_str(w, qp->file_title);
  out_str(w, qp->file_source);
  out_int_or_null(w, qi->page, 0);
  out_int_or_null(w, qi->column, 0);
  out_str(w, qp->org);
  out_str(w, qp->local_name);
  out_str(w, qp->doc_title);
  out_str(w, qp->kind);
  out_str(w, qp->heading_path);
  out_str(w, k_field_names[qi->field]);
  rc = out_row_end(w);
  return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
}

/* Widens the text columns to fit l. */
static void measure_line(QuotesCtx *c, const KwicLine *l) {
  if (l->left_width > c->style.left_cols) c->style.left_cols = l->left_width;
  int w = l->match_width + l->right_width;
  if (w > c->w_tail) c->w_tail = w;
}

static int write_text_line(QuotesCtx *c, const KwicLine *l, const QuoteInfo *qi,
                           const QuotePassage *qp) {
  char *s = NULL;
  int rc = kwic_format_text(l, &c->style, &s, NULL);
  if (rc != JFTS_OK) return rc;
  fputs(s, c->fp);
  jfts_free(s);
  research_pad(c->fp, c->w_tail - l->match_width - l->right_width + 2);
  char *cite = render_cite_at(qp->file, qi->page, qi->line, qi->column);
  if (cite == NULL) return JFTS_ERR_NOMEM;
  fprintf(c->fp, "%s %s", qp->ward ? qp->ward : "-", cite);
  jfts_free(cite);
  if (qi->field != QUOTE_TEXT) fprintf(c->fp, "  [%s]", k_field_names[qi->field]);
  if (qi->via_variant) fprintf(c->fp, "  [via %s]", qi->matched);
  fputc('\n', c->fp);
  return ferror(c->fp) ? JFTS_ERR_IO : JFTS_OK;
}

static int write_line(QuotesCtx *c, const KwicLine *l, const QuoteInfo *qi,
                      const QuotePassage *qp) {
  return c->opt->format != OUT_TEXT ? write_row(c, l, qi, qp) : write_text_line(c, l, qi, qp);
}

/* Makes room for n_more lines (and their infos) after the c->n held. */
static int lines_reserve(QuotesCtx *c, size_t n_more) {
  if (c->n + n_more <= c->cap) return JFTS_OK;
  size_t cap = c->cap, cap_info = c->cap; /* the two arrays grow alike */
  KwicLine *gl = jfts_grow(c->lines, &cap, c->n + n_more, sizeof *gl);
  if (gl) c->lines = gl;
  QuoteInfo *gi = gl ? jfts_grow(c->info, &cap_info, c->n + n_more, sizeof *gi) : NULL;
  if (gi) c->info = gi;
  if (gl == NULL || gi == NULL) return JFTS_ERR_NOMEM;
  c->cap = cap;
  return JFTS_OK;
}

/* What a streamed pass does with the lines of the passage just made, which it then drops. */
static int stream_lines(QuotesCtx *c) {
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
    if (c->pass == QUOTES_MEASURE) measure_line(c, &c->lines[i]);
    else rc = write_line(c, &c->lines[i], &c->info[i], &c->passages[0]);
  }
  kwic_lines_clear(c->lines, c->n);
  c->n = 0;
  quote_passage_clear(&c->passages[0]);
  c->n_passages = 0;
  return rc;
}

/* Copies what the quotes of passage p cite into a new c->passages entry. */
static int add_passage(QuotesCtx *c, const StorePassageRow *p) {
  int rc = JFTS_OK;
  QuotePassage *g = jfts_grow(c->passages, &c->cap_passages, c->n_passages + 1, sizeof *g);
  if (g == NULL) return JFTS_ERR_NOMEM;
  c->passages = g;
  QuotePassage *qp = &c->passages[c->n_passages];
  memset(qp, 0, sizeof *qp);
  qp->ward = dup_or_null(p->ward, &rc);
  qp->year_label = dup_or_null(p->year_label, &rc);
  qp->section = dup_or_null(p->section, &rc);
  qp->section_title = dup_or_null(p->section_title, &rc);
  qp->heading = dup_or_null(p->heading, &rc);
  qp->meeting = dup_or_null(p->meeting, &rc);
  qp->file = dup_or_null(p->file, &rc);
  qp->org = dup_or_null(p->org, &rc);
  qp->local_name = dup_or_null(p->local_name, &rc);
  qp->doc_title = dup_or_null(p->doc_title, &rc);
  qp->kind = dup_or_null(p->kind, &rc);
  qp->heading_path = dup_or_null(p->heading_path, &rc);
  qp->file_title = dup_or_null(p->file_title, &rc);
  qp->file_source = dup_or_null(p->file_source, &rc);
  qp->year = p->year;
  c->n_passages++;
  c->n_quoted++;
  return rc;
}

/* One line per span of field (its text s, n bytes) of passage p, after the c->n held. A
** heading or label is cited at the passage's first line: it has no line of its own there. */
static int make_lines(QuotesCtx *c, const StorePassageRow *p, QuoteField field, const char *s,
                      size_t n, const MatchSpan *sp, size_t n_sp) {
  if (n_sp == 0) return JFTS_OK;
  int rc = kwic_make(s, n, sp, n_sp, c->n_context, c->lines + c->n, c->err_out);
  if (rc != JFTS_OK) return rc;
  StoreCiteCursor cur = {0, 0, 0, 0};
  for (size_t i = 0; i < n_sp; i++) {
    c->lines[c->n + i].tag = c->n + i;
    QuoteInfo *qi = &c->info[c->n + i];
    qi->passage = c->n_passages - 1;
    store_cite_next(p, field == QUOTE_TEXT ? sp[i].start_byte : 0, &cur, &qi->page, &qi->line,
                    &qi->column);
    if (field != QUOTE_TEXT) qi->column = 0;
    qi->matched = research_surface(c->query, &sp[i]);
    qi->via_variant = sp[i].variant >= 0;
    qi->field = field;
  }
  c->n += n_sp;
  c->n_lines += n_sp;
  return JFTS_OK;
}

/* The quotes of one passage: the disjoint occurrences of its heading path, its label and its
** text (in that order, as they stand in the document), the ones --wards counts. */
static int quotes_result(void *ctx, const SearchResult *res) {
  QuotesCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  MatchSpan *sp = NULL, *hs = NULL, *ls = NULL;
  size_t n_sp = 0, n_hs = 0, n_ls = 0;
  int rc = research_stopped(c->opt, c->err_out);
  if (rc == JFTS_OK) rc = research_disjoint_spans(res->spans, res->n_spans, &sp, &n_sp);
  if (rc == JFTS_OK)
    rc = research_disjoint_spans(res->heading_spans, res->n_heading_spans, &hs, &n_hs);
  if (rc == JFTS_OK) rc = research_disjoint_spans(res->label_spans, res->n_label_spans, &ls, &n_ls);
  if (rc != JFTS_OK || n_sp + n_hs + n_ls == 0) goto cleanup;
  rc = lines_reserve(c, n_sp + n_hs + n_ls);
  if (rc == JFTS_OK) rc = add_passage(c, p);
  if (rc == JFTS_OK && n_hs)
    rc = make_lines(c, p, QUOTE_HEADING, p->heading_path, strlen(p->heading_path), hs, n_hs);
  if (rc == JFTS_OK && n_ls)
    rc = make_lines(c, p, QUOTE_LABEL, p->label, strlen(p->label), ls, n_ls);
  if (rc == JFTS_OK) rc = make_lines(c, p, QUOTE_TEXT, p->text, p->n_text, sp, n_sp);
  if (rc == JFTS_OK && c->pass != QUOTES_HOLD) rc = stream_lines(c);

cleanup:
  jfts_free(sp);
  jfts_free(hs);
  jfts_free(ls);
  return rc;
}

/* The held lines, sorted. */
static int write_held(QuotesCtx *c) {
  int rc = research_stopped(c->opt, c->err_out);
  if (rc == JFTS_OK) rc = kwic_sort(c->lines, c->n, c->opt->sort, c->err_out);
  if (rc == JFTS_OK) rc = research_stopped(c->opt, c->err_out);
  for (size_t i = 0; rc == JFTS_OK && c->opt->format == OUT_TEXT && i < c->n; i++)
    measure_line(c, &c->lines[i]);
  for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
    const QuoteInfo *qi = &c->info[c->lines[i].tag];
    rc = write_line(c, &c->lines[i], qi, &c->passages[qi->passage]);
  }
  return rc;
}

int research_quotes(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                    ResearchTotals *totals_out, char **err_out) {
  QuotesCtx c;
  memset(&c, 0, sizeof c);
  c.query = query;
  c.opt = opt;
  c.fp = fp;
  c.n_context = opt->n_context ? opt->n_context : KWIC_DEFAULT_CONTEXT;
  c.err_out = err_out;
  research_marks(opt, &c.style.hl_on, &c.style.hl_off);
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  int stream = opt->stream && opt->sort == KWIC_SORT_DOC;
  /* Strict AND (no best match): quotes are the occurrences of passages holding every word. */
  SearchOptions so = {.sort = SEARCH_SORT_DOC, .limit = 0, .offset = 0, .filter = opt->filter,
                      .all_words = 1};
  /* Streamed passes read one snapshot, so that the lines measured are the lines written. */
  int began = 0;
  int rc = stream ? store_read_begin(s, &began, err_out) : JFTS_OK;
  if (rc == JFTS_OK && stream && opt->format == OUT_TEXT) {
    c.pass = QUOTES_MEASURE;
    rc = search_run(s, query, &so, quotes_result, &c, NULL, err_out);
    c.n_lines = c.n_quoted = 0;
  }
  c.pass = stream ? QUOTES_WRITE : QUOTES_HOLD;
  if (rc == JFTS_OK) rc = search_run(s, query, &so, quotes_result, &c, NULL, err_out);
  if (rc == JFTS_OK) rc = research_stopped(opt, err_out);
  if (rc == JFTS_OK && !stream) rc = write_held(&c);
  if (rc == JFTS_OK && opt->format != OUT_TEXT) rc = writer_open(&c); /* no rows: the header */
  if (rc == JFTS_OK && ferror(fp)) rc = JFTS_ERR_IO;
  if (rc == JFTS_OK && totals_out) {
    totals_out->n_rows = (long)c.n_lines;
    totals_out->n_occurrences = (long)c.n_lines;
    totals_out->n_passages = (long)c.n_quoted;
  }
  store_read_end(s, began);
  if (c.w != opt->w) out_close(c.w);
  kwic_lines_clear(c.lines, c.n);
  jfts_free(c.lines);
  jfts_free(c.info);
  for (size_t i = 0; i < c.n_passages; i++) quote_passage_clear(&c.passages[i]);
  jfts_free(c.passages);
  return rc;
}
