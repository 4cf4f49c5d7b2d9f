/* Query expansion that needs the index: a plain word the text never writes whole (or writes
** far less often than its parts) is searched as its parts, and each positive word then gets
** the related-topics layer (thesaurus.h's ths_expand_related). jfts-query runs a parsed and
** thesaurus-expanded query through expand_query before search_run; the result is the query
** searched, which names what matched (match.h spans index its clauses).
**
** Splitting (expand_parts): the word is cut after the function words that carry no topic
** (について, における, に関する, に関して, に対する, のための) and around the words of two chars
** or more that have a rule in the related layer (longest first, from the left), which stay
** whole (ひきこもりの人: ひきこもり, which ICU's dictionary cuts into ひき|こ|も|り); the rest
** is cut at ICU's word boundaries
** (textseg.h); the parts that are particles or function words (の, を, に, は, が, と, で, へ,
** や, も, から, まで, より, 等, など) or the auxiliaries, light verbs and formal nouns of an
** everyday phrase (ある, いる, する, した, したら, できる, なる, ない, たい, とき, こと, もの,
** ため, よう, ところ, 場合, 必要, 作る, づくり ...) are dropped, and so is a one-char hiragana
** part that does not follow a part (長期的|な|計画, ご|家族). A one-char part right after another part is an
** affix: joined to a part ending in a digit (65歳), else dropped (後, 者: affixes that alone
** find everything). One-char parts that start the word or follow a dropped word are joined
** with the one-char parts right after them (ICU cuts a word its dictionary lacks into chars:
** 亡|く|な|っ|た); a single one is joined to the part right after it (地域の見守り: 見守り, as
** ICU cuts 見|守り), or, standing alone (親 in 親が), kept only when the related layer has a
** rule for it.
** A word is replaced by its parts (each a clause of its own, so that search_run's best match
** ranks the passages holding most of them first) when it has two or more parts (or one that
** differs from it) and it is found in no passage, or in fewer than 1 / EXPAND_SPLIT_RATIO of
** the passages of its rarest part; a word that some passage holds and that has one part only
** is kept, with the part as a variant of it (高齢化: 高齢; search.h ranks the passages holding
** the word itself first), and is not counted as split. Quoted phrases, OR groups and excluded
** words are never split. */
#ifndef JFTS_EXPAND_H
#define JFTS_EXPAND_H

#include <stddef.h>
#include <stdint.h>

#include "match.h"

#include "qparse.h"
#include "store.h"
#include "thesaurus.h"

/* A word found in this many passages or more is never split (and counting stops there). */
#define EXPAND_SPLIT_CAP 32
/* A word found in this many passages or more through its own text and variants gets no
** related topics: its own passages fill the first pages, and the layer would only add cost
** (every related text is searched, and more passages are analysed). */
#define EXPAND_RELATED_CAP 32
/* "Far fewer than its parts": the word's passages times this is at most its rarest part's. */
#define EXPAND_SPLIT_RATIO 4
/* Most parts one word is split into (the rest of the word stays in the last part). */
#define EXPAND_MAX_PARTS 8

/* The alternatives one term of the searched query keeps (its spelling variants first, then
** its related texts, in their order; the term's own text is not counted): at most
** EXPAND_MAX_ALTS of them, of at most EXPAND_MAX_ALT_BYTES bytes together. A thesaurus group
** of long variants or a related rule of many texts would otherwise make a MATCH expression of
** megabytes (up to QRY_MAX_TERMS terms of 2 * (QRY_MAX_VARIANTS - 1) alternatives each), which
** FTS5 parses and runs for every clause set of best match. The rest is dropped with a note. */
#define EXPAND_MAX_ALTS 64
#define EXPAND_MAX_ALT_BYTES 4096

typedef struct ExpandOptions {
  const Thesaurus *ths;     /* spelling variants for the parts of a split word; NULL: none */
  const Thesaurus *related; /* the related-topics layer; NULL: none */
  int no_split;             /* 1: never split a word */
  char ***notes_io;         /* NULL, or where a note for each term whose alternatives were
                            ** capped is appended: *notes_io is an array of *n_notes_io new
                            ** strings (ths_warnings_free; NULL and 0 when empty) */
  size_t *n_notes_io;
} ExpandOptions;

/* The parts of a word (UTF-8 text, n_bytes) by the rule above; related (may be NULL: none)
** is the related layer that decides whether a one-char word standing alone is kept. *parts_out
** gets a new array of *n_out new strings (expand_parts_free); 0 parts (NULL) when nothing is
** left. Returns JFTS_OK, JFTS_ERR_NOMEM or JFTS_ERR_ICU. */
int expand_parts(const char *text, size_t n_bytes, const Thesaurus *related, char ***parts_out,
                 size_t *n_out, char **err_out);
void expand_parts_free(char **parts, size_t n);

/* Builds the query to search: a copy of query (borrowed) with the related-topic texts of
** opt->related added (except to a word found in EXPAND_RELATED_CAP passages or more), and
** each splittable word without related topics of its own that the
** index s finds too rarely replaced by its parts (their spelling variants from opt->ths and
** related topics from opt->related added), each plain word of one kanji or more and a verb
** ending given its other inflected form as a variant when opt->ths is set (出向く: 出向き;
** 出向き: 出向く; 広める: 広め; expand.c's k_inflect), and each term's alternatives capped as
** EXPAND_MAX_ALTS and EXPAND_MAX_ALT_BYTES say, with the note "expansion of '連携' capped at
** 4096 bytes of alternatives (kept 40 of 63)" (or "at 64 alternatives") appended to
** opt->notes_io for each term capped. *out gets the new Query
** (qry_free); *split_out (may be NULL) is 1 when a word was split. Returns JFTS_OK,
** JFTS_ERR_NOMEM, JFTS_ERR_DB or JFTS_ERR_ICU; on error *out is NULL. */
int expand_query(Store *s, const Query *query, const ExpandOptions *opt, Query **out,
                 int *split_out, char **err_out);

/* What a search row says about how it was found, for the output writers.
** expand_missing: the positive clauses whose bit is set in missing (search.h), each written
** as qry_render writes a clause, as a JSON array (["高齢化"]; [] when none) or, json 0, as
** text joined by ", ". expand_via: the related-topic expansions that found the spans
** (span variant >= its term's n_variants), distinct, in span order, each "term => related";
** JSON array or text joined by ", " the same way. New strings (jfts_free); NULL when out of
** memory. */
char *expand_missing(const Query *q, uint64_t missing, int json);
char *expand_via(const Query *q, const MatchSpan *spans, size_t n_spans, int json);

#endif
