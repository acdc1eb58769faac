/* test_rsa_own.c — our own RSA private operation (engine/rsa_own*.c) against libcrypto:
 * raw private operations equal for random RSA-2048 keys and inputs (3072/4096 stay on
 * libcrypto),
 * PKCS#1 v1.5 signatures byte-identical, PSS signatures verified by libcrypto, Wycheproof
 * RSAES-PKCS1-v1_5 decryption vectors through our raw operation, the public (fault) check
 * rejecting an injected fault, c >= n refused, and the dispatch name. libcrypto is the oracle. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "cd.h"
#include "cd_ossl.h"
#include "rsa_own.h"
#include "rsa_raw.h"
#include "th.h"

static int have_mulx(void)
{
    if (!rsa_own_usable()) {
        th_skip("UNAVAILABLE: this CPU lacks AVX2+BMI2+ADX (RSA stays on libcrypto)");
        return 0;
    }
    return 1;
}

/* a cd_privkey on pk with our precomputation (own = 1) or libcrypto only (own = 0) */
static void mk(cd_privkey *k, EVP_PKEY *pk, int own)
{
    memset(k, 0, sizeof *k);
    k->type = CD_KEY_RSA;
    k->bits = (unsigned)EVP_PKEY_get_bits(pk);
    k->pkey = pk;
    if (own) CHECKF(cd_privkey_rsa_own(k) == 0, "RSA-%u: own key setup refused", k->bits);
}

static void unmk(cd_privkey *k)
{
    rsa_own_free(k->rsa_own);
    k->rsa_own = NULL;
}

static EVP_PKEY *gen_key(unsigned bits)
{
    EVP_PKEY *pk = EVP_RSA_gen(bits);
    CHECKF(pk != NULL, "EVP_RSA_gen(%u)", bits);
    return pk;
}

/* random x < n: top byte below n's top byte */
static void rnd_below_n(const uint8_t *n, size_t kl, uint8_t *x)
{
    th_rnd_bytes(x, kl);
    x[0] = (uint8_t)(x[0] % n[0]);
}

static void modulus(EVP_PKEY *pk, uint8_t *n, size_t kl)
{
    BIGNUM *bn = NULL;
    CHECK(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &bn) &&
          BN_bn2binpad(bn, n, (int)kl) == (int)kl);
    BN_free(bn);
}

/* raw private operation: ours == libcrypto's, and edge inputs */
static void check_raw(EVP_PKEY *pk, unsigned trials)
{
    cd_privkey k;
    mk(&k, pk, 1);
    if (!k.rsa_own) return;
    size_t kl = k.bits / 8;
    CHECK_EQ(rsa_own_len(k.rsa_own), kl);
    uint8_t n[512], x[512], a[512], b[512];
    modulus(pk, n, kl);
    for (unsigned t = 0; t < trials; t++) {
        rnd_below_n(n, kl, x);
        if (t == 0) memset(x, 0, kl);       /* 0 */
        if (t == 1) {                        /* 1 */
            memset(x, 0, kl);
            x[kl - 1] = 1;
        }
        if (t == 2) {                        /* n - 1 */
            memcpy(x, n, kl);
            x[kl - 1] -= 1;
        }
        CHECK(rsa_own_private(k.rsa_own, x, a) == 0);
        CHECK(rsa_raw_private(pk, x, kl, b) == 0);
        CHECK_MEM(a, b, kl);
    }
    /* c >= n: refused (RFC 8017 §5.1.2 step 1), as libcrypto does */
    CHECK(rsa_own_private(k.rsa_own, n, a) == -1);
    memset(x, 0xff, kl);
    CHECK(rsa_own_private(k.rsa_own, x, a) == -1);
    CHECK(rsa_raw_private(pk, x, kl, b) == -1);
    unmk(&k);
}

static void t_raw_2048(void)
{
    if (!have_mulx()) return;
    th_rnd_seed(2048);
    for (int i = 0; i < 4; i++) {
        EVP_PKEY *pk = gen_key(2048);
        if (!pk) return;
        check_raw(pk, 24);
        EVP_PKEY_free(pk);
    }
}

/* RSA-3072/4096 stay on libcrypto (our kernel is for 1024-bit primes) and still sign */
static void t_other_sizes(void)
{
    if (!have_mulx()) return;
    th_rnd_seed(3072);
    unsigned bits[] = {3072, 4096};
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *pk = gen_key(bits[i]);
        if (!pk) return;
        cd_privkey k;
        mk(&k, pk, 0);
        CHECK(cd_privkey_rsa_own(&k) == -1 && k.rsa_own == NULL);
        CHECK(strcmp(cd_rsa_priv_impl(&k), "libcrypto") == 0);
        cd_pubkey pub = {.type = CD_KEY_RSA, .bits = k.bits, .pkey = pk};
        uint8_t dg[32] = {7}, sg[512];
        size_t l = sizeof sg;
        CHECK(cd_rsa_sign(&k, 0x0804, dg, 32, sg, &l) == 0);
        CHECK(cd_rsa_verify(&pub, 0x0804, dg, 32, sg, l) == 0);
        EVP_PKEY_free(pk);
    }
}

