/* Thesaurus (thesaurus.h): parses the Solr-style synonym file into a table of distinct terms
** keyed by their collapsed normalized form and a list of rules (a line's group of equivalents,
** or the right side of a one-way line), each term pointing at the rules it expands by, and
** expands query terms by finding entries inside them (longest first, no overlaps) and adding
** every combination of replacements as a variant, fewest replacements first, up to the cap.
** A group is stored once, not as every pair of its members, so loading is linear in the file:
** a term's alternatives are walked from its rules when a query needs them. */
#include "thesaurus.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "norm.h"

/* Most variant texts tried per term: every try normally adds a variant, so this only bounds
** pathological cases where many combinations spell the same text. */
#define THS_MAX_TRIES (64 * QRY_MAX_VARIANTS)
/* Most terms a load reserves room for before it reads them (ths_parse). */
#define THS_TERMS_RESERVE 16384
/* Longest excerpt of a term quoted in a warning, in bytes (then cut at a char boundary). */
#define THS_WARN_EXCERPT 60

/* Collapsed normalized text, the form in which entries and query terms are compared: NFKC
** code points, skippable spaces removed, other space runs reduced to one ' ', ends trimmed. */
typedef struct ThsKey {
  uint32_t *cp;      /* collapsed code points */
  uint8_t *cls;      /* their NormClass */
  size_t *src_start; /* per code point: first source byte it stands for (NULL in entries) */
  size_t *src_end;   /* per code point: byte after the last source byte it stands for */
  size_t n;          /* code points */
} ThsKey;

/* A distinct term of the file. Its text and key live in the thesaurus' arena: a query pays
** for the pages a load touches (a page fault costs more than parsing a line on some VMs),
** so a term is one small struct, with no allocation of its own. */
typedef struct ThsTerm {
  const char *text;  /* as written in the file, trimmed and unescaped; NUL-terminated */
  size_t n_text;     /* bytes */
  ThsKey key;        /* cp and cls only */
  uint32_t hash;     /* of key.cp */
  uint32_t rules_start, n_rules; /* Thesaurus.term_rules[rules_start ..]: indices into
                                 ** Thesaurus.rules this term expands by, in file order */
  uint32_t last_rule; /* while loading: the last rule added (a term written twice on a line
                      ** gets it once), UINT32_MAX before any */
  int has_alts;      /* 1 when some rule names a term other than this one (build_index) */
} ThsTerm;

/* While loading: term t expands by rule r, in the order lines give them. */
typedef struct ThsPair {
  uint32_t term, rule;
} ThsPair;

/* Blocks that the terms' texts and keys are carved from, freed together. */
typedef struct ThsChunk {
  struct ThsChunk *next;
  size_t used, cap;
  max_align_t data[];
} ThsChunk;

/* What a line makes its terms expand to: members[start .. start + n) of Thesaurus.members,
** term indices in the order written (all the line's terms for `a, b, c`, the right side for
** `a => b, c`). The alternatives of a term are the members of its rules in order, itself and
** repeats left out: the order the former pairwise table gave them. */
typedef struct ThsRule {
  size_t start, n;
} ThsRule;

struct Thesaurus {
  ThsTerm *terms;    /* distinct by key: the first spelling in the file wins */
  size_t n_terms, cap_terms;
  ThsChunk *arena;   /* the terms' texts and keys */
  uint32_t *term_rules; /* the terms' rule lists, one slice per term (build_index) */
  ThsPair *pairs;    /* while loading: (term, rule) in file order */
  size_t n_pairs, cap_pairs;
  NormWork norm;     /* while loading: reused for every term */
  ThsKey scratch;    /* while loading: the key of the term being read */
  size_t cap_scratch;
  size_t *slots;     /* open-addressing hash of terms by key: index + 1, 0 when empty */
  size_t n_slots;    /* a power of two, at least twice n_terms */
  ThsRule *rules;
  size_t n_rules, cap_rules;
  size_t *members;   /* the rules' term indices, one slice per rule */
  size_t n_members, cap_members;
  const ThsTerm **index; /* terms with alternatives, by first code point, then longest first */
  size_t n_index;
};

static void key_free(ThsKey *k) {
  jfts_free(k->cp);
  jfts_free(k->cls);
  jfts_free(k->src_start);
  jfts_free(k->src_end);
  memset(k, 0, sizeof *k);
}

/* Collapses normalized text t into out's arrays (room for t->n code points), the way match.c
** collapses text; source ranges only where out has arrays for them. */
static void key_collapse(const NormText *t, ThsKey *out) {
  size_t k = 0;
  for (size_t i = 0; i < t->n;) {
    size_t j = i + 1, start = t->src_start[i];
    uint32_t cp = t->cp[i];
    uint8_t cls = t->cls[i];
    if (cls == NORM_SPACE) {
      j = i;
      while (j < t->n && t->cls[j] == NORM_SPACE) j++;
      if (i == 0 || j == t->n || norm_space_skippable(t, i - 1, j)) {
        i = j;
        continue;
      }
      cp = ' ';
    }
    out->cp[k] = cp;
    out->cls[k] = cls;
    if (out->src_start) {
      out->src_start[k] = start;
      out->src_end[k] = t->src_end[j - 1];
    }
    k++;
    i = j;
  }
  out->n = k;
}

