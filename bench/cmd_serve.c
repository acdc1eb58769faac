/* cmd_serve.c — `mbshake serve`: a non-blocking epoll TLS 1.2 server on --threads workers
 * (workers.h: pinned when --threads or --cpus is given). Each worker owns its epoll loop, its
 * SO_REUSEPORT listener (the kernel spreads new connections over the workers), its
 * connections and its batch scheduler (sched_batch.h): a connection that parks on a
 * public-key op submits it and waits; completed ops re-enter their connections. Partial
 * batches run when their deadline (--max-wait-us) passes or when nothing else can progress
 * (epoll has no ready socket), so a lone handshake never waits for company. After the
 * handshake an HTTP/1.x GET gets a short 200 response and the connection closes (close_notify,
 * then FIN); any other application data is echoed. One failing peer costs one log line and
 * its own socket, never the server. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bench.h"
#include "cli_opts.h"
#include "cmds.h"
#include "eng.h"
#include "cpulist.h"
#include "ct.h"
#include "netio.h"
#include "sched_batch.h"
#include "tlsio.h"
#include "workers.h"

#define IN_CAP 18432   /* one maximal TLSCiphertext record (RFC 5246 §6.2.3) plus slack */
#define APP_CAP 16384  /* buffered request bytes per connection */
#define LINGER_MS 2000 /* after our FIN, how long we wait for the peer's */

enum cstate { ST_HANDSHAKE, ST_OPEN, ST_CLOSING, ST_LINGER };

typedef struct sconn {
    int fd;
    unsigned id;
    enum cstate st;
    eng_conn *ec;
    uint64_t t_start, t_last;
    uint32_t events; /* what epoll watches for this socket now */
    int counted;   /* the handshake outcome has been counted */
    int mode;      /* 0 undecided, 1 HTTP, 2 echo */
    int parked;    /* its public-key op is in the scheduler: the engine must not be fed */
    int want_out;  /* a send met a full socket buffer: wait for EPOLLOUT */
    int dead;      /* closed while parked: freed when the op comes back */
    struct sockaddr_storage peer; /* formatted only when a log line names it */
    size_t inlen, applen;
    size_t app_hw; /* how much of app was ever written: conn_destroy wipes that much */
    struct sconn *prev, *next;
    /* the buffers last: on_accept zeroes only what precedes them (every read of them is
     * bounded by inlen/applen, which start at 0), not 34 KiB per connection */
    uint8_t in[IN_CAP];
    uint8_t app[APP_CAP];
} sconn;

/* One worker. Counters are written by the worker only; the stats printer (worker 0) reads
 * them without locks (relaxed loads: a figure may be one handshake behind). */
typedef struct server {
    const eng_cfg *cfg;
    int lfd, ep, quiet, accepting, id, nworkers;
    unsigned max_conns, nconns, next_id;
    uint64_t hs_timeout_ms, idle_timeout_ms;
    unsigned long hs_ok, hs_fail, conns_total, requests, echoed;
    sconn *head;
    sched *sch;
    int failed; /* the loop stopped on an error (message printed) */
    char pad[WORKERS_CACHELINE];
} server;

/* Shared by the workers, read-only while they run (except the servers' own slots). */
typedef struct serve_team {
    server *srv;
    int n;
    double stats_interval; /* seconds; 0 = none */
    sched_cfg scfg;
    double tsc_hz;
} serve_team;

static volatile sig_atomic_t stop_signal;

/* A worker that cannot run stops the others too (workers_run waits for all of them). */
static volatile int team_abort;

/* Open connections of all workers, and the most there were at once (the stats lines). */
static unsigned long active_all, active_peak;

