/* eng.h — mbshake's public engine API: sans-IO TLS 1.2 client and server connections.
 *
 * A connection never does I/O and never blocks. The caller feeds received bytes with
 * eng_feed(), sends whatever eng_out_peek() returns, and, when eng_feed() answers
 * ENG_WANT_CRYPTO, completes the pending operation (public-key work, or the key schedule:
 * eng_pending_op(): inline with eng_op_run(), or batched with other connections' ops by a
 * scheduler) and calls eng_feed() again. The same state machines serve the in-memory
 * benchmark, the TCP server and the client.
 *
 * Errors are the integers of err.h: each fatal error carries the alert that was queued for the
 * peer (already in the output buffer: send it, then close). */
#ifndef MBSHAKE_ENG_H
#define MBSHAKE_ENG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { ENG_SERVER = 0, ENG_CLIENT = 1 } eng_role;

/* eng_feed() statuses (>= 0); negative values are err.h errors. */
enum {
    ENG_DONE = 0,        /* handshake complete: application data may flow */
    ENG_WANT_READ = 1,   /* needs more input from the peer */
    ENG_WANT_CRYPTO = 2, /* a crypto operation is pending: run it, then feed again */
};

/* ---- configuration (shared, read-only once connections exist) -------------------------- */
typedef struct eng_cfg eng_cfg;

eng_cfg *eng_cfg_new(eng_role role);
void eng_cfg_free(eng_cfg *cfg);
/* Server certificate (PEM file; leaf first, may hold the chain), private key (PEM: EC P-256 or
 * RSA 2048/3072/4096) and optional extra chain file. 0, or -1 with a one-line reason in err. */
int eng_cfg_set_cert(eng_cfg *cfg, const char *cert_file, const char *key_file,
                     const char *chain_file, char *err, size_t errlen);
/* Client: CA roots (PEM) that the server's chain must verify against. */
int eng_cfg_set_ca(eng_cfg *cfg, const char *ca_file, char *err, size_t errlen);
/* Client: skip chain and host-name verification (the leaf key is still used). */
void eng_cfg_set_insecure(eng_cfg *cfg, int on);
/* Cipher suites, in preference order: comma- or colon-separated, OpenSSL spelling
 * (ECDHE-ECDSA-AES128-GCM-SHA256) or IANA (TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256); "all". */
int eng_cfg_set_suites(eng_cfg *cfg, const char *list, char *err, size_t errlen);
/* Groups in preference order: x25519, secp256r1 (aliases P-256, prime256v1). */
int eng_cfg_set_groups(eng_cfg *cfg, const char *list, char *err, size_t errlen);
/* Refuse peers without extended_master_secret (RFC 7627 §5.2), with handshake_failure: a
 * server refuses a ClientHello without it, a client a ServerHello that does not echo it (by
 * default a client falls back to the RFC 5246 master secret). Default off. */
void eng_cfg_set_require_ems(eng_cfg *cfg, int on);
/* Client: offer extended_master_secret (default on). */
void eng_cfg_set_offer_ems(eng_cfg *cfg, int on);
/* Client: add TLS_FALLBACK_SCSV to the ClientHello (RFC 7507; for tests). */
void eng_cfg_set_fallback_scsv(eng_cfg *cfg, int on);
/* Client: verify each distinct server chain once (default off: every handshake verifies).
 * The cache is keyed by SHA-256 over the chain's certificates and the host name checked, and
 * keeps the verified leaf key; a hit skips only the X.509 path and name checks; every TLS
 * check (key type against the suite, the ServerKeyExchange signature) still runs. Failed
 * verifications are never cached. Hits take no lock; up to 32 chains are kept, later ones are
 * verified every time. A cached P-256 leaf also gets a precomputed verify table of its key
 * (cd_p256.key_table_new, ~170 KB, about a millisecond, where the selected kernels make them),
 * with which each hit verifies the ServerKeyExchange signature without doublings. Entries do
 * not expire (a benchmark setting: a long-lived client should not use it across certificate
 * expiry). eng_cfg_set_ca empties it. 0, or -1 on allocation failure. */
int eng_cfg_set_verify_cache(eng_cfg *cfg, int on);

/* ---- connections ----------------------------------------------------------------------- */
typedef struct eng_conn eng_conn;

/* servername: client only, sent as SNI and checked against the certificate (NULL = none). */
eng_conn *eng_conn_new(const eng_cfg *cfg, const char *servername);
void eng_conn_free(eng_conn *c); /* wipes all secrets */

/* Consumes up to *inlen received bytes (sets *inlen to the number consumed; in may be NULL
 * with *inlen == 0) and advances. A client's first call produces the ClientHello. Returns
 * ENG_DONE / ENG_WANT_READ / ENG_WANT_CRYPTO, or a fatal error (alert already queued). After
 * the handshake, received application data is decrypted into an internal buffer (eng_read);
 * when that is full, eng_feed consumes nothing more until the caller reads. */
int eng_feed(eng_conn *c, const uint8_t *in, size_t *inlen);

/* Bytes to send to the peer, and how many of them were sent. */
const uint8_t *eng_out_peek(const eng_conn *c, size_t *len);
void eng_out_consume(eng_conn *c, size_t n);

/* Application data (only after ENG_DONE). eng_write encrypts into the output buffer (records
 * of at most 2^14 bytes, RFC 5246 §6.2.1) and returns bytes accepted (may be < n when the
 * output buffer is full) or an error. eng_read returns bytes copied (0 = none buffered). */
