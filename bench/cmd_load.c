/* cmd_load.c — `mbshake load HOST:PORT`: a TLS 1.2 handshake load generator against any server
 * (load_run.c does the work). Prints a table (throughput, errors by kind, latency percentiles
 * per phase), a progress line when stdout is a TTY, and optionally a results file
 * (docs/RESULTS.md, "engine": "load") that `mbshake compare` and `mbshake report` read. */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "bench.h"
#include "cli_opts.h"
#include "cmds.h"
#include "cpulist.h"
#include "load.h"
#include "netio.h"
#include "tlsio.h"
#include "version.h"
#include "workers.h"

enum { Q_P50, Q_P90, Q_P99, Q_P999, Q_MAX, NQS };
static const double qs_val[NQS] = {0.5, 0.9, 0.99, 0.999, 1.0};
static const char *const qs_name[NQS] = {"p50", "p90", "p99", "p999", "max"};
static const double cdf_q[] = {0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
#define NCDF (sizeof cdf_q / sizeof *cdf_q)


/* A client this busy is measuring itself: say so. */
#define BUSY_WARN 0.9

/* Per-window figures: each array holds the windows that have the figure (cpu: windows with a
 * handshake; a latency: windows with samples of its kind). */
typedef struct figs {
    int n, ncpu, nlat[LOAD_LAT_KINDS];
    double *hs, *secs, *hps, *cpu, *lat[LOAD_LAT_KINDS][NQS];
    double *busy; /* CPU time of the load threads / (window x threads): how busy the client was */
} figs;

static void figs_free(figs *f)
{
    free(f->hs);
    free(f->secs);
    free(f->hps);
    free(f->cpu);
    free(f->busy);
    for (int k = 0; k < LOAD_LAT_KINDS; k++)
        for (int i = 0; i < NQS; i++) free(f->lat[k][i]);
}

/* win[0..n): each window's latency arrays sorted here. -1 out of memory. */
static int figs_get(figs *f, load_result *win, int n, int threads)
{
    memset(f, 0, sizeof *f);
    size_t sz = (size_t)n * sizeof(double);
    int ok = (f->hs = malloc(sz)) && (f->secs = malloc(sz)) && (f->hps = malloc(sz)) &&
             (f->cpu = malloc(sz)) && (f->busy = malloc(sz));
    for (int k = 0; k < LOAD_LAT_KINDS; k++)
        for (int i = 0; i < NQS; i++) ok = ok && (f->lat[k][i] = malloc(sz));
    if (!ok) {
        figs_free(f);
        return -1;
    }
    f->n = n;
    for (int j = 0; j < n; j++) {
        const load_result *r = &win[j];
        f->hs[j] = (double)r->handshakes;
        f->secs[j] = r->seconds;
        f->hps[j] = r->seconds > 0 ? (double)r->handshakes / r->seconds : 0;
        if (r->handshakes) f->cpu[f->ncpu++] = r->cpu_s * 1e6 / (double)r->handshakes;
        f->busy[j] = r->seconds > 0 ? r->cpu_s / (r->seconds * threads) : 0;
        for (int k = 0; k < LOAD_LAT_KINDS; k++) {
            if (!r->nlat[k]) continue;
            bench_sort_u64(r->lat[k], r->nlat[k]);
            for (int i = 0; i < NQS; i++)
                f->lat[k][i][f->nlat[k]] = bench_quantile(r->lat[k], r->nlat[k], qs_val[i]) / 1e3;
            f->nlat[k]++;
        }
    }
    return 0;
}

/* Sums the windows into tot (latency arrays concatenated and sorted: the CDF). -1 no memory. */
static int windows_total(const load_result *win, int n, load_result *tot)
{
    memset(tot, 0, sizeof *tot);
    for (int j = 0; j < n; j++) {
        if (load_result_add(tot, &win[j], 1.0) < 0) {
            load_result_free(tot);
            return -1;
        }
    }
    tot->held_peak = win[0].held_peak;
    tot->held_closed = win[0].held_closed;
    memcpy(tot->batches, win[0].batches, sizeof tot->batches);
    for (int k = 0; k < LOAD_LAT_KINDS; k++) bench_sort_u64(tot->lat[k], tot->nlat[k]);
    return 0;
}

/* The certificate kind as far as the handshake shows it (the ServerKeyExchange signature, or
 * RSA key exchange). */
static const char *cert_kind(const eng_info *in)
{
    if (!in->version) return "unknown";
    if ((in->sigalg & 0xff) == 0x03) return in->sigalg == 0x0403 ? "ecdsa-p256" : "ecdsa";
    return "rsa";
}

static json_t *machine_json(void)
{
    bench_fp fp;
    workers_topo t;
    char err[256];
    bench_fp_get(&fp);
    memset(&t, 0, sizeof t);
    (void)workers_topo_get(&t, err, sizeof err);
    return bench_machine_json(&fp, &t);
}

typedef struct lopts {
    const char *target, *suites, *groups, *servername, *ca, *verify, *request, *json, *threads,
        *cpus, *isa, *rate_s;
    int connections, insecure, quiet, no_batch, repeat, hold, probe_conns;
    double rate, duration, timeout, max_wait_us;
    double rate_pct, probe_s, probe_hps, probe_busy; /* --rate P%: the probe before the run */
} lopts;

/* The RUN object: r = the windows' sums (its latency arrays sorted), f = per-window figures. */
static json_t *run_json(const lopts *o, const load_result *r, const figs *f, int threads)
{
    const eng_info *in = &r->info;
    int sid = in->version ? in->suite : (o->suites ? eng_suite_from_name(o->suites) : -1);
    const char *iana = sid >= 0 ? eng_suite_name((uint16_t)sid, 1) : NULL;
    const char *ossl = sid >= 0 ? eng_suite_name((uint16_t)sid, 0) : NULL;
    const char *grp = in->version ? (in->group ? eng_group_name(in->group) : "none")
                                  : (o->groups ? o->groups : "unknown");
    json_t *j = json_object();
    json_object_set_new(j, "engine", json_string("load"));
    json_object_set_new(j, "suite", json_string(iana ? iana : "unknown"));
    json_object_set_new(j, "suite_openssl", json_string(ossl ? ossl : "unknown"));
    json_object_set_new(j, "group", json_string(grp ? grp : "unknown"));
    json_object_set_new(j, "cert", json_string(cert_kind(in)));
    json_object_set_new(j, "threads", json_integer(threads));
    json_object_set_new(j, "inflight", json_integer(o->connections));
    json_object_set_new(j, "verify", json_string(o->insecure ? "none" : o->verify));
    json_object_set_new(j, "target", json_string(o->target));
    json_object_set_new(j, "rate_hps", o->rate > 0 ? json_real(o->rate) : json_null());
    if (o->rate_pct > 0) {
        json_object_set_new(j, "rate_percent", json_real(o->rate_pct));
        json_object_set_new(j, "capacity_probe",
                            json_pack("{s:f,s:i,s:f,s:f}", "handshakes_per_sec", o->probe_hps, "connections",
                                      o->probe_conns, "seconds", o->probe_s, "client_busy", o->probe_busy));
    }
    json_object_set_new(j, "request", json_boolean(o->request != NULL));
    json_object_set_new(j, "client_batch", json_boolean(!o->no_batch));
    json_object_set_new(j, "client_max_wait_us", json_real(o->no_batch ? 0 : o->max_wait_us));
    json_object_set_new(j, "handshakes", bench_stat_json(f->hs, f->n));
    json_object_set_new(j, "seconds", bench_stat_json(f->secs, f->n));
    json_object_set_new(j, "handshakes_per_sec", bench_stat_json(f->hps, f->n));
    if (f->ncpu) json_object_set_new(j, "client_cpu_us_per_hs", bench_stat_json(f->cpu, f->ncpu));
    json_object_set_new(j, "client_busy", bench_stat_json(f->busy, f->n));
    json_t *lat = json_object(), *cdf = json_object();
    for (int k = 0; k < LOAD_LAT_KINDS; k++) {
        if (!r->nlat[k]) continue;
        json_t *q = json_object();
        for (int i = 0; i < NQS; i++)
            json_object_set_new(q, qs_name[i], bench_stat_json(f->lat[k][i], f->nlat[k]));
        json_object_set_new(lat, load_lat_names[k], q);
        json_t *c = json_array();
        for (size_t i = 0; i < NCDF; i++)
            json_array_append_new(c, json_pack("[f,f]", cdf_q[i],
                                               bench_quantile(r->lat[k], r->nlat[k], cdf_q[i]) / 1e3));
        json_object_set_new(cdf, load_lat_names[k], c);
    }
    json_object_set_new(j, "latency_us", lat);
    json_object_set_new(j, "latency_cdf_us", cdf);
    json_t *errs = json_object(), *rx = json_object(), *tx = json_object();
    uint64_t fails = 0;
    for (int k = 0; k < LOAD_E_KINDS; k++) {
        fails += r->errors[k];
        if (k != LOAD_E_ALERT_RX && k != LOAD_E_PROTOCOL)
            json_object_set_new(errs, load_err_names[k], json_integer((json_int_t)r->errors[k]));
    }
    for (int a = 0; a < 256; a++) {
        if (r->alert_rx[a]) json_object_set_new(rx, eng_alert_name(a), json_integer((json_int_t)r->alert_rx[a]));
        if (r->alert_tx[a]) json_object_set_new(tx, eng_alert_name(a), json_integer((json_int_t)r->alert_tx[a]));
    }
    json_object_set_new(errs, "alert_received", rx);
    json_object_set_new(errs, "alert_sent", tx);
    json_object_set_new(j, "errors", errs);
    json_object_set_new(j, "started", json_integer((json_int_t)r->started));
    if (o->rate > 0) json_object_set_new(j, "late_starts", json_integer((json_int_t)r->late));
    json_object_set_new(j, "failures", json_integer((json_int_t)fails));
    if (r->first_error[0]) json_object_set_new(j, "first_error", json_string(r->first_error));
    if (!o->no_batch) { /* the client's lane sets, as bench writes them (docs/RESULTS.md) */
        json_t *bat = json_object();
        for (int k = 1; k < ENG_OP_KINDS; k++) {
            const sched_kind_stats *t = &r->batches[k];
            if (!t->calls) continue;
            char name[32];
            bench_op_key((eng_op_kind)k, name, sizeof name);
            json_object_set_new(bat, name, bench_batch_json(t));
        }
        json_object_set_new(j, "batches", bat);
    }
    json_object_set_new(j, "hold", json_boolean(o->hold));
    if (o->hold) {
        json_object_set_new(j, "held_peak", json_integer((json_int_t)r->held_peak));
        json_object_set_new(j, "held_closed", json_integer((json_int_t)r->held_closed));
    }
    return j;
}

static int write_json(const char *path, const lopts *o, int argc, char **argv, json_t *run,
                      int threads)
{
    json_t *root = json_object();
    char created[32], cmdline[2048] = "mbshake";
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    size_t off = strlen(cmdline);
    for (int i = 0; i < argc && off < sizeof cmdline - 1; i++)
        off += (size_t)snprintf(cmdline + off, sizeof cmdline - off, " %s", argv[i]);
    json_object_set_new(root, "schema", json_string("mbshake-results/1"));
    json_object_set_new(root, "tool", json_pack("{s:s,s:s,s:s,s:b}", "name", "mbshake", "version",
                                                MBSHAKE_VERSION, "git_commit", MBSHAKE_GIT_COMMIT,
                                                "git_dirty", MBSHAKE_GIT_DIRTY));
    json_object_set_new(root, "created_utc", json_string(created));
    json_object_set_new(root, "command", json_string(cmdline));
    json_object_set_new(root, "machine", machine_json());
    json_t *cfg = json_pack("{s:[s],s:s,s:[i],s:[i],s:f,s:f,s:i,s:s}", "engines", "load", "target",
                            o->target, "threads", threads, "inflight", o->connections, "duration_s",
                            o->duration, "timeout_s", o->timeout, "repeat", o->repeat, "verify",
                            o->insecure ? "none" : o->verify);
    json_object_set_new(cfg, "rate_hps", o->rate > 0 ? json_real(o->rate) : json_null());
    json_object_set_new(cfg, "suites", o->suites ? json_string(o->suites) : json_null());
    json_object_set_new(cfg, "groups", o->groups ? json_string(o->groups) : json_null());
    json_object_set_new(cfg, "servername", o->servername ? json_string(o->servername) : json_null());
    json_object_set_new(root, "config", cfg);
    json_object_set_new(root, "runs", json_pack("[o]", run));
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    return rc;
}

/* "median (min..max, range/median %)" of v[0..n) */
static void spread_line(const char *name, const double *v, int n, int prec)
{
    double mn, mx, med;
    if (!n) return;
    bench_minmax(v, n, &mn, &mx);
    med = bench_median(v, n);
    char a[32], b[32], c[32];
    snprintf(a, sizeof a, "%.*f", prec, med);
    snprintf(b, sizeof b, "%.*f", prec, mn);
    snprintf(c, sizeof c, "%.*f", prec, mx);
    printf("  %-26s %9s  %9s..%-9s %6.1f %%\n", name, a, b, c, med > 0 ? 100 * (mx - mn) / med : 0.0);
}

/* r = the windows' sums, f = per-window figures: the table shows medians over the windows
 * (with one window: its figures), then each figure's spread when there are several. */
static void print_table(const lopts *o, const load_result *r, const figs *f)
{
    const eng_info *in = &r->info;
    printf("target %s: %s%s%s, %d connections, %s, ", o->target,
           in->version ? (in->suite_name ? in->suite_name : "?") : "no handshake completed",
           in->version ? " " : "", in->version ? (in->group ? eng_group_name(in->group) : "none") : "",
           o->connections, o->rate > 0 ? "open loop" : "closed loop");
    if (f->n > 1) printf("%d windows of %.1f s\n", f->n, o->duration);
    else printf("%.1f s\n", r->seconds);
    printf("%-12s %12s %10s %10s\n", "handshakes", "hs/s", "cpu_us/hs", "failures");
    uint64_t fails = 0;
    for (int k = 0; k < LOAD_E_KINDS; k++) fails += r->errors[k];
    printf("%-12llu %12.0f %10.1f %10llu   (client threads %.0f %% busy)\n", (unsigned long long)r->handshakes,
           bench_median(f->hps, f->n), f->ncpu ? bench_median(f->cpu, f->ncpu) : 0.0,
           (unsigned long long)fails, 100 * bench_median(f->busy, f->n));
    if (o->rate > 0)
        printf("open loop: %.0f hs/s intended, %llu started, %llu started over 1 ms late "
               "(latency counts from the intended start); client batch wait %.0f us\n",
               o->rate, (unsigned long long)r->started, (unsigned long long)r->late,
               o->no_batch ? 0.0 : o->max_wait_us);
    if (!o->no_batch) { /* mean ops per lane-set run: how full the client's batches were */
        int any = 0;
        for (int k = 1; k < ENG_OP_KINDS; k++) {
            const sched_kind_stats *t = &r->batches[k];
            if (!t->calls) continue;
            printf("%s %s %.1f/%u", any++ ? "," : "client batches (ops per run/lanes):",
                   eng_op_name((eng_op_kind)k), sched_occupancy(t), t->lanes);
        }
        if (any) printf("\n");
    }
    if (o->hold)
        printf("held open: %llu connections at once (peak), %llu closed by the server before the end\n",
               (unsigned long long)r->held_peak, (unsigned long long)r->held_closed);
    printf("\n%-18s %9s %9s %9s %9s %9s %9s\n", f->n > 1 ? "latency (us, med)" : "latency (us)", "n",
           "p50", "p90", "p99", "p999", "max");
    for (int k = 0; k < LOAD_LAT_KINDS; k++) {
        if (!r->nlat[k]) continue;
        printf("%-18s %9zu", load_lat_names[k], r->nlat[k]);
        for (int i = 0; i < NQS; i++) printf(" %9.0f", bench_median(f->lat[k][i], f->nlat[k]));
        printf("\n");
    }
    if (f->n > 1) {
        printf("\nspread over %d windows %11s %9s  %19s %7s\n", f->n, "", "median", "min..max", "range");
        spread_line("hs/s", f->hps, f->n, 0);
        spread_line("cpu_us/hs", f->cpu, f->ncpu, 1);
        for (int k = 0; k < LOAD_LAT_KINDS; k++) {
            char nm[48];
            for (int i = Q_P50; i <= Q_P999; i++) {
                if (i == Q_P90) continue;
                snprintf(nm, sizeof nm, "%s %s us", load_lat_names[k], qs_name[i]);
                spread_line(nm, f->lat[k][i], f->nlat[k], 0);
            }
        }
    }
    if (!fails) return;
    printf("\nerrors:");
    for (int k = 0; k < LOAD_E_KINDS; k++)
        if (r->errors[k] && k != LOAD_E_ALERT_RX && k != LOAD_E_PROTOCOL)
            printf(" %s %llu", load_err_names[k], (unsigned long long)r->errors[k]);
    for (int a = 0; a < 256; a++) {
        if (r->alert_rx[a]) printf(" alert_received:%s %llu", eng_alert_name(a), (unsigned long long)r->alert_rx[a]);
        if (r->alert_tx[a] && r->errors[LOAD_E_PROTOCOL] + r->errors[LOAD_E_VERIFY])
            printf(" alert_sent:%s %llu", eng_alert_name(a), (unsigned long long)r->alert_tx[a]);
    }
    printf("\nfirst error: %s\n", r->first_error);
}

/* --rate P%: a closed-loop run of --probe-connections for --probe-duration measures the
 * capacity now (the machine's speed changes over tens of seconds: a capacity measured by an
 * earlier command may be stale), and the open loop then starts P % of it per second. */
static int probe_capacity(lopts *o, load_cfg *lc, char *err, size_t errlen)
{
    load_cfg pc = *lc;
    pc.rate = 0;
    pc.connections = o->probe_conns;
    pc.duration_s = o->probe_s;
    pc.repeat = 1;
    pc.hold = 0;
    pc.progress = 0;
    load_result r;
    if (!o->quiet) {
        printf("capacity probe: closed loop, %d connections, %.1f s ...", o->probe_conns, o->probe_s);
        fflush(stdout);
    }
    if (load_run(&pc, &r, err, errlen) < 0) return -1;
    uint64_t fails = 0;
    for (int k = 0; k < LOAD_E_KINDS; k++) fails += r.errors[k];
    if (!r.handshakes || r.seconds <= 0) {
        snprintf(err, errlen, "the capacity probe completed no handshake%s%.200s", fails ? "; first error: " : "",
                 r.first_error);
        load_result_free(&r);
        return -1;
    }
    o->probe_hps = (double)r.handshakes / r.seconds;
    o->probe_busy = r.cpu_s / (r.seconds * pc.threads);
    o->rate = lc->rate = o->probe_hps * o->rate_pct / 100;
    if (!o->quiet)
        printf(" %.0f hs/s (%llu failed, client threads %.0f %% busy); open loop at %g %%: %.0f hs/s\n",
               o->probe_hps, (unsigned long long)fails, 100 * o->probe_busy, o->rate_pct, o->rate);
    if (o->probe_busy >= BUSY_WARN)
        fprintf(stderr, "mbshake load: warning: the capacity probe was limited by this client (its threads were "
                        "%.0f %% busy), not by the server: %g %% of it measures the client. Give the load "
                        "more cores (--threads, --cpus) for the server's capacity.\n",
                100 * o->probe_busy, o->rate_pct);
    load_result_free(&r);
    return 0;
}

/* see cmds.h */
int cmd_load(int argc, char **argv)
{
    lopts o = {.verify = "full", .threads = "1", .connections = 16, .duration = 5, .timeout = 10,
               .max_wait_us = 200, .repeat = 1, .probe_conns = 64, .probe_s = 2};
    int want_request = 0;
    const cli_opt opts[] = {
        {"connections", OPT_INT, &o.connections, "N", "concurrent connections, all threads (default 16)", 1, 1000000},
        {"rate", OPT_STR, &o.rate_s, "HPS|P%", "open loop: start HPS handshakes per second on schedule, or P % of the capacity that a closed-loop probe measures just before (default: closed loop)", 1, 0},
        {"probe-connections", OPT_INT, &o.probe_conns, "N", "--rate P%: connections of the closed-loop capacity probe (default 64)", 1, 1000000},
        {"probe-duration", OPT_NUM, &o.probe_s, "SEC", "--rate P%: length of the capacity probe (default 2)", 0.1, 3600},
        {"duration", OPT_NUM, &o.duration, "SEC", "measuring time of one window (default 5)", 0.01, 86400},
        {"repeat", OPT_INT, &o.repeat, "R", "R measurement windows of --duration back to back; figures get their spread (default 1)", 1, 1000},
        {"hold", OPT_FLAG, &o.hold, NULL, "keep each connection open after its handshake (and response); the run ends when all --connections are open at once (or at --duration)", 1, 0},
        {"timeout", OPT_NUM, &o.timeout, "SEC", "give up on a connection after SEC (default 10)", 0.001, 3600},
        {"threads", OPT_STR, &o.threads, "N|all", "load threads (default 1)", 1, 0},
        {"cpus", OPT_STR, &o.cpus, "LIST", "pin the threads to these PUs (taskset numbering; default: not pinned)", 1, 0},
        {"suite", OPT_STR, &o.suites, "LIST", "cipher suites to offer (default: all)", 1, 0},
        {"group", OPT_STR, &o.groups, "LIST", "groups to offer: x25519, secp256r1 (default: both)", 1, 0},
        {"servername", OPT_STR, &o.servername, "NAME", "SNI and the name to verify (default: HOST)", 1, 0},
        {"ca", OPT_STR, &o.ca, "FILE", "CA roots (PEM) the server chain must verify against", 1, 0},
        {"insecure", OPT_FLAG, &o.insecure, NULL, "do not verify the server certificate", 1, 0},
        {"verify", OPT_STR, &o.verify, "full|cached", "verify every chain, or each distinct chain once, keeping a precomputed table of a P-256 leaf key (default full)", 1, 0},
        {"request", OPT_FLAG, &want_request, NULL, "send an HTTP GET / after the handshake and wait for the first response byte", 1, 0},
        {"no-batch", OPT_FLAG, &o.no_batch, NULL, "run client public-key ops inline, one at a time (default: batched per thread)", 1, 0},
        {"max-wait-us", OPT_NUM, &o.max_wait_us, "US", "longest wait of a parked client op for a fuller batch (default 200). Open loop at high rates: raising it to the time ~4 starts take fills the client's lane sets (less CPU per handshake) but adds up to that much latency per client op (about 4 per handshake)", 0, 1e6},
        {"isa", OPT_STR, &o.isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {"json", OPT_STR, &o.json, "FILE", "write a results file (docs/RESULTS.md, engine \"load\")", 1, 0},
        {"quiet", OPT_FLAG, &o.quiet, NULL, "no progress line and no table", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"load", "HOST:PORT (--ca FILE | --insecure) [options]",
                         "Runs full TLS 1.2 handshakes over TCP against a server for --duration "
                         "seconds, keeping\n--connections in flight (closed loop) or starting "
                         "them on a schedule (--rate, open\nloop: latency counts from each "
                         "handshake's intended start). Reports handshakes/s,\nerrors by kind "
                         "and latency percentiles of TCP connect, ClientHello to\n"
                         "ServerHelloDone, the full handshake and the first response byte.",
                         opts};
    net_keep_heap();
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 1, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;
    if (npos != 1) return cli_usage_error(&cmd, "HOST:PORT is required");
    o.target = pos[0];
    if (o.rate_s) {
        char *end;
        double v = strtod(o.rate_s, &end);
        int pct = *end == '%' && end[1] == 0;
        if (end == o.rate_s || (*end && !pct) || !(v > 0) || v > (pct ? 1000 : 1e9))
            return cli_usage_error(&cmd, "--rate %s: want handshakes per second (like 5000) or a "
                                         "percentage of the measured capacity (like 80%%)", o.rate_s);
        if (pct) o.rate_pct = v;
        else o.rate = v;
    }
    if (!o.ca && !o.insecure) return cli_usage_error(&cmd, "--ca FILE or --insecure is required");
    if (o.ca && o.insecure) return cli_usage_error(&cmd, "--ca and --insecure exclude each other");
    if (strcmp(o.verify, "full") && strcmp(o.verify, "cached"))
        return cli_usage_error(&cmd, "--verify %s: want full or cached", o.verify);
    char host[256], err[512];
    unsigned port;
    if (net_split_hostport(o.target, host, sizeof host, &port, err, sizeof err) < 0)
        return cli_usage_error(&cmd, "%s", err);
    int cpus[WORKERS_MAX], ncpus = 0;
    if (o.cpus && (ncpus = cpulist_parse(o.cpus, cpus, WORKERS_MAX)) <= 0)
        return cli_usage_error(&cmd, "--cpus %s: want a list like 0,2-3", o.cpus);
    int threads = cpulist_threads(o.threads, ncpus ? ncpus : 0, WORKERS_MAX);
    if (!strcmp(o.threads, "all") && !ncpus) {
        workers_topo topo;
        if (workers_topo_get(&topo, err, sizeof err) < 0) return cli_error("load", "%s", err);
        threads = cpulist_threads(o.threads, topo.cores, WORKERS_MAX);
    }
    if (threads < 0) return cli_usage_error(&cmd, "--threads %s: want a number or all", o.threads);
    if (ncpus && ncpus != threads)
        return cli_usage_error(&cmd, "--cpus names %d PUs for %d threads", ncpus, threads);
    if (threads > o.connections)
        return cli_usage_error(&cmd, "--threads %d is more than --connections %d", threads, o.connections);
    if (o.hold && o.repeat > 1) return cli_usage_error(&cmd, "--hold runs one window: no --repeat");
    if (o.rate_pct > 0 && threads > o.probe_conns)
        return cli_usage_error(&cmd, "--threads %d is more than --probe-connections %d", threads, o.probe_conns);
    if (o.ca && cli_check_readable("load", "ca", o.ca) < 0) return 1;
    if (cli_apply_isa("load", o.isa) < 0) return 1;
    /* a descriptor per connection, plus each thread's epoll set, stdio and the libraries' */
    if (net_raise_nofile((unsigned long)(o.connections > o.probe_conns ? o.connections : o.probe_conns) + 2ul * (unsigned long)threads + 32, NULL, err,
                         sizeof err) < 0)
        return cli_error("load", "--connections %d %s", o.connections, err);
    if (!o.servername && !net_is_ip_literal(host)) o.servername = host;
    if (!o.servername) o.servername = host; /* an IP literal: verified, not sent (eng.h) */

    load_cfg lc = {.connections = o.connections, .rate = o.rate, .duration_s = o.duration,
                   .timeout_s = o.timeout, .threads = threads, .cpus = ncpus ? cpus : NULL,
                   .repeat = o.repeat, .hold = o.hold,
                   .servername = o.servername,
                   .progress = !o.quiet && isatty(STDOUT_FILENO), .batch = !o.no_batch};
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    int gr = getaddrinfo(host, ps, &hints, &ai);
    if (gr) return cli_error("load", "cannot resolve %s: %s", host, gai_strerror(gr));
    memcpy(&lc.addr, ai->ai_addr, ai->ai_addrlen);
    lc.addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
    char req[600];
    if (want_request) {
        snprintf(req, sizeof req, "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", o.servername);
        lc.request = o.request = req;
    }

    int rc = 1;
    eng_cfg *cfg = eng_cfg_new(ENG_CLIENT);
    if (!cfg) return cli_error("load", "out of memory");
    if (o.ca && eng_cfg_set_ca(cfg, o.ca, err, sizeof err) < 0) {
        cli_error("load", "--ca %s: %s", o.ca, err);
        goto out;
    }
    eng_cfg_set_insecure(cfg, o.insecure);
    if (o.suites && eng_cfg_set_suites(cfg, o.suites, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--suite %s: %s", o.suites, err);
        goto out;
    }
    if (o.groups && eng_cfg_set_groups(cfg, o.groups, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--group %s: %s", o.groups, err);
        goto out;
    }
    if (!strcmp(o.verify, "cached") && eng_cfg_set_verify_cache(cfg, 1) < 0) {
        cli_error("load", "out of memory");
        goto out;
    }
    lc.cfg = cfg;
    lc.max_wait_tsc = (uint64_t)(o.max_wait_us * 1e-6 * bench_tsc_hz(20));
    lc.max_wait_ns = (uint64_t)(o.max_wait_us * 1e3);
    if (o.rate_pct > 0 && probe_capacity(&o, &lc, err, sizeof err) < 0) {
        cli_error("load", "%s", err);
        goto out;
    }

    load_result r, *win = calloc((size_t)o.repeat, sizeof *win);
    figs f;
    if (!win) {
        cli_error("load", "out of memory");
        goto out;
    }
    if (load_run(&lc, win, err, sizeof err) < 0) {
        free(win);
        cli_error("load", "%s", err);
        goto out;
    }
    int mem = windows_total(win, o.repeat, &r) < 0 ? -1 : figs_get(&f, win, o.repeat, threads);
    for (int j = 0; j < o.repeat; j++) load_result_free(&win[j]);
    free(win);
    if (mem < 0) {
        load_result_free(&r);
        cli_error("load", "out of memory");
        goto out;
    }
    if (!o.quiet) print_table(&o, &r, &f);
    if (o.rate > 0 && bench_median(f.busy, f.n) >= BUSY_WARN)
        fprintf(stderr, "mbshake load: warning: the client threads were %.0f %% busy: in open loop the latencies "
                        "then include the client's own queueing (see the late starts). Give the load more "
                        "cores (--threads, --cpus) or a lower --rate.\n",
                100 * bench_median(f.busy, f.n));
    rc = 0;
    if (o.json) {
        json_t *run = run_json(&o, &r, &f, threads);
        if (write_json(o.json, &o, argc, argv, run, threads) < 0)
            rc = cli_error("load", "cannot write %s: %s", o.json, strerror(errno));
    }
    /* a run where nothing succeeded is a failure of the command (scripts check the status) */
    if (rc == 0 && r.handshakes == 0) {
        fprintf(stderr, "mbshake load: no handshake completed%s%s\n", r.first_error[0] ? "; first error: " : "",
                r.first_error);
        rc = 1;
    }
    load_result_free(&r);
    figs_free(&f);
out:
    eng_cfg_free(cfg);
    return rc;
}
