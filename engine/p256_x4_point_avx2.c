/* p256_x4_point_avx2.c — P-256 point arithmetic on four lanes (Jacobian coordinates, a = -3)
 * and the two constant-time scalar multiplications of the AVX2 kernel:
 *
 *   variable base (derive; verify's u2 Q with the table read by index): Booth 5-bit windows
 *     from the top, five doublings and one addition of a table entry j P per window (j = 1..16
 *     sharing one Z, built with co-Z additions; 16 entries scanned whole per lane);
 *   fixed base (keygen, sign): the comb k G = sum d_i (2^(5i) G) over 52 windows, one mixed
 *     addition per window from 52 affine tables of 16 points (built at first use with the scalar
 *     code of p256_point_jacobian.c, then converted); each lane's entry is picked by vpermd
 *     from registers holding all 16 (data-independent timing, no secret address);
 *   verification only (public scalars, variable time): programs of mixed additions of Booth-7
 *     comb entries read by index (p256x4_prog_run: G's comb for u1 G, a key's comb for the
 *     cached keys of verify_tab), in XYZZ coordinates.
 *
 * Exceptional additions: the accumulator at infinity and a zero digit are handled with per-lane
 * masks (select, not branch); equal or opposite operands cannot occur (see p256x4_mul_ct and
 * p256x4_base_mul_ct for why). Every lane runs the same instructions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ct.h"
#include "p256_internal.h"
#include "p256_x4_avx2.h"

/* ---- point formulas (outputs: X, Y class R, Z class M or R) ------------------------------ */

/* dbl-2001-b (a = -3): 3M + 5S */
static void jac_dbl(p256x4_jac *r, const p256x4_jac *a)
{
    p256x4_fe delta, gamma, beta, alpha, t0, t1, b4, b8;
    p256x4_sqr(&delta, &a->z);
    p256x4_sqr(&gamma, &a->y);
    p256x4_mul(&beta, &a->x, &gamma);
    p256x4_sub(&t0, &a->x, &delta);
    p256x4_add(&t1, &a->x, &delta);
    p256x4_mul(&alpha, &t0, &t1);
    p256x4_smul(&alpha, &alpha, 3); /* alpha = 3 (X - delta)(X + delta) */
    p256x4_add(&t1, &a->y, &a->z);
    p256x4_add(&t0, &gamma, &delta);
    p256x4_sqr(&t1, &t1);
    p256x4_sub(&r->z, &t1, &t0); /* Z3 = (Y + Z)^2 - gamma - delta */
    p256x4_smul(&b4, &beta, 4);
    p256x4_add(&b8, &b4, &b4);
    p256x4_sqr(&t0, &alpha);
    p256x4_sub(&r->x, &t0, &b8); /* X3 = alpha^2 - 8 beta */
    p256x4_sub(&t0, &b4, &r->x);
    p256x4_mul(&t0, &alpha, &t0);
    p256x4_sqr(&t1, &gamma);
    p256x4_smul(&t1, &t1, 8);
    p256x4_sub(&r->y, &t0, &t1); /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
}

/* mixed addition (Z2 = 1): 8M + 3S; a != +-b, neither at infinity */
static void jac_madd(p256x4_jac *r, const p256x4_jac *a, const p256x4_aff *b)
{
    p256x4_fe t1, t2, h, rr, h2, h3, u, t;
    p256x4_sqr(&t1, &a->z);
    p256x4_mul(&t2, &t1, &a->z);
    p256x4_mul(&t1, &t1, &b->x);
    p256x4_mul(&t2, &t2, &b->y);
    p256x4_sub(&h, &t1, &a->x);
    p256x4_sub(&rr, &t2, &a->y);
    p256x4_mul(&r->z, &a->z, &h);
    p256x4_sqr(&h2, &h);
    p256x4_mul(&h3, &h2, &h);
    p256x4_mul(&u, &a->x, &h2);
    p256x4_sqr(&t, &rr);
    p256x4_sub(&t, &t, &h3);
    p256x4_add(&t1, &u, &u);
    p256x4_sub(&r->x, &t, &t1); /* X3 = R^2 - H^3 - 2 U */
    p256x4_sub(&t, &u, &r->x);
    p256x4_mul(&t, &rr, &t);
    p256x4_mul(&t1, &a->y, &h3);
    p256x4_sub(&r->y, &t, &t1); /* Y3 = R (U - X3) - Y1 H^3 */
}

static void jac_blend(p256x4_jac *r, const p256x4_jac *a, const p256x4_jac *b, __m256i mask)
{
    p256x4_blend(&r->x, &a->x, &b->x, mask);
    p256x4_blend(&r->y, &a->y, &b->y, mask);
    p256x4_blend(&r->z, &a->z, &b->z, mask);
}

/* y = neg ? -y : y per lane (y carried) */
static void cond_neg(p256x4_fe *y, __m256i neg)
{
    p256x4_fe zero, t;
    memset(&zero, 0, sizeof zero);
    p256x4_sub(&t, &zero, y);
    p256x4_blend(y, y, &t, neg);
}

/* ---- scalar recoding -------------------------------------------------------------------- */

/* see p256_x4_avx2.h: d_i = b(5i-1) + b(5i) + 2 b(5i+1) + 4 b(5i+2) + 8 b(5i+3) - 16 b(5i+4),
 * so that sum d_i 2^(5i) = k; from the 6-bit window v (bits 5i-1 .. 5i+4),
 * d = ((v mod 32) + 1) / 2 - 16 (v / 32), without branches on the bits. */
