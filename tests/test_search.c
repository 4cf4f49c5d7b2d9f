/* Tests of ranked search (query/search.c) on the bundled corpus and on a fixture, both indexed
** with the real report parser: the judged queries (8050問題 with its five occurrences and
** their lines, adjacency first, whole words first), totals, paging and sort orders, filters,
** hostile queries, agreement of the FTS5 adjacency set with the matcher, and snippets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "test_index.h"
#include "test_util.h"
#include "decode.h"
#include "jfts_common.h"
#include "match.h"
#include "qparse.h"
#include "report.h"
#include "search.h"
#include "store.h"
#include "textseg.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"
#define FIXTURE_FILE JFTS_TESTDATA "/search/rerank.txt"

typedef struct Dbs {
  char corpus_path[64], fixture_path[64];
  Store *corpus, *fixture;
} Dbs;

/* Indexes file into db_path as shown_path, its identity real_path (NULL: file itself). */
static void index_file_as(const char *db_path, const char *file, const char *shown_path,
                          const char *real_path) {
  StoreFile as = {.path = shown_path, .realpath = real_path ? real_path : file};
  test_index_file(db_path, file, &as);
}

static void index_file(const char *db_path, const char *file, const char *shown_path) {
  index_file_as(db_path, file, shown_path, NULL);
}

static int setup(void **state) {
  Dbs *d = calloc(1, sizeof *d);
  assert_non_null(d);
  test_temp_db(d->corpus_path, sizeof d->corpus_path, "search");
  test_temp_db(d->fixture_path, sizeof d->fixture_path, "search");
  index_file(d->corpus_path, CORPUS_FILE, "corpus/sendai-r3-jiritsushien.txt");
  index_file(d->fixture_path, FIXTURE_FILE, "rerank.txt");
  assert_int_equal(store_open(d->corpus_path, STORE_READ, &d->corpus, NULL), JFTS_OK);
  assert_int_equal(store_open(d->fixture_path, STORE_READ, &d->fixture, NULL), JFTS_OK);
  *state = d;
  return 0;
}

static int teardown(void **state) {
  Dbs *d = *state;
  store_close(d->corpus);
  store_close(d->fixture);
  unlink(d->corpus_path);
  unlink(d->fixture_path);
  free(d);
  return 0;
}

/* ---- collecting results ------------------------------------------------------------------ */

typedef struct Row {
  int64_t id;
  long rank;
  double score;
  char ward[32];
  int line, line_start;
  size_t n_spans;
  int adjacent, whole_words, matcher_adjacent, has_compound;
  int exact; /* SearchResult.exact */
  int own;   /* an occurrence of a term's own text (not a variant) in the passage text */
  int coord, coord_related; /* SearchResult's */
  uint64_t missing;
  int related_span; /* an occurrence of a related-topic text */
  char head[256];   /* heading and label of the passage */
} Row;

typedef struct Rows {
  Row *rows;
  size_t n, cap;
  SearchTotals totals;
  const Matcher *m;       /* when set: matcher_adjacent is computed with it */
  const Query *q;         /* when set: related_span is computed with it */
  const char *compound;   /* when set: has_compound says whether the text holds it */
  int64_t spans_total;
  int check_whole;        /* recompute whole_words from the whole passage's word breaks */
  size_t whole_mismatch;  /* results where they differ */
} Rows;

static int in_list(const size_t *v, size_t n, size_t x) {
  for (size_t i = 0; i < n; i++)
    if (v[i] == x) return 1;
  return 0;
}

/* whole_words by the definition: clauses with an occurrence whose both ends are word
** boundaries of the whole passage text. */
static int whole_words_full(const SearchResult *r) {
  size_t *breaks = NULL, n_breaks = 0;
  assert_int_equal(seg_boundaries(SEG_WORD, r->passage->text, r->passage->n_text, &breaks,
                                  &n_breaks, NULL),
                   JFTS_OK);
  unsigned long long seen = 0;
  int n = 0;
  for (size_t i = 0; i < r->n_spans; i++) {
    const MatchSpan *sp = &r->spans[i];
    if (!in_list(breaks, n_breaks, sp->start_byte) || !in_list(breaks, n_breaks, sp->end_byte))
      continue;
    if (!(seen & (1ull << sp->clause))) n++;
    seen |= 1ull << sp->clause;
  }
  jfts_free(breaks);
  return n;
}

static int collect(void *ctx, const SearchResult *r) {
  Rows *rs = ctx;
  if (rs->n == rs->cap) {
    rs->cap = rs->cap ? 2 * rs->cap : 64;
    rs->rows = realloc(rs->rows, rs->cap * sizeof *rs->rows);
    assert_non_null(rs->rows);
  }
  Row *row = &rs->rows[rs->n++];
  memset(row, 0, sizeof *row);
  row->id = r->passage->id;
  row->rank = r->rank;
  row->score = r->score;
  snprintf(row->ward, sizeof row->ward, "%s", r->passage->ward ? r->passage->ward : "-");
  row->line = r->line;
  row->exact = r->exact;
  for (size_t i = 0; i < r->n_spans; i++) row->own |= r->spans[i].variant < 0;
  row->coord = r->coord;
  row->coord_related = r->coord_related;
  snprintf(row->head, sizeof row->head, "%s|%s", r->passage->heading ? r->passage->heading : "",
           r->passage->label ? r->passage->label : "");
  row->missing = r->missing;
  for (size_t i = 0; rs->q && i < r->n_spans; i++) {
    const QryTerm *t = &rs->q->clauses[r->spans[i].clause].terms[r->spans[i].term];
    row->related_span |= r->spans[i].variant >= (int)t->n_variants;
  }
  row->line_start = r->passage->line_start;
  row->n_spans = r->n_spans;
  row->adjacent = r->adjacent;
  row->whole_words = r->whole_words;
  if (rs->m) row->matcher_adjacent = match_adjacent_in_order(rs->m, r->spans, r->n_spans);
  if (rs->compound) row->has_compound = strstr(r->passage->text, rs->compound) != NULL;
  rs->spans_total += (int64_t)r->n_spans;
  if (rs->check_whole && whole_words_full(r) != r->whole_words) {
    print_error("whole words: passage %lld: %d by windows, %d by the whole text\n",
                (long long)r->passage->id, r->whole_words, whole_words_full(r));
    rs->whole_mismatch++;
  }
  return JFTS_OK;
}

