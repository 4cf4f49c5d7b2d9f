/* Document fields for every document (structure.h): organisation, ward, title, kind, fiscal
** year and date, each taken from the best source that gives it (sidecar > PDF information >
** title line > text > path), and a document for text outside any, so that every passage of a
** file has one. Pure string work on UTF-8; the caller (ingest) hands in what the sidecar and
** the PDF said. */
#include "structure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "structure_chars.h"
#include "repair.h"

#define ST_TITLE_MAX_CHARS 80 /* a document's title line */
#define ST_TEXT_LINES 40      /* nonblank lines at a document's start searched for its fields */
#define ST_SCAN_LINES 4000    /* lines searched for a 発行 (publisher) line */
#define ST_ORG_LINE_CHARS 40  /* a line naming the organisation by itself is short */
#define ST_LONG_LINE_BYTES 600 /* longer lines are text, not a date or publisher line */
#define ST_DATE_LINE_CHARS 30 /* a date line: the date, 発行, the publisher */
#define ST_YEAR_LINE_CHARS 20 /* a line giving the fiscal year: "（令和６年度～令和８年度）" */

/* ---- characters ------------------------------------------------------------------------ */

static int is_kana(uint32_t c) {
  return (c >= 0x3041 && c <= 0x309F) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC;
}

/* Digits at s[*i] after optional spaces (at most 4); -1 when none. */
static int number_at(const char *s, size_t n, size_t *i) {
  size_t j = st_skip_spaces(s, *i, n), len;
  int value = 0, k = 0;
  while (j < n && k < 4) {
    int d = st_digit_value(st_char_at(s, n, j, &len));
    if (d < 0) break;
    value = value * 10 + d;
    j += len;
    k++;
  }
  if (k == 0) return -1;
  *i = st_skip_spaces(s, j, n);
  return value;
}

/* ---- organisation ------------------------------------------------------------------------ */

/* Chars that end a place name read backwards: particles, 年度, 第N期, punctuation. */
static int ends_name(uint32_t c) {
  static const char k[] = "のはがをにへとでもやかより度年月日第期号回版各本全当同他及び県";
  if (!st_is_kanji(c) && !is_kana(c)) return 1;
  char buf[5];
  size_t len = 0;
  if (c < 0x10000) {
    buf[0] = (char)(0xE0 | (c >> 12));
    buf[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (c & 0x3F));
    len = 3;
  }
  buf[len] = '\0';
  return len > 0 && strstr(k, buf) != NULL;
}

/* The start of the place name that ends at s[end] (before a suffix), at most max_chars long;
** end when there is none. */
static size_t name_start(const char *s, size_t end, int max_chars) {
  size_t k = end;
  int n_chars = 0;
  while (k > 0 && n_chars < max_chars) {
    uint32_t c;
    size_t len = jfts_utf8_prev(s, k, &c);
    if (ends_name(c)) break;
    k -= len;
    n_chars++;
  }
  return k;
}

static char *dup_range(const char *s, size_t a, size_t b, int *rc) {
  if (*rc != JFTS_OK) return NULL;
  char *d = jfts_strndup(s + a, b - a);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

/* A ward right after a city: 1-4 name chars and 区 ("仙台市青葉区", "札幌市北区"). */
static size_t ward_end(const char *s, size_t n, size_t i) {
  size_t len;
  for (int k = 0; k < 5 && i < n; k++) {
    uint32_t c = st_char_at(s, n, i, &len);
    if (c == 0x533A /* 区 */ && k > 0) return i + len;
    if (!st_is_kanji(c) && !is_kana(c)) return 0;
    i += len;
  }
  return 0;
}

/* A city, town or village (市 町 村) whose name ends at p; 0 when the suffix is no place. */
static int place_before(const char *s, size_t n, size_t p, size_t *start_out) {
  /* 市場, 市街, 市町村, 市区町村, 町内会, 町会 */
  static const char *const not_after[] = {"場", "街", "町村", "区町村", "内", "会"};
  size_t len;
  st_char_at(s, n, p, &len);
  for (size_t k = 0; k < sizeof not_after / sizeof *not_after; k++)
    if (st_has_prefix(s, n, p + len, not_after[k]) && !st_has_prefix(s, n, p + len, "会議")) return 0;
  uint32_t prev;
  if (p > 0 && (jfts_utf8_prev(s, p, &prev), prev == 0x90FD /* 都 */) &&
      !(p >= 6 && st_has_prefix(s, n, p - 6, "京都")))
    return 0; /* 都市, 指定都市 */
  size_t a = name_start(s, p, 4);
  if (jfts_utf8_count(s + a, p - a) < 2) return 0;
  if (st_has_prefix(s, n, a, "市町") || st_has_prefix(s, n, a, "各市")) return 0;
  *start_out = a;
  return 1;
}

static int find_prefecture(const char *s, size_t n, size_t *a_out, size_t *b_out) {
  static const char *const k[] = {"東京都", "北海道", "大阪府", "京都府"};
  for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
    const char *f = st_find_in(s, n, k[i]);
    if (f) {
      *a_out = (size_t)(f - s);
      *b_out = *a_out + strlen(k[i]);
      return 1;
    }
  }
  const char *ken = st_find_in(s, n, "県");
  if (ken == NULL) return 0;
  size_t p = (size_t)(ken - s), a = name_start(s, p, 3);
  if (jfts_utf8_count(s + a, p - a) < 2) return 0;
  *a_out = a;
  *b_out = p + strlen("県");
  return 1;
}

