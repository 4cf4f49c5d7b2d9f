/* A stand-in for libFuzzer's main() so that the harnesses run in a plain gcc build (CI, the
** sanitizer build): each file of the given directories (or each given file) is run once, in
** name order, then -runs=N inputs made by mutating them with a fixed -seed, so that a run is
** repeatable. It takes libFuzzer's spelling of the options it shares (-runs=, -seed=,
** -max_len=, -timeout=, -artifact_prefix=) and ignores the others, so that scripts call
** both alike.
** An input that crashes is first written to <artifact_prefix>crash-<program name>. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define REPLAY_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define REPLAY_SANITIZER 1
#endif
#if defined(REPLAY_SANITIZER)
#include <sanitizer/common_interface_defs.h>
#endif

typedef struct Input {
  char *name;
  uint8_t *data;
  size_t n_bytes;
} Input;

/* The input being run, for the crash handlers (which may only use async-signal-safe calls). */
static const uint8_t *g_cur_data;
static size_t g_cur_size;
static char g_crash_path[4096];
static char g_cur_label[512];
static unsigned g_timeout_s; /* -timeout: seconds per input, 0 for none */

static void write_str(const char *s) {
  ssize_t r = write(2, s, strlen(s));
  (void)r;
}

static void save_crash(void) {
  static volatile sig_atomic_t saved;
  if (saved) return;
  saved = 1;
  write_str("fuzz replay: crash on ");
  write_str(g_cur_label);
  int fd = open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    size_t off = 0;
    while (off < g_cur_size) {
      ssize_t w = write(fd, g_cur_data + off, g_cur_size - off);
      if (w <= 0) break;
      off += (size_t)w;
    }
    close(fd);
    write_str("; input saved to ");
    write_str(g_crash_path);
  }
  write_str("\n");
}

