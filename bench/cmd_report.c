/* cmd_report.c — `mbshake report FILE...`: a markdown summary of results files (machines,
 * configuration, runs with medians and spreads, mbshake/openssl ratios) and gnuplot charts
 * (PNG embedded in the markdown, SVG beside them): throughput against threads, latency CDF per
 * flight, throughput against p99 latency across inflight values, and a cross-machine comparison.
 * The data and the gnuplot script stay in the output directory, so a chart can be restyled
 * and re-drawn by hand (`cd DIR && gnuplot plots.gp`). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "cli_opts.h"
#include "cmds.h"
#include "results_read.h"

#define MAX_FILES 32
#define MAX_PLOTS 64
#define MAX_SERIES 12 /* lines per chart; more would be unreadable */

static const char about[] =
    "Writes DIR/report.md (machines, configuration, a table of runs with medians and spreads,\n"
    "mbshake/openssl ratios where both engines ran in one file) and charts as PNG (embedded)\n"
    "and SVG, drawn by gnuplot from DIR/plots.gp and DIR/*.dat:\n"
    "  threads   throughput against threads, one line per engine (runs that differ only in\n"
    "            threads, e.g. `bench --sweep threads`)\n"
    "  cdf-FLIGHT  latency CDF per flight (latency_cdf_us, log x axis)\n"
    "  inflight  throughput against p99 handshake latency across inflight values (`--sweep\n"
    "            inflight`), one line per engine\n"
    "  machines  hs/s per core per suite and group, one bar per file and engine (best run of\n"
    "            each), when the files come from different machines\n"
    "A chart whose data is missing is skipped, and report.md says so. Needs gnuplot\n"
    "(`make deps`, or apt-get install gnuplot-nox).\n"
    "Exit status: 0 written, 1 gnuplot missing or failed, 2 usage or input error.";

typedef struct plot {
    char id[64];     /* file stem: ID.png, ID.svg, ID.dat */
    char title[256];
    int ok;          /* drawn; else why says why not */
    char why[256];
} plot;

typedef struct report {
    const char *dir;
    rr_file *files;
    int nfiles;
    FILE *gp; /* plots.gp */
    plot plots[MAX_PLOTS];
    int nplots;
} report;

/* Twelve colours that stay apart (one per configuration in a chart). */
static const char *const palette[MAX_SERIES] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#000080", "#808000",
};

/* A single-quoted gnuplot string (quotes doubled). */
static void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'') fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static plot *new_plot(report *r, const char *id, const char *title)
{
    if (r->nplots >= MAX_PLOTS) return NULL;
    plot *p = &r->plots[r->nplots++];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    snprintf(p->title, sizeof p->title, "%s", title);
    return p;
}

/* "" for one file, "f2-" for the second of several: keeps the chart names apart. */
static void file_prefix(const report *r, int fi, char *buf, size_t n)
{
    if (r->nfiles > 1)
        snprintf(buf, n, "f%d-", fi + 1);
    else
        buf[0] = 0;
}

static FILE *open_in(const report *r, const char *name, const char *mode)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", r->dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    return fopen(path, mode);
}

/* The gnuplot lines that draw the current chart to ID.png and again to ID.svg. */
static void gp_begin(report *r, const plot *p)
{
    fprintf(r->gp, "\nreset\nset terminal pngcairo size 960,600 noenhanced font ',10'\n");
    fprintf(r->gp, "set output '%s.png'\nset title ", p->id);
    gp_str(r->gp, p->title);
    fprintf(r->gp, "\nset grid\nset key outside right top\n");
}
static void gp_end(report *r, const plot *p)
{
    fprintf(r->gp, "set terminal svg size 960,600 noenhanced font 'sans,10'\nset output '%s.svg'\n"
                   "replot\nunset output\n",
            p->id);
}

/* A run label for a chart legend: the engine, plus the key fields that vary among reps (the
 * series of the chart), except the field on the x axis (ign). */
