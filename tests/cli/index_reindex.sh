#!/usr/bin/env bash
# jfts-index run twice changes nothing; a changed file or sidecar is replaced, never
# duplicated; a file reached twice (named twice, or through a symlink) is stored once.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first run"
expect_match "$OUT" '^indexed 1 file \(5 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 0 untagged; 0 pruned$' "first summary"
expect_eq "$ERR" "" "first run stderr"
n_passages=$(sed -E 's/.* ([0-9]+) passages.*/\1/' <<<"$OUT")
[ "$n_passages" -gt 30 ] || fail "only $n_passages passages"
[ "$(sqlite3 t.db 'PRAGMA journal_mode')" = wal ] || fail "not in WAL mode"

run "$JFTS_QUERY" --db t.db --documents --format json
docs_before=$OUT
run "$JFTS_QUERY" --db t.db --meetings --format tsv
meetings_before=$OUT
# Document order, scores left out: BM25 scores move when another passage joins the index.
search_doc() {
  run "$JFTS_QUERY" --db t.db --limit 0 --sort doc --format json 連携
  OUT=$(sed -E 's/"score":[^,]*,//' <<<"$OUT")
}
search_doc
search_before=$OUT

# Idempotent: nothing re-indexed, and nothing listed differently.
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "second run"
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "second summary"
run "$JFTS_QUERY" --db t.db --documents --format json
expect_eq "$OUT" "$docs_before" "documents after re-index"
run "$JFTS_QUERY" --db t.db --meetings --format tsv
expect_eq "$OUT" "$meetings_before" "meetings after re-index"
search_doc
expect_eq "$OUT" "$search_before" "search after re-index"

# The same file named twice, and through a symlinked directory, is stored once.
ln -s c c-link
run "$JFTS_INDEX" --db t.db c/$CORPUS_FILE.txt c-link c
expect_rc 0 "same file three ways"
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "same file three ways"
[ "$(sqlite3 t.db 'SELECT count(*) FROM files')" = 1 ] || fail "file stored twice"
rm c-link

# A changed file replaces its rows: the new word is found, the old rows are gone.
printf '\n追記：zyxwv の検討を行った。\n' >>c/$CORPUS_FILE.txt
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "changed file"
expect_match "$OUT" '^indexed 1 file \(5 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 0 untagged; 0 pruned$' "changed summary"
run "$JFTS_QUERY" --db t.db --format json zyxwv
expect_rc 0 "query new word"
[ "$(grep -c '"text":' <<<"$OUT")" = 1 ] || fail "new word: $OUT"
counts=$(sqlite3 t.db "SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM documents), (SELECT count(*) FROM meetings)")
expect_eq "$counts" "1|5|30" "rows after change"
search_doc
expect_eq "$OUT" "$search_before" "search after change"
# FTS5 itself checks that the index matches the passages (the shell needs the tokenizer).
# (A sanitizer build's extension cannot be loaded into the plain shell: then skip.)
if [ -n "${JFTS_EXT:-}" ] && sqlite3 :memory: ".load ${JFTS_EXT%.so}" 2>/dev/null; then
  sqlite3 t.db ".load ${JFTS_EXT%.so}" "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)" ||
    fail "FTS5 integrity-check after change"
fi

# A changed sidecar alone re-stores the file with the new metadata.
sed -i 's/^title: .*/title: 新しい題名/' c/$CORPUS_FILE.meta
run "$JFTS_INDEX" --db t.db c
expect_match "$OUT" '^indexed 1 file ' "sidecar change"
[ "$(sqlite3 t.db 'SELECT title FROM files')" = "新しい題名" ] || fail "sidecar title not stored"

# A file given by another path is found by its real path: unchanged, and the display path
# stays the one it was indexed under.
run "$JFTS_INDEX" --db t.db ./c/../c/$CORPUS_FILE.txt
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "other path"

# --encoding naming what was detected changes nothing; one that does not fit is an error.
run "$JFTS_INDEX" --db t.db --encoding utf8 c
expect_rc 0 "--encoding utf8"
expect_eq "$OUT" "indexed 0 files (0 documents, 0 passages, 0 meetings); 1 unchanged; 0 untagged; 0 pruned" "--encoding utf8"
run "$JFTS_INDEX" --db t.db --encoding euc-jp c
expect_rc 1 "--encoding euc-jp on UTF-8 text"
expect_match "$ERR" '^jfts-index: c/sendai-r3-jiritsushien.txt: invalid EUC-JP at byte [0-9]+$' "--encoding euc-jp"
