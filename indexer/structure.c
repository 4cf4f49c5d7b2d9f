/* Structure of any document (see structure.h): line recognisers for headings, tables of
** contents and speaker turns, and the heading stack that nests headings by order of first
** appearance (the document fields are in structure_doc.c). Everything here works on UTF-8
** bytes and never needs ICU. */
#include "structure.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "structure_chars.h"

#define ST_MAX_HEADING_CHARS 60  /* a heading is a marker and a short title */
#define ST_MAX_BRACKET_TAIL 20   /* text after 【…】 on a heading line */
#define ST_MAX_SPEAKER_CHARS 30  /* "健康福祉局障害福祉部長（佐藤一郎君）" */

/* Katakana list markers in their usual order (ア イ ウ … as 1, 2, 3 …). */
static const char *const k_kana[] = {"ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ",
                                     "サ", "シ", "ス", "セ", "ソ", "タ", "チ", "ツ", "テ", "ト"};
#define N_KANA (sizeof k_kana / sizeof *k_kana)

/* ---- characters --------------------------------------------------------------------------- */

static int kanji_digit(uint32_t c) {
  static const uint32_t k[] = {0x3007, 0x4E00, 0x4E8C, 0x4E09, 0x56DB, 0x4E94,
                               0x516D, 0x4E03, 0x516B, 0x4E5D}; /* 〇一二三四五六七八九 */
  for (int i = 0; i < 10; i++)
    if (c == k[i]) return i;
  return c == 0x5341 ? 10 : -1; /* 十 */
}

static int is_space(uint32_t c) { return repair_is_space(c); }