static void series_label(const rr_key *k, const json_t *run, const rr_key *reps, int n,
                         unsigned ign, char *buf, size_t len)
{
    int vs = 0, vg = 0, vc = 0, vv = 0, vt = 0, vi = 0;
    for (int i = 0; i < n; i++) {
        vs |= strcmp(reps[i].suite, k->suite) != 0;
        vg |= strcmp(reps[i].group, k->group) != 0;
        vc |= strcmp(reps[i].cert, k->cert) != 0;
        vv |= strcmp(reps[i].verify, k->verify) != 0;
        vt |= reps[i].threads != k->threads;
        vi |= reps[i].inflight != k->inflight;
    }
    char sb[128];
    size_t u = (size_t)snprintf(buf, len, "%s", k->engine);
#define ADD(...) \
    if (u < len) u += (size_t)snprintf(buf + u, len - u, __VA_ARGS__)
    if (vs) ADD(" %s", rr_suite_short(run, sb, sizeof sb));
    if (vg) ADD(" %s", k->group);
    if (vc) ADD(" %s", k->cert);
    if (vt && !(ign & RR_IGN_THREADS)) ADD(" t=%ld", k->threads);
    if (vi && !(ign & RR_IGN_INFLIGHT)) ADD(" inflight=%ld", k->inflight);
    if (vv) ADD(" verify=%s", k->verify);
#undef ADD
}

static int cmp_long_idx(const void *a, const void *b, void *ctx)
{
    const long *v = ctx;
    long x = v[*(const size_t *)a], y = v[*(const size_t *)b];
    return (x > y) - (x < y);
}

/* Series for a sweep chart over `field` (RR_IGN_THREADS or RR_IGN_INFLIGHT): runs of one engine
 * that differ only in that field, with at least two values of it. Each series is written to dat
 * as one data block; returns how many; heads[s] = the first run of series s. */
static int sweep_series(const rr_file *f, unsigned field, FILE *dat, size_t *heads, rr_key *reps,
                        int max, int *dropped)
{
    size_t n = json_array_size(f->runs), i, j;
    char *done = calloc(n + 1, 1);
    size_t *idx = calloc(n + 1, sizeof *idx);
    long *xv = calloc(n + 1, sizeof *xv);
    int ns = 0;
    *dropped = 0;
    for (i = 0; i < n; i++) {
        if (done[i]) continue;
        rr_key ki, kj;
        const json_t *ri = json_array_get(f->runs, i);
        rr_run_key(ri, &ki);
        size_t m = 0;
        for (j = i; j < n; j++) {
            const json_t *rj = json_array_get(f->runs, j);
            rr_run_key(rj, &kj);
            if (done[j] || !rr_key_eq(&ki, &kj, field)) continue;
            rr_stat s;
            /* the inflight chart needs the p99 latency of every point */
            if (rr_stat_at(rj, "handshakes_per_sec", &s)) continue;
            if (field == RR_IGN_INFLIGHT && rr_stat_at(rj, "latency_us.handshake.p99", &s)) continue;
            done[j] = 1;
            xv[j] = field == RR_IGN_THREADS ? kj.threads : kj.inflight;
            idx[m++] = j;
        }
        int distinct = 0;
        for (size_t a = 0; a < m; a++) distinct |= xv[idx[a]] != xv[idx[0]];
        if (!distinct) continue;
        if (ns >= max) {
            (*dropped)++;
            continue;
        }
        qsort_r(idx, m, sizeof *idx, cmp_long_idx, xv);
        heads[ns] = idx[0];
        reps[ns] = ki;
        for (size_t a = 0; a < m; a++) {
            const json_t *r = json_array_get(f->runs, idx[a]);
            rr_stat t, l;
            rr_stat_at(r, "handshakes_per_sec", &t);
            if (field == RR_IGN_THREADS) {
                fprintf(dat, "%ld %.6g %.6g %.6g\n", xv[idx[a]], t.median, t.min, t.max);
            } else {
                rr_stat_at(r, "latency_us.handshake.p99", &l);
                fprintf(dat, "%.6g %.6g %ld\n", l.median, t.median, xv[idx[a]]);
            }
        }
        fprintf(dat, "\n\n");
        ns++;
    }
    free(done);
    free(idx);
    free(xv);
    return ns;
}

