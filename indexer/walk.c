/* The files of a jfts-index run (see walk.h): a recursive, sorted directory walk that follows
** symlinks but not in a loop, and the realpath bookkeeping that keeps one file from being
** indexed twice in a run. Moved out of index_main.c so that the program's main only parses
** options, calls modules and maps their results. */
#define _XOPEN_SOURCE 700 /* realpath() */
#define _DEFAULT_SOURCE   /* d_type and DT_* of struct dirent */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jfts_common.h"

static int add_entry(WalkList *list, char *path, char *real, int64_t size, int walked) {
  if (list->n_entries == list->n_alloc) {
    size_t n_new = list->n_alloc ? list->n_alloc * 2 : 64;
    WalkEntry *e = realloc(list->entries, n_new * sizeof *e);
    if (e == NULL) {
      free(path);
      free(real);
      return JFTS_ERR_NOMEM;
    }
    list->entries = e;
    list->n_alloc = n_new;
  }
  list->entries[list->n_entries++] =
      (WalkEntry){.path = path, .realpath = real, .size = size, .walked = walked};
  return JFTS_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Names a walk passes over: not documents, or not meant to be found. */
static int walk_skips(const char *name) {
  return name[0] == '.' || ends_with(name, ".meta") || strncmp(name, "README", 6) == 0;
}

/* Directory entries as read_names keeps them: a type byte, then the name. */
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

static void free_names(char **names, size_t n_names) {
  for (size_t i = 0; i < n_names; i++) free(names[i]);
  free(names);
}

/* Reads the names of d that a walk keeps, sorted. The first byte of each says whether the
** entry may be a symlink ('l': its real path is resolved later) or not ('-'). */
static int read_names(DIR *d, char ***names_out, size_t *n_out) {
  char **names = NULL;
  size_t n_names = 0, n_alloc = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (walk_skips(de->d_name)) continue; /* also "." and ".." */
    if (n_names == n_alloc) {
      n_alloc = n_alloc ? n_alloc * 2 : 32;
      char **nn = realloc(names, n_alloc * sizeof *nn);
      if (nn == NULL) goto nomem;
      names = nn;
    }
    size_t len = strlen(de->d_name);
    if ((names[n_names] = malloc(len + 2)) == NULL) goto nomem;
    names[n_names][0] = de->d_type == DT_LNK || de->d_type == DT_UNKNOWN ? 'l' : '-';
    memcpy(names[n_names] + 1, de->d_name, len + 1);
    n_names++;
  }
  /* An empty folder has no array: qsort must not be handed NULL, even for no entries. */
  if (n_names > 1) qsort(names, n_names, sizeof *names, cmp_entry_name);
  *names_out = names;
  *n_out = n_names;
  return JFTS_OK;

nomem:
  free_names(names, n_names);
  return JFTS_ERR_NOMEM;
}

static int walk_dir(const char *dir, DirStack *stack, const WalkHooks *hooks, WalkList *list);

/* Follows the directory at path (st its stat) unless that would loop or nest too deep. */
static int walk_subdir(const char *path, const struct stat *st, DirStack *stack,
                       const WalkHooks *hooks, WalkList *list) {
  int loop = 0;
  for (size_t k = 0; k < stack->n; k++)
    loop |= stack->dev[k] == st->st_dev && stack->ino[k] == st->st_ino;
  if (loop) {
    hooks->warn(hooks->ctx, path, "directory symlink loop; not followed");
    return JFTS_OK;
  }
  if (stack->n == sizeof stack->dev / sizeof stack->dev[0]) {
    hooks->warn(hooks->ctx, path, "directories nested too deep; not followed");
    return JFTS_OK;
  }
  stack->dev[stack->n] = st->st_dev;
  stack->ino[stack->n++] = st->st_ino;
  int rc = walk_dir(path, stack, hooks, list);
  stack->n--;
  return rc;
}

