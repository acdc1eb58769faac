/* tcpfloor.c — the loopback TCP cost of a TLS-1.2-shaped exchange with no TLS and no crypto.
 *
 * Capacity planning for `mbshake serve` / `mbshake load` needs to know how much of each side's
 * CPU per handshake is the kernel's work for one short TCP connection (connect, accept, four
 * small writes, close) rather than TLS: that part is the floor no TLS implementation can go
 * under. tcpfloor forks a server and a client, each pinned to its own PU, that exchange the
 * same number of bytes in the same order as a full handshake (RFC 5246 §7.3: ClientHello; the
 * server's first flight; the client's ClientKeyExchange..Finished; the server's CCS+Finished;
 * the client's close_notify and close) over fresh connections for --duration seconds, and
 * reports exchanges per second and each side's CPU time (user and system) per exchange. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 65536

typedef struct side_result {
    long exchanges;
    double seconds, user_s, sys_s;
    int failed;
    char err[160];
} side_result;

typedef struct opts {
    int server_cpu, client_cpu, conns;
    double duration;
    unsigned port;
    size_t hello, flight1, flight2, flight3, close_notify;
} opts;

static uint8_t buf[16384];
static uint8_t state[MAX_FD];

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void usage_times(double *u, double *s)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    *u = (double)r.ru_utime.tv_sec + (double)r.ru_utime.tv_usec / 1e6;
    *s = (double)r.ru_stime.tv_sec + (double)r.ru_stime.tv_usec / 1e6;
}

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set);
}

/* Writes all n bytes (a few hundred: one call on a fresh loopback socket). */
static int send_all(int fd, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        n -= (size_t)w;
    }
    return 0;
}

static struct sockaddr_in loopback(unsigned port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static void run_server(const opts *o, int lfd, side_result *res)
{
    int one = 1, ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = lfd}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    double t0 = now_s(), u0, s0, u1, s1;
    usage_times(&u0, &s0);
    /* the client stops first; the server stops when the client's connections are gone */
    while (now_s() - t0 < o->duration + 2.0) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAX_FD) {
                        close(c);
                        continue;
                    }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    state[c] = 0;
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            ssize_t r = read(fd, buf, sizeof buf);
            if (r < 0 && errno == EAGAIN) continue;
            if (r <= 0) { /* the client's close after its close_notify */
                close(fd);
                continue;
            }
            if (state[fd] == 0) { /* ClientHello in: ServerHello..ServerHelloDone out */
                if (send_all(fd, o->flight1) < 0) res->failed++;
                state[fd] = 1;
            } else if (state[fd] == 1) { /* CKE..Finished in: CCS+Finished out */
                if (send_all(fd, o->flight3) < 0) res->failed++;
                state[fd] = 2;
                res->exchanges++;
            }
        }
        if (n == 0 && now_s() - t0 > o->duration + 0.3) break; /* idle after the client ended */
    }
    usage_times(&u1, &s1);
    res->seconds = now_s() - t0;
    res->user_s = u1 - u0;
    res->sys_s = s1 - s0;
    close(ep);
}

static int open_conn(int ep, const struct sockaddr_in *a)
{
    int one = 1, c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c < 0) return -1;
    if (c >= MAX_FD) {
        close(c);
        return -1;
    }
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c, (const struct sockaddr *)a, sizeof *a) < 0 && errno != EINPROGRESS) {
        close(c);
        return -1;
    }
    state[c] = 0;
    struct epoll_event ev = {.events = EPOLLOUT, .data.fd = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
    return c;
}

static void run_client(const opts *o, side_result *res)
{
    struct sockaddr_in a = loopback(o->port);
    int ep = epoll_create1(0);
    struct epoll_event ev, evs[256];
    for (int k = 0; k < o->conns; k++)
        if (open_conn(ep, &a) < 0) res->failed++;
    double t0 = now_s(), u0, s0, u1, s1;
    usage_times(&u0, &s0);
    while (now_s() - t0 < o->duration) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd, again = 0;
            if (state[fd] == 0) { /* connected: ClientHello */
                if (send_all(fd, o->hello) < 0) {
                    res->failed++;
                    close(fd);
                    again = 1;
                } else {
                    state[fd] = 1;
                    ev.events = EPOLLIN;
                    ev.data.fd = fd;
                    epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
                }
            } else {
                ssize_t r = read(fd, buf, sizeof buf);
                if (r < 0 && errno == EAGAIN) continue;
                if (r <= 0) {
                    res->failed++;
                    close(fd);
                    again = 1;
                } else if (state[fd] == 1) { /* server's first flight: CKE..Finished */
                    if (send_all(fd, o->flight2) < 0) res->failed++;
                    state[fd] = 2;
                } else { /* CCS+Finished: done; close_notify and close */
                    res->exchanges++;
                    if (send_all(fd, o->close_notify) < 0) res->failed++;
                    close(fd);
                    again = 1;
                }
            }
            if (again && open_conn(ep, &a) < 0) res->failed++;
        }
    }
    usage_times(&u1, &s1);
    res->seconds = now_s() - t0;
    res->user_s = u1 - u0;
    res->sys_s = s1 - s0;
    close(ep);
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tcpfloor [options]\n\n"
            "The loopback TCP cost of a TLS-1.2-shaped exchange with no TLS and no crypto: a\n"
            "server and a client, each pinned to its own PU, exchange the bytes of a full\n"
            "handshake over fresh connections; prints exchanges/s and each side's CPU per\n"
            "exchange (user + system). The floor under any TLS server's and load generator's\n"
            "CPU per handshake on this machine.\n\n"
            "options:\n"
            "  --server-cpu N     PU for the server (default 0)\n"
            "  --client-cpu N     PU for the client (default 1)\n"
            "  --connections N    concurrent connections (default 64)\n"
            "  --duration SEC     measuring time (default 3)\n"
            "  --port N           loopback port (default 0: any free port)\n"
            "  --flight1 BYTES    server's first flight (default 900: an ECDSA P-256 chain)\n"
            "  -h, --help         show this help and exit\n");
}

