/* Tests of the prefetch worker (indexer/prefetch.c): what it prepares equals what the main
** thread would make of the same file, whatever it does not prepare comes back NULL (the
** main thread then does it and reports any error), jobs passed over or left when stopping
** are freed, and nothing leaks. */
#define _XOPEN_SOURCE 700 /* mkdtemp, nanosleep */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jfts_common.h"
#include "prefetch.h"
#include "store.h"
#include "test_util.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

typedef struct Fix {
  char dir[64];
  char plain[128], binary[128], big[128], missing[128];
  long live_at_setup;
} Fix;

static int setup(void **state) {
  Fix *f = calloc(1, sizeof *f);
  snprintf(f->dir, sizeof f->dir, "/tmp/jfts-prefetch-XXXXXX");
  if (mkdtemp(f->dir) == NULL) return -1;
  snprintf(f->plain, sizeof f->plain, "%s/plain.txt", f->dir);
  snprintf(f->binary, sizeof f->binary, "%s/image.png", f->dir);
  snprintf(f->big, sizeof f->big, "%s/big.txt", f->dir);
  snprintf(f->missing, sizeof f->missing, "%s/missing.txt", f->dir);
  const char plain[] = "一つ目の段落です。\n\n二つ目の段落、8050 問題について。\n";
  test_write_file(f->plain, plain, sizeof plain - 1);
  const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0x0d};
  test_write_file(f->binary, png, sizeof png);
  /* Larger than the corpus file (about 25 KB), one line of letters. */
  size_t n_big = 600 * 1024;
  char *big = malloc(n_big);
  memset(big, 'a', n_big);
  test_write_file(f->big, big, n_big);
  free(big);
  f->live_at_setup = jfts_alloc_live();
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fix *f = *state;
  unlink(f->plain);
  unlink(f->binary);
  unlink(f->big);
  rmdir(f->dir);
  free(f);
  return 0;
}

/* The file as the main thread would prepare it. */
static void prepare_here(const char *path, char hash[17], DecodedText **dec, Report **rep) {
  size_t n = 0;
  char *raw = test_read_file(path, &n);
  store_hash((const unsigned char *)raw, n, hash);
  assert_int_equal(dec_decode((const unsigned char *)raw, n, NULL, dec, NULL), JFTS_OK);
  assert_int_equal(report_parse((*dec)->text, (*dec)->n_bytes, rep, NULL), JFTS_OK);
  free(raw);
}

/* it holds exactly what prepare_here makes of path. */
static void assert_prepared_as_here(const PrefetchItem *it, const char *path) {
  char hash[17];
  DecodedText *dec = NULL;
  Report *rep = NULL;
  prepare_here(path, hash, &dec, &rep);
  assert_non_null(it);
  assert_false(it->known_same);
  assert_string_equal(it->hash, hash);
  assert_non_null(it->dec);
  assert_int_equal(it->dec->n_bytes, dec->n_bytes);
  assert_memory_equal(it->dec->text, dec->text, dec->n_bytes);
  assert_string_equal(it->dec->encoding, dec->encoding);
  assert_non_null(it->rep);
  assert_int_equal(it->rep->n_docs, rep->n_docs);
  assert_int_equal(it->rep->n_meetings, rep->n_meetings);
  assert_int_equal(it->rep->n_passages, rep->n_passages);
  assert_int_equal(tok_batch_count(it->toks), rep->n_passages);
  for (size_t i = 0; i < rep->n_passages; i++) {
    const RepText *a = &it->rep->passages[i].body, *b = &rep->passages[i].body;
    assert_int_equal(a->n_bytes, b->n_bytes);
    assert_memory_equal(a->text, b->text, b->n_bytes);
    int expect = 0;
    assert_int_equal(tok_tokenize(b->text, b->n_bytes, FTS5_TOKENIZE_DOCUMENT, test_count_positions,
                                  &expect), SQLITE_OK);
    assert_int_equal(tok_batch_positions(it->toks, i), expect);
  }
  report_free(rep);
  dec_free(dec);
}

