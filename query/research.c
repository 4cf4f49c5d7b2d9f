/* Research modes (research.h): --wards counts a query's passages and occurrences per (ward,
** year) of the index, no-hit rows included, so that "which wards did not" is an answer too;
** --quotes lists every occurrence as a citable KWIC line. Both run one unlimited search_run
** and keep only what they print. Also the user-facing filter and query set-up they share
** with the plain search. */
#define _XOPEN_SOURCE 700 /* realpath() */

#include "research.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "report.h"
#include "search.h"
#include "textseg.h"

#define COLOR_ON "\x1b[1;31m"
#define COLOR_OFF "\x1b[0m"
#define MARK_ON "\xC2\xAB"  /* « */
#define MARK_OFF "\xC2\xBB" /* » */
#define ELLIPSIS "\xE2\x80\xA6"

static const char *const k_wards = "青葉区, 宮城野区, 若林区, 太白区, 泉区";
static const char *const k_sections[] = {"table", "1", "2", "3"};

/* ---- small helpers ----------------------------------------------------------------------- */

/* A growing list of distinct strings. */
typedef struct StrSet {
  char **v;
  size_t n, cap;
} StrSet;

static int strset_add(StrSet *s, const char *str) {
  if (str == NULL) return JFTS_OK;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], str) == 0) return JFTS_OK;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 16;
    char **g = jfts_realloc(s->v, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    s->v = g;
    s->cap = cap;
  }
  char *d = jfts_strdup(str);
  if (d == NULL) return JFTS_ERR_NOMEM;
  s->v[s->n++] = d;
  return JFTS_OK;
}

static void strset_free(StrSet *s) {
  for (size_t i = 0; i < s->n; i++) jfts_free(s->v[i]);
  jfts_free(s->v);
  memset(s, 0, sizeof *s);
}

/* Joins the set as "a, b, c" into a new string; NULL when out of memory. */
static char *strset_join(const StrSet *s) {
  size_t n = 1;
  for (size_t i = 0; i < s->n; i++) n += strlen(s->v[i]) + 2;
  char *out = jfts_malloc(n);
  if (out == NULL) return NULL;
  out[0] = '\0';
  for (size_t i = 0; i < s->n; i++) {
    if (i > 0) strcat(out, ", ");
    strcat(out, s->v[i]);
  }
  return out;
}

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; }

/* Byte substring test with ASCII case ignored (IGASU = igasu; Japanese is compared as is). */
static int contains_ci(const char *hay, const char *needle) {
  size_t n = strlen(needle), h = strlen(hay);
  for (size_t i = 0; i + n <= h; i++) {
    size_t k = 0;
    while (k < n && ascii_lower((unsigned char)hay[i + k]) == ascii_lower((unsigned char)needle[k]))
      k++;
    if (k == n) return 1;
  }
  return 0;
}

/* ---- years ------------------------------------------------------------------------------- */

/* Copies s with full-width digits as ASCII and white space (ASCII, U+3000) removed. */
static char *ascii_digits(const char *s) {
  size_t n = strlen(s);
  char *out = jfts_malloc(n + 1);
  if (out == NULL) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    const unsigned char *u = (const unsigned char *)s + i;
    if (i + 2 < n && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99) {
      out[k++] = (char)('0' + (u[2] - 0x90));
      i += 3;
    } else if (i + 2 < n && u[0] == 0xE3 && u[1] == 0x80 && u[2] == 0x80) {
      i += 3;
    } else if (u[0] == ' ' || u[0] == '\t') {
      i++;
    } else {
      out[k++] = s[i++];
    }
  }
  out[k] = '\0';
  return out;
}

static int starts_with(const char *s, const char *prefix, const char **rest_out) {
  size_t n = strlen(prefix);
  if (strncmp(s, prefix, n) != 0) return 0;
  *rest_out = s + n;
  return 1;
}

int research_parse_year(const char *s, int *year_out, char **err_out) {
  int rc = JFTS_ERR_USAGE;
  char *a = ascii_digits(s);
  if (a == NULL) return JFTS_ERR_NOMEM;
  const char *p = a;
  int base = 0; /* 0: a Western year */
  if (starts_with(p, "令和", &p) || starts_with(p, "R", &p) || starts_with(p, "r", &p))
    base = 2018;
  else if (starts_with(p, "平成", &p) || starts_with(p, "H", &p) || starts_with(p, "h", &p))
    base = 1988;
  long n = -1;
  if (base && starts_with(p, "元", &p)) {
    n = 1;
  } else if (*p >= '0' && *p <= '9') {
    char *end;
    n = strtol(p, &end, 10);
    if (end - p > 4) n = -1;
    p = end;
  }
  if (!starts_with(p, "年度", &p)) (void)starts_with(p, "年", &p);
  int year = 0;
  if (*p == '\0' && n >= 0) {
    if (base && n >= 1 && n <= 99) year = base + (int)n;
    else if (!base && n >= 1900 && n <= 2999) year = (int)n;
  }
  if (year) {
    *year_out = year;
    rc = JFTS_OK;
  } else {
    jfts_set_error(err_out, "unknown year '%s': expected e.g. 令和3年度 or 2021", s);
  }
  jfts_free(a);
  return rc;
}

