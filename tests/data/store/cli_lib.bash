# Shared by the CLI tests tests/cli/index_*.sh and query_meta*.sh: a scratch directory, a
# runner that keeps stdout, stderr and the exit code, and assertions that name what failed.
set -euo pipefail

: "${JFTS_INDEX:?}" "${JFTS_QUERY:?}" "${JFTS_CORPUS:?}" "${JFTS_TESTDATA:?}"
STORE_DATA=$JFTS_TESTDATA/store
CORPUS_FILE=sendai-r3-jiritsushien

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jfts_cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run CMD...: runs it; $OUT, $ERR hold its stdout and stderr, $RC its exit code.
run() {
  set +e
  "$@" >"$WORK/.out" 2>"$WORK/.err"
  RC=$?
  set -e
  OUT=$(cat "$WORK/.out")
  ERR=$(cat "$WORK/.err")
}

expect_rc() {
  [ "$RC" -eq "$1" ] || fail "$2: exit code $RC, expected $1 (stderr: $ERR)"
}

expect_eq() { # got expected what
  [ "$1" == "$2" ] || fail "$3: got
$1
expected
$2"
}

expect_match() { # got extended-regex what
  [[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"
}

# A private copy of the bundled corpus (text and sidecar), so that tests may change it.
copy_corpus() {
  mkdir -p "$1"
  cp "$JFTS_CORPUS/$CORPUS_FILE.txt" "$JFTS_CORPUS/$CORPUS_FILE.meta" "$1/"
}

# 1 when the lead's report parser is still a placeholder (counts are not yet meaningful).
report_is_placeholder() {
  grep -q "typedef int jfts_placeholder_t" "$JFTS_SRC/indexer/report.c" 2>/dev/null
}