long eng_write(eng_conn *c, const uint8_t *p, size_t n);
long eng_read(eng_conn *c, uint8_t *p, size_t cap);
/* Queue close_notify (RFC 5246 §7.2.1). A received close_notify is answered automatically
 * and makes eng_feed return ENG_E_CLOSED (already-decrypted data stays readable). After the
 * handshake, a HelloRequest (client) or ClientHello (server) is refused with a warning
 * no_renegotiation alert (RFC 5246 §7.2.2) and the connection continues. */
int eng_close(eng_conn *c);

/* ---- parked public-key operations ------------------------------------------------------ */
typedef enum {
    ENG_OP_NONE = 0,
    ENG_OP_X25519_KEYGEN, /* a = priv[32]                          -> out = pub[32]     */
    ENG_OP_X25519_DERIVE, /* a = priv[32], b = peer[32]            -> out = shared[32]  */
    ENG_OP_P256_KEYGEN,   /* a = priv[32]                          -> out = pub[65]     */
    ENG_OP_P256_DERIVE,   /* a = priv[32], b = peer[65]            -> out = shared[32]  */
    ENG_OP_P256_SIGN,     /* a = priv[32], b = hash[32], c = extra[32] -> out = r||s[64] */
    ENG_OP_P256_VERIFY,   /* a = pub[65],  b = hash[32], c = r||s[64]                   */
    ENG_OP_RSA,           /* RSA through libcrypto (decrypt premaster, sign, verify)     */
    ENG_OP_TLS_KEYS,      /* key schedule: a = premaster[alen], b = transcript[blen] through
                           * ClientKeyExchange, ems, c = client_random[32], d =
                           * server_random[32], prf -> out = master_secret[48], kb =
                           * key_block[kblen], vd = the client Finished's verify_data[12] */
    ENG_OP_TLS_FINISHED,  /* Finished: a = master_secret[48], b = transcript[blen], prf, ems =
                           * 1 for "client finished" (else "server finished")
                           * -> out = verify_data[12]                                      */
    ENG_OP_KINDS
} eng_op_kind;

/* ENG_OP_RSA sub-operations (eng_op.rsa). */
typedef enum {
    ENG_RSA_SIGN = 1,        /* key = cd_privkey*, a = digest[alen], scheme -> out[*outlen]   */
    ENG_RSA_VERIFY = 2,      /* key = cd_pubkey*,  a = digest[alen], c = sig[clen], scheme    */
    ENG_RSA_ENCRYPT_PMS = 3, /* key = cd_pubkey*,  a = pms[48]                -> out[*outlen] */
    ENG_RSA_DECRYPT_PMS = 4, /* key = cd_privkey*, a = ct[alen], scheme = client_version
                                                                             -> out = pms[48] */
} eng_rsa_mode;

typedef struct eng_op {
    eng_op_kind kind;
    uint8_t failed; /* set by whoever ran it: 1 = this operation failed */
    uint8_t done;
    const uint8_t *a, *b, *c;
    uint8_t *out;
    eng_conn *conn;
    /* ENG_OP_RSA only (see eng_rsa_mode). Every pointer of an op points into the connection
     * or into its configuration (our private key), both of which outlive the op. */
    uint8_t rsa;     /* eng_rsa_mode */
    uint16_t scheme; /* SignatureScheme, or the ClientHello.client_version for DECRYPT_PMS */
    size_t alen, clen;
    size_t *outlen;  /* capacity in, length out */
    const void *key;
    /* ENG_OP_TLS_KEYS and ENG_OP_TLS_FINISHED only: the PRF hash (enum cd_hash), extended
     * master secret or not (TLS_FINISHED: the client's label or not), the server random, the
     * transcript's length, the key block and the client's verify_data (NULL: not wanted) */
    uint8_t prf, ems;
    const uint8_t *d;
    size_t blen, kblen;
    uint8_t *kb, *vd;
} eng_op;

/* The operation this connection is parked on, or NULL. */
eng_op *eng_pending_op(eng_conn *c);
/* Runs one op inline with the selected (1-lane or wider) kernels and marks it done. */
void eng_op_run(eng_op *op);
const char *eng_op_name(eng_op_kind k);

/* ---- results --------------------------------------------------------------------------- */
typedef struct eng_info {
    uint16_t version;     /* 0x0303 */
    uint16_t suite;       /* IANA cipher suite number */
    uint16_t group;       /* IANA NamedGroup: 29 x25519, 23 secp256r1; 0 for RSA key exchange */
    uint16_t sigalg;      /* SignatureScheme used in ServerKeyExchange (0 if none) */
    int ems;              /* extended master secret negotiated */
    int secure_reneg;     /* renegotiation_info negotiated */
    const char *suite_name; /* OpenSSL spelling */
    const char *group_name; /* "x25519", "secp256r1", "none" */
    char servername[256]; /* SNI sent (client) or received (server) */
    char peer_subject[256]; /* client: server leaf certificate subject, one line */
} eng_info;

/* Fills what is known so far; returns 0 once the handshake is complete, ENG_E_STATE before. */
int eng_conn_info(const eng_conn *c, eng_info *info);
/* First fatal error (0 if none), and a one-line explanation: what failed, which alert. */
int eng_conn_error(const eng_conn *c);
const char *eng_conn_errmsg(const eng_conn *c);

/* ---- names ----------------------------------------------------------------------------- */
/* Suite/group id from a name in either spelling; -1 if unknown or unsupported. */
int eng_suite_from_name(const char *name);
const char *eng_suite_name(uint16_t id, int iana);
int eng_group_from_name(const char *name);
const char *eng_group_name(uint16_t id);

#endif
