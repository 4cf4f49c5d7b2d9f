#!/usr/bin/env bash
# Benchmark: jfts against SQLite FTS5 (trigram, unicode61), Groonga and ripgrep on the same
# Japanese corpus, passages and queries, at 1x, 4x and 16x of distinct text; prints the tables
# and the floors of issue 15 as PASS/FAIL (see bench/README.md).
# Each tool is one bench_<tool> function that leaves result.json, timings.tsv and hits.tsv in
# $OUT/<tool>/; harness.py turns those into the tables.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
HARNESS=(python3 "$BENCH/harness.py")

ALL_TOOLS="fts5-trigram fts5-unicode61 fts5-jfts groonga jfts ripgrep"
DEFAULT_TOOLS="fts5-trigram fts5-unicode61 fts5-jfts groonga jfts"

usage() {
  cat <<EOF
usage: bench/run.sh [--scale 1x|4x|16x] [--quick|--smoke] [--reps N] [--per-class N]
                    [--tools "a b ..."] [--timeout S] [--per-query] [--fresh]
  --scale S      corpus size: 1x, 4x or 16x of distinct text (default 1x), or all three in
                 turn (all); each corpus is a prefix of the next, so vocabulary grows (the
                 first run downloads and converts, several minutes)
  --quick        a smoke run: a tiny corpus cut from corpus/ (no network, under a minute),
                 6 queries per class, 1 timed run each; tools not installed are skipped
  --smoke        the same as --quick (the name the test suite uses)
  --reps N       timed runs per query after one warm-up run (default 5: 40 queries x 5 =
                 200 timed runs per class)
  --per-class N  queries drawn per class (default 40)
  --tools        subset of: $ALL_TOOLS
                 (default: all but ripgrep, which starts one process per query)
  --timeout S    each build or query step is stopped after S seconds (default 3600); a tool
                 that runs out is reported as failed, and the run goes on
  --per-query    also list every query with its oracle count and each tool's p50
  --fresh        rebuild converted text, corpora, passages, queries and oracle (keeps the
                 downloaded .debs)
Environment: JFTS_INDEX, JFTS_QUERY, JFTS_EXT (default build/jfts-index, build/jfts-query,
build/jfts_icu.so, built in Release when missing); JFTS_BENCH_DIR (default bench/) holds
cache/ and out/.
Writes bench/cache/ and bench/out/<scale>/ (table.md, summary.json); exit 0 on success.
EOF
}

ARGS="$*"
SCALE=1x
SMOKE=0
REPS=
PER_CLASS=
TOOLS=$DEFAULT_TOOLS
PER_QUERY=()
FRESH=0
STEP_TIMEOUT=3600
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=${2:?}; shift 2 ;;
    --smoke|--quick) SMOKE=1; shift ;;
    --reps) REPS=${2:?}; shift 2 ;;
    --per-class) PER_CLASS=${2:?}; shift 2 ;;
    --tools) TOOLS=${2:?}; shift 2 ;;
    --timeout) STEP_TIMEOUT=${2:?}; shift 2 ;;
    --per-query) PER_QUERY=(--per-query); shift ;;
    --fresh) FRESH=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
case "$SCALE" in
  1|1x) SCALE=1x ;; 4|4x) SCALE=4x ;; 16|16x) SCALE=16x ;;
  all)
    # Every scale in turn, each a whole run of its own (the same options otherwise).
    for s in 1x 4x 16x; do
      # shellcheck disable=SC2086
      "$BASH" "${BASH_SOURCE[0]}" ${ARGS/--scale all/} --scale "$s" || exit $?
    done
    exit 0 ;;
  *) echo "run.sh: --scale must be 1x, 4x, 16x or all" >&2; exit 2 ;;
esac

# JFTS_BENCH_DIR moves cache/ and out/ elsewhere (the CI smoke test writes into its own
# temporary directory, not into the source tree).
WORK=${JFTS_BENCH_DIR:-$BENCH}
if [ "$SMOKE" = 1 ]; then
  CACHE=$WORK/cache/smoke
  OUT=$WORK/out/smoke-$SCALE
  REPS=${REPS:-1}
  PER_CLASS=${PER_CLASS:-6}
  STARTUP_CALLS=5
else
  CACHE=$WORK/cache
  OUT=$WORK/out/$SCALE
  REPS=${REPS:-5}
  PER_CLASS=${PER_CLASS:-40}
  STARTUP_CALLS=20
fi
JFTS_INDEX=${JFTS_INDEX:-$ROOT/build/jfts-index}
JFTS_QUERY=${JFTS_QUERY:-$ROOT/build/jfts-query}
JFTS_EXT=${JFTS_EXT:-$ROOT/build/jfts_icu.so}
CORPUS=$CACHE/corpus-$SCALE
PASSAGES=$CACHE/passages-$SCALE.tsv
QUERIES=$CACHE/queries-$SCALE-$PER_CLASS.txt
ORACLE=$CACHE/oracle-$SCALE-$PER_CLASS.tsv

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

