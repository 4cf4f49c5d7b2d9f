/* Repair of PDF-extraction damage: splits decoded text into lines, tells which lines end a PDF
** text block (a trailing space) and which were wrapped, and joins wrapped lines into one
** repaired text that keeps an exact map back to the decoded text. Repair removes line breaks
** only; the spaces the PDF put between scripts stay in the text (the tokenizer skips them). */
#ifndef JFTS_REPAIR_H
#define JFTS_REPAIR_H

#include <stddef.h>
#include <stdint.h>

typedef struct RepLine {
  size_t start;      /* byte offset of the line's first byte in the decoded text */
  size_t end;        /* byte offset of the line terminator (or end of text) */
  size_t trim_start; /* first byte after leading white space */
  size_t trim_end;   /* byte after the last non-space byte; trim_start == trim_end: blank */
  int lineno;        /* 1-based line number in the file */
  int ends_block;    /* 1 when the line ends in a space (or is the last line): a PDF block end */
} RepLine;

/* Splits text into lines (LF, CRLF or CR). *lines_out is a new jfts_malloc'ed array.
** White space here is ASCII space/tab, U+3000 and other Unicode spaces. */
int repair_split_lines(const char *text, size_t n_bytes, RepLine **lines_out,
                       size_t *n_lines_out);
/* The same for a piece of a larger file whose first line is line first_lineno. */
int repair_split_lines_at(const char *text, size_t n_bytes, int first_lineno,
                          RepLine **lines_out, size_t *n_lines_out);

/* One contiguous piece of repaired text and where it came from. */
typedef struct RepSeg {
  uint32_t text_start; /* byte offset in the repaired text */
  uint32_t src_start;  /* byte offset in the decoded text */
  uint32_t n_bytes;    /* length; the piece is a verbatim copy of the source bytes */
  int32_t lineno;      /* source line of the piece */
} RepSeg;

/* Repaired text under construction. Everything not in a segment was inserted by repair
** (a joining space between Latin letters, or "\n" between blocks of one passage). */
typedef struct RepText {
  char *text;
  size_t n_bytes, n_alloc;
  RepSeg *segs;
  size_t n_segs, n_segs_alloc;
} RepText;

/* Appends source bytes [start,end) of line `lineno`. When the text is not empty, `join`
** says how the previous piece and this one meet: REP_JOIN_WRAP applies the wrap rule (no
** space between Japanese chars, Japanese and digit/Latin, or two digits; one space between
** two Latin letters, a Latin letter and a digit, or two digits: numbers are never fused;
** ①-⑳ and other chars that normalize to digits count as digits), REP_JOIN_BLOCK inserts
** "\n". Sticky *rc: does nothing once *rc != JFTS_OK; sets JFTS_ERR_NOMEM on failure. */
typedef enum RepJoin { REP_JOIN_WRAP = 0, REP_JOIN_BLOCK = 1, REP_JOIN_NONE = 2 } RepJoin;
/* The wrap rule of REP_JOIN_WRAP for a line ending in code point before and the next line
** starting with after: 1 when one space goes between them, 0 when nothing does. The PDF
** reader joins its soft wraps by the same rule (pdf_doc_join_soft_wraps). */
int repair_wrap_space(uint32_t before, uint32_t after);
void repair_append(RepText *t, const char *src, size_t start, size_t end, int lineno,
                   RepJoin join, int *rc);

/* Copies repaired bytes [start,end) of t, with their segments, into *out (zeroed first;
** the caller frees it with repair_reset). Sticky *rc as for repair_append. */
void repair_slice(const RepText *t, size_t start, size_t end, RepText *out, int *rc);

void repair_reset(RepText *t); /* frees the buffers and zeroes t */

/* 1 for the white space that repair trims: ASCII space/tab, NBSP, U+3000, U+2000-U+200A... */
int repair_is_space(uint32_t c);

/* 1 for an opening bracket or quote (（ ( [ 「 『 【 〔 〈 《 “ ‘ …), resp. a closing one: a
** passage never ends with the first nor starts with the second. */
int repair_is_open_bracket(uint32_t c);
int repair_is_close_bracket(uint32_t c);

/* Structural signals of a line (text is the decoded text the line was split from):
** repair_ends_sentence: its last char, closing brackets aside, ends a sentence (。．！？!?);
** repair_starts_item: it starts with a list or heading marker (①, ⑴, （1）, (1), （ア）,
** ア）, ・, ‐, "- ", ■, ◆, ○, 〇, 【, ※, 第N章/節/条/部/編/次/期, "第１　title", or a numbered heading "1 title",
** "１．title" whose title is no counter such as 回, 年, 人);
** repair_line_width: display width in columns (2 for wide chars, 1 for the rest). */
int repair_ends_sentence(const char *text, const RepLine *l);
int repair_starts_item(const char *text, const RepLine *l);
size_t repair_line_width(const char *text, const RepLine *l);

/* Sets ends_block of every line of a file whose lines carry no trailing-space convention, by
** evidence: a line ends a block when it is the last non-blank line, when it ends a sentence,
** when the next non-blank line starts an item (repair_starts_item), when it is visibly short
** (by 2 wide chars or a sixth, whichever is more, narrower than the next line or than a
** previous line that ends no sentence; not for a line ending in a Latin letter, as ragged
** Latin text is normal, nor before a line starting with a small kana, ー, 、 or 。, nor
** between two katakana, nor before a line indented over 4 columns deeper), or,
** with blank_ends, when a blank line follows it; never between a line ending with an opening
** bracket or before one starting with a closing bracket. Blank lines get 0. */
void repair_infer_block_ends(const char *text, RepLine *lines, size_t n_lines, int blank_ends);

#endif
