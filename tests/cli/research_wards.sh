#!/usr/bin/env bash
# jfts-query --wards on the bundled corpus: one row per ward and year, wards without a hit
# kept, 泉区 found only through the thesaurus (and not with --exact), the json shape, and the
# filters and their usage errors.
. "$JFTS_TESTDATA/store/cli_lib.bash"
unset JFTS_THESAURUS
export LC_ALL=C # sort by bytes

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"
F=c/$CORPUS_FILE.txt

run "$JFTS_QUERY" --db t.db --wards オンライン
expect_rc 0 "--wards オンライン"
expect_eq "$ERR" "" "--wards stderr"
expect_eq "$(awk '{print $1}' <<<"$OUT" | sort | paste -sd' ' -)" "太白区 宮城野区 泉区 若林区 青葉区" \
  "every ward listed"
izumi=$(grep '^泉区' <<<"$OUT")
expect_match "$izumi" "^泉区 +令和3年度 +[1-9][0-9]* passages? +[1-9][0-9]* occurrences? +$F:[0-9]+  .*«(リモート|Web 開催|ハイブリット)».*\[via " \
  "泉区 through its own wording"
# Rows go by occurrences, most first.
expect_eq "$(awk '{print $5}' <<<"$OUT" | paste -sd' ' -)" "$(awk '{print $5}' <<<"$OUT" | sort -rn | paste -sd' ' -)" \
  "rows by occurrences"

run "$JFTS_QUERY" --db t.db --wards --exact オンライン
expect_rc 0 "--wards --exact"
expect_eq "$(tail -1 <<<"$OUT")" "泉区     令和3年度  0 passages  0 occurrences  -" "泉区 without thesaurus"

# A rare term: the wards that do not write it are there, with nothing to show.
run "$JFTS_QUERY" --db t.db --wards --exact 8050問題
expect_eq "$(awk '{print $1 ":" $3 ":" $5}' <<<"$OUT" | paste -sd' ' -)" \
  "若林区:4:4 宮城野区:1:1 青葉区:0:0 太白区:0:0 泉区:0:0" "8050問題 rows"
expect_match "$(head -1 <<<"$OUT")" "^若林区   令和3年度  4 passages  4 occurrences  $F:473  .*«8050問題»" \
  "best passage of 若林区"

