/* Tests of the ingest module (indexer/ingest.c): a file indexed whole and the same file
** streamed in pieces give the same rows; an unchanged file is left alone; a binary file is
** skipped (found by a walk) or fails (named) with the decoder's reason; a bad file fails with
** its reason, offsets counted in the file, and leaves the store as it was. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "jfts_common.h"
#include "store.h"
#include "test_util.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

typedef struct Fix {
  char dir[64], db[96], file[96], side[96];
  char *corpus; /* the corpus file three times over (about 75 KB) */
  size_t n_corpus;
  Store *store;
} Fix;

static int setup(void **state) {
  Fix *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/jfts-ingest-XXXXXX");
  if (f == NULL || mkdtemp(f->dir) == NULL) return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  snprintf(f->file, sizeof f->file, "%s/f.txt", f->dir);
  snprintf(f->side, sizeof f->side, "%s/f.meta", f->dir);
  size_t n = 0;
  char *one = test_read_file(CORPUS_FILE, &n);
  f->corpus = malloc(3 * n + 1);
  for (int i = 0; i < 3; i++) memcpy(f->corpus + i * n, one, n);
  f->n_corpus = 3 * n;
  free(one);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fix *f = *state;
  store_close(f->store);
  char wal[128];
  const char *suffixes[] = {"", "-journal", "-wal"};
  for (size_t i = 0; i < 3; i++) {
    snprintf(wal, sizeof wal, "%s%s", f->db, suffixes[i]);
    unlink(wal);
  }
  unlink(f->file);
  unlink(f->side);
  rmdir(f->dir);
  free(f->corpus);
  free(f);
  return 0;
}

/* Collects sidecar warnings as "line:msg;". */
static void collect_warning(void *ctx, const char *path, int lineno, const char *msg) {
  (void)path;
  char *out = ctx;
  snprintf(out + strlen(out), 256 - strlen(out), "%d:%s;", lineno, msg);
}

/* "STATUS" or "STATUS where: reason" (where without its directory). */
static void render(const IngestResult *res, char *out, size_t n_out) {
  static const char *const names[] = {"INDEXED", "UNCHANGED", "SKIPPED",
                                      "FAILED",  "FATAL",     "USAGE"};
  const char *where = res->where ? strrchr(res->where, '/') : NULL;
  where = where ? where + 1 : res->where;
  if (res->reason || res->where)
    snprintf(out, n_out, "%s %s: %s", names[res->status], where ? where : "",
             res->reason ? res->reason : "");
  else snprintf(out, n_out, "%s", names[res->status]);
}

/* Ingests f->file in one committed transaction, comparing with what the store holds, as
** jfts-index does. Returns the rendered result; *res_out (may be NULL) gets the counts. */
static void ingest_once(Fix *f, size_t piece_bytes, int walked, char *out, size_t n_out,
                        IngestResult *res_out, char *warnings) {
  if (f->store == NULL) assert_int_equal(store_open(f->db, STORE_WRITE, &f->store, NULL), JFTS_OK);
  assert_int_equal(store_begin(f->store, NULL), JFTS_OK);
  char *real = realpath(f->file, NULL);
  StoreFileRow old;
  int indexed = 0;
  if (real) assert_int_equal(store_lookup_file(f->store, real, &indexed, &old, NULL), JFTS_OK);
  else memset(&old, 0, sizeof old);
  IngestOptions opt = {NULL, piece_bytes, warnings ? collect_warning : NULL, warnings};
  IngestFile file = {.path = f->file, .realpath = real, .walked = walked, .indexed = indexed,
                     .old = &old};
  IngestResult res;
  IngestStatus st = ingest_file(f->store, &opt, &file, NULL, &res);
  assert_int_equal(st, res.status);
  render(&res, out, n_out);
  /* Whatever failed for the file alone leaves a transaction that can be committed. */
  if (res.status == INGEST_FATAL) store_rollback(f->store, NULL);
  else assert_int_equal(store_commit(f->store, NULL), JFTS_OK);
  if (res_out) *res_out = res;
  else ingest_result_clear(&res);
  store_file_row_clear(&old);
  free(real);
}

