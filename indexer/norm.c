/* NFKC_Casefold normalization with a source byte range per output code point, and the
** character classes the tokenizer and the matcher share. ICU normalization is the speed limit
** of index building, so text that is already normalized (nearly all kanji and kana) is copied
** 1:1 and only the segments that change go through unorm2_normalize. */
#include "norm.h"

#include "icu_util.h"
#include "jfts_common.h"

#include <limits.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/utypes.h>

/* Internal class of combining marks before they take the class of their base char. */
#define CLS_MARK 4

/* Scripts written without spaces between words (or, for Hangul, best matched by n-grams):
** their letters are NORM_CJK, other letters NORM_WORD. */
static const UScriptCode k_ngram_scripts[] = {
    USCRIPT_HAN,       USCRIPT_HIRAGANA,    USCRIPT_KATAKANA, USCRIPT_KATAKANA_OR_HIRAGANA,
    USCRIPT_HANGUL,    USCRIPT_BOPOMOFO,    USCRIPT_YI,       USCRIPT_THAI,
    USCRIPT_LAO,       USCRIPT_KHMER,       USCRIPT_MYANMAR,  USCRIPT_TIBETAN,
    USCRIPT_TAI_LE,    USCRIPT_NEW_TAI_LUE, USCRIPT_LANNA,    USCRIPT_TAI_VIET,
    USCRIPT_BALINESE,  USCRIPT_JAVANESE,    USCRIPT_BUGINESE, USCRIPT_TANGUT,
    USCRIPT_NUSHU,     USCRIPT_KHITAN_SMALL_SCRIPT};

static int is_ngram_letter(uint32_t cp) {
  UErrorCode st = U_ZERO_ERROR;
  UScriptCode sc = uscript_getScript((UChar32)cp, &st);
  size_t n = sizeof k_ngram_scripts / sizeof k_ngram_scripts[0];
  if (U_FAILURE(st)) return 0;
  if (sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED) {
    /* Shared letters such as ー (prolonged sound mark) belong to kana by their script
    ** extensions, not by their script. */
    for (size_t i = 0; i < n; i++) {
      if (uscript_hasScript((UChar32)cp, k_ngram_scripts[i])) return 1;
    }
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (sc == k_ngram_scripts[i]) return 1;
  }
  return 0;
}

/* Class of an ASCII code point. */
static inline int ascii_class(uint32_t cp) {
  if (cp <= 0x20 || cp == 0x7F) return NORM_SPACE;
  if ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) return NORM_WORD;
  /* The ASCII symbols (S*); every other printable ASCII char is punctuation (P*). */
  if (cp == '$' || cp == '+' || cp == '<' || cp == '=' || cp == '>' || cp == '^' ||
      cp == '`' || cp == '|' || cp == '~')
    return NORM_CJK;
  return NORM_PUNCT;
}

/* Class of one code point, with CLS_MARK for combining marks. */
static int class_raw(uint32_t cp) {
  if (cp < 0x80) return ascii_class(cp);
  /* Fast paths for the blocks that make up most Japanese text; test_norm checks them
  ** against the general rule below. U+3099/309A are marks, U+30A0 and U+30FB punctuation. */
  if ((cp >= 0x3041 && cp <= 0x3098) || (cp >= 0x309B && cp <= 0x309F) ||
      (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x30FC && cp <= 0x30FF) ||
      (cp >= 0x3400 && cp <= 0x9FFF))
    return NORM_CJK;
  if (cp == 0xFFFD) return NORM_CJK;
  if (u_isUWhiteSpace((UChar32)cp)) return NORM_SPACE;
  switch (u_charType((UChar32)cp)) {
    case U_SPACE_SEPARATOR:
    case U_LINE_SEPARATOR:
    case U_PARAGRAPH_SEPARATOR:
    case U_CONTROL_CHAR:
    case U_FORMAT_CHAR:
      return NORM_SPACE;
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
      return NORM_PUNCT;
    case U_DECIMAL_DIGIT_NUMBER:
      return NORM_WORD;
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
      return is_ngram_letter(cp) ? NORM_CJK : NORM_WORD;
    case U_NON_SPACING_MARK:
    case U_ENCLOSING_MARK:
    case U_COMBINING_SPACING_MARK:
      return CLS_MARK;
    default:
      /* Symbols, emoji, other numbers (〇, ①), private use, unassigned: text matched as
      ** n-grams. */
      return NORM_CJK;
  }
}

NormClass norm_class(uint32_t cp) {
  int c = class_raw(cp);
  return c == CLS_MARK ? NORM_CJK : (NormClass)c;
}

