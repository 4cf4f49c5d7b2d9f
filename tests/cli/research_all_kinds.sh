#!/usr/bin/env bash
# Issue 13's done-when test: ONE index of one folder holding the bundled corpus (仙台市, R3),
# Sendai's 青葉区 again in R4, Yokohama's 青葉区 in R4 and R5 (two years of one city), a
# Yokohama plan known by its sidecar, two cities' 中央区 (千葉市's R5 with a sidecar,
# second-city.txt without one), and a plan (text and Markdown), council minutes and a
# newsletter of 東山市. The expected answers were worked out by reading the fixtures
# (tests/data/cities/README.md lists what each holds); then every count of the text output
# is checked against the JSON output.
. "$JFTS_TESTDATA/store/cli_lib.bash"
unset JFTS_THESAURUS JFTS_RELATED
C=$JFTS_TESTDATA/cities
S=$JFTS_TESTDATA/structure

copy_corpus d/corpus
mkdir -p d/cities d/structure
cp "$C"/*.txt "$C"/*.meta "$C"/more/*.txt "$C"/more/*.meta "$JFTS_TESTDATA/report/second-city.txt" d/cities/
cp "$S/plan.txt" "$S/plan.md" "$S/minutes.txt" "$S/newsletter.txt" d/structure/
run "$JFTS_INDEX" --db t.db d
expect_rc 0 "index the folder"
expect_match "$OUT" '^indexed 11 files \(15 documents, ' "11 files, 15 documents"

# ---- --documents: every document with its organisation, ward, kind, year, date, sources.
run "$JFTS_QUERY" --db t.db --documents
expect_rc 0 "--documents"
expect_eq "$(wc -l <<<"$OUT" | tr -d ' ')" 15 "--documents: the summary's 15 documents"
T=$'\t'
expect_eq "$(awk -F'\t' '{split($5, f, ":"); print f[1] "|" $1 "|" $2 "|" $6 "|" $7 "|" $8 "|" $9}' <<<"$OUT")" \
"d/cities/chiba-chuo-r5.txt|中央区|令和5年度|千葉市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/cities/second-city.txt|中央区|令和4年度|-|取組状況|-|ward=title,year=title,title=title,kind=title
d/cities/sendai-aoba-r4.txt|青葉区|令和4年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/cities/yokohama-aoba-r4.txt|青葉区|令和4年度|横浜市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/cities/yokohama-aoba-r5.txt|青葉区|令和5年度|横浜市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/cities/yokohama-plan.txt|-|令和6年度|横浜市|計画|-|org=sidecar,year=sidecar,title=sidecar,kind=sidecar
d/corpus/$CORPUS_FILE.txt|青葉区|令和3年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/corpus/$CORPUS_FILE.txt|宮城野区|令和3年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/corpus/$CORPUS_FILE.txt|若林区|令和3年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/corpus/$CORPUS_FILE.txt|太白区|令和3年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/corpus/$CORPUS_FILE.txt|泉区|令和3年度|仙台市|取組状況|-|org=sidecar,ward=title,year=title,title=title,kind=title
d/structure/minutes.txt|-|令和5年度|東山市|会議録|2023-06-20|org=title,year=text,title=title,kind=title,date=text
d/structure/newsletter.txt|-|令和5年度|東山市|広報|2023-10-01|org=text,year=text,title=title,kind=title,date=text
d/structure/plan.md|-|-|東山市|計画|-|org=title,title=title,kind=title
d/structure/plan.txt|-|令和6年度|東山市|計画|2024-03|org=title,year=text,title=title,kind=title,date=text" \
  "--documents: org, ward, year, kind, date and sources of every document"
# The same documents and passages in JSON.
text_docs=$(awk -F'\t' '{split($5, f, ":"); n = $4; sub(/ passages?$/, "", n); print f[1] "|" $1 "|" n}' <<<"$OUT")
run "$JFTS_QUERY" --db t.db --documents --format json
expect_eq "$(python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    print("%s|%s|%d" % (r["file"], r["ward"] or "-", r["passages"]))' <.out)" "$text_docs" \
  "--documents: text and JSON list the same documents and passage counts"
expect_eq "$(python3 -c '
import json, sys
print(" ".join("%s:%s" % (r["year"], r["year_from"]) for r in map(json.loads, sys.stdin)
               if r["file"].endswith(("plan.txt", "plan.md"))))' <.out)" \
  "2024:sidecar None:None 2024:text" "--documents json: the plans' years and where they came from"

# ---- --by org, --by year, --by kind for 地域移行. Read off the fixtures (text + heading +
# label occurrences, one count per passage whose heading path holds it):
#   横浜市  R4 report: 2 passages (its line 21 under (1)地域移行の推進: 1 + 1 in the heading;
#           line 25: 1); R5 report: 2 (the 全体協議会 row, wrapped 地域移 / 行: 1; line 23 under
#           (1)地域移行の推進: 1 + 1); the plan: 1 (第2章 地域移行の推進 and its line: 2) = 5 / 8
#   千葉市  its table row (連絡会議) and its 3rd section: 2 / 2
#   仙台市  R4 line 21 and the corpus's 青葉区 (R3): 2 / 2
#   東山市  plan.txt line 54 and a turn of the minutes: 2 / 2
#   none    second-city.txt (中央区 without a sidecar): 0 / 0
run "$JFTS_QUERY" --db t.db --by org --format json 地域移行
expect_rc 0 "--by org"
by_json() { python3 -c '
import json, sys
print(" ".join("%s:%d:%d" % (r[sys.argv[1]], r["passages"], r["occurrences"]) for r in map(json.loads, sys.stdin)))' "$1" <.out; }
expect_eq "$(by_json org)" "横浜市:5:8 千葉市:2:2 仙台市:2:2 東山市:2:2 None:0:0" "--by org 地域移行"
#   令和5年度: Yokohama R5 2/3, 千葉市 2/2, the minutes 1/1, the newsletter 0 = 5 / 6
#   令和4年度: Sendai R4 1/1, Yokohama R4 2/3, second-city 0 = 3 / 4
#   2024: the Yokohama plan 1/2 (its sidecar's year), plan.txt 1/1 (its cover) = 2 / 3
#   令和3年度: the corpus 1/1; no year: plan.md 0
run "$JFTS_QUERY" --db t.db --by year --format json 地域移行
expect_eq "$(by_json year)" "2023:5:6 2022:3:4 2024:2:3 2021:1:1 None:0:0" "--by year 地域移行"
run "$JFTS_QUERY" --db t.db --by kind --format json 地域移行
expect_eq "$(by_json kind)" "取組状況:8:10 計画:2:3 会議録:1:1 広報:0:0" "--by kind 地域移行"

# ---- --ward: shorthand across two cities, one row per organisation + ward (+ year).
run "$JFTS_QUERY" --db t.db --wards --ward 中央 地域移行
expect_rc 0 "--ward 中央"
expect_eq "$(awk '{print $1 "/" $2 "/" $3 "/" $4 "/" $6}' <<<"$OUT")" \
  "千葉市/中央区/令和5年度/2/2
-/中央区/令和4年度/0/0" "--ward 中央: 千葉市's and the one without an organisation"
run "$JFTS_QUERY" --db t.db --wards --ward 青葉 地域移行
expect_eq "$(awk '{print $1 "/" $2 "/" $3 "/" $4 "/" $6}' <<<"$OUT")" \
  "横浜市/青葉区/令和4年度/2/3
横浜市/青葉区/令和5年度/2/3
仙台市/青葉区/令和4年度/1/1
仙台市/青葉区/令和3年度/1/1" "--ward 青葉: two cities, two years each"

# ---- --year as R4, 令和5年度 and 2023; a parseable year the index lacks is refused.
docs_of() { cut -f5 <<<"$OUT" | cut -d: -f1 | sed 's|.*/||' | paste -sd' ' -; }
run "$JFTS_QUERY" --db t.db --documents --year R4
expect_eq "$(docs_of)" "second-city.txt sendai-aoba-r4.txt yokohama-aoba-r4.txt" "--documents --year R4"
run "$JFTS_QUERY" --db t.db --documents --year 令和5年度
expect_eq "$(docs_of)" "chiba-chuo-r5.txt yokohama-aoba-r5.txt minutes.txt newsletter.txt" \
  "--documents --year 令和5年度"