/* ---- filters ----------------------------------------------------------------------------- */

struct ResearchFilter {
  StoreFilter filter;
  const char *wards[RESEARCH_MAX_WARDS]; /* canonical names: static strings of report.c */
  const char *sections[1];               /* an entry of k_sections */
  char *section_title;                   /* substring, as typed */
  char *meeting;                         /* substring, as typed */
};

/* What a filter can name, from one scan of the passages. */
typedef struct FilterValues {
  StrSet section_titles[4]; /* per k_sections entry */
  StrSet meetings;          /* meeting types and local names */
  int rc;
} FilterValues;

static int collect_values(void *ctx, const StorePassageRow *p) {
  FilterValues *v = ctx;
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && p->section && i < 4; i++)
    if (strcmp(p->section, k_sections[i]) == 0)
      rc = strset_add(&v->section_titles[i], p->section_title);
  if (rc == JFTS_OK) rc = strset_add(&v->meetings, p->meeting);
  if (rc == JFTS_OK) rc = strset_add(&v->meetings, p->local_name);
  return rc;
}

static void filter_values_free(FilterValues *v) {
  for (size_t i = 0; i < 4; i++) strset_free(&v->section_titles[i]);
  strset_free(&v->meetings);
}

/* "table 実施状況, 1 今年度の主な取組み, ..." */
static char *section_list(const FilterValues *v) {
  StrSet all = {0};
  char *out = NULL;
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < 4; i++) {
    char *titles = strset_join(&v->section_titles[i]);
    char *item = titles ? jfts_mprintf("%s%s%s", k_sections[i], titles[0] ? " " : "", titles)
                        : NULL;
    rc = item ? strset_add(&all, item) : JFTS_ERR_NOMEM;
    jfts_free(titles);
    jfts_free(item);
  }
  if (rc == JFTS_OK) out = strset_join(&all);
  strset_free(&all);
  return out;
}

/* The title part is searched as a substring (store.h), so that one word may name several
** sections (取組: 1 and 3); here it must only name at least one, else it is a typo. */
static int check_section_title(const FilterValues *v, const char *arg, char **err_out) {
  for (size_t i = 0; i < 4; i++)
    for (size_t k = 0; k < v->section_titles[i].n; k++)
      if (contains_ci(v->section_titles[i].v[k], arg)) return JFTS_OK;
  char *list = section_list(v);
  if (list == NULL) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "unknown section '%s' (valid: %s)", arg, list);
  jfts_free(list);
  return JFTS_ERR_USAGE;
}

static int check_meeting(const FilterValues *v, const char *arg, char **err_out) {
  for (size_t i = 0; i < v->meetings.n; i++)
    if (contains_ci(v->meetings.v[i], arg)) return JFTS_OK;
  char *list = strset_join(&v->meetings);
  if (list == NULL) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "unknown meeting '%s' (valid: %s)", arg, list);
  jfts_free(list);
  return JFTS_ERR_USAGE;
}

static int section_index(const char *arg) {
  for (size_t i = 0; i < 4; i++)
    if (strcmp(arg, k_sections[i]) == 0) return (int)i;
  return -1;
}

int research_filter_new(Store *s, const ResearchFilterArgs *args, ResearchFilter **out,
                        char **err_out) {
  int rc = JFTS_OK;
  FilterValues v;
  memset(&v, 0, sizeof v);
  ResearchFilter *f = jfts_calloc(1, sizeof *f);
  *out = NULL;
  if (f == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < args->n_wards; i++) {
    const char *w = report_canonical_ward(args->wards[i]);
    if (w == NULL) {
      jfts_set_error(err_out, "unknown ward '%s' (valid: %s)", args->wards[i], k_wards);
      rc = JFTS_ERR_USAGE;
      break;
    }
    size_t k = 0;
    while (k < f->filter.n_wards && strcmp(f->wards[k], w) != 0) k++;
    if (k == f->filter.n_wards && k < RESEARCH_MAX_WARDS) f->wards[f->filter.n_wards++] = w;
  }
  f->filter.wards = f->wards;
  if (rc == JFTS_OK && args->year) rc = research_parse_year(args->year, &f->filter.year, err_out);
  int need_scan = args->meeting || (args->section && section_index(args->section) < 0);
  if (rc == JFTS_OK && need_scan)
    rc = store_scan_substring(s, "", NULL, 0, collect_values, &v, NULL, err_out);
  if (rc == JFTS_OK && args->section) {
    int i = section_index(args->section);
    if (i >= 0) {
      f->sections[0] = k_sections[i];
      f->filter.n_sections = 1;
    } else {
      rc = check_section_title(&v, args->section, err_out);
      if (rc == JFTS_OK && (f->section_title = jfts_strdup(args->section)) == NULL)
        rc = JFTS_ERR_NOMEM;
    }
  }
  if (rc == JFTS_OK && args->meeting) {
    rc = check_meeting(&v, args->meeting, err_out);
    if (rc == JFTS_OK && (f->meeting = jfts_strdup(args->meeting)) == NULL) rc = JFTS_ERR_NOMEM;
  }
  f->filter.sections = f->sections;
  f->filter.section_title = f->section_title;
  f->filter.meeting = f->meeting;
  if (rc == JFTS_OK) {
    *out = f;
    f = NULL;
  }
  filter_values_free(&v);
  research_filter_free(f);
  return rc;
}

