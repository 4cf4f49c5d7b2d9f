/* Fuzz target for the query side (qparse.h, match.h): the input up to the first 0x1F byte is a
** user query; each further 0x1F-separated piece is added as a synonym variant to the terms in
** turn. The parsed query must keep its documented shape, build a MATCH expression that FTS5
** accepts on a table of fixed passages, and its matcher must report sorted, in-bounds spans
** on UTF-8 boundaries whose code point offsets agree with their byte offsets. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "jfts_common.h"
#include "match.h"
#include "norm.h"
#include "qparse.h"
#include "tokenizer.h"

/* Passages with the corpus's defects: spaces between scripts, full-width digits and Latin,
** half-width kana, words wrapped by repair, a surrogate pair, punctuation next to digits. */
static const char *const k_passages[] = {
    "相談傾向と課題の共有にて抽出された地域課題：8050 問題、新型コロナウイルス感染症に関連し"
    "たこと。Web 開催とオンライン（ハイブリット）で第 1 回を実施した。",
    "（４）地域展開チーム １２回 ＩＧＡＳＵ 会議で地域包括支援センターとの連携を確認。"
    "令和 3年度 泉区の泉中央、65歳以上・165歳、ｶﾀｶﾅ ﾃｽﾄ ㈱ № Ⅰ ≒ 𠮷野家の𠮷",
    "Third paragraph in English, wrapped across two lines; don't, e-mail, 3.14, C++ and \"quotes\""
    " OR NEAR(a b) AND NOT x* ^y col:z -minus",
};
#define N_PASSAGES (sizeof k_passages / sizeof k_passages[0])

static sqlite3 *g_db;
static sqlite3_stmt *g_match;

