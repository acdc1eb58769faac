/* mkseeds.c — writes the fuzz targets' seed corpora from real in-memory handshakes (every
 * scenario of fuzz_scen.h: suite x group x certificate kind, certificates from
 * $MBSHAKE_CERTS): DIR/<target>/<scenario>[-variant] files holding each target's input
 * format (see the target's header comment). The randomness is the fuzz targets' deterministic
 * one, so each seed fits the snapshots the targets take of the same scenarios.
 *   `make fuzz-seeds` regenerates the checked-in tests/fuzz/corpus; tests/fuzz/smoke.sh runs
 *   the instrumented build/fuzz/mkseeds into scratch space before each run, so seeds always
 *   match the current test PKI. Exit status 1 when a scenario's handshake fails. */
#include <errno.h>
#include <sys/stat.h>

#include "fuzz_scen.h"

static const char *root;
static unsigned nfiles;

static void put(const char *target, const char *name, const uint8_t *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    nfiles++;
}

/* [a][b] + body */
static void put2(const char *target, const char *name, uint8_t a, uint8_t b, const fz_buf *body)
{
    fz_buf f = {0};
    uint8_t h[2] = {a, b};
    fz_buf_add(&f, h, 2);
    fz_buf_add(&f, body->p, body->n);
    put(target, name, f.p, f.n);
    fz_buf_free(&f);
}

/* One fuzz_record item: h, 2-byte length, payload. */
static void item(fz_buf *w, uint8_t h, const void *p, size_t n)
{
    uint8_t hdr[3] = {h, (uint8_t)(n >> 8), (uint8_t)n};
    fz_buf_add(w, hdr, 3);
    fz_buf_add(w, p, n);
}

/* A handshake message (header + body) as one fuzz_record item. */
static void hs_item(fz_buf *w, uint8_t h, uint8_t type, const fz_buf *body)
{
    fz_buf m = {0};
    uint8_t hdr[4] = {type, (uint8_t)(body->n >> 16), (uint8_t)(body->n >> 8), (uint8_t)body->n};
    fz_buf_add(&m, hdr, 4);
    fz_buf_add(&m, body->p, body->n);
    item(w, h, m.p, m.n);
    fz_buf_free(&m);
}

enum { IT_CCS = 0x80, IT_ALERT = 0xa0, IT_HS = 0xc0, IT_APP = 0xe0 }; /* framed items */

static void record_seeds(const fz_scen *s)
{
    char name[256];
    const uint8_t i = (uint8_t)s->idx;
    const uint8_t close_notify[2] = {1, 0}, no_reneg[2] = {1, 100}, ccs = 1;
    const fz_point *at = s->at;
    fz_buf w = {0};
#define EMIT(mode, variant)                                                                        \
    do {                                                                                           \
        snprintf(name, sizeof name, "%s-m%u%s", s->def->name, (unsigned)(mode)&7, variant);        \
        uint8_t h2[2] = {i, (uint8_t)(mode)};                                                      \
        fz_buf f = {0};                                                                            \
        fz_buf_add(&f, h2, 2);                                                                     \
        fz_buf_add(&f, w.p, w.n);                                                                  \
        put("fuzz_record", name, f.p, f.n);                                                        \
        fz_buf_free(&f);                                                                           \
        w.n = 0;                                                                                   \
    } while (0)
    /* 0: a fresh server gets the real ClientHello record, and the same message split over
     * two framed records followed by a warning alert */
    item(&w, 0, at[FZ_AT_CH].wire.p, at[FZ_AT_CH].wire.n);
    EMIT(0, "-raw");
    {
        fz_buf m = {0};
        uint8_t hdr[4] = {1, (uint8_t)(at[FZ_AT_CH].body.n >> 16),
                          (uint8_t)(at[FZ_AT_CH].body.n >> 8), (uint8_t)at[FZ_AT_CH].body.n};
        fz_buf_add(&m, hdr, 4);
        fz_buf_add(&m, at[FZ_AT_CH].body.p, at[FZ_AT_CH].body.n);
        item(&w, no_reneg[0] ? IT_ALERT : 0, no_reneg, 2);
        item(&w, IT_HS, m.p, m.n / 2);
        item(&w, IT_HS, m.p + m.n / 2, m.n - m.n / 2);
        fz_buf_free(&m);
    }
    EMIT(0, "-split");
    /* 1 / 2: the real Finished, sealed by the target, then data and close_notify */
    hs_item(&w, IT_HS, TLS_HS_FINISHED, &at[FZ_AT_FIN_S].body);
    item(&w, IT_APP, fz_app_req, sizeof fz_app_req - 1);
    item(&w, IT_ALERT, close_notify, 2);
    EMIT(1, "");
    hs_item(&w, IT_HS, TLS_HS_FINISHED, &at[FZ_AT_FIN_C].body);
    item(&w, IT_APP, fz_app_resp, sizeof fz_app_resp - 1);
    item(&w, IT_ALERT, close_notify, 2);
    EMIT(2, "");
    /* 3: established server: data, an empty record, a renegotiating ClientHello (answered with
     * no_renegotiation), a warning, close_notify; also fed 5 bytes at a time */
    for (unsigned k = 0; k < 2; k++) {
        item(&w, IT_APP, fz_app_req, sizeof fz_app_req - 1);
        item(&w, IT_APP, "", 0);
        hs_item(&w, IT_HS, TLS_HS_CLIENT_HELLO, &at[FZ_AT_CH].body);
        item(&w, IT_ALERT, no_reneg, 2);
        item(&w, IT_ALERT, close_notify, 2);
        if (k == 0)
            EMIT(3, "");
        else
            EMIT(5 << 3 | 3, "-chunk5");
    }
    /* 4: established client: data, a HelloRequest, then a ChangeCipherSpec (unexpected) */
    item(&w, IT_APP, fz_app_resp, sizeof fz_app_resp - 1);
    item(&w, IT_HS, "\0\0\0\0", 4);
    item(&w, IT_CCS, &ccs, 1);
    EMIT(4, "");
    /* 5 / 6 / 7: the rest of the real peer's stream, raw */
    static const unsigned raw_at[3] = {FZ_AT_SH, FZ_AT_CKE, FZ_AT_SKE};
    for (unsigned k = 0; k < 3; k++) {
        const fz_point *pt = &at[raw_at[k]];
        if (!pt->have) continue;
        fz_buf r = {0};
        fz_buf_add(&r, pt->wire.p, pt->wire.n);
        fz_buf_add(&r, pt->tail.p, pt->tail.n);
        item(&w, 0, r.p, r.n);
        fz_buf_free(&r);
        EMIT(5 + k, "");
    }
    fz_buf_free(&w);
#undef EMIT
}

