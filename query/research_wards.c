/* --wards and --by (research.h): a query's passages and occurrences counted per group of the
** index (ward, organisation, year, kind or document), no-hit groups included, so that "which
** did not" is an answer too; each row shows its best passage, rendered as a search row
** (render.h). One unlimited search_run. */
#include "research_internal.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "render.h"
#include "search.h"

static const char *const k_by_names[] = {"ward", "org", "year", "kind", "document"};
#define N_BY (sizeof k_by_names / sizeof k_by_names[0])

int research_parse_by(const char *s, ResearchBy *by_out, char **err_out) {
  for (size_t i = 0; i < N_BY; i++)
    if (strcmp(s, k_by_names[i]) == 0) {
      *by_out = (ResearchBy)i;
      return JFTS_OK;
    }
  jfts_set_error(err_out, "unknown grouping '%s' (valid: ward, org, year, kind, document)", s);
  return JFTS_ERR_USAGE;
}

/* ---- groups ------------------------------------------------------------------------------ */

/* The key of a group: the fields its documents share (the others NULL / 0). */
typedef struct GroupKey {
  const char *org, *ward, *kind, *title, *file;
  int year;
  const char *year_label;
  int64_t doc_id;        /* RESEARCH_BY_DOCUMENT */
} GroupKey;

typedef struct WardRow {
  char *org, *ward, *kind, *title, *file, *year_label; /* owned; NULL where not of the key */
  int year;
  int64_t doc_id;
  size_t order;          /* first listing position */
  long n_passages;
  long n_occurrences;
  int has_best;          /* a passage matched */
  int best_exact;        /* the best passage matched a term's own text */
  char *best_json;       /* owned; NULL: no hit */
  char *best_text;       /* owned: "snippet" for text output */
  char *best_cite;       /* owned: "file:line" */
} WardRow;

typedef struct WardsCtx {
  WardRow *rows;
  size_t n, cap;
  const Query *query;
  const ResearchOptions *opt;
  const StoreFilter *filter;
  char **err_out;
} WardsCtx;