static void on_signal(int sig) {
  save_crash();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* -timeout: an input that runs this long is a hang; exit as libFuzzer does (70). */
static void on_alarm(int sig) {
  (void)sig;
  write_str("fuzz replay: timeout\n");
  save_crash();
  _exit(70);
}

#if defined(REPLAY_SANITIZER)
/* Runaway memory growth (an endless loop that allocates) becomes a report rather than a
** visit from the OOM killer; ASAN_OPTIONS from the environment still override this. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "hard_rss_limit_mb=2048"; }
#endif

/* splitmix64: small, and the same sequence on every platform. */
static uint64_t g_rng;
static uint64_t rnd(void) {
  uint64_t z = (g_rng += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}
static size_t rnd_below(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

/* Pieces that matter to these parsers: query syntax, the spaces and digits of the corpus,
** malformed UTF-8 (surrogate, overlong, truncated), BOMs, normalization-changing chars. */
static const char *const k_dict[] = {
    " ",  "\"", "-", "－", "OR", " OR ", "　", "\n", "\r\n", " \n", "\x1f", "*", "(", ")",
    "NEAR", "AND", "NOT", "^", ":", "（１）", "１２回", "8050", " 問題", "令和 3年度", "区",
    "青葉区", "○実施状況", "その他の活動", "１ 今年度の主な取組み", "ｶﾞ", "㍻", "Ａ", "é",
    "e\xcc\x81", "\xe2\x80\x8d", "\xc2\xad", "\xef\xbf\xbd", "\xed\xa0\x80", "\xc0\x80",
    "\xe3\x81", "\xf0\xa0\xae\xb7", "\xef\xbb\xbf", "\xff\xfe", "\xfe\xff", "\x82\xa0",
    "\xa4\xa2", "\x1b$B", "\x1b(B", "\x00",
};
#define N_DICT (sizeof k_dict / sizeof k_dict[0])

/* Inserts k bytes of src (which may point into buf) at offset `to`, as far as cap allows. */
static void insert_bytes(uint8_t *buf, size_t *len, size_t cap, size_t to, const uint8_t *src,
                         size_t k) {
  if (k > cap - *len) k = cap - *len;
  if (k == 0) return;
  uint8_t *piece = malloc(k);
  if (piece == NULL) abort();
  memcpy(piece, src, k);
  memmove(buf + to + k, buf + to, *len - to);
  memcpy(buf + to, piece, k);
  free(piece);
  *len += k;
}

/* One random edit of buf (length *n, capacity cap); other is a second input to splice from. */
static void mutate_once(uint8_t *buf, size_t *n, size_t cap, const Input *other) {
  size_t len = *n;
  switch (rnd_below(8)) {
    case 0: /* flip a bit */
      if (len) buf[rnd_below(len)] ^= (uint8_t)(1u << rnd_below(8));
      break;
    case 1: /* set a byte to an interesting value */
      if (len) {
        static const uint8_t v[] = {0x00, 0x0a, 0x20, 0x22, 0x2d, 0x7f, 0x80, 0xbf,
                                    0xc0, 0xe3, 0xef, 0xf0, 0xff};
        buf[rnd_below(len)] = v[rnd_below(sizeof v)];
      }
      break;
    case 2: /* delete a range */
      if (len) {
        size_t at = rnd_below(len), k = 1 + rnd_below(len - at < 16 ? len - at : 16);
        memmove(buf + at, buf + at + k, len - at - k);
        len -= k;
      }
      break;
    case 3: /* duplicate a range */
      if (len) {
        size_t at = rnd_below(len), k = 1 + rnd_below(len - at);
        insert_bytes(buf, &len, cap, rnd_below(len + 1), buf + at, k);
      }
      break;
    case 4: /* truncate */
      len = rnd_below(len + 1);
      break;
    case 5: /* splice a piece of another input */
      if (other->n_bytes) {
        size_t at = rnd_below(other->n_bytes), k = 1 + rnd_below(other->n_bytes - at);
        insert_bytes(buf, &len, cap, rnd_below(len + 1), other->data + at, k);
      }
      break;
    default: { /* insert a dictionary entry ("\x00" is one NUL byte) */
      const char *w = k_dict[rnd_below(N_DICT)];
      size_t k = w[0] ? strlen(w) : 1;
      if (k <= cap - len) insert_bytes(buf, &len, cap, rnd_below(len + 1), (const uint8_t *)w, k);
      break;
    }
  }
  *n = len;
}

static int read_input(const char *path, Input *in) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return -1;
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *b2 = realloc(buf, cap * 2);
      if (b2 == NULL) free(buf);
      buf = b2;
      cap *= 2;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (buf == NULL || err) {
    free(buf);
    return -1;
  }
  in->name = strdup(path);
  in->data = buf;
  in->n_bytes = n;
  return in->name ? 0 : -1;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the input at path, or every regular file of the directory at path, by name. */
static int add_path(const char *path, Input **inputs, size_t *n_inputs) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "fuzz replay: cannot read '%s': %s\n", path, strerror(errno));
    return -1;
  }
  char **names = NULL;
  size_t n_names = 0;
  if (S_ISDIR(st.st_mode)) {
    DIR *dir = opendir(path);
    if (dir == NULL) return -1;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
      if (e->d_name[0] == '.') continue;
      char **n2 = realloc(names, (n_names + 1) * sizeof *names);
      if (n2 == NULL) break;
      names = n2;
      size_t len = strlen(path) + strlen(e->d_name) + 2;
      names[n_names] = malloc(len);
      if (names[n_names] == NULL) break;
      snprintf(names[n_names], len, "%s/%s", path, e->d_name);
      n_names++;
    }
    closedir(dir);
    qsort(names, n_names, sizeof *names, cmp_str);
  } else {
    names = malloc(sizeof *names);
    if (names) names[n_names++] = strdup(path);
  }
  int rc = 0;
  for (size_t i = 0; i < n_names; i++) {
    struct stat fst;
    if (rc == 0 && names[i] && stat(names[i], &fst) == 0 && S_ISREG(fst.st_mode)) {
      Input *grown = realloc(*inputs, (*n_inputs + 1) * sizeof **inputs);
      if (grown == NULL || read_input(names[i], &grown[*n_inputs]) != 0) {
        fprintf(stderr, "fuzz replay: cannot read '%s'\n", names[i]);
        rc = -1;
      } else {
        (*n_inputs)++;
      }
      if (grown) *inputs = grown;
    }
    free(names[i]);
  }
  free(names);
  return rc;
}

