/* Storing files in the index database: replacing a file's rows (documents, passages,
** meetings) with the FTS5 index kept in step, appending the further pieces of a streamed file,
** and pruning files that are gone. Messages from here name the file once, in the public
** function that was called (store_replace_file, store_append_report). */
#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jfts_common.h"
#include "store_internal.h"
#include "tokenizer.h"

/* ---- files ------------------------------------------------------------------------------- */

void store_file_row_clear(StoreFileRow *row) {
  if (row == NULL) return;
  jfts_free(row->path);
  jfts_free(row->encoding);
  jfts_free(row->title);
  jfts_free(row->publisher);
  jfts_free(row->source);
  memset(row, 0, sizeof *row);
}

int store_lookup_file(Store *s, const char *realpath, int *found_out, StoreFileRow *row,
                      char **err_out) {
  int rc = JFTS_OK;
  memset(row, 0, sizeof *row);
  *found_out = 0;
  if (s->needs_schema) return JFTS_OK; /* a new database knows no file */
  /* Kept prepared: jfts-index looks up each file it meets, and store_replace_file looks the
  ** file up once more to replace its rows. */
  rc = store_prepare_cached(s, &s->find_file,
                            "SELECT id, size, hash, path, encoding, title, publisher, source,"
                            " year, from_info FROM files WHERE realpath = ?1",
                            err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = s->find_file;
  int src = sqlite3_bind_text(st, 1, realpath, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_step(st);
  if (src == SQLITE_ROW) {
    const char *hash = store_col_text(st, 2);
    row->id = sqlite3_column_int64(st, 0);
    row->size = sqlite3_column_int64(st, 1);
    snprintf(row->hash, sizeof row->hash, "%s", hash ? hash : "");
    row->path = store_col_dup(st, 3, &rc);
    row->encoding = store_col_dup(st, 4, &rc);
    row->title = store_col_dup(st, 5, &rc);
    row->publisher = store_col_dup(st, 6, &rc);
    row->source = store_col_dup(st, 7, &rc);
    row->year = sqlite3_column_int(st, 8);
    row->from_info = sqlite3_column_int(st, 9);
    *found_out = rc == JFTS_OK;
  } else if (src != SQLITE_DONE) {
    rc = store_db_error(s, src, err_out, "cannot look up a file");
  }
  if (rc != JFTS_OK) store_file_row_clear(row);
  /* realpath was bound SQLITE_STATIC: unbind it before the caller frees it. Reset repeats
  ** the step's error, reported above; clear_bindings cannot fail. */
  (void)sqlite3_reset(st);
  (void)sqlite3_clear_bindings(st);
  return rc;
}

/* Deletes every row of the file with this id, telling FTS5 the old values first: with
** external content FTS5 cannot find them itself once the passages are gone. */
static int delete_file_rows(Store *s, int64_t file_id, char **err_out) {
  static const char *const sqls[] = {
      ("INSERT INTO fts(fts, rowid, text, headings, label)"
       " SELECT 'delete', id, text, headings, label FROM passages WHERE file_id = ?1"),
      "DELETE FROM meetings WHERE file_id = ?1",
      "DELETE FROM pages WHERE file_id = ?1",
      "DELETE FROM passages WHERE file_id = ?1",
      "DELETE FROM documents WHERE file_id = ?1",
      "DELETE FROM files WHERE id = ?1",
  };
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < sizeof sqls / sizeof sqls[0]; i++) {
    sqlite3_stmt *st = NULL;
    int src = sqlite3_prepare_v2(s->db, sqls[i], -1, &st, NULL);
    if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 1, file_id);
    if (src == SQLITE_OK) src = sqlite3_step(st);
    if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot delete old rows");
    (void)sqlite3_finalize(st); /* repeats the step's error */
  }
  return rc;
}

/* Checks every offset of rep against dec before anything is written, so that a bad report
** fails as a whole and leaves the transaction as it was. */
static int check_report(const DecodedText *dec, const Report *rep, char **err_out) {
  for (size_t k = 0; k < rep->n_passages; k++) {
    const Passage *p = &rep->passages[k];
    if (p->src_start > p->src_end || p->src_end > dec->n_bytes) {
      jfts_set_error(err_out, "passage %d lies outside the text", p->ordinal);
      return JFTS_ERR_INPUT;
    }
    for (size_t i = 0; i < p->body.n_segs; i++) {
      const RepSeg *rs = &p->body.segs[i];
      if ((size_t)rs->src_start + rs->n_bytes > dec->n_bytes) {
        jfts_set_error(err_out, "passage %d has a segment outside the text", p->ordinal);
        return JFTS_ERR_INPUT;
      }
    }
  }
  return JFTS_OK;
}

/* A failed tok_batch_add on b for passage ordinal (its tokens are recorded here, outside
** FTS5, so the reason comes from the batch). */
static int tokenize_error(const TokBatch *b, int ordinal, int jrc, char **err_out) {
  if (jrc == JFTS_ERR_NOMEM) return jrc;
  const char *why = tok_batch_error(b);
  jfts_set_error(err_out, "cannot tokenize passage %d%s%s", ordinal, why ? ": " : "",
                 why ? why : "");
  return JFTS_ERR_DB;
}

/* The one place where a message of the write path gets the file's name: inner (taken over,
** may be NULL) becomes "cannot store 'corpus/a.txt': <inner>". Returns rc. */
static int store_error(const StoreFile *file, int rc, char *inner, char **err_out) {
  if (inner) jfts_set_error(err_out, "cannot store '%s': %s", file->path, inner);
  jfts_free(inner);
  return rc;
}

/* ---- inserting rows ---------------------------------------------------------------------- */

/* Arms replay slot 1 + k (headings, label) with the tokens of text, recording them only when
** text differs from the previous passage's. A failure to record leaves its reason in
** s->col_tokens[k] (tok_batch_error). */
static int arm_column(Store *s, int k, const char *text) {
  if (text == NULL || text[0] == '\0' || s->replay == NULL) return JFTS_OK;
  size_t n = strlen(text);
  if (s->col_text[k] == NULL || strcmp(s->col_text[k], text) != 0) {
    jfts_free(s->col_text[k]);
    s->col_text[k] = NULL;
    int rc = s->col_tokens[k] ? JFTS_OK : tok_batch_new(&s->col_tokens[k]);
    if (rc != JFTS_OK) return rc;
    tok_batch_clear(s->col_tokens[k]);
    rc = tok_batch_add(s->col_tokens[k], text, n);
    if (rc != JFTS_OK) return rc;
    s->col_text[k] = jfts_strndup(text, n);
    if (s->col_text[k] == NULL) return JFTS_ERR_NOMEM;
  }
  tok_replay_arm(s->replay, 1 + k, text, n, s->col_tokens[k], 0);
  return JFTS_OK;
}

static uint32_t count_chars(const char *t, size_t from, size_t to) {
  uint32_t n = 0;
  for (size_t b = from; b < to; b++) n += ((unsigned char)t[b] & 0xC0) != 0x80;
  return n;
}

