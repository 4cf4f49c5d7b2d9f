/* Tests of the jfts_rank auxiliary function (indexer/rank.c): it equals FTS5's bm25() where
** the formula says it must (no RankData; or RankData and rows without heading and label),
** counts text-column instances into its sink, and on the bundled corpus orders the top 10
** nearly as bm25() does. With JFTS_RANK_BENCH_DB=<jfts database> (and optionally
** JFTS_RANK_BENCH_QUERIES=<file, one word a line, or "class<TAB>word">) it times ordering by
** bm25() against jfts_rank in its SQL forms and prints top-10 overlap, and checks nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_index.h"
#include "decode.h"
#include "jfts_common.h"
#include "rank.h"
#include "report.h"
#include "store.h"
#include "test_util.h"
#include "tokenizer.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

/* ---- helpers ----------------------------------------------------------------------------- */

static void exec_ok(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) print_error("%s: %s\n", sql, msg ? msg : "?");
  sqlite3_free(msg);
  assert_int_equal(rc, SQLITE_OK);
}

/* Per-rowid text lengths, as the store loads them from passages.n_tokens. */
typedef struct Lengths {
  uint32_t *n_text;
  uint8_t *present;
  size_t n_ids;
  RankData data;
} Lengths;

/* RankLengthFn over a Lengths. */
static int lengths_get(void *ctx, int64_t rowid, uint32_t *n_text_out) {
  const Lengths *l = ctx;
  if (rowid < 0 || (size_t)rowid >= l->n_ids || !l->present[rowid]) return 0;
  *n_text_out = l->n_text[rowid];
  return 1;
}

static void lengths_add(Lengths *l, size_t n_ids, int64_t rowid, uint32_t n_tok) {
  if (l->n_ids < n_ids) {
    l->n_text = realloc(l->n_text, n_ids * sizeof *l->n_text);
    l->present = realloc(l->present, n_ids);
    assert_true(l->n_text && l->present);
    memset(l->n_text + l->n_ids, 0, (n_ids - l->n_ids) * sizeof *l->n_text);
    memset(l->present + l->n_ids, 0, n_ids - l->n_ids);
    l->n_ids = n_ids;
  }
  l->n_text[rowid] = n_tok;
  l->present[rowid] = 1;
  l->data.text_length = lengths_get;
  l->data.ctx = l;
}

static void lengths_finish(Lengths *l) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < l->n_ids; i++)
    if (l->present[i]) {
      sum += l->n_text[i];
      n++;
    }
  l->data.avg_text = n ? sum / (double)n : 0;
}

static void lengths_free(Lengths *l) {
  free(l->n_text);
  free(l->present);
  memset(l, 0, sizeof *l);
}

/* ---- fixture: a small table ------------------------------------------------------------- */

typedef struct Fixture {
  sqlite3 *db;
  Lengths len;
} Fixture;

