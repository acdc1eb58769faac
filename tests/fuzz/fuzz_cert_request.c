/* fuzz_cert_request.c — the client's CertificateRequest parser (RFC 5246 §7.4.4:
 * certificate_types<1..2^8-1>, supported_signature_algorithms<2..2^16-2>,
 * certificate_authorities<0..2^16-1> of DistinguishedName<1..2^16-1>) and what a request
 * changes: the client, which has no certificate, answers with an empty Certificate
 * (RFC 5246 §7.4.6) before its ClientKeyExchange.
 * Our server never sends the message, so the input (the body) is delivered to a clone of a
 * client snapshotted where the flow allows it, just before the real ServerHelloDone
 * (fuzz_scen.h; the real message is empty, so the input's length picks the scenario), then the
 * real ServerHelloDone and the rest of the real server's bytes. Seeds are made by mkseeds. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_SHD);
    fz_run_message(FZ_AT_SHD, TLS_HS_CERTIFICATE_REQUEST, data, size, FZ_UNIT_TAIL);
    return 0;
}
