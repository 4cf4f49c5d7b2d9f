/* Fuzz target for normalization (norm.h, against ICU itself), the `jfts` tokenizer inside
** FTS5 (tokenizer.h) and the MATCH strings the query builder makes (qparse.h): the input is
** stored as a row of an FTS5 table, the table must pass FTS5's integrity-check, and the
** input read as a user query must give a MATCH expression that SQLite accepts. Each input runs in a transaction that is rolled
** back, so the table is empty for the next one and a run does not depend on earlier inputs. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "fuzz_util.h"
#include "jfts_common.h"
#include "norm.h"
#include "qparse.h"
#include "tokenizer.h"

static sqlite3 *g_db;
static sqlite3_stmt *g_insert, *g_check, *g_match;

static void exec_or_die(const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(g_db, sql, NULL, NULL, &msg) != SQLITE_OK)
    fuzz_fail("%s: %s", sql, msg ? msg : sqlite3_errmsg(g_db));
}

static void prepare_or_die(const char *sql, sqlite3_stmt **stmt) {
  if (sqlite3_prepare_v2(g_db, sql, -1, stmt, NULL) != SQLITE_OK)
    fuzz_fail("prepare %s: %s", sql, sqlite3_errmsg(g_db));
}

/* The database lives for the whole process: opening one per input would cost more than
** the input. */
static void open_db(void) {
  if (g_db) return;
  if (sqlite3_open(":memory:", &g_db) != SQLITE_OK) fuzz_fail("sqlite3_open failed");
  if (tok_register(g_db) != SQLITE_OK) fuzz_fail("tok_register: %s", sqlite3_errmsg(g_db));
  exec_or_die("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='jfts')");
  prepare_or_die("INSERT INTO t(x) VALUES(?1)", &g_insert);
  prepare_or_die("INSERT INTO t(t) VALUES('integrity-check')", &g_check);
  prepare_or_die("SELECT rowid, highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?1 ORDER BY rank",
                 &g_match);
}

static void step_to_done(sqlite3_stmt *stmt, const char *what, const char *detail) {
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) fuzz_fail("%s (%s): %s", what, detail, sqlite3_errmsg(g_db));
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
}

typedef struct TokCheck {
  size_t n_bytes; /* length of the tokenized text */
  int n_tokens;
  int document;   /* tokenized as a document: colocated unigrams allowed after a token */
} TokCheck;

static int tok_cb(void *ctx, int colocated, const char *token, int n_token, int start_byte,
                  int end_byte) {
  TokCheck *c = ctx;
  FUZZ_CHECK(colocated == 0 ||
                 (c->document && c->n_tokens > 0 && colocated == FTS5_TOKEN_COLOCATED),
             "token %d is colocated (%d)", c->n_tokens, colocated);
  FUZZ_CHECK(n_token > 0 && token != NULL, "token %d is empty", c->n_tokens);
  FUZZ_CHECK(start_byte >= 0 && start_byte <= end_byte && (size_t)end_byte <= c->n_bytes,
             "token %d at %d..%d of %zu bytes", c->n_tokens, start_byte, end_byte, c->n_bytes);
  int gap = n_token == 1 && token[0] == TOK_GAP[0];
  FUZZ_CHECK(gap || fuzz_utf8_invalid_at((const unsigned char *)token, (size_t)n_token) ==
                        (size_t)n_token,
             "token %d is not UTF-8", c->n_tokens);
  c->n_tokens++;
  return 0;
}

