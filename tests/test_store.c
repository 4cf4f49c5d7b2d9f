/* Tests of the index database (indexer/store.c) with Reports built by hand: creation and
** refusals (newer schema, not a jfts database) that must leave the file untouched,
** re-storing without duplicates (checked through FTS5 itself), pruning, rollback, and the
** segment map that cites a match by raw offset and line. */
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
#include <sys/stat.h>
#include <unistd.h>
#include <unicode/unorm2.h>

#include "jfts_common.h"
#include "store.h"
#include "store_internal.h" /* test_budget reaches the connection */
#include "test_nfkc_hook.h"
#include "test_util.h"
#include "tokenizer.h"

/* ---- hand-built reports ------------------------------------------------------------------ */

/* One passage of a hand-built report: its text is also its source line. */
typedef struct PSpec {
  const char *ward;      /* NULL: untagged text outside any document */
  const char *section;
  const char *heading;
  const char *meeting;   /* non-NULL: the passage is a meetings-table row */
  const char *local_name;
  int slot;
  int count;
  const char *text;
} PSpec;

#define MAXP 8

typedef struct Built {
  DecodedText dec;
  Report rep;
  Passage p[MAXP];
  RepSeg segs[MAXP][2];
  ReportDoc docs[MAXP];
  Meeting m[MAXP];
  int pdoc[MAXP], mdoc[MAXP];
  uint32_t raw_offset[1024];
  char text[1024];
} Built;

/* Lays the passages out one per line ("text\n"), with n_bom raw bytes before the first.
** With stretch, every decoded byte stands for two raw bytes (as UTF-16 input would), so that
** raw offsets differ from decoded ones beyond a constant shift. Each passage's repaired text
** is its line split into two segments, the second one a line further down. */
static void build(Built *b, const PSpec *ps, size_t n, size_t n_bom, int stretch) {
  memset(b, 0, sizeof *b);
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    size_t len = strlen(ps[i].text);
    memcpy(b->text + at, ps[i].text, len);
    Passage *p = &b->p[i];
    p->ordinal = (int)i;
    p->ward = (char *)ps[i].ward;
    p->year = ps[i].ward ? 2021 : 0;
    p->year_label = ps[i].ward ? "令和3年度" : NULL;
    p->section = (char *)ps[i].section;
    p->heading = (char *)ps[i].heading;
    p->meeting = (char *)ps[i].meeting;
    p->local_name = (char *)ps[i].local_name;
    p->slot = ps[i].slot;
    p->body.text = b->text + at; /* the repaired text equals the source here */
    p->body.n_bytes = len;
    size_t half = len / 2;
    b->segs[i][0] = (RepSeg){0, (uint32_t)at, (uint32_t)half, (int32_t)(10 + 2 * i)};
    b->segs[i][1] = (RepSeg){(uint32_t)half, (uint32_t)(at + half), (uint32_t)(len - half),
                             (int32_t)(11 + 2 * i)};
    p->body.segs = b->segs[i];
    p->body.n_segs = 2;
    p->src_start = at;
    p->src_end = at + len;
    p->line_start = (int)(10 + 2 * i);
    p->line_end = (int)(11 + 2 * i);
    at += len;
    b->text[at++] = '\n';

    int d = -1;
    if (ps[i].ward) {
      for (size_t k = 0; k < b->rep.n_docs; k++)
        if (strcmp(b->docs[k].ward, ps[i].ward) == 0) d = (int)k;
      if (d < 0) {
        d = (int)b->rep.n_docs++;
        b->docs[d] = (ReportDoc){.ward = (char *)ps[i].ward, .year = 2021,
                                 .year_label = "令和3年度", .line_start = p->line_start,
                                 .line_end = p->line_end};
      }
      b->docs[d].line_end = p->line_end;
    }
    b->pdoc[i] = d;
    if (ps[i].meeting) {
      size_t k = b->rep.n_meetings++;
      b->m[k] = (Meeting){ps[i].slot, (char *)ps[i].meeting, (char *)ps[i].local_name,
                          ps[i].count, (char *)ps[i].text, (int)i, p->line_start, p->line_end};
      b->mdoc[k] = d;
    }
  }
  b->dec.text = b->text;
  b->dec.n_bytes = at;
  b->dec.n_bom_bytes = n_bom;
  if (stretch) {
    for (size_t k = 0; k <= at; k++) b->raw_offset[k] = (uint32_t)(n_bom + 2 * k);
    b->dec.raw_offset = b->raw_offset;
  }
  snprintf(b->dec.encoding, sizeof b->dec.encoding, "%s", stretch ? "UTF-16LE" : "UTF-8");
  b->rep.docs = b->docs;
  b->rep.passages = b->p;
  b->rep.n_passages = n;
  b->rep.meetings = b->m;
  b->rep.meeting_doc = b->mdoc;
  b->rep.passage_doc = b->pdoc;
  b->rep.tagged = b->rep.n_docs > 0;
}

static const PSpec REPORT_A[] = {
    {"青葉区", "table", NULL, "全体協議会", "地域会議", 1, 1, "alpha 全体協議会を開いた"},
    {"青葉区", "table", NULL, "その他の活動", NULL, 0, -1, "なし"},
    {"青葉区", "1", "今年度の主な取組み", NULL, NULL, 0, 0, "alpha bravo 研修会"},
    {"泉区", "table", NULL, "実務者会議", NULL, 2, 12, "charlie 事例検討"},
    {NULL, NULL, NULL, NULL, NULL, 0, 0, "untagged delta"},
};
static const PSpec REPORT_B[] = {
    {"太白区", "2", "課題", NULL, NULL, 0, 0, "echo 課題 alpha"},
};

/* ---- fixture ----------------------------------------------------------------------------- */

typedef struct Fix {
  long live_at_setup; /* jfts allocations outstanding when the test began */
  char dir[64];
  char db[96];
  char file_a[96], file_b[96];
} Fix;

static char *read_all(const char *path, size_t *n_out) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    got = fread(buf + n, 1, cap - n, fp);
    n += got;
  } while (got > 0);
  fclose(fp);
  *n_out = n;
  return buf;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int setup(void **state) {
  Fix *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/jfts_test_store.XXXXXX");
  if (mkdtemp(f->dir) == NULL) return -1;
  snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
  snprintf(f->file_a, sizeof f->file_a, "%s/a.txt", f->dir);
  snprintf(f->file_b, sizeof f->file_b, "%s/b.txt", f->dir);
  test_write_file(f->file_a, "a\n", 2);
  test_write_file(f->file_b, "b\n", 2);
  f->live_at_setup = jfts_alloc_live();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fix *f = *state;
  const char *names[] = {"t.db", "t.db-wal", "t.db-shm", "t.db-journal", "a.txt", "b.txt",
                         "other.db"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    char p[128];
    snprintf(p, sizeof p, "%s/%s", f->dir, names[i]);
    unlink(p);
  }
  rmdir(f->dir);
  long live_at_setup = f->live_at_setup;
  free(f);
  /* Every test must have released everything the store allocated. */
  return jfts_alloc_live() == live_at_setup ? 0 : -1;
}

static StoreFile file_info(const char *path, const char *hash) {
  StoreFile sf = {path, path, 2, hash, "仙台市 取組状況", "仙台市", "PDF", 2021, 0, NULL, 0};
  return sf;
}

