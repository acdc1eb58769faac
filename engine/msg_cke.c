/* msg_cke.c — ClientKeyExchange: the client's ephemeral ECDH public value (RFC 8422 §5.7) or
 * the RSA-encrypted premaster secret (RFC 5246 §7.4.7.1). */
#include <string.h>

#include "eng_internal.h"

/* see eng_internal.h */
int msg_build_cke_ecdhe(eng_conn *c)
{
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_CLIENT_KEY_EXCHANGE);
    eng_wr_open(&w, 1); /* RFC 8422 §5.7: ECPoint ecdh_Yc; point<1..2^8-1> */
    eng_wr_bytes(&w, c->eph_pub, tls_group_point_len(c->group));
    eng_wr_close(&w);
    return hs_msg_end(c, &w);
}

/* see eng_internal.h */
int msg_build_cke_rsa(eng_conn *c)
{
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_CLIENT_KEY_EXCHANGE);
    /* RFC 5246 §7.4.7.1: public-key-encrypted PreMasterSecret, a 2-byte-length vector in
     * TLS 1.0 and later */
    eng_wr_open(&w, 2);
    eng_wr_bytes(&w, c->sig, c->sig_len);
    eng_wr_close(&w);
    return hs_msg_end(c, &w);
}

/* see eng_internal.h */
int msg_parse_cke_ecdhe(eng_conn *c, const uint8_t *p, size_t n)
{
    eng_rd r = eng_rd_init(p, n);
    eng_rd v = eng_rd_vec(&r, 1, 1, 255);
    size_t plen = eng_rd_left(&v);
    const uint8_t *pt = eng_rd_bytes(&v, plen);
    REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "malformed ClientKeyExchange");
    /* RFC 8422 §5.11 / §5.1.2: the value must be a point of the negotiated group in the only
     * format we negotiated (32-byte X25519 u-coordinate, or uncompressed 04||X||Y); anything
     * else is an invalid parameter. Curve membership is checked by the derive kernel. */
    REQUIRE(c, plen == tls_group_point_len(c->group), ENG_E_ILLEGAL_PARAM,
            "ECDH public value of %zu bytes for group %u", plen, c->group);
    REQUIRE(c, c->group != TLS_GROUP_SECP256R1 || pt[0] == 4, ENG_E_ILLEGAL_PARAM,
            "P-256 point not in uncompressed form (first byte 0x%02x)", pt[0]);
    memcpy(c->peer_pub, pt, plen);
    return 0;
}

/* see eng_internal.h */
int msg_parse_cke_rsa(eng_conn *c, const uint8_t *p, size_t n, const uint8_t **ct, size_t *ctlen)
{
    eng_rd r = eng_rd_init(p, n);
    eng_rd v = eng_rd_vec(&r, 2, 0, 65535);
    *ctlen = eng_rd_left(&v);
    *ct = eng_rd_bytes(&v, *ctlen);
    /* Only the framing is checked here: a ciphertext of the wrong size is handled by the
     * constant-time premaster selection like any other bad ciphertext (RFC 5246 §7.4.7.1). */
    REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "malformed ClientKeyExchange");
    return 0;
}
