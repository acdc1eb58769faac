/* test_negative.c — every bad input ends the connection with the right alert, and the alert is
 * really queued (checked byte by byte when plaintext, and by delivering it to the peer, which
 * must report it). Inputs are crafted records, or a good handshake's bytes mutated in flight
 * (plaintext handshake records before ChangeCipherSpec, ciphertext after). Good handshakes run
 * in between, and side by side, to show other connections are unaffected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "eng.h"
#include "eng_internal.h"
#include "th.h"
#include "tls_pair.h"

static eng_cfg *cli, *cli_noems, *srv_ecdsa, *srv_rsa;

static int need_certs(void)
{
    if (!tp_certs()) {
        th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
        return 0;
    }
    if (!cli) {
        cli = tp_client_cfg();
        cli_noems = tp_client_cfg();
        if (cli_noems) eng_cfg_set_offer_ems(cli_noems, 0);
        srv_ecdsa = tp_server_cfg("ecdsa-p256");
        srv_rsa = tp_server_cfg("rsa2048");
    }
    return cli && cli_noems && srv_ecdsa && srv_rsa;
}

/* A complete good handshake and a message each way: other connections keep working. */
static void good_handshake(const eng_cfg *sc)
{
    tp_pair p;
    if (tp_init(&p, cli, sc, "localhost") == 0) {
        CHECKF(tp_run(&p) == 0, "good handshake failed: %s / %s", eng_conn_errmsg(p.c[1]),
               eng_conn_errmsg(p.c[0]));
        tp_transfer(&p, ENG_CLIENT, (const uint8_t *)"ping", 4);
        tp_transfer(&p, ENG_SERVER, (const uint8_t *)"pong", 4);
    }
    tp_free(&p);
}

/* ---- crafted ClientHellos ------------------------------------------------------------------ */
typedef struct {
    uint16_t rec_version, version;
    int scsv_fallback, scsv_reneg, odd_suites, no_null_comp, dup_ext, reneg_nonempty;
    int pf_compressed_only, no_sigalgs, only_ecdsa_suites, no_groups_ext;
    size_t truncate;
    uint32_t fake_len; /* nonzero: handshake header claims this length */
} ch_opts;

static size_t build_ch(uint8_t *out, const ch_opts *o)
{
    uint8_t body[1024];
    eng_wr w;
    eng_wr_init(&w, body, sizeof body);
    eng_wr_uint(&w, o->version ? o->version : 0x0303, 2);
    for (int i = 0; i < 32; i++) eng_wr_uint(&w, (uint32_t)(i * 7), 1);
    eng_wr_uint(&w, 0, 1);
    eng_wr_open(&w, 2);
    eng_wr_uint(&w, 0xC02B, 2);
    if (!o->only_ecdsa_suites) {
        eng_wr_uint(&w, 0xC02F, 2);
        eng_wr_uint(&w, 0x009C, 2);
    }
    if (o->scsv_fallback) eng_wr_uint(&w, 0x5600, 2);
    if (o->scsv_reneg) eng_wr_uint(&w, 0x00FF, 2);
    if (o->odd_suites) eng_wr_uint(&w, 0x00, 1);
    eng_wr_close(&w);
    eng_wr_uint(&w, 1, 1);
    eng_wr_uint(&w, o->no_null_comp ? 1 : 0, 1);
    eng_wr_open(&w, 2);
    for (int k = 0; k < (o->dup_ext ? 2 : 1) && !o->no_groups_ext; k++) {
        eng_wr_uint(&w, 10, 2); /* supported_groups */
        eng_wr_open(&w, 2);
        eng_wr_open(&w, 2);
        eng_wr_uint(&w, 29, 2);
        eng_wr_uint(&w, 23, 2);
        eng_wr_close(&w);
        eng_wr_close(&w);
    }
    eng_wr_uint(&w, 11, 2); /* ec_point_formats */
    eng_wr_open(&w, 2);
    eng_wr_open(&w, 1);
    eng_wr_uint(&w, o->pf_compressed_only ? 1 : 0, 1);
    eng_wr_close(&w);
    eng_wr_close(&w);
    if (!o->no_sigalgs) {
        eng_wr_uint(&w, 13, 2);
        eng_wr_open(&w, 2);
        eng_wr_open(&w, 2);
        eng_wr_uint(&w, 0x0403, 2);
        eng_wr_uint(&w, 0x0804, 2);
        eng_wr_uint(&w, 0x0401, 2);
        eng_wr_close(&w);
        eng_wr_close(&w);
    }
    eng_wr_uint(&w, 23, 2); /* extended_master_secret */
    eng_wr_uint(&w, 0, 2);
    eng_wr_uint(&w, 0xff01, 2); /* renegotiation_info */
    eng_wr_open(&w, 2);
    eng_wr_open(&w, 1);
    if (o->reneg_nonempty) eng_wr_bytes(&w, "\x01\x02\x03", 3);
    eng_wr_close(&w);
    eng_wr_close(&w);
    eng_wr_uint(&w, 0x1234, 2); /* an unknown extension: ignored */
    eng_wr_open(&w, 2);
    eng_wr_bytes(&w, "abc", 3);
    eng_wr_close(&w);
    eng_wr_close(&w);
    CHECK(!w.err);
    size_t n = w.len - o->truncate;
    uint32_t hl = o->fake_len ? o->fake_len : (uint32_t)n;
    uint16_t rv = o->rec_version ? o->rec_version : 0x0301;
    size_t rl = 4 + n;
    uint8_t hdr[9] = {22, (uint8_t)(rv >> 8), (uint8_t)rv, (uint8_t)(rl >> 8), (uint8_t)rl, 1,
                      (uint8_t)(hl >> 16), (uint8_t)(hl >> 8), (uint8_t)hl};
    memcpy(out, hdr, 9);
    memcpy(out + 9, body, n);
    return 9 + n;
}

