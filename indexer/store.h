/* The index database: the only module that speaks SQL. It keeps, per indexed file, the file's
** identity and metadata, its documents, passages (with their map back to raw file offsets and
** lines) and meetings, and an external-content FTS5 table over the passages tokenized by
** `jfts`. Re-storing a file replaces its rows, so re-indexing never duplicates anything. */
#ifndef JFTS_STORE_H
#define JFTS_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "report.h"

typedef struct Store Store;

typedef enum StoreMode {
  STORE_READ = 0,  /* the database must exist and be a jfts database; nothing is written */
  STORE_WRITE = 1  /* created when missing (schema written by the first store_begin) */
} StoreMode;

/* Opens the database at path. Never writes to a file that is not a jfts database, nor to one
** written by a newer schema. With STORE_WRITE, a file that store_open had to create is
** removed again by store_close unless a store_commit succeeded in between, so that a first
** run that fails leaves no database behind. Returns JFTS_OK (*out owns a new Store),
** JFTS_ERR_NOMEM, JFTS_ERR_IO ("cannot open 'x.db': no such file"; "...: not a regular file"
** for a device or a FIFO, refused before SQLite opens it; or another system error),
** JFTS_ERR_SCHEMA ("'x.db' is not a jfts database", also "(it has a view 'files')" and the like
** when the schema is not jfts's own: the connection runs with SQLITE_DBCONFIG_DEFENSIVE and
** trusted_schema off, and no jfts statement reads a view or fires a trigger; "cannot open
** 'x.db': database was written
** by a newer jfts (schema 5, this jfts reads up to 4)"; in STORE_READ mode an index built by
** another tokenizer version, which the next jfts-index run rebuilds, an index of schema 1,
** which it rebuilds from the files it is given, and one of schema 2 or 3, which it upgrades in
** place in its first store_begin: "... (schema 2, this jfts reads 4); run jfts-index --db
** x.db on the indexed files to upgrade it") or JFTS_ERR_DB. */
int store_open(const char *path, StoreMode mode, Store **out, char **err_out);

/* Checks the index (jfts-index --check; store_check.c), stopping after the first kind of
** check that finds problems: SQLite's integrity check, then FTS5's integrity-check (the
** full-text index against the passages), then jfts's own invariants (every passage, document
** and meeting names an existing file; every passage's segment map is whole entries
** inside its text; its offsets and lines run forwards). problem(ctx, text) is called for each
** problem found (up to 20 of a kind, then one line with the count). s must be open with
** STORE_READ. *n_problems_out gets the number of problems, *n_passages_out the passages
** checked. Returns JFTS_OK (whatever was found), or JFTS_ERR_NOMEM or JFTS_ERR_DB when a check
** could not run. */
typedef void (*StoreProblemFn)(void *ctx, const char *problem);
int store_check(Store *s, StoreProblemFn problem, void *ctx, long *n_problems_out,
                int64_t *n_passages_out, char **err_out);

/* The organisation a sidecar's publisher names: the bytes of publisher before its first
** white space, bracket, 「, ・ or comma ("仙台市 (青葉区・...)" gives 3 characters, 仙台市);
** 0 when it starts with one. */
size_t store_org_len(const char *publisher);

/* The kind of a document by the words of its title: 取組状況; 会議録 (also 議事録); 計画
** (also プラン); 広報 (だより, 通信); 報告; NULL when none of these occurs (or title is NULL).
** The store's fallback for a document whose kind the parser did not tell. Static strings. */
const char *store_kind_of_title(const char *title);

/* Closes the database (rolling back an open transaction). Accepts NULL. */
void store_close(Store *s);

/* How long a STORE_WRITE store waits for the write lock that another writer (another
** jfts-index, or any SQLite client) holds, before store_begin gives up with "'x.db': cannot
** begin a transaction: database is locked (another writer held it for N s)". max_seconds < 0
** waits as long as the lock is held (the default of a STORE_WRITE store: an index run can take
** minutes); 0 does not wait. waiting (may be NULL) is called with ctx about every second while
** waiting, with the seconds waited so far (a progress line on a terminal). A STORE_READ store
** always waits up to 5 s (a reader waits only for a rollback-journal commit). */
typedef void (*StoreWaitFn)(void *ctx, double waited_s);
void store_set_lock_wait(Store *s, double max_seconds, StoreWaitFn waiting, void *ctx);

