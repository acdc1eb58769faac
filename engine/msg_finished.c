/* msg_finished.c — ChangeCipherSpec (RFC 5246 §7.1) and Finished (RFC 5246 §7.4.9) for both
 * roles, and the switch to application data once both Finished messages are through. */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"
#include "keysched.h"

/* see eng_internal.h */
int hs_send_ccs(eng_conn *c)
{
    REQUIRE(c, c->keys_ready, ENG_E_STATE, "ChangeCipherSpec before the keys exist");
    const uint8_t b = TLS_CCS_BYTE;
    GUARD(rec_write(c, TLS_CT_CHANGE_CIPHER_SPEC, &b, 1));
    rec_activate_write(c); /* RFC 5246 §7.1: pending write state becomes current */
    return 0;
}

/* see eng_internal.h */
int hs_recv_ccs(eng_conn *c)
{
    REQUIRE(c, c->keys_ready, ENG_E_STATE, "ChangeCipherSpec before the keys exist");
    rec_activate_read(c); /* RFC 5246 §7.1: pending read state becomes current */
    return 0;
}

/* verify_data over the transcript so far (RFC 5246 §7.4.9: all handshake messages up to, not
 * including, this Finished; HelloRequest excluded). */
static void verify_data(eng_conn *c, int client, uint8_t out[TLS_VERIFY_DATA_LEN])
{
    uint8_t h[CD_HASH_MAX];
    enum cd_hash hash = c->suite->prf; /* RFC 5246 §7.4.9: the PRF hash */
    cd_hash(hash, c->hs, c->hs_len, h);
    ks_verify_data(hash, c->ms, client, h, cd_hash_len(hash), out);
}

/* see eng_internal.h */
int hs_send_finished(eng_conn *c)
{
    uint8_t vd[TLS_VERIFY_DATA_LEN];
    eng_wr w;
    verify_data(c, c->role == ENG_CLIENT, vd);
    hs_msg_begin(c, &w, TLS_HS_FINISHED);
    eng_wr_bytes(&w, vd, sizeof vd);
    int rc = hs_msg_end(c, &w);
    ct_wipe(vd, sizeof vd);
    return rc;
}

/* see eng_internal.h */
int hs_recv_finished(eng_conn *c)
{
    /* RFC 5246 §7.4.9: verify_data is 12 bytes for every suite we speak */
    REQUIRE(c, c->msg_len == TLS_VERIFY_DATA_LEN, ENG_E_DECODE, "Finished of %zu bytes",
            c->msg_len);
    uint8_t vd[TLS_VERIFY_DATA_LEN];
    verify_data(c, c->role != ENG_CLIENT, vd);
    uint32_t ok = ct_memeq(vd, hs_msg_body(c), sizeof vd);
    ct_wipe(vd, sizeof vd);
    /* RFC 5246 §7.4.9 / §7.2.2: a Finished that does not verify is decrypt_error */
    REQUIRE(c, ok, ENG_E_DECRYPT, "verify_data does not match the transcript");
    return 0;
}

/* see eng_internal.h */
int hs_enter_app(eng_conn *c)
{
    /* No resumption: the master secret has no use after both Finished messages. */
    ct_wipe(c->ms, sizeof c->ms);
    /* The transcript is done; the buffer now only reassembles post-handshake messages. */
    memmove(c->hs, c->hs + c->hs_len, c->hs_in);
    c->hs_len = 0;
    c->hs_done = 1;
    return 0;
}
