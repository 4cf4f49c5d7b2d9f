/* jfts-index: indexes text files (or directory trees of them) into a jfts database. One run is
** one transaction: it either stores everything it was asked to, or (on an error) leaves the
** previous database exactly as it was. This file only parses options, collects the files
** (walk.h), indexes each (ingest.h) and maps their results to messages and exit codes. */
#define _XOPEN_SOURCE 700 /* realpath() */
#include <getopt.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "decode.h"
#include "ingest.h"
#include "ingest_run.h" /* with prefetch.h, store.h and walk.h */
#include "jfts_common.h"

#define PROG "jfts-index"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SKIPPED = 3 };

/* Everything the run reads from the command line and the environment, read once. */
typedef struct Options {
  const char *db;
  const char *encoding;
  int prune, keep_going, quiet, check;
  double wait_s;      /* --wait: seconds to wait for another writer's lock; < 0: no limit */
  size_t piece_bytes; /* JFTS_INDEX_PIECE_BYTES (at least 4096), for tests; else 16 MiB */
  long threads;       /* JFTS_INDEX_THREADS, else the CPUs online; below 2: no prefetch */
} Options;

typedef struct Run {
  Options opt;
  WalkList files;
  IngestLooked *looked; /* one per files.entries (ingest_look_up_all) */
  char *db_real;        /* the database's own realpath: never indexed */
  int n_indexed, n_unchanged, n_untagged, n_pruned, n_skipped;
  WalkSkipped passed_over; /* files a walk found binary, by kind: one line at the end */
  long n_docs, n_passages, n_meetings;
  int progress;         /* stderr is a terminal and not --quiet */
  int64_t bytes_total, bytes_done;
  double t_start, t_last;
} Run;

/* What a failure means for the run. FAIL_SKIP: the file was skipped with a warning
** (--keep-going) and the run goes on. */
typedef enum FileFail { FAIL_NONE, FAIL_SKIP, FAIL_FILE, FAIL_FATAL, FAIL_USAGE } FileFail;

