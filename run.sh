#!/usr/bin/env bash
# Builds jfts (Release), indexes the bundled corpus into jfts.db and answers the query given
# on the command line: ./run.sh 8050問題   (any jfts-query options may come before the query)
set -euo pipefail
cd "$(dirname "$0")"
. scripts/deps.sh
jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJFTS_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target jfts-index jfts-query jfts_icu >/dev/null
build/jfts-index --quiet --db jfts.db corpus/ >&2
if [ $# -eq 0 ]; then
  echo "usage: ./run.sh [jfts-query options] QUERY...   e.g. ./run.sh 8050問題" >&2
  exit 2
fi
exec build/jfts-query --db jfts.db "$@"
