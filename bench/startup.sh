#!/usr/bin/env bash
# jfts-query start-up (issue 15): wall time of one jfts-query process minus the query time it
# reports itself with --timing, median (and min/max) of N calls, per database. Start-up is
# what a script or a web server pays per request before the query: process, ICU, opening the
# index, and whatever search_prepare loads.
#
#   bench/startup.sh [-n N] [-q QUERY] [--exact] [--query-bin PATH] DB...
#
# --exact passes --exact (no thesaurus, no related topics), as bench/run.sh's start-up figure
# does; without it every call also loads the thesaurus and the related-topics file.
# Prints one line per database: DB, passages, median / min / max start-up ms, median query ms,
# the median CPU time of the whole process (user + system), the median of the 'load' time it
# reports (search_prepare), and the load average: on a busy machine wall time is mostly
# waiting for a core, so compare CPU time and 'load' there.
set -euo pipefail
n=20
query=条
exact=
bin=${JFTS_QUERY:-$(dirname "$0")/../build/jfts-query}
dbs=()
while [ $# -gt 0 ]; do
  case $1 in
    -n) n=$2; shift 2 ;;
    -q) query=$2; shift 2 ;;
    --exact) exact=--exact; shift ;;
    --query-bin) bin=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) dbs+=("$1"); shift ;;
  esac
done
[ ${#dbs[@]} -gt 0 ] || { echo "usage: $0 [-n N] [-q QUERY] [--exact] [--query-bin PATH] DB..." >&2; exit 2; }

for db in "${dbs[@]}"; do
  python3 - "$bin" "$db" "$query" "$n" "$exact" <<'EOF'
import os, re, resource, sqlite3, statistics, subprocess, sys, time
bin_, db, query, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
extra = [sys.argv[5]] if sys.argv[5] else []
rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
    "SELECT count(*) FROM passages").fetchone()[0]
starts, queries, cpus, loads = [], [], [], []
def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r.ru_utime + r.ru_stime) * 1000
for _ in range(n):
    c0 = child_cpu()
    t0 = time.perf_counter()
    p = subprocess.run([bin_, "--db", db, "--limit", "10", "--timing"] + extra + [query],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = (time.perf_counter() - t0) * 1000
    cpus.append(child_cpu() - c0)
    if p.returncode != 0:
        sys.exit(f"{bin_} failed on {db}: {p.stderr.strip()}")
    m = re.search(r"timing: ([0-9.]+)", p.stderr)
    q = float(m.group(1))
    m = re.search(r"load: ([0-9.]+)", p.stderr)
    loads.append(float(m.group(1)) if m else 0.0)
    starts.append(wall - q)
    queries.append(q)
print(f"{db}\t{rows} passages\tstart-up ms median {statistics.median(starts):.1f} "
      f"min {min(starts):.1f} max {max(starts):.1f}\tquery ms median "
      f"{statistics.median(queries):.1f}\tprocess CPU ms median {statistics.median(cpus):.0f}"
      f"\tsearch_prepare ('load') ms median {statistics.median(loads):.1f}"
      f"\tload average {os.getloadavg()[0]:.1f}")
EOF
done
