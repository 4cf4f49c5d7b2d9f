/* Ranked search over the FTS5 index: the per-passage arrays jfts_rank reads (rank.h), read
** transactions around a search, and the MATCH statements with and without a filter. */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "rank.h"
#include "store_internal.h"

/* ---- ranked search ----------------------------------------------------------------------- */

int store_read_begin(Store *s, int *began_out, char **err_out) {
  *began_out = 0;
  if (!sqlite3_get_autocommit(s->db)) return JFTS_OK; /* inside the caller's transaction */
  store_budget_start(s);
  int rc = store_exec(s, "BEGIN", err_out, "cannot begin reading");
  if (rc == JFTS_OK) *began_out = 1;
  return rc;
}

void store_read_end(Store *s, int began) {
  /* Only reads happened: ending them cannot fail in a way worth reporting (and the API has
  ** no way to: a failed COMMIT of a read transaction leaves nothing to undo). */
  if (began && !sqlite3_get_autocommit(s->db))
    (void)sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
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

/* The per-id arrays cover ids below 4 per passage plus 4096: memory follows the number of
** rows, whatever the ids say (one passage id of 300,000,000 once made every query allocate
** 3.8 GB). Ids above (a sparse or tampered index) go to the far list, searched by bisection;
** jfts_rank reads their lengths through xColumnSize, which gives the same value. */
static size_t dense_ids(int64_t max_id, int64_t n_rows) {
  uint64_t cap = (uint64_t)n_rows * 4 + 4096;
  return (uint64_t)max_id + 1 < cap ? (size_t)max_id + 1 : (size_t)cap;
}

/* A far entry while loading: sorted by id, then split into far_id and far_key. */
typedef struct FarPair {
  int64_t id;
  uint64_t key;
} FarPair;

static int far_pair_cmp(const void *a, const void *b) {
  int64_t x = ((const FarPair *)a)->id, y = ((const FarPair *)b)->id;
  return (x > y) - (x < y);
}

/* Adds (id, key) to pairs (grown as needed; *rc set when that fails). */
static void far_add(FarPair **pairs, size_t *n, size_t *cap, int64_t id, uint64_t key, int *rc) {
  if (*rc != JFTS_OK) return;
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 64;
    FarPair *p = jfts_realloc(*pairs, c * sizeof *p);
    if (p == NULL) {
      *rc = JFTS_ERR_NOMEM;
      return;
    }
    *pairs = p;
    *cap = c;
  }
  (*pairs)[(*n)++] = (FarPair){id, key};
}

/* Moves the sorted pairs into s->far_id and s->far_key. */
static int far_keep(Store *s, FarPair *pairs, size_t n) {
  if (n == 0) return JFTS_OK;
  qsort(pairs, n, sizeof *pairs, far_pair_cmp);
  s->far_id = jfts_malloc(n * sizeof *s->far_id);
  s->far_key = jfts_malloc(n * sizeof *s->far_key);
  if (s->far_id == NULL || s->far_key == NULL) {
    jfts_free(s->far_id);
    jfts_free(s->far_key);
    s->far_id = NULL;
    s->far_key = NULL;
    return JFTS_ERR_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    s->far_id[i] = pairs[i].id;
    s->far_key[i] = pairs[i].key;
  }
  s->n_far = n;
  return JFTS_OK;
}

/* ---- the statistics of meta, read lazily (store_internal.h) ------------------------------ */

#define CHUNK_BYTES ((size_t)STORE_STAT_CHUNK_ROWS * STORE_STAT_ENTRY_BYTES)

/* Reads chunk k into s->chunk_data. One that is missing or damaged is marked so: its ids
** then fall back to what jfts_rank and the ordering do for a row they do not know. */
static void chunk_load(Store *s, size_t k) {
  s->chunk_state[k] = 2;
  if (store_prepare_cached(s, &s->get_chunk, "SELECT value FROM meta WHERE key = ?1", NULL) !=
      JFTS_OK)
    return;
  char key[48];
  snprintf(key, sizeof key, "%s%zu", STORE_STAT_CHUNK_KEY, k);
  if (sqlite3_bind_text(s->get_chunk, 1, key, -1, SQLITE_TRANSIENT) == SQLITE_OK &&
      sqlite3_step(s->get_chunk) == SQLITE_ROW &&
      sqlite3_column_type(s->get_chunk, 0) == SQLITE_BLOB &&
      (size_t)sqlite3_column_bytes(s->get_chunk, 0) == CHUNK_BYTES) {
    memcpy(s->chunk_data + k * CHUNK_BYTES, sqlite3_column_blob(s->get_chunk, 0), CHUNK_BYTES);
    s->chunk_state[k] = 1;
  }
  (void)sqlite3_reset(s->get_chunk); /* a failed read leaves the chunk missing */
}

