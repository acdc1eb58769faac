/* p256_point_jacobian.c — P-256 points in Jacobian coordinates (x = X/Z^2, y = Y/Z^3) with the
 * a = -3 formulas of p256_point_formulas.h over the baseline field code (p256_fe_mont64.h):
 * public point validation, the constant-time variable-base multiplication used by ECDH, the
 * wNAF recoding verification uses, and the variable-time additions of the table builders.
 *
 * The incomplete formulas are safe where they are used because the scalar recodings below
 * provably never hit their exceptional cases (a = ±b, infinity); see p256_point_mul_ct. */
#include <emmintrin.h> /* SSE2: part of the x86-64 baseline */
#include <string.h>

#include "ct.h"
#include "p256_fe_mont64.h"
#include "p256_internal.h"
#include "p256_point_formulas.h"

/* see p256_internal.h */
int p256_point_decode(p256_aff *r, const uint8_t in[65])
{
    p256_fe rhs, lhs, t;
    if (in[0] != 0x04) return 0; /* only uncompressed points (SEC 1 §2.3.3) */
    uint64_t ok = p256_fe_from_be(r->x, in + 1) & p256_fe_from_be(r->y, in + 33);
    /* SEC 1 §3.2.2.1: y^2 = x^3 - 3x + b. On a prime-order curve with cofactor 1 this also
     * guarantees the point has order n. */
    fe_sqr(t, r->x);
    fe_sub(t, t, p256_fe_one);
    fe_sub(t, t, p256_fe_one);
    fe_sub(t, t, p256_fe_one);
    fe_mul(rhs, t, r->x);
    fe_add(rhs, rhs, p256_fe_b);
    fe_sqr(lhs, r->y);
    ok &= p256_fe_eq(lhs, rhs);
    return ok != 0;
}

/* see p256_internal.h */
void p256_point_dbl(p256_jac *r, const p256_jac *a)
{
    pt_dbl(r, a);
}

/* see p256_internal.h — madd, then masked selects for the infinity cases */
void p256_point_add_mixed_ct(p256_jac *r, const p256_jac *a, const p256_aff *b, uint64_t b_inf)
{
    p256_jac t;
    uint64_t a_inf = p256_fe_is_zero(a->z), h0, r0;
    pt_madd_core(&t, a, b, &h0, &r0);
    /* a at infinity: the sum is b (Z = 1) */
    p256_limbs_cmov(t.x, b->x, a_inf);
    p256_limbs_cmov(t.y, b->y, a_inf);
    p256_limbs_cmov(t.z, p256_fe_one, a_inf);
    /* b at infinity: the sum is a (also right when both are) */
    p256_limbs_cmov(t.x, a->x, b_inf);
    p256_limbs_cmov(t.y, a->y, b_inf);
    p256_limbs_cmov(t.z, a->z, b_inf);
    *r = t;
    ct_wipe(&t, sizeof t);
}

/* see p256_internal.h */
void p256_point_add_mixed_vartime(p256_jac *r, const p256_jac *a, const p256_aff *b)
{
    if (p256_fe_is_zero(a->z)) {
        memcpy(r->x, b->x, sizeof b->x);
        memcpy(r->y, b->y, sizeof b->y);
        memcpy(r->z, p256_fe_one, sizeof p256_fe_one);
        return;
    }
    p256_jac t;
    uint64_t h0, r0;
    pt_madd_core(&t, a, b, &h0, &r0);
    if (h0) {
        if (r0) {
            p256_point_dbl(r, a); /* a == b */
        } else {
            memset(r, 0, sizeof *r); /* a == -b: infinity */
        }
        return;
    }
    *r = t;
}

/* see p256_internal.h */
void p256_point_add_vartime(p256_jac *r, const p256_jac *a, const p256_jac *b)
{
    if (p256_fe_is_zero(a->z)) {
        *r = *b;
        return;
    }
    if (p256_fe_is_zero(b->z)) {
        *r = *a;
        return;
    }
    p256_jac t;
    uint64_t h0, r0;
    pt_add_core(&t, a, b, &h0, &r0);
    if (h0) {
        if (r0) {
            p256_point_dbl(r, a); /* a == b */
        } else {
            memset(r, 0, sizeof *r); /* a == -b: infinity */
        }
        return;
    }
    *r = t;
}

/* see p256_internal.h */
uint64_t p256_point_to_affine(p256_aff *r, const p256_jac *a)
{
    p256_fe zi, zi2;
    uint64_t finite = ~p256_fe_is_zero(a->z);
    p256_fe_inv_blinded(zi, a->z);
    fe_sqr(zi2, zi);
    fe_mul(r->x, a->x, zi2);
    fe_mul(zi2, zi2, zi);
    fe_mul(r->y, a->y, zi2);
    /* 1/Z together with the affine result would give the projective representation, which
     * leaks bits of the scalar (Naccache, Smart, Stern, EUROCRYPT 2004) */
    ct_wipe(zi, sizeof zi);
    ct_wipe(zi2, sizeof zi2);
    return finite;
}