/* keys from tests/gen-certs.sh through cd_privkey_load (the server's path) */
static void t_loaded_keys(void)
{
    if (!have_mulx()) return;
    const char *d = getenv("MBSHAKE_CERTS");
    char f[1024];
    if (!d) {
        th_skip("MBSHAKE_CERTS unset");
        return;
    }
    const char *kinds[] = {"rsa2048", "rsa3072", "rsa4096"};
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s/%s.key", d, kinds[i]);
        if (access(f, R_OK) != 0) {
            th_skip("%s missing (run tests/gen-certs.sh)", f);
            return;
        }
        cd_privkey k;
        char err[256];
        CHECKF(cd_privkey_load(&k, f, err, sizeof err) == 0, "%s", err);
        CHECKF((k.rsa_own != NULL) == (i == 0), "%s: own RSA %p", kinds[i], k.rsa_own);
        CHECK(strcmp(cd_rsa_priv_impl(&k), i == 0 ? "mbshake-avx2" : "libcrypto") == 0);
        if (i == 0) check_raw(k.pkey, 12);
        cd_privkey_free(&k);
    }
}

/* cd_rsa_sign: PKCS#1 v1.5 byte-identical to libcrypto's; PSS verifies with libcrypto */
static void check_sign(EVP_PKEY *pk)
{
    cd_privkey own, ref;
    mk(&own, pk, 1);
    mk(&ref, pk, 0);
    if (!own.rsa_own) return;
    cd_pubkey pub = {.type = CD_KEY_RSA, .bits = own.bits, .pkey = pk};
    static const struct {
        uint16_t scheme;
        size_t dlen;
        const char *md;
    } sch[] = {{0x0401, 32, "SHA256"}, {0x0501, 48, "SHA384"}, {0x0601, 64, "SHA512"},
               {0x0804, 32, "SHA256"}, {0x0805, 48, "SHA384"}};
    for (size_t s = 0; s < sizeof sch / sizeof *sch; s++) {
        for (int t = 0; t < 3; t++) {
            uint8_t dg[64], s1[512], s2[512];
            size_t l1 = sizeof s1, l2 = sizeof s2;
            th_rnd_bytes(dg, sizeof dg);
            CHECK(cd_rsa_sign(&own, sch[s].scheme, dg, sch[s].dlen, s1, &l1) == 0);
            CHECK_EQ(l1, own.bits / 8);
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, dg, sch[s].dlen, s1, l1) == 0);
            /* and libcrypto's own verifier, parameters spelled out */
            EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
            int pss = sch[s].scheme >= 0x0804;
            const EVP_MD *md = EVP_get_digestbyname(sch[s].md);
            int padding = pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
            int ok = c && EVP_PKEY_verify_init(c) > 0 &&
                     EVP_PKEY_CTX_set_rsa_padding(c, padding) > 0 &&
                     EVP_PKEY_CTX_set_signature_md(c, md) > 0 &&
                     (!pss || (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, (int)sch[s].dlen) > 0 &&
                               EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) > 0)) &&
                     EVP_PKEY_verify(c, s1, l1, dg, sch[s].dlen) == 1;
            EVP_PKEY_CTX_free(c);
            ERR_clear_error();
            CHECKF(ok, "scheme %04x: libcrypto rejects our signature", sch[s].scheme);
            CHECK(cd_rsa_sign(&ref, sch[s].scheme, dg, sch[s].dlen, s2, &l2) == 0);
            if (!pss) {
                CHECK_MEM(s1, s2, l1);
            } else {
                CHECK(memcmp(s1, s2, l1) != 0); /* random salt */
                uint8_t s3[512];
                size_t l3 = sizeof s3;
                CHECK(cd_rsa_sign(&own, sch[s].scheme, dg, sch[s].dlen, s3, &l3) == 0);
                CHECK(memcmp(s1, s3, l1) != 0);
            }
        }
        uint8_t dg[64] = {0}, sg[512];
        size_t l = sizeof sg;
        CHECK(cd_rsa_sign(&own, sch[s].scheme, dg, sch[s].dlen - 1, sg, &l) == -1);
    }
    uint8_t dg[32] = {0}, sg[512];
    size_t l = sizeof sg;
    CHECK(cd_rsa_sign(&own, 0x0403, dg, 32, sg, &l) == -1); /* ECDSA scheme */
    l = 100;
    CHECK(cd_rsa_sign(&own, 0x0401, dg, 32, sg, &l) == -1); /* no room */
    unmk(&own);
}

