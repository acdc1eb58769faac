/* cd_ossl.c — see cd_ossl.h. The only engine file that includes OpenSSL headers: PEM and DER
 * parsing, X.509 path validation (RFC 5280) with RFC 6125 name checks, and RSA private/public
 * operations through EVP (or, for the private key, rsa_own.h when cd_privkey_rsa_own set it
 * up). Our own P-256 code signs, so EC keys leave here as raw bytes. */
#include "cd_ossl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "cd.h"
#include "ct.h"
#include "err.h"
#include "rsa_own.h"
#include "rsa_pms.h"

#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS_OWN 4096 /* our own keys: what the benchmark and the server support */
#define RSA_MAX_BITS_PEER 8192 /* peers' keys: bounded so one handshake cannot cost seconds */

/* Parsed peer certificates, keyed by their exact DER bytes. d2i_X509 costs more than the two
 * signature checks of a chain (OpenSSL 3 decodes the public key through its provider decoders),
 * and a busy client sees the same few chains over and over. An entry holds only what follows
 * from the DER alone (the X509 object, the leaf's subject line and P-256 point); every
 * handshake still runs the whole path validation on it: signatures, validity period, purpose,
 * CA constraints and host name (X509_verify_cert keeps no verdict in the X509 object).
 * Bounded (PCACHE_SLOTS, round-robin eviction); entries are reference counted, so an evicted
 * certificate lives on until the handshakes using it let go. */
#define PCACHE_SLOTS 16
#define PCACHE_MAX_DER 16384 /* larger certificates are parsed every time, not kept */

typedef struct pcache_entry {
    X509 *x;           /* NULL: slot empty */
    uint8_t *der;      /* copy of the DER the object was parsed from */
    size_t len;
    int p256;          /* 1: ec_pub holds the key (EC P-256); 0: leaf_key works it out */
    uint8_t ec_pub[65];
    char subject[256];
} pcache_entry;

struct cd_trust {
    X509_STORE *store;
    pthread_mutex_t lock; /* guards the cache; held only to look up or swap entries */
    unsigned next;        /* slot the next insertion evicts */
    pcache_entry pc[PCACHE_SLOTS];
};

/* The most specific reason libcrypto queued, or a fallback; clears the queue either way so a
 * stale error never shows up in a later, unrelated message. */
static const char *ossl_reason(const char *fallback)
{
    static _Thread_local char buf[160];
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    snprintf(buf, sizeof buf, "%s", r ? r : fallback);
    ERR_clear_error();
    return buf;
}

/* fopen with the errno text in the message: "cannot read FILE: No such file or directory". */
static FILE *open_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) eng_seterr(err, errlen, "cannot read %s: %s", path, strerror(errno));
    return f;
}

/* ---- certificate chain ------------------------------------------------------------------- */

/* Appends every PEM certificate of path to ch. Returns the number added, or -1 + err. */
static int chain_add_file(cd_chain *ch, const char *path, char *err, size_t errlen)
{
    FILE *f = open_file(path, err, errlen);
    if (!f) return -1;
    int added = 0;
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        if (ch->n == CD_CHAIN_MAX) {
            X509_free(x);
            fclose(f);
            eng_seterr(err, errlen, "%s: more than %d certificates in the chain", path,
                       CD_CHAIN_MAX);
            return -1;
        }
        uint8_t *der = NULL;
        int len = i2d_X509(x, &der);
        X509_free(x);
        if (len <= 0) {
            fclose(f);
            eng_seterr(err, errlen, "%s: cannot encode certificate: %s", path,
                   ossl_reason("i2d_X509 failed"));
            return -1;
        }
        ch->der[ch->n] = der;
        ch->len[ch->n] = (size_t)len;
        ch->n++;
        added++;
    }
    fclose(f);
    /* The loop ends on "no start line" at EOF; anything else is a damaged PEM block. */
    unsigned long e = ERR_peek_last_error();
    if (e && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
        eng_seterr(err, errlen, "%s: bad PEM certificate: %s", path, ossl_reason("parse error"));
        return -1;
    }
    ERR_clear_error();
    if (added == 0) {
        eng_seterr(err, errlen, "%s: no PEM certificate found", path);
        return -1;
    }
    return added;
}

