/* cd_ossl.h — OpenSSL libcrypto, used for what it was made for: PEM loading, X.509 parsing and
 * chain verification with host-name checks, and RSA (the server's RSA-2048 private operation can
 * run on our own code instead, rsa_own.h, opt-in). Nothing else in engine/ includes OpenSSL
 * headers. */
#ifndef MBSHAKE_CD_OSSL_H
#define MBSHAKE_CD_OSSL_H

#include <stddef.h>
#include <stdint.h>

#define CD_CHAIN_MAX 8

typedef enum { CD_KEY_NONE = 0, CD_KEY_EC_P256 = 1, CD_KEY_RSA = 2 } cd_key_type;

/* A certificate chain in DER, leaf first (what a server sends in Certificate). */
typedef struct cd_chain {
    unsigned n;
    uint8_t *der[CD_CHAIN_MAX];
    size_t len[CD_CHAIN_MAX];
} cd_chain;
/* Reads every certificate of cert_file, then of chain_file (may be NULL). 0, or -1 + err. */
int cd_chain_load(cd_chain *ch, const char *cert_file, const char *chain_file, char *err,
                  size_t errlen);
void cd_chain_free(cd_chain *ch);

typedef struct cd_privkey {
    cd_key_type type;
    unsigned bits;      /* 256 for P-256, modulus bits for RSA */
    uint8_t ec_priv[32]; /* P-256 scalar, big-endian (used by our own ECDSA) */
    uint8_t ec_pub[65];
    void *pkey;         /* EVP_PKEY* (RSA) */
    void *rsa_own;      /* rsa_own_key* (RSA): our own private operation, NULL = libcrypto's */
} cd_privkey;
/* PEM private key: EC P-256 or RSA (2048..4096). 0, or -1 + err. */
int cd_privkey_load(cd_privkey *k, const char *key_file, char *err, size_t errlen);
/* 0 if the leaf certificate's public key matches k, else -1 + err. */
int cd_privkey_matches(const cd_privkey *k, const cd_chain *ch, char *err, size_t errlen);
void cd_privkey_free(cd_privkey *k); /* wipes */
/* RSA: precomputes our own private operation (rsa_own.h) for k->pkey when it is opted in
 * (MBSHAKE_RSA=own) and this CPU and key allow it (cd_privkey_load does this). 0 when
 * k->rsa_own is set, -1 when the key stays on libcrypto (not opted in, unsupported shape or
 * CPU). */
int cd_privkey_rsa_own(cd_privkey *k);
/* What runs k's RSA private operation: "mbshake-avx2" (ours, opt-in: rsa_own.h) or
 * "libcrypto". */
const char *cd_rsa_priv_impl(const cd_privkey *k);

typedef struct cd_trust cd_trust; /* X509_STORE with the CA roots */
cd_trust *cd_trust_load(const char *ca_file, char *err, size_t errlen);
void cd_trust_free(cd_trust *t);

typedef struct cd_pubkey {
    cd_key_type type;
    unsigned bits;
    uint8_t ec_pub[65]; /* 04||X||Y for P-256 leaves */
    void *pkey;         /* EVP_PKEY* (RSA) */
    char subject[256];  /* one-line subject of the leaf */
} cd_pubkey;
/* Parses der[0..n) (leaf first). With trust != NULL, verifies the chain to a root in trust
 * (purpose TLS server) and, when hostname != NULL, the leaf's names (RFC 6125; IP literals as
 * IP SANs). Fills *leaf. Returns 0, or a negative ENG_E_ALERT(...) from err.h:
 * bad_certificate(42), unsupported_certificate(43), certificate_expired(45), unknown_ca(48),
 * certificate_unknown(46) for a name mismatch; err gets a one-line reason. */
int cd_chain_verify(const cd_trust *trust, const uint8_t *const der[], const size_t len[],
                    unsigned n, const char *hostname, cd_pubkey *leaf, char *err, size_t errlen);
void cd_pubkey_free(cd_pubkey *k);

/* RSA over a digest computed by the caller (cd_hash). scheme: TLS SignatureScheme:
 * 0x0401/0x0501/0x0601 rsa_pkcs1_sha256/384/512, 0x0804/0x0805 rsa_pss_rsae_sha256/384.
 * sign: *siglen is the capacity in, the length out. 0, or -1. */
int cd_rsa_sign(const cd_privkey *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                uint8_t *sig, size_t *siglen);
/* 0 if valid, -1 otherwise. */
int cd_rsa_verify(const cd_pubkey *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                  const uint8_t *sig, size_t siglen);
/* Client: PKCS#1 v1.5 encryption of the 48-byte premaster (RFC 5246 §7.4.7.1). *outlen is the
 * capacity in (>= modulus length), the length out. 0, or -1. */
int cd_rsa_encrypt_pms(const cd_pubkey *k, const uint8_t pms[48], uint8_t *out, size_t *outlen);
/* Server: RFC 5246 §7.4.7.1 — always yields a 48-byte premaster. On any failure (wrong length,
 * bad PKCS#1 padding, wrong client_version in the first two bytes) it is a random one, chosen
 * without a branch or index that depends on the decrypted data (no Bleichenbacher oracle). */
void cd_rsa_decrypt_pms(const cd_privkey *k, const uint8_t *ct, size_t n, uint16_t client_version,
                        uint8_t pms[48]);

#endif
