/* Query expansion against the index (expand.h): splitting the plain words that the text never
** writes whole into their parts, and the related-topics layer. Counting stops at a small cap,
** so a word that is found often costs one short index scan and no word break. */
#include "expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jfts_common.h"
#include "output.h"
#include "textseg.h"

/* Callback value that stops a count at its cap (not an error). */
#define EXPAND_COUNT_FULL 0x7e57

/* Function words cut out of the raw word before the word break: ICU splits them into
** particle + verb (に|関する), which would leave a verb as a part. Longest first. */
static const char *const k_cut_words[] = {"について", "における", "に関する", "に関して",
                                          "に対する", "のための"};

/* Particles and function words that are dropped as parts: they carry no topic. Besides the
** particles, the auxiliaries, light verbs, formal nouns and predicates an everyday phrase is
** built with (働きたい: 働き|たい; 相談できる場所; 障害のある子ども; 学校を卒業したら; 困った
** とき; 支援が必要な人; 居場所づくり: 居場所|づくり), which alone would find passages about
** nothing in particular. */
static const char *const k_stop_words[] = {
    "の", "を", "に", "は", "が", "と", "で", "へ", "や", "も", "から", "まで", "より", "等", "など",
    "ある", "あり", "ない", "なし", "いる", "する", "した", "して", "しない", "したい", "したら",
    "すれば", "できる", "できない", "でき", "なる", "なった", "なり", "たい", "たら", "れば",
    "られる", "れる", "ので", "けど", "とき", "こと", "もの", "ため", "よう", "ところ", "場合",
    "です", "ます", "ください", "行う", "作る", "つくる", "づくり", "作り", "必要", "大切",
    "重要", "可能"};

static int is_stop_word(const char *p, size_t n) {
  for (size_t i = 0; i < sizeof k_stop_words / sizeof *k_stop_words; i++)
    if (strlen(k_stop_words[i]) == n && memcmp(k_stop_words[i], p, n) == 0) return 1;
  return 0;
}

static size_t n_chars(const char *p, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) k += ((unsigned char)p[i] & 0xC0u) != 0x80u;
  return k;
}

/* 1 when the last char of p is a digit (ASCII or full width). */
static int ends_in_digit(const char *p, size_t n) {
  if (n >= 1 && p[n - 1] >= '0' && p[n - 1] <= '9') return 1;
  /* U+FF10..U+FF19: EF BC 90..99 */
  return n >= 3 && (unsigned char)p[n - 3] == 0xEF && (unsigned char)p[n - 2] == 0xBC &&
         (unsigned char)p[n - 1] >= 0x90 && (unsigned char)p[n - 1] <= 0x99;
}

/* 1 when p (n bytes, UTF-8) is katakana only (U+30A1..U+30FA, the long mark U+30FC). */
static int is_katakana(const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  if (n == 0 || n % 3 != 0) return 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t c = (uint32_t)(u[i] & 0x0F) << 12 | (uint32_t)(u[i + 1] & 0x3F) << 6 | (u[i + 2] & 0x3F);
    if ((u[i] & 0xF0) != 0xE0 || !((c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC)) return 0;
  }
  return 1;
}

typedef struct Parts {
  char **p;
  size_t n;
  size_t n_last, cap_last; /* bytes of p[n - 1] and of its buffer: a word of thousands of
                           ** pieces that all join the last part grows it in linear time */
  int last_kata;           /* p[n - 1] is katakana only (is_katakana), kept as it grows */
  int rc;
} Parts;

static void parts_extend(Parts *ps, const char *p, size_t n);

static void parts_push(Parts *ps, const char *p, size_t n) {
  if (ps->rc != JFTS_OK) return;
  if (ps->n == EXPAND_MAX_PARTS) { /* the rest joins the last part */
    parts_extend(ps, p, n);
    return;
  }
  char **g = jfts_realloc(ps->p, (ps->n + 1) * sizeof *g);
  if (g == NULL) {
    ps->rc = JFTS_ERR_NOMEM;
    return;
  }
  ps->p = g;
  if ((g[ps->n] = jfts_strndup(p, n)) == NULL) {
    ps->rc = JFTS_ERR_NOMEM;
    return;
  }
  ps->n++;
  ps->n_last = n;
  ps->cap_last = n + 1;
  ps->last_kata = is_katakana(p, n);
}

