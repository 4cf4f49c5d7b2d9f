/* Tests of the report parser on the bundled corpus and on fixtures with the same defects:
** documents and wards, the meetings table against the report's printed numbers, headings,
** passage splitting, untagged files, and the invariant that no text is ever lost. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "report.h"
#include "textseg.h"
#include "test_report_check.h"
#include "test_util.h"

static Report *parse_file(const char *path, char **text_out, size_t *n_out) {
  *text_out = test_read_file(path, n_out);
  Report *r = NULL;
  char *err = NULL;
  int rc = report_parse(*text_out, *n_out, &r, &err);
  if (rc != JFTS_OK) fail_msg("report_parse(%s) = %d: %s", path, rc, err ? err : "");
  return r;
}

static void render_meetings(const Report *r, char *out, size_t n_out) {
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < r->n_meetings && k < n_out; i++) {
    const Meeting *m = &r->meetings[i];
    const ReportDoc *d = &r->docs[r->meeting_doc[i]];
    k += (size_t)snprintf(out + k, n_out - k, "%s|%d|%s|%s|%d\n", d->ward, m->slot, m->meeting,
                          m->local_name ? m->local_name : "-", m->count);
  }
}

static void test_corpus_meetings(void **state) {
  (void)state;
  char *text;
  size_t n;
  Report *r = parse_file(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", &text, &n);
  /* The numbers printed in the report's ○実施状況 tables, ward by ward. */
  static const char *expect =
      "青葉区|1|全体協議会|青葉区高齢者障害者地域会議|1\n"
      "青葉区|2|実務者ネットワーク会議|サポネットあおばのつどい|2\n"
      "青葉区|3|障害者相談支援事業所等連絡会議|-|7\n"
      "青葉区|4|地域展開チーム|-|12\n"
      "青葉区|5|運営会議|-|12\n"
      "宮城野区|1|全体協議会|-|1\n"
      "宮城野区|2|実務者ネットワーク会議|-|4\n"
      "宮城野区|3|障害者相談支援事業所等連絡会議|-|7\n"
      "宮城野区|4|プロジェクトチーム|-|0\n"
      "宮城野区|5|運営会議|-|12\n"
      "宮城野区|0|その他の活動|-|-1\n"
      "若林区|1|全体協議会|IGASU会議|1\n"
      "若林区|2|実務者ネットワーク会議|-|1\n"
      "若林区|3|障害者相談支援事業所等連絡会議|-|11\n"
      "若林区|4|プロジェクトチーム|-|0\n"
      "若林区|5|運営会議|-|12\n"
      "太白区|1|全体協議会|-|0\n"
      "太白区|2|実務者ネットワーク会議|-|5\n"
      "太白区|3|障害者相談支援事業所等連絡会議|-|5\n"
      "太白区|4|プロジェクトチーム|-|0\n"
      "太白区|5|運営会議|-|10\n"
      "太白区|0|研修協力|-|1\n"
      "太白区|0|太白地域丸ごと相談事業|-|8\n"
      "太白区|0|太白地域丸ごと健康運動教室|-|4\n"
      "泉区|1|全体協議会|-|1\n"
      "泉区|2|実務者ネットワーク会議|-|5\n"
      "泉区|3|障害者相談支援事業所等連絡会議|-|8\n"
      "泉区|4|プロジェクトチーム|-|0\n"
      "泉区|5|運営会議|-|12\n"
      "泉区|0|その他の活動|-|-1\n";
  char got[4096];
  render_meetings(r, got, sizeof got);
  assert_string_equal(got, expect);
  /* Descriptions: the なし rows and a row whose description shares the count's line. */
  assert_string_equal(r->meetings[8].text, "なし");
  assert_string_equal(r->meetings[10].text, "なし");
  assert_string_equal(r->meetings[29].text, "特になし");
  assert_string_equal(r->meetings[19].text, "");
  assert_int_equal(r->meetings[19].passage, -1);
  assert_true(strncmp(r->meetings[11].text, "ハイブリット形式で開催。", 36) == 0);
  assert_int_equal(r->meetings[0].line_start, 16);
  report_free(r);
  free(text);
}

