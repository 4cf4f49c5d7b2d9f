/* Ingest (see ingest.h): one file into the index. A file is read as a sequence of pieces, the
** whole file being one piece and a large UTF-8 file several (chunker.h), and the same two
** passes run over either: the first hashes the bytes and finds binary files, the second
** turns each piece into text with the file kind's reader, parses it and stores it. */
#define _DEFAULT_SOURCE /* strcasecmp */
#include "ingest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chunker.h"
#include "jfts_common.h"
#include "markup.h"
#include "report.h"
#include "structure.h"

/* ---- readers ------------------------------------------------------------------------------ */

/* Plain text in any encoding the decoder knows (decode.h). */
static int read_text(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                     const char *encoding, IngestText *out, char **err_out) {
  return dec_decode_piece(raw, n_bytes, raw_base, encoding, &out->dec, err_out);
}

/* The PDF's body lines, one text line each (line i is doc->lines[i-1]). A line that does
** not go on in the next (a block's end, or a hard break) ends with a space, as pdftotext's
** output does, so that repair (repair.h) joins soft wraps only: the join is done in the
** passage text, whose map keeps every character's line, and so its page. */
static int pdf_text(const PdfDoc *doc, DecodedText **out) {
  size_t n = 0;
  for (size_t i = 0; i < doc->n_lines; i++)
    n += doc->lines[i].n_bytes + 2; /* a space and '\n' at most */
  DecodedText *d = jfts_calloc(1, sizeof *d);
  char *t = d ? jfts_malloc(n + 1) : NULL;
  if (t == NULL) {
    jfts_free(d);
    return JFTS_ERR_NOMEM;
  }
  size_t at = 0;
  for (size_t i = 0; i < doc->n_lines; i++) {
    const PdfLine *l = &doc->lines[i];
    memcpy(t + at, doc->text + l->start_byte, l->n_bytes);
    at += l->n_bytes;
    if (!(l->flags & PDF_LINE_SOFT_WRAP)) t[at++] = ' ';
    t[at++] = '\n';
  }
  t[at] = '\0';
  d->text = t;
  d->n_bytes = at;
  snprintf(d->encoding, sizeof d->encoding, "PDF");
  *out = d;
  return JFTS_OK;
}

/* A PDF (pdf.h). pdf_read's messages start with the name it is given, which ingest puts in
** front of the message itself: that prefix is dropped. */
static int read_pdf(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                    const char *encoding, IngestText *out, char **err_out) {
  static const char k_prefix[] = "'PDF': ";
  (void)raw_base, (void)encoding; /* a PDF is read whole and says its own encodings */
  char *err = NULL;
  int rc = pdf_read(raw, n_bytes, "PDF", &out->pdf, &err);
  if (rc == JFTS_OK) rc = pdf_text(out->pdf, &out->dec);
  if (rc != JFTS_OK) {
    pdf_doc_free(out->pdf);
    out->pdf = NULL;
    if (err && err_out) {
      const char *m = strncmp(err, k_prefix, sizeof k_prefix - 1) == 0
                          ? err + sizeof k_prefix - 1 : err;
      *err_out = jfts_strdup(m);
    }
  }
  jfts_free(err);
  return rc;
}

/* Markdown and HTML (markup.h): decoded as text, then their markup taken out. */
static int read_markup(const unsigned char *raw, size_t n_bytes, const char *encoding,
                       int (*strip)(const DecodedText *, DecodedText **, char **),
                       IngestText *out, char **err_out) {
  DecodedText *dec = NULL;
  int rc = dec_decode(raw, n_bytes, encoding, &dec, err_out);
  if (rc == JFTS_OK) rc = strip(dec, &out->dec, err_out);
  dec_free(dec);
  return rc;
}

static int read_markdown(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                         const char *encoding, IngestText *out, char **err_out) {
  (void)raw_base; /* streams 0: always the whole file */
  return read_markup(raw, n_bytes, encoding, markup_markdown, out, err_out);
}

static int read_html(const unsigned char *raw, size_t n_bytes, uint64_t raw_base,
                     const char *encoding, IngestText *out, char **err_out) {
  (void)raw_base;
  return read_markup(raw, n_bytes, encoding, markup_html, out, err_out);
}

