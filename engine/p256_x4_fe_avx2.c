/* p256_x4_fe_avx2.c — GF(p) on four lanes with AVX2: radix 2^29, Montgomery R = 2^261.
 * Representation, value classes and bounds: p256_x4_avx2.h. */
#include <string.h>

#include "ct.h"
#include "p256_x4_avx2.h"

#define MUL(a, b) _mm256_mul_epu32((a), (b))
#define ADD(a, b) _mm256_add_epi64((a), (b))
#define SUB(a, b) _mm256_sub_epi64((a), (b))
#define AND(a, b) _mm256_and_si256((a), (b))
#define SHL(a, n) _mm256_slli_epi64((a), (n))
#define SHR(a, n) _mm256_srli_epi64((a), (n))

#define M29 ((UINT64_C(1) << 29) - 1)

/* see p256_x4_avx2.h */
const uint64_t p256x4_one_mont[9] = {0x20,       0x0,        0x0,       0x1fffc000, 0x1fffffff,
                                     0x1fffffff, 0x1f7fffff, 0x3ffffff, 0x0};
/* R^2 mod p = 2^522 mod p */
static const uint64_t r2_mont[9] = {0xc00,      0x0,        0x1fff0000, 0x1fdfffff, 0x1fbfffff,
                                    0x1fffffff, 0x1fffffff, 0x1ffffffe, 0x13};
/* 16p with limbs 0..7 >= 2^31 - 4 (borrowed from the next limb) and limb 8 = 2^28 - 5, so that
 * K - b never goes negative in a limb for the b that p256x4_sub accepts */
static const uint64_t k16p[9] = {0x9ffffff0, 0x9ffffffb, 0x9ffffffb, 0x80001ffb, 0x7ffffffc,
                                 0x7ffffffc, 0x803ffffc, 0x9dfffffc, 0xffffffb};
/* c = 2^256 mod p = 2^224 - 2^192 - 2^96 + 1, 29-bit digits (all non-negative) */
static const uint64_t c256[9] = {0x1,        0x0,        0x0,      0x1ffffe00, 0x1fffffff,
                                 0x1fffffff, 0x1ffbffff, 0x1fffff, 0x0};
/* F = -E R^-1 mod p, the compensation of REDSTEP's constant E (digit 4 is 0) */
static const uint64_t f_comp[9] = {0x1fffffff, 0x1fffffff, 0x1,        0x200,   0x0,
                                   0x400,      0x3e000,    0x1fc10000, 0xffffff};
/* p as a plain integer, 64-bit limbs */
static const uint64_t p_plain[5] = {0xffffffffffffffffULL, 0x00000000ffffffffULL, 0,
                                    0xffffffff00000001ULL, 0};

/* An empty asm that claims to change the nine window columns: keeps the compiler from hoisting
 * later rows' products (and their loads) above this point, which spills them to the stack. */
#define FENCE9(c0, c1, c2, c3, c4, c5, c6, c7, c8)                                                 \
    __asm__(""                                                                                     \
            : "+x"(c0), "+x"(c1), "+x"(c2), "+x"(c3), "+x"(c4), "+x"(c5), "+x"(c6), "+x"(c7),      \
              "+x"(c8))

/* One Montgomery step on the window c0..c8 (columns i..i+8), after row i was added: with
 * m = c0 mod 2^29 (p = -1 mod 2^29), c0 + m p is divisible by 2^29. m p = m (p + 1) - m, and
 * (c0 - m) / 2^29 = c0 >> 29; p + 1 = 2^256 - 2^224 + 2^192 + 2^96 puts m << 9, m << 18,
 * -(m << 21) and m << 24 into columns 3, 6, 7 and 8. The negative term is added as
 * (2^29 - 1 - m) << 21 instead (no lane goes negative); the constant (2^29 - 1) << 21 that this
 * adds at column i+7 in every step sums to E, and carry_out adds F = -E R^-1 mod p, so the
 * result stays a R^-1 b mod p, larger by at most 2^224 + F < 2^224 + p. */
#define REDSTEP(c0, c1, c2, c3, c6, c7, c8)                                                        \
    do {                                                                                           \
        __m256i m_ = AND(c0, k29);                                                                 \
        c1 = ADD(c1, SHR(c0, 29));                                                                 \
        c3 = ADD(c3, SHL(m_, 9));                                                                  \
        c6 = ADD(c6, SHL(m_, 18));                                                                 \
        c7 = ADD(c7, SHL(_mm256_xor_si256(m_, k29), 21));                                          \
        c8 = ADD(c8, SHL(m_, 24));                                                                 \
    } while (0)

