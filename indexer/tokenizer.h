/* The `jfts` FTS5 tokenizer: NFKC_Casefold (norm.h), whole-word tokens for Latin/digit runs,
** overlapping character bigrams (plus the last character of each run) for Japanese runs, so
** that any substring of one or more characters is found whatever a dictionary would do.
** Offsets always point into the original UTF-8 bytes given to FTS5. */
#ifndef JFTS_TOKENIZER_H
#define JFTS_TOKENIZER_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#define TOK_NAME "jfts"

/* Token design (the query builder relies on it; bump JFTS_TOKENIZER_VERSION on any change):
** - a maximal run of NORM_WORD chars is one token, its normalized UTF-8 (ＩＧＡＳＵ -> igasu);
** - a run of NORM_CJK chars c0..c(n-1) gives one position per char: at c(i) the bigram
**   c(i)c(i+1), at c(n-1) the run-end token c(n-1) TOK_END. White space between two NORM_CJK
**   chars (spaces, U+3000, line breaks: norm_space_skippable) does not end the run; a bigram
**   spans it. In a document, every char but kana (hiragana, katakana, ー) also gives itself
**   alone, colocated (FTS5_TOKEN_COLOCATED) at its position, so that a one-character query
**   is one doclist. In a query, the run holding the query's last token gives only its
**   bigrams, or, when it is one char long, that char alone: a kanji then matches its
**   unigrams, a kana needs FTS5's prefix `*` (tok_query_wants_prefix);
** - a symbol (tok_is_symbol: ％ ※ # & @ …) is a token of its own, one position per char;
** - NORM_SPACE and other NORM_PUNCT give no token, except that two runs of different kinds
**   (word, Japanese, symbol), or two symbols, separated by something norm_space_skippable
**   rejects (punctuation, a line break; any white space next to a symbol) get the gap token
**   TOK_GAP between them, in documents and queries alike. */
#define TOK_GAP "\x01"
/* Suffix of a run-end token. Normalized text never yields U+0002 (NORM_SPACE). */
#define TOK_END "\x02"

/* 1 when the normalized code point cp, of class NORM_PUNCT, is indexed as a symbol token:
** the other punctuation (Unicode Po: % # & @ § ※ † ‰ …) but the sentence and list marks
** ! " ' * , . / : ; ? \ 、 。 ・ · ¡ ¿ ‧ (`*` stays a separator, as a typed wildcard).
** Brackets, dashes and quotes are never symbols. */
int tok_is_symbol(uint32_t cp);

/* The fts5_api of db, which tok_register and rank_register (rank.h) both register through.
** Returns SQLITE_OK with *api_out set, SQLITE_ERROR when db has no FTS5 of API version 2 or
** later (*api_out NULL), or the error of the "SELECT fts5(?1)" statement that fetches it. */
int tok_fts5_api(sqlite3 *db, fts5_api **api_out);

/* Registers the tokenizer named "jfts" on db through the fts5_api pointer. It takes no
** arguments (tokenize='jfts'). Returns an SQLite result code (SQLITE_ERROR without FTS5). */
int tok_register(sqlite3 *db);

/* Called for every token: the token text (normalized, not NUL-terminated) and the byte
** range [start_byte, end_byte) of its source in the tokenized text. colocated is
** FTS5_TOKEN_COLOCATED for a token at the same position as the previous one (a document's
** unigrams), else 0. Return non-zero
** to stop. */
typedef int (*TokCallback)(void *ctx, int colocated, const char *token, int n_token,
                           int start_byte, int end_byte);

/* Token batches: the document-mode tokens of many texts (a file's passages), recorded once.
** The indexer records them off SQLite's thread and hands them to FTS5 through a TokReplay
** (below), so that each text is tokenized once for both its length (passages.n_tokens) and
** the index, and while SQLite is busy with the previous file. */
typedef struct TokBatch TokBatch;

