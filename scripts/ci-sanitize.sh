#!/usr/bin/env bash
# CI under AddressSanitizer + UndefinedBehaviorSanitizer: configures a Debug build with
# -DJFTS_SANITIZE=ON (warnings are errors) in build-asan, builds everything, runs the whole
# ctest suite with leak detection on, then replays the fuzz harnesses' seed corpora plus a
# fixed number of mutations (scripts/fuzz-replay.sh). Exits non-zero when any step fails;
# both test steps run even when the first fails, so one CI run shows every failure.
#
# usage: scripts/ci-sanitize.sh        environment: JFTS_ASAN_BUILD_DIR (default build-asan),
#                                      JFTS_FUZZ_RUNS (mutations per harness, default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}" "${JFTS_TEST_PACKAGES[@]}"

build=${JFTS_ASAN_BUILD_DIR:-build-asan}
runs=${JFTS_FUZZ_RUNS:-20000}
jobs=$(nproc)
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
flags=(-DJFTS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DJFTS_WERROR=ON)

t0=$(date +%s)
step() { echo "ci-sanitize: $* ($(($(date +%s) - t0))s)"; }

step "configure $build"
# JFTS_FUZZ makes tests/CMakeLists.txt add tests/fuzz; --no-warn-unused-cli keeps quiet
# where it does not (yet).
cmake -S . -B "$build" "${flags[@]}" -DJFTS_FUZZ=ON --no-warn-unused-cli >/dev/null
step "build"
cmake --build "$build" -j"$jobs"

status=0
# cli_sqlite_ext and cli_bad_hostile_db load the instrumented extension into Debian's sqlite3,
# which is not instrumented; ASan refuses to start unless its runtime is loaded first. So those
# tests run apart, with the runtimes (gcc's) preloaded and without leak detection, which would
# report the exit-time allocations of bash and the sqlite3 shell.
apart='^(cli_sqlite_ext|cli_bad_hostile_db)$'
step "ctest"
# The `long` (1 GB) and `big` (100-200 MB) inputs run in the normal build only: under ASan
# they take minutes and measure the sanitizer's memory, not jfts's.
# cli_bench_smoke loads the instrumented extension into the benchmark's own driver
# (bench/fts5_bench.c, compiled by bench/run.sh without the sanitizers), which ASan refuses; it
# measures the normal build and runs there (test.sh).
ctest --test-dir "$build" --output-on-failure -j"$jobs" -E "$apart|^cli_bench_smoke\$" \
  -LE 'long|big' || status=1
step "ctest cli_sqlite_ext, cli_bad_hostile_db with the sanitizer runtimes preloaded"
cc=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
LD_PRELOAD="$("$cc" -print-file-name=libasan.so) $("$cc" -print-file-name=libubsan.so)" \
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  ctest --test-dir "$build" --output-on-failure -R "$apart" || status=1

fuzz_build=$build
if [ ! -x "$build/tests/fuzz/fuzz_decode" ]; then
  # The harnesses are not part of this build: build them on their own, same flags.
  fuzz_build=$build/fuzz
  step "build the fuzz harnesses in $fuzz_build"
  cmake -S tests/fuzz -B "$fuzz_build" "${flags[@]}" >/dev/null
  cmake --build "$fuzz_build" -j"$jobs" --target fuzz_decode fuzz_report fuzz_tokenizer fuzz_query \
    fuzz_db
fi
step "fuzz replay, $runs mutations per harness"
rm -rf "$build/fuzz-replay"
scripts/fuzz-replay.sh -n "$runs" -s 1 -o "$build/fuzz-replay" "$fuzz_build" || status=1

step "done, status $status"
exit $status
