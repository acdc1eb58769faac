/* bench.h — pieces of `mbshake bench` (cmd_bench.c): one measured slice of one engine at one
 * point (suite, group, certificate, threads, in-flight handshakes), the machine fingerprint,
 * and the statistics written to results files (docs/RESULTS.md).
 *
 * A slice of either engine has the same shape: a pinned worker team (workers.h), each worker
 * driving `inflight` client/server pairs round-robin in one thread, warm-up then a measuring
 * window, per-side TSC accounting and per-flight latency samples (bench_loop.h's bl_result, which
 * the OpenSSL loop fills too, without the scheduler counters). */
#ifndef MBSHAKE_BENCH_H
#define MBSHAKE_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bench_loop.h"
#include "eng.h"
#include "sched_batch.h"
#include "workers.h"

enum bench_engine { BENCH_MBSHAKE = 0, BENCH_OPENSSL = 1 };

/* One measured point, shared by the slices of both engines. */
typedef struct bench_pt {
    uint16_t suite, group;  /* group 0: RSA key exchange */
    const char *cert;       /* "ecdsa-p256", "rsa2048", ... */
    const char *chain_file, *key_file, *ca_file, *servername;
    int threads;
    const int *cpus;        /* NULL, or threads PU OS indices */
    unsigned inflight;
    double max_wait_us;     /* mbshake scheduler deadline */
    double duration_s, warmup_s;
    int verify_cached;
    double tsc_hz;
    size_t max_samples;     /* latency samples kept per worker and series */
} bench_pt;

/* A slice: the workers' results merged. */
typedef struct bench_slice {
    uint64_t handshakes, failed;
    double seconds;    /* mean window length of the workers */
    double hs_per_sec; /* sum of the workers' rates */
    uint64_t side_tsc[2];
    sched_kind_stats st[ENG_OP_KINDS];
    uint64_t *lat[BL_LAT_KINDS]; /* TSC ticks, unordered; nlat of them */
    size_t nlat[BL_LAT_KINDS];
    char first_error[200];
} bench_slice;

void bench_slice_free(bench_slice *s);
/* One worker's share of a slice of engine eng: fills *res; 0, or -1 with err. */
typedef int (*bench_worker_fn)(void *eng, const bench_pt *pt, int id, bl_result *res, char *err,
                               size_t errlen);
/* A slice of either engine: runs fn on a pinned team of pt->threads workers (workers.h) and
 * merges their results into *out. 0, or -1 with the first failing worker's reason in err. */
int bench_team_slice(void *eng, const bench_pt *pt, bench_worker_fn fn, bench_slice *out, char *err,
                     size_t errlen);

/* ---- mbshake (bench_mb.c) -------------------------------------------------------------- */
typedef struct bench_mb bench_mb;
/* Client and server configurations for pt (suite, group, certificate, verify cache); checks
 * with one handshake that exactly the intended suite and group are negotiated with EMS.
 * NULL + err. */
bench_mb *bench_mb_new(const bench_pt *pt, char *err, size_t errlen);
void bench_mb_free(bench_mb *m);
int bench_mb_slice(bench_mb *m, const bench_pt *pt, bench_slice *out, char *err, size_t errlen);

/* ---- OpenSSL libssl (bench_openssl.c) ------------------------------------------------------ */
typedef struct bench_ossl bench_ossl;
bench_ossl *bench_ossl_new(const bench_pt *pt, char *err, size_t errlen);
void bench_ossl_free(bench_ossl *o);
int bench_ossl_slice(bench_ossl *o, const bench_pt *pt, bench_slice *out, char *err,
                     size_t errlen);

/* ---- machine fingerprint (bench_fp.c) ---------------------------------------------------- */
typedef struct bench_fp {
    char hostname[128], vendor[16], brand[64], kernel[256], compiler[96];
    int family, model, stepping;
    char flags[512];
    double tsc_hz, core_hz;
    char openssl[32], ipsec_mb[32], hwloc[32];
} bench_fp;
/* cpuid, uname, versions, TSC frequency (~100 ms against CLOCK_MONOTONIC) and core clock (a
 * chain of dependent adds, one cycle each). */
void bench_fp_get(bench_fp *fp);
/* The docs/RESULTS.md "machine" object: the fingerprint plus the topology t (cores, caches). */
json_t *bench_machine_json(const bench_fp *fp, const workers_topo *t);
/* TSC ticks per second, measured against CLOCK_MONOTONIC over ms milliseconds (invariant TSC):
 * the fingerprint takes 100 ms, serve and load 20 ms for their batch deadlines. */
double bench_tsc_hz(unsigned ms);
uint64_t bench_now_ns(void);

/* ---- results-file JSON shared by bench and load (bench_json.c) ----------------------------- */
/* A STAT object (docs/RESULTS.md): median, min, max, mean, stdev, n and the values in order;
 * all zero when n == 0. */
json_t *bench_stat_json(const double *v, int n);
/* The JSON key of an op kind: its name with '_' for '-' ("x25519_derive"). */
void bench_op_key(eng_op_kind k, char *out, size_t cap);
/* One op kind's lane-set counters: impl, lanes, calls, ops, full, deadline, forced, narrow,
 * failed. */
json_t *bench_batch_json(const sched_kind_stats *t);

/* ---- statistics (bench_stats.c) ---------------------------------------------------------- */
/* Nearest-rank quantile of sorted v[0..n), q in [0, 1]; 0 when n == 0. */
double bench_quantile(const uint64_t *sorted, size_t n, double q);
void bench_sort_u64(uint64_t *v, size_t n);
double bench_median(const double *v, int n);
void bench_minmax(const double *v, int n, double *mn, double *mx);

#endif
