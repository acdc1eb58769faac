/* tls12_const.h — IANA numbers of the TLS 1.2 protocol as mbshake speaks it, each with the
 * section that defines it. Only numbers live here; behaviour lives with the code that checks. */
#ifndef MBSHAKE_TLS12_CONST_H
#define MBSHAKE_TLS12_CONST_H

/* RFC 5246 §6.2.1 ProtocolVersion; {3,3} is TLS 1.2 (RFC 5246 Appendix E.1) */
#define TLS_V12 0x0303
#define TLS_V10 0x0301

/* RFC 5246 §6.2.1 ContentType */
#define TLS_CT_CHANGE_CIPHER_SPEC 20
#define TLS_CT_ALERT 21
#define TLS_CT_HANDSHAKE 22
#define TLS_CT_APPLICATION_DATA 23

/* RFC 5246 §6.2.1: TLSPlaintext.length <= 2^14; §6.2.3: TLSCiphertext.length <= 2^14 + 2048 */
#define TLS_MAX_PLAIN 16384
#define TLS_MAX_CIPHER (16384 + 2048)
#define TLS_REC_HDR 5

/* RFC 5246 §7.2 AlertLevel */
#define TLS_ALERT_WARNING 1
#define TLS_ALERT_FATAL 2

/* RFC 5246 §7.1: the ChangeCipherSpec message is the single byte change_cipher_spec(1) */
#define TLS_CCS_BYTE 1

/* RFC 5246 §7.4 HandshakeType */
#define TLS_HS_HELLO_REQUEST 0
#define TLS_HS_CLIENT_HELLO 1
#define TLS_HS_SERVER_HELLO 2
#define TLS_HS_CERTIFICATE 11
#define TLS_HS_SERVER_KEY_EXCHANGE 12
#define TLS_HS_CERTIFICATE_REQUEST 13
#define TLS_HS_SERVER_HELLO_DONE 14
#define TLS_HS_CERTIFICATE_VERIFY 15
#define TLS_HS_CLIENT_KEY_EXCHANGE 16
#define TLS_HS_FINISHED 20
#define TLS_HS_HDR 4 /* msg_type(1) + uint24 length */

/* RFC 5246 §7.4.1.2 Random: 32 bytes; SessionID <0..32>; §7.4.9 verify_data: 12 bytes */
#define TLS_RANDOM_LEN 32
#define TLS_SESSION_ID_MAX 32
#define TLS_VERIFY_DATA_LEN 12
/* RFC 5246 §8.1: master_secret is always 48 bytes; §7.4.7.1: RSA premaster is 48 bytes */
#define TLS_MASTER_LEN 48
#define TLS_RSA_PMS_LEN 48

/* RFC 5246 §7.4.1.2 CompressionMethod */
#define TLS_COMP_NULL 0

/* Cipher suites: RFC 5288 §3 (AES-GCM, RSA key exchange), RFC 5289 §3.2 (ECDHE with GCM) */
#define TLS_RSA_WITH_AES_128_GCM_SHA256 0x009C
#define TLS_RSA_WITH_AES_256_GCM_SHA384 0x009D
#define TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 0xC02B
#define TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 0xC02C
#define TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0xC02F
#define TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0xC030
/* RFC 5746 §3.3 signalling cipher suite value; RFC 7507 §2 */
#define TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00FF
#define TLS_FALLBACK_SCSV 0x5600

/* RFC 5288 §3: AES-GCM record protection parameters */
#define TLS_GCM_SALT_LEN 4     /* fixed_iv_length (client/server_write_IV) */
#define TLS_GCM_EXPLICIT_LEN 8 /* record_iv_length: nonce_explicit */
#define TLS_GCM_TAG_LEN 16
#define TLS_GCM_OVERHEAD (TLS_GCM_EXPLICIT_LEN + TLS_GCM_TAG_LEN)

/* ExtensionType (RFC 5246 §7.4.1.4 registry) */
#define TLS_EXT_SERVER_NAME 0                /* RFC 6066 §3 */
#define TLS_EXT_SUPPORTED_GROUPS 10          /* RFC 8422 §5.1.1 (elliptic_curves) */
#define TLS_EXT_EC_POINT_FORMATS 11          /* RFC 8422 §5.1.2 */
#define TLS_EXT_SIGNATURE_ALGORITHMS 13      /* RFC 5246 §7.4.1.4.1 */
#define TLS_EXT_EXTENDED_MASTER_SECRET 23    /* RFC 7627 §5.1 */
#define TLS_EXT_RENEGOTIATION_INFO 0xff01    /* RFC 5746 §3.2 */

/* RFC 6066 §3 NameType */
#define TLS_SNI_HOST_NAME 0

/* NamedGroup: RFC 8422 §5.1.1 */
#define TLS_GROUP_SECP256R1 23
#define TLS_GROUP_X25519 29

/* RFC 8422 §5.1.2 ECPointFormat; §5.4 ECCurveType */
#define TLS_PF_UNCOMPRESSED 0
#define TLS_CURVE_NAMED 3

/* SignatureScheme code points (RFC 8446 §4.2.3), the same two bytes as TLS 1.2's
 * SignatureAndHashAlgorithm {hash, signature} of RFC 5246 §7.4.1.4.1 (sha256=4, sha384=5,
 * sha512=6; rsa=1, ecdsa=3) plus RFC 8446's rsa_pss_rsae_* for TLS 1.2 use. */
#define TLS_SIG_RSA_PKCS1_SHA256 0x0401
#define TLS_SIG_RSA_PKCS1_SHA384 0x0501
#define TLS_SIG_RSA_PKCS1_SHA512 0x0601
#define TLS_SIG_ECDSA_SECP256R1_SHA256 0x0403
#define TLS_SIG_RSA_PSS_RSAE_SHA256 0x0804
#define TLS_SIG_RSA_PSS_RSAE_SHA384 0x0805

#endif
