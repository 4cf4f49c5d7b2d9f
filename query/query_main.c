/* jfts-query: answers questions about a jfts database: what is indexed (--documents), the
** meetings tables of the ward reports (--meetings), which passages match a query, ranked
** (search.h), and per ward or per quote (--wards, --quotes: research.h). It parses options, calls the modules and the output writers, and maps results
** to exit codes; each mode is one small function so that new modes slot in beside them. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "expand.h"
#include "jfts_common.h"
#include "output.h"
#include "qparse.h"
#include "report.h"
#include "research.h"
#include "search.h"
#include "store.h"
#include "thesaurus.h"

#define PROG "jfts-query"
#define DEFAULT_LIMIT 10
#define SNIPPET_CHARS 120 /* code points of passage text around the first match */
#define COLOR_OPEN "\x1b[1;31m"
#define COLOR_CLOSE "\x1b[0m"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

typedef enum Mode { MODE_SEARCH, MODE_DOCUMENTS, MODE_MEETINGS, MODE_WARDS, MODE_QUOTES } Mode;

typedef struct Options {
  const char *db;
  Mode mode;
  OutFormat format;
  const char *wards[RESEARCH_MAX_WARDS]; /* --ward as typed (known wards), in order */
  size_t n_wards;
  const char *section, *meeting, *year; /* --section, --meeting, --year as typed */
  const StoreFilter *filter; /* resolved once the store is open; NULL: none */
  int exact;         /* --exact: no thesaurus */
  const char *thesaurus; /* --thesaurus FILE, or NULL */
  const Thesaurus *ths;  /* loaded thesaurus; NULL: terms as typed */
  int all_words;     /* --all-words: strict AND, no some-word passages */
  int no_related;    /* --no-related: no related-topics layer */
  const char *related; /* --related FILE, or NULL */
  const Thesaurus *rel;  /* loaded related-topics layer; NULL: none */
  long context;      /* --quotes: characters of context on each side */
  const char *sort_name; /* --sort as given: rank|doc, or doc|left|right with --quotes */
  KwicSort kwic_sort;
  long limit;        /* <= 0: no limit */
  long offset;       /* results skipped first */
  SearchSort sort;
  const char *queries; /* --queries FILE ("-": standard input), or NULL */
  int timing;        /* --timing: per-query milliseconds on stderr */
  int no_color;
  char *mark_open, *mark_close; /* --highlight OPEN,CLOSE; owned, NULL when not given */
  char *query;       /* QUERY words joined by spaces; owned */
} Options;

static const char *const WARDS = "青葉区, 宮城野区, 若林区, 太白区, 泉区";

