#!/usr/bin/env python3
"""Picks, from a libFuzzer output corpus, the few inputs worth adding to a harness's seeds: the
ones that cover lines of the module under test that the seeds leave uncovered, chosen greedily
(most new lines first, the smaller input on a tie) until N are kept or none adds a line. The
whole output corpus is never copied: CI replays the seeds, and should stay quick.

Candidates are the inputs that libFuzzer's -merge=1 (edges only, -use_counters=0) takes from the
output corpus into a copy of the seeds; each is then replayed alone through the coverage build
of tests/fuzz/coverage.sh, whose module files (coverage.sh -m) decide what a line is worth.
Kept inputs are copied to tests/fuzz/corpus/<target>/lf-<first 12 hex digits of their SHA-1>
(make-seeds.sh keeps them), or to DIR/<target>/ with -d.

usage: tests/fuzz/pick_inputs.py [-n N] [-k] [-d DIR] [-b COV_BUILD] LIBFUZZER_BUILD TARGET CORPUS
Exit status: 0 done; 1 a tool failed; 2 usage error."""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.normpath(os.path.join(HERE, "..", ".."))


def tool(name):
    for cand in (name + "-14", name):
        path = shutil.which(cand)
        if path:
            return path
    sys.exit(f"pick_inputs: {name}(-14) not found")


def harness(build, target):
    for cand in (os.path.join(build, f"fuzz_{target}"), os.path.join(build, "tests", "fuzz", f"fuzz_{target}")):
        if os.access(cand, os.X_OK):
            return cand
    print(f"pick_inputs: no fuzz_{target} in {build}", file=sys.stderr)
    sys.exit(2)


def covered_lines(cov_bin, files, inputs, work):
    """The set of (file, line) of files that replaying inputs executes at least once."""
    for old in os.listdir(work):
        os.unlink(os.path.join(work, old))
    env = dict(os.environ, LLVM_PROFILE_FILE=os.path.join(work, "%p.profraw"))
    # A failing input (crash, hang) is left out: only what ran to its end counts.
    subprocess.run([cov_bin, "-runs=0", "-timeout=30", f"-artifact_prefix={work}/", *inputs], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    raws = [os.path.join(work, f) for f in os.listdir(work) if f.endswith(".profraw")]
    if not raws:
        return set()
    data = os.path.join(work, "all.profdata")
    subprocess.run([tool("llvm-profdata"), "merge", "-sparse", "-o", data, *raws], check=True)
    lcov = subprocess.run([tool("llvm-cov"), "export", "-format=lcov", "-instr-profile=" + data, cov_bin, *files],
                          check=True, stdout=subprocess.PIPE, text=True).stdout
    lines, current = set(), None
    for row in lcov.splitlines():
        if row.startswith("SF:"):
            current = row[3:]
        elif row.startswith("DA:"):
            line, count = row[3:].split(",")[:2]
            if int(count) > 0:
                lines.add((current, int(line)))
    return lines


def candidates(lf_bin, seeds, corpus, tmp):
    """The inputs of corpus that add an edge to the seeds, by libFuzzer's merge."""
    merged = os.path.join(tmp, "merged")
    os.mkdir(merged)
    before = set()
    for name in os.listdir(seeds):
        with open(os.path.join(seeds, name), "rb") as f:
            sha = hashlib.sha1(f.read()).hexdigest()
        shutil.copy(os.path.join(seeds, name), os.path.join(merged, sha))
        before.add(sha)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))
    r = subprocess.run([lf_bin, "-merge=1", "-use_counters=0", "-max_len=1048576", "-timeout=60",
                        "-rss_limit_mb=2560", merged, corpus], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    if r.returncode != 0:
        print(r.stdout[-2000:], file=sys.stderr)
        sys.exit("pick_inputs: libFuzzer's merge failed")
    return sorted(os.path.join(merged, n) for n in os.listdir(merged) if n not in before)


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("usage: ")[1].split("\n")[0])
    ap.add_argument("-n", type=int, default=20, help="inputs kept at most (default 20)")
    ap.add_argument("-k", action="store_true", help="only list what would be kept")
    ap.add_argument("-d", metavar="DIR", help="copy to DIR/<target>/ instead of the seeds")
    ap.add_argument("-b", metavar="COV_BUILD", default=os.path.join(SRC, "build-cov"),
                    help="coverage build of coverage.sh (default build-cov; built by coverage.sh)")
    ap.add_argument("lf_build")
    ap.add_argument("target")
    ap.add_argument("corpus")
    a = ap.parse_args()
    seeds = os.path.join(HERE, "corpus", a.target)
    if not os.path.isdir(seeds) or not os.path.isdir(a.corpus):
        ap.error(f"no {seeds} or {a.corpus}")
    lf_bin, cov_bin = harness(a.lf_build, a.target), harness(a.b, a.target)
    files = subprocess.run([os.path.join(HERE, "coverage.sh"), "-m", "-t", a.target], check=True,
                           stdout=subprocess.PIPE, text=True).stdout.split()
    with tempfile.TemporaryDirectory(prefix="jfts-pick.") as tmp:
        work = os.path.join(tmp, "prof")
        os.mkdir(work)
        cands = candidates(lf_bin, seeds, a.corpus, tmp)
        seed_files = sorted(os.path.join(seeds, n) for n in os.listdir(seeds))
        have = covered_lines(cov_bin, files, seed_files, work)
        gain = {}
        for c in cands:
            new = covered_lines(cov_bin, files, [c], work) - have
            if new:
                gain[c] = new
        print(f"pick_inputs: {a.target}: {len(cands)} inputs add an edge to the seeds, {len(gain)} a line "
              f"of the module ({len(have)} lines covered by the seeds)", file=sys.stderr)
        kept = []
        while gain and len(kept) < a.n:
            best = max(gain, key=lambda c: (len(gain[c]), -os.path.getsize(c)))
            added = gain.pop(best)
            kept.append((best, len(added)))
            have |= added
            gain = {c: g - have for c, g in gain.items() if g - have}
        dest = os.path.join(a.d, a.target) if a.d else seeds
        if kept and not a.k:
            os.makedirs(dest, exist_ok=True)
        for path, n_new in kept:
            name = "lf-" + os.path.basename(path)[:12]
            print(f"{name} {os.path.getsize(path)} bytes, +{n_new} lines")
            if not a.k:
                shutil.copy(path, os.path.join(dest, name))
        print(f"pick_inputs: {a.target}: {len(kept)} kept; seeds and them cover {len(have)} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
