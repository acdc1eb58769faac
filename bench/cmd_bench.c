/* cmd_bench.c — `mbshake bench`: the batched in-memory handshake benchmark (what `make run`
 * runs). For each point (suite, group, certificate, threads, in-flight handshakes) each engine
 * runs R slices of --duration seconds; with --engine both the slices alternate, mbshake then
 * OpenSSL, R pairs, so that every mbshake figure has an OpenSSL figure measured seconds apart
 * (the machine changes speed for tens of seconds at a time: platform-facts.md), and the ratio
 * is computed per pair. The points of a sweep (--sweep threads|inflight) are measured the same
 * way: slice round j runs slice j of every point and engine back to back, so the thread-scaling
 * ratio is also taken per round. Writes a table to stdout and a results file (docs/RESULTS.md). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"
#include "cd.h"
#include "certgen.h"
#include "cli_opts.h"
#include "cmds.h"
#include "cpulist.h"
#include "rsa_own.h"
#include "version.h"
#include "workers.h"

#define MAX_REPEAT 50
#define MAX_LIST 64
#define SAMPLES_PER_WORKER 20000

enum fig { F_HS, F_SECS, F_HPS, F_HPSC, F_SUS, F_CUS, F_CYC, F_SCYC, F_CCYC, NFIG };
static const char *const fig_name[NFIG] = {
    "handshakes", "seconds", "handshakes_per_sec", "handshakes_per_sec_per_core",
    "server_cpu_us_per_hs", "client_cpu_us_per_hs", "cycles_per_hs", "server_cycles_per_hs",
    "client_cycles_per_hs"};
/* docs/RESULTS.md names of the bench_loop.h latency series, in enum bl_lat order */
static const char *const lat_name[BL_LAT_KINDS] = {"server_hello_flight", "server_finished_flight",
                                                   "client_kx_flight", "client_finished",
                                                   "handshake"};
enum { Q_P50, Q_P90, Q_P99, Q_P999, Q_MAX, NQS };
static const double qs_val[NQS] = {0.5, 0.9, 0.99, 0.999, 1.0};
static const char *const qs_name[NQS] = {"p50", "p90", "p99", "p999", "max"};
static const double cdf_q[] = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
#define NCDF (sizeof cdf_q / sizeof *cdf_q)
enum { R_HPS, R_SUS, R_CUS, NRATIO };

typedef struct run {
    int engine;
    uint16_t suite, group;
    const char *cert;
    int threads;
    unsigned inflight;
    int n; /* repetitions done */
    double fig[NFIG][MAX_REPEAT];
    double lat[BL_LAT_KINDS][NQS][MAX_REPEAT];
    double cdf[BL_LAT_KINDS][NCDF][MAX_REPEAT];
    double occ[ENG_OP_KINDS][MAX_REPEAT];
    unsigned lanes[ENG_OP_KINDS];
    const char *impl[ENG_OP_KINDS];
    int occ_n[ENG_OP_KINDS];
    sched_kind_stats tot[ENG_OP_KINDS]; /* summed over the slices: how the batches ran */
    uint64_t failures;
    char first_error[200];
    int has_ratio;
    double ratio[NRATIO][MAX_REPEAT];
    const struct run *base; /* --sweep threads: the 1-thread run of the same engine, or NULL */
    double speedup[MAX_REPEAT]; /* hs/s over base's, per slice round */
} run;

typedef struct opts {
    const char *suites[MAX_LIST];
    int nsuites;
    const char *group, *cert, *threads, *cpus, *isa, *engine, *json, *sweep, *verify;
    const char *servername;
    int inflight, repeat, quiet;
    double max_wait_us, duration, warmup;
} opts;

/* ---- progress line ----------------------------------------------------------------------- */
typedef struct progress {
    int on;
    int runs, run_i, slices, slice_i;
    uint64_t t0;
} progress;

static void progress_show(progress *p, double hps)
{
    if (!p->on) return;
    printf("\r\033[K[point %d/%d] slice %d/%d  %.0fs  last %.0f hs/s", p->run_i, p->runs, p->slice_i,
           p->slices, (double)(bench_now_ns() - p->t0) / 1e9, hps);
    fflush(stdout);
}

static void progress_clear(progress *p)
{
    if (!p->on) return;
    printf("\r\033[K");
    fflush(stdout);
}

