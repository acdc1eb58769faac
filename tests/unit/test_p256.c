/* test_p256.c — every cd_p256 implementation this CPU runs: Wycheproof ECDH (raw points and
 * SubjectPublicKeyInfo) and ECDSA (DER and P1363) vectors, RFC 6979 §A.2.5, cross-validation
 * against OpenSSL libcrypto (the oracle: keygen, ECDH, signatures both ways, tampering), batch
 * failure masks (the ECDSA vectors also in batches of every size), and strict DER for
 * ECDSA-Sig-Value; then internals: the variable-time and blinded inversions, wNAF recoding, and
 * p256_verify_mulx (which the AVX2 table uses for one or two signatures) on its own. */
#define OPENSSL_SUPPRESS_DEPRECATED /* EC_KEY/ECDSA_do_*: the shortest oracle code */
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdh.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "ecdsa_der.h"
#include "p256_internal.h"
#include "th.h"

static const cd_p256 *impl;
static EC_GROUP *grp;

static const uint8_t order_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

static void rnd_priv(uint8_t k[32])
{
    do th_rnd_bytes(k, 32);
    while (memcmp(k, order_be, 32) >= 0);
}

/* ---- OpenSSL oracle ------------------------------------------------------------------- */
static EC_KEY *ossl_key(const uint8_t priv[32])
{
    EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *d = BN_bin2bn(priv, 32, NULL);
    EC_POINT *p = EC_POINT_new(grp);
    EC_POINT_mul(grp, p, d, NULL, NULL, NULL);
    EC_KEY_set_private_key(k, d);
    EC_KEY_set_public_key(k, p);
    EC_POINT_free(p);
    BN_free(d);
    return k;
}
static void ossl_pub(const uint8_t priv[32], uint8_t pub[65])
{
    EC_KEY *k = ossl_key(priv);
    EC_POINT_point2oct(grp, EC_KEY_get0_public_key(k), POINT_CONVERSION_UNCOMPRESSED, pub, 65,
                       NULL);
    EC_KEY_free(k);
}
static int ossl_ecdh(const uint8_t priv[32], const uint8_t peer[65], uint8_t out[32])
{
    EC_KEY *k = ossl_key(priv);
    EC_POINT *p = EC_POINT_new(grp);
    int ok = EC_POINT_oct2point(grp, p, peer, 65, NULL) == 1 &&
             ECDH_compute_key(out, 32, p, k, NULL) == 32;
    EC_POINT_free(p);
    EC_KEY_free(k);
    return ok;
}
static EC_KEY *ossl_pubkey(const uint8_t pub[65])
{
    EC_KEY *k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *p = EC_POINT_new(grp);
    if (EC_POINT_oct2point(grp, p, pub, 65, NULL) != 1 || EC_KEY_set_public_key(k, p) != 1) {
        EC_KEY_free(k);
        k = NULL;
    }
    EC_POINT_free(p);
    return k;
}
static int ossl_verify(const uint8_t pub[65], const uint8_t hash[32], const uint8_t rs[64])
{
    EC_KEY *k = ossl_pubkey(pub);
    ECDSA_SIG *s = ECDSA_SIG_new();
    ECDSA_SIG_set0(s, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL));
    int ok = k && ECDSA_do_verify(hash, 32, s, k) == 1;
    ECDSA_SIG_free(s);
    EC_KEY_free(k);
    return ok;
}
static void ossl_sign(const uint8_t priv[32], const uint8_t hash[32], uint8_t rs[64])
{
    EC_KEY *k = ossl_key(priv);
    ECDSA_SIG *s = ECDSA_do_sign(hash, 32, k);
    BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + 32, 32);
    ECDSA_SIG_free(s);
    EC_KEY_free(k);
}

/* ---- one-lane wrappers ---------------------------------------------------------------- */
static int our_keygen(const uint8_t priv[32], uint8_t pub[65])
{
    return impl->keygen((uint8_t(*)[65])pub, (const uint8_t(*)[32])priv, 1) == 0;
}
static int our_derive(const uint8_t priv[32], const uint8_t peer[65], uint8_t out[32])
{
    return impl->derive((uint8_t(*)[32])out, (const uint8_t(*)[32])priv,
                        (const uint8_t(*)[65])peer, 1) == 0;
}
static int our_sign(const uint8_t priv[32], const uint8_t hash[32], const uint8_t *extra,
                    uint8_t rs[64])
{
    return impl->sign((uint8_t(*)[64])rs, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])hash,
                      (const uint8_t(*)[32])extra, 1) == 0;
}
static int our_verify(const uint8_t pub[65], const uint8_t hash[32], const uint8_t rs[64])
{
    return impl->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])hash,
                        (const uint8_t(*)[64])rs, 1) == 0;
}

/* hex scalar of any length (Wycheproof keeps DER-style leading zeros) -> 32 bytes */
static int scalar_from_hex(const char *hex, uint8_t out[32])
{
    uint8_t b[64];
    long n = th_unhex(hex, b, sizeof b);
    if (n < 0) return 0;
    long i = 0;
    while (i < n && b[i] == 0) i++;
    if (n - i > 32) return 0;
    memset(out, 0, 32);
    memcpy(out + 32 - (n - i), b + i, (size_t)(n - i));
    return 1;
}

