/* Tests of PDF-damage repair: line splitting with block ends, the wrap-joining rule for every
** damage pattern the corpus shows, and the exact map from repaired bytes back to the source. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jfts_common.h"
#include "repair.h"

/* Joins the lines of src as the report parser does inside a block and renders
** "text" + "#" + segments "text_start<src_start+n@line" separated by ",". */
static void render_join(const char *src, char *out, size_t n_out) {
  RepLine *lines = NULL;
  size_t n_lines = 0;
  assert_int_equal(repair_split_lines(src, strlen(src), &lines, &n_lines), JFTS_OK);
  RepText t = {0};
  int rc = JFTS_OK;
  int prev_block_end = 0;
  for (size_t i = 0; i < n_lines; i++) {
    if (lines[i].trim_start >= lines[i].trim_end) continue;
    repair_append(&t, src, lines[i].trim_start, lines[i].trim_end, lines[i].lineno,
                  prev_block_end ? REP_JOIN_BLOCK : REP_JOIN_WRAP, &rc);
    prev_block_end = lines[i].ends_block;
  }
  assert_int_equal(rc, JFTS_OK);
  size_t k = (size_t)snprintf(out, n_out, "%s#", t.text ? t.text : "");
  for (size_t i = 0; i < t.n_segs && k < n_out; i++)
    k += (size_t)snprintf(out + k, n_out - k, "%s%u<%u+%u@%d", i ? "," : "", t.segs[i].text_start,
                          t.segs[i].src_start, t.segs[i].n_bytes, t.segs[i].lineno);
  repair_reset(&t);
  jfts_free(lines);
}

static void test_join_patterns(void **state) {
  (void)state;
  static const struct {
    const char *name, *input, *expect;
  } cases[] = {
      {"word broken in kanji", "地域包\n括支援センター \n", "地域包括支援センター#0<0+9@1,9<10+21@2"},
      {"digits then kanji", "8050\n問題 \n", "8050問題#0<0+4@1,4<5+6@2"},
      {"katakana broken", "ケースレ\nビュー \n", "ケースレビュー#0<0+12@1,12<13+9@2"},
      {"two digits stay two numbers", "80\n50 \n", "80 50#0<0+2@1,3<3+2@2"},
      {"full-width digits", "基本目標４\n３　施設 \n",
       "基本目標４ ３　施設#0<0+15@1,16<16+12@2"},
      {"digits then a circled number", "292,514\n④地域 \n", "292,514 ④地域#0<0+7@1,8<8+9@2"},
      {"circled number then digits", "①\n2 \n", "① 2#0<0+3@1,4<4+1@2"},
      {"two Latin words", "IGASU\nmeeting \n", "IGASU meeting#0<0+5@1,6<6+7@2"},
      {"Latin then digit", "COVID\n19 \n", "COVID 19#0<0+5@1,6<6+2@2"},
      {"digit then Latin", "2\nnd \n", "2 nd#0<0+1@1,2<2+2@2"},
      {"full-width Latin", "ＷＥＢ\nｓｉｔｅ \n", "ＷＥＢ ｓｉｔｅ#0<0+9@1,10<10+12@2"},
      {"Latin then kana", "Web\n開催 \n", "Web開催#0<0+3@1,3<4+6@2"},
      {"spaces kept inside", "8050 問題を\nテーマ \n", "8050 問題をテーマ#0<0+14@1,14<15+9@2"},
      {"table name cell", "（２）実務者ネットワーク会\n議 \n",
       "（２）実務者ネットワーク会議#0<0+39@1,39<40+3@2"},
      {"block end joins with newline", "プロジェクト \nチーム 0回 \n",
       "プロジェクト\nチーム 0回#0<0+18@1,19<20+14@2"},
      {"blank lines are noise", "地域包\n\n括 \n", "地域包括#0<0+9@1,9<11+3@3"},
      {"CRLF", "地域包\r\n括 \r\n", "地域包括#0<0+9@1,9<11+3@2"},
      {"CR only", "地域包\r括 \r", "地域包括#0<0+9@1,9<10+3@2"},
      {"indent trimmed", "  ・実務者 \n", "・実務者#0<2+12@1"},
      {"ideographic space trimmed", "\xe3\x80\x80地域\xe3\x80\x80 \n", "地域#0<3+6@1"},
      {"empty", "", "#"},
  };
  char got[512];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    render_join(cases[i].input, got, sizeof got);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
  }
}

