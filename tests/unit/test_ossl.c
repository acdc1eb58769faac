/* test_ossl.c — engine/cd_ossl.c: PEM loading, key/certificate matching, chain verification
 * and its alerts, RSA signatures (Wycheproof + round trips cross-checked against libcrypto's
 * message-level API) and the RSA premaster exchange (Wycheproof decryption vectors, crafted
 * paddings). libcrypto is used here only as an oracle and to build inputs. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "cd.h"
#include "cd_ossl.h"
#include "err.h"
#include "rsa_raw.h"
#include "th.h"

static char err[512];

static const char *certs_dir(void) { return getenv("MBSHAKE_CERTS"); }

static const char *cpath(const char *name)
{
    static char buf[8][1024];
    static unsigned i;
    char *b = buf[i++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", certs_dir(), name);
    return b;
}

static int need_certs(void)
{
    const char *d = certs_dir();
    if (!d || access(cpath("done"), F_OK) != 0) {
        th_skip("MBSHAKE_CERTS unset or not generated (run tests/gen-certs.sh DIR)");
        return 0;
    }
    return 1;
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

static void sha(const char *name, const void *m, size_t n, uint8_t *out, size_t *olen)
{
    unsigned int l = 0;
    EVP_Digest(m, n, out, &l, EVP_get_digestbyname(name), NULL);
    *olen = l;
}

/* ---- Wycheproof RSASSA-PKCS1-v1_5 SHA-256 verification ------------------------------------ */
static void t_wycheproof_rsa_sig(void)
{
    json_t *root = th_wycheproof("rsa_signature_2048_sha256_test.json");
    if (!root) return;
    size_t gi, ti, nvalid = 0, ninvalid = 0, nacc = 0;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        const char *pem = th_jstr(g, "publicKeyPem");
        BIO *b = BIO_new_mem_buf(pem, -1);
        EVP_PKEY *pk = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
        BIO_free(b);
        CHECKF(pk != NULL, "group %zu: public key PEM", gi);
        if (!pk) continue;
        cd_pubkey k = {.type = CD_KEY_RSA, .bits = (unsigned)EVP_PKEY_get_bits(pk), .pkey = pk};
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            size_t mlen = 0, slen = 0, dlen = 0;
            uint8_t *msg = unhex_alloc(th_jstr(t, "msg"), &mlen);
            uint8_t *sig = unhex_alloc(th_jstr(t, "sig"), &slen);
            uint8_t d[64];
            long id = (long)json_integer_value(json_object_get(t, "tcId"));
            const char *res = th_jstr(t, "result");
            CHECKF(msg && sig, "tcId %ld: hex", id);
            if (msg && sig) {
                sha("SHA256", msg, mlen, d, &dlen);
                int r = cd_rsa_verify(&k, 0x0401, d, dlen, sig, slen);
                if (!strcmp(res, "valid")) {
                    CHECKF(r == 0, "tcId %ld (%s): valid signature rejected", id, th_jstr(t, "comment"));
                    nvalid++;
                } else if (!strcmp(res, "invalid")) {
                    CHECKF(r == -1, "tcId %ld (%s): invalid signature accepted", id,
                           th_jstr(t, "comment"));
                    ninvalid++;
                } else {
                    nacc++;
                }
                /* the same valid signature must not pass as PSS or with another digest */
                if (!strcmp(res, "valid")) {
                    CHECK(cd_rsa_verify(&k, 0x0804, d, dlen, sig, slen) == -1);
                    d[0] ^= 1;
                    CHECK(cd_rsa_verify(&k, 0x0401, d, dlen, sig, slen) == -1);
                }
            }
            free(msg);
            free(sig);
        }
        EVP_PKEY_free(pk);
    }
    th_note("%zu valid, %zu invalid, %zu acceptable vectors", nvalid, ninvalid, nacc);
    CHECK(nvalid >= 5 && ninvalid >= 200);
    json_decref(root);
}

/* ---- RSA premaster decryption (RFC 5246 §7.4.7.1) --------------------------------------- */

/* Checks that ciphertext c (n bytes) yields a fresh random premaster: two calls differ and
 * neither is the tail of the decrypted block (the "garbage"). */
