/* The index database (SQLite): schema creation and version checks, storing one parsed file
** with its FTS5 rows kept in step, pruning, and the listings the query program prints. All of
** jfts's SQL lives here so that the schema can change in one place. */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jfts_common.h"
#include "rank.h"
#include "tokenizer.h"

#define STORE_BUSY_TIMEOUT_MS 5000

struct Store {
  sqlite3 *db;
  char *path;           /* as given to store_open, for messages */
  StoreMode mode;
  int created;          /* store_open created the file */
  int committed;        /* a store_commit succeeded */
  int needs_schema;     /* the database is empty: store_begin writes the schema */
  int wal_pending;      /* switch to WAL after the first commit (the switch writes the file) */
  int tok_version;      /* tokenizer_version recorded in meta; 0 when none */
  int in_txn;
  sqlite3_stmt *ins_passage, *ins_fts, *ins_meeting, *ins_doc; /* prepared on first use */
  sqlite3_stmt *ins_file, *find_file;                           /* likewise */
  /* Tokens reach FTS5 through replay (tokenizer.h): each passage's text is tokenized once,
  ** by the caller (store_replace_file's tokens) or here into own_tokens, for both its length
  ** and the index. Headings and labels repeat from passage to passage: the last one's tokens
  ** are kept. */
  TokReplay *replay;
  TokBatch *own_tokens;
  TokBatch *col_tokens[2];  /* heading, label */
  char *col_text[2];        /* the text col_tokens[k] holds the tokens of, or NULL */
  /* Ranked search (store_search_prepare and below), statements prepared on first use. */
  sqlite3_stmt *get_passage, *match_ranked, *match_ranked_filter, *match_ids;
  int search_loaded;
  uint32_t *n_text;     /* per passage id: FTS5 positions of the text column */
  uint8_t *present;     /* per passage id: 1 for ids that exist */
  uint64_t *doc_key;    /* per passage id: file's rank by path << 32 | passage ordinal */
  size_t n_ids;         /* entries in the three arrays: largest id + 1 */
  RankData rank;        /* what jfts_rank reads: points into the arrays above */
};

static const char *const SCHEMA_SQL =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE files("
    " id INTEGER PRIMARY KEY, path TEXT NOT NULL, realpath TEXT NOT NULL UNIQUE,"
    " size INTEGER NOT NULL, hash TEXT NOT NULL, encoding TEXT NOT NULL,"
    " title TEXT, publisher TEXT, year INTEGER, source TEXT,"
    " tagged INTEGER NOT NULL, indexed_at TEXT NOT NULL);"
    "CREATE TABLE documents("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, ordinal INTEGER NOT NULL,"
    " ward TEXT, year INTEGER, year_label TEXT, title TEXT,"
    " line_start INTEGER, line_end INTEGER, n_passages INTEGER NOT NULL);"
    "CREATE INDEX documents_file ON documents(file_id, ordinal);"
    "CREATE TABLE passages("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, doc_id INTEGER, ordinal INTEGER NOT NULL,"
    " ward TEXT, year INTEGER, year_label TEXT, section TEXT, section_title TEXT, heading TEXT,"
    " meeting TEXT, local_name TEXT, slot INTEGER, label TEXT, text TEXT NOT NULL,"
    " raw_start INTEGER NOT NULL, raw_end INTEGER NOT NULL,"
    " line_start INTEGER NOT NULL, line_end INTEGER NOT NULL,"
    " segs BLOB NOT NULL, n_tokens INTEGER NOT NULL);"
    /* n_tokens in the index lets store_search_prepare read lengths without the table. */
    "CREATE INDEX passages_file ON passages(file_id, ordinal, n_tokens);"
    /* Untagged text (most of a plain-text corpus) has no ward: indexing its NULLs costs
    ** space and insert time, and a filter by ward never asks for them. */
    "CREATE INDEX passages_ward ON passages(ward) WHERE ward IS NOT NULL;"
    "CREATE TABLE meetings("
    " id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, doc_id INTEGER,"
    " ward TEXT, year INTEGER, year_label TEXT, slot INTEGER NOT NULL, meeting TEXT,"
    " local_name TEXT, count INTEGER, text TEXT, line_start INTEGER, line_end INTEGER,"
    " passage_id INTEGER);"
    "CREATE INDEX meetings_file ON meetings(file_id, line_start);"
    /* columnsize=0: no fts_docsize row per passage. Ranking reads text lengths from
    ** passages.n_tokens (RankData); only a rank over a row it does not cover, or bm25() in
    ** the sqlite3 shell, falls back to xColumnSize, which FTS5 then computes by tokenizing
    ** the row. Saves 3% of the database and a tenth of the build time. */
    "CREATE VIRTUAL TABLE fts USING fts5(text, heading, label, content='passages',"
    " content_rowid='id', columnsize=0, tokenize='" TOK_NAME "');"
    /* Index building: FTS5 writes its pending terms out as a segment every `hashsize` bytes
    ** (1 MB by default) and merges segments `automerge` at a time (4). Bigger, fewer
    ** segments and fewer merges took a whole build from 3.8 s to ~3 s on 25 MB. Much of a
    ** full hash is per-term overhead (about 100,000 distinct bigrams), so 16 MB holds twice
    ** the text 8 MB does: 98 MB make 7 segments instead of 14, which automerge leaves
    ** alone, a tenth off that build for 8 MB more memory while indexing (55 MB peak).
    ** Persistent settings of the table. */
    "INSERT INTO fts(fts, rank) VALUES('hashsize', 16777216);"
    "INSERT INTO fts(fts, rank) VALUES('automerge', 8);";

/* ---- small helpers ---------------------------------------------------------------------- */

static int db_error(Store *s, int sqlite_rc, char **err_out, const char *what) {
  if (sqlite_rc == SQLITE_NOMEM) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "'%s': %s: %s", s->path, what, sqlite3_errmsg(s->db));
  return JFTS_ERR_DB;
}

static int exec_sql(Store *s, const char *sql, char **err_out, const char *what) {
  int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? JFTS_OK : db_error(s, rc, err_out, what);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v) {
  if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, i);
}

/* year and similar fields use 0 for "unknown": stored as NULL so that SQL sees no value. */
static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v, int64_t null_value) {
  if (v == null_value) sqlite3_bind_null(st, i);
  else sqlite3_bind_int64(st, i, v);
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i, int *rc) {
  const char *v = col_text(st, i);
  if (v == NULL) return NULL;
  char *d = jfts_strdup(v);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

/* Single-value query helper; *value_out keeps its value when there is no row. */
static int query_int(Store *s, const char *sql, int64_t *value_out, char **err_out,
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
    jrc = db_error(s, rc, err_out, what);
  }
  sqlite3_finalize(st);
  return jrc;
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
  int rc = query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='tokenizer_version'",
                     &v, err_out, "cannot read meta");
  s->tok_version = (int)v;
  return rc;
}