/* The wrap rule by itself, as the PDF reader's join uses it (pdf_doc_join_soft_wraps). */
static void test_wrap_space(void **state) {
  (void)state;
  static const struct {
    const char *name;
    uint32_t before, after;
    int space;
  } cases[] = {
      {"kanji, kanji", 0x5305, 0x62EC, 0},        /* 包 括 */
      {"digit, kanji", '0', 0x554F, 0},           /* 8050 問題 */
      {"Latin, kana", 'b', 0x958B, 0},            /* Web 開催 */
      {"digit, digit", '4', '2', 1},
      {"wide digit, wide digit", 0xFF14, 0xFF13, 1}, /* ４ ３ */
      {"digit, circled", '4', 0x2463, 1},         /* 514 ④ */
      {"Latin, Latin", 'e', 'm', 1},
      {"wide Latin", 0xFF22, 0xFF53, 1},
      {"accented Latin", 0xE9, 'a', 1},
      {"Latin, ideographic full stop", 'e', 0x3002, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    if (repair_wrap_space(cases[i].before, cases[i].after) != cases[i].space)
      fail_msg("case '%s': expected %d", cases[i].name, cases[i].space);
}

static void test_split_lines(void **state) {
  (void)state;
  const char *src = "a \nb\r\n\n c \r\nd";
  RepLine *lines = NULL;
  size_t n = 0;
  assert_int_equal(repair_split_lines(src, strlen(src), &lines, &n), JFTS_OK);
  char got[256];
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += (size_t)snprintf(got + k, sizeof got - k, "%s%d:%zu-%zu/%zu-%zu%s", i ? "|" : "",
                          lines[i].lineno, lines[i].start, lines[i].end, lines[i].trim_start,
                          lines[i].trim_end, lines[i].ends_block ? "E" : "");
  assert_string_equal(got, "1:0-2/0-1E|2:3-4/3-4|3:6-6/6-6|4:7-10/8-9E|5:12-13/12-13E");
  jfts_free(lines);
}

/* Renders t's segments as "text_start<src_start+n@line" separated by ",", and checks that
** each one is a verbatim copy of src and that only `inserted` bytes lie outside them. */
static void render_segs(const RepText *t, const char *src, const char *inserted, char *out,
                        size_t n_out) {
  size_t k = 0, covered = 0;
  char gaps[16] = "";
  size_t n_gaps = 0;
  for (size_t i = 0; i < t->n_segs; i++) {
    const RepSeg *g = &t->segs[i];
    assert_memory_equal(t->text + g->text_start, src + g->src_start, g->n_bytes);
    for (; covered < g->text_start && n_gaps + 1 < sizeof gaps; covered++)
      gaps[n_gaps++] = t->text[covered];
    covered = (size_t)g->text_start + g->n_bytes;
    k += (size_t)snprintf(out + k, n_out - k, "%s%u<%u+%u@%d", i ? "," : "", g->text_start,
                          g->src_start, g->n_bytes, g->lineno);
    assert_true(k < n_out);
  }
  assert_int_equal(covered, t->n_bytes);
  assert_string_equal(gaps, inserted);
}

static void test_offsets_map_back(void **state) {
  (void)state;
  /* Every repaired byte is a copy of a source byte in a segment, inserted ones excepted. */
  const char *src = "  地域包\n括支援 IGASU\nmeeting 8050\n問題 \n";
  RepLine *lines = NULL;
  size_t n = 0;
  assert_int_equal(repair_split_lines(src, strlen(src), &lines, &n), JFTS_OK);
  RepText t = {0};
  int rc = JFTS_OK;
  for (size_t i = 0; i < n; i++)
    repair_append(&t, src, lines[i].trim_start, lines[i].trim_end, lines[i].lineno,
                  REP_JOIN_WRAP, &rc);
  assert_int_equal(rc, JFTS_OK);
  assert_string_equal(t.text, "地域包括支援 IGASU meeting 8050問題");
  char got[256];
  render_segs(&t, src, " ", got, sizeof got);
  assert_string_equal(got, "0<2+9@1,9<12+15@2,25<28+12@3,37<41+6@4");

  /* A slice keeps the segments of its bytes, cut to the slice. */
  RepText slice;
  const char *q = strstr(t.text, "問題");
  size_t a = (size_t)(strstr(t.text, "援") - t.text), e = (size_t)(q - t.text);
  repair_slice(&t, a, e, &slice, &rc);
  assert_int_equal(rc, JFTS_OK);
  assert_string_equal(slice.text, "援 IGASU meeting 8050");
  render_segs(&slice, src, " ", got, sizeof got);
  assert_string_equal(got, "0<18+9@2,10<28+12@3");
  repair_reset(&slice);
  repair_reset(&t);
  jfts_free(lines);
  assert_int_equal(jfts_alloc_live(), 0);
}

/* The structural signals of a line, and block ends inferred from them where a file has no
** trailing spaces. */
static void test_signals(void **state) {
  (void)state;
  static const struct {
    const char *line;
    int sentence, item;
  } cases[] = {
      {"必要があります。", 1, 0},        {"実施した（注）。」", 1, 0},
      {"相談機関のネッ", 0, 0},          {"①地域支援事業費", 0, 1},
      {"（1）全体協議会", 0, 1},        {"(12) 運営", 0, 1},
      {"（エ）障害福祉サービス", 0, 1},  {"エ）障害福祉サービス", 0, 1},
      {"・実務者", 0, 1},                {"‐ 項目", 0, 1},
      {"- item", 0, 1},                  {"-1", 0, 0},
      {"第１章　計画の基本的事項", 0, 1}, {"第 1 回開催時は", 0, 0},
      {"第１   計画策定の趣旨", 0, 1},     {"第一次体制…", 0, 1},
      {"【北部エリア】", 0, 1},          {"■目的", 0, 1},
      {"◆施策", 0, 1},                  {"１ 今年度の主な取組み", 0, 1},
      {"１．目的", 0, 1},                {"2 回目の開催", 0, 0},
      {"３件報告を行い", 0, 0},          {"12,345 円", 0, 0},
      {"（青葉区高齢者", 0, 0},          {"Is it?", 1, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    RepLine *lines = NULL;
    size_t n = 0;
    const char *s = cases[i].line;
    assert_int_equal(repair_split_lines(s, strlen(s), &lines, &n), JFTS_OK);
    int sentence = repair_ends_sentence(s, &lines[0]), item = repair_starts_item(s, &lines[0]);
    if (sentence != cases[i].sentence || item != cases[i].item)
      fail_msg("'%s': sentence %d item %d", s, sentence, item);
    jfts_free(lines);
  }

  static const struct {
    const char *name, *input;
    int blank_ends;
    const char *expect; /* per line: E ends a block, . does not, _ blank */
  } files[] = {
      {"sentence end and marker", "必要があり\nます。\n次の文\n①項目\n", 0, ".EEE"},
      {"short line ends a paragraph",
       "あいうえおかきくけこさしすせそ\nたちつてと\nなにぬねのはひふへほまみむめも\n終わり\n", 0,
       ".E.E"},
      {"ragged Latin is no paragraph end", "The quick brown fox jumps\nover the\nlazy dog\n", 0,
       "..E"},
      {"blank lines end blocks", "一行目\n\n二行目\n三行目\n", 1, "E_.E"},
      {"double-spaced blank lines say nothing", "一行目\n\n二行目\n", 0, "._E"},
      {"numbers wrapped", "290,842 292,514\n④地域支援事業費\n", 0, "EE"},
      {"a narrow table cell", "項目\nファイルシステムのサイ\nズ\n", 0, "E.E"},
      {"a short line before a small kana", "長い行が続いたあとで、ディスク\nェックをします\n", 0,
       ".E"},
      {"a hanging indent goes on",
       "  2.6   apt(8) や aptitude(8) を使う基本パッケージ\n        管理操作 . . . . . . . . . . . . . . 48\n",
       0, ".E"},
      {"a bracket pair goes on", "状況にあります。（\nエ）障害福祉\n", 0, ".E"},
  };
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    RepLine *lines = NULL;
    size_t n = 0;
    const char *s = files[i].input;
    assert_int_equal(repair_split_lines(s, strlen(s), &lines, &n), JFTS_OK);
    repair_infer_block_ends(s, lines, n, files[i].blank_ends);
    char got[32] = "";
    for (size_t k = 0; k < n && k + 1 < sizeof got; k++)
      got[k] = lines[k].trim_start >= lines[k].trim_end ? '_' : lines[k].ends_block ? 'E' : '.';
    if (strcmp(got, files[i].expect) != 0)
      fail_msg("case '%s': got %s, expected %s", files[i].name, got, files[i].expect);
    jfts_free(lines);
  }
}

/* The bracket classes: every opening bracket's partner is a closing one. */
static void test_brackets(void **state) {
  (void)state;
  static const uint32_t open[] = {'(', '[', 0xFF08, 0x300C, 0x300E, 0x3010, 0x3014, 0x3008,
                                  0x201C, 0xFF62};
  static const uint32_t close[] = {')', ']', 0xFF09, 0x300D, 0x300F, 0x3011, 0x3015, 0x3009,
                                   0x201D, 0xFF63};
  for (size_t i = 0; i < sizeof open / sizeof *open; i++) {
    assert_true(repair_is_open_bracket(open[i]) && !repair_is_close_bracket(open[i]));
    assert_true(repair_is_close_bracket(close[i]) && !repair_is_open_bracket(close[i]));
  }
  assert_false(repair_is_open_bracket(0x3012)); /* 〒 */
  assert_false(repair_is_close_bracket(0x3013)); /* 〓 */
  assert_false(repair_is_open_bracket(0x3002));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_join_patterns),
      cmocka_unit_test(test_wrap_space),
      cmocka_unit_test(test_split_lines),
      cmocka_unit_test(test_offsets_map_back),
      cmocka_unit_test(test_signals),
      cmocka_unit_test(test_brackets),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
