/* netio.c — see netio.h */
#include "netio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* see netio.h */
int net_split_hostport(const char *s, char *host, size_t hostcap, unsigned *port, char *err,
                       size_t errlen)
{
    const char *h = s, *colon;
    size_t hl;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (!rb || rb[1] != ':') goto bad;
        h = s + 1;
        hl = (size_t)(rb - h);
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || strchr(s, ':') != colon) goto bad; /* bare IPv6 needs brackets */
        hl = (size_t)(colon - s);
    }
    if (hl == 0 || hl >= hostcap) goto bad;
    char *end;
    errno = 0;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (errno || end == colon + 1 || *end || p > 65535) goto bad;
    memcpy(host, h, hl);
    host[hl] = 0;
    *port = (unsigned)p;
    return 0;
bad:
    snprintf(err, errlen, "'%s' is not HOST:PORT (IPv6: [ADDR]:PORT, port 0..65535)", s);
    return -1;
}

/* see netio.h */
int net_is_ip_literal(const char *host)
{
    unsigned char b[16];
    return inet_pton(AF_INET, host, b) == 1 || inet_pton(AF_INET6, host, b) == 1;
}

/* see netio.h */
int net_set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* see netio.h */
void net_set_nodelay(int fd)
{
    int one = 1;
    /* handshake flights are small and latency-bound: never wait for Nagle */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static struct addrinfo *resolve(const char *host, unsigned port, int passive, char *err,
                                size_t errlen)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = passive ? AI_PASSIVE : 0};
    struct addrinfo *ai = NULL;
    char ps[8];
    snprintf(ps, sizeof ps, "%u", port);
    int r = getaddrinfo(host, ps, &hints, &ai);
    if (r != 0) {
        snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(r));
        return NULL;
    }
    return ai;
}

/* see netio.h */
int net_listen(const char *host, unsigned port, int backlog, int reuseport, char *err,
               size_t errlen)
{
    struct addrinfo *ai = resolve(host, port, 1, err, errlen), *a;
    if (!ai) return -1;
    int fd = -1, saved = 0;
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        net_set_nodelay(fd); /* inherited by accepted sockets */
        if ((!reuseport || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0) &&
            bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, backlog) == 0 &&
            net_set_nonblock(fd) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) snprintf(err, errlen, "cannot listen on %s:%u: %s", host, port, strerror(saved));
    return fd;
}

/* see netio.h */
int net_raise_nofile(unsigned long need, unsigned long *have, char *err, size_t errlen)
{
    struct rlimit rl;
    if (have) *have = 0;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        snprintf(err, errlen, "getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
        return -1;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (have) *have = rl.rlim_cur == RLIM_INFINITY ? ~0ul : (unsigned long)rl.rlim_cur;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) return 0;
    snprintf(err, errlen,
             "needs %lu file descriptors but the limit (RLIMIT_NOFILE) is %lu (hard %lu); raise "
             "the hard limit (ulimit -Hn %lu as root, limits.conf nofile, systemd LimitNOFILE=) "
             "or ask for fewer connections",
             need, (unsigned long)rl.rlim_cur,
             rl.rlim_max == RLIM_INFINITY ? ~0ul : (unsigned long)rl.rlim_max, need);
    return -1;
}

/* see netio.h */
int net_connect(const char *host, unsigned port, int timeout_ms, char *err, size_t errlen)
{
    struct addrinfo *ai = resolve(host, port, 0, err, errlen), *a;
    if (!ai) return -1;
    int fd = -1, saved = ETIMEDOUT;
    for (a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        net_set_nonblock(fd);
        net_set_nodelay(fd);
        if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
        if (errno == EINPROGRESS) {
            struct pollfd p = {.fd = fd, .events = POLLOUT};
            int r = poll(&p, 1, timeout_ms);
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
                break;
            saved = r == 0 ? ETIMEDOUT : soerr ? soerr : errno;
        } else {
            saved = errno;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0) snprintf(err, errlen, "cannot connect to %s:%u: %s", host, port, strerror(saved));
    return fd;
}

/* see netio.h */
void net_addr_str(const struct sockaddr *sa, char *out, size_t cap)
{
    char h[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, h, sizeof h);
        snprintf(out, cap, "%s:%u", h, ntohs(s4->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, h, sizeof h);
        snprintf(out, cap, "[%s]:%u", h, ntohs(s6->sin6_port));
    } else {
        snprintf(out, cap, "?");
    }
}

/* see netio.h */
uint64_t net_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* see netio.h */
uint64_t net_now_ms(void) { return net_now_ns() / 1000000u; }

/* see netio.h */
void net_keep_heap(void)
{
    (void)mallopt(M_TRIM_THRESHOLD, 256 << 20);
    (void)mallopt(M_MMAP_THRESHOLD, 4 << 20);
}
