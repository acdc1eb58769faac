/* record.c — the TLS 1.2 record layer (RFC 5246 §6.2) with AES-GCM protection (RFC 5288 §3):
 * reading one record at a time from whatever the caller feeds, writing records into the
 * connection's output buffer, alerts and ChangeCipherSpec framing.
 *
 * Records are processed strictly one at a time, so a key change (ChangeCipherSpec) always
 * takes effect at a record boundary: nothing read before the flow has consumed the CCS is ever
 * interpreted with the wrong keys. */
#include <string.h>

#include "ct.h"
#include "eng_internal.h"

#define MAX_EMPTY_RECORDS 32 /* local limit: consecutive empty application-data records */

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* Makes room for need bytes at the end of the output (compacting it); NULL when full. The
 * last ENG_ALERT_RESERVE bytes are kept for a final alert. */
static uint8_t *out_reserve(eng_conn *c, size_t need, int is_alert)
{
    size_t keep = is_alert ? 0 : ENG_ALERT_RESERVE;
    if (ENG_OUT_CAP - c->out_len < need + keep && c->out_off > 0) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->hs_rec_at = (c->hs_rec_at != ENG_NO_REC && c->hs_rec_at >= c->out_off)
                           ? c->hs_rec_at - c->out_off
                           : ENG_NO_REC;
        c->out_off = 0;
    }
    if (ENG_OUT_CAP - c->out_len < need + keep) return NULL;
    uint8_t *p = c->out + c->out_len;
    c->out_len += need;
    CONN_HW(c->out_hw, c->out_len);
    return p;
}

/* see eng_internal.h */
size_t rec_out_room(eng_conn *c)
{
    size_t room = ENG_OUT_CAP - (c->out_len - c->out_off);
    return room > ENG_ALERT_RESERVE ? room - ENG_ALERT_RESERVE : 0;
}

/* see eng_internal.h */
int rec_write(eng_conn *c, uint8_t type, const uint8_t *p, size_t n)
{
    if (n > TLS_MAX_PLAIN) return FAIL(c, ENG_E_STATE, "record of %zu bytes", n);
    size_t need = TLS_REC_HDR + n + (c->wenc ? TLS_GCM_OVERHEAD : 0);
    uint8_t *o = out_reserve(c, need, type == TLS_CT_ALERT);
    if (!o) return FAIL(c, ENG_E_OUT_FULL, "output buffer full (%zu bytes pending)",
                        c->out_len - c->out_off);
    c->hs_rec_at = ENG_NO_REC;
    o[0] = type;
    o[1] = TLS_V12 >> 8;
    o[2] = TLS_V12 & 0xff;
    o[3] = (uint8_t)((need - TLS_REC_HDR) >> 8);
    o[4] = (uint8_t)(need - TLS_REC_HDR);
    if (!c->wenc) {
        memmove(o + TLS_REC_HDR, p, n);
        return 0;
    }
    /* RFC 5246 §6.1: sequence numbers never wrap; we stop instead of renegotiating. */
    if (c->wseq == UINT64_MAX) {
        c->out_len -= need;
        return FAIL(c, ENG_E_STATE, "write sequence number exhausted");
    }
    /* RFC 5288 §3: nonce = salt(4) || nonce_explicit(8); we use the sequence number as the
     * explicit part, which never repeats under one key. AAD (RFC 5246 §6.2.3.3) =
     * seq_num || type || version || length of the plaintext. */
    uint8_t iv[12], aad[13];
    memcpy(iv, c->wsalt, 4);
    put_u64(iv + 4, c->wseq);
    put_u64(aad, c->wseq);
    aad[8] = type;
    aad[9] = TLS_V12 >> 8;
    aad[10] = TLS_V12 & 0xff;
    aad[11] = (uint8_t)(n >> 8);
    aad[12] = (uint8_t)n;
    memcpy(o + TLS_REC_HDR, iv + 4, TLS_GCM_EXPLICIT_LEN);
    uint8_t *ct = o + TLS_REC_HDR + TLS_GCM_EXPLICIT_LEN;
    cd_gcm_seal(&c->wkey, iv, aad, sizeof aad, p, n, ct, ct + n);
    c->wseq++;
    return 0;
}

