#!/usr/bin/env bash
# jfts-query search mode on the bundled corpus: the total line, citations by raw line, the
# four formats and their fields, sort orders, paging, highlight markers, --queries, --timing,
# no hits and usage errors.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"
F=c/$CORPUS_FILE.txt

# 8050問題: five occurrences (two written "8050 問題"), five passages, each cited at the line
# where the match starts (368: the PDF wrapped "～8050" / "問題" there).
run "$JFTS_QUERY" --db t.db 8050問題
expect_rc 0 "8050問題"
expect_eq "$ERR" "" "8050問題 stderr"
expect_eq "$(head -1 <<<"$OUT")" "5 passages, 5 occurrences" "total line"
expect_eq "$(grep -oE '^[0-9]+\. (宮城野区|若林区) / .*  c/[^:]+:[0-9]+$' <<<"$OUT" |
  sed -E 's/^[0-9]+\. ([^ ]+) .*:([0-9]+)$/\1:\2/' | sort -t: -k2n | paste -sd' ' -)" \
  "宮城野区:317 若林区:368 若林区:467 若林区:473 若林区:509" "cited wards and lines"
expect_eq "$(grep -oE '«8050 ?問題»' <<<"$OUT" | wc -l)" 5 "highlighted occurrences"
expect_eq "$(grep -c '^   ' <<<"$OUT")" 5 "one snippet line per passage"

# --sort doc: file order.
run "$JFTS_QUERY" --db t.db --sort doc 8050問題
expect_eq "$(grep -oE ':[0-9]+$' <<<"$OUT" | tr -d : | paste -sd' ' -)" "317 368 467 473 509" "--sort doc"

# JSON Lines: exactly these fields in this order (the document model's appended after column);
# matches index the whole passage text.
run "$JFTS_QUERY" --db t.db --format json 8050問題
expect_rc 0 "json"
keys='{"rank","score","ward","year","year_label","section","section_title","heading","meeting","text","snippet","matches","file","line_start","line_end","matched","missing","searched_as","via","page","page_end","column","org","local_name","doc_title","kind","heading_path","heading_matches","label","label_matches"}'
n=0
while IFS= read -r line; do
  n=$((n + 1))
  got=$(grep -oE '(^\{|,)"[a-z_]+":' <<<"$line" | sed -E 's/^[{,]//; s/:$//' | paste -sd, -)
  expect_eq "{$got}" "$keys" "keys of row $n"
  expect_match "$line" "^\{\"rank\":$n,\"score\":[0-9.e+-]+,\"ward\":\"(宮城野区|若林区)\",\"year\":2021," "row $n start"
  expect_match "$line" '"matches":\[\[[0-9]+,[0-9]+\]\],"file":"c/sendai-r3-jiritsushien.txt","line_start":[0-9]+,"line_end":[0-9]+,"matched":\["8050問題"\],"missing":\[\],"searched_as":null,"via":\[\],"page":null,"page_end":null,"column":null,"org":"仙台市","local_name":(null|"[^"]*"),"doc_title":"[^"]*","kind":"取組状況","heading_path":"[^"]*","heading_matches":\[\],' "row $n end"
  [[ $line != *'«'* ]] || fail "row $n: markers in json"
