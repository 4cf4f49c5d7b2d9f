/* Occurrence finding on "collapsed" normalized text: NFKC_Casefold code points with the
** skippable white space (norm_space_skippable: any between two Japanese chars, line breaks
** included; spaces between a Japanese char and a digit/Latin letter) removed and every other
** space run reduced to one space. Terms are collapsed the same way, so a term occurs exactly
** where its collapsed code points appear, with Latin/digit ends on word boundaries. */
#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "norm.h"

typedef struct Collapsed {
  uint32_t *cp;  /* collapsed code points */
  uint8_t *cls;  /* their NormClass */
  size_t *first; /* per code point: first normalized index it stands for */
  size_t *last;  /* per code point: last normalized index it stands for */
  size_t n;
} Collapsed;

typedef struct Pattern {
  Collapsed c;
  int clause, term, variant;
} Pattern;

struct Matcher {
  Pattern *pats;
  size_t n_pats;
  int n_clauses; /* positive clauses */
  int *clause_rank; /* per query clause: its order among the positive clauses, -1 if excluded */
};

static void collapsed_free(Collapsed *c) {
  jfts_free(c->cp);
  jfts_free(c->cls);
  jfts_free(c->first);
  jfts_free(c->last);
  memset(c, 0, sizeof *c);
}

/* Builds the collapsed form of normalized text t; trim drops leading/trailing spaces. */
static int collapse(const NormText *t, int trim, Collapsed *out) {
  memset(out, 0, sizeof *out);
  size_t n = t->n ? t->n : 1;
  out->cp = jfts_malloc(n * sizeof *out->cp);
  out->cls = jfts_malloc(n);
  out->first = jfts_malloc(n * sizeof *out->first);
  out->last = jfts_malloc(n * sizeof *out->last);
  if (!out->cp || !out->cls || !out->first || !out->last) {
    collapsed_free(out);
    return JFTS_ERR_NOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < t->n;) {
    if (t->cls[i] != NORM_SPACE) {
      out->cp[k] = t->cp[i];
      out->cls[k] = t->cls[i];
      out->first[k] = out->last[k] = i;
      k++;
      i++;
      continue;
    }
    size_t j = i;
    while (j < t->n && t->cls[j] == NORM_SPACE) j++;
    int edge = i == 0 || j == t->n;
    if (!(edge && trim) && !(i > 0 && j < t->n && norm_space_skippable(t, i - 1, j))) {
      out->cp[k] = ' ';
      out->cls[k] = NORM_SPACE;
      out->first[k] = i;
      out->last[k] = j - 1;
      k++;
    }
    i = j;
  }
  out->n = k;
  return JFTS_OK;
}

static int add_pattern(Matcher *m, size_t *n_alloc, const char *text, size_t n_bytes, int clause,
                       int term, int variant, char **err_out) {
  NormText *t = NULL;
  int rc = norm_text(text, n_bytes, &t, err_out);
  if (rc != JFTS_OK) return rc;
  if (m->n_pats == *n_alloc) {
    size_t grown = *n_alloc ? 2 * *n_alloc : 8;
    Pattern *p = jfts_realloc(m->pats, grown * sizeof *p);
    if (p == NULL) {
      norm_free(t);
      return JFTS_ERR_NOMEM;
    }
    m->pats = p;
    *n_alloc = grown;
  }
  Pattern *p = &m->pats[m->n_pats];
  rc = collapse(t, 1, &p->c);
  norm_free(t);
  if (rc != JFTS_OK) return rc;
  if (p->c.n == 0) {
    collapsed_free(&p->c);
    return JFTS_OK;
  }
  p->clause = clause;
  p->term = term;
  p->variant = variant;
  m->n_pats++;
  return JFTS_OK;
}

