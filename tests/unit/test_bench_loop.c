/* test_bench_loop.c — the in-memory batched handshake loop (engine/bench_loop.c): handshakes
 * counted in the window, CPU ticks split by side, kernel shares charged to their sides, flight
 * latencies consistent with each other, the reservoir bound, warm-up and time-limited windows,
 * failures counted with their reason, and two pinned workers each running a loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_loop.h"
#include "eng.h"
#include "th.h"
#include "tls_pair.h"
#include "workers.h"

static eng_cfg *cli_ecdsa, *cli_rsa, *cli_noems, *srv_ecdsa_x, *srv_ecdsa_p, *srv_rsa, *srv_ems;

static eng_cfg *srv(const char *kind, const char *group)
{
    char err[256] = "";
    eng_cfg *c = tp_server_cfg(kind);
    int rc = c && group ? eng_cfg_set_groups(c, group, err, sizeof err) : 0;
    CHECKF(rc == 0, "server %s: %s", kind, err);
    return c;
}

static eng_cfg *cli(const char *suite)
{
    char err[256] = "";
    eng_cfg *c = tp_client_cfg();
    int rc = c ? eng_cfg_set_suites(c, suite, err, sizeof err) : 0;
    CHECKF(rc == 0, "client %s: %s", suite, err);
    return c;
}

static int need_cfgs(void)
{
    if (!tp_certs()) {
        th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
        return 0;
    }
    if (cli_ecdsa) return 1;
    cli_ecdsa = cli("ECDHE-ECDSA-AES128-GCM-SHA256");
    cli_rsa = cli("AES128-GCM-SHA256");
    cli_noems = cli("ECDHE-ECDSA-AES128-GCM-SHA256");
    srv_ecdsa_x = srv("ecdsa-p256", "x25519");
    srv_ecdsa_p = srv("ecdsa-p256", "secp256r1");
    srv_rsa = srv("rsa2048", NULL);
    srv_ems = srv("ecdsa-p256", NULL);
    if (!cli_ecdsa || !cli_rsa || !cli_noems || !srv_ecdsa_x || !srv_ecdsa_p || !srv_rsa ||
        !srv_ems)
        return 0;
    eng_cfg_set_offer_ems(cli_noems, 0);
    eng_cfg_set_require_ems(srv_ems, 1);
    return 1;
}

static bl_cfg base(const eng_cfg *c, const eng_cfg *s, unsigned inflight, uint64_t max_hs)
{
    bl_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.client = c;
    cfg.server = s;
    cfg.servername = "localhost";
    cfg.inflight = inflight;
    cfg.window_tsc = 1ull << 40; /* minutes: these runs end on max_handshakes */
    cfg.max_handshakes = max_hs;
    cfg.sched.max_wait = UINT64_MAX;
    cfg.max_samples = 4096;
    cfg.seed = 42;
    return cfg;
}

/* The accounting every successful run must satisfy. */
static void check_run(const bl_result *r, const char *what)
{
    CHECKF(r->failed == 0, "%s: %llu failed (%s)", what, (unsigned long long)r->failed,
           r->first_error);
    CHECK(r->window_tsc > 0);
    for (int s = 0; s < 2; s++) {
        CHECKF(r->side_tsc[s] > 0, "%s: side %d charged nothing", what, s);
        CHECK(r->kernel_tsc[s] <= r->side_tsc[s]);
    }
    CHECKF(r->side_tsc[0] + r->side_tsc[1] <= r->window_tsc, "%s: sides %llu + %llu > window %llu",
           what, (unsigned long long)r->side_tsc[0], (unsigned long long)r->side_tsc[1],
           (unsigned long long)r->window_tsc);
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        CHECK_EQ(r->seen[k], r->handshakes);
        for (size_t j = 0; j < r->nlat[k]; j++)
            CHECK(r->lat[k][j] > 0);
    }
    /* unsampled reservoir: index j of every series is the same handshake, whose four flights
     * fit inside the whole */
    if (r->nlat[BL_LAT_FULL] == r->handshakes)
        for (size_t j = 0; j < r->nlat[BL_LAT_FULL]; j++) {
            uint64_t parts = r->lat[BL_LAT_S_HELLO][j] + r->lat[BL_LAT_C_KEYX][j] +
                             r->lat[BL_LAT_S_FINISHED][j] + r->lat[BL_LAT_C_FINISHED][j];
            CHECKF(parts <= r->lat[BL_LAT_FULL][j], "%s: flights %llu > handshake %llu", what,
                   (unsigned long long)parts, (unsigned long long)r->lat[BL_LAT_FULL][j]);
        }
}

static double med_kcycles(const bl_result *r, int k)
{
    size_t n = r->nlat[k];
    if (!n) return 0;
    uint64_t *v = malloc(n * sizeof *v);
    memcpy(v, r->lat[k], n * sizeof *v);
    for (size_t i = 1; i < n; i++) /* insertion sort: a few hundred samples */
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    double m = (double)v[n / 2] / 1e3;
    free(v);
    return m;
}

