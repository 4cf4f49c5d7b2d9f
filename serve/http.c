/* jfts-serve's HTTP handling (http.h) over libmicrohttpd's internal thread pool. Each pool
** thread opens its own ApiConn on its first API request (a thread-specific key closes it when
** the thread ends), so no database connection is ever shared between threads. */
#include "http.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "jfts_common.h"
#include "output.h"
#include "params.h"
#include "textseg.h"

#define HTTP_CONNECTION_LIMIT 256   /* open connections; more are refused at accept */
#define HTTP_CONNECTION_TIMEOUT 15  /* seconds a connection may stay idle */
#define HTTP_MEMORY_LIMIT (64 * 1024) /* bytes per connection: request line and headers */

struct HttpServer {
  HttpConfig cfg;
  struct MHD_Daemon *daemon;
  pthread_key_t conn_key;  /* this thread's ApiConn */
  int key_made;
  atomic_uint n_active;    /* API requests being answered */
  int port;
};

/* The raw request target, saved by the URI log callback before libmicrohttpd splits it. */
typedef struct Request {
  char *target;
  size_t n_target;
} Request;

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *con) {
  (void)cls;
  (void)con;
  Request *r = calloc(1, sizeof *r);
  if (r == NULL) return NULL;
  r->n_target = strlen(uri);
  r->target = strdup(uri);
  if (r->target == NULL) {
    free(r);
    return NULL;
  }
  return r;
}

static void request_done(void *cls, struct MHD_Connection *con, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)con;
  (void)toe;
  Request *r = *req_cls;
  if (r) free(r->target);
  free(r);
  *req_cls = NULL;
}

/* Runs in each pool thread as it ends (MHD_stop_daemon): its connection, and the ICU break
** iterators that the snippets and quotes cached for this thread (textseg.h). */
static void conn_destroy(void *p) {
  api_conn_free(p);
  seg_shutdown();
}

/* Headers every response carries: nothing but this server's own files may run or load, no
** MIME sniffing, no Referer to elsewhere, no framing; API answers are not cached. */
static enum MHD_Result send_response(struct MHD_Connection *con, struct MHD_Response *resp,
                                     int status, const char *type, const char *filename,
                                     int api) {
  if (resp == NULL) return MHD_NO;
  MHD_add_response_header(resp, "Content-Type", type);
  MHD_add_response_header(resp, "Content-Security-Policy",
                          "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                          "form-action 'self'");
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(resp, "X-Frame-Options", "DENY");
  MHD_add_response_header(resp, "Cache-Control", api ? "no-store" : "no-cache");
  if (filename) {
    char cd[128];
    snprintf(cd, sizeof cd, "attachment; filename=\"%s\"", filename);
    MHD_add_response_header(resp, "Content-Disposition", cd);
  }
  if (status == 429) MHD_add_response_header(resp, "Retry-After", "1");
  enum MHD_Result ret = MHD_queue_response(con, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ret;
}

/* An error answer {"error": msg}; msg may quote what the client sent, so it is escaped. */
static enum MHD_Result send_error(struct MHD_Connection *con, int status, const char *msg) {
  char *body = NULL;
  size_t n = 0;
  FILE *fp = open_memstream(&body, &n);
  if (fp == NULL) return MHD_NO;
  fputs("{\"error\":", fp);
  out_json_string(fp, msg, strlen(msg));
  fputs("}\n", fp);
  if (fclose(fp) != 0) {
    free(body);
    return MHD_NO;
  }
  struct MHD_Response *resp = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) free(body);
  return send_response(con, resp, status, "application/json; charset=utf-8", NULL, 1);
}

static const char *asset_type(const char *path) {
  const char *dot = strrchr(path, '.');
  if (dot && strcmp(dot, ".js") == 0) return "text/javascript; charset=utf-8";
  if (dot && strcmp(dot, ".css") == 0) return "text/css; charset=utf-8";
  if (dot && strcmp(dot, ".svg") == 0) return "image/svg+xml";
  return "text/html; charset=utf-8";
}

static enum MHD_Result send_asset(struct MHD_Connection *con, const char *path) {
  if (strcmp(path, "/") == 0) path = "/index.html";
  for (unsigned long i = 0; i < SERVE_N_ASSETS; i++) {
    if (strcmp(SERVE_ASSETS[i].path, path) != 0) continue;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        SERVE_ASSETS[i].n_bytes, (void *)SERVE_ASSETS[i].data, MHD_RESPMEM_PERSISTENT);
    return send_response(con, resp, 200, asset_type(path), NULL, 0);
  }
  return send_error(con, 404, "not found");
}

/* With a loopback address, a Host header naming anything else is a DNS rebinding attempt. */
static int host_ok(const HttpServer *h, struct MHD_Connection *con) {
  if (!h->cfg.loopback) return 1;
  const char *host = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Host");
  if (host == NULL) return 1; /* HTTP/1.0 without Host: not from a browser */
  const char *names[] = {"127.0.0.1", "localhost", "[::1]"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    size_t n = strlen(names[i]);
    if (strncmp(host, names[i], n) == 0 &&
        (host[n] == '\0' || (host[n] == ':' && atoi(host + n + 1) == h->port)))
      return 1;
  }
  return 0;
}

