#!/usr/bin/env bash
# jfts-query --meetings and --documents on the bundled corpus, in every format.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"

# JSON Lines: one object per meetings-table row, fields in this order.
run "$JFTS_QUERY" --db t.db --meetings --format json
expect_rc 0 "--meetings json"
expect_eq "$ERR" "" "--meetings json stderr"
keys='{"ward","year","year_label","slot","meeting","local_name","count","text","file","line_start","line_end","page","page_end"}'
n=0
while IFS= read -r line; do
  n=$((n + 1))
  got=$(grep -oE '(^\{|,)"[a-z_]+":' <<<"$line" | sed -E 's/^[{,]//; s/:$//' | paste -sd, -)
  expect_eq "{$got}" "$keys" "keys of row $n"
  [[ $line == *'}' ]] || fail "row $n does not end the object: $line"
done <<<"$OUT"
if ! report_is_placeholder; then
  expect_eq "$n" 30 "meeting rows"
  expect_eq "$(grep -cE '"slot":[1-5],' <<<"$OUT")" 25 "slot rows"
  expect_eq "$(grep -c '"ward":"太白区",.*"slot":null' <<<"$OUT")" 3 "太白区 その他 rows"
  expect_eq "$(grep '"count":null' <<<"$OUT" | grep -oE '"ward":"[^"]+"' | paste -sd' ' -)" \
    '"ward":"宮城野区" "ward":"泉区"' "rows with count null"
  expect_eq "$(grep -c '"local_name":null' <<<"$OUT")" 27 "rows without local name"
  first=$(head -1 <<<"$OUT")
  expect_match "$first" '^\{"ward":"青葉区","year":2021,"year_label":"令和3年度","slot":1,"meeting":"全体協議会","local_name":"青葉区高齢者障害者地域会議","count":1,"text":"「人のつながり' "first row"
  expect_match "$first" '"file":"c/sendai-r3-jiritsushien.txt","line_start":[0-9]+,"line_end":[0-9]+,"page":null,"page_end":null\}$' "first row file"
fi

# --ward takes the name with or without 区.
run "$JFTS_QUERY" --db t.db --meetings --ward 青葉 --format json
expect_eq "$(wc -l <<<"$OUT")" 5 "青葉 rows"
run "$JFTS_QUERY" --db t.db --meetings --ward 太白区 --format json
expect_eq "$(wc -l <<<"$OUT")" 8 "太白区 rows"
[ "$(grep -vc '"ward":"太白区"' <<<"$OUT")" = 0 ] || fail "--ward let other wards through"

# CSV: BOM, header, CRLF; TSV: header, no BOM, one line per row.
run "$JFTS_QUERY" --db t.db --meetings --ward 泉区 --format csv
expect_eq "$(head -c 3 .out | od -An -tx1 | tr -d ' ')" "efbbbf" "CSV BOM"
expect_eq "$(head -1 .out | tr -d '\357\273\277')" $'ward,year,year_label,slot,meeting,local_name,count,text,file,line_start,line_end,page,page_end\r' "CSV header"
[ "$(grep -c $'\r$' .out)" -ge 7 ] || fail "CSV lines do not end in CRLF"
run "$JFTS_QUERY" --db t.db --meetings --ward 泉区 --format tsv
expect_eq "$(head -1 <<<"$OUT")" $'ward\tyear\tyear_label\tslot\tmeeting\tlocal_name\tcount\ttext\tfile\tline_start\tline_end\tpage\tpage_end' "TSV header"
expect_eq "$(wc -l <<<"$OUT")" 7 "TSV lines (header + 6 rows)"
expect_match "$(tail -1 <<<"$OUT")" $'^泉区\t2021\t令和3年度\t\tその他の活動\t\t\t特になし\tc/sendai-r3-jiritsushien.txt\t[0-9]+\t[0-9]+\t\t$' "TSV その他 row"

# Text: one heading line per row, then its description.
run "$JFTS_QUERY" --db t.db --meetings --ward 若林
expect_match "$(head -1 <<<"$OUT")" '^若林区 \(1\) 全体協議会「IGASU会議」 1回  c/sendai-r3-jiritsushien.txt:[0-9]+-[0-9]+$' "text meeting line"

# --documents lists the five ward reports.
run "$JFTS_QUERY" --db t.db --documents
expect_rc 0 "--documents"
expect_eq "$(cut -f1 <<<"$OUT" | paste -sd' ' -)" "青葉区 宮城野区 若林区 太白区 泉区" "document wards"
run "$JFTS_QUERY" --db t.db --documents --format json --ward 泉
expect_match "$OUT" '^\{"file":"c/sendai-r3-jiritsushien.txt","title":"令和 3年度 泉区障害者自立支援協議会 取組状況","ward":"泉区","year":2021,"year_label":"令和3年度","passages":[0-9]+,"line_start":[0-9]+,"line_end":[0-9]+,"page":null,"page_end":null,"org":"仙台市","kind":"取組状況","date":null,"org_from":"sidecar","ward_from":"title","year_from":"title","title_from":"title","kind_from":"title","date_from":null\}$' "--documents json"

# The substring search: a count line, then each passage with its place and text.
run "$JFTS_QUERY" --db t.db IGASU
expect_rc 0 "search"
expect_match "$(head -1 <<<"$OUT")" '^[0-9]+ passages' "search count line"
expect_match "$OUT" '若林区 / [^
]*  c/sendai-r3-jiritsushien.txt:[0-9]+
[^
]*«IGASU»' "search passage with marker"
run "$JFTS_QUERY" --db t.db --ward 青葉区 IGASU
expect_eq "$OUT" "" "search with --ward and no hit"
expect_rc 0 "no hit"
