#!/usr/bin/env bash
# jfts-query --quotes / --wards / --by with --queries FILE on the bundled corpus: one process
# answers many queries; every row starts with its query (json key, CSV/TSV column, text "query:"
# line), each query's rows are exactly those the same query gives alone, a bad line is reported
# with its line number and skipped, and the exit statuses are search's with --queries.
. "$JFTS_TESTDATA/store/cli_lib.bash"
unset JFTS_THESAURUS
export LC_ALL=C

copy_corpus c
run "$JFTS_INDEX" --db t.db c
expect_rc 0 "index"

# Three queries, a blank line (skipped) and one query that is only punctuation (bad).
printf '%s\n' '8050問題' '' 'IGASU' '「」' '地域包括支援センター' >q.txt

# Each format: the rows of each query equal that query's rows alone, with its query first.
for fmt in json tsv csv; do
  for mode in --quotes --wards "--by year"; do
    # shellcheck disable=SC2086 # $mode is two words for --by
    run "$JFTS_QUERY" --db t.db $mode --exact --format $fmt --queries q.txt
    expect_rc 0 "$mode $fmt batch"
    expect_eq "$ERR" "jfts-query: line 4: nothing to search for in the query" "$mode $fmt bad line"
    cp .out batch.out
    python3 - "$fmt" batch.out "$JFTS_QUERY" t.db "$mode" <<'EOF' || fail "$mode $fmt rows"
import csv, io, json, subprocess, sys
fmt, path, query_bin, db, mode = sys.argv[1:]
def rows(text):
    if fmt == "json":
        return [json.loads(l) for l in text.splitlines() if l]
    if fmt == "csv":
        text = text.lstrip("\ufeff")
        return list(csv.DictReader(io.StringIO(text, newline="")))
    lines = text.rstrip("\n").split("\n")
    head = lines[0].split("\t")
    return [dict(zip(head, l.split("\t"))) for l in lines[1:]]
raw = open(path, "rb").read().decode("utf-8")
got = rows(raw)
if fmt == "csv" and raw.count("\ufeff") != 1:
    sys.exit(f"{fmt}: {raw.count(chr(0xfeff))} BOMs, one header expected")
if fmt != "json" and raw.count("query\t" if fmt == "tsv" else "query,") != 1:
    sys.exit(f"{fmt}: the header is not written once")
for q in ("8050問題", "IGASU", "地域包括支援センター"):
    alone = subprocess.run([query_bin, "--db", db, *mode.split(), "--exact", "--format", fmt, q],
                           capture_output=True, check=True).stdout.decode("utf-8")
    want = rows(alone)
    mine = [{k: v for k, v in r.items() if k != "query"} for r in got if r["query"] == q]
    if not want or mine != want:
        sys.exit(f"{fmt} {mode} {q}: {len(mine)} rows in the batch, {len(want)} alone")
if {r["query"] for r in got} != {"8050問題", "IGASU", "地域包括支援センター"}:
    sys.exit(f"queries in the rows: {sorted({r['query'] for r in got})}")
EOF
  done
done

# Text: a "query: ..." line before each query's rows, a blank line after them.
run "$JFTS_QUERY" --db t.db --quotes --exact --no-color --queries q.txt
expect_rc 0 "--quotes text batch"
expect_eq "$(grep '^query: ' .out | paste -sd'|' -)" "query: 8050問題|query: IGASU|query: 地域包括支援センター" \
  "query lines"
run "$JFTS_QUERY" --db t.db --quotes --exact --no-color 8050問題
alone=$OUT
run "$JFTS_QUERY" --db t.db --quotes --exact --no-color --queries q.txt
expect_eq "$(awk '/^query: 8050問題$/{on=1; next} /^$/{on=0} on' .out)" "$alone" "text rows of one query"

# --timing: one line per query line run, the bad one included, as for a search.
run "$JFTS_QUERY" --db t.db --wards --exact --timing --format json --queries q.txt
expect_rc 0 "--wards --timing"
expect_eq "$(grep -c '^jfts-query: timing: [0-9.]* ' <<<"$ERR")" 4 "timing lines"
expect_match "$(grep timing <<<"$ERR" | sed -n 2p)" "^jfts-query: timing: [0-9.]+ IGASU$" "timing names its query"

# Standard input; no valid line is a usage error; a missing file a failure.
run_in() { OUT=$("$@" <q.txt 2>.err); RC=$?; ERR=$(cat .err); }
run_in "$JFTS_QUERY" --db t.db --wards --exact --format json --queries -
expect_rc 0 "--queries - (stdin)"
expect_eq "$(grep -c '"query":"IGASU"' <<<"$OUT")" 5 "IGASU: one row per ward"
printf '%s\n' '「」' '' >bad.txt
run "$JFTS_QUERY" --db t.db --quotes --queries bad.txt
expect_rc 2 "no valid query"
expect_eq "$(tail -1 <<<"$ERR")" "jfts-query: no valid query in 'bad.txt'" "no valid query message"
run "$JFTS_QUERY" --db t.db --quotes --queries missing.txt
expect_rc 1 "missing --queries file"
expect_eq "$ERR" "jfts-query: cannot open 'missing.txt': No such file or directory" "missing message"
run "$JFTS_QUERY" --db t.db --quotes --queries q.txt 8050問題
expect_rc 2 "QUERY and --queries"
echo "ok"