/* see cd_ossl.h */
int cd_chain_load(cd_chain *ch, const char *cert_file, const char *chain_file, char *err,
                  size_t errlen)
{
    memset(ch, 0, sizeof *ch);
    if (chain_add_file(ch, cert_file, err, errlen) < 0 ||
        (chain_file && chain_add_file(ch, chain_file, err, errlen) < 0)) {
        cd_chain_free(ch);
        return -1;
    }
    return 0;
}

/* see cd_ossl.h */
void cd_chain_free(cd_chain *ch)
{
    for (unsigned i = 0; i < ch->n && i < CD_CHAIN_MAX; i++) OPENSSL_free(ch->der[i]);
    memset(ch, 0, sizeof *ch);
}

/* ---- keys ---------------------------------------------------------------------------------- */

/* 1 if pkey is an EC key on P-256 (named curve), else 0. */
static int is_p256(const EVP_PKEY *pkey)
{
    char name[64];
    size_t nl = 0;
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) return 0;
    if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &nl)) {
        ERR_clear_error();
        return 0;
    }
    return strcmp(name, SN_X9_62_prime256v1) == 0;
}

/* Uncompressed SEC 1 point 04||X||Y of an EC P-256 key, whatever form the encoding used. */
static int ec_pub65(const EVP_PKEY *pkey, uint8_t pub[65])
{
    BIGNUM *x = NULL, *y = NULL;
    int ok = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
             EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) &&
             BN_bn2binpad(x, pub + 1, 32) == 32 && BN_bn2binpad(y, pub + 33, 32) == 32;
    pub[0] = 0x04;
    BN_free(x);
    BN_free(y);
    if (!ok) ERR_clear_error();
    return ok ? 0 : -1;
}

/* see cd_ossl.h */
int cd_privkey_load(cd_privkey *k, const char *key_file, char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    FILE *f = open_file(key_file, err, errlen);
    if (!f) return -1;
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pkey) {
        eng_seterr(err, errlen, "%s: no usable PEM private key: %s", key_file,
               ossl_reason("parse error"));
        return -1;
    }
    int rc = -1;
    BIGNUM *d = NULL;
    if (is_p256(pkey)) {
        if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) ||
            BN_bn2binpad(d, k->ec_priv, 32) != 32 || BN_is_zero(d)) {
            eng_seterr(err, errlen, "%s: bad EC P-256 private scalar", key_file);
            goto out;
        }
        if (ec_pub65(pkey, k->ec_pub) < 0) {
            eng_seterr(err, errlen, "%s: EC key without a usable public point", key_file);
            goto out;
        }
        k->type = CD_KEY_EC_P256;
        k->bits = 256;
        rc = 0; /* pkey freed below: the scalar is all our ECDSA needs */
    } else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
        int bits = EVP_PKEY_get_bits(pkey);
        if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS_OWN) {
            eng_seterr(err, errlen, "%s: RSA-%d key not supported (2048..4096 bits)", key_file,
                       bits);
            goto out;
        }
        k->type = CD_KEY_RSA;
        k->bits = (unsigned)bits;
        k->pkey = pkey;
        pkey = NULL;
        (void)cd_privkey_rsa_own(k); /* else libcrypto, reported by cd_rsa_priv_impl */
        rc = 0;
    } else {
        eng_seterr(err, errlen, "%s: unsupported key type %s (want EC P-256 or RSA)", key_file,
               OBJ_nid2sn(EVP_PKEY_get_base_id(pkey)));
    }
out:
    BN_clear_free(d);
    EVP_PKEY_free(pkey);
    ERR_clear_error();
    if (rc < 0) cd_privkey_free(k);
    return rc;
}

