/* micro_ops.c — see micro_ops.h. Inputs are made once per row in micro_setup(); micro_run() is
 * the timed call and does nothing but the operation under test. The OpenSSL rows are the
 * reference: prepared contexts (fetched algorithms, keys, peers set once) so that they measure
 * the primitive rather than OpenSSL's algorithm lookup. */
#include "micro_ops.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "cd.h"
#include "err.h"
#include "keysched.h"
#include "p256_internal.h"

#define MAXL 16 /* largest batch any kernel table declares (8 today) */

typedef struct micro_st {
    cd_gcm_key gk; /* first: needs 64-byte alignment */
    micro_row r;
    const cd_x25519 *x;
    const cd_p256 *p;
    uint8_t priv[MAXL][32], out[MAXL][32], xpub[MAXL][32], xpeer[MAXL][32];
    uint8_t ppub[MAXL][65], ppeer[MAXL][65], hash[MAXL][32], sig[MAXL][64];
    uint8_t msg[1024], ct[1024], pt[1024], key[32], iv[12], aad[13], tag[16], md[64];
    uint8_t pms[32], cr[32], sr[32], seed[13 + 64], ms[48];
    /* OpenSSL */
    EVP_PKEY *pk, *peer;
    EVP_PKEY_CTX *pctx;
    EVP_MD *evp_md;
    EVP_MAC *mac;
    EVP_MAC_CTX *mctx;
    EVP_CIPHER *cipher;
    EVP_CIPHER_CTX *cctx;
    EVP_KDF *kdf;
    EVP_KDF_CTX *kctx;
    uint8_t der[80];
    size_t derlen;
    void *ktab; /* MK_ECDSA_VERIFY_TAB: the key's table (every lane uses it) */
    const void *ktabs[MAXL];
} micro_st;

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    uint64_t s = 0x9e3779b97f4a7c15ull * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        p[i] = (uint8_t)s;
    }
}


/* ---- the row list -------------------------------------------------------------------------- */

static size_t add(micro_row *rows, size_t cap, size_t k, const char *prim, const char *impl,
                  unsigned n, enum micro_kind kind, const void *im, int openssl)
{
    if (k < cap) {
        micro_row *r = &rows[k];
        snprintf(r->name, sizeof r->name, "%s/%s/%u", prim, impl, n);
        r->kind = kind;
        r->n = n;
        r->impl = im;
        r->openssl = openssl;
    }
    return k + 1;
}

