/* Filters of the research modes and of the plain search (research.h): the ward, section,
** meeting and year options as users type them, resolved against what the index holds into
** a StoreFilter, with a message listing the valid values for a typo. */
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
  const char *wards[RESEARCH_MAX_WARDS]; /* canonical names: static strings of report.c */
  const char *sections[1];               /* an entry of k_sections */
  char *section_title;                   /* substring, as typed */
  char *meeting;                         /* substring, as typed */
};

/* What a filter can name, from the distinct values of the passages. */
typedef struct FilterValues {
  StrSet section_titles[N_SECTIONS]; /* per k_sections entry */
  StrSet meetings;          /* meeting types and local names */
  int rc;
} FilterValues;

static int collect_values(void *ctx, const StoreFilterValueRow *p) {
  FilterValues *v = ctx;
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && p->section && i < N_SECTIONS; i++)
    if (strcmp(p->section, k_sections[i]) == 0)
      rc = research_strset_add(&v->section_titles[i], p->section_title);
  if (rc == JFTS_OK) rc = research_strset_add(&v->meetings, p->meeting);
  if (rc == JFTS_OK) rc = research_strset_add(&v->meetings, p->local_name);
  return rc;
}

static void filter_values_free(FilterValues *v) {
  for (size_t i = 0; i < N_SECTIONS; i++) research_strset_free(&v->section_titles[i]);
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
      char *names = research_ward_names();
      if (names == NULL) {
        rc = JFTS_ERR_NOMEM;
        break;
      }
      jfts_set_error(err_out, "unknown ward '%s' (valid: %s)", args->wards[i], names);
      jfts_free(names);
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
    rc = store_list_filter_values(s, collect_values, &v, err_out);
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
