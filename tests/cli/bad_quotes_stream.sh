#!/usr/bin/env bash
# --quotes over a file of one repeated character, a row of the README's bad-input table:
# every occurrence is a line (3 MB of あ searched for あ: 1,048,576 lines, text and JSON), and
# memory stays bounded whatever the number of lines, because lines are written as each passage
# is read (20 MB of one character once gave 2.3 million lines and held 1.3 GB). Sorted quotes
# (--sort left) must hold their lines: they are checked on a smaller file.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

# 1,048,576 x あ (3 MiB) on one line.
head -c 1048576 /dev/zero | tr '\0' 'a' | sed 's/a/あ/g' >one.txt
[ "$(wc -c <one.txt)" = 3145728 ] || fail "one.txt: $(wc -c <one.txt) bytes"
run "$JFTS_INDEX" --db one.db one.txt
expect_rc 0 "index one.txt"

for format in text json; do
  /usr/bin/time -v -o time.txt "$JFTS_QUERY" --db one.db --quotes --context 2 --format $format あ \
    2>err.txt | { wc -l >lines.txt; }
  [ ! -s err.txt ] || fail "--quotes $format: stderr: $(cat err.txt)"
  expect_eq "$(cat lines.txt)" 1048576 "--quotes $format: one line per あ"
  peak=$(sed -nE 's/^\s*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' time.txt)
  echo "--quotes $format: peak RSS $peak KB" >&2
  # The held lines took 300 MB here; AddressSanitizer's shadow and quarantine are not ours.
  if [ "$(ldd "$JFTS_QUERY" | grep -c libasan || true)" = 0 ]; then
    [ "$peak" -lt 200000 ] || fail "--quotes $format: peak RSS $peak KB, expected under 200 MB"
  fi
done

# Streamed text keeps the columns aligned to the widest line of the whole output (measured
# first): the first lines' left context is padded to two wide chars. The lines are the same
# held or streamed: a smaller file sorted both ways (held) against its document order
# (streamed), as sets.
{ "$JFTS_QUERY" --db one.db --quotes --context 2 あ || true; } | head -n 3 >first.txt
expect_eq "$(cat first.txt)" "    «あ»ああ  - one.txt:1:1
  あ«あ»ああ  - one.txt:1:2
ああ«あ»ああ  - one.txt:1:3" "--quotes text: the first lines"
head -c 3000 /dev/zero | tr '\0' 'a' | sed 's/a/いあ/g' >small.txt
run "$JFTS_INDEX" --db small.db small.txt
expect_rc 0 "index small.txt"
run "$JFTS_QUERY" --db small.db --quotes --format tsv いあ
doc=$(sort <<<"$OUT")
# 3,000 いあ, less the few that a passage cut (at most 4 KB each) splits.
n=$(wc -l <<<"$OUT")
[ "$n" -gt 2990 ] && [ "$n" -le 3001 ] || fail "--quotes small: $n lines"
for sort in left right; do
  run "$JFTS_QUERY" --db small.db --quotes --format tsv --sort $sort いあ
  expect_eq "$(sort <<<"$OUT")" "$doc" "--quotes --sort $sort: the lines of document order"
done