/* The StoreSeg.column of decoded byte `at`: its code point column when its line is longer
** than STORE_LONG_LINE_CHARS, else 0. Segments come in text order, so the cursor mostly
** moves forward and a line is walked about twice in all (once for its length). */
static uint32_t seg_column(Store *s, const DecodedText *dec, size_t at) {
  const char *t = dec->text;
  if (s->cur.text != t || at < s->cur.line_start || at > s->cur.line_end) {
    size_t ls = at, le = at;
    while (ls > 0 && t[ls - 1] != '\n') ls--;
    while (le < dec->n_bytes && t[le] != '\n') le++;
    s->cur.text = t;
    s->cur.line_start = s->cur.pos = ls;
    s->cur.line_end = le;
    s->cur.col = 1;
    s->cur.n_chars = count_chars(t, ls, le);
  }
  if (s->cur.n_chars <= STORE_LONG_LINE_CHARS) return 0;
  if (at < s->cur.pos) {
    s->cur.pos = s->cur.line_start;
    s->cur.col = 1;
  }
  s->cur.col += count_chars(t, s->cur.pos, at);
  s->cur.pos = at;
  return s->cur.col;
}

/* p's segment map as the stored BLOB (store_segs_pack), with raw offsets from dec. */
static int pack_passage_segs(Store *s, const DecodedText *dec, const Passage *p,
                             unsigned char **blob_out, size_t *n_blob_out) {
  StoreSeg *segs = NULL;
  if (p->body.n_segs) {
    segs = jfts_malloc(p->body.n_segs * sizeof *segs);
    if (segs == NULL) return JFTS_ERR_NOMEM;
  }
  for (size_t i = 0; i < p->body.n_segs; i++) {
    const RepSeg *rs = &p->body.segs[i];
    segs[i].text_start = rs->text_start;
    segs[i].raw_start = (uint32_t)dec_raw_offset(dec, rs->src_start);
    segs[i].n_bytes = rs->n_bytes;
    segs[i].lineno = (uint32_t)rs->lineno;
    segs[i].column = seg_column(s, dec, rs->src_start);
  }
  int rc = store_segs_pack(segs, p->body.n_segs, blob_out, n_blob_out);
  jfts_free(segs);
  return rc;
}

/* What a passage takes over from its document (the document's fields as stored, sidecar
** fallbacks included: DocRow): the organisation and kind, and the year where it has none. */
typedef struct DocVals {
  int64_t id;
  char *org, *kind, *year_label; /* owned */
  int year;
} DocVals;

/* The label of p: its table row's meeting and local name, else its speaker (minutes); a new
** string, or NULL when p has none. *rc is set when memory runs out. */
static char *passage_label(const Passage *p, int *rc) {
  char *label = NULL;
  if (p->meeting || p->local_name) label = store_join_label(p->meeting, p->local_name);
  else if (p->speaker) label = jfts_strdup(p->speaker);
  else return NULL;
  if (label == NULL) *rc = JFTS_ERR_NOMEM;
  return label;
}

static int same_str(const char *a, const char *b) {
  return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* 1 when passage i of rep is the first of its section (of its document). */
static int first_of_section(const Report *rep, size_t i) {
  if (i == 0) return 1;
  const Passage *p = &rep->passages[i], *q = &rep->passages[i - 1];
  int d = rep->passage_doc ? rep->passage_doc[i] : -1;
  int e = rep->passage_doc ? rep->passage_doc[i - 1] : -1;
  return d != e || !same_str(p->section, q->section) ||
         !same_str(p->section_title, q->section_title);
}

/* What the fts column headings indexes for passage i of rep: its heading lines, after its
** section title (" › "-joined) when it is the section's first passage; NULL when there is
** nothing. A new string; *rc is set when memory runs out. */
static char *passage_headings(const Report *rep, size_t i, int *rc) {
  const Passage *p = &rep->passages[i];
  const char *title = first_of_section(rep, i) ? p->section_title : NULL;
  char *path = NULL;
  if (title && p->heading) path = jfts_mprintf("%s › %s", title, p->heading);
  else if (title || p->heading) path = jfts_strdup(title ? title : p->heading);
  else return NULL;
  if (path == NULL) *rc = JFTS_ERR_NOMEM;
  return path;
}

/* Binds passage p to the INSERT of insert_passage; returns an SQLite result code. */
static int bind_passage(sqlite3_stmt *st, int64_t file_id, const DocVals *dv,
                        const DecodedText *dec, const Passage *p, int passage_base,
                        const char *label, const char *headings, const unsigned char *blob,
                        size_t n_blob, int n_tokens) {
  int64_t doc_id = dv ? dv->id : 0;
  const char *text = p->body.text ? p->body.text : "";
  size_t n_text = p->body.text ? p->body.n_bytes : 0;
  int src = sqlite3_bind_int64(st, 1, file_id);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 2, doc_id, 0);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 3, passage_base + p->ordinal);
  if (src == SQLITE_OK) src = store_bind_text(st, 4, p->ward);
  if (src == SQLITE_OK)
    src = store_bind_int_or_null(st, 5, p->year || dv == NULL ? p->year : dv->year, 0);
  if (src == SQLITE_OK)
    src = store_bind_text(st, 6, p->year || dv == NULL ? p->year_label : dv->year_label);
  if (src == SQLITE_OK) src = store_bind_text(st, 7, p->section);
  if (src == SQLITE_OK) src = store_bind_text(st, 8, p->section_title);
  if (src == SQLITE_OK) src = store_bind_text(st, 9, p->heading);
  if (src == SQLITE_OK) src = store_bind_text(st, 10, p->meeting);
  if (src == SQLITE_OK) src = store_bind_text(st, 11, p->local_name);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 12, p->slot, 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 13, label);
  if (src == SQLITE_OK) src = sqlite3_bind_text(st, 14, text, (int)n_text, SQLITE_STATIC);
  if (src == SQLITE_OK)
    src = sqlite3_bind_int64(st, 15, (int64_t)dec_raw_offset(dec, p->src_start));
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 16, (int64_t)dec_raw_offset(dec, p->src_end));
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 17, p->line_start);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 18, p->line_end);
  if (src == SQLITE_OK)
    src = sqlite3_bind_blob(st, 19, n_blob ? (const void *)blob : (const void *)"", (int)n_blob,
                            SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 20, n_tokens);
  if (src == SQLITE_OK) src = store_bind_text(st, 21, dv ? dv->org : NULL);
  if (src == SQLITE_OK) src = store_bind_text(st, 22, dv ? dv->kind : NULL);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 23, p->toc ? 1 : 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 24, headings);
  return src;
}