/* Feeds raw bytes to a fresh server; returns its status. */
static int to_server(tp_pair *p, const eng_cfg *sc, const uint8_t *b, size_t n)
{
    if (tp_init(p, cli, sc, "localhost") != 0) return -1;
    memcpy(p->box[ENG_SERVER], b, n);
    p->len[ENG_SERVER] = n;
    tp_feed(p, ENG_SERVER);
    return p->st[ENG_SERVER];
}

static void ch_expect(const ch_opts *o, int alert)
{
    uint8_t b[2048];
    size_t n = build_ch(b, o);
    tp_pair p;
    int st = to_server(&p, srv_ecdsa, b, n);
    if (alert < 0) {
        CHECKF(st == ENG_WANT_CRYPTO, "good ClientHello: status %d (%s)", st,
               eng_conn_errmsg(p.c[ENG_SERVER]));
    } else {
        CHECKF(st < 0, "bad ClientHello accepted (want %s)", eng_alert_name(alert));
        tp_expect_alert(&p, ENG_SERVER, alert);
        th_note("%s", eng_conn_errmsg(p.c[ENG_SERVER]));
    }
    tp_free(&p);
}

static void t_client_hello(void)
{
    if (!need_certs()) return;
    ch_opts o;
    memset(&o, 0, sizeof o);
    ch_expect(&o, -1); /* the crafted hello is good as built */
    o.scsv_reneg = 1;
    ch_expect(&o, -1);
    memset(&o, 0, sizeof o);
    o.truncate = 3; /* extension vector runs past the message */
    ch_expect(&o, ALERT_DECODE_ERROR);
    o.truncate = 60;
    ch_expect(&o, ALERT_DECODE_ERROR);
    memset(&o, 0, sizeof o);
    o.odd_suites = 1;
    ch_expect(&o, ALERT_DECODE_ERROR);
    memset(&o, 0, sizeof o);
    o.dup_ext = 1; /* RFC 5246 §7.4.1.4 */
    ch_expect(&o, ALERT_DECODE_ERROR);
    memset(&o, 0, sizeof o);
    o.no_null_comp = 1;
    ch_expect(&o, ALERT_ILLEGAL_PARAMETER);
    memset(&o, 0, sizeof o);
    o.pf_compressed_only = 1; /* RFC 8422 §5.1.2 */
    ch_expect(&o, ALERT_ILLEGAL_PARAMETER);
    good_handshake(srv_ecdsa);
}