/* ---- RFC 6979 §A.2.5 ---------------------------------------------------------------------- */
static void test_rfc6979(void)
{
    static const struct {
        const char *msg, *k, *r, *s;
    } v[] = {
        {"sample", "a6e3c57dd01abe90086538398355dd4c3b17aa873382b0f24d6129493d8aad60",
         "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
         "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"},
        {"test", "d16b6ae827f17175e040871a1c7ec3500192c4c92677336ec2537acaee0008e0",
         "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367",
         "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083"},
    };
    uint8_t x[32], pub[65], want_pub[65], h[32], k[32], want[64], sig[64];
    th_unhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", x, 32);
    want_pub[0] = 0x04;
    th_unhex("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6", want_pub + 1, 32);
    th_unhex("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299", want_pub + 33, 32);
    CHECK(our_keygen(x, pub));
    CHECK_MEM(pub, want_pub, 65);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t wk[32];
        p256_rfc6979 st;
        cd_hash(CD_SHA256, v[i].msg, strlen(v[i].msg), h);
        p256_rfc6979_init(&st, x, h, NULL);
        p256_rfc6979_next(&st, k);
        th_unhex(v[i].k, wk, 32);
        CHECK_MEM(k, wk, 32);
        th_unhex(v[i].r, want, 32);
        th_unhex(v[i].s, want + 32, 32);
        CHECK(our_sign(x, h, NULL, sig));
        CHECK_MEM(sig, want, 64);
        CHECK(our_verify(pub, h, sig));
    }
}

/* RFC 6979 §3.2 h.3 retry: a later candidate differs from the first and keeps the chain */
static void test_rfc6979_retry(void)
{
    uint8_t x[32], h[32], c1[32], c2[32], c3[32];
    p256_rfc6979 a, b;
    rnd_priv(x);
    th_rnd_bytes(h, 32);
    p256_rfc6979_init(&a, x, h, NULL);
    p256_rfc6979_next(&a, c1);
    p256_rfc6979_next(&a, c2);
    CHECK(memcmp(c1, c2, 32) != 0);
    /* hedged: extra data changes the nonce; the same extra gives the same nonce */
    uint8_t e[32];
    th_rnd_bytes(e, 32);
    p256_rfc6979_init(&b, x, h, e);
    p256_rfc6979_next(&b, c3);
    CHECK(memcmp(c1, c3, 32) != 0);
    p256_rfc6979_init(&b, x, h, e);
    p256_rfc6979_next(&b, c2);
    CHECK_MEM(c2, c3, 32);
}

/* ---- Wycheproof ECDH ---------------------------------------------------------------------- */
struct tally {
    int valid, invalid, acc_yes, acc_no;
};

/* One ECDH vector given the peer as 65 raw bytes (or have_point = 0: the encoding was refused
 * before reaching derive). valid: must succeed and match; invalid: must not yield a secret;
 * acceptable: may go either way, but a secret must be the right one. */
static void ecdh_case(json_t *t, int have_point, const uint8_t peer[65], struct tally *c)
{
    uint8_t priv[32], want[32], got[32];
    const char *res = th_jstr(t, "result");
    long id = (long)json_integer_value(json_object_get(t, "tcId"));
    int wl = (int)th_unhex(th_jstr(t, "shared"), want, sizeof want);
    CHECKF(scalar_from_hex(th_jstr(t, "private"), priv), "tcId %ld: private key", id);
    int ok = have_point && our_derive(priv, peer, got);
    if (!strcmp(res, "valid")) {
        CHECKF(ok && wl == 32 && !memcmp(got, want, 32), "tcId %ld valid: derive ok=%d", id, ok);
        c->valid++;
    } else if (!strcmp(res, "invalid")) {
        CHECKF(!ok, "tcId %ld (%s): invalid peer accepted", id, th_jstr(t, "comment"));
        c->invalid++;
    } else {
        if (ok) CHECKF(wl == 32 && !memcmp(got, want, 32), "tcId %ld acceptable: wrong secret", id);
        if (ok)
            c->acc_yes++;
        else
            c->acc_no++;
    }
}

static void test_wycheproof_ecdh_ecpoint(void)
{
    json_t *root = th_wycheproof("ecdh_secp256r1_ecpoint_test.json");
    if (!root) return;
    struct tally c = {0};
    size_t gi, ti;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            uint8_t peer[128];
            long n = th_unhex(th_jstr(t, "public"), peer, sizeof peer);
            /* the API takes exactly 65 bytes (04||X||Y); other lengths (compressed points,
             * truncated encodings) are refused by the TLS parser before they get here */
            ecdh_case(t, n == 65, peer, &c);
        }
    }
    th_note("%s: %d valid derived, %d invalid rejected, acceptable: %d accepted, %d rejected",
            impl->name, c.valid, c.invalid, c.acc_yes, c.acc_no);
    CHECK(c.valid > 0 && c.invalid > 0);
    json_decref(root);
}

/* SubjectPublicKeyInfo -> 65-byte point. Only the canonical DER of a named-curve (prime256v1)
 * uncompressed key is taken, byte for byte, so that our own code validates the point. Every
 * other encoding is refused before derive: BER variants, explicit curve parameters (even ones
 * equal to P-256's), other curves and compressed points are things our TLS stack never accepts
 * (RFC 8422 §5.1: named curves and uncompressed points only). All of Wycheproof's valid
 * vectors use the canonical form; its "acceptable" ones are mostly the other encodings. */
