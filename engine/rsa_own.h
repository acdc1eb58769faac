/* rsa_own.h — our own RSA private-key operation (RFC 8017 RSADP/RSASP1 with CRT) for the
 * server's RSA-2048 keys, and the signature encodings around it (EMSA-PKCS1-v1_5, EMSA-PSS).
 *
 * The exponentiations run on AVX2 (rsa_own_avx2.c: radix-2^28 almost-Montgomery products, both
 * CRT halves in lockstep), the glue on BMI2 mulx + ADX (rsa_own_mulx.c), so the operation needs
 * CD_NEEDS_AVX2 (and a forced --isa tier that allows it); everywhere else cd_ossl.c keeps
 * libcrypto and says so (rsa_own_impl_name, cd_rsa_priv_impl). Supported shape: RSA-2048 with two
 * 1024-bit primes (what every generator produces); RSA-3072/4096 and odd shapes stay on libcrypto
 * (measured slower with our generic code, see docs/DESIGN.md).
 *
 * Constant time: fixed 5-bit windows with a table scan per lookup, CRT recombination with
 * masks, exponent blinding (d_p + k(p-1), k a fresh 32-bit random per operation); no branch
 * or memory index depends on the key, the exponent or the message. Every result is checked
 * with the public exponent before it leaves (fault attacks on CRT, Boneh-DeMillo-Lipton). */
#ifndef MBSHAKE_RSA_OWN_H
#define MBSHAKE_RSA_OWN_H

#include <stddef.h>
#include <stdint.h>

typedef struct rsa_own_key rsa_own_key;

#define RSA_OWN_MAX_BYTES 512 /* buffers: up to RSA-4096 (the key components handed in) */

/* 1 when MBSHAKE_RSA=own is set (read once; anything else, or unset, keeps libcrypto: ours
 * is not faster than libcrypto's on the reference machine, see docs/DESIGN.md) and this CPU (and
 * the forced ISA tier, cd_isa_forced) allows our kernels: AVX2+BMI2+ADX. */
int rsa_own_usable(void);
/* "mbshake-avx2" when rsa_own_usable(), else "libcrypto" (what runs the private operation
 * of a supported key; unsupported key shapes always use libcrypto). */
const char *rsa_own_impl_name(void);

/* Precomputes a key from its big-endian components (leading zeros allowed). NULL when the
 * shape is unsupported, the components are inconsistent (a self-test private operation must
 * pass the public check), memory is short, or !rsa_own_usable(). */
rsa_own_key *rsa_own_new(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                         const uint8_t *p, size_t plen, const uint8_t *q, size_t qlen,
                         const uint8_t *dp, size_t dplen, const uint8_t *dq, size_t dqlen,
                         const uint8_t *qinv, size_t qinvlen);
void rsa_own_free(rsa_own_key *k); /* wipes; NULL is fine */
/* Modulus length in bytes. */
size_t rsa_own_len(const rsa_own_key *k);

/* out = in^d mod n, both rsa_own_len(k) bytes big-endian. Returns 0, or -1 when in >= n
 * (public) or when the result fails the check out^e == in (a fault; out is then zeroed). */
int rsa_own_private(const rsa_own_key *k, const uint8_t *in, uint8_t *out);

/* TLS signature (scheme 0x0401/0x0501/0x0601 PKCS#1 v1.5 with DigestInfo, 0x0804/0x0805
 * RSASSA-PSS rsae: MGF1 with the same hash, salt length = hash length, salt from cd_random).
 * sig gets rsa_own_len(k) bytes. Returns 0, or -1 (unknown scheme, wrong digest length,
 * fault). */
int rsa_own_sign(const rsa_own_key *k, uint16_t scheme, const uint8_t *digest, size_t dlen,
                 uint8_t *sig);

/* Tests only: the next n private operations of this thread corrupt their result before the
 * public check (which must then fail). */
void rsa_own_inject_fault(unsigned n);
/* Tests (tests/ct) only: calls mark on every secret part of k, to mark it for valgrind. */
void rsa_own_secrets(rsa_own_key *k, void (*mark)(void *p, size_t n));

/* rsa_own_mulx.c (BMI2+ADX+AVX2 code): called by rsa_own.c after its CPU check only. */
rsa_own_key *rsa_own_new_mulx(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                              const uint8_t *p, size_t plen, const uint8_t *q, size_t qlen,
                              const uint8_t *dp, size_t dplen, const uint8_t *dq, size_t dqlen,
                              const uint8_t *qinv, size_t qinvlen);
int rsa_own_private_mulx(const rsa_own_key *k, const uint8_t *in, uint8_t *out);
void rsa_own_free_mulx(rsa_own_key *k);

#endif