static const char *const k_md_ext[] = {".md", ".markdown", NULL};
static const char *const k_html_ext[] = {".html", ".htm", NULL};
static const char *const k_pdf_ext[] = {".pdf", NULL};
static const unsigned char k_pdf_magic[] = "%PDF-";

/* Rows are tried in order (magic first, then extensions); the last row takes any file. */
static const IngestReader k_readers[] = {
    {"pdf", k_pdf_ext, k_pdf_magic, sizeof k_pdf_magic - 1, 0, 0, read_pdf},
    {"markdown", k_md_ext, NULL, 0, 1, 0, read_markdown},
    {"html", k_html_ext, NULL, 0, 1, 0, read_html},
    {"text", NULL, NULL, 0, 1, 1, read_text},
};
#define N_READERS (sizeof k_readers / sizeof k_readers[0])

static int has_extension(const char *path, const char *const *exts) {
  size_t n = strlen(path);
  for (size_t i = 0; exts && exts[i]; i++) {
    size_t m = strlen(exts[i]);
    if (n >= m && strcasecmp(path + n - m, exts[i]) == 0) return 1;
  }
  return 0;
}

const IngestReader *ingest_reader_for(const char *path, const unsigned char *head, size_t n_head) {
  for (size_t i = 0; i + 1 < N_READERS; i++) {
    const IngestReader *r = &k_readers[i];
    if (r->magic && n_head >= r->n_magic && memcmp(head, r->magic, r->n_magic) == 0) return r;
  }
  for (size_t i = 0; i + 1 < N_READERS; i++)
    if (has_extension(path, k_readers[i].extensions)) return &k_readers[i];
  return &k_readers[N_READERS - 1];
}

int ingest_is_text_name(const char *path) {
  return ingest_reader_for(path, NULL, 0) == &k_readers[N_READERS - 1];
}

/* The first bytes of path, for readers known by their magic; none when no reader has one. */
static size_t read_head(const char *path, unsigned char head[INGEST_MAGIC_MAX]) {
  int any_magic = 0;
  for (size_t i = 0; i < N_READERS; i++) any_magic |= k_readers[i].magic != NULL;
  if (!any_magic) return 0;
  int fd;
  if (jfts_open_regular(path, &fd, NULL) != 0) return 0; /* the read proper reports it */
  ssize_t got = read(fd, head, INGEST_MAGIC_MAX);
  close(fd);
  return got > 0 ? (size_t)got : 0;
}

/* ---- results ------------------------------------------------------------------------------ */

void ingest_result_clear(IngestResult *res) {
  jfts_free(res->reason);
  jfts_free(res->where);
  jfts_free(res->warning);
  memset(res, 0, sizeof *res);
}

/* Records a failure (or a skip): copies where and reason (either may be NULL). A copy that
** cannot be made turns the result into out of memory. Returns status as recorded. */
static IngestStatus set_failure(IngestResult *res, IngestStatus status, int rc, const char *where,
                                const char *reason) {
  jfts_free(res->reason);
  jfts_free(res->where);
  res->reason = reason ? jfts_strdup(reason) : NULL;
  res->where = where ? jfts_strdup(where) : NULL;
  res->status = status;
  res->rc = rc;
  if ((reason && res->reason == NULL) || (where && res->where == NULL)) {
    jfts_free(res->reason);
    jfts_free(res->where);
    res->reason = res->where = NULL;
    res->status = INGEST_FATAL;
    res->rc = JFTS_ERR_NOMEM;
  }
  return res->status;
}

/* A failed call of a lower module: input problems are the file's, anything else is fatal. */
static IngestStatus set_call_failure(IngestResult *res, int rc, const char *where,
                                     const char *err) {
  if (rc == JFTS_ERR_INPUT) return set_failure(res, INGEST_FAILED, rc, where, err);
  if (rc == JFTS_ERR_USAGE) return set_failure(res, INGEST_USAGE, rc, NULL, err);
  return set_failure(res, INGEST_FATAL, rc, where, err);
}

/* ---- metadata ----------------------------------------------------------------------------- */

typedef struct Meta {
  char *title, *publisher, *source; /* owned; NULL when absent */
  int year;
} Meta;

static void meta_clear(Meta *m) {
  jfts_free(m->title);
  jfts_free(m->publisher);
  jfts_free(m->source);
  memset(m, 0, sizeof *m);
}