static int spki_point(const uint8_t *der, long n, uint8_t out[65])
{
    static const uint8_t prefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                     0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                     0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
    if (n != (long)sizeof prefix + 65 || memcmp(der, prefix, sizeof prefix) != 0) return 0;
    memcpy(out, der + sizeof prefix, 65);
    return 1;
}

static void test_wycheproof_ecdh_spki(void)
{
    json_t *root = th_wycheproof("ecdh_secp256r1_test.json");
    if (!root) return;
    struct tally c = {0};
    size_t gi, ti;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            uint8_t der[1024], peer[65];
            long n = th_unhex(th_jstr(t, "public"), der, sizeof der);
            ecdh_case(t, n > 0 && spki_point(der, n, peer), peer, &c);
        }
    }
    th_note("%s: %d valid derived, %d invalid rejected, acceptable: %d accepted, %d rejected",
            impl->name, c.valid, c.invalid, c.acc_yes, c.acc_no);
    CHECK(c.valid > 0 && c.invalid > 0);
    json_decref(root);
}

/* ---- Wycheproof ECDSA --------------------------------------------------------------------- */
typedef uint32_t (*verify_fn)(const uint8_t pub[][65], const uint8_t hash[][32],
                              const uint8_t sig[][64], unsigned n);
/* the decodable vectors of the last ecdsa_file call, for the batch checks */
static struct {
    uint8_t pub[65], h[32], rs[64];
    int valid;
    long id;
} vecs[2048];
static int nvecs;

/* every collected vector through f in consecutive batches of `chunk`: each lane's bit must
 * match the vector's verdict, whatever its neighbours */
static void batch_check(verify_fn f, const char *name, unsigned chunk)
{
    static uint8_t pub[32][65], h[32][32], rs[32][64];
    int wrong = 0;
    for (int i = 0; i < nvecs; i += (int)chunk) {
        unsigned n = nvecs - i < (int)chunk ? (unsigned)(nvecs - i) : chunk;
        uint32_t want = 0;
        for (unsigned l = 0; l < n; l++) {
            memcpy(pub[l], vecs[i + (int)l].pub, 65);
            memcpy(h[l], vecs[i + (int)l].h, 32);
            memcpy(rs[l], vecs[i + (int)l].rs, 64);
            if (!vecs[i + (int)l].valid) want |= 1u << l;
        }
        uint32_t got = f((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                         (const uint8_t(*)[64])rs, n);
        for (unsigned l = 0; l < n && wrong < 10; l++)
            if (((got ^ want) >> l) & 1) {
                CHECKF(0, "%s batch of %u: tcId %ld (lane %u) got %s", name, chunk,
                       vecs[i + (int)l].id, l, (got >> l) & 1 ? "invalid" : "valid");
                wrong++;
            }
    }
    CHECK(wrong == 0);
}

/* check_single: also verify each vector alone through impl (else only collect them) */
static void ecdsa_file_ex(const char *file, int der, int check_single)
{
    json_t *root = th_wycheproof(file);
    if (!root) return;
    int nvalid = 0, ninvalid = 0, nundecodable = 0;
    size_t gi, ti;
    nvecs = 0;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        json_t *key = json_object_get(g, "publicKey");
        uint8_t pub[65];
        CHECK(th_unhex(th_jstr(key, "uncompressed"), pub, 65) == 65);
        CHECK(!strcmp(th_jstr(g, "sha"), "SHA-256"));
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            static uint8_t msg[1 << 16], raw[1 << 12];
            uint8_t h[32], rs[64];
            long id = (long)json_integer_value(json_object_get(t, "tcId"));
            long ml = th_unhex(th_jstr(t, "msg"), msg, sizeof msg);
            long sl = th_unhex(th_jstr(t, "sig"), raw, sizeof raw);
            CHECKF(ml >= 0, "tcId %ld: msg hex", id);
            cd_hash(CD_SHA256, msg, (size_t)(ml < 0 ? 0 : ml), h);
            int decoded;
            if (der)
                decoded = sl >= 0 && ecdsa_sig_from_der(raw, (size_t)sl, rs) == 0;
            else
                decoded = sl == 64 && (memcpy(rs, raw, 64), 1);
            int valid = !strcmp(th_jstr(t, "result"), "valid");
            if (decoded && nvecs < (int)(sizeof vecs / sizeof *vecs)) {
                memcpy(vecs[nvecs].pub, pub, 65);
                memcpy(vecs[nvecs].h, h, 32);
                memcpy(vecs[nvecs].rs, rs, 64);
                vecs[nvecs].valid = valid;
                vecs[nvecs++].id = id;
            }
            if (!check_single) continue;
            int ok = decoded && our_verify(pub, h, rs);
            if (valid) {
                CHECKF(ok, "tcId %ld valid (%s) rejected (decoded %d)", id, th_jstr(t, "comment"),
                       decoded);
                nvalid++;
            } else {
                CHECKF(!ok, "tcId %ld invalid (%s) accepted", id, th_jstr(t, "comment"));
                ninvalid++;
                nundecodable += !decoded;
            }
            /* the DER writer must reproduce every valid encoding exactly */
            if (der && decoded && ok) {
                uint8_t re[ECDSA_P256_DER_MAX];
                size_t rl = ecdsa_sig_to_der(rs, re);
                CHECKF(rl == (size_t)sl && !memcmp(re, raw, rl), "tcId %ld: DER round trip", id);
            }
        }
    }
    json_decref(root);
    CHECK(nvecs > 100);
    if (!check_single) return;
    th_note("%s: %d valid verified, %d invalid rejected (%d of them at decoding)", impl->name,
            nvalid, ninvalid, nundecodable);
    CHECK(nvalid > 0 && ninvalid > 0);
    /* and in batches of every size up to the lane count (mixed valid and invalid lanes) */
    for (unsigned c = 2; c <= impl->lanes; c++) batch_check(impl->verify, impl->name, c);
}
static void ecdsa_file(const char *file, int der) { ecdsa_file_ex(file, der, 1); }
static void test_wycheproof_ecdsa_der(void) { ecdsa_file("ecdsa_secp256r1_sha256_test.json", 1); }
static void test_wycheproof_ecdsa_p1363(void)
{
    ecdsa_file("ecdsa_secp256r1_sha256_p1363_test.json", 0);
}