static void t_versions(void)
{
    if (!need_certs()) return;
    ch_opts o;
    memset(&o, 0, sizeof o);
    o.version = 0x0302; /* TLS 1.1 without fallback SCSV */
    ch_expect(&o, ALERT_PROTOCOL_VERSION);
    o.scsv_fallback = 1; /* RFC 7507 §3 */
    ch_expect(&o, ALERT_INAPPROPRIATE_FALLBACK);
    o.version = 0x0303; /* SCSV with our highest version is fine */
    ch_expect(&o, -1);
    o.version = 0x0304; /* a higher client_version negotiates down to 1.2 (RFC 5246 E.1) */
    o.scsv_fallback = 0;
    ch_expect(&o, -1);
    memset(&o, 0, sizeof o);
    o.rec_version = 0x0200; /* record layer version */
    ch_expect(&o, ALERT_PROTOCOL_VERSION);
    good_handshake(srv_rsa);
    /* our client with TLS_FALLBACK_SCSV still completes against our server */
    eng_cfg *cc = tp_client_cfg();
    eng_cfg_set_fallback_scsv(cc, 1);
    tp_pair p;
    if (tp_init(&p, cc, srv_ecdsa, "localhost") == 0) CHECK_EQ(tp_run(&p), 0);
    tp_free(&p);
    eng_cfg_free(cc);
}

static void t_renegotiation_info(void)
{
    if (!need_certs()) return;
    ch_opts o;
    memset(&o, 0, sizeof o);
    o.reneg_nonempty = 1; /* RFC 5746 §3.6 */
    ch_expect(&o, ALERT_HANDSHAKE_FAILURE);
}

static void t_no_shared(void)
{
    if (!need_certs()) return;
    ch_opts o;
    memset(&o, 0, sizeof o);
    o.no_sigalgs = 1; /* default SHA-1 signatures are not offered by us: nothing usable */
    o.only_ecdsa_suites = 1;
    ch_expect(&o, ALERT_HANDSHAKE_FAILURE);
    char err[256];
    /* ECDSA-only client vs RSA server */
    eng_cfg *cc = tp_client_cfg();
    CHECK_EQ(eng_cfg_set_suites(cc, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
                                err, sizeof err),
             0);
    tp_pair p;
    if (tp_init(&p, cc, srv_rsa, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_SERVER, ALERT_HANDSHAKE_FAILURE);
    }
    tp_free(&p);
    /* no shared group: ECDHE-RSA only, client x25519, server secp256r1 */
    CHECK_EQ(eng_cfg_set_suites(cc, "ECDHE-RSA-AES128-GCM-SHA256", err, sizeof err), 0);
    CHECK_EQ(eng_cfg_set_groups(cc, "x25519", err, sizeof err), 0);
    eng_cfg *sc = tp_server_cfg("rsa2048");
    CHECK_EQ(eng_cfg_set_groups(sc, "secp256r1", err, sizeof err), 0);
    if (tp_init(&p, cc, sc, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_SERVER, ALERT_HANDSHAKE_FAILURE);
    }
    tp_free(&p);
    /* ECDSA server, client offering only x25519: the certificate's curve is not offered
     * (RFC 8422 §5.1), so no ECDSA suite; the client offers nothing else */
    CHECK_EQ(eng_cfg_set_suites(cc, "ECDHE-ECDSA-AES128-GCM-SHA256", err, sizeof err), 0);
    if (tp_init(&p, cc, srv_ecdsa, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_SERVER, ALERT_HANDSHAKE_FAILURE);
    }
    tp_free(&p);
    eng_cfg_free(sc);
    eng_cfg_free(cc);
    good_handshake(srv_ecdsa);
}

/* ---- record layer ------------------------------------------------------------------------- */
static void raw_server(const uint8_t *b, size_t n, int alert)
{
    tp_pair p;
    int st = to_server(&p, srv_ecdsa, b, n);
    CHECKF(st < 0, "accepted (want %s)", eng_alert_name(alert));
    tp_expect_alert(&p, ENG_SERVER, alert);
    tp_free(&p);
}

/* Runs the client until it has sent its ClientHello, then feeds it raw bytes. */
static void raw_client(const uint8_t *b, size_t n, int alert)
{
    tp_pair p;
    if (tp_init(&p, cli, srv_ecdsa, "localhost") != 0) return;
    tp_feed(&p, ENG_CLIENT);
    CHECK_EQ(p.st[ENG_CLIENT], ENG_WANT_READ);
    tp_move(&p, ENG_CLIENT); /* the ClientHello goes to the server's box, unread */
    memcpy(p.box[ENG_CLIENT], b, n);
    p.len[ENG_CLIENT] = n;
    tp_feed(&p, ENG_CLIENT);
    CHECKF(p.st[ENG_CLIENT] < 0, "client accepted (want %s)", eng_alert_name(alert));
    tp_expect_alert(&p, ENG_CLIENT, alert);
    tp_free(&p);
}

