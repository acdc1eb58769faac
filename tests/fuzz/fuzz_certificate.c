/* fuzz_certificate.c — the client's Certificate parser (RFC 5246 §7.4.2:
 * certificate_list framing) and chain/host verification of whatever DER it carries, for ECDSA
 * and RSA suites.
 * The input is the message body. It is delivered to a clone of the receiving connection,
 * snapshotted just before the real message in a real in-memory handshake (fuzz_scen.h; the
 * scenario whose real body shares the longest prefix with the input), then the rest of the
 * real peer's bytes follow, so a seed from tests/fuzz/corpus runs the whole handshake. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_CERT);
    fz_run_message(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, 1);
    return 0;
}
