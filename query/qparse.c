/* The query language (qparse.h): sanitizes the user's bytes, splits them into terms,
** phrases, OR groups and exclusions, drops terms the tokenizer finds nothing in, and writes
** the FTS5 MATCH expression in which every term is a quoted FTS5 string. Quoting everything
** is what keeps FTS5 operators, column filters and SQL typed by the user inert. */
#include "qparse.h"

#include "jfts_common.h"
#include "norm.h"
#include "tokenizer.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

/* Longest excerpt of a term quoted in a note, in bytes (then cut at a char boundary). */
#define QP_NOTE_EXCERPT 60
/* Callback value that stops tokenization at the first real token. */
#define QP_FOUND 1000
/* Most words one typed word is cut into at its punctuation. */
#define QP_MAX_PIECES 16

/* One word of the query before grouping; offsets index the sanitized query. */
typedef struct QpItem {
  size_t src_start, src_end;   /* bytes of the whole item as typed, '-' and quotes included */
  size_t text_start, text_end; /* bytes of the term's text */
  int is_phrase;               /* quoted */
  int excluded;                /* had a leading '-' */
  int is_or;                   /* the bare word OR (an operator only between two operands) */
} QpItem;

static int is_control(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

/* Unicode Z* (after sanitizing, every control is already a plain space). */
static int is_sep(uint32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Copies q into a new NUL-terminated string of valid UTF-8: ill-formed sequences become
** U+FFFD as jfts_utf8_next reads them (the tokenizer's rule, so the matcher and the
** tokenizer agree), and controls (NUL included) become spaces so that no term carries one. */
static int sanitize(const char *q, size_t n_bytes, char **out, size_t *n_out) {
  *out = NULL;
  *n_out = 0;
  if (n_bytes > (SIZE_MAX - 1) / 3) return JFTS_ERR_NOMEM;
  char *s = jfts_malloc(n_bytes * 3 + 1); /* one invalid byte grows into 3 */
  if (s == NULL) return JFTS_ERR_NOMEM;
  const unsigned char *u = (const unsigned char *)q;
  size_t n = 0;
  for (size_t i = 0; i < n_bytes;) {
    uint32_t cp;
    size_t len = jfts_utf8_next(u + i, n_bytes - i, &cp);
    if (is_control(cp)) {
      s[n++] = ' ';
    } else if (cp == 0xFFFD) { /* also rewrites a valid U+FFFD: same bytes */
      memcpy(s + n, "\xEF\xBF\xBD", 3);
      n += 3;
    } else {
      memcpy(s + n, u + i, len);
      n += len;
    }
    i += len;
  }
  s[n] = '\0';
  *out = s;
  *n_out = n;
  return JFTS_OK;
}

static int count_cb(void *ctx, int colocated, const char *token, int n_token, int start_byte,
                    int end_byte) {
  (void)ctx;
  (void)colocated;
  (void)start_byte;
  (void)end_byte;
  /* The gap token marks a break between runs, not text. */
  if (n_token == (int)sizeof TOK_GAP - 1 && memcmp(token, TOK_GAP, sizeof TOK_GAP - 1) == 0)
    return 0;
  return n_token > 0 ? QP_FOUND : 0;
}

/* Sets *found_out to 1 when the tokenizer yields at least one real token for text, exactly
** as FTS5 will tokenize the quoted string of the MATCH expression. */
static int has_tokens(const char *text, size_t n_bytes, int *found_out, char **err_out) {
  *found_out = 0;
  int rc = tok_tokenize(text, n_bytes, FTS5_TOKENIZE_QUERY, count_cb, NULL);
  if (rc == QP_FOUND) {
    *found_out = 1;
    return JFTS_OK;
  }
  if (rc == SQLITE_OK) return JFTS_OK;
  if (rc == SQLITE_NOMEM) return JFTS_ERR_NOMEM;
  jfts_set_error(err_out, "cannot tokenize '%s': %s", text, sqlite3_errstr(rc));
  return JFTS_ERR_ICU;
}

/* Builds the text of a phrase (or variant) from p[0..n): separator runs at both ends are
** trimmed, and a run between two chars neither of which is a NORM_WORD char (Latin-like
** letter, digit) is removed, because the bigram tokenizer only finds 地域包括支援 as one
** adjacent phrase when no space splits its Japanese run. Other runs are kept as typed. */
static int phrase_text(const char *p, size_t n, char **out, size_t *n_out, char **err_out) {
  int rc = JFTS_OK;
  NormText *t = NULL;
  char *s = NULL;
  const unsigned char *u = (const unsigned char *)p;
  *out = NULL;
  *n_out = 0;

  size_t start = 0, end = n;
  int has_inner_run = 0;
  for (size_t i = 0, last_text_end = 0, seen_text = 0; i < n;) {
    uint32_t cp;
    size_t len = jfts_utf8_next(u + i, n - i, &cp);
    if (!is_sep(cp)) {
      if (!seen_text) start = i;
      else if (last_text_end != i) has_inner_run = 1;
      seen_text = 1;
      last_text_end = i + len;
      end = last_text_end;
    } else if (!seen_text) {
      start = end = i + len;
    }
    i += len;
  }
  s = jfts_malloc(end - start + 1);
  if (s == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  size_t k = 0; /* bytes written to s */
  if (!has_inner_run) {
    memcpy(s, p + start, end - start);
    k = end - start;
  } else {
    rc = norm_text(p + start, end - start, &t, err_out);
    if (rc != JFTS_OK) goto cleanup;
    size_t ni = 0; /* normalized index, advanced monotonically over the runs */
    for (size_t i = start; i < end;) {
      uint32_t cp;
      size_t len = jfts_utf8_next(u + i, end - i, &cp);
      if (!is_sep(cp)) {
        memcpy(s + k, p + i, len);
        k += len;
        i += len;
        continue;
      }
      size_t rs = i; /* the run [rs, i) of separators */
      while (i < end && (len = jfts_utf8_next(u + i, end - i, &cp), is_sep(cp))) i += len;
      while (ni < t->n && t->src_start[ni] < rs - start) ni++;
      int word_before = ni > 0 && t->cls[ni - 1] == NORM_WORD;
      while (ni < t->n && t->src_start[ni] < i - start) ni++;
      int word_after = ni < t->n && t->cls[ni] == NORM_WORD;
      if (word_before || word_after) {
        memcpy(s + k, p + rs, i - rs);
        k += i - rs;
      }
    }
  }
  s[k] = '\0';
  *out = s;
  *n_out = k;
  s = NULL;

cleanup:
  norm_free(t);
  jfts_free(s);
  return rc;
}

/* Splits s into items: white space separates; a leading '-'/'－' followed by more text
** excludes; a '"' starting a term opens a phrase when a closing '"' follows, else it is
** literal. Returns the number of items; fills items unless it is NULL (a counting pass). */
static size_t lex(const char *s, size_t n, QpItem *items) {
  const unsigned char *u = (const unsigned char *)s;
  size_t n_items = 0;
  size_t pos = 0;
  while (pos < n) {
    uint32_t cp;
    size_t len = jfts_utf8_next(u + pos, n - pos, &cp);
    if (is_sep(cp)) {
      pos += len;
      continue;
    }
    QpItem it = {pos, 0, 0, 0, 0, 0, 0};
    if ((cp == '-' || cp == 0xFF0D) && pos + len < n) {
      uint32_t next;
      size_t next_len = jfts_utf8_next(u + pos + len, n - pos - len, &next);
      if (!is_sep(next)) {
        it.excluded = 1;
        pos += len;
        cp = next;
        len = next_len;
      }
    }
    const char *close = cp == '"' ? memchr(s + pos + 1, '"', n - pos - 1) : NULL;
    if (close != NULL) {
      it.is_phrase = 1;
      it.text_start = pos + 1;
      it.text_end = (size_t)(close - s);
      pos = it.text_end + 1;
    } else {
      it.text_start = pos;
      while (pos < n && (len = jfts_utf8_next(u + pos, n - pos, &cp), !is_sep(cp))) pos += len;
      it.text_end = pos;
      it.is_or = !it.excluded && pos - it.text_start == 2 &&
                 memcmp(s + it.text_start, "OR", 2) == 0;
    }
    it.src_end = pos;
    if (items) items[n_items] = it;
    n_items++;
  }
  return n_items;
}

/* Adds a note about a dropped word (src, n bytes as typed). Distinct notes only ("( ( ( ..."
** deserves one note, not 5,000), at most QRY_MAX_NOTES of them: past that *n_more counts the
** words left unnamed, so that a query of thousands of distinct punctuation words costs no
** more than one of 32. */
static int add_note(Query *query, const char *src, size_t n, size_t *n_more) {
  /* Quote at most QP_NOTE_EXCERPT bytes, cut before a continuation byte. */
  int cut = n > QP_NOTE_EXCERPT;
  if (cut) {
    n = jfts_utf8_char_start(src, 0, QP_NOTE_EXCERPT);
  }
  char **notes = jfts_realloc(query->notes, (query->n_notes + 1) * sizeof *notes);
  if (notes == NULL) return JFTS_ERR_NOMEM;
  query->notes = notes;
  char *note = jfts_mprintf("ignoring '%.*s%s': it has no searchable characters", (int)n, src,
                            cut ? "…" : "");
  if (note == NULL) return JFTS_ERR_NOMEM;
  for (size_t i = 0; i < query->n_notes; i++) {
    if (strcmp(query->notes[i], note) == 0) {
      jfts_free(note);
      return JFTS_OK;
    }
  }
  if (query->n_notes == QRY_MAX_NOTES) {
    jfts_free(note);
    (*n_more)++;
    return JFTS_OK;
  }
  query->notes[query->n_notes++] = note;
  return JFTS_OK;
}

/* The note that counts the dropped words add_note did not name. */
static int add_more_note(Query *query, size_t n_more) {
  if (n_more == 0) return JFTS_OK;
  char **notes = jfts_realloc(query->notes, (query->n_notes + 1) * sizeof *notes);
  if (notes == NULL) return JFTS_ERR_NOMEM;
  query->notes = notes;
  char *note = jfts_mprintf("ignoring %zu more word%s with no searchable characters", n_more,
                            n_more == 1 ? "" : "s");
  if (note == NULL) return JFTS_ERR_NOMEM;
  query->notes[query->n_notes++] = note;
  return JFTS_OK;
}

int qry_check_size(size_t n_bytes, char **err_out) {
  if (n_bytes <= QRY_MAX_BYTES) return JFTS_OK;
  jfts_set_error(err_out, "the query is too long (%zu bytes; at most %d)", n_bytes,
                 QRY_MAX_BYTES);
  return JFTS_ERR_USAGE;
}

static void term_clear(QryTerm *term) {
  jfts_free(term->text);
  for (size_t i = 0; i < term->n_variants; i++) jfts_free(term->variants[i]);
  jfts_free(term->variants);
  for (size_t i = 0; i < term->n_related; i++) jfts_free(term->related[i]);
  jfts_free(term->related);
  memset(term, 0, sizeof *term);
}

/* Appends a term holding text (ownership moves to the clause, also on failure). */
static int clause_add_term(QryClause *clause, char *text, size_t n_bytes, int is_phrase) {
  QryTerm *terms = jfts_realloc(clause->terms, (clause->n_terms + 1) * sizeof *terms);
  if (terms == NULL) {
    jfts_free(text);
    return JFTS_ERR_NOMEM;
  }
  clause->terms = terms;
  QryTerm *t = &terms[clause->n_terms++];
  memset(t, 0, sizeof *t);
  t->text = text;
  t->n_bytes = n_bytes;
  t->is_phrase = is_phrase;
  return JFTS_OK;
}

/* The text of item as a new string: a phrase through phrase_text, a word as typed. */
static int item_text(const char *s, const QpItem *it, char **out, size_t *n_out,
                     char **err_out) {
  if (it->is_phrase)
    return phrase_text(s + it->text_start, it->text_end - it->text_start, out, n_out, err_out);
  *n_out = it->text_end - it->text_start;
  *out = jfts_strndup(s + it->text_start, *n_out);
  return *out ? JFTS_OK : JFTS_ERR_NOMEM;
}

/* An OR is an operator only between two operands, terms that are neither an OR word nor
** excluded; its right operand joins the clause of its left one. Elsewhere it is a word. */
static int is_operand(const QpItem *it) { return !it->is_or && !it->excluded; }

static int is_operator(const QpItem *items, size_t n_items, size_t j) {
  return items[j].is_or && j > 0 && j + 1 < n_items && is_operand(&items[j - 1]) &&
         is_operand(&items[j + 1]);
}

/* Grows query's clause array so that one more clause fits (zeroed). */
static int clauses_reserve(Query *query, size_t *cap) {
  if (query->n_clauses < *cap) return JFTS_OK;
  size_t grown = 2 * *cap;
  QryClause *c = jfts_realloc(query->clauses, grown * sizeof *c);
  if (c == NULL) return JFTS_ERR_NOMEM;
  memset(c + *cap, 0, (grown - *cap) * sizeof *c);
  query->clauses = c;
  *cap = grown;
  return JFTS_OK;
}

/* Cuts the unquoted word text (n bytes) at punctuation: ranges gets [start, end) byte pairs
** of the pieces, *n_out their count (at most QP_MAX_PIECES; the last piece then runs to the
** end). inner 0 only trims punctuation at both ends. A punctuation run between two NORM_WORD
** chars (U-18, 1,000) stays inside its piece, as the tokenizer keeps those words adjacent.
** A word of punctuation only stays whole (qry_parse then drops it with a note). */
static int punct_pieces(const char *text, size_t n, int inner, size_t *ranges, size_t *n_out,
                        char **err_out) {
  NormText *t = NULL;
  int rc = norm_text(text, n, &t, err_out);
  if (rc != JFTS_OK) return rc;
  /* sep[i]: code point i is punctuation in a run touching a Japanese char (or touching
  ** nothing else: a word of punctuation only). Inside an OR group or an excluded word only
  ** such runs at the ends separate. */
  uint8_t *sep = jfts_calloc(t->n ? t->n : 1, 1);
  if (sep == NULL) {
    norm_free(t);
    return JFTS_ERR_NOMEM;
  }
  for (size_t i = 0; i < t->n;) {
    /* A symbol (％, ※) is searched like a char of text (tokenizer.h). */
    if (t->cls[i] != NORM_PUNCT || tok_is_symbol(t->cp[i])) {
      i++;
      continue;
    }
    size_t e = i;
    while (e < t->n && t->cls[e] == NORM_PUNCT && !tok_is_symbol(t->cp[e])) e++;
    int left = i > 0 ? t->cls[i - 1] : -1, right = e < t->n ? t->cls[e] : -1;
    int is_sep = left == NORM_CJK || right == NORM_CJK || (left != NORM_WORD && right != NORM_WORD);
    if (!inner && i > 0 && e < t->n) is_sep = 0;
    for (size_t k = i; k < e; k++) sep[k] = (uint8_t)is_sep;
    i = e;
  }
  size_t k = 0;
  for (size_t i = 0; i < t->n;) {
    if (sep[i]) {
      i++;
      continue;
    }
    size_t j = i;
    while (j < t->n && !sep[j]) j++;
    if (k == QP_MAX_PIECES) { /* too many: the last piece takes the rest */
      ranges[2 * k - 1] = t->src_end[j - 1];
    } else {
      ranges[2 * k] = t->src_start[i];
      ranges[2 * k + 1] = t->src_end[j - 1];
      k++;
    }
    i = j;
  }
  if (k == 0) {
    ranges[0] = 0;
    ranges[1] = n;
    k = 1;
  }
  jfts_free(sep);
  norm_free(t);
  *n_out = k;
  return JFTS_OK;
}

int qry_parse(const char *q, size_t n_bytes, Query **out, char **err_out) {
  int rc = JFTS_OK;
  char *s = NULL;
  size_t n = 0;
  QpItem *items = NULL;
  Query *query = NULL;
  size_t n_terms = 0, n_more_notes = 0;
  *out = NULL;

  rc = qry_check_size(q ? n_bytes : 0, err_out);
  if (rc == JFTS_OK) rc = sanitize(q ? q : "", q ? n_bytes : 0, &s, &n);
  if (rc != JFTS_OK) goto cleanup;
  size_t n_items = lex(s, n, NULL);
  items = jfts_malloc((n_items + 1) * sizeof *items);
  query = jfts_calloc(1, sizeof *query);
  if (items == NULL || query == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  lex(s, n, items);
  size_t cap_clauses = n_items + 1;
  query->clauses = jfts_calloc(cap_clauses, sizeof *query->clauses);
  if (query->clauses == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }

  size_t cur = SIZE_MAX; /* index of the clause being filled; SIZE_MAX: none yet */
  for (size_t i = 0; rc == JFTS_OK && i < n_items; i++) {
    if (is_operator(items, n_items, i)) continue;
    int joins = i > 0 && is_operator(items, n_items, i - 1);
    int grouped = joins || (i + 1 < n_items && is_operator(items, n_items, i + 1));
    char *text = NULL;
    size_t n_text = 0;
    rc = item_text(s, &items[i], &text, &n_text, err_out);
    /* A plain word is cut at its punctuation into words of their own (qparse.h). */
    size_t ranges[2 * QP_MAX_PIECES], n_pieces = 1;
    ranges[0] = 0;
    ranges[1] = n_text;
    if (rc == JFTS_OK && !items[i].is_phrase)
      rc = punct_pieces(text, n_text, !items[i].excluded && !grouped, ranges, &n_pieces, err_out);
    for (size_t k = 0; rc == JFTS_OK && k < n_pieces; k++) {
      if (k == 0 && joins && cur != SIZE_MAX) {
        /* the right operand of OR joins its left one's clause */
      } else if (cur == SIZE_MAX || query->clauses[cur].n_terms > 0) {
        /* A clause whose terms were all dropped is reused rather than kept empty. */
        rc = clauses_reserve(query, &cap_clauses);
        if (rc != JFTS_OK) break;
        cur = query->n_clauses++;
      }
      query->clauses[cur].excluded = items[i].excluded;
      char *piece = jfts_strndup(text + ranges[2 * k], ranges[2 * k + 1] - ranges[2 * k]);
      size_t n_piece = ranges[2 * k + 1] - ranges[2 * k];
      int found = 0;
      if (piece == NULL) rc = JFTS_ERR_NOMEM;
      if (rc == JFTS_OK) rc = has_tokens(piece, n_piece, &found, err_out);
      if (rc == JFTS_OK && !found) {
        jfts_free(piece);
        rc = add_note(query, s + items[i].src_start, items[i].src_end - items[i].src_start,
                      &n_more_notes);
      } else if (rc == JFTS_OK && ++n_terms > QRY_MAX_TERMS) {
        jfts_free(piece);
        jfts_set_error(err_out, "the query has too many terms (more than %d)", QRY_MAX_TERMS);
        rc = JFTS_ERR_USAGE;
      } else if (rc == JFTS_OK) {
        rc = clause_add_term(&query->clauses[cur], piece, n_piece, items[i].is_phrase);
      } else {
        jfts_free(piece);
      }
    }
    jfts_free(text);
  }
  if (rc == JFTS_OK) rc = add_more_note(query, n_more_notes);
  if (rc != JFTS_OK) goto cleanup;
  if (cur != SIZE_MAX && query->clauses[cur].n_terms == 0) query->n_clauses--;

  size_t n_positive = 0;
  for (size_t i = 0; i < query->n_clauses; i++) n_positive += !query->clauses[i].excluded;
  if (query->n_clauses == 0) {
    jfts_set_error(err_out, "nothing to search for in the query");
    rc = JFTS_ERR_USAGE;
  } else if (n_positive == 0) {
    jfts_set_error(err_out, "the query only excludes terms: add a term to search for (a word "
                            "without '-' in front)");
    rc = JFTS_ERR_USAGE;
  }
  if (rc != JFTS_OK) goto cleanup;
  *out = query;
  query = NULL;

cleanup:
  qry_free(query);
  jfts_free(items);
  jfts_free(s);
  return rc;
}

/* Appends one alternative as an FTS5 string, its quotes doubled. */
static void buf_add_alt(JftsBuf *b, const char *text, size_t n_bytes) {
  jfts_buf_add(b, "\"", 1);
  for (const char *q; b->rc == JFTS_OK && (q = memchr(text, '"', n_bytes)) != NULL;) {
    size_t len = (size_t)(q - text) + 1;
    jfts_buf_add(b, text, len);
    jfts_buf_add(b, "\"", 1);
    text += len;
    n_bytes -= len;
  }
  jfts_buf_add(b, text, n_bytes);
  jfts_buf_add(b, "\"", 1);
}

int qry_alt_wanted(const QryTerm *t, size_t v, unsigned flags) {
  int related = v > t->n_variants;
  if (flags & QRY_MATCH_ONLY_RELATED) return related;
  if (related) return !(flags & QRY_MATCH_NO_RELATED);
  return v == 0 || !(flags & QRY_MATCH_NO_VARIANTS);
}

static size_t clause_n_wanted(const QryClause *c, unsigned flags) {
  size_t n = 0;
  for (size_t i = 0; i < c->n_terms; i++)
    for (size_t v = 0; v <= c->terms[i].n_variants + c->terms[i].n_related; v++)
      n += qry_alt_wanted(&c->terms[i], v, flags);
  return n;
}

static void buf_add_clause(JftsBuf *b, const QryClause *c, unsigned flags) {
  size_t n_alts = clause_n_wanted(c, flags);
  if (n_alts > 1) jfts_buf_add(b, "(", 1);
  int first = 1;
  for (size_t i = 0; i < c->n_terms; i++) {
    const QryTerm *t = &c->terms[i];
    for (size_t v = 0; v <= t->n_variants + t->n_related; v++) {
      if (!qry_alt_wanted(t, v, flags)) continue;
      const char *text = qry_term_alt(t, (int)v - 1);
      size_t n_text = v == 0 ? t->n_bytes : strlen(text);
      if (!first) jfts_buf_add(b, " OR ", 4);
      first = 0;
      buf_add_alt(b, text, n_text);
      int wants = tok_query_wants_prefix(text, n_text);
      if (wants < 0 && b->rc == JFTS_OK) b->rc = JFTS_ERR_NOMEM;
      if (wants > 0) jfts_buf_add(b, " *", 2);
    }
  }
  if (n_alts > 1) jfts_buf_add(b, ")", 1);
}

int qry_build_match(const Query *query, char **match_out, char **err_out) {
  return qry_build_match_ex(query, 0, match_out, err_out);
}

int qry_build_match_ex(const Query *query, unsigned flags, char **match_out, char **err_out) {
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  *match_out = NULL;
  int first = 1;
  size_t n_pos = 0;
  for (size_t i = 0; query && i < query->n_clauses; i++)
    n_pos += !query->clauses[i].excluded && clause_n_wanted(&query->clauses[i], flags) > 0;
  int any = (flags & QRY_MATCH_ANY) && n_pos > 1;
  if (any) jfts_buf_add(&b, "(", 1);
  for (size_t i = 0; query && i < query->n_clauses; i++) {
    if (query->clauses[i].excluded || clause_n_wanted(&query->clauses[i], flags) == 0) continue;
    if (!first) jfts_buf_add(&b, any ? " OR " : " AND ", any ? 4 : 5);
    first = 0;
    buf_add_clause(&b, &query->clauses[i], flags);
  }
  if (any) jfts_buf_add(&b, ")", 1);
  if (first && (flags & QRY_MATCH_ONLY_RELATED)) {
    jfts_buf_free(&b);
    return JFTS_OK;
  }
  if (first) {
    jfts_buf_free(&b);
    jfts_set_error(err_out, "nothing to search for in the query");
    return JFTS_ERR_USAGE;
  }
  for (size_t i = 0; i < query->n_clauses; i++) {
    if (!query->clauses[i].excluded) continue;
    jfts_buf_add(&b, " NOT ", 5);
    buf_add_clause(&b, &query->clauses[i], 0);
  }
  if (b.rc != JFTS_OK) {
    jfts_buf_free(&b);
    return b.rc;
  }
  *match_out = b.p;
  return JFTS_OK;
}

int qry_build_clause_match(const QryClause *clause, unsigned flags, char **match_out) {
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  *match_out = NULL;
  if (clause_n_wanted(clause, flags) == 0) return JFTS_OK;
  buf_add_clause(&b, clause, flags);
  if (b.rc != JFTS_OK) {
    jfts_buf_free(&b);
    return b.rc;
  }
  *match_out = b.p;
  return JFTS_OK;
}

const char *qry_term_alt(const QryTerm *term, int variant) {
  if (variant < 0) return term->text;
  if ((size_t)variant < term->n_variants) return term->variants[variant];
  size_t r = (size_t)variant - term->n_variants;
  return r < term->n_related ? term->related[r] : "";
}

/* Adds text as a variant (related 0) or a related text (related 1) of term. */
static int term_add_alt(QryTerm *term, int related, const char *text, size_t n_bytes,
                        char **err_out) {
  int rc = JFTS_OK;
  char *clean = NULL;
  char *v = NULL;
  size_t n_clean = 0, n_v = 0;
  int found = 0;
  char ***list = related ? &term->related : &term->variants;
  size_t *n_list = related ? &term->n_related : &term->n_variants;

  rc = sanitize(text ? text : "", text ? n_bytes : 0, &clean, &n_clean);
  if (rc != JFTS_OK) goto cleanup;
  /* FTS5 searches any variant as one string, so each gets the phrase treatment. */
  rc = phrase_text(clean, n_clean, &v, &n_v, err_out);
  if (rc != JFTS_OK) goto cleanup;
  if (n_v == term->n_bytes && memcmp(v, term->text, n_v) == 0) goto cleanup;
  for (size_t i = 0; i < term->n_variants; i++)
    if (strcmp(term->variants[i], v) == 0) goto cleanup;
  for (size_t i = 0; i < term->n_related; i++)
    if (strcmp(term->related[i], v) == 0) goto cleanup;
  rc = has_tokens(v, n_v, &found, err_out);
  if (rc != JFTS_OK || !found) goto cleanup;
  if (*n_list + 1 >= QRY_MAX_VARIANTS) {
    jfts_set_error(err_out, "too many %s for '%s' (at most %d)",
                   related ? "related topics" : "variants", term->text, QRY_MAX_VARIANTS - 1);
    rc = JFTS_ERR_USAGE;
    goto cleanup;
  }
  char **grown = jfts_realloc(*list, (*n_list + 1) * sizeof *grown);
  if (grown == NULL) {
    rc = JFTS_ERR_NOMEM;
    goto cleanup;
  }
  *list = grown;
  grown[(*n_list)++] = v;
  v = NULL;

cleanup:
  jfts_free(clean);
  jfts_free(v);
  return rc;
}

int qry_term_add_variant(QryTerm *term, const char *text, size_t n_bytes, char **err_out) {
  return term_add_alt(term, 0, text, n_bytes, err_out);
}

int qry_term_add_related(QryTerm *term, const char *text, size_t n_bytes, char **err_out) {
  return term_add_alt(term, 1, text, n_bytes, err_out);
}

static char **strs_copy(char *const *src, size_t n, int *rc) {
  if (n == 0 || *rc != JFTS_OK) return NULL;
  char **out = jfts_calloc(n, sizeof *out);
  if (out == NULL) *rc = JFTS_ERR_NOMEM;
  for (size_t i = 0; out && i < n; i++)
    if ((out[i] = jfts_strdup(src[i])) == NULL) *rc = JFTS_ERR_NOMEM;
  return out;
}

int qry_copy(const Query *query, Query **out) {
  int rc = JFTS_OK;
  *out = NULL;
  Query *q = jfts_calloc(1, sizeof *q);
  if (q == NULL) return JFTS_ERR_NOMEM;
  q->clauses = jfts_calloc(query->n_clauses + 1, sizeof *q->clauses);
  if (q->clauses == NULL) rc = JFTS_ERR_NOMEM;
  for (size_t i = 0; rc == JFTS_OK && i < query->n_clauses; i++) {
    const QryClause *c = &query->clauses[i];
    QryClause *d = &q->clauses[q->n_clauses++];
    d->excluded = c->excluded;
    d->terms = jfts_calloc(c->n_terms, sizeof *d->terms);
    if (d->terms == NULL) {
      rc = JFTS_ERR_NOMEM;
      break;
    }
    for (size_t t = 0; rc == JFTS_OK && t < c->n_terms; t++) {
      const QryTerm *st = &c->terms[t];
      QryTerm *dt = &d->terms[d->n_terms++];
      dt->is_phrase = st->is_phrase;
      dt->n_bytes = st->n_bytes;
      if ((dt->text = jfts_strndup(st->text, st->n_bytes)) == NULL) rc = JFTS_ERR_NOMEM;
      dt->variants = strs_copy(st->variants, st->n_variants, &rc);
      dt->n_variants = dt->variants ? st->n_variants : 0;
      dt->related = strs_copy(st->related, st->n_related, &rc);
      dt->n_related = dt->related ? st->n_related : 0;
    }
  }
  q->notes = strs_copy(query->notes, query->n_notes, &rc);
  q->n_notes = q->notes ? query->n_notes : 0;
  if (rc != JFTS_OK) {
    qry_free(q);
    return rc;
  }
  *out = q;
  return JFTS_OK;
}

int qry_split_clause(Query *query, size_t i, const char *const *parts, const size_t *n_parts,
                     size_t n, size_t *n_added_out, char **err_out) {
  int rc = JFTS_OK;
  QryClause *fresh = jfts_calloc(n ? n : 1, sizeof *fresh);
  size_t n_fresh = 0;
  if (n_added_out) *n_added_out = 0;
  if (fresh == NULL) return JFTS_ERR_NOMEM;
  for (size_t k = 0; rc == JFTS_OK && k < n; k++) {
    char *clean = NULL;
    size_t n_clean = 0;
    int found = 0;
    rc = sanitize(parts[k], n_parts[k], &clean, &n_clean);
    if (rc == JFTS_OK) rc = has_tokens(clean, n_clean, &found, err_out);
    if (rc == JFTS_OK && found) {
      rc = clause_add_term(&fresh[n_fresh], clean, n_clean, 0);
      if (rc == JFTS_OK) n_fresh++;
    } else {
      jfts_free(clean);
    }
  }
  QryClause *grown = NULL;
  if (rc == JFTS_OK && n_fresh > 0) {
    grown = jfts_realloc(query->clauses, (query->n_clauses + n_fresh) * sizeof *grown);
    if (grown == NULL) rc = JFTS_ERR_NOMEM;
  }
  if (rc == JFTS_OK && n_fresh > 0) {
    query->clauses = grown;
    QryClause old = grown[i];
    memmove(grown + i + n_fresh, grown + i + 1, (query->n_clauses - i - 1) * sizeof *grown);
    memcpy(grown + i, fresh, n_fresh * sizeof *fresh);
    query->n_clauses += n_fresh - 1;
    for (size_t t = 0; t < old.n_terms; t++) term_clear(&old.terms[t]);
    jfts_free(old.terms);
    if (n_added_out) *n_added_out = n_fresh;
    n_fresh = 0;
  }
  for (size_t k = 0; k < n_fresh; k++) {
    for (size_t t = 0; t < fresh[k].n_terms; t++) term_clear(&fresh[k].terms[t]);
    jfts_free(fresh[k].terms);
  }
  jfts_free(fresh);
  return rc;
}

char *qry_render(const Query *query) {
  JftsBuf b = {NULL, 0, 0, JFTS_OK};
  for (size_t i = 0; i < query->n_clauses; i++) {
    const QryClause *c = &query->clauses[i];
    if (i > 0) jfts_buf_add(&b, " ", 1);
    if (c->excluded) jfts_buf_add(&b, "-", 1);
    for (size_t t = 0; t < c->n_terms; t++) {
      if (t > 0) jfts_buf_add(&b, " OR ", 4);
      if (c->terms[t].is_phrase) jfts_buf_add(&b, "\"", 1);
      jfts_buf_add(&b, c->terms[t].text, c->terms[t].n_bytes);
      if (c->terms[t].is_phrase) jfts_buf_add(&b, "\"", 1);
    }
  }
  jfts_buf_add(&b, "", 0);
  if (b.rc != JFTS_OK) {
    jfts_buf_free(&b);
    return NULL;
  }
  return b.p;
}

size_t qry_note_count(const Query *query) { return query ? query->n_notes : 0; }

const char *qry_note(const Query *query, size_t i) {
  return query && i < query->n_notes ? query->notes[i] : NULL;
}

void qry_free(Query *query) {
  if (query == NULL) return;
  for (size_t i = 0; i < query->n_clauses; i++) {
    QryClause *c = &query->clauses[i];
    for (size_t j = 0; j < c->n_terms; j++) term_clear(&c->terms[j]);
    jfts_free(c->terms);
  }
  jfts_free(query->clauses);
  for (size_t i = 0; i < query->n_notes; i++) jfts_free(query->notes[i]);
  jfts_free(query->notes);
  jfts_free(query);
}
