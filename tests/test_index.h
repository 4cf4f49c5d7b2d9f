/* Indexing a file as jfts-index does, through the real ingest module (ingest.h), shared by the
** tests that need a real index of the corpus or a fixture. Include after <cmocka.h>; link
** jfts_ingest. */
#ifndef JFTS_TEST_INDEX_H
#define JFTS_TEST_INDEX_H

#include "ingest.h"
#include "jfts_common.h"
#include "store.h"

/* Stores file into s inside the caller's transaction, with the path, identity and metadata
** of *as (its size and hash come from the file; as->size and as->hash are ignored). */
static inline void test_store_file(Store *s, const char *file, const StoreFile *as) {
  const IngestMeta meta = {as->title, as->publisher, as->source, as->year};
  const IngestFile f = {.path = file, .stored_path = as->path, .realpath = as->realpath,
                        .meta = &meta};
  const IngestOptions opt = {NULL, INGEST_PIECE_BYTES_DEFAULT, NULL, NULL};
  IngestResult res;
  ingest_file(s, &opt, &f, NULL, &res);
  if (res.status != INGEST_INDEXED)
    fail_msg("cannot index %s: status %d: %s%s%s", file, (int)res.status,
             res.where ? res.where : "", res.where ? ": " : "", res.reason ? res.reason : "");
  ingest_result_clear(&res);
}

/* Adds file to the database at db_path (created when missing) in one committed run. */
static inline void test_index_file(const char *db_path, const char *file, const StoreFile *as) {
  Store *s = NULL;
  assert_int_equal(store_open(db_path, STORE_WRITE, &s, NULL), JFTS_OK);
  assert_int_equal(store_begin(s, NULL), JFTS_OK);
  test_store_file(s, file, as);
  assert_int_equal(store_commit(s, NULL), JFTS_OK);
  store_close(s);
}

#endif
