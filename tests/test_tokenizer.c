/* Tests of the jfts FTS5 tokenizer: the tokens and offsets it emits in document and query
** mode, what FTS5 stores through fts5vocab, specific queries on hard cases, and the oracle
** test: random substrings of the corpus must match exactly the rows where grep would find
** them in the normalized text (recall and precision 1.000). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/ubrk.h>
#include <unicode/unorm2.h>

#include "jfts_common.h"
#include "norm.h"
#include "test_oracle.h"
#include "test_nfkc_hook.h"
#include "test_util.h"
#include "tokenizer.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

/* ---- rendering tokens ---- */

typedef struct Render {
  char *buf;  /* NUL-terminated rendering */
  size_t len; /* bytes used */
  size_t cap; /* bytes allocated */
} Render;

static void render_append(Render *r, const char *s, size_t n) {
  if (r->len + n + 1 > r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 256;
    while (cap < r->len + n + 1) cap *= 2;
    r->buf = realloc(r->buf, cap);
    assert_non_null(r->buf);
    r->cap = cap;
  }
  memcpy(r->buf + r->len, s, n);
  r->len += n;
  r->buf[r->len] = '\0';
}

/* Renders a token as "text@start:end", the gap token as "GAP@start:end", a run-end token
** "c" TOK_END as "c$"; a colocated token follows the one before it after "&", any other
** after "|". */
static int render_token(void *ctx, int colocated, const char *token, int n_token, int start,
                        int end) {
  Render *r = ctx;
  char pos[48];
  assert_true(colocated == 0 || colocated == FTS5_TOKEN_COLOCATED);
  assert_true(r->len > 0 || !colocated);
  if (r->len) render_append(r, colocated ? "&" : "|", 1);
  if (n_token == 1 && token[0] == TOK_GAP[0]) {
    render_append(r, "GAP", 3);
  } else if (n_token > 1 && token[n_token - 1] == TOK_END[0]) {
    render_append(r, token, (size_t)n_token - 1);
    render_append(r, "$", 1);
  } else {
    render_append(r, token, (size_t)n_token);
  }
  int n = snprintf(pos, sizeof pos, "@%d:%d", start, end);
  render_append(r, pos, (size_t)n);
  return 0;
}

static char *render_tokens(const char *text, size_t n_bytes, int flags) {
  Render r = {NULL, 0, 0};
  render_append(&r, "", 0);
  int rc = tok_tokenize(text, n_bytes, flags, render_token, &r);
  assert_int_equal(rc, SQLITE_OK);
  return r.buf;
}

#define D FTS5_TOKENIZE_DOCUMENT
#define Q FTS5_TOKENIZE_QUERY
#define QP (FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX)
#define A FTS5_TOKENIZE_AUX

