/* p256_scalar.c — cd_p256_scalar: P-256 ECDH (SEC 1 §3.3.1) and ECDSA (FIPS 186-4 §6.4,
 * nonces per RFC 6979) on one lane with the 4x64-bit Montgomery code. The batch signature is
 * that of the SIMD kernels (lanes = 1 here), so this is also their reference oracle.
 *
 * Secrets (private keys, nonces, shared points) only meet constant-time code; an invalid
 * private key is replaced by 1 under a mask so a failing lane costs the same as a good one.
 * Public inputs (peer points, signatures) are validated with ordinary branches. */
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "p256_internal.h"

/* 1 as a big-endian scalar: the stand-in for an out-of-range private key */
static const uint8_t scalar_one[32] = {[31] = 1};

/* k = ok ? priv : 1 */
static void pick_scalar(uint8_t k[32], const uint8_t priv[32], uint64_t ok)
{
    memcpy(k, scalar_one, 32);
    ct_memcpy_if((uint32_t)(ok & 1), k, priv, 32);
}

static uint32_t keygen_scalar(uint8_t pub[][65], const uint8_t priv[][32], unsigned n)
{
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t k[32], out[65] = {0};
        p256_jac r;
        p256_aff a;
        uint64_t ok = p256_fn_in_range(priv[i]); /* cd.h: lane fails if priv is 0 or >= n */
        pick_scalar(k, priv[i], ok);
        p256_base_mul_ct(&r, k);
        ok &= p256_point_to_affine(&a, &r);
        out[0] = 0x04;
        p256_fe_to_be(out + 1, a.x);
        p256_fe_to_be(out + 33, a.y);
        memset(pub[i], 0, 65);
        ct_memcpy_if((uint32_t)(ok & 1), pub[i], out, 65);
        bad |= (uint32_t)(~ok & 1) << i;
        ct_wipe(k, sizeof k);
        ct_wipe(&r, sizeof r);
        ct_wipe(&a, sizeof a);
    }
    return bad;
}

static uint32_t derive_scalar(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][65],
                              unsigned n)
{
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t k[32], x[32];
        p256_aff q, a;
        p256_jac r;
        memset(out[i], 0, 32);
        /* RFC 8422 §5.11 / SEC 1 §3.2.2.1: reject anything but a valid uncompressed point */
        if (!p256_point_decode(&q, peer[i])) {
            bad |= 1u << i;
            continue;
        }
        uint64_t ok = p256_fn_in_range(priv[i]);
        pick_scalar(k, priv[i], ok);
        p256_point_mul_ct(&r, &q, k);
        ok &= p256_point_to_affine(&a, &r); /* SEC 1 §3.3.1 step 2: infinity is an error */
        p256_fe_to_be(x, a.x);
        ct_memcpy_if((uint32_t)(ok & 1), out[i], x, 32);
        bad |= (uint32_t)(~ok & 1) << i;
        ct_wipe(k, sizeof k);
        ct_wipe(x, sizeof x);
        ct_wipe(&r, sizeof r);
        ct_wipe(&a, sizeof a);
    }
    return bad;
}

/* r||s for nonce k (in [1, n-1]); returns all-ones unless r = 0 or s = 0 */
static uint64_t sign_with(uint8_t sig[64], const uint8_t k[32], const p256_fn d,
                          const p256_fn e)
{
    p256_jac pt;
    p256_aff a;
    uint64_t x[4], r[4], s[4], kk[4];
    p256_fn rm, km, kinv, t;
    p256_base_mul_ct(&pt, k); /* k in [1, n-1]: never infinity */
    p256_point_to_affine(&a, &pt);
    p256_fe_from_mont(x, a.x);
    p256_fn_reduce_once(r, x); /* r = x mod n; x < p < 2n */
    p256_fn_to_mont(rm, r);
    p256_limbs_from_be(kk, k);
    p256_fn_to_mont(km, kk);
    p256_fn_inv_blinded(kinv, km);
    p256_fn_mul(t, rm, d);
    p256_fn_add(t, t, e);
    p256_fn_mul(t, t, kinv); /* s = k^-1 (e + r d) */
    p256_fn_from_mont(s, t);
    p256_limbs_to_be(sig, r);
    p256_limbs_to_be(sig + 32, s);
    uint64_t good = ~(p256_limbs_is_zero(r) | p256_limbs_is_zero(s));
    ct_wipe(&pt, sizeof pt);
    ct_wipe(&a, sizeof a);
    ct_wipe(kk, sizeof kk);
    ct_wipe(km, sizeof km);
    ct_wipe(kinv, sizeof kinv);
    ct_wipe(t, sizeof t);
    return good;
}

static uint32_t sign_scalar(uint8_t sig[][64], const uint8_t priv[][32], const uint8_t hash[][32],
                            const uint8_t extra[][32], unsigned n)
{
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++) {
        uint8_t dk[32], cand[32], out[64];
        uint64_t dl[4], el[4];
        p256_fn dm, em;
        p256_rfc6979 st;
        uint64_t ok = p256_fn_in_range(priv[i]);
        pick_scalar(dk, priv[i], ok);
        p256_limbs_from_be(dl, dk);
        p256_fn_to_mont(dm, dl);
        p256_limbs_from_be(el, hash[i]); /* e = bits2int(H) mod n; qlen = hlen = 256 */
        p256_fn_reduce_once(el, el);
        p256_fn_to_mont(em, el);
        p256_rfc6979_init(&st, dk, hash[i], extra ? extra[i] : NULL);
        for (;;) {
            p256_rfc6979_next(&st, cand);
            /* RFC 6979 §3.2 h.3: retry when k is not in [1, n-1] or r = 0 or s = 0. Whether a
             * candidate was rejected says nothing about the one finally used. */
            uint64_t usable = p256_fn_in_range(cand);
            P256_DECLASSIFY(&usable, sizeof usable);
            if (!usable) continue;
            uint64_t good = sign_with(out, cand, dm, em);
            P256_DECLASSIFY(&good, sizeof good);
            if (good) break;
        }
        memset(sig[i], 0, 64);
        ct_memcpy_if((uint32_t)(ok & 1), sig[i], out, 64);
        bad |= (uint32_t)(~ok & 1) << i;
        ct_wipe(dk, sizeof dk);
        ct_wipe(cand, sizeof cand);
        ct_wipe(dl, sizeof dl);
        ct_wipe(dm, sizeof dm);
        ct_wipe(&st, sizeof st);
    }
    return bad;
}

const cd_p256 cd_p256_scalar = {
    .name = "scalar",
    .lanes = 1,
    .needs = 0,
    .keygen = keygen_scalar,
    .derive = derive_scalar,
    .sign = sign_scalar,
    .verify = p256_verify_base, /* p256_verify_impl.h */
};
