#!/usr/bin/env bash
# --prune removes the files that are gone (and only them), with --prune alone or with PATHs.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
cp "$STORE_DATA/notes.txt" "$STORE_DATA/notes.meta" c/
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index two files"
expect_match "$OUT" '^indexed 2 files \(6 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 1 untagged; 0 pruned$' "two files"

# Nothing gone: nothing pruned.
run "$JFTS_INDEX" --db t.db --prune
expect_rc 0 "prune alone, nothing gone"
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 0 unchanged; 0 untagged; 0 pruned" "nothing to prune"

# Without --prune a vanished file stays in the index.
rm c/$CORPUS_FILE.txt
run "$JFTS_INDEX" --db t.db c
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "no prune"
[ "$(sqlite3 t.db 'SELECT count(*) FROM files')" = 2 ] || fail "file dropped without --prune"

run "$JFTS_INDEX" --db t.db --prune c
expect_rc 0 "prune with paths"
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 1 pruned" "prune summary"
run "$JFTS_QUERY" --db t.db --documents
expect_eq "$OUT" "-	令和4年度	打合せメモ	1 passage	c/notes.txt:1-3	テスト	-	-	org=sidecar,year=sidecar,title=sidecar" \
  "documents after prune (year, organisation and title from the sidecar)"
counts=$(sqlite3 t.db "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM documents), (SELECT count(*) FROM passages), (SELECT count(*) FROM meetings)")
expect_eq "$counts" "1|1|1|0" "rows after prune (the file's whole document)"
run "$JFTS_QUERY" --db t.db --meetings --format json
expect_eq "$OUT" "" "meetings after prune"
run "$JFTS_QUERY" --db t.db 連携
expect_eq "$OUT" "" "search after prune"
run "$JFTS_QUERY" --db t.db zyxwv
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "the other file is still found"
