// WCAG AA checks that serve_browser.py makes on each view of the jfts-serve page as Chromium
// rendered it, without any library: every control and image has an accessible name, ids are
// unique, the page has a language, and every visible text has a contrast ratio of at least
// 4.5:1 (3:1 for large text) against the backgrounds under it, from the computed styles
// (WCAG 2.1 1.3.1, 1.4.3, 3.1.1, 4.1.1, 4.1.2). Returns a list of problems (strings).
const problems = [];

function parseColor(s) {
  const m = /rgba?\(([^)]*)\)/.exec(s || "");
  if (!m) return null;
  const v = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return { r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1 };
}

function over(fg, bg) {
  const a = fg.a;
  return { r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a), a: 1 };
}

function luminance(c) {
  const f = (x) => { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
}

function ratio(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// The background under el: the page's white with every ancestor's background painted over it.
function background(el) {
  const chain = [];
  for (let e = el; e; e = e.parentElement) chain.unshift(e);
  let bg = { r: 255, g: 255, b: 255, a: 1 };
  for (const e of chain) {
    const c = parseColor(getComputedStyle(e).backgroundColor);
    if (c && c.a > 0) bg = over(c, bg);
  }
  return bg;
}

function visible(el) {
  const st = getComputedStyle(el);
  return st.visibility !== "hidden" && st.display !== "none" && el.getClientRects().length > 0;
}

function describe(el) {
  return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className : "") +
    " '" + (el.textContent || "").trim().slice(0, 30) + "'";
}

// The accessible name, as far as this page needs: aria-labelledby, aria-label, a label, the
// text, a title.
function accessibleName(el) {
  const by = el.getAttribute("aria-labelledby");
  if (by) return by.split(/\s+/).map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
  if (el.getAttribute("aria-label")) return el.getAttribute("aria-label").trim();
  if (el.labels && el.labels.length) return Array.from(el.labels).map((l) => l.textContent).join(" ").trim();
  return (el.textContent || "").trim() || (el.getAttribute("title") || "").trim();
}

if (!document.documentElement.lang) problems.push("html has no lang");
const ids = new Set();
for (const el of document.querySelectorAll("[id]")) {
  if (ids.has(el.id)) problems.push("duplicate id " + el.id);
  ids.add(el.id);
}
for (const el of document.querySelectorAll("a[href], button, input, select, textarea, [role=img], [tabindex]:not([tabindex='-1'])")) {
  if (el.type === "hidden" || !visible(el)) continue;
  if (!accessibleName(el)) problems.push("no accessible name: " + describe(el));
}
const seen = new Set();
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  const el = n.parentElement;
  if (!n.nodeValue.trim() || !el || seen.has(el) || el.closest("svg")) continue;
  seen.add(el);
  if (!visible(el)) continue;
  const st = getComputedStyle(el);
  const bg = background(el);
  const fg = over(parseColor(st.color), bg);
  const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  const r = ratio(fg, bg);
  if (r < need) problems.push("contrast " + r.toFixed(2) + " < " + need + ": " + describe(el));
}
return problems;
