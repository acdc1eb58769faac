/* load.h — the handshake load generator behind `mbshake load` (load_run.c): worker threads,
 * each with its own epoll loop and its share of the connections, running full TLS 1.2 client
 * handshakes over TCP with the client engine (its public-key ops batched across the thread's
 * connections like the server's, or inline), closed loop (a finished
 * connection starts the next at once) or open loop (a schedule of intended start times at
 * --rate; every latency except TCP connect is counted from the intended start, so a slow
 * server cannot hide its queueing behind a client that waits: no coordinated omission).
 * The run is --repeat measurement windows of --duration back to back, one load without a
 * pause between them: each window has its own results (load_result), so that every figure
 * comes with its spread over the windows. With hold, a connection whose handshake (and
 * response) completed stays open, unused, until the end of the run and its slot starts nothing
 * more: --connections N then opens N connections that are all open at once, and the run
 * ends (early: its one window is shorter) as soon as every connection is held. */
#ifndef MBSHAKE_LOAD_H
#define MBSHAKE_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "eng.h"
#include "sched_batch.h"

enum { LOAD_LAT_CONNECT, LOAD_LAT_SHD, LOAD_LAT_HANDSHAKE, LOAD_LAT_FIRST_BYTE, LOAD_LAT_KINDS };
/* Error kinds of failed handshakes. */
enum {
    LOAD_E_CONNECT,   /* TCP connect failed (refused, unreachable, ...) */
    LOAD_E_TIMEOUT,   /* no completed handshake (and response) within --timeout */
    LOAD_E_VERIFY,    /* we refused the server's certificate (bad_certificate, unknown_ca, ...) */
    LOAD_E_ALERT_RX,  /* the server sent a fatal alert (by name in alert_rx) */
    LOAD_E_PROTOCOL,  /* we sent any other fatal alert (by name in alert_tx) */
    LOAD_E_CLOSED,    /* the server closed or reset the connection without an alert */
    LOAD_E_KINDS
};

typedef struct load_cfg {
    const eng_cfg *cfg;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    const char *servername;  /* SNI and verified name; NULL = none */
    const char *request;     /* HTTP request bytes to send after the handshake; NULL = none */
    int connections;         /* concurrency, all threads */
    double rate;             /* handshakes per second, all threads; 0 = closed loop */
    double duration_s, timeout_s; /* duration_s: one window */
    int repeat;              /* windows (>= 1) */
    int hold;                /* keep completed connections open until the end (repeat 1) */
    int threads;
    const int *cpus;         /* NULL = not pinned */
    int progress;            /* print a progress line (stdout is a TTY) */
    int batch;               /* 1: client public-key ops batched per thread (sched_batch.h) */
    uint64_t max_wait_tsc;   /* batch deadline (sched_cfg.max_wait) */
    uint64_t max_wait_ns;    /* the same in nanoseconds (open loop: how long to wait for a start) */
} load_cfg;

/* One measurement window (or, merged by the caller, several). */
typedef struct load_result {
    uint64_t handshakes;          /* completed (and answered, with a request) in the window */
    uint64_t started;             /* connection attempts begun */
    uint64_t late;                /* open loop: starts more than 1 ms after their intended time */
    uint64_t errors[LOAD_E_KINDS];
    uint64_t alert_rx[256], alert_tx[256];
    double seconds;               /* measured window */
    double cpu_s;                 /* CPU time of the load threads */
    uint64_t held_peak;           /* hold: most connections open after their handshake at once */
    uint64_t held_closed;         /* hold: held connections the server closed before the end */
    uint64_t *lat[LOAD_LAT_KINDS]; /* nanoseconds, unordered */
    size_t nlat[LOAD_LAT_KINDS];
    eng_info info;                /* of the first completed handshake (version 0: none) */
    sched_kind_stats batches[ENG_OP_KINDS]; /* res[0] only: the client's lane sets, whole run */
    char first_error[240];
} load_result;

extern const char *const load_lat_names[LOAD_LAT_KINDS]; /* JSON keys */
extern const char *const load_err_names[LOAD_E_KINDS];

/* Runs the load: res[0..lc->repeat) get the windows' results (held_* counts go to res[0]: they
 * are about the whole run). 0, or -1 with a one-line reason in err (the team could not start,
 * memory). Failed handshakes are counted in res, not reported as a failure of the run. */
int load_run(const load_cfg *lc, load_result *res, char *err, size_t errlen);
/* Adds src's counts and latency samples to dst (seconds scaled by seconds_scale: 1 / threads
 * when merging threads that measured the same window); dst keeps its first handshake info and
 * first error. -1 when a latency array could not grow (the rest is added). */
int load_result_add(load_result *dst, const load_result *src, double seconds_scale);
void load_result_free(load_result *res);

#endif