/* ---- per-key verify tables (cd_p256.key_table_new / verify_tab) -----------------------------
 * Every Wycheproof ECDSA vector through verify_tab with its key's table, alone and in batches of
 * every size up to the lane count (runs of one key; the last batch of a key may be partial),
 * against the expected result; a table of another key, or none, must give verify's result; a
 * table is refused for a point that is not on the curve. */
static void tab_file(const char *file, int der)
{
    ecdsa_file_ex(file, der, 0);
    static uint8_t pub[32][65], h[32][32], rs[32][64];
    const void *tab[32];
    void *cur = NULL, *other = NULL;
    int wrong = 0, ntabs = 0, nv = 0;
    for (unsigned chunk = 1; chunk <= impl->lanes; chunk++) {
        for (int i = 0; i < nvecs;) {
            /* a run of vectors of one key, at most chunk long */
            unsigned n = 0;
            while (i + (int)n < nvecs && n < chunk && !memcmp(vecs[i + (int)n].pub, vecs[i].pub, 65)) n++;
            if (!cur || memcmp(pub[0], vecs[i].pub, 65)) {
                if (other) impl->key_table_free(other);
                other = cur; /* the previous key's table: a mismatch for this key */
                cur = impl->key_table_new(vecs[i].pub);
                CHECKF(cur != NULL, "no table for tcId %ld's key", vecs[i].id);
                if (!cur) break;
                ntabs++;
            }
            uint32_t want = 0;
            for (unsigned l = 0; l < n; l++) {
                memcpy(pub[l], vecs[i + (int)l].pub, 65);
                memcpy(h[l], vecs[i + (int)l].h, 32);
                memcpy(rs[l], vecs[i + (int)l].rs, 64);
                tab[l] = cur;
                if (!vecs[i + (int)l].valid) want |= 1u << l;
            }
            uint32_t got = impl->verify_tab((const uint8_t(*)[65])pub, tab, (const uint8_t(*)[32])h,
                                            (const uint8_t(*)[64])rs, n);
            for (unsigned l = 0; l < n && wrong < 10; l++)
                if (((got ^ want) >> l) & 1) {
                    CHECKF(0, "verify_tab batch of %u: tcId %ld (lane %u) got %s", n,
                           vecs[i + (int)l].id, l, (got >> l) & 1 ? "invalid" : "valid");
                    wrong++;
                }
            nv += (int)n;
            if (other && chunk == impl->lanes) { /* another key's table: the plain path */
                for (unsigned l = 0; l < n; l++) tab[l] = l == n - 1 ? other : cur;
                uint32_t g2 = impl->verify_tab((const uint8_t(*)[65])pub, tab,
                                               (const uint8_t(*)[32])h, (const uint8_t(*)[64])rs, n);
                CHECKF(g2 == want, "mismatched table: got %#x want %#x", g2, want);
                tab[0] = NULL;
                g2 = impl->verify_tab((const uint8_t(*)[65])pub, tab, (const uint8_t(*)[32])h,
                                      (const uint8_t(*)[64])rs, n);
                CHECKF(g2 == want, "missing table: got %#x want %#x", g2, want);
            }
            i += (int)n;
        }
        if (cur) impl->key_table_free(cur);
        if (other) impl->key_table_free(other);
        cur = other = NULL;
    }
    CHECK(wrong == 0);
    th_note("%s: %d verifications with %d key tables", impl->name, nv, ntabs);
    CHECK(nv > 100 && ntabs > 10);
    /* not a point on the curve: no table */
    uint8_t bad[65];
    memcpy(bad, vecs[0].pub, 65);
    bad[64] ^= 1;
    void *t = impl->key_table_new(bad);
    CHECK(t == NULL);
    if (t) impl->key_table_free(t);
}
static void test_key_tables(void)
{
    if (!impl->key_table_new) {
        CHECK(impl->verify_tab == NULL && impl->key_table_free == NULL);
        th_note("%s makes no key tables", impl->name);
        return;
    }
    CHECK(impl->verify_tab != NULL && impl->key_table_free != NULL);
    tab_file("ecdsa_secp256r1_sha256_test.json", 1);
    tab_file("ecdsa_secp256r1_sha256_p1363_test.json", 0);
}

