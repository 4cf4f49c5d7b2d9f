#!/usr/bin/env bash
# jfts-query's usage errors, help, and a missing or foreign database.
. "$JFTS_TESTDATA/store/cli_lib.bash"

run "$JFTS_QUERY" --meetings
expect_rc 1 "missing jfts.db"
expect_eq "$ERR" "jfts-query: cannot open 'jfts.db': no such file (run jfts-index first)" "missing db message"
[ ! -e jfts.db ] || fail "a query created jfts.db"

echo "plain text" >notes.db
run "$JFTS_QUERY" --db notes.db --meetings
expect_rc 1 "foreign database"
expect_eq "$ERR" "jfts-query: 'notes.db' is not a jfts database" "foreign database message"

copy_corpus c
run "$JFTS_INDEX" --quiet --db t.db c
run "$JFTS_QUERY" --db t.db --meetings --ward 仙台
expect_rc 2 "unknown ward"
expect_eq "$ERR" "jfts-query: unknown ward '仙台' (valid: 青葉区, 宮城野区, 若林区, 太白区, 泉区)" "unknown ward message"
run "$JFTS_QUERY" --db t.db --meetings --format xml
expect_rc 2 "unknown format"
run "$JFTS_QUERY" --db t.db --meetings --documents
expect_rc 2 "two modes"
run "$JFTS_QUERY" --db t.db --meetings 会議
expect_rc 2 "--meetings with a query"
run "$JFTS_QUERY" --db t.db
expect_rc 2 "no query"
run "$JFTS_QUERY" --db t.db --limit -1 x
expect_rc 2 "negative limit"
run "$JFTS_QUERY" --db t.db --bogus
expect_rc 2 "unknown option"
expect_eq "$ERR" "jfts-query: unrecognized option '--bogus'
Try 'jfts-query --help' for more information." "unknown option message"

run "$JFTS_QUERY" --help
expect_rc 0 "--help"
expect_eq "$ERR" "" "--help stderr"
for word in --db --documents --meetings --ward --format --limit 'Exit status:'; do
  [[ $OUT == *"$word"* ]] || fail "--help does not mention '$word'"
done
run "$JFTS_QUERY" --version
expect_rc 0 "--version"

# A query leaves no -wal/-shm files behind and does not change the database.
cp t.db before.db
run "$JFTS_QUERY" --db t.db --meetings --format csv
expect_rc 0 "query"
cmp -s t.db before.db || fail "a query changed the database"
[ -z "$(ls t.db-* 2>/dev/null)" ] || fail "a query left $(ls t.db-*)"

# Writing to a full device is an error, not a silent success.
if [ -w /dev/full ]; then
  run sh -c "\"$JFTS_QUERY\" --db t.db --meetings >/dev/full"
  expect_rc 1 "write to /dev/full"
  expect_eq "$ERR" "jfts-query: cannot write standard output" "full device message"
fi