/* Inserts passage p (checked by check_report) into the passages table, with the number of
** FTS5 positions of its text from entry i_tok of toks. *id_out gets its id. */
static int insert_passage(Store *s, int64_t file_id, const DocVals *dv, const DecodedText *dec,
                          const Report *rep, size_t i, int ordinal_base, const TokBatch *toks,
                          size_t i_tok, int64_t *id_out, char **err_out) {
  const Passage *p = &rep->passages[i];
  unsigned char *blob = NULL;
  size_t n_blob = 0;
  int rc = pack_passage_segs(s, dec, p, &blob, &n_blob);
  char *label = passage_label(p, &rc);
  char *headings = passage_headings(rep, i, &rc);
  if (rc == JFTS_OK)
    rc = store_prepare_cached(
        s, &s->ins_passage,
        "INSERT INTO passages(file_id, doc_id, ordinal, ward, year, year_label, section,"
        " section_title, heading, meeting, local_name, slot, label, text, raw_start, raw_end,"
        " line_start, line_end, segs, n_tokens, org, kind, toc, headings)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,"
        "?22,?23,?24)",
        err_out);
  if (rc == JFTS_OK) {
    int src = bind_passage(s->ins_passage, file_id, dv, dec, p, ordinal_base, label,
                           headings, blob, n_blob, tok_batch_positions(toks, i_tok));
    if (src != SQLITE_OK) rc = store_db_error(s, src, err_out, "cannot insert a passage");
  }
  if (rc == JFTS_OK) rc = store_step_done(s, s->ins_passage, err_out, "cannot insert a passage");
  if (rc == JFTS_OK) {
    *id_out = sqlite3_last_insert_rowid(s->db);
    s->n_passages_added++;
  }
  /* The statement keeps SQLITE_STATIC pointers: clear them before freeing (cannot fail). */
  if (s->ins_passage) (void)sqlite3_clear_bindings(s->ins_passage);
  jfts_free(label);
  jfts_free(headings);
  jfts_free(blob);
  return rc;
}

/* The stored name of a DocFrom (documents.*_from); NULL for DOC_FROM_NONE. */
static const char *from_name(unsigned char from) {
  static const char *const names[] = {NULL, "path", "text", "title", "pdf", "sidecar"};
  return from < sizeof names / sizeof *names ? names[from] : NULL;
}

/* A document's row as stored: its own fields, else its file's sidecar's (or PDF
** information's): org from the publisher (store_org_len), year, title, and the kind from the
** title (store_kind_of_title); with where each came from. The same rule as
** store_fill_documents, applied here before the INSERT: an UPDATE after it would open a
** statement savepoint, at which FTS5 writes its pending terms out as a segment, one per
** file. Strings borrowed from the document and the file, except org (owned). */
typedef struct DocRow {
  const char *ward, *year_label, *title, *kind, *date;
  char *org;
  int year, line_start, line_end;
  const char *from[6]; /* org, ward, year, title, kind, date; NULL where the field is NULL */
} DocRow;

/* The stored name of a DocFrom, or dflt for DOC_FROM_NONE (a parser that did not say). */
static const char *from_or(unsigned char from, const char *dflt) {
  const char *name = from_name(from);
  return name ? name : dflt;
}

static int make_doc_row(const StoreFile *f, const ReportDoc *d, DocRow *r) {
  const char *info_title = f->from_info & STORE_INFO_TITLE ? "pdf" : "sidecar";
  memset(r, 0, sizeof *r);
  r->ward = d->ward;
  r->year_label = d->year_label;
  r->date = d->date;
  r->line_start = d->line_start;
  r->line_end = d->line_end;
  size_t n_org = f->publisher ? store_org_len(f->publisher) : 0;
  if (d->org || n_org) {
    r->org = d->org ? jfts_strdup(d->org) : jfts_strndup(f->publisher, n_org);
    if (r->org == NULL) return JFTS_ERR_NOMEM;
    r->from[0] = d->org ? from_or(d->org_from, "text") : "sidecar";
  }
  if (d->ward) r->from[1] = from_or(d->ward_from, "title");
  r->year = d->year ? d->year : f->year;
  if (r->year)
    r->from[2] = d->year ? from_or(d->year_from, "title")
                         : f->from_info & STORE_INFO_YEAR ? "pdf" : "sidecar";
  r->title = d->title ? d->title : f->title;
  if (r->title) r->from[3] = d->title ? from_or(d->title_from, "title") : info_title;
  r->kind = d->kind ? d->kind : store_kind_of_title(r->title);
  if (r->kind) r->from[4] = d->kind ? from_or(d->kind_from, "text") : r->from[3];
  if (d->date) r->from[5] = from_or(d->date_from, "text");
  return JFTS_OK;
}

/* Inserts document row r (whole: the file's text outside any document, ordinal -1); fills
** *dv with its id and what its passages take over. */
static int insert_document(Store *s, int64_t file_id, int ordinal, int whole, const DocRow *r,
                           int n_passages, DocVals *dv, char **err_out) {
  int rc = store_prepare_cached(s, &s->ins_doc,
                                "INSERT INTO documents(file_id, ordinal, ward, year, year_label,"
                                " title, line_start, line_end, n_passages, org, kind, date, whole,"
                                " org_from, ward_from, year_from, title_from, kind_from,"
                                " date_from) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,"
                                "?14,?15,?16,?17,?18,?19)",
                                err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = s->ins_doc;
  int src = sqlite3_bind_int64(st, 1, file_id);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 2, whole ? -1 : ordinal);
  if (src == SQLITE_OK) src = store_bind_text(st, 3, r->ward);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 4, r->year, 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 5, r->year_label);
  if (src == SQLITE_OK) src = store_bind_text(st, 6, r->title);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 7, r->line_start, whole ? 0 : -1);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 8, r->line_end, whole ? 0 : -1);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 9, n_passages);
  if (src == SQLITE_OK) src = store_bind_text(st, 10, r->org);
  if (src == SQLITE_OK) src = store_bind_text(st, 11, r->kind);
  if (src == SQLITE_OK) src = store_bind_text(st, 12, r->date);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 13, whole);
  for (int k = 0; src == SQLITE_OK && k < 6; k++) src = store_bind_text(st, 14 + k, r->from[k]);
  rc = src == SQLITE_OK ? store_step_done(s, st, err_out, "cannot insert a document")
                        : store_db_error(s, src, err_out, "cannot insert a document");
  (void)sqlite3_clear_bindings(st);
  if (rc != JFTS_OK) return rc;
  dv->id = sqlite3_last_insert_rowid(s->db);
  s->n_docs_added++;
  dv->year = r->year;
  if ((r->org && (dv->org = jfts_strdup(r->org)) == NULL) ||
      (r->kind && (dv->kind = jfts_strdup(r->kind)) == NULL) ||
      (r->year_label && (dv->year_label = jfts_strdup(r->year_label)) == NULL))
    return JFTS_ERR_NOMEM;
  return JFTS_OK;
}

long store_documents_added(const Store *s) { return s->n_docs_added; }

long store_passages_added(const Store *s) { return s->n_passages_added; }

static int insert_meeting(Store *s, int64_t file_id, int64_t doc_id, const ReportDoc *d,
                          const Passage *p, int64_t passage_id, const Meeting *m,
                          char **err_out) {
  int rc = store_prepare_cached(s, &s->ins_meeting,
                                "INSERT INTO meetings(file_id, doc_id, ward, year, year_label,"
                                " slot, meeting, local_name, count, text, line_start, line_end,"
                                " passage_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
                                err_out);
  if (rc != JFTS_OK) return rc;
  /* A meeting belongs to a document; the passage is the fallback for its ward and year. */
  const char *ward = d ? d->ward : p ? p->ward : NULL;
  int year = d ? d->year : p ? p->year : 0;
  const char *year_label = d ? d->year_label : p ? p->year_label : NULL;
  sqlite3_stmt *st = s->ins_meeting;
  int src = sqlite3_bind_int64(st, 1, file_id);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 2, doc_id, 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 3, ward);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 4, year, 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 5, year_label);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 6, m->slot);
  if (src == SQLITE_OK) src = store_bind_text(st, 7, m->meeting);
  if (src == SQLITE_OK) src = store_bind_text(st, 8, m->local_name);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 9, m->count, -1);
  if (src == SQLITE_OK) src = store_bind_text(st, 10, m->text);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 11, m->line_start);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 12, m->line_end);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 13, passage_id, 0);
  rc = src == SQLITE_OK ? store_step_done(s, st, err_out, "cannot insert a meeting")
                        : store_db_error(s, src, err_out, "cannot insert a meeting");
  (void)sqlite3_clear_bindings(st);
  return rc;
}