/* see eng_internal.h */
int rec_write_hs(eng_conn *c, const uint8_t *p, size_t n)
{
    while (n > 0) {
        /* Coalesce with the previous plaintext handshake record when it is still the last one
         * in the output and was written during this eng_feed call (nobody has seen it yet). */
        if (!c->wenc && c->hs_rec_at != ENG_NO_REC) {
            uint8_t *h = c->out + c->hs_rec_at;
            size_t have = (size_t)h[3] << 8 | h[4];
            size_t take = TLS_MAX_PLAIN - have < n ? TLS_MAX_PLAIN - have : n;
            if (take > 0 && c->hs_rec_at + TLS_REC_HDR + have == c->out_len &&
                ENG_OUT_CAP - c->out_len >= take + ENG_ALERT_RESERVE) {
                memcpy(c->out + c->out_len, p, take);
                c->out_len += take;
                CONN_HW(c->out_hw, c->out_len);
                have += take;
                h[3] = (uint8_t)(have >> 8);
                h[4] = (uint8_t)have;
                p += take;
                n -= take;
                continue;
            }
        }
        size_t take = n < TLS_MAX_PLAIN ? n : TLS_MAX_PLAIN;
        GUARD(rec_write(c, TLS_CT_HANDSHAKE, p, take));
        if (!c->wenc) c->hs_rec_at = c->out_len - TLS_REC_HDR - take;
        p += take;
        n -= take;
    }
    return 0;
}

/* see eng_internal.h */
int rec_send_alert(eng_conn *c, uint8_t level, uint8_t desc)
{
    const uint8_t a[2] = {level, desc};
    return rec_write(c, TLS_CT_ALERT, a, 2);
}

/* see eng_internal.h */
void rec_activate_write(eng_conn *c)
{
    c->wenc = 1;
    c->wseq = 0; /* RFC 5246 §6.1: reset to zero at each ChangeCipherSpec */
}

/* see eng_internal.h */
void rec_activate_read(eng_conn *c)
{
    c->renc = 1;
    c->rseq = 0;
}

/* Header checks, done as soon as the 5 header bytes are in: an oversized length is refused
 * before any of the body is buffered. */
static int check_header(eng_conn *c, uint8_t type, uint16_t version, size_t len)
{
    /* RFC 5246 §6: an unexpected record type gets unexpected_message */
    REQUIRE(c, type >= TLS_CT_CHANGE_CIPHER_SPEC && type <= TLS_CT_APPLICATION_DATA,
            ENG_E_UNEXPECTED, "unknown record content type %u", type);
    /* RFC 5246 Appendix E.1: before the hello exchange a record may carry any {3,x} version
     * (we take 3.1..3.3, the ClientHello of a TLS 1.0..1.2 client); afterwards every record
     * carries the negotiated version {3,3}. */
    if (!c->hello_seen)
        REQUIRE(c, version >= TLS_V10 && version <= TLS_V12, ENG_E_VERSION,
                "record version 0x%04x before the hello exchange", version);
    else
        REQUIRE(c, version == TLS_V12, ENG_E_VERSION, "record version 0x%04x, want 0x0303",
                version);
    /* RFC 5246 §6.2.1: TLSPlaintext.length <= 2^14; §6.2.3: TLSCiphertext.length <= 2^14+2048 */
    REQUIRE(c, len <= (c->renc ? (size_t)TLS_MAX_CIPHER : (size_t)TLS_MAX_PLAIN),
            ENG_E_OVERFLOW, "record length %zu exceeds %u", len,
            c->renc ? TLS_MAX_CIPHER : TLS_MAX_PLAIN);
    return 0;
}

static int on_alert(eng_conn *c, const uint8_t *p, size_t n)
{
    /* RFC 5246 §7.2: an Alert is level(1) + description(1); we take one per record. */
    REQUIRE(c, n == 2, ENG_E_DECODE, "alert record of %zu bytes", n);
    if (p[1] == ALERT_CLOSE_NOTIFY) {
        /* RFC 5246 §7.2.1: answer close_notify with our own and stop reading. */
        c->close_rcvd = 1;
        if (!c->close_sent) {
            c->close_sent = 1;
            GUARD(rec_send_alert(c, TLS_ALERT_WARNING, ALERT_CLOSE_NOTIFY));
        }
        return FAIL(c, ENG_E_CLOSED, "peer sent close_notify");
    }
    if (p[0] == TLS_ALERT_FATAL)
        return FAIL(c, ENG_E_PEER(p[1]), "peer sent fatal alert %s", eng_alert_name(p[1]));
    /* RFC 5246 §7.2: AlertLevel is warning(1) or fatal(2) */
    REQUIRE(c, p[0] == TLS_ALERT_WARNING, ENG_E_ILLEGAL_PARAM, "alert level %u", p[0]);
    /* A warning (e.g. no_renegotiation, RFC 5246 §7.2.2) lets the connection continue. */
    c->warn_in = p[1];
    c->warn_count++;
    return 1;
}