/* Opens, stores one file in a transaction of its own and commits. */
static void store_one(const char *db, const StoreFile *sf, const Built *b) {
  Store *s = NULL;
  char *err = NULL;
  char ebuf[48];
  int rc = store_open(db, STORE_WRITE, &s, &err);
  if (rc != JFTS_OK) print_error("store_open: %s\n", jfts_error_text(rc, err, ebuf));
  assert_int_equal(rc, JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  rc = store_replace_file(s, sf, &b->dec, &b->rep, NULL, NULL, &err);
  if (rc != JFTS_OK) print_error("store_replace_file: %s\n", jfts_error_text(rc, err, ebuf));
  assert_int_equal(rc, JFTS_OK);
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  store_close(s);
}

/* Runs SQL on the database through a connection of the test's own, with the tokenizer, and
** renders the rows as "a,b|c,d". */
static char *sql_rows(const char *db_path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  assert_int_equal(tok_register(db), SQLITE_OK);
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc != SQLITE_OK) print_error("%s: %s\n", sql, sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_OK);
  char *out = calloc(1, 1);
  size_t n = 0;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < sqlite3_column_count(st); c++) {
      const char *v = (const char *)sqlite3_column_text(st, c);
      if (v == NULL) v = "NULL";
      size_t len = strlen(v);
      out = realloc(out, n + len + 2);
      if (n > 0) out[n++] = c == 0 ? '|' : ',';
      memcpy(out + n, v, len + 1);
      n += len;
    }
  }
  if (rc != SQLITE_DONE) print_error("%s: %s\n", sql, sqlite3_errmsg(db));
  assert_int_equal(rc, SQLITE_DONE);
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  return out;
}

/* Runs one or more statements that return nothing. */
static void exec_sql(const char *db_path, const char *sql) {
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
  assert_int_equal(tok_register(db), SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) print_error("%s: %s\n", sql, msg);
  sqlite3_free(msg);
  assert_int_equal(rc, SQLITE_OK);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void assert_sql(const char *db, const char *sql, const char *expect) {
  char *got = sql_rows(db, sql);
  if (strcmp(got, expect) != 0) print_error("query: %s\n", sql);
  assert_string_equal(got, expect);
  free(got);
}

/* ---- listings rendered as strings --------------------------------------------------------- */

typedef struct Buf {
  char s[4096];
  size_t n;
} Buf;

static void bprintf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
  va_end(ap);
  assert_true(k >= 0 && (size_t)k < sizeof b->s - b->n);
  b->n += (size_t)k;
}

