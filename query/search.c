/* Ranked search (search.h): one pass over every matching passage through the store
** (jfts_rank score and occurrence count per row, kept in a bounded heap), an adjacency set
** from one extra phrase query, then the word-boundary rerank and the exact occurrences on the
** few passages that are shown. Nothing here normalizes a passage that is not a candidate. */
#include "search.h"

#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "norm.h"
#include "textseg.h"

/* Most concatenations tried for the adjacency phrase query (one per combination of the
** clauses' alternatives); beyond it adjacency is judged on the reranked passages only. */
#define SEARCH_ADJ_MAX_COMBOS 64

typedef struct Hit {
  int64_t id;
  double score;
  uint64_t doc_key;
  int exact;         /* 1: matches the query without its thesaurus variants */
  int coord;         /* positive clauses held directly (own text or spelling variant) */
  int coord_related; /* positive clauses held only through a related-topic text */
  uint64_t missing;  /* bit c: positive clause c (c < 64) held neither way */
  int body;          /* 1: the passage text holds an occurrence and is no table of contents;
                     ** 0: only its heading or label matched, or it is a TOC (ranked after);
                     ** for several clauses 0 only for a TOC */
  int adjacent;
  int partial;       /* 1: holds some positive clauses directly, not all (ordered by BM25) */
  int joined;        /* 1: not adjacent, but adjacent and in order across one particle
                     ** (事例検討の方法 for 事例検討 方法; set when analysed) */
  int near;          /* 1: two or more clauses, and every clause the passage holds occurs in
                     ** one sentence of its text or of its heading (set when analysed) */
  int analysed;      /* 1 once spans, near and joined are set */
  int whole_words;   /* -1 until analysed (a partial hit: only when shown) */
  int whole_heading; /* whole_words counting the heading's whole words too (several clauses;
                     ** it orders the rerank) */
  MatchSpan *spans;  /* set by analyse (owned) */
  size_t n_spans;
  size_t focus;      /* index into spans of the occurrence to show */
} Hit;

/* ---- ordering ---------------------------------------------------------------------------- */

static int doc_before(const Hit *a, const Hit *b) {
  if (a->doc_key != b->doc_key) return a->doc_key < b->doc_key;
  return a->id < b->id;
}

/* Best match first: more clauses held directly, then more held through related topics (a
** literal occurrence always ranks above a related-topic-only hit). For the passages holding
** every clause these are equal, so their order is the strict AND's. */
static int coord_differs(const Hit *a, const Hit *b, int *before_out) {
  if (a->coord != b->coord) *before_out = a->coord > b->coord;
  else if (a->coord_related != b->coord_related) *before_out = a->coord_related > b->coord_related;
  else return 0;
  return 1;
}

static int rank_before(const Hit *a, const Hit *b) {
  int before;
  if (coord_differs(a, b, &before)) return before;
  if (a->body != b->body) return a->body > b->body;
  if (a->partial) return a->score != b->score ? a->score > b->score : doc_before(a, b);
  if (a->exact != b->exact) return a->exact > b->exact;
  if (a->adjacent != b->adjacent) return a->adjacent > b->adjacent;
  if (a->score != b->score) return a->score > b->score;
  return doc_before(a, b);
}

static int rerank_before(const Hit *a, const Hit *b) {
  int before;
  if (coord_differs(a, b, &before)) return before;
  if (a->body != b->body) return a->body > b->body;
  if (a->partial && a->near != b->near) return a->near > b->near;
  if (a->partial) return a->score != b->score ? a->score > b->score : doc_before(a, b);
  if (a->exact != b->exact) return a->exact > b->exact;
  if (a->adjacent != b->adjacent) return a->adjacent > b->adjacent;
  if (a->joined != b->joined) return a->joined > b->joined;
  if (a->near != b->near) return a->near > b->near;
  if (a->whole_heading != b->whole_heading) return a->whole_heading > b->whole_heading;
  if (a->score != b->score) return a->score > b->score;
  return doc_before(a, b);
}

/* 1 when the rerank may reorder a and b: they agree on every key rank_before puts before
** BM25 (adj_known: adjacency came from the FTS5 phrase query, not from the analysis). */
static int same_group(const Hit *a, const Hit *b, int adj_known) {
  if (a->coord != b->coord || a->coord_related != b->coord_related || a->body != b->body)
    return 0;
  return a->partial || (a->exact == b->exact && (!adj_known || a->adjacent == b->adjacent));
}

/* How many of the sorted hits the rerank analyses: the first `want` (offset + limit) and the
** rest of the group of the last of them, as the rerank moves no hit out of its group (the
** next pages analyse their own groups, which reach as far: pages stay consistent); at most
** SEARCH_RERANK_DEPTH. */
static size_t rerank_depth(const Hit *hits, size_t n, size_t want, int adj_known) {
  size_t depth = n < SEARCH_RERANK_DEPTH ? n : SEARCH_RERANK_DEPTH;
  if (want == 0 || want >= depth) return depth;
  size_t end = want;
  while (end < depth && same_group(&hits[want - 1], &hits[end], adj_known)) end++;
  return end;
}

typedef int (*BeforeFn)(const Hit *a, const Hit *b);

typedef struct IdSet {
  int64_t *ids;
  size_t n, cap;
} IdSet;

/* BM25 scores by passage id, sorted by id. */
typedef struct ScoreSet {
  struct IdScore {
    int64_t id;
    double score;
  } *items;
  size_t n, cap;
} ScoreSet;

/* Collects hits: all of them, or only the best `keep` in a heap whose root is the worst kept. */
typedef struct Collector {
  Hit *hits;
  size_t n, cap;
  size_t keep;          /* 0: keep all */
  BeforeFn before;
  const int64_t *adj;   /* sorted ids of passages with the clauses adjacent; NULL: none known */
  size_t n_adj;
  const int64_t *exact; /* sorted ids of passages matching the query without variants; NULL
                        ** when the query has no variant (every passage is exact) */
  size_t n_exact;
  const ScoreSet *direct_scores; /* scores over the query without its related texts, for the
                                 ** passages it matches; NULL: the query has none */
  int related_pass;     /* 1 while collecting the related-only expression's rows */
  const struct ClauseSets *sets; /* per query clause, for best match and the related layer;
                                 ** NULL: every hit holds every clause directly, or the
                                 ** phrase maps tell; with them, only the related sets of a
                                 ** first pass that leaves related texts out */
  const struct PhraseMap *phrase_map; /* the clauses a hit holds, from its row's phrases:
                                      ** the expression of the first pass; NULL: sets tell */
  const struct PhraseMap *rel_map;    /* the same for the related pass */
  int mismatch;         /* 1: a row's phrase count was not its map's (search_run falls back) */
  IdSet first_ids;      /* with phrase maps and a related pass: every row of the first pass
                        ** (sorted before the related pass), the passages holding a word */
  int keep_first_ids;
  size_t n_sets;        /* query clauses */
  int n_positive;       /* positive clauses */
  SearchTotals totals;
} Collector;

static void heap_down(Collector *c, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, worst = i;
    if (l < c->n && c->before(&c->hits[worst], &c->hits[l])) worst = l;
    if (r < c->n && c->before(&c->hits[worst], &c->hits[r])) worst = r;
    if (worst == i) return;
    Hit t = c->hits[i];
    c->hits[i] = c->hits[worst];
    c->hits[worst] = t;
    i = worst;
  }
}

static void heap_up(Collector *c, size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!c->before(&c->hits[parent], &c->hits[i])) return;
    Hit t = c->hits[i];
    c->hits[i] = c->hits[parent];
    c->hits[parent] = t;
    i = parent;
  }
}

static int in_sorted(const int64_t *ids, size_t n, int64_t id) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && ids[lo] == id;
}

