#!/usr/bin/env python3
"""Scores search configurations against a judged set (by default the one in this directory).

usage: score.py --db JFTS_DB [--query PROG] [--set DIR] [--per-query]

--set DIR scores another judged set: DIR (relative to this directory, e.g. 'heldout', or absolute)
holds its own queries.tsv and qrels.tsv in the same formats; the default is this directory's main
set. A set other than the main one is announced by a '## set: ...' line, and only the kinds it
has queries of are printed (the main set's output is unchanged).

For every query of queries.tsv and every configuration it takes the top 10 (nDCG@10, recall@10)
and the top 1000 (recall overall, zero-result rate), and prints per kind and in one summary
table. Configurations:
  jfts            build/jfts-query (default options)
  jfts --exact    no thesaurus expansion
  jfts --all-words  (an option that may not exist yet: a run that exits 2 naming the option as
                  unrecognized/unknown makes the whole configuration n/a)
  fts5-trigram    SQLite FTS5, trigram tokenizer, bm25, built here in a temp DB from the jfts DB's
                  passages (text, heading, label; bm25 weights 1, 0.4, 0.4 as jfts uses).
                  Each whitespace-separated word is a quoted phrase, ANDed. A word under 3
                  characters cannot match trigrams: it becomes an instr() filter over
                  text||heading||label; if every word is that short there is no MATCH and no
                  bm25, and hits come in passage order.
Passages are keyed 'file basename:line_start' as in qrels.tsv; grades not listed are 0.
Metrics: nDCG@10 with gain = grade (0/1/2), discount log2(rank+1), ideal DCG from the qrels;
recall = share of graded (grade >= 1) passages retrieved, in the top 10 and in the top 1000;
zero = share of queries with no hit at all. A configuration's means are over all queries of
the kind (a query without hits counts 0).
"""
import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ("term", "words", "topic")
TOP = 10
DEEP = 1000


class NotAvailable(Exception):
    """The configuration cannot be run by this jfts-query (unknown option)."""


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, line.rstrip("\n").split("\t"))) for line in f if line.strip()]


def load_set(set_dir):
    """Reads set_dir's queries.tsv and qrels.tsv; stops on a kind or query id it does not know."""
    queries = read_tsv(os.path.join(set_dir, "queries.tsv"))
    qrels = {q["id"]: {} for q in queries}
    for q in queries:
        if q["kind"] not in KINDS:
            sys.exit(f"score.py: {set_dir}: query {q['id']}: unknown kind {q['kind']!r}")
    for r in read_tsv(os.path.join(set_dir, "qrels.tsv")):
        if r["query_id"] not in qrels:
            sys.exit(f"score.py: {set_dir}: qrels name unknown query {r['query_id']!r}")
        qrels[r["query_id"]][r["passage"]] = int(r["grade"])
    return queries, qrels


def passage_key(path, line_start):
    return f"{os.path.basename(path)}:{line_start}"