const StoreFilter *research_filter_get(const ResearchFilter *f) {
  if (f == NULL) return NULL;
  const StoreFilter *sf = &f->filter;
  if (sf->n_wards == 0 && sf->n_sections == 0 && sf->section_title == NULL && sf->meeting == NULL &&
      sf->year == 0)
    return NULL;
  return sf;
}

void research_filter_free(ResearchFilter *f) {
  if (f == NULL) return;
  jfts_free(f->section_title);
  jfts_free(f->meeting);
  jfts_free(f);
}

/* ---- queries ----------------------------------------------------------------------------- */

int research_query_new(const char *text, size_t n_bytes, const Thesaurus *ths, Query **out,
                       char ***notes_out, size_t *n_notes_out, char **err_out) {
  Query *q = NULL;
  char **warn = NULL, **notes = NULL;
  size_t n_warn = 0, n_notes = 0;
  *out = NULL;
  if (notes_out) *notes_out = NULL;
  if (n_notes_out) *n_notes_out = 0;
  int rc = qry_parse(text, n_bytes, &q, err_out);
  if (rc == JFTS_OK) rc = ths_expand(ths, q, &warn, &n_warn, err_out);
  if (rc == JFTS_OK && (qry_note_count(q) + n_warn) > 0 && notes_out) {
    size_t total = qry_note_count(q) + n_warn;
    notes = jfts_calloc(total, sizeof *notes);
    if (notes == NULL) rc = JFTS_ERR_NOMEM;
    for (size_t i = 0; rc == JFTS_OK && i < qry_note_count(q); i++) {
      notes[n_notes] = jfts_strdup(qry_note(q, i));
      if (notes[n_notes++] == NULL) rc = JFTS_ERR_NOMEM;
    }
    for (size_t i = 0; rc == JFTS_OK && i < n_warn; i++) {
      notes[n_notes] = warn[i];
      warn[i] = NULL;
      n_notes++;
    }
  }
  if (rc == JFTS_OK) {
    *out = q;
    q = NULL;
    if (notes_out) {
      *notes_out = notes;
      *n_notes_out = n_notes;
      notes = NULL;
      n_notes = 0;
    }
  }
  ths_warnings_free(notes, n_notes);
  ths_warnings_free(warn, n_warn);
  qry_free(q);
  return rc;
}

const char *research_surface(const Query *q, const MatchSpan *span) {
  if (span->clause < 0 || (size_t)span->clause >= q->n_clauses) return "";
  const QryClause *c = &q->clauses[span->clause];
  if (span->term < 0 || (size_t)span->term >= c->n_terms) return "";
  const QryTerm *t = &c->terms[span->term];
  return qry_term_alt(t, span->variant);
}

/* Finishes a string written to a memstream as a jfts_malloc'ed copy (the stream's buffer is
** libc's and is freed here with free()). */
static int memstream_take(FILE *mem, char **buf, size_t *n, char **out) {
  int ok = fclose(mem) == 0 && *buf != NULL;
  *out = ok ? jfts_strndup(*buf, *n) : NULL;
  free(*buf);
  *buf = NULL;
  return *out ? JFTS_OK : JFTS_ERR_NOMEM;
}

char *research_matched_json(const Query *q, const MatchSpan *spans, size_t n_spans) {
  char *buf = NULL, *out = NULL;
  size_t n = 0;
  FILE *mem = open_memstream(&buf, &n);
  if (mem == NULL) return NULL;
  fputc('[', mem);
  size_t n_seen = 0;
  for (size_t i = 0; i < n_spans; i++) {
    const char *form = research_surface(q, &spans[i]);
    int dup = 0;
    for (size_t k = 0; k < i && !dup; k++) dup = strcmp(research_surface(q, &spans[k]), form) == 0;
    if (dup) continue;
    if (n_seen++) fputc(',', mem);
    out_json_string(mem, form, strlen(form));
  }
  fputc(']', mem);
  (void)memstream_take(mem, &buf, &n, &out);
  return out;
}

/* ---- shared output pieces ---------------------------------------------------------------- */

static void hl_marks(const ResearchOptions *opt, const char **on, const char **off) {
  *on = opt->hl_on ? opt->hl_on : opt->color ? COLOR_ON : MARK_ON;
  *off = opt->hl_off ? opt->hl_off : opt->color ? COLOR_OFF : MARK_OFF;
}

/* Copies spans and keeps the disjoint ones (kwic_disjoint_spans): what is counted and shown. */
static int disjoint_copy(const MatchSpan *spans, size_t n, MatchSpan **out, size_t *n_out) {
  *out = NULL;
  *n_out = 0;
  if (n == 0) return JFTS_OK;
  MatchSpan *d = jfts_malloc(n * sizeof *d);
  if (d == NULL) return JFTS_ERR_NOMEM;
  memcpy(d, spans, n * sizeof *d);
  *n_out = kwic_disjoint_spans(d, n);
  *out = d;
  return JFTS_OK;
}

