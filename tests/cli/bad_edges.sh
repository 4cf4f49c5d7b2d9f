#!/usr/bin/env bash
# Edge cases of bad input: a tiny non-UTF-8 file, an index in a read-only directory (queried
# through an immutable read-only connection), a read-only database file (refused up front,
# nothing left beside it), and a large file whose first piece is ASCII and whose Japanese
# text is Shift_JIS (decoded whole, as a small file would be).
. "$JFTS_TESTDATA/bad/bad_lib.bash"
copy_corpus c

# 1. A tiny non-UTF-8 file: the same message as for longer files; skipped with --keep-going.
printf 'a\xff' >tiny.txt
run "$JFTS_INDEX" --db t.db tiny.txt
expect_rc 1 "tiny non-UTF-8 file"
expect_eq "$ERR" "jfts-index: tiny.txt: not UTF-8 (first invalid byte at 1)" "tiny non-UTF-8 file: stderr"
run "$JFTS_INDEX" --db t.db --keep-going c tiny.txt
expect_rc 3 "tiny non-UTF-8 file, --keep-going"
expect_eq "$ERR" "jfts-index: warning: tiny.txt: not UTF-8 (first invalid byte at 1); skipped" "tiny, --keep-going: stderr"

rm -f t.db*
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"
chmod 755 "$WORK"
mkdir p
cp -r c t.db p/
chown -R 65534:65534 p
cd p

# 2. An index in a read-only directory answers queries (opened immutable: no -shm needed).
mkdir ro
cp t.db ro/
chown -R 65534:65534 ro
chmod 555 ro
run as_nobody "$JFTS_QUERY" --db ro/t.db 連携
expect_rc 0 "query an index in a read-only directory"
expect_eq "$ERR" "" "query an index in a read-only directory: stderr"

# 3. A read-only database file: one line up front, no -wal/-shm left; writable again, it works.
printf '\n追記：zyxwv\n' >>c/$CORPUS_FILE.txt
chmod 444 t.db
run as_nobody "$JFTS_INDEX" --db t.db c
expect_rc 1 "read-only database file"
expect_eq "$(ls t.db*)" "t.db" "read-only database file: files left"
chmod 644 t.db
run as_nobody "$JFTS_INDEX" --db t.db c
expect_rc 0 "writable again"

# 4. A large file (read in pieces) whose first piece is ASCII and whose Japanese text is
#    Shift_JIS: detected as Shift_JIS on the whole file, as a small file would be.
cd "$WORK"
{
  for i in $(seq 2000); do echo "This is an English preamble line number $i of the report."; done
  iconv -f UTF-8 -t CP932 "$JFTS_CORPUS/$CORPUS_FILE.txt"
} >mixed.txt
JFTS_INDEX_PIECE_BYTES=65536 run "$JFTS_INDEX" --db mixed.db mixed.txt
expect_rc 0 "ASCII first piece, Shift_JIS later"
expect_eq "$(sqlite3 mixed.db 'SELECT encoding FROM files')" "Shift_JIS" "ASCII first piece: encoding"
