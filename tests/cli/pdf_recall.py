#!/usr/bin/env python3
"""Recall of jfts-index + jfts-query on a PDF against pdftotext, page by page.
Usage: pdf_recall.py JFTS_INDEX JFTS_QUERY PDF_DUMP FILE.pdf WORKDIR [SAMPLES]
Draws SAMPLES (default 40, seed 1) random Japanese substrings of 1-8 characters from single
pdftotext lines (within a run of text without white space), searches them all with one
jfts-query --quotes --exact --queries process (each row names its query), and checks: every page where pdftotext has the substring in the
page's body (more often than in the running headers and footers the reader set apart, and
than in the title lines of the report documents found there, which --documents lists and
passages do not repeat) holds a quote (recall 1.000), and every quote's page is a page where pdftotext has it, or where the
PDF reader's body text (pdf_dump) has it with the soft wraps joined (pdftotext's reading order
does not join a word wrapped in a narrow column), a match starting on the page and running
into the next. Both sides NFKC + casefolded, white space removed. Prints the recall and each miss; exit 1 on a miss."""
import json
import os
import random
import re
import subprocess
import sys
import unicodedata

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).casefold())


def main():
    index, query, dump, path, work = sys.argv[1:6]
    n_samples = int(sys.argv[6]) if len(sys.argv) > 6 else 40
    rng = random.Random(1)
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    n_pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    pages, lines = {}, []
    for p in range(1, n_pages + 1):
        t = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-f", str(p), "-l", str(p),
                            path, "-"], capture_output=True, text=True).stdout
        pages[p] = norm(t)
        lines += [(p, run) for ln in t.split("\n")
                  for run in JAPANESE.findall(unicodedata.normalize("NFKC", ln))]
    furniture, body = {}, {}
    out = subprocess.run([dump, path], capture_output=True, text=True).stdout
    for ln in out.split("\n"):
        m = re.match(r"^(\d+):(furniture|\d+)\t(.*)$", ln)
        if m and m.group(2) == "furniture":
            furniture[int(m.group(1))] = furniture.get(int(m.group(1)), "") + norm(m.group(3))
        elif m:
            body.setdefault(int(m.group(1)), []).append(norm(m.group(3)))
    # A page's body and the start of the next: where a match may start on the page.
    joined = {q: "".join(body.get(q, [])) + "".join(body.get(q + 1, [])[:2]) for q in pages}
    db = os.path.join(work, os.path.basename(path) + ".db")
    subprocess.run([index, "--db", db, path], capture_output=True, check=True)
    docs = subprocess.run([query, "--db", db, "--documents", "--format", "json"],
                          capture_output=True, text=True, check=True).stdout
    for r in (json.loads(d) for d in docs.split("\n") if d):
        if r["ward"] and r["title"] and r["page"]:
            furniture[r["page"]] = furniture.get(r["page"], "") + norm(r["title"])
    samples = []
    for _ in range(n_samples):
        if not lines:
            break
        p, run = rng.choice(lines)
        k = rng.randint(1, min(8, len(run)))
        i = rng.randint(0, len(run) - k)
        s = norm(run[i:i + k])
        # A phrase: punctuation typed in an unquoted word separates words (・内 = 内).
        samples.append((s, f'"{s}"' if '"' not in s else s))
    # One jfts-query process for every sample (--queries: each row names its query).
    qfile = os.path.join(work, "queries.txt")
    with open(qfile, "w", encoding="utf-8") as f:
        f.write("".join(phrase + "\n" for _, phrase in samples))
    res = subprocess.run([query, "--db", db, "--quotes", "--exact", "--format", "json",
                          "--queries", qfile], capture_output=True, text=True)
    pages_of = {}
    for r in (json.loads(r) for r in res.stdout.split("\n") if r):
        pages_of.setdefault(r["query"], set()).add(r["page"])
    misses, n_found, n_expected = [], 0, 0
    if samples and res.returncode != 0:
        misses.append(f"jfts-query --queries: rc {res.returncode}: {res.stderr.strip()[:300]}")
    for s, phrase in samples:
        want = {q for q in pages if pages[q].count(s) > furniture.get(q, "").count(s)}
        allowed = {q for q in pages if s in pages[q] or s in joined[q]}
        got = pages_of.get(phrase, set())
        n_expected += len(want)
        n_found += len(want & got)
        if want - got:
            misses.append(f"{s}: pages {sorted(want - got)} not found")
        if got - allowed:
            misses.append(f"{s}: quoted on pages {sorted(got - allowed)}, pdftotext has it on "
                          f"{sorted(allowed)}")
    recall = n_found / n_expected if n_expected else 1.0
    print(f"{os.path.basename(path)}: recall {recall:.3f} ({n_found}/{n_expected} pages)")
    for m in misses:
        print("  MISS", m)
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
