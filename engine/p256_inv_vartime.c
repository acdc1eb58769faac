/* p256_inv_vartime.c — modular inversion in variable time for public values (ECDSA
 * verification: s^-1 mod n, and Z^-1 mod p of public points), by the "divstep" gcd of
 * Bernstein and Yang ("Fast constant-time gcd computation and modular inversion", 2019), run
 * here in its variable-time form: a few microseconds less than Fermat's a^(m-2) per inversion.
 *
 * divstep(delta, f, g), f odd:
 *   delta > 0 and g odd:  (1 - delta, g, (g - f) / 2)
 *   g odd:                (1 + delta, f, (g + f) / 2)
 *   g even:               (1 + delta, f, g / 2)
 * Starting from f = m, g = a it reaches g = 0 with f = ±gcd(a, m) = ±1. The steps are taken in
 * batches of 62: their decisions depend only on delta and the low bits of f and g, so each
 * batch runs on the low 64-bit words and yields a matrix T with 2^62 (f', g') = T (f, g), which
 * is then applied to the full f and g, and to d and e, which keep f = d a and g = e a (mod m);
 * dividing d and e by 2^62 mod m adds the multiple of m that clears their low 62 bits (as in a
 * Montgomery reduction step). At the end a^-1 = ±d.
 *
 * Numbers are held in five signed 62-bit limbs (value = sum l_i 2^(62 i), limbs 0..3 in
 * [0, 2^62), limb 4 signed), so a matrix entry (|.| <= 2^62) times a limb fits __int128. */
#include "p256_internal.h"

typedef __int128 i128;
typedef int64_t s62[5];

#define M62 (((uint64_t)1 << 62) - 1)

static void to_s62(s62 r, const uint64_t a[4])
{
    r[0] = (int64_t)(a[0] & M62);
    r[1] = (int64_t)(((a[0] >> 62) | (a[1] << 2)) & M62);
    r[2] = (int64_t)(((a[1] >> 60) | (a[2] << 4)) & M62);
    r[3] = (int64_t)(((a[2] >> 58) | (a[3] << 6)) & M62);
    r[4] = (int64_t)(a[3] >> 56);
}

/* a in [0, 2^256) */
static void from_s62(uint64_t r[4], const s62 a)
{
    uint64_t l0 = (uint64_t)a[0], l1 = (uint64_t)a[1], l2 = (uint64_t)a[2], l3 = (uint64_t)a[3],
             l4 = (uint64_t)a[4];
    r[0] = l0 | (l1 << 62);
    r[1] = (l1 >> 2) | (l2 << 60);
    r[2] = (l2 >> 4) | (l3 << 58);
    r[3] = (l3 >> 6) | (l4 << 56);
}

/* the sign of a (limbs 0..3 are non-negative, so the top limb decides unless it is 0) */
static int sign_s62(const s62 a)
{
    for (int i = 4; i >= 0; i--)
        if (a[i]) return a[i] < 0 ? -1 : 1;
    return 0;
}

/* r = a + k m for k in {-1, 1}, limbs renormalised */
static void addmul_s62(s62 a, const s62 m, int k)
{
    int64_t c = 0;
    for (int i = 0; i < 4; i++) {
        int64_t x = a[i] + k * m[i] + c;
        a[i] = (int64_t)((uint64_t)x & M62);
        c = x >> 62; /* arithmetic shift: floor division */
    }
    a[4] = a[4] + k * m[4] + c;
}

/* a < m, both >= 0 */
static int lt_s62(const s62 a, const s62 m)
{
    for (int i = 4; i >= 0; i--)
        if (a[i] != m[i]) return a[i] < m[i];
    return 0;
}

/* Up to 62 divsteps on the low words; returns the new delta and the matrix (u v; q r). */
static int64_t divsteps62(int64_t delta, uint64_t f0, uint64_t g0, int64_t t[4])
{
    int64_t u = 1, v = 0, q = 0, r = 1;
    int i = 0;
    for (;;) {
        /* g even: halve it as often as possible in one go (f stays, u and v double) */
        uint64_t lim = (uint64_t)1 << (62 - i);
        int z = __builtin_ctzll(g0 | lim);
        g0 >>= z;
        u *= (int64_t)1 << z;
        v *= (int64_t)1 << z;
        delta += z;
        i += z;
        if (i == 62) break;
        /* g odd */
        if (delta > 0) {
            uint64_t nf = g0;
            int64_t nu = 2 * q, nv = 2 * r;
            g0 = (g0 - f0) >> 1;
            q -= u;
            r -= v;
            u = nu;
            v = nv;
            f0 = nf;
            delta = 1 - delta;
        } else {
            g0 = (g0 + f0) >> 1;
            q += u;
            r += v;
            u *= 2;
            v *= 2;
            delta = 1 + delta;
        }
        i++;
        if (i == 62) break;
    }
    t[0] = u;
    t[1] = v;
    t[2] = q;
    t[3] = r;
    return delta;
}

