/* fuzz_common.h — shared by the libFuzzer targets and the seed generator (mkseeds.c):
 *   - deterministic randomness: the build links with -Wl,--wrap=cd_random, so every cd_random
 *     call in the engine lands in __wrap_cd_random below: one splitmix64 stream per role,
 *     selected by fz_feed before it feeds a connection. An input then takes the same path on
 *     every run, and a peer's recorded bytes (seeds) fit a fresh connection seeded the same way
 *     (its randoms and ephemeral keys come out identical);
 *   - configurations loaded once from the test PKI ($MBSHAKE_CERTS, tests/gen-certs.sh);
 *   - a driver that feeds bytes into a connection, runs parked crypto inline and checks the
 *     eng.h contract on the way (consumption bounds, sticky errors, ops come with WANT_CRYPTO).
 * Contract violations abort(), so libFuzzer reports them like a crash. */
#ifndef MBSHAKE_FUZZ_COMMON_H
#define MBSHAKE_FUZZ_COMMON_H

/* RAND_set_rand_method is deprecated in OpenSSL 3 but still honoured: see fz_rng_seed. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/rand.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "eng_internal.h"

/* ---- deterministic randomness ----------------------------------------------------------- */
enum { FZ_RNG_CLIENT = 0, FZ_RNG_SERVER = 1 };
static uint64_t fz_rng[2];
static int fz_rng_cur;

void __wrap_cd_random(void *buf, size_t n);
/* see above: replaces cd_random in the fuzz binaries (never in the library itself) */
void __wrap_cd_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    uint64_t *s = &fz_rng[fz_rng_cur];
    while (n > 0) {
        /* splitmix64 (Steele, Lea, Flood 2014): a test generator, not a cryptographic one */
        uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        size_t k = n < 8 ? n : 8;
        memcpy(p, &z, k);
        p += k;
        n -= k;
    }
}

/* libcrypto's randomness (RSA padding, PSS salts, blinding) from the same streams, so that an
 * RSA key exchange repeats byte for byte too (its ciphertext is part of the transcript). */
static int fz_ossl_bytes(unsigned char *buf, int num)
{
    if (num > 0) __wrap_cd_random(buf, (size_t)num);
    return 1;
}
static int fz_ossl_status(void) { return 1; }
static const RAND_METHOD fz_ossl_rand = {NULL, fz_ossl_bytes, NULL, NULL, fz_ossl_bytes,
                                         fz_ossl_status};

static void fz_rng_seed(uint64_t client, uint64_t server)
{
    static int installed;
    if (!installed && RAND_set_rand_method(&fz_ossl_rand) != 1) {
        fprintf(stderr, "fuzz: RAND_set_rand_method failed\n");
        exit(2);
    }
    installed = 1;
    fz_rng[FZ_RNG_CLIENT] = client;
    fz_rng[FZ_RNG_SERVER] = server;
}

/* ---- growable byte buffer --------------------------------------------------------------- */
typedef struct fz_buf {
    uint8_t *p;
    size_t n, cap;
} fz_buf;

static void fz_buf_add(fz_buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) abort();
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}

