/* p256_fe_mont64.c — arithmetic in GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1, with four
 * 64-bit limbs in Montgomery form (R = 2^256). The hot operations are inline assembly in
 * p256_fe_mont64.h; this file has their out-of-line versions, inversion, conversions and the
 * plain-limb helpers (C with unsigned __int128 where speed does not matter).
 *
 * Why Montgomery: p's low limb is 2^64 - 1, so -p^-1 mod 2^64 = 1 and each reduction step's
 * multiplier is simply the low word; p's other limbs (2^32 - 1, 0, 2^64 - 2^32 + 1) make m*p
 * shifts and subtractions. Every function is constant time: no branches or indices on values,
 * carries via masks. */
#include "ct.h"
#include "p256_fe_mont64.h"

typedef unsigned __int128 u128;

const uint64_t p256_p[4] = {0xffffffffffffffffULL, 0x00000000ffffffffULL, 0x0000000000000000ULL,
                            0xffffffff00000001ULL};
const p256_fe p256_fe_one = {0x0000000000000001ULL, 0xffffffff00000000ULL, 0xffffffffffffffffULL,
                             0x00000000fffffffeULL};
const p256_fe p256_fe_b = {0xd89cdf6229c4bddfULL, 0xacf005cd78843090ULL, 0xe5a220abf7212ed6ULL,
                           0xdc30061d04874834ULL};
/* R^2 mod p: multiplying by it converts a plain integer to Montgomery form */
static const p256_fe fe_r2 = {0x0000000000000003ULL, 0xfffffffbffffffffULL, 0xfffffffffffffffeULL,
                              0x00000004fffffffdULL};

#define P3 P256_P3

/* ---- plain limb helpers ----------------------------------------------------------------- */

/* see p256_internal.h */
void p256_limbs_from_be(uint64_t r[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++) w = (w << 8) | in[(3 - i) * 8 + j];
        r[i] = w;
    }
}

/* see p256_internal.h */
void p256_limbs_to_be(uint8_t out[32], const uint64_t a[4])
{
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++) out[(3 - i) * 8 + j] = (uint8_t)(a[i] >> (56 - 8 * j));
}

/* see p256_internal.h */
uint64_t p256_limbs_lt(const uint64_t a[4], const uint64_t b[4])
{
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)a[i] - b[i] - borrow;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    return 0 - borrow;
}

/* see p256_internal.h */
uint64_t p256_limbs_is_zero(const uint64_t a[4])
{
    uint64_t x = a[0] | a[1] | a[2] | a[3];
    return ((x | (0 - x)) >> 63) - 1;
}

/* see p256_internal.h */
void p256_limbs_cmov(uint64_t r[4], const uint64_t a[4], uint64_t mask)
{
    for (int i = 0; i < 4; i++) r[i] ^= mask & (r[i] ^ a[i]);
}

/* ---- multiplication and reduction (fully unrolled: the compiler keeps every limb in a
 * register only when no array is indexed in a loop) ------------------------------------- */

/* (hi, lo) = a*b + c + d; cannot overflow 128 bits */
#define MAC(lo, hi, a, b, c, d)                                                                    \
    do {                                                                                           \
        u128 x_ = (u128)(a) * (b) + (c) + (d);                                                     \
        (lo) = (uint64_t)x_;                                                                       \
        (hi) = (uint64_t)(x_ >> 64);                                                               \
    } while (0)
/* (carry, r) = a + b + cin */
#define ADC(r, carry, a, b, cin)                                                                   \
    do {                                                                                           \
        u128 x_ = (u128)(a) + (b) + (cin);                                                         \
        (r) = (uint64_t)x_;                                                                        \
        (carry) = (uint64_t)(x_ >> 64);                                                            \
    } while (0)
#define SBB(r, borrow, a, b, bin)                                                                  \
    do {                                                                                           \
        u128 x_ = (u128)(a) - (b) - (bin);                                                         \
        (r) = (uint64_t)x_;                                                                        \
        (borrow) = (uint64_t)(x_ >> 64) & 1;                                                       \
    } while (0)

