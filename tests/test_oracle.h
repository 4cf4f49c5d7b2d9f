/* The grep-like oracle of the recall tests (test_tokenizer's substring oracle, test_recall's
** whole-pipeline one), written apart from the library's matcher on purpose: what jfts must
** find is defined here, not by the code under test. Include after <cmocka.h> and norm.h;
** static inline, one copy per test program. */
#ifndef JFTS_TEST_ORACLE_H
#define JFTS_TEST_ORACLE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Normalized code points with the skippable spaces removed (what a match may span). */
typedef struct TestSkel {
  uint32_t *cp;
  uint8_t *cls;
  size_t n;
} TestSkel;

/* 1 for a line break among the NORM_SPACE code points. */
static inline int test_is_line_break(uint32_t c) {
  return (c >= 0x0A && c <= 0x0D) || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* The skeleton of normalized text t: white space a match may cross is left out. That is any
** run of white space (line breaks too) between two Japanese (NORM_CJK) chars, as grep finds
** on text with all white space removed, and a run without line breaks between a Japanese char
** and a word (Latin/digit) char ("8050 問題"). Elsewhere the run stays.
** Stated here rather than through norm_space_skippable: the tests check the library against
** this rule. Release with test_skel_free. */
static inline void test_skel_build(const NormText *t, TestSkel *out) {
  memset(out, 0, sizeof *out);
  out->cp = malloc((t->n + 1) * sizeof *out->cp);
  out->cls = malloc(t->n + 1);
  assert_true(out->cp && out->cls);
  for (size_t i = 0; i < t->n;) {
    if (t->cls[i] == NORM_SPACE) {
      size_t j = i;
      int line_break = 0;
      for (; j < t->n && t->cls[j] == NORM_SPACE; j++) line_break |= test_is_line_break(t->cp[j]);
      if (i > 0 && j < t->n) {
        int a = t->cls[i - 1], b = t->cls[j];
        int cross = (a == NORM_CJK && b == NORM_CJK) ||
                    (!line_break && ((a == NORM_CJK && b == NORM_WORD) ||
                                     (a == NORM_WORD && b == NORM_CJK)));
        if (cross) {
          i = j;
          continue;
        }
      }
    }
    out->cp[out->n] = t->cp[i];
    out->cls[out->n++] = t->cls[i];
    i++;
  }
}

static inline void test_skel_free(TestSkel *s) {
  free(s->cp);
  free(s->cls);
  memset(s, 0, sizeof *s);
}

/* grep on the skeleton: occurrences of q (overlapping ones too) whose Latin/digit ends are
** not continued by another word char (65歳 is not in 165歳), counting up to max (0: all). */
static inline long test_skel_count(const TestSkel *s, const NormText *q, long max) {
  size_t m = q->n;
  long n = 0;
  if (m == 0 || m > s->n) return 0;
  for (size_t k = 0; k + m <= s->n; k++) {
    if (s->cp[k] != q->cp[0] || memcmp(s->cp + k, q->cp, m * sizeof *q->cp) != 0) continue;
    if (q->cls[0] == NORM_WORD && k > 0 && s->cls[k - 1] == NORM_WORD) continue;
    if (q->cls[m - 1] == NORM_WORD && k + m < s->n && s->cls[k + m] == NORM_WORD) continue;
    if (++n == max) break;
  }
  return n;
}

#endif
