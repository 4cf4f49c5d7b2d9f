/* Ingest: how one file becomes rows of the index, as jfts-index and the tests do it. One entry
** point per file (ingest_file) and one code path for every file: a file is a sequence of
** pieces (the whole file as one piece, or pieces of a large file read by the chunker), each
** turned into text by the reader of the file's kind, parsed and stored. It never prints:
** what happened comes back in an IngestResult, and the caller words it for the user. */
#ifndef JFTS_INGEST_H
#define JFTS_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "pdf.h"
#include "prefetch.h"
#include "store.h"

/* Files larger than this are read piece by piece unless the caller says otherwise. */
#define INGEST_PIECE_BYTES_DEFAULT ((size_t)16 << 20)
/* The smallest piece size (chunker.h). */
#define INGEST_PIECE_BYTES_MIN ((size_t)4096)

/* ---- readers ----------------------------------------------------------------------------
** A reader turns the raw bytes of one kind of file into decoded text. The table of readers is
** in ingest.c (k_readers); ingest_reader_for picks the first row whose magic matches the
** file's first bytes, else the first whose extension matches its name, else the last row,
** the text reader, which takes any file. Adding a format (PDF, Markdown, HTML) is:
**   1. one function of type IngestReadFn in ingest.c (or in its own module, declared here),
**      filling IngestText (add the new outputs, e.g. page boundaries, as fields of
**      IngestText: ingest passes the struct through to the parser and the store as a whole);
**   2. one row in k_readers, before the text reader, with its kind, extensions and/or magic,
**      and whether it can read a file in pieces.
** Nothing else changes: binary detection applies only to rows with text_input set; a reader
** with streams 0 always gets the whole file; the prefetch worker prepares only files of the
** text reader (others are read on the main thread).
** The rows now: "pdf" (magic %PDF-, or .pdf; pdf.h: each body line of the PDF becomes one
** line of text, ended by a space when it ends a block or a line of a table, as pdftotext
** marks them, so that repair joins exactly the soft wraps and every character keeps its
** line, and with it its page: IngestText.pdf), "markdown" (.md, .markdown) and "html"
** (.html, .htm) (markup.h: decoded as text, markup taken out, lines and raw offsets kept),
** then "text". */

/* What a reader makes of raw bytes. Owned by the caller of the reader. */
typedef struct IngestText {
  DecodedText *dec; /* the text and its map back to raw offsets; owned */
  PdfDoc *pdf;      /* a PDF's pages (their furniture and failures) and document info, whose
                    ** body lines are dec's lines one for one (line i of dec is
                    ** pdf->lines[i-1]); NULL for other readers; owned */
} IngestText;

/* Turns raw[0, n_bytes), the bytes at raw_base in the file, into *out. raw_base is 0 for the
** whole file or its first piece; only readers with streams 1 see later pieces. encoding: the
** user's --encoding or NULL. Returns JFTS_OK (out->dec set), JFTS_ERR_INPUT (the bytes are
** not of this kind; *err_out says why, offsets counted from the file's start), JFTS_ERR_USAGE
** (an unknown encoding), JFTS_ERR_NOMEM or another JFTS_ERR_*. Never prints. */
typedef int (*IngestReadFn)(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                            const char *encoding, IngestText *out, char **err_out);

typedef struct IngestReader {
  const char *kind;                  /* short name: "text" */
  const char *const *extensions;     /* ".pdf"... (case ignored), NULL-terminated; NULL: none */
  const unsigned char *magic;        /* bytes the file starts with; NULL: none */
  size_t n_magic;                    /* bytes of magic, at most INGEST_MAGIC_MAX */
  int text_input;                    /* 1: NUL bytes or a binary magic make a "binary file" */
  int streams;                       /* 1: reads a large file piece by piece (UTF-8 text) */
  IngestReadFn read;
} IngestReader;

#define INGEST_MAGIC_MAX 16

/* The reader for the file at path whose first bytes are head[0, n_head) (may be fewer than
** INGEST_MAGIC_MAX, or none). Never NULL. */
const IngestReader *ingest_reader_for(const char *path, const unsigned char *head, size_t n_head);

/* 1 when a file named path goes to the text reader as far as its name tells (its first
** bytes may still say otherwise: a PDF magic). The prefetch worker prepares only such files:
** the caller marks the others skipped, so that no Markdown or HTML is parsed as plain text
** for nothing. */
int ingest_is_text_name(const char *path);