int st_find_org(const char *s, size_t n, char **org_out, char **ward_out) {
  int rc = JFTS_OK;
  *org_out = *ward_out = NULL;
  for (size_t i = 0, len; i < n; i += len) {
    uint32_t c = st_char_at(s, n, i, &len);
    size_t a;
    if ((c == 0x5E02 || c == 0x753A || c == 0x6751) && place_before(s, n, i, &a)) {
      size_t b = i + len;
      if (st_has_prefix(s, n, b, "社会福祉協議会")) b += strlen("社会福祉協議会");
      *org_out = dup_range(s, a, b, &rc);
      size_t w = c == 0x5E02 ? ward_end(s, n, i + len) : 0;
      if (w) *ward_out = dup_range(s, i + len, w, &rc);
      return rc;
    }
  }
  size_t a, b;
  if (find_prefecture(s, n, &a, &b)) {
    if (st_has_prefix(s, n, b, "社会福祉協議会")) b += strlen("社会福祉協議会");
    *org_out = dup_range(s, a, b, &rc);
    return rc;
  }
  const char *office = st_find_in(s, n, "区役所");
  if (office) {
    size_t p = (size_t)(office - s);
    size_t w = name_start(s, p, 4);
    if (w < p) *ward_out = dup_range(s, w, p + strlen("区"), &rc);
  }
  return rc;
}

/* ---- kind, year, date ---------------------------------------------------------------------- */

const char *st_kind_of(const char *s, size_t n) {
  static const struct {
    const char *word, *kind;
  } k[] = {{"取組状況", "取組状況"}, {"会議録", "会議録"},     {"議事録", "会議録"},
           {"会議記録", "会議録"},   {"議事要旨", "会議録"},   {"広報", "広報"},
           {"だより", "広報"},       {"便り", "広報"},         {"通信", "広報"},
           {"ニュース", "広報"},     {"ニューズレター", "広報"}, {"報告", "報告"},
           {"実績", "報告"},         {"白書", "報告"},         {"計画", "計画"},
           {"プラン", "計画"},       {"ビジョン", "計画"},     {"戦略", "計画"}};
  if (s == NULL) return NULL;
  for (size_t i = 0; i < sizeof k / sizeof *k; i++)
    if (st_find_in(s, n, k[i].word)) return k[i].kind;
  for (size_t i = 0; i + 10 <= n; i++) {
    size_t k = 0;
    while (k < 10 && (s[i + k] | 0x20) == "newsletter"[k]) k++;
    if (k == 10) return "広報";
  }
  return NULL;
}

