#!/usr/bin/env bash
# Bad databases and permissions, rows of the README's bad-input table: --db at a file that is
# not SQLite, at a database of a newer schema, at a database another writer holds locked, in
# a read-only file or directory; an input file the user may not read. Each failing run says
# one line naming the database (or file) and the problem, exits 1, and writes nothing.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"
printf '\n追記：zyxwv の検討を行った。\n' >>c/$CORPUS_FILE.txt

# Not an SQLite database (random bytes, text), and an SQLite database of another program:
# never written to, neither by jfts-index nor by jfts-query.
head -c 8192 /dev/urandom >random.db
echo "not a database" >text.db
sqlite3 other.db 'CREATE TABLE notes(a); INSERT INTO notes VALUES (1);'
for db in random.db text.db other.db; do
  before=$(db_bytes $db)
  run "$JFTS_INDEX" --db $db c
  expect_rc 1 "index into $db"
  expect_eq "$ERR" "jfts-index: '$db' is not a jfts database" "index into $db: stderr"
  run "$JFTS_QUERY" --db $db 連携
  expect_rc 1 "query $db"
  expect_eq "$ERR" "jfts-query: '$db' is not a jfts database" "query $db: stderr"
  expect_eq "$(db_bytes $db)" "$before" "$db untouched"
  [ -z "$(ls $db-* 2>/dev/null)" ] || fail "$db: left $(ls $db-*)"
done

# A database written by a newer jfts (schema version above ours): neither updated nor read.
cp t.db newer.db
sqlite3 newer.db 'PRAGMA user_version = 99'
before=$(db_bytes newer.db)
run "$JFTS_INDEX" --db newer.db c
expect_rc 1 "index into a newer schema"
expect_match "$ERR" "^jfts-index: cannot open 'newer.db': database was written by a newer jfts \(schema 99, this jfts reads up to [0-9]+\)$" "newer schema: index stderr"
run "$JFTS_QUERY" --db newer.db 連携
expect_rc 1 "query a newer schema"
expect_match "$ERR" "^jfts-query: cannot open 'newer.db': database was written by a newer jfts \(schema 99, this jfts reads up to [0-9]+\)$" "newer schema: query stderr"
expect_eq "$(db_bytes newer.db)" "$before" "newer schema untouched"

# A jfts database cut short (a copy that did not finish): a corrupt index (SQLite's "malformed"),
# never written to.
cp t.db cut.db
truncate -s 40000 cut.db
before=$(db_bytes cut.db)
run "$JFTS_INDEX" --db cut.db c
expect_rc 1 "index into a truncated database"
expect_eq "$ERR" "jfts-index: 'cut.db': the index is corrupt (cannot read schema: database disk image is malformed); re-index with jfts-index" "truncated: index stderr"
run "$JFTS_QUERY" --db cut.db 連携
expect_rc 1 "query a truncated database"
expect_eq "$ERR" "jfts-query: 'cut.db': the index is corrupt (cannot read schema: database disk image is malformed); re-index with jfts-index" "truncated: query stderr"
expect_eq "$(db_bytes cut.db)" "$before" "truncated database untouched"

# Damaged pages found while reading, not when opening: one page at a time overwritten with
# 0xff, then a search and --documents. Whatever SQLite finds malformed, and wherever, is a
# corrupt index (exit 1, one line); at least one page is met only by a search or a listing.
n_pages=$(($(stat -c %s t.db) / 4096))
n_late=0
for ((page = 1; page < n_pages; page++)); do
  cp t.db page.db
  head -c 4096 /dev/zero | tr '\0' '\377' | dd of=page.db bs=4096 seek=$page count=1 conv=notrunc status=none
  for args in "連携" "--documents"; do
    # shellcheck disable=SC2086
    run "$JFTS_QUERY" --db page.db $args
    [ "$RC" -eq 0 ] && continue
    expect_rc 1 "page $page overwritten, $args"
    expect_match "$ERR" "^jfts-query: 'page.db': the index is corrupt \([^
]*\); re-index with jfts-index$" "page $page overwritten, $args: stderr"
    [[ $ERR == *"(cannot read schema"* ]] || n_late=$((n_late + 1))
  done
done
[ "$n_late" -gt 0 ] || fail "no overwritten page was met after opening the database"

# Locked by another writer. By default jfts-index waits as long as the lock is held, then
# works (the holder keeps it longer than any fixed busy timeout, 6 s, while we check that the
# run is still waiting); with --wait SECONDS it gives up after SECONDS with one line. The lock
# holder's work and the index are unchanged; readers are not blocked (WAL).
answers0=$(answers t.db)
hold_write_lock t.db "BEGIN IMMEDIATE; INSERT INTO meta(key, value) VALUES ('lock-test', 'x');"
start=$(date +%s%N)
run "$JFTS_INDEX" --db t.db --wait 1.5 c
ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 1 "index a locked database, --wait 1.5"
expect_eq "$ERR" "jfts-index: 't.db': cannot begin a transaction: database is locked (another writer held it for 1.5 s)" "locked: stderr"
[ "$ms" -ge 1500 ] || fail "locked: gave up after $ms ms, before --wait's 1.5 s"
run "$JFTS_INDEX" --db t.db --wait 0 c
expect_rc 1 "index a locked database, --wait 0"
expect_eq "$ERR" "jfts-index: 't.db': cannot begin a transaction: database is locked" "locked, --wait 0: stderr"
for w in -1 x 1e7 ''; do
  run "$JFTS_INDEX" --db t.db --wait "$w" c
  expect_rc 2 "--wait '$w'"
  expect_eq "$ERR" "jfts-index: --wait needs a number of seconds (0 to 1000000), not '$w'" "--wait '$w': stderr"
