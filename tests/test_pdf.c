/* Tests of the PDF reader (pdf.h) on the reportlab fixtures of tests/data/pdf/ (made by
** make-fixtures.py from the corpus): reading order, letter spacing, table rows, soft wraps,
** running headers and footers set apart, page and line numbers, document info, every way a
** file is refused with its exact message, and clean failure at each allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "pdf.h"
#include "test_util.h"

#define PDF_DIR JFTS_TESTDATA "/pdf/"

/* Reads fixture name (under tests/data/pdf/); fails the test unless rc is expect_rc. */
static PdfDoc *read_fixture(const char *name, int expect_rc, char **err_out) {
  char path[512];
  snprintf(path, sizeof path, PDF_DIR "%s", name);
  size_t n = 0;
  char *raw = test_read_file(path, &n);
  PdfDoc *doc = NULL;
  int rc = pdf_read((const unsigned char *)raw, n, name, &doc, err_out);
  free(raw);
  if (rc != expect_rc) fail_msg("%s: rc %d, expected %d (%s)", name, rc, expect_rc,
                                err_out && *err_out ? *err_out : "");
  return doc;
}

/* Line `line` of page `page` as "flag|text" (flag s: soft wrap, b: block end, -: neither),
** or "(none)". */
static const char *line_at(const PdfDoc *doc, uint32_t page, uint32_t line, char *buf,
                           size_t n_buf) {
  for (size_t i = 0; i < doc->n_lines; i++) {
    const PdfLine *l = &doc->lines[i];
    if (l->page != page || l->line != line) continue;
    const char *flag = l->flags & PDF_LINE_SOFT_WRAP ? "s" : l->flags & PDF_LINE_BLOCK_END ? "b" : "-";
    snprintf(buf, n_buf, "%s|%.*s", flag, (int)l->n_bytes, doc->text + l->start_byte);
    return buf;
  }
  return "(none)";
}

static void test_lines(void **state) {
  (void)state;
  static const struct {
    const char *file;
    uint32_t page, line;
    const char *expect;
  } cases[] = {
      /* letter-spaced headings (Tc of 1 and 3 em, and a lone pair) read as one word */
      {"spacing.pdf", 1, 1, "b|人件費"},
      {"spacing.pdf", 1, 2, "b|事業費"},
      {"spacing.pdf", 1, 3, "b|氏名"},
      /* two words one em apart stay two words; Latin word spaces; a cell gap is a tab */
      {"spacing.pdf", 1, 4, "b|会議 年間実施"},
      {"spacing.pdf", 1, 5, "b|Total cost of care"},
      {"spacing.pdf", 1, 6, "b|合計\t１２３千円"},
      {"spacing.pdf", 1, 7, "(none)"},
      /* a ruled table: each row one line, cells apart, then the text under it */
      {"table.pdf", 1, 2, "b|実施状況"},
      {"table.pdf", 1, 3, "b|会議\t年間実施予定回数\t主な内容・議題等"},
      {"table.pdf", 1, 5, "b|実務者ネットワーク会議\t２回\tオンラインでネットワークづくり"},
      {"table.pdf", 1, 8, "b|表の後の本文：各部会の開催状況は上表のとおりである。"},
      /* lines wrapped mid-word are soft wraps; an indented line starts a paragraph */
      {"wrap.pdf", 1, 1, "s|障害者の相談に応じるため、地域包"},
      {"wrap.pdf", 1, 4, "-|務者ネットワーク会議を開催した。"},
      {"wrap.pdf", 1, 5, "s|次年度も精神障害にも対応した地"},
      {"wrap.pdf", 1, 6, "b|域包括ケアシステムの構築を進める。"},
      {"wrap.pdf", 1, 7, "s|Latin words wrap with a"},
      /* two columns: the heading over both, then the left column, then the right one; the
      ** running header is not line 1 */
      {"columns.pdf", 1, 1, "b|人件費"},
      {"columns.pdf", 1, 2, "s|令和 3年度 青葉区障害者自立支援協議会 取組状"},
      {"columns.pdf", 2, 1, "b|事業費"},
      {"columns.pdf", 3, 1, "b|活動実績"},
      /* hanging indents: an item's wrapped lines are set under its text, not its marker,
      ** and go on (•, （1）, ①); an item's last line, even a full one, is followed by the
      ** next item; entries of a table of contents (leaders and a page number) are lines of
      ** their own; a full last line of a paragraph before an indented one is a hard break */
      {"lists.pdf", 1, 1, "s|• 障害者の権利擁護や顔の見えるネットワークづくりの観点か"},
      {"lists.pdf", 1, 2, "s|ら、以下のテーマを掲げて実施①『オンラインでネットワー"},
      {"lists.pdf", 1, 3, "-|クづくり、しませんか？〜他事"},
      {"lists.pdf", 1, 5, "-|における支援のヒント〜』障害福祉サービスが地域移行"},
      {"lists.pdf", 1, 6, "s|（1） （３）障害者相談支援事業重点的に関わる対象者に対し"},
      {"lists.pdf", 1, 7, "s|て継続的な支援が展開され、相談支援の強化が図られる"},
      {"lists.pdf", 1, 8, "-|よう、専門機関も交え、個"},
      {"lists.pdf", 1, 9, "s|①障害者を含む地域の方のつどいの場作り、地域の方を対象と"},
      {"lists.pdf", 1, 12, "-|第１章 計画の基本的事項 . . . . . . . . . . . . . . . . . . . . . . . . . . 1"},
      {"lists.pdf", 1, 13, "-|１．計画策定の趣旨 . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . . 2"},
      {"lists.pdf", 1, 16, "s|対面で毎月行っていたが、コロナ感染症対策のために隔月、We"},
      {"lists.pdf", 1, 17, "-|b 開催として話題提供および情報交換を中心として行ってきた"},
      {"lists.pdf", 1, 18, "s|なお、1月のみ対面で実施し、本来の目的である事例検討やケ"},
      {"mixed.pdf", 1, 1, "b|相談支援部会の報告"},
      {"mixed.pdf", 3, 1, "b|地域移行部会の報告"},
  };
  const char *loaded = NULL;
  PdfDoc *doc = NULL;
  char buf[512];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (loaded == NULL || strcmp(loaded, cases[i].file) != 0) {
      pdf_doc_free(doc);
      doc = read_fixture(cases[i].file, JFTS_OK, NULL);
      loaded = cases[i].file;
    }
    const char *got = line_at(doc, cases[i].page, cases[i].line, buf, sizeof buf);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case %zu (%s p.%u:%u): got '%s', expected '%s'", i, cases[i].file,
               (unsigned)cases[i].page, (unsigned)cases[i].line, got, cases[i].expect);
  }
  pdf_doc_free(doc);
}

