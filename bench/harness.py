#!/usr/bin/env python3
"""Benchmark harness for jfts and the tools it is compared with (see bench/README.md).

Builds the text corpus (Debian's Japanese documentation, or a tiny one from corpus/ in smoke
mode), the passages every tool indexes, the queries and the oracle, drives Groonga and ripgrep,
and prints the comparison table. Standard library only, so CI needs nothing beyond python3.
"""
import argparse
import bisect
import concurrent.futures
import glob
import gzip
import hashlib
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

# Debian 12 packages with Japanese text: documentation, help, manuals and translations.
# Packages that apt-cache does not know are skipped with a note, so the list may name more than
# a given mirror carries. Debian's Japanese package descriptions (Translation-ja) come too, see
# fetch_translations. Word lists (dictionaries for input methods and analysers) are left out:
# they are not running text.
PACKAGES = [
    "manpages-ja", "manpages-ja-dev", "debian-reference-ja", "debian-faq-ja",
    "debian-policy-ja", "developers-reference-ja", "maint-guide-ja", "aptitude-doc-ja",
    "libreoffice-help-ja", "gimp-help-ja", "debian-edu-doc-ja", "debian-edu-doc-legacy-ja",
    "kicad-doc-ja", "lilypond-doc-html-ja", "libjlha-java-doc-ja", "xdvik-ja", "scilab-doc-ja",
    "libreoffice-l10n-ja", "firefox-esr-l10n-ja", "thunderbird-l10n-ja",
    # Multilingual packages: only their Japanese files are used (JA_PATH_RE), except where
    # ALL_FILES_PKGS says every file is looked at (and kept when it is mostly Japanese).
    "debian-handbook", "installation-guide-amd64", "apt", "dpkg", "man-db", "po4a",
    "gnome-user-docs", "gnucash-docs", "debian-history", "texlive-lang-japanese",
]
ALL_FILES_PKGS = {"texlive-lang-japanese"}
# Packages whose PDFs and plain text files (.txt, .tex, .md, README) are converted too; in the
# others those are mostly copyright files and examples.
PLAIN_PKGS = {"texlive-lang-japanese", "debian-history"}
# The 16x corpus holds at most this much text (the issue asks for at least 400 MB at 16x; the
# Debian sources hold far less, so in practice 16x is all of it).
CORPUS_CAP_BYTES = 1600 * 10**6
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


def _mo_strings(raw):
    """The translated strings of a GNU gettext catalog (.mo), in file order."""
    import struct
    if len(raw) < 28:
        return []
    magic = struct.unpack("<I", raw[:4])[0]
    end = "<" if magic == 0x950412de else ">" if magic == 0xde120495 else None
    if end is None:
        return []
    _, n, _, toff = struct.unpack(end + "4I", raw[4:20])
    out = []
    for i in range(1, n):  # entry 0 is the catalog header
        ln, off = struct.unpack(end + "2I", raw[toff + 8 * i:toff + 8 * i + 8])
        for s in raw[off:off + ln].split(b"\0"):  # plural forms
            out.append(s.decode("utf-8", "replace"))
    return out


L10N_VALUE_RE = re.compile(r"^\s*[A-Za-z0-9_.-]+\s*[=:]\s*(.+)$|<!ENTITY\s+\S+\s+\"([^\"]*)\"")


def l10n_to_text(strings):
    """UI strings as text: one paragraph per string, markup and placeholders dropped."""
    paras = []
    for s in strings:
        s = re.sub(r"<[^>]+>|\{[^}]*\}|%\d*\$?[sdS@]|&[a-z]+;|\\n", " ", s).strip()
        if J_RE.search(s):
            paras.append(s)
    return tidy("\n\n".join(paras), join_spaces=False)


def xpi_to_text(path):
    """A Firefox/Thunderbird language pack: the values of its .ftl/.properties/.dtd files."""
    strings = []
    with zipfile.ZipFile(path) as z:
        for m in sorted(z.namelist()):
            if m.endswith((".ftl", ".properties", ".dtd")):
                for line in z.read(m).decode("utf-8", "replace").split("\n"):
                    v = L10N_VALUE_RE.match(line)
                    if v:
                        strings.append(v.group(1) or v.group(2) or "")
    return l10n_to_text(strings)


def pdf_to_text(path):
    proc = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", path, "-"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, timeout=120)
    text = J_WRAP_RE.sub("", proc.stdout.decode("utf-8", "replace").replace("\f", "\n\n"))
    return tidy(unicodedata.normalize("NFC", text), join_spaces=False)


