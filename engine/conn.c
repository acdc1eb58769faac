/* conn.c — connection lifecycle and the sans-IO entry points: eng_feed (the loop that moves
 * between the handshake flow and the record layer), the output buffer, application data,
 * close_notify, results and the sticky first error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "eng_internal.h"

/* Wipes every secret the connection may hold (RFC 5246 §7.4.9-style hygiene: nothing of the
 * key exchange outlives its use). */
static void wipe_secrets(eng_conn *c)
{
    ct_wipe(c->eph_priv, sizeof c->eph_priv);
    ct_wipe(c->pms, sizeof c->pms);
    ct_wipe(c->ms, sizeof c->ms);
    ct_wipe(c->rs, sizeof c->rs);
    ct_wipe(c->extra, sizeof c->extra);
    ct_wipe(c->kb, sizeof c->kb); /* key block of a key schedule that completed while parked */
    ct_wipe(c->fin, sizeof c->fin);
    c->fin_ready = 0;
}

/* see eng_internal.h */
int conn_why(eng_conn *c, int e, const char *file, int line, const char *fmt, ...)
{
    if (!c->why[0] && !c->err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->why, sizeof c->why, fmt, ap);
        va_end(ap);
        c->why_file = file;
        c->why_line = line;
    }
    return e;
}

/* see eng_internal.h */
int conn_fail(eng_conn *c, int e)
{
    if (c->err) return c->err;
    c->err = e;
    const char *ctx = c->ctx ? c->ctx : "connection";
    const char *file = c->why_file ? c->why_file : eng_trace_file;
    int line = c->why_file ? c->why_line : eng_trace_line;
    const char *why = c->why[0] ? c->why : eng_strerror(e);
    int alert = ENG_ALERT_OF(e);
    if (alert >= 0) {
        /* RFC 5246 §7.2.2: a fatal error is reported with its alert, then the connection is
         * closed; the alert is protected when the write state is. */
        c->close_sent = 1;
        (void)rec_send_alert(c, TLS_ALERT_FATAL, (uint8_t)alert);
        if (file)
            snprintf(c->errmsg, sizeof c->errmsg, "%s: %s \xe2\x86\x92 sent %s (%s:%d)", ctx, why,
                     eng_alert_name(alert), file, line);
        else
            snprintf(c->errmsg, sizeof c->errmsg, "%s: %s \xe2\x86\x92 sent %s", ctx, why,
                     eng_alert_name(alert));
    } else {
        snprintf(c->errmsg, sizeof c->errmsg, "%s: %s", ctx, why);
    }
    /* The connection is over: nothing is protected or unprotected with these keys again. */
    wipe_secrets(c);
    cd_gcm_wipe(&c->wkey);
    cd_gcm_wipe(&c->rkey);
    c->keys_ready = 0;
    return e;
}

/* eng_conn_new leaves everything from rbuf on uninitialised: only the three buffers may be there */
_Static_assert(sizeof(eng_conn) - offsetof(eng_conn, rbuf) <
                   ENG_REC_CAP + ENG_OUT_CAP + ENG_HS_CAP + 64,
               "eng_conn: only rbuf, out and hs may follow rbuf");

/* see eng.h */
eng_conn *eng_conn_new(const eng_cfg *cfg, const char *servername)
{
    if (!cfg) return NULL;
    if (cfg->role == ENG_SERVER && !cfg->have_cert) return NULL;
    if (servername && strlen(servername) >= sizeof ((eng_conn *)0)->servername) return NULL;
    size_t sz = (sizeof(eng_conn) + 63) & ~(size_t)63;
    eng_conn *c = aligned_alloc(64, sz);
    if (!c) return NULL;
    /* Zero the state, not the three big buffers (rbuf, out, hs: 66 of the 75 KiB): every
     * read of them is bounded by a length that starts at 0 here (rlen, out_len, hs_len +
     * hs_in), so their old bytes are never looked at; clearing them cost ~10 µs per
     * connection. eng_conn_free wipes what was written of them (the *_hw marks). */
    memset(c, 0, offsetof(eng_conn, rbuf));
    c->cfg = cfg;
    c->role = cfg->role;
    c->seq = hs_seq_ecdhe; /* the RSA flow shares its first steps; chosen at ServerHello */
    c->hs_rec_at = ENG_NO_REC;
    c->op.conn = c;
    if (servername && cfg->role == ENG_CLIENT)
        snprintf(c->servername, sizeof c->servername, "%s", servername);
    return c;
}

/* see eng.h */
void eng_conn_free(eng_conn *c)
{
    if (!c) return;
    if (c->have_peer) cd_pubkey_free(&c->peer);
    cd_gcm_wipe(&c->wkey);
    cd_gcm_wipe(&c->rkey);
    wipe_secrets(c);
    /* the state, and as much of each buffer as was ever written (application plaintext may
     * still sit in the record buffer); the rest was never written since eng_conn_new */
    ct_wipe(c, offsetof(eng_conn, rbuf));
    ct_wipe(c->rbuf, c->rbuf_hw);
    ct_wipe(c->out, c->out_hw);
    ct_wipe(c->hs, c->hs_hw);
    free(c);
}

