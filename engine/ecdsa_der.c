/* ecdsa_der.c — see ecdsa_der.h. ECDSA-Sig-Value (RFC 8422 §5.4, X9.62):
 *   SEQUENCE { r INTEGER, s INTEGER }, DER (X.690 §10): definite minimal lengths, minimal
 *   two's-complement integers. For P-256 the whole value is at most 72 bytes, so every length
 *   fits the short form (one byte < 0x80); a long form can never be minimal and is rejected. */
#include <string.h>

#include "buf.h"
#include "ecdsa_der.h"

#define DER_SEQUENCE 0x30
#define DER_INTEGER 0x02

/* one non-negative INTEGER of at most 32 value bytes, right-aligned into out */
static int der_int(eng_rd *r, uint8_t out[32])
{
    if (eng_rd_uint(r, 1) != DER_INTEGER) return -1;
    eng_rd v = eng_rd_vec(r, 1, 1, 33); /* empty INTEGERs are invalid (X.690 §8.3.1) */
    size_t len = eng_rd_left(&v);
    const uint8_t *c = eng_rd_bytes(&v, len);
    if (!c) return -1;
    if (c[0] & 0x80) return -1; /* negative */
    if (len > 1 && c[0] == 0x00) {
        if (!(c[1] & 0x80)) return -1; /* X.690 §8.3.2: the leading zero was not needed */
        c++;
        len--;
    }
    if (len > 32) return -1;
    memset(out, 0, 32);
    memcpy(out + 32 - len, c, len);
    return 0;
}

/* see ecdsa_der.h */
int ecdsa_sig_from_der(const uint8_t *der, size_t n, uint8_t rs[64])
{
    uint8_t t[64];
    eng_rd r = eng_rd_init(der, n);
    if (eng_rd_uint(&r, 1) != DER_SEQUENCE) return -1;
    eng_rd seq = eng_rd_vec(&r, 1, 0, 0x7f); /* short-form length only */
    if (der_int(&seq, t) < 0 || der_int(&seq, t + 32) < 0) return -1;
    if (eng_rd_end(&seq) != 0 || eng_rd_end(&r) != 0) return -1; /* no trailing bytes */
    memcpy(rs, t, 64);
    return 0;
}

/* the minimal INTEGER for a 32-byte big-endian value */
static void put_int(eng_wr *w, const uint8_t v[32])
{
    size_t i = 0;
    while (i < 31 && v[i] == 0) i++;
    eng_wr_uint(w, DER_INTEGER, 1);
    eng_wr_open(w, 1);
    if (v[i] & 0x80) eng_wr_uint(w, 0x00, 1); /* keep it non-negative */
    eng_wr_bytes(w, v + i, 32 - i);
    eng_wr_close(w);
}

/* see ecdsa_der.h */
size_t ecdsa_sig_to_der(const uint8_t rs[64], uint8_t *out)
{
    eng_wr w;
    eng_wr_init(&w, out, ECDSA_P256_DER_MAX);
    eng_wr_uint(&w, DER_SEQUENCE, 1);
    eng_wr_open(&w, 1);
    put_int(&w, rs);
    put_int(&w, rs + 32);
    eng_wr_close(&w);
    return w.err ? 0 : w.len; /* cannot fail: at most 2 + 2 * 35 = 72 bytes */
}
