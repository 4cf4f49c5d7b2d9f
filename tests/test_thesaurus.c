/* Tests of the thesaurus: the synonym file syntax (both rule forms, comments, escapes, errors
** with line numbers), expansion of parsed queries rendered as variants and as the FTS5 MATCH
** string (containment, combinations, the cap and its warning, phrases, normalization,
** excluded clauses), the shipped file, what expansion finds in the bundled corpus, the
** alternatives of an entry, and a generated group of 100,000 variants. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "match.h"
#include "qparse.h"
#include "report.h"
#include "thesaurus.h"
#include "test_util.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

static Thesaurus *parse_ok(const char *name, const char *text) {
  Thesaurus *ths = NULL;
  char *err = NULL;
  int rc = ths_parse("t.txt", text, strlen(text), &ths, &err);
  if (rc != JFTS_OK) fail_msg("case '%s': ths_parse = %d: %s", name, rc, err ? err : "");
  return ths;
}

/* Renders every term of q as "text=v1,v2" (terms '|'-joined, excluded ones prefixed '-'). */
static void render_variants(const Query *q, char *out, size_t cap) {
  size_t k = 0;
  out[0] = '\0';
  for (size_t c = 0; c < q->n_clauses; c++) {
    for (size_t t = 0; t < q->clauses[c].n_terms; t++) {
      const QryTerm *term = &q->clauses[c].terms[t];
      k += (size_t)snprintf(out + k, cap - k, "%s%s%s=", k ? "|" : "",
                            q->clauses[c].excluded ? "-" : "", term->text);
      for (size_t v = 0; v < term->n_variants && k < cap; v++)
        k += (size_t)snprintf(out + k, cap - k, "%s%s", v ? "," : "", term->variants[v]);
      if (k >= cap) fail_msg("render buffer too small");
    }
  }
}

/* Parses query, expands it with ths and renders the variants, the warnings and the MATCH. */
static void expand(const char *name, const Thesaurus *ths, const char *query, char *variants,
                   size_t cap, char *warnings, size_t cap_w, char **match_out) {
  Query *q = NULL;
  char *err = NULL;
  char **w = NULL;
  size_t n_w = 0;
  if (qry_parse(query, strlen(query), &q, &err) != JFTS_OK)
    fail_msg("case '%s': qry_parse: %s", name, err);
  int rc = ths_expand(ths, q, &w, &n_w, &err);
  if (rc != JFTS_OK) fail_msg("case '%s': ths_expand = %d: %s", name, rc, err ? err : "");
  render_variants(q, variants, cap);
  size_t k = 0;
  warnings[0] = '\0';
  for (size_t i = 0; i < n_w; i++)
    k += (size_t)snprintf(warnings + k, cap_w - k, "%s%s", i ? "|" : "", w[i]);
  ths_warnings_free(w, n_w);
  if (match_out && qry_build_match(q, match_out, &err) != JFTS_OK)
    fail_msg("case '%s': qry_build_match: %s", name, err);
  qry_free(q);
}