/* see cd_ossl.h */
int cd_privkey_matches(const cd_privkey *k, const cd_chain *ch, char *err, size_t errlen)
{
    if (ch->n == 0) {
        eng_seterr(err, errlen, "no certificate loaded");
        return -1;
    }
    const uint8_t *p = ch->der[0];
    X509 *leaf = d2i_X509(NULL, &p, (long)ch->len[0]);
    EVP_PKEY *pub = leaf ? X509_get0_pubkey(leaf) : NULL;
    int match = 0;
    if (pub && k->type == CD_KEY_EC_P256 && is_p256(pub)) {
        uint8_t q[65];
        match = ec_pub65(pub, q) == 0 && memcmp(q, k->ec_pub, 65) == 0;
    } else if (pub && k->type == CD_KEY_RSA && EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
        match = EVP_PKEY_eq((const EVP_PKEY *)k->pkey, pub) == 1;
    }
    X509_free(leaf);
    ERR_clear_error();
    if (!match) {
        eng_seterr(err, errlen, "private key does not match the certificate's public key");
        return -1;
    }
    return 0;
}

/* see cd_ossl.h */
void cd_privkey_free(cd_privkey *k)
{
    rsa_own_free(k->rsa_own); /* wipes */
    EVP_PKEY_free(k->pkey); /* libcrypto clears RSA private components when freeing */
    ct_wipe(k, sizeof *k);
}

/* ---- trust roots and chain verification -------------------------------------------------- */

/* see cd_ossl.h */
cd_trust *cd_trust_load(const char *ca_file, char *err, size_t errlen)
{
    FILE *f = open_file(ca_file, err, errlen);
    if (!f) return NULL;
    cd_trust *t = OPENSSL_zalloc(sizeof *t);
    if (!t || pthread_mutex_init(&t->lock, NULL) != 0) {
        fclose(f);
        OPENSSL_free(t);
        eng_seterr(err, errlen, "out of memory");
        return NULL;
    }
    if (!(t->store = X509_STORE_new())) {
        fclose(f);
        cd_trust_free(t);
        eng_seterr(err, errlen, "out of memory");
        return NULL;
    }
    int n = 0;
    X509 *x;
    while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
        int ok = X509_STORE_add_cert(t->store, x);
        X509_free(x);
        if (!ok) break;
        n++;
    }
    fclose(f);
    unsigned long e = ERR_peek_last_error();
    if (e && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
        eng_seterr(err, errlen, "%s: bad CA certificate: %s", ca_file, ossl_reason("parse error"));
        cd_trust_free(t);
        return NULL;
    }
    ERR_clear_error();
    if (n == 0) {
        eng_seterr(err, errlen, "%s: no PEM certificate found", ca_file);
        cd_trust_free(t);
        return NULL;
    }
    return t;
}

/* see cd_ossl.h */
void cd_trust_free(cd_trust *t)
{
    if (!t) return;
    for (unsigned i = 0; i < PCACHE_SLOTS; i++) {
        X509_free(t->pc[i].x);
        OPENSSL_free(t->pc[i].der);
    }
    pthread_mutex_destroy(&t->lock);
    X509_STORE_free(t->store);
    OPENSSL_free(t);
}

/* RFC 5246 §7.2.2 alerts for RFC 5280 path-validation failures. A name mismatch maps to
 * certificate_unknown(46): the certificate is intact and chains to a trusted root, it is just
 * not acceptable for this peer — bad_certificate(42) would claim corruption or a bad
 * signature, and handshake_failure(40) would hide that the certificate was the problem. */
static int verify_alert(int v)
{
    switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
    case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
        return ALERT_CERTIFICATE_EXPIRED;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
        return ALERT_UNKNOWN_CA;
    case X509_V_ERR_CERT_REVOKED:
        return ALERT_CERTIFICATE_REVOKED;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
    case X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY:
    case X509_V_ERR_CERT_REJECTED:
        return ALERT_BAD_CERTIFICATE;
    default: /* host/IP mismatch, wrong purpose, CA constraints, ... */
        return ALERT_CERTIFICATE_UNKNOWN;
    }
}

/* One-line subject ("CN = localhost") of x. */
static void subject_line(X509 *x, char *out, size_t cap)
{
    out[0] = 0;
    BIO *b = BIO_new(BIO_s_mem());
    if (!b) return;
    if (X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        int n = BIO_read(b, out, (int)cap - 1);
        out[n > 0 ? n : 0] = 0;
    }
    BIO_free(b);
}

