/* tls_pair.h — an in-memory client <-> server pair for the handshake tests: pumps bytes
 * between two eng_conn (optionally one byte per feed, optionally through a tamper hook that may
 * rewrite bytes in flight), runs parked crypto inline, and checks alerts. Included by
 * test_handshake.c and test_negative.c. */
#ifndef MBSHAKE_TLS_PAIR_H
#define MBSHAKE_TLS_PAIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "th.h"

#define TP_BOX (1u << 20)
#define TP_FN static __attribute__((unused))

typedef struct tp_pair {
    eng_conn *c[2]; /* [ENG_SERVER], [ENG_CLIENT] */
    int st[2];
    uint8_t *box[2]; /* bytes waiting to be fed to [role] */
    size_t len[2];
    size_t chunk;    /* 0: feed everything at once; n: at most n bytes per eng_feed */
    /* called with the bytes leaving `from` (whole records), may modify them in place */
    void (*tamper)(struct tp_pair *p, eng_role from, uint8_t *b, size_t n);
    void *arg;
    int ops, stalls_checked;
} tp_pair;

TP_FN const char *tp_certs(void)
{
    const char *d = getenv("MBSHAKE_CERTS");
    return d && *d ? d : NULL;
}

/* Server configuration from $MBSHAKE_CERTS/<kind>-chain.pem + <kind>.key; NULL (and a failed
 * check) when it cannot be loaded. */
TP_FN eng_cfg *tp_server_cfg(const char *kind)
{
    char cert[1024], key[1024], err[256] = "";
    snprintf(cert, sizeof cert, "%s/%s-chain.pem", tp_certs(), kind);
    snprintf(key, sizeof key, "%s/%s.key", tp_certs(), kind);
    eng_cfg *cfg = eng_cfg_new(ENG_SERVER);
    int rc = cfg ? eng_cfg_set_cert(cfg, cert, key, NULL, err, sizeof err) : -1;
    CHECKF(rc == 0, "server cfg %s: %s", kind, err);
    if (rc != 0) {
        eng_cfg_free(cfg);
        return NULL;
    }
    return cfg;
}

TP_FN eng_cfg *tp_client_cfg(void)
{
    char ca[1024], err[256] = "";
    snprintf(ca, sizeof ca, "%s/ca.pem", tp_certs());
    eng_cfg *cfg = eng_cfg_new(ENG_CLIENT);
    int rc = cfg ? eng_cfg_set_ca(cfg, ca, err, sizeof err) : -1;
    CHECKF(rc == 0, "client cfg: %s", err);
    if (rc != 0) {
        eng_cfg_free(cfg);
        return NULL;
    }
    return cfg;
}

TP_FN int tp_init(tp_pair *p, const eng_cfg *ccfg, const eng_cfg *scfg, const char *sni)
{
    memset(p, 0, sizeof *p);
    p->c[ENG_CLIENT] = eng_conn_new(ccfg, sni);
    p->c[ENG_SERVER] = eng_conn_new(scfg, NULL);
    p->box[0] = malloc(TP_BOX);
    p->box[1] = malloc(TP_BOX);
    p->st[0] = p->st[1] = ENG_WANT_READ;
    CHECK(p->c[0] && p->c[1] && p->box[0] && p->box[1]);
    return p->c[0] && p->c[1] && p->box[0] && p->box[1] ? 0 : -1;
}

TP_FN void tp_free(tp_pair *p)
{
    eng_conn_free(p->c[0]);
    eng_conn_free(p->c[1]);
    free(p->box[0]);
    free(p->box[1]);
    memset(p, 0, sizeof *p);
}

/* Moves everything `from` has queued into the other side's box (through the tamper hook). */
TP_FN size_t tp_move(tp_pair *p, eng_role from)
{
    int to = !from;
    size_t n;
    const uint8_t *o = eng_out_peek(p->c[from], &n);
    if (n == 0) return 0;
    if (p->len[to] + n > TP_BOX) {
        CHECKF(0, "tp_move: box overflow");
        return 0;
    }
    memcpy(p->box[to] + p->len[to], o, n);
    if (p->tamper) p->tamper(p, from, p->box[to] + p->len[to], n);
    p->len[to] += n;
    eng_out_consume(p->c[from], n);
    return n;
}

