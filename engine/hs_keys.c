/* hs_keys.c — from the premaster secret to the record keys: master secret (RFC 5246 §8.1, or
 * the extended master secret of RFC 7627 §4 over the session hash) and the key block
 * (RFC 5246 §6.3) cut into AES-GCM keys and salts (RFC 5288 §3). */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"
#include "keysched.h"

/* see eng_internal.h */
int hs_derive_keys(eng_conn *c, size_t transcript_len, size_t pms_len)
{
    const tls_suite *s = c->suite;
    uint8_t kb[2 * 32 + 2 * TLS_GCM_SALT_LEN];
    int rc = 0;
    if (c->ems) {
        /* RFC 7627 §3: session_hash = Hash(handshake_messages) up to and including
         * ClientKeyExchange, with the PRF hash */
        uint8_t sh[CD_HASH_MAX];
        cd_hash(s->prf, c->hs, transcript_len, sh);
        ks_extended_master_secret(s->prf, c->pms, pms_len, sh, cd_hash_len(s->prf), c->ms);
    } else {
        ks_master_secret(s->prf, c->pms, pms_len, c->cr, c->sr, c->ms);
    }
    ct_wipe(c->pms, sizeof c->pms); /* RFC 5246 §8.1: delete the premaster once used */

    /* RFC 5246 §6.3: client_write_MAC_key and server_write_MAC_key are empty for AEAD, then
     * client_write_key, server_write_key, client_write_IV, server_write_IV. */
    const size_t kl = s->keylen, n = 2 * kl + 2 * TLS_GCM_SALT_LEN;
    ks_key_block(s->prf, c->ms, c->sr, c->cr, kb, n);
    const uint8_t *ck = kb, *sk = kb + kl, *civ = kb + 2 * kl, *siv = civ + TLS_GCM_SALT_LEN;
    const int client = c->role == ENG_CLIENT;
    if (cd_gcm_init(&c->wkey, client ? ck : sk, kl) != 0 ||
        cd_gcm_init(&c->rkey, client ? sk : ck, kl) != 0) {
        rc = FAIL(c, ENG_E_CRYPTO, "AES-GCM key setup failed");
        goto out;
    }
    memcpy(c->wsalt, client ? civ : siv, TLS_GCM_SALT_LEN);
    memcpy(c->rsalt, client ? siv : civ, TLS_GCM_SALT_LEN);
    c->keys_ready = 1;
out:
    ct_wipe(kb, sizeof kb);
    return rc;
}