# timed NAME CMD...: runs CMD under `timeout $STEP_TIMEOUT`, leaving "wall user sys maxrss_kb"
# in NAME.time (GNU time: CPU seconds and peak RSS include the command's children).
# Redirections apply to CMD. Returns CMD's status (124 when it ran out of time).
timed() {
  local name=$1 t0 rc=0
  shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f '%e %U %S %M' -o "$name.time" timeout "$STEP_TIMEOUT" "$@" || rc=$?
  else
    t0=$(now)
    timeout "$STEP_TIMEOUT" "$@" || rc=$?
    echo "$(elapsed "$t0" %.3f) null null null" >"$name.time"
  fi
  [ "$rc" = 124 ] && say "$(basename "$(dirname "$name")"): $(basename "$name") ran out of time (${STEP_TIMEOUT} s)"
  # GNU time prefixes a line when the command failed; the figures are on the last line.
  tail -n 1 "$name.time" >"$name.time.tmp" && mv "$name.time.tmp" "$name.time"
  return "$rc"
}
# field NAME.time N: the N-th figure (1 wall, 2 user, 3 sys, 4 peak RSS KB).
field() { cut -d' ' -f"$2" "$1"; }
cpu() { awk '{ if ($2 == "null") print "null"; else printf "%.2f", $2 + $3 }' "$1"; }
# Bytes allocated on disk: Groonga's files are sparse, so their apparent size says little.
disk_bytes() { du -c -s -B1 "$@" | tail -n 1 | cut -f1; }

# write_result TOOL BUILD.time QUERY.time DB_BYTES NOTE [STARTUP_MS]
write_result() {
  local note=${5//\\/\\\\}
  note=${note//\"/\\\"}
  printf '{"build_wall": %s, "build_cpu": %s, "build_rss_kb": %s, "query_rss_kb": %s, "db_bytes": %s, "startup_ms": %s, "note": "%s"}\n' \
    "$(field "$2" 1)" "$(cpu "$2")" "$(field "$2" 4)" "$(field "$3" 4)" "${4:-null}" \
    "${6:-null}" "$note" >"$OUT/$1/result.json"
}
skip() {
  say "$1: skipped: $2"
  printf '{"skipped": "%s"}\n' "$2" >"$OUT/$1/result.json"
}

prepare() {
  local t0
  t0=$(now)
  if [ "$FRESH" = 1 ]; then
    rm -rf "$CACHE"/converted "$CACHE"/pool "$CACHE"/corpus-* "$CACHE"/passages-*.tsv \
      "$CACHE"/queries-*.txt "$CACHE"/oracle-*.tsv
  fi
  # GNU time gives CPU seconds and peak RSS; without it only wall times are measured.
  [ "$SMOKE" = 1 ] || ensure_cmd /usr/bin/time time || say "no GNU time: CPU and RSS not measured"
  if [ "$SMOKE" = 0 ] && [ ! -e "$CACHE/corpus-16x/.complete" ]; then
    ensure_cmd groff groff-base || { say "groff is needed to convert man pages"; exit 1; }
    ensure_cmd pdftotext poppler-utils || { say "pdftotext is needed to convert PDFs"; exit 1; }
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
  # Each corpus draws its own queries (rare terms and frequency bands grow with it).
  [ -s "$QUERIES" ] || "${HARNESS[@]}" queries --corpus "$CORPUS" --out "$QUERIES" \
    --per-class "$PER_CLASS" --min-count "$([ "$SMOKE" = 1 ] && echo 2 || echo 5)"
  [ -s "$ORACLE" ] || "${HARNESS[@]}" oracle --passages "$PASSAGES" --queries "$QUERIES" --out "$ORACLE"
  say "corpus, passages, queries and oracle ready in $(elapsed "$t0") s"
}

# The jfts programs and extension, built in Release as ./run.sh does when the defaults are
# missing (a clean clone).
ensure_jfts() {
  if [ "$JFTS_INDEX" = "$ROOT/build/jfts-index" ] &&
     { [ ! -x "$JFTS_INDEX" ] || [ ! -x "$JFTS_QUERY" ] || [ ! -f "$JFTS_EXT" ]; }; then
    say "building jfts in $ROOT/build"
    # shellcheck source=scripts/deps.sh
    (cd "$ROOT" && . scripts/deps.sh && jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}" &&
      cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJFTS_BUILD_TESTS=OFF >/dev/null &&
      cmake --build build -j"$(nproc)" --target jfts-index jfts-query jfts_icu >/dev/null) ||
      say "building jfts failed"
  fi
}

fts5_bin() {
  local bin=$OUT/../bin/fts5_bench
  mkdir -p "$OUT/../bin"
  if [ ! -x "$bin" ] || [ "$BENCH/fts5_bench.c" -nt "$bin" ]; then
    cc -std=c11 -O2 -Wall -Wextra -Wpedantic -D_POSIX_C_SOURCE=200809L \
      "$BENCH/fts5_bench.c" -o "$bin" -lsqlite3 || return 1
  fi
  echo "$bin"
}

# bench_fts5 TOOL TOKENIZE [EXTENSION]: an FTS5 table over the harness's passages, stock bm25.
bench_fts5() {
  local tool=$1 tok=$2 ext=${3:-} d=$OUT/$1 bin note=
  local bext=() qext=()
  if ! bin=$(fts5_bin 2>"$d/cc.log"); then
    skip "$tool" "cannot compile fts5_bench.c (see $d/cc.log)"
    return 0
  fi
  if [ -n "$ext" ]; then
    [ -f "$ext" ] || { skip "$tool" "no jfts extension at $ext"; return 0; }
    bext=("$ext")
    qext=("$ext" "$tok")
  fi
  timed "$d/build" "$bin" build "$d/db" "$tok" "$PASSAGES" "${bext[@]}" >/dev/null ||
    { skip "$tool" "build failed"; return 0; }
  timed "$d/query" "$bin" query "$d/db" "$QUERIES" "$REPS" "$d/timings.tsv" "$d/hits.tsv" \
    "${qext[@]}" 2>"$d/query.log" || { skip "$tool" "queries failed: $(tail -n 1 "$d/query.log")"; return 0; }
  case "$tok" in
    trigram) note="trigram matches nothing under 3 characters" ;;
    unicode61) note="unicode61 does not split Japanese: a run between punctuation is one token" ;;
    *) note="jfts tokenizer loaded from $(basename "$ext"), stock bm25; $(grep -c ' \*$' "$d/query.log" || true) of $(grep -c 'form' "$d/query.log" || true) queries in the prefix form (\"w\" *), as the tokenizer's own tokens require" ;;
  esac
  write_result "$tool" "$d/build.time" "$d/query.time" "$(disk_bytes "$d/db")" "$note"
}

