/* p256_fe_mont64.h — the hot GF(p) operations (multiply, square, add, subtract) as static
 * inline functions in baseline x86-64 inline assembly (mul/add/adc/sbb/cmov; no BMI2/ADX, so
 * cd_p256_scalar keeps needs = 0). C with unsigned __int128 compiled to about three times as
 * many instructions (carries rebuilt through 128-bit temporaries, spills); the point formulas
 * of p256_point_jacobian.c are bound by instruction throughput, so that is what counts here.
 * Inline so that a point doubling's 20 field operations pay no call and register-save
 * overhead (a few per cent, measured). Same contract as the p256_fe_* functions in
 * p256_internal.h; r may alias a or b. All of it is constant time: cmov and masks only.
 * Register budget: mul and sqr use 13 general registers (rbp excluded, so sanitizer builds with
 * frame pointers still fit); they read their inputs under a "memory" clobber, since "m"
 * operands naming the input arrays would need two more address registers. add and sub leave
 * enough registers free to name their inputs as "m" operands instead. */
#ifndef MBSHAKE_P256_FE_MONT64_H
#define MBSHAKE_P256_FE_MONT64_H

#include "p256_internal.h"

#define P256_P3 0xffffffff00000001ULL /* top limb of p */
static const uint64_t p256_fe_p3 = P256_P3;

/* Montgomery multiplication: the 512-bit product row by row, then four word-by-word reduction
 * steps, then one conditional subtraction of p. Step i (m = t_i, since -p^-1 mod 2^64 = 1):
 *   t_i + m(2^64 - 1) = m 2^64            (t_i becomes 0, carry m)
 *   t_{i+1} + m(2^32 - 1) + m = + m 2^32  (m<<32 here, m>>32 into t_{i+2})
 *   t_{i+3..i+4} + m 0xffffffff00000001    = m 2^64 - m 2^32 + m: lo = m - (m<<32),
 *                                            hi = m - (m>>32) - borrow, no multiplication
 * The carry out of step i enters step i+1 through its high word (hi + 1 cannot overflow).
 * 16 mul instead of 20 (point doubling measured 5% faster than with a mul by that limb). */
