/* bench_loop.c — in-memory batched handshake loop (see bench_loop.h).
 *
 * Each round pumps every pair's two sides: a side is fed what its peer has sent until it parks
 * on an op (submitted to the scheduler, tagged with pair and side) or runs out of input. When a
 * round moves nothing, every connection waits for a partial lane set, so the sets are forced
 * (sched_flush with force); otherwise only sets past their deadline run. Completed ops come
 * back tagged; their kernel shares are charged to the side that parked them. Timestamps come
 * from the TSC, which is read around every eng_feed anyway: per-call clocks would cost more
 * than the work they measure (a clock_gettime is a system call here). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_loop.h"

typedef struct bl_pair {
    eng_conn *c[2];    /* [ENG_SERVER], [ENG_CLIENT] */
    int st[2];         /* last eng_feed status */
    uint8_t feed[2];   /* feed even without input: first ClientHello, or an op completed */
    uint8_t parked[2]; /* an op of this side is in the scheduler */
    uint8_t flights[2];
    size_t pub[2];         /* bytes of c[side]'s output the peer may read (sent flights) */
    uint64_t t_start;      /* pair created */
    uint64_t t_sent[2][2]; /* [side][flight]: flight complete, handed to the peer */
    uint64_t t_done[2];    /* eng_feed first returned ENG_DONE; 0 = not yet */
} bl_pair;

typedef struct loop {
    const bl_cfg *cfg;
    bl_result *res;
    sched *s;
    bl_pair *p;
    uint64_t open, close; /* window [open, close) in TSC */
    int counting;         /* the window is open */
    uint64_t rng;
    sched_kind_stats st0[ENG_OP_KINDS]; /* counters when the window opened */
} loop;

static uint64_t rnd(loop *L)
{
    /* xorshift64*: sampling decisions only, nothing secret */
    L->rng ^= L->rng >> 12;
    L->rng ^= L->rng << 25;
    L->rng ^= L->rng >> 27;
    return L->rng * 0x2545f4914f6cdd1dull;
}

/* Reservoir sampling (Vitter's algorithm R): every sample offered is kept with equal
 * probability, so percentiles over a long window are not biased towards its start. */
static void sample(loop *L, enum bl_lat k, uint64_t v)
{
    bl_result *r = L->res;
    size_t cap = L->cfg->max_samples;
    uint64_t seen = ++r->seen[k];
    if (!cap) return;
    if (r->nlat[k] < cap) {
        r->lat[k][r->nlat[k]++] = v;
        return;
    }
    uint64_t j = rnd(L) % seen;
    if (j < cap) r->lat[k][j] = v;
}

static void charge(loop *L, int side, uint64_t t0, uint64_t t1)
{
    if (L->counting && t0 >= L->open) L->res->side_tsc[side] += t1 - t0;
}

static int pair_new(loop *L, bl_pair *p)
{
    memset(p, 0, sizeof *p);
    uint64_t t0 = sched_tsc();
    p->c[ENG_SERVER] = eng_conn_new(L->cfg->server, NULL);
    uint64_t t1 = sched_tsc();
    p->c[ENG_CLIENT] = eng_conn_new(L->cfg->client, L->cfg->servername);
    uint64_t t2 = sched_tsc();
    charge(L, ENG_SERVER, t0, t1);
    charge(L, ENG_CLIENT, t1, t2);
    p->st[0] = p->st[1] = ENG_WANT_READ;
    p->feed[ENG_CLIENT] = 1;
    p->t_start = t2;
    return p->c[0] && p->c[1] ? 0 : -1;
}

static void pair_free(loop *L, bl_pair *p)
{
    uint64_t t0 = sched_tsc();
    eng_conn_free(p->c[ENG_SERVER]);
    uint64_t t1 = sched_tsc();
    eng_conn_free(p->c[ENG_CLIENT]);
    uint64_t t2 = sched_tsc();
    charge(L, ENG_SERVER, t0, t1);
    charge(L, ENG_CLIENT, t1, t2);
    p->c[0] = p->c[1] = NULL;
}

/* Feeds side r of pair i until it parks on an unfinished op or has nothing to read. Returns
 * whether anything happened; -1 when the scheduler refused an op (a bug: fatal for the run). */
