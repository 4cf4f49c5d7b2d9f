/* Tests of KWIC lines: exact left/match/right strings at the edges of a passage and around
** grapheme clusters (combining marks, emoji sequences, astral kanji), the substring invariant
** for every quote of several queries over every corpus passage, the concordance sorts in
** Japanese collation order, and column alignment with half- and full-width text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collate.h"
#include "jfts_common.h"
#include "kwic.h"
#include "match.h"
#include "qparse.h"
#include "report.h"
#include "textseg.h"
#include "thesaurus.h"
#include "test_util.h"

#define CORPUS_FILE JFTS_CORPUS "/sendai-r3-jiritsushien.txt"

/* Matches query in text and makes the KWIC lines of every occurrence. */
static size_t make_lines(const char *name, const char *text, const char *query, size_t n_context,
                         KwicLine **lines_out) {
  Query *q = NULL;
  Matcher *m = NULL;
  MatchSpan *spans = NULL;
  size_t n = 0;
  char *err = NULL;
  if (qry_parse(query, strlen(query), &q, &err) != JFTS_OK)
    fail_msg("case '%s': qry_parse: %s", name, err);
  assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
  assert_int_equal(match_find(m, text, strlen(text), &spans, &n, NULL), JFTS_OK);
  KwicLine *lines = calloc(n ? n : 1, sizeof *lines);
  assert_non_null(lines);
  int rc = kwic_make(text, strlen(text), spans, n, n_context, lines, &err);
  if (rc != JFTS_OK) fail_msg("case '%s': kwic_make = %d: %s", name, rc, err ? err : "");
  jfts_free(spans);
  match_free(m);
  qry_free(q);
  *lines_out = lines;
  return n;
}

/* Renders lines as "left[match]right" joined by '|'. */
static void render(const KwicLine *lines, size_t n, char *out, size_t cap) {
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && k < cap; i++)
    k += (size_t)snprintf(out + k, cap - k, "%s%s[%s]%s", i ? "|" : "", lines[i].left,
                          lines[i].match, lines[i].right);
}

static void test_context(void **state) {
  (void)state;
  static const struct {
    const char *name, *text, *query;
    size_t n_context;
    const char *expect;
  } cases[] = {
      {"match at the start", "障害者の支援を行う", "障害", 3, "[障害]者の支"},
      {"match at the end", "地域の障害", "障害", 3, "地域の[障害]"},
      {"whole text", "障害", "障害", 30, "[障害]"},
      {"context longer than the text", "ab 障害 cd", "障害", 30, "ab [障害] cd"},
      {"no context", "地域の障害者", "障害", 0, "[障害]"},
      {"every occurrence", "泉区の泉", "泉", 1, "[泉]区|の[泉]"},
      {"newlines kept", "支援\n障害\nです", "障害", 2, "援\n[障害]\nで"},
      {"space skipped by the match is in it", "地域課題：8050 問題、新型", "8050問題", 2,
       "題：[8050 問題]、新"},
      {"combining mark stays with its base", "cafe\xCC\x81 の障害 ne\xCC\x81" "e", "障害", 3,
       "e\xCC\x81 の[障害] ne\xCC\x81"},
      {"emoji ZWJ sequence is one character",
       "x\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7障害"
       "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBDy",
       "障害", 1,
       "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7[障害]"
       "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"},
      {"flag is one character", "\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5の障害", "障害", 2,
       "\xF0\x9F\x87\xAF\xF0\x9F\x87\xB5の[障害]"},
      {"astral kanji", "𠮷野家の障害𠮷", "障害", 2, "家の[障害]𠮷"},
      {"astral kanji at the edge of the context", "𠮷野家の障害", "障害", 4, "𠮷野家の[障害]"},
      {"half-width katakana matched", "ｺﾛﾅｳｲﾙｽの影響", "ウイルス", 2, "ﾛﾅ[ｳｲﾙｽ]の影"},
      {"match cutting a cluster counts it as one",
       "ab\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9" "cd", "\xF0\x9F\x91\xA9", 1,
       "\xF0\x9F\x91\xA8\xE2\x80\x8D[\xF0\x9F\x91\xA9]c"},
  };
  char got[512];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    KwicLine *lines = NULL;
    size_t n = make_lines(cases[i].name, cases[i].text, cases[i].query, cases[i].n_context,
                          &lines);
    render(lines, n, got, sizeof got);
    for (size_t j = 0; j < n; j++)
      if (memcmp(cases[i].text + lines[j].start_byte, lines[j].left, lines[j].n_left) != 0)
        fail_msg("case '%s': start_byte %zu does not locate the left context", cases[i].name,
                 lines[j].start_byte);
    kwic_lines_clear(lines, n);
    free(lines);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
  }
}