/* ---- cross-validation with OpenSSL -------------------------------------------------------- */
static void test_xval_keys(void)
{
    /* edge scalars: small, near n, sparse (zero Booth / odd windows), plus random ones */
    static const char *edge[] = {
        "0000000000000000000000000000000000000000000000000000000000000001",
        "0000000000000000000000000000000000000000000000000000000000000002",
        "0000000000000000000000000000000000000000000000000000000000000003",
        "000000000000000000000000000000000000000000000000000000000000001f",
        "0000000000000000000000000000000000000000000000000000000000000040",
        "0000000000000000000000000000000000000000000000000000000000000080",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc63254f",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632540",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632531",
        "8000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000100000000000000000000000000000000",
        "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "0010000000000000000000000000000000000000000000000000000000000000",
    };
    const int nrand = 64;
    for (int i = 0; i < (int)(sizeof edge / sizeof *edge) + nrand; i++) {
        uint8_t d[32], q[32], pub[65], want[65], qpub[65], s1[32], s2[32];
        if (i < (int)(sizeof edge / sizeof *edge))
            th_unhex(edge[i], d, 32);
        else
            rnd_priv(d);
        CHECKF(our_keygen(d, pub), "key %d: keygen failed", i);
        ossl_pub(d, want);
        CHECK_MEM(pub, want, 65);
        rnd_priv(q);
        ossl_pub(q, qpub);
        CHECKF(our_derive(d, qpub, s1), "key %d: derive failed", i);
        CHECK(ossl_ecdh(d, qpub, s2));
        CHECK_MEM(s1, s2, 32);
        /* the edge scalar as the peer's point multiplier too */
        CHECK(our_derive(q, pub, s1));
        CHECK_MEM(s1, s2, 32);
    }
    /* out-of-range private keys fail: 0, n, n + 1, 2^256 - 1 */
    static const char *bad[] = {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632552",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        uint8_t d[32], pub[65], zero[65] = {0}, s[32], peer[65], q[32], h[32] = {1}, sig[64];
        th_unhex(bad[i], d, 32);
        CHECK(!our_keygen(d, pub));
        CHECK_MEM(pub, zero, 65);
        rnd_priv(q);
        ossl_pub(q, peer);
        CHECK(!our_derive(d, peer, s));
        CHECK_MEM(s, zero, 32);
        CHECK(!our_sign(d, h, NULL, sig));
        CHECK_MEM(sig, zero, 64);
    }
}

static void test_xval_peers(void)
{
    /* invalid peers: off curve, X or Y >= p, wrong prefix, infinity encodings */
    uint8_t d[32], q[32], peer[65], s[32];
    rnd_priv(d);
    rnd_priv(q);
    ossl_pub(q, peer);
    CHECK(our_derive(d, peer, s));
    uint8_t t[65];
    memcpy(t, peer, 65);
    t[64] ^= 1; /* off curve */
    CHECK(!our_derive(d, t, s));
    memcpy(t, peer, 65);
    t[0] = 0x03;
    CHECK(!our_derive(d, t, s));
    memset(t, 0, 65);
    t[0] = 0x04; /* (0, 0): not on the curve, and what some encode infinity as */
    CHECK(!our_derive(d, t, s));
    memset(t, 0, 65);
    CHECK(!our_derive(d, t, s));
    /* X + p: same residue, but X >= p must be refused (non-canonical encoding) */
    static const uint8_t pb[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(t, peer, 65);
    memcpy(t + 33, pb, 32); /* Y = p */
    CHECK(!our_derive(d, t, s));
    /* (x, p - y) is the negated point and must give the same X coordinate as (x, y)... */
    uint8_t s2[32];
    EC_POINT *pt = EC_POINT_new(grp);
    EC_POINT_oct2point(grp, pt, peer, 65, NULL);
    EC_POINT_invert(grp, pt, NULL);
    EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, t, 65, NULL);
    EC_POINT_free(pt);
    CHECK(our_derive(d, peer, s));
    CHECK(our_derive(d, t, s2));
    CHECK_MEM(s, s2, 32);
}

static void test_xval_ecdsa(void)
{
    for (int i = 0; i < 48; i++) {
        uint8_t d[32], pub[65], h[32], sig[64], sig2[64], extra[32], t[64];
        rnd_priv(d);
        th_rnd_bytes(h, 32);
        if (i == 0) memset(h, 0xff, 32); /* hash >= n: reduced mod n */
        if (i == 1) memcpy(h, order_be, 32); /* hash == n: e = 0 */
        if (i == 2) memset(h, 0, 32);
        ossl_pub(d, pub);
        CHECK(our_sign(d, h, NULL, sig));
        CHECKF(ossl_verify(pub, h, sig), "sig %d: OpenSSL rejects our signature", i);
        CHECK(our_verify(pub, h, sig));
        /* deterministic: the same inputs give the same signature */
        CHECK(our_sign(d, h, NULL, sig2));
        CHECK_MEM(sig, sig2, 64);
        /* hedged: different signature, still valid */
        th_rnd_bytes(extra, 32);
        CHECK(our_sign(d, h, extra, sig2));
        CHECK(memcmp(sig, sig2, 64) != 0);
        CHECK(ossl_verify(pub, h, sig2));
        CHECK(our_verify(pub, h, sig2));
        /* OpenSSL's (random-nonce) signatures verify under ours */
        ossl_sign(d, h, sig2);
        CHECKF(our_verify(pub, h, sig2), "sig %d: we reject OpenSSL's signature", i);
        /* tampering: r, s, the hash, the key; (r, n - s) is also valid (ECDSA malleability) */
        memcpy(t, sig, 64);
        t[th_rnd64() % 32] ^= (uint8_t)(1u << (th_rnd64() % 8));
        CHECK(!our_verify(pub, h, t));
        memcpy(t, sig, 64);
        t[32 + th_rnd64() % 32] ^= (uint8_t)(1u << (th_rnd64() % 8));
        CHECK(!our_verify(pub, h, t));
        memcpy(t, sig, 64);
        uint8_t h2[32];
        memcpy(h2, h, 32);
        h2[th_rnd64() % 32] ^= 0x10;
        CHECK(!our_verify(pub, h2, sig));
        uint8_t pub2[65], d2[32];
        rnd_priv(d2);
        ossl_pub(d2, pub2);
        CHECK(!our_verify(pub2, h, sig));
        /* r = 0, s = 0, r = n, s = n */
        memset(t, 0, 32);
        memcpy(t + 32, sig + 32, 32);
        CHECK(!our_verify(pub, h, t));
        memcpy(t, sig, 32);
        memset(t + 32, 0, 32);
        CHECK(!our_verify(pub, h, t));
        memcpy(t, order_be, 32);
        CHECK(!our_verify(pub, h, t));
    }
}

