/* Filters of the research modes and of the plain search (research.h): the ward, organisation,
** kind, section, meeting and year options as users type them, resolved against what the
** index holds into a StoreFilter, with a message listing the valid values for a typo. */
#include "research_internal.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "report.h"

static const char *const k_sections[] = {"table", "1", "2", "3"};
#define N_SECTIONS (sizeof k_sections / sizeof k_sections[0])

/* ---- small helpers ----------------------------------------------------------------------- */

int research_strset_add(StrSet *s, const char *str) {
  if (str == NULL) return JFTS_OK;
  for (size_t i = 0; i < s->n; i++)
    if (strcmp(s->v[i], str) == 0) return JFTS_OK;
  char **g = jfts_grow(s->v, &s->cap, s->n + 1, sizeof *g);
  if (g == NULL) return JFTS_ERR_NOMEM;
  s->v = g;
  char *d = jfts_strdup(str);
  if (d == NULL) return JFTS_ERR_NOMEM;
  s->v[s->n++] = d;
  return JFTS_OK;
}

void research_strset_free(StrSet *s) {
  for (size_t i = 0; i < s->n; i++) jfts_free(s->v[i]);
  jfts_free(s->v);
  memset(s, 0, sizeof *s);
}

char *research_strset_join(const StrSet *s) {
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
  StrSet wards;           /* ward names as the index holds them */
  StrSet orgs;            /* organisations as the index holds them */
  const char *sections[1]; /* an entry of k_sections, or section_owned */
  char *section_owned;    /* a section marker of another document (第2章), as the index has it */
  char *section_title;    /* substring, as typed */
  char *meeting;          /* substring, as typed */
  char *kind;             /* a kind the index holds */
};

/* What a filter can name, from the distinct values of the passages. */
typedef struct FilterValues {
  StrSet section_titles[N_SECTIONS]; /* per k_sections entry */
  /* Sections of documents outside the ward template (structure.c: 第2章, 2, 【お知らせ】):
  ** their markers, and "marker title" for the list of valid values. */
  StrSet other_markers, other_items;
  StrSet meetings;          /* meeting types and local names */
  int rc;
} FilterValues;

static int collect_values(void *ctx, const StoreFilterValueRow *p) {
  FilterValues *v = ctx;
  int rc = JFTS_OK;
  int known = 0;
  for (size_t i = 0; rc == JFTS_OK && p->section && i < N_SECTIONS; i++)
    if (strcmp(p->section, k_sections[i]) == 0) {
      rc = research_strset_add(&v->section_titles[i], p->section_title);
      known = 1;
    }
  if (rc == JFTS_OK && p->section && !known) {
    char *item = jfts_mprintf("%s%s%s", p->section, p->section_title ? " " : "",
                              p->section_title ? p->section_title : "");
    rc = item ? research_strset_add(&v->other_items, item) : JFTS_ERR_NOMEM;
    if (rc == JFTS_OK) rc = research_strset_add(&v->other_markers, p->section);
    jfts_free(item);
  }
  if (rc == JFTS_OK) rc = research_strset_add(&v->meetings, p->meeting);
  if (rc == JFTS_OK) rc = research_strset_add(&v->meetings, p->local_name);
  return rc;
}

static void filter_values_free(FilterValues *v) {
  for (size_t i = 0; i < N_SECTIONS; i++) research_strset_free(&v->section_titles[i]);
  research_strset_free(&v->other_markers);
  research_strset_free(&v->other_items);
  research_strset_free(&v->meetings);
}

/* "table 実施状況, 1 今年度の主な取組み, ..." */
static char *section_list(const FilterValues *v) {
  StrSet all = {0};
  char *out = NULL;
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < N_SECTIONS; i++) {
    char *titles = research_strset_join(&v->section_titles[i]);
    char *item = titles ? jfts_mprintf("%s%s%s", k_sections[i], titles[0] ? " " : "", titles)
                        : NULL;
    rc = item ? research_strset_add(&all, item) : JFTS_ERR_NOMEM;
    jfts_free(titles);
    jfts_free(item);
  }
  for (size_t i = 0; rc == JFTS_OK && i < v->other_items.n; i++)
    rc = research_strset_add(&all, v->other_items.v[i]);
  if (rc == JFTS_OK) out = research_strset_join(&all);
  research_strset_free(&all);
  return out;
}

/* The title part is searched as a substring (store.h), so that one word may name several
** sections (取組: 1 and 3); here it must only name at least one, else it is a typo. */
static int check_section_title(const FilterValues *v, const char *arg, char **err_out) {
  for (size_t i = 0; i < N_SECTIONS; i++)
    for (size_t k = 0; k < v->section_titles[i].n; k++)
      if (contains_ci(v->section_titles[i].v[k], arg)) return JFTS_OK;
  for (size_t k = 0; k < v->other_items.n; k++)
    if (contains_ci(v->other_items.v[k], arg)) return JFTS_OK;
  char *list = section_list(v);
  if (list == NULL) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "unknown section '%s' (valid: %s)", arg, list);
  jfts_free(list);
  return JFTS_ERR_USAGE;
}