static int str_eq(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The sidecar of "dir/name.txt" is "dir/name.meta", else "dir/name.txt.meta". *side_out is
** NULL when there is none. Returns JFTS_OK or JFTS_ERR_NOMEM. */
static int find_sidecar(const char *path, char **side_out) {
  *side_out = NULL;
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  if (dot && dot != base) {
    char *p = jfts_mprintf("%.*s.meta", (int)(dot - path), path);
    if (p == NULL) return JFTS_ERR_NOMEM;
    if (access(p, F_OK) == 0) {
      *side_out = p;
      return JFTS_OK;
    }
    jfts_free(p);
  }
  char *p = jfts_mprintf("%s.meta", path);
  if (p == NULL) return JFTS_ERR_NOMEM;
  if (access(p, F_OK) == 0) *side_out = p;
  else jfts_free(p);
  return JFTS_OK;
}

static char *trim_dup(const char *s, size_t n) {
  while (n > 0 && (*s == ' ' || *s == '\t')) s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  return jfts_strndup(s, n);
}

/* Applies one trimmed, non-empty, non-comment sidecar line to m. Returns JFTS_OK or
** JFTS_ERR_NOMEM; *warn_out gets the reason a line is ignored, or NULL. */
static int meta_line(Meta *m, const char *l, const char **warn_out) {
  *warn_out = NULL;
  const char *colon = strchr(l, ':');
  if (colon == NULL) {
    *warn_out = "not a \"key: value\" line; ignored";
    return JFTS_OK;
  }
  char *key = trim_dup(l, (size_t)(colon - l));
  char *val = trim_dup(colon + 1, strlen(colon + 1));
  int rc = key && val ? JFTS_OK : JFTS_ERR_NOMEM;
  char **slot = NULL;
  if (rc == JFTS_OK && strcmp(key, "title") == 0) slot = &m->title;
  else if (rc == JFTS_OK && strcmp(key, "publisher") == 0) slot = &m->publisher;
  else if (rc == JFTS_OK && strcmp(key, "source") == 0) slot = &m->source;
  if (slot) {
    jfts_free(*slot);
    *slot = val[0] ? val : NULL;
    if (*slot) val = NULL;
  } else if (rc == JFTS_OK && strcmp(key, "year") == 0) {
    char *end;
    long y = strtol(val, &end, 10);
    if (*val && *end == '\0' && y > 0 && y < 10000) m->year = (int)y;
    else *warn_out = "year is not a number; ignored";
  } /* other keys are for people and other tools */
  jfts_free(key);
  jfts_free(val);
  return rc;
}

/* Reads the sidecar of path into m (left empty when there is none). A sidecar that cannot be
** read or decoded is a problem of the file it describes. Returns INGEST_INDEXED (go on) or
** the failure recorded in res. */
static IngestStatus read_meta(const IngestOptions *opt, const char *path, Meta *m,
                              IngestResult *res) {
  IngestStatus st = INGEST_INDEXED;
  unsigned char *raw = NULL;
  size_t n_raw = 0;
  DecodedText *dec = NULL;
  char *err = NULL, *side = NULL, *l = NULL;
  memset(m, 0, sizeof *m);
  if (find_sidecar(path, &side) != JFTS_OK)
    return set_failure(res, INGEST_FATAL, JFTS_ERR_NOMEM, NULL, NULL);
  if (side == NULL) return st;
  /* A sidecar holds a few "key: value" lines: one that is huge (or /dev/zero behind a link)
  ** is refused before it is read, rather than stored as a 200 MB title. */
  int os_err = jfts_read_file_max(side, JFTS_SIDECAR_MAX_BYTES, &raw, &n_raw);
  if (os_err == EFBIG) {
    char *why = jfts_mprintf("sidecar larger than %zu KiB", JFTS_SIDECAR_MAX_BYTES >> 10);
    st = why ? set_failure(res, INGEST_FAILED, JFTS_ERR_IO, side, why)
             : set_failure(res, INGEST_FATAL, JFTS_ERR_NOMEM, NULL, NULL);
    jfts_free(why);
    goto cleanup;
  }
  if (os_err) {
    st = set_failure(res, INGEST_FAILED, JFTS_ERR_IO, side, jfts_strerror(os_err));
    goto cleanup;
  }
  int rc = dec_decode(raw, n_raw, NULL, &dec, &err);
  if (rc != JFTS_OK) {
    st = set_failure(res, rc == JFTS_ERR_INPUT ? INGEST_FAILED : INGEST_FATAL, rc, side, err);
    goto cleanup;
  }
  int lineno = 0;
  for (const char *line = dec->text; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    const char *warn = NULL;
    lineno++;
    if ((l = trim_dup(line, len)) == NULL ||
        (l[0] != '\0' && l[0] != '#' && meta_line(m, l, &warn) != JFTS_OK)) {
      st = set_failure(res, INGEST_FATAL, JFTS_ERR_NOMEM, NULL, NULL);
      goto cleanup;
    }
    if (warn && opt->warn) opt->warn(opt->warn_ctx, side, lineno, warn);
    jfts_free(l);
    l = NULL;
    line = nl ? nl + 1 : line + len;
  }

cleanup:
  if (st != INGEST_INDEXED) meta_clear(m);
  jfts_free(l);
  dec_free(dec);
  jfts_free(err);
  free(raw);
  jfts_free(side);
  return st;
}

/* ---- the file's bytes, whole or in pieces ------------------------------------------------- */

typedef struct Piece {
  const unsigned char *bytes; /* the piece's raw bytes (NULL when prepared) */
  size_t n;                   /* bytes; 0 at the end */
  uint64_t off;               /* raw offset of bytes[0] in the file */
  int line;                   /* line of bytes[0], 1-based */
  int end;                    /* 1: no piece; the file was read to its end */
  int prepared;               /* 1: the prefetch worker's text stands for the whole file */
} Piece;

typedef struct Source {
  const char *path;
  size_t piece_bytes;  /* streamed: the chunker's piece size */
  int streamed;        /* 1: pieces from ch; 0: the whole file as one piece */
  Chunker *ch;
  unsigned char *raw;  /* whole: the file (malloc'ed by jfts_read_file); NULL until read */
  size_t n_raw;
  int handed_out;      /* whole: the one piece was handed out */
  int prepared;        /* whole: the prefetch worker's text stands for the bytes */
  size_t n_prepared;   /*   of this many raw bytes */
} Source;

/* (Re)starts reading from the first piece. Returns 0 or an errno value. */
static int source_rewind(Source *s) {
  s->handed_out = 0;
  if (s->streamed) {
    chunker_close(s->ch);
    s->ch = NULL;
    return chunker_open(s->path, s->piece_bytes, &s->ch);
  }
  if (s->raw || s->prepared) return 0;
  return jfts_read_file(s->path, &s->raw, &s->n_raw);
}

static int source_next(Source *s, Piece *p) {
  *p = (Piece){NULL, 0, 0, 1, 0, 0};
  if (s->streamed) {
    int os_err = chunker_next(s->ch, &p->bytes, &p->n, &p->off, &p->line);
    p->end = p->n == 0; /* a streamed file is never empty */
    return os_err;
  }
  p->end = s->handed_out; /* an empty file is one empty piece */
  if (s->handed_out) return 0;
  s->handed_out = 1;
  p->prepared = s->prepared;
  p->bytes = s->prepared ? NULL : s->raw;
  p->n = s->prepared ? s->n_prepared : s->n_raw;
  return 0;
}

/* Only the first n_used bytes of the last piece count as read (a streamed file). */
static void source_keep(Source *s, size_t n_used) {
  if (s->streamed) chunker_keep(s->ch, n_used);
}

static int source_at_end(const Source *s) {
  return s->streamed ? chunker_at_end(s->ch) : s->handed_out;
}

/* Frees the whole file's bytes once they are decoded (the piece handed out stays done). */
static void source_drop_raw(Source *s) {
  free(s->raw);
  s->raw = NULL;
}

static void source_close(Source *s) {
  chunker_close(s->ch);
  s->ch = NULL;
  source_drop_raw(s);
}

/* ---- one file ----------------------------------------------------------------------------- */

typedef struct Ingest {
  Store *store;
  const IngestOptions *opt;
  const IngestFile *file;
  const IngestReader *reader;
  PrefetchItem *pre;   /* what the worker prepared, or NULL */
  IngestResult *res;
  Source src;
  int64_t size;        /* raw bytes */
  char hash[17];       /* store_hash of them */
  IngestMeta meta;     /* the file's metadata (file->meta, or the sidecar's in owned_meta) */
  Meta owned_meta;
  int same;            /* indexed with this size, hash and metadata */
  StState *carry;      /* a streamed file: the structure of its text from piece to piece */
} Ingest;

enum { PASS_OK = 0, PASS_NOT_STREAMABLE = 1, PASS_FAILED = 2 };

static int is_utf8_name(const char *enc) {
  return enc == NULL || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

static int has_utf16_bom(const unsigned char *b, size_t n) {
  return n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF));
}