/* batch sizes 1..lanes with one bad lane: only that lane's bit is set, the others are right */
static void test_batch_masks(void)
{
    unsigned L = impl->lanes;
    uint8_t(*priv)[32] = calloc(L, 32), (*pub)[65] = calloc(L, 65), (*want)[65] = calloc(L, 65);
    uint8_t(*peer)[65] = calloc(L, 65), (*sh)[32] = calloc(L, 32), (*wsh)[32] = calloc(L, 32);
    uint8_t(*h)[32] = calloc(L, 32), (*sig)[64] = calloc(L, 64);
    for (unsigned n = 1; n <= L; n++) {
        for (unsigned bad = 0; bad <= n; bad++) { /* bad == n: all lanes good */
            for (unsigned i = 0; i < n; i++) {
                uint8_t q[32];
                rnd_priv(priv[i]);
                ossl_pub(priv[i], want[i]);
                rnd_priv(q);
                ossl_pub(q, peer[i]);
                CHECK(ossl_ecdh(priv[i], peer[i], wsh[i]));
                th_rnd_bytes(h[i], 32);
            }
            uint32_t bit = bad < n ? 1u << bad : 0;
            /* keygen: private key 0 in the bad lane */
            uint8_t keep[32];
            if (bad < n) {
                memcpy(keep, priv[bad], 32);
                memset(priv[bad], 0, 32);
            }
            CHECK_EQ(impl->keygen(pub, (const uint8_t(*)[32])priv, n), bit);
            for (unsigned i = 0; i < n; i++)
                if (i != bad) CHECK_MEM(pub[i], want[i], 65);
            if (bad < n) memcpy(priv[bad], keep, 32);
            /* derive: off-curve peer in the bad lane */
            if (bad < n) peer[bad][40] ^= 0x01;
            CHECK_EQ(impl->derive(sh, (const uint8_t(*)[32])priv, (const uint8_t(*)[65])peer, n),
                     bit);
            for (unsigned i = 0; i < n; i++)
                if (i != bad) CHECK_MEM(sh[i], wsh[i], 32);
            /* sign: private key n in the bad lane */
            if (bad < n) memcpy(priv[bad], order_be, 32);
            CHECK_EQ(impl->sign(sig, (const uint8_t(*)[32])priv, (const uint8_t(*)[32])h, NULL, n),
                     bit);
            for (unsigned i = 0; i < n; i++)
                if (i != bad) CHECK(ossl_verify(want[i], h[i], sig[i]));
            /* verify: a corrupted signature in the bad lane */
            if (bad < n) {
                memcpy(priv[bad], keep, 32);
                ossl_sign(priv[bad], h[bad], sig[bad]);
                sig[bad][63] ^= 0x04;
            }
            CHECK_EQ(impl->verify((const uint8_t(*)[65])want, (const uint8_t(*)[32])h,
                                  (const uint8_t(*)[64])sig, n),
                     bit);
        }
    }
    free(priv), free(pub), free(want), free(peer), free(sh), free(wsh), free(h), free(sig);
}

/* ---- internals: variable-time inversion, blinded inversion, wNAF, p256_verify_mulx ------- */
static void rnd_below(uint64_t r[4], const uint64_t m[4])
{
    do {
        th_rnd_bytes((uint8_t *)r, 32);
        if (r[0] & 1) r[3] >>= r[1] % 64; /* small values too */
    } while (!p256_limbs_lt(r, m) || p256_limbs_is_zero(r));
}

/* p256_inv_vartime against Fermat (p256_fn_inv, p256_fe_inv), mod n and mod p, including
 * 1, 2, m - 1 and values with many zero bits; the blinded inversions against the same */
