// jfts-serve page: every view is a function of the URL (?q=…&view=…&ward=…&page=…), so that
// links, Back and Forward work. Data from the index reaches the page only as text: DOM nodes
// and textContent, never HTML.
"use strict";

const PAGE_SIZE = 10;
const VIEWS = ["search", "wards", "quotes", "meetings", "docs", "doc"];
// Filters besides ward; org and kind are shown and sent only when the index has them (the
// API then lists them among its facets).
const FILTERS = ["year", "section", "meeting", "org", "kind"];
const FACET_TITLES = { ward: "区", org: "組織", kind: "種類", year: "年度", section: "章", meeting: "会議" };
let documentsCache = null; // {seq, rows}: /api/documents of one render (see documents())
let renderSeq = 0;         // a newer render makes older fetches' answers moot

// ---- helpers ------------------------------------------------------------------------------

// el("a", {href: "…"}, "text", child…): children are nodes or strings (as text).
function el(tag, attrs, ...children) {
  const node = tag === "svg" || tag === "rect" || tag === "title"
    ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return node;
}

function readState(search) {
  const p = new URLSearchParams(search);
  const s = { q: p.get("q") || "", view: p.get("view") || "search", wards: p.getAll("ward"),
              exact: p.get("exact") === "1", page: Math.max(1, parseInt(p.get("page") || "1", 10) || 1),
              sort: p.get("sort") || "", doc: p.get("doc") || "", line: p.get("line") || "" };
  for (const f of FILTERS) s[f] = p.get(f) || "";
  if (!VIEWS.includes(s.view)) s.view = "search";
  return s;
}

function stateParams(s, keys) {
  const p = new URLSearchParams();
  const all = !keys;
  if (s.q && (all || keys.includes("q"))) p.set("q", s.q);
  if (all || keys.includes("filters")) {
    for (const w of s.wards) p.append("ward", w);
    for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
  }
  if (s.exact && (all || keys.includes("q"))) p.set("exact", "1");
  return p;
}

function stateURL(s) {
  const p = stateParams(s);
  if (s.view !== "search") p.set("view", s.view);
  if (s.page > 1) p.set("page", String(s.page));
  if (s.sort) p.set("sort", s.sort);
  if (s.doc) p.set("doc", s.doc);
  if (s.line) p.set("line", s.line);
  const q = p.toString();
  return q ? "?" + q : "/";
}

// Navigates to state s. The control that was used is usually replaced by the new view: focus
// then moves to the start of main, so that a keyboard user goes on from there (Tab).
async function go(s) {
  history.pushState(null, "", stateURL(s));
  await render();
  const active = document.activeElement;
  if (!active || active === document.body || !document.contains(active))
    document.getElementById("main").focus({ preventScroll: true });
}

function link(s, text, attrs) {
  const a = el("a", Object.assign({ href: stateURL(s) }, attrs || {}), text);
  a.addEventListener("click", (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    go(s);
  });
  return a;
}

function status(text, isError) {
  const st = document.getElementById("status");
  st.textContent = text;
  st.className = isError ? "error" : "";
}

async function api(path, params) {
  const res = await fetch(path + "?" + params.toString(), { headers: { Accept: "application/json" } });
  const body = await res.json().catch(() => ({ error: "応答を読めません (HTTP " + res.status + ")" }));
  if (!res.ok) throw new Error(body.error || "HTTP " + res.status);
  return body;
}

// text with [start, end) code point ranges in <mark>.
function highlighted(text, matches) {
  const cps = Array.from(text);
  const out = [];
  let at = 0;
  for (const [start, end] of (matches || []).slice().sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    if (start > at) out.push(cps.slice(at, start).join(""));
    out.push(el("mark", {}, cps.slice(start, end).join("")));
    at = end;
  }
  if (at < cps.length) out.push(cps.slice(at).join(""));
  return out;
}

function hasPage(page) {
  return page !== undefined && page !== null;
}

