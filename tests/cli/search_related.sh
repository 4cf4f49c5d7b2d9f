#!/usr/bin/env bash
# jfts-query beyond the literal words, as users run it: best match for several words (the
# count line, [missing], --all-words), words searched as their parts ("searched as"), the
# related-topics layer ([via], --no-related, --exact, --related FILE) and punctuation typed in
# a word.
. "$JFTS_TESTDATA/store/cli_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"

# Best match: every-word passages first, then the others, each naming the missing word
# (without the related layer, whose rules for 住まい are tested below).
# 課題 is in two section titles of every ward (２ 現状における課題..., ３ 課題に対する...):
# the first passage of each section holds its title, so 5 first passages match through
# their section title alone (20 through their text or heading, as before titles were indexed).
run "$JFTS_QUERY" --db t.db --limit 0 --no-color --no-related 住まい 課題
expect_rc 0 "住まい 課題"
expect_eq "$(head -1 <<<"$OUT")" "2 passages with every word, 25 more with some, 28 occurrences" "best match: count line"
expect_eq "$(grep -E '^   ' <<<"$OUT" | head -2 | grep -c '«住まい».*«課題»')" 2 "best match: every word first"
expect_eq "$(grep -c '\[missing 住まい\]$' <<<"$OUT")" 25 "best match: missing"
run "$JFTS_QUERY" --db t.db --limit 0 --format json --no-related 住まい 課題
expect_eq "$(grep -c '"missing":\["住まい"\],"searched_as":null,"via":\[\],"page":null,"page_end":null,"column":null' <<<"$OUT")" 25 "json missing"
expect_eq "$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(sum(1 for r in rows if not r["matches"] and not r["heading"]))' <<<"$OUT")" 5 \
  "first passages found through their section title"
run "$JFTS_QUERY" --db t.db --limit 0 --all-words --no-related 住まい 課題
expect_eq "$(head -1 <<<"$OUT")" "2 passages, 4 occurrences" "--all-words"
[[ $OUT != *'[missing'* ]] || fail "--all-words: a passage without every word"
# With the shipped related layer (住まい => 住居, 地域生活支援拠点 ...), the passage that holds
# 課題 and names the housing problem 住居 comes right after the two with every word, before
# those holding one word only, and says which rule found it.
run "$JFTS_QUERY" --db t.db --limit 0 --format json 住まい 課題
got=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
print(" ".join("%d:%s:%s" % (r["line_start"], ",".join(r["missing"]), ",".join(r["via"]))
               for r in rows[2:4]))
print(sum(1 for r in rows if not r["missing"]))' <.out)
expect_eq "$got" "729::住まい => 地域生活支援拠点,住まい => 住居 485:住まい:
3" "related: a related hit of one word above passages holding the other word only"
# An excluded word stays strict.
run "$JFTS_QUERY" --db t.db --limit 0 --format tsv 住まい 課題 -住居
[[ $OUT != *住居* ]] || fail "-住居: a passage holding 住居"

# A word the text never writes whole: searched as its parts, said first.
run "$JFTS_QUERY" --db t.db --limit 2 --no-color 卒業後の進路
expect_eq "$(head -1 <<<"$OUT")" "searched as: 卒業 進路" "split: first line"
run "$JFTS_QUERY" --db t.db --limit 1 --format json 障害者高齢化
expect_match "$OUT" '"searched_as":"障害 高齢"' "split: json searched_as"
expect_match "$OUT" '"missing":\[\]' "split: both parts held"
run "$JFTS_QUERY" --db t.db '"卒業後の進路"'
expect_eq "$OUT" "" "a quoted word is not split"
run "$JFTS_QUERY" --db t.db --limit 1 --format json 地域包括支援センター
expect_match "$OUT" '"searched_as":null' "a word found as often as its parts is kept"