done <<<"$OUT"
expect_eq "$n" 5 "json rows"
# The matches offsets are code points into text: check them with the text itself.
if command -v python3 >/dev/null; then
  got=$(python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(" ".join(r["text"][a:b] for a, b in r["matches"]))' <<<"$OUT" | sort | paste -sd'|' -)
  expect_eq "$got" "8050 問題|8050 問題|8050 問題|8050問題|8050問題" "text at matches"
fi

# CSV: BOM, header, CRLF; TSV: header, one line per passage.
run "$JFTS_QUERY" --db t.db --format csv 8050問題
expect_eq "$(head -c 3 .out | od -An -tx1 | tr -d ' ')" "efbbbf" "CSV BOM"
expect_eq "$(head -1 .out | tr -d '\357\273\277')" $'rank,score,ward,year,year_label,section,section_title,heading,meeting,text,snippet,matches,file,line_start,line_end,matched,missing,searched_as,via,page,page_end,column,org,local_name,doc_title,kind,heading_path,heading_matches,label,label_matches\r' "CSV header"
run "$JFTS_QUERY" --db t.db --format tsv 8050問題
expect_eq "$(wc -l <<<"$OUT")" 6 "TSV lines"
expect_match "$(sed -n 2p <<<"$OUT")" $'^1\t[0-9.]+\t若林区\t2021\t令和3年度\t' "TSV row"

# Adjacent terms first: the eight passages with 地域包括支援センター, marked as one run.
run "$JFTS_QUERY" --db t.db --limit 0 地域包括 支援センター
# Best match: then the four passages with only one of the words (支援センター of 基幹相談支援
# センター, 地域包括 of 地域包括圏域); --all-words keeps the eight alone.
expect_eq "$(head -1 <<<"$OUT")" "8 passages with every word, 4 more with some, 21 occurrences" "two terms: total"
expect_eq "$(grep -c '«地域包括支援センター»' <<<"$OUT")" 8 "two terms: adjacent runs"
expect_eq "$(grep -E '^[0-9]+\. ' <<<"$OUT" | head -8 | grep -c 'missing')" 0 "two terms: every word first"
expect_eq "$(grep -c '\[missing ' <<<"$OUT")" 4 "two terms: some-word rows say what is missing"
run "$JFTS_QUERY" --db t.db --limit 0 --all-words 地域包括 支援センター
expect_eq "$(head -1 <<<"$OUT")" "8 passages, 16 occurrences" "--all-words: total"

# Paging: --offset and --limit cut the same order.
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv 支援
all=$(cut -f1,13,14 <<<"$OUT" | tail -n +2)
run "$JFTS_QUERY" --db t.db --limit 3 --offset 4 --format tsv 支援
expect_eq "$(cut -f1,13,14 <<<"$OUT" | tail -n +2)" "$(sed -n 5,7p <<<"$all")" "--offset 4 --limit 3"
run "$JFTS_QUERY" --db t.db --limit 3 支援
expect_match "$(tail -1 <<<"$OUT")" '^[0-9]+ more passages \(--limit 0 shows all\)$' "more line"

# Markers: --highlight overrides, --no-color and a pipe give «», NO_COLOR too.
run "$JFTS_QUERY" --db t.db --highlight '<b>,</b>' --limit 1 8050問題
expect_match "$OUT" '<b>8050 ?問題</b>' "--highlight"
[[ $OUT != *'«'* ]] || fail "--highlight kept the default markers"
run "$JFTS_QUERY" --db t.db --no-color --limit 1 8050問題
expect_match "$OUT" '«8050 ?問題»' "--no-color"
[[ $OUT != *$'\e'* ]] || fail "colour codes in a pipe"

# --ward filters.
run "$JFTS_QUERY" --db t.db --ward 宮城野 --format tsv 8050問題
expect_eq "$(cut -f3 <<<"$OUT" | tail -n +2 | paste -sd' ' -)" "宮城野区" "--ward"

# The thesaurus is on by default: a passage holding the word as typed ranks above every
# passage found only through a variant, over all matches, and "matched" names what matched.
run "$JFTS_QUERY" --db t.db --limit 0 --format json オンライン
expect_rc 0 "オンライン"
got=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print("".join("E" if "オンライン" in r["matched"] else "V" for r in rows))
print(all(("オンライン" in r["text"]) == ("オンライン" in r["matched"]) for r in rows))
izumi = [r for r in rows if r["ward"] == "泉区"]
print(min(r["rank"] for r in izumi) > max(r["rank"] for r in rows if "オンライン" in r["text"]))
print(sorted({m for r in izumi for m in r["matched"]}))' <.out | paste -sd'|' -)
expect_eq "$got" "EEEEEEEEEEVVVVV|True|True|['Web開催', 'ハイブリット', 'リモート']" "オンライン: own word first"
run "$JFTS_QUERY" --db t.db --limit 3 --no-color オンライン
expect_eq "$(grep -c '«オンライン»' <<<"$OUT")" 3 "top 3 say オンライン"
[[ $OUT != *'[via '* ]] || fail "top 3: no variant"
run "$JFTS_QUERY" --db t.db --limit 0 --no-color ウイルス
expect_match "$OUT" "«ウィルス».*\[via ウィルス\]" "default expansion"
run "$JFTS_QUERY" --db t.db --limit 0 --exact ウイルス
[[ $OUT != *'ウィルス'* ]] || fail "--exact expands"
run "$JFTS_QUERY" --db t.db --limit 1 --format json --exact オンライン
expect_match "$OUT" '"matched":\["オンライン"\],"missing":\[\],"searched_as":null,"via":\[\],"page":null,"page_end":null,"column":null,"org":' "--exact matched"

# Filters: --meeting and --section are substrings (ASCII case ignored) of what the passages
# have; an unknown one is a usage error listing the valid values.
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv --meeting 会議 開催
expect_rc 0 "--meeting 会議"
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f9 | sort -u | paste -sd' ' -)" \
  "全体協議会 実務者ネットワーク会議 運営会議 障害者相談支援事業所等連絡会議" "--meeting 会議 meetings"
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv --meeting igasu 開催
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f3,9 | sort -u)" $'若林区\t全体協議会' "--meeting igasu"
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv --section 取組 開催
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f6 | sort -u | paste -sd' ' -)" "1 3" "--section 取組"
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv --section table --ward 泉 --ward 若林 開催
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f3,6 | sort -u | paste -sd' ' -)" $'泉区\ttable 若林区\ttable' "--section table, two wards"
run "$JFTS_QUERY" --db t.db --meeting 総会 開催
expect_rc 2 "unknown meeting"
expect_match "$ERR" "^jfts-query: unknown meeting '総会' \(valid: .*IGASU会議" "unknown meeting message"

