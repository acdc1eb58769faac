/* fuzz_ske.c — the client's ServerKeyExchange parser and checks (RFC 8422 §5.4: curve type,
 * named group, public value; RFC 5246 §7.4.1.4.1 / §7.4.3: signature scheme and signature) with
 * ECDSA (DER Ecdsa-Sig-Value, RFC 8422 §5.4) and RSA (PKCS#1 v1.5 / PSS) signatures, for x25519
 * and P-256. The input is the message body, delivered to a clone of the client snapshotted just
 * before the real ServerKeyExchange (fuzz_scen.h; the scenario whose real body shares the
 * longest prefix with the input), then the rest of the real server's bytes: a seed runs the
 * whole handshake, so the client's key exchange, key derivation and Finished follow a
 * ServerKeyExchange that verifies. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_SKE);
    fz_run_message(FZ_AT_SKE, TLS_HS_SERVER_KEY_EXCHANGE, data, size, 1);
    return 0;
}
