/* The machine-readable rows of jfts-query's --documents, --meetings and search modes (see
** rows.h), shared by jfts-query and jfts-serve so that both write the same bytes. */
#include "rows.h"

#include <stdio.h>
#include <string.h>

#include "research.h"

const char *const ROWS_DOC_FIELDS[] = {"file", "title", "ward", "year", "year_label",
                                       "passages", "line_start", "line_end"};

const char *const ROWS_MEETING_FIELDS[] = {"ward", "year", "year_label", "slot",
                                           "meeting", "local_name", "count", "text",
                                           "file", "line_start", "line_end"};

const char *const ROWS_SEARCH_FIELDS[] = {
    "query", "rank", "score", "ward", "year", "year_label", "section", "section_title",
    "heading", "meeting", "text", "snippet", "matches", "file", "line_start", "line_end",
    "matched"};

static void out_int_or_null(OutWriter *w, int v, int null_value) {
  if (v == null_value) out_null(w);
  else out_int(w, v);
}

int rows_doc(OutWriter *w, const StoreDocRow *r) {
  out_str(w, r->file);
  out_str(w, r->title);
  out_str(w, r->ward);
  out_int_or_null(w, r->year, 0);
  out_str(w, r->year_label);
  out_int(w, r->n_passages);
  out_int(w, r->line_start);
  out_int(w, r->line_end);
  return out_row_end(w);
}

int rows_meeting(OutWriter *w, const StoreMeetingRow *r) {
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
  return out_row_end(w);
}

static void buf_str(JftsBuf *b, const char *s) { jfts_buf_add(b, s, strlen(s)); }

int rows_snippet(const SearchResult *r, const char *open, const char *close, JftsBuf *b,
                 char **err_out) {
  const StorePassageRow *p = r->passage;
  SearchSnippet sn;
  int rc = search_snippet(p->text, p->n_text, r->spans, r->n_spans, r->focus, ROWS_SNIPPET_CHARS,
                          &sn, err_out);
  if (rc != JFTS_OK) return rc;
  if (sn.cut_start) buf_str(b, "…");
  size_t k = 0; /* next span to open */
  size_t mark_end = 0; /* end of the highlighted run in progress; 0: none */
  for (size_t at = sn.start_byte; at < sn.end_byte; at++) {
    if (open && mark_end && at == mark_end) {
      buf_str(b, close);
      mark_end = 0;
    }
    while (k < r->n_spans && r->spans[k].end_byte <= at) k++;
    if (open && !mark_end && k < r->n_spans && r->spans[k].start_byte <= at) {
      /* Overlapping and touching occurrences form one marked run. */
      mark_end = r->spans[k].end_byte;
      for (size_t j = k + 1; j < r->n_spans && r->spans[j].start_byte <= mark_end; j++)
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

int rows_search(OutWriter *w, const Query *parsed, const SearchResult *r, const char *query,
                size_t n_query, char **err_out) {
  const StorePassageRow *p = r->passage;
  JftsBuf snip = {NULL, 0, 0, JFTS_OK};
  JftsBuf matches = {NULL, 0, 0, JFTS_OK};
  char *matched = NULL;
  int rc = rows_snippet(r, NULL, NULL, &snip, err_out);
  if (rc != JFTS_OK) goto cleanup;
  buf_str(&matches, "[");
  for (size_t i = 0; i < r->n_spans; i++) {
    char item[64];
    int n = snprintf(item, sizeof item, "%s[%zu,%zu]", i ? "," : "", r->spans[i].start_cp,
                     r->spans[i].end_cp);
    jfts_buf_add(&matches, item, (size_t)n);
  }
  buf_str(&matches, "]");
  matched = research_matched_json(parsed, r->spans, r->n_spans);
  if (matches.rc != JFTS_OK || matched == NULL) {
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
  out_str(w, p->file);
  out_int(w, p->line_start);
  out_int(w, p->line_end);
  out_json(w, matched);
  rc = out_row_end(w);

cleanup:
  jfts_buf_free(&snip);
  jfts_buf_free(&matches);
  jfts_free(matched);
  return rc;
}
