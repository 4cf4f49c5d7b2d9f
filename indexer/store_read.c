/* Reading the index database: segment maps (passage text back to raw offsets and lines), the
** document and meeting listings, passages by id or substring, and the distinct values a
** search filter may name. */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "jfts_common.h"
#include "store_internal.h"

/* ---- segment maps ------------------------------------------------------------------------ */

/* A segment map is stored as deltas from what the previous segment predicts, each a LEB128
** varint: the map of a PDF line or a text line is mostly small steps (the next segment starts
** where the last ended, one line on), so an entry takes 5 to 8 bytes instead of the 20 of
** schema 3's five uint32s. Signed deltas are zigzag-coded. */

static uint32_t unpack_u32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned char *put_varint(unsigned char *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

/* NULL when the varint runs past end or past 5 bytes (35 bits: no field needs more). */
static const unsigned char *get_varint(const unsigned char *p, const unsigned char *end,
                                       uint64_t *v_out) {
  uint64_t v = 0;
  for (int shift = 0; p < end && shift < 35; shift += 7) {
    unsigned char b = *p++;
    v |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v_out = v;
      return p;
    }
  }
  return NULL;
}

static uint64_t zigzag(int64_t d) {
  return d < 0 ? ((uint64_t)(-(d + 1)) << 1) | 1 : (uint64_t)d << 1;
}

static int64_t unzigzag(uint64_t z) {
  return z & 1 ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1);
}

/* The most one entry can take: two zigzagged deltas of up to 34 bits and three 32-bit values,
** five bytes each. */
#define SEG_MAX_BYTES 25

int store_segs_pack(const StoreSeg *segs, size_t n_segs, unsigned char **blob_out,
                    size_t *n_bytes_out) {
  *blob_out = NULL;
  *n_bytes_out = 0;
  unsigned char *b = jfts_malloc(n_segs ? n_segs * SEG_MAX_BYTES : 1);
  if (b == NULL) return JFTS_ERR_NOMEM;
  unsigned char *p = b;
  int64_t text_end = 0, raw_end = 0, line = 0;
  for (size_t i = 0; i < n_segs; i++) {
    const StoreSeg *g = &segs[i];
    p = put_varint(p, zigzag((int64_t)g->text_start - text_end));
    p = put_varint(p, zigzag((int64_t)g->raw_start - raw_end));
    p = put_varint(p, g->n_bytes);
    p = put_varint(p, zigzag((int64_t)g->lineno - line));
    p = put_varint(p, g->column);
    text_end = (int64_t)g->text_start + g->n_bytes;
    raw_end = (int64_t)g->raw_start + g->n_bytes;
    line = g->lineno;
  }
  *blob_out = b;
  *n_bytes_out = (size_t)(p - b);
  return JFTS_OK;
}

/* value = base + the zigzagged delta at *p, when it fits a uint32; 0 (and *p NULL) otherwise. */
static uint32_t get_delta(const unsigned char **p, const unsigned char *end, int64_t base) {
  uint64_t z = 0;
  *p = *p ? get_varint(*p, end, &z) : NULL;
  if (*p == NULL) return 0u;
  /* base + a 35-bit varint's delta cannot overflow; the sum must still fit. */
  int64_t v = base + unzigzag(z);
  if (v < 0 || v > (int64_t)UINT32_MAX) {
    *p = NULL;
    return 0u;
  }
  return (uint32_t)v;
}

static uint32_t get_u32(const unsigned char **p, const unsigned char *end) {
  uint64_t v = 0;
  *p = *p ? get_varint(*p, end, &v) : NULL;
  if (*p == NULL) return 0u;
  if (v > UINT32_MAX) {
    *p = NULL;
    return 0u;
  }
  return (uint32_t)v;
}

