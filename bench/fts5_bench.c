/* SQLite FTS5 driver for the benchmark (bench/run.sh): builds an FTS5 table from the harness's
** passages TSV, then times top-10 bm25 queries inside one process, so that process start-up
** and page-cache misses do not count, and lists every matching rowid for the recall check.
** With an EXTENSION (jfts's loadable jfts_icu), the table uses the tokenizer it registers, so
** jfts's tokenizer is judged on the same passages and with the same stock bm25 as the others.
** Built by run.sh with the system's libsqlite3; not part of the jfts build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define USAGE \
  "usage: fts5_bench build DB TOKENIZE PASSAGES.tsv [EXTENSION]\n" \
  "       fts5_bench query DB QUERIES.txt REPS TIMINGS_OUT HITS_OUT [EXTENSION TOKENIZER]\n" \
  "build: creates table p(body) USING fts5 with tokenize=TOKENIZE from the TSV\n" \
  "  (id, file, line_start, line_end, text with \\t \\n \\\\ escaped), rowid = id;\n" \
  "  EXTENSION (a loadable SQLite extension) is loaded first, to register TOKENIZE.\n" \
  "query: QUERIES.txt holds class<TAB>word lines; each word is matched as a phrase\n" \
  "  (with EXTENSION: a phrase, or a phrase with FTS5's prefix marker when TOKENIZER's\n" \
  "  own tokens say that only the prefix form finds every occurrence; forms on stderr);\n" \
  "  one warm run, then REPS timed runs of ORDER BY rank LIMIT 10 (TIMINGS_OUT:\n" \
  "  query_index<TAB>ms<TAB>rows per run); then all matching rowids untimed\n" \
  "  (HITS_OUT: query_index<TAB>space-separated rowids).\n" \
  "Exit: 0 ok, 1 runtime failure, 2 usage.\n"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Undoes the TSV escaping in place; returns the new length. */
static size_t unescape(char *s, size_t n_bytes) {
  size_t o = 0;
  for (size_t i = 0; i < n_bytes; i++) {
    if (s[i] == '\\' && i + 1 < n_bytes) {
      char c = s[++i];
      s[o++] = c == 't' ? '\t' : c == 'n' ? '\n' : c;
    } else {
      s[o++] = s[i];
    }
  }
  return o;
}

static int exec_sql(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "fts5_bench: %s: %s\n", sql, msg ? msg : sqlite3_errstr(rc));
  }
  sqlite3_free(msg);
  return rc;
}

/* Loads the extension at path into db, when path is not NULL. */
static int load_ext(sqlite3 *db, const char *path) {
  char *msg = NULL;
  if (!path) return SQLITE_OK;
  int rc = sqlite3_enable_load_extension(db, 1);
  if (rc == SQLITE_OK) rc = sqlite3_load_extension(db, path, NULL, &msg);
  if (rc != SQLITE_OK) {
    fprintf(stderr, "fts5_bench: cannot load '%s': %s\n", path, msg ? msg : sqlite3_errstr(rc));
  }
  sqlite3_free(msg);
  return rc;
}

/* The tokens of one text: each with its FTS5 position (colocated tokens share one). */
typedef struct {
  int n, cap, pos;
  int *at;
  char **tok;
} Toks;

static void toks_clear(Toks *t) {
  for (int i = 0; i < t->n; i++) free(t->tok[i]);
  free(t->at);
  free(t->tok);
  memset(t, 0, sizeof *t);
  t->pos = -1;
}

static int toks_add(void *ctx, int tflags, const char *token, int n_token, int start, int end) {
  Toks *t = ctx;
  (void)start;
  (void)end;
  if (!(tflags & FTS5_TOKEN_COLOCATED)) t->pos++;
  if (t->n == t->cap) {
    int cap = t->cap ? 2 * t->cap : 16;
    int *at = realloc(t->at, (size_t)cap * sizeof *at);
    if (at) t->at = at;
    char **tok = realloc(t->tok, (size_t)cap * sizeof *tok);
    if (tok) t->tok = tok;
    if (!at || !tok) return SQLITE_NOMEM;
    t->cap = cap;
  }
  char *copy = malloc((size_t)n_token + 1);
  if (!copy) return SQLITE_NOMEM;
  memcpy(copy, token, (size_t)n_token);
  copy[n_token] = '\0';
  t->at[t->n] = t->pos;
  t->tok[t->n++] = copy;
  return SQLITE_OK;
}