/* Writes text[from, to) on one line (newlines and tabs as spaces), spans highlighted; a span
** reaching outside the window is cut to it, one starting before it is not highlighted. */
static void put_oneline(FILE *fp, const char *text, size_t from, size_t to) {
  for (size_t k = from; k < to; k++) fputc(text[k] == '\n' || text[k] == '\t' ? ' ' : text[k], fp);
}

static void write_oneline(FILE *fp, const char *text, size_t from, size_t to,
                          const MatchSpan *spans, size_t n_spans, const char *on,
                          const char *off) {
  size_t at = from;
  for (size_t i = 0; i < n_spans; i++) {
    size_t s = spans[i].start_byte, e = spans[i].end_byte;
    if (s < at || s >= to) continue;
    if (e > to) e = to;
    put_oneline(fp, text, at, s);
    fputs(on, fp);
    put_oneline(fp, text, s, e);
    fputs(off, fp);
    at = e;
  }
  put_oneline(fp, text, at, to);
}

static void pad(FILE *fp, int n) {
  for (; n > 0; n--) fputc(' ', fp);
}

static int width_of(const char *s) { return s ? seg_display_width(s, strlen(s)) : 1; }

/* ---- --wards ----------------------------------------------------------------------------- */

typedef struct WardRow {
  const char *ward;      /* borrowed from `names` of the WardsCtx, NULL: untagged */
  int year;
  char *year_label;      /* owned */
  size_t order;          /* first listing position */
  long n_passages;
  long n_occurrences;
  int has_best;          /* a passage matched */
  int best_exact;        /* the best passage matched a term's own text */
  char *best_json;       /* owned; NULL: no hit */
  char *best_text;       /* owned: "file:line  snippet" for text output */
  char *best_cite;       /* owned: "file:line" */
} WardRow;

typedef struct WardsCtx {
  WardRow *rows;
  size_t n, cap;
  StrSet names;          /* ward names seen */
  const Query *query;
  const ResearchOptions *opt;
  const StoreFilter *filter;
  int has_untagged;
  char **err_out;
} WardsCtx;

static int ward_allowed(const StoreFilter *f, const char *ward, int year) {
  if (f == NULL) return 1;
  if (f->year && year != f->year) return 0;
  if (f->n_wards == 0) return 1;
  if (ward == NULL) return 0;
  for (size_t i = 0; i < f->n_wards; i++)
    if (strcmp(f->wards[i], ward) == 0) return 1;
  return 0;
}

/* The row of (ward, year); untagged text has one row whatever its year. Adds it when new. */
static WardRow *ward_row(WardsCtx *c, const char *ward, int year, const char *year_label,
                         int *rc) {
  for (size_t i = 0; i < c->n; i++) {
    WardRow *r = &c->rows[i];
    if (ward == NULL ? r->ward == NULL : (r->ward && strcmp(r->ward, ward) == 0 && r->year == year))
      return r;
  }
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 8;
    WardRow *g = jfts_realloc(c->rows, cap * sizeof *g);
    if (g == NULL) {
      *rc = JFTS_ERR_NOMEM;
      return NULL;
    }
    c->rows = g;
    c->cap = cap;
  }
  WardRow *r = &c->rows[c->n];
  memset(r, 0, sizeof *r);
  if (ward) {
    *rc = strset_add(&c->names, ward);
    if (*rc != JFTS_OK) return NULL;
    for (size_t i = 0; i < c->names.n; i++)
      if (strcmp(c->names.v[i], ward) == 0) r->ward = c->names.v[i];
  }
  r->year = year;
  if (year_label) {
    r->year_label = jfts_strdup(year_label);
    if (r->year_label == NULL) {
      *rc = JFTS_ERR_NOMEM;
      return NULL;
    }
  }
  r->order = c->n++;
  return r;
}

static int doc_cb(void *ctx, const StoreDocRow *d) {
  WardsCtx *c = ctx;
  int rc = JFTS_OK;
  if (d->ward == NULL && d->n_passages == 0) return JFTS_OK;
  if (!ward_allowed(c->filter, d->ward, d->year)) return JFTS_OK;
  WardRow *r = ward_row(c, d->ward, d->year, d->year_label, &rc);
  /* Untagged documents of different years share the row: it then has no year. */
  if (r && d->ward == NULL && r->year != d->year && c->has_untagged) {
    r->year = 0;
    jfts_free(r->year_label);
    r->year_label = NULL;
  }
  if (d->ward == NULL) c->has_untagged = 1;
  return rc;
}

static const char *const k_best_fields[] = {
    "rank",    "score",   "ward",    "year",  "year_label", "section",  "section_title",
    "heading", "meeting", "text",    "snippet", "matches", "file",    "line_start",
    "line_end", "matched"};

