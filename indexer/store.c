/* The index database (SQLite): opening with schema and version checks, transactions, and the
** small SQL helpers the other store files share (store_internal.h). Storing files is in
** store_write.c, listings and passages in store_read.c, ranked search in store_search.c. All of
** jfts's SQL lives in these files so that the schema can change in one place. */
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jfts_common.h"
#include "rank.h"
#include "store_internal.h"
#include "tokenizer.h"

/* A reader waits only for a rollback-journal commit (a new database before its first commit
** switches to WAL): a few seconds are plenty. */
#define STORE_BUSY_TIMEOUT_MS 5000

/* The columns schema 3 added to documents and passages (also added by the upgrade of a
** schema-2 index, upgrade_v2). Schema 4 changed no column (repack_segs). */
#define DOC_COLUMNS_V3                                                                          \
  " org TEXT, kind TEXT, date TEXT, whole INTEGER NOT NULL DEFAULT 0, org_from TEXT,"          \
  " ward_from TEXT, year_from TEXT, title_from TEXT, kind_from TEXT, date_from TEXT"
/* org and kind copy the document's (filters read them without a join); headings is what the
** fts column of that name indexes: the heading lines, after the section title (" › "-joined)
** on the first passage of each section, so that a section title is found once, not in every
** passage of its section;
** label is the meeting and local name of a table row, or the speaker of a turn in minutes;
** toc is 1 for a table of contents. */
#define PASSAGE_COLUMNS_V3 " org TEXT, kind TEXT, toc INTEGER NOT NULL DEFAULT 0, headings TEXT"

/* The full-text index over the passages. columnsize=0: no fts_docsize row per passage.
** Ranking reads text lengths from passages.n_tokens (RankData); only a rank over a row it
** does not cover, or bm25() in the sqlite3 shell, falls back to xColumnSize, which FTS5 then
** computes by tokenizing the row. Saves 3% of the database and a tenth of the build time. */
#define FTS_SQL                                                                                \
  "CREATE VIRTUAL TABLE fts USING fts5(text, headings, label, content='passages',"        \
  " content_rowid='id', columnsize=0, tokenize='" TOK_NAME "');"
/* Index building: FTS5 writes its pending terms out as a segment every `hashsize` bytes
** (1 MB by default) and merges segments `automerge` at a time (4). Bigger, fewer segments and
** fewer merges took a whole build from 3.8 s to ~3 s on 25 MB. 16 MB once took a tenth off a
** 98 MB build; with tokenizer version 3's unigrams it peaked at 65 MB there, above the 64 MB
** jfts-index must stay under, against 52 MB with 8 MB for about 6% more CPU (bench/README.md,
** "Engine measurements"). Persistent settings of the table: an index keeps the value it was
** created with. */
#define FTS_SETTINGS_SQL                                                                       \
  "INSERT INTO fts(fts, rank) VALUES('hashsize', 8388608);"                                    \
  "INSERT INTO fts(fts, rank) VALUES('automerge', 8);"