static void run_one(const uint8_t *data, size_t size) {
  /* A copy of exactly `size` bytes, so that AddressSanitizer sees reads past the end. */
  uint8_t *copy = malloc(size ? size : 1);
  if (copy == NULL) abort();
  memcpy(copy, data, size);
  g_cur_data = copy;
  g_cur_size = size;
  alarm(g_timeout_s);
  LLVMFuzzerTestOneInput(copy, size);
  alarm(0);
  g_cur_data = NULL;
  free(copy);
}

int main(int argc, char **argv) {
  long runs = 0;
  unsigned timeout_s = 25;
  uint64_t seed = 1;
  size_t max_len = 4096;
  const char *prefix = "./";
  Input *inputs = NULL;
  size_t n_inputs = 0;

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strncmp(a, "-runs=", 6) == 0) {
      runs = strtol(a + 6, NULL, 10);
    } else if (strncmp(a, "-seed=", 6) == 0) {
      seed = strtoull(a + 6, NULL, 10);
    } else if (strncmp(a, "-max_len=", 9) == 0) {
      max_len = strtoul(a + 9, NULL, 10);
    } else if (strncmp(a, "-timeout=", 9) == 0) {
      timeout_s = (unsigned)strtoul(a + 9, NULL, 10);
    } else if (strncmp(a, "-artifact_prefix=", 17) == 0) {
      prefix = a + 17;
    } else if (a[0] == '-') {
      fprintf(stderr, "fuzz replay: ignoring libFuzzer option %s\n", a);
    } else if (add_path(a, &inputs, &n_inputs) != 0) {
      return 2;
    }
  }
  if (max_len == 0) max_len = 4096;
  g_timeout_s = timeout_s;
  const char *exe = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
  snprintf(g_crash_path, sizeof g_crash_path, "%scrash-%s", prefix, exe);
  signal(SIGABRT, on_signal);
  signal(SIGSEGV, on_signal);
  signal(SIGBUS, on_signal);
  signal(SIGFPE, on_signal);
  signal(SIGILL, on_signal);
  signal(SIGALRM, on_alarm);
#if defined(REPLAY_SANITIZER)
  __sanitizer_set_death_callback(save_crash);
#endif

  for (size_t i = 0; i < n_inputs; i++) {
    snprintf(g_cur_label, sizeof g_cur_label, "seed %s", inputs[i].name);
    run_one(inputs[i].data, inputs[i].n_bytes);
  }

  /* Mutations: the generator alone picks the base input, the splice partner and the edits,
  ** so the sequence depends only on -seed, -max_len and the sorted list of inputs. */
  g_rng = seed;
  uint8_t *buf = malloc(max_len);
  if (buf == NULL) return 1;
  static const Input empty = {NULL, NULL, 0};
  for (long r = 0; r < runs; r++) {
    const Input *base = n_inputs ? &inputs[rnd_below(n_inputs)] : &empty;
    const Input *other = n_inputs ? &inputs[rnd_below(n_inputs)] : &empty;
    size_t n = base->n_bytes < max_len ? base->n_bytes : max_len;
    if (n) memcpy(buf, base->data, n);
    snprintf(g_cur_label, sizeof g_cur_label, "mutation %ld of %s (-seed=%llu)", r + 1,
             base->name ? base->name : "(empty)", (unsigned long long)seed);
    size_t n_edits = 1 + rnd_below(8);
    for (size_t e = 0; e < n_edits; e++) mutate_once(buf, &n, max_len, other);
    run_one(buf, n);
  }
  free(buf);

  fprintf(stderr, "fuzz replay: %zu inputs, %ld mutations (-seed=%llu, -max_len=%zu): no crash\n",
          n_inputs, runs, (unsigned long long)seed, max_len);
  for (size_t i = 0; i < n_inputs; i++) {
    free(inputs[i].name);
    free(inputs[i].data);
  }
  free(inputs);
  return 0;
}