/* The statistics entry of passage id (n_tokens, file id, ordinal), or NULL. */
static const uint8_t *chunk_entry(Store *s, int64_t id) {
  if (id < 0 || (uint64_t)id / STORE_STAT_CHUNK_ROWS >= s->n_chunks) return NULL;
  size_t k = (size_t)((uint64_t)id / STORE_STAT_CHUNK_ROWS);
  if (s->chunk_state[k] == 0) chunk_load(s, k);
  if (s->chunk_state[k] != 1) return NULL;
  const uint8_t *e = s->chunk_data + k * CHUNK_BYTES +
                     (size_t)(id % STORE_STAT_CHUNK_ROWS) * STORE_STAT_ENTRY_BYTES;
  return e[0] == 0xff && e[1] == 0xff && e[2] == 0xff && e[3] == 0xff ? NULL : e;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* RankLengthFn of the lazy statistics. */
static int lazy_length(void *ctx, int64_t rowid, uint32_t *n_text_out) {
  const uint8_t *e = chunk_entry(ctx, rowid);
  if (e == NULL) return 0;
  *n_text_out = le32(e);
  return 1;
}

/* RankLengthFn of the arrays loaded by a full pass. */
static int array_length(void *ctx, int64_t rowid, uint32_t *n_text_out) {
  const Store *s = ctx;
  if (rowid < 0 || (size_t)rowid >= s->n_ids || !s->present[rowid]) return 0;
  *n_text_out = s->n_text[rowid];
  return 1;
}

/* Loads 'rank_files' into s->file_rank (left NULL when the index has none). */
static int file_ranks_load(Store *s, char **err_out) {
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'rank_files'", -1, &st,
                               NULL);
  int rc = JFTS_OK;
  if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW &&
      sqlite3_column_type(st, 0) == SQLITE_BLOB && sqlite3_column_bytes(st, 0) % 4 == 0 &&
      sqlite3_column_bytes(st, 0) > 0) {
    size_t n = (size_t)sqlite3_column_bytes(st, 0) / 4;
    const uint8_t *p = sqlite3_column_blob(st, 0);
    s->file_rank = jfts_malloc(n * sizeof *s->file_rank);
    if (s->file_rank == NULL) rc = JFTS_ERR_NOMEM;
    for (size_t i = 0; rc == JFTS_OK && i < n; i++) s->file_rank[i] = le32(p + 4 * i);
    if (rc == JFTS_OK) s->n_file_rank = n;
  } else if (src != SQLITE_ROW && src != SQLITE_DONE) {
    rc = store_db_error(s, src, err_out, "cannot search");
  }
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

/* Uses the statistics of meta when the index has them (*found_out 1): the row count and
** token total now, each chunk of per-passage entries when a search first needs it. */
static int stats_open(Store *s, int *found_out, char **err_out) {
  int64_t rows = -1, tokens = -1, max_id = -1;
  *found_out = 0;
  int rc = store_query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='rank_rows'",
                           &rows, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='rank_tokens'",
                         &tokens, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT CAST(value AS INTEGER) FROM meta WHERE key='rank_max_id'",
                         &max_id, err_out, "cannot search");
  /* Statistics that do not fit the table (written before a change made by hand, or made
  ** up) are not used: the largest id must be the table's, and the chunks must fit in the
  ** file (the chunk buffer is allocated at once). */
  int64_t real_max = -1, n_pages = 0, page_bytes = 0;
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT max(id) FROM passages", &real_max, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "PRAGMA page_count", &n_pages, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "PRAGMA page_size", &page_bytes, err_out, "cannot search");
  /* The same bound on ids as the arrays' (dense_ids): memory follows the rows. */
  if (rc != JFTS_OK || rows < 0 || tokens < 0 || max_id < 0 || max_id != real_max ||
      max_id >= rows * 4 + 4096 || rows > max_id + 1 ||
      (double)(max_id / STORE_STAT_CHUNK_ROWS + 1) * (double)CHUNK_BYTES >
          (double)n_pages * (double)page_bytes)
    return rc;
  rc = file_ranks_load(s, err_out);
  if (rc != JFTS_OK || s->file_rank == NULL) return rc;
  s->n_chunks = (size_t)(max_id / STORE_STAT_CHUNK_ROWS) + 1;
  s->chunk_data = jfts_calloc(s->n_chunks, CHUNK_BYTES);
  s->chunk_state = jfts_calloc(s->n_chunks, 1);
  if (s->chunk_data == NULL || s->chunk_state == NULL) return JFTS_ERR_NOMEM;
  s->rank.avg_text = rows ? (double)tokens / (double)rows : 0.0;
  s->rank.text_length = lazy_length;
  s->rank.ctx = s;
  s->lazy = 1;
  *found_out = 1;
  return JFTS_OK;
}

