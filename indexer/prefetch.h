/* Prefetch: the part of indexing a file that needs no database (read, hash, decode, parse,
** tokenize), done ahead of jfts-index's main thread on one worker thread, so that SQLite and
** FTS5 (about half of a build, and bound to one thread) overlap with everything else.
**
** It is a pure cache. The worker never prints and never decides anything: whatever it did
** not prepare (a read or decode error, a binary file, a file above max_bytes, a job marked
** skip) the main thread does itself as before, so messages, their order and the resulting
** index are those of a one-thread run. Memory stays bounded: the worker waits while the
** prepared files not yet taken reach PREFETCH_AHEAD_BYTES of input or PREFETCH_AHEAD_FILES. */
#ifndef JFTS_PREFETCH_H
#define JFTS_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"
#include "report.h"
#include "tokenizer.h"

/* The worker waits once the files it prepared and the main thread has not taken yet hold
** this many input bytes, or are this many (one file is always allowed). A few files ahead
** are enough to keep the main thread busy; each holds some kilobytes however small it is. */
#define PREFETCH_AHEAD_BYTES ((size_t)2 << 20)
#define PREFETCH_AHEAD_FILES 16

/* Larger files are left to the main thread: a prepared file holds about six times its size
** (decoded text, report, tokens) until it is stored. */
#define PREFETCH_MAX_FILE_BYTES ((size_t)2 << 20)

/* One file to prepare. Strings are borrowed and must outlive the Prefetch. */
typedef struct PrefetchJob {
  const char *path;
  int skip;            /* 1: not prepared (duplicate, unresolved, handled otherwise) */
  int walked;          /* found by a directory walk: a binary file is left to the caller */
  int known;           /* the index holds this file (realpath) already, with: */
  int64_t known_size;  /*   its raw size */
  char known_hash[17]; /*   and store_hash */
} PrefetchJob;

/* What the worker made of one file; the caller owns it and may take any pointer over
** (setting it to NULL) before prefetch_item_free. */
typedef struct PrefetchItem {
  size_t n_raw;        /* bytes read */
  char hash[17];       /* store_hash of those bytes */
  /* 1 when size and hash equal the job's known_* (and no encoding was forced): nothing was
  ** decoded, the caller decides with the metadata whether the file is unchanged. */
  int known_same;
  DecodedText *dec;    /* otherwise all three are set: the decoded text, */
  Report *rep;         /* its report, */
  TokBatch *toks;      /* and the tokens of each passage text (store_replace_file) */
} PrefetchItem;

typedef struct Prefetch Prefetch;

/* Starts the worker on jobs[0..n_jobs) (borrowed until prefetch_stop). encoding is the
** run's --encoding or NULL; files larger than max_bytes are not prepared. Returns JFTS_OK,
** JFTS_ERR_NOMEM, or JFTS_ERR_IO when no thread can be started (the caller then simply does
** all the work itself). */
int prefetch_start(const PrefetchJob *jobs, size_t n_jobs, const char *encoding,
                   size_t max_bytes, Prefetch **out);

/* Waits until job i is done and returns what was prepared for it (NULL when nothing was).
** Jobs are taken in increasing order; jobs passed over are released (as soon as the worker
** has done them, so that skipping ahead never leaves both threads waiting), and a job below
** one already taken gives NULL. */
PrefetchItem *prefetch_take(Prefetch *pf, size_t i);

/* Frees the item and whatever it still owns. Accepts NULL. */
void prefetch_item_free(PrefetchItem *it);

/* Stops the worker (at once, if it is still going), waits for it and frees everything not
** taken. Accepts NULL. */
void prefetch_stop(Prefetch *pf);

#endif