/* Decides what the file is before anything can write to it. */
static int check_schema(Store *s, char **err_out) {
  int64_t n_objects = 0, has_meta = 0, user_version = 0;
  int rc = query_int(s, "SELECT count(*) FROM sqlite_master", &n_objects, err_out,
                     "cannot read schema");
  if (rc == JFTS_OK)
    rc = query_int(s, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'",
                   &has_meta, err_out, "cannot read schema");
  if (rc == JFTS_OK)
    rc = query_int(s, "PRAGMA user_version", &user_version, err_out, "cannot read schema");
  if (rc != JFTS_OK) return rc;

  if (n_objects == 0 && user_version == 0) {
    if (s->mode == STORE_READ) {
      jfts_set_error(err_out, "'%s' is not a jfts database", s->path);
      return JFTS_ERR_SCHEMA;
    }
    s->needs_schema = 1;
    s->wal_pending = 1;
    return JFTS_OK;
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
  rc = read_meta(s, err_out);
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
  sqlite3_extended_result_codes(s->db, 0);
  sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);

  rc = check_schema(s, err_out);
  if (rc != JFTS_OK) goto cleanup;

  if (mode == STORE_READ) {
    rc = exec_sql(s, "PRAGMA query_only=1", err_out, "cannot open");
  } else if (!s->wal_pending) {
    rc = exec_sql(s, "PRAGMA journal_mode=WAL", err_out, "cannot set WAL mode");
  }
  if (rc != JFTS_OK) goto cleanup;

  src = tok_register_replay(s->db, mode == STORE_WRITE ? &s->replay : NULL);
  if (src != SQLITE_OK) {
    if (src == SQLITE_NOMEM) {
      rc = JFTS_ERR_NOMEM;
    } else {
      jfts_set_error(err_out, "cannot open '%s': cannot register the %s tokenizer: %s", path,
                     TOK_NAME, sqlite3_errstr(src));
      rc = JFTS_ERR_DB;
    }
    goto cleanup;
  }
  src = rank_register(s->db, &s->rank);
  if (src != SQLITE_OK) {
    if (src == SQLITE_NOMEM) {
      rc = JFTS_ERR_NOMEM;
    } else {
      jfts_set_error(err_out, "cannot open '%s': cannot register %s: %s", path, RANK_FUNCTION,
                     sqlite3_errstr(src));
      rc = JFTS_ERR_DB;
    }
    goto cleanup;
  }

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
  sqlite3_finalize(s->ins_passage);
  sqlite3_finalize(s->ins_fts);
  sqlite3_finalize(s->ins_meeting);
  sqlite3_finalize(s->ins_doc);
  sqlite3_finalize(s->ins_file);
  sqlite3_finalize(s->find_file);
  sqlite3_finalize(s->get_passage);
  sqlite3_finalize(s->match_ranked);
  sqlite3_finalize(s->match_ranked_filter);
  sqlite3_finalize(s->match_ids);
  /* Every statement is finalized, so close cannot be busy; it rolls back an open txn. */
  if (s->db) sqlite3_close(s->db);
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
  int rc = exec_sql(s, sql, err_out, "cannot write meta");
  jfts_free(sql);
  return rc;
}

int store_begin(Store *s, char **err_out) {
  if (s->mode != STORE_WRITE) {
    jfts_set_error(err_out, "'%s' is open for reading only", s->path);
    return JFTS_ERR_USAGE;
  }
  int rc = exec_sql(s, "BEGIN IMMEDIATE", err_out, "cannot begin a transaction");
  if (rc != JFTS_OK) return rc;
  s->in_txn = 1;
  if (s->needs_schema) {
    /* Another indexer may have created the schema while we waited for the lock. */
    int64_t n_objects = 0;
    rc = query_int(s, "SELECT count(*) FROM sqlite_master", &n_objects, err_out,
                   "cannot read schema");
    if (rc == JFTS_OK && n_objects == 0) {
      rc = exec_sql(s, SCHEMA_SQL, err_out, "cannot create the schema");
      if (rc == JFTS_OK) rc = write_meta(s, err_out);
      if (rc == JFTS_OK) s->tok_version = JFTS_TOKENIZER_VERSION;
    } else if (rc == JFTS_OK) {
      rc = check_schema(s, err_out);
    }
    if (rc == JFTS_OK) s->needs_schema = 0;
  } else if (s->tok_version != JFTS_TOKENIZER_VERSION) {
    /* External content: the passages are intact, only the tokens must be redone. */
    rc = exec_sql(s, "INSERT INTO fts(fts) VALUES('rebuild')", err_out,
                  "cannot rebuild the full-text index");
    if (rc == JFTS_OK) rc = write_meta(s, err_out);
    if (rc == JFTS_OK) s->tok_version = JFTS_TOKENIZER_VERSION;
  }
  if (rc != JFTS_OK) store_rollback(s, NULL);
  return rc;
}

int store_commit(Store *s, char **err_out) {
  int rc = exec_sql(s, "COMMIT", err_out, "cannot commit");
  if (rc != JFTS_OK) return rc;
  s->in_txn = 0;
  s->committed = 1;
  if (s->wal_pending) {
    rc = exec_sql(s, "PRAGMA journal_mode=WAL", err_out, "cannot set WAL mode");
    if (rc == JFTS_OK) s->wal_pending = 0;
  }
  return rc;
}

int store_rollback(Store *s, char **err_out) {
  if (!s->in_txn) return JFTS_OK;
  s->in_txn = 0;
  /* A failed transaction may have been rolled back by SQLite already. */
  if (sqlite3_get_autocommit(s->db)) return JFTS_OK;
  return exec_sql(s, "ROLLBACK", err_out, "cannot roll back");
}

/* ---- files ------------------------------------------------------------------------------- */

void store_file_row_clear(StoreFileRow *row) {
  if (row == NULL) return;
  jfts_free(row->path);
  jfts_free(row->encoding);
  jfts_free(row->title);
  jfts_free(row->publisher);
  jfts_free(row->source);
  memset(row, 0, sizeof *row);
}

int store_lookup_file(Store *s, const char *realpath, int *found_out, StoreFileRow *row,
                      char **err_out) {
  int rc = JFTS_OK;
  memset(row, 0, sizeof *row);
  *found_out = 0;
  if (s->needs_schema) return JFTS_OK; /* a new database knows no file */
  /* Kept prepared: the indexer looks up every file twice. */
  int src = SQLITE_OK;
  if (s->find_file == NULL)
    src = sqlite3_prepare_v2(s->db,
                             "SELECT id, size, hash, path, encoding, title, publisher, source,"
                             " year FROM files WHERE realpath = ?1",
                             -1, &s->find_file, NULL);
  sqlite3_stmt *st = s->find_file;
  if (src == SQLITE_OK) {
    sqlite3_bind_text(st, 1, realpath, -1, SQLITE_STATIC);
    src = sqlite3_step(st);
  }
  if (src == SQLITE_ROW) {
    row->id = sqlite3_column_int64(st, 0);
    row->size = sqlite3_column_int64(st, 1);
    snprintf(row->hash, sizeof row->hash, "%s", col_text(st, 2) ? col_text(st, 2) : "");
    row->path = col_dup(st, 3, &rc);
    row->encoding = col_dup(st, 4, &rc);
    row->title = col_dup(st, 5, &rc);
    row->publisher = col_dup(st, 6, &rc);
    row->source = col_dup(st, 7, &rc);
    row->year = sqlite3_column_int(st, 8);
    *found_out = rc == JFTS_OK;
  } else if (src != SQLITE_DONE) {
    rc = db_error(s, src, err_out, "cannot look up a file");
  }
  if (rc != JFTS_OK) store_file_row_clear(row);
  if (st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }
  return rc;
}