/* A tokenizer of db, found by name through the fts5_api pointer. */
typedef struct {
  fts5_tokenizer api;
  Fts5Tokenizer *tok;
} Tokenizer;

static int tokenizer_open(sqlite3 *db, const char *name, Tokenizer *out) {
  fts5_api *api = NULL;
  sqlite3_stmt *st = NULL;
  void *user = NULL;
  memset(out, 0, sizeof *out);
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
  if (rc == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(st);
    rc = sqlite3_finalize(st);
  }
  if (rc == SQLITE_OK && !api) rc = SQLITE_ERROR;
  if (rc == SQLITE_OK) rc = api->xFindTokenizer(api, name, &user, &out->api);
  if (rc == SQLITE_OK) rc = out->api.xCreate(user, NULL, 0, &out->tok);
  if (rc != SQLITE_OK) fprintf(stderr, "fts5_bench: no FTS5 tokenizer '%s'\n", name);
  return rc;
}

/* 1 when the query tokens q occur at consecutive positions of the document tokens d; with
** prefix, the last query token need only begin a document token. */
static int toks_occur(const Toks *q, const Toks *d, int prefix) {
  int m = q->pos + 1;
  for (int p = 0; p + m - 1 <= d->pos; p++) {
    int ok = 1;
    for (int i = 0; i < q->n && ok; i++) {
      if (i > 0 && q->at[i] == q->at[i - 1]) continue; /* a query synonym: the first decides */
      int found = 0;
      size_t len = strlen(q->tok[i]);
      for (int j = 0; j < d->n && !found; j++) {
        if (d->at[j] != p + q->at[i]) continue;
        found = prefix && q->at[i] == q->pos ? strncmp(d->tok[j], q->tok[i], len) == 0
                                             : strcmp(d->tok[j], q->tok[i]) == 0;
      }
      ok = found;
    }
    if (ok) return 1;
  }
  return 0;
}

/* Whether word needs FTS5's prefix marker to be found wherever it occurs: the tokenizer's
** query tokens of word are looked for among its document tokens of word alone and of word
** inside a Japanese run (中word, word中, 中word中). Returns 1 for the prefix form, 0 for the
** plain phrase, -1 on failure. Asking the tokenizer keeps the bench right when its design
** changes (e.g. unigrams indexed at every position make the plain phrase enough). */
static int needs_prefix(const Tokenizer *t, const char *word) {
  static const char *const ctx[][2] = {{"", ""}, {"中", ""}, {"", "中"}, {"中", "中"}};
  Toks q = {.pos = -1}, d = {.pos = -1};
  int rc = t->api.xTokenize(t->tok, &q, FTS5_TOKENIZE_QUERY, word, (int)strlen(word), toks_add);
  int prefix = 0;
  for (size_t c = 0; rc == SQLITE_OK && q.n > 0 && c < sizeof ctx / sizeof ctx[0]; c++) {
    char *doc = sqlite3_mprintf("%s%s%s", ctx[c][0], word, ctx[c][1]);
    toks_clear(&d);
    rc = doc ? t->api.xTokenize(t->tok, &d, FTS5_TOKENIZE_DOCUMENT, doc, (int)strlen(doc),
                                toks_add)
             : SQLITE_NOMEM;
    sqlite3_free(doc);
    if (rc == SQLITE_OK && !toks_occur(&q, &d, 0)) {
      prefix = 1;
      if (!toks_occur(&q, &d, 1)) {
        fprintf(stderr, "fts5_bench: neither form of '%s' matches its own tokens\n", word);
      }
    }
  }
  toks_clear(&q);
  toks_clear(&d);
  return rc == SQLITE_OK ? prefix : -1;
}

