/* Tests of the query language: user input → exact FTS5 MATCH string (or exact error) and
** notes, the parsed structure, synonym variants, out-of-memory cleanup, and every hostile
** query run through a real FTS5 table with the jfts tokenizer to prove no syntax error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "qparse.h"
#include "tokenizer.h"

typedef struct Case {
  const char *name;
  const char *input;
  size_t n_bytes; /* 0: strlen(input) */
  const char *expect;
} Case;

/* Renders the outcome of parsing and building as one string: "<MATCH>" followed by
** " ## note: <note>" per note, or "error <rc>: <message>" (notes go with the Query, which
** an error does not return). */
static char *outcome(const char *input, size_t n_bytes) {
  Query *q = NULL;
  char *err = NULL;
  char *match = NULL;
  char *res = NULL;
  int rc = qry_parse(input, n_bytes, &q, &err);
  if (rc == JFTS_OK) rc = qry_build_match(q, &match, &err);
  if (rc == JFTS_OK) res = jfts_strdup(match);
  else res = jfts_mprintf("error %d: %s", rc, err ? err : "(no message)");
  for (size_t i = 0; i < qry_note_count(q); i++) {
    char *more = jfts_mprintf("%s ## note: %s", res, qry_note(q, i));
    jfts_free(res);
    res = more;
  }
  assert_null(qry_note(q, qry_note_count(q)));
  jfts_free(match);
  jfts_free(err);
  qry_free(q);
  return res;
}

#define ERR_USAGE "error 4: "
#define NOTHING ERR_USAGE "nothing to search for in the query"
#define ONLY_EXCLUDED \
  ERR_USAGE "the query only excludes terms: add a term to search for (a word without '-' in front)"
#define FFFD "\xEF\xBF\xBD"

