/* x25519_x4_avx2.c — X25519 (RFC 7748) on four independent lanes with AVX2: lane l of every
 * ymm register belongs to operation l. Field elements use radix 2^25.5 (ten limbs of 26/25
 * bits, limb i at bit ceil(25.5 i)) held in 64-bit lanes, so vpmuludq (32x32->64) forms every
 * partial product and the column sums stay below 2^64 without intermediate carries.
 *
 * derive: the Montgomery ladder, four lanes at once. keygen: the Edwards fixed-base comb of
 * x25519_base_comb.c, four lanes at once, with table lookups done by vpermd inside a row
 * (about 2.6x faster than the 4-lane ladder on u = 9).
 *
 * Limb bounds (per 64-bit lane; "odd" limbs are the 25-bit ones):
 *   carried (fe4_carry output): even < 2^26 + 2^13, odd < 2^25 + 2^17
 *   fe4_add of two carried:     even < 2^27 + 2^14, odd < 2^26 + 2^18
 *   fe4_sub (f - g + 2p, f and g carried): even < 1.5 * 2^27 + 2^13, odd < 1.5 * 2^26 + 2^17
 * fe4_mul(h, f, g) multiplies g's limbs by 19 and f's odd limbs by 2; for inputs of any of
 * these three kinds both stay below 2^32 (vpmuludq reads 32 bits): 19 * 1.5 * 2^27 < 2^31.9.
 * Counting an odd limb twice its size, every column sum is below 190 * (1.5 * 2^27)^2 * 1.01
 * < 2^63. (An instrumented build over the unit tests saw maxima 0xbfffffd and 0x6000130.)
 * Anything larger (a sum involving a sub output) is carried first (fe4_reduce, fe4_mul_small);
 * comb4_madd's F and H are the one exception, see there.
 *
 * Products read their second operand and its 19-multiples as vpmuludq memory operands, row by
 * row (fe4_mulp, fe4_sqp), so the ten column sums keep the registers; the ladder prepares the
 * 19-multiples of each such operand once, next to the add/sub that makes it, and shares them
 * between the products that use it (A and B: DA and AA, CB and BB; x1 for the whole ladder).
 *
 * Constant time: the ladder swap is a per-lane vpblendvb, table rows are read whole, no
 * branch or index depends on a key or peer; state is wiped and the ymm registers are zeroed on
 * return. Partial batches are padded with a fixed dummy lane (a constant scalar; for derive
 * with the base point as peer, so padding never reports a failure). */
#include <immintrin.h>
#include <pthread.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "x25519_internal.h"

#define LANES 4

typedef struct {
    __m256i v[10];
} fe4;

#define MUL(a, b) _mm256_mul_epu32((a), (b))
#define ADD(a, b) _mm256_add_epi64((a), (b))
/* An empty asm that claims to change the accumulators and the next row's f limb: keeps the
 * compiler from hoisting all 100 products ahead of the sums (which spills them to the stack). */
#define FENCE(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, f)                                           \
    __asm__("" : "+x"(h0), "+x"(h1), "+x"(h2), "+x"(h3), "+x"(h4), "+x"(h5), "+x"(h6), "+x"(h7), \
                 "+x"(h8), "+x"(h9), "+x"(f))

static const uint64_t m26 = (UINT64_C(1) << 26) - 1, m25 = (UINT64_C(1) << 25) - 1;

static inline __m256i bcast(uint64_t x) { return _mm256_set1_epi64x((long long)x); }

/* Carry column sums below 2^63 into the "carried" bounds above. Three chains run side by side
 * (0 to 4, 4 to 7, 7 to 9 and the wrap 2^255 = 19 into limb 0), then one fix-up link where
 * each chain met the start of the next: 13 links, but the dependency path is five links long
 * where ref10's two-chain order has seven. Every carry out of a full column is below 2^38.1;
 * limb 0 gets 19 * 2^38.1 < 2^42.4, so limb 1 ends below 2^25 + 2^16.4, and limbs 5 and 8 get
 * a carry out of a masked limb plus a 2^38.1 carry, below 2^12.1 + 1. */
