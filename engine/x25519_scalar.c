/* x25519_scalar.c — X25519 (RFC 7748) on one lane, portable x86-64: field elements in radix
 * 2^51 (five 64-bit limbs, products in unsigned __int128), Montgomery ladder with a masked
 * conditional swap, inversion by Fermat's little theorem (fixed addition chain). No branch and
 * no memory index depends on a secret; secrets on the stack are wiped before returning. */
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "x25519_internal.h"

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8); /* x86-64 is little-endian, which the RFC's encoding also is */
    return x;
}

/* see x25519_internal.h. RFC 7748 §5: the top bit of the u-coordinate is masked; values in
 * [p, 2^255) are not rejected but processed as their residue, which the loose limbs do for free. */
void x25519_fe51_frombytes(fe51 *h, const uint8_t s[32])
{
    uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16),
             w3 = load64_le(s + 24);
    h->v[0] = w0 & M51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & M51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & M51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & M51;
    h->v[4] = (w3 >> 12) & M51;
}

/* see x25519_internal.h */
void x25519_fe51_tobytes(uint8_t s[32], const fe51 *f)
{
    uint64_t t0 = f->v[0], t1 = f->v[1], t2 = f->v[2], t3 = f->v[3], t4 = f->v[4];
    /* two weak carry passes make every limb < 2^51 and the value < 2^255 + small */
    for (int pass = 0; pass < 2; pass++) {
        t1 += t0 >> 51; t0 &= M51;
        t2 += t1 >> 51; t1 &= M51;
        t3 += t2 >> 51; t2 &= M51;
        t4 += t3 >> 51; t3 &= M51;
        t0 += 19 * (t4 >> 51); t4 &= M51;
    }
    /* now value v < 2^255; v >= p iff v + 19 >= 2^255: q is that bit, add 19q and drop 2^255 */
    uint64_t q = (t0 + 19) >> 51;
    q = (t1 + q) >> 51;
    q = (t2 + q) >> 51;
    q = (t3 + q) >> 51;
    q = (t4 + q) >> 51;
    t0 += 19 * q;
    t1 += t0 >> 51; t0 &= M51;
    t2 += t1 >> 51; t1 &= M51;
    t3 += t2 >> 51; t2 &= M51;
    t4 += t3 >> 51; t3 &= M51;
    t4 &= M51;
    uint64_t w[4] = {t0 | (t1 << 51), (t1 >> 13) | (t2 << 38), (t2 >> 26) | (t3 << 25),
                     (t3 >> 39) | (t4 << 12)};
    memcpy(s, w, 32);
}

/* see x25519_internal.h. p - 2 = 2^255 - 21 = (2^250 - 1) * 2^5 + 11. */
void x25519_fe51_invert(fe51 *h, const fe51 *z)
{
    fe51 z2, z9, z11, a, b, c;
    fe51_sq(&z2, z);               /* 2 */
    fe51_sqn(&a, &z2, 2);          /* 8 */
    fe51_mul(&z9, &a, z);          /* 9 */
    fe51_mul(&z11, &z9, &z2);      /* 11 */
    fe51_sq(&a, &z11);             /* 22 */
    fe51_mul(&a, &a, &z9);         /* 31 = 2^5 - 1 */
    fe51_sqn(&b, &a, 5);
    fe51_mul(&b, &b, &a);          /* 2^10 - 1 */
    fe51_sqn(&c, &b, 10);
    fe51_mul(&c, &c, &b);          /* 2^20 - 1 */
    fe51_sqn(&z2, &c, 20);
    fe51_mul(&c, &z2, &c);         /* 2^40 - 1 */
    fe51_sqn(&c, &c, 10);
    fe51_mul(&b, &c, &b);          /* 2^50 - 1 */
    fe51_sqn(&c, &b, 50);
    fe51_mul(&c, &c, &b);          /* 2^100 - 1 */
    fe51_sqn(&a, &c, 100);
    fe51_mul(&c, &a, &c);          /* 2^200 - 1 */
    fe51_sqn(&c, &c, 50);
    fe51_mul(&c, &c, &b);          /* 2^250 - 1 */
    fe51_sqn(&c, &c, 5);           /* 2^255 - 32 */
    fe51_mul(h, &c, &z11);         /* 2^255 - 21 */
    ct_wipe(&z2, sizeof z2); ct_wipe(&z9, sizeof z9); ct_wipe(&z11, sizeof z11);
    ct_wipe(&a, sizeof a); ct_wipe(&b, sizeof b); ct_wipe(&c, sizeof c);
}

/* The ladder state, kept together so one ct_wipe clears it. */
struct ladder {
    fe51 x1, x2, z2, x3, z3, a, b, c, d, e, aa, bb, da, cb;
    uint8_t k[32];
};

/* RFC 7748 §5: out = X25519(k, u), with u given as a field element in st->x1 and k already
 * clamped in st->k. small_u != 0 means x1 is that small public constant (the base point 9),
 * which turns one full multiplication per step into a cheap one. */