static void test_corpus_documents_and_passages(void **state) {
  (void)state;
  char *text;
  size_t n;
  Report *r = parse_file(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", &text, &n);
  char got[1024];
  size_t k = 0;
  for (size_t i = 0; i < r->n_docs; i++)
    k += (size_t)snprintf(got + k, sizeof got - k, "%s %d %s %d-%d;", r->docs[i].ward,
                          r->docs[i].year, r->docs[i].year_label, r->docs[i].line_start,
                          r->docs[i].line_end);
  assert_string_equal(got, "青葉区 2021 令和3年度 6-178;宮城野区 2021 令和3年度 179-348;"
                           "若林区 2021 令和3年度 349-534;太白区 2021 令和3年度 535-690;"
                           "泉区 2021 令和3年度 691-845;");
  assert_true(r->tagged);
  check_no_text_lost("corpus", text, n, r);

  /* The five mentions of 8050問題, each whole in one passage after repair. */
  int n_8050 = 0, n_wrapped = 0;
  for (size_t i = 0; i < r->n_passages; i++) {
    const char *t = r->passages[i].body.text;
    for (const char *q = t; (q = strstr(q, "8050")) != NULL; q += 4) {
      const char *after = q + 4;
      if (*after == ' ') after++;
      if (strncmp(after, "問題", strlen("問題")) == 0) {
        n_8050++;
        if (after == q + 4) n_wrapped++;
        assert_true(strcmp(r->passages[i].ward, "宮城野区") == 0 ||
                    strcmp(r->passages[i].ward, "若林区") == 0);
      }
    }
  }
  assert_int_equal(n_8050, 5);
  assert_int_equal(n_wrapped, 2);

  /* Headings in 宮城野区's and 若林区's sections; nothing of them leaks into passages. */
  static const struct {
    const char *name, *needle, *ward, *section, *heading;
  } cases[] = {
      {"nested heading", "手芸店店舗前", "宮城野区", "1",
       "（２）実務者ネットワーク会議エリア会（区内３エリア 鶴ケ谷、幸町、高砂・岩切） › 【鶴ケ谷エリア】"},
      {"numbered heading", "昨年度から続くコロナ禍", "宮城野区", "1", "（１）実務者ネットワーク会議全体会"},
      {"circled heading", "令和 2年度から", "若林区", "1", "①教育分野とのよりよい連携に向けた取り組み"},
      {"〇 heading", "なお、1月のみ", "青葉区", "1", "〇障害者相談支援事業所等連絡会議（以下、連絡会）"},
      {"half-width paren heading", "困難事例の集約", "泉区", "1", "（3）泉区内の支援課題の把握・整理"},
      {"section 2 no heading", "セキュリティポリシー", "青葉区", "2", NULL},
      {"table row", "人のつながりを広げる", "青葉区", "table", NULL},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const Passage *found = NULL;
    for (size_t i = 0; i < r->n_passages && !found; i++)
      if (strstr(r->passages[i].body.text, cases[c].needle)) found = &r->passages[i];
    if (found == NULL) fail_msg("case '%s': no passage holds %s", cases[c].name, cases[c].needle);
    if (strcmp(found->ward, cases[c].ward) != 0 || strcmp(found->section, cases[c].section) != 0)
      fail_msg("case '%s': ward %s section %s", cases[c].name, found->ward, found->section);
    const char *h = found->heading ? found->heading : "(null)";
    const char *eh = cases[c].heading ? cases[c].heading : "(null)";
    if (strcmp(h, eh) != 0) fail_msg("case '%s': heading '%s', expected '%s'", cases[c].name, h, eh);
  }
  for (size_t i = 0; i < r->n_passages; i++) {
    if (strstr(r->passages[i].body.text, "【鶴ケ谷エリア】"))
      fail_msg("a heading line is inside passage %zu", i);
    if (strcmp(r->passages[i].section ? r->passages[i].section : "", "2") == 0)
      assert_non_null(strstr(r->passages[i].section_title, "現状における課題"));
  }
  report_free(r);
  free(text);
}

static void test_crlf_same_as_lf(void **state) {
  (void)state;
  char *text;
  size_t n;
  Report *lf = parse_file(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", &text, &n);
  char *crlf = malloc(2 * n + 1);
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '\n') crlf[m++] = '\r';
    crlf[m++] = text[i];
  }
  Report *r = NULL;
  assert_int_equal(report_parse(crlf, m, &r, NULL), JFTS_OK);
  assert_int_equal(r->n_passages, lf->n_passages);
  assert_int_equal(r->n_meetings, lf->n_meetings);
  for (size_t i = 0; i < r->n_passages; i++) {
    assert_string_equal(r->passages[i].body.text, lf->passages[i].body.text);
    assert_int_equal(r->passages[i].line_start, lf->passages[i].line_start);
    assert_int_equal(r->passages[i].line_end, lf->passages[i].line_end);
  }
  char a[4096], b[4096];
  render_meetings(lf, a, sizeof a);
  render_meetings(r, b, sizeof b);
  assert_string_equal(a, b);
  check_no_text_lost("crlf", crlf, m, r);
  report_free(r);
  report_free(lf);
  free(crlf);
  free(text);
}