/* row i of a * b on the window, c8 fresh (column i+8 has no earlier terms) */
#define MROW(i, c0, c1, c2, c3, c4, c5, c6, c7, c8)                                                \
    do {                                                                                           \
        __m256i a_ = a->v[i];                                                                      \
        __asm__("" : "+r"(b));                                                                     \
        c0 = ADD(c0, MUL(a_, b->v[0]));                                                            \
        c1 = ADD(c1, MUL(a_, b->v[1]));                                                            \
        c2 = ADD(c2, MUL(a_, b->v[2]));                                                            \
        c3 = ADD(c3, MUL(a_, b->v[3]));                                                            \
        c4 = ADD(c4, MUL(a_, b->v[4]));                                                            \
        c5 = ADD(c5, MUL(a_, b->v[5]));                                                            \
        c6 = ADD(c6, MUL(a_, b->v[6]));                                                            \
        c7 = ADD(c7, MUL(a_, b->v[7]));                                                            \
        c8 = MUL(a_, b->v[8]);                                                                     \
        REDSTEP(c0, c1, c2, c3, c6, c7, c8);                                                       \
        FENCE9(c0, c1, c2, c3, c4, c5, c6, c7, c8);                                                \
    } while (0)

/* The eight result columns (each < 2^63.5) to limbs: two rounds of carries done side by side
 * rather than one chain of eight, for latency; limbs end below 2^29 + 2^7, the last carries
 * forming limb 8. */
static inline void carry_out(p256x4_fe *r, __m256i t0, __m256i t1, __m256i t2, __m256i t3,
                             __m256i t4, __m256i t5, __m256i t6, __m256i t7)
{
    const __m256i k29 = p256x4_bcast(M29);
    t0 = ADD(t0, p256x4_bcast(f_comp[0])), t1 = ADD(t1, p256x4_bcast(f_comp[1]));
    t2 = ADD(t2, p256x4_bcast(f_comp[2])), t3 = ADD(t3, p256x4_bcast(f_comp[3]));
    t5 = ADD(t5, p256x4_bcast(f_comp[5])), t6 = ADD(t6, p256x4_bcast(f_comp[6]));
    t7 = ADD(t7, p256x4_bcast(f_comp[7]));
    __m256i t8 = ADD(SHR(t7, 29), p256x4_bcast(f_comp[8]));
    for (int round = 0; round < 2; round++) {
        __m256i c0 = SHR(t0, 29), c1 = SHR(t1, 29), c2 = SHR(t2, 29), c3 = SHR(t3, 29);
        __m256i c4 = SHR(t4, 29), c5 = SHR(t5, 29), c6 = SHR(t6, 29);
        if (round) t8 = ADD(t8, SHR(t7, 29));
        t0 = AND(t0, k29), t1 = ADD(AND(t1, k29), c0), t2 = ADD(AND(t2, k29), c1);
        t3 = ADD(AND(t3, k29), c2), t4 = ADD(AND(t4, k29), c3), t5 = ADD(AND(t5, k29), c4);
        t6 = ADD(AND(t6, k29), c5), t7 = ADD(AND(t7, k29), c6);
    }
    r->v[0] = t0, r->v[1] = t1, r->v[2] = t2, r->v[3] = t3, r->v[4] = t4;
    r->v[5] = t5, r->v[6] = t6, r->v[7] = t7, r->v[8] = t8;
}

/* see p256_x4_avx2.h. The empty asm on b in every row hides that the rows read the same
 * b: gcc otherwise loads all of b into registers once and spills them, where memory operands of
 * vpmuludq cost nothing extra. */
