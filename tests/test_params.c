/* Tests of jfts-serve's request parsing (serve/params.c): each request target rendered as one
** string of what was parsed, or the exact error, table-driven. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "jfts_common.h"
#include "params.h"

/* "path|q=…|ward=a,b|year=…|section=…|meeting=…|sort=…|exact|all_words|no_related|
** limit=N(capped)|offset=N|context=N|id=N|format=csv|org=a,b|kind=…|by=…": only the fields
** that differ from the defaults. */
static void render(const ServeParams *p, char *buf, size_t n) {
  static const char *const formats[] = {"text", "json", "csv", "tsv"};
  size_t at = (size_t)snprintf(buf, n, "%s", p->path);
#define ADD(...) at += (size_t)snprintf(buf + at, at < n ? n - at : 0, __VA_ARGS__)
  if (p->q) ADD("|q=%s", p->q);
  for (size_t i = 0; i < p->n_wards; i++) ADD("%s%s", i ? "," : "|ward=", p->wards[i]);
  if (p->year) ADD("|year=%s", p->year);
  if (p->section) ADD("|section=%s", p->section);
  if (p->meeting) ADD("|meeting=%s", p->meeting);
  if (p->sort) ADD("|sort=%s", p->sort);
  if (p->exact) ADD("|exact");
  if (p->all_words) ADD("|all_words");
  if (!p->related) ADD("|no_related");
  if (p->limit >= 0) ADD("|limit=%ld%s", p->limit, p->limit_capped ? "(capped)" : "");
  if (p->offset) ADD("|offset=%ld", p->offset);
  if (p->context) ADD("|context=%ld", p->context);
  if (p->id) ADD("|id=%ld", p->id);
  if (p->format != OUT_JSON) ADD("|format=%s", formats[p->format]);
  for (size_t i = 0; i < p->n_orgs; i++) ADD("%s%s", i ? "," : "|org=", p->orgs[i]);
  if (p->kind) ADD("|kind=%s", p->kind);
  if (p->by) ADD("|by=%s", p->by);
#undef ADD
}

static const struct {
  const char *name, *target, *expect; /* expect: render(), or "error N: message" */
} cases[] = {
    {"path only", "/api/documents", "/api/documents"},
    {"empty query string", "/api/documents?", "/api/documents"},
    {"search", "/api/search?q=8050%E5%95%8F%E9%A1%8C&limit=5&offset=10",
     "/api/search|q=8050問題|limit=5|offset=10"},
    {"raw utf8 and plus", "/api/search?q=地域包括+支援センター&exact=1",
     "/api/search|q=地域包括 支援センター|exact"},
    {"best match toggles", "/api/search?q=x&all_words=1&related=0",
     "/api/search|q=x|all_words|no_related"},
    {"toggles at their defaults", "/api/search?q=x&all_words=0&related=1&exact=0",
     "/api/search|q=x"},
    {"filters", "/api/wards?q=x&ward=青葉&ward=%E6%B3%89&year=R3&section=1&meeting=IGASU",
     "/api/wards|q=x|ward=青葉,泉|year=R3|section=1|meeting=IGASU"},
    {"document model", "/api/wards?q=x&org=仙台&org=%E6%A8%AA%E6%B5%9C&kind=計画&by=org",
     "/api/wards|q=x|org=仙台,横浜|kind=計画|by=org"},
    {"kind twice", "/api/search?q=x&kind=a&kind=b", "error 4: parameter 'kind' given twice"},
    {"quotes", "/api/quotes?q=x&sort=right&context=20&format=csv",
     "/api/quotes|q=x|sort=right|context=20|format=csv"},
    {"empty pairs skipped", "/api/search?&&q=x&", "/api/search|q=x"},
    {"value without =", "/api/search?q", "/api/search|q="},
    {"limit capped", "/api/quotes?q=x&limit=99999", "/api/quotes|q=x|limit=1000(capped)"},
    {"limit 0", "/api/search?q=x&limit=0", "/api/search|q=x|limit=0"},
    {"document", "/api/document?id=3&format=tsv", "/api/document|id=3|format=tsv"},
    {"unknown parameter", "/api/search?q=x&view=wards", "error 4: unknown parameter 'view'"},
    {"twice", "/api/search?q=x&q=y", "error 4: parameter 'q' given twice"},
    {"bad escape", "/api/search?q=%E5%9", "error 4: bad percent escape in parameter 'q'"},
    {"escape at end", "/api/search?q=a%", "error 4: bad percent escape in parameter 'q'"},
    {"not utf8", "/api/search?q=%FF", "error 4: parameter 'q' is not UTF-8 text"},
    {"surrogate", "/api/search?q=%ED%A0%80", "error 4: parameter 'q' is not UTF-8 text"},
    {"nul", "/api/search?q=a%00b", "error 4: parameter 'q' is not UTF-8 text"},
    {"bad key escape", "/api/search?%zz=1", "error 4: bad percent escape in parameter '(name)'"},
    {"negative limit", "/api/search?q=x&limit=-1", "error 4: limit needs a number >= 0, not '-1'"},
    {"limit with sign", "/api/search?q=x&limit=+5",
     "error 4: limit needs a number >= 0, not ' 5'"},
    {"huge offset", "/api/search?q=x&offset=99999999999",
     "error 4: offset needs a number >= 0, not '99999999999'"},
    {"context range", "/api/quotes?q=x&context=1001",
     "error 4: context needs a number from 1 to 1000, not '1001'"},
    {"id 0", "/api/document?id=0", "error 4: id needs a number >= 1, not '0'"},
    {"exact 2", "/api/search?q=x&exact=2", "error 4: exact must be 0 or 1, not '2'"},
    {"all_words yes", "/api/search?q=x&all_words=yes",
     "error 4: all_words must be 0 or 1, not 'yes'"},
    {"related empty", "/api/search?q=x&related=", "error 4: related must be 0 or 1, not ''"},
    {"format", "/api/search?q=x&format=text",
     "error 4: unknown format 'text' (valid: json, csv, tsv)"},
};