/* Transactions. store_begin takes the write lock at once (BEGIN IMMEDIATE, waiting for another
** writer as store_set_lock_wait says), writes the schema into a new database, upgrades a
** schema-2 index in place (the document model's columns filled from what it holds, the
** full-text index rebuilt) and, when the index was built by another tokenizer version,
** re-tokenizes every passage. Everything up to
** store_commit is one atomic change; store_rollback (or store_close) discards it.
** Return JFTS_OK, JFTS_ERR_DB or JFTS_ERR_USAGE (store_begin on a STORE_READ store). */
int store_begin(Store *s, char **err_out);
int store_commit(Store *s, char **err_out);
int store_rollback(Store *s, char **err_out);

/* What the index knows about one file, as stored by the last store_replace_file. */
typedef struct StoreFileRow {
  int64_t id;
  int64_t size;       /* bytes of the raw file */
  char hash[17];      /* 16 lowercase hex digits (store_hash) */
  char *path;         /* as given when indexed; owned by the row */
  char *encoding;     /* owned */
  char *title;        /* sidecar metadata, each owned, NULL when absent */
  char *publisher;
  char *source;
  int year;           /* 0 when absent */
  int from_info;      /* STORE_INFO_* bits: title/year came from the file's own document
                      ** information (a PDF's), not from a sidecar */
} StoreFileRow;

/* StoreFile.from_info, StoreFileRow.from_info */
enum { STORE_INFO_TITLE = 1, STORE_INFO_YEAR = 2 };

/* One page of a paged file (a PDF). The file's text holds the body lines of its pages one
** after another, so a page is a run of text lines; what the page held besides its body
** (running headers/footers, page numbers) or why it gave no text is kept with it, so that
** nothing of the file is dropped without a trace. Strings borrowed. */
typedef struct StorePage {
  uint32_t line_start;   /* text line (1-based) of the page's first body line; for a page
                         ** without body lines, the line the next page starts at */
  uint32_t n_lines;      /* body lines of the page */
  const char *furniture; /* running headers/footers, '\n'-ended lines; NULL: none */
  const char *error;     /* why the page gave no text; NULL: it was read */
} StorePage;

/* The page holding text line `line` of a file whose pages start at text lines
** page_lines[0..n_pages) (ascending; page_lines[0] is page 1's): returns the 1-based page
** and sets *line_in_page_out (may be NULL) to the line's number within that page. A file
** without pages (n_pages 0: a text file) returns 0 and line itself. */
int store_page_of(const uint32_t *page_lines, size_t n_pages, int line, int *line_in_page_out);

/* Looks up a file by its real path. *found_out is 1 and *row filled (release with
** store_file_row_clear) when indexed, else 0 and *row zeroed.
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_lookup_file(Store *s, const char *realpath, int *found_out, StoreFileRow *row,
                      char **err_out);
void store_file_row_clear(StoreFileRow *row);

/* 64-bit FNV-1a of the bytes as 16 lowercase hex digits plus NUL, into hex_out. */
void store_hash(const unsigned char *raw, size_t n_bytes, char hex_out[17]);
/* The same hash over a file read in pieces: h = store_hash_update(STORE_HASH_INIT, ...) on
** each piece in turn, then store_hash_hex(h, hex_out). */
#define STORE_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t store_hash_update(uint64_t h, const unsigned char *raw, size_t n_bytes);
void store_hash_hex(uint64_t h, char hex_out[17]);

