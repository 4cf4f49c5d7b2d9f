/* Tests of the research module (query/research_*.c) on the bundled corpus, indexed with the real
** report parser: --wards rows (every ward present, 泉区 found only through the thesaurus,
** no-hit wards kept), --quotes (the five 8050問題 quotes, each an exact slice of its passage,
** with their lines; CSV with BOM; thesaurus on and off), filters as users type them, and
** year parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_index.h"
#include "test_util.h"
#include "decode.h"
#include "jfts_common.h"
#include "report.h"
#include "research.h"
#include "search.h"
#include "store.h"
#include "thesaurus.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

typedef struct Fx {
  char db_path[64];
  Store *s;
  Thesaurus *ths;
} Fx;

static void index_file(Store *s, const char *path) {
  /* Indexed under its absolute path, so that quotes can look up its metadata. */
  StoreFile as = {.path = path, .realpath = path, .title = "R3 取組状況", .source = "仙台市 PDF",
                  .year = 2021};
  test_store_file(s, path, &as);
}

/* A new database at db_path (n bytes: a new name from test_temp_db) holding the corpus, and
** also the untagged fixture plain.txt when with_untagged. */
static void index_corpus(char *db_path, size_t n, int with_untagged) {
  test_temp_db(db_path, n, "research");
  Store *s = NULL;
  assert_int_equal(store_open(db_path, STORE_WRITE, &s, NULL), JFTS_OK);
  assert_int_equal(store_begin(s, NULL), JFTS_OK);
  index_file(s, CORPUS_FILE);
  if (with_untagged) index_file(s, JFTS_TESTDATA "/report/plain.txt");
  assert_int_equal(store_commit(s, NULL), JFTS_OK);
  store_close(s);
}

static int setup(void **state) {
  Fx *fx = calloc(1, sizeof *fx);
  assert_non_null(fx);
  index_corpus(fx->db_path, sizeof fx->db_path, 0);
  assert_int_equal(store_open(fx->db_path, STORE_READ, &fx->s, NULL), JFTS_OK);
  /* Loaded once per store: not to be counted as a leak of the first run. */
  assert_int_equal(store_search_prepare(fx->s, NULL), JFTS_OK);
  char *err = NULL;
  int rc = ths_load(JFTS_DEFAULT_THESAURUS, &fx->ths, &err);
  if (rc != JFTS_OK) fail_msg("ths_load: %s", err ? err : "?");
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  Fx *fx = *state;
  store_close(fx->s);
  ths_free(fx->ths);
  unlink(fx->db_path);
  free(fx);
  return 0;
}

/* ---- running a mode into a string -------------------------------------------------------- */

typedef enum Mode { WARDS, QUOTES } Mode;

typedef struct Run {
  const char *query;
  int exact;            /* 1: no thesaurus */
  OutFormat format;
  const char *ward, *section, *meeting, *year;
  KwicSort sort;
} Run;

/* Runs the mode; returns its output (malloc'ed) and fails the test on any error. */
static char *run(Fx *fx, const Run *r, Mode mode, ResearchTotals *totals) {
  Query *q = NULL;
  ResearchFilter *f = NULL;
  char *err = NULL, *buf = NULL;
  size_t n = 0;
  long live = jfts_alloc_live();
  int rc = research_query_new(r->query, strlen(r->query), r->exact ? NULL : fx->ths, &q, NULL,
                              NULL, &err);
  if (rc != JFTS_OK) fail_msg("research_query_new(%s): %s", r->query, err ? err : "?");
  const char *wards[1] = {r->ward};
  ResearchFilterArgs fa = {.wards = wards, .n_wards = r->ward ? 1 : 0, .section = r->section,
                           .meeting = r->meeting, .year = r->year};
  rc = research_filter_new(fx->s, &fa, &f, &err);
  if (rc != JFTS_OK) fail_msg("research_filter_new(%s): %s", r->query, err ? err : "?");
  ResearchOptions opt = {.format = r->format, .filter = research_filter_get(f), .sort = r->sort};
  FILE *mem = open_memstream(&buf, &n);
  assert_non_null(mem);
  rc = mode == WARDS ? research_wards(fx->s, q, &opt, mem, totals, &err)
                     : research_quotes(fx->s, q, &opt, mem, totals, &err);
  fclose(mem);
  if (rc != JFTS_OK) fail_msg("research mode (%s) = %d: %s", r->query, rc, err ? err : "?");
  research_filter_free(f);
  qry_free(q);
  jfts_free(err);
  if (jfts_alloc_live() != live)
    fail_msg("research mode (%s) leaked %ld allocations", r->query, jfts_alloc_live() - live);
  return buf;
}

