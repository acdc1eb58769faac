/* test_conn_wipe.c — eng_conn_free wipes each big buffer (rbuf, out, hs) only up to its
 * high-water mark, so the marks must cover every byte the engine ever writes there. Each case
 * fills the three buffers of both connections with a canary right after eng_conn_new, runs a
 * real exchange (handshakes with ECDSA and RSA certificates, fed whole and one byte at a time;
 * application data up to a full record each way; close_notify; a failing handshake) and then
 * checks that every byte at or above a mark still holds the canary, and that the marks reach
 * the lengths the connection reports it used. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eng_internal.h"
#include "th.h"
#include "tls_pair.h"

#define CANARY 0xA7u

static void paint(eng_conn *c)
{
    memset(c->rbuf, CANARY, sizeof c->rbuf);
    memset(c->out, CANARY, sizeof c->out);
    memset(c->hs, CANARY, sizeof c->hs);
}

/* the first byte at or above hw that is not the canary, or -1 */
static long first_written(const uint8_t *b, size_t cap, size_t hw)
{
    for (size_t i = hw; i < cap; i++)
        if (b[i] != CANARY) return (long)i;
    return -1;
}

static void check_marks(eng_conn *c, const char *who)
{
    long r = first_written(c->rbuf, sizeof c->rbuf, c->rbuf_hw);
    long o = first_written(c->out, sizeof c->out, c->out_hw);
    long h = first_written(c->hs, sizeof c->hs, c->hs_hw);
    CHECKF(r < 0, "%s: rbuf written at %ld, mark %zu", who, r, c->rbuf_hw);
    CHECKF(o < 0, "%s: out written at %ld, mark %zu", who, o, c->out_hw);
    CHECKF(h < 0, "%s: hs written at %ld, mark %zu", who, h, c->hs_hw);
    CHECKF(c->hs_hw >= c->hs_len + c->hs_in, "%s: hs mark %zu below its content %zu", who,
           c->hs_hw, c->hs_len + c->hs_in);
    CHECKF(c->out_hw >= c->out_len, "%s: out mark %zu below out_len %zu", who, c->out_hw, c->out_len);
    /* and the marks are not trivially the whole buffer */
    CHECKF(c->hs_hw < sizeof c->hs && c->out_hw < sizeof c->out, "%s: marks at capacity", who);
}

static void exchange(const char *kind, size_t chunk, size_t app)
{
    eng_cfg *s = tp_server_cfg(kind), *cl = tp_client_cfg();
    tp_pair p;
    if (!s || !cl || tp_init(&p, cl, s, "localhost") != 0) goto out;
    paint(p.c[ENG_CLIENT]);
    paint(p.c[ENG_SERVER]);
    p.chunk = chunk;
    CHECKF(tp_run(&p) == 0, "%s handshake: %s / %s", kind, eng_conn_errmsg(p.c[ENG_CLIENT]),
           eng_conn_errmsg(p.c[ENG_SERVER]));
    CHECK(p.c[ENG_CLIENT]->hs_hw > 0 && p.c[ENG_SERVER]->rbuf_hw > 0);
    if (app) {
        uint8_t *d = malloc(app);
        if (d) {
            for (size_t i = 0; i < app; i++) d[i] = (uint8_t)(i * 131 + 7);
            tp_transfer(&p, ENG_CLIENT, d, app);
            tp_transfer(&p, ENG_SERVER, d, app / 2 + 1);
            /* a full record of plaintext was decrypted in the receiver's record buffer */
            CHECKF(p.c[ENG_SERVER]->rbuf_hw >= (app < 16384 ? app : 16384),
                   "server rbuf mark %zu after %zu bytes", p.c[ENG_SERVER]->rbuf_hw, app);
            free(d);
        }
        tp_close(&p, ENG_CLIENT);
    }
    check_marks(p.c[ENG_CLIENT], "client");
    check_marks(p.c[ENG_SERVER], "server");
out:
    if (s && cl) tp_free(&p);
    eng_cfg_free(s);
    eng_cfg_free(cl);
}

static void t_ecdsa(void) { exchange("ecdsa-p256", 0, 0); }
static void t_ecdsa_bytewise(void) { exchange("ecdsa-p256", 1, 300); }
static void t_ecdsa_app_full_records(void) { exchange("ecdsa-p256", 0, 40000); }
static void t_rsa_app(void) { exchange("rsa2048", 0, 5000); }

/* a handshake that fails (wrong server name): the alert and everything before it are covered */
static void t_failed(void)
{
    eng_cfg *s = tp_server_cfg("ecdsa-p256"), *cl = tp_client_cfg();
    tp_pair p;
    if (!s || !cl || tp_init(&p, cl, s, "wrong.example") != 0) goto out;
    paint(p.c[ENG_CLIENT]);
    paint(p.c[ENG_SERVER]);
    CHECK(tp_run(&p) != 0);
    CHECK(eng_conn_error(p.c[ENG_CLIENT]) != 0);
    check_marks(p.c[ENG_CLIENT], "client");
    check_marks(p.c[ENG_SERVER], "server");
out:
    if (s && cl) tp_free(&p);
    eng_cfg_free(s);
    eng_cfg_free(cl);
}

static void t_no_certs(void)
{
    th_skip("MBSHAKE_CERTS not set (run tests/gen-certs.sh DIR; export MBSHAKE_CERTS=DIR)");
}

int main(void)
{
    if (!tp_certs()) {
        th_case("certs", t_no_certs);
        return th_done();
    }
    th_case("ecdsa_handshake", t_ecdsa);
    th_case("ecdsa_byte_at_a_time_with_data", t_ecdsa_bytewise);
    th_case("ecdsa_full_records", t_ecdsa_app_full_records);
    th_case("rsa_with_data", t_rsa_app);
    th_case("failed_handshake", t_failed);
    return th_done();
}
