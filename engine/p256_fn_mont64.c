/* p256_fn_mont64.c — arithmetic modulo the P-256 group order n, four 64-bit limbs, Montgomery
 * form (R = 2^256), generic word-by-word reduction with n0 = -n^-1 mod 2^64 (n has no special
 * shape). Only ECDSA uses it: a handful of multiplications and one inversion per signature.
 * Constant time throughout. */
#include "ct.h"
#include "p256_internal.h"

typedef unsigned __int128 u128;

const uint64_t p256_n[4] = {0xf3b9cac2fc632551ULL, 0xbce6faada7179e84ULL, 0xffffffffffffffffULL,
                            0xffffffff00000000ULL};
static const uint64_t n0 = 0xccd1c8aaee00bc4fULL; /* -n^-1 mod 2^64 */
static const uint64_t fn_r2[4] = {0x83244c95be79eea2ULL, 0x4699799c49bd6fa6ULL,
                                  0x2845b2392b6bec59ULL, 0x66e12d94f3d95620ULL};

/* r = t - n if t (with carry bit top) >= n, else t */
static void fn_final_sub(uint64_t r[4], const uint64_t t[4], uint64_t top)
{
    uint64_t s0, s1, s2, s3, b;
    u128 d;
    d = (u128)t[0] - p256_n[0];
    s0 = (uint64_t)d;
    b = (uint64_t)(d >> 64) & 1;
    d = (u128)t[1] - p256_n[1] - b;
    s1 = (uint64_t)d;
    b = (uint64_t)(d >> 64) & 1;
    d = (u128)t[2] - p256_n[2] - b;
    s2 = (uint64_t)d;
    b = (uint64_t)(d >> 64) & 1;
    d = (u128)t[3] - p256_n[3] - b;
    s3 = (uint64_t)d;
    b = (uint64_t)(d >> 64) & 1;
    uint64_t keep = 0 - (b & (top ^ 1));
    r[0] = s0 ^ (keep & (s0 ^ t[0]));
    r[1] = s1 ^ (keep & (s1 ^ t[1]));
    r[2] = s2 ^ (keep & (s2 ^ t[2]));
    r[3] = s3 ^ (keep & (s3 ^ t[3]));
}

/* see p256_internal.h — baseline x86-64 inline assembly (mul/add/adc/cmov): the 512-bit product
 * row by row, then four generic Montgomery steps (m = t_i * n0, t += m*n*2^(64i); the carry out
 * of step i enters step i+1 through its high word), then one conditional subtraction. Valid for
 * a < 2^256 and b < n: the result is then < 2n before the final subtraction. */
void p256_fn_mul(p256_fn r, const p256_fn a, const p256_fn b)
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
        "movq %[t0], %[b]\n\t"
        "imulq %[ninv], %[b]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %%rax, %[t0]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rdx, %[t4]\n\t"
        "movl $0, %k[t0]\n\t"
        "adcq $0, %[t0]\n\t"
        "movq %[t1], %[b]\n\t"
        "imulq %[ninv], %[b]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t0], %%rdx\n\t"
        "addq %%rdx, %[t5]\n\t"
        "movl $0, %k[t1]\n\t"
        "adcq $0, %[t1]\n\t"
        "movq %[t2], %[b]\n\t"
        "imulq %[ninv], %[b]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t1], %%rdx\n\t"
        "addq %%rdx, %[t6]\n\t"
        "movl $0, %k[t2]\n\t"
        "adcq $0, %[t2]\n\t"
        "movq %[t3], %[b]\n\t"
        "imulq %[ninv], %[b]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[b]\n\t"
        "addq %[a], %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t2], %%rdx\n\t"
        "addq %%rdx, %[t7]\n\t"
        "movl $0, %k[t3]\n\t"
        "adcq $0, %[t3]\n\t"
        "movq %[t4], %[t0]\n\t"
        "movq %[t5], %[t1]\n\t"
        "movq %[t6], %[t2]\n\t"
        "movq %[t7], %%rax\n\t"
        "subq %[n0], %[t4]\n\t"
        "sbbq %[n1], %[t5]\n\t"
        "sbbq %[n2], %[t6]\n\t"
        "sbbq %[n3], %[t7]\n\t"
        "sbbq $0, %[t3]\n\t"
        "cmovcq %[t0], %[t4]\n\t"
        "cmovcq %[t1], %[t5]\n\t"
        "cmovcq %[t2], %[t6]\n\t"
        "cmovcq %%rax, %[t7]\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), "=&a"(ra), "=&d"(rd),
          [a] "+&r"(ap), [b] "+&r"(bp)
        : [ninv] "m"(n0), [n0] "m"(p256_n[0]), [n1] "m"(p256_n[1]), [n2] "m"(p256_n[2]),
          [n3] "m"(p256_n[3])
        : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