/* A binary piece: the reader words why ("binary file (PDF)", "binary file (NUL byte at N)"),
** counting from the file's start. Skipped in a walk (expected in a tree of documents: images,
** PDFs), else a failure of the file. */
static int binary_piece(Ingest *g, const Piece *p) {
  IngestText txt = {NULL};
  char *err = NULL;
  int rc = g->reader->read(p->bytes, p->n, p->off, NULL, &txt, &err);
  dec_free(txt.dec);
  pdf_doc_free(txt.pdf);
  if (rc == JFTS_ERR_NOMEM) set_failure(g->res, INGEST_FATAL, rc, NULL, NULL);
  else
    set_failure(g->res, g->file->walked ? INGEST_SKIPPED : INGEST_FAILED, JFTS_ERR_INPUT,
                g->file->path, err ? err : "binary file");
  jfts_free(err);
  return PASS_FAILED;
}

/* Pass one: the file's size and hash, which decide whether anything changed. A text file is
** judged binary here when a walk found it or its encoding is detected (the decoder would
** reject it the same way), and always when it is streamed, for a binary file must not be
** stored piece by piece up to its first NUL. A streamed file that is not all UTF-8 (a
** UTF-16 BOM, an invalid byte anywhere) is PASS_NOT_STREAMABLE: read it whole. */
static int identify(Ingest *g) {
  Source *s = &g->src;
  if (g->pre) { /* read, hashed and found not binary by the worker */
    g->size = (int64_t)g->pre->n_raw;
    memcpy(g->hash, g->pre->hash, sizeof g->hash);
    return PASS_OK;
  }
  int check_binary = g->reader->text_input &&
                     (g->file->walked || g->opt->encoding == NULL || s->streamed);
  uint64_t h = STORE_HASH_INIT;
  int64_t size = 0;
  Piece p;
  int os_err = source_rewind(s);
  while (!os_err && !(os_err = source_next(s, &p)) && !p.end) {
    if (s->streamed && p.off == 0 && has_utf16_bom(p.bytes, p.n)) return PASS_NOT_STREAMABLE;
    if (check_binary && (p.off == 0 ? dec_is_binary(p.bytes, p.n, NULL)
                                    : memchr(p.bytes, 0, p.n) != NULL))
      return binary_piece(g, &p);
    if (s->streamed && dec_utf8_first_invalid(p.bytes, p.n) != p.n) return PASS_NOT_STREAMABLE;
    h = store_hash_update(h, p.bytes, p.n);
    size += (int64_t)p.n;
  }
  if (os_err) {
    set_failure(g->res, INGEST_FAILED, JFTS_ERR_IO, g->file->path, jfts_strerror(os_err));
    return PASS_FAILED;
  }
  store_hash_hex(h, g->hash);
  g->size = size;
  return PASS_OK;
}