// A row's citation as jfts-query prints it: "file:line", or "file p.N:line" when the row
// carries a PDF page (page: null or absent for text files; line is then within the page).
function cite(row, line) {
  const name = row.file.replace(/^.*\//, "");
  return hasPage(row.page) ? name + " p." + row.page + ":" + line : name + ":" + line;
}

// A document's range: "file:1–40", or "file p.1:1–p.3:21" for a PDF.
function citeRange(d) {
  const name = d.file.replace(/^.*\//, "");
  if (!hasPage(d.page)) return name + ":" + d.line_start + "–" + d.line_end;
  return name + " p." + d.page + ":" + d.line_start + "–p." + d.page_end + ":" + d.line_end;
}

// Where a row starts, as one comparable number: page and line within it for a PDF (lines
// count from 1 on each page), the line for a text file.
function position(page, line) {
  return (hasPage(page) ? page : 0) * 1e6 + line;
}

// The document view's "line" parameter for a row: "P:L" for a PDF, "L" for a text file.
function lineParam(page, line) {
  return hasPage(page) ? page + ":" + line : String(line);
}

function parseLineParam(v) {
  const m = /^(?:(\d+):)?(\d+)$/.exec(v || "");
  return m ? position(m[1] ? Number(m[1]) : null, Number(m[2])) : 0;
}

// A row's heading path: heading_path when the row has one (an array of headings, or one
// string), else its heading, section title or section.
function headingPath(row) {
  const hp = row.heading_path;
  if (Array.isArray(hp) && hp.length) return hp.join(" › ");
  if (typeof hp === "string" && hp) return hp;
  return row.heading || row.section_title || row.section || "（見出しなし）";
}

// Ward (or organisation), kind of document, year, section and meeting, those the row has.
function metaLine(row, withSection) {
  return [row.ward || (row.org ? null : "区なし"), row.org, row.kind, row.year_label,
          withSection ? row.section_title : null, row.meeting].filter(Boolean).join(" / ");
}

// The documents listing, fetched once per render: a document's id is its place in it, and a
// re-index may change it (README), so it is never kept across renders.
async function documents(seq) {
  if (!documentsCache || documentsCache.seq !== seq)
    documentsCache = { seq: seq, rows: (await api("/api/documents", new URLSearchParams())).rows };
  return documentsCache.rows;
}

// The id of the document holding a passage of file starting at line (within page for a PDF;
// 0: none).
function documentId(docs, file, page, line) {
  const at = position(page, line);
  const i = docs.findIndex((d) => d.file === file && position(d.page, d.line_start) <= at &&
                                  at <= position(d.page_end, d.line_end));
  return i + 1;
}

function needQuery(main, s) {
  if (s.q) return false;
  main.append(el("p", {}, "検索語を入れてください。例: ", link(Object.assign({}, s, { q: "8050問題" }), "8050問題"),
                 "、", link(Object.assign({}, s, { q: "ウイルス" }), "ウイルス")));
  return true;
}

// ---- views --------------------------------------------------------------------------------

function withFilter(s, facet, value) {
  const t = Object.assign({}, s, { page: 1, wards: s.wards.slice() });
  if (facet === "ward") {
    const i = t.wards.indexOf(value);
    if (i >= 0) t.wards.splice(i, 1);
    else t.wards.push(value);
  } else {
    t[facet] = t[facet] === value ? "" : value;
  }
  return t;
}

function facetPanel(s, facets) {
  const aside = el("aside", { class: "facets", "aria-labelledby": "facets-h" }, el("h2", { id: "facets-h" }, "絞り込み"));
  const chips = el("div", { class: "chips" });
  for (const w of s.wards) chips.append(el("button", { type: "button", class: "plain", "aria-label": w + " の絞り込みを外す", onclick: () => go(withFilter(s, "ward", w)) }, w + " ×"));
  for (const f of FILTERS) if (s[f]) chips.append(el("button", { type: "button", class: "plain", "aria-label": s[f] + " の絞り込みを外す", onclick: () => go(withFilter(s, f, s[f])) }, s[f] + " ×"));
  aside.append(chips);
  for (const name of Object.keys(FACET_TITLES)) {
    const values = facets[name] || [];
    if (!values.length) continue;
    const ul = el("ul", {});
    for (const v of values) {
      const on = name === "ward" ? s.wards.includes(v.value) : s[name] === v.value;
      const label = name === "section" && v.value !== v.label ? v.label : v.value;
      ul.append(el("li", {}, el("button", { type: "button", class: v.count ? null : "zero", "aria-pressed": on ? "true" : "false", onclick: () => go(withFilter(s, name, v.value)) },
                               label + " (" + v.count + ")")));
    }
    aside.append(el("h3", {}, FACET_TITLES[name]), ul);
  }
  return aside;
}

async function viewSearch(main, s, seq) {
  if (needQuery(main, s)) return;
  const p = stateParams(s);
  p.set("limit", String(PAGE_SIZE));
  p.set("offset", String((s.page - 1) * PAGE_SIZE));
  const [data, docs] = await Promise.all([api("/api/search", p), documents(seq)]);
  if (seq !== renderSeq) return;
  status(data.total.passages + " 件の段落、" + data.total.occurrences + " 箇所" +
         (data.notes.length ? "（" + data.notes.join(" / ") + "）" : ""));
  const list = el("ol", { class: "results", start: String(data.offset + 1) });
  for (const r of data.rows) {
    const title = headingPath(r);
    const docId = documentId(docs, r.file, r.page, r.line_start);
    const docState = Object.assign({}, s, { view: "doc", doc: String(docId), line: lineParam(r.page, r.line_start), page: 1 });
    list.append(el("li", { class: "result" },
      el("h3", {}, title),
      el("p", { class: "meta" }, metaLine(r, true)),
      el("p", { class: "text" }, highlighted(r.text, r.matches)),
      el("p", {}, el("span", { class: "cite" }, cite(r, r.line_start)), " ",
         docId ? link(docState, "文書の中で見る", { "aria-label": "文書の中で見る: " + title }) : null)));
  }
  const results = el("section", { "aria-labelledby": "results-h" }, el("h2", { id: "results-h" }, "検索結果"));
  if (!data.rows.length) results.append(el("p", {}, "見つかりませんでした。"));
  results.append(list, pager(s, data.total.passages));
  main.append(el("div", { class: "layout" }, facetPanel(s, data.facets), results));
}

function pager(s, total) {
  const nav = el("nav", { class: "pager", "aria-label": "ページ" });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (s.page > 1) nav.append(link(Object.assign({}, s, { page: s.page - 1 }), "← 前のページ"));
  nav.append(el("span", {}, s.page + " / " + pages + " ページ"));
  if (s.page < pages) nav.append(link(Object.assign({}, s, { page: s.page + 1 }), "次のページ →"));
  return nav;
}

function bar(value, max, label) {
  const width = 160, w = max > 0 ? Math.round((value / max) * width) : 0;
  return el("svg", { class: "bar", width: width, height: 14, viewBox: "0 0 " + width + " 14", role: "img", "aria-label": label },
            el("rect", { x: 0, y: 2, width: Math.max(w, value > 0 ? 2 : 0), height: 10 }));
}

async function viewWards(main, s, seq) {
  if (needQuery(main, s)) return;
  const data = await api("/api/wards", stateParams(s));
  if (seq !== renderSeq) return;
  status(data.total.passages + " 件の段落、" + data.total.occurrences + " 箇所（" + data.rows.length + " 区・年度）");
  const max = Math.max(0, ...data.rows.map((r) => r.occurrences));
  const tbody = el("tbody", {});
  for (const r of data.rows) {
    const best = r.best;
    tbody.append(el("tr", { "data-ward": r.ward || "" },
      el("th", { scope: "row" }, r.ward || "区なし"), el("td", {}, r.year_label || "—"),
      el("td", { class: "num" }, r.passages), el("td", { class: "num" }, r.occurrences),
      el("td", {}, bar(r.occurrences, max, r.occurrences + " 箇所")),
      el("td", {}, best ? [el("span", {}, highlighted(best.text, best.matches)), " ", el("span", { class: "cite" }, cite(best, best.line_start))] : "—")));
  }
  main.append(el("h2", {}, "「" + s.q + "」はどの区が書いているか"),
    el("table", { class: "wards" },
      el("thead", {}, el("tr", {}, ["区", "年度", "段落", "箇所", "箇所のグラフ", "最もよく当たる段落"].map((h) => el("th", { scope: "col" }, h)))),
      tbody));
}

async function viewQuotes(main, s, seq) {
  if (needQuery(main, s)) return;
  const p = stateParams(s);
  if (s.sort) p.set("sort", s.sort);
  const data = await api("/api/quotes", p);
  if (seq !== renderSeq) return;
  status(data.total.rows + " 件の引用" + (data.rows.length < data.total.rows ? "（先頭 " + data.rows.length + " 件を表示）" : ""));
  const csv = new URLSearchParams(p);
  csv.set("format", "csv");
  const toolbar = el("div", { class: "toolbar", role: "group", "aria-label": "並べ替え" }, "並べ替え:");
  for (const [key, label] of [["", "文書の順"], ["left", "左の文脈"], ["right", "右の文脈"]])
    toolbar.append(el("button", { type: "button", "aria-pressed": (s.sort || "") === key ? "true" : "false",
                                  onclick: () => go(Object.assign({}, s, { sort: key })) }, label));
  toolbar.append(el("a", { class: "button", id: "csv", href: "/api/quotes?" + csv.toString(), download: "jfts-quotes.csv" }, "CSV をダウンロード"));
  const tbody = el("tbody", {});
  for (const r of data.rows)
    tbody.append(el("tr", {}, el("td", { class: "left" }, r.left.replace(/\s+/g, " ")), el("td", { class: "match" }, el("mark", {}, r.match)),
                 el("td", { class: "right" }, r.right.replace(/\s+/g, " ")), el("td", {}, [r.ward, r.org].filter(Boolean).join(" / ") || "—"), el("td", { class: "cite" }, cite(r, r.line))));
  main.append(el("h2", {}, "「" + s.q + "」の引用"), toolbar,
    el("table", { class: "kwic" }, el("thead", {}, el("tr", {}, ["左の文脈", "一致", "右の文脈", "区", "出典"].map((h) => el("th", { scope: "col" }, h)))), tbody));
}

async function viewMeetings(main, s, seq) {
  const data = await api("/api/meetings", new URLSearchParams());
  if (seq !== renderSeq) return;
  status(data.rows.length + " 件の会議");
  const wards = [...new Set(data.rows.map((r) => r.ward || "区なし"))];
  const slots = [...new Set(data.rows.map((r) => r.slot || 0))].sort((a, b) => (a || 99) - (b || 99));
  const slotName = (slot) => {
    const names = data.rows.filter((r) => (r.slot || 0) === slot).map((r) => r.meeting);
    return slot ? "（" + slot + "）" + (names[0] || "") : "その他の活動";
  };
  const desc = el("div", { class: "desc", id: "meeting-desc", "aria-live": "polite", tabindex: "-1" }, "会議の回数を押すと説明が出ます。");
  const show = (rows) => {
    desc.replaceChildren();
    for (const r of rows)
      desc.append(el("h3", {}, (r.ward || "") + " " + (r.meeting || "") + (r.local_name ? "「" + r.local_name + "」" : "")),
                  el("p", { class: "text" }, r.text || ""), el("p", { class: "cite" }, cite(r, r.line_start)));
    desc.focus();
  };
  const tbody = el("tbody", {});
  for (const w of wards) {
    const tr = el("tr", {}, el("th", { scope: "row" }, w));
    for (const slot of slots) {
      const rows = data.rows.filter((r) => (r.ward || "区なし") === w && (r.slot || 0) === slot);
      if (!rows.length) { tr.append(el("td", {}, "—")); continue; }
      const count = rows.map((r) => (r.count === null ? "なし" : r.count + "回")).join("・");
      tr.append(el("td", {}, el("button", { type: "button", "aria-label": w + " " + slotName(slot) + " " + count + " の説明", onclick: () => show(rows) }, count)));
    }
    tbody.append(tr);
  }
  main.append(el("h2", {}, "会議（区 × 会議の種類、予定回数）"),
    el("table", { class: "grid" }, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "区"), slots.map((sl) => el("th", { scope: "col" }, slotName(sl))))), tbody), desc);
}

