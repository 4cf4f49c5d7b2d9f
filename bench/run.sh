#!/usr/bin/env bash
# Benchmark: jfts against SQLite FTS5 (trigram, unicode61), Groonga and ripgrep on the same
# Japanese corpus, passages and queries; prints one markdown table (see bench/README.md).
# Each tool is one bench_<tool> function that leaves result.json, timings.tsv and hits.tsv in
# $OUT/<tool>/; harness.py turns those into the table.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
HARNESS=(python3 "$BENCH/harness.py")

usage() {
  cat <<EOF
usage: bench/run.sh [--scale 1|4] [--smoke] [--reps N] [--tools "a b ..."] [--per-query] [--fresh]
  --scale 4    use the corpus four times over (corpus-4x) instead of once
  --smoke      tiny corpus cut from corpus/ (no network, seconds); tools not installed are
               skipped with a note
  --reps N     timed runs per query after one warm-up run (default 5; smoke 2)
  --tools      subset of: $ALL_TOOLS
  --per-query  also list every query with its oracle count
  --fresh      rebuild corpus, passages, queries and oracle (keeps the downloaded .debs)
Environment: JFTS_INDEX, JFTS_QUERY (default build/jfts-index, build/jfts-query);
JFTS_BENCH_DIR (default bench/) holds cache/ and out/.
Writes bench/cache/ (corpus, passages, queries, oracle) and bench/out/<run>/; exit 0 on success.
EOF
}

ALL_TOOLS="fts5-trigram fts5-unicode61 groonga ripgrep jfts"
SCALE=1
SMOKE=0
REPS=
TOOLS=$ALL_TOOLS
PER_QUERY=()
FRESH=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=${2:?}; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --tools) TOOLS=${2:?}; shift 2 ;;
    --per-query) PER_QUERY=(--per-query); shift ;;
    --fresh) FRESH=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
case "$SCALE" in 1|4) ;; *) echo "run.sh: --scale must be 1 or 4" >&2; exit 2 ;; esac

# JFTS_BENCH_DIR moves cache/ and out/ elsewhere (the CI smoke test writes into its own
# temporary directory, not into the source tree).
WORK=${JFTS_BENCH_DIR:-$BENCH}
if [ "$SMOKE" = 1 ]; then
  CACHE=$WORK/cache/smoke
  OUT=$WORK/out/smoke-${SCALE}x
  REPS=${REPS:-2}
else
  CACHE=$WORK/cache
  OUT=$WORK/out/${SCALE}x
  REPS=${REPS:-5}
fi
JFTS_INDEX=${JFTS_INDEX:-$ROOT/build/jfts-index}
JFTS_QUERY=${JFTS_QUERY:-$ROOT/build/jfts-query}
CORPUS=$CACHE/corpus-${SCALE}x
PASSAGES=$CACHE/passages-${SCALE}x.tsv
QUERIES=$CACHE/queries.txt
ORACLE=$CACHE/oracle-${SCALE}x.tsv

say() { echo "run.sh: $*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" -v f="${2:-%.1f}" 'BEGIN { printf f, b - a }'; }

# ensure_cmd CMD PACKAGE: in a full run, installs PACKAGE from Debian when CMD is missing;
# in smoke mode nothing is installed and the caller skips the tool.
ensure_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  [ "$SMOKE" = 1 ] && return 1
  say "installing $2 for $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null 2>&1 || return 1
  command -v "$1" >/dev/null 2>&1
}

