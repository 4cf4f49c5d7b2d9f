#!/usr/bin/env bash
# Hostile and damaged databases, rows of the README's bad-input table: a view or a trigger in
# place of jfts's tables, a table missing a column, a huge passage id, a segment map of the
# wrong length, a passage whose file is gone, a full-text index that no longer matches its
# passages. Each is refused or named ("the index is corrupt (...)") within a bounded time,
# never a hang, an "out of memory" or a silent wrong answer; jfts-index --check finds the
# damage (exit 1) and passes an intact index (exit 0).
. "$JFTS_TESTDATA/bad/bad_lib.bash"

T=30 # seconds: far more than any of these runs takes
: "${JFTS_EXT:?}"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"
run timeout $T "$JFTS_INDEX" --db t.db --check
expect_rc 0 "--check, intact index"
expect_eq "$OUT" "'t.db': ok (82 passages checked)" "--check, intact index: stdout"
expect_eq "$ERR" "" "--check, intact index: stderr"
run "$JFTS_INDEX" --db t.db --check c
expect_rc 2 "--check with a PATH"
answers0=$(answers t.db)

# Schema objects that are not jfts's: refused when opened, by both programs, untouched.
cp t.db view.db
sqlite3 view.db "ALTER TABLE files RENAME TO files0;
  CREATE VIEW files AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
  SELECT files0.* FROM files0, r;"
cp t.db trigger.db
sqlite3 trigger.db "CREATE TRIGGER t AFTER INSERT ON passages BEGIN DELETE FROM files; END;"
cp t.db column.db
sqlite3 column.db "ALTER TABLE meetings DROP COLUMN passage_id"
cp t.db shadow.db
sqlite3 shadow.db "ALTER TABLE fts_config RENAME TO cfg; CREATE VIEW fts_config AS SELECT * FROM cfg;"
for case in "view:it has a view 'files'" "trigger:it has a trigger 't'" \
  "column:table 'meetings' lacks some of its columns" "shadow:it has a view 'fts_config'"; do
  db=${case%%:*}.db why=${case#*:}
  before=$(db_bytes "$db")
  run timeout $T "$JFTS_QUERY" --db "$db" 連携
  expect_rc 1 "query $db"
  expect_eq "$ERR" "jfts-query: '$db' is not a jfts database ($why)" "query $db: stderr"
  run timeout $T "$JFTS_INDEX" --db "$db" c
  expect_rc 1 "index $db"
  expect_eq "$ERR" "jfts-index: '$db' is not a jfts database ($why)" "index $db: stderr"
  run timeout $T "$JFTS_INDEX" --db "$db" --check
  expect_rc 1 "--check $db"
  expect_eq "$(db_bytes "$db")" "$before" "$db untouched"
done

# One passage id of 300,000,000 (the full-text index rebuilt to match): the same answers, in
# bounded memory (the per-id arrays once took 3.8 GB and 14 s).
cp t.db bigid.db
sqlite3 -cmd ".load $JFTS_EXT" bigid.db "UPDATE passages SET id = 300000000 WHERE id = 35;
  INSERT INTO fts(fts) VALUES('rebuild');"
peak_rss_kb timeout $T "$JFTS_QUERY" --db bigid.db --limit 0 --sort doc --format json 連携
expect_rc 0 "query with a huge passage id"
[ "$PEAK_KB" -lt 100000 ] || fail "huge passage id: peak RSS $PEAK_KB KB"
expect_eq "$(sed -E 's/"(score|id)":[^,]*,//g' <<<"$OUT")" \
  "$("$JFTS_QUERY" --db t.db --limit 0 --sort doc --format json 連携 | sed -E 's/"(score|id)":[^,]*,//g')" \
  "huge passage id: answers"
run timeout $T "$JFTS_INDEX" --db bigid.db --check
expect_rc 0 "--check, huge passage id (consistent)"

# Rows that contradict themselves: named as corruption, by the query and by --check.
corrupt() { # NAME SQL: a copy of t.db changed by SQL
  cp t.db "$1.db"
  sqlite3 "$1.db" "$2"
}
# x'0102': a segment cut short after two of its five varints; x'0000e8070000': one segment of
# 1,000 bytes (e8 07) at the start of a shorter passage.
corrupt segs "UPDATE passages SET segs = x'0102' WHERE id = 5"
corrupt beyond "UPDATE passages SET segs = x'0000e8070000' WHERE id = 5"
corrupt orphan "UPDATE passages SET file_id = 99 WHERE id = 35"
for case in "segs|passage 5: a segment map that does not decode (2 bytes)|passage 5: its segment map does not decode" \
  "beyond|passage 5: segment 0 lies beyond its text|passage 5: a segment lies beyond its text" \
  "orphan|passage 35 names file 99, which is not in the index|passage 35 names file 99, which is not in the index"; do
  IFS='|' read -r name q_why c_why <<<"$case"
  db=$name.db
  run timeout $T "$JFTS_QUERY" --db "$db" --limit 0 --sort doc の
  expect_rc 1 "query $db"
  expect_eq "$(tail -1 <<<"$ERR")" "jfts-query: '$db': the index is corrupt ($q_why); re-index with jfts-index" "query $db: stderr"
  run timeout $T "$JFTS_INDEX" --db "$db" --check
  expect_rc 1 "--check $db"
  expect_eq "$ERR" "jfts-index: '$db': $c_why
jfts-index: '$db': the index is corrupt (1 problem); re-index with jfts-index" "--check $db: stderr"
done

# The full-text index out of step with the passages (a passage's text changed behind FTS5's
# back): queries cannot see it cheaply; --check does.
cp t.db fts.db
sqlite3 fts.db "UPDATE passages SET text = 'まったく別の文' WHERE id = 7"
run timeout $T "$JFTS_INDEX" --db fts.db --check
expect_rc 1 "--check, FTS5 out of step"
expect_match "$ERR" "^jfts-index: 'fts.db': the full-text index does not match the passages \(FTS5 integrity-check: .*\)
jfts-index: 'fts.db': the index is corrupt \(1 problem\); re-index with jfts-index$" "--check, FTS5 out of step: stderr"

# Damaged pages (two pages in the middle of the file overwritten with 0xff): --check says so.
cp t.db pages.db
head -c 8192 /dev/zero | tr '\0' '\377' | dd of=pages.db bs=4096 seek=5 count=2 conv=notrunc status=none
run timeout $T "$JFTS_INDEX" --db pages.db --check
expect_rc 1 "--check, damaged pages"
expect_match "$ERR" "the index is corrupt|malformed" "--check, damaged pages: stderr"

expect_eq "$(answers t.db)" "$answers0" "the original index answers as before"