done
expect_eq "$(answers t.db)" "$answers0" "locked: readers answer during the lock"
# No --wait: still waiting after 6 s (more than the old 5 s busy timeout), done once the
# lock is released.
"$JFTS_INDEX" --db t.db c >waiter.out 2>waiter.err &
waiter=$!
sleep 6
kill -0 $waiter 2>/dev/null || fail "locked: jfts-index did not wait for the lock: $(cat waiter.err)"
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM meta WHERE key = 'lock-test'")" 0 "holder's row, uncommitted"
echo "ROLLBACK;" >&7
exec 7>&-
wait $holder
set +e
wait $waiter
rc=$?
set -e
expect_eq "$rc $(cat waiter.err)" "0 " "locked: the waiting run once the lock is gone"
expect_match "$(cat waiter.out)" "^indexed 1 file " "locked: the waiting run indexed the change"
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM meta WHERE key = 'lock-test'")" 0 "holder's row"

if ! can_drop_privileges; then
  echo "not root or no setpriv: permission cases not run" >&2
  exit 0
fi
# The rest runs as nobody in a directory nobody owns.
chmod 755 "$WORK"
if ! as_nobody test -x "$WORK"; then
  echo "nobody cannot reach $WORK: permission cases not run" >&2
  exit 0
fi
mkdir p
cp -r c p/c
cp t.db p/t.db
chown -R 65534:65534 p
cd p

# An input file nobody may read: exit 1, or skipped (exit 3) with --keep-going.
echo "秘密の会議" >c/secret.txt
chmod 000 c/secret.txt
answers0=$(answers t.db)
before=$(db_bytes t.db)
run as_nobody "$JFTS_INDEX" --db t.db c
expect_rc 1 "unreadable file"
expect_eq "$ERR" "jfts-index: c/secret.txt: Permission denied" "unreadable file: stderr"
expect_eq "$(db_bytes t.db)" "$before" "unreadable file: database bytes"
run as_nobody "$JFTS_INDEX" --db t.db --keep-going c
expect_rc 3 "unreadable file, --keep-going"
expect_eq "$ERR" "jfts-index: warning: c/secret.txt: Permission denied; skipped" "unreadable file, --keep-going: stderr"
run as_nobody "$JFTS_QUERY" --db t.db --exact 秘密
expect_eq "$OUT" "" "unreadable file not indexed"
rm -f c/secret.txt

# An unreadable directory in a walk: exit 1 naming it, or skipped with --keep-going.
mkdir c/closed
chmod 000 c/closed
run as_nobody "$JFTS_INDEX" --db t.db c
expect_rc 1 "unreadable directory"
expect_eq "$ERR" "jfts-index: c/closed: Permission denied" "unreadable directory: stderr"
run as_nobody "$JFTS_INDEX" --db t.db --keep-going c
expect_rc 3 "unreadable directory, --keep-going"
expect_eq "$ERR" "jfts-index: warning: c/closed: Permission denied; skipped" "unreadable directory, --keep-going: stderr"
rmdir c/closed

# A read-only database file: exit 1 naming it up front, the file unchanged, nothing left
# beside it; queries still work.
printf '\n追記：qwzrt の検討を行った。\n' >>c/$CORPUS_FILE.txt
answers0=$(answers t.db)
chmod 444 t.db
before=$(sha256sum <t.db)
run as_nobody "$JFTS_INDEX" --db t.db c
expect_rc 1 "read-only database file"
one_line "read-only database file"
expect_eq "$ERR" "jfts-index: cannot write 't.db': the file is read-only" "read-only database file: stderr"
expect_eq "$(ls t.db*)" "t.db" "read-only database file: no -wal/-shm left"
expect_eq "$(sha256sum <t.db)" "$before" "read-only database file: bytes"
expect_eq "$(as_nobody bash -c "$(declare -f answers); answers t.db")" "$answers0" "read-only database file: answers"
chmod 644 t.db
expect_eq "$(ls t.db*)" "t.db" "read-only database file: queries leave nothing beside it"

# A database in a read-only directory: a new one cannot be created (and nothing is left),
# an existing one is not changed.
mkdir ro
cp t.db ro/t.db
chmod 555 ro
run as_nobody "$JFTS_INDEX" --db ro/new.db c
expect_rc 1 "new database in a read-only directory"
expect_eq "$ERR" "jfts-index: cannot write 'ro/new.db': its directory is read-only" "read-only directory, new database: stderr"
[ ! -e ro/new.db ] || fail "read-only directory: ro/new.db created"
before=$(db_bytes ro/t.db)
run as_nobody "$JFTS_INDEX" --db ro/t.db c
expect_rc 1 "existing database in a read-only directory"
one_line "existing database in a read-only directory"
expect_eq "$ERR" "jfts-index: cannot write 'ro/t.db': its directory is read-only" "read-only directory: stderr"
expect_eq "$(db_bytes ro/t.db)" "$before" "read-only directory: bytes"