/* Each kind of job, taken in order (with one passed over). */
static void test_jobs(void **state) {
  Fix *f = *state;
  char corpus_hash[17];
  {
    size_t n = 0;
    char *raw = test_read_file(CORPUS_FILE, &n);
    store_hash((const unsigned char *)raw, n, corpus_hash);
    free(raw);
  }
  enum { CORPUS, PLAIN, SKIPPED, MISSING, BINARY_WALKED, BINARY_NAMED, BIG, KNOWN_SAME,
         KNOWN_OTHER, PASSED_OVER, LAST, N_JOBS };
  PrefetchJob jobs[N_JOBS];
  memset(jobs, 0, sizeof jobs);
  jobs[CORPUS].path = CORPUS_FILE;
  jobs[PLAIN].path = f->plain;
  jobs[SKIPPED].path = f->plain;
  jobs[SKIPPED].skip = 1;
  jobs[MISSING].path = f->missing;
  jobs[BINARY_WALKED].path = f->binary;
  jobs[BINARY_WALKED].walked = 1;
  jobs[BINARY_NAMED].path = f->binary;
  jobs[BIG].path = f->big;
  jobs[KNOWN_SAME].path = CORPUS_FILE;
  jobs[KNOWN_SAME].known = 1;
  jobs[KNOWN_SAME].known_size = 0;
  memcpy(jobs[KNOWN_SAME].known_hash, corpus_hash, 17);
  jobs[KNOWN_OTHER] = jobs[KNOWN_SAME];
  jobs[KNOWN_OTHER].known_hash[0] = corpus_hash[0] == '0' ? '1' : '0';
  jobs[PASSED_OVER].path = f->plain;
  jobs[LAST].path = f->plain;
  {
    size_t n = 0;
    free(test_read_file(CORPUS_FILE, &n));
    jobs[KNOWN_SAME].known_size = jobs[KNOWN_OTHER].known_size = (int64_t)n;
  }

  Prefetch *pf = NULL;
  /* The big file is above the limit: left to the main thread (as pieces are). */
  assert_int_equal(prefetch_start(jobs, N_JOBS, NULL, 300 * 1024, &pf), JFTS_OK);
  PrefetchItem *it = prefetch_take(pf, CORPUS);
  assert_prepared_as_here(it, CORPUS_FILE);
  assert_true(it->rep->tagged);
  prefetch_item_free(it);
  it = prefetch_take(pf, PLAIN);
  assert_prepared_as_here(it, f->plain);
  prefetch_item_free(it);
  assert_null(prefetch_take(pf, SKIPPED));
  assert_null(prefetch_take(pf, MISSING));
  assert_null(prefetch_take(pf, BINARY_WALKED));
  assert_null(prefetch_take(pf, BINARY_NAMED)); /* decoding fails: the main thread says why */
  it = prefetch_take(pf, BIG);
  assert_null(it);
  it = prefetch_take(pf, KNOWN_SAME);
  assert_non_null(it);
  assert_true(it->known_same);
  assert_null(it->dec);
  assert_null(it->rep);
  assert_null(it->toks);
  assert_string_equal(it->hash, corpus_hash);
  prefetch_item_free(it);
  it = prefetch_take(pf, KNOWN_OTHER);
  assert_prepared_as_here(it, CORPUS_FILE);
  prefetch_item_free(it);
  /* PASSED_OVER is never taken: freed by the next take. */
  it = prefetch_take(pf, LAST);
  assert_prepared_as_here(it, f->plain);
  prefetch_item_free(it);
  assert_null(prefetch_take(pf, LAST)); /* already taken */
  assert_null(prefetch_take(pf, N_JOBS));
  prefetch_stop(pf);
  prefetch_stop(NULL);
  prefetch_item_free(NULL);
  assert_int_equal(jfts_alloc_live(), f->live_at_setup);
}