static inline void fe4_carry(fe4 *out, __m256i h0, __m256i h1, __m256i h2, __m256i h3,
                             __m256i h4, __m256i h5, __m256i h6, __m256i h7, __m256i h8,
                             __m256i h9)
{
    const __m256i k26 = bcast(m26), k25 = bcast(m25);
    __m256i c;
#define CARRY(a, b, bits, mask)                                                                    \
    c = _mm256_srli_epi64(a, bits);                                                                \
    b = ADD(b, c);                                                                                 \
    a = _mm256_and_si256(a, mask)
    CARRY(h0, h1, 26, k26);
    CARRY(h4, h5, 26, k26);
    CARRY(h7, h8, 25, k25);
    CARRY(h1, h2, 25, k25);
    CARRY(h5, h6, 25, k25);
    CARRY(h8, h9, 26, k26);
    CARRY(h2, h3, 26, k26);
    CARRY(h6, h7, 26, k26);
    c = _mm256_srli_epi64(h9, 25);
    h9 = _mm256_and_si256(h9, k25);
    /* c * 19 = c + 2c + 16c; c may exceed 32 bits, so no vpmuludq here */
    h0 = ADD(ADD(h0, c), ADD(_mm256_slli_epi64(c, 1), _mm256_slli_epi64(c, 4)));
    CARRY(h3, h4, 25, k25);
    CARRY(h7, h8, 25, k25);
    CARRY(h0, h1, 26, k26);
    CARRY(h4, h5, 26, k26);
#undef CARRY
    out->v[0] = h0; out->v[1] = h1; out->v[2] = h2; out->v[3] = h3; out->v[4] = h4;
    out->v[5] = h5; out->v[6] = h6; out->v[7] = h7; out->v[8] = h8; out->v[9] = h9;
}

/* An empty asm that makes the compiler forget what p points to: each row of a product re-reads
 * its operands from memory (as vpmuludq memory operands) instead of holding all of them in
 * registers, which leaves the sixteen ymm registers to the ten column sums. */
#define LAUNDER(p) __asm__("" : "+r"(p))

/* h = f * g, with g19[j] = 19 * g[j] (j = 1..9) prepared by the caller: row i adds f_i * g_j
 * to column i + j, wrapping past column 9 as f_i * 19 g_j; odd x odd products count twice. */
static void fe4_mulp(fe4 *out, const fe4 *f, const __m256i *g, const __m256i *g19)
{
    __m256i h[10];
#pragma GCC unroll 10
    for (int i = 0; i < 10; i++) {
        const __m256i *gp = g, *gq = g19;
        LAUNDER(gp);
        LAUNDER(gq);
        __m256i fi = f->v[i], fo = (i & 1) ? ADD(fi, fi) : fi;
#pragma GCC unroll 10
        for (int j = 0; j < 10; j++) {
            __m256i p = MUL((i & j & 1) ? fo : fi, i + j < 10 ? gp[j] : gq[j]);
            h[(i + j) % 10] = i == 0 ? p : ADD(h[(i + j) % 10], p);
        }
        FENCE(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], fi);
    }
    fe4_carry(out, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
}

/* h = f^2, with f19[j] = 19 * f[j] (j = 5..9) prepared by the caller: row i takes the
 * products f_i f_j for j >= i, cross terms twice, odd x odd ones twice more. */
static void fe4_sqp(fe4 *out, const __m256i *f, const __m256i *f19)
{
    __m256i h[10];
#pragma GCC unroll 10
    for (int i = 0; i < 10; i++) {
        const __m256i *fp = f, *fq = f19;
        LAUNDER(fp);
        LAUNDER(fq);
        __m256i f1 = fp[i], f2 = ADD(f1, f1), f4 = (i & 1) ? ADD(f2, f2) : f2;
#pragma GCC unroll 10
        for (int j = i; j < 10; j++) {
            __m256i m = j == i ? ((i & 1) ? f2 : f1) : (i & j & 1) ? f4 : f2;
            __m256i p = MUL(m, i + j < 10 ? fp[j] : fq[j]);
            /* row 0 starts every column */
            h[(i + j) % 10] = i == 0 ? p : ADD(h[(i + j) % 10], p);
        }
        FENCE(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], f1);
    }
    fe4_carry(out, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
}

static void fe4_mul(fe4 *h, const fe4 *f, const fe4 *g)
{
    const __m256i k19 = bcast(19);
    __m256i g19[10];
    for (int j = 1; j < 10; j++) g19[j] = MUL(g->v[j], k19);
    fe4_mulp(h, f, g->v, g19);
}

