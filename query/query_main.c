/* jfts-query: answers questions about a jfts database: what is indexed (--documents), the
** meetings tables of the ward reports (--meetings), which passages match a query, ranked
** (search.h), and per ward or per quote (--wards, --quotes: research.h). This file parses and
** checks the options and hands them to the mode runners (modes.h), which map results to
** exit codes. */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "jfts_common.h"
#include "modes.h"
#include "output.h"
#include "report.h"
#include "research.h"
#include "store.h"

#define PROG MODE_PROG
#define DEFAULT_LIMIT 10

typedef struct Options {
  ModeArgs run;                          /* what to run; strings borrowed from argv or below */
  const char *wards[RESEARCH_MAX_WARDS]; /* --ward as typed, in order */
  const char *orgs[RESEARCH_MAX_WARDS];  /* --org as typed, in order */
  const char *thesaurus_opt;             /* --thesaurus FILE as given, or NULL */
  const char *related_opt;               /* --related FILE as given, or NULL */
  const char *sort_name; /* --sort as given: rank|doc, or doc|left|right with --quotes */
  int by_seen;           /* --wards or --by given */
  char *mark_open, *mark_close; /* --highlight OPEN,CLOSE; owned, NULL when not given */
  char *query;                  /* QUERY words joined by spaces; owned */
} Options;

static void usage_output(FILE *fp);

/* The help text is literals so that it reads as printed. */
static void usage(FILE *fp) {
  fprintf(fp,
          "Usage: " PROG " [OPTION]... QUERY...\n"
          "       " PROG " [OPTION]... --queries FILE\n"
          "       " PROG " [OPTION]... --documents\n"
          "       " PROG " [OPTION]... --meetings\n"
          "       " PROG " [OPTION]... --wards QUERY...\n"
          "       " PROG " [OPTION]... --by ward|org|year|kind|document QUERY...\n"
          "       " PROG " [OPTION]... --quotes [--context N] [--sort doc|left|right] QUERY...\n"
          "Search the passages of a jfts database built by jfts-index, most relevant first, or\n"
          "list what it holds. The QUERY words are joined by spaces into one query:\n"
          "  words           passages with every word first (地域包括 支援センター), those\n"
          "                  where they occur adjacent and in this order before the others;\n"
          "                  then passages with some of the words, most and rarest first\n"
          "                  (--all-words: every word must occur)\n"
          "  \"a b\"           a phrase: the words together, in this order\n"
          "  a OR b          either word\n"
          "  -word           passages with this word are left out\n"
          "Anything else (quotes left open, brackets, * ^ : AND NOT NEAR) is searched as text.\n"
          "Put -- before a QUERY that starts with '-': " PROG " -- -高齢 連携\n"
          "Matching ignores width and case (ＡＢＣ = abc), and spaces between Japanese and\n"
          "Latin letters or digits (8050 問題 = 8050問題). Punctuation typed in a word\n"
          "separates words (高砂・岩切 = 高砂 岩切). A word the text never writes whole\n"
          "(or far less often than its parts) is searched as its parts without particles\n"
          "(卒業後の進路: 卒業 進路), and said so ('searched as: ...'); quote it to prevent that.\n"
          "\n"
          "  --db FILE          database to read (default: jfts.db)\n"
          "  --limit N          show at most N passages (default %d; 0 = all)\n"
          "  --offset N         skip the first N passages of the order\n"
          "  --sort ORDER       rank (default: relevance) or doc (file, then passage order)\n"
          "  --format FORMAT    text (default), json (JSON Lines), csv (UTF-8 with BOM) or tsv\n"
          "  --highlight OPEN,CLOSE  mark matches in text output with OPEN and CLOSE\n"
          "                     (default: colour on a terminal, else «match»)\n"
          "  --no-color         no colour (also when NO_COLOR is set)\n"
          "  --queries FILE     run each line of FILE ('-': standard input) as a query; each\n"
          "                     result row starts with its query (json: key \"query\"); also\n"
          "                     with --wards, --by and --quotes\n"
          "  --timing           print each query's time on standard error:\n"
          "                     '" PROG ": timing: MS QUERY' (parse, search and output)\n"
          "  --ward WARD        only this ward (repeatable), of every organisation: a ward\n"
          "                     the index holds (the final 区 may be left out: 青葉)\n"
          "  --org ORG          only this organisation (repeatable): one the index holds\n"
          "                     (the final 市, 町, 村, 区, 県, 都 or 府 may be left out: 仙台)\n"
          "  --kind KIND        only documents of this kind: 取組状況, 計画, 会議録, 広報,\n"
          "                     報告 (as the index holds them)\n"
          "  --section S        only section table, 1, 2 or 3, or the sections whose title\n"
          "                     contains S (取組: 1 and 3)\n"
          "  --meeting NAME     only the meetings whose type or local name contains NAME\n"
          "                     (IGASU; 会議: all such meetings); A-Z = a-z\n"
          "  --year Y           only this fiscal year: 令和3年度, 令和3, R3, H30 or 2021\n"
          "  --exact            no thesaurus: search the terms as typed only (by default\n"
          "                     their spelling variants match too, ウイルス = ウィルス, and\n"
          "                     rank after the passages holding the terms as typed)\n"
          "  --thesaurus FILE   use this synonym file instead of the shipped one (or\n"
          "                     $JFTS_THESAURUS)\n"
          "  --all-words        only passages holding every word (no some-word passages)\n"
          "  --no-related       no related topics (by default a general word also finds\n"
          "                     the activities reports name for it, 防災 => 避難訓練, ranked\n"
          "                     after every literal match; --exact turns this off too)\n"
          "  --related FILE     use this related-topics file instead of the shipped one\n"
          "                     (or $JFTS_RELATED)\n",
          DEFAULT_LIMIT);
  fprintf(fp, /* two literals: C99 promises string literals of 4095 bytes only */
          "  --wards            per ward and year of the index: matching passages, occurrences\n"
          "                     and the best passage; wards without a match are listed too\n"
          "  --by GROUP         the same per ward (as --wards), org, year, kind or document\n"
          "  --quotes           every occurrence as a quote in context (KWIC), with ward and\n"
          "                     FILE:LINE; --sort doc (default), left or right context\n"
          "  --context N        characters of context on each side of a quote (default %d)\n"
          "  --documents        list the indexed documents (file, title, ward, year, passages,\n"
          "                     org, kind, date and where each came from); filters: --ward,\n"
          "                     --org, --year, --kind\n"
          "  --meetings         list the meetings tables of the ward reports\n"
          "  -h, --help         show this help and exit\n"
          "  --version          show the version and exit\n"
          "\n",
          KWIC_DEFAULT_CONTEXT);
  usage_output(fp);
}

