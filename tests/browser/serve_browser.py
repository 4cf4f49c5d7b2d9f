"""Drives the jfts-serve page in headless Chromium (Debian chromium + chromium-driver +
python3-selenium) as a user would: search, facets, which wards, quotes, CSV, document view,
Back, and a hostile query; then every action again with the keyboard only (the CSV downloaded
by the browser), the print stylesheet (print media and a PDF), the fields that only some
indexes have (page, org, kind, heading_path), and WCAG AA checks of each view: our own
(a11y.js: names, contrast from computed styles) and axe-core's serious and critical rules when
npm can install it into JFTS_NPM_DIR. Saves screenshots of the main views into
JFTS_SCREENSHOTS. Exit 77 (skip) only when chromium is missing and CI is not set."""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

from serve_common import SKIP, Server

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/lib/chromium/chromedriver"
QUERY = "8050問題"
HOSTILE = "<img src=x onerror=alert(1)>"
AXE_VERSION = "4.14.1"  # pinned: the same rules on every run
A11Y_JS = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "a11y.js"), encoding="utf-8").read()
failures = []
axe_source = None


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


def load_axe():
    """axe-core's source, installed by npm into JFTS_NPM_DIR (once per build directory); None
    when npm is missing or cannot reach its registry (then only a11y.js checks)."""
    npm, prefix = shutil.which("npm"), os.environ.get("JFTS_NPM_DIR")
    if not npm or not prefix:
        print("note: npm not found: axe-core not run, a11y.js checks only")
        return None
    path = os.path.join(prefix, "node_modules", "axe-core", "axe.min.js")
    if not os.path.exists(path):
        os.makedirs(prefix, exist_ok=True)
        try:
            r = subprocess.run([npm, "install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-package-lock",
                                "--loglevel=error", "--fetch-timeout=20000", "--fetch-retries=1",
                                f"axe-core@{AXE_VERSION}"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=90)
            out = r.stdout
        except subprocess.TimeoutExpired:
            out = "timed out"
        if not os.path.exists(path):
            print(f"note: npm could not install axe-core ({out.strip()[-200:]}): a11y.js checks only")
            return None
    with open(path, encoding="utf-8") as f:
        return f.read()


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
  .then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact,
                                               nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" "))}))))
  .catch((e) => done([{id: "axe failed: " + e, impact: "critical", nodes: []}]));
"""


def accessibility(d, view):
    """WCAG AA on the view as shown: a11y.js, then axe-core's serious and critical violations."""
    problems = d.execute_script(A11Y_JS)
    check(not problems, f"{view}: accessible names and contrast ({problems[:3]})")
    if axe_source:
        if not d.execute_script("return typeof axe === 'object'"):  # once per page load
            d.execute_script(axe_source)
        d.set_script_timeout(30)
        bad = [v for v in d.execute_async_script(AXE_RUN) if v["impact"] in ("serious", "critical")]
        check(not bad, f"{view}: no serious or critical axe-core violation ({bad[:3]})")


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
    accessibility(d, "search")

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
    accessibility(d, "document")
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
    accessibility(d, "wards")

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
    accessibility(d, "quotes")
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
    accessibility(d, "meetings")

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


LABEL_JS = """const label = (e) => (e.getAttribute("aria-label") || (e.labels && e.labels.length ? e.labels[0].textContent : "")
                      || e.textContent || "").trim();"""
ACTIVE = LABEL_JS + """
const e = document.activeElement;
return e ? [e.tagName, label(e).slice(0, 60), e.id, getComputedStyle(e).outlineStyle] : ["", "", "", ""];"""
# How many Tab (or Shift+Tab) presses move focus from where it is to the first control whose
# label starts with arguments[0], in the browser's sequential focus order (document order:
# the page sets no positive tabindex); null when there is none.
TABS_TO = LABEL_JS + """
const sel = "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])";
const all = [...document.querySelectorAll(sel)].filter(
  (e) => !e.disabled && e.getClientRects().length && getComputedStyle(e).visibility !== "hidden");
const a = document.activeElement || document.body;
let at = all.indexOf(a), fwd, bwd;
if (at >= 0) { fwd = at + 1; bwd = at - 1; }
else {
  fwd = all.findIndex((e) => a.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (fwd < 0) fwd = all.length;
  bwd = fwd - 1;
}
for (let i = fwd; i < all.length; i++) if (label(all[i]).startsWith(arguments[0])) return ["tab", i - fwd + 1];
for (let i = bwd; i >= 0; i--) if (label(all[i]).startsWith(arguments[0])) return ["shift", bwd - i + 1];
return null;"""