/* ---- recording slices ---------------------------------------------------------------------- */
static void record(run *r, const bench_slice *s, double tsc_hz)
{
    int j = r->n++;
    double hs = (double)s->handshakes;
    r->fig[F_HS][j] = hs;
    r->fig[F_SECS][j] = s->seconds;
    r->fig[F_HPS][j] = s->hs_per_sec;
    r->fig[F_HPSC][j] = s->hs_per_sec / r->threads;
    double sc = hs > 0 ? (double)s->side_tsc[ENG_SERVER] / hs : 0;
    double cc = hs > 0 ? (double)s->side_tsc[ENG_CLIENT] / hs : 0;
    r->fig[F_SUS][j] = sc / tsc_hz * 1e6;
    r->fig[F_CUS][j] = cc / tsc_hz * 1e6;
    r->fig[F_CYC][j] = sc + cc;
    r->fig[F_SCYC][j] = sc;
    r->fig[F_CCYC][j] = cc;
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        for (int q = 0; q < NQS; q++)
            r->lat[k][q][j] = bench_quantile(s->lat[k], s->nlat[k], qs_val[q]) / tsc_hz * 1e6;
        for (size_t q = 0; q < NCDF; q++)
            r->cdf[k][q][j] = bench_quantile(s->lat[k], s->nlat[k], cdf_q[q]) / tsc_hz * 1e6;
    }
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const sched_kind_stats *st = &s->st[k];
        if (r->engine != BENCH_MBSHAKE || !st->calls) continue;
        r->occ[k][r->occ_n[k]++] = sched_occupancy(st);
        r->lanes[k] = st->lanes;
        r->impl[k] = st->impl;
        sched_kind_stats *t = &r->tot[k];
        t->calls += st->calls;
        t->ops += st->ops;
        t->full += st->full;
        t->deadline += st->deadline;
        t->forced += st->forced;
        t->narrow += st->narrow;
        t->failed += st->failed;
    }
    r->failures += s->failed;
    if (!r->first_error[0] && s->first_error[0])
        memcpy(r->first_error, s->first_error, sizeof r->first_error);
}

/* ---- JSON ------------------------------------------------------------------------------------ */
static const char *engine_name(int e)
{
    return e == BENCH_MBSHAKE ? "mbshake" : "openssl";
}

static int median_rep(const run *r)
{
    /* the repetition whose throughput is nearest the median: its CDF represents the run */
    double m = bench_median(r->fig[F_HPS], r->n), best = -1;
    int at = 0;
    for (int j = 0; j < r->n; j++) {
        double d = fabs(r->fig[F_HPS][j] - m);
        if (best < 0 || d < best) best = d, at = j;
    }
    return at;
}

static json_t *run_json(const run *r, const opts *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "engine", json_string(engine_name(r->engine)));
    json_object_set_new(j, "suite", json_string(eng_suite_name(r->suite, 1)));
    json_object_set_new(j, "suite_openssl", json_string(eng_suite_name(r->suite, 0)));
    json_object_set_new(j, "group", json_string(r->group ? eng_group_name(r->group) : "none"));
    json_object_set_new(j, "cert", json_string(r->cert));
    json_object_set_new(j, "threads", json_integer(r->threads));
    json_object_set_new(j, "inflight", json_integer(r->inflight));
    json_object_set_new(j, "verify", json_string(o->verify));
    json_object_set_new(j, "max_wait_us", json_real(o->max_wait_us));
    for (int f = 0; f < NFIG; f++) json_object_set_new(j, fig_name[f], bench_stat_json(r->fig[f], r->n));
    json_t *lat = json_object(), *cdf = json_object();
    int mr = median_rep(r);
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        json_t *q = json_object(), *c = json_array();
        for (int i = 0; i < NQS; i++) json_object_set_new(q, qs_name[i], bench_stat_json(r->lat[k][i], r->n));
        json_object_set_new(lat, lat_name[k], q);
        for (size_t i = 0; i < NCDF; i++)
            json_array_append_new(c, json_pack("[f,f]", cdf_q[i], r->n ? r->cdf[k][i][mr] : 0.0));
        json_object_set_new(cdf, lat_name[k], c);
    }
    json_object_set_new(j, "latency_us", lat);
    json_object_set_new(j, "latency_cdf_us", cdf);
    if (r->engine == BENCH_MBSHAKE) {
        json_t *occ = json_object(), *bat = json_object();
        for (int k = 1; k < ENG_OP_KINDS; k++) {
            if (!r->occ_n[k]) continue;
            char name[32];
            bench_op_key((eng_op_kind)k, name, sizeof name);
            json_object_set_new(occ, name, bench_stat_json(r->occ[k], r->occ_n[k]));
            json_object_set_new(bat, name, bench_batch_json(&r->tot[k]));
        }
        json_object_set_new(j, "occupancy", occ);
        json_object_set_new(j, "batches", bat);
    }
    if (r->has_ratio) {
        static const char *const rn[NRATIO] = {"handshakes_per_sec", "server_cpu_us_per_hs",
                                               "client_cpu_us_per_hs"};
        json_t *v = json_object();
        for (int i = 0; i < NRATIO; i++) json_object_set_new(v, rn[i], bench_stat_json(r->ratio[i], r->n));
        json_object_set_new(j, "vs_openssl", v);
    }
    if (r->base) json_object_set_new(j, "speedup_vs_1_thread", bench_stat_json(r->speedup, r->n));
    json_object_set_new(j, "failures", json_integer((json_int_t)r->failures));
    if (r->first_error[0]) json_object_set_new(j, "first_error", json_string(r->first_error));
    return j;
}

