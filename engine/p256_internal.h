/* p256_internal.h — types and helpers shared by the P-256 files; not part of the engine API.
 *
 *   p256_fe_mont64.c/.h    field GF(p), 4x64-bit limbs, Montgomery form (R = 2^256); the hot
 *                          operations are baseline x86-64 inline assembly in the .h
 *   p256_fn_mont64.c       integers mod the group order n, Montgomery form, inversion
 *   p256_point_jacobian.c  Jacobian point formulas, validation, constant-time variable-base
 *                          multiplication (odd signed 5-bit windows over a co-Z table),
 *                          variable-time verify multiplication
 *   p256_base_booth7.c     fixed-base multiplication: 37 affine tables of 64 points (Booth 7-bit
 *                          windows), built at first use
 *   p256_rfc6979.c         deterministic (optionally hedged) nonces, RFC 6979 §3.2 / §3.6
 *   p256_scalar.c          cd_p256_scalar: keygen / derive / sign / verify, lanes = 1
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
/* Plain big-endian integer -> Montgomery form. Returns all-ones if in < p, else 0 (r is then
 * meaningless but computed in the same time). */
uint64_t p256_fe_from_be(p256_fe r, const uint8_t in[32]);
void p256_fe_to_be(uint8_t out[32], const p256_fe a);
void p256_fe_from_mont(uint64_t r[4], const p256_fe a); /* plain integer < p */
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
/* r = u1*G + u2*Q, u1 and u2 plain integers < n. Variable time: only for verification. */
void p256_point_mul2_vartime(p256_jac *r, const uint64_t u1[4], const p256_aff *q,
                             const uint64_t u2[4]);

/* ---- fixed base (p256_base_booth7.c) ---------------------------------------------------- */
/* r = k*G, k a big-endian scalar in [1, n-1] (secret). Constant time in k. */
void p256_base_mul_ct(p256_jac *r, const uint8_t k[32]);
/* r = u*G, u a plain integer < n (public; may be 0). Variable time. */
void p256_base_mul_vartime(p256_jac *r, const uint64_t u[4]);

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