void p256x4_booth(p256x4_digits *d, const uint8_t k[P256X4_LANES][32])
{
    for (int l = 0; l < P256X4_LANES; l++) {
        uint64_t w[5];
        p256_limbs_from_be(w, k[l]);
        w[4] = 0;
        for (int i = 0; i < P256X4_NWIN; i++) {
            uint64_t v;
            if (i == 0) { /* public loop index: bit -1 is 0 */
                v = (w[0] << 1) & 63;
            } else {
                unsigned bit = 5u * (unsigned)i - 1, q = bit / 64, r = bit % 64;
                v = w[q] >> r;
                if (r > 58) v |= w[q + 1] << (64 - r);
                v &= 63;
            }
            int32_t dig = (int32_t)(((v & 31) + 1) >> 1) - 16 * (int32_t)(v >> 5);
            uint32_t m = 0 - ((uint32_t)dig >> 31);
            d->absd[i][l] = (uint32_t)((dig ^ (int32_t)m) - (int32_t)m);
            d->neg[i][l] = 0 - (uint64_t)(m & 1);
        }
        ct_wipe(w, sizeof w);
    }
}

/* ---- variable base ---------------------------------------------------------------------- */

/* The table of j P, j = 1..16, sharing one Z ("co-Z", as in p256_point_mul_ct): entry j-1 is
 * (X_j, Y_j) with x = X_j / Z^2, y = Y_j / Z^3; z, zz, zzz = Z, Z^2, Z^3. A table addition
 * then costs 11M + 3S instead of 12M + 4S, and a lookup moves two coordinates, not three. */
struct mul_state {
    p256x4_aff tab[16];
    p256x4_fe z, zz, zzz, h[16], mu, mu2, mu3;
    p256x4_jac acc, sel, sum, pm;
    p256x4_aff sxy;
    p256x4_digits dg;
};

/* sel = tab[absd - 1] per lane (all 16 entries read), zero when absd = 0 */
static void select_coz(p256x4_aff *sel, const p256x4_aff tab[16], __m256i absd)
{
    memset(sel, 0, sizeof *sel);
    for (int j = 0; j < 16; j++) {
        __m256i m = _mm256_cmpeq_epi64(absd, p256x4_bcast((uint64_t)j + 1));
        for (int i = 0; i < 9; i++) {
            sel->x.v[i] = _mm256_or_si256(sel->x.v[i], _mm256_and_si256(tab[j].x.v[i], m));
            sel->y.v[i] = _mm256_or_si256(sel->y.v[i], _mm256_and_si256(tab[j].y.v[i], m));
        }
    }
}

/* sel = tab[absd_l - 1] in lane l, reading only those entries (public digits: verification);
 * lane l of a ymm register is dwords 2l and 2l+1. Entry 0 stands in for a zero digit, whose
 * lane the caller discards. */
static void select_coz_vartime(p256x4_aff *sel, const p256x4_aff tab[16],
                               const uint64_t absd[P256X4_LANES])
{
    const p256x4_aff *e[P256X4_LANES];
    for (int l = 0; l < P256X4_LANES; l++)
        e[l] = &tab[absd[l] ? absd[l] - 1 : 0];
#define PICK(c)                                                                                    \
    for (int i = 0; i < 9; i++) {                                                                  \
        __m256i a = _mm256_blend_epi32(e[0]->c.v[i], e[1]->c.v[i], 0x0c);                          \
        __m256i b = _mm256_blend_epi32(e[2]->c.v[i], e[3]->c.v[i], 0xc0);                          \
        sel->c.v[i] = _mm256_blend_epi32(a, b, 0xf0);                                              \
    }
    PICK(x)
    PICK(y)
#undef PICK
}

/* Co-Z addition (Meloni): P = (px, py) and Q = (qx, qy) on one Z (P != +-Q): (sx, sy) = P + Q
 * and P moves to the new Z3 = Z H, H = qx - px returned in h. 5M + 2S. */
static void zaddu(p256x4_fe *sx, p256x4_fe *sy, p256x4_fe *px, p256x4_fe *py, const p256x4_fe *qx,
                  const p256x4_fe *qy, p256x4_fe *h)
{
    p256x4_fe r, hh, w1, w2, a1, t;
    p256x4_sub(h, qx, px);
    p256x4_sub(&r, qy, py);
    p256x4_sqr(&hh, h);
    p256x4_mul(&w1, px, &hh);
    p256x4_mul(&w2, qx, &hh);
    p256x4_sub(&t, &w2, &w1);
    p256x4_mul(&a1, py, &t); /* Y1 H^3 */
    p256x4_sqr(&t, &r);
    p256x4_sub(&t, &t, &w1);
    p256x4_sub(sx, &t, &w2); /* X3 = R^2 - W1 - W2 */
    p256x4_sub(&t, &w1, sx);
    p256x4_mul(&t, &t, &r);
    p256x4_sub(sy, &t, &a1); /* Y3 = R (W1 - X3) - Y1 H^3 */
    *px = w1;
    *py = a1;
}

/* r = a + (b, Z) for b an entry of the co-Z table (zz = Z^2, zzz = Z^3): add-1998-cmo-2 with
 * Z2^2 and Z2^3 precomputed, 11M + 3S; a != +-b, neither at infinity */
