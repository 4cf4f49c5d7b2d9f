/* Text from extractors other than the one the corpus came from: the hand-made damage fixtures
** of tests/data/extract/ and `pdftotext` (plain and -layout) output of the PDF fixtures and of
** any PDFs in $JFTS_PDF_EXTRA, parsed as jfts-index parses a text file. The oracle is grep on
** the whole file, NFKC_Casefold with all white space removed: every occurrence of a random
** Japanese substring (1-8 chars drawn from one line) must be found by the matcher in the
** passages and labels (recall 1.000); no token fuses digits from two source lines; no passage
** ends with an opening bracket or starts with a closing one.
** JFTS_EXTRACT_SEED and JFTS_EXTRACT_QUERIES (per file, default 300) vary the run. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unicode/utf8.h>
#include <unistd.h>

#include "jfts_common.h"
#include "match.h"
#include "norm.h"
#include "qparse.h"
#include "repair.h"
#include "report.h"
#include "tokenizer.h"
#include "test_util.h"

static uint64_t g_rng;
static uint64_t rng_next(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return g_rng;
}

/* Japanese for the oracle's queries: Han, kana and the prolonged sound mark. */
static int is_japanese(uint32_t c) {
  return (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) || c == 0x30FC ||
         (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF);
}

/* Normalized code points of text with every white space char removed. */
typedef struct Bare {
  uint32_t *cp;
  size_t n;
} Bare;

static void bare_build(const char *text, size_t n_bytes, Bare *out) {
  NormText *t = NULL;
  assert_int_equal(norm_text(text, n_bytes, &t, NULL), JFTS_OK);
  out->cp = malloc((t->n + 1) * sizeof *out->cp);
  assert_non_null(out->cp);
  out->n = 0;
  for (size_t i = 0; i < t->n; i++)
    if (t->cls[i] != NORM_SPACE) out->cp[out->n++] = t->cp[i];
  norm_free(t);
}

static long bare_count(const Bare *b, const uint32_t *q, size_t m) {
  long n = 0;
  for (size_t k = 0; k + m <= b->n; k++) n += memcmp(b->cp + k, q, m * sizeof *q) == 0;
  return n;
}

/* Occurrences the matcher finds for q in every passage and every label span. */
static long jfts_count(const Report *r, const char *text, const char *q, size_t n_q) {
  Query *query = NULL;
  Matcher *m = NULL;
  assert_int_equal(qry_parse(q, n_q, &query, NULL), JFTS_OK);
  assert_int_equal(match_new(query, &m, NULL), JFTS_OK);
  long n = 0;
  for (size_t i = 0; i < r->n_passages + r->n_labels; i++) {
    const char *s;
    size_t len;
    if (i < r->n_passages) {
      s = r->passages[i].body.text ? r->passages[i].body.text : "";
      len = r->passages[i].body.n_bytes;
    } else {
      const LabelSpan *l = &r->labels[i - r->n_passages];
      s = text + l->src_start;
      len = l->src_end - l->src_start;
    }
    MatchSpan *spans = NULL;
    size_t n_spans = 0;
    assert_int_equal(match_find(m, s, len, &spans, &n_spans, NULL), JFTS_OK);
    n += (long)n_spans;
    jfts_free(spans);
  }
  match_free(m);
  qry_free(query);
  return n;
}

typedef struct FuseCheck {
  const RepText *body;
  const char *file;
  int fused;
} FuseCheck;

/* Index of the segment of body holding byte b, or n_segs for an inserted byte. */
static size_t seg_of(const RepText *body, size_t b) {
  for (size_t k = 0; k < body->n_segs; k++) {
    const RepSeg *s = &body->segs[k];
    if (b >= s->text_start && b < (size_t)s->text_start + s->n_bytes) return k;
  }
  return body->n_segs;
}

static int check_token(void *ctx, int colocated, const char *token, int n_token, int start,
                       int end) {
  (void)colocated;
  FuseCheck *f = ctx;
  int digits = 0;
  for (int i = 0; i < n_token; i++) digits |= token[i] >= '0' && token[i] <= '9';
  if (!digits || end <= start) return 0;
  size_t a = seg_of(f->body, (size_t)start), b = seg_of(f->body, (size_t)end - 1);
  if (a != b) {
    print_error("%s: token '%.*s' joins two source lines: '%.*s'\n", f->file, n_token, token,
                end - start, f->body->text + start);
    f->fused = 1;
  }
  return 0;
}

/* First and last non-space char of a passage. */
static void passage_ends(const RepText *b, uint32_t *first, uint32_t *last) {
  size_t s = 0, e = b->n_bytes;
  *first = *last = 0;
  while (s < e) {
    size_t len = jfts_utf8_next(b->text + s, e - s, first);
    if (!repair_is_space(*first) && *first != '\n') break;
    s += len;
  }
  while (e > s) {
    size_t len = jfts_utf8_prev(b->text, e, last);
    if (!repair_is_space(*last) && *last != '\n') break;
    e -= len;
  }
}