static int is_hiragana(uint32_t c) { return c >= 0x3041 && c <= 0x309F; }
static int is_katakana(uint32_t c) { return (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC; }

static size_t trim_end(const char *s, size_t start, size_t end) {
  while (end > start) {
    uint32_t c;
    size_t len = jfts_utf8_prev(s, end, &c);
    if (!is_space(c)) break;
    end -= len;
  }
  return end;
}

/* Digits (ASCII or full-width, at most max_digits) at s[*i]; -1 when none. */
static int parse_digits(const char *s, size_t n, size_t *i, int max_digits) {
  int value = 0, k = 0;
  size_t j = *i, len;
  while (j < n) {
    int d = st_digit_value(st_char_at(s, n, j, &len));
    if (d < 0) break;
    if (++k > max_digits) return -1;
    value = value * 10 + d;
    j += len;
  }
  if (k == 0) return -1;
  *i = j;
  return value;
}

/* A kanji numeral up to 99 (一, 十二, 二十三) at s[*i]; -1 when none. */
static int parse_kanji_number(const char *s, size_t n, size_t *i) {
  int value = 0, cur = -1, any = 0;
  size_t j = *i, len;
  while (j < n) {
    int d = kanji_digit(st_char_at(s, n, j, &len));
    if (d < 0) break;
    if (d == 10) {
      value += (cur < 0 ? 1 : cur) * 10;
      cur = -1;
    } else {
      if (cur >= 0) return -1;
      cur = d;
    }
    any = 1;
    j += len;
  }
  if (!any) return -1;
  value += cur < 0 ? 0 : cur;
  if (value < 1 || value > 99) return -1;
  *i = j;
  return value;
}

static int kana_number(uint32_t c) {
  for (size_t k = 0; k < N_KANA; k++) {
    uint32_t kc;
    jfts_utf8_next(k_kana[k], strlen(k_kana[k]), &kc);
    if (c == kc) return (int)k + 1;
  }
  return 0;
}

/* ---- markers ------------------------------------------------------------------------------ */

static StKind symbol_kind(uint32_t c) {
  switch (c) {
  case 0x25A0: case 0x25A1: return ST_SQUARE;                 /* ■ □ */
  case 0x25C6: case 0x25C7: return ST_DIAMOND;                /* ◆ ◇ */
  case 0x25CB: case 0x3007: case 0x25EF: case 0x25CF: case 0x25CE: return ST_CIRCLE;
  case 0x25B2: case 0x25B3: case 0x25BC: case 0x25BD: return ST_TRIANGLE;
  case 0x2605: case 0x2606: return ST_STAR;
  default: return ST_NONE;
  }
}

static int is_separator(uint32_t c) {
  return is_space(c) || c == 0xFF0E || c == '.' || c == 0x3001 || c == 0xFF0C;
}

/* 第N章, 第N節, 第N (then a space): s[i] is just after 第. */
static StKind dai_marker(const char *s, size_t n, size_t i, StMarker *out) {
  int num = parse_digits(s, n, &i, 2);
  if (num < 0) num = parse_kanji_number(s, n, &i);
  if (num < 1) return ST_NONE;
  size_t len;
  uint32_t c = st_char_at(s, n, i, &len);
  StKind kind = ST_NONE;
  if (c == 0x7AE0) kind = ST_CHAPTER;       /* 章 */
  else if (c == 0x7BC0) kind = ST_SETSU;    /* 節 */
  else if (i >= n || is_space(c)) kind = ST_DAI, len = 0;
  if (kind == ST_NONE) return ST_NONE;
  out->kind = kind;
  out->number = num;
  out->marker_end = i + len;
  return kind;
}

/* （１） (1) （ア） (ア): s[i] is just after the opening parenthesis. */
static StKind paren_marker(const char *s, size_t n, size_t i, StMarker *out) {
  size_t len;
  int num = parse_digits(s, n, &i, 2);
  StKind kind = ST_PAREN_NUM;
  if (num < 0) {
    num = kana_number(st_char_at(s, n, i, &len));
    if (num == 0) return ST_NONE;
    i += len;
    kind = ST_PAREN_KANA;
  }
  uint32_t c = st_char_at(s, n, i, &len);
  if (c != 0xFF09 && c != ')') return ST_NONE;
  out->kind = kind;
  out->number = num;
  out->marker_end = i + len;
  return kind;
}

/* 2.1 見出し, 3.1.2 見出し: s[i] is the point after the first number. */
static StKind dotted_marker(const char *s, size_t n, size_t i, StMarker *out) {
  int parts = 1, num = 0;
  size_t len;
  while (i < n && (s[i] == '.' || st_has_prefix(s, n, i, "．"))) {
    size_t j = i + (s[i] == '.' ? 1 : strlen("．"));
    if ((num = parse_digits(s, n, &j, 2)) < 0) break;
    i = j;
    parts++;
  }
  if (parts < 2 || num < 1 || i >= n || !is_space(st_char_at(s, n, i, &len))) return ST_NONE;
  out->kind = parts == 2 ? ST_DOT2 : ST_DOT3;
  out->number = num;
  out->marker_end = i;
  return out->kind;
}

/* １ 見出し, 1. 見出し, 1) 見出し, ア 見出し, ア）見出し: s[0] is the digit or kana. */
static StKind plain_marker(const char *s, size_t n, StMarker *out) {
  size_t i = 0, len;
  int num = parse_digits(s, n, &i, 2);
  int kana = 0;
  if (num < 0) {
    num = kana_number(st_char_at(s, n, 0, &len));
    if (num == 0) return ST_NONE;
    i = len;
    kana = 1;
  }
  if (num < 1) return ST_NONE;
  uint32_t c = st_char_at(s, n, i, &len);
  StKind kind;
  if (c == 0xFF09 || c == ')') {
    kind = kana ? ST_HALF_KANA : ST_HALF_NUM;
  } else if (i >= n || is_separator(c)) {
    if ((c == '.' || c == 0xFF0E) && st_digit_value(st_char_at(s, n, i + len, NULL)) >= 0)
      return kana ? ST_NONE : dotted_marker(s, n, i, out); /* 2.1 見出し, not 1.5倍 */
    kind = kana ? ST_KANA : ST_NUM;
    if (is_space(c) || i >= n) len = 0;
  } else {
    return ST_NONE;
  }
  out->kind = kind;
  out->number = num;
  out->marker_end = i + len;
  return kind;
}

StKind st_marker(const char *s, size_t n, StMarker *out) {
  memset(out, 0, sizeof *out);
  if (n == 0) return ST_NONE;
  size_t len;
  uint32_t c = st_char_at(s, n, 0, &len);
  StKind kind = ST_NONE;
  if (c == 0x7B2C) {                         /* 第 */
    kind = dai_marker(s, n, len, out);
  } else if (c == 0xFF08 || c == '(') {
    kind = paren_marker(s, n, len, out);
  } else if (c >= 0x2474 && c <= 0x2487) {   /* ⑴ … ⒇ */
    *out = (StMarker){ST_PAREN_NUM, (int)(c - 0x2474) + 1, len, 0, 0};
    kind = ST_PAREN_NUM;
  } else if (c >= 0x2460 && c <= 0x2473) {   /* ① … ⑳ */
    *out = (StMarker){ST_CIRCLED, (int)(c - 0x2460) + 1, len, 0, 0};
    kind = ST_CIRCLED;
  } else if (c >= 0x3251 && c <= 0x325F) {   /* ㉑ … ㉟ */
    *out = (StMarker){ST_CIRCLED, (int)(c - 0x3251) + 21, len, 0, 0};
    kind = ST_CIRCLED;
  } else if (c == 0x3010) {                  /* 【 */
    const char *close = st_find_in(s + len, n - len, "】");
    if (close == NULL) return ST_NONE;
    *out = (StMarker){ST_BRACKET, 0, (size_t)(close - s) + strlen("】"), 0, 0};
    kind = ST_BRACKET;
  } else if ((kind = symbol_kind(c)) != ST_NONE) {
    *out = (StMarker){kind, 0, len, 0, 0};
  } else {
    kind = plain_marker(s, n, out);
  }
  if (kind == ST_NONE) {
    memset(out, 0, sizeof *out);
    return ST_NONE;
  }
  out->title_start = st_skip_spaces(s, out->marker_end, n);
  return kind;
}

/* ---- headings ------------------------------------------------------------------------------ */

static int numbered_kind(StKind k) {
  return k != ST_BRACKET && k != ST_SQUARE && k != ST_DIAMOND && k != ST_CIRCLE &&
         k != ST_TRIANGLE && k != ST_STAR;
}

/* A count or date right after a number: "３ 人", "1 月15日", "10 %" (not "１ 人口の推移",
** "１ 日常生活": a counter followed by a word is a title). */
static int starts_with_counter(const char *s, size_t n) {
  static const char *const k[] = {"回", "年", "月", "日", "名", "件", "人", "歳", "%", "％",
                                  "か所", "箇所", "時", "分", "円", "倍", "世帯", "校", "ヶ所"};
  for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
    if (!st_has_prefix(s, n, 0, k[i])) continue;
    uint32_t c = st_char_at(s, n, strlen(k[i]), NULL);
    if (!st_is_kanji(c) && !is_hiragana(c) && !is_katakana(c)) return 1;
  }
  return 0;
}