static void active_add(void)
{
    unsigned long a = __atomic_add_fetch(&active_all, 1, __ATOMIC_RELAXED);
    unsigned long p = __atomic_load_n(&active_peak, __ATOMIC_RELAXED);
    while (a > p &&
           !__atomic_compare_exchange_n(&active_peak, &p, a, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

static void on_signal(int sig) { stop_signal = sig; }

static void logc(const server *s, const sconn *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void logc(const server *s, const sconn *c, const char *fmt, ...)
{
    if (s->quiet) return;
    va_list ap;
    char peer[64];
    net_addr_str((const struct sockaddr *)&c->peer, peer, sizeof peer);
    fprintf(stderr, "conn %u peer %s: ", c->id, peer);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Watches for input only while there is room for it (a peer that sends faster than it reads
 * must neither make us spin nor grow our buffers) and for output room only while a send waits
 * for it. The usual handshake never changes the set it was added with: no epoll_ctl. */
static void ep_update(server *s, sconn *c)
{
    uint32_t ev = 0;
    if (c->inlen < IN_CAP || c->st == ST_LINGER) ev |= EPOLLIN | EPOLLRDHUP;
    if (c->want_out) ev |= EPOLLOUT;
    if (ev == c->events) return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &e) == 0) c->events = ev;
}

static void count_failure(server *s, sconn *c)
{
    if (!c->counted) {
        c->counted = 1;
        s->hs_fail++;
    }
}

/* Frees a connection whose op (if any) has come back from the scheduler. */
static void conn_destroy(server *s, sconn *c)
{
    if (c->ec) eng_conn_free(c->ec);
    ct_wipe(c->app, c->app_hw); /* decrypted request bytes */
    free(c);
}

static void conn_free(server *s, sconn *c)
{
    if (c->st == ST_HANDSHAKE) count_failure(s, c);
    close(c->fd); /* leaves the epoll set with it: the fd is never duplicated */
    c->fd = -1;
    if (c->prev) c->prev->next = c->next;
    else s->head = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    /* the scheduler still holds a pointer into this connection: free it when the op is back */
    if (c->parked) c->dead = 1;
    else conn_destroy(s, c);
    s->nconns--;
    __atomic_sub_fetch(&active_all, 1, __ATOMIC_RELAXED);
    if (!s->accepting && !stop_signal) { /* room again: resume accepting */
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev) == 0) s->accepting = 1;
    }
}

/* Writes what the engine has queued. 0 = all sent or waiting for EPOLLOUT, -1 = socket dead. */
static int flush_out(server *s, sconn *c)
{
    size_t len;
    const uint8_t *p;
    while ((p = eng_out_peek(c->ec, &len)) != NULL && len > 0) {
        ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);
        if (w > 0) {
            eng_out_consume(c->ec, (size_t)w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            c->want_out = 1; /* ep_update watches EPOLLOUT */
            return 0;
        }
        return -1;
    }
    c->want_out = 0;
    return 0;
}

/* Everything is sent after close_notify: half-close and wait briefly for the peer's FIN, so
 * that unread bytes in our receive queue do not turn our FIN into an RST that could destroy
 * the response in flight (RFC 1122 §4.2.2.13). */
static void maybe_linger(server *s, sconn *c)
{
    size_t len = 0;
    if (c->st != ST_CLOSING) return;
    eng_out_peek(c->ec, &len);
    if (len) return;
    shutdown(c->fd, SHUT_WR);
    c->st = ST_LINGER;
    c->t_last = net_now_ms();
}

static void start_close(server *s, sconn *c)
{
    if (c->st == ST_OPEN) {
        eng_close(c->ec);
        c->st = ST_CLOSING;
    }
}

static void http_respond(server *s, sconn *c)
{
    eng_info in;
    memset(&in, 0, sizeof in);
    eng_conn_info(c->ec, &in);
    char body[512], resp[1024];
    int bl = snprintf(body, sizeof body, "mbshake: %s %s group=%s ems=%s\n",
                      tlsio_version_name(in.version), in.suite_name ? in.suite_name : "?",
                      in.group ? (in.group_name ? in.group_name : "?") : "none",
                      in.ems ? "yes" : "no");
    int rl = snprintf(resp, sizeof resp,
                      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                      "Connection: close\r\n\r\n%s",
                      bl, body);
    if (eng_write(c->ec, (const uint8_t *)resp, (size_t)rl) != rl)
        logc(s, c, "response did not fit the output buffer");
    s->requests++;
    start_close(s, c);
}

/* Application data arrived in c->app: decide HTTP or echo, then act. */
static void on_app_data(server *s, sconn *c)
{
    static const char get[] = "GET ";
    if (c->mode == 0) {
        size_t n = c->applen < 4 ? c->applen : 4;
        if (memcmp(c->app, get, n) != 0) c->mode = 2;
        else if (n == 4) c->mode = 1;
        else return; /* a prefix of "GET ": wait for more */
    }
    if (c->mode == 2) {
        long w = eng_write(c->ec, c->app, c->applen);
        if (w > 0) {
            memmove(c->app, c->app + w, c->applen - (size_t)w);
            c->applen -= (size_t)w;
            s->echoed += (unsigned long)w;
        }
        return;
    }
    /* RFC 9112 §2.2: the header section ends at an empty line; accept bare LF too. */
    if (memmem(c->app, c->applen, "\r\n\r\n", 4) || memmem(c->app, c->applen, "\n\n", 2)) {
        http_respond(s, c);
        c->applen = 0;
    } else if (c->applen == APP_CAP) {
        logc(s, c, "HTTP request header larger than %d bytes; closing", APP_CAP);
        start_close(s, c);
    }
}

/* Feeds buffered input to the engine until it needs more input, fails, or parks on a
 * public-key op: that op goes to the worker's scheduler and the connection waits for it
 * (ENG_WANT_CRYPTO). An op the scheduler refuses runs inline. */
static int pump(server *s, sconn *c)
{
    for (;;) {
        size_t n = c->inlen;
        int r = eng_feed(c->ec, n ? c->in : NULL, &n);
        if (n > c->inlen) n = c->inlen; /* defensive: never trust a count past what we offered */
        if (n) memmove(c->in, c->in + n, c->inlen - n);
        c->inlen -= n;
        if (r == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(c->ec);
            if (!op) return ENG_E_STATE;
            if (sched_submit(s->sch, op, (uintptr_t)c) >= 0) {
                c->parked = 1;
                return ENG_WANT_CRYPTO;
            }
            eng_op_run(op);
            continue;
        }
        /* the engine may stop after one record; go on while it makes progress */
        if (r >= 0 && n > 0 && c->inlen > 0) continue;
        return r;
    }
}

/* Runs the engine over buffered input. Returns -1 when the connection is finished (freed). */
static int conn_drive(server *s, sconn *c)
{
    if (c->parked) return 0; /* input waits until the op is back */
    for (int rounds = 0; rounds < 64; rounds++) {
        size_t before = c->inlen;
        int r = pump(s, c);
        if (r == ENG_WANT_CRYPTO) break;
        if (r == ENG_E_CLOSED && c->st != ST_HANDSHAKE) { /* RFC 5246 §7.2.1: answer it */
            if (c->st == ST_OPEN) start_close(s, c);
            c->inlen = 0;
            break;
        }
        if (r < 0) {
            flush_out(s, c); /* the alert the engine queued, best effort */
            count_failure(s, c);
            logc(s, c, "%s", eng_conn_errmsg(c->ec));
            conn_free(s, c);
            return -1;
        }
        if (r == ENG_DONE && c->st == ST_HANDSHAKE) {
            c->st = ST_OPEN;
            c->counted = 1;
            s->hs_ok++;
        }
        int progressed = c->inlen != before;
        if (c->st == ST_OPEN || c->st == ST_CLOSING) {
            long got;
            while (c->applen < APP_CAP &&
                   (got = eng_read(c->ec, c->app + c->applen, APP_CAP - c->applen)) > 0) {
                c->applen += (size_t)got;
                if (c->applen > c->app_hw) c->app_hw = c->applen;
                progressed = 1;
            }
            if (c->st == ST_OPEN && c->applen) on_app_data(s, c);
            if (c->st != ST_OPEN) c->applen = 0; /* nothing more is answered after close */
        }
        if (!progressed || c->inlen == 0) break;
    }
    /* a parked connection's flight is not complete: it goes out in one send when the op is
     * back (the op never waits for the peer) */
    if (c->parked) return 0;
    if (flush_out(s, c) < 0) {
        if (c->st == ST_HANDSHAKE) logc(s, c, "send failed during the handshake: %s", strerror(errno));
        conn_free(s, c);
        return -1;
    }
    maybe_linger(s, c);
    return 0;
}

/* Reads until the socket is drained or our input buffer is full. -1 when c was freed. */
static int on_readable(server *s, sconn *c)
{
    for (;;) {
        if (c->st == ST_LINGER) { /* discard until the peer's FIN */
            uint8_t junk[4096];
            ssize_t r = recv(c->fd, junk, sizeof junk, 0);
            if (r == (ssize_t)sizeof junk) continue;
            if (r > 0) return 0;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
            conn_free(s, c);
            return -1;
        }
        if (c->inlen == IN_CAP) { /* the engine is not taking input (output or app data full) */
            if (conn_drive(s, c) < 0) return -1;
            if (c->inlen == IN_CAP) return 0; /* ep_update stops EPOLLIN until it moves */
            continue;
        }
        size_t room = IN_CAP - c->inlen;
        ssize_t r = recv(c->fd, c->in + c->inlen, room, 0);
        if (r > 0) {
            c->inlen += (size_t)r;
            c->t_last = net_now_ms();
            if (conn_drive(s, c) < 0) return -1;
            /* a short read drained the socket: no second recv just to see EAGAIN (epoll is
             * level-triggered and reports later bytes, or the FIN, again) */
            if ((size_t)r < room) return 0;
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
        /* EOF or reset */
        if (c->st == ST_HANDSHAKE)
            logc(s, c, "peer closed the connection during the handshake%s%s",
                 r < 0 ? ": " : "", r < 0 ? strerror(errno) : "");
        conn_free(s, c);
        return -1;
    }
}

/* One epoll event for c. -1 when c was freed. */
static int on_event(server *s, sconn *c, uint32_t ev)
{
    if (ev & EPOLLERR) { /* the socket is dead (reset, unreachable): nothing can be delivered */
        if (c->st == ST_HANDSHAKE) logc(s, c, "socket error during the handshake");
        conn_free(s, c);
        return -1;
    }
    if (ev & EPOLLOUT) {
        if (flush_out(s, c) < 0) {
            conn_free(s, c);
            return -1;
        }
        maybe_linger(s, c);
        /* output room may let a waiting echo, and then more input, go on */
        if (c->st == ST_OPEN && c->applen && c->mode == 2) on_app_data(s, c);
        if (c->st != ST_LINGER && conn_drive(s, c) < 0) return -1;
    }
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) return on_readable(s, c);
    return 0;
}

static void on_accept(server *s)
{
    while (s->nconns < s->max_conns) {
        struct sockaddr_storage sa = {0};
        socklen_t sl = sizeof sa;
        int fd = accept4(s->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && !s->quiet)
                fprintf(stderr, "mbshake serve: accept: %s\n", strerror(errno));
            return;
        }
        /* TCP_NODELAY comes from the listener (netio.h) */
        sconn *c = malloc(sizeof *c);
        if (c) memset(c, 0, offsetof(sconn, in));
        eng_conn *ec = c ? eng_conn_new(s->cfg, NULL) : NULL;
        if (!ec) {
            free(c);
            close(fd);
            s->hs_fail++;
            if (!s->quiet) fprintf(stderr, "mbshake serve: out of memory for a connection\n");
            continue;
        }
        c->fd = fd;
        c->ec = ec;
        c->id = s->next_id++ * (unsigned)s->nworkers + (unsigned)s->id + 1; /* unique */
        c->t_start = c->t_last = net_now_ms();
        c->peer = sa;
        c->events = EPOLLIN | EPOLLRDHUP;
        struct epoll_event ev = {.events = c->events, .data.ptr = c};
        if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            eng_conn_free(ec);
            free(c);
            close(fd);
            continue;
        }
        c->next = s->head;
        if (s->head) s->head->prev = c;
        s->head = c;
        s->nconns++;
        s->conns_total++;
        active_add();
    }
    /* at the limit: stop polling the listener until a connection ends (backlog holds peers) */
    struct epoll_event ev = {.events = 0, .data.ptr = NULL};
    if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev) == 0) s->accepting = 0;
}