static void t_sign(void)
{
    if (!have_mulx()) return;
    th_rnd_seed(7);
    unsigned bits[] = {2048, 2048, 2048};
    for (int i = 0; i < 3; i++) {
        EVP_PKEY *pk = gen_key(bits[i]);
        if (!pk) return;
        check_sign(pk);
        EVP_PKEY_free(pk);
    }
}

/* the public check catches a corrupted CRT result: no output, an error, a random premaster */
static void t_fault(void)
{
    if (!have_mulx()) return;
    th_rnd_seed(99);
    EVP_PKEY *pk = gen_key(2048);
    if (!pk) return;
    cd_privkey k;
    mk(&k, pk, 1);
    if (!k.rsa_own) return;
    uint8_t n[256], x[256], y[256], zero[256] = {0};
    modulus(pk, n, 256);
    rnd_below_n(n, 256, x);
    rsa_own_inject_fault(1);
    memset(y, 0x55, sizeof y);
    CHECK(rsa_own_private(k.rsa_own, x, y) == -1);
    CHECK_MEM(y, zero, 256); /* nothing of the faulty result leaves */
    CHECK(rsa_own_private(k.rsa_own, x, y) == 0); /* one fault only */
    uint8_t b[256];
    CHECK(rsa_raw_private(pk, x, 256, b) == 0);
    CHECK_MEM(y, b, 256);

    uint8_t dg[32] = {1}, sg[256];
    size_t l = sizeof sg;
    rsa_own_inject_fault(1);
    CHECK(cd_rsa_sign(&k, 0x0401, dg, 32, sg, &l) == -1);
    l = sizeof sg;
    rsa_own_inject_fault(1);
    CHECK(cd_rsa_sign(&k, 0x0804, dg, 32, sg, &l) == -1);

    /* premaster: a valid block decrypts, the same block with a fault gives R */
    uint8_t em[256], c[256], p[48];
    em[0] = 0;
    em[1] = 2;
    for (size_t i = 2; i < 256 - 49; i++) em[i] = (uint8_t)(1 + i % 200);
    em[256 - 49] = 0;
    th_rnd_bytes(em + 256 - 48, 48);
    em[256 - 48] = 3;
    em[256 - 47] = 3;
    CHECK(rsa_raw_public(pk, em, 256, c) == 0);
    cd_rsa_decrypt_pms(&k, c, 256, 0x0303, p);
    CHECK_MEM(p, em + 256 - 48, 48);
    rsa_own_inject_fault(1);
    cd_rsa_decrypt_pms(&k, c, 256, 0x0303, p);
    CHECK(memcmp(p, em + 256 - 48, 48) != 0);
    rsa_own_inject_fault(0);
    unmk(&k);
    EVP_PKEY_free(pk);
}

/* PKCS#1 v1.5 decoding, variable time (test side only): message length or -1 */
static long pkcs1_decode(const uint8_t *em, size_t k, uint8_t *msg)
{
    if (k < 11 || em[0] != 0 || em[1] != 2) return -1;
    size_t i = 2;
    while (i < k && em[i] != 0) i++;
    if (i == k || i < 10) return -1;
    memcpy(msg, em + i + 1, k - i - 1);
    return (long)(k - i - 1);
}

static uint8_t *unhex_alloc(const char *hex, size_t *n)
{
    size_t cap = strlen(hex) / 2 + 1;
    uint8_t *p = malloc(cap);
    long r = th_unhex(hex, p, cap);
    if (r < 0) {
        free(p);
        return NULL;
    }
    *n = (size_t)r;
    return p;
}

