/* fuzz_client_hello.c — the server's ClientHello parser (RFC 5246 §7.4.1.2 and the extensions
 * of RFC 6066, 8422, 5246 §7.4.1.4.1, 7627, 5746, 7507) and the negotiation that follows: suite,
 * group and signature-scheme choice against ECDSA and RSA certificates, and the server's flight
 * built from those choices (ServerHello echoes, Certificate, ServerKeyExchange).
 * The input is the message body, delivered to a clone of a fresh server connection (fuzz_scen.h;
 * the scenario whose real ClientHello shares the longest prefix with the input picks the
 * certificate), followed by the rest of the real client's bytes, so that a seed from
 * tests/fuzz/corpus runs the whole handshake. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_CH);
    fz_run_message(FZ_AT_CH, TLS_HS_CLIENT_HELLO, data, size, FZ_TAIL);
    return 0;
}
