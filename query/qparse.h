/* The jfts query language: what the user types, parsed into clauses (ANDed) of OR-lists of
** terms, and turned into an FTS5 MATCH expression that quotes every term, so that nothing
** the user types can produce an FTS5 syntax error. The user never writes FTS5 syntax.
**
** Syntax (input is UTF-8 bytes with a length; a NUL byte counts as a space and an invalid
** byte sequence as U+FFFD, searched literally):
**   a b          terms separated by white space (Unicode Z*, C0/C1 controls, U+3000) are ANDed
**   "a b"        a phrase: one term, inner spaces kept; a space run between two chars that are
**                not Latin-like letters or digits (norm.h's NORM_WORD) is removed, so
**                "地域包括 支援センター" means the adjacent text 地域包括支援センター.
**                A `"` that starts a term and has no closing `"` is literal text.
**   a OR b c     `OR` (uppercase ASCII, its own word) between two terms that are not excluded
**                makes an OR group, binding tighter than AND: (a OR b) AND c. Elsewhere (at
**                the start or end, doubled, next to an excluded term) it is the word "OR".
**   -a           ('-' or '－' starting a term, followed by more text) excludes a; a lone '-'
**                is literal. A query with only excluded terms is a usage error.
** Punctuation (Unicode P*) typed in an unquoted term separates words, as it does for the
** tokenizer: 高砂・岩切 is the two words 高砂 岩切, 参加・ the word 参加 (so that every
** passage found holds what is highlighted). Punctuation between two Latin letters or digits
** (U-18, 1,000) stays inside the word, and a term of an OR group or an excluded term only
** loses its leading and trailing punctuation. Inside a phrase punctuation stays as typed.
** Everything else (parentheses, `*`, `^`, `:`, NEAR, AND, NOT, SQL) is literal text.
** A term without searchable characters (punctuation only: 「」, ...) is dropped with a note. */
#ifndef JFTS_QPARSE_H
#define JFTS_QPARSE_H

#include <stddef.h>

/* Most alternatives one term may carry: its own text plus QRY_MAX_VARIANTS - 1 variants. */
#define QRY_MAX_VARIANTS 64

/* Longest query qry_parse takes, in bytes as given. Every step after parsing costs about the
** query's terms times its length (an unbounded 12 MB query took over 120 s and 1.4 GB), so
** the bound is what makes a query's cost bounded; 32 KiB is far beyond anything typed (and
** beyond jfts-serve's q, SP_MAX_QUERY) yet holds a pasted paragraph. */
#define QRY_MAX_BYTES 32768
/* Most terms of a query: words and phrases after punctuation has cut words (qry_parse), those
** dropped for having nothing searchable not counted. Each term costs index lookups and up to
** QRY_MAX_VARIANTS alternatives in the MATCH expression: 128 terms of 64 alternatives each
** are 8,192 FTS5 phrases (about 6 s and 160 MB on a busy 2-core machine; 256 took 14 s and
** 300 MB), while 80 common words joined by OR take a fraction of a second. */
#define QRY_MAX_TERMS 128

typedef struct QryTerm {
  char *text;        /* the user's text (UTF-8, NUL-terminated, not normalized: the matcher
                     ** normalizes), without the '-' of an excluded clause and without the
                     ** quotes of a phrase; phrase spaces between Japanese chars removed */
  size_t n_bytes;    /* bytes in text */
  int is_phrase;     /* 1 when the user quoted it */
  char **variants;   /* extension point for synonym expansion: further texts searched as
                     ** alternatives of this term (for a phrase, whole-phrase variants);
                     ** NULL when none; each NUL-terminated, added by qry_term_add_variant */
  size_t n_variants; /* entries in variants, at most QRY_MAX_VARIANTS - 1 */
  char **related;    /* related-topic expansions (thesaurus.h's ths_expand_related): texts
                     ** searched as further alternatives that rank below the term and its
                     ** variants; NULL when none; added by qry_term_add_related. A span's
                     ** variant index n_variants + r names related[r] (match.h) */
  size_t n_related;  /* entries in related, at most QRY_MAX_VARIANTS - 1 */
} QryTerm;

typedef struct QryClause {
  QryTerm *terms;    /* the OR-list: a row matches the clause when it matches any term */
  size_t n_terms;    /* at least 1 */
  int excluded;      /* 1 for -term: rows matching the clause are removed */
} QryClause;

typedef struct Query {
  QryClause *clauses; /* ANDed; every clause holds at least one term with tokens */
  size_t n_clauses;   /* at least 1, and at least one clause is not excluded */
  char **notes;       /* messages for the user about dropped terms; read with qry_note */
  size_t n_notes;
} Query;

/* Parses q (n_bytes bytes, any content) into a new Query (*out, freed with qry_free) and
** appends notes for dropped terms ("ignoring '「」': it has no searchable characters"; after
** QRY_MAX_NOTES distinct ones, one last note counts the rest: "ignoring 12 more words with
** no searchable characters"). Time and memory are linear in n_bytes.
** Returns JFTS_OK; JFTS_ERR_USAGE with *err_out = qry_check_size's message when q is over
** QRY_MAX_BYTES (nothing else is done), "the query has too many terms (more than 128)" when
** it has over QRY_MAX_TERMS (parsing stops there), "nothing to search for in the query" when
** no term has searchable characters, or "the query only excludes terms: add a term to search
** for (a word without '-' in front)" when every remaining clause is excluded; JFTS_ERR_NOMEM;
** or the tokenizer's failure (JFTS_ERR_ICU, naming the term). On error *out is NULL and
** the notes are gone (the error message says why nothing is searched).
** Depends on tok_tokenize (FTS5_TOKENIZE_QUERY; the gap token TOK_GAP does not count) and
** on norm_text for phrase spaces. */
int qry_parse(const char *q, size_t n_bytes, Query **out, char **err_out);