static void usage(FILE *fp) {
  fprintf(fp,
          "Usage: " PROG " [OPTION]... QUERY...\n"
          "       " PROG " [OPTION]... --queries FILE\n"
          "       " PROG " [OPTION]... --documents\n"
          "       " PROG " [OPTION]... --meetings\n"
          "       " PROG " [OPTION]... --wards QUERY...\n"
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
          "                     result row starts with its query (json: key \"query\")\n"
          "  --timing           print each query's time on standard error:\n"
          "                     '" PROG ": timing: MS QUERY' (parse, search and output)\n"
          "  --ward WARD        only this ward (repeatable): %s\n"
          "                     (the final 区 may be left out)\n"
          "  --section S        only section table, 1, 2 or 3, or the sections whose title\n"
          "                     contains S (取組: 1 and 3)\n"
          "  --meeting NAME     only the meetings whose type or local name contains NAME\n"
          "                     (IGASU; 会議: all such meetings); A-Z = a-z\n"
          "  --year Y           only this fiscal year: 令和3年度, R3 or 2021\n"
          "  --exact            no thesaurus: search the terms as typed only (by default\n"
          "                     their spelling variants match too, ウイルス = ウィルス, and\n"
          "                     rank after the passages holding the terms as typed)\n"
          "  --thesaurus FILE   use this synonym file instead of the shipped one (or\n"
          "                     $JFTS_THESAURUS)\n",
          DEFAULT_LIMIT, WARDS);
  fputs("  --all-words        only passages holding every word (no some-word passages)\n"
          "  --no-related       no related topics (by default a general word also finds\n"
          "                     the activities reports name for it, 防災 => 避難訓練, ranked\n"
          "                     after every literal match; --exact turns this off too)\n"
          "  --related FILE     use this related-topics file instead of the shipped one\n"
          "                     (or $JFTS_RELATED)\n", fp);
  fprintf(fp,
          "  --wards            per ward and year of the index: matching passages, occurrences\n"
          "                     and the best passage; wards without a match are listed too\n"
          "  --quotes           every occurrence as a quote in context (KWIC), with ward and\n"
          "                     FILE:LINE; --sort doc (default), left or right context\n"
          "  --context N        characters of context on each side of a quote (default %d)\n"
          "  --documents        list the indexed documents (file, title, ward, year, passages)\n"
          "  --meetings         list the meetings tables of the ward reports\n"
          "  -h, --help         show this help and exit\n"
          "  --version          show the version and exit\n"
          "\n",
          KWIC_DEFAULT_CONTEXT);
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
        "expansions that found the passage, \"防災 => 避難訓練\").\n"
        "--wards json: ward, year, year_label, passages, occurrences, best (null, or the best\n"
        "passage as a search row).\n"
        "--quotes json/csv/tsv: ward, year, year_label, section, section_title, heading,\n"
        "meeting, left, match, right (left+match+right is the passage text), matched (the\n"
        "query term or thesaurus variant that matched), file, line, title, source.\n"
        "\n"
        "Exit status:\n"
        "  0  success, also when nothing matched; with --queries: at least one query ran\n"
        "     (a line that is not a valid query gets a note on standard error)\n"
        "  1  the database is missing or cannot be read, or output failed\n"
        "  2  usage error (with --queries: no line was a valid query), also an unknown\n"
        "     ward, section or meeting, or a thesaurus file that cannot be read\n",
        fp);
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
  int bad_row;   /* a row did not match its field list: a bug worth reporting */
  /* search mode */
  const char *mark_open, *mark_close; /* highlight markers of the text format */
  const char *query;     /* the query line, written first in each row with --queries */
  const Query *parsed;   /* the query as searched: names the variant that matched */
  const char *searched_as; /* the query as searched when a word was split, else NULL */
  size_t n_query;
  int with_query;        /* --queries: rows start with the query */
  long n_shown;          /* results written for the current query */
  char *err;             /* message of a failure inside a callback (jfts_malloc'ed) */
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
    /* A description of several lines stays indented as a block under its heading line. */
    for (const char *t = r->text; t && *t;) {
      size_t n = strcspn(t, "\n");
      fprintf(fp, "    %.*s\n", (int)n, t);
      t += n;
      if (*t == '\n') t++;
    }
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

/* ---- search ----------------------------------------------------------------------------- */

static const char *const SEARCH_FIELDS[] = {
    "query", "rank", "score", "ward", "year", "year_label", "section", "section_title",
    "heading", "meeting", "text", "snippet", "matches", "file", "line_start", "line_end",
    "matched", "missing", "searched_as", "via"};
#define N_SEARCH_FIELDS (sizeof SEARCH_FIELDS / sizeof SEARCH_FIELDS[0])

static void buf_str(JftsBuf *b, const char *s) { jfts_buf_add(b, s, strlen(s)); }

/* The snippet of a result: "…" where text is cut, line breaks and tabs as spaces, and each
** occurrence inside the window between open and close (NULL: no marks). */
static int render_snippet(const SearchResult *r, const char *open, const char *close, JftsBuf *b,
                          char **err_out) {
  const StorePassageRow *p = r->passage;
  SearchSnippet sn;
  int rc = search_snippet(p->text, p->n_text, r->spans, r->n_spans, r->focus, SNIPPET_CHARS, &sn,
                          err_out);
  if (rc != JFTS_OK) return rc;
  if (sn.cut_start) buf_str(b, "…");
  size_t k = 0; /* next span to open */
  size_t mark_end = 0; /* end of the highlighted run in progress; 0: none */
  for (size_t at = sn.start_byte; at < sn.end_byte; at++) {
    if (open && mark_end && at == mark_end) {
      buf_str(b, close);
      mark_end = 0;
    }
    while (k < r->n_spans && r->spans[k].end_byte <= at) k++;
    if (open && !mark_end && k < r->n_spans && r->spans[k].start_byte <= at) {
      /* Overlapping and touching occurrences form one marked run. */
      mark_end = r->spans[k].end_byte;
      for (size_t j = k + 1; j < r->n_spans && r->spans[j].start_byte <= mark_end; j++)
        if (r->spans[j].end_byte > mark_end) mark_end = r->spans[j].end_byte;
      if (mark_end > sn.end_byte) mark_end = sn.end_byte;
      buf_str(b, open);
    }
    char c = p->text[at];
    jfts_buf_add(b, c == '\n' || c == '\t' || c == '\r' ? " " : &c, 1);
  }
  if (mark_end) buf_str(b, close);
  if (sn.cut_end) buf_str(b, "…");
  return b->rc;
}

