/* jfts-query: answers questions about a jfts database: what is indexed (--documents), the
** meetings tables of the ward reports (--meetings), and which passages contain a query. It
** parses options, calls the store and the output writers, and maps results to exit codes;
** each mode is one small function so that new modes slot in beside them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jfts_common.h"
#include "output.h"
#include "report.h"
#include "store.h"

#define PROG "jfts-query"
#define DEFAULT_LIMIT 10

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef enum Mode { MODE_SEARCH, MODE_DOCUMENTS, MODE_MEETINGS } Mode;

typedef struct Options {
  const char *db;
  Mode mode;
  OutFormat format;
  const char *ward;  /* canonical, NULL for all */
  long limit;        /* <= 0: no limit */
  char *query;       /* QUERY words joined by spaces; owned */
} Options;

static const char *const WARDS = "青葉区, 宮城野区, 若林区, 太白区, 泉区";

static void usage(FILE *fp) {
  fprintf(fp,
          "Usage: " PROG " [OPTION]... QUERY...\n"
          "       " PROG " [OPTION]... --documents\n"
          "       " PROG " [OPTION]... --meetings\n"
          "Search the passages of a jfts database built by jfts-index, or list what it holds.\n"
          "A QUERY of several words is searched as one string, words joined by a space.\n"
          "\n"
          "  --db FILE        database to read (default: jfts.db)\n"
          "  --documents      list the indexed documents (file, title, ward, year, passages)\n"
          "  --meetings       list the meetings tables of the ward reports\n"
          "  --ward WARD      only this ward: %s (the final 区 may be left out)\n"
          "  --limit N        show at most N passages (default %d; 0 = all)\n"
          "  --format FORMAT  text (default), json (JSON Lines), csv (UTF-8 with BOM) or tsv\n"
          "  -h, --help       show this help and exit\n"
          "  --version        show the version and exit\n"
          "\n"
          "Exit status:\n"
          "  0  success, also when nothing matched\n"
          "  1  the database is missing or cannot be read, or output failed\n"
          "  2  usage error\n",
          WARDS, DEFAULT_LIMIT);
}

static int usage_error(const char *fmt, const char *arg) {
  fputs(PROG ": ", stderr);
  fprintf(stderr, fmt, arg);
  fputs("\nTry '" PROG " --help' for more information.\n", stderr);
  return EXIT_USAGE;
}

/* ---- --documents ------------------------------------------------------------------------- */

static const char *const DOC_FIELDS[] = {"file", "title", "ward", "year", "year_label",
                                         "passages", "line_start", "line_end"};

typedef struct Sink {
  OutWriter *w;  /* NULL in text mode */
  FILE *fp;
  int color;
  const char *needle;
  size_t n_needle;
  int bad_row;   /* a row did not match its field list: a bug worth reporting */
} Sink;

/* The writer's verdict on a row: an I/O error stops the listing; a wrong row is remembered. */
static int row_end(Sink *k) {
  int rc = out_row_end(k->w);
  if (rc == JFTS_ERR_USAGE) {
    k->bad_row = 1;
    rc = JFTS_OK;
  }
  return rc;
}

static void out_int_or_null(OutWriter *w, int v, int null_value) {
  if (v == null_value) out_null(w);
  else out_int(w, v);
}

static int doc_row(void *ctx, const StoreDocRow *r) {
  Sink *k = ctx;
  if (k->w == NULL) {
    fprintf(k->fp, "%s\t%s\t%s\t%d passage%s\t%s:%d-%d\n", r->ward ? r->ward : "-",
            r->year_label ? r->year_label : "-", r->title ? r->title : "-", r->n_passages,
            r->n_passages == 1 ? "" : "s", r->file, r->line_start, r->line_end);
    return ferror(k->fp) ? JFTS_ERR_IO : JFTS_OK;
  }
  out_str(k->w, r->file);
  out_str(k->w, r->title);
  out_str(k->w, r->ward);
  out_int_or_null(k->w, r->year, 0);
  out_str(k->w, r->year_label);
  out_int(k->w, r->n_passages);
  out_int(k->w, r->line_start);
  out_int(k->w, r->line_end);
  return row_end(k);
}

/* ---- --meetings -------------------------------------------------------------------------- */

static const char *const MEETING_FIELDS[] = {"ward", "year", "year_label", "slot",
                                             "meeting", "local_name", "count", "text",
                                             "file", "line_start", "line_end"};

