/* Tests of the rows of jfts-query's --documents, --meetings and search modes (query/rows.c),
** which jfts-serve writes too: exact bytes in JSON and CSV, nulls where values are unknown,
** and a search row's snippet, match offsets and matched forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "research.h"
#include "rows.h"

#define BOM "\xEF\xBB\xBF"

/* Writes rows through a writer opened on a memory stream; returns the bytes (free()). */
typedef int (*RowFn)(OutWriter *w, const void *row);
static int doc_fn(OutWriter *w, const void *row) { return rows_doc(w, row); }
static int meeting_fn(OutWriter *w, const void *row) { return rows_meeting(w, row); }

static char *write_rows(OutFormat format, const char *const *fields, size_t n_fields, RowFn fn,
                        const void *const *rows, size_t n_rows) {
  char *buf = NULL, *err = NULL;
  size_t n = 0;
  OutWriter *w = NULL;
  FILE *fp = open_memstream(&buf, &n);
  assert_non_null(fp);
  assert_int_equal(out_open(fp, format, fields, n_fields, &w, &err), JFTS_OK);
  for (size_t i = 0; i < n_rows; i++) assert_int_equal(fn(w, rows[i]), JFTS_OK);
  out_close(w);
  assert_int_equal(fclose(fp), 0);
  return buf;
}

static const StoreDocRow DOC_WARD = {"corpus/a.txt", "令和 3年度 泉区", "泉区", 2021, "令和3年度",
                                     12, 600, 845};
static const StoreDocRow DOC_BARE = {"notes.txt", NULL, NULL, 0, NULL, 1, 1, 3};
static const StoreMeetingRow MEET_SLOT = {"泉区", 2021, "令和3年度", 4, "地域展開チーム", "IGASU",
                                          12, "二行の\n説明, \"引用\"", "corpus/a.txt", 700, 702};
static const StoreMeetingRow MEET_OTHER = {"太白区", 0, NULL, 0, "その他の活動", NULL, -1, "なし",
                                           "corpus/a.txt", 650, 650};

static const struct {
  const char *name;
  int meetings; /* 0: document rows, 1: meeting rows */
  OutFormat format;
  const void *rows[2];
  const char *expect;
} cases[] = {
    {"documents json", 0, OUT_JSON, {&DOC_WARD, &DOC_BARE},
     "{\"file\":\"corpus/a.txt\",\"title\":\"令和 3年度 泉区\",\"ward\":\"泉区\",\"year\":2021,"
     "\"year_label\":\"令和3年度\",\"passages\":12,\"line_start\":600,\"line_end\":845}\n"
     "{\"file\":\"notes.txt\",\"title\":null,\"ward\":null,\"year\":null,\"year_label\":null,"
     "\"passages\":1,\"line_start\":1,\"line_end\":3}\n"},
    {"documents csv", 0, OUT_CSV, {&DOC_WARD, &DOC_BARE},
     BOM "file,title,ward,year,year_label,passages,line_start,line_end\r\n"
     "corpus/a.txt,令和 3年度 泉区,泉区,2021,令和3年度,12,600,845\r\n"
     "notes.txt,,,,,1,1,3\r\n"},
    {"meetings json", 1, OUT_JSON, {&MEET_SLOT, &MEET_OTHER},
     "{\"ward\":\"泉区\",\"year\":2021,\"year_label\":\"令和3年度\",\"slot\":4,"
     "\"meeting\":\"地域展開チーム\",\"local_name\":\"IGASU\",\"count\":12,"
     "\"text\":\"二行の\\n説明, \\\"引用\\\"\",\"file\":\"corpus/a.txt\",\"line_start\":700,"
     "\"line_end\":702}\n"
     "{\"ward\":\"太白区\",\"year\":null,\"year_label\":null,\"slot\":null,"
     "\"meeting\":\"その他の活動\",\"local_name\":null,\"count\":null,\"text\":\"なし\","
     "\"file\":\"corpus/a.txt\",\"line_start\":650,\"line_end\":650}\n"},
    {"meetings csv", 1, OUT_CSV, {&MEET_SLOT, &MEET_OTHER},
     BOM "ward,year,year_label,slot,meeting,local_name,count,text,file,line_start,line_end\r\n"
     "泉区,2021,令和3年度,4,地域展開チーム,IGASU,12,\"二行の\n説明, \"\"引用\"\"\",corpus/a.txt,"
     "700,702\r\n"
     "太白区,,,,その他の活動,,,なし,corpus/a.txt,650,650\r\n"},
};

