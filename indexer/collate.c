/* ICU collation over UTF-8 (collate.h): ucol_strcollUTF8 for single comparisons and
** ucol_getSortKey on a UTF-16 copy for sort keys. The collator is set to quaternary strength
** because Japanese tailoring leaves kana type (hiragana/katakana) to the quaternary level,
** and a KWIC sort that ties あ with ア would fall back to document order at random-looking
** places. */
#include "collate.h"

#include <string.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>

#include "icu_util.h"
#include "jfts_common.h"

struct Collator {
  UCollator *ucol;
};

int coll_open(const char *locale, Collator **out, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  *out = NULL;
  Collator *c = jfts_calloc(1, sizeof *c);
  if (c == NULL) return JFTS_ERR_NOMEM;
  c->ucol = ucol_open(locale ? locale : "", &status);
  if (U_FAILURE(status)) {
    coll_close(c);
    return jfts_icu_error(status, "ucol_open", err_out);
  }
  ucol_setAttribute(c->ucol, UCOL_STRENGTH, UCOL_QUATERNARY, &status);
  if (U_FAILURE(status)) {
    coll_close(c);
    return jfts_icu_error(status, "ucol_setAttribute", err_out);
  }
  *out = c;
  return JFTS_OK;
}

void coll_close(Collator *c) {
  if (c == NULL) return;
  if (c->ucol) ucol_close(c->ucol);
  jfts_free(c);
}

static int check_len(size_t n_bytes, char **err_out) {
  if (n_bytes > (size_t)INT32_MAX - 1) {
    jfts_set_error(err_out, "text of %zu bytes is too long to collate (limit 2 GiB)", n_bytes);
    return JFTS_ERR_USAGE;
  }
  return JFTS_OK;
}

int coll_compare(const Collator *c, const char *a, size_t n_a, const char *b, size_t n_b,
                 int *cmp_out, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  *cmp_out = 0;
  int rc = check_len(n_a, err_out);
  if (rc == JFTS_OK) rc = check_len(n_b, err_out);
  if (rc != JFTS_OK) return rc;
  UCollationResult r = ucol_strcollUTF8(c->ucol, a, (int32_t)n_a, b, (int32_t)n_b, &status);
  if (U_FAILURE(status)) return jfts_icu_error(status, "ucol_strcollUTF8", err_out);
  *cmp_out = r == UCOL_LESS ? -1 : r == UCOL_GREATER ? 1 : 0;
  return JFTS_OK;
}

int coll_sort_key(const Collator *c, const char *utf8, size_t n_bytes, uint8_t **key_out,
                  size_t *n_key_out, char **err_out) {
  UErrorCode status = U_ZERO_ERROR;
  UChar small[256];
  UChar *u16 = small;
  uint8_t *key = NULL;
  int32_t n_u16 = 0;
  *key_out = NULL;
  *n_key_out = 0;
  int rc = check_len(n_bytes, err_out);
  if (rc != JFTS_OK) return rc;
  /* One UTF-8 byte never yields more than one UTF-16 unit. */
  if (n_bytes > sizeof small / sizeof *small) {
    u16 = jfts_malloc(n_bytes * sizeof *u16);
    if (u16 == NULL) return JFTS_ERR_NOMEM;
  }
  u_strFromUTF8WithSub(u16, (int32_t)(n_bytes ? n_bytes : 1), &n_u16, utf8, (int32_t)n_bytes,
                       0xFFFD, NULL, &status);
  if (U_FAILURE(status)) {
    rc = jfts_icu_error(status, "u_strFromUTF8WithSub", err_out);
    goto cleanup;
  }
  uint8_t probe[64];
  int32_t n_key = ucol_getSortKey(c->ucol, u16, n_u16, probe, (int32_t)sizeof probe);
  if (n_key <= 0) {
    jfts_set_error(err_out, "ucol_getSortKey: failed");
    rc = JFTS_ERR_ICU;
    goto cleanup;
  }
  key = jfts_malloc((size_t)n_key);
  if (key == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  if ((size_t)n_key <= sizeof probe) {
    memcpy(key, probe, (size_t)n_key);
  } else if (ucol_getSortKey(c->ucol, u16, n_u16, key, n_key) != n_key) {
    jfts_set_error(err_out, "ucol_getSortKey: key length changed");
    rc = JFTS_ERR_ICU;
    goto cleanup;
  }
  *key_out = key;
  *n_key_out = (size_t)n_key;
  key = NULL;

cleanup:
  if (u16 != small) jfts_free(u16);
  jfts_free(key);
  return rc;
}

int coll_key_cmp(const uint8_t *a, size_t n_a, const uint8_t *b, size_t n_b) {
  int r = memcmp(a, b, n_a < n_b ? n_a : n_b);
  if (r != 0) return r;
  return n_a < n_b ? -1 : n_a > n_b;
}
