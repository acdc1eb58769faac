/* test_p256_avx2.c — what test_p256.c (which runs Wycheproof, RFC 6979 and the OpenSSL
 * cross-checks over every registered implementation) does not reach in the four-lane AVX2
 * kernel: padding of partial batches (lanes past n neither written nor reported), isolation of
 * every pair of failing lanes at every position, scalars at the edges of the windowed
 * multiplication (k = n - 2j hits the doubling inside the last addition; tiny k; k near n),
 * hedged signatures, and verification cases that need every branch of the final addition
 * (u1 = 0; u1 G = u2 Q). The scalar implementation and OpenSSL are the oracles. */
#define OPENSSL_SUPPRESS_DEPRECATED /* EC_KEY/ECDSA_do_*: the shortest oracle code */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdh.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <stdio.h>
#include <string.h>

#include "cd.h"
#include "th.h"

extern const cd_p256 cd_p256_avx2, cd_p256_scalar;
static const cd_p256 *const V = &cd_p256_avx2, *const S = &cd_p256_scalar;
static EC_GROUP *grp;

#define NL 4

static const uint8_t order_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

static void rnd_priv(uint8_t k[32])
{
    do
        th_rnd_bytes(k, 32);
    while (memcmp(k, order_be, 32) >= 0);
}
/* k = n - j (j small, big-endian) */
static void n_minus(uint8_t k[32], unsigned j)
{
    memcpy(k, order_be, 32);
    unsigned borrow = j;
    for (int i = 31; i >= 0 && borrow; i--) {
        unsigned v = k[i];
        k[i] = (uint8_t)(v - borrow);
        borrow = v < borrow ? (borrow - v + 255) / 256 : 0;
    }
}
static void pub_of(const uint8_t priv[32], uint8_t pub[65])
{
    uint32_t bad = S->keygen((uint8_t(*)[65])pub, (const uint8_t(*)[32])priv, 1);
    if (bad) th_fail(__FILE__, __LINE__, "scalar keygen failed");
}

/* all four primitives on n lanes against the scalar code, lane by lane */
static void cross_check(uint8_t priv[NL][32], uint8_t peer[NL][65], uint8_t hash[NL][32],
                        unsigned n)
{
    uint8_t pub[NL][65], want_pub[NL][65], sh[NL][32], want_sh[NL][32];
    uint8_t sig[NL][64], want_sig[NL][64];
    uint32_t wk = 0, wd = 0, ws = 0, wv = 0;
    for (unsigned l = 0; l < n; l++) {
        wk |= S->keygen(&want_pub[l], (const uint8_t(*)[32]) & priv[l], 1) << l;
        wd |= S->derive(&want_sh[l], (const uint8_t(*)[32]) & priv[l],
                        (const uint8_t(*)[65]) & peer[l], 1)
              << l;
        ws |= S->sign(&want_sig[l], (const uint8_t(*)[32]) & priv[l],
                      (const uint8_t(*)[32]) & hash[l], NULL, 1)
              << l;
    }
    CHECK_EQ(V->keygen(pub, (const uint8_t(*)[32])priv, n), wk);
    CHECK_EQ(V->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, n), wd);
    CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])hash, NULL, n), ws);
    for (unsigned l = 0; l < n; l++) {
        CHECK_MEM(pub[l], want_pub[l], 65);
        CHECK_MEM(sh[l], want_sh[l], 32);
        CHECK_MEM(sig[l], want_sig[l], 64);
        wv |= S->verify((const uint8_t(*)[65]) & want_pub[l], (const uint8_t(*)[32]) & hash[l],
                        (const uint8_t(*)[64]) & sig[l], 1)
              << l;
    }
    CHECK_EQ(V->verify((const uint8_t(*)[65])want_pub, (const uint8_t(*)[32])hash,
                       (const uint8_t(*)[64])sig, n),
             wv);
}