static const char *basename_of(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

#define NS(x) ((x) ? (x) : "-")

static int doc_cb(void *ctx, const StoreDocRow *r) {
  bprintf(ctx, "%s:%s:%d:%s:%s:%d:%d-%d\n", basename_of(r->file), NS(r->ward), r->year,
          NS(r->year_label), NS(r->title), r->n_passages, r->line_start, r->line_end);
  return JFTS_OK;
}

static int meeting_cb(void *ctx, const StoreMeetingRow *r) {
  bprintf(ctx, "%s:%s:%d:%s:%s:%d:%s:%d-%d\n", NS(r->ward), NS(r->year_label), r->slot,
          NS(r->meeting), NS(r->local_name), r->count, basename_of(r->file), r->line_start,
          r->line_end);
  return JFTS_OK;
}

static int passage_cb(void *ctx, const StorePassageRow *r) {
  bprintf(ctx, "%s:%s:%s:%s:[%s]:%d-%d:raw %lld-%lld:", basename_of(r->file), NS(r->ward),
          NS(r->section), NS(r->heading), NS(r->label), r->line_start, r->line_end,
          (long long)r->raw_start, (long long)r->raw_end);
  for (size_t i = 0; i < r->n_segs; i++)
    bprintf(ctx, "%s(%u,%u,%u,%u)", i ? "" : "segs", r->segs[i].text_start, r->segs[i].raw_start,
            r->segs[i].n_bytes, r->segs[i].lineno);
  bprintf(ctx, ":%.*s\n", (int)r->n_text, r->text);
  return JFTS_OK;
}

static int stop_cb(void *ctx, const StoreDocRow *r) {
  (void)r;
  (*(int *)ctx)++;
  return JFTS_ERR_IO;
}

/* ---- tests ------------------------------------------------------------------------------- */

/* store_match_is_any: strings joined by OR alone, in any parentheses, and nothing else. */
static void test_match_is_any(void **state) {
  (void)state;
  static const struct {
    const char *match;
    int expect;
  } cases[] = {
      {"\"a\"", 1},
      {"\"a\" OR \"b\"", 1},
      {"(\"a\" OR \"b\" *) OR (\"c\")", 1},
      {"\"say \"\"OR\"\" AND\" OR \"b\"", 1},
      {"\"a\" AND \"b\"", 0},
      {"\"a\" \"b\"", 0},
      {"(\"a\" OR \"b\") NOT \"c\"", 0},
      {"text : \"a\"", 0},
      {"NEAR(\"a\" \"b\")", 0},
      {"\"a\" OR", 0},
      {"OR \"a\"", 0},
      {"\"a", 0},
      {"", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = store_match_is_any(cases[i].match);
    if (got != cases[i].expect) print_error("case %s\n", cases[i].match);
    assert_int_equal(got, cases[i].expect);
  }
}

static void test_hash(void **state) {
  (void)state;
  static const struct {
    const char *in, *expect;
  } cases[] = {
      {"", "cbf29ce484222325"}, {"a", "af63dc4c8601ec8c"}, {"foobar", "85944171f73967e8"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char hex[17];
    store_hash((const unsigned char *)cases[i].in, strlen(cases[i].in), hex);
    if (strcmp(hex, cases[i].expect) != 0) print_error("hash of '%s'\n", cases[i].in);
    assert_string_equal(hex, cases[i].expect);
  }
}

static void test_create_and_list(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "0123456789abcdef");
  store_one(f->db, &sf, b);
  free(b);

  assert_sql(f->db, "PRAGMA user_version", "4");
  assert_sql(f->db, "PRAGMA journal_mode", "wal");
  assert_sql(f->db, "PRAGMA page_size", "8192");
  char meta[128];
  snprintf(meta, sizeof meta, "jfts_version,%s|tokenizer_version,%d", JFTS_VERSION,
           JFTS_TOKENIZER_VERSION);
  assert_sql(f->db,
             "SELECT key, value FROM meta WHERE key IN ('jfts_version', 'tokenizer_version')"
             " ORDER BY key",
             meta);
  assert_sql(f->db, "SELECT encoding, title, publisher, year, source, tagged FROM files",
             "UTF-8,仙台市 取組状況,仙台市,2021,PDF,1");

  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  Buf out = {.n = 0};
  assert_int_equal(store_list_documents(s, NULL, doc_cb, &out, &err), JFTS_OK);
  /* The untagged passage outside both documents gets a row of its own. */
  assert_string_equal(out.s,
                      "a.txt:青葉区:2021:令和3年度:仙台市 取組状況:3:10-15\n"
                      "a.txt:泉区:2021:令和3年度:仙台市 取組状況:1:16-17\n"
                      "a.txt:-:2021:-:仙台市 取組状況:1:18-19\n");
  out.n = 0;
  assert_int_equal(store_list_documents(s, "泉区", doc_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s, "a.txt:泉区:2021:令和3年度:仙台市 取組状況:1:16-17\n");
  out.n = 0;
  assert_int_equal(store_list_meetings(s, NULL, meeting_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s,
                      "青葉区:令和3年度:1:全体協議会:地域会議:1:a.txt:10-11\n"
                      "青葉区:令和3年度:0:その他の活動:-:-1:a.txt:12-13\n"
                      "泉区:令和3年度:2:実務者会議:-:12:a.txt:16-17\n");
  out.n = 0;
  assert_int_equal(store_list_meetings(s, "泉区", meeting_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s, "泉区:令和3年度:2:実務者会議:-:12:a.txt:16-17\n");

  /* A callback's error stops the listing and comes back. */
  int calls = 0;
  assert_int_equal(store_list_documents(s, NULL, stop_cb, &calls, &err), JFTS_ERR_IO);
  assert_int_equal(calls, 1);

  /* Writing through a read store is refused. */
  assert_int_equal(store_begin(s, &err), JFTS_ERR_USAGE);
  char expect[256];
  snprintf(expect, sizeof expect, "'%s' is open for reading only", f->db);
  assert_string_equal(err, expect);
  jfts_free(err);
  store_close(s);
}

static void test_read_missing(void **state) {
  Fix *f = *state;
  Store *s = (Store *)1;
  char *err = NULL;
  char missing[128];
  snprintf(missing, sizeof missing, "%s/none.db", f->dir);
  assert_int_equal(store_open(missing, STORE_READ, &s, &err), JFTS_ERR_IO);
  assert_null(s);
  char expect[256];
  snprintf(expect, sizeof expect, "cannot open '%s': no such file", missing);
  assert_string_equal(err, expect);
  jfts_free(err);
  assert_false(exists(missing));
}

static void test_newer_schema(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_B, 1, 0, 0);
  StoreFile sf = file_info(f->file_b, "00000000000000bb");
  store_one(f->db, &sf, b);
  free(b);
  exec_sql(f->db, "PRAGMA user_version=7");

  size_t n_before = 0, n_after = 0;
  char *before = read_all(f->db, &n_before);
  char expect[256];
  snprintf(expect, sizeof expect,
           "cannot open '%s': database was written by a newer jfts (schema 7, this jfts reads "
           "up to %d)",
           f->db, JFTS_SCHEMA_VERSION);
  for (int mode = STORE_READ; mode <= STORE_WRITE; mode++) {
    Store *s = (Store *)1;
    char *err = NULL;
    assert_int_equal(store_open(f->db, (StoreMode)mode, &s, &err), JFTS_ERR_SCHEMA);
    assert_null(s);
    assert_string_equal(err, expect);
    jfts_free(err);
  }
  char *after = read_all(f->db, &n_after);
  assert_int_equal(n_before, n_after);
  assert_memory_equal(before, after, n_before);
  free(before);
  free(after);
}

/* An index of the schema before pages and columns (1, as that jfts wrote it: made here by
** setting the version back): a reader refuses it with the remedy; the indexer drops it in
** its first transaction and starts again, so every file is indexed anew. */
static void test_older_schema(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_B, 1, 0, 0);
  StoreFile sf = file_info(f->file_b, "00000000000000bb");
  store_one(f->db, &sf, b);
  exec_sql(f->db, "PRAGMA user_version=1");
  char expect[256];
  snprintf(expect, sizeof expect,
           "cannot open '%s': index written by an older jfts (schema 1, this jfts reads %d); "
           "re-index with jfts-index",
           f->db, JFTS_SCHEMA_VERSION);
  Store *s = (Store *)1;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_ERR_SCHEMA);
  assert_null(s);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;

  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  StoreFileRow row;
  int found = 1;
  assert_int_equal(store_lookup_file(s, f->file_b, &found, &row, &err), JFTS_OK);
  assert_int_equal(found, 0); /* nothing of the old index counts */
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  store_close(s);
  char v[16];
  snprintf(v, sizeof v, "%d", JFTS_SCHEMA_VERSION);
  assert_sql(f->db, "PRAGMA user_version", v);
  assert_sql(f->db, "SELECT count(*) FROM passages", "0");
  store_one(f->db, &sf, b);
  assert_sql(f->db, "SELECT count(*) FROM files", "1");
  free(b);
}

/* store_page_of over pages starting at text lines 1, 4, 4 (page 2 has no lines) and 9. */
static void test_page_of(void **state) {
  (void)state;
  static const uint32_t pages[] = {1, 4, 4, 9};
  static const struct {
    int line, page, in_page;
  } cases[] = {{1, 1, 1}, {3, 1, 3}, {4, 3, 1}, {8, 3, 5}, {9, 4, 1}, {200, 4, 192}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int in_page = -1;
    int page = store_page_of(pages, 4, cases[i].line, &in_page);
    if (page != cases[i].page || in_page != cases[i].in_page)
      fail_msg("line %d: p.%d:%d, expected p.%d:%d", cases[i].line, page, in_page,
               cases[i].page, cases[i].in_page);
  }
  int in_page = -1;
  assert_int_equal(store_page_of(NULL, 0, 17, &in_page), 0); /* a text file */
  assert_int_equal(in_page, 17);
}

static void test_not_jfts(void **state) {
  Fix *f = *state;
  static const struct {
    const char *name;
    const char *content; /* NULL: an SQLite database with a table of its own */
  } cases[] = {{"text file", "hello, this is not SQLite\n"},
               {"sqlite without meta", NULL}};
  char expect[256];
  snprintf(expect, sizeof expect, "'%s/other.db' is not a jfts database", f->dir);
  char path[128];
  snprintf(path, sizeof path, "%s/other.db", f->dir);
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    unlink(path);
    if (cases[i].content) {
      test_write_file(path, cases[i].content, strlen(cases[i].content));
    } else {
      sqlite3 *db = NULL;
      assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
      assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes(x); INSERT INTO notes VALUES(1)",
                                    NULL, NULL, NULL),
                       SQLITE_OK);
      assert_int_equal(sqlite3_close(db), SQLITE_OK);
    }
    size_t n_before = 0, n_after = 0;
    char *before = read_all(path, &n_before);
    for (int mode = STORE_READ; mode <= STORE_WRITE; mode++) {
      Store *s = (Store *)1;
      char *err = NULL;
      int rc = store_open(path, (StoreMode)mode, &s, &err);
      if (rc != JFTS_ERR_SCHEMA) print_error("case '%s' mode %d: %s\n", cases[i].name, mode, err);
      assert_int_equal(rc, JFTS_ERR_SCHEMA);
      assert_null(s);
      assert_string_equal(err, expect);
      jfts_free(err);
    }
    char *after = read_all(path, &n_after);
    if (n_before != n_after) print_error("case '%s' changed the file\n", cases[i].name);
    assert_int_equal(n_before, n_after);
    assert_memory_equal(before, after, n_before);
    free(before);
    free(after);
  }
}