/* One Montgomery step on the window (w0..w4) with m = w0 and incoming top carry:
 *   w0 + m*(2^64-1)            = m*2^64           (w0 becomes 0, carry m)
 *   w1 + m*(2^32-1) + m        = w1 + m*2^32      (spills m>>32 into w2)
 *   w3 + m*0xffffffff00000001                      (the one real multiplication)
 * afterwards the window is w1..w4 (+ top). */
#define REDSTEP(w0, w1, w2, w3, w4, top)                                                           \
    do {                                                                                           \
        uint64_t m_ = (w0), c_, h_;                                                                \
        ADC(w1, c_, w1, m_ << 32, 0);                                                              \
        ADC(w2, c_, w2, m_ >> 32, c_);                                                             \
        MAC(w3, h_, m_, P3, w3, c_);                                                               \
        ADC(w4, top, w4, h_, top);                                                                 \
    } while (0)

/* r = (t7..t0) / 2^256 mod p for t < p*2^256, then one conditional subtraction of p */
#define REDUCE(r, t0, t1, t2, t3, t4, t5, t6, t7)                                                  \
    do {                                                                                           \
        uint64_t top_ = 0, s0_, s1_, s2_, s3_, b_;                                                 \
        REDSTEP(t0, t1, t2, t3, t4, top_);                                                         \
        REDSTEP(t1, t2, t3, t4, t5, top_);                                                         \
        REDSTEP(t2, t3, t4, t5, t6, top_);                                                         \
        REDSTEP(t3, t4, t5, t6, t7, top_);                                                         \
        SBB(s0_, b_, t4, 0xffffffffffffffffULL, 0);                                                \
        SBB(s1_, b_, t5, 0x00000000ffffffffULL, b_);                                               \
        SBB(s2_, b_, t6, 0, b_);                                                                   \
        SBB(s3_, b_, t7, P3, b_);                                                                  \
        uint64_t keep_ = 0 - (b_ & (top_ ^ 1)); /* t < p: keep it */                               \
        (r)[0] = s0_ ^ (keep_ & (s0_ ^ t4));                                                       \
        (r)[1] = s1_ ^ (keep_ & (s1_ ^ t5));                                                       \
        (r)[2] = s2_ ^ (keep_ & (s2_ ^ t6));                                                       \
        (r)[3] = s3_ ^ (keep_ & (s3_ ^ t7));                                                       \
    } while (0)

/* see p256_internal.h */
void p256_fe_mul(p256_fe r, const p256_fe a, const p256_fe b)
{
    fe_mul(r, a, b);
}

/* see p256_internal.h */
void p256_fe_sqr(p256_fe r, const p256_fe a)
{
    fe_sqr(r, a);
}

/* see p256_internal.h */
void p256_fe_sqr_n(p256_fe r, const p256_fe a, unsigned n)
{
    fe_sqr(r, a);
    for (unsigned i = 1; i < n; i++) fe_sqr(r, r);
}

/* see p256_internal.h */
void p256_fe_add(p256_fe r, const p256_fe a, const p256_fe b)
{
    fe_add(r, a, b);
}

/* see p256_internal.h */
void p256_fe_sub(p256_fe r, const p256_fe a, const p256_fe b)
{
    fe_sub(r, a, b);
}

/* see p256_internal.h */
void p256_fe_neg(p256_fe r, const p256_fe a)
{
    fe_neg(r, a);
}

/* see p256_internal.h — Fermat: a^(p-2). p-2 = ffffffff 00000001 00000000 00000000 00000000
 * ffffffff ffffffff fffffffd; the addition chain builds runs of ones x_k = a^(2^k - 1).
 * 255 squarings, 12 multiplications. */
