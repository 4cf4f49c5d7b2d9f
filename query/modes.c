/* The modes of jfts-query (modes.h): the store opened in one read snapshot, the filters and
** the thesaurus (and for a search the related-topics layer) set up once, then one small
** runner per mode; rows are rendered by render.h
** and the research modes by research.h. Errors become "jfts-query: ..." lines and exit
** statuses here, so that main() only parses options and dispatches. */
#include "modes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "expand.h"
#include "jfts_common.h"
#include "render.h"
#include "report.h"
#include "research.h"
#include "store.h"
#include "thesaurus.h"

#define PROG MODE_PROG

static const char k_bad_row[] = PROG ": internal error: a row did not match its field list\n";

/* Prints "jfts-query: PREFIX<message of rc/err>SUFFIX" (jfts_error_text). */
static void report_error(const char *prefix, int rc, const char *err, const char *suffix) {
  char buf[48];
  fprintf(stderr, PROG ": %s%s%s\n", prefix, jfts_error_text(rc, err, buf), suffix);
}

/* What every mode shares once the store is open. */
typedef struct Setup {
  Store *store;
  int reading;                /* a read snapshot is open */
  ResearchFilter *filter;
  Thesaurus *ths;             /* NULL: terms as typed */
  Thesaurus *rel;             /* the related-topics layer (search only); NULL: none */
  const char *mark_open, *mark_close; /* text highlight; NULL in other formats */
} Setup;

/* The rows' destination and the state of the query being written. */
typedef struct Sink {
  OutWriter *w;  /* NULL in text mode */
  FILE *fp;
  int bad_row;   /* a row did not match its field list: a bug worth reporting */
  const char *mark_open, *mark_close; /* highlight markers of the text format */
  const char *query;     /* the query line, written first in each row with --queries */
  size_t n_query;
  const Query *parsed;   /* the query as searched (expand_query's): names what matched */
  const char *searched_as; /* its text when a word was split into its parts, else NULL */
  int with_query;        /* --queries: rows start with the query */
  long n_shown;          /* results written for the current query */
  const StoreFilter *filter; /* --documents: the rows to list (NULL: all) */
  char *err;             /* message of a failure inside a callback (jfts_malloc'ed) */
} Sink;

/* ---- --documents, --meetings ------------------------------------------------------------- */

static int doc_row(void *ctx, const StoreDocRow *r) {
  Sink *k = ctx;
  if (!research_doc_allowed(k->filter, r)) return JFTS_OK;
  if (k->w == NULL) return render_doc_text(k->fp, r);
  render_doc_values(k->w, r);
  return out_row_end_lenient(k->w, &k->bad_row);
}

static int meeting_row(void *ctx, const StoreMeetingRow *r) {
  Sink *k = ctx;
  if (k->w == NULL) return render_meeting_text(k->fp, r);
  render_meeting_values(k->w, r);
  return out_row_end_lenient(k->w, &k->bad_row);
}

static int run_listing(const ModeArgs *a, Setup *su) {
  Sink sink = {.fp = stdout, .filter = research_filter_get(su->filter)};
  char *err = NULL;
  size_t n_fields;
  int status = MODE_EXIT_FAIL, rc = JFTS_OK;
  const char *const *fields = a->mode == MODE_DOCUMENTS ? render_doc_fields(&n_fields)
                                                        : render_meeting_fields(&n_fields);
  if (a->format != OUT_TEXT) rc = out_open(stdout, a->format, fields, n_fields, &sink.w, &err);
  if (rc == JFTS_OK && a->mode == MODE_DOCUMENTS) {
    rc = store_list_documents(su->store, NULL, doc_row, &sink, &err);
  } else if (rc == JFTS_OK) {
    /* --meetings takes one --ward (query_main), resolved to the index's names: any of them. */
    const StoreFilter *f = sink.filter;
    for (size_t i = 0; rc == JFTS_OK && i < (f && f->n_wards ? f->n_wards : 1); i++)
      rc = store_list_meetings(su->store, f && f->n_wards ? f->wards[i] : NULL, meeting_row,
                               &sink, &err);
  }
  if (rc == JFTS_ERR_IO) fputs(PROG ": cannot write standard output\n", stderr);
  else if (rc != JFTS_OK) report_error("", rc, err, "");
  else if (sink.bad_row) fputs(k_bad_row, stderr);
  else status = MODE_EXIT_OK;
  out_close(sink.w);
  jfts_free(err);
  return status;
}

