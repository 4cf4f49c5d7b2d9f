/* --wards (research.h): a query's passages and occurrences counted per (ward, year) of the
** index, no-hit rows included, so that "which wards did not" is an answer too; each row shows
** its best passage, rendered as a search row (render.h). One unlimited search_run. */
#include "research_internal.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "render.h"
#include "search.h"

/* ---- --wards ----------------------------------------------------------------------------- */

typedef struct WardRow {
  const char *ward;      /* borrowed from `names` of the WardsCtx, NULL: untagged */
  int year;
  char *year_label;      /* owned */
  size_t order;          /* first listing position */
  long n_passages;
  long n_occurrences;
  int has_best;          /* a passage matched */
  int best_exact;        /* the best passage matched a term's own text */
  char *best_json;       /* owned; NULL: no hit */
  char *best_text;       /* owned: "file:line  snippet" for text output */
  char *best_cite;       /* owned: "file:line" */
} WardRow;

typedef struct WardsCtx {
  WardRow *rows;
  size_t n, cap;
  StrSet names;          /* ward names seen */
  const Query *query;
  const ResearchOptions *opt;
  const StoreFilter *filter;
  int has_untagged;
  char **err_out;
} WardsCtx;

static int ward_allowed(const StoreFilter *f, const char *ward, int year) {
  if (f == NULL) return 1;
  if (f->year && year != f->year) return 0;
  if (f->n_wards == 0) return 1;
  if (ward == NULL) return 0;
  for (size_t i = 0; i < f->n_wards; i++)
    if (strcmp(f->wards[i], ward) == 0) return 1;
  return 0;
}

/* The row of (ward, year); untagged text has one row whatever its year. Adds it when new. */
static WardRow *ward_row(WardsCtx *c, const char *ward, int year, const char *year_label,
                         int *rc) {
  for (size_t i = 0; i < c->n; i++) {
    WardRow *r = &c->rows[i];
    if (ward == NULL ? r->ward == NULL : (r->ward && strcmp(r->ward, ward) == 0 && r->year == year))
      return r;
  }
  WardRow *g = jfts_grow(c->rows, &c->cap, c->n + 1, sizeof *g);
  if (g == NULL) {
    *rc = JFTS_ERR_NOMEM;
    return NULL;
  }
  c->rows = g;
  WardRow *r = &c->rows[c->n];
  memset(r, 0, sizeof *r);
  if (ward) {
    *rc = research_strset_add(&c->names, ward);
    if (*rc != JFTS_OK) return NULL;
    for (size_t i = 0; i < c->names.n; i++)
      if (strcmp(c->names.v[i], ward) == 0) r->ward = c->names.v[i];
  }
  r->year = year;
  if (year_label) {
    r->year_label = jfts_strdup(year_label);
    if (r->year_label == NULL) {
      *rc = JFTS_ERR_NOMEM;
      return NULL;
    }
  }
  r->order = c->n++;
  return r;
}

static int doc_cb(void *ctx, const StoreDocRow *d) {
  WardsCtx *c = ctx;
  int rc = JFTS_OK;
  if (d->ward == NULL && d->n_passages == 0) return JFTS_OK;
  if (!ward_allowed(c->filter, d->ward, d->year)) return JFTS_OK;
  WardRow *r = ward_row(c, d->ward, d->year, d->year_label, &rc);
  /* Untagged documents of different years share the row: it then has no year. */
  if (r && d->ward == NULL && r->year != d->year && c->has_untagged) {
    r->year = 0;
    jfts_free(r->year_label);
    r->year_label = NULL;
  }
  if (d->ward == NULL) c->has_untagged = 1;
  return rc;
}

/* The best passage's cell of a text row, "file:line" (*cite_out) and "snippet  [via V]"
** (*text_out), both new strings; view is the search result with the disjoint spans. */
static int best_text(const WardsCtx *c, const SearchResult *view, char **text_out,
                     char **cite_out, char **err_out) {
  const StorePassageRow *p = view->passage;
  const char *on, *off;
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  research_marks(c->opt, &on, &off);
  *text_out = NULL;
  *cite_out = render_cite(p, view->n_spans ? &view->spans[view->focus].start_byte : NULL);
  if (*cite_out == NULL) return JFTS_ERR_NOMEM;
  int rc = render_snippet(view, RESEARCH_SNIPPET_CHARS, on, off, 1, &b, err_out);
  render_via(view, c->query, &b);
  if (rc == JFTS_OK) rc = b.rc;
  if (rc == JFTS_OK) {
    *text_out = b.p ? b.p : jfts_strdup("");
    if (*text_out == NULL) rc = JFTS_ERR_NOMEM;
    b.p = NULL;
  }
  jfts_buf_free(&b);
  return rc;
}

