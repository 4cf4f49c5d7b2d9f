/* Preparing one jfts-index run's files for ingest: the index looked up once per file, and the
** prefetch worker started on the text files. Kept apart from jfts-index's main, which only
** parses options and words results, and from ingest.c, which indexes one file. */
#include "ingest_run.h"

#include <string.h>

#include "ingest.h"
#include "jfts_common.h"

int ingest_look_up_all(Store *store, const WalkList *files, IngestLooked **looked_out) {
  IngestLooked *looked = jfts_calloc(files->n_entries + 1, sizeof *looked);
  *looked_out = looked;
  if (looked == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < files->n_entries; i++) {
    const WalkEntry *e = &files->entries[i];
    IngestLooked *l = &looked[i];
    if (e->dup || e->realpath == NULL) continue;
    if (store_lookup_file(store, e->realpath, &l->indexed, &l->old, &l->lookup_err) != JFTS_OK &&
        l->lookup_err == NULL)
      return JFTS_ERR_NOMEM;
  }
  return JFTS_OK;
}

void ingest_looked_free(IngestLooked *looked, size_t n_entries) {
  if (looked == NULL) return;
  for (size_t i = 0; i < n_entries; i++) {
    store_file_row_clear(&looked[i].old);
    jfts_free(looked[i].lookup_err);
  }
  jfts_free(looked);
}

void ingest_prefetch_start(const WalkList *files, const IngestLooked *looked,
                           const char *encoding, size_t piece_bytes, long threads,
                           PrefetchJob **jobs_out, Prefetch **pf_out) {
  *jobs_out = NULL;
  *pf_out = NULL;
  size_t n = files->n_entries;
  if (threads < 2 || n == 0) return;
  PrefetchJob *jobs = jfts_calloc(n, sizeof *jobs);
  if (jobs == NULL) return;
  for (size_t i = 0; i < n; i++) {
    const WalkEntry *e = &files->entries[i];
    const IngestLooked *l = &looked[i];
    PrefetchJob *j = &jobs[i];
    j->path = e->path;
    j->walked = e->walked;
    j->skip = e->dup || e->realpath == NULL || !ingest_is_text_name(e->path);
    if (j->skip || !l->indexed) continue;
    j->known = 1;
    j->known_size = l->old.size;
    memcpy(j->known_hash, l->old.hash, sizeof j->known_hash);
  }
  size_t max = piece_bytes < PREFETCH_MAX_FILE_BYTES ? piece_bytes : PREFETCH_MAX_FILE_BYTES;
  if (prefetch_start(jobs, n, encoding, max, pf_out) != JFTS_OK) {
    jfts_free(jobs);
    return;
  }
  *jobs_out = jobs;
}