/* Writes bytes with control characters shown as spaces (query echoes on one line). */
static void put_line_safe(FILE *fp, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    fputc(c < 0x20 || c == 0x7f ? ' ' : c, fp);
  }
}

/* The count line: with passages holding only some words (or only related topics), how many
** hold every word and how many more were found. */
static void print_totals(FILE *fp, const SearchTotals *t, const char *searched_as) {
  if (searched_as) fprintf(fp, "searched as: %s\n", searched_as);
  long more = t->n_passages - t->n_every_word;
  if (more > 0 && t->n_positive >= 2)
    fprintf(fp, "%ld passage%s with every word, %ld more with some, ", t->n_every_word,
            t->n_every_word == 1 ? "" : "s", more);
  else if (more > 0)
    fprintf(fp, "%ld passage%s with the word, %ld more through related topics, ",
            t->n_every_word, t->n_every_word == 1 ? "" : "s", more);
  else
    fprintf(fp, "%ld passage%s, ", t->n_passages, t->n_passages == 1 ? "" : "s");
  fprintf(fp, "%lld occurrence%s\n", (long long)t->n_occurrences, t->n_occurrences == 1 ? "" : "s");
}

/* After a text row's snippet: which variant or related topic found it, which words it lacks. */
static int search_row_notes(Sink *k, const SearchResult *r) {
  const MatchSpan *focus = r->n_spans ? &r->spans[r->focus] : NULL;
  const QryTerm *t = NULL;
  if (focus && focus->clause >= 0 && (size_t)focus->clause < k->parsed->n_clauses &&
      focus->term >= 0 && (size_t)focus->term < k->parsed->clauses[focus->clause].n_terms)
    t = &k->parsed->clauses[focus->clause].terms[focus->term];
  if (t && focus->variant >= (int)t->n_variants) {
    char *via = expand_via(k->parsed, focus, 1, 0);
    if (via == NULL) return JFTS_ERR_NOMEM;
    fprintf(k->fp, "  [via %s]", via);
    jfts_free(via);
  } else if (focus && focus->variant >= 0) {
    fprintf(k->fp, "  [via %s]", research_surface(k->parsed, focus));
  }
  if (r->missing) {
    char *missing = expand_missing(k->parsed, r->missing, 0);
    if (missing == NULL) return JFTS_ERR_NOMEM;
    fprintf(k->fp, "  [missing %s]", missing);
    jfts_free(missing);
  }
  return JFTS_OK;
}

