/* bench_openssl.c — the same workload through OpenSSL's libssl, as the same-run baseline.
 *
 * Per worker: `inflight` client/server SSL pairs, each pair joined by a BIO pair (no copies by
 * us: what one side writes the other reads), driven round-robin in one thread. Every
 * SSL_new / SSL_do_handshake / SSL_free of a side is timed with the TSC and charged to that
 * side, exactly as bench_loop.c charges eng_conn_new / eng_feed / eng_conn_free (OpenSSL's
 * public-key operations run inside SSL_do_handshake, so they are included). One shared server
 * SSL_CTX and one shared client SSL_CTX, as a real server and client would hold.
 *
 * Configuration matches the mbshake side: same certificate chain and key, the one suite
 * (SSL_CTX_set_cipher_list), TLS 1.2 only, extended master secret (OpenSSL's default), no
 * session cache and no tickets (every handshake is full), the server's group list = the measured
 * group, the client offering X25519 then P-256; the client verifies chain and host name
 * (SSL_set1_host = X509_VERIFY_PARAM_set1_host) and sends SNI.
 *
 * Flights (same definitions as bench_loop.h): a side "sends" a flight when a
 * SSL_do_handshake call returns having written bytes into its BIO (BIO_ctrl_wpending grew):
 * client flight 0 = ClientHello, server flight 0 = ServerHello..ServerHelloDone, client flight
 * 1 = ClientKeyExchange..Finished, server flight 1 = ChangeCipherSpec+Finished; a side is done
 * when SSL_do_handshake first returns 1. Every call of a side is made only when it has input
 * (or, for the client, to start), so a flight's latency is the time from the peer's flight to
 * the call that answered it, including the time the round-robin spent on other pairs in between
 * — the same as for mbshake minus batching, which OpenSSL does not do.
 *
 * --verify cached: a certificate-verify callback (SSL_CTX_set_cert_verify_callback, which
 * replaces X509_verify_cert for the handshake) that keys a cache by SHA-256 over each
 * certificate's SHA-256 (X509_digest) and the host name; a hit skips X509_verify_cert, a miss
 * runs it and publishes success. Same structure as the engine's cache (lock-free hits, mutex on
 * insert, 32 slots). libssl still checks the leaf key type and the ServerKeyExchange signature. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "bench.h"

#define VC_SLOTS 32
#define BIO_BUF (64 * 1024)

struct bench_ossl {
    SSL_CTX *sctx, *cctx;
    char host[256];
    /* --verify cached */
    pthread_mutex_t lock;
    _Atomic unsigned n;
    uint8_t key[VC_SLOTS][32];
};

static int vc_key(X509_STORE_CTX *ctx, const char *host, uint8_t key[32])
{
    X509 *leaf = X509_STORE_CTX_get0_cert(ctx);
    STACK_OF(X509) *rest = X509_STORE_CTX_get0_untrusted(ctx);
    uint8_t buf[34 * 32 + 256];
    size_t off = 0;
    unsigned len = 0;
    if (!leaf || !X509_digest(leaf, EVP_sha256(), buf, &len)) return -1;
    off += 32;
    int m = rest ? sk_X509_num(rest) : 0;
    for (int i = 0; i < m && i < 32; i++, off += 32)
        if (!X509_digest(sk_X509_value(rest, i), EVP_sha256(), buf + off, &len)) return -1;
    size_t hl = strlen(host);
    if (hl > 255) hl = 255;
    memcpy(buf + off, host, hl);
    unsigned ol = 0;
    return EVP_Digest(buf, off + hl, key, &ol, EVP_sha256(), NULL) ? 0 : -1;
}

static int verify_cb(X509_STORE_CTX *ctx, void *arg)
{
    bench_ossl *o = arg;
    uint8_t key[32];
    if (vc_key(ctx, o->host, key) == 0) {
        unsigned n = atomic_load_explicit(&o->n, memory_order_acquire);
        for (unsigned i = 0; i < n; i++)
            if (!memcmp(o->key[i], key, 32)) return 1;
    }
    int ok = X509_verify_cert(ctx);
    if (ok == 1 && vc_key(ctx, o->host, key) == 0) {
        pthread_mutex_lock(&o->lock);
        unsigned n = atomic_load_explicit(&o->n, memory_order_relaxed);
        int have = 0;
        for (unsigned i = 0; i < n; i++) have |= !memcmp(o->key[i], key, 32);
        if (!have && n < VC_SLOTS) {
            memcpy(o->key[n], key, 32);
            atomic_store_explicit(&o->n, n + 1, memory_order_release);
        }
        pthread_mutex_unlock(&o->lock);
    }
    return ok == 1 ? 1 : 0;
}

