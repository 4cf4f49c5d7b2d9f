/* jfts-index: indexes text files (or directory trees of them) into a jfts database. One run is
** one transaction: it either stores everything it was asked to, or (on an error) leaves the
** previous database exactly as it was. This file only parses options, walks directories,
** calls the modules and maps their results to messages and exit codes. */
#define _XOPEN_SOURCE 700 /* realpath() */
#define _DEFAULT_SOURCE /* d_type and DT_* of struct dirent */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chunker.h"
#include "decode.h"
#include "jfts_common.h"
#include "prefetch.h"
#include "report.h"
#include "store.h"

#define PROG "jfts-index"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_SKIPPED = 3 };

typedef struct Options {
  const char *db;
  const char *encoding;
  int prune, keep_going, quiet;
} Options;

/* A file to index, found on the command line or by a walk. */
typedef struct Entry {
  char *path;      /* display path; owned */
  char *realpath;  /* owned; NULL when it could not be resolved */
  int64_t size;    /* from the walk, for progress */
  int walked;      /* found by a directory walk (not named on the command line) */
  int dup;         /* another entry has the same realpath: skip */
  /* What the index held for realpath when the run began (look_up_indexed): the row, found
  ** or not, or the lookup's error, reported when the file's turn comes. */
  int indexed;
  StoreFileRow old;
  char *lookup_err;
} Entry;

typedef struct Run {
  Options opt;
  Entry *entries;
  size_t n_entries, n_alloc;
  char *db_real;        /* the database's own realpath: never indexed */
  int n_indexed, n_unchanged, n_untagged, n_pruned, n_skipped;
  long n_docs, n_passages, n_meetings;
  int progress;         /* stderr is a terminal and not --quiet */
  int64_t bytes_total, bytes_done;
  double t_start, t_last;
} Run;

/* What a failure of one file means for the run. FAIL_SKIP: the file was skipped with a
** warning (--keep-going) and the run goes on. */
typedef enum FileFail { FAIL_NONE, FAIL_SKIP, FAIL_FILE, FAIL_FATAL, FAIL_USAGE } FileFail;