static void test_bad_span(void **state) {
  (void)state;
  MatchSpan span;
  KwicLine line;
  char *err = NULL;
  memset(&span, 0, sizeof span);
  span.start_byte = 2;
  span.end_byte = 7;
  assert_int_equal(kwic_make("abcdef", 6, &span, 1, 3, &line, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "match 2..7 is outside the text of 6 bytes");
  jfts_free(err);
  assert_int_equal(kwic_make("abcdef", 6, NULL, 0, 3, NULL, NULL), JFTS_OK);
}

static void test_disjoint(void **state) {
  (void)state;
  static const struct {
    const char *name, *text, *query, *expect;
  } cases[] = {
      {"variant inside the term's match", "地域包括支援センターと地域包括圏域",
       "\"地域包括支援センター\" OR 地域包括", "[地域包括支援センター]と地域包括圏域|括支援センターと[地域包括]圏域"},
      {"overlapping terms: the earlier wins", "ウイルス感染", "ウイルス OR ルス感染",
       "[ウイルス]感染"},
      {"adjacent spans both kept", "障害者", "障害 OR 者", "[障害]者|障害[者]"},
      {"none", "地域", "支援", ""},
  };
  char got[512];
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Query *q = NULL;
    Matcher *m = NULL;
    MatchSpan *spans = NULL;
    size_t n = 0;
    assert_int_equal(qry_parse(cases[i].query, strlen(cases[i].query), &q, NULL), JFTS_OK);
    assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
    assert_int_equal(match_find(m, cases[i].text, strlen(cases[i].text), &spans, &n, NULL),
                     JFTS_OK);
    n = kwic_disjoint_spans(spans, n);
    KwicLine lines[8];
    assert_true(n <= 8);
    assert_int_equal(kwic_make(cases[i].text, strlen(cases[i].text), spans, n, 8, lines, NULL),
                     JFTS_OK);
    render(lines, n, got, sizeof got);
    kwic_lines_clear(lines, n);
    jfts_free(spans);
    match_free(m);
    qry_free(q);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
  }
}

/* Index of offset in the boundaries b, or SIZE_MAX when it is not a boundary. */
static size_t boundary_index(const size_t *b, size_t nb, size_t offset) {
  for (size_t i = 0; i < nb; i++)
    if (b[i] == offset) return i;
  return SIZE_MAX;
}

