/* Row writers (JSON Lines, CSV, TSV) and text helpers for jfts-query. Escaping is done here
** once, byte by byte over validated UTF-8, so that no mode can emit malformed JSON or a CSV
** row that a spreadsheet splits differently. */
#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jfts_common.h"

#define OUT_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, written for each invalid UTF-8 byte */
/* The one table of highlight markers (out_marks). */
#define OUT_COLOR_ON "\x1b[1;31m"
#define OUT_COLOR_OFF "\x1b[0m"
#define OUT_MARK_OPEN "\xC2\xAB"  /* « */
#define OUT_MARK_CLOSE "\xC2\xBB" /* » */

struct OutWriter {
  FILE *fp;
  OutFormat format;
  char **fields;
  size_t n_fields;
  size_t col;       /* values written in the current row */
  int bad_row;      /* the current row got more values than fields */
};

int out_parse_format(const char *name, OutFormat *format_out) {
  static const struct {
    const char *name;
    OutFormat format;
  } names[] = {{"text", OUT_TEXT}, {"json", OUT_JSON}, {"jsonl", OUT_JSON},
               {"csv", OUT_CSV},   {"tsv", OUT_TSV}};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (strcmp(name, names[i].name) == 0) {
      *format_out = names[i].format;
      return JFTS_OK;
    }
  }
  return JFTS_ERR_USAGE;
}

typedef enum Escape { ESC_JSON, ESC_CSV, ESC_TSV, ESC_NONE } Escape;

/* Writes s with the escaping of mode; runs of bytes that need nothing are written at once. */
static void write_escaped(FILE *fp, const char *s, size_t n_bytes, Escape mode) {
  const unsigned char *p = (const unsigned char *)s;
  size_t run = 0; /* start of the pending verbatim run */
  size_t i = 0;
  while (i < n_bytes) {
    unsigned char c = p[i];
    const char *rep = NULL;
    char buf[8];
    size_t len = 1;
    if (c >= 0x80) {
      len = jfts_utf8_valid_len(p + i, n_bytes - i);
      if (len == 0) {
        rep = OUT_REPLACEMENT;
        len = 1;
      }
    } else if (mode == ESC_JSON) {
      switch (c) {
        case '"': rep = "\\\""; break;
        case '\\': rep = "\\\\"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\t': rep = "\\t"; break;
        case '\b': rep = "\\b"; break;
        case '\f': rep = "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            snprintf(buf, sizeof buf, "\\u%04x", c);
            rep = buf;
          }
      }
    } else if (mode == ESC_CSV) {
      if (c == '"') rep = "\"\"";
    } else if (mode == ESC_TSV) {
      switch (c) {
        case '\t': rep = "\\t"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = "\\r"; break;
        case '\\': rep = "\\\\"; break;
        default: break;
      }
    }
    if (rep) {
      fwrite(p + run, 1, i - run, fp);
      fputs(rep, fp);
      run = i + len;
    }
    i += len;
  }
  fwrite(p + run, 1, n_bytes - run, fp);
}

void out_json_string(FILE *fp, const char *s, size_t n_bytes) {
  fputc('"', fp);
  write_escaped(fp, s, n_bytes, ESC_JSON);
  fputc('"', fp);
}

static void csv_field(FILE *fp, const char *s, size_t n_bytes) {
  int quote = 0;
  for (size_t i = 0; i < n_bytes && !quote; i++)
    quote = s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r';
  if (quote) fputc('"', fp);
  write_escaped(fp, s, n_bytes, ESC_CSV);
  if (quote) fputc('"', fp);
}

static void write_value(OutWriter *w, const char *s, size_t n_bytes, int is_raw_json) {
  FILE *fp = w->fp;
  if (w->col >= w->n_fields) {
    /* Dropped rather than written: an extra value would make the line unparsable. */
    w->bad_row = 1;
    w->col++;
    return;
  }
  switch (w->format) {
    case OUT_JSON:
      fputc(w->col == 0 ? '{' : ',', fp);
      out_json_string(fp, w->fields[w->col], strlen(w->fields[w->col]));
      fputc(':', fp);
      if (s == NULL) fputs("null", fp);
      else if (is_raw_json) fwrite(s, 1, n_bytes, fp);
      else out_json_string(fp, s, n_bytes);
      break;
    case OUT_CSV:
      if (w->col > 0) fputc(',', fp);
      if (s) csv_field(fp, s, n_bytes);
      break;
    case OUT_TSV:
      if (w->col > 0) fputc('\t', fp);
      if (s) write_escaped(fp, s, n_bytes, ESC_TSV);
      break;
    case OUT_TEXT:
      break;
  }
  w->col++;
}

