/* test_keysched_batch.c — the batched key schedule (engine/keysched_batch.c) and the batched
 * hash/HMAC jobs under it (engine/cd_ipsecmb.c, cd_hash_batch.h) against the one-at-a-time
 * functions (keysched.c, cd_hash, cd_hmac), whose own vectors are in test_keysched.c. Every
 * lane gets its own random inputs, so a result landing in the wrong lane fails. Sizes run from
 * 1 to past twice the scheduler's lane count and past the internal chunk sizes; hashes, EMS
 * and non-EMS, key-block lengths are mixed inside one batch as well. The whole file also runs
 * on the other hash manager (MBSHAKE_IPSECMB_HASH=auto: the AVX2 multi-lane code, 8 lanes,
 * where a lane mix-up inside ipsec-mb would show). The scheduler path (ENG_OP_TLS_KEYS and
 * ENG_OP_TLS_FINISHED through sched_submit) and eng_op_run are checked the same way. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cd_hash_batch.h"
#include "cd_hmac_key.h"
#include "keysched.h"
#include "keysched_batch.h"
#include "sched_batch.h"
#include "th.h"

#define MAXN 40 /* > 2 x SCHED_MAX_LANES, > the batch chunk (16) twice */

typedef struct lane_in {
    enum cd_hash h;
    uint8_t pms[48];
    size_t pmslen;
    uint8_t tr[3000];
    size_t tlen;
    int ems;
    uint8_t cr[32], sr[32];
    size_t kblen;
    int want_vd;
    uint8_t ms[48], kb[80], ref_ms[48], ref_kb[80], vd[13], ref_vd[12];
} lane_in;

static void lane_random(lane_in *l, int hmode, int emode)
{
    l->h = hmode == 2 ? (th_rnd_below(2) ? CD_SHA384 : CD_SHA256) : (hmode ? CD_SHA384 : CD_SHA256);
    l->ems = emode == 2 ? (int)th_rnd_below(2) : emode;
    l->pmslen = th_rnd_below(2) ? 32 : 48;
    th_rnd_bytes(l->pms, sizeof l->pms);
    l->tlen = 200 + th_rnd_below(sizeof l->tr - 200);
    th_rnd_bytes(l->tr, l->tlen);
    th_rnd_bytes(l->cr, 32);
    th_rnd_bytes(l->sr, 32);
    l->kblen = th_rnd_below(2) ? 40 : 72; /* AES-128-GCM, AES-256-GCM */
    l->want_vd = th_rnd_below(4) != 0;
    memset(l->ms, 0xee, sizeof l->ms);
    memset(l->kb, 0xee, sizeof l->kb);
    memset(l->vd, 0xee, sizeof l->vd);
    /* the reference: exactly what hs_derive_keys and the client Finished computed one
     * handshake at a time */
    uint8_t sh[CD_HASH_MAX];
    cd_hash(l->h, l->tr, l->tlen, sh);
    if (l->ems)
        ks_extended_master_secret(l->h, l->pms, l->pmslen, sh, cd_hash_len(l->h), l->ref_ms);
    else
        ks_master_secret(l->h, l->pms, l->pmslen, l->cr, l->sr, l->ref_ms);
    ks_key_block(l->h, l->ref_ms, l->sr, l->cr, l->ref_kb, l->kblen);
    ks_verify_data(l->h, l->ref_ms, 1, sh, cd_hash_len(l->h), l->ref_vd);
}

static ks_keys_req lane_req(lane_in *l)
{
    const int t = l->ems || l->want_vd;
    return (ks_keys_req){
        l->h,  l->pms, l->pmslen, t ? l->tr : NULL, t ? l->tlen : 0,          l->ems, l->cr,
        l->sr, l->ms,  l->kb,     l->kblen,         l->want_vd ? l->vd : NULL};
}

static int lane_check(const lane_in *l, const char *what, unsigned n, unsigned i)
{
    int ok = !memcmp(l->ms, l->ref_ms, 48) && !memcmp(l->kb, l->ref_kb, l->kblen) &&
             l->kb[l->kblen] == 0xee &&
             (l->want_vd ? !memcmp(l->vd, l->ref_vd, 12) : l->vd[0] == 0xee) && l->vd[12] == 0xee;
    CHECKF(ok,
           "%s: n %u lane %u (%s, %s, kb %zu, vd %d) differs from the one-at-a-time key "
           "schedule",
           what, n, i, l->h == CD_SHA384 ? "SHA-384" : "SHA-256", l->ems ? "EMS" : "RFC 5246",
           l->kblen, l->want_vd);
    return ok;
}

static lane_in L_[MAXN];