static int insert_file(Store *s, const StoreFile *f, const DecodedText *dec, const Report *rep,
                       int64_t *id_out, char **err_out) {
  int rc = store_prepare_cached(s, &s->ins_file,
                                "INSERT INTO files(path, realpath, size, hash, encoding, title,"
                                " publisher, year, source, tagged, indexed_at, from_info, pages)"
                                " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                                " strftime('%Y-%m-%dT%H:%M:%SZ','now'),?11,?12)",
                                err_out);
  if (rc != JFTS_OK) return rc;
  sqlite3_stmt *st = s->ins_file;
  int src = sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_bind_text(st, 2, f->realpath, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 3, f->size);
  if (src == SQLITE_OK) src = sqlite3_bind_text(st, 4, f->hash, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = sqlite3_bind_text(st, 5, dec->encoding, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = store_bind_text(st, 6, f->title);
  if (src == SQLITE_OK) src = store_bind_text(st, 7, f->publisher);
  if (src == SQLITE_OK) src = store_bind_int_or_null(st, 8, f->year, 0);
  if (src == SQLITE_OK) src = store_bind_text(st, 9, f->source);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 10, rep->tagged ? 1 : 0);
  if (src == SQLITE_OK) src = sqlite3_bind_int(st, 11, f->from_info);
  unsigned char *pages = NULL;
  if (src == SQLITE_OK && f->n_pages > 0) {
    pages = jfts_malloc((size_t)f->n_pages * 4);
    if (pages == NULL) src = SQLITE_NOMEM;
    for (uint32_t i = 0; pages && i < f->n_pages; i++) {
      uint32_t v = f->pages[i].line_start;
      for (int k = 0; k < 4; k++) pages[4 * i + (uint32_t)k] = (unsigned char)(v >> (8 * k));
    }
    if (pages) src = sqlite3_bind_blob(st, 12, pages, (int)f->n_pages * 4, SQLITE_STATIC);
  }
  rc = src == SQLITE_OK ? store_step_done(s, st, err_out, "cannot insert the file")
                        : store_db_error(s, src, err_out, "cannot insert the file");
  (void)sqlite3_clear_bindings(st);
  jfts_free(pages);
  if (rc == JFTS_OK) *id_out = sqlite3_last_insert_rowid(s->db);
  return rc;
}

/* Stores what page `page` of a paged file held besides its body. Pages with nothing to
** say (body only) need no row: the files.pages BLOB places them. */
static int insert_page(Store *s, int64_t file_id, uint32_t page, const StorePage *pg,
                       char **err_out) {
  if (pg->furniture == NULL && pg->error == NULL) return JFTS_OK;
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(s->db,
                               "INSERT INTO pages(file_id, page, line_start, n_lines, furniture,"
                               " error) VALUES(?1,?2,?3,?4,?5,?6)",
                               -1, &st, NULL);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 1, file_id);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 2, page);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 3, pg->line_start);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 4, pg->n_lines);
  if (src == SQLITE_OK) src = store_bind_text(st, 5, pg->furniture);
  if (src == SQLITE_OK) src = store_bind_text(st, 6, pg->error);
  if (src == SQLITE_OK) src = sqlite3_step(st);
  int rc = src == SQLITE_DONE ? JFTS_OK : store_db_error(s, src, err_out, "cannot insert a page");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

/* Adds passage p, stored as row id, to the FTS index, with the tokens of its text recorded
** as entry i_tok of toks. One INSERT per row opens no savepoint, so FTS5 keeps collecting
** terms until its hash is full (and store_replace_file takes no savepoint for that reason). */
static int index_passage(Store *s, const Report *rep, size_t i, int64_t id, const TokBatch *toks,
                         size_t i_tok, char **err_out) {
  const Passage *p = &rep->passages[i];
  int rc = store_prepare_cached(
      s, &s->ins_fts, "INSERT INTO fts(rowid, text, headings, label) VALUES(?1, ?2, ?3, ?4)",
      err_out);
  if (rc != JFTS_OK) return rc;
  char *label = passage_label(p, &rc);
  char *headings = passage_headings(rep, i, &rc);
  if (rc != JFTS_OK) {
    jfts_free(label);
    jfts_free(headings);
    return rc;
  }
  const char *text = p->body.text ? p->body.text : "";
  size_t n_text = p->body.text ? p->body.n_bytes : 0;
  tok_replay_arm(s->replay, 0, text, n_text, toks, i_tok);
  int k = 0;
  rc = arm_column(s, k, headings);
  if (rc == JFTS_OK) rc = arm_column(s, ++k, label);
  if (rc != JFTS_OK) {
    rc = tokenize_error(s->col_tokens[k], p->ordinal, rc, err_out);
  } else {
    sqlite3_stmt *st = s->ins_fts;
    /* A NUL-terminated value reaches the tokenizer as is, while one bound with its length is
    ** copied to add the NUL, which the replay then has to compare byte by byte. Passage text
    ** is NUL-terminated (report.h); one with a NUL inside is bound with its length. */
    int as_string = text[n_text] == '\0' && memchr(text, '\0', n_text) == NULL;
    int src = sqlite3_bind_int64(st, 1, id);
    if (src == SQLITE_OK)
      src = sqlite3_bind_text(st, 2, text, as_string ? -1 : (int)n_text, SQLITE_STATIC);
    if (src == SQLITE_OK) src = store_bind_text(st, 3, headings);
    if (src == SQLITE_OK) src = store_bind_text(st, 4, label);
    rc = src == SQLITE_OK ? store_step_done(s, st, err_out, "cannot index a passage")
                          : store_db_error(s, src, err_out, "cannot index a passage");
    (void)sqlite3_clear_bindings(st);
  }
  tok_replay_clear(s->replay);
  jfts_free(label);
  jfts_free(headings);
  return rc;
}

/* Without the caller's tokens, passages are tokenized here in runs of about this much text:
** a run's tokens (some three times its size) are held until its passages are stored, and a
** streamed file hands over 16 MB pieces. */
#define STORE_OWN_TOKENS_TEXT_BYTES ((size_t)1 << 20)