# Related topics: found only through the layer, and said so.
run "$JFTS_QUERY" --db t.db --no-color 防災
expect_eq "$(head -1 <<<"$OUT")" "0 passages with the word, 1 more through related topics, 2 occurrences" "related: count line"
expect_match "$OUT" '«災害時要援護者».*\[via 防災 => 災害時要援護者\]' "related: via"
run "$JFTS_QUERY" --db t.db --format json 防災
expect_match "$OUT" '"matched":\["災害時要援護者","要援護者"\],"missing":\[\],"searched_as":null,"via":\["防災 => 災害時要援護者","防災 => 要援護者"\],"page":null,"page_end":null,"column":null,"org":"仙台市",' "related: json"
for opt in --no-related --exact; do
  run "$JFTS_QUERY" --db t.db $opt 防災
  expect_rc 0 "$opt"
  expect_eq "$OUT" "" "$opt: no related topics"
done

# A literal occurrence always ranks above a related-topic-only passage.
printf '# test\nネットワーク => 交流, 勉強会\n' >rel.txt
run "$JFTS_QUERY" --db t.db --related rel.txt --limit 0 --format json ネットワーク
got=$(python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
def holds(r):
    return any("ネットワーク" in (r[k] or "") for k in ("text", "heading", "meeting"))
assert all(r["via"] for r in rows if not holds(r))
kinds = "".join("L" if holds(r) else "R" for r in rows)
print(kinds.rstrip("R").count("R"), kinds.count("L") > 0, kinds.count("R") > 0)' <.out)
expect_eq "$got" "0 True True" "literal above related"
JFTS_RELATED=rel.txt run "$JFTS_QUERY" --db t.db --limit 0 --format json ネットワーク
expect_match "$OUT" '"via":\["ネットワーク => 交流"' "\$JFTS_RELATED"

# The related file: a named one that cannot be read, or next to --exact, is a usage error.
run "$JFTS_QUERY" --db t.db --related missing.txt 防災
expect_rc 2 "--related missing"
expect_match "$ERR" "^jfts-query: cannot read 'missing.txt'" "--related missing message"
run "$JFTS_QUERY" --db t.db --related rel.txt --exact 防災
expect_rc 2 "--related --exact"
printf 'a =>\n' >bad.txt
run "$JFTS_QUERY" --db t.db --related bad.txt 防災
expect_rc 2 "--related malformed"
expect_match "$ERR" "bad.txt:1: " "--related malformed message"

# Punctuation typed in a word: what is found is highlighted.
run "$JFTS_QUERY" --db t.db --limit 0 --no-color 参加・
expect_rc 0 "参加・"
# Each passage highlights 参加 in its snippet, or holds it in its heading (before :LINE).
bad=$(awk '/^[0-9]+\. / { head = $0; next } /^   / { if ($0 !~ /«参加»/ && head !~ /参加/) n++ }
  END { print n + 0 }' <<<"$OUT")
expect_eq "$bad" 0 "参加・: found but not highlighted"
expect_eq "$(grep -c '«参加・»' <<<"$OUT")" 0 "参加・: the ・ is a separator"
run "$JFTS_QUERY" --db t.db --limit 1 --no-color 高砂・岩切
expect_match "$OUT" '«高砂»・«岩切»' "高砂・岩切: both words highlighted"

# A thesaurus group of long variants: the term keeps EXPAND_MAX_ALT_BYTES (4096) bytes of
# them, says so on stderr, and the search runs (exit 0) on what was kept.
python3 -c '
print(", ".join(["連携"] + ["連携" + "あ" * i + "い" * 200 for i in range(1, 63)]))' >long_variants.txt
export JFTS_THESAURUS="$PWD/long_variants.txt"
run "$JFTS_QUERY" --db t.db --limit 1 --no-color 連携
unset JFTS_THESAURUS
expect_rc 0 "long variants"
expect_eq "$ERR" "jfts-query: note: expansion of '連携' capped at 4096 bytes of alternatives (kept 6 of 62)" "long variants: note"
expect_match "$OUT" "«連携»" "long variants: the term is still searched"
