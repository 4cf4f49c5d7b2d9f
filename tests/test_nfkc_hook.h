/* An ICU failure a test can inject: NFKC_Casefold unavailable, as when ICU's data cannot be
** loaded. It defines a function, so include it in one file of a test program only (the
** tokenizer and store tests). */
#ifndef JFTS_TEST_NFKC_HOOK_H
#define JFTS_TEST_NFKC_HOOK_H

#include <unicode/unorm2.h>

/* Set to make ICU's NFKC_Casefold instance unavailable, as when its data cannot be loaded.
** This definition takes the place of ICU's in this program (norm.c, linked statically, calls
** it for every text); unset, it returns the same instance ICU's would. */
static UErrorCode g_nfkc_failure = U_ZERO_ERROR;

const UNormalizer2 *unorm2_getNFKCCasefoldInstance(UErrorCode *pErrorCode) {
  if (U_FAILURE(*pErrorCode)) return NULL;
  if (g_nfkc_failure != U_ZERO_ERROR) {
    *pErrorCode = g_nfkc_failure;
    return NULL;
  }
  return unorm2_getInstance(NULL, "nfkc_cf", UNORM2_COMPOSE, pErrorCode);
}

#endif
