/* sched_batch.h — the batch scheduler: one per worker thread, a job manager in the spirit of
 * intel-ipsec-mb's submit/flush (per-kind lane sets, lane_op[], lanes in use).
 *
 * Connections park on public-key ops and on their key schedule (eng.h: ENG_WANT_CRYPTO,
 * eng_pending_op). The driver submits each parked op here. Per op kind there is one lane set
 * as wide as the selected kernel (4 for AVX2 X25519, 1 for a scalar kernel;
 * SCHED_TLS_KEYS_LANES for the key-schedule kinds); when it fills, the kernel runs on all
 * lanes at once. Partial sets run only from sched_flush(): when their oldest op has waited
 * max_wait TSC ticks, or when the caller forces it (no connection can progress without them).
 * Completed ops come back through sched_next_done(); the driver then feeds their connections
 * again. A failed lane fails only its own op (op->failed), never its neighbours.
 *
 * A partial set of n ops on a wide kernel costs about as much as a full one (padded lanes), so
 * with few ops it may run instead as n one-lane calls of the lowest tier's kernel (scalar),
 * whichever the per-kind cost estimates say is cheaper (sched_partial). Full sets always run
 * wide. A forced ISA (cd_isa_forced) is a ceiling, as in cd_select: under --isa avx2 a partial
 * set may still run on the scalar kernel; under --isa scalar every kernel is one lane anyway.
 *
 * Not thread-safe by design: each worker owns its scheduler (no locks on the hot path). Every
 * submitted op, and the buffers it points to, must stay valid until it comes back from
 * sched_next_done(). */
#ifndef MBSHAKE_SCHED_BATCH_H
#define MBSHAKE_SCHED_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cd.h"
#include "eng.h"

#define SCHED_MAX_LANES 16 /* widest kernel a lane set can hold */
/* Lane set of ENG_OP_TLS_KEYS and ENG_OP_TLS_FINISHED (the key schedule and the Finished
 * computation through ipsec-mb's multi-buffer job API, keysched_batch.h): how many
 * handshakes' hash/HMAC jobs go to the manager per step. */
#ifndef SCHED_TLS_KEYS_LANES
#define SCHED_TLS_KEYS_LANES 8
#endif

typedef struct sched sched;

/* How a partial set runs (sched_set_partial). The narrow path exists only for a table kernel
 * (cd_*_impls) wider than one lane: a caller's own kernel (a test double) always runs as
 * given. */
typedef enum sched_partial {
    /* n one-lane calls when n x (one narrow call) < (one wide call), by estimates measured
     * once per process and kernel (a few calls of each on fixed valid inputs, minimum TSC) */
    SCHED_PARTIAL_AUTO = 0,
    SCHED_PARTIAL_WIDE,   /* always one padded wide call (the behaviour before the policy) */
    SCHED_PARTIAL_NARROW, /* always one-lane calls (tests, benchmarks) */
} sched_partial;

typedef struct sched_cfg {
    /* TSC ticks the oldest op of a partial set may wait before sched_flush() runs the set;
     * 0 = every sched_flush() call runs every partial set. */
    uint64_t max_wait;
    /* Kernels to use; NULL = cd_*_select(cd_cpu_features(), cd_isa_forced()). */
    const cd_x25519 *x25519;
    const cd_p256 *p256;
} sched_cfg;

/* Counters for one op kind (ENG_OP_RSA runs inline: one op per call, lanes 1). impl is
 * "ipsec-mb" for ENG_OP_TLS_KEYS and ENG_OP_TLS_FINISHED. */
typedef struct sched_kind_stats {
    const char *impl;  /* kernel name ("avx2", "scalar", "libcrypto") */
    unsigned lanes;    /* width of the lane set */
    uint64_t calls;    /* lane-set runs: kernel calls, but a narrow run counts once, so that
                        * ops / calls stays the mean ops gathered per run */
    uint64_t ops;      /* ops completed (padding lanes not counted) */
    uint64_t full;     /* calls with every lane in use */
    uint64_t deadline; /* partial calls because the oldest op reached max_wait */
    uint64_t forced;   /* partial calls forced by the caller */
    uint64_t narrow;   /* partial runs (deadline or forced) made as one-lane calls, one per op */
    uint64_t failed;   /* ops whose lane failed */
    uint64_t tsc;      /* TSC ticks in kernel calls, including the lane copies */
} sched_kind_stats;

/* NULL (and a one-line reason in err) when a kernel cannot be selected (forced ISA missing)
 * or on allocation failure. The policy starts at SCHED_PARTIAL_AUTO; the first scheduler of a
 * process measures the estimates of its kernels (a few ms), later ones reuse them. */
sched *sched_new(const sched_cfg *cfg, char *err, size_t errlen);
/* Sets the partial-set policy (tests, benchmarks). 0, or ENG_E_STATE for an unknown one. */
int sched_set_partial(sched *s, sched_partial pol);
void sched_free(sched *s); /* wipes the lane buffers */

/* Queues a parked op (op->done == 0) into its kind's lane set, and runs the kernel when the
 * set is full. ENG_OP_RSA (no batch kernel) runs inline. tag is the caller's (which connection
 * the op belongs to, like ipsec-mb's user_data): it comes back with the op. Returns the number
 * of ops completed by this call (0 = queued; completed ones wait in sched_next_done), or
 * ENG_E_STATE for an op that is NULL, done, of no batchable kind or already queued,
 * ENG_E_NOMEM when the completed list cannot grow (the op is then not queued). */
int sched_submit(sched *s, eng_op *op, uintptr_t tag);

/* Runs every partial set whose oldest op was queued at least max_wait ticks before now_tsc,
 * or every non-empty set when force != 0. Returns the number of ops completed. */
int sched_flush(sched *s, uint64_t now_tsc, int force);

/* Next completed op (done = 1, failed set), oldest first, or NULL. When tsc != NULL it gets
 * this op's share of its kernel call's TSC ticks (the call's ticks / ops in the call); when
 * tag != NULL, the tag it was submitted with. */
eng_op *sched_next_done(sched *s, uint64_t *tsc, uintptr_t *tag);

/* Ops waiting in lane sets (not yet run). */
unsigned sched_queued(const sched *s);
/* Earliest TSC at which a waiting partial set reaches its deadline; UINT64_MAX if none. */
uint64_t sched_deadline(const sched *s);

/* Counters of one kind (kind in 1..ENG_OP_KINDS-1); stats of a fresh scheduler are zero but
 * impl and lanes are set. */
const sched_kind_stats *sched_stats(const sched *s, eng_op_kind kind);
/* Adds src's counters into dst (merging workers); impl and lanes are taken from src when
 * dst has none. */
void sched_stats_add(sched_kind_stats *dst, const sched_kind_stats *src);
/* The partial-set estimates of one batchable kind, in TSC ticks: one wide call with 1 op and
 * with every lane in use, and one narrow (one-lane) call; 0 when the kind has no narrow path
 * or they could not be measured. Returns whether the kind has a narrow path. Under auto a
 * partial set of n ops runs narrow iff
 * n * narrow < wide1 + (n - 1) * (wide_full - wide1) / (lanes - 1). */
int sched_partial_cost(const sched *s, eng_op_kind kind, uint64_t *wide1, uint64_t *wide_full,
                       uint64_t *narrow);

/* Mean lanes in use per kernel call (ops / calls); 0 when no call ran. */
double sched_occupancy(const sched_kind_stats *st);

/* The TSC, for deadlines and accounting (rdtsc). */
uint64_t sched_tsc(void);

#endif
