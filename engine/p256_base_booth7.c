/* p256_base_booth7.c — fixed-base multiplication k*G with signed (Booth) 7-bit windows and one
 * precomputed affine table per window: base_tab[j][i-1] = i * 2^(7j) * G for i = 1..64,
 * j = 0..36 (37 * 64 * 64 bytes = 148 KiB). k*G is then 37 mixed additions and no doubling.
 *
 * The table depends only on G: it is built once, at first use (pthread_once), with the
 * variable-time formulas, and converted to affine with one inversion per window (Montgomery's
 * simultaneous-inversion trick). Building costs about a millisecond. */
#include <emmintrin.h> /* SSE2: part of the x86-64 baseline */
#include <pthread.h>
#include <string.h>

#include "ct.h"
#include "p256_internal.h"

#define WIN 7
#define NWIN P256_BASE_NWIN /* 37 = ceil(257 / 7): Booth digits need one bit above the top */
#define NENT P256_BASE_NENT /* |digit| in 1..64 */

static _Alignas(64) p256_aff base_tab[NWIN][NENT];
static pthread_once_t base_once = PTHREAD_ONCE_INIT;

static const p256_fe gx = {0x79e730d418a9143cULL, 0x75ba95fc5fedb601ULL, 0x79fb732b77622510ULL,
                           0x18905f76a53755c6ULL};
static const p256_fe gy = {0xddf25357ce95560aULL, 0x8b4ab8e4ba19e45cULL, 0xd2e88688dd21f325ULL,
                           0x8571ff1825885d85ULL};

/* converts n Jacobian points (none at infinity) to affine with a single inversion */
static void batch_to_affine(p256_aff *out, const p256_jac *in, int n)
{
    p256_fe prefix[NENT], inv, zi, zi2;
    memcpy(prefix[0], in[0].z, sizeof(p256_fe));
    for (int i = 1; i < n; i++) p256_fe_mul(prefix[i], prefix[i - 1], in[i].z);
    p256_fe_inv(inv, prefix[n - 1]);
    for (int i = n - 1; i >= 0; i--) {
        if (i > 0) {
            p256_fe_mul(zi, inv, prefix[i - 1]); /* 1/z_i */
            p256_fe_mul(inv, inv, in[i].z);      /* 1/(z_0 ... z_{i-1}) */
        } else {
            memcpy(zi, inv, sizeof zi);
        }
        p256_fe_sqr(zi2, zi);
        p256_fe_mul(out[i].x, in[i].x, zi2);
        p256_fe_mul(zi2, zi2, zi);
        p256_fe_mul(out[i].y, in[i].y, zi2);
    }
}

/* see p256_internal.h */
void p256_comb_build(p256_aff tab[][P256_BASE_NENT], const p256_aff *q)
{
    p256_jac row[NENT], pj;
    memcpy(pj.x, q->x, sizeof pj.x);
    memcpy(pj.y, q->y, sizeof pj.y);
    memcpy(pj.z, p256_fe_one, sizeof p256_fe_one);
    for (int j = 0; j < NWIN; j++) {
        row[0] = pj;
        p256_point_dbl(&row[1], &pj);
        for (int i = 2; i < NENT; i++) p256_point_add_vartime(&row[i], &row[i - 1], &pj);
        batch_to_affine(tab[j], row, NENT);
        p256_point_dbl(&pj, &row[NENT - 1]); /* 2^7 * pj = 2 * (64 pj) */
    }
}

static void base_build(void)
{
    p256_aff g;
    memcpy(g.x, gx, sizeof gx);
    memcpy(g.y, gy, sizeof gy);
    p256_comb_build(base_tab, &g);
}

/* sel = row[mag - 1], or all zero for mag = 0, reading every entry (the index is secret).
 * SSE2 halves the work of the 64-bit masked loop; this scan is a third of k*G's time. */