/* Builds the key of a query's text, with source ranges kept (key_free). */
static int key_build(const char *text, size_t n_bytes, ThsKey *out, char **err_out) {
  NormText *t = NULL;
  memset(out, 0, sizeof *out);
  int rc = norm_text(text, n_bytes, &t, err_out);
  if (rc != JFTS_OK) return rc;
  size_t cap = t->n ? t->n : 1;
  out->cp = jfts_malloc(cap * sizeof *out->cp);
  out->cls = jfts_malloc(cap);
  out->src_start = jfts_malloc(cap * sizeof *out->src_start);
  out->src_end = jfts_malloc(cap * sizeof *out->src_end);
  if (!out->cp || !out->cls || !out->src_start || !out->src_end)
    rc = JFTS_ERR_NOMEM;
  else
    key_collapse(t, out);
  norm_free(t);
  if (rc != JFTS_OK) key_free(out);
  return rc;
}

/* Builds the key of a term of the file into ths->scratch (valid until the next call). */
static int scratch_build(Thesaurus *ths, const char *text, size_t n_bytes, char **err_out) {
  int rc = norm_work_run(&ths->norm, text, n_bytes, err_out);
  if (rc != JFTS_OK) return rc;
  size_t need = ths->norm.text.n ? ths->norm.text.n : 1;
  if (need > ths->cap_scratch) {
    uint32_t *cp = jfts_realloc(ths->scratch.cp, need * sizeof *cp);
    if (cp == NULL) return JFTS_ERR_NOMEM;
    ths->scratch.cp = cp;
    uint8_t *cls = jfts_realloc(ths->scratch.cls, need);
    if (cls == NULL) return JFTS_ERR_NOMEM;
    ths->scratch.cls = cls;
    ths->cap_scratch = need;
  }
  key_collapse(&ths->norm.text, &ths->scratch);
  return JFTS_OK;
}

/* n_bytes from the arena, aligned for any type; NULL when out of memory. */
static void *arena_alloc(Thesaurus *ths, size_t n_bytes) {
  size_t n = (n_bytes + sizeof(max_align_t) - 1) / sizeof(max_align_t);
  ThsChunk *c = ths->arena;
  if (c == NULL || c->cap - c->used < n) {
    size_t cap = n > 1024 ? n : 1024; /* 16 KB blocks */
    c = jfts_malloc(sizeof *c + cap * sizeof(max_align_t));
    if (c == NULL) return NULL;
    c->next = ths->arena;
    c->used = 0;
    c->cap = cap;
    ths->arena = c;
  }
  void *p = c->data + c->used;
  c->used += n;
  return p;
}

static uint32_t key_hash(const ThsKey *k) {
  uint32_t h = 0x811c9dc5u;
  for (size_t i = 0; i < k->n; i++) {
    h ^= k->cp[i];
    h *= 0x01000193u;
  }
  return h;
}

static int key_equal(const ThsKey *a, const ThsKey *b) {
  return a->n == b->n && memcmp(a->cp, b->cp, a->n * sizeof *a->cp) == 0;
}

/* Index of the term whose key equals key, or SIZE_MAX when there is none. */
static size_t term_find(const Thesaurus *ths, const ThsKey *key, uint32_t hash) {
  if (ths->n_slots == 0) return SIZE_MAX;
  for (size_t s = (size_t)hash & (ths->n_slots - 1);; s = (s + 1) & (ths->n_slots - 1)) {
    size_t v = ths->slots[s];
    if (v == 0) return SIZE_MAX;
    const ThsTerm *t = &ths->terms[v - 1];
    if (t->hash == hash && key_equal(&t->key, key)) return v - 1;
  }
}

static void slots_put(size_t *slots, size_t n_slots, uint32_t hash, size_t idx) {
  size_t s = (size_t)hash & (n_slots - 1);
  while (slots[s] != 0) s = (s + 1) & (n_slots - 1);
  slots[s] = idx + 1;
}

/* Returns in *idx_out the index of the term whose key is ths->scratch, adding it with text
** (n_text bytes, copied) when new. */
static int term_intern(Thesaurus *ths, const char *text, size_t n_text, size_t *idx_out) {
  const ThsKey *key = &ths->scratch;
  uint32_t hash = key_hash(key);
  size_t idx = term_find(ths, key, hash);
  if (idx != SIZE_MAX) {
    *idx_out = idx;
    return JFTS_OK;
  }
  if (ths->n_terms >= UINT32_MAX - 1) return JFTS_ERR_NOMEM;
  ThsTerm *terms = jfts_grow(ths->terms, &ths->cap_terms, ths->n_terms + 1, sizeof *terms);
  if (terms == NULL) return JFTS_ERR_NOMEM;
  ths->terms = terms;
  if (2 * (ths->n_terms + 1) > ths->n_slots) {
    size_t n_slots = ths->n_slots ? 2 * ths->n_slots : 128;
    while (n_slots < 2 * (ths->n_terms + 1)) n_slots *= 2;
    size_t *slots = jfts_calloc(n_slots, sizeof *slots);
    if (slots == NULL) return JFTS_ERR_NOMEM;
    for (size_t i = 0; i < ths->n_terms; i++) slots_put(slots, n_slots, ths->terms[i].hash, i);
    jfts_free(ths->slots);
    ths->slots = slots;
    ths->n_slots = n_slots;
  }
  /* One block: code points, then the text, then the classes. */
  char *block = arena_alloc(ths, key->n * sizeof *key->cp + n_text + 1 + key->n);
  if (block == NULL) return JFTS_ERR_NOMEM;
  ThsTerm *t = &ths->terms[ths->n_terms];
  memset(t, 0, sizeof *t);
  t->key.cp = (uint32_t *)(void *)block;
  memcpy(t->key.cp, key->cp, key->n * sizeof *key->cp);
  char *copy = block + key->n * sizeof *key->cp;
  memcpy(copy, text, n_text);
  copy[n_text] = '\0';
  t->text = copy;
  t->n_text = n_text;
  t->key.cls = (uint8_t *)copy + n_text + 1;
  memcpy(t->key.cls, key->cls, key->n);
  t->key.n = key->n;
  t->hash = hash;
  t->last_rule = UINT32_MAX;
  idx = ths->n_terms++;
  slots_put(ths->slots, ths->n_slots, hash, idx);
  *idx_out = idx;
  return JFTS_OK;
}

