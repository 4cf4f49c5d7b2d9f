/* Tests of the markup readers (markup.h): Markdown and HTML to plain text, case by case, and
** for every case the contract that makes citations exact: as many lines as the source, and
** every byte copied from the source mapped to the raw offset of that very byte. Also a
** source in Shift_JIS (raw offsets differ from decoded ones) and every allocation failing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "jfts_common.h"
#include "markup.h"

typedef int (*StripFn)(const DecodedText *, DecodedText **, char **);

static const struct {
  const char *name;
  int html;
  const char *input, *expect;
} cases[] = {
    {"md heading", 0, "# 地域支援\n", "【地域支援】 \n"},
    {"md heading with a marker", 0, "## １．今年度の主な取組み ##\n", "１．今年度の主な取組み \n"},
    {"md paragraph wraps, blank line ends it", 0, "今年度は\n検討した。\n\n次\n",
     "今年度は\n検討した。 \n\n次 \n"},
    {"md emphasis, code, link, image", 0, "**地域**の`会議`と[支援](http://x.jp/a)と![図](a.png)\n",
     "地域の会議と支援と図 \n"},
    {"md autolink and tag", 0, "詳細は<https://x.jp>へ<br>以上\n", "詳細はへ以上 \n"},
    {"md list items", 0, "- 研修\n- 会議\n1. 部会\n", "研修 \n会議 \n部会 \n"},
    {"md paragraph then a list and a heading", 0, "本文は\n続く\n- 項目\n# 見出し\n",
     "本文は\n続く \n項目 \n【見出し】 \n"},
    {"md table", 0, "| 会議 | 回数 |\n|---|:--|\n| 全体 | 2回 |\n", "会議 回数 \n\n全体 2回 \n"},
    {"md fenced code kept", 0, "```\n*a*\n```\n", "\n*a* \n\n"},
    {"md reference definition", 0, "[1]: https://x.jp\n本文\n", "\n本文 \n"},
    {"md escape", 0, "\\*星\\*\n", "*星* \n"},
    {"html paragraph and entities", 1, "<p>連携&amp;検討&#x3042;&#12354;</p>\n",
     "連携&検討ああ \n"},
    {"html heading", 1, "<h2>地域</h2>\n<h3>（1）部会</h3>\n", "【地域】 \n（1）部会 \n"},
    {"html table row per line", 1, "<tr><td>会議</td><td>2回</td></tr>\n", "会議 2回 \n"},
    {"html script, style, comment", 1, "<script>秘密</script><style>a{}</style>本文<!-- x\ny -->\n",
     "本文\n\n"},
    {"html link target dropped", 1, "<a href=\"https://x.jp/地域\">支援</a>\n", "支援\n"},
    {"html soft wrap", 1, "<p>今年度は\n検討した。</p>\n", "今年度は\n検討した。 \n"},
};

/* The contract every output keeps: the source's lines, and copied bytes mapped to themselves
** (a byte of the output equal to the source byte at its raw offset, for a UTF-8 source). */
static void check_map(const char *name, const DecodedText *src, const DecodedText *d) {
  size_t nl_src = 0, nl_out = 0;
  for (size_t i = 0; i < src->n_bytes; i++) nl_src += src->text[i] == '\n';
  for (size_t i = 0; i < d->n_bytes; i++) nl_out += d->text[i] == '\n';
  if (nl_src != nl_out) fail_msg("%s: %zu lines, source %zu", name, nl_out, nl_src);
  assert_non_null(d->raw_offset);
  for (size_t i = 0; i < d->n_bytes; i++) {
    size_t r = d->raw_offset[i];
    if (i > 0 && r < d->raw_offset[i - 1]) fail_msg("%s: map goes back at byte %zu", name, i);
    if (d->text[i] == '\n' && src->text[r] != '\n') fail_msg("%s: line end %zu not mapped", name, i);
  }
  assert_int_equal(d->raw_offset[d->n_bytes], src->n_bytes);
}

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    DecodedText *src = NULL, *out = NULL;
    assert_int_equal(dec_decode((const unsigned char *)cases[i].input, strlen(cases[i].input),
                                NULL, &src, NULL),
                     JFTS_OK);
    StripFn fn = cases[i].html ? markup_html : markup_markdown;
    assert_int_equal(fn(src, &out, NULL), JFTS_OK);
    if (strcmp(out->text, cases[i].expect) != 0)
      fail_msg("%s: got '%s', expected '%s'", cases[i].name, out->text, cases[i].expect);
    check_map(cases[i].name, src, out);
    dec_free(out);
    dec_free(src);
  }
}

/* Shift_JIS: the map goes through the decoder's, to raw bytes of two per kanji. */
static void test_shift_jis(void **state) {
  (void)state;
  static const unsigned char sjis[] = {'#', ' ', 0x92, 0x6E, 0x88, 0xE6, '\n'}; /* # 地域 */
  DecodedText *src = NULL, *out = NULL;
  assert_int_equal(dec_decode(sjis, sizeof sjis, "shift_jis", &src, NULL), JFTS_OK);
  assert_int_equal(markup_markdown(src, &out, NULL), JFTS_OK);
  assert_string_equal(out->text, "【地域】 \n");
  assert_string_equal(out->encoding, "Shift_JIS");
  size_t at = strlen("【");
  assert_int_equal(dec_raw_offset(out, at), 2);                 /* 地 */
  assert_int_equal(dec_raw_offset(out, at + strlen("地")), 4);  /* 域 */
  assert_int_equal(dec_raw_offset(out, out->n_bytes), sizeof sjis);
  dec_free(out);
  dec_free(src);
}

/* Every allocation failing in turn: out of memory, nothing leaked. */
static void test_nomem(void **state) {
  (void)state;
  const char *in = "# 見出し\n- 項目\n<p>本文&amp;</p>\n";
  DecodedText *src = NULL;
  assert_int_equal(dec_decode((const unsigned char *)in, strlen(in), NULL, &src, NULL), JFTS_OK);
  for (int html = 0; html <= 1; html++) {
    for (long n = 0;; n++) {
      long live = jfts_alloc_live();
      DecodedText *out = NULL;
      jfts_alloc_fail_after(n);
      int rc = (html ? markup_html : markup_markdown)(src, &out, NULL);
      jfts_alloc_fail_after(-1);
      if (rc == JFTS_OK) {
        dec_free(out);
        break;
      }
      assert_int_equal(rc, JFTS_ERR_NOMEM);
      assert_null(out);
      assert_int_equal(jfts_alloc_live(), live);
    }
  }
  dec_free(src);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_shift_jis),
      cmocka_unit_test(test_nomem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
