/* hs_client.c — the client's handlers of the handshake table (RFC 5246 §7.3): send the
 * ClientHello, take ServerHello / Certificate (chain and host name verified) /
 * ServerKeyExchange (signature verified) / ServerHelloDone, send the ClientKeyExchange. */
#include <string.h>

#include "ct.h"
#include "ecdsa_der.h"
#include "eng_internal.h"

static int offered_group(const eng_cfg *cfg, uint16_t g)
{
    for (unsigned i = 0; i < cfg->ngroups; i++)
        if (cfg->groups[i] == g) return 1;
    return 0;
}

/* see eng_internal.h */
int cli_send_client_hello(eng_conn *c)
{
    /* When x25519 is offered, its ephemeral private key (any 32 random bytes, RFC 7748 §6.1)
     * is drawn with the client random: one system call instead of two, as the server does
     * (srv_send_server_hello). cli_recv_ske accepts only an offered group, so an x25519
     * handshake always has it. It sits in eph_priv, which every exit path wipes; a P-256
     * group overwrites it with its own scalar (op_park_eph_keygen). */
    const int pre_x25519 = offered_group(c->cfg, TLS_GROUP_X25519);
    uint8_t rnd[TLS_RANDOM_LEN + 32];
    cd_random(rnd, TLS_RANDOM_LEN + (pre_x25519 ? 32u : 0u));
    memcpy(c->cr, rnd, TLS_RANDOM_LEN);
    if (pre_x25519) memcpy(c->eph_priv, rnd + TLS_RANDOM_LEN, 32);
    ct_wipe(rnd, sizeof rnd);
    return msg_build_client_hello(c);
}

/* see eng_internal.h */
int cli_recv_server_hello(eng_conn *c)
{
    GUARD(msg_parse_server_hello(c, hs_msg_body(c), c->msg_len));
    c->hello_seen = 1;
    c->seq = c->suite->kx == KX_RSA ? hs_seq_rsa : hs_seq_ecdhe;
    return 0;
}

/* see eng_internal.h */
int cli_recv_certificate(eng_conn *c)
{
    const eng_cfg *cfg = c->cfg;
    const uint8_t *der[CD_CHAIN_MAX];
    size_t len[CD_CHAIN_MAX];
    unsigned n = 0;
    char err[200] = "";
    GUARD(msg_parse_certificate(c, hs_msg_body(c), c->msg_len, der, len, &n));
    REQUIRE(c, cfg->trust || cfg->insecure, ENG_E_ALERT(ALERT_UNKNOWN_CA),
            "no CA roots configured (eng_cfg_set_ca) and verification not disabled");
    /* RFC 5246 §7.4.2 / RFC 6125: the chain must lead to one of our roots and name the host
     * we asked for (SNI); cd_chain_verify maps failures to RFC 5246 §7.2.2 alerts. */
    const char *host = cfg->insecure || !c->servername[0] ? NULL : c->servername;
    eng_vcache *vc = cfg->insecure ? NULL : cfg->vcache;
    uint8_t vkey[32];
    int rc, hit = 0;
    if (vc) {
        /* this exact chain was verified for this host name before (eng_cfg_set_verify_cache) */
        vcache_key(der, len, n, host, vkey);
        hit = vcache_lookup(vc, vkey, &c->peer, &c->peer_tab);
    }
    if (hit && c->peer.type == CD_KEY_RSA) /* the cache keeps no libcrypto key: parse the leaf */
        rc = cd_chain_verify(NULL, der, len, 1, NULL, &c->peer, err, sizeof err);
    else if (hit)
        rc = 0;
    else
        rc = cd_chain_verify(cfg->insecure ? NULL : cfg->trust, der, len, n, host, &c->peer, err,
                             sizeof err);
    if (rc < 0) return FAIL(c, rc, "%s", err[0] ? err : "certificate verification failed");
    if (vc && !hit) c->peer_tab = vcache_insert(vc, vkey, &c->peer);
    c->have_peer = 1;
    /* RFC 5246 §7.4.2 / RFC 8422 §5.3: the leaf key must fit the suite's key exchange */
    cd_key_type want = c->suite->kx == KX_ECDHE_ECDSA ? CD_KEY_EC_P256 : CD_KEY_RSA;
    REQUIRE(c, c->peer.type == want, ENG_E_ALERT(ALERT_UNSUPPORTED_CERTIFICATE),
            "server certificate key does not fit %s", c->suite->ossl);
    return 0;
}

