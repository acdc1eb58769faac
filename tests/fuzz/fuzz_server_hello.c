/* fuzz_server_hello.c — the client's ServerHello parser (RFC 5246 §7.4.1.3:
 * version, suite, compression, extensions it may answer) and what follows from its choices.
 * The input is the message body. It is delivered to a clone of the receiving connection,
 * snapshotted just before the real message in a real in-memory handshake (fuzz_scen.h; the
 * scenario whose real body shares the longest prefix with the input), then the rest of the
 * real peer's bytes follow, so a seed from tests/fuzz/corpus runs the whole handshake. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(1u << FZ_AT_SH);
    fz_run_message(FZ_AT_SH, TLS_HS_SERVER_HELLO, data, size, FZ_TAIL);
    return 0;
}