static json_t *str_array(const char *const *v, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

/* ---- output table ------------------------------------------------------------------------- */
static void table_header(void)
{
    printf("%-30s %-9s %-10s %3s %5s %-7s %9s %9s %8s %8s %8s %8s %8s  %s\n", "suite", "group",
           "cert", "thr", "infl", "engine", "hs/s", "hs/s/core", "srv_us", "cli_us", "kcyc/hs",
           "p50_us", "p99_us", "occupancy (mean lanes/call)");
}

static void table_row(const run *r)
{
    double hps = bench_median(r->fig[F_HPS], r->n), mn, mx;
    bench_minmax(r->fig[F_HPS], r->n, &mn, &mx);
    char occ[256] = "";
    size_t off = 0;
    for (int k = 1; k < ENG_OP_KINDS && r->engine == BENCH_MBSHAKE; k++)
        if (r->occ_n[k] && off < sizeof occ)
            off += (size_t)snprintf(occ + off, sizeof occ - off, "%s%s %.2f/%u", off ? ", " : "",
                                    eng_op_name((eng_op_kind)k), bench_median(r->occ[k], r->occ_n[k]),
                                    r->lanes[k]);
    printf("%-30s %-9s %-10s %3d %5u %-7s %9.0f %9.0f %8.1f %8.1f %8.1f %8.0f %8.0f  %s\n",
           eng_suite_name(r->suite, 0), r->group ? eng_group_name(r->group) : "none", r->cert,
           r->threads, r->inflight, engine_name(r->engine), hps, bench_median(r->fig[F_HPSC], r->n),
           bench_median(r->fig[F_SUS], r->n), bench_median(r->fig[F_CUS], r->n),
           bench_median(r->fig[F_CYC], r->n) / 1e3,
           bench_median(r->lat[BL_LAT_FULL][Q_P50], r->n),
           bench_median(r->lat[BL_LAT_FULL][Q_P99], r->n), occ);
    if (mx > 0 && (mx - mn) / mx > 0.25)
        printf("        note: slices disagree (hs/s %.0f..%.0f): the machine changed speed?\n", mn, mx);
    if (r->failures)
        printf("        %llu handshakes FAILED; first: %s\n", (unsigned long long)r->failures,
               r->first_error);
}

static void ratio_row(const run *r)
{
    static const char *const rn[NRATIO] = {"hs/s", "server us/hs", "client us/hs"};
    printf("  ratio mbshake/openssl per slice pair, median (min-max):");
    for (int i = 0; i < NRATIO; i++) {
        double mn, mx;
        bench_minmax(r->ratio[i], r->n, &mn, &mx);
        printf("  %s %.2f (%.2f-%.2f)", rn[i], bench_median(r->ratio[i], r->n), mn, mx);
    }
    printf("\n");
}

static void speedup_row(const run *r)
{
    if (!r->base) return;
    double mn, mx;
    bench_minmax(r->speedup, r->n, &mn, &mx);
    printf("  %s %d threads / 1 thread, per slice round, median (min-max): hs/s %.2f (%.2f-%.2f)\n",
           engine_name(r->engine), r->threads, bench_median(r->speedup, r->n), mn, mx);
}

/* ---- options ---------------------------------------------------------------------------------- */
static const uint16_t default_suites[] = {0xc02b, 0xc02f, 0x009c};
static const uint16_t all_suites[] = {0xc02b, 0xc02c, 0xc02f, 0xc030, 0x009c, 0x009d};

static int is_ecdsa(uint16_t s)
{
    const char *n = eng_suite_name(s, 0);
    return n && !strncmp(n, "ECDHE-ECDSA-", 12);
}

static int is_ecdhe(uint16_t s)
{
    const char *n = eng_suite_name(s, 0);
    return n && !strncmp(n, "ECDHE-", 6);
}

static void default_json_path(char *buf, size_t cap, const char *host)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    snprintf(buf, cap, "results/%s-%s.json", host, ts);
}