static void fe4_sq(fe4 *h, const fe4 *f)
{
    const __m256i k19 = bcast(19);
    __m256i f19[10];
    for (int j = 5; j < 10; j++) f19[j] = MUL(f->v[j], k19);
    fe4_sqp(h, f->v, f19);
}

static void fe4_sqn(fe4 *h, const fe4 *f, int n)
{
    fe4_sq(h, f);
    while (--n > 0) fe4_sq(h, h); /* n is a public constant of the addition chain */
}

/* h = f * c + g for a small public constant c (c * limb < 2^32), g carried */
static void fe4_mul_small_add(fe4 *h, const fe4 *f, uint32_t c, const fe4 *g)
{
    const __m256i k = bcast(c);
    fe4_carry(h, ADD(MUL(f->v[0], k), g->v[0]), ADD(MUL(f->v[1], k), g->v[1]),
              ADD(MUL(f->v[2], k), g->v[2]), ADD(MUL(f->v[3], k), g->v[3]),
              ADD(MUL(f->v[4], k), g->v[4]), ADD(MUL(f->v[5], k), g->v[5]),
              ADD(MUL(f->v[6], k), g->v[6]), ADD(MUL(f->v[7], k), g->v[7]),
              ADD(MUL(f->v[8], k), g->v[8]), ADD(MUL(f->v[9], k), g->v[9]));
}

/* h = f * c for a small public constant c (c * limb < 2^32) */
static void fe4_mul_small(fe4 *h, const fe4 *f, uint32_t c)
{
    const __m256i k = bcast(c);
    fe4_carry(h, MUL(f->v[0], k), MUL(f->v[1], k), MUL(f->v[2], k), MUL(f->v[3], k),
              MUL(f->v[4], k), MUL(f->v[5], k), MUL(f->v[6], k), MUL(f->v[7], k),
              MUL(f->v[8], k), MUL(f->v[9], k));
}

static inline void fe4_add(fe4 *h, const fe4 *f, const fe4 *g)
{
    for (int i = 0; i < 10; i++) h->v[i] = ADD(f->v[i], g->v[i]);
}

/* h = f - g + 2p (g carried, so no lane goes negative) */
static inline void fe4_sub(fe4 *h, const fe4 *f, const fe4 *g)
{
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    h->v[0] = _mm256_sub_epi64(ADD(f->v[0], p0), g->v[0]);
    for (int i = 1; i < 10; i++)
        h->v[i] = _mm256_sub_epi64(ADD(f->v[i], (i & 1) ? po : pe), g->v[i]);
}

/* per lane: swap f and g where mask is all ones */
static inline void fe4_cswap(fe4 *f, fe4 *g, __m256i mask)
{
    for (int i = 0; i < 10; i++) {
        __m256i x = _mm256_and_si256(mask, _mm256_xor_si256(f->v[i], g->v[i]));
        f->v[i] = _mm256_xor_si256(f->v[i], x);
        g->v[i] = _mm256_xor_si256(g->v[i], x);
    }
}

/* z^(p-2), the same addition chain as the scalar kernel: p - 2 = (2^250 - 1) * 2^5 + 11 */
static void fe4_invert(fe4 *h, const fe4 *z, fe4 t[6])
{
    fe4 *z2 = &t[0], *z9 = &t[1], *z11 = &t[2], *a = &t[3], *b = &t[4], *c = &t[5];
    fe4_sq(z2, z);
    fe4_sqn(a, z2, 2);
    fe4_mul(z9, a, z);
    fe4_mul(z11, z9, z2);
    fe4_sq(a, z11);
    fe4_mul(a, a, z9);   /* 2^5 - 1 */
    fe4_sqn(b, a, 5);
    fe4_mul(b, b, a);    /* 2^10 - 1 */
    fe4_sqn(c, b, 10);
    fe4_mul(c, c, b);    /* 2^20 - 1 */
    fe4_sqn(z2, c, 20);
    fe4_mul(c, z2, c);   /* 2^40 - 1 */
    fe4_sqn(c, c, 10);
    fe4_mul(b, c, b);    /* 2^50 - 1 */
    fe4_sqn(c, b, 50);
    fe4_mul(c, c, b);    /* 2^100 - 1 */
    fe4_sqn(a, c, 100);
    fe4_mul(c, a, c);    /* 2^200 - 1 */
    fe4_sqn(c, c, 50);
    fe4_mul(c, c, b);    /* 2^250 - 1 */
    fe4_sqn(c, c, 5);
    fe4_mul(h, c, z11);  /* 2^255 - 21 */
}