static const struct {
  const char *text, *heading, *label;
} k_rows[] = {
    {"地域包括支援センターと連携した。地域包括支援センターの職員も参加。", NULL, NULL},
    {"支援センターの見学を行った。", NULL, NULL},
    {"相談支援事業所連絡会議にて、地域包括支援センターとの合同勉強会を実施。8050 問題を取り上げた。",
     NULL, NULL},
    {"ケースレビューを行った。", NULL, NULL},
    {"模擬レビューを実施し、課題を整理した。レビューの結果は運営会議で共有。", NULL, NULL},
    {"全体協議会を開催した。", NULL, NULL},
    {"IGASU会議で8050問題をテーマとした。", NULL, NULL},
    {"ひきこもり地域支援センターと協働した。", NULL, NULL},
    {"相談支援部会の活動。", "地域包括支援センターとの連携", NULL},
    {"年二回開催した。", NULL, "全体協議会 IGASU会議"},
    {"センターの運営について検討した。", "運営会議", "専門部会 センター部会"},
};

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  assert_int_equal(sqlite3_open(":memory:", &f->db), SQLITE_OK);
  assert_int_equal(tok_register(f->db), SQLITE_OK);
  exec_ok(f->db, "CREATE VIRTUAL TABLE fts USING fts5(text, heading, label, tokenize='jfts')");
  sqlite3_stmt *ins = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db,
                                      "INSERT INTO fts(rowid, text, heading, label)"
                                      " VALUES(?1, ?2, ?3, ?4)",
                                      -1, &ins, NULL),
                   SQLITE_OK);
  size_t n = sizeof k_rows / sizeof k_rows[0];
  for (size_t i = 0; i < n; i++) {
    sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
    sqlite3_bind_text(ins, 2, k_rows[i].text, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, k_rows[i].heading, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, k_rows[i].label, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
    sqlite3_reset(ins);
    int n_tok = 0;
    assert_int_equal(tok_tokenize(k_rows[i].text, strlen(k_rows[i].text), FTS5_TOKENIZE_DOCUMENT,
                                  test_count_positions, &n_tok),
                     SQLITE_OK);
    lengths_add(&f->len, n + 1, (int64_t)i + 1, (uint32_t)n_tok);
  }
  sqlite3_finalize(ins);
  lengths_finish(&f->len);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  assert_int_equal(sqlite3_close(f->db), SQLITE_OK);
  lengths_free(&f->len);
  free(f);
  return 0;
}

/* Renders "rowid:score|..." of `SELECT rowid, <expr> ... ORDER BY rowid` with 9 digits. */
static char *scores(sqlite3 *db, const char *expr, const char *match) {
  char sql[512];
  snprintf(sql, sizeof sql, "SELECT rowid, %s FROM fts WHERE fts MATCH ?1 ORDER BY rowid", expr);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) print_error("%s: %s\n", sql, sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_OK);
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  size_t cap = 4096, len = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  out[0] = '\0';
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    char item[64];
    int n = snprintf(item, sizeof item, "%s%lld:%.9f", len ? "|" : "",
                     (long long)sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1));
    assert_true(len + (size_t)n + 1 < cap);
    memcpy(out + len, item, (size_t)n + 1);
    len += (size_t)n;
  }
  if (rc != SQLITE_DONE) print_error("%s: %s\n", sql, sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  return out;
}

static const char *const k_matches[] = {
    "\"地域包括\"",
    "\"支援センター\"",
    "\"地域包括\" AND \"支援センター\"",
    "\"レビュー\"",
    "\"8050問題\"",
    "\"センター\" OR \"会議\"",
    "\"igasu\"",
    "\"協議会\" NOT \"igasu\"",
    "\"泉\" *",
};

/* Without RankData jfts_rank takes row lengths from xColumnSize: then it is bm25() exactly,
** with its own default weights (1, 0.4, 0.4) and with weights given. */
static void test_equals_bm25_without_data(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, NULL), SQLITE_OK);
  for (size_t i = 0; i < sizeof k_matches / sizeof k_matches[0]; i++) {
    char *want = scores(f->db, "bm25(fts, 1.0, 0.4, 0.4)", k_matches[i]);
    char *got = scores(f->db, "jfts_rank(fts)", k_matches[i]);
    if (strcmp(got, want) != 0) print_error("query %s\n", k_matches[i]);
    assert_string_equal(got, want);
    free(got);
    free(want);
    want = scores(f->db, "bm25(fts, 2.0, 1.0, 0.0)", k_matches[i]);
    got = scores(f->db, "jfts_rank(fts, 2.0, 1.0, 0.0)", k_matches[i]);
    if (strcmp(got, want) != 0) print_error("query %s (weights 2, 1, 0)\n", k_matches[i]);
    assert_string_equal(got, want);
    free(got);
    free(want);
  }
}