/* Appends p (n bytes) to the last part. */
static void parts_extend(Parts *ps, const char *p, size_t n) {
  if (ps->rc != JFTS_OK) return;
  size_t old = ps->n_last;
  if (old + n + 1 > ps->cap_last) {
    size_t cap = 2 * ps->cap_last > old + n + 1 ? 2 * ps->cap_last : old + n + 1;
    char *g = jfts_realloc(ps->p[ps->n - 1], cap);
    if (g == NULL) {
      ps->rc = JFTS_ERR_NOMEM;
      return;
    }
    ps->p[ps->n - 1] = g;
    ps->cap_last = cap;
  }
  char *g = ps->p[ps->n - 1];
  memcpy(g + old, p, n);
  g[old + n] = '\0';
  ps->n_last = old + n;
  ps->last_kata = ps->last_kata && is_katakana(p, n);
}

/* 1 when the related layer rel has a rule for the text p (n bytes) as a whole word. */
static int has_related(const Thesaurus *rel, const char *p, size_t n, int *yes_out,
                       char **err_out) {
  *yes_out = 0;
  if (rel == NULL) return JFTS_OK;
  QryTerm term = {.text = jfts_strndup(p, n), .n_bytes = n};
  if (term.text == NULL) return JFTS_ERR_NOMEM;
  QryClause clause = {.terms = &term, .n_terms = 1};
  Query q = {.clauses = &clause, .n_clauses = 1};
  int rc = ths_expand_related(rel, &q, err_out);
  *yes_out = rc == JFTS_OK && term.n_related > 0;
  for (size_t i = 0; i < term.n_related; i++) jfts_free(term.related[i]);
  jfts_free(term.related);
  jfts_free(term.text);
  return rc;
}

/* Piece i of seg (between breaks[i] and breaks[i + 1]) when it is one char and no stop word. */
static int is_short_piece(const char *seg, const size_t *breaks, size_t n_breaks, size_t i) {
  if (i + 1 >= n_breaks) return 0;
  const char *p = seg + breaks[i];
  size_t len = breaks[i + 1] - breaks[i];
  return n_chars(p, len) == 1 && !is_stop_word(p, len);
}

/* The one-char piece *k of seg, which does not follow a part: a hiragana is dropped; else,
** with the one-char pieces right after it (ICU cuts a word its dictionary lacks into chars:
** 亡|く|な|っ|た), one part; alone,
** a prefix of the piece right after it (見|守り: 見守り) or, with none, a word alone, kept when
** rel has a rule for it. *k moves to the last piece taken; *pushed_out is 1 when a part was
** added, 0 when the result is a stop word or a lone char without a rule. */
static int add_short(Parts *ps, const char *seg, const size_t *breaks, size_t n_breaks,
                     size_t *k, const Thesaurus *rel, int *pushed_out, char **err_out) {
  size_t first = *k, last = *k;
  *pushed_out = 0;
  /* A hiragana here is an inflection (長期的|な|計画, 必要|な|人) or an honorific that would
  ** hide the word after it (ご|家族): dropped, and the next piece starts afresh. */
  uint32_t c = 0;
  jfts_utf8_next(seg + breaks[first], breaks[first + 1] - breaks[first], &c);
  if (c >= 0x3041 && c <= 0x309F) return JFTS_OK;
  while (is_short_piece(seg, breaks, n_breaks, last + 1)) last++;
  if (last == first && last + 2 < n_breaks &&
      !is_stop_word(seg + breaks[last + 1], breaks[last + 2] - breaks[last + 1]))
    last++; /* a prefix */
  const char *p = seg + breaks[first];
  size_t len = breaks[last + 1] - breaks[first];
  *k = last;
  if (is_stop_word(p, len)) return JFTS_OK;
  if (last == first) {
    int keep = 0;
    int rc = has_related(rel, p, len, &keep, err_out);
    if (rc != JFTS_OK || !keep) return rc;
  }
  parts_push(ps, p, len);
  *pushed_out = ps->rc == JFTS_OK;
  return ps->rc;
}

