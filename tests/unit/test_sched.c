/* test_sched.c — the batch scheduler (engine/sched_batch.c) and the worker team
 * (engine/workers.c).
 *   (a) synthetic ops: full sets run at once, partial sets only on deadline or force, the
 *       statistics, outputs equal to the 1-lane scalar kernels for every kind, one invalid
 *       input in a batch fails exactly its op; with the selected kernels and with 4-lane test
 *       wrappers around the scalar ones (so P-256 batching is exercised even where only the
 *       scalar P-256 kernel exists).
 *   (b) in-memory batched handshakes: 32 client/server pairs on one scheduler, every suite and
 *       group, parked ops batched, forced flushes when nothing else can move.
 *   (c) the same on a two-worker OpenMP team pinned with hwloc, results merged afterwards. */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "eng.h"
#include "sched_batch.h"
#include "th.h"
#include "sched_ops.h"
#include "tls_pair.h"
#include "workers.h"



/* ---- 4-lane test wrappers around the scalar kernels (log every call's n) ---------------- */
#define WL 4
static unsigned log_n[256], log_len;
static void note_call(unsigned n)
{
    CHECKF(n >= 1 && n <= WL, "kernel called with n=%u", n);
    if (log_len < 256) log_n[log_len] = n;
    log_len++;
}
static uint32_t w_x_keygen(uint8_t pub[][32], const uint8_t priv[][32], unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= xs->keygen(&pub[i], &priv[i], 1) << i;
    return bad;
}
static uint32_t w_x_derive(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][32],
                           unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= xs->derive(&out[i], &priv[i], &peer[i], 1) << i;
    return bad;
}
static uint32_t w_p_keygen(uint8_t pub[][65], const uint8_t priv[][32], unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= ps->keygen(&pub[i], &priv[i], 1) << i;
    return bad;
}
static uint32_t w_p_derive(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][65],
                           unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= ps->derive(&out[i], &priv[i], &peer[i], 1) << i;
    return bad;
}
static uint32_t w_p_sign(uint8_t sig[][64], const uint8_t priv[][32], const uint8_t hash[][32],
                         const uint8_t extra[][32], unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= ps->sign(&sig[i], &priv[i], &hash[i], extra ? &extra[i] : NULL, 1) << i;
    return bad;
}
static uint32_t w_p_verify(const uint8_t pub[][65], const uint8_t hash[][32],
                           const uint8_t sig[][64], unsigned n)
{
    note_call(n);
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= ps->verify(&pub[i], &hash[i], &sig[i], 1) << i;
    return bad;
}
static const cd_x25519 x_w4 = {"x4-test", WL, 0, w_x_keygen, w_x_derive};
static const cd_p256 p_w4 = {"x4-test", WL, 0, w_p_keygen, w_p_derive, w_p_sign, w_p_verify,
                             NULL, NULL, NULL};
static const cd_x25519 x_w17 = {"x17-test", 17, 0, w_x_keygen, w_x_derive};

static sched *new_sched(const cd_x25519 *x, const cd_p256 *p, uint64_t max_wait)
{
    char err[200] = "";
    sched_cfg cfg = {max_wait, x, p};
    sched *s = sched_new(&cfg, err, sizeof err);
    CHECKF(s != NULL, "sched_new: %s", err);
    return s;
}

/* ---- synthetic ops ---------------------------------------------------------------------- */
/* The tag an op is submitted with: derived from its address so a mix-up shows. */
#define TAG_OF(op) ((uintptr_t)(op) ^ 0x5a5a5a5au)

/* Drains the completed list; every op must be in ops[0..n) and come back once. Returns the
 * number drained. */
static unsigned drain(sched *s, sop *ops, unsigned n, unsigned char *seen)
{
    unsigned got = 0;
    eng_op *op;
    uintptr_t tag;
    while ((op = sched_next_done(s, NULL, &tag)) != NULL) {
        CHECKF(tag == TAG_OF(op), "op came back with another op's tag");
        long i = (sop *)(void *)op - ops;
        CHECKF(i >= 0 && (unsigned long)i < n, "unknown op came back");
        if (i < 0 || (unsigned long)i >= n) continue;
        CHECKF(!seen[i], "op %ld came back twice", i);
        seen[i] = 1;
        got++;
    }
    return got;
}

static const eng_op_kind batch_kinds[] = {ENG_OP_X25519_KEYGEN, ENG_OP_X25519_DERIVE,
                                          ENG_OP_P256_KEYGEN,   ENG_OP_P256_DERIVE,
                                          ENG_OP_P256_SIGN,     ENG_OP_P256_VERIFY};
#define NKINDS (sizeof batch_kinds / sizeof *batch_kinds)

static unsigned lanes_of(const sched *s, eng_op_kind k)
{
    return sched_stats(s, k)->lanes;
}

