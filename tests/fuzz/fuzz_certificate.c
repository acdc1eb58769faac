/* fuzz_certificate.c — the client's Certificate parser (RFC 5246 §7.4.2: certificate_list
 * framing, at most CD_CHAIN_MAX entries) and what is done with the DER it carries: chain and
 * host-name verification against the test root, then the leaf key's fit with the suite
 * (RFC 8422 §5.3), for ECDSA and RSA suites.
 * The input is the message body. It is delivered to a clone of the client snapshotted just
 * before the real Certificate of a real in-memory handshake (fuzz_scen.h; the scenario whose
 * real body shares the longest prefix with the input), then the rest of the real server's
 * bytes follow, so a seed from tests/fuzz/corpus runs the whole handshake. Each input runs two
 * more times: with verification off (eng_cfg_set_insecure), where any well-formed leaf gets
 * through to the key checks and is used to verify the ServerKeyExchange, and with the
 * verified-chain cache on (eng_cfg_set_verify_cache), filled with the real chains at start. */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int cached;
    fz_init(1u << FZ_AT_CERT);
    for (unsigned i = 0; !cached && i < FZ_NSCEN; i++) { /* the real chains, into the cache */
        const fz_buf *real = &fz_scens[i].at[FZ_AT_CERT].body;
        fz_run_message_ex(FZ_AT_CERT, TLS_HS_CERTIFICATE, real->p, real->n, FZ_NO_TAIL,
                          FZ_CFG_VCACHE, (int)i);
    }
    cached = 1;
    fz_run_message(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, FZ_TAIL);
    fz_run_message_ex(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, FZ_TAIL, FZ_CFG_INSECURE, -1);
    fz_run_message_ex(FZ_AT_CERT, TLS_HS_CERTIFICATE, data, size, FZ_TAIL, FZ_CFG_VCACHE, -1);
    return 0;
}
