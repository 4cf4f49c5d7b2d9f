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
** text, ascending, always including 0 and n_bytes (a new jfts_malloc'ed array the caller
** frees with jfts_free). Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int seg_boundaries(SegKind kind, const char *utf8, size_t n_bytes, size_t **breaks_out,
                   size_t *n_breaks_out, char **err_out);

/* Terminal columns of the text: 2 for East Asian wide and full-width chars, 0 for combining
** marks and controls, 1 otherwise. */
int seg_display_width(const char *utf8, size_t n_bytes);

/* Frees ICU's cached break iterators (call once at exit; optional). */
void seg_shutdown(void);

#endif