/* Limb i of h = v through an opaque store, so the compiler keeps it a 32-byte store. */
static inline void fe4_set(fe4 *h, int i, __m256i v)
{
    __m256i *p = &h->v[i];
    __asm__("" : "+r"(p));
    _mm256_store_si256(p, v);
}

/* Ladder state for four lanes; one ct_wipe clears it. */
struct ladder4 {
    fe4 x1, x2, z2, x3, z3, a, b, c, d, e, aa, bb, da, cb;
    __m256i x1_19[10], a19[10], b19[10], s19[10], t19[10], bb19[10], e19[10]; /* 19 * limb */
    fe4 inv[6];
    uint64_t k[4][LANES]; /* k[w][lane]: 64-bit word w of each lane's clamped scalar */
};

/* Scatter four encoded u-coordinates into the vector limbs (RFC 7748 §5 decoding: top bit
 * masked, non-canonical values kept as they are). */
static void fe4_load(fe4 *h, const uint8_t u[LANES][32])
{
    uint64_t t[LANES][10];
    for (int l = 0; l < LANES; l++) {
        fe51 w;
        x25519_fe51_frombytes(&w, u[l]);
        for (int i = 0; i < 5; i++) {
            t[l][2 * i] = w.v[i] & m26;
            t[l][2 * i + 1] = w.v[i] >> 26;
        }
        ct_wipe(&w, sizeof w);
    }
    for (int i = 0; i < 10; i++)
        h->v[i] = _mm256_set_epi64x((long long)t[3][i], (long long)t[2][i], (long long)t[1][i],
                                    (long long)t[0][i]);
    ct_wipe(t, sizeof t);
}

/* Gather a carried vector element back into four canonical encodings. */
static void fe4_store(uint8_t out[LANES][32], const fe4 *f)
{
    uint64_t t[10][LANES];
    for (int i = 0; i < 10; i++) _mm256_storeu_si256((__m256i *)t[i], f->v[i]);
    for (int l = 0; l < LANES; l++) {
        fe51 w;
        for (int i = 0; i < 5; i++) w.v[i] = t[2 * i][l] + (t[2 * i + 1][l] << 26);
        x25519_fe51_tobytes(out[l], &w);
        ct_wipe(&w, sizeof w);
    }
    ct_wipe(t, sizeof t);
}

/* The start of a ladder step, in one pass over the limbs: conditionally swap (x2, z2) with
 * (x3, z3) per lane, then A = x2 + z2, B = x2 - z2, C = x3 + z3, D = x3 - z3, and the
 * 19-multiples of A and B (the second operands of DA and CB, and of AA and BB's wrap terms).
 * Both points' sums and differences are formed and vpblendvb picks per lane which is which;
 * the swapped x2, z2, x3, z3 need not be stored: the rest of the step overwrites all four. */
static void swap_addsub(struct ladder4 *st, __m256i mask)
{
    const __m256i k19 = bcast(19);
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    for (int i = 0; i < 10; i++) {
        __m256i x2 = st->x2.v[i], x3 = st->x3.v[i], z2 = st->z2.v[i], z3 = st->z3.v[i];
        __m256i p2 = i == 0 ? p0 : (i & 1) ? po : pe; /* 2p, as in fe4_sub */
        __m256i s2 = ADD(x2, z2), s3 = ADD(x3, z3);
        __m256i d2 = _mm256_sub_epi64(ADD(x2, p2), z2), d3 = _mm256_sub_epi64(ADD(x3, p2), z3);
        __m256i a = _mm256_blendv_epi8(s2, s3, mask), b = _mm256_blendv_epi8(d2, d3, mask);
        st->a.v[i] = a;
        st->b.v[i] = b;
        if (i > 0) {
            st->a19[i] = MUL(a, k19);
            st->b19[i] = MUL(b, k19);
        }
        st->c.v[i] = _mm256_blendv_epi8(s3, s2, mask);
        st->d.v[i] = _mm256_blendv_epi8(d3, d2, mask);
    }
}

