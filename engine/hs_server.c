/* hs_server.c — the server's handlers of the handshake table (RFC 5246 §7.3): negotiate on the
 * ClientHello, send ServerHello / Certificate / ServerKeyExchange / ServerHelloDone, take the
 * ClientKeyExchange. Handlers that need public-key work park on it (op_park) and are re-entered
 * with c->sub telling where they stopped. */
#include <string.h>

#include "ct.h"
#include "ecdsa_der.h"
#include "eng_internal.h"

static int client_offers(const ch_info *ch, uint16_t suite)
{
    for (size_t i = 0; i + 1 < ch->suites_len; i += 2)
        if ((uint16_t)(ch->suites[i] << 8 | ch->suites[i + 1]) == suite) return 1;
    return 0;
}

/* Group for ECDHE: our preference among those the client listed (RFC 8422 §5.1.1). Without
 * supported_groups the server may pick any (RFC 8422 §4): our first. 0 if none is shared. */
static uint16_t pick_group(const eng_cfg *cfg, const ch_info *ch)
{
    for (unsigned i = 0; i < cfg->ngroups; i++) {
        uint16_t g = cfg->groups[i];
        if (!ch->has_groups || (g == TLS_GROUP_X25519 && ch->x25519) ||
            (g == TLS_GROUP_SECP256R1 && ch->p256))
            return g;
    }
    return 0;
}

/* Signature scheme for our key: the client's first listed one that we can make
 * (RFC 5246 §7.4.1.4.1). Without the extension the default is SHA-1, which we do not sign
 * with, so the suite is unusable: 0. */
static uint16_t pick_sigalg(const eng_cfg *cfg, const ch_info *ch)
{
    if (!ch->has_sigalgs) return 0;
    for (size_t i = 0; i + 1 < ch->sigalgs_len; i += 2) {
        uint16_t s = (uint16_t)(ch->sigalgs[i] << 8 | ch->sigalgs[i + 1]);
        if (cfg->key.type == CD_KEY_EC_P256 && s == TLS_SIG_ECDSA_SECP256R1_SHA256) return s;
        if (cfg->key.type == CD_KEY_RSA &&
            (s == TLS_SIG_RSA_PSS_RSAE_SHA256 || s == TLS_SIG_RSA_PSS_RSAE_SHA384 ||
             s == TLS_SIG_RSA_PKCS1_SHA256 || s == TLS_SIG_RSA_PKCS1_SHA384))
            return s;
    }
    return 0;
}

/* Suite selection, server preference (RFC 5246 §7.4.1.3), consistent with our certificate
 * (RFC 5246 §7.4.2), the client's signature algorithms and groups. */
static const tls_suite *pick_suite(eng_conn *c, const ch_info *ch)
{
    const eng_cfg *cfg = c->cfg;
    for (unsigned i = 0; i < cfg->nsuites; i++) {
        const tls_suite *s = tls_suite_by_id(cfg->suites[i]);
        if (!s || !client_offers(ch, s->id)) continue;
        uint16_t group = 0, sigalg = 0;
        if (s->kx == KX_RSA) {
            if (cfg->key.type != CD_KEY_RSA) continue;
        } else {
            if (cfg->key.type != (s->kx == KX_ECDHE_ECDSA ? CD_KEY_EC_P256 : CD_KEY_RSA))
                continue;
            /* RFC 8422 §5.1: an ECDSA certificate must be on a curve the client listed */
            if (s->kx == KX_ECDHE_ECDSA && ch->has_groups && !ch->p256) continue;
            if (!(group = pick_group(cfg, ch)) || !(sigalg = pick_sigalg(cfg, ch))) continue;
        }
        c->group = group;
        c->sigalg = sigalg;
        return s;
    }
    return NULL;
}