/* TSV field i of line (0-based) unescaped into out; returns 0 when the line has fewer. */
static int tsv_field(const char *line, int i, char *out, size_t cap) {
  const char *p = line;
  for (int k = 0; k < i; k++) {
    p = strchr(p, '\t');
    if (p == NULL) return 0;
    p++;
  }
  size_t n = 0;
  for (; *p && *p != '\t' && *p != '\n' && n + 1 < cap; p++) {
    char c = *p;
    if (c == '\\' && p[1]) {
      p++;
      c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
    }
    out[n++] = c;
  }
  out[n] = '\0';
  return 1;
}

/* Lines of s (after the header when skip_header) as an array of pointers into a copy. */
static size_t split_lines(char *s, char **lines, size_t cap) {
  size_t n = 0;
  for (char *p = strtok(s, "\n"); p && n < cap; p = strtok(NULL, "\n")) lines[n++] = p;
  return n;
}

/* ---- --wards ----------------------------------------------------------------------------- */

/* "ward:passages:occurrences:matched" per TSV row, "|"-joined; matched from best's JSON. */
static void wards_summary(char *tsv, char *out, size_t cap) {
  char *lines[16] = {0};
  size_t n = split_lines(tsv, lines, 16);
  out[0] = '\0';
  for (size_t i = 1; i < n; i++) {
    char ward[64], pass[16], occ[16], best[8192];
    assert_true(tsv_field(lines[i], 0, ward, sizeof ward));
    assert_true(tsv_field(lines[i], 3, pass, sizeof pass));
    assert_true(tsv_field(lines[i], 4, occ, sizeof occ));
    assert_true(tsv_field(lines[i], 5, best, sizeof best));
    const char *m = strstr(best, "\"matched\":[");
    char matched[256] = "-";
    if (m) {
      m += strlen("\"matched\":[");
      size_t k = 0;
      while (m[k] && m[k] != ']' && k + 1 < sizeof matched) k++;
      snprintf(matched, sizeof matched, "%.*s", (int)k, m);
    }
    size_t len = strlen(out);
    snprintf(out + len, cap - len, "%s%s:%s:%s:%s", i > 1 ? "|" : "", ward, pass, occ, matched);
  }
}

static void test_wards_online(void **state) {
  Fx *fx = *state;
  char got[2048];
  Run r = {.query = "オンライン", .format = OUT_TSV};
  char *out = run(fx, &r, WARDS, NULL);
  wards_summary(out, got, sizeof got);
  free(out);
  /* Five wards; 泉区 only through its own wording (Web 開催, リモート, ハイブリット). */
  assert_non_null(strstr(got, "青葉区:"));
  assert_non_null(strstr(got, "宮城野区:"));
  assert_non_null(strstr(got, "若林区:"));
  assert_non_null(strstr(got, "太白区:"));
  char izumi[256];
  const char *at = strstr(got, "泉区:");
  assert_non_null(at);
  snprintf(izumi, sizeof izumi, "%.*s", (int)strcspn(at, "|"), at);
  if (strncmp(izumi, "泉区:0:", strlen("泉区:0:")) == 0 || strstr(izumi, "\"オンライン\""))
    fail_msg("泉区 should match through a variant only: %s", got);

  Run exact = {.query = "オンライン", .exact = 1, .format = OUT_TSV};
  out = run(fx, &exact, WARDS, NULL);
  wards_summary(out, got, sizeof got);
  free(out);
  /* Without the thesaurus 泉区 has no hit, and its row is still there, last. */
  const char *last = strrchr(got, '|');
  assert_non_null(last);
  assert_string_equal(last, "|泉区:0:0:-");
}