/* One feed of side r from its box; runs a parked op inline. Returns bytes consumed + 1 when
 * something happened (input taken or an op run), 0 otherwise. */
TP_FN size_t tp_feed(tp_pair *p, eng_role r)
{
    size_t n = p->len[r];
    if (p->chunk && n > p->chunk) n = p->chunk;
    size_t used = n;
    int st = eng_feed(p->c[r], n ? p->box[r] : NULL, &used);
    CHECKF(used <= n, "eng_feed consumed %zu of %zu", used, n);
    memmove(p->box[r], p->box[r] + used, p->len[r] - used);
    p->len[r] -= used;
    p->st[r] = st;
    if (st == ENG_WANT_CRYPTO) {
        eng_op *op = eng_pending_op(p->c[r]);
        CHECKF(op != NULL, "WANT_CRYPTO without a pending op");
        if (!op) {
            p->st[r] = -1;
            return 0;
        }
        /* feeding again before the op is done must not move or consume anything */
        if (!p->stalls_checked) {
            size_t u2 = p->len[r];
            int st2 = eng_feed(p->c[r], u2 ? p->box[r] : NULL, &u2);
            CHECK_EQ(st2, ENG_WANT_CRYPTO);
            CHECK_EQ(u2, 0);
            p->stalls_checked = 1;
        }
        eng_op_run(op);
        CHECK(op->done);
        p->ops++;
        return used + 1;
    }
    return used ? used + 1 : 0;
}

/* Pumps until both sides are done with nothing in flight, one side fails (its output, with
 * the alert, is left unsent), or nothing moves. Returns 0 when both reached ENG_DONE. */
TP_FN int tp_run(tp_pair *p)
{
    for (long iter = 0; iter < 4000000; iter++) {
        size_t progress = 0;
        for (int k = 0; k < 2; k++) {
            eng_role r = k == 0 ? ENG_CLIENT : ENG_SERVER;
            progress += tp_feed(p, r);
            if (p->st[r] < 0) return -1;
            progress += tp_move(p, r);
        }
        if (!progress) break;
    }
    return p->st[0] == ENG_DONE && p->st[1] == ENG_DONE && !p->len[0] && !p->len[1] ? 0 : -1;
}

/* The last record side r has queued: type, and for a plaintext alert its level/description. */
TP_FN int tp_last_record(tp_pair *p, eng_role r, uint8_t *type, size_t *len, const uint8_t **body)
{
    size_t n;
    const uint8_t *o = eng_out_peek(p->c[r], &n);
    size_t off = 0, last = (size_t)-1;
    while (off + 5 <= n) {
        size_t l = (size_t)o[off + 3] << 8 | o[off + 4];
        if (off + 5 + l > n) break;
        last = off;
        off += 5 + l;
    }
    if (last == (size_t)-1 || off != n) return -1;
    *type = o[last];
    *len = (size_t)o[last + 3] << 8 | o[last + 4];
    *body = o + last + 5;
    return 0;
}

/* Side r failed with `alert`: its error says so, the last queued record is that fatal alert
 * (checked byte by byte when plaintext), and delivering it makes the peer report the alert. */