/* A new, empty batch (its normalization buffers are reused from text to text). Returns
** JFTS_OK or JFTS_ERR_NOMEM. Free with tok_batch_free, which accepts NULL. */
int tok_batch_new(TokBatch **out);
void tok_batch_free(TokBatch *b);
/* Records the tokens of text as entry tok_batch_count(b), exactly as FTS5 would get them
** with FTS5_TOKENIZE_DOCUMENT. Returns JFTS_OK, JFTS_ERR_NOMEM, JFTS_ERR_USAGE (text of
** 2 GiB or more) or JFTS_ERR_ICU; on error the batch's entries are unchanged. */
int tok_batch_add(TokBatch *b, const char *text, size_t n_bytes);
/* Why the last tok_batch_add on b failed, when it said more than out of memory
** ("unorm2_normalize: U_..."); NULL after a success, for out of memory, and for b NULL.
** The string lives in b until its next tok_batch_add. */
const char *tok_batch_error(const TokBatch *b);
size_t tok_batch_count(const TokBatch *b);
/* FTS5 positions of entry i (its column size): what passages.n_tokens holds. */
int tok_batch_positions(const TokBatch *b, size_t i);
/* Empties b, keeping its buffers. */
void tok_batch_clear(TokBatch *b);

/* Hands recorded tokens to the jfts tokenizer of one connection: while a text is armed, an
** xTokenize call in document mode on exactly those bytes (same length and content) replays
** the recorded tokens instead of tokenizing. Anything else (queries, other texts, the
** 'delete' of old rows) is tokenized as usual, so a stale or missing arm costs time, never
** correctness. It also keeps the message of the tokenizer's last failure on the connection
** (tok_replay_error). Owned by the connection: freed when it closes. */
typedef struct TokReplay TokReplay;
#define TOK_REPLAY_SLOTS 3

/* tok_register, also returning (when replay_out is not NULL) the connection's TokReplay,
** valid until db is closed. Returns an SQLite result code. */
int tok_register_replay(sqlite3 *db, TokReplay **replay_out);
/* Arms slot (0 to TOK_REPLAY_SLOTS - 1) with entry i of b for text, which must be the text
** entry i was recorded from (a different length is caught: the slot is then emptied, as it
** is for a missing entry); b and text must stay unchanged until tok_replay_clear. */
void tok_replay_arm(TokReplay *r, int slot, const char *text, size_t n_bytes, const TokBatch *b,
                    size_t i);
void tok_replay_clear(TokReplay *r);

/* Why the tokenizer last failed on r's connection other than for memory (an ICU error:
** "cannot tokenize: unorm2_normalize: U_..."), which FTS5 itself can only report as
** "SQL logic error": the caller of the failed statement reads it here. NULL when there is
** none. Each failure replaces the message; it stays until tok_replay_error_clear (not
** cleared by tok_replay_clear). r may be NULL (then NULL). The string lives in r. */
const char *tok_replay_error(const TokReplay *r);
void tok_replay_error_clear(TokReplay *r);

/* Tokenizes text outside SQLite, exactly as FTS5 would with the given FTS5_TOKENIZE_* flags.
** Returns SQLITE_OK, SQLITE_NOMEM, SQLITE_ERROR (ICU failure, text of 2 GiB or more), or the
** callback's non-zero value. */
int tok_tokenize(const char *text, size_t n_bytes, int fts5_flags, TokCallback cb, void *ctx);

/* 1 when a query term must end with FTS5's prefix marker `*` to find every occurrence:
** its normalized form ends (ignoring trailing spaces and punctuation) in a Japanese run of
** exactly one kana (の, 65か), whose document tokens are the bigrams beginning with it and
** its run-end token. A one-char run of any other char (泉, 65歳) is its document unigram:
** no prefix. Returns -1 when normalization fails (out of memory), so that a caller never
** silently drops the prefix. */
int tok_query_wants_prefix(const char *term, size_t n_bytes);

#endif
