/* Tests of the query-time occurrence finder: exact code point offsets of every occurrence under
** the index's matching rule (normalization, skippable spaces, word-boundary ends), and the
** adjacency test that ranks "terms adjacent and in order" first. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jfts_common.h"
#include "match.h"
#include "qparse.h"

static void render(const char *text, const char *query, char *out, size_t n_out, int *adjacent) {
  Query *q = NULL;
  Matcher *m = NULL;
  MatchSpan *spans = NULL;
  size_t n = 0;
  char *err = NULL;
  if (qry_parse(query, strlen(query), &q, &err) != JFTS_OK) fail_msg("parse '%s': %s", query, err);
  assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
  assert_int_equal(match_find(m, text, strlen(text), &spans, &n, NULL), JFTS_OK);
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && k < n_out; i++)
    k += (size_t)snprintf(out + k, n_out - k, "%s%zu:%zu=%.*s", i ? "|" : "", spans[i].start_cp,
                          spans[i].end_cp, (int)(spans[i].end_byte - spans[i].start_byte),
                          text + spans[i].start_byte);
  *adjacent = match_adjacent_in_order(m, spans, n);
  jfts_free(spans);
  match_free(m);
  qry_free(q);
}

static void test_occurrences(void **state) {
  (void)state;
  static const struct {
    const char *name, *text, *query, *expect;
    int adjacent;
  } cases[] = {
      {"space between digits and kanji", "地域課題：8050 問題、新型", "8050問題", "5:12=8050 問題", 0},
      {"wrapped then repaired", "～8050問題のある", "8050問題", "1:7=8050問題", 0},
      {"punctuation is not skipped", "8050、問題", "8050問題", "", 0},
      {"digit end on a word boundary", "165歳と65 歳", "65歳", "5:9=65 歳", 0},
      {"Latin inside a longer word", "IGASU会議", "gas", "", 0},
      {"full-width Latin", "ＩＧＡＳＵ 会議で", "igasu会議", "0:8=ＩＧＡＳＵ 会議", 0},
      {"half-width katakana", "ｶﾀｶﾅの", "カタカナ", "0:4=ｶﾀｶﾅ", 0},
      {"inside a dictionary word", "レイヤーダイアログ", "ダイアログ", "4:9=ダイアログ", 0},
      {"every occurrence", "泉区の泉", "泉", "0:1=泉|3:4=泉", 0},
      {"two terms adjacent", "地域包括支援センター", "地域包括 支援センター",
       "0:4=地域包括|4:10=支援センター", 1},
      {"two terms apart", "地域包括と支援センター", "地域包括 支援センター",
       "0:4=地域包括|5:11=支援センター", 0},
      {"two terms in the wrong order", "支援センター地域包括", "地域包括 支援センター",
       "0:6=支援センター|6:10=地域包括", 0},
      {"OR group", "Web 開催とオンライン", "web開催 OR オンライン", "0:6=Web 開催|7:12=オンライン", 0},
      {"excluded terms are not matched", "オンライン開催", "開催 -オンライン", "5:7=開催", 0},
      {"surrogate pair", "𠮷野家の𠮷", "𠮷", "0:1=𠮷|4:5=𠮷", 0},
  };
  char got[512];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int adjacent;
    render(cases[i].text, cases[i].query, got, sizeof got, &adjacent);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
    if (adjacent != cases[i].adjacent) fail_msg("case '%s': adjacent %d", cases[i].name, adjacent);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_occurrences)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