/* ---- search ----------------------------------------------------------------------------- */

static int search_row(void *ctx, const SearchResult *r) {
  Sink *k = ctx;
  int rc;
  if (k->w == NULL) {
    if (k->n_shown == 0) {
      render_totals(k->fp, r->totals, k->searched_as);
      fputc('\n', k->fp);
    }
    rc = render_search_text(k->fp, r, k->parsed, k->mark_open, k->mark_close, &k->err);
    k->n_shown++;
    return rc;
  }
  rc = render_search_values(k->w, r, k->parsed, k->searched_as,
                            k->with_query ? k->query : NULL, k->n_query, &k->err);
  if (rc != JFTS_OK) return rc;
  k->n_shown++;
  return out_row_end_lenient(k->w, &k->bad_row);
}

/* Writes bytes with control characters shown as spaces (query echoes on one line). */
static void put_line_safe(FILE *fp, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    fputc(c < 0x20 || c == 0x7f ? ' ' : c, fp);
  }
}

/* --queries, text format: the "query: ..." line before a query's results. */
static void write_query_line(FILE *fp, const char *q, size_t n) {
  fputs("query: ", fp);
  put_line_safe(fp, q, n);
  fputc('\n', fp);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* After a query's rows in the text format: the count when nothing was shown (with --queries,
** or past the last page) and how many more passages there are. */
static void write_text_footer(Sink *k, const SearchTotals *totals, long offset) {
  if (k->n_shown == 0 && (k->with_query || totals->n_passages > 0)) {
    render_totals(k->fp, totals, k->searched_as);
    if (k->with_query) fputc('\n', k->fp);
  } else if (k->n_shown > 0 && totals->n_passages > offset + k->n_shown) {
    long more = totals->n_passages - offset - k->n_shown;
    fprintf(k->fp, "%ld more passage%s (--limit 0 shows all)\n\n", more, more == 1 ? "" : "s");
  }
}

/* Outcome of one query. */
typedef enum QueryOutcome { QUERY_RAN, QUERY_BAD, QUERY_FAILED } QueryOutcome;

/* --timing: "jfts-query: timing: MS QUERY" for a query that started at t0 (now_ms). */
static void report_timing(const ModeArgs *a, double t0, const char *q, size_t n) {
  if (!a->timing) return;
  fprintf(stderr, PROG ": timing: %.3f ", now_ms() - t0);
  put_line_safe(stderr, q, n);
  fputc('\n', stderr);
}

/* Parses one query (bytes, any content) with the thesaurus (research_query_new) and prints its
** notes. A bad query (usage error of the query language) or a failure is reported on stderr;
** prefix names the query's place. Returns QUERY_RAN with *out the query (qry_free) and the
** notes (ths_warnings_free), else the outcome of the query, with *out NULL. */
static QueryOutcome parse_one(const Setup *su, const char *q, size_t n, const char *prefix,
                              Query **out, char ***notes_out, size_t *n_notes_out) {
  char *err = NULL;
  QueryOutcome outcome = QUERY_RAN;
  int rc = research_query_new(q, n, su->ths, out, notes_out, n_notes_out, &err);
  if (rc == JFTS_ERR_USAGE) {
    fprintf(stderr, PROG ": %s%s\n", prefix, err ? err : "invalid query");
    outcome = QUERY_BAD;
  } else if (rc != JFTS_OK) {
    report_error(prefix, rc, err, "");
    outcome = QUERY_FAILED;
  }
  for (size_t i = 0; rc == JFTS_OK && i < *n_notes_out; i++)
    fprintf(stderr, PROG ": note: %s%s\n", prefix, (*notes_out)[i]);
  jfts_free(err);
  return outcome;
}

