/* jfts-index --check: SQLite's and FTS5's integrity checks plus jfts's own invariants of the
** rows (every passage's file exists, its segment map is whole entries inside its text,
** its offsets and lines run forwards). Each problem goes to a callback; the caller decides. */
#include "store.h"

#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "jfts_common.h"
#include "store_internal.h"

/* Problems of one kind reported one by one before the rest are only counted. */
#define CHECK_MAX_REPORTED 20

typedef struct Check {
  Store *s;
  StoreProblemFn problem;
  void *ctx;
  long n_problems;
} Check;

static void say(Check *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(Check *c, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->n_problems++;
  if (c->problem) c->problem(c->ctx, msg);
}

/* PRAGMA integrity_check: every row but a lone "ok" is a problem. */
static int check_sqlite(Check *c, char **err_out) {
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(c->s->db, "PRAGMA integrity_check(20)", -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    const char *row = store_col_text(st, 0);
    if (row && strcmp(row, "ok") != 0) say(c, "SQLite integrity check: %s", row);
    src = SQLITE_OK;
  }
  (void)sqlite3_finalize(st); /* repeats the step's error */
  if (src == SQLITE_CORRUPT) {
    say(c, "SQLite integrity check: %s", sqlite3_errstr(src));
    return JFTS_OK;
  }
  return src == SQLITE_DONE ? JFTS_OK : store_db_error(c->s, src, err_out, "cannot check");
}

/* FTS5's integrity-check with rank 1: the full-text index against the passages it indexes
** (tokenized again). A command written as an INSERT that changes nothing: query_only is lifted
** for it alone. */
static int check_fts(Check *c, char **err_out) {
  int rc = store_exec(c->s, "PRAGMA query_only=0", err_out, "cannot check");
  if (rc != JFTS_OK) return rc;
  int src = sqlite3_exec(c->s->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)",
                         NULL, NULL, NULL);
  if (src == SQLITE_CORRUPT)
    say(c, "the full-text index does not match the passages (FTS5 integrity-check: %s)",
        sqlite3_errmsg(c->s->db));
  else if (src != SQLITE_OK)
    rc = store_db_error(c->s, src, err_out, "cannot check the full-text index");
  int rc2 = store_exec(c->s, "PRAGMA query_only=1", err_out, "cannot check");
  return rc != JFTS_OK ? rc : rc2;
}

/* Rows of `table` (each called a `noun`) whose file_id names no file. */
static int check_files_of(Check *c, const char *table, const char *noun, char **err_out) {
  char sql[256];
  snprintf(sql, sizeof sql,
           "SELECT t.id, t.file_id FROM %s t WHERE NOT EXISTS"
           " (SELECT 1 FROM files f WHERE f.id = t.file_id) ORDER BY t.id",
           table);
  sqlite3_stmt *st = NULL;
  long n = 0;
  int src = sqlite3_prepare_v2(c->s->db, sql, -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    if (++n <= CHECK_MAX_REPORTED)
      say(c, "%s %lld names file %lld, which is not in the index", noun,
          (long long)sqlite3_column_int64(st, 0), (long long)sqlite3_column_int64(st, 1));
    src = SQLITE_OK;
  }
  (void)sqlite3_finalize(st); /* repeats the step's error */
  if (n > CHECK_MAX_REPORTED)
    say(c, "%ld more %ss without their file", n - CHECK_MAX_REPORTED, noun);
  return src == SQLITE_DONE ? JFTS_OK : store_db_error(c->s, src, err_out, "cannot check");
}

/* What is wrong with one passage's row, or NULL: the segment map decodes to entries inside
** the text, offsets and lines run forwards. */
static const char *passage_problem(sqlite3_stmt *st) {
  size_t n_text = (size_t)sqlite3_column_bytes(st, 1);
  size_t n_blob = (size_t)sqlite3_column_bytes(st, 2);
  const unsigned char *blob = sqlite3_column_blob(st, 2);
  if (sqlite3_column_type(st, 2) != SQLITE_BLOB && n_blob != 0)
    return "its segment map is not a blob";
  StoreSeg *segs = NULL;
  size_t n_segs = 0;
  int rc = store_segs_unpack(blob, n_blob, &segs, &n_segs);
  if (rc == JFTS_ERR_INPUT) return "its segment map does not decode";
  if (rc != JFTS_OK) return NULL; /* memory */
  const char *why = NULL;
  for (size_t i = 0; why == NULL && i < n_segs; i++)
    if ((uint64_t)segs[i].text_start + segs[i].n_bytes > n_text)
      why = "a segment lies beyond its text";
  jfts_free(segs);
  if (why) return why;
  if (sqlite3_column_int64(st, 3) > sqlite3_column_int64(st, 4))
    return "its raw offsets run backwards";
  if (sqlite3_column_int64(st, 5) > sqlite3_column_int64(st, 6))
    return "its lines run backwards";
  if (sqlite3_column_int64(st, 7) < 0) return "its token count is negative";
  return NULL;
}

static int check_passages(Check *c, int64_t *n_passages_out, char **err_out) {
  sqlite3_stmt *st = NULL;
  long n = 0;
  int src = sqlite3_prepare_v2(c->s->db,
                               "SELECT id, text, segs, raw_start, raw_end, line_start, line_end,"
                               " n_tokens FROM passages ORDER BY id",
                               -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    ++*n_passages_out;
    const char *why = passage_problem(st);
    if (why && ++n <= CHECK_MAX_REPORTED)
      say(c, "passage %lld: %s", (long long)sqlite3_column_int64(st, 0), why);
    src = SQLITE_OK;
  }
  (void)sqlite3_finalize(st); /* repeats the step's error */
  if (n > CHECK_MAX_REPORTED) say(c, "%ld more passages with problems", n - CHECK_MAX_REPORTED);
  return src == SQLITE_DONE ? JFTS_OK : store_db_error(c->s, src, err_out, "cannot check");
}

int store_check(Store *s, StoreProblemFn problem, void *ctx, long *n_problems_out,
                int64_t *n_passages_out, char **err_out) {
  Check c = {s, problem, ctx, 0};
  *n_passages_out = 0;
  int rc = check_sqlite(&c, err_out);
  /* The rest reads through the b-trees SQLite just found damaged: not worth trying. */
  if (rc == JFTS_OK && c.n_problems == 0) rc = check_fts(&c, err_out);
  if (rc == JFTS_OK && c.n_problems == 0) rc = check_files_of(&c, "passages", "passage", err_out);
  if (rc == JFTS_OK && c.n_problems == 0) rc = check_files_of(&c, "documents", "document", err_out);
  if (rc == JFTS_OK && c.n_problems == 0) rc = check_files_of(&c, "meetings", "meeting", err_out);
  if (rc == JFTS_OK && c.n_problems == 0) rc = check_passages(&c, n_passages_out, err_out);
  *n_problems_out = c.n_problems;
  return rc;
}