r5=$OUT
run "$JFTS_QUERY" --db t.db --documents --year 2023
expect_eq "$OUT" "$r5" "--year 2023 is 令和5年度"
run "$JFTS_QUERY" --db t.db --format json --limit 0 --exact --year 2023 地域移行
expect_eq "$(python3 -c '
import json, sys
print(" ".join(sorted("%s:%s" % (r["org"], r["file"].split("/")[-1]) for r in map(json.loads, sys.stdin))))' <.out)" \
  "千葉市:chiba-chuo-r5.txt 千葉市:chiba-chuo-r5.txt 東山市:minutes.txt 横浜市:yokohama-aoba-r5.txt 横浜市:yokohama-aoba-r5.txt" \
  "--year 2023 地域移行: the R5 reports and the minutes"
for y in 2030 R12 令和12年度; do
  run "$JFTS_QUERY" --db t.db --year "$y" 地域移行
  expect_rc 2 "--year $y: not in the index"
  expect_eq "$ERR" "jfts-query: no document of year $y in the index (years: 2021, 2022, 2023, 2024)" \
    "--year $y message"
  expect_eq "$OUT" "" "--year $y: nothing on stdout"
done
run "$JFTS_QUERY" --db t.db --wards --year 2030 地域移行
expect_rc 2 "--wards --year 2030"
run "$JFTS_QUERY" --db t.db --documents --year 2030
expect_rc 2 "--documents --year 2030"

