/* test_verify_cache.c — the client's chain-verification cache (eng_cfg_set_verify_cache):
 * a chain verified once is a hit afterwards, another host name or another chain is a miss, a
 * tampered or wrong chain fails exactly as it does without the cache and is never cached, a
 * hit still runs the TLS-level checks (the ServerKeyExchange signature is verified with the
 * cached key), and two threads share one cache. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"
#include "th.h"
#include "tls_pair.h"

static int need_certs(void)
{
    if (tp_certs()) return 1;
    th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
    return 0;
}

static unsigned cached(const eng_cfg *c)
{
    return c->vcache ? atomic_load(&c->vcache->n) : 0;
}

/* One handshake; 0 when both sides completed. */
static int handshake(const eng_cfg *cc, const eng_cfg *sc, const char *sni)
{
    tp_pair p;
    if (tp_init(&p, cc, sc, sni) != 0) return -1;
    int rc = tp_run(&p);
    if (rc != 0)
        th_note("handshake %s: client %s / server %s", sni, eng_conn_errmsg(p.c[ENG_CLIENT]),
                eng_conn_errmsg(p.c[ENG_SERVER]));
    tp_free(&p);
    return rc;
}

static eng_cfg *cached_client(const char *suites)
{
    char err[200] = "";
    eng_cfg *c = tp_client_cfg();
    if (!c) return NULL;
    CHECK_EQ(eng_cfg_set_verify_cache(c, 1), 0);
    if (suites) CHECKF(eng_cfg_set_suites(c, suites, err, sizeof err) == 0, "%s", err);
    return c;
}

static void t_hit_miss(void)
{
    if (!need_certs()) return;
    eng_cfg *cc = cached_client(NULL), *sc = tp_server_cfg("ecdsa-p256");
    eng_cfg *rc = cached_client("ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256"),
            *sr = tp_server_cfg("rsa2048");
    if (!cc || !sc || !rc || !sr) goto out;
    CHECK_EQ(cached(cc), 0);
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1); /* miss: verified and published */
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1); /* hits add nothing */
    /* the same chain checked for another name is another entry (the name is part of the key) */
    CHECK_EQ(handshake(cc, sc, "127.0.0.1"), 0);
    CHECK_EQ(cached(cc), 2);
    /* another chain (RSA leaf): a miss, then hits whose key is re-parsed from the leaf */
    CHECK_EQ(handshake(rc, sr, "localhost"), 0);
    CHECK_EQ(cached(rc), 1);
    for (int i = 0; i < 3; i++) CHECK_EQ(handshake(rc, sr, "localhost"), 0);
    CHECK_EQ(cached(rc), 1);
    CHECK(rc->vcache->e[0].leaf.pkey == NULL);
    CHECK_EQ(rc->vcache->e[0].leaf.type, CD_KEY_RSA);
    /* eng_cfg_set_ca empties the cache: entries were verified against other roots */
    char ca[1024], err[200] = "";
    snprintf(ca, sizeof ca, "%s/ca.pem", tp_certs());
    CHECK_EQ(eng_cfg_set_ca(cc, ca, err, sizeof err), 0);
    CHECK_EQ(cached(cc), 0);
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1);
out:
    eng_cfg_free(cc);
    eng_cfg_free(sc);
    eng_cfg_free(rc);
    eng_cfg_free(sr);
}

/* The last byte of the Certificate message: inside the intermediate's signature. */
static void flip_chain(tp_pair *p, eng_role from, uint8_t *b, size_t n)
{
    size_t bl = 0;
    uint8_t *m;
    int *done = p->arg;
    if (*done || from != ENG_SERVER || !(m = tp_find_hs(b, n, 11, &bl))) return;
    m[bl - 1] ^= 0x01;
    *done = 1;
}

typedef struct outcome {
    int err;
    char msg[320];
} outcome;

static outcome fail_case(const eng_cfg *cc, const eng_cfg *sc, const char *sni, int tamper)
{
    tp_pair p;
    int done = 0;
    outcome o = {0, ""};
    if (tp_init(&p, cc, sc, sni) != 0) return o;
    if (tamper) {
        p.tamper = flip_chain;
        p.arg = &done;
    }
    CHECK(tp_run(&p) != 0);
    if (tamper) CHECK(done);
    o.err = eng_conn_error(p.c[ENG_CLIENT]);
    snprintf(o.msg, sizeof o.msg, "%s", eng_conn_errmsg(p.c[ENG_CLIENT]));
    tp_free(&p);
    return o;
}

