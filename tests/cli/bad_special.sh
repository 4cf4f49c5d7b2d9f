#!/usr/bin/env bash
# Special files and unbounded inputs, rows of the README's bad-input table: a sidecar, a
# thesaurus, a --queries file or a --db that is a FIFO or a device (or a link to one) is
# refused at once, never waited on; a sidecar over 64 KiB and a thesaurus over 4 MiB are
# refused before they are read into memory. Every run is bounded by `timeout`, so a hang is a
# failure (exit 124), not a stuck suite.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

T=20 # seconds: far more than any of these runs takes

mkdir s
echo 本文の連携 >s/x.txt
run timeout $T "$JFTS_INDEX" --db s.db s
expect_rc 0 "first index"
answers0=$(answers s.db)
before=$(db_bytes s.db)

# Sidecars: a FIFO, a link to /dev/zero, a character device itself; then one over the limit.
# Each fails the run naming the sidecar, and the index is unchanged.
echo 本文の連携と支援 >s/x.txt
mkfifo s/x.meta
run timeout $T "$JFTS_INDEX" --db s.db s
expect_rc 1 "FIFO sidecar"
expect_eq "$ERR" "jfts-index: s/x.meta: not a regular file" "FIFO sidecar: stderr"
rm s/x.meta
ln -s /dev/zero s/x.meta
run timeout $T "$JFTS_INDEX" --db s.db s
expect_rc 1 "sidecar linked to /dev/zero"
expect_eq "$ERR" "jfts-index: s/x.meta: not a regular file" "/dev/zero sidecar: stderr"
run timeout $T "$JFTS_INDEX" --db s.db --keep-going s
expect_rc 3 "sidecar linked to /dev/zero, --keep-going"
expect_eq "$ERR" "jfts-index: warning: s/x.meta: not a regular file; skipped" "/dev/zero sidecar, --keep-going: stderr"
rm s/x.meta
# 64 KiB is accepted (a title line and comments), one byte more is not.
{ echo "title: 長い題"; head -c $((65536 - 18)) /dev/zero | tr '\0' '#'; echo; } >s/x.meta
expect_eq "$(stat -c %s s/x.meta)" 65536 "sidecar at the limit: size"
cp s.db limit.db
run timeout $T "$JFTS_INDEX" --db limit.db s
expect_rc 0 "sidecar of exactly 64 KiB"
printf '#' >>s/x.meta
run timeout $T "$JFTS_INDEX" --db s.db s
expect_rc 1 "sidecar over 64 KiB"
expect_eq "$ERR" "jfts-index: s/x.meta: sidecar larger than 64 KiB" "big sidecar: stderr"
truncate -s 200M s/x.meta
peak_rss_kb timeout $T "$JFTS_INDEX" --db s.db s
expect_rc 1 "sidecar of 200 MB"
expect_eq "$ERR" "jfts-index: s/x.meta: sidecar larger than 64 KiB" "200 MB sidecar: stderr"
[ "$PEAK_KB" -lt 100000 ] || fail "200 MB sidecar: peak RSS $PEAK_KB KB"
rm s/x.meta
expect_eq "$(db_bytes s.db)" "$before" "bad sidecars: database bytes"
expect_eq "$(answers s.db)" "$answers0" "bad sidecars: answers"

# A document that is a FIFO named on the command line: refused, never opened.
mkfifo doc.txt
run timeout $T "$JFTS_INDEX" --db s.db doc.txt
expect_rc 1 "FIFO document"
expect_eq "$ERR" "jfts-index: doc.txt: not a regular file or directory" "FIFO document: stderr"

# The thesaurus: FIFO, /dev/zero, a link to it, over 4 MiB (exit 2, as for any thesaurus
# that cannot be read); exactly 4 MiB of comments is read.
mkfifo ths.fifo
ln -s /dev/zero ths.zero
for t in ths.fifo /dev/zero ths.zero; do
  JFTS_THESAURUS=$t run timeout $T "$JFTS_QUERY" --db s.db 連携
  expect_rc 2 "thesaurus $t"
  expect_eq "$ERR" "jfts-query: cannot read '$t': not a regular file" "thesaurus $t: stderr"
done
{ head -c $((4 * 1048576 - 1)) /dev/zero | tr '\0' '#'; echo; } >ths.limit
JFTS_THESAURUS=ths.limit run timeout $T "$JFTS_QUERY" --db s.db 連携
expect_rc 0 "thesaurus of exactly 4 MiB"
truncate -s 66M ths.big
JFTS_THESAURUS=ths.big peak_rss_kb timeout $T "$JFTS_QUERY" --db s.db 連携
expect_rc 2 "thesaurus of 66 MB"
expect_eq "$ERR" "jfts-query: cannot read 'ths.big': thesaurus larger than 4 MiB" "66 MB thesaurus: stderr"
[ "$PEAK_KB" -lt 100000 ] || fail "66 MB thesaurus: peak RSS $PEAK_KB KB"

# --queries: a named file must be a regular file; "-" reads standard input, a pipe on purpose.
mkfifo q.fifo
for q in q.fifo /dev/zero; do
  run timeout $T "$JFTS_QUERY" --db s.db --queries $q
  expect_rc 1 "--queries $q"
  expect_eq "$ERR" "jfts-query: cannot open '$q': not a regular file" "--queries $q: stderr"
done
run bash -c "echo 連携 | timeout $T '$JFTS_QUERY' --db s.db --queries - --format tsv | cut -f1,14"
expect_rc 0 "--queries - from a pipe"
expect_eq "$OUT" "query	file
連携	s/x.txt" "--queries - from a pipe: stdout"

# --db at a device or a FIFO: refused before SQLite opens it, nothing created beside it (as
# root, SQLite would have made /dev/full-journal).
for db in /dev/full /dev/null q.fifo; do
  run timeout $T "$JFTS_INDEX" --db $db s
  expect_rc 1 "--db $db"
  expect_eq "$ERR" "jfts-index: cannot open '$db': not a regular file" "--db $db: stderr"
  [ ! -e $db-journal ] && [ ! -e $db-wal ] || fail "--db $db: left $db-journal or -wal"
  run timeout $T "$JFTS_QUERY" --db $db 連携
  expect_rc 1 "query --db $db"
  expect_eq "$ERR" "jfts-query: cannot open '$db': not a regular file" "query --db $db: stderr"
done