/* Every stored passage as "raw_start:line_start:text|...", and the file's size and hash. */
static char *dump(const char *db) {
  sqlite3 *h = NULL;
  assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(h,
                                      "SELECT (SELECT size || ':' || hash FROM files) || '#' || "
                                      "group_concat(raw_start || ':' || line_start || ':' || "
                                      "text, '|') FROM (SELECT * FROM passages ORDER BY ordinal)",
                                      -1, &st, NULL),
                   SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const char *s = (const char *)sqlite3_column_text(st, 0);
  char *copy = strdup(s ? s : "");
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_close(h), SQLITE_OK);
  return copy;
}

/* Whole, then streamed in pieces of 16 KiB (small enough for several pieces, large enough for
** every report of the corpus): the same rows, counts and identity. */
static void test_whole_and_streamed(void **state) {
  Fix *f = *state;
  char got[256];
  IngestResult whole, pieces;
  test_write_file(f->file, f->corpus, f->n_corpus);
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, &whole, NULL);
  assert_string_equal(got, "INDEXED");
  char *rows_whole = dump(f->db);
  char expect_id[40];
  char hash[17];
  store_hash((const unsigned char *)f->corpus, f->n_corpus, hash);
  snprintf(expect_id, sizeof expect_id, "%zu:%s#", f->n_corpus, hash);
  assert_memory_equal(rows_whole, expect_id, strlen(expect_id));

  /* Another version in between, so that the streamed run stores the file again. */
  test_write_file(f->file, "x\n", 2);
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, NULL);
  assert_string_equal(got, "INDEXED");
  test_write_file(f->file, f->corpus, f->n_corpus);
  ingest_once(f, 16384, 0, got, sizeof got, &pieces, NULL);
  assert_string_equal(got, "INDEXED");
  char *rows_pieces = dump(f->db);
  assert_string_equal(rows_pieces, rows_whole);
  assert_true(whole.n_passages > 0 && whole.tagged);
  assert_int_equal(pieces.n_docs, whole.n_docs);
  assert_int_equal(pieces.n_passages, whole.n_passages);
  assert_int_equal(pieces.n_meetings, whole.n_meetings);
  assert_int_equal(pieces.tagged, whole.tagged);
  free(rows_whole);
  free(rows_pieces);
}

/* What becomes of each content over an indexed copy of the corpus: the rendered result, and
** whether the stored rows changed. */
enum { SAME, PNG, NUL_AT, FF_AT, EXTRA_LINE };
static const struct {
  const char *name;
  int content;
  size_t at;          /* NUL_AT, FF_AT: offset of the bad byte (a line break of the corpus) */
  size_t piece_bytes;
  int walked;
  const char *expect;
  int changes;        /* 1: the stored rows differ afterwards */
} cases[] = {
    {"unchanged, whole", SAME, 0, INGEST_PIECE_BYTES_DEFAULT, 0, "UNCHANGED", 0},
    {"unchanged, streamed", SAME, 0, 16384, 0, "UNCHANGED", 0},
    {"binary in a walk", PNG, 0, INGEST_PIECE_BYTES_DEFAULT, 1,
     "SKIPPED f.txt: binary file (PNG)", 0},
    {"binary named", PNG, 0, INGEST_PIECE_BYTES_DEFAULT, 0, "FAILED f.txt: binary file (PNG)",
     0},
    {"NUL deep in a streamed file", NUL_AT, 50042, 16384, 0,
     "FAILED f.txt: binary file (NUL byte at 50042)", 0},
    {"NUL deep in a streamed file, walk", NUL_AT, 50042, 16384, 1,
     "SKIPPED f.txt: binary file (NUL byte at 50042)", 0},
    {"bad UTF-8 deep in a streamed file", FF_AT, 50042, 16384, 0,
     "FAILED f.txt: not UTF-8 (first invalid byte at 50042)", 0},
    {"bad UTF-8, whole", FF_AT, 50042, INGEST_PIECE_BYTES_DEFAULT, 1,
     "FAILED f.txt: not UTF-8 (first invalid byte at 50042)", 0},
    {"changed, streamed", EXTRA_LINE, 0, 16384, 0, "INDEXED", 1},
};