/* A full lane set runs inside the submit that fills it, not before; ops come back in order. */
static void full_sets(const cd_x25519 *x, const cd_p256 *p)
{
    for (size_t ki = 0; ki < NKINDS; ki++) {
        eng_op_kind k = batch_kinds[ki];
        sched *s = new_sched(x, p, UINT64_MAX);
        if (!s) return;
        unsigned L = lanes_of(s, k);
        sop *ops = calloc(L, sizeof *ops);
        unsigned char seen[SCHED_MAX_LANES] = {0};
        for (unsigned i = 0; i < L; i++)
            mk_op(&ops[i], k, 0, 1);
        for (unsigned i = 0; i + 1 < L; i++) {
            CHECK_EQ(sched_submit(s, &ops[i].op, TAG_OF(&ops[i].op)), 0);
            CHECK_EQ(sched_queued(s), i + 1);
            CHECK(sched_next_done(s, NULL, NULL) == NULL);
            CHECK_EQ(ops[i].op.done, 0);
        }
        CHECK(sched_flush(s, sched_tsc(), 0) == 0); /* deadline far away: nothing runs */
        CHECK_EQ(sched_submit(s, &ops[L - 1].op, TAG_OF(&ops[L - 1].op)), (int)L);
        CHECK_EQ(sched_queued(s), 0);
        for (unsigned i = 0; i < L; i++) {
            uint64_t t = 0;
            uintptr_t tag = 0;
            eng_op *op = sched_next_done(s, &t, &tag);
            CHECKF(op == &ops[i].op, "%s: op %u out of order", eng_op_name(k), i);
            CHECK(tag == TAG_OF(op));
            check_op(&ops[i], "full set");
        }
        CHECK(sched_next_done(s, NULL, NULL) == NULL);
        const sched_kind_stats *st = sched_stats(s, k);
        CHECK_EQ(st->calls, 1);
        CHECK_EQ(st->full, 1);
        CHECK_EQ(st->ops, L);
        CHECK_EQ(st->deadline + st->forced, 0);
        CHECK(st->tsc > 0);
        (void)seen;
        free(ops);
        sched_free(s);
    }
}

static void t_full_sets_selected(void)
{
    full_sets(NULL, NULL);
}
static void t_full_sets_w4(void)
{
    log_len = 0;
    full_sets(&x_w4, &p_w4);
    /* every call (6 kinds, one set each) ran on all four lanes */
    CHECK_EQ(log_len, NKINDS);
    for (unsigned i = 0; i < log_len && i < 256; i++)
        CHECK_EQ(log_n[i], WL);
}

/* Partial sets run only when their oldest op reaches max_wait, or when forced. */
static void t_partial_deadline_force(void)
{
    const uint64_t W = 1ull << 40; /* minutes of TSC: real time never reaches it here */
    sched *s = new_sched(&x_w4, &p_w4, W);
    if (!s) return;
    sop o[8];
    unsigned char seen[8] = {0};
    CHECK(sched_deadline(s) == UINT64_MAX);
    uint64_t t0 = sched_tsc();
    mk_op(&o[0], ENG_OP_X25519_KEYGEN, 0, 1);
    mk_op(&o[1], ENG_OP_X25519_KEYGEN, 0, 1);
    CHECK_EQ(sched_submit(s, &o[0].op, TAG_OF(&o[0].op)), 0);
    CHECK_EQ(sched_submit(s, &o[1].op, TAG_OF(&o[1].op)), 0);
    uint64_t d = sched_deadline(s);
    CHECK(d >= t0 + W && d <= sched_tsc() + W);
    log_len = 0;
    CHECK_EQ(sched_flush(s, sched_tsc(), 0), 0);
    CHECK_EQ(sched_flush(s, d - 1, 0), 0);
    CHECK_EQ(o[0].op.done, 0);
    CHECK_EQ(sched_flush(s, d, 0), 2);
    CHECK_EQ(log_len, 1);
    CHECK_EQ(log_n[0], 2);
    CHECK_EQ(drain(s, o, 8, seen), 2);
    check_op(&o[0], "deadline");
    check_op(&o[1], "deadline");
    CHECK_EQ(sched_stats(s, ENG_OP_X25519_KEYGEN)->deadline, 1);

    /* one op of another kind: runs only when forced */
    mk_op(&o[2], ENG_OP_P256_SIGN, 0, 1);
    CHECK_EQ(sched_submit(s, &o[2].op, TAG_OF(&o[2].op)), 0);
    CHECK_EQ(sched_flush(s, sched_tsc(), 0), 0);
    CHECK_EQ(sched_flush(s, 0, 1), 1);
    CHECK_EQ(log_n[1], 1);
    CHECK_EQ(drain(s, o, 8, seen), 1);
    check_op(&o[2], "forced");
    CHECK_EQ(sched_stats(s, ENG_OP_P256_SIGN)->forced, 1);
    CHECK(sched_deadline(s) == UINT64_MAX);
    CHECK_EQ(sched_flush(s, 0, 1), 0); /* nothing queued */
    sched_free(s);

    /* max_wait 0: every flush runs every partial set */
    s = new_sched(&x_w4, &p_w4, 0);
    if (!s) return;
    mk_op(&o[3], ENG_OP_P256_VERIFY, 0, 1);
    mk_op(&o[4], ENG_OP_X25519_DERIVE, 0, 1);
    CHECK_EQ(sched_submit(s, &o[3].op, TAG_OF(&o[3].op)), 0);
    CHECK_EQ(sched_submit(s, &o[4].op, TAG_OF(&o[4].op)), 0);
    CHECK_EQ(sched_flush(s, 0, 0), 2);
    CHECK_EQ(drain(s, o, 8, seen), 2);
    check_op(&o[3], "max_wait 0");
    check_op(&o[4], "max_wait 0");
    sched_free(s);
}