/* x3 input DA + CB and z3 input DA - CB, with their 19-multiples (limbs 5-9, for fe4_sqp) */
static void ladder_mid(struct ladder4 *st)
{
    const __m256i k19 = bcast(19);
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    for (int i = 0; i < 10; i++) {
        __m256i da = st->da.v[i], cb = st->cb.v[i];
        __m256i p2 = i == 0 ? p0 : (i & 1) ? po : pe;
        __m256i s = ADD(da, cb), t = _mm256_sub_epi64(ADD(da, p2), cb);
        st->x3.v[i] = s;
        st->z3.v[i] = t;
        if (i >= 5) {
            st->s19[i] = MUL(s, k19);
            st->t19[i] = MUL(t, k19);
        }
    }
}

/* E = AA - BB, with the 19-multiples of BB and E (for x2 = AA * BB and z2 = E * (...)) */
static void ladder_tail(struct ladder4 *st)
{
    const __m256i k19 = bcast(19);
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    for (int i = 0; i < 10; i++) {
        __m256i aa = st->aa.v[i], bb = st->bb.v[i];
        __m256i p2 = i == 0 ? p0 : (i & 1) ? po : pe;
        __m256i e = _mm256_sub_epi64(ADD(aa, p2), bb);
        st->e.v[i] = e;
        if (i > 0) {
            st->bb19[i] = MUL(bb, k19);
            st->e19[i] = MUL(e, k19);
        }
    }
}

/* RFC 7748 §5 on four lanes: out[l] = X25519(k[l], u[l]). */
static void ladder4(uint8_t out[LANES][32], struct ladder4 *st)
{
    /* whole-vector stores (not memset or a struct copy, which gcc turns into rep stos/movs):
     * the first step reads these back as 32-byte loads, which narrower stores cannot forward */
    for (int i = 0; i < 10; i++) {
        __m256i init = i == 0 ? bcast(1) : _mm256_setzero_si256();
        fe4_set(&st->x2, i, init);
        fe4_set(&st->z2, i, _mm256_setzero_si256());
        fe4_set(&st->z3, i, init);
        fe4_set(&st->x3, i, st->x1.v[i]);
    }
    for (int j = 1; j < 10; j++) st->x1_19[j] = MUL(st->x1.v[j], bcast(19));
    const __m256i one = bcast(1);
    __m256i kw[4];
    for (int w = 0; w < 4; w++) kw[w] = _mm256_loadu_si256((const __m256i *)st->k[w]);
    __m256i swap = _mm256_setzero_si256();
    for (int t = 254; t >= 0; t--) {
        /* bit t of each lane's scalar; t is public, the bits are not */
        __m256i kt = _mm256_and_si256(_mm256_srli_epi64(kw[t >> 6], t & 63), one);
        swap = _mm256_xor_si256(swap, kt);
        swap_addsub(st, _mm256_sub_epi64(_mm256_setzero_si256(), swap));
        swap = kt;
        /* The order keeps a product and the one that needs its result apart, so the core
         * overlaps one's carry chain with the other's products (measured: about 2% faster than
         * the textbook order). */
        fe4_mulp(&st->da, &st->d, st->a.v, st->a19);     /* DA */
        fe4_mulp(&st->cb, &st->c, st->b.v, st->b19);     /* CB */
        fe4_sqp(&st->aa, st->a.v, st->a19);              /* AA */
        fe4_sqp(&st->bb, st->b.v, st->b19);              /* BB */
        ladder_mid(st);                                  /* DA + CB, DA - CB */
        ladder_tail(st);                                 /* E = AA - BB */
        fe4_sqp(&st->z3, st->z3.v, st->t19);             /* (DA - CB)^2 */
        /* a24 = 121665 (RFC 7748 §5) */
        fe4_mul_small_add(&st->a, &st->e, 121665, &st->aa);
        fe4_mulp(&st->x2, &st->aa, st->bb.v, st->bb19);  /* x2 = AA * BB */
        fe4_sqp(&st->x3, st->x3.v, st->s19);             /* x3 = (DA + CB)^2 */
        fe4_mulp(&st->z3, &st->z3, st->x1.v, st->x1_19); /* z3 = x1 * (DA - CB)^2 */
        fe4_mulp(&st->z2, &st->a, st->e.v, st->e19);     /* z2 = E * (AA + a24 * E) */
    }
    __m256i mask = _mm256_sub_epi64(_mm256_setzero_si256(), swap);
    fe4_cswap(&st->x2, &st->x3, mask);
    fe4_cswap(&st->z2, &st->z3, mask);
    fe4_invert(&st->z2, &st->z2, st->inv);
    fe4_mul(&st->x2, &st->x2, &st->z2);
    fe4_store(out, &st->x2);
}