static int num_arg(const char *name, const char *v, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || d < lo || d > hi) {
        fprintf(stderr, "tcpfloor: --%s %s: want a number in [%g, %g]\n", name, v, lo, hi);
        return -1;
    }
    *out = d;
    return 0;
}

int main(int argc, char **argv)
{
    opts o = {0, 1, 64, 3.0, 0, 200, 900, 126, 51, 31};
    static const struct option lo[] = {{"server-cpu", required_argument, 0, 's'},
                                       {"client-cpu", required_argument, 0, 'c'},
                                       {"connections", required_argument, 0, 'n'},
                                       {"duration", required_argument, 0, 'd'},
                                       {"port", required_argument, 0, 'p'},
                                       {"flight1", required_argument, 0, 'f'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
    int ch;
    double v;
    while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        const char *name = ch == 'h' || ch == '?' ? "" : lo[strchr("scndpf", ch) - "scndpf"].name;
        switch (ch) {
        case 'h': usage(stdout); return 0;
        case 's': if (num_arg(name, optarg, 0, 4095, &v)) return 2; o.server_cpu = (int)v; break;
        case 'c': if (num_arg(name, optarg, 0, 4095, &v)) return 2; o.client_cpu = (int)v; break;
        case 'n': if (num_arg(name, optarg, 1, 20000, &v)) return 2; o.conns = (int)v; break;
        case 'd': if (num_arg(name, optarg, 0.05, 3600, &v)) return 2; o.duration = v; break;
        case 'p': if (num_arg(name, optarg, 0, 65535, &v)) return 2; o.port = (unsigned)v; break;
        case 'f': if (num_arg(name, optarg, 1, sizeof buf, &v)) return 2; o.flight1 = (size_t)v; break;
        default: fprintf(stderr, "Try 'tcpfloor --help'.\n"); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tcpfloor: unexpected argument '%s'\nTry 'tcpfloor --help'.\n", argv[optind]);
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)o.conns + 64) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    /* the listener before the fork, so the client never races the server's bind */
    int one = 1, lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = loopback(o.port);
    socklen_t alen = sizeof a;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        fprintf(stderr, "tcpfloor: cannot listen on 127.0.0.1:%u: %s\n", o.port, strerror(errno));
        return 1;
    }
    o.port = ntohs(a.sin_port);

    side_result *res = mmap(NULL, 2 * sizeof *res, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED) {
        fprintf(stderr, "tcpfloor: mmap: %s\n", strerror(errno));
        return 1;
    }
    memset(res, 0, 2 * sizeof *res);
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = fork();
        if (kid[k] < 0) {
            fprintf(stderr, "tcpfloor: fork: %s\n", strerror(errno));
            return 1;
        }
        if (kid[k] == 0) {
            if (pin(k == 0 ? o.server_cpu : o.client_cpu) < 0) {
                snprintf(res[k].err, sizeof res[k].err, "cannot pin to PU %d: %s",
                         k == 0 ? o.server_cpu : o.client_cpu, strerror(errno));
                _exit(1);
            }
            if (k == 0) run_server(&o, lfd, &res[0]);
            else {
                close(lfd);
                run_client(&o, &res[1]);
            }
            _exit(0);
        }
    }
    close(lfd);
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kid[k], &st, 0);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad = 1;
    }
    for (int k = 0; k < 2; k++)
        if (res[k].err[0]) fprintf(stderr, "tcpfloor: %s: %s\n", k ? "client" : "server", res[k].err);
    if (bad || res[1].exchanges == 0) {
        fprintf(stderr, "tcpfloor: no exchange completed\n");
        return 1;
    }
    long x = res[1].exchanges;
    printf("tcpfloor: %d connections, server on PU %d, client on PU %d, %.2f s\n", o.conns,
           o.server_cpu, o.client_cpu, res[1].seconds);
    printf("exchanges/s %.0f\n", (double)x / res[1].seconds);
    /* the server ran a little longer than the client (it waits for the last closes): its CPU
     * is divided by the exchanges it completed */
    long xs = res[0].exchanges ? res[0].exchanges : 1;
    printf("server_cpu_us_per_exchange %.1f (user %.1f, sys %.1f)\n",
           (res[0].user_s + res[0].sys_s) / (double)xs * 1e6, res[0].user_s / (double)xs * 1e6,
           res[0].sys_s / (double)xs * 1e6);
    printf("client_cpu_us_per_exchange %.1f (user %.1f, sys %.1f)\n",
           (res[1].user_s + res[1].sys_s) / (double)x * 1e6, res[1].user_s / (double)x * 1e6,
           res[1].sys_s / (double)x * 1e6);
    printf("failures %d\n", res[0].failed + res[1].failed);
    return res[0].failed + res[1].failed ? 1 : 0;
}