static int offered_sigalg(uint16_t s)
{
    for (unsigned i = 0; i < tls_client_nsigalgs; i++)
        if (tls_client_sigalgs[i] == s) return 1;
    return 0;
}

/* see eng_internal.h */
int cli_recv_ske(eng_conn *c)
{
    if (c->sub == 1) {
        /* RFC 5246 §7.2.2 / §7.4.3: a signature that does not verify is decrypt_error */
        return op_take(c, ENG_E_DECRYPT, "ServerKeyExchange signature does not verify");
    }
    ske_info s;
    enum cd_hash h = CD_SHA256;
    GUARD(msg_parse_ske(c, hs_msg_body(c), c->msg_len, &s));
    /* RFC 8422 §5.4: the curve must be one the client offered */
    REQUIRE(c, offered_group(c->cfg, s.group), ENG_E_ILLEGAL_PARAM,
            "server chose group %u, which we did not offer", s.group);
    /* RFC 8422 §5.1.2 / §5.4: a point of the group in the format we offered (uncompressed) */
    REQUIRE(c, s.point_len == tls_group_point_len(s.group), ENG_E_ILLEGAL_PARAM,
            "ECDH public value of %zu bytes for group %u", s.point_len, s.group);
    REQUIRE(c, s.group != TLS_GROUP_SECP256R1 || s.point[0] == 4, ENG_E_ILLEGAL_PARAM,
            "P-256 point not in uncompressed form");
    /* RFC 5246 §7.4.3: the signature algorithm must be one we listed and fit the key */
    int ecdsa = c->suite->kx == KX_ECDHE_ECDSA;
    REQUIRE(c, offered_sigalg(s.sigalg) && tls_sigalg_hash(s.sigalg, &h) &&
                   (s.sigalg == TLS_SIG_ECDSA_SECP256R1_SHA256) == ecdsa,
            ENG_E_ILLEGAL_PARAM, "server signed with scheme 0x%04x", s.sigalg);
    c->group = s.group;
    c->sigalg = s.sigalg;
    memcpy(c->peer_pub, s.point, s.point_len);
    msg_ske_digest(c, h, s.params, s.params_len, c->digest);
    c->sub = 1;
    if (ecdsa) {
        /* RFC 8422 §5.4: DER Ecdsa-Sig-Value; malformed is a failed signature */
        REQUIRE(c, ecdsa_sig_from_der(s.sig, s.sig_len, c->rs) == 0, ENG_E_DECRYPT,
                "malformed ECDSA signature");
        int r = op_park(c, ENG_OP_P256_VERIFY, c->peer.ec_pub, c->digest, c->rs, NULL);
        c->op.key = c->peer_tab; /* --verify cached: the key's verify table (NULL: none) */
        return r;
    }
    REQUIRE(c, s.sig_len <= sizeof c->sig, ENG_E_DECRYPT, "RSA signature of %zu bytes",
            s.sig_len);
    memcpy(c->sig, s.sig, s.sig_len);
    c->sig_len = s.sig_len;
    return op_park_rsa(c, ENG_RSA_VERIFY, &c->peer, s.sigalg, c->digest, cd_hash_len(h), c->sig,
                       c->sig_len, NULL, NULL);
}

/* see eng_internal.h */
int cli_recv_hello_done(eng_conn *c)
{
    /* RFC 5246 §7.4.5: ServerHelloDone has an empty body */
    REQUIRE(c, c->msg_len == 0, ENG_E_DECODE, "ServerHelloDone with a %zu-byte body", c->msg_len);
    return 0;
}