/* Reads the metadata and compares with what the index held (g->same); the encoding is left
** to the caller, which alone knows what the file decodes to. */
static IngestStatus compare_indexed(Ingest *g) {
  const IngestFile *f = g->file;
  if (f->meta) {
    g->meta = *f->meta;
  } else {
    IngestStatus st = read_meta(g->opt, f->path, &g->owned_meta, g->res);
    if (st != INGEST_INDEXED) return st;
    g->meta = (IngestMeta){g->owned_meta.title, g->owned_meta.publisher, g->owned_meta.source,
                           g->owned_meta.year};
  }
  if (f->lookup_err) return set_failure(g->res, INGEST_FATAL, JFTS_ERR_DB, f->path, f->lookup_err);
  const StoreFileRow *old = f->old;
  /* A title or year the file's own document information gave (no sidecar said) is the same
  ** as long as the bytes are. */
  int info_title = old && (old->from_info & STORE_INFO_TITLE) && g->meta.title == NULL;
  int info_year = old && (old->from_info & STORE_INFO_YEAR) && g->meta.year == 0;
  g->same = f->indexed && old && old->size == g->size && strcmp(old->hash, g->hash) == 0 &&
            (info_title || str_eq(old->title, g->meta.title)) &&
            str_eq(old->publisher, g->meta.publisher) && str_eq(old->source, g->meta.source) &&
            (info_year || old->year == g->meta.year);
  return INGEST_INDEXED;
}

