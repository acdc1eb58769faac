/* fuzz_server_feed.c — arbitrary bytes from a "client" into a server connection: exercises the
 * record layer (reassembly, limits, CCS/alert handling) and the server's ClientHello,
 * ClientKeyExchange and Finished parsers. The first byte chooses the feeding chunk size, so
 * fragmentation paths are covered too. Nothing may crash, hang or leak. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eng_cfg *ecdsa, *rsa;
    if (!ecdsa) {
        ecdsa = fz_server_cfg("ecdsa-p256");
        rsa = fz_server_cfg("rsa2048");
    }
    if (size < 1) return 0;
    eng_conn *c = eng_conn_new((data[0] & 0x80) ? rsa : ecdsa, NULL);
    if (!c) abort();
    fz_feed(c, data + 1, size - 1, data[0] & 0x7f);
    eng_conn_free(c);
    return 0;
}