void store_search_free(Store *s) {
  (void)sqlite3_finalize(s->get_chunk); /* repeats an error already handled */
  jfts_free(s->chunk_data);
  jfts_free(s->chunk_state);
  jfts_free(s->file_rank);
}

/* doc_key of passage id, UINT64_MAX when not loaded. */
static uint64_t doc_key_of(Store *s, int64_t id) {
  if (s->lazy) {
    const uint8_t *e = chunk_entry(s, id);
    if (e == NULL) return UINT64_MAX;
    uint32_t file_id = le32(e + 4);
    uint64_t rank = file_id < s->n_file_rank ? s->file_rank[file_id] : UINT32_MAX;
    return rank << 32 | le32(e + 8);
  }
  if (id >= 0 && (size_t)id < s->n_ids) return s->doc_key[id];
  size_t lo = 0, hi = s->n_far;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (s->far_id[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < s->n_far && s->far_id[lo] == id ? s->far_key[lo] : UINT64_MAX;
}

/* 1 when passage id is a table of contents (StoreHit.toc). */
static int toc_of(Store *s, int64_t id) {
  if (s->lazy) {
    const uint8_t *e = chunk_entry(s, id);
    return e != NULL && (e[12] & STORE_STAT_TOC) != 0;
  }
  return id >= 0 && (size_t)id < s->n_ids && (s->present[id] & 2) != 0;
}

/* file_rank[file id] = the file's rank by path, for file ids below n_files; larger (or
** negative) file ids keep UINT32_MAX. */
static int load_file_ranks(Store *s, uint32_t *file_rank, size_t n_files, char **err_out) {
  sqlite3_stmt *st = NULL;
  memset(file_rank, 0xff, n_files * sizeof *file_rank);
  int src = sqlite3_prepare_v2(s->db, "SELECT id FROM files ORDER BY path, id", -1, &st, NULL);
  for (uint32_t r = 0; src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW; r++) {
    int64_t id = sqlite3_column_int64(st, 0);
    if (id >= 0 && (size_t)id < n_files) file_rank[id] = r;
    src = SQLITE_OK;
  }
  int rc = src == SQLITE_DONE ? JFTS_OK : store_db_error(s, src, err_out, "cannot read files");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

int store_search_prepare(Store *s, char **err_out) {
  store_budget_start(s);
  if (s->search_loaded || s->needs_schema) return JFTS_OK;
  int found = 0;
  int rc = stats_open(s, &found, err_out);
  if (rc != JFTS_OK || found) {
    s->search_loaded = rc == JFTS_OK;
    return rc;
  }
  sqlite3_stmt *st = NULL;
  uint32_t *file_rank = NULL;
  FarPair *far = NULL;
  size_t n_far = 0, far_cap = 0, n_files = 0;
  int64_t max_id = 0, max_file = 0, n_passages = 0, n_file_rows = 0;
  double sum = 0.0;
  size_t n_rows = 0;
  rc = store_query_int(s, "SELECT max(id) FROM passages", &max_id, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT count(*) FROM passages", &n_passages, err_out,
                         "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT max(id) FROM files", &max_file, err_out, "cannot search");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT count(*) FROM files", &n_file_rows, err_out,
                         "cannot search");
  if (rc != JFTS_OK) goto cleanup;
  /* Document order is (file path, file id, passage ordinal): files are few, so their rank by
  ** path is a small array (bounded by the file count, as the passages' arrays are), and each
  ** passage's key is built from it without sorting them. */
  n_files = dense_ids(max_file < 0 ? 0 : max_file, n_file_rows);
  file_rank = jfts_malloc(n_files * sizeof *file_rank);
  rc = file_rank ? search_arrays_fit(s, dense_ids(max_id < 0 ? 0 : max_id, n_passages))
                 : JFTS_ERR_NOMEM;
  if (rc == JFTS_OK) rc = load_file_ranks(s, file_rank, n_files, err_out);
  if (rc != JFTS_OK) goto cleanup;
  /* Served by the covering index passages_file(file_id, ordinal, n_tokens) where it exists. */
  int src = sqlite3_prepare_v2(s->db, "SELECT id, file_id, ordinal, n_tokens, toc FROM passages",
                               -1, &st, NULL);
  while (rc == JFTS_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    src = SQLITE_OK;
    int64_t id = sqlite3_column_int64(st, 0), file_id = sqlite3_column_int64(st, 1);
    int64_t ordinal = sqlite3_column_int64(st, 2), n_tok = sqlite3_column_int64(st, 3);
    if (id < 0) continue;
    uint32_t fr = file_id >= 0 && (size_t)file_id < n_files ? file_rank[file_id] : UINT32_MAX;
    uint64_t key = (uint64_t)fr << 32 | (uint32_t)(ordinal < 0 ? 0 : ordinal);
    uint32_t n_text = n_tok < 0 ? 0 : n_tok > UINT32_MAX ? UINT32_MAX : (uint32_t)n_tok;
    sum += (double)n_text;
    n_rows++;
    if ((size_t)id >= s->n_ids) {
      far_add(&far, &n_far, &far_cap, id, key, &rc);
      continue;
    }
    s->doc_key[id] = key;
    s->n_text[id] = n_text;
    /* present: 1, or 3 for a table of contents (bit 1: StoreHit.toc). */
    s->present[id] = sqlite3_column_int(st, 4) ? 3 : 1;
  }
  if (rc == JFTS_OK && src != SQLITE_DONE) {
    rc = store_db_error(s, src, err_out, "cannot read passages");
    goto cleanup;
  }
  if (rc == JFTS_OK) rc = far_keep(s, far, n_far);
  if (rc != JFTS_OK) goto cleanup;
  s->rank.text_length = array_length;
  s->rank.ctx = s;
  s->rank.avg_text = n_rows ? sum / (double)n_rows : 0.0;
  s->search_loaded = 1;

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  jfts_free(file_rank);
  jfts_free(far);
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
                       f->meeting == NULL && f->year == 0 && f->n_orgs == 0 && f->kind == NULL);
}

/* A row whose score waits for its phrases' idf (RankSink.defer_idf). */
typedef struct DeferredRow {
  int64_t id;
  double x, y;   /* one phrase: BM25 numerator and denominator */
  double norm;   /* several phrases: the length norm (their counts are in Deferred.freq) */
  int64_t n_text_inst;
  uint64_t phrases;
  int n_phrase;
} DeferredRow;

/* The rows of a deferred-idf scan, in the order read. */
typedef struct Deferred {
  DeferredRow *rows;
  size_t n, cap;
  double *freq;  /* several phrases: n_phrase weighted counts per row, row after row */
  size_t n_freq, cap_freq;
} Deferred;

/* Keeps a row of a deferred-idf scan; JFTS_ERR_NOMEM when it cannot. */
static int defer_row(Deferred *d, int64_t id, const RankSink *sink) {
  DeferredRow *r = jfts_grow(d->rows, &d->cap, d->n + 1, sizeof *r);
  if (r == NULL) return JFTS_ERR_NOMEM;
  d->rows = r;
  if (sink->n_phrase > 1) {
    double *f = jfts_grow(d->freq, &d->cap_freq, d->n_freq + (size_t)sink->n_phrase, sizeof *f);
    if (f == NULL) return JFTS_ERR_NOMEM;
    d->freq = f;
    memcpy(f + d->n_freq, sink->freq, (size_t)sink->n_phrase * sizeof *f);
    d->n_freq += (size_t)sink->n_phrase;
  }
  r[d->n++] = (DeferredRow){id, sink->x, sink->y, sink->norm, sink->n_text_inst, sink->phrases,
                            sink->n_phrase};
  return JFTS_OK;
}

/* The rows of a deferred-idf scan, scored now that each phrase's row count is known (of one
** phrase: every row; of several, at most 64: the rows whose mask holds it), in the order
** read. */
static int emit_deferred(Store *s, const Deferred *d, int64_t n_table_rows, StoreHitCb cb,
                         void *ctx) {
  int n_phrase = d->n > 0 ? d->rows[0].n_phrase : 0;
  double idf[64];
  if (n_phrase > 1) {
    int64_t n_hit[64] = {0};
    for (size_t i = 0; i < d->n; i++)
      for (int p = 0; p < n_phrase; p++) n_hit[p] += (int64_t)(d->rows[i].phrases >> p & 1u);
    for (int p = 0; p < n_phrase; p++) idf[p] = rank_idf(n_table_rows, n_hit[p]);
  } else {
    idf[0] = rank_idf(n_table_rows, (int64_t)d->n);
  }
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < d->n; i++) {
    const DeferredRow *r = &d->rows[i];
    StoreHit hit = {.id = r->id,
                    .score = n_phrase > 1
                                 ? rank_deferred_sum(idf, d->freq + i * (size_t)n_phrase,
                                                     n_phrase, r->norm)
                                 : rank_deferred_score(idf[0], r->x, r->y),
                    .n_occurrences = r->n_text_inst,
                    .phrases = r->phrases,
                    .n_phrase = r->n_phrase};
    hit.doc_key = doc_key_of(s, hit.id);
    hit.toc = toc_of(s, hit.id);
    rc = cb(ctx, &hit);
  }
  return rc;
}