/* ---- files --------------------------------------------------------------------------------- */

/* Sidecar metadata (NAME.meta: "key: value" lines). Strings borrowed. */
typedef struct IngestMeta {
  const char *title, *publisher, *source; /* NULL when absent */
  int year;                               /* 0 when absent */
} IngestMeta;

/* Called for a sidecar line that is ignored: path is the sidecar's, lineno 1-based, msg says
** why ("not a \"key: value\" line; ignored"). */
typedef void (*IngestWarnFn)(void *ctx, const char *path, int lineno, const char *msg);

/* What the run decided once, for every file. */
typedef struct IngestOptions {
  const char *encoding;  /* --encoding, or NULL to detect */
  size_t piece_bytes;    /* files larger than this are streamed (bytes; raised to the minimum) */
  IngestWarnFn warn;     /* sidecar warnings; NULL: dropped */
  void *warn_ctx;
} IngestOptions;

/* One file to ingest. Strings and rows are borrowed. */
typedef struct IngestFile {
  const char *path;             /* read from, and names the file in messages */
  const char *stored_path;      /* the path stored in the index; NULL: path (tests store a
                                ** fixture under its corpus name) */
  const char *realpath;         /* the file's identity; NULL: it could not be resolved (the
                                ** file is missing: a failure) */
  int walked;                   /* found by a directory walk: a binary file is skipped */
  const IngestMeta *meta;       /* metadata given by the caller; NULL: read the sidecar */
  /* What the index held for realpath when the run began (store_lookup_file): */
  int indexed;                  /* 1 when found, and then: */
  const StoreFileRow *old;      /*   its row */
  const char *lookup_err;       /* the lookup failed with this message: a fatal error */
} IngestFile;

typedef enum IngestStatus {
  INGEST_INDEXED = 0, /* stored, replacing any earlier version */
  INGEST_UNCHANGED,   /* same bytes, metadata and encoding as indexed: nothing written */
  INGEST_SKIPPED,     /* a binary file found by a walk: nothing written (reason says why) */
  INGEST_FAILED,      /* the file or its sidecar cannot be read or decoded: the store is as
                      ** it was before the call, the run may go on (--keep-going) */
  INGEST_FATAL,       /* the store failed, or out of memory: the caller's transaction may
                      ** hold part of the file and must be rolled back */
  INGEST_USAGE        /* --encoding names no encoding */
} IngestStatus;

typedef struct IngestResult {
  IngestStatus status;
  int rc;             /* JFTS_OK, else the JFTS_ERR_* behind a failure */
  char *reason;       /* not INDEXED/UNCHANGED: what went wrong, or NULL when the layer below
                      ** gave no message (show jfts_error_text(rc, reason, ...)); owned */
  char *where;        /* the path reason (or warning) is about (the file's, or its sidecar's);
                      ** NULL when reason names it already or names no file; owned */
  char *warning;      /* INDEXED: what was left out of the file, to show as a warning (a PDF's
                      ** pages without text: "page 5: cannot read the page"); else NULL;
                      ** owned */
  int tagged;         /* INDEXED: 1 when a document follows the report template */
  long n_docs, n_passages, n_meetings; /* INDEXED: rows stored */
} IngestResult;

/* Indexes one file into store, inside the caller's transaction (store_begin). Reads the file
** (or takes what the prefetch worker prepared: pre may be NULL; ingest takes over its parts,
** the caller still frees it), hashes it, reads its metadata, compares with what the index
** held, and when anything changed decodes, parses and stores it. Files over
** opt->piece_bytes whose reader streams, read as UTF-8 (no --encoding but UTF-8), are done
** piece by piece inside a savepoint, so memory stays bounded and a failure part-way leaves the
** earlier version intact; such a file that turns out not to be UTF-8 is read whole instead.
** *res is filled in every case (release it with ingest_result_clear). Returns res->status. */
IngestStatus ingest_file(Store *store, const IngestOptions *opt, const IngestFile *file,
                         PrefetchItem *pre, IngestResult *res);

/* Frees what res owns and zeroes it. Accepts a zeroed result. */
void ingest_result_clear(IngestResult *res);

#endif
