/* test_cert_cache.c — engine/cd_ossl.c's cache of parsed peer certificates (per cd_trust):
 * a certificate parsed once is reused, but every cd_chain_verify still runs the whole path
 * validation on it. Each case verifies a good chain first (so its objects are cached) and then
 * shows that what must fail still fails — wrong host, missing or foreign intermediate, a flipped
 * signature byte, an expired leaf — and that the good chain passes again afterwards, also after
 * the cache has been churned past its size and from two threads at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cd_ossl.h"
#include "err.h"
#include "th.h"

static char err[512];

static const char *cpath(const char *name)
{
    static char buf[8][1024];
    static unsigned i;
    char *b = buf[i++ % 8];
    snprintf(b, sizeof buf[0], "%s/%s", getenv("MBSHAKE_CERTS"), name);
    return b;
}

static int need_certs(void)
{
    const char *d = getenv("MBSHAKE_CERTS");
    if (!d || access(cpath("done"), F_OK) != 0) {
        th_skip("MBSHAKE_CERTS unset or not generated (run tests/gen-certs.sh DIR)");
        return 0;
    }
    return 1;
}

static cd_trust *trust_or_fail(void)
{
    cd_trust *t = cd_trust_load(cpath("ca.pem"), err, sizeof err);
    CHECKF(t != NULL, "cd_trust_load: %s", err);
    return t;
}

static int load(cd_chain *ch, const char *file)
{
    int rc = cd_chain_load(ch, cpath(file), NULL, err, sizeof err);
    CHECKF(rc == 0, "cd_chain_load %s: %s", file, err);
    return rc;
}

/* Verifies der[0..n) for host; returns the rc, leaf freed (its P-256 point copied to pub). */
static int verify(const cd_trust *t, uint8_t *const der[], const size_t len[], unsigned n,
                  const char *host, uint8_t pub[65], char subject[256])
{
    cd_pubkey leaf;
    err[0] = 0;
    int rc = cd_chain_verify(t, (const uint8_t *const *)der, len, n, host, &leaf, err, sizeof err);
    if (pub) memcpy(pub, leaf.ec_pub, 65);
    if (subject) memcpy(subject, leaf.subject, 256);
    cd_pubkey_free(&leaf);
    return rc;
}

/* Same leaf facts from the cache as from a parse without cache (trust == NULL). */
static void t_same_facts(void)
{
    if (!need_certs()) return;
    cd_trust *t = trust_or_fail();
    cd_chain ch;
    if (!t || load(&ch, "ecdsa-p256-chain.pem")) goto out;
    uint8_t ref_pub[65], pub[65];
    char ref_subj[256], subj[256];
    CHECK(verify(NULL, ch.der, ch.len, 1, NULL, ref_pub, ref_subj) == 0);
    CHECK(ref_pub[0] == 0x04);
    for (int i = 0; i < 3; i++) { /* miss, then hits */
        CHECKF(verify(t, ch.der, ch.len, ch.n, "localhost", pub, subj) == 0, "round %d: %s", i,
               err);
        CHECK_MEM(pub, ref_pub, 65);
        CHECK(strcmp(subj, ref_subj) == 0);
    }
    cd_chain_free(&ch);
    /* an RSA leaf gets its libcrypto key on every hit */
    if (load(&ch, "rsa2048-chain.pem")) goto out;
    for (int i = 0; i < 2; i++) {
        cd_pubkey leaf;
        int rc = cd_chain_verify(t, (const uint8_t *const *)ch.der, ch.len, ch.n, "localhost",
                                 &leaf, err, sizeof err);
        CHECKF(rc == 0, "rsa round %d: %s", i, err);
        CHECK(leaf.type == CD_KEY_RSA && leaf.pkey != NULL && leaf.bits == 2048);
        cd_pubkey_free(&leaf);
    }
    cd_chain_free(&ch);
out:
    cd_trust_free(t);
}

/* A cached chain is checked again: host name, path to the root, expiry. */
static void t_checks_rerun(void)
{
    if (!need_certs()) return;
    cd_trust *t = trust_or_fail();
    cd_chain good, self, exp;
    if (!t || load(&good, "ecdsa-p256-chain.pem")) goto out;
    if (load(&self, "selfsigned.pem") || load(&exp, "expired-chain.pem")) goto out;
    for (int round = 0; round < 3; round++) {
        CHECKF(verify(t, good.der, good.len, good.n, "localhost", NULL, NULL) == 0, "%s", err);
        CHECK(verify(t, good.der, good.len, good.n, "127.0.0.1", NULL, NULL) == 0);
        CHECK(verify(t, good.der, good.len, good.n, "other.example", NULL, NULL) ==
              ENG_E_ALERT(ALERT_CERTIFICATE_UNKNOWN));
        CHECK(verify(t, good.der, good.len, good.n, "10.0.0.1", NULL, NULL) ==
              ENG_E_ALERT(ALERT_CERTIFICATE_UNKNOWN));
        /* the leaf alone: its cached object must not remember the intermediate */
        CHECK(verify(t, good.der, good.len, 1, "localhost", NULL, NULL) ==
              ENG_E_ALERT(ALERT_UNKNOWN_CA));
        /* the leaf with a foreign "intermediate" (a self-signed leaf) */
        uint8_t *der2[2] = {good.der[0], self.der[0]};
        size_t len2[2] = {good.len[0], self.len[0]};
        CHECK(verify(t, der2, len2, 2, "localhost", NULL, NULL) == ENG_E_ALERT(ALERT_UNKNOWN_CA));
        CHECK(verify(t, self.der, self.len, 1, "localhost", NULL, NULL) ==
              ENG_E_ALERT(ALERT_UNKNOWN_CA));
        CHECK(verify(t, exp.der, exp.len, exp.n, "localhost", NULL, NULL) ==
              ENG_E_ALERT(ALERT_CERTIFICATE_EXPIRED));
    }
    cd_chain_free(&self);
    cd_chain_free(&exp);
    cd_chain_free(&good);
out:
    cd_trust_free(t);
}