/* w bits (w <= 8) of the 256-bit integer k starting at bit pos (public); bits past 255 are 0 */
static unsigned get_bits(const uint64_t k[4], unsigned pos, unsigned w)
{
    unsigned limb = pos / 64, off = pos % 64;
    uint64_t lo = limb < 4 ? k[limb] : 0, hi = limb + 1 < 4 ? k[limb + 1] : 0;
    /* (hi << 1) << (63 - off) is hi << (64 - off) without the undefined shift by 64 */
    return (unsigned)(((lo >> off) | ((hi << 1) << (63 - off))) & ((1u << w) - 1));
}

/* The odd multiples (2i+1)P, i = 0..15, sharing one Z ("co-Z"): entry i is (X_i, Y_i) with
 * x = X_i/Z^2, y = Y_i/Z^3 for the common Z, kept with Z^2 and Z^3. Sharing Z makes each
 * addition in the ladder 11M + 3S instead of 12M + 4S and the masked scan a third shorter. */
typedef struct {
    p256_aff e[16]; /* (X_i, Y_i): not affine, scaled by the common Z */
    p256_fe z, zz, zzz;
} coz_table;

/* t->e[i] = (2i+1)P with a common Z; P is public, so this needs no care. P + 2jP never hits
 * the exceptional case of pt_zaddu: 2P = ±(2j+1)P would need n | 2j+1 ± 2. */
static void coz_build(coz_table *t, const p256_aff *p)
{
    p256_jac p1, d;
    p256_fe h[16], mu, mu2, mu3, zz;
    memcpy(p1.x, p->x, sizeof p->x);
    memcpy(p1.y, p->y, sizeof p->y);
    memcpy(p1.z, p256_fe_one, sizeof p256_fe_one);
    p256_point_dbl(&d, &p1); /* D = 2P = (X_D, Y_D, Z_D) */
    fe_sqr(zz, d.z);         /* P scaled to Z_D */
    fe_mul(t->e[0].x, p->x, zz);
    fe_mul(zz, zz, d.z);
    fe_mul(t->e[0].y, p->y, zz);
    memcpy(t->z, d.z, sizeof d.z);
    for (int i = 1; i < 16; i++) { /* e[i] = D + e[i-1]; D moves to the new Z */
        pt_zaddu(t->e[i].x, t->e[i].y, d.x, d.y, t->e[i - 1].x, t->e[i - 1].y, h[i]);
        fe_mul(t->z, t->z, h[i]);
    }
    /* entry j has Z_j = Z_D h_1 ... h_j: bring it to Z_15 with mu = h_{j+1} ... h_15 */
    memcpy(mu, h[15], sizeof mu);
    for (int j = 14; j >= 0; j--) {
        fe_sqr(mu2, mu);
        fe_mul(mu3, mu2, mu);
        fe_mul(t->e[j].x, t->e[j].x, mu2);
        fe_mul(t->e[j].y, t->e[j].y, mu3);
        if (j > 0) fe_mul(mu, mu, h[j]);
    }
    fe_sqr(t->zz, t->z);
    fe_mul(t->zzz, t->zz, t->z);
}

/* sel = t->e[idx] reading all 16 entries (idx is secret); SSE2 masks, 16 bytes at a time */
static void coz_select(p256_aff *sel, const coz_table *t, uint64_t idx)
{
    const __m128i want = _mm_set1_epi32((int)idx), one = _mm_set1_epi32(1);
    __m128i cur = _mm_setzero_si128(), acc[4];
    for (int l = 0; l < 4; l++) acc[l] = _mm_setzero_si128();
    for (int i = 0; i < 16; i++) {
        const __m128i *e = (const __m128i *)&t->e[i];
        __m128i m = _mm_cmpeq_epi32(cur, want);
        for (int l = 0; l < 4; l++)
            acc[l] = _mm_or_si128(acc[l], _mm_and_si128(m, _mm_loadu_si128(e + l)));
        cur = _mm_add_epi32(cur, one);
    }
    for (int l = 0; l < 4; l++) _mm_storeu_si128((__m128i *)sel + l, acc[l]);
}

/* a += (X2, Y2) of the co-Z table: add-1998-cmo-2 with Z2^2 and Z2^3 precomputed, 11M + 3S;
 * a != ±b and neither at infinity (see p256_point_mul_ct) */
static void add_coz(p256_jac *a, const p256_aff *b, const coz_table *t)
{
    p256_fe z1z1, u1, u2, s1, s2, h, rr, hh, hhh, v, x3, y3;
    fe_sqr(z1z1, a->z);
    fe_mul(u1, a->x, t->zz);
    fe_mul(u2, b->x, z1z1);
    fe_mul(s1, a->y, t->zzz);
    fe_mul(s2, b->y, a->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, u1);
    fe_sub(rr, s2, s1);
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
    fe_sub(a->y, y3, s1);
    memcpy(a->x, x3, sizeof x3);
    fe_mul(a->z, a->z, t->z);
    fe_mul(a->z, a->z, h);
}

