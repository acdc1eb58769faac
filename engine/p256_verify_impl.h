/* p256_verify_impl.h — ECDSA P-256 verification (FIPS 186-4 §6.4.2), written once over fe_mul,
 * fe_sqr, fe_add, fe_sub and fe_neg and compiled twice: p256_verify_base.c includes it after
 * p256_fe_mont64.h (baseline x86-64: p256_verify_base, the scalar table's verify),
 * p256_verify_mulx.c after p256_fe_mulx.h (BMI2/ADX: p256_verify_mulx, which the AVX2 table
 * uses for one or two signatures). The includer defines P256_VERIFY_FN, the function's name.
 * Everything here is public (key, hash, signature), so it branches freely and is variable
 * time.
 *
 * Per signature: R = u1 G + u2 Q with u1 = e s^-1, u2 = r s^-1 (mod n), then x(R) mod n == r.
 *   - u2 Q: width-5 NAF of u2 over the odd multiples Q, 3Q, ..., 15Q. The table is built with
 *     co-Z additions (one shared Z, so all of it becomes affine with a single inversion) and
 *     the ~43 additions are mixed (8M + 3S) instead of full Jacobian ones (12M + 4S).
 *   - u1 G: width-7 NAF of u1 over G, 3G, ..., 63G, which row 0 of the fixed-base tables
 *     (p256_base_booth7.c) holds already, in the same loop (Straus: the doublings are shared):
 *     about 32 mixed additions.
 *   - x(R) mod n == r is checked without an inversion: X == r Z^2, or X == (r + n) Z^2 when
 *     r + n < p.
 * Up to GROUP signatures of one call share their inversions (Montgomery's trick): one inversion
 * of s mod n and one of the tables' Z mod p for the whole group, both by the variable-time
 * gcd of p256_inv_vartime.c. */
#ifndef P256_VERIFY_FN
#error "define P256_VERIFY_FN and include a field header (p256_fe_mont64.h or p256_fe_mulx.h)"
#endif
#include <string.h>

#include "p256_internal.h"
#include "p256_point_formulas.h"

#define GROUP 8 /* signatures per shared inversion */
#define QW    5 /* NAF width for u2 */
#define QT    8 /* odd multiples 1, 3, ..., 15 of Q */
#define GW    7 /* NAF width for u1: odd multiples up to 63 G, all in row 0 of the base tables */

/* R^2 mod p: fe_mul(r, a, fe_r2) puts a plain integer a < 2^256 into Montgomery form */
static const p256_fe fe_r2 = {0x0000000000000003ULL, 0xfffffffbffffffffULL, 0xfffffffffffffffeULL,
                              0x00000004fffffffdULL};

static int fe_zero(const p256_fe a)
{
    return (a[0] | a[1] | a[2] | a[3]) == 0;
}

/* acc += b (b affine), every case handled: acc at infinity (Z = 0), acc = b, acc = -b */
static void madd_vt(p256_jac *acc, const p256_aff *b)
{
    if (fe_zero(acc->z)) {
        memcpy(acc->x, b->x, sizeof b->x);
        memcpy(acc->y, b->y, sizeof b->y);
        memcpy(acc->z, p256_fe_one, sizeof p256_fe_one);
        return;
    }
    p256_jac t;
    uint64_t h0, r0;
    pt_madd_core(&t, acc, b, &h0, &r0);
    if (h0) {
        if (r0)
            pt_dbl(acc, acc); /* acc == b */
        else
            memset(acc, 0, sizeof *acc); /* acc == -b */
        return;
    }
    *acc = t;
}

/* acc += e or acc -= e */
static void add_digit(p256_jac *acc, const p256_aff *e, int neg)
{
    if (!neg) {
        madd_vt(acc, e);
        return;
    }
    p256_aff t;
    memcpy(t.x, e->x, sizeof t.x);
    fe_neg(t.y, e->y);
    madd_vt(acc, &t);
}