static void test_syntax(void **state) {
  (void)state;
  static const struct {
    const char *name, *file, *query, *expect;
  } cases[] = {
      {"equivalents", "ウイルス, ウィルス\n", "ウイルス", "ウイルス=ウィルス"},
      {"equivalents both ways", "ウイルス, ウィルス\n", "ウィルス", "ウィルス=ウイルス"},
      {"three equivalents", "障害, 障がい, 障碍", "障碍", "障碍=障害,障がい"},
      {"one-way", "オンライン => リモート, Web開催\n", "オンライン", "オンライン=リモート,Web開催"},
      {"one-way does not go back", "オンライン => リモート, Web開催\n", "リモート", "リモート="},
      {"list on the left", "ハイブリッド, ハイブリット => オンライン\n", "ハイブリット",
       "ハイブリット=オンライン"},
      {"comments and blank lines",
       "# variants\n\n   \t\n障害, 障がい # the same word\n  # indented comment\n", "障害",
       "障害=障がい"},
      {"escaped comma and hash", "C\\#, シーシャープ\n1\\,000人, 千人\n", "c# 1,000人",
       "c#=シーシャープ|1,000人=千人"},
      {"ideographic spaces trimmed", "\xE3\x80\x80障害\xE3\x80\x80,\xE3\x80\x80障がい\n", "障害",
       "障害=障がい"},
      {"inner spaces kept", "Web 会議, ウェブ会議\n", "ウェブ会議", "ウェブ会議=Web 会議"},
      {"CRLF and BOM", "\xEF\xBB\xBF障害, 障がい\r\nウイルス, ウィルス\r\n", "障害 ウイルス",
       "障害=障がい|ウイルス=ウィルス"},
      {"rules on several lines add up", "障害, 障がい\n障害 => 障碍\n", "障害 障がい",
       "障害=障がい,障碍|障がい=障害"},
      {"spellings with the same normalized form merge", "Web会議, WEB会議, ウェブ会議\n",
       "web会議 ウェブ会議", "web会議=ウェブ会議|ウェブ会議=Web会議"},
      {"self-reference ignored", "障害 => 障害, 障がい\n", "障害", "障害=障がい"},
      {"no entry in the term", "障害, 障がい\n", "支援", "支援="},
  };
  char got[1024], warn[256];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Thesaurus *ths = parse_ok(cases[i].name, cases[i].file);
    expand(cases[i].name, ths, cases[i].query, got, sizeof got, warn, sizeof warn, NULL);
    ths_free(ths);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
  }
}

