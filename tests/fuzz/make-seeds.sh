#!/usr/bin/env bash
# Regenerates the seed corpora under tests/fuzz/corpus/<target>/ from the bundled corpus and
# the test fixtures, plus hand-written hostile inputs. Deterministic: rerunning it gives the
# same files. Reproducers of fixed bugs (corpus/<target>/crash-*) and inputs kept from libFuzzer
# runs for the coverage they add (corpus/<target>/lf-*, tests/fuzz/README.md) are kept.
# For the decoder, the first byte of a seed chooses the encoding of the forced-encoding run
# (index into k_encodings of fuzz_decode.c, modulo its 25 entries).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=$root/corpus/sendai-r3-jiritsushien.txt
data=$root/tests/data
out=$here/corpus

for t in decode report tokenizer query; do
  mkdir -p "$out/$t"
  find "$out/$t" -type f ! -name 'crash-*' ! -name 'lf-*' -delete
done

lines() { sed -n "$1,$2p" "$src"; }
# seed TARGET NAME: stdin becomes corpus/TARGET/NAME
seed() { cat >"$out/$1/$2"; }
# pre BYTE: prints one byte given in octal (the decoder's encoding selector)
pre() { printf "\\$1"; }

# ---- decode: fixtures, corpus slices in each encoding, each with an encoding selector ----
for f in "$data"/decode/sample.*; do cp "$f" "$out/decode/fixture-$(basename "$f")"; done
lines 6 40 | seed decode corpus-utf8.txt
lines 6 40 | iconv -f UTF-8 -t CP932 | seed decode corpus-sjis.txt
lines 179 200 | iconv -f UTF-8 -t EUC-JP-MS | seed decode corpus-eucjp.txt
{ pre 001; lines 349 360; } | seed decode forced-utf8.txt
{ pre 003; lines 349 360 | iconv -f UTF-8 -t UTF-16LE; } | seed decode forced-utf16le.bin
{ pre 004; lines 349 360 | iconv -f UTF-8 -t UTF-16BE; } | seed decode forced-utf16be.bin
{ pre 005; lines 349 360 | iconv -f UTF-8 -t UTF-16; } | seed decode forced-utf16-bom.bin
{ pre 007; lines 535 545 | iconv -f UTF-8 -t CP932; } | seed decode forced-sjis.txt
{ pre 014; lines 535 545 | iconv -f UTF-8 -t EUC-JP-MS; } | seed decode forced-eucjp.txt
{ pre 017; lines 691 700 | iconv -c -f UTF-8 -t ISO-2022-JP; } | seed decode forced-iso2022jp.txt
{ pre 020; lines 691 700 | iconv -f UTF-8 -t UTF-7; } | seed decode forced-utf7.txt
{ pre 021; lines 691 695 | iconv -f UTF-8 -t UTF-32; } | seed decode forced-utf32.bin
{ pre 024; printf 'GB18030 \x81\x30\x81\x30 \xb0\xa1\n'; } | seed decode forced-gb18030.txt
{ pre 025; printf '\xc1\xc2\xc3 \x40\xf1\xf2'; } | seed decode forced-ebcdic.txt
{ pre 027; printf 'x'; } | seed decode forced-empty-name.txt
{ pre 030; printf 'x'; } | seed decode forced-unknown.txt
printf '%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n' | seed decode magic-pdf.bin
printf 'BZh91AY&SY\x00\x01' | seed decode magic-bzip2.bin
printf 'text\x00with a NUL\n' | seed decode nul.txt
printf '\xff\xfea\x00\x00\x00b\x00' | seed decode utf16le-nul-unit.bin
printf '\xff\xfe\x00\xd8a\x00' | seed decode utf16le-lone-surrogate.bin
printf '\xfe\xff\x00a\x00' | seed decode utf16be-odd-length.bin
printf '\xef\xbb\xbf\xe3\x81\x82\xc0\x80' | seed decode utf8-bom-overlong.txt
printf '\xe3\x81\x82\xed\xa0\x80\xe3\x81' | seed decode utf8-surrogate-truncated.txt
printf '\x82\xa0\x82\xa2\x82' | seed decode sjis-truncated.txt
printf '\x1a\x1c\x7f\x5c\x7e\x81\x60\x87\x40' | seed decode sjis-controls.txt
printf '\xa4\xa2\x8e\xb1\x8f\xb0\xa1\xa4' | seed decode eucjp-kana-3byte.txt
: | seed decode empty.txt

