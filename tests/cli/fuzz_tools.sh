#!/usr/bin/env bash
# The fuzzing tools stay in step with the tree: every module file that tests/fuzz/coverage.sh
# measures exists (a renamed file would otherwise read as "not linked"), coverage.sh knows the
# harnesses that scripts/fuzz-replay.sh runs, and both tools refuse bad arguments with exit 2.
. "$JFTS_TESTDATA/store/cli_lib.bash"
: "${JFTS_SRC:?}"
cov=$JFTS_SRC/tests/fuzz/coverage.sh

run "$cov" -m
expect_rc 0 "coverage.sh -m"
[ "$(wc -l <<<"$OUT")" -ge 7 ] || fail "coverage.sh -m: $(wc -l <<<"$OUT") files"
while read -r f; do
  [ -f "$f" ] || fail "coverage.sh measures $f, which does not exist"
done <<<"$OUT"

known() { sed -n 's/^known=(\(.*\))$/\1/p' "$1"; }
expect_eq "$(known "$cov")" "$(known "$JFTS_SRC/scripts/fuzz-replay.sh")" "harnesses of coverage.sh and fuzz-replay.sh"
for t in $(known "$cov"); do
  [ -f "$JFTS_SRC/tests/fuzz/fuzz_$t.c" ] || fail "no tests/fuzz/fuzz_$t.c for harness $t"
  run "$cov" -m -t "$t"
  [ -n "$OUT" ] || fail "coverage.sh: no module file for $t"
done

run "$cov" -m -t nosuch
expect_rc 2 "coverage.sh -t nosuch"
expect_eq "$ERR" "coverage: unknown target 'nosuch'" "coverage.sh -t nosuch: message"
run "$cov" -c /nonexistent
expect_rc 2 "coverage.sh -c /nonexistent"
run python3 "$JFTS_SRC/tests/fuzz/pick_inputs.py" . decode /nonexistent
expect_rc 2 "pick_inputs.py with a missing corpus"