static void test_syntax_errors(void **state) {
  (void)state;
  static const struct {
    const char *name, *file, *expect;
  } cases[] = {
      {"single term", "障害\n", "t.txt:1: expected 'a, b' or 'a => b'"},
      {"line number", "# c\nウイルス, ウィルス\n\n障害\n", "t.txt:4: expected 'a, b' or 'a => b'"},
      {"Japanese comma is not a separator", "障害、障がい\n",
       "t.txt:1: expected 'a, b' or 'a => b'"},
      {"empty term", "a, , b\n", "t.txt:1: expected 'a, b' or 'a => b'"},
      {"trailing comma", "a, b,\n", "t.txt:1: expected 'a, b' or 'a => b'"},
      {"empty left side", "=> b\n", "t.txt:1: expected 'a, b' or 'a => b'"},
      {"empty right side", "x, y\na =>  # nothing\n", "t.txt:2: expected 'a, b' or 'a => b'"},
      {"two arrows", "a => b => c\n", "t.txt:1: expected 'a, b' or 'a => b'"},
      {"punctuation only", "\n「」, 括弧\n", "t.txt:2: '「」' has no searchable characters"},
      {"invalid UTF-8", "a, b\nc, \xff\n", "t.txt:2: invalid UTF-8"},
      {"NUL byte", "a, b\0c\n", "t.txt:1: invalid UTF-8"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Thesaurus *ths = NULL;
    char *err = NULL;
    size_t n = strlen(cases[i].file);
    if (strcmp(cases[i].name, "NUL byte") == 0) n = 7;
    int rc = ths_parse("t.txt", cases[i].file, n, &ths, &err);
    if (rc != JFTS_ERR_INPUT || ths != NULL)
      fail_msg("case '%s': rc %d, expected JFTS_ERR_INPUT and no thesaurus", cases[i].name, rc);
    if (err == NULL || strcmp(err, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, err ? err : "(none)",
               cases[i].expect);
    jfts_free(err);
  }
}

static void test_load_errors(void **state) {
  (void)state;
  Thesaurus *ths = NULL;
  char *err = NULL;
  assert_int_equal(ths_load("/nonexistent/thesaurus.txt", &ths, &err), JFTS_ERR_IO);
  assert_null(ths);
  assert_string_equal(err, "cannot read '/nonexistent/thesaurus.txt': No such file or directory");
  jfts_free(err);
  err = NULL;
  assert_int_equal(ths_load(JFTS_TESTDATA "/research", &ths, &err), JFTS_ERR_IO);
  assert_string_equal(err, "cannot read '" JFTS_TESTDATA "/research': Is a directory");
  jfts_free(err);
  err = NULL;
  assert_int_equal(ths_load(JFTS_TESTDATA "/research/bad-thesaurus.txt", &ths, &err),
                   JFTS_ERR_INPUT);
  assert_string_equal(err, JFTS_TESTDATA "/research/bad-thesaurus.txt:5: expected 'a, b' or "
                           "'a => b'");
  jfts_free(err);
}

/* A thesaurus shaped like the shipped one, fixed here so that these cases do not move when
** the shipped file is edited. */
static const char k_small[] = "ウイルス, ウィルス\n"
                              "障害, 障がい, 障碍\n"
                              "ハイブリッド, ハイブリット\n"
                              "オンライン => リモート, Web開催, ハイブリッド\n"
                              "Web会議, ウェブ会議\n"
                              "zoom, ズーム\n"
                              "平成, H\n"
                              "成, 成る\n"
                              "a, b\n";

static void test_expand(void **state) {
  (void)state;
  static const struct {
    const char *name, *query, *variants, *match;
  } cases[] = {
      {"containment", "コロナウイルス", "コロナウイルス=コロナウィルス",
       "(\"コロナウイルス\" OR \"コロナウィルス\")"},
      {"two entries combine, single replacements first", "障害児ウイルス",
       "障害児ウイルス=障がい児ウイルス,障碍児ウイルス,障害児ウィルス,障がい児ウィルス,"
       "障碍児ウィルス",
       NULL},
      {"AND, excluded clause expanded too", "コロナウイルス 支援 -障害者",
       "コロナウイルス=コロナウィルス|支援=|-障害者=障がい者,障碍者",
       "(\"コロナウイルス\" OR \"コロナウィルス\") AND \"支援\" NOT (\"障害者\" OR \"障がい者\" OR "
       "\"障碍者\")"},
      {"OR group", "ウイルス OR 障害", "ウイルス=ウィルス|障害=障がい,障碍",
       "(\"ウイルス\" OR \"ウィルス\" OR \"障害\" OR \"障がい\" OR \"障碍\")"},
      {"one-way inside a term", "オンライン開催", "オンライン開催=リモート開催,Web開催開催,ハイブリッド開催",
       NULL},
      {"phrase: whole-phrase variants", "\"新型 コロナウイルス 感染症\"",
       "新型コロナウイルス感染症=新型コロナウィルス感染症",
       "(\"新型コロナウイルス感染症\" OR \"新型コロナウィルス感染症\")"},
      {"phrase with a kept space", "\"Web 会議 の案内\"", "Web 会議の案内=ウェブ会議の案内", NULL},
      {"half-width katakana typed", "ｺﾛﾅｳｲﾙｽ", "ｺﾛﾅｳｲﾙｽ=ｺﾛﾅウィルス", NULL},
      {"full-width Latin typed", "ＷＥＢ会議", "ＷＥＢ会議=ウェブ会議", NULL},
      {"Latin entry on a word boundary", "Zoom会議 zoomed", "Zoom会議=ズーム会議|zoomed=", NULL},
      {"no match across a shared normalization segment", "㍻", "㍻=H", NULL},
      {"single Latin letter entry is a word", "a abc", "a=b|abc=", "(\"a\" OR \"b\") AND \"abc\""},
  };
  char got[2048], warn[256];
  Thesaurus *ths = parse_ok("small", k_small);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *match = NULL;
    expand(cases[i].name, ths, cases[i].query, got, sizeof got, warn, sizeof warn,
           cases[i].match ? &match : NULL);
    if (strcmp(got, cases[i].variants) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].variants);
    if (warn[0] != '\0') fail_msg("case '%s': unexpected warning '%s'", cases[i].name, warn);
    if (cases[i].match && strcmp(match, cases[i].match) != 0)
      fail_msg("case '%s': MATCH '%s', expected '%s'", cases[i].name, match, cases[i].match);
    jfts_free(match);
  }
  ths_free(ths);
}

static size_t count_variants(const char *rendered) {
  const char *eq = strchr(rendered, '=');
  if (eq == NULL || eq[1] == '\0') return 0;
  size_t n = 1;
  for (const char *p = eq + 1; *p; p++) n += *p == ',';
  return n;
}

