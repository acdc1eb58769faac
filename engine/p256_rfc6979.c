/* p256_rfc6979.c — deterministic ECDSA nonces (RFC 6979 §3.2) with HMAC-SHA256, qlen = hlen =
 * 256, so one HMAC output is one candidate; optional additional data k' (§3.6), which turns
 * them into hedged nonces when k' is fresh randomness. HMAC comes from cd_hmac (ipsec-mb). */
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "p256_internal.h"

/* out = HMAC-SHA256_key(msg); out may alias key or msg (cd.h promises nothing about that) */
static void hmac(const uint8_t key[32], const uint8_t *msg, size_t n, uint8_t out[32])
{
    uint8_t t[32];
    cd_hmac(CD_SHA256, key, 32, msg, n, t);
    memcpy(out, t, 32);
    ct_wipe(t, sizeof t);
}

/* K = HMAC_K(V || tag || x || h1 [|| extra]); V = HMAC_K(V)   (steps d-e and f-g) */
static void mix(p256_rfc6979 *st, uint8_t tag, const uint8_t x[32], const uint8_t h1[32],
                const uint8_t *extra)
{
    uint8_t buf[32 + 1 + 32 + 32 + 32];
    size_t n = 0;
    memcpy(buf, st->v, 32);
    n += 32;
    buf[n++] = tag;
    memcpy(buf + n, x, 32);
    n += 32;
    memcpy(buf + n, h1, 32);
    n += 32;
    if (extra) {
        memcpy(buf + n, extra, 32);
        n += 32;
    }
    hmac(st->k, buf, n, st->k);
    hmac(st->k, st->v, 32, st->v);
    ct_wipe(buf, sizeof buf);
}

/* see p256_internal.h */
void p256_rfc6979_init(p256_rfc6979 *st, const uint8_t priv[32], const uint8_t hash[32],
                       const uint8_t *extra)
{
    uint64_t h[4];
    uint8_t h1[32];
    /* bits2octets(h1) = int2octets(bits2int(h1) mod q) (§2.3.4); qlen = 256 so bits2int
     * takes the hash as is, and h < 2^256 < 2q needs one conditional subtraction. */
    p256_limbs_from_be(h, hash);
    p256_fn_reduce_once(h, h);
    p256_limbs_to_be(h1, h);
    memset(st->v, 0x01, 32); /* step b */
    memset(st->k, 0x00, 32); /* step c */
    mix(st, 0x00, priv, h1, extra); /* steps d, e */
    mix(st, 0x01, priv, h1, extra); /* steps f, g */
    st->first = 1;
    ct_wipe(h, sizeof h);
    ct_wipe(h1, sizeof h1);
}

/* see p256_internal.h */
void p256_rfc6979_next(p256_rfc6979 *st, uint8_t cand[32])
{
    if (!st->first) {
        /* step h.3: the previous candidate was unsuitable */
        uint8_t buf[33];
        memcpy(buf, st->v, 32);
        buf[32] = 0x00;
        hmac(st->k, buf, 33, st->k);
        hmac(st->k, st->v, 32, st->v);
        ct_wipe(buf, sizeof buf);
    }
    st->first = 0;
    /* step h.2: T = V = HMAC_K(V); tlen = qlen after one block */
    hmac(st->k, st->v, 32, st->v);
    memcpy(cand, st->v, 32);
}