/* see micro_ops.h */
size_t micro_rows(micro_row *rows, size_t cap)
{
    uint64_t have = cd_cpu_features();
    size_t k = 0;
    for (unsigned i = 0; i < cd_x25519_nimpls; i++) {
        const cd_x25519 *x = cd_x25519_impls[i];
        if ((x->needs & ~have) != 0 || x->lanes > MAXL) {
            fprintf(stderr, "x25519 %-11s UNAVAILABLE\n", x->name);
            continue;
        }
        for (unsigned n = 1; n <= x->lanes; n++)
            k = add(rows, cap, k, "x25519_keygen", x->name, n, MK_X25519_KEYGEN, x, 0);
        for (unsigned n = 1; n <= x->lanes; n++)
            k = add(rows, cap, k, "x25519_derive", x->name, n, MK_X25519_DERIVE, x, 0);
    }
    k = add(rows, cap, k, "x25519_keygen", "openssl", 1, MK_X25519_KEYGEN, NULL, 1);
    k = add(rows, cap, k, "x25519_derive", "openssl", 1, MK_X25519_DERIVE, NULL, 1);

    static const struct {
        const char *prim;
        enum micro_kind kind;
    } pk[] = {{"p256_keygen", MK_P256_KEYGEN},
              {"p256_ecdh", MK_P256_ECDH},
              {"ecdsa_sign", MK_ECDSA_SIGN},
              {"ecdsa_verify", MK_ECDSA_VERIFY}};
    for (size_t j = 0; j < sizeof pk / sizeof *pk; j++) {
        for (unsigned i = 0; i < cd_p256_nimpls; i++) {
            const cd_p256 *p = cd_p256_impls[i];
            if ((p->needs & ~have) != 0 || p->lanes > MAXL) {
                if (j == 0) fprintf(stderr, "p256   %-11s UNAVAILABLE\n", p->name);
                continue;
            }
            for (unsigned n = 1; n <= p->lanes; n++)
                k = add(rows, cap, k, pk[j].prim, p->name, n, pk[j].kind, p, 0);
        }
        /* the one-lane BMI2/ADX verification on its own (the AVX2 entry uses it for one or two
         * signatures), at the batch sizes of the AVX2 entry, to check that split */
        static cd_p256 mulx_verify;
        if (pk[j].kind == MK_ECDSA_VERIFY && (have & CD_NEEDS_MULX) == CD_NEEDS_MULX) {
            mulx_verify = *cd_p256_impls[cd_p256_nimpls - 1];
            mulx_verify.name = "mulx";
            mulx_verify.needs = CD_NEEDS_MULX;
            mulx_verify.verify = p256_verify_mulx;
            for (unsigned n = 1; n <= 4; n++)
                k = add(rows, cap, k, pk[j].prim, "mulx", n, pk[j].kind, &mulx_verify, 0);
        }
        k = add(rows, cap, k, pk[j].prim, "openssl", 1, pk[j].kind, NULL, 1);
    }
    /* verification with a per-key table (--verify cached): every lane under one key, as a
     * client that meets one server */
    for (unsigned i = 0; i < cd_p256_nimpls; i++) {
        const cd_p256 *p = cd_p256_impls[i];
        if ((p->needs & ~have) != 0 || p->lanes > MAXL || !p->verify_tab) continue;
        for (unsigned n = 1; n <= p->lanes; n++)
            k = add(rows, cap, k, "ecdsa_verify_tab", p->name, n, MK_ECDSA_VERIFY_TAB, p, 0);
    }

    static const struct {
        const char *prim;
        enum micro_kind kind;
    } sym[] = {{"sha256_64B", MK_SHA256_64B},
               {"hmac_sha256_64B", MK_HMAC_SHA256_64B},
               {"aes128gcm_1KiB", MK_AES128GCM_SEAL_1KIB},
               {"aes128gcm_open_1KiB", MK_AES128GCM_OPEN_1KIB},
               {"prf_sha256_ms", MK_PRF_SHA256_MS}};
    for (size_t j = 0; j < sizeof sym / sizeof *sym; j++) {
        /* the PRF is ours (keysched.c) on top of ipsec-mb's HMAC */
        k = add(rows, cap, k, sym[j].prim, sym[j].kind == MK_PRF_SHA256_MS ? "mbshake" : "ipsecmb",
                1, sym[j].kind, NULL, 0);
        k = add(rows, cap, k, sym[j].prim, "openssl", 1, sym[j].kind, NULL, 1);
    }
    return k;
}

/* ---- OpenSSL reference operations ----------------------------------------------------------- */

static EVP_PKEY *ossl_keygen(const char *alg)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
    if (c && EVP_PKEY_keygen_init(c) == 1 &&
        (strcmp(alg, "EC") != 0 || EVP_PKEY_CTX_set_group_name(c, "P-256") == 1))
        EVP_PKEY_keygen(c, &k);
    EVP_PKEY_CTX_free(c);
    return k;
}

static int ossl_gcm_seal(micro_st *s, uint8_t *out, uint8_t tag[16])
{
    int l = 0, ok = EVP_EncryptInit_ex2(s->cctx, NULL, NULL, s->iv, NULL) == 1;
    ok = ok && EVP_EncryptUpdate(s->cctx, NULL, &l, s->aad, sizeof s->aad) == 1;
    ok = ok && EVP_EncryptUpdate(s->cctx, out, &l, s->msg, sizeof s->msg) == 1;
    ok = ok && EVP_EncryptFinal_ex(s->cctx, out + l, &l) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(s->cctx, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    return ok ? 0 : -1;
}

static int ossl_gcm_open(micro_st *s)
{
    int l = 0, ok = EVP_DecryptInit_ex2(s->cctx, NULL, NULL, s->iv, NULL) == 1;
    ok = ok && EVP_DecryptUpdate(s->cctx, NULL, &l, s->aad, sizeof s->aad) == 1;
    ok = ok && EVP_DecryptUpdate(s->cctx, s->pt, &l, s->ct, sizeof s->ct) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(s->cctx, EVP_CTRL_GCM_SET_TAG, 16, s->tag) == 1;
    ok = ok && EVP_DecryptFinal_ex(s->cctx, s->pt + l, &l) == 1;
    return ok ? 0 : -1;
}

static int ossl_prf(micro_st *s, uint8_t ms[48])
{
    OSSL_PARAM prm[4] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, s->pms, sizeof s->pms),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, s->seed, sizeof s->seed),
        OSSL_PARAM_construct_end(),
    };
    /* TLS1-PRF appends every SEED parameter it is given: reset between derivations */
    EVP_KDF_CTX_reset(s->kctx);
    return EVP_KDF_derive(s->kctx, ms, 48, prm) == 1 ? 0 : -1;
}

