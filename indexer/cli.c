/* The usage-error messages of the programs (cli.h), written once so that jfts-index,
** jfts-query and jfts-serve word them alike. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>

void cli_try_help(const char *prog) {
  fprintf(stderr, "Try '%s --help' for more information.\n", prog);
}

int cli_usage_error(const char *prog, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  cli_try_help(prog);
  return CLI_EXIT_USAGE;
}
