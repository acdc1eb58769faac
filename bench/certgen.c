/* certgen.c — see certgen.h */
#include "certgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define MAX_LEAVES 8

struct certgen {
    char dir[64];
    char ca_file[96];
    EVP_PKEY *root_key, *int_key;
    X509 *root, *inter;
    unsigned nleaves;
    struct {
        char kind[16];
        char chain[96], key[96];
    } leaf[MAX_LEAVES];
};

static EVP_PKEY *keygen(const char *kind)
{
    if (!strcmp(kind, "ecdsa-p256")) return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!strcmp(kind, "rsa2048")) return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!strcmp(kind, "rsa3072")) return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    if (!strcmp(kind, "rsa4096")) return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
    return NULL;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

/* A certificate for key, signed by issuer/ikey (self-signed when issuer == NULL). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int ca,
                       const char *san)
{
    X509 *x = X509_new();
    if (!x) return NULL;
    unsigned char serial[8];
    FILE *r = fopen("/dev/urandom", "rb");
    int ok = r && fread(serial, 1, sizeof serial, r) == sizeof serial;
    if (r) fclose(r);
    serial[0] &= 0x7f; /* RFC 5280 §4.1.2.2: a positive integer */
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    ok = ok && bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) &&
         X509_set_version(x, X509_VERSION_3) && X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
         X509_gmtime_adj(X509_getm_notAfter(x), 7L * 24 * 3600) &&
         X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                    (const unsigned char *)cn, -1, -1, 0) &&
         X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) &&
         X509_set_pubkey(x, key);
    BN_free(bn);
    if (ca)
        ok = ok && add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
             add_ext(x, issuer, NID_subject_key_identifier, "hash");
    else
        ok = ok && add_ext(x, issuer, NID_basic_constraints, "CA:FALSE") &&
             add_ext(x, issuer, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
             add_ext(x, issuer, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, issuer, NID_subject_alt_name, san);
    if (issuer) ok = ok && add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
    ok = ok && X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(const char *path, X509 *const certs[], unsigned n, EVP_PKEY *key)
{
    FILE *f = fopen(path, "w");
    if (!f) return 0;
    int ok = 1;
    for (unsigned i = 0; i < n; i++) ok = ok && PEM_write_X509(f, certs[i]);
    if (key) ok = ok && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    return fclose(f) == 0 && ok;
}

/* see certgen.h */
certgen *certgen_new(char *err, size_t errlen)
{
    certgen *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(g->dir, sizeof g->dir, "%s/mbshake-bench-XXXXXX",
             tmp && strlen(tmp) < 30 ? tmp : "/tmp");
    if (!mkdtemp(g->dir)) {
        snprintf(err, errlen, "cannot create a temporary directory %s", g->dir);
        free(g);
        return NULL;
    }
    snprintf(g->ca_file, sizeof g->ca_file, "%s/ca.pem", g->dir);
    g->root_key = keygen("ecdsa-p256");
    g->int_key = keygen("ecdsa-p256");
    g->root = g->root_key ? make_cert("mbshake bench root", g->root_key, NULL, NULL, 1, NULL) : NULL;
    g->inter = g->root && g->int_key
                   ? make_cert("mbshake bench intermediate", g->int_key, g->root, g->root_key, 1, NULL)
                   : NULL;
    if (!g->inter || !write_pem(g->ca_file, &g->root, 1, NULL)) {
        snprintf(err, errlen, "cannot make the benchmark CA in %s", g->dir);
        ERR_clear_error();
        certgen_free(g);
        return NULL;
    }
    return g;
}

/* see certgen.h */
int certgen_leaf(certgen *g, const char *kind, const char **chain_file, const char **key_file,
                 char *err, size_t errlen)
{
    for (unsigned i = 0; i < g->nleaves; i++) {
        if (!strcmp(g->leaf[i].kind, kind)) {
            *chain_file = g->leaf[i].chain;
            *key_file = g->leaf[i].key;
            return 0;
        }
    }
    if (g->nleaves == MAX_LEAVES || strlen(kind) >= sizeof g->leaf[0].kind) {
        snprintf(err, errlen, "too many certificate kinds");
        return -1;
    }
    char kd[16]; /* a private copy: kind may not alias g (and gcc's -Wrestrict cannot tell) */
    snprintf(kd, sizeof kd, "%s", kind);
    EVP_PKEY *k = keygen(kd);
    if (!k) {
        snprintf(err, errlen, "unknown certificate kind '%s' (ecdsa-p256, rsa2048, rsa3072, rsa4096)",
                 kind);
        return -1;
    }
    char cn[64];
    snprintf(cn, sizeof cn, "%s leaf", kd);
    X509 *leaf = make_cert(cn, k, g->inter, g->int_key, 0, "DNS:localhost,IP:127.0.0.1");
    unsigned i = g->nleaves;
    char dir[sizeof g->dir];
    memcpy(dir, g->dir, sizeof dir);
    snprintf(g->leaf[i].kind, sizeof g->leaf[i].kind, "%s", kd);
    snprintf(g->leaf[i].chain, sizeof g->leaf[i].chain, "%s/%s-chain.pem", dir, kd);
    snprintf(g->leaf[i].key, sizeof g->leaf[i].key, "%s/%s.key", dir, kd);
    X509 *chain[2] = {leaf, g->inter};
    int ok = leaf && write_pem(g->leaf[i].chain, chain, 2, NULL) &&
             write_pem(g->leaf[i].key, NULL, 0, k); /* the directory is 0700 (mkdtemp) */
    X509_free(leaf);
    EVP_PKEY_free(k);
    ERR_clear_error();
    g->nleaves++; /* even on failure: certgen_free removes whatever was written */
    if (!ok) {
        snprintf(err, errlen, "cannot make the %s certificate in %s", kind, g->dir);
        return -1;
    }
    *chain_file = g->leaf[i].chain;
    *key_file = g->leaf[i].key;
    return 0;
}

/* see certgen.h */
const char *certgen_ca_file(const certgen *g) { return g->ca_file; }

/* see certgen.h */
void certgen_free(certgen *g)
{
    if (!g) return;
    for (unsigned i = 0; i < g->nleaves; i++) {
        unlink(g->leaf[i].chain);
        unlink(g->leaf[i].key);
    }
    unlink(g->ca_file);
    rmdir(g->dir);
    X509_free(g->root);
    X509_free(g->inter);
    EVP_PKEY_free(g->root_key);
    EVP_PKEY_free(g->int_key);
    free(g);
}

