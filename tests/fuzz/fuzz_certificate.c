/* fuzz_certificate.c — the client's Certificate parser (RFC 5246 §7.4.2: certificate_list
 * framing, at most CD_CHAIN_MAX entries) and what is done with the DER it carries: chain and
 * host-name verification against the test root, then the leaf key's fit with the suite
 * (RFC 8422 §5.3), for ECDSA and RSA suites.
 * The input is the message body. It is delivered to a clone of the client snapshotted just
 * before the real Certificate of a real in-memory handshake (fuzz_scen.h; the scenario whose
 * real body shares the longest prefix with the input), then the rest of the real server's
 * bytes follow, so a seed from tests/fuzz/corpus runs the whole handshake. Each input runs a
 * second time with verification off (eng_cfg_set_insecure), where any well-formed leaf gets
 * through to the key checks and is used to verify the ServerKeyExchange. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_CERT);
    fz_run_message(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, 1);
    fz_run_message_ex(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, 1, 1, -1);
    return 0;
}
