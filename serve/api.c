/* jfts-serve's API (api.h): per endpoint, the library calls of the matching jfts-query mode,
** with the CLI's rows written by the same writers (output.h, render.h, research.h) into an
** open_memstream buffer (quotes: only the page asked for, or a capped download), then wrapped
** as {"rows": [...], "total": ...}. */
#define _GNU_SOURCE /* fopencookie: the page of quotes kept from a stream of them */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "expand.h"
#include "jfts_common.h"
#include "kwic.h"
#include "report.h"
#include "research.h"
#include "render.h"
#include "search.h"
#include "store.h"

#define API_DEFAULT_LIMIT 10         /* search rows per page, as jfts-query */
#define API_DEFAULT_QUOTES_LIMIT 200 /* quotes rows per page in JSON */
#define API_MAX_FACET 64             /* distinct values kept per facet */
/* SQLite steps between two looks at the clock. SQLite counts them per statement, and fetching
** one passage takes fewer than a hundred: a larger value would never stop a search that
** fetches many passages one by one. */
#define API_PROGRESS_OPS 32

/* The wards as jfts-query lists them in its messages. */
static const char *const WARDS = "青葉区, 宮城野区, 若林区, 太白区, 泉区";

typedef struct Facet Facet;

struct ApiConn {
  Facet *facet_seeds;     /* every facet value of the index, count 0; NULL until needed */
  char *db_path;
  char *wal_path;         /* db_path-wal: WAL commits change it, not the database file */
  const Thesaurus *ths;   /* borrowed; NULL: no expansion */
  const Thesaurus *rel;   /* related topics of searches, borrowed; NULL: none */
  Store *store;           /* NULL until the first request, or after a failed reopen */
  struct stat st_db, st_wal; /* the database files when the store was opened */
  int prepared;           /* search_prepare done on this store */
  unsigned budget_ms;     /* 0: no time budget */
  struct timespec deadline;
  int timed_out;          /* the progress handler stopped a statement */
};

/* An open_memstream buffer. */
typedef struct Mem {
  FILE *fp;
  char *p;
  size_t n;
} Mem;

static int mem_open(Mem *m) {
  m->p = NULL;
  m->n = 0;
  m->fp = open_memstream(&m->p, &m->n);
  return m->fp ? JFTS_OK : JFTS_ERR_NOMEM;
}

/* Closes the stream; the text stays in m->p (free()). */
static int mem_close(Mem *m) {
  int rc = JFTS_OK;
  if (m->fp && fclose(m->fp) != 0) rc = JFTS_ERR_NOMEM;
  m->fp = NULL;
  return rc;
}

static void mem_free(Mem *m) {
  if (m->fp) fclose(m->fp);
  free(m->p);
  m->fp = NULL;
  m->p = NULL;
}

/* ---- connection --------------------------------------------------------------------------- */

static int progress_cb(void *ctx) {
  ApiConn *c = ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (now.tv_sec > c->deadline.tv_sec ||
      (now.tv_sec == c->deadline.tv_sec && now.tv_nsec > c->deadline.tv_nsec)) {
    c->timed_out = 1;
    return 1;
  }
  return 0;
}

int api_conn_new(const char *db_path, const Thesaurus *ths, const Thesaurus *rel,
                 unsigned budget_ms, ApiConn **out) {
  ApiConn *c = jfts_malloc(sizeof *c);
  *out = NULL;
  if (c == NULL) return JFTS_ERR_NOMEM;
  memset(c, 0, sizeof *c);
  c->ths = ths;
  c->rel = rel;
  c->budget_ms = budget_ms;
  c->db_path = jfts_strdup(db_path);
  c->wal_path = jfts_mprintf("%s-wal", db_path);
  if (c->db_path == NULL || c->wal_path == NULL) {
    api_conn_free(c);
    return JFTS_ERR_NOMEM;
  }
  *out = c; /* the store opens on the first request (api_handle) */
  return JFTS_OK;
}

static void facets_free(Facet *f);

void api_conn_free(ApiConn *c) {
  if (c == NULL) return;
  facets_free(c->facet_seeds);
  jfts_free(c->facet_seeds);
  store_close(c->store);
  jfts_free(c->db_path);
  jfts_free(c->wal_path);
  jfts_free(c);
}