/* 1 if host is an IPv4 or IPv6 literal (checked against IP SANs, RFC 6125 §1.7.2). */
static int is_ip_literal(const char *host)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* Fills leaf's key fields from x. 0, or an ENG_E_ALERT for a key we cannot use. */
static int leaf_key(X509 *x, cd_pubkey *leaf, char *err, size_t errlen)
{
    EVP_PKEY *pub = X509_get0_pubkey(x);
    if (!pub) {
        eng_seterr(err, errlen, "leaf certificate: unreadable public key: %s",
               ossl_reason("decode error"));
        return ENG_E_ALERT(ALERT_BAD_CERTIFICATE);
    }
    if (is_p256(pub)) {
        if (ec_pub65(pub, leaf->ec_pub) < 0) {
            eng_seterr(err, errlen, "leaf certificate: bad EC P-256 public point");
            return ENG_E_ALERT(ALERT_BAD_CERTIFICATE);
        }
        leaf->type = CD_KEY_EC_P256;
        leaf->bits = 256;
        return 0;
    }
    if (EVP_PKEY_get_base_id(pub) == EVP_PKEY_RSA) {
        int bits = EVP_PKEY_get_bits(pub);
        if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS_PEER) {
            eng_seterr(err, errlen, "leaf certificate: RSA-%d key not supported (2048..8192 bits)",
                   bits);
            return ENG_E_ALERT(ALERT_UNSUPPORTED_CERTIFICATE);
        }
        if (!EVP_PKEY_up_ref(pub)) return ENG_E_NOMEM;
        leaf->type = CD_KEY_RSA;
        leaf->bits = (unsigned)bits;
        leaf->pkey = pub;
        return 0;
    }
    eng_seterr(err, errlen, "leaf certificate: unsupported key type %s (want EC P-256 or RSA)",
           OBJ_nid2sn(EVP_PKEY_get_base_id(pub)));
    return ENG_E_ALERT(ALERT_UNSUPPORTED_CERTIFICATE);
}

/* Parses exactly one DER certificate (RFC 5280 §4.1) into out->x (a reference the caller
 * frees) with the leaf facts beside it. 0, or -1 if der is not one DER certificate. */
static int pcache_parse(const uint8_t *der, size_t len, pcache_entry *out)
{
    const uint8_t *p = der;
    X509 *x = len <= 0x7fffffff ? d2i_X509(NULL, &p, (long)len) : NULL;
    if (!x || p != der + len) {
        X509_free(x);
        return -1;
    }
    out->x = x;
    out->der = NULL;
    out->len = len;
    subject_line(x, out->subject, sizeof out->subject);
    EVP_PKEY *pub = X509_get0_pubkey(x);
    out->p256 = pub && is_p256(pub) && ec_pub65(pub, out->ec_pub) == 0;
    return 0;
}

/* Like pcache_parse, through t's cache when t != NULL: on a hit out gets a new reference to the
 * object parsed before from the same bytes; a miss parses and keeps a copy (evicting round
 * robin). The comparison is on the whole DER, not on a hash of it. */
static int pcache_get(const cd_trust *tc, const uint8_t *der, size_t len, pcache_entry *out)
{
    cd_trust *t = (cd_trust *)tc; /* the cache is mutable state behind a const handle */
    if (t && len <= PCACHE_MAX_DER) {
        int hit = 0;
        pthread_mutex_lock(&t->lock);
        for (unsigned i = 0; i < PCACHE_SLOTS && !hit; i++) {
            pcache_entry *e = &t->pc[i];
            if (e->x && e->len == len && !memcmp(e->der, der, len) && X509_up_ref(e->x)) {
                *out = *e;
                out->der = NULL;
                hit = 1;
            }
        }
        pthread_mutex_unlock(&t->lock);
        if (hit) return 0;
    }
    if (pcache_parse(der, len, out) < 0) return -1;
    if (!t || len > PCACHE_MAX_DER) return 0;
    uint8_t *copy = OPENSSL_malloc(len);
    if (!copy || !X509_up_ref(out->x)) { /* not cached: still a valid parse */
        OPENSSL_free(copy);
        return 0;
    }
    memcpy(copy, der, len);
    pthread_mutex_lock(&t->lock);
    pcache_entry *e = &t->pc[t->next];
    t->next = (t->next + 1) % PCACHE_SLOTS;
    X509 *old = e->x;
    uint8_t *old_der = e->der;
    *e = *out;
    e->der = copy;
    pthread_mutex_unlock(&t->lock);
    X509_free(old); /* handshakes still holding it keep their own references */
    OPENSSL_free(old_der);
    return 0;
}