/* r = a^2: the six cross products doubled plus the four squares, then as p256_fn_mul */
static void fn_sqr(p256_fn r, const p256_fn a)
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
        "movq %[t0], %[x]\n\t"
        "imulq %[ninv], %[x]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %%rax, %[t0]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rdx, %[t4]\n\t"
        "movl $0, %k[t0]\n\t"
        "adcq $0, %[t0]\n\t"
        "movq %[t1], %[x]\n\t"
        "imulq %[ninv], %[x]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %%rax, %[t1]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t0], %%rdx\n\t"
        "addq %%rdx, %[t5]\n\t"
        "movl $0, %k[t1]\n\t"
        "adcq $0, %[t1]\n\t"
        "movq %[t2], %[x]\n\t"
        "imulq %[ninv], %[x]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %%rax, %[t2]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t1], %%rdx\n\t"
        "addq %%rdx, %[t6]\n\t"
        "movl $0, %k[t2]\n\t"
        "adcq $0, %[t2]\n\t"
        "movq %[t3], %[x]\n\t"
        "imulq %[ninv], %[x]\n\t"
        "movq %[n0], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %%rax, %[t3]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n1], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t4]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n2], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t5]\n\t"
        "adcq $0, %%rdx\n\t"
        "movq %%rdx, %[a]\n\t"
        "movq %[n3], %%rax\n\t"
        "mulq %[x]\n\t"
        "addq %[a], %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %%rax, %[t6]\n\t"
        "adcq $0, %%rdx\n\t"
        "addq %[t2], %%rdx\n\t"
        "addq %%rdx, %[t7]\n\t"
        "movl $0, %k[t3]\n\t"
        "adcq $0, %[t3]\n\t"
        "movq %[t4], %[t0]\n\t"
        "movq %[t5], %[t1]\n\t"
        "movq %[t6], %[t2]\n\t"
        "movq %[t7], %%rax\n\t"
        "subq %[n0], %[t4]\n\t"
        "sbbq %[n1], %[t5]\n\t"
        "sbbq %[n2], %[t6]\n\t"
        "sbbq %[n3], %[t7]\n\t"
        "sbbq $0, %[t3]\n\t"
        "cmovcq %[t0], %[t4]\n\t"
        "cmovcq %[t1], %[t5]\n\t"
        "cmovcq %[t2], %[t6]\n\t"
        "cmovcq %%rax, %[t7]\n\t"
        : [t0] "=&r"(t0), [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3), [t4] "=&r"(t4),
          [t5] "=&r"(t5), [t6] "=&r"(t6), [t7] "=&r"(t7), [x] "=&r"(x), "=&a"(ra), "=&d"(rd),
          [a] "+&r"(ap)
        : [ninv] "m"(n0), [n0] "m"(p256_n[0]), [n1] "m"(p256_n[1]), [n2] "m"(p256_n[2]),
          [n3] "m"(p256_n[3])
        : "cc", "memory");
    r[0] = t4;
    r[1] = t5;
    r[2] = t6;
    r[3] = t7;
}

/* see p256_internal.h */
void p256_fn_add(p256_fn r, const p256_fn a, const p256_fn b)
{
    uint64_t t[4], c = 0;
    for (int i = 0; i < 4; i++) {
        u128 x = (u128)a[i] + b[i] + c;
        t[i] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
    fn_final_sub(r, t, c);
}

/* see p256_internal.h */
void p256_fn_to_mont(p256_fn r, const uint64_t a[4]) { p256_fn_mul(r, a, fn_r2); }

/* see p256_internal.h */
void p256_fn_from_mont(uint64_t r[4], const p256_fn a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    p256_fn_mul(r, a, one);
}

/* see p256_internal.h */
void p256_fn_reduce_once(uint64_t r[4], const uint64_t a[4]) { fn_final_sub(r, a, 0); }

/* see p256_internal.h — Fermat: a^(n-2), left to right with sliding windows of up to 5 bits
 * over the odd powers a, a^3, ..., a^31. The windows follow the public exponent n-2, never the
 * secret base: 255 squarings and 57 multiplications, the same for every input. */
void p256_fn_inv(p256_fn r, const p256_fn a)
{
    static const uint64_t e[4] = {0xf3b9cac2fc63254fULL, 0xbce6faada7179e84ULL,
                                  0xffffffffffffffffULL, 0xffffffff00000000ULL};
    p256_fn tab[16], a2, acc;
#define EBIT(i) ((e[(i) / 64] >> ((i) % 64)) & 1)
    for (int l = 0; l < 4; l++) tab[0][l] = a[l];
    fn_sqr(a2, a);
    for (int i = 1; i < 16; i++) p256_fn_mul(tab[i], tab[i - 1], a2);
    int i = 255, started = 0;
    while (i >= 0) {
        if (!EBIT(i)) {
            fn_sqr(acc, acc); /* the top bit is set, so acc is started here */
            i--;
            continue;
        }
        int j = i >= 4 ? i - 4 : 0;
        while (!EBIT(j)) j++;
        unsigned w = 0;
        for (int k = i; k >= j; k--) w = (w << 1) | (unsigned)EBIT(k);
        if (started) {
            for (int k = i; k >= j; k--) fn_sqr(acc, acc);
            p256_fn_mul(acc, acc, tab[w >> 1]);
        } else {
            for (int l = 0; l < 4; l++) acc[l] = tab[w >> 1][l];
            started = 1;
        }
        i = j - 1;
    }
#undef EBIT
    for (int l = 0; l < 4; l++) r[l] = acc[l];
    ct_wipe(tab, sizeof tab);
    ct_wipe(a2, sizeof a2);
    ct_wipe(acc, sizeof acc);
}

/* see p256_internal.h */
uint64_t p256_fn_in_range(const uint8_t in[32])
{
    uint64_t a[4];
    p256_limbs_from_be(a, in);
    return p256_limbs_lt(a, p256_n) & ~p256_limbs_is_zero(a);
}
