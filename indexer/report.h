/* The report parser: turns decoded text of one file into a Report (document metadata found
** in the text, passages with provenance, and the meetings table of the ward report template
** that Sendai's five wards share). A file that does not follow the template becomes
** untagged passages. Invariant: every non-space character of the file lies in exactly one
** passage's text, or in a heading/label span. */
#ifndef JFTS_REPORT_H
#define JFTS_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "repair.h"

#define REPORT_PASSAGE_TARGET 300   /* characters: long passages split at a sentence end near it */
#define REPORT_PASSAGE_MAX 4096     /* bytes: no passage is longer */

typedef struct Passage {
  int ordinal;          /* 0-based order of the passage in its file */
  char *ward;           /* "青葉区"...; NULL when untagged */
  int year;             /* Western year (2021), 0 when unknown */
  char *year_label;     /* as printed, spaces removed: "令和3年度"; NULL when unknown */
  char *section;        /* "table", "1", "2", "3"; NULL when untagged */
  char *section_title;  /* "今年度の主な取組み"...; NULL for the table and untagged text */
  char *heading;        /* heading line(s) above the passage, " › "-joined; NULL if none */
  char *meeting;        /* table rows: the meeting type ("全体協議会") or その他 activity */
  char *local_name;     /* table rows: the ward's own name ("IGASU会議"); NULL if none */
  int slot;             /* table rows: N of （N） (1..5 in the ward template), 0 otherwise */
  RepText body;         /* repaired text (body.text, NUL-terminated) with its source map */
  size_t src_start;     /* first decoded byte of the passage's source (inclusive) */
  size_t src_end;       /* last decoded byte of the passage's source (exclusive) */
  int line_start;       /* first source line */
  int line_end;         /* last source line */
  char *speaker;        /* minutes (会議録): the speaker of this turn ("議長（山田太郎君）"),
                        ** stored as the passage's label; NULL elsewhere */
  int toc;              /* 1 when the passage is (part of) a table of contents: kept, marked,
                        ** and ranked below body text so a query does not hit every TOC line */
} Passage;

typedef struct Meeting {
  int slot;             /* N of （N） (1..5 in the ward template), 0 for その他の活動 rows */
  char *meeting;        /* type as printed without its number, joined across lines */
  char *local_name;     /* ward's own name, or NULL */
  int count;            /* planned count; -1 where the row only says なし/特になし */
  char *text;           /* the row's description (repaired) */
  int passage;          /* index of the row's first passage in Report.passages; -1 when the
                        ** row has no description */
  int line_start, line_end;
} Meeting;

/* A span of the source that is shown as a heading or label rather than as passage text. */
typedef struct LabelSpan {
  size_t src_start, src_end; /* decoded-text byte range */
} LabelSpan;

/* Where a document field came from. Sources rank sidecar > PDF information > the text's own
** title line > other text > the file's path; the first that gives a value wins. */
typedef enum DocFrom {
  DOC_FROM_NONE = 0,
  DOC_FROM_PATH,        /* the file or folder name ("R3", "2021", a ward name) */
  DOC_FROM_TEXT,        /* a line of the body (a date line, a publisher line) */
  DOC_FROM_TITLE,       /* the document's title line */
  DOC_FROM_PDF_INFO,    /* the PDF's document information dictionary */
  DOC_FROM_SIDECAR      /* the file's .meta sidecar */
} DocFrom;

typedef struct ReportDoc {
  char *ward;           /* NULL for an untagged document */
  int year;
  char *year_label;
  char *title;          /* the title line as printed (spaces kept), or NULL */
  int line_start, line_end;
  size_t src_start;     /* byte offset of the title line in the parsed text */
  char *org;            /* organisation: the municipality or body ("仙台市"); NULL if unknown */
  char *kind;           /* 取組状況, 計画, 会議録, 広報, 報告; NULL when it cannot be told */
  char *date;           /* ISO 8601 date ("2021-06-30") where the document gives one, or NULL */
  /* DocFrom of each field above (DOC_FROM_NONE while the field is unset). */
  unsigned char org_from, ward_from, year_from, title_from, kind_from, date_from;
} ReportDoc;

typedef struct Report {
  ReportDoc *docs;       /* the documents found in the file (the corpus file holds five) */
  size_t n_docs;
  Passage *passages;     /* in file order */
  size_t n_passages;
  Meeting *meetings;
  size_t n_meetings;
  int *meeting_doc;      /* per meeting: index into docs */
  int *passage_doc;      /* per passage: index into docs, -1 for text outside any document */
  LabelSpan *labels;
  size_t n_labels;
  int tagged;            /* 1 when at least one document follows the template */
} Report;

/* Parses decoded UTF-8 text. On success *out owns a new Report (report_free).
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU (sentence splitting). */
int report_parse(const char *text, size_t n_bytes, Report **out, char **err_out);
/* The same for a piece of a larger file (jfts-index streams files over a size limit): its
** first line is line first_lineno of the file. Offsets stay relative to text. */
int report_parse_at(const char *text, size_t n_bytes, int first_lineno, Report **out,
                    char **err_out);
/* The same, carrying the structure of text outside the template (its heading path, a
** speaker's turn: structure.h) from the previous piece in *carry and leaving this piece's
** there at its end, so that headings nest and turns go on across pieces. carry NULL: a fresh
** structure, as report_parse_at has. The caller keeps carry (st_state_new/st_state_free). */
struct StState;
int report_parse_carry(const char *text, size_t n_bytes, int first_lineno, struct StState *carry,
                       Report **out, char **err_out);
void report_free(Report *r);

/* Ward name in canonical form ("青葉" -> "青葉区"), or NULL when s names no Sendai ward. */
const char *report_canonical_ward(const char *s);
/* The canonical ward names, in the order users see them listed; *n_out gets their number. */
const char *const *report_ward_list(size_t *n_out);

#endif
