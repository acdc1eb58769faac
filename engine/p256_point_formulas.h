/* p256_point_formulas.h — the Jacobian point formulas (a = -3) written once over fe_mul,
 * fe_sqr, fe_add and fe_sub, for every multiplier flavour: a file includes p256_fe_mont64.h
 * (baseline, p256_point_jacobian.c) or p256_fe_mulx.h (BMI2/ADX, the *_mulx.c files) first,
 * then this header. References: Hankerson-Menezes-Vanstone, Guide to ECC §3.2.2; the doubling
 * rearranged from "dbl-2001-b", the addition "add-1998-cmo-2" of the Explicit-Formulas
 * Database; Meloni's co-Z addition. None of them branches: constant time in all inputs. */
#ifndef MBSHAKE_P256_POINT_FORMULAS_H
#define MBSHAKE_P256_POINT_FORMULAS_H

#include <string.h>

#include "p256_internal.h"

/* a = -3 doubling (Guide to ECC §3.2.2 / EFD dbl-2001-b), rearranged
 * for fewer additions: with g = 2Y^2 and b4 = 2Xg = 4XY^2,
 *   alpha = 3(X - Z^2)(X + Z^2), X3 = alpha^2 - 2 b4, Y3 = alpha (b4 - X3) - 2 g^2, Z3 = 2YZ.
 * 4M + 4S + 12 additions (dbl-2001-b: 3M + 5S + 16); maps infinity (Z = 0) to Z3 = 0. */
static inline void pt_dbl(p256_jac *r, const p256_jac *a)
{
    p256_fe delta, g, b4, alpha, t0, t1, z3;
    fe_sqr(delta, a->z);
    fe_sqr(g, a->y);
    fe_add(g, g, g); /* 2Y^2 */
    fe_mul(b4, a->x, g);
    fe_add(b4, b4, b4); /* 4XY^2 */
    fe_sub(t0, a->x, delta);
    fe_add(t1, a->x, delta);
    fe_mul(t0, t0, t1);
    fe_add(alpha, t0, t0);
    fe_add(alpha, alpha, t0); /* 3(X - Z^2)(X + Z^2) */
    fe_mul(z3, a->y, a->z);
    fe_add(r->z, z3, z3); /* 2YZ (a is read for the last time above: r may be a) */
    fe_sqr(t0, alpha);
    fe_sub(t0, t0, b4);
    fe_sub(r->x, t0, b4);
    fe_sub(t1, b4, r->x);
    fe_mul(t1, t1, alpha);
    fe_sqr(g, g);
    fe_add(g, g, g); /* 8Y^4 */
    fe_sub(r->y, t1, g);
}

/* The 12M + 4S addition core; also reports H = 0 and R = 0 for the variable-time caller. */
static inline void pt_add_core(p256_jac *r, const p256_jac *a, const p256_jac *b, uint64_t *h0,
                               uint64_t *r0)
{
    p256_fe z1z1, z2z2, u1, u2, s1, s2, h, rr, hh, hhh, v, x3, y3, z3;
    fe_sqr(z1z1, a->z);
    fe_sqr(z2z2, b->z);
    fe_mul(u1, a->x, z2z2);
    fe_mul(u2, b->x, z1z1);
    fe_mul(s1, a->y, b->z);
    fe_mul(s1, s1, z2z2);
    fe_mul(s2, b->y, a->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, u1);
    fe_sub(rr, s2, s1);
    *h0 = p256_fe_is_zero(h);
    *r0 = p256_fe_is_zero(rr);
    fe_sqr(hh, h);
    fe_mul(hhh, h, hh);
    fe_mul(v, u1, hh);
    fe_sqr(x3, rr);
    fe_sub(x3, x3, hhh);
    fe_sub(x3, x3, v);
    fe_sub(x3, x3, v);
    fe_sub(y3, v, x3);
    fe_mul(y3, y3, rr);
    fe_mul(s1, s1, hhh);
    fe_sub(y3, y3, s1);
    fe_mul(z3, a->z, b->z);
    fe_mul(z3, z3, h);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* madd, 8M + 3S: r = a + b for b affine, a finite and a != ±b; reports H = 0 (then a = ±b)
 * and R = 0 for the variable-time caller. r may alias a. */
static inline void pt_madd_core(p256_jac *r, const p256_jac *a, const p256_aff *b, uint64_t *h0,
                                uint64_t *r0)
{
    p256_fe z1z1, u2, s2, h, rr, hh, hhh, v, x3, y3, z3;
    fe_sqr(z1z1, a->z);
    fe_mul(u2, b->x, z1z1);
    fe_mul(s2, b->y, a->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, a->x);
    fe_sub(rr, s2, a->y);
    *h0 = p256_fe_is_zero(h);
    *r0 = p256_fe_is_zero(rr);
    fe_sqr(hh, h);
    fe_mul(hhh, h, hh);
    fe_mul(v, a->x, hh);
    fe_sqr(x3, rr);
    fe_sub(x3, x3, hhh);
    fe_sub(x3, x3, v);
    fe_sub(x3, x3, v);
    fe_sub(y3, v, x3);
    fe_mul(y3, y3, rr);
    fe_mul(hhh, hhh, a->y);
    fe_sub(y3, y3, hhh);
    fe_mul(z3, a->z, h);
    memcpy(r->x, x3, sizeof x3);
    memcpy(r->y, y3, sizeof y3);
    memcpy(r->z, z3, sizeof z3);
}

/* Co-Z addition (Meloni, "New point addition formulae for ECC applications", 2007): for
 * P = (X1, Y1, Z) and Q = (X2, Y2, Z), sets sum = P + Q and P = the same point with the new
 * Z3 = Z*H, H = X2 - X1; returns H through h. 5M + 2S. Needs P != ±Q. */
static inline void pt_zaddu(p256_fe sx, p256_fe sy, p256_fe px, p256_fe py, const p256_fe qx,
                            const p256_fe qy, p256_fe h)
{
    p256_fe r, hh, w1, w2, a1, t;
    fe_sub(h, qx, px);
    fe_sub(r, qy, py);
    fe_sqr(hh, h);
    fe_mul(w1, px, hh);
    fe_mul(w2, qx, hh);
    fe_sub(t, w2, w1);
    fe_mul(a1, py, t); /* Y1 H^3 */
    fe_sqr(sx, r);
    fe_sub(sx, sx, w1);
    fe_sub(sx, sx, w2); /* X3 = R^2 - W1 - W2 */
    fe_sub(t, w1, sx);
    fe_mul(t, t, r);
    fe_sub(sy, t, a1); /* Y3 = R (W1 - X3) - Y1 H^3 */
    memcpy(px, w1, sizeof w1);
    memcpy(py, a1, sizeof a1);
}

#endif