static void ossl_err(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char b[256] = "";
    if (e) ERR_error_string_n(e, b, sizeof b);
    snprintf(err, errlen, "openssl: %s%s%s", what, b[0] ? ": " : "", b);
    ERR_clear_error();
}

/* see bench.h */
void bench_ossl_free(bench_ossl *o)
{
    if (!o) return;
    SSL_CTX_free(o->sctx);
    SSL_CTX_free(o->cctx);
    pthread_mutex_destroy(&o->lock);
    free(o);
}

static int ctx_common(SSL_CTX *c, const char *suite)
{
    return SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) &&
           SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION) &&
           SSL_CTX_set_cipher_list(c, suite) &&
           (SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF), 1) &&
           (SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION), 1);
}

typedef struct opair {
    SSL *s[2]; /* [ENG_SERVER], [ENG_CLIENT] */
    BIO *b[2];
    int done[2], failed;
    uint8_t flights[2], started;
    uint64_t t_start, t_sent[2][2], t_done[2];
} opair;

typedef struct oloop {
    bench_ossl *o;
    bl_result *res;
    int counting;
    uint64_t open, rng;
    size_t cap;
} oloop;

static void charge(oloop *L, int side, uint64_t t0, uint64_t t1)
{
    if (L->counting && t0 >= L->open) L->res->side_tsc[side] += t1 - t0;
}

static void sample(oloop *L, int k, uint64_t v)
{
    bl_result *r = L->res;
    uint64_t seen = ++r->seen[k];
    if (!L->cap) return;
    if (r->nlat[k] < L->cap) {
        r->lat[k][r->nlat[k]++] = v;
        return;
    }
    L->rng ^= L->rng >> 12;
    L->rng ^= L->rng << 25;
    L->rng ^= L->rng >> 27;
    uint64_t j = (L->rng * 0x2545f4914f6cdd1dull) % seen;
    if (j < L->cap) r->lat[k][j] = v;
}

static void pair_free(oloop *L, opair *p)
{
    uint64_t t0 = __rdtsc();
    SSL_free(p->s[ENG_SERVER]); /* frees its end of the BIO pair */
    uint64_t t1 = __rdtsc();
    SSL_free(p->s[ENG_CLIENT]);
    uint64_t t2 = __rdtsc();
    charge(L, ENG_SERVER, t0, t1);
    charge(L, ENG_CLIENT, t1, t2);
    memset(p, 0, sizeof *p);
}

static int pair_new(oloop *L, opair *p, const char *host)
{
    memset(p, 0, sizeof *p);
    if (!BIO_new_bio_pair(&p->b[ENG_SERVER], BIO_BUF, &p->b[ENG_CLIENT], BIO_BUF)) return -1;
    uint64_t t0 = __rdtsc();
    p->s[ENG_SERVER] = SSL_new(L->o->sctx);
    if (p->s[ENG_SERVER]) {
        SSL_set_bio(p->s[ENG_SERVER], p->b[ENG_SERVER], p->b[ENG_SERVER]);
        SSL_set_accept_state(p->s[ENG_SERVER]);
    }
    uint64_t t1 = __rdtsc();
    p->s[ENG_CLIENT] = SSL_new(L->o->cctx);
    int ok = p->s[ENG_SERVER] && p->s[ENG_CLIENT];
    if (p->s[ENG_CLIENT]) {
        SSL_set_bio(p->s[ENG_CLIENT], p->b[ENG_CLIENT], p->b[ENG_CLIENT]);
        SSL_set_connect_state(p->s[ENG_CLIENT]);
        ok = ok && SSL_set_tlsext_host_name(p->s[ENG_CLIENT], host) && SSL_set1_host(p->s[ENG_CLIENT], host);
    }
    uint64_t t2 = __rdtsc();
    charge(L, ENG_SERVER, t0, t1);
    charge(L, ENG_CLIENT, t1, t2);
    p->t_start = t2;
    if (!p->s[ENG_SERVER]) BIO_free(p->b[ENG_SERVER]);
    if (!p->s[ENG_CLIENT]) BIO_free(p->b[ENG_CLIENT]);
    return ok ? 0 : -1;
}

