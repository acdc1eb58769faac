/* rsa_own_mulx.c — the RSA-2048 private-key operation around the AVX2 exponentiation
 * (rsa_own_avx2.c): key setup, the CRT glue (RFC 8017 §5.1.2 2(b)) and the public-exponent
 * check, over Montgomery arithmetic with 64-bit limbs and BMI2 mulx + ADX adcx/adox. Built with
 * -mbmi2 -madx; reached only through rsa_own.c, which checks the CPU first (CD_NEEDS_AVX2, which
 * includes BMI2 and ADX). See rsa_own.h for the contract.
 *
 * Montgomery multiplication (Montgomery 1985), operand scanning (CIOS, Koc-Acar-Kaliski 1996):
 * for each limb b[i], one row t += a*b[i], then one row t = (t + m*N) / 2^64 with
 * m = t[0] * (-N^-1) mod 2^64, both in one asm block. The low halves of the mulx products go
 * into the CF chain (adcx) and the high halves into the OF chain (adox), so the two additions of
 * every product run in parallel; the reduction row stores each word one limb lower, which is the
 * division by 2^64. The accumulator stays below 2N (one extra word plus a carry word); the result
 * is reduced below N with a masked subtraction. 16 limbs (the primes) run straight-line; 32
 * limbs (n, for the check) loop with lea/jrcxz, which leave the flags alone.
 *
 * Private operation: c -> c R mod p, q (two masked subtractions and two products each),
 * m1 = c^dp' mod p and m2 = c^dq' mod q with dp' = dp + k1 (p-1), dq' = dq + k2 (q-1) for fresh
 * 32-bit k1, k2 (exponent blinding; the exponent length is fixed, so the work does not depend on
 * k), h = qinv (m1 - m2) mod p, m = m2 + q h. Then m^e mod n must equal c, or nothing leaves (a
 * fault in either half would otherwise let the output factor n: Boneh-DeMillo-Lipton 1997). */
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "rsa_own.h"
#include "rsa_own_avx2.h"

typedef unsigned __int128 u128;

#define PL 16 /* limbs of a prime */
#define NL 32 /* limbs of the modulus */
#define BLIND_BITS 32

typedef struct mont {
    size_t nl;      /* limbs: 16 or 32 */
    uint64_t n0;    /* -m^-1 mod 2^64 */
    uint64_t m[NL]; /* the modulus, odd, top bit set */
    uint64_t one[NL]; /* R mod m, R = 2^(64 nl) */
    uint64_t rr[NL];  /* R^2 mod m */
} mont;

struct rsa_own_key {
    size_t klen; /* modulus bytes */
    size_t hl;   /* limbs per prime */
    uint64_t e;
    mont n; /* public */
    struct {  /* secret but for p.nl, q.nl (rsa_own_secrets lists the rest for tests/ct) */
        mont p, q;
        uint64_t r3p[PL], r3q[PL]; /* R^3 mod p, mod q */
        uint64_t dp[PL], dq[PL];
        uint64_t pm1[PL], qm1[PL]; /* p-1, q-1 */
        uint64_t qinv_r[PL];       /* qinv R mod p */
        rsa_avx2_mod ap, aq;       /* the AVX2 exponentiation's constants */
    } s;
};

/* ---- one step of the Montgomery product ---------------------------------------------- */

/* Steps of a row: lo:hi = src[k] * rdx; lo += t[k] + CF (adcx); lo += previous hi + OF (adox);
 * store lo to t[k + shift]. H0/H1 alternate as "previous hi" and "this hi". */
#define STEP(src, off, dst, hp, hn)                                                                \
    "mulxq " #off "(%[" src "]), %[lo], %[" hn "]\n\t"                                             \
    "adcxq " #off "(%[t]), %[lo]\n\t"                                                              \
    "adoxq %[" hp "], %[lo]\n\t"                                                                   \
    "movq %[lo], " #dst "(%[t])\n\t"
