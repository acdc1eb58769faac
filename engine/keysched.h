/* keysched.h — TLS 1.2 key schedule: PRF (RFC 5246 §5) with SHA-256 or SHA-384 (the suite's
 * PRF hash, RFC 5288 §3), master secret (§8.1), extended master secret (RFC 7627 §4), key
 * block (§6.3) and Finished verify_data (§7.4.9). HMAC comes from cd_hmac (ipsec-mb). */
#ifndef MBSHAKE_KEYSCHED_H
#define MBSHAKE_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "cd.h"

/* PRF(secret, label, seed1 || seed2) -> out[0..outlen). seed2 may be NULL/0. Returns 0, or -1
 * when outlen > 1024 or strlen(label) + n1 + n2 > 1024. Intermediate values are wiped. */
int ks_prf(enum cd_hash h, const uint8_t *secret, size_t slen, const char *label,
           const uint8_t *seed1, size_t n1, const uint8_t *seed2, size_t n2, uint8_t *out,
           size_t outlen);
/* master_secret = PRF(pms, "master secret", client_random || server_random)[0..48) */
void ks_master_secret(enum cd_hash h, const uint8_t *pms, size_t pmslen, const uint8_t cr[32],
                      const uint8_t sr[32], uint8_t ms[48]);
/* master_secret = PRF(pms, "extended master secret", session_hash)[0..48) */
void ks_extended_master_secret(enum cd_hash h, const uint8_t *pms, size_t pmslen,
                               const uint8_t *session_hash, size_t hlen, uint8_t ms[48]);
/* key_block = PRF(ms, "key expansion", server_random || client_random)[0..n) */
void ks_key_block(enum cd_hash h, const uint8_t ms[48], const uint8_t sr[32], const uint8_t cr[32],
                  uint8_t *out, size_t n);
/* verify_data = PRF(ms, client ? "client finished" : "server finished", hs_hash)[0..12) */
void ks_verify_data(enum cd_hash h, const uint8_t ms[48], int client, const uint8_t *hs_hash,
                    size_t hlen, uint8_t out[12]);

#endif