static void expect_random(const cd_privkey *k, const uint8_t *c, size_t n, uint16_t ver,
                          const char *what)
{
    uint8_t p1[48], p2[48], em[512];
    size_t kl = k->bits / 8;
    cd_rsa_decrypt_pms(k, c, n, ver, p1);
    cd_rsa_decrypt_pms(k, c, n, ver, p2);
    CHECKF(memcmp(p1, p2, 48) != 0, "%s: premaster is not fresh randomness", what);
    if (n == kl && rsa_raw_private(k->pkey, c, kl, em) == 0) {
        CHECKF(memcmp(p1, em + kl - 48, 48) != 0 && memcmp(p2, em + kl - 48, 48) != 0,
               "%s: the decrypted garbage came out as the premaster", what);
    }
}

static void t_wycheproof_rsa_pkcs1(void)
{
    json_t *root = th_wycheproof("rsa_pkcs1_2048_test.json");
    if (!root) return;
    size_t gi, ti, ncases = 0, nok48 = 0;
    json_t *g, *t;
    json_array_foreach(json_object_get(root, "testGroups"), gi, g)
    {
        BIO *b = BIO_new_mem_buf(th_jstr(g, "privateKeyPem"), -1);
        EVP_PKEY *pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        BIO_free(b);
        CHECKF(pk != NULL, "group %zu: private key PEM", gi);
        if (!pk) continue;
        cd_privkey k = {.type = CD_KEY_RSA, .bits = (unsigned)EVP_PKEY_get_bits(pk), .pkey = pk};
        size_t kl = k.bits / 8;
        json_array_foreach(json_object_get(g, "tests"), ti, t)
        {
            size_t mlen = 0, clen = 0;
            uint8_t *msg = unhex_alloc(th_jstr(t, "msg"), &mlen);
            uint8_t *c = unhex_alloc(th_jstr(t, "ct"), &clen);
            char what[160];
            snprintf(what, sizeof what, "tcId %lld (%s)",
                     (long long)json_integer_value(json_object_get(t, "tcId")), th_jstr(t, "comment"));
            if (!msg || !c) {
                CHECKF(0, "%s: hex", what);
            } else if (!strcmp(th_jstr(t, "result"), "valid") && mlen == 48) {
                /* a valid 48-byte message is the premaster when its version bytes match */
                uint8_t p[48];
                cd_rsa_decrypt_pms(&k, c, clen, (uint16_t)(msg[0] << 8 | msg[1]), p);
                CHECK_MEM(p, msg, 48);
                expect_random(&k, c, clen, (uint16_t)((msg[0] << 8 | msg[1]) ^ 1), what);
                nok48++;
            } else {
                /* invalid paddings, wrong lengths, and valid messages that are not 48 bytes
                 * long all yield R; no version makes them decrypt */
                expect_random(&k, c, clen, 0x0303, what);
                if (mlen >= 2)
                    expect_random(&k, c, clen, (uint16_t)(msg[0] << 8 | msg[1]), what);
            }
            ncases++;
            free(msg);
            free(c);
        }
        /* Vectors carry no 48-byte message: make valid and crafted ones with this key. */
        uint8_t em[512], c[512], p[48], want[48];
        for (int trial = 0; trial < 2; trial++) {
            em[0] = 0;
            em[1] = 2;
            for (size_t i = 2; i < kl - 49; i++) em[i] = (uint8_t)(1 + (i * 7 + (size_t)trial) % 255);
            em[kl - 49] = 0;
            cd_random(em + kl - 48, 48);
            em[kl - 48] = 3;
            em[kl - 47] = 3;
            memcpy(want, em + kl - 48, 48);
            CHECK(rsa_raw_public(pk, em, kl, c) == 0);
            cd_rsa_decrypt_pms(&k, c, kl, 0x0303, p);
            CHECK_MEM(p, want, 48);
            nok48++;
        }
        expect_random(&k, c, kl, 0x0302, "version 0x0302 vs 0x0303");
        expect_random(&k, c, kl, 0x0203, "version 0x0203 vs 0x0303");
        expect_random(&k, c, kl - 1, 0x0303, "ciphertext one byte short");
        expect_random(&k, c, 0, 0x0303, "empty ciphertext");
        struct {
            size_t pos;
            uint8_t val;
            const char *what;
        } bad[] = {
            {0, 1, "leading byte 01"},
            {1, 1, "block type 01"},
            {1, 0, "block type 00"},
            {2, 0, "first PS byte zero"},
            {9, 0, "PS of 7 bytes"},
            {kl - 50, 0, "last PS byte zero (49-byte message)"},
            {kl - 49, 1, "separator nonzero (47-byte message)"},
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            uint8_t saved = em[bad[i].pos];
            em[bad[i].pos] = bad[i].val;
            CHECK(rsa_raw_public(pk, em, kl, c) == 0);
            expect_random(&k, c, kl, 0x0303, bad[i].what);
            em[bad[i].pos] = saved;
        }
        EVP_PKEY_free(pk);
    }
    th_note("%zu Wycheproof cases checked; %zu crafted 48-byte premasters recovered", ncases, nok48);
    CHECK(ncases >= 60);
    json_decref(root);
}