static int same_file(const struct stat *a, const struct stat *b) {
  return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reopens the store when the database or its WAL changed since it was opened: the store
** caches ranking data (store_search_prepare) that a new index makes stale. The files are
** looked at before opening, so a change during the open is seen by the next request. */
static int conn_refresh(ApiConn *c, char **err_out) {
  struct stat db, wal;
  if (stat(c->db_path, &db) != 0) memset(&db, 0, sizeof db);
  if (stat(c->wal_path, &wal) != 0) memset(&wal, 0, sizeof wal);
  if (c->store && same_file(&db, &c->st_db) && same_file(&wal, &c->st_wal)) return JFTS_OK;
  store_close(c->store);
  c->store = NULL;
  c->prepared = 0;
  facets_free(c->facet_seeds);
  jfts_free(c->facet_seeds);
  c->facet_seeds = NULL;
  int rc = store_open(c->db_path, STORE_READ, &c->store, err_out);
  if (rc != JFTS_OK) return rc;
  c->st_db = db;
  c->st_wal = wal;
  if (c->budget_ms) store_set_progress(c->store, API_PROGRESS_OPS, progress_cb, c);
  return JFTS_OK;
}

/* ---- responses ---------------------------------------------------------------------------- */

void api_response_clear(ApiResponse *out) {
  free(out->body);
  out->body = NULL;
  out->n_body = 0;
}

static int respond_error(ApiResponse *out, int status, const char *msg) {
  Mem m;
  api_response_clear(out);
  out->status = status;
  out->content_type = "application/json; charset=utf-8";
  out->filename = NULL;
  if (mem_open(&m) != JFTS_OK) return JFTS_ERR_NOMEM;
  fputs("{\"error\":", m.fp);
  out_json_string(m.fp, msg, strlen(msg));
  fputs("}\n", m.fp);
  if (mem_close(&m) != JFTS_OK) {
    mem_free(&m);
    return JFTS_ERR_NOMEM;
  }
  out->body = m.p;
  out->n_body = m.n;
  return JFTS_OK;
}

/* Writes the JSON Lines text lines[0..n) as the elements of a JSON array, from line offset on,
** at most limit of them (< 0: all). *n_lines_out gets the number of lines. Each CLI row is
** one line: out_json escapes every line break inside a value. */
static void lines_to_array(FILE *fp, const char *lines, size_t n, long offset, long limit,
                           long *n_lines_out) {
  long i = 0, shown = 0;
  fputc('[', fp);
  for (size_t at = 0; at < n;) {
    const char *nl = memchr(lines + at, '\n', n - at);
    size_t len = nl ? (size_t)(nl - (lines + at)) : n - at;
    if (i >= offset && (limit < 0 || shown < limit)) {
      if (shown++) fputc(',', fp);
      fwrite(lines + at, 1, len, fp);
    }
    i++;
    at += len + 1;
  }
  fputc(']', fp);
  *n_lines_out = i;
}

static void write_notes(FILE *fp, char **notes, size_t n_notes) {
  fputs(",\"notes\":[", fp);
  for (size_t i = 0; i < n_notes; i++) {
    if (i) fputc(',', fp);
    out_json_string(fp, notes[i], strlen(notes[i]));
  }
  fputc(']', fp);
}

/* ---- facets ------------------------------------------------------------------------------- */

typedef struct FacetValue {
  char *value; /* what the filter parameter accepts */
  char *label; /* what to show; NULL: value */
  long count;  /* matching passages */
} FacetValue;

struct Facet {
  FacetValue v[API_MAX_FACET];
  size_t n;
};

enum { FACET_WARD, FACET_YEAR, FACET_SECTION, FACET_MEETING, N_FACETS };
static const char *const FACET_NAMES[N_FACETS] = {"ward", "year", "section", "meeting"};

/* Counts one passage with value (NULL: none) in f, adding the value when f lacks it; with
** count 0, only adds it (a value of the index that no passage of the answer has). */
static int facet_add_n(Facet *f, const char *value, const char *label, long count) {
  if (value == NULL) return JFTS_OK;
  for (size_t i = 0; i < f->n; i++)
    if (strcmp(f->v[i].value, value) == 0) {
      f->v[i].count += count;
      return JFTS_OK;
    }
  if (f->n == API_MAX_FACET) return JFTS_OK; /* more values than a page can show */
  FacetValue *v = &f->v[f->n];
  v->value = jfts_strdup(value);
  v->label = label ? jfts_strdup(label) : NULL;
  if (v->value == NULL || (label && v->label == NULL)) {
    jfts_free(v->value);
    jfts_free(v->label);
    return JFTS_ERR_NOMEM;
  }
  v->count = count;
  f->n++;
  return JFTS_OK;
}

static int facet_add(Facet *f, const char *value, const char *label) {
  return facet_add_n(f, value, label, 1);
}

static void facets_free(Facet *f) {
  if (f == NULL) return;
  for (size_t k = 0; k < N_FACETS; k++)
    for (size_t i = 0; i < f[k].n; i++) {
      jfts_free(f[k].v[i].value);
      jfts_free(f[k].v[i].label);
    }
}

static int seed_doc_cb(void *ctx, const StoreDocRow *r) {
  Facet *f = ctx;
  int rc = facet_add_n(&f[FACET_WARD], r->ward, NULL, 0);
  return rc == JFTS_OK ? facet_add_n(&f[FACET_YEAR], r->year_label, NULL, 0) : rc;
}

static int seed_value_cb(void *ctx, const StoreFilterValueRow *r) {
  Facet *f = ctx;
  int rc = facet_add_n(&f[FACET_SECTION], r->section, r->section_title, 0);
  return rc == JFTS_OK ? facet_add_n(&f[FACET_MEETING], r->meeting, NULL, 0) : rc;
}

/* Fills facets (zeroed) with every value of the index at count 0, so that the answer lists
** them all, zeros included: listed once per store (the index's wards and years from its
** documents, sections and meetings from store_list_filter_values), then copied. */
static int facets_seed(ApiConn *c, Facet *facets, char **err_out) {
  if (c->facet_seeds == NULL) {
    Facet *seeds = jfts_malloc(N_FACETS * sizeof *seeds);
    if (seeds == NULL) return JFTS_ERR_NOMEM;
    memset(seeds, 0, N_FACETS * sizeof *seeds);
    int rc = store_list_documents(c->store, NULL, seed_doc_cb, seeds, err_out);
    if (rc == JFTS_OK) rc = store_list_filter_values(c->store, seed_value_cb, seeds, err_out);
    if (rc != JFTS_OK) {
      facets_free(seeds);
      jfts_free(seeds);
      return rc;
    }
    c->facet_seeds = seeds;
  }
  int rc = JFTS_OK;
  for (size_t k = 0; k < N_FACETS; k++)
    for (size_t i = 0; rc == JFTS_OK && i < c->facet_seeds[k].n; i++)
      rc = facet_add_n(&facets[k], c->facet_seeds[k].v[i].value, c->facet_seeds[k].v[i].label, 0);
  return rc;
}

static void facets_write(FILE *fp, const Facet *f) {
  fputs(",\"facets\":{", fp);
  for (size_t k = 0; k < N_FACETS; k++) {
    fprintf(fp, "%s\"%s\":[", k ? "," : "", FACET_NAMES[k]);
    for (size_t i = 0; i < f[k].n; i++) {
      const FacetValue *v = &f[k].v[i];
      fputs(i ? ",{\"value\":" : "{\"value\":", fp);
      out_json_string(fp, v->value, strlen(v->value));
      fputs(",\"label\":", fp);
      const char *label = v->label ? v->label : v->value;
      out_json_string(fp, label, strlen(label));
      fprintf(fp, ",\"count\":%ld}", v->count);
    }
    fputc(']', fp);
  }
  fputc('}', fp);
}

/* ---- search ------------------------------------------------------------------------------- */

typedef struct SearchSink {
  ApiConn *conn;     /* its deadline, checked between results too */
  OutWriter *w;
  const Query *parsed;      /* the query as searched (expand_query's) */
  const char *searched_as;  /* its text when a word was split, else NULL */
  long first, last;  /* ranks to write (1-based, inclusive); facets count every result */
  Facet *facets;     /* NULL: no facets (then search_run itself applies limit and offset) */
  int bad_row;
  char *err;
} SearchSink;

static int search_cb(void *ctx, const SearchResult *r) {
  SearchSink *k = ctx;
  const StorePassageRow *p = r->passage;
  int rc = JFTS_OK;
  if (k->conn->budget_ms && progress_cb(k->conn)) return JFTS_ERR_DB; /* timed_out is set */
  if (k->facets) {
    rc = facet_add(&k->facets[FACET_WARD], p->ward, NULL);
    if (rc == JFTS_OK) rc = facet_add(&k->facets[FACET_YEAR], p->year_label, NULL);
    if (rc == JFTS_OK) rc = facet_add(&k->facets[FACET_SECTION], p->section, p->section_title);
    if (rc == JFTS_OK) rc = facet_add(&k->facets[FACET_MEETING], p->meeting, NULL);
    if (rc != JFTS_OK || r->rank < k->first || r->rank > k->last) return rc;
  }
  rc = render_search_values(k->w, r, k->parsed, k->searched_as, NULL, 0, &k->err);
  if (rc == JFTS_OK) rc = out_row_end_lenient(k->w, &k->bad_row);
  return rc;
}

/* The search endpoint's rows, rendered by render.c as jfts-query renders them: the rows of
** the searched query in format to fp, under page (sort, limit, offset, filter, all_words).
** With facets (JSON), every matching passage is visited to count them and the rows of
** [offset, offset+limit) are written; without, search_run pages itself (CSV/TSV). */
static int search_rows(ApiConn *c, const Query *searched, const char *searched_as,
                       const SearchOptions *page, OutFormat format, Facet *facets, FILE *fp,
                       SearchTotals *totals_out, char **err_out) {
  SearchSink k = {.conn = c, .parsed = searched, .searched_as = searched_as,
                  .first = page->offset + 1, .last = page->offset + page->limit,
                  .facets = facets};
  SearchOptions so = *page;
  if (facets) so.limit = so.offset = 0;
  size_t n_fields = 0;
  const char *const *fields = render_search_fields(0, &n_fields);
  int rc = out_open(fp, format, fields, n_fields, &k.w, err_out);
  if (rc == JFTS_OK) rc = search_run(c->store, searched, &so, search_cb, &k, totals_out, err_out);
  if (rc != JFTS_OK && k.err) {
    jfts_set_error(err_out, "%s", k.err);
  } else if (rc == JFTS_OK && k.bad_row) {
    jfts_set_error(err_out, "internal error: a row did not match its field list");
    rc = JFTS_ERR_DB;
  }
  jfts_free(k.err);
  out_close(k.w);
  return rc;
}

/* ---- query modes -------------------------------------------------------------------------- */

/* What search, wards and quotes share: the filter and the parsed, expanded query; for a
** search also the query as searched (expand_query's). */
typedef struct Prepared {
  ResearchFilter *filter;
  Query *query;
  char **notes;
  size_t n_notes;
  Query *searched;   /* search only: words split, related topics added */
  char *searched_as; /* its text when a word was split, else NULL */
} Prepared;

static void prepared_free(Prepared *pr) {
  research_filter_free(pr->filter);
  qry_free(pr->query);
  ths_warnings_free(pr->notes, pr->n_notes);
  qry_free(pr->searched);
  jfts_free(pr->searched_as);
}

static int prepare_query(ApiConn *c, const ServeParams *p, Prepared *pr, char **err_out) {
  if (p->q == NULL || p->q[0] == '\0') {
    jfts_set_error(err_out, "no query given (parameter q)");
    return JFTS_ERR_USAGE;
  }
  /* Wards, organisations and kinds are checked against the index (research_filter_new). */
  ResearchFilterArgs fa = {.wards = (const char *const *)p->wards, .n_wards = p->n_wards,
                           .section = p->section, .meeting = p->meeting, .year = p->year,
                           .orgs = (const char *const *)p->orgs, .n_orgs = p->n_orgs,
                           .kind = p->kind};
  int rc = research_filter_new(c->store, &fa, &pr->filter, err_out);
  if (rc == JFTS_OK)
    rc = research_query_new(p->q, strlen(p->q), p->exact ? NULL : c->ths, &pr->query, &pr->notes,
                            &pr->n_notes, err_out);
  return rc;
}

/* The query a search runs, as jfts-query runs it (expand.h): words the text never writes whole
** split into their parts, and related topics unless exact=1 or related=0. */
static int expand_search(ApiConn *c, const ServeParams *p, Prepared *pr, char **err_out) {
  ExpandOptions eo = {.ths = p->exact ? NULL : c->ths,
                      .related = p->exact || !p->related ? NULL : c->rel,
                      .notes_io = &pr->notes,
                      .n_notes_io = &pr->n_notes};
  int split = 0;
  int rc = expand_query(c->store, pr->query, &eo, &pr->searched, &split, err_out);
  if (rc == JFTS_OK && split && (pr->searched_as = qry_render(pr->searched)) == NULL)
    rc = JFTS_ERR_NOMEM;
  return rc;
}

static int api_search(ApiConn *c, const ServeParams *p, const Prepared *pr, Mem *m,
                      ApiResponse *out, char **err_out) {
  SearchSort sort = SEARCH_SORT_RANK;
  if (p->by) {
    jfts_set_error(err_out, "by is for wards");
    return JFTS_ERR_USAGE;
  }
  if (p->sort && strcmp(p->sort, "doc") == 0) sort = SEARCH_SORT_DOC;
  else if (p->sort && strcmp(p->sort, "rank") != 0) {
    jfts_set_error(err_out, "unknown sort order '%s' (valid: rank, doc)", p->sort);
    return JFTS_ERR_USAGE;
  }
  if (!c->prepared) {
    int rc = search_prepare(c->store, err_out);
    if (rc != JFTS_OK) return rc;
    c->prepared = 1;
  }
  long limit = p->limit < 0 ? API_DEFAULT_LIMIT : p->limit;
  int capped = p->limit_capped || limit == 0 || limit > SP_MAX_LIMIT;
  if (limit == 0 || limit > SP_MAX_LIMIT) limit = SP_MAX_LIMIT;
  SearchOptions page = {.sort = sort, .limit = limit, .offset = p->offset,
                        .filter = research_filter_get(pr->filter), .all_words = p->all_words};
  SearchTotals totals;
  memset(&totals, 0, sizeof totals);
  if (p->format != OUT_JSON) {
    out->filename = p->format == OUT_CSV ? "jfts-search.csv" : "jfts-search.tsv";
    return search_rows(c, pr->searched, pr->searched_as, &page, p->format, NULL, m->fp, &totals,
                       err_out);
  }
  Facet facets[N_FACETS];
  Mem rows = {NULL, NULL, 0};
  memset(facets, 0, sizeof facets);
  int rc = facets_seed(c, facets, err_out);
  if (rc == JFTS_OK) rc = mem_open(&rows);
  if (rc == JFTS_OK)
    rc = search_rows(c, pr->searched, pr->searched_as, &page, OUT_JSON, facets, rows.fp, &totals,
                     err_out);
  if (rc == JFTS_OK) rc = mem_close(&rows);
  if (rc == JFTS_OK) {
    long n_lines;
    fputs("{\"rows\":", m->fp);
    lines_to_array(m->fp, rows.p, rows.n, 0, -1, &n_lines);
    fprintf(m->fp, ",\"total\":{\"passages\":%ld,\"occurrences\":%lld}", totals.n_passages,
            (long long)totals.n_occurrences);
    fprintf(m->fp, ",\"offset\":%ld,\"limit\":%ld,\"limit_capped\":%s", p->offset, limit,
            capped ? "true" : "false");
    write_notes(m->fp, pr->notes, pr->n_notes);
    facets_write(m->fp, facets);
    fputs("}\n", m->fp);
  }
  mem_free(&rows);
  facets_free(facets);
  return rc;
}

/* --wards: the CLI's writer into rows (one per group: few), then wrapped into the JSON answer. */
static int api_wards(ApiConn *c, const ServeParams *p, const Prepared *pr, Mem *m,
                     ApiResponse *out, char **err_out) {
  /* The time budget stops the ICU work between and after the SQL statements too. */
  ResearchOptions ro = {.format = p->format, .filter = research_filter_get(pr->filter),
                        .stop = c->budget_ms ? progress_cb : NULL, .stop_ctx = c};
  ResearchTotals totals = {0, 0, 0};
  if (p->sort || p->context) {
    jfts_set_error(err_out, "sort and context are for quotes");
    return JFTS_ERR_USAGE;
  }
  if (p->all_words || !p->related) {
    jfts_set_error(err_out, "all_words and related are for search");
    return JFTS_ERR_USAGE;
  }
  int rc = p->by ? research_parse_by(p->by, &ro.by, err_out) : JFTS_OK;
  if (rc != JFTS_OK) return rc;
  if (p->format != OUT_JSON) {
    out->filename = p->format == OUT_CSV ? "jfts-wards.csv" : "jfts-wards.tsv";
    return research_wards(c->store, pr->query, &ro, m->fp, &totals, err_out);
  }
  Mem rows;
  rc = mem_open(&rows);
  if (rc == JFTS_OK) rc = research_wards(c->store, pr->query, &ro, rows.fp, &totals, err_out);
  if (rc == JFTS_OK) rc = mem_close(&rows);
  if (rc == JFTS_OK) {
    long n_lines;
    fputs("{\"rows\":", m->fp);
    lines_to_array(m->fp, rows.p, rows.n, 0, -1, &n_lines);
    fprintf(m->fp, ",\"total\":{\"rows\":%ld,\"passages\":%ld,\"occurrences\":%ld}", n_lines,
            totals.n_passages, totals.n_occurrences);
    write_notes(m->fp, pr->notes, pr->n_notes);
    fputs("}\n", m->fp);
  }
  mem_free(&rows);
  return rc;
}

/* ---- quotes ------------------------------------------------------------------------------- */

/* A query can have millions of quotes (a file of one repeated character quotes each of them),
** so no quotes answer holds them all. JSON: the quotes are written in document order as each
** passage is read, through a PageSink that keeps only the page asked for and counts the rest.
** CSV/TSV (a download of every row): written likewise, but cut after the passage that takes
** the body past API_MAX_EXPORT_BYTES (ApiResponse.truncated). Sorted quotes must be held
** until sorted: a first pass in document order counts them, and more than
** API_MAX_SORTED_QUOTES are refused with 422 instead of sorted. */

/* A write-only stream (fopencookie) that counts the lines written to it (one JSON row each:
** out_json escapes every line break inside a value) and copies lines [first, first + n) to
** page, so that memory holds a page of quotes, never all of them. */
typedef struct PageSink {
  FILE *page;    /* where the kept lines go; NULL: keep none, only count */
  long first, n; /* the lines to keep; n < 0: every line from first on */
  long n_lines;  /* lines ended so far */
} PageSink;

static ssize_t page_write(void *cookie, const char *buf, size_t size) {
  PageSink *k = cookie;
  for (size_t at = 0; at < size;) {
    const char *nl = memchr(buf + at, '\n', size - at);
    size_t len = nl ? (size_t)(nl - (buf + at)) + 1 : size - at;
    long i = k->n_lines;
    int keep = k->page && i >= k->first && (k->n < 0 || i - k->first < k->n);
    if (keep && fwrite(buf + at, 1, len, k->page) != len) return -1;
    if (nl) k->n_lines++;
    at += len;
  }
  return (ssize_t)size;
}

/* A new stream writing into k (fclose() flushes it into k); NULL when out of memory. */
static FILE *page_open(PageSink *k) {
  cookie_io_functions_t io = {.read = NULL, .write = page_write, .seek = NULL, .close = NULL};
  return fopencookie(k, "w", io);
}

/* The ResearchOptions.stop of quotes: the time budget, and the caps. It is asked before each
** passage's lines are made, so a cut answer ends with whole rows. */
typedef struct QuotesStop {
  ApiConn *conn;
  FILE *fp;           /* the rows written so far */
  long max_bytes;     /* > 0: stop once fp holds more (CSV/TSV) */
  PageSink *count;    /* non-NULL: stop once it has counted more than max_lines */
  long max_lines;
  int capped;         /* a cap, not the time budget, stopped the quotes */
} QuotesStop;

static int quotes_stop(void *ctx) {
  QuotesStop *q = ctx;
  if (q->conn->budget_ms && progress_cb(q->conn)) return 1;
  if (q->count && fflush(q->fp) == 0 && q->count->n_lines > q->max_lines) q->capped = 1;
  if (q->max_bytes > 0 && ftell(q->fp) > q->max_bytes) q->capped = 1;
  return q->capped;
}

/* Sorted quotes are held until sorted: counts them first (in document order, streamed, up to
** one past the cap) and refuses more than API_MAX_SORTED_QUOTES with 422. */
static int quotes_check_sortable(ApiConn *c, const Query *query, const ResearchOptions *opt,
                                 ApiResponse *out, char **err_out) {
  PageSink k = {.page = NULL, .first = 0, .n = 0, .n_lines = 0};
  FILE *fp = page_open(&k);
  if (fp == NULL) return JFTS_ERR_NOMEM;
  QuotesStop qs = {.conn = c, .fp = fp, .count = &k, .max_lines = API_MAX_SORTED_QUOTES};
  ResearchOptions ro = *opt;
  ro.format = OUT_JSON;
  ro.sort = KWIC_SORT_DOC;
  ro.stream = 1;
  ro.stop = quotes_stop;
  ro.stop_ctx = &qs;
  int rc = research_quotes(c->store, query, &ro, fp, NULL, err_out);
  fclose(fp);
  if (rc != JFTS_OK && qs.capped) {
    out->status = 422;
    jfts_free(*err_out);
    *err_out = NULL;
    jfts_set_error(err_out, "too many quotes to sort (more than %d): narrow the query, or "
                            "sort in document order (sort=doc)", API_MAX_SORTED_QUOTES);
    rc = JFTS_ERR_USAGE;
  }
  return rc;
}

/* The JSON answer: the page [offset, offset + limit) of the quotes, and their totals. */
static int quotes_json(ApiConn *c, const ServeParams *p, const Prepared *pr,
                       const ResearchOptions *opt, Mem *m, char **err_out) {
  long limit = p->limit < 0 ? API_DEFAULT_QUOTES_LIMIT : p->limit;
  ResearchTotals totals = {0, 0, 0};
  Mem rows;
  FILE *fp = NULL;
  int rc = mem_open(&rows);
  PageSink k = {.page = rows.fp, .first = p->offset, .n = limit, .n_lines = 0};
  if (rc == JFTS_OK && (fp = page_open(&k)) == NULL) rc = JFTS_ERR_NOMEM;
  if (rc == JFTS_OK) rc = research_quotes(c->store, pr->query, opt, fp, &totals, err_out);
  if (fp && fclose(fp) != 0 && rc == JFTS_OK) rc = JFTS_ERR_NOMEM;
  if (rc == JFTS_OK) rc = mem_close(&rows);
  if (rc == JFTS_OK) {
    long n_page;
    fputs("{\"rows\":", m->fp);
    lines_to_array(m->fp, rows.p, rows.n, 0, -1, &n_page);
    fprintf(m->fp, ",\"total\":{\"rows\":%ld,\"passages\":%ld,\"occurrences\":%ld}", k.n_lines,
            totals.n_passages, totals.n_occurrences);
    fprintf(m->fp, ",\"offset\":%ld,\"limit\":%ld,\"limit_capped\":%s", p->offset, limit,
            p->limit_capped ? "true" : "false");
    write_notes(m->fp, pr->notes, pr->n_notes);
    fputs("}\n", m->fp);
  }
  mem_free(&rows);
  return rc;
}

static int api_quotes(ApiConn *c, const ServeParams *p, const Prepared *pr, Mem *m,
                      ApiResponse *out, char **err_out) {
  QuotesStop qs = {.conn = c, .fp = m->fp};
  ResearchOptions ro = {.format = p->format, .filter = research_filter_get(pr->filter),
                        .n_context = (size_t)p->context, .stream = 1, .stop = quotes_stop,
                        .stop_ctx = &qs};
  if (p->by) {
    jfts_set_error(err_out, "by is for wards");
    return JFTS_ERR_USAGE;
  }
  if (p->all_words || !p->related) { /* as --wards: every word, no related topics */
    jfts_set_error(err_out, "all_words and related are for search");
    return JFTS_ERR_USAGE;
  }
  int rc = p->sort ? kwic_parse_sort(p->sort, &ro.sort, err_out) : JFTS_OK;
  if (rc == JFTS_OK && ro.sort != KWIC_SORT_DOC)
    rc = quotes_check_sortable(c, pr->query, &ro, out, err_out);
  if (rc != JFTS_OK) return rc;
  if (p->format == OUT_JSON) return quotes_json(c, p, pr, &ro, m, err_out);
  out->filename = p->format == OUT_CSV ? "jfts-quotes.csv" : "jfts-quotes.tsv";
  qs.max_bytes = API_MAX_EXPORT_BYTES;
  rc = research_quotes(c->store, pr->query, &ro, m->fp, NULL, err_out);
  if (rc != JFTS_OK && qs.capped) {
    out->truncated = 1;
    jfts_free(*err_out);
    *err_out = NULL;
    rc = JFTS_OK;
  }
  return rc;
}

/* ---- listings ----------------------------------------------------------------------------- */

typedef struct ListSink {
  OutWriter *w;
  int bad_row;
  long n;           /* rows seen */
  long want;        /* api_document: the 1-based id looked for; 0: write every row */
  char *file;       /* api_document: the document found (copies) */
  char *ward;
  int line_start, line_end;
  int found;
} ListSink;

static int doc_cb(void *ctx, const StoreDocRow *r) {
  ListSink *k = ctx;
  if (k->want && ++k->n != k->want) return JFTS_OK;
  if (k->want) {
    k->found = 1;
    k->file = jfts_strdup(r->file);
    k->ward = r->ward ? jfts_strdup(r->ward) : NULL;
    k->line_start = r->text_line_start; /* as passages count lines (a PDF's pages aside) */
    k->line_end = r->text_line_end;
    if (k->file == NULL || (r->ward && k->ward == NULL)) return JFTS_ERR_NOMEM;
  }
  render_doc_values(k->w, r);
  return out_row_end_lenient(k->w, &k->bad_row);
}

static int meeting_cb(void *ctx, const StoreMeetingRow *r) {
  ListSink *k = ctx;
  render_meeting_values(k->w, r);
  return out_row_end_lenient(k->w, &k->bad_row);
}

/* --documents and --meetings take one ward and nothing else, as in the CLI. */
static int listing_ward(const ServeParams *p, const char **ward_out, char **err_out) {
  *ward_out = NULL;
  if (p->q || p->n_wards > 1 || p->section || p->meeting || p->year || p->sort || p->context ||
      p->n_orgs || p->kind || p->by) {
    jfts_set_error(err_out, "documents and meetings take one ward and no query or other filter");
    return JFTS_ERR_USAGE;
  }
  if (p->n_wards == 1) {
    *ward_out = report_canonical_ward(p->wards[0]);
    if (*ward_out == NULL) {
      jfts_set_error(err_out, "unknown ward '%s' (valid: %s)", p->wards[0], WARDS);
      return JFTS_ERR_USAGE;
    }
  }
  return JFTS_OK;
}

static int api_listing(ApiConn *c, const ServeParams *p, int meetings, Mem *m, ApiResponse *out,
                       char **err_out) {
  const char *ward;
  ListSink k;
  Mem rows = {NULL, NULL, 0};
  memset(&k, 0, sizeof k);
  int rc = listing_ward(p, &ward, err_out);
  if (rc != JFTS_OK) return rc;
  int json = p->format == OUT_JSON;
  if (json) rc = mem_open(&rows);
  size_t n_fields = 0;
  const char *const *fields =
      meetings ? render_meeting_fields(&n_fields) : render_doc_fields(&n_fields);
  if (rc == JFTS_OK)
    rc = out_open(json ? rows.fp : m->fp, p->format, fields, n_fields, &k.w, err_out);
  if (rc == JFTS_OK)
    rc = meetings ? store_list_meetings(c->store, ward, meeting_cb, &k, err_out)
                  : store_list_documents(c->store, ward, doc_cb, &k, err_out);
  if (rc == JFTS_OK && k.bad_row) {
    jfts_set_error(err_out, "internal error: a row did not match its field list");
    rc = JFTS_ERR_DB;
  }
  if (rc == JFTS_OK && json) rc = mem_close(&rows);
  if (rc == JFTS_OK && json) {
    long n_lines;
    fputs("{\"rows\":", m->fp);
    lines_to_array(m->fp, rows.p, rows.n, 0, -1, &n_lines);
    fprintf(m->fp, ",\"total\":{\"rows\":%ld}}\n", n_lines);
  }
  if (!json) out->filename = meetings ? "jfts-meetings.csv" : "jfts-documents.csv";
  if (!json && p->format == OUT_TSV) out->filename = meetings ? "jfts-meetings.tsv"
                                                              : "jfts-documents.tsv";
  out_close(k.w);
  mem_free(&rows);
  return rc;
}

/* ---- one document ------------------------------------------------------------------------- */

/* line_start, line_end: lines within page, page_end for a PDF (as search rows and the CLI
** cite them: p.3:12), else lines of the file; page, page_end: null for a text file. */
static const char *const PASSAGE_FIELDS[] = {"id", "section", "section_title", "heading",
                                             "meeting", "local_name", "text", "line_start",
                                             "line_end", "page", "page_end"};
#define N_PASSAGE_FIELDS (sizeof PASSAGE_FIELDS / sizeof PASSAGE_FIELDS[0])

/* The passages of the document found by doc_cb: same file, inside its line range. */
static int passage_cb(void *ctx, const StorePassageRow *r) {
  ListSink *k = ctx;
  if (strcmp(r->file, k->file) != 0 || r->line_start < k->line_start ||
      r->line_start > k->line_end)
    return JFTS_OK;
  out_int(k->w, r->id);
  out_str(k->w, r->section);
  out_str(k->w, r->section_title);
  out_str(k->w, r->heading);
  out_str(k->w, r->meeting);
  out_str(k->w, r->local_name);
  out_strn(k->w, r->text, r->n_text);
  int line_start = r->line_start, line_end = r->line_end;
  int page = store_page_of(r->page_lines, r->n_pages, r->line_start, &line_start);
  int page_end = store_page_of(r->page_lines, r->n_pages, r->line_end, &line_end);
  out_int(k->w, line_start);
  out_int(k->w, line_end);
  out_int_or_null(k->w, page, 0);
  out_int_or_null(k->w, page_end, 0);
  return out_row_end_lenient(k->w, &k->bad_row);
}

/* A document by its id: its 1-based place in the documents listing (no ward), never a path. */
static int api_document(ApiConn *c, const ServeParams *p, Mem *m, ApiResponse *out,
                        char **err_out) {
  ListSink k;
  Mem doc = {NULL, NULL, 0}, rows = {NULL, NULL, 0};
  memset(&k, 0, sizeof k);
  if (p->id == 0 || p->q || p->n_wards || p->section || p->meeting || p->year || p->n_orgs ||
      p->kind || p->by || p->format != OUT_JSON) {
    jfts_set_error(err_out, "document takes id=N (a number from documents) and nothing else");
    return JFTS_ERR_USAGE;
  }
  k.want = p->id;
  int rc = mem_open(&doc);
  if (rc == JFTS_OK) rc = mem_open(&rows);
  size_t n_fields = 0;
  const char *const *fields = render_doc_fields(&n_fields);
  if (rc == JFTS_OK) rc = out_open(doc.fp, OUT_JSON, fields, n_fields, &k.w, err_out);
  if (rc == JFTS_OK) rc = store_list_documents(c->store, NULL, doc_cb, &k, err_out);
  out_close(k.w);
  k.w = NULL;
  if (rc == JFTS_OK && !k.found) {
    out->status = 404;
    jfts_set_error(err_out, "no document %ld", p->id);
    rc = JFTS_ERR_USAGE;
  }
  if (rc == JFTS_OK)
    rc = out_open(rows.fp, OUT_JSON, PASSAGE_FIELDS, N_PASSAGE_FIELDS, &k.w, err_out);
  if (rc == JFTS_OK)
    rc = store_scan_substring(c->store, "", k.ward, 0, passage_cb, &k, NULL, err_out);
  if (rc == JFTS_OK && k.bad_row) {
    jfts_set_error(err_out, "internal error: a row did not match its field list");
    rc = JFTS_ERR_DB;
  }
  if (rc == JFTS_OK) rc = mem_close(&doc);
  if (rc == JFTS_OK) rc = mem_close(&rows);
  if (rc == JFTS_OK) {
    long n_lines;
    fprintf(m->fp, "{\"id\":%ld,\"document\":", p->id);
    fwrite(doc.p, 1, doc.n && doc.p[doc.n - 1] == '\n' ? doc.n - 1 : doc.n, m->fp);
    fputs(",\"rows\":", m->fp);
    lines_to_array(m->fp, rows.p, rows.n, 0, -1, &n_lines);
    fprintf(m->fp, ",\"total\":{\"rows\":%ld}}\n", n_lines);
  }
  out_close(k.w);
  mem_free(&doc);
  mem_free(&rows);
  jfts_free(k.file);
  jfts_free(k.ward);
  return rc;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

enum { EP_SEARCH, EP_WARDS, EP_QUOTES, EP_MEETINGS, EP_DOCUMENTS, EP_DOCUMENT, N_EP };
static const char *const EP_PATHS[N_EP] = {"/api/search", "/api/wards", "/api/quotes",
                                           "/api/meetings", "/api/documents", "/api/document"};

static int run_endpoint(ApiConn *c, int ep, const ServeParams *p, Mem *m, ApiResponse *out,
                        char **err_out) {
  if (ep == EP_MEETINGS || ep == EP_DOCUMENTS)
    return api_listing(c, p, ep == EP_MEETINGS, m, out, err_out);
  if (ep == EP_DOCUMENT) return api_document(c, p, m, out, err_out);
  Prepared pr;
  memset(&pr, 0, sizeof pr);
  int rc = prepare_query(c, p, &pr, err_out);
  if (rc == JFTS_OK && ep == EP_SEARCH) rc = expand_search(c, p, &pr, err_out);
  if (rc == JFTS_OK && ep == EP_SEARCH) rc = api_search(c, p, &pr, m, out, err_out);
  else if (rc == JFTS_OK && ep == EP_WARDS) rc = api_wards(c, p, &pr, m, out, err_out);
  else if (rc == JFTS_OK) rc = api_quotes(c, p, &pr, m, out, err_out);
  prepared_free(&pr);
  return rc;
}

int api_handle(ApiConn *c, const ServeParams *p, ApiResponse *out) {
  char *err = NULL, buf[48];
  Mem m = {NULL, NULL, 0};
  int ep = 0, began = 0;
  memset(out, 0, sizeof *out);
  while (ep < N_EP && strcmp(p->path, EP_PATHS[ep]) != 0) ep++;
  if (ep == N_EP) return respond_error(out, 404, "no such API endpoint");
  out->status = 200;
  out->content_type = p->format == OUT_CSV   ? "text/csv; charset=utf-8"
                      : p->format == OUT_TSV ? "text/tab-separated-values; charset=utf-8"
                                             : "application/json; charset=utf-8";
  int rc = conn_refresh(c, &err);
  if (rc == JFTS_OK && c->budget_ms) {
    clock_gettime(CLOCK_MONOTONIC, &c->deadline);
    c->deadline.tv_sec += c->budget_ms / 1000;
    c->deadline.tv_nsec += (long)(c->budget_ms % 1000) * 1000000L;
    if (c->deadline.tv_nsec >= 1000000000L) {
      c->deadline.tv_sec++;
      c->deadline.tv_nsec -= 1000000000L;
    }
  }
  c->timed_out = 0;
  /* One snapshot per request: a jfts-index run that commits meanwhile shows on the next. */
  if (rc == JFTS_OK) rc = store_read_begin(c->store, &began, &err);
  if (rc == JFTS_OK) rc = mem_open(&m);
  if (rc == JFTS_OK) rc = run_endpoint(c, ep, p, &m, out, &err);
  /* Work that no check stopped (writing the rows) still makes the answer late: a 422 too. */
  if (rc == JFTS_OK && c->budget_ms && progress_cb(c)) rc = JFTS_ERR_DB;
  if (rc == JFTS_OK) rc = mem_close(&m);
  if (c->store) store_read_end(c->store, began);
  if (rc == JFTS_OK) {
    out->body = m.p;
    out->n_body = m.n;
    m.p = NULL;
  } else if (c->timed_out) {
    char msg[128];
    snprintf(msg, sizeof msg, "the request took longer than its time budget (%u ms)",
             c->budget_ms);
    rc = respond_error(out, 422, msg);
  } else {
    int status = out->status == 404 || out->status == 422 ? out->status
                 : rc == JFTS_ERR_USAGE                   ? 400
                                                          : 500;
    rc = respond_error(out, status, jfts_error_text(rc, err, buf));
  }
  mem_free(&m);
  jfts_free(err);
  return rc;
}
