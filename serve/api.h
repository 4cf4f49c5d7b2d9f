/* The JSON/CSV API of jfts-serve: each endpoint runs the jfts-query library code of the
** matching CLI mode (search, --wards, --quotes, --meetings, --documents) over one read-only
** Store and writes the CLI's rows into memory (quotes: bounded, see api_handle). An ApiConn belongs to one thread. */
#ifndef JFTS_API_H
#define JFTS_API_H

#include <stddef.h>

#include "params.h"
#include "thesaurus.h"

/* Quotes are never all held (a file of one repeated character quotes each of them). */
#define API_MAX_SORTED_QUOTES 20000 /* quotes a sorted answer may hold; more: 422 */
#define API_MAX_EXPORT_BYTES (32L * 1024 * 1024) /* CSV/TSV quotes cut after the passage
                                                 ** that takes a download past it */

typedef struct ApiConn ApiConn;

/* A connection to db_path for one thread; the database is opened read-only (STORE_READ) by
** the first api_handle. ths (borrowed, may be NULL: no expansion) and rel (the related-topics
** layer of searches, borrowed, may be NULL: none) must outlive it; budget_ms bounds the SQLite
** work of one request (0: none). Returns JFTS_OK (*out; api_conn_free) or JFTS_ERR_NOMEM. */
int api_conn_new(const char *db_path, const Thesaurus *ths, const Thesaurus *rel,
                 unsigned budget_ms, ApiConn **out);
void api_conn_free(ApiConn *c); /* accepts NULL */

/* One response: status, content type and a body owned by the response. */
typedef struct ApiResponse {
  int status;                /* HTTP status */
  const char *content_type;  /* static string */
  const char *filename;      /* for Content-Disposition: attachment; NULL: inline */
  char *body;                /* malloc'ed (free()); may hold NUL bytes */
  size_t n_body;
  int truncated;             /* 1: a CSV/TSV download of quotes cut at its size cap (api.c) */
} ApiResponse;

/* Answers the API request p (p->path under /api/). Always fills *out: 200 with the rows;
** 400 for a usage error ({"error": the CLI's message}); 404 for an unknown endpoint or a
** document id that does not exist; 422 when the request ran past its time budget, or asked
** to sort more than API_MAX_SORTED_QUOTES quotes; 500 otherwise. Quotes are never all held:
** JSON keeps the page asked for (total.rows counts them all), a CSV/TSV download stops after
** the passage that takes it past API_MAX_EXPORT_BYTES (out->truncated). Before the request the connection reopens the database when its files changed
** (jfts-index ran), so that every request sees the latest committed index. Returns JFTS_OK,
** or JFTS_ERR_NOMEM when not even an error body could be made (out->body NULL). */
int api_handle(ApiConn *c, const ServeParams *p, ApiResponse *out);

/* Frees out->body; accepts an empty response. */
void api_response_clear(ApiResponse *out);

#endif
