#!/usr/bin/env bash
# Builds jfts with its tests (warnings are errors) and runs every test: the cmocka suites and
# the command-line tests, through ctest. Extra arguments go to ctest (e.g. -R report).
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}" "${JFTS_TEST_PACKAGES[@]}"
build_dir=${JFTS_BUILD_DIR:-build-test}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=${JFTS_BUILD_TYPE:-Release} -DJFTS_WERROR=ON \
  ${JFTS_CMAKE_ARGS:-} >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
# Tests labelled `long` (gigabyte inputs) run only with JFTS_LONG=1.
skip_long=(-LE long)
[ "${JFTS_LONG:-0}" = 1 ] && skip_long=()
exec ctest --output-on-failure -j"$(nproc)" "${skip_long[@]}" "$@"
