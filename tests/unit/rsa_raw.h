/* rsa_raw.h — raw RSA through libcrypto (RSA_NO_PADDING), the oracle of the RSA tests: builds
 * ciphertexts for crafted paddings (public) and shows the encoded block (private). Included by
 * test_ossl.c and test_rsa_own.c. */
#ifndef MBSHAKE_RSA_RAW_H
#define MBSHAKE_RSA_RAW_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stddef.h>
#include <stdint.h>

/* c = m^e mod n, k = modulus bytes; 0 or -1 */
static __attribute__((unused)) int rsa_raw_public(EVP_PKEY *pk, const uint8_t *m, size_t k,
                                                  uint8_t *c)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    size_t cl = k;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_encrypt(ctx, c, &cl, m, k) > 0 && cl == k;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

/* m = c^d mod n, k = modulus bytes; 0 or -1 (c >= n) */
static __attribute__((unused)) int rsa_raw_private(EVP_PKEY *pk, const uint8_t *c, size_t k,
                                                   uint8_t *m)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
    size_t ml = k;
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
             EVP_PKEY_decrypt(ctx, m, &ml, c, k) > 0 && ml == k;
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
    return ok ? 0 : -1;
}

#endif