int match_new(const Query *query, Matcher **out, char **err_out) {
  int rc = JFTS_OK;
  size_t n_alloc = 0;
  Matcher *m = jfts_calloc(1, sizeof *m);
  *out = NULL;
  if (m == NULL) return JFTS_ERR_NOMEM;
  m->clause_rank = jfts_malloc((query->n_clauses ? query->n_clauses : 1) * sizeof(int));
  if (m->clause_rank == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (size_t c = 0; rc == JFTS_OK && c < query->n_clauses; c++) {
    const QryClause *cl = &query->clauses[c];
    m->clause_rank[c] = cl->excluded ? -1 : m->n_clauses++;
    if (cl->excluded) continue;
    for (size_t t = 0; rc == JFTS_OK && t < cl->n_terms; t++) {
      const QryTerm *term = &cl->terms[t];
      rc = add_pattern(m, &n_alloc, term->text, term->n_bytes, (int)c, (int)t, -1, err_out);
      for (size_t v = 0; rc == JFTS_OK && v < term->n_variants; v++)
        rc = add_pattern(m, &n_alloc, term->variants[v], strlen(term->variants[v]), (int)c,
                         (int)t, (int)v, err_out);
      for (size_t r = 0; rc == JFTS_OK && r < term->n_related; r++)
        rc = add_pattern(m, &n_alloc, term->related[r], strlen(term->related[r]), (int)c,
                         (int)t, (int)(term->n_variants + r), err_out);
    }
  }
cleanup:
  if (rc != JFTS_OK) {
    match_free(m);
    return rc;
  }
  *out = m;
  return JFTS_OK;
}

void match_free(Matcher *m) {
  if (m == NULL) return;
  for (size_t i = 0; i < m->n_pats; i++) collapsed_free(&m->pats[i].c);
  jfts_free(m->pats);
  jfts_free(m->clause_rank);
  jfts_free(m);
}

static int span_cmp(const void *a, const void *b) {
  const MatchSpan *x = a, *y = b;
  if (x->start_byte != y->start_byte) return x->start_byte < y->start_byte ? -1 : 1;
  if (x->end_byte != y->end_byte) return x->end_byte > y->end_byte ? -1 : 1;
  if (x->clause != y->clause) return x->clause < y->clause ? -1 : 1;
  return x->variant < y->variant ? -1 : x->variant > y->variant;
}

int match_find(const Matcher *m, const char *text, size_t n_bytes, MatchSpan **spans_out,
               size_t *n_spans_out, char **err_out) {
  NormText *t = NULL;
  Collapsed c = {0};
  MatchSpan *spans = NULL;
  size_t n_spans = 0, n_alloc = 0;
  size_t *cp_at = NULL; /* code point index of each byte offset */
  *spans_out = NULL;
  *n_spans_out = 0;
  int rc = norm_text(text, n_bytes, &t, err_out);
  if (rc == JFTS_OK) rc = collapse(t, 0, &c);
  if (rc == JFTS_OK) {
    cp_at = jfts_malloc((n_bytes + 1) * sizeof *cp_at);
    if (cp_at == NULL) rc = JFTS_ERR_NOMEM;
  }
  if (rc != JFTS_OK) goto cleanup;
  for (size_t b = 0, k = 0; b <= n_bytes; b++) {
    cp_at[b] = k;
    if (b < n_bytes) k += jfts_utf8_count(text + b, 1);
  }
  for (size_t p = 0; rc == JFTS_OK && p < m->n_pats; p++) {
    const Collapsed *pc = &m->pats[p].c;
    if (pc->n > c.n) continue;
    for (size_t i = 0; i + pc->n <= c.n; i++) {
      if (c.cp[i] != pc->cp[0] || memcmp(c.cp + i, pc->cp, pc->n * sizeof *pc->cp) != 0) continue;
      size_t e = i + pc->n; /* exclusive */
      if (pc->cls[0] == NORM_WORD && i > 0 && c.cls[i - 1] == NORM_WORD) continue;
      if (pc->cls[pc->n - 1] == NORM_WORD && e < c.n && c.cls[e] == NORM_WORD) continue;
      if (n_spans == n_alloc) {
        size_t grown = n_alloc ? 2 * n_alloc : 16;
        MatchSpan *g = jfts_realloc(spans, grown * sizeof *g);
        if (g == NULL) {
          rc = JFTS_ERR_NOMEM;
          break;
        }
        spans = g;
        n_alloc = grown;
      }
      MatchSpan *s = &spans[n_spans++];
      s->start_byte = t->src_start[c.first[i]];
      s->end_byte = t->src_end[c.last[e - 1]];
      s->start_cp = cp_at[s->start_byte];
      s->end_cp = cp_at[s->end_byte];
      s->start_pos = i;
      s->end_pos = e;
      s->clause = m->pats[p].clause;
      s->term = m->pats[p].term;
      s->variant = m->pats[p].variant;
    }
  }
  if (rc == JFTS_OK && n_spans > 1) qsort(spans, n_spans, sizeof *spans, span_cmp);
cleanup:
  jfts_free(cp_at);
  collapsed_free(&c);
  norm_free(t);
  if (rc != JFTS_OK) {
    jfts_free(spans);
    return rc;
  }
  *spans_out = spans;
  *n_spans_out = n_spans;
  return JFTS_OK;
}

/* The chain ends reached so far, as a set of (end_pos, clause rank) pairs: open addressing,
** a power-of-two table at least twice as large as what it holds. */
typedef struct ReachSet {
  uint64_t small[512];
  uint64_t *v; /* key + 1; 0 empty */
  size_t n, cap;
} ReachSet;

static uint64_t reach_key(size_t end_pos, int rank) {
  return ((uint64_t)end_pos << 16 | (uint64_t)(unsigned)rank) + 1;
}

static size_t reach_slot(const ReachSet *r, uint64_t key) {
  return (size_t)((key * 0x9E3779B97F4A7C15u) >> 17) & (r->cap - 1);
}

static int reach_has(const ReachSet *r, uint64_t key) {
  for (size_t s = reach_slot(r, key); r->v[s] != 0; s = (s + 1) & (r->cap - 1))
    if (r->v[s] == key) return 1;
  return 0;
}

/* Adds key; returns 0 when out of memory. */
static int reach_add(ReachSet *r, uint64_t key) {
  if (2 * (r->n + 1) > r->cap) {
    size_t cap = 2 * r->cap;
    uint64_t *g = jfts_calloc(cap, sizeof *g);
    if (g == NULL) return 0;
    uint64_t *old = r->v;
    size_t old_cap = r->cap;
    r->v = g;
    r->cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
      if (old[i] == 0) continue;
      size_t s = reach_slot(r, old[i]);
      while (g[s] != 0) s = (s + 1) & (cap - 1);
      g[s] = old[i];
    }
    if (old != r->small) jfts_free(old);
  }
  size_t s = reach_slot(r, key);
  for (; r->v[s] != 0; s = (s + 1) & (r->cap - 1))
    if (r->v[s] == key) return 1;
  r->v[s] = key;
  r->n++;
  return 1;
}

