/* Fuzz target for the report parser (report.h, repair.h): input that dec_decode accepts as
** UTF-8 (else the input with its ill-formed bytes made '?') is parsed, and the report must
** keep its promises: every passage segment is a verbatim copy of the source, no passage
** exceeds REPORT_PASSAGE_MAX bytes, every non-space source byte lies in exactly one passage
** or in a label, and every index points inside its array. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "fuzz_util.h"
#include "jfts_common.h"
#include "repair.h"
#include "report.h"

static void check_passage(const char *src, size_t n_src, const Report *r, size_t i,
                          unsigned char *cover) {
  const Passage *p = &r->passages[i];
  const RepText *b = &p->body;
  FUZZ_CHECK(p->ordinal == (int)i, "passage %zu has ordinal %d", i, p->ordinal);
  FUZZ_CHECK(b->n_bytes <= REPORT_PASSAGE_MAX, "passage %zu has %zu bytes", i, b->n_bytes);
  FUZZ_CHECK(b->n_bytes == 0 || (b->text != NULL && b->text[b->n_bytes] == '\0'),
             "passage %zu: text not NUL-terminated", i);
  size_t bad = b->text ? fuzz_utf8_invalid_at((const unsigned char *)b->text, b->n_bytes) : 0;
  FUZZ_CHECK(b->text == NULL || bad == b->n_bytes, "passage %zu: not UTF-8 at byte %zu", i, bad);
  FUZZ_CHECK(p->src_start <= p->src_end && p->src_end <= n_src,
             "passage %zu: source range %zu..%zu outside 0..%zu", i, p->src_start, p->src_end,
             n_src);
  FUZZ_CHECK(p->line_start <= p->line_end, "passage %zu: lines %d..%d", i, p->line_start,
             p->line_end);
  FUZZ_CHECK(r->passage_doc[i] >= -1 && r->passage_doc[i] < (int)r->n_docs,
             "passage %zu: document %d of %zu", i, r->passage_doc[i], r->n_docs);
  /* A passage inherits its document's ward (another city's wards are allowed too). */
  const char *doc_ward = r->passage_doc[i] >= 0 ? r->docs[r->passage_doc[i]].ward : NULL;
  FUZZ_CHECK((p->ward == NULL && doc_ward == NULL) ||
                 (p->ward && doc_ward && strcmp(p->ward, doc_ward) == 0),
             "passage %zu: ward '%s', its document's '%s'", i, p->ward ? p->ward : "(none)",
             doc_ward ? doc_ward : "(none)");
  size_t text_end = 0;
  for (size_t k = 0; k < b->n_segs; k++) {
    const RepSeg *s = &b->segs[k];
    FUZZ_CHECK(s->text_start >= text_end && (size_t)s->text_start + s->n_bytes <= b->n_bytes,
               "passage %zu segment %zu: text %u+%u out of order or past %zu", i, k,
               (unsigned)s->text_start, (unsigned)s->n_bytes, b->n_bytes);
    FUZZ_CHECK((size_t)s->src_start + s->n_bytes <= n_src,
               "passage %zu segment %zu: source %u+%u past %zu", i, k, (unsigned)s->src_start,
               (unsigned)s->n_bytes, n_src);
    FUZZ_CHECK(s->src_start >= p->src_start && s->src_start + s->n_bytes <= p->src_end,
               "passage %zu segment %zu outside the passage's source range", i, k);
    FUZZ_CHECK(memcmp(b->text + s->text_start, src + s->src_start, s->n_bytes) == 0,
               "passage %zu segment %zu differs from the source", i, k);
    for (size_t j = s->src_start; j < (size_t)s->src_start + s->n_bytes; j++) {
      FUZZ_CHECK(!(cover[j] & 1), "source byte %zu lies in two passages (second: %zu)", j, i);
      cover[j] |= 1;
    }
    text_end = (size_t)s->text_start + s->n_bytes;
  }
}

