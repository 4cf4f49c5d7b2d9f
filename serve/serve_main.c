/* jfts-serve: serves a jfts database to people who are not at a terminal: a web page (search,
** which wards, quotes, meetings, documents) and its JSON/CSV API, over the same library code
** as jfts-query. It parses options, loads the thesaurus, starts the server (http.h) and
** waits for SIGINT or SIGTERM. */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "http.h"
#include "jfts_common.h"
#include "store.h"
#include "thesaurus.h"

#define PROG "jfts-serve"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef struct Options {
  const char *db;
  const char *listen;    /* HOST:PORT as given */
  const char *thesaurus; /* --thesaurus, else $JFTS_THESAURUS; NULL: the shipped one */
  const char *related;   /* --related, else $JFTS_RELATED; NULL: the shipped one */
  int exact;             /* --exact: no thesaurus and no related topics at all */
  int no_related;        /* --no-related: no related topics for any search */
  int allow_remote;
  long threads, max_requests, budget_ms;
} Options;

static void usage(FILE *fp) {
  fputs("Usage: " PROG " [OPTION]...\n"
        "Serve a jfts database as a web page for searching it (Japanese UI) and as a JSON/CSV\n"
        "API over the same code as jfts-query:\n"
        "  GET /api/search?q=QUERY[&ward=W]...[&year=Y][&section=S][&meeting=M][&exact=1]\n"
        "                 [&all_words=1][&related=0][&sort=rank|doc][&limit=N][&offset=N]\n"
        "                 [&format=json|csv|tsv]   (jfts-query --all-words, --no-related)\n"
        "  GET /api/wards?q=QUERY[&filters]      (jfts-query --wards)\n"
        "  GET /api/quotes?q=QUERY[&filters][&sort=doc|left|right][&context=N]\n"
        "  GET /api/meetings[?ward=W]            (jfts-query --meetings)\n"
        "  GET /api/documents[?ward=W]           (jfts-query --documents)\n"
        "  GET /api/document?id=N                one document's passages in order (N: its\n"
        "                                        place in /api/documents, from 1)\n"
        "JSON answers are {\"rows\": [the CLI's json rows], \"total\": {...}, ...}; format=csv\n"
        "gives the CLI's CSV bytes. Errors are {\"error\": MESSAGE} with status 400 (usage),\n"
        "404, 414 (request too long), 422 (time budget, or too many quotes to sort), 429\n"
        "(busy) or 500. Quotes: CSV/TSV downloads are cut at 32 MiB (X-JFTS-Truncated).\n"
        "\n"
        "  --db FILE            database to serve, read-only (default: jfts.db)\n"
        "  --listen HOST:PORT   address to listen on (default 127.0.0.1:8080; port 0: any\n"
        "                       free port; IPv6 as [::1]:8080)\n"
        "  --allow-remote       allow an address other than loopback (a warning is printed:\n"
        "                       anyone who can reach it can read the whole index)\n"
        "  --thesaurus FILE     synonym file instead of the shipped one (or $JFTS_THESAURUS)\n"
        "  --related FILE       related-topics file instead of the shipped one (or\n"
        "                       $JFTS_RELATED)\n"
        "  --no-related         no related topics for any search\n"
        "  --exact              no thesaurus and no related topics for any request\n"
        "  --threads N          worker threads, one database connection each (default 4)\n"
        "  --max-requests N     API requests answered at once, others get 429 (default 4)\n"
        "  --budget MS          time budget of one API request (default 5000; 0: none):\n"
        "                       its SQL and the text work between and after; over it the\n"
        "                       answer is 422\n"
        "  -h, --help           show this help and exit\n"
        "  --version            show the version and exit\n"
        "\n"
        "It prints 'jfts-serve: serving DB at http://HOST:PORT/' on standard output once it\n"
        "listens, and runs until interrupted (SIGINT, SIGTERM).\n"
        "Exit status: 0 stopped by a signal; 1 the database cannot be read or the address\n"
        "cannot be bound; 2 usage error.\n",
        fp);
}

/* Format-checked through cli_usage_error. */
#define usage_error(...) cli_usage_error(PROG, __VA_ARGS__)

