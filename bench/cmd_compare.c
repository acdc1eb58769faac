/* cmd_compare.c — `mbshake compare BASE.json NEW.json [MORE.json...]`: matches runs across
 * results files by configuration key, and for each metric prints the medians, the change and a
 * 95% confidence interval of the change computed from the repetitions (Welch's t-interval on the
 * difference of the means). A regression is a change that is both significant (the interval
 * excludes 0) and worse than --threshold percent; the exit status says whether there is one, so
 * that a script or CI job can gate on it. Files from different machines get the machine
 * differences first and a per-core-per-GHz figure for comparing CPU generations. */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"
#include "cmds.h"
#include "results_read.h"

#define MAX_FILES 32
#define MAX_PATTERNS 64
#define CONF 0.95
#define PER_GHZ "handshakes_per_sec_per_core_per_ghz"

static const char about[] =
    "Compares results files written by `mbshake bench`: every NEW file against BASE. Runs are\n"
    "matched by (engine, suite, group, cert, threads, inflight, verify); unmatched runs are\n"
    "listed. Per metric: base and new medians, the change of the medians in %, and the 95%\n"
    "confidence interval of the change: Welch's t-interval for mean(new) - mean(base) over the\n"
    "repetitions' values, as % of mean(base) (needs >= 2 repetitions on both sides). '*' marks\n"
    "a significant change (the interval excludes 0). Throughput down, or CPU time, cycles or\n"
    "latency up, is worse. A REGRESSION is significant, worse, and changes the median by more\n"
    "than --threshold percent. When the machines differ, their differences come first, and\n"
    "handshakes_per_sec_per_core and " PER_GHZ "\n"
    "(per core, divided by the measured core clock) are always shown (they count towards the\n"
    "exit status only when selected: by default, or by --metric).\n"
    "Metrics: handshakes_per_sec, handshakes_per_sec_per_core, server_cpu_us_per_hs,\n"
    "client_cpu_us_per_hs, cycles_per_hs, latency_us.FLIGHT.{p50,p99,p999} for FLIGHT in\n"
    "handshake, server_hello_flight, client_kx_flight, server_finished_flight, client_finished.\n"
    "--metric takes a name, a prefix (latency_us.handshake) or a glob (\"latency_us.*.p99\");\n"
    "repeat it or separate names with commas.\n"
    "Exit status: 0 no regression, 1 at least one regression, 2 usage or input error.";

typedef struct cmp_opts {
    double threshold;
    const char *json_out;
    const char *pat[MAX_PATTERNS];
    int npat;
} cmp_opts;

/* One metric of one matched run. */
typedef struct cmp_row {
    const char *name, *unit;
    int higher_better;
    rr_stat a, b;
    double delta_pct, lo_pct, hi_pct;
    int has_ci, significant, worse, regression;
} cmp_row;

static int pat_match(const char *pat, const char *name)
{
    size_t l = strlen(pat);
    return !fnmatch(pat, name, 0) || (!strncmp(pat, name, l) && name[l] == '.');
}

static int selected(const cmp_opts *o, const char *name)
{
    if (!o->npat) return 1;
    for (int i = 0; i < o->npat; i++)
        if (pat_match(o->pat[i], name)) return 1;
    return 0;
}

/* Fits the number into a table column: integers for large figures, more digits for small. */
static void fmt_num(double x, char *buf, size_t n)
{
    double a = fabs(x);
    if (isnan(x))
        snprintf(buf, n, "-");
    else if (a >= 1000)
        snprintf(buf, n, "%.0f", x);
    else if (a >= 10)
        snprintf(buf, n, "%.1f", x);
    else
        snprintf(buf, n, "%.3g", x);
}

