/* suites.c — the cipher suites, groups and signature schemes mbshake speaks, and their names in
 * OpenSSL and IANA spelling. */
#include <strings.h>

#include "eng_internal.h"

/* RFC 5288 §3 / RFC 5289 §3.2: AES-GCM suites; the *_SHA384 ones use SHA-384 for the PRF.
 * Order = default preference (ECDSA first: cheapest server signature). */
const tls_suite tls_suites[] = {
    {TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, KX_ECDHE_ECDSA, 16, CD_SHA256,
     "ECDHE-ECDSA-AES128-GCM-SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, KX_ECDHE_ECDSA, 32, CD_SHA384,
     "ECDHE-ECDSA-AES256-GCM-SHA384", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, KX_ECDHE_RSA, 16, CD_SHA256,
     "ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, KX_ECDHE_RSA, 32, CD_SHA384,
     "ECDHE-RSA-AES256-GCM-SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {TLS_RSA_WITH_AES_128_GCM_SHA256, KX_RSA, 16, CD_SHA256, "AES128-GCM-SHA256",
     "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {TLS_RSA_WITH_AES_256_GCM_SHA384, KX_RSA, 32, CD_SHA384, "AES256-GCM-SHA384",
     "TLS_RSA_WITH_AES_256_GCM_SHA384"},
};
const unsigned tls_nsuites = sizeof tls_suites / sizeof *tls_suites;

/* The client's signature_algorithms, preference order (RFC 5246 §7.4.1.4.1). rsa_pkcs1_sha512
 * needs a SHA-512 digest, which cd_hash offers only when cd.h defines CD_HAVE_SHA512. */
const uint16_t tls_client_sigalgs[] = {
    TLS_SIG_ECDSA_SECP256R1_SHA256, TLS_SIG_RSA_PSS_RSAE_SHA256, TLS_SIG_RSA_PSS_RSAE_SHA384,
    TLS_SIG_RSA_PKCS1_SHA256,       TLS_SIG_RSA_PKCS1_SHA384,
#ifdef CD_HAVE_SHA512
    TLS_SIG_RSA_PKCS1_SHA512,
#endif
};
const unsigned tls_client_nsigalgs = sizeof tls_client_sigalgs / sizeof *tls_client_sigalgs;

static const struct {
    uint16_t id;
    const char *name;
    const char *alias[2];
} groups[] = {
    {TLS_GROUP_X25519, "x25519", {"X25519", NULL}},
    {TLS_GROUP_SECP256R1, "secp256r1", {"P-256", "prime256v1"}},
};

/* see eng_internal.h */
const tls_suite *tls_suite_by_id(uint16_t id)
{
    for (unsigned i = 0; i < tls_nsuites; i++)
        if (tls_suites[i].id == id) return &tls_suites[i];
    return NULL;
}

/* see eng_internal.h */
size_t tls_group_point_len(uint16_t group)
{
    /* RFC 8422 §5.4 / RFC 7748 §5: X25519 public values are 32 bytes; P-256 points are
     * uncompressed 04||X||Y (65 bytes), the only format we negotiate (RFC 8422 §5.1.2). */
    return group == TLS_GROUP_X25519 ? 32 : group == TLS_GROUP_SECP256R1 ? 65 : 0;
}

/* see eng_internal.h */
int tls_sigalg_hash(uint16_t scheme, enum cd_hash *h)
{
    switch (scheme) {
    case TLS_SIG_ECDSA_SECP256R1_SHA256:
    case TLS_SIG_RSA_PKCS1_SHA256:
    case TLS_SIG_RSA_PSS_RSAE_SHA256: *h = CD_SHA256; return 1;
    case TLS_SIG_RSA_PKCS1_SHA384:
    case TLS_SIG_RSA_PSS_RSAE_SHA384: *h = CD_SHA384; return 1;
#ifdef CD_HAVE_SHA512
    case TLS_SIG_RSA_PKCS1_SHA512: *h = CD_SHA512; return 1;
#endif
    default: return 0;
    }
}

/* see eng.h */
int eng_suite_from_name(const char *name)
{
    if (!name) return -1;
    for (unsigned i = 0; i < tls_nsuites; i++)
        if (!strcasecmp(name, tls_suites[i].ossl) || !strcasecmp(name, tls_suites[i].iana))
            return tls_suites[i].id;
    return -1;
}

/* see eng.h */
const char *eng_suite_name(uint16_t id, int iana)
{
    const tls_suite *s = tls_suite_by_id(id);
    if (!s) return NULL;
    return iana ? s->iana : s->ossl;
}

/* see eng.h */
int eng_group_from_name(const char *name)
{
    if (!name) return -1;
    for (unsigned i = 0; i < sizeof groups / sizeof *groups; i++) {
        if (!strcasecmp(name, groups[i].name)) return groups[i].id;
        for (unsigned j = 0; j < 2; j++)
            if (groups[i].alias[j] && !strcasecmp(name, groups[i].alias[j])) return groups[i].id;
    }
    return -1;
}

/* see eng.h */
const char *eng_group_name(uint16_t id)
{
    for (unsigned i = 0; i < sizeof groups / sizeof *groups; i++)
        if (groups[i].id == id) return groups[i].name;
    return id == 0 ? "none" : NULL;
}