static void test_listing_rows(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char *got = cases[i].meetings
                    ? write_rows(cases[i].format, ROWS_MEETING_FIELDS, ROWS_N_MEETING_FIELDS,
                                 meeting_fn, cases[i].rows, 2)
                    : write_rows(cases[i].format, ROWS_DOC_FIELDS, ROWS_N_DOC_FIELDS, doc_fn,
                                 cases[i].rows, 2);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got\n%s\nexpected\n%s", cases[i].name, got, cases[i].expect);
    free(got);
  }
}

/* A search row: the snippet without marks, [start,end] code point offsets, the matched form,
** and the query first when asked (--queries); a row without the query field otherwise. */
static void test_search_row(void **state) {
  (void)state;
  static const char text[] = "地域課題：8050 問題、新型コロナ";
  StorePassageRow p = {.id = 7, .file = "corpus/a.txt", .ward = "宮城野区", .year = 2021,
                       .year_label = "令和3年度", .section = "2", .section_title = "課題",
                       .text = text, .n_text = sizeof text - 1, .line_start = 317, .line_end = 318};
  MatchSpan span = {.start_byte = 15, .end_byte = 26, .start_cp = 5, .end_cp = 12, .variant = -1};
  SearchTotals totals = {1, 1};
  SearchResult r = {.rank = 3, .score = 2.5, .passage = &p, .spans = &span, .n_spans = 1,
                    .line = 317, .exact = 1, .totals = &totals};
  Query *q = NULL;
  char *err = NULL, *buf = NULL;
  size_t n = 0;
  OutWriter *w = NULL;
  assert_int_equal(research_query_new("8050問題", strlen("8050問題"), NULL, &q, NULL, NULL, &err),
                   JFTS_OK);
  FILE *fp = open_memstream(&buf, &n);
  assert_int_equal(out_open(fp, OUT_JSON, ROWS_SEARCH_FIELDS, ROWS_N_SEARCH_FIELDS, &w, &err),
                   JFTS_OK);
  assert_int_equal(rows_search(w, q, &r, "8050問題", strlen("8050問題"), &err), JFTS_OK);
  out_close(w);
  assert_int_equal(out_open(fp, OUT_JSON, ROWS_SEARCH_FIELDS + 1, ROWS_N_SEARCH_FIELDS - 1, &w,
                            &err),
                   JFTS_OK);
  assert_int_equal(rows_search(w, q, &r, NULL, 0, &err), JFTS_OK);
  out_close(w);
  fclose(fp);
  const char *row =
      "\"rank\":3,\"score\":2.5,\"ward\":\"宮城野区\",\"year\":2021,\"year_label\":\"令和3年度\","
      "\"section\":\"2\",\"section_title\":\"課題\",\"heading\":null,\"meeting\":null,"
      "\"text\":\"地域課題：8050 問題、新型コロナ\",\"snippet\":\"地域課題：8050 問題、新型コロナ\","
      "\"matches\":[[5,12]],\"file\":\"corpus/a.txt\",\"line_start\":317,\"line_end\":318,"
      "\"matched\":[\"8050問題\"]}\n";
  char expect[2048];
  snprintf(expect, sizeof expect, "{\"query\":\"8050問題\",%s{%s", row, row);
  assert_string_equal(buf, expect);
  free(buf);

  /* The text snippet marks the occurrence with the caller's markers. */
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  assert_int_equal(rows_snippet(&r, "[", "]", &b, &err), JFTS_OK);
  assert_string_equal(b.p, "地域課題：[8050 問題]、新型コロナ");
  jfts_buf_free(&b);
  qry_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_listing_rows),
      cmocka_unit_test(test_search_row),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