static void usage(FILE *fp) {
  fprintf(fp,
          "Usage: " PROG " [OPTION]... PATH...\n"
          "Index text files, or every text file under directories, into a jfts database.\n"
          "Re-indexing replaces a changed file and skips an unchanged one. A run is one\n"
          "transaction: after an error the database is left as it was.\n"
          "\n"
          "  --db FILE        database to create or update (default: jfts.db)\n"
          "  --encoding NAME  decode every file as NAME (utf-8, shift_jis, euc-jp, utf-16le,\n"
          "                   ...) instead of detecting the encoding\n"
          "  --prune          remove files that no longer exist from the database\n"
          "                   (PATH may then be omitted)\n"
          "  --keep-going     skip a file that cannot be read or decoded, with a warning,\n"
          "                   and index the rest\n"
          "  --wait SECONDS   give up when another writer (another jfts-index) still holds\n"
          "                   the database's write lock after SECONDS (default: wait as\n"
          "                   long as it holds it; 0: do not wait)\n"
          "  --quiet          print no progress and no summary line\n"
          "  --check          check the database instead of indexing (SQLite's and FTS5's\n"
          "                   integrity checks, every passage's file, segment map and\n"
          "                   offsets): each problem on standard error, exit 1 if any\n"
          "  -h, --help       show this help and exit\n"
          "  --version        show the version and exit\n"
          "\n"
          "Files are read as text (any supported encoding), PDF (.pdf, or starting %%PDF-),\n"
          "Markdown (.md, .markdown) or HTML (.html, .htm). Directories are walked\n"
          "recursively in sorted order; hidden files, *.meta sidecars and README* files are\n"
          "skipped there, and binary files with a warning each and one line at the end\n"
          "counting them by kind (\"skipped 3 files: 2 .docx, 1 binary\").\n"
          "A file's metadata is read from the sidecar NAME.meta or NAME.EXT.meta beside it\n"
          "(\"key: value\" lines for title, publisher, year, source; # starts a comment).\n"
          "At the end one summary line goes to standard output.\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  a file or the database could not be read, decoded or written, or another\n"
          "     writer held the database longer than --wait (nothing was changed);\n"
          "     with --check: the database has a problem\n"
          "  2  usage error\n"
          "  3  finished, but --keep-going skipped at least one file\n");
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(Run *run, size_t done, int final) {
  if (!run->progress) return;
  double t = now_seconds();
  if (final) {
    fputs("\r\x1b[K", stderr);
    return;
  }
  if (t - run->t_last < 0.1) return;
  run->t_last = t;
  double mb_done = (double)run->bytes_done / 1e6, mb_total = (double)run->bytes_total / 1e6;
  double rate = t > run->t_start ? mb_done / (t - run->t_start) : 0.0;
  fprintf(stderr, "\r\x1b[K" PROG ": %zu/%zu files, %.1f/%.1f MB, %.1f MB/s", done,
          run->files.n_entries, mb_done, mb_total, rate);
  if (rate > 0 && mb_total > mb_done) fprintf(stderr, ", ETA %.0f s", (mb_total - mb_done) / rate);
}

static void warn_file(void *ctx, const char *path, const char *msg) {
  (void)ctx;
  fprintf(stderr, PROG ": warning: %s: %s\n", path, msg);
}

static void warn_line(void *ctx, const char *path, int lineno, const char *msg) {
  (void)ctx;
  fprintf(stderr, PROG ": warning: %s:%d: %s\n", path, lineno, msg);
}

/* Reports a per-file problem: a warning under --keep-going (the file is skipped), else the
** error that ends the run. */
static FileFail file_error(Run *run, const char *path, const char *msg) {
  if (run->opt.keep_going) {
    fprintf(stderr, PROG ": warning: %s: %s; skipped\n", path, msg);
    run->n_skipped++;
    return FAIL_SKIP;
  }
  fprintf(stderr, PROG ": %s: %s\n", path, msg);
  return FAIL_FILE;
}

/* The walk's problem hook: 0 (go on) when the path was skipped. */
static int walk_problem(void *ctx, const char *path, const char *msg) {
  return file_error(ctx, path, msg) == FAIL_SKIP ? 0 : FAIL_FILE;
}

/* Reports an error that ends the run: rc and the lower layer's message err (NULL: none),
** prefixed with path when given and there is a message. */
static FileFail fatal(int rc, const char *path, const char *err) {
  char buf[48];
  const char *msg = jfts_error_text(rc, err, buf);
  if (err && path) fprintf(stderr, PROG ": %s: %s\n", path, msg);
  else fprintf(stderr, PROG ": %s\n", msg);
  return FAIL_FATAL;
}

/* Maps what ingest made of one file to the run's counts, messages and failure. */
static FileFail report_result(Run *run, const IngestResult *res) {
  char buf[48];
  const char *msg = jfts_error_text(res->rc, res->reason, buf);
  switch (res->status) {
    case INGEST_INDEXED:
      /* Part of the file gave no text (a PDF's page): said once, the rest is indexed. */
      if (res->warning) fprintf(stderr, PROG ": warning: %s: %s\n", res->where, res->warning);
      run->n_indexed++;
      run->n_untagged += !res->tagged;
      run->n_docs += res->n_docs;
      run->n_passages += res->n_passages;
      run->n_meetings += res->n_meetings;
      return FAIL_NONE;
    case INGEST_UNCHANGED: run->n_unchanged++; return FAIL_NONE;
    case INGEST_SKIPPED:
      /* Expected in a tree of documents (images, PDFs): a warning, not an error. */
      fprintf(stderr, PROG ": warning: %s: %s; skipped\n", res->where, msg);
      return walk_skipped_add(&run->passed_over, res->where) == JFTS_OK
                 ? FAIL_NONE
                 : fatal(JFTS_ERR_NOMEM, NULL, NULL);
    case INGEST_FAILED:
      return file_error(run, res->where, msg) == FAIL_SKIP ? FAIL_NONE : FAIL_FILE;
    case INGEST_USAGE: fprintf(stderr, PROG ": %s\n", msg); return FAIL_USAGE;
    case INGEST_FATAL: break;
  }
  return fatal(res->rc, res->where, res->reason);
}

/* Looks every entry up in the index once (ingest_look_up_all). */
static FileFail look_up_indexed(Run *run, Store *store) {
  return ingest_look_up_all(store, &run->files, &run->looked) == JFTS_OK
             ? FAIL_NONE
             : fatal(JFTS_ERR_NOMEM, NULL, NULL);
}

/* Indexes every entry in turn, each with one ingest_file call. */
static FileFail index_all(Run *run, Store *store) {
  FileFail fail = FAIL_NONE;
  PrefetchJob *jobs = NULL;
  Prefetch *prefetch = NULL;
  const IngestOptions iopt = {run->opt.encoding, run->opt.piece_bytes, warn_line, NULL};
  for (size_t i = 0; i < run->files.n_entries; i++) run->bytes_total += run->files.entries[i].size;
  run->t_start = run->t_last = now_seconds();
  ingest_prefetch_start(&run->files, run->looked, run->opt.encoding, run->opt.piece_bytes,
                        run->opt.threads, &jobs, &prefetch);
  for (size_t i = 0; fail == FAIL_NONE && i < run->files.n_entries; i++) {
    const WalkEntry *e = &run->files.entries[i];
    const IngestLooked *l = &run->looked[i];
    PrefetchItem *pre = prefetch_take(prefetch, i);
    if (!e->dup) {
      IngestFile f = {.path = e->path, .realpath = e->realpath, .walked = e->walked,
                      .indexed = l->indexed, .old = &l->old, .lookup_err = l->lookup_err};
      IngestResult res;
      ingest_file(store, &iopt, &f, pre, &res);
      fail = report_result(run, &res);
      ingest_result_clear(&res);
    }
    prefetch_item_free(pre);
    run->bytes_done += e->size;
    progress(run, i + 1, 0);
  }
  prefetch_stop(prefetch);
  jfts_free(jobs);
  progress(run, 0, 1);
  return fail;
}

/* While store_begin waits for another writer's lock: a line on the terminal. */
static void waiting_note(void *ctx, double waited_s) {
  const Run *run = ctx;
  fprintf(stderr, "\r\x1b[K" PROG ": '%s' is locked by another writer; waited %.0f s...",
          run->opt.db, waited_s);
}

/* Parses the command line and the environment into *opt. Returns -1 to go on, else the exit
** status (after --help, --version or a usage error). */
static int parse_options(int argc, char **argv, Options *opt) {
  enum { OPT_DB = 256, OPT_ENCODING, OPT_PRUNE, OPT_KEEP_GOING, OPT_QUIET, OPT_VERSION, OPT_WAIT,
         OPT_CHECK };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, OPT_DB},
      {"encoding", required_argument, NULL, OPT_ENCODING},
      {"prune", no_argument, NULL, OPT_PRUNE},
      {"keep-going", no_argument, NULL, OPT_KEEP_GOING},
      {"quiet", no_argument, NULL, OPT_QUIET},
      {"wait", required_argument, NULL, OPT_WAIT},
      {"check", no_argument, NULL, OPT_CHECK},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0},
  };
  int c;
  argv[0] = (char *)PROG; /* getopt's own messages name the program by argv[0] */
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_DB: opt->db = optarg; break;
      case OPT_ENCODING: opt->encoding = optarg; break;
      case OPT_PRUNE: opt->prune = 1; break;
      case OPT_KEEP_GOING: opt->keep_going = 1; break;
      case OPT_QUIET: opt->quiet = 1; break;
      case OPT_CHECK: opt->check = 1; break;
      case OPT_WAIT:
        if (jfts_parse_double(optarg, 0, 1e6, &opt->wait_s)) break;
        fprintf(stderr, PROG ": --wait needs a number of seconds (0 to 1000000), not '%s'\n",
                optarg);
        return EXIT_USAGE;
      case 'h': usage(stdout); return fclose(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
      case OPT_VERSION:
        printf(PROG " %s (schema %d, tokenizer %d)\n", JFTS_VERSION, JFTS_SCHEMA_VERSION,
               JFTS_TOKENIZER_VERSION);
        return fclose(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
      default:
        cli_try_help(PROG);
        return EXIT_USAGE;
    }
  }
  if (opt->check && (optind < argc || opt->prune))
    return cli_usage_error(PROG, "--check takes no PATH and no --prune");
  if (optind == argc && !opt->prune && !opt->check) return cli_usage_error(PROG, "no PATH given");
  if (opt->db[0] == '\0') {
    fprintf(stderr, PROG ": --db needs a file name\n");
    return EXIT_USAGE;
  }
  const char *v = getenv("JFTS_INDEX_PIECE_BYTES");
  long long pb = v && *v ? atoll(v) : 0;
  opt->piece_bytes = pb >= 4096 ? (size_t)pb : INGEST_PIECE_BYTES_DEFAULT;
  v = getenv("JFTS_INDEX_THREADS");
  opt->threads = v && *v ? atol(v) : sysconf(_SC_NPROCESSORS_ONLN);
  if (opt->encoding == NULL) return -1;
  /* An unknown name is a usage error even when no file needs decoding. */
  DecodedText *probe = NULL;
  char *err = NULL, buf[48];
  int rc = dec_decode((const unsigned char *)"", 0, opt->encoding, &probe, &err);
  dec_free(probe);
  if (rc != JFTS_OK) fprintf(stderr, PROG ": %s\n", jfts_error_text(rc, err, buf));
  jfts_free(err);
  return rc == JFTS_OK ? -1 : rc == JFTS_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

