"""Drives the jfts-serve page in headless Chromium (Debian chromium + chromium-driver +
python3-selenium) as a user would: search, facets, which wards, quotes, CSV, document view,
Back, and a hostile query. Saves screenshots of the main views into JFTS_SCREENSHOTS.
Exit 77 (skip) only when chromium is missing and CI is not set."""
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.parse

from serve_common import SKIP, Server

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"
QUERY = "8050問題"
HOSTILE = "<img src=x onerror=alert(1)>"
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def start_browser(profile):
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,1000",
                 "--lang=ja"]:
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def wait_loaded(d):
    """Until the page finished rendering the current URL (main not busy)."""
    WebDriverWait(d, 20).until(
        lambda d: d.execute_script("return document.getElementById('main').getAttribute('aria-busy')") == "false")


def shot(d, name):
    out = os.environ.get("JFTS_SCREENSHOTS")
    if out:
        os.makedirs(out, exist_ok=True)
        d.save_screenshot(os.path.join(out, name + ".png"))


def search(d, text):
    box = d.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text, Keys.ENTER)
    wait_loaded(d)


def state(d):
    return urllib.parse.parse_qs(urllib.parse.urlparse(d.current_url).query)


def cli_rows(srv, *args):
    return [json.loads(line) for line in srv.query("--format", "json", *args).decode().splitlines()]


