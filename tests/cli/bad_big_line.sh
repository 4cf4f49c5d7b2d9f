#!/usr/bin/env bash
# A 100 MB file that is one line of Japanese text with no sentence end: indexed (exit 0) as
# passages of at most REPORT_PASSAGE_MAX (4096) bytes that together hold every character,
# searchable, in CPU time linear in the length (ten times the bytes of a 10 MB line take at
# most fifteen times its CPU time; a quadratic split took 70 times). Label `big` (normal
# suite, not the sanitizer run); time and peak memory go to stderr for the record.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

cpu_s() { # CMD...: like run; user+sys seconds into $CPU_S, peak RSS into $PEAK_KB
  run /usr/bin/time -f '%U %S %M' -o "$WORK/.cpu" "$@"
  read -r user sys PEAK_KB <"$WORK/.cpu"
  CPU_S=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
}

big_line l10.txt 10
cpu_s "$JFTS_INDEX" --db t10.db l10.txt
expect_rc 0 "10 MB line"
t10=$CPU_S
rm -f l10.txt t10.db

big_line line.txt 100
size=$(stat -c %s line.txt)
cpu_s "$JFTS_INDEX" --db t.db line.txt
expect_rc 0 "100 MB line"
expect_eq "$ERR" "" "100 MB line: stderr"
expect_match "$OUT" '^indexed 1 file \(1 document, [0-9]+ passages, 0 meetings\); 0 unchanged; 1 untagged; 0 pruned$' "100 MB line: summary"
echo "CPU: 10 MB line ${t10}s, 100 MB line ${CPU_S}s (peak RSS ${PEAK_KB} KB)" >&2
awk -v a="$t10" -v b="$CPU_S" 'BEGIN { exit !(b <= 15 * a + 1) }' ||
  fail "100 MB line took ${CPU_S}s of CPU, 10 MB ${t10}s: not linear"

stats=$(sqlite3 t.db "SELECT max(length(CAST(text AS BLOB))) <= 4096, sum(length(CAST(text AS BLOB))), count(*) FROM passages")
IFS='|' read -r capped n_bytes n_passages <<<"$stats"
expect_eq "$capped" 1 "every passage at most 4096 bytes"
expect_eq "$n_bytes" "$size" "the passages hold every byte of the line"
[ "$n_passages" -ge $((size / 4096)) ] || fail "only $n_passages passages"
run "$JFTS_QUERY" --db t.db --limit 1 関係機関と連携
expect_rc 0 "search the 100 MB line"
expect_match "$(head -1 <<<"$OUT")" '^[0-9]+ passages, [0-9]+ occurrences$' "search the 100 MB line"
