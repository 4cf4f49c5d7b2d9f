"""jfts-serve's API against jfts-query over the same index: the same JSON rows and CSV bytes
per mode and filter, the CLI's error messages with HTTP statuses, the limits, the security
headers, and a re-index seen by the next request."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import urllib.parse

from serve_common import Server, env

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def q(path, **params):
    items = []
    for k, v in params.items():
        for one in v if isinstance(v, list) else [v]:
            items.append((k, one))
    return path + ("?" + urllib.parse.urlencode(items) if items else "")


def json_rows(srv, path, **params):
    status, _, body = srv.get(q(path, **params))
    return status, json.loads(body)


def cli_lines(srv, *args):
    return [json.loads(line) for line in srv.query("--format", "json", *args).decode().splitlines()]


def cli_error(*args, db):
    """The CLI's message for a usage error (its first stderr line, without the program name)."""
    r = subprocess.run([env("JFTS_QUERY"), "--db", db, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return r.returncode, r.stderr.decode().splitlines()[0].removeprefix("jfts-query: ")


def same_as_cli(srv):
    cases = [  # (endpoint, params, CLI arguments)
        ("/api/search", {"q": "8050問題"}, ["8050問題"]),
        ("/api/search", {"q": "会議", "ward": "泉", "section": "1"}, ["--ward", "泉", "--section", "1", "会議"]),
        ("/api/search", {"q": "連携", "ward": ["青葉", "若林区"], "year": "R3", "limit": "5", "offset": "3"},
         ["--ward", "青葉", "--ward", "若林区", "--year", "R3", "--limit", "5", "--offset", "3", "連携"]),
        ("/api/search", {"q": "ウイルス", "exact": "1"}, ["--exact", "ウイルス"]),
        ("/api/search", {"q": "ウイルス"}, ["ウイルス"]),
        ("/api/search", {"q": "相談", "meeting": "IGASU", "sort": "doc"}, ["--meeting", "IGASU", "--sort", "doc", "相談"]),
        # Best match, split words and related topics, as jfts-query runs them, and their toggles.
        ("/api/search", {"q": "8050問題 連携 卒業後の進路"}, ["8050問題", "連携", "卒業後の進路"]),
        ("/api/search", {"q": "8050問題 連携", "all_words": "1"}, ["--all-words", "8050問題", "連携"]),
        ("/api/search", {"q": "防災"}, ["防災"]),
        ("/api/search", {"q": "防災", "related": "0"}, ["--no-related", "防災"]),
        ("/api/wards", {"q": "8050問題"}, ["--wards", "8050問題"]),
        ("/api/wards", {"q": "ウイルス", "year": "令和3年度"}, ["--wards", "--year", "令和3年度", "ウイルス"]),
        ("/api/quotes", {"q": "ウイルス", "sort": "left", "context": "10"},
         ["--quotes", "--sort", "left", "--context", "10", "ウイルス"]),
        ("/api/meetings", {}, ["--meetings"]),
        ("/api/meetings", {"ward": "太白"}, ["--meetings", "--ward", "太白"]),
        ("/api/documents", {}, ["--documents"]),
    ]
    for path, params, args in cases:
        what = q(path, **params)
        status, data = json_rows(srv, path, **params)
        check(status == 200 and data["rows"] == cli_lines(srv, *args), f"{what}: the CLI's json rows")
        status, headers, body = srv.get(q(path, format="csv", **params))
        check(status == 200 and body == srv.query("--format", "csv", *args)
              and headers["Content-Type"].startswith("text/csv"), f"{what}: the CLI's csv bytes")
    status, _, body = srv.get(q("/api/quotes", q="8050問題", format="tsv"))
    check(body == srv.query("--quotes", "--format", "tsv", "8050問題"), "quotes tsv: the CLI's bytes")
    status, data = json_rows(srv, "/api/search", q="8050問題")
    check(data["total"] == {"passages": 5, "occurrences": 5}, "search totals: 5 passages, 5 occurrences")
    wards = [(f["value"], f["count"]) for f in data["facets"]["ward"]]
    check(wards == [("青葉区", 0), ("宮城野区", 1), ("若林区", 4), ("太白区", 0), ("泉区", 0)],
          f"search facets: every ward of the index, zeros included ({wards})")
    # Year and section filters select exactly a facet's value (meeting filters are substrings).
    counts = [(name, f["value"], f["count"], len(cli_lines(srv, "--" + name, f["value"], "--limit", "1000", "8050問題")))
              for name in ("year", "section") for f in data["facets"][name]]
    check(all(c == n for _, _, c, n in counts), f"search facets: year and section counts as the CLI's filters give ({counts})")
    sections = {f["value"] for f in data["facets"]["section"]}
    check({"table", "1", "2", "3"} <= sections, f"search facets: every section, zeros included ({sections})")


def errors(srv):
    cases = [  # (params, CLI arguments): the same usage error, 400 with the CLI's message
        ({"q": "x", "ward": "北区"}, ["--ward", "北区", "x"]),
        ({"q": "x", "year": "昭和"}, ["--year", "昭和", "x"]),
        ({"q": "x", "section": "nosuch"}, ["--section", "nosuch", "x"]),
        ({"q": "x", "meeting": "nosuch"}, ["--meeting", "nosuch", "x"]),
    ]
    for params, args in cases:
        status, data = json_rows(srv, "/api/search", **params)
        rc, msg = cli_error(*args, db=srv.db)
        check(status == 400 and rc == 2 and data.get("error") == msg, f"{params}: 400 '{msg}' ({data})")
    status, data = json_rows(srv, "/api/quotes", q="x", sort="up")
    check(status == 400 and data["error"] == cli_error("--quotes", "--sort", "up", "x", db=srv.db)[1], "quotes sort: the CLI's message")
    for path, code, what in [
        ("/api/search", 400, "no query"),
        ("/api/search?q=%ZZ", 400, "bad escape"),
        ("/api/search?q=%FF", 400, "not UTF-8"),
        ("/api/search?q=a%00b", 400, "NUL"),
        ("/api/search?q=x&nosuch=1", 400, "unknown parameter"),
        ("/api/search?q=x&q=y", 400, "repeated parameter"),
        ("/api/search?q=x&limit=-1", 400, "negative limit"),
        ("/api/search?q=x&format=text", 400, "text format"),
        ("/api/wards?q=x&all_words=1", 400, "all_words for wards"),
        ("/api/quotes?q=x&related=0", 400, "related=0 for quotes"),
        ("/api/search?q=" + "x" * 1025, 400, "q over 1024 bytes"),
        ("/api/search?q=x" + "&ward=%E9%9D%92%E8%91%89" * 17, 400, "17 wards"),
        ("/api/search?q=" + "x" * 5000, 414, "request target over 4096 bytes"),
        ("/api/nosuch", 404, "unknown endpoint"),
        ("/api/document?id=9999", 404, "unknown document"),
        ("/api/document?id=../../etc/passwd", 400, "document by path"),
        ("/etc/passwd", 404, "a file path"),
        ("/..%2f..%2fetc%2fpasswd", 404, "an encoded file path"),
    ]:
        status, headers, body = srv.get(path)
        check(status == code and "error" in json.loads(body), f"{what}: {code} ({status})")
    status, data = json_rows(srv, "/api/search", q="会議", limit="5000")
    check(status == 200 and data["limit"] == 100 and data["limit_capped"] and len(data["rows"]) <= 100, "limit capped at 100")
    # Methods other than GET/HEAD, and a Host header that names another site (DNS rebinding).
    host, port = srv.url.removeprefix("http://").split(":")
    for request, code, what in [(b"POST /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", b"405", "POST"),
                                (b"GET /api/documents HTTP/1.1\r\nHost: evil.example\r\n\r\n", b"403", "foreign Host")]:
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(request)
            first = s.recv(200).split(b"\r\n")[0]
        check(code in first, f"{what}: {code.decode()} ({first})")


def headers(srv):
    for path in ["/", "/app.js", "/style.css", "/api/documents", "/api/search?q=%ZZ", "/nosuch"]:
        status, h, _ = srv.get(path, headers={"Origin": "http://evil.example"})
        ok = (h["Content-Security-Policy"].startswith("default-src 'self'") and h["X-Content-Type-Options"] == "nosniff"
              and h["Referrer-Policy"] == "no-referrer" and "Access-Control-Allow-Origin" not in h)
        check(ok, f"{path}: CSP, nosniff, no-referrer, no CORS")
    _, h, body = srv.get("/app.js")
    check(h["Content-Type"].startswith("text/javascript") and b"textContent" in body, "app.js served from the binary")
    for path in ["/", "/style.css", "/app.js"]:
        _, _, body = srv.get(path)
        body = body.replace(b'"http://www.w3.org/2000/svg"', b"")  # a namespace name, not fetched
        check(b"http:" not in body and b"https:" not in body and b"//" + b"cdn" not in body, f"{path}: nothing from outside")


def reindex(srv):
    """jfts-index updates the database while the server runs: the next request sees it."""
    _, before = json_rows(srv, "/api/documents")
    extra = tempfile.mkdtemp(prefix="jfts-extra.")
    with open(os.path.join(extra, "extra.txt"), "w", encoding="utf-8") as f:
        f.write("追加の文書です。ズンドコ節の練習会を開いた。\n")
    subprocess.run([env("JFTS_INDEX"), "--quiet", "--db", srv.db, env("JFTS_CORPUS"), extra], check=True)
    _, after = json_rows(srv, "/api/documents")
    _, hit = json_rows(srv, "/api/search", q="ズンドコ")
    check(len(after["rows"]) == len(before["rows"]) + 1 and hit["total"]["passages"] == 1,
          "re-index while serving: the next request sees the new document")
    status, data = json_rows(srv, "/api/search", q="8050問題")
    check(status == 200 and data["total"]["passages"] == 5, "re-index while serving: search still right")


def startup():
    r = subprocess.run([env("JFTS_SERVE"), "--db", "/nonexistent/x.db", "--listen", "0.0.0.0:0"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    check(r.returncode == 2 and b"--allow-remote" in r.stderr, "a non-loopback address needs --allow-remote")
    r = subprocess.run([env("JFTS_SERVE"), "--db", "/nonexistent/x.db", "--listen", "127.0.0.1:0"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=10)
    check(r.returncode == 1 and b"run jfts-index first" in r.stderr, "a missing database: exit 1, as jfts-query says")


HEAVY = " OR ".join(["会議", "相談", "連携", "地域", "支援", "障害", "課題", "取組", "実施", "センター"] * 8)


def limits():
    """The time budget answers 422 and the server goes on; over --max-requests answers 429."""
    srv = Server("--budget", "1")
    try:
        status, data = json_rows(srv, "/api/quotes", q=HEAVY)
        check(status == 422 and "time budget" in data["error"], f"time budget: 422 ({status})")
        status, _, _ = srv.get("/app.js")
        check(status == 200, "time budget: the server answers the next request")
    finally:
        check(srv.close(), "time budget: the server stops cleanly")
    srv = Server("--threads", "4", "--max-requests", "1", "--budget", "0")
    try:
        import concurrent.futures
        seen = []
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            for _ in range(10):
                seen += list(pool.map(lambda _: srv.get(q("/api/quotes", q=HEAVY)), range(8)))
                if any(s == 429 for s, _, _ in seen):
                    break
        statuses = {s for s, _, _ in seen}
        busy = [h for s, h, _ in seen if s == 429]
        check(statuses == {200, 429} and busy[0]["Retry-After"] == "1",
              f"over --max-requests: 429 with Retry-After, the others 200 ({statuses})")
    finally:
        check(srv.close(), "--max-requests: the server stops cleanly")


def pdf_document():
    """A PDF's document view cites each passage by page and line within the page, as search rows
    and jfts-query do (p.3:5), not by the line of the whole extracted text."""
    srv = Server(corpus="pdf")
    try:
        status, docs = json_rows(srv, "/api/documents")
        check(status == 200 and len(docs["rows"]) == 1 and docs["rows"][0]["page"] == 1
              and docs["rows"][0]["page_end"] == 3, f"pdf: one document over pages 1-3 ({docs['rows']})")
        status, doc = json_rows(srv, "/api/document", id="1")
        rows = doc["rows"]
        check(status == 200 and len(rows) == docs["rows"][0]["passages"], f"pdf: the document's {len(rows)} passages")
        check(all(isinstance(r["page"], int) and 1 <= r["page"] <= r["page_end"] <= 3 for r in rows),
              "pdf: every passage has its page and last page")
        check({r["page"] for r in rows} == {1, 2, 3}, "pdf: passages on each of the 3 pages")
        # The same passages through jfts-query: the same page and lines within it.
        by_text = {r["text"]: r for r in rows}
        hits = cli_lines(srv, "--limit", "0", "--sort", "doc", "地域")
        same = [h for h in hits if h["text"] in by_text]
        check(len(same) == len(hits) > 3 and all(
            (by_text[h["text"]]["page"], by_text[h["text"]]["line_start"], by_text[h["text"]]["page_end"],
             by_text[h["text"]]["line_end"]) == (h["page"], h["line_start"], h["page_end"], h["line_end"])
            for h in same), f"pdf: pages and lines as jfts-query cites them ({len(same)} of {len(hits)} hits)")
        check(max(r["line_start"] for r in rows if r["page"] == 3) < 40,
              "pdf: lines count within the page, not through the file")
    finally:
        check(srv.close(), "pdf: the server stops cleanly")


def main():
    startup()
    limits()
    pdf_document()
    srv = Server()
    try:
        same_as_cli(srv)
        errors(srv)
        headers(srv)
        reindex(srv)
    finally:
        check(srv.close(), "the server stops cleanly on SIGTERM (exit 0, nothing on stderr)")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