/* The help's part on output and exit statuses. */
static void usage_output(FILE *fp) {
  fputs("Text output starts with 'N passages, M occurrences' (over all matching passages;\n"
        "'N passages with every word, K more with some, M occurrences' when some hold only\n"
        "some of the words, after 'searched as: ...' when a word was split),\n"
        "then per passage: its rank, ward / section / heading / meeting, FILE:LINE where the\n"
        "first match starts, and a snippet. json, csv and tsv give per passage: rank, score,\n"
        "ward, year, year_label, section, section_title, heading, meeting, text, snippet,\n"
        "matches ([start,end] code point offsets into text), file, line_start, line_end,\n"
        "matched (the query terms or thesaurus variants that matched, as a JSON array),\n"
        "missing (the query words the passage lacks), searched_as (the query as searched\n"
        "when a word was split into its parts, else null), via (the related-topic\n"
        "expansions that found the passage, \"防災 => 避難訓練\"), page, page_end, column,\n"
        "org, local_name, doc_title, kind, heading_path (section title › heading),\n"
        "heading_matches, label_matches ([start,end] into heading_path and label).\n"
        "--wards/--by json: ward, year, year_label, passages, occurrences, best (null, or the\n"
        "best passage as a search row), org, kind, title, file, by, group.\n"
        "--quotes json/csv/tsv: ward, year, year_label, section, section_title, heading,\n"
        "meeting, left, match, right (left+match+right is the passage text), matched (the\n"
        "query term or thesaurus variant that matched), file, line, title, source.\n"
        "\n"
        "Exit status:\n"
        "  0  success, also when nothing matched; with --queries: at least one query ran\n"
        "     (a line that is not a valid query gets a note on standard error)\n"
        "  1  the database is missing or cannot be read, or output failed\n"
        "  2  usage error (with --queries: no line was a valid query), also an unknown\n"
        "     ward, organisation, kind, section or meeting, or a thesaurus or related-topics\n"
        "     file that cannot be read\n",
        fp);
}

/* ---- options ----------------------------------------------------------------------------- */

