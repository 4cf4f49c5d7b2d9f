/* Prefetch (prefetch.h): one worker thread prepares files in job order into a table of
** items that the main thread takes in the same order; a mutex and one condition variable
** guard the table, the worker's progress and the bytes held ahead. */
#include "prefetch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jfts_common.h"
#include "store.h"
#include "textseg.h"

struct Prefetch {
  const PrefetchJob *jobs;
  size_t n_jobs;
  char *encoding;          /* copy of the run's --encoding, or NULL */
  size_t max_bytes;
  PrefetchItem **items;    /* per job, set when done; NULL when nothing was prepared */
  pthread_mutex_t mu;
  pthread_cond_t cv;       /* signalled on every change of the fields below */
  size_t n_done;           /* jobs [0, n_done) are done */
  size_t next_take;        /* jobs below this one were taken or passed over */
  size_t ahead_bytes;      /* n_raw of done items not taken yet */
  size_t n_ahead;          /* number of those items */
  int finished;            /* the worker has returned */
  int stop;                /* prefetch_stop asks the worker to return */
  /* Who waits on cv: each side wakes the other only when it waits, and the worker only once
  ** half of what it held ahead is taken, so that a build does not pay a futex call per file. */
  int worker_waiting, main_waiting;
  pthread_t thread;
};

void prefetch_item_free(PrefetchItem *it) {
  if (it == NULL) return;
  dec_free(it->dec);
  report_free(it->rep);
  tok_batch_free(it->toks);
  jfts_free(it);
}

/* Everything for one job, or NULL wherever the main thread must do (and report) it itself. */
static PrefetchItem *prepare(const Prefetch *pf, const PrefetchJob *job) {
  unsigned char *raw = NULL;
  size_t n_raw = 0;
  char *err = NULL;
  PrefetchItem *it = NULL;
  struct stat st;
  int ok = 0;

  if (job->skip || stat(job->path, &st) != 0 || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size > pf->max_bytes)
    return NULL;
  if (jfts_read_file(job->path, &raw, &n_raw) != 0) return NULL;
  if (n_raw > pf->max_bytes || (job->walked && dec_is_binary(raw, n_raw, NULL))) goto cleanup;
  it = jfts_calloc(1, sizeof *it);
  if (it == NULL) goto cleanup;
  it->n_raw = n_raw;
  store_hash(raw, n_raw, it->hash);
  if (pf->encoding == NULL && job->known && job->known_size == (int64_t)n_raw &&
      strcmp(job->known_hash, it->hash) == 0) {
    it->known_same = 1;
    ok = 1;
    goto cleanup;
  }
  if (dec_decode(raw, n_raw, pf->encoding, &it->dec, &err) != JFTS_OK) goto cleanup;
  free(raw);
  raw = NULL;
  if (report_parse(it->dec->text, it->dec->n_bytes, &it->rep, &err) != JFTS_OK) goto cleanup;
  if (tok_batch_new(&it->toks) != JFTS_OK) goto cleanup;
  for (size_t i = 0; i < it->rep->n_passages; i++) {
    const RepText *body = &it->rep->passages[i].body;
    if (tok_batch_add(it->toks, body->text ? body->text : "", body->text ? body->n_bytes : 0) !=
        JFTS_OK)
      goto cleanup;
  }
  ok = 1;

cleanup:
  free(raw);
  jfts_free(err);
  if (!ok) {
    prefetch_item_free(it);
    it = NULL;
  }
  return it;
}