static void coz_add(p256x4_jac *r, const p256x4_jac *a, const p256x4_aff *b, const p256x4_fe *z,
                    const p256x4_fe *zz, const p256x4_fe *zzz)
{
    p256x4_fe z1z1, u1, u2, s1, s2, h, rr, h2, h3, v, t;
    p256x4_sqr(&z1z1, &a->z);
    p256x4_mul(&u1, &a->x, zz);
    p256x4_mul(&u2, &b->x, &z1z1);
    p256x4_mul(&s1, &a->y, zzz);
    p256x4_mul(&s2, &b->y, &a->z);
    p256x4_mul(&s2, &s2, &z1z1);
    p256x4_sub(&h, &u2, &u1);
    p256x4_sub(&rr, &s2, &s1);
    p256x4_sqr(&h2, &h);
    p256x4_mul(&h3, &h2, &h);
    p256x4_mul(&v, &u1, &h2);
    p256x4_sqr(&t, &rr);
    p256x4_sub(&t, &t, &h3);
    p256x4_add(&u2, &v, &v);
    p256x4_sub(&r->x, &t, &u2); /* X3 = R^2 - H^3 - 2 U1 H^2 */
    p256x4_sub(&t, &v, &r->x);
    p256x4_mul(&t, &rr, &t);
    p256x4_mul(&s1, &s1, &h3);
    p256x4_sub(&r->y, &t, &s1); /* Y3 = R (U1 H^2 - X3) - S1 H^3 */
    p256x4_mul(&t, &a->z, z);
    p256x4_mul(&r->z, &t, &h); /* Z3 = Z1 Z H */
}

/* s->tab[j-1] = j P for j = 1..16 on one Z. P + iP (i = 2..15) never meets the exceptional case
 * of zaddu: P = +-iP would need n | i -+ 1. */
static void coz_table(struct mul_state *s, const p256x4_aff *p)
{
    p256x4_jac p1, d;
    p1.x = p->x;
    p1.y = p->y;
    for (int j = 0; j < 9; j++)
        p1.z.v[j] = p256x4_bcast(p256x4_one_mont[j]);
    jac_dbl(&d, &p1); /* 2P = (X_D, Y_D, Z_D) */
    s->tab[1].x = d.x;
    s->tab[1].y = d.y;
    s->z = d.z;
    p256x4_sqr(&s->mu2, &d.z); /* P on Z_D: the moving copy pm and entry 0 */
    p256x4_mul(&s->pm.x, &p->x, &s->mu2);
    p256x4_mul(&s->mu3, &s->mu2, &d.z);
    p256x4_mul(&s->pm.y, &p->y, &s->mu3);
    s->tab[0].x = s->pm.x;
    s->tab[0].y = s->pm.y;
    for (int i = 2; i < 16; i++) { /* (i+1) P = P + i P; P moves to the new Z */
        zaddu(&s->tab[i].x, &s->tab[i].y, &s->pm.x, &s->pm.y, &s->tab[i - 1].x, &s->tab[i - 1].y,
              &s->h[i]);
        p256x4_mul(&s->z, &s->z, &s->h[i]);
    }
    /* entry j (j >= 1) is on Z_D h_2 ... h_j, entry 0 on Z_D: bring them to the last Z */
    s->mu = s->h[15];
    for (int j = 14; j >= 0; j--) {
        p256x4_sqr(&s->mu2, &s->mu);
        p256x4_mul(&s->mu3, &s->mu2, &s->mu);
        p256x4_mul(&s->tab[j].x, &s->tab[j].x, &s->mu2);
        p256x4_mul(&s->tab[j].y, &s->tab[j].y, &s->mu3);
        if (j >= 2) p256x4_mul(&s->mu, &s->mu, &s->h[j]);
    }
    p256x4_sqr(&s->zz, &s->z);
    p256x4_mul(&s->zzz, &s->zz, &s->z);
}

static __m256i load4(const uint64_t x[P256X4_LANES])
{
    return _mm256_loadu_si256((const __m256i *)x);
}

/* p256x4_mul_ct and p256x4_mul_vartime. Before the addition of window i the accumulator is 32 m P,
 * m the (non-negative) integer of the digits above i. For i >= 1, 32 m < n - 16, so 32 m = +-d_i
 * mod n would need 32 m = |d_i| <= 16 as integers: only m = 0, the accumulator at infinity, which
 * acc_inf tracks. For i = 0, 32 m = k - d_0 with d_0 = k mod 32 taken in [-16, 15] (bit -1 is
 * 0), and n = 17 mod 32: k - d_0 = d_0 mod n would need k = n + 2 d_0, so d_0 = 17 + 2 d_0
 * mod 32, d_0 = 15, but then k = n + 30 > n; k - d_0 = -d_0 means k = 0; k - d_0 = 0 mod n
 * with m != 0 means k = n + d_0, so 17 = 0 mod 32. None happens for k in [1, n-1]. */
static void mul_impl(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32],
                     int vartime)
{
    struct mul_state s;
    const __m256i zero = _mm256_setzero_si256();
    coz_table(&s, p);
    s.sel.z = s.z;
    p256x4_booth(&s.dg, k);
    __m256i acc_inf = _mm256_cmpeq_epi64(zero, zero);
    memset(&s.acc, 0, sizeof s.acc);
    for (int i = P256X4_NWIN - 1; i >= 0; i--) {
        if (i != P256X4_NWIN - 1)
            for (int d = 0; d < 5; d++)
                jac_dbl(&s.acc, &s.acc);
        __m256i absd = load4(s.dg.absd[i]), dzero = _mm256_cmpeq_epi64(absd, zero);
        if (vartime) /* a public flag */
            select_coz_vartime(&s.sxy, s.tab, s.dg.absd[i]);
        else
            select_coz(&s.sxy, s.tab, absd);
        cond_neg(&s.sxy.y, load4(s.dg.neg[i]));
        coz_add(&s.sum, &s.acc, &s.sxy, &s.z, &s.zz, &s.zzz);
        s.sel.x = s.sxy.x; /* the entry as a Jacobian point (Z = the table's) */
        s.sel.y = s.sxy.y;
        jac_blend(&s.sum, &s.sum, &s.sel, acc_inf);
        jac_blend(&s.acc, &s.sum, &s.acc, dzero);
        acc_inf = _mm256_and_si256(acc_inf, dzero);
    }
    *r = s.acc;
    ct_wipe(&s, sizeof s);
}

