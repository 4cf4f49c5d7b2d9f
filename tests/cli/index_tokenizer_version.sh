#!/usr/bin/env bash
# Tokenizer version 3 (issues 12 and 15): an index built by another tokenizer version is
# refused by jfts-query with a message to re-index, and rebuilt by the next jfts-index run
# (tokens, passage lengths and ranking statistics all current); then a symbol-only query and
# a one-kanji query search.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
cp "$JFTS_TESTDATA/search/symbols.txt" c/
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first run"
run "$JFTS_QUERY" --db t.db --limit 0 --format json 支援
ranked_before=$OUT
[ -n "$ranked_before" ] || fail "no result for 支援"
lengths_before=$(sqlite3 t.db "SELECT group_concat(n_tokens) FROM passages")
stats_before=$(sqlite3 t.db "SELECT key, value FROM meta WHERE key IN ('rank_rows', 'rank_tokens')")

# An index of tokenizer version 2, with its lengths (a symbol was no token then).
sqlite3 t.db "UPDATE meta SET value = '2' WHERE key = 'tokenizer_version';
              UPDATE passages SET n_tokens = n_tokens - 1 WHERE text LIKE '%％%';"
run "$JFTS_QUERY" --db t.db ％
expect_rc 1 "query on a version-2 index"
expect_eq "$ERR" "jfts-query: cannot open 't.db': index built by tokenizer version 2 (this jfts uses 3); run jfts-index to rebuild it" "refusal"
expect_eq "$OUT" "" "refusal stdout"

run "$JFTS_INDEX" --db t.db c
expect_rc 0 "rebuilding run"
expect_eq "$(sqlite3 t.db "SELECT value FROM meta WHERE key = 'tokenizer_version'")" "3" "version"
expect_eq "$(sqlite3 t.db "SELECT group_concat(n_tokens) FROM passages")" "$lengths_before" "lengths"
expect_eq "$(sqlite3 t.db "SELECT key, value FROM meta WHERE key IN ('rank_rows', 'rank_tokens')")" \
  "$stats_before" "statistics"
run "$JFTS_QUERY" --db t.db --limit 0 --format json 支援
expect_eq "$OUT" "$ranked_before" "ranking after the rebuild"

# Symbols alone, and in a word.
run "$JFTS_QUERY" --db t.db ％
expect_rc 0 "％"
expect_match "$OUT" '^2 passages, 7 occurrences' "％ count (grep finds 7 in the file)"
run "$JFTS_QUERY" --db t.db --format json ※
expect_rc 0 "※"
expect_match "$OUT" '"matched":\["※"\]' "※ highlighted"
run "$JFTS_QUERY" --db t.db 〒 ☎
expect_rc 0 "〒 ☎"
expect_match "$OUT" '^1 passage, 2 occurrences' "〒 ☎ count"
run "$JFTS_QUERY" --db t.db 50％
expect_rc 0 "50％"
expect_eq "$OUT" "" "50％ is nowhere (only 112％, 38％ …)"
run "$JFTS_QUERY" --db t.db --limit 1 条
expect_rc 0 "one kanji"
