/* --quotes (research.h): every occurrence of a query as a citable KWIC line, with its ward,
** FILE:LINE and the file's metadata. One unlimited search_run in document order, then the
** lines sorted as asked. */
#define _XOPEN_SOURCE 700 /* realpath() */

#include "research_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "render.h"
#include "search.h"

/* ---- --quotes ---------------------------------------------------------------------------- */

/* What a quote cites of its passage; strings owned. */
typedef struct QuotePassage {
  char *ward, *year_label, *section, *section_title, *heading, *meeting, *file;
  char *org, *local_name, *doc_title, *kind, *heading_path; /* the document model's */
  int year;
  size_t file_meta; /* index into QuotesCtx.files */
} QuotePassage;

typedef struct QuoteInfo {
  size_t passage;      /* index into QuotesCtx.passages */
  int line;            /* line where the match starts (within the page for a PDF) */
  int page;            /* its 1-based page; 0 for a text file */
  int column;          /* its code point column on a long line (store_cite), else 0 */
  const char *matched; /* borrowed from the query */
  int via_variant;
} QuoteInfo;

typedef struct FileMeta {
  char *file, *title, *source;
} FileMeta;

typedef struct QuotesCtx {
  const Query *query;
  const ResearchOptions *opt;
  size_t n_context;
  KwicLine *lines;
  QuoteInfo *info;     /* parallel to lines as made; lines[i].tag indexes it after sorting */
  size_t n, cap;
  QuotePassage *passages;
  size_t n_passages, cap_passages;
  FileMeta *files;
  size_t n_files;
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
}

static int quotes_result(void *ctx, const SearchResult *res) {
  QuotesCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  MatchSpan *sp = NULL;
  size_t n_sp = 0;
  int rc = research_stopped(c->opt, c->err_out);
  if (rc == JFTS_OK) rc = research_disjoint_spans(res->spans, res->n_spans, &sp, &n_sp);
  if (rc != JFTS_OK || n_sp == 0) goto cleanup;
  if (c->n + n_sp > c->cap) {
    size_t cap = c->cap, cap_info = c->cap; /* the two arrays grow alike */
    KwicLine *gl = jfts_grow(c->lines, &cap, c->n + n_sp, sizeof *gl);
    if (gl) c->lines = gl;
    QuoteInfo *gi = gl ? jfts_grow(c->info, &cap_info, c->n + n_sp, sizeof *gi) : NULL;
    if (gi) c->info = gi;
    if (gl == NULL || gi == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
    c->cap = cap;
  }
  QuotePassage *g = jfts_grow(c->passages, &c->cap_passages, c->n_passages + 1, sizeof *g);
  if (g == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
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
  qp->year = p->year;
  c->n_passages++;
  if (rc != JFTS_OK) goto cleanup;
  rc = kwic_make(p->text, p->n_text, sp, n_sp, c->n_context, c->lines + c->n, c->err_out);
  if (rc != JFTS_OK) goto cleanup;
  for (size_t i = 0; i < n_sp; i++) {
    c->lines[c->n + i].tag = c->n + i;
    QuoteInfo *qi = &c->info[c->n + i];
    qi->passage = c->n_passages - 1;
    store_cite(p, sp[i].start_byte, &qi->page, &qi->line, &qi->column);
    qi->matched = research_surface(c->query, &sp[i]);
    qi->via_variant = sp[i].variant >= 0;
  }
  c->n += n_sp;

cleanup:
  jfts_free(sp);
  return rc;
}

/* The title and source of each quoted file, looked up once per file after the search (the
** store is not re-entered from inside search_run's callback). A file that is no longer at
** its indexed path keeps null metadata. */
static int quotes_file_meta(Store *s, QuotesCtx *c, char **err_out) {
  int rc = JFTS_OK;
  if (c->n_passages == 0) return JFTS_OK;
  c->files = jfts_calloc(c->n_passages, sizeof *c->files);
  if (c->files == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < c->n_passages; i++) {
    QuotePassage *qp = &c->passages[i];
    size_t k = 0;
    while (k < c->n_files && strcmp(c->files[k].file, qp->file) != 0) k++;
    qp->file_meta = k;
    if (k < c->n_files) continue;
    FileMeta *fm = &c->files[c->n_files++];
    fm->file = jfts_strdup(qp->file);
    if (fm->file == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    char *real = realpath(qp->file, NULL);
    if (real == NULL) continue;
    StoreFileRow row;
    int found = 0;
    rc = store_lookup_file(s, real, &found, &row, err_out);
    free(real); /* realpath's buffer comes from libc */
    if (rc == JFTS_OK && found) {
      fm->title = dup_or_null(row.title, &rc);
      fm->source = dup_or_null(row.source, &rc);
      store_file_row_clear(&row);
    }
  }
  return rc;
}

static const char *const k_quote_fields[] = {
    "ward", "year",  "year_label", "section", "section_title", "heading", "meeting", "left",
    "match", "right", "matched",   "file",    "line",          "title",   "source",
    "page", "column", "org", "local_name", "doc_title", "kind", "heading_path"};

static int write_quotes(const QuotesCtx *c, const ResearchOptions *opt, FILE *fp) {
  int rc = JFTS_OK;
  if (opt->format != OUT_TEXT) {
    OutWriter *w = NULL;
    rc = out_open(fp, opt->format, k_quote_fields, sizeof k_quote_fields / sizeof *k_quote_fields,
                  &w, NULL);
    for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
      const KwicLine *l = &c->lines[i];
      const QuoteInfo *qi = &c->info[l->tag];
      const QuotePassage *qp = &c->passages[qi->passage];
      const FileMeta *fm = &c->files[qp->file_meta];
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
      out_str(w, fm->title);
      out_str(w, fm->source);
      out_int_or_null(w, qi->page, 0);
      out_int_or_null(w, qi->column, 0);
      out_str(w, qp->org);
      out_str(w, qp->local_name);
      out_str(w, qp->doc_title);
      out_str(w, qp->kind);
      out_str(w, qp->heading_path);
      rc = out_row_end(w);
    }
    out_close(w);
    return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
  }
  const char *on, *off;
  research_marks(opt, &on, &off);
  KwicStyle style = {.left_cols = 0, .hl_on = on, .hl_off = off};
  int w_tail = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->lines[i].left_width > style.left_cols) style.left_cols = c->lines[i].left_width;
    int w = c->lines[i].match_width + c->lines[i].right_width;
    if (w > w_tail) w_tail = w;
  }
  for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
    const KwicLine *l = &c->lines[i];
    const QuoteInfo *qi = &c->info[l->tag];
    const QuotePassage *qp = &c->passages[qi->passage];
    char *s = NULL;
    rc = kwic_format_text(l, &style, &s, NULL);
    if (rc != JFTS_OK) break;
    fputs(s, fp);
    jfts_free(s);
    research_pad(fp, w_tail - l->match_width - l->right_width + 2);
    char *cite = render_cite_at(qp->file, qi->page, qi->line, qi->column);
    if (cite == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    fprintf(fp, "%s %s", qp->ward ? qp->ward : "-", cite);
    jfts_free(cite);
    if (qi->via_variant) fprintf(fp, "  [via %s]", qi->matched);
    fputc('\n', fp);
  }
  if (rc == JFTS_OK && ferror(fp)) rc = JFTS_ERR_IO;
  return rc;
}