/* Counts rows of the passages table and of what FTS5 indexed, and checks FTS5's integrity.
** Documents include the one per file that holds its text outside the parser's documents
** (REPORT_A has an untagged passage after its two). */
#define COUNTS_SQL                                                                            \
  "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM documents),"                    \
  " (SELECT count(*) FROM passages), (SELECT count(*) FROM meetings),"                        \
  " (SELECT count(*) FROM fts WHERE fts MATCH 'alpha')"

static void test_replace_twice(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "0123456789abcdef");
  store_one(f->db, &sf, b);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");
  store_one(f->db, &sf, b);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");
  /* With external content, stale tokens would survive a plain DELETE: ask FTS5 itself. */
  assert_sql(f->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)", "");
  /* A changed report replaces the old rows: bravo goes, echo arrives. */
  build(b, REPORT_B, 1, 0, 0);
  store_one(f->db, &sf, b);
  assert_sql(f->db, COUNTS_SQL, "1,1,1,0,1");
  assert_sql(f->db, "SELECT count(*) FROM fts WHERE fts MATCH 'bravo'", "0");
  assert_sql(f->db, "SELECT count(*) FROM fts WHERE fts MATCH 'echo'", "1");
  assert_sql(f->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)", "");
  free(b);
}

static void test_vocab(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "0123456789abcdef");
  store_one(f->db, &sf, b);
  store_one(f->db, &sf, b);
  free(b);
  sqlite3 *db = NULL;
  assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
  assert_int_equal(tok_register(db), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(db, "CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, fts, row)", NULL,
                   NULL, NULL),
      SQLITE_OK);
  sqlite3_stmt *st = NULL;
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT term || ':' || doc || ':' || cnt FROM temp.v"
                                      " WHERE term IN ('alpha', 'delta') ORDER BY term",
                                      -1, &st, NULL),
                   SQLITE_OK);
  char got[128] = "";
  while (sqlite3_step(st) == SQLITE_ROW) {
    strcat(got, (const char *)sqlite3_column_text(st, 0));
    strcat(got, "|");
  }
  sqlite3_finalize(st);
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
  /* alpha: in 2 passages, 2 times; stored twice, it must still count once per passage. */
  assert_string_equal(got, "alpha:2:2|delta:1:1|");
}

static void test_lookup_and_prune(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  build(b, REPORT_B, 1, 0, 0);
  StoreFile sb = file_info(f->file_b, "00000000000000bb");
  sb.title = NULL;
  sb.year = 0;
  store_one(f->db, &sb, b);
  free(b);

  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  StoreFileRow row;
  int found = -1;
  assert_int_equal(store_lookup_file(s, f->file_b, &found, &row, &err), JFTS_OK);
  assert_int_equal(found, 1);
  assert_int_equal(row.size, 2);
  assert_string_equal(row.hash, "00000000000000bb");
  assert_string_equal(row.path, f->file_b);
  assert_string_equal(row.encoding, "UTF-8");
  assert_null(row.title);
  assert_string_equal(row.publisher, "仙台市");
  assert_int_equal(row.year, 0);
  store_file_row_clear(&row);
  assert_int_equal(store_lookup_file(s, "/nowhere/x.txt", &found, &row, &err), JFTS_OK);
  assert_int_equal(found, 0);

  int n_pruned = -1;
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  assert_int_equal(store_prune(s, &n_pruned, &err), JFTS_OK);
  assert_int_equal(n_pruned, 0);
  unlink(f->file_a);
  assert_int_equal(store_prune(s, &n_pruned, &err), JFTS_OK);
  assert_int_equal(n_pruned, 1);
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  Buf out = {.n = 0};
  assert_int_equal(store_list_documents(s, NULL, doc_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s, "b.txt:太白区:2021:令和3年度:-:1:10-11\n");
  store_close(s);
  assert_sql(f->db, COUNTS_SQL, "1,1,1,0,1");
  assert_sql(f->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)", "");
}

static void test_rollback(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sf, b);

  /* A replacement rolled back leaves the old rows. */
  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  build(b, REPORT_B, 1, 0, 0);
  assert_int_equal(store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err), JFTS_OK);
  assert_int_equal(store_rollback(s, &err), JFTS_OK);
  store_close(s);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");

  /* So does closing without a commit. */
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  assert_int_equal(store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err), JFTS_OK);
  store_close(s);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");

  /* A report with an offset outside its text fails as a whole, in the middle of a
  ** transaction that goes on: the savepoint undoes the half-stored file. */
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  build(b, REPORT_A, 5, 0, 0);
  b->p[3].src_end = b->dec.n_bytes + 5;
  assert_int_equal(store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err), JFTS_ERR_INPUT);
  char expect[256];
  snprintf(expect, sizeof expect, "cannot store '%s': passage 3 lies outside the text",
           f->file_a);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  store_close(s);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");
  free(b);
}

/* A first run that fails leaves no database file behind. */
static void test_failed_first_run(void **state) {
  Fix *f = *state;
  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  Built *b = malloc(sizeof *b);
  build(b, REPORT_B, 1, 0, 0);
  StoreFile sf = file_info(f->file_b, "00000000000000bb");
  assert_int_equal(store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err), JFTS_OK);
  free(b);
  assert_int_equal(store_rollback(s, &err), JFTS_OK);
  store_close(s);
  assert_false(exists(f->db));
  char wal[128];
  snprintf(wal, sizeof wal, "%s-wal", f->db);
  assert_false(exists(wal));
}

