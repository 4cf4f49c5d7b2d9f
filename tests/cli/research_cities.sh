#!/usr/bin/env bash
# Many cities and years in one index (issue 13): the bundled corpus (仙台市, R3), Sendai's
# 青葉区 again in R4, Yokohama's 青葉区 in the same template (publisher from its sidecar), a
# Yokohama plan known only by its sidecar (year 2024), and a 中央区 report without a sidecar.
# --documents, --by org/year/kind/document, --wards, the --ward/--org/--year/--kind filters
# with their shorthand and their errors, text counts against JSON counts, headings, labels
# and section titles found; then a schema-2 index upgraded in place.
. "$JFTS_TESTDATA/store/cli_lib.bash"
unset JFTS_THESAURUS
CITIES=$JFTS_TESTDATA/cities

copy_corpus c
mkdir cities
cp "$CITIES"/*.txt "$CITIES"/*.meta "$JFTS_TESTDATA/report/second-city.txt" cities/
run "$JFTS_INDEX" --db t.db c cities
expect_rc 0 "index"
summary_docs=$(grep -oE '\(([0-9]+) documents' <<<"$OUT" | tr -dc 0-9)

# --documents: every document once, with its organisation, kind and sources; the summary
# counts documents the same way.
run "$JFTS_QUERY" --db t.db --documents
expect_rc 0 "--documents"
expect_eq "$(wc -l <<<"$OUT" | tr -d ' ')" "$summary_docs" "summary documents = --documents rows"
expect_eq "$summary_docs" 9 "documents: 5 of the corpus, 2 R4 reports, the plan, 中央区"
expect_eq "$(grep -c $'\t仙台市\t取組状況\t-\torg=sidecar,ward=title,year=title,title=title,kind=title$' <<<"$OUT")" 6 \
  "Sendai's six reports: org from the sidecar, the rest from the title"
expect_match "$OUT" $'(^|\n)青葉区\t令和4年度\t[^\t]*\t8 passages\tcities/yokohama-aoba-r4.txt:1-25\t横浜市\t取組状況\t' \
  "Yokohama's 青葉区"
expect_match "$OUT" $'(^|\n)-\t令和6年度\t横浜市障害者プラン（第4期）\t3 passages\tcities/yokohama-plan.txt:1-5\t横浜市\t計画\t-\torg=sidecar,year=sidecar,title=sidecar,kind=sidecar(\n|$)' \
  "the plan: everything from its sidecar"
expect_match "$OUT" $'(^|\n)中央区\t令和4年度\t[^\t]*\t[0-9]+ passages\tcities/second-city.txt:[0-9-]+\t-\t取組状況\t' \
  "中央区: no organisation without a sidecar"
run "$JFTS_QUERY" --db t.db --documents --format json --org 横浜
expect_eq "$(python3 -c '
import json, sys
print(" ".join(sorted("%s/%s/%s/%s" % (r["org"], r["org_from"], r["kind"], r["year"]) for r in map(json.loads, sys.stdin))))' <.out)" \
  "横浜市/sidecar/取組状況/2022 横浜市/sidecar/計画/2024" "--documents --org 横浜 json"
run "$JFTS_QUERY" --db t.db --documents --year R4 --ward 青葉
expect_eq "$(cut -f5 <<<"$OUT" | cut -d: -f1 | paste -sd' ' -)" "cities/sendai-aoba-r4.txt cities/yokohama-aoba-r4.txt" \
  "--documents --year R4 --ward 青葉"

# Text and JSON agree on every count: per group, passages and occurrences.
agree() { # label args...
  run "$JFTS_QUERY" --db t.db "$@"
  expect_rc 0 "$1: text"
  local text json
  text=$(sed -E 's/^(.*[^ ]) +([0-9]+) passages? +([0-9]+) occurrences? .*/\1|\2|\3/' <<<"$OUT" |
    sed -E 's/ +/ /g' | sort)
  run "$JFTS_QUERY" --db t.db --format json "$@"
  expect_rc 0 "$1: json"
  json=$(python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    print("%s|%d|%d" % (r["group"], r["passages"], r["occurrences"]))' <.out | sort)
  expect_eq "$text" "$json" "$*: text counts = json counts"
}
agree --by org 地域移行
agree --by year 地域移行
agree --by kind 地域移行
agree --by document 地域移行
agree --by ward 連絡会
agree --by year --org 仙台 連絡会