/* The Western year an era year or a 4-digit year at s[i] gives ("令和3", "令和 元", "R3",
** "H30", "2021"), *end_out after it and any spaces; -1 when there is none. */
static int era_year_at(const char *s, size_t n, size_t i, size_t *end_out) {
  static const struct {
    const char *era;
    int base;
  } k[] = {{"令和", 2018}, {"平成", 1988}, {"昭和", 1925}, {"R", 2018},
           {"Ｒ", 2018},   {"H", 1988},    {"Ｈ", 1988}};
  size_t len;
  if (i > 0) {
    uint32_t prev;
    jfts_utf8_prev(s, i, &prev);
    if (st_digit_value(prev) >= 0 || (prev >= 'A' && prev <= 'Z') || (prev >= 'a' && prev <= 'z'))
      return -1;
  }
  for (size_t e = 0; e < sizeof k / sizeof *k; e++) {
    if (!st_has_prefix(s, n, i, k[e].era)) continue;
    size_t j = st_skip_spaces(s, i + strlen(k[e].era), n);
    int num;
    if (st_has_prefix(s, n, j, "元")) {
      num = 1;
      j = st_skip_spaces(s, j + strlen("元"), n);
    } else if ((num = number_at(s, n, &j)) < 1 || num > 99) {
      return -1;
    }
    *end_out = j;
    return k[e].base + num;
  }
  if (st_digit_value(st_char_at(s, n, i, &len)) < 0) return -1;
  size_t j = i;
  int y = number_at(s, n, &j);
  if (y < 1900 || y > 2100) return -1;
  *end_out = j;
  return y;
}

void st_year_of(const char *s, size_t n, int *year_out) {
  *year_out = 0;
  for (size_t i = 0, len; s && i < n; i += len) {
    st_char_at(s, n, i, &len);
    size_t j;
    int y = era_year_at(s, n, i, &j);
    if (y > 0 && st_has_prefix(s, n, j, "年度")) {
      *year_out = y;
      return;
    }
  }
}

/* Month and day after a year: "6月30日", "3月" (*d 0: a month) or "/6/30". */
static int month_day_at(const char *s, size_t n, size_t j, int western, int *m, int *d) {
  if (st_has_prefix(s, n, j, "年")) {
    j += strlen("年");
    if ((*m = number_at(s, n, &j)) < 1 || !st_has_prefix(s, n, j, "月")) return 0;
    j += strlen("月");
    size_t k = j;
    *d = number_at(s, n, &k);
    if (*d >= 1 && st_has_prefix(s, n, k, "日")) return 1;
    *d = 0;
    return 1;
  }
  if (!western || j >= n || (s[j] != '/' && s[j] != '-' && s[j] != '.')) return 0;
  char sep = s[j++];
  if ((*m = number_at(s, n, &j)) < 1 || j >= n || s[j] != sep) return 0;
  j++;
  return (*d = number_at(s, n, &j)) >= 1;
}

int st_date_of(const char *s, size_t n, char buf[11]) {
  for (size_t i = 0, len; s && i < n; i += len) {
    st_char_at(s, n, i, &len);
    size_t j;
    int y = era_year_at(s, n, i, &j), m, d;
    if (y <= 0) continue;
    int western = st_digit_value(st_char_at(s, n, i, NULL)) >= 0;
    if (month_day_at(s, n, j, western, &m, &d) && m <= 12 && d <= 31) {
      /* Unsigned and reduced, so that the compiler sees each field's width (buf is 11). */
      unsigned uy = (unsigned)y % 10000u, um = (unsigned)m % 100u, ud = (unsigned)d % 100u;
      if (d == 0) snprintf(buf, 11, "%04u-%02u", uy, um);
      else snprintf(buf, 11, "%04u-%02u-%02u", uy, um, ud);
      return 1;
    }
  }
  return 0;
}

char *st_year_label(int year) {
  if (year >= 2019) return jfts_mprintf("令和%d年度", year - 2018);
  if (year >= 1989) return jfts_mprintf("平成%d年度", year - 1988);
  return jfts_mprintf("%d年度", year);
}

/* ---- resolving a report's documents ------------------------------------------------------ */

static size_t trim_back(const char *s, size_t a, size_t b) {
  while (b > a) {
    uint32_t c;
    size_t len = jfts_utf8_prev(s, b, &c);
    if (!repair_is_space(c) && c != '\r') break;
    b -= len;
  }
  return b;
}

/* The next line of t[*pos, end), trimmed to [*a, *b); 0 at the end. */
static int next_line(const char *t, size_t end, size_t *pos, size_t *a, size_t *b) {
  if (*pos >= end) return 0;
  const char *nl = memchr(t + *pos, '\n', end - *pos);
  size_t e = nl ? (size_t)(nl - t) : end;
  *a = st_skip_spaces(t, *pos, e);
  *b = trim_back(t, *a, e);
  *pos = nl ? e + 1 : end;
  return 1;
}

