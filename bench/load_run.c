/* load_run.c — see load.h. One worker per thread, each owning its connections, its epoll set
 * and its results slots (one per window); the caller merges the slots after the team returns.
 * Few system calls per handshake: each socket joins the epoll set once, edge-triggered, for
 * input and output (no epoll_ctl per flight, none before close: close removes it), a read
 * shorter than the room offered ends the reading (no recv just to see EAGAIN), connect's
 * outcome comes from the event (SO_ERROR only to name a failure), and no TCP_NODELAY: every
 * flight is one send that follows a server flight whose segments acknowledged everything we
 * sent, so Nagle never holds a flight back. */
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

/* L_HELD: open after its handshake (hold); L_SPENT: a held connection the server closed (the
 * slot starts nothing more) */
enum lstate { L_IDLE, L_CONNECTING, L_HANDSHAKE, L_RESPONSE, L_HELD, L_SPENT };

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
    int want_rd; /* input stayed in the socket (our buffer was full): read it when room frees */
    int dead;   /* ended while parked: the slot is freed when the op is back */
    size_t inlen;
    uint8_t in[IN_CAP];
} lconn;

/* One window's results and the capacity of its latency arrays. */
typedef struct lslice {
    load_result r;
    size_t cap[LOAD_LAT_KINDS];
} lslice;

typedef struct lworker {
    const load_cfg *lc;
    int id, nconn, ep;
    lconn *conns;
    sched *sch; /* NULL: client crypto inline */
    int *idle; /* stack of idle slot indices */
    int nidle;
    lslice *sl; /* lc->repeat windows */
    int cur;    /* the window now; lc->repeat after the end: nothing counts any more */
    uint64_t hs_total, err_total; /* all windows (the progress line reads them) */
    uint64_t held, held_peak, held_closed;
    eng_info info;
    sched_kind_stats bat[ENG_OP_KINDS]; /* the scheduler's counters, kept when it is freed */
    int oom;
    int no_pwait2; /* the kernel lacks epoll_pwait2: sub-ms waits poll */
} lworker;

/* The current window's results, or NULL once the run is over. */
static load_result *cur_res(lworker *w)
{
    return w->cur < w->lc->repeat ? &w->sl[w->cur].r : NULL;
}

typedef struct team {
    const load_cfg *lc;
    lworker *w;
} team;

static void lat_add(lworker *w, int k, uint64_t ns)
{
    if (w->cur >= w->lc->repeat) return;
    lslice *sl = &w->sl[w->cur];
    load_result *r = &sl->r;
    if (r->nlat[k] == sl->cap[k]) {
        if (sl->cap[k] >= MAX_SAMPLES) return; /* keep the first 16M samples */
        size_t nc = sl->cap[k] ? sl->cap[k] * 2 : 4096;
        uint64_t *p = realloc(r->lat[k], nc * sizeof *p);
        if (!p) {
            w->oom = 1;
            return;
        }
        r->lat[k] = p;
        sl->cap[k] = nc;
    }
    r->lat[k][r->nlat[k]++] = ns;
}

/* Ends a connection attempt and frees its slot. RST instead of FIN: the generator never
 * reuses a connection, and thousands of TIME_WAIT sockets would exhaust the ephemeral ports. */
