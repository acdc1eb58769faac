/* hs_keys.c — from the premaster secret to the record keys: master secret (RFC 5246 §8.1, or
 * the extended master secret of RFC 7627 §4 over the session hash) and the key block
 * (RFC 5246 §6.3) cut into AES-GCM keys and salts (RFC 5288 §3). The hashing and HMAC work
 * is a parked op (ENG_OP_TLS_KEYS), so that a scheduler runs the key schedules of many
 * connections together through ipsec-mb's multi-buffer lanes (keysched_batch.h). */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"

/* see eng_internal.h */
int hs_derive_keys(eng_conn *c, size_t transcript_len, size_t pms_len)
{
    const tls_suite *s = c->suite;
    /* RFC 5246 §6.3: client_write_MAC_key and server_write_MAC_key are empty for AEAD, then
     * client_write_key, server_write_key, client_write_IV, server_write_IV. */
    const size_t kl = s->keylen, n = 2 * kl + 2 * TLS_GCM_SALT_LEN;
    if (c->op.kind != ENG_OP_TLS_KEYS) {
        /* RFC 7627 §3: session_hash = Hash(handshake_messages) up to and including
         * ClientKeyExchange, with the PRF hash; without EMS the randoms are the seed. */
        op_park(c, ENG_OP_TLS_KEYS, c->pms, c->hs, c->cr, c->ms);
        c->op.alen = pms_len;
        c->op.blen = transcript_len;
        c->op.ems = c->ems;
        c->op.d = c->sr;
        c->op.prf = (uint8_t)s->prf;
        c->op.kb = c->kb;
        c->op.kblen = n;
        /* RFC 5246 §7.4.9: the client's Finished covers the transcript through
         * ClientKeyExchange (we never send CertificateVerify): one hash serves it and EMS */
        c->op.vd = c->fin;
        return ENG_WANT_CRYPTO;
    }
    int rc = op_take(c, ENG_E_CRYPTO, "key derivation");
    ct_wipe(c->pms, sizeof c->pms); /* RFC 5246 §8.1: delete the premaster once used */
    if (rc) goto out;
    c->fin_ready = 1;
    const uint8_t *kb = c->kb;
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
    ct_wipe(c->kb, sizeof c->kb);
    return rc;
}