static int end_line(OutWriter *w) {
  if (w->format == OUT_CSV) fputs("\r\n", w->fp);
  else fputc('\n', w->fp);
  return ferror(w->fp) ? JFTS_ERR_IO : JFTS_OK;
}

void out_close(OutWriter *w) {
  if (w == NULL) return;
  for (size_t i = 0; i < w->n_fields; i++) jfts_free(w->fields[i]);
  jfts_free(w->fields);
  jfts_free(w);
}

int out_open(FILE *fp, OutFormat format, const char *const *fields, size_t n_fields,
             OutWriter **out, char **err_out) {
  int rc = JFTS_OK;
  *out = NULL;
  if (format != OUT_JSON && format != OUT_CSV && format != OUT_TSV) {
    jfts_set_error(err_out, "the text format has no row writer");
    return JFTS_ERR_USAGE;
  }
  OutWriter *w = jfts_calloc(1, sizeof *w);
  if (w == NULL) return JFTS_ERR_NOMEM;
  w->fp = fp;
  w->format = format;
  w->fields = jfts_calloc(n_fields, sizeof *w->fields);
  if (w->fields == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (; w->n_fields < n_fields; w->n_fields++) {
    w->fields[w->n_fields] = jfts_strdup(fields[w->n_fields]);
    if (w->fields[w->n_fields] == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
  }
  if (format == OUT_CSV) fputs("\xEF\xBB\xBF", fp); /* Excel reads UTF-8 only after a BOM */
  if (format != OUT_JSON) {
    for (size_t i = 0; i < n_fields; i++) out_str(w, fields[i]);
    rc = out_row_end(w);
    if (rc == JFTS_ERR_IO) jfts_set_error(err_out, "cannot write output");
  }

cleanup:
  if (rc != JFTS_OK) {
    out_close(w);
    w = NULL;
  }
  *out = w;
  return rc;
}

void out_strn(OutWriter *w, const char *s, size_t n_bytes) { write_value(w, s, n_bytes, 0); }

void out_str(OutWriter *w, const char *s) { write_value(w, s, s ? strlen(s) : 0, 0); }

void out_null(OutWriter *w) { write_value(w, NULL, 0, 0); }

void out_json(OutWriter *w, const char *json) {
  write_value(w, json, json ? strlen(json) : 0, 1);
}

void out_int(OutWriter *w, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
  /* An integer is a bare JSON number: pass it as raw JSON. */
  write_value(w, buf, (size_t)n, 1);
}

void out_int_or_null(OutWriter *w, int64_t v, int64_t null_value) {
  if (v == null_value) out_null(w);
  else out_int(w, v);
}

int out_row_end(OutWriter *w) {
  int bad = w->bad_row || w->col != w->n_fields;
  if (w->format == OUT_JSON) {
    if (w->col == 0) fputc('{', w->fp);
    fputc('}', w->fp);
  }
  w->col = 0;
  w->bad_row = 0;
  int rc = end_line(w);
  if (rc == JFTS_OK && bad) rc = JFTS_ERR_USAGE;
  return rc;
}

int out_row_end_lenient(OutWriter *w, int *bad_row_out) {
  int rc = out_row_end(w);
  if (rc != JFTS_ERR_USAGE) return rc;
  *bad_row_out = 1;
  return JFTS_OK;
}

void out_marks(int color, const char **open_out, const char **close_out) {
  *open_out = color ? OUT_COLOR_ON : OUT_MARK_OPEN;
  *close_out = color ? OUT_COLOR_OFF : OUT_MARK_CLOSE;
}

int out_want_color(FILE *fp) {
  const char *no_color = getenv("NO_COLOR");
  if (no_color && no_color[0]) return 0;
  return isatty(fileno(fp));
}