static void conn_end(lworker *w, lconn *c)
{
    if (c->dead) return;
    if (c->st == L_HELD) w->held--;
    if (c->fd >= 0) {
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        (void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
        close(c->fd); /* leaves the epoll set with it: the fd is never duplicated */
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
    c->want_rd = 0;
    w->idle[w->nidle++] = (int)(c - w->conns);
}

static void fail(lworker *w, lconn *c, int kind, int alert, const char *why)
{
    load_result *r = cur_res(w);
    if (r) {
        __atomic_fetch_add(&w->err_total, 1, __ATOMIC_RELAXED);
        r->errors[kind]++;
        if (kind == LOAD_E_ALERT_RX && alert >= 0) r->alert_rx[alert]++;
        if ((kind == LOAD_E_PROTOCOL || kind == LOAD_E_VERIFY) && alert >= 0) r->alert_tx[alert]++;
        if (!r->first_error[0])
            snprintf(r->first_error, sizeof r->first_error, "%s: %s", load_err_names[kind], why);
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

/* A completed handshake (and response). With hold the connection stays open, without its
 * engine state, and its slot starts nothing more. */
static void success(lworker *w, lconn *c)
{
    load_result *r = cur_res(w);
    if (r) {
        r->handshakes++;
        __atomic_fetch_add(&w->hs_total, 1, __ATOMIC_RELAXED);
    }
    if (!w->lc->hold || !r) {
        conn_end(w, c);
        return;
    }
    eng_conn_free(c->ec);
    c->ec = NULL;
    c->inlen = 0;
    c->st = L_HELD;
    if (++w->held > w->held_peak) w->held_peak = w->held;
}

/* Sends what the engine queued. What a full socket buffer leaves waits for the next EPOLLOUT
 * edge (the socket is in the epoll set for output from the start). -1 = dead. */
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
        if (!w->info.version) eng_conn_info(c->ec, &w->info);
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
    c->want_rd = 0;
    load_result *res = cur_res(w);
    if (res) res->started++;
    c->fd = socket(lc->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        char why[160];
        snprintf(why, sizeof why, "socket: %s%s", strerror(errno),
                 errno == EMFILE || errno == ENFILE ? " (raise RLIMIT_NOFILE: ulimit -n)" : "");
        fail(w, c, LOAD_E_CONNECT, -1, why);
        return;
    }
    c->st = L_CONNECTING;
    int r = connect(c->fd, (const struct sockaddr *)&lc->addr, lc->addrlen);
    /* once, for good: connected = the first EPOLLOUT; input and output room as edges */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
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

/* The server closed a held connection: its slot starts nothing more. */
static void held_lost(lworker *w, lconn *c)
{
    w->held_closed++;
    conn_end(w, c); /* pushed c's slot on the idle stack: take it back */
    w->nidle--;
    c->st = L_SPENT;
}

/* Every connection is held (or was, until the server closed it). */
static int held_all(const lworker *w)
{
    return w->held + w->held_closed == (uint64_t)w->nconn;
}

/* Reads what the socket holds into c->in and runs the engine over it. The socket is
 * edge-triggered: reading stops at EAGAIN, or at a read shorter than the room offered (the
 * socket was drained; later bytes, or the FIN, bring a new edge), unless to_eagain (the FIN
 * or an error is already there: its edge is spent). When c->in is full while the connection is
 * parked, want_rd asks drain_done to read on once the op is back. */
static void conn_read(lworker *w, lconn *c, int to_eagain)
{
    c->want_rd = 0;
    for (;;) {
        if (c->inlen == IN_CAP) { /* the engine must take some before we read more */
            drive(w, c);
            if (c->st == L_IDLE || c->st == L_HELD) return;
            if (c->inlen == IN_CAP) {
                c->want_rd = 1;
                return;
            }
        }
        size_t room = IN_CAP - c->inlen;
        ssize_t n = recv(c->fd, c->in + c->inlen, room, 0);
        if (n > 0) {
            c->inlen += (size_t)n;
            c->t_rx = net_now_ns();
            if ((size_t)n < room && !to_eagain) break;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        /* EOF or reset: whatever arrived before may still hold an alert */
        int e = n < 0 ? errno : 0;
        if (c->inlen) drive(w, c);
        if (c->st == L_HELD) held_lost(w, c); /* the response and the FIN together */
        else if (c->st != L_IDLE) {
            fail(w, c, LOAD_E_CLOSED, -1, e ? strerror(e) : "the server closed the connection");
        }
        return;
    }
    if (c->inlen) drive(w, c);
}

static void on_event(lworker *w, lconn *c, uint32_t ev)
{
    if (c->st == L_HELD) { /* nothing to do but notice that the server closed it */
        if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) held_lost(w, c);
        return;
    }
    if (c->st == L_CONNECTING) {
        if (ev & (EPOLLERR | EPOLLHUP)) {
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || !soerr)
                soerr = ECONNREFUSED;
            char why[128];
            snprintf(why, sizeof why, "connect: %s", strerror(soerr));
            fail(w, c, LOAD_E_CONNECT, -1, why);
            return;
        }
        if (!(ev & EPOLLOUT)) return;
        on_connected(w, c);
        /* a server that spoke first: this edge was its only notice */
        if (!(ev & EPOLLIN) || c->st != L_HANDSHAKE) return;
    } else if (ev & EPOLLOUT) {
        if (flush_out(w, c) < 0) {
            fail(w, c, LOAD_E_CLOSED, -1, "send failed");
            return;
        }
    }
    if (!(ev & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP))) return;
    conn_read(w, c, (ev & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)) != 0);
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
        if (c->want_rd && (c->st == L_HANDSHAKE || c->st == L_RESPONSE) && !c->parked)
            conn_read(w, c, 1);
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
        if (c->st != L_IDLE && c->st < L_HELD && !c->dead && now - c->t_start > lim) fail(w, c, LOAD_E_TIMEOUT, -1, "no answer in time");
    }
}