/* With RankData, a row's length is its text length plus the table's mean heading and label
** length: the same as bm25() when no row has a heading or a label. */
static void test_equals_bm25_with_data(void **state) {
  Fixture *f = *state;
  exec_ok(f->db, "UPDATE fts SET heading = NULL, label = NULL");
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  for (size_t i = 0; i < sizeof k_matches / sizeof k_matches[0]; i++) {
    char *want = scores(f->db, "bm25(fts, 1.0, 0.4, 0.4)", k_matches[i]);
    char *got = scores(f->db, "jfts_rank(fts)", k_matches[i]);
    if (strcmp(got, want) != 0) print_error("query %s\n", k_matches[i]);
    assert_string_equal(got, want);
    free(got);
    free(want);
  }
}

/* The documented formula by hand for one row with heading and label in the table. */
static void test_formula_with_data(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  /* "運営" occurs in rows 5 (text), 11 (text 運営, heading 運営会議): N = 11 rows. */
  sqlite3_stmt *st = NULL;
  /* Mean heading + label tokens: from the texts (one position per Japanese char, one per
  ** Latin word): 地域包括支援センターとの連携 14, 運営会議 4; labels 全体協議会 IGASU会議 = 5+1+2,
  ** 専門部会 センター部会 = 4+6. */
  double avg_other = (14.0 + 4.0 + 8.0 + 10.0) / 11.0;
  double n_rows = 11.0, n_hit = 2.0;
  double idf = 0.0;
  {
    /* ln by the definition the function documents, computed with SQLite's ln(). */
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT ln((%f - %f + 0.5) / (%f + 0.5))", n_rows, n_hit, n_hit);
    assert_int_equal(sqlite3_prepare_v2(f->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    idf = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
  }
  double len11 = (double)f->len.n_text[11] + avg_other;
  double avg = f->len.data.avg_text + avg_other;
  double freq = 1.0 + 0.4; /* text and heading */
  double want = idf * freq * 2.2 / (freq + 1.2 * (0.25 + 0.75 * len11 / avg));
  assert_int_equal(sqlite3_prepare_v2(f->db,
                                      "SELECT -jfts_rank(fts) FROM fts WHERE fts MATCH"
                                      " '\"運営\"' AND rowid = 11",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  double got = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  if (got < want - 1e-9 || got > want + 1e-9) print_error("got %.12f want %.12f\n", got, want);
  assert_true(got > want - 1e-9 && got < want + 1e-9);
}

/* The statement the sink tests step: ?1 the MATCH, ?2 the RankSink pointer. */
static sqlite3_stmt *sink_stmt(sqlite3 *db) {
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT rowid, jfts_rank(fts, ?2) FROM fts"
                                      " WHERE fts MATCH ?1 ORDER BY rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  return st;
}

/* The sink gets the text-column instance count of each row: 0 for a heading/label match. */
static void test_sink(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  static const struct {
    const char *match, *expect;
  } cases[] = {
      {"\"地域包括支援センター\"", "1:2 3:1 9:0"},
      {"\"センター\"", "1:2 2:1 3:1 8:1 9:0 11:1"},
      {"\"レビュー\"", "4:1 5:2"},
      {"\"igasu\"", "7:1 10:0"},
      {"\"地域包括\" AND \"支援センター\"", "1:4 3:2 9:0"},
      {"\"8050問題\"", "3:1 7:1"},
  };
  sqlite3_stmt *st = sink_stmt(f->db);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    RankSink sink = {.n_text_inst = -1};
    char got[256] = "";
    size_t len = 0;
    sqlite3_bind_text(st, 1, cases[i].match, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
    while (sqlite3_step(st) == SQLITE_ROW)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%lld:%lld", len ? " " : "",
                              (long long)sqlite3_column_int64(st, 0),
                              (long long)sink.n_text_inst);
    sqlite3_reset(st);
    if (strcmp(got, cases[i].expect) != 0) print_error("case %s\n", cases[i].match);
    assert_string_equal(got, cases[i].expect);
  }
  sqlite3_finalize(st);
}

/* ---- the bundled corpus through the real parser and store ------------------------------- */

/* Indexes the corpus file into a new database at path, as jfts-index does. */
static void index_corpus(const char *path) {
  StoreFile as = {.path = "corpus/sendai-r3-jiritsushien.txt", .realpath = CORPUS_FILE};
  test_index_file(path, CORPUS_FILE, &as);
}

/* Opens a jfts database on a plain connection with the tokenizer and jfts_rank, its lengths
** loaded from passages.n_tokens. */
static sqlite3 *open_ranked(const char *path, Lengths *len) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  assert_int_equal(tok_register(db), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  int64_t max_id = 0;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT max(id) FROM passages", -1, &st, NULL),
                   SQLITE_OK);
  if (sqlite3_step(st) == SQLITE_ROW) max_id = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, n_tokens FROM passages", -1, &st, NULL),
                   SQLITE_OK);
  while (sqlite3_step(st) == SQLITE_ROW)
    lengths_add(len, (size_t)max_id + 1, sqlite3_column_int64(st, 0),
                (uint32_t)sqlite3_column_int64(st, 1));
  sqlite3_finalize(st);
  lengths_finish(len);
  assert_int_equal(rank_register(db, &len->data), SQLITE_OK);
  return db;
}

/* Top-k rowids of `ORDER BY <order>, rowid` (ties by rowid in both orders). */
static size_t top_ids(sqlite3 *db, const char *order, const char *match, int64_t *ids, size_t k) {
  char sql[256];
  snprintf(sql, sizeof sql, "SELECT rowid FROM fts WHERE fts MATCH ?1 ORDER BY %s, rowid LIMIT %zu",
           order, k);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  size_t n = 0;
  while (n < k && sqlite3_step(st) == SQLITE_ROW) ids[n++] = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

static double overlap(const int64_t *a, size_t na, const int64_t *b, size_t nb) {
  if (na == 0 && nb == 0) return 1.0;
  size_t common = 0;
  for (size_t i = 0; i < na; i++)
    for (size_t j = 0; j < nb; j++)
      if (a[i] == b[j]) {
        common++;
        break;
      }
  return (double)common / (double)(na > nb ? na : nb);
}

/* The MATCH expression jfts-query builds for space-separated plain words (qry_build_match
** lives in the query library, which this test does not link): quoted terms ANDed, with the
** prefix marker where the tokenizer asks for it. */
static char *match_of(const char *q) {
  size_t cap = strlen(q) * 2 + 64, len = 0;
  char *m = malloc(cap);
  assert_non_null(m);
  m[0] = '\0';
  for (const char *w = q; *w;) {
    size_t n = strcspn(w, " ");
    if (n > 0) {
      int wants = tok_query_wants_prefix(w, n);
      assert_true(wants >= 0);
      len += (size_t)snprintf(m + len, cap - len, "%s\"%.*s\"%s", len ? " AND " : "", (int)n, w,
                              wants ? " *" : "");
    }
    w += n;
    while (*w == ' ') w++;
  }
  return m;
}

static const char *const k_corpus_queries[] = {
    "支援", "センター", "地域包括支援センター", "相談", "会議", "障害", "8050問題", "レビュー",
    "事業所", "連携", "部会", "課題", "研修", "地域", "協議会", "ケース", "検討", "共有",
    "高齢", "就労", "IGASU", "ひきこもり", "地域包括 支援センター", "児童", "精神", "医療",
    "計画", "実施", "開催", "区",
};


/* The sink's phrase mask: which phrases of the expression (numbered as written) have an
** instance in the row, in any column, and how many phrases FTS5 parsed; what search.c reads
** instead of one id scan per clause. A phrase under NOT is counted, never set. */
static void test_phrase_mask(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  static const struct {
    const char *match, *expect;
  } cases[] = {
      {"\"レビュー\" OR \"8050問題\" OR \"協議会\"", "3:1/3 4:0/3 5:0/3 6:2/3 7:1/3 10:2/3"},
      {"(\"センター\" OR \"会議\") AND \"運営\"", "5:1,2/3 11:0,1,2/3"},
      {"\"支援センター\" NOT \"地域包括\"", "2:0/2 8:0/2"},
      {"\"igasu\" OR \"泉\" *", "7:0/2 10:0/2"},
      {"\"地域包括\" OR \"支援センター\"", "1:0,1/2 2:1/2 3:0,1/2 8:1/2 9:0,1/2"},
  };
  sqlite3_stmt *st = sink_stmt(f->db);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    RankSink sink = {.n_phrase = -1};
    char got[256] = "";
    size_t len = 0;
    sqlite3_bind_text(st, 1, cases[i].match, -1, SQLITE_STATIC);
    sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
    while (sqlite3_step(st) == SQLITE_ROW) {
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%lld:", len ? " " : "",
                              (long long)sqlite3_column_int64(st, 0));
      const char *sep = "";
      for (int p = 0; p < 64; p++) {
        if (!(sink.phrases & (UINT64_C(1) << p))) continue;
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%d", sep, p);
        sep = ",";
      }
      len += (size_t)snprintf(got + len, sizeof got - len, "/%d", sink.n_phrase);
    }
    sqlite3_reset(st);
    if (strcmp(got, cases[i].expect) != 0) print_error("case %s: %s\n", cases[i].match, got);
    assert_string_equal(got, cases[i].expect);
  }
  sqlite3_finalize(st);
}
/* On the corpus (headings and labels of varying length), the top 10 by jfts_rank and by
** bm25() share at least 9 passages on average. */
static void test_corpus_overlap(void **state) {
  (void)state;
  char path[64];
  test_temp_db(path, sizeof path, "rank");
  index_corpus(path);
  Lengths len = {0};
  sqlite3 *db = open_ranked(path, &len);
  double sum = 0.0, worst = 1.0;
  size_t n_q = sizeof k_corpus_queries / sizeof k_corpus_queries[0];
  for (size_t i = 0; i < n_q; i++) {
    char *match = match_of(k_corpus_queries[i]);
    int64_t a[10], b[10];
    size_t na = top_ids(db, "bm25(fts, 1.0, 0.4, 0.4)", match, a, 10);
    size_t nb = top_ids(db, "jfts_rank(fts)", match, b, 10);
    double o = overlap(a, na, b, nb);
    sum += o;
    if (o < worst) worst = o;
    free(match);
  }
  print_message("corpus top-10 overlap jfts_rank vs bm25: mean %.3f, worst %.2f over %zu queries\n",
                sum / (double)n_q, worst, n_q);
  assert_true(sum / (double)n_q >= 0.9);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  lengths_free(&len);
  unlink(path);
}