static const struct {
  const char *name;
  int flags;
  const char *input, *expect;
} k_cases[] = {
    {"empty", D, "", ""},
    {"white space only", D, " \n\t　\r\n", ""},
    {"punctuation only", D, "、。・（）", ""},
    {"space between word and kanji", D, "8050 問題", "8050@0:4|問題@5:11&問@5:8|題$@8:11&題@8:11"},
    {"space between word and kanji, query", Q, "8050 問題", "8050@0:4|問題@5:11"},
    {"no space", Q, "8050問題", "8050@0:4|問題@4:10"},
    {"comma between word and kanji", D, "8050、問題",
     "8050@0:4|GAP@4:7|問題@7:13&問@7:10|題$@10:13&題@10:13"},
    {"comma between word and kanji, query", Q, "8050、問題", "8050@0:4|GAP@4:7|問題@7:13"},
    {"line break between word and kanji", D, "8050\n問題",
     "8050@0:4|GAP@4:5|問題@5:11&問@5:8|題$@8:11&題@8:11"},
    {"space and line break", D, "8050 \n 問題", "8050@0:4|GAP@4:7|問題@7:13&問@7:10|題$@10:13&題@10:13"},
    {"space between two kanji", D, "児 童", "児童@0:7&児@0:3|童$@4:7&童@4:7"},
    {"letter-spaced heading", D, "人 件 費", "人件@0:7&人@0:3|件費@4:11&件@4:7|費$@8:11&費@8:11"},
    {"ideographic space between kana", D, "あり　ます", "あり@0:6|りま@3:12|ます@9:15|す$@12:15"},
    {"line break inside a word", D, "ネッ\nトワーク",
     "ネッ@0:6|ット@3:10|トワ@7:13|ワー@10:16|ーク@13:19|ク$@16:19"},
    {"CRLF and indent inside a word", D, "宗谷\r\n  本線",
     "宗谷@0:6&宗@0:3|谷本@3:13&谷@3:6|本線@10:16&本@10:13|線$@13:16&線@13:16"},
    {"space between two kanji, query", Q, "児 童", "児童@0:7"},
    {"spaced kanji then word", D, "第 1 回", "第$@0:3&第@0:3|1@4:5|回$@6:9&回@6:9"},
    {"digits across a line break stay two words", D, "514\n4", "514@0:3|4@4:5"},
    {"circled number after a line break", D, "514\n④地域",
     "514@0:3|4@4:7|地域@7:13&地@7:10|域$@10:13&域@10:13"},
    {"parenthesis", D, "2)実務", "2@0:1|GAP@1:2|実務@2:8&実@2:5|務$@5:8&務@5:8"},
    {"full-width parentheses", D, "（１）全体", "1@3:6|GAP@6:9|全体@9:15&全@9:12|体$@12:15&体@12:15"},
    {"kanji then punctuation then word", D, "会議（IGASU",
     "会議@0:6&会@0:3|議$@3:6&議@3:6|GAP@6:9|igasu@9:14"},
    {"full-width word then kanji", D, "ＩＧＡＳＵ会議", "igasu@0:15|会議@15:21&会@15:18|議$@18:21&議@18:21"},
    {"full-width word then kanji, query", Q, "ＩＧＡＳＵ会議", "igasu@0:15|会議@15:21"},
    {"upper case folds", D, "Web 開催", "web@0:3|開催@4:10&開@4:7|催$@7:10&催@7:10"},
    {"digits and space", D, "65 歳", "65@0:2|歳$@3:6&歳@3:6"},
    {"digits and space, query", Q, "65 歳", "65@0:2|歳@3:6"},
    {"one kanji query", Q, "泉", "泉@0:3"},
    {"one kanji query with prefix flag", QP, "泉", "泉@0:3"},
    {"word inside a word stays one token", D, "h30年度", "h30@0:3|年度@3:9&年@3:6|度$@6:9&度@6:9"},
    {"spaced counter", D, "第 1 回", "第$@0:3&第@0:3|1@4:5|回$@6:9&回@6:9"},
    {"two kanji runs", D, "問題、解決", "問題@0:6&問@0:3|題$@3:6&題@3:6|解決@9:15&解@9:12|決$@12:15&決@12:15"},
    {"two kanji runs, query", Q, "問題、解決", "問題@0:6|題$@3:6|解決@9:15"},
    {"two words", D, "ab, cd", "ab@0:2|cd@4:6"},
    {"kanji then word, query", Q, "題a", "題$@0:3|a@3:4"},
    {"trailing punctuation, query", Q, "問題。", "問題@0:6"},
    {"half-width katakana", D, "ｶﾞｽ代", "ガス@0:9|ス代@6:12|代$@9:12&代@9:12"},
    {"half-width katakana, query", Q, "ｶﾞｽ", "ガス@0:9"},
    {"half-width katakana one char, query", Q, "ｶﾞ", "ガ@0:6"},
    {"surrogate pair", D, "𠮷野家", "𠮷野@0:7&𠮷@0:4|野家@4:10&野@4:7|家$@7:10&家@7:10"},
    {"surrogate pair, query", Q, "𠮷野家", "𠮷野@0:7|野家@4:10"},
    {"square era name", D, "㍻元年", "平成@0:3&平@0:3|成元@0:6&成@0:3|元年@3:9&元@3:6|年$@6:9&年@6:9"},
    {"long katakana run", D, "レイヤーダイアログ",
     "レイ@0:6|イヤ@3:9|ヤー@6:12|ーダ@9:15|ダイ@12:18|イア@15:21|アロ@18:24|ログ@21:27|グ$@24:27"},
    {"long katakana run, query", Q, "ダイアログ", "ダイ@0:6|イア@3:9|アロ@6:12|ログ@9:15"},
    {"emoji", D, "😀😀ok", "😀😀@0:8&😀@0:4|😀$@4:8&😀@4:8|ok@8:10"},
    {"emoji between kanji", D, "今日😀です",
     "今日@0:6&今@0:3|日😀@3:10&日@3:6|😀で@6:13&😀@6:10|です@10:16|す$@13:16"},
    {"symbol of class S is an n-gram", D, "1～3", "1@0:1|~$@1:4&~@1:4|3@4:5"},
    {"combining mark in a word", D, "cafe\xCC\x81 au", "café@0:6|au@7:9"},
    {"combining mark on kana", D, "ん\xE3\x82\x99き", "ん゙@0:6|゙き@3:9|き$@6:9"},
    {"invalid UTF-8", D, "a\xFF", "a@0:1|\xEF\xBF\xBD$@1:2&\xEF\xBF\xBD@1:2"},
    {"symbols", D, "※50％", "※@0:3|50@3:5|%@5:8"},
    {"symbols, query", Q, "※50％", "※@0:3|50@3:5|%@5:8"},
    {"symbol next to kanji", D, "※印", "※@0:3|印$@3:6&印@3:6"},
    {"symbol next to kanji, query", Q, "注意※", "注意@0:6|意$@3:6|※@6:9"},
    {"two symbols", D, "%%", "%@0:1|%@1:2"},
    {"space next to a symbol is a gap", D, "50 %", "50@0:2|GAP@2:3|%@3:4"},
    {"punctuation between symbols is a gap", D, "※、※", "※@0:3|GAP@3:6|※@6:9"},
    {"sentence punctuation is no symbol", D, "!,.:;?・、。#&@§", "#@15:16|&@16:17|@@17:18|§@18:20"},
    {"a star is a separator", Q, "支援*", "支援@0:6"},
    {"one kana query", Q, "の", "の@0:3"},
    {"aux is document", A, "8050、問題", "8050@0:4|GAP@4:7|問題@7:13&問@7:10|題$@10:13&題@10:13"},
};

static void test_cases(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof k_cases / sizeof k_cases[0]; k++) {
    char *got = render_tokens(k_cases[k].input, strlen(k_cases[k].input), k_cases[k].flags);
    if (strcmp(got, k_cases[k].expect) != 0) print_error("case '%s'\n", k_cases[k].name);
    assert_string_equal(got, k_cases[k].expect);
    free(got);
  }
}

static const struct {
  const char *term;
  int expect;
} k_prefix[] = {
    {"泉", 0},       {"65歳", 0},  {"65 歳", 0}, {"泉。", 0},  {"問題 泉", 0},
    {"a泉", 0},      {"ｶﾞ", 1},    {"𠮷", 0},    {"ー", 1},     {"問題", 0},
    {"8050", 0},     {"泉a", 0},   {"", 0},      {"、", 0},     {"ダイアログ", 0},
    {"8050、問題", 0}, {"問題、泉", 0}, {"問\n泉", 0}, {"a 泉", 0}, {"の", 1},
    {"65か", 1},     {"65 か", 1}, {"問題、の", 1}, {"問\nの", 0}, {"※", 0},
    {"の※", 0},     {"％", 0},
};