/* see p256_internal.h
 *
 * Odd signed fixed windows of 5 bits (Joye-Tunstall regular recoding): for odd k,
 *   k = sum_{i=0}^{50} d_i 32^i + 32^51,  d_i = ((k >> 5i) & 63 | 1) - 32, odd, |d_i| <= 31,
 * so every window adds one of the 16 odd multiples ±P, ±3P, ..., ±31P: the same sequence of
 * 255 doublings and 51 additions for every scalar, each addend read by a full masked scan.
 * k is made odd first: if k is even we use n - k (odd, as n is odd) and negate the result.
 *
 * No exceptional case: before window i the accumulator is m*P with m = (k >> 5(i+1)) | 1 >= 1,
 * doubled to 32m*P. For i >= 1, 32m < n and |d_i| < 32 <= 32m, and 32m + d_i < n, so
 * 32m ≢ ±d_i (mod n). For i = 0, 32m = k - d_0 < n + 32: 32m ≡ d_0 would mean k ≡ 2 d_0 (k is
 * odd) or 32m = n + d_0 (then k > n); 32m ≡ -d_0 would mean k ≡ 0. Hence a ≠ ±b in every
 * addition, and the accumulator is never the point at infinity. */
void p256_point_mul_ct(p256_jac *r, const p256_aff *p, const uint8_t kb[32])
{
    uint64_t k[4], nk[4], borrow = 0;
    coz_table tab;
    p256_jac acc;
    p256_aff sel;
    p256_fe ny;
    p256_limbs_from_be(k, kb);
    for (int i = 0; i < 4; i++) {
        unsigned __int128 d = (unsigned __int128)p256_n[i] - k[i] - borrow;
        nk[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    uint64_t even = (k[0] & 1) - 1;
    p256_limbs_cmov(k, nk, even);

    coz_build(&tab, p);
    memcpy(acc.x, tab.e[0].x, sizeof acc.x); /* the top digit is always 1 */
    memcpy(acc.y, tab.e[0].y, sizeof acc.y);
    memcpy(acc.z, tab.z, sizeof acc.z);
    for (int w = 50; w >= 0; w--) {
        for (int j = 0; j < 5; j++) p256_point_dbl(&acc, &acc);
        uint64_t v = get_bits(k, 5u * (unsigned)w, 6) | 1;
        uint64_t neg = ((v >> 5) & 1) - 1;           /* all-ones when d = v - 32 < 0 */
        uint64_t idx = ((v ^ (neg & 31)) & 31) >> 1; /* (|d| - 1) / 2 */
        coz_select(&sel, &tab, idx);
        fe_neg(ny, sel.y);
        p256_limbs_cmov(sel.y, ny, neg);
        add_coz(&acc, &sel, &tab);
    }
    fe_neg(ny, acc.y);
    p256_limbs_cmov(acc.y, ny, even);
    *r = acc;
    ct_wipe(k, sizeof k);
    ct_wipe(nk, sizeof nk);
    ct_wipe(&acc, sizeof acc);
    ct_wipe(&sel, sizeof sel);
    ct_wipe(ny, sizeof ny);
    ct_wipe_stack(); /* the last add_coz and doubling's temporaries */
}

/* bits pos .. pos+63 of the 256-bit integer k (public), zeros past bit 255 */
static uint64_t bits64(const uint64_t k[4], unsigned pos)
{
    if (pos >= 256) return 0;
    unsigned limb = pos / 64, off = pos % 64;
    uint64_t lo = k[limb] >> off, hi = limb + 1 < 4 ? k[limb + 1] : 0;
    return off ? lo | (hi << (64 - off)) : lo;
}

/* see p256_internal.h — windows with a carry: scanning up from bit 0 with carry c, a position
 * whose bit differs from c starts a digit: the w-bit window there plus c is odd; above 2^(w-1)
 * it becomes negative (window + c - 2^w) and leaves c = 1. Runs of equal bits are skipped a
 * word at a time. */
int p256_wnaf_vartime(int8_t d[257], const uint64_t u[4], unsigned w)
{
    const uint64_t mask = ((uint64_t)1 << w) - 1, half = (uint64_t)1 << (w - 1);
    uint64_t carry = 0;
    unsigned pos = 0;
    int len = 0;
    memset(d, 0, 257);
    while (pos < 257) {
        uint64_t x = bits64(u, pos) ^ (0 - carry); /* ones where the bit differs from carry */
        if (!x) {
            pos += 64;
            continue;
        }
        pos += (unsigned)__builtin_ctzll(x);
        if (pos >= 257) break;
        uint64_t word = (bits64(u, pos) & mask) + carry; /* odd */
        carry = word >= half;
        d[pos] = (int8_t)((int64_t)word - (int64_t)(carry << w));
        len = (int)pos + 1;
        pos += w;
    }
    return len;
}