/* ---- Key generation: the Edwards fixed-base comb of x25519_base_comb.c on four lanes ---- */

/* tab8[r][l][j] = limb l (0-9: y + x, 10-19: y - x, 20-29: 2dxy; radix 2^25.5, exact) of the
 * comb entry (j + 1) * 256^r * B. One aligned 256-bit load holds limb l of all eight entries of
 * a row, and vpermd picks each lane's entry by that lane's digit: every lookup reads the whole
 * row, and neither the address nor the instruction stream depends on a key. 30 KiB, public,
 * converted once from the scalar comb's table. */
static _Alignas(32) uint32_t tab8[32][30][8];
static pthread_once_t tab8_once = PTHREAD_ONCE_INIT;

static void tab8_put(int r, int j, int l0, const fe51 *f)
{
    uint8_t b[32];
    fe51 c;
    x25519_fe51_tobytes(b, f); /* canonical, so the limbs are exact 26/25-bit values */
    x25519_fe51_frombytes(&c, b);
    for (int i = 0; i < 5; i++) {
        tab8[r][l0 + 2 * i][j] = (uint32_t)(c.v[i] & m26);
        tab8[r][l0 + 2 * i + 1][j] = (uint32_t)(c.v[i] >> 26);
    }
}

static void tab8_init(void)
{
    const x25519_ge_pre(*t)[8] = x25519_comb_table();
    for (int r = 0; r < 32; r++) {
        for (int j = 0; j < 8; j++) {
            tab8_put(r, j, 0, &t[r][j].ypx);
            tab8_put(r, j, 10, &t[r][j].ymx);
            tab8_put(r, j, 20, &t[r][j].xy2d);
        }
    }
}

/* Comb state for four lanes; one ct_wipe clears it. */
struct comb4 {
    fe4 X, Y, Z, T;         /* accumulator, extended coordinates */
    fe4 ypx, ymx, xy2d;     /* the selected table entries */
    fe4 a, b, c, d, e, f, g, h;
    __m256i e19[10], g19[10]; /* 19 * limb of E and G (madd) */
    uint64_t dabs[64][LANES], dneg[64][LANES]; /* |digit| and sign, per digit and lane */
};

static inline void fe4_reduce(fe4 *h)
{
    fe4_carry(h, h->v[0], h->v[1], h->v[2], h->v[3], h->v[4], h->v[5], h->v[6], h->v[7],
              h->v[8], h->v[9]);
}

/* Each lane's entry of row r for digit i, negated where the digit is negative. */
static void comb4_select(struct comb4 *s, int r, int i)
{
    const __m256i one = bcast(1), lo32 = bcast(0xffffffffu);
    __m256i babs = _mm256_loadu_si256((const __m256i *)s->dabs[i]);
    __m256i negm = _mm256_sub_epi64(_mm256_setzero_si256(),
                                    _mm256_loadu_si256((const __m256i *)s->dneg[i]));
    __m256i zero = _mm256_cmpeq_epi64(babs, _mm256_setzero_si256()); /* digit 0: neutral */
    __m256i keep = _mm256_andnot_si256(zero, lo32);
    __m256i idx = _mm256_sub_epi64(babs, one); /* entry j holds (j + 1) * 256^r * B */
    fe4 *dst[3] = {&s->ypx, &s->ymx, &s->xy2d};
    for (int l = 0; l < 30; l++) {
        __m256i row = _mm256_load_si256((const __m256i *)tab8[r][l]);
        dst[l / 10]->v[l % 10] = _mm256_and_si256(_mm256_permutevar8x32_epi32(row, idx), keep);
    }
    /* the neutral element is (y + x, y - x, 2dxy) = (1, 1, 0) */
    s->ypx.v[0] = ADD(s->ypx.v[0], _mm256_and_si256(zero, one));
    s->ymx.v[0] = ADD(s->ymx.v[0], _mm256_and_si256(zero, one));
    /* -(x, y) = (-x, y): swap y + x with y - x, negate 2dxy (as 2p - 2dxy, an fe4_sub) */
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    for (int l = 0; l < 10; l++) {
        __m256i p2 = l == 0 ? p0 : (l & 1) ? po : pe;
        __m256i ypx = s->ypx.v[l], ymx = s->ymx.v[l], xy2d = s->xy2d.v[l];
        s->ypx.v[l] = _mm256_blendv_epi8(ypx, ymx, negm);
        s->ymx.v[l] = _mm256_blendv_epi8(ymx, ypx, negm);
        s->xy2d.v[l] = _mm256_blendv_epi8(xy2d, _mm256_sub_epi64(p2, xy2d), negm);
    }
}