/* Adds the word-break parts of seg (n bytes) to ps by the rules of expand.h; after_part: seg
** follows the last part of ps directly. A piece joins the last part only when that part ends
** right before it (prev_end). A one-char piece that
** does not (it starts the segment or follows a function word) is a prefix of the piece right
** after it (見|守り: 見守り) or, with none, a word alone (親 in 親が), kept when rel has a rule
** for it. */
static int add_segment(Parts *ps, const char *seg, size_t n, const Thesaurus *rel,
                       int after_part, char **err_out) {
  size_t *breaks = NULL, n_breaks = 0;
  if (n == 0) return JFTS_OK;
  int rc = seg_boundaries(SEG_WORD, seg, n, &breaks, &n_breaks, err_out);
  /* where the last part ends: the start of seg when seg follows one directly */
  size_t prev_end = after_part && ps->n > 0 ? 0 : SIZE_MAX;
  for (size_t k = 0; rc == JFTS_OK && k + 1 < n_breaks; k++) {
    const char *p = seg + breaks[k];
    size_t len = breaks[k + 1] - breaks[k];
    if (is_stop_word(p, len)) continue;
    int joins = prev_end == breaks[k];
    const char *last = joins ? ps->p[ps->n - 1] : NULL;
    if (joins && ends_in_digit(last, ps->n_last) && n_chars(p, len) == 1) {
      parts_extend(ps, p, len); /* 65|歳 -> 65歳 */
    } else if (joins && ps->last_kata && is_katakana(p, len)) {
      /* ICU's dictionary cuts loanwords at random (ワン|ストップ): a katakana run stays whole. */
      parts_extend(ps, p, len);
    } else if (n_chars(p, len) == 1 && joins) {
      continue; /* a lone affix (後, 者, 化) alone would find everything */
    } else if (n_chars(p, len) == 1) {
      int pushed = 0;
      rc = add_short(ps, seg, breaks, n_breaks, &k, rel, &pushed, err_out);
      if (rc != JFTS_OK || !pushed) continue;
    } else {
      parts_push(ps, p, len);
    }
    rc = ps->rc;
    prev_end = breaks[k + 1];
  }
  jfts_free(breaks);
  return rc;
}

int expand_parts(const char *text, size_t n_bytes, const Thesaurus *related, char ***parts_out,
                 size_t *n_out, char **err_out) {
  Parts ps = {.p = NULL, .n = 0, .rc = JFTS_OK};
  size_t *heads = NULL, n_heads = 0, h = 0; /* the words with a rule: byte ranges, in order */
  *parts_out = NULL;
  *n_out = 0;
  int rc = ths_find_entries(related, text, n_bytes, 2, &heads, &n_heads, err_out);
  size_t from = 0;
  int after_part = 0; /* the text at `from` follows a part directly */
  for (size_t at = 0; rc == JFTS_OK && at < n_bytes;) {
    size_t cut = 0, head = 0;
    while (h < n_heads && heads[2 * h] < at) h++; /* passed by a cut word */
    if (h < n_heads && heads[2 * h] == at) head = heads[2 * h + 1] - at;
    for (size_t w = 0; w < sizeof k_cut_words / sizeof *k_cut_words && !cut && !head; w++) {
      size_t len = strlen(k_cut_words[w]);
      if (at + len <= n_bytes && memcmp(text + at, k_cut_words[w], len) == 0) cut = len;
    }
    if (cut == 0 && head == 0) {
      at++;
      continue;
    }
    rc = add_segment(&ps, text + from, at - from, related, after_part, err_out);
    if (head > 0) parts_push(&ps, text + at, head); /* a word the layer knows stays whole */
    if (rc == JFTS_OK) rc = ps.rc;
    after_part = head > 0;
    at += cut + head;
    from = at;
  }
  if (rc == JFTS_OK) rc = add_segment(&ps, text + from, n_bytes - from, related, after_part, err_out);
  jfts_free(heads);
  if (rc != JFTS_OK) {
    expand_parts_free(ps.p, ps.n);
    return rc;
  }
  *parts_out = ps.p;
  *n_out = ps.n;
  return JFTS_OK;
}

void expand_parts_free(char **parts, size_t n) {
  for (size_t i = 0; i < n; i++) jfts_free(parts[i]);
  jfts_free(parts);
}

/* ---- counting ---------------------------------------------------------------------------- */

typedef struct Count {
  long n, cap;
} Count;

static int count_hit(void *ctx, const StoreHit *h) {
  (void)h;
  Count *c = ctx;
  return ++c->n >= c->cap ? EXPAND_COUNT_FULL : JFTS_OK;
}

