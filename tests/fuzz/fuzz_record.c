/* fuzz_record.c — the record layer (record.c) driven directly: rec_read takes one record at a
 * time, in plaintext and with AES-GCM keys active, and after each record the handshake flow
 * (or the post-handshake handler) takes what it delivered, as eng_feed's loop does. Records the
 * target seals itself with the peer's real write key get past authentication, so the fuzzer
 * reaches what follows decryption: content types, lengths, empty records, alerts, a second
 * ChangeCipherSpec, handshake messages after the handshake, sequence-number gaps.
 *
 * Input: [scenario][mode] then items.
 *   scenario (mod the count, fuzz_scen.h): suite, group and certificate kind
 *   mode & 7: the receiving connection (a snapshot of a real handshake):
 *     0 server before the ClientHello (plaintext)  1 server before the client's Finished
 *     2 client before the server's Finished         3 server, handshake done
 *     4 client, handshake done                      5 client before the ServerHello (plaintext)
 *     6 server before the ClientKeyExchange          7 client before the ServerKeyExchange
 *   mode >> 3: bytes per rec_read call (0 = all that is left)
 *   item: h, length (2 bytes, clipped to what is left), payload
 *     h & 0x80: a record of content type 20 + (h >> 5 & 3) that the target frames: sealed with
 *               the peer's key and the receiver's next sequence number when the receiver reads
 *               protected records (h & 0x10: skip one sequence number first), else plaintext;
 *               h & 0x08: header version {3,1} instead of {3,3}
 *     otherwise: the payload as raw bytes (headers, torn records, forged ciphertexts). */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned mode_at[8] = {FZ_AT_CH,    FZ_AT_FIN_S, FZ_AT_FIN_C, FZ_AT_APP_S,
                                    FZ_AT_APP_C, FZ_AT_SH,    FZ_AT_CKE,   FZ_AT_SKE};

/* Turns the items into the byte stream for receiver c of point pt. */
static void build(const fz_point *pt, const eng_conn *c, const uint8_t *p, const uint8_t *end,
                  fz_buf *w)
{
    uint64_t seq = c->rseq;
    while (p < end) {
        uint8_t h = *p++;
        size_t len = (size_t)(p < end ? p[0] : 0) << 8 | (p + 1 < end ? p[1] : 0);
        p += end - p < 2 ? end - p : 2;
        if (len > (size_t)(end - p)) len = (size_t)(end - p);
        if (h & 0x80) {
            uint8_t type = (uint8_t)(TLS_CT_CHANGE_CIPHER_SPEC + (h >> 5 & 3));
            uint16_t ver = (h & 0x08) ? TLS_V10 : TLS_V12;
            if (c->renc && pt->key) {
                size_t max = TLS_MAX_CIPHER - TLS_GCM_OVERHEAD; /* the largest record */
                if (len > max) len = max;
                if (h & 0x10) seq++;
                fz_seal(pt->key, pt->salt, seq++, type, ver, p, len, w);
            } else {
                uint8_t hdr[5] = {type, (uint8_t)(ver >> 8), (uint8_t)ver, (uint8_t)(len >> 8),
                                  (uint8_t)len};
                fz_buf_add(w, hdr, 5);
                fz_buf_add(w, p, len);
            }
        } else {
            fz_buf_add(w, p, len);
        }
        p += len;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned want = 0;
    for (unsigned i = 0; i < 8; i++) want |= 1u << mode_at[i];
    fz_init(want);
    if (size < 2) return 0;
    unsigned at = mode_at[data[1] & 7];
    size_t chunk = data[1] >> 3;
    const fz_point *pt = NULL;
    for (unsigned k = 0; k < FZ_NSCEN && !pt; k++) {
        const fz_point *q = &fz_scens[(data[0] + k) % FZ_NSCEN].at[at];
        if (q->have) pt = q;
    }
    if (!pt) return 0;
    eng_conn *c = fz_conn_clone(pt->snap);
    memcpy(fz_rng, pt->rng, sizeof fz_rng);
    fz_buf w = {0};
    build(pt, c, data + 2, data + size, &w);

    size_t off = 0;
    while (off < w.n) {
        size_t avail = w.n - off, used = 0;
        if (chunk && avail > chunk) avail = chunk;
        int r = rec_read(c, w.p + off, avail, &used);
        if (used > avail) fz_fail("rec_read consumed more than it was given", c);
        if (r == 0 && used != avail) fz_fail("rec_read wants more input but left some", c);
        off += used;
        if (r < 0) {
            /* as eng_feed does with a record-layer error: the alert goes out */
            size_t olen;
            int e = conn_fail(c, r);
            const uint8_t *o = eng_out_peek(c, &olen);
            if (e != r) fz_fail("conn_fail did not keep the first error", c);
            fz_check_output(c, o, olen, e);
            break;
        }
        /* the flow takes the record (handshake bytes, CCS, application data) */
        if (fz_feed(c, NULL, 0, 0, NULL) < 0) break;
    }
    fz_buf_free(&w);
    eng_conn_free(c);
    return 0;
}
