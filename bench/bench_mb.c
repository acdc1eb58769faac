/* bench_mb.c — slices of the mbshake engine: a pinned worker team, each worker running the
 * batched in-memory loop (engine/bench_loop.c) over shared read-only configurations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct bench_mb {
    eng_cfg *cc, *sc;
};

/* see bench.h */
void bench_mb_free(bench_mb *m)
{
    if (!m) return;
    eng_cfg_free(m->cc);
    eng_cfg_free(m->sc);
    free(m);
}

/* One inline handshake: proves the configurations negotiate what we mean to measure. */
static int check_once(bench_mb *m, const bench_pt *pt, char *err, size_t errlen)
{
    eng_conn *c = eng_conn_new(m->cc, pt->servername), *s = eng_conn_new(m->sc, NULL);
    int rc = -1, st[2] = {ENG_WANT_READ, ENG_WANT_READ};
    eng_conn *side[2] = {s, c};
    if (!c || !s) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (int round = 0; round < 16; round++) {
        for (int r = 1; r >= 0; r--) { /* client first */
            eng_conn *me = side[r], *peer = side[!r];
            for (;;) {
                size_t n = 0;
                const uint8_t *in = eng_out_peek(peer, &n);
                size_t used = n;
                st[r] = eng_feed(me, n ? in : NULL, &used);
                if (used) eng_out_consume(peer, used);
                if (st[r] == ENG_WANT_CRYPTO) {
                    eng_op_run(eng_pending_op(me));
                    continue;
                }
                break;
            }
            if (st[r] < 0) {
                snprintf(err, errlen, "%s: %s", r ? "client" : "server", eng_conn_errmsg(me));
                goto out;
            }
        }
        size_t a = 0, b = 0;
        eng_out_peek(c, &a);
        eng_out_peek(s, &b);
        if (st[0] == ENG_DONE && st[1] == ENG_DONE && !a && !b) break;
    }
    eng_info in;
    if (eng_conn_info(c, &in) != 0) {
        snprintf(err, errlen, "handshake did not complete");
        goto out;
    }
    if (in.suite != pt->suite || in.group != pt->group || !in.ems) {
        snprintf(err, errlen, "negotiated %s group %s ems %s instead",
                 eng_suite_name(in.suite, 0) ? eng_suite_name(in.suite, 0) : "?",
                 in.group ? eng_group_name(in.group) : "none", in.ems ? "yes" : "no");
        goto out;
    }
    rc = 0;
out:
    eng_conn_free(c);
    eng_conn_free(s);
    return rc;
}

/* see bench.h */
bench_mb *bench_mb_new(const bench_pt *pt, char *err, size_t errlen)
{
    bench_mb *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->sc = eng_cfg_new(ENG_SERVER);
    m->cc = eng_cfg_new(ENG_CLIENT);
    const char *sname = eng_suite_name(pt->suite, 0);
    if (!m->sc || !m->cc) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    /* The server's group list holds only the measured group; the client offers what real
     * clients offer, x25519 first, P-256 too (platform-facts: OpenSSL insists on the
     * certificate's curve being offered). */
    if (eng_cfg_set_cert(m->sc, pt->chain_file, pt->key_file, NULL, err, errlen) < 0 ||
        eng_cfg_set_suites(m->sc, sname, err, errlen) < 0 ||
        (pt->group && eng_cfg_set_groups(m->sc, eng_group_name(pt->group), err, errlen) < 0) ||
        eng_cfg_set_ca(m->cc, pt->ca_file, err, errlen) < 0 ||
        eng_cfg_set_suites(m->cc, sname, err, errlen) < 0 ||
        eng_cfg_set_groups(m->cc, "x25519,secp256r1", err, errlen) < 0)
        goto fail;
    if (pt->verify_cached && eng_cfg_set_verify_cache(m->cc, 1) < 0) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if (check_once(m, pt, err, errlen) < 0) goto fail;
    return m;
fail:
    bench_mb_free(m);
    return NULL;
}

static int worker(void *eng, const bench_pt *pt, int id, bl_result *res, char *err,
                  size_t errlen)
{
    const bench_mb *m = eng;
    bl_cfg c;
    memset(&c, 0, sizeof c);
    c.client = m->cc;
    c.server = m->sc;
    c.servername = pt->servername;
    c.inflight = pt->inflight;
    c.warmup_tsc = (uint64_t)(pt->warmup_s * pt->tsc_hz);
    c.window_tsc = (uint64_t)(pt->duration_s * pt->tsc_hz);
    c.sched.max_wait = (uint64_t)(pt->max_wait_us * pt->tsc_hz / 1e6);
    c.max_samples = pt->max_samples;
    c.seed = 0x9e3779b97f4a7c15ull * (uint64_t)(id + 1);
    return bl_run(&c, res, err, errlen) == 0 ? 0 : -1;
}

/* see bench.h */
int bench_mb_slice(bench_mb *m, const bench_pt *pt, bench_slice *out, char *err, size_t errlen)
{
    return bench_team_slice(m, pt, worker, out, err, errlen);
}