/* Turns a piece into text with the file's reader (or takes the worker's). */
static IngestStatus read_piece(Ingest *g, const Piece *p, IngestText *txt) {
  if (p->prepared) {
    txt->dec = g->pre->dec;
    g->pre->dec = NULL;
    return INGEST_INDEXED;
  }
  char *err = NULL;
  int rc = g->reader->read(p->bytes, p->n, p->off, g->opt->encoding, txt, &err);
  IngestStatus st = rc == JFTS_OK ? INGEST_INDEXED
                                  : set_call_failure(g->res, rc, g->file->path, err);
  jfts_free(err);
  return st;
}

/* The document fields (structure.h): what the sidecar and the PDF's information say beside
** the text, for st_resolve_docs, which ranks them. */
static int resolve_docs(const Ingest *g, const Piece *p, const IngestText *txt, Report *rep) {
  const PdfDoc *pdf = txt->pdf;
  StDocSources src = {g->meta.title,
                      g->meta.publisher,
                      g->meta.year,
                      pdf ? pdf->title : NULL,
                      pdf ? pdf->author : NULL,
                      pdf ? pdf->creator : NULL,
                      pdf ? pdf->created : NULL,
                      g->file->stored_path ? g->file->stored_path : g->file->path};
  return st_resolve_docs(rep, txt->dec->text, txt->dec->n_bytes, &src, p->off == 0);
}

/* Parses a piece's text. A report the cut of a streamed file went through is left for the
** next piece, which starts at its title line, so that no table row or section is split
** (unless one report outgrows a piece). */
static IngestStatus parse_piece(Ingest *g, const Piece *p, const IngestText *txt,
                                Report **rep_out) {
  const DecodedText *dec = txt->dec;
  char *err = NULL;
  int rc = JFTS_OK;
  StState *before = NULL; /* the structure as the piece found it, for a second parse */
  if (p->prepared && g->pre->rep) {
    *rep_out = g->pre->rep;
    g->pre->rep = NULL;
  } else {
    if (g->carry) {
      g->carry->more = !source_at_end(&g->src);
      rc = st_state_copy(g->carry, &before);
    }
    if (rc == JFTS_OK)
      rc = report_parse_carry(dec->text, dec->n_bytes, p->line, g->carry, rep_out, &err);
  }
  const Report *rep = *rep_out;
  size_t keep = rc == JFTS_OK && !source_at_end(&g->src) && rep->n_docs > 0
                    ? rep->docs[rep->n_docs - 1].src_start : 0;
  if (keep > 0) {
    report_free(*rep_out);
    *rep_out = NULL;
    if (before) {
      st_state_free(g->carry);
      g->carry = before;
      before = NULL;
    }
    rc = report_parse_carry(dec->text, keep, p->line, g->carry, rep_out, &err);
    source_keep(&g->src, dec_raw_offset(dec, keep) - (size_t)p->off);
  }
  st_state_free(before);
  if (rc == JFTS_OK) rc = resolve_docs(g, p, txt, *rep_out);
  IngestStatus st = rc == JFTS_OK ? INGEST_INDEXED
                                  : set_failure(g->res, INGEST_FATAL, rc, g->file->path, err);
  jfts_free(err);
  return st;
}

/* The Western year of an ISO 8601 date ("2021-04-01T..."), or 0. */
static int info_year(const char *date) {
  if (date == NULL) return 0;
  int y = 0;
  for (int i = 0; i < 4; i++) {
    if (date[i] < '0' || date[i] > '9') return 0;
    y = y * 10 + (date[i] - '0');
  }
  return y > 0 ? y : 0;
}