TP_FN void tp_expect_alert(tp_pair *p, eng_role r, int alert)
{
    uint8_t type = 0;
    size_t len = 0;
    const uint8_t *b = NULL;
    CHECKF(eng_conn_error(p->c[r]) == ENG_E_ALERT(alert), "%s error %d (%s), want alert %s",
           r == ENG_CLIENT ? "client" : "server", eng_conn_error(p->c[r]),
           eng_conn_errmsg(p->c[r]), eng_alert_name(alert));
    CHECKF(tp_last_record(p, r, &type, &len, &b) == 0, "no complete record queued");
    CHECK_EQ(type, 21);
    if (len == 2) {
        CHECK_EQ(b[0], 2);
        CHECK_EQ(b[1], alert);
    } else {
        CHECK_EQ(len, 2 + 24); /* AES-GCM protected alert */
    }
    /* a later feed returns the same error and queues nothing more */
    size_t before, after, z = 0;
    eng_out_peek(p->c[r], &before);
    CHECK_EQ(eng_feed(p->c[r], NULL, &z), ENG_E_ALERT(alert));
    eng_out_peek(p->c[r], &after);
    CHECK_EQ(before, after);
    int peer = !r;
    if (p->st[peer] >= 0) {
        tp_move(p, r);
        /* the peer may first finish what it was doing (parked crypto, buffered records) */
        while (tp_feed(p, (eng_role)peer) && p->st[peer] >= 0) {
        }
        CHECKF(p->st[peer] == ENG_E_PEER(alert), "peer status %d (%s), want peer alert %s",
               p->st[peer], eng_conn_errmsg(p->c[peer]), eng_alert_name(alert));
    }
}

/* Sends n bytes from side `from` and reads them on the other side; returns bytes received
 * equal to the data sent (0) or -1. */
TP_FN int tp_transfer(tp_pair *p, eng_role from, const uint8_t *data, size_t n)
{
    eng_role to = (eng_role)!from;
    uint8_t *got = malloc(n + 1);
    size_t sent = 0, rcvd = 0;
    int stuck = 0;
    while ((rcvd < n || sent < n) && stuck < 4) {
        size_t moved = 0;
        if (sent < n) {
            long w = eng_write(p->c[from], data + sent, n - sent);
            CHECKF(w >= 0, "eng_write: %ld", w);
            if (w < 0) break;
            sent += (size_t)w;
        }
        moved += tp_move(p, from);
        moved += tp_feed(p, to);
        for (long r; (r = eng_read(p->c[to], got + rcvd, n + 1 - rcvd)) > 0;) {
            rcvd += (size_t)r;
            moved++;
        }
        if (p->st[to] < 0) break;
        stuck = moved ? 0 : stuck + 1;
    }
    int ok = rcvd == n && memcmp(got, data, n) == 0;
    CHECKF(ok, "transfer: %zu of %zu bytes arrived intact", rcvd, n);
    free(got);
    return ok ? 0 : -1;
}

/* close_notify from `from`, answered by the peer (RFC 5246 §7.2.1). */
TP_FN void tp_close(tp_pair *p, eng_role from)
{
    eng_role to = (eng_role)!from;
    CHECK_EQ(eng_close(p->c[from]), 0);
    tp_move(p, from);
    while (tp_feed(p, to) && p->st[to] >= 0) {
    }
    CHECK_EQ(p->st[to], ENG_E_CLOSED);
    tp_move(p, to);
    while (tp_feed(p, from) && p->st[from] >= 0) {
    }
    CHECK_EQ(p->st[from], ENG_E_CLOSED);
}

/* Finds handshake message `type` in the plaintext handshake records of b[0..n); returns a
 * pointer to its body (and its length), or NULL. */
TP_FN uint8_t *tp_find_hs(uint8_t *b, size_t n, uint8_t type, size_t *blen)
{
    size_t off = 0;
    while (off + 5 <= n) {
        size_t l = (size_t)b[off + 3] << 8 | b[off + 4];
        if (b[off] == 22) {
            size_t m = off + 5;
            while (m + 4 <= off + 5 + l) {
                size_t ml = (size_t)b[m + 1] << 16 | (size_t)b[m + 2] << 8 | b[m + 3];
                if (b[m] == type) {
                    *blen = ml;
                    return b + m + 4;
                }
                m += 4 + ml;
            }
        }
        off += 5 + l;
    }
    return NULL;
}

/* Offset of the first record of content type `type` in b[0..n), or -1. */
TP_FN long tp_find_rec(const uint8_t *b, size_t n, uint8_t type)
{
    size_t off = 0;
    while (off + 5 <= n) {
        if (b[off] == type) return (long)off;
        off += 5 + ((size_t)b[off + 3] << 8 | b[off + 4]);
    }
    return -1;
}

#endif
