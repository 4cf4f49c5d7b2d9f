/* Tests of the row renderers (query/render.c): a search row's snippet (cut marks, marks of
** overlapping, touching and separate occurrences, line breaks as spaces, the "[via]" note),
** the same row in text, json, csv and as the --wards best object, a best-match row (missing
** words, related topics, searched_as), the count line, and the rows of --documents and
** --meetings, each compared byte for byte. */
#define _XOPEN_SOURCE 700 /* open_memstream() */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "output.h"
#include "qparse.h"
#include "render.h"
#include "search.h"
#include "store.h"
#include "thesaurus.h"

/* The queries the cases render against: q is オンライン, with the variant リモート; q2 is
** オンライン 研修, the same variant and the related topic 研修 => 勉強会. */
typedef struct Fx {
  Query *q, *q2;
} Fx;

static int setup(void **state) {
  Fx *fx = calloc(1, sizeof *fx);
  Thesaurus *ths = NULL, *rel = NULL;
  static const char k_ths[] = "オンライン, リモート\n", k_rel[] = "研修 => 勉強会\n";
  static const char k_q2[] = "オンライン 研修";
  assert_non_null(fx);
  assert_int_equal(qry_parse("オンライン", strlen("オンライン"), &fx->q, NULL), JFTS_OK);
  assert_int_equal(qry_parse(k_q2, strlen(k_q2), &fx->q2, NULL), JFTS_OK);
  assert_int_equal(ths_parse("t", k_ths, strlen(k_ths), &ths, NULL), JFTS_OK);
  assert_int_equal(ths_parse("r", k_rel, strlen(k_rel), &rel, NULL), JFTS_OK);
  assert_int_equal(ths_expand(ths, fx->q, NULL, NULL, NULL), JFTS_OK);
  assert_int_equal(ths_expand(ths, fx->q2, NULL, NULL, NULL), JFTS_OK);
  assert_int_equal(ths_expand_related(rel, fx->q2, NULL), JFTS_OK);
  ths_free(ths);
  ths_free(rel);
  assert_int_equal(fx->q->clauses[0].terms[0].n_variants, 1);
  assert_int_equal(fx->q2->n_clauses, 2);
  assert_int_equal(fx->q2->clauses[1].terms[0].n_variants, 0);
  assert_int_equal(fx->q2->clauses[1].terms[0].n_related, 1);
  *state = fx;
  return 0;
}

static int teardown(void **state) {
  Fx *fx = *state;
  qry_free(fx->q);
  qry_free(fx->q2);
  free(fx);
  return 0;
}