/* e[i] = (2i+1) Q with one common Z (returned in z), as co-Z (X_i, Y_i). 2Q = ±(2i+1)Q would
 * need n | 2i+1 ∓ 2, so the co-Z additions never meet their exceptional case. */
static void q_table(p256_aff e[QT], p256_fe z, const p256_aff *q)
{
    p256_jac p1, d;
    p256_fe h[QT], mu, mu2, mu3, zz;
    memcpy(p1.x, q->x, sizeof q->x);
    memcpy(p1.y, q->y, sizeof q->y);
    memcpy(p1.z, p256_fe_one, sizeof p256_fe_one);
    pt_dbl(&d, &p1);
    fe_sqr(zz, d.z); /* Q scaled to Z_D */
    fe_mul(e[0].x, q->x, zz);
    fe_mul(zz, zz, d.z);
    fe_mul(e[0].y, q->y, zz);
    memcpy(z, d.z, sizeof d.z);
    for (int i = 1; i < QT; i++) {
        pt_zaddu(e[i].x, e[i].y, d.x, d.y, e[i - 1].x, e[i - 1].y, h[i]);
        fe_mul(z, z, h[i]);
    }
    /* entry j has Z_j = Z_D h_1 ... h_j: bring it to the last Z with mu = h_{j+1} ... h_last */
    memcpy(mu, h[QT - 1], sizeof mu);
    for (int j = QT - 2; j >= 0; j--) {
        fe_sqr(mu2, mu);
        fe_mul(mu3, mu2, mu);
        fe_mul(e[j].x, e[j].x, mu2);
        fe_mul(e[j].y, e[j].y, mu3);
        if (j > 0) fe_mul(mu, mu, h[j]);
    }
}

/* r = r + n as a 256-bit integer; returns the carry */
static uint64_t add_n(uint64_t r[4])
{
    uint64_t c = 0;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 x = (unsigned __int128)r[i] + p256_n[i] + c;
        r[i] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
    return c;
}

typedef struct {
    p256_aff q;
    uint64_t r[4], e[4];
    p256_fn s; /* Montgomery form, then s^-1 */
    p256_aff tab[QT];
    p256_fe z; /* the table's common Z, then its inverse */
} lane;

/* the final point check for one lane; acc = u1 G + u2 Q */
static int check_x(const p256_jac *acc, const uint64_t r[4])
{
    p256_fe z2, rf, lhs;
    uint64_t rn[4];
    if (fe_zero(acc->z)) return 0;
    fe_sqr(z2, acc->z);
    fe_mul(rf, r, fe_r2);
    fe_mul(lhs, rf, z2);
    if (memcmp(lhs, acc->x, sizeof lhs) == 0) return 1;
    memcpy(rn, r, sizeof rn);
    if (add_n(rn) || !p256_limbs_lt(rn, p256_p)) return 0;
    fe_mul(rf, rn, fe_r2);
    fe_mul(lhs, rf, z2);
    return memcmp(lhs, acc->x, sizeof lhs) == 0;
}

