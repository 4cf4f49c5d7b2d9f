#!/usr/bin/env bash
# jfts-query --quotes on the bundled corpus: every occurrence once, cited by ward and raw line,
# each quote an exact slice of its passage, the thesaurus variant named, CSV with BOM and TSV
# without, context width, sorts, filters and usage errors.
. "$JFTS_TESTDATA/store/cli_lib.bash"
unset JFTS_THESAURUS
export LC_ALL=C

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"
F=c/$CORPUS_FILE.txt

# 8050問題 as typed: five quotes, in document order, at the line where each match starts.
run "$JFTS_QUERY" --db t.db --quotes --exact 8050問題
expect_rc 0 "--quotes --exact"
expect_eq "$ERR" "" "--quotes stderr"
expect_eq "$(grep -oE '(宮城野区|若林区) [^ ]+:[0-9]+$' <<<"$OUT" | sed "s|$F:||" | paste -sd' ' -)" \
  "宮城野区 317 若林区 368 若林区 467 若林区 473 若林区 509" "quotes cited"
expect_eq "$(grep -cE '«8050 ?問題»' <<<"$OUT")" 5 "one highlighted match per quote"
# The match column is aligned: every « at the same display column (all left contexts are
# 30 wide or padded to the widest).
expect_eq "$(python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
print(len({w(l.split("«")[0]) for l in sys.stdin.read().splitlines()}))' <.out)" 1 "aligned matches"

# With the thesaurus (default), the same five: 8050世帯 (line 418) is a related topic, not a
# spelling of 8050問題.
run "$JFTS_QUERY" --db t.db --quotes 8050問題
expect_eq "$(wc -l <.out)" 5 "quotes with thesaurus"
[[ $OUT != *'[via '* ]] || fail "8050問題 quoted through a variant"

# CSV: BOM, header + 5 records; TSV: no BOM.
run "$JFTS_QUERY" --db t.db --quotes --exact --format csv 8050問題
expect_eq "$(head -c 3 .out | od -An -tx1 | tr -d ' ')" "efbbbf" "CSV BOM"
# Records end in CRLF; the 368 quote holds the passage's own line break (a bare LF, quoted).
expect_eq "$(grep -c $'\r$' .out)" 6 "CSV records"
expect_eq "$(head -1 .out | tr -d '\357\273\277')" $'ward,year,year_label,section,section_title,heading,meeting,left,match,right,matched,file,line,title,source,page,column,org,local_name,doc_title,kind,heading_path,field\r' "CSV header"
run "$JFTS_QUERY" --db t.db --quotes --exact --format tsv 8050問題
expect_eq "$(head -c 4 .out)" "ward" "TSV without BOM"
expect_eq "$(wc -l <.out)" 6 "TSV lines"

