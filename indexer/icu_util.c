/* ICU error mapping (icu_util.h): one place decides which ICU failures are out-of-memory and
** how the others are worded, so that every ICU-using module reports them alike. */
#include "icu_util.h"

#include "jfts_common.h"

int jfts_icu_error(UErrorCode status, const char *fn, char **err_out) {
  if (status == U_MEMORY_ALLOCATION_ERROR) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "%s: %s", fn, u_errorName(status));
  return JFTS_ERR_ICU;
}