static void check_timeouts(server *s)
{
    uint64_t now = net_now_ms();
    sconn *c = s->head, *next;
    for (; c; c = next) {
        next = c->next;
        if (c->st == ST_HANDSHAKE && now - c->t_start > s->hs_timeout_ms) {
            logc(s, c, "handshake timeout after %llu ms", (unsigned long long)s->hs_timeout_ms);
            conn_free(s, c);
        } else if (c->st == ST_LINGER && now - c->t_last > LINGER_MS) {
            conn_free(s, c);
        } else if (c->st != ST_HANDSHAKE && now - c->t_last > s->idle_timeout_ms) {
            logc(s, c, "idle for %llu ms; closing", (unsigned long long)s->idle_timeout_ms);
            conn_free(s, c);
        }
    }
}

/* Ops completed by the scheduler re-enter their connections (which may park again). */
static void drain_done(server *s)
{
    eng_op *op;
    uintptr_t tag;
    while ((op = sched_next_done(s->sch, NULL, &tag)) != NULL) {
        sconn *c = (sconn *)tag;
        c->parked = 0;
        if (c->dead) {
            conn_destroy(s, c);
            continue;
        }
        if (conn_drive(s, c) == 0) ep_update(s, c);
    }
}

/* Batched kinds' kernel calls and ops of all workers (racy reads: for the stats line). */
static void occupancy_totals(const serve_team *t, uint64_t calls[ENG_OP_KINDS],
                             uint64_t ops[ENG_OP_KINDS])
{
    for (int k = 0; k < ENG_OP_KINDS; k++) calls[k] = ops[k] = 0;
    for (int i = 0; i < t->n; i++) {
        if (!t->srv[i].sch) continue;
        for (int k = 1; k < ENG_OP_KINDS; k++) {
            const sched_kind_stats *st = sched_stats(t->srv[i].sch, (eng_op_kind)k);
            calls[k] += __atomic_load_n(&st->calls, __ATOMIC_RELAXED);
            ops[k] += __atomic_load_n(&st->ops, __ATOMIC_RELAXED);
        }
    }
}