/* The feed loop: drive the handshake; when it needs input, read exactly one record and go
 * round again. After the handshake, application data is left in the record buffer until
 * eng_read takes it (back-pressure: nothing more is read meanwhile). */
static int conn_run(eng_conn *c, const uint8_t *in, size_t avail, size_t *used)
{
    for (;;) {
        int r;
        if (!c->hs_done) {
            r = hs_drive(c);
            if (r < 0 || r == ENG_WANT_CRYPTO) return r;
        }
        if (c->hs_done) {
            r = hs_post_handshake(c);
            if (r < 0) return r;
            if (r > 0) continue;
            if (c->app_len) return ENG_DONE;
        }
        if (*used == avail) return c->hs_done ? ENG_DONE : ENG_WANT_READ;
        r = rec_read(c, in + *used, avail - *used, used);
        if (r < 0) return r;
        if (r == 0) return c->hs_done ? ENG_DONE : ENG_WANT_READ;
    }
}

/* see eng.h */
int eng_feed(eng_conn *c, const uint8_t *in, size_t *inlen)
{
    size_t avail = inlen ? *inlen : 0, used = 0;
    if (inlen) *inlen = 0;
    if (c->err) return c->err;
    /* Parked and not completed yet: nothing moves, nothing is consumed. */
    if (c->op.kind != ENG_OP_NONE && !c->op.done) return ENG_WANT_CRYPTO;
    if (!in) avail = 0;
    eng_trace_file = NULL;
    c->hs_rec_at = ENG_NO_REC; /* earlier output may have been seen: don't extend it */
    int r = conn_run(c, in, avail, &used);
    if (inlen) *inlen = used;
    if (r < 0) return conn_fail(c, r);
    return r;
}

/* see eng.h */
const uint8_t *eng_out_peek(const eng_conn *c, size_t *len)
{
    *len = c->out_len - c->out_off;
    return c->out + c->out_off;
}

/* see eng.h */
void eng_out_consume(eng_conn *c, size_t n)
{
    size_t have = c->out_len - c->out_off;
    c->out_off += n < have ? n : have;
    if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
    c->hs_rec_at = ENG_NO_REC;
}

/* see eng.h */
long eng_write(eng_conn *c, const uint8_t *p, size_t n)
{
    if (c->err) return c->err;
    if (!c->hs_done || c->close_sent) return ENG_E_STATE;
    size_t done = 0;
    while (done < n) {
        size_t room = rec_out_room(c);
        if (room <= TLS_REC_HDR + TLS_GCM_OVERHEAD) break;
        size_t take = n - done;
        if (take > TLS_MAX_PLAIN) take = TLS_MAX_PLAIN; /* RFC 5246 §6.2.1 */
        if (take > room - TLS_REC_HDR - TLS_GCM_OVERHEAD) take = room - TLS_REC_HDR - TLS_GCM_OVERHEAD;
        c->ctx = "application data";
        int r = rec_write(c, TLS_CT_APPLICATION_DATA, p + done, take);
        if (r < 0) return conn_fail(c, r);
        done += take;
    }
    return (long)done;
}

/* see eng.h */
long eng_read(eng_conn *c, uint8_t *p, size_t cap)
{
    size_t n = c->app_len < cap ? c->app_len : cap;
    if (n == 0) return 0;
    memcpy(p, c->rbuf + c->app_off, n);
    ct_wipe(c->rbuf + c->app_off, n);
    c->app_off += n;
    c->app_len -= n;
    return (long)n;
}

/* see eng.h */
int eng_close(eng_conn *c)
{
    if (c->close_sent) return 0;
    if (c->err && c->err != ENG_E_CLOSED) return c->err;
    c->close_sent = 1;
    c->ctx = "close";
    int r = rec_send_alert(c, TLS_ALERT_WARNING, ALERT_CLOSE_NOTIFY); /* RFC 5246 §7.2.1 */
    return r < 0 ? conn_fail(c, r) : 0;
}

/* see eng.h */
eng_op *eng_pending_op(eng_conn *c)
{
    return (c->op.kind != ENG_OP_NONE && !c->op.done) ? &c->op : NULL;
}

/* see eng.h */
int eng_conn_info(const eng_conn *c, eng_info *info)
{
    memset(info, 0, sizeof *info);
    info->version = TLS_V12;
    info->suite = c->suite ? c->suite->id : 0;
    info->suite_name = c->suite ? c->suite->ossl : "none";
    info->group = c->suite && c->suite->kx != KX_RSA ? c->group : 0;
    info->group_name = eng_group_name(info->group);
    if (!info->group_name) info->group_name = "none";
    info->sigalg = c->suite && c->suite->kx != KX_RSA ? c->sigalg : 0;
    info->ems = c->ems;
    info->secure_reneg = c->secure_reneg;
    snprintf(info->servername, sizeof info->servername, "%s", c->servername);
    if (c->have_peer) snprintf(info->peer_subject, sizeof info->peer_subject, "%s", c->peer.subject);
    return c->hs_done ? 0 : ENG_E_STATE;
}

/* see eng.h */
int eng_conn_error(const eng_conn *c) { return c->err; }

/* see eng.h */
const char *eng_conn_errmsg(const eng_conn *c) { return c->err ? c->errmsg : ""; }