/* Appends a rule of members idx[0..n) and returns its index in *rule_out. */
static int rule_add(Thesaurus *ths, const size_t *idx, size_t n, size_t *rule_out) {
  if (ths->n_rules >= UINT32_MAX - 1) return JFTS_ERR_NOMEM;
  ThsRule *r = jfts_grow(ths->rules, &ths->cap_rules, ths->n_rules + 1, sizeof *r);
  if (r == NULL) return JFTS_ERR_NOMEM;
  ths->rules = r;
  size_t *m = jfts_grow(ths->members, &ths->cap_members, ths->n_members + n, sizeof *m);
  if (m == NULL) return JFTS_ERR_NOMEM;
  ths->members = m;
  memcpy(m + ths->n_members, idx, n * sizeof *idx);
  r[ths->n_rules].start = ths->n_members;
  r[ths->n_rules].n = n;
  ths->n_members += n;
  *rule_out = ths->n_rules++;
  return JFTS_OK;
}

/* Makes term expand by rule (once: a term written twice on a line gets the rule once). The
** pairs become each term's list in build_index. */
static int term_add_rule(Thesaurus *ths, size_t term, size_t rule) {
  ThsTerm *t = &ths->terms[term];
  if (t->last_rule == rule) return JFTS_OK;
  ThsPair *g = jfts_grow(ths->pairs, &ths->cap_pairs, ths->n_pairs + 1, sizeof *g);
  if (g == NULL) return JFTS_ERR_NOMEM;
  ths->pairs = g;
  g[ths->n_pairs].term = (uint32_t)term;
  g[ths->n_pairs].rule = (uint32_t)rule;
  ths->n_pairs++;
  t->last_rule = (uint32_t)rule;
  t->n_rules++;
  return JFTS_OK;
}

/* The alternatives of a term, walked from its rules: a set of the term indices given so far
** (open addressing, index + 1, 0 empty) leaves out repeats. */
typedef struct ThsAltIter {
  const Thesaurus *ths;
  size_t term;
  size_t rule, member; /* position: the term's rule index, the member within that rule */
  size_t *seen;
  size_t n_seen, cap_seen; /* cap_seen a power of two, at least twice n_seen; 0: none yet */
} ThsAltIter;

static void alt_iter_init(ThsAltIter *it, const Thesaurus *ths, size_t term) {
  memset(it, 0, sizeof *it);
  it->ths = ths;
  it->term = term;
}

static void alt_iter_free(ThsAltIter *it) {
  jfts_free(it->seen);
  it->seen = NULL;
}

