/* load_run.c — see load.h. One worker per thread, each owning its connections, its epoll set
 * and its results slot; the caller merges the slots after the team returns. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "load.h"
#include "netio.h"
#include "sched_batch.h"
#include "workers.h"

#define IN_CAP (18432 + 2048) /* one maximal TLSCiphertext record (RFC 5246 §6.2.3) + slack */
#define MAX_SAMPLES ((size_t)1 << 24)
#define SCAN_NS 10000000u     /* timeout scan period */

const char *const load_lat_names[LOAD_LAT_KINDS] = {"tcp_connect", "server_hello_done",
                                                     "handshake", "first_byte"};
const char *const load_err_names[LOAD_E_KINDS] = {"connect", "timeout", "verify",
                                                   "alert_received", "alert_sent", "closed"};

enum lstate { L_IDLE, L_CONNECTING, L_HANDSHAKE, L_RESPONSE };

typedef struct lconn {
    int fd;
    enum lstate st;
    eng_conn *ec;
    uint64_t t_int;   /* intended start (closed loop: actual start) */
    uint64_t t_start; /* connect() called */
    uint64_t t_ch;    /* ClientHello handed to the kernel */
    uint64_t t_rx;    /* last bytes received */
    int ch_sent, shd_seen;
    int parked; /* its public-key op is in the scheduler */
    int dead;   /* ended while parked: the slot is freed when the op is back */
    size_t inlen;
    uint8_t in[IN_CAP];
} lconn;

typedef struct lworker {
    const load_cfg *lc;
    int id, nconn, ep;
    lconn *conns;
    sched *sch; /* NULL: client crypto inline */
    int *idle; /* stack of idle slot indices */
    int nidle;
    uint64_t end_ns;
    size_t cap[LOAD_LAT_KINDS];
    load_result r;
    int oom;
} lworker;

typedef struct team {
    const load_cfg *lc;
    lworker *w;
} team;

static void lat_add(lworker *w, int k, uint64_t ns)
{
    load_result *r = &w->r;
    if (r->nlat[k] == w->cap[k]) {
        if (w->cap[k] >= MAX_SAMPLES) return; /* keep the first 16M samples */
        size_t nc = w->cap[k] ? w->cap[k] * 2 : 4096;
        uint64_t *p = realloc(r->lat[k], nc * sizeof *p);
        if (!p) {
            w->oom = 1;
            return;
        }
        r->lat[k] = p;
        w->cap[k] = nc;
    }
    r->lat[k][r->nlat[k]++] = ns;
}

/* Ends a connection attempt and frees its slot. RST instead of FIN: the generator never
 * reuses a connection, and thousands of TIME_WAIT sockets would exhaust the ephemeral ports. */
