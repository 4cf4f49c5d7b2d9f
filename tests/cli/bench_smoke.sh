#!/usr/bin/env bash
# The benchmark harness in smoke mode (bench/run.sh --smoke): a few files cut from corpus/, no
# network, tools that are not installed skipped. Fails when the script fails, when the table
# lacks the FTS5 and jfts rows, or when jfts misses a passage its own oracle says it holds.
set -euo pipefail
: "${JFTS_INDEX:?}" "${JFTS_QUERY:?}" "${JFTS_SRC:?}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v python3 >/dev/null || { echo "bench_smoke: python3 not installed; skipped"; exit 0; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jfts_bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

set +e
JFTS_BENCH_DIR=$WORK JFTS_INDEX=$JFTS_INDEX JFTS_QUERY=$JFTS_QUERY \
  bash "$JFTS_SRC/bench/run.sh" --smoke --reps 1 >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "bench/run.sh --smoke exited $rc: $(tail -n 20 "$WORK/stderr")"

table=$WORK/out/smoke-1x/table.md
[ -s "$table" ] || fail "no $table"
cmp -s "$table" "$WORK/stdout" || fail "stdout is not the table"
grep -q '^Corpus corpus-1x: [1-9][0-9]* files' "$table" || fail "no corpus line: $(head -n 1 "$table")"
if command -v cc >/dev/null; then
  grep -q '^| fts5-trigram | [0-9]' "$table" || fail "no fts5-trigram row"
  # trigram finds nothing under 3 characters and everything longer.
  grep -q '^| fts5-trigram |.*| 0\.00 / 1\.00 / 1\.00 |$' "$table" || fail "fts5-trigram recall row"
fi
grep -q '^| jfts | [0-9]' "$table" || fail "no jfts row: $(grep jfts "$table")"
grep -q 'PASS jfts-index peak RSS' "$table" || fail "jfts-index peak RSS floor missing"
if "$JFTS_QUERY" --help 2>/dev/null | grep -- '--queries' >/dev/null; then
  grep -q '^- PASS recall 1.000 on every query' "$table" ||
    fail "jfts recall: $(grep -i 'recall' "$table" | grep -i jfts)"
fi
exit 0