async function viewDocs(main, s, seq) {
  const docs = await documents(seq);
  if (seq !== renderSeq) return;
  status(docs.length + " 件の文書");
  const ul = el("ul", {});
  docs.forEach((d, i) => ul.append(el("li", {}, link(Object.assign({}, s, { view: "doc", doc: String(i + 1), line: "", page: 1 }), d.title || d.file),
                                      " ", el("span", { class: "meta" }, [d.ward, d.year_label, d.passages + " 段落"].filter(Boolean).join(" / ")))));
  main.append(el("h2", {}, "文書"), ul);
}

// One document, passage by passage; the passage at s.line (a search hit, or the first of a
// page of a PDF chosen in the page list) is marked and focused. A PDF's passages are cited by
// page and line within the page, and a list of its pages jumps to each.
async function viewDoc(main, s, seq) {
  const p = new URLSearchParams({ id: s.doc || "0" });
  const data = await api("/api/document", p);
  // The query's occurrences in this document, found by the same search as the results.
  let hits = [];
  if (s.q) {
    const q = stateParams(s, ["q"]);
    q.set("sort", "doc");
    q.set("limit", "100");
    hits = (await api("/api/search", q)).rows.filter((r) => r.file === data.document.file);
  }
  if (seq !== renderSeq) return;
  const d = data.document;
  status((d.title || d.file) + "（" + data.rows.length + " 段落）");
  const back = s.q ? link(Object.assign({}, s, { view: "search", doc: "", line: "" }), "← 検索結果へ") : null;
  const article = el("article", {}, el("h2", {}, d.title || d.file),
                     el("p", { class: "meta" }, [d.ward, d.year_label, citeRange(d)].filter(Boolean).join(" / ")), back);
  const want = parseLineParam(s.line);
  const pages = [];
  let target = null;
  let lastSection = null;
  let lastPage = null;
  for (const r of data.rows) {
    if (hasPage(r.page) && r.page !== lastPage) {
      pages.push(r.page);
      article.append(el("p", { class: "pagemark", id: "page-" + r.page }, "p." + r.page));
      lastPage = r.page;
    }
    if (r.section_title !== lastSection && r.section_title) article.append(el("h3", {}, r.section_title));
    lastSection = r.section_title;
    const head = [r.heading_path ? headingPath(r) : r.heading, r.meeting, r.local_name].filter(Boolean).join(" / ");
    const hit = hits.find((h) => h.line_start === r.line_start && h.page === r.page && h.text === r.text);
    const isTarget = want > 0 && !target && position(r.page, r.line_start) >= want;
    const sec = el("section", { class: "passage" + (isTarget ? " hit" : ""), id: "p" + r.id, tabindex: isTarget ? "-1" : null },
      head ? el("h4", { class: "meta" }, head) : null,
      el("p", { class: "text" }, hit ? highlighted(r.text, hit.matches) : r.text),
      el("p", { class: "cite" }, cite({ file: d.file, page: r.page }, r.line_start)));
    if (isTarget) target = sec;
    article.append(sec);
  }
  if (pages.length > 1) {
    const ul = el("ul", {});
    for (const pg of pages)
      ul.append(el("li", {}, link(Object.assign({}, s, { line: lineParam(pg, 1) }), "p." + pg)));
    article.insertBefore(el("nav", { class: "pages", "aria-label": "ページへ移動" }, ul), back ? back.nextSibling : article.children[2]);
  }
  main.append(article);
  if (target) { target.scrollIntoView({ block: "center" }); target.focus({ preventScroll: true }); }
}

