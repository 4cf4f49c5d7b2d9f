#!/usr/bin/env bash
# Queries keep working while jfts-index re-indexes a changed, larger corpus (WAL mode): every
# answer given during the run is exactly the old index's or exactly the new one's, never an
# error, a partial listing or a mixture of the two.
. "$JFTS_TESTDATA/bad/bad_lib.bash"

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "first index"

# The questions asked during the run: they all see the change to the corpus file, and the
# document listing and the totals also the new files.
ask() { # N: writes question N's answer to stdout, exit code to stderr's last line
  case $1 in
    0) "$JFTS_QUERY" --db t.db --documents --format tsv ;;
    1) "$JFTS_QUERY" --db t.db --limit 5 --format json 連携 ;;
    2) "$JFTS_QUERY" --db t.db --limit 3 --sort doc zyxwv ;;
    3) "$JFTS_QUERY" --db t.db --meetings --ward 泉区 --format csv ;;
  esac
}
N_QUESTIONS=4
for q in $(seq 0 $((N_QUESTIONS - 1))); do
  ask "$q" >"old$q" || fail "question $q on the old index: exit $?"
done

# The change: a new word in the corpus file, one ward's table row renamed, 200 more files.
printf '\n追記：zyxwv の検討を行った。\n' >>c/$CORPUS_FILE.txt
sed -i 's/IGASU/IGASU改/' c/$CORPUS_FILE.txt
mkdir c/more
for i in $(seq 200); do
  { printf 'copy%d\n' "$i"; cat c/$CORPUS_FILE.txt; } >c/more/r$i.txt
done

"$JFTS_INDEX" --db t.db --quiet c >index.out 2>index.err &
pid=$!
# Synchronised on the lock, not on time: once the run holds the write lock (its transaction
# has begun), it is stopped, every question is asked while it holds the lock mid-run, and it
# goes on; then questions are asked again for as long as it runs.
until ! sqlite3 -cmd '.timeout 0' t.db 'BEGIN IMMEDIATE; ROLLBACK;' 2>/dev/null; do
  kill -0 $pid 2>/dev/null || fail "the re-index ended before it was seen holding the lock"
done
kill -STOP $pid
n=0 during=0
for q in $(seq 0 $((N_QUESTIONS - 1))); do
  set +e
  ask "$q" >"a$n.out" 2>"a$n.err"
  echo $? >"a$n.rc"
  set -e
  echo "$q 1" >"a$n.q"
  n=$((n + 1)) during=$((during + 1))
done
kill -CONT $pid
while :; do
  alive=0
  kill -0 $pid 2>/dev/null && alive=1
  q=$((n % N_QUESTIONS))
  set +e
  ask "$q" >"a$n.out" 2>"a$n.err"
  echo $? >"a$n.rc"
  set -e
  echo "$q $alive" >"a$n.q"
  n=$((n + 1))
  during=$((during + alive))
  [ $alive = 1 ] || break
done
set +e
wait $pid
rc=$?
set -e
[ $rc = 0 ] || fail "the re-index failed (exit $rc): $(cat index.err)"

for q in $(seq 0 $((N_QUESTIONS - 1))); do
  ask "$q" >"new$q" || fail "question $q on the new index: exit $?"
  cmp -s "old$q" "new$q" && fail "question $q: same answer before and after the change"
done

n_old=0 n_new=0
for ((i = 0; i < n; i++)); do
  read -r q alive <"a$i.q"
  [ "$(cat "a$i.rc")" = 0 ] || fail "query $i (question $q) exit $(cat "a$i.rc"): $(cat "a$i.err")"
  [ ! -s "a$i.err" ] || fail "query $i (question $q) stderr: $(cat "a$i.err")"
  if cmp -s "a$i.out" "old$q"; then
    n_old=$((n_old + 1))
  elif cmp -s "a$i.out" "new$q"; then
    n_new=$((n_new + 1))
  else
    fail "query $i (question $q) is neither the old nor the new answer:
$(diff "old$q" "a$i.out" | head -5)
---
$(diff "new$q" "a$i.out" | head -5)"
  fi
done
[ "$n_old" -gt 0 ] || fail "no query answered from the old index during the re-index"
echo "$n queries ($during while jfts-index ran): $n_old old answers, $n_new new" >&2

# Two jfts-index runs at once on the same database: the second waits for the first's write
# lock (no time limit) and then works from what the first committed: both succeed, every
# changed file is indexed exactly once between them, and nothing is stored twice. No timing:
# a third client holds the write lock until both runs have opened the database, so both
# start before either can write, and whichever wins the lock, the other waits for it.
for f in c/more/r*.txt; do printf '追記：wvuts\n' >>"$f"; done
hold_write_lock t.db "BEGIN IMMEDIATE;"
db_real=$(realpath t.db)
has_db_open() { # PID: the process has t.db open
  local fd
  for fd in /proc/"$1"/fd/*; do
    [ "$(readlink "$fd" 2>/dev/null)" = "$db_real" ] && return 0
  done
  return 1
}
"$JFTS_INDEX" --db t.db c >first.out 2>first.err &
pid=$!
"$JFTS_INDEX" --db t.db c >second.out 2>second.err &
pid2=$!
until has_db_open $pid && has_db_open $pid2; do
  kill -0 $pid && kill -0 $pid2 || fail "a run ended while the lock was held: $(cat first.err second.err)"
done
echo "ROLLBACK;" >&7
exec 7>&-
wait $holder
set +e
wait $pid2
rc2=$?
set +e
wait $pid
rc1=$?
set -e
expect_eq "$rc1 $(cat first.err)" "0 " "first of two runs at once"
expect_eq "$rc2 $(cat second.err)" "0 " "second of two runs at once"
n1=$(sed -E 's/^indexed ([0-9]+) files? .*/\1/' first.out)
n2=$(sed -E 's/^indexed ([0-9]+) files? .*/\1/' second.out)
expect_eq "$((n1 + n2))" 200 "files indexed by the two runs ($n1 + $n2)"
expect_eq "$(sqlite3 t.db 'SELECT count(*), count(DISTINCT path) FROM files')" "201|201" "files after two runs"
run "$JFTS_QUERY" --db t.db wvuts
expect_eq "$(head -1 <<<"$OUT")" "200 passages, 200 occurrences" "every change indexed once"
