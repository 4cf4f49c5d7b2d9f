#!/usr/bin/env bash
# Builds jfts (Release, as ./run.sh does), indexes corpus/ into a temp DB and scores the judged
# sets on it: first the main set of this directory (its output as before), then the held-out set
# of heldout/. bench/relevance/run.sh [--main-only] [score.py options, e.g. --per-query]
# --main-only scores the main set alone: the held-out set is for a final, blind check, so
# tuning runs leave it out (see heldout/README.md).
set -euo pipefail
main_only=0
if [ "${1:-}" = --main-only ]; then
  main_only=1
  shift
fi
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
. scripts/deps.sh
jfts_ensure_packages "${JFTS_BUILD_PACKAGES[@]}"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJFTS_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target jfts-index jfts-query jfts_icu >/dev/null
TMP=$(mktemp -d "${TMPDIR:-/tmp}/jfts-relevance.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
build/jfts-index --quiet --db "$TMP/jfts.db" corpus/ >&2
python3 "$HERE/score.py" --db "$TMP/jfts.db" --query "$ROOT/build/jfts-query" "$@"
[ "$main_only" = 1 ] && exit 0
echo
python3 "$HERE/score.py" --db "$TMP/jfts.db" --query "$ROOT/build/jfts-query" --set heldout "$@"