int store_segs_unpack(const void *blob, size_t n_bytes, StoreSeg **segs_out, size_t *n_segs_out) {
  *segs_out = NULL;
  *n_segs_out = 0;
  if (n_bytes == 0) return JFTS_OK;
  /* An entry is five varints, each ending in a byte under 0x80: no more entries than a fifth
  ** of those bytes, whatever else the blob says. */
  const unsigned char *p = blob, *end = p + n_bytes;
  size_t n_last = 0;
  for (const unsigned char *q = p; q < end; q++) n_last += *q < 0x80;
  StoreSeg *segs = jfts_malloc((n_last / 5 + 1) * sizeof *segs);
  if (segs == NULL) return JFTS_ERR_NOMEM;
  size_t n = 0;
  int64_t text_end = 0, raw_end = 0, line = 0;
  while (p != NULL && p < end) {
    StoreSeg g;
    g.text_start = get_delta(&p, end, text_end);
    g.raw_start = get_delta(&p, end, raw_end);
    g.n_bytes = get_u32(&p, end);
    g.lineno = get_delta(&p, end, line);
    g.column = get_u32(&p, end);
    if (p == NULL) break;
    segs[n++] = g;
    text_end = (int64_t)g.text_start + g.n_bytes;
    raw_end = (int64_t)g.raw_start + g.n_bytes;
    line = g.lineno;
  }
  if (p == NULL) {
    jfts_free(segs);
    return JFTS_ERR_INPUT;
  }
  *segs_out = segs;
  *n_segs_out = n;
  return JFTS_OK;
}

int store_segs_unpack_v3(const void *blob, size_t n_bytes, StoreSeg **segs_out,
                         size_t *n_segs_out) {
  *segs_out = NULL;
  *n_segs_out = 0;
  if (n_bytes % STORE_SEG_V3_BYTES != 0) return JFTS_ERR_INPUT;
  if (n_bytes == 0) return JFTS_OK;
  size_t n = n_bytes / STORE_SEG_V3_BYTES;
  StoreSeg *segs = jfts_malloc(n * sizeof *segs);
  if (segs == NULL) return JFTS_ERR_NOMEM;
  const unsigned char *p = blob;
  for (size_t i = 0; i < n; i++, p += STORE_SEG_V3_BYTES) {
    segs[i] = (StoreSeg){unpack_u32(p), unpack_u32(p + 4), unpack_u32(p + 8),
                         unpack_u32(p + 12), unpack_u32(p + 16)};
  }
  *segs_out = segs;
  *n_segs_out = n;
  return JFTS_OK;
}

/* ---- pages ------------------------------------------------------------------------------- */

int store_page_of(const uint32_t *page_lines, size_t n_pages, int line, int *line_in_page_out) {
  if (n_pages == 0 || page_lines == NULL) {
    if (line_in_page_out) *line_in_page_out = line;
    return 0;
  }
  /* The last page starting at or before line (a page without lines starts where the next
  ** does, so the later of the two holds the line). */
  size_t lo = 0, hi = n_pages;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (page_lines[mid] <= (uint32_t)line) lo = mid;
    else hi = mid;
  }
  if (line_in_page_out) {
    int in_page = line - (int)page_lines[lo] + 1;
    *line_in_page_out = in_page < 1 ? 1 : in_page;
  }
  return (int)lo + 1;
}

/* Unpacks a files.pages BLOB (little-endian uint32 first lines) into *lines_out
** (jfts_malloc'ed; NULL when empty). Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_INPUT. */
static int unpack_pages(const void *blob, size_t n_bytes, uint32_t **lines_out, size_t *n_out) {
  *lines_out = NULL;
  *n_out = 0;
  if (n_bytes % 4 != 0) return JFTS_ERR_INPUT;
  if (n_bytes == 0 || blob == NULL) return JFTS_OK;
  uint32_t *l = jfts_malloc(n_bytes);
  if (l == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < n_bytes / 4; i++) l[i] = unpack_u32((const unsigned char *)blob + 4 * i);
  *lines_out = l;
  *n_out = n_bytes / 4;
  return JFTS_OK;
}

/* Turns a row's text lines into pages and lines within them, from the files.pages BLOB in
** column col of st. */
static int cite_lines(sqlite3_stmt *st, int col, int *line_start, int *line_end,
                      int *page_start_out, int *page_end_out) {
  uint32_t *lines = NULL;
  size_t n = 0;
  int rc = unpack_pages(sqlite3_column_blob(st, col), (size_t)sqlite3_column_bytes(st, col),
                        &lines, &n);
  if (rc != JFTS_OK) return rc;
  *page_start_out = store_page_of(lines, n, *line_start, line_start);
  *page_end_out = store_page_of(lines, n, *line_end, line_end);
  jfts_free(lines);
  return JFTS_OK;
}

