/* Collecting the files of a jfts-index run: paths named on the command line, and directory
** trees walked recursively in sorted order (hidden files, *.meta sidecars, and README*
** passed over), with their real paths resolved and the entries that reach a file already
** listed (or the database itself) marked. It never prints: problems go to the caller's
** hooks, which decide whether the walk goes on. */
#ifndef JFTS_WALK_H
#define JFTS_WALK_H

#include <stddef.h>
#include <stdint.h>

/* A file to index. Strings are malloc'ed (free()), as realpath() returns them. */
typedef struct WalkEntry {
  char *path;      /* display path: as named, or the walked directory's path plus the name */
  char *realpath;  /* NULL when it could not be resolved (the file went missing) */
  int64_t size;    /* bytes, from stat, for progress */
  int walked;      /* found by a directory walk (not named on the command line) */
  int dup;         /* another entry reaches the same file, or it is the database's: skip */
} WalkEntry;

typedef struct WalkList {
  WalkEntry *entries; /* malloc'ed */
  size_t n_entries, n_alloc;
} WalkList;

typedef struct WalkHooks {
  /* A path that cannot be read, or that is neither a regular file nor a directory; msg says
  ** why (strerror). Return 0 to pass over it and go on; any other value stops the walk and is
  ** returned by walk_collect. */
  int (*problem)(void *ctx, const char *path, const char *msg);
  /* A directory not followed ("directory symlink loop; not followed"); the walk goes on. */
  void (*warn)(void *ctx, const char *path, const char *msg);
  void *ctx;
} WalkHooks;

/* Appends to list the regular files named in paths[0, n_paths) and those found under the
** directories among them, in order. Returns JFTS_OK, JFTS_ERR_NOMEM, or the value of the
** problem hook that stopped the walk; list keeps what was found either way. */
int walk_collect(char *const *paths, int n_paths, const WalkHooks *hooks, WalkList *list);

/* Resolves each entry's realpath (entries found by a walk have theirs already) and marks as
** dup the entries that reach a file listed before them and the database's own files (db_real,
** the database's realpath, and its -wal, -shm and -journal files; NULL: none). Returns
** JFTS_OK or JFTS_ERR_NOMEM. */
int walk_resolve(WalkList *list, const char *db_real);

/* Frees every entry and the array; leaves list empty. */
void walk_list_clear(WalkList *list);

/* The files a walk passed over as not text (binary files), counted by kind, for the one line
** of a run that sums them up. A kind is the file name's extension in lower case (".docx"),
** or "binary" when the name has none, or ".txt" (the extension of text files says nothing
** about what the file really held). Start from WalkSkipped s = {0}. */
typedef struct WalkSkippedKind {
  char name[16]; /* ".docx", "binary" */
  size_t n;      /* files of that kind */
} WalkSkippedKind;

typedef struct WalkSkipped {
  WalkSkippedKind *kinds; /* malloc'ed, in the order first seen */
  size_t n_kinds, n_alloc;
  size_t n_files; /* all kinds together */
} WalkSkipped;

/* Counts the file at path (its name decides the kind). Returns JFTS_OK or JFTS_ERR_NOMEM
** (the count is then unchanged). */
int walk_skipped_add(WalkSkipped *s, const char *path);

/* The summary "12 files: 7 .docx, 3 .xlsx, 2 binary" (kinds by count, most first, then by
** name), a new malloc'ed string in *text_out; NULL when nothing was skipped. Returns JFTS_OK
** or JFTS_ERR_NOMEM. */
int walk_skipped_describe(const WalkSkipped *s, char **text_out);

/* Frees the counts; leaves s empty. */
void walk_skipped_clear(WalkSkipped *s);

#endif
