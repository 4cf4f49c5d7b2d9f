#!/usr/bin/env bash
# jfts-index killed with SIGKILL in the middle of a large run (its write-ahead log already
# megabytes long, nothing committed): the old index answers every question exactly as before,
# and the next run completes and holds the new files.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"
answers0=$(answers t.db)
# Two hundred copies of the report, each with a word of its own (copyN): several seconds of
# indexing on a slow machine, well over a second on a fast one.
mkdir big
for i in $(seq 200); do
  { printf 'copy%d\n' "$i"; cat c/$CORPUS_FILE.txt; } >big/r$i.txt
done

"$JFTS_INDEX" --db t.db --quiet c big >index.out 2>index.err &
pid=$!
# Kill once the log holds a few MB of the run's pages (before its commit).
killed=0
for _ in $(seq 3000); do
  wal=$(stat -c %s t.db-wal 2>/dev/null || echo 0)
  if [ "$wal" -gt 3000000 ]; then
    kill -KILL $pid && killed=1
    break
  fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.01
done
set +e
wait $pid 2>/dev/null
rc=$?
set -e
[ $killed = 1 ] || fail "the run ended (exit $rc) before it could be killed: $(cat index.err)"
expect_eq "$rc" 137 "killed run's exit status"

# The old index answers as before, through jfts-query and to SQLite's own checks.
expect_eq "$(answers t.db)" "$answers0" "answers after the kill"
expect_eq "$(sqlite3 t.db 'PRAGMA integrity_check')" "ok" "integrity after the kill"
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM files WHERE path LIKE 'big/%'")" 0 "no file of the killed run"
run "$JFTS_QUERY" --db t.db copy7
expect_eq "$OUT" "" "no passage of the killed run"

# The next run completes.
run "$JFTS_INDEX" --db t.db c big
expect_rc 0 "run after the kill"
expect_match "$OUT" '^indexed 200 files \(1200 documents, [0-9]+ passages, 6000 meetings\); 1 unchanged;' "run after the kill: summary"
run "$JFTS_QUERY" --db t.db copy7
expect_eq "$(head -1 <<<"$OUT")" "1 passage, 1 occurrence" "new file found after the next run"
if [ -n "${JFTS_EXT:-}" ] && sqlite3 :memory: ".load ${JFTS_EXT%.so}" 2>/dev/null; then
  run sqlite3 t.db ".load ${JFTS_EXT%.so}" "INSERT INTO fts(fts, rank) VALUES('integrity-check', 1)"
  expect_rc 0 "FTS5 integrity-check after the next run"
fi
