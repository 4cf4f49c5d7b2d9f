#!/usr/bin/env bash
# The Sendai report template in PDF-derived text: two wards' reports of the bundled corpus
# set as PDFs (tests/data/pdf/make-fixtures.py --report, at test time) give the same
# documents, passages (ward, section, heading, meeting, text) and meeting rows as the text
# they came from, and every PDF passage cites a page.
. "$JFTS_TESTDATA/bad/bad_lib.bash"
MAKE=$JFTS_TESTDATA/pdf/make-fixtures.py
/usr/bin/python3 -c 'import reportlab' 2>/dev/null || fail "python3-reportlab is needed"

for ward in 青葉区 泉区; do
  range=$("$JFTS_INDEX" --db c.db "$JFTS_CORPUS/$CORPUS_FILE.txt" >/dev/null &&
    "$JFTS_QUERY" --db c.db --documents --format tsv --ward "$ward" | tail -1 | cut -f7,8)
  first=${range%%$'\t'*} last=${range##*$'\t'}
  sed -n "${first},${last}p" "$JFTS_CORPUS/$CORPUS_FILE.txt" >"$ward.txt"
  /usr/bin/python3 "$MAKE" --report "$first" "$last" "$ward.pdf"
  run "$JFTS_INDEX" --db "$ward.db" "$ward.txt" "$ward.pdf"
  expect_rc 0 "index $ward as text and as PDF"
  rows() { # FILE: the file's passages and meetings without positions
    sqlite3 "$ward.db" "SELECT p.ward, p.year, p.section, p.section_title, p.heading,
      p.meeting, p.local_name, p.text FROM passages p JOIN files f ON f.id = p.file_id
      WHERE f.path = '$1' ORDER BY p.ordinal"
    "$JFTS_QUERY" --db "$ward.db" --meetings --format tsv | awk -F'\t' -v f="$1" \
      '$9 == f { print $1, $2, $4, $5, $6, $7, $8 }'
  }
  # The CID font draws ～ (U+FF5E) and 〜 (U+301C) with one glyph, which reads back as 〜;
  # spaces come from the layout (the tokenizer skips them): both are left out of the match.
  txt=$(rows "$ward.txt" | sed 's/～/〜/g' | tr -d ' ') pdf=$(rows "$ward.pdf" | sed 's/～/〜/g' | tr -d ' ')
  [ -n "$txt" ] || fail "$ward: no rows from the text"
  expect_eq "$pdf" "$txt" "$ward: the PDF's passages and meetings are the text's"
  docs=$("$JFTS_QUERY" --db "$ward.db" --documents --format tsv | cut -f2-6 | sort | uniq -c)
  grep -qE "^ +2 .*$ward	2021	令和3年度	[0-9]+$" <<<"$docs" ||
    fail "$ward: not one and the same document in each: $docs"
  run "$JFTS_QUERY" --db "$ward.db" --format json --limit 0 会議
  expect_eq "$(grep -c "\"file\":\"$ward.pdf\".*\"page\":null" <<<"$OUT" || true)" 0 \
    "$ward: every PDF row has a page"
done
echo ok