run "$JFTS_QUERY" --db t.db --by org --format json 地域移行
expect_eq "$(python3 -c '
import json, sys
print(" ".join("%s:%d:%d" % (r["org"], r["passages"], r["occurrences"]) for r in map(json.loads, sys.stdin)))' <.out)" \
  "横浜市:3:5 仙台市:2:2 None:0:0" \
  "--by org: 横浜市 (report and plan, whose chapter title 第2章 地域移行の推進 counts), 仙台市 (R3 and R4), 中央区's none"
run "$JFTS_QUERY" --db t.db --by year --format json 地域移行
expect_eq "$(python3 -c '
import json, sys
print(" ".join("%s:%d" % (r["year"], r["passages"]) for r in map(json.loads, sys.stdin)))' <.out)" \
  "2022:3 2024:1 2021:1" "--by year: R4 of both cities, the plan's 2024 (2 occurrences: its chapter title too), the corpus's R3"

# --ward 青葉: the 青葉区 of each organisation is a row of its own, never merged.
run "$JFTS_QUERY" --db t.db --wards --ward 青葉 地域移行
expect_rc 0 "--wards --ward 青葉"
expect_eq "$(awk '{print $1 "/" $2 "/" $3 "/" $4}' <<<"$OUT" | sort | paste -sd' ' -)" \
  "仙台市/青葉区/令和3年度/1 仙台市/青葉区/令和4年度/1 横浜市/青葉区/令和4年度/2" \
  "two organisations' 青葉区, two years of Sendai's"

# Filters accept what the index holds, with shorthand.
count() { python3 -c 'import json, sys; print(sum(1 for _ in sys.stdin))' <.out; }
run "$JFTS_QUERY" --db t.db --format json --limit 0 --org 横浜 地域移行
expect_eq "$(python3 -c '
import json, sys
print(" ".join(sorted({r["org"] for r in map(json.loads, sys.stdin)})))' <.out)" "横浜市" "--org 横浜"
for y in R4 令和4年度 令和4 2022 r4; do
  run "$JFTS_QUERY" --db t.db --format json --limit 0 --year "$y" 地域移行
  expect_rc 0 "--year $y"
  expect_eq "$(python3 -c '
import json, sys
print(" ".join(sorted({str(r["year"]) for r in map(json.loads, sys.stdin)})), end=" ")' <.out)$(count)" \
    "2022 3" "--year $y"
done
run "$JFTS_QUERY" --db t.db --format json --year 2024 地域移行
expect_match "$OUT" '"doc_title":"横浜市障害者プラン（第4期）","kind":"計画"' "--year 2024: the sidecar's year"
run "$JFTS_QUERY" --db t.db --format json --limit 0 --kind 計画 地域移行
expect_eq "$(count)" 1 "--kind 計画: the plan only"
run "$JFTS_QUERY" --db t.db --wards --ward 中央 地域
expect_rc 0 "--ward 中央: the 中央区 the index holds"
expect_match "$OUT" "^中央区 +令和4年度 +2 passages " "中央区 row (one organisation: no column for it)"
run "$JFTS_QUERY" --db t.db --kind 議事録 地域
expect_rc 2 "unknown kind"
expect_eq "$ERR" "jfts-query: unknown kind '議事録' (valid: 取組状況, 計画)" "unknown kind message"
run "$JFTS_QUERY" --db t.db --org 名古屋 地域
expect_rc 2 "unknown organisation"
expect_eq "$ERR" "jfts-query: unknown organisation '名古屋' (valid: 仙台市, 横浜市)" "unknown org message"
run "$JFTS_QUERY" --db t.db --ward 北 地域
expect_eq "$ERR" "jfts-query: unknown ward '北' (valid: 青葉区, 宮城野区, 若林区, 太白区, 泉区, 中央区)" \
  "unknown ward: the index's wards"