# JSON: left + match + right is a slice of the passage; matched is the query's form; title
# and source come from the sidecar.
run "$JFTS_QUERY" --db t.db --quotes --format json 8050問題
cp .out quotes.json
run "$JFTS_QUERY" --db t.db --thesaurus "$JFTS_SRC/query/thesaurus.txt" --sort doc --limit 0 --format json 8050問題
cp .out passages.json
got=$(python3 -c '
import json
texts = [json.loads(l)["text"] for l in open("passages.json")]
for l in open("quotes.json"):
    q = json.loads(l)
    quote = q["left"] + q["match"] + q["right"]
    print(q["line"], q["matched"], any(quote in t for t in texts), q["title"][:5], bool(q["source"]))' | paste -sd'|' -)
expect_eq "$got" "317 8050問題 True 令和3年度 True|368 8050問題 True 令和3年度 True|467 8050問題 True 令和3年度 True|473 8050問題 True 令和3年度 True|509 8050問題 True 令和3年度 True" \
  "quotes are slices of their passages"
# The file's title and source are the index's, wherever the query runs from (they were once
# looked up by the file's path from the current directory, and were null elsewhere); streamed
# (--sort doc, the default) and held (--sort left) alike.
db=$PWD/t.db
for sort in doc left; do
  got=$(cd / && "$JFTS_QUERY" --db "$db" --quotes --exact --sort $sort --format json 8050問題 |
    python3 -c '
import json, sys
print(" ".join("%s/%s" % (q["title"][:5], q["source"] is not None) for q in map(json.loads, sys.stdin)))')
  expect_eq "$got" "令和3年度/True 令和3年度/True 令和3年度/True 令和3年度/True 令和3年度/True" \
    "title and source from another directory (--sort $sort)"
done

# --exact and the default differ where the wards spell differently (ウイルス / ウィルス).
run "$JFTS_QUERY" --db t.db --quotes --exact ウイルス
n_exact=$(wc -l <.out)
expect_eq "$(grep -c 'ウィルス' .out)" 0 "--exact finds no ウィルス"
run "$JFTS_QUERY" --db t.db --quotes ウイルス
n_all=$(wc -l <.out)
[ "$n_all" -gt "$n_exact" ] || fail "thesaurus adds quotes: $n_all vs $n_exact"
expect_match "$OUT" "«ウィルス».*\[via ウィルス\]" "variant named"

# Context width, sorts.
run "$JFTS_QUERY" --db t.db --quotes --exact --context 5 --format tsv 8050問題
expect_eq "$(cut -f8 .out | tail -n +2 | python3 -c '
import sys; print(max(len(l.rstrip("\n").replace("\\n", "\n")) for l in sys.stdin))')" 5 "--context 5"
run "$JFTS_QUERY" --db t.db --quotes --exact --sort right --format tsv 8050問題
expect_rc 0 "--sort right"
expect_eq "$(tail -n +2 .out | wc -l)" 5 "--sort right keeps all"
run "$JFTS_QUERY" --db t.db --quotes --sort rank 8050問題
expect_rc 2 "--quotes --sort rank"
expect_eq "$ERR" "jfts-query: unknown sort 'rank': expected doc, left or right" "sort message"

# Filters narrow: one ward and one section, by part of its title.
run "$JFTS_QUERY" --db t.db --quotes --format tsv 課題
n_all=$(tail -n +2 .out | wc -l)
run "$JFTS_QUERY" --db t.db --quotes --ward 若林 --section 課題（ --format tsv 課題
n_some=$(tail -n +2 .out | wc -l)
[ "$n_some" -gt 0 ] && [ "$n_some" -lt "$n_all" ] || fail "filter narrows: $n_some of $n_all"
expect_eq "$(tail -n +2 .out | cut -f1,4 | sort -u)" $'若林区\t2' "--ward --section rows"
run "$JFTS_QUERY" --db t.db --quotes --meeting igasu --exact --format tsv 8050問題
expect_eq "$(tail -n +2 .out | cut -f1,7,13)" $'若林区\t全体協議会\t368' "--meeting by local name"
# Substrings naming several: --meeting 会議 (types and local names), --section 取組 (1 and 3).
run "$JFTS_QUERY" --db t.db --quotes --meeting 会議 --format tsv 開催
expect_eq "$(tail -n +2 .out | cut -f4 | sort -u)" "table" "--meeting 会議 sections"
expect_eq "$(tail -n +2 .out | cut -f7 | sort -u | paste -sd' ' -)" \
  "全体協議会 実務者ネットワーク会議 運営会議 障害者相談支援事業所等連絡会議" "--meeting 会議 meetings"
run "$JFTS_QUERY" --db t.db --quotes --section 取組 --format tsv 開催
expect_eq "$(tail -n +2 .out | cut -f4 | sort -u | paste -sd' ' -)" "1 3" "--section 取組"
run "$JFTS_QUERY" --db t.db --quotes --meeting 総会 開催
expect_rc 2 "unknown meeting"
expect_match "$ERR" "^jfts-query: unknown meeting '総会' \(valid: " "meeting message"
run "$JFTS_QUERY" --db t.db --quotes --section 予算 課題
expect_rc 2 "unknown section"
expect_match "$ERR" "^jfts-query: unknown section '予算' \(valid: table 実施状況, 1 今年度の主な取組み, 2 " "section message"
run "$JFTS_QUERY" --db t.db --quotes --thesaurus "$JFTS_TESTDATA/research/bad-thesaurus.txt" 課題
expect_rc 2 "bad thesaurus"
expect_eq "$ERR" "jfts-query: $JFTS_TESTDATA/research/bad-thesaurus.txt:5: expected 'a, b' or 'a => b'" "thesaurus message"
echo "ok"