static int run_openssl(micro_st *s)
{
    size_t len;
    switch (s->r.kind) {
    case MK_X25519_KEYGEN:
    case MK_P256_KEYGEN: {
        EVP_PKEY *k = NULL;
        int ok = EVP_PKEY_keygen(s->pctx, &k) == 1;
        EVP_PKEY_free(k);
        return ok ? 0 : -1;
    }
    case MK_X25519_DERIVE:
    case MK_P256_ECDH:
        len = 32;
        return EVP_PKEY_derive(s->pctx, s->out[0], &len) == 1 && len == 32 ? 0 : -1;
    case MK_ECDSA_SIGN:
        len = sizeof s->der;
        return EVP_PKEY_sign(s->pctx, s->der, &len, s->hash[0], 32) == 1 ? 0 : -1;
    case MK_ECDSA_VERIFY:
    case MK_ECDSA_VERIFY_TAB:
        return EVP_PKEY_verify(s->pctx, s->der, s->derlen, s->hash[0], 32) == 1 ? 0 : -1;
    case MK_SHA256_64B:
        return EVP_Digest(s->msg, 64, s->md, NULL, s->evp_md, NULL) == 1 ? 0 : -1;
    case MK_HMAC_SHA256_64B: {
        int ok = EVP_MAC_init(s->mctx, s->key, 32, NULL) == 1;
        ok = ok && EVP_MAC_update(s->mctx, s->msg, 64) == 1;
        ok = ok && EVP_MAC_final(s->mctx, s->md, &len, sizeof s->md) == 1;
        return ok ? 0 : -1;
    }
    case MK_AES128GCM_SEAL_1KIB: return ossl_gcm_seal(s, s->ct, s->tag);
    case MK_AES128GCM_OPEN_1KIB: return ossl_gcm_open(s);
    case MK_PRF_SHA256_MS: return ossl_prf(s, s->ms);
    }
    return -1;
}

/* ---- ours ------------------------------------------------------------------------------------ */

/* see micro_ops.h */
int micro_run(void *state)
{
    micro_st *s = state;
    unsigned n = s->r.n;
    if (s->r.openssl) return run_openssl(s);
    switch (s->r.kind) {
    case MK_X25519_KEYGEN: return s->x->keygen(s->xpub, (const uint8_t(*)[32])s->priv, n) ? -1 : 0;
    case MK_X25519_DERIVE:
        return s->x->derive(s->out, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[32])s->xpeer, n)
                   ? -1
                   : 0;
    case MK_P256_KEYGEN: return s->p->keygen(s->ppub, (const uint8_t(*)[32])s->priv, n) ? -1 : 0;
    case MK_P256_ECDH:
        return s->p->derive(s->out, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[65])s->ppeer, n)
                   ? -1
                   : 0;
    case MK_ECDSA_SIGN:
        return s->p->sign(s->sig, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[32])s->hash,
                          NULL, n)
                   ? -1
                   : 0;
    case MK_ECDSA_VERIFY:
        return s->p->verify((const uint8_t(*)[65])s->ppub, (const uint8_t(*)[32])s->hash,
                            (const uint8_t(*)[64])s->sig, n)
                   ? -1
                   : 0;
    case MK_ECDSA_VERIFY_TAB:
        return s->p->verify_tab((const uint8_t(*)[65])s->ppub, s->ktabs,
                                (const uint8_t(*)[32])s->hash, (const uint8_t(*)[64])s->sig, n)
                   ? -1
                   : 0;
    case MK_SHA256_64B: cd_hash(CD_SHA256, s->msg, 64, s->md); return 0;
    case MK_HMAC_SHA256_64B: cd_hmac(CD_SHA256, s->key, 32, s->msg, 64, s->md); return 0;
    case MK_AES128GCM_SEAL_1KIB:
        cd_gcm_seal(&s->gk, s->iv, s->aad, sizeof s->aad, s->msg, sizeof s->msg, s->ct, s->tag);
        return 0;
    case MK_AES128GCM_OPEN_1KIB:
        return cd_gcm_open(&s->gk, s->iv, s->aad, sizeof s->aad, s->ct, sizeof s->ct, s->tag, s->pt);
    case MK_PRF_SHA256_MS: ks_master_secret(CD_SHA256, s->pms, 32, s->cr, s->sr, s->ms); return 0;
    }
    return -1;
}