/* Segment maps packed (schema 4: varint steps) and unpacked: exact bytes where they are
** written out, round trips at the uint32 extremes, and blobs that must not decode. */
static const StoreSeg k_segs_small[] = {{0, 3, 10, 1, 0}, {11, 0x01020304u, 7, 0xfffffffeu, 201}};
static const StoreSeg k_segs_extreme[] = {
    {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
    {0, 0, 0, 0, 0},
    {0xffffffffu, 0, 1, 0xffffffffu, 0},
    {5, 0xfffffff0u, 0, 0, 7}};
static const struct {
  const StoreSeg *segs;
  size_t n_segs;
  const unsigned char *blob; /* NULL: round trip only */
  size_t n_blob;
} k_pack_cases[] = {
    {k_segs_small, 2,
     /* t +0, r +3, 10 bytes, line +1, col 0; t +1, r +0x01020304-13, 7 bytes,
     ** line +0xfffffffd, col 201 */
     (const unsigned char[]){0x00, 0x06, 0x0a, 0x02, 0x00, 0x02, 0xee, 0x8b, 0x90, 0x10, 0x07,
                             0xfa, 0xff, 0xff, 0xff, 0x1f, 0xc9, 0x01},
     18},
    {k_segs_small, 0, (const unsigned char[]){0}, 0},
    {k_segs_extreme, 4, NULL, 0},
};
static const struct {
  const char *what;
  const unsigned char *blob;
  size_t n_blob;
} k_unpack_bad[] = {
    {"cut short after two varints", (const unsigned char[]){0x01, 0x02}, 2},
    {"a varint without its last byte", (const unsigned char[]){0x00, 0x00, 0x80}, 3},
    {"a text start before 0", (const unsigned char[]){0x01, 0x00, 0x00, 0x00, 0x00}, 5},
    {"n_bytes of 2^32", (const unsigned char[]){0x00, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00, 0x00},
     9},
    {"a varint of 11 bytes",
     (const unsigned char[]){0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                             0xff, 0xff, 0xff, 0x01},
     15},
    {"a whole segment then a cut one",
     (const unsigned char[]){0x00, 0x06, 0x0a, 0x02, 0x00, 0x02, 0xee}, 7},
    {"a 6-byte varint for 0 (non-canonical)",
     (const unsigned char[]){0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00}, 10},
    {"a 10-byte zigzag delta near 2^64",
     (const unsigned char[]){0x00, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
                             0x00, 0x00, 0x00},
     14},
    {"a text start of 2^32 (5-byte varint)",
     (const unsigned char[]){0x80, 0x80, 0x80, 0x80, 0x20, 0x00, 0x00, 0x00, 0x00}, 9},
};

static void test_segs(void **state) {
  Fix *f = *state;
  unsigned char *blob = NULL;
  size_t n_blob = 0;
  StoreSeg *back = NULL;
  size_t n_back = 0;
  for (size_t c = 0; c < sizeof k_pack_cases / sizeof *k_pack_cases; c++) {
    assert_int_equal(store_segs_pack(k_pack_cases[c].segs, k_pack_cases[c].n_segs, &blob,
                                     &n_blob),
                     JFTS_OK);
    if (k_pack_cases[c].blob) {
      assert_int_equal(n_blob, k_pack_cases[c].n_blob);
      if (n_blob) assert_memory_equal(blob, k_pack_cases[c].blob, n_blob);
    }
    assert_int_equal(store_segs_unpack(blob, n_blob, &back, &n_back), JFTS_OK);
    assert_int_equal(n_back, k_pack_cases[c].n_segs);
    if (n_back) assert_memory_equal(back, k_pack_cases[c].segs, n_back * sizeof *back);
    jfts_free(back);
    jfts_free(blob);
  }
  for (size_t c = 0; c < sizeof k_unpack_bad / sizeof *k_unpack_bad; c++) {
    back = (StoreSeg *)&n_back; /* must be reset */
    int rc = store_segs_unpack(k_unpack_bad[c].blob, k_unpack_bad[c].n_blob, &back, &n_back);
    if (rc != JFTS_ERR_INPUT) fail_msg("%s: rc %d", k_unpack_bad[c].what, rc);
    assert_null(back);
    assert_int_equal(n_back, 0);
  }
  /* Schema 3's packing, read for the upgrade: five little-endian uint32s an entry. */
  static const unsigned char v3[40] = {
      0,  0, 0, 0, 3, 0, 0, 0, 10, 0, 0, 0, 1, 0,    0,    0,    0,    0, 0, 0,
      11, 0, 0, 0, 4, 3, 2, 1, 7,  0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 201, 0, 0, 0};
  assert_int_equal(store_segs_unpack_v3(v3, sizeof v3, &back, &n_back), JFTS_OK);
  assert_int_equal(n_back, 2);
  assert_memory_equal(back, k_segs_small, sizeof k_segs_small);
  jfts_free(back);
  assert_int_equal(store_segs_unpack_v3(v3, 39, &back, &n_back), JFTS_ERR_INPUT);
  assert_null(back);

  /* Stored and read back: raw offsets follow the decoder's map (a 3-byte BOM, then two raw
  ** bytes per decoded byte), lines follow the segments. */
  static const PSpec ps[] = {
      {"泉区", "1", "見出し", NULL, NULL, 0, 0, "abcdef"},
      {"泉区", "table", NULL, "会議", "愛称", 3, 2, "ghij"},
  };
  Built *b = malloc(sizeof *b);
  build(b, ps, 2, 3, 1);
  StoreFile sf = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sf, b);
  free(b);
  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  Buf out = {.n = 0};
  long n_total = -1;
  assert_int_equal(store_scan_substring(s, "", NULL, 0, passage_cb, &out, &n_total, &err),
                   JFTS_OK);
  assert_int_equal(n_total, 2);
  assert_string_equal(out.s,
                      "a.txt:泉区:1:見出し:[-]:10-11:raw 3-15:segs(0,3,3,10)(3,9,3,11):abcdef\n"
                      "a.txt:泉区:table:-:[会議 愛称]:12-13:raw 17-25:segs(0,17,2,12)(2,21,2,13):"
                      "ghij\n");
  out.n = 0;
  int found = 0;
  assert_int_equal(store_get_passage(s, 2, passage_cb, &out, &found, &err), JFTS_OK);
  assert_int_equal(found, 1);
  assert_string_equal(out.s,
                      "a.txt:泉区:table:-:[会議 愛称]:12-13:raw 17-25:segs(0,17,2,12)(2,21,2,13):"
                      "ghij\n");
  assert_int_equal(store_get_passage(s, 99, passage_cb, &out, &found, &err), JFTS_OK);
  assert_int_equal(found, 0);
  store_close(s);

  StorePassageRow p = {.segs = k_segs_small, .n_segs = 2, .line_end = 99};
  static const struct {
    size_t byte;
    int line;
  } lines[] = {{0, 1}, {9, 1}, {10, (int)0xfffffffeu}, {17, (int)0xfffffffeu}, {18, 99}};
  for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
    if (store_seg_lineno(&p, lines[i].byte) != lines[i].line) print_error("byte %zu\n", lines[i].byte);
    assert_int_equal(store_seg_lineno(&p, lines[i].byte), lines[i].line);
  }
}

static void test_scan_substring(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  build(b, REPORT_B, 1, 0, 0);
  StoreFile sb = file_info(f->file_b, "00000000000000bb");
  store_one(f->db, &sb, b);
  free(b);
  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  static const struct {
    const char *needle, *ward;
    long limit, total;
    const char *expect; /* texts of the passages given to the callback, in order */
  } cases[] = {
      {"alpha", NULL, 0, 3, "alpha 全体協議会を開いた|alpha bravo 研修会|echo 課題 alpha|"},
      {"alpha", NULL, 2, 3, "alpha 全体協議会を開いた|alpha bravo 研修会|"},
      {"alpha", "太白区", 0, 1, "echo 課題 alpha|"},
      {"協議会", NULL, 0, 1, "alpha 全体協議会を開いた|"},
      {"zulu", NULL, 0, 0, ""},
      {"%", NULL, 0, 0, ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Buf out = {.n = 0};
    long total = -1;
    int rc = store_scan_substring(s, cases[i].needle, cases[i].ward, cases[i].limit,
                                  passage_cb, &out, &total, &err);
    assert_int_equal(rc, JFTS_OK);
    /* keep only the text after the last ':' of each line */
    char got[1024] = "";
    for (char *line = out.s; *line;) {
      char *nl = strchr(line, '\n');
      *nl = '\0';
      strcat(got, strrchr(line, ':') + 1);
      strcat(got, "|");
      line = nl + 1;
    }
    if (strcmp(got, cases[i].expect) != 0 || total != cases[i].total)
      print_error("case '%s' ward %s limit %ld\n", cases[i].needle, NS(cases[i].ward),
                  cases[i].limit);
    assert_string_equal(got, cases[i].expect);
    assert_int_equal(total, cases[i].total);
  }
  store_close(s);
}

/* A read store's time budget stops a statement that runs past it (here an endless recursive
** query, as a hostile view once ran) with a message naming the budget; 0 removes it. */
/* sqlite3_exec callback: blocks (no CPU) for 0.5 s at the first row, as a writer to a full
** pipe does. */
static int sleep_once_cb(void *ctx, int n, char **values, char **names) {
  (void)n, (void)values, (void)names;
  int *slept = ctx;
  if (!*slept) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 500 * 1000 * 1000};
    nanosleep(&ts, NULL);
    *slept = 1;
  }
  return 0;
}