#define MUL8                                                                                       \
    STEP("a", 0, 0, "h0", "h1") STEP("a", 8, 8, "h1", "h0") STEP("a", 16, 16, "h0", "h1")          \
    STEP("a", 24, 24, "h1", "h0") STEP("a", 32, 32, "h0", "h1") STEP("a", 40, 40, "h1", "h0")      \
    STEP("a", 48, 48, "h0", "h1") STEP("a", 56, 56, "h1", "h0")
#define RED8                                                                                       \
    STEP("n", 0, -8, "h0", "h1") STEP("n", 8, 0, "h1", "h0") STEP("n", 16, 8, "h0", "h1")          \
    STEP("n", 24, 16, "h1", "h0") STEP("n", 32, 24, "h0", "h1") STEP("n", 40, 32, "h1", "h0")      \
    STEP("n", 48, 40, "h0", "h1") STEP("n", 56, 48, "h1", "h0")

#define MUL16                                                                                      \
    MUL8 STEP("a", 64, 64, "h0", "h1") STEP("a", 72, 72, "h1", "h0") STEP("a", 80, 80, "h0", "h1") \
    STEP("a", 88, 88, "h1", "h0") STEP("a", 96, 96, "h0", "h1") STEP("a", 104, 104, "h1", "h0")   \
    STEP("a", 112, 112, "h0", "h1") STEP("a", 120, 120, "h1", "h0")
#define RED16                                                                                      \
    RED8 STEP("n", 64, 56, "h0", "h1") STEP("n", 72, 64, "h1", "h0") STEP("n", 80, 72, "h0", "h1") \
    STEP("n", 88, 80, "h1", "h0") STEP("n", 96, 88, "h0", "h1") STEP("n", 104, 96, "h1", "h0")     \
    STEP("n", 112, 104, "h0", "h1") STEP("n", 120, 112, "h1", "h0")

/* mont_step for nl = 16 (RSA-2048 halves), without loops. */
static inline void mont_step16(uint64_t *t, const uint64_t *a, const uint64_t *n, uint64_t bi,
                               uint64_t n0)
{
    uint64_t lo, h0, h1, d = bi;
    __asm__ volatile("xorl %k[h0], %k[h0]\n\t" MUL16
                     "movl $0, %k[lo]\n\t"
                     "adcxq 128(%[t]), %[h0]\n\t"
                     "adoxq %[lo], %[h0]\n\t"
                     "movq %[h0], 128(%[t])\n\t"
                     "movl $0, %k[h1]\n\t"
                     "adcxq %[lo], %[h1]\n\t"
                     "adoxq %[lo], %[h1]\n\t"
                     "movq %[h1], 136(%[t])\n\t"
                     "movq 0(%[t]), %[d]\n\t"
                     "imulq %[n0], %[d]\n\t"
                     "xorl %k[h0], %k[h0]\n\t" RED16
                     "movl $0, %k[lo]\n\t"
                     "adcxq 128(%[t]), %[h0]\n\t"
                     "adoxq %[lo], %[h0]\n\t"
                     "movq %[h0], 120(%[t])\n\t"
                     "movq 136(%[t]), %[h1]\n\t"
                     "adcxq %[lo], %[h1]\n\t"
                     "adoxq %[lo], %[h1]\n\t"
                     "movq %[h1], 128(%[t])\n\t"
                     : [d] "+d"(d), [lo] "=&r"(lo), [h0] "=&r"(h0), [h1] "=&r"(h1)
                     : [a] "r"(a), [n] "r"(n), [t] "r"(t), [n0] "r"(n0)
                     : "cc", "memory");
}

/* One outer step of CIOS: t = (t + a bi + m N) / 2^64 with m = (t[0] + a[0] bi) n0 mod 2^64.
 * t[0..nl+1] in memory (t[nl+1] is the carry word), t[-1] scratch; nl a multiple of 8. */