/* Runs st (bound by the caller, MATCH in ?1) and calls cb per row; sink is the RankSink bound
** to the statement, or NULL for unranked statements. A deferred-idf scan keeps its rows (32
** bytes each) until the last one is read, then scores them and calls cb. Resets st in all
** cases. */
static int match_rows(Store *s, sqlite3_stmt *st, const RankSink *sink, StoreHitCb cb, void *ctx,
                      char **err_out) {
  int rc = JFTS_OK, src;
  Deferred deferred = {NULL, 0, 0, NULL, 0, 0};
  while ((src = sqlite3_step(st)) == SQLITE_ROW) {
    if (sink && sink->deferred) {
      rc = defer_row(&deferred, sqlite3_column_int64(st, 0), sink);
      if (rc != JFTS_OK) break;
      continue;
    }
    if (sink && sink->skipped) {
      StoreHit hit = {.id = sqlite3_column_int64(st, 0), .doc_key = UINT64_MAX,
                      .n_occurrences = sink->n_text_inst, .phrases = sink->phrases,
                      .n_phrase = sink->n_phrase, .unscored = 1};
      rc = cb(ctx, &hit);
      if (rc != JFTS_OK) break;
      continue;
    }
    StoreHit hit = {
        .id = sqlite3_column_int64(st, 0),
        .score = sink ? -sqlite3_column_double(st, 1) : 0.0,
        .doc_key = UINT64_MAX,
        .n_occurrences = sink ? sink->n_text_inst : 0,
        .phrases = sink ? sink->phrases : 0,
        .n_phrase = sink ? sink->n_phrase : 0,
    };
    hit.doc_key = doc_key_of(s, hit.id);
    hit.toc = toc_of(s, hit.id);
    rc = cb(ctx, &hit);
    if (rc != JFTS_OK) break;
  }
  if (rc == JFTS_OK && src != SQLITE_DONE) {
    /* The MATCH text comes from qry_build_match, which quotes every term: an FTS5 error here
    ** is a bug or a damaged index, and is reported as such. */
    rc = store_db_error(s, src, err_out, "cannot search the full-text index");
  }
  /* reset repeats the step's error, reported above; clear_bindings cannot fail. */
  (void)sqlite3_reset(st);
  (void)sqlite3_clear_bindings(st);
  if (rc == JFTS_OK && deferred.n > 0) rc = emit_deferred(s, &deferred, sink->n_row, cb, ctx);
  jfts_free(deferred.rows);
  jfts_free(deferred.freq);
  return rc;
}