/* (X:Y:Z:T) += (ypx, ymx, xy2d), madd-2008-hwcd-3 as in x25519_base_comb.c.
 * D = 2Z is left uncarried (even limbs < 2^27 + 2^14, odd < 2^26 + 2^18), so F = D - C + 2p
 * has even limbs below 2^28 + 2^14 and odd below 2^27 + 2^18: F and H = B + A only ever are
 * the first operand of fe4_mulp (odd limbs doubled: < 2^29), E = B - A and G = D + C (below
 * 1.5 * 2^27 + 2^15, so 19 * limb < 2^32) the second, with their 19-multiples made once for
 * two products each. The largest column sum is then below 2^54 * 1.5 * 249 < 2^62.6. */
static void comb4_madd(struct comb4 *s)
{
    const __m256i k19 = bcast(19);
    const __m256i p0 = bcast(2 * (m26 - 18)), pe = bcast(2 * m26), po = bcast(2 * m25);
    fe4_sub(&s->a, &s->Y, &s->X);
    fe4_mul(&s->a, &s->a, &s->ymx);
    fe4_add(&s->b, &s->Y, &s->X);
    fe4_mul(&s->b, &s->b, &s->ypx);
    fe4_mul(&s->c, &s->T, &s->xy2d);
    for (int i = 0; i < 10; i++) {
        __m256i p2 = i == 0 ? p0 : (i & 1) ? po : pe; /* 2p, as in fe4_sub */
        __m256i a = s->a.v[i], b = s->b.v[i], c = s->c.v[i], d = ADD(s->Z.v[i], s->Z.v[i]);
        __m256i e = _mm256_sub_epi64(ADD(b, p2), a), g = ADD(d, c);
        s->e.v[i] = e;
        s->f.v[i] = _mm256_sub_epi64(ADD(d, p2), c);
        s->g.v[i] = g;
        s->h.v[i] = ADD(b, a);
        if (i > 0) {
            s->e19[i] = MUL(e, k19);
            s->g19[i] = MUL(g, k19);
        }
    }
    fe4_mulp(&s->X, &s->f, s->e.v, s->e19);
    fe4_mulp(&s->Y, &s->h, s->g.v, s->g19);
    fe4_mulp(&s->T, &s->h, s->e.v, s->e19);
    fe4_mulp(&s->Z, &s->f, s->g.v, s->g19);
}

/* (X:Y:Z:T) *= 2, the negated dbl-2008-hwcd of x25519_base_comb.c; H and F are carried so
 * every product meets the limb bounds above. */
static void comb4_dbl(struct comb4 *s)
{
    fe4_sq(&s->a, &s->X);
    fe4_sq(&s->b, &s->Y);
    fe4_sq(&s->c, &s->Z);
    fe4_mul_small(&s->c, &s->c, 2);  /* C = 2 Z^2 */
    fe4_add(&s->h, &s->a, &s->b);    /* H = A + B */
    fe4_reduce(&s->h);
    fe4_add(&s->e, &s->X, &s->Y);
    fe4_sq(&s->e, &s->e);
    fe4_sub(&s->e, &s->h, &s->e);    /* E = H - (X + Y)^2 */
    fe4_sub(&s->g, &s->a, &s->b);    /* G = A - B */
    fe4_add(&s->f, &s->c, &s->g);    /* F = C + G */
    fe4_reduce(&s->f);
    fe4_mul(&s->X, &s->e, &s->f);
    fe4_mul(&s->Y, &s->g, &s->h);
    fe4_mul(&s->T, &s->e, &s->h);
    fe4_mul(&s->Z, &s->f, &s->g);
}

