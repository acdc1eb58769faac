/* keysched_batch.h — the TLS 1.2 key schedule of many handshakes in lockstep (keysched_batch.c).
 * At every step (session hashes; each HMAC of the P_hash chain of the master secret, then of the
 * key block) the jobs of all requests go to ipsec-mb's multi-buffer manager before any is
 * collected (cd_hash_batch.h), so its lanes fill across handshakes. Results equal the one-at-a-
 * time ks_* functions of keysched.h request by request. Which jobs run depends only on public
 * sizes (hash, lengths), never on the secrets. */
#ifndef MBSHAKE_KEYSCHED_BATCH_H
#define MBSHAKE_KEYSCHED_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cd.h"
#include "eng.h"

#define KS_MANY_SEED_MAX 128  /* label + seeds of one batched PRF request (TLS needs <= 86) */
#define KS_MANY_OUT_MAX  1024 /* as ks_prf */

/* PRF(secret, label, seed1 || seed2) -> out[0..outlen), as ks_prf (seed2 may be NULL/0). */
typedef struct ks_prf_req {
    enum cd_hash h; /* CD_SHA256 or CD_SHA384 */
    const uint8_t *secret;
    size_t slen;
    const char *label;
    const uint8_t *seed1, *seed2;
    size_t n1, n2;
    uint8_t *out;
    size_t outlen;
} ks_prf_req;

/* Runs r[0..n) in lockstep (any n, hashes and lengths may differ). Returns 0, or -1 when a
 * request breaks the bounds above (then nothing is computed). */
int ks_prf_many(const ks_prf_req *r, unsigned n);

/* From the premaster to the key block of one handshake, with T = the transcript through
 * ClientKeyExchange and H the PRF hash:
 *   ems:  ms = PRF(pms, "extended master secret", H(T))                (RFC 7627 §4)
 *   else: ms = PRF(pms, "master secret", cr || sr)                      (RFC 5246 §8.1)
 *   kb = PRF(ms, "key expansion", sr || cr)[0..kblen)                   (RFC 5246 §6.3)
 *   cvd = PRF(ms, "client finished", H(T))[0..12) when cvd != NULL      (RFC 5246 §7.4.9)
 * The client's Finished covers exactly T (no handshake message comes between its
 * ClientKeyExchange and its Finished when it sends no CertificateVerify), so with EMS one hash
 * of T serves both. */
typedef struct ks_keys_req {
    enum cd_hash h; /* the suite's PRF hash */
    const uint8_t *pms;
    size_t pmslen;
    const uint8_t *transcript; /* T; may be NULL when neither ems nor cvd */
    size_t tlen;
    int ems;
    const uint8_t *cr, *sr; /* 32 bytes each */
    uint8_t *ms;            /* out: 48 bytes */
    uint8_t *kb;            /* out: kblen bytes */
    size_t kblen;
    uint8_t *cvd; /* out: 12 bytes, or NULL */
} ks_keys_req;

/* Runs r[0..n) in lockstep. Returns the mask of requests (bit i for r[i], i < 32) refused for
 * out-of-range public sizes (pmslen > 1024, tlen > 65534, kblen > 1024, another hash); the
 * others are computed. */
uint32_t ks_tls_keys_many(const ks_keys_req *r, unsigned n);

/* ENG_OP_TLS_KEYS ops (eng.h) ops[0..n) (n <= 32), as ks_tls_keys_many; returns the mask of
 * failed ops. */
uint32_t ks_tls_keys_ops(eng_op *const *ops, unsigned n);

/* Finished (RFC 5246 §7.4.9): vd = PRF(ms, client ? "client finished" : "server finished",
 * H(transcript))[0..12), as ks_verify_data over cd_hash of the transcript. */
typedef struct ks_fin_req {
    enum cd_hash h;
    const uint8_t *ms; /* 48 bytes */
    int client;
    const uint8_t *transcript;
    size_t tlen;
    uint8_t *vd; /* out: 12 bytes */
} ks_fin_req;

/* Runs r[0..n) in lockstep; returns the mask of refused requests (i < 32; another hash,
 * tlen > 65534, a NULL buffer), the others are computed. */
uint32_t ks_finished_many(const ks_fin_req *r, unsigned n);
/* ENG_OP_TLS_FINISHED ops ops[0..n) (n <= 32); returns the mask of failed ops. */
uint32_t ks_finished_ops(eng_op *const *ops, unsigned n);

#endif
