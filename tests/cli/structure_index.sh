#!/usr/bin/env bash
# Documents outside the ward template (tests/data/structure: a plan with chapters and a 目次,
# its Markdown version, council minutes, a newsletter) are indexed with their structure: a
# search row carries the passage's heading path and its section (the top heading) and title;
# a heading's words find the passages under it; every file is one document; a file read in
# pieces (JFTS_INDEX_PIECE_BYTES) gets the heading paths it gets whole.
. "$JFTS_TESTDATA/store/cli_lib.bash"
S=$JFTS_TESTDATA/structure

mkdir d
cp "$S/plan.txt" "$S/plan.md" "$S/minutes.txt" "$S/newsletter.txt" d/
run "$JFTS_INDEX" --db t.db d
expect_rc 0 "index the structure fixtures"
expect_match "$OUT" '^indexed 4 files \(4 documents, [0-9]+ passages, 0 meetings\); 0 unchanged; 4 untagged; 0 pruned$' \
  "every file is a document"

# A body word: the row names its heading path and section.
run "$JFTS_QUERY" --db t.db --format json --sort doc --limit 0 延べ
row=$(grep '"file":"d/plan.txt"' <<<"$OUT")
expect_match "$row" '"section":"第2章","section_title":"障害のある人を取り巻く現状","heading":"第２章 障害のある人を取り巻く現状 › ２　現状と課題 › （１）相談支援 › ①相談件数の増加"' \
  "plan.txt: heading path of a passage four headings deep"
expect_match "$row" '"line_start":50,' "plan.txt: cited at its line"
row=$(grep '"file":"d/plan.md"' <<<"$OUT")
expect_match "$row" '"section":"第2章",.*"heading":"第２章 障害のある人を取り巻く現状 › ２ 現状と課題 › （１）相談支援"' \
  "plan.md: Markdown headings make the same path"
expect_match "$row" '"heading_path":"第２章 障害のある人を取り巻く現状 › ２ 現状と課題 › （１）相談支援",' \
  "plan.md: the heading path does not repeat the section title its heading holds"

# --section takes the sections the index holds: a plan's chapter, by marker or by title.
run "$JFTS_QUERY" --db t.db --format tsv --limit 0 --section 第2章 延べ
expect_rc 0 "--section 第2章"
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f6 | sort -u | tr '\n' ' ')" "第2章 " "--section 第2章: its passages only"
expect_eq "$(wc -l <<<"$OUT")" 3 "--section 第2章: the header and both plans' passages"
run "$JFTS_QUERY" --db t.db --limit 0 --section 第9章 延べ
expect_rc 2 "--section 第9章"
expect_match "$ERR" "^jfts-query: unknown section '第9章' \(valid: .*第2章 障害のある人を取り巻く現状" \
  "--section 第9章: the valid list names the chapters"
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv --section 取り巻く 延べ
expect_eq "$(wc -l <<<"$OUT")" 3 "--section by a word of a chapter title"

# A heading's own words (法的な位置付け is nowhere in the text) find the passage under it.
run "$JFTS_QUERY" --db t.db --format json 法的な位置付け
expect_eq "$(wc -l <<<"$OUT")" 1 "a heading word: one passage"
expect_match "$OUT" '"heading":"第１章　計画の策定にあたって › ２　計画の位置付け › （１）法的な位置付け","meeting":null,"text":"本計画は、障害者基本法' \
  "a heading word finds the passage under it"

# A newsletter's 【…】 and ■ items.
run "$JFTS_QUERY" --db t.db --format json タクシー
expect_match "$OUT" '"section":"【お知らせ】","section_title":"お知らせ","heading":"【お知らせ】 › ■福祉タクシー券の申請受付"' \
  "newsletter: 【】 section and ■ item"

# Minutes: each turn is its own passage; a long one is split, the speaker is no passage text.
run "$JFTS_QUERY" --db t.db --format tsv --sort doc --limit 0 --exact グループホーム
expect_eq "$(grep -c 'd/minutes.txt' <<<"$OUT")" 3 "minutes: three turns speak of グループホーム"
run "$JFTS_QUERY" --db t.db --format json '"佐藤一郎君"'
# The speaker is the turn's label: found through it, never in the text.
expect_eq "$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
ok = [r for r in rows if "佐藤一郎君" in (r["label"] or "") and "佐藤一郎君" not in r["text"]
      and not r["matches"] and r["label_matches"]]
print(len(rows) > 0 and len(ok) == len(rows))' <.out)" True "a speaker is a label, not passage text"

# Headings glued to their first sentence by the extraction (guide.txt: （１）申請申請は、…) head
# their passages; a document's top-level １ is section "1." and the ward-report template's
# "１ 今年度の主な取組み" section "1": --section tells them apart and lists both.
mkdir g
cp "$S/guide.txt" "$JFTS_TESTDATA/cities/sendai-aoba-r4.txt" "$JFTS_TESTDATA/cities/sendai-aoba-r4.meta" g/
run "$JFTS_INDEX" --db g.db g
expect_rc 0 "index the guide and a ward report"
run "$JFTS_QUERY" --db g.db --format json --exact 認定調査員
expect_match "$OUT" '"section":"2\.","section_title":"利用の手続き","heading":"２　利用の手続き › （２）認定調査","meeting":null,"text":"認定調査員が御自宅を訪問し、心身の状況をお聞きします。"' \
  "a glued heading heads its sentence"
run "$JFTS_QUERY" --db g.db --format json --exact --limit 0 申請
expect_match "$OUT" '"heading_path":"２　利用の手続き › （１）申請","heading_matches":\[\[14,16\]\]' \
  "a glued heading is a heading: its own words are heading matches"
run "$JFTS_QUERY" --db g.db --format tsv --limit 0 --exact --section 2 相談
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f6 | sort -u)" "2" "--section 2: the template's section only"
run "$JFTS_QUERY" --db g.db --format tsv --limit 0 --exact --section 3. 相談
expect_eq "$(tail -n +2 <<<"$OUT" | cut -f6,7 | sort -u)" "3.	相談窓口" "--section 3.: the guide's section only"
run "$JFTS_QUERY" --db g.db --section 9 相談
expect_rc 2 "--section 9"
expect_eq "$ERR" "jfts-query: unknown section '9' (valid: table 実施状況, 1 今年度の主な取組み, 2 現状における課題, 3 課題に対する次年度以降の取組予定, 1. サービスの概要, 2. 利用の手続き, 3. 相談窓口)" \
  "--section: the template's sections and the guide's, distinct"

# The same heading paths, section titles and texts when the plan is read in 4 KB pieces.
cat "$S/plan.txt" "$S/plan.txt" >d2.txt
rows() { sqlite3 "$1" "SELECT ordinal, coalesce(section, '-'), coalesce(heading, '-'), text
  FROM passages ORDER BY ordinal"; }
run "$JFTS_INDEX" --db whole.db d2.txt
expect_rc 0 "index the doubled plan whole"
JFTS_INDEX_PIECE_BYTES=4096 run "$JFTS_INDEX" --db pieces.db d2.txt
expect_rc 0 "index the doubled plan in pieces"
[ "$(rows whole.db | wc -l)" -gt 20 ] || fail "the doubled plan gives few passages"
expect_eq "$(rows pieces.db)" "$(rows whole.db)" "headings carried across pieces"
echo ok
