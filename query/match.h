/* Query-time occurrence finder: where exactly each query term occurs in a passage, by the same
** rule the index uses (NFKC_Casefold, spaces between a Japanese char and a digit/Latin letter
** skipped, Latin/digit ends on word boundaries). jfts computes match offsets itself rather
** than trusting FTS5's highlight(), so quotes and highlights are exact. */
#ifndef JFTS_MATCH_H
#define JFTS_MATCH_H

#include <stddef.h>

#include "qparse.h"

typedef struct MatchSpan {
  size_t start_byte, end_byte; /* occurrence in the passage text, UTF-8 bytes */
  size_t start_cp, end_cp;     /* the same in code points (JSON "matches") */
  size_t start_pos, end_pos;   /* in the collapsed normalized text: adjacency tests */
  int clause;                  /* index of the query clause */
  int term;                    /* index of the term in the clause */
  int variant;                 /* -1: the term's own text; below term->n_variants an index
                               ** into term->variants; else n_variants + an index into
                               ** term->related (qry_term_alt names it) */
} MatchSpan;

typedef struct Matcher Matcher;

/* Prepares the matcher of a parsed query (normalizes every term and variant once). The
** query must outlive the matcher. Excluded clauses are not matched. Returns JFTS_OK,
** JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int match_new(const Query *query, Matcher **out, char **err_out);
void match_free(Matcher *m);

/* Finds every occurrence in text, sorted by start (then longer first). *spans_out is a new
** jfts_malloc'ed array (NULL when none). Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int match_find(const Matcher *m, const char *text, size_t n_bytes, MatchSpan **spans_out,
               size_t *n_spans_out, char **err_out);

/* 1 when the positive clauses occur adjacent and in query order somewhere in the spans
** (each clause's occurrence ends where the next one's begins, skippable spaces allowed).
** Always 0 for a query of one positive clause. */
int match_adjacent_in_order(const Matcher *m, const MatchSpan *spans, size_t n_spans);

/* Like match_adjacent_in_order, but also across one particle between two clauses, as a
** several-word query is written in running text (事例検討 方法 in 事例検討の方法; particles
** の, と, を, に, が, は, で, へ, や), on the byte offsets of text (n_bytes), the text the
** spans were found in. Always 0 for a query of one positive clause; 0 when out of memory
** (it only orders results). */
int match_adjacent_across_particle(const Matcher *m, const char *text, size_t n_bytes,
                                   const MatchSpan *spans, size_t n_spans);

#endif