def press(d, *keys):
    ActionChains(d).send_keys(*keys).perform()


def tab_to(d, what, want):
    """Moves focus with Tab (or Shift+Tab, when it is above) to the control whose label starts
    with want, in one burst of presses; True when focus arrived there, with a visible outline."""
    how = d.execute_script(TABS_TO, want)
    if how is None:
        check(False, f"keyboard: {what}: no control labelled '{want}'")
        return False
    chain = ActionChains(d)
    if how[0] == "shift":
        chain.key_down(Keys.SHIFT)
    for _ in range(how[1]):
        chain.send_keys(Keys.TAB)
    if how[0] == "shift":
        chain.key_up(Keys.SHIFT)
    chain.perform()
    tag, text, _, outline = d.execute_script(ACTIVE)
    arrived = text.startswith(want)
    check(arrived and outline not in ("none", ""),
          f"keyboard: {what}: {how[1]} {'Shift+' if how[0] == 'shift' else ''}Tab reach '{want}' "
          f"with a focus outline ({tag} '{text}', outline {outline})")
    return arrived


def key_action(d, what, want, key=None):
    """Tabs to the control labelled want and presses key (Enter, or Space for a checkbox)."""
    if tab_to(d, what, want):
        press(d, key or Keys.ENTER)
        wait_loaded(d)


def keyboard(srv, d, downloads):
    """Every action with Tab, Enter, Space and the arrow keys only; the CSV downloaded by the
    browser itself."""
    d.get(srv.url + "/")
    wait_loaded(d)
    press(d, Keys.TAB)
    check(d.execute_script(ACTIVE)[1] == "本文へ移動", "keyboard: the first Tab reaches the skip link")
    for _ in range(3):
        if d.execute_script(ACTIVE)[2] == "q":
            break
        press(d, Keys.TAB)
    check(d.execute_script(ACTIVE)[2] == "q", "keyboard: Tab reaches the search box after the skip link and title")
    press(d, QUERY, Keys.ENTER)
    wait_loaded(d)
    check(len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 5, "keyboard: search with Enter")
    key_action(d, "ward facet", "宮城野区")
    check(state(d).get("ward") == ["宮城野区"] and len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 1,
          "keyboard: ward facet with Enter")
    check(d.execute_script(ACTIVE)[0] == "MAIN", "keyboard: focus at the start of the new results")
    key_action(d, "clear the ward", "宮城野区 の絞り込みを外す")
    check("ward" not in state(d) and len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 5,
          "keyboard: filter cleared with Enter")
    key_action(d, "document view", "文書の中で見る")
    check(state(d).get("view") == ["doc"] and d.execute_script(
        "return document.activeElement.classList.contains('hit')"), "keyboard: document view, focus on the hit")
    # The arrow keys read on: down, unless the hit is already at the end of the document.
    at_end = d.execute_script("return window.scrollY + innerHeight >= document.documentElement.scrollHeight - 2")
    before = d.execute_script("return window.scrollY")
    press(d, *[Keys.ARROW_UP if at_end else Keys.ARROW_DOWN] * 3)
    moved = False
    for _ in range(30):  # scrolling by arrow keys is animated
        after = d.execute_script("return window.scrollY")
        moved = after < before if at_end else after > before
        if moved:
            break
        time.sleep(0.05)
    check(moved, "keyboard: the arrow keys scroll the document")
    key_action(d, "back to the results", "← 検索結果へ")
    check(state(d).get("view") is None and len(d.find_elements(By.CSS_SELECTOR, "li.result")) == 5,
          "keyboard: back to the results with Enter")
    key_action(d, "spelling variants", "表記ゆれ", Keys.SPACE)
    check(state(d).get("exact") == ["1"], "keyboard: the variants checkbox with Space")
    key_action(d, "which wards", "どの区が書いているか")
    check(state(d).get("view") == ["wards"] and len(d.find_elements(By.CSS_SELECTOR, "table.wards tbody tr")) == 5,
          "keyboard: which wards with Enter")
    key_action(d, "quotes", "引用（KWIC）")
    key_action(d, "sort by left context", "左の文脈")
    check(state(d).get("sort") == ["left"], "keyboard: quotes sorted with Enter")
    expect = srv.query("--quotes", "--sort", "left", "--exact", "--format", "csv", QUERY)
    for f in os.listdir(downloads):
        os.unlink(os.path.join(downloads, f))
    if tab_to(d, "CSV", "CSV をダウンロード"):
        press(d, Keys.ENTER)
    path = os.path.join(downloads, "jfts-quotes.csv")
    for _ in range(100):
        if os.path.exists(path) and os.path.getsize(path) == len(expect):
            break
        time.sleep(0.1)
    got = open(path, "rb").read() if os.path.exists(path) else b""
    check(got == expect, "keyboard: the CSV downloaded by the browser has the bytes of "
          "jfts-query --quotes --sort left --exact --format csv")
    key_action(d, "meetings", "会議の一覧")
    if tab_to(d, "a meeting's description", "青葉区"):
        press(d, Keys.ENTER)
    check(d.execute_script(ACTIVE)[2] == "meeting-desc" and len(d.find_element(By.ID, "meeting-desc").text) > 20,
          "keyboard: a meeting's description with Enter, focus on it")
    d.get(srv.url + "/?" + urllib.parse.urlencode({"q": "会議"}))
    wait_loaded(d)
    key_action(d, "next page", "次のページ")
    check(state(d).get("page") == ["2"] and d.find_element(By.CSS_SELECTOR, "ol.results").get_attribute("start") == "11",
          "keyboard: the next page with Enter")