/* For every quote of several queries (thesaurus-expanded) over every corpus passage:
** left + match + right is the passage text from start_byte, the match is the span, and each
** context is a whole number of grapheme clusters: exactly N of them unless the passage ends
** first. */
static void test_corpus_invariant(void **state) {
  (void)state;
  static const char *queries[] = {"障害",   "支援",         "オンライン",
                                  "8050問題", "ｺﾛﾅｳｲﾙｽ",     "地域包括 支援センター",
                                  "会議",   "\"Web 開催\"", "の OR 、"};
  static const size_t contexts[] = {0, 1, 5, KWIC_DEFAULT_CONTEXT};
  size_t n_text = 0;
  char *text = test_read_file(CORPUS_FILE, &n_text);
  Report *r = NULL;
  Thesaurus *ths = NULL;
  assert_int_equal(report_parse(text, n_text, &r, NULL), JFTS_OK);
  assert_int_equal(ths_load(JFTS_DEFAULT_THESAURUS, &ths, NULL), JFTS_OK);
  size_t n_quotes = 0, n_newline = 0;
  for (size_t qi = 0; qi < sizeof queries / sizeof *queries; qi++) {
    Query *q = NULL;
    Matcher *m = NULL;
    assert_int_equal(qry_parse(queries[qi], strlen(queries[qi]), &q, NULL), JFTS_OK);
    assert_int_equal(ths_expand(ths, q, NULL, NULL, NULL), JFTS_OK);
    assert_int_equal(match_new(q, &m, NULL), JFTS_OK);
    for (size_t p = 0; p < r->n_passages; p++) {
      const char *pt = r->passages[p].body.text;
      size_t pn = r->passages[p].body.n_bytes;
      MatchSpan *spans = NULL;
      size_t n = 0, *b = NULL, nb = 0;
      assert_int_equal(match_find(m, pt, pn, &spans, &n, NULL), JFTS_OK);
      if (n == 0) continue;
      assert_int_equal(seg_boundaries(SEG_GRAPHEME, pt, pn, &b, &nb, NULL), JFTS_OK);
      KwicLine *lines = calloc(n, sizeof *lines);
      assert_non_null(lines);
      for (size_t ci = 0; ci < sizeof contexts / sizeof *contexts; ci++) {
        size_t nc = contexts[ci];
        assert_int_equal(kwic_make(pt, pn, spans, n, nc, lines, NULL), JFTS_OK);
        for (size_t s = 0; s < n; s++) {
          const KwicLine *l = &lines[s];
          size_t total = l->n_left + l->n_match + l->n_right;
          if (l->start_byte + total > pn ||
              memcmp(pt + l->start_byte, l->left, l->n_left) != 0 ||
              memcmp(pt + l->start_byte + l->n_left, l->match, l->n_match) != 0 ||
              memcmp(pt + l->start_byte + l->n_left + l->n_match, l->right, l->n_right) != 0)
            fail_msg("query '%s', passage %zu, quote %zu: not a substring", queries[qi], p, s);
          if (l->start_byte + l->n_left != spans[s].start_byte ||
              l->n_match != spans[s].end_byte - spans[s].start_byte)
            fail_msg("query '%s', passage %zu, quote %zu: match is not the span", queries[qi],
                     p, s);
          if (strlen(l->left) != l->n_left || strlen(l->right) != l->n_right)
            fail_msg("query '%s', passage %zu: lengths", queries[qi], p);
          size_t i0 = boundary_index(b, nb, l->start_byte);
          size_t i1 = boundary_index(b, nb, spans[s].start_byte);
          size_t i2 = boundary_index(b, nb, spans[s].end_byte);
          size_t i3 = boundary_index(b, nb, l->start_byte + total);
          if (i0 == SIZE_MAX || i1 == SIZE_MAX || i2 == SIZE_MAX || i3 == SIZE_MAX)
            fail_msg("query '%s', passage %zu, quote %zu: cut inside a cluster", queries[qi],
                     p, s);
          if (i1 - i0 != nc && i0 != 0)
            fail_msg("query '%s', passage %zu, quote %zu: %zu left clusters for %zu",
                     queries[qi], p, s, i1 - i0, nc);
          if (i3 - i2 != nc && i3 != nb - 1)
            fail_msg("query '%s', passage %zu, quote %zu: %zu right clusters for %zu",
                     queries[qi], p, s, i3 - i2, nc);
          n_newline += memchr(l->left, '\n', l->n_left) != NULL;
          n_quotes++;
        }
        kwic_lines_clear(lines, n);
      }
      free(lines);
      jfts_free(b);
      jfts_free(spans);
    }
    match_free(m);
    qry_free(q);
  }
  /* The quotes cover the corpus, including contexts that reach across a block's "\n". */
  assert_true(n_quotes > 1000);
  assert_true(n_newline > 10);
  ths_free(ths);
  report_free(r);
  free(text);
}

/* Makes one KWIC line per text, matching 障害 (once per text), tags = input order. */
static KwicLine *lines_of(const char *const *texts, size_t n) {
  KwicLine *lines = calloc(n, sizeof *lines);
  assert_non_null(lines);
  for (size_t i = 0; i < n; i++) {
    KwicLine *one = NULL;
    size_t got = make_lines(texts[i], texts[i], "障害", 30, &one);
    assert_int_equal(got, 1);
    lines[i] = one[0];
    lines[i].tag = i;
    free(one);
  }
  return lines;
}

static void render_sorted(KwicLine *lines, size_t n, KwicSort how, char *out, size_t cap) {
  char *err = NULL;
  int rc = kwic_sort(lines, n, how, &err);
  if (rc != JFTS_OK) fail_msg("kwic_sort(%d) = %d: %s", (int)how, rc, err ? err : "");
  size_t k = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n; i++)
    k += (size_t)snprintf(out + k, cap - k, "%s%zu:%s[%s]%s", i ? " " : "", lines[i].tag,
                          lines[i].left, lines[i].match, lines[i].right);
}