/* "x25519_keygen 3.91/4, p256_sign 3.20/4" over kinds with calls (deltas against prev). */
static void occupancy_str(const serve_team *t, const uint64_t *calls, const uint64_t *ops,
                          const uint64_t *pcalls, const uint64_t *pops, char *buf, size_t cap)
{
    size_t off = 0;
    buf[0] = 0;
    for (int k = 1; k < ENG_OP_KINDS && off < cap; k++) {
        uint64_t dc = calls[k] - (pcalls ? pcalls[k] : 0), dops = ops[k] - (pops ? pops[k] : 0);
        if (!dc || k == ENG_OP_RSA) continue;
        const sched_kind_stats *st = sched_stats(t->srv[0].sch, (eng_op_kind)k);
        off += (size_t)snprintf(buf + off, cap - off, "%s%s %.2f/%u", off ? ", " : "",
                                eng_op_name((eng_op_kind)k), (double)dops / (double)dc, st->lanes);
    }
    if (!buf[0]) snprintf(buf, cap, "no batched ops");
}

typedef struct stats_state {
    uint64_t t_ns;
    unsigned long hs;
    uint64_t calls[ENG_OP_KINDS], ops[ENG_OP_KINDS];
} stats_state;

static void stats_line(const serve_team *t, stats_state *prev)
{
    uint64_t now = net_now_ns();
    unsigned long hs = 0, active = __atomic_load_n(&active_all, __ATOMIC_RELAXED);
    for (int i = 0; i < t->n; i++) hs += __atomic_load_n(&t->srv[i].hs_ok, __ATOMIC_RELAXED);
    uint64_t calls[ENG_OP_KINDS], ops[ENG_OP_KINDS];
    occupancy_totals(t, calls, ops);
    char occ[512];
    occupancy_str(t, calls, ops, prev->calls, prev->ops, occ, sizeof occ);
    double secs = (double)(now - prev->t_ns) / 1e9;
    fprintf(stderr, "stats: %.0f handshakes/s, %lu active connections (peak %lu), batch occupancy %s\n",
            secs > 0 ? (double)(hs - prev->hs) / secs : 0.0, active,
            __atomic_load_n(&active_peak, __ATOMIC_RELAXED), occ);
    fflush(stderr);
    prev->t_ns = now;
    prev->hs = hs;
    memcpy(prev->calls, calls, sizeof calls);
    memcpy(prev->ops, ops, sizeof ops);
}

