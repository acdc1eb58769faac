/* tlsio.c — see tlsio.h */
#include "tlsio.h"

#include <stdio.h>
#include <string.h>

/* see tlsio.h */
int tlsio_pump(eng_conn *c, uint8_t *buf, size_t *len)
{
    for (;;) {
        size_t n = *len;
        int r = eng_feed(c, n ? buf : NULL, &n);
        if (n > *len) n = *len; /* defensive: never trust a count past what we offered */
        if (n) memmove(buf, buf + n, *len - n);
        *len -= n;
        if (r == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c);
            if (!op) return ENG_E_STATE;
            eng_op_run(op);
            continue;
        }
        /* the engine may stop after one record; go on while it makes progress */
        if (r >= 0 && n > 0 && *len > 0) continue;
        return r;
    }
}

/* see tlsio.h */
const char *tlsio_sigalg_name(uint16_t s)
{
    static _Thread_local char buf[16];
    switch (s) {
    case 0: return "none";
    case 0x0201: return "rsa_pkcs1_sha1";
    case 0x0203: return "ecdsa_sha1";
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0601: return "rsa_pkcs1_sha512";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0603: return "ecdsa_secp521r1_sha512";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    default: snprintf(buf, sizeof buf, "0x%04x", s); return buf;
    }
}

/* see tlsio.h */
const char *tlsio_version_name(uint16_t v)
{
    static _Thread_local char buf[16];
    switch (v) {
    case 0x0301: return "TLSv1.0";
    case 0x0302: return "TLSv1.1";
    case 0x0303: return "TLSv1.2";
    case 0x0304: return "TLSv1.3";
    default: snprintf(buf, sizeof buf, "0x%04x", v); return buf;
    }
}
