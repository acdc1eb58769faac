/* p256_fn_mont64.c — arithmetic modulo the P-256 group order n, four 64-bit limbs, Montgomery
 * form (R = 2^256), generic word-by-word reduction with n0 = -n^-1 mod 2^64 (n has no special
 * shape). Only ECDSA uses it: a handful of multiplications and one inversion per signature.
 * Constant time throughout. */
#include "cd.h"
#include "ct.h"
#include "p256_fe_asm.h"
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

/* One generic Montgomery step on the window w0..w4 (asm text): m = w0 n0 mod 2^64 in the
 * operand named by m, then w += m n, which clears w0; the carry out of the step is left in w0
 * and enters the next step through its high word (cin). Scratch: the operand named by c, rax,
 * rdx. */
#define FN_REDSTEP(w0, w1, w2, w3, w4, cin, m, c)                                                  \
    "movq %[" #w0 "], %[" #m "]\n\t"                                                              \
    "imulq %[ninv], %[" #m "]\n\t"                                                                \
    "movq %[n0], %%rax\n\t"                                                                       \
    "mulq %[" #m "]\n\t"                                                                          \
    "addq %%rax, %[" #w0 "]\n\t"                                                                  \
    "adcq $0, %%rdx\n\t"                                                                          \
    "movq %%rdx, %[" #c "]\n\t"                                                                   \
    "movq %[n1], %%rax\n\t"                                                                       \
    "mulq %[" #m "]\n\t"                                                                          \
    "addq %[" #c "], %[" #w1 "]\n\t"                                                              \
    "adcq $0, %%rdx\n\t"                                                                          \
    "addq %%rax, %[" #w1 "]\n\t"                                                                  \
    "adcq $0, %%rdx\n\t"                                                                          \
    "movq %%rdx, %[" #c "]\n\t"                                                                   \
    "movq %[n2], %%rax\n\t"                                                                       \
    "mulq %[" #m "]\n\t"                                                                          \
    "addq %[" #c "], %[" #w2 "]\n\t"                                                              \
    "adcq $0, %%rdx\n\t"                                                                          \
    "addq %%rax, %[" #w2 "]\n\t"                                                                  \
    "adcq $0, %%rdx\n\t"                                                                          \
    "movq %%rdx, %[" #c "]\n\t"                                                                   \
    "movq %[n3], %%rax\n\t"                                                                       \
    "mulq %[" #m "]\n\t"                                                                          \
    "addq %[" #c "], %[" #w3 "]\n\t"                                                              \
    "adcq $0, %%rdx\n\t"                                                                          \
    "addq %%rax, %[" #w3 "]\n\t"                                                                  \
    "adcq $0, %%rdx\n\t" cin                                                                     \
    "addq %%rdx, %[" #w4 "]\n\t"                                                                  \
    "movl $0, %k[" #w0 "]\n\t"                                                                    \
    "adcq $0, %[" #w0 "]\n\t"
/* the four steps: the product t7..t0 becomes t7..t4 (< 2n), the last carry in t3 */
#define FN_REDC(m, c)                                                                              \
    FN_REDSTEP(t0, t1, t2, t3, t4, "", m, c)                                                       \
    FN_REDSTEP(t1, t2, t3, t4, t5, "addq %[t0], %%rdx\n\t", m, c)                                 \
    FN_REDSTEP(t2, t3, t4, t5, t6, "addq %[t1], %%rdx\n\t", m, c)                                 \
    FN_REDSTEP(t3, t4, t5, t6, t7, "addq %[t2], %%rdx\n\t", m, c)

/* see p256_internal.h — baseline x86-64 inline assembly (mul/add/adc/cmov): the 512-bit product
 * row by row (P256_ASM_MUL4X4, shared with the multiplication mod p), then four generic
 * Montgomery steps (m = t_i * n0, t += m*n*2^(64i); the carry out
 * of step i enters step i+1 through its high word), then one conditional subtraction. Valid for
 * a < 2^256 and b < n: the result is then < 2n before the final subtraction. */
void p256_fn_mul(p256_fn r, const p256_fn a, const p256_fn b)
{
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, x, ra, rd;
    const uint64_t *ap = a, *bp = b;
    __asm__(
        P256_ASM_MUL4X4
        FN_REDC(b, a)
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
        P256_ASM_SQR4X4
        FN_REDC(x, a)
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
void p256_fn_inv_vartime(p256_fn r, const p256_fn a)
{
    uint64_t t[4], inv[4];
    p256_fn_from_mont(t, a);
    p256_inv_vartime(inv, t, p256_n);
    p256_fn_to_mont(r, inv);
}

/* see p256_internal.h */
void p256_fn_random(p256_fn r)
{
    uint8_t b[32];
    for (;;) {
        cd_random(b, sizeof b);
        /* the retry says only that a discarded draw was out of range */
        uint64_t ok = p256_fn_in_range(b);
        P256_DECLASSIFY(&ok, sizeof ok);
        if (ok) break;
    }
    uint64_t t[4];
    p256_limbs_from_be(t, b);
    p256_fn_to_mont(r, t);
    ct_wipe(b, sizeof b);
    ct_wipe(t, sizeof t);
}

/* see p256_internal.h — (a b)^-1 b for a fresh random b in [1, n-1] (Montgomery form B R):
 * fn_mul(a, b) = A B R, its plain value A B is uniform and independent of a, so it may be
 * declassified and inverted in variable time; then (A B)^-1 R B R / R = A^-1 R. */
void p256_fn_inv_blinded(p256_fn r, const p256_fn a)
{
    p256_fn b, t;
    uint64_t ab[4], inv[4];
    p256_fn_random(b);
    p256_fn_mul(t, a, b);
    p256_fn_from_mont(ab, t);
    P256_DECLASSIFY(ab, sizeof ab);
    p256_inv_vartime(inv, ab, p256_n);
    p256_fn_to_mont(t, inv);
    p256_fn_mul(r, t, b);
    ct_wipe(b, sizeof b);
    ct_wipe(t, sizeof t);
    ct_wipe(ab, sizeof ab);
    ct_wipe(inv, sizeof inv);
}

/* see p256_internal.h */
uint64_t p256_fn_in_range(const uint8_t in[32])
{
    uint64_t a[4];
    p256_limbs_from_be(a, in);
    return p256_limbs_lt(a, p256_n) & ~p256_limbs_is_zero(a);
}
