/* Tests of norm.c: NFKC_Casefold output with the source byte range of every code point, the
** character classes the tokenizer relies on, the skippable-space rule, and out-of-memory
** handling. Each row renders the normalized text as "char@start:end<class>|...". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include "jfts_common.h"
#include "norm.h"

/* Renders t as "a@0:1W|U+0020@1:2S|..."; spaces, controls and marks as U+XXXX. */
static void render(const NormText *t, char *out, size_t cap) {
  static const char cls_letter[] = "SPWC";
  size_t len = 0;
  out[0] = '\0';
  for (size_t i = 0; i < t->n; i++) {
    char ch[16];
    uint32_t c = t->cp[i];
    int8_t gc = u_charType((UChar32)c);
    int spelled = t->cls[i] == NORM_SPACE || gc == U_NON_SPACING_MARK ||
                  gc == U_ENCLOSING_MARK || gc == U_COMBINING_SPACING_MARK;
    if (spelled) {
      snprintf(ch, sizeof ch, "U+%04X", (unsigned)c);
    } else {
      /* ICU's encoder, not a copy of the tokenizer's own put_utf8. */
      size_t k = 0;
      U8_APPEND_UNSAFE(ch, k, c);
      ch[k] = '\0';
    }
    len += (size_t)snprintf(out + len, cap - len, "%s%s@%u:%u%c", i ? "|" : "", ch,
                            (unsigned)t->src_start[i], (unsigned)t->src_end[i],
                            cls_letter[t->cls[i]]);
    assert_true(len < cap);
  }
}

static const struct {
  const char *name, *input, *expect;
} k_cases[] = {
    {"empty", "", ""},
    {"ascii lower is copied", "ab1", "a@0:1W|b@1:2W|1@2:3W"},
    {"ascii upper folds", "AB", "a@0:1W|b@1:2W"},
    {"full-width letters", "ＩＧＡＳＵ", "i@0:3W|g@3:6W|a@6:9W|s@9:12W|u@12:15W"},
    {"full-width digits", "８０５０", "8@0:3W|0@3:6W|5@6:9W|0@9:12W"},
    {"mixed width word", "Ｈ３０年", "h@0:3W|3@3:6W|0@6:9W|年@9:12C"},
    {"full-width parens", "（１）", "(@0:3P|1@3:6W|)@6:9P"},
    {"half-width katakana voiced", "ｶﾞｽ", "ガ@0:6C|ス@6:9C"},
    {"half-width katakana", "ﾃｽﾄ", "テ@0:3C|ス@3:6C|ト@6:9C"},
    {"half-width prolonged mark", "ｺｰﾄﾞ", "コ@0:3C|ー@3:6C|ド@6:12C"},
    {"circled digit", "①番", "1@0:3W|番@3:6C"},
    {"square era name expands", "㍻元年", "平@0:3C|成@0:3C|元@3:6C|年@6:9C"},
    {"sharp s folds to two", "Straße", "s@0:1W|t@1:2W|r@2:3W|a@3:4W|s@4:6W|s@4:6W|e@6:7W"},
    {"combining acute composes", "e\xCC\x81t", "é@0:3W|t@3:4W"},
    {"combining voiced mark composes", "か\xE3\x82\x99", "が@0:6C"},
    {"mark without composition joins a word", "a\xCC\xB2" "b", "a@0:1W|U+0332@1:3W|b@3:4W"},
    {"mark without composition joins kana", "ん\xE3\x82\x99", "ん@0:3C|U+3099@3:6C"},
    {"mark after space", "a \xCC\x81", "a@0:1W|U+0020@1:2S|U+0301@2:4S"},
    {"spacing voiced mark", "\xE3\x82\x9B", "U+0020@0:3S|U+3099@0:3S"},
    {"surrogate pair", "𠮷野家", "𠮷@0:4C|野@4:7C|家@7:10C"},
    {"classes of marks and symbols", "ー〇・、～",
     "ー@0:3C|〇@3:6C|・@6:9P|、@9:12P|~@12:15C"},
    {"emoji and ZWJ", "😀👨\xE2\x80\x8D👩", "😀@0:4C|👨@4:8C|👩@11:15C"},
    {"soft hyphen vanishes", "a\xC2\xAD"
                             "b",
     "a@0:3W|b@3:4W"}, /* the hyphen joins the segment of the char before it */
    {"spaces", "a　b\tc\nd",
     "a@0:1W|U+0020@1:4S|b@4:5W|U+0009@5:6S|c@6:7W|U+000A@7:8S|d@8:9W"},
    {"greek and cyrillic are words", "ΑΩяЖ", "α@0:2W|ω@2:4W|я@4:6W|ж@6:8W"},
    {"hangul and thai are n-grams", "한กา", "한@0:3C|ก@3:6C|า@6:9C"},
    {"invalid byte", "a\xFF"
                     "b",
     "a@0:1W|\xEF\xBF\xBD@1:2C|b@2:3W"},
    {"truncated sequence", "b\xE3\x81", "b@0:1W|\xEF\xBF\xBD@1:3C"},
    {"truncated then valid", "\xE3\x81あ", "\xEF\xBF\xBD@0:2C|あ@2:5C"},
    {"encoded surrogate", "\xED\xA0\x80",
     "\xEF\xBF\xBD@0:1C|\xEF\xBF\xBD@1:2C|\xEF\xBF\xBD@2:3C"},
    {"overlong", "\xC0\xAF", "\xEF\xBF\xBD@0:1C|\xEF\xBF\xBD@1:2C"},
    {"NUL byte", "a\0b", "a@0:1W|U+0000@1:2S|b@2:3W"},
};

