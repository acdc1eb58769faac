/* test_handshake.c — full in-memory TLS 1.2 handshakes between our client and our server for
 * every suite x group x certificate type, with chain + host-name verification against the test
 * root, negotiated parameters checked on both sides, application data both ways (including
 * more than one record) and close_notify. Also byte-at-a-time feeding and the EMS policies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "th.h"
#include "tls_pair.h"

static const char *const cert_kinds[] = {"ecdsa-p256", "rsa2048", "rsa3072", "rsa4096"};
static eng_cfg *srv_cfgs[4];
static eng_cfg *cli_cfg;

static int need_certs(void)
{
    if (!tp_certs()) {
        th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
        return 0;
    }
    if (!cli_cfg) {
        cli_cfg = tp_client_cfg();
        for (int i = 0; i < 4; i++) srv_cfgs[i] = tp_server_cfg(cert_kinds[i]);
    }
    return cli_cfg != NULL;
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *b = malloc(n);
    for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(i * 131 + seed + (i >> 8));
    return b;
}

/* One handshake with client suite list `suite`, server groups `group` (NULL = default) and
 * certificate `kind`; checks the negotiated parameters, moves data both ways and closes. */
static void one(uint16_t suite, const char *group, int kind, size_t chunk, size_t data_len)
{
    char err[256];
    eng_cfg *cc = eng_cfg_new(ENG_CLIENT), *sc = srv_cfgs[kind];
    char ca[1024];
    snprintf(ca, sizeof ca, "%s/ca.pem", tp_certs());
    CHECK(eng_cfg_set_ca(cc, ca, err, sizeof err) == 0);
    CHECK(eng_cfg_set_suites(cc, eng_suite_name(suite, 1), err, sizeof err) == 0);
    /* server preference picks the group: give the server only the wanted one, the client
     * offers both (a P-256 certificate needs secp256r1 offered, RFC 8422 §5.1) */
    eng_cfg *sc2 = NULL;
    if (group) {
        sc2 = tp_server_cfg(cert_kinds[kind]);
        CHECK(eng_cfg_set_groups(sc2, group, err, sizeof err) == 0);
        sc = sc2;
    }
    tp_pair p;
    if (!sc || tp_init(&p, cc, sc, "localhost") != 0) goto out_cfg;
    p.chunk = chunk;
    int rc = tp_run(&p);
    CHECKF(rc == 0, "%s %s %s: handshake failed: client %d (%s) server %d (%s)",
           eng_suite_name(suite, 0), group ? group : "-", cert_kinds[kind], p.st[ENG_CLIENT],
           eng_conn_errmsg(p.c[ENG_CLIENT]), p.st[ENG_SERVER], eng_conn_errmsg(p.c[ENG_SERVER]));
    if (rc != 0) goto out;

    int ecdhe = suite != 0x009C && suite != 0x009D;
    int want_group = group ? eng_group_from_name(group) : 0;
    for (int r = 0; r < 2; r++) {
        eng_info in;
        CHECK_EQ(eng_conn_info(p.c[r], &in), 0);
        CHECK_EQ(in.version, 0x0303);
        CHECK_EQ(in.suite, suite);
        CHECK(!strcmp(in.suite_name, eng_suite_name(suite, 0)));
        CHECK_EQ(in.group, ecdhe ? want_group : 0);
        CHECK(!strcmp(in.group_name, ecdhe ? group : "none"));
        CHECK_EQ(in.sigalg, !ecdhe ? 0 : kind == 0 ? 0x0403 : 0x0804);
        CHECK_EQ(in.ems, 1);
        CHECK_EQ(in.secure_reneg, 1);
        CHECK(!strcmp(in.servername, "localhost"));
        if (r == ENG_CLIENT)
            CHECKF(strstr(in.peer_subject, cert_kinds[kind]) != NULL, "subject %s",
                   in.peer_subject);
    }
    /* ECDHE: keygen + derive per side + sign + verify; RSA kex: encrypt + decrypt; then per
     * side the key schedule (tls-keys) and the server's Finished (tls-finished) */
    CHECK_EQ(p.ops, (ecdhe ? 6 : 2) + 4);

    uint8_t *a = pattern(data_len, 1), *b = pattern(data_len / 3 + 1, 7);
    tp_transfer(&p, ENG_CLIENT, a, data_len);
    tp_transfer(&p, ENG_SERVER, b, data_len / 3 + 1);
    tp_transfer(&p, ENG_CLIENT, (const uint8_t *)"x", 1);
    free(a);
    free(b);
    tp_close(&p, ENG_CLIENT);
out:
    tp_free(&p);
out_cfg:
    eng_cfg_free(cc);
    eng_cfg_free(sc2);
}