static void test_fixtures(void **state) {
  (void)state;
  static const struct {
    const char *file;
    int tagged;
    size_t n_docs, n_passages, n_meetings;
    const char *meetings, *first_passage;
  } cases[] = {
      {"second-city.txt", 1, 1, 10, 6,
       "中央区|1|全体協議会|-|2\n中央区|2|実務者ネットワーク会議|ちゅうおうネット|6\n"
       "中央区|3|障害者相談支援事業所等連絡会議|-|10\n中央区|4|プロジェクトチーム|-|0\n"
       "中央区|5|運営会議|-|12\n中央区|0|その他の活動|-|-1\n",
       "年2回開催し、8050問題について意見交換を行った。"},
      /* Untagged: the three short paragraphs make one passage, one line break between. */
      {"plain.txt", 0, 0, 1, 0, "",
       "これは報告書の様式に従わない文書です。段落は空行で区切られ、行末に空白はありません。"
       "折り返された行は一つの段落としてつなげられます。\n"
       "二つ目の段落です。地域包括支援センターとの連携について述べています。\n"
       "Third paragraph in English, wrapped across two lines."},
      {"empty.txt", 0, 0, 0, 0, "", NULL},
      {"blank-lines.txt", 0, 0, 0, 0, "", NULL},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    char path[512], *text, got[4096];
    size_t n;
    snprintf(path, sizeof path, "%s/report/%s", JFTS_TESTDATA, cases[c].file);
    Report *r = parse_file(path, &text, &n);
    if (r->tagged != cases[c].tagged || r->n_docs != cases[c].n_docs ||
        r->n_passages != cases[c].n_passages || r->n_meetings != cases[c].n_meetings)
      fail_msg("%s: tagged %d docs %zu passages %zu meetings %zu", cases[c].file, r->tagged,
               r->n_docs, r->n_passages, r->n_meetings);
    render_meetings(r, got, sizeof got);
    if (strcmp(got, cases[c].meetings) != 0) fail_msg("%s: meetings\n%s", cases[c].file, got);
    if (cases[c].first_passage)
      assert_string_equal(r->passages[0].body.text, cases[c].first_passage);
    check_no_text_lost(cases[c].file, text, n, r);
    report_free(r);
    free(text);
  }
}

static void test_second_city_structure(void **state) {
  (void)state;
  char *text;
  size_t n;
  Report *r = parse_file(JFTS_TESTDATA "/report/second-city.txt", &text, &n);
  assert_string_equal(r->docs[0].ward, "中央区");
  assert_int_equal(r->docs[0].year, 2022);
  assert_string_equal(r->docs[0].year_label, "令和4年度");
  const Passage *last = &r->passages[r->n_passages - 1];
  assert_string_equal(last->section, "3");
  assert_string_equal(last->body.text, "・引き続き連携を強化する。");
  const Passage *north = &r->passages[r->n_passages - 3];
  assert_string_equal(north->body.text, "北部の事業所と情報交換を行った。");
  assert_string_equal(north->heading, "(1)地域との連携 › 【北部エリア】");
  report_free(r);
  free(text);
}