void p256_fe_inv(p256_fe r, const p256_fe a)
{
    p256_fe x2, x3, x6, x12, x15, x30, x32, t;
    fe_sqr(x2, a);
    fe_mul(x2, x2, a);
    fe_sqr(x3, x2);
    fe_mul(x3, x3, a);
    p256_fe_sqr_n(x6, x3, 3);
    fe_mul(x6, x6, x3);
    p256_fe_sqr_n(x12, x6, 6);
    fe_mul(x12, x12, x6);
    p256_fe_sqr_n(x15, x12, 3);
    fe_mul(x15, x15, x3);
    p256_fe_sqr_n(x30, x15, 15);
    fe_mul(x30, x30, x15);
    p256_fe_sqr_n(x32, x30, 2);
    fe_mul(x32, x32, x2);
    p256_fe_sqr_n(t, x32, 32); /* ffffffff 00000000 */
    fe_mul(t, t, a);      /* ffffffff 00000001 */
    p256_fe_sqr_n(t, t, 128);
    fe_mul(t, t, x32); /* ... 00000000 ffffffff */
    p256_fe_sqr_n(t, t, 32);
    fe_mul(t, t, x32); /* ... ffffffff ffffffff */
    p256_fe_sqr_n(t, t, 30);
    fe_mul(t, t, x30); /* ... 30 ones */
    p256_fe_sqr_n(t, t, 2);
    fe_mul(r, t, a); /* ... fffffffd */
    ct_wipe(x2, sizeof x2);
    ct_wipe(x3, sizeof x3);
    ct_wipe(x6, sizeof x6);
    ct_wipe(x12, sizeof x12);
    ct_wipe(x15, sizeof x15);
    ct_wipe(x30, sizeof x30);
    ct_wipe(x32, sizeof x32);
    ct_wipe(t, sizeof t);
}

/* see p256_internal.h — as p256_fn_inv_blinded, with the blinding factor b a random element of
 * [1, n-1] taken as an element of GF(p) (B R after the conversion): A B is then uniform on
 * GF(p)* up to a statistical distance below 2^-127 ((p - n) / p), and 0 stays 0 */
void p256_fe_inv_blinded(p256_fe r, const p256_fe a)
{
    p256_fn bn;
    p256_fe b, t;
    uint64_t ab[4], inv[4], bl[4];
    p256_fn_random(bn);
    p256_fn_from_mont(bl, bn);
    fe_mul(b, bl, fe_r2);
    fe_mul(t, a, b);
    p256_fe_from_mont(ab, t);
    P256_DECLASSIFY(ab, sizeof ab);
    p256_inv_vartime(inv, ab, p256_p);
    fe_mul(t, inv, fe_r2);
    fe_mul(r, t, b);
    ct_wipe(bn, sizeof bn);
    ct_wipe(b, sizeof b);
    ct_wipe(t, sizeof t);
    ct_wipe(ab, sizeof ab);
    ct_wipe(inv, sizeof inv);
    ct_wipe(bl, sizeof bl);
}

/* see p256_internal.h */
uint64_t p256_fe_from_be(p256_fe r, const uint8_t in[32])
{
    uint64_t a[4];
    p256_limbs_from_be(a, in);
    uint64_t ok = p256_limbs_lt(a, p256_p);
    p256_fe_mul(r, a, fe_r2);
    return ok;
}

/* see p256_internal.h */
void p256_fe_to_mont(p256_fe r, const uint64_t a[4])
{
    fe_mul(r, a, fe_r2);
}

/* see p256_internal.h */
void p256_fe_from_mont(uint64_t r[4], const p256_fe a)
{
    uint64_t t0 = a[0], t1 = a[1], t2 = a[2], t3 = a[3], t4 = 0, t5 = 0, t6 = 0, t7 = 0;
    REDUCE(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* see p256_internal.h */
void p256_fe_to_be(uint8_t out[32], const p256_fe a)
{
    uint64_t t[4];
    p256_fe_from_mont(t, a);
    p256_limbs_to_be(out, t);
}

/* see p256_internal.h */
uint64_t p256_fe_is_zero(const p256_fe a) { return p256_limbs_is_zero(a); }

/* see p256_internal.h */
uint64_t p256_fe_eq(const p256_fe a, const p256_fe b)
{
    uint64_t d[4] = {a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]};
    return p256_limbs_is_zero(d);
}
