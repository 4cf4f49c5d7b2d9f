/* The one rule for turning a failed ICU call into a jfts error, shared by the modules that
** call ICU (decode, norm, textseg with collate). Only those modules include this header: it
** brings ICU's types with it. */
#ifndef JFTS_ICU_UTIL_H
#define JFTS_ICU_UTIL_H

#include <unicode/utypes.h>

/* Maps the status of a failed ICU call (U_FAILURE(status)) to a jfts code:
** U_MEMORY_ALLOCATION_ERROR becomes JFTS_ERR_NOMEM with no message (jfts_error_text says
** "out of memory"); anything else becomes JFTS_ERR_ICU, and *err_out (when err_out is not
** NULL and *err_out is NULL, as jfts_set_error) gets "<fn>: <u_errorName(status)>", e.g.
** "ubrk_open: U_MISSING_RESOURCE_ERROR". fn names the ICU function that failed. */
int jfts_icu_error(UErrorCode status, const char *fn, char **err_out);

#endif