/* ---- PEM loading --------------------------------------------------------------------------- */
static char *tmpfile_with(const char *content)
{
    static char path[8][64];
    static unsigned i;
    char *p = path[i++ % 8];
    snprintf(p, sizeof path[0], "/tmp/test_ossl_XXXXXX");
    int fd = mkstemp(p);
    if (fd < 0) return NULL;
    size_t n = strlen(content);
    if (write(fd, content, n) != (ssize_t)n) p[0] = 0;
    close(fd);
    return p;
}

static char *tmp_key_pem(EVP_PKEY *pk)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, pk, NULL, NULL, 0, NULL, NULL);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = strndup(data, (size_t)n);
    BIO_free(b);
    char *p = tmpfile_with(s);
    free(s);
    return p;
}

static void t_pem_errors(void)
{
    if (!need_certs()) return;
    cd_chain ch;
    cd_privkey k;
    err[0] = 0;
    CHECK(cd_chain_load(&ch, "/nonexistent/x.pem", NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, "/nonexistent/x.pem") && strstr(err, strerror(ENOENT)), "err: %s", err);
    CHECK(ch.n == 0);
    CHECK(cd_privkey_load(&k, "/nonexistent/x.key", err, sizeof err) == -1);
    CHECKF(strstr(err, strerror(ENOENT)) != NULL, "err: %s", err);
    CHECK(cd_trust_load("/nonexistent/ca.pem", err, sizeof err) == NULL);
    CHECKF(strstr(err, strerror(ENOENT)) != NULL, "err: %s", err);

    char *garbage = tmpfile_with("this is not PEM\n");
    CHECK(cd_chain_load(&ch, garbage, NULL, err, sizeof err) == -1);
    CHECKF(strstr(err, "no PEM certificate") != NULL, "err: %s", err);
    CHECK(cd_privkey_load(&k, garbage, err, sizeof err) == -1);
    CHECK(cd_trust_load(garbage, err, sizeof err) == NULL);
    char *broken = tmpfile_with("-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n");
    CHECK(cd_chain_load(&ch, broken, NULL, err, sizeof err) == -1);
    CHECK(cd_privkey_load(&k, cpath("ecdsa-p256.pem"), err, sizeof err) == -1); /* cert, not key */
    CHECK(cd_chain_load(&ch, cpath("ecdsa-p256.key"), NULL, err, sizeof err) == -1);
    CHECK(cd_chain_load(&ch, cpath("ecdsa-p256.pem"), "/nonexistent/int.pem", err, sizeof err) == -1);
    CHECK(ch.n == 0);

    /* unsupported key types and sizes */
    EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    EVP_PKEY *r1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    CHECK(ed && p384 && r1024);
    const char *kf[] = {tmp_key_pem(ed), tmp_key_pem(p384), tmp_key_pem(r1024)};
    for (int i = 0; i < 3; i++) {
        CHECKF(cd_privkey_load(&k, kf[i], err, sizeof err) == -1, "key %d accepted", i);
        CHECKF(strstr(err, "not supported") || strstr(err, "unsupported"), "err: %s", err);
        CHECK(k.type == CD_KEY_NONE && k.pkey == NULL);
        unlink(kf[i]);
    }
    EVP_PKEY_free(ed);
    EVP_PKEY_free(p384);
    EVP_PKEY_free(r1024);
    unlink(garbage);
    unlink(broken);
}

