#!/usr/bin/env python3
"""Query latency of two jfts-query builds side by side (issue 14's floor: query p99 no worse
than 1.2x the build before the search work), on the same queries, in one run.

usage: p99_compare.py --queries TSV --a NAME:BIN:DB --b NAME:BIN:DB [--rounds N] [--reps N]

TSV: class<TAB>query lines (bench/harness.py queries writes them). Each round runs, for every
class and for both builds in turn (the order alternating between rounds, so that load from
other processes falls on both alike), one `BIN --db DB --queries F --limit 10 --timing --format
json` process over the class's queries, each REPS times in a row; round 1 is a warm-up and not
counted. Prints per class and build: runs, p50 and p99 of the per-query wall times that
--timing reports (ms), the CPU time (user + system) of the processes per query run (ms), and
the ratios b/a; the row "all" pools every class. Wall times include waiting for the CPU on
a loaded machine; CPU times do not.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

TIMING_RE = re.compile(r"^jfts-query: timing: ([0-9.]+) ")


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(0, min(len(xs) - 1, int(round(q / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def run_class(bin_, db, queries, reps):
    """Returns ([ms per query run], cpu ms per query run) for one process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        for q in queries:
            f.write((q + "\n") * reps)
        qfile = f.name
    before = os.times()
    p = subprocess.run([bin_, "--db", db, "--queries", qfile, "--limit", "10", "--timing",
                        "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, encoding="utf-8")
    after = os.times()
    os.unlink(qfile)
    if p.returncode != 0:
        sys.exit(f"{bin_}: exit {p.returncode}: {p.stderr.strip()[:300]}")
    ms = [float(m.group(1)) for m in map(TIMING_RE.match, p.stderr.splitlines()) if m]
    cpu = (after.children_user - before.children_user +
           after.children_system - before.children_system) * 1000.0
    return ms, cpu / max(1, len(ms))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", required=True)
    ap.add_argument("--a", required=True, help="NAME:BIN:DB (the reference)")
    ap.add_argument("--b", required=True, help="NAME:BIN:DB")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    builds = [tuple(x.split(":", 2)) for x in (a.a, a.b)]
    classes = {}
    with open(a.queries, encoding="utf-8") as f:
        for line in f:
            if "\t" in line:
                c, q = line.rstrip("\n").split("\t", 1)
                classes.setdefault(c, []).append(q)
    times = {(c, b[0]): [] for c in classes for b in builds}
    cpus = {(c, b[0]): [] for c in classes for b in builds}
    for r in range(a.rounds):
        order = builds if r % 2 == 0 else builds[::-1]
        for c, qs in classes.items():
            for name, bin_, db in order:
                ms, cpu = run_class(bin_, db, qs, a.reps)
                if r > 0:
                    times[(c, name)] += ms
                    cpus[(c, name)].append(cpu)
    na, nb = builds[0][0], builds[1][0]
    print(f"| class | runs | {na} p50 / p99 ms | {nb} p50 / p99 ms | p99 {nb}/{na} |"
          f" CPU ms per query {na} / {nb} | CPU {nb}/{na} |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = list(classes) + ["all"]
    for c in classes:  # "all": every class's runs pooled
        times.setdefault(("all", na), []).extend(times[(c, na)])
        times.setdefault(("all", nb), []).extend(times[(c, nb)])
        cpus.setdefault(("all", na), []).extend(cpus[(c, na)])
        cpus.setdefault(("all", nb), []).extend(cpus[(c, nb)])
    for c in rows:
        ta, tb = times[(c, na)], times[(c, nb)]
        ca = sum(cpus[(c, na)]) / len(cpus[(c, na)])
        cb = sum(cpus[(c, nb)]) / len(cpus[(c, nb)])
        print(f"| {c} | {len(tb)} | {pct(ta, 50):.2f} / {pct(ta, 99):.2f} |"
              f" {pct(tb, 50):.2f} / {pct(tb, 99):.2f} | {pct(tb, 99) / pct(ta, 99):.2f} |"
              f" {ca:.2f} / {cb:.2f} | {cb / ca:.2f} |")


if __name__ == "__main__":
    main()