/* Differential check of norm_text, whose fast paths copy common text without asking ICU:
** its code points must be what ICU's NFKC_Casefold gives for the whole input, read with
** U+FFFD for each maximal ill-formed subpart, and its source ranges must tile the input. */
static void check_norm(const uint8_t *data, size_t size) {
  NormText *t = NULL;
  UChar *u16 = NULL, *ref = NULL;
  int rc = norm_text((const char *)data, size, &t, NULL);
  FUZZ_CHECK(rc == JFTS_OK, "norm_text = %d", rc);
  UErrorCode st = U_ZERO_ERROR;
  int32_t n16 = 0, n_ref = 0;
  u_strFromUTF8WithSub(NULL, 0, &n16, (const char *)data, (int32_t)size, 0xFFFD, NULL, &st);
  st = U_ZERO_ERROR;
  u16 = malloc(((size_t)n16 + 1) * sizeof *u16);
  if (u16 == NULL) abort();
  u_strFromUTF8WithSub(u16, n16 + 1, NULL, (const char *)data, (int32_t)size, 0xFFFD, NULL, &st);
  const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&st);
  if (U_SUCCESS(st)) n_ref = unorm2_normalize(nfkc, u16, n16, NULL, 0, &st);
  if (st == U_BUFFER_OVERFLOW_ERROR) st = U_ZERO_ERROR;
  ref = malloc(((size_t)n_ref + 1) * sizeof *ref);
  if (ref == NULL) abort();
  if (U_SUCCESS(st)) unorm2_normalize(nfkc, u16, n16, ref, n_ref + 1, &st);
  FUZZ_CHECK(U_SUCCESS(st), "reference normalization: %s", u_errorName(st));

  size_t k = 0;
  uint32_t prev_end = 0;
  for (int32_t j = 0; j < n_ref; k++) {
    UChar32 c;
    U16_NEXT(ref, j, n_ref, c);
    FUZZ_CHECK(k < t->n, "norm_text gives %zu code points, ICU more", t->n);
    FUZZ_CHECK(t->cp[k] == (uint32_t)c, "norm_text code point %zu is U+%04X, ICU says U+%04X",
               k, (unsigned)t->cp[k], (unsigned)c);
    FUZZ_CHECK(t->src_start[k] <= t->src_end[k] && t->src_end[k] <= size &&
                   t->src_start[k] >= (k ? t->src_start[k - 1] : 0) && t->src_end[k] >= prev_end,
               "code point %zu: source %u..%u (previous end %u, %zu bytes)", k,
               (unsigned)t->src_start[k], (unsigned)t->src_end[k], (unsigned)prev_end, size);
    FUZZ_CHECK(t->cls[k] <= NORM_CJK, "code point %zu: class %u", k, t->cls[k]);
    prev_end = t->src_end[k];
  }
  FUZZ_CHECK(k == t->n, "norm_text gives %zu code points, ICU %zu", t->n, k);
  free(u16);
  free(ref);
  norm_free(t);
}

static void tokenize_direct(const uint8_t *data, size_t size) {
  static const int flags[] = {FTS5_TOKENIZE_DOCUMENT, FTS5_TOKENIZE_QUERY,
                              FTS5_TOKENIZE_QUERY | FTS5_TOKENIZE_PREFIX};
  for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
    TokCheck c = {size, 0, flags[i] == FTS5_TOKENIZE_DOCUMENT};
    int rc = tok_tokenize((const char *)data, size, flags[i], tok_cb, &c);
    FUZZ_CHECK(rc == SQLITE_OK, "tok_tokenize(flags %d) = %d", flags[i], rc);
  }
  (void)tok_query_wants_prefix((const char *)data, size);
}

static void query_fts5(const uint8_t *data, size_t size) {
  Query *q = NULL;
  char *match = NULL;
  char *err = NULL;
  int rc = qry_parse((const char *)data, size, &q, &err);
  FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_USAGE, "qry_parse = %d: %s", rc, err ? err : "");
  if (rc != JFTS_OK) goto cleanup;
  rc = qry_build_match(q, &match, &err);
  FUZZ_CHECK(rc == JFTS_OK && match != NULL, "qry_build_match = %d: %s", rc, err ? err : "");
  sqlite3_bind_text(g_match, 1, match, -1, SQLITE_STATIC);
  step_to_done(g_match, "MATCH", match);

cleanup:
  jfts_free(match);
  jfts_free(err);
  qry_free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  open_db();
  check_norm(data, size);
  tokenize_direct(data, size);
  exec_or_die("BEGIN");
  sqlite3_bind_text(g_insert, 1, (const char *)data, (int)size, SQLITE_STATIC);
  step_to_done(g_insert, "INSERT", "the input");
  step_to_done(g_check, "integrity-check", "after inserting the input");
  query_fts5(data, size);
  exec_or_die("ROLLBACK");
  return 0;
}