def run(srv, d):
    d.get(srv.url + "/")
    wait_loaded(d)
    # Search: as many passages and highlighted occurrences as the CLI finds, in its order.
    search(d, QUERY)
    expect = cli_rows(srv, "--limit", "10", QUERY)
    results = d.find_elements(By.CSS_SELECTOR, "li.result")
    check(len(results) == 5 == len(expect), f"{QUERY}: 5 passages shown ({len(results)})")
    marks = d.find_elements(By.CSS_SELECTOR, "li.result mark")
    check(len(marks) == 5, f"{QUERY}: 5 highlighted occurrences ({len(marks)})")
    texts = [r.find_element(By.CSS_SELECTOR, ".text").text for r in results]
    check(texts == [r["text"] for r in expect], "results in the CLI's order with its texts")
    cites = [r.find_element(By.CSS_SELECTOR, ".cite").text for r in results]
    check(cites == [os.path.basename(r["file"]) + ":" + str(r["line_start"]) for r in expect], "citations file:line")
    check("5 件の段落、5 箇所" in d.find_element(By.ID, "status").text, "totals line")
    shot(d, "search")

    # Facets: ward, then year; counts as the CLI's filters give.
    d.find_element(By.XPATH, "//aside//button[starts-with(normalize-space(.), '若林区')]").click()
    wait_loaded(d)
    n_ward = len(cli_rows(srv, "--ward", "若林区", QUERY))
    metas = [m.text for m in d.find_elements(By.CSS_SELECTOR, "li.result .meta")]
    check(state(d).get("ward") == ["若林区"], "ward filter in the URL")
    check(len(metas) == n_ward == 4 and all(m.startswith("若林区") for m in metas), f"ward filter: {len(metas)} 若林区 passages")
    d.find_element(By.XPATH, "//aside//button[starts-with(normalize-space(.), '令和3年度')]").click()
    wait_loaded(d)
    check(state(d).get("year") == ["令和3年度"] and len(d.find_elements(By.CSS_SELECTOR, "li.result")) ==
          len(cli_rows(srv, "--ward", "若林区", "--year", "R3", QUERY)), "year filter")
    filtered_url = d.current_url

    # Document view from the first result, then Back restores the filtered results.
    first_text = d.find_element(By.CSS_SELECTOR, "li.result .text").text
    d.find_element(By.LINK_TEXT, "文書の中で見る").click()
    wait_loaded(d)
    hit = d.find_element(By.CSS_SELECTOR, ".passage.hit")
    check(hit.find_element(By.CSS_SELECTOR, ".text").text == first_text, "document view: the hit passage is marked")
    check(len(hit.find_elements(By.TAG_NAME, "mark")) >= 1, "document view: the match is highlighted")
    in_view = d.execute_script("const r = arguments[0].getBoundingClientRect();"
                               "return r.top >= 0 && r.bottom <= window.innerHeight;", hit)
    check(in_view, "document view: the hit is scrolled into view")
    check(d.execute_script("return document.activeElement === arguments[0]", hit), "document view: focus on the hit")
    shot(d, "document")
    d.back()
    wait_loaded(d)
    check(d.current_url == filtered_url, "Back: the URL of the filtered results")
    check(len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 4 and d.find_element(By.ID, "q").get_attribute("value") == QUERY,
          "Back: the filtered results and the query box restored")
    d.forward()
    wait_loaded(d)
    check(len(d.find_elements(By.CSS_SELECTOR, ".passage.hit")) == 1, "Forward: the document view again")
    d.back()
    wait_loaded(d)

    # Which wards: every ward listed, zeros included.
    d.get(srv.url + "/?" + urllib.parse.urlencode({"q": QUERY, "view": "wards"}))
    wait_loaded(d)
    rows = d.find_elements(By.CSS_SELECTOR, "table.wards tbody tr")
    wards = {r.get_attribute("data-ward"): r.find_elements(By.CSS_SELECTOR, "td.num")[1].text for r in rows}
    check(sorted(wards) == sorted(["青葉区", "宮城野区", "若林区", "太白区", "泉区"]), f"which wards: all 5 wards ({sorted(wards)})")
    check(wards.get("太白区") == "0", "which wards: 太白区 has 0 occurrences")
    check(len(d.find_elements(By.CSS_SELECTOR, "table.wards svg.bar")) == 5, "which wards: a bar per ward")
    shot(d, "wards")

    # Quotes sorted by right context, as jfts-query --quotes --sort right.
    d.find_element(By.LINK_TEXT, "引用（KWIC）").click()
    wait_loaded(d)
    d.find_element(By.XPATH, "//button[normalize-space(.)='右の文脈']").click()
    wait_loaded(d)
    check(state(d).get("sort") == ["right"], "quotes: sort in the URL")
    shown = [td.get_attribute("textContent") for td in d.find_elements(By.CSS_SELECTOR, "table.kwic td.right")]
    expect = [" ".join(r["right"].split()) for r in cli_rows(srv, "--quotes", "--sort", "right", QUERY)]
    check(shown == expect and len(shown) == 5, "quotes: right contexts in the CLI's --sort right order")
    shot(d, "quotes")
    href = d.find_element(By.ID, "csv").get_attribute("href")
    status, headers, body = srv.get(urllib.parse.urlparse(href).path + "?" + urllib.parse.urlparse(href).query)
    check(status == 200 and body == srv.query("--quotes", "--sort", "right", "--format", "csv", QUERY),
          "quotes CSV: the bytes of jfts-query --quotes --sort right --format csv")
    status, headers, body = srv.get("/api/quotes?" + urllib.parse.urlencode({"q": QUERY, "format": "csv"}))
    check(body == srv.query("--quotes", "--format", "csv", QUERY) and body.startswith(b"\xef\xbb\xbf"),
          "quotes CSV: the bytes of jfts-query --quotes --format csv (BOM)")

    # Meetings grid, a description on click.
    d.find_element(By.LINK_TEXT, "会議の一覧").click()
    wait_loaded(d)
    d.find_element(By.CSS_SELECTOR, "table.grid tbody button").click()
    check(len(d.find_element(By.ID, "meeting-desc").text) > 20, "meetings: a description on click")
    shot(d, "meetings")

    # A hostile query is text: no dialog, no element made from it.
    search(d, HOSTILE)
    d.find_element(By.LINK_TEXT, "どの区が書いているか").click()
    wait_loaded(d)
    try:
        d.switch_to.alert
        check(False, "hostile query: no dialog")
    except NoAlertPresentException:
        check(True, "hostile query: no dialog")
    check(d.execute_script("return document.querySelectorAll('main img, main [onerror]').length") == 0,
          "hostile query: no element made from it")
    check(HOSTILE in d.find_element(By.CSS_SELECTOR, "main h2").text, "hostile query: shown as text")
    logs = [e for e in d.get_log("browser") if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")]
    check(not logs, f"no errors in the browser console ({logs[:2]})")


def main():
    if CHROMIUM is None and not os.environ.get("CI"):
        print("skip: chromium is not installed (apt-get install chromium chromium-driver python3-selenium)")
        return SKIP
    if CHROMIUM is None or webdriver is None or not os.path.exists(DRIVER):
        sys.exit("chromium, chromium-driver or python3-selenium is missing")
    srv = Server()
    profile = tempfile.mkdtemp(prefix="jfts-chromium.")
    d = None
    try:
        d = start_browser(profile)
        run(srv, d)
    except TimeoutException as e:
        failures.append(f"timed out waiting for the page: {e}")
        if d:
            print(d.current_url, d.find_element(By.ID, "status").text)
    finally:
        if d:
            d.quit()
        check(srv.close(), "the server stops cleanly")
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
