/* ct_p256_avx2.c — constant-time check (ctgrind) of the four-lane AVX2 P-256 kernel on full
 * and partial batches: every private key, the hedging data and everything derived from them are
 * marked undefined, so memcheck reports any branch or memory index that depends on them
 * (tests/ct/run.sh). Outputs are declassified and compared with known answers, so a wrong
 * result fails too. ct_p256.c covers the kernel only when valgrind shows ADX in CPUID, which
 * valgrind 3.19 does not; this program runs it regardless (see main). */
#include <stdio.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "th.h"

extern const cd_p256 cd_p256_avx2;
static const cd_p256 *const V = &cd_p256_avx2;

/* RFC 6979 §A.2.5 key and "sample" signature (SHA-256) */
#define X_A25    "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"
#define UX_A25   "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
#define UY_A25   "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
#define H_SAMPLE "af2bdbe1aa9b6ec1e2ade1d694f41fc71a831d0268e9891562113d8a62add1bf"
#define R_SAMPLE "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
#define S_SAMPLE "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
/* Wycheproof ecdh_secp256r1_ecpoint_test tcId 1 */
#define D_ECDH "0612465c89a023ab17855b0a6bcebfd3febb53aef84138647b5352e02c10c346"
#define Q_ECDH                                                                                     \
    "0462d5bd3372af75fe85a040715d0f502428e07046868b0bfdfa61d731afe44f26ac333a93a9e70a81cd5a95b5"   \
    "bf8d13990eb741c8c38872b4a07d275a014e30cf"
#define Z_ECDH "53020d908b0219328b658b525f26780e3ae12bcd952bb25a93bc0895e1714285"

/* lanes: the A.2.5 key, 1, n - 1 (all-ones top windows, negative digits), and a zero key
 * (invalid: must fail through the mask only) */
static void keys(uint8_t priv[4][32])
{
    th_unhex_n(X_A25, priv[0], 32);
    memset(priv[1], 0, 32);
    priv[1][31] = 1;
    th_unhex_n("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", priv[2], 32);
    memset(priv[3], 0, 32);
}

static void ct_keygen(void)
{
    uint8_t priv[4][32], pub[4][65], want[65];
    static const unsigned sizes[2] = {4, 1}; /* a full batch and a padded one */
    for (int b = 0; b < 2; b++) {
        unsigned n = sizes[b];
        keys(priv);
        CT_SECRET(priv, sizeof priv);
        uint32_t bad = V->keygen(pub, (const uint8_t(*)[32])priv, n);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(pub, sizeof pub);
        CHECK_EQ(bad, n == 4 ? 8u : 0u);
        want[0] = 0x04;
        th_unhex_n(UX_A25, want + 1, 32);
        th_unhex_n(UY_A25, want + 33, 32);
        CHECK_MEM(pub[0], want, 65);
        if (n == 4) {
            th_unhex_n("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296", want + 1, 32);
            th_unhex_n("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5", want + 33,
                  32);
            CHECK_MEM(pub[1], want, 65);
            /* (n - 1) G = -G: same x, y = p - y(G) */
            th_unhex_n("b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a", want + 33,
                  32);
            CHECK_MEM(pub[2], want, 65);
        }
    }
}

static void ct_derive(void)
{
    uint8_t priv[4][32], peer[4][65], out[4][32], want[32];
    static const unsigned sizes[2] = {4, 1};
    for (int b = 0; b < 2; b++) {
        unsigned n = sizes[b];
        for (int l = 0; l < 4; l++) {
            th_unhex_n(D_ECDH, priv[l], 32);
            th_unhex_n(Q_ECDH, peer[l], 65);
        }
        priv[1][31] ^= 1;       /* a different key: different result, same path */
        memset(priv[2], 0, 32); /* invalid key */
        peer[3][0] = 0x05;      /* invalid (public) point */
        CT_SECRET(priv, sizeof priv);
        uint32_t bad = V->derive(out, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, n);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(out, sizeof out);
        CHECK_EQ(bad, n == 4 ? 0xcu : 0u);
        th_unhex_n(Z_ECDH, want, 32);
        CHECK_MEM(out[0], want, 32);
        if (n == 4) CHECK(memcmp(out[1], want, 32) != 0);
    }
}

static void ct_sign(void)
{
    uint8_t priv[4][32], h[4][32], sig[4][64], want[64], extra[4][32];
    keys(priv);
    for (int l = 0; l < 4; l++)
        th_unhex_n(H_SAMPLE, h[l], 32);
    th_unhex_n(R_SAMPLE, want, 32);
    th_unhex_n(S_SAMPLE, want + 32, 32);
    CT_SECRET(priv, sizeof priv);
    uint32_t bad = V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, 4);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(sig, sizeof sig);
    CHECK_EQ(bad, 8);
    CHECK_MEM(sig[0], want, 64);
    /* hedged, padded batch of three: the additional data is secret too */
    keys(priv);
    memset(extra, 0x5a, sizeof extra);
    CT_SECRET(priv, sizeof priv);
    CT_SECRET(extra, sizeof extra);
    bad = V->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h,
                  (const uint8_t(*)[32])extra, 3);
    CT_PUBLIC(&bad, sizeof bad);
    CT_PUBLIC(sig, sizeof sig);
    CHECK_EQ(bad, 0);
    CHECK(memcmp(sig[0], want, 64) != 0);
    uint8_t pub[1][65];
    pub[0][0] = 0x04;
    th_unhex_n(UX_A25, pub[0] + 1, 32);
    th_unhex_n(UY_A25, pub[0] + 33, 32);
    CHECK_EQ(
        V->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h, (const uint8_t(*)[64])sig, 1),
        0);
}

static void unavailable(void)
{
    th_skip("this CPU lacks AVX2/BMI2");
}

int main(void)
{
    uint64_t have = cd_cpu_features();
    /* valgrind 3.19 hides ADX in CPUID (it cannot execute adcx/adox) although it runs AVX2 and
     * BMI2. keygen, derive and sign never use ADX (only verify does, for one or two signatures:
     * p256_verify_mulx.c, variable time by design and not checked here); should one of them
     * ever execute adcx/adox, valgrind stops with SIGILL and this check fails, which is what
     * we want. */
    if (RUNNING_ON_VALGRIND && (have & CD_F_AVX2)) {
        have |= CD_F_ADX;
        printf("p256 avx2: under valgrind, ADX treated as present (only verify uses it)\n");
    }
    if ((V->needs & ~have) != 0) {
        printf("p256 avx2 UNAVAILABLE\n");
        th_case("ct_p256_avx2", unavailable);
        return th_done();
    }
    th_case("ct_p256_avx2_keygen", ct_keygen);
    th_case("ct_p256_avx2_derive", ct_derive);
    th_case("ct_p256_avx2_sign", ct_sign);
    return th_done();
}