int research_quotes(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                    ResearchTotals *totals_out, char **err_out) {
  QuotesCtx c;
  memset(&c, 0, sizeof c);
  c.query = query;
  c.opt = opt;
  c.n_context = opt->n_context ? opt->n_context : KWIC_DEFAULT_CONTEXT;
  c.err_out = err_out;
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  /* Strict AND (no best match): quotes are the occurrences of passages holding every word. */
  SearchOptions so = {.sort = SEARCH_SORT_DOC, .limit = 0, .offset = 0, .filter = opt->filter,
                      .all_words = 1};
  int rc = search_run(s, query, &so, quotes_result, &c, NULL, err_out);
  if (rc == JFTS_OK) rc = research_stopped(opt, err_out);
  if (rc == JFTS_OK) rc = quotes_file_meta(s, &c, err_out);
  if (rc == JFTS_OK) rc = research_stopped(opt, err_out);
  if (rc == JFTS_OK) rc = kwic_sort(c.lines, c.n, opt->sort, err_out);
  if (rc == JFTS_OK) rc = research_stopped(opt, err_out);
  if (rc == JFTS_OK) rc = write_quotes(&c, opt, fp);
  if (rc == JFTS_OK && totals_out) {
    totals_out->n_rows = (long)c.n;
    totals_out->n_occurrences = (long)c.n;
    totals_out->n_passages = (long)c.n_passages;
  }
  kwic_lines_clear(c.lines, c.n);
  jfts_free(c.lines);
  jfts_free(c.info);
  for (size_t i = 0; i < c.n_passages; i++) quote_passage_clear(&c.passages[i]);
  jfts_free(c.passages);
  for (size_t i = 0; i < c.n_files; i++) {
    jfts_free(c.files[i].file);
    jfts_free(c.files[i].title);
    jfts_free(c.files[i].source);
  }
  jfts_free(c.files);
  return rc;
}