/* (f, g) = T (f, g) / 2^62, exact */
static void update_fg(s62 f, s62 g, const int64_t t[4])
{
    i128 cf = (i128)t[0] * f[0] + (i128)t[1] * g[0];
    i128 cg = (i128)t[2] * f[0] + (i128)t[3] * g[0];
    cf >>= 62;
    cg >>= 62;
    for (int i = 1; i < 5; i++) {
        cf += (i128)t[0] * f[i] + (i128)t[1] * g[i];
        cg += (i128)t[2] * f[i] + (i128)t[3] * g[i];
        f[i - 1] = (int64_t)((uint64_t)cf & M62);
        g[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f[4] = (int64_t)cf;
    g[4] = (int64_t)cg;
}

/* (d, e) = T (d, e) / 2^62 mod m, for d, e in [0, m); results again in [0, m) */
static void update_de(s62 d, s62 e, const int64_t t[4], const s62 m, uint64_t minv)
{
    i128 cd = (i128)t[0] * d[0] + (i128)t[1] * e[0];
    i128 ce = (i128)t[2] * d[0] + (i128)t[3] * e[0];
    /* md, me in [0, 2^62) with cd + md m = 0 = ce + me m (mod 2^62) */
    int64_t md = (int64_t)((0 - (uint64_t)cd * minv) & M62);
    int64_t me = (int64_t)((0 - (uint64_t)ce * minv) & M62);
    cd += (i128)md * m[0];
    ce += (i128)me * m[0];
    cd >>= 62;
    ce >>= 62;
    for (int i = 1; i < 5; i++) {
        cd += (i128)t[0] * d[i] + (i128)t[1] * e[i] + (i128)md * m[i];
        ce += (i128)t[2] * d[i] + (i128)t[3] * e[i] + (i128)me * m[i];
        d[i - 1] = (int64_t)((uint64_t)cd & M62);
        e[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d[4] = (int64_t)cd;
    e[4] = (int64_t)ce;
    /* |T (d, e)| < 2^62 m and md m < 2^62 m, so the results lie in (-m, 2m) */
    if (sign_s62(d) < 0)
        addmul_s62(d, m, 1);
    else if (!lt_s62(d, m))
        addmul_s62(d, m, -1);
    if (sign_s62(e) < 0)
        addmul_s62(e, m, 1);
    else if (!lt_s62(e, m))
        addmul_s62(e, m, -1);
}

/* see p256_internal.h */
void p256_inv_vartime(uint64_t r[4], const uint64_t a[4], const uint64_t mod[4])
{
    s62 f, g, d = {0, 0, 0, 0, 0}, e = {1, 0, 0, 0, 0}, m;
    int64_t t[4], delta = 1;
    /* minv = mod^-1 mod 2^64 by Newton's iteration (correct to 3 bits at the start) */
    uint64_t minv = mod[0];
    for (int i = 0; i < 5; i++)
        minv *= 2 - mod[0] * minv;
    to_s62(m, mod);
    to_s62(f, mod);
    to_s62(g, a);
    for (;;) {
        int zero = 1;
        for (int i = 0; i < 5; i++)
            zero &= g[i] == 0;
        if (zero) break;
        uint64_t f0 = (uint64_t)f[0] | ((uint64_t)f[1] << 62);
        uint64_t g0 = (uint64_t)g[0] | ((uint64_t)g[1] << 62);
        delta = divsteps62(delta, f0, g0, t);
        update_fg(f, g, t);
        update_de(d, e, t, m, minv);
    }
    /* f = ±1 (gcd 1 for a in [1, mod-1] and mod prime): a^-1 = f d */
    if (sign_s62(f) < 0 && sign_s62(d) != 0) {
        s62 neg;
        for (int i = 0; i < 5; i++)
            neg[i] = m[i];
        for (int i = 0; i < 5; i++)
            neg[i] -= d[i];
        /* renormalise m - d (in (0, m)) */
        int64_t c = 0;
        for (int i = 0; i < 4; i++) {
            int64_t x = neg[i] + c;
            neg[i] = (int64_t)((uint64_t)x & M62);
            c = x >> 62;
        }
        neg[4] += c;
        for (int i = 0; i < 5; i++)
            d[i] = neg[i];
    }
    from_s62(r, d);
}
