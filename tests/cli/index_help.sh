#!/usr/bin/env bash
# jfts-index's help, version and usage errors.
. "$JFTS_TESTDATA/store/cli_lib.bash"

run "$JFTS_INDEX" --help
expect_rc 0 "--help"
expect_eq "$ERR" "" "--help stderr"
expect_match "$OUT" '^Usage: jfts-index \[OPTION\]\.\.\. PATH\.\.\.' "--help usage line"
for word in --db --encoding --prune --keep-going --quiet --version 'Exit status:' '  3  '; do
  [[ $OUT == *"$word"* ]] || fail "--help does not mention '$word'"
done
run "$JFTS_INDEX" -h
expect_rc 0 "-h"
run "$JFTS_INDEX" --version
expect_rc 0 "--version"
expect_match "$OUT" '^jfts-index [0-9]+\.[0-9]+\.[0-9]+ \(schema [0-9]+, tokenizer [0-9]+\)$' "--version"

run "$JFTS_INDEX" --bogus x
expect_rc 2 "unknown option"
expect_eq "$ERR" "jfts-index: unrecognized option '--bogus'
Try 'jfts-index --help' for more information." "unknown option message"
run "$JFTS_INDEX"
expect_rc 2 "no PATH"
expect_eq "$ERR" "jfts-index: no PATH given
Try 'jfts-index --help' for more information." "no PATH message"
run "$JFTS_INDEX" --db
expect_rc 2 "--db without argument"
[ ! -e jfts.db ] || fail "a usage error created jfts.db"

# The default database is jfts.db in the current directory; --quiet prints nothing.
copy_corpus c
run "$JFTS_INDEX" --quiet c
expect_rc 0 "--quiet"
expect_eq "$OUT$ERR" "" "--quiet output"
[ -f jfts.db ] || fail "no jfts.db by default"

# Walking the directory that holds the database leaves the database (and its journal) alone.
run "$JFTS_INDEX" .
expect_rc 0 "walk of the database's own directory"
expect_eq "$ERR" "" "no warning about jfts.db"
expect_match "$OUT" '^indexed 0 files .*; 1 unchanged;' "walk of the database's own directory"
