/* p256_fe_mulx.h — GF(p) multiply and square with BMI2 mulx and ADX adcx/adox: the same
 * contract and the same reduction (P256_ASM_REDC, p256_fe_asm.h) as p256_fe_mont64.h, which it
 * replaces in the files that include it. Only *_mulx.c files include it (the Makefile gives
 * them -mbmi2 -madx, and the dispatch in cd_select.c runs them only where the CPU has both).
 *
 * mulx leaves the flags alone and adcx/adox carry through CF and OF separately, so each row of
 * the product adds its low words on one carry chain and its high words on the other, with no
 * moves through rax/rdx: about 30% fewer instructions than the mul/adc rows. 13 general
 * registers (rbp excluded), inputs read under a "memory" clobber as in p256_fe_mont64.h.
 * Constant time: no branches, no data-dependent addresses. */
#ifndef MBSHAKE_P256_FE_MULX_H
#define MBSHAKE_P256_FE_MULX_H

#include "p256_fe_asm.h"

/* one row i >= 1 of a * b: (w4..w0) += a * b_i, with rdx = b_i and w4 = 0 on entry */
#define P256_ASM_MULX_ROW(w0, w1, w2, w3, w4)                                                      \
    "xorl %k[" #w4 "], %k[" #w4 "]\n\t"                                                            \
    "mulxq 0(%[a]), %[x], %[y]\n\t"                                                                \
    "adcxq %[x], %[" #w0 "]\n\t"                                                                   \
    "adoxq %[y], %[" #w1 "]\n\t"                                                                   \
    "mulxq 8(%[a]), %[x], %[y]\n\t"                                                                \
    "adcxq %[x], %[" #w1 "]\n\t"                                                                   \
    "adoxq %[y], %[" #w2 "]\n\t"                                                                   \
    "mulxq 16(%[a]), %[x], %[y]\n\t"                                                               \
    "adcxq %[x], %[" #w2 "]\n\t"                                                                   \
    "adoxq %[y], %[" #w3 "]\n\t"                                                                   \
    "mulxq 24(%[a]), %[x], %[y]\n\t"                                                               \
    "adcxq %[x], %[" #w3 "]\n\t"                                                                   \
    "adoxq %[y], %[" #w4 "]\n\t"                                                                   \
    "adcq $0, %[" #w4 "]\n\t"

/* The reduction of P256_ASM_REDC (p256_fe_asm.h) with mulx doing the shifts: per step, with
 * m = t_i in rdx, m * 2^32 gives (m<<32, m>>32) and m * p3 the top term, both without
 * destroying m; the carry out of a step is kept as a mask (sbb) and added into the next step's
 * top word, which cannot overflow (hi(m p3) < 2^64 - 1). 9 instructions a step instead of 15.
 * Scratch: rdx, and the operands named by m1, m2, m3 and cf; t_i itself takes m<<32. */
#define P256_ASM_MULX_REDSTEP(w0, w1, w2, w3, w4, cin, m1, m2, m3, cf)                             \
    "movq %[" #w0 "], %%rdx\n\t"                                                                  \
    "mulxq %[c32], %[" #w0 "], %[" #m1 "]\n\t"                                                    \
    "mulxq %[p3], %[" #m2 "], %[" #m3 "]\n\t" cin                                                 \
    "addq %[" #w0 "], %[" #w1 "]\n\t"                                                             \
    "adcq %[" #m1 "], %[" #w2 "]\n\t"                                                             \
    "adcq %[" #m2 "], %[" #w3 "]\n\t"                                                             \
    "adcq %[" #m3 "], %[" #w4 "]\n\t"                                                             \
    "sbbq %[" #cf "], %[" #cf "]\n\t"
