#!/usr/bin/env python3
"""Checks that two jfts-query builds print the same results (a speed change must not change
what is found): runs every query of the given files through both, under each option set
below, with --format json, and compares the output line by line (rows, order, scores,
counts, missing, matched, via, searched_as: everything jfts-query prints but timings).

usage: same_output.py --a BIN --b BIN --db DB [--extra "OPTS"]... [--thesaurus-queries] FILE...

--thesaurus-queries adds about 940 queries made (seed 7) from the words of query/thesaurus.txt
and the left sides of query/related.txt: each alone, in pairs and threes with common words,
with -exclusions, OR groups and quoted phrases, so that spelling variants and related texts
are exercised (the judged sets hold few).

(--format text too, for the totals line.) FILE: one query per line, or a TSV whose header names a `query` column (bench/relevance's
queries.tsv), or class<TAB>query lines (bench/harness.py queries). Prints per option set the
number of queries and of differing output lines, and the first differences; exits 1 when any
output differs or a run fails, else 0.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

OPTION_SETS = [
    [],
    ["--no-related"],
    ["--exact"],
    ["--all-words"],
    ["--limit", "30", "--offset", "5"],
    ["--sort", "doc", "--limit", "20"],
    ["--format", "text", "--no-color"],  # the totals line: every word / some / occurrences
]


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    if not lines:
        return []
    head = lines[0].split("\t")
    if "query" in head:
        col = head.index("query")
        return [l.split("\t")[col] for l in lines[1:] if len(l.split("\t")) > col]
    return [l.split("\t")[-1] for l in lines]


def thesaurus_queries():
    here = os.path.dirname(os.path.abspath(__file__))
    qdir = os.path.join(here, "..", "..", "query")
    words = []
    for name, sep in (("thesaurus.txt", None), ("related.txt", "=>")):
        with open(os.path.join(qdir, name), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                if sep:
                    if sep not in line:
                        continue
                    line = line.split(sep)[0]
                words += [w.strip() for w in re.split(r"[,=]", line) if w.strip()]
    words = [w for w in words if " " not in w]
    common = ["支援", "会議", "相談", "連携", "地域", "研修", "障害", "ファイル", "設定",
              "パッケージ"]
    rnd = random.Random(7)
    pick = rnd.choice
    qs = set(words)
    for _ in range(150):
        qs.add(pick(words) + " " + pick(words + common))
    for _ in range(60):
        qs.add(pick(words) + " " + pick(common) + " " + pick(words))
    for _ in range(40):
        qs.add(pick(words) + " -" + pick(common))
    for _ in range(30):
        qs.add(pick(common) + " -" + pick(words))
    for _ in range(30):
        qs.add(pick(words) + " OR " + pick(words) + " " + pick(common))
    for _ in range(20):
        qs.add('"' + pick(words) + '" ' + pick(common))
    return sorted(qs)


def run(bin_, db, qfile, opts):
    fmt = [] if "--format" in opts else ["--format", "json"]
    cmd = [bin_, "--db", db, "--queries", qfile] + fmt + opts
    p = subprocess.run(cmd, capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "replace").splitlines(), p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--a", required=True)
    ap.add_argument("--b", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--extra", action="append", default=[],
                    help="a further option set, space-separated")
    ap.add_argument("--thesaurus-queries", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    queries = []
    for f in args.files:
        queries += read_queries(f)
    if args.thesaurus_queries:
        queries += thesaurus_queries()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write("".join(q + "\n" for q in queries))
        qfile = f.name
    bad = 0
    for opts in OPTION_SETS + [e.split() for e in args.extra]:
        rc_a, out_a, err_a = run(args.a, args.db, qfile, opts)
        rc_b, out_b, err_b = run(args.b, args.db, qfile, opts)
        diff = [(i, x, y) for i, (x, y) in enumerate(zip(out_a, out_b)) if x != y]
        n_diff = len(diff) + abs(len(out_a) - len(out_b))
        same_rc = rc_a == rc_b and err_a == err_b
        print("%-32s %4d queries %6d lines  differing lines %d%s" %
              (" ".join(opts) or "(default)", len(queries), len(out_a), n_diff,
               "" if same_rc else "  exit codes or stderr differ: %d / %d" % (rc_a, rc_b)))
        for i, x, y in diff[:3]:
            print("  line %d\n    a: %s\n    b: %s" % (i + 1, x[:300], y[:300]))
        bad += n_diff > 0 or not same_rc
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
