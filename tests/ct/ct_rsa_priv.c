/* ct_rsa_priv.c — constant-time check (ctgrind) of our RSA-2048 private operation
 * (engine/rsa_own*.c: AVX2 exponentiation, mulx glue, public-exponent check): every secret part
 * of the precomputed key (p, q, dp, dq, qinv and the constants derived from them) is marked
 * undefined, so memcheck reports any branch or memory index that depends on them or on the
 * blinded exponents and intermediate values derived from them (tests/ct/run.sh). The results are
 * declassified and compared with libcrypto's, so a wrong result fails too.
 *
 * valgrind's CPUID hides ADX, so the dispatch (rsa_own_usable) would keep libcrypto here; the
 * kernels are called directly (valgrind executes mulx, adcx/adox and AVX2). A fixed test key
 * keeps the run short (key generation under valgrind takes long). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "ct.h"
#include "rsa_own.h"
#include "th.h"

static const char key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCW2rJQUI2Q0eiU\n"
    "m0bhuCpCApffo7hsHvPedRMJnn+0JrBEEIhf8qkHHSxcnNS2bKrpDOqVkrvwIc5Y\n"
    "09VCkpYwU/p1+l26clsnQSfF0QS9siMA3cGW0D/KsvIDpl9ezjg9Y6o4p4Ml7/2Y\n"
    "3kmHYvJXErHJQcGV+jLIA/4RHBgYAL+gwc0K2Kuu1KWKHgEVbaObL8fwAsaNFi5o\n"
    "g4Q6qn5NXjJ3YhsuBFhz+52PIHEPFj115QGVNcq3ltTTUNDnu6Uid5Z3064JtExd\n"
    "r5x3dN9NIB/IEomt05Asor+Hq6CGD/A0Y7sLyMOZSS8oA3ymderBp/y7e6PpeMHS\n"
    "HfRjTrrNAgMBAAECggEAMYj+pIDO+47x4FpcnCHtPl+7nyQTmu1PBu1Kow34wR8z\n"
    "IiaLoXX9KujZeE/HSV/Ff2FOZm8YZ3GyYFiu3n1j89qfk73yqRaD+A/dD4fjFqc3\n"
    "90DaILuhNt4ruicXifoNXZsseg4Hcp2rmFblrh8/lHf/CSceejD+G8+zzcp73uVe\n"
    "soc7L0f2kmouNFMSa9YTttsFVeGQGoOiNLOg3Z8JqApvadEAXHON8fCK3+8WsD+W\n"
    "0ivvbLgBVIOfpIx5JD8xg62mrCFZ+iitgw/1Qm3JO6xFhJePlQ5Btu7+0zSeWCDW\n"
    "9g/6TJdwwOKXINx5lKUYqxXSJw5pcrQQs6tVmRhbwQKBgQDRrwMl9SW+5oIprKsu\n"
    "CmDf1zqJv5xwTWUmTOdmNBg+MM535BWJepKDY3aY9mfxbbqM2nyF9WFWZQ++kBxD\n"
    "wXSIQW55MqdlZ/cHH3Nv5YI5QelKk+lraOIUVXJYyoA176oxztfYVylU9lxWaS3H\n"
    "EGgQ6R+puALYMsyTZ6Cs8A2XpwKBgQC4LQ8ARjJhJNDbz7qwy8H39CCvPLB/Bu1o\n"
    "IK3xSDzk22sYjNKiSlVZSB2Di0dcbSG+ewS6happ5Td6SAKFVlVRwgVf9ha0CK3D\n"
    "GtzoZuVgdYu1N58TdeKOnzjl2zOVEh/m2xc0x9Ns0wpA0UEfx46MkV2IJ3A5hfn8\n"
    "1kQRiGfoawKBgB6uAcLrBJPS/FaGqiE5aYU245zGCWixGkypUe41TxrCX2NRXwlX\n"
    "gtpwkii9XOYJTRNQ4IllJtHSRaR3R3tucdOB510aWT3QIWfMZUKJDS29hBniXHPX\n"
    "y8R34Bw3vNynbXqOLiy8TBLfXRFToFwQ/XkD8xsNDnV9sUscDXlgQkzfAoGBAKo0\n"
    "ygZA2VI5ieN6aFf3Fj0mGgaYmavrJP/0I4w2bEA8Hw9DJW3iMFogcVYeI0bhfCvi\n"
    "2I3f9YuDz+9sGRhMnvC90+XJMVYUJzGF493LKfQo7YH98z8y1LtlnlmeaF89rsnU\n"
    "c+/NNDEAIBuixwKtk6mItd2cRPSEQnFNOv7RBuYdAoGANP1JnwWAERTdmPbh5Lbx\n"
    "K4bkSsedA6cS0pe2czUpy6lABfnWyGj91DIEX4rQbrK+YrFcaDfTxKsqOB84YPDX\n"
    "5Obud9wgZetjVxGrYqo6G7g9fM5irr7g2AY92YWyhfVI2xFkKm/ladE2KsJWzYQT\n"
    "gYAx3z4Dwuk0gTny43V/T8w=\n"
    "-----END PRIVATE KEY-----\n";

static EVP_PKEY *pk;
static rsa_own_key *key;

static rsa_own_key *own_key(EVP_PKEY *p)
{
    static const char *const names[7] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    uint8_t buf[7][512];
    size_t len[7];
    for (int i = 0; i < 7; i++) {
        BIGNUM *bn = NULL;
        if (!EVP_PKEY_get_bn_param(p, names[i], &bn)) return NULL;
        len[i] = (size_t)BN_bn2bin(bn, buf[i]);
        BN_clear_free(bn);
    }
    return rsa_own_new_mulx(buf[0], len[0], buf[1], len[1], buf[2], len[2], buf[3], len[3],
                            buf[4], len[4], buf[5], len[5], buf[6], len[6]);
}

static int ossl_raw_private(const uint8_t *c, uint8_t *m)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    size_t ml = 256;
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_decrypt(ctx, m, &ml, c, 256) > 0 && ml == 256;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

static void secret(void *p, size_t n) { CT_SECRET(p, n); }
static void public(void *p, size_t n) { CT_PUBLIC(p, n); }

static void t_private(void)
{
    uint8_t c[256], m[256], want[256];
    for (int trial = 0; trial < 2; trial++) {
        th_rnd_bytes(c, sizeof c);
        c[0] = (uint8_t)(c[0] & 0x3f); /* < n */
        CHECK(ossl_raw_private(c, want) == 0);
        rsa_own_secrets(key, secret);
        int rc = rsa_own_private_mulx(key, c, m);
        CT_PUBLIC(&rc, sizeof rc);
        CT_PUBLIC(m, sizeof m);
        rsa_own_secrets(key, public);
        CHECK_EQ(rc, 0);
        CHECK_MEM(m, want, 256);
    }
    /* a fault: same path, the check's verdict only through masks and the return value */
    rsa_own_inject_fault(1);
    rsa_own_secrets(key, secret);
    int rc = rsa_own_private_mulx(key, c, m);
    CT_PUBLIC(&rc, sizeof rc);
    CT_PUBLIC(m, sizeof m);
    rsa_own_secrets(key, public);
    CHECK_EQ(rc, -1);
}

int main(void)
{
    BIO *b = BIO_new_mem_buf(key_pem, -1);
    pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    key = pk ? own_key(pk) : NULL;
    if (!key) {
        th_fail(__FILE__, __LINE__, "test key: %s", pk ? "own setup refused" : "PEM");
        return th_done();
    }
    th_rnd_seed(11);
    th_case("rsa2048_private_secret_key", t_private);
    rsa_own_free_mulx(key);
    EVP_PKEY_free(pk);
    return th_done();
}