/* see p256_x4_avx2.h */
void p256x4_mul_ct(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32])
{
    mul_impl(r, p, k, 0);
}

/* see p256_x4_avx2.h */
void p256x4_mul_vartime(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32])
{
    mul_impl(r, p, k, 1);
}

/* ---- fixed base ------------------------------------------------------------------------- */

/* comb tables: base_tab[i][c][w][j] = limb w of coordinate c (x, y) of (j + 1) 2^(5i) G,
 * affine, Montgomery form: the 16 entries of one limb fill two ymm registers, so that vpermd
 * picks each lane's entry without a memory index (60 KB in all) */
static _Alignas(32) uint32_t base_tab[P256X4_NWIN][2][9][16];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static const uint8_t gx_be[32] = {0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6,
                                  0xe5, 0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb,
                                  0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96};
static const uint8_t gy_be[32] = {0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb,
                                  0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31,
                                  0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

/* Built with the scalar formulas (public data, variable time is fine), then converted four
 * coordinates at a time. */
static void base_init(void)
{
    p256_aff b, a;
    p256_jac acc, t;
    uint64_t plain[4][4], pending = 0;
    int slot[4][3];
    p256_fe_from_be(b.x, gx_be);
    p256_fe_from_be(b.y, gy_be);
    for (int i = 0; i < P256X4_NWIN; i++) {
        memcpy(acc.x, b.x, sizeof acc.x);
        memcpy(acc.y, b.y, sizeof acc.y);
        memcpy(acc.z, p256_fe_one, sizeof acc.z);
        for (int j = 0; j < 16; j++) {
            if (j) {
                p256_point_add_mixed_vartime(&t, &acc, &b);
                acc = t;
            }
            p256_point_to_affine(&a, &acc);
            for (int c = 0; c < 2; c++) {
                p256_fe_from_mont(plain[pending], c ? a.y : a.x);
                slot[pending][0] = i, slot[pending][1] = j, slot[pending][2] = c;
                if (++pending == 4) {
                    p256x4_fe f;
                    _Alignas(32) uint64_t out[9][4];
                    p256x4_from_plain(&f, (const uint64_t(*)[4])plain);
                    for (int w = 0; w < 9; w++)
                        _mm256_store_si256((__m256i *)out[w], f.v[w]);
                    for (int q = 0; q < 4; q++)
                        for (int w = 0; w < 9; w++)
                            base_tab[slot[q][0]][slot[q][2]][w][slot[q][1]] = (uint32_t)out[w][q];
                    pending = 0;
                }
            }
        }
        /* next base: 32 b */
        memcpy(acc.x, b.x, sizeof acc.x);
        memcpy(acc.y, b.y, sizeof acc.y);
        memcpy(acc.z, p256_fe_one, sizeof acc.z);
        for (int d = 0; d < 5; d++) {
            p256_point_dbl(&t, &acc);
            acc = t;
        }
        p256_point_to_affine(&b, &acc);
    }
}

struct comb_state {
    p256x4_jac acc, sum, selj;
    p256x4_aff sel;
    p256x4_digits dg;
};

/* see p256_x4_avx2.h. The partial sum S of windows below i is an integer with
 * |S| <= 16 (2^(5i) - 1) / 31 < 2^(5i) <= |d_i| 2^(5i), and both are below n in absolute
 * value except for the top window, where |d_51| 2^255 could wrap mod n only for k >= n:
 * so the mixed addition never sees equal or opposite points; S = 0 only when all digits so far
 * were 0 (the lowest nonzero digit would have to be a multiple of 32), which acc_inf tracks. */
void p256x4_base_mul_ct(p256x4_jac *r, const uint8_t k[P256X4_LANES][32])
{
    struct comb_state s;
    const __m256i zero = _mm256_setzero_si256();
    pthread_once(&base_once, base_init);
    p256x4_booth(&s.dg, k);
    __m256i acc_inf = _mm256_cmpeq_epi64(zero, zero);
    memset(&s.acc, 0, sizeof s.acc);
    const __m256i lo32 = p256x4_bcast(0xffffffffu);
    for (int j = 0; j < 9; j++)
        s.selj.z.v[j] = p256x4_bcast(p256x4_one_mont[j]);
    for (int i = 0; i < P256X4_NWIN; i++) {
        __m256i absd = load4(s.dg.absd[i]), dzero = _mm256_cmpeq_epi64(absd, zero);
        /* entry |d| - 1 (any entry for d = 0: the blends below discard it) */
        __m256i idx = _mm256_and_si256(_mm256_sub_epi64(absd, p256x4_bcast(1)), p256x4_bcast(15));
        __m256i hi = _mm256_cmpgt_epi64(idx, p256x4_bcast(7));
        for (int w = 0; w < 9; w++) {
            const __m256i *rx = (const __m256i *)base_tab[i][0][w];
            const __m256i *ry = (const __m256i *)base_tab[i][1][w];
            /* vpermd reads the low 3 bits of each dword index: the low dword of a lane gets
             * entry idx mod 8 of the row, the high dword junk that the mask clears */
            __m256i x0 = _mm256_permutevar8x32_epi32(_mm256_load_si256(rx), idx);
            __m256i x1 = _mm256_permutevar8x32_epi32(_mm256_load_si256(rx + 1), idx);
            __m256i y0 = _mm256_permutevar8x32_epi32(_mm256_load_si256(ry), idx);
            __m256i y1 = _mm256_permutevar8x32_epi32(_mm256_load_si256(ry + 1), idx);
            s.sel.x.v[w] = _mm256_and_si256(_mm256_blendv_epi8(x0, x1, hi), lo32);
            s.sel.y.v[w] = _mm256_and_si256(_mm256_blendv_epi8(y0, y1, hi), lo32);
        }
        cond_neg(&s.sel.y, load4(s.dg.neg[i]));
        jac_madd(&s.sum, &s.acc, &s.sel);
        s.selj.x = s.sel.x;
        s.selj.y = s.sel.y;
        jac_blend(&s.sum, &s.sum, &s.selj, acc_inf);
        jac_blend(&s.acc, &s.sum, &s.acc, dzero);
        acc_inf = _mm256_and_si256(acc_inf, dzero);
    }
    *r = s.acc;
    ct_wipe(&s, sizeof s);
}

/* ---- Booth-7 combs read by index (verification) ------------------------------------------
 * Entries are whole cache lines (x R mod p, then y, as 64-bit words; see p256_x4_avx2.h): a
 * lookup touches one line per lane, which p256x4_prog_run prefetches a step ahead (the client
 * meets the key's comb and G's, 296 KiB, between handshakes that evict them from L2). */
/* see p256_x4_avx2.h. The scalar tables hold a 2^256 mod p (fully reduced); a 2^261 mod p is
 * five modular doublings of that integer. */
static void aff_to_line(uint64_t line[8], const p256_aff *a)
{
    for (int c = 0; c < 2; c++) {
        p256_fe v;
        memcpy(v, c ? a->y : a->x, sizeof v);
        for (int d = 0; d < 5; d++)
            p256_fe_add(v, v, v);
        memcpy(&line[4 * c], v, sizeof v);
    }
}

/* see p256_x4_avx2.h */
void p256x4_comb_from_affine(p256x4_comb comb, const p256_aff (*bt)[P256_BASE_NENT])
{
    for (int j = 0; j < P256_BASE_NWIN; j++)
        for (int i = 0; i < P256_BASE_NENT; i++)
            aff_to_line(comb[j][i], &bt[j][i]);
}

#define GNENT     (1u << (P256X4_GW - 1))
#define HUGE_PAGE ((size_t)2 << 20)
/* in one 2 MiB page where the kernel gives transparent huge pages for the asking (madvise):
 * the lookups are random lines of 116 small pages otherwise, TLB misses in a busy client */
static uint64_t (*comb_g)[GNENT][8];
static pthread_once_t comb_g_once = PTHREAD_ONCE_INIT;
_Static_assert(sizeof(uint64_t[P256X4_GNWIN][GNENT][8]) <= HUGE_PAGE, "G's comb fits a huge page");

/* G's comb: per window, the multiples i B (B = 2^(9j) G) by mixed additions, made affine with
 * one inversion (Montgomery's trick; public data, so the variable-time gcd), then B = 2 (256 B).
 * About 7,400 additions: a few milliseconds, once per process. */
static void comb_g_init(void)
{
    p256_jac *row = malloc(GNENT * sizeof *row);
    p256_fe *pre = malloc(GNENT * sizeof *pre);
    p256_aff b = p256_base_tables()[0][0], a; /* G */
    comb_g = aligned_alloc(HUGE_PAGE, HUGE_PAGE);
    if (!row || !pre || !comb_g) abort();
    (void)madvise(comb_g, HUGE_PAGE, MADV_HUGEPAGE); /* a hint: 4 KiB pages if refused */
    for (unsigned j = 0; j < P256X4_GNWIN; j++) {
        p256_fe inv, zi, zi2;
        uint64_t plain[4], pinv[4];
        p256_jac t;
        memcpy(row[0].x, b.x, sizeof b.x);
        memcpy(row[0].y, b.y, sizeof b.y);
        memcpy(row[0].z, p256_fe_one, sizeof p256_fe_one);
        memcpy(pre[0], row[0].z, sizeof pre[0]);
        for (unsigned i = 1; i < GNENT; i++) {
            p256_point_add_mixed_vartime(&row[i], &row[i - 1], &b);
            p256_fe_mul(pre[i], pre[i - 1], row[i].z); /* no multiple of B is infinity */
        }
        p256_fe_from_mont(plain, pre[GNENT - 1]);
        p256_inv_vartime(pinv, plain, p256_p);
        p256_fe_to_mont(inv, pinv);
        for (unsigned i = GNENT; i-- > 0;) {
            if (i) {
                p256_fe_mul(zi, inv, pre[i - 1]);
                p256_fe_mul(inv, inv, row[i].z);
            } else {
                memcpy(zi, inv, sizeof zi);
            }
            p256_fe_sqr(zi2, zi);
            p256_fe_mul(a.x, row[i].x, zi2);
            p256_fe_mul(zi2, zi2, zi);
            p256_fe_mul(a.y, row[i].y, zi2);
            aff_to_line(comb_g[j][i], &a);
        }
        p256_point_dbl(&t, &row[GNENT - 1]);
        p256_point_to_affine(&b, &t);
    }
    free(row);
    free(pre);
}

/* see p256_x4_avx2.h */
const uint64_t *p256x4_comb_g(void)
{
    pthread_once(&comb_g_once, comb_g_init);
    return &comb_g[0][0][0];
}

/* the four lanes' 256-bit integers at a[l] (32-byte aligned) as nine 29-bit limbs (class R) */
static inline void split4(p256x4_fe *r, const uint64_t *a0, const uint64_t *a1, const uint64_t *a2,
                          const uint64_t *a3)
{
    const __m256i m29 = p256x4_bcast((UINT64_C(1) << 29) - 1);
    __m256i x0 = _mm256_load_si256((const __m256i *)a0),
            x1 = _mm256_load_si256((const __m256i *)a1);
    __m256i x2 = _mm256_load_si256((const __m256i *)a2),
            x3 = _mm256_load_si256((const __m256i *)a3);
    __m256i t0 = _mm256_unpacklo_epi64(x0, x1), t1 = _mm256_unpackhi_epi64(x0, x1);
    __m256i t2 = _mm256_unpacklo_epi64(x2, x3), t3 = _mm256_unpackhi_epi64(x2, x3);
    __m256i w0 = _mm256_permute2x128_si256(t0, t2, 0x20),
            w1 = _mm256_permute2x128_si256(t1, t3, 0x20);
    __m256i w2 = _mm256_permute2x128_si256(t0, t2, 0x31),
            w3 = _mm256_permute2x128_si256(t1, t3, 0x31);
    r->v[0] = _mm256_and_si256(w0, m29);
    r->v[1] = _mm256_and_si256(_mm256_srli_epi64(w0, 29), m29);
    r->v[2] =
        _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi64(w0, 58), _mm256_slli_epi64(w1, 6)), m29);
    r->v[3] = _mm256_and_si256(_mm256_srli_epi64(w1, 23), m29);
    r->v[4] = _mm256_and_si256(
        _mm256_or_si256(_mm256_srli_epi64(w1, 52), _mm256_slli_epi64(w2, 12)), m29);
    r->v[5] = _mm256_and_si256(_mm256_srli_epi64(w2, 17), m29);
    r->v[6] = _mm256_and_si256(
        _mm256_or_si256(_mm256_srli_epi64(w2, 46), _mm256_slli_epi64(w3, 18)), m29);
    r->v[7] = _mm256_and_si256(_mm256_srli_epi64(w3, 11), m29);
    r->v[8] = _mm256_srli_epi64(w3, 40);
}