/* calls / ops / occupancy: two full sets and one partial of two on a 4-lane kernel. */
static void t_occupancy_stats(void)
{
    sched *s = new_sched(&x_w4, &p_w4, UINT64_MAX);
    if (!s) return;
    sop o[10];
    unsigned char seen[10] = {0};
    for (int i = 0; i < 10; i++) {
        mk_op(&o[i], ENG_OP_P256_DERIVE, 0, 1);
        CHECK(sched_submit(s, &o[i].op, TAG_OF(&o[i].op)) >= 0);
    }
    CHECK_EQ(sched_queued(s), 2);
    CHECK_EQ(sched_flush(s, 0, 1), 2);
    CHECK_EQ(drain(s, o, 10, seen), 10);
    for (int i = 0; i < 10; i++)
        check_op(&o[i], "occupancy");
    const sched_kind_stats *st = sched_stats(s, ENG_OP_P256_DERIVE);
    CHECK_EQ(st->calls, 3);
    CHECK_EQ(st->ops, 10);
    CHECK_EQ(st->full, 2);
    CHECK_EQ(st->forced, 1);
    CHECK_EQ(st->failed, 0);
    CHECK(sched_occupancy(st) > 3.33 && sched_occupancy(st) < 3.34);
    CHECK(!strcmp(st->impl, "x4-test"));
    CHECK_EQ(st->lanes, 4);
    /* kinds that never ran */
    CHECK_EQ(sched_stats(s, ENG_OP_X25519_KEYGEN)->calls, 0);
    CHECK(sched_occupancy(sched_stats(s, ENG_OP_X25519_KEYGEN)) == 0.0);
    CHECK(sched_stats(s, ENG_OP_NONE) == NULL);
    CHECK(sched_stats(s, ENG_OP_KINDS) == NULL);
    /* merging two workers' counters */
    sched_kind_stats m = {0};
    sched_stats_add(&m, st);
    sched_stats_add(&m, st);
    CHECK_EQ(m.calls, 6);
    CHECK_EQ(m.ops, 20);
    CHECK(!strcmp(m.impl, "x4-test"));
    /* the kernel-time shares of one call add up to the call's time */
    sched_free(s);
    s = new_sched(&x_w4, &p_w4, UINT64_MAX);
    uint64_t sum = 0, t;
    for (int i = 0; i < 3; i++) {
        mk_op(&o[i], ENG_OP_P256_KEYGEN, 0, 1);
        sched_submit(s, &o[i].op, TAG_OF(&o[i].op));
    }
    sched_flush(s, 0, 1);
    for (eng_op *op; (op = sched_next_done(s, &t, NULL)) != NULL;)
        sum += t;
    CHECK_EQ(sum, sched_stats(s, ENG_OP_P256_KEYGEN)->tsc);
    sched_free(s);
}

/* Every kind, interleaved, several sets each (full and partial): each op's output equals the
 * scalar kernel's at n = 1. */
static void every_kind_equals_scalar(const cd_x25519 *x, const cd_p256 *p, const char *what)
{
    sched *s = new_sched(x, p, UINT64_MAX);
    if (!s) return;
    enum { PER = 2 * SCHED_MAX_LANES + 3 };
    unsigned n = (unsigned)NKINDS * PER;
    sop *o = calloc(n, sizeof *o);
    unsigned char *seen = calloc(n, 1);
    unsigned got = 0;
    for (unsigned i = 0; i < n; i++) {
        mk_op(&o[i], batch_kinds[i % NKINDS], 0, 1);
        int r = sched_submit(s, &o[i].op, TAG_OF(&o[i].op));
        CHECK(r >= 0);
        got += drain(s, o, n, seen);
    }
    CHECK(sched_flush(s, 0, 1) >= 0);
    got += drain(s, o, n, seen);
    CHECK_EQ(got, n);
    for (unsigned i = 0; i < n; i++)
        check_op(&o[i], what);
    for (size_t ki = 0; ki < NKINDS; ki++) {
        const sched_kind_stats *st = sched_stats(s, batch_kinds[ki]);
        CHECK_EQ(st->ops, PER);
        CHECK_EQ(st->calls, (PER + st->lanes - 1) / st->lanes);
        th_note("%s %-13s impl %-8s lanes %u: %llu calls, occupancy %.2f", what,
                eng_op_name(batch_kinds[ki]), st->impl, st->lanes, (unsigned long long)st->calls,
                sched_occupancy(st));
    }
    free(o);
    free(seen);
    sched_free(s);
}
static void t_equals_scalar_selected(void)
{
    every_kind_equals_scalar(NULL, NULL, "selected");
}
static void t_equals_scalar_w4(void)
{
    every_kind_equals_scalar(&x_w4, &p_w4, "w4");
}