def printing(d):
    """The print stylesheet: controls hidden, the results and highlights kept; a PDF prints."""
    d.get(d.current_url.split("?")[0] + "?" + urllib.parse.urlencode({"q": QUERY}))
    wait_loaded(d)
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        shown = d.execute_script("""return ["#search", "nav", ".facets", "footer", ".pager", ".skip"].map(
            (s) => [s, [...document.querySelectorAll(s)].every((e) => getComputedStyle(e).display === "none")]);""")
        check(all(hidden for _, hidden in shown), f"print: the controls are hidden ({shown})")
        results = d.find_elements(By.CSS_SELECTOR, "li.result")
        check(len(results) == 5 and all(r.is_displayed() for r in results), "print: the 5 results are printed")
        mark = d.execute_script("const s = getComputedStyle(document.querySelector('li.result mark'));"
                                "return [s.textDecorationLine, s.fontWeight, s.backgroundColor];")
        check("underline" in mark[0] and int(mark[1]) >= 700, f"print: matches bold and underlined without colour ({mark})")
        pdf = base64.b64decode(d.execute_cdp_cmd("Page.printToPDF", {"printBackground": False, "pageRanges": "1"})["data"])
        check(pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") + pdf.count(b"/Type/Page") >= 1,
              f"print: the page prints as a PDF ({len(pdf)} bytes)")
    finally:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


# Wraps fetch so that /api/search answers carry the fields that only some indexes have.
OPTIONAL_FIELDS = """
const real = window.fetch;
window.fetch = async (...args) => {
  const res = await real(...args);
  if (!String(args[0]).startsWith("/api/search")) return res;
  const body = await res.json();
  body.rows.forEach((r, i) => Object.assign(r, {page: i + 1, org: "障害企画課", kind: "議事録",
                                               heading_path: ["第1章 取組", "2 相談支援"]}));
  return new Response(JSON.stringify(body), {status: res.status, headers: res.headers});
};
window.dispatchEvent(new PopStateEvent("popstate"));
"""


