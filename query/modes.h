/* The modes of jfts-query (search, --queries, --documents, --meetings, --wards, --quotes),
** run for main() once its options are parsed: each opens what it needs, writes its data on
** standard output and its diagnostics on standard error as "jfts-query: ...", and returns
** the exit status. Program code, linked into jfts-query only: unlike the library modules it
** talks to the user, on main's behalf. */
#ifndef JFTS_MODES_H
#define JFTS_MODES_H

#include <stddef.h>

#include "cli.h"
#include "kwic.h"
#include "output.h"
#include "research.h"
#include "search.h"

#define MODE_PROG "jfts-query"

/* Exit statuses: 0 success (also without hits), 1 runtime failure, 2 usage error. */
enum { MODE_EXIT_OK = 0, MODE_EXIT_FAIL = 1, MODE_EXIT_USAGE = CLI_EXIT_USAGE };

typedef enum ModeKind {
  MODE_SEARCH,
  MODE_DOCUMENTS,
  MODE_MEETINGS,
  MODE_WARDS,
  MODE_QUOTES
} ModeKind;

/* What to run, as parsed and checked by main; every string borrowed. */
typedef struct ModeArgs {
  const char *db;
  ModeKind mode;
  OutFormat format;
  const char *const *wards; /* --ward as typed, in order */
  size_t n_wards;
  const char *const *orgs;  /* --org as typed, in order */
  size_t n_orgs;
  const char *kind;         /* --kind as typed, or NULL */
  ResearchBy by;            /* --wards / --by: the groups of MODE_WARDS */
  const char *section, *meeting, *year; /* --section, --meeting, --year as typed */
  int exact;             /* --exact: no thesaurus */
  const char *thesaurus; /* the user's thesaurus (--thesaurus or $JFTS_THESAURUS, read once
                         ** by main); NULL: the shipped one */
  int all_words;         /* --all-words: only passages holding every word (strict AND) */
  int no_related;        /* --no-related: no related-topics layer */
  const char *related;   /* the user's related-topics file (--related or $JFTS_RELATED, read
                         ** once by main); NULL: the shipped one */
  int no_color;          /* --no-color */
  const char *mark_open, *mark_close; /* --highlight OPEN,CLOSE; NULL when not given */
  long context;          /* --quotes: characters of context on each side; 0: default */
  KwicSort kwic_sort;    /* --quotes: order of the lines */
  long limit;            /* search: at most this many results; <= 0: no limit */
  long offset;           /* search: results skipped first */
  SearchSort sort;       /* search: order of the results */
  const char *queries;   /* --queries FILE ("-": standard input), or NULL */
  int timing;            /* --timing: per-query milliseconds on standard error */
  const char *query;     /* QUERY words joined by spaces; NULL with --queries or a listing */
} ModeArgs;

/* Runs the mode of a on the database a->db: one read snapshot for the whole run, the filters
** resolved and the thesaurus loaded for the query modes, the related-topics layer for a
** search (unless exact or no_related); each search query goes through expand_query
** (expand.h) before search_run. Returns MODE_EXIT_OK, MODE_EXIT_FAIL or MODE_EXIT_USAGE (also
** an unknown filter value or an unreadable thesaurus or related-topics file the user named).
** Does not close standard output. */
int mode_run(const ModeArgs *a);

/* Prints "jfts-query: " and the message on standard error, then the hint to --help; returns
** MODE_EXIT_USAGE (cli.h: the same words in every program). */
#define mode_usage_error(...) cli_usage_error(MODE_PROG, __VA_ARGS__)

#endif