static int search_row(void *ctx, const SearchResult *r) {
  Sink *k = ctx;
  const StorePassageRow *p = r->passage;
  JftsBuf snip = {NULL, 0, 0, JFTS_OK};
  int rc = JFTS_OK;
  if (k->w == NULL) {
    FILE *fp = k->fp;
    if (k->n_shown == 0) {
      print_totals(fp, r->totals, k->searched_as);
      fputc('\n', fp);
    }
    rc = render_snippet(r, k->mark_open, k->mark_close, &snip, &k->err);
    if (rc != JFTS_OK) goto cleanup;
    const char *parts[] = {p->ward, p->section_title ? p->section_title : p->section, p->heading,
                           p->label};
    fprintf(fp, "%ld.", r->rank);
    int first = 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
      if (parts[i] == NULL) continue;
      fprintf(fp, "%s%s", first ? " " : " / ", parts[i]);
      first = 0;
    }
    fprintf(fp, "  %s:%d\n   %s", p->file, r->line, snip.p ? snip.p : "");
    rc = search_row_notes(k, r);
    if (rc != JFTS_OK) goto cleanup;
    fputs("\n\n", fp);
    k->n_shown++;
    rc = ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
    goto cleanup;
  }
  rc = render_snippet(r, NULL, NULL, &snip, &k->err);
  if (rc != JFTS_OK) goto cleanup;
  JftsBuf matches = {NULL, 0, 0, JFTS_OK};
  buf_str(&matches, "[");
  for (size_t i = 0; i < r->n_spans; i++) {
    char item[64];
    int n = snprintf(item, sizeof item, "%s[%zu,%zu]", i ? "," : "", r->spans[i].start_cp,
                     r->spans[i].end_cp);
    jfts_buf_add(&matches, item, (size_t)n);
  }
  buf_str(&matches, "]");
  char *matched = research_matched_json(k->parsed, r->spans, r->n_spans);
  if (matches.rc != JFTS_OK || matched == NULL) {
    jfts_buf_free(&matches);
    jfts_free(matched);
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  char score[32];
  snprintf(score, sizeof score, "%.6g", r->score);
  if (k->with_query) out_strn(k->w, k->query, k->n_query);
  out_int(k->w, r->rank);
  out_json(k->w, score);
  out_str(k->w, p->ward);
  out_int_or_null(k->w, p->year, 0);
  out_str(k->w, p->year_label);
  out_str(k->w, p->section);
  out_str(k->w, p->section_title);
  out_str(k->w, p->heading);
  out_str(k->w, p->meeting);
  out_strn(k->w, p->text, p->n_text);
  out_str(k->w, snip.p ? snip.p : "");
  out_json(k->w, matches.p);
  out_str(k->w, p->file);
  out_int(k->w, p->line_start);
  out_int(k->w, p->line_end);
  out_json(k->w, matched);
  char *missing = expand_missing(k->parsed, r->missing, 1);
  char *via = expand_via(k->parsed, r->spans, r->n_spans, 1);
  out_json(k->w, missing ? missing : "[]");
  if (k->searched_as) out_str(k->w, k->searched_as);
  else out_null(k->w);
  out_json(k->w, via ? via : "[]");
  if (missing == NULL || via == NULL) rc = JFTS_ERR_NOMEM;
  jfts_free(missing);
  jfts_free(via);
  jfts_buf_free(&matches);
  jfts_free(matched);
  if (rc != JFTS_OK) goto cleanup;
  k->n_shown++;
  rc = row_end(k);

cleanup:
  jfts_buf_free(&snip);
  return rc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Outcome of one query. */
typedef enum QueryOutcome { QUERY_RAN, QUERY_BAD, QUERY_FAILED } QueryOutcome;

/* Parses and runs one query (bytes, any content) and writes its results. A bad query (usage
** error of the query language) is reported on stderr; prefix names the query's place. */
static QueryOutcome run_query(Store *store, const Options *o, Sink *k, const char *q, size_t n,
                              const char *prefix) {
  Query *query = NULL, *searched = NULL;
  char *err = NULL, **notes = NULL, *searched_as = NULL;
  char errbuf[64];
  size_t n_notes = 0;
  double t0 = now_ms();
  QueryOutcome outcome = QUERY_FAILED;
  int rc = research_query_new(q, n, o->ths, &query, &notes, &n_notes, &err);
  if (rc == JFTS_ERR_USAGE) {
    fprintf(stderr, PROG ": %s%s\n", prefix, err ? err : "invalid query");
    outcome = QUERY_BAD;
    goto cleanup;
  }
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s%s\n", prefix, err ? err : "out of memory");
    goto cleanup;
  }
  for (size_t i = 0; i < n_notes; i++) fprintf(stderr, PROG ": note: %s%s\n", prefix, notes[i]);

  /* The query as searched: split words, related topics (expand.h). */
  ExpandOptions eo = {.ths = o->ths, .related = o->rel};
  int split = 0;
  rc = expand_query(store, query, &eo, &searched, &split, &err);
  if (rc == JFTS_OK && split && (searched_as = qry_render(searched)) == NULL) rc = JFTS_ERR_NOMEM;
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s%s\n", prefix, jfts_error_text(rc, err, errbuf));
    goto cleanup;
  }
  SearchOptions so = {.sort = o->sort, .limit = o->limit, .offset = o->offset,
                      .filter = o->filter, .all_words = o->all_words};
  SearchTotals totals;
  k->query = q;
  k->n_query = n;
  k->parsed = searched;
  k->searched_as = searched_as;
  k->n_shown = 0;
  if (k->w == NULL && k->with_query) {
    fputs("query: ", k->fp);
    put_line_safe(k->fp, q, n);
    fputc('\n', k->fp);
  }
  rc = search_run(store, searched, &so, search_row, k, &totals, &err);
  if (rc == JFTS_OK && k->w == NULL) {
    if (k->n_shown == 0 && (k->with_query || totals.n_passages > 0)) {
      /* Nothing shown: with --queries (or past the last page) the count still says why. */
      print_totals(k->fp, &totals, k->searched_as);
      if (k->with_query) fputc('\n', k->fp);
    } else if (k->n_shown > 0 && totals.n_passages > o->offset + k->n_shown) {
      long more = totals.n_passages - o->offset - k->n_shown;
      fprintf(k->fp, "%ld more passage%s (--limit 0 shows all)\n\n", more, more == 1 ? "" : "s");
    }
  }
  if (rc == JFTS_OK && totals.n_passages == 0 && !k->with_query && isatty(STDERR_FILENO)) {
    fputs(PROG ": no passage matches\n", stderr);
  }
  if (rc == JFTS_ERR_IO) {
    fputs(PROG ": cannot write standard output\n", stderr);
    goto cleanup;
  }
  if (rc != JFTS_OK) {
    const char *msg = k->err ? k->err : err;
    fprintf(stderr, PROG ": %s\n", msg ? msg : "out of memory");
    goto cleanup;
  }
  if (k->bad_row) {
    fputs(PROG ": internal error: a row did not match its field list\n", stderr);
    goto cleanup;
  }
  outcome = QUERY_RAN;