/* Deletes every row of the file with this id, telling FTS5 the old values first: with
** external content FTS5 cannot find them itself once the passages are gone. */
static int delete_file_rows(Store *s, int64_t file_id, char **err_out) {
  static const char *const sqls[] = {
      ("INSERT INTO fts(fts, rowid, text, heading, label)"
       " SELECT 'delete', id, text, heading, label FROM passages WHERE file_id = ?1"),
      "DELETE FROM meetings WHERE file_id = ?1",
      "DELETE FROM passages WHERE file_id = ?1",
      "DELETE FROM documents WHERE file_id = ?1",
      "DELETE FROM files WHERE id = ?1",
  };
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < sizeof sqls / sizeof sqls[0]; i++) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(s->db, sqls[i], -1, &st, NULL);
    if (src == SQLITE_OK) {
      sqlite3_bind_int64(st, 1, file_id);
      src = sqlite3_step(st);
    }
    if (src != SQLITE_DONE) rc = db_error(s, src, err_out, "cannot delete old rows");
    sqlite3_finalize(st);
  }
  return rc;
}

static int prepare_cached(Store *s, sqlite3_stmt **st, const char *sql, char **err_out) {
  if (*st) {
    sqlite3_reset(*st);
    sqlite3_clear_bindings(*st);
    return JFTS_OK;
  }
  int src = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
  return src == SQLITE_OK ? JFTS_OK : db_error(s, src, err_out, "cannot prepare");
}

static int step_done(Store *s, sqlite3_stmt *st, char **err_out, const char *what) {
  int src = sqlite3_step(st);
  sqlite3_reset(st);
  return src == SQLITE_DONE ? JFTS_OK : db_error(s, src, err_out, what);
}

static void pack_u32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)(v & 0xff);
  p[1] = (unsigned char)((v >> 8) & 0xff);
  p[2] = (unsigned char)((v >> 16) & 0xff);
  p[3] = (unsigned char)((v >> 24) & 0xff);
}

static uint32_t unpack_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int store_segs_pack(const StoreSeg *segs, size_t n_segs, unsigned char **blob_out,
                    size_t *n_bytes_out) {
  *blob_out = NULL;
  *n_bytes_out = 0;
  unsigned char *b = jfts_malloc(n_segs * 16);
  if (b == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < n_segs; i++) {
    pack_u32(b + i * 16, segs[i].text_start);
    pack_u32(b + i * 16 + 4, segs[i].raw_start);
    pack_u32(b + i * 16 + 8, segs[i].n_bytes);
    pack_u32(b + i * 16 + 12, segs[i].lineno);
  }
  *blob_out = b;
  *n_bytes_out = n_segs * 16;
  return JFTS_OK;
}

int store_segs_unpack(const void *blob, size_t n_bytes, StoreSeg **segs_out, size_t *n_segs_out) {
  *segs_out = NULL;
  *n_segs_out = 0;
  if (n_bytes % 16 != 0) return JFTS_ERR_INPUT;
  if (n_bytes == 0) return JFTS_OK;
  size_t n = n_bytes / 16;
  StoreSeg *segs = jfts_malloc(n * sizeof *segs);
  if (segs == NULL) return JFTS_ERR_NOMEM;
  const unsigned char *p = blob;
  for (size_t i = 0; i < n; i++, p += 16) {
    segs[i].text_start = unpack_u32(p);
    segs[i].raw_start = unpack_u32(p + 4);
    segs[i].n_bytes = unpack_u32(p + 8);
    segs[i].lineno = unpack_u32(p + 12);
  }
  *segs_out = segs;
  *n_segs_out = n;
  return JFTS_OK;
}

int store_seg_lineno(const StorePassageRow *p, size_t text_byte) {
  for (size_t i = 0; i < p->n_segs; i++) {
    if (text_byte < (size_t)p->segs[i].text_start + p->segs[i].n_bytes) return (int)p->segs[i].lineno;
  }
  return p->line_end;
}

static char *join_label(const char *meeting, const char *local_name) {
  if (meeting && local_name) return jfts_mprintf("%s %s", meeting, local_name);
  if (meeting) return jfts_strdup(meeting);
  if (local_name) return jfts_strdup(local_name);
  return NULL;
}

/* Checks every offset of rep against dec before anything is written, so that a bad report
** fails as a whole and leaves the transaction as it was. */
static int check_report(const StoreFile *file, const DecodedText *dec, const Report *rep,
                        char **err_out) {
  for (size_t k = 0; k < rep->n_passages; k++) {
    const Passage *p = &rep->passages[k];
    if (p->src_start > p->src_end || p->src_end > dec->n_bytes) {
      jfts_set_error(err_out, "cannot store '%s': passage %d lies outside the text", file->path,
                     p->ordinal);
      return JFTS_ERR_INPUT;
    }
    for (size_t i = 0; i < p->body.n_segs; i++) {
      const RepSeg *rs = &p->body.segs[i];
      if ((size_t)rs->src_start + rs->n_bytes > dec->n_bytes) {
        jfts_set_error(err_out, "cannot store '%s': passage %d has a segment outside the text",
                       file->path, p->ordinal);
        return JFTS_ERR_INPUT;
      }
    }
  }
  return JFTS_OK;
}

static int tokenize_error(const StoreFile *file, int ordinal, int jrc, char **err_out) {
  if (jrc == JFTS_ERR_NOMEM) return jrc;
  jfts_set_error(err_out, "cannot store '%s': cannot tokenize passage %d", file->path, ordinal);
  return JFTS_ERR_DB;
}

/* Arms replay slot 1 + k (heading, label) with the tokens of text, recording them only when
** text differs from the previous passage's. */
static int arm_column(Store *s, int k, const char *text) {
  if (text == NULL || text[0] == '\0' || s->replay == NULL) return JFTS_OK;
  size_t n = strlen(text);
  if (s->col_text[k] == NULL || strcmp(s->col_text[k], text) != 0) {
    jfts_free(s->col_text[k]);
    s->col_text[k] = NULL;
    int rc = s->col_tokens[k] ? JFTS_OK : tok_batch_new(&s->col_tokens[k]);
    if (rc != JFTS_OK) return rc;
    tok_batch_clear(s->col_tokens[k]);
    rc = tok_batch_add(s->col_tokens[k], text, n);
    if (rc != JFTS_OK) return rc;
    s->col_text[k] = jfts_strndup(text, n);
    if (s->col_text[k] == NULL) return JFTS_ERR_NOMEM;
  }
  tok_replay_arm(s->replay, 1 + k, text, n, s->col_tokens[k], 0);
  return JFTS_OK;
}