static inline void mont_step(uint64_t *t, const uint64_t *a, const uint64_t *n, uint64_t bi,
                             uint64_t n0, size_t nl)
{
    uint64_t lo, h0, h1, c, d = bi;
    const uint64_t *ap = a, *np = n;
    uint64_t *tp = t;
    __asm__ volatile(/* row 1: t[0..nl+1] += a * bi */
                     "xorl %k[h0], %k[h0]\n\t"
                     "movq %[nl], %[c]\n\t"
                     "1:\n\t" MUL8 "leaq 64(%[a]), %[a]\n\t"
                     "leaq 64(%[t]), %[t]\n\t"
                     "leaq -8(%[c]), %[c]\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "movl $0, %k[lo]\n\t"
                     "adcxq 0(%[t]), %[h0]\n\t"
                     "adoxq %[lo], %[h0]\n\t"
                     "movq %[h0], 0(%[t])\n\t"
                     "movl $0, %k[h1]\n\t"
                     "adcxq %[lo], %[h1]\n\t"
                     "adoxq %[lo], %[h1]\n\t"
                     "movq %[h1], 8(%[t])\n\t"
                     /* m = t[0] n0 */
                     "movq %[nl], %[c]\n\t"
                     "shlq $3, %[c]\n\t"
                     "subq %[c], %[t]\n\t"
                     "movq 0(%[t]), %[d]\n\t"
                     "imulq %[n0], %[d]\n\t"
                     /* row 2: t = (t + m N) / 2^64 */
                     "movq %[nl], %[c]\n\t"
                     "xorl %k[h0], %k[h0]\n\t"
                     "3:\n\t" RED8 "leaq 64(%[n]), %[n]\n\t"
                     "leaq 64(%[t]), %[t]\n\t"
                     "leaq -8(%[c]), %[c]\n\t"
                     "jrcxz 4f\n\t"
                     "jmp 3b\n"
                     "4:\n\t"
                     "movl $0, %k[lo]\n\t"
                     "adcxq 0(%[t]), %[h0]\n\t"
                     "adoxq %[lo], %[h0]\n\t"
                     "movq %[h0], -8(%[t])\n\t"
                     "movq 8(%[t]), %[h1]\n\t"
                     "adcxq %[lo], %[h1]\n\t"
                     "adoxq %[lo], %[h1]\n\t"
                     "movq %[h1], 0(%[t])\n\t"
                     : [a] "+r"(ap), [n] "+r"(np), [t] "+r"(tp), [c] "=&c"(c), [d] "+d"(d),
                       [lo] "=&r"(lo), [h0] "=&r"(h0), [h1] "=&r"(h1)
                     : [nl] "r"(nl), [n0] "r"(n0)
                     : "cc", "memory");
}

/* ---- multi-limb helpers (masks and carries only) ---------------------------------------- */

/* r = x mod m for x = xtop*R + x[0..nl) < 2m: subtract m and keep x when that borrows out. */
static void csub(uint64_t *r, const uint64_t *x, uint64_t xtop, const uint64_t *m, size_t nl)
{
    uint64_t d[NL], b = 0;
    for (size_t i = 0; i < nl; i++) {
        u128 t = (u128)x[i] - m[i] - b;
        d[i] = (uint64_t)t;
        b = (uint64_t)(t >> 64) & 1;
    }
    uint64_t keep = 0 - ((b & ~xtop) & 1); /* x < m */
    for (size_t i = 0; i < nl; i++) r[i] = (x[i] & keep) | (d[i] & ~keep);
    ct_wipe(d, sizeof d);
}

