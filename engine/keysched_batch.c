/* keysched_batch.c — see keysched_batch.h. P_hash (RFC 5246 §5) of many requests in lockstep:
 *   step 0:   A(1) = HMAC(secret, A(0))                        for every request
 *   step i:   out_i = HMAC(secret, A(i) + seed), and, when more output is needed,
 *             A(i+1) = HMAC(secret, A(i))                      for every request still going
 * Each step is one cd_hmac_key_mac_many call: all jobs submitted, then flushed. The pads of
 * each secret are hashed once per request (cd_hmac_key_init), as in keysched.c. Buffers that
 * held secret-derived bytes are wiped before return. */
#include <string.h>

#include "cd_hash_batch.h"
#include "cd_hmac_key.h"
#include "ct.h"
#include "keysched_batch.h"

/* Requests per lockstep pass (stack buffers); wider batches run as several passes. */
#define CHUNK 32

typedef struct lane {
    cd_hmac_key key;
    uint8_t a[CD_HASH_MAX + KS_MANY_SEED_MAX]; /* A(i) || label || seed1 || seed2 */
    uint8_t blk[CD_HASH_MAX], next[CD_HASH_MAX];
    size_t hl, sl, done;
} lane;

static int prf_ok(const ks_prf_req *q)
{
    const size_t ll = q->label ? strlen(q->label) : 0;
    return (q->h == CD_SHA256 || q->h == CD_SHA384) && q->outlen <= KS_MANY_OUT_MAX &&
           ll <= KS_MANY_SEED_MAX && q->n1 <= KS_MANY_SEED_MAX - ll &&
           q->n2 <= KS_MANY_SEED_MAX - ll - q->n1 && ll + q->n1 + q->n2 >= 1;
}

/* One lockstep pass over r[0..n), n <= CHUNK, all valid. same[i] != 0 (same may be NULL):
 * r[i] has the same hash and secret as r[i-1], whose HMAC key it reuses (pads hashed once). */
static void prf_pass(const ks_prf_req *r, unsigned n, const uint8_t *same)
{
    lane ln[CHUNK];
    const cd_hmac_key *key[CHUNK];
    cd_mac_req mr[2 * CHUNK] = {{0}};
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        const ks_prf_req *q = &r[i];
        lane *l = &ln[i];
        const size_t ll = q->label ? strlen(q->label) : 0;
        l->hl = cd_hash_len(q->h);
        l->sl = ll + q->n1 + q->n2;
        l->done = 0;
        if (ll) memcpy(l->a + l->hl, q->label, ll);
        if (q->n1) memcpy(l->a + l->hl + ll, q->seed1, q->n1);
        if (q->n2) memcpy(l->a + l->hl + ll + q->n1, q->seed2, q->n2);
        if (i > 0 && same && same[i]) {
            key[i] = key[i - 1];
        } else {
            cd_hmac_key_init(&l->key, q->h, q->secret, q->slen);
            key[i] = &l->key;
        }
        /* A(1) = HMAC(secret, A(0)), A(0) = label + seed */
        mr[m++] = (cd_mac_req){key[i], l->a + l->hl, l->sl, l->blk};
    }
    cd_hmac_key_mac_many(mr, m);
    for (unsigned i = 0; i < n; i++)
        memcpy(ln[i].a, ln[i].blk, ln[i].hl);

    for (;;) {
        m = 0;
        for (unsigned i = 0; i < n; i++) {
            lane *l = &ln[i];
            if (l->done >= r[i].outlen) continue;
            mr[m++] = (cd_mac_req){key[i], l->a, l->hl + l->sl, l->blk}; /* HMAC(A(i) + seed) */
            if (l->done + l->hl < r[i].outlen)
                mr[m++] = (cd_mac_req){key[i], l->a, l->hl, l->next}; /* A(i+1) */
        }
        if (m == 0) break;
        cd_hmac_key_mac_many(mr, m);
        for (unsigned i = 0; i < n; i++) {
            lane *l = &ln[i];
            const size_t outlen = r[i].outlen;
            if (l->done >= outlen) continue;
            size_t take = outlen - l->done < l->hl ? outlen - l->done : l->hl;
            memcpy(r[i].out + l->done, l->blk, take);
            l->done += take;
            if (l->done < outlen) memcpy(l->a, l->next, l->hl);
        }
    }
    for (unsigned i = 0; i < n; i++) {
        if (key[i] == &ln[i].key) cd_hmac_key_wipe(&ln[i].key);
        ct_wipe(ln[i].a, ln[i].hl);
        ct_wipe(ln[i].blk, sizeof ln[i].blk);
        ct_wipe(ln[i].next, sizeof ln[i].next);
    }
}

/* see keysched_batch.h */
int ks_prf_many(const ks_prf_req *r, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!prf_ok(&r[i])) return -1;
    for (unsigned at = 0; at < n; at += CHUNK)
        prf_pass(r + at, n - at < CHUNK ? n - at : CHUNK, NULL);
    return 0;
}

static int keys_ok(const ks_keys_req *q)
{
    const int need_t = q->ems || q->cvd;
    return (q->h == CD_SHA256 || q->h == CD_SHA384) && q->pmslen <= 1024 && q->tlen <= 65534 &&
           q->kblen <= KS_MANY_OUT_MAX && q->pms && q->cr && q->sr && q->ms &&
           (q->kb || !q->kblen) && (q->transcript || !need_t || !q->tlen);
}