#define P256_ASM_MULX_REDC(m1, m2, m3, cf)                                                         \
    P256_ASM_MULX_REDSTEP(t0, t1, t2, t3, t4, "xorl %k[" #cf "], %k[" #cf "]\n\t", m1, m2, m3, cf) \
    P256_ASM_MULX_REDSTEP(t1, t2, t3, t4, t5, "subq %[" #cf "], %[" #m3 "]\n\t", m1, m2, m3, cf)   \
    P256_ASM_MULX_REDSTEP(t2, t3, t4, t5, t6, "subq %[" #cf "], %[" #m3 "]\n\t", m1, m2, m3, cf)   \
    P256_ASM_MULX_REDSTEP(t3, t4, t5, t6, t7, "subq %[" #cf "], %[" #m3 "]\n\t", m1, m2, m3, cf)   \
    "movq %[t4], %[t0]\n\t"                                                                       \
    "movq %[t5], %[t1]\n\t"                                                                       \
    "movq %[t6], %[t2]\n\t"                                                                       \
    "movq %[t7], %[t3]\n\t"                                                                       \
    "movl $0xffffffff, %k[" #m3 "]\n\t"                                                           \
    "subq $-1, %[t4]\n\t"                                                                         \
    "sbbq %[" #m3 "], %[t5]\n\t"                                                                  \
    "sbbq $0, %[t6]\n\t"                                                                          \
    "sbbq %[p3], %[t7]\n\t"                                                                       \
    "sbbq $0, %[" #cf "]\n\t"                                                                     \
    "cmovcq %[t0], %[t4]\n\t"                                                                     \
    "cmovcq %[t1], %[t5]\n\t"                                                                     \
    "cmovcq %[t2], %[t6]\n\t"                                                                     \
    "cmovcq %[t3], %[t7]\n\t"

static const uint64_t p256_fe_c32 = 1ULL << 32;

static inline __attribute__((always_inline)) void fe_mul(p256_fe r, const p256_fe a,
                                                         const p256_fe b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, y, rd;
    const uint64_t *ap = a, *bp = b;
    __asm__("movq 0(%[b]), %%rdx\n\t"
            "mulxq 0(%[a]), %[t0], %[t1]\n\t"
            "mulxq 8(%[a]), %[x], %[t2]\n\t"
            "addq %[x], %[t1]\n\t"
            "mulxq 16(%[a]), %[x], %[t3]\n\t"
            "adcq %[x], %[t2]\n\t"
            "mulxq 24(%[a]), %[x], %[t4]\n\t"
            "adcq %[x], %[t3]\n\t"
            "adcq $0, %[t4]\n\t"
            "movq 8(%[b]), %%rdx\n\t"
            P256_ASM_MULX_ROW(t1, t2, t3, t4, t5)
            "movq 16(%[b]), %%rdx\n\t"
            P256_ASM_MULX_ROW(t2, t3, t4, t5, t6)
            "movq 24(%[b]), %%rdx\n\t"
            P256_ASM_MULX_ROW(t3, t4, t5, t6, t7)
            P256_ASM_MULX_REDC(a, b, x, y)
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), [y] "=&r"(y),
              "=&d"(rd), [a] "+&r"(ap), [b] "+&r"(bp)
            : [p3] "m"(p256_fe_p3), [c32] "m"(p256_fe_c32)
            : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

/* the six cross products (rows a0 * a1..a3, a1 * a2..a3, a2 * a3), doubled, plus the four
 * squares on one carry chain (mulx leaves CF alone), then the reduction */
static inline __attribute__((always_inline)) void fe_sqr(p256_fe r, const p256_fe a)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, y, z, rd;
    const uint64_t *ap = a;
    __asm__("movq 0(%[a]), %%rdx\n\t"
            "mulxq 8(%[a]), %[t1], %[t2]\n\t"
            "mulxq 16(%[a]), %[x], %[t3]\n\t"
            "addq %[x], %[t2]\n\t"
            "mulxq 24(%[a]), %[x], %[t4]\n\t"
            "adcq %[x], %[t3]\n\t"
            "adcq $0, %[t4]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "xorl %k[t5], %k[t5]\n\t"
            "mulxq 16(%[a]), %[x], %[y]\n\t"
            "adcxq %[x], %[t3]\n\t"
            "adoxq %[y], %[t4]\n\t"
            "mulxq 24(%[a]), %[x], %[y]\n\t"
            "adcxq %[x], %[t4]\n\t"
            "adoxq %[y], %[t5]\n\t"
            "adcq $0, %[t5]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq 24(%[a]), %[x], %[t6]\n\t"
            "addq %[x], %[t5]\n\t"
            "adcq $0, %[t6]\n\t"
            "xorl %k[t7], %k[t7]\n\t"
            "addq %[t1], %[t1]\n\t"
            "adcq %[t2], %[t2]\n\t"
            "adcq %[t3], %[t3]\n\t"
            "adcq %[t4], %[t4]\n\t"
            "adcq %[t5], %[t5]\n\t"
            "adcq %[t6], %[t6]\n\t"
            "adcq $0, %[t7]\n\t"
            "movq 0(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[t0], %[x]\n\t"
            "addq %[x], %[t1]\n\t"
            "movq 8(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[x], %[y]\n\t"
            "adcq %[x], %[t2]\n\t"
            "adcq %[y], %[t3]\n\t"
            "movq 16(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[x], %[y]\n\t"
            "adcq %[x], %[t4]\n\t"
            "adcq %[y], %[t5]\n\t"
            "movq 24(%[a]), %%rdx\n\t"
            "mulxq %%rdx, %[x], %[y]\n\t"
            "adcq %[x], %[t6]\n\t"
            "adcq %[y], %[t7]\n\t"
            P256_ASM_MULX_REDC(a, x, y, z)
            : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
              [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), [y] "=&r"(y),
              [z] "=&r"(z), "=&d"(rd), [a] "+&r"(ap)
            : [p3] "m"(p256_fe_p3), [c32] "m"(p256_fe_c32)
            : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

#endif
