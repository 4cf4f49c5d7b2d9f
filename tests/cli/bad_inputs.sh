#!/usr/bin/env bash
# Bad input files, one row of the README's bad-input table each: what jfts-index says (one
# line on stderr naming the input and the problem), its exit code, what it skips, and that
# a failed run leaves the index exactly as it was (same database bytes, same answers), even
# when a good file changed in the same run. See bad_db.sh for bad databases, bad_disk_full.sh,
# killed.sh, concurrency.sh, and bad_long_*.sh for huge inputs.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"
answers0=$(answers t.db)
bytes0=$(db_bytes t.db)
# A change that lands only when a run succeeds.
printf '\n追記：zyxwv の検討を行った。\n' >>c/$CORPUS_FILE.txt

unchanged() { # what
  expect_eq "$(db_bytes t.db)" "$bytes0" "$1: database bytes"
  expect_eq "$(answers t.db)" "$answers0" "$1: answers"
}

mkdir bad
sjis() { printf '%s' "$1" | iconv -f UTF-8 -t CP932; }
{ sjis $'地域の支援体制\n'; printf '\x81\x0a'; sjis $'です\n'; } >bad/sjis-trail.sjis
{ sjis $'地域の支援体制\n'; printf '\x93'; } >bad/sjis-cut.sjis
{ sjis $'地域の支援体制\n'; printf '\xff'; sjis $'です\n'; } >bad/sjis-ff.sjis
printf '日本語\xff\xfeです\n' >bad/u8-ff.txt
printf '地域\xed\xa0\x80支援\n' >bad/u8-surrogate.txt
printf '地域\xc0\xaf支援\n' >bad/u8-overlong.txt
printf '地域\xe6\x97' >bad/u8-cut.txt
printf '地域\xf4\x90\x80\x80\n' >bad/u8-beyond.txt
printf '\xa4\xa2\xa4\xff\xa4\n' >bad/euc.txt
printf '\xfe\xff\x00A\x00' >bad/utf16-odd.txt
printf '\xff\xfe\x00\xd8A\x00' >bad/utf16-surrogate.txt
printf '会議の記録\000です\n' >bad/nul.txt
cp /bin/true bad/elf
printf '\x89PNG\r\n\x1a\n' >bad/image.png
head -c 200 /dev/urandom >>bad/image.png
mkfifo bad/fifo

