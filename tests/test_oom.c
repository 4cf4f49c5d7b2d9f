/* Out-of-memory tests (issue: hardening): each library operation is run with the Nth
** jfts_malloc failing, for N = 0, 1, 2, ... until it succeeds. Every failing run must return
** JFTS_ERR_NOMEM with its outputs NULL and nothing left allocated; the first run that
** succeeds must give the same result as a run without failures (no error silently dropped). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "jfts_common.h"
#include "match.h"
#include "qparse.h"
#include "report.h"
#include "test_util.h"
#include "thesaurus.h"

/* Larger than the allocation count of any operation here (the corpus report: a few thousand). */
#define OOM_MAX_N 200000

typedef struct Fixture {
  unsigned char *sjis; /* tests/data/decode/sample.sjis.txt */
  size_t n_sjis;
  char *corpus;        /* the bundled corpus, UTF-8 */
  size_t n_corpus;
  Query *query;        /* parsed once, for the matcher */
  char *ths;           /* the shipped thesaurus, query/thesaurus.txt */
  size_t n_ths;
} Fixture;

/* What one run of an operation produced. */
typedef struct Outcome {
  int rc;
  int out_not_null;    /* 1 when the operation failed but left an output set */
  char err[256];       /* its error message, if any */
  char result[512];    /* on success: the result rendered, to compare with the reference */
} Outcome;

/* The query of the qparse and match cases: a phrase, an OR group, full-width Latin, a term
** without searchable chars, and one-char Japanese terms (prefix marker), one excluded.
** As every allocation after the Nth fails too, a swallowed failure shows only when nothing
** after it needs memory: the result comparison catches that case (a prefix test that took
** out-of-memory for "no prefix" turned "泉" * into "泉" here). */
static const char k_query[] =
    "\"地域包括 支援センター\" web開催 OR オンライン 泉 ＩＧＡＳＵ 「」 -区";

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * UINT64_C(0x100000001b3);
  return h;
}
#define FNV_INIT UINT64_C(0xcbf29ce484222325)

static void take_error(Outcome *o, char *err) {
  snprintf(o->err, sizeof o->err, "%s", err ? err : "");
  jfts_free(err);
}

static void op_decode(const Fixture *fx, Outcome *o) {
  DecodedText *d = NULL;
  char *err = NULL;
  o->rc = dec_decode(fx->sjis, fx->n_sjis, NULL, &d, &err);
  if (o->rc == JFTS_OK) {
    uint64_t h = fnv(FNV_INIT, d->text, d->n_bytes);
    h = fnv(h, d->raw_offset, (d->n_bytes + 1) * sizeof *d->raw_offset);
    snprintf(o->result, sizeof o->result, "%s|%zu|%016llx", d->encoding, d->n_bytes,
             (unsigned long long)h);
  } else {
    o->out_not_null = d != NULL;
  }
  dec_free(d);
  take_error(o, err);
}

static void op_report(const Fixture *fx, Outcome *o) {
  Report *r = NULL;
  char *err = NULL;
  o->rc = report_parse(fx->corpus, fx->n_corpus, &r, &err);
  if (o->rc == JFTS_OK) {
    uint64_t h = FNV_INIT;
    for (size_t i = 0; i < r->n_passages; i++) {
      const Passage *p = &r->passages[i];
      h = fnv(h, p->body.text, p->body.n_bytes);
      if (p->heading) h = fnv(h, p->heading, strlen(p->heading));
      if (p->ward) h = fnv(h, p->ward, strlen(p->ward));
    }
    for (size_t i = 0; i < r->n_meetings; i++)
      if (r->meetings[i].meeting) h = fnv(h, r->meetings[i].meeting, strlen(r->meetings[i].meeting));
    snprintf(o->result, sizeof o->result, "%zu docs|%zu passages|%zu meetings|%zu labels|%016llx",
             r->n_docs, r->n_passages, r->n_meetings, r->n_labels, (unsigned long long)h);
  } else {
    o->out_not_null = r != NULL;
  }
  report_free(r);
  take_error(o, err);
}

/* qry_parse, a synonym variant on the first term, then qry_build_match. */
static void op_qparse(const Fixture *fx, Outcome *o) {
  (void)fx;
  Query *q = NULL;
  char *match = NULL;
  char *err = NULL;
  o->rc = qry_parse(k_query, strlen(k_query), &q, &err);
  if (o->rc != JFTS_OK) o->out_not_null = q != NULL;
  if (o->rc == JFTS_OK) {
    static const char variant[] = "地域包括支援 センター";
    o->rc = qry_term_add_variant(&q->clauses[0].terms[0], variant, strlen(variant), &err);
  }
  if (o->rc == JFTS_OK) {
    o->rc = qry_build_match(q, &match, &err);
    if (o->rc != JFTS_OK) o->out_not_null = match != NULL;
  }
  if (o->rc == JFTS_OK)
    snprintf(o->result, sizeof o->result, "%s|notes:%zu", match, qry_note_count(q));
  jfts_free(match);
  qry_free(q);
  take_error(o, err);
}