/* 2p with limbs 0..7 >= 2^29 - 1 and limb 8 >= 2^24 (borrows moved down): 2p - y of a fully
 * reduced y has limbs below 2^30 and value below 2^257 (class A, and a valid b of p256x4_sub) */
static const uint64_t k2p[9] = {0x3ffffffe, 0x3ffffffe, 0x3ffffffe, 0x200003fe, 0x1fffffff,
                                0x1fffffff, 0x2007ffff, 0x3fbfffff, 0x1fffffe};

/* lane mask (all-ones per 64-bit lane) from the four bits of b */
static inline __m256i lanes_mask(unsigned b)
{
    return _mm256_set_epi64x(-(long long)(b >> 3 & 1), -(long long)(b >> 2 & 1),
                             -(long long)(b >> 1 & 1), -(long long)(b & 1));
}

/* The running sums of p256x4_prog_run in XYZZ coordinates (x = X / ZZ, y = Y / ZZZ, with
 * ZZ^3 = ZZZ^2): a mixed addition costs 8M + 2S there instead of 8M + 3S. */
typedef struct {
    p256x4_fe x, y, zz, zzz;
} p256x4_xyzz;

/* 4p with limbs 0..7 in [2^30, 2^31) and limb 8 = 2^26 - 3 */
static const uint64_t k4p[9] = {0x5ffffffc, 0x5ffffffd, 0x5ffffffd, 0x400007fd, 0x5ffffffe,
                                0x5ffffffd, 0x400ffffd, 0x5f7ffffe, 0x3fffffd};

