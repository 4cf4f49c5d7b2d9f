/* Request target parsing for jfts-serve (params.h): one pass over the query string, each
** key=value decoded into its own string; every limit checked here so that the handlers only
** see values they can use. */
#include "params.h"

#include <string.h>

#include "jfts_common.h"

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF), no NUL. */
static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned c = s[i];
    size_t len;
    unsigned cp;
    if (c == 0) return 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return 0;
    if (n - i < len) return 0;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return 0;
    i += len;
  }
  return 1;
}

/* Decodes s[0..n) (percent escapes, + as space) into a new string (jfts_malloc). */
static int decode(const char *s, size_t n, const char *key, char **out, char **err_out) {
  char *d = jfts_malloc(n + 1);
  size_t k = 0;
  *out = NULL;
  if (d == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '+') {
      d[k++] = ' ';
    } else if (s[i] == '%') {
      int hi = i + 2 < n ? hex_value(s[i + 1]) : -1, lo = i + 2 < n ? hex_value(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        jfts_free(d);
        jfts_set_error(err_out, "bad percent escape in parameter '%s'", key);
        return JFTS_ERR_USAGE;
      }
      d[k++] = (char)(hi << 4 | lo);
      i += 2;
    } else {
      d[k++] = s[i];
    }
  }
  d[k] = '\0';
  if (!valid_utf8((const unsigned char *)d, k)) {
    jfts_free(d);
    jfts_set_error(err_out, "parameter '%s' is not UTF-8 text", key);
    return JFTS_ERR_USAGE;
  }
  *out = d;
  return JFTS_OK;
}

#define SP_NO_MAX 1000000000L /* numbers past it are refused: no page is that far */

/* A number parameter: JFTS_OK with *out, else the message "KEY needs a number ...". */
static int number_param(const char *key, const char *value, long lo, long hi, long *out,
                        char **err_out) {
  if (jfts_parse_long(value, lo, hi, out)) return JFTS_OK;
  if (hi == SP_NO_MAX)
    jfts_set_error(err_out, "%s needs a number >= %ld, not '%s'", key, lo, value);
  else
    jfts_set_error(err_out, "%s needs a number from %ld to %ld, not '%s'", key, lo, hi, value);
  return JFTS_ERR_USAGE;
}

/* The parameters that are not text: exact, all_words, related, limit, offset, context, id,
** format. */
static int set_scalar(ServeParams *p, const char *key, const char *value, char **err_out) {
  long v = 0;
  int rc = JFTS_OK;
  int *flag = strcmp(key, "exact") == 0       ? &p->exact
              : strcmp(key, "all_words") == 0 ? &p->all_words
              : strcmp(key, "related") == 0   ? &p->related
                                              : NULL;
  if (flag) {
    if (strcmp(value, "1") != 0 && strcmp(value, "0") != 0) {
      jfts_set_error(err_out, "%s must be 0 or 1, not '%s'", key, value);
      return JFTS_ERR_USAGE;
    }
    *flag = value[0] == '1';
  } else if (strcmp(key, "limit") == 0) {
    rc = number_param(key, value, 0, SP_NO_MAX, &v, err_out);
    p->limit_capped = rc == JFTS_OK && v > SP_MAX_LIMIT_ROWS;
    if (rc == JFTS_OK) p->limit = v > SP_MAX_LIMIT_ROWS ? SP_MAX_LIMIT_ROWS : v;
  } else if (strcmp(key, "offset") == 0) {
    rc = number_param(key, value, 0, SP_NO_MAX, &p->offset, err_out);
  } else if (strcmp(key, "context") == 0) {
    rc = number_param(key, value, 1, 1000, &p->context, err_out);
  } else if (strcmp(key, "id") == 0) {
    rc = number_param(key, value, 1, SP_NO_MAX, &p->id, err_out);
  } else if (strcmp(key, "format") == 0) {
    if (strcmp(value, "json") == 0) p->format = OUT_JSON;
    else if (strcmp(value, "csv") == 0) p->format = OUT_CSV;
    else if (strcmp(value, "tsv") == 0) p->format = OUT_TSV;
    else {
      jfts_set_error(err_out, "unknown format '%s' (valid: json, csv, tsv)", value);
      rc = JFTS_ERR_USAGE;
    }
  } else {
    jfts_set_error(err_out, "unknown parameter '%s'", key);
    rc = JFTS_ERR_USAGE;
  }
  return rc;
}