static int cmd_build(const char *db_path, const char *tokenize, const char *tsv_path,
                     const char *ext) {
  sqlite3 *db = NULL;
  sqlite3_stmt *ins = NULL;
  FILE *in = NULL;
  char *line = NULL;
  size_t cap = 0;
  long rows = 0;
  int rc = SQLITE_OK;
  int ret = 1;
  char *create = NULL;

  in = fopen(tsv_path, "r");
  if (!in) {
    fprintf(stderr, "fts5_bench: cannot open '%s': %s\n", tsv_path, strerror(errno));
    goto cleanup;
  }
  remove(db_path);
  rc = sqlite3_open(db_path, &db);
  if (rc == SQLITE_OK) rc = load_ext(db, ext);
  create = sqlite3_mprintf("CREATE VIRTUAL TABLE p USING fts5(body, tokenize=%Q)", tokenize);
  if (rc == SQLITE_OK) rc = create ? exec_sql(db, create) : SQLITE_NOMEM;
  if (rc == SQLITE_OK) rc = exec_sql(db, "BEGIN");
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(db, "INSERT INTO p(rowid, body) VALUES(?1, ?2)", -1, &ins, NULL);
  }
  ssize_t n;
  while (rc == SQLITE_OK && (n = getline(&line, &cap, in)) > 0) {
    /* id, file, line_start, line_end, text: the text is everything after the 4th tab. */
    char *field = line;
    for (int k = 0; k < 4 && field; k++) {
      field = strchr(field, '\t');
      if (field) field++;
    }
    if (!field) {
      fprintf(stderr, "fts5_bench: '%s': malformed line %ld\n", tsv_path, rows + 1);
      rc = SQLITE_ERROR;
      break;
    }
    size_t len = (size_t)(line + n - field);
    if (len > 0 && field[len - 1] == '\n') len--;
    len = unescape(field, len);
    sqlite3_bind_int64(ins, 1, strtoll(line, NULL, 10));
    sqlite3_bind_text(ins, 2, field, (int)len, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) {
      rc = sqlite3_errcode(db);
      fprintf(stderr, "fts5_bench: insert: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_reset(ins);
    rows++;
  }
  if (rc == SQLITE_OK) rc = exec_sql(db, "COMMIT");
  if (rc == SQLITE_OK) {
    printf("rows\t%ld\n", rows);
    ret = 0;
  } else if (db && rc != SQLITE_ERROR) {
    fprintf(stderr, "fts5_bench: %s\n", sqlite3_errmsg(db));
  }

cleanup:
  sqlite3_free(create);
  sqlite3_finalize(ins);
  if (db && sqlite3_close(db) != SQLITE_OK) ret = 1;
  if (in) fclose(in);
  free(line);
  return ret;
}

/* "word" → "\"word\"": an FTS5 phrase, so that any characters are taken literally. */
static char *phrase_of(const char *word, int prefix) {
  size_t n = strlen(word);
  char *out = malloc(2 * n + 5);
  if (!out) return NULL;
  char *o = out;
  *o++ = '"';
  for (const char *p = word; *p; p++) {
    if (*p == '"') *o++ = '"';
    *o++ = *p;
  }
  *o++ = '"';
  if (prefix) {
    *o++ = ' ';
    *o++ = '*';
  }
  *o = '\0';
  return out;
}

static int cmd_query(const char *db_path, const char *queries_path, int reps,
                     const char *timings_path, const char *hits_path, const char *ext,
                     const char *tokenizer) {
  Tokenizer tk;
  memset(&tk, 0, sizeof tk);
  sqlite3 *db = NULL;
  sqlite3_stmt *top = NULL;
  sqlite3_stmt *all = NULL;
  FILE *qf = NULL, *tf = NULL, *hf = NULL;
  char *line = NULL;
  size_t cap = 0;
  int ret = 1;
  int rc;

  qf = fopen(queries_path, "r");
  tf = fopen(timings_path, "w");
  hf = fopen(hits_path, "w");
  if (!qf || !tf || !hf) {
    fprintf(stderr, "fts5_bench: cannot open query or output files: %s\n", strerror(errno));
    goto cleanup;
  }
  rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc == SQLITE_OK) rc = load_ext(db, ext);
  if (rc == SQLITE_OK && ext) rc = tokenizer_open(db, tokenizer, &tk);
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(db, "SELECT rowid FROM p WHERE p MATCH ?1 ORDER BY rank LIMIT 10",
                            -1, &top, NULL);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(db, "SELECT rowid FROM p WHERE p MATCH ?1", -1, &all, NULL);
  }
  if (rc != SQLITE_OK) {
    fprintf(stderr, "fts5_bench: '%s': %s\n", db_path, db ? sqlite3_errmsg(db) : "no memory");
    goto cleanup;
  }
  int qi = 0;
  ssize_t n;
  while (rc == SQLITE_OK && (n = getline(&line, &cap, qf)) > 0) {
    if (line[n - 1] == '\n') line[--n] = '\0';
    char *word = strchr(line, '\t');
    if (!word) continue;
    int prefix = tk.tok ? needs_prefix(&tk, word + 1) : 0;
    char *match = prefix >= 0 ? phrase_of(word + 1, prefix) : NULL;
    if (tk.tok && match) fprintf(stderr, "fts5_bench: form\t%d\t%s\n", qi, match);
    if (!match) {
      rc = SQLITE_NOMEM;
      break;
    }
    for (int r = -1; rc == SQLITE_OK && r < reps; r++) {
      int rows = 0;
      double t0 = now_ms();
      sqlite3_bind_text(top, 1, match, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step(top)) == SQLITE_ROW) rows++;
      double t1 = now_ms();
      rc = rc == SQLITE_DONE ? sqlite3_reset(top) : rc;
      if (rc == SQLITE_OK && r >= 0) fprintf(tf, "%d\t%.4f\t%d\n", qi, t1 - t0, rows);
    }
    fprintf(hf, "%d\t", qi);
    sqlite3_bind_text(all, 1, match, -1, SQLITE_STATIC);
    int first = 1;
    while (rc == SQLITE_OK && sqlite3_step(all) == SQLITE_ROW) {
      fprintf(hf, first ? "%lld" : " %lld", (long long)sqlite3_column_int64(all, 0));
      first = 0;
    }
    fputc('\n', hf);
    if (rc == SQLITE_OK) rc = sqlite3_reset(all);
    if (rc != SQLITE_OK) fprintf(stderr, "fts5_bench: query %d: %s\n", qi, sqlite3_errmsg(db));
    free(match);
    qi++;
  }
  if (rc == SQLITE_OK) ret = 0;

cleanup:
  if (tk.tok) tk.api.xDelete(tk.tok);
  sqlite3_finalize(top);
  sqlite3_finalize(all);
  if (db && sqlite3_close(db) != SQLITE_OK) ret = 1;
  if (qf) fclose(qf);
  if (tf && fclose(tf) != 0) ret = 1;
  if (hf && fclose(hf) != 0) ret = 1;
  free(line);
  return ret;
}

int main(int argc, char **argv) {
  if ((argc == 5 || argc == 6) && strcmp(argv[1], "build") == 0) {
    return cmd_build(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
  }
  if ((argc == 7 || argc == 9) && strcmp(argv[1], "query") == 0) {
    int reps = atoi(argv[4]);
    if (reps < 1) {
      fputs(USAGE, stderr);
      return 2;
    }
    return cmd_query(argv[2], argv[3], reps, argv[5], argv[6], argc == 9 ? argv[7] : NULL,
                     argc == 9 ? argv[8] : NULL);
  }
  fputs(USAGE, argc > 1 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
  return argc > 1 && strcmp(argv[1], "--help") == 0 ? 0 : 2;
}