static void test_wards_rare_and_text(void **state) {
  Fx *fx = *state;
  char got[2048];
  ResearchTotals t;
  Run r = {.query = "8050問題", .exact = 1, .format = OUT_TSV};
  char *out = run(fx, &r, WARDS, &t);
  wards_summary(out, got, sizeof got);
  free(out);
  assert_string_equal(got, "若林区:4:4:\"8050問題\"|宮城野区:1:1:\"8050問題\"|青葉区:0:0:-|"
                           "太白区:0:0:-|泉区:0:0:-");
  assert_int_equal(t.n_rows, 5);
  assert_int_equal(t.n_occurrences, 5);

  /* The shipped thesaurus has no variant of 8050問題 (8050世帯 is a related topic, not a
  ** spelling): the same five occurrences. */
  Run ths = {.query = "8050問題", .format = OUT_TSV};
  out = run(fx, &ths, WARDS, &t);
  wards_summary(out, got, sizeof got);
  free(out);
  assert_string_equal(got, "若林区:4:4:\"8050問題\"|宮城野区:1:1:\"8050問題\"|青葉区:0:0:-|"
                           "太白区:0:0:-|泉区:0:0:-");
  Run q = {.query = "8050問題", .format = OUT_TSV};
  out = run(fx, &q, QUOTES, &t);
  free(out);
  assert_int_equal(t.n_rows, 5);

  /* Text: aligned, file:line of the shown occurrence, the match marked. */
  Run text = {.query = "8050問題", .exact = 1, .format = OUT_TEXT};
  out = run(fx, &text, WARDS, NULL);
  char *lines[8] = {0};
  size_t n = split_lines(out, lines, 8);
  assert_int_equal(n, 5);
  assert_string_equal(lines[0], "若林区   令和3年度  4 passages  4 occurrences  " CORPUS_FILE
                                ":473  また、全体協議会（IGASU会議）でも、«8050問題»をテーマとし、…");
  if (strstr(lines[1], "宮城野区 令和3年度  1 passage   1 occurrence   " CORPUS_FILE ":317  …«8050 問題»、") != lines[1])
    fail_msg("second row: %s", lines[1]);
  assert_string_equal(lines[4], "泉区     令和3年度  0 passages  0 occurrences  -");
  free(out);
}

/* Untagged text (a file outside the ward template) is one row with ward null; a ward filter
** leaves it out. */
static void test_wards_untagged(void **state) {
  Fx *fx = *state;
  Fx other = {.ths = fx->ths};
  index_corpus(other.db_path, sizeof other.db_path, 1);
  assert_int_equal(store_open(other.db_path, STORE_READ, &other.s, NULL), JFTS_OK);
  assert_int_equal(store_search_prepare(other.s, NULL), JFTS_OK);
  char got[2048];
  Run r = {.query = "センターとの連携", .exact = 1, .format = OUT_TSV};
  char *out = run(&other, &r, WARDS, NULL);
  wards_summary(out, got, sizeof got);
  free(out);
  assert_string_equal(got, ":1:1:\"センターとの連携\"|青葉区:0:0:-|宮城野区:0:0:-|若林区:0:0:-|"
                           "太白区:0:0:-|泉区:0:0:-");
  Run w = {.query = "センターとの連携", .exact = 1, .format = OUT_TSV, .ward = "泉"};
  out = run(&other, &w, WARDS, NULL);
  wards_summary(out, got, sizeof got);
  free(out);
  assert_string_equal(got, "泉区:0:0:-");
  store_close(other.s);
  unlink(other.db_path);
}

/* ---- --quotes ---------------------------------------------------------------------------- */

typedef struct Texts {
  char **texts;
  size_t n;
} Texts;

static int collect_text(void *ctx, const SearchResult *res) {
  Texts *t = ctx;
  t->texts = realloc(t->texts, (t->n + 1) * sizeof *t->texts);
  assert_non_null(t->texts);
  t->texts[t->n] = strndup(res->passage->text, res->passage->n_text);
  assert_non_null(t->texts[t->n]);
  t->n++;
  return JFTS_OK;
}

