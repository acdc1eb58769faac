/* ct_p256.c — constant-time check (ctgrind) of every cd_p256 implementation valgrind can run:
 * private keys, hedging data and everything derived from them are marked undefined, so any
 * branch or memory index that depends on them is reported by memcheck (tests/ct/run.sh).
 * Outputs are declassified and compared with known answers, so a wrong result fails too. */
#include <stdio.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "th.h"

static const cd_p256 *impl;

/* RFC 6979 §A.2.5 key and "sample" signature (SHA-256) */
#define X_A25 "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define UX_A25 "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
#define UY_A25 "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
/* SHA-256("sample") */
#define H_SAMPLE "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf"
#define R_SAMPLE "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
#define S_SAMPLE "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"

static void ct_keygen(void)
{
    uint8_t priv[2][32], pub[2][65], want[65];
    th_unhex_n(X_A25, priv[0], 32);
    /* a second key whose top Booth windows are zero (accumulator at infinity for a while) */
    memset(priv[1], 0, 32);
    priv[1][31] = 0x01;
    want[0] = 0x04;
    th_unhex_n(UX_A25, want + 1, 32);
    th_unhex_n(UY_A25, want + 33, 32);
    for (int k = 0; k < 2; k++) {
        CT_SECRET(priv[k], 32);
        uint32_t bad = impl->keygen(&pub[k], (const uint8_t(*)[32])&priv[k], 1);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(pub[k], 65);
        CHECK_EQ(bad, 0);
    }
    CHECK_MEM(pub[0], want, 65);
    /* 1*G */
    th_unhex_n("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", want + 1, 32);
    th_unhex_n("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", want + 33, 32);
    CHECK_MEM(pub[1], want, 65);
    /* an out-of-range key takes the same path and reports through the mask only */
    uint8_t zero[1][32] = {{0}};
    CT_SECRET(zero, 32);
    uint32_t bad = impl->keygen(pub, (const uint8_t(*)[32])zero, 1);
    CT_PUBLIC(&bad, sizeof bad);
    CHECK_EQ(bad, 1);
}

static void ct_derive(void)
{
    /* Wycheproof ecdh_secp256r1_ecpoint_test tcId 1 */
    uint8_t priv[1][32], peer[1][65], out[1][32], want[32];
    th_unhex_n("0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346", priv[0], 32);
    th_unhex_n("0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a"
          "95b5bf8d13990eb741c8c38872b4a07d275a014e30cf",
          peer[0], 65);
    th_unhex_n("53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285", want, 32);
    CT_SECRET(priv, 32);
    uint32_t bad = impl->derive(out, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, 1);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(out, 32);
    CHECK_EQ(bad, 0);
    CHECK_MEM(out[0], want, 32);
    /* an even private key (the n - k path) must give the same kind of run */
    th_unhex_n("0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346", priv[0], 32);
    priv[0][31] ^= 1;
    CT_SECRET(priv, 32);
    bad = impl->derive(out, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, 1);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(out, 32);
    CHECK_EQ(bad, 0);
}

static void ct_sign(void)
{
    uint8_t priv[1][32], h[1][32], sig[1][64], want[64], extra[1][32], sig2[1][64], pub[1][65];
    th_unhex_n(X_A25, priv[0], 32);
    th_unhex_n(H_SAMPLE, h[0], 32);
    th_unhex_n(R_SAMPLE, want, 32);
    th_unhex_n(S_SAMPLE, want + 32, 32);
    CT_SECRET(priv, 32);
    uint32_t bad = impl->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, 1);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(sig, 64);
    CHECK_EQ(bad, 0);
    CHECK_MEM(sig[0], want, 64);
    /* hedged: the additional data is secret too; the signature must verify */
    memset(extra, 0x5a, sizeof extra);
    CT_SECRET(extra, 32);
    bad = impl->sign(sig2, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h,
                     (const uint8_t(*)[32])extra, 1);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(sig2, 64);
    CHECK_EQ(bad, 0);
    CHECK(memcmp(sig2[0], want, 64) != 0);
    pub[0][0] = 0x04;
    th_unhex_n(UX_A25, pub[0] + 1, 32);
    th_unhex_n(UY_A25, pub[0] + 33, 32);
    CHECK_EQ(impl->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                          (const uint8_t(*)[64])sig2, 1),
             0);
}

static void unavailable(void) { th_skip("not runnable on this CPU (or under valgrind)"); }

int main(void)
{
    static char names[3 * 8][64];
    int nn = 0;
    uint64_t have = cd_cpu_features();
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {{"keygen", ct_keygen}, {"derive", ct_derive}, {"sign", ct_sign}};
    for (unsigned i = 0; i < cd_p256_nimpls; i++) {
        impl = cd_p256_impls[i];
        if ((impl->needs & ~have) != 0) {
            printf("p256 %s UNAVAILABLE\n", impl->name);
            th_case(impl->name, unavailable);
            continue;
        }
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            char *nm = names[nn++ % 24];
            snprintf(nm, sizeof names[0], "ct_p256_%s_%s", impl->name, cases[c].name);
            th_case(nm, cases[c].fn);
        }
    }
    return th_done();
}