/* Offers a value for a string field: taken when the field is unset or came from a source
** ranked lower. */
static void offer(char **field, unsigned char *from, const char *v, size_t n, DocFrom src,
                  int *rc) {
  if (*rc != JFTS_OK || v == NULL || n == 0 || (*field && *from >= src)) return;
  char *d = jfts_strndup(v, n);
  if (d == NULL) {
    *rc = JFTS_ERR_NOMEM;
    return;
  }
  jfts_free(*field);
  *field = d;
  *from = (unsigned char)src;
}

static void offer_str(char **field, unsigned char *from, const char *v, DocFrom src, int *rc) {
  offer(field, from, v, v ? strlen(v) : 0, src, rc);
}

static void offer_year(ReportDoc *d, int year, DocFrom src, int *rc) {
  if (*rc != JFTS_OK || year <= 0 || (d->year && d->year_from >= src)) return;
  char *label = st_year_label(year);
  if (label == NULL) {
    *rc = JFTS_ERR_NOMEM;
    return;
  }
  jfts_free(d->year_label);
  d->year_label = label;
  d->year = year;
  d->year_from = (unsigned char)src;
}

/* Organisation and ward a string names (with_raw: the string itself is the organisation
** when it names no place and nothing else gave one, as a sidecar's publisher "○○会" does). */
static void offer_org(ReportDoc *d, const char *s, size_t n, DocFrom src, int with_raw,
                      int *rc) {
  if (*rc != JFTS_OK || s == NULL || n == 0) return;
  char *org = NULL, *ward = NULL;
  *rc = st_find_org(s, n, &org, &ward);
  if (org) offer_str(&d->org, &d->org_from, org, src, rc);
  else if (with_raw && d->org == NULL) offer(&d->org, &d->org_from, s, n, src, rc);
  if (ward) offer_str(&d->ward, &d->ward_from, ward, src, rc);
  jfts_free(org);
  jfts_free(ward);
}

/* Everything one string (a title) tells: kind, fiscal year, date, organisation. */
static void offer_title(ReportDoc *d, const char *s, size_t n, DocFrom src, int *rc) {
  if (s == NULL || n == 0) return;
  const char *kind = st_kind_of(s, n);
  offer_str(&d->kind, &d->kind_from, kind, src, rc);
  int year;
  st_year_of(s, n, &year);
  offer_year(d, year, src, rc);
  char date[11];
  if (st_date_of(s, n, date)) offer_str(&d->date, &d->date_from, date, src, rc);
  offer_org(d, s, n, src, 0, rc);
}

/* The lines of the document's text: its first lines for a date, a year or a line naming the
** organisation; any line of its first thousands that says who published it. */
static void offer_text(ReportDoc *d, const char *t, size_t a, size_t b, int *rc) {
  static const char *const k_pub[] = {"発行", "編集", "作成", "事務局", "問い合わせ", "問合せ"};
  size_t pos = a, la, lb;
  int n_lines = 0, n_nonblank = 0;
  while (*rc == JFTS_OK && n_lines++ < ST_SCAN_LINES && next_line(t, b, &pos, &la, &lb)) {
    if (la == lb || lb - la > ST_LONG_LINE_BYTES) continue;
    size_t n = lb - la, n_chars = jfts_utf8_count(t + la, n);
    /* A sentence mentions dates and years; a date line or a cover line gives them. */
    int head = n_nonblank++ < ST_TEXT_LINES && !st_find_in(t + la, n, "。");
    char date[11];
    if (head && n_chars <= ST_DATE_LINE_CHARS && st_date_of(t + la, n, date))
      offer_str(&d->date, &d->date_from, date, DOC_FROM_TEXT, rc);
    /* One year, or a period ("令和６年度～令和８年度"); not a table's header of years. */
    const char *second = NULL, *first = st_find_in(t + la, n, "年度");
    if (first) second = st_find_in(first + 1, n - (size_t)(first + 1 - (t + la)), "年度");
    int one_year = second == NULL || st_find_in(t + la, n, "～") || st_find_in(t + la, n, "〜");
    if (head && one_year && n_chars <= ST_YEAR_LINE_CHARS && d->year == 0) {
      int year;
      st_year_of(t + la, n, &year);
      offer_year(d, year, DOC_FROM_TEXT, rc);
    }
    int pub = 0;
    for (size_t k = 0; k < sizeof k_pub / sizeof *k_pub; k++)
      pub |= st_find_in(t + la, n, k_pub[k]) != NULL;
    if (d->org == NULL && ((head && n_chars <= ST_ORG_LINE_CHARS) || pub))
      offer_org(d, t + la, n, DOC_FROM_TEXT, 0, rc);
  }
}