/* see cd_ossl.h */
int cd_chain_verify(const cd_trust *trust, const uint8_t *const der[], const size_t len[],
                    unsigned n, const char *hostname, cd_pubkey *leaf, char *err, size_t errlen)
{
    memset(leaf, 0, sizeof *leaf);
    if (n == 0) {
        /* RFC 5246 §7.4.2: the server's Certificate must hold at least its own certificate */
        eng_seterr(err, errlen, "peer sent no certificate");
        return ENG_E_ALERT(ALERT_BAD_CERTIFICATE);
    }
    if (n > CD_CHAIN_MAX) {
        eng_seterr(err, errlen, "peer sent %u certificates (at most %d accepted)", n, CD_CHAIN_MAX);
        return ENG_E_ALERT(ALERT_UNKNOWN_CA);
    }
    int rc = 0;
    X509 *x[CD_CHAIN_MAX] = {0};
    STACK_OF(X509) *untrusted = NULL;
    X509_STORE_CTX *ctx = NULL;
    pcache_entry pe0 = {0}; /* the leaf's facts */
    for (unsigned i = 0; i < n; i++) {
        pcache_entry pe;
        if (pcache_get(trust, der[i], len[i], &pe) < 0) {
            /* RFC 5280 §4.1: exactly one DER Certificate */
            eng_seterr(err, errlen, "certificate %u: not a DER X.509 certificate", i);
            rc = ENG_E_ALERT(ALERT_BAD_CERTIFICATE);
            goto out;
        }
        x[i] = pe.x;
        if (i == 0) pe0 = pe;
    }
    memcpy(leaf->subject, pe0.subject, sizeof leaf->subject);

    if (trust) {
        if (!(untrusted = sk_X509_new_null()) || !(ctx = X509_STORE_CTX_new())) {
            rc = ENG_E_NOMEM;
            goto out;
        }
        for (unsigned i = 1; i < n; i++) {
            if (!sk_X509_push(untrusted, x[i])) {
                rc = ENG_E_NOMEM;
                goto out;
            }
        }
        if (!X509_STORE_CTX_init(ctx, trust->store, x[0], untrusted)) {
            rc = ENG_E_NOMEM;
            goto out;
        }
        X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
        /* The leaf must be usable by a TLS server: extendedKeyUsage serverAuth when present. */
        X509_VERIFY_PARAM_set_purpose(vp, X509_PURPOSE_SSL_SERVER);
        int pok = 1;
        if (hostname && *hostname) {
            if (is_ip_literal(hostname)) {
                pok = X509_VERIFY_PARAM_set1_ip_asc(vp, hostname);
            } else {
                X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
                pok = X509_VERIFY_PARAM_set1_host(vp, hostname, 0);
            }
        }
        if (!pok) {
            eng_seterr(err, errlen, "cannot check the certificate against name \"%s\"", hostname);
            rc = ENG_E_ALERT(ALERT_CERTIFICATE_UNKNOWN);
            goto out;
        }
        if (X509_verify_cert(ctx) != 1) {
            int v = X509_STORE_CTX_get_error(ctx);
            int depth = X509_STORE_CTX_get_error_depth(ctx);
            int a = verify_alert(v);
            if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
                eng_seterr(err, errlen, "certificate verify failed: %s (\"%s\")",
                       X509_verify_cert_error_string(v), hostname);
            else
                eng_seterr(err, errlen, "certificate verify failed at depth %d: %s", depth,
                       X509_verify_cert_error_string(v));
            rc = ENG_E_ALERT(a);
            goto out;
        }
    }
    if (pe0.p256) { /* the point leaf_key would extract, read from the same DER before */
        leaf->type = CD_KEY_EC_P256;
        leaf->bits = 256;
        memcpy(leaf->ec_pub, pe0.ec_pub, sizeof leaf->ec_pub);
    } else {
        rc = leaf_key(x[0], leaf, err, errlen);
    }
out:
    X509_STORE_CTX_free(ctx);
    sk_X509_free(untrusted); /* the certificates themselves are freed below */
    for (unsigned i = 0; i < n && i < CD_CHAIN_MAX; i++) X509_free(x[i]);
    ERR_clear_error();
    if (rc < 0) cd_pubkey_free(leaf);
    return rc;
}