run "$JFTS_QUERY" --db t.db --wards --format json オンライン
expect_rc 0 "--wards json"
got=$(python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    b = r["best"]
    keys = ",".join(r)
    bkeys = ",".join(b) if b else "-"
    matched = "/".join(b["matched"]) if b else "-"
    ok = b is None or all(b["text"][s:e] for s, e in b["matches"])
    print(r["ward"], r["year"], r["passages"] > 0, matched if r["ward"] == "泉区" else "", ok)
    print(keys); print(bkeys)' <.out | sort -u | paste -sd'|' -)
expect_eq "$got" "-|rank,score,ward,year,year_label,section,section_title,heading,meeting,text,snippet,matches,file,line_start,line_end,matched,missing,searched_as,via,page,page_end,column,org,local_name,doc_title,kind,heading_path,heading_matches,label,label_matches|ward,year,year_label,passages,occurrences,best,org,kind,title,file,by,group|太白区 2021 False  True|宮城野区 2021 True  True|泉区 2021 True リモート/ハイブリット True|若林区 2021 True  True|青葉区 2021 True  True" \
  "json rows"

# The best object is a search row: its snippet is the search row's for that passage, with
# "…" where the passage is cut (連携: 青葉区's and 宮城野区's best passages are cut in front).
run "$JFTS_QUERY" --db t.db --limit 0 --format json 連携
cp .out search.json
run "$JFTS_QUERY" --db t.db --wards --format json 連携
got=$(python3 -c '
import json
by = {}
for l in open("search.json"):
    r = json.loads(l)
    by[(r["file"], r["line_start"])] = r["snippet"]
for l in open(".out"):
    b = json.loads(l)["best"]
    if b:
        print(b["ward"], b["snippet"] == by[(b["file"], b["line_start"])], b["snippet"][:1] == "…")' | sort | paste -sd'|' -)
expect_eq "$got" "宮城野区 True True|泉区 True False|若林区 True False|青葉区 True True" \
  "best snippets are search row snippets, cut marked"

# Filters: wards (repeatable, short names), year; unknown values are usage errors.
run "$JFTS_QUERY" --db t.db --wards --ward 若林 --ward 泉区 --year 令和3年度 オンライン
expect_eq "$(awk '{print $1}' <<<"$OUT" | paste -sd' ' -)" "若林区 泉区" "--ward twice"
# The best passage is a search row, and the first of the ward in the search's order, where
# the word as typed ranks first.
run "$JFTS_QUERY" --db t.db --limit 0 --format json オンライン
got=$(python3 -c '
import json
rows = [json.loads(l) for l in open(".out")]
first = {}
for r in rows:
    first.setdefault(r["ward"], r)
print(" ".join("%s:%d:%s" % (w, first[w]["line_start"], "/".join(first[w]["matched"])) for w in sorted(first)))')
run "$JFTS_QUERY" --db t.db --wards --format json オンライン
best=$(python3 -c '
import json
rows = [json.loads(l) for l in open(".out")]
print(" ".join("%s:%d:%s" % (r["ward"], r["best"]["line_start"], "/".join(r["best"]["matched"])) for r in sorted(rows, key=lambda r: r["ward"]) if r["best"]))')
expect_eq "$best" "$got" "best passages are the first search rows"
expect_match "$best" "泉区:[0-9]+:リモート/ハイブリット" "泉区 best"

# Substring filters: --meeting 会議 counts the table rows of those meetings only; a section
# title part naming two sections.
run "$JFTS_QUERY" --db t.db --wards --format json --meeting 会議 開催
expect_rc 0 "--wards --meeting 会議"
n_meet=$(python3 -c 'import json; print(sum(json.loads(l)["occurrences"] for l in open(".out")))')
run "$JFTS_QUERY" --db t.db --quotes --format tsv --meeting 会議 開催
expect_eq "$n_meet" "$(tail -n +2 .out | wc -l)" "--wards and --quotes agree under --meeting"
run "$JFTS_QUERY" --db t.db --wards --format json 開催
n_all=$(python3 -c 'import json; print(sum(json.loads(l)["occurrences"] for l in open(".out")))')
[ "$n_meet" -gt 0 ] && [ "$n_meet" -lt "$n_all" ] || fail "--meeting narrows: $n_meet of $n_all"
run "$JFTS_QUERY" --db t.db --wards --section 取組 --format json 開催
expect_match "$(head -1 .out)" '"section":"(1|3)"' "--wards --section 取組 best"
run "$JFTS_QUERY" --db t.db --wards --section 4 開催
expect_rc 2 "unknown section number"

run "$JFTS_QUERY" --db t.db --wards --year 2020 オンライン
expect_rc 2 "--year without documents"
expect_eq "$ERR" "jfts-query: no document of year 2020 in the index (years: 2021)" \
  "--year 2020: refused as an unknown ward is, with the years the index holds"
expect_eq "$OUT" "" "--year 2020 lists nothing"
run "$JFTS_QUERY" --db t.db --wards --ward 中央 オンライン
expect_rc 2 "unknown ward"
expect_eq "$ERR" "jfts-query: unknown ward '中央' (valid: 青葉区, 宮城野区, 若林区, 太白区, 泉区)" "unknown ward message"
run "$JFTS_QUERY" --db t.db --wards $(for i in $(seq 17); do echo --ward 泉; done) オンライン
expect_rc 2 "17 --ward options"
expect_eq "$ERR" "jfts-query: too many --ward options (at most 16)
Try 'jfts-query --help' for more information." "too many --ward message"
run "$JFTS_QUERY" --db t.db --wards --sort doc オンライン
expect_rc 2 "--wards --sort"
run "$JFTS_QUERY" --db t.db --wards --documents
expect_rc 2 "--wards with --documents"
# --meetings lists what --meeting filters by; a description of several lines stays indented
# under its heading line (若林区's 連絡会議 has five).
run "$JFTS_QUERY" --db t.db --meetings --ward 若林
expect_rc 0 "--meetings text"
expect_eq "$(grep -avcE '^(若林区 |    [^ ])' <<<"$OUT")" 0 "every line a heading or indented"
expect_eq "$(grep -aA5 '障害者相談支援事業所等連絡会議 11回' <<<"$OUT" | tail -5 | grep -ac '^    ・')" 4 \
  "continuation lines indented"
echo "ok"
