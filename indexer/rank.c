/* jfts_rank (rank.h): FTS5's BM25 with row lengths from memory. Everything that does not
** change from row to row (idf per phrase, mean lengths, column weights) is computed on the
** first row of a query and kept as FTS5 auxiliary data; a row then costs its instance list
** and one array read. Runs inside SQLite, so it allocates with sqlite3_malloc64. */
#include "rank.h"
#include "tokenizer.h"

#include <string.h>

/* Most bytes the deferred counts of an OR of phrases may take (rank_query_new). */
#define RANK_DEFER_ANY_MAX_BYTES ((sqlite3_int64)32 << 20)

/* Once per query (per FTS5 cursor). */
typedef struct RankQuery {
  int n_phrase;
  int n_col;
  double *idf;     /* per phrase */
  double *freq;    /* per phrase: scratch for the current row */
  double *weight;  /* per column */
  double avg_all;  /* mean row length over all columns (xColumnSize path) */
  double avg_other; /* mean length of the columns after the first (RankData path) */
  int64_t n_row;    /* rows in the table */
  int deferred;     /* idf left to the caller (RankSink): one phrase, or up to 64 of an OR */
} RankQuery;

/* Natural logarithm of x > 0. The library is linked without libm (the build gives jfts_store
** no -lm), so: x = m * 2^e with m in [1, 2), ln m = 2 atanh((m - 1) / (m + 1)) by its series,
** which for |y| <= 1/3 reaches double precision within 20 terms. */
static double rank_ln(double x) {
  static const double LN2 = 0.69314718055994530942;
  if (!(x > 0.0)) return -1e300;
  int e = 0;
  while (x >= 2.0) {
    x *= 0.5;
    e++;
  }
  while (x < 1.0) {
    x *= 2.0;
    e--;
  }
  double y = (x - 1.0) / (x + 1.0), y2 = y * y, term = y, sum = 0.0;
  for (int k = 1; k < 60; k += 2) {
    sum += term / k;
    term *= y2;
    if (term < 1e-18) break;
  }
  return 2.0 * sum + e * LN2;
}

double rank_idf(int64_t n_row, int64_t n_hit) {
  if (n_row < 1) n_row = 1; /* a query on an empty table scores no row anyway */
  double idf = rank_ln(((double)n_row - (double)n_hit + 0.5) / ((double)n_hit + 0.5));
  return idf > 0.0 ? idf : 1e-6;
}

/* The same operations, in the same order, as the sum in rank_function for one phrase. */
double rank_deferred_score(double idf, double x, double y) {
  double score = 0.0;
  if (x != 0.0) score += idf * x / y;
  return score;
}

double rank_deferred_sum(const double *idf, const double *freq, int n_phrase, double norm) {
  double score = 0.0;
  for (int p = 0; p < n_phrase; p++) {
    double f = freq[p];
    if (f != 0.0) score += idf[p] * (f * (RANK_K1 + 1.0)) / (f + norm);
  }
  return score;
}

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *ctx) {
  (void)api;
  (void)fts;
  (*(sqlite3_int64 *)ctx)++;
  return SQLITE_OK;
}

static int query_init(const Fts5ExtensionApi *api, Fts5Context *fts, int n_val,
                      sqlite3_value **vals, int defer, int defer_any, RankQuery **out) {
  int n_phrase = api->xPhraseCount(fts);
  int n_col = api->xColumnCount(fts);
  sqlite3_int64 n_bytes = (sqlite3_int64)sizeof(RankQuery) +
                          (sqlite3_int64)(2 * n_phrase + n_col) * (sqlite3_int64)sizeof(double);
  RankQuery *q = sqlite3_malloc64((sqlite3_uint64)n_bytes);
  *out = NULL;
  if (q == NULL) return SQLITE_NOMEM;
  memset(q, 0, (size_t)n_bytes);
  q->n_phrase = n_phrase;
  q->n_col = n_col;
  q->idf = (double *)&q[1];
  q->freq = q->idf + n_phrase;
  q->weight = q->freq + n_phrase;
  for (int c = 0; c < n_col; c++) {
    q->weight[c] = c == 0 ? RANK_WEIGHT_TEXT : RANK_WEIGHT_OTHER;
    if (c < n_val && sqlite3_value_numeric_type(vals[c]) != SQLITE_NULL &&
        sqlite3_value_pointer(vals[c], RANK_SINK_TYPE) == NULL)
      q->weight[c] = sqlite3_value_double(vals[c]);
  }

  sqlite3_int64 n_row = 0, n_all = 0, n_other = 0;
  int rc = api->xRowCount(fts, &n_row);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &n_all);
  for (int c = 1; rc == SQLITE_OK && c < n_col; c++) {
    sqlite3_int64 n = 0;
    rc = api->xColumnTotalSize(fts, c, &n);
    n_other += n;
  }
  q->n_row = n_row;
  if (n_row < 1) n_row = 1; /* a query on an empty table scores no row anyway */
  q->avg_all = (double)n_all / (double)n_row;
  q->avg_other = (double)n_other / (double)n_row;
  /* An OR's deferred rows keep a count per phrase (8 bytes each) until the scan ends, and
  ** every row of the table may match: past RANK_DEFER_ANY_MAX_BYTES the idf is counted first,
  ** as for no deferral, so that memory stays bounded whatever the index's size. */
  int fits = q->n_row <= RANK_DEFER_ANY_MAX_BYTES / 8 / (n_phrase > 0 ? n_phrase : 1);
  q->deferred = defer && (n_phrase == 1 || (defer_any && n_phrase <= 64 && fits));
  for (int p = 0; rc == SQLITE_OK && p < n_phrase && !q->deferred; p++) {
    sqlite3_int64 n_hit = 0;
    rc = api->xQueryPhrase(fts, p, &n_hit, count_row);
    q->idf[p] = rank_idf(n_row, n_hit);
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(q);
    return rc;
  }
  *out = q;
  return SQLITE_OK;
}