/* Runs q; fails the test on any error. */
static void search(Store *s, const char *q, SearchSort sort, long limit, long offset,
                   const StoreFilter *filter, Rows *out) {
  Query *query = NULL;
  char *err = NULL;
  int rc = qry_parse(q, strlen(q), &query, &err);
  if (rc != JFTS_OK) print_error("qry_parse(%s): %s\n", q, err ? err : "?");
  assert_int_equal(rc, JFTS_OK);
  Matcher *m = NULL;
  assert_int_equal(match_new(query, &m, NULL), JFTS_OK);
  out->m = m;
  SearchOptions o = {.sort = sort, .limit = limit, .offset = offset, .filter = filter};
  rc = search_run(s, query, &o, collect, out, &out->totals, &err);
  if (rc != JFTS_OK) print_error("search_run(%s): %s\n", q, err ? err : "?");
  assert_int_equal(rc, JFTS_OK);
  out->m = NULL;
  match_free(m);
  qry_free(query);
  jfts_free(err);
}

static void rows_free(Rows *rs) {
  free(rs->rows);
  memset(rs, 0, sizeof *rs);
}

/* ---- judged queries ---------------------------------------------------------------------- */

/* 8050問題: five occurrences (8050 問題 with a space counts), in five passages of 宮城野区 and
** 若林区, each cited by the raw line where the match starts; on line 368 the PDF wrapped it as
** "～8050" / "問題", and the passage's own first line (366) is another. */
static void test_8050(void **state) {
  Dbs *d = *state;
  Rows rs = {0};
  search(d->corpus, "8050問題", SEARCH_SORT_DOC, 0, 0, NULL, &rs);
  assert_int_equal(rs.totals.n_passages, 5);
  assert_int_equal(rs.totals.n_occurrences, 5);
  char got[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < rs.n; i++)
    len += (size_t)snprintf(got + len, sizeof got - len, "%s%s:%d/%zu", i ? " " : "",
                            rs.rows[i].ward, rs.rows[i].line, rs.rows[i].n_spans);
  assert_string_equal(got, "宮城野区:317/1 若林区:368/1 若林区:467/1 若林区:473/1 若林区:509/1");
  assert_int_equal(rs.rows[1].line_start, 366);
  rows_free(&rs);

  /* Ranked, the same five passages. */
  search(d->corpus, "8050問題", SEARCH_SORT_RANK, 10, 0, NULL, &rs);
  assert_int_equal(rs.n, 5);
  int lines = 0;
  for (size_t i = 0; i < rs.n; i++) lines += rs.rows[i].line;
  assert_int_equal(lines, 317 + 368 + 467 + 473 + 509);
  for (size_t i = 1; i < rs.n; i++) assert_true(rs.rows[i - 1].score >= rs.rows[i].score);
  rows_free(&rs);
}

/* Every result's adjacency (ranked: from the FTS5 phrase of the concatenated clauses; in doc
** order: from the spans) agrees with the matcher's, and ranked, adjacent results come first. For 地域包括 支援センター it is exactly the
** passages that contain 地域包括支援センター. */
static void test_adjacent_corpus(void **state) {
  Dbs *d = *state;
  static const struct {
    const char *q, *compound;
  } cases[] = {
      {"地域包括 支援センター", "地域包括支援センター"},
      {"8050 問題", NULL},
      {"相談 支援", NULL},
      {"障害 高齢", NULL},
      {"連携 強化", NULL},
      {"地域 支援 センター", NULL},
      {"支援 OR 相談 会議", NULL},
      {"IGASU 会議", NULL},
      {"事例 検討", NULL},
  };
  for (size_t k = 0; k < 2 * sizeof cases / sizeof cases[0]; k++) {
    size_t c = k / 2;
    SearchSort sort = k % 2 ? SEARCH_SORT_DOC : SEARCH_SORT_RANK;
    Rows rs = {0};
    rs.compound = cases[c].compound;
    search(d->corpus, cases[c].q, sort, 0, 0, NULL, &rs);
    assert_true(rs.n > 0);
    size_t n_adj = 0;
    for (size_t i = 0; i < rs.n; i++) {
      const Row *r = &rs.rows[i];
      if (r->adjacent != r->matcher_adjacent)
        print_error("%s: passage %lld (line %d): FTS5 says %d, matcher %d\n", cases[c].q,
                    (long long)r->id, r->line, r->adjacent, r->matcher_adjacent);
      assert_int_equal(r->adjacent, r->matcher_adjacent);
      if (cases[c].compound) assert_int_equal(r->adjacent, r->has_compound);
      if (sort == SEARCH_SORT_RANK && i > 0 && r->adjacent)
        assert_true(rs.rows[i - 1].adjacent); /* adjacent first */
      n_adj += (size_t)r->adjacent;
    }
    if (cases[c].compound) assert_int_equal(n_adj, 8);
    rows_free(&rs);
  }
}

/* The fixture: adjacency beats a higher BM25 score, and so does a whole word. */
static void test_rerank_fixture(void **state) {
  Dbs *d = *state;
  static const struct {
    const char *q, *expect;
  } cases[] = {
      /* rank:line:adjacent:whole_words */
      {"地域包括 支援センター", "1:9:1:2 2:7:0:2"},
      {"レビュー", "1:5:0:1 2:3:0:0"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Rows rs = {0};
    search(d->fixture, cases[c].q, SEARCH_SORT_RANK, 10, 0, NULL, &rs);
    char got[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < rs.n; i++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%ld:%d:%d:%d", i ? " " : "",
                              rs.rows[i].rank, rs.rows[i].line, rs.rows[i].adjacent,
                              rs.rows[i].whole_words);
    if (strcmp(got, cases[c].expect) != 0) print_error("query %s\n", cases[c].q);
    assert_string_equal(got, cases[c].expect);
    /* ... although BM25 alone orders them the other way round. */
    assert_true(rs.rows[1].score > rs.rows[0].score);
    rows_free(&rs);
  }
}

/* The word-boundary test looks at a window around each occurrence: it must agree with the
** word boundaries of the whole passage, for every result of these queries. */
static void test_whole_words(void **state) {
  Dbs *d = *state;
  static const char *const queries[] = {
      "レビュー", "支援", "センター", "会議", "8050", "IGASU", "地域", "相談 支援", "問題",
      "事業所", "の", "区", "ケース", "連携 強化", "障害者", "ひきこもり", "自立", "65",
  };
  size_t n_results = 0, n_whole = 0;
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
    Rows rs = {0};
    rs.check_whole = 1;
    search(d->corpus, queries[i], SEARCH_SORT_RANK, 0, 0, NULL, &rs);
    if (rs.whole_mismatch) print_error("query %s\n", queries[i]);
    assert_int_equal(rs.whole_mismatch, 0);
    n_results += rs.n;
    for (size_t k = 0; k < rs.n; k++) n_whole += rs.rows[k].whole_words > 0;
    rows_free(&rs);
  }
  /* Both kinds occur, or the comparison says little. */
  assert_true(n_whole > 20 && n_results - n_whole > 20);
}