/* The score of id in set, or -1 when the set does not hold it. */
static double score_of(const ScoreSet *set, int64_t id) {
  size_t lo = 0, hi = set->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (set->items[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < set->n && set->items[lo].id == id ? set->items[lo].score : -1.0;
}

/* The passages holding one positive clause, each set sorted by id. */
typedef struct ClauseSets {
  int used;          /* 1 for a positive clause */
  IdSet direct;      /* the clause's own texts and spelling variants */
  IdSet own;         /* its own texts only; used when has_own */
  IdSet related;     /* its related-topic texts; used when has_related */
  int has_own, has_related;
} ClauseSets;

/* Which phrases of a MATCH expression (FTS5 numbers them as written: StoreHit.phrases) belong
** to each positive clause, so that the ranked scan itself tells which clauses a row holds. */
typedef struct ClausePhrases {
  int used;         /* 1 for a positive clause */
  int has_own;      /* 1 when a term of the clause has spelling variants */
  int has_related;  /* 1 when a term of the clause has related texts */
  uint64_t direct;  /* its own texts and spelling variants */
  uint64_t own;     /* its own texts */
  uint64_t related; /* its related texts (0 when the expression leaves them out) */
} ClausePhrases;

typedef struct PhraseMap {
  ClausePhrases *clauses; /* per query clause; NULL: no map */
  int n_phrase;           /* phrases qry_build_match_ex writes (FTS5 must parse as many) */
} PhraseMap;

/* Sets coord, coord_related, missing and exact of hit as classify does, from the phrases its
** row holds (pm: the map of the expression scanned) and, for a clause whose related texts
** the expression leaves out, its related set (c->sets). */
static void classify_phrases(const Collector *c, const PhraseMap *pm, Hit *hit,
                             uint64_t phrases) {
  hit->coord = 0;
  hit->coord_related = 0;
  hit->missing = 0;
  for (size_t i = 0; i < c->n_sets; i++) {
    const ClausePhrases *cp = &pm->clauses[i];
    if (!cp->used) continue;
    const ClauseSets *cs = c->sets ? &c->sets[i] : NULL;
    if (phrases & cp->direct) {
      hit->coord++;
      if (cp->has_own && !(phrases & cp->own)) hit->exact = 0;
    } else if (cp->has_related &&
               ((phrases & cp->related) ||
                (cs && cs->has_related && in_sorted(cs->related.ids, cs->related.n, hit->id)))) {
      hit->coord_related++;
    } else if (i < 64) {
      hit->missing |= UINT64_C(1) << i;
    }
  }
  hit->partial = hit->coord > 0 && hit->coord < c->n_positive;
}

/* Classifies hit from the phrase map of the current pass. Returns 1 when the hit is to be
** dropped: its row was counted in the first pass (related pass), or its phrase count is not
** the map's (then c->mismatch is set). */
static int classify_by_map(Collector *c, const StoreHit *h, Hit *hit) {
  const PhraseMap *pm = c->related_pass ? c->rel_map : c->phrase_map;
  if (h->n_phrase != pm->n_phrase) {
    /* FTS5 parsed another expression than the map describes: search_run falls back to the
    ** clause scans (it cannot happen with the expressions qparse writes today). */
    c->mismatch = 1;
    return 1;
  }
  /* A row of the related pass that the first pass returned holds a word directly. */
  if (c->related_pass && in_sorted(c->first_ids.ids, c->first_ids.n, h->id)) return 1;
  classify_phrases(c, pm, hit, h->phrases);
  return 0;
}

/* Sets coord, coord_related, missing and exact of hit from the clause sets. */
static void classify(const Collector *c, Hit *hit) {
  hit->coord = c->n_positive;
  hit->coord_related = 0;
  hit->missing = 0;
  if (c->sets == NULL) return;
  hit->coord = 0;
  for (size_t i = 0; i < c->n_sets; i++) {
    const ClauseSets *cs = &c->sets[i];
    if (!cs->used) continue;
    if (in_sorted(cs->direct.ids, cs->direct.n, hit->id)) {
      hit->coord++;
      if (cs->has_own && !in_sorted(cs->own.ids, cs->own.n, hit->id)) hit->exact = 0;
    } else if (cs->has_related && in_sorted(cs->related.ids, cs->related.n, hit->id)) {
      hit->coord_related++;
    } else if (i < 64) {
      hit->missing |= UINT64_C(1) << i;
    }
  }
  hit->partial = hit->coord > 0 && hit->coord < c->n_positive;
}

static int collect_hit(void *ctx, const StoreHit *h) {
  Collector *c = ctx;
  c->totals.n_occurrences += h->n_occurrences;
  /* For several words, a heading or label holding one is part of the passage (the section
  ** or table row it belongs to): only a table of contents ranks after. */
  Hit hit = {.id = h->id, .score = h->score, .doc_key = h->doc_key, .whole_words = -1,
             .body = !h->toc && (h->n_occurrences > 0 || c->n_positive >= 2)};
  /* A passage the words find directly is ranked by them alone: a related text it also holds
  ** (障害当事者 beside 当事者) would add to its score what the user did not type. */
  double direct = c->direct_scores ? score_of(c->direct_scores, h->id) : -1.0;
  if (direct >= 0.0) hit.score = direct;
  hit.adjacent = c->adj && in_sorted(c->adj, c->n_adj, h->id);
  hit.exact = c->exact == NULL || in_sorted(c->exact, c->n_exact, h->id);
  if (c->phrase_map == NULL) classify(c, &hit);
  else if (classify_by_map(c, h, &hit)) return JFTS_OK;
  /* The related pass adds the occurrences of related texts; its passages that hold a word
  ** directly were collected, with the words' score, by the first pass. */
  if (c->related_pass && hit.coord > 0) return JFTS_OK;
  if (c->keep_first_ids && !c->related_pass) {
    int64_t *g = jfts_grow(c->first_ids.ids, &c->first_ids.cap, c->first_ids.n + 1, sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    c->first_ids.ids = g;
    g[c->first_ids.n++] = h->id;
  }
  c->totals.n_passages++;
  c->totals.n_every_word += hit.coord == c->n_positive;
  if (c->keep && c->n == c->keep) {
    if (!c->before(&hit, &c->hits[0])) return JFTS_OK;
    c->hits[0] = hit;
    heap_down(c, 0);
    return JFTS_OK;
  }
  if (c->n == c->cap) {
    size_t cap = c->cap ? 2 * c->cap : 64;
    Hit *g = jfts_realloc(c->hits, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    c->hits = g;
    c->cap = cap;
  }
  c->hits[c->n++] = hit;
  if (c->keep) heap_up(c, c->n - 1);
  return JFTS_OK;
}

/* Stable merge sort of hits by before (qsort takes no context, and ties must not move). */
static int sort_hits(Hit *hits, size_t n, BeforeFn before) {
  if (n < 2) return JFTS_OK;
  Hit *tmp = jfts_malloc(n * sizeof *tmp);
  if (tmp == NULL) return JFTS_ERR_NOMEM;
  for (size_t width = 1; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = before(&hits[j], &hits[i]) ? hits[j++] : hits[i++];
      while (i < mid) tmp[k++] = hits[i++];
      while (j < hi) tmp[k++] = hits[j++];
    }
    memcpy(hits, tmp, n * sizeof *hits);
  }
  jfts_free(tmp);
  return JFTS_OK;
}

/* ---- adjacency: the clauses' texts concatenated, as FTS5 phrases ------------------------- */

/* Class of the first (or last) searchable code point of text; NORM_SPACE when none. */
static int edge_class(const char *text, size_t n_bytes, int last, int *rc) {
  NormText *t = NULL;
  int r = norm_text(text, n_bytes, &t, NULL);
  if (r != JFTS_OK) {
    *rc = r == JFTS_ERR_NOMEM ? JFTS_ERR_NOMEM : JFTS_ERR_ICU;
    return NORM_SPACE;
  }
  int cls = NORM_SPACE;
  for (size_t k = 0; k < t->n; k++) {
    size_t i = last ? t->n - 1 - k : k;
    if (t->cls[i] != NORM_SPACE) {
      cls = t->cls[i];
      break;
    }
  }
  norm_free(t);
  return cls;
}

static int is_ascii_space(char c) { return c == ' ' || c == '\t'; }

/* Alternative a (0: the term's text, then its variants) of a clause, flattened. */
static const char *clause_alt(const QryClause *c, size_t a, size_t *n_bytes_out) {
  for (size_t t = 0; t < c->n_terms; t++) {
    const QryTerm *term = &c->terms[t];
    if (a == 0) {
      *n_bytes_out = term->n_bytes;
      return term->text;
    }
    a--;
    if (a < term->n_variants) {
      *n_bytes_out = strlen(term->variants[a]);
      return term->variants[a];
    }
    a -= term->n_variants;
  }
  *n_bytes_out = 0;
  return "";
}

static size_t clause_n_alts(const QryClause *c) {
  size_t n = 0;
  for (size_t t = 0; t < c->n_terms; t++) n += 1 + c->terms[t].n_variants;
  return n;
}

/* Builds the MATCH expression whose rows hold the positive clauses adjacent and in order:
** each combination of alternatives concatenated into one phrase. A junction between two
** Latin/digit ends is skipped (the matcher needs a word boundary there, which a phrase
** cannot say). *match_out is NULL when the query has fewer than two positive clauses, too
** many combinations, or none possible. */
static int adjacency_match(const Query *q, char **match_out, char **err_out) {
  int rc = JFTS_OK;
  const QryClause **cls = NULL;
  size_t *pick = NULL, n_cls = 0, n_combos = 1;
  Query *adj = NULL;
  char *buf = NULL;
  *match_out = NULL;
  for (size_t i = 0; i < q->n_clauses; i++) {
    if (q->clauses[i].excluded) continue;
    n_cls++;
    size_t n_alts = clause_n_alts(&q->clauses[i]);
    if (n_alts == 0 || n_combos > SEARCH_ADJ_MAX_COMBOS / n_alts) return JFTS_OK;
    n_combos *= n_alts;
  }
  if (n_cls < 2) return JFTS_OK;
  cls = jfts_malloc(n_cls * sizeof *cls);
  pick = jfts_calloc(n_cls, sizeof *pick);
  adj = jfts_calloc(1, sizeof *adj);
  if (!cls || !pick || !adj) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  n_cls = 0;
  for (size_t i = 0; i < q->n_clauses; i++)
    if (!q->clauses[i].excluded) cls[n_cls++] = &q->clauses[i];
  adj->clauses = jfts_calloc(1, sizeof *adj->clauses);
  if (adj->clauses == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  adj->n_clauses = 1;
  QryClause *out = &adj->clauses[0];
  out->terms = jfts_calloc(n_combos, sizeof *out->terms);
  if (out->terms == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  for (size_t combo = 0; rc == JFTS_OK && combo < n_combos; combo++) {
    size_t rest = combo, total = 0;
    for (size_t k = n_cls; k-- > 0;) {
      size_t n_alts = clause_n_alts(cls[k]);
      pick[k] = rest % n_alts;
      rest /= n_alts;
    }
    for (size_t k = 0; k < n_cls; k++) {
      size_t n;
      clause_alt(cls[k], pick[k], &n);
      total += n;
    }
    buf = jfts_malloc(total + 1);
    if (buf == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    size_t len = 0;
    int possible = 1, prev_class = NORM_SPACE;
    for (size_t k = 0; rc == JFTS_OK && k < n_cls; k++) {
      size_t n;
      const char *t = clause_alt(cls[k], pick[k], &n);
      while (n > 0 && is_ascii_space(*t)) t++, n--;
      while (n > 0 && is_ascii_space(t[n - 1])) n--;
      int first = edge_class(t, n, 0, &rc);
      if (k > 0 && prev_class == NORM_WORD && first == NORM_WORD) possible = 0;
      prev_class = edge_class(t, n, 1, &rc);
      memcpy(buf + len, t, n);
      len += n;
    }
    buf[len] = '\0';
    if (rc == JFTS_OK && possible && len > 0) {
      QryTerm *term = &out->terms[out->n_terms++];
      term->text = buf;
      term->n_bytes = len;
      term->is_phrase = 1;
      buf = NULL;
    }
    jfts_free(buf);
    buf = NULL;
  }
  if (rc == JFTS_OK && out->n_terms > 0) rc = qry_build_match(adj, match_out, err_out);

cleanup:
  jfts_free(cls);
  jfts_free(pick);
  qry_free(adj);
  return rc;
}

/* ---- exact: the query without its thesaurus variants ------------------------------------ */

/* Builds the MATCH expression of query with every term's variants left out, for the set of
** passages holding the user's own text; *match_out is NULL when no term has a variant (the
** full query is that set). The copy shares the terms' texts and frees only its arrays. */
static int exact_match(const Query *q, char **match_out, char **err_out) {
  int rc = JFTS_OK, any = 0;
  Query plain = {NULL, 0, NULL, 0};
  *match_out = NULL;
  for (size_t i = 0; i < q->n_clauses; i++)
    for (size_t t = 0; t < q->clauses[i].n_terms; t++) any |= q->clauses[i].terms[t].n_variants > 0;
  if (!any) return JFTS_OK;
  plain.clauses = jfts_calloc(q->n_clauses, sizeof *plain.clauses);
  if (plain.clauses == NULL) return JFTS_ERR_NOMEM;
  plain.n_clauses = q->n_clauses;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    plain.clauses[i] = *c;
    plain.clauses[i].terms = jfts_malloc(c->n_terms * sizeof *c->terms);
    if (plain.clauses[i].terms == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    for (size_t t = 0; t < c->n_terms; t++) {
      plain.clauses[i].terms[t] = c->terms[t];
      plain.clauses[i].terms[t].variants = NULL;
      plain.clauses[i].terms[t].n_variants = 0;
    }
  }
  if (rc == JFTS_OK) rc = qry_build_match(&plain, match_out, err_out);
  for (size_t i = 0; i < plain.n_clauses; i++) jfts_free(plain.clauses[i].terms);
  jfts_free(plain.clauses);
  return rc;
}

static int collect_id(void *ctx, const StoreHit *h) {
  IdSet *s = ctx;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    int64_t *g = jfts_realloc(s->ids, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    s->ids = g;
    s->cap = cap;
  }
  s->ids[s->n++] = h->id;
  return JFTS_OK;
}

static int collect_score(void *ctx, const StoreHit *h) {
  ScoreSet *s = ctx;
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 64;
    struct IdScore *g = jfts_realloc(s->items, cap * sizeof *g);
    if (g == NULL) return JFTS_ERR_NOMEM;
    s->items = g;
    s->cap = cap;
  }
  s->items[s->n].id = h->id;
  s->items[s->n++].score = h->score;
  return JFTS_OK;
}

static int cmp_id_score(const void *a, const void *b) {
  int64_t x = ((const struct IdScore *)a)->id, y = ((const struct IdScore *)b)->id;
  return x < y ? -1 : x > y;
}

/* The BM25 scores of the passages that match the query without its related texts (flags:
** the query's own QRY_MATCH_* besides), sorted by id. */
static int direct_scores(Store *s, const Query *q, unsigned flags, const StoreFilter *filter,
                         ScoreSet *out, char **err_out) {
  char *match = NULL;
  int rc = qry_build_match_ex(q, flags | QRY_MATCH_NO_RELATED, &match, err_out);
  if (rc == JFTS_OK) rc = store_match(s, match, filter, collect_score, out, err_out);
  if (rc == JFTS_OK && out->n > 1) qsort(out->items, out->n, sizeof *out->items, cmp_id_score);
  /* An empty set is still a set: no passage holds the words directly. */
  if (rc == JFTS_OK && out->items == NULL &&
      (out->items = jfts_malloc(sizeof *out->items)) == NULL)
    rc = JFTS_ERR_NOMEM;
  jfts_free(match);
  return rc;
}

static int cmp_id(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* ---- per-passage analysis ---------------------------------------------------------------- */

static int in_breaks(const size_t *breaks, size_t n, size_t at) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (breaks[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && breaks[lo] == at;
}

static int span_is_whole(const MatchSpan *sp, const size_t *breaks, size_t n_breaks) {
  return in_breaks(breaks, n_breaks, sp->start_byte) && in_breaks(breaks, n_breaks, sp->end_byte);
}

/* 1 for the chars ICU's Japanese dictionary segments (Han, kana and their marks): a run of
** them is split by the dictionary as a whole, and nothing outside it changes that split. */
static int is_dictionary_char(uint32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF66 && c <= 0xFF9F) || c == 0x3005 ||
         c == 0x3006 || (c >= 0x20000 && c <= 0x3FFFF);
}

/* Widens [*a, *b) to the dictionary run around it plus one char of context on each side:
** ICU's word boundaries inside that window are those of the whole passage. */
static void dictionary_window(const char *text, size_t n_bytes, size_t *a, size_t *b) {
  uint32_t c;
  while (*a > 0) {
    *a -= jfts_utf8_prev(text, *a, &c);
    if (!is_dictionary_char(c)) break;
  }
  while (*b < n_bytes) {
    *b += jfts_utf8_next(text + *b, n_bytes - *b, &c);
    if (!is_dictionary_char(c)) break;
  }
}

/* 1 when sp is an occurrence of a related-topic text of its term (not of the term's own text
** or a spelling variant). */
static int is_related_span(const Query *q, const MatchSpan *sp) {
  if (q == NULL || sp->clause < 0 || (size_t)sp->clause >= q->n_clauses) return 0;
  const QryClause *c = &q->clauses[sp->clause];
  if (sp->term < 0 || (size_t)sp->term >= c->n_terms) return 0;
  return sp->variant >= (int)c->terms[sp->term].n_variants;
}

/* Adds to *whole_io (bit c: clause c, c < 64) the positive clauses with an occurrence of their
** own text or a spelling variant on word boundaries at both ends in text (a related text found
** as a whole word does not count: it would lift a passage that lacks the word above one that
** holds it inside a longer word); *focus_out (may be NULL) gets the first whole-word
** occurrence of any kind (0 when none). Returns JFTS_OK or an error code. */
static int whole_word_clauses(const Query *q, const char *text, size_t n_bytes,
                              const MatchSpan *spans, size_t n_spans, uint64_t *whole_io,
                              size_t *focus_out, char **err_out) {
  int rc = JFTS_OK;
  size_t window_start = 1, window_end = 0; /* empty */
  size_t *breaks = NULL, n_breaks = 0;
  int focus_set = focus_out == NULL;
  if (focus_out) *focus_out = 0;
  /* Once every clause that occurs has a whole-word occurrence, later spans change nothing:
  ** stop there (ICU's dictionary segmentation is most of a query's time). */
  uint64_t occurs = 0;
  for (size_t i = 0; i < n_spans; i++) {
    int c = spans[i].clause;
    if (c >= 0 && c < 64 && !is_related_span(q, &spans[i])) occurs |= UINT64_C(1) << c;
  }
  for (size_t i = 0; rc == JFTS_OK && i < n_spans && !(focus_set && !(occurs & ~*whole_io));
       i++) {
    const MatchSpan *sp = &spans[i];
    if (!(sp->start_byte > window_start && sp->end_byte < window_end)) {
      size_t a = sp->start_byte, b = sp->end_byte;
      dictionary_window(text, n_bytes, &a, &b);
      jfts_free(breaks);
      breaks = NULL;
      rc = seg_boundaries(SEG_WORD, text + a, b - a, &breaks, &n_breaks, err_out);
      if (rc != JFTS_OK) break;
      for (size_t k = 0; k < n_breaks; k++) breaks[k] += a;
      window_start = a;
      window_end = b;
    }
    if (!span_is_whole(sp, breaks, n_breaks)) continue;
    if (!focus_set) {
      *focus_out = i;
      focus_set = 1;
    }
    if (sp->clause >= 0 && sp->clause < 64 && !is_related_span(q, sp))
      *whole_io |= UINT64_C(1) << sp->clause;
  }
  jfts_free(breaks);
  return rc;
}

static int popcount64(uint64_t x) {
  int n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

/* ---- the search -------------------------------------------------------------------------- */

typedef struct RunCtx {
  const Matcher *m;
  const Query *q;         /* the query searched (which spans are related texts) */
  uint64_t positive;      /* bit c: clause c (c < 64) is positive */
  Hit *hit;
  int compute_adjacent;   /* no FTS5 adjacency set (SEARCH_SORT_DOC, or too many
                          ** combinations): judge it from the spans */
  int spans_first;        /* 1 while reranking: a hit's first visit finds its spans, near
                          ** and joined, not its whole words (rerank asks again) */
  SearchResultCb cb;      /* NULL while reranking */
  void *cb_ctx;
  long rank;
  const SearchTotals *totals;
  char **err_out;
} RunCtx;

/* 1 when text holds 。！？ or a line break at byte at (a sentence or list item ends there). */
static int is_sentence_end(const char *text, size_t n_bytes, size_t at) {
  static const char *const k_ends[] = {"。", "！", "？", "．", "\n"};
  for (size_t i = 0; i < sizeof k_ends / sizeof *k_ends; i++) {
    size_t len = strlen(k_ends[i]);
    if (at + len <= n_bytes && memcmp(text + at, k_ends[i], len) == 0) return 1;
  }
  return 0;
}

/* 1 when one sentence of text (n_bytes; ended by 。！？ or a line break) holds an occurrence
** of each clause of want (bit c: clause c). spans sorted by start, as match_find gives them. */
static int in_one_sentence(const char *text, size_t n_bytes, const MatchSpan *spans,
                           size_t n_spans, uint64_t want) {
  size_t i = 0;
  while (i < n_spans) {
    uint64_t got = 0;
    size_t end = spans[i].start_byte;
    while (end < n_bytes && !is_sentence_end(text, n_bytes, end)) end++;
    /* at least span i, so that the walk always moves on */
    do {
      if (spans[i].clause >= 0 && spans[i].clause < 64) got |= UINT64_C(1) << spans[i].clause;
      i++;
    } while (i < n_spans && spans[i].start_byte < end);
    if ((got & want) == want) return 1;
  }
  return 0;
}

/* Sets h's whole_words (text) and whole_heading (text and heading: hs, n_hs, the spans of the
** heading the index holds, p->headings) and its focus. */
static int whole_words_of(const RunCtx *r, Hit *h, const StorePassageRow *p,
                          const MatchSpan *hs, size_t n_hs) {
  uint64_t whole = 0;
  int rc = whole_word_clauses(r->q, p->text, p->n_text, h->spans, h->n_spans, &whole, &h->focus,
                              r->err_out);
  /* Positive clauses only, as rerank_bound assumes: its bound must hold. */
  h->whole_words = popcount64(whole & r->positive);
  if (rc == JFTS_OK && n_hs > 0)
    rc = whole_word_clauses(r->q, p->headings, strlen(p->headings), hs, n_hs, &whole, NULL,
                            r->err_out);
  h->whole_heading = popcount64(whole & r->positive);
  return rc;
}

/* Finds the spans, adjacency and nearness of one passage (once per hit) and its whole words
** (ICU's dictionary segmentation, most of the cost: only where they order the results, in a
** level holding every clause, and for a result shown, whose focus they pick). For a query of
** several words the heading counts as part of the passage (a section titled
** 高齢分野との連携 is about both words for every passage under it): its whole words count,
** and so does a sentence of it holding the words (Hit.near). */
static int analyse(RunCtx *r, Hit *h, const StorePassageRow *p) {
  int rc = JFTS_OK, several = r->totals->n_positive >= 2;
  int whole = h->whole_words < 0 && (!h->partial || r->cb != NULL) &&
              !(r->spans_first && !h->analysed);
  uint64_t want = r->positive & ~h->missing;
  MatchSpan *hs = NULL;
  size_t n_hs = 0;
  if (h->analysed && !whole) return JFTS_OK;
  if (several && p->headings && p->headings[0])
    rc = match_find(r->m, p->headings, strlen(p->headings), &hs, &n_hs, r->err_out);
  if (rc == JFTS_OK && !h->analysed) {
    rc = match_find(r->m, p->text, p->n_text, &h->spans, &h->n_spans, r->err_out);
    h->analysed = rc == JFTS_OK;
    h->near = several && popcount64(want) >= 2 &&
              (in_one_sentence(p->text, p->n_text, h->spans, h->n_spans, want) ||
               in_one_sentence(p->headings, n_hs ? strlen(p->headings) : 0, hs, n_hs, want));
    if (r->compute_adjacent) h->adjacent = match_adjacent_in_order(r->m, h->spans, h->n_spans);
    h->joined = !h->adjacent &&
                match_adjacent_across_particle(r->m, p->text, p->n_text, h->spans, h->n_spans);
  }
  if (rc == JFTS_OK && whole) rc = whole_words_of(r, h, p, hs, n_hs);
  jfts_free(hs);
  return rc;
}

/* 0 when the analysis cannot move h in the rerank, which then need not read its passage: a
** hit holding some clauses, not all, is ordered by near (two clauses held or more) and BM25. */
static int rerank_reads(const RunCtx *r, const Hit *h) {
  return !h->partial || popcount64(r->positive & ~h->missing) >= 2;
}

/* 1 when h's rerank keys are all known: its passage needs no (more) reading. */
static int rerank_known(const RunCtx *r, const Hit *h) {
  if (!rerank_reads(r, h)) return 1;
  return h->analysed && (h->partial || h->whole_words >= 0);
}

/* h with every rerank key not yet known at the best value the analysis could give it
** (rerank_before never puts h before its bound): near and joined only for several clauses,
** joined only where the clauses are not adjacent, whole words on every clause. */
static Hit rerank_bound(const RunCtx *r, const Hit *h) {
  Hit b = *h;
  if (rerank_known(r, h)) return b;
  int several = r->totals->n_positive >= 2;
  if (!h->analysed) {
    b.near = several && popcount64(r->positive & ~h->missing) >= 2;
    if (r->compute_adjacent) b.adjacent = several;
    b.joined = several && !b.adjacent;
  }
  b.whole_heading = popcount64(r->positive);
  return b;
}

/* The occurrences in p's heading path and label (SearchResult.heading_spans, label_spans):
** found in what the index holds of the heading path (its end, StorePassageRow.headings) and
** shifted to offsets into the whole path. New arrays (NULL when none). */
static int field_spans(const Matcher *m, const StorePassageRow *p, MatchSpan **heading_out,
                       size_t *n_heading_out, MatchSpan **label_out, size_t *n_label_out,
                       char **err_out) {
  int rc = JFTS_OK;
  *heading_out = *label_out = NULL;
  *n_heading_out = *n_label_out = 0;
  size_t n_path = p->heading_path ? strlen(p->heading_path) : 0;
  const char *held = p->headings;
  size_t n_held = held ? strlen(held) : 0;
  /* Outside the ward template the path leaves out a section title its top heading ends with
  ** (第2章 地域移行の推進), which the index holds before it: the path itself is searched. */
  if (n_path > 0 && n_held > n_path &&
      memcmp(held + n_held - n_path, p->heading_path, n_path) == 0) {
    held = p->heading_path;
    n_held = n_path;
  }
  if (n_held > 0 && n_held <= n_path &&
      memcmp(p->heading_path + n_path - n_held, held, n_held) == 0) {
    rc = match_find(m, held, n_held, heading_out, n_heading_out, err_out);
    size_t shift_b = n_path - n_held, shift_cp = jfts_utf8_count(p->heading_path, shift_b);
    for (size_t i = 0; rc == JFTS_OK && i < *n_heading_out; i++) {
      (*heading_out)[i].start_byte += shift_b;
      (*heading_out)[i].end_byte += shift_b;
      (*heading_out)[i].start_cp += shift_cp;
      (*heading_out)[i].end_cp += shift_cp;
    }
  }
  if (rc == JFTS_OK && p->label)
    rc = match_find(m, p->label, strlen(p->label), label_out, n_label_out, err_out);
  return rc;
}

static int passage_cb(void *ctx, const StorePassageRow *p) {
  RunCtx *r = ctx;
  int rc = analyse(r, r->hit, p);
  if (rc != JFTS_OK || r->cb == NULL) return rc;
  const Hit *h = r->hit;
  MatchSpan *hs = NULL, *ls = NULL;
  size_t n_hs = 0, n_ls = 0;
  rc = field_spans(r->m, p, &hs, &n_hs, &ls, &n_ls, r->err_out);
  if (rc != JFTS_OK) {
    jfts_free(hs);
    jfts_free(ls);
    return rc;
  }
  SearchResult res = {
      .rank = r->rank,
      .score = h->score,
      .passage = p,
      .spans = h->spans,
      .n_spans = h->n_spans,
      .focus = h->focus,
      .line = h->n_spans ? store_seg_lineno(p, h->spans[0].start_byte) : p->line_start,
      .exact = h->exact,
      .adjacent = h->adjacent,
      .whole_words = h->whole_words,
      .totals = r->totals,
      .coord = h->coord,
      .coord_related = h->coord_related,
      .missing = h->missing,
      .heading_spans = hs,
      .n_heading_spans = n_hs,
      .label_spans = ls,
      .n_label_spans = n_ls,
  };
  rc = r->cb(r->cb_ctx, &res);
  jfts_free(hs);
  jfts_free(ls);
  return rc;
}

static int visit(Store *s, RunCtx *r, Hit *h, char **err_out) {
  int found = 0;
  r->hit = h;
  int rc = store_get_passage(s, h->id, passage_cb, r, &found, err_out);
  if (rc == JFTS_OK && !found)
    rc = store_corrupt(s, err_out, "passage %lld is in the full-text index, not in passages",
                       (long long)h->id);
  return rc;
}

/* A max-heap of hit indices by their bounds (bound[i]), best bound at the root. */
typedef struct BoundHeap {
  const Hit *bound;
  size_t *at;
  size_t n;
} BoundHeap;

static int bound_before(const BoundHeap *q, size_t i, size_t j) {
  return rerank_before(&q->bound[q->at[i]], &q->bound[q->at[j]]);
}

static void bound_swap(BoundHeap *q, size_t i, size_t j) {
  size_t t = q->at[i];
  q->at[i] = q->at[j];
  q->at[j] = t;
}

static void bound_down(BoundHeap *q, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, best = i;
    if (l < q->n && bound_before(q, l, best)) best = l;
    if (r < q->n && bound_before(q, r, best)) best = r;
    if (best == i) return;
    bound_swap(q, i, best);
    i = best;
  }
}

/* Orders the first depth hits by rerank_before, exactly in their first `want` places (no
** page of this call shows the rest, which keep an order of no consequence), reading only the
** passages that can reach those places: best bound first, a hit whose keys are all known
** takes the next place, any other is analysed one step (spans, then whole words: ICU's
** dictionary segmentation, most of the cost) and goes back with its tighter bound. */
static int rerank(Store *s, RunCtx *r, Hit *hits, size_t depth, size_t want, char **err_out) {
  if (depth == 0) return JFTS_OK; /* no hit (hits may be NULL) */
  int rc = JFTS_OK;
  Hit *bound = jfts_malloc(depth * sizeof *bound);
  Hit *ordered = jfts_malloc(depth * sizeof *ordered);
  size_t *at = jfts_malloc(depth * sizeof *at);
  unsigned char *placed = jfts_calloc(depth, 1);
  if (!bound || !ordered || !at || !placed) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  BoundHeap q = {bound, at, depth};
  for (size_t i = 0; i < depth; i++) {
    bound[i] = rerank_bound(r, &hits[i]);
    at[i] = i;
  }
  for (size_t i = depth / 2; i-- > 0;) bound_down(&q, i);
  size_t k = 0;
  /* Spans first only pays where some hits can be left unread: when the page takes the whole
  ** depth (--wards reads every hit), each is read once, spans and whole words together. */
  r->spans_first = want < depth;
  while (rc == JFTS_OK && k < want && q.n > 0) {
    size_t top = at[0];
    if (rerank_known(r, &hits[top])) {
      ordered[k++] = hits[top];
      placed[top] = 1;
      at[0] = at[--q.n];
    } else {
      rc = visit(s, r, &hits[top], err_out);
      bound[top] = rerank_bound(r, &hits[top]);
    }
    bound_down(&q, 0);
  }
  r->spans_first = 0;
  if (rc != JFTS_OK) goto cleanup;
  for (size_t i = 0, n = k; i < depth; i++)
    if (!placed[i]) ordered[n++] = hits[i];
  memcpy(hits, ordered, depth * sizeof *hits);
  rc = sort_hits(hits + k, depth - k, rerank_before);

cleanup:
  jfts_free(bound);
  jfts_free(ordered);
  jfts_free(at);
  jfts_free(placed);
  return rc;
}

/* The passages of one clause under flags (qparse.h's QRY_MATCH_*), sorted by id; an empty
** set when the flags leave no alternative. */
static int clause_ids(Store *s, const QryClause *c, unsigned flags, IdSet *out, char **err_out) {
  char *match = NULL;
  int rc = qry_build_clause_match(c, flags, &match);
  if (rc == JFTS_OK && match) rc = store_match_ids(s, match, 0, collect_id, out, err_out);
  if (rc == JFTS_OK && out->n > 1) qsort(out->ids, out->n, sizeof *out->ids, cmp_id);
  jfts_free(match);
  return rc;
}

static void clause_sets_free(ClauseSets *sets, size_t n) {
  for (size_t i = 0; sets && i < n; i++) {
    jfts_free(sets[i].direct.ids);
    jfts_free(sets[i].own.ids);
    jfts_free(sets[i].related.ids);
  }
  jfts_free(sets);
}

/* Per positive clause of q: the passages holding it directly, through its own text only (when
** it has variants) and through its related texts (when it has some). */
static int clause_sets_new(Store *s, const Query *q, ClauseSets **out, char **err_out) {
  int rc = JFTS_OK;
  ClauseSets *sets = jfts_calloc(q->n_clauses ? q->n_clauses : 1, sizeof *sets);
  *out = NULL;
  if (sets == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    ClauseSets *cs = &sets[i];
    if (c->excluded) continue;
    cs->used = 1;
    for (size_t t = 0; t < c->n_terms; t++) {
      cs->has_own |= c->terms[t].n_variants > 0;
      cs->has_related |= c->terms[t].n_related > 0;
    }
    rc = clause_ids(s, c, QRY_MATCH_NO_RELATED, &cs->direct, err_out);
    if (rc == JFTS_OK && cs->has_own)
      rc = clause_ids(s, c, QRY_MATCH_NO_RELATED | QRY_MATCH_NO_VARIANTS, &cs->own, err_out);
    if (rc == JFTS_OK && cs->has_related)
      rc = clause_ids(s, c, QRY_MATCH_ONLY_RELATED, &cs->related, err_out);
  }
  if (rc != JFTS_OK) {
    clause_sets_free(sets, q->n_clauses);
    return rc;
  }
  *out = sets;
  return JFTS_OK;
}

/* The phrase map (*pm, its clauses freed with jfts_free) of qry_build_match_ex(q, flags): the
** alternatives it writes, clause by clause, term by term (text, variants, related texts),
** then every alternative of the excluded clauses. pm->clauses stays NULL, and nothing is
** allocated, when the positive clauses have more than 64 (StoreHit.phrases keeps 64). */
static int phrase_map_init(const Query *q, unsigned flags, PhraseMap *pm) {
  int n = 0, n_positive = 0;
  memset(pm, 0, sizeof *pm);
  for (size_t i = 0; i < q->n_clauses; i++)
    for (size_t t = 0; t < q->clauses[i].n_terms; t++) {
      const QryTerm *term = &q->clauses[i].terms[t];
      for (size_t v = 0; v <= term->n_variants + term->n_related; v++) {
        int written = q->clauses[i].excluded || qry_alt_wanted(term, v, flags);
        n += written;
        n_positive += written && !q->clauses[i].excluded;
      }
    }
  if (n_positive > 64) return JFTS_OK;
  pm->clauses = jfts_calloc(q->n_clauses ? q->n_clauses : 1, sizeof *pm->clauses);
  if (pm->clauses == NULL) return JFTS_ERR_NOMEM;
  pm->n_phrase = n;
  int p = 0;
  for (size_t i = 0; i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    ClausePhrases *cp = &pm->clauses[i];
    if (c->excluded) continue;
    cp->used = 1;
    for (size_t t = 0; t < c->n_terms; t++) {
      const QryTerm *term = &c->terms[t];
      cp->has_own |= term->n_variants > 0;
      cp->has_related |= term->n_related > 0;
      for (size_t v = 0; v <= term->n_variants + term->n_related; v++) {
        if (!qry_alt_wanted(term, v, flags)) continue;
        uint64_t bit = UINT64_C(1) << p++;
        if (v > term->n_variants) cp->related |= bit;
        else cp->direct |= bit;
        if (v == 0) cp->own |= bit;
      }
    }
  }
  return JFTS_OK;
}

/* Per positive clause of q with related texts: the passages holding one of them (a first
** pass that leaves related texts out cannot tell). */
static int related_sets_new(Store *s, const Query *q, ClauseSets **out, char **err_out) {
  int rc = JFTS_OK;
  ClauseSets *sets = jfts_calloc(q->n_clauses ? q->n_clauses : 1, sizeof *sets);
  *out = sets;
  if (sets == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++) {
    const QryClause *c = &q->clauses[i];
    if (c->excluded) continue;
    sets[i].used = 1;
    for (size_t t = 0; t < c->n_terms; t++) sets[i].has_related |= c->terms[t].n_related > 0;
    if (sets[i].has_related)
      rc = clause_ids(s, c, QRY_MATCH_ONLY_RELATED, &sets[i].related, err_out);
  }
  return rc;
}

/* The phrase maps of the first pass (*pm) and, when there is a related pass (related_pass),
** of that pass (*rm), for best match (best) or a query with related texts; then, when the
** first pass leaves the related texts out, the related sets (*sets_out). *use_out is 0 when
** a map cannot be made (over 64 phrases): then the caller makes the clause sets. */
static int phrase_maps_new(Store *s, const Query *q, int best, int related_pass,
                           PhraseMap *pm, PhraseMap *rm, ClauseSets **sets_out, int *use_out,
                           char **err_out) {
  unsigned any = best ? QRY_MATCH_ANY : 0;
  *use_out = 0;
  int rc = phrase_map_init(q, any | (related_pass ? QRY_MATCH_NO_RELATED : 0), pm);
  if (rc == JFTS_OK && related_pass) rc = phrase_map_init(q, any | QRY_MATCH_ONLY_RELATED, rm);
  if (rc != JFTS_OK || pm->clauses == NULL || (related_pass && rm->clauses == NULL))
    return rc;
  *use_out = 1;
  return related_pass ? related_sets_new(s, q, sets_out, err_out) : JFTS_OK;
}

/* RankSink.row_wanted for the first pass: 0 for a row that holds fewer clauses directly than
** the worst hit kept in a full heap, which collect_hit would drop by that alone
** (rank_before orders by coord first), so its score is never needed. */
static int row_wanted(void *ctx, uint64_t phrases) {
  const Collector *c = ctx;
  if (c->before != rank_before || c->related_pass || c->phrase_map == NULL || c->keep == 0 ||
      c->n < c->keep)
    return 1;
  int coord = 0;
  for (size_t i = 0; i < c->n_sets; i++)
    coord += c->phrase_map->clauses[i].used && (phrases & c->phrase_map->clauses[i].direct) != 0;
  return coord >= c->hits[0].coord;
}

/* Collects the rows of match and then, when rel_match is not NULL (the related texts alone,
** after the query without them), the rows only related texts find. */
static int collect_all(Store *s, const char *match, const char *rel_match,
                       const StoreFilter *filter, Collector *c, char **err_out) {
  int rc = store_match_want(s, match, filter, row_wanted, c, collect_hit, c, err_out);
  if (rc == JFTS_OK && c->first_ids.n > 1)
    qsort(c->first_ids.ids, c->first_ids.n, sizeof *c->first_ids.ids, cmp_id);
  if (rc == JFTS_OK && rel_match) {
    c->related_pass = 1;
    rc = store_match(s, rel_match, filter, collect_hit, c, err_out);
  }
  return rc;
}

/* The expressions collect_all runs. With related texts in a ranked search, the passages
** holding a word are ranked by the words alone: two passes, the query without its related
** texts (*match_out), then the related texts alone (*rel_match_out) for the passages only
** they find, as costly as one pass over the whole query. The strict AND, where a clause may
** be held through a related text, takes one pass over the whole query and looks the words'
** scores up (*direct_out). flags: QRY_MATCH_ANY for best match, else 0. */
static int build_matches(Store *s, const Query *query, const SearchOptions *o, unsigned flags,
                         int n_positive, int any_related, char **match_out,
                         char **rel_match_out, ScoreSet *direct_out, char **err_out) {
  int ranked = o->sort == SEARCH_SORT_RANK;
  int two_pass = any_related && ranked && ((flags & QRY_MATCH_ANY) || n_positive == 1);
  int rc = qry_build_match_ex(query, flags | (two_pass ? QRY_MATCH_NO_RELATED : 0), match_out,
                              err_out);
  if (rc == JFTS_OK && two_pass)
    rc = qry_build_match_ex(query, flags | QRY_MATCH_ONLY_RELATED, rel_match_out, err_out);
  else if (rc == JFTS_OK && any_related && ranked)
    rc = direct_scores(s, query, flags, o->filter, direct_out, err_out);
  return rc;
}

/* collect_all again from the start, with the clause sets (*sets_io: replaced), when FTS5
** parsed other expressions than the phrase maps describe. */
static int collect_by_sets(Store *s, const Query *q, const char *match, const char *rel_match,
                           const StoreFilter *filter, Collector *c, ClauseSets **sets_io,
                           char **err_out) {
  c->n = 0;
  memset(&c->totals, 0, sizeof c->totals);
  c->totals.n_positive = c->n_positive;
  c->phrase_map = c->rel_map = NULL;
  c->keep_first_ids = c->related_pass = 0;
  c->first_ids.n = 0;
  clause_sets_free(*sets_io, q->n_clauses);
  *sets_io = NULL;
  int rc = clause_sets_new(s, q, sets_io, err_out);
  c->sets = *sets_io;
  if (rc == JFTS_OK) rc = collect_all(s, match, rel_match, filter, c, err_out);
  return rc;
}

/* ICU's break iterators are opened by their first use, not here: building the Japanese
** dictionary engine costs about 8 M instructions (a third of a short call), which a query
** whose matches need no whole-word test or snippet cut never pays. */
int search_prepare(Store *s, char **err_out) { return store_search_prepare(s, err_out); }

int search_run(Store *s, const Query *query, const SearchOptions *opt, SearchResultCb cb,
               void *ctx, SearchTotals *totals_out, char **err_out) {
  int rc = JFTS_OK;
  char *match = NULL, *rel_match = NULL, *adj_match = NULL, *plain_match = NULL;
  Matcher *m = NULL;
  IdSet adj = {NULL, 0, 0}, exact = {NULL, 0, 0};
  ScoreSet direct = {NULL, 0, 0};
  Collector c;
  memset(&c, 0, sizeof c);
  SearchOptions o = opt ? *opt : (SearchOptions){0};
  if (o.offset < 0) o.offset = 0;
  if (totals_out) memset(totals_out, 0, sizeof *totals_out);
  int began = 0;

  int n_positive = 0, any_related = 0, any_variant = 0;
  for (size_t i = 0; i < query->n_clauses; i++) {
    if (query->clauses[i].excluded) continue;
    n_positive++;
    for (size_t t = 0; t < query->clauses[i].n_terms; t++) {
      any_related |= query->clauses[i].terms[t].n_related > 0;
      any_variant |= query->clauses[i].terms[t].n_variants > 0;
    }
  }
  /* Best match: any positive clause, ranked by how many; the clause sets tell how many (and
  ** which are held only through a related topic). */
  int best = !o.all_words && n_positive >= 2;
  ClauseSets *sets = NULL;

  rc = store_read_begin(s, &began, err_out);
  if (rc == JFTS_OK)
    rc = build_matches(s, query, &o, best ? QRY_MATCH_ANY : 0, n_positive, any_related, &match,
                       &rel_match, &direct, err_out);
  /* The ranked scan's own phrase instances tell which clauses a row holds (and whether it
  ** holds each through the clause's own text: no scan of the query without variants
  ** either): no scan per clause, but for the related texts a first pass leaves out. */
  PhraseMap pmap = {NULL, 0}, rmap = {NULL, 0};
  int use_map = 0;
  if (rc == JFTS_OK && (best || any_related || (any_variant && o.sort == SEARCH_SORT_RANK)))
    rc = phrase_maps_new(s, query, best, rel_match != NULL, &pmap, &rmap, &sets, &use_map,
                         err_out);
  if (rc == JFTS_OK && (best || any_related) && !use_map)
    rc = clause_sets_new(s, query, &sets, err_out);
  if (rc == JFTS_OK) rc = match_new(query, &m, err_out);
  if (rc == JFTS_OK && o.sort == SEARCH_SORT_RANK) rc = adjacency_match(query, &adj_match, err_out);
  if (rc == JFTS_OK && adj_match) {
    rc = store_match_ids(s, adj_match, 1, collect_id, &adj, err_out);
    if (rc == JFTS_OK && adj.n > 1) qsort(adj.ids, adj.n, sizeof *adj.ids, cmp_id);
  }
  if (rc == JFTS_OK && o.sort == SEARCH_SORT_RANK && sets == NULL && !use_map)
    rc = exact_match(query, &plain_match, err_out);
  if (rc == JFTS_OK && plain_match) {
    /* All columns, as the query itself: a heading holding the user's word counts too. */
    rc = store_match_ids(s, plain_match, 0, collect_id, &exact, err_out);
    if (rc == JFTS_OK && exact.n > 1) qsort(exact.ids, exact.n, sizeof *exact.ids, cmp_id);
    /* An empty set is still a set: no passage holds the user's own text. */
    if (rc == JFTS_OK && exact.ids == NULL && (exact.ids = jfts_malloc(sizeof *exact.ids)) == NULL)
      rc = JFTS_ERR_NOMEM;
  }
  if (rc != JFTS_OK) goto cleanup;

  c.before = o.sort == SEARCH_SORT_DOC ? doc_before : rank_before;
  c.adj = adj.ids;
  c.n_adj = adj.n;
  c.exact = exact.ids;
  c.n_exact = exact.n;
  c.direct_scores = direct.items ? &direct : NULL;
  c.sets = sets;
  c.n_sets = query->n_clauses;
  c.n_positive = n_positive;
  c.totals.n_positive = n_positive;
  if (o.limit > 0) {
    size_t want = (size_t)o.offset + (size_t)o.limit;
    if (o.sort == SEARCH_SORT_RANK && want < SEARCH_RERANK_DEPTH) want = SEARCH_RERANK_DEPTH;
    c.keep = want;
  }
  c.phrase_map = use_map ? &pmap : NULL;
  c.rel_map = use_map ? &rmap : NULL;
  c.keep_first_ids = use_map && rel_match != NULL;
  rc = collect_all(s, match, rel_match, o.filter, &c, err_out);
  if (rc == JFTS_OK && c.mismatch)
    rc = collect_by_sets(s, query, match, rel_match, o.filter, &c, &sets, err_out);
  if (rc == JFTS_OK) rc = sort_hits(c.hits, c.n, c.before);
  if (rc != JFTS_OK) goto cleanup;
  if (totals_out) *totals_out = c.totals;

  uint64_t positive = 0;
  for (size_t i = 0; i < query->n_clauses && i < 64; i++)
    if (!query->clauses[i].excluded) positive |= UINT64_C(1) << i;
  RunCtx r = {.m = m,
              .q = query,
              .positive = positive,
              .compute_adjacent = adj_match == NULL,
              .totals = &c.totals,
              .err_out = err_out};
  if (o.sort == SEARCH_SORT_RANK) {
    size_t want = o.limit > 0 ? (size_t)(o.offset + o.limit) : c.n;
    size_t depth = rerank_depth(c.hits, c.n, want, adj_match != NULL);
    rc = rerank(s, &r, c.hits, depth, want, err_out);
  }
  r.cb = cb;
  r.cb_ctx = ctx;
  for (size_t i = (size_t)o.offset; rc == JFTS_OK && i < c.n; i++) {
    if (o.limit > 0 && i >= (size_t)o.offset + (size_t)o.limit) break;
    r.rank = (long)i + 1;
    rc = visit(s, &r, &c.hits[i], err_out);
    /* Shown once: an unlimited run (--quotes) then holds one passage's spans at a time. */
    jfts_free(c.hits[i].spans);
    c.hits[i].spans = NULL;
    c.hits[i].n_spans = 0;
  }

cleanup:
  store_read_end(s, began);
  for (size_t i = 0; i < c.n; i++) jfts_free(c.hits[i].spans);
  jfts_free(c.hits);
  jfts_free(adj.ids);
  jfts_free(adj_match);
  jfts_free(exact.ids);
  jfts_free(direct.items);
  jfts_free(plain_match);
  jfts_free(match);
  jfts_free(rel_match);
  match_free(m);
  clause_sets_free(sets, query->n_clauses);
  jfts_free(pmap.clauses);
  jfts_free(rmap.clauses);
  jfts_free(c.first_ids.ids);
  return rc;
}

/* ---- snippets ---------------------------------------------------------------------------- */

/* Byte offset of the next char boundary after i (n at the end): counted as
** jfts_utf8_count counts, so that stepping and counting chars agree even on ill-formed text. */
static size_t utf8_next(const char *s, size_t n, size_t i) {
  if (i >= n) return n;
  i++;
  while (i < n && ((unsigned char)s[i] & 0xC0u) == 0x80u) i++;
  return i;
}

/* Byte offset of the char boundary before i (0 at the start). */
static size_t utf8_prev(const char *s, size_t i) {
  return i == 0 ? 0 : jfts_utf8_char_start(s, 0, i - 1);
}

/* Byte offset n_chars code points before (negative) or after at, clamped to the text. */
static size_t step_chars(const char *s, size_t n, size_t at, long n_chars) {
  for (; n_chars > 0 && at < n; n_chars--) at = utf8_next(s, n, at);
  for (; n_chars < 0 && at > 0; n_chars++) at = utf8_prev(s, at);
  return at;
}

/* How good a place byte offset `at` is to cut: 3 after a sentence end, 2 after a clause
** mark or white space, 1 on a word boundary, 0 elsewhere (inside a word). */
static int cut_quality(const char *s, size_t n, size_t at, const size_t *sent, size_t n_sent,
                       const size_t *words, size_t n_words) {
  if (at == 0 || at >= n) return 3;
  size_t p = utf8_prev(s, at);
  const char *c = s + p;
  size_t len = at - p;
  static const char *const k_sentence[] = {"。", "！", "？", "．", "!", "?"};
  static const char *const k_clause[] = {"、", "，", "；", "：", ",", ";", " ", "\n", "\t", "　"};
  for (size_t i = 0; i < sizeof k_sentence / sizeof *k_sentence; i++)
    if (strlen(k_sentence[i]) == len && memcmp(c, k_sentence[i], len) == 0) return 3;
  if (in_breaks(sent, n_sent, at)) return 3;
  for (size_t i = 0; i < sizeof k_clause / sizeof *k_clause; i++)
    if (strlen(k_clause[i]) == len && memcmp(c, k_clause[i], len) == 0) return 2;
  return in_breaks(words, n_words, at) ? 1 : 0;
}

/* 1 when the 3 bytes at p are 、 or 。 (3 bytes each in UTF-8). */
static int is_comma_or_stop(const char *p) {
  return memcmp(p, "、", 3) == 0 || memcmp(p, "。", 3) == 0;
}

/* 1 when byte at of text follows 、 or 。. */
static int after_comma_or_stop(const char *text, size_t at) {
  return at >= 3 && is_comma_or_stop(text + at - 3);
}

/* 1 when ICU's word break always breaks at byte at of text and what follows depends on the
** text after it alone: after a line feed (UAX #29 WB3a), or after 、 or 。 before a kanji or
** kana (no rule joins an Other char to a following letter; a combining mark would: WB4). */
static int stretch_starts(const char *text, size_t n_bytes, size_t at) {
  if (at == 0 || text[at - 1] == '\n') return 1;
  if (!after_comma_or_stop(text, at) || at >= n_bytes) return 0;
  uint32_t c;
  jfts_utf8_next(text + at, n_bytes - at, &c);
  return (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) ||
         (c >= 0x4E00 && c <= 0x9FFF);
}

/* 1 when ICU's word break always breaks at byte at and looks no further: before a line feed
** not after CR (WB3, WB3b), before 、 or 。 (no rule joins a char to an Other char after it). */
static int stretch_ends(const char *text, size_t n_bytes, size_t at) {
  if (at >= n_bytes) return 1;
  if (text[at] == '\n') return at == 0 || text[at - 1] != '\r';
  return n_bytes - at >= 3 && is_comma_or_stop(text + at);
}

int search_word_breaks(const char *text, size_t n_bytes, size_t from, size_t to,
                       size_t **breaks_out, size_t *n_breaks_out, char **err_out) {
  size_t a = from < n_bytes ? from : n_bytes, b = to < n_bytes ? to : n_bytes;
  if (b < a) b = a;
  while (!stretch_starts(text, n_bytes, a)) a--;
  while (!stretch_ends(text, n_bytes, b)) b++;
  int rc = seg_boundaries(SEG_WORD, text + a, b - a, breaks_out, n_breaks_out, err_out);
  for (size_t k = 0; rc == JFTS_OK && k < *n_breaks_out; k++) (*breaks_out)[k] += a;
  return rc;
}

/* Start of a snippet: the earliest best cut (cut_quality) from lo to the focus start fs;
** *best_out gets its quality. */
static size_t snippet_start(const char *s, size_t n, size_t lo, size_t fs, const size_t *sent,
                            size_t n_sent, const size_t *words, size_t n_words, int *best_out) {
  size_t start = fs;
  int best = -1;
  for (size_t at = lo;; at = utf8_next(s, n, at)) {
    int q = cut_quality(s, n, at, sent, n_sent, words, n_words);
    if (q > best) {
      best = q;
      start = at;
    }
    if (at >= fs) break;
  }
  *best_out = best;
  if (best == 0) start = fs; /* no boundary at all before it: start at the occurrence */
  while (start < fs && (s[start] == ' ' || s[start] == '\n' || s[start] == '\t')) start++;
  return start;
}

/* End of a snippet from start: the latest best cut within max_chars of it and after the focus
** end fe; a sentence or clause end only in the second half of the window, so that the
** snippet is not cut short; else the latest word boundary. *best_out gets its quality. */
static size_t snippet_end(const char *s, size_t n, size_t start, size_t fe, size_t max_chars,
                          const size_t *sent, size_t n_sent, const size_t *words,
                          size_t n_words, int *best_out) {
  size_t hi = step_chars(s, n, start, (long)max_chars);
  size_t floor_at = fe < hi ? fe : hi;
  size_t half = step_chars(s, n, start, (long)max_chars / 2);
  if (half < floor_at) half = floor_at;
  size_t end = hi;
  int best = -1;
  for (size_t at = hi;; at = utf8_prev(s, at)) {
    int q = cut_quality(s, n, at, sent, n_sent, words, n_words);
    if (at < half && q > 1) q = 1;
    if (q > best) {
      best = q;
      end = at;
    }
    if (q == 3 || at <= floor_at || (at < half && best >= 1)) break;
  }
  *best_out = best;
  if (end < floor_at) end = floor_at;
  while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\n' || s[end - 1] == '\t')) end--;
  return end;
}

int search_snippet(const char *text, size_t n_bytes, const MatchSpan *spans, size_t n_spans,
                   size_t focus, size_t max_chars, SearchSnippet *out, char **err_out) {
  size_t *sent = NULL, *words = NULL, n_sent = 0, n_words = 0;
  memset(out, 0, sizeof *out);
  out->end_byte = n_bytes;
  if (max_chars == 0 || jfts_utf8_count(text, n_bytes) <= max_chars) return JFTS_OK;
  int rc = seg_boundaries(SEG_SENTENCE, text, n_bytes, &sent, &n_sent, err_out);
  if (rc != JFTS_OK) goto cleanup;

  size_t fs = 0, fe = 0;
  if (n_spans > 0) {
    if (focus >= n_spans) focus = 0;
    fs = spans[focus].start_byte < n_bytes ? spans[focus].start_byte : n_bytes;
    fe = spans[focus].end_byte < n_bytes ? spans[focus].end_byte : n_bytes;
    if (fe < fs) fe = fs;
  }
  long lead = (long)max_chars / 3;
  size_t after = jfts_utf8_count(text + fs, n_bytes - fs);
  if (after < max_chars - (size_t)lead) lead = (long)(max_chars - after); /* near the end */
  size_t lo = step_chars(text, n_bytes, fs, -lead);
  /* Word boundaries (ICU's dictionary segmentation, most of a shown result's cost) only
  ** decide a cut where no sentence or clause end can: an end of quality 2 or 3 is chosen
  ** whatever the word boundaries, as a word boundary is only 1. Then only the stretch where
  ** the cuts are tried is segmented: from lo to max_chars after the focus (start <= fs). */
  int best_start = 0, best_end = 0;
  size_t start = snippet_start(text, n_bytes, lo, fs, sent, n_sent, NULL, 0, &best_start);
  size_t end = best_start < 2 ? 0
                              : snippet_end(text, n_bytes, start, fe, max_chars, sent, n_sent,
                                            NULL, 0, &best_end);
  if (best_start < 2 || best_end < 2) {
    rc = search_word_breaks(text, n_bytes, lo, step_chars(text, n_bytes, fs, (long)max_chars),
                            &words, &n_words, err_out);
    if (rc != JFTS_OK) goto cleanup;
    start = snippet_start(text, n_bytes, lo, fs, sent, n_sent, words, n_words, &best_start);
    end = snippet_end(text, n_bytes, start, fe, max_chars, sent, n_sent, words, n_words,
                      &best_end);
  }
  out->start_byte = start;
  out->end_byte = end;
  out->cut_start = start > 0;
  out->cut_end = end < n_bytes;

cleanup:
  jfts_free(sent);
  jfts_free(words);
  return rc;
}