static const char *const SCHEMA_SQL =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE files("
    " id INTEGER PRIMARY KEY, path TEXT NOT NULL, realpath TEXT NOT NULL UNIQUE,"
    " size INTEGER NOT NULL, hash TEXT NOT NULL, encoding TEXT NOT NULL,"
    " title TEXT, publisher TEXT, year INTEGER, source TEXT,"
    " tagged INTEGER NOT NULL, indexed_at TEXT NOT NULL,"
    /* from_info: STORE_INFO_* bits; pages: a paged file's first text line of each page as
    ** little-endian uint32s (NULL for a text file), read with every passage for citations. */
    " from_info INTEGER NOT NULL DEFAULT 0, pages BLOB);"
    /* What each page of a paged file held besides its body, or why it gave no text. */
    "CREATE TABLE pages("
    " file_id INTEGER NOT NULL, page INTEGER NOT NULL, line_start INTEGER NOT NULL,"
    " n_lines INTEGER NOT NULL, furniture TEXT, error TEXT, PRIMARY KEY(file_id, page))"
    " WITHOUT ROWID;"
    /* A document: one the parser found (ordinal 0, 1, ...), or the file's text outside any
    ** of them (whole = 1, ordinal -1: a file without documents is one such document), so that
    ** every passage has a document. org/ward/year/title/kind/date are the document's own or,
    ** where it gives none, the file's sidecar's (publisher, year, title); *_from says where
    ** each came from: 'sidecar', 'pdf', 'title', 'text' or 'path' (NULL: no value). */
    "CREATE TABLE documents("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,"
    " ward TEXT, year INTEGER, year_label TEXT, title TEXT,"
    " line_start INTEGER, line_end INTEGER, n_passages INTEGER NOT NULL," DOC_COLUMNS_V3 ");"
    "CREATE INDEX documents_file ON documents(file_id, ordinal);"
    "CREATE TABLE passages("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, doc_id INTEGER, ordinal INTEGER NOT NULL,"
    " ward TEXT, year INTEGER, year_label TEXT, section TEXT, section_title TEXT, heading TEXT,"
    " meeting TEXT, local_name TEXT, slot INTEGER, label TEXT, text TEXT NOT NULL,"
    " raw_start INTEGER NOT NULL, raw_end INTEGER NOT NULL,"
    " line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,"
    " segs BLOB NOT NULL, n_tokens INTEGER NOT NULL," PASSAGE_COLUMNS_V3 ");"
    /* n_tokens and toc in the index let store_search_prepare read them without the table. */
    "CREATE INDEX passages_file ON passages(file_id, ordinal, n_tokens, toc);"
    /* Untagged text (most of a plain-text corpus) has no ward: indexing its NULLs costs
    ** space and insert time, and a filter by ward never asks for them. */
    "CREATE INDEX passages_ward ON passages(ward) WHERE ward IS NOT NULL;"
    "CREATE TABLE meetings("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, doc_id INTEGER,"
    " ward TEXT, year INTEGER, year_label TEXT, slot INTEGER NOT NULL, meeting TEXT,"
    " local_name TEXT, count INTEGER, text TEXT, line_start INTEGER, line_end INTEGER,"
    " passage_id INTEGER);"
    "CREATE INDEX meetings_file ON meetings(file_id, line_start);"
    FTS_SQL
    FTS_SETTINGS_SQL;

/* ---- helpers shared by the store files (store_internal.h) --------------------------------- */

int store_db_error(Store *s, int sqlite_rc, char **err_out, const char *what) {
  const char *tok_err = tok_replay_error(s->replay);
  int rc = JFTS_ERR_DB;
  if (sqlite_rc == SQLITE_NOMEM) rc = JFTS_ERR_NOMEM;
  else if (sqlite_rc == SQLITE_INTERRUPT && s->over_budget)
    jfts_set_error(err_out, "'%s': %s: over the time budget of %g s", s->path, what, s->budget_s);
  else if (tok_err && sqlite_rc == SQLITE_ERROR)
    jfts_set_error(err_out, "'%s': %s: %s", s->path, what, tok_err);
  else if ((sqlite_rc & 0xff) == SQLITE_CORRUPT) {
    /* A damaged file (a cut copy, overwritten pages) is the index contradicting itself, like
    ** the rows store_corrupt reports: the user's remedy is the same, so is the wording. */
    jfts_set_error(err_out, "'%s': the index is corrupt (%s: %s); re-index with jfts-index",
                   s->path, what, sqlite3_errmsg(s->db));
    rc = JFTS_ERR_SCHEMA;
  } else jfts_set_error(err_out, "'%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
  /* Cleared in every case, so that a message never outlives the failure it belongs to. */
  tok_replay_error_clear(s->replay);
  return rc;
}

int store_corrupt(Store *s, char **err_out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *what = n < 0 ? NULL : jfts_malloc((size_t)n + 1);
  if (what == NULL) return JFTS_ERR_NOMEM;
  va_start(ap, fmt);
  vsnprintf(what, (size_t)n + 1, fmt, ap);
  va_end(ap);
  jfts_set_error(err_out, "'%s': the index is corrupt (%s); re-index with jfts-index", s->path,
                 what);
  jfts_free(what);
  return JFTS_ERR_SCHEMA;
}

int store_exec(Store *s, const char *sql, char **err_out, const char *what) {
  int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? JFTS_OK : store_db_error(s, rc, err_out, what);
}

int store_bind_text(sqlite3_stmt *st, int i, const char *v) {
  return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

int store_bind_int_or_null(sqlite3_stmt *st, int i, int64_t v, int64_t null_value) {
  return v == null_value ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, v);
}

const char *store_col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

char *store_col_dup(sqlite3_stmt *st, int i, int *rc) {
  const char *v = store_col_text(st, i);
  if (v == NULL) return NULL;
  char *d = jfts_strdup(v);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

char *store_join_label(const char *meeting, const char *local_name) {
  if (meeting && local_name) return jfts_mprintf("%s %s", meeting, local_name);
  if (meeting) return jfts_strdup(meeting);
  if (local_name) return jfts_strdup(local_name);
  return NULL;
}

int store_query_int(Store *s, const char *sql, int64_t *value_out, char **err_out,
                    const char *what) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *value_out = sqlite3_column_int64(st, 0);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
  }
  int jrc = JFTS_OK;
  if (rc == SQLITE_NOTADB) {
    jfts_set_error(err_out, "'%s' is not a jfts database", s->path);
    jrc = JFTS_ERR_SCHEMA;
  } else if (rc != SQLITE_OK) {
    jrc = store_db_error(s, rc, err_out, what);
  }
  /* finalize repeats the step's error, already reported. */
  (void)sqlite3_finalize(st);
  return jrc;
}

int store_prepare_cached(Store *s, sqlite3_stmt **st, const char *sql, char **err_out) {
  if (*st) {
    /* reset repeats the error of the statement's last run, which was reported then;
    ** clear_bindings cannot fail. */
    (void)sqlite3_reset(*st);
    (void)sqlite3_clear_bindings(*st);
    return JFTS_OK;
  }
  int src = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
  return src == SQLITE_OK ? JFTS_OK : store_db_error(s, src, err_out, "cannot prepare");
}

int store_step_done(Store *s, sqlite3_stmt *st, char **err_out, const char *what) {
  int src = sqlite3_step(st);
  (void)sqlite3_reset(st); /* repeats the step's error */
  return src == SQLITE_DONE ? JFTS_OK : store_db_error(s, src, err_out, what);
}

uint64_t store_hash_update(uint64_t h, const unsigned char *raw, size_t n_bytes) {
  for (size_t i = 0; i < n_bytes; i++) {
    h ^= raw[i];
    h *= 0x100000001b3u;
  }
  return h;
}

void store_hash_hex(uint64_t h, char hex_out[17]) {
  snprintf(hex_out, 17, "%016llx", (unsigned long long)h);
}

void store_hash(const unsigned char *raw, size_t n_bytes, char hex_out[17]) {
  store_hash_hex(store_hash_update(STORE_HASH_INIT, raw, n_bytes), hex_out);
}

/* ---- open / close ------------------------------------------------------------------------ */

/* Reads meta.tokenizer_version; a jfts database always has it. */
static int read_meta(Store *s, char **err_out) {
  int64_t v = 0;
  int rc = store_query_int(
      s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='tokenizer_version'", &v, err_out,
      "cannot read meta");
  s->tok_version = (int)v;
  return rc;
}

/* The tables of every schema so far, dropped to rebuild an index of an older schema. */
static const char *const DROP_SQL =
    "DROP TABLE IF EXISTS fts; DROP TABLE IF EXISTS meetings; DROP TABLE IF EXISTS passages;"
    "DROP TABLE IF EXISTS documents; DROP TABLE IF EXISTS pages; DROP TABLE IF EXISTS files;"
    "DROP TABLE IF EXISTS meta;";

/* What every jfts database holds: each table (FTS5's shadow tables included) with the columns
** jfts reads. A table may have more columns (a later schema adds some); none may be missing. */
static const struct {
  const char *table;
  int is_virtual;
  const char *columns; /* comma-separated, as in pragma_table_info */
  const char *columns_v3; /* schema 3's list where it differs (upgrade_v2 reads schema 2) */
} k_tables[] = {
    {"meta", 0, "key,value", NULL},
    {"files", 0,
     "id,path,realpath,size,hash,encoding,title,publisher,year,source,tagged,from_info,pages",
     NULL},
    {"pages", 0, "file_id,page,line_start,n_lines,furniture,error", NULL},
    {"documents", 0, "id,file_id,ordinal,ward,year,year_label,title,line_start,line_end",
     "id,file_id,ordinal,ward,year,year_label,title,line_start,line_end,org,kind,date,whole,"
     "org_from,ward_from,year_from,title_from,kind_from,date_from"},
    {"passages", 0,
     "id,file_id,doc_id,ordinal,ward,year,year_label,section,section_title,heading,meeting,"
     "local_name,slot,label,text,raw_start,raw_end,line_start,line_end,segs,n_tokens",
     "id,file_id,doc_id,ordinal,ward,year,year_label,section,section_title,heading,meeting,"
     "local_name,slot,label,text,raw_start,raw_end,line_start,line_end,segs,n_tokens,org,kind,"
     "toc,headings"},
    {"meetings", 0,
     "id,file_id,doc_id,ward,year,year_label,slot,meeting,local_name,count,text,line_start,"
     "line_end,passage_id",
     NULL},
    {"fts", 1, "text,heading,label", "text,headings,label"},
    {"fts_data", 0, "id,block", NULL},
    {"fts_idx", 0, "segid,term,pgno", NULL},
    {"fts_config", 0, "k,v", NULL},
};

/* Checks that the schema is jfts's own (k_tables; no views, no triggers), before any statement
** of jfts reads it: a view in place of a table could run any query (an endless recursive CTE
** hangs), and a trigger could act on each write. version is the schema the database says it
** has (2, 3 or 4). JFTS_ERR_SCHEMA names what is wrong. */
static int check_objects(Store *s, int64_t version, char **err_out) {
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  const char *what = NULL;
  char *why = NULL;
  int src = sqlite3_prepare_v2(
      s->db, "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger') LIMIT 1", -1,
      &st, NULL);
  if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
    why = jfts_mprintf("it has a %s '%s'", store_col_text(st, 0), store_col_text(st, 1));
  (void)sqlite3_finalize(st); /* repeats the step's error */
  st = NULL;
  if (src != SQLITE_ROW && src != SQLITE_DONE)
    return store_db_error(s, src, err_out, "cannot read schema");
  if (src == SQLITE_ROW && why == NULL) return JFTS_ERR_NOMEM;
  /* One statement per table: its kind and how many of the expected columns it has. */
  src = sqlite3_prepare_v2(
      s->db,
      "SELECT (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1),"
      " (SELECT count(*) FROM pragma_table_info(?1)"
      "  WHERE instr(',' || ?2 || ',', ',' || name || ',') > 0)",
      -1, &st, NULL);
  for (size_t i = 0; why == NULL && src == SQLITE_OK && i < sizeof k_tables / sizeof *k_tables;
       i++) {
    const char *columns = version >= 3 && k_tables[i].columns_v3 ? k_tables[i].columns_v3
                                                                  : k_tables[i].columns;
    src = sqlite3_bind_text(st, 1, k_tables[i].table, -1, SQLITE_STATIC);
    if (src == SQLITE_OK) src = sqlite3_bind_text(st, 2, columns, -1, SQLITE_STATIC);
    if (src == SQLITE_OK) src = sqlite3_step(st);
    if (src != SQLITE_ROW) break;
    const char *sql = store_col_text(st, 0);
    int64_t n_have = sqlite3_column_int64(st, 1), n_want = 1;
    for (const char *c = columns; *c; c++) n_want += *c == ',';
    int virt = sql && strncmp(sql, "CREATE VIRTUAL TABLE", 20) == 0;
    if (sql == NULL) what = "is missing";
    else if (virt != k_tables[i].is_virtual || (virt && strstr(sql, "fts5(") == NULL))
      what = virt && !k_tables[i].is_virtual ? "is a virtual table" : "is not an FTS5 table";
    else if (n_have != n_want) what = "lacks some of its columns";
    if (what) {
      why = jfts_mprintf("table '%s' %s", k_tables[i].table, what);
      if (why == NULL) rc = JFTS_ERR_NOMEM;
    }
    src = sqlite3_reset(st);
  }
  (void)sqlite3_finalize(st);
  if (rc == JFTS_OK && src != SQLITE_OK && src != SQLITE_ROW)
    rc = store_db_error(s, src, err_out, "cannot read schema");
  if (rc == JFTS_OK && why) {
    jfts_set_error(err_out, "'%s' is not a jfts database (%s)", s->path, why);
    rc = JFTS_ERR_SCHEMA;
  }
  jfts_free(why);
  return rc;
}

/* Decides what the file is before anything can write to it. */
static int check_schema(Store *s, char **err_out) {
  int64_t n_objects = 0, has_meta = 0, user_version = 0;
  int rc = store_query_int(s, "SELECT count(*) FROM sqlite_master", &n_objects, err_out,
                           "cannot read schema");
  if (rc == JFTS_OK)
    rc = store_query_int(s,
                         "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'",
                         &has_meta, err_out, "cannot read schema");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "PRAGMA user_version", &user_version, err_out, "cannot read schema");
  if (rc != JFTS_OK) return rc;

  if (n_objects == 0 && user_version == 0) {
    if (s->mode == STORE_READ) {
      jfts_set_error(err_out, "'%s' is not a jfts database", s->path);
      return JFTS_ERR_SCHEMA;
    }
    s->needs_schema = 1;
    s->wal_pending = 1;
    /* A passage row is about 600 bytes: a 4 KiB page leaves a tenth of itself unused after
    ** its last whole row, an 8 KiB page half as much (2.3 MB less at 31.6 MB of text; 16 KiB
    ** saves no more). Takes effect only in a file with no pages yet. */
    return store_exec(s, "PRAGMA page_size=8192", err_out, "cannot set the page size");
  }
  if (!has_meta) {
    jfts_set_error(err_out, "'%s' is not a jfts database", s->path);
    return JFTS_ERR_SCHEMA;
  }
  if (user_version > JFTS_SCHEMA_VERSION) {
    jfts_set_error(err_out,
                   "cannot open '%s': database was written by a newer jfts (schema %lld, this "
                   "jfts reads up to %d)",
                   s->path, (long long)user_version, JFTS_SCHEMA_VERSION);
    return JFTS_ERR_SCHEMA;
  }
  if (user_version < 1) {
    jfts_set_error(err_out, "'%s' is not a jfts database", s->path);
    return JFTS_ERR_SCHEMA;
  }
  if (user_version == 2 || user_version == 3) {
    /* Schema 2 lacks only what schema 3 can fill from it (upgrade_v2), and schema 3 differs
    ** from 4 only in how segment maps are packed (repack_segs): jfts-index upgrades either in
    ** place in its first transaction; a reader says so and reads nothing. */
    if (s->mode == STORE_READ) {
      jfts_set_error(err_out,
                     "cannot open '%s': index written by an older jfts (schema %lld, this jfts "
                     "reads %d); run jfts-index --db %s on the indexed files to upgrade it",
                     s->path, (long long)user_version, JFTS_SCHEMA_VERSION, s->path);
      return JFTS_ERR_SCHEMA;
    }
    s->upgrade_old = 1;
  } else if (user_version < JFTS_SCHEMA_VERSION) {
    /* Older rows lack what citations need now (pages, columns): only a re-index makes them.
    ** jfts-index does it (store_begin); a reader says so. */
    if (s->mode == STORE_READ) {
      jfts_set_error(err_out,
                     "cannot open '%s': index written by an older jfts (schema %lld, this jfts "
                     "reads %d); re-index with jfts-index",
                     s->path, (long long)user_version, JFTS_SCHEMA_VERSION);
      return JFTS_ERR_SCHEMA;
    }
    s->needs_schema = 1;
    s->upgrade = 1;
    return JFTS_OK;
  }
  rc = check_objects(s, user_version, err_out);
  if (rc == JFTS_OK) rc = read_meta(s, err_out);
  if (rc == JFTS_OK && s->mode == STORE_READ && s->tok_version != JFTS_TOKENIZER_VERSION) {
    jfts_set_error(err_out,
                   "cannot open '%s': index built by tokenizer version %d (this jfts uses %d); "
                   "run jfts-index to rebuild it",
                   s->path, s->tok_version, JFTS_TOKENIZER_VERSION);
    rc = JFTS_ERR_SCHEMA;
  }
  return rc;
}