void p256x4_mul(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b)
{
    const __m256i k29 = p256x4_bcast(M29);
    __m256i t0, t1, t2, t3, t4, t5, t6, t7, t8;
    {
        __m256i a_ = a->v[0];
        t0 = MUL(a_, b->v[0]), t1 = MUL(a_, b->v[1]), t2 = MUL(a_, b->v[2]), t3 = MUL(a_, b->v[3]);
        t4 = MUL(a_, b->v[4]), t5 = MUL(a_, b->v[5]), t6 = MUL(a_, b->v[6]), t7 = MUL(a_, b->v[7]);
        t8 = MUL(a_, b->v[8]);
        REDSTEP(t0, t1, t2, t3, t6, t7, t8);
        FENCE9(t0, t1, t2, t3, t4, t5, t6, t7, t8);
    }
    MROW(1, t1, t2, t3, t4, t5, t6, t7, t8, t0);
    MROW(2, t2, t3, t4, t5, t6, t7, t8, t0, t1);
    MROW(3, t3, t4, t5, t6, t7, t8, t0, t1, t2);
    MROW(4, t4, t5, t6, t7, t8, t0, t1, t2, t3);
    MROW(5, t5, t6, t7, t8, t0, t1, t2, t3, t4);
    MROW(6, t6, t7, t8, t0, t1, t2, t3, t4, t5);
    MROW(7, t7, t8, t0, t1, t2, t3, t4, t5, t6);
    MROW(8, t8, t0, t1, t2, t3, t4, t5, t6, t7);
    /* columns 9..16 are in t0..t7 */
    carry_out(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* see p256_x4_avx2.h: row i of the square is a_i^2 at column 2i and (2 a_i) a_j at column i+j
 * (j > i): columns i..i+8 only, so the same nine-column window works. Only the row's a_i and
 * 2 a_i are held in registers; a_j comes from memory (through HIDE, as in p256x4_mul). FENCE9
 * after each row, as in p256x4_mul: without it gcc computes later rows' products early and
 * spills them (about 50 extra stores and loads, 15% of the squaring's time). */
#define SROW(i, c0, c1, c2, c3, c4, c5, c6, c7, c8)                                                \
    do {                                                                                           \
        __asm__("" : "+r"(a));                                                                     \
        __m256i ai_ = a->v[i], di_ = ADD(ai_, ai_);                                                \
        if (i < 8) c8 = MUL(di_, a->v[8]);                                                         \
        if (i < 7) c7 = ADD(c7, MUL(di_, a->v[7]));                                                \
        if (i < 6) c6 = ADD(c6, MUL(di_, a->v[6]));                                                \
        if (i < 5) c5 = ADD(c5, MUL(di_, a->v[5]));                                                \
        if (i < 4) c4 = ADD(c4, MUL(di_, a->v[4]));                                                \
        if (i < 3) c3 = ADD(c3, MUL(di_, a->v[3]));                                                \
        if (i < 2) c2 = ADD(c2, MUL(di_, a->v[2]));                                                \
        if (i < 1) c1 = ADD(c1, MUL(di_, a->v[1]));                                                \
        /* a_i^2 at column 2i: window position i */                                                \
        SQ_##i(c0, c1, c2, c3, c4, c5, c6, c7, c8) =                                               \
            ADD(SQ_##i(c0, c1, c2, c3, c4, c5, c6, c7, c8), MUL(ai_, ai_));                        \
        REDSTEP(c0, c1, c2, c3, c6, c7, c8);                                                       \
        FENCE9(c0, c1, c2, c3, c4, c5, c6, c7, c8);                                                \
    } while (0)
#define SQ_0(c0, c1, c2, c3, c4, c5, c6, c7, c8) c0
#define SQ_1(c0, c1, c2, c3, c4, c5, c6, c7, c8) c1
#define SQ_2(c0, c1, c2, c3, c4, c5, c6, c7, c8) c2
#define SQ_3(c0, c1, c2, c3, c4, c5, c6, c7, c8) c3
#define SQ_4(c0, c1, c2, c3, c4, c5, c6, c7, c8) c4
#define SQ_5(c0, c1, c2, c3, c4, c5, c6, c7, c8) c5
#define SQ_6(c0, c1, c2, c3, c4, c5, c6, c7, c8) c6
#define SQ_7(c0, c1, c2, c3, c4, c5, c6, c7, c8) c7
#define SQ_8(c0, c1, c2, c3, c4, c5, c6, c7, c8) c8

void p256x4_sqr(p256x4_fe *r, const p256x4_fe *a)
{
    const __m256i k29 = p256x4_bcast(M29);
    const __m256i z = _mm256_setzero_si256();
    /* columns not yet written start at zero; the fresh top column of each step is assigned */
    __m256i t0 = z, t1 = z, t2 = z, t3 = z, t4 = z, t5 = z, t6 = z, t7 = z, t8 = z;
    SROW(0, t0, t1, t2, t3, t4, t5, t6, t7, t8);
    SROW(1, t1, t2, t3, t4, t5, t6, t7, t8, t0);
    SROW(2, t2, t3, t4, t5, t6, t7, t8, t0, t1);
    SROW(3, t3, t4, t5, t6, t7, t8, t0, t1, t2);
    SROW(4, t4, t5, t6, t7, t8, t0, t1, t2, t3);
    SROW(5, t5, t6, t7, t8, t0, t1, t2, t3, t4);
    SROW(6, t6, t7, t8, t0, t1, t2, t3, t4, t5);
    SROW(7, t7, t8, t0, t1, t2, t3, t4, t5, t6);
    t7 = z; /* column 16: only a_8^2 */
    SROW(8, t8, t0, t1, t2, t3, t4, t5, t6, t7);
    carry_out(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* see p256_x4_avx2.h */
void p256x4_sqr_n(p256x4_fe *r, const p256x4_fe *a, unsigned n)
{
    p256x4_sqr(r, a);
    for (unsigned i = 1; i < n; i++)
        p256x4_sqr(r, r);
}

/* Fold limb 8's bits from 2^256 up as t * c (c = 2^256 mod p), then one round of carries side
 * by side: for input limbs below 2^33 and limb 8 below 2^30, t < 2^6 and t c_j < 2^35, so the
 * output limbs are below 2^29 + 2^7 and limb 8 below 2^24 + 2^7. */
static inline void reduce_limbs(p256x4_fe *r, __m256i x0, __m256i x1, __m256i x2, __m256i x3,
                                __m256i x4, __m256i x5, __m256i x6, __m256i x7, __m256i x8)
{
    const __m256i k29 = p256x4_bcast(M29);
    __m256i t = SHR(x8, 24);
    x8 = AND(x8, p256x4_bcast((UINT64_C(1) << 24) - 1));
    x0 = ADD(x0, t);
    x3 = ADD(x3, MUL(t, p256x4_bcast(c256[3])));
    x4 = ADD(x4, MUL(t, p256x4_bcast(c256[4])));
    x5 = ADD(x5, MUL(t, p256x4_bcast(c256[5])));
    x6 = ADD(x6, MUL(t, p256x4_bcast(c256[6])));
    x7 = ADD(x7, MUL(t, p256x4_bcast(c256[7])));
    __m256i c0 = SHR(x0, 29), c1 = SHR(x1, 29), c2 = SHR(x2, 29), c3 = SHR(x3, 29);
    __m256i c4 = SHR(x4, 29), c5 = SHR(x5, 29), c6 = SHR(x6, 29), c7 = SHR(x7, 29);
    r->v[0] = AND(x0, k29);
    r->v[1] = ADD(AND(x1, k29), c0);
    r->v[2] = ADD(AND(x2, k29), c1);
    r->v[3] = ADD(AND(x3, k29), c2);
    r->v[4] = ADD(AND(x4, k29), c3);
    r->v[5] = ADD(AND(x5, k29), c4);
    r->v[6] = ADD(AND(x6, k29), c5);
    r->v[7] = ADD(AND(x7, k29), c6);
    r->v[8] = ADD(x8, c7);
}

/* see p256_x4_avx2.h */
void p256x4_reduce(p256x4_fe *r, const p256x4_fe *a)
{
    reduce_limbs(r, a->v[0], a->v[1], a->v[2], a->v[3], a->v[4], a->v[5], a->v[6], a->v[7],
                 a->v[8]);
}

/* see p256_x4_avx2.h */
void p256x4_sub(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b)
{
    __m256i x[9];
    for (int j = 0; j < 9; j++)
        x[j] = SUB(ADD(a->v[j], p256x4_bcast(k16p[j])), b->v[j]);
    reduce_limbs(r, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]);
}

/* see p256_x4_avx2.h */
void p256x4_smul(p256x4_fe *r, const p256x4_fe *a, uint32_t c)
{
    const __m256i k = p256x4_bcast(c);
    __m256i x[9];
    for (int j = 0; j < 9; j++)
        x[j] = MUL(a->v[j], k);
    reduce_limbs(r, x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]);
}

/* see p256_x4_avx2.h: p - 2 = 2^256 - 2^224 + 2^192 + 2^96 - 3, a chain of 255 squarings and
 * 12 multiplications through runs of ones of lengths 2, 3, 6, 12, 15, 30 and 32 */
void p256x4_inv(p256x4_fe *r, const p256x4_fe *a)
{
    p256x4_fe x2, x3, x6, x12, x15, x30, x32, t;
    p256x4_sqr(&t, a);
    p256x4_mul(&x2, &t, a);
    p256x4_sqr(&t, &x2);
    p256x4_mul(&x3, &t, a);
    p256x4_sqr_n(&t, &x3, 3);
    p256x4_mul(&x6, &t, &x3);
    p256x4_sqr_n(&t, &x6, 6);
    p256x4_mul(&x12, &t, &x6);
    p256x4_sqr_n(&t, &x12, 3);
    p256x4_mul(&x15, &t, &x3);
    p256x4_sqr_n(&t, &x15, 15);
    p256x4_mul(&x30, &t, &x15);
    p256x4_sqr_n(&t, &x30, 2);
    p256x4_mul(&x32, &t, &x2);
    p256x4_sqr_n(&t, &x32, 32); /* bits 255..224: ones */
    p256x4_mul(&t, &t, a);      /* bits 223..192: 0...01 */
    p256x4_sqr_n(&t, &t, 128);  /* bits 191..96: zeros */
    p256x4_mul(&t, &t, &x32);   /* bits 95..64 */
    p256x4_sqr_n(&t, &t, 32);
    p256x4_mul(&t, &t, &x32); /* bits 63..32 */
    p256x4_sqr_n(&t, &t, 30);
    p256x4_mul(&t, &t, &x30); /* bits 31..2 */
    p256x4_sqr_n(&t, &t, 2);
    p256x4_mul(r, &t, a); /* bits 1..0 = 01 */
    ct_wipe(&x2, sizeof x2);
    ct_wipe(&x3, sizeof x3);
    ct_wipe(&x6, sizeof x6);
    ct_wipe(&x12, sizeof x12);
    ct_wipe(&x15, sizeof x15);
    ct_wipe(&x30, sizeof x30);
    ct_wipe(&x32, sizeof x32);
    ct_wipe(&t, sizeof t);
}

/* see p256_x4_avx2.h */
void p256x4_from_plain(p256x4_fe *r, const uint64_t x[P256X4_LANES][4])
{
    _Alignas(32) uint64_t l[9][P256X4_LANES];
    p256x4_fe t, k;
    for (int i = 0; i < P256X4_LANES; i++) {
        for (int j = 0; j < 9; j++) {
            unsigned bit = 29u * (unsigned)j, w = bit / 64, s = bit % 64;
            uint64_t v = x[i][w] >> s;
            if (s > 35 && w < 3) v |= x[i][w + 1] << (64 - s); /* public loop bounds */
            l[j][i] = v & M29;
        }
    }
    for (int j = 0; j < 9; j++) {
        t.v[j] = _mm256_load_si256((const __m256i *)l[j]);
        k.v[j] = p256x4_bcast(r2_mont[j]);
    }
    p256x4_mul(r, &t, &k); /* x R^2 / R */
    ct_wipe(l, sizeof l);
    ct_wipe(&t, sizeof t);
}

/* see p256_x4_avx2.h */
void p256x4_to_plain(uint64_t x[P256X4_LANES][4], uint64_t zero[P256X4_LANES], const p256x4_fe *a)
{
    _Alignas(32) uint64_t l[9][P256X4_LANES];
    p256x4_fe t, one;
    for (int j = 0; j < 9; j++)
        one.v[j] = p256x4_bcast(j == 0);
    /* a / R: below 2p + 2^224 (a R^-1 < 1, plus m p / R < p and REDSTEP's E / R + F) */
    p256x4_mul(&t, a, &one);
    for (int j = 0; j < 9; j++)
        _mm256_store_si256((__m256i *)l[j], t.v[j]);
    for (int i = 0; i < P256X4_LANES; i++) {
        uint64_t v[5] = {0, 0, 0, 0, 0}, d[5];
        for (int j = 0; j < 8; j++) { /* limbs may exceed 29 bits slightly */
            l[j + 1][i] += l[j][i] >> 29;
            l[j][i] &= M29;
        }
        for (int j = 0; j < 9; j++) {
            unsigned bit = 29u * (unsigned)j, w = bit / 64, s = bit % 64;
            v[w] |= l[j][i] << s;
            if (s > 35) v[w + 1] |= l[j][i] >> (64 - s);
        }
        /* two conditional subtractions of p */
        for (int rep = 0; rep < 2; rep++) {
            uint64_t borrow = 0;
            for (int w = 0; w < 5; w++) {
                unsigned __int128 acc = (unsigned __int128)v[w] - p_plain[w] - borrow;
                d[w] = (uint64_t)acc;
                borrow = (uint64_t)(acc >> 64) & 1;
            }
            uint64_t keep = 0 - borrow; /* v < p: keep v */
            for (int w = 0; w < 5; w++)
                v[w] = (v[w] & keep) | (d[w] & ~keep);
        }
        for (int w = 0; w < 4; w++)
            x[i][w] = v[w];
        uint64_t z = x[i][0] | x[i][1] | x[i][2] | x[i][3];
        zero[i] = 0 - (uint64_t)(1 ^ ct_nz64(z));
        ct_wipe(v, sizeof v);
        ct_wipe(d, sizeof d);
    }
    ct_wipe(l, sizeof l);
    ct_wipe(&t, sizeof t);
}
