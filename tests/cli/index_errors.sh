#!/usr/bin/env bash
# A file that cannot be decoded stops the run with one line naming it, and the database is
# left byte for byte as it was (or not created at all); --keep-going skips it (exit 3).
# Binary files are skipped with a warning in a walk, and are an error when named.
. "$JFTS_TESTDATA/store/cli_lib.bash"

bad_msg="not UTF-8 (first invalid byte at 106)"

# A first run that fails creates no database.
copy_corpus c
cp "$STORE_DATA/bad-utf8.txt" c/
run "$JFTS_INDEX" --db new.db c
expect_rc 1 "first run with a bad file"
expect_eq "$ERR" "jfts-index: c/bad-utf8.txt: $bad_msg" "first run stderr"
expect_eq "$OUT" "" "first run stdout"
[ ! -e new.db ] || fail "a failed first run left new.db behind"
[ -z "$(ls new.db* 2>/dev/null)" ] || fail "a failed first run left $(ls new.db*)"

# A later run that fails leaves the database as it was.
rm c/bad-utf8.txt
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "good run"
cp t.db before.db
run "$JFTS_QUERY" --db t.db --meetings --format json
meetings_before=$OUT
printf '\n追記：zyxwv\n' >>c/$CORPUS_FILE.txt # a change that must not land
cp "$STORE_DATA/bad-utf8.txt" c/
run "$JFTS_INDEX" --db t.db c
expect_rc 1 "run with a bad file"
expect_eq "$ERR" "jfts-index: c/bad-utf8.txt: $bad_msg" "stderr names the file, one line"
cmp -s t.db before.db || fail "the database changed after a failed run"
run "$JFTS_QUERY" --db t.db --meetings --format json
expect_eq "$OUT" "$meetings_before" "meetings after a failed run"
run "$JFTS_QUERY" --db t.db zyxwv
expect_eq "$OUT" "" "the change before the bad file was rolled back"

# --keep-going: the bad file is skipped with a warning, the rest is indexed, exit 3.
run "$JFTS_INDEX" --db t.db --keep-going c
expect_rc 3 "--keep-going"
expect_eq "$ERR" "jfts-index: warning: c/bad-utf8.txt: $bad_msg; skipped" "--keep-going stderr"
expect_match "$OUT" '^indexed 1 file \(5 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 0 untagged; 0 pruned; 1 skipped$' "--keep-going summary"
run "$JFTS_QUERY" --db t.db zyxwv
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "--keep-going indexed the good file"
rm c/bad-utf8.txt

# Binary files: a warning in a walk (exit 0), an error when named.
printf 'PK\003\004 zip\000data' >c/archive.bin
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "walk with a binary file"
expect_eq "$ERR" "jfts-index: warning: c/archive.bin: binary file (ZIP); skipped
jfts-index: skipped 1 file: 1 .bin" "binary warning"
run "$JFTS_INDEX" --db t.db c/archive.bin
expect_rc 1 "binary file named"
expect_match "$ERR" '^jfts-index: c/archive.bin: binary file' "binary error"

# Hidden files, sidecars and README are not indexed in a walk; Markdown is (a reader of its own).
mkdir -p w/.hidden w/sub
echo "秘密" >w/.hidden/a.txt
echo "# 説明" >w/README
echo "# 説明" >w/guide.md
cp "$STORE_DATA/notes.txt" "$STORE_DATA/notes.meta" w/sub/
run "$JFTS_INDEX" --db w.db w
expect_rc 0 "walk skips"
expect_eq "$(sqlite3 w.db 'SELECT path FROM files ORDER BY path')" "$(printf 'w/guide.md\nw/sub/notes.txt')" \
  "walk indexed guide.md and notes.txt only"
expect_eq "$(sqlite3 w.db "SELECT title, year FROM files WHERE path = 'w/sub/notes.txt'")" "打合せメモ|2022" "sidecar metadata"

# A directory symlink loop is reported once and the walk ends.
ln -s .. w/sub/up
run "$JFTS_INDEX" --db w.db w
expect_rc 0 "symlink loop"
expect_eq "$ERR" "jfts-index: warning: w/sub/up: directory symlink loop; not followed" "loop warning"

# Missing path; unknown encoding (usage); a file that is not a jfts database is not touched.
run "$JFTS_INDEX" --db t.db nowhere.txt
expect_rc 1 "missing path"
expect_eq "$ERR" "jfts-index: nowhere.txt: No such file or directory" "missing path message"
run "$JFTS_INDEX" --db t.db --encoding klingon c
expect_rc 2 "unknown encoding"
expect_eq "$ERR" "jfts-index: unknown encoding 'klingon'" "unknown encoding message"
echo "not a database" >notes.db
run "$JFTS_INDEX" --db notes.db c
expect_rc 1 "not a jfts database"
expect_eq "$ERR" "jfts-index: 'notes.db' is not a jfts database" "not-jfts message"
expect_eq "$(cat notes.db)" "not a database" "foreign file untouched"
