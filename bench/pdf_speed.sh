#!/usr/bin/env bash
# PDF indexing speed: pages per second of jfts-index on real Japanese PDFs (the manuals of
# Debian's debian-edu-doc-ja / debian-reference-ja, fetched with `apt-get download` into
# bench/cache/, see tests/data/pdf/README.md) and on a generated 50-page report, beside
# pdftotext reading the same files. Each run indexes into a new database (read, lay out, parse,
# tokenize, store, commit); pdftotext only writes the text. Best of 3 wall-clock runs.
# Usage: bench/pdf_speed.sh [BUILD_DIR]   (default build-test); prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
index=$build/jfts-index
[ -x "$index" ] || { echo "pdf_speed: no $index (build first)" >&2; exit 1; }
cache=bench/cache
mkdir -p "$cache/debs" "$cache/pdf-real"
if ! ls "$cache"/pdf-real/*.pdf >/dev/null 2>&1; then
  (cd "$cache/debs" && apt-get download debian-edu-doc-ja debian-reference-ja >/dev/null &&
    for d in *.deb; do dpkg-deb -x "$d" x; done)
  find "$cache/debs/x" -name '*.pdf' -exec cp {} "$cache/pdf-real/" \;
fi
[ -f "$cache/pdf50.pdf" ] ||
  /usr/bin/python3 tests/data/pdf/make-fixtures.py --pages 50 "$cache/pdf50.pdf"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

best() { # CMD...: the best wall-clock seconds of 3 runs
  local b="" t
  for _ in 1 2 3; do
    rm -f "$tmp"/t.db*
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if [ -z "$b" ] || awk -v a="$t" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$t; fi
  done
  echo "$b"
}

echo "| PDF | pages | pdftotext s | jfts-index s | pdftotext pages/s | jfts-index pages/s | jfts ÷ pdftotext time |"
echo "|---|---|---|---|---|---|---|"
tp=0 tt=0 tj=0
for f in "$cache/pdf50.pdf" "$cache"/pdf-real/*.pdf; do
  pages=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
  t_txt=$(best pdftotext -q -enc UTF-8 "$f" "$tmp/out.txt")
  t_idx=$(best "$index" --db "$tmp/t.db" "$f")
  awk -v n="$(basename "$f")" -v p="$pages" -v a="$t_txt" -v b="$t_idx" 'BEGIN {
    printf "| %s | %d | %.3f | %.3f | %.0f | %.0f | %.2f |\n", n, p, a, b,
      p / (a > 0 ? a : 0.01), p / (b > 0 ? b : 0.01), b / (a > 0 ? a : 0.01) }'
  tp=$((tp + pages))
  tt=$(awk -v a="$tt" -v b="$t_txt" 'BEGIN { print a + b }')
  tj=$(awk -v a="$tj" -v b="$t_idx" 'BEGIN { print a + b }')
done
awk -v p="$tp" -v a="$tt" -v b="$tj" 'BEGIN {
  printf "| **all** | %d | %.3f | %.3f | %.0f | %.0f | **%.2f** |\n", p, a, b, p / a, p / b, b / a }'