static void same_failure(const eng_cfg *plain, const eng_cfg *cc, const eng_cfg *sc,
                         const char *sni, int tamper, const char *what)
{
    unsigned before = cached(cc);
    outcome a = fail_case(plain, sc, sni, tamper), b = fail_case(cc, sc, sni, tamper);
    CHECKF(a.err < 0, "%s: did not fail without the cache", what);
    CHECKF(a.err == b.err && !strcmp(a.msg, b.msg), "%s: without cache %d (%s), with %d (%s)",
           what, a.err, a.msg, b.err, b.msg);
    CHECKF(cached(cc) == before, "%s: a failed verification was cached", what);
    th_note("%s: %s", what, b.msg);
}

static void t_failures(void)
{
    if (!need_certs()) return;
    eng_cfg *plain = tp_client_cfg(), *cc = cached_client(NULL);
    eng_cfg *sc = tp_server_cfg("ecdsa-p256"), *so = tp_server_cfg("otherhost"),
            *ss = tp_server_cfg("selfsigned");
    if (!plain || !cc || !sc || !so || !ss) goto out;
    /* the good chain is cached first: a tampered copy of it must still miss and fail */
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1);
    same_failure(plain, cc, sc, "localhost", 1, "tampered intermediate signature");
    same_failure(plain, cc, so, "localhost", 0, "leaf for another name");
    same_failure(plain, cc, ss, "localhost", 0, "self-signed leaf");
    /* the cached chain for a name it does not carry: a miss, and the name check fails */
    same_failure(plain, cc, sc, "other.example", 0, "cached chain, wrong name");
    CHECK_EQ(handshake(cc, sc, "localhost"), 0); /* the entry is still good */
out:
    eng_cfg_free(plain);
    eng_cfg_free(cc);
    eng_cfg_free(sc);
    eng_cfg_free(so);
    eng_cfg_free(ss);
}

/* A hit supplies the key, and the ServerKeyExchange signature is still checked with it: a
 * corrupted cached key must make the next handshake fail with decrypt_error. */
static void t_hit_still_checks(void)
{
    if (!need_certs()) return;
    eng_cfg *cc = cached_client(NULL), *sc = tp_server_cfg("ecdsa-p256");
    if (!cc || !sc) goto out;
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1);
    eng_vcache_entry *e = &cc->vcache->e[0];
    uint8_t saved[65];
    memcpy(saved, e->leaf.ec_pub, 65);
    /* another valid P-256 point: the key of the otherhost leaf */
    cd_chain other;
    char path[1024], err[200] = "";
    snprintf(path, sizeof path, "%s/otherhost.pem", tp_certs());
    CHECKF(cd_chain_load(&other, path, NULL, err, sizeof err) == 0, "%s", err);
    cd_pubkey k;
    CHECK_EQ(cd_chain_verify(NULL, (const uint8_t *const *)other.der, other.len, 1, NULL, &k, err,
                             sizeof err),
             0);
    memcpy(e->leaf.ec_pub, k.ec_pub, 65);
    tp_pair p;
    if (tp_init(&p, cc, sc, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_CLIENT, ALERT_DECRYPT_ERROR);
        th_note("hit with a wrong cached key: %s", eng_conn_errmsg(p.c[ENG_CLIENT]));
        tp_free(&p);
    }
    memcpy(e->leaf.ec_pub, saved, 65);
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    cd_pubkey_free(&k);
    cd_chain_free(&other);
out:
    eng_cfg_free(cc);
    eng_cfg_free(sc);
}

/* A cached P-256 leaf gets its verify table where the selected implementation makes them
 * (cd_p256.key_table_new); hits verify the ServerKeyExchange signature with it, and a
 * corrupted signature on a hit still fails with decrypt_error. */
static void flip_ske_sig(tp_pair *p, eng_role from, uint8_t *b, size_t n)
{
    size_t bl;
    uint8_t *m;
    if (from != ENG_SERVER || !(m = tp_find_hs(b, n, 12, &bl)) || bl < 8) return;
    m[bl - 1] ^= 0x01; /* the last byte of the DER signature: s changes */
    (void)p;
}

static void t_key_table(void)
{
    if (!need_certs()) return;
    eng_cfg *cc = cached_client(NULL), *sc = tp_server_cfg("ecdsa-p256");
    if (!cc || !sc) goto out;
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    CHECK_EQ(cached(cc), 1);
    const cd_p256 *impl = cd_p256_select(cd_cpu_features(), cd_isa_forced());
    int want_tab = impl && impl->key_table_new;
    const void *tab = cc->vcache->e[0].ptab;
    CHECKF(!!tab == want_tab, "table %p, implementation %s %s tables", tab, impl ? impl->name : "?",
           want_tab ? "makes" : "makes no");
    th_note("%s: cached entry %s a key table", impl ? impl->name : "?", tab ? "has" : "has no");
    for (int i = 0; i < 8; i++) CHECK_EQ(handshake(cc, sc, "localhost"), 0);
    tp_pair p;
    if (tp_init(&p, cc, sc, "localhost") == 0) {
        p.tamper = flip_ske_sig;
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_CLIENT, ALERT_DECRYPT_ERROR);
        tp_free(&p);
    }
    CHECK_EQ(cached(cc), 1);
    CHECK_EQ(handshake(cc, sc, "localhost"), 0);