/* A number cell in the title (a space then a digit, not 令和 3年度 or 第 2期), or several
** numbers: a table row, not a heading. */
static int looks_like_row(const char *s, size_t n) {
  int n_numbers = 0, in_number = 0;
  uint32_t before_space = 0, prev = 0;
  for (size_t i = 0, len; i < n; i += len) {
    uint32_t c = st_char_at(s, n, i, &len);
    int d = st_digit_value(c) >= 0;
    if (d && !in_number) {
      n_numbers++;
      if (is_space(prev) && !(before_space == 0x548C /* 和 */ || before_space == 0x6210 ||
                              before_space == 0x7B2C /* 第 */ || before_space == 0x5E73))
        return 1;
    }
    in_number = d || (in_number && (c == ',' || c == '.'));
    if (!is_space(c)) before_space = c;
    prev = c;
  }
  return n_numbers >= 3;
}

static int has_word_char(const char *s, size_t n) {
  for (size_t i = 0, len; i < n; i += len) {
    uint32_t c = st_char_at(s, n, i, &len);
    if (st_is_kanji(c) || is_hiragana(c) || is_katakana(c) || (c >= 'A' && c <= 'Z') ||
        (c >= 'a' && c <= 'z') || (c >= 0xFF21 && c <= 0xFF5A))
      return 1;
  }
  return 0;
}

