/* Query set-up of the research modes and the plain search (research.h): the query parsed
** and expanded with the thesaurus, the surface form an occurrence matched, and the pieces
** that --wards and --quotes both use to count and lay out occurrences
** (research_internal.h). */
#include "research_internal.h"

#include <string.h>

#include "jfts_common.h"
#include "textseg.h"

/* ---- queries ----------------------------------------------------------------------------- */

int research_query_new(const char *text, size_t n_bytes, const Thesaurus *ths, Query **out,
                       char ***notes_out, size_t *n_notes_out, char **err_out) {
  Query *q = NULL;
  char **warn = NULL, **notes = NULL;
  size_t n_warn = 0, n_notes = 0;
  *out = NULL;
  if (notes_out) *notes_out = NULL;
  if (n_notes_out) *n_notes_out = 0;
  int rc = qry_parse(text, n_bytes, &q, err_out);
  if (rc == JFTS_OK) rc = ths_expand(ths, q, &warn, &n_warn, err_out);
  if (rc == JFTS_OK && (qry_note_count(q) + n_warn) > 0 && notes_out) {
    size_t total = qry_note_count(q) + n_warn;
    notes = jfts_calloc(total, sizeof *notes);
    if (notes == NULL) rc = JFTS_ERR_NOMEM;
    for (size_t i = 0; rc == JFTS_OK && i < qry_note_count(q); i++) {
      notes[n_notes] = jfts_strdup(qry_note(q, i));
      if (notes[n_notes++] == NULL) rc = JFTS_ERR_NOMEM;
    }
    for (size_t i = 0; rc == JFTS_OK && i < n_warn; i++) {
      notes[n_notes] = warn[i];
      warn[i] = NULL;
      n_notes++;
    }
  }
  if (rc == JFTS_OK) {
    *out = q;
    q = NULL;
    if (notes_out) {
      *notes_out = notes;
      *n_notes_out = n_notes;
      notes = NULL;
      n_notes = 0;
    }
  }
  ths_warnings_free(notes, n_notes);
  ths_warnings_free(warn, n_warn);
  qry_free(q);
  return rc;
}

const char *research_surface(const Query *q, const MatchSpan *span) {
  if (span->clause < 0 || (size_t)span->clause >= q->n_clauses) return "";
  const QryClause *c = &q->clauses[span->clause];
  if (span->term < 0 || (size_t)span->term >= c->n_terms) return "";
  const QryTerm *t = &c->terms[span->term];
  return qry_term_alt(t, span->variant);
}

/* ---- shared by --wards and --quotes ------------------------------------------------------ */

int research_stopped(const ResearchOptions *opt, char **err_out) {
  if (opt->stop == NULL || !opt->stop(opt->stop_ctx)) return JFTS_OK;
  jfts_set_error(err_out, "stopped");
  return JFTS_ERR_DB;
}

void research_marks(const ResearchOptions *opt, const char **on_out, const char **off_out) {
  out_marks(opt->color, on_out, off_out);
  if (opt->hl_on) *on_out = opt->hl_on;
  if (opt->hl_off) *off_out = opt->hl_off;
}

int research_disjoint_spans(const MatchSpan *spans, size_t n, MatchSpan **out, size_t *n_out) {
  *out = NULL;
  *n_out = 0;
  if (n == 0) return JFTS_OK;
  MatchSpan *d = jfts_malloc(n * sizeof *d);
  if (d == NULL) return JFTS_ERR_NOMEM;
  memcpy(d, spans, n * sizeof *d);
  *n_out = kwic_disjoint_spans(d, n);
  *out = d;
  return JFTS_OK;
}

void research_pad(FILE *fp, int n) {
  for (; n > 0; n--) fputc(' ', fp);
}

int research_width(const char *s) { return s ? seg_display_width(s, strlen(s)) : 1; }