/* What a PDF adds to its file's row: its pages (*pages_out, jfts_malloc'ed, NULL for other
** files), and the title and year of its document information where the metadata has none.
** Returns JFTS_OK or JFTS_ERR_NOMEM. */
static int pdf_file_info(const PdfDoc *doc, StoreFile *sf, StorePage **pages_out) {
  *pages_out = NULL;
  if (doc == NULL) return JFTS_OK;
  if (sf->title == NULL && doc->title && doc->title[0]) {
    sf->title = doc->title;
    sf->from_info |= STORE_INFO_TITLE;
  }
  if (sf->year == 0 && (sf->year = info_year(doc->created)) > 0) sf->from_info |= STORE_INFO_YEAR;
  if (doc->n_pages == 0) return JFTS_OK;
  StorePage *pg = jfts_calloc(doc->n_pages, sizeof *pg);
  if (pg == NULL) return JFTS_ERR_NOMEM;
  uint32_t line = 1;
  for (uint32_t i = 0; i < doc->n_pages; i++) {
    pg[i] = (StorePage){line, doc->pages[i].n_lines, doc->pages[i].furniture,
                        doc->pages[i].error};
    line += doc->pages[i].n_lines;
  }
  sf->pages = pg;
  sf->n_pages = doc->n_pages;
  *pages_out = pg;
  return JFTS_OK;
}

/* Stores a piece: the first replaces the file's rows (a streamed file inside a savepoint,
** *in_savepoint set), the others are appended. store_replace_file's and store_append_report's
** messages name the file; store_piecewise_begin's does not, so the file's path goes with it. */
static IngestStatus store_piece(Ingest *g, const Piece *p, const IngestText *txt,
                                const Report *rep, int64_t *file_id, int *in_savepoint) {
  const IngestFile *f = g->file;
  StoreFile sf = {f->stored_path ? f->stored_path : f->path,
                  f->realpath,
                  g->size,
                  g->hash,
                  g->meta.title,
                  g->meta.publisher,
                  g->meta.source,
                  g->meta.year,
                  0,
                  NULL,
                  0};
  const TokBatch *toks = p->prepared ? g->pre->toks : NULL;
  char *err = NULL;
  const char *where = f->path;
  StorePage *pages = NULL;
  int rc = pdf_file_info(txt->pdf, &sf, &pages);
  if (rc != JFTS_OK) return set_failure(g->res, INGEST_FATAL, rc, NULL, NULL);
  if (p->off == 0 && g->src.streamed) {
    rc = store_piecewise_begin(g->store, &err);
    *in_savepoint = rc == JFTS_OK;
  }
  if (rc == JFTS_OK) {
    /* Both name the file in their messages. */
    where = NULL;
    rc = p->off == 0 ? store_replace_file(g->store, &sf, txt->dec, rep, toks, file_id, &err)
                     : store_append_report(g->store, &sf, *file_id, txt->dec, rep, toks, &err);
  }
  IngestStatus st = rc == JFTS_OK ? INGEST_INDEXED
                                  : set_failure(g->res, INGEST_FATAL, rc, where, err);
  jfts_free(err);
  jfts_free(pages);
  return st;
}