/* ---- benchmark (opt-in: JFTS_RANK_BENCH_DB=index.db [JFTS_RANK_BENCH_QUERIES=file]) --------
** Times each query form on a real index. It also asserts, so that a run on a large index is
** a test too: every form succeeds and returns the rows bare iteration finds (up to its
** LIMIT), and jfts_rank's top 10 overlap bm25's as test_corpus_overlap requires. */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A one-phrase query with defer_idf skips jfts_rank's count of the phrase's rows; the score
** the caller then makes from x, y and the rows it counted is the one jfts_rank returns without
** deferring, bit for bit, and the instance counts are the same. A query of two phrases is
** never deferred. */
static void test_deferred_idf(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  static const struct {
    const char *match;
    int deferred;
  } cases[] = {
      {"\"地域包括支援センター\"", 1}, {"\"センター\"", 1}, {"\"igasu\"", 1},
      {"text : \"レビュー\"", 1},   {"\"地域包括\" AND \"支援センター\"", 0},
  };
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT rowid, jfts_rank(fts, ?2) FROM fts"
                                             " WHERE fts MATCH ?1 ORDER BY rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    double direct[64], x[64], y[64];
    int64_t inst[64], inst_d[64], n_row = 0;
    int n = 0, n_d = 0, deferred = 0;
    for (int pass = 0; pass < 2; pass++) {
      RankSink sink = {.defer_idf = pass};
      sqlite3_bind_text(st, 1, cases[i].match, -1, SQLITE_STATIC);
      sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (pass == 0) {
          assert_false(sink.deferred);
          assert_true(n < 64);
          direct[n] = -sqlite3_column_double(st, 1);
          inst[n++] = sink.n_text_inst;
        } else {
          assert_true(n_d < 64);
          deferred |= sink.deferred;
          x[n_d] = sink.x;
          y[n_d] = sink.y;
          inst_d[n_d++] = sink.n_text_inst;
          n_row = sink.n_row;
          if (!sink.deferred) direct[n_d - 1] = -sqlite3_column_double(st, 1);
        }
      }
      sqlite3_reset(st);
    }
    if (deferred != cases[i].deferred) print_error("case %s\n", cases[i].match);
    assert_int_equal(deferred, cases[i].deferred);
    assert_int_equal(n_d, n);
    assert_true(n > 0);
    double idf = rank_idf(n_row, n_d);
    for (int r = 0; r < n; r++) {
      assert_int_equal(inst_d[r], inst[r]);
      if (!deferred) continue;
      double got = rank_deferred_score(idf, x[r], y[r]);
      if (memcmp(&got, &direct[r], sizeof got) != 0)
        print_error("case %s row %d: %.17g, not %.17g\n", cases[i].match, r, got, direct[r]);
      assert_memory_equal(&got, &direct[r], sizeof got);
    }
  }
  sqlite3_finalize(st);
}

