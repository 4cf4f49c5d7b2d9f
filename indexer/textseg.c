/* Text segmentation over UTF-8: ICU break iterators (sentence, dictionary word, grapheme)
** run on a UTF-16 copy whose offsets are mapped back to the caller's byte offsets, and
** display width from the East Asian Width property. One break iterator per kind is opened
** lazily and reused, because opening the Japanese word iterator loads its dictionary. */
#include "textseg.h"

#include "icu_util.h"
#include "jfts_common.h"

#include <stdint.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>

#define SEG_N_KINDS 3

/* Cached iterators, one per SegKind and thread. Cached because opening one costs far more
** than a passage's segmentation (the word iterator loads the Japanese dictionary, ~1.5 ms),
** and seg_boundaries runs for every passage. Per thread because an iterator holds the text it
** is set on, so two threads cannot share one, and jfts-index parses reports on a worker
** thread (prefetch.h) as well as on its main thread. Not passed in as explicit state because
** the callers that segment (report parser, snippets, KWIC) are many layers below anything
** that knows which thread it runs on; seg_shutdown closes a thread's set when it ends. */
static _Thread_local UBreakIterator *g_iter[SEG_N_KINDS];

/* Returns the cached iterator of kind, opening it on first use. */
static int get_iter(SegKind kind, UBreakIterator **iter_out, char **err_out) {
  static const UBreakIteratorType types[SEG_N_KINDS] = {UBRK_SENTENCE, UBRK_WORD,
                                                        UBRK_CHARACTER};
  *iter_out = NULL;
  if (g_iter[kind] == NULL) {
    UErrorCode status = U_ZERO_ERROR;
    UBreakIterator *it = ubrk_open(types[kind], "ja", NULL, 0, &status);
    if (U_FAILURE(status)) {
      if (it) ubrk_close(it);
      return jfts_icu_error(status, "ubrk_open", err_out);
    }
    g_iter[kind] = it;
  }
  *iter_out = g_iter[kind];
  return JFTS_OK;
}

/* Decodes utf8 into a new UTF-16 buffer (ill-formed sequences become U+FFFD, as
** jfts_utf8_next reads them for the tokenizer) and a map from each UTF-16 index (and the end)
** to the byte offset where its source char starts. */
static int to_utf16(const char *utf8, size_t n_bytes, UChar **u16_out, size_t **map_out,
                    int32_t *n_u16_out, char **err_out) {
  int rc = JFTS_OK;
  UChar *u16 = NULL;
  size_t *map = NULL;
  *u16_out = NULL;
  *map_out = NULL;
  *n_u16_out = 0;
  /* ICU indexes with int32_t; one UTF-8 byte never yields more than one UTF-16 unit. */
  if (n_bytes > (size_t)INT32_MAX - 1) {
    jfts_set_error(err_out, "text of %zu bytes is too long to segment (limit 2 GiB)", n_bytes);
    rc = JFTS_ERR_USAGE;
    goto cleanup;
  }
  u16 = jfts_malloc((n_bytes + 1) * sizeof *u16);
  map = jfts_malloc((n_bytes + 1) * sizeof *map);
  if (u16 == NULL || map == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  int32_t n = 0;
  for (size_t i = 0; i < n_bytes;) {
    uint32_t c;
    size_t len = jfts_utf8_next(utf8 + i, n_bytes - i, &c);
    if (U16_LENGTH(c) == 2) {
      map[n] = i;
      u16[n++] = U16_LEAD(c);
      map[n] = i;
      u16[n++] = U16_TRAIL(c);
    } else {
      map[n] = i;
      u16[n++] = (UChar)c;
    }
    i += len;
  }
  map[n] = n_bytes;
  *u16_out = u16;
  *map_out = map;
  *n_u16_out = n;
  u16 = NULL;
  map = NULL;

cleanup:
  jfts_free(u16);
  jfts_free(map);
  return rc;
}

int seg_boundaries(SegKind kind, const char *utf8, size_t n_bytes, size_t **breaks_out,
                   size_t *n_breaks_out, char **err_out) {
  int rc = JFTS_OK;
  UChar *u16 = NULL;
  size_t *map = NULL;
  size_t *breaks = NULL;
  int32_t n_u16 = 0;
  UBreakIterator *it = NULL;
  *breaks_out = NULL;
  *n_breaks_out = 0;

  if ((unsigned)kind >= SEG_N_KINDS) {
    jfts_set_error(err_out, "unknown segmentation kind %d", (int)kind);
    rc = JFTS_ERR_USAGE;
    goto cleanup;
  }
  rc = get_iter(kind, &it, err_out);
  if (rc != JFTS_OK) goto cleanup;
  rc = to_utf16(utf8, n_bytes, &u16, &map, &n_u16, err_out);
  if (rc != JFTS_OK) goto cleanup;

  /* There are at most n_u16 + 1 boundaries; one allocation avoids a grow loop. */
  breaks = jfts_malloc(((size_t)n_u16 + 1) * sizeof *breaks);
  if (breaks == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  size_t n_breaks = 0;
  breaks[n_breaks++] = 0;
  if (n_u16 > 0) {
    UErrorCode status = U_ZERO_ERROR;
    ubrk_setText(it, u16, n_u16, &status);
    if (U_FAILURE(status)) {
      rc = jfts_icu_error(status, "ubrk_setText", err_out);
      goto cleanup;
    }
    for (int32_t b = ubrk_next(it); b != UBRK_DONE; b = ubrk_next(it)) {
      size_t byte = map[b];
      if (byte > breaks[n_breaks - 1]) breaks[n_breaks++] = byte;
    }
    /* Drop the caller's text: the iterator outlives this call but u16 does not. */
    ubrk_setText(it, NULL, 0, &status);
  }
  if (breaks[n_breaks - 1] != n_bytes) breaks[n_breaks++] = n_bytes;
  *breaks_out = breaks;
  *n_breaks_out = n_breaks;
  breaks = NULL;

cleanup:
  jfts_free(u16);
  jfts_free(map);
  jfts_free(breaks);
  return rc;
}

static int cp_width(UChar32 c) {
  int8_t gc = u_charType(c);
  if (gc == U_NON_SPACING_MARK || gc == U_ENCLOSING_MARK || gc == U_FORMAT_CHAR ||
      gc == U_CONTROL_CHAR)
    return 0;
  int eaw = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
  return (eaw == U_EA_WIDE || eaw == U_EA_FULLWIDTH) ? 2 : 1;
}

int seg_display_width(const char *utf8, size_t n_bytes) {
  long long width = 0;
  for (size_t i = 0; i < n_bytes;) {
    uint32_t c;
    i += jfts_utf8_next(utf8 + i, n_bytes - i, &c);
    width += cp_width((UChar32)c); /* an ill-formed sequence is U+FFFD: one column */
  }
  return width > INT32_MAX ? INT32_MAX : (int)width;
}

void seg_shutdown(void) {
  for (int k = 0; k < SEG_N_KINDS; k++) {
    if (g_iter[k]) ubrk_close(g_iter[k]);
    g_iter[k] = NULL;
  }
}