run "$JFTS_QUERY" --db t.db --by town 地域
expect_rc 2 "--by town"
expect_eq "$ERR" "jfts-query: unknown grouping 'town' (valid: ward, org, year, kind, document)" "--by message"

# A match in a heading counts and is shown: 青葉区's 連絡会 is in its headings.
run "$JFTS_QUERY" --db t.db --wards --org 仙台 --year R3 --ward 青葉 連絡会
expect_match "$OUT" "^青葉区 +令和3年度 +3 passages +[1-9][0-9]* occurrences +c/$CORPUS_FILE.txt:[0-9]+ +\[heading\] .*«連絡会»" \
  "heading occurrences counted and shown"
# A section title and a table row without description are found, after body matches.
run "$JFTS_QUERY" --db t.db --format json --limit 0 --org 仙台 --year R3 現状における課題
expect_eq "$(python3 -c '
import json, sys
rows = list(map(json.loads, sys.stdin))
print(len(rows), all(r["heading_matches"] and r["section"] == "2" and "現状における課題" in r["matched"] for r in rows))' <.out)" \
  "5 True" "section title found once per ward"
run "$JFTS_QUERY" --db t.db --format json --limit 0 --ward 太白 プロジェクトチーム
expect_match "$(head -1 .out)" '"text":"",.*"label":"プロジェクトチーム","label_matches":\[\[0,9\]\]' \
  "（４）プロジェクトチーム 0回: its name as a label"
run "$JFTS_QUERY" --db t.db --format json --limit 0 連絡会
expect_eq "$(python3 -c '
import json, sys
rows = list(map(json.loads, sys.stdin))
body = [bool(r["matches"]) for r in rows]
print(body == sorted(body, reverse=True), any(not b for b in body))' <.out)" "True True" \
  "heading-only matches rank after body matches"

# An index of schema 2 (made by the jfts before the document model): jfts-query refuses it
# and says what to do; jfts-index upgrades it in place, keeping its files; then it is read
# with the sidecars' organisations and years.
cp "$CITIES/schema2.db" old.db
run "$JFTS_QUERY" --db old.db --documents
expect_rc 1 "schema 2: query"
expect_eq "$ERR" "jfts-query: cannot open 'old.db': index written by an older jfts (schema 2, this jfts reads 4); run jfts-index --db old.db on the indexed files to upgrade it" \
  "schema 2: the remedy"
mkdir none
run "$JFTS_INDEX" --db old.db none
expect_rc 0 "schema 2: upgraded"
run "$JFTS_QUERY" --db old.db --documents
expect_eq "$(cut -f1,2,6,7 <<<"$OUT" | cut -d: -f1 | tr '\t' '/' | paste -sd' ' -)" \
  "青葉区/令和4年度/仙台市/取組状況 青葉区/令和4年度/横浜市/取組状況 -/2024/横浜市/計画" "upgraded documents"
run "$JFTS_QUERY" --db old.db --wards --format json 地域移行
expect_eq "$(python3 -c '
import json, sys
print(" ".join("%s/%s:%d" % (r["org"], r["ward"], r["occurrences"]) for r in map(json.loads, sys.stdin)))' <.out)" \
  "横浜市/青葉区:3 横浜市/None:2 仙台市/青葉区:1" "upgraded: 青葉区 per organisation, headings counted"
run "$JFTS_INDEX" --db old.db --check
expect_eq "$OUT" "'old.db': ok (17 passages checked)" "upgraded index is consistent"