# ---- report: fixtures, each ward's report, damaged variants ----
for f in "$data"/report/*; do cp "$f" "$out/report/fixture-$(basename "$f")"; done
for f in "$data"/structure/*.txt; do cp "$f" "$out/report/structure-$(basename "$f")"; done
lines 1 178 | seed report ward-aoba.txt
lines 179 348 | seed report ward-miyagino.txt
lines 349 534 | seed report ward-wakabayashi.txt
lines 535 690 | seed report ward-taihaku.txt
lines 691 845 | seed report ward-izumi.txt
lines 6 60 | sed 's/$/\r/' | seed report crlf.txt
lines 6 60 | tr '\n' '\r' | seed report cr-only.txt
lines 6 60 | sed 's/ *$//' | seed report no-block-ends.txt
{ printf '\xef\xbb\xbf'; lines 535 580; } | seed report bom.txt
lines 6 60 | grep -v '^ *$' | seed report no-blank-lines.txt
{ lines 6 20; lines 691 720; lines 40 60; } | seed report spliced-wards.txt
printf '令和 3年度 泉区障害者自立支援協議会 取組状況 \n○実施状況 \n（１）' | seed report cut-table.txt
{ printf '令和 3年度 青葉区障害者自立支援協議会 取組状況 \n'; for i in $(seq 1 400); do printf 'あ'; done; printf '\n'; } | seed report long-line.txt

# ---- tokenizer: corpus lines and text that stresses normalization and FTS5 ----
n=0
for l in 13 96 183 400 760; do
  n=$((n + 1))
  lines "$l" "$((l + 1))" | seed tokenizer "corpus-$n.txt"
done
printf '8050 問題、8050、問題 Web 開催 ＩＧＡＳＵ 会議' | seed tokenizer spaces-between-scripts.txt
printf 'ｶﾞｷﾞｸﾞ ㍻ ㈱ № Ⅰ ≒ ﬁ ß Ǆ İ' | seed tokenizer normalization.txt
printf 'e\xcc\x81 a\xcc\x8a\xcc\x81 \xe2\x80\x8d\xc2\xad \xe0\xa4\x95\xe0\xa5\x8d' | seed tokenizer marks.txt
printf '\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9 𠮷野家 한국어 Ελληνικά' | seed tokenizer scripts.txt
printf '"a" OR NEAR(b c) AND NOT d* ^e f:g -h' | seed tokenizer fts5-syntax.txt
printf 'a\x00b 泉\x00区' | seed tokenizer nul.txt
printf '\xe3\x81\x82\xed\xa0\x80\xc0\x80\xe3\x81\xff' | seed tokenizer invalid-utf8.txt
{ for i in $(seq 1 300); do printf 'x'; done; } | seed tokenizer long-word.txt
{ for i in $(seq 1 300); do printf '漢'; done; } | seed tokenizer long-kanji-run.txt
printf '65歳 165歳 泉 (1) （１）2)実務' | seed tokenizer digits.txt

# ---- query: what users type, and what they should not be able to break ----
q=0
query() { q=$((q + 1)); printf '%b' "$1" | seed query "$(printf 'q%02d' "$q").txt"; }
query '8050問題'
query '地域包括 支援センター'
query '"地域包括 支援センター"'
query 'web開催 OR オンライン'
query '開催 -オンライン'
query '泉'
query '65歳'
query 'ＩＧＡＳＵ 会議'
query '"'
query '""'
query '"a b'
query 'a OR'
query 'a OR OR b'
query '-a'
query '-'
query '－泉'
query '-a -b'
query '「」'
query 'NEAR(a b) AND c NOT d'
query 'x* ^a col:b'
query "'; DROP TABLE t; --"
query 'a\x00b'
query '\xe3\x81\xed\xa0\x80\xff'
query 'a\tb\xe3\x80\x80c\xc2\x85d'
query '泉\x1f泉区\x1f泉中央'
query '"地域 包括"\x1f"地域 包括 支援"\x1f'
query 'コロナウイルス\x1fコロナウィルス\x1fハイブリッド'
query 'a OR b -c\x1f"d"\x1f-e\x1fOR'
query 'ｶﾀｶﾅ ㍻ e\xcc\x81'
query '((( ))) *** ^^^ ::: """ ---'

# ---- db: small jfts indexes (1 KB pages), made with the built programs when given ----
# JFTS_INDEX=build-test/jfts-index JFTS_EXT=build-test/jfts_icu.so tests/fuzz/make-seeds.sh
if [ -n "${JFTS_INDEX:-}" ] && [ -n "${JFTS_EXT:-}" ]; then
  mkdir -p "$out/db"
  find "$out/db" -type f ! -name 'crash-*' ! -name 'lf-*' -delete
  tmp=$(mktemp -d)
  # seed_db NAME JOURNAL_MODE: indexes $tmp/NAME.txt into corpus/db/NAME.db, small pages
  seed_db() {
    (cd "$tmp" && "$JFTS_INDEX" --quiet --db "$1.db" "$1.txt")
    sqlite3 -cmd ".load ${JFTS_EXT%.so}" "$tmp/$1.db" \
      "PRAGMA journal_mode=DELETE; PRAGMA page_size=1024; VACUUM; PRAGMA journal_mode=$2;" \
      >/dev/null
    cp "$tmp/$1.db" "$out/db/$1.db"
  }
  lines 1 120 >"$tmp/tagged.txt"
  seed_db tagged WAL
  lines 349 380 | grep -v '^[（(]' >"$tmp/untagged.txt"
  seed_db untagged DELETE
  rm -rf "$tmp"
fi