static void test_quotes_8050(void **state) {
  Fx *fx = *state;
  Run r = {.query = "8050問題", .exact = 1, .format = OUT_TSV};
  char *out = run(fx, &r, QUOTES, NULL);
  /* Every matching passage text, to check that each quote is a slice of one of them. */
  Query *q = NULL;
  assert_int_equal(research_query_new("8050問題", strlen("8050問題"), fx->ths, &q, NULL, NULL,
                                      NULL),
                   JFTS_OK);
  Texts texts = {NULL, 0};
  SearchOptions so = {.sort = SEARCH_SORT_DOC};
  assert_int_equal(search_run(fx->s, q, &so, collect_text, &texts, NULL, NULL), JFTS_OK);
  qry_free(q);

  char *lines[16] = {0};
  size_t n = split_lines(out, lines, 16);
  assert_int_equal(n, 6);
  assert_string_equal(lines[0], "ward\tyear\tyear_label\tsection\tsection_title\theading\tmeeting\t"
                                "left\tmatch\tright\tmatched\tfile\tline\ttitle\tsource\tpage\t"
                                "column\torg\tlocal_name\tdoc_title\tkind\theading_path\tfield");
  char got[2048] = "";
  for (size_t i = 1; i < n; i++) {
    char left[4096], match[256], right[4096], matched[256], line[16], ward[64], title[64],
        source[64], quote[8500];
    assert_true(tsv_field(lines[i], 0, ward, sizeof ward));
    assert_true(tsv_field(lines[i], 7, left, sizeof left));
    assert_true(tsv_field(lines[i], 8, match, sizeof match));
    assert_true(tsv_field(lines[i], 9, right, sizeof right));
    assert_true(tsv_field(lines[i], 10, matched, sizeof matched));
    assert_true(tsv_field(lines[i], 12, line, sizeof line));
    assert_true(tsv_field(lines[i], 13, title, sizeof title));
    assert_true(tsv_field(lines[i], 14, source, sizeof source));
    snprintf(quote, sizeof quote, "%s%s%s", left, match, right);
    int found = 0;
    for (size_t k = 0; k < texts.n && !found; k++) found = strstr(texts.texts[k], quote) != NULL;
    if (!found) fail_msg("quote %zu is not a slice of a passage: %s", i, quote);
    if (strcmp(title, "R3 取組状況") != 0 || strcmp(source, "仙台市 PDF") != 0)
      fail_msg("quote %zu: title '%s', source '%s'", i, title, source);
    size_t len = strlen(got);
    snprintf(got + len, sizeof got - len, "%s%s:%s:%s=%s", i > 1 ? "|" : "", ward, line, match,
             matched);
  }
  assert_string_equal(got, "宮城野区:317:8050 問題=8050問題|若林区:368:8050問題=8050問題|"
                           "若林区:467:8050 問題=8050問題|若林区:473:8050問題=8050問題|"
                           "若林区:509:8050 問題=8050問題");
  for (size_t k = 0; k < texts.n; k++) free(texts.texts[k]);
  free(texts.texts);
  free(out);
}

static void test_quotes_csv(void **state) {
  Fx *fx = *state;
  Run r = {.query = "8050問題", .exact = 1, .format = OUT_CSV};
  char *out = run(fx, &r, QUOTES, NULL);
  assert_memory_equal(out, "\xEF\xBB\xBF" "ward,year,", strlen("\xEF\xBB\xBF" "ward,year,"));
  /* Records end in CRLF; a match across a line break is quoted and holds a bare LF. */
  size_t n_records = 0;
  for (const char *p = out; (p = strstr(p, "\r\n")) != NULL; p += 2) n_records++;
  assert_int_equal(n_records, 6);
  free(out);
}