out:
    eng_cfg_free(cc);
    eng_cfg_free(sc);
}

/* ---- two threads -------------------------------------------------------------------------- */
typedef struct thr {
    const eng_cfg *cc, *sc;
    int id, fails;
} thr;

static void *hs_thread(void *arg)
{
    thr *t = arg;
    for (int i = 0; i < 12; i++) {
        tp_pair p;
        const char *sni = (i + t->id) % 2 ? "127.0.0.1" : "localhost";
        if (tp_init(&p, t->cc, t->sc, sni) != 0) {
            t->fails++;
            continue;
        }
        t->fails += tp_run(&p) != 0;
        tp_free(&p);
    }
    return NULL;
}

/* Raw publication: a writer inserts distinct keys while a reader looks them up; every hit must
 * return the leaf stored under that key (never a half-written entry). */
typedef struct race {
    eng_vcache *vc;
    atomic_int stop;
    atomic_long hits, bad;
} race;

static void key_of(int i, uint8_t key[32])
{
    memset(key, 0, 32);
    key[0] = (uint8_t)i;
    key[31] = 0xa5;
}

static void *reader(void *arg)
{
    race *r = arg;
    while (!atomic_load(&r->stop)) {
        for (int i = 0; i < ENG_VCACHE_SLOTS; i++) {
            uint8_t key[32];
            cd_pubkey k;
            key_of(i, key);
            if (vcache_lookup(r->vc, key, &k, NULL)) {
                r->hits++;
                int ok = k.type == CD_KEY_EC_P256 && k.bits == 256 && k.ec_pub[0] == 4;
                for (int j = 1; j < 65; j++) ok &= k.ec_pub[j] == (uint8_t)(i + j);
                r->bad += !ok;
            }
        }
    }
    return NULL;
}

static void t_threads(void)
{
    if (!need_certs()) return;
    eng_cfg *cc = cached_client(NULL), *sc = tp_server_cfg("ecdsa-p256");
    if (!cc || !sc) goto out;
    thr a = {cc, sc, 0, 0}, b = {cc, sc, 1, 0};
    pthread_t ta, tb;
    CHECK_EQ(pthread_create(&ta, NULL, hs_thread, &a), 0);
    CHECK_EQ(pthread_create(&tb, NULL, hs_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK_EQ(a.fails + b.fails, 0);
    CHECK_EQ(cached(cc), 2); /* one entry per name, however the threads raced */

    eng_cfg *raw = eng_cfg_new(ENG_CLIENT);
    CHECK_EQ(eng_cfg_set_verify_cache(raw, 1), 0);
    race r = {raw->vcache, 0, 0, 0};
    pthread_t tr;
    CHECK_EQ(pthread_create(&tr, NULL, reader, &r), 0);
    /* until the reader has seen enough (it may start late on a busy machine), bounded */
    for (long round = 0; round < 200 || (atomic_load(&r.hits) < 1000 && round < 2000000); round++) {
        atomic_store(&raw->vcache->n, 0); /* single writer, test only: start over */
        for (int i = 0; i < ENG_VCACHE_SLOTS + 4; i++) {
            uint8_t key[32];
            cd_pubkey k;
            memset(&k, 0, sizeof k);
            k.type = CD_KEY_EC_P256;
            k.bits = 256;
            k.ec_pub[0] = 4;
            for (int j = 1; j < 65; j++) k.ec_pub[j] = (uint8_t)(i + j);
            key_of(i, key);
            vcache_insert(raw->vcache, key, &k);
            vcache_insert(raw->vcache, key, &k); /* duplicate: ignored */
        }
        CHECK_EQ(atomic_load(&raw->vcache->n), ENG_VCACHE_SLOTS); /* full: the rest dropped */
    }
    atomic_store(&r.stop, 1);
    pthread_join(tr, NULL);
    CHECK_EQ(r.bad, 0);
    CHECK(r.hits > 0);
    th_note("2-thread handshakes ok; reader saw %ld hits, %ld bad", (long)atomic_load(&r.hits),
            (long)atomic_load(&r.bad));
    eng_cfg_free(raw);
out:
    eng_cfg_free(cc);
    eng_cfg_free(sc);
}

int main(void)
{
    th_case("hit_miss", t_hit_miss);
    th_case("failures_identical", t_failures);
    th_case("hit_still_checks_ske", t_hit_still_checks);
    th_case("key_table", t_key_table);
    th_case("two_threads", t_threads);
    return th_done();
}
