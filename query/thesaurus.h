/* The thesaurus: spelling variants and synonyms (ウイルス/ウィルス, 障害/障がい, オンライン =>
** リモート...) read from a Solr-style synonym file and applied to a parsed Query as term
** variants (qparse.h's qry_term_add_variant), so that one query finds every way municipal
** text writes the same thing. Entries match query terms by normalized form, also inside them.
**
** File syntax (UTF-8, one rule per line; a UTF-8 BOM at the start is skipped):
**   a, b, c       equivalents: a query term holding any of them also searches all the others
**   a => b, c     one-way: a also searches b and c, but b and c do not search a. Unlike Solr,
**                 where `a => b` replaces a by b, the term a itself still matches here: a
**                 thesaurus widens a search and never narrows it.
**   a, b => c     each term on the left expands to the terms on the right
**   # text        a comment, from '#' to the end of the line, wherever '#' appears
**   \x            the char x taken literally ("C\#", "1\,000", "\=>", "\\")
** Blank lines are ignored; white space (ASCII space and tab, U+3000) around terms is trimmed.
** Spaces inside a term stay ("Web 会議"). Rules for the same term on several lines add up.
**
** Matching: entries and query terms are compared in NFKC_Casefold form (norm.h), with the
** spaces the index skips (between a Japanese char and a digit/Latin letter) removed, so the
** entry ウイルス matches ｳｲﾙｽ and "Web開催" matches "web 開催". An entry matches anywhere
** inside a term (コロナウイルス holds ウイルス), except that an entry starting or ending in a
** Latin letter or digit must not continue a Latin/digit word of the term (Zoom is not found
** in Zoomed). At each position the longest entry wins and occurrences do not overlap. */
#ifndef JFTS_THESAURUS_H
#define JFTS_THESAURUS_H

#include <stddef.h>
#include <stdlib.h>

#include "qparse.h"

typedef struct Thesaurus Thesaurus;

/* Reads the thesaurus file at path. Returns JFTS_OK with *out a new Thesaurus (ths_free);
** JFTS_ERR_IO ("cannot read 'path': No such file or directory"); JFTS_ERR_NOMEM;
** JFTS_ERR_ICU (normalization failed); or JFTS_ERR_INPUT for a malformed file, with *err_out
** naming the file as given and the 1-based line:
**   "path:12: expected 'a, b' or 'a => b'"  (a single term, an empty term, an empty side of
**                                            '=>', or more than one '=>')
**   "path:3: '「」' has no searchable characters"
**   "path:7: invalid UTF-8"
** On error *out is NULL. */
int ths_load(const char *path, Thesaurus **out, char **err_out);

/* Parses thesaurus text held in memory (n_bytes bytes); name stands for the file in
** messages. Same results as ths_load, without JFTS_ERR_IO. */
int ths_parse(const char *name, const char *text, size_t n_bytes, Thesaurus **out,
              char **err_out);

/* Number of distinct entries (in normalized form) that expand to at least one other term. */
size_t ths_entry_count(const Thesaurus *ths);

/* The alternatives of the entry whose normalized form is that of the whole text (n_bytes),
** as the file's rules give them: the members of each rule the entry expands by (its groups
** of equivalents, the right sides of its one-way rules), rules in file order, members as
** written, the entry itself and repeats left out; the order ths_expand tries them in.
** *alts_out gets a new array (jfts_free) of *n_out texts as written in the file, borrowed
** from ths (valid while it lives); NULL and 0 when text is no entry or ths is NULL. Costs
** the entry's rules, not more: a group is stored once (loading is linear in the file).
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int ths_alternatives(const Thesaurus *ths, const char *text, size_t n_bytes,
                     const char ***alts_out, size_t *n_out, char **err_out);

/* Adds the thesaurus variants of every term of every clause of q, excluded clauses included
** (excluding コロナウイルス also excludes コロナウィルス), through qry_term_add_variant: each
** occurrence of an entry in the term's own text is replaced by each of the entry's
** alternatives, combinatorially when a term holds several entries (fewer replacements first),
** keeping the rest of the term as typed. A phrase gets whole-phrase variants the same way.
** Variants already present are kept. When a term reaches QRY_MAX_VARIANTS alternatives its
** expansion stops with the warning "expansion of 'コロナウイルス' capped at 64 variants".
** warnings_out and n_warnings_out (either may be NULL: warnings are then dropped) get a new
** array of new strings (ths_warnings_free); NULL and 0 when none. ths NULL expands nothing.
** Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU; on error no warnings are returned and
** terms may hold part of their variants. */
int ths_expand(const Thesaurus *ths, Query *q, char ***warnings_out, size_t *n_warnings_out,
               char **err_out);