/* The fiscal year a path names: a folder or file called 2021, R3, H30 or 令和3年度. */
static int path_year(const char *path) {
  if (path == NULL) return 0;
  size_t n = strlen(path);
  for (size_t i = n; i-- > 0;) {
    if (i > 0 && path[i - 1] != '/') continue;
    size_t e = i;
    while (e < n && path[e] != '/') e++;
    int year;
    st_year_of(path + i, e - i, &year);
    if (year) return year;
    for (size_t k = i; k < e; k++) {
      size_t j;
      int y = era_year_at(path, e, k, &j);
      if (y > 0 && (j == e || st_digit_value(st_char_at(path, e, j, NULL)) < 0)) return y;
    }
  }
  return 0;
}

/* The first nonblank line of t[a,b) when it reads as a title: short, not a sentence. */
static int title_line(const char *t, size_t a, size_t b, size_t *la, size_t *lb) {
  size_t pos = a;
  while (next_line(t, b, &pos, la, lb)) {
    if (*la == *lb) continue;
    size_t n = *lb - *la;
    if (jfts_utf8_count(t + *la, n) > ST_TITLE_MAX_CHARS || st_find_in(t + *la, n, "。")) return 0;
    size_t x, y, z;
    return !st_toc_title(t + *la, *lb - *la) && !st_speaker_line(t + *la, *lb - *la, &x, &y, &z);
  }
  return 0;
}

/* A PDF's Title that names the file it was made from ("Microsoft Word - 計画案.docx",
** "Document1", "無題") says nothing about the document. */
static int usable_pdf_title(const char *s) {
  static const char *const k[] = {".doc", ".xls", ".ppt", ".pdf", ".jtd", ".rtf", ".txt",
                                  "Microsoft ", "無題", "Untitled", "untitled", "Document"};
  if (s == NULL) return 0;
  for (size_t i = 0; i < sizeof k / sizeof *k; i++)
    if (strstr(s, k[i])) return 0;
  return 1;
}

/* Fills document k, whose text is t[a,b); `single`: the file holds only this document. A
** template document's title line speaks for that document alone: its title, ward, year and
** kind stay, and the file's sidecar and PDF information give only its organisation. */
static void fill_doc(Report *r, size_t k, int untagged, const char *t, size_t a, size_t b,
                     const StDocSources *src, int single, int *rc) {
  ReportDoc *d = &r->docs[k];
  if (single && untagged) {
    offer_str(&d->title, &d->title_from, src->meta_title, DOC_FROM_SIDECAR, rc);
    offer_year(d, src->meta_year, DOC_FROM_SIDECAR, rc);
    if (src->meta_title) offer_title(d, src->meta_title, strlen(src->meta_title),
                                     DOC_FROM_SIDECAR, rc);
    if (usable_pdf_title(src->pdf_title)) {
      offer_str(&d->title, &d->title_from, src->pdf_title, DOC_FROM_PDF_INFO, rc);
      offer_title(d, src->pdf_title, strlen(src->pdf_title), DOC_FROM_PDF_INFO, rc);
    }
    if (src->pdf_created && strlen(src->pdf_created) >= 10 && src->pdf_created[4] == '-')
      offer(&d->date, &d->date_from, src->pdf_created, 10, DOC_FROM_PDF_INFO, rc);
  }
  if (src->meta_publisher)
    offer_org(d, src->meta_publisher, strlen(src->meta_publisher), DOC_FROM_SIDECAR, 1, rc);
  if (src->pdf_author)
    offer_org(d, src->pdf_author, strlen(src->pdf_author), DOC_FROM_PDF_INFO, 0, rc);
  if (src->pdf_creator)
    offer_org(d, src->pdf_creator, strlen(src->pdf_creator), DOC_FROM_PDF_INFO, 0, rc);
  size_t la, lb;
  if (untagged && title_line(t, a, b, &la, &lb)) {
    /* A Markdown or HTML title comes as 【title】 (markup.h). */
    if (lb - la > strlen("【】") && st_has_prefix(t, lb, la, "【") && st_has_prefix(t, lb, lb - strlen("】"), "】"))
      la += strlen("【"), lb -= strlen("】");
    offer(&d->title, &d->title_from, t + la, lb - la, DOC_FROM_TITLE, rc);
    offer_title(d, t + la, lb - la, DOC_FROM_TITLE, rc);
  } else if (!untagged && d->title) {
    offer_title(d, d->title, strlen(d->title), DOC_FROM_TITLE, rc);
  }
  offer_text(d, t, a, b, rc);
  for (size_t i = 0; i < r->n_passages && d->kind == NULL; i++)
    if (r->passage_doc[i] == (int)k && r->passages[i].speaker)
      offer_str(&d->kind, &d->kind_from, "会議録", DOC_FROM_TEXT, rc);
  if (d->year == 0 && d->date) {
    /* A dated document without a fiscal year: the year its date falls in (April on). */
    int y = atoi(d->date), m = atoi(d->date + 5);
    offer_year(d, m >= 4 ? y : y - 1, (DocFrom)d->date_from, rc);
  }
  offer_year(d, path_year(src->path), DOC_FROM_PATH, rc);
}