static void check_report(const char *src, size_t n_src, const Report *r) {
  unsigned char *cover = calloc(n_src + 1, 1);
  if (cover == NULL) abort();
  for (size_t i = 0; i < r->n_passages; i++) check_passage(src, n_src, r, i, cover);
  for (size_t i = 0; i < r->n_meetings; i++) {
    const Meeting *m = &r->meetings[i];
    /* -1: a row without description text (report.c's finish_row). */
    FUZZ_CHECK((m->passage == -1 && (m->text == NULL || m->text[0] == '\0')) ||
                   (m->passage >= 0 && (size_t)m->passage < r->n_passages),
               "meeting %zu: passage %d of %zu", i, m->passage, r->n_passages);
    FUZZ_CHECK(r->meeting_doc[i] >= 0 && (size_t)r->meeting_doc[i] < r->n_docs,
               "meeting %zu: document %d of %zu", i, r->meeting_doc[i], r->n_docs);
    /* report.h says 1..5, but a table that goes on to （６） numbers on: only the sign holds. */
    FUZZ_CHECK(m->slot >= 0, "meeting %zu: slot %d", i, m->slot);
  }
  for (size_t i = 0; i < r->n_docs; i++)
    FUZZ_CHECK(r->docs[i].line_start <= r->docs[i].line_end, "document %zu: lines %d..%d", i,
               r->docs[i].line_start, r->docs[i].line_end);
  for (size_t i = 0; i < r->n_labels; i++) {
    const LabelSpan *l = &r->labels[i];
    FUZZ_CHECK(l->src_start <= l->src_end && l->src_end <= n_src, "label %zu: %zu..%zu of %zu",
               i, l->src_start, l->src_end, n_src);
    for (size_t j = l->src_start; j < l->src_end; j++) cover[j] |= 2;
  }
  /* No text lost: what repair does not count as white space must be shown somewhere. */
  for (size_t i = 0; i < n_src;) {
    uint32_t c;
    size_t len = fuzz_utf8_len((const unsigned char *)src + i, n_src - i, &c);
    FUZZ_CHECK(len > 0, "the parsed text is not UTF-8 at byte %zu", i);
    size_t j = i + len;
    int space = c == '\n' || c == '\r' || repair_is_space(c);
    if (!space)
      for (size_t k = i; k < j; k++)
        FUZZ_CHECK(cover[k] != 0, "source byte %zu (U+%04X) is in no passage and no label", k,
                   (unsigned)c);
    i = j;
  }
  free(cover);
}

/* Copy of data with each ill-formed UTF-8 byte and each NUL replaced by '?': most random
** edits of Japanese text break its UTF-8, and the parser would otherwise rarely see them. */
static uint8_t *make_valid(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (copy == NULL) abort();
  for (size_t i = 0; i < size;) {
    uint32_t cp;
    size_t len = fuzz_utf8_len(data + i, size - i, &cp);
    if (len == 0 || cp == 0) {
      copy[i++] = '?';
      continue;
    }
    memcpy(copy + i, data + i, len);
    i += len;
  }
  return copy;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  DecodedText *d = NULL;
  Report *r = NULL;
  char *err = NULL;
  uint8_t *valid = NULL;
  if (dec_decode(data, size, "utf8", &d, &err) != JFTS_OK) {
    jfts_free(err);
    err = NULL;
    valid = make_valid(data, size);
    int rc = dec_decode(valid, size, "utf8", &d, &err);
    /* Only a binary magic at the start can still stop it. */
    if (rc != JFTS_OK) {
      FUZZ_CHECK(rc == JFTS_ERR_INPUT && err && strncmp(err, "binary file (", 13) == 0,
                 "dec_decode of valid UTF-8 = %d: %s", rc, err ? err : "");
      goto cleanup;
    }
  }
  int rc = report_parse(d->text, d->n_bytes, &r, &err);
  FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_NOMEM || rc == JFTS_ERR_ICU,
             "report_parse: unexpected rc %d", rc);
  FUZZ_CHECK((rc == JFTS_OK) == (r != NULL), "report_parse: rc %d with out=%p", rc, (void *)r);
  if (rc == JFTS_ERR_ICU) fuzz_fail("report_parse: ICU failed on valid UTF-8: %s", err);
  if (r) check_report(d->text, d->n_bytes, r);

cleanup:
  report_free(r);
  dec_free(d);
  free(valid);
  jfts_free(err);
  return 0;
}