static int plural(long n) { return n != 1; }

/* Prunes (--prune) and commits the run. */
static FileFail finish(Run *run, Store *store) {
  char *err = NULL;
  int rc = run->opt.prune ? store_prune(store, &run->n_pruned, &err) : JFTS_OK;
  if (rc == JFTS_OK) {
    /* Passages went into the full-text index as they were stored; the commit writes out
    ** FTS5's last pending terms and the pages, which takes a moment on a large run. */
    if (run->progress && run->n_passages > 0)
      fprintf(stderr, "\r\x1b[K" PROG ": writing the index of %ld passage%s...",
              run->n_passages, plural(run->n_passages) ? "s" : "");
    rc = store_commit(store, &err);
    progress(run, 0, 1);
  }
  FileFail fail = rc == JFTS_OK ? FAIL_NONE : fatal(rc, NULL, err);
  jfts_free(err);
  return fail;
}

/* Prints the summary lines (unless --quiet): on stderr how many files of which kinds a walk
** passed over, once per run; on stdout what was indexed. Returns the exit status of a finished
** run. */
static int summary(const Run *run) {
  if (!run->opt.quiet) {
    char *passed_over = NULL;
    if (walk_skipped_describe(&run->passed_over, &passed_over) != JFTS_OK) {
      fatal(JFTS_ERR_NOMEM, NULL, NULL);
      return EXIT_FAIL;
    }
    if (passed_over) fprintf(stderr, PROG ": skipped %s\n", passed_over);
    free(passed_over);
    printf("indexed %d file%s (%ld document%s, %ld passage%s, %ld meeting%s); %d unchanged; "
           "%d untagged; %d pruned",
           run->n_indexed, plural(run->n_indexed) ? "s" : "", run->n_docs,
           plural(run->n_docs) ? "s" : "", run->n_passages, plural(run->n_passages) ? "s" : "",
           run->n_meetings, plural(run->n_meetings) ? "s" : "", run->n_unchanged,
           run->n_untagged, run->n_pruned);
    if (run->n_skipped) printf("; %d skipped", run->n_skipped);
    putchar('\n');
  }
  if (fclose(stdout) != 0) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    return EXIT_FAIL;
  }
  return run->n_skipped ? EXIT_SKIPPED : EXIT_OK;
}

