/* The machine-readable rows (JSON Lines, CSV, TSV) of jfts-query's plain modes: --documents,
** --meetings and the search results, with the snippet of a search result. Moved out of
** query_main.c so that jfts-serve writes the same bytes through the same code; the search row
** part is meant to give way to query/render.c (one renderer for every search row). */
#ifndef JFTS_ROWS_H
#define JFTS_ROWS_H

#include <stddef.h>

#include "jfts_common.h"
#include "output.h"
#include "qparse.h"
#include "search.h"
#include "store.h"

#define ROWS_SNIPPET_CHARS 120 /* code points of passage text around the first match */

/* Field lists for out_open. ROWS_SEARCH_FIELDS starts with "query" (--queries); the plain
** search leaves it out: ROWS_SEARCH_FIELDS + 1, ROWS_N_SEARCH_FIELDS - 1. */
extern const char *const ROWS_DOC_FIELDS[];
#define ROWS_N_DOC_FIELDS 8
extern const char *const ROWS_MEETING_FIELDS[];
#define ROWS_N_MEETING_FIELDS 11
extern const char *const ROWS_SEARCH_FIELDS[];
#define ROWS_N_SEARCH_FIELDS 17

/* Write one row to w (opened with the matching field list) and end it. Return what
** out_row_end returns (JFTS_ERR_USAGE: the row did not match the field list, a bug). */
int rows_doc(OutWriter *w, const StoreDocRow *r);
int rows_meeting(OutWriter *w, const StoreMeetingRow *r);

/* The search row of r: query (n_query bytes; NULL when w has no "query" field), rank, score,
** ward, year, year_label, section, section_title, heading, meeting, text, snippet (no marks),
** matches ([start,end] code point offsets), file, line_start, line_end, matched (the surface
** forms of parsed that matched: research_matched_json). Returns out_row_end's value,
** JFTS_ERR_NOMEM, or an error of search_snippet (with *err_out). */
int rows_search(OutWriter *w, const Query *parsed, const SearchResult *r, const char *query,
                size_t n_query, char **err_out);

/* Appends to b the snippet of r (ROWS_SNIPPET_CHARS around its focused occurrence): "…" where
** text is cut, line breaks and tabs as spaces, and each occurrence inside the window between
** open and close (NULL: no marks). Returns JFTS_OK, JFTS_ERR_NOMEM or search_snippet's error. */
int rows_snippet(const SearchResult *r, const char *open, const char *close, JftsBuf *b,
                 char **err_out);

#endif