static int render_best_json(const WardsCtx *c, const SearchResult *res, const MatchSpan *sp,
                            size_t n_sp, const SearchSnippet *snip, char **out) {
  const StorePassageRow *p = res->passage;
  char *buf = NULL, *row = NULL;
  size_t n = 0;
  OutWriter *w = NULL;
  *out = NULL;
  FILE *mem = open_memstream(&buf, &n);
  if (mem == NULL) return JFTS_ERR_NOMEM;
  int rc = out_open(mem, OUT_JSON, k_best_fields, sizeof k_best_fields / sizeof *k_best_fields,
                    &w, NULL);
  if (rc == JFTS_OK) {
    char num[64];
    out_int(w, res->rank);
    snprintf(num, sizeof num, "%.6g", res->score);
    out_json(w, num);
    out_str(w, p->ward);
    if (p->year) out_int(w, p->year);
    else out_null(w);
    out_str(w, p->year_label);
    out_str(w, p->section);
    out_str(w, p->section_title);
    out_str(w, p->heading);
    out_str(w, p->meeting);
    out_strn(w, p->text, p->n_text);
    out_strn(w, p->text + snip->start_byte, snip->end_byte - snip->start_byte);
    /* matches is a JSON array built here: a small memstream of its own. */
    char *arr = NULL, *matched = NULL;
    size_t n_arr = 0;
    FILE *am = open_memstream(&arr, &n_arr);
    if (am == NULL) {
      rc = JFTS_ERR_NOMEM;
    } else {
      fputc('[', am);
      for (size_t i = 0; i < n_sp; i++)
        fprintf(am, "%s[%zu,%zu]", i ? "," : "", sp[i].start_cp, sp[i].end_cp);
      fputc(']', am);
      if (fclose(am) != 0 || arr == NULL) rc = JFTS_ERR_NOMEM;
      else out_json(w, arr);
      free(arr); /* open_memstream's buffer comes from libc */
    }
    out_str(w, p->file);
    out_int(w, p->line_start);
    out_int(w, p->line_end);
    /* Last, as in a search row: the best object has the same fields in the same order. */
    if (rc == JFTS_OK && (matched = research_matched_json(c->query, sp, n_sp)) == NULL)
      rc = JFTS_ERR_NOMEM;
    if (matched) out_json(w, matched);
    jfts_free(matched);
    if (rc == JFTS_OK) rc = out_row_end(w);
    else (void)out_row_end(w);
  }
  out_close(w);
  int mrc = memstream_take(mem, &buf, &n, &row);
  if (rc == JFTS_OK) rc = mrc;
  if (rc == JFTS_OK) {
    size_t len = strlen(row);
    while (len > 0 && (row[len - 1] == '\n' || row[len - 1] == '\r')) row[--len] = '\0';
    *out = row;
    row = NULL;
  }
  jfts_free(row);
  return rc == JFTS_ERR_USAGE ? JFTS_ERR_NOMEM : rc;
}

static int render_best_text(const WardsCtx *c, const SearchResult *res, const MatchSpan *sp,
                            size_t n_sp, size_t focus, const SearchSnippet *snip, char **text_out,
                            char **cite_out) {
  const StorePassageRow *p = res->passage;
  const char *on, *off;
  char *buf = NULL;
  size_t n = 0;
  hl_marks(c->opt, &on, &off);
  *text_out = NULL;
  *cite_out = jfts_mprintf("%s:%d", p->file,
                           n_sp ? store_seg_lineno(p, sp[focus].start_byte) : p->line_start);
  if (*cite_out == NULL) return JFTS_ERR_NOMEM;
  FILE *mem = open_memstream(&buf, &n);
  if (mem == NULL) return JFTS_ERR_NOMEM;
  if (snip->cut_start) fputs(ELLIPSIS, mem);
  write_oneline(mem, p->text, snip->start_byte, snip->end_byte, sp, n_sp, on, off);
  if (snip->cut_end) fputs(ELLIPSIS, mem);
  if (n_sp && sp[focus].variant >= 0) fprintf(mem, "  [via %s]", research_surface(c->query, &sp[focus]));
  return memstream_take(mem, &buf, &n, text_out);
}

