/* pdf_dump: prints what the PDF reader (indexer/pdf.h) makes of a file, for the oracle test
** (tests/cli/pdf_oracle.sh), the timing against pdftotext and a person's eye.
**   pdf_dump [--flags] [--info] [--joined] FILE.pdf
** Body lines as `page:line<TAB>text` (with --flags `page:line<TAB>s|b|-<TAB>text`: soft wrap,
** block end, neither), each page's running headers and footers as `page:furniture<TAB>text`,
** page errors on stderr as `pdf_dump: FILE page N: error`. --info adds `info:<key><TAB>value`.
** --joined prints only the body with the soft wraps joined. Exit 0, 1 (cannot read), 2 usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "pdf.h"

static void print_info(const char *key, const char *value) {
  if (value) printf("info:%s\t%s\n", key, value);
}

static void print_page_extras(const PdfDoc *doc, uint32_t p, const char *path) {
  const PdfPage *pg = &doc->pages[p];
  for (const char *s = pg->furniture; s && *s;) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    printf("%u:furniture\t%.*s\n", (unsigned)p + 1, (int)n, s);
    s += n + (nl != NULL);
  }
  if (pg->error) fprintf(stderr, "pdf_dump: %s page %u: %s\n", path, (unsigned)p + 1, pg->error);
}

static void dump(const PdfDoc *doc, const char *path, int flags, int info) {
  if (info) {
    printf("info:pages\t%u\n", (unsigned)doc->n_pages);
    print_info("title", doc->title);
    print_info("author", doc->author);
    print_info("subject", doc->subject);
    print_info("creator", doc->creator);
    print_info("producer", doc->producer);
    print_info("created", doc->created);
    print_info("modified", doc->modified);
    print_info("warning", doc->warning);
  }
  size_t i = 0;
  for (uint32_t p = 0; p < doc->n_pages; p++) {
    for (; i < doc->n_lines && doc->lines[i].page == p + 1; i++) {
      const PdfLine *l = &doc->lines[i];
      printf("%u:%u\t", (unsigned)l->page, (unsigned)l->line);
      if (flags)
        printf("%s\t", l->flags & PDF_LINE_SOFT_WRAP  ? "s"
                       : l->flags & PDF_LINE_BLOCK_END ? "b"
                                                       : "-");
      printf("%.*s\n", (int)l->n_bytes, doc->text + l->start_byte);
    }
    print_page_extras(doc, p, path);
  }
}

int main(int argc, char **argv) {
  int flags = 0, info = 0, joined = 0, argi = 1;
  for (; argi < argc && argv[argi][0] == '-'; argi++) {
    if (strcmp(argv[argi], "--flags") == 0) flags = 1;
    else if (strcmp(argv[argi], "--info") == 0) info = 1;
    else if (strcmp(argv[argi], "--joined") == 0) joined = 1;
    else break;
  }
  if (argi + 1 != argc) {
    fprintf(stderr, "usage: pdf_dump [--flags] [--info] [--joined] FILE.pdf\n");
    return 2;
  }
  const char *path = argv[argi];
  unsigned char *raw = NULL;
  size_t n = 0;
  int e = jfts_read_file(path, &raw, &n);
  if (e != 0) {
    fprintf(stderr, "pdf_dump: cannot read '%s': %s\n", path, strerror(e));
    return 1;
  }
  PdfDoc *doc = NULL;
  char *err = NULL, buf[48];
  int rc = pdf_read(raw, n, path, &doc, &err);
  free(raw);
  if (rc != JFTS_OK) {
    fprintf(stderr, "pdf_dump: %s\n", jfts_error_text(rc, err, buf));
    jfts_free(err);
    return 1;
  }
  if (joined) {
    char *text = NULL;
    size_t n_text = 0;
    rc = pdf_doc_join_soft_wraps(doc, &text, &n_text);
    if (rc == JFTS_OK) fwrite(text, 1, n_text, stdout);
    jfts_free(text);
  } else {
    dump(doc, path, flags, info);
  }
  pdf_doc_free(doc);
  if (rc != JFTS_OK) {
    fprintf(stderr, "pdf_dump: %s\n", jfts_error_text(rc, NULL, buf));
    return 1;
  }
  if (fclose(stdout) != 0) {
    fprintf(stderr, "pdf_dump: cannot write the output\n");
    return 1;
  }
  return 0;
}
