/* Normalization (ICU NFKC_Casefold) and character classes: the single definition of "the
** same text" shared by the FTS5 tokenizer (index and query side) and by the query-time
** matcher that finds occurrences. Both must agree exactly, or recall and match offsets drift.
** Each normalized code point keeps the byte range of the source text it came from. */
#ifndef JFTS_NORM_H
#define JFTS_NORM_H

#include <stddef.h>
#include <stdint.h>

/* Class of a normalized code point. */
typedef enum NormClass {
  NORM_SPACE = 0, /* white space, controls, format chars: separate tokens, no text of their own */
  NORM_PUNCT,     /* Unicode punctuation (P*): separates tokens */
  NORM_WORD,      /* letters of space-separated scripts (Latin, Greek, Cyrillic...), digits,
                  ** and marks attached to them: matched as whole words */
  NORM_CJK        /* everything else that is text: Han, kana, Hangul, symbols, emoji;
                  ** matched as character n-grams */
} NormClass;

typedef struct NormText {
  uint32_t *cp;        /* normalized code points */
  uint32_t *src_start; /* per code point: byte offset in the source UTF-8 where its source starts */
  uint32_t *src_end;   /* per code point: byte offset where its source ends */
  uint8_t *cls;        /* per code point: a NormClass (combining marks: see norm_class) */
  size_t n;            /* number of normalized code points */
} NormText;

/* Normalizes UTF-8 text with NFKC_Casefold. Each maximal invalid UTF-8 subsequence is read
** as one U+FFFD. Code points that come 1:1 from a source char get that char's byte range;
** all code points of a normalization segment that changed (ｶﾞ -> ガ, ㍻ -> 平成, A -> a)
** share the segment's whole byte range; a source char that normalizes to nothing (soft
** hyphen, ZWJ) yields no code point. Ranges are contiguous and non-decreasing.
** ICU lengths are 32-bit: n_bytes must be below 2 GiB (JFTS_ERR_USAGE otherwise).
** Returns JFTS_OK with *out a new NormText (free with norm_free), JFTS_ERR_NOMEM or
** JFTS_ERR_ICU (with *err_out naming the ICU function and error); *out is NULL on error. */
int norm_text(const char *utf8, size_t n_bytes, NormText **out, char **err_out);
void norm_free(NormText *t);

/* Class of a code point that is already normalized. A combining mark (M*) standing alone is
** NORM_CJK here; inside a NormText it takes the class of the code point before it (so an
** accent stays inside its Latin word). */
NormClass norm_class(uint32_t cp);

/* 1 when the space run between normalized positions a and b (exclusive) may be skipped for
** matching: it holds only NORM_SPACE chars, and either both sides are NORM_CJK (any white
** space, line breaks too: "児 童", "相談機関のネッ\nトワーク") or one side is NORM_WORD and the
** other NORM_CJK and the run holds no line break ("8050 問題" matches 8050問題). Two word
** runs never meet across it. An empty run (first_after == last_before + 1) has nothing to
** skip and gives 0, as do out-of-range positions. */
int norm_space_skippable(const NormText *t, size_t last_before, size_t first_after);

/* Reusable normalization for hot paths (the tokenizer normalizes every row): the buffers
** of a NormWork grow to the largest text seen and are kept between calls. */

/* Memory functions for a NormWork, so that code running inside SQLite can use
** sqlite3_realloc64/sqlite3_free and the programs jfts_realloc/jfts_free. realloc_fn(NULL, n)
** must allocate; it returns NULL when out of memory. */
typedef struct NormAlloc {
  void *(*realloc_fn)(void *p, size_t n_bytes);
  void (*free_fn)(void *p);
} NormAlloc;

typedef struct NormWork {
  NormText text;          /* result of the last norm_work_run; arrays owned by the NormWork */
  size_t cap_cp;          /* capacity of text's arrays, in code points */
  uint16_t *u16;          /* the source as UTF-16 */
  uint32_t *u16_src;      /* per UTF-16 unit (plus one sentinel): byte offset of its source char */
  size_t cap_u16;         /* capacity of u16, in UTF-16 units */
  const NormAlloc *alloc; /* memory functions; NULL means jfts_realloc/jfts_free */
} NormWork;

/* Normalizes like norm_text into w->text, reusing w's buffers. Initialise w with all fields
** zero (and alloc set if wanted). w->text stays valid until the next call or
** norm_work_release. Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE or JFTS_ERR_ICU (with
** *err_out, allocated by jfts_malloc, when err_out is not NULL); on error w->text.n is 0. */
int norm_work_run(NormWork *w, const char *utf8, size_t n_bytes, char **err_out);

/* Frees w's buffers (w itself belongs to the caller) and zeroes them, keeping w->alloc.
** Accepts NULL. */
void norm_work_release(NormWork *w);

#endif
