/* Research questions over the ward reports, answered from a ranked search: which wards (and
** years) write about something and which do not (`jfts-query --wards`), and every quote of
** it in context (`jfts-query --quotes`, KWIC). Also what these modes share with the plain
** search: the filters as users type them (青葉, 令和3年度, IGASU) resolved to a StoreFilter,
** and the query parsed with thesaurus expansion. Rows are written through output.h; the
** --wards best passage through render.h. One module in four files, one per concern:
** research_filter.c, research_query.c, research_wards.c, research_quotes.c. */
#ifndef JFTS_RESEARCH_H
#define JFTS_RESEARCH_H

#include <stddef.h>
#include <stdio.h>

#include "kwic.h"
#include "output.h"
#include "qparse.h"
#include "store.h"
#include "thesaurus.h"

#define RESEARCH_MAX_WARDS 16     /* --ward options kept (there are five wards) */
#define RESEARCH_SNIPPET_CHARS 60 /* code points of the best passage in a --wards text row
                                  ** (json: a search row's, RENDER_SNIPPET_CHARS) */

/* ---- filters ------------------------------------------------------------------------------ */

/* The filter options as the user typed them; every field may be NULL / 0. Borrowed. */
typedef struct ResearchFilterArgs {
  const char *const *wards; /* "青葉区" or "青葉"; any of them */
  size_t n_wards;
  const char *section;      /* "table", "1", "2", "3", or a substring of a section title */
  const char *meeting;      /* a substring of a meeting type or of a ward's own name for it */
  const char *year;         /* "令和3年度", "R3", "2021" */
  const char *const *orgs;  /* "仙台市" or "仙台"; any of them */
  size_t n_orgs;
  const char *kind;         /* "計画", "会議録", ...: a document kind */
} ResearchFilterArgs;

typedef struct ResearchFilter ResearchFilter;

/* The Sendai ward names joined as "青葉区, 宮城野区, 若林区, 太白区, 泉区" (report_ward_list):
** the valid values of a ward filter, for messages. A new string (jfts_free); NULL when out of
** memory. */
char *research_ward_names(void);

/* Parses a fiscal year as users write it: a Western year ("2021", "2021年度"), or an era
** year with ASCII or full-width digits and optional 年度/年 ("令和3年度", "令和３年", "令和元年度",
** "平成31年度", "R3", "H31"). *year_out gets the Western year. Returns JFTS_OK, or
** JFTS_ERR_USAGE ("unknown year 'x': expected e.g. 令和3年度 or 2021"). */
int research_parse_year(const char *s, int *year_out, char **err_out);

/* The distinct values field takes in the documents of s (store_list_doc_values), joined as
** "a, b, c" into *out (a new string, jfts_free; "" when none). Returns JFTS_OK,
** JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int research_filter_field_values(Store *s, StoreDocField field, char **out, char **err_out);

/* Resolves args against what s holds into a new ResearchFilter (*out, research_filter_free).
** A ward must name a ward the index holds, in full or without its final 区 (青葉: the
** 青葉区 of every organisation); an organisation one the index holds, in full or without
** its final 市, 町, 村, 区, 県, 都 or 府 (仙台); a kind one the index holds, as written; a
** section is table/1/2/3 (that section), else a
** substring of section titles (every section whose title holds it: 取組 is 1 and 3); a
** meeting is a substring of meeting types or local names (会議 is every meeting type or
** local name holding it; igasu the one whose local name is IGASU会議). Substrings are
** compared with ASCII case ignored, and searched as substrings (StoreFilter), but one that
** no passage of s has is refused as a typo. Returns JFTS_OK; JFTS_ERR_USAGE with a message
** listing the valid values, in the order of the documents ("unknown ward 'x' (valid: 青葉区,
** ...)", "unknown organisation 'x' (valid: ...)", "unknown kind 'x' (valid: ...)", "unknown
** section 'x' (valid: table 実施状況, 1 今年度の主な取組み, ...)", "unknown meeting 'x'
** (valid: ...)"), the year's message, or, for a year no document of s has, "no document of
** year 2030 in the index (years: 2021, 2022)" (ascending); JFTS_ERR_NOMEM; JFTS_ERR_DB. The
** section and meeting lists come from one query of their distinct values in the index, made
** only when a section title or a meeting is given; the others from one query each, made only
** when given. */
int research_filter_new(Store *s, const ResearchFilterArgs *args, ResearchFilter **out,
                        char **err_out);

/* 1 when document r passes the ward, organisation, year and kind conditions of f (NULL:
** none; its section and meeting conditions concern passages and are not looked at). */
int research_doc_allowed(const StoreFilter *f, const StoreDocRow *r);

/* The filter to pass to search_run (SearchOptions.filter); NULL when it has no condition.
** Valid while f lives. */
const StoreFilter *research_filter_get(const ResearchFilter *f);

/* Frees the filter; accepts NULL. */
void research_filter_free(ResearchFilter *f);

/* ---- queries ------------------------------------------------------------------------------ */

/* Parses the query text (qry_parse) and expands it with ths (NULL: no expansion; ths_expand).
** *out gets the new Query (qry_free); *notes_out / *n_notes_out (both may be NULL: dropped)
** a new array of new strings (ths_warnings_free) with the parser's notes and the thesaurus
** warnings, for the caller to print. Returns what qry_parse or ths_expand return; on error
** *out is NULL and no notes are returned. */
int research_query_new(const char *text, size_t n_bytes, const Thesaurus *ths, Query **out,
                       char ***notes_out, size_t *n_notes_out, char **err_out);

/* The text that an occurrence matched, as in the query: its term's own text (variant -1),
** the thesaurus variant or the related text (qry_term_alt). NUL-terminated; borrowed from q.
** "" when the span names nothing. */
const char *research_surface(const Query *q, const MatchSpan *span);

/* ---- modes -------------------------------------------------------------------------------- */

/* What --wards / --by groups passages by. */
typedef enum ResearchBy {
  RESEARCH_BY_WARD = 0, /* organisation, ward and year (--wards) */
  RESEARCH_BY_ORG,
  RESEARCH_BY_YEAR,
  RESEARCH_BY_KIND,
  RESEARCH_BY_DOCUMENT
} ResearchBy;

/* Parses "ward", "org", "year", "kind" or "document" into *by_out. Returns JFTS_OK or
** JFTS_ERR_USAGE ("unknown grouping 'x' (valid: ward, org, year, kind, document)"). */
int research_parse_by(const char *s, ResearchBy *by_out, char **err_out);

typedef struct ResearchOptions {
  OutFormat format;
  ResearchBy by;      /* research_wards: the groups */
  const StoreFilter *filter; /* NULL: every passage */
  const char *hl_on;  /* text: written before a match; NULL: "«" (or colour when color) */
  const char *hl_off; /* text: written after a match; NULL: "»" (or the colour reset) */
  int color;          /* text: 1 to highlight with ANSI colour (out_want_color) */
  size_t n_context;   /* --quotes: grapheme clusters on each side; 0: KWIC_DEFAULT_CONTEXT */
  KwicSort sort;      /* --quotes: order of the lines */
  int stream;         /* --quotes in document order: 1 writes each passage's lines as it is
                      ** read (text: after a first pass has measured the columns), so memory
                      ** does not grow with the quotes, the same bytes as holding them; a stop
                      ** or a failure may then leave lines written. 0 holds every line until
                      ** the end (nothing written on failure). Ignored when sorting. */
  /* NULL, or asked before each passage's work (segmentation, snippets) and between the steps
  ** that follow the search (--quotes: file metadata, sorting, writing): non-zero stops the
  ** mode, which returns JFTS_ERR_DB ("stopped"). jfts-serve's time budget: SQLite's progress
  ** handler stops the SQL, this the ICU work in between and after. */
  int (*stop)(void *ctx);
  void *stop_ctx;
  /* jfts-query --queries: NULL, or the query line (n_query_line bytes) each json/csv/tsv row
  ** starts with, in a first field "query". */
  const char *query_line;
  size_t n_query_line;
  /* NULL, or the json/csv/tsv writer the rows go to, opened by the caller with the fields of
  ** research_quote_fields / research_ward_fields and closed by it, so that many queries share
  ** one header. NULL: the mode opens its own on fp and closes it. */
  OutWriter *w;
} ResearchOptions;

/* The field names of --quotes and of --wards rows (the lists below), with "query" first when
** with_query (ResearchOptions.query_line); *n_out gets their number. */
const char *const *research_quote_fields(int with_query, size_t *n_out);
const char *const *research_ward_fields(int with_query, size_t *n_out);

/* Totals of a mode: rows written, passages and occurrences quoted or counted. */
typedef struct ResearchTotals {
  long n_rows;
  long n_passages;
  long n_occurrences;
} ResearchTotals;

/* `--wards` / `--by` (opt->by): one row per group of the documents in s
** (store_list_documents) that the filter's ward, organisation, year and kind allow,
** including groups without a match: RESEARCH_BY_WARD groups by (organisation, ward, year),
** all text outside a ward of one organisation in one row (ward null; no year when its
** documents' years differ); RESEARCH_BY_ORG by organisation, _YEAR by fiscal year, _KIND by
** kind, _DOCUMENT by document (null values group together). Rows are ordered by occurrences
** (more first), then the order in which their first documents are listed. A row counts the
** passages matching query (and filter) and their occurrences: the disjoint match spans (as
** --quotes quotes them) of the text, plus those of the heading path and the label (so a
** passage found through its heading is never "0 occurrences"); it shows the best passage:
** the first in relevance order that matches a term's own text, else the first. Formats (fp):
**   text  the group's cells ("若林区 令和3年度"; --wards in an index of several
**         organisations starts with the organisation), "4 passages  5 occurrences
**         corpus/x.txt:373  snippet…", columns aligned, matches highlighted, "[via variant]"
**         after a snippet whose shown occurrence matched a thesaurus variant, and
**         "[heading] …" / "[label] …" when only the heading path or label matched;
**   json  {"ward","year","year_label","passages","occurrences","best","org","kind","title",
**         "file","by","group"}: the group's fields (null where not part of its key), best
**         null without a match, else the fields of a search row (render_search_json of the
**         passage's disjoint occurrences; snippet as a search row's, with "…" where cut);
**         by the grouping's name, group the text format's cells joined by spaces;
**   csv/tsv the same fields, best as JSON text.
** Returns JFTS_OK, JFTS_ERR_IO (fp failed), or an error of search_run / store. */
int research_wards(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                   ResearchTotals *totals_out, char **err_out);

/* `--quotes`: one KWIC line per occurrence of query in the passages matching it (and the
** filter), every passage in document order, occurrences overlapping a longer one dropped
** (kwic_disjoint_spans), then sorted by opt->sort. A passage's occurrences are those of its
** heading path, its label and its text, in that order: the ones research_wards counts.
** Formats (fp):
**   text  the KWIC columns (kwic_format_text, left context right-aligned), then
**         "  ward file:line", "[via variant]" for a thesaurus variant's occurrence, and
**         "  [heading]" / "  [label]" for one in the heading path or label;
**   json/csv/tsv {"ward","year","year_label","section","section_title","heading","meeting",
**         "left","match","right","matched","file","line","title","source","page","column",
**         "org","local_name","doc_title","kind","heading_path","field"}: left + match +
**         right is exactly the text of field there ("text": the passage text, "heading":
**         heading_path, "label": the label); matched is the query's surface form; line the
**         raw line where the match starts (the passage's first line for a heading or label);
**         title and source the file's metadata (null when the file is no longer where it was
**         indexed from).
** With opt->stream and document order the lines of each passage are written as it is read
** (text: after a first search that measures the columns, in the same read snapshot), so memory
** holds one passage's lines; otherwise every line is held until the end.
** Returns JFTS_OK, JFTS_ERR_IO, or an error of search_run, kwic or store. */
int research_quotes(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                    ResearchTotals *totals_out, char **err_out);

#endif
