/* fuzz_common.h — shared set-up for the libFuzzer targets: configurations loaded once from the
 * test PKI ($MBSHAKE_CERTS, made by tests/gen-certs.sh), and a driver that feeds bytes into a
 * connection, completing parked crypto inline and discarding output. */
#ifndef MBSHAKE_FUZZ_COMMON_H
#define MBSHAKE_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"

static const char *fz_certs(void)
{
    const char *d = getenv("MBSHAKE_CERTS");
    if (!d) {
        fprintf(stderr, "fuzz: set MBSHAKE_CERTS to a directory made by tests/gen-certs.sh\n");
        exit(2);
    }
    return d;
}

static eng_cfg *fz_server_cfg(const char *kind)
{
    char cert[4096], key[4096], err[256];
    snprintf(cert, sizeof cert, "%s/%s-chain.pem", fz_certs(), kind);
    snprintf(key, sizeof key, "%s/%s.key", fz_certs(), kind);
    eng_cfg *cfg = eng_cfg_new(ENG_SERVER);
    if (!cfg || eng_cfg_set_cert(cfg, cert, key, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: server config: %s\n", err);
        exit(2);
    }
    return cfg;
}

static eng_cfg *fz_client_cfg(void)
{
    char ca[4096], err[256];
    snprintf(ca, sizeof ca, "%s/ca.pem", fz_certs());
    eng_cfg *cfg = eng_cfg_new(ENG_CLIENT);
    if (!cfg || eng_cfg_set_ca(cfg, ca, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: client config: %s\n", err);
        exit(2);
    }
    return cfg;
}

/* Feeds p[0..n) in chunks of `chunk` bytes (0 = all at once), running parked crypto inline
 * and discarding output and application data; returns the last status. */
static int fz_feed(eng_conn *c, const uint8_t *p, size_t n, size_t chunk)
{
    int st = ENG_WANT_READ, stalls = 0;
    size_t off = 0;
    while (stalls < 2) {
        size_t used = n - off;
        if (chunk && used > chunk) used = chunk;
        st = eng_feed(c, used ? p + off : NULL, &used);
        off += used;
        size_t outlen;
        eng_out_peek(c, &outlen);
        eng_out_consume(c, outlen);
        if (st < 0) return st;
        if (st == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c);
            if (!op) abort(); /* WANT_CRYPTO must come with an op */
            eng_op_run(op);
            continue;
        }
        if (st == ENG_DONE) {
            uint8_t app[512];
            while (eng_read(c, app, sizeof app) > 0) {
            }
        }
        stalls = (used == 0 || off >= n) ? stalls + 1 : 0;
    }
    return st;
}

#endif