static void test_wants_prefix(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof k_prefix / sizeof k_prefix[0]; k++) {
    int got = tok_query_wants_prefix(k_prefix[k].term, strlen(k_prefix[k].term));
    if (got != k_prefix[k].expect) print_error("term '%s'\n", k_prefix[k].term);
    assert_int_equal(got, k_prefix[k].expect);
  }
}

static int stop_after_two(void *ctx, int colocated, const char *token, int n_token, int start,
                          int end) {
  (void)colocated;
  (void)token;
  (void)n_token;
  (void)start;
  (void)end;
  int *count = ctx;
  return ++*count == 2 ? SQLITE_DONE : 0;
}

/* A callback's non-zero value stops tokenizing and is returned as is. */
static void test_callback_stops(void **state) {
  (void)state;
  int count = 0;
  const char *text = "地域包括支援センター";
  assert_int_equal(tok_tokenize(text, strlen(text), D, stop_after_two, &count), SQLITE_DONE);
  assert_int_equal(count, 2);
}

/* A word longer than the tokenizer's stack buffer comes out whole. */
static void test_long_word(void **state) {
  (void)state;
  char text[3000];
  memset(text, 'x', sizeof text - 1);
  text[sizeof text - 1] = '\0';
  memcpy(text + 1500, "ＡＢ", 6); /* normalization segments inside the word */
  char *got = render_tokens(text, strlen(text), D);
  char expect[3100];
  memset(expect, 'x', 2995); /* six bytes of x became two full-width letters */
  memcpy(expect + 1500, "ab", 2);
  snprintf(expect + 2995, sizeof expect - 2995, "@0:%zu", strlen(text));
  assert_string_equal(got, expect);
  free(got);
}

/* ---- SQLite fixture ---- */

static int setup_db(void **state) {
  sqlite3 *db = NULL;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return -1;
  if (tok_register(db) != SQLITE_OK) return -1;
  *state = db;
  return 0;
}

static int teardown_db(void **state) {
  assert_int_equal(sqlite3_close(*state), SQLITE_OK);
  return 0;
}

static void exec_ok(sqlite3 *db, const char *sql) {
  char *err = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &err);
  if (rc != SQLITE_OK) print_error("%s: %s\n", sql, err ? err : "?");
  sqlite3_free(err);
  assert_int_equal(rc, SQLITE_OK);
}

static int insert_row(sqlite3 *db, sqlite3_stmt *ins, sqlite3_int64 rowid, const char *text,
                      size_t n) {
  sqlite3_bind_int64(ins, 1, rowid);
  sqlite3_bind_text(ins, 2, text, (int)n, SQLITE_TRANSIENT);
  int rc = sqlite3_step(ins);
  sqlite3_reset(ins);
  if (rc != SQLITE_DONE) print_error("insert: %s\n", sqlite3_errmsg(db));
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Rowids matching expr, rendered "1,3,7". */
static char *match_rows(sqlite3 *db, const char *expr) {
  sqlite3_stmt *st = NULL;
  Render r = {NULL, 0, 0};
  render_append(&r, "", 0);
  int rc = sqlite3_prepare_v2(db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid", -1,
                              &st, NULL);
  assert_int_equal(rc, SQLITE_OK);
  sqlite3_bind_text(st, 1, expr, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    char num[32];
    int n = snprintf(num, sizeof num, "%s%lld", r.len ? "," : "", sqlite3_column_int64(st, 0));
    render_append(&r, num, (size_t)n);
  }
  if (rc != SQLITE_DONE) print_error("MATCH %s: %s\n", expr, sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  return r.buf;
}

/* The MATCH expression the query builder makes of a term: a quoted phrase, plus `*` when
** the term ends in a one-character Japanese run. */
static char *phrase_expr(const char *term, size_t n) {
  Render r = {NULL, 0, 0};
  render_append(&r, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    render_append(&r, term + i, 1);
    if (term[i] == '"') render_append(&r, "\"", 1);
  }
  render_append(&r, "\"", 1);
  if (tok_query_wants_prefix(term, n)) render_append(&r, " *", 2);
  return r.buf;
}

static void test_fts5_vocab(void **state) {
  sqlite3 *db = *state;
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts');"
              "CREATE VIRTUAL TABLE v USING fts5vocab(t, instance);"
              "INSERT INTO t(rowid, body) VALUES(1, '8050 問題'), (2, '8050、問題'),"
              "(3, 'ＩＧＡＳＵ会議'), (4, 'ｶﾞｽ');");
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT term, doc, offset FROM v ORDER BY doc, offset, term",
                                      -1, &st, NULL),
                   SQLITE_OK);
  Render r = {NULL, 0, 0};
  render_append(&r, "", 0);
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *term = (const char *)sqlite3_column_text(st, 0);
    char buf[128];
    size_t n_term = strlen(term);
    int end = n_term > 1 && term[n_term - 1] == TOK_END[0];
    int n = snprintf(buf, sizeof buf, "%s%.*s%s@%d:%d", r.len ? "|" : "",
                     strcmp(term, TOK_GAP) == 0 ? 3 : (int)n_term - end,
                     strcmp(term, TOK_GAP) == 0 ? "GAP" : term, end ? "$" : "",
                     sqlite3_column_int(st, 1), sqlite3_column_int(st, 2));
    render_append(&r, buf, (size_t)n);
  }
  assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
  /* One doclist per kanji (問, 題), colocated with the bigram or run-end token; none for
  ** kana. */
  assert_string_equal(r.buf, "8050@1:0|問@1:1|問題@1:1|題@1:2|題$@1:2|"
                             "8050@2:0|GAP@2:1|問@2:2|問題@2:2|題@2:3|題$@2:3|"
                             "igasu@3:0|会@3:1|会議@3:1|議@3:2|議$@3:2|"
                             "ガス@4:0|ス$@4:1");
  free(r.buf);

  static const struct {
    const char *expr, *expect;
  } k_match[] = {
      {"\"8050問題\"", "1"},  {"\"8050 問題\"", "1"}, {"\"8050、問題\"", "2"},
      {"\"問題\"", "1,2"},    {"\"題\" *", "1,2"},    {"\"igasu会議\"", "3"},
      {"\"ＩＧＡＳＵ\"", "3"}, {"\"igas\"", ""},      {"\"ガ\" *", "4"},
      {"\"ｶﾞｽ\"", "4"},
  };
  for (size_t k = 0; k < sizeof k_match / sizeof k_match[0]; k++) {
    char *got = match_rows(db, k_match[k].expr);
    if (strcmp(got, k_match[k].expect) != 0) print_error("MATCH %s\n", k_match[k].expr);
    assert_string_equal(got, k_match[k].expect);
    free(got);
  }
}