/* Parses and runs one query (bytes, any content) and writes its results; prefix names the
** query's place in messages. */
static QueryOutcome run_query(const ModeArgs *a, const Setup *su, Sink *k, const char *q,
                              size_t n, const char *prefix) {
  Query *query = NULL, *searched = NULL;
  char *err = NULL, **notes = NULL, *searched_as = NULL;
  size_t n_notes = 0;
  double t0 = now_ms();
  QueryOutcome outcome = parse_one(su, q, n, prefix, &query, &notes, &n_notes);
  if (outcome != QUERY_RAN) goto cleanup;
  outcome = QUERY_FAILED;
  /* The query as searched: words split into their parts, related topics (expand.h). */
  size_t n_parse_notes = n_notes;
  ExpandOptions eo = {.ths = su->ths, .related = su->rel, .notes_io = &notes,
                      .n_notes_io = &n_notes};
  int split = 0;
  int rc = expand_query(su->store, query, &eo, &searched, &split, &err);
  for (size_t i = n_parse_notes; i < n_notes; i++)
    fprintf(stderr, PROG ": note: %s%s\n", prefix, notes[i]);
  if (rc == JFTS_OK && split && (searched_as = qry_render(searched)) == NULL) rc = JFTS_ERR_NOMEM;
  if (rc != JFTS_OK) {
    report_error(prefix, rc, err, "");
    goto cleanup;
  }

  SearchOptions so = {.sort = a->sort, .limit = a->limit, .offset = a->offset,
                      .filter = research_filter_get(su->filter), .all_words = a->all_words};
  SearchTotals totals;
  k->query = q;
  k->n_query = n;
  k->parsed = searched;
  k->searched_as = searched_as;
  k->n_shown = 0;
  if (k->w == NULL && k->with_query) write_query_line(k->fp, q, n);
  rc = search_run(su->store, searched, &so, search_row, k, &totals, &err);
  if (rc == JFTS_OK && k->w == NULL) write_text_footer(k, &totals, a->offset);
  if (rc == JFTS_OK && totals.n_passages == 0 && !k->with_query && isatty(STDERR_FILENO))
    fputs(PROG ": no passage matches\n", stderr);
  if (rc == JFTS_ERR_IO) fputs(PROG ": cannot write standard output\n", stderr);
  else if (rc != JFTS_OK) report_error("", rc, k->err ? k->err : err, "");
  else if (k->bad_row) fputs(k_bad_row, stderr);
  else outcome = QUERY_RAN;

cleanup:
  report_timing(a, t0, q, n);
  jfts_free(k->err);
  k->err = NULL;
  jfts_free(err);
  ths_warnings_free(notes, n_notes);
  qry_free(query);
  qry_free(searched);
  jfts_free(searched_as);
  k->parsed = NULL;
  k->searched_as = NULL;
  return outcome;
}

/* Reads one line of fp into buf (cap bytes), keeping at most cap - 1 bytes of it and counting
** the rest, so that a line of a gigabyte costs no memory: *n_out gets the line's length in
** bytes without its line end ("\n", and any "\r" before it when the line was kept whole),
** *kept_out 1 when buf holds all of it (NUL-terminated). Returns 0 at the end of the file
** (nothing read), else 1. */
static int read_line_bounded(FILE *fp, char *buf, size_t cap, size_t *n_out, int *kept_out) {
  size_t n = 0;
  int c = EOF, any = 0;
  while ((c = getc(fp)) != EOF) {
    any = 1;
    if (c == '\n') break;
    if (n < cap - 1) buf[n] = (char)c;
    n++;
  }
  *kept_out = n < cap;
  if (*kept_out) {
    while (n > 0 && buf[n - 1] == '\r') n--;
    buf[n] = '\0';
  }
  *n_out = n;
  return any;
}

/* Runs one query of the mode (q: n bytes, any content) and writes its results; prefix names
** the query's place in messages. */
typedef QueryOutcome (*QueryFn)(const ModeArgs *a, const Setup *su, void *ctx, const char *q,
                                size_t n, const char *prefix);