static void test_sort(void **state) {
  (void)state;
  static const char *const texts[] = {
      "漢障害か",  /* 0 */
      "か障害あ",  /* 1 */
      "あか障害ア", /* 2: leftward reads か then あ */
      "かあ障害",  /* 3: leftward reads あ then か: before 2 although かあ > あか forward */
      "ア障害漢",  /* 4 */
      "障害b",    /* 5: empty left */
      "あ障害",   /* 6: empty right like 3: ties keep document order */
      "ab障害ア",  /* 7 */
  };
  size_t n = sizeof texts / sizeof *texts;
  char got[1024];
  static const struct {
    KwicSort how;
    const char *expect;
  } cases[] = {
      {KWIC_SORT_LEFT, "5:[障害]b 7:ab[障害]ア 6:あ[障害] 4:ア[障害]漢 3:かあ[障害] "
                       "1:か[障害]あ 2:あか[障害]ア 0:漢[障害]か"},
      {KWIC_SORT_RIGHT, "3:かあ[障害] 6:あ[障害] 5:[障害]b 1:か[障害]あ 2:あか[障害]ア "
                        "7:ab[障害]ア 0:漢[障害]か 4:ア[障害]漢"},
      {KWIC_SORT_DOC, "0:漢[障害]か 1:か[障害]あ 2:あか[障害]ア 3:かあ[障害] 4:ア[障害]漢 "
                      "5:[障害]b 6:あ[障害] 7:ab[障害]ア"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    KwicLine *lines = lines_of(texts, n); /* in document order each time */
    render_sorted(lines, n, cases[i].how, got, sizeof got);
    kwic_lines_clear(lines, n);
    free(lines);
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("sort %d: got '%s', expected '%s'", (int)cases[i].how, got, cases[i].expect);
  }

  KwicSort how = KWIC_SORT_DOC;
  char *err = NULL;
  assert_int_equal(kwic_parse_sort("left", &how, NULL), JFTS_OK);
  assert_int_equal(how, KWIC_SORT_LEFT);
  assert_int_equal(kwic_parse_sort("right", &how, NULL), JFTS_OK);
  assert_int_equal(how, KWIC_SORT_RIGHT);
  assert_int_equal(kwic_parse_sort("doc", &how, NULL), JFTS_OK);
  assert_int_equal(how, KWIC_SORT_DOC);
  assert_int_equal(kwic_parse_sort("Left", &how, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "unknown sort 'Left': expected doc, left or right");
  jfts_free(err);
}

/* The collator on its own: the orders kwic_sort relies on. */
static void test_collate(void **state) {
  (void)state;
  static const struct {
    const char *a, *b;
    int expect;
  } cases[] = {
      {"あ", "か", -1},   {"か", "ア", 1},   {"あ", "ア", -1}, {"ア", "ｱ", 0},
      {"か", "漢", -1},   {"a", "あ", -1},   {"a", "A", -1},   {"", "あ", -1},
      {"あい", "アア", 1}, {"ア行", "か", -1},
  };
  Collator *c = NULL;
  assert_int_equal(coll_open("ja", &c, NULL), JFTS_OK);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int cmp = 2;
    uint8_t *ka = NULL, *kb = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(coll_compare(c, cases[i].a, strlen(cases[i].a), cases[i].b,
                                  strlen(cases[i].b), &cmp, NULL),
                     JFTS_OK);
    assert_int_equal(coll_sort_key(c, cases[i].a, strlen(cases[i].a), &ka, &na, NULL), JFTS_OK);
    assert_int_equal(coll_sort_key(c, cases[i].b, strlen(cases[i].b), &kb, &nb, NULL), JFTS_OK);
    int kc = coll_key_cmp(ka, na, kb, nb);
    kc = kc < 0 ? -1 : kc > 0;
    jfts_free(ka);
    jfts_free(kb);
    if (cmp != cases[i].expect || kc != cases[i].expect)
      fail_msg("'%s' vs '%s': compare %d, keys %d, expected %d", cases[i].a, cases[i].b, cmp,
               kc, cases[i].expect);
  }
  /* A long string takes the heap path of the UTF-16 copy and a long key. */
  char long_a[3000], long_b[3000];
  for (size_t i = 0; i + 3 < sizeof long_a; i += 3) {
    memcpy(long_a + i, "あ", 3);
    memcpy(long_b + i, "あ", 3);
  }
  long_a[2997] = long_b[2997] = '\0';
  long_b[2994] = '\0';
  uint8_t *ka = NULL, *kb = NULL;
  size_t na = 0, nb = 0;
  assert_int_equal(coll_sort_key(c, long_a, strlen(long_a), &ka, &na, NULL), JFTS_OK);
  assert_int_equal(coll_sort_key(c, long_b, strlen(long_b), &kb, &nb, NULL), JFTS_OK);
  assert_true(na > 64);
  assert_true(coll_key_cmp(kb, nb, ka, na) < 0);
  jfts_free(ka);
  jfts_free(kb);
  coll_close(c);
  coll_close(NULL);
}

static void test_format(void **state) {
  (void)state;
  static const struct {
    const char *name, *text;
    int left_cols;
    const char *expect;
  } cases[] = {
      {"ASCII", "abc障害です", 8, "     abc«障害»です"},
      {"full-width", "あいう障害", 8, "  あいう«障害»"},
      {"half-width katakana", "ｱｲｳ障害", 8, "     ｱｲｳ«障害»"},
      {"mixed", "a漢b障害c", 8, "    a漢b«障害»c"},
      {"empty left", "障害", 4, "    «障害»"},
      {"exact fit", "あいうえ障害", 8, "あいうえ«障害»"},
      {"too wide: clusters dropped from the start", "あいうえお障害", 7, " うえお«障害»"},
      {"too wide, half-width", "abcdefgh障害", 3, "fgh«障害»"},
      {"newline shown", "援\n障害\nで", 4, " 援⏎«障害»⏎で"},
      {"zero columns", "あい障害う", 0, "«障害»う"},
  };
  KwicStyle style = {0, "«", "»"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    KwicLine *lines = NULL;
    size_t n = make_lines(cases[i].name, cases[i].text, "障害", 30, &lines);
    assert_int_equal(n, 1);
    style.left_cols = cases[i].left_cols;
    char *out = NULL, *err = NULL;
    int rc = kwic_format_text(&lines[0], &style, &out, &err);
    if (rc != JFTS_OK) fail_msg("case '%s': rc %d: %s", cases[i].name, rc, err ? err : "");
    if (strcmp(out, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, out, cases[i].expect);
    /* The match always starts in the same column. */
    const char *hl = strstr(out, "«");
    if (seg_display_width(out, (size_t)(hl - out)) != cases[i].left_cols)
      fail_msg("case '%s': match not at column %d", cases[i].name, cases[i].left_cols);
    jfts_free(out);
    kwic_lines_clear(lines, n);
    free(lines);
  }
  /* Widths of the parts, as displayed. */
  KwicLine *lines = NULL;
  make_lines("widths", "ab\nあ障害ｱｲ漢", "障害", 30, &lines);
  assert_int_equal(lines[0].left_width, 5);
  assert_int_equal(lines[0].match_width, 4);
  assert_int_equal(lines[0].right_width, 4);
  /* No markers. */
  KwicStyle plain = {2, NULL, NULL};
  char *out = NULL;
  assert_int_equal(kwic_format_text(&lines[0], &plain, &out, NULL), JFTS_OK);
  assert_string_equal(out, "あ障害ｱｲ漢");
  jfts_free(out);
  kwic_lines_clear(lines, 1);
  kwic_lines_clear(NULL, 3);
  free(lines);
}

/* Every allocation failure is reported as JFTS_ERR_NOMEM and leaks nothing. */
static void test_out_of_memory(void **state) {
  (void)state;
  static const char *const texts[] = {"か障害あ", "あか障害ア", "漢障害"};
  KwicLine *lines = lines_of(texts, 3);
  long live = jfts_alloc_live();
  int done = 0;
  for (long n_ok = 0; !done && n_ok < 1000; n_ok++) {
    KwicLine made[3];
    MatchSpan span;
    char *out = NULL;
    memset(&span, 0, sizeof span);
    span.start_byte = 3;
    span.end_byte = 9;
    jfts_alloc_fail_after(n_ok);
    int rc = kwic_make(texts[1], strlen(texts[1]), &span, 1, 2, made, NULL);
    if (rc == JFTS_OK) {
      kwic_lines_clear(made, 1);
      rc = kwic_sort(lines, 3, KWIC_SORT_LEFT, NULL);
    }
    if (rc == JFTS_OK) rc = kwic_sort(lines, 3, KWIC_SORT_RIGHT, NULL);
    if (rc == JFTS_OK) {
      KwicStyle style = {2, "«", "»"};
      rc = kwic_format_text(&lines[1], &style, &out, NULL);
    }
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_OK) done = 1;
    else if (rc != JFTS_ERR_NOMEM) fail_msg("n_ok %ld: rc %d", n_ok, rc);
    jfts_free(out);
    assert_int_equal(jfts_alloc_live(), live);
  }
  assert_true(done);
  kwic_lines_clear(lines, 3);
  free(lines);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_context), cmocka_unit_test(test_bad_span),
      cmocka_unit_test(test_disjoint),
      cmocka_unit_test(test_corpus_invariant), cmocka_unit_test(test_sort),
      cmocka_unit_test(test_collate), cmocka_unit_test(test_format),
      cmocka_unit_test(test_out_of_memory),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  seg_shutdown();
  return rc;
}