/* Checks one text file; returns the number of queries run. */
static size_t check_file(const char *path, size_t want) {
  size_t n = 0;
  char *text = test_read_file(path, &n);
  Report *r = NULL;
  assert_int_equal(report_parse(text, n, &r, NULL), JFTS_OK);

  for (size_t i = 0; i < r->n_passages; i++) {
    const RepText *b = &r->passages[i].body;
    uint32_t first, last;
    passage_ends(b, &first, &last);
    if (repair_is_open_bracket(last) || repair_is_close_bracket(first))
      fail_msg("%s: passage %zu: '%s'", path, i, b->text);
    FuseCheck f = {b, path, 0};
    assert_int_equal(tok_tokenize(b->text ? b->text : "", b->n_bytes, FTS5_TOKENIZE_DOCUMENT,
                                  check_token, &f),
                     SQLITE_OK);
    assert_false(f.fused);
  }

  Bare whole;
  bare_build(text, n, &whole);
  RepLine *lines = NULL;
  size_t n_lines = 0;
  assert_int_equal(repair_split_lines(text, n, &lines, &n_lines), JFTS_OK);
  size_t done = 0, attempts = 0, missed = 0;
  long expected = 0, found = 0;
  while (done < want && n_lines > 0 && ++attempts < want * 200) {
    const RepLine *l = &lines[rng_next() % n_lines];
    Bare line;
    bare_build(text + l->start, l->end - l->start, &line);
    size_t len = 1 + rng_next() % 8;
    if (line.n < len) {
      free(line.cp);
      continue;
    }
    size_t at = rng_next() % (line.n - len + 1);
    int ok = 1;
    for (size_t k = at; k < at + len; k++) ok &= is_japanese(line.cp[k]);
    if (ok) {
      char q[64];
      size_t n_q = 0;
      /* ICU's encoder, not a copy of the tokenizer's own put_utf8. */
      for (size_t k = at; k < at + len; k++) U8_APPEND_UNSAFE(q, n_q, line.cp[k]);
      long want_n = bare_count(&whole, line.cp + at, len);
      long got_n = jfts_count(r, text, q, n_q);
      if (got_n != want_n) {
        print_error("%s: '%.*s': grep finds %ld, jfts %ld\n", path, (int)n_q, q, want_n, got_n);
        missed++;
      }
      expected += want_n;
      found += got_n < want_n ? got_n : want_n;
      done++;
    }
    free(line.cp);
  }
  print_message("%s: %zu queries, %zu passages, recall %ld/%ld\n", path, done, r->n_passages,
                found, expected);
  assert_int_equal(missed, 0);
  jfts_free(lines);
  free(whole.cp);
  report_free(r);
  free(text);
  return done;
}

/* Runs pdftotext (args: "" or "-layout") on pdf into out; 0 when it failed (encrypted). */
static int run_pdftotext(const char *args, const char *pdf, const char *out) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "pdftotext %s -enc UTF-8 '%s' '%s' 2>/dev/null", args, pdf, out);
  int st = system(cmd);
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Checks every *.pdf of dir through both pdftotext modes; returns the number of text files. */
static size_t check_pdf_dir(const char *dir, const char *tmp, size_t want) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  size_t n_files = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);
    if (len < 5 || strcmp(e->d_name + len - 4, ".pdf") != 0) continue;
    char pdf[1024], out[1400];
    snprintf(pdf, sizeof pdf, "%s/%s", dir, e->d_name);
    static const char *const modes[] = {"", "-layout"};
    for (int m = 0; m < 2; m++) {
      snprintf(out, sizeof out, "%s/%s%s.txt", tmp, e->d_name, modes[m]);
      if (!run_pdftotext(modes[m], pdf, out)) continue;
      check_file(out, want);
      unlink(out);
      n_files++;
    }
  }
  closedir(d);
  return n_files;
}

static void test_extractors(void **state) {
  (void)state;
  const char *seed_env = getenv("JFTS_EXTRACT_SEED");
  uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 777u;
  const char *count_env = getenv("JFTS_EXTRACT_QUERIES");
  size_t want = count_env ? (size_t)strtoull(count_env, NULL, 10) : 300;
  g_rng = seed * 2654435761u + 1;

  static const char *const fixtures[] = {"spaced.txt", "numbers.txt", "headings.txt",
                                         "bracket.txt"};
  for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/extract/%s", JFTS_TESTDATA, fixtures[i]);
    assert_true(check_file(path, want) > 0);
  }
  char tmp[] = "/tmp/jfts_test_extract_XXXXXX";
  assert_non_null(mkdtemp(tmp));
  if (system("pdftotext -v >/dev/null 2>&1") != 0) {
    rmdir(tmp);
    if (getenv("CI")) fail_msg("pdftotext (poppler-utils) is missing");
    skip();
  }
  /* The fixtures give two text files per readable PDF (encrypted.pdf and the scans give
  ** none or empty ones). */
  assert_true(check_pdf_dir(JFTS_TESTDATA "/pdf", tmp, want) >= 8);
  const char *extra = getenv("JFTS_PDF_EXTRA");
  if (extra && *extra) assert_true(check_pdf_dir(extra, tmp, want) > 0);
  rmdir(tmp);
  print_message("seed %llu\n", (unsigned long long)seed);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_extractors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