static void test_tokenizer_arguments(void **state) {
  sqlite3 *db = *state;
  int rc = sqlite3_exec(db, "CREATE VIRTUAL TABLE x USING fts5(body, tokenize='jfts porter')",
                        NULL, NULL, NULL);
  assert_int_equal(rc, SQLITE_ERROR);
  assert_string_equal(sqlite3_errmsg(db), "error in tokenizer constructor");
}

/* ---- recorded tokens (TokBatch) and their replay into FTS5 ---- */

/* Every (term, rowid, offset) instance of table `name`, rendered one per line. */
static char *vocab_instances(sqlite3 *db, const char *name) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "CREATE VIRTUAL TABLE temp.v_%s USING fts5vocab(main, %s, instance)", name, name);
  exec_ok(db, sql);
  snprintf(sql, sizeof sql, "SELECT term, doc, offset FROM temp.v_%s ORDER BY term, doc, offset",
           name);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
  Render r = {NULL, 0, 0};
  render_append(&r, "", 0);
  while (sqlite3_step(st) == SQLITE_ROW) {
    char line[64];
    render_append(&r, (const char *)sqlite3_column_text(st, 0),
                  (size_t)sqlite3_column_bytes(st, 0));
    int n = snprintf(line, sizeof line, " %lld %d\n", sqlite3_column_int64(st, 1),
                     sqlite3_column_int(st, 2));
    render_append(&r, line, (size_t)n);
  }
  assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
  return r.buf;
}

/* Texts for the batch tests: every document case above, the hard rows below, and the
** corpus's lines. */
static size_t batch_texts(const char ***texts_out, char **corpus_out) {
  static const char *const extra[] = {"8050 問題", "ＩＧＡＳＵ会議を開催", "𠮷野家の牛丼",
                                      "レイヤーダイアログを開く", "今日は😀です👍", ""};
  size_t n_corpus = 0;
  char *corpus = test_read_file(CORPUS_FILE, &n_corpus);
  size_t cap = sizeof k_cases / sizeof k_cases[0] + sizeof extra / sizeof extra[0] + 4096;
  const char **texts = calloc(cap, sizeof *texts);
  assert_non_null(texts);
  size_t n = 0;
  for (size_t k = 0; k < sizeof k_cases / sizeof k_cases[0]; k++)
    if (k_cases[k].flags == D) texts[n++] = k_cases[k].input;
  for (size_t k = 0; k < sizeof extra / sizeof extra[0]; k++) texts[n++] = extra[k];
  for (char *line = strtok(corpus, "\n"); line && n < cap; line = strtok(NULL, "\n"))
    texts[n++] = line;
  *texts_out = texts;
  *corpus_out = corpus;
  return n;
}

/* A batch holds, entry by entry, what tok_tokenize gives; FTS5 fed by replay builds the
** very index it builds by tokenizing. */
static void test_batch_replay(void **state) {
  (void)state;
  const char **texts = NULL;
  char *corpus = NULL;
  size_t n = batch_texts(&texts, &corpus);
  assert_true(n > 400);

  TokBatch *b = NULL;
  assert_int_equal(tok_batch_new(&b), JFTS_OK);
  for (size_t i = 0; i < n; i++)
    assert_int_equal(tok_batch_add(b, texts[i], strlen(texts[i])), JFTS_OK);
  assert_int_equal(tok_batch_count(b), n);
  for (size_t i = 0; i < n; i++) {
    int expect = 0;
    assert_int_equal(tok_tokenize(texts[i], strlen(texts[i]), D, test_count_positions, &expect),
                     SQLITE_OK);
    assert_int_equal(tok_batch_positions(b, i), expect);
  }

  sqlite3 *db = NULL;
  TokReplay *replay = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(tok_register_replay(db, &replay), SQLITE_OK);
  assert_non_null(replay);
  exec_ok(db, "CREATE VIRTUAL TABLE played USING fts5(body, tokenize='jfts');"
              "CREATE VIRTUAL TABLE tokenized USING fts5(body, tokenize='jfts')");
  sqlite3_stmt *ins_played = NULL, *ins_tokenized = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO played(rowid, body) VALUES(?1, ?2)", -1,
                                      &ins_played, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO tokenized(rowid, body) VALUES(?1, ?2)",
                                      -1, &ins_tokenized, NULL), SQLITE_OK);
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(texts[i]);
    tok_replay_arm(replay, 0, texts[i], len, b, i);
    assert_int_equal(insert_row(db, ins_played, (sqlite3_int64)i + 1, texts[i], len), SQLITE_OK);
    tok_replay_clear(replay);
    assert_int_equal(insert_row(db, ins_tokenized, (sqlite3_int64)i + 1, texts[i], len),
                     SQLITE_OK);
  }
  sqlite3_finalize(ins_played);
  sqlite3_finalize(ins_tokenized);
  char *played = vocab_instances(db, "played");
  char *tokenized = vocab_instances(db, "tokenized");
  assert_true(strlen(tokenized) > 50000);
  assert_string_equal(played, tokenized);
  free(played);
  free(tokenized);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  tok_batch_clear(b);
  assert_int_equal(tok_batch_count(b), 0);
  tok_batch_free(b);
  tok_batch_free(NULL);
  free(texts);
  free(corpus);
}