static void test_cap(void **state) {
  (void)state;
  Thesaurus *ths = parse_ok("small", k_small);
  char got[8192], warn[512];
  /* Six 2-way entries: exactly 2^6 - 1 = 63 variants fit without a warning. */
  expand("63 fit", ths, "ウイルスウイルスウイルスウイルスウイルスウイルス", got, sizeof got, warn,
         sizeof warn, NULL);
  assert_int_equal(count_variants(got), QRY_MAX_VARIANTS - 1);
  assert_string_equal(warn, "");
  /* Four 3-way entries: 3^4 - 1 = 80 variants, capped at 63 with a warning; the other term
  ** of the query is still expanded. */
  expand("capped", ths, "障害障害障害障害 ウイルス", got, sizeof got, warn, sizeof warn, NULL);
  char *bar = strchr(got, '|');
  assert_non_null(bar);
  assert_string_equal(bar, "|ウイルス=ウィルス");
  *bar = '\0';
  assert_int_equal(count_variants(got), QRY_MAX_VARIANTS - 1);
  assert_string_equal(warn, "expansion of '障害障害障害障害' capped at 64 variants");
  /* All single replacements come before any double one. */
  assert_non_null(strstr(got, "=障がい障害障害障害,障碍障害障害障害,障害障がい障害障害,"));
  /* Dropping the warnings is allowed. */
  Query *q = NULL;
  assert_int_equal(qry_parse("障害障害障害障害", strlen("障害障害障害障害"), &q, NULL), JFTS_OK);
  assert_int_equal(ths_expand(ths, q, NULL, NULL, NULL), JFTS_OK);
  assert_int_equal(q->clauses[0].terms[0].n_variants, QRY_MAX_VARIANTS - 1);
  qry_free(q);
  ths_free(ths);
}

static void test_idempotent(void **state) {
  (void)state;
  Thesaurus *ths = parse_ok("small", k_small);
  Query *q = NULL;
  char **w = NULL;
  size_t n_w = 7;
  assert_int_equal(qry_parse("障害ウイルス", strlen("障害ウイルス"), &q, NULL), JFTS_OK);
  assert_int_equal(ths_expand(ths, q, &w, &n_w, NULL), JFTS_OK);
  assert_int_equal(q->clauses[0].terms[0].n_variants, 5);
  assert_null(w);
  assert_int_equal(n_w, 0);
  assert_int_equal(ths_expand(ths, q, &w, &n_w, NULL), JFTS_OK);
  assert_int_equal(q->clauses[0].terms[0].n_variants, 5);
  /* A NULL thesaurus expands nothing. */
  assert_int_equal(ths_expand(NULL, q, &w, &n_w, NULL), JFTS_OK);
  assert_int_equal(q->clauses[0].terms[0].n_variants, 5);
  qry_free(q);
  ths_free(ths);
}

static void test_shipped(void **state) {
  (void)state;
  Thesaurus *ths = NULL;
  char *err = NULL;
  assert_string_equal(ths_path(NULL), JFTS_DEFAULT_THESAURUS);
  assert_string_equal(ths_path(""), JFTS_DEFAULT_THESAURUS);
  assert_string_equal(ths_path("/tmp/mine.txt"), "/tmp/mine.txt");

  int rc = ths_load(ths_path(NULL), &ths, &err);
  if (rc != JFTS_OK) fail_msg("shipped thesaurus: %s", err);
  assert_true(ths_entry_count(ths) >= 40);
  static const struct {
    const char *query, *expect;
  } cases[] = {
      {"コロナウイルス", "コロナウイルス=コロナウィルス"},
      {"ハイブリット", "ハイブリット=ハイブリッド"},
      {"オンライン",
       "オンライン=リモート,Web会議,Web開催,ウェブ会議,Zoom,ハイブリッド,ハイブリット"},
      {"書面開催", "書面開催="},
      {"障害者", "障害者=障がい者,障碍者"},
      {"子供", "子供=子ども,こども"},
      {"引きこもり", "引きこもり=ひきこもり,引き籠もり"},
      {"自立協", "自立協=自立支援協議会"},
      {"連絡会議", "連絡会議="},   /* related words, not variants: left out */
      {"8050問題", "8050問題="},
      {"新型コロナウイルス感染症", "新型コロナウイルス感染症=新型コロナウィルス感染症,COVID-19"},
  };
  char got[2048], warn[256];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    expand(cases[i].query, ths, cases[i].query, got, sizeof got, warn, sizeof warn, NULL);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].query, got, cases[i].expect);
  }
  ths_free(ths);
}

