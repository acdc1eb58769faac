/* x25519_internal.h — shared by the X25519 kernels (x25519_scalar.c, x25519_base_comb.c,
 * x25519_x4_avx2.c) and their tests; not part of the engine's API.
 *
 * The radix-2^51 field arithmetic mod p = 2^255 - 19 lives here as static inline functions so
 * the Montgomery ladder and the Edwards fixed-base comb share one implementation. */
#ifndef MBSHAKE_X25519_INTERNAL_H
#define MBSHAKE_X25519_INTERNAL_H

#include <stdint.h>

__extension__ typedef unsigned __int128 u128x; /* 64x64 -> 128-bit products */

#define M51 ((UINT64_C(1) << 51) - 1)

/* Five 51-bit limbs, "loose": each below about 2^52 unless noted; fe51_mul/fe51_sq accept
 * limbs up to 2^54 (column sums stay below 2^115, carries below 2^64). */
typedef struct {
    uint64_t v[5];
} fe51;

/* RFC 7748 §5 decoding: bit 255 masked; values in [p, 2^255) are kept as they are (the loose
 * limbs represent them; the arithmetic reduces them like any other). */
void x25519_fe51_frombytes(fe51 *h, const uint8_t s[32]);
/* Canonical (fully reduced) little-endian encoding; limbs below 2^52. */
void x25519_fe51_tobytes(uint8_t s[32], const fe51 *f);
/* h = z^(p-2) = 1/z (0 for z = 0), constant time. */
void x25519_fe51_invert(fe51 *h, const fe51 *z);

/* k = decodeScalar25519(priv) (RFC 7748 §5): clear bits 0-2 and 255, set bit 254. */
void x25519_clamp(uint8_t k[32], const uint8_t priv[32]);
/* 1 if all 32 bytes are zero, else 0; constant time. */
uint32_t x25519_is_zero(const uint8_t s[32]);
/* out = X25519(priv, u) on one lane with the scalar ladder; no zero check. */
void x25519_scalar_one(uint8_t out[32], const uint8_t priv[32], const uint8_t u[32]);
/* pub = X25519(priv, 9) by the Montgomery ladder (the reference for the comb). */
void x25519_ladder_base(uint8_t pub[32], const uint8_t priv[32]);
/* pub = X25519(priv, 9) by the fixed-base comb on Edwards25519 (x25519_base_comb.c). */
void x25519_base_comb(uint8_t pub[32], const uint8_t priv[32]);
/* The comb's digits: clamp priv (RFC 7748 §5), recode into 64 signed radix-16 digits in
 * [-8, 8], k = sum e[i] 16^i. Constant time. */
void x25519_comb_digits(int8_t e[64], const uint8_t priv[32]);

/* A comb table entry: an affine Edwards point as (y + x, y - x, 2dxy). */
typedef struct {
    fe51 ypx, ymx, xy2d;
} x25519_ge_pre;
/* The comb table, row r entry j = (j + 1) * 256^r * B (public data), built on first call. */
const x25519_ge_pre (*x25519_comb_table(void))[8];

static inline void fe51_add(fe51 *h, const fe51 *f, const fe51 *g)
{
    h->v[0] = f->v[0] + g->v[0];
    h->v[1] = f->v[1] + g->v[1];
    h->v[2] = f->v[2] + g->v[2];
    h->v[3] = f->v[3] + g->v[3];
    h->v[4] = f->v[4] + g->v[4];
}

/* h = f - g + 2p; needs g's limbs below 2^52 - 38 (every mul/sq output is) */
static inline void fe51_sub(fe51 *h, const fe51 *f, const fe51 *g)
{
    h->v[0] = (f->v[0] + (UINT64_C(0xfffffffffffda))) - g->v[0];
    h->v[1] = (f->v[1] + (UINT64_C(0xffffffffffffe))) - g->v[1];
    h->v[2] = (f->v[2] + (UINT64_C(0xffffffffffffe))) - g->v[2];
    h->v[3] = (f->v[3] + (UINT64_C(0xffffffffffffe))) - g->v[3];
    h->v[4] = (f->v[4] + (UINT64_C(0xffffffffffffe))) - g->v[4];
}

/* Carry the five 128-bit column sums into limbs below 2^51 (limb 1 up to 2^51 + 2^13).
 * The 128-bit carries are taken all at once (no chain through 128-bit additions); the serial
 * part runs on 64-bit limbs, which keeps the dependency chain short. */
static inline void fe51_carry128(fe51 *h, u128x r0, u128x r1, u128x r2, u128x r3, u128x r4)
{
    uint64_t h0 = ((uint64_t)r0 & M51) + 19 * (uint64_t)(r4 >> 51);
    uint64_t h1 = ((uint64_t)r1 & M51) + (uint64_t)(r0 >> 51);
    uint64_t h2 = ((uint64_t)r2 & M51) + (uint64_t)(r1 >> 51);
    uint64_t h3 = ((uint64_t)r3 & M51) + (uint64_t)(r2 >> 51);
    uint64_t h4 = ((uint64_t)r4 & M51) + (uint64_t)(r3 >> 51);
    h1 += h0 >> 51; h0 &= M51;
    h2 += h1 >> 51; h1 &= M51;
    h3 += h2 >> 51; h2 &= M51;
    h4 += h3 >> 51; h3 &= M51;
    h0 += 19 * (h4 >> 51); h4 &= M51;
    h1 += h0 >> 51; h0 &= M51;
    h->v[0] = h0; h->v[1] = h1; h->v[2] = h2; h->v[3] = h3; h->v[4] = h4;
}

