/* Keyword in context (KWIC) for `jfts-query --quotes`: each occurrence of the query as the
** match with N characters of context on each side, cut only at grapheme cluster boundaries,
** sorted as concordancers (AntConc, KH Coder) do (by the left context read leftward from the
** match, or by the right context, in Japanese collation order) and laid out in aligned
** columns. The strings are exact slices of the passage text, so quotes can be cited. */
#ifndef JFTS_KWIC_H
#define JFTS_KWIC_H

#include <stddef.h>

#include "match.h"

#define KWIC_DEFAULT_CONTEXT 30 /* characters (grapheme clusters) on each side */

typedef struct KwicLine {
  char *left;        /* context before the match; NUL-terminated; owned */
  char *match;       /* the occurrence itself; owned */
  char *right;       /* context after the match; owned */
  size_t n_left, n_match, n_right; /* bytes of each */
  size_t start_byte; /* passage offset where left begins: left + match + right is exactly
                     ** the passage text from start_byte on ("\n" between blocks kept) */
  int left_width, match_width, right_width; /* display columns as kwic_format_text shows them
                     ** (East Asian wide chars 2, a newline 1) */
  size_t tag;        /* the caller's, e.g. which hit the line quotes; kwic_make sets it to 0,
                     ** kwic_sort moves it with its line */
} KwicLine;

/* Makes one KwicLine per span of one passage text (UTF-8, n_bytes) into lines_out[0..n_spans)
** (caller's array). The left context is the n_context grapheme clusters before the span
** (fewer at the start of the text), the right context the n_context clusters after it; a
** cluster the span itself cuts (a match inside an emoji sequence) counts as one. Returns
** JFTS_OK; JFTS_ERR_USAGE when a span is not inside the text (start_byte > end_byte or
** end_byte > n_bytes); JFTS_ERR_NOMEM; or JFTS_ERR_ICU (grapheme segmentation). On error
** every line is left empty (all zero), so kwic_lines_clear is still safe. */
int kwic_make(const char *text, size_t n_bytes, const MatchSpan *spans, size_t n_spans,
              size_t n_context, KwicLine *lines_out, char **err_out);

/* Keeps, of spans sorted as match_find returns them (by start, then longer first), those
** that do not overlap an earlier kept one: at each place the longest occurrence, which is
** what a quote or a highlight should show when a term and one of its variants both match
** there (地域包括支援センター and its variant 地域包括). Compacts spans in place and returns
** the number kept. */
size_t kwic_disjoint_spans(MatchSpan *spans, size_t n_spans);

/* Frees the strings of lines[0..n) and zeroes them (not the array itself). Accepts NULL. */
void kwic_lines_clear(KwicLine *lines, size_t n);

typedef enum KwicSort {
  KWIC_SORT_DOC = 0, /* as given: document order */
  KWIC_SORT_LEFT,    /* left context read leftward from the match (its grapheme clusters in
                     ** reverse order), Japanese collation (collate.h) */
  KWIC_SORT_RIGHT    /* right context, Japanese collation */
} KwicSort;

/* Parses "doc", "left" or "right". Returns JFTS_OK or JFTS_ERR_USAGE ("unknown sort 'x':
** expected doc, left or right"). */
int kwic_parse_sort(const char *name, KwicSort *how_out, char **err_out);

/* Sorts lines in place. Lines whose sort contexts collate equal keep their order, so that
** sorting lines given in document order leaves ties in document order. KWIC_SORT_DOC leaves
** the array as it is. Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE (unknown how) or
** JFTS_ERR_ICU; on error the order is unchanged. */
int kwic_sort(KwicLine *lines, size_t n, KwicSort how, char **err_out);

/* How kwic_format_text lays out a line. */
typedef struct KwicStyle {
  int left_cols;      /* display columns of the left column: the left context is right-aligned
                      ** in it, and clusters are dropped from its start when it is wider */
  const char *hl_on;  /* written before the match ("«", or an ANSI colour); NULL: nothing */
  const char *hl_off; /* written after the match ("»", "\x1b[0m"); NULL: nothing */
} KwicStyle;

/* Formats a line for people into a new jfts_malloc'ed string (*out, no trailing newline):
** padding, left context, hl_on, match, hl_off, right context. For display only, a "\n" in
** the text shows as "⏎" and other control chars as a space. Returns JFTS_OK, JFTS_ERR_NOMEM
** or JFTS_ERR_ICU; on error *out is NULL. */
int kwic_format_text(const KwicLine *line, const KwicStyle *style, char **out, char **err_out);

#endif
