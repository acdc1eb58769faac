/* msg_finished.c — ChangeCipherSpec (RFC 5246 §7.1) and Finished (RFC 5246 §7.4.9) for both
 * roles, and the switch to application data once both Finished messages are through. */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"

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
 * including, this Finished; HelloRequest excluded), with the PRF hash. The client's comes with
 * the key schedule (hs_keys.c: the transcript has not grown since). The server's is a parked
 * op (ENG_OP_TLS_FINISHED), so that a scheduler batches it with other connections': the first
 * call parks (ENG_WANT_CRYPTO), the call after resumption fills out and returns 0. */
static int verify_data(eng_conn *c, int client, uint8_t out[TLS_VERIFY_DATA_LEN])
{
    if (client && c->fin_ready) {
        memcpy(out, c->fin, TLS_VERIFY_DATA_LEN);
        ct_wipe(c->fin, sizeof c->fin);
        c->fin_ready = 0;
        return 0;
    }
    if (c->op.kind != ENG_OP_TLS_FINISHED) {
        op_park(c, ENG_OP_TLS_FINISHED, c->ms, c->hs, NULL, c->fin);
        c->op.blen = c->hs_len;
        c->op.prf = (uint8_t)c->suite->prf;
        c->op.ems = (uint8_t)(client != 0);
        return ENG_WANT_CRYPTO;
    }
    int rc = op_take(c, ENG_E_CRYPTO, "Finished verify_data");
    if (rc == 0) memcpy(out, c->fin, TLS_VERIFY_DATA_LEN);
    ct_wipe(c->fin, sizeof c->fin);
    return rc;
}

/* see eng_internal.h */
int hs_send_finished(eng_conn *c)
{
    uint8_t vd[TLS_VERIFY_DATA_LEN];
    eng_wr w;
    int rc = verify_data(c, c->role == ENG_CLIENT, vd);
    if (rc) return rc; /* parked, or failed */
    hs_msg_begin(c, &w, TLS_HS_FINISHED);
    eng_wr_bytes(&w, vd, sizeof vd);
    rc = hs_msg_end(c, &w);
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
    int rc = verify_data(c, c->role != ENG_CLIENT, vd);
    if (rc) return rc; /* parked, or failed */
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
