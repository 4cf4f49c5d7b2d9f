#!/usr/bin/env bash
# The benchmark harness in smoke mode (bench/run.sh --smoke): a few files cut from corpus/ (one
# of them in Shift_JIS), no network, tools that are not installed skipped. Fails when the
# script fails, when the tables lack the FTS5 and jfts rows, when trigram's recall is not what
# trigram can do, or when jfts's tokenizer (through the loadable extension, on the shared
# passages) or jfts end to end (on its own) misses a passage the oracle says holds the query.
set -euo pipefail
: "${JFTS_INDEX:?}" "${JFTS_QUERY:?}" "${JFTS_EXT:?}" "${JFTS_SRC:?}"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
command -v python3 >/dev/null || { echo "bench_smoke: python3 not installed; skipped"; exit 0; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jfts_bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

set +e
JFTS_BENCH_DIR=$WORK JFTS_INDEX=$JFTS_INDEX JFTS_QUERY=$JFTS_QUERY JFTS_EXT=$JFTS_EXT \
  bash "$JFTS_SRC/bench/run.sh" --smoke --reps 1 >"$WORK/stdout" 2>"$WORK/stderr"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "bench/run.sh --smoke exited $rc: $(tail -n 20 "$WORK/stderr")"

table=$WORK/out/smoke-1x/table.md
[ -s "$table" ] || fail "no $table"
cmp -s "$table" "$WORK/stdout" || fail "stdout is not the table"
grep -q '^Corpus corpus-1x: [1-9][0-9]* files (1 in Shift_JIS)' "$table" ||
  fail "no corpus line with its Shift_JIS file: $(head -n 1 "$table")"
row() { grep "^| $1 |" "$table" | sed -n "${2}p"; }
if command -v cc >/dev/null; then
  row fts5-trigram 1 | grep -q '^| fts5-trigram | [0-9]' || fail "no fts5-trigram build row"
  # trigram finds nothing under 3 characters and every compound (5 to 10 characters).
  row fts5-trigram 3 | grep -q '^| fts5-trigram | 0\.000 ([1-9]) | 0\.000 ([1-9]) | .* | 1\.000 (0) | [^|]* |$' ||
    fail "fts5-trigram recall row: $(row fts5-trigram 3)"
  # jfts's tokenizer through the extension, on the shared passages: every query, every passage.
  row fts5-jfts 3 | grep -q '^| fts5-jfts |\( 1\.000 (0) |\)\{5\}$' ||
    fail "fts5-jfts recall row: $(row fts5-jfts 3)"
  grep -q '^- PASS fts5-jfts (tokenizer): recall 1.000 on every query' "$table" ||
    fail "fts5-jfts recall floor: $(grep 'fts5-jfts (tokenizer): recall' "$table")"
fi
row jfts 1 | grep -q '^| jfts | [0-9]' || fail "no jfts row: $(row jfts 1)"
row jfts 3 | grep -q '^| jfts |\( 1\.000 (0) |\)\{5\}$' || fail "jfts recall row: $(row jfts 3)"
grep -q '^- PASS jfts (end to end): recall 1.000 on every query' "$table" ||
  fail "jfts recall floor: $(grep 'jfts (end to end): recall' "$table")"
if [ -x /usr/bin/time ]; then  # GNU time measures it (scripts/deps.sh installs it)
  grep -q '^- PASS jfts (end to end): jfts-index peak RSS <= 64 MB' "$table" ||
    fail "jfts-index peak RSS floor: $(grep 'peak RSS <=' "$table")"
fi
# Timings are not asserted (they belong to the bench), only that the start-up was measured.
grep -q '^- [PASFIL]* jfts (end to end): jfts-query start-up <= 10 ms: [0-9.]* ms' "$table" ||
  fail "no start-up figure: $(grep 'start-up' "$table")"
exit 0