static int wards_result(void *ctx, const SearchResult *res) {
  WardsCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  int rc = JFTS_OK;
  MatchSpan *sp = NULL;
  size_t n_sp = 0;
  WardRow *r = NULL;
  for (size_t i = 0; i < c->n && r == NULL; i++) {
    WardRow *x = &c->rows[i];
    if (p->ward == NULL ? x->ward == NULL : (x->ward && strcmp(x->ward, p->ward) == 0 && x->year == p->year))
      r = x;
  }
  /* A passage whose (ward, year) no document lists (it should not happen): a row of its own. */
  if (r == NULL) r = ward_row(c, p->ward, p->year, p->year_label, &rc);
  if (r == NULL) return rc;
  rc = disjoint_copy(res->spans, res->n_spans, &sp, &n_sp);
  if (rc != JFTS_OK) return rc;
  r->n_passages++;
  r->n_occurrences += (long)n_sp;
  size_t focus = 0, exact = n_sp;
  for (size_t i = 0; i < n_sp; i++) {
    if (res->n_spans && sp[i].start_byte == res->spans[res->focus].start_byte) focus = i;
    if (exact == n_sp && sp[i].variant < 0) exact = i;
  }
  /* A variant's occurrence is shown only when the passage has none of the term itself. */
  if (exact < n_sp && sp[focus].variant >= 0) focus = exact;
  int is_exact = exact < n_sp;
  if (!r->has_best || (!r->best_exact && is_exact)) {
    SearchSnippet snip;
    char *json = NULL, *text = NULL, *cite = NULL;
    int text_mode = c->opt->format == OUT_TEXT;
    rc = search_snippet(p->text, p->n_text, sp, n_sp, focus,
                        text_mode ? RESEARCH_SNIPPET_CHARS : RESEARCH_JSON_SNIPPET_CHARS, &snip,
                        c->err_out);
    if (rc == JFTS_OK && !text_mode) rc = render_best_json(c, res, sp, n_sp, &snip, &json);
    if (rc == JFTS_OK && text_mode)
      rc = render_best_text(c, res, sp, n_sp, focus, &snip, &text, &cite);
    if (rc == JFTS_OK) {
      jfts_free(r->best_json);
      jfts_free(r->best_text);
      jfts_free(r->best_cite);
      r->best_json = json;
      r->best_text = text;
      r->best_cite = cite;
      r->best_exact = is_exact;
      r->has_best = 1;
    } else {
      jfts_free(json);
      jfts_free(text);
      jfts_free(cite);
    }
  }
  jfts_free(sp);
  return rc;
}

static int cmp_rows(const void *a, const void *b) {
  const WardRow *x = a, *y = b;
  if (x->n_occurrences != y->n_occurrences) return x->n_occurrences > y->n_occurrences ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static const char *const k_ward_fields[] = {"ward",     "year",        "year_label",
                                            "passages", "occurrences", "best"};

static int write_wards(const WardsCtx *c, FILE *fp) {
  const ResearchOptions *opt = c->opt;
  int rc = JFTS_OK;
  if (opt->format != OUT_TEXT) {
    OutWriter *w = NULL;
    rc = out_open(fp, opt->format, k_ward_fields, sizeof k_ward_fields / sizeof *k_ward_fields,
                  &w, NULL);
    for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
      const WardRow *r = &c->rows[i];
      out_str(w, r->ward);
      if (r->year) out_int(w, r->year);
      else out_null(w);
      out_str(w, r->year_label);
      out_int(w, r->n_passages);
      out_int(w, r->n_occurrences);
      if (r->best_json) out_json(w, r->best_json);
      else out_null(w);
      rc = out_row_end(w);
    }
    out_close(w);
    return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
  }
  int w_ward = 0, w_year = 0, w_pass = 0, w_occ = 0, w_cite = 0;
  char num[32];
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    int w;
    if ((w = width_of(r->ward ? r->ward : "-")) > w_ward) w_ward = w;
    if ((w = width_of(r->year_label ? r->year_label : "-")) > w_year) w_year = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_passages)) > w_pass) w_pass = w;
    if ((w = snprintf(num, sizeof num, "%ld", r->n_occurrences)) > w_occ) w_occ = w;
    if ((w = width_of(r->best_cite ? r->best_cite : "-")) > w_cite) w_cite = w;
  }
  for (size_t i = 0; i < c->n; i++) {
    const WardRow *r = &c->rows[i];
    const char *ward = r->ward ? r->ward : "-", *year = r->year_label ? r->year_label : "-";
    const char *cite = r->best_cite ? r->best_cite : "-";
    fputs(ward, fp);
    pad(fp, w_ward - width_of(ward) + 1);
    fputs(year, fp);
    pad(fp, w_year - width_of(year) + 2);
    fprintf(fp, "%*ld passage%s  %*ld occurrence%s  ", w_pass, r->n_passages,
            r->n_passages == 1 ? " " : "s", w_occ, r->n_occurrences,
            r->n_occurrences == 1 ? " " : "s");
    fputs(cite, fp);
    if (r->best_text) {
      pad(fp, w_cite - width_of(cite) + 2);
      fputs(r->best_text, fp);
    }
    fputc('\n', fp);
  }
  return ferror(fp) ? JFTS_ERR_IO : JFTS_OK;
}

int research_wards(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                   ResearchTotals *totals_out, char **err_out) {
  WardsCtx c;
  memset(&c, 0, sizeof c);
  c.query = query;
  c.opt = opt;
  c.filter = opt->filter;
  c.err_out = err_out;
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  int rc = store_list_documents(s, NULL, doc_cb, &c, err_out);
  if (rc == JFTS_OK) {
    SearchOptions so = {.sort = SEARCH_SORT_RANK, .limit = 0, .offset = 0, .filter = opt->filter};
    rc = search_run(s, query, &so, wards_result, &c, NULL, err_out);
  }
  if (rc == JFTS_OK) {
    if (c.n > 1) qsort(c.rows, c.n, sizeof *c.rows, cmp_rows);
    rc = write_wards(&c, fp);
  }
  if (rc == JFTS_OK && totals_out) {
    totals_out->n_rows = (long)c.n;
    for (size_t i = 0; i < c.n; i++) {
      totals_out->n_passages += c.rows[i].n_passages;
      totals_out->n_occurrences += c.rows[i].n_occurrences;
    }
  }
  for (size_t i = 0; i < c.n; i++) {
    jfts_free(c.rows[i].year_label);
    jfts_free(c.rows[i].best_json);
    jfts_free(c.rows[i].best_text);
    jfts_free(c.rows[i].best_cite);
  }
  jfts_free(c.rows);
  strset_free(&c.names);
  return rc;
}

