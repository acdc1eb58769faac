/* main.c — mbshake: dispatches to the subcommands. Only commands that exist are listed. */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "version.h"

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} cmds[] = {
    {"serve", cmd_serve, "TLS 1.2 server: handshakes, answers HTTP GET, echoes other data"},
    {"connect", cmd_connect, "TLS 1.2 client: one verified handshake and an HTTP GET"},
    {"bench", cmd_bench, "in-memory handshake benchmark, client and server in one thread"},
    {"load", cmd_load, "TLS 1.2 handshake load generator against a server over TCP"},
    {"compare", cmd_compare, "compare results files: changes with 95% CIs, exit 1 on a regression"},
    {"report", cmd_report, "markdown summary and gnuplot charts of results files"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: mbshake COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
    fprintf(f, "\n'mbshake COMMAND --help' describes a command's options.\n"
               "  -h, --help     show this help\n  --version      print the version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *c = argv[1];
    if (!strcmp(c, "-h") || !strcmp(c, "--help") || !strcmp(c, "help")) {
        if (!strcmp(c, "help") && argc > 2) {
            char *hv[] = {argv[2], (char *)"--help", NULL};
            for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
                if (!strcmp(argv[2], cmds[i].name)) return cmds[i].fn(2, hv);
            fprintf(stderr, "mbshake: unknown command '%s'\nTry 'mbshake --help'.\n", argv[2]);
            return 2;
        }
        usage(stdout);
        return 0;
    }
    if (!strcmp(c, "--version")) {
        printf("mbshake %s\n", MBSHAKE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (!strcmp(c, cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
    if (c[0] == '-')
        fprintf(stderr, "mbshake: unknown option '%s'\nTry 'mbshake --help'.\n", c);
    else
        fprintf(stderr, "mbshake: unknown command '%s'\nTry 'mbshake --help'.\n", c);
    return 2;
}