/* The file as the indexer found it. Strings are borrowed. */
typedef struct StoreFile {
  const char *path;       /* as given on the command line or found by the walk (display) */
  const char *realpath;   /* canonical absolute path: the file's identity */
  int64_t size;           /* raw bytes */
  const char *hash;       /* store_hash of the raw bytes */
  const char *title;      /* sidecar metadata, NULL when absent */
  const char *publisher;
  const char *source;
  int year;               /* 0 when absent */
  int from_info;          /* STORE_INFO_* bits: which of title/year the file's own document
                          ** information gave (no sidecar said) */
  const StorePage *pages; /* n_pages pages of a paged file (a PDF); NULL for a text file,
                          ** whose citations are file:line */
  uint32_t n_pages;
} StoreFile;

/* The tokens of a report's passage texts, recorded ahead (tokenizer.h: entry i holds
** rep->passages[i].body.text), so that they can be made on another thread. */
typedef struct TokBatch TokBatch;

/* Stores one file: deletes every row of the file with the same realpath (keeping the FTS
** index in step), then inserts the file, its documents, passages and meetings, each passage
** into the FTS index at once. dec is the decoded text the report was parsed from: passage
** raw offsets come from it. toks (may be NULL: then the store tokenizes) holds the tokens of
** the passage texts. *file_id_out (may be NULL) gets the new file id. Returns JFTS_OK,
** JFTS_ERR_INPUT (a report offset outside the text: checked before anything is written, so
** the transaction is as before), JFTS_ERR_NOMEM or JFTS_ERR_DB. After those last two the
** transaction may hold part of the file and must be rolled back: there is no savepoint per
** file, because FTS5 writes out its pending terms as a segment at every savepoint, and one
** small segment per file made a build a third slower. Messages name the file
** ("cannot store 'corpus/a.txt': ..."). */
int store_replace_file(Store *s, const StoreFile *file, const DecodedText *dec,
                       const Report *rep, const TokBatch *toks, int64_t *file_id_out,
                       char **err_out);

/* Adds the passages, documents and meetings of a further piece of a file stored by
** store_replace_file (jfts-index streams large files piece by piece): dec and rep describe
** that piece only, with dec's offsets shifted to the file's (DecodedText.n_bom_bytes holds
** the piece's raw offset) and rep's lines numbered from the piece's first line. Ordinals go
** on from the file's last ones. toks as for store_replace_file. Returns as
** store_replace_file. */
int store_append_report(Store *s, const StoreFile *file, int64_t file_id,
                        const DecodedText *dec, const Report *rep, const TokBatch *toks,
                        char **err_out);

/* The documents rows store_replace_file and store_append_report have inserted since
** store_open, counted as store_list_documents lists them (the parser's documents and each
** file's document of the text outside them): what jfts-index's summary counts. */
long store_documents_added(const Store *s);
/* The passages rows they have inserted since store_open: the parser's passages and one per
** meetings-table row without a description (its name as the label). */
long store_passages_added(const Store *s);

/* Brackets the pieces of one streamed file (store_replace_file, then store_append_report
** for each further piece): store_piecewise_end(s, 0, ...) undoes everything since
** store_piecewise_begin, so a file that fails part-way leaves its earlier version intact
** (--keep-going). Returns JFTS_OK or JFTS_ERR_DB, also when the savepoint cannot be rolled
** back to or released ("'x.db': cannot undo the file: no such savepoint: piecewise"); the
** transaction must then be rolled back. */
int store_piecewise_begin(Store *s, char **err_out);
int store_piecewise_end(Store *s, int keep, char **err_out);

/* Removes every file whose realpath no longer exists, with all its rows. *n_pruned_out gets
** the number of files removed. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_prune(Store *s, int *n_pruned_out, char **err_out);

/* Row callbacks: rows are borrowed for the duration of the call. A callback returns JFTS_OK
** to go on; any other value stops the listing and is returned by the listing function. */