int store_seg_lineno(const StorePassageRow *p, size_t text_byte) {
  for (size_t i = 0; i < p->n_segs; i++) {
    if (text_byte < (size_t)p->segs[i].text_start + p->segs[i].n_bytes)
      return (int)p->segs[i].lineno;
  }
  return p->line_end;
}

void store_cite(const StorePassageRow *p, size_t text_byte, int *page_out, int *line_out,
                int *column_out) {
  int line = p->line_end, column = 0;
  for (size_t i = 0; i < p->n_segs; i++) {
    const StoreSeg *g = &p->segs[i];
    if (text_byte >= (size_t)g->text_start + g->n_bytes) continue;
    line = (int)g->lineno;
    if (g->column > 0) {
      /* Code points from the segment's start (a byte repair inserted before it counts as
      ** the segment's first): count the bytes that start a character. */
      column = (int)g->column;
      for (size_t b = g->text_start; b < text_byte && b < p->n_text; b++)
        column += ((unsigned char)p->text[b] & 0xC0) != 0x80;
    }
    break;
  }
  *page_out = store_page_of(p->page_lines, p->n_pages, line, line_out);
  *column_out = column;
}

void store_cite_next(const StorePassageRow *p, size_t text_byte, StoreCiteCursor *cursor,
                     int *page_out, int *line_out, int *column_out) {
  if (cursor->used && text_byte < cursor->byte) memset(cursor, 0, sizeof *cursor);
  size_t i = cursor->seg;
  while (i < p->n_segs && text_byte >= (size_t)p->segs[i].text_start + p->segs[i].n_bytes) i++;
  int line = p->line_end, column = 0;
  if (i < p->n_segs) {
    const StoreSeg *g = &p->segs[i];
    line = (int)g->lineno;
    if (!cursor->used || i != cursor->seg) { /* counting starts at this segment's start */
      cursor->byte = g->text_start;
      cursor->column = (int)g->column;
    }
    if (g->column > 0) {
      for (size_t b = cursor->byte; b < text_byte && b < p->n_text; b++)
        cursor->column += ((unsigned char)p->text[b] & 0xC0) != 0x80;
      if (text_byte > cursor->byte) cursor->byte = text_byte;
      column = cursor->column;
    }
  }
  cursor->seg = i;
  cursor->used = 1;
  *page_out = store_page_of(p->page_lines, p->n_pages, line, line_out);
  *column_out = column;
}

/* ---- listings ---------------------------------------------------------------------------- */