static void test_budget(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 1, 0, 0);
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  free(b);
  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  static const char *const endless =
      "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r";
  store_set_budget(s, 0.05);
  store_budget_start(s);
  int src = sqlite3_exec(s->db, endless, NULL, NULL, NULL);
  assert_int_equal(src, SQLITE_INTERRUPT);
  assert_int_equal(store_db_error(s, src, &err, "cannot search"), JFTS_ERR_DB);
  char expect[256];
  snprintf(expect, sizeof expect, "'%s': cannot search: over the time budget of 0.05 s", f->db);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  /* Calls after the budget ran out start their own. */
  Buf out = {.n = 0};
  long total = -1;
  assert_int_equal(store_scan_substring(s, "alpha", NULL, 0, passage_cb, &out, &total, &err),
                   JFTS_OK);
  assert_int_equal(total, 1);
  /* The budget is CPU time: a call whose caller blocks (a --quotes reader piping into a pager
  ** that stopped reading) for longer than the budget goes on. Under a wall-clock budget the
  ** progress handler stops the rows that follow the sleep. */
  store_set_budget(s, 0.3);
  store_budget_start(s);
  int slept = 0;
  assert_int_equal(sqlite3_exec(s->db,
                                "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r"
                                " WHERE x < 20000) SELECT x FROM r",
                                sleep_once_cb, &slept, NULL),
                   SQLITE_OK);
  assert_int_equal(slept, 1);
  /* Without a budget, a bounded query of the same shape runs to its end. */
  store_set_budget(s, 0);
  store_budget_start(s);
  assert_int_equal(sqlite3_exec(s->db,
                                "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r"
                                " WHERE x < 100000) SELECT count(*) FROM r",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  store_close(s);
}

/* An index whose tokenizer version differs is refused for reading and rebuilt by a writer. */
static void test_tokenizer_version(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sf, b);
  free(b);
  char *lengths = sql_rows(f->db, "SELECT group_concat(n_tokens) FROM passages");
  /* Simulate an index built by another tokenizer: stale tokens and lengths, an old version. */
  exec_sql(f->db,
           "UPDATE passages SET n_tokens = n_tokens + 7;"
           "UPDATE meta SET value='0' WHERE key='tokenizer_version';"
           "INSERT INTO fts(fts, rowid, text, headings, label)"
           " SELECT 'delete', id, text, headings, label FROM passages;");
  assert_sql(f->db, "SELECT count(*) FROM fts WHERE fts MATCH 'alpha'", "0");

  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_ERR_SCHEMA);
  char expect[256];
  snprintf(expect, sizeof expect,
           "cannot open '%s': index built by tokenizer version 0 (this jfts uses %d); run "
           "jfts-index to rebuild it",
           f->db, JFTS_TOKENIZER_VERSION);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  store_close(s);
  char version[16];
  snprintf(version, sizeof version, "%d", JFTS_TOKENIZER_VERSION);
  assert_sql(f->db, "SELECT value FROM meta WHERE key='tokenizer_version'", version);
  assert_sql(f->db, "SELECT count(*) FROM fts WHERE fts MATCH 'alpha'", "2");
  assert_sql(f->db, "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)", "");
  /* The lengths ranking reads are the new tokenizer's, in the passages and in meta. */
  assert_sql(f->db, "SELECT group_concat(n_tokens) FROM passages", lengths);
  assert_sql(f->db,
             "SELECT (SELECT sum(n_tokens) FROM passages) ="
             " (SELECT value FROM meta WHERE key = 'rank_tokens')",
             "1");
  free(lengths);
}

static void test_out_of_memory(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sf = file_info(f->file_a, "00000000000000aa");
  /* Fail each allocation of open + store in turn: every failure is reported, nothing leaks,
  ** and the database keeps either nothing or the whole file. */
  int n_ok = 0;
  for (long k = 0; k < 200; k++) {
    Store *s = NULL;
    char *err = NULL;
    jfts_alloc_fail_after(k);
    int rc = store_open(f->db, STORE_WRITE, &s, &err);
    if (rc == JFTS_OK) rc = store_begin(s, &err);
    if (rc == JFTS_OK) rc = store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err);
    if (rc == JFTS_OK) rc = store_commit(s, &err);
    jfts_alloc_fail_after(-1);
    store_close(s);
    jfts_free(err);
    assert_int_equal(jfts_alloc_live(), f->live_at_setup);
    if (rc == JFTS_OK) {
      n_ok++;
      break;
    }
    assert_int_equal(rc, JFTS_ERR_NOMEM);
  }
  assert_int_equal(n_ok, 1);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");
  free(b);
}

static int count_hit_cb(void *ctx, const StoreHit *hit) {
  (void)hit;
  (*(int *)ctx)++;
  return JFTS_OK;
}

static int filter_value_cb(void *ctx, const StoreFilterValueRow *r) {
  bprintf(ctx, "%s|%s|%s|%s\n", NS(r->section), NS(r->section_title), NS(r->meeting),
          NS(r->local_name));
  return JFTS_OK;
}

static int filter_value_stop_cb(void *ctx, const StoreFilterValueRow *r) {
  (void)r;
  (*(int *)ctx)++;
  return JFTS_ERR_IO;
}