/* NULL when the database's directory and (if it exists) the database can be written, as
** WAL mode needs (it creates -wal and -shm files beside the database); else why not. */
static const char *why_not_writable(const char *path, int exists) {
  char *dir = jfts_strdup(path);
  if (dir == NULL) return NULL; /* let the open itself fail */
  char *slash = strrchr(dir, '/');
  const char *d = slash == NULL ? "." : (slash == dir ? "/" : (*slash = '\0', dir));
  const char *why = access(d, W_OK) != 0                    ? "its directory is read-only"
                    : exists && access(path, W_OK) != 0 ? "the file is read-only"
                                                           : NULL;
  jfts_free(dir);
  return why;
}

/* "file:PATH?immutable=1" with the characters a URI path may not hold escaped; NULL when out
** of memory or when PATH-wal exists (then the database is not checkpointed: no immutable). */
static char *immutable_uri(const char *path) {
  size_t n = strlen(path);
  char *uri = jfts_malloc(3 * n + 32);
  if (uri == NULL) return NULL;
  char *w = uri + sprintf(uri, "file:");
  for (const char *p = path; *p; p++) {
    if (*p == '%' || *p == '?' || *p == '#') w += sprintf(w, "%%%02X", (unsigned char)*p);
    else *w++ = *p;
  }
  char *wal = jfts_mprintf("%s-wal", path);
  struct stat st;
  int has_wal = wal != NULL && stat(wal, &st) == 0;
  jfts_free(wal);
  strcpy(w, has_wal ? "?mode=ro" : "?immutable=1");
  return uri;
}