/* A sentence that lost its 。: a 、 outside brackets in a line longer than a title is. */
static int long_clause(const char *s, size_t n) {
  if (jfts_utf8_count(s, n) <= 30) return 0;
  int depth = 0;
  for (size_t i = 0, len; i < n; i += len) {
    uint32_t c = st_char_at(s, n, i, &len);
    if (repair_is_open_bracket(c)) depth++;
    else if (repair_is_close_bracket(c) && depth > 0) depth--;
    else if (c == 0x3001 && depth == 0) return 1;
  }
  return 0;
}

/* A numbered step or a statement: the title ends as a verb or a sentence does. */
static int ends_as_verb(const char *s, size_t n) {
  static const char *const k[] = {"ます", "ました", "ません", "です", "でした", "ください", "する",
                                  "した", "います", "なる", "ある", "れる"};
  for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
    size_t m = strlen(k[i]);
    if (n >= m && memcmp(s + n - m, k[i], m) == 0) return 1;
  }
  return 0;
}

int st_heading_line(const char *s, size_t n, StMarker *out) {
  if (st_marker(s, n, out) == ST_NONE) return 0;
  if (st_toc_line(s, n, 0) || jfts_utf8_count(s, n) > ST_MAX_HEADING_CHARS) return 0;
  if (st_find_in(s, n, "。") || long_clause(s, n)) return 0;
  const char *t = s + out->title_start;
  size_t nt = n - out->title_start;
  if (out->kind == ST_BRACKET) return jfts_utf8_count(t, nt) <= ST_MAX_BRACKET_TAIL;
  if (nt == 0) return out->kind == ST_CHAPTER || out->kind == ST_SETSU || out->kind == ST_DAI;
  uint32_t c0 = st_char_at(t, nt, 0, NULL);
  if (st_digit_value(c0) >= 0 || starts_with_counter(t, nt)) return 0;
  /* ア ン ケ ー ト: a letter-spaced word, not a list marker. */
  if (out->kind == ST_KANA && (is_katakana(c0) || (c0 >= 0x30A1 && c0 <= 0x30F6))) return 0;
  if (looks_like_row(t, nt) || !has_word_char(t, nt)) return 0;
  if (numbered_kind(out->kind) && ends_as_verb(t, nt)) return 0;
  return 1;
}

/* Where the body glued to a heading starts in t[0,n) (a title without its marker): the first
** point after two characters where the text takes up the title's first word again, as the
** first sentence under a heading does ("人口の推移" + "人口は…", "計画の基本的な考え方" +
** "本計画は…"); 0 when there is none. The word is the title's first two characters, both
** kanji or katakana. */
static size_t glued_split(const char *t, size_t n) {
  size_t l0, l1;
  uint32_t c0 = st_char_at(t, n, 0, &l0), c1 = st_char_at(t, n, l0, &l1);
  if (!(st_is_kanji(c0) || is_katakana(c0)) || !(st_is_kanji(c1) || is_katakana(c1))) return 0;
  size_t w = l0 + l1;
  static const char *const k_lead[] = {"", "本", "この", "当"};
  uint32_t prev = c1;
  size_t len;
  for (size_t i = w, k = 0; i < n && k < ST_MAX_HEADING_CHARS; i += len, k++) {
    uint32_t c = st_char_at(t, n, i, &len);
    if (c == 0x3001 || c == 0x3002 || repair_is_open_bracket(c)) return 0; /* 、。（: a sentence */
    /* A title ends as a noun does (推移, 考え方, 調査), not after a particle or a verb's kana. */
    int noun_end = st_is_kanji(prev) || is_katakana(prev);
    prev = c;
    for (size_t j = 0; noun_end && j < sizeof k_lead / sizeof *k_lead; j++) {
      size_t m = strlen(k_lead[j]);
      if (st_has_prefix(t, n, i, k_lead[j]) && n - i - m >= w && memcmp(t + i + m, t, w) == 0)
        return i;
    }
  }
  return 0;
}

