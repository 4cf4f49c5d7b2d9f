/* Indexing a file as jfts-index does (decode, report parser, store), shared by the tests that
** need a real index of the corpus or a fixture. Include after <cmocka.h>; link jfts_store. */
#ifndef JFTS_TEST_INDEX_H
#define JFTS_TEST_INDEX_H

#include <stdio.h>

#include "decode.h"
#include "jfts_common.h"
#include "report.h"
#include "store.h"

/* Stores file into s inside the caller's transaction, with the path, identity and metadata
** of *as (its size and hash are filled in from the file). */
static inline void test_store_file(Store *s, const char *file, const StoreFile *as) {
  FILE *fp = fopen(file, "rb");
  if (fp == NULL) fail_msg("cannot open %s", file);
  static unsigned char raw[1 << 18];
  size_t n = fread(raw, 1, sizeof raw, fp);
  fclose(fp);
  assert_true(n > 0 && n < sizeof raw);
  DecodedText *dec = NULL;
  Report *rep = NULL;
  assert_int_equal(dec_decode(raw, n, NULL, &dec, NULL), JFTS_OK);
  assert_int_equal(report_parse(dec->text, dec->n_bytes, &rep, NULL), JFTS_OK);
  char hash[17];
  store_hash(raw, n, hash);
  StoreFile f = *as;
  f.size = (int64_t)n;
  f.hash = hash;
  assert_int_equal(store_replace_file(s, &f, dec, rep, NULL, NULL, NULL), JFTS_OK);
  report_free(rep);
  dec_free(dec);
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