/* Records into s->own_tokens the tokens of passages lo, lo+1, ... up to about
** STORE_OWN_TOKENS_TEXT_BYTES of text; *hi_out gets the index after the last one. */
static int record_run(Store *s, const Report *rep, size_t lo, size_t *hi_out, char **err_out) {
  int rc = s->own_tokens ? JFTS_OK : tok_batch_new(&s->own_tokens);
  if (rc != JFTS_OK) return rc;
  tok_batch_clear(s->own_tokens);
  size_t i = lo, n_text = 0;
  while (i < rep->n_passages && (i == lo || n_text < STORE_OWN_TOKENS_TEXT_BYTES)) {
    const Passage *p = &rep->passages[i];
    size_t n = p->body.text ? p->body.n_bytes : 0;
    rc = tok_batch_add(s->own_tokens, p->body.text ? p->body.text : "", n);
    if (rc != JFTS_OK) return tokenize_error(s->own_tokens, p->ordinal, rc, err_out);
    n_text += n;
    i++;
  }
  *hi_out = i;
  return JFTS_OK;
}

/* Inserts passages [lo, hi) into the table and then into the index, so that each stays warm
** in the caches for a whole run. Entry i - first of toks holds passage i's tokens; dv[d] are
** the values of rep->docs[d], dv[rep->n_docs] those of the file's text outside them. Passage
** i is stored with ordinal passage_base + its ordinal + shift[i] (shift NULL: 0). */
static int store_passage_run(Store *s, const DecodedText *dec, const Report *rep,
                             const TokBatch *toks, size_t first, size_t lo, size_t hi,
                             const DocVals *dv, int64_t file_id, int passage_base,
                             const int *shift, int64_t *passage_ids, char **err_out) {
  int rc = JFTS_OK;
  for (size_t i = lo; rc == JFTS_OK && i < hi; i++) {
    int d = rep->passage_doc ? rep->passage_doc[i] : -1;
    const DocVals *v = &dv[d >= 0 && (size_t)d < rep->n_docs ? (size_t)d : rep->n_docs];
    rc = insert_passage(s, file_id, v->id ? v : NULL, dec, rep, i,
                        passage_base + (shift ? shift[i] : 0), toks, i - first, &passage_ids[i],
                        err_out);
  }
  for (size_t i = lo; rc == JFTS_OK && i < hi; i++)
    rc = index_passage(s, rep, i, passage_ids[i], toks, i - first, err_out);
  return rc;
}

/* Where a meetings-table row without a description stands among rep's passages: the number
** of passages that start on or before its line (its name passage comes after them). */
static size_t row_place(const Report *rep, const Meeting *m) {
  size_t a = 0;
  while (a < rep->n_passages && rep->passages[a].line_start <= m->line_start) a++;
  return a;
}

/* shift_out[i] (n_passages + 1 entries): the row-name passages (store_row_names) stored
** before passage i, so that passages keep document order in their ordinals. */
static void row_shifts(const Report *rep, int *shift_out) {
  memset(shift_out, 0, (rep->n_passages + 1) * sizeof *shift_out);
  for (size_t i = 0; i < rep->n_meetings; i++)
    if (rep->meetings[i].passage < 0) shift_out[row_place(rep, &rep->meetings[i])]++;
  for (size_t i = 1; i <= rep->n_passages; i++) shift_out[i] += shift_out[i - 1];
}