static void open_db(void) {
  if (g_db) return;
  char *msg = NULL;
  if (sqlite3_open(":memory:", &g_db) != SQLITE_OK || tok_register(g_db) != SQLITE_OK ||
      sqlite3_exec(g_db, "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='jfts')", NULL, NULL,
                   &msg) != SQLITE_OK)
    fuzz_fail("cannot set up the FTS5 table: %s", msg ? msg : sqlite3_errmsg(g_db));
  sqlite3_stmt *ins = NULL;
  if (sqlite3_prepare_v2(g_db, "INSERT INTO t(rowid, x) VALUES(?1, ?2)", -1, &ins, NULL))
    fuzz_fail("prepare: %s", sqlite3_errmsg(g_db));
  for (size_t i = 0; i < N_PASSAGES; i++) {
    sqlite3_bind_int64(ins, 1, (sqlite3_int64)i);
    sqlite3_bind_text(ins, 2, k_passages[i], -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) fuzz_fail("insert: %s", sqlite3_errmsg(g_db));
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  if (sqlite3_prepare_v2(g_db, "SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rank", -1,
                         &g_match, NULL))
    fuzz_fail("prepare: %s", sqlite3_errmsg(g_db));
}

static void check_shape(const Query *q) {
  FUZZ_CHECK(q->n_clauses >= 1, "query without clauses");
  size_t positive = 0;
  for (size_t i = 0; i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    positive += !c->excluded;
    FUZZ_CHECK(c->n_terms >= 1, "clause %zu without terms", i);
    for (size_t k = 0; k < c->n_terms; k++) {
      const QryTerm *t = &c->terms[k];
      FUZZ_CHECK(t->text != NULL && strlen(t->text) == t->n_bytes,
                 "clause %zu term %zu: n_bytes %zu does not fit its text", i, k, t->n_bytes);
      FUZZ_CHECK(t->n_bytes > 0, "clause %zu term %zu is empty", i, k);
      FUZZ_CHECK(t->n_variants < QRY_MAX_VARIANTS, "clause %zu term %zu: %zu variants", i, k,
                 t->n_variants);
      for (size_t v = 0; v < t->n_variants; v++)
        FUZZ_CHECK(t->variants[v] != NULL, "clause %zu term %zu variant %zu is NULL", i, k, v);
    }
  }
  FUZZ_CHECK(positive >= 1, "every clause is excluded");
  for (size_t i = 0; i < qry_note_count(q); i++)
    FUZZ_CHECK(qry_note(q, i) != NULL, "note %zu is NULL", i);
  FUZZ_CHECK(qry_note(q, qry_note_count(q)) == NULL, "note past the end is not NULL");
}

/* Adds the 0x1F-separated pieces after the query as variants, round robin over the terms. */
static void add_variants(Query *q, const char *p, const char *end) {
  size_t n_terms = 0;
  for (size_t i = 0; i < q->n_clauses; i++) n_terms += q->clauses[i].n_terms;
  size_t next = 0;
  while (p < end) {
    const char *sep = memchr(p, 0x1F, (size_t)(end - p));
    const char *piece_end = sep ? sep : end;
    size_t k = next++ % n_terms;
    QryTerm *term = NULL;
    for (size_t i = 0; term == NULL; i++) {
      if (k < q->clauses[i].n_terms) term = &q->clauses[i].terms[k];
      else k -= q->clauses[i].n_terms;
    }
    char *err = NULL;
    size_t before = term->n_variants;
    int rc = qry_term_add_variant(term, p, (size_t)(piece_end - p), &err);
    FUZZ_CHECK(rc == JFTS_OK || (rc == JFTS_ERR_USAGE && before == QRY_MAX_VARIANTS - 1),
               "qry_term_add_variant = %d with %zu variants: %s", rc, before, err ? err : "");
    FUZZ_CHECK(term->n_variants == before || (rc == JFTS_OK && term->n_variants == before + 1),
               "qry_term_add_variant went from %zu to %zu variants", before, term->n_variants);
    jfts_free(err);
    p = piece_end + (sep != NULL);
  }
}

/* Clauses not excluded: those the matcher looks for. */
static size_t positive_clauses(const Query *q) {
  size_t n = 0;
  for (size_t i = 0; i < q->n_clauses; i++) n += !q->clauses[i].excluded;
  return n;
}

static void check_spans(const Query *q, const Matcher *m, const char *text, const MatchSpan *s,
                        size_t n) {
  const unsigned char *u = (const unsigned char *)text;
  size_t n_bytes = strlen(text);
  for (size_t i = 0; i < n; i++) {
    FUZZ_CHECK(s[i].start_byte < s[i].end_byte && s[i].end_byte <= n_bytes,
               "span %zu at bytes %zu..%zu of %zu", i, s[i].start_byte, s[i].end_byte, n_bytes);
    FUZZ_CHECK(fuzz_utf8_boundary(u, n_bytes, s[i].start_byte) &&
                   fuzz_utf8_boundary(u, n_bytes, s[i].end_byte),
               "span %zu (%zu..%zu) cuts a character", i, s[i].start_byte, s[i].end_byte);
    size_t cp = 0;
    for (size_t b = 0; b < s[i].start_byte; b++) cp += (u[b] & 0xC0) != 0x80;
    FUZZ_CHECK(cp == s[i].start_cp, "span %zu: start_cp %zu, counted %zu", i, s[i].start_cp, cp);
    for (size_t b = s[i].start_byte; b < s[i].end_byte; b++) cp += (u[b] & 0xC0) != 0x80;
    FUZZ_CHECK(cp == s[i].end_cp, "span %zu: end_cp %zu, counted %zu", i, s[i].end_cp, cp);
    FUZZ_CHECK(s[i].start_pos <= s[i].end_pos, "span %zu: positions %zu..%zu", i, s[i].start_pos,
               s[i].end_pos);
    FUZZ_CHECK(s[i].clause >= 0 && (size_t)s[i].clause < q->n_clauses &&
                   !q->clauses[s[i].clause].excluded,
               "span %zu: clause %d", i, s[i].clause);
    const QryClause *c = &q->clauses[s[i].clause];
    FUZZ_CHECK(s[i].term >= 0 && (size_t)s[i].term < c->n_terms, "span %zu: term %d", i,
               s[i].term);
    const QryTerm *t = &c->terms[s[i].term];
    FUZZ_CHECK(s[i].variant >= -1 && s[i].variant < (int)t->n_variants, "span %zu: variant %d", i,
               s[i].variant);
    if (i > 0)
      FUZZ_CHECK(s[i - 1].start_byte < s[i].start_byte ||
                     (s[i - 1].start_byte == s[i].start_byte &&
                      s[i - 1].end_byte >= s[i].end_byte),
                 "spans %zu and %zu out of order", i - 1, i);
  }
  int adjacent = match_adjacent_in_order(m, s, n);
  FUZZ_CHECK(adjacent == 0 || adjacent == 1, "match_adjacent_in_order = %d", adjacent);
  if (positive_clauses(q) == 1) FUZZ_CHECK(adjacent == 0, "adjacent with one clause");
}

/* Optional oracle (JFTS_FUZZ_ORACLE=1): FTS5 and the matcher apply one matching rule, so
** for a query without exclusions a passage is a FTS5 hit exactly when the matcher finds
** every positive clause in it. Off by default: a difference is a recall or highlighting
** question for the design, not a memory error. */
static int oracle_on(void) {
  static int on = -1;
  if (on < 0) {
    const char *e = getenv("JFTS_FUZZ_ORACLE");
    on = e != NULL && e[0] == '1';
  }
  return on;
}

/* 1 when text normalizes to something holding punctuation: FTS5 indexes none, while the
** matcher requires it literally ("a, b" for the phrase "a b"), a known difference. */
static int has_punct(const char *text, size_t n_bytes) {
  NormText *t = NULL;
  int found = 0;
  if (norm_text(text, n_bytes, &t, NULL) != JFTS_OK) return 1;
  for (size_t i = 0; i < t->n && !found; i++) found = t->cls[i] == NORM_PUNCT;
  norm_free(t);
  return found;
}

static void check_oracle(const Query *q, const char *match, size_t passage, int fts_hit,
                         const MatchSpan *spans, size_t n_spans) {
  for (size_t i = 0; i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    if (c->excluded) return;
    for (size_t k = 0; k < c->n_terms; k++) {
      if (has_punct(c->terms[k].text, c->terms[k].n_bytes)) return;
      for (size_t v = 0; v < c->terms[k].n_variants; v++)
        if (has_punct(c->terms[k].variants[v], strlen(c->terms[k].variants[v]))) return;
    }
  }
  int all = 1;
  for (size_t i = 0; i < q->n_clauses && all; i++) {
    int found = 0;
    for (size_t k = 0; k < n_spans && !found; k++) found = spans[k].clause == (int)i;
    all = found;
  }
  FUZZ_CHECK(all == fts_hit, "oracle: passage %zu: FTS5 %s '%s' but the matcher finds %s",
             passage, fts_hit ? "matches" : "does not match", match,
             all ? "every clause" : "not every clause");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  const char *sep = memchr(in, 0x1F, size);
  size_t n_query = sep ? (size_t)(sep - in) : size;
  Query *q = NULL;
  Matcher *m = NULL;
  char *match = NULL;
  char *err = NULL;

  open_db();
  int rc = qry_parse(in, n_query, &q, &err);
  FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_USAGE, "qry_parse = %d: %s", rc, err ? err : "");
  FUZZ_CHECK((rc == JFTS_OK) == (q != NULL), "qry_parse: rc %d with out=%p", rc, (void *)q);
  if (rc != JFTS_OK) {
    FUZZ_CHECK(err && (strcmp(err, "nothing to search for in the query") == 0 ||
                       strncmp(err, "the query only excludes terms", 29) == 0 ||
                       strncmp(err, "the query has too many terms", 28) == 0 ||
                       strncmp(err, "the query is too long", 21) == 0),
               "qry_parse: usage error '%s'", err ? err : "(none)");
    goto cleanup;
  }
  check_shape(q);
  if (sep) add_variants(q, sep + 1, in + size);
  check_shape(q);

  rc = qry_build_match(q, &match, &err);
  FUZZ_CHECK(rc == JFTS_OK && match != NULL, "qry_build_match = %d: %s", rc, err ? err : "");
  int fts_hit[N_PASSAGES] = {0};
  sqlite3_bind_text(g_match, 1, match, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step(g_match)) == SQLITE_ROW) {
    sqlite3_int64 row = sqlite3_column_int64(g_match, 0);
    FUZZ_CHECK(row >= 0 && row < (sqlite3_int64)N_PASSAGES, "MATCH returned rowid %lld",
               (long long)row);
    fts_hit[row] = 1;
  }
  FUZZ_CHECK(rc == SQLITE_DONE, "MATCH '%s': %s", match, sqlite3_errmsg(g_db));
  sqlite3_reset(g_match);

  rc = match_new(q, &m, &err);
  FUZZ_CHECK(rc == JFTS_OK && m != NULL, "match_new = %d: %s", rc, err ? err : "");
  FUZZ_CHECK(positive_clauses(q) >= 1, "query without positive clauses");
  for (size_t i = 0; i < N_PASSAGES; i++) {
    MatchSpan *spans = NULL;
    size_t n_spans = 0;
    rc = match_find(m, k_passages[i], strlen(k_passages[i]), &spans, &n_spans, &err);
    FUZZ_CHECK(rc == JFTS_OK, "match_find = %d: %s", rc, err ? err : "");
    FUZZ_CHECK((n_spans == 0) == (spans == NULL), "match_find: %zu spans at %p", n_spans,
               (void *)spans);
    check_spans(q, m, k_passages[i], spans, n_spans);
    if (oracle_on()) check_oracle(q, match, i, fts_hit[i], spans, n_spans);
    jfts_free(spans);
  }

cleanup:
  match_free(m);
  jfts_free(match);
  jfts_free(err);
  qry_free(q);
  return 0;
}
