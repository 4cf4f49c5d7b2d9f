/* Fuzz target for the read side of the store over a damaged or hostile database file: the
** input is the whole file (seeds: small jfts indexes). It is opened as jfts-query opens an
** index, then listed (--documents, --meetings), searched with a fixed set of queries (each hit
** fetched with its passage, as results are rendered) and checked (jfts-index --check). No
** crash, no sanitizer report, no call past its time budget; every passage handed out has its
** segment map inside its text; a failure always comes with a message. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "jfts_common.h"
#include "store.h"

/* Seconds any one store call may take: the store's own budget stops it first. */
#define FUZZ_DB_BUDGET_S 2.0

static const char *const k_matches[] = {"\"連携\"", "\"支援\" \"地域\"", "\"会議\" OR \"研修\"",
                                        "\"の\""};

/* CPU time, not wall time: a long run shares the machine, and a call starved of a core for
** seconds is not a hang; a runaway loop burns CPU time all the same. */
static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* rc and err of a store call: a failure has a message (out of memory aside). */
static void check_failure(const char *what, int rc, char **err, double t0) {
  double took = now_s() - t0;
  FUZZ_CHECK(took < 3 * FUZZ_DB_BUDGET_S + 1, "%s took %.1f s", what, took);
  if (rc != JFTS_OK && rc != JFTS_ERR_NOMEM)
    FUZZ_CHECK(*err != NULL, "%s failed (code %d) without a message", what, rc);
  jfts_free(*err);
  *err = NULL;
}

static int doc_cb(void *ctx, const StoreDocRow *r) {
  (void)ctx;
  FUZZ_CHECK(r->file != NULL, "a document without a file");
  return JFTS_OK;
}

static int meeting_cb(void *ctx, const StoreMeetingRow *r) {
  (void)ctx;
  (void)r;
  return JFTS_OK;
}

static int passage_cb(void *ctx, const StorePassageRow *r) {
  size_t *sum = ctx;
  FUZZ_CHECK(r->text != NULL, "passage %lld without text", (long long)r->id);
  for (size_t i = 0; i < r->n_segs; i++) {
    const StoreSeg *g = &r->segs[i];
    FUZZ_CHECK((uint64_t)g->text_start + g->n_bytes <= r->n_text,
               "passage %lld: segment %zu beyond its text", (long long)r->id, i);
    /* Touch the bytes the segment names, as rendering does. */
    for (uint32_t k = 0; k < g->n_bytes; k++) *sum += (unsigned char)r->text[g->text_start + k];
  }
  return JFTS_OK;
}

typedef struct HitCtx {
  Store *s;
  int n_hits;
  size_t sum;
  char *err; /* the message of a failed passage fetch, which stops the search */
} HitCtx;

static int hit_cb(void *ctx, const StoreHit *hit) {
  HitCtx *h = ctx;
  if (++h->n_hits > 50) return JFTS_OK; /* results are fetched for a page of them */
  int found = 0;
  return store_get_passage(h->s, hit->id, passage_cb, &h->sum, &found, &h->err);
}

static void run_db(const char *path) {
  Store *s = NULL;
  char *err = NULL;
  double t0 = now_s();
  int rc = store_open(path, STORE_READ, &s, &err);
  check_failure("store_open", rc, &err, t0);
  if (rc != JFTS_OK) return;
  store_set_budget(s, FUZZ_DB_BUDGET_S);
  t0 = now_s();
  check_failure("--documents", store_list_documents(s, NULL, doc_cb, NULL, &err), &err, t0);
  t0 = now_s();
  check_failure("--meetings", store_list_meetings(s, NULL, meeting_cb, NULL, &err), &err, t0);
  for (size_t i = 0; i < sizeof k_matches / sizeof *k_matches; i++) {
    HitCtx h = {s, 0, 0, NULL};
    t0 = now_s();
    rc = store_match(s, k_matches[i], NULL, hit_cb, &h, &err);
    if (err == NULL) {
      err = h.err;
      h.err = NULL;
    }
    jfts_free(h.err);
    check_failure(k_matches[i], rc, &err, t0);
  }
  long n_problems = 0;
  int64_t n_passages = 0;
  t0 = now_s();
  check_failure("--check", store_check(s, NULL, NULL, &n_problems, &n_passages, &err), &err, t0);
  store_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[64];
  if (path[0] == '\0') snprintf(path, sizeof path, "/tmp/jfts_fuzz_db_%ld.db", (long)getpid());
  FILE *fp = fopen(path, "wb");
  if (fp == NULL) fuzz_fail("cannot write %s", path);
  if (size > 0 && fwrite(data, 1, size, fp) != size) fuzz_fail("cannot write %s", path);
  if (fclose(fp) != 0) fuzz_fail("cannot write %s", path);
  run_db(path);
  char side[80];
  /* A run may leave -wal and -shm (a damaged header can make SQLite open it as WAL). */
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < 4; i++) {
    snprintf(side, sizeof side, "%s%s", path, suffixes[i]);
    unlink(side);
  }
  return 0;
}
