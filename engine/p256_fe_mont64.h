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

#include "p256_fe_asm.h"

/* Montgomery multiplication: the 512-bit product row by row, then the four word-by-word
 * reduction steps and the conditional subtraction of P256_ASM_REDC (p256_fe_asm.h), which
 * need no multiplication. 16 mul instead of 20 (point doubling measured 5% faster than with a
 * mul by the top limb of p). */
static inline __attribute__((always_inline)) void fe_mul(p256_fe r, const p256_fe a,
                                                         const p256_fe b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, ra, rd;
    const uint64_t *ap = a, *bp = b;
    __asm__(
        P256_ASM_MUL4X4
        P256_ASM_REDC(a, b, ra, rd)
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), [ra] "=&a"(ra), [rd] "=&d"(rd),
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
        P256_ASM_SQR4X4
        P256_ASM_REDC(a, x, ra, rd)
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), [ra] "=&a"(ra), [rd] "=&d"(rd),
          [a] "+&r"(ap)
        : [p3] "m"(p256_fe_p3)
        : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

#endif
