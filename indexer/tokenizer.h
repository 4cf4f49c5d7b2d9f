/* The `jfts` FTS5 tokenizer: NFKC_Casefold (norm.h), whole-word tokens for Latin/digit runs,
** overlapping character bigrams (plus the last character of each run) for Japanese runs, so
** that any substring of one or more characters is found whatever a dictionary would do.
** Offsets always point into the original UTF-8 bytes given to FTS5. */
#ifndef JFTS_TOKENIZER_H
#define JFTS_TOKENIZER_H

#include <sqlite3.h>
#include <stddef.h>

#define TOK_NAME "jfts"

/* Token design (the query builder relies on it; bump JFTS_TOKENIZER_VERSION on any change):
** - a maximal run of NORM_WORD chars is one token, its normalized UTF-8 (ＩＧＡＳＵ -> igasu);
** - a run of NORM_CJK chars c0..c(n-1) gives the bigrams c(i)c(i+1), then the unigram c(n-1):
**   one token and one position per character. In a query, the run holding the query's last
**   token gives only its bigrams (just the unigram when n == 1, see tok_query_wants_prefix);
** - NORM_SPACE and NORM_PUNCT give no token, except that a word run and a CJK run separated
**   by something norm_space_skippable rejects (punctuation, a line break) get the gap token
**   TOK_GAP between them, in documents and queries alike. */
#define TOK_GAP "\x01"

/* The fts5_api of db, which tok_register and rank_register (rank.h) both register through.
** Returns SQLITE_OK with *api_out set, SQLITE_ERROR when db has no FTS5 of API version 2 or
** later (*api_out NULL), or the error of the "SELECT fts5(?1)" statement that fetches it. */
int tok_fts5_api(sqlite3 *db, fts5_api **api_out);

/* Registers the tokenizer named "jfts" on db through the fts5_api pointer. It takes no
** arguments (tokenize='jfts'). Returns an SQLite result code (SQLITE_ERROR without FTS5). */
int tok_register(sqlite3 *db);

/* Called for every token: the token text (normalized, not NUL-terminated) and the byte
** range [start_byte, end_byte) of its source in the tokenized text. colocated is 1 for a
** token at the same position as the previous one (never, with this design). Return non-zero
** to stop. */
typedef int (*TokCallback)(void *ctx, int colocated, const char *token, int n_token,
                           int start_byte, int end_byte);

/* Tokenizes text outside SQLite, exactly as FTS5 would with the given FTS5_TOKENIZE_* flags.
** Returns SQLITE_OK, SQLITE_NOMEM, SQLITE_ERROR (ICU failure, text of 2 GiB or more), or the
** callback's non-zero value. */
int tok_tokenize(const char *text, size_t n_bytes, int fts5_flags, TokCallback cb, void *ctx);

/* 1 when a query term must end with FTS5's prefix marker `*` to find every occurrence:
** its normalized form ends (ignoring trailing spaces and punctuation) in a Japanese run of
** exactly one character (泉, 65歳), whose document token is a bigram beginning with that
** character. Returns -1 when normalization fails (out of memory), so that a caller never
** silently drops the prefix. */
int tok_query_wants_prefix(const char *term, size_t n_bytes);

#endif