/* Passages matching the FTS5 expression match, counted up to cap. */
static int count_match(Store *s, const char *match, long cap, long *n_out, char **err_out) {
  Count c = {0, cap};
  int rc = store_match_ids(s, match, 0, count_hit, &c, err_out);
  if (rc == EXPAND_COUNT_FULL) rc = JFTS_OK;
  *n_out = c.n;
  return rc;
}

/* Passages holding text as one plain word (with no variants), counted up to cap. */
static int count_word(Store *s, const char *text, long cap, long *n_out, char **err_out) {
  QryTerm term = {.text = (char *)text, .n_bytes = strlen(text)};
  QryClause clause = {.terms = &term, .n_terms = 1};
  char *match = NULL;
  int rc = qry_build_clause_match(&clause, 0, &match);
  *n_out = 0;
  if (rc == JFTS_OK && match) rc = count_match(s, match, cap, n_out, err_out);
  jfts_free(match);
  return rc;
}

/* ---- splitting --------------------------------------------------------------------------- */

/* Decides whether clause i of q (one plain positive word) is searched as its parts; when so,
** *parts_out / *n_parts_out get them (else NULL, 0). */
static int split_decision(Store *s, const QryClause *c, const Thesaurus *related,
                          char ***parts_out, size_t *n_parts_out, long *n_word_out,
                          char **err_out) {
  char *match = NULL, **parts = NULL;
  size_t n_parts = 0;
  long n_word = 0;
  *parts_out = NULL;
  *n_parts_out = 0;
  int rc = qry_build_clause_match(c, QRY_MATCH_NO_RELATED, &match);
  if (rc == JFTS_OK && match)
    rc = count_match(s, match, EXPAND_SPLIT_CAP, &n_word, err_out);
  jfts_free(match);
  *n_word_out = n_word;
  if (rc != JFTS_OK || n_word >= EXPAND_SPLIT_CAP) return rc;
  const QryTerm *t = &c->terms[0];
  rc = expand_parts(t->text, t->n_bytes, related, &parts, &n_parts, err_out);
  if (rc != JFTS_OK || n_parts == 0 ||
      (n_parts == 1 && strcmp(parts[0], t->text) == 0)) {
    expand_parts_free(parts, n_parts);
    return rc;
  }
  int split = n_word == 0;
  if (!split) {
    long rarest = -1, cap = n_word * EXPAND_SPLIT_RATIO;
    /* Stops at the first part below the cap: the word is then not far rarer than it. */
    for (size_t k = 0; rc == JFTS_OK && k < n_parts && (rarest < 0 || rarest >= cap); k++) {
      long n = 0;
      rc = count_word(s, parts[k], cap, &n, err_out);
      if (rarest < 0 || n < rarest) rarest = n;
    }
    split = rc == JFTS_OK && rarest >= cap;
  }
  if (rc != JFTS_OK || !split) {
    expand_parts_free(parts, n_parts);
    return rc;
  }
  *parts_out = parts;
  *n_parts_out = n_parts;
  return JFTS_OK;
}

/* Splits clause i of q when split_decision says so; *n_clauses_out gets the clauses now in its
** place (1 when kept). */
static int maybe_split(Store *s, Query *q, size_t i, const ExpandOptions *opt,
                       size_t *n_clauses_out, int *split_out, char **err_out) {
  char **parts = NULL;
  size_t n_parts = 0, n_added = 0;
  size_t lens[EXPAND_MAX_PARTS];
  long n_word = 0;
  *n_clauses_out = 1;
  int rc = split_decision(s, &q->clauses[i], opt->related, &parts, &n_parts, &n_word, err_out);
  if (rc != JFTS_OK || n_parts == 0) return rc;
  if (n_parts == 1 && n_word > 0) {
    /* One part of a word the text does write (高齢化: 高齢): the word stays, the part becomes
    ** its variant, so that the passages holding the word itself still rank first. */
    QryTerm *t = &q->clauses[i].terms[0];
    rc = qry_term_add_variant(t, parts[0], strlen(parts[0]), err_out);
    expand_parts_free(parts, n_parts);
    if (rc == JFTS_ERR_USAGE) { /* the term's variants are full: it keeps what it has */
      if (err_out) {
        jfts_free(*err_out);
        *err_out = NULL;
      }
      return JFTS_OK;
    }
    Query view = {.clauses = q->clauses + i, .n_clauses = 1};
    if (rc == JFTS_OK) rc = ths_expand_related(opt->related, &view, err_out);
    return rc;
  }
  for (size_t k = 0; k < n_parts; k++) lens[k] = strlen(parts[k]);
  rc = qry_split_clause(q, i, (const char *const *)parts, lens, n_parts, &n_added, err_out);
  expand_parts_free(parts, n_parts);
  if (rc != JFTS_OK || n_added == 0) return rc;
  *n_clauses_out = n_added;
  *split_out = 1;
  /* The parts get their spelling variants like any typed word. */
  Query view = {.clauses = q->clauses + i, .n_clauses = n_added};
  return ths_expand(opt->ths, &view, NULL, NULL, err_out);
}