static void test_quotes_thesaurus(void **state) {
  Fx *fx = *state;
  ResearchTotals with, without;
  Run r = {.query = "ウイルス", .format = OUT_TEXT};
  char *out = run(fx, &r, QUOTES, &with);
  /* The 泉区 spelling comes only through the thesaurus, and says so. */
  if (strstr(out, "«ウィルス»") == NULL || strstr(out, "[via ウィルス]") == NULL)
    fail_msg("no variant quote in:\n%s", out);
  free(out);
  Run exact = {.query = "ウイルス", .exact = 1, .format = OUT_TEXT};
  out = run(fx, &exact, QUOTES, &without);
  if (strstr(out, "ウィルス") != NULL) fail_msg("variant quoted without thesaurus:\n%s", out);
  free(out);
  assert_true(without.n_rows > 0);
  assert_true(with.n_rows > without.n_rows);
}

static void test_quotes_sorted_and_filtered(void **state) {
  Fx *fx = *state;
  ResearchTotals all, some;
  Run r = {.query = "課題", .format = OUT_TSV};
  char *out = run(fx, &r, QUOTES, &all);
  free(out);
  Run f = {.query = "課題", .format = OUT_TSV, .ward = "若林", .section = "課題（"};
  out = run(fx, &f, QUOTES, &some);
  assert_true(some.n_rows > 0 && some.n_rows < all.n_rows);
  char *lines[256] = {0};
  size_t n = split_lines(out, lines, 256);
  assert_int_equal((long)n - 1, some.n_rows);
  for (size_t i = 1; i < n; i++) {
    char ward[64], section[16];
    assert_true(tsv_field(lines[i], 0, ward, sizeof ward));
    assert_true(tsv_field(lines[i], 3, section, sizeof section));
    if (strcmp(ward, "若林区") != 0 || strcmp(section, "2") != 0)
      fail_msg("row %zu outside the filter: %s %s", i, ward, section);
  }
  free(out);
  /* Right sort: the right contexts are in collation order, the 5 quotes all kept. */
  Run rs = {.query = "8050問題", .exact = 1, .format = OUT_TSV, .sort = KWIC_SORT_RIGHT};
  ResearchTotals t;
  out = run(fx, &rs, QUOTES, &t);
  assert_int_equal(t.n_rows, 5);
  free(out);
  /* A meeting filter by a part of the ward's own name. */
  Run m = {.query = "8050問題", .exact = 1, .format = OUT_TSV, .meeting = "igasu"};
  out = run(fx, &m, WARDS, &t);
  assert_int_equal(t.n_rows, 5);
  assert_true(t.n_passages >= 1 && t.n_passages < 5);
  free(out);
}

/* Appends v to list (",a,b,") unless it is there or empty. */
static void add_distinct(char *list, size_t cap, const char *v) {
  char item[300];
  snprintf(item, sizeof item, ",%s,", v);
  if (v[0] == '\0' || strstr(list, item) != NULL) return;
  size_t len = strlen(list);
  snprintf(list + len, cap - len, "%s,", v);
}