/* Compares one metric; 0, or -1 when either run lacks it. */
static int compare_metric(const json_t *ra, const json_t *rb, const char *path, double ka,
                          double kb, const cmp_opts *o, cmp_row *r)
{
    if (rr_stat_at(ra, path, &r->a) || rr_stat_at(rb, path, &r->b)) return -1;
    if (ka != 1) rr_stat_scale(&r->a, ka);
    if (kb != 1) rr_stat_scale(&r->b, kb);
    double base = fabs(r->a.median), bmean = fabs(r->a.mean);
    r->delta_pct = base > 0 ? (r->b.median - r->a.median) / base * 100 : NAN;
    double lo, hi;
    r->has_ci = bmean > 0 && !rr_welch_ci(r->a.v, r->a.nv, r->b.v, r->b.nv, CONF, &lo, &hi);
    r->lo_pct = r->has_ci ? lo / bmean * 100 : NAN;
    r->hi_pct = r->has_ci ? hi / bmean * 100 : NAN;
    r->significant = r->has_ci && (r->lo_pct > 0 || r->hi_pct < 0);
    /* worse by the medians, and (when significant) by the whole interval */
    r->worse = !isnan(r->delta_pct) && (r->higher_better ? r->delta_pct < 0 : r->delta_pct > 0);
    int ci_worse = r->higher_better ? r->hi_pct < 0 : r->lo_pct > 0;
    r->regression = r->significant && r->worse && ci_worse && fabs(r->delta_pct) > o->threshold;
    return 0;
}

static void print_row(const cmp_row *r)
{
    char a[32], b[32], d[16], ci[40];
    fmt_num(r->a.median, a, sizeof a);
    fmt_num(r->b.median, b, sizeof b);
    if (isnan(r->delta_pct))
        snprintf(d, sizeof d, "-");
    else
        snprintf(d, sizeof d, "%+.1f%%", r->delta_pct);
    if (r->has_ci)
        snprintf(ci, sizeof ci, "[%+.1f%%, %+.1f%%]", r->lo_pct, r->hi_pct);
    else
        snprintf(ci, sizeof ci, "(n/a: n<2)");
    const char *mark = !r->significant ? "" : r->worse ? "worse" : "better";
    printf("    %-40s %11s %11s %8s %-20s %s %s%s\n", r->name, a, b, d, ci,
           r->significant ? "*" : " ", mark, r->regression ? "  REGRESSION" : "");
}

static json_t *row_json(const cmp_row *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "metric", json_string(r->name));
    json_object_set_new(j, "unit", json_string(r->unit));
    json_object_set_new(j, "better", json_string(r->higher_better ? "higher" : "lower"));
    json_object_set_new(j, "base_median", json_real(r->a.median));
    json_object_set_new(j, "new_median", json_real(r->b.median));
    json_object_set_new(j, "base_n", json_integer((json_int_t)r->a.n));
    json_object_set_new(j, "new_n", json_integer((json_int_t)r->b.n));
    json_object_set_new(j, "delta_pct", isnan(r->delta_pct) ? json_null() : json_real(r->delta_pct));
    json_object_set_new(j, "ci95_low_pct", r->has_ci ? json_real(r->lo_pct) : json_null());
    json_object_set_new(j, "ci95_high_pct", r->has_ci ? json_real(r->hi_pct) : json_null());
    json_object_set_new(j, "significant", json_boolean(r->significant));
    json_object_set_new(j, "worse", json_boolean(r->worse));
    json_object_set_new(j, "regression", json_boolean(r->regression));
    return j;
}

static json_t *key_json(const rr_key *k)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s}", "engine", k->engine, "suite", k->suite,
                     "group", k->group, "cert", k->cert, "threads", (json_int_t)k->threads,
                     "inflight", (json_int_t)k->inflight, "verify", k->verify);
}

static void print_file(const char *role, const rr_file *f)
{
    char lab[256];
    rr_machine_label(f->machine, lab, sizeof lab);
    printf("%-4s %s  (%s, %s, %zu runs)\n", role, f->path, lab,
           rr_str(f->root, "created_utc", "no date"), json_array_size(f->runs));
}