/* Takes the related texts off the clauses that the index finds in EXPAND_RELATED_CAP passages
** or more through their own texts and variants. */
static int drop_frequent_related(Store *s, Query *q, char **err_out) {
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++) {
    QryClause *c = &q->clauses[i];
    size_t n_related = 0;
    for (size_t t = 0; t < c->n_terms; t++) n_related += c->terms[t].n_related;
    if (c->excluded || n_related == 0) continue;
    char *match = NULL;
    long n = 0;
    rc = qry_build_clause_match(c, QRY_MATCH_NO_RELATED, &match);
    if (rc == JFTS_OK && match) rc = count_match(s, match, EXPAND_RELATED_CAP, &n, err_out);
    jfts_free(match);
    for (size_t t = 0; rc == JFTS_OK && n >= EXPAND_RELATED_CAP && t < c->n_terms; t++) {
      QryTerm *term = &c->terms[t];
      for (size_t r = 0; r < term->n_related; r++) jfts_free(term->related[r]);
      jfts_free(term->related);
      term->related = NULL;
      term->n_related = 0;
    }
  }
  return rc;
}

/* ---- inflection ------------------------------------------------------------------------- */

/* A verb typed in its dictionary form (出向く, 広める) is written in reports in its
** continuative form, the one that lists and joins clauses (地域のサロン等に出向き、; 理解を広め、),
** and the other way round. Pairs of the last kana: dictionary form, continuative form. */
static const char *const k_inflect[][2] = {
    {"う", "い"}, {"く", "き"}, {"ぐ", "ぎ"}, {"す", "し"}, {"つ", "ち"},
    {"ぬ", "に"}, {"ぶ", "び"}, {"む", "み"}, {"る", "り"}};

/* 1 when the UTF-8 char ending at byte n of p is a kanji (CJK unified ideographs). */
static int ends_in_kanji(const char *p, size_t n) {
  if (n < 3) return 0;
  uint32_t c = 0;
  jfts_utf8_next(p + n - 3, 3, &c);
  return c >= 0x4E00 && c <= 0x9FFF;
}

/* Adds to term (a plain word: one kanji or more, then one kana of k_inflect) its other form:
** 出向く: 出向き; 出向き: 出向く; a word ending in える/める ... (one kana before る) also its
** stem (広める: 広め). Variants of one char or less are not added (見る: not 見). */
static int add_inflections(QryTerm *term, char **err_out) {
  const char *t = term->text;
  size_t n = term->n_bytes;
  int rc = JFTS_OK;
  if (term->is_phrase || n < 6 || n_chars(t, n) < 2) return JFTS_OK;
  char buf[QRY_MAX_BYTES + 4];
  if (n - 3 + 3 >= sizeof buf) return JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < sizeof k_inflect / sizeof *k_inflect; i++)
    for (int from = 0; rc == JFTS_OK && from < 2; from++) {
      if (memcmp(t + n - 3, k_inflect[i][from], 3) != 0) continue;
      if (ends_in_kanji(t, n - 3)) {
        memcpy(buf, t, n - 3);
        memcpy(buf + n - 3, k_inflect[i][!from], 3);
        rc = qry_term_add_variant(term, buf, n, err_out);
      } else if (from == 0 && i == 8 && n >= 9 && ends_in_kanji(t, n - 6) &&
                 n_chars(t, n - 3) >= 2) {
        rc = qry_term_add_variant(term, t, n - 3, err_out); /* 広める: 広め */
      }
    }
  if (rc == JFTS_ERR_USAGE) { /* the term's variants are full: it keeps what it has */
    if (err_out) {
      jfts_free(*err_out);
      *err_out = NULL;
    }
    rc = JFTS_OK;
  }
  return rc;
}

