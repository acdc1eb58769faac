/* fuzz_server_feed.c — arbitrary bytes from a "client" into a server connection: the record
 * layer (reassembly, limits, CCS/alert handling) and the server's ClientHello,
 * ClientKeyExchange and Finished parsers, with every certificate kind.
 * Input: [scenario][flags] bytes... — scenario & 0x3f (mod the count, fuzz_scen.h) picks the
 * server configuration and the randomness, so the seeds (a real client's whole stream)
 * complete the handshake; flags & 0x3f is the feeding size (0 = all at once), so
 * fragmentation paths are covered; flags & 0x40: the application takes one output record per
 * eng_feed (output piles up); flags & 0x80: it writes 40000 bytes once the handshake is done
 * (fz_app in fuzz_common.h). */
#include "fuzz_scen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_init(0);
    if (size < 2) return 0;
    const fz_scen *s = &fz_scens[(data[0] & 0x3f) % FZ_NSCEN];
    fz_rng_seed(fz_seed_client(s->idx), fz_seed_server(s->idx));
    fz_app.out_records = (data[1] & 0x40) ? 1 : 0; /* the application drains slowly */
    fz_app.app_left = (data[1] & 0x80) ? 40000 : 0; /* and writes after the handshake */
    eng_conn *c = eng_conn_new(s->scfg, NULL);
    if (!c) abort();
    fz_feed(c, data + 2, size - 2, data[1] & 0x3f, NULL);
    fz_app.out_records = fz_app.app_left = 0;
    eng_conn_free(c);
    return 0;
}