// ---- the page -----------------------------------------------------------------------------

const RENDERERS = { search: viewSearch, wards: viewWards, quotes: viewQuotes, meetings: viewMeetings, docs: viewDocs, doc: viewDoc };

async function render() {
  const s = readState(location.search);
  const seq = ++renderSeq;
  document.getElementById("q").value = s.q;
  document.getElementById("variants").checked = !s.exact;
  for (const a of document.querySelectorAll("#views a")) {
    const v = a.dataset.view;
    a.href = stateURL(Object.assign({}, s, { view: v, page: 1, doc: "", line: "", sort: "" }));
    if (v === s.view || (v === "docs" && s.view === "doc")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = document.getElementById("main");
  main.replaceChildren();
  main.setAttribute("aria-busy", "true");
  status("読み込み中…");
  document.title = (s.q ? s.q + " — " : "") + "jfts 検索";
  try {
    await RENDERERS[s.view](main, s, seq);
    if (seq === renderSeq && !s.q && (s.view === "search" || s.view === "wards" || s.view === "quotes")) status("");
  } catch (e) {
    if (seq === renderSeq) status("エラー: " + e.message, true);
  } finally {
    if (seq === renderSeq) main.setAttribute("aria-busy", "false");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const s = readState(location.search);
    const q = document.getElementById("q").value.trim();
    const view = s.view === "search" || s.view === "wards" || s.view === "quotes" ? s.view : "search";
    go(Object.assign({}, s, { q: q, exact: !document.getElementById("variants").checked, view: view, page: 1, doc: "", line: "" }));
  });
  document.getElementById("variants").addEventListener("change", () => {
    const s = readState(location.search);
    if (s.q) go(Object.assign({}, s, { exact: !document.getElementById("variants").checked, page: 1 }));
  });
  for (const a of document.querySelectorAll("#views a"))
    a.addEventListener("click", (e) => {
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey) return;
      e.preventDefault();
      history.pushState(null, "", a.getAttribute("href"));
      render();
    });
  window.addEventListener("popstate", render);
  render();
});
