/* Tests of textseg: what ICU's sentence, word and grapheme iterators do on this project's
** Japanese text (boundaries rendered as "seg|seg|..."), byte-offset mapping across
** multi-byte, astral and invalid UTF-8, display widths, and out-of-memory cleanup. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "textseg.h"

/* Lines 149-153 of the bundled corpus, byte for byte: a paragraph wrapped by the PDF in the
** middle of words (地域 / にある, 障 / 害), with blank lines between the wrapped lines. */
#define CORPUS_PARAGRAPH                                                                      \
  "「重点的に関わる対象者」に支援が届くための体制作りには、障害のある方にかかわらず、すでに地域\n" \
  "\n"                                                                                        \
  "にある、地域になじみがある仕組みの活用が有効であると考えられる。その仕組みの中にどのようにして障\n" \
  "\n"                                                                                        \
  "害のある方への支援のエッセンスを加えていき、支援の共有を積み重ねていくかが課題である。 \n"

/* Renders the segments between consecutive boundaries joined by '|' into buf. Fails the test
** when the boundaries do not start at 0, end at n_bytes and ascend strictly. */
static void render(const char *name, SegKind kind, const char *text, size_t n_bytes, char *buf,
                   size_t cap) {
  size_t *breaks = NULL;
  size_t n_breaks = 0;
  char *err = NULL;
  int rc = seg_boundaries(kind, text, n_bytes, &breaks, &n_breaks, &err);
  if (rc != JFTS_OK) fail_msg("%s: rc %d (%s)", name, rc, err ? err : "no message");
  if (n_breaks < 1 || breaks[0] != 0 || breaks[n_breaks - 1] != n_bytes)
    fail_msg("%s: boundaries do not span the text", name);
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i + 1 < n_breaks; i++) {
    if (breaks[i + 1] <= breaks[i]) fail_msg("%s: boundaries not ascending at %zu", name, i);
    size_t seg = breaks[i + 1] - breaks[i];
    if (len + seg + 2 > cap) fail_msg("%s: render buffer too small", name);
    if (i > 0) buf[len++] = '|';
    memcpy(buf + len, text + breaks[i], seg);
    len += seg;
  }
  buf[len] = '\0';
  jfts_free(breaks);
}

static void test_boundaries(void **state) {
  (void)state;
  static const struct {
    const char *name;
    SegKind kind;
    const char *input, *expect;
  } cases[] = {
      /* Sentences end after 。？！ and their trailing space, and also after every line break
      ** (UAX #29 treats LF as a paragraph separator), so PDF-wrapped lines split sentences:
      ** callers must repair line breaks before asking for sentences. */
      {"sentence/corpus paragraph", SEG_SENTENCE, CORPUS_PARAGRAPH,
       "「重点的に関わる対象者」に支援が届くための体制作りには、障害のある方にかかわらず、すでに地域\n"
       "|\n"
       "|にある、地域になじみがある仕組みの活用が有効であると考えられる。"
       "|その仕組みの中にどのようにして障\n"
       "|\n"
       "|害のある方への支援のエッセンスを加えていき、支援の共有を積み重ねていくかが課題である。 \n"},
      {"sentence/repaired paragraph", SEG_SENTENCE,
       "すでに地域にある仕組みの活用が有効であると考えられる。その仕組みの中に支援を加えていく。",
       "すでに地域にある仕組みの活用が有効であると考えられる。|その仕組みの中に支援を加えていく。"},
      {"sentence/？ and ！", SEG_SENTENCE, "次の文？はい！終わり",
       "次の文？|はい！|終わり"},
      /* ICU's dictionary splits the compound into its parts... */
      {"word/地域包括支援センター", SEG_WORD, "地域包括支援センター", "地域|包括|支援|センター"},
      /* ...but cuts this katakana compound in the wrong places, while ダイアログ alone is one
      ** word: the reason the index uses bigrams, not dictionary words. */
      {"word/レイヤーダイアログ", SEG_WORD, "レイヤーダイアログ", "レ|イヤー|ダイ|ア|ログ"},
      {"word/ダイアログ", SEG_WORD, "ダイアログ", "ダイアログ"},
      {"word/digits then kanji", SEG_WORD, "8050問題", "8050|問題"},
      {"word/space between scripts", SEG_WORD, "Web 開催として", "Web| |開催|として"},
      /* か + U+3099 (combining voiced mark) is one cluster of 6 bytes. */
      {"grapheme/combining が", SEG_GRAPHEME, "か\xE3\x82\x99が", "か\xE3\x82\x99|が"},
      {"grapheme/ZWJ family", SEG_GRAPHEME, "a👨‍👩‍👧b", "a|👨‍👩‍👧|b"},
      {"grapheme/flag", SEG_GRAPHEME, "🇯🇵🇯🇵", "🇯🇵|🇯🇵"},
      {"grapheme/astral kanji 𠮷", SEG_GRAPHEME, "𠮷野家", "𠮷|野|家"},
      /* An invalid byte is one U+FFFD for ICU, mapped back to its one byte. */
      {"grapheme/invalid UTF-8", SEG_GRAPHEME, "a\xFF\xE3\x81" "b", "a|\xFF|\xE3\x81|b"},
  };
  char buf[4096];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    render(cases[i].name, cases[i].kind, cases[i].input, strlen(cases[i].input), buf,
           sizeof buf);
    if (strcmp(buf, cases[i].expect) != 0)
      fail_msg("%s:\n  got    %s\n  expect %s", cases[i].name, buf, cases[i].expect);
  }
}

