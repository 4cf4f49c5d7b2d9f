/* The parameters of a jfts-serve request, parsed from the raw request target ("/api/search?
** q=8050%E5%95%8F%E9%A1%8C&ward=青葉"): path and query string split, percent-decoding (+ is a
** space), every value checked to be UTF-8 without NUL, lengths and counts bounded. Pure code
** (no SQLite, no HTTP library) so that it can be fuzzed on its own (tests/fuzz). */
#ifndef JFTS_PARAMS_H
#define JFTS_PARAMS_H

#include <stddef.h>

#include "output.h"

#define SP_MAX_TARGET 4096   /* bytes of the request target (path and query string) */
#define SP_MAX_QUERY 1024    /* bytes of q after decoding */
#define SP_MAX_VALUE 256     /* bytes of any other value after decoding */
#define SP_MAX_WARDS 16      /* ward parameters (RESEARCH_MAX_WARDS) */
#define SP_MAX_LIMIT 100     /* search rows per page; larger limits are capped to it */
#define SP_MAX_LIMIT_ROWS 1000 /* quotes rows per page in JSON; larger limits are capped */

typedef struct ServeParams {
  char *path;          /* the path, not decoded: only fixed ASCII names are ever served */
  char *q;             /* query text; NULL when absent */
  char *wards[SP_MAX_WARDS]; /* ward values as given (青葉区 or 青葉), n_wards of them */
  size_t n_wards;
  char *year, *section, *meeting; /* NULL when absent */
  char *orgs[SP_MAX_WARDS]; /* org values as given (仙台市 or 仙台), n_orgs of them */
  size_t n_orgs;
  char *kind;          /* document kind; NULL when absent */
  char *by;            /* /api/wards: ward|org|year|kind|document; NULL: ward */
  char *sort;          /* rank|doc for search; doc|left|right for quotes; NULL: default */
  int exact;           /* exact=1: no thesaurus (and no related topics) */
  int all_words;       /* all_words=1: only passages holding every word (search) */
  int related;         /* related=0: no related-topics layer (search); 1 when absent */
  long limit;          /* -1 when absent; else 0..SP_MAX_LIMIT_ROWS (capped) */
  long offset;         /* 0 when absent */
  long context;        /* 0 when absent, else 1..1000 */
  long id;             /* document id; 0 when absent */
  int limit_capped;    /* 1 when the given limit was larger than the cap */
  OutFormat format;    /* OUT_JSON when absent; csv and tsv as the CLI writes them */
} ServeParams;

/* Parses target (n_bytes, not NUL-terminated) into a new ServeParams (*out; sp_free).
** Returns JFTS_OK; JFTS_ERR_INPUT ("request target longer than 4096 bytes") for an over-long
** target; JFTS_ERR_USAGE with a message for anything else a client got wrong: an unknown or
** repeated parameter, a bad percent escape, a value that is not UTF-8 or holds NUL, a value
** or q too long, more than SP_MAX_WARDS wards or orgs, a number out of range, an unknown
** format;
** JFTS_ERR_NOMEM. On error *out is NULL. */
int sp_parse(const char *target, size_t n_bytes, ServeParams **out, char **err_out);

/* Frees p; accepts NULL. */
void sp_free(ServeParams *p);

#endif