/* The big file is prepared when the limit allows it; a forced encoding decodes even a file
** the index holds with the same bytes (the main thread compares encodings). */
static void test_limits_and_encoding(void **state) {
  Fix *f = *state;
  PrefetchJob jobs[2];
  memset(jobs, 0, sizeof jobs);
  jobs[0].path = f->big;
  jobs[1].path = f->plain;
  jobs[1].known = 1;
  DecodedText *dec = NULL;
  Report *rep = NULL;
  prepare_here(f->plain, jobs[1].known_hash, &dec, &rep);
  jobs[1].known_size = 0;
  {
    size_t n = 0;
    free(test_read_file(f->plain, &n));
    jobs[1].known_size = (int64_t)n;
  }
  report_free(rep);
  dec_free(dec);
  Prefetch *pf = NULL;
  assert_int_equal(prefetch_start(jobs, 2, "UTF-8", 600 * 1024, &pf), JFTS_OK);
  PrefetchItem *it = prefetch_take(pf, 0);
  assert_non_null(it);
  assert_int_equal(it->n_raw, 600 * 1024);
  /* One 600 KB word: cut under 4 KB, each piece one token. */
  assert_true(it->rep->n_passages >= 150);
  assert_int_equal(tok_batch_count(it->toks), it->rep->n_passages);
  assert_int_equal(tok_batch_positions(it->toks, 0), 1);
  prefetch_item_free(it);
  it = prefetch_take(pf, 1);
  assert_non_null(it);
  assert_false(it->known_same);
  assert_non_null(it->dec);
  prefetch_item_free(it);
  prefetch_stop(pf);
  assert_int_equal(jfts_alloc_live(), f->live_at_setup);
}

/* Stopping with most jobs not taken (the worker waiting on its bound, or still working)
** frees everything; so does a run with no job. */
static void test_stop_early(void **state) {
  Fix *f = *state;
  enum { N = 300 };
  PrefetchJob *jobs = calloc(N, sizeof *jobs);
  for (size_t i = 0; i < N; i++) jobs[i].path = i % 2 ? f->plain : CORPUS_FILE;
  for (int round = 0; round < 3; round++) {
    Prefetch *pf = NULL;
    assert_int_equal(prefetch_start(jobs, N, NULL, (size_t)1 << 20, &pf), JFTS_OK);
    if (round > 0) {
      PrefetchItem *it = prefetch_take(pf, (size_t)round * 7);
      assert_non_null(it);
      prefetch_item_free(it);
    }
    if (round == 2) {
      struct timespec pause = {0, 20 * 1000 * 1000};
      nanosleep(&pause, NULL);
    }
    prefetch_stop(pf);
    assert_int_equal(jfts_alloc_live(), f->live_at_setup);
  }
  Prefetch *pf = NULL;
  assert_int_equal(prefetch_start(jobs, 0, NULL, 4096, &pf), JFTS_OK);
  assert_null(prefetch_take(pf, 0));
  prefetch_stop(pf);
  free(jobs);
  assert_int_equal(jfts_alloc_live(), f->live_at_setup);
}

/* Taking a job far ahead while the worker waits for room (its lead of 16 files full):
** the jobs passed over are released as they come, so neither thread waits for the other
** forever. An alarm turns a hang into a failure. */
static void test_skip_ahead(void **state) {
  Fix *f = *state;
  enum { N = 60 };
  PrefetchJob jobs[N];
  memset(jobs, 0, sizeof jobs);
  for (size_t i = 0; i < N; i++) jobs[i].path = f->plain;
  alarm(30);
  for (int round = 0; round < 2; round++) {
    Prefetch *pf = NULL;
    assert_int_equal(prefetch_start(jobs, N, NULL, 4096, &pf), JFTS_OK);
    struct timespec pause = {0, 100 * 1000 * 1000};
    nanosleep(&pause, NULL); /* the worker reaches its lead and waits */
    if (round == 1) prefetch_item_free(prefetch_take(pf, 0));
    static const size_t take[] = {20, 21, 45, N - 1};
    for (size_t k = 0; k < sizeof take / sizeof take[0]; k++) {
      PrefetchItem *it = prefetch_take(pf, take[k]);
      assert_non_null(it);
      assert_non_null(it->toks);
      prefetch_item_free(it);
    }
    assert_null(prefetch_take(pf, 30)); /* below one already taken */
    prefetch_stop(pf);
  }
  alarm(0);
  assert_int_equal(jfts_alloc_live(), f->live_at_setup);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_jobs),
      cmocka_unit_test(test_limits_and_encoding),
      cmocka_unit_test(test_stop_early),
      cmocka_unit_test(test_skip_ahead),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