static int check_meeting(const FilterValues *v, const char *arg, char **err_out) {
  for (size_t i = 0; i < v->meetings.n; i++)
    if (contains_ci(v->meetings.v[i], arg)) return JFTS_OK;
  char *list = research_strset_join(&v->meetings);
  if (list == NULL) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "unknown meeting '%s' (valid: %s)", arg, list);
  jfts_free(list);
  return JFTS_ERR_USAGE;
}

static int section_index(const char *arg) {
  for (size_t i = 0; i < N_SECTIONS; i++)
    if (strcmp(arg, k_sections[i]) == 0) return (int)i;
  return -1;
}

/* The values a document field takes in the index (store_list_doc_values), as a set. */
static int add_value(void *ctx, const char *value) { return research_strset_add(ctx, value); }

/* 1 when value is arg, or arg with one of the suffixes added (青葉 for 青葉区, 仙台 for 仙台市). */
static int names_value(const char *value, const char *arg, const char *const *suffixes) {
  size_t n = strlen(arg);
  if (strcmp(value, arg) == 0) return 1;
  if (n == 0 || strncmp(value, arg, n) != 0) return 0;
  for (size_t i = 0; suffixes[i]; i++)
    if (strcmp(value + n, suffixes[i]) == 0) return 1;
  return 0;
}

int research_filter_field_values(Store *s, StoreDocField field, char **out, char **err_out) {
  StrSet set = {0};
  *out = NULL;
  int rc = store_list_doc_values(s, field, add_value, &set, err_out);
  if (rc == JFTS_OK && (*out = research_strset_join(&set)) == NULL) rc = JFTS_ERR_NOMEM;
  research_strset_free(&set);
  return rc;
}

/* Resolves each of args[0..n) against the values field takes in the index into *set (the
** index's spelling, each once): a value matches as names_value says. An argument that names
** none is a usage error "unknown NOUN 'x' (valid: a, b)". */
static int resolve_values(Store *s, StoreDocField field, const char *noun,
                          const char *const *suffixes, const char *const *args, size_t n,
                          StrSet *set, char **err_out) {
  StrSet valid = {0};
  int rc = n ? store_list_doc_values(s, field, add_value, &valid, err_out) : JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < n; i++) {
    int found = 0;
    for (size_t k = 0; rc == JFTS_OK && k < valid.n; k++)
      if (names_value(valid.v[k], args[i], suffixes)) {
        found = 1;
        rc = research_strset_add(set, valid.v[k]);
      }
    if (rc == JFTS_OK && !found) {
      char *list = research_strset_join(&valid);
      if (list == NULL) rc = JFTS_ERR_NOMEM;
      else {
        jfts_set_error(err_out, "unknown %s '%s' (valid: %s)", noun, args[i],
                       list[0] ? list : "none in this index");
        rc = JFTS_ERR_USAGE;
      }
      jfts_free(list);
    }
  }
  research_strset_free(&valid);
  return rc;
}

static const char *const k_ward_suffixes[] = {"区", NULL};
static const char *const k_org_suffixes[] = {"市", "町", "村", "区", "県", "都", "府", NULL};
static const char *const k_no_suffixes[] = {NULL};

static int cmp_year_text(const void *a, const void *b) {
  long x = strtol(*(char *const *)a, NULL, 10), y = strtol(*(char *const *)b, NULL, 10);
  return (x > y) - (x < y);
}

/* A year that parses but that no document of s has would give nothing without a word, as a
** typo does: it is refused like an unknown ward, with the years the index holds (ascending). */
static int check_year(Store *s, const char *arg, int year, char **err_out) {
  StrSet years = {0};
  int rc = store_list_doc_values(s, STORE_FIELD_YEAR, add_value, &years, err_out);
  int found = 0;
  for (size_t k = 0; rc == JFTS_OK && k < years.n; k++)
    found |= strtol(years.v[k], NULL, 10) == year;
  if (rc == JFTS_OK && !found) {
    if (years.n > 1) qsort(years.v, years.n, sizeof *years.v, cmp_year_text);
    char *list = research_strset_join(&years);
    if (list == NULL) {
      rc = JFTS_ERR_NOMEM;
    } else {
      jfts_set_error(err_out, "no document of year %s in the index (years: %s)", arg,
                     list[0] ? list : "none");
      rc = JFTS_ERR_USAGE;
    }
    jfts_free(list);
  }
  research_strset_free(&years);
  return rc;
}