static void sweep_plot(report *r, int fi, unsigned field)
{
    const rr_file *f = &r->files[fi];
    char pre[16], id[64], title[256];
    int thr = field == RR_IGN_THREADS;
    file_prefix(r, fi, pre, sizeof pre);
    snprintf(id, sizeof id, "%s%s", pre, thr ? "threads" : "inflight");
    snprintf(title, sizeof title, "%s: %s (%s)", f->name,
             thr ? "throughput against threads" : "throughput against p99 latency across inflight",
             thr ? "median, min-max" : "labels: inflight");
    plot *p = new_plot(r, id, title);
    if (!p) return;
    char dname[96];
    snprintf(dname, sizeof dname, "%s.dat", id);
    FILE *dat = open_in(r, dname, "w");
    if (!dat) {
        snprintf(p->why, sizeof p->why, "cannot write %s/%s: %s", r->dir, dname, strerror(errno));
        return;
    }
    size_t heads[MAX_SERIES];
    rr_key reps[MAX_SERIES];
    int dropped;
    int ns = sweep_series(f, field, dat, heads, reps, MAX_SERIES, &dropped);
    fclose(dat);
    if (!ns) {
        snprintf(p->why, sizeof p->why,
                 thr ? "no runs that differ only in threads (run `mbshake bench --sweep threads`)"
                     : "no runs that differ only in inflight, with handshake p99 latency (run "
                       "`mbshake bench --sweep inflight`)");
        return;
    }
    p->ok = 1;
    if (dropped) snprintf(p->why, sizeof p->why, "%d more series not drawn", dropped);
    gp_begin(r, p);
    if (thr) {
        fprintf(r->gp, "set xlabel 'threads'\nset ylabel 'handshakes/s (all threads)'\n"
                       "set yrange [0:*]\nset xtics 1\nplot ");
    } else {
        fprintf(r->gp, "set xlabel 'handshake p99 latency (us)'\nset ylabel 'handshakes/s'\n"
                       "set logscale x\nset yrange [0:*]\nplot ");
    }
    for (int s = 0; s < ns; s++) {
        char lab[256];
        series_label(&reps[s], json_array_get(f->runs, heads[s]), reps, ns,
                     field, lab, sizeof lab);
        fprintf(r->gp, "%s'%s' index %d ", s ? ", \\\n     " : "", dname, s);
        if (thr)
            fprintf(r->gp, "using 1:2:3:4 with yerrorlines lw 2 title ");
        else
            fprintf(r->gp, "using 1:2 with linespoints lw 2 pt 7 title ");
        gp_str(r->gp, lab);
        if (!thr)
            fprintf(r->gp, ", '%s' index %d using 1:2:3 with labels offset 0.8,0.8 notitle",
                    dname, s);
    }
    fprintf(r->gp, "\n");
    gp_end(r, p);
}

/* One chart per flight: the CDF of every run that has one for that flight. */
static void cdf_plots(report *r, int fi)
{
    const rr_file *f = &r->files[fi];
    size_t n = json_array_size(f->runs);
    rr_key *all = calloc(n + 1, sizeof *all);
    for (size_t i = 0; i < n; i++) rr_run_key(json_array_get(f->runs, i), &all[i]);
    for (size_t fl = 0; fl < rr_nflights; fl++) {
        const char *flight = rr_flights[fl];
        char pre[16], id[64], title[256], dname[96];
        file_prefix(r, fi, pre, sizeof pre);
        snprintf(id, sizeof id, "%scdf-%s", pre, flight);
        snprintf(title, sizeof title, "%s: latency CDF, %s", f->name, flight);
        plot *p = new_plot(r, id, title);
        if (!p) break;
        snprintf(dname, sizeof dname, "%s.dat", id);
        FILE *dat = open_in(r, dname, "w");
        if (!dat) {
            snprintf(p->why, sizeof p->why, "cannot write %s/%s: %s", r->dir, dname,
                     strerror(errno));
            continue;
        }
        size_t which[MAX_SERIES];
        int ns = 0, dropped = 0;
        for (size_t i = 0; i < n; i++) {
            const json_t *cdf = json_object_get(json_object_get(json_array_get(f->runs, i),
                                                                "latency_cdf_us"),
                                                flight);
            size_t k, pts = 0;
            json_t *pt;
            json_array_foreach(cdf, k, pt)
            {
                double q = json_number_value(json_array_get(pt, 0));
                double us = json_number_value(json_array_get(pt, 1));
                pts += json_is_array(pt) && json_array_size(pt) >= 2 && us > 0 && q >= 0;
            }
            if (pts < 2) continue;
            if (ns >= MAX_SERIES) {
                dropped++;
                continue;
            }
            json_array_foreach(cdf, k, pt)
            {
                double q = json_number_value(json_array_get(pt, 0));
                double us = json_number_value(json_array_get(pt, 1));
                if (json_is_array(pt) && json_array_size(pt) >= 2 && us > 0 && q >= 0)
                    fprintf(dat, "%.6g %.6g\n", us, q);
            }
            fprintf(dat, "\n\n");
            which[ns++] = i;
        }
        fclose(dat);
        if (!ns) {
            snprintf(p->why, sizeof p->why, "no run has latency_cdf_us.%s", flight);
            continue;
        }
        p->ok = 1;
        if (dropped) snprintf(p->why, sizeof p->why, "%d more runs not drawn", dropped);
        gp_begin(r, p);
        fprintf(r->gp, "set xlabel 'latency (us, log scale)'\nset ylabel 'fraction of handshakes'\n"
                       "set logscale x\nset yrange [0:1]\nplot ");
        /* one colour per configuration, the engine as the dash pattern: the two engines of
         * one configuration sit side by side */
        int colour[MAX_SERIES], ncolour = 0;
        for (int s = 0; s < ns; s++) {
            int t = 0;
            while (t < s && !rr_key_eq(&all[which[t]], &all[which[s]], RR_IGN_ENGINE)) t++;
            colour[s] = t < s ? colour[t] : ncolour++;
        }
        for (int s = 0; s < ns; s++) {
            char lab[256];
            series_label(&all[which[s]], json_array_get(f->runs, which[s]), all, (int)n, 0, lab,
                         sizeof lab);
            fprintf(r->gp, "%s'%s' index %d using 1:2 with lines lw 2 lc rgb '%s' dt %d title ",
                    s ? ", \\\n     " : "", dname, s, palette[colour[s] % MAX_SERIES],
                    strcmp(all[which[s]].engine, "mbshake") ? 2 : 1);
            gp_str(r->gp, lab);
        }
        fprintf(r->gp, "\n");
        gp_end(r, p);
    }
    free(all);
}