int store_match_is_any(const char *match) {
  int operand = 0; /* 1 right after a string, its prefix star or a closed group */
  for (const char *p = match; *p;) {
    if (*p == ' ') {
      p++;
    } else if (*p == '"') {
      if (operand) return 0; /* two operands in a row: FTS5's implicit AND */
      for (p++;; p++) {
        if (*p == '\0') return 0;
        if (*p == '"' && p[1] == '"') p++;
        else if (*p == '"') break;
      }
      p++;
      operand = 1;
    } else if (*p == '*' || *p == ')') {
      if (!operand) return 0;
      p++;
    } else if (*p == '(') {
      if (operand) return 0;
      p++;
    } else if (p[0] == 'O' && p[1] == 'R' && (p[2] == ' ' || p[2] == '(' || p[2] == '"')) {
      if (!operand) return 0;
      operand = 0;
      p += 2;
    } else {
      return 0; /* AND, NOT, NEAR, a column filter, ... */
    }
  }
  return operand;
}

int store_match(Store *s, const char *match, const StoreFilter *filter, StoreHitCb cb, void *ctx,
                char **err_out) {
  return store_match_want(s, match, filter, NULL, NULL, cb, ctx, err_out);
}

int store_match_want(Store *s, const char *match, const StoreFilter *filter,
                     int (*row_wanted)(void *ctx, uint64_t phrases), void *want_ctx,
                     StoreHitCb cb, void *ctx, char **err_out) {
  store_budget_start(s);
  char *wards = NULL, *sections = NULL, *orgs = NULL;
  if (s->needs_schema) return JFTS_OK;
  int rc = store_search_prepare(s, err_out);
  if (rc != JFTS_OK) return rc;
  int filtered = !filter_is_empty(filter);
  sqlite3_stmt **slot = filtered ? &s->match_ranked_filter : &s->match_ranked;
  rc = store_prepare_cached(
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
                 " AND (?8 IS NULL OR instr(?8, '|' || p.org || '|') > 0)"
                 " AND (?9 IS NULL OR p.kind = ?9)"
               : "SELECT rowid, " RANK_FUNCTION "(fts, ?2) FROM fts WHERE fts MATCH ?1",
      err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = *slot;
  /* Unfiltered, the statement returns every row holding the query: it can count a single
  ** phrase's rows for jfts_rank (RankSink), which then reads them once instead of twice. */
  RankSink sink = {.defer_idf = !filtered,
                   .defer_any = !filtered && store_match_is_any(match),
                   .row_wanted = row_wanted,
                   .row_ctx = want_ctx};
  int src = sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_bind_pointer(st, 2, &sink, RANK_SINK_TYPE, NULL);
  if (src == SQLITE_OK && filtered) {
    if (filter->n_wards) wards = value_list(filter->wards, filter->n_wards);
    if (filter->n_sections) sections = value_list(filter->sections, filter->n_sections);
    if (filter->n_orgs) orgs = value_list(filter->orgs, filter->n_orgs);
    if ((filter->n_wards && wards == NULL) || (filter->n_sections && sections == NULL) ||
        (filter->n_orgs && orgs == NULL))
      rc = JFTS_ERR_NOMEM;
    if (rc == JFTS_OK) src = store_bind_text(st, 3, wards);
    if (src == SQLITE_OK) src = store_bind_text(st, 4, sections);
    if (src == SQLITE_OK) src = store_bind_text(st, 5, filter->section_title);
    if (src == SQLITE_OK) src = store_bind_text(st, 6, filter->meeting);
    if (src == SQLITE_OK) src = store_bind_int_or_null(st, 7, filter->year, 0);
    if (src == SQLITE_OK) src = store_bind_text(st, 8, orgs);
    if (src == SQLITE_OK) src = store_bind_text(st, 9, filter->kind);
  }
  if (rc == JFTS_OK && src != SQLITE_OK)
    rc = store_db_error(s, src, err_out, "cannot search the full-text index");
  if (rc == JFTS_OK) rc = match_rows(s, st, &sink, cb, ctx, err_out);
  else (void)sqlite3_clear_bindings(st); /* cannot fail; the values bound are about to go */
  jfts_free(wards);
  jfts_free(sections);
  jfts_free(orgs);
  return rc;
}

int store_match_ids(Store *s, const char *match, int text_only, StoreHitCb cb, void *ctx,
                    char **err_out) {
  store_budget_start(s);
  if (s->needs_schema) return JFTS_OK;
  char *expr = text_only ? jfts_mprintf("text : (%s)", match) : NULL;
  if (text_only && expr == NULL) return JFTS_ERR_NOMEM;
  int rc = store_prepare_cached(s, &s->match_ids, "SELECT rowid FROM fts WHERE fts MATCH ?1",
                                err_out);
  if (rc == JFTS_OK) {
    int src = sqlite3_bind_text(s->match_ids, 1, expr ? expr : match, -1, SQLITE_STATIC);
    if (src == SQLITE_OK) rc = match_rows(s, s->match_ids, NULL, cb, ctx, err_out);
    else rc = store_db_error(s, src, err_out, "cannot search the full-text index");
    (void)sqlite3_clear_bindings(s->match_ids); /* cannot fail; expr is about to go */
  }
  jfts_free(expr);
  return rc;
}