/* Runs side r of p once if it has input (or is the client that has not started). 1 progress. */
static int step(oloop *L, opair *p, int r)
{
    if (p->done[r] || p->failed) return 0;
    if (BIO_ctrl_pending(p->b[r]) == 0 && !(r == ENG_CLIENT && !p->started)) return 0;
    p->started = 1;
    size_t w0 = BIO_ctrl_wpending(p->b[r]);
    uint64_t t0 = __rdtsc();
    int rc = SSL_do_handshake(p->s[r]);
    uint64_t t1 = __rdtsc();
    charge(L, r, t0, t1);
    if (rc == 1) {
        p->done[r] = 1;
        p->t_done[r] = t1;
    } else {
        int e = SSL_get_error(p->s[r], rc);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
            p->failed = 1;
            if (L->counting && !L->res->first_error[0]) {
                char b[160] = "";
                ERR_error_string_n(ERR_peek_error(), b, sizeof b);
                snprintf(L->res->first_error, sizeof L->res->first_error, "%s: SSL error %d %s",
                         r == ENG_CLIENT ? "client" : "server", e, b);
            }
            ERR_clear_error();
        }
    }
    if (BIO_ctrl_wpending(p->b[r]) > w0) {
        if (p->flights[r] < 2) p->t_sent[r][p->flights[r]] = t1;
        p->flights[r]++;
    }
    return 1;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static int run_loop(bench_ossl *o, const bench_pt *pt, bl_result *res, uint64_t seed, char *err,
                    size_t errlen)
{
    unsigned n = pt->inflight;
    oloop L = {o, res, 0, 0, seed | 1, pt->max_samples};
    opair *p = calloc(n, sizeof *p);
    int rc = -1;
    memset(res, 0, sizeof *res);
    for (int k = 0; k < BL_LAT_KINDS && L.cap; k++)
        if (!(res->lat[k] = malloc(L.cap * sizeof(uint64_t)))) p = (free(p), NULL);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (unsigned i = 0; i < n; i++)
        if (pair_new(&L, &p[i], pt->servername) < 0) {
            ossl_err(err, errlen, "SSL_new");
            goto out;
        }
    uint64_t start = __rdtsc(), warm_end = start + (uint64_t)(pt->warmup_s * pt->tsc_hz);
    uint64_t win = (uint64_t)(pt->duration_s * pt->tsc_hz), close = 0;
    if (warm_end == start) {
        L.counting = 1;
        L.open = start;
        close = start + win;
    }
    for (;;) {
        int progress = 0;
        for (unsigned i = 0; i < n; i++) {
            progress |= step(&L, &p[i], ENG_CLIENT);
            progress |= step(&L, &p[i], ENG_SERVER);
        }
        uint64_t now = __rdtsc();
        for (unsigned i = 0; i < n; i++) {
            opair *q = &p[i];
            int done = q->done[0] && q->done[1];
            if (!done && !q->failed) continue;
            /* counted when it completes inside the window, as bench_loop.c counts */
            if (L.counting && q->failed) {
                res->failed++;
            } else if (L.counting) {
                res->handshakes++;
                sample(&L, BL_LAT_S_HELLO, q->t_sent[ENG_SERVER][0] - q->t_sent[ENG_CLIENT][0]);
                sample(&L, BL_LAT_S_FINISHED, q->t_sent[ENG_SERVER][1] - q->t_sent[ENG_CLIENT][1]);
                sample(&L, BL_LAT_C_KEYX, q->t_sent[ENG_CLIENT][1] - q->t_sent[ENG_SERVER][0]);
                sample(&L, BL_LAT_C_FINISHED, q->t_done[ENG_CLIENT] - q->t_sent[ENG_SERVER][1]);
                sample(&L, BL_LAT_FULL, max64(q->t_done[0], q->t_done[1]) - q->t_start);
            }
            pair_free(&L, q);
            if (pair_new(&L, q, pt->servername) < 0) {
                ossl_err(err, errlen, "SSL_new");
                goto out;
            }
            progress = 1;
        }
        if (!L.counting && now >= warm_end) {
            L.counting = 1;
            L.open = now;
            close = now + win;
        }
        if (L.counting && now >= close) {
            res->window_tsc = __rdtsc() - L.open;
            break;
        }
        if (!progress) {
            snprintf(err, errlen, "openssl loop: no pair can progress");
            goto out;
        }
    }
    rc = 0;
out:
    L.counting = 0;
    for (unsigned i = 0; p && i < n; i++)
        if (p[i].s[0] || p[i].s[1]) pair_free(&L, &p[i]);
    free(p);
    if (rc != 0) bl_result_free(res);
    return rc;
}