static void test_cases(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof k_cases / sizeof k_cases[0]; k++) {
    NormText *t = NULL;
    char *err = NULL;
    char got[2048];
    size_t n = strlen(k_cases[k].input);
    if (strcmp(k_cases[k].name, "NUL byte") == 0) n = 3;
    int rc = norm_text(k_cases[k].input, n, &t, &err);
    assert_int_equal(rc, JFTS_OK);
    assert_null(err);
    render(t, got, sizeof got);
    if (strcmp(got, k_cases[k].expect) != 0) {
      print_error("case '%s'\n", k_cases[k].name);
    }
    assert_string_equal(got, k_cases[k].expect);
    norm_free(t);
  }
}

/* A NormWork reused for a long, then a short, then a long text gives the same results as
** fresh calls: no state leaks from one text into the next. */
static void test_work_reuse(void **state) {
  (void)state;
  const char *texts[] = {"（１）全体協議会ＩＧＡＳＵ", "ab", "ｶﾞ𠮷野家", "", "8050 問題"};
  NormWork w;
  memset(&w, 0, sizeof w);
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    NormText *fresh = NULL;
    char a[1024], b[1024];
    assert_int_equal(norm_text(texts[k], strlen(texts[k]), &fresh, NULL), JFTS_OK);
    assert_int_equal(norm_work_run(&w, texts[k], strlen(texts[k]), NULL), JFTS_OK);
    render(fresh, a, sizeof a);
    render(&w.text, b, sizeof b);
    assert_string_equal(a, b);
    norm_free(fresh);
  }
  norm_work_release(&w);
  assert_null(w.u16);
  assert_int_equal(w.text.n, 0);
  norm_work_release(NULL);
}

/* Ranges cover the source without holes when nothing vanishes: every source byte belongs to
** exactly the code points of its segment. Checked over the bundled corpus. */
static void test_corpus_ranges(void **state) {
  (void)state;
  FILE *f = fopen(JFTS_CORPUS "/sendai-r3-jiritsushien.txt", "rb");
  assert_non_null(f);
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  assert_true(n > 20000);
  NormText *t = NULL;
  assert_int_equal(norm_text(buf, n, &t, NULL), JFTS_OK);
  assert_true(t->n > 5000);
  assert_int_equal(t->src_start[0], 0);
  assert_int_equal(t->src_end[t->n - 1], n);
  for (size_t i = 1; i < t->n; i++) {
    int same_segment =
        t->src_start[i] == t->src_start[i - 1] && t->src_end[i] == t->src_end[i - 1];
    if (!same_segment && t->src_start[i] != t->src_end[i - 1]) {
      print_error("hole or overlap before code point %zu\n", i);
      fail();
    }
    assert_true(t->src_start[i] < t->src_end[i]);
  }
  norm_free(t);
}

/* The fast paths of norm_class for kana and CJK blocks agree with the general rule. */
static void test_class_fast_paths(void **state) {
  (void)state;
  for (uint32_t c = 0x3000; c <= 0xA000; c++) {
    int8_t gc = u_charType((UChar32)c);
    UErrorCode st = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript((UChar32)c, &st);
    NormClass want;
    if (gc == U_SPACE_SEPARATOR || gc == U_CONTROL_CHAR || gc == U_FORMAT_CHAR) {
      want = NORM_SPACE;
    } else if (gc >= U_DASH_PUNCTUATION && gc <= U_OTHER_PUNCTUATION) {
      want = NORM_PUNCT;
    } else if (gc == U_INITIAL_PUNCTUATION || gc == U_FINAL_PUNCTUATION) {
      want = NORM_PUNCT;
    } else if (gc == U_DECIMAL_DIGIT_NUMBER) {
      want = NORM_WORD;
    } else if (gc >= U_UPPERCASE_LETTER && gc <= U_OTHER_LETTER) {
      int cjk = sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA ||
                sc == USCRIPT_HANGUL || sc == USCRIPT_BOPOMOFO || sc == USCRIPT_YI ||
                uscript_hasScript((UChar32)c, USCRIPT_HAN) ||
                uscript_hasScript((UChar32)c, USCRIPT_HIRAGANA) ||
                uscript_hasScript((UChar32)c, USCRIPT_KATAKANA) ||
                uscript_hasScript((UChar32)c, USCRIPT_BOPOMOFO);
      want = cjk ? NORM_CJK : NORM_WORD;
    } else {
      want = NORM_CJK; /* symbols, other numbers, unassigned; marks alone are NORM_CJK too */
    }
    if (norm_class(c) != want) {
      print_error("U+%04X: class %d, expected %d\n", (unsigned)c, norm_class(c), want);
      fail();
    }
  }
  assert_int_equal(norm_class(0x30FC), NORM_CJK); /* ー */
  assert_int_equal(norm_class(0x3007), NORM_CJK); /* 〇 */
  assert_int_equal(norm_class(0x30FB), NORM_PUNCT); /* ・ */
  assert_int_equal(norm_class(0x3001), NORM_PUNCT); /* 、 */
  assert_int_equal(norm_class(0x301C), NORM_PUNCT); /* 〜 wave dash (Pd) */
  assert_int_equal(norm_class('~'), NORM_CJK);      /* what ～ normalizes to (Sm) */
  assert_int_equal(norm_class(0x1F600), NORM_CJK);  /* emoji */
  assert_int_equal(norm_class(0xFFFD), NORM_CJK);
  assert_int_equal(norm_class(0x0661), NORM_WORD);  /* Arabic-Indic digit one (Nd) */
  assert_int_equal(norm_class(0x00E9), NORM_WORD);  /* é */
  assert_int_equal(norm_class(0x2028), NORM_SPACE);
  assert_int_equal(norm_class(0x200B), NORM_SPACE); /* zero width space (Cf) */
}