static void test_inversions(void)
{
    for (int i = 0; i < 3000; i++) {
        uint64_t a[4], r[4], want[4];
        p256_fn am, im;
        p256_fe af, ifm;
        rnd_below(a, p256_n);
        if (i < 3) {
            memset(a, 0, sizeof a);
            a[0] = (uint64_t)i + 1;
        } else if (i < 6) {
            memcpy(a, p256_n, sizeof a);
            a[0] -= (uint64_t)i - 2;
        }
        p256_inv_vartime(r, a, p256_n);
        p256_fn_to_mont(am, a);
        p256_fn_inv(im, am);
        p256_fn_from_mont(want, im);
        CHECK_MEM(r, want, 32);
        p256_fn_inv_blinded(im, am);
        p256_fn_from_mont(r, im);
        CHECK_MEM(r, want, 32);
        p256_fn_inv_vartime(im, am);
        p256_fn_from_mont(r, im);
        CHECK_MEM(r, want, 32);
        if (i >= 6) rnd_below(a, p256_p);
        if (i >= 3 && i < 6) {
            memcpy(a, p256_p, sizeof a);
            a[0] -= (uint64_t)i - 2;
        }
        p256_inv_vartime(r, a, p256_p);
        p256_fe_to_mont(af, a);
        p256_fe_inv(ifm, af);
        p256_fe_from_mont(want, ifm);
        CHECK_MEM(r, want, 32);
        p256_fe_inv_blinded(ifm, af);
        p256_fe_from_mont(r, ifm);
        CHECK_MEM(r, want, 32);
    }
    /* 0 maps to 0 in the field inversions */
    p256_fe z = {0, 0, 0, 0}, iz;
    p256_fe_inv_blinded(iz, z);
    CHECK(p256_fe_is_zero(iz));
}

/* the digits reproduce u, are odd and below 2^(w-1) in absolute value, and any w consecutive
 * positions hold at most one nonzero digit */
static void test_wnaf(void)
{
    for (int i = 0; i < 2000; i++) {
        uint64_t u[4];
        int8_t d[257];
        unsigned w = 2 + (unsigned)i % 7;
        th_rnd_bytes((uint8_t *)u, sizeof u);
        if (i % 5 == 1) u[3] = ~(uint64_t)0; /* top bits set: a digit at position 256 */
        if (i % 5 == 2) u[i % 4] = 0;
        if (i == 3) memset(u, 0, sizeof u);
        int len = p256_wnaf_vartime(d, u, w);
        CHECK(len >= 0 && len <= 257);
        /* sum d_i 2^i over 5 limbs, two's complement */
        uint64_t acc[5] = {0, 0, 0, 0, 0};
        int last = 100000; /* the previous nonzero position, scanning down */
        for (int j = len - 1; j >= 0; j--) {
            /* acc = 2 acc + d_j */
            for (int l = 4; l > 0; l--) acc[l] = (acc[l] << 1) | (acc[l - 1] >> 63);
            acc[0] <<= 1;
            int64_t dj = d[j];
            uint64_t add = (uint64_t)dj, c = 0, ext = dj < 0 ? ~(uint64_t)0 : 0;
            for (int l = 0; l < 5; l++) {
                uint64_t x = l == 0 ? add : ext;
                uint64_t s1 = acc[l] + x, c1 = s1 < x;
                uint64_t s2 = s1 + c, c2 = s2 < c;
                acc[l] = s2;
                c = c1 | c2;
            }
            if (dj) {
                CHECK((dj & 1) && dj < (1 << (w - 1)) && dj > -(1 << (w - 1)));
                CHECK(last - j >= (int)w);
                last = j;
            }
        }
        for (int j = len; j < 257; j++) CHECK(d[j] == 0);
        CHECK_MEM(acc, u, 32);
        CHECK(acc[4] == 0);
    }
}

/* p256_verify_mulx on the Wycheproof vectors in batches of 1 to 32 (its inversions are shared
 * by up to 8 signatures: 5, 8, 13 and 32 cross that), and on a batch with every lane bad in a
 * different way */
static void test_verify_mulx(void)
{
    if ((cd_cpu_features() & CD_NEEDS_MULX) != CD_NEEDS_MULX) {
        th_skip("this CPU lacks BMI2/ADX");
        return;
    }
    static const unsigned chunks[] = {1, 2, 5, 8, 13, 32};
    ecdsa_file_ex("ecdsa_secp256r1_sha256_test.json", 1, 0);
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
        batch_check(p256_verify_mulx, "mulx", chunks[c]);
    ecdsa_file_ex("ecdsa_secp256r1_sha256_p1363_test.json", 0, 0);
    for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++)
        batch_check(p256_verify_mulx, "mulx", chunks[c]);
    /* good lanes among bad ones: bad r, s, hash, r = 0, s = n, off-curve key, other key */
    enum { N = 10 };
    uint8_t priv[N][32], pub[N][65], h[N][32], sig[N][64];
    for (int i = 0; i < N; i++) {
        rnd_priv(priv[i]);
        ossl_pub(priv[i], pub[i]);
        th_rnd_bytes(h[i], 32);
        ossl_sign(priv[i], h[i], sig[i]);
    }
    uint32_t want = 0;
    sig[1][5] ^= 1, want |= 1u << 1;
    sig[2][40] ^= 1, want |= 1u << 2;
    h[3][0] ^= 1, want |= 1u << 3;
    memset(sig[4], 0, 32), want |= 1u << 4;
    memcpy(sig[5] + 32, order_be, 32), want |= 1u << 5;
    pub[6][64] ^= 1, want |= 1u << 6;
    memcpy(pub[8], pub[7], 65), want |= 1u << 8;
    CHECK_EQ(p256_verify_mulx((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                              (const uint8_t(*)[64])sig, N),
             want);
    CHECK_EQ(cd_p256_impls[cd_p256_nimpls - 1]->verify(
                 (const uint8_t(*)[65])pub, (const uint8_t(*)[32])h, (const uint8_t(*)[64])sig, N),
             want);
}