/* Totals: occurrences over all matching passages equal the matcher's spans in them. */
static void test_totals(void **state) {
  Dbs *d = *state;
  static const char *const queries[] = {
      "支援", "地域包括 支援センター", "レビュー", "会議", "IGASU", "8050", "泉", "区",
      "実務者ネットワーク会議", "連携 -高齢", "\"相談 支援\"", "ａｂｃ", "65歳", "ｻｰﾋﾞｽ",
  };
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
    Rows rs = {0};
    search(d->corpus, queries[i], SEARCH_SORT_DOC, 0, 0, NULL, &rs);
    if (rs.spans_total != rs.totals.n_occurrences)
      print_error("%s: %lld spans, %lld occurrences counted\n", queries[i],
                  (long long)rs.spans_total, (long long)rs.totals.n_occurrences);
    assert_int_equal(rs.spans_total, rs.totals.n_occurrences);
    assert_int_equal((long)rs.n, rs.totals.n_passages);
    for (size_t k = 0; k < rs.n; k++)
      if (rs.rows[k].n_spans == 0) assert_int_equal(rs.rows[k].line, rs.rows[k].line_start);
    rows_free(&rs);
  }
  /* A heading-only match is a passage with no text occurrence. */
  Rows rs = {0};
  search(d->corpus, "実務者ネットワーク会議", SEARCH_SORT_DOC, 0, 0, NULL, &rs);
  size_t heading_only = 0;
  for (size_t k = 0; k < rs.n; k++) heading_only += rs.rows[k].n_spans == 0;
  assert_true(heading_only > 0);
  assert_true(rs.totals.n_occurrences < rs.totals.n_passages);
  rows_free(&rs);
}

/* Pages of 7 put together give the whole order; doc order follows the file's lines. */
static void test_paging(void **state) {
  Dbs *d = *state;
  for (int sort = 0; sort < 2; sort++) {
    Rows all = {0};
    search(d->corpus, "支援", (SearchSort)sort, 0, 0, NULL, &all);
    assert_true(all.n > 30);
    size_t at = 0;
    for (long off = 0; off < (long)all.n + 7; off += 7) {
      Rows page = {0};
      search(d->corpus, "支援", (SearchSort)sort, 7, off, NULL, &page);
      assert_int_equal(page.totals.n_passages, all.totals.n_passages);
      assert_int_equal(page.totals.n_occurrences, all.totals.n_occurrences);
      for (size_t i = 0; i < page.n; i++, at++) {
        assert_int_equal(page.rows[i].id, all.rows[at].id);
        assert_int_equal(page.rows[i].rank, (long)at + 1);
      }
      rows_free(&page);
    }
    assert_int_equal(at, all.n);
    if (sort == SEARCH_SORT_DOC)
      for (size_t i = 1; i < all.n; i++)
        assert_true(all.rows[i - 1].line_start < all.rows[i].line_start);
    rows_free(&all);
  }
}

typedef struct FieldCtx {
  int which; /* 0: section, 1: meeting, 2: local name, 3: section title */
  char buf[256];
} FieldCtx;

static int get_field(void *ctx, const StorePassageRow *p) {
  FieldCtx *f = ctx;
  const char *v = f->which == 0   ? p->section
                  : f->which == 1 ? p->meeting
                  : f->which == 2 ? p->local_name
                                  : p->section_title;
  snprintf(f->buf, sizeof f->buf, "%s", v ? v : "-");
  return JFTS_OK;
}

/* A field of a passage (FieldCtx.which), in a static buffer. */
static const char *passage_field(Store *s, int64_t id, int which) {
  static FieldCtx f;
  f.which = which;
  int found = 0;
  assert_int_equal(store_get_passage(s, id, get_field, &f, &found, NULL), JFTS_OK);
  assert_true(found);
  return f.buf;
}

/* Filters keep exactly the passages they describe: the counts of a filtered search equal
** those of the unfiltered one's rows that have the property. */
static void test_filters(void **state) {
  Dbs *d = *state;
  Rows all = {0};
  search(d->corpus, "の", SEARCH_SORT_DOC, 0, 0, NULL, &all);
  enum { IZUMI, TWO, TABLE, WHOLE, IGASU, KAIGI, SEC23, TORIKUMI, ALL, NONE, N_COUNTS };
  size_t n[N_COUNTS] = {0};
  for (size_t i = 0; i < all.n; i++) {
    const char *ward = all.rows[i].ward;
    char section[256], meeting[256], local[256], title[256];
    snprintf(section, sizeof section, "%s", passage_field(d->corpus, all.rows[i].id, 0));
    snprintf(meeting, sizeof meeting, "%s", passage_field(d->corpus, all.rows[i].id, 1));
    snprintf(local, sizeof local, "%s", passage_field(d->corpus, all.rows[i].id, 2));
    snprintf(title, sizeof title, "%s", passage_field(d->corpus, all.rows[i].id, 3));
    n[IZUMI] += strcmp(ward, "泉区") == 0;
    n[TWO] += strcmp(ward, "泉区") == 0 || strcmp(ward, "青葉区") == 0;
    n[TABLE] += strcmp(section, "table") == 0;
    n[WHOLE] += strcmp(meeting, "全体協議会") == 0;
    n[IGASU] += strcmp(local, "IGASU会議") == 0;
    n[KAIGI] += strstr(meeting, "会議") != NULL || strstr(local, "会議") != NULL;
    n[SEC23] += strcmp(section, "2") == 0 || strcmp(section, "3") == 0;
    n[TORIKUMI] += strstr(title, "取組") != NULL;
  }
  n[ALL] = all.n;
  /* Each count a real subset, so that a filter that does nothing fails. */
  for (int k = IZUMI; k < ALL; k++)
    if (n[k] == 0 || n[k] >= all.n) fail_msg("count %d: %zu of %zu", k, n[k], all.n);
  assert_true(n[TWO] > n[IZUMI] && n[KAIGI] > n[WHOLE] && n[WHOLE] > n[IGASU]);

  static const char *const izumi[] = {"泉区"};
  static const char *const two[] = {"青葉区", "泉区"};
  static const char *const table[] = {"table"};
  static const char *const sec23[] = {"2", "3"};
  static const struct {
    const char *name;
    StoreFilter f;
    int count;
  } cases[] = {
      {"ward", {.wards = izumi, .n_wards = 1}, IZUMI},
      {"two wards", {.wards = two, .n_wards = 2}, TWO},
      {"section", {.sections = table, .n_sections = 1}, TABLE},
      {"two sections", {.sections = sec23, .n_sections = 2}, SEC23},
      {"title whole", {.section_title = "実施状況"}, TABLE},
      {"title part", {.section_title = "施状"}, TABLE},
      {"title in two sections", {.section_title = "取組"}, TORIKUMI},
      {"meeting type", {.meeting = "全体協議会"}, WHOLE},
      {"local name, case", {.meeting = "igasu"}, IGASU},
      {"meeting part", {.meeting = "会議"}, KAIGI},
      {"year", {.year = 2021}, ALL},
      {"other year", {.year = 2020}, NONE},
      {"ward and year", {.wards = izumi, .n_wards = 1, .year = 2021}, IZUMI},
      {"nothing has it", {.meeting = "zzz"}, NONE},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Rows rs = {0};
    search(d->corpus, "の", SEARCH_SORT_RANK, 0, 0, &cases[c].f, &rs);
    size_t want = n[cases[c].count];
    if (rs.n != want || rs.totals.n_passages != (long)want)
      fail_msg("filter '%s': %zu results (total %ld), want %zu", cases[c].name, rs.n,
               rs.totals.n_passages, want);
    for (size_t i = 0; i < rs.n && cases[c].count == IZUMI; i++)
      assert_string_equal(rs.rows[i].ward, "泉区");
    rows_free(&rs);
  }
  rows_free(&all);
}