/* Reads back into v[0..n) (those with an id) what each stored document holds (the whole
** document an earlier piece of a streamed file made). */
static int read_doc_vals(Store *s, DocVals *v, size_t n, char **err_out) {
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(s->db, "SELECT org, kind, year, year_label FROM documents"
                               " WHERE id = ?1", -1, &st, NULL);
  for (size_t i = 0; rc == JFTS_OK && src == SQLITE_OK && i < n; i++) {
    if (v[i].id == 0) continue;
    src = sqlite3_bind_int64(st, 1, v[i].id);
    if (src == SQLITE_OK) src = sqlite3_step(st);
    if (src == SQLITE_ROW) {
      v[i].org = store_col_dup(st, 0, &rc);
      v[i].kind = store_col_dup(st, 1, &rc);
      v[i].year = sqlite3_column_int(st, 2);
      v[i].year_label = store_col_dup(st, 3, &rc);
      src = SQLITE_DONE;
    }
    if (src == SQLITE_DONE) src = sqlite3_reset(st);
  }
  if (rc == JFTS_OK && src != SQLITE_OK && src != SQLITE_DONE)
    rc = store_db_error(s, src, err_out, "cannot read a document");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

/* The document that holds the file's text outside any document: the one an earlier piece of
** the file made (*id_out; 0 when none), looked up for a further piece (append). The parser
** gives the untagged text of a file's first piece a document of its own (structure_doc.c)
** but cannot name it from a later piece: that text goes on in the last such document. */
static int find_whole_doc(Store *s, int64_t file_id, int64_t *id_out, char **err_out) {
  char sql[200];
  snprintf(sql, sizeof sql,
           "SELECT id FROM documents WHERE file_id = %lld AND (whole = 1 OR ward IS NULL)"
           " ORDER BY whole DESC, ordinal DESC LIMIT 1",
           (long long)file_id);
  *id_out = 0;
  return store_query_int(s, sql, id_out, err_out, "cannot read documents");
}

/* Inserts the documents of rep (and, where text lies outside them or the file has nothing
** else, the file's whole document), fills their fields from the file's sidecar and reads
** them back into dv[0..n_docs]. doc_counts[d] are the passages of each, doc_counts[n_docs]
** those outside. */
static int store_docs(Store *s, const StoreFile *file, const Report *rep, int64_t file_id,
                      int doc_base, int append, const int *doc_counts, DocVals *dv,
                      char **err_out) {
  static const ReportDoc k_whole = {.line_start = 0};
  int rc = JFTS_OK;
  size_t n = rep->n_docs;
  DocRow row;
  for (size_t i = 0; rc == JFTS_OK && i < n; i++) {
    rc = make_doc_row(file, &rep->docs[i], &row);
    if (rc == JFTS_OK)
      rc = insert_document(s, file_id, doc_base + (int)i, 0, &row, doc_counts[i], &dv[i],
                           err_out);
    jfts_free(row.org);
  }
  if (rc == JFTS_OK && append) rc = find_whole_doc(s, file_id, &dv[n].id, err_out);
  int line_start = 0, line_end = 0;
  for (size_t i = 0; i < rep->n_passages; i++) {
    int d = rep->passage_doc ? rep->passage_doc[i] : -1;
    if (d >= 0 && (size_t)d < n) continue;
    if (line_start == 0) line_start = rep->passages[i].line_start;
    line_end = rep->passages[i].line_end;
  }
  if (rc == JFTS_OK && dv[n].id == 0 && (doc_counts[n] > 0 || (!append && n == 0))) {
    rc = make_doc_row(file, &k_whole, &row);
    row.line_start = line_start;
    row.line_end = line_end;
    if (rc == JFTS_OK)
      rc = insert_document(s, file_id, -1, 1, &row, doc_counts[n], &dv[n], err_out);
    jfts_free(row.org);
  } else if (rc == JFTS_OK && dv[n].id != 0) {
    /* A further piece of a streamed file: its earlier pieces' whole document goes on. */
    if (doc_counts[n] > 0) {
      char sql[200];
      snprintf(sql, sizeof sql,
               "UPDATE documents SET n_passages = n_passages + %d, line_start = coalesce("
               "line_start, %d), line_end = %d WHERE id = %lld",
               doc_counts[n], line_start, line_end, (long long)dv[n].id);
      rc = store_exec(s, sql, err_out, "cannot update a document");
    }
    if (rc == JFTS_OK) rc = read_doc_vals(s, &dv[n], 1, err_out);
  }
  return rc;
}

/* The meetings-table rows of rep without a description (no passage of their own, as
** "（４）プロジェクトチーム 0回"): each becomes a passage of empty text labelled with the
** row's name, so that the name is found (through the label column, ranked after body text).
** Each takes its place in document order among rep's passages (row_shifts; stored after
** them), in the table section of their document; ids_out[i] gets the id of meeting i's
** passage (0 for a meeting with a description). */
static int store_row_names(Store *s, const DecodedText *dec, const Report *rep,
                           const DocVals *dv, int64_t file_id, int passage_base,
                           int64_t *ids_out, char **err_out) {
  size_t n = 0;
  for (size_t i = 0; i < rep->n_meetings; i++) n += rep->meetings[i].passage < 0;
  if (n == 0) return JFTS_OK;
  Report extra = {.docs = rep->docs, .n_docs = rep->n_docs};
  Passage *ps = jfts_calloc(n, sizeof *ps);
  int *pdoc = jfts_calloc(n, sizeof *pdoc);
  int64_t *ids = jfts_calloc(n, sizeof *ids);
  size_t *which = jfts_calloc(n, sizeof *which);
  int rc = ps && pdoc && ids && which ? JFTS_OK : JFTS_ERR_NOMEM;
  for (size_t i = 0, k = 0; rc == JFTS_OK && i < rep->n_meetings; i++) {
    const Meeting *m = &rep->meetings[i];
    if (m->passage >= 0) continue;
    int d = rep->meeting_doc ? rep->meeting_doc[i] : -1;
    Passage *p = &ps[k];
    /* Placed (empty) at the end of the last passage of its document before the row. */
    for (size_t j = 0; j < rep->n_passages; j++) {
      const Passage *q = &rep->passages[j];
      if ((rep->passage_doc ? rep->passage_doc[j] : -1) != d || q->line_start > m->line_start)
        continue;
      p->src_start = p->src_end = q->src_end;
      if (q->section && strcmp(q->section, "table") == 0) p->section_title = q->section_title;
    }
    p->ordinal = (int)(row_place(rep, m) + k);
    p->ward = d >= 0 ? rep->docs[d].ward : NULL;
    p->year = d >= 0 ? rep->docs[d].year : 0;
    p->year_label = d >= 0 ? rep->docs[d].year_label : NULL;
    p->section = "table";
    p->meeting = m->meeting;
    p->local_name = m->local_name;
    p->slot = m->slot;
    p->body.text = "";
    p->line_start = m->line_start;
    p->line_end = m->line_end;
    pdoc[k] = d;
    which[k++] = i;
  }
  extra.passages = ps;
  extra.n_passages = n;
  extra.passage_doc = pdoc;
  if (rc == JFTS_OK) rc = check_report(dec, &extra, err_out);
  size_t hi = 0;
  if (rc == JFTS_OK) rc = record_run(s, &extra, 0, &hi, err_out);
  if (rc == JFTS_OK)
    rc = store_passage_run(s, dec, &extra, s->own_tokens, 0, 0, n, dv, file_id, passage_base,
                           NULL, ids, err_out);
  for (size_t k = 0; rc == JFTS_OK && k < n; k++) ids_out[which[k]] = ids[k];
  jfts_free(ps);
  jfts_free(pdoc);
  jfts_free(ids);
  jfts_free(which);
  return rc;
}

static int store_report(Store *s, const StoreFile *file, const DecodedText *dec,
                        const Report *rep, const TokBatch *toks_in, int64_t file_id, int doc_base,
                        int passage_base, int append, char **err_out) {
  int rc = JFTS_OK;
  s->cur.text = NULL; /* a new text, maybe at the address of the last one */
  int have_toks = toks_in && tok_batch_count(toks_in) == rep->n_passages;
  DocVals *dv = jfts_calloc(rep->n_docs + 1, sizeof *dv);
  int *doc_counts = jfts_calloc(rep->n_docs + 1, sizeof *doc_counts);
  int64_t *passage_ids = jfts_calloc(rep->n_passages + 1, sizeof *passage_ids);
  int64_t *row_ids = jfts_calloc(rep->n_meetings + 1, sizeof *row_ids);
  int *shift = jfts_calloc(rep->n_passages + 1, sizeof *shift);
  if (!dv || !doc_counts || !passage_ids || !row_ids || !shift) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (size_t i = 0; i < rep->n_passages; i++) {
    int d = rep->passage_doc ? rep->passage_doc[i] : -1;
    doc_counts[d >= 0 && (size_t)d < rep->n_docs ? (size_t)d : rep->n_docs]++;
  }
  row_shifts(rep, shift);
  rc = store_docs(s, file, rep, file_id, doc_base, append, doc_counts, dv, err_out);
  /* Passages in runs: all of them at once when the caller has their tokens. */
  for (size_t lo = 0, hi = 0; rc == JFTS_OK && lo < rep->n_passages; lo = hi) {
    const TokBatch *toks = toks_in;
    size_t first = 0; /* entry of passage i in toks is i - first */
    if (have_toks) {
      hi = rep->n_passages;
    } else {
      rc = record_run(s, rep, lo, &hi, err_out);
      toks = s->own_tokens;
      first = lo;
    }
    if (rc == JFTS_OK)
      rc = store_passage_run(s, dec, rep, toks, first, lo, hi, dv, file_id, passage_base, shift,
                             passage_ids, err_out);
  }
  if (rc == JFTS_OK)
    rc = store_row_names(s, dec, rep, dv, file_id, passage_base, row_ids, err_out);
  for (size_t i = 0; rc == JFTS_OK && i < rep->n_meetings; i++) {
    const Meeting *m = &rep->meetings[i];
    int d = rep->meeting_doc ? rep->meeting_doc[i] : -1;
    int has_doc = d >= 0 && (size_t)d < rep->n_docs;
    int has_passage = m->passage >= 0 && (size_t)m->passage < rep->n_passages;
    rc = insert_meeting(s, file_id, has_doc ? dv[d].id : 0, has_doc ? &rep->docs[d] : NULL,
                        has_passage ? &rep->passages[m->passage] : NULL,
                        has_passage ? passage_ids[m->passage] : row_ids[i], m, err_out);
  }

cleanup:
  for (size_t i = 0; dv && i <= rep->n_docs; i++) {
    jfts_free(dv[i].org);
    jfts_free(dv[i].kind);
    jfts_free(dv[i].year_label);
  }
  jfts_free(dv);
  jfts_free(doc_counts);
  jfts_free(passage_ids);
  jfts_free(row_ids);
  jfts_free(shift);
  return rc;
}

/* ---- the public write functions ---------------------------------------------------------- */

int store_replace_file(Store *s, const StoreFile *file, const DecodedText *dec,
                       const Report *rep, const TokBatch *toks, int64_t *file_id_out,
                       char **err_out) {
  char *inner = NULL;
  int64_t file_id = 0;
  if (s->mode != STORE_WRITE || s->needs_schema) {
    jfts_set_error(err_out, "cannot store '%s': no write transaction on '%s'", file->path,
                   s->path);
    return JFTS_ERR_USAGE;
  }
  int rc = check_report(dec, rep, &inner);
  StoreFileRow old;
  int found = 0;
  if (rc == JFTS_OK) {
    rc = store_lookup_file(s, file->realpath, &found, &old, &inner);
    if (rc == JFTS_OK && found) rc = delete_file_rows(s, old.id, &inner);
    store_file_row_clear(&old);
  }
  if (rc == JFTS_OK) rc = insert_file(s, file, dec, rep, &file_id, &inner);
  for (uint32_t i = 0; rc == JFTS_OK && i < file->n_pages; i++)
    rc = insert_page(s, file_id, i + 1, &file->pages[i], &inner);
  if (rc == JFTS_OK) rc = store_report(s, file, dec, rep, toks, file_id, 0, 0, 0, &inner);
  if (rc == JFTS_OK && file_id_out) *file_id_out = file_id;
  return store_error(file, rc, inner, err_out);
}

int store_append_report(Store *s, const StoreFile *file, int64_t file_id,
                        const DecodedText *dec, const Report *rep, const TokBatch *toks,
                        char **err_out) {
  int64_t doc_base = 0, passage_base = 0;
  char *inner = NULL;
  char sql[160];
  int rc = check_report(dec, rep, &inner);
  snprintf(sql, sizeof sql,
           "SELECT coalesce(max(ordinal)+1, 0) FROM documents WHERE file_id=%lld",
           (long long)file_id);
  if (rc == JFTS_OK) rc = store_query_int(s, sql, &doc_base, &inner, "cannot read documents");
  snprintf(sql, sizeof sql, "SELECT coalesce(max(ordinal)+1, 0) FROM passages WHERE file_id=%lld",
           (long long)file_id);
  if (rc == JFTS_OK) rc = store_query_int(s, sql, &passage_base, &inner, "cannot read passages");
  if (rc == JFTS_OK && rep->tagged) {
    snprintf(sql, sizeof sql, "UPDATE files SET tagged=1 WHERE id=%lld", (long long)file_id);
    rc = store_exec(s, sql, &inner, "cannot update file");
  }
  if (rc == JFTS_OK)
    rc = store_report(s, file, dec, rep, toks, file_id, (int)doc_base, (int)passage_base, 1,
                      &inner);
  return store_error(file, rc, inner, err_out);
}

int store_piecewise_begin(Store *s, char **err_out) {
  return store_exec(s, "SAVEPOINT piecewise", err_out, "cannot begin");
}

int store_piecewise_end(Store *s, int keep, char **err_out) {
  int rc = JFTS_OK;
  if (!keep) rc = store_exec(s, "ROLLBACK TO piecewise", err_out, "cannot undo the file");
  /* After a failed ROLLBACK TO the savepoint is kept (or gone with the transaction): the
  ** caller rolls the transaction back. */
  if (rc == JFTS_OK) rc = store_exec(s, "RELEASE piecewise", err_out, "cannot release savepoint");
  return rc;
}

/* Appends id to the growing array *gone. */
static int note_gone(int64_t id, int64_t **gone, size_t *n_gone, size_t *n_alloc) {
  int64_t *g = jfts_grow(*gone, n_alloc, *n_gone + 1, sizeof *g);
  if (g == NULL) return JFTS_ERR_NOMEM;
  *gone = g;
  g[(*n_gone)++] = id;
  return JFTS_OK;
}

int store_prune(Store *s, int *n_pruned_out, char **err_out) {
  int rc = JFTS_OK;
  sqlite3_stmt *st = NULL;
  int64_t *gone = NULL;
  size_t n_gone = 0, n_alloc = 0;
  *n_pruned_out = 0;
  if (s->needs_schema) return JFTS_OK;

  int src = sqlite3_prepare_v2(s->db, "SELECT id, realpath FROM files ORDER BY id", -1, &st,
                               NULL);
  while (rc == JFTS_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    src = SQLITE_OK;
    struct stat sb;
    const char *rp = store_col_text(st, 1);
    /* Only a file that is really gone goes: a permission error says nothing about it. */
    if (rp == NULL || stat(rp, &sb) == 0 || (errno != ENOENT && errno != ENOTDIR)) continue;
    rc = note_gone(sqlite3_column_int64(st, 0), &gone, &n_gone, &n_alloc);
  }
  if (rc == JFTS_OK && src != SQLITE_DONE)
    rc = store_db_error(s, src, err_out, "cannot list files");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  for (size_t i = 0; rc == JFTS_OK && i < n_gone; i++) rc = delete_file_rows(s, gone[i], err_out);
  if (rc == JFTS_OK) *n_pruned_out = (int)n_gone;
  jfts_free(gone);
  return rc;
}

/* ---- ranking statistics ------------------------------------------------------------------ */

static void put_le32(unsigned char *p, uint32_t v) {
  for (int b = 0; b < 4; b++) p[b] = (unsigned char)(v >> (8 * b));
}

static uint32_t clamp_u32(int64_t v) {
  return v < 0 ? 0 : v >= (int64_t)UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)v;
}