int st_glued_heading(const char *s, size_t n, StMarker *out, size_t *split_out) {
  *split_out = 0;
  if (st_marker(s, n, out) == ST_NONE || out->kind == ST_BRACKET || !numbered_kind(out->kind))
    return 0;
  if (st_heading_line(s, n, out)) return 0; /* a heading of its own */
  size_t t = out->title_start, k = glued_split(s + t, n - t);
  if (k == 0) return 0;
  StMarker m;
  /* The title alone must make a heading, and what follows must read as a sentence. */
  if (!st_heading_line(s, t + k, &m) || m.kind != out->kind) return 0;
  if (st_find_in(s + t + k, n - t - k, "。") == NULL &&
      st_find_in(s + t + k, n - t - k, "、") == NULL)
    return 0;
  *out = m;
  *split_out = t + k;
  return 1;
}

/* ---- tables of contents ---------------------------------------------------------------- */

int st_toc_title(const char *s, size_t n) {
  char buf[64];
  size_t k = 0;
  for (size_t i = 0, len; i < n; i += len) {
    uint32_t c = st_char_at(s, n, i, &len);
    if (is_space(c) || symbol_kind(c) != ST_NONE || repair_is_open_bracket(c) ||
        repair_is_close_bracket(c) || c == '<' || c == '>' || c == 0xFF1C || c == 0xFF1E)
      continue;
    if (k + len >= sizeof buf) return 0;
    for (size_t j = 0; j < len; j++) {
      char b = s[i + j];
      buf[k++] = (b >= 'A' && b <= 'Z') ? (char)(b - 'A' + 'a') : b;
    }
  }
  buf[k] = '\0';
  return strcmp(buf, "目次") == 0 || strcmp(buf, "もくじ") == 0 || strcmp(buf, "contents") == 0 ||
         strcmp(buf, "tableofcontents") == 0;
}

static int is_leader(uint32_t c) {
  return c == '.' || c == 0xFF0E || c == 0x30FB || c == 0xFF65 || c == 0x2026 || c == 0x2025 ||
         c == 0x22EF || c == 0x00B7 || c == 0x2014 || c == 0x2015 || c == 0x2500 || c == '-' ||
         c == '_' || c == 0x2010 || c == 0x2012 || c == 0x2013;
}

static int is_dash(uint32_t c) {
  return c == '-' || c == 0xFF0D || c == 0x2010 || c == 0x2212 || c == 0x30FC || c == 0x2015;
}

/* The page number at the end of s[0,n) ("12", "－12－", "P.12", "12頁"); returns where it
** starts, or n when there is none. */
static size_t page_number_start(const char *s, size_t n) {
  size_t end = trim_end(s, 0, n), len;
  uint32_t c;
  if (end >= strlen("ページ") && st_has_prefix(s, end, end - strlen("ページ"), "ページ"))
    end -= strlen("ページ");
  else if (end >= strlen("頁") && st_has_prefix(s, end, end - strlen("頁"), "頁"))
    end -= strlen("頁");
  int dashes = 0;
  while (end > 0 && (len = jfts_utf8_prev(s, end, &c)) && is_dash(c) && dashes < 2)
    end -= len, dashes++;
  size_t d = end;
  int n_digits = 0;
  while (d > 0 && (len = jfts_utf8_prev(s, d, &c)) && st_digit_value(c) >= 0) d -= len, n_digits++;
  if (n_digits == 0 || n_digits > 3) return n;
  size_t start = d;
  if (d > 0 && (len = jfts_utf8_prev(s, d, &c)) && (c == '.' || c == 0xFF0E)) {
    size_t p = d - len;
    if (p > 0 && (len = jfts_utf8_prev(s, p, &c)) && (c == 'P' || c == 'p' || c == 0xFF30))
      start = p - len;
  } else if (d > 0 && (len = jfts_utf8_prev(s, d, &c)) && (c == 'P' || c == 'p')) {
    start = d - len;
  }
  while (dashes > 0 && start > 0 && (len = jfts_utf8_prev(s, start, &c)) && is_dash(c))
    start -= len, dashes--;
  /* Part of a larger number (3,405 or 1.5), not a page; a leader's points may touch it. */
  if (start > 0 && start == d && (len = jfts_utf8_prev(s, start, &c))) {
    if (st_digit_value(c) >= 0 || c == ',' || c == 0xFF0C) return n;
    uint32_t c2;
    if ((c == '.' || c == 0xFF0E) && start > len && (jfts_utf8_prev(s, start - len, &c2), 1) &&
        st_digit_value(c2) >= 0)
      return n;
  }
  return start;
}

