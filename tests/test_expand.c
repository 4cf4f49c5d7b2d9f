/* Tests of query expansion against the index (query/expand.c): the parts of a word (function
** words out, affixes dropped, numbers kept with their counter, katakana runs whole), when a
** word is searched as its parts (found nowhere, or far less often than its rarest part; never
** a phrase, an excluded word or a word with related topics of its own), the related layer
** applied to the parts, and the text of the missing and via fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_index.h"
#include "test_util.h"
#include "expand.h"
#include "jfts_common.h"
#include "qparse.h"
#include "thesaurus.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

typedef struct Fixture {
  char path[64];
  Store *store;
  Thesaurus *rel;
} Fixture;

static const char k_related[] = "防災 => 災害時要援護者\n"
                                "進路 => 移行期, 成人期\n"
                                "ワンストップ相談 => 丸ごと相談\n"
                                "親 => 家族, 8050\n"
                                "ひきこもり => 8050\n"
                                "支援 => 丸ごと相談\n";

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  assert_non_null(f);
  test_temp_db(f->path, sizeof f->path, "expand");
  StoreFile as = {.path = "corpus/sendai-r3-jiritsushien.txt", .realpath = CORPUS_FILE};
  test_index_file(f->path, CORPUS_FILE, &as);
  assert_int_equal(store_open(f->path, STORE_READ, &f->store, NULL), JFTS_OK);
  assert_int_equal(ths_parse("related", k_related, sizeof k_related - 1, &f->rel, NULL), JFTS_OK);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  store_close(f->store);
  ths_free(f->rel);
  unlink(f->path);
  free(f);
  return 0;
}

/* The parts of words, joined by '|'; with_rel: with the fixture's related layer. */
static void test_parts(void **state) {
  Fixture *f = *state;
  static const struct {
    const char *name, *word, *expect;
    int with_rel;
  } cases[] = {
      {"particle の", "卒業後の進路", "卒業|進路", 0},
      {"number keeps its counter", "65歳問題", "65歳|問題", 0},
      {"katakana run stays whole", "ワンストップ相談", "ワンストップ|相談", 0},
      {"particles へ の を", "障害への理解を広める", "障害|理解|広める", 0},
      {"affixes 者 化 dropped", "障害者高齢化", "障害|高齢", 0},
      {"に関する and について cut", "障害者に関する研修について", "障害|研修", 0},
      {"との", "学校との連携", "学校|連携", 0},
      {"compound", "地域包括支援センター", "地域|包括|支援|センター", 0},
      {"one katakana word", "ケースレビュー", "ケースレビュー", 0},
      {"Latin and kanji", "IGASU会議", "IGASU|会議", 0},
      {"only particles", "について", "", 0},
      {"auxiliary たい dropped", "働きたい", "働き", 0},
      {"light verb できる dropped", "相談できる場所", "相談|場所", 0},
      {"ある after の dropped", "障害のある子ども", "障害|子ども", 0},
      {"したら dropped", "学校を卒業したら", "学校|卒業", 0},
      {"formal noun とき dropped", "災害のとき", "災害", 0},
      {"one-char prefix joins the next part", "地域の見守り", "地域|見守り", 0},
      {"a run of one-char pieces is one part", "親が亡くなった後", "亡くなった後", 0},
      {"the same, a lone char with a rule kept", "親が亡くなった後", "親|亡くなった後", 1},
      {"a trailing lone kana dropped", "会議をしたい", "会議", 0},
      {"a lone kana before a word dropped", "長期的な計画", "長期|計画", 0},
      {"an honorific dropped", "ご家族の支援", "家族|支援", 0},
      {"a predicate dropped", "支援が必要な人", "支援", 0},
      {"ICU cuts a hiragana word", "ひきこもりの人", "ひき", 0},
      {"a word with a rule stays whole", "ひきこもりの人", "ひきこもり", 1},
      {"an affix after a kept word dropped", "ひきこもり者の支援", "ひきこもり|支援", 1},
      {"one char alone, no rule: dropped", "高齢の親", "高齢", 0},
      {"one char alone with a rule: kept", "高齢の親", "高齢|親", 1},
      {"a rule keeps no affix", "障害者高齢化", "障害|高齢", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char **parts = NULL, got[256] = "";
    size_t n = 0, len = 0;
    const Thesaurus *rel = cases[i].with_rel ? f->rel : NULL;
    assert_int_equal(expand_parts(cases[i].word, strlen(cases[i].word), rel, &parts, &n, NULL),
                     JFTS_OK);
    for (size_t k = 0; k < n; k++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", k ? "|" : "", parts[k]);
    expand_parts_free(parts, n);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
}

/* A query as searched: qry_render, then per positive term its related texts in brackets. */
static void describe(const Query *q, char *buf, size_t n) {
  char *r = qry_render(q);
  assert_non_null(r);
  size_t len = (size_t)snprintf(buf, n, "%s", r);
  jfts_free(r);
  for (size_t c = 0; c < q->n_clauses; c++)
    for (size_t t = 0; t < q->clauses[c].n_terms; t++) {
      const QryTerm *term = &q->clauses[c].terms[t];
      for (size_t k = 0; k < term->n_related; k++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s", k ? "," : " [", term->related[k]);
      if (term->n_related) len += (size_t)snprintf(buf + len, n - len, "]");
    }
}

static void test_split(void **state) {
  Fixture *f = *state;
  static const struct {
    const char *name, *query, *expect;
    int split;
  } cases[] = {
      {"found nowhere: its parts", "卒業後の進路", "卒業 進路 [移行期,成人期]", 1},
      {"far rarer than its parts", "障害者高齢化", "障害 高齢", 1},
      {"as often as its parts: kept", "地域包括支援センター", "地域包括支援センター", 0},
      {"found often: kept, and no related texts", "支援", "支援", 0},
      {"a phrase is never split", "\"卒業後の進路\"", "\"卒業後の進路\"", 0},
      {"an excluded word is never split", "連携 -卒業後の進路", "連携 -卒業後の進路", 0},
      {"an OR group is never split", "卒業後の進路 OR 連携", "卒業後の進路 OR 連携", 0},
      {"related of its own: kept", "ワンストップ相談", "ワンストップ相談 [丸ごと相談]", 0},
      {"related, found nowhere", "防災", "防災 [災害時要援護者]", 0},
      {"split among other words", "連携 卒業後の進路", "連携 卒業 進路 [移行期,成人期]", 1},
      {"a lone char with a rule is a part", "高齢の親", "高齢 親 [家族,8050]", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Query *q = NULL, *out = NULL;
    int split = -1;
    char got[512];
    assert_int_equal(qry_parse(cases[i].query, strlen(cases[i].query), &q, NULL), JFTS_OK);
    ExpandOptions o = {.related = f->rel};
    assert_int_equal(expand_query(f->store, q, &o, &out, &split, NULL), JFTS_OK);
    describe(out, got, sizeof got);
    if (strcmp(got, cases[i].expect) != 0 || split != cases[i].split)
      print_error("case '%s': split %d\n", cases[i].name, split);
    assert_string_equal(got, cases[i].expect);
    assert_int_equal(split, cases[i].split);
    /* no_split keeps every word; the related layer still applies to whole words. */
    qry_free(out);
    o.no_split = 1;
    assert_int_equal(expand_query(f->store, q, &o, &out, &split, NULL), JFTS_OK);
    assert_int_equal(split, 0);
    assert_int_equal(out->n_clauses, q->n_clauses);
    qry_free(out);
    qry_free(q);
  }
}

/* A word the text writes, but far less often than its one part (高齢化: 高齢 in many more
** passages), is kept with the part as its variant: not split, so the passages holding the
** word itself rank first (search.h's exact). Found nowhere, the word is replaced. */
static void test_one_part(void **state) {
  Fixture *f = *state;
  static const struct {
    const char *query, *text, *variant;
    int split;
  } cases[] = {
      {"高齢化", "高齢化", "高齢", 0},
      {"研修化", "研修", NULL, 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Query *q = NULL, *out = NULL;
    int split = -1;
    assert_int_equal(qry_parse(cases[i].query, strlen(cases[i].query), &q, NULL), JFTS_OK);
    ExpandOptions o = {.related = f->rel};
    assert_int_equal(expand_query(f->store, q, &o, &out, &split, NULL), JFTS_OK);
    assert_int_equal(out->n_clauses, 1);
    const QryTerm *t = &out->clauses[0].terms[0];
    assert_string_equal(t->text, cases[i].text);
    assert_int_equal(split, cases[i].split);
    if (cases[i].variant) {
      assert_int_equal(t->n_variants, 1);
      assert_string_equal(t->variants[0], cases[i].variant);
    } else {
      assert_int_equal(t->n_variants, 0);
    }
    qry_free(out);
    qry_free(q);
  }
}

/* The other inflected form of a verb, as a variant (with a thesaurus; not for a phrase):
** query, the variants of its term joined by '|'. */
static void test_inflections(void **state) {
  Fixture *f = *state;
  static const struct {
    const char *query, *variants;
  } cases[] = {
      {"出向く", "出向き"},   {"出向き", "出向く"}, {"広める", "広め"}, {"見る", "見り"},
      {"課題", ""},           {"\"出向く\"", ""},  {"ひきこもり", ""},  {"ＡＢく", ""},
  };
  static const char k_ths[] = "無関係, 別語\n";
  Thesaurus *ths = NULL;
  assert_int_equal(ths_parse("ths", k_ths, sizeof k_ths - 1, &ths, NULL), JFTS_OK);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Query *q = NULL, *out = NULL;
    assert_int_equal(qry_parse(cases[c].query, strlen(cases[c].query), &q, NULL), JFTS_OK);
    ExpandOptions o = {.ths = ths, .no_split = 1};
    assert_int_equal(expand_query(f->store, q, &o, &out, NULL, NULL), JFTS_OK);
    const QryTerm *t = &out->clauses[0].terms[0];
    char got[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < t->n_variants; i++)
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%s", i ? "|" : "", t->variants[i]);
    if (strcmp(got, cases[c].variants) != 0) print_error("query %s\n", cases[c].query);
    assert_string_equal(got, cases[c].variants);
    qry_free(out);
    qry_free(q);
  }
  ths_free(ths);
}

/* The alternatives' cap (expand.h): a term keeps its variants, then its related texts, up to
** EXPAND_MAX_ALTS of them and EXPAND_MAX_ALT_BYTES bytes, and each term capped gets a note.
** Alternatives are texts of len chars (a distinct prefix, then い), n_var variants and n_rel
** related texts; expect: variants and related texts kept, and the note (or "" for none). */
static void test_cap(void **state) {
  Fixture *f = *state;
  static const struct {
    size_t n_var, n_rel, len, kept_var, kept_rel;
    const char *note;
  } cases[] = {
      {10, 10, 20, 10, 10, ""},
      {62, 0, 200, 6, 0, "expansion of '連絡調整' capped at 4096 bytes of alternatives (kept 6 of 62)"},
      {3, 40, 200, 3, 3, "expansion of '連絡調整' capped at 4096 bytes of alternatives (kept 6 of 43)"},
      {40, 40, 6, 40, 24, "expansion of '連絡調整' capped at 64 alternatives (kept 64 of 80)"},
      {63, 63, 3, 63, 1, "expansion of '連絡調整' capped at 64 alternatives (kept 64 of 126)"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    Query *q = NULL, *out = NULL;
    assert_int_equal(qry_parse("連絡調整", strlen("連絡調整"), &q, NULL), JFTS_OK);
    QryTerm *t = &q->clauses[0].terms[0];
    for (size_t i = 0; i < cases[c].n_var + cases[c].n_rel; i++) {
      char alt[1024];
      int n = snprintf(alt, sizeof alt, "%c%03zu", 'a' + (int)(i % 26), i);
      for (size_t k = 4; k < cases[c].len && n + 3 < (int)sizeof alt; k++)
        n += snprintf(alt + n, sizeof alt - (size_t)n, "い");
      int rc = i < cases[c].n_var ? qry_term_add_variant(t, alt, (size_t)n, NULL)
                                  : qry_term_add_related(t, alt, (size_t)n, NULL);
      assert_int_equal(rc, JFTS_OK);
    }
    char **notes = NULL;
    size_t n_notes = 0;
    ExpandOptions o = {.no_split = 1, .notes_io = &notes, .n_notes_io = &n_notes};
    assert_int_equal(expand_query(f->store, q, &o, &out, NULL, NULL), JFTS_OK);
    const QryTerm *ot = &out->clauses[0].terms[0];
    size_t bytes = 0;
    for (size_t i = 0; i < ot->n_variants; i++) bytes += strlen(ot->variants[i]);
    for (size_t i = 0; i < ot->n_related; i++) bytes += strlen(ot->related[i]);
    if (ot->n_variants != cases[c].kept_var || ot->n_related != cases[c].kept_rel)
      print_error("case %zu: kept %zu variants, %zu related\n", c, ot->n_variants,
                  ot->n_related);
    assert_int_equal(ot->n_variants, cases[c].kept_var);
    assert_int_equal(ot->n_related, cases[c].kept_rel);
    assert_true(bytes <= EXPAND_MAX_ALT_BYTES);
    /* the kept ones are the first ones, in order */
    if (ot->n_variants) assert_string_equal(ot->variants[0], t->variants[0]);
    if (ot->n_related) assert_string_equal(ot->related[0], t->related[0]);
    assert_string_equal(n_notes ? notes[0] : "", cases[c].note);
    assert_true(n_notes <= 1);
    ths_warnings_free(notes, n_notes);
    qry_free(out);
    qry_free(q);
  }
}

/* missing and via as JSON and as text. */
static void test_render(void **state) {
  (void)state;
  Query *q = NULL;
  static const char text[] = "高齢 連携 -コロナ";
  assert_int_equal(qry_parse(text, sizeof text - 1, &q, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_variant(&q->clauses[0].terms[0], "高年", 6, NULL), JFTS_OK);
  assert_int_equal(qry_term_add_related(&q->clauses[0].terms[0], "地域包括", 12, NULL), JFTS_OK);
  char *s = expand_missing(q, UINT64_C(3) | UINT64_C(4), 1); /* the excluded one is skipped */
  assert_string_equal(s, "[\"高齢\",\"連携\"]");
  jfts_free(s);
  s = expand_missing(q, UINT64_C(2), 0);
  assert_string_equal(s, "連携");
  jfts_free(s);
  s = expand_missing(q, 0, 1);
  assert_string_equal(s, "[]");
  jfts_free(s);
  MatchSpan spans[] = {
      {.clause = 0, .term = 0, .variant = 1}, /* related 地域包括 */
      {.clause = 0, .term = 0, .variant = 0}, /* spelling variant: not a related topic */
      {.clause = 1, .term = 0, .variant = -1},
      {.clause = 0, .term = 0, .variant = 1}, /* the same expansion again */
  };
  s = expand_via(q, spans, 4, 1);
  assert_string_equal(s, "[\"高齢 => 地域包括\"]");
  jfts_free(s);
  s = expand_via(q, spans + 1, 2, 0);
  assert_string_equal(s, "");
  jfts_free(s);
  qry_free(q);
}

/* Out of memory at every allocation of expand_query (split, variants, related): the error
** comes back, nothing is left allocated, and the first run that succeeds equals a normal run. */
static void test_out_of_memory(void **state) {
  Fixture *f = *state;
  Thesaurus *ths = NULL;
  static const char variants[] = "障害, 障がい\n";
  assert_int_equal(ths_parse("variants", variants, sizeof variants - 1, &ths, NULL), JFTS_OK);
  static const char text[] = "卒業後の進路 障がい者高齢化 防災 高齢の親 -連携";
  Query *q = NULL, *out = NULL;
  assert_int_equal(qry_parse(text, sizeof text - 1, &q, NULL), JFTS_OK);
  ExpandOptions o = {.ths = ths, .related = f->rel};
  char want[512], got[512];
  assert_int_equal(expand_query(f->store, q, &o, &out, NULL, NULL), JFTS_OK);
  describe(out, want, sizeof want);
  qry_free(out);
  int done = 0;
  for (long n = 0; n < 100000 && !done; n++) {
    long live = jfts_alloc_live();
    char *err = NULL;
    out = NULL;
    jfts_alloc_fail_after(n);
    int rc = expand_query(f->store, q, &o, &out, NULL, &err);
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_OK) {
      describe(out, got, sizeof got);
      assert_string_equal(got, want);
      qry_free(out);
      done = 1;
    } else {
      if (rc != JFTS_ERR_NOMEM || out != NULL) fail_msg("n %ld: rc %d: %s", n, rc, err ? err : "");
    }
    jfts_free(err);
    if (jfts_alloc_live() != live) fail_msg("n %ld: %ld allocations left", n, jfts_alloc_live() - live);
  }
  assert_true(done);
  qry_free(q);
  ths_free(ths);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parts),
      cmocka_unit_test(test_split),
      cmocka_unit_test(test_one_part),
      cmocka_unit_test(test_render),
      cmocka_unit_test(test_cap),
      cmocka_unit_test(test_inflections),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
