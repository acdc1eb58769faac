/* fuzz_ske.c — the client's ServerKeyExchange parser and checks (RFC 8422 §5.4: curve type,
 * named group, public value; RFC 5246 §7.4.1.4.1 / §7.4.3: signature scheme and signature) with
 * ECDSA (DER Ecdsa-Sig-Value, RFC 8422 §5.4) and RSA (PKCS#1 v1.5 / PSS) signatures, for x25519
 * and P-256. The input is the message body, delivered to a clone of the client snapshotted just
 * before the real ServerKeyExchange (fuzz_scen.h; the scenario whose real body shares the
 * longest prefix with the input), then the rest of the real server's bytes: a seed runs the
 * whole handshake.
 *
 * Each input runs twice: as it is, and re-signed: its ServerECDHParams (curve type, group,
 * point) kept and signed with the scenario's real server key and scheme, so that fuzzed public
 * values get past the signature into the client's key exchange (RFC 8422 §5.11 / RFC 7748 §6.1:
 * off-curve P-256 points, X25519 values giving an all-zero secret must fail the handshake,
 * cleanly). Re-signing is skipped for RSA keys above 2048 bits (a 4096-bit signature per input
 * would dominate the run). */
#include "ecdsa_der.h"
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* body = params(p[0..4+p[3])) || scheme || signature<0..2^16-1>, signed for scenario s's
 * client with its server's key and the scheme of its real ServerKeyExchange; 0 bytes when the
 * input has no complete params or the key is one we do not re-sign with. */
static size_t resign(const fz_scen *s, const uint8_t *p, size_t n, uint8_t *body)
{
    const cd_privkey *key = &s->scfg->key;
    const fz_buf *real = &s->at[FZ_AT_SKE].body;
    if (n < 4 || n < 4 + (size_t)p[3] || real->n < 6 || real->n < 6 + (size_t)real->p[3]) return 0;
    if (key->type == CD_KEY_RSA && key->bits > 2048) return 0;
    size_t plen = 4 + (size_t)p[3], rplen = 4 + (size_t)real->p[3];
    uint16_t scheme = (uint16_t)(real->p[rplen] << 8 | real->p[rplen + 1]);
    enum cd_hash h;
    uint8_t digest[CD_HASH_MAX], sig[ENG_RSA_MAX];
    size_t slen = sizeof sig;
    if (!tls_sigalg_hash(scheme, &h)) return 0;
    msg_ske_digest(s->at[FZ_AT_SKE].snap, h, p, plen, digest);
    if (key->type == CD_KEY_EC_P256) {
        static const uint8_t extra[1][32];
        uint8_t rs[1][64];
        const cd_p256 *impl = cd_p256_select(cd_cpu_features(), NULL);
        if (!impl || impl->sign(rs, &key->ec_priv, (const uint8_t(*)[32])digest, extra, 1))
            return 0;
        slen = ecdsa_sig_to_der(rs[0], sig);
    } else if (cd_rsa_sign(key, scheme, digest, cd_hash_len(h), sig, &slen) != 0) {
        return 0;
    }
    memcpy(body, p, plen);
    body[plen] = (uint8_t)(scheme >> 8);
    body[plen + 1] = (uint8_t)scheme;
    body[plen + 2] = (uint8_t)(slen >> 8);
    body[plen + 3] = (uint8_t)slen;
    memcpy(body + plen + 4, sig, slen);
    return plen + 4 + slen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_SKE);
    fz_run_message(FZ_AT_SKE, TLS_HS_SERVER_KEY_EXCHANGE, data, size, FZ_TAIL);

    int i = fz_pick(FZ_AT_SKE, data, size);
    if (i < 0) return 0;
    uint8_t body[4 + 255 + 4 + ENG_RSA_MAX];
    size_t n = resign(&fz_scens[i], data, size, body);
    if (n) fz_run_message_ex(FZ_AT_SKE, TLS_HS_SERVER_KEY_EXCHANGE, body, n, FZ_TAIL, 0, i);
    return 0;
}