static void progress(team *t, uint64_t t0, uint64_t now, uint64_t end)
{
    uint64_t hs = 0, er = 0;
    for (int i = 0; i < t->lc->threads; i++) {
        hs += __atomic_load_n(&t->w[i].hs_total, __ATOMIC_RELAXED);
        er += __atomic_load_n(&t->w[i].err_total, __ATOMIC_RELAXED);
    }
    double s = (double)(now - t0) / 1e9;
    printf("\r  %5.1f / %.1f s  %10llu handshakes  %9.0f hs/s  %llu errors \033[K", s,
           (double)(end - t0) / 1e9, (unsigned long long)hs, s > 0 ? (double)hs / s : 0.0,
           (unsigned long long)er);
    fflush(stdout);
}

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* epoll_wait for wait_ns. epoll_wait counts whole milliseconds, so a sub-millisecond wait (the
 * open-loop schedule's next start) uses epoll_pwait2 (Linux 5.11): without it such waits
 * would be a busy poll that burns the load core and counts as client CPU per handshake. */
static int ep_wait(lworker *w, struct epoll_event *evs, int max, uint64_t wait_ns)
{
    if (wait_ns > 0 && wait_ns < 1000000u && !w->no_pwait2) {
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)wait_ns};
        int n = epoll_pwait2(w->ep, evs, max, &ts, NULL);
        if (n >= 0 || errno != ENOSYS) return n;
        w->no_pwait2 = 1;
    }
    return epoll_wait(w->ep, evs, max, (int)(wait_ns / 1000000u));
}

/* Starts connections while slots are idle: closed loop (period 0) at once, open loop those whose
 * scheduled start (*next, advancing by period) has come; a start more than 1 ms behind its
 * schedule counts as late (its latencies still count from the scheduled time). */
static void start_due(lworker *w, uint64_t now, double period, double *next)
{
    while (w->nidle > 0) {
        if (period == 0) {
            start_conn(w, now);
        } else if ((uint64_t)*next <= now) {
            if (now - (uint64_t)*next > 1000000u) w->sl[w->cur].r.late++;
            start_conn(w, (uint64_t)*next);
            *next += period;
        } else {
            break;
        }
    }
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
    w->sl = calloc((size_t)lc->repeat, sizeof *w->sl);
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    char serr[200];
    sched_cfg scfg = {.max_wait = lc->max_wait_tsc};
    if (lc->batch) w->sch = sched_new(&scfg, serr, sizeof serr);
    if (!w->conns || !w->idle || !w->sl || w->ep < 0 || (lc->batch && !w->sch)) {
        w->oom = 1;
        free(w->conns);
        free(w->idle);
        free(w->sl);
        w->sl = NULL;
        if (w->ep >= 0) close(w->ep);
        if (w->sch) sched_free(w->sch);
        return 1;
    }
    for (int i = w->nconn - 1; i >= 0; i--) {
        w->conns[i].fd = -1;
        w->idle[w->nidle++] = i;
    }
    double cpu_prev = thread_cpu_s();
    uint64_t t0 = net_now_ns(), now = t0, last_scan = t0, last_prog = t0;
    uint64_t win_ns = (uint64_t)(lc->duration_s * 1e9);
    uint64_t win_end = t0 + win_ns, end_ns = t0 + win_ns * (uint64_t)lc->repeat;
    /* open loop: this worker's share of the schedule, interleaved with the others' */
    double period = lc->rate > 0 ? 1e9 * lc->threads / lc->rate : 0;
    double next = (double)t0 + (lc->rate > 0 ? 1e9 * wi->id / lc->rate : 0);
    struct epoll_event evs[256];
    while (w->cur < lc->repeat) {
        start_due(w, now, period, &next);
        uint64_t wait_ns = SCAN_NS;
        if (period > 0 && w->nidle > 0 && (uint64_t)next > now && (uint64_t)next - now < wait_ns)
            wait_ns = (uint64_t)next - now;
        if (win_end - now < wait_ns) wait_ns = win_end - now;
        /* Parked ops wait for a fuller lane set. Closed loop: look, do not block, and run the
         * partial sets when nothing arrived. Open loop: the next scheduled start adds ops too;
         * when it comes within the batch deadline, block until then and let only the
         * deadline run partial sets (forcing them at every quiet moment would run one-lane
         * sets at every start: several times the client CPU per handshake). */
        int start_soon = period > 0 && w->nidle > 0 &&
                         ((uint64_t)next <= now || (uint64_t)next - now <= lc->max_wait_ns);
        if (w->sch && sched_queued(w->sch) && !start_soon) wait_ns = 0;
        int n = ep_wait(w, evs, 256, wait_ns);
        now = net_now_ns();
        while (w->cur < lc->repeat && now >= win_end) { /* the window is over: the next one */
            double cpu = thread_cpu_s();
            w->sl[w->cur].r.cpu_s = cpu - cpu_prev;
            w->sl[w->cur].r.seconds = (double)win_ns / 1e9;
            cpu_prev = cpu;
            w->cur++;
            win_end += win_ns;
        }
        for (int i = 0; i < n; i++) {
            lconn *c = evs[i].data.ptr;
            if (c->st != L_IDLE) on_event(w, c, evs[i].events);
        }
        drain_done(w);
        /* open loop: starts that fell due while the events ran go out before the lane sets do
         * (a set runs tens of microseconds) */
        if (period > 0 && w->cur < lc->repeat) start_due(w, net_now_ns(), period, &next);
        flush_batches(w, n <= 0 && !start_soon);
        now = net_now_ns();
        if (now - last_scan >= SCAN_NS) {
            check_timeouts(w, now);
            last_scan = now;
        }
        if (lc->progress && wi->id == 0 && now - last_prog >= 1000000000u) {
            progress(t, t0, now, end_ns);
            last_prog = now;
        }
        if (lc->hold && w->nidle == 0 && held_all(w)) { /* nothing more can happen */
            double cpu = thread_cpu_s();
            w->sl[w->cur].r.cpu_s = cpu - cpu_prev;
            w->sl[w->cur].r.seconds = (double)(now - (win_end - win_ns)) / 1e9;
            w->cur = lc->repeat;
        }
    }
    flush_batches(w, 1); /* every parked op back before the connections go */
    for (int i = 0; i < w->nconn; i++)
        if (w->conns[i].st != L_IDLE && w->conns[i].st != L_SPENT)
            conn_end(w, &w->conns[i]); /* in flight (or held) at the end */
    drain_done(w);
    close(w->ep);
    if (w->sch)
        for (int k = 1; k < ENG_OP_KINDS; k++) w->bat[k] = *sched_stats(w->sch, (eng_op_kind)k);
    if (w->sch) sched_free(w->sch);
    free(w->conns);
    free(w->idle);
    return w->oom ? 1 : 0;
}

