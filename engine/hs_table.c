/* hs_table.c — the TLS 1.2 full handshake (RFC 5246 §7.3, no resumption, no client
 * authentication) as data: one entry per message with its record type, handshake type, the
 * role that writes it and a handler per role; one sequence per key exchange. hs_drive() walks
 * the sequence, and is the one place that checks an incoming message against it. */
#include <string.h>

#include "eng_internal.h"

const struct hs_action hs_actions[HS_MSG_COUNT] = {
    /*            name                         record type                  handshake type      writer      {server handler, client handler} */
    [HS_CH] = {"ClientHello", TLS_CT_HANDSHAKE, TLS_HS_CLIENT_HELLO, ENG_CLIENT,
               {srv_recv_client_hello, cli_send_client_hello}, HS_OPT_NEVER},
    [HS_SH] = {"ServerHello", TLS_CT_HANDSHAKE, TLS_HS_SERVER_HELLO, ENG_SERVER,
               {srv_send_server_hello, cli_recv_server_hello}, HS_OPT_NEVER},
    [HS_SCERT] = {"Certificate", TLS_CT_HANDSHAKE, TLS_HS_CERTIFICATE, ENG_SERVER,
                  {srv_send_certificate, cli_recv_certificate}, HS_OPT_NEVER},
    [HS_SKE] = {"ServerKeyExchange", TLS_CT_HANDSHAKE, TLS_HS_SERVER_KEY_EXCHANGE, ENG_SERVER,
                {srv_send_ske, cli_recv_ske}, HS_OPT_NEVER},
    /* RFC 5246 §7.4.4: optional; we never request client certificates (no client auth) */
    [HS_CREQ] = {"CertificateRequest", TLS_CT_HANDSHAKE, TLS_HS_CERTIFICATE_REQUEST, ENG_SERVER,
                 {hs_never, cli_recv_cert_request}, HS_OPT_IF_SENT},
    [HS_SHD] = {"ServerHelloDone", TLS_CT_HANDSHAKE, TLS_HS_SERVER_HELLO_DONE, ENG_SERVER,
                {srv_send_hello_done, cli_recv_hello_done}, HS_OPT_NEVER},
    /* RFC 5246 §7.4.6: a client asked for a certificate without one sends an empty list */
    [HS_CCERT] = {"Certificate (client)", TLS_CT_HANDSHAKE, TLS_HS_CERTIFICATE, ENG_CLIENT,
                  {hs_never, cli_send_empty_certificate}, HS_OPT_IF_ASKED},
    [HS_CKE] = {"ClientKeyExchange", TLS_CT_HANDSHAKE, TLS_HS_CLIENT_KEY_EXCHANGE, ENG_CLIENT,
                {srv_recv_cke, cli_send_cke}, HS_OPT_NEVER},
    [HS_CCCS] = {"ChangeCipherSpec (client)", TLS_CT_CHANGE_CIPHER_SPEC, 0, ENG_CLIENT,
                 {hs_recv_ccs, hs_send_ccs}, HS_OPT_NEVER},
    [HS_CFIN] = {"Finished (client)", TLS_CT_HANDSHAKE, TLS_HS_FINISHED, ENG_CLIENT,
                 {hs_recv_finished, hs_send_finished}, HS_OPT_NEVER},
    [HS_SCCS] = {"ChangeCipherSpec (server)", TLS_CT_CHANGE_CIPHER_SPEC, 0, ENG_SERVER,
                 {hs_send_ccs, hs_recv_ccs}, HS_OPT_NEVER},
    [HS_SFIN] = {"Finished (server)", TLS_CT_HANDSHAKE, TLS_HS_FINISHED, ENG_SERVER,
                 {hs_send_finished, hs_recv_finished}, HS_OPT_NEVER},
    [HS_APP] = {"application data", TLS_CT_APPLICATION_DATA, 0, HS_WRITER_BOTH,
                {hs_enter_app, hs_enter_app}, HS_OPT_NEVER},
};

/* RFC 5246 §7.3 Figure 1 with ECDHE (RFC 8422 §2): ServerKeyExchange carries the signed
 * ephemeral key. */
const uint8_t hs_seq_ecdhe[] = {HS_CH,  HS_SH,   HS_SCERT, HS_SKE,  HS_CREQ, HS_SHD, HS_CCERT,
                                HS_CKE, HS_CCCS, HS_CFIN,  HS_SCCS, HS_SFIN, HS_APP};