/* Runs q, its first term given these variants (as the thesaurus adds them), and renders the
** order as one char per result: E for a passage holding the term itself, V for one found
** only through a variant. */
static void variant_order(Store *s, const char *q, const char *const *variants, size_t n_var,
                          long limit, long offset, char *out, size_t cap, Rows *rs) {
  Query *query = NULL;
  assert_int_equal(qry_parse(q, strlen(q), &query, NULL), JFTS_OK);
  for (size_t i = 0; i < n_var; i++)
    assert_int_equal(qry_term_add_variant(&query->clauses[0].terms[0], variants[i],
                                          strlen(variants[i]), NULL),
                     JFTS_OK);
  SearchOptions o = {.sort = SEARCH_SORT_RANK, .limit = limit, .offset = offset};
  assert_int_equal(search_run(s, query, &o, collect, rs, &rs->totals, NULL), JFTS_OK);
  qry_free(query);
  size_t k = 0;
  for (size_t i = 0; i < rs->n && k + 1 < cap; i++) {
    if (rs->rows[i].exact != rs->rows[i].own)
      fail_msg("%s: result %zu: exact %d, own text %d", q, i + 1, rs->rows[i].exact,
               rs->rows[i].own);
    out[k++] = rs->rows[i].own ? 'E' : 'V';
  }
  out[k] = '\0';
}

/* Passages holding the user's own term rank above those matched only through a variant,
** over every match (「の」 matches more passages than the rerank depth), and the pages of
** that order agree with the whole of it. */
static void test_variants_below_exact(void **state) {
  Dbs *d = *state;
  static const char *const online[] = {"リモート", "ハイブリット", "Web開催"};
  static const char *const no[] = {"の"};
  static const struct {
    const char *query;
    const char *const *variants;
    size_t n_variants;
    size_t min_total; /* at least this many results */
  } cases[] = {
      {"オンライン", online, 3, 12},
      {"開催", no, 1, SEARCH_RERANK_DEPTH + 1},
  };
  /* The corpus twice (two files): more passages match 「の」 than the rerank depth. */
  char twice_path[64];
  Store *twice = NULL;
  test_temp_db(twice_path, sizeof twice_path, "search");
  index_file_as(twice_path, CORPUS_FILE, "a.txt", "/nonexistent/a.txt");
  index_file_as(twice_path, CORPUS_FILE, "b.txt", "/nonexistent/b.txt");
  assert_int_equal(store_open(twice_path, STORE_READ, &twice, NULL), JFTS_OK);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Store *st = c == 0 ? d->corpus : twice;
    Rows exact = {0}, all = {0};
    search(st, cases[c].query, SEARCH_SORT_RANK, 0, 0, NULL, &exact);
    char got[1024], want[1024];
    variant_order(st, cases[c].query, cases[c].variants, cases[c].n_variants, 0, 0, got,
                  sizeof got, &all);
    if (all.n < cases[c].min_total || all.n <= exact.n)
      fail_msg("%s: %zu results, %zu without variants", cases[c].query, all.n, exact.n);
    memset(want, 'E', exact.n);
    memset(want + exact.n, 'V', all.n - exact.n);
    want[all.n] = '\0';
    if (strcmp(got, want) != 0) fail_msg("%s: order %s, want %s", cases[c].query, got, want);
    /* A page across the border: the same passages as that part of the whole order. */
    Rows page = {0};
    long offset = (long)exact.n - 2;
    variant_order(st, cases[c].query, cases[c].variants, cases[c].n_variants, 4, offset,
                  got, sizeof got, &page);
    assert_string_equal(got, "EEVV");
    for (size_t i = 0; i < page.n; i++) assert_true(page.rows[i].id == all.rows[offset + i].id);
    rows_free(&page);
    rows_free(&exact);
    rows_free(&all);
  }
  store_close(twice);
  unlink(twice_path);
  /* 泉区's online meeting (リモートとハイブリット) comes after every passage saying オンライン. */
  Rows all = {0};
  char got[256];
  variant_order(d->corpus, "オンライン", online, 3, 0, 0, got, sizeof got, &all);
  size_t izumi = all.n;
  for (size_t i = 0; i < all.n; i++)
    if (strcmp(all.rows[i].ward, "泉区") == 0 && izumi == all.n) izumi = i;
  assert_true(izumi < all.n);
  assert_int_equal(strchr(got, 'V') - got, (long)izumi);
  rows_free(&all);
}

