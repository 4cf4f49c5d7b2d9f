#!/usr/bin/env bash
# Query latency of the engine alternatives (issue 15): each query REPS times in a row inside
# one `jfts-query --queries F --timing` process (the first run of each query is a warm-up and
# not counted), per database and binary. Prints, per query: passages found, p50 / p99 / max ms.
#
#   bench/short_query.sh [-r REPS] [--query-bin PATH] DB [QUERY...]
#
# Default queries: one kanji of a frequent word (条, 定, 用), one kana (の), a long compound of
# frequent bigrams (第百二十条第一項), a frequent word (する, in half the passages of the Debian
# set) and a symbol (％).
set -euo pipefail
reps=20
bin=${JFTS_QUERY:-$(dirname "$0")/../build/jfts-query}
args=()
while [ $# -gt 0 ]; do
  case $1 in
    -r) reps=$2; shift 2 ;;
    --query-bin) bin=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ ${#args[@]} -ge 1 ] || { echo "usage: $0 [-r REPS] [--query-bin PATH] DB [QUERY...]" >&2; exit 2; }
db=${args[0]}
queries=("${args[@]:1}")
[ ${#queries[@]} -gt 0 ] || queries=(条 定 用 の 第百二十条第一項 する ％)

python3 - "$bin" "$db" "$reps" "${queries[@]}" <<'EOF'
import os, re, subprocess, sys, tempfile
bin_, db, reps, queries = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
    for q in queries:
        f.write((q + "\n") * (reps + 1))
    qfile = f.name
p = subprocess.run([bin_, "--db", db, "--queries", qfile, "--limit", "10", "--timing",
                    "--format", "json"], capture_output=True, text=True)
os.unlink(qfile)
if p.returncode != 0:
    sys.exit(f"{bin_}: {p.stderr.strip()}")
times = {}
for line in p.stderr.splitlines():
    m = re.match(r".*timing: ([0-9.]+) (.*)$", line)
    if m:
        times.setdefault(m.group(2), []).append(float(m.group(1)))
counts = {}
for q in queries:
    c = subprocess.run([bin_, "--db", db, "--limit", "1", q], capture_output=True, text=True)
    first = c.stdout.splitlines()[0] if c.stdout else "0 passages"
    counts[q] = first.split(",")[0]
print(f"# {db} ({bin_}), {reps} timed runs per query, load average {os.getloadavg()[0]:.1f}")
for q in queries:
    t = sorted(times.get(q, [])[1:])
    if not t:
        print(f"{q}\tno timing")
        continue
    p50 = t[len(t) // 2]
    p99 = t[min(len(t) - 1, int(round(0.99 * (len(t) - 1))))]
    print(f"{q}\t{counts[q]}\tp50 {p50:.2f}\tp99 {p99:.2f}\tmax {t[-1]:.2f} ms")
EOF
