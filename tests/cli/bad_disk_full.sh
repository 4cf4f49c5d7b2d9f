#!/usr/bin/env bash
# The disk fills up while jfts-index writes: exit 1, one line naming the database and the
# problem, and the index as it was before the run (same bytes, same answers); the next run
# with room completes. Two ways to run out: a file size limit (ulimit -f, SIGXFSZ ignored, so
# writes fail with EFBIG), and a small tmpfs (ENOSPC) when this machine lets us mount one in
# a private mount namespace.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"
cp t.db t0.db
answers0=$(answers t.db)
bytes0=$(db_bytes t.db)
# Twenty more copies of the report: a few MB of database, far over the limits below.
mkdir more
for i in $(seq 20); do sed "s/連携/連携$i/" c/$CORPUS_FILE.txt >more/copy$i.txt; done
db_kb=$(($(stat -c %s t.db) / 1024))

# File size limit: the database may grow by 250 KB at most.
run bash -c "trap '' XFSZ; ulimit -f $((db_kb + 250)); exec \"\$0\" --db t.db c more" "$JFTS_INDEX"
expect_rc 1 "file size limit"
one_line "file size limit"
expect_match "$ERR" "^jfts-index: (.*: )?'t\.db': .*: (disk I/O error|database or disk is full)$" "file size limit: stderr"
expect_eq "$(db_bytes t.db)" "$bytes0" "file size limit: database bytes"
expect_eq "$(answers t.db)" "$answers0" "file size limit: answers"
run "$JFTS_INDEX" --db t.db c more
expect_rc 0 "with room again"
expect_match "$OUT" '^indexed 20 files ' "with room again: summary"

# A full file system: a 1 MB tmpfs holding the old database.
mkdir small
if ! unshare --mount mount -t tmpfs -o size=1m tmpfs small 2>/dev/null; then
  echo "cannot mount a tmpfs in a mount namespace: tmpfs case not run" >&2
  exit 0
fi
cp t0.db small/t.db
answers0=$(answers small/t.db)
bytes0=$(db_bytes small/t.db)
# The tmpfs lives in a private mount namespace; the database is copied out before it goes.
run unshare --mount bash -c '
  set -e
  cp small/t.db small.db
  mount -t tmpfs -o size=1m tmpfs small
  cp small.db small/t.db
  set +e
  "$0" --db small/t.db c more
  rc=$?
  cp small/t.db small-after.db
  ls small >small-files.txt
  exit $rc' "$JFTS_INDEX"
expect_rc 1 "full file system"
one_line "full file system"
expect_match "$ERR" "^jfts-index: (.*: )?'small/t\.db': .*: database or disk is full$" "full file system: stderr"
expect_eq "$(cat small-files.txt)" "t.db" "full file system: files left"
expect_eq "$(db_bytes small-after.db)" "$(db_bytes small.db)" "full file system: database bytes"
expect_eq "$(answers small-after.db)" "$answers0" "full file system: answers"
