#!/usr/bin/env bash
# The PDF reader against pdftotext (tests/cli/pdf_oracle.py): recall 1.000 of every Japanese
# substring of 1-8 characters of every pdftotext line, page by page, on each fixture; the same
# through jfts-index and jfts-query --quotes for sampled substrings (pdf_recall.py); and the
# files it must refuse, refused with one clear message. Real PDFs under $JFTS_PDF_EXTRA (e.g.
# bench/cache/pdf, see tests/data/pdf/README.md) are checked too, with 400 samples per page.
set -euo pipefail
: "${JFTS_PDF_DUMP:?}" "${JFTS_TESTDATA:?}"
D=$JFTS_TESTDATA/pdf
ORACLE=$(dirname "$0")/pdf_oracle.py
fail=0

for f in columns table wrap mixed lists; do
  python3 "$ORACLE" "$JFTS_PDF_DUMP" "$D/$f.pdf" 2>/dev/null || fail=1
done
# jfts-index + jfts-query: every page where pdftotext has a sampled substring holds a quote
# of it, and every quote's page has it (tests/cli/pdf_recall.py).
: "${JFTS_INDEX:?}" "${JFTS_QUERY:?}"
rtmp=$(mktemp -d)
for f in columns table wrap mixed spacing lists; do
  python3 "$(dirname "$0")/pdf_recall.py" "$JFTS_INDEX" "$JFTS_QUERY" "$JFTS_PDF_DUMP" "$D/$f.pdf" \
    "$rtmp" 60 || fail=1
done
rm -rf "$rtmp"

# The header and page number of columns.pdf are in the record, and only there.
out=$("$JFTS_PDF_DUMP" "$D/columns.pdf")
grep -q $'^2:furniture\t2 / 3$' <<<"$out" || { echo "FAIL: page number of page 2 not set apart"; fail=1; }
if grep -v furniture <<<"$out" | grep -q '令和3年度報告\| / 3'; then
  echo "FAIL: running header or page number left in the body"; fail=1
fi

expect_refused() { # file expected-stderr
  local err rc=0
  err=$("$JFTS_PDF_DUMP" "$1" 2>&1 >/dev/null) || rc=$?
  if [ "$rc" -ne 1 ] || [ "$err" != "$2" ]; then
    echo "FAIL: $1: rc $rc, stderr '$err', expected rc 1, '$2'"; fail=1
  fi
}
expect_refused "$D/scanned.pdf" "pdf_dump: '$D/scanned.pdf': no text layer (scanned?) on pages 1-3"
expect_refused "$D/encrypted.pdf" "pdf_dump: '$D/encrypted.pdf': encrypted PDF (a password is needed)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 3000 "$D/columns.pdf" >"$tmp/cut.pdf"
err=$("$JFTS_PDF_DUMP" "$tmp/cut.pdf" 2>&1 >/dev/null) && { echo "FAIL: truncated PDF read"; fail=1; }
[ "$(wc -l <<<"$err")" -eq 1 ] || { echo "FAIL: truncated PDF: '$err'"; fail=1; }
# A creation date with a bad time zone: poppler's GLib binding warns on stderr unless the
# reader turned that off (library code never prints).
sed "s/(D:20000101000000+00'00')/(D:20000101000000X)/" "$D/../../fuzz/corpus/pdf/plain-uncompressed.pdf" >"$tmp/tz.pdf"
err=$("$JFTS_PDF_DUMP" --info "$tmp/tz.pdf" 2>&1 >/dev/null) || { echo "FAIL: tz.pdf not read"; fail=1; }
[ -z "$err" ] || { echo "FAIL: the reader printed: $err"; fail=1; }
err=$("$JFTS_PDF_DUMP" "$D/mixed.pdf" 2>&1 >/dev/null)
[ "$err" = "pdf_dump: $D/mixed.pdf page 2: no text layer (scanned?)" ] ||
  { echo "FAIL: mixed.pdf: '$err'"; fail=1; }

if [ -n "${JFTS_PDF_EXTRA:-}" ] && [ -d "$JFTS_PDF_EXTRA" ]; then
  for f in "$JFTS_PDF_EXTRA"/*.pdf; do
    [ -e "$f" ] || continue
    python3 "$ORACLE" "$JFTS_PDF_DUMP" "$f" 400 2>/dev/null || fail=1
    rtmp=$(mktemp -d)
    python3 "$(dirname "$0")/pdf_recall.py" "$JFTS_INDEX" "$JFTS_QUERY" "$JFTS_PDF_DUMP" "$f" \
      "$rtmp" 100 || fail=1
    rm -rf "$rtmp"
  done
fi
exit $fail