static int oworker(void *eng, const bench_pt *pt, int id, bl_result *res, char *err,
                   size_t errlen)
{
    return run_loop(eng, pt, res, 0x2545f4914f6cdd1dull * (uint64_t)(id + 7), err, errlen) == 0
               ? 0
               : -1;
}

/* see bench.h */
int bench_ossl_slice(bench_ossl *o, const bench_pt *pt, bench_slice *out, char *err,
                     size_t errlen)
{
    return bench_team_slice(o, pt, oworker, out, err, errlen);
}

/* One handshake on this thread: proves suite, group and EMS are the ones we mean. */
static int check_once(bench_ossl *o, const bench_pt *pt, char *err, size_t errlen)
{
    bl_result r;
    memset(&r, 0, sizeof r);
    oloop L = {o, &r, 0, 0, 1, 0};
    opair p;
    if (pair_new(&L, &p, pt->servername) < 0) {
        ossl_err(err, errlen, "SSL_new");
        return -1;
    }
    for (int i = 0; i < 16 && !(p.done[0] && p.done[1]) && !p.failed; i++) {
        step(&L, &p, ENG_CLIENT);
        step(&L, &p, ENG_SERVER);
    }
    int rc = -1;
    if (!(p.done[0] && p.done[1])) {
        ossl_err(err, errlen, "handshake failed");
        goto out;
    }
    const SSL_CIPHER *c = SSL_get_current_cipher(p.s[ENG_CLIENT]);
    uint16_t id = c ? (uint16_t)(SSL_CIPHER_get_id(c) & 0xffff) : 0;
    int nid = SSL_get_negotiated_group(p.s[ENG_CLIENT]);
    int want = pt->group == 29 ? NID_X25519 : pt->group == 23 ? NID_X9_62_prime256v1 : 0;
    if (id != pt->suite || (pt->group && nid != want) || SSL_get_extms_support(p.s[ENG_CLIENT]) != 1 ||
        SSL_version(p.s[ENG_CLIENT]) != TLS1_2_VERSION) {
        snprintf(err, errlen, "openssl: negotiated suite 0x%04x group nid %d ems %ld instead", id,
                 nid, (long)SSL_get_extms_support(p.s[ENG_CLIENT]));
        goto out;
    }
    rc = 0;
out:
    pair_free(&L, &p);
    return rc;
}

/* see bench.h */
bench_ossl *bench_ossl_new(const bench_pt *pt, char *err, size_t errlen)
{
    bench_ossl *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    pthread_mutex_init(&o->lock, NULL);
    atomic_init(&o->n, 0);
    snprintf(o->host, sizeof o->host, "%s", pt->servername);
    const char *suite = eng_suite_name(pt->suite, 0);
    o->sctx = SSL_CTX_new(TLS_server_method());
    o->cctx = SSL_CTX_new(TLS_client_method());
    if (!o->sctx || !o->cctx || !ctx_common(o->sctx, suite) || !ctx_common(o->cctx, suite)) {
        ossl_err(err, errlen, "SSL_CTX setup");
        goto fail;
    }
    if (SSL_CTX_use_certificate_chain_file(o->sctx, pt->chain_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(o->sctx, pt->key_file, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(o->sctx) != 1) {
        ossl_err(err, errlen, "server certificate");
        goto fail;
    }
    if (pt->group && !SSL_CTX_set1_groups_list(o->sctx, pt->group == 29 ? "X25519" : "P-256")) {
        ossl_err(err, errlen, "server groups");
        goto fail;
    }
    if (!SSL_CTX_set1_groups_list(o->cctx, "X25519:P-256") ||
        SSL_CTX_load_verify_locations(o->cctx, pt->ca_file, NULL) != 1) {
        ossl_err(err, errlen, "client groups / CA file");
        goto fail;
    }
    SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
    if (pt->verify_cached) SSL_CTX_set_cert_verify_callback(o->cctx, verify_cb, o);
    if (check_once(o, pt, err, errlen) < 0) goto fail;
    return o;
fail:
    bench_ossl_free(o);
    return NULL;
}