static const struct {
  const char *name, *input;
  size_t last_before, first_after;
  int expect;
} k_skip[] = {
    {"space between digits and kanji", "8050 問題", 3, 5, 1},
    {"kanji then space then word", "問題 web", 1, 3, 1},
    {"several spaces and a tab", "8050 \t　問題", 3, 7, 1},
    {"empty run", "8050問題", 3, 4, 0},
    {"line break", "8050\n問題", 3, 5, 0},
    {"CRLF", "8050\r\n問題", 3, 6, 0},
    {"punctuation", "8050、問題", 3, 5, 0},
    {"punctuation and space", "2) 実務", 0, 3, 0},
    {"two words", "ab cd", 1, 3, 0},
    {"two kanji", "問 題", 0, 2, 1},
    {"two kanji, ideographic space", "問　題", 0, 2, 1},
    {"two kanji across a line break", "問\n題", 0, 2, 1},
    {"two kanji across CRLF and spaces", "問 \r\n　題", 0, 5, 1},
    {"kana across spaces and a tab", "あ \tい", 0, 3, 1},
    {"two digit runs across a line break", "12\n34", 1, 3, 0},
    {"kanji and punctuation", "問 、", 0, 2, 0},
    {"out of range", "8050 問題", 3, 99, 0},
    {"reversed", "8050 問題", 5, 3, 0},
};

static void test_space_skippable(void **state) {
  (void)state;
  for (size_t k = 0; k < sizeof k_skip / sizeof k_skip[0]; k++) {
    NormText *t = NULL;
    assert_int_equal(norm_text(k_skip[k].input, strlen(k_skip[k].input), &t, NULL), JFTS_OK);
    int got = norm_space_skippable(t, k_skip[k].last_before, k_skip[k].first_after);
    if (got != k_skip[k].expect) print_error("case '%s'\n", k_skip[k].name);
    assert_int_equal(got, k_skip[k].expect);
    norm_free(t);
  }
  assert_int_equal(norm_space_skippable(NULL, 0, 2), 0);
}

static void test_too_long(void **state) {
  (void)state;
  NormText *t = (NormText *)&t; /* must be reset to NULL */
  char *err = NULL;
  int rc = norm_text("x", (size_t)INT32_MAX, &t, &err);
  assert_int_equal(rc, JFTS_ERR_USAGE);
  assert_null(t);
  assert_string_equal(err, "text of 2147483647 bytes is too long to normalize");
  jfts_free(err);
}

/* Every allocation failure is reported as JFTS_ERR_NOMEM and leaks nothing. */
static void test_out_of_memory(void **state) {
  (void)state;
  const char *text = "（１）全体協議会ＩＧＡＳＵ 8050 問題 ﷺ";
  long live = jfts_alloc_live();
  int failures = 0;
  for (long n_ok = 0; n_ok < 100; n_ok++) {
    NormText *t = NULL;
    jfts_alloc_fail_after(n_ok);
    int rc = norm_text(text, strlen(text), &t, NULL);
    jfts_alloc_fail_after(-1);
    if (rc == JFTS_OK) {
      norm_free(t);
      break;
    }
    failures++;
    assert_int_equal(rc, JFTS_ERR_NOMEM);
    assert_null(t);
    assert_int_equal(jfts_alloc_live(), live);
  }
  assert_true(failures >= 3);
  assert_int_equal(jfts_alloc_live(), live);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),           cmocka_unit_test(test_work_reuse),
      cmocka_unit_test(test_corpus_ranges),   cmocka_unit_test(test_class_fast_paths),
      cmocka_unit_test(test_space_skippable), cmocka_unit_test(test_too_long),
      cmocka_unit_test(test_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
