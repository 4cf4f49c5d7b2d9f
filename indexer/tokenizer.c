/* The `jfts` FTS5 tokenizer: one NFKC_Casefold pass (norm.c), then whole-word tokens for
** runs of space-separated scripts and digits, and per-character bigrams (plus the run's last
** character alone) for Japanese runs, so that a phrase query finds every substring from one
** character up. Built twice: into the programs, and into the loadable extension jfts_icu
** (JFTS_EXTENSION), where every sqlite3_* call must go through the extension routine table. */
#if defined(JFTS_EXTENSION)
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

#include "tokenizer.h"

#include "jfts_common.h"
#include "norm.h"

#include <unicode/uchar.h>

#include <stdio.h>
#include <string.h>

/* Token placed between a word run and a Japanese run that punctuation or a line break
** separates. Normalized text never yields it (U+0001 is NORM_SPACE), so it only ever
** matches another gap. */
static const char k_gap_token[] = TOK_GAP;

/* Work buffers above this many UTF-16 units are freed after the row instead of kept. */
#define TOK_KEEP_UNITS ((size_t)1 << 20)

static void *sqlite_realloc_fn(void *p, size_t n_bytes) {
  return sqlite3_realloc64(p, (sqlite3_uint64)n_bytes);
}
static void sqlite_free_fn(void *p) { sqlite3_free(p); }
static const NormAlloc k_sqlite_alloc = {sqlite_realloc_fn, sqlite_free_fn};

static void *jfts_realloc_fn(void *p, size_t n_bytes) { return jfts_realloc(p, n_bytes); }
static const NormAlloc k_jfts_alloc = {jfts_realloc_fn, jfts_free};