static int on_record(eng_conn *c, uint8_t type, uint16_t version, uint8_t *body, size_t len)
{
    uint8_t *p = body;
    size_t n = len;
    if (c->renc) {
        /* RFC 5288 §3 / RFC 5246 §6.2.3.3: nonce_explicit(8) || ciphertext || tag(16) */
        REQUIRE(c, len >= TLS_GCM_OVERHEAD, ENG_E_BAD_RECORD_MAC,
                "protected record of %zu bytes is shorter than nonce + tag", len);
        REQUIRE(c, c->rseq != UINT64_MAX, ENG_E_STATE, "read sequence number exhausted");
        n = len - TLS_GCM_OVERHEAD;
        uint8_t iv[12], aad[13];
        memcpy(iv, c->rsalt, 4);
        memcpy(iv + 4, body, TLS_GCM_EXPLICIT_LEN);
        put_u64(aad, c->rseq);
        aad[8] = type;
        aad[9] = (uint8_t)(version >> 8);
        aad[10] = (uint8_t)version;
        aad[11] = (uint8_t)(n >> 8);
        aad[12] = (uint8_t)n;
        p = body + TLS_GCM_EXPLICIT_LEN;
        /* RFC 5246 §6.2.3.3: authentication failure is bad_record_mac */
        REQUIRE(c, cd_gcm_open(&c->rkey, iv, aad, sizeof aad, p, n, p + n, p) == 0,
                ENG_E_BAD_RECORD_MAC, "record %llu (type %u) failed authentication",
                (unsigned long long)c->rseq, type);
        c->rseq++;
        /* RFC 5246 §6.2.1: the plaintext fragment is at most 2^14 bytes */
        REQUIRE(c, n <= TLS_MAX_PLAIN, ENG_E_OVERFLOW, "decrypted fragment of %zu bytes", n);
    }
    /* RFC 5246 §6.2.1: zero-length Handshake, Alert and ChangeCipherSpec fragments are not
     * allowed (only application data may be empty). */
    REQUIRE(c, n > 0 || type == TLS_CT_APPLICATION_DATA, ENG_E_UNEXPECTED,
            "empty record of content type %u", type);
    switch (type) {
    case TLS_CT_CHANGE_CIPHER_SPEC:
        /* RFC 5246 §7.1: the message is exactly one byte of value 1 */
        REQUIRE(c, n == 1 && p[0] == TLS_CCS_BYTE, ENG_E_DECODE,
                "malformed ChangeCipherSpec (%zu bytes)", n);
        /* RFC 5246 §7.1: CCS only inside the handshake, and a key change in the middle of a
         * fragmented handshake message would split it across two epochs. */
        REQUIRE(c, !c->hs_done, ENG_E_UNEXPECTED, "ChangeCipherSpec after the handshake");
        REQUIRE(c, c->hs_in == 0, ENG_E_UNEXPECTED,
                "ChangeCipherSpec inside a fragmented handshake message");
        REQUIRE(c, !c->ccs_in, ENG_E_UNEXPECTED, "second ChangeCipherSpec");
        c->ccs_in = 1;
        return 1;
    case TLS_CT_ALERT: return on_alert(c, p, n);
    case TLS_CT_HANDSHAKE: GUARD(hs_in_append(c, p, n)); return 1;
    default: /* TLS_CT_APPLICATION_DATA */
        /* RFC 5246 §7.4.9 / §6.2: application data only after the Finished exchange */
        REQUIRE(c, c->hs_done, ENG_E_UNEXPECTED, "application data before the handshake ended");
        if (n == 0) {
            /* RFC 5246 §6.2.1 allows empty application data; a stream of them is a local
             * denial-of-service limit. */
            REQUIRE(c, ++c->empty_recs <= MAX_EMPTY_RECORDS, ENG_E_UNEXPECTED,
                    "more than %d empty records in a row", MAX_EMPTY_RECORDS);
            return 1;
        }
        c->empty_recs = 0;
        c->app_off = (size_t)(p - c->rbuf);
        c->app_len = n;
        return 1;
    }
}

/* see eng_internal.h */
int rec_read(eng_conn *c, const uint8_t *in, size_t avail, size_t *used)
{
    if (c->rlen < TLS_REC_HDR) {
        size_t take = TLS_REC_HDR - c->rlen < avail ? TLS_REC_HDR - c->rlen : avail;
        memcpy(c->rbuf + c->rlen, in, take);
        c->rlen += take;
        CONN_HW(c->rbuf_hw, c->rlen);
        *used += take;
        in += take;
        avail -= take;
        if (c->rlen < TLS_REC_HDR) return 0;
    }
    const uint8_t type = c->rbuf[0];
    const uint16_t version = (uint16_t)(c->rbuf[1] << 8 | c->rbuf[2]);
    const size_t len = (size_t)c->rbuf[3] << 8 | c->rbuf[4];
    c->ctx = "record layer";
    GUARD(check_header(c, type, version, len));
    size_t total = TLS_REC_HDR + len;
    size_t take = total - c->rlen < avail ? total - c->rlen : avail;
    memcpy(c->rbuf + c->rlen, in, take);
    c->rlen += take;
    CONN_HW(c->rbuf_hw, c->rlen);
    *used += take;
    if (c->rlen < total) return 0;
    c->rlen = 0;
    return on_record(c, type, version, c->rbuf + TLS_REC_HDR, len);
}
