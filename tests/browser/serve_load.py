"""Load test of jfts-serve (ctest label `load`): N concurrent clients on 127.0.0.1 for a bounded
time and request count over a mix of endpoints. Prints p50/p99 latency; fails on any error
or non-200 answer, or when the server's RSS grows after the warm-up (a leak per request)."""
import concurrent.futures
import http.client
import os
import sys
import time
import urllib.parse

from serve_common import Server

CLIENTS = int(os.environ.get("JFTS_LOAD_CLIENTS", "4"))      # = jfts-serve's --max-requests
SECONDS = float(os.environ.get("JFTS_LOAD_SECONDS", "8"))   # per phase
REQUESTS = int(os.environ.get("JFTS_LOAD_REQUESTS", "1500"))  # per phase, at most
RSS_SLACK_KB = 2048  # allocator noise; a leak of even 1 KB per request exceeds it
PATHS = [
    "/api/search?" + urllib.parse.urlencode({"q": "8050問題"}),
    "/api/search?" + urllib.parse.urlencode({"q": "会議", "ward": "泉", "limit": "20"}),
    "/api/search?" + urllib.parse.urlencode({"q": "ウイルス", "exact": "1"}),
    "/api/wards?" + urllib.parse.urlencode({"q": "連携"}),
    "/api/quotes?" + urllib.parse.urlencode({"q": "相談", "sort": "right"}),
    "/api/quotes?" + urllib.parse.urlencode({"q": "8050問題", "format": "csv"}),
    "/api/meetings",
    "/api/documents",
    "/api/document?id=3",
    "/",
    "/app.js",
]


def client(host, port, deadline, budget, k):
    """One keep-alive client: requests in turn until the deadline or its share of the count."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    lat, errors = [], []
    for i in range(budget):
        if time.monotonic() > deadline:
            break
        path = PATHS[(i + k) % len(PATHS)]
        t0 = time.monotonic()
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            body = r.read()
            if r.status != 200 or not body:
                errors.append(f"{path}: {r.status}")
        except (OSError, http.client.HTTPException) as e:
            errors.append(f"{path}: {e!r}")
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
        lat.append(time.monotonic() - t0)
    conn.close()
    return lat, errors


def phase(srv):
    host, port = srv.url.removeprefix("http://").split(":")
    deadline = time.monotonic() + SECONDS
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda k: client(host, int(port), deadline, REQUESTS // CLIENTS, k), range(CLIENTS)))
    lat = sorted(x for r in results for x in r[0])
    errors = [e for r in results for e in r[1]]
    return lat, errors


def main():
    srv = Server()
    try:
        warm, errors = phase(srv)
        rss0 = srv.rss_kb()
        lat, errors2 = phase(srv)
        rss1 = srv.rss_kb()
        asan = srv.sanitized()
    finally:
        clean = srv.close()
    errors += errors2
    p50 = lat[len(lat) // 2] * 1000
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
    print(f"load: {CLIENTS} clients, {len(warm)} warm-up + {len(lat)} requests; p50 {p50:.1f} ms, p99 {p99:.1f} ms; "
          f"RSS {rss0} -> {rss1} kB; {len(errors)} errors")
    for e in errors[:10]:
        print("error:", e)
    grew = rss1 - rss0 > RSS_SLACK_KB and not asan  # under ASan, LeakSanitizer checks at exit
    if asan:
        print("note: AddressSanitizer build: RSS not compared (quarantine); leaks checked at exit")
    ok = clean and not errors and len(lat) >= 100 and not grew
    if grew:
        print(f"FAIL: RSS grew by {rss1 - rss0} kB after the warm-up")
    if len(lat) < 100:
        print("FAIL: fewer than 100 requests answered")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
