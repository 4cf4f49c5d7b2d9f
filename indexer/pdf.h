/* PDF text reader: rebuilds a PDF's text from the page layout (poppler's GLib API gives the
** characters and their boxes), not from a plain text dump, so that two columns, tables,
** letter-spaced headings and running headers come out in reading order and searchable.
** Every body line keeps its page and its line number in that page for citations (p.3:12). */
#ifndef JFTS_PDF_H
#define JFTS_PDF_H

#include <stddef.h>
#include <stdint.h>

/* PdfLine.flags */
enum {
  /* The line was wrapped inside a paragraph or a list item (hanging indents included): join
  ** it to the next line by repair's wrap rule (repair_wrap_space: nothing between Japanese
  ** characters, one space between Latin letters or digits, so that two numbers never fuse).
  ** pdf_doc_join_soft_wraps does exactly that. Never set before a line that starts an item
  ** or a heading (repair_starts_item). */
  PDF_LINE_SOFT_WRAP = 1,
  /* The line is the last of a text block (a paragraph, a heading, a table): what follows
  ** belongs to another block. Never set together with PDF_LINE_SOFT_WRAP. */
  PDF_LINE_BLOCK_END = 2
};

/* One line of body text. Lines are in reading order: page by page, on a page column by
** column (left to right), in a column top to bottom. */
typedef struct PdfLine {
  size_t start_byte; /* offset of the line's first byte in PdfDoc.text */
  size_t n_bytes;    /* length in bytes, without the '\n' that ends it */
  uint32_t page;     /* 1-based page number */
  uint32_t line;     /* 1-based number of the line among the body lines of that page */
  unsigned flags;    /* PDF_LINE_* bits */
} PdfLine;

/* What one page gave besides its body lines. */
typedef struct PdfPage {
  char *furniture;   /* running headers/footers and page numbers taken out of the body,
                     ** UTF-8 lines each ended by '\n' (top of the page first); NULL: none */
  char *error;       /* why the page gave no text ("no text layer (scanned?)", "cannot read
                     ** the page"); NULL when the page was read (a blank page is no error) */
  uint32_t n_lines;  /* body lines of this page in PdfDoc.lines */
} PdfPage;

typedef struct PdfDoc {
  char *text;        /* body text, UTF-8, each line ended by '\n', NUL-terminated; never NULL */
  size_t n_bytes;    /* length of text without the NUL */
  PdfLine *lines;    /* n_lines lines of text, in order; NULL when n_lines is 0 */
  size_t n_lines;
  PdfPage *pages;    /* n_pages entries, pages[0] is page 1 */
  uint32_t n_pages;
  uint32_t n_failed; /* pages with an error */
  char *warning;     /* one line summing up the page errors ("no text layer (scanned?) on
                     ** pages 2-3; page 5: cannot read the page"), NULL when there are none */
  char *title;       /* document info; each NULL when the PDF does not say */
  char *author;
  char *subject;
  char *creator;
  char *producer;
  char *created;     /* creation date, ISO 8601 with its UTC offset: 2021-04-01T10:00:00+09:00 */
  char *modified;    /* modification date, same form */
} PdfDoc;

/* Reads the PDF in raw[0..n_bytes) (the caller keeps it; it is not needed after the call).
** name_for_errors names the input in messages ('a.pdf': ...); NULL reads as "PDF".
** On success returns JFTS_OK with *doc_out a new PdfDoc (free with pdf_doc_free); pages
** that failed are listed in it and the others are read. Otherwise *doc_out is NULL and:
**   JFTS_ERR_INPUT: not a PDF, a damaged one, an encrypted one that needs a password, or one
**                   without any text ("'a.pdf': no text layer (scanned?) on pages 1-3");
**   JFTS_ERR_NOMEM: out of memory (without a message);
**   JFTS_ERR_USAGE: raw is NULL with n_bytes > 0, or n_bytes too large for poppler.
** *err_out (when err_out is not NULL) gets a new jfts_malloc'ed message on failure.
** Never prints (poppler's own diagnostics are turned off, see pdf.c). Each call has its own
** poppler document; calls from several threads at once have not been tested. */
int pdf_read(const unsigned char *raw, size_t n_bytes, const char *name_for_errors,
             PdfDoc **doc_out, char **err_out);

/* Frees doc and everything in it; NULL is fine. */
void pdf_doc_free(PdfDoc *doc);

/* The body text with the soft wraps joined as PDF_LINE_SOFT_WRAP says, other lines ended
** by '\n'; a new jfts_malloc'ed NUL-terminated string in *text_out, its length in
** *n_bytes_out. Returns JFTS_OK or JFTS_ERR_NOMEM. */
int pdf_doc_join_soft_wraps(const PdfDoc *doc, char **text_out, size_t *n_bytes_out);

#endif