/* RSA key exchange: no ServerKeyExchange (RFC 5246 §7.4.3: not sent for RSA). */
const uint8_t hs_seq_rsa[] = {HS_CH,   HS_SH,   HS_SCERT, HS_CREQ, HS_SHD, HS_CCERT,
                              HS_CKE,  HS_CCCS, HS_CFIN,  HS_SCCS, HS_SFIN, HS_APP};
const unsigned hs_seq_ecdhe_len = sizeof hs_seq_ecdhe;
const unsigned hs_seq_rsa_len = sizeof hs_seq_rsa;

/* see eng_internal.h */
int hs_never(eng_conn *c)
{
    return FAIL(c, ENG_E_STATE, "%s is never handled by this side", c->ctx);
}

static const char *hs_type_name(uint8_t t)
{
    switch (t) {
    case TLS_HS_HELLO_REQUEST: return "HelloRequest";
    case TLS_HS_CLIENT_HELLO: return "ClientHello";
    case TLS_HS_SERVER_HELLO: return "ServerHello";
    case TLS_HS_CERTIFICATE: return "Certificate";
    case TLS_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case TLS_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
    case TLS_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case TLS_HS_CERTIFICATE_VERIFY: return "CertificateVerify";
    case TLS_HS_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case TLS_HS_FINISHED: return "Finished";
    default: return "unknown handshake message";
    }
}

/* 1 when a complete incoming message sits at the transcript's end (type and body length in
 * cur_hs_type / msg_len), 0 when more bytes are needed, or an error. */
