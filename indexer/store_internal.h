/* What the files of the store share, and nothing else: the Store itself and the small SQL
** helpers. Sectioned by the file that defines each part, as FTS5's fts5Int.h is. Everything
** not declared here or in store.h is static to its file. */
#ifndef JFTS_STORE_INTERNAL_H
#define JFTS_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "rank.h"
#include "store.h"
#include "tokenizer.h"

/* Bytes of one segment in schema 3 and before: five little-endian uint32s (text_start,
** raw_start, n_bytes, lineno, column). */
#define STORE_SEG_V3_BYTES 20

struct Store {
  sqlite3 *db;
  char *path;           /* as given to store_open, for messages */
  StoreMode mode;
  int created;          /* store_open created the file */
  int committed;        /* a store_commit succeeded */
  int needs_schema;     /* the database is empty: store_begin writes the schema */
  int upgrade;          /* with needs_schema: the database holds an older schema, which
                        ** store_begin drops before writing the new one (a re-index) */
  int upgrade_old;      /* the database holds schema 2 or 3, which store_begin upgrades in
                        ** place */
  int wal_pending;      /* switch to WAL after the first commit (the switch writes the file) */
  int tok_version;      /* tokenizer_version recorded in meta; 0 when none */
  int in_txn;
  long n_docs_added;    /* documents rows inserted since store_open (store_documents_added) */
  long n_passages_added; /* passages rows inserted since store_open (store_passages_added) */
  double lock_max_s;     /* store_set_lock_wait: seconds to wait for a writer; < 0: no limit */
  StoreWaitFn lock_waiting; /* called about every second while waiting (may be NULL) */
  void *lock_ctx;
  double lock_t0;        /* monotonic seconds when the current wait began */
  double lock_waited_s;  /* seconds the last wait lasted (for the message when it gave up) */
  double lock_next_note; /* waited seconds at which lock_waiting is next called */
  double budget_s;       /* store_set_budget: seconds per read call; 0: none */
  double deadline;       /* monotonic seconds at which the current read call stops */
  int over_budget;       /* the progress handler stopped a statement for the budget */
  sqlite3_stmt *ins_passage, *ins_fts, *ins_meeting, *ins_doc; /* prepared on first use */
  sqlite3_stmt *ins_file, *find_file;                           /* likewise */
  /* Tokens reach FTS5 through replay (tokenizer.h): each passage's text is tokenized once,
  ** by the caller (store_replace_file's tokens) or here into own_tokens, for both its length
  ** and the index. Headings and labels repeat from passage to passage: the last one's tokens
  ** are kept. The replay also holds the message of the tokenizer's last failure, which
  ** db_error reports in place of FTS5's bare "SQL logic error"; it exists in both modes, and
  ** only a STORE_WRITE store arms it. */
  TokReplay *replay;
  /* store_write.c: the line of the last segment whose column was counted, so that the
  ** columns of a long line cost one pass over it (reset for each report stored). */
  struct {
    const char *text;       /* the decoded text the cursor is in; NULL: none yet */
    size_t line_start;      /* byte offset of the line's first byte */
    size_t line_end;        /* byte offset of its '\n' (or the text's end) */
    uint32_t n_chars;       /* code points of the line */
    size_t pos;             /* a byte of the line, and */
    uint32_t col;           /*   its 1-based code point column */
  } cur;
  TokBatch *own_tokens;
  TokBatch *col_tokens[2];  /* heading, label */
  char *col_text[2];        /* the text col_tokens[k] holds the tokens of, or NULL */
  /* Ranked search (store_search.c), statements prepared on first use. */
  sqlite3_stmt *get_passage, *match_ranked, *match_ranked_filter, *match_ids;
  int search_loaded;
  uint32_t *n_text;     /* per passage id: FTS5 positions of the text column */
  uint8_t *present;     /* per passage id: non-zero for ids that exist; bit 1: toc */
  uint64_t *doc_key;    /* per passage id: file's rank by path << 32 | passage ordinal */
  size_t n_ids;         /* entries in the three arrays: largest id + 1, but bounded by the
                        ** number of passages (STORE_DENSE_IDS), not by what an id says */
  int64_t *far_id;      /* ids at or above n_ids, ascending (a sparse or hostile index) */
  uint64_t *far_key;    /* doc_key of far_id[i]; their lengths come from xColumnSize */
  size_t n_far;         /* entries in far_id and far_key */
  RankData rank;        /* what jfts_rank reads: the arrays above, or the lazy chunks below */
  /* Ranking statistics kept in meta by store_write_rank_stats: when an index has them, a
  ** search reads the row count, token total and file ranks, and each passage's length and
  ** place from the chunk holding its id, loaded on first use; nothing else. */
  int lazy;               /* 1: the statistics are used (not the arrays above) */
  uint8_t *chunk_data;    /* n_chunks chunks of entries, allocated (zeroed) at once, so
                          ** that reading one later never allocates */
  uint8_t *chunk_state;   /* per chunk: 0 not read yet, 1 read, 2 missing or damaged */
  size_t n_chunks;
  uint32_t *file_rank;    /* per file id: its rank by path ('rank_files') */
  size_t n_file_rank;
  sqlite3_stmt *get_chunk;
  int64_t changes_at_begin; /* sqlite3_total_changes64 at store_begin */
};