/* see eng_internal.h */
int cli_recv_cert_request(eng_conn *c)
{
    /* RFC 5246 §7.4.4: certificate_types<1..2^8-1>, supported_signature_algorithms
     * <2..2^16-2>, certificate_authorities<0..2^16-1> of DistinguishedName<1..2^16-1>. We have
     * no client certificate; the fields are checked for form only. */
    eng_rd r = eng_rd_init(hs_msg_body(c), c->msg_len);
    eng_rd types = eng_rd_vec(&r, 1, 1, 255);
    eng_rd_bytes(&types, eng_rd_left(&types));
    eng_rd algs = eng_rd_vec(&r, 2, 2, 65534);
    REQUIRE(c, eng_rd_left(&algs) % 2 == 0, ENG_E_DECODE,
            "CertificateRequest: odd signature_algorithms length");
    eng_rd_bytes(&algs, eng_rd_left(&algs));
    eng_rd cas = eng_rd_vec(&r, 2, 0, 65535);
    while (!cas.err && eng_rd_left(&cas)) {
        eng_rd dn = eng_rd_vec(&cas, 2, 1, 65535);
        eng_rd_bytes(&dn, eng_rd_left(&dn));
    }
    REQUIRE(c, !types.err && !algs.err && eng_rd_end(&cas) == 0 && eng_rd_end(&r) == 0,
            ENG_E_DECODE, "malformed CertificateRequest");
    c->cert_requested = 1;
    return 0;
}

/* see eng_internal.h */
int cli_send_empty_certificate(eng_conn *c)
{
    /* RFC 5246 §7.4.6: "If no suitable certificate is available, the client MUST send a
     * certificate message containing no certificates." */
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_CERTIFICATE);
    eng_wr_uint(&w, 0, 3);
    return hs_msg_end(c, &w);
}

static int cke_rsa(eng_conn *c)
{
    if (c->sub == 0) {
        /* RFC 5246 §7.4.7.1: premaster = client_version (the one we offered) || 46 random */
        c->pms[0] = TLS_V12 >> 8;
        c->pms[1] = TLS_V12 & 0xff;
        cd_random(c->pms + 2, TLS_RSA_PMS_LEN - 2);
        c->sig_len = sizeof c->sig;
        c->sub = 1;
        return op_park_rsa(c, ENG_RSA_ENCRYPT_PMS, &c->peer, 0, c->pms, TLS_RSA_PMS_LEN, NULL, 0,
                           c->sig, &c->sig_len);
    }
    if (c->sub == 1) {
        GUARD(op_take(c, ENG_E_CRYPTO, "premaster encryption"));
        GUARD(msg_build_cke_rsa(c));
        c->sub = 2;
    }
    /* parks on the key schedule once, then installs the keys */
    return hs_derive_keys(c, c->hs_len, TLS_RSA_PMS_LEN);
}

/* see eng_internal.h */
int cli_send_cke(eng_conn *c)
{
    if (c->suite->kx == KX_RSA) return cke_rsa(c);
    const int x = c->group == TLS_GROUP_X25519;
    switch (c->sub) {
    case 0:
        c->sub = 1;
        return op_park_eph_keygen(c);
    case 1:
        GUARD(op_take(c, ENG_E_CRYPTO, "ephemeral key generation"));
        c->sub = 2;
        return op_park(c, x ? ENG_OP_X25519_DERIVE : ENG_OP_P256_DERIVE, c->eph_priv, c->peer_pub,
                       NULL, c->pms);
    case 2: {
        /* RFC 8422 §5.11 / RFC 7748 §6.1: a server value giving an all-zero X25519 secret, or
         * a P-256 point off the curve, fails the lane -> illegal_parameter */
        int rc = op_take(c, ENG_E_ILLEGAL_PARAM, "server's ECDH public value is invalid");
        ct_wipe(c->eph_priv, sizeof c->eph_priv);
        GUARD(rc);
        GUARD(msg_build_cke_ecdhe(c));
        c->sub = 3;
        /* RFC 7627 §3: the session hash runs through the ClientKeyExchange just written */
        return hs_derive_keys(c, c->hs_len, 32);
    }
    default: /* resumed from the key schedule */
        return hs_derive_keys(c, c->hs_len, 32);
    }
}