/* r = a + b mod m (a, b < m) */
static void modadd(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t nl)
{
    uint64_t s[NL], c = 0;
    for (size_t i = 0; i < nl; i++) {
        u128 t = (u128)a[i] + b[i] + c;
        s[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    csub(r, s, c, m, nl);
    ct_wipe(s, sizeof s);
}

/* r = a - b mod m (a, b < m) */
static void modsub(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t nl)
{
    uint64_t b0 = 0;
    for (size_t i = 0; i < nl; i++) {
        u128 t = (u128)a[i] - b[i] - b0;
        r[i] = (uint64_t)t;
        b0 = (uint64_t)(t >> 64) & 1;
    }
    uint64_t mask = 0 - b0, c = 0;
    for (size_t i = 0; i < nl; i++) {
        u128 t = (u128)r[i] + (m[i] & mask) + c;
        r[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
}

/* r = a b R^-1 mod m, for a, b < m; r may alias a or b. */
static void mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b, const mont *M)
{
    size_t nl = M->nl;
    uint64_t buf[NL + 3];
    uint64_t *t = buf + 1;
    memset(buf, 0, (nl + 3) * sizeof *buf);
    if (nl == 16)
        for (size_t i = 0; i < 16; i++) mont_step16(t, a, M->m, b[i], M->n0);
    else
        for (size_t i = 0; i < nl; i++) mont_step(t, a, M->m, b[i], M->n0, nl);
    csub(r, t, t[nl], M->m, nl);
    ct_wipe(buf, sizeof buf);
}

/* ---- conversions and setup ---------------------------------------------------------------- */

/* Big-endian bytes (any length whose value fits) -> nl limbs. -1 if it does not fit. */
static int from_bytes(uint64_t *r, size_t nl, const uint8_t *b, size_t len)
{
    while (len > 0 && b[0] == 0) { /* leading zeros of key components: their length is public */
        b++;
        len--;
    }
    if (len > nl * 8) return -1;
    memset(r, 0, nl * sizeof *r);
    for (size_t i = 0; i < len; i++) r[i / 8] |= (uint64_t)b[len - 1 - i] << (8 * (i % 8));
    return 0;
}

/* Fixed-length variant for data (no stripping): exactly len = 8 nl bytes or fewer. */
static void from_bytes_fixed(uint64_t *r, size_t nl, const uint8_t *b, size_t len)
{
    memset(r, 0, nl * sizeof *r);
    for (size_t i = 0; i < len; i++) r[i / 8] |= (uint64_t)b[len - 1 - i] << (8 * (i % 8));
}

static void to_bytes(uint8_t *b, size_t len, const uint64_t *x)
{
    for (size_t i = 0; i < len; i++) b[len - 1 - i] = (uint8_t)(x[i / 8] >> (8 * (i % 8)));
}

/* 1 if a < b (public values only: variable time). */
static int lt_pub(const uint64_t *a, const uint64_t *b, size_t nl)
{
    for (size_t i = nl; i-- > 0;)
        if (a[i] != b[i]) return a[i] < b[i];
    return 0;
}

/* m: odd, top bit set, nl limbs (multiple of 4). Fills M. */
static void mont_init(mont *M, const uint64_t *m, size_t nl)
{
    memset(M, 0, sizeof *M);
    M->nl = nl;
    memcpy(M->m, m, nl * sizeof *m);
    uint64_t inv = m[0]; /* m inv = 1 mod 8 for odd m; each step doubles the correct bits */
    for (int i = 0; i < 6; i++) inv *= 2 - m[0] * inv;
    M->n0 = 0 - inv;
    uint64_t c = 1; /* R mod m = R - m, since R/2 <= m < R */
    for (size_t i = 0; i < nl; i++) {
        u128 t = (u128)(~m[i]) + c;
        M->one[i] = (uint64_t)t;
        c = (uint64_t)(t >> 64);
    }
    uint64_t x[NL];
    memcpy(x, M->one, sizeof x);
    for (size_t k = 0; k < 64 * nl; k++) { /* R^2 mod m by doublings */
        uint64_t top = x[nl - 1] >> 63;
        for (size_t i = nl - 1; i > 0; i--) x[i] = x[i] << 1 | x[i - 1] >> 63;
        x[0] <<= 1;
        csub(x, x, top, m, nl);
    }
    memcpy(M->rr, x, sizeof x);
    ct_wipe(x, sizeof x);
}

static int shape_ok(const uint64_t *m, size_t nl)
{
    return (m[0] & 1) && (m[nl - 1] >> 63);
}

static _Thread_local unsigned fault_inject;

/* see rsa_own.h */
void rsa_own_inject_fault(unsigned n) { fault_inject = n; }

/* c mod m in Montgomery form (c R mod m) for c < 2^(128 hl), and the blinded exponent
 * d' = d + k (m-1) (hl + 1 limbs). */
static void half_in(uint64_t *x, uint64_t *eb, const uint64_t *c, const mont *M,
                    const uint64_t *r3, const uint64_t *d, const uint64_t *m1, uint32_t k)
{
    size_t hl = M->nl;
    uint64_t lo[PL], hi[PL];
    csub(lo, c, 0, M->m, hl);      /* c mod 2^(64 hl) < 2m */
    csub(hi, c + hl, 0, M->m, hl); /* c div 2^(64 hl) < 2m */
    mont_mul(lo, lo, M->rr, M);    /* lo R */
    mont_mul(hi, hi, r3, M);       /* hi R^2 */
    modadd(x, lo, hi, M->m, hl);   /* (lo + hi R) R = c R mod m */
    uint64_t carry = 0;
    for (size_t i = 0; i < hl; i++) {
        u128 t = (u128)m1[i] * k + d[i] + carry;
        eb[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    eb[hl] = carry;
    ct_wipe(lo, sizeof lo);
    ct_wipe(hi, sizeof hi);
}

/* m1 = c^dp' mod p, m2 = c^dq' mod q */
static void halves(uint64_t *m1, uint64_t *m2, const uint64_t *c, const rsa_own_key *k,
                   const uint32_t kb[2])
{
    size_t hl = k->hl;
    uint64_t x[2][PL], eb[2][PL + 1];
    half_in(x[0], eb[0], c, &k->s.p, k->s.r3p, k->s.dp, k->s.pm1, kb[0]);
    half_in(x[1], eb[1], c, &k->s.q, k->s.r3q, k->s.dq, k->s.qm1, kb[1]);
    /* the AVX2 kernel takes its base in normal form */
    uint64_t unit[PL] = {1}, r[2][16], x16[2][16], top[2];
    mont_mul(x16[0], x[0], unit, &k->s.p);
    mont_mul(x16[1], x[1], unit, &k->s.q);
    const uint64_t *const e[2] = {eb[0], eb[1]};
    const rsa_avx2_mod *const A[2] = {&k->s.ap, &k->s.aq};
    rsa_avx2_modexp2(r, top, (const uint64_t(*)[16])x16, e, hl + 1, 64 * hl + BLIND_BITS, A);
    csub(m1, r[0], top[0], k->s.p.m, hl);
    csub(m2, r[1], top[1], k->s.q.m, hl);
    ct_wipe(r, sizeof r);
    ct_wipe(x16, sizeof x16);
    ct_wipe(x, sizeof x);
    ct_wipe(eb, sizeof eb);
}

/* r = 2^(64 nl + extra) mod m from M->one = 2^(64 nl) mod m, by doublings */
static void pow2_mod(uint64_t *r, const mont *M, size_t extra)
{
    size_t nl = M->nl;
    uint64_t x[NL];
    memcpy(x, M->one, sizeof x);
    for (size_t k = 0; k < extra; k++) {
        uint64_t top = x[nl - 1] >> 63;
        for (size_t i = nl - 1; i > 0; i--) x[i] = x[i] << 1 | x[i - 1] >> 63;
        x[0] <<= 1;
        csub(x, x, top, M->m, nl);
    }
    memcpy(r, x, nl * sizeof *r);
    ct_wipe(x, sizeof x);
}

/* see rsa_own.h */
int rsa_own_private_mulx(const rsa_own_key *k, const uint8_t *in, uint8_t *out)
{
    size_t hl = k->hl, nl = 2 * hl;
    uint64_t c[NL], m[NL], v[NL], m1[PL], m2[PL], t[PL], h[PL];
    from_bytes_fixed(c, nl, in, k->klen);
    if (!lt_pub(c, k->n.m, nl)) return -1; /* RFC 8017 §5.1.2 step 1 (c is public) */
    uint32_t kb[2];
    cd_random(kb, sizeof kb);
    halves(m1, m2, c, k, kb);
    /* h = qinv (m1 - m2) mod p; m2 < q < 2p */
    csub(t, m2, 0, k->s.p.m, hl);
    modsub(t, m1, t, k->s.p.m, hl);
    mont_mul(h, t, k->s.qinv_r, &k->s.p);
    /* m = m2 + q h < n */
    memset(m, 0, sizeof m);
    for (size_t i = 0; i < hl; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < hl; j++) {
            u128 p = (u128)h[i] * k->s.q.m[j] + m[i + j] + carry;
            m[i + j] = (uint64_t)p;
            carry = (uint64_t)(p >> 64);
        }
        m[i + hl] = carry;
    }
    uint64_t carry = 0;
    for (size_t i = 0; i < nl; i++) {
        u128 p = (u128)m[i] + (i < hl ? m2[i] : 0) + carry;
        m[i] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
    }
    if (fault_inject) { /* tests only: a thread-local counter, not data */
        fault_inject--;
        m[hl / 2] ^= (uint64_t)1 << 17;
    }
    /* public check: v = m^e mod n must be c (e public: square-and-multiply on its bits) */
    const mont *N = &k->n;
    uint64_t mm[NL], unit[NL];
    mont_mul(mm, m, N->rr, N);
    memcpy(v, mm, sizeof v);
    int top = 63;
    while (top > 0 && !((k->e >> top) & 1)) top--;
    for (int b = top - 1; b >= 0; b--) {
        mont_mul(v, v, v, N);
        if ((k->e >> b) & 1) mont_mul(v, v, mm, N);
    }
    memset(unit, 0, sizeof unit);
    unit[0] = 1;
    mont_mul(v, v, unit, N);
    uint32_t ok = ct_memeq(v, c, nl * sizeof *v);
    uint64_t mask = 0 - (uint64_t)ok;
    for (size_t i = 0; i < nl; i++) m[i] &= mask;
    to_bytes(out, k->klen, m);
    ct_wipe(m, sizeof m);
    ct_wipe(mm, sizeof mm);
    ct_wipe(v, sizeof v);
    ct_wipe(m1, sizeof m1);
    ct_wipe(m2, sizeof m2);
    ct_wipe(t, sizeof t);
    ct_wipe(h, sizeof h);
    ct_wipe(kb, sizeof kb);
    ct_wipe_stack();
    return (int)ok - 1;
}

/* see rsa_own.h */
rsa_own_key *rsa_own_new_mulx(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                              const uint8_t *p, size_t plen, const uint8_t *q, size_t qlen,
                              const uint8_t *dp, size_t dplen, const uint8_t *dq, size_t dqlen,
                              const uint8_t *qinv, size_t qinvlen)
{
    uint64_t tn[NL], tp[PL], tq[PL], tqi[PL];
    while (nlen > 0 && n[0] == 0) {
        n++;
        nlen--;
    }
    size_t hl = nlen / 16;
    if (nlen != 256) return NULL; /* RSA-2048 only: the AVX2 kernel is for 1024-bit primes */
    rsa_own_key *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->klen = nlen;
    k->hl = hl;
    int ok = from_bytes(tn, 2 * hl, n, nlen) == 0 && shape_ok(tn, 2 * hl);
    uint64_t te[1];
    ok = ok && from_bytes(te, 1, e, elen) == 0 && (te[0] & 1) && te[0] > 1;
    ok = ok && from_bytes(tp, hl, p, plen) == 0 && shape_ok(tp, hl);
    ok = ok && from_bytes(tq, hl, q, qlen) == 0 && shape_ok(tq, hl);
    ok = ok && from_bytes(k->s.dp, hl, dp, dplen) == 0 && from_bytes(k->s.dq, hl, dq, dqlen) == 0;
    ok = ok && from_bytes(tqi, hl, qinv, qinvlen) == 0 && lt_pub(tqi, tp, hl);
    if (ok) {
        k->e = te[0];
        mont_init(&k->n, tn, 2 * hl);
        mont_init(&k->s.p, tp, hl);
        mont_init(&k->s.q, tq, hl);
        mont_mul(k->s.r3p, k->s.p.rr, k->s.p.rr, &k->s.p);
        mont_mul(k->s.r3q, k->s.q.rr, k->s.q.rr, &k->s.q);
        mont_mul(k->s.qinv_r, tqi, k->s.p.rr, &k->s.p);
        memcpy(k->s.pm1, tp, sizeof tp);
        memcpy(k->s.qm1, tq, sizeof tq);
        k->s.pm1[0] ^= 1; /* odd: p - 1 just clears bit 0 */
        k->s.qm1[0] ^= 1;
        uint64_t rr[PL]; /* R'^2 mod p, q for the AVX2 kernel: R' = 2^1036 */
        pow2_mod(rr, &k->s.p, 2 * 1036 - 1024);
        rsa_avx2_mod_init(&k->s.ap, k->s.p.m, rr, k->s.p.n0);
        pow2_mod(rr, &k->s.q, 2 * 1036 - 1024);
        rsa_avx2_mod_init(&k->s.aq, k->s.q.m, rr, k->s.q.n0);
        ct_wipe(rr, sizeof rr);
        /* self-test: one private operation must pass the public check */
        uint8_t x[RSA_OWN_MAX_BYTES], y[RSA_OWN_MAX_BYTES];
        for (size_t i = 0; i < nlen; i++) x[i] = (uint8_t)(i * 37 + 11);
        x[0] = 0;
        ok = rsa_own_private_mulx(k, x, y) == 0;
        ct_wipe(y, sizeof y);
    }
    ct_wipe(tp, sizeof tp);
    ct_wipe(tq, sizeof tq);
    ct_wipe(tqi, sizeof tqi);
    if (!ok) {
        rsa_own_free_mulx(k);
        return NULL;
    }
    return k;
}

/* see rsa_own.h */
void rsa_own_free_mulx(rsa_own_key *k)
{
    ct_wipe(k, sizeof *k);
    free(k);
}

/* see rsa_own.h */
size_t rsa_own_len(const rsa_own_key *k) { return k->klen; }

/* see rsa_own.h */
void rsa_own_secrets(rsa_own_key *k, void (*mark)(void *p, size_t n))
{
    const mont *ms[2] = {&k->s.p, &k->s.q};
    for (int i = 0; i < 2; i++) { /* everything but the limb count */
        mont *M = (mont *)ms[i];
        mark(&M->n0, sizeof M->n0);
        mark(M->m, sizeof M->m);
        mark(M->one, sizeof M->one);
        mark(M->rr, sizeof M->rr);
    }
    mark(k->s.r3p, sizeof k->s.r3p);
    mark(k->s.r3q, sizeof k->s.r3q);
    mark(k->s.dp, sizeof k->s.dp);
    mark(k->s.dq, sizeof k->s.dq);
    mark(k->s.pm1, sizeof k->s.pm1);
    mark(k->s.qm1, sizeof k->s.qm1);
    mark(k->s.qinv_r, sizeof k->s.qinv_r);
    mark(&k->s.ap, sizeof k->s.ap);
    mark(&k->s.aq, sizeof k->s.aq);
}