/* Inserts passage p (checked by check_report) and adds it to the FTS index at once, with the
** tokens of its text recorded as entry i of toks. */
static int insert_passage(Store *s, int64_t file_id, int64_t doc_id,
                          const DecodedText *dec, const Passage *p, int passage_base,
                          const TokBatch *toks, size_t i_tok, int64_t *id_out, char **err_out) {
  int rc = JFTS_OK;
  char *label = NULL;
  StoreSeg *segs = NULL;
  unsigned char *blob = NULL;
  size_t n_blob = 0;

  if (p->body.n_segs) {
    segs = jfts_malloc(p->body.n_segs * sizeof *segs);
    if (segs == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
  }
  for (size_t i = 0; i < p->body.n_segs; i++) {
    const RepSeg *rs = &p->body.segs[i];
    segs[i].text_start = rs->text_start;
    segs[i].raw_start = (uint32_t)dec_raw_offset(dec, rs->src_start);
    segs[i].n_bytes = rs->n_bytes;
    segs[i].lineno = (uint32_t)rs->lineno;
  }
  rc = store_segs_pack(segs, p->body.n_segs, &blob, &n_blob);
  if (rc != JFTS_OK) goto cleanup;
  if (p->meeting || p->local_name) {
    label = join_label(p->meeting, p->local_name);
    if (label == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
  }
  const char *text = p->body.text ? p->body.text : "";
  size_t n_text = p->body.text ? p->body.n_bytes : 0;

  rc = prepare_cached(s, &s->ins_passage,
                      "INSERT INTO passages(file_id, doc_id, ordinal, ward, year, year_label,"
                      " section, section_title, heading, meeting, local_name, slot, label, text,"
                      " raw_start, raw_end, line_start, line_end, segs, n_tokens)"
                      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,"
                      "?19,?20)",
                      err_out);
  if (rc != JFTS_OK) goto cleanup;
  sqlite3_stmt *st = s->ins_passage;
  sqlite3_bind_int64(st, 1, file_id);
  bind_int_or_null(st, 2, doc_id, 0);
  sqlite3_bind_int(st, 3, passage_base + p->ordinal);
  bind_text(st, 4, p->ward);
  bind_int_or_null(st, 5, p->year, 0);
  bind_text(st, 6, p->year_label);
  bind_text(st, 7, p->section);
  bind_text(st, 8, p->section_title);
  bind_text(st, 9, p->heading);
  bind_text(st, 10, p->meeting);
  bind_text(st, 11, p->local_name);
  bind_int_or_null(st, 12, p->slot, 0);
  bind_text(st, 13, label);
  sqlite3_bind_text(st, 14, text, (int)n_text, SQLITE_STATIC);
  sqlite3_bind_int64(st, 15, (int64_t)dec_raw_offset(dec, p->src_start));
  sqlite3_bind_int64(st, 16, (int64_t)dec_raw_offset(dec, p->src_end));
  sqlite3_bind_int(st, 17, p->line_start);
  sqlite3_bind_int(st, 18, p->line_end);
  sqlite3_bind_blob(st, 19, n_blob ? (const void *)blob : (const void *)"", (int)n_blob,
                    SQLITE_STATIC);
  sqlite3_bind_int(st, 20, tok_batch_positions(toks, i_tok));
  rc = step_done(s, st, err_out, "cannot insert a passage");
  if (rc != JFTS_OK) goto cleanup;
  int64_t id = sqlite3_last_insert_rowid(s->db);

  *id_out = id;

cleanup:
  /* The statement keeps SQLITE_STATIC pointers: clear them before freeing. */
  if (s->ins_passage) sqlite3_clear_bindings(s->ins_passage);
  jfts_free(label);
  jfts_free(segs);
  jfts_free(blob);
  return rc;
}

static int insert_document(Store *s, int64_t file_id, int ordinal, const ReportDoc *d,
                           int n_passages, int64_t *id_out, char **err_out) {
  int rc = prepare_cached(s, &s->ins_doc,
                          "INSERT INTO documents(file_id, ordinal, ward, year, year_label, title,"
                          " line_start, line_end, n_passages) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                          err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = s->ins_doc;
  sqlite3_bind_int64(st, 1, file_id);
  sqlite3_bind_int(st, 2, ordinal);
  bind_text(st, 3, d->ward);
  bind_int_or_null(st, 4, d->year, 0);
  bind_text(st, 5, d->year_label);
  bind_text(st, 6, d->title);
  sqlite3_bind_int(st, 7, d->line_start);
  sqlite3_bind_int(st, 8, d->line_end);
  sqlite3_bind_int(st, 9, n_passages);
  rc = step_done(s, st, err_out, "cannot insert a document");
  sqlite3_clear_bindings(st);
  if (rc == JFTS_OK) *id_out = sqlite3_last_insert_rowid(s->db);
  return rc;
}

static int insert_meeting(Store *s, int64_t file_id, int64_t doc_id, const ReportDoc *d,
                          const Passage *p, int64_t passage_id, const Meeting *m,
                          char **err_out) {
  int rc = prepare_cached(s, &s->ins_meeting,
                          "INSERT INTO meetings(file_id, doc_id, ward, year, year_label, slot,"
                          " meeting, local_name, count, text, line_start, line_end, passage_id)"
                          " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                          err_out);
  if (rc != JFTS_OK) return rc;
  /* A meeting belongs to a document; the passage is the fallback for its ward and year. */
  const char *ward = d ? d->ward : p ? p->ward : NULL;
  int year = d ? d->year : p ? p->year : 0;
  const char *year_label = d ? d->year_label : p ? p->year_label : NULL;
  sqlite3_stmt *st = s->ins_meeting;
  sqlite3_bind_int64(st, 1, file_id);
  bind_int_or_null(st, 2, doc_id, 0);
  bind_text(st, 3, ward);
  bind_int_or_null(st, 4, year, 0);
  bind_text(st, 5, year_label);
  sqlite3_bind_int(st, 6, m->slot);
  bind_text(st, 7, m->meeting);
  bind_text(st, 8, m->local_name);
  bind_int_or_null(st, 9, m->count, -1);
  bind_text(st, 10, m->text);
  sqlite3_bind_int(st, 11, m->line_start);
  sqlite3_bind_int(st, 12, m->line_end);
  bind_int_or_null(st, 13, passage_id, 0);
  rc = step_done(s, st, err_out, "cannot insert a meeting");
  sqlite3_clear_bindings(st);
  return rc;
}

static int insert_file(Store *s, const StoreFile *f, const DecodedText *dec, const Report *rep,
                       int64_t *id_out, char **err_out) {
  int rc = prepare_cached(s, &s->ins_file,
                          "INSERT INTO files(path, realpath, size, hash, encoding, title,"
                          " publisher, year, source, tagged, indexed_at)"
                          " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                          " strftime('%Y-%m-%dT%H:%M:%SZ','now'))",
                          err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = s->ins_file;
  sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, f->realpath, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, f->size);
  sqlite3_bind_text(st, 4, f->hash, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, dec->encoding, -1, SQLITE_STATIC);
  bind_text(st, 6, f->title);
  bind_text(st, 7, f->publisher);
  bind_int_or_null(st, 8, f->year, 0);
  bind_text(st, 9, f->source);
  sqlite3_bind_int(st, 10, rep->tagged ? 1 : 0);
  rc = step_done(s, st, err_out, "cannot insert the file");
  sqlite3_clear_bindings(st);
  if (rc == JFTS_OK) *id_out = sqlite3_last_insert_rowid(s->db);
  return rc;
}

/* Adds passage p, stored as row id, to the FTS index, with the tokens of its text recorded
** as entry i_tok of toks. One INSERT per row opens no savepoint, so FTS5 keeps collecting
** terms until its hash is full (and store_replace_file takes no savepoint for that reason). */
static int index_passage(Store *s, const StoreFile *file, const Passage *p, int64_t id,
                         const TokBatch *toks, size_t i_tok, char **err_out) {
  char *label = NULL;
  int rc = prepare_cached(s, &s->ins_fts,
                          "INSERT INTO fts(rowid, text, heading, label) VALUES(?1, ?2, ?3, ?4)",
                          err_out);
  if (rc != JFTS_OK) return rc;
  if (p->meeting || p->local_name) {
    label = join_label(p->meeting, p->local_name);
    if (label == NULL) return JFTS_ERR_NOMEM;
  }
  const char *text = p->body.text ? p->body.text : "";
  size_t n_text = p->body.text ? p->body.n_bytes : 0;
  tok_replay_arm(s->replay, 0, text, n_text, toks, i_tok);
  rc = arm_column(s, 0, p->heading);
  if (rc == JFTS_OK) rc = arm_column(s, 1, label);
  if (rc != JFTS_OK) {
    rc = tokenize_error(file, p->ordinal, rc, err_out);
  } else {
    sqlite3_stmt *st = s->ins_fts;
    sqlite3_bind_int64(st, 1, id);
    /* A NUL-terminated value reaches the tokenizer as is, while one bound with its length is
    ** copied to add the NUL, which the replay then has to compare byte by byte. Passage text
    ** is NUL-terminated (report.h); one with a NUL inside is bound with its length. */
    int as_string = text[n_text] == '\0' && memchr(text, '\0', n_text) == NULL;
    sqlite3_bind_text(st, 2, text, as_string ? -1 : (int)n_text, SQLITE_STATIC);
    bind_text(st, 3, p->heading);
    bind_text(st, 4, label);
    rc = step_done(s, st, err_out, "cannot index a passage");
    sqlite3_clear_bindings(st);
  }
  tok_replay_clear(s->replay);
  jfts_free(label);
  return rc;
}

/* Without the caller's tokens, passages are tokenized here in runs of about this much text:
** a run's tokens (some three times its size) are held until its passages are stored, and a
** streamed file hands over 16 MB pieces. */
#define STORE_OWN_TOKENS_TEXT_BYTES ((size_t)1 << 20)

/* Records into s->own_tokens the tokens of passages lo, lo+1, ... up to about
** STORE_OWN_TOKENS_TEXT_BYTES of text; *hi_out gets the index after the last one. */
static int record_run(Store *s, const StoreFile *file, const Report *rep, size_t lo,
                      size_t *hi_out, char **err_out) {
  int rc = s->own_tokens ? JFTS_OK : tok_batch_new(&s->own_tokens);
  if (rc != JFTS_OK) return rc;
  tok_batch_clear(s->own_tokens);
  size_t i = lo, n_text = 0;
  while (i < rep->n_passages && (i == lo || n_text < STORE_OWN_TOKENS_TEXT_BYTES)) {
    const Passage *p = &rep->passages[i];
    size_t n = p->body.text ? p->body.n_bytes : 0;
    rc = tok_batch_add(s->own_tokens, p->body.text ? p->body.text : "", n);
    if (rc != JFTS_OK) return tokenize_error(file, p->ordinal, rc, err_out);
    n_text += n;
    i++;
  }
  *hi_out = i;
  return JFTS_OK;
}

static int store_report(Store *s, const StoreFile *file, const DecodedText *dec,
                        const Report *rep, const TokBatch *toks_in, int64_t file_id,
                        int doc_base, int passage_base, char **err_out) {
  int rc = JFTS_OK;
  int64_t *doc_ids = NULL, *passage_ids = NULL;
  int *doc_counts = NULL;
  int have_toks = toks_in && tok_batch_count(toks_in) == rep->n_passages;

  doc_ids = jfts_calloc(rep->n_docs + 1, sizeof *doc_ids);
  doc_counts = jfts_calloc(rep->n_docs + 1, sizeof *doc_counts);
  passage_ids = jfts_calloc(rep->n_passages + 1, sizeof *passage_ids);
  if (!doc_ids || !doc_counts || !passage_ids) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (size_t i = 0; i < rep->n_passages; i++) {
    int d = rep->passage_doc ? rep->passage_doc[i] : -1;
    if (d >= 0 && (size_t)d < rep->n_docs) doc_counts[d]++;
  }
  for (size_t i = 0; rc == JFTS_OK && i < rep->n_docs; i++)
    rc = insert_document(s, file_id, doc_base + (int)i, &rep->docs[i], doc_counts[i], &doc_ids[i],
                         err_out);
  /* Passages in runs (all of them when the caller has their tokens), each run into the table
  ** and then into the index: each stays warm in the caches for a whole run. */
  for (size_t lo = 0, hi = 0; rc == JFTS_OK && lo < rep->n_passages; lo = hi) {
    const TokBatch *toks = toks_in;
    size_t first = 0; /* entry of passage i in toks is i - first */
    if (have_toks) {
      hi = rep->n_passages;
    } else {
      rc = record_run(s, file, rep, lo, &hi, err_out);
      toks = s->own_tokens;
      first = lo;
    }
    for (size_t i = lo; rc == JFTS_OK && i < hi; i++) {
      int d = rep->passage_doc ? rep->passage_doc[i] : -1;
      int64_t doc_id = d >= 0 && (size_t)d < rep->n_docs ? doc_ids[d] : 0;
      rc = insert_passage(s, file_id, doc_id, dec, &rep->passages[i], passage_base, toks,
                          i - first, &passage_ids[i], err_out);
    }
    for (size_t i = lo; rc == JFTS_OK && i < hi; i++)
      rc = index_passage(s, file, &rep->passages[i], passage_ids[i], toks, i - first, err_out);
  }
  for (size_t i = 0; rc == JFTS_OK && i < rep->n_meetings; i++) {
    const Meeting *m = &rep->meetings[i];
    int d = rep->meeting_doc ? rep->meeting_doc[i] : -1;
    int has_doc = d >= 0 && (size_t)d < rep->n_docs;
    int has_passage = m->passage >= 0 && (size_t)m->passage < rep->n_passages;
    rc = insert_meeting(s, file_id, has_doc ? doc_ids[d] : 0, has_doc ? &rep->docs[d] : NULL,
                        has_passage ? &rep->passages[m->passage] : NULL,
                        has_passage ? passage_ids[m->passage] : 0, m, err_out);
  }

cleanup:
  jfts_free(doc_ids);
  jfts_free(doc_counts);
  jfts_free(passage_ids);
  return rc;
}

int store_replace_file(Store *s, const StoreFile *file, const DecodedText *dec,
                       const Report *rep, const TokBatch *toks, int64_t *file_id_out,
                       char **err_out) {
  char *inner = NULL;
  int64_t file_id = 0;
  if (s->mode != STORE_WRITE || s->needs_schema) {
    jfts_set_error(err_out, "cannot store '%s': no write transaction on '%s'", file->path,
                   s->path);
    return JFTS_ERR_USAGE;
  }
  int rc = check_report(file, dec, rep, err_out);
  if (rc != JFTS_OK) return rc;

  StoreFileRow old;
  int found = 0;
  rc = store_lookup_file(s, file->realpath, &found, &old, &inner);
  if (rc == JFTS_OK && found) rc = delete_file_rows(s, old.id, &inner);
  store_file_row_clear(&old);
  if (rc == JFTS_OK) rc = insert_file(s, file, dec, rep, &file_id, &inner);
  if (rc == JFTS_OK) rc = store_report(s, file, dec, rep, toks, file_id, 0, 0, &inner);
  if (rc == JFTS_OK && file_id_out) *file_id_out = file_id;

  if (inner) {
    /* Messages from below either name the file already or only the database. */
    if (strncmp(inner, "cannot store", 12) == 0) jfts_set_error(err_out, "%s", inner);
    else jfts_set_error(err_out, "cannot store '%s': %s", file->path, inner);
  }
  jfts_free(inner);
  return rc;
}

int store_append_report(Store *s, const StoreFile *file, int64_t file_id,
                        const DecodedText *dec, const Report *rep, const TokBatch *toks,
                        char **err_out) {
  int64_t doc_base = 0, passage_base = 0;
  char sql[160];
  int rc = check_report(file, dec, rep, err_out);
  snprintf(sql, sizeof sql,
           "SELECT coalesce(max(ordinal)+1, 0) FROM documents WHERE file_id=%lld",
           (long long)file_id);
  if (rc == JFTS_OK) rc = query_int(s, sql, &doc_base, err_out, "cannot read documents");
  snprintf(sql, sizeof sql, "SELECT coalesce(max(ordinal)+1, 0) FROM passages WHERE file_id=%lld",
           (long long)file_id);
  if (rc == JFTS_OK) rc = query_int(s, sql, &passage_base, err_out, "cannot read passages");
  if (rc == JFTS_OK && rep->tagged) {
    snprintf(sql, sizeof sql, "UPDATE files SET tagged=1 WHERE id=%lld", (long long)file_id);
    rc = exec_sql(s, sql, err_out, "cannot update file");
  }
  if (rc == JFTS_OK)
    rc = store_report(s, file, dec, rep, toks, file_id, (int)doc_base, (int)passage_base,
                      err_out);
  return rc;
}

int store_piecewise_begin(Store *s, char **err_out) {
  return exec_sql(s, "SAVEPOINT piecewise", err_out, "cannot begin");
}

int store_piecewise_end(Store *s, int keep, char **err_out) {
  if (keep) return exec_sql(s, "RELEASE piecewise", err_out, "cannot release savepoint");
  sqlite3_exec(s->db, "ROLLBACK TO piecewise; RELEASE piecewise", NULL, NULL, NULL);
  return JFTS_OK;
}

int store_prune(Store *s, int *n_pruned_out, char **err_out) {
  int rc = JFTS_OK;
  sqlite3_stmt *st = NULL;
  int64_t *gone = NULL;
  size_t n_gone = 0, n_alloc = 0;
  *n_pruned_out = 0;
  if (s->needs_schema) return JFTS_OK;

  int src = sqlite3_prepare_v2(s->db, "SELECT id, realpath FROM files ORDER BY id", -1, &st,
                               NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    src = SQLITE_OK;
    struct stat sb;
    const char *rp = col_text(st, 1);
    /* Only a file that is really gone goes: a permission error says nothing about it. */
    if (rp == NULL || stat(rp, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR)) continue;
    if (n_gone == n_alloc) {
      size_t n_new = n_alloc ? n_alloc * 2 : 16;
      int64_t *g = jfts_realloc(gone, n_new * sizeof *g);
      if (g == NULL) {
        rc = JFTS_ERR_NOMEM;
        goto cleanup;
      }
      gone = g;
      n_alloc = n_new;
    }
    gone[n_gone++] = sqlite3_column_int64(st, 0);
  }
  if (src != SQLITE_DONE) {
    rc = db_error(s, src, err_out, "cannot list files");
    goto cleanup;
  }
  sqlite3_finalize(st);
  st = NULL;
  for (size_t i = 0; rc == JFTS_OK && i < n_gone; i++) rc = delete_file_rows(s, gone[i], err_out);
  if (rc == JFTS_OK) *n_pruned_out = (int)n_gone;

cleanup:
  sqlite3_finalize(st);
  jfts_free(gone);
  return rc;
}

/* ---- listings ---------------------------------------------------------------------------- */

int store_list_documents(Store *s, const char *ward, StoreDocCb cb, void *ctx, char **err_out) {
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  /* Text outside any document (a whole untagged file, or text around the documents) is
  ** listed as one untagged row per file, so that everything indexed shows up somewhere. */
  int src = sqlite3_prepare_v2(
      s->db,
      "SELECT f.path, coalesce(d.title, f.title), d.ward, d.year, d.year_label, d.n_passages,"
      " d.line_start, d.line_end, f.id"
      " FROM documents d JOIN files f ON f.id = d.file_id"
      " WHERE ?1 IS NULL OR d.ward = ?1"
      " UNION ALL"
      " SELECT f.path, f.title, NULL, f.year, NULL, count(p.id), min(p.line_start),"
      " max(p.line_end), f.id"
      " FROM files f LEFT JOIN passages p ON p.file_id = f.id AND p.doc_id IS NULL"
      " WHERE ?1 IS NULL GROUP BY f.id"
      " HAVING count(p.id) > 0 OR NOT EXISTS (SELECT 1 FROM documents d WHERE d.file_id = f.id)"
      " ORDER BY 1, 9, 7",
      -1, &st, NULL);
  if (src == SQLITE_OK) bind_text(st, 1, ward);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreDocRow r = {
        .file = col_text(st, 0),
        .title = col_text(st, 1),
        .ward = col_text(st, 2),
        .year = sqlite3_column_int(st, 3),
        .year_label = col_text(st, 4),
        .n_passages = sqlite3_column_int(st, 5),
        .line_start = sqlite3_column_int(st, 6),
        .line_end = sqlite3_column_int(st, 7),
    };
    rc = cb(ctx, &r);
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = db_error(s, src, err_out, "cannot list documents");

cleanup:
  sqlite3_finalize(st);
  return rc;
}

int store_list_meetings(Store *s, const char *ward, StoreMeetingCb cb, void *ctx,
                        char **err_out) {
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(s->db,
                               "SELECT m.ward, m.year, m.year_label, m.slot, m.meeting,"
                               " m.local_name, m.count, m.text, f.path, m.line_start, m.line_end"
                               " FROM meetings m JOIN files f ON f.id = m.file_id"
                               " WHERE ?1 IS NULL OR m.ward = ?1"
                               " ORDER BY f.path, f.id, m.line_start, m.id",
                               -1, &st, NULL);
  if (src == SQLITE_OK) bind_text(st, 1, ward);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreMeetingRow r = {
        .ward = col_text(st, 0),
        .year = sqlite3_column_int(st, 1),
        .year_label = col_text(st, 2),
        .slot = sqlite3_column_int(st, 3),
        .meeting = col_text(st, 4),
        .local_name = col_text(st, 5),
        .count = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6),
        .text = col_text(st, 7),
        .file = col_text(st, 8),
        .line_start = sqlite3_column_int(st, 9),
        .line_end = sqlite3_column_int(st, 10),
    };
    rc = cb(ctx, &r);
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = db_error(s, src, err_out, "cannot list meetings");

cleanup:
  sqlite3_finalize(st);
  return rc;
}

#define PASSAGE_COLUMNS                                                                        \
  "p.id, f.path, p.ward, p.year, p.year_label, p.section, p.section_title, p.heading,"        \
  " p.meeting, p.local_name, p.label, p.text, p.raw_start, p.raw_end, p.line_start,"           \
  " p.line_end, p.segs"

/* Calls cb with the passage of the current row of st (selected with PASSAGE_COLUMNS). */
static int emit_passage(sqlite3_stmt *st, StorePassageCb cb, void *ctx) {
  StoreSeg *segs = NULL;
  size_t n_segs = 0;
  int rc = store_segs_unpack(sqlite3_column_blob(st, 16), (size_t)sqlite3_column_bytes(st, 16),
                             &segs, &n_segs);
  if (rc != JFTS_OK) return rc;
  StorePassageRow r = {
      .id = sqlite3_column_int64(st, 0),
      .file = col_text(st, 1),
      .ward = col_text(st, 2),
      .year = sqlite3_column_int(st, 3),
      .year_label = col_text(st, 4),
      .section = col_text(st, 5),
      .section_title = col_text(st, 6),
      .heading = col_text(st, 7),
      .meeting = col_text(st, 8),
      .local_name = col_text(st, 9),
      .label = col_text(st, 10),
      .text = col_text(st, 11),
      .n_text = (size_t)sqlite3_column_bytes(st, 11),
      .raw_start = sqlite3_column_int64(st, 12),
      .raw_end = sqlite3_column_int64(st, 13),
      .line_start = sqlite3_column_int(st, 14),
      .line_end = sqlite3_column_int(st, 15),
      .segs = segs,
      .n_segs = n_segs,
  };
  if (r.text == NULL) r.text = "";
  rc = cb(ctx, &r);
  jfts_free(segs);
  return rc;
}

int store_scan_substring(Store *s, const char *needle, const char *ward, long limit,
                         StorePassageCb cb, void *ctx, long *n_total_out, char **err_out) {
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  long n = 0;
  int src = sqlite3_prepare_v2(s->db,
                               "SELECT " PASSAGE_COLUMNS
                               " FROM passages p JOIN files f ON f.id = p.file_id"
                               " WHERE instr(p.text, ?1) > 0 AND (?2 IS NULL OR p.ward = ?2)"
                               " ORDER BY f.path, f.id, p.ordinal",
                               -1, &st, NULL);
  if (src == SQLITE_OK) {
    sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
    bind_text(st, 2, ward);
  }
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    if (cb && (limit <= 0 || n < limit)) {
      rc = emit_passage(st, cb, ctx);
      if (rc != JFTS_OK) goto cleanup;
    }
    n++;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = db_error(s, src, err_out, "cannot scan passages");
  else if (n_total_out) *n_total_out = n;

cleanup:
  sqlite3_finalize(st);
  return rc;
}

int store_get_passage(Store *s, int64_t id, StorePassageCb cb, void *ctx, int *found_out,
                      char **err_out) {
  static const char *const sql = "SELECT " PASSAGE_COLUMNS
                                 " FROM passages p JOIN files f ON f.id = p.file_id"
                                 " WHERE p.id = ?1";
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK, src = SQLITE_OK;
  *found_out = 0;
  /* Search results fetch passages one by one: reuse the statement, unless a callback of an
  ** outer call is still reading it. */
  int cached = s->get_passage == NULL || !sqlite3_stmt_busy(s->get_passage);
  if (cached && s->get_passage == NULL)
    src = sqlite3_prepare_v2(s->db, sql, -1, &s->get_passage, NULL);
  else if (!cached)
    src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (cached) st = s->get_passage;
  if (src == SQLITE_OK) {
    sqlite3_bind_int64(st, 1, id);
    src = sqlite3_step(st);
  }
  if (src == SQLITE_ROW) {
    *found_out = 1;
    rc = emit_passage(st, cb, ctx);
  } else if (src != SQLITE_DONE) {
    rc = db_error(s, src, err_out, "cannot read a passage");
  }
  if (cached) sqlite3_reset(st);
  else sqlite3_finalize(st);
  return rc;
}

/* ---- ranked search ----------------------------------------------------------------------- */

int store_read_begin(Store *s, int *began_out, char **err_out) {
  *began_out = 0;
  if (!sqlite3_get_autocommit(s->db)) return JFTS_OK; /* inside the caller's transaction */
  int rc = exec_sql(s, "BEGIN", err_out, "cannot begin reading");
  if (rc == JFTS_OK) *began_out = 1;
  return rc;
}

void store_read_end(Store *s, int began) {
  /* Only reads happened: ending them cannot fail in a way worth reporting. */
  if (began && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
}

void store_set_progress(Store *s, int n_ops, int (*cb)(void *ctx), void *ctx) {
  sqlite3_progress_handler(s->db, cb ? n_ops : 0, cb, ctx);
}

/* Grows the per-id arrays to hold id (zeroed). */
static int search_arrays_fit(Store *s, size_t n_ids) {
  if (n_ids <= s->n_ids) return JFTS_OK;
  uint32_t *n_text = jfts_realloc(s->n_text, n_ids * sizeof *n_text);
  if (n_text) s->n_text = n_text;
  uint8_t *present = jfts_realloc(s->present, n_ids);
  if (present) s->present = present;
  uint64_t *doc_key = jfts_realloc(s->doc_key, n_ids * sizeof *doc_key);
  if (doc_key) s->doc_key = doc_key;
  if (!n_text || !present || !doc_key) return JFTS_ERR_NOMEM;
  memset(s->n_text + s->n_ids, 0, (n_ids - s->n_ids) * sizeof *s->n_text);
  memset(s->present + s->n_ids, 0, n_ids - s->n_ids);
  memset(s->doc_key + s->n_ids, 0xff, (n_ids - s->n_ids) * sizeof *s->doc_key);
  s->n_ids = n_ids;
  return JFTS_OK;
}

int store_search_prepare(Store *s, char **err_out) {
  if (s->search_loaded || s->needs_schema) return JFTS_OK;
  sqlite3_stmt *st = NULL;
  uint32_t *file_rank = NULL;
  size_t n_files = 0;
  int64_t max_id = 0, max_file = 0;
  double sum = 0.0;
  size_t n_rows = 0;
  int rc = query_int(s, "SELECT max(id) FROM passages", &max_id, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = query_int(s, "SELECT max(id) FROM files", &max_file, err_out, "cannot search");
  if (rc != JFTS_OK) goto cleanup;
  if (max_id < 0 || max_file < 0 || max_id >= INT32_MAX || max_file >= INT32_MAX) {
    jfts_set_error(err_out, "'%s': passage or file ids out of range", s->path);
    rc = JFTS_ERR_SCHEMA;
    goto cleanup;
  }
  /* Document order is (file path, file id, passage ordinal): files are few, so their rank by
  ** path is a small array, and each passage's key is built from it without sorting them. */
  n_files = (size_t)max_file + 1;
  file_rank = jfts_malloc(n_files * sizeof *file_rank);
  rc = file_rank ? search_arrays_fit(s, (size_t)max_id + 1) : JFTS_ERR_NOMEM;
  if (rc != JFTS_OK) goto cleanup;
  memset(file_rank, 0xff, n_files * sizeof *file_rank);
  int src = sqlite3_prepare_v2(s->db, "SELECT id FROM files ORDER BY path, id", -1, &st, NULL);
  for (uint32_t r = 0; src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW; r++) {
    int64_t id = sqlite3_column_int64(st, 0);
    if (id >= 0 && (size_t)id < n_files) file_rank[id] = r;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) {
    rc = db_error(s, src, err_out, "cannot read files");
    goto cleanup;
  }
  sqlite3_finalize(st);
  st = NULL;
  /* Served by the covering index passages_file(file_id, ordinal, n_tokens) where it exists. */
  src = sqlite3_prepare_v2(s->db, "SELECT id, file_id, ordinal, n_tokens FROM passages", -1, &st,
                           NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    src = SQLITE_OK;
    int64_t id = sqlite3_column_int64(st, 0), file_id = sqlite3_column_int64(st, 1);
    int64_t ordinal = sqlite3_column_int64(st, 2), n_tok = sqlite3_column_int64(st, 3);
    if (id < 0 || (size_t)id >= s->n_ids) continue;
    uint32_t fr = file_id >= 0 && (size_t)file_id < n_files ? file_rank[file_id] : UINT32_MAX;
    s->doc_key[id] = (uint64_t)fr << 32 | (uint32_t)(ordinal < 0 ? 0 : ordinal);
    s->n_text[id] = n_tok < 0 ? 0 : n_tok > UINT32_MAX ? UINT32_MAX : (uint32_t)n_tok;
    s->present[id] = 1;
    sum += (double)s->n_text[id];
    n_rows++;
  }
  if (src != SQLITE_DONE) {
    rc = db_error(s, src, err_out, "cannot read passages");
    goto cleanup;
  }
  s->rank.n_text = s->n_text;
  s->rank.present = s->present;
  s->rank.n_ids = s->n_ids;
  s->rank.avg_text = n_rows ? sum / (double)n_rows : 0.0;
  s->search_loaded = 1;

cleanup:
  sqlite3_finalize(st);
  jfts_free(file_rank);
  return rc;
}

/* A list of values as one string "|a|b|" for instr(): the number of values is not fixed. */
static char *value_list(const char *const *values, size_t n_values) {
  size_t n = 2;
  for (size_t i = 0; i < n_values; i++) n += strlen(values[i]) + 1;
  char *list = jfts_malloc(n);
  if (list == NULL) return NULL;
  size_t at = 0;
  list[at++] = '|';
  for (size_t i = 0; i < n_values; i++) {
    size_t len = strlen(values[i]);
    memcpy(list + at, values[i], len);
    at += len;
    list[at++] = '|';
  }
  list[at] = '\0';
  return list;
}

static int filter_is_empty(const StoreFilter *f) {
  return f == NULL || (f->n_wards == 0 && f->n_sections == 0 && f->section_title == NULL &&
                       f->meeting == NULL && f->year == 0);
}

/* Runs st (bound by the caller, MATCH in ?1) and calls cb per row; sink is the RankSink bound
** to the statement, or NULL for unranked statements. Resets st in all cases. */
static int match_rows(Store *s, sqlite3_stmt *st, const RankSink *sink, StoreHitCb cb, void *ctx,
                      char **err_out) {
  int rc = JFTS_OK, src;
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreHit hit = {
        .id = sqlite3_column_int64(st, 0),
        .score = sink ? -sqlite3_column_double(st, 1) : 0.0,
        .doc_key = UINT64_MAX,
        .n_occurrences = sink ? sink->n_text_inst : 0,
    };
    if (hit.id >= 0 && (size_t)hit.id < s->n_ids) hit.doc_key = s->doc_key[hit.id];
    rc = cb(ctx, &hit);
    if (rc != JFTS_OK) break;
  }
  if (rc == JFTS_OK && src != SQLITE_DONE) {
    /* The MATCH text comes from qry_build_match, which quotes every term: an FTS5 error here
    ** is a bug or a damaged index, and is reported as such. */
    rc = db_error(s, src, err_out, "cannot search the full-text index");
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

int store_match(Store *s, const char *match, const StoreFilter *filter, StoreHitCb cb, void *ctx,
                char **err_out) {
  char *wards = NULL, *sections = NULL;
  if (s->needs_schema) return JFTS_OK;
  int rc = store_search_prepare(s, err_out);
  if (rc != JFTS_OK) return rc;
  int filtered = !filter_is_empty(filter);
  sqlite3_stmt **slot = filtered ? &s->match_ranked_filter : &s->match_ranked;
  rc = prepare_cached(
      s, slot,
      filtered ? "SELECT fts.rowid, " RANK_FUNCTION "(fts, ?2) FROM fts JOIN passages p"
                 " ON p.id = fts.rowid WHERE fts MATCH ?1"
                 " AND (?3 IS NULL OR instr(?3, '|' || p.ward || '|') > 0)"
                 " AND (?4 IS NULL OR instr(?4, '|' || p.section || '|') > 0)"
                 /* lower() folds ASCII only: IGASU = igasu, Japanese compared as is. */
                 " AND (?5 IS NULL OR instr(lower(p.section_title), lower(?5)) > 0)"
                 " AND (?6 IS NULL OR instr(lower(p.meeting), lower(?6)) > 0"
                 "  OR instr(lower(p.local_name), lower(?6)) > 0)"
                 " AND (?7 IS NULL OR p.year = ?7)"
               : "SELECT rowid, " RANK_FUNCTION "(fts, ?2) FROM fts WHERE fts MATCH ?1",
      err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = *slot;
  RankSink sink = {0};
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
  if (filtered) {
    if (filter->n_wards) wards = value_list(filter->wards, filter->n_wards);
    if (filter->n_sections) sections = value_list(filter->sections, filter->n_sections);
    if ((filter->n_wards && wards == NULL) || (filter->n_sections && sections == NULL)) {
      sqlite3_clear_bindings(st);
      jfts_free(wards);
      jfts_free(sections);
      return JFTS_ERR_NOMEM;
    }
    bind_text(st, 3, wards);
    bind_text(st, 4, sections);
    bind_text(st, 5, filter->section_title);
    bind_text(st, 6, filter->meeting);
    bind_int_or_null(st, 7, filter->year, 0);
  }
  rc = match_rows(s, st, &sink, cb, ctx, err_out);
  jfts_free(wards);
  jfts_free(sections);
  return rc;
}

int store_match_ids(Store *s, const char *match, int text_only, StoreHitCb cb, void *ctx,
                    char **err_out) {
  if (s->needs_schema) return JFTS_OK;
  char *expr = text_only ? jfts_mprintf("text : (%s)", match) : NULL;
  if (text_only && expr == NULL) return JFTS_ERR_NOMEM;
  int rc = prepare_cached(s, &s->match_ids, "SELECT rowid FROM fts WHERE fts MATCH ?1", err_out);
  if (rc == JFTS_OK) {
    sqlite3_bind_text(s->match_ids, 1, expr ? expr : match, -1, SQLITE_STATIC);
    rc = match_rows(s, s->match_ids, NULL, cb, ctx, err_out);
  }
  jfts_free(expr);
  return rc;
}