static inline __attribute__((always_inline)) void fe_mul(p256_fe r, const p256_fe a,
                                                         const p256_fe b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, ra, rd;
    const uint64_t *ap = a, *bp = b;
    __asm__(
        "movq 0(%[b]), %%rax\n\t"
        "mulq 0(%[a])\n\t"
        "movq %%rax, %[t0]\n\t"
        "movq %%rdx, %[t1]\n\t"
        "movq 0(%[b]), %%rax\n\t"
        "mulq 8(%[a])\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t2]\n\t"
        "movq 0(%[b]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t3]\n\t"
        "movq 0(%[b]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t4]\n\t"
        "movq 8(%[b]), %%rax\n\t"
        "mulq 0(%[a])\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 8(%[b]), %%rax\n\t"
        "mulq 8(%[a])\n\t"
        "addq %[x], %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 8(%[b]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %[x], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 8(%[b]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %[x], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t5]\n\t"
        "movq 16(%[b]), %%rax\n\t"
        "mulq 0(%[a])\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 16(%[b]), %%rax\n\t"
        "mulq 8(%[a])\n\t"
        "addq %[x], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 16(%[b]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %[x], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 16(%[b]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %[x], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t6]\n\t"
        "movq 24(%[b]), %%rax\n\t"
        "mulq 0(%[a])\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 24(%[b]), %%rax\n\t"
        "mulq 8(%[a])\n\t"
        "addq %[x], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 24(%[b]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %[x], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 24(%[b]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %[x], %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t7]\n\t"
        "movq %[t0], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t0], %[b]\n\t"
        "shrq $32, %[b]\n\t"
        "movq %[t0], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t0], %%rdx\n\t"
        "sbbq %[b], %%rdx\n\t"
        "addq %[a], %[t1]\n\t"
        "adcq %[b], %[t2]\n\t"
        "adcq %%rax, %[t3]\n\t"
        "adcq %%rdx, %[t4]\n\t"
        "movl $0, %k[t0]\n\t"
        "adcq $0, %[t0]\n\t"
        "movq %[t1], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t1], %[b]\n\t"
        "shrq $32, %[b]\n\t"
        "movq %[t1], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t1], %%rdx\n\t"
        "sbbq %[b], %%rdx\n\t"
        "addq %[t0], %%rdx\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq %[b], %[t3]\n\t"
        "adcq %%rax, %[t4]\n\t"
        "adcq %%rdx, %[t5]\n\t"
        "movl $0, %k[t1]\n\t"
        "adcq $0, %[t1]\n\t"
        "movq %[t2], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t2], %[b]\n\t"
        "shrq $32, %[b]\n\t"
        "movq %[t2], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t2], %%rdx\n\t"
        "sbbq %[b], %%rdx\n\t"
        "addq %[t1], %%rdx\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq %[b], %[t4]\n\t"
        "adcq %%rax, %[t5]\n\t"
        "adcq %%rdx, %[t6]\n\t"
        "movl $0, %k[t2]\n\t"
        "adcq $0, %[t2]\n\t"
        "movq %[t3], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t3], %[b]\n\t"
        "shrq $32, %[b]\n\t"
        "movq %[t3], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t3], %%rdx\n\t"
        "sbbq %[b], %%rdx\n\t"
        "addq %[t2], %%rdx\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq %[b], %[t5]\n\t"
        "adcq %%rax, %[t6]\n\t"
        "adcq %%rdx, %[t7]\n\t"
        "movl $0, %k[t3]\n\t"
        "adcq $0, %[t3]\n\t"
        "movq %[t4], %[t0]\n\t"
        "movq %[t5], %[t1]\n\t"
        "movq %[t6], %[t2]\n\t"
        "movq %[t7], %%rax\n\t"
        "movl $0xffffffff, %%edx\n\t"
        "subq $-1, %[t4]\n\t"
        "sbbq %%rdx, %[t5]\n\t"
        "sbbq $0, %[t6]\n\t"
        "sbbq %[p3], %[t7]\n\t"
        "sbbq $0, %[t3]\n\t"
        "cmovcq %[t0], %[t4]\n\t"
        "cmovcq %[t1], %[t5]\n\t"
        "cmovcq %[t2], %[t6]\n\t"
        "cmovcq %%rax, %[t7]\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), "=&a"(ra), "=&d"(rd),
          [a] "+&r"(ap), [b] "+&r"(bp)
        : [p3] "m"(p256_fe_p3)
        : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

/* Squaring: the six distinct cross products, doubled, plus the four squares (each square
 * absorbs the previous carry, which cannot overflow its high word), then the reduction of
 * fe_mul. 10 mul. */
static inline __attribute__((always_inline)) void fe_sqr(p256_fe r, const p256_fe a)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, ra, rd;
    const uint64_t *ap = a;
    __asm__(
        "movq 0(%[a]), %%rax\n\t"
        "mulq 8(%[a])\n\t"
        "movq %%rax, %[t1]\n\t"
        "movq %%rdx, %[t2]\n\t"
        "movq 0(%[a]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t3]\n\t"
        "movq 0(%[a]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t4]\n\t"
        "movq 8(%[a]), %%rax\n\t"
        "mulq 16(%[a])\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[x]\n\t"
        "movq 8(%[a]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %[x], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t5]\n\t"
        "movq 16(%[a]), %%rax\n\t"
        "mulq 24(%[a])\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[t6]\n\t"
        "xorl %k[t7], %k[t7]\n\t"
        "addq %[t1], %[t1]\n\t"
        "adcq %[t2], %[t2]\n\t"
        "adcq %[t3], %[t3]\n\t"
        "adcq %[t4], %[t4]\n\t"
        "adcq %[t5], %[t5]\n\t"
        "adcq %[t6], %[t6]\n\t"
        "adcq $0, %[t7]\n\t"
        "movq 0(%[a]), %%rax\n\t"
        "mulq %%rax\n\t"
        "movq %%rax, %[t0]\n\t"
        "addq %%rdx, %[t1]\n\t"
        "movl $0, %k[x]\n\t"
        "adcq $0, %[x]\n\t"
        "movq 8(%[a]), %%rax\n\t"
        "mulq %%rax\n\t"
        "addq %[x], %%rax\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq %%rdx, %[t3]\n\t"
        "movl $0, %k[x]\n\t"
        "adcq $0, %[x]\n\t"
        "movq 16(%[a]), %%rax\n\t"
        "mulq %%rax\n\t"
        "addq %[x], %%rax\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq %%rdx, %[t5]\n\t"
        "movl $0, %k[x]\n\t"
        "adcq $0, %[x]\n\t"
        "movq 24(%[a]), %%rax\n\t"
        "mulq %%rax\n\t"
        "addq %[x], %%rax\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t6]\n\t"
        "adcq %%rdx, %[t7]\n\t"
        "movq %[t0], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t0], %[x]\n\t"
        "shrq $32, %[x]\n\t"
        "movq %[t0], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t0], %%rdx\n\t"
        "sbbq %[x], %%rdx\n\t"
        "addq %[a], %[t1]\n\t"
        "adcq %[x], %[t2]\n\t"
        "adcq %%rax, %[t3]\n\t"
        "adcq %%rdx, %[t4]\n\t"
        "movl $0, %k[t0]\n\t"
        "adcq $0, %[t0]\n\t"
        "movq %[t1], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t1], %[x]\n\t"
        "shrq $32, %[x]\n\t"
        "movq %[t1], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t1], %%rdx\n\t"
        "sbbq %[x], %%rdx\n\t"
        "addq %[t0], %%rdx\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq %[x], %[t3]\n\t"
        "adcq %%rax, %[t4]\n\t"
        "adcq %%rdx, %[t5]\n\t"
        "movl $0, %k[t1]\n\t"
        "adcq $0, %[t1]\n\t"
        "movq %[t2], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t2], %[x]\n\t"
        "shrq $32, %[x]\n\t"
        "movq %[t2], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t2], %%rdx\n\t"
        "sbbq %[x], %%rdx\n\t"
        "addq %[t1], %%rdx\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq %[x], %[t4]\n\t"
        "adcq %%rax, %[t5]\n\t"
        "adcq %%rdx, %[t6]\n\t"
        "movl $0, %k[t2]\n\t"
        "adcq $0, %[t2]\n\t"
        "movq %[t3], %[a]\n\t"
        "shlq $32, %[a]\n\t"
        "movq %[t3], %[x]\n\t"
        "shrq $32, %[x]\n\t"
        "movq %[t3], %%rax\n\t"
        "subq %[a], %%rax\n\t"
        "movq %[t3], %%rdx\n\t"
        "sbbq %[x], %%rdx\n\t"
        "addq %[t2], %%rdx\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq %[x], %[t5]\n\t"
        "adcq %%rax, %[t6]\n\t"
        "adcq %%rdx, %[t7]\n\t"
        "movl $0, %k[t3]\n\t"
        "adcq $0, %[t3]\n\t"
        "movq %[t4], %[t0]\n\t"
        "movq %[t5], %[t1]\n\t"
        "movq %[t6], %[t2]\n\t"
        "movq %[t7], %%rax\n\t"
        "movl $0xffffffff, %%edx\n\t"
        "subq $-1, %[t4]\n\t"
        "sbbq %%rdx, %[t5]\n\t"
        "sbbq $0, %[t6]\n\t"
        "sbbq %[p3], %[t7]\n\t"
        "sbbq $0, %[t3]\n\t"
        "cmovcq %[t0], %[t4]\n\t"
        "cmovcq %[t1], %[t5]\n\t"
        "cmovcq %[t2], %[t6]\n\t"
        "cmovcq %%rax, %[t7]\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), "=&a"(ra), "=&d"(rd),
          [a] "+&r"(ap)
        : [p3] "m"(p256_fe_p3)
        : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

/* a + b, then subtract p and keep the difference unless it borrowed */
static inline void fe_add(p256_fe r, const p256_fe a, const p256_fe b)
{
    uint64_t c0, c1, c2, c3, s0, s1, s2, s3, t4, p1;
    __asm__(
        "movq 0(%[a]), %[c0]\n\t"
        "movq 8(%[a]), %[c1]\n\t"
        "movq 16(%[a]), %[c2]\n\t"
        "movq 24(%[a]), %[c3]\n\t"
        "xorl %k[t4], %k[t4]\n\t"
        "addq 0(%[b]), %[c0]\n\t"
        "adcq 8(%[b]), %[c1]\n\t"
        "adcq 16(%[b]), %[c2]\n\t"
        "adcq 24(%[b]), %[c3]\n\t"
        "adcq $0, %[t4]\n\t"
        "movq %[c0], %[s0]\n\t"
        "movq %[c1], %[s1]\n\t"
        "movq %[c2], %[s2]\n\t"
        "movq %[c3], %[s3]\n\t"
        "movl $0xffffffff, %k[p1]\n\t"
        "subq $-1, %[c0]\n\t"
        "sbbq %[p1], %[c1]\n\t"
        "sbbq $0, %[c2]\n\t"
        "sbbq %[p3], %[c3]\n\t"
        "sbbq $0, %[t4]\n\t"
        "cmovcq %[s0], %[c0]\n\t"
        "cmovcq %[s1], %[c1]\n\t"
        "cmovcq %[s2], %[c2]\n\t"
        "cmovcq %[s3], %[c3]\n\t"
        : [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3), [s0] "=&r"(s0),
          [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [t4] "=&r"(t4), [p1] "=&r"(p1)
        : [a] "r"(a), [b] "r"(b), [p3] "m"(p256_fe_p3), "m"(*(const p256_fe *)a),
          "m"(*(const p256_fe *)b)
        : "cc");
    r[0] = c0;
    r[1] = c1;
    r[2] = c2;
    r[3] = c3;
}

/* a - b, then add p masked by the borrow */
static inline void fe_sub(p256_fe r, const p256_fe a, const p256_fe b)
{
    uint64_t c0, c1, c2, c3, m, s1, s3;
    __asm__(
        "movq 0(%[a]), %[c0]\n\t"
        "movq 8(%[a]), %[c1]\n\t"
        "movq 16(%[a]), %[c2]\n\t"
        "movq 24(%[a]), %[c3]\n\t"
        "subq 0(%[b]), %[c0]\n\t"
        "sbbq 8(%[b]), %[c1]\n\t"
        "sbbq 16(%[b]), %[c2]\n\t"
        "sbbq 24(%[b]), %[c3]\n\t"
        "sbbq %[m], %[m]\n\t"
        "movl %k[m], %k[s1]\n\t"
        "movq %[m], %[s3]\n\t"
        "andq %[p3], %[s3]\n\t"
        "addq %[m], %[c0]\n\t"
        "adcq %[s1], %[c1]\n\t"
        "adcq $0, %[c2]\n\t"
        "adcq %[s3], %[c3]\n\t"
        : [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3), [m] "=&r"(m),
          [s1] "=&r"(s1), [s3] "=&r"(s3)
        : [a] "r"(a), [b] "r"(b), [p3] "m"(p256_fe_p3), "m"(*(const p256_fe *)a),
          "m"(*(const p256_fe *)b)
        : "cc");
    r[0] = c0;
    r[1] = c1;
    r[2] = c2;
    r[3] = c3;
}

static inline void fe_neg(p256_fe r, const p256_fe a)
{
    static const p256_fe zero = {0, 0, 0, 0};
    fe_sub(r, zero, a);
}

#endif