static void fz_buf_free(fz_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- configurations --------------------------------------------------------------------- */
static const char *fz_certs(void)
{
    const char *d = getenv("MBSHAKE_CERTS");
    if (!d || !*d) {
        fprintf(stderr, "fuzz: set MBSHAKE_CERTS to a directory made by tests/gen-certs.sh\n");
        exit(2);
    }
    return d;
}

/* Server with the default suites and groups and certificate <kind>-chain.pem / <kind>.key. */
static eng_cfg *fz_server_cfg(const char *kind)
{
    char cert[4096], key[4096], err[256] = "";
    snprintf(cert, sizeof cert, "%s/%s-chain.pem", fz_certs(), kind);
    snprintf(key, sizeof key, "%s/%s.key", fz_certs(), kind);
    eng_cfg *cfg = eng_cfg_new(ENG_SERVER);
    if (!cfg || eng_cfg_set_cert(cfg, cert, key, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: server config %s: %s\n", kind, err);
        exit(2);
    }
    return cfg;
}

/* Client trusting the test root; suites / groups NULL = defaults. */
static eng_cfg *fz_client_cfg(const char *suites, const char *groups)
{
    char ca[4096], err[256] = "";
    snprintf(ca, sizeof ca, "%s/ca.pem", fz_certs());
    eng_cfg *cfg = eng_cfg_new(ENG_CLIENT);
    if (!cfg || eng_cfg_set_ca(cfg, ca, err, sizeof err) != 0 ||
        (suites && eng_cfg_set_suites(cfg, suites, err, sizeof err) != 0) ||
        (groups && eng_cfg_set_groups(cfg, groups, err, sizeof err) != 0)) {
        fprintf(stderr, "fuzz: client config %s %s: %s\n", suites ? suites : "",
                groups ? groups : "", err);
        exit(2);
    }
    return cfg;
}

/* ---- the driver ------------------------------------------------------------------------- */
static void fz_fail(const char *what, const eng_conn *c)
{
    fprintf(stderr, "fuzz: engine contract violated: %s (error %d: %s)\n", what,
            eng_conn_error(c), eng_conn_errmsg(c));
    abort();
}

/* FZ_VERBOSE=1 in the environment: every fz_feed reports its outcome on stderr (for looking
 * at what an input does: `FZ_VERBOSE=1 build/fuzz/fuzz_x file`). */
static int fz_verbose(void)
{
    static int v = -1;
    if (v < 0) v = getenv("FZ_VERBOSE") && *getenv("FZ_VERBOSE") == '1';
    return v;
}

static int fz_report(const eng_conn *c, int st, size_t off, size_t n)
{
    if (fz_verbose())
        fprintf(stderr, "fz_feed %s: %zu/%zu bytes, status %d%s%s\n",
                c->role == ENG_CLIENT ? "client" : "server", off, n, st, st < 0 ? ": " : "",
                st < 0 ? eng_conn_errmsg(c) : "");
    return st;
}

/* What one eng_feed call queued must be whole records with sane headers (RFC 5246 §6.2.1:
 * version {3,3}, known content type, length <= 2^14 + 2048), and a fatal error that sends an
 * alert must end with it (eng.h: the alert is already in the output buffer). */
static void fz_check_output(const eng_conn *c, const uint8_t *o, size_t n, int st)
{
    size_t off = 0, last = (size_t)-1;
    while (off < n) {
        if (n - off < TLS_REC_HDR) fz_fail("output ends in a torn record header", c);
        size_t len = (size_t)o[off + 3] << 8 | o[off + 4];
        if (o[off] < TLS_CT_CHANGE_CIPHER_SPEC || o[off] > TLS_CT_APPLICATION_DATA ||
            o[off + 1] != 3 || o[off + 2] != 3 || len > TLS_MAX_CIPHER)
            fz_fail("output record with a bad header", c);
        if (n - off - TLS_REC_HDR < len) fz_fail("output ends in a torn record", c);
        last = off;
        off += TLS_REC_HDR + len;
    }
    if (st < 0 && ENG_ALERT_OF(st) >= 0 && (last == (size_t)-1 || o[last] != TLS_CT_ALERT))
        fz_fail("fatal error without its alert at the end of the output", c);
}

/* How fz_feed plays the application (set per input by the whole-connection targets):
 *   out_records: take only the first out_records records of the output after each eng_feed
 *     (0 = all of it), so output piles up and the engine's buffer management (compaction, the
 *     alert reserve, a full buffer) is exercised;
 *   app_left: once the handshake is done, write this many more bytes of application data
 *     (eng_write), as far as the output buffer takes them. */
static struct {
    size_t out_records;
    size_t app_left;
} fz_app;

/* Length of the first k whole records of o[0..n) (all of it when k == 0). */
static size_t fz_first_records(const uint8_t *o, size_t n, size_t k)
{
    size_t off = 0;
    if (!k) return n;
    for (size_t i = 0; i < k && off + TLS_REC_HDR <= n; i++)
        off += TLS_REC_HDR + ((size_t)o[off + 3] << 8 | o[off + 4]);
    return off < n ? off : n;
}

/* Feeds p[0..n) in chunks of `chunk` bytes (0 = all at once), running parked crypto inline,
 * reading application data and appending output to `out` (NULL: discarded; see fz_app for
 * what else happens). Returns the last status (an error is sticky: the connection is
 * finished). */
static int fz_feed(eng_conn *c, const uint8_t *p, size_t n, size_t chunk, fz_buf *out)
{
    static const uint8_t app_data[4096] = {'f', 'u', 'z', 'z'};
    int st = ENG_WANT_READ, stalls = 0, ops = 0;
    size_t off = 0;
    if (eng_conn_error(c)) return eng_conn_error(c); /* already over (sticky) */
    fz_rng_cur = c->role == ENG_CLIENT ? FZ_RNG_CLIENT : FZ_RNG_SERVER;
    while (stalls < 2) {
        size_t offer = n - off;
        if (chunk && offer > chunk) offer = chunk;
        size_t used = offer;
        st = eng_feed(c, offer ? p + off : NULL, &used);
        if (used > offer) fz_fail("eng_feed consumed more than it was given", c);
        off += used;
        size_t olen;
        const uint8_t *o = eng_out_peek(c, &olen);
        fz_check_output(c, o, olen, st);
        size_t take = fz_first_records(o, olen, fz_app.out_records);
        if (out) fz_buf_add(out, o, take);
        eng_out_consume(c, take);
        if (st < 0) {
            /* eng.h: the first fatal error is sticky, and nothing more is consumed */
            size_t u2 = n - off, left = olen - take;
            if (eng_conn_error(c) != st) fz_fail("eng_conn_error differs from the status", c);
            if (eng_feed(c, u2 ? p + off : NULL, &u2) != st || u2 != 0)
                fz_fail("a failed connection moved again", c);
            eng_out_peek(c, &olen);
            if (olen != left) fz_fail("a failed connection queued more output", c);
            return fz_report(c, st, off, n);
        }
        if (st == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c);
            if (!op) fz_fail("WANT_CRYPTO without a pending op", c);
            /* A handshake parks a handful of times; more without input is a loop. */
            if (++ops > 64) fz_fail("parked on crypto more than 64 times", c);
            eng_op_run(op);
            continue;
        }
        if (used) ops = 0;
        long wrote = 0;
        if (st == ENG_DONE) {
            uint8_t app[1024];
            while (eng_read(c, app, sizeof app) > 0) {
            }
            if (fz_app.app_left) {
                size_t k = fz_app.app_left < sizeof app_data ? fz_app.app_left : sizeof app_data;
                wrote = eng_write(c, app_data, k);
                if (wrote > (long)k) fz_fail("eng_write took more than it was given", c);
                /* eng.h: an error is fatal (recorded) except misuse (ENG_E_STATE) */
                if (wrote < 0 && wrote != ENG_E_STATE && eng_conn_error(c) != wrote)
                    fz_fail("eng_write failed without recording the error", c);
                if (wrote > 0) fz_app.app_left -= (size_t)wrote;
            }
        }
        if (wrote > 0)
            stalls = 0;
        else
            stalls = (used == 0 || off >= n) ? stalls + 1 : 0;
    }
    return fz_report(c, st, off, n);
}

#endif