static enum MHD_Result answer_api(HttpServer *h, struct MHD_Connection *con,
                                  const ServeParams *p) {
  ApiConn *c = pthread_getspecific(h->conn_key);
  if (c == NULL) {
    if (api_conn_new(h->cfg.db_path, h->cfg.ths, h->cfg.rel, h->cfg.budget_ms, &c) != JFTS_OK ||
        pthread_setspecific(h->conn_key, c) != 0) {
      api_conn_free(c);
      return send_error(con, 500, "out of memory");
    }
  }
  ApiResponse res;
  if (api_handle(c, p, &res) != JFTS_OK) return send_error(con, 500, "out of memory");
  if (res.status == 500) /* worth the operator's attention; the others are the client's */
    fprintf(stderr, "jfts-serve: %s: %.*s", p->path, (int)res.n_body, res.body);
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(res.n_body, res.body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) api_response_clear(&res);
  /* A download has no field to say so: a header, for scripts; the page does not download. */
  if (resp && res.truncated) {
    char note[64];
    snprintf(note, sizeof note, "rows cut at %ld MiB; narrow the query",
             API_MAX_EXPORT_BYTES / (1024 * 1024));
    MHD_add_response_header(resp, "X-JFTS-Truncated", note);
  }
  return send_response(con, resp, res.status, res.content_type, res.filename, 1);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *con, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
  HttpServer *h = cls;
  Request *r = *req_cls;
  (void)url;
  (void)version;
  (void)upload_data;
  (void)upload_data_size;
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return send_error(con, 405, "only GET and HEAD are served");
  if (r == NULL) return send_error(con, 500, "out of memory");
  if (!host_ok(h, con)) return send_error(con, 403, "unexpected Host header");
  if (strncmp(r->target, "/api/", 5) != 0) {
    /* The page's own state is in its query string: only the path picks a file. */
    char path[64];
    size_t n = strcspn(r->target, "?");
    if (n >= sizeof path) return send_error(con, 404, "not found");
    memcpy(path, r->target, n);
    path[n] = '\0';
    return send_asset(con, path);
  }
  ServeParams *p = NULL;
  char *err = NULL;
  int rc = sp_parse(r->target, r->n_target, &p, &err);
  if (rc != JFTS_OK) {
    enum MHD_Result ret;
    if (rc == JFTS_ERR_INPUT) {
      ret = send_error(con, 414, "request target too long");
    } else if (rc == JFTS_ERR_USAGE) {
      ret = send_error(con, 400, err ? err : "bad request");
    } else {
      ret = send_error(con, 500, "out of memory");
    }
    jfts_free(err);
    return ret;
  }
  enum MHD_Result ret;
  if (atomic_fetch_add(&h->n_active, 1) >= h->cfg.max_requests) {
    ret = send_error(con, 429, "too many requests at once; try again");
    atomic_fetch_sub(&h->n_active, 1);
  } else {
    ret = answer_api(h, con, p);
    atomic_fetch_sub(&h->n_active, 1);
  }
  sp_free(p);
  return ret;
}

int http_start(const HttpConfig *cfg, HttpServer **out, char **err_out) {
  HttpServer *h = calloc(1, sizeof *h);
  *out = NULL;
  if (h == NULL) return JFTS_ERR_NOMEM;
  h->cfg = *cfg;
  atomic_init(&h->n_active, 0);
  if (pthread_key_create(&h->conn_key, conn_destroy) != 0) {
    free(h);
    return JFTS_ERR_NOMEM;
  }
  h->key_made = 1;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
  if (cfg->addr->sa_family == AF_INET6) flags |= MHD_USE_IPv6;
  h->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, handle, h, MHD_OPTION_SOCK_ADDR, cfg->addr,
      MHD_OPTION_THREAD_POOL_SIZE, cfg->n_threads, MHD_OPTION_URI_LOG_CALLBACK, uri_log, h,
      MHD_OPTION_NOTIFY_COMPLETED, request_done, h, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)HTTP_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)HTTP_MEMORY_LIMIT, MHD_OPTION_END);
  if (h->daemon == NULL) {
    jfts_set_error(err_out, "cannot listen on the address given (in use, or not this host's)");
    http_stop(h);
    return JFTS_ERR_IO;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
  h->port = info ? info->port : 0;
  *out = h;
  return JFTS_OK;
}

int http_port(const HttpServer *h) { return h->port; }

void http_stop(HttpServer *h) {
  if (h == NULL) return;
  if (h->daemon) MHD_stop_daemon(h->daemon); /* joins the pool: their ApiConns are freed */
  if (h->key_made) pthread_key_delete(h->conn_key);
  free(h);
}
