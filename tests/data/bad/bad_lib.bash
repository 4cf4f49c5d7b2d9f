# Shared by the bad-input tests (tests/cli/bad_*.sh, concurrency.sh, killed.sh): on top of the
# store tests' runner and assertions, a fingerprint of what an index answers, of the database
# files' bytes, and a way to run a program as an unprivileged user (the tests run as root,
# whom file permissions do not stop).
. "$JFTS_TESTDATA/store/cli_lib.bash"

BAD_DATA=$JFTS_TESTDATA/bad

# answers DB: one line per question (documents, meetings, two searches in document order
# without scores, which move when other passages join), hashed. Equal answers before and
# after a failed run mean the index a user queries did not change.
answers() {
  local db=$1 q out
  {
    for q in --documents --meetings; do
      "$JFTS_QUERY" --db "$db" "$q" --format tsv || echo "rc=$? $q"
    done
    for q in 連携 支援; do
      out=$("$JFTS_QUERY" --db "$db" --limit 0 --sort doc --format json "$q") || echo "rc=$? $q"
      sed -E 's/"score":[^,]*,//' <<<"$out"
    done
  } | sha256sum | cut -c1-16
}

# db_bytes DB: the database file and its -wal/-journal companions, by content. For a run that
# must not write at all.
db_bytes() {
  local f
  for f in "$1" "$1-wal" "$1-journal"; do
    if [ -e "$f" ]; then printf '%s %s\n' "${f#"$1"}" "$(sha256sum <"$f" | cut -c1-16)"; fi
  done
}

# one_line WHAT: stderr ($ERR) is exactly one line.
one_line() {
  [ -n "$ERR" ] || fail "$1: nothing on stderr"
  [ "$(wc -l <<<"$ERR")" = 1 ] || fail "$1: stderr is not one line:
$ERR"
}

# as_nobody CMD...: runs CMD as uid/gid 65534 without supplementary groups. The programs, the
# shipped thesaurus and the related topics lie in the checkout, which nobody may not reach (a
# clone inside a mode-700 directory, as mktemp -d makes): nobody runs copies of them kept in
# $WORK, both as CMD and through $JFTS_INDEX, $JFTS_QUERY, $JFTS_THESAURUS and $JFTS_RELATED in
# what CMD starts.
as_nobody() {
  local bin=$WORK/.nobody cmd=$1
  shift
  if [ ! -d "$bin" ]; then
    mkdir -p "$bin"
    cp "$JFTS_INDEX" "$bin/jfts-index"
    cp "$JFTS_QUERY" "$bin/jfts-query"
    cp "${JFTS_SRC:?}/query/thesaurus.txt" "$bin/thesaurus.txt"
    cp "${JFTS_SRC:?}/query/related.txt" "$bin/related.txt"
    chmod -R a+rX "$bin"
  fi
  case $cmd in
    "$JFTS_INDEX") cmd=$bin/jfts-index ;;
    "$JFTS_QUERY") cmd=$bin/jfts-query ;;
  esac
  JFTS_INDEX=$bin/jfts-index JFTS_QUERY=$bin/jfts-query JFTS_THESAURUS=$bin/thesaurus.txt \
    JFTS_RELATED=$bin/related.txt setpriv --reuid=65534 --regid=65534 --clear-groups "$cmd" "$@"
}

# can_drop_privileges: root with setpriv, so that permission cases mean something.
can_drop_privileges() {
  [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
    as_nobody true 2>/dev/null
}

# big_line FILE MBYTES: a single line of Japanese text (no newline, no sentence end) of about
# MBYTES megabytes, cut at a character boundary.
big_line() {
  local s=地域の支援体制について関係機関と連携して検討を行った # 26 chars, 78 bytes
  (
    set +o pipefail # yes and tr end on SIGPIPE
    yes "$s" | tr -d '\n' | head -c $(($2 * 1000000 / 78 * 78)) >"$1"
  )
}

# big_text FILE MBYTES: about MBYTES megabytes of the bundled report repeated (five ward
# documents and 30 meetings a copy), each copy headed by a line "写しN" of its own, so that
# memory and time can be compared by size. Sets $N_COPIES.
big_text() {
  local src=$JFTS_CORPUS/$CORPUS_FILE.txt per_block=100 i k
  local n_bytes
  n_bytes=$(stat -c %s "$src")
  N_COPIES=$((($2 * 1000000 / n_bytes + per_block) / per_block * per_block))
  local block="$WORK/.block"
  for ((i = 0; i < per_block; i++)); do cat "$src"; done >"$block"
  # One marker line per copy; awk inserts them as it streams the repeated block.
  for ((k = 0; k < N_COPIES / per_block; k++)); do cat "$block"; done |
    awk -v src_lines="$(wc -l <"$src")" 'NR % src_lines == 1 { printf "写し%d\n", n++ } { print }' >"$1"
  rm -f "$block"
}

# peak_rss_kb CMD...: runs CMD under /usr/bin/time -v; $RC, $OUT, $ERR as run(); sets
# $PEAK_KB (maximum resident set size) and $WALL_S (elapsed seconds). $ERR keeps only CMD's
# own stderr.
peak_rss_kb() {
  run /usr/bin/time -v -o "$WORK/.time" "$@"
  PEAK_KB=$(sed -nE 's/^\s*Maximum resident set size \(kbytes\): ([0-9]+)/\1/p' "$WORK/.time")
  WALL_S=$(sed -nE 's/^\s*Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.*)/\1/p' \
    "$WORK/.time" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
}

# hold_write_lock DB SQL: a sqlite3 client (pid in $holder, fed through fd 7 and the FIFO
# ./hold) runs SQL, which must take DB's write lock (BEGIN IMMEDIATE...), and keeps it until
# the caller writes COMMIT or ROLLBACK to fd 7. Returns once the lock is held: polls it rather
# than sleeping (the holder's .timeout waits out the probes), so nothing depends on timing.
hold_write_lock() {
  mkfifo hold
  sqlite3 -cmd '.timeout 60000' "$1" <hold >/dev/null 2>&1 &
  holder=$!
  exec 7>hold
  echo "$2" >&7
  local probes=0
  until ! sqlite3 -cmd '.timeout 0' "$1" 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null; do
    kill -0 $holder || fail "the lock holder died"
    probes=$((probes + 1))
    [ $probes -lt 20000 ] || fail "the lock holder never took the lock"
  done
}