static int serve_worker(const worker_info *wi, void *arg)
{
    serve_team *t = arg;
    server *s = &t->srv[wi->id];
    char err[256];
    /* allocated here: first-touched by the worker's own thread (its NUMA node) */
    s->sch = sched_new(&t->scfg, err, sizeof err);
    s->ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (!s->sch || s->ep < 0 || epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &lev) < 0) {
        cli_error("serve", "worker %d: %s", wi->id, s->sch ? strerror(errno) : err);
        s->failed = 1;
        team_abort = 1;
        return 1;
    }
    stats_state st = {.t_ns = net_now_ns()};
    uint64_t next_stats = st.t_ns + (uint64_t)(t->stats_interval * 1e9), last_scan = 0;
    struct epoll_event evs[256];
    while (!stop_signal && !team_abort) {
        /* ops waiting for a batch: look for more work without blocking; when there is none,
         * nothing can progress without those ops, so their partial batches run now */
        int timeout = 250;
        if (sched_queued(s->sch)) timeout = 0;
        else if (t->stats_interval > 0 && wi->id == 0) {
            uint64_t now = net_now_ns();
            uint64_t left = next_stats > now ? (next_stats - now) / 1000000u : 0;
            if (left < (uint64_t)timeout) timeout = (int)left;
        }
        int n = epoll_wait(s->ep, evs, 256, timeout);
        if (n < 0 && errno != EINTR) {
            cli_error("serve", "epoll_wait: %s", strerror(errno));
            s->failed = 1;
            team_abort = 1;
            break;
        }
        for (int i = 0; i < n; i++) {
            sconn *c = evs[i].data.ptr;
            if (!c) {
                on_accept(s);
                continue;
            }
            /* a connection freed earlier in this batch cannot appear again: each fd has one
             * event per epoll_wait, and a connection is freed only while handling its own */
            if (on_event(s, c, evs[i].events) == 0) ep_update(s, c);
        }
        drain_done(s);
        /* a full set ran at submit; partial ones run at their deadline, or now when idle */
        while (sched_queued(s->sch)) {
            if (sched_flush(s->sch, sched_tsc(), n <= 0) == 0) break;
            drain_done(s);
        }
        uint64_t now_ms = net_now_ms();
        if (now_ms - last_scan >= 50) { /* every connection: not on every wakeup */
            check_timeouts(s);
            last_scan = now_ms;
        }
        if (t->stats_interval > 0 && wi->id == 0 && net_now_ns() >= next_stats) {
            stats_line(t, &st);
            next_stats += (uint64_t)(t->stats_interval * 1e9);
            if (next_stats < net_now_ns()) next_stats = net_now_ns() + (uint64_t)(t->stats_interval * 1e9);
        }
    }
    /* graceful end: finish what is parked, then free every connection */
    while (sched_queued(s->sch)) {
        sched_flush(s->sch, sched_tsc(), 1);
        drain_done(s);
    }
    while (s->head) conn_free(s, s->head);
    drain_done(s);
    return s->failed;
}

