#!/usr/bin/env python3
"""Benchmark harness for jfts and the tools it is compared with (see bench/README.md).

Builds the text corpus (Debian's Japanese documentation, or a tiny one from corpus/ in smoke
mode), the passages every tool indexes, the queries and the oracle, drives Groonga and ripgrep,
and prints the comparison table. Standard library only, so CI needs nothing beyond python3.
"""
import argparse
import concurrent.futures
import glob
import gzip
import html.parser
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.parse
import zipfile

# Debian 12 packages with Japanese documentation. Packages that apt-cache does not know are
# skipped with a note, so the list may name more than a given mirror carries.
PACKAGES = [
    "manpages-ja", "manpages-ja-dev", "debian-reference-ja", "debian-faq-ja",
    "debian-policy-ja", "developers-reference-ja", "maint-guide-ja", "aptitude-doc-ja",
    "libreoffice-help-ja", "gimp-help-ja", "debian-edu-doc-ja", "debian-edu-doc-legacy-ja",
    "kicad-doc-ja", "lilypond-doc-html-ja", "libjlha-java-doc-ja", "xdvik-ja", "scilab-doc-ja",
    # Multilingual packages: only their Japanese files are used (JA_PATH_RE).
    "debian-handbook", "installation-guide-amd64", "apt", "dpkg", "man-db", "po4a",
]
JA_PATH_RE = re.compile(r"(^|[/_.-])ja([/_.-]|$)|ja-JP")

# Kana, CJK punctuation, ideographs and full-width forms: the characters that count as
# Japanese when deciding whether a file is "mostly Japanese" and whether a wrap joins without
# a space.
J_CLASS = "\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uffef"
J_RE = re.compile("[" + J_CLASS + "]")
J_SPACE_RE = re.compile("(?<=[" + J_CLASS + "]) (?=[" + J_CLASS + "])")
J_WRAP_RE = re.compile("(?<=[" + J_CLASS + "])[ \t\r\f]*\n\\s*(?=[" + J_CLASS + "])")

MIN_JA_FRACTION = 0.30   # Japanese characters ÷ non-space characters for a file to be kept
MIN_FILE_CHARS = 200     # shorter files are index pages and stubs
PASSAGE_TARGET = 300     # characters; longer paragraphs are cut at 。 (or a line end) near this
PASSAGE_MAX = 4096       # bytes, as jfts (REPORT_PASSAGE_MAX)
HEADING_MAX = 40         # characters: a one-line paragraph this short is a heading