/* The second column starts after the last line of the first one: the first line of the
** right column of page 1 (from the corpus) comes after every line of the left column. */
static void test_column_order(void **state) {
  (void)state;
  PdfDoc *doc = read_fixture("columns.pdf", JFTS_OK, NULL);
  const char *left_last = strstr(doc->text, "ナ禍における支援状況を共有した。");
  const char *right_first = strstr(doc->text, "野との垣根を越えた支援の必要性が高");
  assert_non_null(left_last);
  assert_non_null(right_first);
  assert_true(left_last < right_first);
  pdf_doc_free(doc);
}

/* Running headers and page numbers go to each page's furniture, never to the body. */
static void test_furniture(void **state) {
  (void)state;
  static const struct {
    const char *file;
    uint32_t page;
    const char *expect; /* NULL: no furniture */
  } cases[] = {
      {"columns.pdf", 1, "仙台市障害者自立支援協議会 令和3年度報告\t資料2\n1 / 3\n"},
      {"columns.pdf", 3, "仙台市障害者自立支援協議会 令和3年度報告\t資料2\n3 / 3\n"},
      /* one page: the header is not repeated, so it is body; "- 1 -" is a page number */
      {"table.pdf", 1, "- 1 -\n"},
      {"wrap.pdf", 1, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    PdfDoc *doc = read_fixture(cases[i].file, JFTS_OK, NULL);
    const char *got = doc->pages[cases[i].page - 1].furniture;
    if (cases[i].expect == NULL ? got != NULL : got == NULL || strcmp(got, cases[i].expect))
      fail_msg("case %zu (%s p.%u): furniture '%s'", i, cases[i].file, (unsigned)cases[i].page,
               got ? got : "(null)");
    if (strstr(cases[i].file, "columns")) {
      assert_null(strstr(doc->text, "令和3年度報告"));
      assert_null(strstr(doc->text, " / 3"));
    }
    pdf_doc_free(doc);
  }
}

/* Line records tile the text: each line ends with '\n', pages go up, lines of a page are
** numbered 1, 2, ... and their count is in the page's record. */
static void test_line_records(void **state) {
  (void)state;
  static const char *const files[] = {"columns.pdf", "table.pdf", "wrap.pdf", "mixed.pdf",
                                      "spacing.pdf"};
  for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
    PdfDoc *doc = read_fixture(files[f], JFTS_OK, NULL);
    size_t at = 0;
    uint32_t page = 1, line = 0;
    uint32_t *count = calloc(doc->n_pages + 1, sizeof *count);
    assert_non_null(count);
    for (size_t i = 0; i < doc->n_lines; i++) {
      const PdfLine *l = &doc->lines[i];
      assert_int_equal(l->start_byte, at);
      assert_int_equal(doc->text[l->start_byte + l->n_bytes], '\n');
      assert_true(l->n_bytes > 0);
      assert_null(memchr(doc->text + l->start_byte, '\n', l->n_bytes));
      assert_true(l->page >= page && l->page <= doc->n_pages);
      if (l->page != page) page = l->page, line = 0;
      assert_int_equal(l->line, ++line);
      assert_false((l->flags & PDF_LINE_SOFT_WRAP) && (l->flags & PDF_LINE_BLOCK_END));
      count[l->page]++;
      at = l->start_byte + l->n_bytes + 1;
    }
    assert_int_equal(at, doc->n_bytes);
    assert_int_equal(strlen(doc->text), doc->n_bytes);
    for (uint32_t p = 1; p <= doc->n_pages; p++)
      assert_int_equal(doc->pages[p - 1].n_lines, count[p]);
    free(count);
    pdf_doc_free(doc);
  }
}