cleanup:
  if (o->timing) {
    fprintf(stderr, PROG ": timing: %.3f ", now_ms() - t0);
    put_line_safe(stderr, q, n);
    fputc('\n', stderr);
  }
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

/* Runs every line of path ("-": stdin) as a query. Returns the exit status. */
static int run_queries(Store *store, const Options *o, Sink *k) {
  FILE *fp = strcmp(o->queries, "-") == 0 ? stdin : fopen(o->queries, "rb");
  if (fp == NULL) {
    fprintf(stderr, PROG ": cannot open '%s': %s\n", o->queries, strerror(errno));
    return EXIT_FAIL;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long lineno = 0, n_ran = 0;
  int status = EXIT_OK;
  while ((len = getline(&line, &cap, fp)) >= 0) {
    lineno++;
    size_t n = (size_t)len;
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) n--;
    if (n == 0) continue; /* blank lines separate nothing and are not queries */
    char prefix[64];
    snprintf(prefix, sizeof prefix, "line %ld: ", lineno);
    QueryOutcome out = run_query(store, o, k, line, n, prefix);
    if (out == QUERY_FAILED) {
      status = EXIT_FAIL;
      break;
    }
    n_ran += out == QUERY_RAN;
  }
  if (status == EXIT_OK && ferror(fp)) {
    fprintf(stderr, PROG ": cannot read '%s'\n", o->queries);
    status = EXIT_FAIL;
  }
  if (status == EXIT_OK && n_ran == 0) {
    fprintf(stderr, PROG ": no valid query in '%s'\n", o->queries);
    status = EXIT_USAGE;
  }
  free(line);
  if (fp != stdin) fclose(fp);
  return status;
}

/* ---- --wards, --quotes ------------------------------------------------------------------ */

/* Runs the query of o in MODE_WARDS or MODE_QUOTES. Returns the exit status. */
static int run_research(Store *store, const Options *o, const char *mark_open,
                        const char *mark_close) {
  Query *query = NULL;
  char *err = NULL, **notes = NULL;
  size_t n_notes = 0;
  int status = EXIT_FAIL;
  int rc = research_query_new(o->query, strlen(o->query), o->ths, &query, &notes, &n_notes, &err);
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
    status = rc == JFTS_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
    goto cleanup;
  }
  for (size_t i = 0; i < n_notes; i++) fprintf(stderr, PROG ": note: %s\n", notes[i]);
  ResearchOptions ro = {.format = o->format, .filter = o->filter, .hl_on = mark_open,
                        .hl_off = mark_close, .n_context = (size_t)o->context,
                        .sort = o->kwic_sort};
  rc = o->mode == MODE_WARDS ? research_wards(store, query, &ro, stdout, NULL, &err)
                             : research_quotes(store, query, &ro, stdout, NULL, &err);
  if (rc == JFTS_ERR_IO) fputs(PROG ": cannot write standard output\n", stderr);
  else if (rc != JFTS_OK) fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
  else status = EXIT_OK;

cleanup:
  ths_warnings_free(notes, n_notes);
  qry_free(query);
  jfts_free(err);
  return status;
}

/* ---- main -------------------------------------------------------------------------------- */