static void t_records(void)
{
    if (!need_certs()) return;
    /* RFC 5246 §6.2.1: 2^14 + 1 bytes of plaintext -> record_overflow, refused on the header */
    raw_server((const uint8_t *)"\x16\x03\x01\x40\x01", 5, ALERT_RECORD_OVERFLOW);
    /* exactly 2^14 is fine as far as the record layer goes (then a bad message inside) */
    {
        uint8_t *b = calloc(1, 5 + 16384);
        memcpy(b, "\x16\x03\x01\x40\x00", 5);
        b[5] = 1; /* ClientHello of length 0x000000? declare 16380 */
        b[6] = 0;
        b[7] = 0x3f;
        b[8] = 0xfc;
        raw_server(b, 5 + 16384, ALERT_DECODE_ERROR);
        free(b);
    }
    /* RFC 5246 §6: unknown content type */
    raw_server((const uint8_t *)"\x63\x03\x01\x00\x01\x00", 6, ALERT_UNEXPECTED_MESSAGE);
    /* RFC 5246 §6.2.1: zero-length handshake fragment */
    raw_server((const uint8_t *)"\x16\x03\x01\x00\x00", 5, ALERT_UNEXPECTED_MESSAGE);
    /* application data before the handshake */
    raw_server((const uint8_t *)"\x17\x03\x01\x00\x01\x00", 6, ALERT_UNEXPECTED_MESSAGE);
    /* alert record of the wrong size */
    raw_server((const uint8_t *)"\x15\x03\x01\x00\x03\x02\x28\x00", 8, ALERT_DECODE_ERROR);
    /* a handshake message larger than the handshake buffer is refused on its header */
    raw_server((const uint8_t *)"\x16\x03\x01\x00\x04\x01\x01\x00\x00", 9, ALERT_DECODE_ERROR);
    /* the peer's fatal alert: no answer, error says what the peer sent */
    {
        tp_pair p;
        int st = to_server(&p, srv_ecdsa, (const uint8_t *)"\x15\x03\x01\x00\x02\x02\x28", 7);
        CHECK_EQ(st, ENG_E_PEER(ALERT_HANDSHAKE_FAILURE));
        size_t n;
        eng_out_peek(p.c[ENG_SERVER], &n);
        CHECK_EQ(n, 0);
        tp_free(&p);
    }
    good_handshake(srv_ecdsa);
}

/* ---- flow ----------------------------------------------------------------------------------- */
static void t_out_of_order(void)
{
    if (!need_certs()) return;
    /* ServerHelloDone where ServerHello is expected */
    raw_client((const uint8_t *)"\x16\x03\x03\x00\x04\x0e\x00\x00\x00", 9, ALERT_UNEXPECTED_MESSAGE);
    /* Finished as the first message to a server */
    raw_server((const uint8_t *)"\x16\x03\x01\x00\x10\x14\x00\x00\x0c" "0123456789ab", 21,
               ALERT_UNEXPECTED_MESSAGE);
    /* RFC 5246 §7.1: ChangeCipherSpec at the wrong time, to both roles */
    raw_server((const uint8_t *)"\x14\x03\x01\x00\x01\x01", 6, ALERT_UNEXPECTED_MESSAGE);
    raw_client((const uint8_t *)"\x14\x03\x03\x00\x01\x01", 6, ALERT_UNEXPECTED_MESSAGE);
    /* malformed ChangeCipherSpec */
    raw_client((const uint8_t *)"\x14\x03\x03\x00\x01\x02", 6, ALERT_DECODE_ERROR);
    /* a HelloRequest during the handshake is ignored (RFC 5246 §7.4.1.1) */
    {
        tp_pair p;
        if (tp_init(&p, cli, srv_ecdsa, "localhost") == 0) {
            tp_feed(&p, ENG_CLIENT);
            tp_move(&p, ENG_CLIENT);
            memcpy(p.box[ENG_CLIENT], "\x16\x03\x03\x00\x04\x00\x00\x00\x00", 9);
            p.len[ENG_CLIENT] = 9;
            tp_feed(&p, ENG_CLIENT);
            CHECK_EQ(p.st[ENG_CLIENT], ENG_WANT_READ);
            CHECK_EQ(tp_run(&p), 0);
        }
        tp_free(&p);
    }
    /* ChangeCipherSpec instead of ClientKeyExchange: run the server to its ServerHelloDone */
    {
        tp_pair p;
        uint8_t ch[2048];
        ch_opts o;
        memset(&o, 0, sizeof o);
        size_t n = build_ch(ch, &o);
        if (to_server(&p, srv_ecdsa, ch, n) == ENG_WANT_CRYPTO) {
            while (p.st[ENG_SERVER] == ENG_WANT_CRYPTO) tp_feed(&p, ENG_SERVER);
            CHECK_EQ(p.st[ENG_SERVER], ENG_WANT_READ);
            eng_out_consume(p.c[ENG_SERVER], (size_t)-1);
            memcpy(p.box[ENG_SERVER], "\x14\x03\x03\x00\x01\x01", 6);
            p.len[ENG_SERVER] = 6;
            tp_feed(&p, ENG_SERVER);
            tp_expect_alert(&p, ENG_SERVER, ALERT_UNEXPECTED_MESSAGE);
        }
        tp_free(&p);
    }
    good_handshake(srv_rsa);
}