/* Most notes qry_parse keeps about dropped words, besides the one that counts the rest. */
#define QRY_MAX_NOTES 32

/* The length rule of qry_parse alone, for a caller that measures a query it does not hold
** (a line of a --queries file read without keeping more than QRY_MAX_BYTES of it): JFTS_OK
** when n_bytes <= QRY_MAX_BYTES, else JFTS_ERR_USAGE with *err_out = "the query is too long
** (40000 bytes; at most 32768)". */
int qry_check_size(size_t n_bytes, char **err_out);

/* Which alternatives of each term qry_build_match_ex writes, and how clauses are joined. */
enum {
  QRY_MATCH_NO_VARIANTS = 1, /* leave out the thesaurus variants */
  QRY_MATCH_NO_RELATED = 2,  /* leave out the related-topic expansions */
  QRY_MATCH_ONLY_RELATED = 4, /* only the related-topic expansions (a clause without any
                              ** is left out; no clause left: *match_out is NULL, JFTS_OK) */
  QRY_MATCH_ANY = 8          /* join the positive clauses with OR instead of AND */
};

/* Builds the FTS5 MATCH expression of query into a new jfts_malloc'ed string (*match_out):
** each alternative is an FTS5 string "..." with `"` doubled, followed by ` *` when
** tok_query_wants_prefix says so; a clause with several alternatives (OR group, variants)
** becomes ("a" OR "b" *); positive clauses are joined by " AND ", then each excluded clause
** is appended as " NOT <clause>". Returns JFTS_OK, JFTS_ERR_NOMEM (also when
** tok_query_wants_prefix returns a negative value: its allocation failed), or JFTS_ERR_USAGE
** when query has no positive clause. On error *match_out is NULL. */
int qry_build_match(const Query *query, char **match_out, char **err_out);

/* qry_build_match with flags (QRY_MATCH_*; 0 gives qry_build_match's expression). Excluded
** clauses always carry every alternative. Same return codes. */
int qry_build_match_ex(const Query *query, unsigned flags, char **match_out, char **err_out);

/* 1 when qry_build_match_ex writes alternative v of t under flags (0: the term's text,
** 1 .. n_variants its variants, then its related texts). search.c numbers the MATCH's phrases
** by this same rule, so that a row's phrase mask maps back to clauses. */
int qry_alt_wanted(const QryTerm *t, size_t v, unsigned flags);

/* The expression of one clause alone (flags as above, QRY_MATCH_ANY meaningless), without
** NOT: for the passages holding that clause. *match_out is NULL (JFTS_OK) when the flags
** leave no alternative. Returns JFTS_OK or JFTS_ERR_NOMEM. */
int qry_build_clause_match(const QryClause *clause, unsigned flags, char **match_out);

/* Synonym expansion: adds text (UTF-8, n_bytes; sanitized like the query) as an alternative
** of term. A phrase variant gets the same phrase-space rule as the user's phrase. A variant
** equal to the term's text or to an earlier variant, or without searchable characters, is
** skipped (JFTS_OK). Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_ICU (tokenizer failure), or
** JFTS_ERR_USAGE when the term already holds QRY_MAX_VARIANTS alternatives (the variant is
** not added; further variants of this term should not be tried). */
int qry_term_add_variant(QryTerm *term, const char *text, size_t n_bytes, char **err_out);

/* Related-topic expansion: adds text as a related alternative of term, with the rules of
** qry_term_add_variant (sanitized, phrase spaces, duplicates of the term, of its variants or
** of an earlier related text skipped). Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_ICU, or
** JFTS_ERR_USAGE when term already holds QRY_MAX_VARIANTS - 1 related texts. */
int qry_term_add_related(QryTerm *term, const char *text, size_t n_bytes, char **err_out);

/* The text of alternative `variant` of term: -1 its own text, 0 .. n_variants - 1 a variant,
** n_variants .. n_variants + n_related - 1 a related text; "" out of range. */
const char *qry_term_alt(const QryTerm *term, int variant);

/* A deep copy of query (terms, variants, related texts and notes): JFTS_OK with *out a new
** Query, or JFTS_ERR_NOMEM (*out NULL). */
int qry_copy(const Query *query, Query **out);

/* Replaces positive clause i, which must hold one unquoted term, by one clause per part
** (n_parts >= 1 texts, each sanitized and kept when it has searchable characters), inserted
** in its place in order; the term's variants and related texts are dropped. *n_added_out
** (may be NULL) gets the number of clauses that replaced it (0: the clause is kept as it
** was, because no part had searchable characters). Returns JFTS_OK, JFTS_ERR_NOMEM or
** JFTS_ERR_ICU. */
int qry_split_clause(Query *query, size_t i, const char *const *parts, const size_t *n_parts,
                     size_t n, size_t *n_added_out, char **err_out);

/* The query's clauses written back in the query language, for the user: terms separated by
** spaces, phrases quoted, OR groups as `a OR b`, excluded clauses with '-' (variants and
** related texts are not shown). A new string (jfts_free), or NULL when out of memory. */
char *qry_render(const Query *query);

/* Notes for the caller to print, in the order the terms appear in the query. */
size_t qry_note_count(const Query *query);
const char *qry_note(const Query *query, size_t i); /* NULL when i is out of range */

/* Frees query and everything it holds; accepts NULL. */
void qry_free(Query *query);

#endif
