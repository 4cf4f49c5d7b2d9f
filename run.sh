#!/usr/bin/env bash
# Builds jfts (Release), indexes the bundled corpus into jfts.db and answers the query given
# on the command line: ./run.sh 8050問題   (any jfts-query options may come before the query)
# ./run.sh --serve [jfts-serve options] serves the index as a web page instead and prints its
# URL (http://127.0.0.1:8080/ unless --listen says otherwise); Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}"
targets=(jfts-index jfts-query jfts_icu)
[ "${1:-}" = --serve ] && targets+=(jfts-serve)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJFTS_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target "${targets[@]}" >/dev/null
build/jfts-index --quiet --db jfts.db corpus/ >&2
if [ "${1:-}" = --serve ]; then
  shift
  exec build/jfts-serve --db jfts.db "$@"
fi
if [ $# -eq 0 ]; then
  echo "usage: ./run.sh [jfts-query options] QUERY...   e.g. ./run.sh 8050問題" >&2
  exit 2
fi
exec build/jfts-query --db jfts.db "$@"