/* Renders the 泉区 passages of r that match query (expanded with ths when not NULL) as
** "meeting-or-section=occurrence,occurrence" joined by '|'; *n_all_out counts all wards. */
static void corpus_hits(const Report *r, const Thesaurus *ths, const char *query, char *out,
                        size_t cap, size_t *n_all_out, unsigned char *hit) {
  Query *q = NULL;
  Matcher *m = NULL;
  assert_int_equal(qry_parse(query, strlen(query), &q, NULL), JFTS_OK);
  assert_int_equal(ths_expand(ths, q, NULL, NULL, NULL), JFTS_OK);
  assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
  size_t k = 0;
  out[0] = '\0';
  *n_all_out = 0;
  for (size_t i = 0; i < r->n_passages; i++) {
    const Passage *p = &r->passages[i];
    MatchSpan *spans = NULL;
    size_t n = 0;
    assert_int_equal(match_find(m, p->body.text, p->body.n_bytes, &spans, &n, NULL), JFTS_OK);
    hit[i] = n > 0;
    *n_all_out += n > 0;
    if (n > 0 && p->ward && strcmp(p->ward, "泉区") == 0) {
      k += (size_t)snprintf(out + k, cap - k, "%s%s=", k ? "|" : "",
                            p->meeting ? p->meeting : p->section);
      for (size_t s = 0; s < n; s++)
        k += (size_t)snprintf(out + k, cap - k, "%s%.*s", s ? "," : "",
                              (int)(spans[s].end_byte - spans[s].start_byte),
                              p->body.text + spans[s].start_byte);
    }
    jfts_free(spans);
  }
  match_free(m);
  qry_free(q);
}

/* 泉区 never writes オンライン in its table, yet two of its meetings were held online:
** expansion finds them through its own wording. */
static void test_corpus_online(void **state) {
  (void)state;
  size_t n_text = 0;
  char *text = test_read_file(CORPUS_FILE, &n_text);
  Report *r = NULL;
  Thesaurus *ths = NULL;
  assert_int_equal(report_parse(text, n_text, &r, NULL), JFTS_OK);
  assert_int_equal(ths_load(JFTS_DEFAULT_THESAURUS, &ths, NULL), JFTS_OK);
  unsigned char *plain = calloc(r->n_passages, 1), *expanded = calloc(r->n_passages, 1);
  assert_non_null(plain);
  assert_non_null(expanded);
  char got[1024];
  size_t n_plain = 0, n_expanded = 0;

  corpus_hits(r, NULL, "オンライン", got, sizeof got, &n_plain, plain);
  assert_string_equal(got, "");
  assert_true(n_plain > 0);
  corpus_hits(r, ths, "オンライン", got, sizeof got, &n_expanded, expanded);
  assert_string_equal(got, "全体協議会=リモート,ハイブリット|実務者ネットワーク会議=Web 開催");
  for (size_t i = 0; i < r->n_passages; i++)
    if (plain[i] && !expanded[i]) fail_msg("passage %zu lost by expansion", i);
  assert_true(n_expanded > n_plain);

  /* The other spelling of ウイルス is 泉区's only. */
  corpus_hits(r, NULL, "新型コロナウイルス", got, sizeof got, &n_plain, plain);
  assert_string_equal(got, "");
  corpus_hits(r, ths, "新型コロナウイルス", got, sizeof got, &n_expanded, expanded);
  assert_string_equal(got, "全体協議会=新型コロナウィルス|1=新型コロナウィルス");
  free(plain);
  free(expanded);
  ths_free(ths);
  report_free(r);
  free(text);
}

