/* cli_opts.c — see cli_opts.h */
#include "cli_opts.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cd.h"

/* see cli_opts.h */
void cli_usage(FILE *f, const cli_cmd *cmd)
{
    fprintf(f, "usage: mbshake %s %s\n", cmd->name, cmd->synopsis);
    if (cmd->about) fprintf(f, "\n%s\n", cmd->about);
    fprintf(f, "\noptions:\n");
    for (const cli_opt *o = cmd->opts; o && o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-24s %s\n", left, o->help);
    }
    fprintf(f, "  %-24s %s\n", "-h, --help", "show this help and exit");
}

/* see cli_opts.h */
int cli_usage_error(const cli_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mbshake %s: ", cmd->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'mbshake %s --help'.\n", cmd->name);
    return CLI_USAGE;
}

/* see cli_opts.h */
int cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mbshake %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

static int set_value(const cli_cmd *cmd, const cli_opt *o, const char *v)
{
    char *end = NULL;
    switch (o->kind) {
    case OPT_STR:
        *(const char **)o->dst = v;
        return 0;
    case OPT_INT: {
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno || end == v || *end || (o->min <= o->max && (x < o->min || x > o->max))) {
            if (o->min <= o->max)
                return cli_usage_error(cmd, "--%s wants an integer in %.0f..%.0f, not '%s'",
                                       o->name, o->min, o->max, v);
            return cli_usage_error(cmd, "--%s wants an integer, not '%s'", o->name, v);
        }
        *(int *)o->dst = (int)x;
        return 0;
    }
    case OPT_NUM: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end || !isfinite(x) ||
            (o->min <= o->max && (x < o->min || x > o->max))) {
            if (o->min <= o->max)
                return cli_usage_error(cmd, "--%s wants a number in %g..%g, not '%s'", o->name,
                                       o->min, o->max, v);
            return cli_usage_error(cmd, "--%s wants a number, not '%s'", o->name, v);
        }
        *(double *)o->dst = x;
        return 0;
    }
    case OPT_FLAG:
        break;
    }
    return cli_usage_error(cmd, "--%s takes no value", o->name);
}

/* see cli_opts.h */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, const char **pos, int maxpos, int *npos)
{
    int np = 0, only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || !strcmp(a, "-")) {
            if (np >= maxpos)
                return cli_usage_error(cmd, "unexpected argument '%s'", a);
            pos[np++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            cli_usage(stdout, cmd);
            return CLI_HELP;
        }
        if (a[1] != '-') return cli_usage_error(cmd, "unknown option '%s'", a);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t nl = eq ? (size_t)(eq - name) : strlen(name);
        const cli_opt *o = cmd->opts;
        while (o && o->name && !(strlen(o->name) == nl && !strncmp(o->name, name, nl))) o++;
        if (!o || !o->name) return cli_usage_error(cmd, "unknown option '--%.*s'", (int)nl, name);
        if (o->kind == OPT_FLAG) {
            if (eq) return cli_usage_error(cmd, "--%s takes no value", o->name);
            *(int *)o->dst = 1;
            continue;
        }
        const char *v = eq ? eq + 1 : NULL;
        if (!v) {
            if (i + 1 >= argc) return cli_usage_error(cmd, "--%s needs a value (%s)", o->name, o->arg);
            v = argv[++i];
        }
        int r = set_value(cmd, o, v);
        if (r) return r;
    }
    *npos = np;
    return CLI_OK;
}

/* see cli_opts.h */
int cli_check_readable(const char *cmd, const char *opt, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        cli_error(cmd, "cannot read --%s %s: %s", opt, path, strerror(errno));
        return -1;
    }
    close(fd);
    return 0;
}

/* see cli_opts.h */
int cli_apply_isa(const char *cmd, const char *isa)
{
    const char *why = NULL;
    if (!isa) return 0;
    if (cd_isa_force(isa, &why) != 0) {
        cli_error(cmd, "--isa %s: %s", isa, why ? why : "not available");
        return -1;
    }
    return 0;
}