def plain_to_text(path):
    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    text = J_WRAP_RE.sub("", decode_bytes(raw))
    return tidy(unicodedata.normalize("NFC", text), join_spaces=False)


def _convert_one(job):
    kind, src, dst = job
    try:
        if kind == "man":
            text = man_to_text(src)
        elif kind == "pdf":
            text = pdf_to_text(src)
        elif kind == "plain":
            text = plain_to_text(src)
        elif kind == "mo":
            with open(src, "rb") as f:
                text = l10n_to_text(_mo_strings(f.read()))
        elif kind == "xpi":
            text = xpi_to_text(src)
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


def _job_kind(rel, fn):
    if "/man/" in "/" + rel and re.search(r"\.\d\w*(\.gz)?$", fn):
        return "man"
    if fn.endswith((".html", ".htm", ".xhtml", ".page")) and "big-page" not in fn \
            and fn not in ("search.html", "genindex.html"):
        return "html"  # Mallard .page help (GNOME) is markup too
    if fn.endswith(".pdf"):
        return "pdf"
    if fn.endswith(".mo"):
        return "mo"
    if fn.endswith(".xpi"):
        return "xpi"
    if re.search(r"\.(txt|tex|md|ja)(\.gz)?$|(^|/)README[^/]*$", fn):
        return "plain"
    return None


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
                if pkg not in ALL_FILES_PKGS and not pkg.endswith("-ja") \
                        and not JA_PATH_RE.search(rel):
                    continue
                kind = _job_kind(rel, fn)
                if kind is None or (kind in ("pdf", "plain") and pkg not in PLAIN_PKGS):
                    continue
                name = re.sub(r"^usr/share/", "", rel)
                name = re.sub(r"(\.gz)$", "", name)
                name = re.sub(r"\.(html?|page)$", "", name).replace("/", "_")
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
            shutil.rmtree(dest + ".tmp", ignore_errors=True)
            os.makedirs(dest + ".tmp")
            subprocess.run(["dpkg-deb", "-x", deb, dest + ".tmp"], check=True)
            # scilab-doc-ja ships its help as HTML inside a JavaHelp jar.
            for jar in glob.glob(os.path.join(dest + ".tmp", "**", "*.jar"), recursive=True):
                with zipfile.ZipFile(jar) as z:
                    for m in z.namelist():
                        if m.endswith(".html") and not m.startswith("/") and ".." not in m:
                            z.extract(m, jar[:-4])
            os.rename(dest + ".tmp", dest)
    return root


