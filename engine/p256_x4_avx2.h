/* p256_x4_avx2.h — four-lane P-256 arithmetic with AVX2, shared by the p256_x4_*_avx2.c files
 * (only they include it: it needs -mavx2). Lane l of every ymm register belongs to operation l.
 *
 * Field elements mod p: nine 29-bit limbs (limb j at bit 29 j, 261 bits in all), one per
 * 64-bit lane, so vpmuludq (32x32->64) forms the partial products. Montgomery form with
 * R = 2^261: since p = -1 mod 2^29, the Montgomery digit of each reduction step is just the low
 * 29 bits of the lowest column, and m * p is a handful of shifts (the 29-bit digits of p are
 * 2^29-1, 2^29-1, 2^29-1, 2^9-1, 0, 0, 2^18, 2^29-2^21, 2^24-1; see REDSTEP in
 * p256_x4_fe_avx2.c): a multiplication is 81 vpmuludq (a squaring 45) and none for the
 * reduction.
 *
 * Values are not kept below p; the classes below bound them (per lane; "carried" means limbs
 * 0..7 below 2^29 + 2^7, as the carries are done in parallel rounds rather than in a chain):
 *   M  p256x4_mul/sqr output: carried, value < 2^258
 *   R  p256x4_reduce/sub/smul output: carried, limb 8 < 2^24 + 2^8, value < 2^256.01
 *   A  p256x4_add of two M/R values: limbs < 2^30 + 2^8, value < 2^259
 * p256x4_mul/sqr accept M, R or A for each operand: a partial product is below 2^60.01, a
 * column collects at most nine of them plus reduction terms below 2^57, so < 2^63.3; the
 * result is below A B / 2^261 + p + 2^224 + F (F < p: see REDSTEP) < 2^258 for A, B < 2^259.
 * p256x4_sub(a, b) accepts a of any class, b with limbs 0..7 <= 2^31 - 4 and limb 8 <= 2^28 - 5
 * (M, R, or A made of two M/R values).
 *
 * Every function is constant time: no branch or memory index depends on lane data. */
#ifndef MBSHAKE_P256_X4_AVX2_H
#define MBSHAKE_P256_X4_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#include "p256_internal.h"

#define P256X4_LANES 4
#define P256X4_NWIN  52 /* Booth windows of 5 bits covering 256 bits (260) */

typedef struct {
    __m256i v[9];
} p256x4_fe;

typedef struct {
    p256x4_fe x, y, z; /* Jacobian, Montgomery form */
} p256x4_jac;

typedef struct {
    p256x4_fe x, y; /* affine, Montgomery form */
} p256x4_aff;

static inline __m256i p256x4_bcast(uint64_t x)
{
    return _mm256_set1_epi64x((long long)x);
}

/* ---- p256_x4_fe_avx2.c ------------------------------------------------------------------ */
void p256x4_mul(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b);
void p256x4_sqr(p256x4_fe *r, const p256x4_fe *a);
void p256x4_sqr_n(p256x4_fe *r, const p256x4_fe *a, unsigned n);
/* fold the bits at 2^256 and above (2^256 = c mod p, c with non-negative digits), then carry;
 * input limbs below 2^33, limb 8 below 2^30 */
void p256x4_reduce(p256x4_fe *r, const p256x4_fe *a);
void p256x4_sub(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b); /* a - b + 16p, reduced */
void p256x4_smul(p256x4_fe *r, const p256x4_fe *a, uint32_t c); /* c * a, c <= 8, a carried */
void p256x4_inv(p256x4_fe *r, const p256x4_fe *a);              /* a^(p-2) */
/* a + b limb by limb (class A) */
static inline void p256x4_add(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b)
{
    for (int j = 0; j < 9; j++)
        r->v[j] = _mm256_add_epi64(a->v[j], b->v[j]);
}
/* r = mask ? b : a, per 64-bit lane (mask all-ones or zero per lane) */
static inline void p256x4_blend(p256x4_fe *r, const p256x4_fe *a, const p256x4_fe *b, __m256i mask)
{
    for (int j = 0; j < 9; j++)
        r->v[j] = _mm256_blendv_epi8(a->v[j], b->v[j], mask);
}
/* Lane l of r = the plain integer x[l] (little-endian 64-bit limbs, < 2^256) in Montgomery
 * form (class M). */
void p256x4_from_plain(p256x4_fe *r, const uint64_t x[P256X4_LANES][4]);
/* Lane l of a as a plain integer fully reduced mod p. Returns per lane all-ones if the value
 * was 0 mod p. */
void p256x4_to_plain(uint64_t x[P256X4_LANES][4], uint64_t zero[P256X4_LANES], const p256x4_fe *a);
extern const uint64_t p256x4_one_mont[9]; /* R mod p, 29-bit limbs */