/* Grouped bars: per suite and group, the best hs/s per core of each (file, engine). */
static void machines_plot(report *r)
{
    plot *p = new_plot(r, "machines", "hs/s per core by suite and group (best run), per machine");
    if (!p) return;
    int differ = 0;
    for (int i = 1; i < r->nfiles; i++)
        differ |= rr_machine_diff(r->files[0].machine, r->files[i].machine, NULL, 0) != 0;
    if (r->nfiles < 2 || !differ) {
        snprintf(p->why, sizeof p->why, "%s",
                 r->nfiles < 2 ? "only one file: no cross-machine comparison"
                               : "all files come from the same machine");
        return;
    }
    /* categories (suite + group) and columns (file, engine) */
    enum { MAXC = 64, MAXCOL = 16 };
    char cats[MAXC][160], colname[MAXCOL][200];
    int colfile[MAXCOL], ncat = 0, ncol = 0;
    const char *coleng[MAXCOL];
    for (int fi = 0; fi < r->nfiles; fi++) {
        size_t i;
        json_t *run;
        json_array_foreach(r->files[fi].runs, i, run)
        {
            rr_key k;
            char sb[128], cat[160];
            rr_run_key(run, &k);
            snprintf(cat, sizeof cat, "%s %s", rr_suite_short(run, sb, sizeof sb), k.group);
            int c = 0;
            while (c < ncat && strcmp(cats[c], cat)) c++;
            if (c == ncat && ncat < MAXC) snprintf(cats[ncat++], sizeof cats[0], "%s", cat);
            int e = 0;
            while (e < ncol && !(colfile[e] == fi && !strcmp(coleng[e], k.engine))) e++;
            if (e == ncol && ncol < MAXCOL) {
                char lab[160];
                rr_machine_label(r->files[fi].machine, lab, sizeof lab);
                colfile[ncol] = fi;
                coleng[ncol] = k.engine;
                snprintf(colname[ncol++], sizeof colname[0], "%s %s", lab, k.engine);
            }
        }
    }
    FILE *dat = open_in(r, "machines.dat", "w");
    if (!dat) {
        snprintf(p->why, sizeof p->why, "cannot write %s/machines.dat: %s", r->dir, strerror(errno));
        return;
    }
    int any = 0;
    for (int c = 0; c < ncat; c++) {
        fprintf(dat, "\"%s\"", cats[c]);
        for (int e = 0; e < ncol; e++) {
            double best = -1;
            size_t i;
            json_t *run;
            json_array_foreach(r->files[colfile[e]].runs, i, run)
            {
                rr_key k;
                rr_stat s;
                char sb[128], cat[160];
                rr_run_key(run, &k);
                snprintf(cat, sizeof cat, "%s %s", rr_suite_short(run, sb, sizeof sb), k.group);
                if (strcmp(cat, cats[c]) || strcmp(k.engine, coleng[e])) continue;
                if (!rr_stat_at(run, "handshakes_per_sec_per_core", &s) && s.median > best)
                    best = s.median;
            }
            if (best >= 0) {
                fprintf(dat, " %.6g", best);
                any = 1;
            } else {
                fprintf(dat, " -");
            }
        }
        fprintf(dat, "\n");
    }
    fclose(dat);
    if (!any) {
        snprintf(p->why, sizeof p->why, "no run has handshakes_per_sec_per_core");
        return;
    }
    p->ok = 1;
    gp_begin(r, p);
    fprintf(r->gp, "set datafile missing '-'\nset style data histograms\n"
                   "set style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
                   "set ylabel 'handshakes/s per core'\nset yrange [0:*]\n"
                   "set xtics rotate by -25 left\nset key outside bottom center horizontal\n"
                   "set bmargin 10\nplot ");
    for (int e = 0; e < ncol; e++) {
        fprintf(r->gp, "%s'machines.dat' using %d%s title ", e ? ", \\\n     " : "", e + 2,
                e ? "" : ":xtic(1)");
        gp_str(r->gp, colname[e]);
    }
    fprintf(r->gp, "\n");
    gp_end(r, p);
}

