#!/usr/bin/env bash
# jfts-index prepares files on a worker thread (indexer/prefetch.c); JFTS_INDEX_THREADS=1
# does everything on one thread. Both must print the same messages in the same order, exit
# the same way and build the same index (every passage row and every FTS5 token instance),
# on a first run over a tree with every kind of file and on a re-run after changes.
. "$JFTS_TESTDATA/store/cli_lib.bash"
: "${JFTS_EXT:?}"

mkdir -p tree/a tree/b tree/c
copy_corpus tree/a
cp "$JFTS_TESTDATA"/decode/sample.*.txt tree/b/
cp "$JFTS_TESTDATA"/report/*.txt tree/c/
printf '\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR' >tree/c/image.png           # binary: warning
printf 'title: 試験\nyear: 二千\nnot a pair\n' >tree/c/plain.meta         # sidecar warnings
printf '\xff\xfe\xfd not text \x80\x81' >tree/b/broken.txt              # decode error
for i in $(seq 1 40); do                                                 # many small files
  printf '第%d段落。地域包括支援センターと連携した。\n\n次の段落 %d。\n' "$i" "$i" >"tree/c/p$i.txt"
done
# Above a small piece size: streamed by the main thread, never prefetched.
awk 'BEGIN { for (i = 0; i < 400; i++) printf "行%04d 相談支援事業所との連携について記す。\n\n", i }' \
  >tree/c/long.txt

# digest DB: every stored row that does not depend on when it was stored, and the index.
digest() {
  sqlite3 "$1" "SELECT path, size, hash, encoding, title, publisher, year, source, tagged
                FROM files ORDER BY path" \
    "SELECT f.path, p.ordinal, p.ward, p.year, p.section, p.heading, p.label, p.text,
            p.raw_start, p.raw_end, p.line_start, p.line_end, hex(p.segs), p.n_tokens
     FROM passages p JOIN files f ON f.id = p.file_id ORDER BY f.path, p.ordinal" \
    "SELECT f.path, m.slot, m.meeting, m.count, m.text FROM meetings m
     JOIN files f ON f.id = m.file_id ORDER BY f.path, m.id" | md5sum
  sqlite3 "$1" ".load ${JFTS_EXT%.so}" \
    "CREATE VIRTUAL TABLE temp.vi USING fts5vocab(main, fts, instance)" \
    "SELECT v.term, f.path, p.ordinal, v.col, v.offset FROM temp.vi v
     JOIN passages p ON p.id = v.doc JOIN files f ON f.id = p.file_id
     ORDER BY 1, 2, 3, 4, 5" | md5sum
}

index_both() { # what ARGS...: runs jfts-index on one.db and two.db, compares everything
  local what=$1
  shift
  JFTS_INDEX_PIECE_BYTES=8192 JFTS_INDEX_THREADS=1 run "$JFTS_INDEX" --db one.db "$@"
  local rc1=$RC out1=$OUT err1=$ERR
  JFTS_INDEX_PIECE_BYTES=8192 JFTS_INDEX_THREADS=2 run "$JFTS_INDEX" --db two.db "$@"
  expect_eq "$RC" "$rc1" "$what: exit code"
  expect_eq "$OUT" "$out1" "$what: stdout"
  expect_eq "$ERR" "$err1" "$what: stderr"
  expect_eq "$(digest two.db)" "$(digest one.db)" "$what: database"
}

index_both "first run" --keep-going tree
expect_rc 3 "first run"
expect_match "$OUT" '^indexed 52 files \(56 documents, [0-9]+ passages, 36 meetings\); 0 unchanged; 44 untagged; 0 pruned; 1 skipped$' "first run summary"
expect_match "$ERR" "broken.txt" "first run: the decode error is reported"
expect_match "$ERR" "image.png: binary file" "first run: the binary file is reported"
expect_match "$ERR" "plain.meta:2: year is not a number" "first run: sidecar warning"
[ "$(sqlite3 two.db "SELECT count(*) FROM passages")" -gt 150 ] || fail "too few passages"

# A re-run: one file changed, one sidecar changed (same bytes, other metadata), one file
# gone and one new; the rest unchanged.
printf '変更した段落。8050 問題。\n' >>tree/c/p3.txt
printf 'title: 別の題\n' >tree/c/p7.meta
rm tree/c/p9.txt
printf '新しい文書です。\n' >tree/c/new.txt
index_both "re-run" --keep-going --prune tree
expect_match "$OUT" '^indexed 3 files \(3 documents, [0-9]+ passages, 0 meetings\); 49 unchanged; 3 untagged; 1 pruned; 1 skipped$' "re-run summary"

# An error without --keep-going stops both the same way, and changes nothing.
cp one.db one.before && cp two.db two.before
index_both "stop at an error" tree
expect_rc 1 "stop at an error"
cmp -s one.db one.before || fail "the failed run changed one.db"
