/* Row writers for machine-readable output (JSON Lines, CSV, TSV) with fixed field lists, and
** small helpers for the text format (JSON string escaping, whether colour is wanted). Every
** jfts-query mode writes through here; it never touches SQLite and holds no knowledge of
** what the rows mean. */
#ifndef JFTS_OUTPUT_H
#define JFTS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum OutFormat {
  OUT_TEXT = 0,  /* for people; written by each caller with the helpers below */
  OUT_JSON,      /* JSON Lines: one object per row, fields in the order given */
  OUT_CSV,       /* UTF-8 BOM, header row, RFC 4180 quoting, CRLF line ends */
  OUT_TSV        /* header row, no BOM, \t \n \r \\ escaped, LF line ends */
} OutFormat;

/* Parses "text", "json", "csv", "tsv" (also "jsonl"). Returns JFTS_OK or JFTS_ERR_USAGE. */
int out_parse_format(const char *name, OutFormat *format_out);

typedef struct OutWriter OutWriter;

/* Opens a writer on fp (borrowed; not closed by out_close) for format OUT_JSON, OUT_CSV or
** OUT_TSV; OUT_TEXT gives JFTS_ERR_USAGE. fields (copied) are the field names: JSON keys and
** the CSV/TSV header, which (with the CSV BOM) is written at once. Returns JFTS_OK,
** JFTS_ERR_NOMEM, JFTS_ERR_USAGE or JFTS_ERR_IO (a write failed). */
int out_open(FILE *fp, OutFormat format, const char *const *fields, size_t n_fields,
             OutWriter **out, char **err_out);

/* Values of the current row, one call per field in field order. A NULL string is null: JSON
** null, an empty CSV/TSV field. Strings are UTF-8; an invalid byte is written as U+FFFD.
** out_json adds an already-serialized JSON value (object, array...) as is; CSV/TSV write its
** text as a string. These calls never fail: errors surface at out_row_end. */
void out_str(OutWriter *w, const char *s);
void out_strn(OutWriter *w, const char *s, size_t n_bytes);
void out_int(OutWriter *w, int64_t v);
void out_null(OutWriter *w);
void out_json(OutWriter *w, const char *json);
/* out_null when v is null_value (a field's "unknown": year 0, count -1), else out_int. */
void out_int_or_null(OutWriter *w, int64_t v, int64_t null_value);

/* Ends the row. Returns JFTS_OK, JFTS_ERR_USAGE when the row did not have exactly n_fields
** values (the row is written anyway, so the mistake shows), or JFTS_ERR_IO when fp has an
** error. */
int out_row_end(OutWriter *w);
/* out_row_end for a listing that goes on past a wrong row: JFTS_ERR_USAGE becomes JFTS_OK
** with *bad_row_out set to 1 (left as it is otherwise), so that the caller reports the bug
** once, at the end. Returns JFTS_OK or JFTS_ERR_IO. */
int out_row_end_lenient(OutWriter *w, int *bad_row_out);

void out_close(OutWriter *w); /* frees the writer; flushes nothing itself. Accepts NULL. */

/* Writes s as a JSON string literal (with quotes): ", \ and control characters escaped
** (\n \r \t \b \f, others as \u00XX), valid UTF-8 as is, invalid bytes as U+FFFD. */
void out_json_string(FILE *fp, const char *s, size_t n_bytes);

/* 1 when text output to fp may use ANSI colour: fp is a terminal and NO_COLOR is unset or
** empty (https://no-color.org). */
int out_want_color(FILE *fp);

/* The highlight markers of the text format, from the one table of them: bold red ANSI
** colour and its reset when color, else « and ». Static strings. */
void out_marks(int color, const char **open_out, const char **close_out);

#endif
