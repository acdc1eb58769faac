/* x25519_internal.h — helpers shared by the X25519 kernels (x25519_scalar.c, x25519_x4_avx2.c)
 * and their tests; not part of the engine's API. */
#ifndef MBSHAKE_X25519_INTERNAL_H
#define MBSHAKE_X25519_INTERNAL_H

#include <stdint.h>

/* k = decodeScalar25519(priv) (RFC 7748 §5): clear bits 0-2 and 255, set bit 254. */
void x25519_clamp(uint8_t k[32], const uint8_t priv[32]);
/* 1 if all 32 bytes are zero, else 0; constant time. */
uint32_t x25519_is_zero(const uint8_t s[32]);
/* out = X25519(priv, u) on one lane with the scalar (radix 2^51) code; no zero check. */
void x25519_scalar_one(uint8_t out[32], const uint8_t priv[32], const uint8_t u[32]);

#endif