/* Machine section; returns 1 when the machines differ. */
static int machines(const rr_file *a, const rr_file *b, double *ga, double *gb, json_t *jc)
{
    rr_mdiff d[64];
    size_t n = rr_machine_diff(a->machine, b->machine, d, 64);
    const char *sa = NULL, *sb = NULL;
    *ga = rr_core_ghz(a->machine, &sa);
    *gb = rr_core_ghz(b->machine, &sb);
    json_t *jd = json_array();
    const char *ha = rr_str(a->machine, "hostname", "?"), *hb = rr_str(b->machine, "hostname", "?");
    if (!n) {
        char lab[256];
        rr_machine_label(a->machine, lab, sizeof lab);
        printf("Machine: same machine (%s%s%s)\n", lab, strcmp(ha, hb) ? "; hostname differs: " : "",
               strcmp(ha, hb) ? hb : "");
    } else {
        printf("Machines differ in %zu field%s:\n", n, n > 1 ? "s" : "");
        printf("    %-24s %-36s %s\n", "field", "base", "new");
        for (size_t i = 0; i < n && i < 64; i++) {
            printf("    %-24s %-36s %s\n", d[i].field, d[i].a, d[i].b);
            json_array_append_new(jd, json_pack("{s:s,s:s,s:s}", "field", d[i].field, "base",
                                                d[i].a, "new", d[i].b));
        }
        if (*ga > 0 && *gb > 0)
            printf("Core clock for the per-GHz figures: base %.3f GHz (%s), new %.3f GHz (%s)\n",
                   *ga, sa, *gb, sb);
        else
            printf("No core clock in %s: no per-GHz figures\n", *ga > 0 ? "new" : "base");
    }
    json_object_set_new(jc, "same_machine", json_boolean(!n));
    json_object_set_new(jc, "machine_differences", jd);
    json_object_set_new(jc, "base_core_ghz", *ga > 0 ? json_real(*ga) : json_null());
    json_object_set_new(jc, "new_core_ghz", *gb > 0 ? json_real(*gb) : json_null());
    return n != 0;
}

static void list_unmatched(const char *which, const rr_file *f, const char *used, json_t *arr)
{
    size_t i, cnt = 0;
    json_t *run;
    json_array_foreach(f->runs, i, run) cnt += !used[i];
    if (!cnt) return;
    printf("Runs only in %s (%zu):\n", which, cnt);
    json_array_foreach(f->runs, i, run)
    {
        if (used[i]) continue;
        rr_key k;
        char ks[512];
        rr_run_key(run, &k);
        rr_key_str(&k, ks, sizeof ks);
        printf("    %s\n", ks);
        json_array_append_new(arr, key_json(&k));
    }
}

