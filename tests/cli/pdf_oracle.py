#!/usr/bin/env python3
"""Oracle for the PDF reader: pdftotext, page by page, against pdf_dump's output.
Usage: pdf_oracle.py PDF_DUMP FILE.pdf [SAMPLES_PER_PAGE]
Both sides are NFKC + casefolded with all whitespace removed. Every Japanese substring of
1-8 characters of every pdftotext line (or SAMPLES_PER_PAGE random ones per page, seed 1)
must occur on the same page of the reader's body text, or else in the running headers and
footers it set apart for that page. Prints the recall and each miss; exit 1 on a miss.
pdftotext joins a line ending in a hyphen to the next without the hyphen (initrd-|tools ->
initrdtools); the reader keeps the hyphen, so its page text is also tried joined that way."""
import random
import re
import subprocess
import sys
import unicodedata

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s).casefold())


def reader_pages(dump, path):
    """Per page: the body as one string, the body with pdftotext's dehyphenation, and the
    running headers and footers."""
    body, dehyph, furniture = {}, {}, {}
    out = subprocess.run([dump, path], capture_output=True, text=True, check=True).stdout
    for line in out.split("\n"):
        if not line:
            continue
        where, text = line.split("\t", 1)
        page, kind = where.split(":")
        page = int(page)
        if kind == "furniture":
            furniture[page] = furniture.get(page, "") + norm(text)
            continue
        body[page] = body.get(page, "") + norm(text)
        dehyph[page] = dehyph.get(page, "") + re.sub(r"[-\u00ad]$", "", norm(text))
    return body, dehyph, furniture


def n_pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def main():
    dump, path = sys.argv[1], sys.argv[2]
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    rng = random.Random(1)
    body, dehyph, furniture = reader_pages(dump, path)
    total = found = only_furniture = 0
    misses = []
    for page in range(1, n_pages(path) + 1):
        oracle = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-f", str(page), "-l",
                                 str(page), path, "-"], capture_output=True, text=True).stdout
        subs = []
        for line in oracle.split("\n"):
            t = norm(line)
            for i in range(len(t)):
                for n in range(1, 9):
                    if i + n <= len(t) and JAPANESE.search(t[i:i + n]):
                        subs.append(t[i:i + n])
        if samples and len(subs) > samples:
            subs = rng.sample(subs, samples)
        b, d, f = body.get(page, ""), dehyph.get(page, ""), furniture.get(page, "")
        for s in subs:
            total += 1
            if s in b or s in d:
                found += 1
            elif s in f:
                found += 1
                only_furniture += 1
            else:
                misses.append((page, s))
    recall = found / total if total else 1.0
    print(f"{path}: {total} substrings, recall {recall:.3f}, {only_furniture} only in "
          f"headers/footers, {len(misses)} missed")
    for page, s in misses[:20]:
        print(f"  missed on page {page}: {s}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