/* The values a filter may name: each distinct combination once, in document order (file path,
** then passage order) whatever order the files were stored in. */
static void test_filter_values(void **state) {
  Fix *f = *state;
  static const PSpec report_c[] = {
      {"太白区", "2", NULL, NULL, NULL, 0, 0, "echo 課題 alpha"},
      {"太白区", "table", NULL, "全体協議会", "地域会議", 1, 1, "foxtrot"},  /* as in a.txt */
      {"太白区", "2", NULL, NULL, NULL, 0, 0, "golf"},                     /* repeats row 1 */
  };
  Built *b = malloc(sizeof *b);
  build(b, report_c, 3, 0, 0);
  b->p[0].section_title = b->p[2].section_title = "現状における課題";
  StoreFile sb = file_info(f->file_b, "00000000000000bb");
  store_one(f->db, &sb, b); /* b.txt first: lower ids, later in path order */
  build(b, REPORT_A, 5, 0, 0);
  b->p[2].section_title = "今年度の主な取組み";
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  free(b);

  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  Buf out = {.n = 0};
  assert_int_equal(store_list_filter_values(s, filter_value_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s,
                      "table|-|全体協議会|地域会議\n"
                      "table|-|その他の活動|-\n"
                      "1|今年度の主な取組み|-|-\n"
                      "table|-|実務者会議|-\n"
                      "-|-|-|-\n"
                      "2|現状における課題|-|-\n");
  int n_calls = 0;
  assert_int_equal(store_list_filter_values(s, filter_value_stop_cb, &n_calls, &err),
                   JFTS_ERR_IO);
  assert_int_equal(n_calls, 1);
  assert_null(err);
  store_close(s);

  /* A database with no file yet lists nothing. */
  unlink(f->db);
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  out.n = 0;
  out.s[0] = '\0';
  assert_int_equal(store_list_filter_values(s, filter_value_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s, "");
  store_close(s);
}

/* store_piecewise_end undoes or keeps a streamed file, and reports the savepoint statement
** failing (here: no store_piecewise_begin, so there is no savepoint to roll back to) instead
** of claiming success. Messages of store_append_report name the file once, as those of
** store_replace_file do. */
static void test_piecewise(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  Store *s = NULL;
  char *err = NULL;
  char expect[256];
  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  static const struct {
    const char *name;
    const char *file;   /* stored between store_piecewise_begin and _end; NULL: neither */
    int keep, rc;
    const char *expect; /* message after the database path; NULL for none */
  } cases[] = {
      {"undone", "c.txt", 0, JFTS_OK, NULL},
      {"undo without savepoint", NULL, 0, JFTS_ERR_DB,
       "cannot undo the file: no such savepoint: piecewise"},
      {"keep without savepoint", NULL, 1, JFTS_ERR_DB,
       "cannot release savepoint: no such savepoint: piecewise"},
      {"kept", "b.txt", 1, JFTS_OK, NULL},
  };
  char path[128];
  StoreFile sb = file_info(f->file_b, "00000000000000bb");
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    if (cases[k].file) {
      snprintf(path, sizeof path, "%s/%s", f->dir, cases[k].file);
      StoreFile sf = file_info(path, "00000000000000cc");
      assert_int_equal(store_piecewise_begin(s, &err), JFTS_OK);
      build(b, REPORT_B, 1, 0, 0);
      assert_int_equal(store_replace_file(s, &sf, &b->dec, &b->rep, NULL, NULL, &err), JFTS_OK);
    }
    int rc = store_piecewise_end(s, cases[k].keep, &err);
    if (rc != cases[k].rc) fail_msg("%s: rc %d (%s)", cases[k].name, rc, err ? err : "-");
    if (cases[k].expect) {
      snprintf(expect, sizeof expect, "'%s': %s", f->db, cases[k].expect);
      assert_string_equal(err, expect);
    } else {
      assert_null(err);
    }
    jfts_free(err);
    err = NULL;
  }
  /* A further piece with an offset outside its text: the file is named once. */
  build(b, REPORT_B, 1, 0, 0);
  b->p[0].src_end = b->dec.n_bytes + 1;
  assert_int_equal(store_append_report(s, &sb, 2, &b->dec, &b->rep, NULL, &err), JFTS_ERR_INPUT);
  snprintf(expect, sizeof expect, "cannot store '%s': passage 0 lies outside the text",
           f->file_b);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  assert_int_equal(store_commit(s, &err), JFTS_OK);
  store_close(s);
  /* a.txt and the kept b.txt, with "alpha" in two passages of a.txt and one of b.txt. */
  assert_sql(f->db, COUNTS_SQL, "2,4,6,3,3");
  assert_sql(f->db, "SELECT group_concat(substr(path, -5), ',') FROM files", "a.txt,b.txt");
  free(b);
}

/* The tokenizer failing inside FTS5 (an ICU error) is reported with its own message, not as
** "SQL logic error", by whichever statement ran it: a search, or the delete of a file's old
** rows while it is stored again. */
static void test_tokenizer_error(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  store_one(f->db, &sa, b);
  static const char icu[] = "cannot tokenize: unorm2_getNFKCCasefoldInstance: U_FILE_ACCESS_ERROR";
  char expect[512];
  Store *s = NULL;
  char *err = NULL;

  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  g_nfkc_failure = U_FILE_ACCESS_ERROR;
  int n_hits = 0;
  int rc = store_match(s, "\"alpha\"", NULL, count_hit_cb, &n_hits, &err);
  g_nfkc_failure = U_ZERO_ERROR;
  assert_int_equal(rc, JFTS_ERR_DB);
  snprintf(expect, sizeof expect, "'%s': cannot search the full-text index: %s", f->db, icu);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  /* The message was taken: a later failure of another kind gets SQLite's own. */
  assert_int_equal(store_match(s, "\"alpha", NULL, count_hit_cb, &n_hits, &err), JFTS_ERR_DB);
  assert_int_equal(n_hits, 0);
  snprintf(expect, sizeof expect, "'%s': cannot search the full-text index: unterminated string",
           f->db);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  store_close(s);

  assert_int_equal(store_open(f->db, STORE_WRITE, &s, &err), JFTS_OK);
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  g_nfkc_failure = U_FILE_ACCESS_ERROR;
  rc = store_replace_file(s, &sa, &b->dec, &b->rep, NULL, NULL, &err);
  g_nfkc_failure = U_ZERO_ERROR;
  assert_int_equal(rc, JFTS_ERR_DB);
  snprintf(expect, sizeof expect, "cannot store '%s': '%s': cannot delete old rows: %s",
           f->file_a, f->db, icu);
  assert_string_equal(err, expect);
  jfts_free(err);
  err = NULL;
  assert_int_equal(store_rollback(s, NULL), JFTS_OK);
  /* A new file: its passages are tokenized by the store itself, outside FTS5. */
  assert_int_equal(store_begin(s, &err), JFTS_OK);
  StoreFile sb = file_info(f->file_b, "00000000000000bb");
  build(b, REPORT_B, 1, 0, 0);
  g_nfkc_failure = U_FILE_ACCESS_ERROR;
  rc = store_replace_file(s, &sb, &b->dec, &b->rep, NULL, NULL, &err);
  g_nfkc_failure = U_ZERO_ERROR;
  assert_int_equal(rc, JFTS_ERR_DB);
  snprintf(expect, sizeof expect,
           "cannot store '%s': cannot tokenize passage 0: "
           "unorm2_getNFKCCasefoldInstance: U_FILE_ACCESS_ERROR",
           f->file_b);
  assert_string_equal(err, expect);
  jfts_free(err);
  assert_int_equal(store_rollback(s, NULL), JFTS_OK);
  store_close(s);
  assert_sql(f->db, COUNTS_SQL, "1,3,5,3,2");
  free(b);
}

/* The organisation a sidecar's publisher names, and the kind a title tells. */
static void test_org_and_kind(void **state) {
  (void)state;
  static const struct {
    const char *publisher, *org;
  } orgs[] = {{"仙台市 (青葉区・宮城野区 障害者自立支援協議会)", "仙台市"},
              {"横浜市", "横浜市"},
              {"宮城県（保健福祉部）", "宮城県"},
              {"名取市・岩沼市", "名取市"},
              {"  (none)", ""}};
  for (size_t i = 0; i < sizeof orgs / sizeof *orgs; i++) {
    size_t n = store_org_len(orgs[i].publisher);
    char got[128];
    snprintf(got, sizeof got, "%.*s", (int)n, orgs[i].publisher);
    if (strcmp(got, orgs[i].org) != 0) print_error("publisher '%s'\n", orgs[i].publisher);
    assert_string_equal(got, orgs[i].org);
  }
  static const struct {
    const char *title, *kind;
  } kinds[] = {{"令和 3年度 青葉区障害者自立支援協議会 取組状況", "取組状況"},
               {"横浜市障害者プラン（第4期）", "計画"},
               {"第3期障害福祉計画", "計画"},
               {"令和5年第2回定例会 会議録", "会議録"},
               {"市民福祉委員会 議事録", "会議録"},
               {"ふくしだより 第12号", "広報"},
               {"事業実施報告書", "報告"},
               {"打合せメモ", "-"}};
  for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
    const char *k = store_kind_of_title(kinds[i].title);
    if (strcmp(k ? k : "-", kinds[i].kind) != 0) print_error("title '%s'\n", kinds[i].title);
    assert_string_equal(k ? k : "-", kinds[i].kind);
  }
  assert_null(store_kind_of_title(NULL));
}