static void comb4(uint8_t out[LANES][32], struct comb4 *s)
{
    /* the first entry is the neutral element plus itself, (x, y) = ((ypx - ymx) / 2,
     * (ypx + ymx) / 2): in extended coordinates (4x : 4y : 4 : 4xy), one product instead of
     * a madd */
    comb4_select(s, 0, 1);
    fe4_sub(&s->a, &s->ypx, &s->ymx);
    fe4_add(&s->b, &s->ypx, &s->ymx);
    fe4_mul(&s->T, &s->a, &s->b);
    fe4_mul_small(&s->X, &s->a, 2);
    fe4_mul_small(&s->Y, &s->b, 2);
    for (int i = 0; i < 10; i++) fe4_set(&s->Z, i, i == 0 ? bcast(4) : _mm256_setzero_si256());
    for (int i = 3; i < 64; i += 2) {
        comb4_select(s, i / 2, i);
        comb4_madd(s);
    }
    for (int i = 0; i < 4; i++) comb4_dbl(s);
    for (int i = 0; i < 64; i += 2) {
        comb4_select(s, i / 2, i);
        comb4_madd(s);
    }
    /* RFC 7748 §4.1: u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y) */
    fe4_add(&s->a, &s->Z, &s->Y);
    fe4_sub(&s->b, &s->Z, &s->Y);
    fe4 inv[6];
    fe4_invert(&s->c, &s->b, inv);
    fe4_mul(&s->d, &s->a, &s->c);
    fe4_store(out, &s->d);
    ct_wipe(inv, sizeof inv);
}

/* The padding lane: a fixed scalar (any value works; this one is RFC 7748 §6.1's Alice) with
 * the base point as peer, so a padded lane never reports a failure. */
static const uint8_t dummy_priv[32] = {
    0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1, 0x72, 0x51, 0xb2, 0x66, 0x45,
    0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0, 0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
static const uint8_t base_u[32] = {9};

/* Clamp the n real scalars (and the padding) into st->k. */
static void load_scalars(struct ladder4 *st, const uint8_t priv[][32], unsigned n)
{
    uint8_t k[32];
    for (unsigned l = 0; l < LANES; l++) {
        x25519_clamp(k, l < n ? priv[l] : dummy_priv); /* n is public */
        for (int w = 0; w < 4; w++) memcpy(&st->k[w][l], k + 8 * w, 8);
    }
    ct_wipe(k, sizeof k);
}

static uint32_t avx2_keygen(uint8_t pub[][32], const uint8_t priv[][32], unsigned n)
{
    struct comb4 s;
    uint8_t out[LANES][32];
    int8_t e[64];
    pthread_once(&tab8_once, tab8_init);
    for (unsigned l = 0; l < LANES; l++) {
        x25519_comb_digits(e, l < n ? priv[l] : dummy_priv); /* n is public */
        for (int i = 0; i < 64; i++) {
            uint32_t neg = (uint32_t)(uint8_t)e[i] >> 7;
            s.dabs[i][l] = (uint64_t)(uint32_t)(e[i] * (1 - 2 * (int32_t)neg));
            s.dneg[i][l] = neg;
        }
    }
    comb4(out, &s);
    for (unsigned l = 0; l < n; l++) memcpy(pub[l], out[l], 32);
    ct_wipe(&s, sizeof s);
    ct_wipe(out, sizeof out);
    ct_wipe(e, sizeof e);
    ct_wipe_stack(); /* the field functions' spills and 19x operand arrays */
    _mm256_zeroall();
    return 0;
}

static uint32_t avx2_derive(uint8_t shared[][32], const uint8_t priv[][32],
                            const uint8_t peer[][32], unsigned n)
{
    struct ladder4 st;
    uint8_t out[LANES][32], u[LANES][32];
    uint32_t bad = 0;
    for (unsigned l = 0; l < LANES; l++) memcpy(u[l], l < n ? peer[l] : base_u, 32);
    load_scalars(&st, priv, n);
    fe4_load(&st.x1, (const uint8_t(*)[32])u);
    ladder4(out, &st);
    for (unsigned l = 0; l < n; l++) {
        memcpy(shared[l], out[l], 32);
        /* RFC 7748 §6.1: an all-zero shared secret means a small-order peer; fail the lane */
        bad |= x25519_is_zero(out[l]) << l;
    }
    ct_wipe(&st, sizeof st);
    ct_wipe(out, sizeof out);
    ct_wipe(u, sizeof u);
    ct_wipe_stack(); /* the field functions' spills and 19x operand arrays */
    _mm256_zeroall();
    return bad;
}

const cd_x25519 cd_x25519_avx2 = {
    .name = "avx2",
    .lanes = LANES,
    .needs = CD_NEEDS_AVX2,
    .keygen = avx2_keygen,
    .derive = avx2_derive,
};
