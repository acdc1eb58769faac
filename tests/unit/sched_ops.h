/* sched_ops.h — synthetic scheduler ops shared by test_sched.c and test_sched_policy.c: one op
 * with its own buffers and the result the scalar kernel gives for it at n = 1. Include after
 * th.h; the test sets xs/ps to the scalar kernels before calling mk_op. */
#ifndef MBSHAKE_TESTS_SCHED_OPS_H
#define MBSHAKE_TESTS_SCHED_OPS_H

#include <string.h>

#include "cd.h"
#include "eng.h"
#include "th.h"

typedef uint8_t (*r32)[32];
typedef const uint8_t (*c32)[32];
typedef const uint8_t (*c65)[65];
typedef const uint8_t (*c64)[64];

static const cd_x25519 *xs; /* scalar oracles (last in their tables) */
static const cd_p256 *ps;

typedef struct sop {
    eng_op op;
    uint8_t a[65], b[65], c[64], out[65], want[65];
    size_t outlen;
    int want_fail;
} sop;

/* A valid P-256 private scalar: below 2^255 < n, and non-zero. */
static void rnd_p256_priv(uint8_t k[32])
{
    th_rnd_bytes(k, 32);
    k[0] &= 0x7f;
    k[31] |= 1;
}

/* An op of `kind` with random inputs, invalid when bad (kinds that cannot fail ignore it), its
 * expected result from the scalar kernel at n = 1. extra = 0: SIGN without §3.6 data. */
static void mk_op(sop *o, eng_op_kind kind, int bad, int extra)
{
    memset(o, 0, sizeof *o);
    o->op.kind = kind;
    o->op.a = o->a;
    o->op.out = o->out;
    uint8_t k2[1][32], pub[1][65];
    switch (kind) {
    case ENG_OP_X25519_KEYGEN:
        th_rnd_bytes(o->a, 32);
        o->outlen = 32;
        xs->keygen((r32)o->want, (c32)o->a, 1);
        break;
    case ENG_OP_X25519_DERIVE:
        th_rnd_bytes(o->a, 32);
        th_rnd_bytes(o->b, 32);
        if (bad) memset(o->b, 0, 32); /* u = 0: all-zero result (RFC 7748 §6.1) */
        o->op.b = o->b;
        o->outlen = 32;
        o->want_fail = (int)xs->derive((r32)o->want, (c32)o->a, (c32)o->b, 1);
        break;
    case ENG_OP_P256_KEYGEN:
        rnd_p256_priv(o->a);
        if (bad) memset(o->a, 0, 32); /* priv = 0 is out of range */
        o->outlen = 65;
        o->want_fail = (int)ps->keygen((uint8_t(*)[65])o->want, (c32)o->a, 1);
        break;
    case ENG_OP_P256_DERIVE:
        rnd_p256_priv(o->a);
        rnd_p256_priv(k2[0]);
        ps->keygen(pub, (c32)k2, 1);
        memcpy(o->b, pub[0], 65);
        if (bad) o->b[64] ^= 1; /* off the curve (SEC 1 §3.2.2) */
        o->op.b = o->b;
        o->outlen = 32;
        o->want_fail = (int)ps->derive((r32)o->want, (c32)o->a, (c65)o->b, 1);
        break;
    case ENG_OP_P256_SIGN:
        rnd_p256_priv(o->a);
        if (bad) memset(o->a, 0xff, 32); /* priv >= n */
        th_rnd_bytes(o->b, 32);
        th_rnd_bytes(o->c, 32);
        o->op.b = o->b;
        o->op.c = extra ? o->c : NULL;
        o->outlen = 64;
        o->want_fail = (int)ps->sign((uint8_t(*)[64])o->want, (c32)o->a, (c32)o->b,
                                     extra ? (c32)o->c : NULL, 1);
        break;
    case ENG_OP_P256_VERIFY:
        rnd_p256_priv(k2[0]);
        ps->keygen((uint8_t(*)[65])o->a, (c32)k2, 1);
        th_rnd_bytes(o->b, 32);
        ps->sign((uint8_t(*)[64])o->c, (c32)k2, (c32)o->b, NULL, 1);
        if (bad) o->c[63] ^= 0x10; /* no longer verifies */
        o->op.b = o->b;
        o->op.c = o->c;
        o->op.out = NULL;
        o->want_fail = (int)ps->verify((c65)o->a, (c32)o->b, (c64)o->c, 1);
        break;
    default: break;
    }
    CHECKF(o->want_fail == (bad && kind != ENG_OP_X25519_KEYGEN), "%s: bad input %d, scalar says %d",
           eng_op_name(kind), bad, o->want_fail);
}

static void check_op(const sop *o, const char *what)
{
    CHECKF(o->op.done == 1, "%s %s: not done", what, eng_op_name(o->op.kind));
    CHECKF(o->op.failed == o->want_fail, "%s %s: failed=%d, want %d", what, eng_op_name(o->op.kind),
           o->op.failed, o->want_fail);
    if (!o->want_fail && o->outlen)
        CHECKF(memcmp(o->out, o->want, o->outlen) == 0, "%s %s: output differs from scalar", what,
               eng_op_name(o->op.kind));
}

#endif
