/* rsa_pms.h — RFC 5246 §7.4.7.1 premaster selection after a raw RSA decryption, in constant
 * time. Kept apart from cd_ossl.c (which does the private-key operation through libcrypto) so
 * that tests/ct can run exactly this code under valgrind with the decrypted block marked secret. */
#ifndef MBSHAKE_RSA_PMS_H
#define MBSHAKE_RSA_PMS_H

#include <stddef.h>
#include <stdint.h>

/* em: the k-byte raw RSA result (k = modulus length, public; k >= 59 so that PS can hold 8
 * bytes). rnd: 48 random bytes drawn before the decryption. pms gets em's last 48 bytes when
 * em = 00 || 02 || PS (k-51 nonzero bytes) || 00 || M with M[0..1] == client_version, and rnd
 * otherwise. Neither a branch nor a memory index depends on em. Returns nothing on purpose:
 * the caller must not learn which case happened. */
void rsa_pms_select(const uint8_t *em, size_t k, uint16_t client_version, const uint8_t rnd[48],
                    uint8_t pms[48]);

#endif