/* A copy of der with byte i xored: still DER, different bytes, so a different cache entry. */
static uint8_t *flipped(const uint8_t *der, size_t len, size_t i, uint8_t x)
{
    uint8_t *p = malloc(len);
    memcpy(p, der, len);
    p[i] ^= x;
    return p;
}

/* Signature bytes flipped in leaf and intermediate fail every time, between good rounds, and
 * more distinct certificates than the cache holds evict entries without harm. */
static void t_tampered_and_churn(void)
{
    if (!need_certs()) return;
    cd_trust *t = trust_or_fail();
    cd_chain good;
    if (!t || load(&good, "ecdsa-p256-chain.pem")) goto out;
    for (unsigned k = 0; k < 40; k++) {
        unsigned which = k & 1; /* 0: leaf, 1: intermediate */
        /* the last bytes of a certificate are the low bytes of the signature's s */
        size_t at = good.len[which] - 1 - (k / 2) % 8;
        uint8_t *bad = flipped(good.der[which], good.len[which], at, (uint8_t)(1u << (k % 8)));
        uint8_t *der[2] = {good.der[0], good.der[1]};
        der[which] = bad;
        int rc = verify(t, der, good.len, 2, "localhost", NULL, NULL);
        CHECKF(rc == ENG_E_ALERT(ALERT_BAD_CERTIFICATE), "k=%u rc=%d (%s)", k, rc, err);
        rc = verify(t, der, good.len, 2, "localhost", NULL, NULL); /* now cached: same verdict */
        CHECKF(rc == ENG_E_ALERT(ALERT_BAD_CERTIFICATE), "k=%u again rc=%d (%s)", k, rc, err);
        free(bad);
        CHECKF(verify(t, good.der, good.len, good.n, "localhost", NULL, NULL) == 0, "k=%u: %s", k,
               err);
    }
    /* not DER: refused whether or not something near it is cached */
    uint8_t *der[2] = {good.der[0], good.der[1]};
    size_t len[2] = {good.len[0] - 1, good.len[1]};
    CHECK(verify(t, der, len, 2, "localhost", NULL, NULL) == ENG_E_ALERT(ALERT_BAD_CERTIFICATE));
    cd_chain_free(&good);
out:
    cd_trust_free(t);
}

struct thr {
    const cd_trust *t;
    cd_chain *good;
    int bad_ok, good_ok;
};

static void *worker(void *arg)
{
    struct thr *w = arg;
    cd_chain *g = w->good;
    uint8_t *bad = flipped(g->der[0], g->len[0], g->len[0] - 2, 0x10);
    uint8_t *der[2] = {bad, g->der[1]};
    for (int i = 0; i < 60; i++) {
        cd_pubkey leaf;
        char e[200];
        int rc = cd_chain_verify(w->t, (const uint8_t *const *)g->der, g->len, g->n, "localhost",
                                 &leaf, e, sizeof e);
        w->good_ok += rc == 0;
        cd_pubkey_free(&leaf);
        rc = cd_chain_verify(w->t, (const uint8_t *const *)der, g->len, 2, "localhost", &leaf, e,
                             sizeof e);
        w->bad_ok += rc == ENG_E_ALERT(ALERT_BAD_CERTIFICATE);
        cd_pubkey_free(&leaf);
    }
    free(bad);
    return NULL;
}

/* Two threads share one trust (and so one cache). */
static void t_threads(void)
{
    if (!need_certs()) return;
    cd_trust *t = trust_or_fail();
    cd_chain good;
    if (!t || load(&good, "ecdsa-p256-chain.pem")) goto out;
    struct thr w[2] = {{t, &good, 0, 0}, {t, &good, 0, 0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&th[i], NULL, worker, &w[i]) == 0);
    for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) CHECKF(w[i].good_ok == 60 && w[i].bad_ok == 60, "thread %d: %d/%d",
                                       i, w[i].good_ok, w[i].bad_ok);
    cd_chain_free(&good);
out:
    cd_trust_free(t);
}

int main(void)
{
    th_case("same_leaf_facts", t_same_facts);
    th_case("checks_rerun_on_cached", t_checks_rerun);
    th_case("tampered_and_churn", t_tampered_and_churn);
    th_case("two_threads", t_threads);
    return th_done();
}
