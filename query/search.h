/* Ranked search over a jfts database: runs a parsed query through the store's FTS5 index and
** jfts_rank, orders the matching passages, finds the exact occurrences in the ones returned,
** and picks a snippet window. Output formats are the caller's: results come to a callback.
**
** Which passages: for a query of two or more positive clauses, every passage holding at least
** one of them (best match), unless SearchOptions.all_words asks for the strict AND; excluded
** clauses always remove passages, and a phrase is one clause that must occur as typed. A
** clause is held "directly" through its own text or a spelling variant, and "through a
** related topic" through one of its related texts only (qparse.h's QryTerm.related).
**
** Order (SEARCH_SORT_RANK), most relevant first:
**  0. more clauses held directly, then more held through a related topic only (coordination
**     level: the passages holding every clause directly come first, and a literal occurrence
**     always ranks above a related-topic-only hit); the rest applies within one level:
**  0b. passages whose text holds an occurrence before those found only through their
**     heading path or label (a section title, a table row's name) and before tables of
**     contents (StorePassageRow.toc); for a query of several clauses a heading or label
**     holding one counts as part of the passage (only a TOC ranks after);
**  0c. in a level that holds some of the clauses, not all: BM25 (step 4) alone, after (in
**     the first SEARCH_RERANK_DEPTH) the passages holding their clauses in one sentence;
**  1. when the query has thesaurus variants (thesaurus.h): passages matching the query as
**     typed, without its variants (the user's own words), before passages matched only
**     through a variant, over all matching passages (one extra FTS5 query, no ranking);
**  2. for a query of two or more positive clauses, passages where the clauses occur adjacent
**     and in query order (地域包括 支援センター in 地域包括支援センター) before the others,
**     over all matching passages (one extra FTS5 phrase query, no ranking);
**  3. within the first SEARCH_RERANK_DEPTH passages of that order only: passages with the
**     clauses in order across one particle (事例検討の方法 for 事例検討 方法,
**     match_adjacent_across_particle), then passages holding every clause they hold in one
**     sentence of their text or heading (ended by 。！？ or a line break), then passages with
**     more clauses occurring as whole words (both ends of an occurrence of the clause's own
**     text or a spelling variant on ICU word boundaries: レビュー in 模擬レビューを, not in
**     ケースレビュー; a related text does not count; for several clauses, in the heading
**     too) first;
**  4. jfts_rank's BM25 score (rank.h), higher first: for a passage that holds some clause
**     directly, the score of the query without its related texts, so that a related text it
**     also holds does not reorder the passages holding the words; for a related-topic-only
**     passage, the score of its related texts (a query with related texts is run as two
**     ranked passes, the words, then the related texts alone; the strict AND of several
**     clauses runs the whole query and looks the words' scores up with one extra query);
**  5. document order: file path, then passage order in the file.
** SEARCH_SORT_DOC orders every matching passage by document order alone. */
#ifndef JFTS_SEARCH_H
#define JFTS_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "qparse.h"
#include "store.h"

/* Passages whose word-boundary rank is computed: the top of the BM25 order, where it is
** seen; the rest keep BM25 order, so that pages (offset) stay consistent. Of these, only
** the groups that reach the page asked for (offset + limit) are analysed: the rerank moves
** no passage out of its group (equal on steps 0 to 2), nor one holding some of several
** clauses, not all, unless it holds two or more. Within them a passage is read only while
** the best its analysis could give it (step 3 all met) may still reach the page, and its
** whole words (ICU) only once its other keys are known and it may still reach it. */
#define SEARCH_RERANK_DEPTH 100

typedef enum SearchSort {
  SEARCH_SORT_RANK = 0, /* relevance, as above */
  SEARCH_SORT_DOC       /* file path, then passage order */
} SearchSort;

typedef struct SearchOptions {
  SearchSort sort;
  long limit;                /* results to return; <= 0: all */
  long offset;               /* results to skip first; < 0 counts as 0 */
  const StoreFilter *filter; /* NULL: every passage */
  int all_words;             /* 1: only passages holding every positive clause (strict AND;
                             ** a clause may still be held through a related topic) */
} SearchOptions;

/* Counts over every matching passage, whatever the limit. */
typedef struct SearchTotals {
  long n_passages;        /* passages matching the query (and filter) */
  int64_t n_occurrences;  /* occurrences of the query's terms in their texts (FTS5 phrase
                          ** instances in the text column; heading/label matches count 0) */
  long n_every_word;      /* of n_passages, those holding every positive clause directly */
  int n_positive;         /* positive clauses of the query */
} SearchTotals;