/* Parses HOST:PORT ([V6]:PORT) into *ss; *loopback_out is 1 for 127.0.0.0/8 and ::1. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len_out,
                        int *loopback_out) {
  char host[64];
  const char *colon = strrchr(s, ':');
  if (colon == NULL || (size_t)(colon - s) >= sizeof host) return 0;
  memcpy(host, s, (size_t)(colon - s));
  host[colon - s] = '\0';
  long port;
  if (!jfts_parse_long(colon + 1, 0, 65535, &port)) return 0;
  memset(ss, 0, sizeof *ss);
  size_t n = strlen(host);
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
    host[n - 1] = '\0';
    if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) return 0;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons((uint16_t)port);
    *len_out = sizeof *a;
    *loopback_out = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
    return 1;
  }
  struct sockaddr_in *a = (struct sockaddr_in *)ss;
  if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
  if (inet_pton(AF_INET, host, &a->sin_addr) != 1) return 0;
  a->sin_family = AF_INET;
  a->sin_port = htons((uint16_t)port);
  *len_out = sizeof *a;
  *loopback_out = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  return 1;
}

static int parse_args(int argc, char **argv, Options *o, int *exit_now) {
  enum { OPT_DB = 256, OPT_LISTEN, OPT_THESAURUS, OPT_EXACT, OPT_ALLOW_REMOTE, OPT_THREADS,
         OPT_MAX_REQUESTS, OPT_BUDGET, OPT_RELATED, OPT_NO_RELATED, OPT_VERSION };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, OPT_DB},
      {"listen", required_argument, NULL, OPT_LISTEN},
      {"thesaurus", required_argument, NULL, OPT_THESAURUS},
      {"exact", no_argument, NULL, OPT_EXACT},
      {"related", required_argument, NULL, OPT_RELATED},
      {"no-related", no_argument, NULL, OPT_NO_RELATED},
      {"allow-remote", no_argument, NULL, OPT_ALLOW_REMOTE},
      {"threads", required_argument, NULL, OPT_THREADS},
      {"max-requests", required_argument, NULL, OPT_MAX_REQUESTS},
      {"budget", required_argument, NULL, OPT_BUDGET},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0},
  };
  int c;
  *exit_now = 0;
  argv[0] = (char *)PROG;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_DB: o->db = optarg; break;
      case OPT_LISTEN: o->listen = optarg; break;
      case OPT_THESAURUS: o->thesaurus = optarg; break;
      case OPT_EXACT: o->exact = 1; break;
      case OPT_RELATED: o->related = optarg; break;
      case OPT_NO_RELATED: o->no_related = 1; break;
      case OPT_ALLOW_REMOTE: o->allow_remote = 1; break;
      case OPT_THREADS:
        if (!jfts_parse_long(optarg, 1, 64, &o->threads))
          return usage_error("--threads needs a number from 1 to 64, not '%s'", optarg);
        break;
      case OPT_MAX_REQUESTS:
        if (!jfts_parse_long(optarg, 1, 1024, &o->max_requests))
          return usage_error("--max-requests needs a number from 1 to 1024, not '%s'", optarg);
        break;
      case OPT_BUDGET:
        if (!jfts_parse_long(optarg, 0, 600000, &o->budget_ms))
          return usage_error("--budget needs milliseconds from 0 to 600000, not '%s'", optarg);
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
        cli_try_help(PROG);
        return EXIT_USAGE;
    }
  }
  if (optind < argc) return usage_error("unexpected argument '%s'", argv[optind]);
  if (o->exact && o->thesaurus)
    return usage_error("--exact and --thesaurus exclude each other");
  if ((o->exact || o->no_related) && o->related)
    return usage_error("--related excludes --exact and --no-related");
  const char *env = getenv("JFTS_THESAURUS");
  if (o->thesaurus == NULL && env && env[0]) o->thesaurus = env;
  env = getenv("JFTS_RELATED");
  if (o->related == NULL && env && env[0]) o->related = env;
  return EXIT_OK;
}

/* Opens the database once before listening, so that a missing or foreign file is reported at
** start, as jfts-query reports it, not on every request. */
static int check_db(const char *db) {
  Store *s = NULL;
  char *err = NULL, buf[48];
  int rc = store_open(db, STORE_READ, &s, &err);
  if (rc != JFTS_OK) {
    int missing = rc == JFTS_ERR_IO && access(db, F_OK) != 0;
    fprintf(stderr, PROG ": %s%s\n", jfts_error_text(rc, err, buf),
            missing ? " (run jfts-index first)" : "");
  }
  store_close(s);
  jfts_free(err);
  return rc == JFTS_OK ? EXIT_OK : EXIT_FAIL;
}

