/* fuzz_client_feed.c — arbitrary bytes from a "server" into a client connection that has sent
 * its ClientHello: exercises the record layer and the client's ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone and Finished parsers (and X.509 parsing of whatever the
 * Certificate message carries). The first byte chooses the feeding chunk size. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static eng_cfg *cfg;
    if (!cfg) cfg = fz_client_cfg();
    if (size < 1) return 0;
    eng_conn *c = eng_conn_new(cfg, "localhost");
    if (!c) abort();
    fz_feed(c, NULL, 0, 0); /* ClientHello */
    fz_feed(c, data + 1, size - 1, data[0]);
    eng_conn_free(c);
    return 0;
}
