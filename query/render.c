/* Rows of jfts-query (render.h): one renderer per kind of row, so that a search row reads
** the same wherever it appears (search results, the --wards best passage) and its snippet,
** field list and marks cannot drift apart between modes. */
#define _XOPEN_SOURCE 700 /* open_memstream() */

#include "render.h"

#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "research.h"

static const char *const k_search_fields[] = {
    "query", "rank", "score", "ward", "year", "year_label", "section", "section_title",
    "heading", "meeting", "text", "snippet", "matches", "file", "line_start", "line_end",
    "matched", "missing", "searched_as", "via", "page", "page_end", "column", "org",
    "local_name", "doc_title", "kind", "heading_path", "heading_matches", "label", "label_matches"};
#define N_SEARCH_FIELDS (sizeof k_search_fields / sizeof k_search_fields[0])

static const char *const k_doc_fields[] = {
    "file",      "title",     "ward",     "year",      "year_label", "passages",
    "line_start", "line_end", "page",     "page_end",  "org",        "kind",
    "date",      "org_from",  "ward_from", "year_from", "title_from", "kind_from",
    "date_from"};

static const char *const k_meeting_fields[] = {"ward", "year", "year_label", "slot",
                                               "meeting", "local_name", "count", "text",
                                               "file", "line_start", "line_end", "page",
                                               "page_end"};

char *render_cite_at(const char *file, int page, int line, int column) {
  char col[24] = "";
  if (column > 0) snprintf(col, sizeof col, ":%d", column);
  return page > 0 ? jfts_mprintf("%s p.%d:%d%s", file, page, line, col)
                  : jfts_mprintf("%s:%d%s", file, line, col);
}

char *render_cite(const StorePassageRow *p, const size_t *text_byte) {
  int page, line, column = 0;
  if (text_byte) store_cite(p, *text_byte, &page, &line, &column);
  else page = store_page_of(p->page_lines, p->n_pages, p->line_start, &line);
  return render_cite_at(p->file, page, line, column);
}

/* "file:start-end", "file.pdf p.3:4-12" or "file.pdf p.3:4-p.5:2": a row's range of lines. */
static void print_range(FILE *fp, const char *file, int page_start, int line_start, int page_end,
                        int line_end) {
  if (page_start <= 0) fprintf(fp, "%s:%d-%d", file, line_start, line_end);
  else if (page_end == page_start) fprintf(fp, "%s p.%d:%d-%d", file, page_start, line_start, line_end);
  else fprintf(fp, "%s p.%d:%d-p.%d:%d", file, page_start, line_start, page_end, line_end);
}

const char *const *render_search_fields(int with_query, size_t *n_out) {
  *n_out = with_query ? N_SEARCH_FIELDS : N_SEARCH_FIELDS - 1;
  return with_query ? k_search_fields : k_search_fields + 1;
}

static void buf_str(JftsBuf *b, const char *s) { jfts_buf_add(b, s, strlen(s)); }

int render_snippet(const SearchResult *r, size_t n_chars, const char *open, const char *close,
                   int each, JftsBuf *b, char **err_out) {
  const StorePassageRow *p = r->passage;
  SearchSnippet sn;
  int rc = search_snippet(p->text, p->n_text, r->spans, r->n_spans, r->focus, n_chars, &sn,
                          err_out);
  if (rc != JFTS_OK) return rc;
  if (sn.cut_start) buf_str(b, "…");
  size_t k = 0;        /* next span to open */
  size_t mark_end = 0; /* end of the highlighted run in progress; 0: none */
  for (size_t at = sn.start_byte; at < sn.end_byte; at++) {
    if (open && mark_end && at == mark_end) {
      buf_str(b, close);
      mark_end = 0;
    }
    while (k < r->n_spans && r->spans[k].end_byte <= at) k++;
    if (open && !mark_end && k < r->n_spans && r->spans[k].start_byte <= at) {
      /* Overlapping (and unless each, touching) occurrences form one marked run. */
      mark_end = r->spans[k].end_byte;
      for (size_t j = k + 1; j < r->n_spans && (r->spans[j].start_byte < mark_end ||
                                                (!each && r->spans[j].start_byte == mark_end));
           j++)
        if (r->spans[j].end_byte > mark_end) mark_end = r->spans[j].end_byte;
      if (mark_end > sn.end_byte) mark_end = sn.end_byte;
      buf_str(b, open);
    }
    char c = p->text[at];
    jfts_buf_add(b, c == '\n' || c == '\t' || c == '\r' ? " " : &c, 1);
  }
  if (mark_end) buf_str(b, close);
  if (sn.cut_end) buf_str(b, "…");
  return b->rc;
}