/* An empty set in its inline slots. */
static void reach_init(ReachSet *r) {
  memset(r->small, 0, sizeof r->small);
  r->v = r->small;
  r->n = 0;
  r->cap = sizeof r->small / sizeof *r->small;
}

int match_adjacent_in_order(const Matcher *m, const MatchSpan *spans, size_t n_spans) {
  if (m->n_clauses < 2) return 0;
  /* Over spans by start: a span continues a chain of the first clause_rank clauses when an
  ** earlier span of the clause before it ends where it starts. The chain ends reached are
  ** kept in a set, so that a passage of thousands of occurrences costs linear time, not the
  ** square of it. Only earlier spans count (sorted), as the chain reads left to right. */
  ReachSet r;
  reach_init(&r);
  int found = 0;
  for (size_t k = 0; k < n_spans && !found; k++) {
    int rank = m->clause_rank[spans[k].clause];
    int reached = rank == 0 || (rank > 0 && reach_has(&r, reach_key(spans[k].start_pos, rank - 1)));
    if (!reached) continue;
    if (rank == m->n_clauses - 1) found = 1;
    else if (!reach_add(&r, reach_key(spans[k].end_pos, rank))) break;
  }
  if (r.v != r.small) jfts_free(r.v);
  return found;
}

/* Byte length of the one-char particle at text[at] that may join two words of a noun phrase
** or a predicate (事例検討の方法, 当事者が参加), 0 when there is none. */
static size_t particle_at(const char *text, size_t n_bytes, size_t at) {
  static const char *const k_particles[] = {"の", "と", "を", "に", "が", "は", "で", "へ", "や"};
  for (size_t i = 0; i < sizeof k_particles / sizeof *k_particles; i++) {
    size_t len = strlen(k_particles[i]);
    if (at + len <= n_bytes && memcmp(text + at, k_particles[i], len) == 0) return len;
  }
  return 0;
}

int match_adjacent_across_particle(const Matcher *m, const char *text, size_t n_bytes,
                                   const MatchSpan *spans, size_t n_spans) {
  if (m->n_clauses < 2) return 0;
  /* As match_adjacent_in_order, on byte offsets: a chain end reached at byte e is also
  ** reached after the particle at e. */
  ReachSet r;
  reach_init(&r);
  int found = 0, ok = 1;
  for (size_t k = 0; k < n_spans && !found && ok; k++) {
    int rank = m->clause_rank[spans[k].clause];
    int reached =
        rank == 0 || (rank > 0 && reach_has(&r, reach_key(spans[k].start_byte, rank - 1)));
    if (!reached) continue;
    if (rank == m->n_clauses - 1) {
      found = 1;
      break;
    }
    size_t end = spans[k].end_byte, gap = particle_at(text, n_bytes, end);
    ok = reach_add(&r, reach_key(end, rank)) && (gap == 0 || reach_add(&r, reach_key(end + gap, rank)));
  }
  if (r.v != r.small) jfts_free(r.v);
  return found;
}
