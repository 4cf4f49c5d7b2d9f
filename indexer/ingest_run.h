/* The files of one jfts-index run made ready for ingest_file (ingest.h): what the index held
** for each when the run began, looked up once before anything is stored, and the prefetch
** worker (prefetch.h) reading the text files ahead. Nothing here prints. */
#ifndef JFTS_INGEST_RUN_H
#define JFTS_INGEST_RUN_H

#include <stddef.h>

#include "prefetch.h"
#include "store.h"
#include "walk.h"

/* What the index held for an entry's realpath when the run began: the row, found or not, or
** the lookup's error (owned), reported when the file's turn comes. */
typedef struct IngestLooked {
  int indexed;
  StoreFileRow old;
  char *lookup_err;
} IngestLooked;

/* Looks every entry of files up in store once, before any is stored: what each held when the
** run began is what its turn compares with (no entry changes another's row), and the
** prefetch worker, which has no database, needs it before the first file is stored. A failed
** lookup is kept in its IngestLooked. *looked_out gets one IngestLooked per entry (free with
** ingest_looked_free). Returns JFTS_OK or JFTS_ERR_NOMEM. */
int ingest_look_up_all(Store *store, const WalkList *files, IngestLooked **looked_out);
void ingest_looked_free(IngestLooked *looked, size_t n_entries); /* accepts NULL */

/* Starts the prefetch worker on the text files of files, unless threads is below 2. The worker
** gets the index's size and hash of each file (looked) so that it need not decode an
** unchanged one, and reads files up to piece_bytes (and PREFETCH_MAX_FILE_BYTES). Any failure
** leaves *pf_out NULL, and the run does everything on its own thread. Free *jobs_out with
** jfts_free after prefetch_stop. */
void ingest_prefetch_start(const WalkList *files, const IngestLooked *looked,
                           const char *encoding, size_t piece_bytes, long threads,
                           PrefetchJob **jobs_out, Prefetch **pf_out);

#endif