/* Replay is taken only for the armed bytes: another text, even of the same length, is
** tokenized; an arm whose entry was recorded from text of another length is refused; an
** armed text does get the armed tokens (here on purpose another text's of the same length,
** which shows the path is taken). Queries are never replayed. */
static void test_replay_only_for_armed_text(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  TokReplay *replay = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(tok_register_replay(db, &replay), SQLITE_OK);
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts')");
  TokBatch *b = NULL;
  assert_int_equal(tok_batch_new(&b), JFTS_OK);
  static const char *const entries[] = {"地域包括", "8050問題", "abcdefghij"};
  for (size_t k = 0; k < 3; k++)
    assert_int_equal(tok_batch_add(b, entries[k], strlen(entries[k])), JFTS_OK);
  sqlite3_stmt *ins = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES(?1, ?2)", -1, &ins,
                                      NULL), SQLITE_OK);
  static const struct {
    const char *armed, *inserted;
    size_t entry;
  } cases[] = {
      {"地域包括", "支援会議", 0},     /* same length, other bytes: tokenized */
      {"地域包括", "地域包括支援", 0}, /* longer: tokenized */
      {"相談支援", "相談支援", 0},     /* armed bytes: entry 0 (地域包括) replayed */
      {"相談支援", "相談支援", 1},     /* entry of another length: refused, tokenized */
      {NULL, "8050問題", 0},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    if (cases[k].armed)
      tok_replay_arm(replay, 0, cases[k].armed, strlen(cases[k].armed), b, cases[k].entry);
    assert_int_equal(insert_row(db, ins, (sqlite3_int64)k + 1, cases[k].inserted,
                                strlen(cases[k].inserted)), SQLITE_OK);
    tok_replay_clear(replay);
  }
  sqlite3_finalize(ins);
  /* Query tokens are never replayed, even with the query's bytes armed. */
  tok_replay_arm(replay, 0, "8050問題", strlen("8050問題"), b, 2);
  char *got = match_rows(db, "\"8050問題\"");
  tok_replay_clear(replay);
  assert_string_equal(got, "5");
  free(got);
  static const struct {
    const char *expr, *rows;
  } expect[] = {{"\"支援会議\"", "1"}, {"\"地域包括支援\"", "2"}, {"\"相談支援\"", "4"},
                {"\"地域包括\"", "2,3"}};
  for (size_t k = 0; k < sizeof expect / sizeof expect[0]; k++) {
    got = match_rows(db, expect[k].expr);
    if (strcmp(got, expect[k].rows) != 0) print_error("MATCH %s\n", expect[k].expr);
    assert_string_equal(got, expect[k].rows);
    free(got);
  }
  tok_batch_free(b);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Queries on rows built to be hard: mixed scripts, width variants, decomposed accents,
** surrogate pairs, emoji, and the compound ICU's dictionary splits (レイヤーダイアログ). */
static const char *const k_hard_rows[] = {
    /* 1 */ "8050 問題",
    /* 2 */ "8050、問題",
    /* 3 */ "8050\n問題",
    /* 4 */ "165歳以上",
    /* 5 */ "65 歳以上の方",
    /* 6 */ "ＩＧＡＳＵ会議を開催",
    /* 7 */ "igasu 会議",
    /* 8 */ "ﾃﾞｰﾀﾍﾞｰｽとｶﾞｽ代",
    /* 9 */ "𠮷野家の牛丼",
    /* 10 */ "cafe\xCC\x81 au lait",
    /* 11 */ "レイヤーダイアログを開く",
    /* 12 */ "ダイアログ",
    /* 13 */ "シンボリックリンクアドミニストレーションコンソール",
    /* 14 */ "今日は😀です👍",
    /* 15 */ "h30年度は2)実務者会議",
    /* 16 */ "平成30年度（H30）",
    /* 17 */ "㍻30年",
    /* 18 */ "Ｗｅｂ開催とweb 開催",
};

static const struct {
  const char *term, *expect;
} k_hard_queries[] = {
    {"8050問題", "1"},
    {"8050 問題", "1"},
    {"問題", "1,2,3"},
    {"8050", "1,2,3"},
    {"65歳", "5"},
    {"65 歳", "5"},
    {"歳以上", "4,5"},
    {"歳", "4,5"},
    {"igasu", "6,7"},
    {"ＩＧＡＳＵ会議", "6,7"},
    {"igasu会議を", "6"},
    {"gasu", ""},
    {"データベース", "8"},
    {"ベース", "8"},
    {"ｰ", "8,11,13"},
    {"ガス代", "8"},
    {"ｶﾞ", "8"},
    {"𠮷", "9"},
    {"𠮷野家", "9"},
    {"野家", "9"},
    {"café", "10"},
    {"CAFÉ AU", "10"},
    {"caf", ""},
    {"ダイアログ", "11,12"},
    {"ログ", "11,12"},
    {"ダイアログを", "11"},
    {"リンクアドミニ", "13"},
    {"ミニストレーションコンソール", "13"},
    {"😀", "14"},
    {"😀で", "14"},
    {"👍", "14"},
    {"30年", "16,17"},
    {"h30年", "15"},
    {"h30", "15,16"},
    {"2)実務", "15"},
    {"2実務", ""},
    {"平成30年", "16,17"},
    {"web開催", "18"},
    {"開催", "6,18"},
};