static int pump(loop *L, unsigned i, int r)
{
    bl_pair *p = &L->p[i];
    eng_conn *c = p->c[r], *peer = p->c[!r];
    int progress = 0;
    for (;;) {
        if (p->parked[r]) {
            if (eng_pending_op(c)) break; /* its batch has not run yet */
            p->parked[r] = 0;
            p->feed[r] = 1;
        }
        size_t avail = p->pub[!r];
        if (p->st[r] < 0 || (!p->feed[r] && avail == 0)) break;
        size_t n;
        const uint8_t *in = eng_out_peek(peer, &n);
        size_t used = avail;
        uint64_t t0 = sched_tsc();
        int st = eng_feed(c, avail ? in : NULL, &used);
        uint64_t t1 = sched_tsc();
        charge(L, r, t0, t1);
        if (used) {
            eng_out_consume(peer, used);
            p->pub[!r] -= used;
        }
        int fed = p->feed[r];
        p->feed[r] = 0;
        p->st[r] = st;
        /* input taken or a completed op resumed: a feed that did neither changed nothing */
        if (used || fed) progress = 1;
        if (st == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c);
            if (!op || sched_submit(L->s, op, (uintptr_t)i * 2 + (uintptr_t)r) < 0) return -1;
            p->parked[r] = 1;
            progress = 1;
            continue; /* a full set (or an inline RSA op) may have completed it already */
        }
        /* nothing pending: whatever was written is a whole flight (or a fatal alert) */
        eng_out_peek(c, &n);
        if (n > p->pub[r]) {
            progress = 1;
            p->pub[r] = n;
            if (p->flights[r] < 2) p->t_sent[r][p->flights[r]] = t1;
            p->flights[r]++;
        }
        if (st == ENG_DONE && !p->t_done[r]) p->t_done[r] = t1;
        if (!used) break;
    }
    return progress;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* A pair whose sides are both done, or one of which failed, is accounted and replaced. */
static int settle(loop *L, unsigned i, uint64_t now)
{
    bl_pair *p = &L->p[i];
    int failed = p->st[ENG_SERVER] < 0 || p->st[ENG_CLIENT] < 0;
    int done = p->t_done[ENG_SERVER] && p->t_done[ENG_CLIENT] && !p->pub[0] && !p->pub[1];
    if (!failed && !done) return 0;
    /* a side still parked (its peer failed meanwhile) cannot be freed under the scheduler */
    if (p->parked[ENG_SERVER] || p->parked[ENG_CLIENT]) return 0;
    bl_result *r = L->res;
    if (L->counting && now >= L->open) {
        if (failed) {
            r->failed++;
            if (!r->first_error[0]) {
                int bad = p->st[ENG_SERVER] < 0 ? ENG_SERVER : ENG_CLIENT;
                snprintf(r->first_error, sizeof r->first_error, "%s: %s",
                         bad == ENG_SERVER ? "server" : "client", eng_conn_errmsg(p->c[bad]));
            }
        } else {
            r->handshakes++;
            sample(L, BL_LAT_S_HELLO, p->t_sent[ENG_SERVER][0] - p->t_sent[ENG_CLIENT][0]);
            sample(L, BL_LAT_S_FINISHED, p->t_sent[ENG_SERVER][1] - p->t_sent[ENG_CLIENT][1]);
            sample(L, BL_LAT_C_KEYX, p->t_sent[ENG_CLIENT][1] - p->t_sent[ENG_SERVER][0]);
            sample(L, BL_LAT_C_FINISHED, p->t_done[ENG_CLIENT] - p->t_sent[ENG_SERVER][1]);
            sample(L, BL_LAT_FULL,
                   max64(p->t_done[ENG_CLIENT], p->t_done[ENG_SERVER]) - p->t_start);
        }
    }
    pair_free(L, p);
    return pair_new(L, p) == 0 ? 1 : -1;
}

static void drain(loop *L)
{
    uint64_t tsc;
    uintptr_t tag;
    int counting = L->counting;
    while (sched_next_done(L->s, &tsc, &tag) != NULL) {
        if (!counting) continue;
        int side = (int)(tag & 1);
        L->res->side_tsc[side] += tsc;
        L->res->kernel_tsc[side] += tsc;
    }
}

static void open_window(loop *L, uint64_t now)
{
    L->counting = 1;
    L->open = now;
    L->close = now + L->cfg->window_tsc;
    if (L->close < now) L->close = UINT64_MAX;
    for (int k = 1; k < ENG_OP_KINDS; k++)
        L->st0[k] = *sched_stats(L->s, k);
}

