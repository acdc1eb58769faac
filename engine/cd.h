/* cd.h — crypto dispatch: CPU features, const implementation tables for the public-key
 * kernels, and the symmetric/hash/RNG entry points (ipsec-mb behind cd_ipsecmb.c only).
 *
 * Public-key kernels are batch calls: up to `lanes` independent operations per call, n in
 * 1..lanes; a partial batch is padded internally. They return a bit mask of FAILED lanes
 * (bit i = lane i), never an error code, so one bad peer key fails one connection only.
 * All secret-dependent work is constant time; every kernel wipes its secret intermediates. */
#ifndef MBSHAKE_CD_H
#define MBSHAKE_CD_H

#include <stddef.h>
#include <stdint.h>

/* ---- CPU features (cd_cpu.c) ------------------------------------------------------------ */
#define CD_F_OS_YMM (1u << 0)  /* XCR0: SSE+AVX state enabled by the OS */
#define CD_F_OS_ZMM (1u << 1)  /* XCR0: opmask + ZMM_Hi256 + Hi16_ZMM enabled */
#define CD_F_AVX2 (1u << 2)
#define CD_F_BMI2 (1u << 3)
#define CD_F_ADX (1u << 4)
#define CD_F_AVX512F (1u << 5)
#define CD_F_AVX512VL (1u << 6)
#define CD_F_AVX512BW (1u << 7)
#define CD_F_AVX512DQ (1u << 8)
#define CD_F_AVX512IFMA (1u << 9)
#define CD_F_AES (1u << 10)
#define CD_F_PCLMUL (1u << 11)
#define CD_F_SHA (1u << 12)
#define CD_F_VAES (1u << 13)
#define CD_F_VPCLMUL (1u << 14)

#define CD_NEEDS_AVX2 (CD_F_OS_YMM | CD_F_AVX2 | CD_F_BMI2 | CD_F_ADX)
#define CD_NEEDS_AVX512IFMA                                                                        \
    (CD_F_OS_YMM | CD_F_OS_ZMM | CD_F_AVX512F | CD_F_AVX512VL | CD_F_AVX512BW | CD_F_AVX512DQ |   \
     CD_F_AVX512IFMA | CD_F_BMI2 | CD_F_ADX)
#define CD_NEEDS_MULX (CD_F_BMI2 | CD_F_ADX)

/* Features of this CPU (cpuid + xgetbv), detected once. */
uint64_t cd_cpu_features(void);
/* Comma-separated names of the set bits, for logs and results files. */
const char *cd_cpu_feature_names(uint64_t f, char *buf, size_t cap);
/* The forced ISA (--isa or MBSHAKE_ISA), or NULL for "best available". */
const char *cd_isa_forced(void);
/* Force an ISA ("scalar", "avx2", "avx512ifma"; NULL/"auto" = best). Returns 0, or -1 when
 * the name is unknown or this CPU cannot run it (then *why gets a one-line reason). */
int cd_isa_force(const char *name, const char **why);
/* The CD_F_* features a tier needs; 0, or -1 for an unknown name. */
int cd_isa_needs(const char *name, uint64_t *needs);

/* ---- X25519 (RFC 7748) ----------------------------------------------------------------- */
typedef struct cd_x25519 {
    const char *name; /* "scalar" | "avx2" | "avx512ifma" — also the --isa value */
    unsigned lanes;   /* 1, 4, 8 */
    uint64_t needs;   /* CD_F_* bits; must match the file's -m flags (Makefile) */
    /* pub = X25519(priv, 9). priv is clamped internally. Returns 0 (never fails). */
    uint32_t (*keygen)(uint8_t pub[][32], const uint8_t priv[][32], unsigned n);
    /* out = X25519(priv, peer). Lane fails (bit set) when the result is all zero
     * (RFC 7748 §6.1 / RFC 8422 §5.11: small-order peer point). */
    uint32_t (*derive)(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][32],
                       unsigned n);
} cd_x25519;