static void test_hard_queries(void **state) {
  sqlite3 *db = *state;
  sqlite3_stmt *ins = NULL;
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts')");
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES(?1, ?2)", -1, &ins,
                                      NULL),
                   SQLITE_OK);
  for (size_t k = 0; k < sizeof k_hard_rows / sizeof k_hard_rows[0]; k++) {
    assert_int_equal(insert_row(db, ins, (sqlite3_int64)k + 1, k_hard_rows[k],
                                strlen(k_hard_rows[k])),
                     SQLITE_OK);
  }
  sqlite3_finalize(ins);
  for (size_t k = 0; k < sizeof k_hard_queries / sizeof k_hard_queries[0]; k++) {
    const char *term = k_hard_queries[k].term;
    char *expr = phrase_expr(term, strlen(term));
    char *got = match_rows(db, expr);
    if (strcmp(got, k_hard_queries[k].expect) != 0) print_error("query '%s' (%s)\n", term, expr);
    assert_string_equal(got, k_hard_queries[k].expect);
    free(got);
    free(expr);
  }
}

/* ---- the oracle ---- */

/* One row as the oracle sees it: its normalized code points with skippable spaces removed. */
typedef struct OracleRow {
  char *text;       /* source UTF-8 (malloc) */
  size_t n_bytes;   /* length of text */
  NormText *norm;   /* normalized text */
  TestSkel skel;    /* normalized code points without skippable spaces */
  uint8_t *brk;     /* per normalized code point (+1): 1 at a grapheme boundary before it */
} OracleRow;

typedef struct Oracle {
  OracleRow *rows; /* rowid = index + 1 */
  size_t n_rows;
  size_t cap;
} Oracle;

static void mark_graphemes(OracleRow *row) {
  const NormText *t = row->norm;
  UChar *u = malloc((t->n * 2 + 1) * sizeof(UChar));
  size_t *u_to_cp = malloc((t->n * 2 + 1) * sizeof(size_t));
  row->brk = calloc(t->n + 1, 1);
  assert_true(u && u_to_cp && row->brk);
  size_t k = 0;
  for (size_t i = 0; i < t->n; i++) {
    uint32_t c = t->cp[i];
    u_to_cp[k] = i;
    if (c >= 0x10000) {
      u[k++] = (UChar)(0xD7C0 + (c >> 10));
      u_to_cp[k] = i;
      u[k++] = (UChar)(0xDC00 | (c & 0x3FF));
    } else {
      u[k++] = (UChar)c;
    }
  }
  u_to_cp[k] = t->n;
  UErrorCode st = U_ZERO_ERROR;
  UBreakIterator *bi = ubrk_open(UBRK_CHARACTER, "ja", u, (int32_t)k, &st);
  assert_false(U_FAILURE(st));
  for (int32_t b = ubrk_first(bi); b != UBRK_DONE; b = ubrk_next(bi)) {
    row->brk[u_to_cp[b]] = 1;
  }
  ubrk_close(bi);
  free(u);
  free(u_to_cp);
}

static void oracle_add(Oracle *o, const char *text, size_t n_bytes) {
  if (o->n_rows == o->cap) {
    o->cap = o->cap ? o->cap * 2 : 256;
    o->rows = realloc(o->rows, o->cap * sizeof *o->rows);
    assert_non_null(o->rows);
  }
  OracleRow *row = &o->rows[o->n_rows++];
  memset(row, 0, sizeof *row);
  row->text = malloc(n_bytes + 1);
  assert_non_null(row->text);
  memcpy(row->text, text, n_bytes);
  row->text[n_bytes] = '\0';
  row->n_bytes = n_bytes;
  assert_int_equal(norm_text(text, n_bytes, &row->norm, NULL), JFTS_OK);
  test_skel_build(row->norm, &row->skel);
  mark_graphemes(row);
}

static void oracle_free(Oracle *o) {
  for (size_t k = 0; k < o->n_rows; k++) {
    free(o->rows[k].text);
    norm_free(o->rows[k].norm);
    test_skel_free(&o->rows[k].skel);
    free(o->rows[k].brk);
  }
  free(o->rows);
}

static uint64_t g_rng; /* test_rng_next's state */

static void add_line_rows(Oracle *o, const char *buf, size_t n) {
  /* Non-blank lines, one row each. */
  size_t first_line = o->n_rows;
  for (size_t i = 0; i < n;) {
    size_t e = i;
    while (e < n && buf[e] != '\n') e++;
    int blank = 1;
    for (size_t k = i; k < e; k++) {
      if (buf[k] != ' ' && buf[k] != '\r' && buf[k] != '\t') blank = 0;
    }
    if (!blank) oracle_add(o, buf + i, e - i);
    i = e + 1;
  }
  /* Consecutive lines joined without their newline, 2 to 6 at a time, so that words the PDF
  ** broke across lines form long runs again. */
  size_t n_lines = o->n_rows - first_line;
  for (size_t i = 0; i < n_lines;) {
    size_t span = 2 + (i % 5);
    size_t len = 0;
    for (size_t k = i; k < i + span && k < n_lines; k++) len += o->rows[first_line + k].n_bytes;
    char *joined = malloc(len + 1);
    assert_non_null(joined);
    len = 0;
    for (size_t k = i; k < i + span && k < n_lines; k++) {
      memcpy(joined + len, o->rows[first_line + k].text, o->rows[first_line + k].n_bytes);
      len += o->rows[first_line + k].n_bytes;
    }
    oracle_add(o, joined, len);
    free(joined);
    i += span;
  }
}