/* One invalid input in a batch fails exactly that op, in every lane position. */
static void invalid_lane(const cd_x25519 *x, const cd_p256 *p, const char *what)
{
    static const eng_op_kind kinds[] = {ENG_OP_X25519_DERIVE, ENG_OP_P256_DERIVE,
                                        ENG_OP_P256_VERIFY};
    for (size_t ki = 0; ki < 3; ki++) {
        sched *s = new_sched(x, p, UINT64_MAX);
        if (!s) return;
        unsigned L = lanes_of(s, kinds[ki]);
        for (unsigned badl = 0; badl < L; badl++) {
            sop o[SCHED_MAX_LANES];
            unsigned char seen[SCHED_MAX_LANES] = {0};
            for (unsigned i = 0; i < L; i++) {
                mk_op(&o[i], kinds[ki], i == badl, 1);
                CHECK(sched_submit(s, &o[i].op, TAG_OF(&o[i].op)) >= 0);
            }
            CHECK_EQ(drain(s, o, L, seen), L);
            for (unsigned i = 0; i < L; i++) {
                CHECKF(o[i].op.failed == (i == badl), "%s %s: lane %u failed=%d (bad lane %u)",
                       what, eng_op_name(kinds[ki]), i, o[i].op.failed, badl);
                check_op(&o[i], what);
            }
        }
        CHECK_EQ(sched_stats(s, kinds[ki])->failed, L);
        sched_free(s);
    }
}
static void t_invalid_lane_selected(void)
{
    invalid_lane(NULL, NULL, "selected");
}
static void t_invalid_lane_w4(void)
{
    invalid_lane(&x_w4, &p_w4, "w4");
}

/* Signing ops with and without RFC 6979 §3.6 extra data in one set: two kernel calls, each
 * output as the scalar kernel gives it. */
static void t_sign_mixed_extra(void)
{
    sched *s = new_sched(&x_w4, &p_w4, UINT64_MAX);
    if (!s) return;
    sop o[4];
    unsigned char seen[4] = {0};
    for (int i = 0; i < 4; i++) {
        mk_op(&o[i], ENG_OP_P256_SIGN, 0, 1);
        if (i & 1) {
            o[i].op.c = NULL;
            ps->sign((uint8_t(*)[64])o[i].want, (c32)o[i].a, (c32)o[i].b, NULL, 1);
        }
    }
    log_len = 0;
    for (int i = 0; i < 4; i++)
        sched_submit(s, &o[i].op, TAG_OF(&o[i].op));
    CHECK_EQ(drain(s, o, 4, seen), 4);
    for (int i = 0; i < 4; i++)
        check_op(&o[i], "mixed extra");
    CHECK(memcmp(o[0].out, o[1].out, 64) != 0);
    CHECK_EQ(log_len, 2);
    CHECK_EQ(sched_stats(s, ENG_OP_P256_SIGN)->calls, 2);
    CHECK_EQ(sched_stats(s, ENG_OP_P256_SIGN)->ops, 4);
    sched_free(s);
}

static void t_bad_submissions(void)
{
    sched *s = new_sched(&x_w4, &p_w4, UINT64_MAX);
    if (!s) return;
    sop o;
    CHECK_EQ(sched_submit(s, NULL, 0), ENG_E_STATE);
    memset(&o, 0, sizeof o);
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), ENG_E_STATE); /* ENG_OP_NONE */
    o.op.kind = ENG_OP_KINDS;
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), ENG_E_STATE);
    mk_op(&o, ENG_OP_X25519_DERIVE, 0, 1);
    o.op.b = NULL;
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), ENG_E_STATE);
    mk_op(&o, ENG_OP_X25519_DERIVE, 0, 1);
    o.op.done = 1;
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), ENG_E_STATE);
    o.op.done = 0;
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), 0);
    CHECK_EQ(sched_submit(s, &o.op, TAG_OF(&o.op)), ENG_E_STATE); /* already queued */
    CHECK_EQ(sched_queued(s), 1);
    CHECK_EQ(sched_flush(s, 0, 1), 1);
    CHECK(sched_next_done(s, NULL, NULL) == &o.op);
    check_op(&o, "bad submissions");
    sched_free(s);
    sched_free(NULL);
    /* a kernel wider than a lane set can hold is refused with a reason */
    char err[200] = "";
    sched_cfg cfg = {0, &x_w17, NULL};
    CHECK(sched_new(&cfg, err, sizeof err) == NULL);
    CHECKF(strstr(err, "lane") != NULL, "err: %s", err);
}

/* ---- in-memory batched handshakes -------------------------------------------------------- */
#define BOX (64u << 10)
typedef struct bpair {
    eng_conn *c[2]; /* [ENG_SERVER], [ENG_CLIENT] */
    int st[2];
    int feed[2];        /* must be fed even without input (start, or its op completed) */
    eng_op *parked[2];  /* op submitted to the scheduler, not yet taken back */
    eng_op *last_op[2]; /* the last op submitted (each connection has one op slot) */
    uint8_t box[2][BOX];
    size_t len[2];
    uint16_t suite;
    const char *group;
    int tamper_cke; /* zero the client's X25519 point in its ClientKeyExchange */
    int ops;
} bpair;