typedef struct StoreDocRow {
  const char *file;        /* file path as indexed */
  const char *title;       /* the document's title line, else the file's sidecar title; or NULL */
  const char *ward;        /* NULL for untagged text */
  int year;                /* 0 when unknown */
  const char *year_label;  /* NULL when unknown */
  int n_passages;
  int line_start, line_end; /* lines within page_start/page_end for a paged file */
  int page_start, page_end; /* 1-based pages of a paged file (a PDF); 0 for a text file */
  int text_line_start, text_line_end; /* the same lines counted through the file's text, as
                                      ** StorePassageRow.line_start counts them */
  int64_t id;              /* documents.id (StorePassageRow.doc_id) */
  const char *org;         /* organisation ("仙台市"), the sidecar's publisher's where the
                           ** document names none (store_org_len); NULL when unknown */
  const char *kind;        /* 取組状況, 計画, 会議録, 広報, 報告, or NULL */
  const char *date;        /* ISO 8601, or NULL */
  const char *org_from, *ward_from, *year_from, *title_from, *kind_from, *date_from;
                           /* where each field came from: "sidecar", "pdf", "title", "text",
                           ** "path"; NULL when the field is NULL */
  int whole;               /* 1: the file's text outside any document the parser found */
} StoreDocRow;
typedef int (*StoreDocCb)(void *ctx, const StoreDocRow *row);

/* Lists documents in file path then line order; ward (canonical, NULL for all) filters.
** Passages outside any document count as one untagged row per file (ward NULL, the
** sidecar's title and year; whole 1); a file without documents or passages gets such a
** row too. Every passage belongs to exactly one row (StorePassageRow.doc_id). */
int store_list_documents(Store *s, const char *ward, StoreDocCb cb, void *ctx, char **err_out);

typedef struct StoreMeetingRow {
  const char *ward;
  int year;                /* 0 when unknown */
  const char *year_label;  /* NULL when unknown */
  int slot;                /* 1..5; 0 for その他の活動 rows */
  const char *meeting;
  const char *local_name;  /* NULL when none */
  int count;               /* planned count; -1 when the row says なし/特になし */
  const char *text;
  const char *file;
  int line_start, line_end; /* lines within page_start/page_end for a paged file */
  int page_start, page_end; /* 1-based pages of a paged file (a PDF); 0 for a text file */
} StoreMeetingRow;
typedef int (*StoreMeetingCb)(void *ctx, const StoreMeetingRow *row);

/* Lists meetings in file path then line order; ward (canonical, NULL for all) filters. */
int store_list_meetings(Store *s, const char *ward, StoreMeetingCb cb, void *ctx,
                        char **err_out);

/* One passage's segment: text bytes [text_start, text_start+n_bytes) are a verbatim copy of
** decoded bytes starting at raw file offset raw_start, on raw line lineno. For a PDF the
** "raw" offsets are offsets in the text the PDF reader rebuilt (the PDF's bytes hold no text
** as such), and lineno counts that text's lines. */
typedef struct StoreSeg {
  uint32_t text_start;
  uint32_t raw_start;
  uint32_t n_bytes;
  uint32_t lineno;
  uint32_t column;    /* 1-based code point column of the segment's first byte in its line
                      ** when the line is longer than STORE_LONG_LINE_CHARS code points;
                      ** 0 for a shorter line. A line cut by a piece of a streamed file is
                      ** counted from the piece's start. */
} StoreSeg;

typedef struct StorePassageRow {
  int64_t id;              /* rowid in passages and in fts */
  const char *file;
  const char *ward;        /* NULL when untagged */
  int year;
  const char *year_label;
  const char *section;
  const char *section_title;
  const char *heading;
  const char *meeting;
  const char *local_name;
  const char *label;       /* meeting and local_name joined by a space, or NULL */
  const char *text;        /* repaired passage text */
  size_t n_text;           /* bytes */
  int64_t raw_start, raw_end; /* raw file byte range of the passage's source */
  int line_start, line_end; /* text lines of the file (for a paged file, store_page_of turns
                            ** them into page and line within the page) */
  const StoreSeg *segs;    /* text → raw map, in text order */
  size_t n_segs;
  const uint32_t *page_lines; /* the file's pages' first text lines (store_page_of); NULL
                              ** for a text file */
  size_t n_pages;
  int64_t doc_id;          /* its document (StoreDocRow.id); 0 only in a damaged index */
  const char *org;         /* its document's organisation, or NULL */
  const char *kind;        /* its document's kind, or NULL */
  const char *doc_title;   /* its document's title (the sidecar's where it has none), or NULL */
  const char *heading_path; /* section title and heading, " › "-joined (either alone), or
                           ** NULL */
  int toc;                 /* 1: part of a table of contents */
  const char *headings;    /* what the full-text index holds of heading_path: its end, the
                           ** heading lines, and the section title too on the first passage of
                           ** a section (so that the title is found once); NULL when nothing */
  const char *file_title;  /* its file's sidecar title and source (StoreFileRow), or NULL */
  const char *file_source;
} StorePassageRow;
typedef int (*StorePassageCb)(void *ctx, const StorePassageRow *row);

