#!/usr/bin/env bash
# Markdown and HTML input, and columns on long lines. Markup, tags, link targets, comments
# and scripts are not passage text; every hit cites the file's own line; table rows and list
# items stay apart; a walk takes *.md, *.html and *.htm but not README*. A line longer than
# 200 characters cites the column (code points) of the hit: file:1:301.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

mkdir w
cat >w/a.md <<'MD'
# 地域支援の取組み

今年度は**地域**の[支援体制](https://example.com/x)について
関係機関と連携して検討を行った。

- 研修会を開催
- `ケース会議` を実施

| 会議 | 回数 |
|---|---|
| 全体協議会 | 2回 |

![図](img.png) 相談支援
MD
cat >w/b.html <<'HTML'
<html><head><title>報告</title><style>p{color:red}</style></head>
<body><h1>地域支援</h1>
<p>今年度は<a href="https://example.com">支援体制</a>について
関係機関と連携&amp;検討を行った。</p>
<table><tr><td>全体協議会</td><td>2回</td></tr>
<tr><td>専門部会</td><td>4回</td></tr></table>
<!-- 隠し
コメント -->
<script>var x="秘密";</script>
</body></html>
HTML
cp w/b.html w/c.htm
echo "# 読んでね" >w/README.md
run "$JFTS_INDEX" --db t.db w
expect_rc 0 "index Markdown and HTML"
expect_eq "$(sqlite3 t.db 'SELECT path FROM files ORDER BY path' | tr '\n' ' ')" \
  "w/a.md w/b.html w/c.htm " "a walk takes .md, .html and .htm, not README"

for q in example img 秘密 color 隠し; do
  run "$JFTS_QUERY" --db t.db --format json "$q"
  expect_rc 0 "search $q"
  expect_eq "$OUT" "" "$q is markup, not text"
done
run "$JFTS_QUERY" --db t.db --format json --sort doc --limit 0 会議
text=$(sed -n 1p <<<"$OUT")
for mark in '**' '](' '|' '`' '<' '#'; do
  [[ $text != *"$mark"* ]] || fail "markup '$mark' left in the passage text: $text"
done
# The heading is the passage's heading (structure.h), not a line of its text.
expect_match "$text" '"heading":"【地域支援の取組み】","meeting":null,"text":"今年度は地域の支援体制について関係機関と連携して検討を行った。\\n研修会を開催\\nケース会議 を実施\\n会議 回数\\n全体協議会 2回\\n図 相談支援"' \
  "Markdown: heading, joined paragraph, list items and table rows as lines"
run "$JFTS_QUERY" --db t.db --format json --sort doc --limit 0 全体協議会
expect_match "$(sed -n 2p <<<"$OUT")" '"heading":"【地域支援】","meeting":null,"text":"今年度は支援体制について関係機関と連携&検討を行った。\\n全体協議会 +2回\\n専門部会 +4回"' \
  "HTML: entities decoded, cells apart, rows as lines"

# Citations are the file's lines.
run "$JFTS_QUERY" --db t.db --sort doc --limit 0 全体協議会
expect_match "$OUT" "  w/a\.md:11
" "Markdown citation"
expect_match "$OUT" "  w/b\.html:5
" "HTML citation"
run "$JFTS_QUERY" --db t.db --sort doc --limit 0 専門部会
expect_match "$OUT" "  w/b\.html:6
" "HTML citation, second row"

# Long lines: the column of the hit, in code points.
{
  printf 'あ%.0s' $(seq 300)
  printf '地域'
  printf 'い%.0s' $(seq 300)
  printf '\n'
} >long.txt
printf '短い行\nその次の行の地域\n' >short.txt
run "$JFTS_INDEX" --db l.db long.txt short.txt
expect_rc 0 "index a long line"
run "$JFTS_QUERY" --db l.db --sort doc --limit 0 地域
expect_match "$OUT" "  long\.txt:1:301
" "long line: column in the citation"
expect_match "$OUT" "  short\.txt:2
" "short line: no column"
run "$JFTS_QUERY" --db l.db --format json --sort doc --limit 0 地域
expect_match "$(sed -n 1p <<<"$OUT")" '"page":null,"page_end":null,"column":301,"org":' "JSON column"
expect_match "$(sed -n 2p <<<"$OUT")" '"column":null,"org":' "JSON column of a short line"
run "$JFTS_QUERY" --db l.db --quotes --format json 地域
expect_match "$(sed -n 1p <<<"$OUT")" '"line":1,.*"page":null,"column":301,"org":' "quote column"
echo ok