/* every n from 1 to MAXN, for each hash and EMS mode, then both mixed in one batch */
static void t_keys_many(void)
{
    unsigned cases = 0;
    for (int hmode = 0; hmode < 3; hmode++)
        for (int emode = 0; emode < 3; emode++)
            for (unsigned n = 1; n <= MAXN; n += (hmode == 2 && emode == 2) ? 1 : 3) {
                ks_keys_req q[MAXN];
                for (unsigned i = 0; i < n; i++) {
                    lane_random(&L_[i], hmode, emode);
                    q[i] = lane_req(&L_[i]);
                }
                CHECK_EQ(ks_tls_keys_many(q, n), 0);
                for (unsigned i = 0; i < n; i++)
                    cases += lane_check(&L_[i], "ks_tls_keys_many", n, i);
            }
    th_note("%u batched key schedules equal the one-at-a-time ones", cases);
}

/* refused requests fail alone; their neighbours are still computed */
static void t_keys_refused(void)
{
    ks_keys_req q[5];
    for (unsigned i = 0; i < 5; i++) {
        lane_random(&L_[i], 2, 2);
        q[i] = lane_req(&L_[i]);
    }
    q[1].h = CD_SHA512;
    q[3].kblen = 2000;
    CHECK_EQ(ks_tls_keys_many(q, 5), (1u << 1) | (1u << 3));
    lane_check(&L_[0], "refused neighbour", 5, 0);
    lane_check(&L_[2], "refused neighbour", 5, 2);
    lane_check(&L_[4], "refused neighbour", 5, 4);
}

/* ks_finished_many against ks_verify_data over cd_hash of the transcript */
static void t_finished_many(void)
{
    static uint8_t ms[MAXN][48], tr[MAXN][3000], vd[MAXN][13], ref[12], hh[CD_HASH_MAX];
    unsigned cases = 0;
    for (unsigned n = 1; n <= MAXN; n++) {
        ks_fin_req q[MAXN];
        for (unsigned i = 0; i < n; i++) {
            size_t tlen = th_rnd_below(sizeof tr[i]);
            th_rnd_bytes(ms[i], 48);
            th_rnd_bytes(tr[i], tlen);
            memset(vd[i], 0xee, sizeof vd[i]);
            q[i] = (ks_fin_req){th_rnd_below(2) ? CD_SHA384 : CD_SHA256,
                                ms[i],
                                (int)th_rnd_below(2),
                                tr[i],
                                tlen,
                                vd[i]};
        }
        CHECK_EQ(ks_finished_many(q, n), 0);
        for (unsigned i = 0; i < n; i++) {
            cd_hash(q[i].h, tr[i], q[i].tlen, hh);
            ks_verify_data(q[i].h, ms[i], q[i].client, hh, cd_hash_len(q[i].h), ref);
            int ok = !memcmp(vd[i], ref, 12) && vd[i][12] == 0xee;
            CHECKF(ok, "ks_finished_many: n %u lane %u differs from ks_verify_data", n, i);
            cases += ok;
        }
    }
    ks_fin_req bad = {CD_SHA512, ms[0], 1, tr[0], 10, vd[0]};
    CHECK_EQ(ks_finished_many(&bad, 1), 1);
    th_note("%u batched Finished computations equal the one-at-a-time ones", cases);
}

/* ks_prf_many against ks_prf: random secrets (some longer than a block), labels, seeds, sizes */
static void t_prf_many(void)
{
    static const char *labels[] = {"master secret", "key expansion", "client finished", "x", ""};
    static uint8_t secret[MAXN][200], seed[MAXN][100], out[MAXN][300], ref[300];
    unsigned cases = 0;
    for (unsigned n = 1; n <= MAXN; n++) {
        ks_prf_req q[MAXN];
        for (unsigned i = 0; i < n; i++) {
            size_t slen = th_rnd_below(2) ? 48 : th_rnd_below(200);
            size_t n1 = th_rnd_below(50), n2 = th_rnd_below(50);
            const char *label = labels[th_rnd_below(5)];
            if (!*label && n1 == 0) n1 = 1;
            th_rnd_bytes(secret[i], slen);
            th_rnd_bytes(seed[i], n1 + n2);
            q[i] = (ks_prf_req){th_rnd_below(2) ? CD_SHA384 : CD_SHA256,
                                secret[i],
                                slen,
                                label,
                                seed[i],
                                n2 ? seed[i] + n1 : NULL,
                                n1,
                                n2,
                                out[i],
                                th_rnd_below(299)};
            out[i][q[i].outlen] = 0xee;
        }
        CHECK_EQ(ks_prf_many(q, n), 0);
        for (unsigned i = 0; i < n; i++) {
            CHECK(ks_prf(q[i].h, q[i].secret, q[i].slen, q[i].label, q[i].seed1, q[i].n1,
                         q[i].seed2, q[i].n2, ref, q[i].outlen) == 0);
            int ok = !memcmp(out[i], ref, q[i].outlen) && out[i][q[i].outlen] == 0xee;
            CHECKF(ok, "ks_prf_many: n %u lane %u (out %zu) differs from ks_prf", n, i,
                   q[i].outlen);
            cases += ok;
        }
    }
    /* one request out of bounds: nothing computed, -1 */
    ks_prf_req bad = {CD_SHA256, secret[0],        48, "x",    seed[0],
                      NULL,      KS_MANY_SEED_MAX, 0,  out[0], 12};
    CHECK_EQ(ks_prf_many(&bad, 1), -1);
    th_note("%u batched PRF outputs equal ks_prf", cases);
}