/* r = a - b + 4p with one round of carries and no fold above 2^256, for a result that only
 * p256x4_mul/sqr read: a class M (value < 2^258), b with limbs 0..7 <= 2^30 and limb 8 < 2^25
 * (class R, a fully reduced table entry, or 2p - y). Limbs before the carry are below
 * 2^31 + 2^7, after it limbs 0..7 below 2^29 + 5 and limb 8 below 2^27; the value is below
 * 2^258 + 4p < 2^259: a valid operand of the multiplications (p256_x4_avx2.h). */
static inline void sub_lite(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b)
{
    const __m256i m29 = p256x4_bcast((UINT64_C(1) << 29) - 1);
    __m256i x[9];
    for (int j = 0; j < 9; j++)
        x[j] = _mm256_sub_epi64(_mm256_add_epi64(a->v[j], p256x4_bcast(k4p[j])), b->v[j]);
    r->v[0] = _mm256_and_si256(x[0], m29);
    for (int j = 1; j < 8; j++)
        r->v[j] = _mm256_add_epi64(_mm256_and_si256(x[j], m29), _mm256_srli_epi64(x[j - 1], 29));
    r->v[8] = _mm256_add_epi64(x[8], _mm256_srli_epi64(x[7], 29));
}

/* r = a + b (b affine; madd-2008-s): a != +-b, neither at infinity; r != a. P = 0 (equal or
 * opposite points) leaves ZZ = ZZZ = 0, and every later addition keeps them 0. Inputs: b->x
 * fully reduced, b->y fully reduced or 2p - y (k2p); outputs X, Y class R, ZZ, ZZZ class M. */
