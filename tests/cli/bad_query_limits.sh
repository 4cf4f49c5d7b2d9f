#!/usr/bin/env bash
# Query size, rows of the README's bad-input table: a query over 32 KiB or over 128 terms is
# refused with one line (exit 2), as an argument and as a line of --queries (the other lines
# still run); just under both bounds it is searched; a --queries line of tens of megabytes is
# measured, not held (bounded memory), and the costliest queries within the bounds are
# answered in bounded memory too (an unbounded 12 MB query once took 1.4 GB).
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"

# Memory bounds are asserted on a plain build: AddressSanitizer's shadow and quarantine are
# not the program's memory (scripts/ci-sanitize.sh runs this test too).
SANITIZED=$(ldd "$JFTS_QUERY" | grep -c libasan || true)
rss_max() { # WHAT KB: the last peak_rss_kb stayed under KB, unless sanitized
  echo "$1: peak RSS $PEAK_KB KB" >&2
  if [ "$SANITIZED" = 0 ]; then
    [ "$PEAK_KB" -lt "$2" ] || fail "$1: peak RSS $PEAK_KB KB, expected under $2 KB"
  fi
}

# repeat UNIT N: UNIT written N times.
repeat() { local i; for ((i = 0; i < $2; i++)); do printf '%s' "$1"; done; }

# Over the byte bound: 5,462 x "支援" = 32,772 bytes, as one word and with spaces.
long=$(repeat 支援 5462)
run "$JFTS_QUERY" --db t.db "$long"
expect_rc 2 "a 32,772-byte query"
expect_eq "$ERR" "jfts-query: the query is too long (32772 bytes; at most 32768)" "a 32,772-byte query: stderr"
expect_eq "$OUT" "" "a 32,772-byte query: stdout"
# Just under it: 5,461 x "支援" = 32,766 bytes, searched.
run "$JFTS_QUERY" --db t.db --limit 1 "$(repeat 支援 5461)"
expect_rc 0 "a 32,766-byte query"
expect_eq "$ERR" "" "a 32,766-byte query: stderr"

# Over the term bound: 129 words; just under it: 128 words, among them 連携, all searched
# (best match: passages with some of the words).
words=$(repeat '支援 ' 127)
run "$JFTS_QUERY" --db t.db "$words 連携 会議"
expect_rc 2 "129 terms"
expect_eq "$ERR" "jfts-query: the query has too many terms (more than 128)" "129 terms: stderr"
run "$JFTS_QUERY" --db t.db --limit 1 --format json "$words 連携"
expect_rc 0 "128 terms"
expect_match "$OUT" '"matched":\[' "128 terms: a row"
# Words that have nothing searchable do not count; punctuation that cuts a word does.
run "$JFTS_QUERY" --db t.db --limit 1 "$(repeat '「」 ' 500) 連携"
expect_rc 0 "500 dropped words and one term"
expect_eq "$ERR" "jfts-query: note: ignoring '「」': it has no searchable characters" "dropped words: one note"
run "$JFTS_QUERY" --db t.db --limit 1 "$(repeat '地域・支援 ' 65)"
expect_rc 2 "65 words cut into 130 terms"
expect_eq "$ERR" "jfts-query: the query has too many terms (more than 128)" "130 terms: stderr"

# --queries: an overlong line (20 MB) and a line of 129 terms are refused, each in one line
# naming its line, and the query after them runs; memory stays far below the line's size.
{
  echo 8050問題
  head -c 20000000 /dev/zero | tr '\0' 'a'
  echo
  echo "$words 連携 会議"
  echo 連携
} >queries.txt
peak_rss_kb "$JFTS_QUERY" --db t.db --queries queries.txt --limit 1 --format json
expect_rc 0 "--queries with bad lines"
expect_eq "$ERR" "jfts-query: line 2: the query is too long (20000000 bytes; at most 32768)
jfts-query: line 3: the query has too many terms (more than 128)" "--queries with bad lines: stderr"
expect_eq "$(grep -c '^{"query":"8050問題"' <<<"$OUT")" 1 "--queries: line 1 ran"
expect_eq "$(grep -c '^{"query":"連携"' <<<"$OUT")" 1 "--queries: line 4 ran"
rss_max "--queries with a 20 MB line" 100000
# Only overlong lines: no valid query (usage).
head -c 40000 /dev/zero | tr '\0' 'b' >only_long.txt
run "$JFTS_QUERY" --db t.db --queries only_long.txt
expect_rc 2 "--queries with only an overlong line"
expect_eq "$ERR" "jfts-query: line 1: the query is too long (40000 bytes; at most 32768)
jfts-query: no valid query in 'only_long.txt'" "--queries with only an overlong line: stderr"

# The costliest shapes stay bounded in memory: one word of 5,460 chars that the thesaurus
# expands (ウイルス: 64 variants, each as long) and 128 words of variants. Only on a plain
# build: under the sanitizers these alone take minutes, past the 60 s budget of a search.
[ "$SANITIZED" = 0 ] || exit 0
peak_rss_kb "$JFTS_QUERY" --db t.db --limit 1 "$(repeat ウイルス 1365)"
expect_rc 0 "a 16,380-byte word with variants"
rss_max "a 16,380-byte word with variants" 200000
peak_rss_kb "$JFTS_QUERY" --db t.db --limit 1 "$(repeat 'ウイルス障害 ' 128)"
expect_rc 0 "128 words with variants"
rss_max "128 words with variants" 200000
