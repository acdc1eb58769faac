/* p256_fe_asm.h — the pieces shared by the P-256 4x64 multiplier flavours, p256_fe_mont64.h
 * (baseline mul/adc), p256_fe_mulx.h (BMI2 mulx + ADX adcx/adox) and the mod-n code of
 * p256_fn_mont64.c: the baseline 512-bit product and square and the Montgomery reduction mod p
 * as inline-assembly text fragments, and GF(p) addition, subtraction and negation (no
 * multiplications, so nothing to gain from BMI2/ADX). A translation unit includes one of the
 * two flavour headers, which both define fe_mul and fe_sqr.
 *
 * Same contract as the p256_fe_* functions in p256_internal.h; r may alias a or b. Constant
 * time: cmov and masks only. */
#ifndef MBSHAKE_P256_FE_ASM_H
#define MBSHAKE_P256_FE_ASM_H

#include "p256_internal.h"

#define P256_P3 0xffffffff00000001ULL /* top limb of p */
static const uint64_t p256_fe_p3 = P256_P3;

/* The 512-bit product t7..t0 of a and b (pointers [a], [b]) row by row with mul/adc, as asm
 * text; scratch [x], rax and rdx. Shared by the Montgomery multiplications mod p
 * (p256_fe_mont64.h) and mod n (p256_fn_mont64.c), which differ only in the reduction. */
#define P256_ASM_MUL4X4                                                                            \
    "movq 0(%[b]), %%rax\n\t"                                                                      \
    "mulq 0(%[a])\n\t"                                                                             \
    "movq %%rax, %[t0]\n\t"                                                                        \
    "movq %%rdx, %[t1]\n\t"                                                                        \
    "movq 0(%[b]), %%rax\n\t"                                                                      \
    "mulq 8(%[a])\n\t"                                                                             \
    "addq %%rax, %[t1]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t2]\n\t"                                                                        \
    "movq 0(%[b]), %%rax\n\t"                                                                      \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %%rax, %[t2]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t3]\n\t"                                                                        \
    "movq 0(%[b]), %%rax\n\t"                                                                      \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t4]\n\t"                                                                        \
    "movq 8(%[b]), %%rax\n\t"                                                                      \
    "mulq 0(%[a])\n\t"                                                                             \
    "addq %%rax, %[t1]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 8(%[b]), %%rax\n\t"                                                                      \
    "mulq 8(%[a])\n\t"                                                                             \
    "addq %[x], %[t2]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t2]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 8(%[b]), %%rax\n\t"                                                                      \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %[x], %[t3]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 8(%[b]), %%rax\n\t"                                                                      \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %[x], %[t4]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t4]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t5]\n\t"                                                                        \
    "movq 16(%[b]), %%rax\n\t"                                                                     \
    "mulq 0(%[a])\n\t"                                                                             \
    "addq %%rax, %[t2]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 16(%[b]), %%rax\n\t"                                                                     \
    "mulq 8(%[a])\n\t"                                                                             \
    "addq %[x], %[t3]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 16(%[b]), %%rax\n\t"                                                                     \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %[x], %[t4]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t4]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 16(%[b]), %%rax\n\t"                                                                     \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %[x], %[t5]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t5]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t6]\n\t"                                                                        \
    "movq 24(%[b]), %%rax\n\t"                                                                     \
    "mulq 0(%[a])\n\t"                                                                             \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 24(%[b]), %%rax\n\t"                                                                     \
    "mulq 8(%[a])\n\t"                                                                             \
    "addq %[x], %[t4]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t4]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 24(%[b]), %%rax\n\t"                                                                     \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %[x], %[t5]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t5]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 24(%[b]), %%rax\n\t"                                                                     \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %[x], %[t6]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t6]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t7]\n\t"

/* a^2 into t7..t0: the six cross products, doubled, plus the four squares (each square absorbs
 * the previous carry, which cannot overflow its high word); scratch [x], rax, rdx */
#define P256_ASM_SQR4X4                                                                            \
    "movq 0(%[a]), %%rax\n\t"                                                                      \
    "mulq 8(%[a])\n\t"                                                                             \
    "movq %%rax, %[t1]\n\t"                                                                        \
    "movq %%rdx, %[t2]\n\t"                                                                        \
    "movq 0(%[a]), %%rax\n\t"                                                                      \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %%rax, %[t2]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t3]\n\t"                                                                        \
    "movq 0(%[a]), %%rax\n\t"                                                                      \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t4]\n\t"                                                                        \
    "movq 8(%[a]), %%rax\n\t"                                                                      \
    "mulq 16(%[a])\n\t"                                                                            \
    "addq %%rax, %[t3]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[x]\n\t"                                                                         \
    "movq 8(%[a]), %%rax\n\t"                                                                      \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %[x], %[t4]\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t4]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t5]\n\t"                                                                        \
    "movq 16(%[a]), %%rax\n\t"                                                                     \
    "mulq 24(%[a])\n\t"                                                                            \
    "addq %%rax, %[t5]\n\t"                                                                        \
    "adcq $0, %%rdx\n\t"                                                                           \
    "movq %%rdx, %[t6]\n\t"                                                                        \
    "xorl %k[t7], %k[t7]\n\t"                                                                      \
    "addq %[t1], %[t1]\n\t"                                                                        \
    "adcq %[t2], %[t2]\n\t"                                                                        \
    "adcq %[t3], %[t3]\n\t"                                                                        \
    "adcq %[t4], %[t4]\n\t"                                                                        \
    "adcq %[t5], %[t5]\n\t"                                                                        \
    "adcq %[t6], %[t6]\n\t"                                                                        \
    "adcq $0, %[t7]\n\t"                                                                           \
    "movq 0(%[a]), %%rax\n\t"                                                                      \
    "mulq %%rax\n\t"                                                                               \
    "movq %%rax, %[t0]\n\t"                                                                        \
    "addq %%rdx, %[t1]\n\t"                                                                        \
    "movl $0, %k[x]\n\t"                                                                           \
    "adcq $0, %[x]\n\t"                                                                            \
    "movq 8(%[a]), %%rax\n\t"                                                                      \
    "mulq %%rax\n\t"                                                                               \
    "addq %[x], %%rax\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t2]\n\t"                                                                        \
    "adcq %%rdx, %[t3]\n\t"                                                                        \
    "movl $0, %k[x]\n\t"                                                                           \
    "adcq $0, %[x]\n\t"                                                                            \
    "movq 16(%[a]), %%rax\n\t"                                                                     \
    "mulq %%rax\n\t"                                                                               \
    "addq %[x], %%rax\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t4]\n\t"                                                                        \
    "adcq %%rdx, %[t5]\n\t"                                                                        \
    "movl $0, %k[x]\n\t"                                                                           \
    "adcq $0, %[x]\n\t"                                                                            \
    "movq 24(%[a]), %%rax\n\t"                                                                     \
    "mulq %%rax\n\t"                                                                               \
    "addq %[x], %%rax\n\t"                                                                         \
    "adcq $0, %%rdx\n\t"                                                                           \
    "addq %%rax, %[t6]\n\t"                                                                        \
    "adcq %%rdx, %[t7]\n\t"