/* Untagged text groups its blocks into passages of at least 200 characters (never past 450,
** where a passage would be cut again); the spec gives each block's length in characters,
** the expectation each passage's number of blocks. */
static void test_untagged_grouping(void **state) {
  (void)state;
  static const struct {
    const char *name;
    int blocks[12]; /* characters per block, 0 ends the list */
    const char *expect;
  } cases[] = {
      {"short blocks make one passage", {30, 30, 30, 30, 30}, "5"},
      {"groups close at 200 characters", {60, 60, 60, 60, 60, 60, 60, 60, 60, 60}, "4 4 2"},
      {"a block that would pass 450 starts a new passage", {100, 400, 20}, "1 1 1"},
      /* 19 + the line break + 430 = 450 characters: one passage; one more starts anew. */
      {"a long block joins while the joined text fits", {19, 430, 10}, "2 1"},
      {"one character more and it starts a passage", {20, 430, 10}, "1 1 1"},
      {"one block", {10}, "1"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    size_t cap = 64 * 1024, n = 0;
    char *text = malloc(cap);
    size_t n_blocks = 0;
    for (size_t b = 0; b < 12 && cases[c].blocks[b]; b++, n_blocks++) {
      /* Blocks wrapped over lines of 20 characters, separated by a blank line. */
      for (int k = 0; k < cases[c].blocks[b]; k++) {
        n += (size_t)sprintf(text + n, "%s", k % 20 == 19 ? "文\n" : "字");
      }
      n += (size_t)sprintf(text + n, "\n\n");
    }
    Report *r = NULL;
    assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
    char got[128] = "";
    size_t len = 0;
    for (size_t i = 0; i < r->n_passages; i++) {
      const RepText *body = &r->passages[i].body;
      size_t n_block_breaks = 0;
      for (size_t k = 0; k < body->n_bytes; k++) n_block_breaks += body->text[k] == '\n';
      len += (size_t)snprintf(got + len, sizeof got - len, "%s%zu", i ? " " : "",
                              n_block_breaks + 1);
    }
    if (strcmp(got, cases[c].expect) != 0) print_error("case '%s'\n", cases[c].name);
    assert_string_equal(got, cases[c].expect);
    assert_false(r->tagged);
    check_no_text_lost(cases[c].name, text, n, r);
    report_free(r);
    free(text);
  }
}

static size_t count_utf8_chars(const char *s, size_t n) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0u) != 0x80u;
  return c;
}

/* The group's size is that of the joined text: many short blocks add a line break each,
** and a paragraph that fits is never cut because those were not counted. */
static void test_untagged_group_counts_joins(void **state) {
  (void)state;
  size_t cap = 64 * 1024, n = 0;
  char *text = malloc(cap);
  for (int b = 0; b < 99; b++) n += (size_t)sprintf(text + n, "字字\n\n");
  for (int k = 0; k < 245; k++) n += (size_t)sprintf(text + n, "%s", k % 40 == 39 ? "長。" : "長");
  n += (size_t)sprintf(text + n, "\n");
  Report *r = NULL;
  assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
  size_t whole = 0;
  for (size_t i = 0; i < r->n_passages; i++) {
    const RepText *b = &r->passages[i].body;
    assert_true(count_utf8_chars(b->text, b->n_bytes) <= 450);
    size_t longs = 0;
    for (const char *q = b->text; (q = strstr(q, "長")) != NULL; q += strlen("長")) longs++;
    if (longs) assert_int_equal(longs, 245);
    whole += longs == 245;
  }
  assert_int_equal(whole, 1);
  check_no_text_lost("joins", text, n, r);
  report_free(r);
  free(text);
}

static void test_long_passage_split(void **state) {
  (void)state;
  /* One 2,400-character paragraph of 40-character sentences, and one 6,000-byte sentence. */
  size_t cap = 64 * 1024, n = 0;
  char *text = malloc(cap);
  for (int s = 0; s < 60; s++) {
    for (int c = 0; c < 39; c++) n += (size_t)sprintf(text + n, "%s", c % 2 ? "あ" : "漢");
    n += (size_t)sprintf(text + n, "。");
  }
  n += (size_t)sprintf(text + n, " \n");
  for (int c = 0; c < 2000; c++) n += (size_t)sprintf(text + n, "長");
  n += (size_t)sprintf(text + n, " \n");
  Report *r = NULL;
  assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);
  size_t joined = 0;
  for (size_t i = 0; i < r->n_passages; i++) {
    const RepText *b = &r->passages[i].body;
    assert_true(b->n_bytes <= REPORT_PASSAGE_MAX);
    joined += b->n_bytes;
  }
  /* 2,400 chars split near 300 at sentence ends; 2,000 chars (6,000 bytes) cut under 4 KB. */
  assert_true(r->n_passages >= 8 + 2);
  assert_int_equal(joined, n - 4);
  size_t n_sentence_pieces = 0;
  for (size_t i = 0; i < r->n_passages; i++) {
    const RepText *b = &r->passages[i].body;
    if (strncmp(b->text, "漢", strlen("漢")) != 0) continue;
    n_sentence_pieces++;
    size_t n_chars = b->n_bytes / 3;
    int last = i + 1 == r->n_passages || strncmp(r->passages[i + 1].body.text, "漢", 3) != 0;
    if ((!last && n_chars < 280) || n_chars > 480)
      fail_msg("passage %zu has %zu characters", i, n_chars);
    assert_string_equal(b->text + b->n_bytes - strlen("。"), "。");
  }
  assert_true(n_sentence_pieces >= 5);
  check_no_text_lost("long", text, n, r);
  report_free(r);
  free(text);
}

