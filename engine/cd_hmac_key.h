/* cd_hmac_key.h — HMAC-SHA256/384 with the key's pads hashed once (RFC 2104 §4, "Implementation
 * Note": the compression states after K0^ipad and K0^opad can be kept and reused). The TLS 1.2
 * PRF (RFC 5246 §5) runs HMAC 2 to 4 times with one secret; recomputing the two pad blocks each
 * time cost about as much as the MAC itself. Implemented in cd_ipsecmb.c, next to cd_hmac, and
 * bit-for-bit equal to it (tests/unit/test_hmac_key.c). */
#ifndef MBSHAKE_CD_HMAC_KEY_H
#define MBSHAKE_CD_HMAC_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "cd.h"

/* Secret: wipe with cd_hmac_key_wipe on every exit path. */
typedef struct cd_hmac_key {
    _Alignas(16) uint8_t ist[64]; /* state after K0^ipad (32 bytes for SHA-256, 64 for SHA-384) */
    _Alignas(16) uint8_t ost[64]; /* state after K0^opad */
    _Alignas(16) uint8_t k0[128]; /* RFC 2104 K0, for the lengths the HMAC job refuses */
    enum cd_hash h;
} cd_hmac_key;

/* h: CD_SHA256 or CD_SHA384 (anything else aborts, as cd_hmac does). */
void cd_hmac_key_init(cd_hmac_key *k, enum cd_hash h, const uint8_t *key, size_t klen);
/* out (cd_hash_len(k->h) bytes) = HMAC(key, msg[0..n)); same result as cd_hmac. */
void cd_hmac_key_mac(const cd_hmac_key *k, const void *msg, size_t n, uint8_t *out);
void cd_hmac_key_wipe(cd_hmac_key *k);

#endif
