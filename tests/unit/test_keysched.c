/* test_keysched.c — engine/keysched.c: the TLS 1.2 PRF (RFC 5246 §5) against OpenSSL's
 * "TLS1-PRF" KDF as an independent oracle, the widely circulated TLS 1.2 PRF test vectors, and
 * the composition of master secret (§8.1), extended master secret (RFC 7627 §4), key block
 * (§6.3) and Finished verify_data (§7.4.9): label and seed order are checked for each. */
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdlib.h>
#include <string.h>

#include "keysched.h"
#include "th.h"


/* OpenSSL's TLS1-PRF: P_<digest>(secret, label || s1 || s2). The seed pieces are joined here
 * so that the oracle does not depend on how keysched.c lays them out. Returns 1 on success. */
static int oracle(enum cd_hash h, const uint8_t *secret, size_t slen, const char *label,
                  const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2, uint8_t *out,
                  size_t outlen)
{
    size_t ll = strlen(label);
    uint8_t *seed = malloc(ll + n1 + n2 + 1);
    if (!seed) return 0;
    memcpy(seed, label, ll);
    if (n1) memcpy(seed + ll, s1, n1);
    if (n2) memcpy(seed + ll + n1, s2, n2);
    static const uint8_t nokey[1];
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *c = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[4] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                         (char *)(h == CD_SHA384 ? "SHA384" : "SHA256"), 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET,
                                          (void *)(slen ? secret : nokey), slen),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, ll + n1 + n2),
        OSSL_PARAM_construct_end(),
    };
    int ok = c && EVP_KDF_derive(c, out, outlen, p) == 1;
    EVP_KDF_CTX_free(c);
    EVP_KDF_free(kdf);
    free(seed);
    return ok;
}

/* The TLS 1.2 PRF vectors circulated on the IETF TLS list (label "test label"). The expected
 * output is checked against the OpenSSL oracle too, so a typo here cannot pass silently. */