/* n = 1..3: lanes past n keep their sentinel bytes and never show up in the mask */
static void test_padding(void)
{
    for (unsigned n = 1; n < NL; n++) {
        uint8_t priv[NL][32], peer[NL][65], h[NL][32], q[32];
        uint8_t pub[NL][65], sh[NL][32], sig[NL][64];
        for (unsigned l = 0; l < NL; l++) {
            rnd_priv(priv[l]);
            rnd_priv(q);
            pub_of(q, peer[l]);
            th_rnd_bytes(h[l], 32);
        }
        memset(pub, 0xa5, sizeof pub);
        memset(sh, 0xa5, sizeof sh);
        memset(sig, 0xa5, sizeof sig);
        CHECK_EQ(V->keygen(pub, (const uint8_t(*)[32])priv, n), 0);
        CHECK_EQ(V->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, n), 0);
        CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, n), 0);
        for (unsigned l = n; l < NL; l++) {
            for (int i = 0; i < 65; i++)
                CHECK_EQ(pub[l][i], 0xa5);
            for (int i = 0; i < 32; i++)
                CHECK_EQ(sh[l][i], 0xa5);
            for (int i = 0; i < 64; i++)
                CHECK_EQ(sig[l][i], 0xa5);
        }
        /* garbage past n must not matter either: invalid keys/points/signatures there */
        for (unsigned l = n; l < NL; l++) {
            memset(priv[l], 0, 32);
            memset(peer[l], 0, 65);
            memset(sig[l], 0, 64);
        }
        CHECK_EQ(V->keygen(pub, (const uint8_t(*)[32])priv, n), 0);
        CHECK_EQ(V->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, n), 0);
        CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, n), 0);
        CHECK_EQ(V->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                           (const uint8_t(*)[64])sig, n),
                 0);
        cross_check(priv, peer, h, n);
    }
}

/* every pair of lanes failing at once (bad key for keygen/sign, bad point for derive, bad
 * signature for verify); the other two lanes still match the scalar results */
static void test_two_bad_lanes(void)
{
    for (unsigned a = 0; a < NL; a++) {
        for (unsigned b = a + 1; b < NL; b++) {
            uint8_t priv[NL][32], peer[NL][65], h[NL][32], q[32];
            for (unsigned l = 0; l < NL; l++) {
                rnd_priv(priv[l]);
                rnd_priv(q);
                pub_of(q, peer[l]);
                th_rnd_bytes(h[l], 32);
            }
            uint32_t want = 1u << a | 1u << b;
            uint8_t pub[NL][65], sh[NL][32], sig[NL][64], keep[2][32];
            memcpy(keep[0], priv[a], 32);
            memcpy(keep[1], priv[b], 32);
            memset(priv[a], 0, 32);        /* zero */
            memcpy(priv[b], order_be, 32); /* n */
            CHECK_EQ(V->keygen(pub, (const uint8_t(*)[32])priv, NL), want);
            CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, NL),
                     want);
            for (int i = 0; i < 65; i++)
                CHECK(pub[a][i] == 0 && pub[b][i] == 0);
            cross_check(priv, peer, h, NL); /* the scalar code fails the same lanes */
            memcpy(priv[a], keep[0], 32);
            memcpy(priv[b], keep[1], 32);
            peer[a][0] = 0x02;   /* compressed: not accepted */
            peer[b][64] ^= 0x01; /* off the curve */
            CHECK_EQ(V->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, NL),
                     want);
            for (int i = 0; i < 32; i++)
                CHECK(sh[a][i] == 0 && sh[b][i] == 0);
            cross_check(priv, peer, h, NL);
            /* verify: good signatures except a (r = 0) and b (s flipped) */
            for (unsigned l = 0; l < NL; l++)
                pub_of(priv[l], pub[l]);
            CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, NL),
                     0);
            memset(sig[a], 0, 32);
            sig[b][40] ^= 0x20;
            CHECK_EQ(V->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                               (const uint8_t(*)[64])sig, NL),
                     want);
        }
    }
}

/* scalars at the edges: n - 2j (j = 1..20, the doubling in the last window for some), n - j,
 * 1..20, and 2^255 + small, each in every lane position */