/* Hostile input never makes FTS5 or SQLite fail: a query parses (or is a usage error) and
** runs. */
static void test_hostile(void **state) {
  Dbs *d = *state;
  static const char *const queries[] = {
      "\"支援", "支援\"", "\"\"", "(支援", "支援)", "((", "支援*", "*", "^支援", "^", "text:支援",
      "heading:会議", ":", "NEAR(支援 会議)", "NEAR(", "支援' OR 1=1 --", "'; DROP TABLE fts; --",
      "AND", "NOT", "支援 AND 会議", "支援 NOT 会議", "OR", "OR OR", "- -", "--支援", "-\"支援\"",
      "\\", "支援 +会議", "{支援}", "[支援]", "a\"b\"c", "\"a\" \"b", "rank", "fts", "*支援*",
  };
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
    Query *query = NULL;
    char *err = NULL;
    int rc = qry_parse(queries[i], strlen(queries[i]), &query, &err);
    if (rc == JFTS_OK) {
      SearchOptions o = {.limit = 5};
      SearchTotals t;
      rc = search_run(d->corpus, query, &o, NULL, NULL, &t, &err);
      if (rc != JFTS_OK) print_error("%s: %s\n", queries[i], err ? err : "?");
      assert_int_equal(rc, JFTS_OK);
    } else {
      assert_int_equal(rc, JFTS_ERR_USAGE);
    }
    jfts_free(err);
    qry_free(query);
  }
  /* 10,000 characters, and every byte value. */
  size_t n = 30000;
  char *big = malloc(n + 1);
  assert_non_null(big);
  for (size_t i = 0; i < n; i += 3) memcpy(big + i, i % 2 ? "支" : "援", 3);
  big[n] = '\0';
  char bytes[512];
  for (int i = 0; i < 256; i++) bytes[i] = (char)i, bytes[256 + i] = (char)(255 - i);
  const struct {
    const char *q;
    size_t n;
  } raw[] = {{big, n}, {bytes, sizeof bytes}, {"\0\0支援\0", 6}, {"\xff\xfe支援\x80", 9}};
  for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
    Query *query = NULL;
    char *err = NULL;
    int rc = qry_parse(raw[i].q, raw[i].n, &query, &err);
    if (rc == JFTS_OK) {
      SearchOptions o = {.limit = 5};
      rc = search_run(d->corpus, query, &o, NULL, NULL, NULL, &err);
      if (rc != JFTS_OK) print_error("raw query %zu: %s\n", i, err ? err : "?");
    }
    assert_true(rc == JFTS_OK || rc == JFTS_ERR_USAGE);
    jfts_free(err);
    qry_free(query);
  }
  free(big);
}

/* ---- snippets ---------------------------------------------------------------------------- */