# No hits: exit 0, nothing on stdout, nothing on stderr (not a terminal).
run "$JFTS_QUERY" --db t.db zyxwv
expect_rc 0 "no hit"
expect_eq "$OUT" "" "no hit stdout"
expect_eq "$ERR" "" "no hit stderr"

# --queries: one query a line, the query first in each row; a bad line is noted, the run
# goes on; blank lines are skipped.
printf '8050問題\n-支援\n\nレビュー\r\n' >queries.txt
run "$JFTS_QUERY" --db t.db --queries queries.txt --format json --limit 2
expect_rc 0 "--queries"
expect_eq "$(grep -oE '^\{"query":"[^"]*","rank":[0-9]+' <<<"$OUT" | paste -sd' ' -)" \
  '{"query":"8050問題","rank":1 {"query":"8050問題","rank":2 {"query":"レビュー","rank":1 {"query":"レビュー","rank":2' "--queries rows"
expect_eq "$ERR" "jfts-query: line 2: the query only excludes terms: add a term to search for (a word without '-' in front)" "--queries note"
run "$JFTS_QUERY" --db t.db --queries - --limit 1 <queries.txt
expect_rc 0 "--queries -"
expect_eq "$(grep -E '^(query:|[0-9]+ passages)' <<<"$OUT" | paste -sd'|' -)" \
  "query: 8050問題|5 passages, 5 occurrences|query: レビュー|7 passages, 8 occurrences" "--queries text headers"
printf 'zyxwv\n' >nohit.txt
run "$JFTS_QUERY" --db t.db --queries - <nohit.txt
expect_rc 0 "--queries no hit"
expect_eq "$OUT" $'query: zyxwv\n0 passages, 0 occurrences' "--queries no hit text"
printf -- '-a\n"\n' >bad.txt
run "$JFTS_QUERY" --db t.db --queries bad.txt
expect_rc 2 "--queries all bad"
expect_eq "$(tail -1 <<<"$ERR")" "jfts-query: no valid query in 'bad.txt'" "--queries all bad message"

# --timing: one line per query on stderr, after the load line.
run "$JFTS_QUERY" --db t.db --timing --queries queries.txt --format json
expect_match "$ERR" '^jfts-query: load: [0-9]+\.[0-9]+
jfts-query: timing: [0-9]+\.[0-9]+ 8050問題
' "--timing"
expect_eq "$(grep -c '^jfts-query: timing: ' <<<"$ERR")" 3 "--timing lines"

# Usage errors: exit 2 with a message.
for args in "--sort size x" "--limit -1 x" "--offset z x" "--highlight x x" "--format xml x" \
  "--queries queries.txt x" "--documents --queries queries.txt" "-- -x" "「」"; do
  # shellcheck disable=SC2086
  run "$JFTS_QUERY" --db t.db $args
  expect_rc 2 "usage: $args"
  expect_match "$ERR" '^jfts-query: ' "usage message: $args"
done
run "$JFTS_QUERY" --db missing.db 8050問題
expect_rc 1 "missing database"
run "$JFTS_QUERY" --help
expect_rc 0 "--help"
expect_match "$OUT" '--queries FILE' "--help lists --queries"