static const Case cases[] = {
    /* Plain terms; prefix `*` where the last Japanese run is one kana (a kanji is its own
    ** unigram). */
    {"single word", "支援", 0, "\"支援\""},
    {"Latin word", "Web", 0, "\"Web\""},
    {"8050問題", "8050問題", 0, "\"8050問題\""},
    {"泉 (unigram)", "泉", 0, "\"泉\""},
    {"の (prefix)", "の", 0, "\"の\" *"},
    {"65歳 (unigram)", "65歳", 0, "\"65歳\""},
    {"65か (prefix)", "65か", 0, "\"65か\" *"},
    {"two terms", "地域包括 支援センター", 0, "\"地域包括\" AND \"支援センター\""},
    {"full-width space", "地域包括\xE3\x80\x80支援センター", 0,
     "\"地域包括\" AND \"支援センター\""},
    {"tabs, newlines, repeated spaces", "\t地域 \n\r  支援  ", 0, "\"地域\" AND \"支援\""},
    {"NUL bytes separate", "地域\0支援\0", 14, "\"地域\" AND \"支援\""},
    {"NUL only", "\0\0", 2, NOTHING},
    {"empty", "", 0, NOTHING},
    {"spaces only", " \xE3\x80\x80 ", 0, NOTHING},
    /* Invalid bytes become U+FFFD and are searched as text. */
    {"invalid UTF-8 inside a term", "a\xFF" "b", 0, "\"a" FFFD "b\""},
    {"truncated sequence at the end", "支援\xE3\x81", 0, "\"支援" FFFD "\""},
    {"overlong and surrogate forms", "\xC0\xAF \xED\xA0\x80", 0,
     "\"" FFFD FFFD "\" AND \"" FFFD FFFD FFFD "\""},
    /* Phrases. */
    {"phrase joins Japanese", "\"地域包括 支援センター\"", 0, "\"地域包括支援センター\""},
    {"phrase: full-width space and many spaces", "\"地域包括\xE3\x80\x80  支援\"", 0,
     "\"地域包括支援\""},
    {"phrase keeps spaces next to Latin and digits", "\"Web 開催\" \"第 1 回\"", 0,
     "\"Web 開催\" AND \"第 1 回\""},
    {"phrase trimmed", "\"  地域 \"", 0, "\"地域\""},
    {"phrase with prefix", "\"地域 泉\"", 0, "\"地域泉\""},
    {"phrase ending in one kanji", "\"Web 泉\"", 0, "\"Web 泉\""},
    {"phrase then word glued", "\"地域\"包括", 0, "\"地域\" AND \"包括\""},
    {"empty phrase", "\"\" 地域", 0,
     "\"地域\" ## note: ignoring '\"\"': it has no searchable characters"},
    {"phrase keeps OR and -", "\"a OR -b\"", 0, "\"a OR -b\""},
    {"unclosed quote is punctuation next to 地域: a separator", "\"地域 支援", 0,
     "\"地域\" AND \"支援\""},
    {"quote inside a term", "a\"b", 0, "\"a\"\"b\""},
    /* Punctuation typed in a word: a separator next to Japanese, part of a Latin word. */
    {"trailing punctuation", "参加・", 0, "\"参加\""},
    {"punctuation between Japanese words", "高砂・岩切", 0, "\"高砂\" AND \"岩切\""},
    {"brackets around a word", "「連携」 『住まい』", 0, "\"連携\" AND \"住まい\""},
    /* Symbols are searched as text (issue 12), alone or inside a word. */
    {"symbol alone", "％", 0, "\"％\""},
    {"symbols alone", "※ 〒 ☎", 0, "\"※\" AND \"〒\" AND \"☎\""},
    {"symbol inside Japanese", "※印", 0, "\"※印\""},
    {"symbol after a number", "50％", 0, "\"50％\""},
    {"punctuation next to a symbol separates", "「％」", 0, "\"％\""},
    {"punctuation inside Latin words stays", "U-18 C# 1,000", 0,
     "\"U-18\" AND \"C#\" AND \"1,000\""},
    {"Latin word before Japanese", "IGASU・会議", 0, "\"IGASU\" AND \"会議\""},
    {"OR group: only the ends", "「高砂・岩切」 OR 泉", 0, "(\"高砂・岩切\" OR \"泉\")"},
    {"excluded: only the ends", "連携 -高砂・岩切。", 0, "\"連携\" NOT \"高砂・岩切\""},
    {"phrase keeps punctuation", "\"高砂・岩切\"", 0, "\"高砂・岩切\""},
    {"quote alone", "\"", 0,
     NOTHING},
    /* OR groups. */
    {"a OR b c", "a OR b c", 0, "(\"a\" OR \"b\") AND \"c\""},
    {"c a OR b", "c a OR b", 0, "\"c\" AND (\"a\" OR \"b\")"},
    {"OR chain", "泉 OR 青葉 OR 若林", 0, "(\"泉\" OR \"青葉\" OR \"若林\")"},
    {"OR at the start", "OR a", 0, "\"OR\" AND \"a\""},
    {"OR at the end", "a OR", 0, "\"a\" AND \"OR\""},
    {"OR doubled", "a OR OR b", 0, "\"a\" AND \"OR\" AND \"OR\" AND \"b\""},
    {"OR alone", "OR", 0, "\"OR\""},
    {"lowercase or is a word", "a or b", 0, "\"a\" AND \"or\" AND \"b\""},
    {"quoted OR is a word", "a \"OR\" b", 0, "\"a\" AND \"OR\" AND \"b\""},
    {"OR next to an excluded term", "a OR -b", 0, "\"a\" AND \"OR\" NOT \"b\""},
    {"OR operand dropped", "「」 OR b", 0,
     "\"b\" ## note: ignoring '「」': it has no searchable characters"},
    /* Exclusion. */
    {"-term", "支援 -泉", 0, "\"支援\" NOT \"泉\""},
    {"full-width minus", "－泉 支援", 0, "\"支援\" NOT \"泉\""},
    {"excluded phrase", "支援 -\"地域 包括\"", 0, "\"支援\" NOT \"地域包括\""},
    {"excluded clauses go last", "-a b -c d", 0, "\"b\" AND \"d\" NOT \"a\" NOT \"c\""},
    {"hyphen inside a term is text", "a-b", 0, "\"a-b\""},
    {"lone - is literal", "- 地域", 0,
     "\"地域\" ## note: ignoring '-': it has no searchable characters"},
    {"only excluded", "-泉 -青葉", 0, ONLY_EXCLUDED},
    {"only excluded after a drop", "「」 -泉", 0,
     ONLY_EXCLUDED},
    {"excluded term without text", "地域 -「」", 0,
     "\"地域\" ## note: ignoring '-「」': it has no searchable characters"},
    /* FTS5 and SQL syntax typed by the user is text. */
    /* Punctuation next to a Japanese char separates words (qparse.h): ( ) * : are dropped
    ** there as the tokenizer drops them, so that the matcher highlights what FTS5 finds. */
    {"parentheses", "(地域 OR 支援)", 0, "(\"地域\" OR \"支援\")"},
    {"star", "支援* *", 0,
     "\"支援\" ## note: ignoring '*': it has no searchable characters"},
    {"caret", "^地域", 0, "\"^地域\""},
    {"column filter", "body:地域 {a b}:c", 0,
     "\"body\" AND \"地域\" AND \"{a\" AND \"b}:c\""},
    {"NEAR", "NEAR(a b)", 0, "\"NEAR(a\" AND \"b)\""},
    {"NEAR with distance", "NEAR(\"a\" \"b\", 5)", 0,
     "\"NEAR(\"\"a\"\"\" AND \"b\" AND \"5)\""
     " ## note: ignoring ',': it has no searchable characters"},
    {"AND as a word", "a AND b", 0, "\"a\" AND \"AND\" AND \"b\""},
    {"NOT as a word", "a NOT b", 0, "\"a\" AND \"NOT\" AND \"b\""},
    {"SQL", "'; DROP TABLE passages; --", 0,
     "\"DROP\" AND \"TABLE\" AND \"passages;\""
     " ## note: ignoring '';': it has no searchable characters"
     " ## note: ignoring '--': it has no searchable characters"},
    {"brackets only", "「」", 0,
     NOTHING},
    {"ellipsis", "...", 0, NOTHING},
    {"ellipsis dropped", "... 地域", 0,
     "\"地域\" ## note: ignoring '...': it has no searchable characters"},
    {"repeated dropped terms, one note", "「」 地域 「」", 0,
     "\"地域\" ## note: ignoring '「」': it has no searchable characters"},
};