/* Every allocation failure is reported as JFTS_ERR_NOMEM and leaks nothing. */
static void test_out_of_memory(void **state) {
  (void)state;
  long live = jfts_alloc_live();
  int done = 0;
  for (long n_ok = 0; !done && n_ok < 5000; n_ok++) {
    Thesaurus *ths = NULL;
    Query *q = NULL;
    char **w = NULL;
    size_t n_w = 0;
    jfts_alloc_fail_after(n_ok);
    int rc = ths_parse("t.txt", k_small, strlen(k_small), &ths, NULL);
    if (rc == JFTS_OK) rc = qry_parse("障害障害障害障害 ｺﾛﾅｳｲﾙｽ", strlen("障害障害障害障害 ｺﾛﾅｳｲﾙｽ"),
                                      &q, NULL);
    if (rc == JFTS_OK) rc = ths_expand(ths, q, &w, &n_w, NULL);
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_OK) {
      assert_int_equal(n_w, 1);
      done = 1;
    } else if (rc != JFTS_ERR_NOMEM) {
      fail_msg("n_ok %ld: rc %d, expected JFTS_ERR_NOMEM", n_ok, rc);
    }
    ths_warnings_free(w, n_w);
    qry_free(q);
    ths_free(ths);
    assert_int_equal(jfts_alloc_live(), live);
  }
  assert_true(done);
}