/* Pass two: every piece read, parsed and stored. Stops as unchanged when the first piece
** decodes to the encoding already indexed with the same bytes (an --encoding that changes
** nothing keeps the file). */
static IngestStatus store_pieces(Ingest *g) {
  IngestResult *res = g->res;
  IngestStatus st = INGEST_INDEXED;
  int64_t file_id = 0;
  int in_savepoint = 0;
  Piece p;
  if (g->src.streamed && (g->carry = st_state_new()) == NULL)
    return set_failure(res, INGEST_FATAL, JFTS_ERR_NOMEM, NULL, NULL);
  int os_err = source_rewind(&g->src);
  while (st == INGEST_INDEXED && !os_err && !(os_err = source_next(&g->src, &p)) && !p.end) {
    IngestText txt = {NULL};
    Report *rep = NULL;
    st = read_piece(g, &p, &txt);
    if (!g->src.streamed) source_drop_raw(&g->src); /* the text is all the rest needs */
    if (st == INGEST_INDEXED && p.off == 0 && g->same &&
        str_eq(g->file->old->encoding, txt.dec->encoding))
      st = res->status = INGEST_UNCHANGED;
    if (st == INGEST_INDEXED) st = parse_piece(g, &p, &txt, &rep);
    long n_docs_before = store_documents_added(g->store);
    long n_passages_before = store_passages_added(g->store);
    if (st == INGEST_INDEXED) st = store_piece(g, &p, &txt, rep, &file_id, &in_savepoint);
    if (st == INGEST_INDEXED && txt.pdf && txt.pdf->warning && res->warning == NULL &&
        ((res->warning = jfts_strdup(txt.pdf->warning)) == NULL ||
         (res->where = jfts_strdup(g->file->path)) == NULL))
      st = set_failure(res, INGEST_FATAL, JFTS_ERR_NOMEM, NULL, NULL);
    if (st == INGEST_INDEXED) {
      res->tagged |= rep->tagged;
      res->n_docs += store_documents_added(g->store) - n_docs_before;
      res->n_passages += store_passages_added(g->store) - n_passages_before;
      res->n_meetings += (long)rep->n_meetings;
    }
    report_free(rep);
    dec_free(txt.dec);
    pdf_doc_free(txt.pdf);
  }
  if (st == INGEST_INDEXED && os_err)
    st = set_failure(res, INGEST_FAILED, JFTS_ERR_IO, g->file->path, jfts_strerror(os_err));
  st_state_free(g->carry);
  g->carry = NULL;
  if (in_savepoint) {
    char *err = NULL;
    int rc = store_piecewise_end(g->store, st == INGEST_INDEXED, &err);
    if (rc != JFTS_OK && st == INGEST_INDEXED)
      st = set_failure(res, INGEST_FATAL, rc, g->file->path, err);
    jfts_free(err);
  }
  return st;
}

/* Whether to stream: a large file of a streaming reader, read as UTF-8, not prefetched. */
static int wants_pieces(const Ingest *g) {
  struct stat sb;
  return g->pre == NULL && g->reader->streams && is_utf8_name(g->opt->encoding) &&
         stat(g->file->path, &sb) == 0 && S_ISREG(sb.st_mode) &&
         (uint64_t)sb.st_size > g->src.piece_bytes;
}

IngestStatus ingest_file(Store *store, const IngestOptions *opt, const IngestFile *file,
                         PrefetchItem *pre, IngestResult *res) {
  memset(res, 0, sizeof *res);
  if (file->realpath == NULL)
    return set_failure(res, INGEST_FAILED, JFTS_ERR_IO, file->path, strerror(ENOENT));
  unsigned char head[INGEST_MAGIC_MAX] = {0};
  size_t n_head = read_head(file->path, head);
  Ingest g = {.store = store, .opt = opt, .file = file, .res = res};
  g.reader = ingest_reader_for(file->path, head, n_head);
  /* The worker prepares plain text only (prefetch.h). */
  g.pre = g.reader == &k_readers[N_READERS - 1] ? pre : NULL;
  g.src.path = file->path;
  g.src.piece_bytes =
      opt->piece_bytes < INGEST_PIECE_BYTES_MIN ? INGEST_PIECE_BYTES_MIN : opt->piece_bytes;
  g.src.streamed = wants_pieces(&g);
  g.src.prepared = g.pre && g.pre->dec;
  g.src.n_prepared = g.pre ? g.pre->n_raw : 0;

  int pass = identify(&g);
  if (pass == PASS_NOT_STREAMABLE) {
    source_close(&g.src);
    g.src.streamed = 0;
    pass = identify(&g);
  }
  IngestStatus st = pass == PASS_OK ? compare_indexed(&g) : res->status;
  if (st == INGEST_INDEXED && g.same && opt->encoding == NULL) st = res->status = INGEST_UNCHANGED;
  if (st == INGEST_INDEXED && g.pre && !g.src.prepared) {
    /* The worker stopped at the hash (the bytes are those indexed) but the metadata differs:
    ** read the file here, and store the size and hash of what is read. */
    g.pre = NULL;
    int os_err = source_rewind(&g.src);
    if (os_err)
      st = set_failure(res, INGEST_FAILED, JFTS_ERR_IO, file->path, jfts_strerror(os_err));
    g.size = (int64_t)g.src.n_raw;
    store_hash(g.src.raw, g.src.n_raw, g.hash);
  }
  if (st == INGEST_INDEXED) st = store_pieces(&g);
  source_close(&g.src);
  meta_clear(&g.owned_meta);
  res->status = st;
  return st;
}
