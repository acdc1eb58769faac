/* x25519_base_comb.c — X25519 key generation, pub = X25519(k, 9) (RFC 7748 §6.1), by a
 * fixed-base comb on edwards25519, the twisted Edwards curve birationally equivalent to
 * curve25519 (RFC 7748 §4.1): P = k*B for the Edwards base point B (RFC 8032 §5.1), whose
 * image is u = 9, then u(P) = (1 + y) / (1 - y) = (Z + Y) / (Z - Y).
 *
 * The clamped k is recoded into 64 signed radix-16 digits e_i in [-8, 8], k = sum e_i 16^i.
 * Row r of the table holds j * 256^r * B for j = 1..8, affine, as (y + x, y - x, 2dxy). The
 * odd digits are summed first, the sum is multiplied by 16 (four doublings), then the even
 * digits are added: 64 mixed additions, 4 doublings and one inversion instead of the ladder's
 * 255 steps. Every lookup reads all 8 entries of its row under masks and negation is a masked
 * select, so no address and no branch depends on k. k*B is never the neutral element: k is a
 * multiple of 8 below 2^255 < 8 * order(B), so Z - Y != 0.
 *
 * The table is public data (multiples of B); it is computed once, on first use, under
 * pthread_once, in about a quarter of a millisecond.
 *
 * Extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z, with a = -1: Hisil, Wong,
 * Carter, Dawson, "Twisted Edwards curves revisited", ASIACRYPT 2008, §3.1-3.3. */
#include <pthread.h>
#include <string.h>

#include "ct.h"
#include "x25519_internal.h"

typedef struct {
    fe51 X, Y, Z, T;
} ge_ext;

typedef x25519_ge_pre ge_pre;

static ge_pre table[32][8];
static fe51 d2; /* 2d, d = -121665/121666 */
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* RFC 8032 §5.1: B = (x, 4/5) with x even; little-endian encodings */
static const uint8_t base_x[32] = {
    0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
    0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21};
