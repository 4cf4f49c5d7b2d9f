/* Fuzz target for the PDF reader (pdf.h): whatever the bytes, pdf_read either refuses them
** with a message or returns a document whose body is well-formed UTF-8 without NUL, tiled
** exactly by its line records (each ended by '\n', pages rising, lines of a page numbered
** 1, 2, ...), whose page records agree with the lines, and whose furniture is UTF-8 too. */
#include <stdint.h>
#include <string.h>

#include "fuzz_util.h"
#include "jfts_common.h"
#include "pdf.h"

static void check_utf8(const char *s, const char *what, uint32_t page) {
  if (s == NULL) return;
  size_t n = strlen(s);
  size_t bad = fuzz_utf8_invalid_at((const unsigned char *)s, n);
  FUZZ_CHECK(bad == n, "%s of page %u is not UTF-8 at byte %zu", what, (unsigned)page, bad);
}

static void check_lines(const PdfDoc *d) {
  size_t at = 0;
  uint32_t page = 1, line = 0;
  for (size_t i = 0; i < d->n_lines; i++) {
    const PdfLine *l = &d->lines[i];
    FUZZ_CHECK(l->start_byte == at, "line %zu starts at %zu, not %zu", i, l->start_byte, at);
    FUZZ_CHECK(l->start_byte + l->n_bytes < d->n_bytes, "line %zu runs past the text", i);
    FUZZ_CHECK(d->text[l->start_byte + l->n_bytes] == '\n', "line %zu not ended by '\\n'", i);
    FUZZ_CHECK(memchr(d->text + l->start_byte, '\n', l->n_bytes) == NULL,
               "line %zu holds a line break", i);
    FUZZ_CHECK(l->n_bytes > 0, "line %zu is empty", i);
    FUZZ_CHECK(l->page >= page && l->page >= 1 && l->page <= d->n_pages,
               "line %zu on page %u after page %u of %u", i, (unsigned)l->page, (unsigned)page,
               (unsigned)d->n_pages);
    if (l->page != page) page = l->page, line = 0;
    FUZZ_CHECK(l->line == ++line, "line %zu numbered %u, not %u", i, (unsigned)l->line,
               (unsigned)line);
    FUZZ_CHECK(!((l->flags & PDF_LINE_SOFT_WRAP) && (l->flags & PDF_LINE_BLOCK_END)),
               "line %zu both soft wrap and block end", i);
    at = l->start_byte + l->n_bytes + 1;
  }
  FUZZ_CHECK(at == d->n_bytes, "lines cover %zu bytes of %zu", at, d->n_bytes);
}

static void check_doc(const PdfDoc *d) {
  FUZZ_CHECK(d->text != NULL && d->text[d->n_bytes] == '\0', "text not NUL-terminated");
  FUZZ_CHECK(memchr(d->text, 0, d->n_bytes) == NULL, "text holds a NUL");
  size_t bad = fuzz_utf8_invalid_at((const unsigned char *)d->text, d->n_bytes);
  FUZZ_CHECK(bad == d->n_bytes, "text is not UTF-8 at byte %zu", bad);
  check_lines(d);
  uint32_t failed = 0;
  size_t lines = 0;
  int furniture = 0;
  for (uint32_t p = 0; p < d->n_pages; p++) {
    const PdfPage *pg = &d->pages[p];
    check_utf8(pg->furniture, "furniture", p + 1);
    FUZZ_CHECK(pg->error == NULL || pg->n_lines == 0, "page %u failed but has lines",
               (unsigned)p + 1);
    failed += pg->error != NULL;
    lines += pg->n_lines;
    furniture |= pg->furniture != NULL;
  }
  FUZZ_CHECK(failed == d->n_failed, "n_failed %u, pages say %u", (unsigned)d->n_failed,
             (unsigned)failed);
  FUZZ_CHECK((failed > 0) == (d->warning != NULL), "warning '%s' with %u failed pages",
             d->warning ? d->warning : "(null)", (unsigned)failed);
  FUZZ_CHECK(lines == d->n_lines, "pages count %zu lines, the document %zu", lines, d->n_lines);
  FUZZ_CHECK(d->n_lines > 0 || furniture, "a document without any text was accepted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  PdfDoc *d = NULL;
  char *err = NULL;
  int rc = pdf_read(data, size, "fuzz.pdf", &d, &err);
  FUZZ_CHECK(rc == JFTS_OK || rc == JFTS_ERR_NOMEM || rc == JFTS_ERR_INPUT,
             "unexpected rc %d", rc);
  FUZZ_CHECK((rc == JFTS_OK) == (d != NULL), "rc %d with doc %p", rc, (void *)d);
  if (rc == JFTS_OK) {
    FUZZ_CHECK(err == NULL, "success with a message '%s'", err);
    check_doc(d);
  } else {
    FUZZ_CHECK(rc == JFTS_ERR_NOMEM || (err != NULL && strncmp(err, "'fuzz.pdf': ", 12) == 0),
               "rc %d with message '%s'", rc, err ? err : "(null)");
  }
  pdf_doc_free(d);
  jfts_free(err);
  return 0;
}