static void test_cases(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ServeParams *p = NULL;
    char *err = NULL, got[1024];
    int rc = sp_parse(cases[i].target, strlen(cases[i].target), &p, &err);
    if (rc == JFTS_OK) render(p, got, sizeof got);
    else snprintf(got, sizeof got, "error %d: %s", rc, err ? err : "(none)");
    if (strcmp(got, cases[i].expect) != 0)
      fail_msg("case '%s': got '%s', expected '%s'", cases[i].name, got, cases[i].expect);
    assert_true(rc == JFTS_OK ? p != NULL : p == NULL);
    sp_free(p);
    jfts_free(err);
  }
}

/* The bounds: a target over SP_MAX_TARGET bytes is JFTS_ERR_INPUT; q over SP_MAX_QUERY, other
** values over SP_MAX_VALUE, more than SP_MAX_WARDS wards are usage errors; at the bounds, fine. */
static void test_bounds(void **state) {
  (void)state;
  static char target[SP_MAX_TARGET + 16];
  char *err = NULL;
  ServeParams *p = NULL;
  struct {
    const char *prefix;
    size_t n_x;
    int rc;
    const char *msg;
  } rows[] = {
      {"/api/search?q=", SP_MAX_QUERY, JFTS_OK, NULL},
      {"/api/search?q=", SP_MAX_QUERY + 1, JFTS_ERR_USAGE,
       "parameter 'q' is longer than 1024 bytes"},
      {"/api/search?q=a&meeting=", SP_MAX_VALUE + 1, JFTS_ERR_USAGE,
       "parameter 'meeting' is longer than 256 bytes"},
      {"/api/search?q=", SP_MAX_TARGET - 14, JFTS_ERR_USAGE,
       "parameter 'q' is longer than 1024 bytes"},
      {"/api/search?q=", SP_MAX_TARGET - 13, JFTS_ERR_INPUT,
       "request target longer than 4096 bytes"},
  };
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    size_t n = strlen(rows[i].prefix);
    memcpy(target, rows[i].prefix, n);
    memset(target + n, 'x', rows[i].n_x);
    int rc = sp_parse(target, n + rows[i].n_x, &p, &err);
    if (rc != rows[i].rc) fail_msg("row %zu: rc %d, expected %d (%s)", i, rc, rows[i].rc, err);
    if (rows[i].msg) assert_string_equal(err, rows[i].msg);
    sp_free(p);
    jfts_free(err);
    p = NULL;
    err = NULL;
  }
  size_t at = (size_t)snprintf(target, sizeof target, "/api/search?q=x");
  for (int i = 0; i < SP_MAX_WARDS; i++) at += (size_t)snprintf(target + at, 16, "&ward=%d", i);
  assert_int_equal(sp_parse(target, at, &p, &err), JFTS_OK);
  assert_int_equal(p->n_wards, SP_MAX_WARDS);
  sp_free(p);
  at += (size_t)snprintf(target + at, 16, "&ward=x");
  assert_int_equal(sp_parse(target, at, &p, &err), JFTS_ERR_USAGE);
  assert_string_equal(err, "too many ward parameters (at most 16)");
  jfts_free(err);
  assert_int_equal(jfts_alloc_live(), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cases),
      cmocka_unit_test(test_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
