/* The rows of jfts-query, rendered once for every mode that shows them: a search row (text
** and json/csv/tsv; also the "best" object of --wards), its snippet, and the rows of
** --documents and --meetings. Callers choose the stream or writer; nothing here prints a
** diagnostic or touches SQLite. */
#ifndef JFTS_RENDER_H
#define JFTS_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "jfts_common.h"
#include "output.h"
#include "qparse.h"
#include "search.h"
#include "store.h"

#define RENDER_SNIPPET_CHARS 120 /* code points of passage text in a search row's snippet */

/* The field names of a search row in json/csv/tsv, in the order render_search_values writes
** them: "query" (only when with_query), "rank", "score", "ward", "year", "year_label",
** "section", "section_title", "heading", "meeting", "text", "snippet", "matches", "file",
** "line_start", "line_end", "matched", "missing", "searched_as", "via", "page", "page_end",
** "column", "org", "local_name", "doc_title", "kind", "heading_path", "heading_matches",
** "label", "label_matches". *n_out gets their number. Static storage. */
const char *const *render_search_fields(int with_query, size_t *n_out);

/* Appends to b the snippet of r: a window of about n_chars code points (search_snippet)
** around r->spans[r->focus], "…" where text is cut, line breaks, tabs and CR as spaces, and
** the occurrences inside the window between open and close (open NULL: no marks).
** Overlapping occurrences form one marked run; touching ones too, unless each is 1 (--wards
** marks each occurrence it counts). Returns JFTS_OK, JFTS_ERR_NOMEM (also when b has failed
** before) or search_snippet's error (message in *err_out). */
int render_snippet(const SearchResult *r, size_t n_chars, const char *open, const char *close,
                   int each, JftsBuf *b, char **err_out);

/* When r's text holds no occurrence but its heading path or label does: appends to b
** "[heading] " (or "[label] ") and a snippet of that field marked as render_snippet marks
** text, and returns 1; otherwise appends nothing and returns 0. Returns minus
** render_snippet's error code when that fails. */
int render_field_snippet(const SearchResult *r, size_t n_chars, const char *open,
                         const char *close, int each, JftsBuf *b, char **err_out);

/* Appends "  [via V]" to b when the occurrence shown (r->spans[r->focus]) matched the
** thesaurus variant V of q rather than a term's own text, "  [via T => R]" when it matched
** the related text R of the term T (expand_via); nothing otherwise. Out of memory sets
** b->rc. */
void render_via(const SearchResult *r, const Query *q, JftsBuf *b);

/* The JSON array of the distinct surface forms (research_surface) of spans, in span order:
** ["オンライン","リモート"]; [] without spans. The "matched" field of a search row. Returns
** a new string (jfts_free); NULL when out of memory. */
char *render_matched_json(const Query *q, const MatchSpan *spans, size_t n_spans);
/* The same over the spans of the text, the heading path and the label together: every term
** that matched wherever it matched. */
char *render_matched_all_json(const Query *q, const MatchSpan *spans, size_t n_spans,
                              const MatchSpan *heading_spans, size_t n_heading,
                              const MatchSpan *label_spans, size_t n_label);

/* Writes the values of r's search row to w, in render_search_fields order, without ending
** the row: query (n_query bytes; only when query is not NULL), rank, score, the passage's
** fields, its text, the snippet (RENDER_SNIPPET_CHARS, no marks), matches ([start,end] code
** point offsets into text of r->spans), file, line_start, line_end (lines within page and
** page_end for a PDF), matched (of r->spans; q names the variants), missing (the positive
** clauses of q in r->missing, expand_missing), searched_as (null when NULL), via (the
** related-topic expansions of r->spans, expand_via), page and page_end (of line_start and
** line_end; null for a text file), column (store_cite's column of the first occurrence, null
** when its line is short or nothing in the text matched), org, local_name, doc_title, kind
** and heading_path of the passage, heading_matches ([start,end] code point offsets into
** heading_path of r->heading_spans), label, label_matches (the same into label, of
** r->label_spans); matched covers the three lists of spans. q is the query as searched
** (expand_query's), searched_as its qry_render when a word was split. Returns JFTS_OK,
** JFTS_ERR_NOMEM or render_snippet's error. */
int render_search_values(OutWriter *w, const SearchResult *r, const Query *q,
                         const char *searched_as, const char *query, size_t n_query,
                         char **err_out);

