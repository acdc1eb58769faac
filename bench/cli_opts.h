/* cli_opts.h — the small, table-driven option parser every mbshake subcommand uses.
 * Accepts --name value, --name=value, -h/--help and "--" (end of options). Errors are one line
 * ("mbshake CMD: ...") plus a hint to run --help, and exit status 2 (usage) or 1 (runtime). */
#ifndef MBSHAKE_CLI_OPTS_H
#define MBSHAKE_CLI_OPTS_H

#include <stdio.h>

typedef enum { OPT_FLAG, OPT_STR, OPT_INT, OPT_NUM } cli_kind;

typedef struct cli_opt {
    const char *name; /* without the leading "--" */
    cli_kind kind;
    void *dst;        /* FLAG, INT: int*; STR: const char**; NUM: double* */
    const char *arg;  /* placeholder in the usage ("FILE"); NULL for flags */
    const char *help; /* one line */
    double min, max;  /* INT/NUM range (inclusive); min > max means unchecked */
} cli_opt;

typedef struct cli_cmd {
    const char *name;     /* "serve" */
    const char *synopsis; /* "--cert FILE --key FILE [options]" */
    const char *about;    /* one paragraph, printed under the synopsis */
    const cli_opt *opts;  /* terminated by an entry with name == NULL */
} cli_cmd;

enum { CLI_OK = 0, CLI_HELP = 1, CLI_USAGE = 2 };

/* Parses argv[1..argc) (argv[0] is the command name). Positional arguments go to pos[0..maxpos)
 * and their count to *npos. Returns CLI_OK, CLI_HELP (usage already printed to stdout) or
 * CLI_USAGE (error already printed to stderr). */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int maxpos, int *npos);
void cli_usage(FILE *f, const cli_cmd *cmd);
/* "mbshake CMD: <message>\nTry 'mbshake CMD --help'.\n" to stderr; returns CLI_USAGE (2). */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "mbshake CMD: <message>" to stderr; returns 1. */
int cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 if path can be opened for reading; else prints "mbshake CMD: cannot read --OPT PATH:
 * <strerror>" and returns -1. */
int cli_check_readable(const char *cmd, const char *opt, const char *path);
/* Applies --isa (NULL = leave the default): 0, or prints the reason and returns -1. */
int cli_apply_isa(const char *cmd, const char *isa);

#endif
