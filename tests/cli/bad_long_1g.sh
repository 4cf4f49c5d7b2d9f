#!/usr/bin/env bash
# A 1 GB report file is indexed in bounded memory: its peak resident memory is at most a
# quarter more than a 50 MB file's (jfts-index streams large files piece by piece), every
# copy's five ward documents are found and the last copy's own word is searchable. Label
# `long` (about 2 minutes on 2 cores; needs about 5 GB in TMPDIR: the input and a 3 GB
# database). Sizes, times and peak memory go to stderr for the record.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

big_text r50.txt 50
peak_rss_kb "$JFTS_INDEX" --db t50.db r50.txt
expect_rc 0 "50 MB file"
peak50=$PEAK_KB
echo "50 MB: ${WALL_S}s, peak RSS ${PEAK_KB} KB" >&2
rm -f r50.txt t50.db*

big_text r.txt 1000
peak_rss_kb "$JFTS_INDEX" --db t.db r.txt
expect_rc 0 "1 GB file"
expect_eq "$ERR" "" "1 GB file: stderr"
echo "1 GB ($N_COPIES copies, $(stat -c %s r.txt) bytes): ${WALL_S}s, peak RSS ${PEAK_KB} KB, database $(stat -c %s t.db) bytes" >&2
rm -f r.txt
[ "$PEAK_KB" -le $((peak50 * 5 / 4)) ] ||
  fail "peak RSS $PEAK_KB KB for 1 GB, $peak50 KB for 50 MB: not bounded"
# Five wards a copy, and the line 写し0 before the first copy (a document of its own).
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM documents")" "$((N_COPIES * 5 + 1))" "1 GB file: documents"
run "$JFTS_QUERY" --db t.db "写し$((N_COPIES - 1))"
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "1 GB file: the last copy's word"