/* Moves side r's output to the peer. */
static size_t bp_move(bpair *p, int r)
{
    size_t n;
    const uint8_t *o = eng_out_peek(p->c[r], &n);
    if (!n || p->len[!r] + n > BOX) return 0;
    uint8_t *dst = p->box[!r] + p->len[!r];
    memcpy(dst, o, n);
    if (p->tamper_cke && r == ENG_CLIENT) {
        /* RFC 8422 §5.7: ClientKeyExchange = ECPoint <1..255> in a plaintext record */
        size_t off = 0;
        for (; off + 5 + 4 + 1 + 32 <= n; off += 5 + ((size_t)dst[off + 3] << 8 | dst[off + 4])) {
            if (dst[off] == 22 && dst[off + 5] == 16 && dst[off + 9] == 32) {
                memset(dst + off + 10, 0, 32);
                p->tamper_cke = 0;
                break;
            }
        }
    }
    p->len[!r] += n;
    eng_out_consume(p->c[r], n);
    return n;
}

/* Feeds side r until it parks on an op that is not done yet, waits for input, or fails.
 * Parked ops go to the scheduler. Returns how much happened (0 = nothing). Sets *err on a
 * scheduler refusal. */
static int bp_pump(bpair *p, int r, sched *s, uintptr_t tag, int *err)
{
    int progress = 0;
    for (;;) {
        if (p->parked[r]) {
            if (!p->parked[r]->done) break;
            p->parked[r] = NULL;
            p->feed[r] = 1;
        }
        if (p->st[r] < 0 || (!p->feed[r] && p->len[r] == 0)) break;
        size_t n = p->len[r], used = n;
        int st = eng_feed(p->c[r], n ? p->box[r] : NULL, &used);
        memmove(p->box[r], p->box[r] + used, n - used);
        p->len[r] -= used;
        p->st[r] = st;
        int fed = p->feed[r];
        p->feed[r] = 0;
        size_t moved = bp_move(p, r);
        progress += (used || moved || fed);
        if (st == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(p->c[r]);
            if (!op || sched_submit(s, op, tag) < 0) {
                *err = 1;
                p->st[r] = -1;
                break;
            }
            p->ops++;
            p->parked[r] = p->last_op[r] = op;
            progress++;
            continue;
        }
        if (!used) break;
    }
    return progress;
}

typedef struct run_stats {
    int forced; /* flushes forced because nothing else could move */
    int rounds;
    int sched_err; /* submissions refused */
    int drained;   /* ops that came back from the scheduler */
} run_stats;

/* Drives all pairs to completion on one scheduler: pump every side, and when no pair can move,
 * force the partial sets. */
static void bp_run(bpair *ps_, int n, sched *s, run_stats *rs)
{
    memset(rs, 0, sizeof *rs);
    for (int round = 0; round < 100000; round++) {
        int progress = 0;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 2; k++)
                progress +=
                    bp_pump(&ps_[i], k ? ENG_SERVER : ENG_CLIENT, s,
                            (uintptr_t)i * 2 + (k ? ENG_SERVER : ENG_CLIENT), &rs->sched_err);
        uintptr_t tag;
        for (eng_op *op; (op = sched_next_done(s, NULL, &tag)) != NULL;) {
            /* the tag names the pair and side the op was parked by */
            if (tag / 2 >= (uintptr_t)n || ps_[tag / 2].last_op[tag % 2] != op) rs->sched_err++;
            rs->drained++;
        }
        rs->rounds++;
        if (progress) continue;
        if (sched_queued(s) == 0) break;
        sched_flush(s, sched_tsc(), 1);
        rs->forced++;
    }
}

static const uint16_t suites[6] = {0xC02B, 0xC02C, 0xC02F, 0xC030, 0x009C, 0x009D};
static const char *const groups[2] = {"x25519", "secp256r1"};
static eng_cfg *cli_cfg[6], *srv_cfg[2][2]; /* [ecdsa, rsa2048][group] */

static eng_cfg *load_srv(const char *kind, const char *group)
{
    char err[256] = "";
    eng_cfg *cfg = tp_server_cfg(kind);
    if (!cfg) return NULL;
    int rc = eng_cfg_set_groups(cfg, group, err, sizeof err);
    CHECKF(rc == 0, "server cfg %s/%s: %s", kind, group, err);
    if (rc) {
        eng_cfg_free(cfg);
        return NULL;
    }
    return cfg;
}

static int need_cfgs(void)
{
    if (!tp_certs()) {
        th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
        return 0;
    }
    if (cli_cfg[0]) return 1;
    char err[256] = "";
    for (int i = 0; i < 6; i++) {
        cli_cfg[i] = tp_client_cfg();
        if (!cli_cfg[i]) return 0;
        int rc = eng_cfg_set_suites(cli_cfg[i], eng_suite_name(suites[i], 1), err, sizeof err);
        CHECKF(rc == 0, "client cfg: %s", err);
        if (rc) return 0;
    }
    for (int g = 0; g < 2; g++) {
        srv_cfg[0][g] = load_srv("ecdsa-p256", groups[g]);
        srv_cfg[1][g] = load_srv("rsa2048", groups[g]);
        if (!srv_cfg[0][g] || !srv_cfg[1][g]) return 0;
    }
    return 1;
}

static void free_cfgs(void)
{
    for (int i = 0; i < 6; i++)
        eng_cfg_free(cli_cfg[i]);
    for (int g = 0; g < 2; g++) {
        eng_cfg_free(srv_cfg[0][g]);
        eng_cfg_free(srv_cfg[1][g]);
    }
}

