/* cmd_serve.c — `mbshake serve`: a single-threaded, non-blocking epoll TLS 1.2 server. Each
 * accepted socket owns one eng_conn; parked crypto runs inline (eng_op_run). After the
 * handshake an HTTP/1.x GET gets a short 200 response and the connection closes (close_notify,
 * then FIN); any other application data is echoed. One failing peer costs one log line and
 * its own socket, never the server. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cli_opts.h"
#include "cmds.h"
#include "eng.h"
#include "netio.h"
#include "tlsio.h"

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
    char peer[64];
    size_t inlen, applen;
    uint8_t in[IN_CAP];
    uint8_t app[APP_CAP];
    struct sconn *prev, *next;
} sconn;

typedef struct server {
    const eng_cfg *cfg;
    int lfd, ep, quiet, accepting;
    unsigned max_conns, nconns, next_id;
    uint64_t hs_timeout_ms, idle_timeout_ms;
    unsigned long hs_ok, hs_fail, conns_total, requests, echoed;
    sconn *head;
} server;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void logc(const server *s, const sconn *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void logc(const server *s, const sconn *c, const char *fmt, ...)
{
    if (s->quiet) return;
    va_list ap;
    fprintf(stderr, "conn %u peer %s: ", c->id, c->peer);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Watches for input only while there is room for it (a peer that sends faster than it reads
 * must neither make us spin nor grow our buffers) and for output room only while bytes wait. */
static void ep_update(server *s, sconn *c)
{
    size_t pending = 0;
    eng_out_peek(c->ec, &pending);
    uint32_t ev = 0;
    if (c->inlen < IN_CAP || c->st == ST_LINGER) ev |= EPOLLIN | EPOLLRDHUP;
    if (pending) ev |= EPOLLOUT;
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

static void conn_free(server *s, sconn *c)
{
    if (c->st == ST_HANDSHAKE) count_failure(s, c);
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (c->ec) eng_conn_free(c->ec);
    if (c->prev) c->prev->next = c->next;
    else s->head = c->next;
    if (c->next) c->next->prev = c->prev;
    free(c);
    s->nconns--;
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
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0; /* EPOLLOUT */
        return -1;
    }
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

/* Runs the engine over buffered input. Returns -1 when the connection is finished (freed). */
static int conn_drive(server *s, sconn *c)
{
    for (int rounds = 0; rounds < 64; rounds++) {
        size_t before = c->inlen;
        int r = tlsio_pump(c->ec, c->in, &c->inlen);
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
                progressed = 1;
            }
            if (c->st == ST_OPEN && c->applen) on_app_data(s, c);
            if (c->st != ST_OPEN) c->applen = 0; /* nothing more is answered after close */
        }
        if (!progressed || c->inlen == 0) break;
    }
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
            if (r > 0) continue;
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return 0;
            conn_free(s, c);
            return -1;
        }
        if (c->inlen == IN_CAP) { /* the engine is not taking input (output or app data full) */
            if (conn_drive(s, c) < 0) return -1;
            if (c->inlen == IN_CAP) return 0; /* ep_update stops EPOLLIN until it moves */
            continue;
        }
        ssize_t r = recv(c->fd, c->in + c->inlen, IN_CAP - c->inlen, 0);
        if (r > 0) {
            c->inlen += (size_t)r;
            c->t_last = net_now_ms();
            if (conn_drive(s, c) < 0) return -1;
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
        struct sockaddr_storage sa;
        socklen_t sl = sizeof sa;
        int fd = accept4(s->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && !s->quiet)
                fprintf(stderr, "mbshake serve: accept: %s\n", strerror(errno));
            return;
        }
        net_set_nodelay(fd);
        sconn *c = calloc(1, sizeof *c);
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
        c->id = ++s->next_id;
        c->t_start = c->t_last = net_now_ms();
        net_addr_str((struct sockaddr *)&sa, c->peer, sizeof c->peer);
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

