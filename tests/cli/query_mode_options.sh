#!/usr/bin/env bash
# Options of the plain search that the other modes would ignore are refused there, not
# silently accepted: --all-words (--wards and --quotes always need every word), --related and
# --no-related (they add no related topics); the search still takes them.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --quiet --db t.db c
expect_rc 0 "index"
echo "防災 => 避難訓練" >rel.txt
words="every word"
topics="add no related topics"
while IFS='|' read -r mode opt msg; do
  # shellcheck disable=SC2086 # mode and opt are one or two words each
  run "$JFTS_QUERY" --db t.db $mode $opt 防災
  expect_rc 2 "$mode $opt"
  expect_eq "$ERR" "jfts-query: ${opt%% *} is for searching (--wards and --quotes $msg)
Try 'jfts-query --help' for more information." "$mode $opt: message"
  [ -z "$OUT" ] || fail "$mode $opt: output: $OUT"
done <<EOF2
--wards|--all-words|always need $words
--quotes|--all-words|always need $words
--by year|--all-words|always need $words
--wards|--no-related|$topics
--quotes|--no-related|$topics
--wards|--related rel.txt|$topics
--quotes|--related rel.txt|$topics
EOF2
for opt in --all-words --no-related "--related rel.txt"; do
  # shellcheck disable=SC2086
  run "$JFTS_QUERY" --db t.db $opt 防災
  expect_rc 0 "search $opt"
done
