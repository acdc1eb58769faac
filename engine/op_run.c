/* op_run.c — parked crypto operations (public-key work, and the TLS key schedule): a handler
 * fills the connection's eng_op (pointers into the connection only) and returns
 * ENG_WANT_CRYPTO; whoever drives the connection runs the op (here inline at n = 1 with the
 * selected kernels, or batched by a scheduler) and feeds again; the handler then takes the
 * result. */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"
#include "keysched_batch.h"

/* see eng_internal.h */
int op_park(eng_conn *c, eng_op_kind kind, const uint8_t *a, const uint8_t *b, const uint8_t *cc,
            uint8_t *out)
{
    eng_op *o = &c->op;
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->a = a;
    o->b = b;
    o->c = cc;
    o->out = out;
    o->conn = c;
    return ENG_WANT_CRYPTO;
}

/* see eng_internal.h */
int op_park_rsa(eng_conn *c, eng_rsa_mode mode, const void *key, uint16_t scheme,
                const uint8_t *a, size_t alen, const uint8_t *cc, size_t clen, uint8_t *out,
                size_t *outlen)
{
    op_park(c, ENG_OP_RSA, a, NULL, cc, out);
    c->op.rsa = (uint8_t)mode;
    c->op.key = key;
    c->op.scheme = scheme;
    c->op.alen = alen;
    c->op.clen = clen;
    c->op.outlen = outlen;
    return ENG_WANT_CRYPTO;
}

/* see eng_internal.h */
int op_take_at(eng_conn *c, int fail, const char *what, const char *file, int line)
{
    eng_op *o = &c->op;
    if (o->kind == ENG_OP_NONE || !o->done)
        return conn_why(c, ENG_E_STATE, file, line, "resumed without a completed crypto operation");
    eng_op_kind kind = o->kind;
    int failed = o->failed;
    memset(o, 0, sizeof *o);
    o->conn = c;
    if (failed) return conn_why(c, fail, file, line, "%s (%s failed)", what, eng_op_name(kind));
    return 0;
}

/* see eng_internal.h */
void op_p256_random_scalar(uint8_t k[32])
{
    /* n, the order of the P-256 base point (FIPS 186-4 D.1.2.3) */
    static const uint8_t n[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
                                  0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
    uint32_t ok;
    do {
        /* Rejection sampling (FIPS 186-4 B.4.2): a candidate outside [1, n-1] is dropped
         * whole, so the loop reveals nothing about the one kept. The comparison itself has
         * no secret-dependent branch. */
        cd_random(k, 32);
        uint32_t borrow = 0, nz = 0;
        for (int i = 31; i >= 0; i--) {
            uint32_t d = (uint32_t)k[i] - n[i] - borrow;
            borrow = (d >> 31) & 1;
            nz |= k[i];
        }
        ok = borrow & ct_nz32(nz); /* k < n and k != 0 */
    } while (!ok);
}

/* see eng_internal.h */
int op_park_eph_keygen(eng_conn *c)
{
    if (c->group == TLS_GROUP_X25519)
        return op_park(c, ENG_OP_X25519_KEYGEN, c->eph_priv, NULL, NULL, c->eph_pub);
    op_p256_random_scalar(c->eph_priv);
    return op_park(c, ENG_OP_P256_KEYGEN, c->eph_priv, NULL, NULL, c->eph_pub);
}

typedef const uint8_t (*c32)[32];
typedef const uint8_t (*c64)[64];
typedef const uint8_t (*c65)[65];

static uint32_t run_rsa(eng_op *op)
{
    switch (op->rsa) {
    case ENG_RSA_SIGN:
        return cd_rsa_sign(op->key, op->scheme, op->a, op->alen, op->out, op->outlen) != 0;
    case ENG_RSA_VERIFY:
        return cd_rsa_verify(op->key, op->scheme, op->a, op->alen, op->c, op->clen) != 0;
    case ENG_RSA_ENCRYPT_PMS: return cd_rsa_encrypt_pms(op->key, op->a, op->out, op->outlen) != 0;
    case ENG_RSA_DECRYPT_PMS:
        /* RFC 5246 §7.4.7.1: never fails visibly; a bad ciphertext yields a random premaster
         * and the Finished exchange fails later. */
        cd_rsa_decrypt_pms(op->key, op->a, op->alen, op->scheme, op->out);
        return 0;
    default: return 1;
    }
}

/* see eng.h */
void eng_op_run(eng_op *op)
{
    if (!op || op->done || op->kind == ENG_OP_NONE) return;
    uint32_t bad = 1;
    const uint64_t have = cd_cpu_features();
    const cd_x25519 *x = NULL;
    const cd_p256 *p = NULL;
    switch (op->kind) {
    case ENG_OP_X25519_KEYGEN:
    case ENG_OP_X25519_DERIVE: x = cd_x25519_select(have, cd_isa_forced()); break;
    case ENG_OP_P256_KEYGEN:
    case ENG_OP_P256_DERIVE:
    case ENG_OP_P256_SIGN:
    case ENG_OP_P256_VERIFY: p = cd_p256_select(have, cd_isa_forced()); break;
    default: break;
    }
    switch (op->kind) {
    case ENG_OP_X25519_KEYGEN:
        if (x) bad = x->keygen((uint8_t (*)[32])op->out, (c32)op->a, 1);
        break;
    case ENG_OP_X25519_DERIVE:
        if (x) bad = x->derive((uint8_t (*)[32])op->out, (c32)op->a, (c32)op->b, 1);
        break;
    case ENG_OP_P256_KEYGEN:
        if (p) bad = p->keygen((uint8_t (*)[65])op->out, (c32)op->a, 1);
        break;
    case ENG_OP_P256_DERIVE:
        if (p) bad = p->derive((uint8_t (*)[32])op->out, (c32)op->a, (c65)op->b, 1);
        break;
    case ENG_OP_P256_SIGN:
        if (p) bad = p->sign((uint8_t (*)[64])op->out, (c32)op->a, (c32)op->b, (c32)op->c, 1);
        break;
    case ENG_OP_P256_VERIFY:
        if (p && p->verify_tab && op->key) {
            const void *tab[1] = {op->key};
            bad = p->verify_tab((c65)op->a, tab, (c32)op->b, (c64)op->c, 1);
        } else if (p) {
            bad = p->verify((c65)op->a, (c32)op->b, (c64)op->c, 1);
        }
        break;
    case ENG_OP_RSA: bad = run_rsa(op); break;
    case ENG_OP_TLS_KEYS: {
        eng_op *one[1] = {op};
        bad = ks_tls_keys_ops(one, 1);
        break;
    }
    case ENG_OP_TLS_FINISHED: {
        eng_op *one[1] = {op};
        bad = ks_finished_ops(one, 1);
        break;
    }
    default: break;
    }
    op->failed = (uint8_t)(bad & 1);
    op->done = 1;
}

/* see eng.h */
const char *eng_op_name(eng_op_kind k)
{
    switch (k) {
    case ENG_OP_NONE: return "none";
    case ENG_OP_X25519_KEYGEN: return "x25519-keygen";
    case ENG_OP_X25519_DERIVE: return "x25519-derive";
    case ENG_OP_P256_KEYGEN: return "p256-keygen";
    case ENG_OP_P256_DERIVE: return "p256-derive";
    case ENG_OP_P256_SIGN: return "p256-sign";
    case ENG_OP_P256_VERIFY: return "p256-verify";
    case ENG_OP_RSA: return "rsa";
    case ENG_OP_TLS_KEYS: return "tls-keys";
    case ENG_OP_TLS_FINISHED: return "tls-finished";
    default: return "unknown";
    }
}