static void report(const bl_result *r, const char *what)
{
    double hs = r->handshakes ? (double)r->handshakes : 1;
    th_note("%s: %llu handshakes, %.0f / %.0f kcycles per handshake (server / client; kernels "
            "%.0f / %.0f), loop %.0f%%, %llu forced flushes",
            what, (unsigned long long)r->handshakes, (double)r->side_tsc[0] / hs / 1e3,
            (double)r->side_tsc[1] / hs / 1e3, (double)r->kernel_tsc[0] / hs / 1e3,
            (double)r->kernel_tsc[1] / hs / 1e3,
            100.0 * (1.0 - (double)(r->side_tsc[0] + r->side_tsc[1]) / (double)r->window_tsc),
            (unsigned long long)r->forced_flushes);
    th_note("%s: median kcycles: s_hello %.0f c_keyx %.0f s_fin %.0f c_fin %.0f full %.0f", what,
            med_kcycles(r, BL_LAT_S_HELLO), med_kcycles(r, BL_LAT_C_KEYX),
            med_kcycles(r, BL_LAT_S_FINISHED), med_kcycles(r, BL_LAT_C_FINISHED),
            med_kcycles(r, BL_LAT_FULL));
    for (int k = 1; k < ENG_OP_KINDS; k++)
        if (r->st[k].calls)
            th_note("%s: %-13s %-9s lanes %u occupancy %.2f (%llu ops)", what,
                    eng_op_name((eng_op_kind)k), r->st[k].impl, r->st[k].lanes,
                    sched_occupancy(&r->st[k]), (unsigned long long)r->st[k].ops);
}

static void t_ecdhe_x25519(void)
{
    if (!need_cfgs()) return;
    bl_cfg cfg = base(cli_ecdsa, srv_ecdsa_x, 16, 64);
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    CHECK(r.handshakes >= 64);
    check_run(&r, "ecdsa x25519");
    CHECK_EQ(r.nlat[BL_LAT_FULL], r.handshakes);
    /* the kernels are charged to the side that parked each op: both sides run X25519 */
    CHECK(r.kernel_tsc[0] > 0 && r.kernel_tsc[1] > 0);
    const sched_kind_stats *kg = &r.st[ENG_OP_X25519_KEYGEN];
    CHECK(kg->ops > 0);
    if (kg->lanes > 1) CHECKF(sched_occupancy(kg) > 1.0, "occupancy %.2f", sched_occupancy(kg));
    CHECK(r.st[ENG_OP_P256_SIGN].ops > 0 && r.st[ENG_OP_P256_VERIFY].ops > 0);
    CHECK_EQ(r.st[ENG_OP_RSA].ops, 0);
    report(&r, "ecdsa x25519 x16");
    bl_result_free(&r);
}

static void t_ecdhe_p256(void)
{
    if (!need_cfgs()) return;
    bl_cfg cfg = base(cli_ecdsa, srv_ecdsa_p, 8, 24);
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    check_run(&r, "ecdsa p256");
    CHECK(r.st[ENG_OP_P256_DERIVE].ops > 0);
    CHECK_EQ(r.st[ENG_OP_X25519_DERIVE].ops, 0);
    report(&r, "ecdsa p256 x8");
    bl_result_free(&r);
}

static void t_rsa_kex(void)
{
    if (!need_cfgs()) return;
    bl_cfg cfg = base(cli_rsa, srv_rsa, 4, 16);
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    check_run(&r, "rsa");
    /* RSA runs inline: one op per call, client encrypts and server decrypts */
    CHECK(r.st[ENG_OP_RSA].ops > 0);
    CHECK_EQ(r.st[ENG_OP_RSA].ops, r.st[ENG_OP_RSA].calls);
    CHECK(r.kernel_tsc[0] > 0 && r.kernel_tsc[1] > 0);
    /* private-key decryption costs the server far more than encryption costs the client */
    CHECK(r.kernel_tsc[ENG_SERVER] > r.kernel_tsc[ENG_CLIENT]);
    report(&r, "rsa kex x4");
    bl_result_free(&r);
}

/* The reservoir keeps max_samples of every series, uniformly. */
static void t_reservoir(void)
{
    if (!need_cfgs()) return;
    bl_cfg cfg = base(cli_ecdsa, srv_ecdsa_x, 8, 40);
    cfg.max_samples = 8;
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        CHECK_EQ(r.nlat[k], 8);
        CHECK_EQ(r.seen[k], r.handshakes);
    }
    bl_result_free(&r);
    cfg.max_samples = 0;
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    CHECK(r.lat[0] == NULL && r.nlat[0] == 0 && r.seen[0] == r.handshakes);
    bl_result_free(&r);
}