static void t_matrix(void)
{
    if (!need_certs()) return;
    static const uint16_t ecdsa[] = {0xC02B, 0xC02C}, ecrsa[] = {0xC02F, 0xC030},
                          rsa[] = {0x009C, 0x009D};
    static const char *const groups[] = {"x25519", "secp256r1"};
    int n = 0;
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < 2; g++) {
            one(ecdsa[s], groups[g], 0, 0, 40000);
            n++;
            for (int k = 1; k < 4; k++) {
                one(ecrsa[s], groups[g], k, 0, 20000);
                n++;
            }
        }
    for (int s = 0; s < 2; s++)
        for (int k = 1; k < 4; k++) {
            one(rsa[s], NULL, k, 0, 20000);
            n++;
        }
    th_note("%d handshakes (suite x group x certificate)", n);
}

static void t_byte_at_a_time(void)
{
    if (!need_certs()) return;
    one(0xC02B, "x25519", 0, 1, 3000);
    one(0xC030, "secp256r1", 1, 1, 100);
    one(0x009C, NULL, 1, 7, 100);
}

/* Client without EMS: the handshake completes with the RFC 5246 master secret. */
static void t_ems_off(void)
{
    if (!need_certs()) return;
    char err[256];
    eng_cfg *cc = tp_client_cfg();
    eng_cfg_set_offer_ems(cc, 0);
    tp_pair p;
    if (tp_init(&p, cc, srv_cfgs[0], "localhost") == 0) {
        CHECK_EQ(tp_run(&p), 0);
        for (int r = 0; r < 2; r++) {
            eng_info in;
            eng_conn_info(p.c[r], &in);
            CHECK_EQ(in.ems, 0);
        }
        tp_transfer(&p, ENG_SERVER, (const uint8_t *)"hello", 5);
    }
    tp_free(&p);
    (void)err;
    eng_cfg_free(cc);
}

/* Server requiring EMS vs a client without it: handshake_failure (RFC 7627 §5.2). */
static void t_require_ems(void)
{
    if (!need_certs()) return;
    eng_cfg *cc = tp_client_cfg(), *sc = tp_server_cfg("ecdsa-p256");
    eng_cfg_set_offer_ems(cc, 0);
    eng_cfg_set_require_ems(sc, 1);
    tp_pair p;
    if (tp_init(&p, cc, sc, "localhost") == 0) {
        CHECK(tp_run(&p) != 0);
        tp_expect_alert(&p, ENG_SERVER, 40);
    }
    tp_free(&p);
    /* and with a client that offers it, the same server is fine */
    eng_cfg_set_offer_ems(cc, 1);
    if (tp_init(&p, cc, sc, "localhost") == 0) CHECK_EQ(tp_run(&p), 0);
    tp_free(&p);
    eng_cfg_free(cc);
    eng_cfg_free(sc);
}