static void test_join_soft_wraps(void **state) {
  (void)state;
  PdfDoc *doc = read_fixture("wrap.pdf", JFTS_OK, NULL);
  char *text = NULL;
  size_t n = 0;
  assert_int_equal(pdf_doc_join_soft_wraps(doc, &text, &n), JFTS_OK);
  assert_string_equal(text,
                      "障害者の相談に応じるため、地域包括支援センターと障害者相談支援事業所が連携"
                      "し、自立支援協議会の実務者ネットワーク会議を開催した。\n"
                      "次年度も精神障害にも対応した地域包括ケアシステムの構築を進める。\n"
                      "Latin words wrap with a space between them.\n");
  assert_int_equal(n, strlen(text));
  jfts_free(text);
  pdf_doc_free(doc);
}

/* Soft wraps are joined by repair's wrap rule (repair_wrap_space), hanging indents too: an
** item's text is one line; the next item, a contents entry and a new paragraph are not. */
static void test_join_hanging_indents(void **state) {
  (void)state;
  PdfDoc *doc = read_fixture("lists.pdf", JFTS_OK, NULL);
  char *text = NULL;
  size_t n = 0;
  assert_int_equal(pdf_doc_join_soft_wraps(doc, &text, &n), JFTS_OK);
  static const char *const lines[] = {
      "• 障害者の権利擁護や顔の見えるネットワークづくりの観点から、以下のテーマを掲げて実施①"
      "『オンラインでネットワークづくり、しませんか？〜他事\n",
      "\n• ②『オンラインでネットワークづくり、しませんか？〜地域における支援のヒント〜』"
      "障害福祉サービスが地域移行\n（1） （３）障害者相談支援事業重点的に関わる対象者に対して"
      "継続的な支援が展開され、相談支援の強化が図られるよう、専門機関も交え、個\n①障害者",
      "\n１．計画策定の趣旨 . . .",
      "隔月、We b 開催として話題提供および情報交換を中心として行ってきた\nなお、1月のみ",
  };
  for (size_t i = 0; i < sizeof lines / sizeof *lines; i++)
    if (strstr(text, lines[i]) == NULL) fail_msg("line %zu not in:\n%s", i, text);
  jfts_free(text);
  pdf_doc_free(doc);
}

static void test_info(void **state) {
  (void)state;
  PdfDoc *doc = read_fixture("columns.pdf", JFTS_OK, NULL);
  assert_int_equal(doc->n_pages, 3);
  assert_int_equal(doc->n_failed, 0);
  assert_null(doc->warning);
  assert_string_equal(doc->title, "令和3年度 障害者自立支援協議会 取組状況");
  assert_string_equal(doc->author, "仙台市 健康福祉局");
  /* reportlab's invariant mode dates every file 2000-01-01 */
  assert_string_equal(doc->created, "2000-01-01T00:00:00+00:00");
  pdf_doc_free(doc);
}