/* Stores the decoded value of key into p. Takes over value (frees it on error). */
static int set_param(ServeParams *p, const char *key, char *value, char **err_out) {
  char **slot = NULL;
  if (strcmp(key, "q") == 0) slot = &p->q;
  else if (strcmp(key, "year") == 0) slot = &p->year;
  else if (strcmp(key, "section") == 0) slot = &p->section;
  else if (strcmp(key, "meeting") == 0) slot = &p->meeting;
  else if (strcmp(key, "sort") == 0) slot = &p->sort;
  else if (strcmp(key, "kind") == 0) slot = &p->kind;
  else if (strcmp(key, "by") == 0) slot = &p->by;
  int is_ward = strcmp(key, "ward") == 0;
  if (slot == NULL && (is_ward || strcmp(key, "org") == 0)) {
    size_t *n = is_ward ? &p->n_wards : &p->n_orgs;
    if (*n == SP_MAX_WARDS) {
      jfts_free(value);
      jfts_set_error(err_out, "too many %s parameters (at most %d)", key, SP_MAX_WARDS);
      return JFTS_ERR_USAGE;
    }
    (is_ward ? p->wards : p->orgs)[(*n)++] = value;
    return JFTS_OK;
  }
  if (slot) {
    if (*slot) {
      jfts_free(value);
      jfts_set_error(err_out, "parameter '%s' given twice", key);
      return JFTS_ERR_USAGE;
    }
    *slot = value;
    return JFTS_OK;
  }
  int rc = set_scalar(p, key, value, err_out);
  jfts_free(value);
  return rc;
}

/* Parses one key=value pair of the query string. */
static int parse_pair(ServeParams *p, const char *s, size_t n, char **err_out) {
  const char *eq = memchr(s, '=', n);
  size_t n_key = eq ? (size_t)(eq - s) : n;
  char *key = NULL, *value = NULL;
  int rc = decode(s, n_key, "(name)", &key, err_out);
  if (rc != JFTS_OK) goto cleanup;
  const char *v = eq ? eq + 1 : s + n;
  size_t n_value = (size_t)(s + n - v);
  rc = decode(v, n_value, key, &value, err_out);
  if (rc != JFTS_OK) goto cleanup;
  size_t max = strcmp(key, "q") == 0 ? SP_MAX_QUERY : SP_MAX_VALUE;
  if (strlen(value) > max) {
    jfts_set_error(err_out, "parameter '%s' is longer than %zu bytes", key, max);
    rc = JFTS_ERR_USAGE;
    goto cleanup;
  }
  rc = set_param(p, key, value, err_out);
  value = NULL; /* taken over */

cleanup:
  jfts_free(key);
  jfts_free(value);
  return rc;
}

int sp_parse(const char *target, size_t n_bytes, ServeParams **out, char **err_out) {
  ServeParams *p = NULL;
  int rc = JFTS_OK;
  *out = NULL;
  if (n_bytes > SP_MAX_TARGET) {
    jfts_set_error(err_out, "request target longer than %d bytes", SP_MAX_TARGET);
    return JFTS_ERR_INPUT;
  }
  p = jfts_malloc(sizeof *p);
  if (p == NULL) return JFTS_ERR_NOMEM;
  memset(p, 0, sizeof *p);
  p->limit = -1;
  p->related = 1;
  p->format = OUT_JSON;
  const char *qm = memchr(target, '?', n_bytes);
  size_t n_path = qm ? (size_t)(qm - target) : n_bytes;
  p->path = jfts_malloc(n_path + 1);
  if (p->path == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  memcpy(p->path, target, n_path);
  p->path[n_path] = '\0';
  if (memchr(target, '\0', n_path)) {
    jfts_set_error(err_out, "bad request path");
    rc = JFTS_ERR_USAGE;
    goto cleanup;
  }
  const char *s = qm ? qm + 1 : target + n_bytes, *end = target + n_bytes;
  while (rc == JFTS_OK && s < end) {
    const char *amp = memchr(s, '&', (size_t)(end - s));
    const char *stop = amp ? amp : end;
    if (stop > s) rc = parse_pair(p, s, (size_t)(stop - s), err_out);
    s = stop + 1;
  }

cleanup:
  if (rc != JFTS_OK) {
    sp_free(p);
    return rc;
  }
  *out = p;
  return JFTS_OK;
}

void sp_free(ServeParams *p) {
  if (p == NULL) return;
  jfts_free(p->path);
  jfts_free(p->q);
  for (size_t i = 0; i < p->n_wards; i++) jfts_free(p->wards[i]);
  jfts_free(p->year);
  jfts_free(p->section);
  jfts_free(p->meeting);
  jfts_free(p->sort);
  for (size_t i = 0; i < p->n_orgs; i++) jfts_free(p->orgs[i]);
  jfts_free(p->kind);
  jfts_free(p->by);
  jfts_free(p);
}