/* Compares one NEW file against BASE; returns the number of regressions. */
static int compare_pair(const rr_file *fa, const rr_file *fb, const cmp_opts *o, json_t *jc,
                        json_t *jregs)
{
    double ga, gb;
    print_file("base", fa);
    print_file("new", fb);
    int differ = machines(fa, fb, &ga, &gb, jc);
    size_t na = json_array_size(fa->runs), nb = json_array_size(fb->runs);
    char *used_a = calloc(na + 1, 1), *used_b = calloc(nb + 1, 1);
    json_t *jruns = json_array();
    int regs = 0, matched = 0, nsig = 0, nworse = 0;
    size_t i, j;
    json_t *ra, *rb = NULL;
    json_array_foreach(fa->runs, i, ra)
    {
        rr_key ka, kb;
        rr_run_key(ra, &ka);
        json_array_foreach(fb->runs, j, rb)
        {
            if (used_b[j]) continue;
            rr_run_key(rb, &kb);
            if (rr_key_eq(&ka, &kb, 0)) break;
        }
        if (j >= nb) continue;
        used_a[i] = used_b[j] = 1;
        matched++;
        char ks[512];
        rr_key_str(&ka, ks, sizeof ks);
        printf("\nRun: %s\n", ks);
        printf("    %-40s %11s %11s %8s %-20s\n", "metric", "base", "new", "change",
               "95% CI of change");
        json_t *jrows = json_array();
        /* every metric in table order; the per-GHz figure follows the per-core one */
        for (size_t m = 0; m < rr_nmetrics; m++) {
            int per_core = !strcmp(rr_metrics[m].name, "handshakes_per_sec_per_core");
            for (int g = 0; g < 1 + per_core; g++) {
                cmp_row r;
                memset(&r, 0, offsetof(cmp_row, a));
                int forced = differ && per_core;
                r.higher_better = rr_metrics[m].higher_better;
                if (!g) {
                    r.name = rr_metrics[m].name;
                    r.unit = rr_metrics[m].unit;
                    if (!forced && !selected(o, r.name)) continue;
                    if (compare_metric(ra, rb, r.name, 1, 1, o, &r)) continue;
                } else { /* per core per GHz: between different machines with known clocks */
                    if (!differ || !(ga > 0 && gb > 0)) continue;
                    r.name = PER_GHZ;
                    r.unit = "hs/s/GHz";
                    if (compare_metric(ra, rb, rr_metrics[m].name, 1 / ga, 1 / gb, o, &r))
                        continue;
                }
                /* a figure shown only because the machines differ informs; it does not gate */
                if (forced && !selected(o, r.name)) r.regression = 0;
                print_row(&r);
                json_array_append_new(jrows, row_json(&r));
                nsig += r.significant;
                nworse += r.significant && r.worse;
                if (r.regression) {
                    regs++;
                    json_t *jr = row_json(&r);
                    json_object_set_new(jr, "run", key_json(&ka));
                    json_object_set_new(jr, "new_file", json_string(fb->path));
                    json_array_append_new(jregs, jr);
                }
            }
        }
        json_t *jrun = json_object();
        json_object_set_new(jrun, "key", key_json(&ka));
        json_object_set_new(jrun, "metrics", jrows);
        json_array_append_new(jruns, jrun);
    }
    printf("\n");
    json_t *ua = json_array(), *ub = json_array();
    list_unmatched("base", fa, used_a, ua);
    list_unmatched("new", fb, used_b, ub);
    if (!matched) printf("No run of %s matches a run of %s.\n", fb->path, fa->path);
    printf("Summary %s vs %s: %d run%s matched, %d significant change%s (%d worse), %d "
           "regression%s beyond %g%%\n\n",
           fb->name, fa->name, matched, matched == 1 ? "" : "s", nsig, nsig == 1 ? "" : "s",
           nworse, regs, regs == 1 ? "" : "s", o->threshold);
    json_object_set_new(jc, "new", json_string(fb->path));
    json_object_set_new(jc, "runs", jruns);
    json_object_set_new(jc, "unmatched_base", ua);
    json_object_set_new(jc, "unmatched_new", ub);
    json_object_set_new(jc, "regressions", json_integer(regs));
    free(used_a);
    free(used_b);
    return regs;
}

/* Takes every --metric out of argv (the option parser keeps only the last value of an option),
 * splitting comma lists; the rest goes to cli_parse. Returns the new argc, or -1 when --metric
 * lacks its value. */
static int take_metrics(int argc, char **argv, char **rest, cmp_opts *o, char **store)
{
    int n = 0;
    *store = NULL;
    size_t total = 1;
    for (int i = 0; i < argc; i++) total += strlen(argv[i]) + 1;
    char *buf = malloc(total), *w = buf;
    *store = buf;
    for (int i = 0; i < argc; i++) {
        const char *v = NULL;
        if (i > 0 && !strcmp(argv[i], "--")) { /* the rest is positional */
            while (i < argc) rest[n++] = argv[i++];
            break;
        }
        if (i > 0 && !strcmp(argv[i], "--metric")) {
            if (i + 1 >= argc) return -1;
            v = argv[++i];
        } else if (i > 0 && !strncmp(argv[i], "--metric=", 9)) {
            v = argv[i] + 9;
        } else {
            rest[n++] = argv[i];
            continue;
        }
        strcpy(w, v);
        for (char *save = NULL, *t = strtok_r(w, ",", &save); t; t = strtok_r(NULL, ",", &save))
            if (o->npat < MAX_PATTERNS) o->pat[o->npat++] = t;
        w += strlen(v) + 1;
    }
    rest[n] = NULL;
    return n;
}