/* With defer_any (the caller's statement is an OR of phrases), a query of several phrases is
** deferred too: the score made from freq, norm and each phrase's row count in the scan (the
** rows whose mask holds it) is jfts_rank's own, bit for bit. Without defer_any it is not. */
static void test_deferred_any(void **state) {
  Fixture *f = *state;
  assert_int_equal(rank_register(f->db, &f->len.data), SQLITE_OK);
  static const struct {
    const char *match;
    int defer_any, deferred;
  } cases[] = {
      {"\"地域包括\" OR \"支援センター\"", 1, 1},
      {"(\"センター\" OR \"igasu\") OR \"レビュー\"", 1, 1},
      {"\"地域\" OR \"包括\" OR \"支援\" OR \"センター\"", 1, 1},
      {"\"センター\"", 1, 1},
      {"\"地域包括\" OR \"支援センター\"", 0, 0},
  };
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT rowid, jfts_rank(fts, ?2) FROM fts"
                                             " WHERE fts MATCH ?1 ORDER BY rowid",
                                      -1, &st, NULL),
                   SQLITE_OK);
  enum { MAX_ROWS = 256, MAX_PHRASES = 4 };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    static double direct[MAX_ROWS], freq[MAX_ROWS][MAX_PHRASES], norm[MAX_ROWS];
    static uint64_t mask[MAX_ROWS];
    int n = 0, n_d = 0, deferred = 0, n_phrase = 0;
    int64_t n_row = 0;
    for (int pass = 0; pass < 2; pass++) {
      RankSink sink = {.defer_idf = pass, .defer_any = pass && cases[i].defer_any};
      sqlite3_bind_text(st, 1, cases[i].match, -1, SQLITE_STATIC);
      sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
      while (sqlite3_step(st) == SQLITE_ROW) {
        if (pass == 0) {
          assert_true(n < MAX_ROWS);
          direct[n++] = -sqlite3_column_double(st, 1);
          continue;
        }
        assert_true(n_d < MAX_ROWS && sink.n_phrase <= MAX_PHRASES);
        deferred |= sink.deferred;
        n_phrase = sink.n_phrase;
        n_row = sink.n_row;
        mask[n_d] = sink.phrases;
        norm[n_d] = sink.norm;
        if (sink.deferred) memcpy(freq[n_d], sink.freq, (size_t)n_phrase * sizeof(double));
        else assert_memory_equal(&(double){-sqlite3_column_double(st, 1)}, &direct[n_d],
                                 sizeof(double));
        n_d++;
      }
      sqlite3_reset(st);
    }
    if (deferred != cases[i].deferred) print_error("case %s\n", cases[i].match);
    assert_int_equal(deferred, cases[i].deferred);
    assert_int_equal(n_d, n);
    assert_true(n > 0);
    if (!deferred) continue;
    double idf[MAX_PHRASES];
    for (int p = 0; p < n_phrase; p++) {
      int64_t n_hit = 0;
      for (int r = 0; r < n; r++) n_hit += (int64_t)(mask[r] >> p & 1u);
      idf[p] = rank_idf(n_row, n_hit);
    }
    for (int r = 0; r < n; r++) {
      double got = rank_deferred_sum(idf, freq[r], n_phrase, norm[r]);
      if (memcmp(&got, &direct[r], sizeof got) != 0)
        print_error("case %s row %d: %.17g, not %.17g\n", cases[i].match, r, got, direct[r]);
      assert_memory_equal(&got, &direct[r], sizeof got);
    }
  }
  sqlite3_finalize(st);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Runs sql (MATCH in ?1; ?2 a RankSink when sink) to the end; returns rows. */
