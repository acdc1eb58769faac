/* fuzz_finished.c — the Finished parser and check of both roles (RFC 5246 §7.4.9: 12 bytes of
 * verify_data, compared in constant time) arriving in the first protected record, and what
 * follows a good one (the server's CCS/Finished, application data, close_notify). The input is
 * the Finished body; it is sealed with the peer's real write key and delivered to a server
 * snapshotted after the client's ChangeCipherSpec and to a client snapshotted after the
 * server's (fuzz_scen.h; for each, the scenario whose real verify_data shares the longest
 * prefix with the input). */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_FIN_S | 1u << FZ_AT_FIN_C);
    fz_run_message(FZ_AT_FIN_S, TLS_HS_FINISHED, data, size, FZ_TAIL);
    fz_run_message(FZ_AT_FIN_C, TLS_HS_FINISHED, data, size, FZ_TAIL);
    return 0;
}