/* match_new on the parsed query, then match_find over the whole corpus. */
static void op_match(const Fixture *fx, Outcome *o) {
  Matcher *m = NULL;
  MatchSpan *spans = NULL;
  size_t n_spans = 0;
  char *err = NULL;
  o->rc = match_new(fx->query, &m, &err);
  if (o->rc != JFTS_OK) o->out_not_null = m != NULL;
  if (o->rc == JFTS_OK) {
    o->rc = match_find(m, fx->corpus, fx->n_corpus, &spans, &n_spans, &err);
    if (o->rc != JFTS_OK) o->out_not_null = spans != NULL;
  }
  if (o->rc == JFTS_OK) {
    uint64_t h = FNV_INIT;
    for (size_t i = 0; i < n_spans; i++) {
      size_t v[4] = {spans[i].start_byte, spans[i].end_byte, (size_t)spans[i].clause,
                     (size_t)spans[i].term};
      h = fnv(h, v, sizeof v);
    }
    snprintf(o->result, sizeof o->result, "%zu spans|adjacent %d|%016llx", n_spans,
             match_adjacent_in_order(m, spans, n_spans), (unsigned long long)h);
  }
  jfts_free(spans);
  match_free(m);
  take_error(o, err);
}

/* ths_parse of the shipped thesaurus, then the alternatives of one of its groups' members. */
static void op_thesaurus(const Fixture *fx, Outcome *o) {
  Thesaurus *ths = NULL;
  const char **alts = NULL;
  size_t n_alts = 0;
  char *err = NULL;
  o->rc = ths_parse("thesaurus.txt", fx->ths, fx->n_ths, &ths, &err);
  if (o->rc != JFTS_OK) o->out_not_null = ths != NULL;
  if (o->rc == JFTS_OK) {
    static const char entry[] = "ウイルス";
    o->rc = ths_alternatives(ths, entry, strlen(entry), &alts, &n_alts, &err);
    if (o->rc != JFTS_OK) o->out_not_null = alts != NULL;
  }
  if (o->rc == JFTS_OK) {
    int k = snprintf(o->result, sizeof o->result, "%zu entries|", ths_entry_count(ths));
    for (size_t i = 0; i < n_alts && k > 0 && (size_t)k < sizeof o->result; i++)
      k += snprintf(o->result + k, sizeof o->result - (size_t)k, "%s,", alts[i]);
  }
  jfts_free(alts);
  ths_free(ths);
  take_error(o, err);
}

typedef void (*OomOp)(const Fixture *fx, Outcome *o);

/* Runs op with the Nth allocation failing for N = 0, 1, ... and checks each run. */
static void run_oom(const Fixture *fx, const char *name, OomOp op) {
  Outcome want;
  memset(&want, 0, sizeof want);
  /* Warm-up: ICU loads its data and caches on first use, outside our allocator. */
  long live0 = jfts_alloc_live();
  op(fx, &want);
  if (want.rc != JFTS_OK) fail_msg("%s: fails without injection: rc %d: %s", name, want.rc,
                                   want.err);
  if (jfts_alloc_live() != live0)
    fail_msg("%s: %ld allocations left after a normal run", name, jfts_alloc_live() - live0);

  for (long n = 0; n <= OOM_MAX_N; n++) {
    Outcome got;
    memset(&got, 0, sizeof got);
    long before = jfts_alloc_live();
    jfts_alloc_fail_after(n);
    op(fx, &got);
    jfts_alloc_fail_after(-1);
    long leaked = jfts_alloc_live() - before;
    if (leaked != 0)
      fail_msg("%s: N=%ld: %ld allocations leaked (rc %d)", name, n, leaked, got.rc);
    if (got.rc == JFTS_OK) {
      if (strcmp(got.result, want.result) != 0)
        fail_msg("%s: N=%ld: succeeded with a different result:\n  got  %s\n  want %s", name, n,
                 got.result, want.result);
      print_message("[   OOM    ] %s: every failing allocation handled; succeeds from N=%ld\n",
                    name, n);
      return;
    }
    if (got.rc != JFTS_ERR_NOMEM)
      fail_msg("%s: N=%ld: rc %d ('%s') instead of JFTS_ERR_NOMEM", name, n, got.rc, got.err);
    if (got.out_not_null) fail_msg("%s: N=%ld: output set although it failed", name, n);
  }
  fail_msg("%s: still failing after %d allocations", name, OOM_MAX_N);
}

static void test_decode_sjis(void **state) { run_oom(*state, "dec_decode(Shift_JIS)", op_decode); }
static void test_report_corpus(void **state) { run_oom(*state, "report_parse(corpus)", op_report); }
static void test_qparse(void **state) { run_oom(*state, "qry_parse+qry_build_match", op_qparse); }
static void test_match(void **state) { run_oom(*state, "match_new+match_find", op_match); }
static void test_thesaurus(void **state) {
  run_oom(*state, "ths_parse+ths_alternatives", op_thesaurus);
}

static int setup(void **state) {
  Fixture *fx = calloc(1, sizeof *fx);
  if (fx == NULL) return -1;
  fx->sjis =
      (unsigned char *)test_read_file(JFTS_TESTDATA "/decode/sample.sjis.txt", &fx->n_sjis);
  fx->corpus = test_read_file(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", &fx->n_corpus);
  fx->ths = test_read_file(JFTS_TESTDATA "/../../query/thesaurus.txt", &fx->n_ths);
  char *err = NULL;
  if (qry_parse(k_query, strlen(k_query), &fx->query, &err) != JFTS_OK) {
    fprintf(stderr, "cannot parse the query: %s\n", err ? err : "");
    jfts_free(err);
    return -1;
  }
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  Fixture *fx = *state;
  qry_free(fx->query);
  free(fx->sjis);
  free(fx->corpus);
  free(fx->ths);
  free(fx);
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_decode_sjis),
      cmocka_unit_test(test_report_corpus),
      cmocka_unit_test(test_qparse),
      cmocka_unit_test(test_match),
      cmocka_unit_test(test_thesaurus),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