enum {
  OPT_DB = 256, OPT_DOCUMENTS, OPT_MEETINGS, OPT_WARD, OPT_LIMIT, OPT_OFFSET, OPT_SORT,
  OPT_FORMAT, OPT_HIGHLIGHT, OPT_NO_COLOR, OPT_QUERIES, OPT_TIMING, OPT_WARDS, OPT_QUOTES,
  OPT_SECTION, OPT_MEETING, OPT_YEAR, OPT_EXACT, OPT_THESAURUS, OPT_CONTEXT, OPT_ALL_WORDS,
  OPT_NO_RELATED, OPT_RELATED, OPT_VERSION, OPT_ORG, OPT_KIND, OPT_BY
};

static const struct option k_longopts[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"documents", no_argument, NULL, OPT_DOCUMENTS},
    {"meetings", no_argument, NULL, OPT_MEETINGS},
    {"ward", required_argument, NULL, OPT_WARD},
    {"org", required_argument, NULL, OPT_ORG},
    {"kind", required_argument, NULL, OPT_KIND},
    {"by", required_argument, NULL, OPT_BY},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"offset", required_argument, NULL, OPT_OFFSET},
    {"sort", required_argument, NULL, OPT_SORT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"highlight", required_argument, NULL, OPT_HIGHLIGHT},
    {"no-color", no_argument, NULL, OPT_NO_COLOR},
    {"queries", required_argument, NULL, OPT_QUERIES},
    {"timing", no_argument, NULL, OPT_TIMING},
    {"wards", no_argument, NULL, OPT_WARDS},
    {"quotes", no_argument, NULL, OPT_QUOTES},
    {"section", required_argument, NULL, OPT_SECTION},
    {"meeting", required_argument, NULL, OPT_MEETING},
    {"year", required_argument, NULL, OPT_YEAR},
    {"exact", no_argument, NULL, OPT_EXACT},
    {"thesaurus", required_argument, NULL, OPT_THESAURUS},
    {"context", required_argument, NULL, OPT_CONTEXT},
    {"all-words", no_argument, NULL, OPT_ALL_WORDS},
    {"no-related", no_argument, NULL, OPT_NO_RELATED},
    {"related", required_argument, NULL, OPT_RELATED},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int set_mode(int c, Options *o) {
  ModeKind m = c == OPT_DOCUMENTS  ? MODE_DOCUMENTS
               : c == OPT_MEETINGS ? MODE_MEETINGS
               : c == OPT_WARDS || c == OPT_BY ? MODE_WARDS
                                               : MODE_QUOTES;
  if (o->run.mode != MODE_SEARCH && o->run.mode != m)
    return mode_usage_error(
        "--documents, --meetings, --wards (--by) and --quotes exclude each other");
  o->run.mode = m;
  return MODE_EXIT_OK;
}

/* --ward and --org: kept as typed; the index says which values exist (research_filter_new). */
static int add_name(int c, const char *arg, Options *o) {
  size_t *n = c == OPT_WARD ? &o->run.n_wards : &o->run.n_orgs;
  if (*n == RESEARCH_MAX_WARDS)
    return mode_usage_error("too many %s options (at most %d)", c == OPT_WARD ? "--ward" : "--org",
                            RESEARCH_MAX_WARDS);
  (c == OPT_WARD ? o->wards : o->orgs)[(*n)++] = arg;
  return MODE_EXIT_OK;
}

/* A message of a library parser (year, sort): usage error, or a failure without one. */
static int parse_failed(int rc, char *msg) {
  char buf[48];
  fprintf(stderr, PROG ": %s\n", jfts_error_text(rc, msg, buf));
  jfts_free(msg);
  return msg ? MODE_EXIT_USAGE : MODE_EXIT_FAIL;
}

/* --limit, --offset, --context. */
static int parse_number(int c, const char *arg, Options *o) {
  long v;
  if (c == OPT_CONTEXT) {
    if (!jfts_parse_long(arg, 1, 1000, &v))
      return mode_usage_error("--context needs a number from 1 to 1000, not '%s'", arg);
    o->run.context = v;
  } else if (!jfts_parse_long(arg, 0, LONG_MAX, &v)) {
    return mode_usage_error("%s needs a number >= 0, not '%s'",
                            c == OPT_LIMIT ? "--limit" : "--offset", arg);
  } else if (c == OPT_LIMIT) {
    o->run.limit = v;
  } else {
    o->run.offset = v;
  }
  return MODE_EXIT_OK;
}

