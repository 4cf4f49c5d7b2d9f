#!/usr/bin/env bash
# Bad bytes deep inside a file that jfts-index streams piece by piece (files over the piece
# size; JFTS_INDEX_PIECE_BYTES=65536 here so that a 500 KB file has several pieces): the
# message gives the offset in the file, a failed run leaves the database as it was, and
# --keep-going or a walk leaves no row of the bad file behind, though earlier pieces of it
# had been stored.
. "$JFTS_TESTDATA/bad/bad_lib.bash"
export JFTS_INDEX_PIECE_BYTES=65536

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"
answers0=$(answers t.db)
bytes0=$(db_bytes t.db)
for i in $(seq 20); do cat c/$CORPUS_FILE.txt; done >big.txt
{ head -c 300000 big.txt; printf '\xff'; tail -c +300001 big.txt; } >bad-utf8.txt
{ head -c 300000 big.txt; printf '\000'; tail -c +300001 big.txt; } >nul.txt

for f in bad-utf8.txt nul.txt; do
  run "$JFTS_INDEX" --db t.db big.txt $f
  expect_rc 1 "$f"
  case $f in
    bad-utf8.txt) want="not UTF-8 (first invalid byte at 300000)" ;;
    nul.txt) want="binary file (NUL byte at 300000)" ;;
  esac
  expect_eq "$ERR" "jfts-index: $f: $want" "$f: stderr"
  expect_eq "$(db_bytes t.db)" "$bytes0" "$f: database bytes"
  expect_eq "$(answers t.db)" "$answers0" "$f: answers"
done

run "$JFTS_INDEX" --db t.db --keep-going bad-utf8.txt nul.txt big.txt
expect_rc 3 "--keep-going"
expect_eq "$ERR" "jfts-index: warning: bad-utf8.txt: not UTF-8 (first invalid byte at 300000); skipped
jfts-index: warning: nul.txt: binary file (NUL byte at 300000); skipped" "--keep-going: stderr"
mkdir w
cp nul.txt w/
run "$JFTS_INDEX" --db t.db w
expect_rc 0 "walk"
expect_eq "$ERR" "jfts-index: warning: w/nul.txt: binary file (NUL byte at 300000); skipped
jfts-index: skipped 1 file: 1 binary" "walk: stderr"
expect_eq "$(sqlite3 t.db 'SELECT path FROM files ORDER BY path')" "big.txt
c/$CORPUS_FILE.txt" "files"
# No passage, document or meeting of a skipped file was left behind.
expect_eq "$(sqlite3 t.db "SELECT (SELECT count(*) FROM passages WHERE file_id NOT IN (SELECT id FROM files)) + (SELECT count(*) FROM documents WHERE file_id NOT IN (SELECT id FROM files)) + (SELECT count(*) FROM meetings WHERE file_id NOT IN (SELECT id FROM files))")" 0 "orphan rows"
if [ -n "${JFTS_EXT:-}" ] && sqlite3 :memory: ".load ${JFTS_EXT%.so}" 2>/dev/null; then
  run sqlite3 t.db ".load ${JFTS_EXT%.so}" "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)"
  expect_rc 0 "FTS5 integrity-check"
fi
