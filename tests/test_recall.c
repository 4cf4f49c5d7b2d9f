/* Full-pipeline oracle: the bundled corpus indexed by the real report parser and store, and
** random substrings of its passages searched through qry_parse and search_run. The set of
** passages found must equal the oracle's (normalized text, heading or label contains the
** query, skippable spaces skipped, Latin/digit ends on word boundaries), and the occurrence
** total must equal the oracle's count in the texts: recall and precision 1.000.
** JFTS_RECALL_SEED (a number, or "time") and JFTS_RECALL_QUERIES (default 1000) vary the run. */
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

#include "test_index.h"
#include "decode.h"
#include "jfts_common.h"
#include "norm.h"
#include "qparse.h"
#include "report.h"
#include "search.h"
#include "store.h"
#include "textseg.h"
#include "thesaurus.h"
#include "tokenizer.h"
#include "test_oracle.h"
#include "test_util.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

/* ---- the oracle's view of a field ------------------------------------------------------- */

/* The skeleton of a field (NULL: empty). */
static void skel_build(const char *text, TestSkel *out) {
  memset(out, 0, sizeof *out);
  if (text == NULL) return;
  NormText *t = NULL;
  assert_int_equal(norm_text(text, strlen(text), &t, NULL), JFTS_OK);
  test_skel_build(t, out);
  norm_free(t);
}

typedef struct OPassage {
  int64_t id;
  char *text;       /* repaired passage text */
  NormText *norm;   /* its normalization */
  uint8_t *brk;     /* per normalized code point (+1): 1 at a grapheme boundary */
  TestSkel text_s, heading_s, label_s;
} OPassage;

typedef struct Oracle {
  OPassage *p;
  size_t n, cap;
} Oracle;

