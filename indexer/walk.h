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

#endif