static void usage(FILE *fp) {
  fprintf(fp,
          "Usage: " PROG " [OPTION]... PATH...\n"
          "Index text files, or every text file under directories, into a jfts database.\n"
          "Re-indexing replaces a changed file and skips an unchanged one. A run is one\n"
          "transaction: after an error the database is left as it was.\n"
          "\n"
          "  --db FILE        database to create or update (default: jfts.db)\n"
          "  --encoding NAME  decode every file as NAME (utf-8, shift_jis, euc-jp, utf-16le,\n"
          "                   ...) instead of detecting the encoding\n"
          "  --prune          remove files that no longer exist from the database\n"
          "                   (PATH may then be omitted)\n"
          "  --keep-going     skip a file that cannot be read or decoded, with a warning,\n"
          "                   and index the rest\n"
          "  --quiet          print no progress and no summary line\n"
          "  -h, --help       show this help and exit\n"
          "  --version        show the version and exit\n"
          "\n"
          "Directories are walked recursively in sorted order; hidden files, *.meta sidecars,\n"
          "README* and *.md files are skipped there, and binary files with a warning.\n"
          "A file's metadata is read from the sidecar NAME.meta or NAME.EXT.meta beside it\n"
          "(\"key: value\" lines for title, publisher, year, source; # starts a comment).\n"
          "At the end one summary line goes to standard output.\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  a file or the database could not be read, decoded or written\n"
          "     (nothing was changed)\n"
          "  2  usage error\n"
          "  3  finished, but --keep-going skipped at least one file\n");
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(Run *run, size_t done, int final) {
  if (!run->progress) return;
  double t = now_seconds();
  if (final) {
    fputs("\r\x1b[K", stderr);
    return;
  }
  if (t - run->t_last < 0.1) return;
  run->t_last = t;
  double mb_done = (double)run->bytes_done / 1e6, mb_total = (double)run->bytes_total / 1e6;
  double rate = t > run->t_start ? mb_done / (t - run->t_start) : 0.0;
  fprintf(stderr, "\r\x1b[K" PROG ": %zu/%zu files, %.1f/%.1f MB, %.1f MB/s", done,
          run->n_entries, mb_done, mb_total, rate);
  if (rate > 0 && mb_total > mb_done) fprintf(stderr, ", ETA %.0f s", (mb_total - mb_done) / rate);
}

static void warn_file(const char *path, const char *msg) {
  fprintf(stderr, PROG ": warning: %s: %s\n", path, msg);
}

/* Reports a per-file problem: a warning under --keep-going (the file is skipped), else the
** error that ends the run. */
static FileFail file_error(Run *run, const char *path, const char *msg) {
  if (run->opt.keep_going) {
    fprintf(stderr, PROG ": warning: %s: %s; skipped\n", path, msg);
    run->n_skipped++;
    return FAIL_SKIP;
  }
  fprintf(stderr, PROG ": %s: %s\n", path, msg);
  return FAIL_FILE;
}

/* Reports an error that ends the run. path: prefix for messages that do not name the file
** (the decoder's and the parser's); NULL for the store's, which do. err NULL: out of memory. */
static FileFail fatal(const char *path, const char *err) {
  if (err == NULL) fprintf(stderr, PROG ": out of memory\n");
  else if (path) fprintf(stderr, PROG ": %s: %s\n", path, err);
  else fprintf(stderr, PROG ": %s\n", err);
  return FAIL_FATAL;
}

/* ---- collecting files -------------------------------------------------------------------- */

static int add_entry(Run *run, char *path, int64_t size, int walked) {
  if (run->n_entries == run->n_alloc) {
    size_t n_new = run->n_alloc ? run->n_alloc * 2 : 64;
    Entry *e = realloc(run->entries, n_new * sizeof *e);
    if (e == NULL) {
      free(path);
      return JFTS_ERR_NOMEM;
    }
    run->entries = e;
    run->n_alloc = n_new;
  }
  run->entries[run->n_entries++] = (Entry){.path = path, .size = size, .walked = walked};
  return JFTS_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names a walk passes over: not documents, or not meant to be found. */
static int walk_skips(const char *name) {
  return name[0] == '.' || ends_with(name, ".meta") || ends_with(name, ".md") ||
         strncmp(name, "README", 6) == 0;
}

/* Directory entries as walk_dir keeps them: a type byte, then the name. */
static int cmp_entry_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* The directories on the path from the walk's root to the current one: a symlink back to one
** of them would make the walk endless. */
typedef struct DirStack {
  dev_t dev[PATH_MAX / 2];
  ino_t ino[PATH_MAX / 2];
  size_t n;
} DirStack;

static char *join_path(const char *dir, const char *name) {
  size_t n = strlen(dir);
  int slash = n > 0 && dir[n - 1] == '/';
  char *p = malloc(n + strlen(name) + 2);
  if (p) sprintf(p, "%s%s%s", dir, slash ? "" : "/", name);
  return p;
}

static FileFail walk_dir(Run *run, const char *dir, DirStack *stack) {
  FileFail fail = FAIL_NONE;
  char **names = NULL;
  size_t n_names = 0, n_alloc = 0;
  DIR *d = opendir(dir);
  if (d == NULL) return file_error(run, dir, strerror(errno));
  /* A regular file found here (not a symlink) has the directory's real path plus its name:
  ** one realpath() per directory instead of one per file (which walks every component). */
  char *dir_real = realpath(dir, NULL);
  struct dirent *de;
  errno = 0;
  while ((de = readdir(d)) != NULL) {
    if (walk_skips(de->d_name)) continue; /* also "." and ".." */
    if (n_names == n_alloc) {
      n_alloc = n_alloc ? n_alloc * 2 : 32;
      char **nn = realloc(names, n_alloc * sizeof *nn);
      if (nn == NULL) goto nomem;
      names = nn;
    }
    /* The first byte says whether the entry is a symlink (its real path is resolved later). */
    size_t len = strlen(de->d_name);
    if ((names[n_names] = malloc(len + 2)) == NULL) goto nomem;
    names[n_names][0] = de->d_type == DT_LNK || de->d_type == DT_UNKNOWN ? 'l' : '-';
    memcpy(names[n_names] + 1, de->d_name, len + 1);
    n_names++;
  }
  closedir(d);
  d = NULL;
  qsort(names, n_names, sizeof *names, cmp_entry_name);

  for (size_t i = 0; (fail == FAIL_NONE || fail == FAIL_SKIP) && i < n_names; i++) {
    fail = FAIL_NONE;
    char *path = join_path(dir, names[i] + 1);
    if (path == NULL) goto nomem;
    struct stat st;
    if (stat(path, &st) != 0) {
      fail = file_error(run, path, strerror(errno));
      free(path);
    } else if (S_ISDIR(st.st_mode)) {
      int loop = 0;
      for (size_t k = 0; k < stack->n; k++)
        loop |= stack->dev[k] == st.st_dev && stack->ino[k] == st.st_ino;
      if (loop) {
        warn_file(path, "directory symlink loop; not followed");
      } else if (stack->n < sizeof stack->dev / sizeof stack->dev[0]) {
        stack->dev[stack->n] = st.st_dev;
        stack->ino[stack->n++] = st.st_ino;
        fail = walk_dir(run, path, stack);
        stack->n--;
      } else {
        warn_file(path, "directories nested too deep; not followed");
      }
      free(path);
    } else if (S_ISREG(st.st_mode)) {
      char *real = NULL;
      if (dir_real && names[i][0] != 'l' && (real = join_path(dir_real, names[i] + 1)) == NULL) {
        free(path);
        goto nomem;
      }
      if (add_entry(run, path, (int64_t)st.st_size, 1) != JFTS_OK) {
        free(real);
        goto nomem;
      }
      run->entries[run->n_entries - 1].realpath = real;
    } else {
      free(path); /* devices, fifos, sockets: not documents */
    }
  }
  goto cleanup;

nomem:
  fprintf(stderr, PROG ": out of memory\n");
  fail = FAIL_FATAL;
cleanup:
  if (d) closedir(d);
  for (size_t i = 0; i < n_names; i++) free(names[i]);
  free(names);
  free(dir_real);
  return fail == FAIL_SKIP ? FAIL_NONE : fail;
}

static FileFail collect(Run *run, char **paths, int n_paths) {
  FileFail fail = FAIL_NONE;
  DirStack *stack = malloc(sizeof *stack); /* large: kept off the call stack */
  if (stack == NULL) return fatal(NULL, NULL);
  for (int i = 0; (fail == FAIL_NONE || fail == FAIL_SKIP) && i < n_paths; i++) {
    fail = FAIL_NONE;
    struct stat st;
    if (stat(paths[i], &st) != 0) {
      fail = file_error(run, paths[i], strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      stack->n = 1;
      stack->dev[0] = st.st_dev;
      stack->ino[0] = st.st_ino;
      fail = walk_dir(run, paths[i], stack);
    } else if (S_ISREG(st.st_mode)) {
      char *p = strdup(paths[i]);
      if (p == NULL || add_entry(run, p, (int64_t)st.st_size, 0) != JFTS_OK) {
        fprintf(stderr, PROG ": out of memory\n");
        fail = FAIL_FATAL;
      }
    } else {
      fail = file_error(run, paths[i], "not a regular file or directory");
    }
  }
  free(stack);
  return fail == FAIL_SKIP ? FAIL_NONE : fail;
}

static int cmp_entry_real(const void *a, const void *b) {
  const Entry *x = *(Entry *const *)a, *y = *(Entry *const *)b;
  int c = strcmp(x->realpath, y->realpath);
  return c ? c : (x < y ? -1 : x > y);
}

/* Resolves realpaths and marks entries that reach a file already listed (the same file named
** twice, or reached through a symlink), and the database's own files. */
static FileFail resolve(Run *run) {
  Entry **order = NULL;
  size_t n = 0;
  for (size_t i = 0; i < run->n_entries; i++) {
    Entry *e = &run->entries[i];
    if (e->realpath == NULL) e->realpath = realpath(e->path, NULL); /* else found by the walk */
    if (e->realpath == NULL) {
      if (errno == ENOMEM) goto nomem;
      continue; /* reported when the file is read */
    }
    if (run->db_real) {
      size_t m = strlen(run->db_real);
      const char *tail = e->realpath + m;
      if (strncmp(e->realpath, run->db_real, m) == 0 &&
          (*tail == '\0' || strcmp(tail, "-wal") == 0 || strcmp(tail, "-shm") == 0 ||
           strcmp(tail, "-journal") == 0))
        e->dup = 1;
    }
  }
  order = malloc((run->n_entries + 1) * sizeof *order);
  if (order == NULL) goto nomem;
  for (size_t i = 0; i < run->n_entries; i++)
    if (run->entries[i].realpath) order[n++] = &run->entries[i];
  qsort(order, n, sizeof *order, cmp_entry_real);
  for (size_t i = 1; i < n; i++)
    if (strcmp(order[i]->realpath, order[i - 1]->realpath) == 0) order[i]->dup = 1;
  free(order);
  return FAIL_NONE;

nomem:
  fprintf(stderr, PROG ": out of memory\n");
  return FAIL_FATAL;
}

/* ---- one file ---------------------------------------------------------------------------- */

typedef struct Meta {
  char *title, *publisher, *source;
  int year;
} Meta;

static void meta_clear(Meta *m) {
  free(m->title);
  free(m->publisher);
  free(m->source);
  memset(m, 0, sizeof *m);
}

static int str_eq(const char *a, const char *b) {
  return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* The sidecar of "dir/name.txt" is "dir/name.meta", else "dir/name.txt.meta". */
static char *find_sidecar(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  if (dot && dot != base) {
    size_t n = (size_t)(dot - path);
    char *p = malloc(n + sizeof ".meta");
    if (p == NULL) return NULL;
    memcpy(p, path, n);
    strcpy(p + n, ".meta");
    if (access(p, F_OK) == 0) return p;
    free(p);
  }
  char *p = malloc(strlen(path) + sizeof ".meta");
  if (p == NULL) return NULL;
  sprintf(p, "%s.meta", path);
  if (access(p, F_OK) == 0) return p;
  free(p);
  return NULL;
}

static char *trim_dup(const char *s, size_t n) {
  while (n > 0 && (*s == ' ' || *s == '\t')) s++, n--;
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* Reads the sidecar's "key: value" lines. A sidecar that cannot be read or decoded is a
** problem of the file it describes. Returns FAIL_NONE (m filled, maybe empty) or a failure. */
static FileFail read_meta(Run *run, const Entry *e, Meta *m) {
  FileFail fail = FAIL_NONE;
  unsigned char *raw = NULL;
  size_t n_raw = 0;
  DecodedText *dec = NULL;
  char *err = NULL;
  memset(m, 0, sizeof *m);
  char *side = find_sidecar(e->path);
  if (side == NULL) return FAIL_NONE;
  int os_err = jfts_read_file(side, &raw, &n_raw);
  if (os_err) {
    fail = file_error(run, side, strerror(os_err));
    goto cleanup;
  }
  int rc = dec_decode(raw, n_raw, NULL, &dec, &err);
  if (rc != JFTS_OK) {
    fail = rc == JFTS_ERR_INPUT ? file_error(run, side, err) : fatal(side, err);
    goto cleanup;
  }
  int lineno = 0;
  for (const char *line = dec->text; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    lineno++;
    char *l = trim_dup(line, len);
    if (l == NULL) {
      fail = fatal(side, NULL);
      goto cleanup;
    }
    char *colon = strchr(l, ':');
    if (l[0] != '\0' && l[0] != '#') {
      char *key = colon ? trim_dup(l, (size_t)(colon - l)) : NULL;
      char *val = colon ? trim_dup(colon + 1, strlen(colon + 1)) : NULL;
      if (colon && (key == NULL || val == NULL)) {
        free(key);
        free(val);
        free(l);
        fail = fatal(side, NULL);
        goto cleanup;
      }
      char **slot = NULL;
      if (key && strcmp(key, "title") == 0) slot = &m->title;
      else if (key && strcmp(key, "publisher") == 0) slot = &m->publisher;
      else if (key && strcmp(key, "source") == 0) slot = &m->source;
      if (colon == NULL) {
        fprintf(stderr, PROG ": warning: %s:%d: not a \"key: value\" line; ignored\n", side,
                lineno);
      } else if (slot) {
        free(*slot);
        *slot = val[0] ? val : NULL;
        if (*slot == NULL) free(val);
        val = NULL;
      } else if (strcmp(key, "year") == 0) {
        char *end;
        long y = strtol(val, &end, 10);
        if (*val && *end == '\0' && y > 0 && y < 10000) m->year = (int)y;
        else fprintf(stderr, PROG ": warning: %s:%d: year is not a number; ignored\n", side, lineno);
      } /* other keys are for people and other tools */
      free(key);
      free(val);
    }
    free(l);
    line = nl ? nl + 1 : line + len;
  }

cleanup:
  if (fail != FAIL_NONE) meta_clear(m);
  dec_free(dec);
  jfts_free(err);
  free(raw);
  free(side);
  return fail;
}

/* Looks every entry up in the index once, before any is stored: what each held when the
** run began is what its turn compares with (no entry changes another's row), and the
** prefetch worker, which has no database, needs it before the first file is stored. A
** failed lookup is kept and reported in that file's turn, as it was when looked up then. */
static FileFail look_up_indexed(Run *run, Store *store) {
  for (size_t i = 0; i < run->n_entries; i++) {
    Entry *e = &run->entries[i];
    if (e->dup || e->realpath == NULL) continue;
    if (store_lookup_file(store, e->realpath, &e->indexed, &e->old, &e->lookup_err) != JFTS_OK &&
        e->lookup_err == NULL)
      return fatal(e->path, NULL); /* out of memory */
  }
  return FAIL_NONE;
}

/* Reads e's sidecar into *meta; *same_out is 1 when e is indexed with this size, hash and
** metadata; the encoding is left to the caller, which alone knows what this run decodes
** with. Returns FAIL_NONE or a failure. */
static FileFail lookup_same(Run *run, const Entry *e, int64_t size, const char *hash,
                            Meta *meta, int *same_out) {
  const StoreFileRow *old = &e->old;
  *same_out = 0;
  FileFail fail = read_meta(run, e, meta);
  if (fail != FAIL_NONE) return fail;
  if (e->lookup_err) return fatal(e->path, e->lookup_err);
  *same_out = e->indexed && old->size == size && strcmp(old->hash, hash) == 0 &&
              str_eq(old->title, meta->title) && str_eq(old->publisher, meta->publisher) &&
              str_eq(old->source, meta->source) && old->year == meta->year;
  return FAIL_NONE;
}

/* Files larger than this are read, decoded, parsed and stored piece by piece, so that the
** indexer's memory stays bounded whatever the file's size. JFTS_INDEX_PIECE_BYTES (at
** least 4096) sets it, for tests. */
static size_t piece_bytes(void) {
  const char *v = getenv("JFTS_INDEX_PIECE_BYTES");
  long long x = v && *v ? atoll(v) : 0;
  return x >= 4096 ? (size_t)x : (size_t)16 << 20;
}

static int is_utf8_name(const char *enc) {
  return enc == NULL || strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0;
}

/* The decoder's offsets are the piece's; the user wants the file's. */
static char *shift_offset_message(const char *err, uint64_t base) {
  const char *at = err ? strrchr(err, ' ') : NULL;
  if (at == NULL || strncmp(err, "invalid UTF-8 at byte", 21) != 0)
    return jfts_strdup(err ? err : "cannot decode");
  unsigned long long k = strtoull(at + 1, NULL, 10);
  return jfts_mprintf("not UTF-8 (first invalid byte at %llu)", (unsigned long long)base + k);
}

/* Indexes a large UTF-8 file piece by piece (chunker.h). Returns 0 without doing anything
** when the file does not start as UTF-8: the caller then decodes it whole. */
static int index_pieces(Run *run, Store *store, const Entry *e, FileFail *fail_out) {
  FileFail fail = FAIL_NONE;
  Chunker *ch = NULL;
  DecodedText *dec = NULL;
  Report *rep = NULL;
  char *err = NULL, *msg = NULL;
  Meta meta = {0};
  const unsigned char *bytes;
  size_t n;
  uint64_t off, h = STORE_HASH_INIT;
  int line, rc, os_err, handled = 1, in_savepoint = 0, tagged = 0;
  int64_t size = 0, file_id = 0;
  long n_docs = 0, n_passages = 0, n_meetings = 0;
  const char *enc = run->opt.encoding;
  if (!is_utf8_name(enc)) return 0;

  /* First pass: the hash decides whether anything changed; binary files stop here. */
  os_err = chunker_open(e->path, piece_bytes(), &ch);
  while (!os_err && !(os_err = chunker_next(ch, &bytes, &n, &off, &line)) && n > 0) {
    if (off == 0 && n >= 2 &&
        ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))) {
      handled = 0; /* UTF-16 with a BOM: the whole-file path decodes it */
      goto cleanup;
    }
    const void *nul = memchr(bytes, 0, n);
    if ((off == 0 && dec_is_binary(bytes, n, NULL)) || nul) {
      if (off == 0 && !nul) {
        handled = 0; /* a UTF-16 BOM, say: the whole-file path words it */
        goto cleanup;
      }
      msg = jfts_mprintf("binary file (NUL byte at %llu)",
                         (unsigned long long)(off + (size_t)((const unsigned char *)nul - bytes)));
      if (e->walked) fprintf(stderr, PROG ": warning: %s: %s; skipped\n", e->path, msg);
      else fail = file_error(run, e->path, msg);
      goto cleanup;
    }
    if (dec_utf8_first_invalid(bytes, n) != n) {
      /* Not UTF-8 after all (Shift_JIS past an ASCII start, or a bad byte): the whole-file
      ** path detects the encoding on all of it, or words the error. */
      handled = 0;
      goto cleanup;
    }
    h = store_hash_update(h, bytes, n);
    size += (int64_t)n;
  }
  if (os_err) {
    fail = file_error(run, e->path, strerror(os_err));
    goto cleanup;
  }
  chunker_close(ch);
  ch = NULL;
  char hash[17];
  store_hash_hex(h, hash);
  int same = 0;
  fail = lookup_same(run, e, size, hash, &meta, &same);
  if (fail != FAIL_NONE) goto cleanup;
  if (same && str_eq(e->old.encoding, "UTF-8")) {
    run->n_unchanged++;
    goto cleanup;
  }

  /* Second pass: each piece decoded, parsed and stored on its own. */
  StoreFile sf = {e->path,    e->realpath,    size,        hash,
                  meta.title, meta.publisher, meta.source, meta.year};
  os_err = chunker_open(e->path, piece_bytes(), &ch);
  while (!os_err && !(os_err = chunker_next(ch, &bytes, &n, &off, &line)) && n > 0) {
    rc = dec_decode(bytes, n, off == 0 ? enc : "UTF-8", &dec, &err);
    if (off == 0 && rc != JFTS_ERR_NOMEM &&
        (rc != JFTS_OK || strcmp(dec->encoding, "UTF-8") != 0)) {
      handled = 0; /* Shift_JIS, say: detection needs the whole file */
      goto cleanup;
    }
    if (rc == JFTS_ERR_INPUT) {
      msg = shift_offset_message(err, off);
      fail = file_error(run, e->path, msg);
      goto cleanup;
    }
    if (rc == JFTS_OK) {
      size_t bom = dec->n_bom_bytes;
      dec->n_bom_bytes += (size_t)off; /* raw = decoded + n_bom_bytes for UTF-8 */
      rc = report_parse_at(dec->text, dec->n_bytes, line, &rep, &err);
      /* A report the cut went through is left for the next piece, which starts at its title
      ** line, so that no table row or section is split (unless one report outgrows a piece). */
      size_t keep = rc == JFTS_OK && !chunker_at_end(ch) && rep->n_docs > 0
                        ? rep->docs[rep->n_docs - 1].src_start : 0;
      if (keep > 0) {
        report_free(rep);
        rep = NULL;
        rc = report_parse_at(dec->text, keep, line, &rep, &err);
        chunker_keep(ch, bom + keep);
      }
    }
    if (rc == JFTS_OK && off == 0) {
      rc = store_piecewise_begin(store, &err);
      in_savepoint = rc == JFTS_OK;
      if (rc == JFTS_OK) rc = store_replace_file(store, &sf, dec, rep, NULL, &file_id, &err);
    } else if (rc == JFTS_OK) {
      rc = store_append_report(store, &sf, file_id, dec, rep, NULL, &err);
    }
    if (rc != JFTS_OK) {
      fail = fatal(e->path, err);
      goto cleanup;
    }
    tagged |= rep->tagged;
    n_docs += (long)rep->n_docs;
    n_passages += (long)rep->n_passages;
    n_meetings += (long)rep->n_meetings;
    report_free(rep);
    rep = NULL;
    dec_free(dec);
    dec = NULL;
  }
  if (os_err) {
    fail = file_error(run, e->path, strerror(os_err));
    goto cleanup;
  }
  if (in_savepoint) {
    in_savepoint = 0;
    rc = store_piecewise_end(store, 1, &err);
    if (rc != JFTS_OK) {
      fail = fatal(e->path, err);
      goto cleanup;
    }
  }
  run->n_indexed++;
  run->n_untagged += !tagged;
  run->n_docs += n_docs;
  run->n_passages += n_passages;
  run->n_meetings += n_meetings;

cleanup:
  if (in_savepoint) store_piecewise_end(store, 0, NULL);
  chunker_close(ch);
  meta_clear(&meta);
  report_free(rep);
  dec_free(dec);
  jfts_free(err);
  jfts_free(msg);
  *fail_out = fail == FAIL_SKIP ? FAIL_NONE : fail;
  return handled;
}

/* Reads e whole into *raw_out (free()) and hashes it. Returns FAIL_NONE or the read error. */
static FileFail read_hashed(Run *run, const Entry *e, unsigned char **raw_out, size_t *n_out,
                            char hash[17]) {
  int os_err = jfts_read_file(e->path, raw_out, n_out);
  if (os_err) return file_error(run, e->path, strerror(os_err));
  store_hash(*raw_out, *n_out, hash);
  return FAIL_NONE;
}

/* pre: what the prefetch worker prepared for e, or NULL; index_one takes over its parts. */
static FileFail index_one(Run *run, Store *store, const Entry *e, PrefetchItem *pre) {
  FileFail fail = FAIL_NONE;
  unsigned char *raw = NULL;
  size_t n_raw = 0;
  DecodedText *dec = NULL;
  Report *rep = NULL;
  char *err = NULL;
  Meta meta = {0};
  int rc;

  if (e->realpath == NULL) return file_error(run, e->path, strerror(ENOENT));
  struct stat sb;
  /* A prepared file was read whole, within the piece size. */
  if (pre == NULL && stat(e->path, &sb) == 0 && S_ISREG(sb.st_mode) &&
      (uint64_t)sb.st_size > piece_bytes()) {
    FileFail pf;
    if (index_pieces(run, store, e, &pf)) return pf;
  }
  char hash[17];
  if (pre) {
    /* Read, hashed and found not binary by the worker. */
    n_raw = pre->n_raw;
    memcpy(hash, pre->hash, sizeof hash);
  } else {
    fail = read_hashed(run, e, &raw, &n_raw, hash);
    if (fail != FAIL_NONE) goto cleanup;
    if (e->walked && dec_is_binary(raw, n_raw, NULL)) {
      /* Expected in a tree of documents (images, PDFs): a warning, not an error. The decoder
      ** words the reason ("binary file (PDF)"), so ask it. */
      rc = dec_decode(raw, n_raw, NULL, &dec, &err);
      if (rc == JFTS_ERR_NOMEM) {
        fail = fatal(e->path, NULL);
      } else {
        fprintf(stderr, PROG ": warning: %s: %s; skipped\n", e->path,
                err ? err : "binary file");
      }
      goto cleanup;
    }
  }
  int same = 0;
  fail = lookup_same(run, e, (int64_t)n_raw, hash, &meta, &same);
  if (fail != FAIL_NONE) goto cleanup;
  if (same && run->opt.encoding == NULL) {
    run->n_unchanged++;
    goto cleanup;
  }

  if (pre && pre->dec) {
    dec = pre->dec;
    pre->dec = NULL;
  } else {
    /* The worker stopped at the hash (the bytes are those indexed) but the metadata
    ** differs: read the file here. */
    if (raw == NULL && (fail = read_hashed(run, e, &raw, &n_raw, hash)) != FAIL_NONE)
      goto cleanup;
    rc = dec_decode(raw, n_raw, run->opt.encoding, &dec, &err);
    if (rc == JFTS_ERR_INPUT) {
      fail = file_error(run, e->path, err);
      goto cleanup;
    }
    if (rc == JFTS_ERR_USAGE) {
      fprintf(stderr, PROG ": %s\n", err);
      fail = FAIL_USAGE;
      goto cleanup;
    }
    if (rc != JFTS_OK) {
      fail = fatal(e->path, err);
      goto cleanup;
    }
  }
  /* Same bytes decoded as before: an --encoding that changes nothing keeps the file. */
  if (same && str_eq(e->old.encoding, dec->encoding)) {
    run->n_unchanged++;
    goto cleanup;
  }
  free(raw); /* the decoded copy is all the rest needs */
  raw = NULL;
  if (pre && pre->rep) {
    rep = pre->rep;
    pre->rep = NULL;
  } else {
    rc = report_parse(dec->text, dec->n_bytes, &rep, &err);
    if (rc != JFTS_OK) {
      fail = fatal(e->path, err);
      goto cleanup;
    }
  }
  StoreFile sf = {e->path,     e->realpath,    (int64_t)n_raw, hash,
                  meta.title,  meta.publisher, meta.source,    meta.year};
  rc = store_replace_file(store, &sf, dec, rep, pre ? pre->toks : NULL, NULL, &err);
  if (rc != JFTS_OK) {
    fail = fatal(NULL, err);
    goto cleanup;
  }
  run->n_indexed++;
  run->n_untagged += !rep->tagged;
  run->n_docs += (long)rep->n_docs;
  run->n_passages += (long)rep->n_passages;
  run->n_meetings += (long)rep->n_meetings;

cleanup:
  meta_clear(&meta);
  report_free(rep);
  dec_free(dec);
  jfts_free(err);
  free(raw);
  return fail == FAIL_SKIP ? FAIL_NONE : fail;
}

/* Starts the prefetch worker (prefetch.h) on run's entries, unless JFTS_INDEX_THREADS is 1
** or the machine has one CPU. The worker gets the index's size and hash of each file (from
** look_up_indexed) so that it need not decode one that is unchanged. Any failure leaves
** *pf_out NULL, and the run does everything on this thread. */
static void start_prefetch(Run *run, PrefetchJob **jobs_out, Prefetch **pf_out) {
  *jobs_out = NULL;
  *pf_out = NULL;
  const char *v = getenv("JFTS_INDEX_THREADS");
  long threads = v && *v ? atol(v) : sysconf(_SC_NPROCESSORS_ONLN);
  if (threads < 2 || run->n_entries == 0) return;
  PrefetchJob *jobs = jfts_calloc(run->n_entries, sizeof *jobs);
  if (jobs == NULL) return;
  for (size_t i = 0; i < run->n_entries; i++) {
    const Entry *e = &run->entries[i];
    PrefetchJob *j = &jobs[i];
    j->path = e->path;
    j->walked = e->walked;
    j->skip = e->dup || e->realpath == NULL;
    if (j->skip || !e->indexed) continue;
    j->known = 1;
    j->known_size = e->old.size;
    memcpy(j->known_hash, e->old.hash, sizeof j->known_hash);
  }
  size_t max = piece_bytes() < PREFETCH_MAX_FILE_BYTES ? piece_bytes() : PREFETCH_MAX_FILE_BYTES;
  if (prefetch_start(jobs, run->n_entries, run->opt.encoding, max, pf_out) != JFTS_OK) {
    jfts_free(jobs);
    return;
  }
  *jobs_out = jobs;
}

/* ---- main -------------------------------------------------------------------------------- */

static int plural(long n) { return n != 1; }

int main(int argc, char **argv) {
  /* No setlocale(): arguments and paths are bytes (UTF-8) whatever the locale says. */
  /* One connection, used by this thread only (the prefetch worker never calls SQLite):
  ** SQLite's per-call mutexes and its memory statistics (a mutex per allocation) cost about
  ** a tenth of the CPU time of an index build. Must come before SQLite is first used; a
  ** failure only leaves the defaults. */
  sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  Run run = {.opt = {.db = "jfts.db"}};
  Store *store = NULL;
  Prefetch *prefetch = NULL;
  PrefetchJob *jobs = NULL;
  char *err = NULL;
  int status = EXIT_FAIL;
  FileFail fail = FAIL_NONE;
  enum { OPT_DB = 256, OPT_ENCODING, OPT_PRUNE, OPT_KEEP_GOING, OPT_QUIET, OPT_VERSION };
  static const struct option longopts[] = {
      {"db", required_argument, NULL, OPT_DB},
      {"encoding", required_argument, NULL, OPT_ENCODING},
      {"prune", no_argument, NULL, OPT_PRUNE},
      {"keep-going", no_argument, NULL, OPT_KEEP_GOING},
      {"quiet", no_argument, NULL, OPT_QUIET},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0},
  };
  int c;
  argv[0] = (char *)PROG; /* getopt's own messages name the program by argv[0] */
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
    switch (c) {
      case OPT_DB: run.opt.db = optarg; break;
      case OPT_ENCODING: run.opt.encoding = optarg; break;
      case OPT_PRUNE: run.opt.prune = 1; break;
      case OPT_KEEP_GOING: run.opt.keep_going = 1; break;
      case OPT_QUIET: run.opt.quiet = 1; break;
      case 'h': usage(stdout); return fclose(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
      case OPT_VERSION:
        printf(PROG " %s (schema %d, tokenizer %d)\n", JFTS_VERSION, JFTS_SCHEMA_VERSION,
               JFTS_TOKENIZER_VERSION);
        return fclose(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
      default:
        fprintf(stderr, "Try '" PROG " --help' for more information.\n");
        return EXIT_USAGE;
    }
  }
  if (optind == argc && !run.opt.prune) {
    fprintf(stderr, PROG ": no PATH given\nTry '" PROG " --help' for more information.\n");
    return EXIT_USAGE;
  }
  if (run.opt.db[0] == '\0') {
    fprintf(stderr, PROG ": --db needs a file name\n");
    return EXIT_USAGE;
  }
  if (run.opt.encoding) {
    /* An unknown name is a usage error even when no file needs decoding. */
    DecodedText *probe = NULL;
    int rc = dec_decode((const unsigned char *)"", 0, run.opt.encoding, &probe, &err);
    dec_free(probe);
    if (rc != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
      jfts_free(err);
      return rc == JFTS_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
    }
  }
  run.progress = !run.opt.quiet && isatty(STDERR_FILENO);

  int rc = store_open(run.opt.db, STORE_WRITE, &store, &err);
  if (rc == JFTS_OK) rc = store_begin(store, &err);
  if (rc != JFTS_OK) {
    fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
    goto cleanup;
  }
  run.db_real = realpath(run.opt.db, NULL);

  fail = collect(&run, argv + optind, argc - optind);
  if (fail == FAIL_NONE) fail = resolve(&run);
  if (fail == FAIL_NONE) fail = look_up_indexed(&run, store);
  for (size_t i = 0; i < run.n_entries; i++) run.bytes_total += run.entries[i].size;
  run.t_start = run.t_last = now_seconds();
  if (fail == FAIL_NONE) start_prefetch(&run, &jobs, &prefetch);
  for (size_t i = 0; fail == FAIL_NONE && i < run.n_entries; i++) {
    PrefetchItem *pre = prefetch_take(prefetch, i);
    if (!run.entries[i].dup) fail = index_one(&run, store, &run.entries[i], pre);
    prefetch_item_free(pre);
    run.bytes_done += run.entries[i].size;
    progress(&run, i + 1, 0);
  }
  prefetch_stop(prefetch);
  prefetch = NULL;
  progress(&run, 0, 1);
  if (fail == FAIL_NONE && run.opt.prune) {
    rc = store_prune(store, &run.n_pruned, &err);
    if (rc != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
      fail = FAIL_FATAL;
    }
  }
  if (fail == FAIL_NONE) {
    /* Passages went into the full-text index as they were stored; the commit writes out
    ** FTS5's last pending terms and the pages, which takes a moment on a large run. */
    if (run.progress && run.n_passages > 0)
      fprintf(stderr, "\r\x1b[K" PROG ": writing the index of %ld passage%s...",
              run.n_passages, plural(run.n_passages) ? "s" : "");
    rc = store_commit(store, &err);
    progress(&run, 0, 1);
    if (rc != JFTS_OK) {
      fprintf(stderr, PROG ": %s\n", err ? err : "out of memory");
      fail = FAIL_FATAL;
    }
  }
  if (fail != FAIL_NONE) {
    status = fail == FAIL_USAGE ? EXIT_USAGE : EXIT_FAIL;
    goto cleanup;
  }

  if (!run.opt.quiet) {
    printf("indexed %d file%s (%ld document%s, %ld passage%s, %ld meeting%s); %d unchanged; "
           "%d untagged; %d pruned",
           run.n_indexed, plural(run.n_indexed) ? "s" : "", run.n_docs,
           plural(run.n_docs) ? "s" : "", run.n_passages, plural(run.n_passages) ? "s" : "",
           run.n_meetings, plural(run.n_meetings) ? "s" : "", run.n_unchanged, run.n_untagged,
           run.n_pruned);
    if (run.n_skipped) printf("; %d skipped", run.n_skipped);
    putchar('\n');
  }
  status = run.n_skipped ? EXIT_SKIPPED : EXIT_OK;
  if (fclose(stdout) != 0) {
    fprintf(stderr, PROG ": cannot write standard output\n");
    status = EXIT_FAIL;
  }

cleanup:
  prefetch_stop(prefetch);
  jfts_free(jobs);
  if (store) store_rollback(store, NULL);
  store_close(store);
  jfts_free(err);
  for (size_t i = 0; i < run.n_entries; i++) {
    free(run.entries[i].path);
    free(run.entries[i].realpath);
    store_file_row_clear(&run.entries[i].old);
    jfts_free(run.entries[i].lookup_err);
  }
  free(run.entries);
  free(run.db_real);
  return status;
}