bench_groonga() {
  local d=$OUT/groonga
  ensure_cmd groonga groonga-bin || { skip groonga "groonga not installed (groonga-bin)"; return 0; }
  "${HARNESS[@]}" groonga-cmds --passages "$PASSAGES" --queries "$QUERIES" --reps "$REPS" \
    --build-out "$d/build.cmds" --query-out "$d/query.cmds"
  rm -rf "$d/db" && mkdir "$d/db"
  # Load first, then build the index (faster than indexing row by row).
  timed "$d/build" groonga -n "$d/db/db" <"$d/build.cmds" >"$d/build.resp" ||
    { skip groonga "build failed"; return 0; }
  timed "$d/query" groonga "$d/db/db" <"$d/query.cmds" >"$d/query.resp" ||
    { skip groonga "queries failed"; return 0; }
  "${HARNESS[@]}" groonga-parse --build-responses "$d/build.resp" \
    --query-responses "$d/query.resp" --queries "$QUERIES" --reps "$REPS" \
    --timings "$d/timings.tsv" --hits "$d/hits.tsv"
  write_result groonga "$d/build.time" "$d/query.time" "$(disk_bytes "$d/db")" \
    "$(groonga --version | head -n 1 | cut -d' ' -f1-2), TokenBigram + NormalizerAuto; query time as reported by groonga; ordered by its _score (term frequency)"
}

bench_ripgrep() {
  local d=$OUT/ripgrep rss
  ensure_cmd rg ripgrep || { skip ripgrep "rg not installed (ripgrep)"; return 0; }
  rss=$("${HARNESS[@]}" ripgrep --corpus "$CORPUS" --passages "$PASSAGES" --queries "$QUERIES" \
    --reps "$REPS" --timings "$d/timings.tsv" --hits "$d/hits.tsv")
  echo "null null null null" >"$d/none.time"
  echo "null null null $rss" >"$d/query.time"
  write_result ripgrep "$d/none.time" "$d/query.time" "" \
    "no index: rg -F -c -j1 --no-ignore, one process per query; reads UTF-8 only, so it misses the Shift_JIS files"
}