int cmd_serve(int argc, char **argv)
{
    const char *cert = NULL, *key = NULL, *chain = NULL, *listen_on = "127.0.0.1:4433";
    const char *suites = NULL, *groups = NULL, *isa = NULL;
    int require_ems = 0, quiet = 0, max_conns = 1024;
    double hs_timeout = 10, idle_timeout = 60;
    const cli_opt opts[] = {
        {"cert", OPT_STR, &cert, "FILE", "server certificate (PEM, leaf first; may hold the chain)", 1, 0},
        {"key", OPT_STR, &key, "FILE", "private key (PEM: EC P-256 or RSA 2048..4096)", 1, 0},
        {"chain", OPT_STR, &chain, "FILE", "extra intermediate certificates (PEM)", 1, 0},
        {"listen", OPT_STR, &listen_on, "HOST:PORT", "address to listen on (default 127.0.0.1:4433; port 0 = any)", 1, 0},
        {"suites", OPT_STR, &suites, "LIST", "cipher suites in preference order (default: all)", 1, 0},
        {"groups", OPT_STR, &groups, "LIST", "groups in preference order: x25519, secp256r1", 1, 0},
        {"require-ems", OPT_FLAG, &require_ems, NULL, "refuse clients without extended_master_secret", 1, 0},
        {"isa", OPT_STR, &isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {"max-conns", OPT_INT, &max_conns, "N", "concurrent connections (default 1024)", 1, 1000000},
        {"handshake-timeout", OPT_NUM, &hs_timeout, "SEC", "drop handshakes slower than SEC (default 10)", 0.001, 86400},
        {"idle-timeout", OPT_NUM, &idle_timeout, "SEC", "close connections idle for SEC (default 60)", 0.001, 86400},
        {"quiet", OPT_FLAG, &quiet, NULL, "no per-connection log lines", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"serve", "--cert FILE --key FILE [options]",
                         "Serves TLS 1.2 on one thread with a non-blocking epoll loop. After "
                         "the handshake an\nHTTP GET gets a short '200 OK' (negotiated "
                         "parameters in the body) and the\nconnection closes; other "
                         "application data is echoed. Prints 'listening on ADDR'\nto stderr "
                         "when ready; SIGINT/SIGTERM print a final stats line and exit 0.",
                         opts};
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 0, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;
    if (!cert || !key) return cli_usage_error(&cmd, "--cert FILE and --key FILE are required");
    char host[256], err[512];
    unsigned port;
    if (net_split_hostport(listen_on, host, sizeof host, &port, err, sizeof err) < 0)
        return cli_usage_error(&cmd, "--listen: %s", err);
    if (cli_check_readable("serve", "cert", cert) < 0 || cli_check_readable("serve", "key", key) < 0 ||
        (chain && cli_check_readable("serve", "chain", chain) < 0))
        return 1;
    if (cli_apply_isa("serve", isa) < 0) return 1;

    int rc = 1;
    server s = {.lfd = -1, .ep = -1, .quiet = quiet, .max_conns = (unsigned)max_conns,
                .hs_timeout_ms = (uint64_t)(hs_timeout * 1000),
                .idle_timeout_ms = (uint64_t)(idle_timeout * 1000), .accepting = 1};
    eng_cfg *cfg = eng_cfg_new(ENG_SERVER);
    if (!cfg) return cli_error("serve", "out of memory");
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
    s.cfg = cfg;

    s.lfd = net_listen(host, port, 1024, err, sizeof err);
    if (s.lfd < 0) {
        cli_error("serve", "%s", err);
        goto out;
    }
    s.ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    if (s.ep < 0 || epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &lev) < 0) {
        cli_error("serve", "epoll: %s", strerror(errno));
        goto out;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: epoll_wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_storage la;
    socklen_t lal = sizeof la;
    char laddr[80] = "?";
    if (getsockname(s.lfd, (struct sockaddr *)&la, &lal) == 0)
        net_addr_str((struct sockaddr *)&la, laddr, sizeof laddr);
    fprintf(stderr, "listening on %s\n", laddr);
    fflush(stderr);

    struct epoll_event evs[256];
    while (!stop_signal) {
        int n = epoll_wait(s.ep, evs, 256, 250);
        if (n < 0 && errno != EINTR) {
            cli_error("serve", "epoll_wait: %s", strerror(errno));
            goto out;
        }
        for (int i = 0; i < n; i++) {
            sconn *c = evs[i].data.ptr;
            if (!c) {
                on_accept(&s);
                continue;
            }
            /* a connection freed earlier in this batch cannot appear again: each fd has one
             * event per epoll_wait, and a connection is freed only while handling its own */
            if (on_event(&s, c, evs[i].events) == 0) ep_update(&s, c);
        }
        check_timeouts(&s);
    }
    rc = 0;
out:
    while (s.head) conn_free(&s, s.head);
    if (rc == 0 || stop_signal)
        fprintf(stderr, "mbshake serve: %s; %lu connections, %lu handshakes ok, %lu failed, "
                        "%lu HTTP requests, %lu bytes echoed\n",
                stop_signal ? "stopped by signal" : "stopped", s.conns_total, s.hs_ok, s.hs_fail,
                s.requests, s.echoed);
    if (s.ep >= 0) close(s.ep);
    if (s.lfd >= 0) close(s.lfd);
    eng_cfg_free(cfg);
    return rc;
}
