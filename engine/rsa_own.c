/* rsa_own.c — see rsa_own.h. Baseline x86-64 code: the CPU check in front of the mulx kernel
 * (rsa_own_mulx.c) and the signature encodings, EMSA-PKCS1-v1_5 (RFC 8017 §9.2) and EMSA-PSS
 * (RFC 8017 §9.1.1, MGF1 of §B.2.1), over cd_hash. */
#include "rsa_own.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "ct.h"

static int opted_in;
static pthread_once_t opt_once = PTHREAD_ONCE_INIT;
static void opt_read(void)
{
    const char *v = getenv("MBSHAKE_RSA");
    opted_in = v && strcmp(v, "own") == 0;
    if (v && *v && !opted_in && strcmp(v, "libcrypto") != 0)
        fprintf(stderr, "mbshake: MBSHAKE_RSA=%s is not a choice (own or libcrypto); the RSA "
                        "private operation stays libcrypto's\n", v);
}

/* see rsa_own.h */
int rsa_own_usable(void)
{
    pthread_once(&opt_once, opt_read);
    if (!opted_in) return 0; /* not faster than libcrypto on the reference machine: opt-in */
    if ((cd_cpu_features() & CD_NEEDS_AVX2) != CD_NEEDS_AVX2) return 0;
    const char *forced = cd_isa_forced();
    uint64_t cap = 0;
    if (forced && (cd_isa_needs(forced, &cap) != 0 || (cap & CD_NEEDS_AVX2) != CD_NEEDS_AVX2))
        return 0; /* --isa scalar: the tier is a ceiling */
    return 1;
}

/* see rsa_own.h */
const char *rsa_own_impl_name(void) { return rsa_own_usable() ? "mbshake-avx2" : "libcrypto"; }

/* see rsa_own.h */
rsa_own_key *rsa_own_new(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                         const uint8_t *p, size_t plen, const uint8_t *q, size_t qlen,
                         const uint8_t *dp, size_t dplen, const uint8_t *dq, size_t dqlen,
                         const uint8_t *qinv, size_t qinvlen)
{
    if (!rsa_own_usable()) return NULL;
    return rsa_own_new_mulx(n, nlen, e, elen, p, plen, q, qlen, dp, dplen, dq, dqlen, qinv,
                            qinvlen);
}

/* see rsa_own.h */
void rsa_own_free(rsa_own_key *k)
{
    if (k) rsa_own_free_mulx(k); /* a key exists only where the mulx code runs */
}

/* see rsa_own.h */
int rsa_own_private(const rsa_own_key *k, const uint8_t *in, uint8_t *out)
{
    return rsa_own_private_mulx(k, in, out);
}

/* RFC 8017 §9.2 note 1: DER of DigestInfo up to the digest. */
static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

/* RFC 8017 §B.2.1 MGF1: out ^= MGF1(seed, len) (XORed in place: that is how §9.1.1 uses it). */
static void mgf1_xor(enum cd_hash h, const uint8_t *seed, size_t slen, uint8_t *out, size_t len)
{
    uint8_t buf[CD_HASH_MAX + 4], t[CD_HASH_MAX];
    size_t hl = cd_hash_len(h);
    memcpy(buf, seed, slen);
    for (uint32_t ctr = 0; len > 0; ctr++) {
        buf[slen] = (uint8_t)(ctr >> 24);
        buf[slen + 1] = (uint8_t)(ctr >> 16);
        buf[slen + 2] = (uint8_t)(ctr >> 8);
        buf[slen + 3] = (uint8_t)ctr;
        cd_hash(h, buf, slen + 4, t);
        size_t n = len < hl ? len : hl;
        for (size_t i = 0; i < n; i++) out[i] ^= t[i];
        out += n;
        len -= n;
    }
}

/* see rsa_own.h */
int rsa_own_sign(const rsa_own_key *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                 uint8_t *sig)
{
    enum cd_hash h;
    const uint8_t *di = NULL;
    switch (scheme) {
    case 0x0401: h = CD_SHA256; di = di_sha256; break;
    case 0x0501: h = CD_SHA384; di = di_sha384; break;
    case 0x0601: h = CD_SHA512; di = di_sha512; break;
    case 0x0804: h = CD_SHA256; break;
    case 0x0805: h = CD_SHA384; break;
    default: return -1;
    }
    size_t hl = cd_hash_len(h), klen = rsa_own_len(k);
    if (dlen != hl) return -1;
    uint8_t em[RSA_OWN_MAX_BYTES];
    if (di) {
        /* §9.2: EM = 00 || 01 || FF.. || 00 || DigestInfo (T is 19 + hLen bytes) */
        size_t tlen = sizeof di_sha256 + hl;
        em[0] = 0x00;
        em[1] = 0x01;
        memset(em + 2, 0xff, klen - tlen - 3);
        em[klen - tlen - 1] = 0x00;
        memcpy(em + klen - tlen, di, sizeof di_sha256);
        memcpy(em + klen - hl, digest, hl);
    } else {
        /* §9.1.1 with emBits = modBits - 1 = 8 klen - 1 (supported moduli are whole bytes), so
         * emLen = klen and the top bit of EM is cleared; sLen = hLen (RFC 8446 §4.2.3). */
        uint8_t mp[8 + 2 * CD_HASH_MAX], hh[CD_HASH_MAX];
        memset(mp, 0, 8);
        memcpy(mp + 8, digest, hl);
        cd_random(mp + 8 + hl, hl); /* salt */
        cd_hash(h, mp, 8 + 2 * hl, hh);
        size_t dblen = klen - hl - 1;
        memset(em, 0, dblen);
        em[dblen - hl - 1] = 0x01; /* DB = PS || 01 || salt */
        memcpy(em + dblen - hl, mp + 8 + hl, hl);
        mgf1_xor(h, hh, hl, em, dblen);
        em[0] &= 0x7f;
        memcpy(em + dblen, hh, hl);
        em[klen - 1] = 0xbc;
        ct_wipe(mp, sizeof mp);
    }
    int rc = rsa_own_private(k, em, sig);
    ct_wipe(em, sizeof em);
    return rc;
}