/* ---- tampering in flight ---------------------------------------------------------------------- */
enum {
    TM_CKE_ZERO = 1, TM_CKE_ONE, TM_CKE_OFFCURVE, TM_CKE_COMPRESSED, TM_CKE_SHORT, TM_SKE_POINT,
    TM_SKE_SIG, TM_FIN_RECORD, TM_CH_ORDER, TM_SH_EXT, TM_APP
};
typedef struct {
    int mode, done;
} tamper_arg;

static void tamper(tp_pair *p, eng_role from, uint8_t *b, size_t n)
{
    tamper_arg *t = p->arg;
    size_t bl = 0;
    uint8_t *m;
    if (t->done) return;
    switch (t->mode) {
    case TM_CKE_ZERO: case TM_CKE_ONE: case TM_CKE_OFFCURVE: case TM_CKE_COMPRESSED:
    case TM_CKE_SHORT:
        if (from != ENG_CLIENT || !(m = tp_find_hs(b, n, 16, &bl))) return;
        if (t->mode == TM_CKE_ZERO) memset(m + 1, 0, m[0]);
        if (t->mode == TM_CKE_ONE) { /* u = 1: a point of small order (RFC 7748 §6.1) */
            memset(m + 1, 0, m[0]);
            m[1] = 1;
        }
        if (t->mode == TM_CKE_OFFCURVE) m[m[0]] ^= 1; /* last byte of Y */
        if (t->mode == TM_CKE_COMPRESSED) m[1] = 2;
        if (t->mode == TM_CKE_SHORT) m[0] = (uint8_t)(m[0] - 1), m[bl - 1] = 0; /* inner length */
        break;
    case TM_SKE_POINT:
    case TM_SKE_SIG:
        if (from != ENG_SERVER || !(m = tp_find_hs(b, n, 12, &bl))) return;
        if (t->mode == TM_SKE_POINT) m[4 + 5] ^= 0x40;
        else m[bl - 1] ^= 1; /* last byte of the signature */
        break;
    case TM_FIN_RECORD: { /* the first record after the client's ChangeCipherSpec */
        long ccs = from == ENG_CLIENT ? tp_find_rec(b, n, 20) : -1;
        if (ccs < 0) return;
        size_t fin = (size_t)ccs + 6;
        if (fin + 5 > n) return;
        size_t l = (size_t)b[fin + 3] << 8 | b[fin + 4];
        b[fin + 5 + l - 1] ^= 0x80; /* inside the GCM tag */
        break;
    }
    case TM_CH_ORDER: /* swap the client's last two cipher suites: transcript differs */
        if (from != ENG_CLIENT || !(m = tp_find_hs(b, n, 1, &bl))) return;
        {
            size_t off = 2 + 32 + 1 + m[34];
            size_t sl = (size_t)m[off] << 8 | m[off + 1];
            uint8_t *s = m + off + 2 + sl - 4, tmp[2];
            memcpy(tmp, s, 2);
            memcpy(s, s + 2, 2);
            memcpy(s + 2, tmp, 2);
        }
        break;
    case TM_SH_EXT: /* extended_master_secret -> signature_algorithms in the ServerHello */
        if (from != ENG_SERVER || !(m = tp_find_hs(b, n, 2, &bl))) return;
        for (size_t i = 38; i + 4 <= bl; i++)
            if (!memcmp(m + i, "\x00\x17\x00\x00", 4)) {
                m[i + 1] = 0x0d;
                break;
            }
        break;
    case TM_APP:
        if (n < 30 || b[0] != 23) return;
        b[20] ^= 1;
        break;
    }
    t->done = 1;
}