/* r's search row (without "query"; searched_as null: --wards searches the words as typed)
** as one JSON object on one line, no line end: the "best" object of --wards. *out gets a new string (jfts_free), NULL on error. Returns JFTS_OK,
** JFTS_ERR_NOMEM or render_snippet's error. */
int render_search_json(const SearchResult *r, const Query *q, char **out, char **err_out);

/* A citation as text: "file:12", "file:1:5321" (column > 0), "file.pdf p.3:12" (page > 0),
** "file.pdf p.3:12:40". A new string (jfts_free); NULL when out of memory. */
char *render_cite_at(const char *file, int page, int line, int column);

/* The citation of passage text byte *text_byte of p (store_cite), or of p's first line when
** text_byte is NULL (no column then). A new string (jfts_free); NULL when out of memory. */
char *render_cite(const StorePassageRow *p, const size_t *text_byte);

/* Writes r's search row in the text format to fp:
**   "N. ward / section title / heading / label  CITE\n   snippet  [via V]  [missing M]\n\n"
** (the snippet of the heading path or label, render_field_snippet, when only that matched)
** where CITE is render_cite of the first occurrence (of the passage when none),
** (parts that are NULL left out; the section when it has no title), the snippet marked
** with open/close (NULL: no marks), the via note of render_via, and the missing note when
** the passage lacks some positive clauses of q (r->missing; expand_missing, ", "-joined). Returns JFTS_OK, JFTS_ERR_IO (fp failed),
** JFTS_ERR_NOMEM or render_snippet's error. */
int render_search_text(FILE *fp, const SearchResult *r, const Query *q, const char *open,
                       const char *close, char **err_out);

/* The header of the text format (singular for 1): "searched as: S\n" first when searched_as
** is not NULL, then "N passages, M occurrences\n" when every passage holds every word;
** otherwise "E passages with every word, K more with some, M occurrences\n" (two or more
** positive clauses) or "E passages with the word, K more through related topics, M
** occurrences\n" (one), E being t->n_every_word and K the rest of t->n_passages. */
void render_totals(FILE *fp, const SearchTotals *t, const char *searched_as);

/* --documents: fields "file", "title", "ward", "year", "year_label", "passages",
** "line_start", "line_end", "page", "page_end" (pages null for a text file), "org", "kind",
** "date", "org_from", "ward_from", "year_from", "title_from", "kind_from", "date_from".
** render_doc_values writes them to w without ending the row; render_doc_text writes
** "ward\tyear\ttitle\tN passages\tfile:start-end\torg\tkind\tdate\tsources\n" ("-" for NULL;
** the year as its label, else its number; for a PDF "file p.P:start-end" or
** "file p.P:start-p.Q:end"; sources "org=sidecar,ward=title,..." for the fields whose source
** is known) and returns JFTS_OK or JFTS_ERR_IO. */
const char *const *render_doc_fields(size_t *n_out);
void render_doc_values(OutWriter *w, const StoreDocRow *r);
int render_doc_text(FILE *fp, const StoreDocRow *r);

/* --meetings: fields "ward", "year", "year_label", "slot", "meeting", "local_name",
** "count", "text", "file", "line_start", "line_end", "page", "page_end" (slot and count null
** when unknown, pages for a text file). Ranges are cited as for --documents.
** render_meeting_text writes "ward (slot) meeting「local」 N回  file:start-end\n" and the
** description indented by four spaces per line; returns JFTS_OK or JFTS_ERR_IO. */
const char *const *render_meeting_fields(size_t *n_out);
void render_meeting_values(OutWriter *w, const StoreMeetingRow *r);
int render_meeting_text(FILE *fp, const StoreMeetingRow *r);

#endif