/* see eng_internal.h */
int srv_recv_client_hello(eng_conn *c)
{
    const eng_cfg *cfg = c->cfg;
    ch_info ch;
    GUARD(msg_parse_client_hello(c, hs_msg_body(c), c->msg_len, &ch));
    c->hello_seen = 1;
    c->client_version = ch.version;
    if (ch.version < TLS_V12) {
        /* RFC 7507 §3: a fallback below our highest version is an attack or a bug */
        REQUIRE(c, !ch.scsv_fallback, ENG_E_ALERT(ALERT_INAPPROPRIATE_FALLBACK),
                "TLS_FALLBACK_SCSV with client_version 0x%04x", ch.version);
        /* RFC 5246 Appendix E.1: we speak TLS 1.2 only */
        return FAIL(c, ENG_E_VERSION, "client_version 0x%04x is below TLS 1.2", ch.version);
    }
    /* RFC 5746 §3.6: an initial ClientHello's renegotiated_connection must be empty */
    REQUIRE(c, ch.reneg_ext != 2, ENG_E_HS_FAILURE,
            "non-empty renegotiation_info in the initial ClientHello");
    c->secure_reneg = ch.reneg_ext || ch.scsv_reneg;
    /* RFC 8422 §5.1.2: the uncompressed format must be listed when the client lists curves */
    REQUIRE(c, !ch.has_pf || ch.pf_uncompressed || !(ch.x25519 || ch.p256), ENG_E_ILLEGAL_PARAM,
            "ec_point_formats lacks uncompressed");
    /* RFC 7627 §5.2: a server that requires EMS aborts with handshake_failure */
    REQUIRE(c, ch.ems || !cfg->require_ems, ENG_E_HS_FAILURE,
            "client does not offer extended_master_secret, which we require");
    c->ems = ch.ems;
    c->echo_pf = ch.has_pf;
    /* RFC 6066 §3: record the host name (not NUL-containing, as DNS names are) */
    if (ch.sni && ch.sni_len < sizeof c->servername && !memchr(ch.sni, 0, ch.sni_len)) {
        memcpy(c->servername, ch.sni, ch.sni_len);
        c->servername[ch.sni_len] = 0;
    }
    memcpy(c->cr, ch.random, TLS_RANDOM_LEN);
    c->suite = pick_suite(c, &ch);
    /* RFC 5246 §7.4.1.3: no acceptable choice -> handshake_failure */
    REQUIRE(c, c->suite, ENG_E_HS_FAILURE,
            "no cipher suite shared with the client that fits our %s certificate, groups and "
            "signature algorithms",
            cfg->key.type == CD_KEY_RSA ? "RSA" : "ECDSA");
    c->seq = c->suite->kx == KX_RSA ? hs_seq_rsa : hs_seq_ecdhe;
    return 0;
}

/* see eng_internal.h */
int srv_send_server_hello(eng_conn *c)
{
    /* One getrandom(2) for the whole first flight: the server random, and what srv_send_ske
     * draws later in the same flight — the x25519 ephemeral private key and the RFC 6979 §3.6
     * extra input of an ECDSA signature (a system call costs about a microsecond here, on the
     * order of the handshake's whole PRF work). Both sit in fields that every exit path wipes
     * (conn.c wipe_secrets). */
    const int ecdhe = c->suite->kx != KX_RSA;
    const int pre_x25519 = ecdhe && c->group == TLS_GROUP_X25519;
    const int pre_extra = ecdhe && c->cfg->key.type == CD_KEY_EC_P256;
    uint8_t rnd[TLS_RANDOM_LEN + 32 + 32];
    size_t n = TLS_RANDOM_LEN;
    cd_random(rnd, TLS_RANDOM_LEN + (pre_x25519 ? 32u : 0u) + (pre_extra ? 32u : 0u));
    memcpy(c->sr, rnd, TLS_RANDOM_LEN);
    if (pre_x25519) {
        memcpy(c->eph_priv, rnd + n, 32);
        n += 32;
    }
    if (pre_extra) memcpy(c->extra, rnd + n, sizeof c->extra);
    ct_wipe(rnd, sizeof rnd);
    return msg_build_server_hello(c, c->echo_pf, c->servername[0] != 0);
}

/* see eng_internal.h */
int srv_send_certificate(eng_conn *c) { return msg_build_certificate(c); }