/* ---- strict DER ------------------------------------------------------------------------- */
static void test_der(void)
{
    /* round trips, including values that need a 0x00 pad and ones with leading zero bytes */
    for (int i = 0; i < 200; i++) {
        uint8_t rs[64], back[64], der[ECDSA_P256_DER_MAX];
        th_rnd_bytes(rs, 64);
        if (i % 4 == 1) rs[0] |= 0x80;
        if (i % 4 == 2) memset(rs, 0, 1 + i % 20);
        if (i % 4 == 3) memset(rs + 32, 0, 31);
        size_t n = ecdsa_sig_to_der(rs, der);
        CHECK(n >= 8 && n <= ECDSA_P256_DER_MAX);
        CHECK(ecdsa_sig_from_der(der, n, back) == 0);
        CHECK_MEM(back, rs, 64);
        /* and OpenSSL agrees on the encoding */
        const uint8_t *p = der;
        ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);
        CHECK(s != NULL && p == der + n);
        uint8_t *o = NULL;
        int on = s ? i2d_ECDSA_SIG(s, &o) : -1;
        CHECK(on == (int)n && o && !memcmp(o, der, n));
        OPENSSL_free(o);
        ECDSA_SIG_free(s);
    }
    static const struct {
        const char *hex;
        int ok;
    } v[] = {
        {"3006020101020102", 1},
        {"3006020100020101", 1},                      /* r = 0 encodes fine (verify rejects) */
        {"300602017f020101", 1},
        {"300702020080020101", 1},                    /* 0x80 needs its pad */
        {"3006020180020101", 0},                      /* negative */
        {"30070202007f020101", 0},                    /* unnecessary leading zero */
        {"300702020000020101", 0},                    /* zero with a leading zero */
        {"300602010102010100", 0},                    /* trailing byte after the SEQUENCE */
        {"30070201010201010000", 0},
        {"3007020101020101", 0},                      /* SEQUENCE length too long */
        {"3005020101020101", 0},                      /* SEQUENCE length too short */
        {"308106020101020101", 0},                    /* long-form length, not minimal */
        {"300702810101020101", 0},                    /* long-form INTEGER length */
        {"3006020001020101", 0},                      /* empty INTEGER, then junk */
        {"30050200020101", 0},                        /* empty INTEGER */
        {"3106020101020101", 0},                      /* SET, not SEQUENCE */
        {"3006030101020101", 0},                      /* BIT STRING, not INTEGER */
        {"30060201010201", 0},                        /* truncated */
        {"3009020101020101020101", 0},                /* three integers */
        {"3003020101", 0},                            /* one integer */
        {"3000", 0},
        {"", 0},
        {"3026022101000000000000000000000000000000000000000000000000000000000000000201"
         "01",
         0}, /* r of 33 value bytes */
        {"3045022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02"
         "2000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         1}, /* s = 31 bytes of 0xff: its zero pad is needed */
        {"3045022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02"
         "20007fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         0}, /* s with an unneeded zero */
        {"3045022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02"
         "207fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         1},
        {"3046022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff02"
         "2100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         1},
        {"304602210100000000000000000000000000000000000000000000000000000000000000"
         "022100ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         0}, /* r = 2^256 */
    };
    int nbad = 0;
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint8_t der[128], rs[64];
        long n = th_unhex(v[i].hex, der, sizeof der);
        CHECK(n >= 0);
        int got = ecdsa_sig_from_der(der, (size_t)n, rs) == 0;
        CHECKF(got == v[i].ok, "DER %s: got %d want %d", v[i].hex, got, v[i].ok);
        nbad += !v[i].ok;
    }
    CHECK(nbad >= 20);
}

static void unavailable(void) { th_skip("this CPU lacks features the implementation needs"); }

int main(void)
{
    static char names[32][96];
    int nn = 0;
    grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    uint64_t have = cd_cpu_features();
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        {"rfc6979_a25", test_rfc6979},
        {"rfc6979_retry_hedged", test_rfc6979_retry},
        {"wycheproof_ecdh_ecpoint", test_wycheproof_ecdh_ecpoint},
        {"wycheproof_ecdh_spki", test_wycheproof_ecdh_spki},
        {"wycheproof_ecdsa_der", test_wycheproof_ecdsa_der},
        {"wycheproof_ecdsa_p1363", test_wycheproof_ecdsa_p1363},
        {"xval_openssl_keys_ecdh", test_xval_keys},
        {"xval_openssl_peers", test_xval_peers},
        {"xval_openssl_ecdsa", test_xval_ecdsa},
        {"batch_fail_masks", test_batch_masks},
        {"wycheproof_ecdsa_key_tables", test_key_tables},
    };
    for (unsigned i = 0; i < cd_p256_nimpls; i++) {
        impl = cd_p256_impls[i];
        if ((impl->needs & ~have) != 0) {
            printf("p256 %s UNAVAILABLE\n", impl->name);
            snprintf(names[0], sizeof names[0], "p256_%s", impl->name);
            th_case(names[0], unavailable);
            continue;
        }
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            char *nm = names[nn++ % 32];
            snprintf(nm, sizeof names[0], "p256_%s_%s", impl->name, cases[c].name);
            th_case(nm, cases[c].fn);
        }
    }
    th_case("ecdsa_der_strict", test_der);
    th_case("inversions", test_inversions);
    th_case("wnaf", test_wnaf);
    th_case("verify_mulx_batches", test_verify_mulx);
    EC_GROUP_free(grp);
    return th_done();
}