/* ---- report.md ---- */

static void md_cell_num(FILE *o, double x)
{
    if (isnan(x))
        fprintf(o, " - |");
    else if (fabs(x) >= 1000)
        fprintf(o, " %.0f |", x);
    else if (fabs(x) >= 10)
        fprintf(o, " %.1f |", x);
    else
        fprintf(o, " %.3g |", x);
}

static double median_at(const json_t *run, const char *path)
{
    rr_stat s;
    return rr_stat_at(run, path, &s) ? NAN : s.median;
}

static void md_machines(FILE *o, const report *r)
{
    static const char *const fields[] = {"hostname", "cpu_model", "vendor", "family", "model",
                                         "stepping", "cores", "pus", "numa_nodes", "packages",
                                         "tsc_hz", "core_hz_measured", "kernel", "compiler"};
    fprintf(o, "## Machine%s\n\n| field |", r->nfiles > 1 ? "s" : "");
    for (int i = 0; i < r->nfiles; i++) fprintf(o, " %s |", r->files[i].name);
    fprintf(o, "\n|---|");
    for (int i = 0; i < r->nfiles; i++) fprintf(o, "---|");
    fprintf(o, "\n");
    for (size_t fl = 0; fl < sizeof fields / sizeof *fields; fl++) {
        fprintf(o, "| %s |", fields[fl]);
        for (int i = 0; i < r->nfiles; i++) {
            const json_t *v = json_object_get(r->files[i].machine, fields[fl]);
            if (json_is_string(v))
                fprintf(o, " %s |", json_string_value(v));
            else if (json_is_number(v) && strstr(fields[fl], "hz"))
                fprintf(o, " %.3f GHz |", json_number_value(v) / 1e9);
            else if (json_is_number(v))
                fprintf(o, " %g |", json_number_value(v));
            else
                fprintf(o, " - |");
        }
        fprintf(o, "\n");
    }
    for (int pass = 0; pass < 2; pass++) { /* libraries, caches: the keys of every file */
        const char *sub = pass ? "caches_kib" : "libraries";
        json_t *keys = json_object();
        for (int i = 0; i < r->nfiles; i++) {
            const char *k;
            json_t *v;
            json_object_foreach(json_object_get(r->files[i].machine, sub), k, v)
                json_object_set_new(keys, k, json_true());
        }
        const char *k;
        json_t *v;
        json_object_foreach(keys, k, v)
        {
            fprintf(o, "| %s.%s |", sub, k);
            for (int i = 0; i < r->nfiles; i++) {
                const json_t *x = json_object_get(json_object_get(r->files[i].machine, sub), k);
                if (json_is_string(x))
                    fprintf(o, " %s |", json_string_value(x));
                else if (json_is_number(x))
                    fprintf(o, " %g |", json_number_value(x));
                else
                    fprintf(o, " - |");
            }
            fprintf(o, "\n");
        }
        json_decref(keys);
    }
    fprintf(o, "| flags |");
    for (int i = 0; i < r->nfiles; i++) {
        size_t k;
        json_t *x;
        json_array_foreach(json_object_get(r->files[i].machine, "flags"), k, x)
            fprintf(o, "%s%s", k ? " " : " ", json_string_value(x) ? json_string_value(x) : "?");
        fprintf(o, " |");
    }
    fprintf(o, "\n\n");
    for (int i = 1; i < r->nfiles; i++) {
        rr_mdiff d[32];
        size_t n = rr_machine_diff(r->files[0].machine, r->files[i].machine, d, 32);
        if (!n)
            fprintf(o, "%s and %s: same machine.\n\n", r->files[0].name, r->files[i].name);
        else {
            fprintf(o, "%s and %s: different machines (%zu differences:", r->files[0].name,
                    r->files[i].name, n);
            for (size_t j = 0; j < n && j < 32; j++) fprintf(o, "%s %s", j ? "," : "", d[j].field);
            fprintf(o, ").\n\n");
        }
    }
}