/* see eng_internal.h */
int srv_send_ske(eng_conn *c)
{
    const cd_privkey *key = &c->cfg->key;
    enum cd_hash h = CD_SHA256;
    switch (c->sub) {
    case 0:
        /* ephemeral key pair (RFC 8422 §2.1: fresh for every handshake) */
        c->sub = 1;
        return op_park_eph_keygen(c); /* an x25519 eph_priv was drawn with the server random */
    case 1:
        GUARD(op_take(c, ENG_E_CRYPTO, "ephemeral key generation"));
        c->ske_params_len = msg_ecdh_params(c->group, c->eph_pub, c->ske_params);
        if (!tls_sigalg_hash(c->sigalg, &h)) return FAIL(c, ENG_E_STATE, "no hash for sigalg");
        msg_ske_digest(c, h, c->ske_params, c->ske_params_len, c->digest);
        c->sub = 2;
        if (key->type == CD_KEY_EC_P256) { /* extra (RFC 6979 §3.6) drawn with the random */
            return op_park(c, ENG_OP_P256_SIGN, key->ec_priv, c->digest, c->extra, c->rs);
        }
        c->sig_len = sizeof c->sig;
        return op_park_rsa(c, ENG_RSA_SIGN, key, c->sigalg, c->digest, cd_hash_len(h), NULL, 0,
                           c->sig, &c->sig_len);
    default:
        GUARD(op_take(c, ENG_E_CRYPTO, "ServerKeyExchange signature"));
        /* RFC 8422 §5.4: ECDSA signatures are DER Ecdsa-Sig-Value */
        if (key->type == CD_KEY_EC_P256) c->sig_len = ecdsa_sig_to_der(c->rs, c->sig);
        ct_wipe(c->extra, sizeof c->extra);
        return msg_build_ske(c, c->sig, c->sig_len);
    }
}

/* see eng_internal.h */
int srv_send_hello_done(eng_conn *c)
{
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_SERVER_HELLO_DONE); /* RFC 5246 §7.4.5: empty body */
    return hs_msg_end(c, &w);
}

/* see eng_internal.h */
int srv_recv_cke(eng_conn *c)
{
    /* RFC 7627 §3: the session hash covers the transcript through this message */
    const size_t through = c->hs_len + TLS_HS_HDR + c->msg_len;
    if (c->suite->kx == KX_RSA) {
        if (c->sub == 0) {
            const uint8_t *ct;
            size_t ctlen;
            GUARD(msg_parse_cke_rsa(c, hs_msg_body(c), c->msg_len, &ct, &ctlen));
            c->sub = 1;
            /* RFC 5246 §7.4.7.1: the check uses the version the client offered */
            return op_park_rsa(c, ENG_RSA_DECRYPT_PMS, &c->cfg->key, c->client_version, ct, ctlen,
                               NULL, 0, c->pms, NULL);
        }
        if (c->sub == 1) {
            /* Never branches on the premaster's validity: a bad one fails the Finished check. */
            GUARD(op_take(c, ENG_E_CRYPTO, "premaster decryption"));
            c->sub = 2;
        }
        /* parks on the key schedule once, then installs the keys */
        return hs_derive_keys(c, through, TLS_RSA_PMS_LEN);
    }
    if (c->sub == 2) return hs_derive_keys(c, through, 32); /* resumed from the key schedule */
    if (c->sub == 0) {
        GUARD(msg_parse_cke_ecdhe(c, hs_msg_body(c), c->msg_len));
        c->sub = 1;
        return op_park(c, c->group == TLS_GROUP_X25519 ? ENG_OP_X25519_DERIVE : ENG_OP_P256_DERIVE,
                       c->eph_priv, c->peer_pub, NULL, c->pms);
    }
    /* RFC 8422 §5.11 / RFC 7748 §6.1: an all-zero X25519 result or a P-256 point off the
     * curve fails the derive lane -> illegal_parameter */
    int rc = op_take(c, ENG_E_ILLEGAL_PARAM, "client's ECDH public value is invalid");
    ct_wipe(c->eph_priv, sizeof c->eph_priv);
    GUARD(rc);
    c->sub = 2;
    return hs_derive_keys(c, through, 32);
}