int store_list_documents(Store *s, const char *ward, StoreDocCb cb, void *ctx, char **err_out) {
  store_budget_start(s);
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  /* Text outside any document (a whole untagged file, or text around the documents) is
  ** a document of its own (whole = 1), so that everything indexed shows up somewhere. */
  int src = sqlite3_prepare_v2(
      s->db,
      "SELECT f.path, d.title, d.ward, d.year, d.year_label, d.n_passages,"
      " d.line_start, d.line_end, f.id, f.pages, d.id, d.org, d.kind, d.date, d.org_from,"
      " d.ward_from, d.year_from, d.title_from, d.kind_from, d.date_from, d.whole"
      " FROM documents d JOIN files f ON f.id = d.file_id"
      " WHERE ?1 IS NULL OR d.ward = ?1"
      " ORDER BY f.path, f.id, d.line_start, d.ordinal",
      -1, &st, NULL);
  if (src == SQLITE_OK) src = store_bind_text(st, 1, ward);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreDocRow r = {
        .file = store_col_text(st, 0),
        .title = store_col_text(st, 1),
        .ward = store_col_text(st, 2),
        .year = sqlite3_column_int(st, 3),
        .year_label = store_col_text(st, 4),
        .n_passages = sqlite3_column_int(st, 5),
        .line_start = sqlite3_column_int(st, 6),
        .line_end = sqlite3_column_int(st, 7),
        .text_line_start = sqlite3_column_int(st, 6),
        .text_line_end = sqlite3_column_int(st, 7),
        .id = sqlite3_column_int64(st, 10),
        .org = store_col_text(st, 11),
        .kind = store_col_text(st, 12),
        .date = store_col_text(st, 13),
        .org_from = store_col_text(st, 14),
        .ward_from = store_col_text(st, 15),
        .year_from = store_col_text(st, 16),
        .title_from = store_col_text(st, 17),
        .kind_from = store_col_text(st, 18),
        .date_from = store_col_text(st, 19),
        .whole = sqlite3_column_int(st, 20),
    };
    rc = cite_lines(st, 9, &r.line_start, &r.line_end, &r.page_start, &r.page_end);
    if (rc == JFTS_OK) rc = cb(ctx, &r);
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot list documents");

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

int store_list_doc_values(Store *s, StoreDocField field, int (*cb)(void *ctx, const char *value),
                          void *ctx, char **err_out) {
  static const char *const cols[] = {"d.ward", "d.org", "d.kind", "CAST(d.year AS TEXT)"};
  store_budget_start(s);
  if (s->needs_schema) return JFTS_OK;
  char sql[320];
  snprintf(sql, sizeof sql,
           "WITH fr AS (SELECT id, row_number() OVER (ORDER BY path, id) AS r FROM files)"
           " SELECT %s FROM documents d JOIN fr ON fr.id = d.file_id WHERE %s IS NOT NULL"
           " GROUP BY 1 ORDER BY min(fr.r * 4294967296 + coalesce(d.line_start, 0))",
           cols[field], cols[field]);
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    rc = cb(ctx, store_col_text(st, 0));
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot list filter values");

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

int store_list_meetings(Store *s, const char *ward, StoreMeetingCb cb, void *ctx,
                        char **err_out) {
  store_budget_start(s);
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(s->db,
                               "SELECT m.ward, m.year, m.year_label, m.slot, m.meeting,"
                               " m.local_name, m.count, m.text, f.path, m.line_start, m.line_end,"
                               " f.pages"
                               " FROM meetings m JOIN files f ON f.id = m.file_id"
                               " WHERE ?1 IS NULL OR m.ward = ?1"
                               " ORDER BY f.path, f.id, m.line_start, m.id",
                               -1, &st, NULL);
  if (src == SQLITE_OK) src = store_bind_text(st, 1, ward);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreMeetingRow r = {
        .ward = store_col_text(st, 0),
        .year = sqlite3_column_int(st, 1),
        .year_label = store_col_text(st, 2),
        .slot = sqlite3_column_int(st, 3),
        .meeting = store_col_text(st, 4),
        .local_name = store_col_text(st, 5),
        .count = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6),
        .text = store_col_text(st, 7),
        .file = store_col_text(st, 8),
        .line_start = sqlite3_column_int(st, 9),
        .line_end = sqlite3_column_int(st, 10),
    };
    rc = cite_lines(st, 11, &r.line_start, &r.line_end, &r.page_start, &r.page_end);
    if (rc == JFTS_OK) rc = cb(ctx, &r);
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot list meetings");

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

#define PASSAGE_COLUMNS                                                                        \
  "p.id, f.path, p.ward, p.year, p.year_label, p.section, p.section_title, p.heading,"        \
  " p.meeting, p.local_name, p.label, p.text, p.raw_start, p.raw_end, p.line_start,"           \
  " p.line_end, p.segs, f.pages, p.doc_id, p.org, p.kind,"                                     \
  " (SELECT d.title FROM documents d WHERE d.id = p.doc_id), CASE WHEN p.section_title IS NULL" \
  " THEN p.heading WHEN p.heading IS NULL THEN p.section_title"                                \
  /* Outside the ward template the heading is the whole path from the top heading, whose   \
  ** line ends with the section title (structure.c: 第２章 計画の…). */                       \
  " WHEN substr(CASE WHEN instr(p.heading, ' › ') > 0"                                         \
  "  THEN substr(p.heading, 1, instr(p.heading, ' › ') - 1) ELSE p.heading END,"              \
  "  -length(p.section_title)) = p.section_title THEN p.heading"                              \
  " ELSE p.section_title || ' › ' || p.heading END, p.toc, p.headings, f.title, f.source"

/* Calls cb with the passage of the current row of st (selected with PASSAGE_COLUMNS). A
** segment map that contradicts the passage (one that does not decode, or an entry beyond its
** text) is JFTS_ERR_SCHEMA, "the index is corrupt", never read past. */
static int emit_passage(Store *s, sqlite3_stmt *st, StorePassageCb cb, void *ctx,
                        char **err_out) {
  StoreSeg *segs = NULL;
  size_t n_segs = 0;
  int64_t id = sqlite3_column_int64(st, 0);
  size_t n_blob = (size_t)sqlite3_column_bytes(st, 16);
  int rc = store_segs_unpack(sqlite3_column_blob(st, 16), n_blob, &segs, &n_segs);
  if (rc == JFTS_ERR_INPUT)
    return store_corrupt(s, err_out,
                         "passage %lld: a segment map that does not decode (%zu bytes)",
                         (long long)id, n_blob);
  if (rc != JFTS_OK) return rc;
  size_t n_text = (size_t)sqlite3_column_bytes(st, 11);
  for (size_t i = 0; i < n_segs; i++) {
    if ((uint64_t)segs[i].text_start + segs[i].n_bytes > n_text) {
      jfts_free(segs);
      return store_corrupt(s, err_out, "passage %lld: segment %zu lies beyond its text",
                           (long long)id, i);
    }
  }
  uint32_t *pages = NULL;
  size_t n_pages = 0;
  size_t n_page_blob = (size_t)sqlite3_column_bytes(st, 17);
  rc = unpack_pages(sqlite3_column_blob(st, 17), n_page_blob, &pages, &n_pages);
  if (rc != JFTS_OK) {
    jfts_free(segs);
    if (rc == JFTS_ERR_INPUT)
      return store_corrupt(s, err_out, "passage %lld: a page map of %zu bytes", (long long)id,
                           n_page_blob);
    return rc;
  }
  StorePassageRow r = {
      .id = sqlite3_column_int64(st, 0),
      .file = store_col_text(st, 1),
      .ward = store_col_text(st, 2),
      .year = sqlite3_column_int(st, 3),
      .year_label = store_col_text(st, 4),
      .section = store_col_text(st, 5),
      .section_title = store_col_text(st, 6),
      .heading = store_col_text(st, 7),
      .meeting = store_col_text(st, 8),
      .local_name = store_col_text(st, 9),
      .label = store_col_text(st, 10),
      .text = store_col_text(st, 11),
      .n_text = (size_t)sqlite3_column_bytes(st, 11),
      .raw_start = sqlite3_column_int64(st, 12),
      .raw_end = sqlite3_column_int64(st, 13),
      .line_start = sqlite3_column_int(st, 14),
      .line_end = sqlite3_column_int(st, 15),
      .segs = segs,
      .n_segs = n_segs,
      .page_lines = pages,
      .n_pages = n_pages,
      .doc_id = sqlite3_column_int64(st, 18),
      .org = store_col_text(st, 19),
      .kind = store_col_text(st, 20),
      .doc_title = store_col_text(st, 21),
      .heading_path = store_col_text(st, 22),
      .toc = sqlite3_column_int(st, 23),
      .headings = store_col_text(st, 24),
      .file_title = store_col_text(st, 25),
      .file_source = store_col_text(st, 26),
  };
  if (r.text == NULL) r.text = "";
  rc = cb(ctx, &r);
  jfts_free(segs);
  jfts_free(pages);
  return rc;
}

int store_scan_substring(Store *s, const char *needle, const char *ward, long limit,
                         StorePassageCb cb, void *ctx, long *n_total_out, char **err_out) {
  store_budget_start(s);
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  long n = 0;
  int src = sqlite3_prepare_v2(s->db,
                               "SELECT " PASSAGE_COLUMNS
                               " FROM passages p JOIN files f ON f.id = p.file_id"
                               " WHERE instr(p.text, ?1) > 0 AND (?2 IS NULL OR p.ward = ?2)"
                               " ORDER BY f.path, f.id, p.ordinal",
                               -1, &st, NULL);
  if (src == SQLITE_OK) src = sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC);
  if (src == SQLITE_OK) src = store_bind_text(st, 2, ward);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    if (cb && (limit <= 0 || n < limit)) {
      rc = emit_passage(s, st, cb, ctx, err_out);
      if (rc != JFTS_OK) goto cleanup;
    }
    n++;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot scan passages");
  else if (n_total_out) *n_total_out = n;

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}

/* After store_get_passage found no passage id with its file: a passage row without its file
** is a corrupt index (the file's row is stored before its passages and deleted after them). */
static int check_orphan(Store *s, int64_t id, char **err_out) {
  sqlite3_stmt *st = NULL;
  int src = sqlite3_prepare_v2(s->db, "SELECT file_id FROM passages WHERE id = ?1", -1, &st, NULL);
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 1, id);
  if (src == SQLITE_OK) src = sqlite3_step(st);
  int64_t file_id = src == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  (void)sqlite3_finalize(st); /* repeats the step's error */
  if (src == SQLITE_ROW)
    return store_corrupt(s, err_out, "passage %lld names file %lld, which is not in the index",
                         (long long)id, (long long)file_id);
  return src == SQLITE_DONE ? JFTS_OK : store_db_error(s, src, err_out, "cannot read a passage");
}