static int hs_in_next(eng_conn *c)
{
    if (c->hs_in < TLS_HS_HDR) return 0;
    const uint8_t *h = c->hs + c->hs_len;
    size_t len = (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
    /* No RFC alert exists for a message larger than a local limit; decode_error says "we could
     * not take this message" (RFC 5246 §7.2.2), and the limit leaves room for real chains. */
    REQUIRE(c, c->hs_len + TLS_HS_HDR + len <= ENG_HS_CAP, ENG_E_DECODE,
            "%s of %zu bytes exceeds the %d-byte handshake buffer", hs_type_name(h[0]), len,
            ENG_HS_CAP);
    if (c->hs_in < TLS_HS_HDR + len) return 0;
    c->cur_hs_type = h[0];
    c->msg_len = len;
    return 1;
}

/* see eng_internal.h */
int hs_in_append(eng_conn *c, const uint8_t *p, size_t n)
{
    /* RFC 5246 §6.2.1: handshake messages may be fragmented over records and several may
     * share one record: bytes are reassembled here, after the transcript. */
    REQUIRE(c, n <= ENG_HS_CAP - c->hs_len - c->hs_in, ENG_E_DECODE,
            "handshake data exceeds the %d-byte handshake buffer", ENG_HS_CAP);
    memcpy(c->hs + c->hs_len + c->hs_in, p, n);
    c->hs_in += n;
    CONN_HW(c->hs_hw, c->hs_len + c->hs_in);
    int r = hs_in_next(c); /* refuses an oversized message as soon as its header is in */
    return r < 0 ? r : 0;
}

/* Drops the incoming message at the transcript's end (it never becomes transcript). */
static void hs_in_drop(eng_conn *c)
{
    size_t m = TLS_HS_HDR + c->msg_len;
    memmove(c->hs + c->hs_len, c->hs + c->hs_len + m, c->hs_in - m);
    c->hs_in -= m;
}

/* see eng_internal.h */
void hs_msg_begin(eng_conn *c, eng_wr *w, uint8_t type)
{
    eng_wr_init(w, c->hs + c->hs_len, ENG_HS_CAP - c->hs_len);
    eng_wr_uint(w, type, 1);
    /* RFC 5246 §7.4: uint24 length, patched by hs_msg_end. Not an eng_wr block, so that the
     * message body keeps all four nesting levels of eng_wr (ClientHello's server_name needs
     * extensions > extension_data > ServerNameList > HostName). */
    eng_wr_uint(w, 0, 3);
}

/* see eng_internal.h */
int hs_msg_end(eng_conn *c, eng_wr *w)
{
    /* a builder that gave up before here wrote only bytes of our own outgoing message */
    CONN_HW(c->hs_hw, c->hs_len + w->len);
    REQUIRE(c, !w->err && w->depth == 0, ENG_E_INTERNAL(6),
            "our %s does not fit the handshake buffer", c->ctx);
    size_t body = w->len - TLS_HS_HDR;
    w->p[1] = (uint8_t)(body >> 16);
    w->p[2] = (uint8_t)(body >> 8);
    w->p[3] = (uint8_t)body;
    GUARD(rec_write_hs(c, c->hs + c->hs_len, w->len));
    c->hs_len += w->len;
    return 0;
}

/* see eng_internal.h */
int hs_drive(eng_conn *c)
{
    for (;;) {
        unsigned n = c->seq == hs_seq_rsa ? hs_seq_rsa_len : hs_seq_ecdhe_len;
        if (c->idx >= n) return FAIL(c, ENG_E_STATE, "handshake already complete");
        const struct hs_action *a = &hs_actions[c->seq[c->idx]];
        c->ctx = a->name;
        int r;
        if (a->opt != HS_OPT_NEVER) {
            int present;
            if (a->opt == HS_OPT_IF_ASKED) {
                present = c->cert_requested;
            } else if (a->writer == c->role || c->ccs_in) {
                present = 0; /* we never send it; a CCS here fails at the next entry */
            } else {
                r = hs_in_next(c);
                if (r <= 0) return r < 0 ? r : ENG_WANT_READ;
                present = c->cur_hs_type == a->type;
            }
            if (!present) {
                c->idx++;
                continue;
            }
        }
        if (a->writer == c->role || a->writer == HS_WRITER_BOTH) {
            /* Our turn: the peer must not have sent anything of the handshake meanwhile
             * (RFC 5246 §7.3: each side waits for the other's flight). */
            REQUIRE(c, a->writer == HS_WRITER_BOTH || (c->hs_in == 0 && !c->ccs_in),
                    ENG_E_UNEXPECTED, "peer sent %s while we were to send %s",
                    c->ccs_in ? "ChangeCipherSpec" : "handshake data", a->name);
            r = a->fn[c->role](c);
            if (r != 0) return r;
        } else if (c->ccs_in) {
            /* RFC 5246 §7.1: ChangeCipherSpec only where the flow has it */
            REQUIRE(c, a->rec == TLS_CT_CHANGE_CIPHER_SPEC, ENG_E_UNEXPECTED,
                    "ChangeCipherSpec received while expecting %s", a->name);
            r = a->fn[c->role](c);
            if (r != 0) return r;
            c->ccs_in = 0;
        } else {
            r = hs_in_next(c);
            if (r <= 0) return r < 0 ? r : ENG_WANT_READ;
            if (c->role == ENG_CLIENT && c->cur_hs_type == TLS_HS_HELLO_REQUEST) {
                /* RFC 5246 §7.4.1.1: ignored while negotiating, and never part of the
                 * transcript; its body is empty. */
                REQUIRE(c, c->msg_len == 0, ENG_E_DECODE, "HelloRequest with a %zu-byte body",
                        c->msg_len);
                hs_in_drop(c);
                continue;
            }
            /* RFC 5246 §7.3 / §7.4: messages must come in the order of the flow; anything
             * else is unexpected_message. This is the one place that checks it. */
            REQUIRE(c, a->rec == TLS_CT_HANDSHAKE && a->type == c->cur_hs_type,
                    ENG_E_UNEXPECTED, "%s received while expecting %s",
                    hs_type_name(c->cur_hs_type), a->name);
            r = a->fn[c->role](c);
            if (r != 0) return r; /* parked: the message stays current until re-entry */
            size_t m = TLS_HS_HDR + c->msg_len;
            c->hs_len += m;
            c->hs_in -= m;
        }
        c->idx++;
        c->sub = 0;
        if (c->hs_done) return ENG_DONE;
    }
}

/* see eng_internal.h */
int hs_post_handshake(eng_conn *c)
{
    int r = hs_in_next(c);
    if (r <= 0) return r;
    c->ctx = "post-handshake";
    if (c->role == ENG_CLIENT && c->cur_hs_type == TLS_HS_HELLO_REQUEST) {
        REQUIRE(c, c->msg_len == 0, ENG_E_DECODE, "HelloRequest with a %zu-byte body",
                c->msg_len);
    } else if (c->role != ENG_SERVER || c->cur_hs_type != TLS_HS_CLIENT_HELLO) {
        return FAIL(c, ENG_E_UNEXPECTED, "%s after the handshake",
                    hs_type_name(c->cur_hs_type));
    }
    /* We never renegotiate. RFC 5246 §7.2.2: no_renegotiation is the answer to a
     * HelloRequest (client) or to a ClientHello after the handshake (server), and is always a
     * warning; RFC 5746 §4.2/§4.4 allow refusing, and the connection goes on with the keys it
     * has. The peer decides whether to continue or to close. */
    hs_in_drop(c);
    GUARD(rec_send_alert(c, TLS_ALERT_WARNING, ALERT_NO_RENEGOTIATION));
    return 1;
}