static void test_cases(void **state) {
  Fix *f = *state;
  char got[256];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    test_write_file(f->file, f->corpus, f->n_corpus);
    ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, NULL);
    char *before = dump(f->db);
    if (cases[i].at) assert_int_equal(f->corpus[cases[i].at], '\n');
    char *bytes = malloc(f->n_corpus + 16);
    size_t n = f->n_corpus;
    memcpy(bytes, f->corpus, n);
    if (cases[i].content == PNG) n = 12, memcpy(bytes, "\x89PNG\r\n\x1a\n\0\0\0\x0d", 12);
    if (cases[i].content == NUL_AT) bytes[cases[i].at] = '\0';
    if (cases[i].content == FF_AT) bytes[cases[i].at] = (char)0xFF;
    if (cases[i].content == EXTRA_LINE) memcpy(bytes + n, "追記の行\n", 13), n += 13;
    test_write_file(f->file, bytes, n);
    ingest_once(f, cases[i].piece_bytes, cases[i].walked, got, sizeof got, NULL, NULL);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("%s: got \"%s\", expected \"%s\"", cases[i].name, got, cases[i].expect);
    char *after = dump(f->db);
    if ((strcmp(before, after) != 0) != cases[i].changes)
      fail_msg("%s: the stored rows %s", cases[i].name,
               cases[i].changes ? "did not change" : "changed");
    free(before);
    free(after);
    free(bytes);
  }
}

/* A missing file and a bad sidecar fail with the path they are about; sidecar lines that are
** not understood come back as warnings, and the sidecar's values are stored. */
static void test_missing_and_sidecar(void **state) {
  Fix *f = *state;
  char got[256], warnings[256] = "";
  unlink(f->file);
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, NULL);
  assert_string_equal(got, "FAILED f.txt: No such file or directory");

  test_write_file(f->file, "本文です。\n", 16);
  test_write_file(f->side, "title: 題\nno colon\nyear: soon\n", 31);
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, warnings);
  assert_string_equal(got, "INDEXED");
  assert_string_equal(warnings,
                      "2:not a \"key: value\" line; ignored;3:year is not a number; ignored;");
  char *real = realpath(f->file, NULL);
  StoreFileRow row;
  int found = 0;
  assert_int_equal(store_lookup_file(f->store, real, &found, &row, NULL), JFTS_OK);
  assert_int_equal(found, 1);
  assert_string_equal(row.title, "題");
  store_file_row_clear(&row);

  test_write_file(f->side, "title: \xff\n", 9);
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, NULL);
  assert_string_equal(got, "FAILED f.meta: not UTF-8 (first invalid byte at 7)");
  unlink(f->side);
  free(real);
}

static void test_reader_for(void **state) {
  (void)state;
  static const struct {
    const char *path, *head, *expect;
  } rows[] = {
      {"a.txt", "本文", "text"},
      {"a.TXT", "", "text"},
      {"noext", "%PDF-1.4", "pdf"}, /* the magic wins over the name */
      {"a.pdf", "", "pdf"},
      {"a.PDF", "not a pdf", "pdf"}, /* the PDF reader then says it is not one */
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    const IngestReader *r = ingest_reader_for(rows[i].path, (const unsigned char *)rows[i].head,
                                              strlen(rows[i].head));
    assert_non_null(r);
    if (strcmp(r->kind, rows[i].expect) != 0)
      fail_msg("%s: got %s, expected %s", rows[i].path, r->kind, rows[i].expect);
  }
}