/* The file with every line's trailing white space removed, as editors and text cleaners do. */
static char *strip_trailing_spaces(const char *text, size_t n, size_t *n_out) {
  char *out = malloc(n + 1);
  assert_non_null(out);
  size_t k = 0, line_start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i < n && text[i] != '\n') continue;
    size_t e = i;
    while (e > line_start) {
      uint32_t c;
      size_t len = jfts_utf8_prev(text + line_start, e - line_start, &c);
      if (!repair_is_space(c) && c != '\r') break;
      e -= len;
    }
    memcpy(out + k, text + line_start, e - line_start);
    k += e - line_start;
    if (i < n) out[k++] = '\n';
    line_start = i + 1;
  }
  out[k] = '\0';
  *n_out = k;
  return out;
}

/* What the report's structure says, white space aside: per document its ward, its sections
** (with titles) and its number of passages; then the meeting rows as render_meetings gives
** them. */
static char *render_structure(const Report *r) {
  size_t cap = 1 << 16, k = 0;
  char *out = malloc(cap);
  assert_non_null(out);
  for (size_t d = 0; d < r->n_docs; d++) {
    size_t n_passages = 0;
    const char *section = NULL;
    k += (size_t)snprintf(out + k, cap - k, "%s:", r->docs[d].ward);
    for (size_t i = 0; i < r->n_passages; i++) {
      if (r->passage_doc[i] != (int)d) continue;
      n_passages++;
      const Passage *ps = &r->passages[i];
      if (ps->section && (section == NULL || strcmp(section, ps->section) != 0)) {
        section = ps->section;
        k += (size_t)snprintf(out + k, cap - k, " %s(%s)", section,
                              ps->section_title ? ps->section_title : "");
      }
    }
    k += (size_t)snprintf(out + k, cap - k, " %zu passages\n", n_passages);
    assert_true(k + 1024 < cap);
  }
  render_meetings(r, out + k, cap - k);
  return out;
}

static void test_corpus_without_trailing_spaces(void **state) {
  (void)state;
  char *text;
  size_t n;
  Report *r = parse_file(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", &text, &n);
  size_t n_bare;
  char *bare = strip_trailing_spaces(text, n, &n_bare);
  assert_true(n_bare < n);
  Report *rb = NULL;
  assert_int_equal(report_parse(bare, n_bare, &rb, NULL), JFTS_OK);
  check_no_text_lost("stripped corpus", bare, n_bare, rb);
  /* Same documents, sections, passages per ward (with the same text, white space aside)
  ** and meeting rows. */
  assert_int_equal(rb->n_docs, r->n_docs);
  for (size_t d = 0; d < r->n_docs; d++) assert_string_equal(rb->docs[d].ward, r->docs[d].ward);
  char *want = render_structure(r), *got = render_structure(rb);
  for (const char *a = want, *b = got; *a || *b;) {
    size_t na = strcspn(a, "\n"), nb = strcspn(b, "\n");
    if (na != nb || memcmp(a, b, na) != 0)
      print_error("with trailing spaces: %.*s\nwithout:              %.*s\n", (int)na, a,
                  (int)nb, b);
    a += na + (a[na] != '\0');
    b += nb + (b[nb] != '\0');
  }
  assert_true(strcmp(got, want) == 0);
  free(want);
  free(got);
  report_free(rb);
  report_free(r);
  free(bare);
  free(text);
}

static void test_no_leaks(void **state) {
  (void)state;
  seg_shutdown();
  assert_int_equal(jfts_alloc_live(), 0);
  assert_string_equal(report_canonical_ward("青葉"), "青葉区");
  assert_string_equal(report_canonical_ward("泉区"), "泉区");
  assert_null(report_canonical_ward("中央区"));
  assert_null(report_canonical_ward(""));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_corpus_meetings),
      cmocka_unit_test(test_corpus_documents_and_passages),
      cmocka_unit_test(test_crlf_same_as_lf),
      cmocka_unit_test(test_fixtures),
      cmocka_unit_test(test_second_city_structure),
      cmocka_unit_test(test_untagged_grouping),
      cmocka_unit_test(test_untagged_group_counts_joins),
      cmocka_unit_test(test_long_passage_split),
      cmocka_unit_test(test_corpus_without_trailing_spaces),
      cmocka_unit_test(test_no_leaks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