static int is_ecdhe(uint16_t suite)
{
    return suite != 0x009C && suite != 0x009D;
}

/* Pair i of a run: suite i % 6, group (i / 6) % 2 (RSA key exchange ignores the group). */
static int bp_init(bpair *p, int i)
{
    memset(p, 0, sizeof *p);
    int si = i % 6, g = (i / 6) % 2;
    p->suite = suites[si];
    p->group = groups[g];
    p->c[ENG_CLIENT] = eng_conn_new(cli_cfg[si], "localhost");
    p->c[ENG_SERVER] = eng_conn_new(srv_cfg[si == 0 || si == 1 ? 0 : 1][g], NULL);
    p->st[0] = p->st[1] = ENG_WANT_READ;
    p->feed[ENG_CLIENT] = 1;
    return p->c[0] && p->c[1] ? 0 : -1;
}

static void bp_free(bpair *p)
{
    eng_conn_free(p->c[0]);
    eng_conn_free(p->c[1]);
}

/* Handshake complete on both sides with the expected parameters, and application data
 * protected under the negotiated keys arrives intact. Returns 0 when all is well. */
static int bp_verify(bpair *p)
{
    if (p->st[0] != ENG_DONE || p->st[1] != ENG_DONE || p->len[0] || p->len[1]) return -1;
    for (int r = 0; r < 2; r++) {
        eng_info in;
        if (eng_conn_info(p->c[r], &in) != 0 || in.suite != p->suite || !in.ems) return -2;
        if (is_ecdhe(p->suite) ? strcmp(in.group_name, p->group) : in.group != 0) return -3;
    }
    static const char msg[] = "batched hello";
    if (eng_write(p->c[ENG_CLIENT], (const uint8_t *)msg, sizeof msg) != (long)sizeof msg)
        return -4;
    bp_move(p, ENG_CLIENT);
    size_t used = p->len[ENG_SERVER];
    if (eng_feed(p->c[ENG_SERVER], p->box[ENG_SERVER], &used) != ENG_DONE) return -5;
    p->len[ENG_SERVER] = 0;
    char got[64] = "";
    if (eng_read(p->c[ENG_SERVER], (uint8_t *)got, sizeof got) != (long)sizeof msg) return -6;
    return memcmp(got, msg, sizeof msg) ? -7 : 0;
}

static int expected_ops(const bpair *p)
{
    /* + per side the key schedule (tls-keys) and the server's Finished (tls-finished) */
    return (is_ecdhe(p->suite) ? 6 : 2) + 4;
}

static void print_stats(const char *what, const sched *s, const sched_kind_stats *merged)
{
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const sched_kind_stats *st = s ? sched_stats(s, k) : &merged[k];
        if (!st->calls) continue;
        th_note("%s %-13s %-9s lanes %u: %4llu ops %4llu calls (full %llu, forced %llu, "
                "deadline %llu) occupancy %.2f, %.0f kcycles/op",
                what, eng_op_name(k), st->impl, st->lanes, (unsigned long long)st->ops,
                (unsigned long long)st->calls, (unsigned long long)st->full,
                (unsigned long long)st->forced, (unsigned long long)st->deadline,
                sched_occupancy(st), st->ops ? (double)st->tsc / (double)st->ops / 1e3 : 0.0);
    }
}

enum { NPAIRS = 32 };

static void batched(const cd_x25519 *x, const cd_p256 *p, const char *what)
{
    if (!need_cfgs()) return;
    bpair *pr = calloc(NPAIRS, sizeof *pr);
    sched *s = new_sched(x, p, UINT64_MAX); /* partial sets only when forced */
    if (!pr || !s) goto out;
    int want_ops = 0;
    for (int i = 0; i < NPAIRS; i++) {
        CHECK_EQ(bp_init(&pr[i], i), 0);
        want_ops += expected_ops(&pr[i]);
    }
    run_stats rs;
    bp_run(pr, NPAIRS, s, &rs);
    CHECK_EQ(rs.sched_err, 0);
    int ok = 0, ops = 0;
    for (int i = 0; i < NPAIRS; i++) {
        int v = bp_verify(&pr[i]);
        CHECKF(v == 0, "%s pair %d (%s %s): check %d, client %d (%s) server %d (%s)", what, i,
               eng_suite_name(pr[i].suite, 0), pr[i].group, v, pr[i].st[ENG_CLIENT],
               eng_conn_errmsg(pr[i].c[ENG_CLIENT]), pr[i].st[ENG_SERVER],
               eng_conn_errmsg(pr[i].c[ENG_SERVER]));
        ok += v == 0;
        CHECK_EQ(pr[i].ops, expected_ops(&pr[i]));
        ops += pr[i].ops;
    }
    CHECK_EQ(rs.drained, want_ops);
    uint64_t sops = 0;
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const sched_kind_stats *st = sched_stats(s, k);
        sops += st->ops;
        CHECK_EQ(st->failed, 0);
        /* ECDHE kinds batch whenever the kernel has lanes to fill: many handshakes park on
         * the same kind in the same round */
        if (st->lanes > 1 && (k == ENG_OP_X25519_KEYGEN || k == ENG_OP_X25519_DERIVE ||
                              k == ENG_OP_P256_KEYGEN || k == ENG_OP_P256_DERIVE ||
                              k == ENG_OP_TLS_KEYS || k == ENG_OP_TLS_FINISHED))
            CHECKF(sched_occupancy(st) > 1.0, "%s %s: occupancy %.2f with %u lanes", what,
                   eng_op_name(k), sched_occupancy(st), st->lanes);
        if (st->lanes == 1 && st->calls) CHECK(sched_occupancy(st) == 1.0);
    }
    CHECK_EQ(sops, want_ops);
    CHECK_EQ(sched_stats(s, ENG_OP_RSA)->calls, sched_stats(s, ENG_OP_RSA)->ops);
    th_note("%s: %d/%d handshakes, %d ops, %d rounds, %d forced flushes", what, ok, NPAIRS, ops,
            rs.rounds, rs.forced);
    print_stats(what, s, NULL);