static int write_json(json_t *root, const char *path)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        if (dir[0] && mkdir(dir, 0777) != 0 && errno != EEXIST) return -1;
    }
    return json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
}

/* see cmds.h */
int cmd_bench(int argc, char **argv)
{
    opts o = {.inflight = 64, .repeat = 5, .max_wait_us = 200, .duration = 2, .warmup = 0.5,
              .engine = "both", .verify = "full", .threads = "all", .servername = "localhost"};
    const char *suite_opt = NULL;
    const cli_opt table[] = {
        {"suite", OPT_STR, &suite_opt, "NAME", "suite (OpenSSL or IANA name), repeatable, or 'all' (default: ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-AES128-GCM-SHA256, AES128-GCM-SHA256)", 1, 0},
        {"group", OPT_STR, &o.group, "NAME", "ECDHE group: x25519, secp256r1 or all (default x25519)", 1, 0},
        {"cert", OPT_STR, &o.cert, "KIND", "ecdsa-p256|rsa2048|rsa3072|rsa4096 (default ecdsa-p256 for ECDSA suites, rsa2048 for RSA)", 1, 0},
        {"threads", OPT_STR, &o.threads, "N|all", "worker threads, one pinned per core (default all)", 1, 0},
        {"cpus", OPT_STR, &o.cpus, "LIST", "pin workers to these CPUs (OS numbers, e.g. 0,2-3)", 1, 0},
        {"inflight", OPT_INT, &o.inflight, "N", "concurrent handshakes per worker (default 64)", 1, 4096},
        {"max-wait-us", OPT_NUM, &o.max_wait_us, "US", "scheduler deadline for a partial batch (default 200)", 0, 1e7},
        {"duration", OPT_NUM, &o.duration, "SEC", "seconds per slice (default 2)", 0.01, 3600},
        {"warmup", OPT_NUM, &o.warmup, "SEC", "warm-up before each slice's window (default 0.5)", 0, 600},
        {"repeat", OPT_INT, &o.repeat, "R", "slices per engine and point (default 5, at most 50)", 1, MAX_REPEAT},
        {"isa", OPT_STR, &o.isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {"engine", OPT_STR, &o.engine, "E", "mbshake, openssl or both (default both: alternating slices)", 1, 0},
        {"json", OPT_STR, &o.json, "FILE", "results file (default results/HOST-YYYYMMDD-HHMMSS.json)", 1, 0},
        {"sweep", OPT_STR, &o.sweep, "WHAT", "threads (1..N) or inflight (1,2,4..256): one run per point, points in alternating slice rounds", 1, 0},
        {"verify", OPT_STR, &o.verify, "MODE", "full (verify the chain every handshake) or cached (once per chain, with a precomputed table of a P-256 leaf key)", 1, 0},
        {"servername", OPT_STR, &o.servername, "NAME", "name the client sends and verifies (default localhost)", 1, 0},
        {"quiet", OPT_FLAG, &o.quiet, NULL, "no progress line and no table (the results file only)", 0, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {
        "bench", "[--suite NAME]... [--group G] [--threads N|all] [--inflight N] [--engine E] [options]",
        "In-memory TLS 1.2 handshakes, client and server in one thread per worker, the client\n"
        "verifying chain and host name. Each worker keeps --inflight handshakes going; mbshake\n"
        "batches their public-key operations, OpenSSL (libssl over BIO pairs) runs them one by\n"
        "one. Per point and engine: --repeat slices of --duration seconds after --warmup; with\n"
        "--engine both the engines alternate slice by slice and the ratio is taken per pair.\n"
        "Reports handshakes/s, each side's CPU per handshake (TSC), flight latencies and batch\n"
        "occupancy; writes a results file (docs/RESULTS.md). Generates its own certificates.",
        table};
    /* --suite may repeat: cli_parse keeps the last, so collect them first */
    for (int i = 1; i < argc; i++) {
        const char *v = NULL;
        if (!strcmp(argv[i], "--suite") && i + 1 < argc) v = argv[++i];
        else if (!strncmp(argv[i], "--suite=", 8)) v = argv[i] + 8;
        else if (!strcmp(argv[i], "--")) break;
        if (v && o.nsuites < MAX_LIST) o.suites[o.nsuites++] = v;
    }
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 0, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;

    /* suites */
    uint16_t suites[MAX_LIST];
    int nsuites = 0;
    if (!o.nsuites) {
        for (size_t i = 0; i < sizeof default_suites / sizeof *default_suites; i++) suites[nsuites++] = default_suites[i];
    }
    for (int i = 0; i < o.nsuites; i++) {
        if (!strcmp(o.suites[i], "all")) {
            for (size_t k = 0; k < sizeof all_suites / sizeof *all_suites; k++)
                if (eng_suite_name(all_suites[k], 0) && nsuites < MAX_LIST) suites[nsuites++] = all_suites[k];
            continue;
        }
        int s = eng_suite_from_name(o.suites[i]);
        if (s < 0) return cli_usage_error(&cmd, "--suite %s: unknown or unsupported suite", o.suites[i]);
        suites[nsuites++] = (uint16_t)s;
    }
    /* groups */
    uint16_t groups[2] = {29, 0};
    int ngroups = 1;
    if (o.group && !strcmp(o.group, "all")) {
        groups[1] = 23;
        ngroups = 2;
    } else if (o.group) {
        int g = eng_group_from_name(o.group);
        if (g < 0) return cli_usage_error(&cmd, "--group %s: want x25519, secp256r1 or all", o.group);
        groups[0] = (uint16_t)g;
    }
    if (o.cert && strcmp(o.cert, "ecdsa-p256") && strcmp(o.cert, "rsa2048") && strcmp(o.cert, "rsa3072") &&
        strcmp(o.cert, "rsa4096"))
        return cli_usage_error(&cmd, "--cert %s: want ecdsa-p256, rsa2048, rsa3072 or rsa4096", o.cert);
    int engines[2], nengines = 0;
    if (!strcmp(o.engine, "both")) {
        engines[nengines++] = BENCH_MBSHAKE;
        engines[nengines++] = BENCH_OPENSSL;
    } else if (!strcmp(o.engine, "mbshake")) {
        engines[nengines++] = BENCH_MBSHAKE;
    } else if (!strcmp(o.engine, "openssl")) {
        engines[nengines++] = BENCH_OPENSSL;
    } else {
        return cli_usage_error(&cmd, "--engine %s: want mbshake, openssl or both", o.engine);
    }
    if (strcmp(o.verify, "full") && strcmp(o.verify, "cached"))
        return cli_usage_error(&cmd, "--verify %s: want full or cached", o.verify);
    if (o.sweep && strcmp(o.sweep, "threads") && strcmp(o.sweep, "inflight"))
        return cli_usage_error(&cmd, "--sweep %s: want threads or inflight", o.sweep);
    int cpus[WORKERS_MAX], ncpus = 0;
    if (o.cpus && (ncpus = cpulist_parse(o.cpus, cpus, WORKERS_MAX)) <= 0)
        return cli_usage_error(&cmd, "--cpus %s: want a list like 0,2-3", o.cpus);
    char err[512];
    workers_topo topo;
    if (workers_topo_get(&topo, err, sizeof err) < 0) return cli_error("bench", "%s", err);
    int maxthr = cpulist_threads(o.threads, ncpus ? ncpus : topo.cores, WORKERS_MAX);
    if (maxthr < 0)
        return cli_usage_error(&cmd, "--threads %s: want a number >= 1 or all", o.threads);
    if (ncpus && maxthr > ncpus) return cli_usage_error(&cmd, "--threads %d but --cpus lists %d", maxthr, ncpus);
    if (!ncpus && maxthr > topo.cores)
        return cli_usage_error(&cmd, "--threads %d: this machine has %d cores (give --cpus to use more PUs)",
                               maxthr, topo.cores);
    int thr_list[WORKERS_MAX], nthr = 0;
    unsigned infl_list[16];
    int ninfl = 0;
    if (o.sweep && !strcmp(o.sweep, "threads"))
        for (int t = 1; t <= maxthr; t++) thr_list[nthr++] = t;
    else
        thr_list[nthr++] = maxthr;
    if (o.sweep && !strcmp(o.sweep, "inflight"))
        for (unsigned v = 1; v <= 256; v *= 2) infl_list[ninfl++] = v;
    else
        infl_list[ninfl++] = (unsigned)o.inflight;
    if (cli_apply_isa("bench", o.isa) < 0) return 1;

    /* the plan: points in order; mbshake and openssl slices alternate inside a point */
    typedef struct point {
        uint16_t suite, group;
        const char *cert;
        int threads;
        unsigned inflight;
    } point;
    int npoints = 0, cap = nsuites * ngroups * nthr * ninfl;
    point *pts = calloc((size_t)cap, sizeof *pts);
    if (!pts) return cli_error("bench", "out of memory");
    for (int s = 0; s < nsuites; s++) {
        const char *cert = o.cert ? o.cert : is_ecdsa(suites[s]) ? "ecdsa-p256" : "rsa2048";
        if (is_ecdsa(suites[s]) != !strcmp(cert, "ecdsa-p256")) continue; /* key does not fit */
        for (int g = 0; g < (is_ecdhe(suites[s]) ? ngroups : 1); g++)
            for (int t = 0; t < nthr; t++)
                for (int i = 0; i < ninfl; i++)
                    pts[npoints++] = (point){suites[s], is_ecdhe(suites[s]) ? groups[g] : 0, cert,
                                             thr_list[t], infl_list[i]};
    }
    if (!npoints) {
        free(pts);
        return cli_usage_error(&cmd, "no suite fits --cert %s (ECDSA suites need ecdsa-p256, RSA suites an RSA key)",
                               o.cert);
    }
    run *runs = calloc((size_t)npoints * (size_t)nengines, sizeof *runs);
    certgen *g = certgen_new(err, sizeof err);
    if (!runs || !g) {
        free(pts);
        free(runs);
        return cli_error("bench", "%s", g ? "out of memory" : err);
    }

    bench_fp fp;
    bench_fp_get(&fp);
    uint64_t feat = cd_cpu_features();
    const char *forced = cd_isa_forced();
    const cd_x25519 *xi = cd_x25519_select(feat, forced);
    const cd_p256 *pi = cd_p256_select(feat, forced);
    char rsa_impl[128], topo_line[512];
    /* the server's RSA private operation (engine/rsa_own.h): ours for RSA-2048 keys on CPUs
     * with AVX2+BMI2+ADX (and an --isa tier that allows them), libcrypto otherwise */
    if (rsa_own_usable())
        snprintf(rsa_impl, sizeof rsa_impl, "%s (RSA-2048; libcrypto %s for other sizes)",
                 rsa_own_impl_name(), fp.openssl);
    else
        snprintf(rsa_impl, sizeof rsa_impl, "libcrypto %s", fp.openssl);
    int tty = isatty(STDOUT_FILENO) && !o.quiet;
    if (!o.quiet) {
        printf("mbshake bench %s (%s%s): in-memory TLS 1.2 handshakes, client verifies chain + "
               "name \"%s\" (verify %s)\n",
               MBSHAKE_VERSION, MBSHAKE_GIT_COMMIT, MBSHAKE_GIT_DIRTY ? ", dirty" : "", o.servername,
               o.verify);
        printf("machine: %s; %s family %d model %d stepping %d; TSC %.3f GHz, core %.3f GHz "
               "(measured)\n",
               fp.brand, fp.vendor, fp.family, fp.model, fp.stepping, fp.tsc_hz / 1e9,
               fp.core_hz / 1e9);
        printf("topology: %s\n", workers_topo_str(&topo, topo_line, sizeof topo_line));
        printf("flags: %s\n", fp.flags);
        printf("software: %s; %s; OpenSSL %s, ipsec-mb %s, hwloc %s\n", fp.kernel, fp.compiler,
               fp.openssl, fp.ipsec_mb, fp.hwloc);
        printf("kernels: x25519=%s p256=%s sym=%s (ipsec-mb) rsa=%s; isa=%s\n", xi ? xi->name : "?",
               pi ? pi->name : "?", cd_sym_arch(), rsa_impl, forced ? forced : "auto");
        printf("plan: %d point(s) x %d engine(s) x %d slice(s) of %.2gs (+%.2gs warm-up)\n\n",
               npoints, nengines, o.repeat, o.duration, o.warmup);
        table_header();
        fflush(stdout);
    }

    /* Points that differ only in threads or in-flight count (a sweep) form one set, measured
     * together: slice round by slice round, every point and engine in turn, so the points of a
     * sweep are compared seconds apart as the engines are. */
    int rc = 0, nruns = 0;
    uint64_t total_fail = 0;
    progress pg = {tty, npoints, 0, o.repeat * nengines, 0, bench_now_ns()};
    for (int p0 = 0, p1; p0 < npoints && rc == 0; p0 = p1) {
        for (p1 = p0 + 1; p1 < npoints && pts[p1].suite == pts[p0].suite &&
                          pts[p1].group == pts[p0].group && pts[p1].cert == pts[p0].cert;
             p1++)
            ;
        int nset = p1 - p0;
        bench_pt *bp = calloc((size_t)nset, sizeof *bp);
        bench_mb **mb = calloc((size_t)nset, sizeof *mb);
        bench_ossl **os = calloc((size_t)nset, sizeof *os);
        run *set = &runs[nruns]; /* nset x nengines runs, point-major */
        if (!bp || !mb || !os) {
            rc = cli_error("bench", "out of memory");
            goto set_done;
        }
        nruns += nset * nengines;
        for (int i = 0; i < nset && rc == 0; i++) {
            point *p = &pts[p0 + i];
            const char *chain, *key;
            if (certgen_leaf(g, p->cert, &chain, &key, err, sizeof err) < 0) {
                rc = cli_error("bench", "%s", err);
                break;
            }
            bp[i] = (bench_pt){p->suite, p->group, p->cert, chain, key, certgen_ca_file(g),
                               o.servername, p->threads, ncpus ? cpus : NULL, p->inflight,
                               o.max_wait_us, o.duration, o.warmup, !strcmp(o.verify, "cached"),
                               fp.tsc_hz, SAMPLES_PER_WORKER};
            for (int e = 0; e < nengines; e++) {
                run *x = &set[i * nengines + e];
                x->engine = engines[e];
                x->suite = p->suite;
                x->group = p->group;
                x->cert = p->cert;
                x->threads = p->threads;
                x->inflight = p->inflight;
                if (o.sweep && !strcmp(o.sweep, "threads") && i > 0) x->base = &set[e];
                int ok = engines[e] == BENCH_MBSHAKE ? !!(mb[i] = bench_mb_new(&bp[i], err, sizeof err))
                                                     : !!(os[i] = bench_ossl_new(&bp[i], err, sizeof err));
                if (!ok) {
                    progress_clear(&pg);
                    rc = cli_error("bench", "%s %s %s: %s setup: %s", eng_suite_name(p->suite, 0),
                                   p->group ? eng_group_name(p->group) : "none", p->cert,
                                   engine_name(engines[e]), err);
                    break;
                }
            }
        }
        for (int rep = 0; rep < o.repeat && rc == 0; rep++)
            for (int i = 0; i < nset && rc == 0; i++)
                for (int e = 0; e < nengines && rc == 0; e++) {
                    run *x = &set[i * nengines + e];
                    bench_slice sl;
                    int ok = engines[e] == BENCH_MBSHAKE ? bench_mb_slice(mb[i], &bp[i], &sl, err, sizeof err)
                                                         : bench_ossl_slice(os[i], &bp[i], &sl, err, sizeof err);
                    if (ok < 0) {
                        progress_clear(&pg);
                        rc = cli_error("bench", "%s %s (%s, %d threads, inflight %u): %s",
                                       engine_name(engines[e]), eng_suite_name(x->suite, 0), x->cert,
                                       x->threads, x->inflight, err);
                        break;
                    }
                    record(x, &sl, fp.tsc_hz);
                    bench_slice_free(&sl);
                    pg.run_i = p0 + i + 1;
                    pg.slice_i = rep * nengines + e + 1;
                    progress_show(&pg, x->fig[F_HPS][x->n - 1]);
                }
        for (int i = 0; i < nset && rc == 0; i++) {
            run *a = &set[i * nengines], *b = nengines == 2 ? a + 1 : NULL;
            if (b) {
                a->has_ratio = 1;
                for (int j = 0; j < a->n && j < b->n; j++) {
                    a->ratio[R_HPS][j] = b->fig[F_HPS][j] > 0 ? a->fig[F_HPS][j] / b->fig[F_HPS][j] : 0;
                    a->ratio[R_SUS][j] = b->fig[F_SUS][j] > 0 ? a->fig[F_SUS][j] / b->fig[F_SUS][j] : 0;
                    a->ratio[R_CUS][j] = b->fig[F_CUS][j] > 0 ? a->fig[F_CUS][j] / b->fig[F_CUS][j] : 0;
                }
            }
            for (int e = 0; e < nengines; e++) {
                run *x = &a[e];
                for (int j = 0; x->base && j < x->n && j < x->base->n; j++)
                    x->speedup[j] = x->base->fig[F_HPS][j] > 0 ? x->fig[F_HPS][j] / x->base->fig[F_HPS][j] : 0;
            }
        }
        progress_clear(&pg);
        if (rc == 0 && !o.quiet) {
            for (int i = 0; i < nset; i++) {
                for (int e = 0; e < nengines; e++) table_row(&set[i * nengines + e]);
                if (nengines == 2) ratio_row(&set[i * nengines]);
                for (int e = 0; e < nengines; e++) speedup_row(&set[i * nengines + e]);
            }
            fflush(stdout);
        }
    set_done:
        for (int i = 0; i < nset && mb && os; i++) {
            bench_mb_free(mb[i]);
            bench_ossl_free(os[i]);
        }
        for (int i = 0; i < nset * nengines && bp && mb && os; i++) total_fail += set[i].failures;
        free(bp);
        free(mb);
        free(os);
    }

    /* results file: also after a failure, with the runs that completed */
    json_t *root = json_object();
    char cmdline[4096] = "mbshake";
    size_t off = strlen(cmdline);
    for (int i = 0; i < argc && off < sizeof cmdline; i++)
        off += (size_t)snprintf(cmdline + off, sizeof cmdline - off, " %s", argv[i]);
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(root, "schema", json_string("mbshake-results/1"));
    json_object_set_new(root, "tool", json_pack("{s:s,s:s,s:s,s:b}", "name", "mbshake", "version",
                                                MBSHAKE_VERSION, "git_commit", MBSHAKE_GIT_COMMIT,
                                                "git_dirty", MBSHAKE_GIT_DIRTY));
    json_object_set_new(root, "created_utc", json_string(created));
    json_object_set_new(root, "command", json_string(cmdline));
    json_object_set_new(root, "machine", bench_machine_json(&fp, &topo));
    const char *en[2], *sn[MAX_LIST], *gn[2];
    int nsn = 0;
    for (int e = 0; e < nengines; e++) en[e] = engine_name(engines[e]);
    for (int s = 0; s < nsuites; s++) sn[nsn++] = eng_suite_name(suites[s], 1);
    for (int i = 0; i < ngroups; i++) gn[i] = eng_group_name(groups[i]);
    json_t *cfg = json_object(), *ta = json_array(), *ia = json_array();
    for (int i = 0; i < nthr; i++) json_array_append_new(ta, json_integer(thr_list[i]));
    for (int i = 0; i < ninfl; i++) json_array_append_new(ia, json_integer(infl_list[i]));
    json_object_set_new(cfg, "engines", str_array(en, nengines));
    json_object_set_new(cfg, "suites", str_array(sn, nsn));
    json_object_set_new(cfg, "groups", str_array(gn, ngroups));
    json_object_set_new(cfg, "cert", o.cert ? json_string(o.cert) : json_string("auto"));
    json_object_set_new(cfg, "threads", ta);
    json_object_set_new(cfg, "inflight", ia);
    json_object_set_new(cfg, "max_wait_us", json_real(o.max_wait_us));
    json_object_set_new(cfg, "duration_s", json_real(o.duration));
    json_object_set_new(cfg, "warmup_s", json_real(o.warmup));
    json_object_set_new(cfg, "repeat", json_integer(o.repeat));
    json_object_set_new(cfg, "verify", json_string(o.verify));
    json_object_set_new(cfg, "isa", json_string(forced ? forced : "auto"));
    json_object_set_new(cfg, "sweep", o.sweep ? json_string(o.sweep) : json_null());
    json_object_set_new(cfg, "impl", json_pack("{s:s,s:s,s:s,s:s}", "x25519", xi ? xi->name : "?",
                                               "p256", pi ? pi->name : "?", "sym", cd_sym_arch(),
                                               "rsa", rsa_impl));
    json_object_set_new(root, "config", cfg);
    json_t *ra = json_array();
    for (int i = 0; i < nruns; i++)
        if (runs[i].n) json_array_append_new(ra, run_json(&runs[i], &o));
    json_object_set_new(root, "runs", ra);
    char path[512];
    if (o.json) snprintf(path, sizeof path, "%s", o.json);
    else default_json_path(path, sizeof path, fp.hostname);
    if (write_json(root, path) != 0) {
        rc = cli_error("bench", "cannot write %s: %s", path, strerror(errno));
    } else if (!o.quiet) {
        printf("\nresults: %s\n", path);
    } else {
        printf("%s\n", path);
    }
    json_decref(root);
    if (rc == 0 && total_fail) rc = cli_error("bench", "%llu handshakes failed (see the table)", (unsigned long long)total_fail);
    certgen_free(g);
    free(runs);
    free(pts);
    return rc;
}
