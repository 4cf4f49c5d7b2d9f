#!/usr/bin/env bash
# Peak memory of indexing does not grow with the size of a file (jfts-index streams large
# files piece by piece): a 200 MB report file takes at most a quarter more resident memory
# than a 50 MB one; every copy's five ward documents are found, no passage passes the cap,
# and the last copy's own word is searchable. Label `big` (normal suite,
# not the sanitizer run); sizes, times and peak memory go to
# stderr for the record.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

declare -A peak
for mb in 50 200; do
  big_text r$mb.txt $mb
  peak_rss_kb "$JFTS_INDEX" --db t$mb.db r$mb.txt
  expect_rc 0 "$mb MB file"
  expect_eq "$ERR" "" "$mb MB file: stderr"
  peak[$mb]=$PEAK_KB
  echo "$mb MB ($N_COPIES copies): ${WALL_S}s, peak RSS ${PEAK_KB} KB" >&2
  expect_eq "$(sqlite3 t$mb.db "SELECT (SELECT count(*) FROM documents), (SELECT max(length(CAST(text AS BLOB))) <= 4096 FROM passages)")" \
    "$((N_COPIES * 5 + 1))|1" "$mb MB file: documents (five a copy, and 写し0's), passage cap"
  run "$JFTS_QUERY" --db t$mb.db "写し$((N_COPIES - 1))"
  expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "$mb MB file: the last copy's word"
  rm -f r$mb.txt t$mb.db*
done
[ "${peak[200]}" -le $((peak[50] * 5 / 4)) ] ||
  fail "peak RSS ${peak[200]} KB for 200 MB, ${peak[50]} KB for 50 MB: not bounded"