static void check_case(const Case *c) {
  char *got = outcome(c->input, c->n_bytes ? c->n_bytes : strlen(c->input));
  if (strcmp(got, c->expect) != 0) {
    char msg[2048];
    snprintf(msg, sizeof msg, "%s:\n  got    %s\n  expect %s", c->name, got, c->expect);
    jfts_free(got);
    fail_msg("%s", msg);
  }
  jfts_free(got);
}

static void test_match_strings(void **state) {
  (void)state;
  long live = jfts_alloc_live();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i]);
  assert_int_equal(jfts_alloc_live(), live);
}

/* Fills buf (cap > n_bytes) with n_bytes of unit repeated, NUL-terminated. */
static void repeat(char *buf, const char *unit, size_t n_bytes) {
  size_t u = strlen(unit);
  for (size_t i = 0; i < n_bytes; i++) buf[i] = unit[i % u];
  buf[n_bytes] = '\0';
}

/* 10,000 characters, as one term and as 5,000 terms of FTS5 operators. */
static void test_long_query(void **state) {
  (void)state;
  char *in = malloc(30010);
  char *expect = malloc(60001);
  assert_non_null(in);
  assert_non_null(expect);

  repeat(in, "あ", 30000); /* 10,000 chars */
  char *got = outcome(in, strlen(in));
  snprintf(expect, 60001, "\"%s\"", in);
  assert_string_equal(got, expect);
  jfts_free(got);

  repeat(in, "( ", 10000); /* 5,000 terms of FTS5 syntax without tokens */
  got = outcome(in, strlen(in));
  assert_string_equal(got, NOTHING);
  jfts_free(got);

  repeat(in, "(a ", 9999); /* 3,333 terms: over QRY_MAX_TERMS */
  got = outcome(in, strlen(in));
  assert_string_equal(got, ERR_USAGE "the query has too many terms (more than 128)");
  jfts_free(got);

  /* A long dropped term is quoted with 60 bytes at most, cut between chars. */
  repeat(in, "。", 29997);
  strcat(in, " 地");
  got = outcome(in, strlen(in));
  assert_string_equal(got, "\"地\" ## note: ignoring '。。。。。。。。。。。。。。。。。。。。…'"
                           ": it has no searchable characters");
  jfts_free(got);

  free(in);
  free(expect);
}

