/* keysched.c — see keysched.h. The TLS 1.2 PRF is P_hash of RFC 5246 §5 with the suite's PRF
 * hash (SHA-256, or SHA-384 for *_SHA384 suites, RFC 5288 §3). Everything is built from HMAC
 * with the secret's pads hashed once per PRF call (cd_hmac_key.h), so the HMAC work runs in
 * ipsec-mb. Every buffer that held secret-derived bytes (A(i), output
 * blocks) is wiped before return. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd_hmac_key.h"
#include "ct.h"
#include "keysched.h"

#define KS_OUT_MAX 1024  /* the contract's bound on one PRF output */
#define KS_SEED_MAX 1024 /* label + seeds; TLS 1.2 needs at most 22 + 64 */

/* see keysched.h */
int ks_prf(enum cd_hash h, const uint8_t *secret, size_t slen, const char *label,
           const uint8_t *seed1, size_t n1, const uint8_t *seed2, size_t n2, uint8_t *out,
           size_t outlen)
{
    const size_t hl = cd_hash_len(h);
    const size_t ll = label ? strlen(label) : 0;
    if (outlen > KS_OUT_MAX || ll > KS_SEED_MAX || n1 > KS_SEED_MAX - ll ||
        n2 > KS_SEED_MAX - ll - n1)
        return -1;
    /* a = A(i) || label || seed: RFC 5246 §5 feeds "A(i) + seed" to each output HMAC, where
     * seed is label + seed for PRF(). The fixed tail is laid out once. */
    uint8_t a[CD_HASH_MAX + KS_SEED_MAX], blk[CD_HASH_MAX];
    const size_t sl = ll + n1 + n2;
    if (ll) memcpy(a + hl, label, ll);
    if (n1) memcpy(a + hl + ll, seed1, n1);
    if (n2) memcpy(a + hl + ll + n1, seed2, n2);

    /* Every HMAC below has the same key: its pads are hashed once (cd_hmac_key.h). */
    cd_hmac_key key;
    cd_hmac_key_init(&key, h, secret, slen);
    /* A(1) = HMAC(secret, A(0)), A(0) = label + seed */
    cd_hmac_key_mac(&key, a + hl, sl, blk);
    memcpy(a, blk, hl);
    for (size_t done = 0; done < outlen;) {
        cd_hmac_key_mac(&key, a, hl + sl, blk); /* HMAC(secret, A(i) + seed) */
        size_t take = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, blk, take);
        done += take;
        if (done < outlen) { /* A(i+1) = HMAC(secret, A(i)) */
            cd_hmac_key_mac(&key, a, hl, blk);
            memcpy(a, blk, hl);
        }
    }
    cd_hmac_key_wipe(&key);
    ct_wipe(a, hl);
    ct_wipe(blk, sizeof blk);
    return 0;
}

/* The wrappers below have fixed, small sizes; a failure means a caller broke the contract. */
static void prf_fixed(enum cd_hash h, const uint8_t *secret, size_t slen, const char *label,
                      const uint8_t *s1, size_t n1, const uint8_t *s2, size_t n2, uint8_t *out,
                      size_t outlen)
{
    if (ks_prf(h, secret, slen, label, s1, n1, s2, n2, out, outlen) != 0) {
        fprintf(stderr, "mbshake: keysched: PRF \"%s\" called with out-of-range sizes\n", label);
        abort();
    }
}

/* see keysched.h */
void ks_master_secret(enum cd_hash h, const uint8_t *pms, size_t pmslen, const uint8_t cr[32],
                      const uint8_t sr[32], uint8_t ms[48])
{
    /* RFC 5246 §8.1 */
    prf_fixed(h, pms, pmslen, "master secret", cr, 32, sr, 32, ms, 48);
}

/* see keysched.h */
void ks_extended_master_secret(enum cd_hash h, const uint8_t *pms, size_t pmslen,
                               const uint8_t *session_hash, size_t hlen, uint8_t ms[48])
{
    /* RFC 7627 §4: the seed is the session hash alone, no randoms */
    prf_fixed(h, pms, pmslen, "extended master secret", session_hash, hlen, NULL, 0, ms, 48);
}

/* see keysched.h */
void ks_key_block(enum cd_hash h, const uint8_t ms[48], const uint8_t sr[32], const uint8_t cr[32],
                  uint8_t *out, size_t n)
{
    /* RFC 5246 §6.3: note server_random comes first here, unlike the master secret */
    prf_fixed(h, ms, 48, "key expansion", sr, 32, cr, 32, out, n);
}

/* see keysched.h */
void ks_verify_data(enum cd_hash h, const uint8_t ms[48], int client, const uint8_t *hs_hash,
                    size_t hlen, uint8_t out[12])
{
    /* RFC 5246 §7.4.9: verify_data_length is 12 for every TLS 1.2 suite we offer */
    prf_fixed(h, ms, 48, client ? "client finished" : "server finished", hs_hash, hlen, NULL, 0,
              out, 12);
}