/* see cmds.h */
int cmd_serve(int argc, char **argv)
{
    const char *cert = NULL, *key = NULL, *chain = NULL, *listen_on = "127.0.0.1:4433";
    const char *suites = NULL, *groups = NULL, *isa = NULL, *threads_s = NULL, *cpus_s = NULL;
    int require_ems = 0, quiet = 0, max_conns = -1; /* -1: the default, 1024 */
    double hs_timeout = 10, idle_timeout = 60, stats_interval = 0, max_wait_us = 200;
    const cli_opt opts[] = {
        {"cert", OPT_STR, &cert, "FILE", "server certificate (PEM, leaf first; may hold the chain)", 1, 0},
        {"key", OPT_STR, &key, "FILE", "private key (PEM: EC P-256 or RSA 2048..4096)", 1, 0},
        {"chain", OPT_STR, &chain, "FILE", "extra intermediate certificates (PEM)", 1, 0},
        {"listen", OPT_STR, &listen_on, "HOST:PORT", "address to listen on (default 127.0.0.1:4433; port 0 = any)", 1, 0},
        {"suites", OPT_STR, &suites, "LIST", "cipher suites in preference order (default: all)", 1, 0},
        {"groups", OPT_STR, &groups, "LIST", "groups in preference order: x25519, secp256r1", 1, 0},
        {"require-ems", OPT_FLAG, &require_ems, NULL, "refuse clients without extended_master_secret", 1, 0},
        {"isa", OPT_STR, &isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {"threads", OPT_STR, &threads_s, "N|all", "pinned worker threads, one per core (default: 1, not pinned)", 1, 0},
        {"cpus", OPT_STR, &cpus_s, "LIST", "pin the workers to these PUs (taskset numbering)", 1, 0},
        {"max-wait-us", OPT_NUM, &max_wait_us, "US", "longest wait of a parked op for a fuller batch (default 200)", 0, 1e6},
        {"max-conns", OPT_INT, &max_conns, "N", "concurrent connections, all workers (default 1024; more need RLIMIT_NOFILE)", 1, 1000000},
        {"handshake-timeout", OPT_NUM, &hs_timeout, "SEC", "drop handshakes slower than SEC (default 10)", 0.001, 86400},
        {"idle-timeout", OPT_NUM, &idle_timeout, "SEC", "close connections idle for SEC (default 60)", 0.001, 86400},
        {"stats-interval", OPT_NUM, &stats_interval, "SEC", "print handshakes/s, active connections and batch occupancy every SEC", 0.01, 86400},
        {"quiet", OPT_FLAG, &quiet, NULL, "no per-connection log lines", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"serve", "--cert FILE --key FILE [options]",
                         "Serves TLS 1.2 with non-blocking epoll loops, one per worker thread, "
                         "each batching\nits connections' public-key operations. After the "
                         "handshake an HTTP GET gets a\nshort '200 OK' (negotiated parameters "
                         "in the body) and the connection closes;\nother application data is "
                         "echoed. Prints 'listening on ADDR' to stderr when\nready; "
                         "SIGINT/SIGTERM print a final stats line and exit 0.",
                         opts};
    net_keep_heap();
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 0, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;
    if (!cert || !key) return cli_usage_error(&cmd, "--cert FILE and --key FILE are required");
    char host[256], err[512];
    unsigned port;
    if (net_split_hostport(listen_on, host, sizeof host, &port, err, sizeof err) < 0)
        return cli_usage_error(&cmd, "--listen: %s", err);
    int cpus[WORKERS_MAX], ncpus = 0, nthreads = 1;
    if (cpus_s && (ncpus = cpulist_parse(cpus_s, cpus, WORKERS_MAX)) <= 0)
        return cli_usage_error(&cmd, "--cpus %s: want a list like 0,2-3", cpus_s);
    if (threads_s) {
        int all = ncpus;
        if (!all && !strcmp(threads_s, "all")) {
            workers_topo topo;
            if (workers_topo_get(&topo, err, sizeof err) < 0) return cli_error("serve", "%s", err);
            all = topo.cores;
        }
        nthreads = cpulist_threads(threads_s, all, WORKERS_MAX);
        if (nthreads < 0) return cli_usage_error(&cmd, "--threads %s: want a number or all", threads_s);
    } else if (ncpus) {
        nthreads = ncpus;
    }
    if (ncpus && ncpus != nthreads)
        return cli_usage_error(&cmd, "--cpus names %d PUs for %d threads", ncpus, nthreads);
    int max_conns_given = max_conns > 0;
    if (!max_conns_given) max_conns = 1024;
    if (nthreads > max_conns)
        return cli_usage_error(&cmd, "--threads %d is more than --max-conns %d", nthreads, max_conns);
    if (cli_check_readable("serve", "cert", cert) < 0 || cli_check_readable("serve", "key", key) < 0 ||
        (chain && cli_check_readable("serve", "chain", chain) < 0))
        return 1;
    if (cli_apply_isa("serve", isa) < 0) return 1;
    /* a descriptor per connection, plus each worker's listener and epoll set, stdio and the
     * libraries' own */
    unsigned long fd_spare = 2ul * (unsigned long)nthreads + 32, fd_have;
    if (net_raise_nofile((unsigned long)max_conns + fd_spare, &fd_have, err, sizeof err) < 0) {
        if (max_conns_given || fd_have < fd_spare + (unsigned long)nthreads)
            return cli_error("serve", "--max-conns %d %s", max_conns, err);
        max_conns = (int)(fd_have - fd_spare); /* the default shrinks to what fits */
        fprintf(stderr, "mbshake serve: --max-conns %d (RLIMIT_NOFILE is %lu)\n", max_conns, fd_have);
    }

    int rc = 1;
    serve_team t = {.n = nthreads, .stats_interval = stats_interval};
    t.srv = calloc((size_t)nthreads, sizeof *t.srv);
    eng_cfg *cfg = eng_cfg_new(ENG_SERVER);
    if (!cfg || !t.srv) {
        free(t.srv);
        eng_cfg_free(cfg);
        return cli_error("serve", "out of memory");
    }
    for (int i = 0; i < nthreads; i++) {
        server *s = &t.srv[i];
        s->lfd = s->ep = -1;
        s->id = i;
        s->nworkers = nthreads;
        s->quiet = quiet;
        /* the limit is for the whole server: each worker gets its share */
        s->max_conns = (unsigned)(max_conns / nthreads + (i < max_conns % nthreads));
        s->hs_timeout_ms = (uint64_t)(hs_timeout * 1000);
        s->idle_timeout_ms = (uint64_t)(idle_timeout * 1000);
        s->accepting = 1;
        s->cfg = cfg;
    }
    if (eng_cfg_set_cert(cfg, cert, key, chain, err, sizeof err) < 0) {
        cli_error("serve", "%s", err);
        goto out;
    }
    if (suites && eng_cfg_set_suites(cfg, suites, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--suites %s: %s", suites, err);
        goto out;
    }
    if (groups && eng_cfg_set_groups(cfg, groups, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--groups %s: %s", groups, err);
        goto out;
    }
    eng_cfg_set_require_ems(cfg, require_ems);
    t.tsc_hz = bench_tsc_hz(20);
    t.scfg.max_wait = (uint64_t)(max_wait_us * 1e-6 * t.tsc_hz);

    /* one worker keeps the plain listener (a second server on the port fails, as before);
     * several share the port: port 0 picks one for the first, the others join it */
    struct sockaddr_storage la;
    socklen_t lal = sizeof la;
    char laddr[80] = "?";
    for (int i = 0; i < nthreads; i++) {
        /* a burst of connects waits in the accept queue, not in SYN retransmits (the kernel
         * caps it at net.core.somaxconn) */
        int backlog = (int)t.srv[i].max_conns < 1024 ? 1024 : (int)t.srv[i].max_conns;
        int fd = net_listen(host, port, backlog > 65535 ? 65535 : backlog, nthreads > 1, err, sizeof err);
        if (fd < 0) {
            cli_error("serve", "%s", err);
            goto out;
        }
        t.srv[i].lfd = fd;
        if (i == 0 && getsockname(fd, (struct sockaddr *)&la, &lal) == 0) {
            net_addr_str((struct sockaddr *)&la, laddr, sizeof laddr);
            port = ntohs(la.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&la)->sin6_port
                                                  : ((struct sockaddr_in *)(void *)&la)->sin_port);
        }
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    fprintf(stderr, "listening on %s\n", laddr);
    fflush(stderr);

    workers_cfg wc = {.n = nthreads, .cpus = ncpus ? cpus : NULL,
                      .no_pin = !threads_s && !ncpus};
    if (workers_run(&wc, serve_worker, &t, err, sizeof err) < 0) {
        int reported = 0;
        for (int i = 0; i < nthreads; i++) reported |= t.srv[i].failed;
        if (!reported) cli_error("serve", "%s", err);
        rc = 1;
    } else {
        rc = 0;
    }
out:;
    server tot = {0};
    uint64_t calls[ENG_OP_KINDS], ops[ENG_OP_KINDS];
    char occ[512] = "";
    for (int i = 0; i < nthreads; i++) {
        server *s = &t.srv[i];
        tot.conns_total += s->conns_total;
        tot.hs_ok += s->hs_ok;
        tot.hs_fail += s->hs_fail;
        tot.requests += s->requests;
        tot.echoed += s->echoed;
    }
    if (rc == 0 || stop_signal) {
        occupancy_totals(&t, calls, ops);
        if (t.srv[0].sch) occupancy_str(&t, calls, ops, NULL, NULL, occ, sizeof occ);
        fprintf(stderr, "mbshake serve: %s; %lu connections, %lu handshakes ok, %lu failed, "
                        "%lu HTTP requests, %lu bytes echoed; peak %lu active connections%s%s\n",
                stop_signal ? "stopped by signal" : "stopped", tot.conns_total, tot.hs_ok,
                tot.hs_fail, tot.requests, tot.echoed, active_peak,
                occ[0] ? "; batch occupancy " : "", occ);
    }
    for (int i = 0; i < nthreads; i++) {
        server *s = &t.srv[i];
        if (s->sch) sched_free(s->sch);
        if (s->ep >= 0) close(s->ep);
        if (s->lfd >= 0) close(s->lfd);
    }
    free(t.srv);
    eng_cfg_free(cfg);
    return rc;
}