/* One pass over r[0..n), n <= KEYS_CHUNK, all valid. */
#define KEYS_CHUNK (CHUNK / 2)
static void keys_pass(const ks_keys_req *r, unsigned n)
{
    static const uint8_t none[1];
    uint8_t sh[KEYS_CHUNK][CD_HASH_MAX];
    cd_hash_req hr[KEYS_CHUNK] = {{0}};
    ks_prf_req pr[CHUNK] = {{0}};
    uint8_t same[CHUNK] = {0};
    unsigned m = 0;
    /* RFC 7627 §3: session_hash = Hash(handshake_messages), the PRF hash; the same hash is the
     * client Finished's (RFC 5246 §7.4.9) */
    for (unsigned i = 0; i < n; i++)
        if (r[i].ems || r[i].cvd)
            hr[m++] =
                (cd_hash_req){r[i].h, r[i].transcript ? r[i].transcript : none, r[i].tlen, sh[i]};
    cd_hash_many(hr, m);
    for (unsigned i = 0; i < n; i++) {
        const ks_keys_req *q = &r[i];
        if (q->ems) /* RFC 7627 §4: the seed is the session hash alone */
            pr[i] = (ks_prf_req){q->h,  q->pms, q->pmslen,         "extended master secret",
                                 sh[i], NULL,   cd_hash_len(q->h), 0,
                                 q->ms, 48};
        else /* RFC 5246 §8.1 */
            pr[i] = (ks_prf_req){q->h,  q->pms, q->pmslen, "master secret", q->cr,
                                 q->sr, 32,     32,        q->ms,           48};
    }
    prf_pass(pr, n, NULL);
    /* the key block and the client's verify_data: both keyed by the master secret */
    m = 0;
    for (unsigned i = 0; i < n; i++) { /* RFC 5246 §6.3: server_random first here */
        pr[m++] = (ks_prf_req){r[i].h,  r[i].ms, 48, "key expansion", r[i].sr,
                               r[i].cr, 32,      32, r[i].kb,         r[i].kblen};
        if (r[i].cvd) {
            same[m] = 1;
            pr[m++] = (ks_prf_req){
                r[i].h, r[i].ms,  48, "client finished", sh[i], NULL, cd_hash_len(r[i].h),
                0,      r[i].cvd, 12};
        }
    }
    prf_pass(pr, m, same);
    ct_wipe(sh, sizeof sh);
}

/* see keysched_batch.h */
uint32_t ks_tls_keys_many(const ks_keys_req *r, unsigned n)
{
    uint32_t bad = 0;
    ks_keys_req ok[KEYS_CHUNK];
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!keys_ok(&r[i])) {
            if (i < 32) bad |= 1u << i;
            continue;
        }
        ok[m++] = r[i];
        if (m == KEYS_CHUNK) {
            keys_pass(ok, m);
            m = 0;
        }
    }
    if (m) keys_pass(ok, m);
    return bad;
}

/* see keysched_batch.h */
uint32_t ks_tls_keys_ops(eng_op *const *ops, unsigned n)
{
    ks_keys_req q[32];
    if (n > 32) return ~0u; /* outside the contract: fail them all, compute nothing */
    for (unsigned i = 0; i < n; i++) {
        const eng_op *o = ops[i];
        q[i] = (ks_keys_req){(enum cd_hash)o->prf,
                             o->a,
                             o->alen,
                             o->b,
                             o->blen,
                             o->ems,
                             o->c,
                             o->d,
                             o->out,
                             o->kb,
                             o->kblen,
                             o->vd};
    }
    return ks_tls_keys_many(q, n);
}

static int fin_ok(const ks_fin_req *q)
{
    return (q->h == CD_SHA256 || q->h == CD_SHA384) && q->tlen <= 65534 && q->ms && q->vd &&
           (q->transcript || !q->tlen);
}

/* One pass over r[0..n), n <= CHUNK, all valid: the transcript hashes, then the PRFs. */
static void fin_pass(const ks_fin_req *r, unsigned n)
{
    static const uint8_t none[1];
    uint8_t hh[CHUNK][CD_HASH_MAX];
    cd_hash_req hr[CHUNK] = {{0}};
    ks_prf_req pr[CHUNK] = {{0}};
    for (unsigned i = 0; i < n; i++)
        hr[i] = (cd_hash_req){r[i].h, r[i].transcript ? r[i].transcript : none, r[i].tlen, hh[i]};
    cd_hash_many(hr, n);
    for (unsigned i = 0; i < n; i++)
        pr[i] = (ks_prf_req){r[i].h,
                             r[i].ms,
                             48,
                             r[i].client ? "client finished" : "server finished",
                             hh[i],
                             NULL,
                             cd_hash_len(r[i].h),
                             0,
                             r[i].vd,
                             12};
    prf_pass(pr, n, NULL);
    ct_wipe(hh, sizeof hh);
}

/* see keysched_batch.h */
uint32_t ks_finished_many(const ks_fin_req *r, unsigned n)
{
    uint32_t bad = 0;
    ks_fin_req ok[CHUNK];
    unsigned m = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!fin_ok(&r[i])) {
            if (i < 32) bad |= 1u << i;
            continue;
        }
        ok[m++] = r[i];
        if (m == CHUNK) {
            fin_pass(ok, m);
            m = 0;
        }
    }
    if (m) fin_pass(ok, m);
    return bad;
}

/* see keysched_batch.h */
uint32_t ks_finished_ops(eng_op *const *ops, unsigned n)
{
    ks_fin_req q[32];
    if (n > 32) return ~0u; /* outside the contract: fail them all, compute nothing */
    for (unsigned i = 0; i < n; i++) {
        const eng_op *o = ops[i];
        q[i] = (ks_fin_req){(enum cd_hash)o->prf, o->a, o->ems, o->b, o->blen, o->out};
    }
    return ks_finished_many(q, n);
}