static void t_pem_load_match(void)
{
    if (!need_certs()) return;
    cd_chain ch, ch2;
    cd_privkey k;
    CHECK(cd_chain_load(&ch, cpath("ecdsa-p256-chain.pem"), NULL, err, sizeof err) == 0);
    CHECK_EQ(ch.n, 2);
    CHECK(cd_chain_load(&ch2, cpath("ecdsa-p256.pem"), cpath("int.pem"), err, sizeof err) == 0);
    CHECK_EQ(ch2.n, 2);
    for (unsigned i = 0; i < 2 && ch.n == 2 && ch2.n == 2; i++) {
        CHECK(ch.len[i] == ch2.len[i]);
        CHECK(ch.len[i] == ch2.len[i] && memcmp(ch.der[i], ch2.der[i], ch.len[i]) == 0);
    }
    cd_chain_free(&ch2);
    CHECK(ch2.n == 0 && ch2.der[0] == NULL);

    /* EC: scalar and point agree (libcrypto's pairwise check), key matches its certificate */
    CHECKF(cd_privkey_load(&k, cpath("ecdsa-p256.key"), err, sizeof err) == 0, "%s", err);
    CHECK(k.type == CD_KEY_EC_P256 && k.bits == 256 && k.ec_pub[0] == 4);
    {
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        BIGNUM *d = BN_bin2bn(k.ec_priv, 32, NULL);
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, k.ec_pub, 65);
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        EVP_PKEY *pk = NULL;
        CHECK(EVP_PKEY_fromdata_init(ctx) > 0 &&
              EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_KEYPAIR, params) > 0);
        EVP_PKEY_CTX *cc = pk ? EVP_PKEY_CTX_new(pk, NULL) : NULL;
        CHECKF(cc && EVP_PKEY_pairwise_check(cc) == 1, "ec_priv * G != ec_pub");
        EVP_PKEY_CTX_free(cc);
        EVP_PKEY_free(pk);
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        BN_free(d);
    }
    CHECK(cd_privkey_matches(&k, &ch, err, sizeof err) == 0);
    cd_pubkey leaf;
    CHECK(cd_chain_verify(NULL, (const uint8_t *const *)ch.der, ch.len, ch.n, NULL, &leaf, err,
                          sizeof err) == 0);
    CHECK_MEM(leaf.ec_pub, k.ec_pub, 65);
    cd_pubkey_free(&leaf);
    cd_chain_free(&ch);
    CHECK(cd_chain_load(&ch, cpath("otherhost.pem"), NULL, err, sizeof err) == 0);
    CHECK(cd_privkey_matches(&k, &ch, err, sizeof err) == -1);
    CHECKF(strstr(err, "does not match") != NULL, "err: %s", err);
    cd_chain_free(&ch);
    CHECK(cd_chain_load(&ch, cpath("rsa2048.pem"), NULL, err, sizeof err) == 0);
    CHECK(cd_privkey_matches(&k, &ch, err, sizeof err) == -1); /* EC key, RSA cert */
    cd_privkey_free(&k);
    static const cd_privkey zero;
    CHECK(memcmp(&k, &zero, sizeof k) == 0); /* wiped */

    /* RSA: matches its own certificate only */
    const char *kinds[] = {"rsa2048", "rsa3072", "rsa4096"};
    for (int i = 0; i < 3; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s.key", kinds[i]);
        CHECKF(cd_privkey_load(&k, cpath(f), err, sizeof err) == 0, "%s", err);
        CHECK(k.type == CD_KEY_RSA && k.bits == 2048u + 1024u * (unsigned)i && k.pkey);
        CHECKF(cd_privkey_matches(&k, &ch, err, sizeof err) == (i == 0 ? 0 : -1), "%s", kinds[i]);
        cd_privkey_free(&k);
    }
    cd_chain_free(&ch);
}