static int wards_result(void *ctx, const SearchResult *res) {
  WardsCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  int rc = JFTS_OK;
  MatchSpan *sp = NULL;
  size_t n_sp = 0;
  /* The row of the passage's (ward, year); one that no document lists (it should not
  ** happen) gets a row of its own. */
  WardRow *r = ward_row(c, p->ward, p->year, p->year_label, &rc);
  if (r == NULL) return rc;
  rc = research_stopped(c->opt, c->err_out);
  if (rc != JFTS_OK) return rc;
  rc = research_disjoint_spans(res->spans, res->n_spans, &sp, &n_sp);
  if (rc != JFTS_OK) return rc;
  r->n_passages++;
  r->n_occurrences += (long)n_sp;
  size_t focus = 0, exact = n_sp;
  for (size_t i = 0; i < n_sp; i++) {
    if (res->n_spans && sp[i].start_byte == res->spans[res->focus].start_byte) focus = i;
    if (exact == n_sp && sp[i].variant < 0) exact = i;
  }
  /* A variant's occurrence is shown only when the passage has none of the term itself. */
  if (exact < n_sp && sp[focus].variant >= 0) focus = exact;
  int is_exact = exact < n_sp;
  if (!r->has_best || (!r->best_exact && is_exact)) {
    /* The best passage is rendered as a search row of its counted (disjoint) occurrences. */
    SearchResult view = *res;
    view.spans = sp;
    view.n_spans = n_sp;
    view.focus = focus;
    char *json = NULL, *text = NULL, *cite = NULL;
    if (c->opt->format == OUT_TEXT) rc = best_text(c, &view, &text, &cite, c->err_out);
    else rc = render_search_json(&view, c->query, &json, c->err_out);
    if (rc == JFTS_OK) {
      jfts_free(r->best_json);
      jfts_free(r->best_text);
      jfts_free(r->best_cite);
      r->best_json = json;
      r->best_text = text;
      r->best_cite = cite;
      r->best_exact = is_exact;
      r->has_best = 1;
    } else {
      jfts_free(json);
      jfts_free(text);
      jfts_free(cite);
    }
  }
  jfts_free(sp);
  return rc;
}

static int cmp_rows(const void *a, const void *b) {
  const WardRow *x = a, *y = b;
  if (x->n_occurrences != y->n_occurrences) return x->n_occurrences > y->n_occurrences ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static const char *const k_ward_fields[] = {"ward",     "year",        "year_label",
                                            "passages", "occurrences", "best"};

static int write_wards(const WardsCtx *c, FILE *fp) {
  const ResearchOptions *opt = c->opt;
  int rc = JFTS_OK;
  if (opt->format != OUT_TEXT) {
    OutWriter *w = NULL;
    rc = out_open(fp, opt->format, k_ward_fields, sizeof k_ward_fields / sizeof *k_ward_fields,
                  &w, NULL);
    for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
      const WardRow *r = &c->rows[i];
      out_str(w, r->ward);
      out_int_or_null(w, r->year, 0);
      out_str(w, r->year_label);
      out_int(w, r->n_passages);
      out_int(w, r->n_occurrences);
      if (r->best_json) out_json(w, r->best_json);
      else out_null(w);
      rc = out_row_end(w);
    }
    out_close(w);
    return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
  }
  int w_ward = 0, w_year = 0, w_pass = 0, w_occ = 0, w_cite = 0;
  char num[32];
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    int w;
    if ((w = research_width(r->ward ? r->ward : "-")) > w_ward) w_ward = w;
    if ((w = research_width(r->year_label ? r->year_label : "-")) > w_year) w_year = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_passages)) > w_pass) w_pass = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_occurrences)) > w_occ) w_occ = w;
    if ((w = research_width(r->best_cite ? r->best_cite : "-")) > w_cite) w_cite = w;
  }
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    const char *ward = r->ward ? r->ward : "-", *year = r->year_label ? r->year_label : "-";
    const char *cite = r->best_cite ? r->best_cite : "-";
    fputs(ward, fp);
    research_pad(fp, w_ward - research_width(ward) + 1);
    fputs(year, fp);
    research_pad(fp, w_year - research_width(year) + 2);
    fprintf(fp, "%*ld passage%s  %*ld occurrence%s  ", w_pass, r->n_passages,
            r->n_passages == 1 ? " " : "s", w_occ, r->n_occurrences,
            r->n_occurrences == 1 ? " " : "s");
    fputs(cite, fp);
    if (r->best_text) {
      research_pad(fp, w_cite - research_width(cite) + 2);
      fputs(r->best_text, fp);
    }
    fputc('\n', fp);
  }
  return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
}

int research_wards(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                   ResearchTotals *totals_out, char **err_out) {
  WardsCtx c;
  memset(&c, 0, sizeof c);
  c.query = query;
  c.opt = opt;
  c.filter = opt->filter;
  c.err_out = err_out;
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  int rc = store_list_documents(s, NULL, doc_cb, &c, err_out);
  if (rc == JFTS_OK) {
    /* Strict AND (no best match): a ward counts the passages holding every word. */
    SearchOptions so = {.sort = SEARCH_SORT_RANK, .limit = 0, .offset = 0, .filter = opt->filter,
                        .all_words = 1};
    rc = search_run(s, query, &so, wards_result, &c, NULL, err_out);
  }
  if (rc == JFTS_OK) rc = research_stopped(opt, err_out);
  if (rc == JFTS_OK) {
    if (c.n > 1) qsort(c.rows, c.n, sizeof *c.rows, cmp_rows);
    rc = write_wards(&c, fp);
  }
  if (rc == JFTS_OK && totals_out) {
    totals_out->n_rows = (long)c.n;
    for (size_t i = 0; i < c.n; i++) {
      totals_out->n_passages += c.rows[i].n_passages;
      totals_out->n_occurrences += c.rows[i].n_occurrences;
    }
  }
  for (size_t i = 0; i < c.n; i++) {
    jfts_free(c.rows[i].year_label);
    jfts_free(c.rows[i].best_json);
    jfts_free(c.rows[i].best_text);
    jfts_free(c.rows[i].best_cite);
  }
  jfts_free(c.rows);
  research_strset_free(&c.names);
  return rc;
}