/* the job-level primitives: more requests than one pass holds (64), mixed hashes and sizes */
static void t_jobs_many(void)
{
    enum { N = 150 };
    static uint8_t msg[N][2000], out[N][48], ref[48], key[N][160];
    static cd_hmac_key k[N];
    cd_hash_req hr[N];
    cd_mac_req mr[N];
    for (unsigned i = 0; i < N; i++) {
        enum cd_hash h = th_rnd_below(2) ? CD_SHA384 : CD_SHA256;
        size_t n = i % 7 == 0 ? th_rnd_below(3) : th_rnd_below(sizeof msg[i]);
        th_rnd_bytes(msg[i], n);
        hr[i] = (cd_hash_req){h, msg[i], n, out[i]};
    }
    cd_hash_many(hr, N);
    for (unsigned i = 0; i < N; i++) {
        cd_hash(hr[i].h, hr[i].msg, hr[i].n, ref);
        CHECKF(!memcmp(out[i], ref, cd_hash_len(hr[i].h)), "cd_hash_many: request %u of %zu bytes",
               i, hr[i].n);
    }
    for (unsigned i = 0; i < N; i++) {
        enum cd_hash h = th_rnd_below(2) ? CD_SHA384 : CD_SHA256;
        size_t kl = th_rnd_below(sizeof key[i]), n = 1 + th_rnd_below(sizeof msg[i] - 1);
        th_rnd_bytes(key[i], kl);
        th_rnd_bytes(msg[i], n);
        cd_hmac_key_init(&k[i], h, key[i], kl);
        mr[i] = (cd_mac_req){&k[i], msg[i], n, out[i]};
        hr[i].n = kl; /* keep the key length for the check */
    }
    cd_hmac_key_mac_many(mr, N);
    for (unsigned i = 0; i < N; i++) {
        cd_hmac(k[i].h, key[i], hr[i].n, mr[i].msg, mr[i].n, ref);
        CHECKF(!memcmp(out[i], ref, cd_hash_len(k[i].h)), "cd_hmac_key_mac_many: request %u", i);
        cd_hmac_key_wipe(&k[i]);
    }
    cd_hash_many(hr, 0); /* nothing to do: must not touch the manager */
    cd_hmac_key_mac_many(mr, 0);
}

/* ENG_OP_TLS_KEYS ops: eng_op_run (n = 1) and the scheduler (lane sets, forced partial sets) */
static void fill_op(eng_op *o, lane_in *l)
{
    memset(o, 0, sizeof *o);
    o->kind = ENG_OP_TLS_KEYS;
    o->prf = (uint8_t)l->h;
    o->a = l->pms;
    o->alen = l->pmslen;
    o->b = l->tr;
    o->blen = l->tlen;
    o->ems = (uint8_t)l->ems;
    o->vd = l->want_vd ? l->vd : NULL;
    o->c = l->cr;
    o->d = l->sr;
    o->out = l->ms;
    o->kb = l->kb;
    o->kblen = l->kblen;
}