static int is_line_break(uint32_t cp) {
  return (cp >= 0x0A && cp <= 0x0D) || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

int norm_space_skippable(const NormText *t, size_t last_before, size_t first_after) {
  if (t == NULL || first_after >= t->n || last_before >= first_after ||
      first_after - last_before < 2)
    return 0;
  int a = t->cls[last_before], b = t->cls[first_after];
  /* Between two Japanese chars any white space is extraction damage (letter-spaced
  ** headings, a wrapped line, a PDF gap): Japanese puts no spaces between words. Between a
  ** word and a Japanese char, a line break still separates (a list number, a table cell). */
  int both_cjk = a == NORM_CJK && b == NORM_CJK;
  if (!both_cjk && !((a == NORM_WORD && b == NORM_CJK) || (a == NORM_CJK && b == NORM_WORD)))
    return 0;
  for (size_t k = last_before + 1; k < first_after; k++) {
    if (t->cls[k] != NORM_SPACE || (!both_cjk && is_line_break(t->cp[k]))) return 0;
  }
  return 1;
}

/* ---- buffers ---- */

static void *default_realloc(void *p, size_t n_bytes) { return jfts_realloc(p, n_bytes); }
static const NormAlloc k_default_alloc = {default_realloc, jfts_free};

static const NormAlloc *work_alloc(const NormWork *w) {
  return w->alloc ? w->alloc : &k_default_alloc;
}

/* Grows *p to n_bytes; leaves it untouched and returns 0 when out of memory. */
static int grow(const NormAlloc *a, void **p, size_t n_bytes) {
  void *q = a->realloc_fn(*p, n_bytes);
  if (q == NULL) return 0;
  *p = q;
  return 1;
}

static int ensure_cp(NormWork *w, size_t need) {
  if (need <= w->cap_cp) return JFTS_OK;
  const NormAlloc *a = work_alloc(w);
  size_t cap = w->cap_cp ? w->cap_cp : 64;
  while (cap < need) cap *= 2;
  if (!grow(a, (void **)&w->text.cp, cap * sizeof(uint32_t)) ||
      !grow(a, (void **)&w->text.src_start, cap * sizeof(uint32_t)) ||
      !grow(a, (void **)&w->text.src_end, cap * sizeof(uint32_t)) ||
      !grow(a, (void **)&w->text.cls, cap))
    return JFTS_ERR_NOMEM; /* arrays that did grow are still valid; cap_cp stays the minimum */
  w->cap_cp = cap;
  return JFTS_OK;
}

static int ensure_u16(NormWork *w, size_t need) {
  if (need <= w->cap_u16) return JFTS_OK;
  const NormAlloc *a = work_alloc(w);
  size_t cap = w->cap_u16 ? w->cap_u16 : 256;
  while (cap < need) cap *= 2;
  if (!grow(a, (void **)&w->u16, cap * sizeof(uint16_t)) ||
      !grow(a, (void **)&w->u16_src, (cap + 1) * sizeof(uint32_t)))
    return JFTS_ERR_NOMEM;
  w->cap_u16 = cap;
  return JFTS_OK;
}

void norm_work_release(NormWork *w) {
  if (w == NULL) return;
  const NormAlloc *a = work_alloc(w);
  a->free_fn(w->text.cp);
  a->free_fn(w->text.src_start);
  a->free_fn(w->text.src_end);
  a->free_fn(w->text.cls);
  a->free_fn(w->u16);
  a->free_fn(w->u16_src);
  const NormAlloc *keep = w->alloc;
  memset(w, 0, sizeof *w);
  w->alloc = keep;
}

/* ---- UTF-8 -> UTF-16 with source offsets ---- */

/* Fills w->u16 / w->u16_src (capacity n_bytes suffices: one byte never yields more than one
** UTF-16 unit). Returns the number of units. */
static size_t to_utf16(NormWork *w, const uint8_t *s, size_t n_bytes) {
  uint16_t *u = w->u16;
  uint32_t *src = w->u16_src;
  size_t i = 0, k = 0;
  while (i < n_bytes) {
    uint32_t b0 = s[i];
    if (b0 < 0x80) {
      u[k] = (uint16_t)b0;
      src[k++] = (uint32_t)i++;
      continue;
    }
    uint32_t cp;
    size_t len = jfts_utf8_next(s + i, n_bytes - i, &cp);
    if (cp >= 0x10000) {
      u[k] = (uint16_t)(0xD7C0 + (cp >> 10));
      src[k++] = (uint32_t)i;
      u[k] = (uint16_t)(0xDC00 | (cp & 0x3FF));
      src[k++] = (uint32_t)i;
    } else {
      u[k] = (uint16_t)cp;
      src[k++] = (uint32_t)i;
    }
    i += len;
  }
  src[k] = (uint32_t)n_bytes;
  return k;
}

/* ---- normalization ---- */

/* Appends one normalized code point; capacity was ensured by the caller. Marks take the
** class of the code point before them (NORM_CJK at the very start: they are still text). */
static inline void put_cp(NormText *t, uint32_t cp, uint32_t start, uint32_t end) {
  size_t i = t->n++;
  int c = class_raw(cp);
  if (c == CLS_MARK) c = i > 0 ? t->cls[i - 1] : NORM_CJK;
  t->cp[i] = cp;
  t->src_start[i] = start;
  t->src_end[i] = end;
  t->cls[i] = (uint8_t)c;
}

/* 1 for a UTF-16 unit that NFKC_Casefold leaves as it is, that has a normalization boundary
** before it and is no surrogate: ASCII but A-Z and most controls, kana, CJK ideographs,
** 、。「」『』. (Checked against ICU 72: quick check YES, normalizes to itself, boundary
** before, combining class 0, for each of them.) */
static inline int is_stable_unit(uint32_t c) {
  if (c < 0x80)
    return (c >= 0x20 && c <= 0x7E && !(c >= 'A' && c <= 'Z')) || c == 0x09 || c == 0x0A ||
           c == 0x0D;
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3041 && c <= 0x3096) ||
         (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC || (c >= 0x3400 && c <= 0x4DBF) ||
         c == 0x3001 || c == 0x3002 || (c >= 0x300C && c <= 0x300F);
}

static inline uint32_t cp_at(const uint16_t *u, size_t k, size_t n, size_t *len_out) {
  uint32_t c = u[k];
  if (c >= 0xD800 && c <= 0xDBFF && k + 1 < n && u[k + 1] >= 0xDC00 && u[k + 1] <= 0xDFFF) {
    *len_out = 2;
    return ((c - 0xD800) << 10) + (u[k + 1] - 0xDC00) + 0x10000;
  }
  *len_out = 1;
  return c;
}

/* Normalizes the segment that starts at UTF-16 unit pos of w->u16 (n16 units): from there to
** the next char that never interacts with what precedes it. Its outputs cannot be traced to
** single source chars, so all get the segment's whole source range. seg_stack holds
** NORM_SEG_STACK units; a longer result goes to *seg_heap (grown through w's allocator, freed
** by the caller). Sets *seg_end_out to the unit after the segment. */
#define NORM_SEG_STACK 64
static int normalize_segment(NormWork *w, const UNormalizer2 *nfkc, size_t pos, size_t n16,
                             UChar *seg_stack, UChar **seg_heap, size_t *seg_end_out,
                             char **err_out) {
  const UChar *u = (const UChar *)w->u16;
  const uint32_t *src = w->u16_src;
  NormText *t = &w->text;
  size_t len;
  cp_at(w->u16, pos, n16, &len);
  size_t seg_end = pos + len;
  while (seg_end < n16) {
    uint32_t c = cp_at(w->u16, seg_end, n16, &len);
    if (unorm2_hasBoundaryBefore(nfkc, (UChar32)c)) break;
    seg_end += len;
  }
  UChar *out = seg_stack;
  int32_t cap = NORM_SEG_STACK;
  UErrorCode st = U_ZERO_ERROR;
  int32_t m = unorm2_normalize(nfkc, u + pos, (int32_t)(seg_end - pos), out, cap, &st);
  if (st == U_BUFFER_OVERFLOW_ERROR) {
    const NormAlloc *a = work_alloc(w);
    a->free_fn(*seg_heap);
    *seg_heap = a->realloc_fn(NULL, (size_t)m * sizeof(UChar));
    if (*seg_heap == NULL) return JFTS_ERR_NOMEM;
    out = *seg_heap;
    cap = m;
    st = U_ZERO_ERROR;
    m = unorm2_normalize(nfkc, u + pos, (int32_t)(seg_end - pos), out, cap, &st);
  }
  if (U_FAILURE(st)) return jfts_icu_error(st, "unorm2_normalize", err_out);
  int rc = JFTS_OK;
  if (t->n + (size_t)m > w->cap_cp && (rc = ensure_cp(w, t->n + (size_t)m)) != JFTS_OK)
    return rc;
  for (size_t k = 0; k < (size_t)m;) {
    uint32_t c = cp_at((const uint16_t *)out, k, (size_t)m, &len);
    put_cp(t, c, src[pos], src[seg_end]);
    k += len;
  }
  *seg_end_out = seg_end;
  return JFTS_OK;
}

int norm_work_run(NormWork *w, const char *utf8, size_t n_bytes, char **err_out) {
  int rc = JFTS_OK;
  UChar seg_stack[NORM_SEG_STACK];
  UChar *seg_heap = NULL;
  w->text.n = 0;
  if (n_bytes >= (size_t)INT32_MAX) {
    jfts_set_error(err_out, "text of %zu bytes is too long to normalize", n_bytes);
    return JFTS_ERR_USAGE;
  }
  if (n_bytes == 0) return JFTS_OK;
  rc = ensure_u16(w, n_bytes);
  if (rc == JFTS_OK) rc = ensure_cp(w, n_bytes + 16);
  if (rc != JFTS_OK) goto cleanup;

  UErrorCode st = U_ZERO_ERROR;
  const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&st);
  if (U_FAILURE(st)) {
    rc = jfts_icu_error(st, "unorm2_getNFKCCasefoldInstance", err_out);
    goto cleanup;
  }

  size_t n16 = to_utf16(w, (const uint8_t *)utf8, n_bytes);
  const UChar *u = (const UChar *)w->u16;
  const uint32_t *src = w->u16_src;
  NormText *t = &w->text;
  size_t pos = 0;
  while (pos < n16) {
    /* Runs of the chars most text is made of are copied without asking ICU. The last one
    ** before any other char goes the ICU way below, which may combine the two
    ** (か + U+3099 -> が); every char of the run has a boundary before it, so the split
    ** changes nothing. */
    size_t fast_end = pos;
    while (fast_end < n16 && is_stable_unit(u[fast_end])) fast_end++;
    if (fast_end < n16) fast_end = fast_end > pos ? fast_end - 1 : pos;
    if (t->n + (fast_end - pos) > w->cap_cp &&
        (rc = ensure_cp(w, t->n + (fast_end - pos))) != JFTS_OK)
      goto cleanup;
    if (pos < fast_end) {
      /* Locals, not t->...: a store through cls (a byte array) could alias them. */
      uint32_t *cp_out = t->cp, *start_out = t->src_start, *end_out = t->src_end;
      uint8_t *cls_out = t->cls;
      size_t k = t->n;
      for (; pos < fast_end; pos++, k++) {
        uint32_t c = u[pos];
        cp_out[k] = c;
        start_out[k] = src[pos];
        end_out[k] = src[pos + 1];
        /* As class_raw: the stable chars above ASCII are kana and ideographs, and the
        ** punctuation 、。「」『』. */
        cls_out[k] = (uint8_t)(c < 0x80                            ? ascii_class(c)
                               : c >= 0x3001 && c <= 0x300F ? NORM_PUNCT
                                                               : NORM_CJK);
      }
      t->n = k;
    }
    if (pos >= n16) break;

    /* The already-normalized span ends at a normalization boundary, so it can be copied
    ** and the rest normalized on its own. */
    st = U_ZERO_ERROR;
    int32_t span = unorm2_spanQuickCheckYes(nfkc, u + pos, (int32_t)(n16 - pos), &st);
    if (U_FAILURE(st)) {
      rc = jfts_icu_error(st, "unorm2_spanQuickCheckYes", err_out);
      goto cleanup;
    }
    size_t span_end = pos + (size_t)span;
    if (t->n + (size_t)span > w->cap_cp && (rc = ensure_cp(w, t->n + (size_t)span)) != JFTS_OK)
      goto cleanup;
    while (pos < span_end) {
      size_t len;
      uint32_t c = cp_at(w->u16, pos, n16, &len);
      put_cp(t, c, src[pos], src[pos + len]);
      pos += len;
    }
    if (pos >= n16) break;

    size_t seg_end = n16;
    rc = normalize_segment(w, nfkc, pos, n16, seg_stack, &seg_heap, &seg_end, err_out);
    if (rc != JFTS_OK) goto cleanup;
    pos = seg_end;
  }

cleanup:
  if (seg_heap) work_alloc(w)->free_fn(seg_heap);
  if (rc != JFTS_OK) w->text.n = 0;
  return rc;
}

int norm_text(const char *utf8, size_t n_bytes, NormText **out, char **err_out) {
  NormWork w;
  memset(&w, 0, sizeof w);
  NormText *t = NULL;
  *out = NULL;
  int rc = norm_work_run(&w, utf8, n_bytes, err_out);
  if (rc != JFTS_OK) goto cleanup;
  t = jfts_calloc(1, sizeof *t);
  if (t == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  /* Ownership of the arrays moves from the work buffers to the result. */
  *t = w.text;
  memset(&w.text, 0, sizeof w.text);
  w.cap_cp = 0;
  *out = t;

cleanup:
  norm_work_release(&w);
  return rc;
}

void norm_free(NormText *t) {
  if (t == NULL) return;
  jfts_free(t->cp);
  jfts_free(t->src_start);
  jfts_free(t->src_end);
  jfts_free(t->cls);
  jfts_free(t);
}
