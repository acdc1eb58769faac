/* netio.h — the socket plumbing shared by serve, connect and load: HOST:PORT parsing, listening
 * and connecting TCP sockets (non-blocking, TCP_NODELAY), the descriptor limit, and a
 * monotonic clock. */
#ifndef MBSHAKE_NETIO_H
#define MBSHAKE_NETIO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* "HOST:PORT" or "[V6]:PORT" -> host (without brackets) and port. 0, or -1 + err. */
int net_split_hostport(const char *s, char *host, size_t hostcap, unsigned *port, char *err,
                       size_t errlen);
/* 1 if host is an IPv4 or IPv6 literal. */
int net_is_ip_literal(const char *host);
/* Listening socket on host:port (numeric or resolvable host; port 0 = any). Non-blocking, with
 * TCP_NODELAY (Linux copies it to every accepted socket: no setsockopt per connection).
 * backlog: the accept queue (the kernel caps it at net.core.somaxconn).
 * reuseport: SO_REUSEPORT, so that several sockets (one per worker, each with its own accept
 * queue) share host:port and the kernel spreads connections over them.
 * Returns the fd, or -1 + err. */
int net_listen(const char *host, unsigned port, int backlog, int reuseport, char *err,
               size_t errlen);
/* Connects to host:port within timeout_ms. Returns a non-blocking fd, or -1 + err. */
int net_connect(const char *host, unsigned port, int timeout_ms, char *err, size_t errlen);
/* "127.0.0.1:4433" / "[::1]:4433" for a socket address. */
void net_addr_str(const struct sockaddr *sa, char *out, size_t cap);
int net_set_nonblock(int fd);
/* Thousands of connections need thousands of descriptors: when the soft RLIMIT_NOFILE is below
 * need, lifts it to the hard limit. 0 when need descriptors fit; -1 + err (what to do) when the
 * hard limit is too low. *have (may be NULL) gets the soft limit in force afterwards. */
int net_raise_nofile(unsigned long need, unsigned long *have, char *err, size_t errlen);
void net_set_nodelay(int fd);
/* CLOCK_MONOTONIC in milliseconds / nanoseconds. */
uint64_t net_now_ms(void);
uint64_t net_now_ns(void);

/* serve and load allocate ~75-110 KiB per connection and free it a few hundred microseconds
 * later. With glibc's defaults the freed top of the heap goes back to the kernel and the next
 * connection faults it in again (page faults were ~4 % of the server's CPU per handshake):
 * keep freed memory in the heap instead. */
void net_keep_heap(void);

#endif