/* Runs every line of a->queries ("-": stdin) as a query through fn. Returns the exit status. */
static int run_queries(const ModeArgs *a, const Setup *su, QueryFn fn, void *ctx) {
  /* "-" is standard input, whatever it is (a pipe on purpose); a named file must be a
  ** regular file (jfts_open_regular), so that a FIFO or a device never hangs the run. */
  FILE *fp = stdin;
  if (strcmp(a->queries, "-") != 0) {
    int fd = -1;
    int os_err = jfts_open_regular(a->queries, &fd, NULL);
    if (os_err == 0 && (fp = fdopen(fd, "rb")) == NULL) {
      os_err = errno;
      close(fd);
    }
    if (os_err) {
      fprintf(stderr, PROG ": cannot open '%s': %s\n", a->queries, jfts_strerror(os_err));
      return MODE_EXIT_FAIL;
    }
  }
  /* A line longer than a query may be (QRY_MAX_BYTES) is measured, not held. */
  size_t cap = QRY_MAX_BYTES + 2;
  char *line = malloc(cap);
  size_t n = 0;
  int kept = 0;
  long lineno = 0, n_ran = 0;
  int status = MODE_EXIT_OK;
  if (line == NULL) {
    fputs(PROG ": out of memory\n", stderr);
    if (fp != stdin) fclose(fp);
    return MODE_EXIT_FAIL;
  }
  while (read_line_bounded(fp, line, cap, &n, &kept)) {
    lineno++;
    if (n == 0) continue; /* blank lines separate nothing and are not queries */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %ld: ", lineno);
    char *err = NULL;
    if (!kept && qry_check_size(n, &err) != JFTS_OK) {
      char buf[48];
      fprintf(stderr, PROG ": %s%s\n", prefix, jfts_error_text(JFTS_ERR_USAGE, err, buf));
      jfts_free(err);
      continue;
    }
    QueryOutcome out = fn(a, su, ctx, line, n, prefix);
    if (out == QUERY_FAILED) {
      status = MODE_EXIT_FAIL;
      break;
    }
    n_ran += out == QUERY_RAN;
  }
  if (status == MODE_EXIT_OK && ferror(fp)) {
    fprintf(stderr, PROG ": cannot read '%s'\n", a->queries);
    status = MODE_EXIT_FAIL;
  }
  if (status == MODE_EXIT_OK && n_ran == 0) {
    fprintf(stderr, PROG ": no valid query in '%s'\n", a->queries);
    status = MODE_EXIT_USAGE;
  }
  free(line);
  if (fp != stdin) fclose(fp);
  return status;
}

static QueryOutcome search_one(const ModeArgs *a, const Setup *su, void *ctx, const char *q,
                               size_t n, const char *prefix) {
  return run_query(a, su, ctx, q, n, prefix);
}

/* The exit status of a run of one query. */
static int query_status(QueryOutcome out) {
  return out == QUERY_RAN ? MODE_EXIT_OK : out == QUERY_BAD ? MODE_EXIT_USAGE : MODE_EXIT_FAIL;
}

static int run_search(const ModeArgs *a, const Setup *su) {
  Sink sink = {.fp = stdout, .mark_open = su->mark_open, .mark_close = su->mark_close,
               .with_query = a->queries != NULL};
  char *err = NULL;
  size_t n_fields;
  int status = MODE_EXIT_FAIL, rc = JFTS_OK;
  const char *const *fields = render_search_fields(sink.with_query, &n_fields);
  if (a->format != OUT_TEXT) rc = out_open(stdout, a->format, fields, n_fields, &sink.w, &err);
  /* Once, outside the per-query timing: the ranking statistics (ICU opens on first use). */
  double t0 = now_ms();
  if (rc == JFTS_OK) rc = search_prepare(su->store, &err);
  if (rc == JFTS_OK && a->timing) fprintf(stderr, PROG ": load: %.3f\n", now_ms() - t0);
  if (rc != JFTS_OK) {
    report_error("", rc, err, "");
  } else if (a->queries) {
    status = run_queries(a, su, search_one, &sink);
  } else {
    status = query_status(run_query(a, su, &sink, a->query, strlen(a->query), ""));
  }
  out_close(sink.w);
  jfts_free(err);
  return status;
}