/* Loads the related-topics file (--related, $JFTS_RELATED or the shipped one) into *out, as
** the thesaurus is loaded. Returns the exit status: a file the user named that cannot be used
** is a usage error, the shipped one missing a broken installation. */
static int load_related(const Options *o, Thesaurus **out) {
  char *err = NULL, errbuf[64];
  const char *env = getenv("JFTS_RELATED");
  int named = o->related || (env && env[0]);
  int rc = ths_load(o->related ? o->related : ths_default_related_path(), out, &err);
  if (rc != JFTS_OK)
    fprintf(stderr, PROG ": %s%s\n", jfts_error_text(rc, err, errbuf),
            named ? "" : " (--no-related searches without related topics)");
  jfts_free(err);
  if (rc == JFTS_OK) return EXIT_OK;
  return named && rc != JFTS_ERR_NOMEM ? EXIT_USAGE : EXIT_FAIL;
}

static int parse_args(int argc, char **argv, Options *o, int *exit_now) {
  enum {
    OPT_DB = 256,
    OPT_DOCUMENTS,
    OPT_MEETINGS,
    OPT_WARD,
    OPT_LIMIT,
    OPT_OFFSET,
    OPT_SORT,
    OPT_FORMAT,
    OPT_HIGHLIGHT,
    OPT_NO_COLOR,
    OPT_QUERIES,
    OPT_TIMING,
    OPT_WARDS,
    OPT_QUOTES,
    OPT_SECTION,
    OPT_MEETING,
    OPT_YEAR,
    OPT_EXACT,
    OPT_THESAURUS,
    OPT_CONTEXT,
    OPT_ALL_WORDS,
    OPT_NO_RELATED,
    OPT_RELATED,
    OPT_VERSION
  };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, OPT_DB},
      {"documents", no_argument, NULL, OPT_DOCUMENTS},
      {"meetings", no_argument, NULL, OPT_MEETINGS},
      {"ward", required_argument, NULL, OPT_WARD},
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
  int c;
  char *end;
  *exit_now = 0;
  argv[0] = (char *)PROG; /* getopt's own messages name the program by argv[0] */
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_DB: o->db = optarg; break;
      case OPT_DOCUMENTS:
      case OPT_MEETINGS:
      case OPT_WARDS:
      case OPT_QUOTES: {
        Mode m = c == OPT_DOCUMENTS  ? MODE_DOCUMENTS
                 : c == OPT_MEETINGS ? MODE_MEETINGS
                 : c == OPT_WARDS    ? MODE_WARDS
                                     : MODE_QUOTES;
        if (o->mode != MODE_SEARCH && o->mode != m)
          return usage_error("--documents, --meetings, --wards and --quotes exclude each other%s",
                             "");
        o->mode = m;
        break;
      }
      case OPT_WARD:
        if (report_canonical_ward(optarg) == NULL) {
          fprintf(stderr, PROG ": unknown ward '%s' (valid: %s)\n", optarg, WARDS);
          return EXIT_USAGE;
        }
        if (o->n_wards == RESEARCH_MAX_WARDS)
          return usage_error("too many --ward options (at most %d)", "16");
        o->wards[o->n_wards++] = optarg;
        break;
      case OPT_SECTION: o->section = optarg; break;
      case OPT_MEETING: o->meeting = optarg; break;
      case OPT_YEAR: {
        int year;
        char *msg = NULL;
        if (research_parse_year(optarg, &year, &msg) != JFTS_OK) {
          fprintf(stderr, PROG ": %s\n", msg ? msg : "out of memory");
          jfts_free(msg);
          return msg ? EXIT_USAGE : EXIT_FAIL;
        }
        o->year = optarg;
        break;
      }
      case OPT_EXACT: o->exact = 1; break;
      case OPT_THESAURUS: o->thesaurus = optarg; break;
      case OPT_ALL_WORDS: o->all_words = 1; break;
      case OPT_NO_RELATED: o->no_related = 1; break;
      case OPT_RELATED: o->related = optarg; break;
      case OPT_CONTEXT: {
        long v = strtol(optarg, &end, 10);
        if (optarg[0] == '\0' || *end != '\0' || v < 1 || v > 1000)
          return usage_error("--context needs a number from 1 to 1000, not '%s'", optarg);
        o->context = v;
        break;
      }
      case OPT_LIMIT:
      case OPT_OFFSET: {
        long v = strtol(optarg, &end, 10);
        if (optarg[0] == '\0' || *end != '\0' || v < 0)
          return usage_error(c == OPT_LIMIT ? "--limit needs a number >= 0, not '%s'"
                                            : "--offset needs a number >= 0, not '%s'",
                             optarg);
        if (c == OPT_LIMIT) o->limit = v;
        else o->offset = v;
        break;
      }
      case OPT_SORT: o->sort_name = optarg; break; /* its meaning depends on the mode */
      case OPT_FORMAT:
        if (out_parse_format(optarg, &o->format) != JFTS_OK)
          return usage_error("unknown format '%s' (valid: text, json, csv, tsv)", optarg);
        break;
      case OPT_HIGHLIGHT: {
        const char *comma = strchr(optarg, ',');
        if (comma == NULL)
          return usage_error("--highlight needs OPEN,CLOSE (e.g. '[,]'), not '%s'", optarg);
        free(o->mark_open);
        free(o->mark_close);
        o->mark_open = strndup(optarg, (size_t)(comma - optarg));
        o->mark_close = strdup(comma + 1);
        if (o->mark_open == NULL || o->mark_close == NULL) {
          fputs(PROG ": out of memory\n", stderr);
          return EXIT_FAIL;
        }
        break;
      }
      case OPT_NO_COLOR: o->no_color = 1; break;
      case OPT_QUERIES: o->queries = optarg; break;
      case OPT_TIMING: o->timing = 1; break;
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
  if (o->exact && o->thesaurus)
    return usage_error("--exact and --thesaurus exclude each other%s", "");
  if ((o->exact || o->no_related) && o->related)
    return usage_error("--related excludes --exact and --no-related%s", "");
  if (o->mode == MODE_QUOTES) {
    char *msg = NULL;
    if (o->sort_name && kwic_parse_sort(o->sort_name, &o->kwic_sort, &msg) != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", msg ? msg : "out of memory");
      jfts_free(msg);
      return msg ? EXIT_USAGE : EXIT_FAIL;
    }
  } else if (o->sort_name) {
    if (o->mode == MODE_WARDS || o->mode == MODE_DOCUMENTS || o->mode == MODE_MEETINGS)
      return usage_error("--sort is for searching and --quotes ('%s')", o->sort_name);
    if (strcmp(o->sort_name, "rank") == 0) o->sort = SEARCH_SORT_RANK;
    else if (strcmp(o->sort_name, "doc") == 0) o->sort = SEARCH_SORT_DOC;
    else return usage_error("unknown sort order '%s' (valid: rank, doc)", o->sort_name);
  }
  if (o->context && o->mode != MODE_QUOTES) return usage_error("--context is for --quotes%s", "");
  if (o->mode == MODE_DOCUMENTS || o->mode == MODE_MEETINGS) {
    if (optind < argc)
      return usage_error("--documents and --meetings take no QUERY ('%s')", argv[optind]);
    if (o->queries) return usage_error("--queries is for searching, not listing%s", "");
    if (o->n_wards > 1 || o->section || o->meeting || o->year)
      return usage_error("--documents and --meetings take one --ward and no other filter%s", "");
    return EXIT_OK;
  }
  if (o->queries && o->mode != MODE_SEARCH)
    return usage_error("--queries is for searching, not --wards or --quotes%s", "");
  if (o->queries) {
    if (optind < argc)
      return usage_error("give either QUERY or --queries, not both ('%s')", argv[optind]);
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
  return EXIT_OK;
}