/* Adds the other inflected form of each positive plain word of q (add_inflections). */
static int inflect_words(Query *q, char **err_out) {
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++)
    for (size_t t = 0; rc == JFTS_OK && !q->clauses[i].excluded && t < q->clauses[i].n_terms; t++)
      rc = add_inflections(&q->clauses[i].terms[t], err_out);
  return rc;
}

/* ---- the alternatives' cap -------------------------------------------------------------- */

/* Appends to opt's notes that term's alternatives were capped at (bytes != 0) bytes or
** alternatives, n_kept of n_alts kept. */
static int cap_note(const ExpandOptions *opt, const QryTerm *term, int bytes, size_t n_kept,
                    size_t n_alts) {
  if (opt->notes_io == NULL || opt->n_notes_io == NULL) return JFTS_OK;
  size_t n = term->n_bytes, cut = n > 40;
  if (cut) n = jfts_utf8_char_start(term->text, 0, 40);
  char *note = bytes ? jfts_mprintf("expansion of '%.*s%s' capped at %d bytes of alternatives "
                                    "(kept %zu of %zu)", (int)n, term->text, cut ? "…" : "",
                                    EXPAND_MAX_ALT_BYTES, n_kept, n_alts)
                     : jfts_mprintf("expansion of '%.*s%s' capped at %d alternatives (kept %zu "
                                    "of %zu)", (int)n, term->text, cut ? "…" : "",
                                    EXPAND_MAX_ALTS, n_kept, n_alts);
  char **grown = note ? jfts_realloc(*opt->notes_io, (*opt->n_notes_io + 1) * sizeof *grown)
                      : NULL;
  if (grown == NULL) {
    jfts_free(note);
    return JFTS_ERR_NOMEM;
  }
  *opt->notes_io = grown;
  grown[(*opt->n_notes_io)++] = note;
  return JFTS_OK;
}

/* Keeps the first n_keep of the n_items texts of *items (freeing the rest). */
static void keep_first(char **items, size_t *n_items, size_t n_keep) {
  for (size_t i = n_keep; i < *n_items; i++) jfts_free(items[i]);
  if (n_keep < *n_items) *n_items = n_keep;
}

/* Caps the alternatives of each term of q (expand.h's EXPAND_MAX_ALTS, EXPAND_MAX_ALT_BYTES):
** variants first, then related texts, up to the first that does not fit. */
static int cap_alternatives(Query *q, const ExpandOptions *opt) {
  int rc = JFTS_OK;
  for (size_t i = 0; rc == JFTS_OK && i < q->n_clauses; i++) {
    for (size_t t = 0; rc == JFTS_OK && t < q->clauses[i].n_terms; t++) {
      QryTerm *term = &q->clauses[i].terms[t];
      size_t n_alts = term->n_variants + term->n_related, kept = 0, bytes = 0;
      int by_bytes = 0;
      for (; kept < n_alts; kept++) {
        const char *alt = kept < term->n_variants ? term->variants[kept]
                                                  : term->related[kept - term->n_variants];
        size_t len = strlen(alt);
        if (kept == EXPAND_MAX_ALTS) break;
        if ((by_bytes = bytes + len > EXPAND_MAX_ALT_BYTES)) break;
        bytes += len;
      }
      if (kept == n_alts) continue;
      size_t kept_v = kept < term->n_variants ? kept : term->n_variants;
      keep_first(term->variants, &term->n_variants, kept_v);
      keep_first(term->related, &term->n_related, kept - kept_v);
      rc = cap_note(opt, term, by_bytes, kept, n_alts);
    }
  }
  return rc;
}

int expand_query(Store *s, const Query *query, const ExpandOptions *opt, Query **out,
                 int *split_out, char **err_out) {
  Query *q = NULL;
  int split = 0;
  *out = NULL;
  if (split_out) *split_out = 0;
  int rc = qry_copy(query, &q);
  /* A word with related topics of its own is not split: the rule says what it means. */
  if (rc == JFTS_OK) rc = ths_expand_related(opt->related, q, err_out);
  for (size_t i = 0; rc == JFTS_OK && !opt->no_split && i < q->n_clauses;) {
    const QryClause *c = &q->clauses[i];
    size_t step = 1;
    if (!c->excluded && c->n_terms == 1 && !c->terms[0].is_phrase && c->terms[0].n_related == 0)
      rc = maybe_split(s, q, i, opt, &step, &split, err_out);
    if (rc == JFTS_OK && step > 0 && split) {
      Query view = {.clauses = q->clauses + i, .n_clauses = step};
      rc = ths_expand_related(opt->related, &view, err_out);
    }
    i += step;
  }
  /* The other inflected form is a spelling variant: off with the thesaurus (--exact). */
  if (rc == JFTS_OK && opt->ths) rc = inflect_words(q, err_out);
  if (rc == JFTS_OK) rc = drop_frequent_related(s, q, err_out);
  if (rc == JFTS_OK) rc = cap_alternatives(q, opt);
  if (rc != JFTS_OK) {
    qry_free(q);
    return rc;
  }
  *out = q;
  if (split_out) *split_out = split;
  return JFTS_OK;
}

