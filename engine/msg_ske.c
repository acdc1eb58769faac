/* msg_ske.c — ServerKeyExchange for ECDHE (RFC 8422 §5.4): ServerECDHParams (named curve and
 * the server's ephemeral public value) followed by a digitally-signed struct whose signature
 * covers client_random || server_random || ServerECDHParams, with the SignatureAndHashAlgorithm
 * of RFC 5246 §7.4.1.4.1 in front. */
#include <string.h>

#include "eng_internal.h"

/* see eng_internal.h */
size_t msg_ecdh_params(uint16_t group, const uint8_t *pub, uint8_t *out)
{
    size_t pl = tls_group_point_len(group);
    out[0] = TLS_CURVE_NAMED; /* RFC 8422 §5.4: ECCurveType named_curve */
    out[1] = (uint8_t)(group >> 8);
    out[2] = (uint8_t)group;
    out[3] = (uint8_t)pl; /* ECPoint point<1..2^8-1> */
    memcpy(out + 4, pub, pl);
    return 4 + pl;
}

/* see eng_internal.h */
void msg_ske_digest(const eng_conn *c, enum cd_hash h, const uint8_t *params, size_t n,
                    uint8_t *out)
{
    uint8_t tbs[2 * TLS_RANDOM_LEN + 4 + 255];
    memcpy(tbs, c->cr, TLS_RANDOM_LEN);
    memcpy(tbs + TLS_RANDOM_LEN, c->sr, TLS_RANDOM_LEN);
    memcpy(tbs + 2 * TLS_RANDOM_LEN, params, n);
    cd_hash(h, tbs, 2 * TLS_RANDOM_LEN + n, out);
}

/* see eng_internal.h */
int msg_build_ske(eng_conn *c, const uint8_t *sig, size_t sig_len)
{
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_SERVER_KEY_EXCHANGE);
    eng_wr_bytes(&w, c->ske_params, c->ske_params_len);
    eng_wr_uint(&w, c->sigalg, 2);
    eng_wr_open(&w, 2); /* opaque signature<0..2^16-1> */
    eng_wr_bytes(&w, sig, sig_len);
    eng_wr_close(&w);
    return hs_msg_end(c, &w);
}

/* see eng_internal.h */
int msg_parse_ske(eng_conn *c, const uint8_t *p, size_t n, ske_info *s)
{
    eng_rd r = eng_rd_init(p, n);
    memset(s, 0, sizeof *s);
    s->params = r.p;
    uint8_t curve_type = (uint8_t)eng_rd_uint(&r, 1);
    s->group = (uint16_t)eng_rd_uint(&r, 2);
    eng_rd pt = eng_rd_vec(&r, 1, 1, 255);
    s->point_len = eng_rd_left(&pt);
    s->point = eng_rd_bytes(&pt, s->point_len);
    s->params_len = (size_t)(r.p - s->params); /* the signed region, exactly as received */
    s->sigalg = (uint16_t)eng_rd_uint(&r, 2);
    eng_rd sg = eng_rd_vec(&r, 2, 0, 65535);
    s->sig_len = eng_rd_left(&sg);
    s->sig = eng_rd_bytes(&sg, s->sig_len);
    REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "truncated or malformed ServerKeyExchange");
    /* RFC 8422 §5.4: explicit curves are deprecated; only named_curve is offered */
    REQUIRE(c, curve_type == TLS_CURVE_NAMED, ENG_E_ILLEGAL_PARAM, "curve_type %u", curve_type);
    return 0;
}
