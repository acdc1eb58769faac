/* bench_loop.h — the in-memory batched handshake loop one worker runs: N client/server pairs
 * in flight, their parked public-key ops batched by one scheduler (sched_batch.h), each
 * finished pair replaced by a fresh one. Counts handshakes completed inside a measuring window
 * that follows a warm-up, attributes CPU time (TSC) to the server and the client side
 * separately, and samples per-flight latencies. Percentiles, JSON and the CLI live elsewhere.
 *
 * Bytes move without copies: a side's completed flight is "sent" when its eng_feed returns
 * without a pending op (the flight is whole), and the peer reads it straight out of the
 * sender's output buffer. A flight's latency therefore includes the time its ops waited for
 * their batch: that is the latency/throughput trade-off the batch policy sets. */
#ifndef MBSHAKE_BENCH_LOOP_H
#define MBSHAKE_BENCH_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "sched_batch.h"

/* Latency series, in TSC ticks. */
enum bl_lat {
    BL_LAT_S_HELLO,    /* server: ClientHello arrival -> its ServerHelloDone flight sent */
    BL_LAT_S_FINISHED, /* server: ClientKeyExchange..Finished arrival -> CCS+Finished sent */
    BL_LAT_C_KEYX,     /* client: the server's first flight arrival -> its CKE..Finished sent */
    BL_LAT_C_FINISHED, /* client: the server's CCS+Finished arrival -> handshake done */
    BL_LAT_FULL,       /* pair created -> both sides done */
    BL_LAT_KINDS
};

typedef struct bl_cfg {
    const eng_cfg *client, *server; /* shared, read-only */
    const char *servername;         /* client SNI and certificate name check; NULL = none */
    unsigned inflight;              /* concurrent pairs, >= 1 */
    uint64_t warmup_tsc;            /* ticks run before the window opens */
    uint64_t window_tsc;            /* ticks the window lasts */
    uint64_t max_handshakes;        /* close the window after this many (0 = no limit) */
    sched_cfg sched;                /* batch policy (max_wait) and kernels */
    size_t max_samples;             /* latency samples kept per series (uniform reservoir) */
    uint64_t seed;                  /* reservoir sampling */
} bl_cfg;

typedef struct bl_result {
    uint64_t handshakes; /* completed inside the window */
    uint64_t failed;     /* pairs that failed inside the window */
    uint64_t window_tsc; /* ticks the window lasted */
    /* Ticks spent for each side inside the window: its eng_feed calls, creating and freeing its
     * connections, and its ops' shares of kernel calls (a call's ticks split evenly over the
     * ops it ran). [ENG_SERVER], [ENG_CLIENT]. The rest of the window is the loop itself. */
    uint64_t side_tsc[2];
    uint64_t kernel_tsc[2]; /* the kernel part of side_tsc */
    uint64_t rounds, forced_flushes;
    sched_kind_stats st[ENG_OP_KINDS]; /* scheduler counters for the window only */
    uint64_t *lat[BL_LAT_KINDS];       /* samples (unordered), nlat[k] of them */
    size_t nlat[BL_LAT_KINDS];
    uint64_t seen[BL_LAT_KINDS]; /* samples offered (>= nlat when the reservoir was full) */
    char first_error[200];       /* the first failure inside the window, "" if none */
} bl_result;

/* Runs the loop on the calling thread (a worker). 0, or -1 with a reason in err (bad
 * configuration, scheduler or memory failure). Failed handshakes are counted, not fatal. */
int bl_run(const bl_cfg *cfg, bl_result *res, char *err, size_t errlen);
void bl_result_free(bl_result *res);

#endif