static size_t count_cp(const char *s, size_t n_bytes) {
  size_t n = 0;
  for (size_t i = 0; i < n_bytes; i++) n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

/* Spans of text from spec: needles separated by '|', each searched from one byte after the
** previous one's start (so that they may overlap or touch); a leading '~' marks a match of
** the thesaurus variant, a leading '@' one of q2's related text (clause 1, variant 0: the
** term has no spelling variant). Returns the number of spans. */
static size_t make_spans(const char *text, const char *spec, MatchSpan *spans, size_t cap) {
  size_t n = 0, from = 0;
  while (spec && *spec && n < cap) {
    int variant = *spec == '~', related = *spec == '@';
    if (variant || related) spec++;
    size_t len = strcspn(spec, "|");
    char needle[64];
    snprintf(needle, sizeof needle, "%.*s", (int)len, spec);
    const char *at = strstr(text + from, needle);
    if (at == NULL) fail_msg("needle '%s' not in '%s'", needle, text);
    MatchSpan *sp = &spans[n++];
    memset(sp, 0, sizeof *sp);
    sp->start_byte = (size_t)(at - text);
    sp->end_byte = sp->start_byte + len;
    sp->start_cp = count_cp(text, sp->start_byte);
    sp->end_cp = count_cp(text, sp->end_byte);
    sp->variant = variant || related ? 0 : -1;
    sp->clause = related;
    from = sp->start_byte + 1;
    spec += len + (spec[len] == '|');
  }
  return n;
}

static const char k_long[] =
    "市民センターで説明会を開いた。参加者は多かった。次回はオンラインで開く予定である。"
    "資料は事前に配る。";

static const struct {
  const char *name;
  const char *text;
  const char *spans;   /* make_spans */
  size_t focus;
  size_t n_chars;
  int marks;           /* 1: "[" and "]" */
  int each;
  const char *expect;  /* the snippet, then render_via's note */
} snippet_cases[] = {
    {"whole text, one mark", "地域と連携する", "連携", 0, 120, 1, 0, "地域と[連携]する"},
    {"no marks", "地域と連携する", "連携", 0, 120, 0, 0, "地域と連携する"},
    {"no spans", "地域と連携する", NULL, 0, 120, 1, 0, "地域と連携する"},
    {"touching joined", "相談支援事業所", "相談|支援", 0, 120, 1, 0, "[相談支援]事業所"},
    {"touching apart (each)", "相談支援事業所", "相談|支援", 0, 120, 1, 1, "[相談][支援]事業所"},
    {"overlapping joined", "相談支援事業所", "相談支援|支援事業", 0, 120, 1, 0,
     "[相談支援事業]所"},
    {"overlapping joined (each)", "相談支援事業所", "相談支援|支援事業", 0, 120, 1, 1,
     "[相談支援事業]所"},
    {"apart", "相談と支援", "相談|支援", 0, 120, 1, 0, "[相談]と[支援]"},
    {"line breaks as spaces", "一行目\n二行目\t三\r四", "二行目", 0, 120, 1, 0,
     "一行目 [二行目] 三 四"},
    {"cut at both ends", k_long, "オンライン", 0, 12, 1, 0, "…次回は[オンライン]で開く…"},
    {"cut in front", k_long, "資料", 0, 12, 1, 0, "…[資料]は事前に配る。"},
    {"cut at the end", k_long, "市民", 0, 16, 1, 0, "[市民]センターで説明会を開いた。…"},
    {"variant noted", "会議はリモートで開く", "~リモート", 0, 120, 1, 0,
     "会議は[リモート]で開く  [via リモート]"},
    {"own text not noted", "オンラインとリモート", "オンライン|~リモート", 0, 120, 1, 0,
     "[オンライン]と[リモート]"},
    {"focused variant noted", "オンラインとリモート", "オンライン|~リモート", 1, 120, 1, 0,
     "[オンライン]と[リモート]  [via リモート]"},
};

static StorePassageRow passage(const char *text) {
  StorePassageRow p = {.id = 1, .file = "corpus/r3.txt", .ward = "泉区", .year = 2021,
                       .year_label = "令和3年度", .section = "1",
                       .section_title = "今年度の主な取組み", .heading = "〇研修",
                       .text = text, .n_text = strlen(text), .line_start = 12,
                       .line_end = 14};
  return p;
}

static void test_snippet(void **state) {
  Fx *fx = *state;
  for (size_t i = 0; i < sizeof snippet_cases / sizeof *snippet_cases; i++) {
    MatchSpan spans[8];
    StorePassageRow p = passage(snippet_cases[i].text);
    SearchResult r = {.rank = 1, .passage = &p, .spans = spans, .focus = snippet_cases[i].focus};
    r.n_spans = make_spans(p.text, snippet_cases[i].spans, spans, 8);
    JftsBuf b = {NULL, 0, 0, JFTS_OK};
    long live = jfts_alloc_live();
    int m = snippet_cases[i].marks;
    int rc = render_snippet(&r, snippet_cases[i].n_chars, m ? "[" : NULL, m ? "]" : NULL,
                            snippet_cases[i].each, &b, NULL);
    render_via(&r, fx->q, &b);
    if (rc != JFTS_OK || b.rc != JFTS_OK) fail_msg("%s: rc %d", snippet_cases[i].name, rc);
    if (strcmp(b.p ? b.p : "", snippet_cases[i].expect) != 0)
      fail_msg("%s: got '%s', expected '%s'", snippet_cases[i].name, b.p ? b.p : "",
               snippet_cases[i].expect);
    jfts_buf_free(&b);
    if (jfts_alloc_live() != live) fail_msg("%s: leaked", snippet_cases[i].name);
  }
}

/* ---- whole rows -------------------------------------------------------------------------- */

static const char k_text[] = "会議は\nオンラインとリモートで開いた";

/* What fn wrote to a memstream, as a new string (free). */
static char *capture(int (*fn)(FILE *, const void *), const void *arg, int *rc_out) {
  char *buf = NULL;
  size_t n = 0;
  FILE *mem = open_memstream(&buf, &n);
  assert_non_null(mem);
  *rc_out = fn(mem, arg);
  assert_int_equal(fclose(mem), 0);
  return buf;
}

typedef struct RowArgs {
  const SearchResult *r;
  const Query *q;
  OutFormat format;
  int with_query;
  const char *searched_as;
} RowArgs;

static int write_row(FILE *fp, const void *arg) {
  const RowArgs *a = arg;
  if (a->format == OUT_TEXT) return render_search_text(fp, a->r, a->q, "«", "»", NULL);
  size_t n_fields;
  OutWriter *w = NULL;
  const char *const *fields = render_search_fields(a->with_query, &n_fields);
  int rc = out_open(fp, a->format, fields, n_fields, &w, NULL);
  if (rc == JFTS_OK)
    rc = render_search_values(w, a->r, a->q, a->searched_as, a->with_query ? "q1" : NULL, 2,
                              NULL);
  if (rc == JFTS_OK) rc = out_row_end(w);
  out_close(w);
  return rc;
}

/* The fields after "column" (the document model's), null for a passage without them. */
#define NEW_TAIL                                                                              \
  ",\"org\":null,\"local_name\":null,\"doc_title\":null,\"kind\":null,"                     \
  "\"heading_path\":null,\"heading_matches\":[],\"label\":null,\"label_matches\":[]"

#define JSON_ROW                                                                              \
  "\"rank\":3,\"score\":1.5,\"ward\":\"泉区\",\"year\":2021,\"year_label\":\"令和3年度\","     \
  "\"section\":\"1\",\"section_title\":\"今年度の主な取組み\",\"heading\":\"〇研修\","        \
  "\"meeting\":null,\"text\":\"会議は\\nオンラインとリモートで開いた\",\"snippet\":\"会議は " \
  "オンラインとリモートで開いた\",\"matches\":[[4,9],[10,14]],\"file\":\"corpus/r3.txt\","  \
  "\"line_start\":12,\"line_end\":14,\"matched\":[\"オンライン\",\"リモート\"],"            \
  "\"missing\":[],\"searched_as\":null,\"via\":[],"                                     \
  "\"page\":null,\"page_end\":null,\"column\":null" NEW_TAIL

static const struct {
  const char *name;
  OutFormat format;
  int with_query;
  size_t focus;
  const char *expect;
} row_cases[] = {
    {"text", OUT_TEXT, 0, 0,
     "3. 泉区 / 今年度の主な取組み / 〇研修  corpus/r3.txt:13\n"
     "   会議は «オンライン»と«リモート»で開いた\n\n"},
    {"text, variant shown", OUT_TEXT, 0, 1,
     "3. 泉区 / 今年度の主な取組み / 〇研修  corpus/r3.txt:13\n"
     "   会議は «オンライン»と«リモート»で開いた  [via リモート]\n\n"},
    {"json", OUT_JSON, 0, 0, "{" JSON_ROW "}\n"},
    {"json with query", OUT_JSON, 1, 0, "{\"query\":\"q1\"," JSON_ROW "}\n"},
    {"csv", OUT_CSV, 0, 0,
     "\xEF\xBB\xBFrank,score,ward,year,year_label,section,section_title,heading,meeting,text,"
     "snippet,matches,file,line_start,line_end,matched,missing,searched_as,via,page,page_end,"
     "column,org,local_name,doc_title,kind,heading_path,heading_matches,label,label_matches\r\n"
     "3,1.5,泉区,2021,令和3年度,1,今年度の主な取組み,〇研修,,\"会議は\nオンラインとリモートで開いた\","
     "会議は オンラインとリモートで開いた,\"[[4,9],[10,14]]\",corpus/r3.txt,12,14,"
     "\"[\"\"オンライン\"\",\"\"リモート\"\"]\",[],,[],,,,,,,,,[],,[]\r\n"},
};

static void test_search_rows(void **state) {
  Fx *fx = *state;
  MatchSpan spans[2];
  StorePassageRow p = passage(k_text);
  SearchResult r = {.rank = 3, .score = 1.5, .passage = &p, .spans = spans, .line = 13};
  r.n_spans = make_spans(k_text, "オンライン|~リモート", spans, 2);
  for (size_t i = 0; i < sizeof row_cases / sizeof *row_cases; i++) {
    RowArgs a = {.r = &r, .q = fx->q, .format = row_cases[i].format,
                 .with_query = row_cases[i].with_query};
    int rc;
    r.focus = row_cases[i].focus;
    long live = jfts_alloc_live();
    char *got = capture(write_row, &a, &rc);
    if (rc != JFTS_OK) fail_msg("%s: rc %d", row_cases[i].name, rc);
    if (strcmp(got, row_cases[i].expect) != 0)
      fail_msg("%s: got\n%s\nexpected\n%s", row_cases[i].name, got, row_cases[i].expect);
    free(got);
    if (jfts_alloc_live() != live) fail_msg("%s: leaked", row_cases[i].name);
  }
  /* The --wards best object: the json row without "query", on one line. */
  char *json = NULL;
  r.focus = 0;
  assert_int_equal(render_search_json(&r, fx->q, &json, NULL), JFTS_OK);
  assert_string_equal(json, "{" JSON_ROW "}");
  jfts_free(json);
}

/* Best match: a passage holding one of two words through a related topic, and one lacking
** the second word; the query was searched as q2 after a split (searched_as). */
static const struct {
  const char *name;
  OutFormat format;
  const char *text;
  const char *spans;  /* make_spans */
  size_t focus;
  uint64_t missing;
  const char *expect;
} best_cases[] = {
    {"text, related topic", OUT_TEXT, "オンラインの勉強会", "オンライン|@勉強会", 1, 0,
     "1. 泉区 / 今年度の主な取組み / 〇研修  corpus/r3.txt:13\n"
     "   «オンライン»の«勉強会»  [via 研修 => 勉強会]\n\n"},
    {"text, missing word", OUT_TEXT, "リモートで開いた", "~リモート", 0, 2,
     "1. 泉区 / 今年度の主な取組み / 〇研修  corpus/r3.txt:13\n"
     "   «リモート»で開いた  [via リモート]  [missing 研修]\n\n"},
    {"json, related topic", OUT_JSON, "オンラインの勉強会", "オンライン|@勉強会", 1, 0,
     "\"matched\":[\"オンライン\",\"勉強会\"],\"missing\":[],"
     "\"searched_as\":\"オンライン 研修\",\"via\":[\"研修 => 勉強会\"],"
     "\"page\":null,\"page_end\":null,\"column\":null" NEW_TAIL "}\n"},
    {"json, missing word", OUT_JSON, "リモートで開いた", "~リモート", 0, 2,
     "\"matched\":[\"リモート\"],\"missing\":[\"研修\"],"
     "\"searched_as\":\"オンライン 研修\",\"via\":[],"
     "\"page\":null,\"page_end\":null,\"column\":null" NEW_TAIL "}\n"},
};

static void test_best_match_rows(void **state) {
  Fx *fx = *state;
  for (size_t i = 0; i < sizeof best_cases / sizeof *best_cases; i++) {
    MatchSpan spans[2];
    StorePassageRow p = passage(best_cases[i].text);
    SearchResult r = {.rank = 1, .score = 1, .passage = &p, .spans = spans, .line = 13,
                      .focus = best_cases[i].focus, .missing = best_cases[i].missing};
    r.n_spans = make_spans(p.text, best_cases[i].spans, spans, 2);
    RowArgs a = {.r = &r, .q = fx->q2, .format = best_cases[i].format,
                 .searched_as = "オンライン 研修"};
    int rc;
    long live = jfts_alloc_live();
    char *got = capture(write_row, &a, &rc);
    if (rc != JFTS_OK) fail_msg("%s: rc %d", best_cases[i].name, rc);
    /* JSON rows are compared from "matched" on: the fields before are test_search_rows'. */
    size_t n_got = strlen(got), n_expect = strlen(best_cases[i].expect);
    int same = best_cases[i].format == OUT_JSON
                   ? n_got >= n_expect && strcmp(got + n_got - n_expect, best_cases[i].expect) == 0
                   : strcmp(got, best_cases[i].expect) == 0;
    if (!same)
      fail_msg("%s: got\n%s\nexpected\n%s", best_cases[i].name, got, best_cases[i].expect);
    free(got);
    if (jfts_alloc_live() != live) fail_msg("%s: leaked", best_cases[i].name);
  }
}

typedef struct TotalsArgs {
  SearchTotals t;
  const char *searched_as;
} TotalsArgs;

/* Citations of a PDF passage (pages starting at text lines 1, 10 and 20) and of a passage of
** a long line (its segment starts at column 5000): page and line within the page, and the
** column of the first occurrence. */
static void test_cite(void **state) {
  Fx *fx = *state;
  static const uint32_t pages[] = {1, 10, 20};
  const char *text = "会議はオンラインで開いた";
  StoreSeg segs[] = {{0, 0, 9, 12, 0}, {9, 20, (uint32_t)strlen(text) - 9, 21, 0}};
  StorePassageRow p = passage(text);
  p.file = "c/r3.pdf";
  p.line_end = 21;
  p.segs = segs;
  p.n_segs = 2;
  p.page_lines = pages;
  p.n_pages = 3;
  MatchSpan spans[1];
  SearchResult r = {.rank = 1, .score = 1, .passage = &p, .spans = spans, .line = 21};
  r.n_spans = make_spans(text, "オンライン", spans, 1);
  static const struct {
    uint32_t column;   /* of segment 2 */
    const char *expect_text, *expect_json_tail;
  } cases[] = {
      {0, "c/r3.pdf p.3:2\n",
       "\"line_start\":3,\"line_end\":2,\"matched\":[\"オンライン\"],\"missing\":[],"
       "\"searched_as\":null,\"via\":[],\"page\":2,\"page_end\":3,"
       "\"column\":null" NEW_TAIL "}"},
      {5000, "c/r3.pdf p.3:2:5000\n",
       "\"line_start\":3,\"line_end\":2,\"matched\":[\"オンライン\"],\"missing\":[],"
       "\"searched_as\":null,\"via\":[],\"page\":2,\"page_end\":3,"
       "\"column\":5000" NEW_TAIL "}"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    segs[1].column = cases[i].column;
    int rc;
    RowArgs a = {.r = &r, .q = fx->q, .format = OUT_TEXT};
    char *got = capture(write_row, &a, &rc);
    size_t n_first = strcspn(got, "\n") + 1; /* with its '\n' */
    size_t n_exp = strlen(cases[i].expect_text);
    if (n_first < n_exp || strncmp(got + n_first - n_exp, cases[i].expect_text, n_exp) != 0)
      fail_msg("case %zu: text row '%s', expected it to end its first line with '%s'", i, got,
               cases[i].expect_text);
    free(got);
    char *json = NULL;
    assert_int_equal(render_search_json(&r, fx->q, &json, NULL), JFTS_OK);
    size_t nj = strlen(json), nt = strlen(cases[i].expect_json_tail);
    if (nj < nt || strcmp(json + nj - nt, cases[i].expect_json_tail) != 0)
      fail_msg("case %zu: json '%s', expected it to end with '%s'", i, json,
               cases[i].expect_json_tail);
    jfts_free(json);
  }
}

static int write_totals(FILE *fp, const void *arg) {
  const TotalsArgs *a = arg;
  render_totals(fp, &a->t, a->searched_as);
  return JFTS_OK;
}

static void test_totals(void **state) {
  (void)state;
  static const struct {
    long n_passages;
    int64_t n_occurrences;
    long n_every_word;
    int n_positive;
    const char *searched_as;
    const char *expect;
  } cases[] = {
      {0, 0, 0, 1, NULL, "0 passages, 0 occurrences\n"},
      {1, 1, 1, 1, NULL, "1 passage, 1 occurrence\n"},
      {1, 3, 1, 2, NULL, "1 passage, 3 occurrences\n"},
      {12, 40, 12, 0, NULL, "12 passages, 40 occurrences\n"},
      {12, 40, 5, 2, NULL, "5 passages with every word, 7 more with some, 40 occurrences\n"},
      {2, 1, 1, 3, NULL, "1 passage with every word, 1 more with some, 1 occurrence\n"},
      {1, 2, 0, 1, NULL, "0 passages with the word, 1 more through related topics, "
                         "2 occurrences\n"},
      {3, 4, 3, 2, "卒業 進路", "searched as: 卒業 進路\n3 passages, 4 occurrences\n"},
      {3, 4, 1, 2, "卒業 進路",
       "searched as: 卒業 進路\n1 passage with every word, 2 more with some, 4 occurrences\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    TotalsArgs a = {.t = {.n_passages = cases[i].n_passages,
                          .n_occurrences = cases[i].n_occurrences,
                          .n_every_word = cases[i].n_every_word,
                          .n_positive = cases[i].n_positive},
                    .searched_as = cases[i].searched_as};
    int rc;
    char *got = capture(write_totals, &a, &rc);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case %zu: got '%s', expected '%s'", i, got, cases[i].expect);
    free(got);
  }
}

/* ---- --documents, --meetings ------------------------------------------------------------- */

typedef struct ListArgs {
  int meeting;      /* 0: a document row */
  OutFormat format;
  const StoreDocRow *doc;
  const StoreMeetingRow *mtg;
} ListArgs;

static int write_list_row(FILE *fp, const void *arg) {
  const ListArgs *a = arg;
  if (a->format == OUT_TEXT)
    return a->meeting ? render_meeting_text(fp, a->mtg) : render_doc_text(fp, a->doc);
  size_t n_fields;
  OutWriter *w = NULL;
  const char *const *fields = a->meeting ? render_meeting_fields(&n_fields)
                                         : render_doc_fields(&n_fields);
  int rc = out_open(fp, a->format, fields, n_fields, &w, NULL);
  if (rc == JFTS_OK && a->meeting) render_meeting_values(w, a->mtg);
  else if (rc == JFTS_OK) render_doc_values(w, a->doc);
  if (rc == JFTS_OK) rc = out_row_end(w);
  out_close(w);
  return rc;
}

static void test_listing_rows(void **state) {
  (void)state;
  StoreDocRow doc = {.file = "c/a.txt", .title = "R3", .ward = "泉区", .year = 2021,
                     .year_label = "令和3年度", .n_passages = 1, .line_start = 1, .line_end = 9,
                     .org = "仙台市", .kind = "取組状況", .org_from = "sidecar",
                     .ward_from = "title", .year_from = "title", .title_from = "title",
                     .kind_from = "title"};
  StoreDocRow bare = {.file = "c/b.txt", .n_passages = 2, .line_start = 1, .line_end = 3};
  StoreMeetingRow mtg = {.ward = "若林区", .year = 2021, .year_label = "令和3年度", .slot = 2,
                         .meeting = "全体協議会", .local_name = "IGASU会議", .count = 2,
                         .text = "一行目\n二行目", .file = "c/a.txt", .line_start = 5,
                         .line_end = 8};
  StoreMeetingRow other = {.ward = "泉区", .year = 2021, .year_label = "令和3年度", .slot = 0,
                           .meeting = "研修", .count = -1, .file = "c/a.txt", .line_start = 9,
                           .line_end = 9};
  static const char *const expect[] = {
      "泉区\t令和3年度\tR3\t1 passage\tc/a.txt:1-9\t仙台市\t取組状況\t-\torg=sidecar,"
      "ward=title,year=title,title=title,kind=title\n",
      "-\t-\t-\t2 passages\tc/b.txt:1-3\t-\t-\t-\t-\n",
      "{\"file\":\"c/b.txt\",\"title\":null,\"ward\":null,\"year\":null,\"year_label\":null,"
      "\"passages\":2,\"line_start\":1,\"line_end\":3,\"page\":null,\"page_end\":null,"
      "\"org\":null,\"kind\":null,\"date\":null,\"org_from\":null,\"ward_from\":null,"
      "\"year_from\":null,\"title_from\":null,\"kind_from\":null,\"date_from\":null}\n",
      "若林区 (2) 全体協議会「IGASU会議」 2回  c/a.txt:5-8\n    一行目\n    二行目\n",
      "泉区 その他 研修  c/a.txt:9-9\n",
      "{\"ward\":\"泉区\",\"year\":2021,\"year_label\":\"令和3年度\",\"slot\":null,"
      "\"meeting\":\"研修\",\"local_name\":null,\"count\":null,\"text\":null,\"file\":\"c/a.txt\","
      "\"line_start\":9,\"line_end\":9,\"page\":null,\"page_end\":null}\n",
      "-\t-\t-\t2 passages\tc/p.pdf p.2:4-p.3:1\t-\t-\t-\t-\n",
      "泉区 その他 研修  c/p.pdf p.3:7-9\n"};
  StoreDocRow pdf_doc = {.file = "c/p.pdf", .n_passages = 2, .line_start = 4, .line_end = 1,
                         .page_start = 2, .page_end = 3};
  StoreMeetingRow pdf_mtg = other;
  pdf_mtg.file = "c/p.pdf";
  pdf_mtg.line_start = 7;
  pdf_mtg.page_start = pdf_mtg.page_end = 3;
  const ListArgs args[] = {{0, OUT_TEXT, &doc, NULL},     {0, OUT_TEXT, &bare, NULL},
                           {0, OUT_JSON, &bare, NULL},    {1, OUT_TEXT, NULL, &mtg},
                           {1, OUT_TEXT, NULL, &other},   {1, OUT_JSON, NULL, &other},
                           {0, OUT_TEXT, &pdf_doc, NULL}, {1, OUT_TEXT, NULL, &pdf_mtg}};
  for (size_t i = 0; i < sizeof args / sizeof *args; i++) {
    int rc;
    char *got = capture(write_list_row, &args[i], &rc);
    if (rc != JFTS_OK) fail_msg("row %zu: rc %d", i, rc);
    if (strcmp(got, expect[i]) != 0) fail_msg("row %zu: got\n%s\nexpected\n%s", i, got, expect[i]);
    free(got);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_snippet),
      cmocka_unit_test(test_search_rows),
      cmocka_unit_test(test_best_match_rows),
      cmocka_unit_test(test_cite),
      cmocka_unit_test(test_totals),
      cmocka_unit_test(test_listing_rows),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