/* ---- chain verification -------------------------------------------------------------------- */
static int verify_file(const cd_trust *tr, const char *file, const char *host, cd_pubkey *leaf)
{
    cd_chain ch;
    if (cd_chain_load(&ch, cpath(file), NULL, err, sizeof err) != 0) return 12345;
    int r = cd_chain_verify(tr, (const uint8_t *const *)ch.der, ch.len, ch.n, host, leaf, err,
                            sizeof err);
    cd_chain_free(&ch);
    return r;
}

static void t_chain_verify(void)
{
    if (!need_certs()) return;
    cd_trust *tr = cd_trust_load(cpath("ca.pem"), err, sizeof err);
    CHECKF(tr != NULL, "%s", err);
    if (!tr) return;
    cd_pubkey leaf;
    const char *kinds[] = {"ecdsa-p256", "rsa2048", "rsa3072", "rsa4096"};
    for (int i = 0; i < 4; i++) {
        char f[64];
        snprintf(f, sizeof f, "%s-chain.pem", kinds[i]);
        const char *hosts[] = {"localhost", "127.0.0.1", NULL};
        for (int h = 0; h < 3; h++) {
            int r = verify_file(tr, f, hosts[h], &leaf);
            CHECKF(r == 0, "%s for %s: %d %s", kinds[i], hosts[h] ? hosts[h] : "(none)", r, err);
            CHECK(leaf.type == (i == 0 ? CD_KEY_EC_P256 : CD_KEY_RSA));
            CHECK(leaf.bits == (i == 0 ? 256u : 2048u + 1024u * (unsigned)(i - 1)));
            CHECKF(strstr(leaf.subject, kinds[i]) != NULL, "subject: %s", leaf.subject);
            CHECK(i == 0 ? leaf.pkey == NULL && leaf.ec_pub[0] == 4 : leaf.pkey != NULL);
            cd_pubkey_free(&leaf);
        }
        CHECK_EQ(verify_file(tr, f, "other.example", &leaf), ENG_E_ALERT(46));
        CHECKF(strstr(err, "other.example") != NULL, "err: %s", err);
        CHECK_EQ(verify_file(tr, f, "127.0.0.2", &leaf), ENG_E_ALERT(46));
        CHECK_EQ(verify_file(tr, f, "::1", &leaf), ENG_E_ALERT(46));
        CHECK_EQ(verify_file(tr, f, "localhost.", &leaf) <= 0, 1);
        CHECK(leaf.pkey == NULL && leaf.type == CD_KEY_NONE);
    }
    CHECK_EQ(verify_file(tr, "expired-chain.pem", "localhost", &leaf), ENG_E_ALERT(45));
    CHECKF(strstr(err, "expired") != NULL, "err: %s", err);
    CHECK_EQ(verify_file(tr, "otherhost-chain.pem", "localhost", &leaf), ENG_E_ALERT(46));
    CHECK_EQ(verify_file(tr, "otherhost-chain.pem", "other.example", &leaf), 0);
    cd_pubkey_free(&leaf);
    CHECK_EQ(verify_file(tr, "selfsigned-chain.pem", "localhost", &leaf), ENG_E_ALERT(48));
    CHECK_EQ(verify_file(tr, "ecdsa-p256.pem", "localhost", &leaf), ENG_E_ALERT(48)); /* no int */
    CHECK_EQ(verify_file(tr, "rsa2048.pem", "localhost", &leaf), ENG_E_ALERT(48));
    CHECK(verify_file(tr, "int.pem", NULL, &leaf) < 0); /* a CA certificate as server leaf */
    /* no trust: the leaf is parsed, nothing is verified */
    CHECK_EQ(verify_file(NULL, "selfsigned-chain.pem", "localhost", &leaf), 0);
    CHECK(leaf.type == CD_KEY_EC_P256);
    cd_pubkey_free(&leaf);
    CHECK_EQ(verify_file(NULL, "expired-chain.pem", "nothere", &leaf), 0);
    cd_pubkey_free(&leaf);
    cd_trust_free(tr);

    /* the store really is the trust anchor: trusting the self-signed leaf makes it pass */
    tr = cd_trust_load(cpath("selfsigned.pem"), err, sizeof err);
    CHECK(tr != NULL);
    CHECK_EQ(verify_file(tr, "selfsigned-chain.pem", "localhost", &leaf), 0);
    cd_pubkey_free(&leaf);
    CHECK_EQ(verify_file(tr, "ecdsa-p256-chain.pem", "localhost", &leaf), ENG_E_ALERT(48));
    cd_trust_free(tr);

    /* malformed DER */
    cd_chain ch;
    CHECK(cd_chain_load(&ch, cpath("ecdsa-p256.pem"), NULL, err, sizeof err) == 0);
    uint8_t buf[4096];
    size_t n = ch.len[0];
    memcpy(buf, ch.der[0], n);
    buf[n] = 0;
    const uint8_t *d[1] = {buf};
    size_t l[1] = {n + 1};
    CHECK_EQ(cd_chain_verify(NULL, d, l, 1, NULL, &leaf, err, sizeof err), ENG_E_ALERT(42));
    l[0] = n - 1;
    CHECK_EQ(cd_chain_verify(NULL, d, l, 1, NULL, &leaf, err, sizeof err), ENG_E_ALERT(42));
    l[0] = 0;
    CHECK_EQ(cd_chain_verify(NULL, d, l, 1, NULL, &leaf, err, sizeof err), ENG_E_ALERT(42));
    CHECK_EQ(cd_chain_verify(NULL, d, l, 0, NULL, &leaf, err, sizeof err), ENG_E_ALERT(42));
    cd_chain_free(&ch);

    /* unsupported leaf key type: a self-made certificate for a P-384 and an Ed25519 key */
    const char *types[][2] = {{"EC", "P-384"}, {"ED25519", NULL}};
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *pk = types[i][1] ? EVP_PKEY_Q_keygen(NULL, NULL, types[i][0], types[i][1])
                                   : EVP_PKEY_Q_keygen(NULL, NULL, types[i][0]);
        X509 *x = X509_new();
        X509_set_version(x, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                   (const unsigned char *)"localhost", -1, -1, 0);
        X509_set_issuer_name(x, X509_get_subject_name(x));
        X509_set_pubkey(x, pk);
        CHECK(X509_sign(x, pk, i == 0 ? EVP_sha256() : NULL) > 0);
        uint8_t *der = NULL;
        int dl = i2d_X509(x, &der);
        const uint8_t *dd[1] = {der};
        size_t ll[1] = {(size_t)dl};
        CHECK_EQ(cd_chain_verify(NULL, dd, ll, 1, "localhost", &leaf, err, sizeof err),
                 ENG_E_ALERT(43));
        CHECKF(strstr(err, "unsupported") != NULL, "err: %s", err);
        OPENSSL_free(der);
        X509_free(x);
        EVP_PKEY_free(pk);
    }
}