/* ---- document fields the documents themselves do not give -------------------------------- */

/* A byte string [p, p+n) that starts with the UTF-8 text lit. */
static int has_prefix(const char *p, size_t n, const char *lit) {
  size_t k = strlen(lit);
  return n >= k && memcmp(p, lit, k) == 0;
}

size_t store_org_len(const char *publisher) {
  static const char *const stops[] = {" ", "\t", "　", "(", "（", "「", "・", ",", "、"};
  size_t n = strlen(publisher);
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < sizeof stops / sizeof *stops; k++)
      if (has_prefix(publisher + i, n - i, stops[k])) return i;
  return n;
}

const char *store_kind_of_title(const char *title) {
  static const struct {
    const char *word, *kind;
  } k_kinds[] = {{"取組状況", "取組状況"}, {"会議録", "会議録"}, {"議事録", "会議録"},
                 {"計画", "計画"},         {"プラン", "計画"},   {"広報", "広報"},
                 {"だより", "広報"},       {"通信", "広報"},     {"報告", "報告"}};
  if (title == NULL) return NULL;
  for (size_t i = 0; i < sizeof k_kinds / sizeof *k_kinds; i++)
    if (strstr(title, k_kinds[i].word)) return k_kinds[i].kind;
  return NULL;
}

/* SQL jfts_org(publisher): the organisation a sidecar's publisher names (store_org_len);
** NULL for NULL or when nothing is left. */
static void org_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *p = (const char *)sqlite3_value_text(argv[0]);
  size_t n = p ? store_org_len(p) : 0;
  if (n > 0) sqlite3_result_text(ctx, p, (int)n, SQLITE_TRANSIENT);
  else sqlite3_result_null(ctx);
}

/* SQL jfts_kind(title): store_kind_of_title. */
static void kind_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  const char *k = store_kind_of_title((const char *)sqlite3_value_text(argv[0]));
  if (k) sqlite3_result_text(ctx, k, -1, SQLITE_STATIC);
  else sqlite3_result_null(ctx);
}