/* ---- --wards, --quotes ------------------------------------------------------------------ */

/* --wards or --quotes for one query. ctx is the run's writer (OutWriter **): NULL for one
** query or the text format, else shared by the queries of --queries, whose rows then start
** with their query (text: a "query: ..." line before each query's rows). */
static QueryOutcome research_one(const ModeArgs *a, const Setup *su, void *ctx, const char *q,
                                 size_t n, const char *prefix) {
  OutWriter *w = *(OutWriter **)ctx;
  Query *query = NULL;
  char *err = NULL, **notes = NULL;
  size_t n_notes = 0;
  double t0 = now_ms();
  QueryOutcome outcome = parse_one(su, q, n, prefix, &query, &notes, &n_notes);
  if (outcome != QUERY_RAN) goto cleanup;
  outcome = QUERY_FAILED;
  ResearchOptions ro = {.format = a->format, .by = a->by, .filter = research_filter_get(su->filter),
                        .hl_on = su->mark_open, .hl_off = su->mark_close,
                        .n_context = (size_t)a->context, .sort = a->kwic_sort,
                        .stream = 1, .query_line = a->queries ? q : NULL, .n_query_line = n,
                        .w = w};
  if (a->queries && a->format == OUT_TEXT) write_query_line(stdout, q, n);
  int rc = a->mode == MODE_WARDS ? research_wards(su->store, query, &ro, stdout, NULL, &err)
                                 : research_quotes(su->store, query, &ro, stdout, NULL, &err);
  if (rc == JFTS_OK && a->queries && a->format == OUT_TEXT) fputc('\n', stdout);
  if (rc == JFTS_ERR_IO) fputs(PROG ": cannot write standard output\n", stderr);
  else if (rc != JFTS_OK) report_error(prefix, rc, err, "");
  else outcome = QUERY_RAN;

cleanup:
  report_timing(a, t0, q, n);
  ths_warnings_free(notes, n_notes);
  qry_free(query);
  jfts_free(err);
  return outcome;
}

static int run_research(const ModeArgs *a, const Setup *su) {
  OutWriter *w = NULL;
  int status = MODE_EXIT_FAIL;
  if (a->queries && a->format != OUT_TEXT) {
    size_t n_fields;
    const char *const *fields = a->mode == MODE_WARDS ? research_ward_fields(1, &n_fields)
                                                      : research_quote_fields(1, &n_fields);
    char *err = NULL;
    int rc = out_open(stdout, a->format, fields, n_fields, &w, &err);
    if (rc != JFTS_OK) report_error("", rc, err, "");
    jfts_free(err);
    if (rc != JFTS_OK) goto cleanup;
  }
  if (a->queries) status = run_queries(a, su, research_one, &w);
  else status = query_status(research_one(a, su, &w, a->query, strlen(a->query), ""));

cleanup:
  out_close(w);
  return status;
}

/* ---- set-up ------------------------------------------------------------------------------ */

/* Opens a->db in one read snapshot for the whole run: the filter's values, the ranking data
** search_prepare caches and every query then read the same index, also while jfts-index
** replaces it (WAL: readers do not block the writer). Returns the exit status. */
static int open_store(const ModeArgs *a, Setup *su) {
  char *err = NULL;
  int status = MODE_EXIT_FAIL;
  int rc = store_open(a->db, STORE_READ, &su->store, &err);
  if (rc != JFTS_OK) {
    int missing = rc == JFTS_ERR_IO && access(a->db, F_OK) != 0;
    report_error("", rc, err, missing ? " (run jfts-index first)" : "");
  } else if ((rc = store_read_begin(su->store, &su->reading, &err)) != JFTS_OK) {
    report_error("", rc, err, "");
  } else {
    status = MODE_EXIT_OK;
  }
  jfts_free(err);
  return status;
}