static int meeting_row(void *ctx, const StoreMeetingRow *r) {
  Sink *k = ctx;
  if (k->w == NULL) {
    FILE *fp = k->fp;
    fprintf(fp, "%s ", r->ward ? r->ward : "-");
    if (r->slot > 0) fprintf(fp, "(%d) ", r->slot);
    else fputs("その他 ", fp);
    fputs(r->meeting ? r->meeting : "-", fp);
    if (r->local_name) fprintf(fp, "「%s」", r->local_name);
    if (r->count >= 0) fprintf(fp, " %d回", r->count);
    fprintf(fp, "  %s:%d-%d\n", r->file, r->line_start, r->line_end);
    if (r->text && r->text[0]) fprintf(fp, "    %s\n", r->text);
    return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
  }
  out_str(k->w, r->ward);
  out_int_or_null(k->w, r->year, 0);
  out_str(k->w, r->year_label);
  out_int_or_null(k->w, r->slot, 0); /* その他の活動 rows have no slot */
  out_str(k->w, r->meeting);
  out_str(k->w, r->local_name);
  out_int_or_null(k->w, r->count, -1);
  out_str(k->w, r->text);
  out_str(k->w, r->file);
  out_int(k->w, r->line_start);
  out_int(k->w, r->line_end);
  return row_end(k);
}

/* ---- search (substring scan until ranked search lands) ----------------------------------- */

static const char *const PASSAGE_FIELDS[] = {
    "ward", "year", "year_label", "section", "section_title", "heading", "meeting",
    "local_name", "text", "file", "line", "line_start", "line_end"};

#define MAX_SPANS 64

static int passage_row(void *ctx, const StorePassageRow *r) {
  Sink *k = ctx;
  /* Where the needle occurs: highlighted in text, and the first one gives the cited line. */
  OutSpan spans[MAX_SPANS];
  size_t n_spans = 0;
  for (size_t at = 0; k->n_needle > 0 && n_spans < MAX_SPANS && at + k->n_needle <= r->n_text;) {
    const char *hit = strstr(r->text + at, k->needle);
    if (hit == NULL || (size_t)(hit - r->text) + k->n_needle > r->n_text) break;
    spans[n_spans].start = (size_t)(hit - r->text);
    spans[n_spans].end = spans[n_spans].start + k->n_needle;
    at = spans[n_spans++].end;
  }
  int line = n_spans ? store_seg_lineno(r, spans[0].start) : r->line_start;

  if (k->w == NULL) {
    FILE *fp = k->fp;
    const char *parts[] = {r->ward, r->section_title ? r->section_title : r->section, r->heading,
                           r->label};
    int first = 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
      if (parts[i] == NULL) continue;
      fprintf(fp, "%s%s", first ? "" : " / ", parts[i]);
      first = 0;
    }
    fprintf(fp, "%s%s:%d\n", first ? "" : "  ", r->file, line);
    out_highlight(fp, r->text, r->n_text, spans, n_spans, k->color);
    fputs("\n\n", fp);
    return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
  }
  out_str(k->w, r->ward);
  out_int_or_null(k->w, r->year, 0);
  out_str(k->w, r->year_label);
  out_str(k->w, r->section);
  out_str(k->w, r->section_title);
  out_str(k->w, r->heading);
  out_str(k->w, r->meeting);
  out_str(k->w, r->local_name);
  out_strn(k->w, r->text, r->n_text);
  out_str(k->w, r->file);
  out_int(k->w, line);
  out_int(k->w, r->line_start);
  out_int(k->w, r->line_end);
  return row_end(k);
}

/* ---- main -------------------------------------------------------------------------------- */

static int parse_args(int argc, char **argv, Options *o, int *exit_now) {
  enum { OPT_DB = 256, OPT_DOCUMENTS, OPT_MEETINGS, OPT_WARD, OPT_LIMIT, OPT_FORMAT, OPT_VERSION };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, OPT_DB},
      {"documents", no_argument, NULL, OPT_DOCUMENTS},
      {"meetings", no_argument, NULL, OPT_MEETINGS},
      {"ward", required_argument, NULL, OPT_WARD},
      {"limit", required_argument, NULL, OPT_LIMIT},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0},
  };
  int c;
  char *end;
  *exit_now = 0;
  argv[0] = (char *)PROG; /* getopt's own messages name the program by argv[0] */
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_DB: o->db = optarg; break;
      case OPT_DOCUMENTS:
      case OPT_MEETINGS: {
        Mode m = c == OPT_DOCUMENTS ? MODE_DOCUMENTS : MODE_MEETINGS;
        if (o->mode != MODE_SEARCH && o->mode != m)
          return usage_error("--documents and --meetings exclude each other%s", "");
        o->mode = m;
        break;
      }
      case OPT_WARD:
        o->ward = report_canonical_ward(optarg);
        if (o->ward == NULL) {
          fprintf(stderr, PROG ": unknown ward '%s' (valid: %s)\n", optarg, WARDS);
          return EXIT_USAGE;
        }
        break;
      case OPT_LIMIT:
        o->limit = strtol(optarg, &end, 10);
        if (optarg[0] == '\0' || *end != '\0' || o->limit < 0)
          return usage_error("--limit needs a number >= 0, not '%s'", optarg);
        break;
      case OPT_FORMAT:
        if (out_parse_format(optarg, &o->format) != JFTS_OK)
          return usage_error("unknown format '%s' (valid: text, json, csv, tsv)", optarg);
        break;
      case 'h':
        usage(stdout);
        *exit_now = 1;
        return EXIT_OK;
      case OPT_VERSION:
        printf(PROG " %s (schema %d, tokenizer %d)\n", JFTS_VERSION, JFTS_SCHEMA_VERSION,
               JFTS_TOKENIZER_VERSION);
        *exit_now = 1;
        return EXIT_OK;
      default:
        fputs("Try '" PROG " --help' for more information.\n", stderr);
        return EXIT_USAGE;
    }
  }
  if (o->mode != MODE_SEARCH) {
    if (optind < argc)
      return usage_error("--documents and --meetings take no QUERY ('%s')", argv[optind]);
    return EXIT_OK;
  }
  if (optind == argc) return usage_error("no QUERY given%s", "");
  size_t n = 0;
  for (int i = optind; i < argc; i++) n += strlen(argv[i]) + 1;
  o->query = malloc(n);
  if (o->query == NULL) {
    fputs(PROG ": out of memory\n", stderr);
    return EXIT_FAIL;
  }
  o->query[0] = '\0';
  for (int i = optind; i < argc; i++) {
    if (i > optind) strcat(o->query, " ");
    strcat(o->query, argv[i]);
  }
  if (o->query[0] == '\0') return usage_error("the QUERY is empty%s", "");
  return EXIT_OK;
}

