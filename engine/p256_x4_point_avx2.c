/* p256_x4_point_avx2.c — P-256 point arithmetic on four lanes (Jacobian coordinates, a = -3)
 * and the two constant-time scalar multiplications of the AVX2 kernel:
 *
 *   variable base (derive): Booth 5-bit windows from the top, five doublings and one addition
 *     of a table entry j P (j = 1..16, Jacobian, 16 entries scanned whole per lane) per window;
 *   fixed base (keygen, sign): the comb k G = sum d_i (2^(5i) G) over 52 windows, one mixed
 *     addition per window from 52 affine tables of 16 points (built at first use with the scalar
 *     code of p256_point_jacobian.c, then converted); each lane's entry is picked by vpermd
 *     from registers holding all 16 (data-independent timing, no secret address).
 *
 * Exceptional additions: the accumulator at infinity and a zero digit are handled with per-lane
 * masks (select, not branch); equal or opposite operands cannot occur (see p256x4_mul_ct and
 * p256x4_base_mul_ct for why). Every lane runs the same instructions. */
#include <pthread.h>
#include <string.h>

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

/* add-1998-cmo-2: 12M + 4S; a != +-b, neither at infinity (callers mask those cases) */
static void jac_add(p256x4_jac *r, const p256x4_jac *a, const p256x4_jac *b)
{
    p256x4_fe z1z1, z2z2, u1, u2, s1, s2, h, rr, h2, h3, v, t;
    p256x4_sqr(&z1z1, &a->z);
    p256x4_sqr(&z2z2, &b->z);
    p256x4_mul(&u1, &a->x, &z2z2);
    p256x4_mul(&u2, &b->x, &z1z1);
    p256x4_mul(&s1, &a->y, &b->z);
    p256x4_mul(&s1, &s1, &z2z2);
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
    p256x4_mul(&t, &a->z, &b->z);
    p256x4_mul(&r->z, &t, &h); /* Z3 = Z1 Z2 H */
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

struct mul_state {
    p256x4_jac tab[16]; /* j P for j = 1..16 */
    p256x4_jac acc, sel, sum;
    p256x4_digits dg;
};

/* sel = tab[absd - 1] per lane (all 16 entries read), zero when absd = 0 */
static void select_jac(p256x4_jac *sel, const p256x4_jac tab[16], __m256i absd)
{
    memset(sel, 0, sizeof *sel);
    for (int j = 0; j < 16; j++) {
        __m256i m = _mm256_cmpeq_epi64(absd, p256x4_bcast((uint64_t)j + 1));
        for (int i = 0; i < 9; i++) {
            sel->x.v[i] = _mm256_or_si256(sel->x.v[i], _mm256_and_si256(tab[j].x.v[i], m));
            sel->y.v[i] = _mm256_or_si256(sel->y.v[i], _mm256_and_si256(tab[j].y.v[i], m));
            sel->z.v[i] = _mm256_or_si256(sel->z.v[i], _mm256_and_si256(tab[j].z.v[i], m));
        }
    }
}

static __m256i load4(const uint64_t x[P256X4_LANES])
{
    return _mm256_loadu_si256((const __m256i *)x);
}

/* see p256_x4_avx2.h. Before the addition of window i the accumulator is 32 m P, m the
 * (non-negative) integer of the digits above i. For i >= 1, 32 m < n - 16, so 32 m = +-d_i mod n
 * would need 32 m = |d_i| <= 16 as integers: only m = 0, the accumulator at infinity, which
 * acc_inf tracks. For i = 0, 32 m = k - d_0 with d_0 = k mod 32 taken in [-16, 15] (bit -1 is
 * 0), and n = 17 mod 32: k - d_0 = d_0 mod n would need k = n + 2 d_0, so d_0 = 17 + 2 d_0
 * mod 32, d_0 = 15, but then k = n + 30 > n; k - d_0 = -d_0 means k = 0; k - d_0 = 0 mod n
 * with m != 0 means k = n + d_0, so 17 = 0 mod 32. None happens for k in [1, n-1]. */
void p256x4_mul_ct(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32])
{
    struct mul_state s;
    const __m256i zero = _mm256_setzero_si256();
    s.tab[0].x = p->x;
    s.tab[0].y = p->y;
    for (int j = 0; j < 9; j++)
        s.tab[0].z.v[j] = p256x4_bcast(p256x4_one_mont[j]);
    jac_dbl(&s.tab[1], &s.tab[0]);
    for (int j = 2; j < 16; j++)
        jac_add(&s.tab[j], &s.tab[j - 1], &s.tab[0]); /* (j+1) P */
    p256x4_booth(&s.dg, k);
    __m256i acc_inf = _mm256_cmpeq_epi64(zero, zero);
    memset(&s.acc, 0, sizeof s.acc);
    for (int i = P256X4_NWIN - 1; i >= 0; i--) {
        if (i != P256X4_NWIN - 1)
            for (int d = 0; d < 5; d++)
                jac_dbl(&s.acc, &s.acc);
        __m256i absd = load4(s.dg.absd[i]), dzero = _mm256_cmpeq_epi64(absd, zero);
        select_jac(&s.sel, s.tab, absd);
        cond_neg(&s.sel.y, load4(s.dg.neg[i]));
        jac_add(&s.sum, &s.acc, &s.sel);
        jac_blend(&s.sum, &s.sum, &s.sel, acc_inf);
        jac_blend(&s.acc, &s.sum, &s.acc, dzero);
        acc_inf = _mm256_and_si256(acc_inf, dzero);
    }
    *r = s.acc;
    ct_wipe(&s, sizeof s);
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

/* see p256_x4_avx2.h */
void p256x4_to_affine(uint64_t x[P256X4_LANES][4], uint64_t y[P256X4_LANES][4],
                      uint64_t ok[P256X4_LANES], const p256x4_jac *a)
{
    p256x4_fe zi, zi2, t;
    uint64_t zz[P256X4_LANES], unused[P256X4_LANES], zplain[P256X4_LANES][4];
    p256x4_to_plain(zplain, zz, &a->z);
    for (int l = 0; l < P256X4_LANES; l++)
        ok[l] = ~zz[l];
    p256x4_inv(&zi, &a->z);
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
}