static void base_select(p256_aff *sel, const p256_aff row[NENT], uint64_t mag)
{
    const __m128i want = _mm_set1_epi32((int)mag), one = _mm_set1_epi32(1);
    __m128i idx = one, x0 = _mm_setzero_si128(), x1 = x0, y0 = x0, y1 = x0;
    for (int i = 0; i < NENT; i++) {
        const __m128i *e = (const __m128i *)&row[i];
        __m128i m = _mm_cmpeq_epi32(idx, want);
        x0 = _mm_or_si128(x0, _mm_and_si128(m, _mm_loadu_si128(e + 0)));
        x1 = _mm_or_si128(x1, _mm_and_si128(m, _mm_loadu_si128(e + 1)));
        y0 = _mm_or_si128(y0, _mm_and_si128(m, _mm_loadu_si128(e + 2)));
        y1 = _mm_or_si128(y1, _mm_and_si128(m, _mm_loadu_si128(e + 3)));
        idx = _mm_add_epi32(idx, one);
    }
    _mm_storeu_si128((__m128i *)sel->x, x0);
    _mm_storeu_si128((__m128i *)sel->x + 1, x1);
    _mm_storeu_si128((__m128i *)sel->y, y0);
    _mm_storeu_si128((__m128i *)sel->y + 1, y1);
}

/* see p256_internal.h — Booth digit of window j: bits 7j-1 .. 7j+6 of k (bit -1 = 0) give
 * d = b(7j-1) + sum_{i<6} b(7j+i) 2^i - 64 b(7j+6), in [-64, 64]. Returns |d|, *neg = sign mask.
 * Branch-free: the bits are secret in p256_base_mul_ct. */
uint64_t p256_base_booth_digit(const uint64_t k[4], int j, uint64_t *neg)
{
    uint64_t v;
    if (j == 0) {
        v = (k[0] & 127) << 1;
    } else {
        unsigned pos = (unsigned)(WIN * j - 1), limb = pos / 64, off = pos % 64;
        uint64_t lo = k[limb], hi = limb + 1 < 4 ? k[limb + 1] : 0;
        v = ((lo >> off) | ((hi << 1) << (63 - off))) & 255;
    }
    uint64_t sign = v >> 7;
    uint64_t u = (v & 1) + ((v >> 1) & 63); /* 0..64 */
    uint64_t m = 0 - sign;
    *neg = m;
    return u ^ (m & (u ^ (64 - u)));
}

/* see p256_internal.h
 *
 * No exceptional additions for k in [1, n-1]: before window j the accumulator is S_j*G with
 * S_j = (k mod 2^7j) - b(7j-1) 2^7j, so |S_j| <= 2^(7j-1), while the addend is d_j 2^7j*G
 * with |d_j 2^7j| >= 2^7j. For j <= 35 both lie in (-n/2, n/2) and differ, so S_j ≢ ±d_j 2^7j;
 * for j = 36 (d in [0, 16]), S ≡ d 2^252 would need d 2^252 in [n - 2^251, n), which no d
 * meets, and S ≡ -d 2^252 would mean k ≡ 0. What remains, S_j = 0 (accumulator at infinity)
 * and d_j = 0 (addend at infinity), is handled by masks in p256_point_add_mixed_ct. */
void p256_base_mul_ct(p256_jac *r, const uint8_t kb[32])
{
    uint64_t k[4];
    p256_jac acc;
    p256_aff sel;
    p256_fe ny;
    pthread_once(&base_once, base_build);
    p256_limbs_from_be(k, kb);
    memset(&acc, 0, sizeof acc);
    for (int j = 0; j < NWIN; j++) {
        uint64_t neg, mag = p256_base_booth_digit(k, j, &neg);
        base_select(&sel, base_tab[j], mag);
        p256_fe_neg(ny, sel.y);
        p256_limbs_cmov(sel.y, ny, neg);
        uint64_t b_inf = ((mag | (0 - mag)) >> 63) - 1; /* digit 0: nothing to add */
        p256_point_add_mixed_ct(&acc, &acc, &sel, b_inf);
    }
    *r = acc;
    ct_wipe(k, sizeof k);
    ct_wipe(&acc, sizeof acc);
    ct_wipe(&sel, sizeof sel);
    ct_wipe(ny, sizeof ny);
    ct_wipe_stack(); /* the last mixed addition's temporaries */
}

/* see p256_internal.h */
const p256_aff (*p256_base_tables(void))[P256_BASE_NENT]
{
    pthread_once(&base_once, base_build);
    return (const p256_aff(*)[P256_BASE_NENT])base_tab;
}