int st_toc_line(const char *s, size_t n, int in_toc) {
  size_t page = page_number_start(s, n);
  if (page == n) return 0;
  size_t k = page, len;
  int leaders = 0, spaces = 0;
  uint32_t c;
  while (k > 0 && (len = jfts_utf8_prev(s, k, &c))) {
    if (is_leader(c)) leaders += (c == 0x2026 || c == 0x2025 || c == 0x22EF) ? 3 : 1;
    else if (c == ' ') spaces++;
    else if (c == '\t' || c == 0x3000) spaces += 2; /* a column gap */
    else break;
    k -= len;
  }
  if (k == 0) return in_toc && leaders == 0; /* a line of only a page number */
  if (!has_word_char(s, k)) return 0;
  if (leaders >= 3) return 1;
  return in_toc && spaces >= 2;
}

/* ---- speaker turns ----------------------------------------------------------------------- */

static int is_speaker_marker(uint32_t c) {
  return c == 0x25CB || c == 0x3007 || c == 0x25EF || c == 0x25C6 || c == 0x25C7 ||
         c == 0x25CE || c == 0x25CF;
}

/* The speaker's name ends with a role ("議長", "鈴木委員", "健康福祉局長", "２６番"). */
static int ends_with_role(const char *s, size_t n) {
  static const char *const k[] = {"議長", "委員長", "委員", "市長", "町長", "村長", "知事",
                                  "部長", "局長", "課長", "教育長", "次長", "室長", "所長",
                                  "参事", "理事", "主幹", "会長", "参考人", "説明員", "事務局",
                                  "議員", "番", "幹事", "係長", "区長", "監", "管理者", "主査",
                                  "事務局長", "司会", "座長"};
  for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
    size_t m = strlen(k[i]);
    if (n >= m && memcmp(s + n - m, k[i], m) == 0) return 1;
  }
  return 0;
}

int st_speaker_line(const char *s, size_t n, size_t *name_start, size_t *name_end,
                    size_t *speech_start) {
  size_t len;
  if (n == 0 || !is_speaker_marker(st_char_at(s, n, 0, &len))) return 0;
  size_t a = st_skip_spaces(s, len, n), i = a, paren = 0, base_end = 0;
  int depth = 0;
  while (i < n) {
    uint32_t c = st_char_at(s, n, i, &len);
    if (depth == 0 && is_space(c)) break;
    if (c == 0x3002 || c == 0x3001) return 0; /* 。、: a sentence, not a name */
    if (c == 0xFF08 || c == '(') {
      if (depth++ == 0 && paren == 0) paren = i, base_end = i;
    } else if ((c == 0xFF09 || c == ')') && depth > 0) {
      depth--;
      if (depth == 0) {
        i += len;
        break; /* the name ends with its parenthesis */
      }
    }
    i += len;
  }
  if (depth != 0 || i == a) return 0;
  size_t e = i;
  if (jfts_utf8_count(s + a, e - a) > ST_MAX_SPEAKER_CHARS) return 0;
  if (paren == 0) base_end = e;
  if (paren) {
    /* （10名）, （資料1）: a count or a reference, not a person. */
    for (size_t k = paren, l2; k < e; k += l2) {
      uint32_t c = st_char_at(s, e, k, &l2);
      if (st_digit_value(c) >= 0) return 0;
    }
  }
  int strong = st_find_in(s + a, e - a, "君") != NULL || ends_with_role(s + a, base_end - a);
  size_t sp = st_skip_spaces(s, e, n);
  if (!strong && (paren == 0 || sp == e)) return 0;
  if (sp > e || sp == n || e == n) {
    *name_start = a;
    *name_end = e;
    *speech_start = sp;
    return strong ? 2 : 1;
  }
  return 0; /* "○議長の…": the name runs into text */
}