/* 2^255 = 19 (mod p): the limbs that overflow position 4 come back multiplied by 19 */
/* always_inline: gcc otherwise keeps some calls in the ladder, and its register allocation
 * across them costs about 15% of a scalar multiplication. */
static inline __attribute__((always_inline)) void fe51_mul(fe51 *h, const fe51 *f,
                                                           const fe51 *g)
{
    uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    uint64_t g0 = g->v[0], g1 = g->v[1], g2 = g->v[2], g3 = g->v[3], g4 = g->v[4];
    uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    u128x r0 = (u128x)f0 * g0 + (u128x)f1 * g4_19 + (u128x)f2 * g3_19 + (u128x)f3 * g2_19 +
               (u128x)f4 * g1_19;
    u128x r1 = (u128x)f0 * g1 + (u128x)f1 * g0 + (u128x)f2 * g4_19 + (u128x)f3 * g3_19 +
               (u128x)f4 * g2_19;
    u128x r2 = (u128x)f0 * g2 + (u128x)f1 * g1 + (u128x)f2 * g0 + (u128x)f3 * g4_19 +
               (u128x)f4 * g3_19;
    u128x r3 = (u128x)f0 * g3 + (u128x)f1 * g2 + (u128x)f2 * g1 + (u128x)f3 * g0 +
               (u128x)f4 * g4_19;
    u128x r4 = (u128x)f0 * g4 + (u128x)f1 * g3 + (u128x)f2 * g2 + (u128x)f3 * g1 +
               (u128x)f4 * g0;
    fe51_carry128(h, r0, r1, r2, r3, r4);
}

static inline __attribute__((always_inline)) void fe51_sq(fe51 *h, const fe51 *f)
{
    uint64_t f0 = f->v[0], f1 = f->v[1], f2 = f->v[2], f3 = f->v[3], f4 = f->v[4];
    uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1, f3_19 = 19 * f3, f4_19 = 19 * f4;
    u128x r0 = (u128x)f0 * f0 + (u128x)f1_2 * f4_19 + (u128x)(2 * f2) * f3_19;
    u128x r1 = (u128x)f0_2 * f1 + (u128x)(2 * f2) * f4_19 + (u128x)f3 * f3_19;
    u128x r2 = (u128x)f0_2 * f2 + (u128x)f1 * f1 + (u128x)(2 * f3) * f4_19;
    u128x r3 = (u128x)f0_2 * f3 + (u128x)f1_2 * f2 + (u128x)f4 * f4_19;
    u128x r4 = (u128x)f0_2 * f4 + (u128x)f1_2 * f3 + (u128x)f2 * f2;
    fe51_carry128(h, r0, r1, r2, r3, r4);
}

static inline void fe51_sqn(fe51 *h, const fe51 *f, int n)
{
    fe51_sq(h, f);
    while (--n > 0) fe51_sq(h, h); /* n is a public constant of the addition chain */
}

/* h = f * c for a small public constant c (< 2^20) */
static inline void fe51_mul_small(fe51 *h, const fe51 *f, uint64_t c)
{
    fe51_carry128(h, (u128x)f->v[0] * c, (u128x)f->v[1] * c, (u128x)f->v[2] * c,
                  (u128x)f->v[3] * c, (u128x)f->v[4] * c);
}

/* swap f and g when mask is all ones, leave them when it is zero; no branch on the secret bit */
static inline void fe51_cswap(fe51 *f, fe51 *g, uint64_t mask)
{
    uint64_t x0 = mask & (f->v[0] ^ g->v[0]), x1 = mask & (f->v[1] ^ g->v[1]),
             x2 = mask & (f->v[2] ^ g->v[2]), x3 = mask & (f->v[3] ^ g->v[3]),
             x4 = mask & (f->v[4] ^ g->v[4]);
    f->v[0] ^= x0; f->v[1] ^= x1; f->v[2] ^= x2; f->v[3] ^= x3; f->v[4] ^= x4;
    g->v[0] ^= x0; g->v[1] ^= x1; g->v[2] ^= x2; g->v[3] ^= x3; g->v[4] ^= x4;
}

/* f = g where mask is all ones, unchanged where it is zero (table scans) */
static inline void fe51_cmov(fe51 *f, const fe51 *g, uint64_t mask)
{
    f->v[0] ^= mask & (f->v[0] ^ g->v[0]);
    f->v[1] ^= mask & (f->v[1] ^ g->v[1]);
    f->v[2] ^= mask & (f->v[2] ^ g->v[2]);
    f->v[3] ^= mask & (f->v[3] ^ g->v[3]);
    f->v[4] ^= mask & (f->v[4] ^ g->v[4]);
}

#endif