static void test_edge_scalars(void)
{
    uint8_t ks[80][32];
    unsigned nk = 0;
    for (unsigned j = 1; j <= 20; j++)
        n_minus(ks[nk++], 2 * j);
    for (unsigned j = 1; j <= 20; j += 2)
        n_minus(ks[nk++], j);
    for (unsigned j = 1; j <= 20; j++) {
        memset(ks[nk], 0, 32);
        ks[nk++][31] = (uint8_t)j;
    }
    for (unsigned j = 0; j < 8; j++) {
        memset(ks[nk], 0, 32);
        ks[nk][0] = 0x80;
        ks[nk++][31] = (uint8_t)j;
    }
    for (unsigned j = 0; j < 4; j++) {
        memset(ks[nk], 0xff, 32); /* >= n: must fail */
        ks[nk][0] = (uint8_t)(0xff - j);
        nk++;
    }
    for (unsigned base = 0; base < nk; base++) {
        uint8_t priv[NL][32], peer[NL][65], h[NL][32], q[32];
        for (unsigned l = 0; l < NL; l++) {
            memcpy(priv[l], ks[(base + l * 7) % nk], 32);
            rnd_priv(q);
            pub_of(q, peer[l]);
            th_rnd_bytes(h[l], 32);
        }
        cross_check(priv, peer, h, NL);
    }
    /* and against OpenSSL's ECDH for the n - 2j family, peer = G and a random point */
    for (unsigned j = 1; j <= 20; j++) {
        uint8_t priv[NL][32], peer[NL][65], sh[NL][32], q[32] = {[31] = 1};
        for (unsigned l = 0; l < NL; l++) {
            n_minus(priv[l], 2 * j);
            if (l & 1) rnd_priv(q);
            pub_of(q, peer[l]);
        }
        CHECK_EQ(V->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, NL), 0);
        for (unsigned l = 0; l < NL; l++) {
            EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
            BIGNUM *d = BN_bin2bn(priv[l], 32, NULL);
            EC_POINT *p = EC_POINT_new(grp);
            uint8_t want[32];
            EC_KEY_set_private_key(k, d);
            CHECK(EC_POINT_oct2point(grp, p, peer[l], 65, NULL) == 1);
            CHECK(ECDH_compute_key(want, 32, p, k, NULL) == 32);
            CHECK_MEM(sh[l], want, 32);
            EC_POINT_free(p);
            BN_free(d);
            EC_KEY_free(k);
        }
    }
}

static void test_random_batches(void)
{
    for (int it = 0; it < 40; it++) {
        uint8_t priv[NL][32], peer[NL][65], h[NL][32], q[32];
        for (unsigned l = 0; l < NL; l++) {
            rnd_priv(priv[l]);
            if (it % 5 == 0) priv[l][0] = 0; /* short scalars: leading zero windows */
            rnd_priv(q);
            pub_of(q, peer[l]);
            th_rnd_bytes(h[l], 32);
        }
        cross_check(priv, peer, h, 1 + (unsigned)it % NL);
    }
}

static void test_hedged(void)
{
    uint8_t priv[NL][32], h[NL][32], x[NL][32], sig[NL][64], want[64];
    for (unsigned l = 0; l < NL; l++) {
        rnd_priv(priv[l]);
        th_rnd_bytes(h[l], 32);
        th_rnd_bytes(x[l], 32);
    }
    CHECK_EQ(V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h,
                     (const uint8_t(*)[32])x, NL),
             0);
    for (unsigned l = 0; l < NL; l++) {
        CHECK_EQ(S->sign((uint8_t(*)[64])want, (const uint8_t(*)[32]) & priv[l],
                         (const uint8_t(*)[32]) & h[l], (const uint8_t(*)[32]) & x[l], 1),
                 0);
        CHECK_MEM(sig[l], want, 64);
    }
}

/* a signature built from a chosen nonce k with OpenSSL's big numbers: r = x(kG) mod n,
 * s = k^-1 (e + r d) */