int main(int argc, char **argv) {
  /* No setlocale(): arguments are bytes (UTF-8) whatever the locale says. */
  Options o = {.db = "jfts.db", .mode = MODE_SEARCH, .format = OUT_TEXT, .limit = DEFAULT_LIMIT};
  Store *store = NULL;
  char *err = NULL;
  Sink sink = {.fp = stdout};
  int exit_now = 0;
  int status = parse_args(argc, argv, &o, &exit_now);
  if (status != EXIT_OK || exit_now) goto cleanup;
  status = EXIT_FAIL;

  int rc = store_open(o.db, STORE_READ, &store, &err);
  if (rc != JFTS_OK) {
    int missing = rc == JFTS_ERR_IO && access(o.db, F_OK) != 0;
    fprintf(stderr, PROG ": %s%s\n", err ? err : "out of memory",
            missing ? " (run jfts-index first)" : "");
    goto cleanup;
  }

  const char *const *fields = o.mode == MODE_DOCUMENTS  ? DOC_FIELDS
                              : o.mode == MODE_MEETINGS ? MEETING_FIELDS
                                                        : PASSAGE_FIELDS;
  size_t n_fields = o.mode == MODE_DOCUMENTS  ? sizeof DOC_FIELDS / sizeof DOC_FIELDS[0]
                    : o.mode == MODE_MEETINGS ? sizeof MEETING_FIELDS / sizeof MEETING_FIELDS[0]
                                              : sizeof PASSAGE_FIELDS / sizeof PASSAGE_FIELDS[0];
  if (o.format != OUT_TEXT) {
    rc = out_open(stdout, o.format, fields, n_fields, &sink.w, &err);
  } else {
    sink.color = out_want_color(stdout);
  }

  if (rc == JFTS_OK && o.mode == MODE_DOCUMENTS) {
    rc = store_list_documents(store, o.ward, doc_row, &sink, &err);
  } else if (rc == JFTS_OK && o.mode == MODE_MEETINGS) {
    rc = store_list_meetings(store, o.ward, meeting_row, &sink, &err);
  } else if (rc == JFTS_OK) {
    sink.needle = o.query;
    sink.n_needle = strlen(o.query);
    long n_total = 0;
    /* The count line comes first in text mode, so count before listing. */
    if (o.format == OUT_TEXT) {
      rc = store_scan_substring(store, o.query, o.ward, -1, NULL, NULL, &n_total, &err);
      if (rc == JFTS_OK) {
        if (o.limit > 0 && n_total > o.limit)
          printf("%ld passage%s (first %ld shown)\n\n", n_total, n_total == 1 ? "" : "s",
                 o.limit);
        else printf("%ld passage%s\n\n", n_total, n_total == 1 ? "" : "s");
      }
    }
    if (rc == JFTS_OK && (o.format != OUT_TEXT || n_total > 0))
      rc = store_scan_substring(store, o.query, o.ward, o.limit, passage_row, &sink, NULL, &err);
  }
  if (rc == JFTS_ERR_IO) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    goto cleanup;
  }
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
    goto cleanup;
  }
  if (sink.bad_row) {
    fprintf(stderr, PROG ": internal error: a row did not match its field list\n");
    goto cleanup;
  }
  status = EXIT_OK;

cleanup:
  out_close(sink.w);
  store_close(store);
  jfts_free(err);
  free(o.query);
  /* Data went to stdout: a full disk or closed pipe must not look like success. */
  if (fclose(stdout) != 0 && status == EXIT_OK) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    status = EXIT_FAIL;
  }
  return status;
}