/* One result, valid during the callback only. */
typedef struct SearchResult {
  long rank;                      /* 1-based position in the whole order (offset included) */
  double score;                   /* jfts_rank BM25 score, higher is better */
  const StorePassageRow *passage; /* the passage with its text and raw-line map */
  const MatchSpan *spans;         /* every occurrence in passage->text (match_find), sorted */
  size_t n_spans;
  size_t focus;                   /* index into spans of the occurrence to show first: the
                                  ** first whole-word one, else the first; 0 when none */
  int line;                       /* raw line where the first occurrence starts; the passage's
                                  ** line_start when only its heading or label matched */
  int exact;                      /* 1: the passage matches the query without its variants
                                  ** (always 1 in SEARCH_SORT_DOC and without variants) */
  int adjacent;                   /* 1: the clauses occur adjacent and in order */
  int whole_words;                /* positive clauses with a whole-word occurrence (it orders
                                  ** only the first SEARCH_RERANK_DEPTH results) */
  const SearchTotals *totals;     /* final totals, known before the first result */
  int coord;                      /* positive clauses held directly */
  int coord_related;              /* positive clauses held only through a related topic */
  uint64_t missing;               /* bit c set: query clause c (c < 64) is positive and the
                                  ** passage holds it neither way */
  const MatchSpan *heading_spans; /* every occurrence in the passage's heading_path, within
                                  ** the part the index holds (StorePassageRow.headings), with
                                  ** offsets into heading_path; sorted */
  size_t n_heading_spans;
  const MatchSpan *label_spans;   /* every occurrence in passage->label, sorted */
  size_t n_label_spans;
} SearchResult;

/* Return JFTS_OK to go on; any other value stops the search and is returned. */
typedef int (*SearchResultCb)(void *ctx, const SearchResult *r);

/* Does once what the first search would otherwise pay for: loads the store's ranking data
** (store_search_prepare). ICU's word and sentence iterators are opened by the first search
** that needs them (a whole-word test or a snippet cut), not here. Optional. Returns JFTS_OK,
** JFTS_ERR_NOMEM, JFTS_ERR_DB or JFTS_ERR_SCHEMA. */
int search_prepare(Store *s, char **err_out);

/* Searches s for query (borrowed; see qparse.h), calling cb for each result in order, from
** opt->offset on, at most opt->limit of them (cb may be NULL). *totals_out (may be NULL)
** gets the totals.
** A query can never produce an SQL or FTS5 error: every term is quoted by qry_build_match.
** Returns JFTS_OK (also with no match), JFTS_ERR_NOMEM, JFTS_ERR_DB, JFTS_ERR_ICU, or cb's
** value. */
int search_run(Store *s, const Query *query, const SearchOptions *opt, SearchResultCb cb,
               void *ctx, SearchTotals *totals_out, char **err_out);

/* The ICU word boundaries (seg_boundaries SEG_WORD) of text that lie in [from, to], as
** segmenting the whole text gives them, found by segmenting a stretch around that range
** only: it starts at the text's start, after a line break, or after 、 or 。 followed by a
** kanji or kana, and ends at the text's end or at a line break (not after CR), 、 or 。 ICU
** breaks the word at all of these whatever comes before or after, and the boundaries after
** one depend on the text after it alone. *breaks_out (new, jfts_free) ascending, byte
** offsets into text: those of the whole stretch, which holds [from, to] (to < from counts
** as from). Returns JFTS_OK or seg_boundaries's error (*breaks_out NULL, *n_breaks_out 0). */
int search_word_breaks(const char *text, size_t n_bytes, size_t from, size_t to,
                       size_t **breaks_out, size_t *n_breaks_out, char **err_out);

/* A window of a passage's text to show around one occurrence. */
typedef struct SearchSnippet {
  size_t start_byte, end_byte; /* the window in the text */
  int cut_start, cut_end;      /* 1 when text before / after the window was left out */
} SearchSnippet;

/* Picks a window of about max_chars code points of text around spans[focus] (the whole text
** when it is short enough; no span: from the start). Its ends are, by preference, just after
** 。！？ or a sentence boundary, after 、，or a space, or on an ICU word boundary; never inside
** a word or a char. The focused occurrence is always inside, ideally in the first third.
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int search_snippet(const char *text, size_t n_bytes, const MatchSpan *spans, size_t n_spans,
                   size_t focus, size_t max_chars, SearchSnippet *out, char **err_out);

#endif