def optional_fields(srv, d):
    """page (p.N), org, kind and heading_path shown when a row has them (the bundled corpus's
    rows have none: the search checks above show the page without them)."""
    d.get(srv.url + "/?" + urllib.parse.urlencode({"q": QUERY}))
    wait_loaded(d)
    d.execute_script(OPTIONAL_FIELDS)
    WebDriverWait(d, 20).until(lambda d: "›" in d.find_element(By.CSS_SELECTOR, "li.result h3").text)
    wait_loaded(d)
    first = d.find_element(By.CSS_SELECTOR, "li.result")
    meta = first.find_element(By.CSS_SELECTOR, ".meta").text
    check(first.find_element(By.CSS_SELECTOR, "h3").text == "第1章 取組 › 2 相談支援", "optional fields: heading_path")
    check("障害企画課" in meta and "議事録" in meta, f"optional fields: org and kind ({meta})")
    cite = first.find_element(By.CSS_SELECTOR, ".cite").text
    check(re.search(r" p\.1:\d+$", cite) is not None, f"optional fields: p.N:line in the citation ({cite})")


def pdf_document_view(d):
    """A PDF's document view: passages cited by page and line within the page (aoba.pdf p.3:5,
    as jfts-query cites them), a list of its pages that jumps to each, and a search hit's
    "文書の中で見る" landing on that hit's passage."""
    srv = Server(corpus="pdf")
    try:
        d.get(srv.url + "/?view=doc&doc=1")
        wait_loaded(d)
        cites = [e.text for e in d.find_elements(By.CSS_SELECTOR, ".passage .cite")]
        check(len(cites) == 19 and all(re.fullmatch(r"aoba\.pdf p\.[1-3]:\d+", c) for c in cites),
              f"pdf document: every passage cited as file p.N:line ({cites[:3]}…)")
        meta = d.find_element(By.CSS_SELECTOR, "article > p.meta").text
        check("aoba.pdf p.1:1–p.3:21" in meta, f"pdf document: its range by page and line ({meta})")
        pages = [a.text for a in d.find_elements(By.CSS_SELECTOR, "nav.pages a")]
        check(pages == ["p.1", "p.2", "p.3"], f"pdf document: a list of its pages ({pages})")
        accessibility(d, "pdf document")
        d.find_element(By.CSS_SELECTOR, "nav.pages").find_element(By.LINK_TEXT, "p.3").click()
        wait_loaded(d)
        focused = d.execute_script("const a = document.activeElement; return a.matches('section.passage.hit') ? "
                                   "a.querySelector('.cite').textContent : null")
        check(focused is not None and focused.startswith("aoba.pdf p.3:") and "line=3%3A1" in d.current_url,
              f"pdf document: p.3 jumps to page 3's first passage ({focused}, {d.current_url})")
        shot(d, "pdf-document")
        search(d, "地域展開")
        result = d.find_element(By.CSS_SELECTOR, "li.result .cite").text
        d.find_element(By.LINK_TEXT, "文書の中で見る").click()
        wait_loaded(d)
        target = d.find_elements(By.CSS_SELECTOR, "section.passage.hit .cite")
        check(len(target) == 1 and target[0].text == result and result.startswith("aoba.pdf p."),
              f"pdf document: a hit opens on its passage ({result})")
    finally:
        check(srv.close(), "pdf document: the server stops cleanly")


def main():
    if CHROMIUM is None and not os.environ.get("CI"):
        print("skip: chromium is not installed (apt-get install chromium chromium-driver python3-selenium)")
        return SKIP
    if CHROMIUM is None or webdriver is None or not os.path.exists(DRIVER):
        sys.exit("chromium, chromium-driver or python3-selenium is missing")
    global axe_source
    axe_source = load_axe()
    srv = Server()
    profile = tempfile.mkdtemp(prefix="jfts-chromium.")
    downloads = os.path.join(profile, "downloads")
    os.makedirs(downloads)
    d = None
    try:
        d = start_browser(profile)
        d.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
        t0 = time.monotonic()
        for name, part in [("mouse", lambda: run(srv, d)), ("keyboard", lambda: keyboard(srv, d, downloads)),
                           ("print", lambda: printing(d)), ("optional fields", lambda: optional_fields(srv, d)),
                           ("pdf document", lambda: pdf_document_view(d))]:
            part()
            print(f"-- {name} done at {time.monotonic() - t0:.1f} s")
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