int store_get_passage(Store *s, int64_t id, StorePassageCb cb, void *ctx, int *found_out,
                      char **err_out) {
  static const char *const sql = "SELECT " PASSAGE_COLUMNS
                                 " FROM passages p JOIN files f ON f.id = p.file_id"
                                 " WHERE p.id = ?1";
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK, src = SQLITE_OK;
  *found_out = 0;
  /* Search results fetch passages one by one: reuse the statement, unless a callback of an
  ** outer call is still reading it. */
  int cached = s->get_passage == NULL || !sqlite3_stmt_busy(s->get_passage);
  if (cached && s->get_passage == NULL)
    src = sqlite3_prepare_v2(s->db, sql, -1, &s->get_passage, NULL);
  else if (!cached)
    src = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
  if (cached) st = s->get_passage;
  if (src == SQLITE_OK) src = sqlite3_bind_int64(st, 1, id);
  if (src == SQLITE_OK) src = sqlite3_step(st);
  if (src == SQLITE_ROW) {
    *found_out = 1;
    rc = emit_passage(s, st, cb, ctx, err_out);
  } else if (src != SQLITE_DONE) {
    rc = store_db_error(s, src, err_out, "cannot read a passage");
  }
  /* Both repeat the step's error, reported above. */
  if (cached) (void)sqlite3_reset(st);
  else (void)sqlite3_finalize(st);
  if (rc == JFTS_OK && src == SQLITE_DONE) rc = check_orphan(s, id, err_out);
  return rc;
}
/* ---- filter values ----------------------------------------------------------------------- */