static void tamper_case(const eng_cfg *cc, const eng_cfg *sc, int mode, eng_role fails, int alert)
{
    tp_pair p;
    tamper_arg t = {mode, 0};
    if (tp_init(&p, cc, sc, "localhost") != 0) return;
    p.tamper = tamper;
    p.arg = &t;
    CHECK(tp_run(&p) != 0);
    CHECKF(t.done, "tamper mode %d found nothing to change", mode);
    CHECKF(p.st[fails] < 0, "mode %d: %s did not fail", mode, fails ? "client" : "server");
    tp_expect_alert(&p, fails, alert);
    th_note("mode %d: %s", mode, eng_conn_errmsg(p.c[fails]));
    tp_free(&p);
}

static void t_bad_points(void)
{
    if (!need_certs()) return;
    char err[256];
    eng_cfg *sx = tp_server_cfg("ecdsa-p256"), *sp = tp_server_cfg("ecdsa-p256");
    CHECK_EQ(eng_cfg_set_groups(sx, "x25519", err, sizeof err), 0);
    CHECK_EQ(eng_cfg_set_groups(sp, "secp256r1", err, sizeof err), 0);
    /* RFC 8422 §5.11 / RFC 7748 §6.1: all-zero shared secret */
    tamper_case(cli, sx, TM_CKE_ZERO, ENG_SERVER, ALERT_ILLEGAL_PARAMETER);
    tamper_case(cli, sx, TM_CKE_ONE, ENG_SERVER, ALERT_ILLEGAL_PARAMETER);
    good_handshake(sx);
    /* P-256 point off the curve; compressed form we did not negotiate */
    tamper_case(cli, sp, TM_CKE_OFFCURVE, ENG_SERVER, ALERT_ILLEGAL_PARAMETER);
    tamper_case(cli, sp, TM_CKE_COMPRESSED, ENG_SERVER, ALERT_ILLEGAL_PARAMETER);
    /* inner vector shorter than the message: decode_error */
    tamper_case(cli, sx, TM_CKE_SHORT, ENG_SERVER, ALERT_DECODE_ERROR);
    good_handshake(sp);
    eng_cfg_free(sx);
    eng_cfg_free(sp);
}

static void t_bad_signature(void)
{
    if (!need_certs()) return;
    /* RFC 5246 §7.4.3 / §7.2.2: ServerKeyExchange whose signature does not verify */
    tamper_case(cli, srv_ecdsa, TM_SKE_POINT, ENG_CLIENT, ALERT_DECRYPT_ERROR);
    tamper_case(cli, srv_ecdsa, TM_SKE_SIG, ENG_CLIENT, ALERT_DECRYPT_ERROR);
    tamper_case(cli, srv_rsa, TM_SKE_POINT, ENG_CLIENT, ALERT_DECRYPT_ERROR);
    tamper_case(cli, srv_rsa, TM_SKE_SIG, ENG_CLIENT, ALERT_DECRYPT_ERROR);
    good_handshake(srv_rsa);
}

static void t_finished_and_mac(void)
{
    if (!need_certs()) return;
    /* RFC 5246 §7.4.9: transcript mismatch with the right keys (no EMS: the tampered
     * ClientHello does not enter the master secret) -> decrypt_error */
    tamper_case(cli_noems, srv_ecdsa, TM_CH_ORDER, ENG_SERVER, ALERT_DECRYPT_ERROR);
    /* with EMS the transcript enters the master secret (RFC 7627): the keys differ, so the
     * client's Finished record fails authentication -> bad_record_mac */
    tamper_case(cli, srv_ecdsa, TM_CH_ORDER, ENG_SERVER, ALERT_BAD_RECORD_MAC);
    /* RFC 5246 §6.2.3.3: a flipped ciphertext bit */
    tamper_case(cli, srv_rsa, TM_FIN_RECORD, ENG_SERVER, ALERT_BAD_RECORD_MAC);
    /* RFC 5246 §7.4.1.4: an extension we never offered in the ServerHello */
    tamper_case(cli, srv_ecdsa, TM_SH_EXT, ENG_CLIENT, ALERT_UNSUPPORTED_EXTENSION);
    good_handshake(srv_ecdsa);

    /* after the handshake: tampered application data, oversized protected record */
    tp_pair p;
    tamper_arg t = {TM_APP, 0};
    if (tp_init(&p, cli, srv_ecdsa, "localhost") == 0 && tp_run(&p) == 0) {
        p.tamper = tamper;
        p.arg = &t;
        CHECK_EQ(eng_write(p.c[ENG_CLIENT], (const uint8_t *)"secret data here", 16), 16);
        tp_move(&p, ENG_CLIENT);
        tp_feed(&p, ENG_SERVER);
        CHECK(t.done);
        tp_expect_alert(&p, ENG_SERVER, ALERT_BAD_RECORD_MAC);
    }
    tp_free(&p);
    if (tp_init(&p, cli, srv_ecdsa, "localhost") == 0 && tp_run(&p) == 0) {
        /* RFC 5246 §6.2.3: TLSCiphertext.length 2^14 + 2049 */
        memcpy(p.box[ENG_SERVER], "\x17\x03\x03\x48\x01", 5);
        p.len[ENG_SERVER] = 5;
        tp_feed(&p, ENG_SERVER);
        tp_expect_alert(&p, ENG_SERVER, ALERT_RECORD_OVERFLOW);
    }
    tp_free(&p);
}