static void test_oracle(void **state) {
  sqlite3 *db = *state;
  Oracle o = {NULL, 0, 0};
  FILE *f = fopen(CORPUS_FILE, "rb");
  assert_non_null(f);
  static char buf[1 << 17];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  assert_true(n > 20000 && n < sizeof buf);
  add_line_rows(&o, buf, n);
  for (size_t k = 0; k < sizeof k_hard_rows / sizeof k_hard_rows[0]; k++) {
    oracle_add(&o, k_hard_rows[k], strlen(k_hard_rows[k]));
  }

  sqlite3_stmt *ins = NULL;
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts'); BEGIN");
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(rowid, body) VALUES(?1, ?2)", -1, &ins,
                                      NULL),
                   SQLITE_OK);
  for (size_t k = 0; k < o.n_rows; k++) {
    assert_int_equal(insert_row(db, ins, (sqlite3_int64)k + 1, o.rows[k].text, o.rows[k].n_bytes),
                     SQLITE_OK);
  }
  sqlite3_finalize(ins);
  exec_ok(db, "COMMIT");

  const char *seed_env = getenv("JFTS_TOK_SEED");
  uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 20211u;
  if (seed_env && strcmp(seed_env, "time") == 0) seed = (uint64_t)time(NULL);
  const char *count_env = getenv("JFTS_TOK_QUERIES");
  size_t want = count_env ? (size_t)strtoull(count_env, NULL, 10) : 3000;
  g_rng = seed * 2654435761u + 1;

  size_t done = 0, attempts = 0, with_hits = 0, one_char = 0;
  Render expect = {NULL, 0, 0};
  while (done < want) {
    assert_true(++attempts < want * 100);
    const OracleRow *row = &o.rows[test_rng_next(&g_rng) % o.n_rows];
    const NormText *t = row->norm;
    if (t->n == 0) continue;
    size_t len = 1 + test_rng_next(&g_rng) % 8;
    size_t i = test_rng_next(&g_rng) % t->n;
    size_t j = i + len;
    if (j > t->n || !row->brk[i] || !row->brk[j]) continue;
    /* Whole source chars only: a normalization segment (ｶﾞ, ㍻) is not split. */
    if (i > 0 && t->src_start[i] == t->src_start[i - 1]) continue;
    if (j < t->n && t->src_start[j] == t->src_start[j - 1]) continue;
    int clean = 1;
    for (size_t k = i; k < j; k++) {
      if (t->cls[k] != NORM_WORD && t->cls[k] != NORM_CJK) clean = 0;
    }
    if (!clean) continue;

    const char *term = row->text + t->src_start[i];
    size_t term_bytes = t->src_end[j - 1] - t->src_start[i];
    NormText *q = NULL;
    assert_int_equal(norm_text(term, term_bytes, &q, NULL), JFTS_OK);
    for (size_t k = 0; k < q->n; k++) {
      if (q->cls[k] != NORM_WORD && q->cls[k] != NORM_CJK) clean = 0;
    }
    if (!clean || q->n == 0) {
      norm_free(q);
      continue;
    }

    expect.len = 0;
    render_append(&expect, "", 0);
    for (size_t r = 0; r < o.n_rows; r++) {
      if (test_skel_count(&o.rows[r].skel, q, 1) == 0) continue;
      char num[32];
      int nn = snprintf(num, sizeof num, "%s%zu", expect.len ? "," : "", r + 1);
      render_append(&expect, num, (size_t)nn);
    }
    char *expr = phrase_expr(term, term_bytes);
    char *got = match_rows(db, expr);
    if (strcmp(got, expect.buf) != 0) {
      print_error("oracle mismatch: seed %llu, query #%zu %s\n", (unsigned long long)seed, done,
                  expr);
      print_error("  rows found by FTS5: %s\n  rows the oracle expects: %s\n", got, expect.buf);
    }
    assert_string_equal(got, expect.buf);
    with_hits += expect.len > 0;
    one_char += q->n == 1;
    free(got);
    free(expr);
    norm_free(q);
    done++;
  }
  print_message("oracle: %zu queries (%zu one character, %zu with hits) over %zu rows, seed %llu\n",
                done, one_char, with_hits, o.n_rows, (unsigned long long)seed);
  /* Queries that start or end inside a word find nothing; most must find their row. */
  assert_true(with_hits * 2 >= done);
  assert_true(one_char * 20 >= done);
  free(expect.buf);
  oracle_free(&o);
}

/* ---- throughput (opt-in: JFTS_BENCH_MB=20 prints MB/s for tokenizing and index build) ----
** It also asserts, so that the long run is a test too: FTS5 stores every token that
** tok_tokenize gave for the same text (fts5vocab), and the index passes integrity-check. */

