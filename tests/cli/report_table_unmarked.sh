#!/usr/bin/env bash
# A ward report whose ○実施状況 table lost its （N） row markers (as text retyped or taken
# from another extractor often has): the rows cannot be told apart, but none of their text
# may be lost. Before, every line after the table title became a column-header label, which
# is not searched: 若林区's table below gave 0 passages.
. "$JFTS_TESTDATA/store/cli_lib.bash"

mkdir d
sed -n 349,380p "$JFTS_CORPUS/$CORPUS_FILE.txt" | grep -v '^[（(]' >d/wakabayashi.txt
run "$JFTS_INDEX" --db t.db d
expect_rc 0 "index"
expect_match "$OUT" '^indexed 1 file \(1 document, [1-9][0-9]* passages, 0 meetings\)' "the table's text is passages"
for word in ハイブリット 8050問題 話題提供 グループワーク; do
  want=$(tr -d ' \n' <d/wakabayashi.txt | grep -o "$word" | wc -l || true)
  run "$JFTS_QUERY" --db t.db --exact --format tsv --limit 0 "$word"
  expect_rc 0 "$word"
  got=$(tail -n +2 <<<"$OUT" | wc -l)
  [ "$want" -gt 0 ] || fail "$word: not in the fixture"
  [ "$got" -gt 0 ] || fail "$word: in the text $want times, found in no passage"
done
run "$JFTS_QUERY" --db t.db --exact ハイブリット
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "ハイブリット: its one occurrence"