/* Inserts the meta row (key, blob). */
static int meta_put_blob(Store *s, sqlite3_stmt *ins, const char *key, const void *blob,
                         size_t n) {
  int src = sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
  if (src == SQLITE_OK) src = sqlite3_bind_blob64(ins, 2, blob, n, SQLITE_TRANSIENT);
  if (src == SQLITE_OK) src = sqlite3_step(ins);
  if (src == SQLITE_DONE) src = sqlite3_reset(ins);
  (void)s;
  return src == SQLITE_DONE ? SQLITE_OK : src;
}

/* Writes 'rank_files': each file id's rank by (path, id), little-endian uint32 per id from 0
** to the largest (0xffffffff for none). *ok_out 0 when the file ids are too sparse for it. */
static int stat_files_write(Store *s, sqlite3_stmt *ins, int *ok_out, char **err_out) {
  int64_t max_file = 0, n_files = 0;
  *ok_out = 0;
  int rc = store_query_int(s, "SELECT max(id) FROM files", &max_file, err_out,
                           "cannot write the ranking statistics");
  if (rc == JFTS_OK)
    rc = store_query_int(s, "SELECT count(*) FROM files", &n_files, err_out,
                         "cannot write the ranking statistics");
  if (rc != JFTS_OK || max_file < 0 || max_file >= n_files * 4 + 4096) return rc;
  size_t n = (size_t)max_file + 1;
  unsigned char *ranks = jfts_malloc(n * 4);
  if (ranks == NULL) return JFTS_ERR_NOMEM;
  memset(ranks, 0xff, n * 4);
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(s->db, "SELECT id FROM files ORDER BY path, id", -1, &st, NULL);
  for (uint32_t r = 0; src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW; r++) {
    int64_t id = sqlite3_column_int64(st, 0);
    if (id >= 0 && (size_t)id < n) put_le32(ranks + (size_t)id * 4, r);
    src = SQLITE_OK;
  }
  if (src == SQLITE_DONE) src = meta_put_blob(s, ins, "rank_files", ranks, n * 4);
  if (src != SQLITE_OK) rc = store_db_error(s, src, err_out, "cannot write the ranking statistics");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  jfts_free(ranks);
  *ok_out = rc == JFTS_OK;
  return rc;
}