/* ---- p256_x4_point_avx2.c --------------------------------------------------------------- */
/* Booth digits of 5-bit windows for four big-endian scalars: d[i][l] in [-16, 16], as
 * |d| (absd) and an all-ones sign mask (neg) per window and lane. */
typedef struct {
    uint64_t absd[P256X4_NWIN][P256X4_LANES];
    uint64_t neg[P256X4_NWIN][P256X4_LANES];
} p256x4_digits;
void p256x4_booth(p256x4_digits *d, const uint8_t k[P256X4_LANES][32]);
/* r = k * P per lane; k in [1, n-1], P valid (public). Constant time in k. */
void p256x4_mul_ct(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32]);
/* The same for public k (verification): the table entries are read by index instead of by a
 * masked scan of all 16. Variable time. */
void p256x4_mul_vartime(p256x4_jac *r, const p256x4_aff *p, const uint8_t k[P256X4_LANES][32]);
/* r = k * G per lane; k in [1, n-1]. Constant time in k. */
void p256x4_base_mul_ct(p256x4_jac *r, const uint8_t k[P256X4_LANES][32]);
/* The same for public k in [0, n-1] (verification): Booth-7 windows read by index through a
 * p256x4_prog (r is the point at infinity, Z = 0, for k = 0). Variable time. */
void p256x4_base_mul_vartime(p256x4_jac *r, const uint8_t k[P256X4_LANES][32]);

/* ---- Booth combs read by index (verification only: variable time) ---------------------
 * A comb of width w of a point P of order n: entry i of window j is (i + 1) 2^(w j) P,
 * i < 2^(w-1), affine: x R mod p then y R mod p (R = 2^261, fully reduced), each four
 * little-endian 64-bit words, so one 64-byte line per entry (split into 29-bit limbs as it is
 * read). Keys (cd_p256.key_table_new) get width 7 (37 windows, 148 KiB, from the scalar code's
 * p256_comb_build); G has width 9 (29 windows, 464 KiB, built at first use). */
typedef uint64_t p256x4_comb[P256_BASE_NWIN][P256_BASE_NENT][8];
/* comb (width 7) from the scalar code's affine table of the same shape (p256_comb_build) */
void p256x4_comb_from_affine(p256x4_comb comb, const p256_aff (*bt)[P256_BASE_NENT]);
#define P256X4_GW    9
#define P256X4_GNWIN 29 /* ceil(257 / 9): the top window's sign bit is above bit 255 */
/* G's comb of width P256X4_GW: [P256X4_GNWIN][2^(GW-1)][8] */
const uint64_t *p256x4_comb_g(void);

/* A program of mixed additions of comb entries on four lanes, no doublings: at step i lane l
 * adds e[i][l] (an entry of some comb; NULL: nothing) to its running sum, negated where bit l
 * of neg[i] is set. Bit l of start[i]: lane l begins a new sum (at infinity) before step i;
 * bit l of end[i][s]: after step i lane l's sum becomes lane l of output s. A lane's sums are
 * partial sums of comb windows of points of order n, but they need not belong to one point
 * or one scalar, so an addition may meet equal or opposite points (or end at infinity); that
 * leaves Z = 0 in the sum for good, and the caller must treat such a sum as unknown (take a
 * path that handles every case). */
#define P256X4_MAXSTEPS (P256X4_GNWIN + P256_BASE_NWIN) /* u1 G + u2 Q */
#define P256X4_NOUT     2
typedef struct {
    unsigned nsteps;
    const uint64_t *e[P256X4_MAXSTEPS][P256X4_LANES];
    uint8_t neg[P256X4_MAXSTEPS];
    uint8_t start[P256X4_MAXSTEPS];
    uint8_t end[P256X4_MAXSTEPS][P256X4_NOUT];
} p256x4_prog;
/* Runs pg. For each output s and lane l that received a sum: bit l of inf[s] set when that
 * sum is the point at infinity by construction (no nonzero digit since its start), else lane
 * l of out[s] is the sum, Jacobian (Z = 0: an exceptional addition, see above). Lanes that
 * received nothing are unspecified. */
void p256x4_prog_run(p256x4_jac out[P256X4_NOUT], unsigned inf[P256X4_NOUT], const p256x4_prog *pg);
/* Sets lane l of steps *pos, *pos + 1, ... of pg to the Booth windows w0 .. w1 - 1 of width
 * w of the public scalar k (little-endian 64-bit limbs, k < n) over comb (a comb of that width;
 * NULL for a zero digit), and advances *pos by w1 - w0. */
void p256x4_prog_windows(p256x4_prog *pg, unsigned l, unsigned *pos, const uint64_t k[4],
                         const uint64_t *comb, unsigned w, unsigned w0, unsigned w1);

/* affine x and y (plain integers < p) of a; ok[l] all-ones unless lane l was at infinity */
void p256x4_to_affine(uint64_t x[P256X4_LANES][4], uint64_t y[P256X4_LANES][4],
                      uint64_t ok[P256X4_LANES], const p256x4_jac *a);

#endif