static int doc_model_cb(void *ctx, const StoreDocRow *r) {
  bprintf(ctx, "%s:%s:%s:%d:%s:%s:%s|%s,%s,%s,%s,%s,%s:%d\n", basename_of(r->file), NS(r->org),
          NS(r->ward), r->year, NS(r->title), NS(r->kind), NS(r->date), NS(r->org_from),
          NS(r->ward_from), NS(r->year_from), NS(r->title_from), NS(r->kind_from),
          NS(r->date_from), r->whole);
  return JFTS_OK;
}

static int value_cb(void *ctx, const char *v) {
  bprintf(ctx, "%s|", v);
  return JFTS_OK;
}

static int passage_model_cb(void *ctx, const StorePassageRow *r) {
  bprintf(ctx, "%s:%s:%s:%s:%s:%d:%s\n", NS(r->org), NS(r->kind), NS(r->doc_title),
          NS(r->label), NS(r->heading_path), r->toc, NS(r->headings));
  return JFTS_OK;
}

static int toc_hit_cb(void *ctx, const StoreHit *h) {
  bprintf(ctx, "%lld:%d:%lld|", (long long)h->id, h->toc, (long long)h->n_occurrences);
  return JFTS_OK;
}

/* What the parser gives of the document model is stored as given, with its sources; what it
** does not give comes from the sidecar (org from the publisher, year, title, kind from the
** title); a speaker is a passage's label, a TOC passage is marked; every passage belongs to
** a document (the untagged one to its file's whole document). */
static void test_document_model(void **state) {
  Fix *f = *state;
  Built *b = malloc(sizeof *b);
  build(b, REPORT_A, 5, 0, 0);
  b->p[2].section_title = "取組";
  b->docs[0].org = "横浜市";
  b->docs[0].org_from = DOC_FROM_PDF_INFO;
  b->docs[0].kind = "報告";
  b->docs[0].kind_from = DOC_FROM_TEXT;
  b->docs[0].date = "2022-03-31";
  b->docs[0].date_from = DOC_FROM_TEXT;
  b->docs[0].title = "青葉区 取組状況";
  b->p[4].speaker = "議長（山田太郎君）";
  b->p[4].toc = 1;
  StoreFile sa = file_info(f->file_a, "00000000000000aa");
  sa.publisher = "仙台市 (各区)";
  store_one(f->db, &sa, b);
  free(b);

  Store *s = NULL;
  char *err = NULL;
  assert_int_equal(store_open(f->db, STORE_READ, &s, &err), JFTS_OK);
  Buf out = {.n = 0};
  assert_int_equal(store_list_documents(s, NULL, doc_model_cb, &out, &err), JFTS_OK);
  assert_string_equal(out.s,
                      "a.txt:横浜市:青葉区:2021:青葉区 取組状況:報告:2022-03-31|"
                      "pdf,title,title,title,text,text:0\n"
                      "a.txt:仙台市:泉区:2021:仙台市 取組状況:取組状況:-|"
                      "sidecar,title,title,sidecar,sidecar,-:0\n"
                      "a.txt:仙台市:-:2021:仙台市 取組状況:取組状況:-|"
                      "sidecar,-,sidecar,sidecar,sidecar,-:1\n");
  out.n = 0;
  for (int field = STORE_FIELD_WARD; field <= STORE_FIELD_YEAR; field++) {
    assert_int_equal(store_list_doc_values(s, (StoreDocField)field, value_cb, &out, &err),
                     JFTS_OK);
    bprintf(&out, "/");
  }
  assert_string_equal(out.s, "青葉区|泉区|/横浜市|仙台市|/報告|取組状況|/2021|/");
  out.n = 0;
  for (int64_t id = 1; id <= 5; id++) {
    int found = 0;
    assert_int_equal(store_get_passage(s, id, passage_model_cb, &out, &found, &err), JFTS_OK);
    assert_int_equal(found, 1);
  }
  assert_string_equal(out.s,
                      "横浜市:報告:青葉区 取組状況:全体協議会 地域会議:-:0:-\n"
                      "横浜市:報告:青葉区 取組状況:その他の活動:-:0:-\n"
                      "横浜市:報告:青葉区 取組状況:-:取組 › 今年度の主な取組み:0:"
                      "取組 › 今年度の主な取組み\n"
                      "仙台市:取組状況:仙台市 取組状況:実務者会議:-:0:-\n"
                      "仙台市:取組状況:仙台市 取組状況:議長（山田太郎君）:-:1:-\n");
  /* The speaker is indexed as the label; the TOC passage's hits say so. */
  out.n = 0;
  assert_int_equal(store_match(s, "\"山田太郎\" OR \"delta\"", NULL, toc_hit_cb, &out, &err),
                   JFTS_OK);
  assert_string_equal(out.s, "5:1:1|");
  /* Filters by organisation and kind. */
  const char *orgs[] = {"仙台市"};
  StoreFilter flt = {.orgs = orgs, .n_orgs = 1};
  out.n = 0;
  assert_int_equal(store_match(s, "\"alpha\" OR \"charlie\"", &flt, toc_hit_cb, &out, &err),
                   JFTS_OK);
  assert_string_equal(out.s, "4:0:1|");
  StoreFilter by_kind = {.kind = "報告"};
  int n = 0;
  assert_int_equal(store_match(s, "\"alpha\" OR \"charlie\"", &by_kind, count_hit_cb, &n, &err),
                   JFTS_OK);
  assert_int_equal(n, 2);
  store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hash),
      cmocka_unit_test(test_match_is_any),
      cmocka_unit_test(test_org_and_kind),
      cmocka_unit_test_setup_teardown(test_document_model, setup, teardown),
      cmocka_unit_test_setup_teardown(test_create_and_list, setup, teardown),
      cmocka_unit_test_setup_teardown(test_read_missing, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
      cmocka_unit_test_setup_teardown(test_older_schema, setup, teardown),
      cmocka_unit_test(test_page_of),
      cmocka_unit_test_setup_teardown(test_not_jfts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_replace_twice, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vocab, setup, teardown),
      cmocka_unit_test_setup_teardown(test_lookup_and_prune, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_first_run, setup, teardown),
      cmocka_unit_test_setup_teardown(test_segs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scan_substring, setup, teardown),
      cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tokenizer_version, setup, teardown),
      cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
      cmocka_unit_test_setup_teardown(test_filter_values, setup, teardown),
      cmocka_unit_test_setup_teardown(test_piecewise, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tokenizer_error, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