static void bn_sign(const uint8_t d[32], const uint8_t e[32], const BIGNUM *k, uint8_t rs[64])
{
    BN_CTX *cx = BN_CTX_new();
    BIGNUM *n = BN_bin2bn(order_be, 32, NULL), *x = BN_new(), *r = BN_new(), *s = BN_new();
    BIGNUM *bd = BN_bin2bn(d, 32, NULL), *be = BN_bin2bn(e, 32, NULL), *ki = BN_new();
    EC_POINT *R = EC_POINT_new(grp);
    EC_POINT_mul(grp, R, k, NULL, NULL, cx);
    EC_POINT_get_affine_coordinates(grp, R, x, NULL, cx);
    BN_nnmod(r, x, n, cx);
    BN_mod_mul(s, r, bd, n, cx);
    BN_mod_add(s, s, be, n, cx);
    BN_mod_inverse(ki, k, n, cx);
    BN_mod_mul(s, s, ki, n, cx);
    BN_bn2binpad(r, rs, 32);
    BN_bn2binpad(s, rs + 32, 32);
    EC_POINT_free(R);
    BN_free(n), BN_free(x), BN_free(r), BN_free(s), BN_free(bd), BN_free(be), BN_free(ki);
    BN_CTX_free(cx);
}

/* u1 = 0 (hash 0 or n) and u1 G = u2 Q (e = r d mod n): the final addition's special cases */
static void test_verify_special(void)
{
    uint8_t d[NL][32], pub[NL][65], h[NL][32], sig[NL][64];
    BIGNUM *k = BN_new(), *n = BN_bin2bn(order_be, 32, NULL);
    BN_CTX *cx = BN_CTX_new();
    for (unsigned l = 0; l < NL; l++) {
        rnd_priv(d[l]);
        pub_of(d[l], pub[l]);
        BN_rand_range(k, n);
        if (l < 2) {
            memset(h[l], 0, 32);                    /* e = 0 */
            if (l == 1) memcpy(h[l], order_be, 32); /* e = n = 0 mod n */
            bn_sign(d[l], h[l], k, sig[l]);
        } else {
            /* e = r d mod n needs r first: sign once to learn r, then set e */
            BIGNUM *x = BN_new(), *r = BN_new(), *bd = BN_bin2bn(d[l], 32, NULL), *e = BN_new();
            EC_POINT *R = EC_POINT_new(grp);
            EC_POINT_mul(grp, R, k, NULL, NULL, cx);
            EC_POINT_get_affine_coordinates(grp, R, x, NULL, cx);
            BN_nnmod(r, x, n, cx);
            BN_mod_mul(e, r, bd, n, cx);
            BN_bn2binpad(e, h[l], 32);
            bn_sign(d[l], h[l], k, sig[l]);
            EC_POINT_free(R);
            BN_free(x), BN_free(r), BN_free(bd), BN_free(e);
        }
    }
    CHECK_EQ(V->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                       (const uint8_t(*)[64])sig, NL),
             0);
    CHECK_EQ(S->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                       (const uint8_t(*)[64])sig, NL),
             0);
    for (unsigned l = 0; l < NL; l++)
        sig[l][63] ^= 1;
    CHECK_EQ(V->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                       (const uint8_t(*)[64])sig, NL),
             0xf);
    BN_free(k), BN_free(n);
    BN_CTX_free(cx);
}

static void unavailable(void)
{
    th_skip("this CPU lacks AVX2/BMI2/ADX");
}

int main(void)
{
    grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    if ((cd_p256_avx2.needs & ~cd_cpu_features()) != 0) {
        th_case("p256_avx2", unavailable);
    } else {
        th_case("p256_avx2_padding", test_padding);
        th_case("p256_avx2_two_bad_lanes", test_two_bad_lanes);
        th_case("p256_avx2_edge_scalars", test_edge_scalars);
        th_case("p256_avx2_random_batches", test_random_batches);
        th_case("p256_avx2_hedged", test_hedged);
        th_case("p256_avx2_verify_special", test_verify_special);
    }
    EC_GROUP_free(grp);
    return th_done();
}