static void *worker(void *arg) {
  Prefetch *pf = arg;
  for (size_t i = 0; i < pf->n_jobs; i++) {
    pthread_mutex_lock(&pf->mu);
    while (!pf->stop && pf->n_ahead > 0 &&
           (pf->ahead_bytes >= PREFETCH_AHEAD_BYTES || pf->n_ahead >= PREFETCH_AHEAD_FILES)) {
      pf->worker_waiting = 1;
      pthread_cond_wait(&pf->cv, &pf->mu);
      pf->worker_waiting = 0;
    }
    int stop = pf->stop;
    pthread_mutex_unlock(&pf->mu);
    if (stop) break;

    PrefetchItem *it = prepare(pf, &pf->jobs[i]);

    pthread_mutex_lock(&pf->mu);
    pf->items[i] = it;
    pf->n_done = i + 1;
    if (it) {
      pf->ahead_bytes += it->n_raw;
      pf->n_ahead++;
    }
    if (pf->main_waiting) pthread_cond_broadcast(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
  }
  seg_shutdown(); /* the report parser's break iterators are per thread */
  pthread_mutex_lock(&pf->mu);
  pf->finished = 1;
  pthread_cond_broadcast(&pf->cv);
  pthread_mutex_unlock(&pf->mu);
  return NULL;
}

int prefetch_start(const PrefetchJob *jobs, size_t n_jobs, const char *encoding,
                   size_t max_bytes, Prefetch **out) {
  int rc = JFTS_OK;
  int have_mu = 0, have_cv = 0;
  *out = NULL;
  Prefetch *pf = jfts_calloc(1, sizeof *pf);
  if (pf == NULL) return JFTS_ERR_NOMEM;
  pf->jobs = jobs;
  pf->n_jobs = n_jobs;
  pf->max_bytes = max_bytes;
  pf->items = jfts_calloc(n_jobs ? n_jobs : 1, sizeof *pf->items);
  pf->encoding = encoding ? jfts_strdup(encoding) : NULL;
  if (pf->items == NULL || (encoding && pf->encoding == NULL)) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  have_mu = pthread_mutex_init(&pf->mu, NULL) == 0;
  have_cv = have_mu && pthread_cond_init(&pf->cv, NULL) == 0;
  if (!have_cv || pthread_create(&pf->thread, NULL, worker, pf) != 0) rc = JFTS_ERR_IO;

cleanup:
  if (rc != JFTS_OK) {
    if (have_cv) pthread_cond_destroy(&pf->cv);
    if (have_mu) pthread_mutex_destroy(&pf->mu);
    jfts_free(pf->items);
    jfts_free(pf->encoding);
    jfts_free(pf);
    pf = NULL;
  }
  *out = pf;
  return rc;
}

/* Takes the item of job k (done, not taken) out of the table, or NULL; with the mutex held. */
static PrefetchItem *take_locked(Prefetch *pf, size_t k) {
  PrefetchItem *it = pf->items[k];
  if (it == NULL) return NULL;
  pf->items[k] = NULL;
  pf->ahead_bytes -= it->n_raw;
  pf->n_ahead--;
  return it;
}

PrefetchItem *prefetch_take(Prefetch *pf, size_t i) {
  if (pf == NULL || i >= pf->n_jobs || i < pf->next_take) return NULL;
  pthread_mutex_lock(&pf->mu);
  for (;;) {
    /* Jobs passed over go as soon as they are done: what they hold must not keep the worker
    ** waiting for room while this thread waits for job i. */
    while (pf->next_take < i && pf->next_take < pf->n_done)
      prefetch_item_free(take_locked(pf, pf->next_take++));
    if (pf->n_done > i || pf->finished) break;
    if (pf->worker_waiting) pthread_cond_broadcast(&pf->cv);
    pf->main_waiting = 1;
    pthread_cond_wait(&pf->cv, &pf->mu);
    pf->main_waiting = 0;
  }
  PrefetchItem *it = i < pf->n_done ? take_locked(pf, i) : NULL;
  pf->next_take = i + 1;
  /* Everything taken always wakes it: the worker never waits with nothing ahead. */
  if (pf->worker_waiting && pf->n_ahead <= PREFETCH_AHEAD_FILES / 2 &&
      pf->ahead_bytes <= PREFETCH_AHEAD_BYTES / 2)
    pthread_cond_broadcast(&pf->cv);
  pthread_mutex_unlock(&pf->mu);
  return it;
}

void prefetch_stop(Prefetch *pf) {
  if (pf == NULL) return;
  pthread_mutex_lock(&pf->mu);
  pf->stop = 1;
  pthread_cond_broadcast(&pf->cv);
  pthread_mutex_unlock(&pf->mu);
  pthread_join(pf->thread, NULL);
  for (size_t k = pf->next_take; k < pf->n_done; k++) prefetch_item_free(pf->items[k]);
  pthread_cond_destroy(&pf->cv);
  pthread_mutex_destroy(&pf->mu);
  jfts_free(pf->items);
  jfts_free(pf->encoding);
  jfts_free(pf);
}