/* ---- setup: inputs, and a one-time check of what is about to be measured --------------------- */

static int setup_x25519(micro_st *s, char *err, size_t cap)
{
    const cd_x25519 *ref = cd_x25519_impls[cd_x25519_nimpls - 1]; /* scalar, always last */
    uint8_t peer_priv[MAXL][32], want[MAXL][32];
    unsigned n = s->r.n;
    fill(&s->priv[0][0], sizeof s->priv, 1);
    fill(&peer_priv[0][0], sizeof peer_priv, 2);
    if (ref->keygen(s->xpeer, (const uint8_t(*)[32])peer_priv, n) != 0) {
        eng_seterr(err, cap, "scalar x25519 keygen failed");
        return -1;
    }
    if (micro_run(s) != 0) {
        eng_seterr(err, cap, "%s: a lane failed", s->r.name);
        return -1;
    }
    /* the kernel under test must agree with the scalar one on this very batch */
    if (s->r.kind == MK_X25519_KEYGEN)
        ref->keygen(want, (const uint8_t(*)[32])s->priv, n);
    else
        ref->derive(want, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[32])s->xpeer, n);
    if (memcmp(s->r.kind == MK_X25519_KEYGEN ? s->xpub : s->out, want, 32 * (size_t)n) != 0) {
        eng_seterr(err, cap, "%s disagrees with the scalar implementation", s->r.name);
        return -1;
    }
    return 0;
}

static int setup_p256(micro_st *s, char *err, size_t cap)
{
    const cd_p256 *ref = cd_p256_impls[cd_p256_nimpls - 1];
    uint8_t peer_priv[MAXL][32], w32[MAXL][32], w65[MAXL][65], w64[MAXL][64];
    unsigned n = s->r.n;
    fill(&s->priv[0][0], sizeof s->priv, 3);
    fill(&peer_priv[0][0], sizeof peer_priv, 4);
    fill(&s->hash[0][0], sizeof s->hash, 5);
    if (s->r.kind == MK_ECDSA_VERIFY_TAB) /* one key for every lane */
        for (unsigned l = 1; l < MAXL; l++)
            memcpy(s->priv[l], s->priv[0], 32);
    /* random 256-bit values are below the group order except with probability ~2^-32 */
    if (ref->keygen(s->ppeer, (const uint8_t(*)[32])peer_priv, n) != 0 ||
        ref->keygen(s->ppub, (const uint8_t(*)[32])s->priv, n) != 0 ||
        ref->sign(s->sig, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[32])s->hash, NULL, n) != 0) {
        eng_seterr(err, cap, "scalar P-256 setup failed");
        return -1;
    }
    memcpy(w65, s->ppub, sizeof w65);
    memcpy(w64, s->sig, sizeof w64);
    if (s->r.kind == MK_ECDSA_VERIFY_TAB) {
        s->ktab = s->p->key_table_new(s->ppub[0]);
        if (!s->ktab) {
            eng_seterr(err, cap, "%s: key_table_new failed", s->r.name);
            return -1;
        }
        for (unsigned l = 0; l < MAXL; l++)
            s->ktabs[l] = s->ktab;
        /* a wrong signature must fail (the table path, not just the plain one) */
        s->sig[n - 1][40] ^= 1;
        uint32_t bad = s->p->verify_tab((const uint8_t(*)[65])s->ppub, s->ktabs,
                                        (const uint8_t(*)[32])s->hash,
                                        (const uint8_t(*)[64])s->sig, n);
        s->sig[n - 1][40] ^= 1;
        if (bad != 1u << (n - 1)) {
            eng_seterr(err, cap, "%s: a forged signature got mask %#x", s->r.name, bad);
            return -1;
        }
    }
    if (micro_run(s) != 0) {
        eng_seterr(err, cap, "%s: a lane failed", s->r.name);
        return -1;
    }
    int same = 1;
    switch (s->r.kind) {
    case MK_P256_KEYGEN: same = !memcmp(s->ppub, w65, 65 * (size_t)n); break;
    case MK_ECDSA_SIGN: same = !memcmp(s->sig, w64, 64 * (size_t)n); break; /* RFC 6979 */
    case MK_P256_ECDH:
        ref->derive(w32, (const uint8_t(*)[32])s->priv, (const uint8_t(*)[65])s->ppeer, n);
        same = !memcmp(s->out, w32, 32 * (size_t)n);
        break;
    default: break; /* verify: micro_run() == 0 already says every lane accepted */
    }
    if (!same) {
        eng_seterr(err, cap, "%s disagrees with the scalar implementation", s->r.name);
        return -1;
    }
    return 0;
}