static long run_all(sqlite3 *db, sqlite3_stmt *st, const char *match, int sink) {
  RankSink s = {0};
  long n = 0;
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  if (sink) sqlite3_bind_pointer(st, 2, &s, RANK_SINK_TYPE, NULL);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) n++;
  if (rc != SQLITE_DONE) print_error("%s\n", sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_reset(st);
  return n;
}

static void test_bench(void **state) {
  (void)state;
  const char *path = getenv("JFTS_RANK_BENCH_DB");
  if (path == NULL) {
    skip();
    return;
  }
  const char *qpath = getenv("JFTS_RANK_BENCH_QUERIES");
  char *queries[256];
  size_t n_q = 0;
  if (qpath) {
    FILE *fp = fopen(qpath, "r");
    assert_non_null(fp);
    char line[1024];
    while (n_q < 256 && fgets(line, sizeof line, fp)) {
      line[strcspn(line, "\r\n")] = '\0';
      char *w = strchr(line, '\t');
      w = w ? w + 1 : line;
      if (*w) queries[n_q++] = strdup(w);
    }
    fclose(fp);
  } else {
    for (; n_q < sizeof k_corpus_queries / sizeof k_corpus_queries[0]; n_q++)
      queries[n_q] = strdup(k_corpus_queries[n_q]);
  }
  double t0 = now_ms();
  Lengths len = {0};
  sqlite3 *db = open_ranked(path, &len);
  print_message("load lengths (plain SELECT id, n_tokens): %.1f ms\n", now_ms() - t0);

  /* limit: the LIMIT of the form's SQL (0: none), so that each form's row count is checked
  ** against bare iteration's. */
  static const struct {
    const char *name, *sql;
    int sink;
    long limit;
  } forms[] = {
      {"bare iteration", "SELECT rowid FROM fts WHERE fts MATCH ?1", 0, 0},
      {"ORDER BY rank (bm25) LIMIT 10", "SELECT rowid FROM fts WHERE fts MATCH ?1"
                                        " ORDER BY rank LIMIT 10", 0, 10},
      {"ORDER BY bm25(fts,1,.4,.4) LIMIT 10", "SELECT rowid FROM fts WHERE fts MATCH ?1"
                                              " ORDER BY bm25(fts, 1.0, 0.4, 0.4) LIMIT 10", 0,
       10},
      {"ORDER BY jfts_rank(fts) LIMIT 10", "SELECT rowid FROM fts WHERE fts MATCH ?1"
                                           " ORDER BY jfts_rank(fts) LIMIT 10", 0, 10},
      {"rank MATCH 'jfts_rank()' ORDER BY rank LIMIT 10",
       "SELECT rowid FROM fts WHERE fts MATCH ?1 AND rank MATCH 'jfts_rank()'"
       " ORDER BY rank LIMIT 10", 0, 10},
      {"every row: rowid, jfts_rank(fts, sink)", "SELECT rowid, jfts_rank(fts, ?2) FROM fts"
                                                 " WHERE fts MATCH ?1", 1, 0},
      {"every row: rowid, bm25(fts,1,.4,.4)", "SELECT rowid, bm25(fts, 1.0, 0.4, 0.4) FROM fts"
                                              " WHERE fts MATCH ?1", 0, 0},
  };
  size_t n_forms = sizeof forms / sizeof forms[0];
  int reps = getenv("JFTS_RANK_BENCH_REPS") ? atoi(getenv("JFTS_RANK_BENCH_REPS")) : 5;
  char **matches = calloc(n_q, sizeof *matches);
  assert_non_null(matches);
  long *n_rows = calloc(n_q, sizeof *n_rows); /* rows of bare iteration (forms[0]) */
  assert_non_null(n_rows);
  for (size_t q = 0; q < n_q; q++) matches[q] = match_of(queries[q]);
  for (size_t fi = 0; fi < n_forms; fi++) {
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, forms[fi].sql, -1, &st, NULL), SQLITE_OK);
    double *ms = calloc(n_q, sizeof *ms);
    double total = 0.0;
    for (size_t q = 0; q < n_q; q++) {
      long rows = run_all(db, st, matches[q], forms[fi].sink); /* warm-up */
      if (fi == 0) n_rows[q] = rows;
      long want = forms[fi].limit && n_rows[q] > forms[fi].limit ? forms[fi].limit : n_rows[q];
      if (rows != want)
        print_error("%s: %ld rows for '%s', bare iteration %ld\n", forms[fi].name, rows,
                    queries[q], n_rows[q]);
      assert_int_equal(rows, want);
      double best = 1e30;
      for (int r = 0; r < reps; r++) {
        double t = now_ms();
        run_all(db, st, matches[q], forms[fi].sink);
        t = now_ms() - t;
        if (t < best) best = t;
      }
      ms[q] = best;
      total += best;
    }
    qsort(ms, n_q, sizeof *ms, cmp_double);
    print_message("%-50s p50 %7.3f ms  p90 %7.3f  max %7.3f  sum %8.2f\n", forms[fi].name,
                  ms[n_q / 2], ms[n_q * 9 / 10], ms[n_q - 1], total);
    free(ms);
    sqlite3_finalize(st);
  }
  double sum = 0.0, worst = 1.0;
  for (size_t q = 0; q < n_q; q++) {
    int64_t a[10], b[10];
    size_t na = top_ids(db, "bm25(fts, 1.0, 0.4, 0.4)", matches[q], a, 10);
    size_t nb = top_ids(db, "jfts_rank(fts)", matches[q], b, 10);
    double o = overlap(a, na, b, nb);
    if (o < 1.0) print_message("  overlap %.1f: %s\n", o, queries[q]);
    sum += o;
    if (o < worst) worst = o;
  }
  print_message("top-10 overlap jfts_rank vs bm25: mean %.3f, worst %.2f over %zu queries\n",
                sum / (double)n_q, worst, n_q);
  /* The floor test_corpus_overlap holds the bundled corpus to. */
  assert_true(sum / (double)n_q >= 0.9);
  for (size_t q = 0; q < n_q; q++) {
    free(matches[q]);
    free(queries[q]);
  }
  free(matches);
  free(n_rows);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  lengths_free(&len);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_equals_bm25_without_data, setup, teardown),
      cmocka_unit_test_setup_teardown(test_equals_bm25_with_data, setup, teardown),
      cmocka_unit_test_setup_teardown(test_formula_with_data, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sink, setup, teardown),
      cmocka_unit_test_setup_teardown(test_phrase_mask, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deferred_idf, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deferred_any, setup, teardown),
      cmocka_unit_test(test_corpus_overlap),
      cmocka_unit_test(test_bench),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
