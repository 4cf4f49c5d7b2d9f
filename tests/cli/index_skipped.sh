#!/usr/bin/env bash
# A directory walk passes over the files that are not text (office documents, images,
# programs) with a warning each, and says once per run, on stderr, how many files of which
# kinds it skipped: "skipped 6 files: 3 .docx, 2 binary, 1 .xlsx". The documents beside
# them (text, PDF, Markdown) are indexed; a file named on the command line is no part of it.
. "$JFTS_TESTDATA/store/cli_lib.bash"

mkdir -p w/sub w/.hidden
copy_corpus c
cp "c/$CORPUS_FILE.txt" w/
cp "$JFTS_TESTDATA/pdf/table.pdf" w/sub/
printf '# 見出し\n\n本文の段落。\n' >w/sub/notes.md
# Real office files are ZIP archives; write three small ones the way Python's zipfile does.
/usr/bin/python3 - <<'PY'
import zipfile
for name in ("w/a.docx", "w/sub/b.DOCX", "w/sub/c.docx", "w/d.xlsx", "w/.hidden/e.docx"):
    with zipfile.ZipFile(name, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
PY
cp /bin/true w/sub/program          # ELF, no extension: "binary"
printf 'abc\0def\n' >w/broken.txt   # a .txt with a NUL byte: "binary" too
run "$JFTS_INDEX" --db t.db w
expect_rc 0 "walk with files that are not text"
expect_eq "$(grep -c ': warning: .*; skipped$' <<<"$ERR")" 6 "one warning per skipped file"
expect_eq "$(tail -1 <<<"$ERR")" "jfts-index: skipped 6 files: 3 .docx, 2 binary, 1 .xlsx" \
  "the summary line"
expect_eq "$(grep -c 'skipped [0-9]* file' <<<"$ERR")" 1 "said once per run"
expect_match "$OUT" '^indexed 3 files ' "text, PDF and Markdown indexed"
expect_eq "$(sqlite3 t.db 'SELECT path FROM files ORDER BY path' | tr '\n' ' ')" \
  "w/$CORPUS_FILE.txt w/sub/notes.md w/sub/table.pdf " "files stored"

# A second run skips the same files again and says so again; unchanged files are unchanged.
run "$JFTS_INDEX" --db t.db w
expect_rc 0 "second run"
expect_eq "$(tail -1 <<<"$ERR")" "jfts-index: skipped 6 files: 3 .docx, 2 binary, 1 .xlsx" \
  "second run: the summary line"
expect_match "$OUT" '; 3 unchanged;' "second run: unchanged"

# --quiet: the warnings stay, the summary lines go.
run "$JFTS_INDEX" --db t.db --quiet w
expect_rc 0 "--quiet"
expect_eq "$(grep -c 'skipped [0-9]* file' <<<"$ERR")" 0 "--quiet: no summary line"
expect_eq "$(grep -c '; skipped$' <<<"$ERR")" 6 "--quiet: the warnings"

# One kind, one file: the plural follows the count.
mkdir one
cp w/d.xlsx one/
cp "c/$CORPUS_FILE.txt" one/
run "$JFTS_INDEX" --db one.db one
expect_eq "$ERR" "jfts-index: warning: one/d.xlsx: binary file (ZIP); skipped
jfts-index: skipped 1 file: 1 .xlsx" "one skipped file"

# A binary file named on the command line is an error, not a skipped file of a walk.
run "$JFTS_INDEX" --db n.db w/a.docx
expect_rc 1 "binary file named"
expect_eq "$ERR" "jfts-index: w/a.docx: binary file (ZIP)" "named: one error line"

# Nothing skipped: no summary line.
run "$JFTS_INDEX" --db c.db c
expect_eq "$ERR" "" "nothing skipped: stderr empty"