/* Montgomery reduction of the product t7..t0 (t < p 2^256) to t7..t4 < p, as asm text. The
 * including asm statement names the eight product words [t0]..[t7] and the top limb of p as the
 * memory operand [p3]; m0..m3 are the names of four scratch register operands.
 *
 * Step i (m = t_i, since -p^-1 mod 2^64 = 1):
 *   t_i + m(2^64 - 1) = m 2^64            (t_i becomes 0, carry m)
 *   t_{i+1} + m(2^32 - 1) + m = + m 2^32  (m<<32 here, m>>32 into t_{i+2})
 *   t_{i+3..i+4} + m 0xffffffff00000001    = m 2^64 - m 2^32 + m: lo = m - (m<<32),
 *                                            hi = m - (m>>32) - borrow, no multiplication
 * The carry out of step i (left in t_i, which is free by then) enters step i+1 through its
 * high word (hi + 1 cannot overflow). Then one conditional subtraction of p; the final carry
 * sits in t3. */
#define P256_ASM_REDSTEP(w0, w1, w2, w3, w4, cin, m0, m1, m2, m3)                                                  \
    "movq %[" #w0 "], %[" #m0 "]\n\t"                                                                  \
    "shlq $32, %[" #m0 "]\n\t"                                                                         \
    "movq %[" #w0 "], %[" #m1 "]\n\t"                                                                  \
    "shrq $32, %[" #m1 "]\n\t"                                                                         \
    "movq %[" #w0 "], %[" #m2 "]\n\t"                                                                  \
    "subq %[" #m0 "], %[" #m2 "]\n\t"                                                                       \
    "movq %[" #w0 "], %[" #m3 "]\n\t"                                                                  \
    "sbbq %[" #m1 "], %[" #m3 "]\n\t" cin "addq %[" #m0 "], %[" #w1 "]\n\t"                                     \
    "adcq %[" #m1 "], %[" #w2 "]\n\t"                                                                  \
    "adcq %[" #m2 "], %[" #w3 "]\n\t"                                                                  \
    "adcq %[" #m3 "], %[" #w4 "]\n\t"                                                                  \
    "movl $0, %k[" #w0 "]\n\t"                                                                    \
    "adcq $0, %[" #w0 "]\n\t"
#define P256_ASM_REDC(m0, m1, m2, m3)                                                                             \
    P256_ASM_REDSTEP(t0, t1, t2, t3, t4, "", m0, m1, m2, m3)                                                       \
    P256_ASM_REDSTEP(t1, t2, t3, t4, t5, "addq %[t0], %[" #m3 "]\n\t", m0, m1, m2, m3)                                  \
    P256_ASM_REDSTEP(t2, t3, t4, t5, t6, "addq %[t1], %[" #m3 "]\n\t", m0, m1, m2, m3)                                  \
    P256_ASM_REDSTEP(t3, t4, t5, t6, t7, "addq %[t2], %[" #m3 "]\n\t", m0, m1, m2, m3)                                  \
    "movq %[t4], %[t0]\n\t"                                                                       \
    "movq %[t5], %[t1]\n\t"                                                                       \
    "movq %[t6], %[t2]\n\t"                                                                       \
    "movq %[t7], %[" #m2 "]\n\t"                                                                       \
    "movl $0xffffffff, %k[" #m3 "]\n\t"                                                                \
    "subq $-1, %[t4]\n\t"                                                                         \
    "sbbq %[" #m3 "], %[t5]\n\t"                                                                       \
    "sbbq $0, %[t6]\n\t"                                                                          \
    "sbbq %[p3], %[t7]\n\t"                                                                       \
    "sbbq $0, %[t3]\n\t"                                                                          \
    "cmovcq %[t0], %[t4]\n\t"                                                                     \
    "cmovcq %[t1], %[t5]\n\t"                                                                     \
    "cmovcq %[t2], %[t6]\n\t"                                                                     \
    "cmovcq %[" #m2 "], %[t7]\n\t"

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