/* ---- P-256 (SEC 1, FIPS 186-4, RFC 6979) ------------------------------------------------ */
typedef struct cd_p256 {
    const char *name;
    unsigned lanes;
    uint64_t needs;
    /* pub = 04||X||Y = priv*G. Lane fails if priv is 0 or >= n (order). */
    uint32_t (*keygen)(uint8_t pub[][65], const uint8_t priv[][32], unsigned n);
    /* out = X coordinate of priv*peer. Lane fails if peer is not 04||X||Y with X,Y < p on the
     * curve, if priv is out of range, or if the result is the point at infinity. */
    uint32_t (*derive)(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][65],
                       unsigned n);
    /* sig = r||s (32+32, big-endian) over the 32-byte message hash. Nonce per RFC 6979 with
     * HMAC-SHA256; when extra != NULL, extra[i] is the 32-byte additional data k' of
     * RFC 6979 §3.6 (hedged signing). Lane fails if priv is out of range. */
    uint32_t (*sign)(uint8_t sig[][64], const uint8_t priv[][32], const uint8_t hash[][32],
                     const uint8_t extra[][32], unsigned n);
    /* Lane fails unless sig = r||s is a valid signature of hash under pub (04||X||Y). */
    uint32_t (*verify)(const uint8_t pub[][65], const uint8_t hash[][32], const uint8_t sig[][64],
                       unsigned n);
    /* Optional (NULL where an implementation has none): a precomputed table for one public
     * key that verify_tab uses to verify signatures under that key faster, for callers that
     * meet the same key repeatedly. key_table_new returns NULL when pub is not a valid
     * point (or out of memory). verify_tab gives verify's result; tab[i] is pub[i]'s table
     * (a NULL or mismatched table just means the plain path). */
    void *(*key_table_new)(const uint8_t pub[65]);
    void (*key_table_free)(void *tab);
    uint32_t (*verify_tab)(const uint8_t pub[][65], const void *const tab[],
                           const uint8_t hash[][32], const uint8_t sig[][64], unsigned n);
} cd_p256;

/* Every implementation compiled in, best first; the scalar one is always last. */
extern const cd_x25519 *const cd_x25519_impls[];
extern const unsigned cd_x25519_nimpls;
extern const cd_p256 *const cd_p256_impls[];
extern const unsigned cd_p256_nimpls;
/* Best implementation whose needs are met by `have` (force == NULL). With a forced tier
 * (cd_isa_force names: "scalar", "avx2", "avx512ifma"), the implementation of that name; a
 * primitive with no kernel of that tier gets its best kernel below the tier (the tier is a
 * ceiling: e.g. P-256 without an AVX2 kernel runs scalar under --isa avx2), and every caller
 * prints the name of what it selected. NULL when the tier is unknown or this CPU lacks it. */
const cd_x25519 *cd_x25519_select(uint64_t have, const char *force);
const cd_p256 *cd_p256_select(uint64_t have, const char *force);

/* ---- Hashes, HMAC, AES-GCM through Intel ipsec-mb (cd_ipsecmb.c) ------------------------ */
/* CD_SHA512: cd_hash only (rsa_pkcs1_sha512 signatures, RFC 5246 §7.4.1.4.1), not cd_hmac. */
enum cd_hash { CD_SHA256 = 0, CD_SHA384 = 1, CD_SHA512 = 2 };
#define CD_HAVE_SHA512 1
#define CD_HASH_MAX 64
static inline size_t cd_hash_len(enum cd_hash h)
{
    return h == CD_SHA512 ? 64 : h == CD_SHA384 ? 48 : 32;
}

/* Per-thread ipsec-mb manager, created on first use. Returns the arch name ipsec-mb chose
 * ("avx512", "avx2", "sse", ...), for logs and results files. */
const char *cd_sym_arch(void);
/* The ipsec-mb library's version string ("1.3.0"), for results files. */
const char *cd_sym_version(void);
void cd_hash(enum cd_hash h, const void *msg, size_t n, uint8_t *out);
/* HMAC-SHA256 or HMAC-SHA384 (CD_SHA512 is not supported here and aborts). */
void cd_hmac(enum cd_hash h, const uint8_t *key, size_t klen, const void *msg, size_t n,
             uint8_t *out);

#define CD_GCM_KEY_SIZE 2048 /* >= sizeof(struct gcm_key_data); checked in cd_ipsecmb.c */
typedef struct cd_gcm_key {
    _Alignas(64) uint8_t opaque[CD_GCM_KEY_SIZE];
    unsigned keylen; /* 16 or 32 */
} cd_gcm_key;
/* keylen 16 or 32. Returns 0, or -1 on a bad length. */
int cd_gcm_init(cd_gcm_key *k, const uint8_t *key, size_t keylen);
void cd_gcm_wipe(cd_gcm_key *k);
/* 96-bit IV only (RFC 5288 §3: 4-byte salt || 8-byte explicit nonce). */
void cd_gcm_seal(const cd_gcm_key *k, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
                 const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16]);
/* Returns 0 if the tag verifies (constant-time compare), -1 otherwise (out is then wiped). */
int cd_gcm_open(const cd_gcm_key *k, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
                const uint8_t *in, size_t n, const uint8_t tag[16], uint8_t *out);

/* ---- Randomness (cd_rng.c): getrandom(2); aborts with a message if the kernel fails ------- */
void cd_random(void *buf, size_t n);

#endif