/* ---- store.c: open, schema, transactions, and the helpers below ---------------------------- */

/* Maps a failed SQLite call to a JftsRc: SQLITE_NOMEM is JFTS_ERR_NOMEM (no message); anything
** else is JFTS_ERR_DB with "'x.db': <what>: <reason>", the reason being the tokenizer's own
** message when the tokenizer failed inside FTS5 (which can only say "SQL logic error"), else
** sqlite3_errmsg. SQLITE_CORRUPT (any extended code: "database disk image is malformed") is
** JFTS_ERR_SCHEMA with store_corrupt's wording: "'x.db': the index is corrupt (<what>:
** <reason>); re-index with jfts-index". */
int store_db_error(Store *s, int sqlite_rc, char **err_out, const char *what);
/* sqlite3_exec of sql, reported through store_db_error. */
int store_exec(Store *s, const char *sql, char **err_out, const char *what);
/* Single-value query; *value_out keeps its value when there is no row. SQLITE_NOTADB is
** JFTS_ERR_SCHEMA ("'x.db' is not a jfts database"). */
int store_query_int(Store *s, const char *sql, int64_t *value_out, char **err_out,
                    const char *what);
/* Prepares sql into *st once and resets it (bindings cleared) on later calls. */
int store_prepare_cached(Store *s, sqlite3_stmt **st, const char *sql, char **err_out);
/* Steps st, which must give no row, and resets it. */
int store_step_done(Store *s, sqlite3_stmt *st, char **err_out, const char *what);

/* Bind helpers returning SQLite result codes, for the sticky `if (src == SQLITE_OK)` idiom.
** Text is bound SQLITE_STATIC: clear the bindings before the strings go. NULL binds NULL. */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
/* year and similar fields use a value (0, -1) for "unknown": bound as NULL. */
int store_bind_int_or_null(sqlite3_stmt *st, int i, int64_t v, int64_t null_value);
const char *store_col_text(sqlite3_stmt *st, int i);
/* jfts_strdup of a text column (NULL for NULL); sets *rc to JFTS_ERR_NOMEM when that fails. */
char *store_col_dup(sqlite3_stmt *st, int i, int *rc);
/* Starts the time budget of a read call (store_set_budget). */
void store_budget_start(Store *s);
/* "meeting local_name", either alone, or NULL when both are NULL (jfts_malloc'ed). */
char *store_join_label(const char *meeting, const char *local_name);
/* Fills what the documents of file file_id (0: of every file) do not give themselves from
** their file's sidecar (org from the publisher, year, title; kind from the title, as
** store_kind_of_title) and records where each field came from (the *_from columns).
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_fill_documents(Store *s, int64_t file_id, char **err_out);

/* ---- store_write.c: storing, replacing and pruning files ---------------------------------- */

/* Ranking statistics in meta (store_write_rank_stats, store_search.c): 'rank_rows',
** 'rank_tokens' (sum of passages.n_tokens), 'rank_max_id'; 'rank_files', each file id's rank
** by (path, id) as a little-endian uint32 per id from 0; and per STORE_STAT_CHUNK_ROWS
** passage ids a row STORE_STAT_CHUNK_KEY<k> (ids k * STORE_STAT_CHUNK_ROWS onwards), a blob
** of STORE_STAT_ENTRY_BYTES per id: n_tokens, file_id, ordinal, each uint32 little-endian
** (0xffffffff: no passage), then a flags byte (STORE_STAT_TOC: a table-of-contents passage,
** which a search must know without reading its row). Document order is (file rank, ordinal,
** id), as the arrays'. */
#define STORE_STAT_CHUNK_ROWS 512
#define STORE_STAT_ENTRY_BYTES 13
#define STORE_STAT_TOC 1u
#define STORE_STAT_CHUNK_KEY "rank_chunk:"

/* Rewrites the ranking statistics from the passages table, inside the caller's write
** transaction (store_commit calls it when the transaction changed rows). An index whose
** passage ids are far sparser than its rows keeps none (then searches load everything, as
** before). Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_write_rank_stats(Store *s, char **err_out);

/* Sets passages.n_tokens to what the current tokenizer gives each passage text (after FTS5's
** 'rebuild' of an index built by another tokenizer version: its lengths are the old ones).
** Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_ICU or JFTS_ERR_DB. */
int store_recount_tokens(Store *s, char **err_out);

/* ---- store_search.c ----------------------------------------------------------------------- */

/* Frees what store_search_prepare loaded (store_close calls it). */
void store_search_free(Store *s);

/* ---- store_read.c: listings, passages, segment maps, filter values ------------------------ */
/* (the public functions only) */

/* ---- store_search.c: ranked search --------------------------------------------------------- */
/* (the public functions only) */

#endif