def jfts_runner(prog, db, options):
    """Returns run(words, limit) -> [key], raising NotAvailable for an unknown option."""

    def run(words, limit):
        cmd = [prog, "--db", db, "--format", "json", "--limit", str(limit), *options, "--", *words]
        p = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8")
        if p.returncode == 2 and any(o in p.stderr for o in options) and (
            "unrecognized option" in p.stderr or "unknown option" in p.stderr
        ):
            raise NotAvailable(p.stderr.strip().splitlines()[0])
        if p.returncode != 0:
            sys.exit(f"score.py: {' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
        rows = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        return [passage_key(r["file"], r["line_start"]) for r in rows]

    return run


def trigram_runner(jfts_db, tmpdir):
    """Builds the FTS5 trigram table from jfts's passages; returns run(words, limit)."""
    con = sqlite3.connect(os.path.join(tmpdir, "trigram.db"))
    src = sqlite3.connect(f"file:{jfts_db}?mode=ro", uri=True)
    rows = src.execute(
        "SELECT p.id, f.path, p.line_start, p.text, coalesce(p.heading,''), coalesce(p.label,'')"
        " FROM passages p JOIN files f ON f.id = p.file_id ORDER BY p.id"
    ).fetchall()
    src.close()
    con.execute("CREATE TABLE keys(id INTEGER PRIMARY KEY, key TEXT NOT NULL)")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(text, heading, label, tokenize='trigram')")
    for pid, path, line_start, text, heading, label in rows:
        con.execute("INSERT INTO keys VALUES (?, ?)", (pid, passage_key(path, line_start)))
        con.execute(
            "INSERT INTO t(rowid, text, heading, label) VALUES (?, ?, ?, ?)",
            (pid, text, heading, label),
        )
    con.commit()

    def run(words, limit):
        long_words = [w for w in words if len(w) >= 3]
        short_words = [w for w in words if len(w) < 3]
        where, args = [], []
        if long_words:
            where.append("t MATCH ?")
            args.append(" AND ".join('"' + w.replace('"', '""') + '"' for w in long_words))
        for w in short_words:
            # Trigram cannot match under 3 characters: plain substring filter, no bm25.
            where.append("instr(t.text || char(10) || t.heading || char(10) || t.label, ?) > 0")
            args.append(w)
        order = "bm25(t, 1.0, 0.4, 0.4), t.rowid" if long_words else "t.rowid"
        sql = (
            "SELECT k.key FROM t JOIN keys k ON k.id = t.rowid WHERE "
            + " AND ".join(where)
            + f" ORDER BY {order} LIMIT ?"
        )
        return [r[0] for r in con.execute(sql, (*args, limit))]

    return run


def ndcg(ranked, grades, k=TOP):
    dcg = sum(grades.get(key, 0) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall(ranked, grades):
    relevant = {key for key, g in grades.items() if g > 0}
    return len(relevant.intersection(ranked)) / len(relevant) if relevant else 0.0


def score_config(run, queries, qrels, known, per_query):
    """Returns {kind: [(ndcg, r10, rall, zero)]} or raises NotAvailable."""
    out = {k: [] for k in KINDS}
    for q in queries:
        words = q["query"].split()
        top = run(words, TOP)
        deep = run(words, DEEP)
        for key in deep:
            if key not in known:
                print(f"score.py: warning: {q['id']}: passage {key} is not in the judged set",
                      file=sys.stderr)
        g = qrels[q["id"]]
        row = (ndcg(top, g), recall(top, g), recall(deep, g), 1.0 if not deep else 0.0)
        out[q["kind"]].append(row)
        if per_query is not None:
            per_query.append((q["id"], q["query"], row, len(deep)))
    return out


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def fmt(x):
    return "n/a" if x is None else f"{x:.3f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="jfts database indexed from corpus/")
    ap.add_argument("--query", default=os.path.join(HERE, "..", "..", "build", "jfts-query"))
    ap.add_argument("--set", default=HERE, metavar="DIR",
                    help="judged set to score: a directory with queries.tsv and qrels.tsv, relative"
                         " to this script's directory (e.g. heldout); default the main set")
    ap.add_argument("--per-query", action="store_true", help="also print each query's scores")
    a = ap.parse_args()

    set_dir = os.path.normpath(os.path.join(HERE, a.set))
    for name in ("queries.tsv", "qrels.tsv"):
        if not os.path.isfile(os.path.join(set_dir, name)):
            sys.exit(f"score.py: --set {a.set}: no {name} in {set_dir}")
    queries, qrels = load_set(set_dir)
    # Only the kinds the set has: the held-out set has no term queries, and an empty kind would
    # print a row of nan. The main set has all three, so its output does not change.
    kinds = [k for k in KINDS if any(q["kind"] == k for q in queries)]
    if set_dir != os.path.normpath(HERE):
        print(f"## set: {os.path.relpath(set_dir, HERE)} ({len(queries)} queries)")
    src = sqlite3.connect(f"file:{a.db}?mode=ro", uri=True)
    known = {
        passage_key(p, l)
        for p, l in src.execute(
            "SELECT f.path, p.line_start FROM passages p JOIN files f ON f.id = p.file_id"
        )
    }
    src.close()
    for qid, grades in qrels.items():
        for key in grades:
            if key not in known:
                sys.exit(f"score.py: {qid}: judged passage {key} is not in {a.db} (re-judge)")

    with tempfile.TemporaryDirectory(prefix="jfts-relevance-") as tmp:
        configs = [
            ("jfts", jfts_runner(a.query, a.db, [])),
            ("jfts --exact", jfts_runner(a.query, a.db, ["--exact"])),
            ("jfts --all-words", jfts_runner(a.query, a.db, ["--all-words"])),
            ("fts5-trigram bm25", trigram_runner(a.db, tmp)),
        ]
        results, notes = {}, []
        for name, run in configs:
            pq = [] if a.per_query else None
            try:
                results[name] = score_config(run, queries, qrels, known, pq)
            except NotAvailable as e:
                results[name] = None
                notes.append(f"{name}: n/a ({e})")
            if pq is not None and results[name] is not None:
                print(f"\n{name}: id, query, nDCG@10, R@10, R@1000, hits")
                for qid, text, (n, r10, rall, _), hits in pq:
                    print(f"  {qid}\t{text}\t{n:.3f}\t{r10:.3f}\t{rall:.3f}\t{hits}")

    counts = {k: sum(1 for q in queries if q["kind"] == k) for k in kinds}
    metric_names = ("nDCG@10", "recall@10", "recall@1000", "zero-result rate")
    for kind in kinds:
        print(f"\n### {kind} ({counts[kind]} queries)\n")
        print("| configuration | " + " | ".join(metric_names) + " |")
        print("|---|" + "---:|" * len(metric_names))
        for name, _ in configs:
            r = results[name]
            vals = [None] * 4 if r is None else [mean([row[i] for row in r[kind]]) for i in range(4)]
            print(f"| {name} | " + " | ".join(fmt(v) for v in vals) + " |")

    print(f"\n### summary ({len(queries)} queries: "
          + ", ".join(f"{counts[k]} {k}" for k in kinds) + ")\n")
    cols = [f"nDCG@10 {k}" for k in kinds] + ["nDCG@10 all", "recall@10 all", "recall@1000 all",
                                              "zero-result all"]
    print("| configuration | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for name, _ in configs:
        r = results[name]
        if r is None:
            print(f"| {name} | " + " | ".join(["n/a"] * len(cols)) + " |")
            continue
        rows = [row for k in kinds for row in r[k]]
        vals = [mean([row[0] for row in r[k]]) for k in kinds]
        vals += [mean([row[i] for row in rows]) for i in range(4)]
        print(f"| {name} | " + " | ".join(fmt(v) for v in vals) + " |")
    for n in notes:
        print(f"\n{n}")


if __name__ == "__main__":
    main()