static void check_problem(void *ctx, const char *problem) {
  fprintf(stderr, PROG ": '%s': %s\n", (const char *)ctx, problem);
}

/* --check: each problem on stderr, one summary line on stdout; exit 1 on any problem. */
static int check_db(const Options *opt) {
  Store *store = NULL;
  char *err = NULL;
  long n_problems = 0;
  int64_t n_passages = 0;
  int rc = store_open(opt->db, STORE_READ, &store, &err);
  if (rc == JFTS_OK)
    rc = store_check(store, check_problem, (void *)opt->db, &n_problems, &n_passages, &err);
  store_close(store);
  if (rc != JFTS_OK) fatal(rc, NULL, err);
  jfts_free(err);
  if (rc != JFTS_OK) return EXIT_FAIL;
  if (n_problems > 0) {
    fprintf(stderr, PROG ": '%s': the index is corrupt (%ld problem%s); re-index with " PROG "\n",
            opt->db, n_problems, plural(n_problems) ? "s" : "");
    return EXIT_FAIL;
  }
  if (!opt->quiet) printf("'%s': ok (%lld passages checked)\n", opt->db, (long long)n_passages);
  return fclose(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

int main(int argc, char **argv) {
  /* No setlocale(): arguments and paths are bytes (UTF-8) whatever the locale says. */
  /* One connection, used by this thread only (the prefetch worker never calls SQLite):
  ** SQLite's per-call mutexes and its memory statistics (a mutex per allocation) cost about
  ** a tenth of the CPU time of an index build. Must come before SQLite is first used; a
  ** failure only leaves the defaults. */
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  Run run = {.opt = {.db = "jfts.db", .wait_s = -1}};
  Store *store = NULL;
  char *err = NULL;
  int status = parse_options(argc, argv, &run.opt);
  if (status >= 0) return status;
  if (run.opt.check) return check_db(&run.opt);
  status = EXIT_FAIL;
  run.progress = !run.opt.quiet && isatty(STDERR_FILENO);

  int rc = store_open(run.opt.db, STORE_WRITE, &store, &err);
  if (rc == JFTS_OK) {
    store_set_lock_wait(store, run.opt.wait_s, run.progress ? waiting_note : NULL, &run);
    rc = store_begin(store, &err);
    if (run.progress) progress(&run, 0, 1); /* clears a waiting line */
  }
  FileFail fail = rc == JFTS_OK ? FAIL_NONE : fatal(rc, NULL, err);
  if (fail != FAIL_NONE) goto cleanup;
  run.db_real = realpath(run.opt.db, NULL);

  WalkHooks hooks = {walk_problem, warn_file, &run};
  rc = walk_collect(argv + optind, argc - optind, &hooks, &run.files);
  if (rc == JFTS_OK) rc = walk_resolve(&run.files, run.db_real);
  if (rc != JFTS_OK) fail = rc == JFTS_ERR_NOMEM ? fatal(rc, NULL, NULL) : FAIL_FILE;
  if (fail == FAIL_NONE) fail = look_up_indexed(&run, store);
  if (fail == FAIL_NONE) fail = index_all(&run, store);
  if (fail == FAIL_NONE) fail = finish(&run, store);
  status = fail == FAIL_NONE ? summary(&run) : fail == FAIL_USAGE ? EXIT_USAGE : EXIT_FAIL;

cleanup:
  if (store) store_rollback(store, NULL);
  store_close(store);
  jfts_free(err);
  ingest_looked_free(run.looked, run.files.n_entries);
  walk_list_clear(&run.files);
  walk_skipped_clear(&run.passed_over);
  free(run.db_real);
  return status;
}