/* The bounds: QRY_MAX_BYTES bytes and QRY_MAX_TERMS terms are taken, one more is a usage error
** with one line naming the bound; dropped words do not count as terms, and past QRY_MAX_NOTES
** distinct notes one more note counts the rest. */
static void test_limits(void **state) {
  (void)state;
  char *in = malloc(QRY_MAX_BYTES + 16);
  assert_non_null(in);
  static const struct {
    const char *name, *unit;
    size_t n_bytes;
    const char *expect; /* the whole outcome, or the end of a long one after "..." */
  } cases[] = {
      {"bytes at the cap", "支援", QRY_MAX_BYTES - 2, "...援支援\""},
      {"a byte over the cap", "支援 ", QRY_MAX_BYTES + 1,
       ERR_USAGE "the query is too long (32769 bytes; at most 32768)"},
      {"terms at the cap", "ab ", 3 * QRY_MAX_TERMS, "...\"ab\" AND \"ab\""},
      {"a term over the cap", "ab ", 3 * QRY_MAX_TERMS + 2,
       ERR_USAGE "the query has too many terms (more than 128)"},
      {"punctuation cuts words into terms", "地・域・ ", 13 * (QRY_MAX_TERMS / 2 + 1),
       ERR_USAGE "the query has too many terms (more than 128)"},
      {"an OR group's terms count", "ab OR ", 6 * QRY_MAX_TERMS + 2,
       ERR_USAGE "the query has too many terms (more than 128)"},
      {"dropped words do not count", "「」 ab ", 10 * QRY_MAX_TERMS,
       "...\"ab\" ## note: ignoring '「」': it has no searchable characters"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    repeat(in, cases[i].unit, cases[i].n_bytes);
    char *got = outcome(in, cases[i].n_bytes);
    const char *want = cases[i].expect;
    int ok = strncmp(want, "...", 3) == 0
                 ? strlen(got) >= strlen(want + 3) &&
                       strcmp(got + strlen(got) - strlen(want + 3), want + 3) == 0
                 : strcmp(got, want) == 0;
    if (!ok) fail_msg("case '%s': got '%.200s', expected '%s'", cases[i].name, got, want);
    jfts_free(got);
  }
  /* Just under the cap, every term is there. */
  Query *q = NULL;
  repeat(in, "ab ", 3 * QRY_MAX_TERMS);
  assert_int_equal(qry_parse(in, 3 * QRY_MAX_TERMS, &q, NULL), JFTS_OK);
  assert_int_equal(q->n_clauses, QRY_MAX_TERMS);
  qry_free(q);
  /* Distinct dropped words: QRY_MAX_NOTES notes, then one that counts the others. */
  size_t k = 0;
  for (int w = 0; w < QRY_MAX_NOTES + 5; w++) { /* w + 64 in binary, 「 for 0 and 」 for 1 */
    for (int bit = 6; bit >= 0; bit--)
      k += (size_t)sprintf(in + k, ((w + 64) >> bit) & 1 ? "」" : "「");
    k += (size_t)sprintf(in + k, " ");
  }
  k += (size_t)sprintf(in + k, "地域");
  assert_int_equal(qry_parse(in, k, &q, NULL), JFTS_OK);
  assert_int_equal(qry_note_count(q), QRY_MAX_NOTES + 1);
  assert_string_equal(qry_note(q, 0), "ignoring '」「「「「「「': it has no searchable characters");
  assert_string_equal(qry_note(q, QRY_MAX_NOTES),
                      "ignoring 5 more words with no searchable characters");
  qry_free(q);
  char *err = NULL;
  assert_int_equal(qry_check_size(QRY_MAX_BYTES, &err), JFTS_OK);
  assert_null(err);
  assert_int_equal(qry_check_size((size_t)1 << 31, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "the query is too long (2147483648 bytes; at most 32768)");
  jfts_free(err);
  free(in);
}

/* The Query structure that the matcher and the synonym expansion read. */
static void test_structure(void **state) {
  (void)state;
  static const char input[] = "泉 OR \"青葉 区\" -\"a b\" x\xFFy";
  Query *q = NULL;
  assert_int_equal(qry_parse(input, strlen(input), &q, NULL), JFTS_OK);
  char got[512] = "";
  size_t len = 0;
  for (size_t i = 0; i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    len += (size_t)snprintf(got + len, sizeof got - len, "%s%s[", i ? " " : "",
                            c->excluded ? "-" : "");
    for (size_t j = 0; j < c->n_terms; j++) {
      const QryTerm *t = &c->terms[j];
      assert_int_equal(strlen(t->text), t->n_bytes);
      assert_int_equal(t->n_variants, 0);
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%s%s", j ? "|" : "",
                              t->is_phrase ? "phrase:" : "", t->text);
    }
    len += (size_t)snprintf(got + len, sizeof got - len, "]");
  }
  assert_string_equal(got, "[泉|phrase:青葉区] -[phrase:a b] [x" FFFD "y]");
  assert_int_equal(qry_note_count(q), 0);
  qry_free(q);
  qry_free(NULL);
}

static void test_variants(void **state) {
  (void)state;
  Query *q = NULL;
  char *match = NULL;
  char *err = NULL;
  static const char input[] = "\"地域 包括\" OR 泉 -a";
  assert_int_equal(qry_parse(input, strlen(input), &q, NULL), JFTS_OK);
  QryTerm *phrase = &q->clauses[0].terms[0];
  QryTerm *izumi = &q->clauses[0].terms[1];
  QryTerm *a = &q->clauses[1].terms[0];
  assert_int_equal(qry_term_add_variant(phrase, "地域 包括", 13, NULL), JFTS_OK); /* = text */
  assert_int_equal(qry_term_add_variant(phrase, "ちいき ほうかつ", 22, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_variant(phrase, "ちいきほうかつ", 21, NULL), JFTS_OK); /* dup */
  assert_int_equal(qry_term_add_variant(phrase, "「」", 6, NULL), JFTS_OK); /* no tokens */
  assert_int_equal(qry_term_add_variant(izumi, "和泉", 6, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_variant(a, "A\"b", 3, NULL), JFTS_OK);
  assert_int_equal(phrase->n_variants, 1);
  assert_string_equal(phrase->variants[0], "ちいきほうかつ");
  assert_int_equal(qry_build_match(q, &match, NULL), JFTS_OK);
  assert_string_equal(match, "(\"地域包括\" OR \"ちいきほうかつ\" OR \"泉\" OR \"和泉\")"
                             " NOT (\"a\" OR \"A\"\"b\")");
  jfts_free(match);

  /* The cap: the term's text plus QRY_MAX_VARIANTS - 1 variants. */
  char v[32];
  for (int i = 0; i < QRY_MAX_VARIANTS - 2; i++) {
    snprintf(v, sizeof v, "v%d", i);
    if (qry_term_add_variant(a, v, strlen(v), &err) != JFTS_OK) fail_msg("variant %d", i);
  }
  assert_int_equal(a->n_variants, QRY_MAX_VARIANTS - 1);
  assert_int_equal(qry_term_add_variant(a, "one more", 8, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "too many variants for 'a' (at most 63)");
  assert_int_equal(a->n_variants, QRY_MAX_VARIANTS - 1);
  jfts_free(err);
  qry_free(q);
}

static void test_build_without_positive_clause(void **state) {
  (void)state;
  char *match = (char *)&match;
  char *err = NULL;
  assert_int_equal(qry_build_match(NULL, &match, &err), JFTS_ERR_USAGE);
  assert_null(match);
  assert_string_equal(err, "nothing to search for in the query");
  jfts_free(err);
}

/* Every allocation of qry_parse failing in turn: NOMEM, no output, nothing leaked. */
static void test_out_of_memory(void **state) {
  (void)state;
  static const char input[] = "a OR \"b c\" 「」 -泉 d";
  long live = jfts_alloc_live();
  int done = 0;
  for (long n_ok = 0; !done && n_ok < 1000; n_ok++) {
    Query *q = NULL;
    char *match = NULL;
    jfts_alloc_fail_after(n_ok);
    int rc = qry_parse(input, strlen(input), &q, NULL);
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_OK) {
      done = 1;
      assert_int_equal(qry_build_match(q, &match, NULL), JFTS_OK);
      assert_string_equal(match, "(\"a\" OR \"b c\") AND \"d\" NOT \"泉\"");
    } else {
      if (rc != JFTS_ERR_NOMEM) fail_msg("fail after %ld: rc %d", n_ok, rc);
      assert_null(q);
    }
    jfts_free(match);
    qry_free(q);
    if (jfts_alloc_live() != live) fail_msg("fail after %ld: leak", n_ok);
  }
  assert_true(done);

  /* qry_build_match's first allocation failing. Later ones are not injected:
  ** tok_query_wants_prefix cannot report its own allocation failures yet. */
  Query *q = NULL;
  char *match = (char *)&match;
  assert_int_equal(qry_parse(input, strlen(input), &q, NULL), JFTS_OK);
  jfts_alloc_fail_after(0);
  int rc = qry_build_match(q, &match, NULL);
  jfts_alloc_fail_after(-1);
  assert_int_equal(rc, JFTS_ERR_NOMEM);
  assert_null(match);
  qry_free(q);
  assert_int_equal(jfts_alloc_live(), live);
}

/* Each hostile query's MATCH runs through FTS5 with the jfts tokenizer: no syntax error;
** a few plain queries count the rows they should. */
static void test_fts5_accepts_every_match(void **state) {
  (void)state;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
  assert_int_equal(tok_register(db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts');"
                                "INSERT INTO t VALUES('地域包括支援センターと8050問題 (a b) c');"
                                "INSERT INTO t VALUES('泉区の65歳以上 NEAR AND NOT OR');",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?", -1, &st, NULL),
                   SQLITE_OK);
  char *long_in = malloc(30001);
  assert_non_null(long_in);
  static const char *const extra[] = {"あ", "(a ", "a OR ", "\"a\" ", "-a b ", "NEAR( "};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0] + sizeof extra / sizeof extra[0]; i++) {
    const char *name, *in;
    size_t n;
    if (i < sizeof cases / sizeof cases[0]) {
      name = cases[i].name;
      in = cases[i].input;
      n = cases[i].n_bytes ? cases[i].n_bytes : strlen(in);
    } else {
      name = extra[i - sizeof cases / sizeof cases[0]];
      repeat(long_in, name, name[0] == '\xE3' ? 30000 : 10000);
      in = long_in;
      n = strlen(in);
    }
    Query *q = NULL;
    char *match = NULL;
    if (qry_parse(in, n, &q, NULL) != JFTS_OK) continue; /* an error is reported, not run */
    assert_int_equal(qry_build_match(q, &match, NULL), JFTS_OK);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) fail_msg("%s: MATCH '%.200s': %s", name, match, sqlite3_errmsg(db));
    jfts_free(match);
    qry_free(q);
  }
  free(long_in);

  /* And the MATCH strings find what the user meant. */
  static const struct {
    const char *query;
    int expect;
  } hits[] = {
      {"泉", 1},                         /* only with the prefix `*`: the text has 泉区 */
      {"65歳", 1},
      {"\"地域包括 支援センター\"", 1}, /* only with the phrase's space removed */
      {"8050 問題", 1},
      {"(a b) c", 1},
      {"NEAR AND NOT OR", 1},
      {"地域 OR 泉", 2},
      {"地域 -泉", 1},
      {"支援 -センター", 0},
      {"センター -a -c", 0},
  };
  for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
    Query *q = NULL;
    char *match = NULL;
    assert_int_equal(qry_parse(hits[i].query, strlen(hits[i].query), &q, NULL), JFTS_OK);
    assert_int_equal(qry_build_match(q, &match, NULL), JFTS_OK);
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, match, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) fail_msg("%s: %s", hits[i].query, sqlite3_errmsg(db));
    int got = sqlite3_column_int(st, 0);
    if (got != hits[i].expect)
      fail_msg("%s: MATCH %s: %d rows, expect %d", hits[i].query, match, got, hits[i].expect);
    jfts_free(match);
    qry_free(q);
  }
  assert_int_equal(sqlite3_finalize(st), SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* qry_build_match_ex and qry_build_clause_match: which alternatives are written, and OR
** between clauses for best match; excluded clauses keep every alternative. */
static void test_build_flags(void **state) {
  (void)state;
  Query *q = NULL;
  static const char text[] = "高齢 連携 -コロナ";
  assert_int_equal(qry_parse(text, sizeof text - 1, &q, NULL), JFTS_OK);
  QryTerm *t = &q->clauses[0].terms[0];
  assert_int_equal(qry_term_add_variant(t, "高年", 6, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_related(t, "地域包括", 12, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_related(t, "高年", 6, NULL), JFTS_OK); /* a variant already */
  assert_int_equal(qry_term_add_related(t, "高齢", 6, NULL), JFTS_OK); /* the term itself */
  assert_int_equal(t->n_related, 1);
  assert_int_equal(qry_term_add_variant(&q->clauses[2].terms[0], "コロナ禍", 12, NULL), JFTS_OK);
  assert_string_equal(qry_term_alt(t, -1), "高齢");
  assert_string_equal(qry_term_alt(t, 0), "高年");
  assert_string_equal(qry_term_alt(t, 1), "地域包括");
  assert_string_equal(qry_term_alt(t, 2), "");
  static const struct {
    unsigned flags;
    const char *expect;
  } cases[] = {
      {0, "(\"高齢\" OR \"高年\" OR \"地域包括\") AND \"連携\" NOT (\"コロナ\" OR \"コロナ禍\")"},
      {QRY_MATCH_ANY,
       "((\"高齢\" OR \"高年\" OR \"地域包括\") OR \"連携\") NOT (\"コロナ\" OR \"コロナ禍\")"},
      {QRY_MATCH_NO_RELATED, "(\"高齢\" OR \"高年\") AND \"連携\" NOT (\"コロナ\" OR \"コロナ禍\")"},
      {QRY_MATCH_NO_RELATED | QRY_MATCH_NO_VARIANTS,
       "\"高齢\" AND \"連携\" NOT (\"コロナ\" OR \"コロナ禍\")"},
      {QRY_MATCH_ONLY_RELATED, "\"地域包括\" NOT (\"コロナ\" OR \"コロナ禍\")"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *m = NULL;
    assert_int_equal(qry_build_match_ex(q, cases[i].flags, &m, NULL), JFTS_OK);
    assert_string_equal(m, cases[i].expect);
    jfts_free(m);
  }
  char *m = NULL;
  assert_int_equal(qry_build_clause_match(&q->clauses[0], QRY_MATCH_ONLY_RELATED, &m), JFTS_OK);
  assert_string_equal(m, "\"地域包括\"");
  jfts_free(m);
  assert_int_equal(qry_build_clause_match(&q->clauses[1], QRY_MATCH_ONLY_RELATED, &m), JFTS_OK);
  assert_null(m);

  /* A copy holds the same; splitting the copy leaves the original alone. */
  Query *copy = NULL;
  assert_int_equal(qry_copy(q, &copy), JFTS_OK);
  char *r = qry_render(copy);
  assert_string_equal(r, "高齢 連携 -コロナ");
  jfts_free(r);
  assert_int_equal(copy->clauses[0].terms[0].n_related, 1);
  const char *parts[] = {"地域", "「」", "連携強化"};
  size_t lens[] = {6, 6, 12}, n_added = 0;
  assert_int_equal(qry_split_clause(copy, 1, parts, lens, 3, &n_added, NULL), JFTS_OK);
  assert_int_equal(n_added, 2); /* 「」 has nothing to search */
  r = qry_render(copy);
  assert_string_equal(r, "高齢 地域 連携強化 -コロナ");
  jfts_free(r);
  const char *none[] = {"、"};
  size_t none_len[] = {3};
  assert_int_equal(qry_split_clause(copy, 1, none, none_len, 1, &n_added, NULL), JFTS_OK);
  assert_int_equal(n_added, 0);
  assert_int_equal(copy->n_clauses, 4);
  qry_free(copy);
  r = qry_render(q);
  assert_string_equal(r, "高齢 連携 -コロナ");
  jfts_free(r);
  qry_free(q);

  /* Phrases and OR groups are rendered back as typed. */
  static const char phrase[] = "\"地域 包括\" a OR b";
  assert_int_equal(qry_parse(phrase, sizeof phrase - 1, &q, NULL), JFTS_OK);
  r = qry_render(q);
  assert_string_equal(r, "\"地域包括\" a OR b");
  jfts_free(r);
  qry_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_match_strings),
      cmocka_unit_test(test_long_query), cmocka_unit_test(test_limits),
      cmocka_unit_test(test_structure),
      cmocka_unit_test(test_variants),
      cmocka_unit_test(test_build_without_positive_clause),
      cmocka_unit_test(test_out_of_memory),
      cmocka_unit_test(test_fts5_accepts_every_match),
      cmocka_unit_test(test_build_flags),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
