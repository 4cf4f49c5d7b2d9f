/* report.h's invariant, checked by test_report.c and test_structure.c on every Report they
** parse: every non-space byte of the source lies in exactly one passage segment, or else in a
** label span, and every passage byte that came from the source is the source byte itself.
** Include after cmocka.h and report.h. */
#ifndef JFTS_TEST_REPORT_CHECK_H
#define JFTS_TEST_REPORT_CHECK_H

#include <stdlib.h>
#include <string.h>

static int is_space_at(const char *s, size_t i, size_t *len) {
  unsigned char c = (unsigned char)s[i];
  *len = 1;
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return 1;
  if (c == 0xE3 && (unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] == 0x80) {
    *len = 3;
    return 1;
  }
  return 0;
}

/* Every non-space byte lies in exactly one passage segment, or else in a label span; every
** passage byte that came from the source is the source byte itself. */
static void check_no_text_lost(const char *name, const char *text, size_t n, const Report *r) {
  unsigned char *cover = calloc(n + 1, 1);
  assert_non_null(cover);
  for (size_t i = 0; i < r->n_passages; i++) {
    const RepText *b = &r->passages[i].body;
    assert_true(b->n_bytes <= REPORT_PASSAGE_MAX);
    for (size_t k = 0; k < b->n_segs; k++) {
      const RepSeg *s = &b->segs[k];
      if (memcmp(b->text + s->text_start, text + s->src_start, s->n_bytes) != 0)
        fail_msg("%s: passage %zu segment %zu differs from the source", name, i, k);
      for (size_t j = s->src_start; j < (size_t)s->src_start + s->n_bytes; j++) {
        if (cover[j] & 1) fail_msg("%s: byte %zu lies in two passages", name, j);
        cover[j] |= 1;
      }
    }
  }
  for (size_t i = 0; i < r->n_labels; i++)
    for (size_t j = r->labels[i].src_start; j < r->labels[i].src_end; j++) cover[j] |= 2;
  for (size_t i = 0; i < n;) {
    size_t len;
    if (is_space_at(text, i, &len)) {
      i += len;
      continue;
    }
    if (cover[i] == 0) {
      size_t line = 1;
      for (size_t j = 0; j < i; j++) line += text[j] == '\n';
      fail_msg("%s: byte %zu (line %zu) is in no passage and no label", name, i, line);
    }
    i++;
  }
  free(cover);
}

#endif