static void test_offsets_are_bytes(void **state) {
  (void)state;
  static const char text[] = "8050 問題。𠮷が";
  size_t *breaks = NULL;
  size_t n_breaks = 0;
  assert_int_equal(seg_boundaries(SEG_GRAPHEME, text, strlen(text), &breaks, &n_breaks, NULL),
                   JFTS_OK);
  char got[256] = "";
  size_t len = 0;
  for (size_t i = 0; i < n_breaks; i++)
    len += (size_t)snprintf(got + len, sizeof got - len, "%s%zu", i ? "," : "", breaks[i]);
  assert_string_equal(got, "0,1,2,3,4,5,8,11,14,18,21");
  jfts_free(breaks);
}

static void test_empty_text(void **state) {
  (void)state;
  for (int kind = SEG_SENTENCE; kind <= SEG_GRAPHEME; kind++) {
    size_t *breaks = NULL;
    size_t n_breaks = 99;
    assert_int_equal(seg_boundaries((SegKind)kind, "", 0, &breaks, &n_breaks, NULL), JFTS_OK);
    assert_int_equal(n_breaks, 1);
    assert_int_equal(breaks[0], 0);
    jfts_free(breaks);
  }
}

static void test_bad_kind(void **state) {
  (void)state;
  size_t *breaks = (size_t *)&breaks;
  size_t n_breaks = 99;
  char *err = NULL;
  assert_int_equal(seg_boundaries((SegKind)7, "a", 1, &breaks, &n_breaks, &err), JFTS_ERR_USAGE);
  assert_null(breaks);
  assert_int_equal(n_breaks, 0);
  assert_string_equal(err, "unknown segmentation kind 7");
  jfts_free(err);
}

/* The cached iterators survive a shutdown: the next call reopens them. */
static void test_shutdown_then_reuse(void **state) {
  (void)state;
  char buf[256];
  render("before shutdown", SEG_WORD, "地域包括", 12, buf, sizeof buf);
  assert_string_equal(buf, "地域|包括");
  seg_shutdown();
  seg_shutdown();
  render("after shutdown", SEG_WORD, "地域包括", 12, buf, sizeof buf);
  assert_string_equal(buf, "地域|包括");
}

static void test_out_of_memory(void **state) {
  (void)state;
  /* Warm the iterator cache so that only this call's buffers are counted. */
  char buf[256];
  render("warm", SEG_SENTENCE, "文。", 6, buf, sizeof buf);
  for (long n_ok = 0; n_ok < 3; n_ok++) {
    long live = jfts_alloc_live();
    size_t *breaks = (size_t *)&breaks;
    size_t n_breaks = 99;
    jfts_alloc_fail_after(n_ok);
    int rc = seg_boundaries(SEG_SENTENCE, "文。文。", 12, &breaks, &n_breaks, NULL);
    jfts_alloc_fail_after(-1);
    if (rc != JFTS_ERR_NOMEM) fail_msg("fail after %ld allocations: rc %d", n_ok, rc);
    assert_null(breaks);
    assert_int_equal(n_breaks, 0);
    assert_int_equal(jfts_alloc_live(), live);
  }
}

static void test_display_width(void **state) {
  (void)state;
  static const struct {
    const char *name, *input;
    int expect;
  } cases[] = {
      {"ASCII", "Web 8050", 8},
      {"kanji and kana", "地域包括センター", 16},
      {"half-width katakana", "ｾﾝﾀｰ", 4},
      {"full-width digits and parens", "（１２）", 8},
      {"ideographic space", "\xE3\x80\x80", 2},
      {"combining voiced mark", "か\xE3\x82\x99", 2},
      {"controls", "a\tb\n", 2},
      {"ZWJ family: three wide emoji, ZWJ zero", "👨‍👩‍👧", 6},
      {"flag: two regional indicators, neutral", "🇯🇵", 2},
      {"astral kanji", "𠮷", 2},
      {"ambiguous ○ counts 1", "○", 1},
      {"invalid bytes count 1 each", "a\xFF\xFE", 3},
      {"empty", "", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int got = seg_display_width(cases[i].input, strlen(cases[i].input));
    if (got != cases[i].expect)
      fail_msg("%s: width %d, expect %d", cases[i].name, got, cases[i].expect);
  }
}

static int teardown_group(void **state) {
  (void)state;
  seg_shutdown();
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_boundaries),        cmocka_unit_test(test_offsets_are_bytes),
      cmocka_unit_test(test_empty_text),        cmocka_unit_test(test_bad_kind),
      cmocka_unit_test(test_shutdown_then_reuse), cmocka_unit_test(test_out_of_memory),
      cmocka_unit_test(test_display_width),
  };
  return cmocka_run_group_tests(tests, NULL, teardown_group);
}