/* see cmds.h */
int cmd_compare(int argc, char **argv)
{
    cmp_opts o = {.threshold = 5};
    const char *metric_dummy = NULL;
    const cli_opt opts[] = {
        {"threshold", OPT_NUM, &o.threshold, "PCT",
         "a regression must change the median by more than PCT % (default 5)", 0, 1e6},
        {"metric", OPT_STR, &metric_dummy, "NAME",
         "compare only these metrics (repeatable; name, prefix or glob; default all)", 1, 0},
        {"json", OPT_STR, &o.json_out, "OUT", "also write the comparison as JSON to OUT", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"compare", "BASE.json NEW.json [MORE.json...] [options]", about, opts};
    char **rest = calloc((size_t)argc + 1, sizeof *rest), *store = NULL;
    const char *pos[MAX_FILES];
    int npos = 0, rc = 2;
    rr_file files[MAX_FILES];
    int nloaded = 0;
    json_t *jout = NULL;
    int rargc = take_metrics(argc, argv, rest, &o, &store);
    if (rargc < 0) {
        rc = cli_usage_error(&cmd, "--metric needs a value (NAME)");
        goto out;
    }
    int r = cli_parse(&cmd, rargc, rest, pos, MAX_FILES, &npos);
    if (r == CLI_HELP) {
        rc = 0;
        goto out;
    }
    if (r) goto out;
    if (npos < 2) {
        rc = cli_usage_error(&cmd, "needs BASE.json and at least one NEW.json");
        goto out;
    }
    for (int i = 0; i < o.npat; i++) {
        int any = pat_match(o.pat[i], PER_GHZ);
        for (size_t m = 0; m < rr_nmetrics && !any; m++) any = pat_match(o.pat[i], rr_metrics[m].name);
        if (!any) {
            rc = cli_usage_error(&cmd, "--metric '%s' matches no metric (see --help)", o.pat[i]);
            goto out;
        }
    }
    for (int i = 0; i < npos; i++) {
        char err[512];
        if (rr_load(&files[i], pos[i], err, sizeof err)) {
            fprintf(stderr, "mbshake compare: %s\n", err);
            goto out;
        }
        nloaded++;
    }
    jout = json_object();
    json_t *jcmps = json_array(), *jregs = json_array();
    json_object_set_new(jout, "schema", json_string("mbshake-compare/1"));
    json_object_set_new(jout, "base", json_string(files[0].path));
    json_object_set_new(jout, "threshold_pct", json_real(o.threshold));
    json_object_set_new(jout, "ci", json_string("welch-t-95: Welch's t-interval for mean(new)-mean(base), "
                                                "as % of mean(base)"));
    int regs = 0;
    for (int i = 1; i < npos; i++) {
        json_t *jc = json_object();
        regs += compare_pair(&files[0], &files[i], &o, jc, jregs);
        json_array_append_new(jcmps, jc);
    }
    json_object_set_new(jout, "comparisons", jcmps);
    json_object_set_new(jout, "regressions", jregs);
    if (regs) {
        printf("%d REGRESSION%s (significant at 95%% and worse by more than %g%%):\n", regs,
               regs == 1 ? "" : "S", o.threshold);
        size_t i;
        json_t *x;
        json_array_foreach(jregs, i, x)
        {
            rr_key k;
            char ks[512];
            json_t *jk = json_object_get(x, "run");
            k.engine = rr_str(jk, "engine", "?");
            k.suite = rr_str(jk, "suite", "?");
            k.group = rr_str(jk, "group", "?");
            k.cert = rr_str(jk, "cert", "?");
            k.verify = rr_str(jk, "verify", "?");
            k.threads = (long)rr_num(jk, "threads", 0);
            k.inflight = (long)rr_num(jk, "inflight", 0);
            rr_key_str(&k, ks, sizeof ks);
            printf("    %s %+.1f%% [%+.1f%%, %+.1f%%] in %s: %s\n",
                   rr_str(x, "metric", "?"), rr_num(x, "delta_pct", NAN),
                   rr_num(x, "ci95_low_pct", NAN), rr_num(x, "ci95_high_pct", NAN),
                   rr_str(x, "new_file", "?"), ks);
        }
    } else {
        printf("No significant regression beyond %g%%.\n", o.threshold);
    }
    rc = regs ? 1 : 0;
    if (o.json_out && json_dump_file(jout, o.json_out, JSON_INDENT(2) | JSON_REAL_PRECISION(10))) {
        fprintf(stderr, "mbshake compare: cannot write --json %s\n", o.json_out);
        rc = 2;
    }
out:
    json_decref(jout);
    for (int i = 0; i < nloaded; i++) rr_free(&files[i]);
    free(rest);
    free(store);
    return rc;
}
