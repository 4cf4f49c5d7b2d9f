/* What the three programs (jfts-index, jfts-query, jfts-serve) tell the user in the same
** words: a usage error and the hint to --help. Program code, linked into the programs only:
** unlike the library modules it prints. */
#ifndef JFTS_CLI_H
#define JFTS_CLI_H

/* Exit status of a usage error, in all three programs. */
#define CLI_EXIT_USAGE 2

/* Prints "PROG: <message>" and then the hint (cli_try_help) on standard error; returns
** CLI_EXIT_USAGE, so that option parsing can `return cli_usage_error(...)`. */
int cli_usage_error(const char *prog, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Prints "Try 'PROG --help' for more information." on standard error: alone after getopt's
** own message about an unknown option. */
void cli_try_help(const char *prog);

#endif