/* see cd_ossl.h */
void cd_pubkey_free(cd_pubkey *k)
{
    EVP_PKEY_free(k->pkey);
    memset(k, 0, sizeof *k);
}

/* ---- RSA ----------------------------------------------------------------------------------- */

/* TLS SignatureScheme (RFC 8446 §4.2.3, used by TLS 1.2 peers via RFC 5246 §7.4.1.4.1 codes)
 * -> digest and padding. NULL for schemes we do not do with RSA. */
static const EVP_MD *scheme_md(uint16_t scheme, int *pad)
{
    switch (scheme) {
    case 0x0401: *pad = RSA_PKCS1_PADDING; return EVP_sha256();
    case 0x0501: *pad = RSA_PKCS1_PADDING; return EVP_sha384();
    case 0x0601: *pad = RSA_PKCS1_PADDING; return EVP_sha512();
    case 0x0804: *pad = RSA_PKCS1_PSS_PADDING; return EVP_sha256();
    case 0x0805: *pad = RSA_PKCS1_PSS_PADDING; return EVP_sha384();
    default: return NULL;
    }
}

/* A sign or verify context for pkey with scheme's padding; NULL on any mismatch. */
static EVP_PKEY_CTX *sig_ctx(EVP_PKEY *pkey, uint16_t scheme, size_t dlen, int verify)
{
    int pad = 0;
    const EVP_MD *md = scheme_md(scheme, &pad);
    if (!pkey || !md || dlen != (size_t)EVP_MD_get_size(md)) return NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    if (!ctx) return NULL;
    int ok = (verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx)) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, pad) > 0 && EVP_PKEY_CTX_set_signature_md(ctx, md) > 0;
    /* RFC 8446 §4.2.3: rsa_pss_rsae_* use MGF1 with the same hash and a salt as long as the
     * digest; a verifier insists on exactly that rather than auto-detecting. */
    if (ok && pad == RSA_PKCS1_PSS_PADDING)
        ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) > 0;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* see cd_ossl.h */