/* Writes the chunks of per-passage entries (store_internal.h), reading the passages in id
** order: memory is one chunk, whatever the number of passages. */
static int stat_chunks_write(Store *s, sqlite3_stmt *ins, int64_t *n_rows_out,
                             uint64_t *n_tokens_out, int64_t *max_id_out, char **err_out) {
  const size_t n_chunk = (size_t)STORE_STAT_CHUNK_ROWS * STORE_STAT_ENTRY_BYTES;
  unsigned char *chunk = jfts_malloc(n_chunk);
  if (chunk == NULL) return JFTS_ERR_NOMEM;
  sqlite3_stmt *st = NULL;
  int64_t k = -1; /* the chunk in the buffer; -1: none */
  /* `+id`: scan the small covering index passages_file and sort (SQLite's sorter spills to
  ** disk beyond its cache), rather than read every passage's text in rowid order. */
  int src = sqlite3_prepare_v2(s->db,
                               "SELECT id, file_id, ordinal, n_tokens, toc FROM passages ORDER BY +id",
                               -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    src = SQLITE_OK;
    int64_t id = sqlite3_column_int64(st, 0);
    if (id < 0) continue; /* never written by jfts; such a row falls back when searched */
    if (id / STORE_STAT_CHUNK_ROWS != k) {
      char key[48];
      snprintf(key, sizeof key, "%s%lld", STORE_STAT_CHUNK_KEY, (long long)k);
      if (k >= 0) src = meta_put_blob(s, ins, key, chunk, n_chunk);
      k = id / STORE_STAT_CHUNK_ROWS;
      memset(chunk, 0xff, n_chunk);
    }
    unsigned char *e = chunk + (size_t)(id % STORE_STAT_CHUNK_ROWS) * STORE_STAT_ENTRY_BYTES;
    uint32_t n_tok = clamp_u32(sqlite3_column_int64(st, 3));
    put_le32(e, n_tok);
    put_le32(e + 4, clamp_u32(sqlite3_column_int64(st, 1)));
    put_le32(e + 8, clamp_u32(sqlite3_column_int64(st, 2)));
    e[12] = sqlite3_column_int(st, 4) ? STORE_STAT_TOC : 0;
    (*n_rows_out)++;
    *n_tokens_out += n_tok;
    *max_id_out = id;
  }
  if (src == SQLITE_DONE && k >= 0) {
    char key[48];
    snprintf(key, sizeof key, "%s%lld", STORE_STAT_CHUNK_KEY, (long long)k);
    src = meta_put_blob(s, ins, key, chunk, n_chunk);
  }
  int rc = src == SQLITE_OK || src == SQLITE_DONE
               ? JFTS_OK
               : store_db_error(s, src, err_out, "cannot write the ranking statistics");
  (void)sqlite3_finalize(st); /* repeats the step's error */
  jfts_free(chunk);
  return rc;
}

int store_write_rank_stats(Store *s, char **err_out) {
  sqlite3_stmt *ins = NULL;
  int64_t n_rows = 0, max_id = 0;
  uint64_t n_tokens = 0;
  int files_ok = 0;
  static const char k_what[] = "cannot write the ranking statistics";
  int rc = store_exec(s, "DELETE FROM meta WHERE key GLOB 'rank_*'", err_out, k_what);
  if (rc == JFTS_OK) {
    int src = sqlite3_prepare_v2(s->db, "INSERT INTO meta(key, value) VALUES(?1, ?2)", -1, &ins,
                                 NULL);
    if (src != SQLITE_OK) rc = store_db_error(s, src, err_out, k_what);
  }
  if (rc == JFTS_OK) rc = stat_files_write(s, ins, &files_ok, err_out);
  if (rc == JFTS_OK && files_ok)
    rc = stat_chunks_write(s, ins, &n_rows, &n_tokens, &max_id, err_out);
  /* The reader covers ids below 4 per passage plus 4096 (as the arrays it replaces): an index
  ** whose ids go beyond keeps no statistics and is read the old way. */
  if (rc == JFTS_OK && (!files_ok || max_id >= n_rows * 4 + 4096))
    rc = store_exec(s, "DELETE FROM meta WHERE key GLOB 'rank_*'", err_out, k_what);
  else if (rc == JFTS_OK) {
    char *sql = jfts_mprintf("INSERT INTO meta(key, value) VALUES ('rank_rows', '%lld'),"
                             " ('rank_tokens', '%llu'), ('rank_max_id', '%lld')",
                             (long long)n_rows, (unsigned long long)n_tokens,
                             (long long)max_id);
    rc = sql ? store_exec(s, sql, err_out, k_what) : JFTS_ERR_NOMEM;
    jfts_free(sql);
  }
  (void)sqlite3_finalize(ins); /* repeats an error reported above */
  return rc;
}

/* Counts the positions of a text (tokens not colocated with the one before). */
static int count_position(void *ctx, int colocated, const char *token, int n_token, int start,
                          int end) {
  (void)token;
  (void)n_token;
  (void)start;
  (void)end;
  *(int64_t *)ctx += colocated == 0;
  return SQLITE_OK;
}

int store_recount_tokens(Store *s, char **err_out) {
  sqlite3_stmt *sel = NULL, *upd = NULL;
  int src = sqlite3_prepare_v2(s->db, "SELECT id, text, n_tokens FROM passages", -1, &sel, NULL);
  if (src == SQLITE_OK)
    src = sqlite3_prepare_v2(s->db, "UPDATE passages SET n_tokens = ?2 WHERE id = ?1", -1, &upd,
                             NULL);
  int rc = JFTS_OK;
  while (rc == JFTS_OK && src == SQLITE_OK && (src = sqlite3_step(sel)) == SQLITE_ROW) {
    src = SQLITE_OK;
    int64_t n = 0;
    const char *text = (const char *)sqlite3_column_text(sel, 1);
    int trc = tok_tokenize(text ? text : "", (size_t)sqlite3_column_bytes(sel, 1),
                           FTS5_TOKENIZE_DOCUMENT, count_position, &n);
    if (trc != SQLITE_OK) {
      rc = trc == SQLITE_NOMEM ? JFTS_ERR_NOMEM : JFTS_ERR_ICU;
      if (rc == JFTS_ERR_ICU)
        jfts_set_error(err_out, "'%s': cannot count the tokens of passage %lld", s->path,
                       (long long)sqlite3_column_int64(sel, 0));
      break;
    }
    if (n == sqlite3_column_int64(sel, 2)) continue;
    src = sqlite3_bind_int64(upd, 1, sqlite3_column_int64(sel, 0));
    if (src == SQLITE_OK) src = sqlite3_bind_int64(upd, 2, n);
    if (src == SQLITE_OK) src = sqlite3_step(upd);
    if (src == SQLITE_DONE) src = sqlite3_reset(upd);
  }
  if (rc == JFTS_OK && src != SQLITE_DONE)
    rc = store_db_error(s, src, err_out, "cannot recount the passages' tokens");
  (void)sqlite3_finalize(sel); /* repeat the step's error, reported above */
  (void)sqlite3_finalize(upd);
  return rc;
}