/* ---- the heading stack ------------------------------------------------------------------- */

static void heading_clear(StHeading *h) {
  jfts_free(h->text);
  jfts_free(h->section);
  jfts_free(h->title);
  memset(h, 0, sizeof *h);
}

StState *st_state_new(void) { return jfts_calloc(1, sizeof(StState)); }

void st_state_free(StState *st) {
  if (st == NULL) return;
  for (int i = 0; i < ST_MAX_DEPTH; i++) heading_clear(&st->stack[i]);
  jfts_free(st->speaker);
  jfts_free(st);
}

static char *dup_opt(const char *s, int *rc) {
  if (s == NULL || *rc != JFTS_OK) return NULL;
  char *d = jfts_strdup(s);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

int st_state_copy(const StState *st, StState **out) {
  int rc = JFTS_OK;
  StState *c = st_state_new();
  *out = NULL;
  if (c == NULL) return JFTS_ERR_NOMEM;
  *c = *st;
  for (int i = 0; i < ST_MAX_DEPTH; i++) {
    c->stack[i].text = dup_opt(st->stack[i].text, &rc);
    c->stack[i].section = dup_opt(st->stack[i].section, &rc);
    c->stack[i].title = dup_opt(st->stack[i].title, &rc);
  }
  c->speaker = dup_opt(st->speaker, &rc);
  if (rc != JFTS_OK) {
    st_state_free(c);
    return rc;
  }
  *out = c;
  return JFTS_OK;
}


static char *section_name(const StMarker *m, const char *s);

/* The length of "3.2" in "3.2.1" (the parts before the last) of a dotted section name. */
static size_t dotted_prefix(const char *section) {
  const char *dot = strrchr(section, '.');
  return dot ? (size_t)(dot - section) : 0;
}

/* The level of a 【…】 heading by its indent (st_place). */
static int place_bracket(const StState *st, const StMarker *m) {
  int under = 0, deeper = -1;
  for (int l = 0; l < st->depth; l++) {
    const StHeading *h = &st->stack[l];
    if (h->kind != ST_BRACKET) continue;
    if (h->indent == m->indent) return l;
    if (h->indent < m->indent) under = 1;
    else if (deeper < 0) deeper = l;
  }
  if (deeper >= 0 && !under) return deeper;
  return st->depth < ST_MAX_DEPTH ? st->depth : -1;
}

int st_place(const StState *st, const StMarker *m, const char *s) {
  if (m->kind == ST_CHAPTER) return 0;
  if (m->kind == ST_BRACKET) return place_bracket(st, m);
  for (int l = 0; l < st->depth; l++) {
    if (st->stack[l].kind != m->kind) continue;
    if (!numbered_kind(m->kind)) return l;
    int last = st->stack[l].number;
    if (m->kind == ST_DOT2 || m->kind == ST_DOT3) {
      /* 3.2.1 numbers on from 3.1.x; under another prefix only x.y.1 starts a group. */
      char *name = section_name(m, s);
      if (name == NULL) return -1;
      size_t a = dotted_prefix(name), b = dotted_prefix(st->stack[l].section);
      int same = a == b && memcmp(name, st->stack[l].section, a) == 0;
      jfts_free(name);
      if (!same) return m->number == 1 ? l : -1;
    }
    return m->number == last + 1 || m->number == last + 2 ? l : -1;
  }
  if (st->depth >= ST_MAX_DEPTH) return -1;
  return numbered_kind(m->kind) && m->number != 1 ? -1 : st->depth;
}

/* The marker as a section name: digits ASCII, parentheses ASCII, symbols as printed. */
static char *section_name(const StMarker *m, const char *s) {
  const char *kana = m->number >= 1 && (size_t)m->number <= N_KANA ? k_kana[m->number - 1] : "";
  switch (m->kind) {
  case ST_CHAPTER: return jfts_mprintf("第%d章", m->number);
  case ST_SETSU: return jfts_mprintf("第%d節", m->number);
  case ST_DAI: return jfts_mprintf("第%d", m->number);
  /* "2." not "2": the ward-report template's sections are 1, 2 and 3 (--section 2). */
  case ST_NUM: return jfts_mprintf("%d.", m->number);
  case ST_PAREN_NUM: return jfts_mprintf("(%d)", m->number);
  case ST_HALF_NUM: return jfts_mprintf("%d)", m->number);
  case ST_KANA: return jfts_mprintf("%s", kana);
  case ST_PAREN_KANA: return jfts_mprintf("(%s)", kana);
  case ST_HALF_KANA: return jfts_mprintf("%s)", kana);
  case ST_DOT2: case ST_DOT3: {
    char buf[32]; /* "2.1", full-width digits made ASCII */
    size_t k = 0, len;
    for (size_t i = 0; i < m->marker_end && k + 1 < sizeof buf; i += len) {
      int d = st_digit_value(st_char_at(s, m->marker_end, i, &len));
      buf[k++] = d >= 0 ? (char)('0' + d) : '.';
    }
    return jfts_strndup(buf, k);
  }
  default: {
    /* ①, ■, 【…】: as printed, without a separator. */
    size_t e = m->marker_end;
    uint32_t c;
    while (e > 0 && is_separator((jfts_utf8_prev(s, e, &c), c)) && m->kind != ST_BRACKET)
      e -= jfts_utf8_prev(s, e, &c);
    return jfts_strndup(s, e);
  }
  }
}

int st_push(StState *st, int level, const StMarker *m, const char *s, size_t n,
            const char *title_extra, size_t src_start, size_t src_end, int lineno) {
  if (level < 0 || level >= ST_MAX_DEPTH) return JFTS_OK;
  if (level > st->depth) level = st->depth;
  for (int l = level; l < ST_MAX_DEPTH; l++) heading_clear(&st->stack[l]);
  StHeading *h = &st->stack[level];
  h->kind = m->kind;
  h->number = m->number;
  h->src_start = src_start;
  h->src_end = src_end;
  h->lineno = lineno;
  h->here = 1;
  h->indent = m->indent;
  h->section = section_name(m, s);
  if (title_extra) {
    h->text = jfts_mprintf("%.*s %s", (int)n, s, title_extra);
    h->title = jfts_strdup(title_extra);
  } else if (m->kind == ST_BRACKET) {
    size_t open = strlen("【"), close = strlen("】");
    size_t a = st_skip_spaces(s, open, m->marker_end - close);
    h->text = jfts_strndup(s, n);
    h->title = jfts_strndup(s + a, trim_end(s, a, m->marker_end - close) - a);
  } else {
    h->text = jfts_strndup(s, n);
    h->title = jfts_strndup(s + m->title_start, n - m->title_start);
  }
  st->depth = level + 1;
  if (h->text == NULL || h->section == NULL || h->title == NULL) {
    heading_clear(h);
    st->depth = level;
    return JFTS_ERR_NOMEM;
  }
  return JFTS_OK;
}

char *st_path(const StState *st, int depth, int *rc) {
  if (*rc != JFTS_OK || depth <= 0) return NULL;
  static const char sep[] = " › ";
  size_t total = 1;
  for (int l = 0; l < depth; l++) total += strlen(st->stack[l].text) + sizeof sep;
  char *path = jfts_malloc(total);
  if (path == NULL) {
    *rc = JFTS_ERR_NOMEM;
    return NULL;
  }
  size_t k = 0;
  for (int l = 0; l < depth; l++) {
    if (l > 0) {
      memcpy(path + k, sep, sizeof sep - 1);
      k += sizeof sep - 1;
    }
    size_t m = strlen(st->stack[l].text);
    memcpy(path + k, st->stack[l].text, m);
    k += m;
  }
  path[k] = '\0';
  return path;
}

void st_mark_used(StState *st) {
  for (int l = 0; l < st->depth; l++) st->stack[l].used = 1;
}

void st_leave_piece(StState *st) {
  for (int l = 0; l < st->depth; l++) st->stack[l].here = 0;
}
