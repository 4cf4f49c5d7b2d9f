/* Text segmentation for display and ranking (ICU break iterators and East Asian width):
** sentence ends for splitting long passages and cutting snippets, word boundaries for the
** query-time ranking of whole-word matches, grapheme clusters for KWIC context, and display
** width for aligned columns. The query/ side calls this module and never ICU directly. */
#ifndef JFTS_TEXTSEG_H
#define JFTS_TEXTSEG_H

#include <stddef.h>

typedef enum SegKind {
  SEG_SENTENCE = 0, /* ICU sentence break (ja) */
  SEG_WORD,         /* ICU word break (ja), dictionary-based for Japanese */
  SEG_GRAPHEME      /* extended grapheme clusters */
} SegKind;

/* Fills *breaks_out with the UTF-8 byte offsets of all boundaries of the given kind in
** text, ascending, always including 0 and n_bytes (for empty text: the single offset 0), as a
** new jfts_malloc'ed array the caller frees with jfts_free. Invalid UTF-8 is segmented as
** U+FFFD, and no offset falls inside a char. The first call per kind opens ICU's iterator,
** and later calls on the same thread reuse it (each thread has its own); the first SEG_WORD
** call on Japanese text also has ICU build its dictionary engine, about 8 M instructions,
** once per process. Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE (unknown kind, or text
** of 2 GiB or more) or JFTS_ERR_ICU (with *err_out naming the ICU function).
** On error *breaks_out is NULL and *n_breaks_out 0. */
int seg_boundaries(SegKind kind, const char *utf8, size_t n_bytes, size_t **breaks_out,
                   size_t *n_breaks_out, char **err_out);

/* Terminal columns of the text, summed per code point: 2 for East Asian Wide and Fullwidth
** chars (kanji, kana, full-width forms, most emoji), 0 for combining marks (Mn, Me), format
** chars (Cf: ZWJ, ...) and controls (Cc), 1 otherwise (Ambiguous counts 1; an invalid byte
** counts 1, as U+FFFD). Clusters are not merged: 👨‍👩‍👧 counts 2+0+2+0+2, 🇯🇵 counts 1+1.
** Saturates at INT32_MAX. */
int seg_display_width(const char *utf8, size_t n_bytes);

/* Closes the calling thread's cached break iterators (call when a thread that segmented
** text ends, and optionally at exit; later calls reopen them). */
void seg_shutdown(void);

#endif