# timed NAME CMD...: runs CMD, leaving its wall time in seconds in $NAME.wall and its peak
# RSS in KB in $NAME.rss (0 when GNU time is not installed). Redirections apply to CMD.
timed() {
  local name=$1 t0
  shift
  t0=$(now)
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$name.rss" "$@"
  else
    "$@"
    echo 0 >"$name.rss"
  fi
  elapsed "$t0" %.4f >"$name.wall"
}
val() { tail -n 1 "$1"; }
# Bytes allocated on disk: Groonga's files are sparse, so their apparent size says little.
disk_bytes() { du -c -s -B1 "$@" | tail -n 1 | cut -f1; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

# write_result TOOL BUILD_S DB_BYTES RSS_KB NOTE [BUILD_RSS_KB]
write_result() {
  printf '{"build_s": %s, "db_bytes": %s, "rss_kb": %s, "build_rss_kb": %s, "note": "%s"}\n' \
    "${2:-null}" "${3:-null}" "${4:-null}" "${6:-null}" "${5:-}" >"$OUT/$1/result.json"
}
skip() {
  say "$1: skipped: $2"
  printf '{"skipped": "%s"}\n' "$2" >"$OUT/$1/result.json"
}

prepare() {
  local t0
  t0=$(now)
  if [ "$FRESH" = 1 ]; then
    rm -rf "$CACHE"/corpus-1x "$CACHE"/corpus-4x "$CACHE"/passages-*.tsv "$QUERIES" \
      "$CACHE"/oracle-*.tsv
  fi
  if [ "$SMOKE" = 0 ] && [ ! -e "$CACHE/corpus-1x/.complete" ]; then
    ensure_cmd groff groff-base || { say "groff is needed to convert man pages"; exit 1; }
    if ! apt-cache show manpages-ja >/dev/null 2>&1; then
      say "apt-cache does not know manpages-ja; running apt-get update"
      apt-get update -q >/dev/null
    fi
  fi
  if [ "$SMOKE" = 1 ]; then
    "${HARNESS[@]}" corpus --cache "$CACHE" --smoke
  else
    "${HARNESS[@]}" corpus --cache "$CACHE"
  fi
  [ -s "$PASSAGES" ] || "${HARNESS[@]}" passages --corpus "$CORPUS" --out "$PASSAGES"
  if [ ! -s "$QUERIES" ]; then
    # Queries always come from the 1x corpus, so both scales ask the same questions.
    "${HARNESS[@]}" queries --corpus "$CACHE/corpus-1x" --out "$QUERIES" \
      --min-count "$([ "$SMOKE" = 1 ] && echo 2 || echo 5)"
  fi
  [ -s "$ORACLE" ] || "${HARNESS[@]}" oracle --passages "$PASSAGES" --queries "$QUERIES" --out "$ORACLE"
  say "corpus, passages, queries and oracle ready in $(elapsed "$t0") s"
}

bench_fts5() {
  local tok=$1 d=$OUT/fts5-$1 bin=$OUT/../bin/fts5_bench
  mkdir -p "$d" "$OUT/../bin"
  if [ ! -x "$bin" ] || [ "$BENCH/fts5_bench.c" -nt "$bin" ]; then
    if ! cc -std=c11 -O2 -Wall -Wextra -Wpedantic -D_POSIX_C_SOURCE=200809L \
         "$BENCH/fts5_bench.c" -o "$bin" -lsqlite3 2>"$d/cc.log"; then
      skip "fts5-$tok" "cannot compile fts5_bench.c (see $d/cc.log)"
      return 0
    fi
  fi
  timed "$d/build" "$bin" build "$d/db" "$tok" "$PASSAGES" >/dev/null
  timed "$d/query" "$bin" query "$d/db" "$QUERIES" "$REPS" "$d/timings.tsv" "$d/hits.tsv"
  local note=
  [ "$tok" = trigram ] && note="trigram matches nothing under 3 characters"
  write_result "fts5-$tok" "$(val "$d/build.wall")" "$(disk_bytes "$d/db")" \
    "$(max "$(val "$d/build.rss")" "$(val "$d/query.rss")")" "$note"
}

bench_groonga() {
  local d=$OUT/groonga
  mkdir -p "$d"
  ensure_cmd groonga groonga-bin || { skip groonga "groonga not installed (groonga-bin)"; return 0; }
  "${HARNESS[@]}" groonga-cmds --passages "$PASSAGES" --queries "$QUERIES" --reps "$REPS" \
    --build-out "$d/build.cmds" --query-out "$d/query.cmds"
  rm -rf "$d/db" && mkdir "$d/db"
  # Load first, then build the index (faster than indexing row by row).
  timed "$d/build" groonga -n "$d/db/db" <"$d/build.cmds" >"$d/build.resp"
  timed "$d/query" groonga "$d/db/db" <"$d/query.cmds" >"$d/query.resp"
  "${HARNESS[@]}" groonga-parse --build-responses "$d/build.resp" \
    --query-responses "$d/query.resp" --queries "$QUERIES" --reps "$REPS" \
    --timings "$d/timings.tsv" --hits "$d/hits.tsv"
  write_result groonga "$(val "$d/build.wall")" "$(disk_bytes "$d/db")" \
    "$(max "$(val "$d/build.rss")" "$(val "$d/query.rss")")" \
    "query time as reported by groonga; ordered by its _score (term frequency)"
}

bench_ripgrep() {
  local d=$OUT/ripgrep rss
  mkdir -p "$d"
  ensure_cmd rg ripgrep || { skip ripgrep "rg not installed (ripgrep)"; return 0; }
  rss=$("${HARNESS[@]}" ripgrep --corpus "$CORPUS" --passages "$PASSAGES" --queries "$QUERIES" \
    --reps "$REPS" --timings "$d/timings.tsv" --hits "$d/hits.tsv")
  write_result ripgrep "" "" "$rss" \
    "no index: rg -F -c -j1 --no-ignore, one process per query (counts all matches); hits = passages whose lines hold a matching line"
}

bench_jfts() {
  local d=$OUT/jfts corpus_abs
  mkdir -p "$d"
  if [ ! -x "$JFTS_INDEX" ] && [ "$JFTS_INDEX" = "$ROOT/build/jfts-index" ]; then
    # A clean clone: build jfts as ./run.sh does (Release, installing what is missing).
    say "building jfts in $ROOT/build"
    (cd "$ROOT" && . scripts/deps.sh && jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}" &&
      cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJFTS_BUILD_TESTS=OFF >/dev/null &&
      cmake --build build -j"$(nproc)" --target jfts-index jfts-query >/dev/null) ||
      say "building jfts failed"
  fi
  if ! "$JFTS_INDEX" --help >/dev/null 2>&1; then
    skip jfts "$JFTS_INDEX does not run"
    return 0
  fi
  rm -f "$d"/jfts.db*
  corpus_abs=$(cd "$CORPUS" && pwd)
  # jfts reads the .txt files itself (directories are walked) and cuts its own passages.
  timed "$d/build" "$JFTS_INDEX" --quiet --db "$d/jfts.db" "$corpus_abs" >"$d/build.log"
  local db_bytes
  db_bytes=$(disk_bytes "$d"/jfts.db*)
  # Recall is measured against jfts's own passages (see README): export them for the oracle.
  "${HARNESS[@]}" jfts-passages --db "$d/jfts.db" --corpus "$corpus_abs" --out "$d/passages.tsv"
  "${HARNESS[@]}" oracle --passages "$d/passages.tsv" --queries "$QUERIES" --out "$d/oracle.tsv"
  if ! "$JFTS_QUERY" --help 2>/dev/null | grep -- '--queries' >/dev/null; then
    write_result jfts "$(val "$d/build.wall")" "$db_bytes" "$(val "$d/build.rss")" \
      "build only: $JFTS_QUERY has no --queries yet, so no latency or recall" \
      "$(val "$d/build.rss")"
    return 0
  fi
  # One process answers every query: each one REPS+1 times in a row, the first untimed, as
  # for the other tools; jfts-query --timing reports each query's own time on stderr.
  # --exact: the other tools know no thesaurus, so jfts searches the words as given too.
  "${HARNESS[@]}" jfts-queries --queries "$QUERIES" --reps "$REPS" --out "$d/queries-reps.txt"
  cut -f2 "$QUERIES" >"$d/queries.txt"
  timed "$d/query" "$JFTS_QUERY" --db "$d/jfts.db" --exact --queries "$d/queries-reps.txt" \
    --format json --limit 10 --timing >"$d/top10.jsonl" 2>"$d/timing.log"
  # Recall: every hit, in a separate untimed run.
  "$JFTS_QUERY" --db "$d/jfts.db" --exact --queries "$d/queries.txt" --format json \
    --limit 100000000 >"$d/all.jsonl"
  "${HARNESS[@]}" jfts-parse --json "$d/all.jsonl" --timing-log "$d/timing.log" \
    --reps "$REPS" --corpus "$corpus_abs" --passages "$PASSAGES" --jfts-passages "$d/passages.tsv" \
    --queries "$QUERIES" --timings "$d/timings.tsv" --hits "$d/hits.tsv" \
    --mapped-hits "$d/hits-mapped.tsv"
  write_result jfts "$(val "$d/build.wall")" "$db_bytes" \
    "$(max "$(val "$d/build.rss")" "$(val "$d/query.rss")")" \
    "$("$JFTS_INDEX" --version | head -n 1); one jfts-query process for all queries, time per query as reported by --timing; recall against jfts's own passages" \
    "$(val "$d/build.rss")"
}