def fetch_translations(cache, outdir):
    """Debian's Japanese package descriptions (main/i18n/Translation-ja), fetched by apt itself
    into a private lists directory (the system's apt state is not touched), cut into files of
    400 descriptions, each description a paragraph. Returns the number of files written."""
    lists = os.path.join(os.path.abspath(cache), "apt-ja")  # apt reads relative paths from /
    os.makedirs(os.path.join(lists, "partial"), exist_ok=True)
    if not glob.glob(os.path.join(lists, "*Translation-ja*")):
        subprocess.run(["apt-get", "update", "-q", "-o", "Dir::State::Lists=" + lists,
                        "-o", "Acquire::Languages=ja", "-o", "APT::Get::List-Cleanup=0"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    paths = glob.glob(os.path.join(lists, "*Translation-ja*"))
    if not paths:
        note("apt fetched no Translation-ja; package descriptions skipped")
        return 0
    raw = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", paths[0]],
                         stdout=subprocess.PIPE, check=True).stdout.decode("utf-8", "replace")
    descs = []
    for block in raw.split("\n\n"):
        m = re.search(r"^Description-ja: (.*)$", block, re.M)
        if not m:
            continue
        body = [m.group(1)]
        for line in block[m.end():].split("\n"):
            if line.startswith(" "):
                body.append("" if line.strip() == "." else line.strip())
        descs.append(tidy(J_WRAP_RE.sub("", "\n".join(body)), join_spaces=False))
    n = 0
    for i in range(0, len(descs), 400):
        with open(os.path.join(outdir, "debian-Translation-ja--%03d.txt" % (i // 400)),
                  "w", encoding="utf-8") as f:
            f.write("\n".join(descs[i:i + 400]))
        n += 1
    return n


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


def read_text(path):
    """A corpus file's text: UTF-8, or Shift_JIS (some files are kept in it on purpose)."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("shift_jis")


def _order_key(name):
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def dedupe_pool(conv, pool, sjis_every):
    """Copies the converted files of conv into pool in a fixed pseudo-random order (by the hash
    of their names), dropping a file whose text was seen before and every paragraph of 20
    characters or more that an earlier file already holds, so the corpus grows in distinct
    text only. Every sjis_every-th file kept (by that order) that Shift_JIS can hold is written
    in Shift_JIS, so the tools' decoding is exercised; the rest are UTF-8.
    Returns [(name, utf8_bytes, is_sjis)] in that order."""
    shutil.rmtree(pool, ignore_errors=True)
    os.makedirs(pool)
    seen_files, seen_paras = set(), set()
    out = []
    dropped_paras = 0
    for fn in sorted((f for f in os.listdir(conv) if f.endswith(".txt")), key=_order_key):
        with open(os.path.join(conv, fn), encoding="utf-8") as f:
            text = f.read()
        h = hashlib.sha1(text.encode("utf-8")).digest()
        if h in seen_files:
            continue
        seen_files.add(h)
        keep = []
        for para in re.split(r"\n\s*\n", text):
            key = re.sub(r"\s+", "", para)
            if len(key) >= 20:
                ph = hashlib.sha1(key.encode("utf-8")).digest()
                if ph in seen_paras:
                    dropped_paras += 1
                    continue
                seen_paras.add(ph)
            keep.append(para.strip("\n"))
        text = "\n\n".join(p for p in keep if p.strip()) + "\n"
        if len(text) < MIN_FILE_CHARS or ja_fraction(text) < MIN_JA_FRACTION:
            continue
        data = text.encode("utf-8")
        sjis = False
        if sjis_every and len(out) % sjis_every == sjis_every - 1:
            try:
                data, sjis = text.encode("shift_jis"), True
            except UnicodeEncodeError:
                pass
        with open(os.path.join(pool, fn), "wb") as f:
            f.write(data)
        out.append((fn, len(text.encode("utf-8")), sjis))
    note("deduplicated: %d files kept, %d repeated paragraphs dropped" % (len(out), dropped_paras))
    return out


def make_scales(pool, files, cache, cap_bytes, smoke=False):
    """corpus-16x holds the pool (at most cap_bytes of text), corpus-4x its first quarter and
    corpus-1x its first sixteenth, in the pool's order: each is a prefix of the next, so every
    step adds new text and new words, never copies. Hard links, no second copy on disk."""
    total = min(cap_bytes, sum(n for _, n, _ in files))
    summary = {}
    # The smoke corpus is a handful of files: every scale is all of it.
    for scale, div in (("16x", 1), ("4x", 1 if smoke else 4), ("1x", 1 if smoke else 16)):
        d = os.path.join(cache, "corpus-" + scale)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        size = n_sjis = n_files = 0
        for fn, n, sjis in files:
            if size >= total / div:
                break
            os.link(os.path.join(pool, fn), os.path.join(d, fn))
            size += n
            n_sjis += sjis
            n_files += 1
        summary[scale] = {"files": n_files, "text_bytes": size, "shift_jis_files": n_sjis}
        with open(os.path.join(d, ".manifest.json"), "w") as f:
            json.dump(summary[scale], f)
    return summary


def cmd_corpus(args):
    cache = args.cache
    conv = os.path.join(cache, "converted")
    stamp = os.path.join(cache, "corpus-16x", ".complete")
    if os.path.exists(stamp) and not args.force:
        return
    t0 = time.time()
    if args.smoke:
        src = smoke_sources(args.smoke_src, cache)
        shutil.rmtree(conv, ignore_errors=True)
        shutil.copytree(src, conv)
        note("smoke corpus: %d files" % len(os.listdir(conv)))
    elif not os.path.exists(os.path.join(conv, ".complete")) or args.force:
        root = fetch_packages(cache)
        shutil.rmtree(conv, ignore_errors=True)
        os.makedirs(conv)
        t1 = time.time()
        note("fetched and unpacked in %.1f s" % (t1 - t0))
        jobs = _source_jobs(root, conv)
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
        open(os.path.join(conv, ".complete"), "w").close()
        note("converted %d inputs in %.1f s" % (len(jobs), time.time() - t1))
    if not args.smoke and not glob.glob(os.path.join(conv, "debian-Translation-ja--*")):
        note("Translation-ja: %d files" % fetch_translations(cache, conv))
    files = dedupe_pool(conv, os.path.join(cache, "pool"), 0 if args.smoke else 8)
    if args.smoke:
        # One file in Shift_JIS, so that the smoke run exercises decoding too.
        for k, (fn, n, _) in enumerate(files):
            path = os.path.join(cache, "pool", fn)
            with open(path, encoding="utf-8") as f:
                text = f.read()
            try:
                data = text.encode("shift_jis")
            except UnicodeEncodeError:
                continue
            with open(path, "wb") as f:
                f.write(data)
            files[k] = (fn, n, True)
            break
    summary = make_scales(os.path.join(cache, "pool"), files, cache, CORPUS_CAP_BYTES,
                          args.smoke)
    with open(os.path.join(cache, "corpus-scales.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    open(stamp, "w").close()
    for scale in ("1x", "4x", "16x"):
        s = summary[scale]
        note("corpus-%s: %d files (%d in Shift_JIS), %.1f MB of text; %.1f s total"
             % (scale, s["files"], s["shift_jis_files"], s["text_bytes"] / 1e6, time.time() - t0))


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
            for ls, le, body in split_passages(read_text(path)):
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
# Queries: drawn from each corpus by frequency band with a fixed seed. A "word" is a maximal run of
# kanji and katakana (Japanese has no spaces; a run between kana and punctuation is close to a
# word or a compound).

WORD_RE = re.compile("[\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc]+")
KANJI_RE = re.compile("[\u4e00-\u9fff]")
# Function words and endings: particles, auxiliaries and conjunctions that fill every Japanese
# text. The "function" class draws from those the corpus holds.
FUNCTION_WORDS = [
    "する", "ます", "こと", "ている", "として", "について", "による", "により", "ため", "など",
    "ので", "から", "まで", "より", "また", "および", "または", "ません", "でした", "です",
    "ました", "される", "された", "できる", "できます", "ない", "ある", "あり", "いる", "なる",
    "なり", "よう", "もの", "ところ", "とき", "これ", "それ", "この", "その", "どの", "ここ",
    "には", "では", "とは", "への", "での", "ほど", "だけ", "しか", "ずつ", "ながら", "しかし",
    "ただし", "なお", "さらに", "ただ", "において", "に対して", "ければ", "ように", "ような",
    "という", "といった", "場合は", "ておく", "てください", "ましょう", "でしょう", "だろう",
    "かもしれません", "けれども", "のみ", "すべて", "それぞれ", "もし", "まず", "次に",
]
# Query classes: name, what is drawn. Each gets --per-class queries (default 40).
CLASSES = [
    ("kanji1", "one kanji, drawn over the kanji of the corpus by frequency band"),
    ("word2", "a two-character word (a kanji/katakana run of two), by frequency band"),
    ("function", "a function word or ending (FUNCTION_WORDS present in the corpus)"),
    ("compound", "a long compound: a kanji/katakana run of 5 to 10 characters"),
    ("rare", "a rare term: a kanji/katakana run of 2 to 6 characters seen 1 to 3 times"),
]
CLASS_NAMES = [c for c, _ in CLASSES]


def _draw(cands, k, rng):
    """k words spread over frequency: the i-th is drawn from the i-th of k bands of rank that
    are equally wide on a log scale, so both the most frequent and rare words are present."""
    if len(cands) <= k:
        return list(cands)
    picks = []
    chosen = set()
    n = len(cands)
    for i in range(k):
        lo = int(round(n ** (i / k))) - 1
        hi = max(lo + 1, int(round(n ** ((i + 1) / k))) - 1)
        band = [w for w in cands[lo:hi] if w not in chosen] or \
            [w for w in cands if w not in chosen]
        w = rng.choice(band)
        picks.append(w)
        chosen.add(w)
    return picks


def cmd_queries(args):
    runs, kanji = {}, {}
    texts = []
    for path in corpus_files(args.corpus):
        t = read_text(path)
        texts.append(t)
        for w in WORD_RE.findall(t):
            runs[w] = runs.get(w, 0) + 1
        for c in KANJI_RE.findall(t):
            kanji[c] = kanji.get(c, 0) + 1
    whole = "\n".join(texts)
    func = {w: whole.count(w) for w in FUNCTION_WORDS}
    by_freq = lambda counts, ok: sorted((w for w, n in counts.items() if ok(w, n)),
                                        key=lambda w: (-counts[w], w))
    k, m = args.per_class, args.min_count
    cands = {
        "kanji1": by_freq(kanji, lambda w, n: n >= m),
        "word2": by_freq(runs, lambda w, n: len(w) == 2 and n >= m),
        "function": by_freq(func, lambda w, n: n >= m),
        "compound": by_freq(runs, lambda w, n: 5 <= len(w) <= 10 and n >= m),
        # Rare terms are drawn evenly (they all have 1 to 3 occurrences as a run).
        "rare": sorted(w for w, n in runs.items() if 2 <= len(w) <= 6 and n <= 3),
    }
    rng = random.Random(args.seed)
    with open(args.out, "w", encoding="utf-8") as out:
        for name in CLASS_NAMES:
            c = cands[name]
            words = rng.sample(c, min(k, len(c))) if name == "rare" else _draw(c, k, rng)
            if len(words) < k:
                note("%s: only %d %s queries (wanted %d)" % (args.out, len(words), name, k))
            for w in words:
                out.write("%s\t%s\n" % (name, w))
    note("%s: queries drawn (seed %d, %d per class)" % (args.out, args.seed, k))


def read_queries(path):
    with open(path, encoding="utf-8") as f:
        return [tuple(line.rstrip("\n").split("\t", 1)) for line in f if line.strip()]


def cmd_oracle(args):
    """Per query, the passages whose NFKC-casefolded text contains the NFKC-casefolded query:
    grep -F over the passages, one string search per query over all of them joined."""
    queries = read_queries(args.queries)
    ids, starts, parts = [], [], []
    pos = 0
    for pid, _, _, _, body in read_passages(args.passages):
        t = norm(body)
        ids.append(pid)
        starts.append(pos)
        parts.append(t)
        pos += len(t) + 1
    big = "\0".join(parts)
    del parts
    with open(args.out, "w") as out:
        for qi, (_, q) in enumerate(queries):
            nq = norm(q)
            hit = []
            at = big.find(nq) if nq else -1
            while at >= 0:
                k = bisect.bisect_right(starts, at) - 1
                hit.append(ids[k])
                at = big.find(nq, starts[k + 1]) if k + 1 < len(starts) else -1
            out.write("%d\t%s\n" % (qi, " ".join(map(str, hit))))


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
# Start-up: a whole jfts-query call, minus the time the query itself took by its own --timing.

def cmd_startup(args):
    """Runs `jfts-query --db DB --exact --limit 10 --format json --timing WORD` --calls times
    (after one untimed call); prints the median of (wall ms - --timing ms) and writes every
    call's figures to --out, with its CPU time (user + system) and, for scale, the wall time of
    spawning an empty process (/bin/true) right after it."""
    cmd = [args.query_bin, "--db", args.db, "--exact", "--format", "json", "--limit", "10",
           "--timing", args.word]
    pat = re.compile(r"^jfts-query: timing: ([0-9.]+) ")
    load_pat = re.compile(r"^jfts-query: load: ([0-9.]+)")
    rows = []
    for i in range(args.calls + 1):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = (time.perf_counter() - t0) * 1000.0
        p.returncode = os.waitstatus_to_exitcode(status)
        p.stderr.close()
        cpu = (ru.ru_utime + ru.ru_stime) * 1000.0
        t1 = time.perf_counter()
        subprocess.run(["/bin/true"])
        spawn = (time.perf_counter() - t1) * 1000.0
        lines = err.decode("utf-8", "replace").split("\n")
        inner = [float(x.group(1)) for x in map(pat.match, lines) if x]
        load = [float(x.group(1)) for x in map(load_pat.match, lines) if x]
        if p.returncode != 0 or not inner:
            raise SystemExit("harness: jfts-query %r gave no timing (exit %d)"
                             % (args.word, p.returncode))
        if i > 0:
            rows.append((wall, inner[0], cpu, spawn, load[0] if load else -1))
    # load_ms: what jfts-query itself reports as its opening time (-1 when it reports none).
    with open(args.out, "w") as f:
        f.write("wall_ms\tquery_ms\tstartup_ms\tcpu_ms\ttrue_ms\tload_ms\n")
        for wall, inner, cpu, spawn, load in rows:
            f.write("%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n"
                    % (wall, inner, wall - inner, cpu, spawn, load))
    print("%.2f" % statistics.median(r[0] - r[1] for r in rows))


# ---------------------------------------------------------------------------------------------
# The tables and the floors.

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
    """Per query that the tool answered: |hits ∩ oracle| ÷ |oracle| (1 for an empty oracle
    when the tool found nothing either, 0 when it found something)."""
    out = {}
    for qi in oracle:
        if qi not in hits:
            continue
        if oracle[qi]:
            out[qi] = len(hits[qi] & oracle[qi]) / len(oracle[qi])
        else:
            out[qi] = 0.0 if hits[qi] else 1.0
    return out


def _text_bytes(corpus):
    """UTF-8 bytes of the corpus's text (its manifest; Shift_JIS files are smaller on disk)."""
    man = os.path.join(corpus, ".manifest.json")
    if os.path.exists(man):
        with open(man) as f:
            return json.load(f)["text_bytes"]
    return sum(len(read_text(p).encode("utf-8")) for p in corpus_files(corpus))


def _tool_stats(d, text_bytes, qclass, oracle, classes):
    with open(os.path.join(d, "result.json")) as f:
        res = json.load(f)
    if res.get("skipped"):
        return res, None
    st = {"note": res.get("note")}
    mb = text_bytes / 1e6
    st["build_wall"] = res.get("build_wall")
    st["build_cpu"] = res.get("build_cpu")
    st["mbps"] = mb / res["build_wall"] if res.get("build_wall") else None
    st["mbps_cpu"] = mb / res["build_cpu"] if res.get("build_cpu") else None
    st["db_mb"] = res["db_bytes"] / 1e6 if res.get("db_bytes") else None
    st["db_ratio"] = res["db_bytes"] / text_bytes if res.get("db_bytes") else None
    st["build_rss_mb"] = res["build_rss_kb"] / 1024.0 if res.get("build_rss_kb") else None
    st["query_rss_mb"] = res["query_rss_kb"] / 1024.0 if res.get("query_rss_kb") else None
    st["startup_ms"] = res.get("startup_ms")
    st["startup_cpu_ms"] = st["spawn_ms"] = st["load_ms"] = None
    spath = os.path.join(d, "startup.tsv")
    if os.path.exists(spath):
        with open(spath) as f:
            rows = [line.split("\t") for line in f.read().split("\n")[1:] if line]
        st["startup_cpu_ms"] = statistics.median(float(r[3]) for r in rows) if rows else None
        st["spawn_ms"] = statistics.median(float(r[4]) for r in rows) if rows else None
        loads = [float(r[5]) for r in rows if len(r) > 5 and float(r[5]) >= 0]
        st["load_ms"] = statistics.median(loads) if loads else None
    times = {c: [] for c in classes}
    tpath = os.path.join(d, "timings.tsv")
    if os.path.exists(tpath):
        with open(tpath) as f:
            for line in f:
                qi, ms, _ = line.rstrip("\n").split("\t")
                times[qclass[int(qi)]].append(float(ms))
    st["runs"] = {c: len(times[c]) for c in classes}
    st["p"] = {c: {q: _pct(times[c], q) for q in (50, 95, 99)} for c in classes}
    hpath = os.path.join(d, "hits.tsv")
    hits = _read_sets(hpath) if os.path.exists(hpath) else {}
    # A tool that cuts its own passages (jfts) brings its own oracle over them.
    own = os.path.join(d, "oracle.tsv")
    per_query = _recalls(hits, _read_sets(own) if os.path.exists(own) else oracle)
    st["recall"] = {c: [r for qi, r in per_query.items() if qclass[qi] == c] for c in classes}
    st["below"] = sorted(qi for qi, r in per_query.items() if r < 1.0)
    st["per_query"] = per_query
    mapped = os.path.join(d, "hits-mapped.tsv")
    if os.path.exists(mapped):
        mq = _recalls(_read_sets(mapped), oracle)
        st["mapped_recall"] = {c: [r for qi, r in mq.items() if qclass[qi] == c] for c in classes}
    return res, st


# The rows the floors judge: jfts's tokenizer on the shared passages, and jfts end to end.
FLOOR_ROWS = [("fts5-jfts", "tokenizer"), ("jfts", "end to end")]


def _floors(stats, classes):
    gro = stats.get("groonga")
    tri = stats.get("fts5-trigram")
    out = []
    n_pass = n_fail = 0

    def check(row, name, ok, detail):
        nonlocal n_pass, n_fail
        if ok is None:
            out.append("- n/a  %s: %s: %s" % (row, name, detail))
            return
        n_pass += ok
        n_fail += not ok
        out.append("- %s %s: %s: %s" % ("PASS" if ok else "FAIL", row, name, detail))

    for tool, label in FLOOR_ROWS:
        j = stats.get(tool)
        if not j:
            continue
        row = "%s (%s)" % (tool, label)
        n_q = len(j["per_query"])
        check(row, "recall 1.000 on every query", n_q > 0 and not j["below"] if n_q else None,
              "%d of %d queries below 1.000" % (len(j["below"]), n_q))
        for c in classes:
            jp, gp = j["p"][c], gro["p"][c] if gro else None
            if jp[99] is None or not gp or gp[99] is None:
                check(row, "%s p99 <= Groonga, p50 <= 1.5 x Groonga" % c, None, "not measured")
                continue
            check(row, "%s p99 <= Groonga" % c, jp[99] <= gp[99],
                  "%.2f vs %.2f ms (%.2f x)" % (jp[99], gp[99], jp[99] / gp[99] if gp[99] else 0))
            check(row, "%s p50 <= 1.5 x Groonga" % c, jp[50] <= 1.5 * gp[50],
                  "%.2f vs 1.5 x %.2f = %.2f ms" % (jp[50], gp[50], 1.5 * gp[50]))
        if j["mbps"] and gro and gro["mbps"]:
            check(row, "build MB/s >= 2 x Groonga", j["mbps"] >= 2 * gro["mbps"],
                  "%.2f vs 2 x %.2f = %.2f MB/s (wall; CPU: %s vs %s MB/s)"
                  % (j["mbps"], gro["mbps"], 2 * gro["mbps"], _fmt(j["mbps_cpu"], ".2f"),
                     _fmt(gro["mbps_cpu"], ".2f")))
        if j["db_ratio"] and tri and tri["db_ratio"]:
            check(row, "database <= 0.85 x trigram", j["db_ratio"] <= 0.85 * tri["db_ratio"],
                  "%.2f vs 0.85 x %.2f = %.2f x text (%.1f vs %.1f MB)"
                  % (j["db_ratio"], tri["db_ratio"], 0.85 * tri["db_ratio"], j["db_mb"],
                     tri["db_mb"]))
        if tool == "jfts":
            check(row, "jfts-index peak RSS <= 64 MB",
                  j["build_rss_mb"] <= 64 if j["build_rss_mb"] else None,
                  "%s MB" % _fmt(j["build_rss_mb"], ".1f"))
            check(row, "jfts-query start-up <= 10 ms",
                  j["startup_ms"] <= 10 if j["startup_ms"] is not None else None,
                  "%s ms (median of wall - --timing; the call's CPU time %s ms, its own "
                  "'load:' figure %s ms; spawning /bin/true takes %s ms here)"
                  % (_fmt(j["startup_ms"], ".2f"), _fmt(j.get("startup_cpu_ms"), ".1f"),
                     _fmt(j.get("load_ms"), ".1f"), _fmt(j.get("spawn_ms"), ".1f")))
    return out, n_pass, n_fail


def cmd_report(args):
    queries = read_queries(args.queries)
    classes = CLASS_NAMES
    qclass = {i: c for i, (c, _) in enumerate(queries)}
    oracle = _read_sets(args.oracle)
    text_bytes = _text_bytes(args.corpus)
    notes, stats, order = [], {}, []
    for tool in args.tools:
        d = os.path.join(args.out, tool)
        if not os.path.exists(os.path.join(d, "result.json")):
            continue
        res, st = _tool_stats(d, text_bytes, qclass, oracle, classes)
        if st is None:
            notes.append("- %s: skipped: %s" % (tool, res["skipped"]))
            continue
        stats[tool] = st
        order.append(tool)
        if st["note"]:
            notes.append("- %s: %s" % (tool, st["note"]))
        if st["below"]:
            notes.append("- %s: recall below 1.000 for %s" % (tool, ", ".join(
                "%s %s %.3f" % (qclass[qi], queries[qi][1], st["per_query"][qi])
                for qi in st["below"][:8]) + (" …" if len(st["below"]) > 8 else "")))
        if st.get("mapped_recall"):
            notes.append("- %s: recall with its hits mapped onto the shared passages by line "
                         "overlap: %s" % (tool, " / ".join(
                             _fmt(statistics.mean(v) if v else None, ".3f")
                             for v in st["mapped_recall"].values())))
    n_pass = sum(1 for _ in open(args.passages, encoding="utf-8"))
    man = {}
    if os.path.exists(os.path.join(args.corpus, ".manifest.json")):
        with open(os.path.join(args.corpus, ".manifest.json")) as f:
            man = json.load(f)
    print("Corpus %s: %d files (%s in Shift_JIS), %.1f MB of text, %d shared passages; %d "
          "queries (%s); %d timed runs per query after one warm-up."
          % (os.path.basename(args.corpus.rstrip("/")), len(corpus_files(args.corpus)),
             man.get("shift_jis_files", "?"), text_bytes / 1e6, n_pass, len(queries),
             ", ".join("%d %s" % (sum(1 for q in queries if q[0] == c), c) for c in classes),
             args.reps))
    print()
    print("| tool | build s wall | build s CPU | MB/s wall | MB/s CPU | DB MB | DB ÷ text | "
          "build peak RSS MB | query peak RSS MB | start-up ms (call CPU ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for t in order:
        s = stats[t]
        print("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            t, _fmt(s["build_wall"], ".2f"), _fmt(s["build_cpu"], ".2f"), _fmt(s["mbps"], ".2f"),
            _fmt(s["mbps_cpu"], ".2f"), _fmt(s["db_mb"], ".1f"), _fmt(s["db_ratio"], ".2f"),
            _fmt(s["build_rss_mb"], ".0f"), _fmt(s["query_rss_mb"], ".0f"),
            _fmt(s["startup_ms"], ".2f") + ("" if s["startup_cpu_ms"] is None
                                             else " (%.1f)" % s["startup_cpu_ms"])))
    print()
    print("Top-10 query latency, ms, p50 / p95 / p99 over every timed run of the class:")
    print()
    print("| tool | " + " | ".join(classes) + " |")
    print("|---|" + "---|" * len(classes))
    for t in order:
        s = stats[t]
        print("| %s | %s |" % (t, " | ".join(
            " / ".join(_fmt(s["p"][c][q], ".2f") for q in (50, 95, 99)) for c in classes)))
    print()
    print("Recall (mean over the class's queries of |hits ∩ oracle| ÷ |oracle|; queries "
          "below 1.000 in brackets):")
    print()
    print("| tool | " + " | ".join(classes) + " |")
    print("|---|" + "---|" * len(classes))
    for t in order:
        s = stats[t]
        print("| %s | %s |" % (t, " | ".join(
            "%s (%d)" % (_fmt(statistics.mean(s["recall"][c]) if s["recall"][c] else None,
                              ".3f"), sum(1 for r in s["recall"][c] if r < 1.0))
            for c in classes)))
    print()
    print("Build MB/s = corpus text (UTF-8 bytes) ÷ seconds of the build process(es), wall and "
          "CPU (user + system, all threads); peak RSS from GNU time, build and query processes "
          "apart; start-up: median over calls of a whole jfts-query call's wall time minus its "
          "own --timing, with the median CPU time of the whole call in brackets; oracle: "
          "passages whose NFKC-casefolded text contains the query.")
    if notes:
        print()
        print("\n".join(notes))
    floors, n_ok, n_bad = _floors(stats, classes)
    if floors:
        print()
        print("Floors (issue 15), ratios against the other tools of this run: %d PASS, %d FAIL"
              % (n_ok, n_bad))
        print()
        print("\n".join(floors))
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump({"text_bytes": text_bytes, "passages": n_pass, "queries": len(queries),
                   "floors_pass": n_ok, "floors_fail": n_bad,
                   "tools": {t: {k: v for k, v in s.items() if k not in ("per_query",)}
                             for t, s in stats.items()}}, f, indent=1, ensure_ascii=False)
    if args.per_query:
        print()
        print("| class | query | oracle | " + " | ".join("%s p50" % t for t in order) + " |")
        print("|---|---|---|" + "---|" * len(order))
        per = {}
        for t in order:
            with open(os.path.join(args.out, t, "timings.tsv")) as f:
                for line in f:
                    qi, ms, _ = line.split("\t")
                    per.setdefault((t, int(qi)), []).append(float(ms))
        for qi, (c, w) in enumerate(queries):
            print("| %s | %s | %d | %s |" % (c, w, len(oracle.get(qi, ())), " | ".join(
                _fmt(_pct(per.get((t, qi), []), 50), ".2f") for t in order)))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("corpus", help="fetch, convert and deduplicate the text into "
                       "CACHE/corpus-{1x,4x,16x}")
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
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--per-class", type=int, default=40)
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
    p = sub.add_parser("startup", help="median jfts-query start-up (wall - --timing), ms")
    p.add_argument("--query-bin", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--word", required=True)
    p.add_argument("--calls", type=int, default=20)
    p.add_argument("--out", required=True)
    p.set_defaults(fn=cmd_startup)
    p = sub.add_parser("report", help="print the markdown tables and the floors")
    p.add_argument("--out", required=True)
    p.add_argument("--corpus", required=True)
    p.add_argument("--passages", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--oracle", required=True)
    p.add_argument("--reps", type=int, default=0)
    p.add_argument("--per-query", action="store_true")
    p.add_argument("tools", nargs="+")
    p.set_defaults(fn=cmd_report)
    args = ap.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