static int parse_highlight(const char *arg, Options *o) {
  const char *comma = strchr(arg, ',');
  if (comma == NULL)
    return mode_usage_error("--highlight needs OPEN,CLOSE (e.g. '[,]'), not '%s'", arg);
  free(o->mark_open);
  free(o->mark_close);
  o->mark_open = strndup(arg, (size_t)(comma - arg));
  o->mark_close = strdup(comma + 1);
  if (o->mark_open == NULL || o->mark_close == NULL) {
    fputs(PROG ": out of memory\n", stderr);
    return MODE_EXIT_FAIL;
  }
  o->run.mark_open = o->mark_open;
  o->run.mark_close = o->mark_close;
  return MODE_EXIT_OK;
}

/* One option of getopt_long (c, with optarg arg). *exit_now is set after --help/--version. */
static int parse_option(int c, const char *arg, Options *o, int *exit_now) {
  ModeArgs *r = &o->run;
  int year, rc;
  char *msg = NULL;
  switch (c) {
    case OPT_DB: r->db = arg; break;
    case OPT_DOCUMENTS:
    case OPT_MEETINGS:
    case OPT_QUOTES: return set_mode(c, o);
    case OPT_WARDS:
      if (o->by_seen && r->by != RESEARCH_BY_WARD)
        return mode_usage_error("--wards and --by exclude each other");
      o->by_seen = 1;
      return set_mode(c, o);
    case OPT_WARD:
    case OPT_ORG: return add_name(c, arg, o);
    case OPT_KIND: r->kind = arg; break;
    case OPT_BY:
      if ((rc = research_parse_by(arg, &r->by, &msg)) != JFTS_OK) return parse_failed(rc, msg);
      if (o->by_seen && o->run.by != r->by)
        return mode_usage_error("--wards and --by %s exclude each other", arg);
      o->by_seen = 1;
      return set_mode(c, o);
    case OPT_SECTION: r->section = arg; break;
    case OPT_MEETING: r->meeting = arg; break;
    case OPT_YEAR:
      if ((rc = research_parse_year(arg, &year, &msg)) != JFTS_OK) return parse_failed(rc, msg);
      r->year = arg;
      break;
    case OPT_EXACT: r->exact = 1; break;
    case OPT_THESAURUS: o->thesaurus_opt = arg; break;
    case OPT_ALL_WORDS: r->all_words = 1; break;
    case OPT_NO_RELATED: r->no_related = 1; break;
    case OPT_RELATED: o->related_opt = arg; break;
    case OPT_CONTEXT:
    case OPT_LIMIT:
    case OPT_OFFSET: return parse_number(c, arg, o);
    case OPT_SORT: o->sort_name = arg; break; /* its meaning depends on the mode */
    case OPT_FORMAT:
      if (out_parse_format(arg, &r->format) != JFTS_OK)
        return mode_usage_error("unknown format '%s' (valid: text, json, csv, tsv)", arg);
      break;
    case OPT_HIGHLIGHT: return parse_highlight(arg, o);
    case OPT_NO_COLOR: r->no_color = 1; break;
    case OPT_QUERIES: r->queries = arg; break;
    case OPT_TIMING: r->timing = 1; break;
    case 'h':
      usage(stdout);
      *exit_now = 1;
      break;
    case OPT_VERSION:
      printf(PROG " %s (schema %d, tokenizer %d)\n", JFTS_VERSION, JFTS_SCHEMA_VERSION,
             JFTS_TOKENIZER_VERSION);
      *exit_now = 1;
      break;
    default:
      cli_try_help(PROG);
      return MODE_EXIT_USAGE;
  }
  return MODE_EXIT_OK;
}

/* --sort means rank|doc for a search and doc|left|right for --quotes. */
static int parse_sort(Options *o) {
  ModeArgs *r = &o->run;
  char *msg = NULL;
  int rc;
  if (o->sort_name == NULL) return MODE_EXIT_OK;
  if (r->mode == MODE_QUOTES) {
    if ((rc = kwic_parse_sort(o->sort_name, &r->kwic_sort, &msg)) != JFTS_OK)
      return parse_failed(rc, msg);
    return MODE_EXIT_OK;
  }
  if (r->mode != MODE_SEARCH)
    return mode_usage_error("--sort is for searching and --quotes ('%s')", o->sort_name);
  if (strcmp(o->sort_name, "rank") == 0) r->sort = SEARCH_SORT_RANK;
  else if (strcmp(o->sort_name, "doc") == 0) r->sort = SEARCH_SORT_DOC;
  else return mode_usage_error("unknown sort order '%s' (valid: rank, doc)", o->sort_name);
  return MODE_EXIT_OK;
}