static int walk_dir(const char *dir, DirStack *stack, const WalkHooks *hooks, WalkList *list) {
  char **names = NULL;
  size_t n_names = 0;
  DIR *d = opendir(dir);
  if (d == NULL) return hooks->problem(hooks->ctx, dir, strerror(errno));
  int rc = read_names(d, &names, &n_names);
  closedir(d);
  /* A regular file found here (not a symlink) has the directory's real path plus its name:
  ** one realpath() per directory instead of one per file (which walks every component). */
  char *dir_real = rc == JFTS_OK ? realpath(dir, NULL) : NULL;
  for (size_t i = 0; rc == JFTS_OK && i < n_names; i++) {
    char *path = join_path(dir, names[i] + 1), *real = NULL;
    struct stat st;
    if (path == NULL) {
      rc = JFTS_ERR_NOMEM;
    } else if (stat(path, &st) != 0) {
      rc = hooks->problem(hooks->ctx, path, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      rc = walk_subdir(path, &st, stack, hooks, list);
    } else if (S_ISREG(st.st_mode)) {
      if (dir_real && names[i][0] != 'l' && (real = join_path(dir_real, names[i] + 1)) == NULL) {
        rc = JFTS_ERR_NOMEM;
      } else {
        rc = add_entry(list, path, real, (int64_t)st.st_size, 1);
        path = NULL; /* add_entry took it over, even when it failed */
      }
    } /* devices, fifos, sockets: not documents */
    free(path);
  }
  free_names(names, n_names);
  free(dir_real);
  return rc;
}

int walk_collect(char *const *paths, int n_paths, const WalkHooks *hooks, WalkList *list) {
  int rc = JFTS_OK;
  DirStack *stack = malloc(sizeof *stack); /* large: kept off the call stack */
  if (stack == NULL) return JFTS_ERR_NOMEM;
  for (int i = 0; rc == JFTS_OK && i < n_paths; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) {
      rc = hooks->problem(hooks->ctx, paths[i], strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
      stack->n = 1;
      stack->dev[0] = st.st_dev;
      stack->ino[0] = st.st_ino;
      rc = walk_dir(paths[i], stack, hooks, list);
    } else if (S_ISREG(st.st_mode)) {
      char *p = strdup(paths[i]);
      rc = p ? add_entry(list, p, NULL, (int64_t)st.st_size, 0) : JFTS_ERR_NOMEM;
    } else {
      rc = hooks->problem(hooks->ctx, paths[i], "not a regular file or directory");
    }
  }
  free(stack);
  return rc;
}

static int cmp_entry_real(const void *a, const void *b) {
  const WalkEntry *x = *(WalkEntry *const *)a, *y = *(WalkEntry *const *)b;
  int c = strcmp(x->realpath, y->realpath);
  return c ? c : (x < y ? -1 : x > y);
}

/* 1 when real is the database at db_real or one of its side files. */
static int is_db_file(const char *real, const char *db_real) {
  size_t m = strlen(db_real);
  const char *tail = real + m;
  return strncmp(real, db_real, m) == 0 &&
         (*tail == '\0' || strcmp(tail, "-wal") == 0 || strcmp(tail, "-shm") == 0 ||
          strcmp(tail, "-journal") == 0);
}

int walk_resolve(WalkList *list, const char *db_real) {
  size_t n = 0;
  for (size_t i = 0; i < list->n_entries; i++) {
    WalkEntry *e = &list->entries[i];
    if (e->realpath == NULL) e->realpath = realpath(e->path, NULL); /* else found by the walk */
    if (e->realpath == NULL) {
      if (errno == ENOMEM) return JFTS_ERR_NOMEM;
      continue; /* reported when the file is read */
    }
    if (db_real && is_db_file(e->realpath, db_real)) e->dup = 1;
  }
  WalkEntry **order = malloc((list->n_entries + 1) * sizeof *order);
  if (order == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < list->n_entries; i++)
    if (list->entries[i].realpath) order[n++] = &list->entries[i];
  qsort(order, n, sizeof *order, cmp_entry_real);
  for (size_t i = 1; i < n; i++)
    if (strcmp(order[i]->realpath, order[i - 1]->realpath) == 0) order[i]->dup = 1;
  free(order);
  return JFTS_OK;
}

void walk_list_clear(WalkList *list) {
  for (size_t i = 0; i < list->n_entries; i++) {
    free(list->entries[i].path);
    free(list->entries[i].realpath);
  }
  free(list->entries);
  memset(list, 0, sizeof *list);
}

/* ---- files passed over ------------------------------------------------------------------ */

/* The kind of the file at path: its extension in lower case when it has one of 1 to 10
** letters or digits, other than ".txt"; else "binary". */
static void skipped_kind(const char *path, char name[16]) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  const char *dot = strrchr(base, '.');
  size_t n = dot && dot != base ? strlen(dot + 1) : 0;
  int ok = n >= 1 && n <= 10;
  for (size_t i = 0; ok && i < n; i++) {
    char c = dot[1 + i];
    ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
  if (ok) {
    name[0] = '.';
    for (size_t i = 0; i < n; i++) {
      char c = dot[1 + i];
      name[1 + i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    name[1 + n] = '\0';
  }
  if (!ok || strcmp(name, ".txt") == 0) strcpy(name, "binary");
}

int walk_skipped_add(WalkSkipped *s, const char *path) {
  char name[16];
  skipped_kind(path, name);
  size_t k = 0;
  while (k < s->n_kinds && strcmp(s->kinds[k].name, name) != 0) k++;
  if (k == s->n_kinds) {
    if (s->n_kinds == s->n_alloc) {
      size_t n_new = s->n_alloc ? s->n_alloc * 2 : 8;
      WalkSkippedKind *grown = realloc(s->kinds, n_new * sizeof *grown);
      if (grown == NULL) return JFTS_ERR_NOMEM;
      s->kinds = grown;
      s->n_alloc = n_new;
    }
    s->kinds[s->n_kinds] = (WalkSkippedKind){.n = 0};
    strcpy(s->kinds[s->n_kinds++].name, name);
  }
  s->kinds[k].n++;
  s->n_files++;
  return JFTS_OK;
}

static int cmp_kind(const void *a, const void *b) {
  const WalkSkippedKind *x = a, *y = b;
  if (x->n != y->n) return x->n > y->n ? -1 : 1;
  return strcmp(x->name, y->name);
}

int walk_skipped_describe(const WalkSkipped *s, char **text_out) {
  *text_out = NULL;
  if (s->n_files == 0) return JFTS_OK;
  WalkSkippedKind *sorted = malloc(s->n_kinds * sizeof *sorted);
  /* "%zu files: " plus ", %zu %s" per kind: 20 digits and a 15-byte name at most each. */
  char *text = malloc(32 + s->n_kinds * 40);
  if (sorted == NULL || text == NULL) {
    free(sorted);
    free(text);
    return JFTS_ERR_NOMEM;
  }
  memcpy(sorted, s->kinds, s->n_kinds * sizeof *sorted);
  qsort(sorted, s->n_kinds, sizeof *sorted, cmp_kind);
  int at = sprintf(text, "%zu file%s:", s->n_files, s->n_files == 1 ? "" : "s");
  for (size_t k = 0; k < s->n_kinds; k++)
    at += sprintf(text + at, "%s %zu %s", k ? "," : "", sorted[k].n, sorted[k].name);
  free(sorted);
  *text_out = text;
  return JFTS_OK;
}

void walk_skipped_clear(WalkSkipped *s) {
  free(s->kinds);
  memset(s, 0, sizeof *s);
}