static int rc_from_jfts(int jrc) {
  if (jrc == JFTS_OK) return SQLITE_OK;
  return jrc == JFTS_ERR_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static inline size_t put_utf8(char *p, uint32_t c) {
  if (c < 0x80) {
    p[0] = (char)c;
    return 1;
  }
  if (c < 0x800) {
    p[0] = (char)(0xC0 | (c >> 6));
    p[1] = (char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    p[0] = (char)(0xE0 | (c >> 12));
    p[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    p[2] = (char)(0x80 | (c & 0x3F));
    return 3;
  }
  p[0] = (char)(0xF0 | (c >> 18));
  p[1] = (char)(0x80 | ((c >> 12) & 0x3F));
  p[2] = (char)(0x80 | ((c >> 6) & 0x3F));
  p[3] = (char)(0x80 | (c & 0x3F));
  return 4;
}

/* 1 for kana (hiragana, katakana, the prolonged sound mark): the chars that get no unigram
** of their own at every position (tokenizer.h). */
static inline int is_kana(uint32_t c) {
  return (c >= 0x3041 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0x1B000 && c <= 0x1B16F);
}

int tok_is_symbol(uint32_t c) {
  if (c < 0x80) return c == '#' || c == '%' || c == '&' || c == '@';
  /* The sentence and list punctuation of Japanese text separates like 、 and 。 do. */
  if (c == 0x3001 || c == 0x3002 || c == 0x30FB || c == 0x00A1 || c == 0x00B7 ||
      c == 0x00BF || c == 0x2027)
    return 0;
  return u_charType((UChar32)c) == U_OTHER_PUNCTUATION;
}

/* Token class of normalized position k: NORM_WORD, NORM_CJK, TOKC_SYMBOL, or -1 for none. */
#define TOKC_SYMBOL 16
static inline int tok_class(const NormText *t, size_t k) {
  int c = t->cls[k];
  if (c == NORM_WORD || c == NORM_CJK) return c;
  return c == NORM_PUNCT && tok_is_symbol(t->cp[k]) ? TOKC_SYMBOL : -1;
}

/* Emits the tokens of the Japanese run [i, j) of t (white space inside it skipped: the run
** ends with a Japanese char): at each char its bigram with the next char, or at the last
** char, when end_token is set, the run-end token "c" TOK_END; in a document (colocated set)
** also the char alone at the same position, unless it is kana. A query run that ends the
** query with one char gives that char alone (end_token 0, colocated 0). */
static inline int emit_cjk_run(const NormText *t, size_t i, size_t j, int end_token,
                               int colocated, TokCallback cb, void *ctx) {
  const uint8_t *cls = t->cls;
  const uint32_t *cp = t->cp, *s0 = t->src_start, *s1 = t->src_end;
  int rc = SQLITE_OK;
  /* Each char is encoded once, into a 4-byte word; a bigram is two whole-word copies.
  ** (Moving bytes just written one by one with a 4-byte load stalled on store forwarding,
  ** once per token.) */
  char gram[12] = {0};
  char enc[4] = {0};
  size_t len0 = put_utf8(enc, cp[i]);
  uint32_t w0, w1;
  memcpy(&w0, enc, 4);
  for (size_t k = i; rc == SQLITE_OK && k + 1 < j;) {
    size_t next = k + 1;
    while (cls[next] == NORM_SPACE) next++;
    size_t len1 = put_utf8(enc, cp[next]);
    memcpy(&w1, enc, 4);
    memcpy(gram, &w0, 4);
    memcpy(gram + len0, &w1, 4);
    rc = cb(ctx, 0, gram, (int)(len0 + len1), (int)s0[k], (int)s1[next]);
    if (rc == SQLITE_OK && colocated && !is_kana(cp[k]))
      rc = cb(ctx, FTS5_TOKEN_COLOCATED, gram, (int)len0, (int)s0[k], (int)s1[k]);
    w0 = w1;
    len0 = len1;
    k = next;
  }
  if (rc != SQLITE_OK) return rc;
  memcpy(gram, &w0, 4);
  if (end_token) {
    gram[len0] = TOK_END[0];
    rc = cb(ctx, 0, gram, (int)len0 + 1, (int)s0[j - 1], (int)s1[j - 1]);
    if (rc == SQLITE_OK && colocated && !is_kana(cp[j - 1]))
      rc = cb(ctx, FTS5_TOKEN_COLOCATED, gram, (int)len0, (int)s0[j - 1], (int)s1[j - 1]);
  } else if (j - i == 1) {
    rc = cb(ctx, 0, gram, (int)len0, (int)s0[i], (int)s1[i]);
  }
  return rc;
}

/* Emits the normalized word run [i, j) of t as one token; *heap (with capacity *heap_cap)
** holds words longer than the stack buffer. */
static int emit_word(const NormText *t, size_t i, size_t j, const NormAlloc *alloc,
                     char **heap, size_t *heap_cap, TokCallback cb, void *ctx) {
  char word_stack[256];
  size_t need = (j - i) * 4;
  char *buf = word_stack;
  if (need > sizeof word_stack) {
    if (need > *heap_cap) {
      char *p = alloc->realloc_fn(*heap, need);
      if (p == NULL) return SQLITE_NOMEM;
      *heap = p;
      *heap_cap = need;
    }
    buf = *heap;
  }
  size_t nb = 0;
  for (size_t k = i; k < j; k++) nb += put_utf8(buf + nb, t->cp[k]);
  return cb(ctx, 0, buf, (int)nb, (int)t->src_start[i], (int)t->src_end[j - 1]);
}

/* End (exclusive) of the token run of class c starting at i: a word run, one symbol, or a
** Japanese run going on across white space up to the next Japanese char ("児 童", a wrapped
** line). */
static size_t run_end(const NormText *t, size_t i, int c) {
  const uint8_t *cls = t->cls;
  size_t n = t->n, j = i + 1;
  if (c == TOKC_SYMBOL) return j;
  while (j < n && cls[j] == c) j++;
  while (c == NORM_CJK && j < n && cls[j] == NORM_SPACE) {
    size_t k = j + 1;
    while (k < n && cls[k] == NORM_SPACE) k++;
    if (k >= n || cls[k] != NORM_CJK || !norm_space_skippable(t, j - 1, k)) break;
    j = k + 1;
    while (j < n && cls[j] == c) j++;
  }
  return j;
}

/* Emits the tokens of normalized text t; see tokenizer.h for the design.
**
** Gaps: FTS5 phrases match consecutive positions, so two tokens are adjacent unless a token
** sits between them. A word run and a Japanese run separated by punctuation or a line break
** ("8050、問題", "2)実務") get a gap token so that the query 8050問題 does not match there,
** while a plain space between them ("8050 問題", a PDF artefact) is skipped. White space
** between two Japanese chars is no separator at all: the run, and its bigrams, go across it.
** Two Japanese runs (split by punctuation) need no gap: no bigram, in the document or the
** query, spans the separator, and where a query's run meets the separator its last char is a
** run-end token, which only matches a document run that ends there too. Two word runs need
** none either: a word token never spans a separator, so "ab cd" and "ab,cd" differ only in
** punctuation, which is indexed nowhere. A symbol is a token of its own: anything but
** nothing between it and its neighbour (white space too) gives a gap, so that "50 %" and
** "50、%" are not the query 50%. */
static int tok_emit(const NormText *t, int flags, const NormAlloc *alloc, TokCallback cb,
                    void *ctx) {
  int rc = SQLITE_OK;
  char *word_heap = NULL;
  size_t word_heap_cap = 0;
  const uint32_t *s0 = t->src_start;
  const uint32_t *s1 = t->src_end;
  size_t n = t->n;

  /* In a query, the Japanese run that holds the last token-producing char ends the query. */
  size_t last_tok = n;
  for (size_t k = n; k-- > 0;) {
    if (tok_class(t, k) >= 0) {
      last_tok = k;
      break;
    }
  }
  if (last_tok == n) return SQLITE_OK;
  int query = (flags & FTS5_TOKENIZE_QUERY) != 0;

  int prev_cls = -1;     /* class of the previous run, -1 before the first */
  size_t prev_last = 0;  /* index of the previous run's last code point */
  size_t i = 0;
  while (rc == SQLITE_OK && i <= last_tok) {
    int c = tok_class(t, i);
    if (c < 0) {
      i++;
      continue;
    }
    size_t j = run_end(t, i, c);
    if (prev_cls >= 0 && (prev_cls != c || c == TOKC_SYMBOL) && i > prev_last + 1 &&
        !norm_space_skippable(t, prev_last, i)) {
      rc = cb(ctx, 0, k_gap_token, 1, (int)s1[prev_last], (int)s0[i]);
    }
    if (rc == SQLITE_OK && c == NORM_WORD) {
      rc = emit_word(t, i, j, alloc, &word_heap, &word_heap_cap, cb, ctx);
    } else if (rc == SQLITE_OK && c == TOKC_SYMBOL) {
      char sym[4];
      rc = cb(ctx, 0, sym, (int)put_utf8(sym, t->cp[i]), (int)s0[i], (int)s1[i]);
    } else if (rc == SQLITE_OK) {
      /* A query's final run keeps only its bigrams (the document may continue the run), or
      ** its one char alone (tok_query_wants_prefix says when it needs FTS5's `*`). */
      int final = query && j - 1 == last_tok;
      rc = emit_cjk_run(t, i, j, !final, !query, cb, ctx);
    }
    prev_cls = c;
    prev_last = j - 1;
    i = j;
  }

  if (word_heap) alloc->free_fn(word_heap);
  return rc;
}

/* ---- token batches and replay ---- */

/* Longest tokenizer failure message kept, in bytes with the NUL (ICU's are short). A fixed
** buffer, so that keeping a message cannot itself fail. */
#define TOK_ERROR_BYTES 256

/* Entry i of a batch is bytes [at[i], at[i+1]) of buf: per token, a varint of
** n_token << 1 | colocated, the token bytes, a varint of start_byte and one of
** end_byte - start_byte. About 9 bytes per Japanese bigram. */
struct TokBatch {
  NormWork work;
  unsigned char *buf;
  size_t n_buf, cap_buf;
  size_t *at;          /* n + 1 offsets into buf */
  int *n_pos;          /* per entry: positions */
  size_t *n_text;      /* per entry: bytes of the text it was recorded from */
  size_t n, cap;       /* entries, capacity of at (minus one) and n_pos */
  char error[TOK_ERROR_BYTES]; /* why the last tok_batch_add failed; "" after a success */
};

struct TokReplay {
  struct {
    const char *text;
    size_t n_bytes;
    const TokBatch *b;
    size_t i;
  } slot[TOK_REPLAY_SLOTS];
  /* The last failure's message ("" when none): FTS5 passes only xTokenize's return code on,
  ** and shows any error code but SQLITE_NOMEM as "SQL logic error". */
  char error[TOK_ERROR_BYTES];
};

int tok_batch_new(TokBatch **out) {
  *out = jfts_calloc(1, sizeof **out);
  if (*out == NULL) return JFTS_ERR_NOMEM;
  (*out)->work.alloc = &k_jfts_alloc;
  return JFTS_OK;
}

void tok_batch_free(TokBatch *b) {
  if (b == NULL) return;
  norm_work_release(&b->work);
  jfts_free(b->buf);
  jfts_free(b->at);
  jfts_free(b->n_pos);
  jfts_free(b->n_text);
  jfts_free(b);
}

size_t tok_batch_count(const TokBatch *b) { return b->n; }
const char *tok_batch_error(const TokBatch *b) { return b && b->error[0] ? b->error : NULL; }
int tok_batch_positions(const TokBatch *b, size_t i) { return i < b->n ? b->n_pos[i] : 0; }

void tok_batch_clear(TokBatch *b) {
  b->n = 0;
  b->n_buf = 0;
}

static int batch_reserve(TokBatch *b, size_t more) {
  if (b->n_buf + more <= b->cap_buf) return 1;
  size_t cap = b->cap_buf ? b->cap_buf : 4096;
  while (cap < b->n_buf + more) cap *= 2;
  unsigned char *p = jfts_realloc(b->buf, cap);
  if (p == NULL) return 0;
  b->buf = p;
  b->cap_buf = cap;
  return 1;
}

static inline unsigned char *put_varint(unsigned char *p, uint32_t v) {
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  return p;
}

static inline const unsigned char *get_varint(const unsigned char *p, uint32_t *v) {
  uint32_t r = 0;
  int shift = 0;
  while (*p & 0x80) {
    r |= (uint32_t)(*p++ & 0x7f) << shift;
    shift += 7;
  }
  *v = r | (uint32_t)*p++ << shift;
  return p;
}

static int record_token(void *ctx, int colocated, const char *token, int n_token, int start_byte,
                        int end_byte) {
  TokBatch *b = ctx;
  if (!batch_reserve(b, (size_t)n_token + 15)) {
    return SQLITE_NOMEM;
  }
  unsigned char *p = b->buf + b->n_buf;
  p = put_varint(p, (uint32_t)n_token << 1 | (colocated ? 1u : 0u));
  memcpy(p, token, (size_t)n_token);
  p = put_varint(p + n_token, (uint32_t)start_byte);
  p = put_varint(p, (uint32_t)(end_byte - start_byte));
  b->n_buf = (size_t)(p - b->buf);
  if (!colocated) b->n_pos[b->n]++;
  return SQLITE_OK;
}

int tok_batch_add(TokBatch *b, const char *text, size_t n_bytes) {
  b->error[0] = '\0';
  if (b->n + 1 >= b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 64;
    size_t *at = jfts_realloc(b->at, (cap + 1) * sizeof *at);
    if (at == NULL) return JFTS_ERR_NOMEM;
    b->at = at;
    int *n_pos = jfts_realloc(b->n_pos, cap * sizeof *n_pos);
    if (n_pos == NULL) return JFTS_ERR_NOMEM;
    b->n_pos = n_pos;
    size_t *n_text = jfts_realloc(b->n_text, cap * sizeof *n_text);
    if (n_text == NULL) return JFTS_ERR_NOMEM;
    b->n_text = n_text;
    b->cap = cap;
  }
  size_t n_buf_before = b->n_buf;
  b->at[b->n] = n_buf_before;
  b->n_pos[b->n] = 0;
  int rc = JFTS_OK;
  if (n_bytes > 0) {
    char *err = NULL;
    rc = norm_work_run(&b->work, text, n_bytes, &err);
    if (err) snprintf(b->error, sizeof b->error, "%s", err);
    jfts_free(err);
    /* record_token fails only for memory, as tok_emit does itself. */
    if (rc == JFTS_OK && tok_emit(&b->work.text, FTS5_TOKENIZE_DOCUMENT, &k_jfts_alloc,
                                  record_token, b) != SQLITE_OK)
      rc = JFTS_ERR_NOMEM;
    if (b->work.cap_u16 > TOK_KEEP_UNITS) norm_work_release(&b->work);
  }
  if (rc != JFTS_OK) {
    b->n_buf = n_buf_before;
    return rc;
  }
  b->n_text[b->n] = n_bytes;
  b->n++;
  b->at[b->n] = b->n_buf;
  return JFTS_OK;
}

void tok_replay_arm(TokReplay *r, int slot, const char *text, size_t n_bytes, const TokBatch *b,
                    size_t i) {
  if (r == NULL || slot < 0 || slot >= TOK_REPLAY_SLOTS) return;
  /* No entry, or one recorded from text of another length: the slot is left empty (never
  ** with an earlier arm, whose text may be gone), and FTS5 tokenizes. */
  if (b == NULL || i >= b->n || b->n_text[i] != n_bytes) {
    memset(&r->slot[slot], 0, sizeof r->slot[slot]);
    return;
  }
  r->slot[slot].text = text;
  r->slot[slot].n_bytes = n_bytes;
  r->slot[slot].b = b;
  r->slot[slot].i = i;
}

void tok_replay_clear(TokReplay *r) {
  if (r) memset(r->slot, 0, sizeof r->slot);
}

const char *tok_replay_error(const TokReplay *r) {
  return r && r->error[0] ? r->error : NULL;
}

void tok_replay_error_clear(TokReplay *r) {
  if (r) r->error[0] = '\0';
}

/* Keeps the message of a failed normalization (jfts_malloc'ed, may be NULL: then one is made
** from jrc) in r, and frees it. */
static void replay_keep_error(TokReplay *r, int jrc, char *err) {
  if (r && jrc != JFTS_OK && jrc != JFTS_ERR_NOMEM) {
    if (err) snprintf(r->error, sizeof r->error, "cannot tokenize: %s", err);
    else snprintf(r->error, sizeof r->error, "cannot tokenize (error %d)", jrc);
  }
  jfts_free(err);
}

/* Replays the armed entry recorded for exactly this text; *done_out is 0 when none is. */
static int replay(const TokReplay *r, const char *text, int n_text, void *ctx,
                  int (*x_token)(void *, int, const char *, int, int, int), int *done_out) {
  *done_out = 0;
  for (int k = 0; k < TOK_REPLAY_SLOTS; k++) {
    const TokBatch *b = r->slot[k].b;
    if (b == NULL || r->slot[k].n_bytes != (size_t)n_text ||
        (r->slot[k].text != text && memcmp(r->slot[k].text, text, (size_t)n_text) != 0))
      continue;
    *done_out = 1;
    const unsigned char *p = b->buf + b->at[r->slot[k].i];
    const unsigned char *end = b->buf + b->at[r->slot[k].i + 1];
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK && p < end) {
      uint32_t head, start, len;
      p = get_varint(p, &head);
      const char *token = (const char *)p;
      p = get_varint(p + (head >> 1), &start);
      p = get_varint(p, &len);
      rc = x_token(ctx, (head & 1) ? FTS5_TOKEN_COLOCATED : 0, token, (int)(head >> 1),
                   (int)start, (int)(start + len));
    }
    return rc;
  }
  return SQLITE_OK;
}

/* ---- FTS5 tokenizer object ---- */

typedef struct JftsTokenizer {
  NormWork work;     /* normalization buffers reused from row to row */
  int busy;          /* 1 while work is in use (guards against re-entrant xTokenize) */
  TokReplay *replay; /* the connection's, or NULL */
} JftsTokenizer;

static int jfts_create(void *pCtx, const char **azArg, int nArg, Fts5Tokenizer **ppOut) {
  (void)azArg;
  *ppOut = NULL;
  if (nArg > 0) return SQLITE_ERROR; /* no options: an unknown one is a typo */
  JftsTokenizer *tk = sqlite3_malloc64(sizeof *tk);
  if (tk == NULL) return SQLITE_NOMEM;
  memset(tk, 0, sizeof *tk);
  tk->work.alloc = &k_sqlite_alloc;
  tk->replay = pCtx;
  *ppOut = (Fts5Tokenizer *)tk;
  return SQLITE_OK;
}

static void jfts_delete(Fts5Tokenizer *p) {
  JftsTokenizer *tk = (JftsTokenizer *)p;
  if (tk == NULL) return;
  norm_work_release(&tk->work);
  sqlite3_free(tk);
}

static int jfts_tokenize(Fts5Tokenizer *p, void *pCtx, int flags, const char *pText, int nText,
                         int (*xToken)(void *, int, const char *, int, int, int)) {
  JftsTokenizer *tk = (JftsTokenizer *)p;
  NormWork local;
  NormWork *w = &tk->work;
  if (nText <= 0) return SQLITE_OK;
  if (tk->replay && flags == FTS5_TOKENIZE_DOCUMENT) {
    int done = 0;
    int rc = replay(tk->replay, pText, nText, pCtx, xToken, &done);
    if (done) return rc;
  }
  if (tk->busy) {
    memset(&local, 0, sizeof local);
    local.alloc = &k_sqlite_alloc;
    w = &local;
  } else {
    tk->busy = 1;
  }
  char *err = NULL;
  int jrc = norm_work_run(w, pText, (size_t)nText, &err);
  replay_keep_error(tk->replay, jrc, err);
  int rc = rc_from_jfts(jrc);
  if (rc == SQLITE_OK) rc = tok_emit(&w->text, flags, &k_sqlite_alloc, xToken, pCtx);
  if (w == &local) {
    norm_work_release(&local);
  } else {
    if (w->cap_u16 > TOK_KEEP_UNITS) norm_work_release(w);
    tk->busy = 0;
  }
  return rc;
}

int tok_fts5_api(sqlite3 *db, fts5_api **api_out) {
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;
  *api_out = NULL;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(stmt);
    rc = sqlite3_finalize(stmt);
  }
  if (rc != SQLITE_OK) return rc;
  if (api == NULL || api->iVersion < 2) return SQLITE_ERROR; /* SQLite built without FTS5 */
  *api_out = api;
  return SQLITE_OK;
}

static void replay_destroy(void *p) { sqlite3_free(p); }

int tok_register_replay(sqlite3 *db, TokReplay **replay_out) {
  fts5_api *api = NULL;
  fts5_tokenizer tok = {jfts_create, jfts_delete, jfts_tokenize};
  TokReplay *r = NULL;
  if (replay_out) *replay_out = NULL;
  int rc = tok_fts5_api(db, &api);
  if (rc != SQLITE_OK) return rc;
  if (replay_out) {
    r = sqlite3_malloc64(sizeof *r);
    if (r == NULL) return SQLITE_NOMEM;
    memset(r, 0, sizeof *r);
  }
  /* FTS5 calls replay_destroy when the connection closes; a failed registration (out of
  ** memory) keeps nothing. */
  rc = api->xCreateTokenizer(api, TOK_NAME, r, &tok, r ? replay_destroy : NULL);
  if (rc != SQLITE_OK) sqlite3_free(r);
  else if (replay_out) *replay_out = r;
  return rc;
}

int tok_register(sqlite3 *db) { return tok_register_replay(db, NULL); }

int tok_tokenize(const char *text, size_t n_bytes, int fts5_flags, TokCallback cb, void *ctx) {
  NormWork w;
  memset(&w, 0, sizeof w);
  w.alloc = &k_jfts_alloc;
  int rc = rc_from_jfts(norm_work_run(&w, text, n_bytes, NULL));
  if (rc == SQLITE_OK) rc = tok_emit(&w.text, fts5_flags, &k_jfts_alloc, cb, ctx);
  norm_work_release(&w);
  return rc;
}

int tok_query_wants_prefix(const char *term, size_t n_bytes) {
  NormWork w;
  memset(&w, 0, sizeof w);
  w.alloc = &k_jfts_alloc;
  int wants = 0;
  int rc = norm_work_run(&w, term, n_bytes, NULL);
  if (rc != JFTS_OK) wants = -1;
  else {
    const NormText *t = &w.text;
    size_t k = t->n;
    while (k > 0 && tok_class(t, k - 1) < 0) k--;
    /* The final run has one char when no Japanese char comes before it, but white space
    ** the run bridges (tokenizer.h); a kana char has no unigram of its own. */
    size_t b = k > 0 ? k - 1 : 0;
    while (b > 0 && t->cls[b - 1] == NORM_SPACE) b--;
    wants = k > 0 && t->cls[k - 1] == NORM_CJK && is_kana(t->cp[k - 1]) &&
            (b == 0 || t->cls[b - 1] != NORM_CJK ||
             (b < k - 1 && !norm_space_skippable(t, b - 1, k - 1)));
  }
  norm_work_release(&w);
  return wants;
}
