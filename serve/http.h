/* jfts-serve's HTTP side (libmicrohttpd): a pool of threads, each with its own read-only
** connection to the index (api.h); the embedded page and its assets; the API under /api/;
** the security headers on every response; and the limits (request target length, concurrent
** requests, per-request time budget, connection timeout). */
#ifndef JFTS_HTTP_H
#define JFTS_HTTP_H

#include <sys/socket.h>

#include "thesaurus.h"

typedef struct HttpConfig {
  const char *db_path;          /* database to serve (read-only) */
  const Thesaurus *ths;         /* borrowed, outlives the server; NULL: no expansion */
  const Thesaurus *rel;         /* related topics of searches, borrowed likewise; NULL: none */
  const struct sockaddr *addr;  /* where to listen (IPv4 or IPv6; port 0: any free port) */
  int loopback;                 /* 1: accept only Host headers naming a loopback address */
  unsigned n_threads;           /* worker threads, each with one database connection */
  unsigned max_requests;        /* API requests answered at once; more get 429 */
  unsigned budget_ms;           /* SQLite time budget of one API request; 0: none */
} HttpConfig;

typedef struct HttpServer HttpServer;

/* Starts serving cfg (copied; the strings, ths and rel borrowed). Returns JFTS_OK (*out;
** http_stop), JFTS_ERR_IO ("cannot listen on ...") or JFTS_ERR_NOMEM. */
int http_start(const HttpConfig *cfg, HttpServer **out, char **err_out);

/* The port actually bound (useful with port 0). */
int http_port(const HttpServer *h);

/* Stops the threads and frees everything; accepts NULL. */
void http_stop(HttpServer *h);

/* Used by the assets table that CMake generates from serve/page (serve_assets.c). */
typedef struct ServeAsset {
  const char *path;          /* "/app.js" */
  const unsigned char *data;
  unsigned long n_bytes;
} ServeAsset;
extern const ServeAsset SERVE_ASSETS[];
extern const unsigned long SERVE_N_ASSETS;

#endif