# Each named on the command line after the changed corpus: exit 1, one line, nothing changed.
# file | option | expected stderr after "jfts-index: bad/FILE: "
cases=(
  u8-ff.txt        ''                     'not UTF-8 (first invalid byte at 9)'
  u8-surrogate.txt ''                     'not UTF-8 (first invalid byte at 6)'
  u8-overlong.txt  ''                     'not UTF-8 (first invalid byte at 6)'
  u8-cut.txt       ''                     'not UTF-8 (first invalid byte at 6)'
  u8-beyond.txt    ''                     'not UTF-8 (first invalid byte at 6)'
  u8-ff.txt        '--encoding=utf-8'     'invalid UTF-8 at byte 9'
  sjis-trail.sjis  '--encoding=shift_jis' 'invalid Shift_JIS at byte 15'
  sjis-cut.sjis    '--encoding=shift_jis' 'invalid Shift_JIS at byte 15'
  sjis-ff.sjis     '--encoding=shift_jis' 'invalid Shift_JIS at byte 15'
  euc.txt          '--encoding=euc-jp'    'invalid EUC-JP at byte 2'
  utf16-odd.txt    ''                     'invalid UTF-16BE at byte 4'
  utf16-surrogate.txt ''                  'invalid UTF-16LE at byte 2'
  nul.txt          ''                     'binary file (NUL byte at 15)'
  elf              ''                     'binary file (ELF)'
  image.png        ''                     'binary file (PNG)'
  fifo             ''                     'not a regular file or directory'
  nowhere.txt      ''                     'No such file or directory'
)
for ((i = 0; i < ${#cases[@]}; i += 3)); do
  f=${cases[i]} opt=${cases[i + 1]} msg=${cases[i + 2]}
  # With --encoding every file is decoded so: the corpus (UTF-8) goes along only without one.
  if [ -n "$opt" ]; then
    run "$JFTS_INDEX" --db t.db "$opt" "bad/$f"
  else
    run "$JFTS_INDEX" --db t.db c "bad/$f"
  fi
  expect_rc 1 "$f $opt"
  expect_eq "$ERR" "jfts-index: bad/$f: $msg" "$f $opt: stderr"
  expect_eq "$OUT" "" "$f $opt: stdout"
  unchanged "$f $opt"
done

# The same Shift_JIS bytes without the invalid one index fine (the test is of the bytes).
sjis $'地域の支援体制\nです\n' >sjis-good.sjis
run "$JFTS_INDEX" --db sj.db --encoding shift_jis sjis-good.sjis
expect_rc 0 "valid Shift_JIS"
expect_eq "$(sqlite3 sj.db 'SELECT encoding FROM files')" "Shift_JIS" "valid Shift_JIS encoding"

# A sidecar that cannot be decoded is an error of the file it describes, naming the sidecar.
mkdir side
cp "$STORE_DATA/notes.txt" side/
printf 'title: \xff\n' >side/notes.meta
run "$JFTS_INDEX" --db t.db c side/notes.txt
expect_rc 1 "bad sidecar"
expect_eq "$ERR" "jfts-index: side/notes.meta: not UTF-8 (first invalid byte at 7)" "bad sidecar stderr"
unchanged "bad sidecar"

# --keep-going: every bad file skipped with one warning each, the rest indexed, exit 3.
run "$JFTS_INDEX" --db kg.db --keep-going c bad/u8-ff.txt bad/nul.txt bad/elf bad/image.png \
  bad/fifo nowhere.txt
expect_rc 3 "--keep-going"
expect_eq "$ERR" "jfts-index: warning: bad/fifo: not a regular file or directory; skipped
jfts-index: warning: nowhere.txt: No such file or directory; skipped
jfts-index: warning: bad/u8-ff.txt: not UTF-8 (first invalid byte at 9); skipped
jfts-index: warning: bad/nul.txt: binary file (NUL byte at 15); skipped
jfts-index: warning: bad/elf: binary file (ELF); skipped
jfts-index: warning: bad/image.png: binary file (PNG); skipped" "--keep-going warnings"
expect_match "$OUT" '^indexed 1 file \(5 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 0 untagged; 0 pruned; 6 skipped$' "--keep-going summary"
expect_eq "$(sqlite3 kg.db 'SELECT path FROM files')" "c/$CORPUS_FILE.txt" "--keep-going stored only the good file"
run "$JFTS_QUERY" --db kg.db zyxwv
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "--keep-going indexed the change"

# Binary files met in a walk are skipped with a warning (exit 0), text files beside them
# indexed; without and with --keep-going (a skipped binary is not a failure).
mkdir walk
cp c/$CORPUS_FILE.txt bad/elf bad/image.png bad/nul.txt walk/
cp "$STORE_DATA/notes.txt" walk/
binary_warnings="jfts-index: warning: walk/elf: binary file (ELF); skipped
jfts-index: warning: walk/image.png: binary file (PNG); skipped
jfts-index: warning: walk/nul.txt: binary file (NUL byte at 15); skipped"
for opt in --quiet --keep-going; do
  rm -f w.db
  run "$JFTS_INDEX" --db w.db "$opt" walk
  expect_rc 0 "walk with binaries $opt"
  expect_eq "$ERR" "$binary_warnings" "walk with binaries $opt: stderr"
  expect_eq "$(sqlite3 w.db 'SELECT path FROM files ORDER BY path')" "walk/notes.txt
walk/$CORPUS_FILE.txt" "walk with binaries $opt: files"
done

# Empty file and a file of blank lines: indexed as files without passages (exit 0, listed by
# --documents), searches unaffected.
: >empty.txt
printf '\n\n  \n\t\n\r\n　\n' >blank.txt
run "$JFTS_INDEX" --db e.db c empty.txt blank.txt
expect_rc 0 "empty and blank files"
expect_eq "$ERR" "" "empty and blank files: stderr"
expect_match "$OUT" '^indexed 3 files \(7 documents, [0-9]+ passages, 30 meetings\); 0 unchanged; 2 untagged; 0 pruned$' "empty and blank summary"
expect_eq "$(sqlite3 e.db "SELECT f.path, count(p.id) > 0 FROM files f LEFT JOIN passages p ON p.file_id = f.id GROUP BY f.id ORDER BY f.path")" \
  "blank.txt|0
c/$CORPUS_FILE.txt|1
empty.txt|0" "files with passages"
run "$JFTS_QUERY" --db e.db --documents
expect_match "$OUT" $'(^|\n)-\t-\t-\t0 passages\tempty.txt:' "--documents lists the empty file"
run "$JFTS_QUERY" --db e.db zyxwv
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "search beside empty files"

# A 2 MB single line without a sentence end (bad_big_line.sh has 100 MB): passages of at
# most 4096 bytes that hold every byte.
big_line line.txt 2
run "$JFTS_INDEX" --db line.db line.txt
expect_rc 0 "2 MB line"
expect_eq "$ERR" "" "2 MB line: stderr"
expect_eq "$(sqlite3 line.db "SELECT max(length(CAST(text AS BLOB))) <= 4096, sum(length(CAST(text AS BLOB))) FROM passages")" \
  "1|$(stat -c %s line.txt)" "2 MB line: passages capped, every byte kept"

# Directory symlink loops (to itself, and a two-step cycle): one warning each, exit 0, every
# file stored once.
mkdir -p loop/a/b
cp "$STORE_DATA/notes.txt" loop/a/
ln -s . loop/self
ln -s ../../a loop/a/b/up
run "$JFTS_INDEX" --db l.db loop
expect_rc 0 "symlink loops"
expect_eq "$ERR" "jfts-index: warning: loop/a/b/up: directory symlink loop; not followed
jfts-index: warning: loop/self: directory symlink loop; not followed" "symlink loop warnings"
expect_eq "$(sqlite3 l.db 'SELECT path FROM files')" "loop/a/notes.txt" "symlink loops: files"

# A database inside the walked directory (with its -wal while the run writes) is not indexed.
mkdir own
cp "$STORE_DATA/notes.txt" own/
run "$JFTS_INDEX" --db own/t.db own
expect_rc 0 "database inside the walk"
printf 'もう一行\n' >>own/notes.txt
run "$JFTS_INDEX" --db own/t.db own
expect_rc 0 "database inside the walk, again"
expect_eq "$ERR" "" "database inside the walk: stderr"
expect_eq "$(sqlite3 own/t.db 'SELECT path FROM files')" "own/notes.txt" "database inside the walk: files"

# The pending change lands once the run is clean.
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "clean run"
run "$JFTS_QUERY" --db t.db zyxwv
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "clean run indexed the change"
