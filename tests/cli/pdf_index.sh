#!/usr/bin/env bash
# jfts-index on PDFs, rows of the README's bad-input table and the PDF citations: every hit
# cites FILE p.PAGE:LINE, and that line of that page (as the PDF reader numbers body lines,
# tests/pdf_dump.c) holds the match; --documents and JSON rows carry page; running headers
# and footers stay out of passages but are kept per page in the index; the title comes from
# the PDF's document information; a page without text is one warning and the rest is
# indexed; a scanned, encrypted or truncated PDF is one error line (skipped with
# --keep-going), and the index is unchanged. Also an index of the older schema: jfts-query
# refuses it with a clear message, jfts-index rebuilds it.
. "$JFTS_TESTDATA/bad/bad_lib.bash"
: "${JFTS_PDF_DUMP:?}"
D=$JFTS_TESTDATA/pdf

mkdir docs
cp "$D/columns.pdf" "$D/wrap.pdf" "$D/mixed.pdf" docs/
run "$JFTS_INDEX" --db t.db docs
expect_rc 0 "index a directory of PDFs"
expect_eq "$ERR" "jfts-index: warning: docs/mixed.pdf: no text layer (scanned?) on page 2" \
  "mixed.pdf: one warning naming the page"
expect_match "$OUT" "^indexed 3 files" "three PDFs indexed"

# Each text citation names a page and a line of it that holds the match's first character.
for q in 地域 連携 会議 支援; do
  run "$JFTS_QUERY" --db t.db --limit 0 "$q"
  expect_rc 0 "search $q"
  n=0
  while read -r file cite; do
    page=${cite%%:*} line=${cite#*:}
    text=$("$JFTS_PDF_DUMP" "$file" | awk -F'\t' -v k="$page:$line" '$1 == k { print $2 }')
    [[ $text == *"${q:0:1}"* ]] || fail "$q: $file p.$cite holds '$text', not ${q:0:1}"
    n=$((n + 1))
  done < <(sed -nE 's/^[0-9]+\..*  (docs\/[a-z]+\.pdf) p\.([0-9]+:[0-9]+)$/\1 \2/p' <<<"$OUT")
  [ "$n" -gt 0 ] || fail "$q: no PDF citation in:
$OUT"
  [ "$(grep -c '^[0-9]*\. ' <<<"$OUT")" = "$n" ] || fail "$q: a hit without a page citation"
done

# JSON: page, page_end and column at the end of a search row; line_start within the page.
run "$JFTS_QUERY" --db t.db --format json --limit 1 --sort doc 地域
expect_match "$OUT" '"file":"docs/columns.pdf","line_start":[0-9]+,"line_end":[0-9]+,"matched":\["地域"\],"missing":\[\],"searched_as":null,"via":\[\],"page":[0-9]+,"page_end":[0-9]+,"column":null,"org":' \
  "search row: page fields at the end"
run "$JFTS_QUERY" --db t.db --quotes --format json 地域
expect_match "$(head -1 <<<"$OUT")" '"file":"docs/columns.pdf","line":[0-9]+,"title":.*,"page":[0-9]+,"column":null,"org":' \
  "quote row: page at the end"

# --documents: the title of the document information for an untagged PDF, and the pages.
run "$JFTS_QUERY" --db t.db --documents --format json
title=$(pdfinfo "$D/wrap.pdf" | sed -n 's/^Title: *//p')
expect_match "$OUT" "\"file\":\"docs/wrap.pdf\",\"title\":\"$title\",.*\"page\":1,\"page_end\":1,.*\"title_from\":\"pdf\"" \
  "wrap.pdf: title from the document information, page"
run "$JFTS_QUERY" --db t.db --documents
expect_match "$OUT" "青葉区	令和3年度	.*	docs/columns.pdf p\.1:[0-9]+-p\.2:[0-9]+" \
  "--documents text: page range"

# Running headers and page numbers: out of the passages, kept per page in the index.
expect_eq "$(sqlite3 t.db "SELECT count(*) FROM passages WHERE text LIKE '%2 / 3%'
  OR text LIKE '%令和3年度報告%'")" 0 "running header and page number not in a passage"
expect_eq "$(sqlite3 t.db "SELECT furniture FROM pages p JOIN files f ON f.id = p.file_id
  WHERE f.path = 'docs/columns.pdf' AND p.page = 2")" \
  "$(printf '仙台市障害者自立支援協議会 令和3年度報告\t資料2\n2 / 3')" "furniture of page 2 kept"
expect_match "$(sqlite3 t.db "SELECT page || ':' || error FROM pages p JOIN files f
  ON f.id = p.file_id WHERE f.path = 'docs/mixed.pdf' AND error IS NOT NULL")" \
  '^2:no text layer' "mixed.pdf: the page's failure recorded"

# Nothing changed: a second run stores nothing (the title from the PDF compares equal).
run "$JFTS_INDEX" --db t.db docs
expect_rc 0 "second run"
expect_match "$OUT" "^indexed 0 files.*3 unchanged" "second run: unchanged"

# Bad PDFs: one line naming the file, exit 1 and the index unchanged; --keep-going skips.
head -c 3000 "$D/columns.pdf" >cut.pdf
before=$(answers t.db)
for f in "$D/scanned.pdf" "$D/encrypted.pdf" cut.pdf; do
  run "$JFTS_INDEX" --db t.db "$f"
  expect_rc 1 "index $f"
  one_line "$f"
  expect_match "$ERR" "^jfts-index: $f: " "$f: names the file"
  expect_eq "$(answers t.db)" "$before" "$f: index unchanged"
done
expect_eq "$(run "$JFTS_INDEX" --db t.db "$D/scanned.pdf"; echo "$ERR")" \
  "jfts-index: $D/scanned.pdf: no text layer (scanned?) on pages 1-3" "scanned: message"
expect_eq "$(run "$JFTS_INDEX" --db t.db "$D/encrypted.pdf"; echo "$ERR")" \
  "jfts-index: $D/encrypted.pdf: encrypted PDF (a password is needed)" "encrypted: message"
cp "$D/scanned.pdf" "$D/table.pdf" docs/
run "$JFTS_INDEX" --db t.db --keep-going docs
expect_rc 3 "--keep-going over a scanned PDF"
expect_eq "$ERR" "jfts-index: warning: docs/scanned.pdf: no text layer (scanned?) on pages 1-3; skipped" \
  "--keep-going: one warning"
expect_match "$OUT" "^indexed 1 file" "--keep-going: table.pdf indexed"
run "$JFTS_INDEX" --db t.db docs
expect_rc 1 "a scanned PDF in a walk is an error"

# An index of the older schema (1): refused by jfts-query, rebuilt by jfts-index.
cp t.db old.db
sqlite3 old.db 'PRAGMA user_version = 1'
run "$JFTS_QUERY" --db old.db 地域
expect_rc 1 "query an older schema"
expect_match "$ERR" "^jfts-query: cannot open 'old.db': index written by an older jfts \(schema 1, this jfts reads [0-9]+\); re-index with jfts-index$" \
  "older schema: query stderr"
rm docs/scanned.pdf
run "$JFTS_INDEX" --db old.db docs
expect_rc 0 "jfts-index rebuilds an older schema"
expect_match "$OUT" "^indexed 4 files" "rebuilt: every file indexed again"
run "$JFTS_QUERY" --db old.db --format json --limit 1 地域
expect_rc 0 "query the rebuilt index"
expect_match "$OUT" '"page":[0-9]+' "rebuilt: pages"
echo ok