int cd_privkey_rsa_own(cd_privkey *k)
{
    if (k->type != CD_KEY_RSA || !k->pkey || k->rsa_own) return k->rsa_own ? 0 : -1;
    if (!rsa_own_usable()) return -1;
    static const char *const names[7] = {
        OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
        OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    BIGNUM *bn[7] = {0};
    uint8_t buf[7][RSA_OWN_MAX_BYTES];
    size_t len[7] = {0};
    int ok = 1;
    for (int i = 0; i < 7 && ok; i++) {
        ok = EVP_PKEY_get_bn_param(k->pkey, names[i], &bn[i]) && BN_num_bytes(bn[i]) > 0 &&
             BN_num_bytes(bn[i]) <= RSA_OWN_MAX_BYTES;
        if (ok) len[i] = (size_t)BN_bn2bin(bn[i], buf[i]);
    }
    if (ok)
        k->rsa_own = rsa_own_new(buf[0], len[0], buf[1], len[1], buf[2], len[2], buf[3], len[3],
                                 buf[4], len[4], buf[5], len[5], buf[6], len[6]);
    for (int i = 0; i < 7; i++) BN_clear_free(bn[i]);
    ct_wipe(buf, sizeof buf);
    ERR_clear_error();
    return k->rsa_own ? 0 : -1;
}

/* see cd_ossl.h */
const char *cd_rsa_priv_impl(const cd_privkey *k)
{
    return k->type == CD_KEY_RSA && k->rsa_own && rsa_own_usable() ? rsa_own_impl_name()
                                                                     : "libcrypto";
}

/* see cd_ossl.h */
int cd_rsa_sign(const cd_privkey *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                uint8_t *sig, size_t *siglen)
{
    if (k->type != CD_KEY_RSA || (size_t)EVP_PKEY_get_size(k->pkey) > *siglen) return -1;
    if (k->rsa_own && rsa_own_usable()) {
        if (rsa_own_sign(k->rsa_own, scheme, digest, dlen, sig) != 0) return -1;
        *siglen = rsa_own_len(k->rsa_own);
        return 0;
    }
    EVP_PKEY_CTX *ctx = sig_ctx(k->pkey, scheme, dlen, 0);
    int ok = ctx && EVP_PKEY_sign(ctx, sig, siglen, digest, dlen) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* see cd_ossl.h */
int cd_rsa_verify(const cd_pubkey *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                  const uint8_t *sig, size_t siglen)
{
    /* RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets long. */
    if (k->type != CD_KEY_RSA || siglen != (size_t)EVP_PKEY_get_size(k->pkey)) return -1;
    EVP_PKEY_CTX *ctx = sig_ctx(k->pkey, scheme, dlen, 1);
    int ok = ctx && EVP_PKEY_verify(ctx, sig, siglen, digest, dlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* see cd_ossl.h. *outlen is the capacity of out on entry (at least the modulus length), the
 * ciphertext length on return. */
int cd_rsa_encrypt_pms(const cd_pubkey *k, const uint8_t pms[48], uint8_t *out, size_t *outlen)
{
    if (k->type != CD_KEY_RSA || (size_t)EVP_PKEY_get_size(k->pkey) > *outlen) return -1;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0 &&
             EVP_PKEY_encrypt(ctx, out, outlen, pms, 48) > 0;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

#define RSA_MAX_BYTES (RSA_MAX_BITS_OWN / 8)

/* see cd_ossl.h */
void cd_rsa_decrypt_pms(const cd_privkey *k, const uint8_t *ct, size_t n, uint16_t client_version,
                        uint8_t pms[48])
{
    /* RFC 5246 §7.4.7.1 step 1: R is drawn before decrypting, on every path, so neither the
     * time nor the RNG use says anything about the padding. */
    uint8_t rnd[48], em[RSA_MAX_BYTES];
    cd_random(rnd, sizeof rnd);
    memcpy(pms, rnd, 48);
    size_t klen = k->type == CD_KEY_RSA ? (size_t)EVP_PKEY_get_size(k->pkey) : 0;
    /* Public checks only: the ciphertext length against the modulus length (RFC 8017 §7.2.2
     * step 1). A wrong length gets R, like any other failure. */
    if (klen == 0 || klen > sizeof em || n != klen) goto out;

    /* The raw private operation (m = c^d mod n: ours, or libcrypto's blinded one); the PKCS #1
     * padding is then checked by rsa_pms_select in constant time, so libcrypto's own padding
     * code — whose error path would be an oracle — never sees the block. Failure here depends
     * only on the public ciphertext (c >= n) or on resources, not on the plaintext (ours: or
     * on a fault caught by its public-exponent check). */
    int ok;
    if (k->rsa_own && rsa_own_usable()) {
        /* ours (rsa_own.h): constant time, exponent-blinded, checked with e; fails only for
         * c >= n (public) or a fault */
        ok = rsa_own_private(k->rsa_own, ct, em) == 0;
    } else {
        size_t emlen = sizeof em;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
        ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_decrypt(ctx, em, &emlen, ct, n) > 0 && emlen == klen;
        EVP_PKEY_CTX_free(ctx);
        ERR_clear_error();
    }
    if (ok) rsa_pms_select(em, klen, client_version, rnd, pms);
out:
    ct_wipe(em, sizeof em);
    ct_wipe(rnd, sizeof rnd);
}
