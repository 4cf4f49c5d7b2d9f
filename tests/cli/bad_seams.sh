#!/usr/bin/env bash
# A file indexed in pieces (JFTS_INDEX_PIECE_BYTES=65536 on a 2 MB file: 30 seams) answers
# exactly like the same file indexed whole: the same documents, meetings and search results
# (a report that a cut goes through is read again whole in the next piece).
. "$JFTS_TESTDATA/bad/bad_lib.bash"

big_text r.txt 2
JFTS_INDEX_PIECE_BYTES=$((1 << 30)) "$JFTS_INDEX" --db whole.db --quiet r.txt
JFTS_INDEX_PIECE_BYTES=65536 "$JFTS_INDEX" --db pieces.db --quiet r.txt
for q in --documents --meetings; do
  expect_eq "$("$JFTS_QUERY" --db pieces.db $q --format tsv)" \
    "$("$JFTS_QUERY" --db whole.db $q --format tsv)" "$q: pieces vs whole"
done
search() { "$JFTS_QUERY" --db "$1" --limit 0 --sort doc --format json 運営会議 | sed -E 's/"score":[^,]*,//'; }
expect_eq "$(search pieces.db)" "$(search whole.db)" "search: pieces vs whole"