/* ---- RSA sign / verify / encrypt round trips --------------------------------------------- */
static void t_rsa_roundtrip(void)
{
    if (!need_certs()) return;
    static const struct {
        uint16_t scheme;
        const char *md;
        int pss;
    } sch[] = {{0x0401, "SHA256", 0}, {0x0501, "SHA384", 0}, {0x0601, "SHA512", 0},
               {0x0804, "SHA256", 1}, {0x0805, "SHA384", 1}};
    const char *kinds[] = {"rsa2048", "rsa3072", "rsa4096"};
    static const char msg[] = "ServerKeyExchange params to be signed";
    for (int i = 0; i < 3; i++) {
        char kf[64], cf[64];
        snprintf(kf, sizeof kf, "%s.key", kinds[i]);
        snprintf(cf, sizeof cf, "%s.pem", kinds[i]);
        cd_privkey k;
        cd_pubkey pub;
        cd_chain ch;
        if (cd_privkey_load(&k, cpath(kf), err, sizeof err) != 0 ||
            cd_chain_load(&ch, cpath(cf), NULL, err, sizeof err) != 0) {
            CHECKF(0, "%s", err);
            return;
        }
        CHECK(cd_chain_verify(NULL, (const uint8_t *const *)ch.der, ch.len, 1, NULL, &pub, err,
                              sizeof err) == 0);
        cd_chain_free(&ch);
        size_t kl = k.bits / 8;
        for (size_t s = 0; s < sizeof sch / sizeof *sch; s++) {
            uint8_t d[64], sig[512], sig2[512];
            size_t dl, sl = sizeof sig;
            sha(sch[s].md, msg, sizeof msg, d, &dl);
            CHECKF(cd_rsa_sign(&k, sch[s].scheme, d, dl, sig, &sl) == 0, "%s %04x sign", kinds[i],
                   sch[s].scheme);
            CHECK_EQ(sl, kl);
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, d, dl, sig, sl) == 0);
            /* independent check: libcrypto's message-level verifier with the same parameters */
            EVP_MD_CTX *mc = EVP_MD_CTX_new();
            EVP_PKEY_CTX *pc = NULL;
            int ok = EVP_DigestVerifyInit(mc, &pc, EVP_get_digestbyname(sch[s].md), NULL, pub.pkey) > 0;
            if (sch[s].pss)
                ok = ok && EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING) > 0 &&
                     EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, (int)dl) > 0;
            ok = ok && EVP_DigestVerify(mc, sig, sl, (const uint8_t *)msg, sizeof msg) == 1;
            EVP_MD_CTX_free(mc);
            CHECKF(ok, "%s %04x: libcrypto rejects our signature", kinds[i], sch[s].scheme);
            /* PKCS#1 v1.5 is deterministic, PSS is salted */
            size_t sl2 = sizeof sig2;
            CHECK(cd_rsa_sign(&k, sch[s].scheme, d, dl, sig2, &sl2) == 0);
            CHECK((memcmp(sig, sig2, sl) == 0) == !sch[s].pss);
            /* tampering */
            sig[sl / 2] ^= 0x10;
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, d, dl, sig, sl) == -1);
            sig[sl / 2] ^= 0x10;
            d[dl - 1] ^= 1;
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, d, dl, sig, sl) == -1);
            d[dl - 1] ^= 1;
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, d, dl, sig, sl - 1) == -1);
            CHECK(cd_rsa_verify(&pub, sch[(s + 3) % 5].scheme, d, dl, sig, sl) == -1);
            CHECK(cd_rsa_verify(&pub, sch[s].scheme, d, dl - 1, sig, sl) == -1);
            /* wrong digest length, unknown scheme, short buffer */
            sl2 = sizeof sig2;
            CHECK(cd_rsa_sign(&k, sch[s].scheme, d, dl - 1, sig2, &sl2) == -1);
            sl2 = sizeof sig2;
            CHECK(cd_rsa_sign(&k, 0x0403, d, dl, sig2, &sl2) == -1);
            sl2 = kl - 1;
            CHECK(cd_rsa_sign(&k, sch[s].scheme, d, dl, sig2, &sl2) == -1);
        }
        /* premaster: encrypt to the certificate key, decrypt with the private key */
        uint8_t pms[48], got[48], c[512 + 1]; /* + 1: the "long ciphertext" case */
        cd_random(pms, 48);
        pms[0] = 3;
        pms[1] = 3;
        size_t cl = sizeof c;
        CHECK(cd_rsa_encrypt_pms(&pub, pms, c, &cl) == 0);
        CHECK_EQ(cl, kl);
        cd_rsa_decrypt_pms(&k, c, cl, 0x0303, got);
        CHECK_MEM(got, pms, 48);
        expect_random(&k, c, cl, 0x0301, "wrong client_version");
        expect_random(&k, c, cl - 1, 0x0303, "short ciphertext");
        c[cl] = 0;
        expect_random(&k, c, cl + 1, 0x0303, "long ciphertext");
        cl = kl - 1;
        CHECK(cd_rsa_encrypt_pms(&pub, pms, c, &cl) == -1); /* capacity too small */
        cd_privkey_free(&k);
        cd_pubkey_free(&pub);
    }
}

int main(void)
{
    th_case("wycheproof_rsa_pkcs1_sha256_verify", t_wycheproof_rsa_sig);
    th_case("wycheproof_rsa_pkcs1_decrypt_pms", t_wycheproof_rsa_pkcs1);
    th_case("pem_errors", t_pem_errors);
    th_case("pem_load_and_match", t_pem_load_match);
    th_case("chain_verify", t_chain_verify);
    th_case("rsa_roundtrip", t_rsa_roundtrip);
    return th_done();
}