bench_jfts() {
  local d=$OUT/jfts corpus_abs db_bytes startup word
  if ! "$JFTS_INDEX" --help >/dev/null 2>&1; then
    skip jfts "$JFTS_INDEX does not run"
    return 0
  fi
  rm -f "$d"/jfts.db*
  corpus_abs=$(cd "$CORPUS" && pwd)
  # jfts reads the .txt files itself (directories are walked, Shift_JIS decoded) and cuts its
  # own passages.
  timed "$d/build" "$JFTS_INDEX" --quiet --db "$d/jfts.db" "$corpus_abs" >"$d/build.log" ||
    { skip jfts "jfts-index failed: $(tail -n 1 "$d/build.log")"; return 0; }
  db_bytes=$(disk_bytes "$d"/jfts.db*)
  # Recall is measured against jfts's own passages (see README): export them for the oracle.
  "${HARNESS[@]}" jfts-passages --db "$d/jfts.db" --corpus "$corpus_abs" --out "$d/passages.tsv"
  "${HARNESS[@]}" oracle --passages "$d/passages.tsv" --queries "$QUERIES" --out "$d/oracle.tsv"
  # One process answers every query: each one REPS+1 times in a row, the first untimed, as
  # for the other tools; jfts-query --timing reports each query's own time on stderr.
  # --exact: the other tools know no thesaurus, so jfts searches the words as given too.
  "${HARNESS[@]}" jfts-queries --queries "$QUERIES" --reps "$REPS" --out "$d/queries-reps.txt"
  cut -f2 "$QUERIES" >"$d/queries.txt"
  timed "$d/query" "$JFTS_QUERY" --db "$d/jfts.db" --exact --queries "$d/queries-reps.txt" \
    --format json --limit 10 --timing >"$d/top10.jsonl" 2>"$d/timing.log" ||
    { skip jfts "jfts-query failed: $(grep -v timing "$d/timing.log" | tail -n 1)"; return 0; }
  # Recall: every hit, in a separate untimed run.
  "$JFTS_QUERY" --db "$d/jfts.db" --exact --queries "$d/queries.txt" --format json \
    --limit 100000000 >"$d/all.jsonl"
  "${HARNESS[@]}" jfts-parse --json "$d/all.jsonl" --timing-log "$d/timing.log" \
    --reps "$REPS" --corpus "$corpus_abs" --passages "$PASSAGES" --jfts-passages "$d/passages.tsv" \
    --queries "$QUERIES" --timings "$d/timings.tsv" --hits "$d/hits.tsv" \
    --mapped-hits "$d/hits-mapped.tsv"
  rm -f "$d/all.jsonl"  # every hit with its text: 1 GB at 16x
  # Start-up: wall time of a whole jfts-query call minus the query's own --timing.
  word=$(awk -F'\t' '$1 == "word2" { w[n++] = $2 } END { print w[int(n / 2)] }' "$QUERIES")
  startup=$("${HARNESS[@]}" startup --query-bin "$JFTS_QUERY" --db "$d/jfts.db" --word "$word" \
    --calls "$STARTUP_CALLS" --out "$d/startup.tsv")
  write_result jfts "$d/build.time" "$d/query.time" "$db_bytes" \
    "$("$JFTS_INDEX" --version | head -n 1); one jfts-query process for all queries, time per query as reported by --timing; recall against jfts's own passages" \
    "$startup"
}

main() {
  local t0 tool load0
  t0=$(now)
  mkdir -p "$CACHE" "$OUT"
  prepare
  case " $TOOLS " in *" jfts "*|*" fts5-jfts "*) ensure_jfts ;; esac
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  for tool in $TOOLS; do
    local t1
    t1=$(now)
    rm -rf "${OUT:?}/$tool"
    mkdir -p "$OUT/$tool"
    case "$tool" in
      fts5-trigram) bench_fts5 fts5-trigram trigram ;;
      fts5-unicode61) bench_fts5 fts5-unicode61 unicode61 ;;
      fts5-jfts) bench_fts5 fts5-jfts jfts "$JFTS_EXT" ;;
      groonga) bench_groonga ;;
      ripgrep) bench_ripgrep ;;
      jfts) bench_jfts ;;
      *) say "unknown tool $tool"; exit 2 ;;
    esac
    say "$tool done in $(elapsed "$t1") s"
  done
  # shellcheck disable=SC2086
  "${HARNESS[@]}" report --out "$OUT" --corpus "$CORPUS" --passages "$PASSAGES" \
    --queries "$QUERIES" --oracle "$ORACLE" --reps "$REPS" "${PER_QUERY[@]}" $TOOLS \
    >"$OUT/table.md"
  # Other work on the machine moves every figure; the load average says how much there was.
  printf '\nRun: %s; %s UTC; commit %s; load average before the tools ran: %s, after: %s (%s cores); whole run %s s.\n' \
    "bench/run.sh${ARGS:+ $ARGS}" "$(date -u '+%Y-%m-%d %H:%M')" \
    "$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)" \
    "$load0" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" "$(elapsed "$t0" %.0f)" >>"$OUT/table.md"
  cat "$OUT/table.md"
  say "table in ${OUT#"$ROOT"/}/table.md"
}

main