/* Gives the passages outside any document (and an empty file) a document of their own. */
static int add_untagged_doc(Report *r, const char *t, size_t n) {
  ReportDoc *docs = jfts_realloc(r->docs, (r->n_docs + 1) * sizeof *docs);
  if (docs == NULL) return JFTS_ERR_NOMEM;
  r->docs = docs;
  ReportDoc *d = &docs[r->n_docs];
  memset(d, 0, sizeof *d);
  int first = 1;
  for (size_t i = 0; i < r->n_passages; i++) {
    if (r->passage_doc[i] >= 0) continue;
    r->passage_doc[i] = (int)r->n_docs;
    const Passage *p = &r->passages[i];
    if (first || p->line_start < d->line_start) d->line_start = p->line_start;
    if (first || p->line_end > d->line_end) d->line_end = p->line_end;
    first = 0;
  }
  /* Its title line, which may be a heading above the first passage. */
  size_t pos = 0, la = 0, lb = 0;
  int line = 1;
  while (next_line(t, n, &pos, &la, &lb) && la == lb) line++;
  if (la < lb && (first || line < d->line_start)) {
    d->line_start = line;
    if (first) d->line_end = line;
  }
  d->src_start = la < lb ? la : 0;
  r->n_docs++;
  return JFTS_OK;
}

static int set_copy(char **field, const char *v) {
  if ((*field == NULL && v == NULL) || (*field && v && strcmp(*field, v) == 0)) return JFTS_OK;
  char *d = v ? jfts_strdup(v) : NULL;
  if (v && d == NULL) return JFTS_ERR_NOMEM;
  jfts_free(*field);
  *field = d;
  return JFTS_OK;
}

int st_resolve_docs(Report *r, const char *text, size_t n_bytes, const StDocSources *src,
                    int first_piece) {
  static const StDocSources none = {0};
  if (src == NULL) src = &none;
  size_t n_template = r->n_docs;
  int outside = r->n_docs == 0;
  for (size_t i = 0; i < r->n_passages; i++) outside |= r->passage_doc[i] < 0;
  int rc = first_piece && outside ? add_untagged_doc(r, text, n_bytes) : JFTS_OK;
  for (size_t k = 0; rc == JFTS_OK && k < r->n_docs; k++) {
    /* A template document runs to the next one; the untagged text is the file's start. */
    int untagged = k >= n_template;
    size_t a = untagged ? 0 : r->docs[k].src_start;
    size_t b = n_bytes;
    if (untagged && n_template > 0) b = r->docs[0].src_start;
    else if (!untagged && k + 1 < n_template) b = r->docs[k + 1].src_start;
    fill_doc(r, k, untagged, text, a, b, src, r->n_docs == 1, &rc);
  }
  for (size_t i = 0; rc == JFTS_OK && i < r->n_passages; i++) {
    int k = r->passage_doc[i];
    if (k < 0) continue;
    Passage *p = &r->passages[i];
    const ReportDoc *d = &r->docs[k];
    p->year = d->year;
    rc = set_copy(&p->ward, d->ward);
    if (rc == JFTS_OK) rc = set_copy(&p->year_label, d->year_label);
  }
  return rc;
}