# ---- --org: shorthand, and with --year.
run "$JFTS_QUERY" --db t.db --documents --org 横浜
expect_eq "$(docs_of)" "yokohama-aoba-r4.txt yokohama-aoba-r5.txt yokohama-plan.txt" "--documents --org 横浜"
run "$JFTS_QUERY" --db t.db --documents --org 東山 --kind 計画
expect_eq "$(docs_of)" "plan.md plan.txt" "--documents --org 東山 --kind 計画"
run "$JFTS_QUERY" --db t.db --format json --limit 0 --exact --org 横浜 --year R5 地域移行
expect_eq "$(python3 -c '
import json, sys
rows = list(map(json.loads, sys.stdin))
print(len(rows), sum(len(r["matches"]) + len(r["heading_matches"]) for r in rows))' <.out)" "2 3" \
  "--org 横浜 --year R5: its two passages, 3 occurrences"

# ---- Every count of the text output agrees with the JSON output.
agree_by() { # args...: a --by/--wards run
  run "$JFTS_QUERY" --db t.db "$@"
  expect_rc 0 "$*: text"
  local text json
  text=$(sed -E 's/^(.*[^ ]) +([0-9]+) passages? +([0-9]+) occurrences? .*/\1|\2|\3/' <<<"$OUT" |
    sed -E 's/ +/ /g')
  run "$JFTS_QUERY" --db t.db --format json "$@"
  json=$(python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    print("%s|%d|%d" % (r["group"], r["passages"], r["occurrences"]))' <.out)
  expect_eq "$text" "$json" "$*: text rows and counts = JSON rows and counts"
  BY_TOTAL=$(python3 -c 'import json, sys; print(sum(json.loads(l)["occurrences"] for l in sys.stdin))' <.out)
}
agree_quotes() { # args...: a --quotes run; its lines = --by's occurrences
  run "$JFTS_QUERY" --db t.db --quotes "$@"
  expect_rc 0 "--quotes $*"
  local n_text=$(grep -c . <<<"$OUT" || true)
  run "$JFTS_QUERY" --db t.db --quotes --format json "$@"
  expect_eq "$(wc -l <.out | tr -d ' ')" "$n_text" "--quotes $*: text lines = JSON rows"
  expect_eq "$n_text" "$BY_TOTAL" "--quotes $*: one line per occurrence --by counts"
}
for q in 地域移行 連絡会 8050問題; do
  for by in org year kind document; do agree_by --by "$by" "$q"; done
  agree_quotes "$q"
  agree_by --wards --ward 青葉 "$q"
  agree_quotes --ward 青葉 "$q"
  # The search's count line against its JSON rows (every passage): passages, and the
  # occurrences in the passage text (the count line's; JSON "matches").
  run "$JFTS_QUERY" --db t.db --exact --all-words --limit 0 "$q"
  head=$(head -1 <<<"$OUT")
  run "$JFTS_QUERY" --db t.db --exact --all-words --limit 0 --format json "$q"
  expect_eq "$head" "$(python3 -c '
import json, sys
rows = list(map(json.loads, sys.stdin))
n, m = len(rows), sum(len(r["matches"]) for r in rows)
print("%d passage%s, %d occurrence%s" % (n, "" if n == 1 else "s", m, "" if m == 1 else "s"))' <.out)" \
    "$q: the search's count line = its JSON rows"
done

# ---- --quotes quotes a match that is only in a heading or a label, naming the field.
run "$JFTS_QUERY" --db t.db --quotes --org 横浜 --year R5 地域移行
expect_eq "$OUT" "年2回開催し、精神科病院からの«地域移行»と8050問題について意見交換を行った。  青葉区 d/cities/yokohama-aoba-r5.txt:8
     今年度の主な取組み › (1)«地域移行»の推進                                青葉区 d/cities/yokohama-aoba-r5.txt:23  [heading]
     ピアサポーターと協働し、«地域移行»の体験発表会を開催した。              青葉区 d/cities/yokohama-aoba-r5.txt:23" \
  "--quotes: the heading's occurrence, marked"
run "$JFTS_QUERY" --db t.db --quotes --format json --org 横浜 --kind 計画 地域移行
expect_eq "$(python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    print(r["field"], r["left"] + "[" + r["match"] + "]" + r["right"], r["line"])' <.out)" \
  "heading 第2章 [地域移行]の推進 5
text 精神科病院からの[地域移行]を進め、グループホームを整備します。 5" \
  "--quotes json: a chapter title's occurrence, field heading"
run "$JFTS_QUERY" --db t.db --quotes --format json --org 東山 --kind 会議録 佐藤一郎
expect_eq "$(python3 -c '
import json, sys
rows = list(map(json.loads, sys.stdin))
print(len(rows), "|".join(sorted({r["field"] for r in rows})), "|".join(sorted({r["match"] for r in rows})))' <.out)" \
  "5 label|text 佐藤　一郎|佐藤一郎" \
  "--quotes: 佐藤一郎 as the label of his four turns and in the list of those present"
agree_by --by document --org 東山 佐藤一郎
expect_eq "$BY_TOTAL" 5 "--by document: 佐藤一郎's four turns and the list of those present"
echo ok
