/* Internals shared by the files of the research module (research.h), sectioned by the file
** that defines them: research_filter.c (filters), research_query.c (query set-up and what
** both research modes share), research_wards.c (--wards) and research_quotes.c (--quotes).
** Not part of the module's contract. */
#ifndef JFTS_RESEARCH_INTERNAL_H
#define JFTS_RESEARCH_INTERNAL_H

#include <stddef.h>
#include <stdio.h>

#include "research.h"

/* ---- research_filter.c ------------------------------------------------------------------- */

/* A growing list of distinct strings (jfts_malloc'ed); start from StrSet s = {0}. */
typedef struct StrSet {
  char **v;
  size_t n, cap;
} StrSet;

/* Adds a copy of str unless the set holds it; NULL adds nothing. JFTS_OK or JFTS_ERR_NOMEM. */
int research_strset_add(StrSet *s, const char *str);
void research_strset_free(StrSet *s);
/* The set joined as "a, b, c" into a new string (jfts_free); NULL when out of memory. */
char *research_strset_join(const StrSet *s);

/* ---- research_query.c -------------------------------------------------------------------- */

/* The highlight markers of a text mode: opt->hl_on/hl_off when given, else out_marks. */
void research_marks(const ResearchOptions *opt, const char **on_out, const char **off_out);

/* Copies spans and keeps the disjoint ones (kwic_disjoint_spans): what both modes count and
** show. *out gets a new array (jfts_free; NULL when n is 0). JFTS_OK or JFTS_ERR_NOMEM. */
int research_disjoint_spans(const MatchSpan *spans, size_t n, MatchSpan **out, size_t *n_out);

/* JFTS_ERR_DB with "stopped" when opt->stop is set and says stop (ResearchOptions); else
** JFTS_OK. */
int research_stopped(const ResearchOptions *opt, char **err_out);

/* Writes n spaces (n <= 0: none): column padding of the text modes. */
void research_pad(FILE *fp, int n);

/* Display width of s in terminal columns (seg_display_width); 1 for NULL. */
int research_width(const char *s);

#endif