/* The section and meeting conditions of args (checked against the passages' values). */
static int resolve_section_meeting(Store *s, const ResearchFilterArgs *args, ResearchFilter *f,
                                   char **err_out) {
  FilterValues v;
  memset(&v, 0, sizeof v);
  int rc = JFTS_OK;
  int need_scan = args->meeting || (args->section && section_index(args->section) < 0);
  if (need_scan) rc = store_list_filter_values(s, collect_values, &v, err_out);
  if (rc == JFTS_OK && args->section) {
    int i = section_index(args->section);
    int other = 0;
    for (size_t k = 0; i < 0 && k < v.other_markers.n; k++)
      other |= strcmp(v.other_markers.v[k], args->section) == 0;
    if (i >= 0) {
      f->sections[0] = k_sections[i];
      f->filter.n_sections = 1;
    } else if (other) {
      f->section_owned = jfts_strdup(args->section);
      if (f->section_owned == NULL) rc = JFTS_ERR_NOMEM;
      f->sections[0] = f->section_owned;
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
  filter_values_free(&v);
  return rc;
}

int research_filter_new(Store *s, const ResearchFilterArgs *args, ResearchFilter **out,
                        char **err_out) {
  ResearchFilter *f = jfts_calloc(1, sizeof *f);
  *out = NULL;
  if (f == NULL) return JFTS_ERR_NOMEM;
  int rc = resolve_values(s, STORE_FIELD_WARD, "ward", k_ward_suffixes, args->wards,
                          args->n_wards, &f->wards, err_out);
  if (rc == JFTS_OK)
    rc = resolve_values(s, STORE_FIELD_ORG, "organisation", k_org_suffixes, args->orgs,
                        args->n_orgs, &f->orgs, err_out);
  if (rc == JFTS_OK && args->kind) {
    StrSet kinds = {0};
    rc = resolve_values(s, STORE_FIELD_KIND, "kind", k_no_suffixes, &args->kind, 1, &kinds,
                        err_out);
    if (rc == JFTS_OK) {
      f->kind = kinds.v[0];
      kinds.v[0] = NULL;
      kinds.n = 0;
    }
    research_strset_free(&kinds);
  }
  if (rc == JFTS_OK && args->year) rc = research_parse_year(args->year, &f->filter.year, err_out);
  if (rc == JFTS_OK && args->year) rc = check_year(s, args->year, f->filter.year, err_out);
  if (rc == JFTS_OK) rc = resolve_section_meeting(s, args, f, err_out);
  f->filter.wards = (const char *const *)f->wards.v;
  f->filter.n_wards = f->wards.n;
  f->filter.orgs = (const char *const *)f->orgs.v;
  f->filter.n_orgs = f->orgs.n;
  f->filter.kind = f->kind;
  f->filter.sections = f->sections;
  f->filter.section_title = f->section_title;
  f->filter.meeting = f->meeting;
  if (rc == JFTS_OK) {
    *out = f;
    f = NULL;
  }
  research_filter_free(f);
  return rc;
}

static int in_list(const char *const *v, size_t n, const char *s) {
  for (size_t i = 0; s && i < n; i++)
    if (strcmp(v[i], s) == 0) return 1;
  return 0;
}

int research_doc_allowed(const StoreFilter *f, const StoreDocRow *r) {
  if (f == NULL) return 1;
  if (f->year && r->year != f->year) return 0;
  if (f->kind && (r->kind == NULL || strcmp(f->kind, r->kind) != 0)) return 0;
  if (f->n_wards && !in_list(f->wards, f->n_wards, r->ward)) return 0;
  return f->n_orgs == 0 || in_list(f->orgs, f->n_orgs, r->org);
}

const StoreFilter *research_filter_get(const ResearchFilter *f) {
  if (f == NULL) return NULL;
  const StoreFilter *sf = &f->filter;
  if (sf->n_wards == 0 && sf->n_sections == 0 && sf->section_title == NULL && sf->meeting == NULL &&
      sf->year == 0 && sf->n_orgs == 0 && sf->kind == NULL)
    return NULL;
  return sf;
}

void research_filter_free(ResearchFilter *f) {
  if (f == NULL) return;
  research_strset_free(&f->wards);
  research_strset_free(&f->orgs);
  jfts_free(f->section_title);
  jfts_free(f->section_owned);
  jfts_free(f->meeting);
  jfts_free(f->kind);
  jfts_free(f);
}

char *research_ward_names(void) {
  size_t n_wards;
  const char *const *wards = report_ward_list(&n_wards);
  StrSet set = {0};
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < n_wards; i++) rc = research_strset_add(&set, wards[i]);
  char *out = rc == JFTS_OK ? research_strset_join(&set) : NULL;
  research_strset_free(&set);
  return out;
}