static void test_snippet(void **state) {
  (void)state;
  static const struct {
    const char *name, *text, *focus; /* focus: the substring whose first occurrence is shown */
    size_t max_chars;
    const char *expect;
  } cases[] = {
      {"short: whole", "地域包括支援センターと連携した。", "連携", 40,
       "地域包括支援センターと連携した。"},
      {"sentence ends", "一文目です。二文目で支援を行った。三文目もあります。四文目です。",
       "支援", 20, "…二文目で支援を行った。三文目もあります。…"},
      {"clause marks", "会議では、相談の傾向と課題を共有し、支援の方法について、各機関の意見を聞いた",
       "支援", 16, "…支援の方法について、…"},
      {"no match: from the start", "一文目です。二文目です。三文目です。四文目です。", NULL, 12,
       "一文目です。二文目です。…"},
      {"near the end", "前置きが長く続く文章の後で、最後にようやく支援が出てくる。", "支援", 16,
       "…最後にようやく支援が出てくる。"},
      {"words only", "ケースレビューと模擬レビューと地域生活支援拠点レビューと運営会議レビュー観覧",
       "拠点", 12, "…生活支援拠点レビューと…"},
      {"line breaks", "一行目の文。\n二行目で支援を行った。\n三行目の文。\n四行目の文。", "支援",
       14, "…二行目で支援を行った。…"},
      {"line breaks kept", "一行目の文。\n二行目で支援を行った。\n三行目の文。\n四行目の文。",
       "支援", 20, "…二行目で支援を行った。\n三行目の文。…"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *text = cases[i].text;
    size_t n = strlen(text);
    MatchSpan span = {0};
    size_t n_spans = 0;
    if (cases[i].focus) {
      const char *at = strstr(text, cases[i].focus);
      assert_non_null(at);
      span.start_byte = (size_t)(at - text);
      span.end_byte = span.start_byte + strlen(cases[i].focus);
      n_spans = 1;
    }
    SearchSnippet sn;
    assert_int_equal(search_snippet(text, n, &span, n_spans, 0, cases[i].max_chars, &sn, NULL),
                     JFTS_OK);
    char got[512];
    snprintf(got, sizeof got, "%s%.*s%s", sn.cut_start ? "…" : "",
             (int)(sn.end_byte - sn.start_byte), text + sn.start_byte, sn.cut_end ? "…" : "");
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
}

/* search_word_breaks: for every range of every text, the boundaries of its stretch are those
** of the whole text there; the stretch around `at` is `expect` (not past a separator that a
** combining mark follows, nor a line feed after CR). */
static void test_word_breaks(void **state) {
  (void)state;
  static const struct {
    const char *name, *text, *at, *expect;
  } cases[] = {
      {"comma and stop", "一文目です、二文目で支援を行った。三文目もあります", "支援",
       "二文目で支援を行った"},
      {"Latin", "see a.b and c.d、それから e.f", "b", "see a.b and c.d"},
      {"line feed", "first line\nsecond line with 1,000 yen\nthird", "1,000",
       "second line with 1,000 yen"},
      {"combining mark after the comma", "前文、\u3099後文。後", "後文", "前文、\u3099後文"},
      {"CR LF", "行一\r\n行二、行三", "行一", "行一\r\n行二"},
      {"flags", "\U0001F1EF\U0001F1F5\U0001F1EF\U0001F1F5、日本", "日本", "日本"},
      {"half-width kana", "ｶﾞｲﾄﾞ、ｶﾞｲﾄﾞ", "ｲﾄﾞ、ｶ", "ｶﾞｲﾄﾞ、ｶﾞｲﾄﾞ"},
      {"katakana run", "データ、ベースサーバ。ソフトウェア", "ベース", "ベースサーバ"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *text = cases[i].text;
    size_t n = strlen(text), *all = NULL, n_all = 0;
    assert_int_equal(seg_boundaries(SEG_WORD, text, n, &all, &n_all, NULL), JFTS_OK);
    for (size_t from = 0; from <= n; from++) {
      if (from < n && ((unsigned char)text[from] & 0xC0u) == 0x80u) continue;
      for (size_t to = from; to <= n; to++) {
        if (to < n && ((unsigned char)text[to] & 0xC0u) == 0x80u) continue;
        size_t *b = NULL, n_b = 0;
        assert_int_equal(search_word_breaks(text, n, from, to, &b, &n_b, NULL), JFTS_OK);
        int ok = n_b > 0 && b[0] <= from && b[n_b - 1] >= to;
        for (size_t k = 0, j = 0; ok && k < n_all; k++) {
          if (all[k] < b[0] || all[k] > b[n_b - 1]) continue;
          ok = j < n_b && b[j++] == all[k];
          if (ok && all[k] == b[n_b - 1]) ok = j == n_b;
        }
        if (!ok) print_error("case '%s' from %zu to %zu\n", cases[i].name, from, to);
        assert_true(ok);
        jfts_free(b);
      }
    }
    jfts_free(all);
    const char *at = strstr(text, cases[i].at);
    assert_non_null(at);
    size_t from = (size_t)(at - text), *b = NULL, n_b = 0;
    assert_int_equal(
        search_word_breaks(text, n, from, from + strlen(cases[i].at), &b, &n_b, NULL), JFTS_OK);
    char got[256];
    snprintf(got, sizeof got, "%.*s", (int)(b[n_b - 1] - b[0]), text + b[0]);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
    jfts_free(b);
  }
}

/* ---- best match and the related layer ----------------------------------------------------- */

/* Runs an already parsed (and expanded) query with options o. */
static void search_query(Store *s, const Query *query, const SearchOptions *o, Rows *out) {
  char *err = NULL;
  out->q = query;
  int rc = search_run(s, query, o, collect, out, &out->totals, &err);
  if (rc != JFTS_OK) print_error("search_run: %s\n", err ? err : "?");
  assert_int_equal(rc, JFTS_OK);
  out->q = NULL;
  jfts_free(err);
}

static Query *parse(const char *q) {
  Query *query = NULL;
  assert_int_equal(qry_parse(q, strlen(q), &query, NULL), JFTS_OK);
  return query;
}

static int popcount64(uint64_t v) {
  int n = 0;
  for (; v; v &= v - 1) n++;
  return n;
}

/* Several words: the passages holding every word come first, exactly as the strict AND
** (--all-words) orders them; then the passages holding some, by how many (coordination
** level), each saying which words it lacks. An excluded word stays strict. */
static void test_best_match(void **state) {
  Dbs *d = *state;
  static const char *const queries[] = {
      "障害者 高齢化", "地域包括 支援センター", "参加 低調", "住まい 課題 ケース",
      "連携 -高齢 学校", "事例検討 方法", "\"相談支援\" スキルアップ",
  };
  for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
    Query *query = parse(queries[q]);
    Rows best = {0}, strict = {0}, excluded = {0};
    SearchOptions o = {.sort = SEARCH_SORT_RANK};
    search_query(d->corpus, query, &o, &best);
    o.all_words = 1;
    search_query(d->corpus, query, &o, &strict);
    int n_pos = best.totals.n_positive;
    if (best.totals.n_every_word != strict.totals.n_passages ||
        best.totals.n_passages <= strict.totals.n_passages)
      fail_msg("%s: %ld passages, %ld with every word; strict AND %ld", queries[q],
               best.totals.n_passages, best.totals.n_every_word, strict.totals.n_passages);
    assert_int_equal((long)best.n, best.totals.n_passages);
    assert_int_equal(strict.totals.n_every_word, strict.totals.n_passages);
    for (size_t i = 0; i < best.n; i++) {
      const Row *r = &best.rows[i];
      if (i < strict.n) { /* the strict AND's passages, in its order */
        assert_true(r->id == strict.rows[i].id);
        assert_int_equal(r->coord, n_pos);
        assert_true(r->missing == 0);
      } else {
        assert_true(r->coord < n_pos && r->coord >= 1);
        assert_int_equal(popcount64(r->missing), n_pos - r->coord);
        assert_true(r->coord <= best.rows[i - 1].coord);
      }
    }
    /* An excluded word: no result holds it. */
    for (size_t c = 0; c < query->n_clauses; c++) {
      if (!query->clauses[c].excluded) continue;
      search(d->corpus, query->clauses[c].terms[0].text, SEARCH_SORT_DOC, 0, 0, NULL, &excluded);
      assert_true(excluded.n > 0);
      for (size_t i = 0; i < best.n; i++)
        for (size_t k = 0; k < excluded.n; k++) assert_false(best.rows[i].id == excluded.rows[k].id);
      rows_free(&excluded);
    }
    rows_free(&best);
    rows_free(&strict);
    qry_free(query);
  }
  /* One word: best match changes nothing. */
  Rows one = {0};
  search(d->corpus, "連携", SEARCH_SORT_RANK, 0, 0, NULL, &one);
  assert_int_equal(one.totals.n_every_word, one.totals.n_passages);
  rows_free(&one);
}

/* A short page is the head of the whole order, with the same totals: a best-match scan with
** a small page skips scoring the rows that hold fewer words than its worst kept hit, and
** tells which words a row holds from the row's phrases (spelling variants, related texts
** and exclusions included); an unlimited run keeps and scores every row. */
static void test_short_page_is_head(void **state) {
  (void)state;
  /* Four copies of the corpus (324 passages): more rows hold a word than the heap keeps
  ** (SEARCH_RERANK_DEPTH), so that rows are dropped, and their scores skipped. */
  char path[64];
  test_temp_db(path, sizeof path, "search");
  for (int k = 0; k < 4; k++) {
    char shown[64], real[64];
    snprintf(shown, sizeof shown, "copy%d/sendai-r3-jiritsushien.txt", k);
    snprintf(real, sizeof real, "/copy%d/sendai-r3-jiritsushien.txt", k);
    index_file_as(path, CORPUS_FILE, shown, real);
  }
  Store *store = NULL;
  assert_int_equal(store_open(path, STORE_READ, &store, NULL), JFTS_OK);
  static const struct {
    const char *query, *variant, *related; /* added to the first word */
  } cases[] = {
      {"支援 会議 連携", NULL, NULL},
      {"地域包括 支援センター 課題", "包括", NULL},
      {"連携 支援 -高齢", NULL, "顔の見える関係"},
      {"会議 参加 支援", "ネットワーク会議", "勉強会"},
      {"研修", "勉強", "スキルアップ"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Query *query = parse(cases[c].query);
    QryTerm *t = &query->clauses[0].terms[0];
    if (cases[c].variant)
      assert_int_equal(qry_term_add_variant(t, cases[c].variant, strlen(cases[c].variant), NULL),
                       JFTS_OK);
    if (cases[c].related)
      assert_int_equal(qry_term_add_related(t, cases[c].related, strlen(cases[c].related), NULL),
                       JFTS_OK);
    Rows all = {0};
    SearchOptions o = {.sort = SEARCH_SORT_RANK};
    search_query(store, query, &o, &all);
    assert_int_equal((long)all.n, all.totals.n_passages);
    if (all.totals.n_positive >= 2 && all.n <= SEARCH_RERANK_DEPTH)
      fail_msg("%s: %zu results", cases[c].query, all.n);
    for (long limit = 1; limit <= 5; limit += 2) {
      Rows page = {0};
      o.limit = limit;
      search_query(store, query, &o, &page);
      assert_int_equal(page.totals.n_passages, all.totals.n_passages);
      assert_int_equal(page.totals.n_every_word, all.totals.n_every_word);
      assert_true(page.totals.n_occurrences == all.totals.n_occurrences);
      assert_int_equal((long)page.n, limit < (long)all.n ? limit : (long)all.n);
      for (size_t i = 0; i < page.n; i++) {
        const Row *p = &page.rows[i], *a = &all.rows[i];
        if (p->id != a->id) fail_msg("%s, limit %ld: row %zu differs", cases[c].query, limit, i);
        assert_true(p->score == a->score);
        assert_int_equal(p->coord, a->coord);
        assert_int_equal(p->coord_related, a->coord_related);
        assert_true(p->missing == a->missing);
        assert_int_equal(p->exact, a->exact);
      }
      rows_free(&page);
    }
    rows_free(&all);
    qry_free(query);
  }
  store_close(store);
  unlink(path);
}

/* The related layer: a word's related texts find more passages, every one ranked below every
** passage holding the word itself, and each holds (and highlights) the related text. The
** passages holding the word keep the order and scores the word alone gives them: a related
** text they also hold (障害当事者 beside 当事者) adds nothing to their rank. */
static void test_related_below_literal(void **state) {
  Dbs *d = *state;
  static const struct {
    const char *query;
    const char *related[3];
  } cases[] = {
      {"ネットワーク", {"顔の見える関係", "交流", NULL}},
      {"研修", {"勉強会", "スキルアップ", NULL}},
      {"高齢 連携", {"地域包括支援センター", NULL, NULL}}, /* related for the first word */
      {"当事者", {"障害当事者", "対象者", NULL}}, /* one holds the word itself */
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Query *plain = parse(cases[c].query), *query = parse(cases[c].query);
    for (size_t k = 0; k < 3 && cases[c].related[k]; k++)
      assert_int_equal(qry_term_add_related(&query->clauses[0].terms[0], cases[c].related[k],
                                            strlen(cases[c].related[k]), NULL),
                       JFTS_OK);
    Rows lit = {0}, rel = {0};
    SearchOptions o = {.sort = SEARCH_SORT_RANK};
    search_query(d->corpus, plain, &o, &lit);
    search_query(d->corpus, query, &o, &rel);
    if (rel.n <= lit.n) fail_msg("%s: %zu results, %zu without related", cases[c].query, rel.n, lit.n);
    int n_pos = rel.totals.n_positive;
    for (size_t i = 0; i < rel.n; i++) {
      const Row *r = &rel.rows[i];
      /* coordination: direct first, then related; never a related-only row above a literal */
      if (i > 0) {
        const Row *p = &rel.rows[i - 1];
        assert_true(p->coord > r->coord || (p->coord == r->coord && p->coord_related >= r->coord_related));
      }
      int in_lit = 0;
      for (size_t k = 0; k < lit.n && !in_lit; k++) in_lit = lit.rows[k].id == r->id;
      if (n_pos == 1 && i < lit.n && (r->id != lit.rows[i].id || r->score != lit.rows[i].score))
        fail_msg("%s: row %zu is passage %lld (score %g), the word alone gives %lld (%g)",
                 cases[c].query, i, (long long)r->id, r->score, (long long)lit.rows[i].id,
                 lit.rows[i].score);
      if (n_pos == 1) {
        assert_int_equal(r->coord, in_lit);
        if (!in_lit) assert_true(r->coord_related == 1 && (r->related_span || r->n_spans == 0));
      }
    }
    rows_free(&lit);
    rows_free(&rel);
    qry_free(plain);
    qry_free(query);
  }
}

/* Punctuation typed in a word is a separator for FTS5 and the matcher alike: every passage
** found holds an occurrence that is highlighted. */
static void test_punctuation(void **state) {
  Dbs *d = *state;
  static const struct {
    const char *query, *words[2];
  } cases[] = {
      {"参加・", {"参加", NULL}},
      {"高砂・岩切", {"高砂", "岩切"}},
      {"「連携」", {"連携", NULL}},
      {"・支援・", {"支援", NULL}},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Rows rs = {0};
    search(d->corpus, cases[c].query, SEARCH_SORT_RANK, 0, 0, NULL, &rs);
    assert_true(rs.n > 0);
    for (size_t i = 0; i < rs.n; i++) {
      if (rs.rows[i].n_spans > 0) continue;
      /* No occurrence in the text: the heading or label holds a word. */
      int in_head = 0;
      for (size_t k = 0; k < 2 && cases[c].words[k]; k++)
        in_head |= strstr(rs.rows[i].head, cases[c].words[k]) != NULL;
      if (!in_head)
        fail_msg("%s: passage %lld found but nothing highlighted", cases[c].query,
                 (long long)rs.rows[i].id);
    }
    rows_free(&rs);
  }
}

/* ---- ranking statistics ------------------------------------------------------------------ */

/* Appends "id:score," per result. */
static int render_hit(void *ctx, const SearchResult *r) {
  char **buf = ctx;
  char *grown = jfts_mprintf("%s%lld:%.17g,", *buf, (long long)r->passage->id, r->score);
  assert_non_null(grown);
  jfts_free(*buf);
  *buf = grown;
  return JFTS_OK;
}

static char *render_search(Store *s, const char *q, SearchSort sort) {
  Query *query = NULL;
  assert_int_equal(qry_parse(q, strlen(q), &query, NULL), JFTS_OK);
  char *buf = jfts_strdup("");
  SearchOptions o = {.sort = sort, .limit = 0};
  SearchTotals t;
  assert_int_equal(search_run(s, query, &o, render_hit, &buf, &t, NULL), JFTS_OK);
  char *out = jfts_mprintf("%s %ld/%lld", buf, t.n_passages, (long long)t.n_occurrences);
  assert_non_null(out);
  jfts_free(buf);
  qry_free(query);
  return out;
}

/* Several words, within one coordination level (tests/data/search/several.txt, whose BM25
** order is the reverse of these): the words joined by a particle (事例検討の方法) first, then
** both in one sentence, then far apart; a passage holding only a rare word, in its heading,
** ranks by BM25 among the passages holding some of the words, not after all those whose text
** holds one (the heading is part of the passage); the rest by BM25 (会議, in half of the
** passages, scores next to nothing: the shortest passage first). Lines are line_start. */
static void test_several_words_order(void **state) {
  (void)state;
  static const struct {
    const char *q, *expect;
  } cases[] = {
      {"事例検討 方法", "17 19 21"},
      {"移行支援 会議", "7 15 11 13 21"},
  };
  char path[64];
  test_temp_db(path, sizeof path, "search");
  index_file(path, JFTS_TESTDATA "/search/several.txt", "several.txt");
  Store *s = NULL;
  assert_int_equal(store_open(path, STORE_READ, &s, NULL), JFTS_OK);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Rows rs = {0};
    search(s, cases[c].q, SEARCH_SORT_RANK, 10, 0, NULL, &rs);
    char got[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < rs.n; i++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%d", i ? " " : "",
                              rs.rows[i].line_start);
    if (strcmp(got, cases[c].expect) != 0) print_error("query %s\n", cases[c].q);
    assert_string_equal(got, cases[c].expect);
    /* ... which BM25 alone orders otherwise. */
    int by_score = 1;
    for (size_t i = 1; i < rs.n; i++) by_score &= rs.rows[i - 1].score >= rs.rows[i].score;
    assert_false(by_score && c == 0);
    rows_free(&rs);
  }
  store_close(s);
  unlink(path);
}

/* match_adjacent_across_particle: in query order, adjacent or across one particle. */
static void test_adjacent_across_particle(void **state) {
  (void)state;
  static const struct {
    const char *q, *text;
    int expect;
  } cases[] = {
      {"事例検討 方法", "事例検討の方法を見直した", 1},
      {"事例検討 方法", "事例検討方法を見直した", 1},
      {"当事者 参加", "当事者が参加した", 1},
      {"事例検討 方法", "方法の事例検討", 0},          /* the other order */
      {"事例検討 方法", "事例検討での方法", 0},        /* two particles */
      {"事例検討 方法", "事例検討、方法", 0},          /* a comma is no particle */
      {"地域 支援 会議", "地域の支援の会議", 1},
      {"地域 支援 会議", "地域の支援と連携の会議", 0}, /* a word between */
      {"事例検討", "事例検討の方法", 0},               /* one clause */
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Query *q = NULL;
    Matcher *m = NULL;
    MatchSpan *spans = NULL;
    size_t n = 0;
    assert_int_equal(qry_parse(cases[c].q, strlen(cases[c].q), &q, NULL), JFTS_OK);
    assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
    size_t len = strlen(cases[c].text);
    assert_int_equal(match_find(m, cases[c].text, len, &spans, &n, NULL), JFTS_OK);
    int got = match_adjacent_across_particle(m, cases[c].text, len, spans, n);
    if (got != cases[c].expect) print_error("%s in %s\n", cases[c].q, cases[c].text);
    assert_int_equal(got, cases[c].expect);
    jfts_free(spans);
    match_free(m);
    qry_free(q);
  }
}

/* The statistics kept in meta at each commit, read lazily, rank and order exactly as the
** full pass over the passages does (an index without them), across several files. */
static void test_lazy_stats_as_full_pass(void **state) {
  (void)state;
  char lazy_path[64], full_path[64];
  test_temp_db(lazy_path, sizeof lazy_path, "search");
  test_temp_db(full_path, sizeof full_path, "search");
  index_file(lazy_path, CORPUS_FILE, "b/corpus.txt");
  index_file(lazy_path, FIXTURE_FILE, "a/rerank.txt");
  index_file(lazy_path, JFTS_TESTDATA "/search/symbols.txt", "c/symbols.txt");
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(lazy_path, &db), SQLITE_OK);
  char *sql = sqlite3_mprintf("VACUUM INTO %Q", full_path);
  assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
  sqlite3_free(sql);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  assert_int_equal(sqlite3_open(full_path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "DELETE FROM meta WHERE key GLOB 'rank_*'", NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  Store *lazy = NULL, *full = NULL;
  assert_int_equal(store_open(lazy_path, STORE_READ, &lazy, NULL), JFTS_OK);
  assert_int_equal(store_open(full_path, STORE_READ, &full, NULL), JFTS_OK);
  static const char *const queries[] = {"支援", "の", "条", "地域 支援", "％", "会議 -支援",
                                        "レビュー", "相談"};
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
    for (int sort = 0; sort < 2; sort++) {
      SearchSort so = sort ? SEARCH_SORT_DOC : SEARCH_SORT_RANK;
      char *a = render_search(lazy, queries[i], so), *b = render_search(full, queries[i], so);
      if (strcmp(a, b) != 0) print_error("%s (sort %d)\n", queries[i], sort);
      assert_string_equal(a, b);
      jfts_free(a);
      jfts_free(b);
    }
  store_close(lazy);
  /* The chunks are what the lazy store read: zeroed lengths give other scores. */
  assert_int_equal(sqlite3_open(lazy_path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "UPDATE meta SET value = zeroblob(length(value))"
                                " WHERE key GLOB 'rank_chunk:*'",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  assert_int_equal(store_open(lazy_path, STORE_READ, &lazy, NULL), JFTS_OK);
  char *a = render_search(lazy, "支援", SEARCH_SORT_RANK);
  char *b = render_search(full, "支援", SEARCH_SORT_RANK);
  assert_string_not_equal(a, b);
  jfts_free(a);
  jfts_free(b);
  store_close(lazy);
  store_close(full);
  unlink(lazy_path);
  unlink(full_path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_8050),         cmocka_unit_test(test_adjacent_corpus),
      cmocka_unit_test(test_rerank_fixture), cmocka_unit_test(test_whole_words),
      cmocka_unit_test(test_totals),
      cmocka_unit_test(test_paging),       cmocka_unit_test(test_filters),
      cmocka_unit_test(test_hostile),      cmocka_unit_test(test_snippet),
      cmocka_unit_test(test_word_breaks),
      cmocka_unit_test(test_variants_below_exact),
      cmocka_unit_test(test_best_match),   cmocka_unit_test(test_related_below_literal),
      cmocka_unit_test(test_punctuation),  cmocka_unit_test(test_lazy_stats_as_full_pass),
      cmocka_unit_test(test_several_words_order),
      cmocka_unit_test(test_adjacent_across_particle),
      cmocka_unit_test(test_short_page_is_head),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
