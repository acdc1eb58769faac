/* fuzz_client_feed.c — arbitrary bytes from a "server" into a client connection that has sent
 * its ClientHello: the record layer and the client's ServerHello, Certificate,
 * ServerKeyExchange, ServerHelloDone and Finished parsers (and X.509 parsing of whatever the
 * Certificate message carries).
 * Input: [scenario][flags] bytes... — scenario & 0x3f (mod the count, fuzz_scen.h) picks the
 * client configuration (suite, groups) and the randomness, so the seeds (a real server's whole
 * stream) complete the handshake; scenario & 0x40 turns the verified-chain cache on
 * (eng_cfg_set_verify_cache; it lives as long as the process), else scenario & 0x80 turns
 * certificate verification off (eng_cfg_set_insecure). flags as in fuzz_server_feed.c:
 * & 0x3f feeding size (0 = all at once), & 0x40 slow output drain, & 0x80 40000 bytes of
 * application data written after the handshake. */
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
    int variant = (data[0] & 0x40)   ? FZ_CFG_VCACHE
                  : (data[0] & 0x80) ? FZ_CFG_INSECURE
                                     : FZ_CFG_OWN;
    eng_conn *c = eng_conn_new(fz_variant_cfg(s->idx, variant), "localhost");
    if (!c) abort();
    if (fz_feed(c, NULL, 0, 0, NULL) == ENG_WANT_READ) /* ClientHello */
        fz_feed(c, data + 2, size - 2, data[1] & 0x3f, NULL);
    fz_app.out_records = fz_app.app_left = 0;
    eng_conn_free(c);
    return 0;
}