/* Loads a thesaurus-syntax file: the thesaurus or the related topics. A file the user named
** that cannot be used is a usage error; the shipped one missing is a broken installation, and
** hint then says how to do without it. */
static int load_ths(const char *path, int named, const char *hint, Thesaurus **out) {
  char *err = NULL, buf[48];
  *out = NULL;
  int rc = ths_load(path, out, &err);
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s%s\n", jfts_error_text(rc, err, buf), named ? "" : hint);
    jfts_free(err);
    return named && rc != JFTS_ERR_NOMEM ? EXIT_USAGE : EXIT_FAIL;
  }
  return EXIT_OK;
}

int main(int argc, char **argv) {
  Options o = {.db = "jfts.db", .listen = "127.0.0.1:8080", .threads = 4, .max_requests = 4,
               .budget_ms = 5000};
  Thesaurus *ths = NULL, *rel = NULL;
  HttpServer *server = NULL;
  char *err = NULL, buf[48];
  struct sockaddr_storage ss;
  socklen_t ss_len = 0;
  int loopback = 0, exit_now = 0;
  int status = parse_args(argc, argv, &o, &exit_now);
  if (status != EXIT_OK || exit_now) goto cleanup;
  if (!parse_listen(o.listen, &ss, &ss_len, &loopback)) {
    status = usage_error("--listen needs HOST:PORT with a numeric address (127.0.0.1:8080, "
                         "[::1]:8080), not '%s'", o.listen);
    goto cleanup;
  }
  if (!loopback && !o.allow_remote) {
    status = usage_error("'%s' is not a loopback address: add --allow-remote to serve the "
                         "index to other machines", o.listen);
    goto cleanup;
  }
  if (!loopback)
    fprintf(stderr, PROG ": warning: listening on %s: anyone who can reach it can read the "
                    "whole index (no authentication, no TLS)\n", o.listen);
  status = check_db(o.db);
  if (status == EXIT_OK && !o.exact)
    status = load_ths(ths_path(o.thesaurus), o.thesaurus != NULL,
                      " (--exact serves without the thesaurus)", &ths);
  if (status == EXIT_OK && !o.exact && !o.no_related)
    status = load_ths(ths_related_path(o.related), o.related != NULL,
                      " (--no-related serves without related topics)", &rel);
  if (status != EXIT_OK) goto cleanup;

  /* Signals are taken by sigwait below: block them before the server's threads start, so
  ** that they inherit the mask. A client that hangs up must not kill the server. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  HttpConfig cfg = {.db_path = o.db, .ths = ths, .rel = rel, .addr = (const struct sockaddr *)&ss,
                    .loopback = loopback, .n_threads = (unsigned)o.threads,
                    .max_requests = (unsigned)o.max_requests, .budget_ms = (unsigned)o.budget_ms};
  int rc = http_start(&cfg, &server, &err);
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s: %s\n", o.listen, jfts_error_text(rc, err, buf));
    status = EXIT_FAIL;
    goto cleanup;
  }
  char host[64];
  const char *colon = strrchr(o.listen, ':');
  snprintf(host, sizeof host, "%.*s", (int)(colon - o.listen), o.listen);
  printf(PROG ": serving %s at http://%s:%d/\n", o.db, host, http_port(server));
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  fprintf(stderr, PROG ": stopping (signal %d)\n", sig);
  status = EXIT_OK;

cleanup:
  http_stop(server);
  ths_free(ths);
  ths_free(rel);
  jfts_free(err);
  return status;
}
