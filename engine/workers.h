/* workers.h — the worker team: an OpenMP parallel region with one thread per worker, each
 * pinned to one processing unit with hwloc before it runs its function. Whatever a worker
 * allocates inside its function is first-touched by that thread, so on NUMA machines its
 * pages land on the worker's node. Workers share nothing writable on the hot path: each writes
 * its own result slot (pad slots to WORKERS_CACHELINE), and the caller merges them after
 * workers_run() returns. Also a topology summary for results files. */
#ifndef MBSHAKE_WORKERS_H
#define MBSHAKE_WORKERS_H

#include <stddef.h>

#define WORKERS_CACHELINE 64
#define WORKERS_MAX       1024

typedef struct workers_cfg {
    int n;           /* worker threads, 1..WORKERS_MAX */
    const int *cpus; /* NULL: worker i on core i (hwloc logical order), on the core's first PU;
                        else n PU OS indices (as taskset / /proc/cpuinfo number them) */
    int no_pin;      /* 1: do not bind (the placement fields of worker_info are then -1) */
} workers_cfg;

typedef struct worker_info {
    int id;   /* 0..n-1 */
    int n;    /* team size */
    int pu;   /* OS index of the PU the thread is bound to; -1 when not pinned */
    int core; /* logical index of that PU's core; -1 when not pinned or unknown */
    int numa; /* logical index of that PU's NUMA node; -1 when not pinned or unknown */
} worker_info;

/* Runs fn(worker, arg) on cfg->n pinned threads and waits for all of them. Returns 0 when
 * every worker ran and returned 0; -1 with a one-line reason in err when the team could not be
 * formed (bad cpu list, more workers than cores, binding refused, fewer OpenMP threads than
 * asked for) or when a worker returned non-zero (its id and code are named). */
int workers_run(const workers_cfg *cfg, int (*fn)(const worker_info *w, void *arg), void *arg,
                char *err, size_t errlen);

/* Machine topology as hwloc sees it (for results files). */
typedef struct workers_topo {
    int packages, numa_nodes, cores, pus;
    unsigned long long l1d_bytes, l2_bytes, l3_bytes; /* size of one instance; 0 if absent */
    int l1d_count, l2_count, l3_count;                /* instances */
    char cpu_model[128];                              /* hwloc CPUModel, "" if unknown */
    char cpu_vendor[64];                              /* hwloc CPUVendor */
    char hwloc_api[24];                               /* hwloc API version (2.9.x reports 2.8.0) */
} workers_topo;

/* 0, or -1 with a reason in err. */
int workers_topo_get(workers_topo *t, char *err, size_t errlen);
/* One line: "AMD EPYC: 1 package, 1 NUMA node, 2 cores, 2 PUs, L1d 32K x2, L2 512K x2, ...". */
const char *workers_topo_str(const workers_topo *t, char *buf, size_t cap);

#endif