static int setup_openssl_pk(micro_st *s, char *err, size_t cap)
{
    int x = s->r.kind == MK_X25519_KEYGEN || s->r.kind == MK_X25519_DERIVE;
    const char *alg = x ? "X25519" : "EC";
    int ok = 1;
    fill(&s->hash[0][0], sizeof s->hash, 5);
    switch (s->r.kind) {
    case MK_X25519_KEYGEN:
    case MK_P256_KEYGEN:
        s->pctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
        ok = s->pctx && EVP_PKEY_keygen_init(s->pctx) == 1 &&
             (x || EVP_PKEY_CTX_set_group_name(s->pctx, "P-256") == 1);
        break;
    case MK_X25519_DERIVE:
    case MK_P256_ECDH:
        /* peer set (and validated) once: the row measures the scalar multiplication */
        s->pk = ossl_keygen(alg);
        s->peer = ossl_keygen(alg);
        s->pctx = s->pk ? EVP_PKEY_CTX_new_from_pkey(NULL, s->pk, NULL) : NULL;
        ok = s->peer && s->pctx && EVP_PKEY_derive_init(s->pctx) == 1 &&
             EVP_PKEY_derive_set_peer(s->pctx, s->peer) == 1;
        break;
    case MK_ECDSA_SIGN:
    case MK_ECDSA_VERIFY:
        s->pk = ossl_keygen(alg);
        s->pctx = s->pk ? EVP_PKEY_CTX_new_from_pkey(NULL, s->pk, NULL) : NULL;
        ok = s->pctx && EVP_PKEY_sign_init(s->pctx) == 1;
        s->derlen = sizeof s->der;
        ok = ok && EVP_PKEY_sign(s->pctx, s->der, &s->derlen, s->hash[0], 32) == 1;
        if (ok && s->r.kind == MK_ECDSA_VERIFY) ok = EVP_PKEY_verify_init(s->pctx) == 1;
        break;
    default: ok = 0;
    }
    if (!ok) eng_seterr(err, cap, "%s: OpenSSL setup failed", s->r.name);
    return ok ? 0 : -1;
}