/* up to GROUP signatures; returns the mask of failed ones */
static uint32_t verify_group(const uint8_t pub[][65], const uint8_t hash[][32],
                             const uint8_t sig[][64], unsigned n)
{
    lane ln[GROUP];
    unsigned idx[GROUP], m = 0;
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i++) {
        lane *l = &ln[m];
        uint64_t s[4];
        if (!p256_point_decode(&l->q, pub[i]) || !p256_fn_in_range(sig[i]) ||
            !p256_fn_in_range(sig[i] + 32)) {
            bad |= 1u << i;
            continue;
        }
        p256_limbs_from_be(l->r, sig[i]);
        p256_limbs_from_be(s, sig[i] + 32);
        p256_limbs_from_be(l->e, hash[i]);
        p256_fn_reduce_once(l->e, l->e);
        p256_fn_to_mont(l->s, s);
        idx[m++] = i;
    }
    if (m == 0) return bad;

    /* the tables, then one inversion mod n (s) and one mod p (the tables' Z) for all lanes */
    p256_fn pn[GROUP], inv_n, t;
    p256_fe pp[GROUP], inv_p, u;
    for (unsigned j = 0; j < m; j++) {
        q_table(ln[j].tab, ln[j].z, &ln[j].q);
        if (j == 0) {
            memcpy(pn[0], ln[0].s, sizeof pn[0]);
            memcpy(pp[0], ln[0].z, sizeof pp[0]);
        } else {
            p256_fn_mul(pn[j], pn[j - 1], ln[j].s);
            fe_mul(pp[j], pp[j - 1], ln[j].z);
        }
    }
    uint64_t plain[4], pinv[4];
    p256_fn_from_mont(plain, pn[m - 1]);
    p256_inv_vartime(pinv, plain, p256_n);
    p256_fn_to_mont(inv_n, pinv);
    p256_fe_from_mont(plain, pp[m - 1]);
    p256_inv_vartime(pinv, plain, p256_p);
    fe_mul(inv_p, pinv, fe_r2);
    for (unsigned j = m; j-- > 1;) {
        p256_fn_mul(t, inv_n, pn[j - 1]); /* s_j^-1 */
        p256_fn_mul(inv_n, inv_n, ln[j].s);
        memcpy(ln[j].s, t, sizeof t);
        fe_mul(u, inv_p, pp[j - 1]); /* Z_j^-1 */
        fe_mul(inv_p, inv_p, ln[j].z);
        memcpy(ln[j].z, u, sizeof u);
    }
    memcpy(ln[0].s, inv_n, sizeof inv_n);
    memcpy(ln[0].z, inv_p, sizeof inv_p);

    const p256_aff(*bt)[P256_BASE_NENT] = p256_base_tables();
    for (unsigned j = 0; j < m; j++) {
        lane *l = &ln[j];
        uint64_t u1[4], u2[4];
        p256_fn em, rm;
        p256_fe zi2, zi3;
        int8_t d1[257], d2[257];
        p256_jac acc;
        /* u1 = e w, u2 = r w (w = s^-1) */
        p256_fn_to_mont(em, l->e);
        p256_fn_to_mont(rm, l->r);
        p256_fn_mul(t, em, l->s);
        p256_fn_from_mont(u1, t);
        p256_fn_mul(t, rm, l->s);
        p256_fn_from_mont(u2, t);
        /* the table to affine */
        fe_sqr(zi2, l->z);
        fe_mul(zi3, zi2, l->z);
        for (int i = 0; i < QT; i++) {
            fe_mul(l->tab[i].x, l->tab[i].x, zi2);
            fe_mul(l->tab[i].y, l->tab[i].y, zi3);
        }
        /* u1 G + u2 Q, sharing the doublings (Straus): width-5 NAF of u2 over the Q table,
         * width-7 NAF of u1 over the odd multiples G .. 63G of the first fixed-base row */
        int len2 = p256_wnaf_vartime(d2, u2, QW), len1 = p256_wnaf_vartime(d1, u1, GW);
        int len = len1 > len2 ? len1 : len2;
        memset(&acc, 0, sizeof acc);
        for (int i = len - 1; i >= 0; i--) {
            if (!fe_zero(acc.z)) pt_dbl(&acc, &acc);
            if (d2[i]) add_digit(&acc, &l->tab[(d2[i] < 0 ? -d2[i] : d2[i]) >> 1], d2[i] < 0);
            if (d1[i]) add_digit(&acc, &bt[0][(d1[i] < 0 ? -d1[i] : d1[i]) - 1], d1[i] < 0);
        }
        if (!check_x(&acc, l->r)) bad |= 1u << idx[j];
    }
    return bad;
}

/* see p256_internal.h */
uint32_t P256_VERIFY_FN(const uint8_t pub[][65], const uint8_t hash[][32],
                        const uint8_t sig[][64], unsigned n)
{
    uint32_t bad = 0;
    for (unsigned i = 0; i < n; i += GROUP) {
        unsigned k = n - i < GROUP ? n - i : GROUP;
        bad |= verify_group(pub + i, hash + i, sig + i, k) << i;
    }
    return bad;
}
