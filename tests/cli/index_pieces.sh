#!/usr/bin/env bash
# Large files are indexed piece by piece (bounded memory). With tiny pieces
# (JFTS_INDEX_PIECE_BYTES) the corpus still yields every occurrence with its exact line; a bad
# byte deep in a file is reported at its offset in the file; a file that fails part-way with
# --keep-going leaves its earlier version in the index; an unchanged file is recognised.
. "$JFTS_TESTDATA/store/cli_lib.bash"
export JFTS_INDEX_PIECE_BYTES=4096

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "pieces"
run "$JFTS_QUERY" --db t.db --quotes --exact --format tsv 8050問題
lines=$(cut -f13 <<<"$OUT" | tail -n +2 | tr '\n' ' ')
expect_eq "$lines" "317 368 467 473 509 " "every 8050問題 cited at its line"
run "$JFTS_INDEX" --db t.db c
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "unchanged"

# A bad byte past the first piece: the offset is the file's.
cp t.db before.db
cp "c/$CORPUS_FILE.txt" c/big.txt
size=$(stat -c %s c/big.txt)
printf 'ok line\n\xff\n' >>c/big.txt
run "$JFTS_INDEX" --db t.db c
expect_rc 1 "bad byte in a later piece"
expect_eq "$ERR" "jfts-index: c/big.txt: not UTF-8 (first invalid byte at $((size + 8)))" "offset in the file"
cmp -s t.db before.db || fail "a failed run changed the database"

# --keep-going: the bad file is skipped, its earlier version stays.
cp "c/$CORPUS_FILE.txt" c/big.txt
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "good big file"
run "$JFTS_QUERY" --db t.db --documents --format tsv
docs_before=$OUT
printf 'ok line\n\xff\n' >>c/big.txt
run "$JFTS_INDEX" --keep-going --db t.db c
expect_rc 3 "keep-going skips the bad big file"
run "$JFTS_QUERY" --db t.db --documents --format tsv
expect_eq "$OUT" "$docs_before" "earlier version kept"
