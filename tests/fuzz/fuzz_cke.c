/* fuzz_cke.c — the server's ClientKeyExchange parsers: ECDHE public
 * values for x25519 and P-256 (RFC 8422 §5.7; the derive kernels see the fuzzed point) and the
 * RSA-encrypted premaster secret (RFC 5246 §7.4.7.1; the constant-time premaster check sees
 * the fuzzed ciphertext), with 2048/3072/4096-bit keys.
 * The input is the message body. It is delivered to a clone of the receiving connection,
 * snapshotted just before the real message in a real in-memory handshake (fuzz_scen.h; the
 * scenario whose real body shares the longest prefix with the input), then the rest of the
 * real peer's bytes follow, so a seed from tests/fuzz/corpus runs the whole handshake. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_CKE);
    fz_run_message(FZ_AT_CKE, TLS_HS_CLIENT_KEY_EXCHANGE, data, size, FZ_TAIL);
    return 0;
}
