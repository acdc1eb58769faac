/* p256_internal.h — types and helpers shared by the P-256 files; not part of the engine API.
 *
 *   p256_fe_mont64.c/.h    field GF(p), 4x64-bit limbs, Montgomery form (R = 2^256); the hot
 *                          operations are baseline x86-64 inline assembly in the .h
 *   p256_fe_asm.h          the asm text both multiplier flavours and the mod-n code share
 *                          (product, square, reduction mod p), GF(p) add/sub
 *   p256_fe_mulx.h         fe_mul/fe_sqr with BMI2 mulx + ADX adcx/adox (*_mulx.c files only)
 *   p256_point_formulas.h  the Jacobian formulas once, over whichever flavour is included
 *   p256_fn_mont64.c       integers mod the group order n, Montgomery form, inversion
 *   p256_point_jacobian.c  point validation, the formulas over the baseline field code,
 *                          constant-time variable-base
 *                          multiplication (odd signed 5-bit windows over a co-Z table)
 *   p256_base_booth7.c     fixed-base multiplication: 37 affine tables of 64 points (Booth 7-bit
 *                          windows), built at first use
 *   p256_rfc6979.c         deterministic (optionally hedged) nonces, RFC 6979 §3.2 / §3.6
 *   p256_scalar.c          cd_p256_scalar: keygen / derive / sign / verify, lanes = 1
 *   p256_inv_vartime.c     variable-time inversion mod p or n (public values)
 *   p256_verify_impl.h     ECDSA verification (Straus, affine tables, shared inversions), built
 *                          as p256_verify_base.c (baseline) and p256_verify_mulx.c (BMI2/ADX)
 *
 * Field elements and scalars are little-endian arrays of four 64-bit limbs. Unless a name says
 * otherwise, every function is constant time in all of its inputs. */
#ifndef MBSHAKE_P256_INTERNAL_H
#define MBSHAKE_P256_INTERNAL_H

#include <stdint.h>

typedef uint64_t p256_fe[4]; /* mod p, Montgomery form, always fully reduced (< p) */
typedef uint64_t p256_fn[4]; /* mod n, Montgomery form unless stated, fully reduced */

typedef struct {
    p256_fe x, y, z; /* (X/Z^2, Y/Z^3); Z = 0 is the point at infinity */
} p256_jac;
typedef struct {
    p256_fe x, y; /* affine, Montgomery form; never the point at infinity */
} p256_aff;

/* Marks bytes derived from secrets as public for the ctgrind check (tests/ct): used only where a
 * value is about to become public anyway (a retry decision of RFC 6979 §3.2 h.3). Compiles to a
 * few no-op instructions outside valgrind. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define P256_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef P256_DECLASSIFY
#define P256_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

/* ---- big-endian bytes <-> limbs, plain integers ------------------------------------------ */
void p256_limbs_from_be(uint64_t r[4], const uint8_t in[32]);
void p256_limbs_to_be(uint8_t out[32], const uint64_t a[4]);
/* all-ones if a < b (as 256-bit integers), else 0 */
uint64_t p256_limbs_lt(const uint64_t a[4], const uint64_t b[4]);
/* all-ones if a == 0, else 0 */
uint64_t p256_limbs_is_zero(const uint64_t a[4]);
/* r = mask ? a : r */
void p256_limbs_cmov(uint64_t r[4], const uint64_t a[4], uint64_t mask);

/* ---- GF(p) (p256_fe_mont64.c) ----------------------------------------------------------- */
extern const p256_fe p256_fe_one; /* 1 in Montgomery form */
extern const p256_fe p256_fe_b;   /* curve coefficient b in Montgomery form */
extern const uint64_t p256_p[4];  /* p as a plain integer */
void p256_fe_mul(p256_fe r, const p256_fe a, const p256_fe b);
void p256_fe_sqr(p256_fe r, const p256_fe a);
void p256_fe_sqr_n(p256_fe r, const p256_fe a, unsigned n); /* a^(2^n) */
void p256_fe_add(p256_fe r, const p256_fe a, const p256_fe b);
void p256_fe_sub(p256_fe r, const p256_fe a, const p256_fe b);
void p256_fe_neg(p256_fe r, const p256_fe a);
void p256_fe_inv(p256_fe r, const p256_fe a); /* a^(p-2): 0 maps to 0 */
/* The same value (0 maps to 0), for a secret a: a is multiplied by a fresh random blinding
 * factor b (cd_random), the product, uniform and independent of a, is inverted by the
 * variable-time gcd, and the result multiplied by b again. Constant time in a; a third of the
 * cost of p256_fe_inv. */