static void close_window(loop *L, uint64_t now)
{
    bl_result *r = L->res;
    r->window_tsc = now - L->open;
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const sched_kind_stats *a = sched_stats(L->s, k), *b = &L->st0[k];
        sched_kind_stats *d = &r->st[k];
        d->impl = a->impl;
        d->lanes = a->lanes;
        d->calls = a->calls - b->calls;
        d->ops = a->ops - b->ops;
        d->full = a->full - b->full;
        d->deadline = a->deadline - b->deadline;
        d->forced = a->forced - b->forced;
        d->failed = a->failed - b->failed;
        d->tsc = a->tsc - b->tsc;
    }
}

/* see bench_loop.h */
int bl_run(const bl_cfg *cfg, bl_result *res, char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    memset(res, 0, sizeof *res);
    if (!cfg->client || !cfg->server || cfg->inflight < 1) {
        snprintf(err, errlen, "bench loop: needs client and server configurations and >= 1 pair");
        return -1;
    }
    loop L = {.cfg = cfg, .res = res, .rng = cfg->seed | 1};
    int rc = -1;
    const unsigned n = cfg->inflight;
    for (int k = 0; k < BL_LAT_KINDS && cfg->max_samples; k++) {
        res->lat[k] = malloc(cfg->max_samples * sizeof *res->lat[k]);
        if (!res->lat[k]) {
            snprintf(err, errlen, "bench loop: out of memory (latency samples)");
            goto out;
        }
    }
    /* allocated here, on the worker that runs the loop: first touch places it on its node */
    L.p = calloc(n, sizeof *L.p);
    L.s = sched_new(&cfg->sched, err, errlen);
    if (!L.p || !L.s) {
        if (!L.p) snprintf(err, errlen, "bench loop: out of memory (%u pairs)", n);
        goto out;
    }
    for (unsigned i = 0; i < n; i++)
        if (pair_new(&L, &L.p[i]) != 0) {
            snprintf(err, errlen, "bench loop: eng_conn_new failed");
            goto out;
        }
    uint64_t start = sched_tsc();
    uint64_t warm_end = start + cfg->warmup_tsc;
    if (warm_end < start) warm_end = UINT64_MAX;
    if (cfg->warmup_tsc == 0) open_window(&L, start);
    for (;;) {
        int progress = 0;
        for (unsigned i = 0; i < n; i++) {
            int a = pump(&L, i, ENG_CLIENT), b = pump(&L, i, ENG_SERVER);
            if (a < 0 || b < 0) {
                snprintf(err, errlen, "bench loop: the scheduler refused an op");
                goto out;
            }
            progress |= a | b;
        }
        drain(&L);
        uint64_t now = sched_tsc();
        for (unsigned i = 0; i < n; i++) {
            int s = settle(&L, i, now);
            if (s < 0) {
                snprintf(err, errlen, "bench loop: eng_conn_new failed");
                goto out;
            }
            progress |= s;
        }
        res->rounds += L.counting;
        if (!L.counting && now >= warm_end) open_window(&L, now);
        if (L.counting &&
            (now >= L.close || (cfg->max_handshakes && res->handshakes >= cfg->max_handshakes))) {
            /* settle() above may have charged work done after `now`: close at a fresh
             * timestamp so the window contains everything charged to it */
            close_window(&L, sched_tsc());
            L.counting = 0;
            break;
        }
        if (!progress) {
            if (sched_queued(L.s) == 0) {
                snprintf(err, errlen, "bench loop: no pair can progress and no op is queued");
                goto out;
            }
            sched_flush(L.s, now, 1);
            res->forced_flushes += L.counting;
        } else if (sched_queued(L.s) && sched_deadline(L.s) <= now) {
            sched_flush(L.s, now, 0);
        }
        drain(&L);
    }
    rc = 0;
out:
    if (L.s) {
        /* ops still queued point into connections about to be freed: run them first */
        sched_flush(L.s, 0, 1);
        while (sched_next_done(L.s, NULL, NULL)) {
        }
    }
    if (L.p)
        for (unsigned i = 0; i < n; i++) {
            L.counting = 0;
            eng_conn_free(L.p[i].c[0]);
            eng_conn_free(L.p[i].c[1]);
        }
    free(L.p);
    sched_free(L.s);
    if (rc != 0) bl_result_free(res);
    return rc;
}

/* see bench_loop.h */
void bl_result_free(bl_result *res)
{
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        free(res->lat[k]);
        res->lat[k] = NULL;
        res->nlat[k] = 0;
    }
}
