#!/usr/bin/env bash
# PDF indexing speed: pages per second of jfts-index on real Japanese PDFs (the manuals of
# Debian's debian-edu-doc-ja / debian-reference-ja, fetched with `apt-get download` into
# bench/cache/, see tests/data/pdf/README.md) and on a generated 50-page report, beside
# pdftotext reading the same files. Each run indexes into a new database (read, lay out, parse,
# tokenize, store, commit); pdftotext only writes the text. Best of 3 runs, wall-clock and CPU.
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

best() { # CMD...: "WALL CPU", the best wall-clock and the best CPU (user + system) seconds of 3 runs
  local bw="" bc="" w c
  for _ in 1 2 3; do
    rm -f "$tmp"/t.db*
    /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null 2>&1 || true
    read -r w u s <"$tmp/time"
    c=$(awk -v a="$u" -v b="$s" 'BEGIN { printf "%.3f", a + b }')
    if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN { exit !(a < b) }'; then bw=$w; fi
    if [ -z "$bc" ] || awk -v a="$c" -v b="$bc" 'BEGIN { exit !(a < b) }'; then bc=$c; fi
  done
  echo "$bw $bc"
}

# Wall-clock time moves with the machine's load; CPU time (user + system) much less, so both
# are given, and the ratio of each.
echo "| PDF | pages | pdftotext s | jfts-index s | pdftotext CPU s | jfts-index CPU s | jfts-index pages/s | jfts ÷ pdftotext time | jfts ÷ pdftotext CPU |"
echo "|---|---|---|---|---|---|---|---|---|"
tp=0 tt=0 tj=0 ct=0 cj=0
for f in "$cache/pdf50.pdf" "$cache"/pdf-real/*.pdf; do
  pages=$(pdfinfo "$f" 2>/dev/null | sed -n 's/^Pages: *//p')
  read -r t_txt c_txt < <(best pdftotext -q -enc UTF-8 "$f" "$tmp/out.txt")
  read -r t_idx c_idx < <(best "$index" --db "$tmp/t.db" "$f")
  awk -v n="$(basename "$f")" -v p="$pages" -v a="$t_txt" -v b="$t_idx" -v c="$c_txt" -v d="$c_idx" 'BEGIN {
    printf "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.0f | %.2f | %.2f |\n", n, p, a, b, c, d,
      p / (b > 0 ? b : 0.01), b / (a > 0 ? a : 0.01), d / (c > 0 ? c : 0.01) }'
  tp=$((tp + pages))
  tt=$(awk -v a="$tt" -v b="$t_txt" 'BEGIN { print a + b }')
  tj=$(awk -v a="$tj" -v b="$t_idx" 'BEGIN { print a + b }')
  ct=$(awk -v a="$ct" -v b="$c_txt" 'BEGIN { print a + b }')
  cj=$(awk -v a="$cj" -v b="$c_idx" 'BEGIN { print a + b }')
done
awk -v p="$tp" -v a="$tt" -v b="$tj" -v c="$ct" -v d="$cj" 'BEGIN {
  printf "| **all** | %d | %.3f | %.3f | %.3f | %.3f | %.0f | **%.2f** | **%.2f** |\n", p, a, b, c, d, p / b, b / a, d / c }'