# An index of schema 3 (segment maps packed as 20-byte entries; tests/data/cities/README.md):
# refused with the remedy; jfts-index repacks its segment maps in place; then every quote
# (file, line, column: what the segment maps give) is the same as a fresh index's of the same
# files, and the upgraded file's pages stay 4 KiB (a new index gets 8 KiB).
mkdir s3 s3/cities s3/none
cp "$CITIES"/*.txt "$CITIES"/*.meta s3/cities/
cp "$CITIES/schema3.db" s3/old.db
cd s3
run "$JFTS_QUERY" --db old.db 地域
expect_rc 1 "schema 3: query"
expect_eq "$ERR" "jfts-query: cannot open 'old.db': index written by an older jfts (schema 3, this jfts reads 4); run jfts-index --db old.db on the indexed files to upgrade it" \
  "schema 3: the remedy"
run "$JFTS_INDEX" --db old.db none
expect_rc 0 "schema 3: upgraded"
expect_eq "$(sqlite3 old.db 'PRAGMA user_version; PRAGMA page_size' | paste -sd' ' -)" "4 4096" \
  "schema 3: upgraded to 4 in place"
run "$JFTS_INDEX" --db old.db --check
expect_eq "$OUT" "'old.db': ok (21 passages checked)" "schema 3: upgraded index is consistent"
run "$JFTS_INDEX" --db new.db cities
expect_rc 0 "schema 4: a fresh index"
expect_eq "$(sqlite3 new.db 'PRAGMA user_version; PRAGMA page_size' | paste -sd' ' -)" "4 8192" \
  "schema 4: a fresh index's pages"
# A schema-3 index that also predates tokenizer 3 (made so here: its meta says 2, its token
# counts are off): the upgrade redoes the tokens and the counts ranking reads, as a fresh
# index has them.
cp "$CITIES/schema3.db" tok2.db
sqlite3 tok2.db "UPDATE meta SET value = '2' WHERE key = 'tokenizer_version';
                 UPDATE passages SET n_tokens = n_tokens + 1000"
run "$JFTS_INDEX" --db tok2.db none
expect_rc 0 "schema 3, tokenizer 2: upgraded"
expect_eq "$(sqlite3 tok2.db "SELECT value FROM meta WHERE key = 'tokenizer_version';
                              SELECT sum(n_tokens) FROM passages" | paste -sd' ' -)" \
  "3 $(sqlite3 new.db 'SELECT sum(n_tokens) FROM passages')" "schema 3, tokenizer 2: tokens redone"
run "$JFTS_INDEX" --db tok2.db --check
expect_rc 0 "schema 3, tokenizer 2: consistent"
# A schema-3 index with a segment map that cannot be read: the upgrade stops, says what to do
# (not "re-index with jfts-index", which would try the same upgrade) and leaves the file as it
# was.
cp "$CITIES/schema3.db" bad3.db
sqlite3 bad3.db "UPDATE passages SET segs = x'0102' WHERE id = 5"
run "$JFTS_INDEX" --db bad3.db none
expect_rc 1 "schema 3, corrupt segment map: upgrade"
expect_eq "$ERR" "jfts-index: 'bad3.db': cannot upgrade: the index is corrupt (passage 5: a segment map of 2 bytes); remove it and index the files again" \
  "schema 3, corrupt segment map: the remedy"
expect_eq "$(sqlite3 bad3.db 'PRAGMA user_version')" 3 "schema 3, corrupt segment map: unchanged"
for q in 地域 の 障害 会議 開催; do
  run "$JFTS_QUERY" --db new.db --quotes --format json "$q"
  want=$OUT
  [ "$(wc -l <<<"$want")" -gt 2 ] || fail "schema 3: too few quotes of $q"
  run "$JFTS_QUERY" --db old.db --quotes --format json "$q"
  expect_eq "$OUT" "$want" "schema 3: quotes of $q after the upgrade"
done
cd ..
echo ok
