/* The `jfts_rank` FTS5 auxiliary function: BM25 as FTS5's bm25() computes it, but with each
** row's length read from an in-memory array instead of FTS5's per-row size record, whose
** lookup (xColumnSize) is most of what bm25() costs on a frequent term. It also reports,
** per row, how many query-phrase instances lie in the text column (the occurrence count).
**
** Formula (k1 = 1.2, b = 0.75; the same as FTS5's bm25()):
**   score(row) = sum over phrases p of
**                idf(p) * f(p) * (k1 + 1) / (f(p) + k1 * (1 - b + b * D / avgD))
**   f(p)   = sum over instances of p in the row of the weight of the instance's column
**            (defaults RANK_WEIGHT_TEXT for column 0, RANK_WEIGHT_OTHER for the others);
**   idf(p) = ln((N - n(p) + 0.5) / (n(p) + 0.5)), at least 1e-6; N rows in the table, n(p)
**            rows holding p (counted once per query with xQueryPhrase);
**   D      = the row's length in tokens over all columns, avgD its mean over the table.
** With RankData loaded, D = (the row's text length) + (mean heading/label length) and avgD =
** avg_text + (the same mean): the text column's length is exact (passages.n_tokens counts
** FTS5 positions), the other columns (short headings and labels shared by many passages)
** count with their table-wide mean, taken from FTS5's column totals once per query. Without
** RankData, or for a rowid it does not cover, D comes from xColumnSize, exactly as bm25().
** The function returns -score (lower is better, like bm25()), so that it also works as
** FTS5's rank: `ORDER BY jfts_rank(fts)` puts the best rows first.
**
** SQL: jfts_rank(fts [, w0, w1, ... ] [, sink]): optional column weights, then optionally a
** RankSink pointer bound with sqlite3_bind_pointer(..., RANK_SINK_TYPE, NULL). */
#ifndef JFTS_RANK_H
#define JFTS_RANK_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define RANK_FUNCTION "jfts_rank"
#define RANK_SINK_TYPE "jfts_rank_sink"
#define RANK_WEIGHT_TEXT 1.0  /* column 0: passage text */
#define RANK_WEIGHT_OTHER 0.4 /* columns 1 and 2: heading, label */
#define RANK_K1 1.2
#define RANK_B 0.75

/* A row's text length: sets *n_text_out to the FTS5 positions of the text column of rowid
** and returns 1, or returns 0 when it does not know the row (then xColumnSize is used). It
** may read the database (the store loads lengths lazily), on the connection running the
** query. */
typedef int (*RankLengthFn)(void *ctx, int64_t rowid, uint32_t *n_text_out);

/* Per-rowid lengths, owned by whoever registers the function (the store). */
typedef struct RankData {
  RankLengthFn text_length; /* NULL: not loaded */
  void *ctx;                /* text_length's */
  double avg_text;          /* mean text length over the rows of the table */
} RankData;

/* Where jfts_rank writes what it saw in the current row (for the caller's occurrence total).
** Deferred idf: idf(p) needs n(p) before the first row, which FTS5 gives only by a second
** pass over the phrase's rows (xQueryPhrase: a quarter of a frequent term's query). A caller
** that sets defer_idf and reads every row of the statement, unfiltered, can count n(p)
** itself: for a query of one phrase, jfts_rank then skips that pass, returns 0 as the score
** and leaves x, y and n_row here; the caller's score for the row is rank_deferred_score(
** rank_idf(n_row, rows returned), x, y), the same double jfts_rank would have returned.
** With defer_any too (the statement returns every row that holds any one of its phrases: an
** OR of phrases, no NOT), a query of up to 64 phrases is deferred as well, unless the table
** is so large that a count per phrase for every row could pass 32 MiB (sink->deferred then
** stays 0 and scores come as without deferral): jfts_rank leaves freq, norm and n_row, and the
** score is rank_deferred_sum(idf, freq, n_phrase, norm), idf[p] = rank_idf(n_row, rows whose
** phrase mask holds p). */
typedef struct RankSink {
  int64_t n_text_inst; /* phrase instances in column 0 of the last row scored */
  uint64_t phrases;    /* out: bit p set when query phrase p (p < 64, numbered in the order
                       ** of the MATCH text) has an instance in the last row scored, in any
                       ** column; what a caller needs to tell which parts of an OR query a
                       ** row holds without one scan per part */
  int n_phrase;        /* out: phrases in the query (FTS5's xPhraseCount) */
  /* in, may be NULL: asked per row once phrases is known (not for a deferred-idf query);
  ** returning 0 skips the row's length lookup and score (what a caller keeping the best
  ** rows by a key that comes before the score knows it will drop): then the result is 0.0,
  ** skipped is 1, and n_text_inst, phrases and n_phrase are still set. */
  int (*row_wanted)(void *ctx, uint64_t phrases);
  void *row_ctx;       /* row_wanted's */
  int skipped;         /* out: 1 when row_wanted declined the last row */
  int defer_idf;       /* in: the caller counts the rows (see above) */
  int deferred;        /* out: 1 when the last row's score was deferred */
  int defer_any;       /* in: with defer_idf, the statement returns every row holding any
                       ** one of its phrases (see above) */
  double x, y;         /* out, when deferred (one phrase): the row's BM25 numerator and
                       ** denominator */
  const double *freq;  /* out, when deferred (several phrases): the row's weighted instance
                       ** count per phrase, n_phrase entries, valid until the next row */
  double norm;         /* out, then: the row's length norm, k1 (1 - b + b len / avglen) */
  int64_t n_row;       /* out, when deferred: rows in the table */
} RankSink;

/* BM25's idf as jfts_rank computes it: ln((N - n + 0.5) / (n + 0.5)), at least 1e-6, for
** n_row rows (at least 1) of which n_hit hold the phrase. */
double rank_idf(int64_t n_row, int64_t n_hit);

/* The score of a row whose idf was deferred (RankSink): bit for bit jfts_rank's. */
double rank_deferred_score(double idf, double x, double y);

/* jfts_rank's sum over the phrases of a row (idf and freq: n_phrase entries each; norm as
** RankSink.norm): the score of a row deferred with several phrases, bit for bit. */
double rank_deferred_sum(const double *idf, const double *freq, int n_phrase, double norm);

/* Registers jfts_rank on db (fts5_api through `SELECT fts5(?1)`). data is borrowed and read
** at each call, so it may be filled after registration; it must outlive the connection's
** use of the function; NULL means always xColumnSize. Returns an SQLite result code
** (SQLITE_ERROR when SQLite has no FTS5). */
int rank_register(sqlite3 *db, const RankData *data);

#endif