void p256_fe_inv_blinded(p256_fe r, const p256_fe a);
/* Plain big-endian integer -> Montgomery form. Returns all-ones if in < p, else 0 (r is then
 * meaningless but computed in the same time). */
uint64_t p256_fe_from_be(p256_fe r, const uint8_t in[32]);
void p256_fe_to_be(uint8_t out[32], const p256_fe a);
void p256_fe_from_mont(uint64_t r[4], const p256_fe a); /* plain integer < p */
void p256_fe_to_mont(p256_fe r, const uint64_t a[4]);   /* plain integer < p -> Montgomery */
uint64_t p256_fe_is_zero(const p256_fe a);             /* all-ones if a == 0 */
uint64_t p256_fe_eq(const p256_fe a, const p256_fe b); /* all-ones if equal */

/* ---- mod n (p256_fn_mont64.c) ----------------------------------------------------------- */
extern const uint64_t p256_n[4]; /* the group order as a plain integer */
void p256_fn_mul(p256_fn r, const p256_fn a, const p256_fn b);
void p256_fn_add(p256_fn r, const p256_fn a, const p256_fn b);
void p256_fn_to_mont(p256_fn r, const uint64_t a[4]);   /* a < n plain -> Montgomery */
void p256_fn_from_mont(uint64_t r[4], const p256_fn a); /* -> plain integer < n */
/* a < 2^256 plain -> a mod n, plain (one conditional subtraction suffices: 2^256 < 2n) */
void p256_fn_reduce_once(uint64_t r[4], const uint64_t a[4]);
void p256_fn_inv(p256_fn r, const p256_fn a); /* Montgomery in/out, a^(n-2); constant time */
/* a^-1 for a secret nonzero a (Montgomery in/out) by blinding, as p256_fe_inv_blinded:
 * constant time in a, a fifth of the cost of p256_fn_inv */
void p256_fn_inv_blinded(p256_fn r, const p256_fn a);
/* a^-1 for a public nonzero a (Montgomery in/out), variable time (p256_inv_vartime) */
void p256_fn_inv_vartime(p256_fn r, const p256_fn a);
/* a uniformly random element of [1, n-1] from cd_random, Montgomery form (secret) */
void p256_fn_random(p256_fn r);
/* r = a^-1 mod m for a plain integer a in [1, m-1] and an odd prime m < 2^256 (p256_p or
 * p256_n); plain integers in and out. Variable time: public values only
 * (p256_inv_vartime.c). */
void p256_inv_vartime(uint64_t r[4], const uint64_t a[4], const uint64_t m[4]);
/* all-ones if the big-endian scalar is in [1, n-1], else 0 */
uint64_t p256_fn_in_range(const uint8_t in[32]);

/* ---- points (p256_point_jacobian.c) ----------------------------------------------------- */
/* Parses 04||X||Y with X, Y < p and Y^2 = X^3 - 3X + b (SEC 1 §2.3.4, with the public key
 * validation of §3.2.2.1). Returns 1 on success. Variable time: points are public. */
int p256_point_decode(p256_aff *r, const uint8_t in[65]);
void p256_point_dbl(p256_jac *r, const p256_jac *a);
/* r = a + b with b affine. Constant time; handles a = infinity (mask a_inf) and b = infinity
 * (mask b_inf) but not a = ±b. */
