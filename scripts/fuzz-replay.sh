#!/usr/bin/env bash
# Runs the fuzz harnesses (tests/fuzz) over their seed corpora plus a fixed number of
# mutations from a fixed seed, and exits non-zero when any of them crashes, hangs or reports
# a sanitizer error. Works with either build of the harnesses: the replay driver (any
# compiler; repeatable run for run) or libFuzzer (clang, -DJFTS_FUZZ_LIBFUZZER=ON; coverage-
# guided, repeatable only for the same binary). Crash inputs are kept in the output directory.
#
# usage: scripts/fuzz-replay.sh [-n RUNS] [-s SEED] [-t TARGET]... [-o DIR] BUILD_DIR
#   BUILD_DIR  a build holding fuzz_<target> in BUILD_DIR/tests/fuzz or BUILD_DIR itself
#   -n RUNS    mutated inputs per harness after the seeds (default 2000)
#   -s SEED    generator seed (default 1)
#   -t TARGET  decode, report, tokenizer, query, db, pdf or serve_params; repeatable (default:
#              every one of them built in BUILD_DIR; serve_params needs libmicrohttpd)
#   -o DIR     where logs and crash inputs go (default: a new directory under /tmp)
# Exit status: 0 no failure, 1 a harness failed, 2 usage error or missing harness.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seeds_root=$here/../tests/fuzz/corpus
dict=$here/../tests/fuzz/jfts.dict
runs=2000
seed=1
targets=()
out=""

usage() {
  sed -n '9,16p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

while getopts "n:s:t:o:h" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    s) seed=$OPTARG ;;
    t) targets+=("$OPTARG") ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
build=$1
known=(decode report tokenizer query db pdf serve_params)
if [ ${#targets[@]} -eq 0 ]; then
  for t in "${known[@]}"; do
    [ -x "$build/tests/fuzz/fuzz_$t" ] || [ -x "$build/fuzz_$t" ] && targets+=("$t")
  done
  [ ${#targets[@]} -gt 0 ] || targets=("${known[@]}") # reports the first missing harness
fi
[ -n "$out" ] || out=$(mktemp -d /tmp/jfts-fuzz-replay.XXXXXX)
mkdir -p "$out"

# Sanitizer settings, unless the caller chose others. The RSS limit turns runaway memory
# growth into a report instead of a visit from the OOM killer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
case $ASAN_OPTIONS in *hard_rss_limit_mb*) ;; *) ASAN_OPTIONS=$ASAN_OPTIONS:hard_rss_limit_mb=2048 ;; esac

max_len() {
  case $1 in
    decode | report) echo 8192 ;;
    tokenizer) echo 4096 ;;
    db) echo 65536 ;; # a whole small index (tests/fuzz/corpus/db)
    pdf) echo 16384 ;;
    serve_params) echo 4200 ;;
    *) echo 1024 ;;
  esac
}

# A PDF input costs poppler a parse and a layout, about a hundred times a text input: the pdf
# harness gets a tenth of the mutations, so that a CI run stays within minutes.
runs_for() {
  case $1 in
    pdf) echo $((runs / 10 > 100 ? runs / 10 : runs < 100 ? runs : 100)) ;;
    *) echo "$runs" ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  n_runs=$(runs_for "$t")
  case " ${known[*]} " in *" $t "*) ;; *) echo "fuzz-replay: unknown target '$t'" >&2; exit 2 ;; esac
  bin=""
  for cand in "$build/tests/fuzz/fuzz_$t" "$build/fuzz_$t"; do
    [ -x "$cand" ] && bin=$cand && break
  done
  if [ -z "$bin" ]; then
    echo "fuzz-replay: no fuzz_$t in $build (configure with -DJFTS_FUZZ=ON)" >&2
    exit 2
  fi
  log=$out/$t.log
  start=$(date +%s)
  if grep -qa "fuzz replay: ignoring libFuzzer option" "$bin"; then
    mode=replay
    # -timeout catches a hang in one input; `timeout` a driver that hangs between inputs.
    timeout $((300 + n_runs / 20)) "$bin" -runs="$n_runs" -seed="$seed" -max_len="$(max_len "$t")" -timeout=10 \
      -artifact_prefix="$out/" "$seeds_root/$t" >"$log" 2>&1
    rc=$?
  else
    mode=libFuzzer
    work=$(mktemp -d "$out/work-$t.XXXXXX")
    "$bin" -runs="$n_runs" -seed="$seed" -max_len="$(max_len "$t")" -timeout=10 \
      -rss_limit_mb=2048 -dict="$dict" -print_final_stats=1 -artifact_prefix="$out/" \
      "$work" "$seeds_root/$t" >"$log" 2>&1
    rc=$?
    rm -rf "$work"
  fi
  secs=$(($(date +%s) - start))
  if [ $rc -eq 0 ]; then
    echo "fuzz-replay: $t ($mode, $n_runs runs, seed $seed): ok in ${secs}s"
  else
    status=1
    echo "fuzz-replay: $t ($mode, $n_runs runs, seed $seed): FAILED (exit $rc) in ${secs}s; log $log" >&2
    grep -E "invariant broken|ERROR: |runtime error|rss limit|crash on|SUMMARY|Test unit written|timeout" \
      "$log" | head -20 >&2
  fi
done
exit $status