/* Warm-up, then a window limited by time only; max_wait 0 flushes partial sets every round. */
static void t_timed_window_deadline(void)
{
    if (!need_cfgs()) return;
    /* calibrate: how long 8 handshakes take here (sanitizers slow everything down tenfold) */
    bl_cfg cfg = base(cli_ecdsa, srv_ecdsa_x, 8, 8);
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    uint64_t t8 = r.window_tsc;
    bl_result_free(&r);
    cfg.max_handshakes = 0;
    cfg.warmup_tsc = t8;
    cfg.window_tsc = 3 * t8;
    cfg.sched.max_wait = 0;
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    CHECK(r.window_tsc >= cfg.window_tsc);
    CHECK(r.handshakes > 0);
    check_run(&r, "timed");
    /* partial sets ran from the deadline flush (1-lane kernels only ever run full sets) */
    uint64_t deadline = 0, wide = 0;
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        deadline += r.st[k].deadline;
        wide += r.st[k].lanes > 1 ? r.st[k].ops : 0;
    }
    if (wide) CHECK(deadline > 0);
    report(&r, "timed, max_wait 0");
    bl_result_free(&r);
}

/* Every handshake fails (server requires EMS, client does not offer it): counted, with the
 * reason; the loop keeps replacing pairs until the window closes. */
static void t_failures_counted(void)
{
    if (!need_cfgs()) return;
    bl_cfg cfg = base(cli_noems, srv_ems, 4, 0);
    cfg.window_tsc = 20000000;
    bl_result r;
    char err[256] = "";
    CHECKF(bl_run(&cfg, &r, err, sizeof err) == 0, "bl_run: %s", err);
    CHECK_EQ(r.handshakes, 0);
    CHECK(r.failed > 0);
    CHECKF(strstr(r.first_error, "server") != NULL, "first error: %s", r.first_error);
    th_note("%llu failures, first: %s", (unsigned long long)r.failed, r.first_error);
    bl_result_free(&r);
    /* and a configuration the loop refuses */
    bl_cfg bad = base(cli_noems, NULL, 4, 1);
    CHECK_EQ(bl_run(&bad, &r, err, sizeof err), -1);
    bad = base(cli_noems, srv_ems, 0, 1);
    CHECK_EQ(bl_run(&bad, &r, err, sizeof err), -1);
}

/* Two pinned workers, each with its own loop and scheduler; results merged afterwards. */
typedef struct wslot {
    _Alignas(WORKERS_CACHELINE) bl_result r;
    int rc;
    char err[128];
} wslot;

static int worker(const worker_info *w, void *arg)
{
    wslot *me = &((wslot *)arg)[w->id];
    bl_cfg cfg = base(cli_ecdsa, w->id ? srv_ecdsa_p : srv_ecdsa_x, 8, 16);
    me->rc = bl_run(&cfg, &me->r, me->err, sizeof me->err);
    return me->rc;
}

static void t_two_workers(void)
{
    if (!need_cfgs()) return;
    workers_topo t;
    char err[256] = "";
    workers_topo_get(&t, err, sizeof err);
    int cpus[2] = {0, t.pus > 1 ? 1 : 0};
    wslot *sl = aligned_alloc(WORKERS_CACHELINE, 2 * sizeof *sl);
    memset(sl, 0, 2 * sizeof *sl);
    workers_cfg wc = {2, t.cores >= 2 ? NULL : cpus, 0};
    CHECKF(workers_run(&wc, worker, sl, err, sizeof err) == 0, "workers_run: %s (%s / %s)", err,
           sl[0].err, sl[1].err);
    uint64_t hs = 0;
    sched_kind_stats m[ENG_OP_KINDS];
    memset(m, 0, sizeof m);
    for (int w = 0; w < 2; w++) {
        check_run(&sl[w].r, w ? "worker 1" : "worker 0");
        hs += sl[w].r.handshakes;
        for (int k = 1; k < ENG_OP_KINDS; k++)
            sched_stats_add(&m[k], &sl[w].r.st[k]);
        bl_result_free(&sl[w].r);
    }
    CHECK(hs >= 32);
    CHECK(m[ENG_OP_X25519_DERIVE].ops > 0 && m[ENG_OP_P256_DERIVE].ops > 0);
    th_note("2 workers: %llu handshakes", (unsigned long long)hs);
    free(sl);
}

int main(void)
{
    th_case("ecdhe_ecdsa_x25519", t_ecdhe_x25519);
    th_case("ecdhe_ecdsa_p256", t_ecdhe_p256);
    th_case("rsa_key_exchange", t_rsa_kex);
    th_case("latency_reservoir", t_reservoir);
    th_case("timed_window_deadline_policy", t_timed_window_deadline);
    th_case("failures_counted", t_failures_counted);
    th_case("two_workers", t_two_workers);
    eng_cfg *all[] = {cli_ecdsa, cli_rsa, cli_noems, srv_ecdsa_x, srv_ecdsa_p, srv_rsa, srv_ems};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        eng_cfg_free(all[i]);
    return th_done();
}