/* Suite and group names in both spellings, and list parsing. */
static void t_names(void)
{
    CHECK_EQ(eng_suite_from_name("ECDHE-ECDSA-AES128-GCM-SHA256"), 0xC02B);
    CHECK_EQ(eng_suite_from_name("TLS_RSA_WITH_AES_256_GCM_SHA384"), 0x009D);
    CHECK_EQ(eng_suite_from_name("ECDHE-RSA-AES256-GCM-SHA384"), 0xC030);
    CHECK_EQ(eng_suite_from_name("RC4-MD5"), -1);
    CHECK(!strcmp(eng_suite_name(0xC02F, 0), "ECDHE-RSA-AES128-GCM-SHA256"));
    CHECK(!strcmp(eng_suite_name(0xC02F, 1), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"));
    CHECK(eng_suite_name(0x1301, 0) == NULL);
    CHECK_EQ(eng_group_from_name("P-256"), 23);
    CHECK_EQ(eng_group_from_name("prime256v1"), 23);
    CHECK_EQ(eng_group_from_name("x25519"), 29);
    CHECK_EQ(eng_group_from_name("x448"), -1);
    CHECK(!strcmp(eng_group_name(29), "x25519"));
    eng_cfg *c = eng_cfg_new(ENG_CLIENT);
    char err[256];
    CHECK_EQ(eng_cfg_set_suites(c, "AES128-GCM-SHA256:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", err,
                                sizeof err),
             0);
    CHECK(eng_cfg_set_suites(c, "AES128-GCM-SHA256,bogus", err, sizeof err) != 0);
    CHECK(strstr(err, "bogus") != NULL);
    CHECK(eng_cfg_set_suites(c, "", err, sizeof err) != 0);
    CHECK_EQ(eng_cfg_set_suites(c, "all", err, sizeof err), 0);
    CHECK(eng_cfg_set_groups(c, "x25519,P-256,secp256r1", err, sizeof err) == 0);
    CHECK(eng_cfg_set_groups(c, "ffdhe2048", err, sizeof err) != 0);
    eng_cfg_free(c);
}

/* Moves side `from`'s output to the peer with every handshake record cut into records of at
 * most k bytes (RFC 5246 §6.2.1: a message may span records; a record may hold several). */
static void move_reframed(tp_pair *p, eng_role from, size_t k)
{
    size_t n, off = 0;
    const uint8_t *o = eng_out_peek(p->c[from], &n);
    int to = !from, plain = 1; /* records after a ChangeCipherSpec are protected: kept whole */
    while (off + 5 <= n) {
        size_t l = (size_t)o[off + 3] << 8 | o[off + 4];
        if (o[off] == 20) plain = 0;
        if (o[off] == 22 && plain) {
            for (size_t i = 0; i < l; i += k) {
                size_t m = l - i < k ? l - i : k;
                uint8_t h[5] = {22, o[off + 1], o[off + 2], (uint8_t)(m >> 8), (uint8_t)m};
                memcpy(p->box[to] + p->len[to], h, 5);
                memcpy(p->box[to] + p->len[to] + 5, o + off + 5 + i, m);
                p->len[to] += 5 + m;
            }
        } else {
            memcpy(p->box[to] + p->len[to], o + off, 5 + l);
            p->len[to] += 5 + l;
        }
        off += 5 + l;
    }
    eng_out_consume(p->c[from], n);
}

static void t_fragmented(void)
{
    if (!need_certs()) return;
    static const size_t ks[] = {1, 7, 100};
    for (int kind = 0; kind < 2; kind++)
        for (size_t i = 0; i < sizeof ks / sizeof *ks; i++) {
            tp_pair p;
            if (tp_init(&p, cli_cfg, srv_cfgs[kind], "localhost") != 0) continue;
            tp_feed(&p, ENG_CLIENT);
            move_reframed(&p, ENG_CLIENT, ks[i]); /* ClientHello in pieces */
            while (tp_feed(&p, ENG_SERVER) && p.st[ENG_SERVER] >= 0) {
            }
            CHECK_EQ(p.st[ENG_SERVER], ENG_WANT_READ);
            move_reframed(&p, ENG_SERVER, ks[i] * 13); /* the server's flight in pieces */
            while (tp_feed(&p, ENG_CLIENT) && p.st[ENG_CLIENT] >= 0) {
            }
            CHECK_EQ(p.st[ENG_CLIENT], ENG_WANT_READ);
            move_reframed(&p, ENG_CLIENT, ks[i]); /* ClientKeyExchange in pieces, CCS, Finished */
            CHECKF(tp_run(&p) == 0, "fragment size %zu: %s / %s", ks[i],
                   eng_conn_errmsg(p.c[ENG_CLIENT]), eng_conn_errmsg(p.c[ENG_SERVER]));
            tp_transfer(&p, ENG_SERVER, (const uint8_t *)"fragmented", 10);
            tp_free(&p);
        }
}

/* Many connections of one configuration, interleaved step by step: each is independent. */
static void t_interleaved(void)
{
    if (!need_certs()) return;
    enum { N = 4 };
    tp_pair p[N];
    for (int i = 0; i < N; i++) tp_init(&p[i], cli_cfg, srv_cfgs[i % 4], "localhost");
    for (int step = 0; step < 64; step++)
        for (int i = 0; i < N; i++)
            for (int k = 0; k < 2; k++) {
                eng_role r = k ? ENG_SERVER : ENG_CLIENT;
                if (p[i].st[r] >= 0) tp_feed(&p[i], r);
                tp_move(&p[i], r);
            }
    for (int i = 0; i < N; i++) {
        CHECKF(p[i].st[0] == ENG_DONE && p[i].st[1] == ENG_DONE, "pair %d: %d %d", i, p[i].st[0],
               p[i].st[1]);
        tp_transfer(&p[i], ENG_CLIENT, (const uint8_t *)"ping", 4);
        tp_free(&p[i]);
    }
}

int main(void)
{
    th_case("names_and_cfg", t_names);
    th_case("matrix_suite_group_cert", t_matrix);
    th_case("byte_at_a_time", t_byte_at_a_time);
    th_case("fragmented_handshake_records", t_fragmented);
    th_case("ems_off", t_ems_off);
    th_case("require_ems", t_require_ems);
    th_case("interleaved_connections", t_interleaved);
    for (int i = 0; i < 4; i++) eng_cfg_free(srv_cfgs[i]);
    eng_cfg_free(cli_cfg);
    return th_done();
}