static int str_same(const char *a, const char *b) {
  return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* The key of a document or passage with these fields under opt->by. Untagged text (no ward)
** of one organisation is one --wards group whatever its year (*merge_year_out set). */
static GroupKey group_key(ResearchBy by, const GroupKey *all, int *merge_year_out) {
  GroupKey k = {0};
  *merge_year_out = 0;
  switch (by) {
    case RESEARCH_BY_WARD:
      k.org = all->org;
      k.ward = all->ward;
      if (all->ward) {
        k.year = all->year;
        k.year_label = all->year_label;
      } else {
        *merge_year_out = 1;
      }
      break;
    case RESEARCH_BY_ORG: k.org = all->org; break;
    case RESEARCH_BY_YEAR:
      k.year = all->year;
      k.year_label = all->year_label;
      break;
    case RESEARCH_BY_KIND: k.kind = all->kind; break;
    case RESEARCH_BY_DOCUMENT: k = *all; break;
  }
  return k;
}

static int key_matches(ResearchBy by, const WardRow *r, const GroupKey *k, int merge_year) {
  if (by == RESEARCH_BY_DOCUMENT) return r->doc_id == k->doc_id;
  if (!str_same(r->org, k->org) || !str_same(r->ward, k->ward) || !str_same(r->kind, k->kind))
    return 0;
  return merge_year || r->year == k->year;
}

/* Copies s into *dst (NULL stays NULL); *rc set when memory runs out. */
static void dup_into(char **dst, const char *s, int *rc) {
  if (s == NULL || *rc != JFTS_OK) return;
  if ((*dst = jfts_strdup(s)) == NULL) *rc = JFTS_ERR_NOMEM;
}

/* The row of key k, added when new. A merged (untagged) row whose documents differ in year
** has no year. */
static WardRow *group_row(WardsCtx *c, const GroupKey *all, int *rc) {
  int merge_year;
  GroupKey k = group_key(c->opt->by, all, &merge_year);
  for (size_t i = 0; i < c->n; i++) {
    WardRow *r = &c->rows[i];
    if (!key_matches(c->opt->by, r, &k, merge_year)) continue;
    if (merge_year && r->year != all->year) {
      r->year = 0;
      jfts_free(r->year_label);
      r->year_label = NULL;
    }
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
  r->order = c->n++;
  r->doc_id = k.doc_id;
  r->year = merge_year ? all->year : k.year;
  dup_into(&r->org, k.org, rc);
  dup_into(&r->ward, k.ward, rc);
  dup_into(&r->kind, k.kind, rc);
  dup_into(&r->title, k.title, rc);
  dup_into(&r->file, k.file, rc);
  dup_into(&r->year_label, merge_year ? all->year_label : k.year_label, rc);
  return *rc == JFTS_OK ? r : NULL;
}

static int doc_cb(void *ctx, const StoreDocRow *d) {
  WardsCtx *c = ctx;
  int rc = JFTS_OK;
  if (d->ward == NULL && d->n_passages == 0) return JFTS_OK;
  if (!research_doc_allowed(c->filter, d)) return JFTS_OK;
  GroupKey all = {d->org, d->ward, d->kind, d->title, d->file, d->year, d->year_label, d->id};
  (void)group_row(c, &all, &rc);
  return rc;
}

/* ---- the best passage -------------------------------------------------------------------- */

/* The best passage's cell of a text row, "file:line" (*cite_out) and "snippet  [via V]"
** (*text_out), both new strings; view is the search result with the disjoint spans. A
** passage matched only in its heading path or label shows that, marked, after "[heading]"
** or "[label]". */
static int best_text(const WardsCtx *c, const SearchResult *view, char **text_out,
                     char **cite_out, char **err_out) {
  const StorePassageRow *p = view->passage;
  const char *on, *off;
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  research_marks(c->opt, &on, &off);
  *text_out = NULL;
  *cite_out = render_cite(p, view->n_spans ? &view->spans[view->focus].start_byte : NULL);
  if (*cite_out == NULL) return JFTS_ERR_NOMEM;
  int rc = render_field_snippet(view, RESEARCH_SNIPPET_CHARS, on, off, 1, &b, err_out);
  if (rc == 0) {
    rc = render_snippet(view, RESEARCH_SNIPPET_CHARS, on, off, 1, &b, err_out);
    render_via(view, c->query, &b);
  } else {
    rc = rc == 1 ? JFTS_OK : -rc;
  }
  if (rc == JFTS_OK) rc = b.rc;
  if (rc == JFTS_OK) {
    *text_out = b.p ? b.p : jfts_strdup("");
    if (*text_out == NULL) rc = JFTS_ERR_NOMEM;
    b.p = NULL;
  }
  jfts_buf_free(&b);
  return rc;
}

/* Keeps view (the result with its disjoint occurrences) as r's best passage. */
static int keep_best(WardsCtx *c, WardRow *r, const SearchResult *view, int is_exact) {
  char *json = NULL, *text = NULL, *cite = NULL;
  int rc = c->opt->format == OUT_TEXT ? best_text(c, view, &text, &cite, c->err_out)
                                      : render_search_json(view, c->query, &json, c->err_out);
  if (rc != JFTS_OK) {
    jfts_free(json);
    jfts_free(text);
    jfts_free(cite);
    return rc;
  }
  jfts_free(r->best_json);
  jfts_free(r->best_text);
  jfts_free(r->best_cite);
  r->best_json = json;
  r->best_text = text;
  r->best_cite = cite;
  r->best_exact = is_exact;
  r->has_best = 1;
  return JFTS_OK;
}

static int wards_result(void *ctx, const SearchResult *res) {
  WardsCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  int rc = JFTS_OK;
  MatchSpan *sp = NULL, *hs = NULL, *ls = NULL;
  size_t n_sp = 0, n_hs = 0, n_ls = 0;
  /* The row of the passage's group; one that no document lists (it should not happen) gets
  ** a row of its own. */
  GroupKey all = {p->org, p->ward, p->kind, p->doc_title, p->file, p->year, p->year_label,
                  p->doc_id};
  WardRow *r = group_row(c, &all, &rc);
  if (r == NULL) return rc;
  rc = research_stopped(c->opt, c->err_out);
  if (rc == JFTS_OK) rc = research_disjoint_spans(res->spans, res->n_spans, &sp, &n_sp);
  if (rc == JFTS_OK)
    rc = research_disjoint_spans(res->heading_spans, res->n_heading_spans, &hs, &n_hs);
  if (rc == JFTS_OK) rc = research_disjoint_spans(res->label_spans, res->n_label_spans, &ls, &n_ls);
  if (rc != JFTS_OK) goto cleanup;
  /* An occurrence in the heading path or label counts as one there (and is shown when the
  ** text has none), so that a passage found through its heading is not "0 occurrences". */
  r->n_passages++;
  r->n_occurrences += (long)(n_sp + n_hs + n_ls);
  size_t focus = 0, exact = n_sp;
  for (size_t i = 0; i < n_sp; i++) {
    if (res->n_spans && sp[i].start_byte == res->spans[res->focus].start_byte) focus = i;
    if (exact == n_sp && sp[i].variant < 0) exact = i;
  }
  /* A variant's occurrence is shown only when the passage has none of the term itself. */
  if (exact < n_sp && sp[focus].variant >= 0) focus = exact;
  int is_exact = exact < n_sp;
  for (size_t i = 0; !is_exact && i < n_hs + n_ls; i++)
    is_exact = (i < n_hs ? hs[i] : ls[i - n_hs]).variant < 0;
  if (!r->has_best || (!r->best_exact && is_exact)) {
    /* The best passage is rendered as a search row of its counted (disjoint) occurrences. */
    SearchResult view = *res;
    view.spans = sp;
    view.n_spans = n_sp;
    view.focus = focus;
    view.heading_spans = hs;
    view.n_heading_spans = n_hs;
    view.label_spans = ls;
    view.n_label_spans = n_ls;
    rc = keep_best(c, r, &view, is_exact);
  }

cleanup:
  jfts_free(sp);
  jfts_free(hs);
  jfts_free(ls);
  return rc;
}

/* ---- output ------------------------------------------------------------------------------ */

static int cmp_rows(const void *a, const void *b) {
  const WardRow *x = a, *y = b;
  if (x->n_occurrences != y->n_occurrences) return x->n_occurrences > y->n_occurrences ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* "query" (--queries) and then the fields of every row. */
static const char *const k_ward_fields[] = {"query", "ward", "year", "year_label", "passages",
                                            "occurrences", "best", "org", "kind", "title",
                                            "file", "by", "group"};

const char *const *research_ward_fields(int with_query, size_t *n_out) {
  size_t skip = with_query ? 0 : 1;
  *n_out = sizeof k_ward_fields / sizeof *k_ward_fields - skip;
  return k_ward_fields + skip;
}

/* The cells that name row r's group in the text format, at most 5, "-" for what is unknown
** (the year as its label, else as a number in yb). with_org: --wards in an index of several
** organisations names each row's organisation first. Returns their number. */
static size_t group_cells(ResearchBy by, const WardRow *r, int with_org, char yb[16],
                          const char *cells[5]) {
  size_t n = 0;
  snprintf(yb, 16, "%d", r->year);
  const char *year = r->year_label ? r->year_label : r->year ? yb : "-";
  switch (by) {
    case RESEARCH_BY_WARD:
      if (with_org) cells[n++] = r->org ? r->org : "-";
      cells[n++] = r->ward ? r->ward : "-";
      cells[n++] = year;
      break;
    case RESEARCH_BY_ORG: cells[n++] = r->org ? r->org : "-"; break;
    case RESEARCH_BY_YEAR: cells[n++] = year; break;
    case RESEARCH_BY_KIND: cells[n++] = r->kind ? r->kind : "-"; break;
    case RESEARCH_BY_DOCUMENT:
      cells[n++] = r->org ? r->org : "-";
      cells[n++] = r->ward ? r->ward : "-";
      cells[n++] = year;
      cells[n++] = r->title ? r->title : "-";
      break;
  }
  return n;
}

/* 1 when the rows name more than one organisation. */
static int several_orgs(const WardsCtx *c) {
  for (size_t i = 1; i < c->n; i++)
    if (!str_same(c->rows[i].org, c->rows[0].org)) return 1;
  return 0;
}

/* The group cells of the text format joined by spaces (the "group" field): a new string,
** NULL on failure. */
static char *group_name(ResearchBy by, const WardRow *r, int with_org) {
  char yb[16];
  const char *cells[5];
  size_t n = group_cells(by, r, with_org, yb, cells);
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  for (size_t i = 0; i < n; i++) {
    if (i) jfts_buf_add(&b, " ", 1);
    jfts_buf_add(&b, cells[i], strlen(cells[i]));
  }
  jfts_buf_add(&b, "", 1);
  if (b.rc != JFTS_OK) {
    jfts_buf_free(&b);
    return NULL;
  }
  return b.p;
}

static int write_rows_values(const WardsCtx *c, FILE *fp) {
  OutWriter *w = c->opt->w;
  int with_org = c->opt->by == RESEARCH_BY_WARD && several_orgs(c);
  size_t n_fields;
  const char *const *fields = research_ward_fields(c->opt->query_line != NULL, &n_fields);
  int rc = w ? JFTS_OK : out_open(fp, c->opt->format, fields, n_fields, &w, NULL);
  for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    char *group = group_name(c->opt->by, r, with_org);
    if (group == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    if (c->opt->query_line) out_strn(w, c->opt->query_line, c->opt->n_query_line);
    out_str(w, r->ward);
    out_int_or_null(w, r->year, 0);
    out_str(w, r->year_label);
    out_int(w, r->n_passages);
    out_int(w, r->n_occurrences);
    if (r->best_json) out_json(w, r->best_json);
    else out_null(w);
    out_str(w, r->org);
    out_str(w, r->kind);
    out_str(w, r->title);
    out_str(w, r->file);
    out_str(w, k_by_names[c->opt->by]);
    out_str(w, group);
    jfts_free(group);
    rc = out_row_end(w);
  }
  if (w != c->opt->w) out_close(w);
  return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
}

static int write_wards(const WardsCtx *c, FILE *fp) {
  if (c->opt->format != OUT_TEXT) return write_rows_values(c, fp);
  int with_org = c->opt->by == RESEARCH_BY_WARD && several_orgs(c);
  int w_cell[5] = {0}, w_pass = 0, w_occ = 0, w_cite = 0;
  char num[32], yb[16];
  const char *cells[5];
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    size_t n = group_cells(c->opt->by, r, with_org, yb, cells);
    int w;
    for (size_t k = 0; k < n; k++)
      if ((w = research_width(cells[k])) > w_cell[k]) w_cell[k] = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_passages)) > w_pass) w_pass = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_occurrences)) > w_occ) w_occ = w;
    if ((w = research_width(r->best_cite ? r->best_cite : "-")) > w_cite) w_cite = w;
  }
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    size_t n = group_cells(c->opt->by, r, with_org, yb, cells);
    const char *cite = r->best_cite ? r->best_cite : "-";
    for (size_t k = 0; k < n; k++) {
      fputs(cells[k], fp);
      research_pad(fp, w_cell[k] - research_width(cells[k]) + (k + 1 == n ? 2 : 1));
    }
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
    /* Strict AND (no best match): a group counts the passages holding every word. */
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
    WardRow *r = &c.rows[i];
    jfts_free(r->org);
    jfts_free(r->ward);
    jfts_free(r->kind);
    jfts_free(r->title);
    jfts_free(r->file);
    jfts_free(r->year_label);
    jfts_free(r->best_json);
    jfts_free(r->best_text);
    jfts_free(r->best_cite);
  }
  jfts_free(c.rows);
  return rc;
}