/* Substring filters in both modes: --meeting 会議 (every meeting type or local name holding
** it: not the single one the old exact filter wanted) and --section 取組 (sections 1 and 3);
** --wards counts exactly what --quotes quotes. */
static void test_substring_filters(void **state) {
  Fx *fx = *state;
  static const struct {
    const char *name, *section, *meeting, *expect;
  } cases[] = {
      /* 全体協議会 through its local names IGASU会議 and 青葉区高齢者障害者地域会議. */
      {"meeting part", NULL, "会議", "sections=table meetings=障害者相談支援事業所等連絡会議,"
                                     "実務者ネットワーク会議,運営会議,全体協議会"},
      {"meeting local name", NULL, "IGASU", "sections=table meetings=全体協議会"},
      {"section title part", "取組", NULL, "sections=1,3 meetings="},
      {"section number", "2", NULL, "sections=2 meetings="},
  };
  ResearchTotals all;
  Run r0 = {.query = "開催", .format = OUT_TSV};
  free(run(fx, &r0, QUOTES, &all));
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ResearchTotals q, w;
    Run r = {.query = "開催", .format = OUT_TSV, .section = cases[i].section,
             .meeting = cases[i].meeting};
    char *out = run(fx, &r, QUOTES, &q);
    free(run(fx, &r, WARDS, &w));
    if (q.n_rows == 0 || q.n_rows >= all.n_rows || w.n_occurrences != q.n_rows ||
        w.n_passages != q.n_passages)
      fail_msg("case '%s': %ld quotes of %ld in %ld passages, --wards %ld in %ld", cases[i].name,
               q.n_rows, all.n_rows, q.n_passages, w.n_occurrences, w.n_passages);
    /* The distinct sections and meetings quoted, in document order. */
    char *lines[512] = {0}, sections[256] = ",", meetings[1024] = ",";
    size_t n = split_lines(out, lines, 512);
    for (size_t k = 1; k < n; k++) {
      char section[16], meeting[256];
      assert_true(tsv_field(lines[k], 3, section, sizeof section));
      assert_true(tsv_field(lines[k], 6, meeting, sizeof meeting));
      add_distinct(sections, sizeof sections, section);
      add_distinct(meetings, sizeof meetings, meeting);
    }
    free(out);
    /* ",a,b," as "a,b" */
    size_t ls = strlen(sections), lm = strlen(meetings);
    char got[1400];
    snprintf(got, sizeof got, "sections=%.*s meetings=%.*s", (int)(ls > 1 ? ls - 2 : 0),
             sections + 1, (int)(lm > 1 ? lm - 2 : 0), meetings + 1);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
  }
}

/* ---- filters and years ------------------------------------------------------------------- */