int render_field_snippet(const SearchResult *r, size_t n_chars, const char *open,
                         const char *close, int each, JftsBuf *b, char **err_out) {
  if (r->n_spans > 0 || (r->n_heading_spans == 0 && r->n_label_spans == 0)) return 0;
  /* The heading path (or the label) shown as the snippet's text, with its own occurrences. */
  int heading = r->n_heading_spans > 0;
  StorePassageRow shown = *r->passage;
  shown.text = heading ? r->passage->heading_path : r->passage->label;
  shown.n_text = strlen(shown.text);
  SearchResult v = *r;
  v.passage = &shown;
  v.spans = heading ? r->heading_spans : r->label_spans;
  v.n_spans = heading ? r->n_heading_spans : r->n_label_spans;
  v.focus = 0;
  buf_str(b, heading ? "[heading] " : "[label] ");
  int rc = render_snippet(&v, n_chars, open, close, each, b, err_out);
  return rc == JFTS_OK ? 1 : -rc;
}

void render_via(const SearchResult *r, const Query *q, JftsBuf *b) {
  if (r->n_spans == 0 || r->spans[r->focus].variant < 0) return;
  const MatchSpan *focus = &r->spans[r->focus];
  /* A related text names its rule (an empty list: the span is a spelling variant). */
  char *via = expand_via(q, focus, 1, 0);
  if (via == NULL) {
    b->rc = JFTS_ERR_NOMEM;
    return;
  }
  buf_str(b, "  [via ");
  buf_str(b, via[0] ? via : research_surface(q, focus));
  buf_str(b, "]");
  jfts_free(via);
}

/* Finishes a string written to a memstream as a jfts_malloc'ed copy (the stream's buffer is
** libc's and is freed here with free()). */
static int memstream_take(FILE *mem, char **buf, size_t *n, char **out) {
  int ok = fclose(mem) == 0 && *buf != NULL;
  *out = ok ? jfts_strndup(*buf, *n) : NULL;
  free(*buf);
  *buf = NULL;
  return *out ? JFTS_OK : JFTS_ERR_NOMEM;
}

char *render_matched_json(const Query *q, const MatchSpan *spans, size_t n_spans) {
  return render_matched_all_json(q, spans, n_spans, NULL, 0, NULL, 0);
}

/* Span i of the three lists taken one after another. */
static const MatchSpan *nth_span(size_t i, const MatchSpan *a, size_t n_a, const MatchSpan *b,
                                 size_t n_b, const MatchSpan *c) {
  return i < n_a ? &a[i] : i < n_a + n_b ? &b[i - n_a] : &c[i - n_a - n_b];
}

char *render_matched_all_json(const Query *q, const MatchSpan *spans, size_t n_spans,
                              const MatchSpan *heading_spans, size_t n_heading,
                              const MatchSpan *label_spans, size_t n_label) {
  char *buf = NULL, *out = NULL;
  size_t n = 0, total = n_spans + n_heading + n_label;
  FILE *mem = open_memstream(&buf, &n);
  if (mem == NULL) return NULL;
  fputc('[', mem);
  size_t n_seen = 0;
  for (size_t i = 0; i < total; i++) {
    const char *form =
        research_surface(q, nth_span(i, spans, n_spans, heading_spans, n_heading, label_spans));
    int dup = 0;
    for (size_t k = 0; k < i && !dup; k++)
      dup = strcmp(research_surface(q, nth_span(k, spans, n_spans, heading_spans, n_heading,
                                                label_spans)),
                   form) == 0;
    if (dup) continue;
    if (n_seen++) fputc(',', mem);
    out_json_string(mem, form, strlen(form));
  }
  fputc(']', mem);
  (void)memstream_take(mem, &buf, &n, &out);
  return out;
}