/* Adds v to the seen set; *added_out 0 when it was there. */
static int seen_add(ThsAltIter *it, size_t v, int *added_out) {
  if (2 * (it->n_seen + 1) > it->cap_seen) {
    size_t cap = it->cap_seen ? 2 * it->cap_seen : 64;
    size_t *g = jfts_calloc(cap, sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    for (size_t i = 0; i < it->cap_seen; i++) {
      if (it->seen[i] == 0) continue;
      size_t s = (it->seen[i] * 0x9E3779B97F4A7C15u) & (cap - 1);
      while (g[s] != 0) s = (s + 1) & (cap - 1);
      g[s] = it->seen[i];
    }
    jfts_free(it->seen);
    it->seen = g;
    it->cap_seen = cap;
  }
  size_t key = v + 1;
  size_t s = (key * 0x9E3779B97F4A7C15u) & (it->cap_seen - 1);
  for (; it->seen[s] != 0; s = (s + 1) & (it->cap_seen - 1)) {
    if (it->seen[s] == key) {
      *added_out = 0;
      return JFTS_OK;
    }
  }
  it->seen[s] = key;
  it->n_seen++;
  *added_out = 1;
  return JFTS_OK;
}

/* The next alternative into *alt_out; *found_out 0 when there is none left. */
static int alt_iter_next(ThsAltIter *it, size_t *alt_out, int *found_out) {
  const ThsTerm *t = &it->ths->terms[it->term];
  *found_out = 0;
  while (it->rule < t->n_rules) {
    const ThsRule *r = &it->ths->rules[it->ths->term_rules[t->rules_start + it->rule]];
    if (it->member == r->n) {
      it->rule++;
      it->member = 0;
      continue;
    }
    size_t m = it->ths->members[r->start + it->member++];
    if (m == it->term) continue;
    int added = 0;
    int rc = seen_add(it, m, &added);
    if (rc != JFTS_OK) return rc;
    if (!added) continue;
    *alt_out = m;
    *found_out = 1;
    return JFTS_OK;
  }
  return JFTS_OK;
}

/* The first max alternatives of term, in order, into a new array (*alts_out, jfts_free; NULL
** when none) of *n_out term indices. */
static int alts_collect(const Thesaurus *ths, size_t term, size_t max, size_t **alts_out,
                        size_t *n_out) {
  ThsAltIter it;
  size_t *alts = NULL, n = 0, cap = 0;
  int rc = JFTS_OK, found = 1;
  *alts_out = NULL;
  *n_out = 0;
  alt_iter_init(&it, ths, term);
  while (rc == JFTS_OK && n < max) {
    size_t alt = 0;
    rc = alt_iter_next(&it, &alt, &found);
    if (rc != JFTS_OK || !found) break;
    size_t *g = jfts_grow(alts, &cap, n + 1, sizeof *g);
    if (g == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    alts = g;
    alts[n++] = alt;
  }
  alt_iter_free(&it);
  if (rc != JFTS_OK) {
    jfts_free(alts);
    return rc;
  }
  *alts_out = alts;
  *n_out = n;
  return JFTS_OK;
}

/* Frees what only loading needs. */
static void load_state_free(Thesaurus *ths) {
  jfts_free(ths->pairs);
  ths->pairs = NULL;
  ths->n_pairs = ths->cap_pairs = 0;
  norm_work_release(&ths->norm);
  jfts_free(ths->scratch.cp);
  jfts_free(ths->scratch.cls);
  memset(&ths->scratch, 0, sizeof ths->scratch);
  ths->cap_scratch = 0;
}

void ths_free(Thesaurus *ths) {
  if (ths == NULL) return;
  load_state_free(ths);
  for (ThsChunk *c = ths->arena, *next; c; c = next) {
    next = c->next;
    jfts_free(c);
  }
  jfts_free(ths->terms);
  jfts_free(ths->term_rules);
  jfts_free(ths->slots);
  jfts_free(ths->rules);
  jfts_free(ths->members);
  jfts_free(ths->index);
  jfts_free(ths);
}

size_t ths_entry_count(const Thesaurus *ths) { return ths ? ths->n_index : 0; }

/* Bytes of the white space the file syntax trims at p (ASCII space, tab, CR, U+3000), or 0. */
static size_t space_len(const char *p, size_t n) {
  if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\v' || p[0] == '\f'))
    return 1;
  if (n >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0) return 3;
  return 0;
}

/* One rule line split into terms: terms[0..n_lhs) on the left of '=>' (all of them when
** there is no arrow). Each term is unescaped and trimmed, at buf + start[i], n_text[i]
** bytes. The arrays are kept from line to line. */
typedef struct ThsLine {
  const char *buf;
  size_t *start;
  size_t *n_text;
  size_t *idx;     /* add_line: the terms' indices in the thesaurus */
  size_t n_terms, cap_terms;
  size_t n_lhs;
  int n_arrows;
} ThsLine;

static void line_free(ThsLine *l) {
  jfts_free(l->start);
  jfts_free(l->n_text);
  jfts_free(l->idx);
  memset(l, 0, sizeof *l);
}

/* Ends the term buf[from..n) (trimming white space at both ends) and appends it to l.
** Trailing white space that was escaped (literal_end) is kept. */
static int line_push(ThsLine *l, const char *buf, size_t from, size_t n, size_t literal_end) {
  size_t start = from, len;
  while (start < n && (len = space_len(buf + start, n - start)) > 0) start += len;
  size_t end = start;
  for (size_t i = start; i < n;) {
    len = space_len(buf + i, n - i);
    if (len == 0) {
      len = jfts_utf8_valid_len(buf + i, n - i);
      if (len == 0) len = 1;
      end = i + len;
    }
    i += len;
  }
  if (end < literal_end) end = literal_end;
  if (l->n_terms == l->cap_terms) {
    size_t cap = l->cap_terms ? 2 * l->cap_terms : 8;
    size_t *g = jfts_realloc(l->start, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    l->start = g;
    g = jfts_realloc(l->n_text, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    l->n_text = g;
    g = jfts_realloc(l->idx, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    l->idx = g;
    l->cap_terms = cap;
  }
  l->start[l->n_terms] = start;
  l->n_text[l->n_terms] = end > start ? end - start : 0;
  l->n_terms++;
  return JFTS_OK;
}

/* Splits the line p[0..n) (valid UTF-8, no line terminator) into l, using buf (n bytes) as
** the terms' storage. A comment-only or blank line gives one empty term and no arrow. */
static int line_split(const char *p, size_t n, char *buf, ThsLine *l) {
  int rc = JFTS_OK;
  size_t k = 0, from = 0, literal_end = 0;
  l->buf = buf;
  l->n_terms = l->n_lhs = 0;
  l->n_arrows = 0;
  for (size_t i = 0; rc == JFTS_OK && i < n;) {
    char c = p[i];
    if (c == '#') break;
    if (c == '\\' && i + 1 < n) {
      size_t len = jfts_utf8_valid_len(p + i + 1, n - i - 1);
      if (len == 0) len = 1;
      memcpy(buf + k, p + i + 1, len);
      k += len;
      literal_end = k;
      i += 1 + len;
      continue;
    }
    if (c == ',' || (c == '=' && i + 1 < n && p[i + 1] == '>')) {
      rc = line_push(l, buf, from, k, literal_end);
      from = literal_end = k;
      if (c == '=') {
        if (l->n_arrows++ == 0) l->n_lhs = l->n_terms;
        i++;
      }
      i++;
      continue;
    }
    buf[k++] = c;
    i++;
  }
  if (rc == JFTS_OK) rc = line_push(l, buf, from, k, literal_end);
  if (rc == JFTS_OK && l->n_arrows == 0) l->n_lhs = l->n_terms;
  return rc;
}

static int has_searchable(const ThsKey *k) {
  for (size_t i = 0; i < k->n; i++)
    if (k->cls[i] == NORM_WORD || k->cls[i] == NORM_CJK) return 1;
  return 0;
}

/* Adds the rule of one split line; lineno and name for messages. */
static int add_line(Thesaurus *ths, const char *name, int lineno, ThsLine *l, char **err_out) {
  int rc = JFTS_OK;
  size_t *idx = l->idx;
  int blank = l->n_terms == 1 && l->n_arrows == 0 && l->n_text[0] == 0;
  if (blank) return JFTS_OK;
  int ok = l->n_arrows <= 1 && (l->n_arrows == 1 || l->n_terms >= 2);
  for (size_t i = 0; ok && i < l->n_terms; i++) ok = l->n_text[i] > 0;
  if (!ok) {
    jfts_set_error(err_out, "%s:%d: expected 'a, b' or 'a => b'", name, lineno);
    return JFTS_ERR_INPUT;
  }
  for (size_t i = 0; rc == JFTS_OK && i < l->n_terms; i++) {
    const char *text = l->buf + l->start[i];
    rc = scratch_build(ths, text, l->n_text[i], err_out);
    if (rc != JFTS_OK) break;
    if (!has_searchable(&ths->scratch)) {
      jfts_set_error(err_out, "%s:%d: '%.*s' has no searchable characters", name, lineno,
                     (int)l->n_text[i], text);
      rc = JFTS_ERR_INPUT;
      break;
    }
    rc = term_intern(ths, text, l->n_text[i], &idx[i]);
  }
  /* `a, b, c`: each term expands to the group; `a, b => c, d`: a and b expand to c, d. */
  size_t rule = 0, first = l->n_arrows == 0 ? 0 : l->n_lhs;
  if (rc == JFTS_OK) rc = rule_add(ths, idx + first, l->n_terms - first, &rule);
  for (size_t i = 0; rc == JFTS_OK && i < l->n_lhs; i++) rc = term_add_rule(ths, idx[i], rule);
  return rc;
}

/* Orders the index by first code point, longer keys first, so that the first entry that
** matches at a position is the longest one. */
static int index_cmp(const void *a, const void *b) {
  const ThsKey *x = &(*(const ThsTerm *const *)a)->key;
  const ThsKey *y = &(*(const ThsTerm *const *)b)->key;
  if (x->cp[0] != y->cp[0]) return x->cp[0] < y->cp[0] ? -1 : 1;
  if (x->n != y->n) return x->n > y->n ? -1 : 1;
  return memcmp(x->cp, y->cp, x->n * sizeof *x->cp);
}

/* Called once all lines are read: terms no longer moves, so the index may point into it. */
static int build_index(Thesaurus *ths) {
  ths->index = jfts_malloc((ths->n_terms ? ths->n_terms : 1) * sizeof *ths->index);
  ths->term_rules = jfts_malloc((ths->n_pairs ? ths->n_pairs : 1) * sizeof *ths->term_rules);
  if (ths->index == NULL || ths->term_rules == NULL) return JFTS_ERR_NOMEM;
  /* Each term's slice of term_rules, then its rules in file order (the pairs' order). */
  uint32_t at = 0;
  for (size_t i = 0; i < ths->n_terms; i++) {
    ths->terms[i].rules_start = at;
    at += ths->terms[i].n_rules;
    ths->terms[i].n_rules = 0;
  }
  for (size_t p = 0; p < ths->n_pairs; p++) {
    ThsTerm *t = &ths->terms[ths->pairs[p].term];
    ths->term_rules[t->rules_start + t->n_rules++] = ths->pairs[p].rule;
  }
  for (size_t i = 0; i < ths->n_terms; i++) {
    ThsTerm *t = &ths->terms[i];
    /* Linear over the file: a scan stops at the first member other than the term, so it
    ** passes only the term's own repeats at the start of each rule. */
    for (size_t r = 0; r < t->n_rules && !t->has_alts; r++) {
      const ThsRule *rule = &ths->rules[ths->term_rules[t->rules_start + r]];
      for (size_t m = 0; m < rule->n && !t->has_alts; m++)
        t->has_alts = ths->members[rule->start + m] != i;
    }
    if (t->has_alts) ths->index[ths->n_index++] = t;
  }
  qsort(ths->index, ths->n_index, sizeof *ths->index, index_cmp);
  return JFTS_OK;
}

int ths_parse(const char *name, const char *text, size_t n_bytes, Thesaurus **out,
              char **err_out) {
  int rc = JFTS_OK;
  char *buf = NULL;
  ThsLine line;
  Thesaurus *ths = jfts_calloc(1, sizeof *ths);
  memset(&line, 0, sizeof line);
  *out = NULL;
  if (ths == NULL) return JFTS_ERR_NOMEM;
  buf = jfts_malloc(n_bytes + 1);
  if (buf == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  /* Room for the terms the file can hold, once: growing by doubling would touch twice the
  ** pages, and the pages never written cost nothing. Not more than THS_TERMS_RESERVE ahead,
  ** so that a file of commas does not reserve gigabytes; a bigger file grows past it. */
  size_t bound = 1;
  for (size_t i = 0; i < n_bytes; i++) bound += text[i] == ',' || text[i] == '\n' || text[i] == '>';
  if (bound > THS_TERMS_RESERVE) bound = THS_TERMS_RESERVE;
  ths->terms = jfts_malloc(bound * sizeof *ths->terms);
  if (ths->terms == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  ths->cap_terms = bound;
  size_t pos = 0;
  if (n_bytes >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  for (int lineno = 1; rc == JFTS_OK && pos < n_bytes; lineno++) {
    const char *nl = memchr(text + pos, '\n', n_bytes - pos);
    size_t end = nl ? (size_t)(nl - text) : n_bytes;
    for (size_t i = pos; i < end;) {
      size_t len = jfts_utf8_valid_len(text + i, end - i);
      if (len == 0 || text[i] == '\0') {
        jfts_set_error(err_out, "%s:%d: invalid UTF-8", name, lineno);
        rc = JFTS_ERR_INPUT;
        break;
      }
      i += len;
    }
    if (rc == JFTS_OK) rc = line_split(text + pos, end - pos, buf, &line);
    if (rc == JFTS_OK) rc = add_line(ths, name, lineno, &line, err_out);
    pos = nl ? end + 1 : n_bytes;
  }
  if (rc == JFTS_OK) rc = build_index(ths);
  load_state_free(ths);

cleanup:
  line_free(&line);
  jfts_free(buf);
  if (rc != JFTS_OK) {
    ths_free(ths);
    return rc;
  }
  *out = ths;
  return JFTS_OK;
}

int ths_load(const char *path, Thesaurus **out, char **err_out) {
  *out = NULL;
  unsigned char *data = NULL;
  size_t n = 0;
  /* A regular file of bounded size (jfts_common.h): a FIFO would hang the load, /dev/zero or
  ** a huge file would take all memory (a 66 MB file took 2.6 GB). */
  int os_err = jfts_read_file_max(path, JFTS_THESAURUS_MAX_BYTES, &data, &n);
  if (os_err == ENOMEM) return JFTS_ERR_NOMEM;
  if (os_err == EFBIG) {
    jfts_set_error(err_out, "cannot read '%s': thesaurus larger than %zu MiB", path,
                   JFTS_THESAURUS_MAX_BYTES >> 20);
    return JFTS_ERR_IO;
  }
  if (os_err) {
    jfts_set_error(err_out, "cannot read '%s': %s", path, jfts_strerror(os_err));
    return JFTS_ERR_IO;
  }
  int rc = ths_parse(path, (const char *)data, n, out, err_out);
  free(data);
  return rc;
}

/* One entry found in a term: source bytes [start, end) of the term's text, the entry, and
** the first of its alternatives (term indices): as many as the enumeration can reach. */
typedef struct ThsSlot {
  size_t start, end;
  const ThsTerm *entry;
  size_t *alts;
  size_t n_alts;
} ThsSlot;

/* State of the expansion of one query term. */
typedef struct ThsExpansion {
  const Thesaurus *ths;
  QryTerm *term;
  ThsSlot *slots;
  size_t n_slots;
  size_t *choice;  /* per slot: 0 keeps the term's text, a + 1 puts alternative a */
  char *buf;       /* the variant being built */
  size_t cap_buf;
  size_t n_tries;
  int capped;      /* set when qry_term_add_variant refused a variant: stop */
  char **err_out;
} ThsExpansion;

/* 1 when entry p, whose code points equal q's from i on, may be replaced there (thesaurus.h):
** Latin/digit ends on word boundaries, and no source char shared with a code point outside. */
static int fits_at(const ThsKey *p, const ThsKey *q, size_t i) {
  size_t e = i + p->n;
  if (p->cls[0] == NORM_WORD && i > 0 && q->cls[i - 1] == NORM_WORD) return 0;
  if (p->cls[p->n - 1] == NORM_WORD && e < q->n && q->cls[e] == NORM_WORD) return 0;
  /* Replacing source bytes is only exact when no source char is shared with a code point
  ** outside the entry (㍻ normalizes to two code points from one char). */
  if (i > 0 && q->src_end[i - 1] > q->src_start[i]) return 0;
  if (e < q->n && q->src_start[e] < q->src_end[e - 1]) return 0;
  return 1;
}

/* The longest entry matching q at i (see thesaurus.h), or NULL. The index holds the entries
** starting with q's char at i in one run, longest first, those of one length in code point
** order: per length, one binary search finds the only entry that can match, so a run of
** 100,000 entries costs a few dozen comparisons per position, not 100,000. */
static const ThsTerm *longest_at(const Thesaurus *ths, const ThsKey *q, size_t i) {
  const ThsTerm *const *ix = ths->index;
  size_t lo = 0, hi = ths->n_index;
  while (lo < hi) { /* first index entry whose first code point is >= q->cp[i] */
    size_t mid = lo + (hi - lo) / 2;
    if (ix[mid]->key.cp[0] < q->cp[i]) lo = mid + 1;
    else hi = mid;
  }
  size_t run_end = lo, top = ths->n_index;
  while (run_end < top) { /* the end of the run of entries starting with q->cp[i] */
    size_t mid = run_end + (top - run_end) / 2;
    if (ix[mid]->key.cp[0] == q->cp[i]) run_end = mid + 1;
    else top = mid;
  }
  for (size_t x = lo; x < run_end;) {
    size_t len = ix[x]->key.n, end = x + 1, b = run_end;
    while (end < b) { /* the end of the entries of this length */
      size_t mid = end + (b - end) / 2;
      if (ix[mid]->key.n == len) end = mid + 1;
      else b = mid;
    }
    if (len <= q->n - i) {
      size_t a = x;
      b = end;
      while (a < b) { /* the first entry of this length not below q's code points */
        size_t mid = a + (b - a) / 2;
        if (memcmp(ix[mid]->key.cp, q->cp + i, len * sizeof *q->cp) < 0) a = mid + 1;
        else b = mid;
      }
      if (a < end && memcmp(ix[a]->key.cp, q->cp + i, len * sizeof *q->cp) == 0 &&
          fits_at(&ix[a]->key, q, i))
        return ix[a];
    }
    x = end;
  }
  return NULL;
}

/* Builds the variant of the current choices and offers it to the term. */
static int emit(ThsExpansion *x) {
  const char *text = x->term->text;
  size_t need = x->term->n_bytes + 1;
  for (size_t s = 0; s < x->n_slots; s++)
    if (x->choice[s] > 0)
      need += x->ths->terms[x->slots[s].alts[x->choice[s] - 1]].n_text;
  if (need > x->cap_buf) {
    char *buf = jfts_realloc(x->buf, need);
    if (buf == NULL) return JFTS_ERR_NOMEM;
    x->buf = buf;
    x->cap_buf = need;
  }
  size_t k = 0, pos = 0;
  for (size_t s = 0; s < x->n_slots; s++) {
    if (x->choice[s] == 0) continue;
    const ThsTerm *alt = &x->ths->terms[x->slots[s].alts[x->choice[s] - 1]];
    memcpy(x->buf + k, text + pos, x->slots[s].start - pos);
    k += x->slots[s].start - pos;
    memcpy(x->buf + k, alt->text, alt->n_text);
    k += alt->n_text;
    pos = x->slots[s].end;
  }
  memcpy(x->buf + k, text + pos, x->term->n_bytes - pos);
  k += x->term->n_bytes - pos;
  x->buf[k] = '\0';

  if (++x->n_tries > THS_MAX_TRIES) {
    x->capped = 1;
    return JFTS_OK;
  }
  char *err = NULL;
  int rc = qry_term_add_variant(x->term, x->buf, k, &err);
  if (rc == JFTS_ERR_USAGE) {
    x->capped = 1;
    rc = JFTS_OK;
  } else if (rc != JFTS_OK && err != NULL) {
    jfts_set_error(x->err_out, "%s", err);
  }
  jfts_free(err);
  return rc;
}

/* Emits every combination that replaces exactly k_left more slots, all at or after from. */
static int enumerate(ThsExpansion *x, size_t from, size_t k_left) {
  if (k_left == 0) return emit(x);
  for (size_t s = from; s + k_left <= x->n_slots && !x->capped; s++) {
    for (size_t a = 0; a < x->slots[s].n_alts && !x->capped; a++) {
      x->choice[s] = a + 1;
      int rc = enumerate(x, s + 1, k_left - 1);
      x->choice[s] = 0;
      if (rc != JFTS_OK) return rc;
    }
  }
  return JFTS_OK;
}

static int add_warning(char ***warnings, size_t *n_warnings, const QryTerm *term) {
  size_t n = term->n_bytes;
  int cut = n > THS_WARN_EXCERPT;
  if (cut) {
    n = jfts_utf8_char_start(term->text, 0, THS_WARN_EXCERPT);
  }
  char **grown = jfts_realloc(*warnings, (*n_warnings + 1) * sizeof *grown);
  if (grown == NULL) return JFTS_ERR_NOMEM;
  *warnings = grown;
  char *w = jfts_mprintf("expansion of '%.*s%s' capped at %d variants", (int)n, term->text,
                         cut ? "…" : "", QRY_MAX_VARIANTS);
  if (w == NULL) return JFTS_ERR_NOMEM;
  (*warnings)[(*n_warnings)++] = w;
  return JFTS_OK;
}

/* Expands one term; *capped_out is set when its variants hit the cap. */
static int expand_term(const Thesaurus *ths, QryTerm *term, int *capped_out, char **err_out) {
  ThsKey q;
  ThsExpansion x;
  memset(&x, 0, sizeof x);
  *capped_out = 0;
  int rc = key_build(term->text, term->n_bytes, &q, err_out);
  if (rc != JFTS_OK) return rc;
  x.slots = jfts_malloc((q.n ? q.n : 1) * sizeof *x.slots);
  x.choice = jfts_calloc(q.n ? q.n : 1, sizeof *x.choice);
  if (x.slots == NULL || x.choice == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (size_t i = 0; rc == JFTS_OK && i < q.n;) {
    const ThsTerm *entry = longest_at(ths, &q, i);
    if (entry == NULL) {
      i++;
      continue;
    }
    size_t e = i + entry->key.n;
    ThsSlot *slot = &x.slots[x.n_slots++];
    slot->start = q.src_start[i];
    slot->end = q.src_end[e - 1];
    slot->entry = entry;
    /* Each alternative tried costs a try, so no more than THS_MAX_TRIES + 1 of a slot's are
    ** ever reached: a group of 100,000 costs what it reaches, not its size. */
    rc = alts_collect(ths, (size_t)(entry - ths->terms), THS_MAX_TRIES + 1, &slot->alts,
                      &slot->n_alts);
    i = e;
  }
  x.ths = ths;
  x.term = term;
  x.err_out = err_out;
  for (size_t k = 1; rc == JFTS_OK && k <= x.n_slots && !x.capped; k++)
    rc = enumerate(&x, 0, k);
  *capped_out = x.capped;

cleanup:
  key_free(&q);
  for (size_t i = 0; i < x.n_slots; i++) jfts_free(x.slots[i].alts);
  jfts_free(x.slots);
  jfts_free(x.choice);
  jfts_free(x.buf);
  return rc;
}

int ths_expand(const Thesaurus *ths, Query *q, char ***warnings_out, size_t *n_warnings_out,
               char **err_out) {
  int rc = JFTS_OK;
  char **warnings = NULL;
  size_t n_warnings = 0;
  if (warnings_out) *warnings_out = NULL;
  if (n_warnings_out) *n_warnings_out = 0;
  if (ths == NULL || ths->n_index == 0 || q == NULL) return JFTS_OK;
  for (size_t c = 0; rc == JFTS_OK && c < q->n_clauses; c++) {
    for (size_t t = 0; rc == JFTS_OK && t < q->clauses[c].n_terms; t++) {
      int capped = 0;
      rc = expand_term(ths, &q->clauses[c].terms[t], &capped, err_out);
      if (rc == JFTS_OK && capped)
        rc = add_warning(&warnings, &n_warnings, &q->clauses[c].terms[t]);
    }
  }
  if (rc != JFTS_OK || warnings_out == NULL || n_warnings_out == NULL) {
    ths_warnings_free(warnings, n_warnings);
    return rc;
  }
  *warnings_out = warnings;
  *n_warnings_out = n_warnings;
  return JFTS_OK;
}

/* Adds the related texts of the entry whose key equals text's to term. */
static int relate_text(const Thesaurus *rel, QryTerm *term, const char *text, size_t n_bytes,
                       char **err_out) {
  ThsKey q;
  int rc = key_build(text, n_bytes, &q, err_out);
  if (rc != JFTS_OK) return rc;
  size_t idx = term_find(rel, &q, key_hash(&q));
  key_free(&q);
  if (idx == SIZE_MAX) return JFTS_OK;
  /* Walked, not collected: the term's list fills (JFTS_ERR_USAGE) long before a big rule
  ** ends. */
  ThsAltIter it;
  alt_iter_init(&it, rel, idx);
  for (int found = 1; rc == JFTS_OK;) {
    size_t a = 0;
    rc = alt_iter_next(&it, &a, &found);
    if (rc != JFTS_OK || !found) break;
    rc = qry_term_add_related(term, rel->terms[a].text, rel->terms[a].n_text, err_out);
  }
  alt_iter_free(&it);
  return rc;
}

int ths_expand_related(const Thesaurus *rel, Query *q, char **err_out) {
  int rc = JFTS_OK;
  if (rel == NULL || rel->n_index == 0 || q == NULL) return JFTS_OK;
  for (size_t c = 0; rc == JFTS_OK && c < q->n_clauses; c++) {
    if (q->clauses[c].excluded) continue;
    for (size_t t = 0; rc == JFTS_OK && t < q->clauses[c].n_terms; t++) {
      QryTerm *term = &q->clauses[c].terms[t];
      if (term->is_phrase) continue;
      size_t n_variants = term->n_variants;
      rc = relate_text(rel, term, term->text, term->n_bytes, err_out);
      for (size_t v = 0; rc == JFTS_OK && v < n_variants; v++)
        rc = relate_text(rel, term, term->variants[v], strlen(term->variants[v]), err_out);
      /* A term whose related list is full keeps what it has: the layer only adds. */
      if (rc == JFTS_ERR_USAGE) {
        if (err_out) {
          jfts_free(*err_out);
          *err_out = NULL;
        }
        rc = JFTS_OK;
      }
    }
  }
  return rc;
}

int ths_alternatives(const Thesaurus *ths, const char *text, size_t n_bytes,
                     const char ***alts_out, size_t *n_out, char **err_out) {
  ThsKey q;
  size_t *idx = NULL, n = 0;
  const char **alts = NULL;
  *alts_out = NULL;
  *n_out = 0;
  if (ths == NULL) return JFTS_OK;
  int rc = key_build(text, n_bytes, &q, err_out);
  if (rc != JFTS_OK) return rc;
  size_t term = term_find(ths, &q, key_hash(&q));
  key_free(&q);
  if (term == SIZE_MAX) return JFTS_OK;
  rc = alts_collect(ths, term, SIZE_MAX, &idx, &n);
  if (rc == JFTS_OK && n > 0 && (alts = jfts_malloc(n * sizeof *alts)) == NULL)
    rc = JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < n; i++) alts[i] = ths->terms[idx[i]].text;
  jfts_free(idx);
  if (rc != JFTS_OK) return rc;
  *alts_out = alts;
  *n_out = n;
  return JFTS_OK;
}

int ths_find_entries(const Thesaurus *ths, const char *text, size_t n_bytes, size_t min_chars,
                     size_t **ranges_out, size_t *n_out, char **err_out) {
  ThsKey q;
  *ranges_out = NULL;
  *n_out = 0;
  if (ths == NULL || ths->n_index == 0) return JFTS_OK;
  int rc = key_build(text, n_bytes, &q, err_out);
  if (rc != JFTS_OK) return rc;
  size_t *ranges = NULL, n = 0;
  for (size_t i = 0; i < q.n;) {
    const ThsTerm *entry = longest_at(ths, &q, i);
    if (entry == NULL || entry->key.n < min_chars) {
      i++;
      continue;
    }
    size_t e = i + entry->key.n;
    size_t *g = jfts_realloc(ranges, (2 * n + 2) * sizeof *g);
    if (g == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    ranges = g;
    ranges[2 * n] = q.src_start[i];
    ranges[2 * n + 1] = q.src_end[e - 1];
    n++;
    i = e;
  }
  key_free(&q);
  if (rc != JFTS_OK) {
    jfts_free(ranges);
    return rc;
  }
  *ranges_out = ranges;
  *n_out = n;
  return JFTS_OK;
}

void ths_warnings_free(char **warnings, size_t n_warnings) {
  for (size_t i = 0; i < n_warnings; i++) jfts_free(warnings[i]);
  jfts_free(warnings);
}
