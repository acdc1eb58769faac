/* ecdsa_der.h — ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 8422 §5.4,
 * X9.62) <-> fixed r||s (32+32 bytes, P-256). Strict DER on decode: minimal lengths, minimal
 * integers, no negative values, no trailing bytes. */
#ifndef MBSHAKE_ECDSA_DER_H
#define MBSHAKE_ECDSA_DER_H

#include <stddef.h>
#include <stdint.h>

#define ECDSA_P256_DER_MAX 72
/* Writes the DER encoding of rs into out (cap >= ECDSA_P256_DER_MAX); returns its length. */
size_t ecdsa_sig_to_der(const uint8_t rs[64], uint8_t *out);
/* Parses strict DER; r and s must each fit 32 bytes. Returns 0, or -1 if malformed. */
int ecdsa_sig_from_der(const uint8_t *der, size_t n, uint8_t rs[64]);

#endif
