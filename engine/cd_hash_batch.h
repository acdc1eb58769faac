/* cd_hash_batch.h — many hashes or HMACs at once through ipsec-mb's multi-buffer job API
 * (cd_ipsecmb.c). Every request of a call becomes one job; all of them are submitted before
 * any is collected, and the manager is flushed at the end, so its lanes (2 for SHA-NI on the
 * SSE manager, 8 for AVX2) fill across requests instead of running one message per flush.
 * Results equal cd_hash / cd_hmac_key_mac request by request. Each job carries its request's
 * index as a tag: a job that comes back foreign, twice, or not at all aborts loudly, and the
 * manager holds no job of ours once a call returns. The generic burst API is not used (the 1.3
 * bug of cd_ipsecmb.c). Which jobs are submitted depends only on the public lengths. */
#ifndef MBSHAKE_CD_HASH_BATCH_H
#define MBSHAKE_CD_HASH_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cd.h"
#include "cd_hmac_key.h"

/* out (cd_hash_len(h) bytes) = h(msg[0..n)). h: CD_SHA256 or CD_SHA384; n <= 65534. */
typedef struct cd_hash_req {
    enum cd_hash h;
    const void *msg;
    size_t n;
    uint8_t *out;
} cd_hash_req;

/* out (cd_hash_len(key->h) bytes) = HMAC(key, msg[0..n)); 1 <= n <= 65534. */
typedef struct cd_mac_req {
    const cd_hmac_key *key;
    const void *msg;
    size_t n;
    uint8_t *out;
} cd_mac_req;

/* Runs r[0..n) (any n; hashes may be mixed) in one submit-all-then-flush pass. */
void cd_hash_many(const cd_hash_req *r, unsigned n);
void cd_hmac_key_mac_many(const cd_mac_req *r, unsigned n);

#endif