static const uint8_t base_y[32] = {
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

static const fe51 fe_zero = {{0, 0, 0, 0, 0}}, fe_one = {{1, 0, 0, 0, 0}};

/* The temporaries of ge_madd and ge_dbl, owned by the caller: derived from the secret scalar
 * in x25519_base_comb, which wipes them once at the end instead of leaving the last step's
 * values in a dead stack frame. */
typedef struct {
    fe51 a, b, c, d, e, f, g, h;
} ge_tmp;

/* r = p + q with q affine and precomputed (madd-2008-hwcd-3, k = 2d): 7 multiplications.
 * p's coordinates are carried (multiplication outputs), so every fe51_sub bound holds. */
static void ge_madd(ge_ext *r, const ge_ext *p, const ge_pre *q, ge_tmp *s)
{
    fe51_sub(&s->a, &p->Y, &p->X);
    fe51_mul(&s->a, &s->a, &q->ymx); /* A = (Y1 - X1)(y2 - x2) */
    fe51_add(&s->b, &p->Y, &p->X);
    fe51_mul(&s->b, &s->b, &q->ypx); /* B = (Y1 + X1)(y2 + x2) */
    fe51_mul(&s->c, &p->T, &q->xy2d); /* C = T1 * 2d x2 y2 */
    fe51_add(&s->d, &p->Z, &p->Z); /* D = 2 Z1 */
    fe51_sub(&s->e, &s->b, &s->a);
    fe51_sub(&s->f, &s->d, &s->c);
    fe51_add(&s->g, &s->d, &s->c);
    fe51_add(&s->h, &s->b, &s->a);
    fe51_mul(&r->X, &s->e, &s->f);
    fe51_mul(&r->Y, &s->g, &s->h);
    fe51_mul(&r->T, &s->e, &s->h);
    fe51_mul(&r->Z, &s->f, &s->g);
}

/* r = 2p (dbl-2008-hwcd with a = -1, every intermediate negated, which leaves X3, Y3, T3, Z3
 * unchanged and avoids negating a sum): 4 multiplications, 4 squarings. s->d holds T. */
static void ge_dbl(ge_ext *r, const ge_ext *p, ge_tmp *s)
{
    fe51_sq(&s->a, &p->X);
    fe51_sq(&s->b, &p->Y);
    fe51_sq(&s->c, &p->Z);
    fe51_add(&s->c, &s->c, &s->c); /* C = 2 Z1^2 */
    fe51_add(&s->d, &p->X, &p->Y);
    fe51_sq(&s->d, &s->d);
    fe51_add(&s->h, &s->a, &s->b); /* H = A + B */
    fe51_sub(&s->e, &s->h, &s->d); /* E = A + B - (X1 + Y1)^2 */
    fe51_sub(&s->g, &s->a, &s->b); /* G = A - B */
    fe51_add(&s->f, &s->c, &s->g); /* F = C + G */
    fe51_mul(&r->X, &s->e, &s->f);
    fe51_mul(&r->Y, &s->g, &s->h);
    fe51_mul(&r->T, &s->e, &s->h);
    fe51_mul(&r->Z, &s->f, &s->g);
}

/* r = p + q, both extended (add-2008-hwcd-3, k = 2d); table construction only */
static void ge_add(ge_ext *r, const ge_ext *p, const ge_ext *q)
{
    fe51 a, b, c, d, e, f, g, h, t;
    fe51_sub(&a, &p->Y, &p->X);
    fe51_sub(&t, &q->Y, &q->X);
    fe51_mul(&a, &a, &t);
    fe51_add(&b, &p->Y, &p->X);
    fe51_add(&t, &q->Y, &q->X);
    fe51_mul(&b, &b, &t);
    fe51_mul(&c, &p->T, &q->T);
    fe51_mul(&c, &c, &d2);
    fe51_mul(&d, &p->Z, &q->Z);
    fe51_add(&d, &d, &d);
    fe51_sub(&e, &b, &a);
    fe51_sub(&f, &d, &c);
    fe51_add(&g, &d, &c);
    fe51_add(&h, &b, &a);
    fe51_mul(&r->X, &e, &f);
    fe51_mul(&r->Y, &g, &h);
    fe51_mul(&r->T, &e, &h);
    fe51_mul(&r->Z, &f, &g);
}

/* Public data only: branches and indices here depend on nothing secret. */
static void table_init(void)
{
    fe51 d, t;
    /* d = -121665 / 121666 (RFC 7748 §4.1) */
    t = fe_zero;
    t.v[0] = 121666;
    x25519_fe51_invert(&t, &t);
    fe51_mul_small(&d, &t, 121665);
    fe51_sub(&d, &fe_zero, &d);
    fe51_mul_small(&d2, &d, 2);

    ge_ext row, q[8];
    ge_tmp s;
    x25519_fe51_frombytes(&row.X, base_x);
    x25519_fe51_frombytes(&row.Y, base_y);
    row.Z = fe_one;
    fe51_mul(&row.T, &row.X, &row.Y);
    for (int r = 0; r < 32; r++) {
        q[0] = row; /* 256^r B */
        for (int j = 1; j < 8; j++) ge_add(&q[j], &q[j - 1], &row);
        /* one inversion per row: prefix products of the Z's (Montgomery's trick) */
        fe51 acc[8], inv, zinv;
        acc[0] = q[0].Z;
        for (int j = 1; j < 8; j++) fe51_mul(&acc[j], &acc[j - 1], &q[j].Z);
        x25519_fe51_invert(&inv, &acc[7]);
        for (int j = 7; j >= 0; j--) {
            if (j > 0) {
                fe51_mul(&zinv, &inv, &acc[j - 1]);
                fe51_mul(&inv, &inv, &q[j].Z);
            } else {
                zinv = inv;
            }
            fe51 x, y;
            fe51_mul(&x, &q[j].X, &zinv);
            fe51_mul(&y, &q[j].Y, &zinv);
            fe51_add(&table[r][j].ypx, &y, &x);
            fe51_sub(&table[r][j].ymx, &y, &x);
            fe51_mul(&t, &x, &y);
            fe51_mul(&table[r][j].xy2d, &t, &d2);
        }
        for (int i = 0; i < 8; i++) ge_dbl(&row, &row, &s); /* next row: times 2^8 */
    }
}

/* t = e * table[r] for a signed digit e in [-8, 8], reading every entry of the row. */
static void select_pre(ge_pre *t, int r, int8_t e)
{
    uint32_t neg = (uint32_t)(uint8_t)e >> 7;
    uint32_t babs = (uint32_t)(e * (1 - 2 * (int32_t)neg)); /* |e| without a branch */
    t->ypx = fe_one;
    t->ymx = fe_one;
    t->xy2d = fe_zero;
    for (uint32_t j = 1; j <= 8; j++) {
        uint64_t m = 0 - (uint64_t)ct_eq32(babs, j);
        fe51_cmov(&t->ypx, &table[r][j - 1].ypx, m);
        fe51_cmov(&t->ymx, &table[r][j - 1].ymx, m);
        fe51_cmov(&t->xy2d, &table[r][j - 1].xy2d, m);
    }
    /* -(x, y) = (-x, y): swap y + x with y - x, negate 2dxy */
    uint64_t m = 0 - (uint64_t)neg;
    fe51 nxy;
    fe51_sub(&nxy, &fe_zero, &t->xy2d);
    fe51_cswap(&t->ypx, &t->ymx, m);
    fe51_cmov(&t->xy2d, &nxy, m);
    ct_wipe(&nxy, sizeof nxy);
}

/* see x25519_internal.h */
const x25519_ge_pre (*x25519_comb_table(void))[8]
{
    pthread_once(&table_once, table_init);
    return (const x25519_ge_pre(*)[8])table;
}

/* see x25519_internal.h */
void x25519_comb_digits(int8_t e[64], const uint8_t priv[32])
{
    uint8_t k[32];
    x25519_clamp(k, priv);
    /* signed radix 16: digits 0..15, then carry so that each lies in [-8, 7]; the top digit
     * (k < 2^255, so at most 7 before the carry) ends in [0, 8] */
    for (int i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(k[i] & 15);
        e[2 * i + 1] = (int8_t)(k[i] >> 4);
    }
    int8_t carry = 0;
    for (int i = 0; i < 63; i++) {
        e[i] = (int8_t)(e[i] + carry);
        carry = (int8_t)((e[i] + 8) >> 4);
        e[i] = (int8_t)(e[i] - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry);
    ct_wipe(k, sizeof k);
    ct_wipe(&carry, sizeof carry);
}

/* see x25519_internal.h */
void x25519_base_comb(uint8_t pub[32], const uint8_t priv[32])
{
    int8_t e[64];
    ge_ext h;
    ge_pre t;
    ge_tmp s;
    fe51 num, den;

    pthread_once(&table_once, table_init);
    x25519_comb_digits(e, priv);

    h.X = fe_zero;
    h.Y = fe_one;
    h.Z = fe_one;
    h.T = fe_zero;
    for (int i = 1; i < 64; i += 2) {
        select_pre(&t, i / 2, e[i]);
        ge_madd(&h, &h, &t, &s);
    }
    for (int i = 0; i < 4; i++) ge_dbl(&h, &h, &s);
    for (int i = 0; i < 64; i += 2) {
        select_pre(&t, i / 2, e[i]);
        ge_madd(&h, &h, &t, &s);
    }
    /* RFC 7748 §4.1: u = (1 + y) / (1 - y) */
    fe51_add(&num, &h.Z, &h.Y);
    fe51_sub(&den, &h.Z, &h.Y);
    x25519_fe51_invert(&den, &den);
    fe51_mul(&num, &num, &den);
    x25519_fe51_tobytes(pub, &num);

    ct_wipe(e, sizeof e);
    ct_wipe(&h, sizeof h);
    ct_wipe(&t, sizeof t);
    ct_wipe(&s, sizeof s);
    ct_wipe(&num, sizeof num);
    ct_wipe(&den, sizeof den);
}
