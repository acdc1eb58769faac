/* results_read.h — reading `mbshake-results/1` files (docs/RESULTS.md) for `mbshake compare`
 * and `mbshake report`: loading and checking a file, the configuration key that identifies a run,
 * the stat objects (median, spread, per-repetition values), the metrics worth comparing, machine
 * differences, and the small statistics both commands need (Welch's t-interval). */
#ifndef MBSHAKE_RESULTS_READ_H
#define MBSHAKE_RESULTS_READ_H

#include <jansson.h>
#include <stddef.h>

#define RR_SCHEMA "mbshake-results/1"
/* Per-repetition values kept per stat; a file with more repetitions uses the first RR_MAXREP. */
#define RR_MAXREP 512

typedef struct rr_file {
    const char *path;
    char name[128];  /* file name without directory and ".json" */
    json_t *root;    /* owned */
    json_t *machine; /* borrowed from root; an object (possibly empty) */
    json_t *config;  /* borrowed; an object (possibly empty) */
    json_t *runs;    /* borrowed; an array of objects, every one with a complete rr_key */
} rr_file;

/* Loads and checks path. 0, or -1 with a one-line reason (naming the file) in err. */
int rr_load(rr_file *f, const char *path, char *err, size_t errlen);
void rr_free(rr_file *f);

/* The configuration that identifies a run inside a file (docs/RESULTS.md "RUN"). */
typedef struct rr_key {
    const char *engine, *suite, *group, *cert, *verify;
    long threads, inflight;
} rr_key;

enum { RR_IGN_ENGINE = 1, RR_IGN_THREADS = 2, RR_IGN_INFLIGHT = 4 };
/* 0 when run has every key field (strings and integers), else -1. */
int rr_run_key(const json_t *run, rr_key *k);
/* 1 when a and b agree on every field not ignored (RR_IGN_* bits). */
int rr_key_eq(const rr_key *a, const rr_key *b, unsigned ignore);
/* "mbshake TLS_ECDHE_... x25519 ecdsa-p256 threads=1 inflight=64 verify=full" */
void rr_key_str(const rr_key *k, char *buf, size_t n);
/* Suite name shortened for plots and tables: the run's suite_openssl when present, else the
 * suite without its "TLS_" prefix. Borrowed or written to buf. */
const char *rr_suite_short(const json_t *run, char *buf, size_t n);

typedef struct rr_stat {
    double median, min, max, mean, stdev;
    size_t n;             /* repetitions ("n", or the number of values) */
    size_t nv;            /* values read into v */
    double v[RR_MAXREP];  /* per-repetition values, in repetition order */
} rr_stat;

/* The stat at a dotted path inside obj ("handshakes_per_sec", "latency_us.handshake.p99").
 * Fields missing from the object are derived from the values where possible (median, mean,
 * stdev, min, max). 0, or -1 when absent or without a numeric median and without values. */
int rr_stat_at(const json_t *obj, const char *path, rr_stat *s);
/* Multiplies every figure of s by k (k > 0): unit changes and per-GHz normalisation. */
void rr_stat_scale(rr_stat *s, double k);

/* A metric compare looks at. higher_better: throughput; otherwise cost (CPU, cycles, latency). */
typedef struct rr_metric {
    const char *name; /* the dotted path in a run */
    const char *unit;
    int higher_better;
} rr_metric;
extern const rr_metric rr_metrics[];
extern const size_t rr_nmetrics;

/* The flights of latency_us / latency_cdf_us, in handshake order, then the whole handshake. */
extern const char *const rr_flights[];
extern const size_t rr_nflights;

/* One field in which two machine objects differ. */
typedef struct rr_mdiff {
    char field[48];
    char a[160], b[160];
} rr_mdiff;

/* The differences between machines ma and mb in the fields that make them different hardware or
 * software (CPU identity and flags, cores, TSC and measured core clock beyond measurement noise,
 * kernel, compiler, libraries). The hostname is not one of them. Returns how many, at most max
 * written to out (the count may exceed max). */
size_t rr_machine_diff(const json_t *ma, const json_t *mb, rr_mdiff *out, size_t max);
/* The measured core clock in GHz (core_hz_measured, else tsc_hz); 0 when neither is there.
 * *src (may be NULL) gets the field used. */
double rr_core_ghz(const json_t *machine, const char **src);
/* "host (cpu_model, N cores)" */
void rr_machine_label(const json_t *machine, char *buf, size_t n);

/* Helpers for jansson objects that may lack fields: the string (or dflt), the number (or dflt). */
const char *rr_str(const json_t *obj, const char *key, const char *dflt);
double rr_num(const json_t *obj, const char *key, double dflt);

/* Student's t: the two-sided quantile with P(|T| <= q) = conf, for df > 0 degrees of freedom. */
double rr_t_quantile(double conf, double df);
/* Welch's t-interval at confidence conf for mean(b) - mean(a); needs na, nb >= 2. 0, or -1
 * when the interval is undefined. */
int rr_welch_ci(const double *a, size_t na, const double *b, size_t nb, double conf, double *lo,
                double *hi);

#endif