out:
    if (pr)
        for (int i = 0; i < NPAIRS; i++)
            bp_free(&pr[i]);
    free(pr);
    sched_free(s);
}
static void t_batched_selected(void)
{
    batched(NULL, NULL, "selected");
}
static void t_batched_w4(void)
{
    batched(&x_w4, &p_w4, "w4");
}

/* A client whose X25519 public value is small-order, batched with healthy ones: only its
 * server's derive lane fails; that server refuses with illegal_parameter (RFC 8422 §5.11), the
 * others complete. */
static void t_batched_bad_peer(void)
{
    if (!need_cfgs()) return;
    enum { N = 8 };
    bpair *pr = calloc(N, sizeof *pr);
    sched *s = new_sched(NULL, NULL, UINT64_MAX);
    if (!pr || !s) goto out;
    for (int i = 0; i < N; i++) {
        bp_init(&pr[i], (i % 2) * 2); /* suites 0xC02B / 0xC02F, x25519 */
        pr[i].tamper_cke = i == 5;
    }
    run_stats rs;
    bp_run(pr, N, s, &rs);
    for (int i = 0; i < N; i++) {
        if (i == 5) {
            CHECKF(pr[i].st[ENG_SERVER] == ENG_E_ILLEGAL_PARAM, "server %d: %s",
                   pr[i].st[ENG_SERVER], eng_conn_errmsg(pr[i].c[ENG_SERVER]));
            CHECK_EQ(pr[i].st[ENG_CLIENT], ENG_E_PEER(ALERT_ILLEGAL_PARAMETER));
        } else {
            CHECKF(bp_verify(&pr[i]) == 0, "pair %d: %s / %s", i, eng_conn_errmsg(pr[i].c[0]),
                   eng_conn_errmsg(pr[i].c[1]));
        }
    }
    const sched_kind_stats *st = sched_stats(s, ENG_OP_X25519_DERIVE);
    CHECK_EQ(st->failed, 1);
    CHECK_EQ(st->ops, 2 * N); /* every client derives before sending its key, every server after */
    th_note("bad peer: x25519-derive %llu ops in %llu calls, %llu failed",
            (unsigned long long)st->ops, (unsigned long long)st->calls,
            (unsigned long long)st->failed);
out:
    if (pr)
        for (int i = 0; i < N; i++)
            bp_free(&pr[i]);
    free(pr);
    sched_free(s);
}

/* ---- the worker team ------------------------------------------------------------------ */
enum { WPAIRS = 12 };
typedef struct wres {
    _Alignas(WORKERS_CACHELINE) int ok, handshakes, cpu_before, cpu_after, pu, sched_err;
    int setup_err;
    sched_kind_stats st[ENG_OP_KINDS];
} wres;
typedef struct wctx {
    wres *res;
    int n;
} wctx;

static int worker_fn(const worker_info *w, void *arg)
{
    wctx *ctx = arg;
    wres *me = &ctx->res[w->id];
    me->pu = w->pu;
    me->cpu_before = sched_getcpu();
    /* per-worker memory, first touched here on the worker's own PU */
    bpair *pr = calloc(WPAIRS, sizeof *pr);
    sched *s = sched_new(NULL, NULL, 0);
    if (!pr || !s) {
        me->setup_err = 1;
        free(pr);
        sched_free(s);
        return 1;
    }
    for (int i = 0; i < WPAIRS; i++)
        bp_init(&pr[i], i + w->id * 5);
    run_stats rs;
    bp_run(pr, WPAIRS, s, &rs);
    for (int i = 0; i < WPAIRS; i++) {
        me->ok += bp_verify(&pr[i]) == 0;
        bp_free(&pr[i]);
    }
    me->handshakes = WPAIRS;
    me->sched_err = rs.sched_err;
    for (int k = 1; k < ENG_OP_KINDS; k++)
        me->st[k] = *sched_stats(s, k);
    me->cpu_after = sched_getcpu();
    free(pr);
    sched_free(s);
    return 0;
}

