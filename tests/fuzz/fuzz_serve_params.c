/* Fuzz target for jfts-serve's request parameters (serve/params.h): the input is a request
** target as a client may send it. Parsing must never crash or leak; a parsed request keeps
** every documented bound (lengths, counts, ranges, UTF-8 values without NUL); a refused one
** says why, and an over-long target is refused as such. */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "jfts_common.h"
#include "params.h"

static void check_text(const char *s, size_t max, const char *name) {
  if (s == NULL) return;
  size_t n = strlen(s);
  FUZZ_CHECK(n <= max, "%s: %zu bytes over %zu", name, n, max);
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    size_t len = fuzz_utf8_len((const unsigned char *)s + i, n - i, &cp);
    FUZZ_CHECK(len > 0, "%s: ill-formed UTF-8 at byte %zu", name, i);
    i += len;
  }
}

static void check_params(const ServeParams *p, const uint8_t *data, size_t size) {
  FUZZ_CHECK(p->path != NULL, "no path");
  size_t n_path = strlen(p->path);
  FUZZ_CHECK(n_path <= size && memcmp(p->path, data, n_path) == 0,
             "path is not the target's start");
  FUZZ_CHECK(strchr(p->path, '?') == NULL, "path holds the query string");
  check_text(p->q, SP_MAX_QUERY, "q");
  FUZZ_CHECK(p->n_wards <= SP_MAX_WARDS, "%zu wards", p->n_wards);
  for (size_t i = 0; i < p->n_wards; i++) check_text(p->wards[i], SP_MAX_VALUE, "ward");
  check_text(p->year, SP_MAX_VALUE, "year");
  check_text(p->section, SP_MAX_VALUE, "section");
  check_text(p->meeting, SP_MAX_VALUE, "meeting");
  check_text(p->sort, SP_MAX_VALUE, "sort");
  FUZZ_CHECK(p->exact == 0 || p->exact == 1, "exact %d", p->exact);
  FUZZ_CHECK(p->limit >= -1 && p->limit <= SP_MAX_LIMIT_ROWS, "limit %ld", p->limit);
  FUZZ_CHECK(p->limit_capped == 0 || p->limit == SP_MAX_LIMIT_ROWS, "capped limit %ld", p->limit);
  FUZZ_CHECK(p->offset >= 0, "offset %ld", p->offset);
  FUZZ_CHECK(p->context == 0 || (p->context >= 1 && p->context <= 1000), "context %ld", p->context);
  FUZZ_CHECK(p->id >= 0, "id %ld", p->id);
  FUZZ_CHECK(p->format == OUT_JSON || p->format == OUT_CSV || p->format == OUT_TSV, "format %d",
             (int)p->format);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  long live = jfts_alloc_live();
  ServeParams *p = NULL;
  char *err = NULL;
  int rc = sp_parse((const char *)data, size, &p, &err);
  if (rc == JFTS_OK) {
    FUZZ_CHECK(p != NULL && err == NULL, "success without a result, or with a message");
    check_params(p, data, size);
  } else {
    FUZZ_CHECK(p == NULL, "a result with error %d", rc);
    FUZZ_CHECK(rc == JFTS_ERR_USAGE || rc == JFTS_ERR_INPUT || rc == JFTS_ERR_NOMEM, "rc %d", rc);
    FUZZ_CHECK(rc == JFTS_ERR_NOMEM || (err != NULL && err[0] != '\0'),
               "error %d without a message", rc);
    FUZZ_CHECK((rc == JFTS_ERR_INPUT) == (size > SP_MAX_TARGET), "over-long target not told apart");
  }
  sp_free(p);
  jfts_free(err);
  FUZZ_CHECK(jfts_alloc_live() == live, "leak: %ld allocations", jfts_alloc_live() - live);
  return 0;
}