static void rank_function(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx,
                          int n_val, sqlite3_value **vals) {
  const RankData *data = api->xUserData(fts);
  RankSink *sink = NULL;
  if (n_val > 0) sink = sqlite3_value_pointer(vals[n_val - 1], RANK_SINK_TYPE);
  if (sink) n_val--;

  int rc = SQLITE_OK;
  RankQuery *q = api->xGetAuxdata(fts, 0);
  if (q == NULL) {
    rc = query_init(api, fts, n_val, vals, sink && sink->defer_idf, sink && sink->defer_any,
                    &q);
    if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, q, sqlite3_free);
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }

  int64_t n_text_inst = 0;
  uint64_t phrases = 0;
  memset(q->freq, 0, (size_t)q->n_phrase * sizeof *q->freq);
  /* Each phrase's own instances (xPhraseFirst/Next), not xInstCount/xInst: those build and
  ** sort one array of every phrase's instances per row, a third of a frequent term's query
  ** time. The same instances either way: the query builder writes no NEAR groups. */
  for (int p = 0; rc == SQLITE_OK && p < q->n_phrase; p++) {
    Fts5PhraseIter it;
    int col = -1, off = 0;
    rc = api->xPhraseFirst(fts, p, &it, &col, &off);
    if (rc == SQLITE_OK && col >= 0 && p < 64) phrases |= UINT64_C(1) << p;
    while (rc == SQLITE_OK && col >= 0) {
      if (col < q->n_col) {
        q->freq[p] += q->weight[col];
        n_text_inst += col == 0;
      }
      api->xPhraseNext(fts, &it, &col, &off);
    }
  }

  if (sink) sink->skipped = 0;
  if (rc == SQLITE_OK && sink && sink->row_wanted && !q->deferred &&
      !sink->row_wanted(sink->row_ctx, phrases)) {
    sink->skipped = 1;
    sink->n_text_inst = n_text_inst;
    sink->phrases = phrases;
    sink->n_phrase = q->n_phrase;
    sqlite3_result_double(ctx, 0.0);
    return;
  }

  double len = 0.0, avg = 1.0;
  uint32_t n_text = 0;
  if (rc == SQLITE_OK && data && data->text_length &&
      data->text_length(data->ctx, api->xRowid(fts), &n_text)) {
    len = (double)n_text + q->avg_other;
    avg = data->avg_text + q->avg_other;
  } else if (rc == SQLITE_OK) {
    int n_tok = 0;
    rc = api->xColumnSize(fts, -1, &n_tok);
    len = (double)n_tok;
    avg = q->avg_all;
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  if (avg <= 0.0) avg = 1.0;

  double norm = RANK_K1 * (1.0 - RANK_B + RANK_B * len / avg);
  if (q->deferred) {
    double f = q->freq[0];
    sink->deferred = 1;
    sink->x = f * (RANK_K1 + 1.0);
    sink->y = f + norm;
    sink->freq = q->freq;
    sink->norm = norm;
    sink->n_row = q->n_row;
    sink->n_text_inst = n_text_inst;
    sink->phrases = phrases;
    sink->n_phrase = q->n_phrase;
    sqlite3_result_double(ctx, 0.0);
    return;
  }
  double score = rank_deferred_sum(q->idf, q->freq, q->n_phrase, norm);
  if (sink) {
    sink->n_text_inst = n_text_inst;
    sink->phrases = phrases;
    sink->n_phrase = q->n_phrase;
  }
  sqlite3_result_double(ctx, -score);
}

int rank_register(sqlite3 *db, const RankData *data) {
  fts5_api *api = NULL;
  int rc = tok_fts5_api(db, &api);
  if (rc != SQLITE_OK) return rc;
  return api->xCreateFunction(api, RANK_FUNCTION, (void *)data, rank_function, NULL);
}