void p256_point_add_mixed_ct(p256_jac *r, const p256_jac *a, const p256_aff *b, uint64_t b_inf);
/* Variable time, every case handled (infinity, a = b, a = -b); b affine, so never infinity. */
void p256_point_add_mixed_vartime(p256_jac *r, const p256_jac *a, const p256_aff *b);
/* Variable time, every case handled (infinity, a = b, a = -b). */
void p256_point_add_vartime(p256_jac *r, const p256_jac *a, const p256_jac *b);
/* Affine coordinates of a (not at infinity). Constant time. Returns all-ones if a was finite. */
uint64_t p256_point_to_affine(p256_aff *r, const p256_jac *a);
/* r = k*P, k a big-endian scalar in [1, n-1] (secret), P public and valid. Constant time in k.
 * For k outside [1, n-1] the result is unspecified (callers substitute a valid scalar). */
void p256_point_mul_ct(p256_jac *r, const p256_aff *p, const uint8_t k[32]);
/* Width-w NAF of u < 2^256 (public), 2 <= w <= 8: digits d[i] odd in [-(2^(w-1) - 1),
 * 2^(w-1) - 1] or 0, u = sum d[i] 2^i, at most one nonzero digit in any w consecutive ones.
 * Returns the digit count (<= 257). Variable time. */
int p256_wnaf_vartime(int8_t d[257], const uint64_t u[4], unsigned w);


/* ---- fixed base (p256_base_booth7.c) ---------------------------------------------------- */
/* r = k*G, k a big-endian scalar in [1, n-1] (secret). Constant time in k. */
void p256_base_mul_ct(p256_jac *r, const uint8_t k[32]);
/* The tables behind it (built at first use; also read by p256_verify_impl.h and the AVX2 code): row j holds i * 2^(7j) * G for i = 1..64 at
 * index i - 1, affine, Montgomery form; P256_BASE_NWIN rows. */
#define P256_BASE_NWIN 37
#define P256_BASE_NENT 64
const p256_aff (*p256_base_tables(void))[P256_BASE_NENT];
/* The same table for any point q of order n (a validated public key): tab[j][i - 1] =
 * i 2^(7j) q. Variable time (q is public); about a millisecond. */
void p256_comb_build(p256_aff tab[][P256_BASE_NENT], const p256_aff *q);
/* The Booth digit of window j (0 <= j < P256_BASE_NWIN) of the 256-bit integer k: returns |d|
 * in 0..64 and sets *neg to all-ones when d < 0, else 0. Constant time. */
uint64_t p256_base_booth_digit(const uint64_t k[4], int j, uint64_t *neg);

/* ---- verification (p256_verify_impl.h) ------------------------------------------------------ */
/* The cd_p256 verify contract for any n <= 32: bit i of the result set unless sig[i] is a
 * valid signature of hash[i] under pub[i]. Variable time (all inputs are public). The same
 * code over the baseline field arithmetic (p256_verify_base.c) and over BMI2/ADX
 * (p256_verify_mulx.c; needs CD_NEEDS_MULX). */
uint32_t p256_verify_base(const uint8_t pub[][65], const uint8_t hash[][32],
                          const uint8_t sig[][64], unsigned n);
uint32_t p256_verify_mulx(const uint8_t pub[][65], const uint8_t hash[][32],
                          const uint8_t sig[][64], unsigned n);

/* ---- RFC 6979 nonces (p256_rfc6979.c) --------------------------------------------------- */
typedef struct {
    uint8_t k[32], v[32];
    int first;
} p256_rfc6979;
/* §3.2 steps a-g with x = priv, h1 = hash (bits2octets reduces it mod n) and, when extra is
 * not NULL, the 32-byte additional data k' of §3.6 appended after bits2octets(h1). */
void p256_rfc6979_init(p256_rfc6979 *st, const uint8_t priv[32], const uint8_t hash[32],
                       const uint8_t *extra);
/* Next candidate T (step h.2; for every call after the first, step h.3 first). The caller
 * checks it is in [1, n-1]. */
void p256_rfc6979_next(p256_rfc6979 *st, uint8_t cand[32]);

#endif