/* Loads the thesaurus-syntax file at path into *out. A file the user named that cannot be
** used is a usage error; the shipped one missing is a broken installation, and hint then says
** how to do without it. Returns the exit status. */
static int load_ths(const char *path, int named, const char *hint, Thesaurus **out) {
  char *err = NULL;
  int rc = ths_load(path, out, &err);
  if (rc != JFTS_OK) report_error("", rc, err, named ? "" : hint);
  jfts_free(err);
  if (rc == JFTS_OK) return MODE_EXIT_OK;
  return named && rc != JFTS_ERR_NOMEM ? MODE_EXIT_USAGE : MODE_EXIT_FAIL;
}

/* Resolves the filter options against the index into su->filter. An unknown value is one
** line naming the valid ones (exit status 2). Returns the exit status. */
static int set_up_filter(const ModeArgs *a, Setup *su) {
  char *err = NULL;
  ResearchFilterArgs fa = {.wards = a->wards, .n_wards = a->n_wards, .section = a->section,
                           .meeting = a->meeting, .year = a->year, .orgs = a->orgs,
                           .n_orgs = a->n_orgs, .kind = a->kind};
  int rc = research_filter_new(su->store, &fa, &su->filter, &err);
  int status = rc == JFTS_OK ? MODE_EXIT_OK
               : rc == JFTS_ERR_USAGE && err ? MODE_EXIT_USAGE
                                             : MODE_EXIT_FAIL;
  if (rc != JFTS_OK) report_error("", rc, err, "");
  jfts_free(err);
  return status;
}

/* The filters, the thesaurus files and the highlight markers of the query modes (of
** --documents and --meetings, the filters only). Returns the exit status. */
static int set_up_query(const ModeArgs *a, Setup *su) {
  char *err = NULL;
  int status = MODE_EXIT_FAIL;
  int rc = set_up_filter(a, su);
  if (rc != MODE_EXIT_OK) {
    status = rc;
    goto cleanup;
  }
  if (a->mode == MODE_DOCUMENTS || a->mode == MODE_MEETINGS) {
    status = MODE_EXIT_OK;
    goto cleanup;
  }
  /* Every query mode expands with the thesaurus unless --exact: variants rank below the
  ** user's own words (search.h), so expansion only adds. Related topics widen a search only:
  ** --wards and --quotes count literal occurrences. */
  if (!a->exact) {
    status = load_ths(ths_path(a->thesaurus), a->thesaurus != NULL,
                      " (--exact searches without the thesaurus)", &su->ths);
    if (status == MODE_EXIT_OK && a->mode == MODE_SEARCH && !a->no_related)
      status = load_ths(ths_related_path(a->related), a->related != NULL,
                        " (--no-related searches without related topics)", &su->rel);
    if (status != MODE_EXIT_OK) goto cleanup;
  }
  if (a->format == OUT_TEXT && a->mark_open) {
    su->mark_open = a->mark_open;
    su->mark_close = a->mark_close;
  } else if (a->format == OUT_TEXT) {
    out_marks(!a->no_color && out_want_color(stdout), &su->mark_open, &su->mark_close);
  } /* other formats: no marks */
  status = MODE_EXIT_OK;

cleanup:
  jfts_free(err);
  return status;
}

int mode_run(const ModeArgs *a) {
  Setup su = {0};
  int status = open_store(a, &su);
  if (status == MODE_EXIT_OK) status = set_up_query(a, &su);
  if (status != MODE_EXIT_OK) goto cleanup;
  switch (a->mode) {
    case MODE_SEARCH: status = run_search(a, &su); break;
    case MODE_WARDS:
    case MODE_QUOTES: status = run_research(a, &su); break;
    case MODE_DOCUMENTS:
    case MODE_MEETINGS: status = run_listing(a, &su); break;
  }

cleanup:
  research_filter_free(su.filter);
  ths_free(su.ths);
  ths_free(su.rel);
  if (su.store) store_read_end(su.store, su.reading);
  store_close(su.store);
  return status;
}
