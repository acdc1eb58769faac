/* cmd_connect.c — `mbshake connect HOST:PORT`: one TLS 1.2 handshake with chain and name
 * verification, a report of what was negotiated, then an HTTP/1.1 GET whose status line is
 * printed. Exits 0 only after a completed, verified handshake and a clean response. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli_opts.h"
#include "cmds.h"
#include "eng.h"
#include "netio.h"
#include "tlsio.h"

#define IN_CAP 32768
#define RESP_CAP 65536

typedef struct client {
    int fd;
    eng_conn *c;
    uint64_t deadline_ms;
    uint8_t in[IN_CAP];
    size_t inlen;
    int eof;
} client;

static int remaining_ms(const client *cl)
{
    uint64_t now = net_now_ms();
    return now >= cl->deadline_ms ? 0 : (int)(cl->deadline_ms - now);
}

/* Sends everything the engine has queued. 0, or -1 with errno (ETIMEDOUT on the deadline). */
static int flush_out(client *cl)
{
    size_t len;
    const uint8_t *p;
    while ((p = eng_out_peek(cl->c, &len)) != NULL && len > 0) {
        ssize_t w = send(cl->fd, p, len, MSG_NOSIGNAL);
        if (w > 0) {
            eng_out_consume(cl->c, (size_t)w);
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
        struct pollfd pf = {.fd = cl->fd, .events = POLLOUT};
        int ms = remaining_ms(cl);
        if (ms == 0 || poll(&pf, 1, ms) == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
    }
    return 0;
}

/* Reads what is available (waiting up to the deadline). 1 = got bytes, 0 = EOF, -1 = error
 * or timeout (errno). */
static int read_more(client *cl)
{
    if (cl->inlen == IN_CAP) return 1; /* the engine has not taken the last batch yet */
    for (;;) {
        ssize_t r = recv(cl->fd, cl->in + cl->inlen, IN_CAP - cl->inlen, 0);
        if (r > 0) {
            cl->inlen += (size_t)r;
            return 1;
        }
        if (r == 0) {
            cl->eof = 1;
            return 0;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return -1;
        struct pollfd pf = {.fd = cl->fd, .events = POLLIN};
        int ms = remaining_ms(cl);
        if (ms == 0 || poll(&pf, 1, ms) == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
    }
}

static void print_info(const eng_conn *c, const char *target, const char *name, int insecure)
{
    eng_info in;
    memset(&in, 0, sizeof in);
    if (eng_conn_info(c, &in) != 0) return;
    const char *iana = eng_suite_name(in.suite, 1);
    printf("connected: %s%s%s%s\n", target, in.servername[0] ? " (SNI " : "",
           in.servername[0] && net_is_ip_literal(in.servername) ? "not sent" : in.servername,
           in.servername[0] ? ")" : "");
    printf("protocol:  %s\n", tlsio_version_name(in.version));
    printf("suite:     %s (%s, 0x%04x)\n", in.suite_name ? in.suite_name : "?",
           iana ? iana : "?", in.suite);
    printf("group:     %s\n", in.group ? (in.group_name ? in.group_name : "?") : "none (RSA key exchange)");
    printf("ems:       %s\n", in.ems ? "yes" : "no");
    printf("reneg:     %s\n", in.secure_reneg ? "secure (RFC 5746)" : "no");
    printf("sigalg:    %s\n", in.sigalg ? tlsio_sigalg_name(in.sigalg) : "none (RSA key exchange)");
    printf("peer:      %s\n", in.peer_subject[0] ? in.peer_subject : "?");
    if (insecure)
        printf("verify:    SKIPPED (--insecure)\n");
    else
        printf("verify:    ok (chain to --ca, %s \"%s\")\n",
               net_is_ip_literal(name) ? "IP address" : "name", name);
    fflush(stdout);
}

/* Content-Length of a complete header block in resp[0..n), -1 when absent; *hdr_end gets the
 * header length, 0 while the blank line has not arrived. */
static long http_content_length(const char *resp, size_t n, size_t *hdr_end)
{
    *hdr_end = 0;
    const char *e = memmem(resp, n, "\r\n\r\n", 4);
    if (!e) return -1;
    *hdr_end = (size_t)(e - resp) + 4;
    for (const char *l = resp; l < e;) {
        const char *nl = memmem(l, (size_t)(e - l), "\r\n", 2);
        if (!nl) nl = e;
        if ((size_t)(nl - l) > 15 && !strncasecmp(l, "content-length:", 15))
            return strtol(l + 15, NULL, 10);
        l = nl + 2;
    }
    return -1;
}

/* see cmds.h */
int cmd_connect(int argc, char **argv)
{
    const char *ca = NULL, *sni = NULL, *suites = NULL, *groups = NULL, *path = "/", *isa = NULL;
    int insecure = 0, no_ems = 0, no_request = 0;
    double timeout = 10;
    const cli_opt opts[] = {
        {"ca", OPT_STR, &ca, "FILE", "CA roots (PEM) the server chain must verify against", 1, 0},
        {"servername", OPT_STR, &sni, "NAME", "SNI and the name to verify (default: HOST; an IP is verified, not sent)", 1, 0},
        {"suites", OPT_STR, &suites, "LIST", "cipher suites to offer, OpenSSL or IANA names (default: all)", 1, 0},
        {"groups", OPT_STR, &groups, "LIST", "groups to offer: x25519, secp256r1 (default: both)", 1, 0},
        {"insecure", OPT_FLAG, &insecure, NULL, "do not verify the server certificate (testing only)", 1, 0},
        {"no-ems", OPT_FLAG, &no_ems, NULL, "do not offer extended_master_secret (RFC 7627)", 1, 0},
        {"request", OPT_STR, &path, "PATH", "path of the HTTP GET after the handshake (default /)", 1, 0},
        {"no-request", OPT_FLAG, &no_request, NULL, "close right after the handshake, no HTTP GET", 1, 0},
        {"timeout", OPT_NUM, &timeout, "SEC", "give up after SEC seconds (default 10)", 0.001, 3600},
        {"isa", OPT_STR, &isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"connect", "HOST:PORT (--ca FILE | --insecure) [options]",
                         "Runs one TLS 1.2 handshake against HOST:PORT, prints the negotiated "
                         "version, suite,\ngroup, extended master secret, signature algorithm "
                         "and peer certificate, then\nsends 'GET PATH HTTP/1.1' and prints the "
                         "response's status line.\nExit status: 0 verified handshake and "
                         "response, 1 failure, 2 usage error.",
                         opts};
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 1, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;
    if (npos != 1) return cli_usage_error(&cmd, "HOST:PORT is required");
    char host[256], err[512];
    unsigned port;
    if (net_split_hostport(pos[0], host, sizeof host, &port, err, sizeof err) < 0)
        return cli_usage_error(&cmd, "%s", err);
    if (port == 0) return cli_usage_error(&cmd, "port 0 is not a destination");
    if (!ca && !insecure) return cli_usage_error(&cmd, "--ca FILE or --insecure is required");
    if (ca && insecure) return cli_usage_error(&cmd, "--ca and --insecure exclude each other");
    if (ca && cli_check_readable("connect", "ca", ca) < 0) return 1;
    if (cli_apply_isa("connect", isa) < 0) return 1;
    /* The name the certificate must carry: --servername, else HOST. An IP literal is checked
     * against the certificate's IP addresses and is not sent as SNI (RFC 6066 §3). */
    if (!sni) sni = host;

    int rc = 1;
    client *cl = calloc(1, sizeof *cl);
    char *resp = malloc(RESP_CAP + 1);
    eng_cfg *cfg = eng_cfg_new(ENG_CLIENT);
    if (!cl || !resp || !cfg) {
        cli_error("connect", "out of memory");
        goto out;
    }
    cl->fd = -1;
    if (ca && eng_cfg_set_ca(cfg, ca, err, sizeof err) < 0) {
        cli_error("connect", "--ca %s: %s", ca, err);
        goto out;
    }
    eng_cfg_set_insecure(cfg, insecure);
    eng_cfg_set_offer_ems(cfg, !no_ems);
    if (suites && eng_cfg_set_suites(cfg, suites, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--suites %s: %s", suites, err);
        goto out;
    }
    if (groups && eng_cfg_set_groups(cfg, groups, err, sizeof err) < 0) {
        rc = cli_usage_error(&cmd, "--groups %s: %s", groups, err);
        goto out;
    }
    cl->deadline_ms = net_now_ms() + (uint64_t)(timeout * 1000);
    cl->fd = net_connect(host, port, remaining_ms(cl), err, sizeof err);
    if (cl->fd < 0) {
        cli_error("connect", "%s", err);
        goto out;
    }
    cl->c = eng_conn_new(cfg, sni);
    if (!cl->c) {
        cli_error("connect", "cannot create a connection (out of memory?)");
        goto out;
    }

    /* RFC 5246 §7.3: the client speaks first; every flight is sent before waiting. */
    int r = tlsio_pump(cl->c, cl->in, &cl->inlen);
    for (;;) {
        if (flush_out(cl) < 0 && r >= 0) {
            cli_error("connect", "handshake: send failed: %s", strerror(errno));
            goto out;
        }
        if (r < 0) {
            cli_error("connect", "handshake failed: %s", eng_conn_errmsg(cl->c));
            goto out;
        }
        if (r == ENG_DONE) break;
        int rr = read_more(cl);
        if (rr <= 0) {
            cli_error("connect", "handshake: %s", rr == 0 ? "server closed the connection"
                                                          : strerror(errno));
            goto out;
        }
        r = tlsio_pump(cl->c, cl->in, &cl->inlen);
    }
    print_info(cl->c, pos[0], sni, insecure);
    if (no_request) {
        eng_close(cl->c);
        flush_out(cl);
        rc = 0;
        goto out;
    }

    char req[1024];
    int rl = snprintf(req, sizeof req,
                      "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: mbshake\r\nConnection: close\r\n\r\n",
                      path, sni);
    if (rl <= 0 || (size_t)rl >= sizeof req) {
        cli_error("connect", "--request path too long");
        goto out;
    }
    if (eng_write(cl->c, (const uint8_t *)req, (size_t)rl) != rl || flush_out(cl) < 0) {
        cli_error("connect", "cannot send the request: %s", eng_conn_errmsg(cl->c));
        goto out;
    }
    size_t rn = 0, hdr_end = 0;
    long clen = -1;
    int closed = 0;
    const char *why = NULL;
    for (;;) {
        size_t before_in = cl->inlen, before_rn = rn;
        r = tlsio_pump(cl->c, cl->in, &cl->inlen);
        long got;
        while ((got = eng_read(cl->c, (uint8_t *)resp + rn, RESP_CAP - rn)) > 0) rn += (size_t)got;
        if (r == ENG_E_CLOSED) { /* RFC 5246 §7.2.1: answer close_notify with close_notify */
            closed = 1;
            break;
        }
        if (r < 0) {
            why = eng_conn_errmsg(cl->c);
            break;
        }
        if (rn == RESP_CAP) break;
        clen = http_content_length(resp, rn, &hdr_end);
        if (hdr_end && clen >= 0 && rn >= hdr_end + (size_t)clen) break;
        /* The engine may hold back records while decrypted data waits to be read: feed the
         * rest of what we have (e.g. a close_notify behind the response) before waiting. */
        if (cl->inlen && (cl->inlen != before_in || rn != before_rn)) continue;
        if (read_more(cl) <= 0) {
            why = cl->eof ? NULL : strerror(errno);
            break;
        }
    }
    resp[rn] = 0;
    char *eol = strpbrk(resp, "\r\n");
    if (eol) *eol = 0;
    if (rn > 0)
        printf("http:      %s\n", resp);
    else
        printf("http:      no response%s%s\n", why ? ": " : "", why ? why : "");
    if (why && rn > 0) printf("note:      response ended with an error: %s\n", why);
    if (!closed && cl->eof && !why) printf("note:      server closed TCP without close_notify\n");
    eng_close(cl->c);
    (void)flush_out(cl);
    fflush(stdout);
    rc = (rn > 0 && !why) ? 0 : 1;
    if (rc) cli_error("connect", "no clean HTTP response%s%s", why ? ": " : "", why ? why : "");
out:
    if (cl) {
        if (cl->c) eng_conn_free(cl->c);
        if (cl->fd >= 0) close(cl->fd);
    }
    free(cl);
    free(resp);
    if (cfg) eng_cfg_free(cfg);
    return rc;
}
