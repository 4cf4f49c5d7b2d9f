/* Locale-aware string ordering (ICU collation) for sorting KWIC lines the way Japanese
** dictionaries and concordancers do: kana in gojūon order (あ < か), hiragana before katakana
** where the text is otherwise equal, kanji after kana. Sort keys make a sort of many strings
** cost one ICU call per string instead of one per comparison. The query/ side calls this
** module and never ICU directly. */
#ifndef JFTS_COLLATE_H
#define JFTS_COLLATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Collator Collator;

/* Opens a collator for locale ("ja"; "" or "root" for the root order) at quaternary strength,
** so that strings differing only in kana type or case are still ordered (あ < ア, a < A)
** while full-width and half-width forms stay equal (ア = ｱ). Returns JFTS_OK with *out a new
** Collator (coll_close), JFTS_ERR_NOMEM, or JFTS_ERR_ICU with *err_out naming the ICU
** function and error. */
int coll_open(const char *locale, Collator **out, char **err_out);

/* Closes the collator; accepts NULL. */
void coll_close(Collator *c);

/* Compares two UTF-8 strings; *cmp_out gets -1, 0 or 1. Invalid UTF-8 compares as U+FFFD.
** Returns JFTS_OK, JFTS_ERR_USAGE (a string of 2 GiB or more), or JFTS_ERR_ICU. */
int coll_compare(const Collator *c, const char *a, size_t n_a, const char *b, size_t n_b,
                 int *cmp_out, char **err_out);

/* Computes the sort key of a UTF-8 string into a new jfts_malloc'ed byte array (*key_out,
** *n_key_out bytes): comparing two keys with memcmp over the shorter length plus one (keys
** end in a 0 byte and never hold one elsewhere), or with coll_key_cmp, orders the strings as
** coll_compare does. Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE or JFTS_ERR_ICU; on
** error *key_out is NULL. */
int coll_sort_key(const Collator *c, const char *utf8, size_t n_bytes, uint8_t **key_out,
                  size_t *n_key_out, char **err_out);

/* Compares two sort keys made by the same collator: <0, 0, >0. */
int coll_key_cmp(const uint8_t *a, size_t n_a, const uint8_t *b, size_t n_b);

#endif