static void test_filter_resolution(void **state) {
  Fx *fx = *state;
  static const struct {
    const char *name, *ward, *section, *meeting, *year, *expect;
  } cases[] = {
      {"ward short", "青葉", NULL, NULL, NULL, "青葉区|-|-|-|0"},
      {"ward full", "泉区", NULL, NULL, NULL, "泉区|-|-|-|0"},
      {"section number", NULL, "2", NULL, NULL, "|2|-|-|0"},
      {"section table", NULL, "table", NULL, NULL, "|table|-|-|0"},
      {"section title part", NULL, "次年度", NULL, NULL, "|-|次年度|-|0"},
      {"title of two sections", NULL, "取組", NULL, NULL, "|-|取組|-|0"},
      {"meeting exact", NULL, NULL, "全体協議会", NULL, "|-|-|全体協議会|0"},
      {"meeting part, case", NULL, NULL, "igasu", NULL, "|-|-|igasu|0"},
      {"meeting of several", NULL, NULL, "会議", NULL, "|-|-|会議|0"},
      {"year era", NULL, NULL, NULL, "令和3年度", "|-|-|-|2021"},
      {"ward unknown", "中央", NULL, NULL, NULL,
       "E:unknown ward '中央' (valid: 青葉区, 宮城野区, 若林区, 太白区, 泉区)"},
      {"section unknown", NULL, "予算", NULL, NULL,
       "E:unknown section '予算' (valid: table 実施状況, 1 今年度の主な取組み, 2 現状における課題"
       "（地域ニーズや課題、協議会運営上の課題など）, 3 課題に対する次年度以降の取組予定)"},
      {"section number unknown", NULL, "4", NULL, NULL, "E:unknown section '4' (valid: "},
      {"meeting unknown", NULL, NULL, "総会", NULL, "E:unknown meeting '総会' (valid: "},
      {"year bad", NULL, NULL, NULL, "令和", "E:unknown year '令和': expected e.g. 令和3年度 or 2021"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *wards[1] = {cases[i].ward};
    ResearchFilterArgs a = {.wards = wards, .n_wards = cases[i].ward ? 1 : 0,
                            .section = cases[i].section, .meeting = cases[i].meeting,
                            .year = cases[i].year};
    ResearchFilter *f = NULL;
    char *err = NULL, got[1024];
    int rc = research_filter_new(fx->s, &a, &f, &err);
    if (rc == JFTS_OK) {
      const StoreFilter *sf = research_filter_get(f);
      assert_non_null(sf);
      snprintf(got, sizeof got, "%s|%s|%s|%s|%d", sf->n_wards ? sf->wards[0] : "",
               sf->n_sections ? sf->sections[0] : "-",
               sf->section_title ? sf->section_title : "-", sf->meeting ? sf->meeting : "-",
               sf->year);
    } else {
      assert_int_equal(rc, JFTS_ERR_USAGE);
      assert_null(f);
      snprintf(got, sizeof got, "E:%s", err ? err : "?");
      /* Long lists of valid values are checked by their start. */
      if (strncmp(cases[i].expect, "E:", 2) == 0 && strlen(got) > strlen(cases[i].expect) &&
          cases[i].expect[strlen(cases[i].expect) - 1] == ' ')
        got[strlen(cases[i].expect)] = '\0';
    }
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
    research_filter_free(f);
    jfts_free(err);
  }
  /* No condition: no filter at all. */
  ResearchFilterArgs none = {0};
  ResearchFilter *f = NULL;
  assert_int_equal(research_filter_new(fx->s, &none, &f, NULL), JFTS_OK);
  assert_null(research_filter_get(f));
  research_filter_free(f);
}

/* ResearchOptions.stop (jfts-serve's time budget): asked once per passage and between the
** steps after the search; saying stop at any of those calls ends the mode with "stopped", no
** output and no leak; never saying stop changes nothing. */
typedef struct StopCount {
  int calls, stop_at; /* stop when calls reaches stop_at (0: never) */
} StopCount;

static int stop_after(void *ctx) {
  StopCount *k = ctx;
  return ++k->calls == k->stop_at;
}

static void test_stop(void **state) {
  Fx *fx = *state;
  /* 8050問題: 5 passages. Wards asks per passage and before sorting its rows (6 calls);
  ** quotes per passage and before the file metadata, the sort and the writing (8). */
  static const struct {
    const char *name;
    Mode mode;
    int n_calls;
  } cases[] = {{"wards", WARDS, 6}, {"quotes", QUOTES, 8}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Query *q = NULL;
    assert_int_equal(research_query_new("8050問題", strlen("8050問題"), NULL, &q, NULL, NULL,
                                        NULL), JFTS_OK);
    Run plain = {.query = "8050問題", .exact = 1, .format = OUT_JSON};
    char *want = run(fx, &plain, cases[i].mode, NULL);
    for (int stop_at = 0; stop_at <= cases[i].n_calls; stop_at++) {
      StopCount k = {0, stop_at};
      ResearchOptions opt = {.format = OUT_JSON, .stop = stop_after, .stop_ctx = &k};
      char *buf = NULL, *err = NULL;
      size_t n = 0;
      long live = jfts_alloc_live();
      FILE *mem = open_memstream(&buf, &n);
      assert_non_null(mem);
      int rc = cases[i].mode == WARDS ? research_wards(fx->s, q, &opt, mem, NULL, &err)
                                      : research_quotes(fx->s, q, &opt, mem, NULL, &err);
      fclose(mem);
      if (stop_at == 0) {
        if (rc != JFTS_OK || k.calls != cases[i].n_calls || strcmp(buf, want) != 0)
          fail_msg("%s, never stopped: rc %d, %d calls", cases[i].name, rc, k.calls);
      } else if (rc != JFTS_ERR_DB || err == NULL || strcmp(err, "stopped") != 0 ||
                 k.calls != stop_at || n != 0) {
        fail_msg("%s, stopped at call %d: rc %d (%s), %d calls, %zu bytes", cases[i].name,
                 stop_at, rc, err ? err : "no message", k.calls, n);
      }
      jfts_free(err);
      free(buf);
      if (jfts_alloc_live() != live) fail_msg("%s, stop at %d: leak", cases[i].name, stop_at);
    }
    free(want);
    qry_free(q);
  }
}

static void test_parse_year(void **state) {
  (void)state;
  static const struct {
    const char *input;
    int expect; /* 0: usage error */
  } cases[] = {
      {"2021", 2021},     {"2021年度", 2021}, {"令和3年度", 2021}, {"令和３年度", 2021},
      {"令和 3 年", 2021}, {"令和元年度", 2019}, {"平成31年度", 2019}, {"R3", 2021},
      {"h30", 2018},      {"令和4", 2022},    {"H30", 2018},      {"平成30", 2018},
      {"r4", 2022},       {"令和", 0},        {"3", 0},           {"20211", 0},
      {"令和3年度x", 0},  {"", 0},            {"昭和50年", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int year = 0;
    char *err = NULL;
    int rc = research_parse_year(cases[i].input, &year, &err);
    int got = rc == JFTS_OK ? year : 0;
    if (got != cases[i].expect || (rc != JFTS_OK && rc != JFTS_ERR_USAGE))
      fail_msg("year '%s': got %d (rc %d), expected %d", cases[i].input, got, rc, cases[i].expect);
    jfts_free(err);
  }
}

/* Organisations and kinds are what the index holds (here the corpus: 仙台市 and 取組状況 from
** its titles); a document passes a filter as its passages do. The shorthand of organisations
** over several is tested by tests/cli/research_cities.sh. */
static void test_filter_orgs_kinds(void **state) {
  Fx *fx = *state;
  static const struct {
    const char *name, *org, *kind, *expect;
  } cases[] = {
      {"kind", NULL, "取組状況", "-|取組状況"},
      {"org, shorthand", "仙台", NULL, "仙台市|-"},
      {"org unknown", "横浜", NULL, "E:unknown organisation '横浜' (valid: 仙台市)"},
      {"kind unknown", NULL, "計画", "E:unknown kind '計画' (valid: 取組状況)"},
      {"kind is not shortened", NULL, "取組", "E:unknown kind '取組' (valid: 取組状況)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *orgs[1] = {cases[i].org};
    ResearchFilterArgs a = {.orgs = orgs, .n_orgs = cases[i].org ? 1 : 0, .kind = cases[i].kind};
    ResearchFilter *f = NULL;
    char *err = NULL, got[512];
    int rc = research_filter_new(fx->s, &a, &f, &err);
    if (rc == JFTS_OK) {
      const StoreFilter *sf = research_filter_get(f);
      assert_non_null(sf);
      snprintf(got, sizeof got, "%s|%s", sf->n_orgs ? sf->orgs[0] : "-", sf->kind ? sf->kind : "-");
      StoreDocRow yes = {.org = "仙台市", .kind = "取組状況", .ward = "泉区", .year = 2021};
      StoreDocRow no = {.org = "横浜市", .kind = "計画", .ward = "泉区", .year = 2021};
      assert_true(research_doc_allowed(sf, &yes));
      assert_false(research_doc_allowed(sf, &no));
    } else {
      assert_int_equal(rc, JFTS_ERR_USAGE);
      snprintf(got, sizeof got, "E:%s", err ? err : "?");
    }
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
    research_filter_free(f);
    jfts_free(err);
  }
}

static void test_parse_by(void **state) {
  (void)state;
  static const char *const names[] = {"ward", "org", "year", "kind", "document"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    ResearchBy by = RESEARCH_BY_DOCUMENT;
    assert_int_equal(research_parse_by(names[i], &by, NULL), JFTS_OK);
    assert_int_equal((int)by, (int)i);
  }
  char *err = NULL;
  ResearchBy by;
  assert_int_equal(research_parse_by("wards", &by, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "unknown grouping 'wards' (valid: ward, org, year, kind, document)");
  jfts_free(err);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_filter_orgs_kinds),
      cmocka_unit_test(test_parse_by),
      cmocka_unit_test(test_wards_online),
      cmocka_unit_test(test_wards_rare_and_text),
      cmocka_unit_test(test_wards_untagged),
      cmocka_unit_test(test_quotes_8050),
      cmocka_unit_test(test_quotes_csv),
      cmocka_unit_test(test_quotes_thesaurus),
      cmocka_unit_test(test_quotes_sorted_and_filtered),
      cmocka_unit_test(test_substring_filters),
      cmocka_unit_test(test_filter_resolution),
      cmocka_unit_test(test_parse_year),
      cmocka_unit_test(test_stop),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