/* Every allocation of an ingest failing in turn, whole and streamed: the file is either
** indexed or fails as fatal (the caller rolls back), never as a problem of the file, and
** nothing leaks. */
static void test_out_of_memory(void **state) {
  Fix *f = *state;
  char got[256];
  size_t n = 3 * 4096;
  char *text = malloc(n);
  for (size_t i = 0; i < n; i++) text[i] = i % 1024 == 1023 ? '\n' : "abcdefgh"[i % 8];
  test_write_file(f->file, text, n);
  free(text);
  /* A first version committed: the schema is in place before any transaction is undone. */
  ingest_once(f, INGEST_PIECE_BYTES_DEFAULT, 0, got, sizeof got, NULL, NULL);
  assert_string_equal(got, "INDEXED");
  static const size_t pieces[] = {INGEST_PIECE_BYTES_DEFAULT, 4096};
  for (size_t k = 0; k < 2; k++) {
    int done = 0;
    for (long fail_at = 0; !done && fail_at < 5000; fail_at++) {
      /* A new version each time, so that it is stored rather than found unchanged. */
      FILE *fp = fopen(f->file, "ab");
      fputc('z', fp);
      fclose(fp);
      IngestResult res;
      if (f->store == NULL)
        assert_int_equal(store_open(f->db, STORE_WRITE, &f->store, NULL), JFTS_OK);
      assert_int_equal(store_begin(f->store, NULL), JFTS_OK);
      char *real = realpath(f->file, NULL);
      long live = jfts_alloc_live();
      IngestOptions opt = {NULL, pieces[k], NULL, NULL};
      IngestFile file = {.path = f->file, .realpath = real};
      jfts_alloc_fail_after(fail_at);
      ingest_file(f->store, &opt, &file, NULL, &res);
      jfts_alloc_fail_after(-1);
      render(&res, got, sizeof got);
      done = res.status == INGEST_INDEXED;
      /* rc is JFTS_ERR_NOMEM, or the store's JFTS_ERR_DB when SQLite's call into the
      ** tokenizer ran out of memory. */
      if (!done && (res.status != INGEST_FATAL || res.rc == JFTS_OK))
        fail_msg("pieces %zu, allocation %ld failing: got \"%s\" (rc %d)", pieces[k], fail_at,
                 got, res.rc);
      ingest_result_clear(&res);
      long leaked = jfts_alloc_live() - live;
      if (done) assert_int_equal(store_commit(f->store, NULL), JFTS_OK);
      else assert_int_equal(store_rollback(f->store, NULL), JFTS_OK);
      free(real);
      if (leaked != 0)
        fail_msg("pieces %zu, allocation %ld failing: %ld allocations leaked", pieces[k], fail_at,
                 leaked);
    }
    assert_true(done);
  }
}

/* The text reader on a later piece of a streamed file: offsets in messages and in the map
** back to raw bytes are the file's. */
static void test_text_reader_pieces(void **state) {
  (void)state;
  static const struct {
    const char *name, *bytes;
    size_t n_bytes;
    uint64_t base;
    const char *expect;
  } rows[] = {
      {"first piece", "\xef\xbb\xbf本文\n", 10, 0, "OK UTF-8 bom=3 raw(3)=6"},
      {"later piece", "本文\n", 7, 70000, "OK UTF-8 bom=70000 raw(3)=70003"},
      {"later piece, BOM bytes kept", "\xef\xbb\xbf" "a", 4, 10, "OK UTF-8 bom=10 raw(3)=13"},
      {"later piece, PDF magic is text", "%PDF-1.4\n", 9, 10, "OK UTF-8 bom=10 raw(3)=13"},
      {"NUL", "ab\0c", 4, 70000, "binary file (NUL byte at 70002)"},
      {"bad byte", "本\xff", 4, 70000, "not UTF-8 (first invalid byte at 70003)"},
      {"cut character", "本\xe6\x96", 5, 100, "not UTF-8 (first invalid byte at 103)"},
  };
  const IngestReader *r = ingest_reader_for("f.txt", NULL, 0);
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    IngestText txt = {NULL};
    char *err = NULL, got[128];
    int rc = r->read((const unsigned char *)rows[i].bytes, rows[i].n_bytes, rows[i].base, NULL,
                     &txt, &err);
    if (rc == JFTS_OK)
      snprintf(got, sizeof got, "OK %s bom=%zu raw(3)=%zu", txt.dec->encoding,
               txt.dec->n_bom_bytes, dec_raw_offset(txt.dec, 3));
    else snprintf(got, sizeof got, "%s", err ? err : "(no message)");
    if (strcmp(got, rows[i].expect) != 0)
      fail_msg("%s: got \"%s\", expected \"%s\"", rows[i].name, got, rows[i].expect);
    assert_true(rc == JFTS_OK ? txt.dec != NULL : txt.dec == NULL);
    dec_free(txt.dec);
    jfts_free(err);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_whole_and_streamed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
      cmocka_unit_test_setup_teardown(test_missing_and_sidecar, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
      cmocka_unit_test(test_reader_for),
      cmocka_unit_test(test_text_reader_pieces),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