/* A scanned page among text pages is that page's failure; the others are read. */
static void test_page_failure(void **state) {
  (void)state;
  PdfDoc *doc = read_fixture("mixed.pdf", JFTS_OK, NULL);
  assert_int_equal(doc->n_pages, 3);
  assert_int_equal(doc->n_failed, 1);
  assert_null(doc->pages[0].error);
  assert_string_equal(doc->pages[1].error, "no text layer (scanned?)");
  assert_int_equal(doc->pages[1].n_lines, 0);
  assert_null(doc->pages[2].error);
  assert_string_equal(doc->warning, "no text layer (scanned?) on page 2");
  pdf_doc_free(doc);
}

static void test_refused(void **state) {
  (void)state;
  static const struct {
    const char *file;  /* a fixture, or NULL for bytes */
    const char *bytes; /* used when file is NULL */
    int rc;
    const char *err;
  } cases[] = {
      {"scanned.pdf", NULL, JFTS_ERR_INPUT, "'scanned.pdf': no text layer (scanned?) on pages 1-3"},
      {"encrypted.pdf", NULL, JFTS_ERR_INPUT, "'encrypted.pdf': encrypted PDF (a password is needed)"},
      {NULL, "not a pdf at all", JFTS_ERR_INPUT, "'bytes': not a readable PDF (PDF document is damaged)"},
      {NULL, "", JFTS_ERR_INPUT, "'bytes': not a readable PDF (PDF document is damaged)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *err = NULL;
    PdfDoc *doc = NULL;
    if (cases[i].file) {
      doc = read_fixture(cases[i].file, cases[i].rc, &err);
    } else {
      int rc = pdf_read((const unsigned char *)cases[i].bytes, strlen(cases[i].bytes), "bytes",
                        &doc, &err);
      assert_int_equal(rc, cases[i].rc);
    }
    assert_null(doc);
    if (err == NULL || strcmp(err, cases[i].err) != 0)
      fail_msg("case %zu: message '%s', expected '%s'", i, err ? err : "(null)", cases[i].err);
    jfts_free(err);
  }
  /* a truncated file: the same one message, whatever poppler finds */
  size_t n = 0;
  char *raw = test_read_file(PDF_DIR "columns.pdf", &n);
  char *err = NULL;
  PdfDoc *doc = NULL;
  assert_int_equal(pdf_read((const unsigned char *)raw, 3000, "cut.pdf", &doc, &err),
                   JFTS_ERR_INPUT);
  assert_null(doc);
  assert_non_null(err);
  assert_int_equal(strncmp(err, "'cut.pdf': not a readable PDF (", 31), 0);
  jfts_free(err);
  err = NULL;
  assert_int_equal(pdf_read(NULL, 5, NULL, &doc, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "'PDF': no PDF bytes given, or more than 2 GB");
  jfts_free(err);
  free(raw);
  pdf_doc_free(NULL);
}

/* Each allocation in turn fails: JFTS_ERR_NOMEM without a leak, or success. */
static void test_out_of_memory(void **state) {
  (void)state;
  size_t n = 0;
  char *raw = test_read_file(PDF_DIR "columns.pdf", &n);
  int rc = JFTS_ERR_NOMEM;
  long k;
  for (k = 0; rc == JFTS_ERR_NOMEM && k < 100000; k++) {
    long live = jfts_alloc_live();
    PdfDoc *doc = NULL;
    jfts_alloc_fail_after(k);
    rc = pdf_read((const unsigned char *)raw, n, "columns.pdf", &doc, NULL);
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_ERR_NOMEM) assert_null(doc);
    else assert_int_equal(rc, JFTS_OK);
    pdf_doc_free(doc);
    if (jfts_alloc_live() != live) fail_msg("leak after failing allocation %ld", k);
  }
  assert_int_equal(rc, JFTS_OK);
  assert_true(k > 10);
  free(raw);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_lines),         cmocka_unit_test(test_column_order),
      cmocka_unit_test(test_furniture),     cmocka_unit_test(test_line_records),
      cmocka_unit_test(test_join_soft_wraps), cmocka_unit_test(test_join_hanging_indents),
      cmocka_unit_test(test_info),
      cmocka_unit_test(test_page_failure),  cmocka_unit_test(test_refused),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