/* The related-topics layer: whole words only (after their spelling variants), positive
** unquoted words only; the texts go to QryTerm.related, never to the variants. */
static void test_related(void **state) {
  (void)state;
  Thesaurus *ths = parse_ok("variants", "障害, 障がい\n");
  Thesaurus *rel = parse_ok("related", "防災 => 災害時要援護者, 避難訓練\n"
                                       "障害 => 差別解消, 障がい\n"
                                       "ケアプラン => サービス等利用計画\n"
                                       "減災, 防災 => 避難所\n");
  static const struct {
    const char *name, *query, *expect;
  } cases[] = {
      {"whole word", "防災", "防災=災害時要援護者,避難訓練,避難所"},
      {"not inside a longer word", "防災訓練", "防災訓練="},
      {"through a spelling variant; the variant itself skipped", "障がい", "障がい=差別解消"},
      {"width and case folded", "ｹｱﾌﾟﾗﾝ", "ｹｱﾌﾟﾗﾝ=サービス等利用計画"},
      {"a phrase gets nothing", "\"防災\"", "防災="},
      {"an excluded word gets nothing", "連携 -防災", "連携=|-防災="},
      {"OR group members", "防災 OR 減災", "防災=災害時要援護者,避難訓練,避難所|減災=避難所"},
      {"several words", "防災 障害", "防災=災害時要援護者,避難訓練,避難所|障害=差別解消"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    Query *q = NULL;
    assert_int_equal(qry_parse(cases[i].query, strlen(cases[i].query), &q, NULL), JFTS_OK);
    assert_int_equal(ths_expand(ths, q, NULL, NULL, NULL), JFTS_OK);
    size_t n_variants = q->clauses[0].terms[0].n_variants;
    assert_int_equal(ths_expand_related(rel, q, NULL), JFTS_OK);
    assert_int_equal(q->clauses[0].terms[0].n_variants, n_variants);
    char got[512];
    size_t k = 0;
    for (size_t c = 0; c < q->n_clauses; c++)
      for (size_t t = 0; t < q->clauses[c].n_terms; t++) {
        const QryTerm *term = &q->clauses[c].terms[t];
        k += (size_t)snprintf(got + k, sizeof got - k, "%s%s%s=", k ? "|" : "",
                              q->clauses[c].excluded ? "-" : "", term->text);
        for (size_t r = 0; r < term->n_related; r++)
          k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", r ? "," : "", term->related[r]);
      }
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
    qry_free(q);
  }
  assert_int_equal(ths_expand_related(NULL, NULL, NULL), JFTS_OK);
  ths_free(ths);
  ths_free(rel);
}

/* ths_find_entries: the entries inside a text, longest first, as source byte ranges. */
static void test_find_entries(void **state) {
  (void)state;
  Thesaurus *rel = parse_ok("related", "ひきこもり => 8050\n"
                                       "親 => 家族\n"
                                       "親亡き後 => 地域生活支援拠点\n"
                                       "居場所 => サロン\n");
  static const struct {
    const char *name, *text, *expect;
    size_t min_chars;
  } cases[] = {
      {"a hiragana word", "ひきこもりの人", "ひきこもり", 2},
      {"the longest at a position", "親亡き後の居場所", "親亡き後|居場所", 1},
      {"one char left out by min_chars", "親の居場所", "居場所", 2},
      {"one char kept", "親の居場所", "親|居場所", 1},
      {"source bytes after width-folded text", "ｲﾊﾞｼｮ居場所", "居場所", 2},
      {"none", "地域の集まり", "", 2},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t *r = NULL, n = 0, k = 0;
    char got[256] = "";
    assert_int_equal(ths_find_entries(rel, cases[i].text, strlen(cases[i].text),
                                      cases[i].min_chars, &r, &n, NULL),
                     JFTS_OK);
    for (size_t j = 0; j < n; j++)
      k += (size_t)snprintf(got + k, sizeof got - k, "%s%.*s", j ? "|" : "",
                            (int)(r[2 * j + 1] - r[2 * j]), cases[i].text + r[2 * j]);
    jfts_free(r);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
  }
  size_t *r = NULL, n = 1;
  assert_int_equal(ths_find_entries(NULL, "親", 3, 1, &r, &n, NULL), JFTS_OK);
  assert_null(r);
  assert_int_equal(n, 0);
  ths_free(rel);
}

/* The shipped related-topics file loads, and every rule comes with its reason: a comment
** block right above it. */
static void test_shipped_related(void **state) {
  (void)state;
  assert_string_equal(ths_related_path(NULL), JFTS_DEFAULT_RELATED);
  assert_string_equal(ths_related_path(""), JFTS_DEFAULT_RELATED);
  assert_string_equal(ths_related_path("/tmp/mine.txt"), "/tmp/mine.txt");
  Thesaurus *rel = NULL;
  char *err = NULL;
  if (ths_load(JFTS_DEFAULT_RELATED, &rel, &err) != JFTS_OK) fail_msg("related.txt: %s", err);
  assert_true(ths_entry_count(rel) >= 60);
  ths_free(rel);
  FILE *fp = fopen(JFTS_DEFAULT_RELATED, "r");
  assert_non_null(fp);
  char line[4096];
  int lineno = 0, prev_comment = 0, n_rules = 0;
  while (fgets(line, sizeof line, fp)) {
    lineno++;
    int comment = line[0] == '#';
    if (!comment && strstr(line, "=>")) {
      if (!prev_comment) fail_msg("related.txt:%d: a rule without a comment above it", lineno);
      n_rules++;
    }
    prev_comment = comment;
  }
  fclose(fp);
  assert_true(n_rules >= 40);
}

/* The alternatives of an entry, as ths_alternatives lists them: rules in file order, members
** as written, the entry itself and repeats left out. */
static void test_alternatives(void **state) {
  (void)state;
  static const struct {
    const char *name, *file, *text, *expect;
  } cases[] = {
      {"a group", "障害, 障がい, 障碍\n", "障がい", "障害,障碍"},
      {"rules on several lines, in file order", "障害, 障がい\n障碍, 障害\n障害 => しょうがい\n",
       "障害", "障がい,障碍,しょうがい"},
      {"a member met again is not repeated", "障害, 障がい\n障がい, 障害, 障碍\n", "障害",
       "障がい,障碍"},
      {"written twice on a line", "障害, 障がい, 障害, 障碍, 障がい\n", "障害", "障がい,障碍"},
      {"one-way: the left side expands", "防災, 減災 => 避難所, 避難訓練\n", "減災",
       "避難所,避難訓練"},
      {"one-way: the right side does not", "防災 => 避難所\n", "避難所", ""},
      {"only itself", "障害 => 障害\n障害, 障害\n", "障害", ""},
      {"normalized form", "ウイルス, ウィルス\n", "ｳｲﾙｽ", "ウィルス"},
      {"whole text only", "ウイルス, ウィルス\n", "コロナウイルス", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Thesaurus *ths = parse_ok(cases[i].name, cases[i].file);
    const char **alts = NULL;
    size_t n = 0;
    assert_int_equal(ths_alternatives(ths, cases[i].text, strlen(cases[i].text), &alts, &n, NULL),
                     JFTS_OK);
    char got[256];
    size_t k = 0;
    got[0] = '\0';
    for (size_t a = 0; a < n; a++)
      k += (size_t)snprintf(got + k, sizeof got - k, "%s%s", a ? "," : "", alts[a]);
    if (strcmp(got, cases[i].expect) != 0) print_error("case '%s'\n", cases[i].name);
    assert_string_equal(got, cases[i].expect);
    jfts_free(alts);
    ths_free(ths);
  }
}

/* One group of 100,000 variants and a one-way rule to all of them, generated here: loading is
** linear (a cubic load of 8,000 took over a minute; ctest's TIMEOUT for this suite catches a
** slow one), and every member finds the whole group, in file order. */
#define BIG_GROUP 100000
static void test_big_group(void **state) {
  (void)state;
  size_t cap = 2 * (size_t)BIG_GROUP * 16 + 64, k = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  for (int line = 0; line < 2; line++) {
    if (line == 1) k += (size_t)snprintf(text + k, cap - k, "大群 => ");
    for (int i = 0; i < BIG_GROUP; i++)
      k += (size_t)snprintf(text + k, cap - k, "%s変種%d", i ? ", " : "", i);
    k += (size_t)snprintf(text + k, cap - k, "\n");
  }
  Thesaurus *ths = NULL;
  char *err = NULL;
  if (ths_parse("big.txt", text, k, &ths, &err) != JFTS_OK) fail_msg("big group: %s", err);
  free(text);
  assert_int_equal(ths_entry_count(ths), BIG_GROUP + 1);
  static const int members[] = {0, 1, 4321, BIG_GROUP / 2, BIG_GROUP - 1};
  for (size_t m = 0; m < sizeof members / sizeof *members; m++) {
    char word[32], want[32];
    snprintf(word, sizeof word, "変種%d", members[m]);
    const char **alts = NULL;
    size_t n = 0;
    assert_int_equal(ths_alternatives(ths, word, strlen(word), &alts, &n, NULL), JFTS_OK);
    assert_int_equal(n, BIG_GROUP - 1);
    for (int i = 0, a = 0; i < BIG_GROUP; i++) {
      if (i == members[m]) continue;
      snprintf(want, sizeof want, "変種%d", i);
      if (strcmp(alts[a], want) != 0) fail_msg("%s: alternative %d is %s, not %s", word, a, alts[a], want);
      a++;
    }
    jfts_free(alts);
  }
  const char **alts = NULL;
  size_t n = 0;
  assert_int_equal(ths_alternatives(ths, "大群", strlen("大群"), &alts, &n, NULL), JFTS_OK);
  assert_int_equal(n, BIG_GROUP);
  assert_string_equal(alts[BIG_GROUP - 1], "変種99999");
  jfts_free(alts);
  /* A query term expands to the first 63 others and says it was capped; the related layer
  ** takes the first 63 of the one-way rule. */
  char got[4096], warn[256];
  expand("big group", ths, "変種777", got, sizeof got, warn, sizeof warn, NULL);
  assert_int_equal(count_variants(got), QRY_MAX_VARIANTS - 1);
  assert_non_null(strstr(got, "=変種0,変種1,変種2,"));
  assert_non_null(strstr(got, ",変種61,変種62"));
  assert_null(strstr(got, "変種63"));
  assert_string_equal(warn, "expansion of '変種777' capped at 64 variants");
  Query *q = NULL;
  assert_int_equal(qry_parse("大群", strlen("大群"), &q, NULL), JFTS_OK);
  assert_int_equal(ths_expand_related(ths, q, NULL), JFTS_OK);
  assert_int_equal(q->clauses[0].terms[0].n_related, QRY_MAX_VARIANTS - 1);
  assert_string_equal(q->clauses[0].terms[0].related[0], "変種0");
  assert_string_equal(q->clauses[0].terms[0].related[QRY_MAX_VARIANTS - 2], "変種62");
  qry_free(q);
  ths_free(ths);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_syntax),        cmocka_unit_test(test_syntax_errors),
      cmocka_unit_test(test_load_errors),   cmocka_unit_test(test_expand),
      cmocka_unit_test(test_cap),           cmocka_unit_test(test_idempotent),
      cmocka_unit_test(test_shipped),       cmocka_unit_test(test_corpus_online),
      cmocka_unit_test(test_out_of_memory), cmocka_unit_test(test_related),
      cmocka_unit_test(test_shipped_related), cmocka_unit_test(test_alternatives),
      cmocka_unit_test(test_big_group),       cmocka_unit_test(test_find_entries),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