/* CertificateRequest bodies (RFC 5246 §7.4.4): our server never sends one. */
static void cert_request_seeds(void)
{
    /* types rsa_sign(1), ecdsa_sign(64); schemes; one DistinguishedName (CN=mbshake test root) */
    static const uint8_t full[] = {
        2, 1, 64, 0, 8, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x01, 0, 30, 0, 28,
        0x30, 0x1a, 0x31, 0x18, 0x30, 0x16, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x0f,
        'm', 'b', 's', 'h', 'a', 'k', 'e', ' ', 't', 'e', 's', 't', ' ', 'C', 'A'};
    /* ecdsa_sign only, one scheme, no authorities */
    static const uint8_t small[] = {1, 64, 0, 2, 0x04, 0x03, 0, 0};
    put("fuzz_cert_request", "types-schemes-one-ca", full, sizeof full);
    put("fuzz_cert_request", "ecdsa-no-ca", small, sizeof small);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR   (MBSHAKE_CERTS=<tests/gen-certs.sh dir>)\n", argv[0]);
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0777) != 0 && errno != EEXIST) {
        perror(root);
        return 1;
    }
    int bad = 0;
    unsigned kinds_done = 0;
    char name[256];
    for (unsigned i = 0; i < FZ_NSCEN; i++) {
        fz_scen s;
        fz_scen_setup(&s, i);
        if (fz_scen_run(&s, FZ_AT_ALL) != 0) {
            bad = 1;
            fz_scen_free(&s);
            continue;
        }
        const char *n = s.def->name;
        const fz_point *at = s.at;
        put("fuzz_client_hello", n, at[FZ_AT_CH].body.p, at[FZ_AT_CH].body.n);
        put("fuzz_server_hello", n, at[FZ_AT_SH].body.p, at[FZ_AT_SH].body.n);
        for (unsigned k = 0; k < FZ_NKINDS; k++) /* one chain per certificate kind */
            if (!strcmp(fz_kinds[k], s.def->kind) && !(kinds_done >> k & 1)) {
                kinds_done |= 1u << k;
                put("fuzz_certificate", s.def->kind, at[FZ_AT_CERT].body.p, at[FZ_AT_CERT].body.n);
            }
        if (at[FZ_AT_SKE].have) put("fuzz_ske", n, at[FZ_AT_SKE].body.p, at[FZ_AT_SKE].body.n);
        put("fuzz_cke", n, at[FZ_AT_CKE].body.p, at[FZ_AT_CKE].body.n);
        snprintf(name, sizeof name, "%s-client", n);
        put("fuzz_finished", name, at[FZ_AT_FIN_S].body.p, at[FZ_AT_FIN_S].body.n);
        snprintf(name, sizeof name, "%s-server", n);
        put("fuzz_finished", name, at[FZ_AT_FIN_C].body.p, at[FZ_AT_FIN_C].body.n);
        put2("fuzz_server_feed", n, (uint8_t)i, 0, &s.stream[ENG_SERVER]);
        put2("fuzz_client_feed", n, (uint8_t)i, 0, &s.stream[ENG_CLIENT]);
        /* a few scenarios fed in small pieces, and with an application that drains its
         * output slowly and writes a lot (flags of fuzz_server_feed.c) */
        if (i == 0 || i == 8) {
            snprintf(name, sizeof name, "%s-chunk7", n);
            put2("fuzz_server_feed", name, (uint8_t)i, 7, &s.stream[ENG_SERVER]);
            put2("fuzz_client_feed", name, (uint8_t)i, 7, &s.stream[ENG_CLIENT]);
            snprintf(name, sizeof name, "%s-slow-writer", n);
            put2("fuzz_server_feed", name, (uint8_t)i, 0xc0, &s.stream[ENG_SERVER]);
            put2("fuzz_client_feed", name, (uint8_t)i, 0xc0, &s.stream[ENG_CLIENT]);
        }
        if (i == 0 || i == 5 || i == 8) record_seeds(&s);
        fz_scen_free(&s);
    }
    cert_request_seeds();
    printf("mkseeds: %u files in %s%s\n", nfiles, root, bad ? " (some scenarios FAILED)" : "");
    return bad;
}
