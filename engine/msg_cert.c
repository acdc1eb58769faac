/* msg_cert.c — Certificate (RFC 5246 §7.4.2): the server's chain, leaf first. */
#include "eng_internal.h"

/* see eng_internal.h */
int msg_build_certificate(eng_conn *c)
{
    const cd_chain *ch = &c->cfg->chain;
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_CERTIFICATE);
    eng_wr_open(&w, 3); /* certificate_list<0..2^24-1> */
    for (unsigned i = 0; i < ch->n; i++) {
        eng_wr_open(&w, 3); /* ASN.1Cert<1..2^24-1> */
        eng_wr_bytes(&w, ch->der[i], ch->len[i]);
        eng_wr_close(&w);
    }
    eng_wr_close(&w);
    return hs_msg_end(c, &w);
}

/* see eng_internal.h */
int msg_parse_certificate(eng_conn *c, const uint8_t *p, size_t n, const uint8_t *der[],
                          size_t len[], unsigned *count)
{
    eng_rd r = eng_rd_init(p, n);
    /* RFC 5246 §7.4.2: ASN.1Cert certificate_list<0..2^24-1>; opaque ASN.1Cert<1..2^24-1> */
    eng_rd l = eng_rd_vec(&r, 3, 0, 0xffffff);
    unsigned k = 0;
    while (!l.err && l.p < l.end) {
        eng_rd one = eng_rd_vec(&l, 3, 1, 0xffffff);
        if (l.err) break;
        /* A local limit: we verify paths of at most CD_CHAIN_MAX certificates; a longer
         * chain cannot be checked, as with an unknown issuer (cd_chain_verify agrees). */
        REQUIRE(c, k < CD_CHAIN_MAX, ENG_E_ALERT(ALERT_UNKNOWN_CA),
                "more than %d certificates in the chain", CD_CHAIN_MAX);
        len[k] = eng_rd_left(&one);
        der[k] = eng_rd_bytes(&one, len[k]);
        k++;
    }
    REQUIRE(c, eng_rd_end(&l) == 0 && eng_rd_end(&r) == 0, ENG_E_DECODE,
            "malformed certificate_list");
    *count = k;
    return 0;
}
