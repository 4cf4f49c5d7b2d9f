#!/usr/bin/env bash
# The loadable extension as users run it: the stock sqlite3 shell loads jfts_icu (with and
# without the .so suffix), builds an FTS5 table with tokenize='jfts' from the corpus lines
# (rowid = line number) and answers phrase queries, highlight() included.
set -u

fail() {
  echo "sqlite_ext.sh: $*" >&2
  exit 1
}

: "${JFTS_EXT:?JFTS_EXT must name the built jfts_icu extension}"
: "${JFTS_CORPUS:?JFTS_CORPUS must name the corpus directory}"
command -v sqlite3 >/dev/null || fail "the sqlite3 shell is not installed"
[ -f "$JFTS_EXT" ] || fail "no extension at '$JFTS_EXT'"
corpus="$JFTS_CORPUS/sendai-r3-jiritsushien.txt"
[ -f "$corpus" ] || fail "no corpus at '$corpus'"

work=$(mktemp -d) || fail "cannot create a temporary directory"
trap 'rm -rf "$work"' EXIT
db="$work/ext.db"

# One INSERT per non-blank line, quotes doubled for SQL.
awk '/[^ \t\r]/ { gsub(/\047/, "\047\047"); printf "INSERT INTO t(rowid, body) VALUES(%d, \047%s\047);\n", NR, $0 }' \
  "$corpus" >"$work/insert.sql" || fail "cannot write the insert script"

out=$(sqlite3 -batch "$db" 2>&1 <<EOF
.load $JFTS_EXT
CREATE VIRTUAL TABLE t USING fts5(body, tokenize='jfts');
BEGIN;
.read $work/insert.sql
COMMIT;
SELECT count(*) FROM t;
EOF
) || fail "building the table failed: $out"
[ "$out" = "362" ] || fail "expected 362 non-blank lines, got: $out"

# Queries run in a new shell that loads the extension by its name without the suffix.
ext_base="${JFTS_EXT%.so}"
query() {
  sqlite3 -batch "$db" 2>&1 <<EOF
.load $ext_base
SELECT group_concat(rowid, ',') FROM (SELECT rowid FROM t WHERE t MATCH '$1' ORDER BY rowid);
EOF
}

check() {
  local expr=$1 want=$2 got
  got=$(query "$expr") || fail "MATCH $expr failed: $got"
  [ "$got" = "$want" ] || fail "MATCH $expr: expected rows '$want', got '$got'"
}

# "8050 問題" (a space between scripts, lines 317, 467, 509) and "8050問題" (473) are one term.
check '"8050問題"' '317,467,473,509'
check '"8050 問題"' '317,467,473,509'
# Full-width and half-width, upper and lower case are the same word; the space is skipped.
check '"ｉｇａｓｕ会議"' '363,473,509,511'
check '"IGASU"' '363,473,509,511'
check '"gasu"' ''
# A term ending in one Japanese character needs the prefix marker, as jfts-query adds it.
check '"65歳" *' '293'
check '"泉" *' '691,791'
check '"地域包括"' '119,287,293,299,418,467,606,775'
# Punctuation between a number and kanji is not skipped.
check '"8050、問題"' ''

got=$(sqlite3 -batch "$db" 2>&1 <<EOF
.load $ext_base
SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH '"8050問題"' AND rowid = 473;
EOF
) || fail "highlight() failed: $got"
case "$got" in
  *"（IGASU会議）でも、[8050問題]をテーマとし"*) ;;
  *) fail "highlight() offsets are wrong: $got" ;;
esac

# Without the extension the tokenizer does not exist, and the shell says so.
got=$(sqlite3 -batch "$db" "SELECT count(*) FROM t WHERE t MATCH 'x'" 2>&1) &&
  fail "querying without the extension succeeded: $got"
case "$got" in
  *"no such tokenizer: jfts"*) ;;
  *) fail "unexpected error without the extension: $got" ;;
esac

exit 0
