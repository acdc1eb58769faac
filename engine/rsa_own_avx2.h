/* rsa_own_avx2.h — AVX2 modular exponentiation modulo a 1024-bit odd number (the CRT halves of
 * RSA-2048), rsa_own_avx2.c. Internal to rsa_own_mulx.c, which calls it only after rsa_own.c
 * found CD_NEEDS_AVX2 on this CPU. */
#ifndef MBSHAKE_RSA_OWN_AVX2_H
#define MBSHAKE_RSA_OWN_AVX2_H

#include <stddef.h>
#include <stdint.h>

/* 37 digits of 28 bits at [4..41), zeros around them (4 below, 7 above), so that shifted
 * loads need no bounds */
#define RSA_AVX2_PAD 48

typedef struct rsa_avx2_mod {
    _Alignas(64) uint64_t p[4 * RSA_AVX2_PAD]; /* the modulus, padded digits, shifted up by 0..3 */
    _Alignas(32) uint64_t rr[RSA_AVX2_PAD]; /* 2^2072 mod p, padded digits */
    uint64_t k0;                            /* -p^-1 mod 2^28 */
} rsa_avx2_mod;

/* p: 16 limbs, odd, top bit set; rr = 2^2072 mod p (16 limbs); n0 = -p^-1 mod 2^64. */
void rsa_avx2_mod_init(rsa_avx2_mod *M, const uint64_t p[16], const uint64_t rr[16], uint64_t n0);
/* Both CRT halves at once (h = 0, 1): out[h] + top[h] 2^1024 = x[h]^e[h] mod M[h], in
 * [0, 2 M[h]) (the caller subtracts once), for x[h] < M[h] as 16 limbs and exponents of exactly
 * `bits` bits in elimbs limbs (the work depends on bits only). */
void rsa_avx2_modexp2(uint64_t out[2][16], uint64_t top[2], const uint64_t x[2][16],
                      const uint64_t *const e[2], size_t elimbs, size_t bits,
                      const rsa_avx2_mod *const M[2]);

#endif