int store_list_filter_values(Store *s, StoreFilterValueCb cb, void *ctx, char **err_out) {
  store_budget_start(s);
  if (s->needs_schema) return JFTS_OK;
  /* The distinct combinations (GROUP BY: a DISTINCT whose order can be chosen), each at the
  ** place of its first passage in document order, so that a list of valid values reads in
  ** the order the reports use. Only these four columns and the ordinal are read: no text. */
  sqlite3_stmt *st = NULL;
  int rc = JFTS_OK;
  int src = sqlite3_prepare_v2(
      s->db,
      "WITH fr AS (SELECT id, row_number() OVER (ORDER BY path, id) AS r FROM files)"
      " SELECT p.section, p.section_title, p.meeting, p.local_name"
      " FROM passages p JOIN fr ON fr.id = p.file_id"
      " GROUP BY 1, 2, 3, 4 ORDER BY min(fr.r * 4294967296 + p.ordinal)",
      -1, &st, NULL);
  while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
    StoreFilterValueRow r = {
        .section = store_col_text(st, 0),
        .section_title = store_col_text(st, 1),
        .meeting = store_col_text(st, 2),
        .local_name = store_col_text(st, 3),
    };
    rc = cb(ctx, &r);
    if (rc != JFTS_OK) goto cleanup;
    src = SQLITE_OK;
  }
  if (src != SQLITE_DONE) rc = store_db_error(s, src, err_out, "cannot list filter values");

cleanup:
  (void)sqlite3_finalize(st); /* repeats the step's error */
  return rc;
}