/* Grapheme boundaries of the normalized text, through textseg on its UTF-8 form. */
static void mark_graphemes(OPassage *op) {
  const NormText *t = op->norm;
  char *u8 = malloc(t->n * 4 + 1);
  size_t *cp_at = malloc((t->n * 4 + 1) * sizeof *cp_at);
  op->brk = calloc(t->n + 1, 1);
  assert_true(u8 && cp_at && op->brk);
  size_t len = 0;
  for (size_t i = 0; i < t->n; i++) {
    uint32_t c = t->cp[i];
    size_t start = len;
    if (c < 0x80) {
      u8[len++] = (char)c;
    } else if (c < 0x800) {
      u8[len++] = (char)(0xC0 | (c >> 6));
      u8[len++] = (char)(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      u8[len++] = (char)(0xE0 | (c >> 12));
      u8[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
      u8[len++] = (char)(0x80 | (c & 0x3F));
    } else {
      u8[len++] = (char)(0xF0 | (c >> 18));
      u8[len++] = (char)(0x80 | ((c >> 12) & 0x3F));
      u8[len++] = (char)(0x80 | ((c >> 6) & 0x3F));
      u8[len++] = (char)(0x80 | (c & 0x3F));
    }
    for (size_t b = start; b < len; b++) cp_at[b] = i;
  }
  cp_at[len] = t->n;
  size_t *breaks = NULL, n_breaks = 0;
  assert_int_equal(seg_boundaries(SEG_GRAPHEME, u8, len, &breaks, &n_breaks, NULL), JFTS_OK);
  for (size_t k = 0; k < n_breaks; k++) op->brk[cp_at[breaks[k]]] = 1;
  jfts_free(breaks);
  free(u8);
  free(cp_at);
}

static int add_passage(void *ctx, const StorePassageRow *r) {
  Oracle *o = ctx;
  if (o->n == o->cap) {
    o->cap = o->cap ? 2 * o->cap : 256;
    o->p = realloc(o->p, o->cap * sizeof *o->p);
    assert_non_null(o->p);
  }
  OPassage *op = &o->p[o->n++];
  memset(op, 0, sizeof *op);
  op->id = r->id;
  op->text = strndup(r->text, r->n_text);
  assert_non_null(op->text);
  assert_int_equal(norm_text(op->text, r->n_text, &op->norm, NULL), JFTS_OK);
  mark_graphemes(op);
  skel_build(op->text, &op->text_s);
  skel_build(r->headings, &op->heading_s); /* what the index holds of the heading path */
  skel_build(r->label, &op->label_s);
  return JFTS_OK;
}

static void oracle_free(Oracle *o) {
  for (size_t i = 0; i < o->n; i++) {
    OPassage *op = &o->p[i];
    free(op->text);
    norm_free(op->norm);
    free(op->brk);
    test_skel_free(&op->text_s);
    test_skel_free(&op->heading_s);
    test_skel_free(&op->label_s);
  }
  free(o->p);
}

/* ---- the search side --------------------------------------------------------------------- */

typedef struct Found {
  int64_t *ids;
  size_t n, cap;
} Found;

static int found_add(void *ctx, const SearchResult *r) {
  Found *f = ctx;
  if (f->n == f->cap) {
    f->cap = f->cap ? 2 * f->cap : 64;
    f->ids = realloc(f->ids, f->cap * sizeof *f->ids);
    assert_non_null(f->ids);
  }
  f->ids[f->n++] = r->passage->id;
  return JFTS_OK;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void render_ids(const int64_t *ids, size_t n, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && len + 24 < cap; i++)
    len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? "," : "", (long long)ids[i]);
}

static uint64_t g_rng; /* test_rng_next's state */

/* 1 for a normalized code point a query may hold: text (word, Japanese) or a symbol. */
static int searchable(const NormText *t, size_t k) {
  return t->cls[k] == NORM_WORD || t->cls[k] == NORM_CJK ||
         (t->cls[k] == NORM_PUNCT && tok_is_symbol(t->cp[k]));
}

/* Index of the corpus texts searched: every passage's id, text and skeletons. */
static void oracle_load(Store *s, Oracle *o) {
  /* Every passage: a new database numbers them from 1 without gaps. */
  for (int64_t id = 1;; id++) {
    int found_it = 0;
    assert_int_equal(store_get_passage(s, id, add_passage, o, &found_it, NULL), JFTS_OK);
    if (!found_it) break;
  }
}

/* Searches q (normalized: qn) through qry_parse and search_run and checks the passages and
** the occurrence total against the oracle. Returns the number of passages expected; *one
** and *heading_only count what kind of query it was. */
static size_t check_query(Store *s, const Oracle *o, const char *q, size_t n_q, const NormText *qn,
                          int sort_doc, uint64_t seed, size_t done, size_t *heading_only) {
  static char got_s[1 << 16], want_s[1 << 16];
  int64_t *expect = malloc((o->n + 1) * sizeof *expect);
  assert_non_null(expect);
  size_t n_expect = 0;
  long occ = 0;
  for (size_t p = 0; p < o->n; p++) {
    long in_text = test_skel_count(&o->p[p].text_s, qn, 0);
    int in_other = test_skel_count(&o->p[p].heading_s, qn, 0) > 0 ||
                   test_skel_count(&o->p[p].label_s, qn, 0) > 0;
    if (in_text == 0 && !in_other) continue;
    expect[n_expect++] = o->p[p].id;
    occ += in_text;
    *heading_only += in_text == 0;
  }
  if (n_expect > 1) qsort(expect, n_expect, sizeof *expect, cmp_id);

  Query *query = NULL;
  char *err = NULL;
  int rc = qry_parse(q, n_q, &query, &err);
  if (rc != JFTS_OK) print_error("seed %llu: qry_parse('%.*s'): %s\n", (unsigned long long)seed,
                                 (int)n_q, q, err ? err : "?");
  assert_int_equal(rc, JFTS_OK);
  SearchOptions so = {.sort = sort_doc ? SEARCH_SORT_DOC : SEARCH_SORT_RANK, .limit = 0};
  SearchTotals totals;
  Found found = {NULL, 0, 0};
  rc = search_run(s, query, &so, found_add, &found, &totals, &err);
  if (rc != JFTS_OK) print_error("seed %llu: search '%.*s': %s\n", (unsigned long long)seed,
                                 (int)n_q, q, err ? err : "?");
  assert_int_equal(rc, JFTS_OK);
  if (found.n > 1) qsort(found.ids, found.n, sizeof *found.ids, cmp_id);
  render_ids(found.ids, found.n, got_s, sizeof got_s);
  render_ids(expect, n_expect, want_s, sizeof want_s);
  if (strcmp(got_s, want_s) != 0 || totals.n_occurrences != occ ||
      totals.n_passages != (long)n_expect) {
    print_error("oracle mismatch: seed %llu, query #%zu '%.*s'\n", (unsigned long long)seed,
                done, (int)n_q, q);
    print_error("  passages found: %s (%lld occurrences)\n  the oracle's:   %s (%ld)\n", got_s,
                (long long)totals.n_occurrences, want_s, occ);
  }
  assert_string_equal(got_s, want_s);
  assert_int_equal(totals.n_occurrences, occ);
  assert_int_equal(totals.n_passages, (long)n_expect);
  jfts_free(err);
  qry_free(query);
  free(found.ids);
  free(expect);
  return n_expect;
}

static void test_recall(void **state) {
  (void)state;
  /* Index the corpus as jfts-index does. */
  char path[64];
  test_temp_db(path, sizeof path, "recall");
  StoreFile as = {.path = "corpus/sendai-r3-jiritsushien.txt", .realpath = CORPUS_FILE};
  test_index_file(path, CORPUS_FILE, &as);
  Store *s = NULL;
  assert_int_equal(store_open(path, STORE_READ, &s, NULL), JFTS_OK);

  Oracle o = {NULL, 0, 0};
  oracle_load(s, &o);
  assert_true(o.n > 50);

  const char *seed_env = getenv("JFTS_RECALL_SEED");
  uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 4242u;
  if (seed_env && strcmp(seed_env, "time") == 0) seed = (uint64_t)time(NULL);
  const char *count_env = getenv("JFTS_RECALL_QUERIES");
  size_t want = count_env ? (size_t)strtoull(count_env, NULL, 10) : 1000;
  g_rng = seed * 2654435761u + 1;

  size_t done = 0, attempts = 0, with_hits = 0, one_char = 0, heading_only = 0;
  long total_expected = 0;
  Found found = {NULL, 0, 0};
  int64_t *expect = malloc(o.n * sizeof *expect);
  static char got_s[1 << 16], want_s[1 << 16];
  assert_non_null(expect);
  while (done < want) {
    assert_true(++attempts < want * 100);
    const OPassage *op = &o.p[test_rng_next(&g_rng) % o.n];
    const NormText *t = op->norm;
    if (t->n == 0) continue;
    size_t len = 1 + test_rng_next(&g_rng) % 8;
    size_t i = test_rng_next(&g_rng) % t->n, j = i + len;
    if (j > t->n || !op->brk[i] || !op->brk[j]) continue;
    /* Whole source chars only: a normalization segment (ｶﾞ, ㍻) is not split. */
    if (i > 0 && t->src_start[i] == t->src_start[i - 1]) continue;
    if (j < t->n && t->src_start[j] == t->src_start[j - 1]) continue;
    int clean = 1;
    for (size_t k = i; k < j; k++) clean &= searchable(t, k);
    if (!clean) continue;
    const char *q = op->text + t->src_start[i];
    size_t n_q = t->src_end[j - 1] - t->src_start[i];
    NormText *qn = NULL;
    assert_int_equal(norm_text(q, n_q, &qn, NULL), JFTS_OK);
    for (size_t k = 0; k < qn->n; k++) clean &= searchable(qn, k);
    if (!clean || qn->n == 0) {
      norm_free(qn);
      continue;
    }
    size_t n_expect = check_query(s, &o, q, n_q, qn, done % 2, seed, done, &heading_only);
    with_hits += n_expect > 0;
    one_char += qn->n == 1;
    total_expected += (long)n_expect;
    norm_free(qn);
    done++;
  }
  print_message("recall/precision 1.000: %zu queries (%zu one character, %zu with hits, %ld "
                "passages, %zu heading/label-only) over %zu passages, seed %llu\n",
                done, one_char, with_hits, total_expected, heading_only, o.n,
                (unsigned long long)seed);
  assert_true(with_hits * 2 >= done);

  /* With the shipped thesaurus, a query finds exactly the union of what its alternatives
  ** (the term and every variant) find, on terms that hold thesaurus entries and on the
  ** random substrings drawn above (replayed from the same seed). */
  Thesaurus *ths = NULL;
  assert_int_equal(ths_load(JFTS_DEFAULT_THESAURUS, &ths, NULL), JFTS_OK);
  static const char *const k_expanding[] = {
      "ウイルス", "コロナウイルス", "ハイブリッド", "障害", "障害者相談支援", "子ども",
      "ひきこもり", "オンライン", "オンライン開催", "取り組み", "自立協", "新型コロナウイルス感染症",
      "指定特定事業所", "地域生活拠点", "ハイブリット形式", "話し合い"};
  size_t n_expanding = sizeof k_expanding / sizeof *k_expanding, n_with_variants = 0;
  g_rng = seed * 2654435761u + 1;
  for (size_t qi = 0; qi < n_expanding + 200; qi++) {
    char buf[64];
    const char *q = NULL;
    size_t n_q = 0;
    if (qi < n_expanding) {
      q = k_expanding[qi];
      n_q = strlen(q);
    } else {
      const OPassage *op = &o.p[test_rng_next(&g_rng) % o.n];
      const NormText *t = op->norm;
      size_t len = 2 + test_rng_next(&g_rng) % 6;
      if (t->n < len) continue;
      size_t i = test_rng_next(&g_rng) % (t->n - len + 1);
      int clean = 1;
      for (size_t k = i; k < i + len; k++) clean &= t->cls[k] == NORM_CJK;
      if (!clean || t->src_end[i + len - 1] - t->src_start[i] >= sizeof buf) continue;
      n_q = t->src_end[i + len - 1] - t->src_start[i];
      memcpy(buf, op->text + t->src_start[i], n_q);
      q = buf;
    }
    Query *query = NULL;
    assert_int_equal(qry_parse(q, n_q, &query, NULL), JFTS_OK);
    assert_int_equal(ths_expand(ths, query, NULL, NULL, NULL), JFTS_OK);
    const QryTerm *term = &query->clauses[0].terms[0];
    n_with_variants += term->n_variants > 0;
    /* The oracle: any alternative in the text, heading or label. */
    NormText *alt[QRY_MAX_VARIANTS];
    size_t n_alt = 0;
    assert_int_equal(norm_text(term->text, term->n_bytes, &alt[n_alt++], NULL), JFTS_OK);
    for (size_t v = 0; v < term->n_variants; v++)
      assert_int_equal(norm_text(term->variants[v], strlen(term->variants[v]), &alt[n_alt++], NULL),
                       JFTS_OK);
    size_t n_expect = 0;
    for (size_t p = 0; p < o.n; p++) {
      int hit = 0;
      for (size_t a = 0; a < n_alt && !hit; a++)
        hit = test_skel_count(&o.p[p].text_s, alt[a], 0) > 0 ||
              test_skel_count(&o.p[p].heading_s, alt[a], 0) > 0 ||
              test_skel_count(&o.p[p].label_s, alt[a], 0) > 0;
      if (hit) expect[n_expect++] = o.p[p].id;
    }
    SearchOptions so = {.sort = SEARCH_SORT_DOC, .limit = 0};
    found.n = 0;
    assert_int_equal(search_run(s, query, &so, found_add, &found, NULL, NULL), JFTS_OK);
    if (found.n > 1) qsort(found.ids, found.n, sizeof *found.ids, cmp_id);
    render_ids(found.ids, found.n, got_s, sizeof got_s);
    render_ids(expect, n_expect, want_s, sizeof want_s);
    if (strcmp(got_s, want_s) != 0)
      print_error("expanded '%.*s' (%zu variants): found %s, the union of the oracles %s\n",
                  (int)n_q, q, term->n_variants, got_s, want_s);
    assert_string_equal(got_s, want_s);
    for (size_t a = 0; a < n_alt; a++) norm_free(alt[a]);
    qry_free(query);
  }
  assert_true(n_with_variants >= n_expanding);
  ths_free(ths);
  free(found.ids);
  free(expect);
  oracle_free(&o);
  store_close(s);
  unlink(path);
}

/* A char of a symbol query: a symbol token (％ ※ § #) or a Japanese-class char that is
** neither kana nor kanji (〒 ☎ ○ ～). */
static int symbol_like(const NormText *t, size_t k) {
  uint32_t c = t->cp[k];
  if (t->cls[k] == NORM_PUNCT) return tok_is_symbol(c);
  return t->cls[k] == NORM_CJK && !(c >= 0x3041 && c <= 0x30FF) && !(c >= 0x3400 && c <= 0x9FFF);
}

/* Symbol queries (issue 12): every substring of 1 to 6 chars of a fixture's passages that
** holds a symbol, alone or with the text around it, against the oracle. */
static void test_symbol_recall(void **state) {
  (void)state;
  char path[64];
  test_temp_db(path, sizeof path, "recall");
  const char *file = JFTS_TESTDATA "/search/symbols.txt";
  StoreFile as = {.path = "symbols.txt", .realpath = file};
  test_index_file(path, file, &as);
  Store *s = NULL;
  assert_int_equal(store_open(path, STORE_READ, &s, NULL), JFTS_OK);
  Oracle o = {NULL, 0, 0};
  oracle_load(s, &o);
  assert_true(o.n > 0);
  size_t done = 0, alone = 0, heading_only = 0;
  for (size_t p = 0; p < o.n; p++) {
    const OPassage *op = &o.p[p];
    const NormText *t = op->norm;
    for (size_t i = 0; i < t->n; i++) {
      for (size_t j = i + 1; j <= t->n && j <= i + 6; j++) {
        if (!searchable(t, j - 1)) break;
        if (!op->brk[i] || !op->brk[j]) continue;
        if (i > 0 && t->src_start[i] == t->src_start[i - 1]) continue;
        if (j < t->n && t->src_start[j] == t->src_start[j - 1]) continue;
        /* Not inside a word: 2％ in 112％ is no occurrence of the query 2％. */
        if (t->cls[i] == NORM_WORD && i > 0 && t->cls[i - 1] == NORM_WORD) continue;
        if (t->cls[j - 1] == NORM_WORD && j < t->n && t->cls[j] == NORM_WORD) continue;
        int any = 0, all = 1;
        for (size_t k = i; k < j; k++) any |= symbol_like(t, k), all &= symbol_like(t, k);
        if (!any) continue;
        const char *q = op->text + t->src_start[i];
        size_t n_q = t->src_end[j - 1] - t->src_start[i];
        NormText *qn = NULL;
        assert_int_equal(norm_text(q, n_q, &qn, NULL), JFTS_OK);
        int clean = qn->n > 0;
        for (size_t k = 0; k < qn->n; k++) clean &= searchable(qn, k);
        if (clean) {
          size_t n = check_query(s, &o, q, n_q, qn, done % 2, 0, done, &heading_only);
          assert_true(n > 0); /* drawn from the text */
          alone += all;
          done++;
        }
        norm_free(qn);
      }
    }
  }
  print_message("symbols: recall/precision 1.000 over %zu queries, %zu of symbols only\n", done,
                alone);
  assert_true(done > 60 && alone > 20);
  oracle_free(&o);
  store_close(s);
  unlink(path);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_recall),
      cmocka_unit_test(test_symbol_recall),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