static void t_certificates(void)
{
    if (!need_certs()) return;
    static const struct {
        const char *kind;
        int alert;
    } cases[] = {
        {"expired", ALERT_CERTIFICATE_EXPIRED},
        {"otherhost", ALERT_CERTIFICATE_UNKNOWN},
        {"selfsigned", ALERT_UNKNOWN_CA},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        eng_cfg *sc = tp_server_cfg(cases[i].kind);
        tp_pair p;
        if (sc && tp_init(&p, cli, sc, "localhost") == 0) {
            CHECK(tp_run(&p) != 0);
            tp_expect_alert(&p, ENG_CLIENT, cases[i].alert);
            th_note("%s: %s", cases[i].kind, eng_conn_errmsg(p.c[ENG_CLIENT]));
            tp_free(&p);
        }
        eng_cfg_free(sc);
        good_handshake(srv_ecdsa);
    }
    /* wrong host name against a good certificate */
    tp_pair p;
    if (tp_init(&p, cli, srv_ecdsa, "www.example.com") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_CLIENT, ALERT_CERTIFICATE_UNKNOWN);
    }
    tp_free(&p);
    /* a client without CA roots and without eng_cfg_set_insecure refuses the chain */
    eng_cfg *bare = eng_cfg_new(ENG_CLIENT);
    if (tp_init(&p, bare, srv_ecdsa, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_CLIENT, ALERT_UNKNOWN_CA);
    }
    tp_free(&p);
    /* insecure: a self-signed server for another name is accepted, its key still used */
    eng_cfg_set_insecure(bare, 1);
    eng_cfg *ss = tp_server_cfg("selfsigned");
    if (ss && tp_init(&p, bare, ss, "nowhere.example") == 0) {
        CHECK_EQ(tp_run(&p), 0);
        tp_transfer(&p, ENG_CLIENT, (const uint8_t *)"insecure", 8);
    }
    tp_free(&p);
    eng_cfg_free(ss);
    eng_cfg_free(bare);
    /* an IP literal is checked against the IP SAN and sent without SNI (RFC 6066 §3) */
    if (tp_init(&p, cli, srv_ecdsa, "127.0.0.1") == 0) {
        CHECK_EQ(tp_run(&p), 0);
        eng_info in;
        eng_conn_info(p.c[ENG_SERVER], &in);
        CHECK_EQ(in.servername[0], 0);
    }
    tp_free(&p);
}