/* Passages whose text contains needle byte for byte, in file path then passage order (no
** normalization; with needle "" every passage: jfts-serve's document view lists a ward's
** passages so). ward (canonical, NULL for all) filters;
** limit <= 0 means no limit; cb NULL only counts. *n_total_out (may be NULL) gets the number
** of matching passages whatever the limit. */
int store_scan_substring(Store *s, const char *needle, const char *ward, long limit,
                         StorePassageCb cb, void *ctx, long *n_total_out, char **err_out);

/* Reports data of s that contradicts itself (found by the store or by a caller, such as a
** full-text hit without its passage row): "'x.db': the index is corrupt (<what>); re-index with
** jfts-index" into err_out. Returns JFTS_ERR_SCHEMA (JFTS_ERR_NOMEM when the message cannot be
** made). */
int store_corrupt(Store *s, char **err_out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Fetches one passage by id; *found_out is 0 when there is none. */
int store_get_passage(Store *s, int64_t id, StorePassageCb cb, void *ctx, int *found_out,
                      char **err_out);

/* Packs segments as the stored BLOB (schema 4): per segment, LEB128 varints of text_start and
** raw_start as zigzagged steps from the previous segment's end, n_bytes, lineno as a zigzagged
** step from the previous line, and column; any StoreSeg array round-trips. Unpacks a BLOB into
** *segs_out (jfts_malloc'ed, caller frees; NULL when empty), allocating at most a StoreSeg per
** five varint-ending bytes of the blob; JFTS_ERR_INPUT when it does not decode (a varint cut
** short or longer than 5 bytes, a value outside uint32). store_segs_unpack_v3 reads schema 3's BLOB (little-endian uint32
** quintuples; JFTS_ERR_INPUT when its length is not a multiple of 20), for the upgrade. */
int store_segs_pack(const StoreSeg *segs, size_t n_segs, unsigned char **blob_out,
                    size_t *n_bytes_out);
int store_segs_unpack(const void *blob, size_t n_bytes, StoreSeg **segs_out, size_t *n_segs_out);
int store_segs_unpack_v3(const void *blob, size_t n_bytes, StoreSeg **segs_out,
                         size_t *n_segs_out);

/* Raw line of passage text byte `text_byte`: the line of the segment holding it, or of the
** next segment for bytes repair inserted; line_end of the passage past the last segment. */
int store_seg_lineno(const StorePassageRow *p, size_t text_byte);

/* Where passage text byte `text_byte` came from, for a citation: *page_out the 1-based page
** (0 for a text file), *line_out the line (within the page for a paged file), *column_out
** the 1-based code point column of the byte in its source line when that line is longer
** than STORE_LONG_LINE_CHARS code points, else 0. Bytes repair inserted take the position
** of the next source byte. */
#define STORE_LONG_LINE_CHARS 200
void store_cite(const StorePassageRow *p, size_t text_byte, int *page_out, int *line_out,
                int *column_out);

/* store_cite for many bytes of one passage in ascending order (a passage's occurrences): the
** cursor, zeroed before the first call, keeps the segment and column reached, so that n calls
** cost one pass over the passage's text instead of n (a 4 KB line of 700 quotes). The same
** results as store_cite; a byte below the previous one starts over from the beginning. */
typedef struct StoreCiteCursor {
  size_t seg;  /* segment of the previous call */
  size_t byte; /* text byte the column was counted up to */
  int column;  /* column at byte */
  int used;    /* 0 before the first call */
} StoreCiteCursor;
void store_cite_next(const StorePassageRow *p, size_t text_byte, StoreCiteCursor *cursor,
                     int *page_out, int *line_out, int *column_out);

/* One distinct combination of the passage columns a search filter names (StoreFilter's
** sections, section_title and meeting). Each field is NULL where passages have none. */
typedef struct StoreFilterValueRow {
  const char *section;        /* "table", "1", "2", "3" */
  const char *section_title;
  const char *meeting;        /* meeting type */
  const char *local_name;     /* the meeting's local name */
} StoreFilterValueRow;

/* The distinct values of one document field (ward, org, kind, year), for filters. */
typedef enum StoreDocField {
  STORE_FIELD_WARD,
  STORE_FIELD_ORG,
  STORE_FIELD_KIND,
  STORE_FIELD_YEAR
} StoreDocField;

/* Calls cb(ctx, value) once for each distinct non-NULL value of field over the documents, in
** document order of its first document (file path, then line); a year as decimal digits.
** A callback returning other than JFTS_OK stops the listing and its value is returned.
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_list_doc_values(Store *s, StoreDocField field, int (*cb)(void *ctx, const char *value),
                          void *ctx, char **err_out);
typedef int (*StoreFilterValueCb)(void *ctx, const StoreFilterValueRow *row);

/* Calls cb once for each distinct (section, section_title, meeting, local_name) of the
** passages, in the document order of each one's first passage (file path, then passage
** order), reading those columns only (no passage text): what a filter argument is checked
** against. A callback returning other than JFTS_OK stops the listing and its value is
** returned. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_list_filter_values(Store *s, StoreFilterValueCb cb, void *ctx, char **err_out);

/* ---- ranked search ----------------------------------------------------------------------- */

/* Which passages a search may return. Every condition set must hold. Text conditions are
** substrings compared with ASCII case ignored (igasu finds IGASU会議; Japanese as is). */
typedef struct StoreFilter {
  const char *const *wards;    /* canonical ward names ("青葉区"), n_wards of them; any of them */
  size_t n_wards;              /* 0: no ward condition (untagged passages included) */
  const char *const *sections; /* section values ("table", "1", "2", "3"), n_sections of
                               ** them; any of them */
  size_t n_sections;           /* 0: no section condition */
  const char *section_title;   /* a substring of the passage's section title; NULL: any */
  const char *meeting;         /* a substring of the passage's meeting type or of its local
                               ** name; NULL: any */
  int year;                    /* Western year; 0: any */
  const char *const *orgs;     /* organisations ("仙台市"), n_orgs of them; any of them */
  size_t n_orgs;               /* 0: no organisation condition */
  const char *kind;            /* document kind ("計画"); NULL: any */
} StoreFilter;

/* One passage matching a search. */
typedef struct StoreHit {
  int64_t id;            /* passage id (rowid in passages and fts) */
  double score;          /* BM25 relevance from jfts_rank (rank.h): higher is better, >= 0;
                         ** 0 from store_match_ids */
  uint64_t doc_key;      /* orders passages by file path, file id, then passage order;
                         ** UINT64_MAX for a passage added after store_search_prepare */
  int64_t n_occurrences; /* query-phrase instances in the passage text (0 when only the
                         ** heading or label matched); 0 from store_match_ids */
  int toc;               /* 1: the passage is part of a table of contents (0 before
                         ** store_search_prepare) */
  uint64_t phrases;      /* bit p: phrase p of the MATCH expression (p < 64, FTS5's order:
                         ** as written) occurs in the passage, in any column (RankSink);
                         ** 0 from store_match_ids */
  int n_phrase;          /* phrases FTS5 parsed from the expression (bits past 64 are not
                         ** kept); 0 from store_match_ids */
  int unscored;          /* 1: the row_wanted function of store_match_want declined the row:
                         ** score 0, doc_key UINT64_MAX, toc 0; id, n_occurrences, phrases
                         ** and n_phrase are set */
} StoreHit;
typedef int (*StoreHitCb)(void *ctx, const StoreHit *hit);

/* One read transaction around several reads (a search runs a few dozen statements): one
** lock and one cache check instead of one per statement, and one consistent snapshot.
** *began_out is 1 when a transaction was begun (0 inside the caller's own); pass it to
** store_read_end. Returns JFTS_OK or JFTS_ERR_DB. */
int store_read_begin(Store *s, int *began_out, char **err_out);
void store_read_end(Store *s, int began);

/* Calls cb(ctx) about every n_ops SQLite virtual machine steps of s's statements; when cb
** returns non-zero the statement stops and the store call returns JFTS_ERR_DB ("...:
** interrupted"). A time budget for a server's requests. cb NULL removes the handler. */
void store_set_progress(Store *s, int n_ops, int (*cb)(void *ctx), void *ctx);

/* The budget of every read call of a STORE_READ store (store_list_*, store_scan_substring,
** store_match*, store_search_prepare, store_read_begin): a call that has used `seconds` of
** its thread's CPU time since it began stops (time spent waiting, in a callback blocked on
** output or for a core, does not count) with JFTS_ERR_DB "'x.db': <what>: over the time budget of N s", so a
** hostile or damaged database cannot hang a query. The default is STORE_READ_BUDGET_S;
** seconds <= 0 removes it. store_set_progress replaces it with the caller's own handler. A
** STORE_READ store also refuses strings and blobs over 64 MiB (SQLITE_LIMIT_LENGTH; jfts
** stores none over a few KiB), and the first STORE_READ store_open caps SQLite's heap at
** 1 GiB for the process (sqlite3_hard_heap_limit64) unless a limit is already set. */
#define STORE_READ_BUDGET_S 60.0
void store_set_budget(Store *s, double seconds);

/* Prepares what ranking needs, once per Store: each passage's text length in tokens
** (passages.n_tokens) for jfts_rank, and its document-order key. An index written by this
** jfts keeps them in meta (the row count and token total, each file's rank by path, and
** per 512 passage ids a chunk of entries, rewritten by each store_commit that changed rows):
** this reads the totals and file ranks, and a search reads the chunks of the passages it
** meets, on first use, so the cost does not grow with the index. An index without them
** (written by hand) costs one pass over the passages_file index instead. Later calls do
** nothing; store_match calls it itself. Memory follows the number of passages and files, not
** their largest ids. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB. */
int store_search_prepare(Store *s, char **err_out);

/* Calls cb for every passage matching the FTS5 expression match (as built by
** qry_build_match) and filter (NULL: none), in no particular order, with its jfts_rank
** score and occurrence count. A callback returning other than JFTS_OK stops the scan and
** its value is returned. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_DB ("cannot search the
** full-text index: ..." for an expression FTS5 rejects). */
int store_match(Store *s, const char *match, const StoreFilter *filter, StoreHitCb cb, void *ctx,
                char **err_out);

/* 1 when the FTS5 expression match is strings ("..." with "" for a quote, a prefix star
** allowed) joined by OR alone, in any parentheses: every row holding any one of its phrases
** is a row it matches, so that store_match counts each phrase's rows in its own scan instead
** of one more pass per phrase (RankSink.defer_any). 0 for anything else: AND (written or
** implicit), NOT, NEAR, a column filter, a syntax error. */
int store_match_is_any(const char *match);

/* store_match with a row_wanted function (RankSink's contract; NULL: store_match): asked with
** each row's phrase mask before the row is scored, in the order cb sees the rows (cb of the
** previous row has returned); a declined row still reaches cb, with StoreHit.unscored set and
** no score, so that the caller can count it. */
int store_match_want(Store *s, const char *match, const StoreFilter *filter,
                     int (*row_wanted)(void *ctx, uint64_t phrases), void *want_ctx,
                     StoreHitCb cb, void *ctx, char **err_out);

/* Like store_match without ranking and without a filter: only ids (and doc_key when loaded),
** at the cost of a bare FTS5 scan. text_only: match the passage text only, not its heading
** or label. */
int store_match_ids(Store *s, const char *match, int text_only, StoreHitCb cb, void *ctx,
                    char **err_out);

#endif
