/* x25519_scalar.c — X25519 (RFC 7748) on one lane, portable x86-64: field elements in radix
 * 2^51 (five 64-bit limbs, products in unsigned __int128), Montgomery ladder with a masked
 * conditional swap, inversion by Fermat's little theorem (fixed addition chain). No branch and
 * no memory index depends on a secret; secrets on the stack are wiped before returning. */
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "x25519_internal.h"

__extension__ typedef unsigned __int128 u128;

#define M51 ((UINT64_C(1) << 51) - 1)

/* Limbs are "loose": each below about 2^52 unless noted; fe_mul/fe_sq accept up to ~2^54. */
typedef struct {
    uint64_t v[5];
} fe;

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8); /* x86-64 is little-endian, which the RFC's encoding also is */
    return x;
}

/* RFC 7748 §5: the top bit of the u-coordinate is masked; values in [p, 2^255) are NOT
 * rejected but processed as their residue, which the loose radix-2^51 form does for free. */
static void fe_frombytes(fe *h, const uint8_t s[32])
{
    uint64_t w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16),
             w3 = load64_le(s + 24);
    h->v[0] = w0 & M51;
    h->v[1] = ((w0 >> 51) | (w1 << 13)) & M51;
    h->v[2] = ((w1 >> 38) | (w2 << 26)) & M51;
    h->v[3] = ((w2 >> 25) | (w3 << 39)) & M51;
    h->v[4] = (w3 >> 12) & M51;
}

/* Canonical encoding: reduce fully mod p (the result is < p). */
static void fe_tobytes(uint8_t s[32], const fe *f)
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

static inline void fe_add(fe *h, const fe *f, const fe *g)
{
    for (int i = 0; i < 5; i++) h->v[i] = f->v[i] + g->v[i];
}

/* h = f - g + 2p; needs g's limbs below 2^52 - 38 (every mul/sq output is) */
static inline void fe_sub(fe *h, const fe *f, const fe *g)
{
    h->v[0] = (f->v[0] + (UINT64_C(0xfffffffffffda))) - g->v[0];
    h->v[1] = (f->v[1] + (UINT64_C(0xffffffffffffe))) - g->v[1];
    h->v[2] = (f->v[2] + (UINT64_C(0xffffffffffffe))) - g->v[2];
    h->v[3] = (f->v[3] + (UINT64_C(0xffffffffffffe))) - g->v[3];
    h->v[4] = (f->v[4] + (UINT64_C(0xffffffffffffe))) - g->v[4];
}

/* carry the five 128-bit column sums into limbs below 2^51 (+ a small excess in limb 1) */
static inline void fe_carry128(fe *h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4)
{
    uint64_t c;
    r1 += (uint64_t)(r0 >> 51);
    uint64_t h0 = (uint64_t)r0 & M51;
    r2 += (uint64_t)(r1 >> 51);
    uint64_t h1 = (uint64_t)r1 & M51;
    r3 += (uint64_t)(r2 >> 51);
    uint64_t h2 = (uint64_t)r2 & M51;
    r4 += (uint64_t)(r3 >> 51);
    uint64_t h3 = (uint64_t)r3 & M51;
    c = (uint64_t)(r4 >> 51);
    uint64_t h4 = (uint64_t)r4 & M51;
    h0 += c * 19;
    h1 += h0 >> 51;
    h0 &= M51;
    h->v[0] = h0; h->v[1] = h1; h->v[2] = h2; h->v[3] = h3; h->v[4] = h4;
}

/* 2^255 = 19 (mod p): the limbs that overflow position 4 come back multiplied by 19 */
static inline void fe_mul(fe *h, const fe *f, const fe *g)
{
    uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    u128 r0 = (u128)f0 * g0 + (u128)f1 * g4_19 + (u128)f2 * g3_19 + (u128)f3 * g2_19 +
              (u128)f4 * g1_19;
    u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4_19 + (u128)f3 * g3_19 +
              (u128)f4 * g2_19;
    u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4_19 +
              (u128)f4 * g3_19;
    u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4_19;
    u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    fe_carry128(h, r0, r1, r2, r3, r4);
}

static inline void fe_sq(fe *h, const fe *f)
{
    uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f3_19 = 19 * f3, f4_19 = 19 * f4;
    u128 r0 = (u128)f0 * f0 + (u128)f1_2 * f4_19 + (u128)(2 * f2) * f3_19;
    u128 r1 = (u128)f0_2 * f1 + (u128)(2 * f2) * f4_19 + (u128)f3 * f3_19;
    u128 r2 = (u128)f0_2 * f2 + (u128)f1 * f1 + (u128)(2 * f3) * f4_19;
    u128 r3 = (u128)f0_2 * f3 + (u128)f1_2 * f2 + (u128)f4 * f4_19;
    u128 r4 = (u128)f0_2 * f4 + (u128)f1_2 * f3 + (u128)f2 * f2;
    fe_carry128(h, r0, r1, r2, r3, r4);
}

static inline void fe_sqn(fe *h, const fe *f, int n)
{
    fe_sq(h, f);
    while (--n > 0) fe_sq(h, h); /* n is a public constant of the addition chain */
}

/* h = f * c for a small public constant c (< 2^20) */
static inline void fe_mul_small(fe *h, const fe *f, uint64_t c)
{
    fe_carry128(h, (u128)f->v[0] * c, (u128)f->v[1] * c, (u128)f->v[2] * c, (u128)f->v[3] * c,
                (u128)f->v[4] * c);
}