static void ladder(uint8_t out[32], struct ladder *st, uint64_t small_u)
{
    memset(&st->x2, 0, sizeof st->x2);
    memset(&st->z2, 0, sizeof st->z2);
    memset(&st->z3, 0, sizeof st->z3);
    st->x2.v[0] = 1;
    st->z3.v[0] = 1;
    st->x3 = st->x1;
    uint64_t swap = 0;
    for (int t = 254; t >= 0; t--) {
        uint64_t kt = (st->k[t >> 3] >> (t & 7)) & 1; /* t is public: only the value is secret */
        swap ^= kt;
        fe51_cswap(&st->x2, &st->x3, 0 - swap);
        fe51_cswap(&st->z2, &st->z3, 0 - swap);
        swap = kt;
        fe51_add(&st->a, &st->x2, &st->z2);   /* A = x2 + z2 */
        fe51_sub(&st->b, &st->x2, &st->z2);   /* B = x2 - z2 */
        fe51_add(&st->c, &st->x3, &st->z3);   /* C = x3 + z3 */
        fe51_sub(&st->d, &st->x3, &st->z3);   /* D = x3 - z3 */
        fe51_mul(&st->da, &st->d, &st->a);    /* DA */
        fe51_mul(&st->cb, &st->c, &st->b);    /* CB */
        fe51_sq(&st->aa, &st->a);             /* AA */
        fe51_sq(&st->bb, &st->b);             /* BB */
        fe51_add(&st->x3, &st->da, &st->cb);
        fe51_sq(&st->x3, &st->x3);            /* x3 = (DA + CB)^2 */
        fe51_sub(&st->z3, &st->da, &st->cb);
        fe51_sq(&st->z3, &st->z3);
        if (small_u)                          /* public: which operation, not which data */
            fe51_mul_small(&st->z3, &st->z3, small_u);
        else
            fe51_mul(&st->z3, &st->z3, &st->x1); /* z3 = x1 * (DA - CB)^2 */
        fe51_mul(&st->x2, &st->aa, &st->bb);  /* x2 = AA * BB */
        fe51_sub(&st->e, &st->aa, &st->bb);   /* E = AA - BB */
        /* z2 = E * (AA + a24 * E), a24 = 121665 (RFC 7748 §5) */
        fe51_mul_small(&st->a, &st->e, 121665);
        fe51_add(&st->a, &st->a, &st->aa);
        fe51_mul(&st->z2, &st->e, &st->a);
    }
    fe51_cswap(&st->x2, &st->x3, 0 - swap);
    fe51_cswap(&st->z2, &st->z3, 0 - swap);
    x25519_fe51_invert(&st->z2, &st->z2);
    fe51_mul(&st->x2, &st->x2, &st->z2);
    x25519_fe51_tobytes(out, &st->x2);
}

/* see x25519_internal.h */
void x25519_clamp(uint8_t k[32], const uint8_t priv[32])
{
    memcpy(k, priv, 32);
    /* RFC 7748 §5 decodeScalar25519 */
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* see x25519_internal.h */
uint32_t x25519_is_zero(const uint8_t s[32])
{
    uint32_t acc = 0;
    for (int i = 0; i < 32; i++) acc |= s[i];
    return ct_eq32(acc, 0);
}

/* see x25519_internal.h */
void x25519_scalar_one(uint8_t out[32], const uint8_t priv[32], const uint8_t u[32])
{
    struct ladder st;
    x25519_clamp(st.k, priv);
    x25519_fe51_frombytes(&st.x1, u);
    ladder(out, &st, 0);
    ct_wipe(&st, sizeof st);
}

/* see x25519_internal.h */
void x25519_ladder_base(uint8_t pub[32], const uint8_t priv[32])
{
    struct ladder st;
    x25519_clamp(st.k, priv);
    memset(&st.x1, 0, sizeof st.x1);
    st.x1.v[0] = 9; /* RFC 7748 §4.1: base point u = 9 */
    ladder(pub, &st, 9);
    ct_wipe(&st, sizeof st);
}

/* The fixed-base comb (x25519_base_comb.c) is about 2.4x faster than the ladder on u = 9
 * (41.6k against 101k TSC cycles per key on the development machine); the ladder stays as the
 * reference the tests compare it with. */
static uint32_t scalar_keygen(uint8_t pub[][32], const uint8_t priv[][32], unsigned n)
{
    for (unsigned i = 0; i < n; i++) x25519_base_comb(pub[i], priv[i]);
    return 0;
}

static uint32_t scalar_derive(uint8_t out[][32], const uint8_t priv[][32],
                              const uint8_t peer[][32], unsigned n)
{
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++) {
        x25519_scalar_one(out[i], priv[i], peer[i]);
        /* RFC 7748 §6.1: an all-zero shared secret means a small-order peer; fail the lane */
        bad |= x25519_is_zero(out[i]) << i;
    }
    return bad;
}

const cd_x25519 cd_x25519_scalar = {
    .name = "scalar",
    .lanes = 1,
    .needs = 0,
    .keygen = scalar_keygen,
    .derive = scalar_derive,
};