static void t_workers_two_pinned(void)
{
    if (!need_cfgs()) return;
    workers_topo t;
    char err[256] = "", line[512];
    CHECK_EQ(workers_topo_get(&t, err, sizeof err), 0);
    th_note("topology: %s", workers_topo_str(&t, line, sizeof line));
    int cpus[2], *cp = NULL;
    if (t.cores < 2) { /* one core: both workers on its PUs (or on the same PU) */
        cpus[0] = 0;
        cpus[1] = t.pus > 1 ? 1 : 0;
        cp = cpus;
        th_note("fewer than 2 cores: workers on PUs %d and %d", cpus[0], cpus[1]);
    }
    wres *res = aligned_alloc(WORKERS_CACHELINE, 2 * sizeof *res);
    memset(res, 0, 2 * sizeof *res);
    wctx ctx = {res, 2};
    workers_cfg cfg = {2, cp, 0};
    int rc = workers_run(&cfg, worker_fn, &ctx, err, sizeof err);
    CHECKF(rc == 0, "workers_run: %s", err);
    sched_kind_stats merged[ENG_OP_KINDS];
    memset(merged, 0, sizeof merged);
    int ok = 0;
    for (int w = 0; w < 2; w++) {
        CHECK_EQ(res[w].setup_err, 0);
        CHECK_EQ(res[w].sched_err, 0);
        CHECKF(res[w].ok == WPAIRS, "worker %d: %d of %d handshakes", w, res[w].ok, WPAIRS);
        CHECK(res[w].pu >= 0);
        /* the binding took: the thread ran on its PU when it started and when it finished */
        CHECKF(res[w].cpu_before == res[w].pu && res[w].cpu_after == res[w].pu,
               "worker %d bound to PU %d ran on %d / %d", w, res[w].pu, res[w].cpu_before,
               res[w].cpu_after);
        ok += res[w].ok;
        for (int k = 1; k < ENG_OP_KINDS; k++)
            sched_stats_add(&merged[k], &res[w].st[k]);
    }
    if (!cp) CHECK(res[0].pu != res[1].pu);
    uint64_t ops = 0;
    for (int k = 1; k < ENG_OP_KINDS; k++)
        ops += merged[k].ops;
    CHECK(ops > 0);
    th_note("2 workers on PUs %d and %d: %d handshakes", res[0].pu, res[1].pu, ok);
    print_stats("2 workers", NULL, merged);
    free(res);
}

static int fail_fn(const worker_info *w, void *arg)
{
    (void)arg;
    return w->id == 1 ? 7 : 0;
}
static int count_fn(const worker_info *w, void *arg)
{
    int *seen = arg;
    seen[w->id] = w->n; /* each worker writes only its own slot */
    return w->pu == -1 && w->core == -1 ? 0 : 1;
}

static void t_workers_errors(void)
{
    char err[256] = "";
    workers_topo t;
    CHECK_EQ(workers_topo_get(&t, err, sizeof err), 0);
    CHECK(t.pus >= 1 && t.cores >= 1 && t.cores <= t.pus);
    /* more workers than cores */
    workers_cfg c1 = {t.cores + 1, NULL, 0};
    CHECK_EQ(workers_run(&c1, fail_fn, NULL, err, sizeof err), -1);
    CHECKF(strstr(err, "cores") != NULL, "err: %s", err);
    /* a PU that does not exist */
    int bogus[1] = {100000};
    workers_cfg c2 = {1, bogus, 0};
    CHECK_EQ(workers_run(&c2, fail_fn, NULL, err, sizeof err), -1);
    CHECKF(strstr(err, "100000") != NULL, "err: %s", err);
    /* a worker that fails is named */
    int pus[2] = {0, 0};
    workers_cfg c3 = {2, pus, 0};
    CHECK_EQ(workers_run(&c3, fail_fn, NULL, err, sizeof err), -1);
    CHECKF(strstr(err, "worker 1 returned 7") != NULL, "err: %s", err);
    /* unpinned team larger than the machine */
    int seen[5] = {0};
    workers_cfg c4 = {5, NULL, 1};
    CHECKF(workers_run(&c4, count_fn, seen, err, sizeof err) == 0, "unpinned: %s", err);
    for (int i = 0; i < 5; i++)
        CHECK_EQ(seen[i], 5);
    workers_cfg c5 = {0, NULL, 0};
    CHECK_EQ(workers_run(&c5, count_fn, seen, err, sizeof err), -1);
}

int main(void)
{
    xs = cd_x25519_impls[cd_x25519_nimpls - 1];
    ps = cd_p256_impls[cd_p256_nimpls - 1];
    th_case("full_sets_selected_kernels", t_full_sets_selected);
    th_case("full_sets_4lane_wrappers", t_full_sets_w4);
    th_case("partial_sets_deadline_and_force", t_partial_deadline_force);
    th_case("occupancy_statistics", t_occupancy_stats);
    th_case("every_kind_equals_scalar_selected", t_equals_scalar_selected);
    th_case("every_kind_equals_scalar_4lane", t_equals_scalar_w4);
    th_case("invalid_lane_fails_one_op_selected", t_invalid_lane_selected);
    th_case("invalid_lane_fails_one_op_4lane", t_invalid_lane_w4);
    th_case("sign_mixed_extra", t_sign_mixed_extra);
    th_case("bad_submissions", t_bad_submissions);
    th_case("batched_handshakes_selected", t_batched_selected);
    th_case("batched_handshakes_4lane_p256", t_batched_w4);
    th_case("batched_bad_peer_fails_one_pair", t_batched_bad_peer);
    th_case("workers_two_pinned", t_workers_two_pinned);
    th_case("workers_errors", t_workers_errors);
    free_cfgs();
    return th_done();
}