static void t_published(void)
{
    static const struct {
        enum cd_hash h;
        const char *secret, *seed, *out;
    } v[] = {
        {CD_SHA256, "9bbe436ba940f017b17652849a71db35", "a0ba9f936cda311827a6f796ffd5198c",
         "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a4"
         "6b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d1"
         "22ee42c5a72e5a5110fff70187347b66"},
        {CD_SHA384, "b80b733d6ceefcdc71566ea48e5567df", "cd665cf6a8447dd6ff8b27555edb7465",
         "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82"
         "b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473"
         "ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9"
         "aee691c8f3a26854308d5eaa3be85e0990703d73e56f"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t secret[16], seed[16], want[200], got[201], ref[200];
        CHECK(th_unhex(v[i].secret, secret, sizeof secret) == 16);
        CHECK(th_unhex(v[i].seed, seed, sizeof seed) == 16);
        long n = th_unhex(v[i].out, want, sizeof want);
        CHECK(n == (v[i].h == CD_SHA384 ? 148 : 100));
        if (n <= 0) continue;
        CHECK(oracle(v[i].h, secret, 16, "test label", seed, 16, NULL, 0, ref, (size_t)n));
        CHECK_MEM(ref, want, (size_t)n);
        got[n] = 0xee;
        CHECK(ks_prf(v[i].h, secret, 16, "test label", seed, 16, NULL, 0, got, (size_t)n) == 0);
        CHECK_MEM(got, want, (size_t)n);
        CHECK(got[n] == 0xee);
        /* The same seed split across seed1/seed2 at every point gives the same output. */
        for (size_t cut = 0; cut <= 16; cut++) {
            memset(got, 0, sizeof got);
            CHECK(ks_prf(v[i].h, secret, 16, "test label", seed, cut, seed + cut, 16 - cut, got,
                         (size_t)n) == 0);
            CHECK_MEM(got, want, (size_t)n);
        }
        /* A shorter output is a prefix of the longer one. */
        CHECK(ks_prf(v[i].h, secret, 16, "test label", seed, 16, NULL, 0, got, 13) == 0);
        CHECK_MEM(got, want, 13);
    }
}

/* Random secrets (including empty and longer than the HMAC block), labels, seeds, lengths. */
static void t_random_vs_oracle(void)
{
    static const char *labels[] = {"", "a", "master secret", "key expansion", "client finished",
                                   "extended master secret", "a label long enough to matter ..."};
    unsigned cnt = 0;
    for (unsigned it = 0; it < 800; it++) {
        enum cd_hash h = (it & 1) ? CD_SHA384 : CD_SHA256;
        uint8_t secret[300], s1[120], s2[120], got[1025], ref[1024];
        size_t slen = it < 4 ? it : th_rnd_below(sizeof secret);
        size_t n1 = th_rnd_below(sizeof s1), n2 = th_rnd_below(3) ? th_rnd_below(sizeof s2) : 0;
        size_t outlen = it < 100 ? it : 1 + th_rnd_below(1024);
        const char *label = labels[th_rnd_below(sizeof labels / sizeof *labels)];
        if (!*label && n1 + n2 == 0) n1 = 1; /* OpenSSL refuses an empty seed */
        th_rnd_bytes(secret, slen);
        th_rnd_bytes(s1, n1);
        th_rnd_bytes(s2, n2);
        got[outlen] = 0xee;
        CHECK(ks_prf(h, secret, slen, label, s1, n1, n2 ? s2 : NULL, n2, got, outlen) == 0);
        CHECK(got[outlen] == 0xee);
        if (outlen == 0) continue; /* OpenSSL refuses a zero-length output */
        CHECKF(oracle(h, secret, slen, label, s1, n1, s2, n2, ref, outlen),
               "oracle failed (slen %zu, seed %zu+%zu, out %zu)", slen, n1, n2, outlen);
        CHECKF(memcmp(got, ref, outlen) == 0,
               "PRF-%s differs from OpenSSL: secret %zu, label '%s', seed %zu+%zu, out %zu",
               h == CD_SHA384 ? "SHA384" : "SHA256", slen, label, n1, n2, outlen);
        cnt++;
    }
    th_note("%u PRF outputs match OpenSSL TLS1-PRF", cnt);
}

static void t_bounds(void)
{
    uint8_t secret[48] = {1}, seed[64] = {2}, out[1025];
    CHECK(ks_prf(CD_SHA256, secret, 48, "x", seed, 64, NULL, 0, out, 1024) == 0);
    CHECK(ks_prf(CD_SHA256, secret, 48, "x", seed, 64, NULL, 0, out, 1025) == -1);
    CHECK(ks_prf(CD_SHA384, secret, 48, "x", seed, 64, NULL, 0, out, (size_t)-1) == -1);
    CHECK(ks_prf(CD_SHA256, secret, 48, "x", seed, (size_t)-1, seed, 2, out, 12) == -1);
    CHECK(ks_prf(CD_SHA256, secret, 48, NULL, seed, 64, NULL, 0, out, 0) == 0);
}

/* Master secret, EMS, key block and verify_data: the right label and seed order. Each is
 * checked against the oracle given the RFC's formula, and against the wrong seed order. */
static void t_composition(void)
{
    for (unsigned it = 0; it < 40; it++) {
        enum cd_hash h = (it & 1) ? CD_SHA384 : CD_SHA256;
        uint8_t pms[48], cr[32], sr[32], sh[48], ms[48], ref[128], bad[128], kb[128], vd[12];
        size_t pmslen = (it % 4 < 2) ? 32 : 48; /* ECDHE x25519/P-256 : RSA */
        size_t hl = cd_hash_len(h);
        th_rnd_bytes(pms, sizeof pms);
        th_rnd_bytes(cr, sizeof cr);
        th_rnd_bytes(sr, sizeof sr);
        th_rnd_bytes(sh, sizeof sh);

        ks_master_secret(h, pms, pmslen, cr, sr, ms);
        CHECK(oracle(h, pms, pmslen, "master secret", cr, 32, sr, 32, ref, 48));
        CHECK_MEM(ms, ref, 48);
        CHECK(oracle(h, pms, pmslen, "master secret", sr, 32, cr, 32, bad, 48));
        CHECK(memcmp(ms, bad, 48) != 0);

        ks_extended_master_secret(h, pms, pmslen, sh, hl, ms);
        CHECK(oracle(h, pms, pmslen, "extended master secret", sh, hl, NULL, 0, ref, 48));
        CHECK_MEM(ms, ref, 48);

        size_t n = 40 + th_rnd_below(89); /* AES-128-GCM needs 40, AES-256-GCM 72 */
        ks_key_block(h, ms, sr, cr, kb, n);
        CHECK(oracle(h, ms, 48, "key expansion", sr, 32, cr, 32, ref, n));
        CHECK_MEM(kb, ref, n);
        CHECK(oracle(h, ms, 48, "key expansion", cr, 32, sr, 32, bad, n));
        CHECK(memcmp(kb, bad, n) != 0);

        ks_verify_data(h, ms, 1, sh, hl, vd);
        CHECK(oracle(h, ms, 48, "client finished", sh, hl, NULL, 0, ref, 12));
        CHECK_MEM(vd, ref, 12);
        ks_verify_data(h, ms, 0, sh, hl, vd);
        CHECK(oracle(h, ms, 48, "server finished", sh, hl, NULL, 0, ref, 12));
        CHECK_MEM(vd, ref, 12);
    }
}

int main(void)
{
    th_case("prf_published_vectors", t_published);
    th_case("prf_random_vs_openssl", t_random_vs_oracle);
    th_case("prf_bounds", t_bounds);
    th_case("ms_ems_keyblock_verify_data", t_composition);
    return th_done();
}