static void xyzz_madd(p256x4_xyzz *r, const p256x4_xyzz *a, const p256x4_aff *b)
{
    p256x4_fe u2, s2, p, rr, pp, ppp, q, t, t1;
    p256x4_mul(&u2, &b->x, &a->zz);
    p256x4_mul(&s2, &b->y, &a->zzz);
    sub_lite(&p, &u2, &a->x); /* p and rr: multiplied only */
    sub_lite(&rr, &s2, &a->y);
    p256x4_sqr(&pp, &p);
    p256x4_mul(&ppp, &pp, &p);
    p256x4_mul(&q, &a->x, &pp);
    p256x4_mul(&r->zz, &a->zz, &pp);
    p256x4_mul(&r->zzz, &a->zzz, &ppp);
    p256x4_sqr(&t, &rr);
    p256x4_add(&t1, &q, &q);
    p256x4_add(&t1, &t1, &ppp); /* three class M values: a valid b of p256x4_sub */
    p256x4_sub(&r->x, &t, &t1); /* X3 = R^2 - PPP - 2Q */
    sub_lite(&t, &q, &r->x);
    p256x4_mul(&t, &rr, &t);
    p256x4_mul(&t1, &a->y, &ppp);
    p256x4_sub(&r->y, &t, &t1); /* Y3 = R (Q - X3) - Y1 PPP */
}

static void xyzz_blend(p256x4_xyzz *r, const p256x4_xyzz *a, const p256x4_xyzz *b, __m256i mask)
{
    p256x4_blend(&r->x, &a->x, &b->x, mask);
    p256x4_blend(&r->y, &a->y, &b->y, mask);
    p256x4_blend(&r->zz, &a->zz, &b->zz, mask);
    p256x4_blend(&r->zzz, &a->zzz, &b->zzz, mask);
}

/* see p256_x4_avx2.h. Everything that decides a branch here (digits, lane masks) is public. */
void p256x4_prog_run(p256x4_jac out[P256X4_NOUT], unsigned inf[P256X4_NOUT], const p256x4_prog *pg)
{
    p256x4_xyzz buf[2], sel1, o[P256X4_NOUT], *acc = &buf[0], *sum = &buf[1]; /* sum: next acc */
    p256x4_aff sel;
    const uint64_t *dummy = p256x4_comb_g();
    unsigned acc_inf = 0xf, used = 0; /* acc_inf: lanes whose running sum is at infinity */
    memset(acc, 0, sizeof *acc);
    for (int j = 0; j < 9; j++)
        sel1.zz.v[j] = sel1.zzz.v[j] = p256x4_bcast(p256x4_one_mont[j]);
    for (unsigned s = 0; s < P256X4_NOUT; s++)
        inf[s] = 0;
    for (unsigned i = 0; i < pg->nsteps; i++) {
        const uint64_t *const *e = pg->e[i];
        acc_inf |= pg->start[i];
        if (i + 1 < pg->nsteps) /* the next step's lines (see above) */
            for (int l = 0; l < P256X4_LANES; l++)
                if (pg->e[i + 1][l]) _mm_prefetch((const char *)pg->e[i + 1][l], _MM_HINT_T0);
        unsigned nz =
            (e[0] != NULL) | (e[1] != NULL) << 1 | (e[2] != NULL) << 2 | (e[3] != NULL) << 3;
        if (nz) {
            const uint64_t *e0 = e[0] ? e[0] : dummy, *e1 = e[1] ? e[1] : dummy;
            const uint64_t *e2 = e[2] ? e[2] : dummy, *e3 = e[3] ? e[3] : dummy;
            split4(&sel.x, e0, e1, e2, e3);
            split4(&sel.y, e0 + 4, e1 + 4, e2 + 4, e3 + 4);
            if (pg->neg[i]) {
                __m256i m = lanes_mask(pg->neg[i]);
                for (int j = 0; j < 9; j++)
                    sel.y.v[j] = _mm256_blendv_epi8(
                        sel.y.v[j], _mm256_sub_epi64(p256x4_bcast(k2p[j]), sel.y.v[j]), m);
            }
            xyzz_madd(sum, acc, &sel);
            if (acc_inf & nz) { /* the entry itself, where the sum was at infinity */
                sel1.x = sel.x;
                sel1.y = sel.y;
                xyzz_blend(sum, sum, &sel1, lanes_mask(acc_inf));
            }
            if (nz != 0xf) xyzz_blend(sum, sum, acc, lanes_mask(~nz & 0xf));
            p256x4_xyzz *t = acc;
            acc = sum;
            sum = t;
            acc_inf &= ~nz;
        }
        for (unsigned s = 0; s < P256X4_NOUT; s++) {
            unsigned b = pg->end[i][s];
            if (!b) continue;
            if (used >> s & 1)
                xyzz_blend(&o[s], &o[s], acc, lanes_mask(b));
            else
                o[s] = *acc;
            used |= 1u << s;
            inf[s] = (inf[s] & ~b) | (acc_inf & b);
        }
    }
    /* to Jacobian: (X ZZ^2, Y ZZ^3, ZZZ), since ZZZ^2 = ZZ^3 */
    for (unsigned s = 0; s < P256X4_NOUT; s++) {
        p256x4_fe z2, z3;
        if (!(used >> s & 1)) {
            memset(&out[s], 0, sizeof out[s]);
            continue;
        }
        p256x4_sqr(&z2, &o[s].zz);
        p256x4_mul(&z3, &z2, &o[s].zz);
        p256x4_mul(&out[s].x, &o[s].x, &z2);
        p256x4_mul(&out[s].y, &o[s].y, &z3);
        out[s].z = o[s].zzz;
    }
}