static void conn_end(lworker *w, lconn *c)
{
    if (c->dead) return;
    if (c->fd >= 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->st = L_IDLE;
    if (c->parked) { /* the scheduler holds a pointer into c->ec until the op is back */
        c->dead = 1;
        return;
    }
    if (c->ec) eng_conn_free(c->ec);
    c->ec = NULL;
    c->fd = -1;
    c->st = L_IDLE;
    c->inlen = 0;
    w->idle[w->nidle++] = (int)(c - w->conns);
}

static void fail(lworker *w, lconn *c, int kind, int alert, const char *why)
{
    if (net_now_ns() < w->end_ns) {
        w->r.errors[kind]++;
        if (kind == LOAD_E_ALERT_RX && alert >= 0) w->r.alert_rx[alert]++;
        if ((kind == LOAD_E_PROTOCOL || kind == LOAD_E_VERIFY) && alert >= 0) w->r.alert_tx[alert]++;
        if (!w->r.first_error[0])
            snprintf(w->r.first_error, sizeof w->r.first_error, "%s: %s", load_err_names[kind], why);
    }
    conn_end(w, c);
}

static void fail_eng(lworker *w, lconn *c, int e)
{
    const char *why = eng_conn_errmsg(c->ec);
    if (e == ENG_E_CLOSED) {
        fail(w, c, LOAD_E_CLOSED, -1, "close_notify before the handshake (or response) completed");
        return;
    }
    if (ENG_IS_PEER(e)) {
        fail(w, c, LOAD_E_ALERT_RX, (-e) & 0xff, why);
        return;
    }
    int a = ENG_ALERT_OF(e);
    /* our alert went out with the error: send it, best effort (RFC 5246 §7.2.2) */
    size_t len;
    const uint8_t *p = eng_out_peek(c->ec, &len);
    if (p && len) (void)!send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    switch (a) {
    case ALERT_BAD_CERTIFICATE: case ALERT_UNSUPPORTED_CERTIFICATE: case ALERT_CERTIFICATE_REVOKED:
    case ALERT_CERTIFICATE_EXPIRED: case ALERT_CERTIFICATE_UNKNOWN: case ALERT_UNKNOWN_CA:
        fail(w, c, LOAD_E_VERIFY, a, why);
        return;
    default: fail(w, c, LOAD_E_PROTOCOL, a < 0 ? ALERT_INTERNAL_ERROR : a, why);
    }
}

static void success(lworker *w, lconn *c)
{
    if (net_now_ns() < w->end_ns) __atomic_fetch_add(&w->r.handshakes, 1, __ATOMIC_RELAXED);
    conn_end(w, c);
}

/* Sends what the engine queued; watches for EPOLLOUT only while bytes wait. -1 = dead. */
static int flush_out(lworker *w, lconn *c)
{
    size_t len;
    const uint8_t *p;
    while ((p = eng_out_peek(c->ec, &len)) != NULL && len > 0) {
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            eng_out_consume(c->ec, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        return -1;
    }
    eng_out_peek(c->ec, &len);
    struct epoll_event ev = {.events = EPOLLIN | (len ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

/* Feeds buffered input to the engine (client crypto runs inline) and acts on the outcome. */
static void drive(lworker *w, lconn *c)
{
    int r;
    if (c->parked) return; /* input waits for the op */
    for (;;) {
        size_t n = c->inlen;
        r = eng_feed(c->ec, n ? c->in : NULL, &n);
        if (n > c->inlen) n = c->inlen;
        if (n) memmove(c->in, c->in + n, c->inlen - n);
        c->inlen -= n;
        if (r == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c->ec);
            if (!op) {
                r = ENG_E_STATE;
                break;
            }
            if (w->sch && sched_submit(w->sch, op, (uintptr_t)c) >= 0) {
                c->parked = 1;
                return;
            }
            eng_op_run(op);
            continue;
        }
        if (r >= 0 && n > 0 && c->inlen > 0) continue;
        break;
    }
    if (r < 0 && c->st == L_RESPONSE) { /* a response and close_notify in one read */
        uint8_t b[4096];
        if (eng_read(c->ec, b, sizeof b) > 0) {
            lat_add(w, LOAD_LAT_FIRST_BYTE, net_now_ns() - c->t_int);
            success(w, c);
            return;
        }
    }
    if (r < 0) {
        fail_eng(w, c, r);
        return;
    }
    size_t pending;
    eng_out_peek(c->ec, &pending);
    if (pending && c->st == L_HANDSHAKE) {
        if (!c->ch_sent) {
            c->ch_sent = 1;
        } else if (!c->shd_seen) {
            /* our second flight exists: the server's first flight (..ServerHelloDone) is in;
             * its last bytes arrived at t_rx, before our own crypto ran */
            c->shd_seen = 1;
            lat_add(w, LOAD_LAT_SHD, c->t_rx - c->t_ch);
        }
    }
    int was_ch = c->ch_sent && !c->t_ch;
    if (flush_out(w, c) < 0) {
        fail(w, c, LOAD_E_CLOSED, -1, "send failed");
        return;
    }
    uint64_t now = net_now_ns();
    if (was_ch) c->t_ch = now;
    if (r == ENG_DONE && c->st == L_HANDSHAKE) {
        lat_add(w, LOAD_LAT_HANDSHAKE, now - c->t_int);
        if (!w->r.info.version) eng_conn_info(c->ec, &w->r.info);
        if (!w->lc->request) {
            success(w, c);
            return;
        }
        const char *q = w->lc->request;
        size_t ql = strlen(q);
        if (eng_write(c->ec, (const uint8_t *)q, ql) != (long)ql || flush_out(w, c) < 0) {
            fail(w, c, LOAD_E_CLOSED, -1, "could not send the request");
            return;
        }
        c->st = L_RESPONSE;
    }
    if (c->st == L_RESPONSE) {
        uint8_t b[4096];
        if (eng_read(c->ec, b, sizeof b) > 0) {
            lat_add(w, LOAD_LAT_FIRST_BYTE, now - c->t_int);
            success(w, c);
        }
    }
}

static void on_connected(lworker *w, lconn *c)
{
    uint64_t now = net_now_ns();
    lat_add(w, LOAD_LAT_CONNECT, now - c->t_start);
    c->ec = eng_conn_new(w->lc->cfg, w->lc->servername);
    if (!c->ec) {
        w->oom = 1;
        conn_end(w, c);
        return;
    }
    c->st = L_HANDSHAKE;
    drive(w, c);
}

static void start_conn(lworker *w, uint64_t t_int)
{
    const load_cfg *lc = w->lc;
    lconn *c = &w->conns[w->idle[--w->nidle]];
    c->t_int = t_int;
    c->t_start = net_now_ns();
    c->t_ch = c->t_rx = 0;
    c->ch_sent = c->shd_seen = 0;
    c->inlen = 0;
    w->r.started++;
    c->fd = socket(lc->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fail(w, c, LOAD_E_CONNECT, -1, strerror(errno));
        return;
    }
    net_set_nodelay(c->fd);
    c->st = L_CONNECTING;
    int r = connect(c->fd, (const struct sockaddr *)&lc->addr, lc->addrlen);
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (r < 0 && errno != EINPROGRESS) {
        char why[128];
        snprintf(why, sizeof why, "connect: %s", strerror(errno));
        fail(w, c, LOAD_E_CONNECT, -1, why);
        return;
    }
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        fail(w, c, LOAD_E_CONNECT, -1, "epoll_ctl failed");
        return;
    }
    if (r == 0) on_connected(w, c);
}

static void on_event(lworker *w, lconn *c, uint32_t ev)
{
    if (c->st == L_CONNECTING) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0) soerr = errno;
        if (soerr || (ev & (EPOLLERR | EPOLLHUP))) {
            char why[128];
            snprintf(why, sizeof why, "connect: %s", strerror(soerr ? soerr : ECONNREFUSED));
            fail(w, c, LOAD_E_CONNECT, -1, why);
            return;
        }
        on_connected(w, c);
        return;
    }
    if (ev & EPOLLOUT) {
        if (flush_out(w, c) < 0) {
            fail(w, c, LOAD_E_CLOSED, -1, "send failed");
            return;
        }
    }
    if (!(ev & (EPOLLIN | EPOLLERR | EPOLLHUP))) return;
    for (;;) {
        if (c->inlen == IN_CAP) { /* the engine must take some before we read more */
            drive(w, c);
            if (c->st == L_IDLE || c->inlen == IN_CAP) return;
        }
        ssize_t n = recv(c->fd, c->in + c->inlen, IN_CAP - c->inlen, 0);
        if (n > 0) {
            c->inlen += (size_t)n;
            c->t_rx = net_now_ns();
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        /* EOF or reset: whatever arrived before may still hold an alert */
        if (c->inlen) drive(w, c);
        if (c->st != L_IDLE)
            fail(w, c, LOAD_E_CLOSED, -1,
                 n < 0 ? strerror(errno) : "the server closed the connection");
        return;
    }
    if (c->inlen) drive(w, c);
}

/* Completed client ops re-enter their connections (which may park again). */
static void drain_done(lworker *w)
{
    eng_op *op;
    uintptr_t tag;
    while (w->sch && (op = sched_next_done(w->sch, NULL, &tag)) != NULL) {
        lconn *c = (lconn *)tag;
        c->parked = 0;
        if (c->dead) {
            c->dead = 0;
            conn_end(w, c);
            continue;
        }
        drive(w, c);
    }
}

/* Runs partial batches at their deadline, or all of them when nothing else can progress. */
static void flush_batches(lworker *w, int idle)
{
    drain_done(w); /* ops that completed at submit (RSA runs inline) */
    while (w->sch && sched_queued(w->sch)) {
        if (sched_flush(w->sch, sched_tsc(), idle) == 0) break;
        drain_done(w);
    }
}

static void check_timeouts(lworker *w, uint64_t now)
{
    uint64_t lim = (uint64_t)(w->lc->timeout_s * 1e9);
    for (int i = 0; i < w->nconn; i++) {
        lconn *c = &w->conns[i];
        if (c->st != L_IDLE && !c->dead && now - c->t_start > lim) fail(w, c, LOAD_E_TIMEOUT, -1, "no answer in time");
    }
}

static void progress(team *t, uint64_t t0, uint64_t now)
{
    uint64_t hs = 0, er = 0;
    for (int i = 0; i < t->lc->threads; i++) {
        hs += __atomic_load_n(&t->w[i].r.handshakes, __ATOMIC_RELAXED);
        for (int k = 0; k < LOAD_E_KINDS; k++) er += __atomic_load_n(&t->w[i].r.errors[k], __ATOMIC_RELAXED);
    }
    double s = (double)(now - t0) / 1e9;
    printf("\r  %5.1f s  %10llu handshakes  %9.0f hs/s  %llu errors \033[K", s,
           (unsigned long long)hs, s > 0 ? (double)hs / s : 0.0, (unsigned long long)er);
    fflush(stdout);
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int worker_fn(const worker_info *wi, void *arg)
{
    team *t = arg;
    const load_cfg *lc = t->lc;
    lworker *w = &t->w[wi->id];
    w->lc = lc;
    w->id = wi->id;
    /* connections split evenly; the first ones take the remainder */
    w->nconn = lc->connections / lc->threads + (wi->id < lc->connections % lc->threads);
    w->conns = calloc((size_t)w->nconn + 1, sizeof *w->conns);
    w->idle = calloc((size_t)w->nconn + 1, sizeof *w->idle);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    char serr[200];
    sched_cfg scfg = {.max_wait = lc->max_wait_tsc};
    if (lc->batch) w->sch = sched_new(&scfg, serr, sizeof serr);
    if (!w->conns || !w->idle || w->ep < 0 || (lc->batch && !w->sch)) {
        w->oom = 1;
        free(w->conns);
        free(w->idle);
        if (w->ep >= 0) close(w->ep);
        if (w->sch) sched_free(w->sch);
        return 1;
    }
    for (int i = w->nconn - 1; i >= 0; i--) {
        w->conns[i].fd = -1;
        w->idle[w->nidle++] = i;
    }
    double cpu0 = thread_cpu_s();
    uint64_t t0 = net_now_ns(), now = t0, last_scan = t0, last_prog = t0;
    w->end_ns = t0 + (uint64_t)(lc->duration_s * 1e9);
    /* open loop: this worker's share of the schedule, interleaved with the others' */
    double period = lc->rate > 0 ? 1e9 * lc->threads / lc->rate : 0;
    double next = (double)t0 + (lc->rate > 0 ? 1e9 * wi->id / lc->rate : 0);
    struct epoll_event evs[256];
    while (now < w->end_ns) {
        while (w->nidle > 0) {
            if (period == 0) {
                start_conn(w, now);
            } else if ((uint64_t)next <= now) {
                if (now - (uint64_t)next > 1000000u) w->r.late++;
                start_conn(w, (uint64_t)next);
                next += period;
            } else {
                break;
            }
        }
        uint64_t wait_ns = SCAN_NS;
        if (period > 0 && w->nidle > 0 && (uint64_t)next > now && (uint64_t)next - now < wait_ns)
            wait_ns = (uint64_t)next - now;
        if (w->end_ns - now < wait_ns) wait_ns = w->end_ns - now;
        /* epoll_wait counts whole milliseconds: round sub-ms waits to a busy poll */
        if (w->sch && sched_queued(w->sch)) wait_ns = 0; /* ops wait: look, do not block */
        int n = epoll_wait(w->ep, evs, 256, (int)(wait_ns / 1000000u));
        for (int i = 0; i < n; i++) {
            lconn *c = evs[i].data.ptr;
            if (c->st != L_IDLE) on_event(w, c, evs[i].events);
        }
        drain_done(w);
        flush_batches(w, n <= 0);
        now = net_now_ns();
        if (now - last_scan >= SCAN_NS) {
            check_timeouts(w, now);
            last_scan = now;
        }
        if (lc->progress && wi->id == 0 && now - last_prog >= 1000000000u) {
            progress(t, t0, now);
            last_prog = now;
        }
    }
    w->r.seconds = (double)(w->end_ns - t0) / 1e9;
    flush_batches(w, 1); /* every parked op back before the connections go */
    for (int i = 0; i < w->nconn; i++)
        if (w->conns[i].st != L_IDLE) conn_end(w, &w->conns[i]); /* in flight at the end */
    drain_done(w);
    w->r.cpu_s = thread_cpu_s() - cpu0;
    close(w->ep);
    if (w->sch) sched_free(w->sch);
    free(w->conns);
    free(w->idle);
    return w->oom ? 1 : 0;
}

/* see load.h */
void load_result_free(load_result *res)
{
    for (int k = 0; k < LOAD_LAT_KINDS; k++) {
        free(res->lat[k]);
        res->lat[k] = NULL;
        res->nlat[k] = 0;
    }
}

/* see load.h */
int load_run(const load_cfg *lc, load_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    team t = {.lc = lc, .w = calloc((size_t)lc->threads, sizeof *t.w)};
    if (!t.w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    workers_cfg wc = {.n = lc->threads, .cpus = lc->cpus, .no_pin = lc->cpus == NULL};
    int rc = workers_run(&wc, worker_fn, &t, err, errlen);
    if (lc->progress) {
        printf("\r\033[K");
        fflush(stdout);
    }
    int oom = 0;
    for (int i = 0; i < lc->threads && rc == 0; i++) {
        load_result *r = &t.w[i].r;
        oom |= t.w[i].oom;
        res->handshakes += r->handshakes;
        res->started += r->started;
        res->late += r->late;
        for (int k = 0; k < LOAD_E_KINDS; k++) res->errors[k] += r->errors[k];
        for (int a = 0; a < 256; a++) {
            res->alert_rx[a] += r->alert_rx[a];
            res->alert_tx[a] += r->alert_tx[a];
        }
        res->seconds += r->seconds / lc->threads;
        res->cpu_s += r->cpu_s;
        if (!res->info.version && r->info.version) res->info = r->info;
        if (!res->first_error[0] && r->first_error[0])
            memcpy(res->first_error, r->first_error, sizeof res->first_error);
        for (int k = 0; k < LOAD_LAT_KINDS; k++) {
            if (!r->nlat[k]) continue;
            uint64_t *p = realloc(res->lat[k], (res->nlat[k] + r->nlat[k]) * sizeof *p);
            if (!p) {
                oom = 1;
                continue;
            }
            memcpy(p + res->nlat[k], r->lat[k], r->nlat[k] * sizeof *p);
            res->lat[k] = p;
            res->nlat[k] += r->nlat[k];
        }
    }
    for (int i = 0; i < lc->threads; i++) load_result_free(&t.w[i].r);
    free(t.w);
    if (rc == 0 && oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc < 0) load_result_free(res);
    return rc;
}