main() {
  local t0 tool load0
  t0=$(now)
  mkdir -p "$CACHE" "$OUT"
  prepare
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  for tool in $TOOLS; do
    local t1
    t1=$(now)
    rm -rf "${OUT:?}/$tool"
    mkdir -p "$OUT/$tool"
    case "$tool" in
      fts5-trigram) bench_fts5 trigram ;;
      fts5-unicode61) bench_fts5 unicode61 ;;
      groonga) bench_groonga ;;
      ripgrep) bench_ripgrep ;;
      jfts) bench_jfts ;;
      *) say "unknown tool $tool"; exit 2 ;;
    esac
    say "$tool done in $(elapsed "$t1") s"
  done
  # shellcheck disable=SC2086
  "${HARNESS[@]}" report --out "$OUT" --corpus "$CORPUS" --passages "$PASSAGES" \
    --queries "$QUERIES" --oracle "$ORACLE" "${PER_QUERY[@]}" $TOOLS >"$OUT/table.md"
  # Other work on the machine moves every figure; the load average says how much there was.
  printf '\nLoad average before the tools ran: %s; after: %s (%s cores).\n' \
    "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" >>"$OUT/table.md"
  cat "$OUT/table.md"
  say "whole run $(elapsed "$t0") s; table in ${OUT#"$ROOT"/}/table.md"
}

main
