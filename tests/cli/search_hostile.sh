#!/usr/bin/env bash
# Hostile queries never reach SQLite or FTS5 as syntax: each one, typed directly or read by
# --queries (with NUL bytes and invalid UTF-8), ends with exit 0 (searched) or 2 (nothing
# searchable), and no message mentions SQL, FTS5, a syntax error or a malformed anything.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"

check_stderr() { # what
  if grep -qE 'SQL|fts5|FTS5|syntax error|malformed' <<<"$ERR"; then
    fail "$1: stderr mentions the engine: $ERR"
  fi
}

# expected exit code, then the query (one argument).
cases=(
  0 '"支援'            0 '支援"'           2 '""'              0 '"地域包括 支援'
  0 '(支援'            0 '支援)'           2 '()'              0 '((支援 OR 会議)'
  0 '支援*'            2 '*'               0 '*支援*'          0 '^支援'
  0 'text:支援'        0 'heading:会議'    2 ':'               0 '{text}:支援'
  0 'NEAR(支援 会議)'  0 'NEAR('           0 'NEAR/2'          0 '支援 NEAR 会議'
  0 "支援' OR 1=1 --" 0 "'; DROP TABLE passages; --"          0 'SELECT * FROM fts'
  0 'AND'              0 'NOT'             0 'OR'              0 '支援 AND 会議'
  0 '支援 NOT 会議'    0 'OR 支援'         0 '支援 OR'         0 'OR OR OR'
  2 '-支援'            2 '-支援 -会議'     2 '--支援'          0 '支援 -'
  0 'rank'             0 'fts'             0 'rowid'           0 'bm25(fts)'
  2 '\'                0 '[支援]'          0 'a"b"c'           0 '"a" "b'
  2 '「」'             0 '+支援'           0 'ＡＮＤ'          0 '支援　会議'
)
n=0
for ((i = 0; i < ${#cases[@]}; i += 2)); do
  want=${cases[i]}
  q=${cases[i + 1]}
  run "$JFTS_QUERY" --db t.db --limit 3 -- "$q"
  expect_rc "$want" "query [$q]"
  check_stderr "query [$q]"
  # The same words as separate arguments.
  # shellcheck disable=SC2086
  run "$JFTS_QUERY" --db t.db --limit 3 --format json -- $q
  [ "$RC" -eq 0 ] || [ "$RC" -eq 2 ] || fail "query words [$q]: exit $RC"
  check_stderr "query words [$q]"
  n=$((n + 1))
done

# A 10,000-character query, Japanese and ASCII.
long=$(printf '支援%.0s' $(seq 5000))
run "$JFTS_QUERY" --db t.db --limit 1 "$long"
expect_rc 0 "10,000 kanji"
check_stderr "10,000 kanji"
long=$(printf 'a"(*%.0s' $(seq 2500))
run "$JFTS_QUERY" --db t.db --limit 1 "$long"
[ "$RC" -eq 0 ] || [ "$RC" -eq 2 ] || fail "10,000 ASCII: exit $RC"
check_stderr "10,000 ASCII"

# --queries: every case above, then raw bytes: NUL bytes, invalid UTF-8, lone surrogates in
# UTF-8 form, overlong forms, control characters, a line of 10,000 NULs.
for ((i = 1; i < ${#cases[@]}; i += 2)); do printf '%s\n' "${cases[i]}"; done >hostile.txt
{
  printf '\x00\n'
  printf '支援\x00会議\n'
  printf '\x00支援\x00\n'
  printf '\xff\xfe\xfd\n'
  printf '支援\xe3\x81\n'
  printf '\xed\xa0\x80支援\n'
  printf '\xc0\xaf支援\n'
  printf '\x01\x02\x1b[31m支援\x7f\n'
  printf '"\x00"\n'
  printf '%*s' 10000 '' | tr ' ' '\000'
  printf '\n'
  printf '\x80\x80\x80\x80 OR \xbf\n'
} >>hostile.txt
run "$JFTS_QUERY" --db t.db --queries hostile.txt --limit 2 --format json
expect_rc 0 "--queries hostile"
check_stderr "--queries hostile"
# Bad lines are noted (one line each) and the others ran: every JSON row is whole.
while IFS= read -r line; do
  [[ $line == '{"query":'*'}' ]] || fail "--queries hostile: broken row: $line"
done <<<"$OUT"
n_bad=$(grep -c '^jfts-query: line [0-9]*: ' <<<"$ERR" || true)
[ "$n_bad" -ge 8 ] || fail "--queries hostile: only $n_bad bad-line notes: $ERR"
run "$JFTS_QUERY" --db t.db --queries hostile.txt --limit 2
expect_rc 0 "--queries hostile text"
check_stderr "--queries hostile text"
run "$JFTS_QUERY" --db t.db --queries hostile.txt --sort doc --limit 0 --format csv
expect_rc 0 "--queries hostile csv"
check_stderr "--queries hostile csv"