static int count_token(void *ctx, int colocated, const char *token, int n_token, int start,
                       int end) {
  (void)colocated;
  (void)token;
  (void)n_token;
  (void)start;
  (void)end;
  ++*(long *)ctx;
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_throughput(void **state) {
  sqlite3 *db = *state;
  const char *mb_env = getenv("JFTS_BENCH_MB");
  if (mb_env == NULL) skip();
  size_t target = (size_t)(atof(mb_env) * 1e6);
  FILE *f = fopen(CORPUS_FILE, "rb");
  assert_non_null(f);
  static char buf[1 << 17];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  /* Passages of about 500 bytes (whole lines), as jfts-index stores them. */
  size_t cuts[512];
  size_t n_cuts = 0;
  cuts[n_cuts++] = 0;
  for (size_t i = 0; i < n; i++) {
    if (buf[i] == '\n' && i + 1 - cuts[n_cuts - 1] >= 500 && n_cuts < 511) cuts[n_cuts++] = i + 1;
  }
  if (cuts[n_cuts - 1] < n) cuts[n_cuts++] = n;

  long n_tokens = 0, n_passes = 0;
  size_t done = 0;
  double t0 = now_s();
  while (done < target) {
    n_passes++;
    for (size_t k = 0; k + 1 < n_cuts; k++) {
      tok_tokenize(buf + cuts[k], cuts[k + 1] - cuts[k], D, count_token, &n_tokens);
      done += cuts[k + 1] - cuts[k];
    }
  }
  double t1 = now_s();
  fprintf(stderr, "tokenize only: %.1f MB in %.2f s = %.1f MB/s (%ld tokens)\n", (double)done / 1e6,
          t1 - t0, (double)done / 1e6 / (t1 - t0), n_tokens);

  sqlite3_stmt *ins = NULL;
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts')");
  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES(?1)", -1, &ins, NULL),
                   SQLITE_OK);
  done = 0;
  long n_rows = 0, n_passes_fts = 0;
  t0 = now_s();
  exec_ok(db, "BEGIN");
  while (done < target) {
    n_passes_fts++;
    for (size_t k = 0; k + 1 < n_cuts; k++) {
      sqlite3_bind_text(ins, 1, buf + cuts[k], (int)(cuts[k + 1] - cuts[k]), SQLITE_STATIC);
      assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
      sqlite3_reset(ins);
      n_rows++;
      done += cuts[k + 1] - cuts[k];
    }
  }
  exec_ok(db, "COMMIT");
  t1 = now_s();
  sqlite3_finalize(ins);
  fprintf(stderr,
          "fts5 index build (:memory:, one transaction, rows of %zu bytes on average): "
          "%.1f MB in %.2f s = %.1f MB/s\n",
          n / (n_cuts - 1), (double)done / 1e6, t1 - t0, (double)done / 1e6 / (t1 - t0));

  exec_ok(db, "INSERT INTO t(t) VALUES('integrity-check')");
  exec_ok(db, "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')");
  sqlite3_stmt *q = NULL;
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM t), count(*) FROM v", -1,
                                      &q, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(q), SQLITE_ROW);
  assert_int_equal(sqlite3_column_int64(q, 0), n_rows);
  /* Both loops tokenize the same passages once per pass. */
  assert_int_equal(n_tokens % n_passes, 0);
  assert_int_equal(sqlite3_column_int64(q, 1), n_tokens / n_passes * n_passes_fts);
  sqlite3_finalize(q);
}

/* A tokenizer failure inside FTS5 other than memory reaches SQLite only as SQLITE_ERROR ("SQL
** logic error"); its real message waits in the connection's TokReplay for the caller of the
** statement, until cleared. Out of memory stays SQLite's own SQLITE_NOMEM, with no message. */
static void test_error_message(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  TokReplay *replay = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(tok_register_replay(db, &replay), SQLITE_OK);
  exec_ok(db, "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts')");
  assert_null(tok_replay_error(replay));
  assert_null(tok_replay_error(NULL));
  static const struct {
    const char *name;
    UErrorCode failure;
    int rc;
    const char *expect; /* tok_replay_error afterwards, NULL for none */
  } cases[] = {
      {"no failure", U_ZERO_ERROR, SQLITE_DONE, NULL},
      {"ICU data missing", U_FILE_ACCESS_ERROR, SQLITE_ERROR,
       "cannot tokenize: unorm2_getNFKCCasefoldInstance: U_FILE_ACCESS_ERROR"},
      {"ICU out of memory", U_MEMORY_ALLOCATION_ERROR, SQLITE_NOMEM, NULL},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    sqlite3_stmt *ins = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO t(body) VALUES('相談支援')", -1, &ins,
                                        NULL), SQLITE_OK);
    g_nfkc_failure = cases[k].failure;
    int rc = sqlite3_step(ins);
    g_nfkc_failure = U_ZERO_ERROR;
    sqlite3_finalize(ins);
    const char *got = tok_replay_error(replay);
    if (rc != cases[k].rc || (got == NULL) != (cases[k].expect == NULL))
      fail_msg("%s: rc %d, message %s", cases[k].name, rc, got ? got : "(none)");
    if (cases[k].expect) assert_string_equal(got, cases[k].expect);
    if (rc == SQLITE_ERROR) assert_string_equal(sqlite3_errmsg(db), "SQL logic error");
    /* The message outlives the arm slots and stays until cleared. */
    tok_replay_clear(replay);
    if (cases[k].expect) assert_string_equal(tok_replay_error(replay), cases[k].expect);
    tok_replay_error_clear(replay);
    assert_null(tok_replay_error(replay));
  }
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  /* Tokens recorded outside SQLite keep the reason in the batch, until its next add. */
  TokBatch *b = NULL;
  assert_int_equal(tok_batch_new(&b), JFTS_OK);
  g_nfkc_failure = U_FILE_ACCESS_ERROR;
  int rc = tok_batch_add(b, "相談支援", strlen("相談支援"));
  g_nfkc_failure = U_ZERO_ERROR;
  assert_int_equal(rc, JFTS_ERR_ICU);
  assert_int_equal(tok_batch_count(b), 0);
  assert_string_equal(tok_batch_error(b),
                      "unorm2_getNFKCCasefoldInstance: U_FILE_ACCESS_ERROR");
  assert_int_equal(tok_batch_add(b, "相談支援", strlen("相談支援")), JFTS_OK);
  assert_null(tok_batch_error(b));
  assert_null(tok_batch_error(NULL));
  tok_batch_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_wants_prefix),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_long_word),
      cmocka_unit_test_setup_teardown(test_fts5_vocab, setup_db, teardown_db),
      cmocka_unit_test_setup_teardown(test_tokenizer_arguments, setup_db, teardown_db),
      cmocka_unit_test_setup_teardown(test_hard_queries, setup_db, teardown_db),
      cmocka_unit_test(test_batch_replay),
      cmocka_unit_test(test_replay_only_for_armed_text),
      cmocka_unit_test(test_error_message),
      cmocka_unit_test_setup_teardown(test_oracle, setup_db, teardown_db),
      cmocka_unit_test_setup_teardown(test_throughput, setup_db, teardown_db),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