/* Booth digit of window j of width w of the public k (as p256_base_booth_digit for w = 7):
 * bits w j - 1 .. w j + w - 1 (bit -1 = 0) give d = b(wj-1) + sum_{i<w-1} b(wj+i) 2^i
 * - 2^(w-1) b(wj+w-1); returns |d|, *neg = 1 for d < 0. */
static inline unsigned booth_vartime(const uint64_t k[4], unsigned w, unsigned j, unsigned *neg)
{
    uint64_t v, mask = (UINT64_C(2) << w) - 1;
    if (j == 0) {
        v = (k[0] << 1) & mask;
    } else {
        unsigned pos = w * j - 1, limb = pos / 64, off = pos % 64;
        v = k[limb] >> off;
        if (off + w + 1 > 64 && limb < 3) v |= k[limb + 1] << (64 - off);
        v &= mask;
    }
    unsigned half = 1u << (w - 1), u = (unsigned)((v & 1) + ((v >> 1) & (half - 1)));
    *neg = (unsigned)(v >> w);
    return *neg ? half - u : u;
}

/* see p256_x4_avx2.h */
void p256x4_prog_windows(p256x4_prog *pg, unsigned l, unsigned *pos, const uint64_t k[4],
                         const uint64_t *comb, unsigned w, unsigned w0, unsigned w1)
{
    for (unsigned j = w0; j < w1; j++, (*pos)++) {
        unsigned neg, d = booth_vartime(k, w, j, &neg);
        pg->e[*pos][l] = d ? comb + (((size_t)j << (w - 1)) + d - 1) * 8 : NULL;
        pg->neg[*pos] = (uint8_t)((pg->neg[*pos] & ~(1u << l)) | neg << l);
    }
}

/* see p256_x4_avx2.h */
void p256x4_base_mul_vartime(p256x4_jac *r, const uint8_t k[P256X4_LANES][32])
{
    p256x4_prog pg;
    p256x4_jac out[P256X4_NOUT];
    unsigned inf[P256X4_NOUT];
    const uint64_t *g = p256x4_comb_g();
    memset(&pg, 0, sizeof pg);
    for (unsigned l = 0; l < P256X4_LANES; l++) {
        uint64_t kl[4];
        unsigned pos = 0;
        p256_limbs_from_be(kl, k[l]);
        p256x4_prog_windows(&pg, l, &pos, kl, g, P256X4_GW, 0, P256X4_GNWIN);
    }
    pg.nsteps = P256X4_GNWIN;
    pg.start[0] = 0xf;
    pg.end[P256X4_GNWIN - 1][0] = 0xf;
    p256x4_prog_run(out, inf, &pg);
    *r = out[0];
    if (inf[0]) { /* k = 0: Z = 0 */
        __m256i m = lanes_mask(inf[0]);
        for (int j = 0; j < 9; j++)
            r->z.v[j] = _mm256_andnot_si256(m, r->z.v[j]);
    }
}

/* see p256_x4_avx2.h. The four Z are inverted together in the scalar field code (Montgomery's
 * trick) with one blinded inversion (p256_fe_inv_blinded): a third of the cost of p256x4_inv,
 * which exponentiates all four lanes. A lane at infinity (Z = 0) inverts 1 instead, under a
 * mask, and reports ok = 0. */
void p256x4_to_affine(uint64_t x[P256X4_LANES][4], uint64_t y[P256X4_LANES][4],
                      uint64_t ok[P256X4_LANES], const p256x4_jac *a)
{
    static const uint64_t one[4] = {1, 0, 0, 0};
    p256x4_fe zi, zi2, t;
    uint64_t zz[P256X4_LANES], unused[P256X4_LANES], zplain[P256X4_LANES][4];
    p256_fe zm[P256X4_LANES], pre[P256X4_LANES], inv, u;
    p256x4_to_plain(zplain, zz, &a->z);
    for (int l = 0; l < P256X4_LANES; l++) {
        ok[l] = ~zz[l];
        p256_limbs_cmov(zplain[l], one, zz[l]);
        p256_fe_to_mont(zm[l], zplain[l]);
        if (l == 0)
            memcpy(pre[0], zm[0], sizeof pre[0]);
        else
            p256_fe_mul(pre[l], pre[l - 1], zm[l]);
    }
    p256_fe_inv_blinded(inv, pre[P256X4_LANES - 1]);
    for (int l = P256X4_LANES - 1; l > 0; l--) {
        p256_fe_mul(u, inv, pre[l - 1]); /* Z_l^-1 */
        p256_fe_mul(inv, inv, zm[l]);
        p256_fe_from_mont(zplain[l], u);
    }
    p256_fe_from_mont(zplain[0], inv);
    p256x4_from_plain(&zi, (const uint64_t(*)[4])zplain);
    p256x4_sqr(&zi2, &zi);
    p256x4_mul(&t, &a->x, &zi2);
    p256x4_to_plain(x, unused, &t);
    p256x4_mul(&zi2, &zi2, &zi);
    p256x4_mul(&t, &a->y, &zi2);
    p256x4_to_plain(y, unused, &t);
    ct_wipe(&zi, sizeof zi);
    ct_wipe(&zi2, sizeof zi2);
    ct_wipe(&t, sizeof t);
    ct_wipe(zplain, sizeof zplain);
    ct_wipe(zm, sizeof zm);
    ct_wipe(pre, sizeof pre);
    ct_wipe(inv, sizeof inv);
    ct_wipe(u, sizeof u);
}