int store_fill_documents(Store *s, int64_t file_id, char **err_out) {
  /* SET reads the old values: each *_from is decided from the document's own field. */
  static const char *const sql =
      "UPDATE documents SET"
      " org = coalesce(documents.org, jfts_org(f.publisher)),"
      " org_from = CASE WHEN documents.org IS NOT NULL"
      "  THEN coalesce(documents.org_from, 'text')"
      "  WHEN jfts_org(f.publisher) IS NOT NULL THEN 'sidecar' END,"
      " ward_from = CASE WHEN documents.ward IS NOT NULL"
      "  THEN coalesce(documents.ward_from, 'title') END,"
      " year = coalesce(documents.year, f.year),"
      " year_from = CASE WHEN documents.year IS NOT NULL"
      "  THEN coalesce(documents.year_from, 'title')"
      "  WHEN f.year IS NOT NULL THEN iif(f.from_info & 2, 'pdf', 'sidecar') END,"
      " title = coalesce(documents.title, f.title),"
      " title_from = CASE WHEN documents.title IS NOT NULL"
      "  THEN coalesce(documents.title_from, 'title')"
      "  WHEN f.title IS NOT NULL THEN iif(f.from_info & 1, 'pdf', 'sidecar') END,"
      " kind = coalesce(documents.kind, jfts_kind(coalesce(documents.title, f.title))),"
      " kind_from = CASE WHEN documents.kind IS NOT NULL"
      "  THEN coalesce(documents.kind_from, 'text')"
      "  WHEN documents.title IS NOT NULL THEN iif(jfts_kind(documents.title) IS NULL, NULL,"
      "  'title') WHEN jfts_kind(f.title) IS NOT NULL"
      "  THEN iif(f.from_info & 1, 'pdf', 'sidecar') END,"
      " date_from = CASE WHEN documents.date IS NOT NULL"
      "  THEN coalesce(documents.date_from, 'text') END"
      " FROM files f WHERE f.id = documents.file_id";
  /* One file's documents through documents_file (an OR with "all" would scan them all, for
  ** every file stored: quadratic in the index's size). */
  char *full = jfts_mprintf("%s%s", sql, file_id ? " AND documents.file_id = ?1" : "");
  if (full == NULL) return JFTS_ERR_NOMEM;
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(s->db, full, -1, &st, NULL);
  jfts_free(full);
  if (src == SQLITE_OK && file_id) src = sqlite3_bind_int64(st, 1, file_id);
  if (src == SQLITE_OK) src = sqlite3_step(st);
  int rc = src == SQLITE_DONE ? JFTS_OK : store_db_error(s, src, err_out, "cannot fill documents");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

/* Registers the jfts tokenizer (with the connection's TokReplay) and the rank function. */
static int register_functions(Store *s, char **err_out) {
  /* Read mode never arms the replay, but its error slot still tells why a query failed. */
  int src = tok_register_replay(s->db, &s->replay);
  if (src != SQLITE_OK) {
    if (src == SQLITE_NOMEM) return JFTS_ERR_NOMEM;
    jfts_set_error(err_out, "cannot open '%s': cannot register the %s tokenizer: %s", s->path,
                   TOK_NAME, sqlite3_errstr(src));
    return JFTS_ERR_DB;
  }
  /* Called by jfts's own statements only (DIRECTONLY: never from a schema). */
  src = sqlite3_create_function(s->db, "jfts_org", 1,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                org_func, NULL, NULL);
  if (src == SQLITE_OK)
    src = sqlite3_create_function(s->db, "jfts_kind", 1,
                                  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, NULL,
                                  kind_func, NULL, NULL);
  if (src == SQLITE_OK) src = rank_register(s->db, &s->rank);
  if (src != SQLITE_OK) {
    if (src == SQLITE_NOMEM) return JFTS_ERR_NOMEM;
    jfts_set_error(err_out, "cannot open '%s': cannot register %s: %s", s->path, RANK_FUNCTION,
                   sqlite3_errstr(src));
    return JFTS_ERR_DB;
  }
  return JFTS_OK;
}

/* ---- waiting for another writer ---------------------------------------------------------- */

static double mono_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SQLite's busy handler of a STORE_WRITE store: sleeps (1 ms growing to 100 ms) and retries
** until the lock is free or lock_max_s has passed. n_calls is 0 on the first call of a wait. */
static int busy_wait(void *ctx, int n_calls) {
  Store *s = ctx;
  double t = mono_seconds();
  if (n_calls == 0) {
    s->lock_t0 = t;
    s->lock_next_note = 1.0;
  }
  s->lock_waited_s = t - s->lock_t0;
  if (s->lock_max_s >= 0 && s->lock_waited_s >= s->lock_max_s) return 0;
  if (s->lock_waiting && s->lock_waited_s >= s->lock_next_note) {
    s->lock_waiting(s->lock_ctx, s->lock_waited_s);
    s->lock_next_note += 1.0;
  }
  int ms = n_calls < 7 ? 1 << n_calls : 100;
  if (s->lock_max_s >= 0) {
    double left_ms = (s->lock_max_s - s->lock_waited_s) * 1000.0;
    if (left_ms < ms) ms = (int)left_ms + 1;
  }
  sqlite3_sleep(ms);
  return 1;
}

/* The budget's clock: CPU time of the calling thread. A hostile database spins a core, which
** this counts; a call that waits (for a core on a busy machine, or for a reader of --quotes
** who pipes the output into a pager and stops reading) uses none, and must not be cut off
** with "over the time budget" (it was, at 60 s of wall time). Per thread, because jfts-serve's
** requests run side by side in one process. */
static double budget_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* SQLite's progress handler of a STORE_READ store: non-zero (stop) past the deadline. */
static int budget_check(void *ctx) {
  Store *s = ctx;
  if (s->deadline > 0 && budget_seconds() > s->deadline) s->over_budget = 1;
  return s->over_budget;
}

void store_set_budget(Store *s, double seconds) {
  s->budget_s = seconds > 0 ? seconds : 0;
  s->deadline = 0;
  /* About every millisecond of work; the clock read costs far less. */
  sqlite3_progress_handler(s->db, s->budget_s > 0 ? 1000 : 0, budget_check, s);
}

void store_budget_start(Store *s) {
  s->over_budget = 0;
  s->deadline = s->budget_s > 0 ? budget_seconds() + s->budget_s : 0;
}

void store_set_lock_wait(Store *s, double max_seconds, StoreWaitFn waiting, void *ctx) {
  s->lock_max_s = max_seconds;
  s->lock_waiting = waiting;
  s->lock_ctx = ctx;
  /* Replaces the busy timeout; cannot fail on an open connection. */
  (void)sqlite3_busy_handler(s->db, busy_wait, s);
}

/* Sets up a new connection before anything reads the file. A database file may come from
** anyone: no writes to SQLite's own schema or shadow tables by SQL (DEFENSIVE), no functions
** or virtual tables run from the schema itself (trusted_schema off; check_objects refuses
** views and triggers besides). The functions are registered before check_schema: reading the
** fts table's columns needs its tokenizer. */
static int configure(Store *s, char **err_out) {
  int src = sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
  if (src == SQLITE_OK)
    src = sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)NULL);
  if (src == SQLITE_OK) src = sqlite3_extended_result_codes(s->db, 0);
  if (src == SQLITE_OK) src = sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
  int rc = src == SQLITE_OK ? JFTS_OK : store_db_error(s, src, err_out, "cannot open");
  return rc == JFTS_OK ? register_functions(s, err_out) : rc;
}