/* The QUERY words argv[first..argc) joined by spaces into o->query. */
static int join_query(int argc, char **argv, int first, Options *o) {
  size_t n = 0;
  for (int i = first; i < argc; i++) n += strlen(argv[i]) + 1;
  o->query = malloc(n);
  if (o->query == NULL) {
    fputs(PROG ": out of memory\n", stderr);
    return MODE_EXIT_FAIL;
  }
  o->query[0] = '\0';
  for (int i = first; i < argc; i++) {
    if (i > first) strcat(o->query, " ");
    strcat(o->query, argv[i]);
  }
  o->run.query = o->query;
  return MODE_EXIT_OK;
}

/* What the options say together, once all are read; argv[first..argc) are the operands. */
static int check_args(int argc, char **argv, int first, Options *o) {
  ModeArgs *r = &o->run;
  if (r->exact && o->thesaurus_opt)
    return mode_usage_error("--exact and --thesaurus exclude each other");
  if ((r->exact || r->no_related) && o->related_opt)
    return mode_usage_error("--related excludes --exact and --no-related");
  /* The environment is read here, once: the files the user named either way. */
  const char *env = getenv("JFTS_THESAURUS");
  r->thesaurus = o->thesaurus_opt ? o->thesaurus_opt : env && env[0] ? env : NULL;
  env = getenv("JFTS_RELATED");
  r->related = o->related_opt ? o->related_opt : env && env[0] ? env : NULL;
  int status = parse_sort(o);
  if (status != MODE_EXIT_OK) return status;
  /* The other modes would ignore them: --wards and --quotes always need every word and add
  ** no related topics (modes.c), the listings take no query. */
  if (r->mode != MODE_SEARCH && r->all_words)
    return mode_usage_error("--all-words is for searching (--wards and --quotes always need "
                            "every word)");
  if (r->mode != MODE_SEARCH && (r->no_related || o->related_opt))
    return mode_usage_error("--%s is for searching (--wards and --quotes add no related topics)",
                            o->related_opt ? "related" : "no-related");
  if (r->context && r->mode != MODE_QUOTES) return mode_usage_error("--context is for --quotes");
  if (r->mode == MODE_DOCUMENTS || r->mode == MODE_MEETINGS) {
    if (first < argc)
      return mode_usage_error("--documents and --meetings take no QUERY ('%s')", argv[first]);
    if (r->queries) return mode_usage_error("--queries is for searching, not listing");
    if (r->mode == MODE_DOCUMENTS && (r->section || r->meeting))
      return mode_usage_error("--documents takes --ward, --org, --year and --kind only");
    if (r->mode == MODE_MEETINGS && (r->n_wards > 1 || r->section || r->meeting || r->year ||
                                     r->n_orgs || r->kind))
      return mode_usage_error("--meetings takes one --ward and no other filter");
    return MODE_EXIT_OK;
  }
  if (r->queries) {
    if (first < argc)
      return mode_usage_error("give either QUERY or --queries, not both ('%s')", argv[first]);
    return MODE_EXIT_OK;
  }
  if (first == argc) return mode_usage_error("no QUERY given");
  return join_query(argc, argv, first, o);
}

static int parse_args(int argc, char **argv, Options *o, int *exit_now) {
  int c, status = MODE_EXIT_OK;
  *exit_now = 0;
  argv[0] = (char *)PROG; /* getopt's own messages name the program by argv[0] */
  while (status == MODE_EXIT_OK && !*exit_now &&
         (c = getopt_long(argc, argv, "h", k_longopts, NULL)) != -1)
    status = parse_option(c, optarg, o, exit_now);
  if (status != MODE_EXIT_OK || *exit_now) return status;
  return check_args(argc, argv, optind, o);
}

int main(int argc, char **argv) {
  /* No setlocale(): arguments are bytes (UTF-8) whatever the locale says. */
  Options o = {.run = {.db = "jfts.db", .mode = MODE_SEARCH, .format = OUT_TEXT,
                       .limit = DEFAULT_LIMIT}};
  o.run.wards = o.wards;
  o.run.orgs = o.orgs;
  int exit_now = 0;
  int status = parse_args(argc, argv, &o, &exit_now);
  if (status == MODE_EXIT_OK && !exit_now) status = mode_run(&o.run);
  free(o.query);
  free(o.mark_open);
  free(o.mark_close);
  /* Data went to stdout: a full disk or closed pipe must not look like success. */
  if (fclose(stdout) != 0 && status == MODE_EXIT_OK) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    status = MODE_EXIT_FAIL;
  }
  return status;
}