int main(int argc, char **argv) {
  /* No setlocale(): arguments are bytes (UTF-8) whatever the locale says. */
  Options o = {.db = "jfts.db", .mode = MODE_SEARCH, .format = OUT_TEXT, .limit = DEFAULT_LIMIT};
  Store *store = NULL;
  ResearchFilter *filter = NULL;
  Thesaurus *ths = NULL, *rel = NULL;
  char *err = NULL;
  Sink sink = {.fp = stdout};
  int exit_now = 0, reading = 0;
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
  /* One snapshot for the whole run: the filter's values, the ranking data search_prepare
  ** caches and every query then read the same index, also while jfts-index replaces it
  ** (WAL: readers do not block the writer). */
  rc = store_read_begin(store, &reading, &err);
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
    goto cleanup;
  }

  if (o.mode != MODE_DOCUMENTS && o.mode != MODE_MEETINGS) {
    ResearchFilterArgs fa = {.wards = o.wards, .n_wards = o.n_wards, .section = o.section,
                             .meeting = o.meeting, .year = o.year};
    rc = research_filter_new(store, &fa, &filter, &err);
    if (rc == JFTS_ERR_USAGE) {
      status = usage_error("%s", err);
      goto cleanup;
    }
    if (rc != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
      goto cleanup;
    }
    o.filter = research_filter_get(filter);
    /* Every query mode expands with the thesaurus unless --exact: variants rank below the
    ** user's own words (search.h), so expansion only adds. */
    if (!o.exact) {
      /* A file the user named (option or $JFTS_THESAURUS) is a usage error; the shipped one
      ** missing is a broken installation. */
      const char *env = getenv("JFTS_THESAURUS");
      int named = o.thesaurus || (env && env[0]);
      rc = ths_load(o.thesaurus ? o.thesaurus : ths_default_path(), &ths, &err);
      if (rc != JFTS_OK) {
        fprintf(stderr, PROG ": %s%s\n", err ? err : "out of memory",
                named ? "" : " (--exact searches without the thesaurus)");
        status = named && rc != JFTS_ERR_NOMEM ? EXIT_USAGE : EXIT_FAIL;
        goto cleanup;
      }
      o.ths = ths;
    }
    /* The related-topics layer (search mode only: --wards and --quotes count literal
    ** occurrences). */
    if (!o.exact && !o.no_related && o.mode == MODE_SEARCH) {
      status = load_related(&o, &rel);
      if (status != EXIT_OK) goto cleanup;
      status = EXIT_FAIL;
      o.rel = rel;
    }
    if (o.format != OUT_TEXT) {
    } else if (o.mark_open) {
      sink.mark_open = o.mark_open;
      sink.mark_close = o.mark_close;
    } else if (!o.no_color && out_want_color(stdout)) {
      sink.mark_open = COLOR_OPEN;
      sink.mark_close = COLOR_CLOSE;
    } else {
      sink.mark_open = "«";
      sink.mark_close = "»";
    }
  }
  if (o.mode == MODE_WARDS || o.mode == MODE_QUOTES) {
    status = run_research(store, &o, sink.mark_open, sink.mark_close);
    goto cleanup;
  }

  if (o.mode == MODE_SEARCH) {
    sink.with_query = o.queries != NULL;
    const char *const *fields = sink.with_query ? SEARCH_FIELDS : SEARCH_FIELDS + 1;
    size_t n_fields = sink.with_query ? N_SEARCH_FIELDS : N_SEARCH_FIELDS - 1;
    if (o.format != OUT_TEXT) rc = out_open(stdout, o.format, fields, n_fields, &sink.w, &err);
    /* Once, outside the per-query timing: per-passage lengths, ICU's dictionaries. */
    double t0 = now_ms();
    if (rc == JFTS_OK) rc = search_prepare(store, &err);
    if (rc == JFTS_OK && o.timing) fprintf(stderr, PROG ": load: %.3f\n", now_ms() - t0);
    if (rc != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
      goto cleanup;
    }
    if (o.queries) {
      status = run_queries(store, &o, &sink);
    } else {
      QueryOutcome out = run_query(store, &o, &sink, o.query, strlen(o.query), "");
      status = out == QUERY_RAN ? EXIT_OK : out == QUERY_BAD ? EXIT_USAGE : EXIT_FAIL;
    }
    goto cleanup;
  }

  const char *const *fields = o.mode == MODE_DOCUMENTS ? DOC_FIELDS : MEETING_FIELDS;
  size_t n_fields = o.mode == MODE_DOCUMENTS ? sizeof DOC_FIELDS / sizeof DOC_FIELDS[0]
                                             : sizeof MEETING_FIELDS / sizeof MEETING_FIELDS[0];
  if (o.format != OUT_TEXT) rc = out_open(stdout, o.format, fields, n_fields, &sink.w, &err);
  const char *ward = o.n_wards ? report_canonical_ward(o.wards[0]) : NULL;
  if (rc == JFTS_OK && o.mode == MODE_DOCUMENTS) {
    rc = store_list_documents(store, ward, doc_row, &sink, &err);
  } else if (rc == JFTS_OK) {
    rc = store_list_meetings(store, ward, meeting_row, &sink, &err);
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
  research_filter_free(filter);
  ths_free(ths);
  ths_free(rel);
  if (store) store_read_end(store, reading);
  store_close(store);
  jfts_free(err);
  free(o.query);
  free(o.mark_open);
  free(o.mark_close);
  /* Data went to stdout: a full disk or closed pipe must not look like success. */
  if (fclose(stdout) != 0 && status == EXIT_OK) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    status = EXIT_FAIL;
  }
  return status;
}