static void md_config(FILE *o, const report *r)
{
    fprintf(o, "## Configuration\n\n");
    for (int i = 0; i < r->nfiles; i++) {
        const rr_file *f = &r->files[i];
        fprintf(o, "**%s** (`%s`, %s, mbshake %s %s%s)\n\n", f->name, f->path,
                rr_str(f->root, "created_utc", "no date"),
                rr_str(json_object_get(f->root, "tool"), "version", "?"),
                rr_str(json_object_get(f->root, "tool"), "git_commit", ""),
                json_is_true(json_object_get(json_object_get(f->root, "tool"), "git_dirty"))
                    ? " (dirty)"
                    : "");
        const char *cmd = rr_str(f->root, "command", NULL);
        if (cmd) fprintf(o, "    %s\n\n", cmd);
        const char *k;
        json_t *v;
        json_object_foreach(f->config, k, v)
        {
            char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            fprintf(o, "- %s: `%s`\n", k, d ? d : "?");
            free(d);
        }
        fprintf(o, "\n");
    }
}

static void md_runs(FILE *o, const report *r)
{
    fprintf(o, "## Runs\n\nMedians over the repetitions; hs/s spread: min-max and the coefficient "
               "of variation (stdev/mean). Latencies: whole handshake, microseconds.\n\n");
    for (int i = 0; i < r->nfiles; i++) {
        const rr_file *f = &r->files[i];
        if (r->nfiles > 1) fprintf(o, "### %s\n\n", f->name);
        fprintf(o, "| engine | suite | group | cert | threads | inflight | verify | hs/s | "
                   "spread | hs/s/core | server us/hs | client us/hs | cycles/hs | p50 us | "
                   "p99 us | p999 us | n | failures |\n");
        fprintf(o, "|---|---|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        size_t j;
        json_t *run;
        json_array_foreach(f->runs, j, run)
        {
            rr_key k;
            rr_stat t;
            char sb[128];
            rr_run_key(run, &k);
            fprintf(o, "| %s | %s | %s | %s | %ld | %ld | %s |", k.engine,
                    rr_suite_short(run, sb, sizeof sb), k.group, k.cert, k.threads, k.inflight,
                    k.verify);
            if (!rr_stat_at(run, "handshakes_per_sec", &t)) {
                md_cell_num(o, t.median);
                fprintf(o, " %.0f-%.0f (%.1f%%) |", t.min, t.max,
                        t.mean > 0 ? t.stdev / t.mean * 100 : 0.0);
            } else {
                fprintf(o, " - | - |");
            }
            md_cell_num(o, median_at(run, "handshakes_per_sec_per_core"));
            md_cell_num(o, median_at(run, "server_cpu_us_per_hs"));
            md_cell_num(o, median_at(run, "client_cpu_us_per_hs"));
            md_cell_num(o, median_at(run, "cycles_per_hs"));
            md_cell_num(o, median_at(run, "latency_us.handshake.p50"));
            md_cell_num(o, median_at(run, "latency_us.handshake.p99"));
            md_cell_num(o, median_at(run, "latency_us.handshake.p999"));
            rr_stat h;
            if (!rr_stat_at(run, "handshakes_per_sec", &h))
                fprintf(o, " %zu |", h.n);
            else
                fprintf(o, " - |");
            const json_t *fl = json_object_get(run, "failures");
            if (!json_is_number(fl))
                fprintf(o, " - |\n");
            else if (json_number_value(fl) != 0)
                fprintf(o, " **%g** |\n", json_number_value(fl));
            else
                fprintf(o, " 0 |\n");
        }
        fprintf(o, "\n");
    }
}

/* mbshake against openssl for runs of one file that differ only in the engine. */
static void md_ratios(FILE *o, const report *r)
{
    fprintf(o, "## mbshake / openssl\n\nRatios mbshake/openssl for runs of one file that differ "
               "only in the engine (throughput: above 1 is better for mbshake; CPU, cycles, "
               "latency: below 1 is better).\n\n");
    int any = 0, pairs = 0;
    for (int i = 0; i < r->nfiles; i++) {
        const rr_file *f = &r->files[i];
        size_t a, b;
        json_t *ra, *rb = NULL;
        int head = 0;
        json_array_foreach(f->runs, a, ra)
        {
            rr_key ka, kb;
            rr_run_key(ra, &ka);
            if (strcmp(ka.engine, "mbshake")) continue;
            json_array_foreach(f->runs, b, rb)
            {
                rr_run_key(rb, &kb);
                if (!strcmp(kb.engine, "openssl") && rr_key_eq(&ka, &kb, RR_IGN_ENGINE)) break;
            }
            if (b >= json_array_size(f->runs)) continue;
            if (!head) {
                if (r->nfiles > 1) fprintf(o, "### %s\n\n", f->name);
                fprintf(o, "| suite | group | cert | threads | inflight | verify | hs/s mbshake | "
                           "hs/s openssl | hs/s | server CPU/hs | client CPU/hs | cycles/hs | "
                           "p99 latency |\n"
                           "|---|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|\n");
                head = any = 1;
            }
            char sb[128];
            fprintf(o, "| %s | %s | %s | %ld | %ld | %s |", rr_suite_short(ra, sb, sizeof sb),
                    ka.group, ka.cert, ka.threads, ka.inflight, ka.verify);
            md_cell_num(o, median_at(ra, "handshakes_per_sec"));
            md_cell_num(o, median_at(rb, "handshakes_per_sec"));
            static const char *const rat[] = {"handshakes_per_sec", "server_cpu_us_per_hs",
                                              "client_cpu_us_per_hs", "cycles_per_hs",
                                              "latency_us.handshake.p99"};
            for (size_t m = 0; m < sizeof rat / sizeof *rat; m++) {
                /* bench's per-slice-pair ratios (vs_openssl) see both engines at the same
                 * machine speed; the ratio of the medians is the fallback */
                rr_stat pr;
                if (!rr_stat_at(json_object_get(ra, "vs_openssl"), rat[m], &pr)) {
                    pairs = 1;
                    fprintf(o, " %.2f (%.2f-%.2f)\u2020 |", pr.median, pr.min, pr.max);
                } else {
                    double x = median_at(ra, rat[m]) / median_at(rb, rat[m]);
                    if (isnan(x) || isinf(x))
                        fprintf(o, " - |");
                    else
                        fprintf(o, " %.2f |", x);
                }
            }
            fprintf(o, "\n");
        }
        if (head) fprintf(o, "\n");
    }
    if (!any) fprintf(o, "No file has both engines on the same configuration.\n\n");
    if (pairs)
        fprintf(o, "\u2020 median (min-max) of the per-slice-pair ratios (`vs_openssl`: the engines "
                   "alternate slice by slice, so each pair ran at the same machine speed); "
                   "other cells: ratio of the medians.\n\n");
}

static void md_plots(FILE *o, const report *r)
{
    fprintf(o, "## Charts\n\n");
    for (int i = 0; i < r->nplots; i++) {
        const plot *p = &r->plots[i];
        fprintf(o, "### %s\n\n", p->title);
        if (p->ok) {
            fprintf(o, "![%s](%s.png)\n\n[SVG](%s.svg) · data: `%s.dat`%s%s\n\n", p->title, p->id,
                    p->id, p->id, p->why[0] ? " · " : "", p->why);
        } else {
            fprintf(o, "Skipped: %s.\n\n", p->why);
        }
    }
}

static int write_md(const report *r)
{
    FILE *o = open_in(r, "report.md", "w");
    if (!o) return -1;
    fprintf(o, "# mbshake report\n\nFrom");
    for (int i = 0; i < r->nfiles; i++) fprintf(o, "%s `%s`", i ? "," : "", r->files[i].path);
    fprintf(o, ".\n\n");
    md_machines(o, r);
    md_config(o, r);
    md_runs(o, r);
    md_ratios(o, r);
    md_plots(o, r);
    return fclose(o) ? -1 : 0;
}

/* ---- running gnuplot ---- */

static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    char buf[4096];
    if (!path) return 0;
    for (const char *p = path; *p;) {
        const char *c = strchr(p, ':');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        snprintf(buf, sizeof buf, "%.*s/%s", (int)l, l ? p : ".", prog);
        if (!access(buf, X_OK)) return 1;
        if (!c) break;
        p = c + 1;
    }
    return 0;
}