static void t_wycheproof(void)
{
    if (!have_mulx()) return;
    json_t *root = th_wycheproof("rsa_pkcs1_2048_test.json");
    if (!root) return;
    size_t gi, ti, nvalid = 0, ninvalid = 0;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        BIO *b = BIO_new_mem_buf(th_jstr(g, "privateKeyPem"), -1);
        EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        BIO_free(b);
        CHECKF(pk != NULL, "group %zu: private key PEM", gi);
        if (!pk) continue;
        cd_privkey k;
        mk(&k, pk, 1);
        size_t kl = k.bits / 8;
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            size_t mlen = 0, clen = 0;
            uint8_t *msg = unhex_alloc(th_jstr(t, "msg"), &mlen);
            uint8_t *c = unhex_alloc(th_jstr(t, "ct"), &clen);
            long long id = (long long)json_integer_value(json_object_get(t, "tcId"));
            int valid = !strcmp(th_jstr(t, "result"), "valid");
            uint8_t em[512], ref[512], out[512];
            if (!msg || !c || !k.rsa_own) {
                CHECKF(0, "tcId %lld: hex or key", id);
            } else if (clen != kl) {
                CHECKF(!valid, "tcId %lld: valid with a %zu-byte ciphertext", id, clen);
                ninvalid++;
            } else {
                int rc = rsa_own_private(k.rsa_own, c, em);
                int rr = rsa_raw_private(pk, c, kl, ref);
                CHECKF(rc == rr, "tcId %lld: ours %d, libcrypto %d", id, rc, rr);
                if (rc == 0 && rr == 0) CHECK_MEM(em, ref, kl);
                long ml = rc == 0 ? pkcs1_decode(em, kl, out) : -1;
                if (valid) {
                    CHECKF(ml == (long)mlen && !memcmp(out, msg, mlen), "tcId %lld: message", id);
                    nvalid++;
                } else {
                    CHECKF(ml < 0 || ml != (long)mlen || memcmp(out, msg, mlen) != 0,
                           "tcId %lld: invalid vector decrypted to its message", id);
                    ninvalid++;
                }
                /* and the TLS path: a valid 48-byte message with its version is the premaster */
                if (valid && mlen == 48) {
                    uint8_t p[48];
                    cd_rsa_decrypt_pms(&k, c, clen, (uint16_t)(msg[0] << 8 | msg[1]), p);
                    CHECK_MEM(p, msg, 48);
                }
            }
            free(msg);
            free(c);
        }
        unmk(&k);
        EVP_PKEY_free(pk);
    }
    th_note("wycheproof rsa_pkcs1_2048: %zu valid, %zu invalid through our private op", nvalid,
            ninvalid);
    CHECK(nvalid > 0);
    json_decref(root);
}

/* dispatch: the name says what runs; --isa scalar keeps libcrypto */
static void t_dispatch(void)
{
    uint64_t f = cd_cpu_features();
    int cpu = (f & CD_NEEDS_AVX2) == CD_NEEDS_AVX2;
    CHECK(rsa_own_usable() == cpu);
    CHECK(strcmp(rsa_own_impl_name(), cpu ? "mbshake-avx2" : "libcrypto") == 0);
    cd_privkey none = {.type = CD_KEY_RSA};
    CHECK(strcmp(cd_rsa_priv_impl(&none), "libcrypto") == 0);
    if (!cpu) {
        th_skip("UNAVAILABLE: no AVX2+BMI2+ADX");
        return;
    }
    th_rnd_seed(5);
    EVP_PKEY *pk = gen_key(2048);
    if (!pk) return;
    cd_privkey k;
    mk(&k, pk, 1);
    CHECK(strcmp(cd_rsa_priv_impl(&k), "mbshake-avx2") == 0);
    CHECK(cd_isa_force("scalar", NULL) == 0);
    CHECK(!rsa_own_usable());
    CHECK(strcmp(cd_rsa_priv_impl(&k), "libcrypto") == 0);
    uint8_t dg[32] = {9}, s1[256], s2[256];
    size_t l1 = sizeof s1, l2 = sizeof s2;
    CHECK(cd_rsa_sign(&k, 0x0401, dg, 32, s1, &l1) == 0); /* libcrypto */
    CHECK(cd_isa_force(NULL, NULL) == 0);
    CHECK(cd_rsa_sign(&k, 0x0401, dg, 32, s2, &l2) == 0); /* ours */
    CHECK(l1 == l2 && !memcmp(s1, s2, l1));
    /* unsupported shapes stay on libcrypto: RSA-2304 (1152-bit primes) */
    EVP_PKEY *odd = gen_key(2304);
    if (odd) {
        cd_privkey ko;
        mk(&ko, odd, 0);
        CHECK(cd_privkey_rsa_own(&ko) == -1 && ko.rsa_own == NULL);
        CHECK(strcmp(cd_rsa_priv_impl(&ko), "libcrypto") == 0);
        EVP_PKEY_free(odd);
    }
    unmk(&k);
    EVP_PKEY_free(pk);
}

int main(void)
{
    /* ours is opt-in (rsa_own.h); this binary tests it, so it opts in before the first use */
    setenv("MBSHAKE_RSA", "own", 1);
    th_case("dispatch", t_dispatch);
    th_case("raw_private_2048_vs_libcrypto", t_raw_2048);
    th_case("rsa3072_4096_stay_libcrypto", t_other_sizes);
    th_case("loaded_keys", t_loaded_keys);
    th_case("sign_pkcs1_identical_pss_verifies", t_sign);
    th_case("fault_check", t_fault);
    th_case("wycheproof_rsa_pkcs1_2048_decrypt", t_wycheproof);
    return th_done();
}