/* "[[s,e],[s,e]]": the code point offsets of spans. */
static void matches_json(const MatchSpan *spans, size_t n_spans, JftsBuf *b) {
  buf_str(b, "[");
  for (size_t i = 0; i < n_spans; i++) {
    char item[64];
    int n = snprintf(item, sizeof item, "%s[%zu,%zu]", i ? "," : "", spans[i].start_cp,
                     spans[i].end_cp);
    jfts_buf_add(b, item, (size_t)n);
  }
  buf_str(b, "]");
}

int render_search_values(OutWriter *w, const SearchResult *r, const Query *q,
                         const char *searched_as, const char *query, size_t n_query,
                         char **err_out) {
  const StorePassageRow *p = r->passage;
  JftsBuf snip = {NULL, 0, 0, JFTS_OK}, matches = {NULL, 0, 0, JFTS_OK};
  JftsBuf hmatches = {NULL, 0, 0, JFTS_OK}, lmatches = {NULL, 0, 0, JFTS_OK};
  char *matched = NULL, *missing = NULL, *via = NULL;
  int rc = render_snippet(r, RENDER_SNIPPET_CHARS, NULL, NULL, 0, &snip, err_out);
  if (rc != JFTS_OK) goto cleanup;
  matches_json(r->spans, r->n_spans, &matches);
  matches_json(r->heading_spans, r->n_heading_spans, &hmatches);
  matches_json(r->label_spans, r->n_label_spans, &lmatches);
  matched = render_matched_all_json(q, r->spans, r->n_spans, r->heading_spans,
                                    r->n_heading_spans, r->label_spans, r->n_label_spans);
  missing = expand_missing(q, r->missing, 1);
  via = expand_via(q, r->spans, r->n_spans, 1);
  if (matches.rc != JFTS_OK || hmatches.rc != JFTS_OK || lmatches.rc != JFTS_OK ||
      matched == NULL || missing == NULL || via == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  char score[32];
  snprintf(score, sizeof score, "%.6g", r->score);
  if (query) out_strn(w, query, n_query);
  out_int(w, r->rank);
  out_json(w, score);
  out_str(w, p->ward);
  out_int_or_null(w, p->year, 0);
  out_str(w, p->year_label);
  out_str(w, p->section);
  out_str(w, p->section_title);
  out_str(w, p->heading);
  out_str(w, p->meeting);
  out_strn(w, p->text, p->n_text);
  out_str(w, snip.p ? snip.p : "");
  out_json(w, matches.p);
  int line_start, line_end, page, line, column = 0;
  int page_start = store_page_of(p->page_lines, p->n_pages, p->line_start, &line_start);
  int page_end = store_page_of(p->page_lines, p->n_pages, p->line_end, &line_end);
  if (r->n_spans) store_cite(p, r->spans[0].start_byte, &page, &line, &column);
  out_str(w, p->file);
  out_int(w, line_start);
  out_int(w, line_end);
  out_json(w, matched);
  out_json(w, missing);
  if (searched_as) out_str(w, searched_as);
  else out_null(w);
  out_json(w, via);
  out_int_or_null(w, page_start, 0);
  out_int_or_null(w, page_end, 0);
  out_int_or_null(w, column, 0);
  out_str(w, p->org);
  out_str(w, p->local_name);
  out_str(w, p->doc_title);
  out_str(w, p->kind);
  out_str(w, p->heading_path);
  out_json(w, hmatches.p);
  out_str(w, p->label);
  out_json(w, lmatches.p);

cleanup:
  jfts_buf_free(&snip);
  jfts_buf_free(&matches);
  jfts_buf_free(&hmatches);
  jfts_buf_free(&lmatches);
  jfts_free(matched);
  jfts_free(missing);
  jfts_free(via);
  return rc;
}

int render_search_json(const SearchResult *r, const Query *q, char **out, char **err_out) {
  char *buf = NULL, *row = NULL;
  size_t n = 0, n_fields;
  OutWriter *w = NULL;
  const char *const *fields = render_search_fields(0, &n_fields);
  *out = NULL;
  FILE *mem = open_memstream(&buf, &n);
  if (mem == NULL) return JFTS_ERR_NOMEM;
  int rc = out_open(mem, OUT_JSON, fields, n_fields, &w, err_out);
  if (rc == JFTS_OK) rc = render_search_values(w, r, q, NULL, NULL, 0, err_out);
  if (rc == JFTS_OK) rc = out_row_end(w);
  /* A memstream fails to write only when it cannot grow. */
  if (rc == JFTS_ERR_IO) rc = JFTS_ERR_NOMEM;
  out_close(w);
  int mrc = memstream_take(mem, &buf, &n, &row);
  if (rc == JFTS_OK) rc = mrc;
  if (rc == JFTS_OK) {
    size_t len = strlen(row);
    while (len > 0 && (row[len - 1] == '\n' || row[len - 1] == '\r')) row[--len] = '\0';
    *out = row;
    row = NULL;
  }
  jfts_free(row);
  return rc;
}

int render_search_text(FILE *fp, const SearchResult *r, const Query *q, const char *open,
                       const char *close, char **err_out) {
  const StorePassageRow *p = r->passage;
  JftsBuf snip = {NULL, 0, 0, JFTS_OK};
  char *missing = NULL;
  int rc = render_field_snippet(r, RENDER_SNIPPET_CHARS, open, close, 0, &snip, err_out);
  if (rc == 0) rc = render_snippet(r, RENDER_SNIPPET_CHARS, open, close, 0, &snip, err_out);
  else rc = rc == 1 ? JFTS_OK : -rc;
  render_via(r, q, &snip);
  if (r->missing && (missing = expand_missing(q, r->missing, 0)) == NULL) rc = JFTS_ERR_NOMEM;
  if (missing && missing[0]) {
    buf_str(&snip, "  [missing ");
    buf_str(&snip, missing);
    buf_str(&snip, "]");
  }
  if (rc == JFTS_OK) rc = snip.rc;
  if (rc != JFTS_OK) goto cleanup;
  const char *parts[] = {p->ward, p->section_title ? p->section_title : p->section, p->heading,
                         p->label};
  if (!p->ward && !p->section && !p->heading && !p->label) {
    /* Text outside any template: its organisation and document title say where it is. */
    parts[0] = p->org;
    parts[1] = p->doc_title;
  }
  fprintf(fp, "%ld.", r->rank);
  int first = 1;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    if (parts[i] == NULL) continue;
    fprintf(fp, "%s%s", first ? " " : " / ", parts[i]);
    first = 0;
  }
  /* r->line is search's choice of line (the first occurrence's); the column is of the
  ** first occurrence too. */
  int page, line, column = 0, cpage, cline;
  page = store_page_of(p->page_lines, p->n_pages, r->line, &line);
  if (r->n_spans) store_cite(p, r->spans[0].start_byte, &cpage, &cline, &column);
  char *cite = render_cite_at(p->file, page, line, column);
  if (cite == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  fprintf(fp, "  %s\n   %s\n\n", cite, snip.p ? snip.p : "");
  jfts_free(cite);
  rc = ferror(fp) ? JFTS_ERR_IO : JFTS_OK;

cleanup:
  jfts_buf_free(&snip);
  jfts_free(missing);
  return rc;
}

void render_totals(FILE *fp, const SearchTotals *t, const char *searched_as) {
  if (searched_as) fprintf(fp, "searched as: %s\n", searched_as);
  long every = t->n_every_word, more = t->n_passages - every;
  if (more > 0)
    fprintf(fp, "%ld passage%s with %s, %ld more %s, ", every, every == 1 ? "" : "s",
            t->n_positive >= 2 ? "every word" : "the word", more,
            t->n_positive >= 2 ? "with some" : "through related topics");
  else
    fprintf(fp, "%ld passage%s, ", t->n_passages, t->n_passages == 1 ? "" : "s");
  fprintf(fp, "%lld occurrence%s\n", (long long)t->n_occurrences,
          t->n_occurrences == 1 ? "" : "s");
}

/* ---- --documents, --meetings ------------------------------------------------------------- */

const char *const *render_doc_fields(size_t *n_out) {
  *n_out = sizeof k_doc_fields / sizeof k_doc_fields[0];
  return k_doc_fields;
}

void render_doc_values(OutWriter *w, const StoreDocRow *r) {
  out_str(w, r->file);
  out_str(w, r->title);
  out_str(w, r->ward);
  out_int_or_null(w, r->year, 0);
  out_str(w, r->year_label);
  out_int(w, r->n_passages);
  out_int(w, r->line_start);
  out_int(w, r->line_end);
  out_int_or_null(w, r->page_start, 0);
  out_int_or_null(w, r->page_end, 0);
  out_str(w, r->org);
  out_str(w, r->kind);
  out_str(w, r->date);
  out_str(w, r->org_from);
  out_str(w, r->ward_from);
  out_str(w, r->year_from);
  out_str(w, r->title_from);
  out_str(w, r->kind_from);
  out_str(w, r->date_from);
}

int render_doc_text(FILE *fp, const StoreDocRow *r) {
  char year[16] = "-";
  if (r->year) snprintf(year, sizeof year, "%d", r->year);
  fprintf(fp, "%s\t%s\t%s\t%d passage%s\t", r->ward ? r->ward : "-",
          r->year_label ? r->year_label : year, r->title ? r->title : "-", r->n_passages,
          r->n_passages == 1 ? "" : "s");
  print_range(fp, r->file, r->page_start, r->line_start, r->page_end, r->line_end);
  fprintf(fp, "\t%s\t%s\t%s\t", r->org ? r->org : "-", r->kind ? r->kind : "-",
          r->date ? r->date : "-");
  /* Where each field came from: "org=sidecar,ward=title,...", "-" when none is known. */
  const char *names[] = {"org", "ward", "year", "title", "kind", "date"};
  const char *froms[] = {r->org_from,   r->ward_from, r->year_from,
                         r->title_from, r->kind_from, r->date_from};
  int n = 0;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (froms[i]) fprintf(fp, "%s%s=%s", n++ ? "," : "", names[i], froms[i]);
  fputs(n ? "\n" : "-\n", fp);
  return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
}

const char *const *render_meeting_fields(size_t *n_out) {
  *n_out = sizeof k_meeting_fields / sizeof k_meeting_fields[0];
  return k_meeting_fields;
}

void render_meeting_values(OutWriter *w, const StoreMeetingRow *r) {
  out_str(w, r->ward);
  out_int_or_null(w, r->year, 0);
  out_str(w, r->year_label);
  out_int_or_null(w, r->slot, 0); /* その他の活動 rows have no slot */
  out_str(w, r->meeting);
  out_str(w, r->local_name);
  out_int_or_null(w, r->count, -1);
  out_str(w, r->text);
  out_str(w, r->file);
  out_int(w, r->line_start);
  out_int(w, r->line_end);
  out_int_or_null(w, r->page_start, 0);
  out_int_or_null(w, r->page_end, 0);
}

int render_meeting_text(FILE *fp, const StoreMeetingRow *r) {
  fprintf(fp, "%s ", r->ward ? r->ward : "-");
  if (r->slot > 0) fprintf(fp, "(%d) ", r->slot);
  else fputs("その他 ", fp);
  fputs(r->meeting ? r->meeting : "-", fp);
  if (r->local_name) fprintf(fp, "「%s」", r->local_name);
  if (r->count >= 0) fprintf(fp, " %d回", r->count);
  fputs("  ", fp);
  print_range(fp, r->file, r->page_start, r->line_start, r->page_end, r->line_end);
  fputc('\n', fp);
  /* A description of several lines stays indented as a block under its heading line. */
  for (const char *t = r->text; t && *t;) {
    size_t n = strcspn(t, "\n");
    fprintf(fp, "    %.*s\n", (int)n, t);
    t += n;
    if (*t == '\n') t++;
  }
  return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
}