static void t_ops(void)
{
    eng_op ops[MAXN];
    for (unsigned i = 0; i < 6; i++) {
        lane_random(&L_[i], 2, 2);
        fill_op(&ops[i], &L_[i]);
        eng_op_run(&ops[i]);
        CHECK(ops[i].done && !ops[i].failed);
        lane_check(&L_[i], "eng_op_run", 1, i);
    }
    CHECK(!strcmp(eng_op_name(ENG_OP_TLS_KEYS), "tls-keys"));

    char err[200];
    sched *s = sched_new(NULL, err, sizeof err);
    CHECKF(s != NULL, "sched_new: %s", err);
    if (!s) return;
    const sched_kind_stats *st = sched_stats(s, ENG_OP_TLS_KEYS);
    CHECK_EQ(st->lanes, SCHED_TLS_KEYS_LANES);
    CHECK(!strcmp(st->impl, "ipsec-mb"));
    unsigned total = 0;
    for (unsigned n = 1; n <= 2 * SCHED_TLS_KEYS_LANES + 1; n++) {
        for (unsigned i = 0; i < n; i++) {
            lane_random(&L_[i], 2, 2);
            fill_op(&ops[i], &L_[i]);
            CHECK(sched_submit(s, &ops[i], 1000 + i) >= 0);
        }
        CHECK_EQ(sched_queued(s), n % SCHED_TLS_KEYS_LANES);
        sched_flush(s, sched_tsc(), 1);
        CHECK_EQ(sched_queued(s), 0);
        unsigned got = 0;
        eng_op *o;
        uintptr_t tag;
        while ((o = sched_next_done(s, NULL, &tag)) != NULL) {
            unsigned i = (unsigned)(o - ops);
            CHECK(i < n && tag == 1000 + i && o->done && !o->failed);
            got++;
        }
        CHECK_EQ(got, n);
        for (unsigned i = 0; i < n; i++)
            lane_check(&L_[i], "scheduler", n, i);
        total += n;
    }
    CHECK_EQ(st->ops, total);
    CHECK_EQ(st->failed, 0);
    /* ENG_OP_TLS_FINISHED through the scheduler: the verify_data of each lane's own inputs */
    {
        const sched_kind_stats *fs = sched_stats(s, ENG_OP_TLS_FINISHED);
        CHECK_EQ(fs->lanes, SCHED_TLS_KEYS_LANES);
        unsigned n = SCHED_TLS_KEYS_LANES + 3;
        uint8_t ref[12], hh[CD_HASH_MAX];
        for (unsigned i = 0; i < n; i++) {
            lane_random(&L_[i], 2, 2);
            memset(&ops[i], 0, sizeof ops[i]);
            ops[i].kind = ENG_OP_TLS_FINISHED;
            ops[i].prf = (uint8_t)L_[i].h;
            ops[i].a = L_[i].pms; /* any 48 bytes serve as the master secret here */
            ops[i].b = L_[i].tr;
            ops[i].blen = L_[i].tlen;
            ops[i].ems = (uint8_t)(i & 1);
            ops[i].out = L_[i].vd;
            CHECK(sched_submit(s, &ops[i], i) >= 0);
        }
        sched_flush(s, sched_tsc(), 1);
        unsigned got = 0;
        while (sched_next_done(s, NULL, NULL) != NULL)
            got++;
        CHECK_EQ(got, n);
        for (unsigned i = 0; i < n; i++) {
            cd_hash(L_[i].h, L_[i].tr, L_[i].tlen, hh);
            ks_verify_data(L_[i].h, L_[i].pms, (int)(i & 1), hh, cd_hash_len(L_[i].h), ref);
            CHECKF(ops[i].done && !ops[i].failed && !memcmp(L_[i].vd, ref, 12),
                   "scheduler tls-finished lane %u", i);
        }
        CHECK_EQ(fs->ops, n);
        CHECK(!strcmp(eng_op_name(ENG_OP_TLS_FINISHED), "tls-finished"));
    }
    /* a malformed op is refused at submit */
    eng_op bad;
    fill_op(&bad, &L_[0]);
    bad.d = NULL;
    CHECK(sched_submit(s, &bad, 0) < 0);
    sched_free(s);
}

static void run_all(void)
{
    t_keys_many();
    t_keys_refused();
    t_prf_many();
    t_finished_many();
    t_jobs_many();
}

/* A fresh thread picks its managers from MBSHAKE_IPSECMB_HASH on first use. */
static void *other_manager(void *arg)
{
    th_note("ipsec-mb managers in this thread: %s", cd_sym_arch());
    run_all();
    return arg;
}

static void t_other_manager(void)
{
    pthread_t th;
    const char *cur = getenv("MBSHAKE_IPSECMB_HASH");
    /* the main thread's choice is SSE with SHA-NI where the CPU has it: try the other one */
    setenv("MBSHAKE_IPSECMB_HASH", (cd_cpu_features() & CD_F_SHA) ? "auto" : "sse", 1);
    CHECK(pthread_create(&th, NULL, other_manager, NULL) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    if (cur)
        setenv("MBSHAKE_IPSECMB_HASH", cur, 1);
    else
        unsetenv("MBSHAKE_IPSECMB_HASH");
}

int main(void)
{
    th_rnd_seed(0x6b657973);
    th_note("ipsec-mb managers: %s", cd_sym_arch());
    th_case("tls_keys_many_vs_one_at_a_time", t_keys_many);
    th_case("tls_keys_many_refused_lanes", t_keys_refused);
    th_case("prf_many_vs_ks_prf", t_prf_many);
    th_case("finished_many_vs_one_at_a_time", t_finished_many);
    th_case("hash_hmac_jobs_many", t_jobs_many);
    th_case("tls_keys_ops_run_and_sched", t_ops);
    th_case("other_hash_manager", t_other_manager);
    return th_done();
}