static int setup_sym(micro_st *s, char *err, size_t cap)
{
    fill(s->msg, sizeof s->msg, 6);
    fill(s->key, sizeof s->key, 7);
    fill(s->iv, sizeof s->iv, 8);
    fill(s->aad, sizeof s->aad, 9);
    fill(s->pms, sizeof s->pms, 10);
    fill(s->cr, sizeof s->cr, 11);
    fill(s->sr, sizeof s->sr, 12);
    memcpy(s->seed, "master secret", 13);
    memcpy(s->seed + 13, s->cr, 32);
    memcpy(s->seed + 45, s->sr, 32);
    int ok = (s->evp_md = EVP_MD_fetch(NULL, "SHA256", NULL)) != NULL;
    ok = ok && (s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) != NULL;
    ok = ok && (s->mctx = EVP_MAC_CTX_new(s->mac)) != NULL;
    OSSL_PARAM prm[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                         OSSL_PARAM_construct_end()};
    ok = ok && EVP_MAC_CTX_set_params(s->mctx, prm) == 1;
    ok = ok && (s->cipher = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL)) != NULL;
    ok = ok && (s->cctx = EVP_CIPHER_CTX_new()) != NULL;
    ok = ok && EVP_EncryptInit_ex2(s->cctx, s->cipher, s->key, NULL, NULL) == 1;
    ok = ok && (s->kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL)) != NULL;
    ok = ok && (s->kctx = EVP_KDF_CTX_new(s->kdf)) != NULL;
    ok = ok && cd_gcm_init(&s->gk, s->key, 16) == 0;
    if (!ok) {
        eng_seterr(err, cap, "%s: setup failed", s->r.name);
        return -1;
    }
    /* Both sides compute once and must agree; then the record to open is a valid one. */
    uint8_t a[1024], b[1024], ta[16], tb[16];
    cd_gcm_seal(&s->gk, s->iv, s->aad, sizeof s->aad, s->msg, sizeof s->msg, a, ta);
    ok = ossl_gcm_seal(s, b, tb) == 0 && !memcmp(a, b, sizeof a) && !memcmp(ta, tb, 16);
    memcpy(s->ct, a, sizeof a);
    memcpy(s->tag, ta, 16);
    if (ok && s->r.kind == MK_AES128GCM_OPEN_1KIB && s->r.openssl)
        ok = EVP_DecryptInit_ex2(s->cctx, s->cipher, s->key, NULL, NULL) == 1;
    uint8_t ma[48], mb[48];
    ks_master_secret(CD_SHA256, s->pms, 32, s->cr, s->sr, ma);
    ok = ok && ossl_prf(s, mb) == 0 && !memcmp(ma, mb, 48);
    cd_hmac(CD_SHA256, s->key, 32, s->msg, 64, ma);
    size_t l = 0;
    ok = ok && EVP_MAC_init(s->mctx, s->key, 32, NULL) == 1 && EVP_MAC_update(s->mctx, s->msg, 64) == 1 &&
         EVP_MAC_final(s->mctx, mb, &l, sizeof mb) == 1 && !memcmp(ma, mb, 32);
    cd_hash(CD_SHA256, s->msg, 64, ma);
    ok = ok && EVP_Digest(s->msg, 64, mb, NULL, s->evp_md, NULL) == 1 && !memcmp(ma, mb, 32);
    if (ok && micro_run(s) != 0) ok = 0;
    if (!ok) eng_seterr(err, cap, "%s: ipsec-mb and OpenSSL disagree, or the operation failed", s->r.name);
    return ok ? 0 : -1;
}

/* see micro_ops.h */
void *micro_setup(const micro_row *r, char *err, size_t errcap)
{
    size_t sz = (sizeof(micro_st) + 63) & ~(size_t)63;
    micro_st *s = aligned_alloc(64, sz);
    if (!s) {
        eng_seterr(err, errcap, "out of memory");
        return NULL;
    }
    memset(s, 0, sizeof *s);
    s->r = *r;
    int rc;
    switch (r->kind) {
    case MK_X25519_KEYGEN:
    case MK_X25519_DERIVE:
        s->x = r->impl;
        rc = r->openssl ? setup_openssl_pk(s, err, errcap) : setup_x25519(s, err, errcap);
        break;
    case MK_P256_KEYGEN:
    case MK_P256_ECDH:
    case MK_ECDSA_SIGN:
    case MK_ECDSA_VERIFY:
    case MK_ECDSA_VERIFY_TAB:
        s->p = r->impl;
        rc = r->openssl ? setup_openssl_pk(s, err, errcap) : setup_p256(s, err, errcap);
        break;
    default: rc = setup_sym(s, err, errcap);
    }
    if (rc == 0 && r->openssl && micro_run(s) != 0) {
        eng_seterr(err, errcap, "%s: OpenSSL operation failed", r->name);
        rc = -1;
    }
    if (rc != 0) {
        micro_free(s);
        return NULL;
    }
    return s;
}

/* see micro_ops.h */
void micro_free(void *state)
{
    micro_st *s = state;
    if (!s) return;
    if (s->ktab) s->p->key_table_free(s->ktab);
    EVP_PKEY_free(s->pk);
    EVP_PKEY_free(s->peer);
    EVP_PKEY_CTX_free(s->pctx);
    EVP_MD_free(s->evp_md);
    EVP_MAC_CTX_free(s->mctx);
    EVP_MAC_free(s->mac);
    EVP_CIPHER_CTX_free(s->cctx);
    EVP_CIPHER_free(s->cipher);
    EVP_KDF_CTX_free(s->kctx);
    EVP_KDF_free(s->kdf);
    cd_gcm_wipe(&s->gk);
    free(s);
}

/* see micro_ops.h */
const char *micro_ipsecmb_arch(void) { return cd_sym_arch(); }

/* see micro_ops.h */
const char *micro_cpu_features(char *buf, size_t cap)
{
    return cd_cpu_feature_names(cd_cpu_features(), buf, cap);
}

/* see micro_ops.h */
unsigned long long micro_tsc(void) { return __rdtsc(); }