/* ---- --quotes ---------------------------------------------------------------------------- */

/* What a quote cites of its passage; strings owned. */
typedef struct QuotePassage {
  char *ward, *year_label, *section, *section_title, *heading, *meeting, *file;
  int year;
  size_t file_meta; /* index into QuotesCtx.files */
} QuotePassage;

typedef struct QuoteInfo {
  size_t passage;      /* index into QuotesCtx.passages */
  int line;            /* raw line where the match starts */
  const char *matched; /* borrowed from the query */
  int via_variant;
} QuoteInfo;

typedef struct FileMeta {
  char *file, *title, *source;
} FileMeta;

typedef struct QuotesCtx {
  const Query *query;
  size_t n_context;
  KwicLine *lines;
  QuoteInfo *info;     /* parallel to lines as made; lines[i].tag indexes it after sorting */
  size_t n, cap;
  QuotePassage *passages;
  size_t n_passages, cap_passages;
  FileMeta *files;
  size_t n_files;
  char **err_out;
} QuotesCtx;

static char *dup_or_null(const char *s, int *rc) {
  if (s == NULL) return NULL;
  char *d = jfts_strdup(s);
  if (d == NULL) *rc = JFTS_ERR_NOMEM;
  return d;
}

static void quote_passage_clear(QuotePassage *p) {
  jfts_free(p->ward);
  jfts_free(p->year_label);
  jfts_free(p->section);
  jfts_free(p->section_title);
  jfts_free(p->heading);
  jfts_free(p->meeting);
  jfts_free(p->file);
}