/* ---- renegotiation (RFC 5746, RFC 5246 §7.2.2) ------------------------------------------------ */
static void t_renegotiation(void)
{
    if (!need_certs()) return;
    tp_pair p;
    if (tp_init(&p, cli, srv_ecdsa, "localhost") != 0 || tp_run(&p) != 0) {
        CHECK(0);
        tp_free(&p);
        return;
    }
    /* client -> server: a new (protected) ClientHello after the handshake */
    uint8_t ch[2048];
    ch_opts o;
    memset(&o, 0, sizeof o);
    size_t n = build_ch(ch, &o);
    eng_conn *c = p.c[ENG_CLIENT], *s = p.c[ENG_SERVER];
    CHECK_EQ(rec_write_hs(c, ch + 5, n - 5), 0);
    tp_move(&p, ENG_CLIENT);
    tp_feed(&p, ENG_SERVER);
    CHECK_EQ(p.st[ENG_SERVER], ENG_DONE);
    uint8_t type;
    size_t len;
    const uint8_t *body;
    CHECK(tp_last_record(&p, ENG_SERVER, &type, &len, &body) == 0);
    CHECK_EQ(type, 21); /* a protected alert: the warning no_renegotiation */
    CHECK_EQ(len, 26);
    tp_move(&p, ENG_SERVER);
    tp_feed(&p, ENG_CLIENT);
    CHECK_EQ(p.st[ENG_CLIENT], ENG_DONE);
    CHECK_EQ(c->warn_in, ALERT_NO_RENEGOTIATION);
    tp_transfer(&p, ENG_CLIENT, (const uint8_t *)"still here", 10);

    /* server -> client: HelloRequest */
    CHECK_EQ(rec_write_hs(s, (const uint8_t *)"\x00\x00\x00\x00", 4), 0);
    tp_move(&p, ENG_SERVER);
    tp_feed(&p, ENG_CLIENT);
    CHECK_EQ(p.st[ENG_CLIENT], ENG_DONE);
    CHECK(tp_last_record(&p, ENG_CLIENT, &type, &len, &body) == 0);
    CHECK_EQ(type, 21);
    tp_move(&p, ENG_CLIENT);
    tp_feed(&p, ENG_SERVER);
    CHECK_EQ(s->warn_in, ALERT_NO_RENEGOTIATION);
    tp_transfer(&p, ENG_SERVER, (const uint8_t *)"and here", 8);

    /* any other handshake message after the handshake is unexpected */
    CHECK_EQ(rec_write_hs(c, (const uint8_t *)"\x14\x00\x00\x0c" "0123456789ab", 16), 0);
    tp_move(&p, ENG_CLIENT);
    tp_feed(&p, ENG_SERVER);
    tp_expect_alert(&p, ENG_SERVER, ALERT_UNEXPECTED_MESSAGE);
    tp_free(&p);

    /* a protected ChangeCipherSpec after the handshake */
    if (tp_init(&p, cli, srv_ecdsa, "localhost") == 0 && tp_run(&p) == 0) {
        CHECK_EQ(rec_write(p.c[ENG_CLIENT], 20, (const uint8_t *)"\x01", 1), 0);
        tp_move(&p, ENG_CLIENT);
        tp_feed(&p, ENG_SERVER);
        tp_expect_alert(&p, ENG_SERVER, ALERT_UNEXPECTED_MESSAGE);
    }
    tp_free(&p);
}

/* A bad connection and a good one pumped step by step side by side. */
static void t_interleaved(void)
{
    if (!need_certs()) return;
    char err[256];
    eng_cfg *sx = tp_server_cfg("ecdsa-p256");
    CHECK_EQ(eng_cfg_set_groups(sx, "x25519", err, sizeof err), 0);
    tp_pair good, bad;
    tamper_arg t = {TM_CKE_ZERO, 0};
    tp_init(&good, cli, sx, "localhost");
    tp_init(&bad, cli, sx, "localhost");
    bad.tamper = tamper;
    bad.arg = &t;
    for (int step = 0; step < 40; step++) {
        tp_pair *pp[2] = {&bad, &good};
        for (int i = 0; i < 2; i++)
            for (int k = 0; k < 2; k++) {
                eng_role r = k ? ENG_SERVER : ENG_CLIENT;
                if (pp[i]->st[0] < 0 || pp[i]->st[1] < 0) continue;
                tp_feed(pp[i], r);
                if (pp[i]->st[r] >= 0) tp_move(pp[i], r);
            }
    }
    CHECK_EQ(bad.st[ENG_SERVER], ENG_E_ALERT(ALERT_ILLEGAL_PARAMETER));
    CHECK_EQ(good.st[ENG_CLIENT], ENG_DONE);
    CHECK_EQ(good.st[ENG_SERVER], ENG_DONE);
    tp_transfer(&good, ENG_CLIENT, (const uint8_t *)"ok", 2);
    tp_free(&good);
    tp_free(&bad);
    eng_cfg_free(sx);
}

int main(void)
{
    th_case("client_hello_malformed", t_client_hello);
    th_case("versions_and_fallback", t_versions);
    th_case("renegotiation_info_nonempty", t_renegotiation_info);
    th_case("no_shared_suite_or_group", t_no_shared);
    th_case("record_layer", t_records);
    th_case("out_of_order_and_ccs", t_out_of_order);
    th_case("invalid_ecdhe_points", t_bad_points);
    th_case("bad_ske_signature", t_bad_signature);
    th_case("finished_and_record_mac", t_finished_and_mac);
    th_case("certificate_verification", t_certificates);
    th_case("renegotiation_refused", t_renegotiation);
    th_case("bad_and_good_side_by_side", t_interleaved);
    eng_cfg_free(cli);
    eng_cfg_free(cli_noems);
    eng_cfg_free(srv_ecdsa);
    eng_cfg_free(srv_rsa);
    return th_done();
}