/* h = z^(p-2) = z^-1 (0 maps to 0). p - 2 = 2^255 - 21 = (2^250 - 1) * 2^5 + 11. */
static void fe_invert(fe *h, const fe *z)
{
    fe z2, z9, z11, a, b, c;
    fe_sq(&z2, z);               /* 2 */
    fe_sqn(&a, &z2, 2);          /* 8 */
    fe_mul(&z9, &a, z);          /* 9 */
    fe_mul(&z11, &z9, &z2);      /* 11 */
    fe_sq(&a, &z11);             /* 22 */
    fe_mul(&a, &a, &z9);         /* 31 = 2^5 - 1 */
    fe_sqn(&b, &a, 5);
    fe_mul(&b, &b, &a);          /* 2^10 - 1 */
    fe_sqn(&c, &b, 10);
    fe_mul(&c, &c, &b);          /* 2^20 - 1 */
    fe_sqn(&z2, &c, 20);
    fe_mul(&c, &z2, &c);         /* 2^40 - 1 */
    fe_sqn(&c, &c, 10);
    fe_mul(&b, &c, &b);          /* 2^50 - 1 */
    fe_sqn(&c, &b, 50);
    fe_mul(&c, &c, &b);          /* 2^100 - 1 */
    fe_sqn(&a, &c, 100);
    fe_mul(&c, &a, &c);          /* 2^200 - 1 */
    fe_sqn(&c, &c, 50);
    fe_mul(&c, &c, &b);          /* 2^250 - 1 */
    fe_sqn(&c, &c, 5);           /* 2^255 - 32 */
    fe_mul(h, &c, &z11);         /* 2^255 - 21 */
    ct_wipe(&z2, sizeof z2); ct_wipe(&z9, sizeof z9); ct_wipe(&z11, sizeof z11);
    ct_wipe(&a, sizeof a); ct_wipe(&b, sizeof b); ct_wipe(&c, sizeof c);
}

/* swap f and g when mask is all ones, leave them when it is zero; no branch on the secret bit */
static inline void fe_cswap(fe *f, fe *g, uint64_t mask)
{
    for (int i = 0; i < 5; i++) {
        uint64_t x = mask & (f->v[i] ^ g->v[i]);
        f->v[i] ^= x;
        g->v[i] ^= x;
    }
}

/* The ladder state, kept together so one ct_wipe clears it. */
struct ladder {
    fe x1, x2, z2, x3, z3, a, b, c, d, e, aa, bb, da, cb;
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
        fe_cswap(&st->x2, &st->x3, 0 - swap);
        fe_cswap(&st->z2, &st->z3, 0 - swap);
        swap = kt;
        fe_add(&st->a, &st->x2, &st->z2);     /* A = x2 + z2 */
        fe_sub(&st->b, &st->x2, &st->z2);     /* B = x2 - z2 */
        fe_add(&st->c, &st->x3, &st->z3);     /* C = x3 + z3 */
        fe_sub(&st->d, &st->x3, &st->z3);     /* D = x3 - z3 */
        fe_mul(&st->da, &st->d, &st->a);      /* DA */
        fe_mul(&st->cb, &st->c, &st->b);      /* CB */
        fe_sq(&st->aa, &st->a);               /* AA */
        fe_sq(&st->bb, &st->b);               /* BB */
        fe_add(&st->x3, &st->da, &st->cb);
        fe_sq(&st->x3, &st->x3);              /* x3 = (DA + CB)^2 */
        fe_sub(&st->z3, &st->da, &st->cb);
        fe_sq(&st->z3, &st->z3);
        if (small_u)                          /* public: which operation, not which data */
            fe_mul_small(&st->z3, &st->z3, small_u);
        else
            fe_mul(&st->z3, &st->z3, &st->x1); /* z3 = x1 * (DA - CB)^2 */
        fe_mul(&st->x2, &st->aa, &st->bb);    /* x2 = AA * BB */
        fe_sub(&st->e, &st->aa, &st->bb);     /* E = AA - BB */
        /* z2 = E * (AA + a24 * E), a24 = 121665 (RFC 7748 §5) */
        fe_mul_small(&st->a, &st->e, 121665);
        fe_add(&st->a, &st->a, &st->aa);
        fe_mul(&st->z2, &st->e, &st->a);
    }
    fe_cswap(&st->x2, &st->x3, 0 - swap);
    fe_cswap(&st->z2, &st->z3, 0 - swap);
    fe_invert(&st->z2, &st->z2);
    fe_mul(&st->x2, &st->x2, &st->z2);
    fe_tobytes(out, &st->x2);
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
    fe_frombytes(&st.x1, u);
    ladder(out, &st, 0);
    ct_wipe(&st, sizeof st);
}

static uint32_t scalar_keygen(uint8_t pub[][32], const uint8_t priv[][32], unsigned n)
{
    struct ladder st;
    for (unsigned i = 0; i < n; i++) {
        x25519_clamp(st.k, priv[i]);
        memset(&st.x1, 0, sizeof st.x1);
        st.x1.v[0] = 9; /* RFC 7748 §4.1: base point u = 9 */
        ladder(pub[i], &st, 9);
    }
    ct_wipe(&st, sizeof st);
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