static int quotes_result(void *ctx, const SearchResult *res) {
  QuotesCtx *c = ctx;
  const StorePassageRow *p = res->passage;
  MatchSpan *sp = NULL;
  size_t n_sp = 0;
  int rc = disjoint_copy(res->spans, res->n_spans, &sp, &n_sp);
  if (rc != JFTS_OK || n_sp == 0) goto cleanup;
  if (c->n + n_sp > c->cap) {
    size_t cap = c->cap ? c->cap : 64;
    while (cap < c->n + n_sp) cap *= 2;
    KwicLine *gl = jfts_realloc(c->lines, cap * sizeof *gl);
    if (gl) c->lines = gl;
    QuoteInfo *gi = gl ? jfts_realloc(c->info, cap * sizeof *gi) : NULL;
    if (gi) c->info = gi;
    if (gl == NULL || gi == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
    c->cap = cap;
  }
  if (c->n_passages == c->cap_passages) {
    size_t cap = c->cap_passages ? 2 * c->cap_passages : 32;
    QuotePassage *g = jfts_realloc(c->passages, cap * sizeof *g);
    if (g == NULL) {
      rc = JFTS_ERR_NOMEM;
      goto cleanup;
    }
    c->passages = g;
    c->cap_passages = cap;
  }
  QuotePassage *qp = &c->passages[c->n_passages];
  memset(qp, 0, sizeof *qp);
  qp->ward = dup_or_null(p->ward, &rc);
  qp->year_label = dup_or_null(p->year_label, &rc);
  qp->section = dup_or_null(p->section, &rc);
  qp->section_title = dup_or_null(p->section_title, &rc);
  qp->heading = dup_or_null(p->heading, &rc);
  qp->meeting = dup_or_null(p->meeting, &rc);
  qp->file = dup_or_null(p->file, &rc);
  qp->year = p->year;
  c->n_passages++;
  if (rc != JFTS_OK) goto cleanup;
  rc = kwic_make(p->text, p->n_text, sp, n_sp, c->n_context, c->lines + c->n, c->err_out);
  if (rc != JFTS_OK) goto cleanup;
  for (size_t i = 0; i < n_sp; i++) {
    c->lines[c->n + i].tag = c->n + i;
    QuoteInfo *qi = &c->info[c->n + i];
    qi->passage = c->n_passages - 1;
    qi->line = store_seg_lineno(p, sp[i].start_byte);
    qi->matched = research_surface(c->query, &sp[i]);
    qi->via_variant = sp[i].variant >= 0;
  }
  c->n += n_sp;

cleanup:
  jfts_free(sp);
  return rc;
}

/* The title and source of each quoted file, looked up once per file after the search (the
** store is not re-entered from inside search_run's callback). A file that is no longer at
** its indexed path keeps null metadata. */
static int quotes_file_meta(Store *s, QuotesCtx *c, char **err_out) {
  int rc = JFTS_OK;
  if (c->n_passages == 0) return JFTS_OK;
  c->files = jfts_calloc(c->n_passages, sizeof *c->files);
  if (c->files == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < c->n_passages; i++) {
    QuotePassage *qp = &c->passages[i];
    size_t k = 0;
    while (k < c->n_files && strcmp(c->files[k].file, qp->file) != 0) k++;
    qp->file_meta = k;
    if (k < c->n_files) continue;
    FileMeta *fm = &c->files[c->n_files++];
    fm->file = jfts_strdup(qp->file);
    if (fm->file == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    char *real = realpath(qp->file, NULL);
    if (real == NULL) continue;
    StoreFileRow row;
    int found = 0;
    rc = store_lookup_file(s, real, &found, &row, err_out);
    free(real); /* realpath's buffer comes from libc */
    if (rc == JFTS_OK && found) {
      fm->title = dup_or_null(row.title, &rc);
      fm->source = dup_or_null(row.source, &rc);
      store_file_row_clear(&row);
    }
  }
  return rc;
}

static const char *const k_quote_fields[] = {
    "ward", "year",  "year_label", "section", "section_title", "heading", "meeting", "left",
    "match", "right", "matched",   "file",    "line",          "title",   "source"};

static int write_quotes(const QuotesCtx *c, const ResearchOptions *opt, FILE *fp) {
  int rc = JFTS_OK;
  if (opt->format != OUT_TEXT) {
    OutWriter *w = NULL;
    rc = out_open(fp, opt->format, k_quote_fields, sizeof k_quote_fields / sizeof *k_quote_fields,
                  &w, NULL);
    for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
      const KwicLine *l = &c->lines[i];
      const QuoteInfo *qi = &c->info[l->tag];
      const QuotePassage *qp = &c->passages[qi->passage];
      const FileMeta *fm = &c->files[qp->file_meta];
      out_str(w, qp->ward);
      if (qp->year) out_int(w, qp->year);
      else out_null(w);
      out_str(w, qp->year_label);
      out_str(w, qp->section);
      out_str(w, qp->section_title);
      out_str(w, qp->heading);
      out_str(w, qp->meeting);
      out_strn(w, l->left, l->n_left);
      out_strn(w, l->match, l->n_match);
      out_strn(w, l->right, l->n_right);
      out_str(w, qi->matched);
      out_str(w, qp->file);
      out_int(w, qi->line);
      out_str(w, fm->title);
      out_str(w, fm->source);
      rc = out_row_end(w);
    }
    out_close(w);
    return rc == JFTS_ERR_USAGE ? JFTS_ERR_IO : rc;
  }
  const char *on, *off;
  hl_marks(opt, &on, &off);
  KwicStyle style = {.left_cols = 0, .hl_on = on, .hl_off = off};
  int w_tail = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (c->lines[i].left_width > style.left_cols) style.left_cols = c->lines[i].left_width;
    int w = c->lines[i].match_width + c->lines[i].right_width;
    if (w > w_tail) w_tail = w;
  }
  for (size_t i = 0; rc == JFTS_OK && i < c->n; i++) {
    const KwicLine *l = &c->lines[i];
    const QuoteInfo *qi = &c->info[l->tag];
    const QuotePassage *qp = &c->passages[qi->passage];
    char *s = NULL;
    rc = kwic_format_text(l, &style, &s, NULL);
    if (rc != JFTS_OK) break;
    fputs(s, fp);
    jfts_free(s);
    pad(fp, w_tail - l->match_width - l->right_width + 2);
    fprintf(fp, "%s %s:%d", qp->ward ? qp->ward : "-", qp->file, qi->line);
    if (qi->via_variant) fprintf(fp, "  [via %s]", qi->matched);
    fputc('\n', fp);
  }
  if (rc == JFTS_OK && ferror(fp)) rc = JFTS_ERR_IO;
  return rc;
}

int research_quotes(Store *s, const Query *query, const ResearchOptions *opt, FILE *fp,
                    ResearchTotals *totals_out, char **err_out) {
  QuotesCtx c;
  memset(&c, 0, sizeof c);
  c.query = query;
  c.n_context = opt->n_context ? opt->n_context : KWIC_DEFAULT_CONTEXT;
  c.err_out = err_out;
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  SearchOptions so = {.sort = SEARCH_SORT_DOC, .limit = 0, .offset = 0, .filter = opt->filter};
  int rc = search_run(s, query, &so, quotes_result, &c, NULL, err_out);
  if (rc == JFTS_OK) rc = quotes_file_meta(s, &c, err_out);
  if (rc == JFTS_OK) rc = kwic_sort(c.lines, c.n, opt->sort, err_out);
  if (rc == JFTS_OK) rc = write_quotes(&c, opt, fp);
  if (rc == JFTS_OK && totals_out) {
    totals_out->n_rows = (long)c.n;
    totals_out->n_occurrences = (long)c.n;
    totals_out->n_passages = (long)c.n_passages;
  }
  kwic_lines_clear(c.lines, c.n);
  jfts_free(c.lines);
  jfts_free(c.info);
  for (size_t i = 0; i < c.n_passages; i++) quote_passage_clear(&c.passages[i]);
  jfts_free(c.passages);
  for (size_t i = 0; i < c.n_files; i++) {
    jfts_free(c.files[i].file);
    jfts_free(c.files[i].title);
    jfts_free(c.files[i].source);
  }
  jfts_free(c.files);
  return rc;
}