/* ---- rendering for the output ------------------------------------------------------------ */

/* Collects distinct items into a JSON array or a ", "-joined text. */
typedef struct ItemList {
  FILE *mem;
  char *buf;
  size_t n;
  int json;
  size_t n_items;
} ItemList;

static int items_open(ItemList *l, int json) {
  memset(l, 0, sizeof *l);
  l->json = json;
  l->mem = open_memstream(&l->buf, &l->n);
  if (l->mem == NULL) return JFTS_ERR_NOMEM;
  if (json) fputc('[', l->mem);
  return JFTS_OK;
}

static void items_add(ItemList *l, const char *s, size_t n) {
  if (l->n_items++) fputs(l->json ? "," : ", ", l->mem);
  if (l->json) out_json_string(l->mem, s, n);
  else fwrite(s, 1, n, l->mem);
}

/* Finishes the list as a jfts_malloc'ed string (the stream's buffer is libc's). */
static char *items_close(ItemList *l) {
  if (l->json) fputc(']', l->mem);
  int ok = fclose(l->mem) == 0 && l->buf != NULL;
  char *out = ok ? jfts_strndup(l->buf, l->n) : NULL;
  free(l->buf);
  return out;
}

char *expand_missing(const Query *q, uint64_t missing, int json) {
  ItemList l;
  if (items_open(&l, json) != JFTS_OK) return NULL;
  for (size_t i = 0; i < q->n_clauses && i < 64; i++) {
    if (!(missing & (UINT64_C(1) << i)) || q->clauses[i].excluded) continue;
    Query one = {.clauses = &q->clauses[i], .n_clauses = 1};
    char *text = qry_render(&one);
    if (text == NULL) {
      fclose(l.mem);
      free(l.buf);
      return NULL;
    }
    items_add(&l, text, strlen(text));
    jfts_free(text);
  }
  return items_close(&l);
}

char *expand_via(const Query *q, const MatchSpan *spans, size_t n_spans, int json) {
  ItemList l;
  size_t *listed = NULL, n_listed = 0, cap_listed = 0; /* spans whose expansion is listed */
  if (items_open(&l, json) != JFTS_OK) return NULL;
  for (size_t i = 0; i < n_spans; i++) {
    const MatchSpan *sp = &spans[i];
    if (sp->clause < 0 || (size_t)sp->clause >= q->n_clauses) continue;
    const QryClause *c = &q->clauses[sp->clause];
    if (sp->term < 0 || (size_t)sp->term >= c->n_terms) continue;
    const QryTerm *t = &c->terms[sp->term];
    if (sp->variant < (int)t->n_variants) continue;
    /* The same expansion found earlier: compared with those listed, not with every earlier
    ** span, so that a passage of thousands of occurrences costs linear time. */
    int dup = 0;
    for (size_t k = 0; k < n_listed && !dup; k++)
      dup = spans[listed[k]].clause == sp->clause && spans[listed[k]].term == sp->term &&
            spans[listed[k]].variant == sp->variant;
    if (dup) continue;
    size_t *g = jfts_grow(listed, &cap_listed, n_listed + 1, sizeof *g);
    if (g == NULL) {
      jfts_free(listed);
      fclose(l.mem);
      free(l.buf);
      return NULL;
    }
    listed = g;
    listed[n_listed++] = i;
    const char *rel = qry_term_alt(t, sp->variant);
    char *item = jfts_mprintf("%s => %s", t->text, rel);
    if (item == NULL) {
      jfts_free(listed);
      fclose(l.mem);
      free(l.buf);
      return NULL;
    }
    items_add(&l, item, strlen(item));
    jfts_free(item);
  }
  jfts_free(listed);
  return items_close(&l);
}
