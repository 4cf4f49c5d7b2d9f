/* Normalization (ICU NFKC_Casefold) and character classes: the single definition of "the
** same text" shared by the FTS5 tokenizer (index and query side) and by the query-time
** matcher that finds occurrences. Both must agree exactly, or recall and match offsets drift.
** Each normalized code point keeps the byte range of the source text it came from. */
#ifndef JFTS_NORM_H
#define JFTS_NORM_H

#include <stddef.h>
#include <stdint.h>

/* Class of a normalized code point. */
typedef enum NormClass {
  NORM_SPACE = 0, /* white space, controls, format chars: separate tokens, no text of their own */
  NORM_PUNCT,     /* Unicode punctuation (P*): separates tokens */
  NORM_WORD,      /* letters of space-separated scripts (Latin, Greek, Cyrillic...), digits,
                  ** and marks attached to them: matched as whole words */
  NORM_CJK        /* everything else that is text: Han, kana, Hangul, symbols, emoji;
                  ** matched as character n-grams */
} NormClass;

typedef struct NormText {
  uint32_t *cp;        /* normalized code points */
  uint32_t *src_start; /* per code point: byte offset in the source UTF-8 where its source starts */
  uint32_t *src_end;   /* per code point: byte offset where its source ends */
  uint8_t *cls;        /* per code point: a NormClass */
  size_t n;            /* number of normalized code points */
} NormText;

/* Normalizes UTF-8 text (invalid sequences are treated as U+FFFD) with NFKC_Casefold.
** Several output code points from one source char share its byte range; a source char that
** normalizes to nothing yields no code point. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU
** (with *err_out naming the ICU function and error). */
int norm_text(const char *utf8, size_t n_bytes, NormText **out, char **err_out);
void norm_free(NormText *t);

/* Class of a code point that is already normalized. */
NormClass norm_class(uint32_t cp);

/* 1 when the space run between normalized positions a and b (exclusive) may be skipped for
** matching: it holds only NORM_SPACE chars that are not line breaks, and one side is NORM_WORD
** and the other NORM_CJK ("8050 問題" matches 8050問題). */
int norm_space_skippable(const NormText *t, size_t last_before, size_t first_after);

#endif