/* see load.h */
int load_result_add(load_result *dst, const load_result *src, double seconds_scale)
{
    dst->handshakes += src->handshakes;
    dst->started += src->started;
    dst->late += src->late;
    for (int k = 0; k < LOAD_E_KINDS; k++) dst->errors[k] += src->errors[k];
    for (int a = 0; a < 256; a++) {
        dst->alert_rx[a] += src->alert_rx[a];
        dst->alert_tx[a] += src->alert_tx[a];
    }
    dst->seconds += src->seconds * seconds_scale;
    dst->cpu_s += src->cpu_s;
    if (!dst->info.version) dst->info = src->info;
    if (!dst->first_error[0]) memcpy(dst->first_error, src->first_error, sizeof dst->first_error);
    int rc = 0;
    for (int k = 0; k < LOAD_LAT_KINDS; k++) {
        if (!src->nlat[k]) continue;
        uint64_t *p = realloc(dst->lat[k], (dst->nlat[k] + src->nlat[k]) * sizeof *p);
        if (!p) {
            rc = -1;
            continue;
        }
        memcpy(p + dst->nlat[k], src->lat[k], src->nlat[k] * sizeof *p);
        dst->lat[k] = p;
        dst->nlat[k] += src->nlat[k];
    }
    return rc;
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
    int nr = lc->repeat;
    memset(res, 0, (size_t)nr * sizeof *res);
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
        lworker *w = &t.w[i];
        oom |= w->oom;
        if (!w->sl) continue;
        res[0].held_peak += w->held_peak; /* each thread's peak: a bound on the sum's */
        res[0].held_closed += w->held_closed;
        for (int k = 1; k < ENG_OP_KINDS; k++) sched_stats_add(&res[0].batches[k], &w->bat[k]);
        for (int j = 0; j < nr; j++) {
            load_result *r = &w->sl[j].r;
            r->info = w->info; /* the worker's first completed handshake */
            if (load_result_add(&res[j], r, 1.0 / lc->threads) < 0) oom = 1;
        }
    }
    for (int i = 0; i < lc->threads; i++) {
        if (!t.w[i].sl) continue;
        for (int j = 0; j < nr; j++) load_result_free(&t.w[i].sl[j].r);
        free(t.w[i].sl);
    }
    free(t.w);
    if (rc == 0 && oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (rc < 0)
        for (int j = 0; j < nr; j++) load_result_free(&res[j]);
    return rc;
}