int store_open(const char *path, StoreMode mode, Store **out, char **err_out) {
  int rc = JFTS_OK;
  Store *s = NULL;
  *out = NULL;
  struct stat st;
  int exists = stat(path, &st) == 0;
  if (!exists && (errno != ENOENT || mode == STORE_READ)) {
    jfts_set_error(err_out, "cannot open '%s': %s", path,
                   errno == ENOENT ? "no such file" : strerror(errno));
    return JFTS_ERR_IO;
  }
  if (exists && S_ISDIR(st.st_mode)) {
    jfts_set_error(err_out, "cannot open '%s': is a directory", path);
    return JFTS_ERR_IO;
  }
  /* A device or a FIFO is never a database: SQLite would write a journal beside it (as root,
  ** /dev/full-journal) or hang on the FIFO. */
  if (exists && !S_ISREG(st.st_mode)) {
    jfts_set_error(err_out, "cannot open '%s': not a regular file", path);
    return JFTS_ERR_IO;
  }

  s = jfts_calloc(1, sizeof *s);
  if (s == NULL) return JFTS_ERR_NOMEM;
  s->mode = mode;
  s->path = jfts_strdup(path);
  if (s->path == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  /* WAL mode writes beside the database (-wal, -shm): a database or directory that cannot be
  ** written is refused before anything is tried, rather than failing half-way and leaving
  ** those files behind. */
  const char *read_only = why_not_writable(path, exists);
  int can_write = read_only == NULL;
  if (mode == STORE_WRITE && !can_write) {
    jfts_set_error(err_out, "cannot write '%s': %s", path, read_only);
    rc = JFTS_ERR_IO;
    goto cleanup;
  }
  /* Queries open read-write too but set query_only: a read-only connection would leave the
  ** -wal and -shm files behind, while the last read-write connection removes them. Where
  ** nothing may be written, a checkpointed database (no -wal) is opened immutable, which
  ** needs no -shm either. */
  /* A Store is used by one thread at a time: no per-call mutex (it costs 20% of a scan). */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
              (mode == STORE_WRITE ? SQLITE_OPEN_CREATE : 0);
  char *uri = NULL;
  if (mode == STORE_READ && !can_write) {
    uri = immutable_uri(path);
    if (uri == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
    flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  }
  int src = sqlite3_open_v2(uri ? uri : path, &s->db, flags, NULL);
  jfts_free(uri);
  s->created = !exists && s->db != NULL;
  if (src != SQLITE_OK) {
    if (src == SQLITE_NOMEM || s->db == NULL) {
      rc = JFTS_ERR_NOMEM;
    } else {
      jfts_set_error(err_out, "cannot open '%s': %s", path, sqlite3_errmsg(s->db));
      rc = JFTS_ERR_IO;
    }
    goto cleanup;
  }
  rc = configure(s, err_out);
  if (rc == JFTS_OK) rc = check_schema(s, err_out);
  if (rc != JFTS_OK) goto cleanup;

  if (mode == STORE_READ) {
    store_set_budget(s, STORE_READ_BUDGET_S);
    (void)sqlite3_limit(s->db, SQLITE_LIMIT_LENGTH, 64 << 20);
    if (sqlite3_hard_heap_limit64(-1) == 0) (void)sqlite3_hard_heap_limit64((sqlite3_int64)1 << 30);
    rc = store_exec(s, "PRAGMA query_only=1", err_out, "cannot open");
  } else if (!s->wal_pending) {
    rc = store_exec(s, "PRAGMA journal_mode=WAL", err_out, "cannot set WAL mode");
  }
  if (rc != JFTS_OK) goto cleanup;

  if (mode == STORE_WRITE) store_set_lock_wait(s, -1, NULL, NULL);

cleanup:
  if (rc != JFTS_OK) {
    store_close(s);
    s = NULL;
  }
  *out = s;
  return rc;
}

/* No allocation here: removing a half-made database must work when memory has run out. */
static void remove_if_exists(const char *path, const char *suffix) {
  char p[4096];
  int n = snprintf(p, sizeof p, "%s%s", path, suffix);
  if (n > 0 && (size_t)n < sizeof p) unlink(p);
}

void store_close(Store *s) {
  if (s == NULL) return;
  /* finalize only repeats the error of a statement's last run, reported then. */
  sqlite3_stmt *const sts[] = {s->ins_passage, s->ins_fts,      s->ins_meeting,
                               s->ins_doc,     s->ins_file,     s->find_file,
                               s->get_passage, s->match_ranked, s->match_ranked_filter,
                               s->match_ids};
  for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++) (void)sqlite3_finalize(sts[i]);
  store_search_free(s);
  /* Every statement is finalized, so close cannot be busy; it rolls back an open txn. */
  if (s->db) (void)sqlite3_close(s->db);
  if (s->created && !s->committed && s->path) {
    remove_if_exists(s->path, "");
    remove_if_exists(s->path, "-journal");
    remove_if_exists(s->path, "-wal");
    remove_if_exists(s->path, "-shm");
  }
  tok_batch_free(s->own_tokens);
  for (int k = 0; k < 2; k++) {
    tok_batch_free(s->col_tokens[k]);
    jfts_free(s->col_text[k]);
  }
  jfts_free(s->n_text);
  jfts_free(s->present);
  jfts_free(s->doc_key);
  jfts_free(s->far_id);
  jfts_free(s->far_key);
  jfts_free(s->path);
  jfts_free(s);
}

/* ---- transactions ------------------------------------------------------------------------ */

static int write_meta(Store *s, char **err_out) {
  char *sql = jfts_mprintf("INSERT OR REPLACE INTO meta(key, value) VALUES"
                           "('jfts_version', '%s'), ('tokenizer_version', '%d');"
                           "PRAGMA user_version=%d;",
                           JFTS_VERSION, JFTS_TOKENIZER_VERSION, JFTS_SCHEMA_VERSION);
  if (sql == NULL) return JFTS_ERR_NOMEM;
  int rc = store_exec(s, sql, err_out, "cannot write meta");
  jfts_free(sql);
  return rc;
}

/* Upgrades a schema-2 index in place: the new columns, a document for each file's text
** outside any document (so that every passage has one), the documents' fields from the
** files' sidecars, the passages' copies of them and their heading paths, and the full-text
** index rebuilt over text, headings and label (schema 2 indexed the heading alone). */
static int upgrade_v2(Store *s, char **err_out) {
  static const char *const sql =
      "ALTER TABLE documents ADD COLUMN org TEXT;"
      "ALTER TABLE documents ADD COLUMN kind TEXT;"
      "ALTER TABLE documents ADD COLUMN date TEXT;"
      "ALTER TABLE documents ADD COLUMN whole INTEGER NOT NULL DEFAULT 0;"
      "ALTER TABLE documents ADD COLUMN org_from TEXT;"
      "ALTER TABLE documents ADD COLUMN ward_from TEXT;"
      "ALTER TABLE documents ADD COLUMN year_from TEXT;"
      "ALTER TABLE documents ADD COLUMN title_from TEXT;"
      "ALTER TABLE documents ADD COLUMN kind_from TEXT;"
      "ALTER TABLE documents ADD COLUMN date_from TEXT;"
      "ALTER TABLE passages ADD COLUMN org TEXT;"
      "ALTER TABLE passages ADD COLUMN kind TEXT;"
      "ALTER TABLE passages ADD COLUMN toc INTEGER NOT NULL DEFAULT 0;"
      "ALTER TABLE passages ADD COLUMN headings TEXT;"
      "DROP INDEX IF EXISTS passages_file;"
      "CREATE INDEX passages_file ON passages(file_id, ordinal, n_tokens, toc);"
      "INSERT INTO documents(file_id, ordinal, line_start, line_end, n_passages, whole)"
      " SELECT f.id, -1, min(p.line_start), max(p.line_end), count(p.id), 1"
      " FROM files f LEFT JOIN passages p ON p.file_id = f.id AND p.doc_id IS NULL"
      " GROUP BY f.id HAVING count(p.id) > 0"
      " OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.file_id = f.id);"
      "UPDATE passages SET doc_id = (SELECT d.id FROM documents d"
      " WHERE d.file_id = passages.file_id AND d.whole = 1) WHERE doc_id IS NULL;";
  static const char *const fill_sql =
      "UPDATE passages SET org = d.org, kind = d.kind,"
      " year = coalesce(passages.year, d.year), year_label = coalesce(passages.year_label,"
      " d.year_label) FROM documents d WHERE d.id = passages.doc_id;"
      "UPDATE passages SET headings = CASE WHEN x.first AND passages.section_title IS NOT NULL"
      " THEN passages.section_title || coalesce(' › ' || heading, '') ELSE heading END"
      " FROM (SELECT id, ordinal = min(ordinal) OVER (PARTITION BY file_id, doc_id, section,"
      " section_title) AS first FROM passages) x WHERE x.id = passages.id;"
      "DROP TABLE fts;" FTS_SQL FTS_SETTINGS_SQL
      "INSERT INTO fts(fts) VALUES('rebuild');";
  int rc = store_exec(s, sql, err_out, "cannot upgrade the schema");
  if (rc == JFTS_OK) rc = store_fill_documents(s, 0, err_out);
  if (rc == JFTS_OK) rc = store_exec(s, fill_sql, err_out, "cannot upgrade the schema");
  if (rc == JFTS_OK) s->tok_version = JFTS_TOKENIZER_VERSION;
  return rc;
}

/* Rewrites every passage's segment map from schema 3's packing to schema 4's. A map that
** does not decode stops the upgrade (JFTS_ERR_SCHEMA); the transaction leaves the file as it
** was. */
static int repack_segs(Store *s, char **err_out) {
  sqlite3_stmt *sel = NULL, *upd = NULL;
  StoreSeg *segs = NULL;
  unsigned char *blob = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(s->db, "SELECT id, segs FROM passages", -1, &sel, NULL);
  if (src == SQLITE_OK)
    src = sqlite3_prepare_v2(s->db, "UPDATE passages SET segs = ?2 WHERE id = ?1", -1, &upd,
                             NULL);
  while (src == SQLITE_OK && rc == JFTS_OK && (src = sqlite3_step(sel)) == SQLITE_ROW) {
    int64_t id = sqlite3_column_int64(sel, 0);
    size_t n_old = (size_t)sqlite3_column_bytes(sel, 1), n_segs = 0, n_blob = 0;
    rc = store_segs_unpack_v3(sqlite3_column_blob(sel, 1), n_old, &segs, &n_segs);
    if (rc == JFTS_ERR_INPUT) {
      /* Not "re-index with jfts-index": that would try this upgrade again. */
      jfts_set_error(err_out,
                     "'%s': cannot upgrade: the index is corrupt (passage %lld: a segment map "
                     "of %zu bytes); remove it and index the files again",
                     s->path, (long long)id, n_old);
      rc = JFTS_ERR_SCHEMA;
    }
    if (rc == JFTS_OK) rc = store_segs_pack(segs, n_segs, &blob, &n_blob);
    if (rc == JFTS_OK) {
      src = sqlite3_bind_int64(upd, 1, id);
      if (src == SQLITE_OK) src = sqlite3_bind_blob(upd, 2, blob, (int)n_blob, SQLITE_STATIC);
      if (src == SQLITE_OK && (src = sqlite3_step(upd)) == SQLITE_DONE) src = sqlite3_reset(upd);
    }
    jfts_free(segs);
    jfts_free(blob);
    segs = NULL;
    blob = NULL;
  }
  if (rc == JFTS_OK && src != SQLITE_DONE && src != SQLITE_OK)
    rc = store_db_error(s, src, err_out, "cannot upgrade the segment maps");
  (void)sqlite3_finalize(sel);
  (void)sqlite3_finalize(upd);
  return rc;
}

int store_begin(Store *s, char **err_out) {
  if (s->mode != STORE_WRITE) {
    jfts_set_error(err_out, "'%s' is open for reading only", s->path);
    return JFTS_ERR_USAGE;
  }
  s->lock_waited_s = 0;
  int src = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (src == SQLITE_BUSY && s->lock_max_s > 0 && s->lock_waited_s >= s->lock_max_s) {
    jfts_set_error(err_out,
                   "'%s': cannot begin a transaction: database is locked (another writer held "
                   "it for %g s)",
                   s->path, s->lock_max_s);
    return JFTS_ERR_DB;
  }
  int rc = src == SQLITE_OK ? JFTS_OK
                            : store_db_error(s, src, err_out, "cannot begin a transaction");
  if (rc != JFTS_OK) return rc;
  s->in_txn = 1;
  s->changes_at_begin = sqlite3_total_changes64(s->db);
  if (s->needs_schema) {
    /* Another indexer may have created the schema while we waited for the lock. */
    int64_t n_objects = 0, version = 0;
    if (s->upgrade)
      rc = store_query_int(s, "PRAGMA user_version", &version, err_out, "cannot read schema");
    if (rc == JFTS_OK && s->upgrade && version < JFTS_SCHEMA_VERSION)
      rc = store_exec(s, DROP_SQL, err_out, "cannot drop the old schema");
    if (rc == JFTS_OK)
      rc = store_query_int(s, "SELECT count(*) FROM sqlite_master", &n_objects, err_out,
                           "cannot read schema");
    if (rc == JFTS_OK && n_objects == 0) {
      rc = store_exec(s, SCHEMA_SQL, err_out, "cannot create the schema");
      if (rc == JFTS_OK) rc = write_meta(s, err_out);
      if (rc == JFTS_OK) s->tok_version = JFTS_TOKENIZER_VERSION;
    } else if (rc == JFTS_OK) {
      rc = check_schema(s, err_out);
    }
    if (rc == JFTS_OK) s->needs_schema = s->upgrade = 0;
  } else if (s->upgrade_old || s->tok_version != JFTS_TOKENIZER_VERSION) {
    /* An older schema is upgraded in place, and an older tokenizer's tokens redone (an index
    ** of schema 3 may also predate tokenizer 3). Another indexer may have upgraded it while
    ** we waited for the lock. */
    int64_t version = JFTS_SCHEMA_VERSION;
    int retokenize = s->tok_version != JFTS_TOKENIZER_VERSION;
    if (s->upgrade_old)
      rc = store_query_int(s, "PRAGMA user_version", &version, err_out, "cannot read schema");
    /* upgrade_v2 rebuilds the full-text index itself, with this tokenizer. */
    if (rc == JFTS_OK && version == 2) rc = upgrade_v2(s, err_out);
    else if (rc == JFTS_OK && retokenize)
      /* External content: the passages are intact, only the tokens must be redone. */
      rc = store_exec(s, "INSERT INTO fts(fts) VALUES('rebuild')", err_out,
                      "cannot rebuild the full-text index");
    if (rc == JFTS_OK && version < JFTS_SCHEMA_VERSION) rc = repack_segs(s, err_out);
    /* the lengths ranking reads */
    if (rc == JFTS_OK && (version == 2 || retokenize)) rc = store_recount_tokens(s, err_out);
    if (rc == JFTS_OK && (version < JFTS_SCHEMA_VERSION || retokenize)) rc = write_meta(s, err_out);
    if (rc == JFTS_OK) {
      s->tok_version = JFTS_TOKENIZER_VERSION;
      s->upgrade_old = 0;
    }
  }
  /* The first failure is the one to report; a failed rollback is undone by store_close. */
  if (rc != JFTS_OK) (void)store_rollback(s, NULL);
  return rc;
}

int store_commit(Store *s, char **err_out) {
  int64_t has_stats = 1;
  /* A transaction that changed rows leaves the statistics searches read (store_internal.h);
  ** an index written before them gets them from its next run. */
  int rc = s->in_txn ? store_query_int(s, "SELECT count(*) FROM meta WHERE key='rank_rows'",
                                       &has_stats, err_out, "cannot read meta")
                     : JFTS_OK;
  if (rc == JFTS_OK && s->in_txn &&
      (sqlite3_total_changes64(s->db) != s->changes_at_begin || !has_stats))
    rc = store_write_rank_stats(s, err_out);
  if (rc == JFTS_OK) rc = store_exec(s, "COMMIT", err_out, "cannot commit");
  if (rc != JFTS_OK) return rc;
  s->in_txn = 0;
  s->committed = 1;
  if (s->wal_pending) {
    rc = store_exec(s, "PRAGMA journal_mode=WAL", err_out, "cannot set WAL mode");
    if (rc == JFTS_OK) s->wal_pending = 0;
  }
  return rc;
}

int store_rollback(Store *s, char **err_out) {
  if (!s->in_txn) return JFTS_OK;
  s->in_txn = 0;
  /* A failed transaction may have been rolled back by SQLite already. */
  if (sqlite3_get_autocommit(s->db)) return JFTS_OK;
  return store_exec(s, "ROLLBACK", err_out, "cannot roll back");
}