/* Where the entries of ths (those that expand to something) occur inside text (n_bytes), by
** the matching rule above (normalized, longest entry first at each position, no overlaps),
** leaving out entries under min_chars code points: *ranges_out gets a new array (jfts_free)
** of 2 * *n_out source byte offsets, start and end of each occurrence, in text order; NULL
** and 0 when none (also for ths NULL). Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int ths_find_entries(const Thesaurus *ths, const char *text, size_t n_bytes, size_t min_chars,
                     size_t **ranges_out, size_t *n_out, char **err_out);

void ths_warnings_free(char **warnings, size_t n_warnings);

/* The related-topics layer (query/related.txt): a thesaurus file of the same syntax, read with
** ths_load, whose one-way rules `general term => concrete names` widen a search to the
** activities and everyday names reports use for a topic. Unlike ths_expand, an entry applies
** only to a whole term (防災, not 防災訓練: a split query's parts are terms of their own),
** and its texts become related texts of the term (qry_term_add_related), which rank below
** the term and its spelling variants (search.h). Each positive, unquoted term is looked up
** by its own text and by each of its spelling variants (add them first with ths_expand);
** excluded clauses and phrases get nothing. A term whose related list is full keeps the
** first QRY_MAX_VARIANTS - 1. rel NULL expands nothing. Returns JFTS_OK, JFTS_ERR_NOMEM or
** JFTS_ERR_ICU. */
int ths_expand_related(const Thesaurus *rel, Query *q, char **err_out);

/* Frees the thesaurus; accepts NULL. */
void ths_free(Thesaurus *ths);

/* The thesaurus shipped with jfts (query/thesaurus.txt). Builds that know where it lives
** define JFTS_DEFAULT_THESAURUS as its absolute path (jfts-query and the tests do); others get
** the source tree's relative path, which works from the top of the source tree. */
#ifndef JFTS_DEFAULT_THESAURUS
#define JFTS_DEFAULT_THESAURUS "query/thesaurus.txt"
#endif

/* Path of the thesaurus to load: named (the user's file, e.g. --thesaurus or
** $JFTS_THESAURUS, which jfts-query reads once while parsing its options) when not NULL and
** not empty, else JFTS_DEFAULT_THESAURUS. Inline so that the path compiled in is that of the
** program that includes this header (the jfts_query library itself is built without the
** definition). */
static inline const char *ths_path(const char *named) {
  return named != NULL && named[0] != '\0' ? named : JFTS_DEFAULT_THESAURUS;
}

/* The related-topics file shipped with jfts (query/related.txt), defined like
** JFTS_DEFAULT_THESAURUS. */
#ifndef JFTS_DEFAULT_RELATED
#define JFTS_DEFAULT_RELATED "query/related.txt"
#endif

/* Path of the related-topics file to load: named (--related or $JFTS_RELATED, read once while
** parsing options) when not NULL and not empty, else JFTS_DEFAULT_RELATED. Inline for the same
** reason as ths_path. */
static inline const char *ths_related_path(const char *named) {
  return named != NULL && named[0] != '\0' ? named : JFTS_DEFAULT_RELATED;
}

#endif