/* Runs `gnuplot plots.gp` in the output directory, its output to gnuplot.log; its exit status,
 * or -1 when it could not run. */
static int run_gnuplot(const char *dir)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (!pid) {
        if (chdir(dir)) _exit(126);
        int fd = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        execlp("gnuplot", "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int mkdir_p(const char *dir)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) && errno != EEXIST) return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* see cmds.h */
int cmd_report(int argc, char **argv)
{
    const char *out = NULL;
    const cli_opt opts[] = {
        {"out", OPT_STR, &out, "DIR", "output directory (default results/report-NAME, NAME from "
                                      "the first file)", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"report", "FILE.json... [--out DIR]", about, opts};
    const char *pos[MAX_FILES];
    int npos = 0, nloaded = 0, rc = 2;
    rr_file files[MAX_FILES];
    char dir[1024];
    int r = cli_parse(&cmd, argc, argv, pos, MAX_FILES, &npos);
    if (r == CLI_HELP) return 0;
    if (r) return r;
    if (!npos) return cli_usage_error(&cmd, "needs at least one results file");
    for (int i = 0; i < npos; i++) {
        char err[512];
        if (rr_load(&files[i], pos[i], err, sizeof err)) {
            fprintf(stderr, "mbshake report: %s\n", err);
            goto done;
        }
        nloaded++;
    }
    rc = 1;
    if (!on_path("gnuplot")) {
        cli_error("report", "gnuplot not found on PATH: run `make deps` (or apt-get install "
                            "gnuplot-nox)");
        goto done;
    }
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else
        snprintf(dir, sizeof dir, "results/report-%s", files[0].name);
    if (mkdir_p(dir)) {
        cli_error("report", "cannot create --out %s: %s", dir, strerror(errno));
        goto done;
    }
    report rp = {.dir = dir, .files = files, .nfiles = npos};
    rp.gp = open_in(&rp, "plots.gp", "w");
    if (!rp.gp) {
        cli_error("report", "cannot write %s/plots.gp: %s", dir, strerror(errno));
        goto done;
    }
    fprintf(rp.gp, "# written by mbshake report; run in this directory: gnuplot plots.gp\n");
    for (int i = 0; i < npos; i++) sweep_plot(&rp, i, RR_IGN_THREADS);
    for (int i = 0; i < npos; i++) cdf_plots(&rp, i);
    for (int i = 0; i < npos; i++) sweep_plot(&rp, i, RR_IGN_INFLIGHT);
    machines_plot(&rp);
    if (fclose(rp.gp)) {
        cli_error("report", "cannot write %s/plots.gp", dir);
        goto done;
    }
    int drawn = 0;
    for (int i = 0; i < rp.nplots; i++) drawn += rp.plots[i].ok;
    if (drawn) {
        int st = run_gnuplot(dir);
        if (st == 127) {
            cli_error("report", "cannot run gnuplot: run `make deps` (or apt-get install gnuplot-nox)");
            goto done;
        }
        if (st) {
            cli_error("report", "gnuplot failed (exit status %d); see %s/gnuplot.log", st, dir);
            goto done;
        }
        for (int i = 0; i < rp.nplots; i++) {
            struct stat sb;
            char path[1200];
            for (int e = 0; e < 2 && rp.plots[i].ok; e++) {
                snprintf(path, sizeof path, "%s/%s.%s", dir, rp.plots[i].id, e ? "svg" : "png");
                if (stat(path, &sb) || sb.st_size == 0) {
                    cli_error("report", "gnuplot wrote no %s; see %s/gnuplot.log", path, dir);
                    goto done;
                }
            }
        }
    }
    if (write_md(&rp)) {
        cli_error("report", "cannot write %s/report.md: %s", dir, strerror(errno));
        goto done;
    }
    printf("wrote %s/report.md:", dir);
    for (int i = 0; i < rp.nplots; i++)
        if (rp.plots[i].ok) printf(" %s", rp.plots[i].id);
    printf(" (%d chart%s, %d skipped)\n", drawn, drawn == 1 ? "" : "s", rp.nplots - drawn);
    rc = 0;
done:
    for (int i = 0; i < nloaded; i++) rr_free(&files[i]);
    return rc;
}