def note(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def ja_fraction(text):
    nonspace = sum(1 for c in text if not c.isspace())
    return len(J_RE.findall(text)) / nonspace if nonspace else 0.0


def tidy(text, join_spaces):
    """Strip indentation, collapse blank runs, and join Japanese across wraps without a space.

    groff joins wrapped source lines with a space, so for man pages (join_spaces) a single space
    between two Japanese characters is taken to be such a join and removed."""
    out = []
    blank = True
    for line in text.split("\n"):
        line = re.sub(r"[ \t\u00a0]+", " ", line.strip())
        if join_spaces:
            line = J_SPACE_RE.sub("", line)
        if not line:
            if not blank:
                out.append("")
            blank = True
            continue
        out.append(line)
        blank = False
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n" if out else ""


class _HtmlText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
             "table", "tr", "pre", "blockquote", "section", "article", "header", "footer",
             "nav", "aside", "title", "hr", "figure", "figcaption", "caption", "form", "main"}
    SKIP = {"script", "style", "noscript", "svg", "math", "nav", "header", "aside"}
    # Navigation repeated on every page of a manual (LilyPond's table of contents, Sphinx
    # sidebars, DocBook header/footer links) would turn into thousands of duplicate passages.
    SKIP_BLOCKS = {"tocframe", "sphinxsidebar", "related", "navheader", "navfooter", "footer",
                   "highlighting-settings"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0
        self.pre = 0
        self.block_skip = []  # stack of [tag, depth] for a skipped navigation element

    def handle_starttag(self, tag, attrs):
        if self.block_skip:
            if tag == self.block_skip[-1][0]:
                self.block_skip[-1][1] += 1
            return
        names = set()
        for k, v in attrs:
            if k in ("id", "class") and v:
                names.update(v.split())
        if names & self.SKIP_BLOCKS and tag not in ("br", "img", "hr", "meta", "link", "input"):
            self.block_skip.append([tag, 1])
            return
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\x01")
        elif tag in self.BLOCK:
            self.parts.append("\x02")
            if tag == "pre":
                self.pre += 1
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if self.block_skip:
            return
        if tag == "br":
            self.parts.append("\x01")
        elif tag in self.BLOCK:
            self.parts.append("\x02")

    def handle_endtag(self, tag):
        if self.block_skip:
            if tag == self.block_skip[-1][0]:
                self.block_skip[-1][1] -= 1
                if self.block_skip[-1][1] == 0:
                    self.block_skip.pop()
            return
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\x02")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_data(self, data):
        if self.skip or self.block_skip:
            return
        self.parts.append(data.replace("\n", "\x01") if self.pre else data)


def decode_bytes(raw):
    m = re.search(rb"charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096], re.I)
    encodings = ([m.group(1).decode("ascii")] if m else []) + ["utf-8", "euc-jp", "shift_jis", "iso-2022-jp"]
    for enc in encodings:
        try:
            return raw.decode(enc)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("utf-8", "replace")


def html_to_text(raw):
    p = _HtmlText()
    p.feed(decode_bytes(raw))
    p.close()
    # Joined first, so that a wrap next to an inline tag (…。</span>\n いずれ) joins too.
    text = J_WRAP_RE.sub("", "".join(p.parts))
    # Whitespace runs outside <pre> collapse to one space; \x01 is a line break, \x02 a block edge.
    text = re.sub(r"[ \t\r\n\f\v]+", " ", text)
    text = re.sub(r" *\x02[\x02 ]*", "\n\n", text)
    text = text.replace("\x01", "\n")
    return tidy(unicodedata.normalize("NFC", text), join_spaces=False)


def man_to_text(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    first = raw.lstrip()[:4]
    if first == b".so " or len(raw) < 64:
        return ""  # an alias of another page
    # -k runs preconv (UTF-8 input); a huge line length leaves wrapping to us; cR=1 gives one
    # continuous page instead of page headers every 66 lines.
    proc = subprocess.run(["groff", "-k", "-t", "-Tutf8", "-mandoc", "-rLL=4000n", "-rHY=0",
                           "-rcR=1", "-P-cbou"], input=raw, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, env=dict(os.environ, GROFF_NO_SGR="1"))
    text = proc.stdout.decode("utf-8", "replace")
    return tidy(unicodedata.normalize("NFC", text), join_spaces=True)


def _convert_one(job):
    kind, src, dst = job
    try:
        if kind == "man":
            text = man_to_text(src)
        else:
            with open(src, "rb") as f:
                text = html_to_text(f.read())
    except Exception as e:  # a broken input file must not stop the corpus build
        return dst, 0, 0.0, "error: %s" % e
    if len(text) < MIN_FILE_CHARS:
        return dst, len(text), 0.0, "short"
    frac = ja_fraction(text)
    if frac < MIN_JA_FRACTION:
        return dst, len(text), frac, "not-japanese"
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text)
    return dst, len(text.encode("utf-8")), frac, "kept"


def _source_jobs(root, outdir):
    jobs = []
    for pkg in sorted(os.listdir(root)):
        base = os.path.join(root, pkg)
        for dirpath, _, files in os.walk(base):
            for fn in sorted(files):
                src = os.path.join(dirpath, fn)
                if os.path.islink(src):
                    continue
                rel = os.path.relpath(src, base)
                if not pkg.endswith("-ja") and not JA_PATH_RE.search(rel):
                    continue
                if "/man/" in "/" + rel and re.search(r"\.\d\w*(\.gz)?$", fn):
                    kind = "man"
                elif fn.endswith((".html", ".htm")) and "big-page" not in fn \
                        and fn not in ("search.html", "genindex.html"):
                    kind = "html"
                else:
                    continue
                name = re.sub(r"^usr/share/", "", rel)
                name = re.sub(r"(\.gz)$", "", name)
                name = re.sub(r"\.html?$", "", name).replace("/", "_")
                jobs.append((kind, src, os.path.join(outdir, pkg + "--" + name + ".txt")))
    return jobs


def fetch_packages(cache):
    debs = os.path.join(cache, "debs")
    root = os.path.join(cache, "root")
    os.makedirs(debs, exist_ok=True)
    wanted = []
    for pkg in PACKAGES:
        if glob.glob(os.path.join(debs, pkg + "_*.deb")):
            continue
        show = subprocess.run(["apt-cache", "show", "--no-all-versions", pkg],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if show.returncode != 0:
            note("apt-cache does not know %s; skipped (run apt-get update?)" % pkg)
            continue
        wanted.append(pkg)
    if wanted:
        subprocess.run(["apt-get", "download", "-q"] + wanted, cwd=debs, check=True,
                       stdout=subprocess.DEVNULL)
    for deb in sorted(glob.glob(os.path.join(debs, "*.deb"))):
        pkg = os.path.basename(deb).split("_")[0]
        dest = os.path.join(root, pkg)
        if not os.path.isdir(dest):
            os.makedirs(dest + ".tmp", exist_ok=True)
            subprocess.run(["dpkg-deb", "-x", deb, dest + ".tmp"], check=True)
            # scilab-doc-ja ships its help as HTML inside a JavaHelp jar.
            for jar in glob.glob(os.path.join(dest + ".tmp", "**", "*.jar"), recursive=True):
                with zipfile.ZipFile(jar) as z:
                    for m in z.namelist():
                        if m.endswith(".html") and not m.startswith("/") and ".." not in m:
                            z.extract(m, jar[:-4])
            os.rename(dest + ".tmp", dest)
    return root


def smoke_sources(src_dir, cache):
    """Smoke corpus: the bundled corpus cut into a few small files, no network."""
    root = os.path.join(cache, "smoke-src")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    for path in sorted(glob.glob(os.path.join(src_dir, "*.txt"))):
        with open(path, encoding="utf-8") as f:
            paras = [p for p in re.split(r"\n\s*\n", f.read()) if p.strip()]
        per = max(1, len(paras) // 4)
        for i in range(0, len(paras), per):
            name = "%s-%02d.txt" % (os.path.basename(path)[:-4], i // per)
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(tidy("\n\n".join(paras[i:i + per]), join_spaces=False))
    return root


def make_copies(src, dst, copies):
    shutil.rmtree(dst, ignore_errors=True)
    for k in range(1, copies + 1):
        d = os.path.join(dst, "copy%d" % k)
        os.makedirs(d)
        for fn in sorted(os.listdir(src)):
            try:
                os.link(os.path.join(src, fn), os.path.join(d, fn))
            except OSError:
                shutil.copyfile(os.path.join(src, fn), os.path.join(d, fn))


def cmd_corpus(args):
    cache = args.cache
    out1 = os.path.join(cache, "corpus-1x")
    out4 = os.path.join(cache, "corpus-4x")
    stamp = os.path.join(out1, ".complete")
    if os.path.exists(stamp) and not args.force:
        if not os.path.isdir(out4):
            make_copies(out1, out4, 4)
        return
    t0 = time.time()
    shutil.rmtree(out1, ignore_errors=True)
    os.makedirs(out1)
    if args.smoke:
        src = smoke_sources(args.smoke_src, cache)
        for fn in sorted(os.listdir(src)):
            shutil.copyfile(os.path.join(src, fn), os.path.join(out1, fn))
        note("smoke corpus: %d files" % len(os.listdir(out1)))
    else:
        root = fetch_packages(cache)
        t1 = time.time()
        note("fetched and unpacked in %.1f s" % (t1 - t0))
        jobs = _source_jobs(root, out1)
        stats = {}
        with concurrent.futures.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as ex:
            for dst, n, frac, status in ex.map(_convert_one, jobs, chunksize=16):
                pkg = os.path.basename(dst).split("--")[0]
                s = stats.setdefault(pkg, {"kept": 0, "dropped": 0, "bytes": 0})
                if status == "kept":
                    s["kept"] += 1
                    s["bytes"] += n
                else:
                    s["dropped"] += 1
        with open(os.path.join(cache, "corpus-stats.json"), "w") as f:
            json.dump(stats, f, indent=1, sort_keys=True)
        note("converted %d inputs in %.1f s" % (len(jobs), time.time() - t1))
    make_copies(out1, out4, 4)
    open(stamp, "w").close()
    files = [f for f in os.listdir(out1) if f.endswith(".txt")]
    total = 0
    jchars = nonspace = 0
    for fn in files:
        with open(os.path.join(out1, fn), encoding="utf-8") as f:
            t = f.read()
        total += len(t.encode("utf-8"))
        jchars += len(J_RE.findall(t))
        nonspace += sum(1 for c in t if not c.isspace())
    note("corpus-1x: %d files, %.1f MB, %.0f%% Japanese characters (of non-space), %.1f s total"
         % (len(files), total / 1e6, 100.0 * jchars / max(1, nonspace), time.time() - t0))


# ---------------------------------------------------------------------------------------------
# Passages: the same units for every tool that takes rows (FTS5, Groonga) and for the oracle.

def _paragraphs(lines):
    """(first_index, end_index) of each blank-line-separated paragraph; a one-line paragraph of
    at most HEADING_MAX characters without 。 is a heading and joins the paragraph after it, as
    jfts keeps headings with the passage below them."""
    paras = []
    i, n = 0, len(lines)
    while i < n:
        if not lines[i].strip():
            i += 1
            continue
        j = i
        while j < n and lines[j].strip():
            j += 1
        paras.append([i, j])
        i = j
    out = []
    pending = None
    for i, j in paras:
        start = pending if pending is not None else i
        if j == i + 1 and len(lines[i]) <= HEADING_MAX and "。" not in lines[i]:
            if pending is None:
                pending = i
            continue
        out.append((start, j))
        pending = None
    if pending is not None:
        out.append((pending, paras[-1][1]))
    return out


def split_passages(text):
    """Yield (line_start, line_end, text) with 1-based lines: paragraphs split at blank lines
    (headings joined to the next one), paragraphs longer than PASSAGE_TARGET characters cut
    after a 。 (or at a line end) once that long, and never more than PASSAGE_MAX bytes."""
    lines = text.split("\n")
    for i, j in _paragraphs(lines):
        # Units: sentences ending in 。 and line ends, each tagged with its line number.
        units = []
        for k in range(i, j):
            if not lines[k].strip():
                continue
            pieces = [p for p in re.split(r"(?<=。)", lines[k]) if p]
            for m, p in enumerate(pieces):
                eol = m == len(pieces) - 1
                while len(p.encode("utf-8")) > PASSAGE_MAX // 2:  # a line without 。
                    cut = PASSAGE_MAX // 8
                    units.append((k + 1, p[:cut], False))
                    p = p[cut:]
                units.append((k + 1, p, eol))
        buf, start, last = "", None, None
        for ln, piece, eol in units:
            if start is not None and len((buf + piece).encode("utf-8")) > PASSAGE_MAX:
                yield start, last, buf.rstrip("\n")
                buf, start = "", None
            if start is None:
                start = ln
            buf += piece + ("\n" if eol else "")
            last = ln
            if len(buf) >= PASSAGE_TARGET:
                yield start, last, buf.rstrip("\n")
                buf, start = "", None
        if buf.strip():
            yield start, last, buf.rstrip("\n")


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def unesc(s):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "\\": "\\"}.get(m.group(1), m.group(1)), s)


def corpus_files(corpus_dir):
    out = []
    for dirpath, _, files in os.walk(corpus_dir):
        for fn in files:
            if fn.endswith(".txt"):
                out.append(os.path.join(dirpath, fn))
    return sorted(out)


def cmd_passages(args):
    """Writes id<TAB>file<TAB>line_start<TAB>line_end<TAB>text (text escaped: \\t \\n \\\\)."""
    n = 0
    nbytes = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for path in corpus_files(args.corpus):
            rel = os.path.relpath(path, args.corpus)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            for ls, le, body in split_passages(text):
                n += 1
                nbytes += len(body.encode("utf-8"))
                out.write("%d\t%s\t%d\t%d\t%s\n" % (n, rel, ls, le, esc(body)))
    note("%s: %d passages, %.1f MB of passage text" % (args.out, n, nbytes / 1e6))


def read_passages(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            pid, fn, ls, le, body = line.rstrip("\n").split("\t", 4)
            yield int(pid), fn, int(ls), int(le), unesc(body)


def norm(s):
    return unicodedata.normalize("NFKC", s).casefold()


# ---------------------------------------------------------------------------------------------
# Queries: words drawn from the corpus by frequency. A "word" is a maximal run of kanji and
# katakana (Japanese has no spaces; a run between kana and punctuation is close to a word or
# a compound), plus the two hiragana words every Japanese text is full of.

WORD_RE = re.compile("[\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc]+")
FIXED_SHORT = ["する", "ます"]
CLASSES = [  # class name, number of queries, allowed lengths in characters
    ("short", 17, (1, 2)),
    ("three", 17, (3, 3)),
    ("long", 16, (4, 10)),
]


def _draw(cands, k, rng):
    """k words spread over frequency: the i-th is drawn from the i-th of k bands of rank that
    are equally wide on a log scale, so both the most frequent and rare words are present."""
    if len(cands) <= k:
        return list(cands)
    picks = []
    n = len(cands)
    for i in range(k):
        lo = int(round(n ** (i / k))) - 1
        hi = max(lo + 1, int(round(n ** ((i + 1) / k))) - 1)
        band = [w for w in cands[lo:hi] if w not in picks] or [w for w in cands if w not in picks]
        picks.append(rng.choice(band))
    return picks


def cmd_queries(args):
    counts = {}
    for path in corpus_files(args.corpus):
        with open(path, encoding="utf-8") as f:
            for w in WORD_RE.findall(f.read()):
                counts[w] = counts.get(w, 0) + 1
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for name, k, (lo, hi) in CLASSES:
            fixed = [w for w in FIXED_SHORT if name == "short"]
            cands = sorted((w for w, n in counts.items()
                            if lo <= len(w) <= hi and n >= args.min_count and w not in fixed),
                           key=lambda w: (-counts[w], w))
            words = fixed
            if name == "short":
                # A third of the short ones are single characters, the rest two.
                ones = [w for w in cands if len(w) == 1]
                twos = [w for w in cands if len(w) == 2]
                n1 = (k - len(fixed)) // 3
                words = words + _draw(ones, n1, rng) + _draw(twos, k - len(fixed) - n1, rng)
            else:
                words = words + _draw(cands, k, rng)
            for w in words:
                out.write("%s\t%s\n" % (name, w))
    note("%s: queries drawn (seed %d)" % (args.out, args.seed))


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if line.strip()]


def cmd_oracle(args):
    """Per query, the passages whose NFKC-casefolded text contains the NFKC-casefolded query."""
    queries = read_queries(args.queries)
    texts = [(pid, norm(body)) for pid, _, _, _, body in read_passages(args.passages)]
    with open(args.out, "w") as out:
        for qi, (_, q) in enumerate(queries):
            nq = norm(q)
            ids = [pid for pid, t in texts if nq in t]
            out.write("%d\t%s\n" % (qi, " ".join(map(str, ids))))


# ---------------------------------------------------------------------------------------------
# Groonga: one process loads the passages and then builds the index; a second one answers all
# queries over stdin, and its own reported elapsed time is the query time.

def _groonga_select(word, limit, columns, sort):
    q = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
    params = [("table", "Passages"), ("match_columns", "body"), ("query", q)]
    if sort:
        params.append(("sort_keys", "-_score"))
    # cache=no: Groonga caches select results, which would turn every repeat into a lookup.
    params += [("limit", str(limit)), ("output_columns", columns), ("cache", "no")]
    return "/d/select?" + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)


def cmd_groonga_cmds(args):
    with open(args.build_out, "w", encoding="utf-8") as out:
        out.write("table_create Passages TABLE_NO_KEY\n")
        out.write("column_create Passages body COLUMN_SCALAR LongText\n")
        out.write("load --table Passages\n[\n")
        first = True
        expect = 1
        for pid, _, _, _, body in read_passages(args.passages):
            if pid != expect:  # _id of a TABLE_NO_KEY is the load order; hits map back by it
                raise SystemExit("harness: passage ids must run 1, 2, 3...: got %d" % pid)
            expect += 1
            out.write(("" if first else ",\n") + json.dumps({"body": body}, ensure_ascii=False))
            first = False
        out.write("\n]\n")
        out.write("table_create Terms TABLE_PAT_KEY ShortText --default_tokenizer TokenBigram "
                  "--normalizer NormalizerAuto\n")
        out.write("column_create Terms body_index COLUMN_INDEX|WITH_POSITION Passages body\n")
    with open(args.query_out, "w", encoding="utf-8") as out:
        for _, word in read_queries(args.queries):
            for _ in range(args.reps + 1):  # the first run warms up and is not counted
                out.write(_groonga_select(word, 10, "_id,_score", True) + "\n")
            out.write(_groonga_select(word, -1, "_id", False) + "\n")


def _groonga_responses(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def cmd_groonga_parse(args):
    if args.build_responses:
        for resp in _groonga_responses(args.build_responses):
            if resp[0][0] != 0:
                raise SystemExit("harness: groonga build failed: %s" % json.dumps(resp[0]))
    if not args.query_responses:
        return
    queries = read_queries(args.queries)
    resps = list(_groonga_responses(args.query_responses))
    per = args.reps + 2
    if len(resps) != per * len(queries):
        raise SystemExit("harness: groonga answered %d of %d commands" % (len(resps), per * len(queries)))
    with open(args.timings, "w") as tf, open(args.hits, "w") as hf:
        for qi in range(len(queries)):
            block = resps[qi * per:(qi + 1) * per]
            for resp in block:
                if resp[0][0] != 0:
                    raise SystemExit("harness: groonga query %d failed: %s" % (qi, json.dumps(resp[0])))
            for resp in block[1:-1]:
                rows = len(resp[1][0]) - 2
                tf.write("%d\t%.4f\t%d\n" % (qi, resp[0][2] * 1000.0, rows))
            ids = [str(r[0]) for r in block[-1][1][0][2:]]
            hf.write("%d\t%s\n" % (qi, " ".join(ids)))


# ---------------------------------------------------------------------------------------------
# ripgrep: no index; one whole process per query, as a user would run it.

def _passage_lines(passages_path):
    by_file = {}
    for pid, fn, ls, le, _ in read_passages(passages_path):
        by_file.setdefault(fn, []).append((ls, le, pid))
    return by_file


def cmd_ripgrep(args):
    queries = read_queries(args.queries)
    base = ["rg", "--no-ignore", "-j1", "-F"]  # --no-ignore: bench/cache/ is git-ignored
    with open(args.timings, "w") as tf:
        for qi, (_, word) in enumerate(queries):
            for r in range(args.reps + 1):
                t0 = time.perf_counter()
                p = subprocess.run(base + ["-c", "--", word, args.corpus], stdout=subprocess.PIPE)
                ms = (time.perf_counter() - t0) * 1000.0
                if p.returncode not in (0, 1):
                    raise SystemExit("harness: rg failed on query %d" % qi)
                if r > 0:
                    lines = sum(int(l.rsplit(b":", 1)[-1]) for l in p.stdout.splitlines() if l)
                    tf.write("%d\t%.4f\t%d\n" % (qi, ms, lines))
    # Peak RSS from GNU time, once per query: this process's own rusage would count the
    # forked copy of Python before exec.
    rss_kb = 0
    if os.path.exists("/usr/bin/time"):
        rss_file = args.timings + ".rss"
        for _, word in queries:
            subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file] + base
                           + ["-c", "--", word, args.corpus], stdout=subprocess.DEVNULL)
            with open(rss_file) as f:
                rss_kb = max(rss_kb, int(f.read().split()[-1]))
        os.remove(rss_file)
    by_file = _passage_lines(args.passages)
    with open(args.hits, "w") as hf:
        for qi, (_, word) in enumerate(queries):
            p = subprocess.run(base + ["-n", "--no-heading", "--with-filename", "--null",
                                       "--", word, args.corpus], stdout=subprocess.PIPE)
            hit = set()
            for line in p.stdout.splitlines():
                path, _, rest = line.partition(b"\0")
                ln = int(rest.split(b":", 1)[0])
                rel = os.path.relpath(path.decode("utf-8"), args.corpus)
                for ls, le, pid in by_file.get(rel, ()):
                    if ls <= ln <= le:
                        hit.add(pid)
            hf.write("%d\t%s\n" % (qi, " ".join(map(str, sorted(hit)))))
    print(rss_kb or "null")


# ---------------------------------------------------------------------------------------------
# jfts: it reads the .txt files itself and cuts its own passages (its report parser: paragraphs
# at blank lines, long ones cut at a sentence end near 300 characters), which are not the
# harness's. Its recall is measured against an oracle over its own passages, exported from its
# database; its hits are also mapped onto the harness's passages by line overlap, for
# comparison (that mapping can only lose or gain a little at passage edges).

def cmd_jfts_passages(args):
    """Writes jfts's passages in the passages TSV format: id (jfts's rowid), file (relative to
    the corpus), line_start, line_end, text as jfts stored it."""
    import sqlite3
    con = sqlite3.connect(args.db)
    n = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for pid, path, ls, le, text in con.execute(
                "SELECT p.id, f.path, p.line_start, p.line_end, p.text"
                " FROM passages p JOIN files f ON f.id = p.file_id ORDER BY p.id"):
            rel = os.path.relpath(os.path.abspath(path), args.corpus)
            out.write("%d\t%s\t%d\t%d\t%s\n" % (pid, rel, ls, le, esc(text or "")))
            n += 1
    con.close()
    note("%s: %d jfts passages" % (args.out, n))


def cmd_jfts_queries(args):
    """The query file for the timed run: each query reps+1 times in a row (the first is the
    warm-up), so that one jfts-query process answers everything, as Groonga's does."""
    with open(args.out, "w", encoding="utf-8") as out:
        for _, word in read_queries(args.queries):
            for _ in range(args.reps + 1):
                out.write(word + "\n")


def _jfts_rel(fn, corpus):
    return os.path.relpath(os.path.abspath(fn), corpus)


def cmd_jfts_parse(args):
    """Reads `jfts-query --queries F --format json` output (each row starts with the field
    "query") and the `jfts-query: timing: <ms> <query>` lines of --timing. Writes hits as
    jfts passage ids (--hits) and as harness passage ids by line overlap (--mapped-hits)."""
    queries = read_queries(args.queries)
    index = {w: i for i, (_, w) in enumerate(queries)}
    own = {}   # (file, line_start, line_end) -> [(jfts id, normalized text)]
    for pid, fn, ls, le, body in read_passages(args.jfts_passages):
        own.setdefault((fn, ls, le), []).append((pid, body))
    by_file = _passage_lines(args.passages)
    hits = {i: set() for i in range(len(queries))}
    mapped = {i: set() for i in range(len(queries))}
    unknown = 0
    with open(args.json, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            row = json.loads(line)
            qi = index.get(row.get("query"))
            fn = row.get("file")
            if qi is None or fn is None:
                continue
            rel = _jfts_rel(fn, args.corpus)
            ls, le = int(row["line_start"]), int(row["line_end"])
            cands = own.get((rel, ls, le), [])
            if "id" in row:
                ids = [row["id"]]
            elif len(cands) == 1:
                ids = [cands[0][0]]
            else:
                # Passages that share a file and line range (a long line cut in two): the one
                # with this text, else those that hold the query (the row's text may be a
                # snippet). Rare: 0.7% of passages on the 1x corpus.
                ids = [p for p, t in cands if t == row.get("text")]
                if not ids:
                    nq = norm(queries[qi][1])
                    ids = [p for p, t in cands if nq in norm(t)]
            if not cands:
                unknown += 1
            hits[qi].update(ids)
            for pls, ple, pid in by_file.get(rel, ()):
                if pls <= le and ls <= ple:
                    mapped[qi].add(pid)
    if unknown:
        note("jfts-parse: %d rows name no exported passage" % unknown)
    for path, sets in ((args.hits, hits), (args.mapped_hits, mapped)):
        with open(path, "w") as hf:
            for qi in range(len(queries)):
                hf.write("%d\t%s\n" % (qi, " ".join(map(str, sorted(sets[qi])))))
    # Timings: the k-th timing line is rep k % (reps+1) of query k // (reps+1); rep 0 is the
    # warm-up.
    per = args.reps + 1
    pat = re.compile(r"^jfts-query: timing: ([0-9.]+) (.*)$")
    k = 0
    with open(args.timing_log, encoding="utf-8") as lf, open(args.timings, "w") as tf:
        for line in lf:
            m = pat.match(line.rstrip("\n"))
            if not m:
                continue
            qi, rep = divmod(k, per)
            k += 1
            if qi >= len(queries):
                raise SystemExit("harness: more timing lines than queries")
            if m.group(2) != queries[qi][1]:
                raise SystemExit("harness: timing line %d is for %r, expected %r"
                                 % (k, m.group(2), queries[qi][1]))
            if rep > 0:
                tf.write("%d\t%.4f\t%d\n" % (qi, float(m.group(1)), 0))
    if k != per * len(queries):
        raise SystemExit("harness: %d timing lines for %d queries x %d runs"
                         % (k, len(queries), per))


# ---------------------------------------------------------------------------------------------
# The table.

def _pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def _read_sets(path):
    out = {}
    with open(path) as f:
        for line in f:
            qi, _, ids = line.rstrip("\n").partition("\t")
            out[int(qi)] = set(int(x) for x in ids.split()) if ids else set()
    return out


def _fmt(x, spec):
    return "–" if x is None else format(x, spec)


def _recalls(hits, oracle):
    """Per query with a non-empty oracle that the tool answered: |hits ∩ oracle| ÷ |oracle|."""
    return {qi: len(hits[qi] & oracle[qi]) / len(oracle[qi])
            for qi in oracle if oracle[qi] and qi in hits}


# FTS5 trigram's build speed in ../shared/ANCHORS.md (1x, 4x): the yardstick for how fast this
# machine runs compared with the one the issues' absolute figures were measured on.
ANCHOR_TRIGRAM_MBPS = {"1x": 8.2, "4x": 7.7}


def _floors(stats, scale="1x"):
    j = stats.get("jfts")
    if not j:
        return []
    tri = stats.get("fts5-trigram", {})
    gro = stats.get("groonga", {})
    out = []

    def check(name, ok, detail):
        out.append("- %s %s: %s" % ("PASS" if ok else ("FAIL" if ok is not None else "n/a "),
                                    name, detail))

    rec = j["recalls"]
    bad = [qi for qi, r in rec.items() if r < 1.0]
    check("recall 1.000 on every query", bool(rec) and not bad if rec else None,
          "%d of %d queries below 1" % (len(bad), len(rec)) if rec else "no hits measured")
    if j["mbps"] and tri.get("mbps"):
        check("build MB/s >= 1.5 x trigram", j["mbps"] >= 1.5 * tri["mbps"],
              "%.1f vs 1.5 x %.1f = %.1f" % (j["mbps"], tri["mbps"], 1.5 * tri["mbps"]))
    anchor = ANCHOR_TRIGRAM_MBPS.get(scale)
    if j["mbps"] and tri.get("mbps") and anchor:
        # The 15 MB/s was set on the machine of ANCHORS.md. A shared host slows every
        # tool of a run alike (FTS5 trigram ran at a third to a half of its ANCHORS speed
        # here), so the figure is compared at that machine's speed, scaled by trigram's, with
        # the absolute one beside it.
        scaled = j["mbps"] * anchor / tri["mbps"]
        check("build MB/s >= 15 at the anchors' machine speed (issue: tokenizer and search)",
              scaled >= 15,
              "%.1f MB/s here x (trigram %.1f in ANCHORS.md / %.1f here) = %.1f; absolute "
              "%.1f MB/s %s 15" % (j["mbps"], anchor, tri["mbps"], scaled, j["mbps"],
                                   ">=" if j["mbps"] >= 15 else "<"))
    elif j["mbps"]:
        check("build MB/s >= 15 (issue: tokenizer and search)", j["mbps"] >= 15,
              "%.1f MB/s" % j["mbps"])
    if j["ratio"] and tri.get("ratio"):
        check("DB size <= trigram", j["ratio"] <= tri["ratio"],
              "%.2f vs %.2f x text" % (j["ratio"], tri["ratio"]))
    if j["p99_3plus"] is not None and tri.get("p99_3plus") is not None:
        check("p99 (3+ characters) <= trigram", j["p99_3plus"] <= tri["p99_3plus"],
              "%.2f vs %.2f ms" % (j["p99_3plus"], tri["p99_3plus"]))
    if j["p99_short"] is not None and gro.get("p99_short") is not None:
        check("p99 (1-2 characters) <= 3 x Groonga", j["p99_short"] <= 3 * gro["p99_short"],
              "%.2f vs 3 x %.2f = %.2f ms" % (j["p99_short"], gro["p99_short"],
                                             3 * gro["p99_short"]))
    if j["build_rss_mb"]:
        check("jfts-index peak RSS <= 64 MB", j["build_rss_mb"] <= 64,
              "%.0f MB" % j["build_rss_mb"])
    return out


def cmd_report(args):
    queries = read_queries(args.queries)
    classes = [c for c, _, _ in CLASSES]
    qclass = {i: c for i, (c, _) in enumerate(queries)}
    oracle = _read_sets(args.oracle)
    text_bytes = sum(os.path.getsize(p) for p in corpus_files(args.corpus))
    head = ["tool", "build MB/s", "DB ÷ text", "peak RSS MB"]
    head += ["%s p50/p99 ms" % c for c in classes]
    head += ["recall " + "/".join(classes)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    stats = {}  # tool -> figures the floors section compares
    for tool in args.tools:
        d = os.path.join(args.out, tool)
        res_path = os.path.join(d, "result.json")
        if not os.path.exists(res_path):
            continue
        with open(res_path) as f:
            res = json.load(f)
        if res.get("skipped"):
            notes.append("- %s: skipped: %s" % (tool, res["skipped"]))
            continue
        build_s = res.get("build_s")
        mbps = text_bytes / 1e6 / build_s if build_s else None
        ratio = res["db_bytes"] / text_bytes if res.get("db_bytes") else None
        rss = res["rss_kb"] / 1024.0 if res.get("rss_kb") else None
        row = [tool, _fmt(mbps, ".1f"), _fmt(ratio, ".2f"), _fmt(rss, ".0f")]
        times = {c: [] for c in classes}
        tpath = os.path.join(d, "timings.tsv")
        if os.path.exists(tpath):
            with open(tpath) as f:
                for line in f:
                    qi, ms, _ = line.rstrip("\n").split("\t")
                    times[qclass[int(qi)]].append(float(ms))
        for c in classes:
            row.append("%s / %s" % (_fmt(_pct(times[c], 50), ".2f"), _fmt(_pct(times[c], 99), ".2f")))
        hits = _read_sets(os.path.join(d, "hits.tsv")) if os.path.exists(os.path.join(d, "hits.tsv")) else {}
        # A tool that cuts its own passages (jfts) brings its own oracle over them.
        own_oracle = os.path.join(d, "oracle.tsv")
        t_oracle = _read_sets(own_oracle) if os.path.exists(own_oracle) else oracle
        per_query = _recalls(hits, t_oracle)
        rec = []
        for c in classes:
            vals = [r for qi, r in per_query.items() if qclass[qi] == c]
            rec.append(_fmt(statistics.mean(vals) if vals else None, ".2f"))
        row.append(" / ".join(rec))
        lines.append("| " + " | ".join(row) + " |")
        if res.get("note"):
            notes.append("- %s: %s" % (tool, res["note"]))
        answered = times["three"] + times["long"]
        stats[tool] = {
            "mbps": mbps, "ratio": ratio,
            "build_rss_mb": res["build_rss_kb"] / 1024.0 if res.get("build_rss_kb") else None,
            "p99_short": _pct(times["short"], 99), "p99_3plus": _pct(answered, 99),
            "recalls": per_query,
        }
        if per_query:
            worst = sorted((r, qi) for qi, r in per_query.items())[:3]
            notes.append("- %s: lowest per-query recall %s; p99 over the three and long "
                         "queries %s ms"
                         % (tool, ", ".join("%s %.3f" % (queries[qi][1], r) for r, qi in worst),
                            _fmt(stats[tool]["p99_3plus"], ".2f")))
        mapped = os.path.join(d, "hits-mapped.tsv")
        if os.path.exists(mapped):
            mq = _recalls(_read_sets(mapped), oracle)
            notes.append("- %s: recall with its hits mapped onto the harness's passages by line "
                         "overlap: %s" % (tool, " / ".join(
                             _fmt(statistics.mean([r for qi, r in mq.items() if qclass[qi] == c])
                                  if any(qclass[qi] == c for qi in mq) else None, ".3f")
                             for c in classes)))
    n_pass = sum(1 for _ in open(args.passages, encoding="utf-8"))
    print("Corpus %s: %d files, %.1f MB text, %d passages; %d queries (%s)."
          % (os.path.basename(args.corpus.rstrip("/")), len(corpus_files(args.corpus)),
             text_bytes / 1e6, n_pass, len(queries),
             ", ".join("%d %s" % (sum(1 for q in queries if q[0] == c), c) for c in classes)))
    print()
    print("\n".join(lines))
    print()
    print("Build MB/s = corpus text bytes ÷ wall time of the build process(es); p50/p99 over all "
          "timed runs of the class's queries; recall = mean over queries of |hits ∩ oracle| ÷ "
          "|oracle| (oracle: passages whose NFKC-casefolded text contains the query).")
    if notes:
        print()
        print("\n".join(notes))
    name = os.path.basename(args.corpus.rstrip("/"))
    floors = _floors(stats, name.rsplit("-", 1)[-1] if name.startswith("corpus-") else None)
    if floors:
        print()
        print("Floors for jfts (issue: benchmarks), against the other tools of this run:")
        print()
        print("\n".join(floors))
    if args.per_query:
        print()
        print("| class | query | oracle |")
        print("|---|---|---|")
        for qi, (c, w) in enumerate(queries):
            print("| %s | %s | %d |" % (c, w, len(oracle.get(qi, ()))))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("corpus", help="fetch and convert the corpus into CACHE/corpus-{1x,4x}")
    p.add_argument("--cache", required=True)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--smoke-src", default=os.path.join(os.path.dirname(__file__), "..", "corpus"))
    p.add_argument("--force", action="store_true")
    p.set_defaults(fn=cmd_corpus)
    p = sub.add_parser("passages", help="split a corpus directory into the passages TSV")
    p.add_argument("--corpus", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_passages)
    p = sub.add_parser("queries", help="draw the queries from a corpus directory")
    p.add_argument("--corpus", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--min-count", type=int, default=5)
    p.set_defaults(fn=cmd_queries)
    p = sub.add_parser("oracle", help="matching passages per query (substring, NFKC casefold)")
    p.add_argument("--passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_oracle)
    p = sub.add_parser("groonga-cmds", help="write the groonga build and query command files")
    p.add_argument("--passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--build-out", required=True)
    p.add_argument("--query-out", required=True)
    p.set_defaults(fn=cmd_groonga_cmds)
    p = sub.add_parser("groonga-parse", help="check groonga's responses; write timings and hits")
    p.add_argument("--build-responses")
    p.add_argument("--query-responses")
    p.add_argument("--queries")
    p.add_argument("--reps", type=int, default=0)
    p.add_argument("--timings")
    p.add_argument("--hits")
    p.set_defaults(fn=cmd_groonga_parse)
    p = sub.add_parser("ripgrep", help="time rg per query; write timings and hits; print peak RSS KB")
    p.add_argument("--corpus", required=True)
    p.add_argument("--passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--timings", required=True)
    p.add_argument("--hits", required=True)
    p.set_defaults(fn=cmd_ripgrep)
    p = sub.add_parser("jfts-passages", help="export jfts's passages from its database as TSV")
    p.add_argument("--db", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_jfts_passages)
    p = sub.add_parser("jfts-queries", help="write the query file for the timed jfts run")
    p.add_argument("--queries", required=True)
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_jfts_queries)
    p = sub.add_parser("jfts-parse", help="map jfts-query JSON output and timing lines to timings and hits")
    p.add_argument("--json", required=True)
    p.add_argument("--timing-log", required=True)
    p.add_argument("--reps", type=int, required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--passages", required=True)
    p.add_argument("--jfts-passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--timings", required=True)
    p.add_argument("--hits", required=True)
    p.add_argument("--mapped-hits", required=True)
    p.set_defaults(fn=cmd_jfts_parse)
    p = sub.add_parser("report", help="print the markdown table")
    p.add_argument("--out", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--oracle", required=True)
    p.add_argument("--per-query", action="store_true")
    p.add_argument("tools", nargs="+")
    p.set_defaults(fn=cmd_report)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
