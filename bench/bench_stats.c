/* bench_stats.c — running a slice's worker team and merging the workers' results, quantiles
 * and medians (see bench.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "workers.h"

/* see bench.h */
void bench_slice_free(bench_slice *s)
{
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        free(s->lat[k]);
        s->lat[k] = NULL;
        s->nlat[k] = 0;
    }
}

/* Merges the n worker results into *out (allocates the latency arrays). 0 or -1 (memory). */
static int slice_merge(const bl_result *r, int n, double tsc_hz, bench_slice *out)
{
    memset(out, 0, sizeof *out);
    double win = 0;
    for (int i = 0; i < n; i++) {
        const bl_result *w = &r[i];
        double secs = (double)w->window_tsc / tsc_hz;
        out->handshakes += w->handshakes;
        out->failed += w->failed;
        win += secs;
        /* each worker's own rate: windows of different workers close at slightly different
         * times, and a sum of rates is the team's throughput */
        if (secs > 0) out->hs_per_sec += (double)w->handshakes / secs;
        out->side_tsc[0] += w->side_tsc[0];
        out->side_tsc[1] += w->side_tsc[1];
        for (int k = 1; k < ENG_OP_KINDS; k++) sched_stats_add(&out->st[k], &w->st[k]);
        if (!out->first_error[0] && w->first_error[0])
            memcpy(out->first_error, w->first_error, sizeof out->first_error);
    }
    out->seconds = n ? win / n : 0;
    for (int k = 0; k < BL_LAT_KINDS; k++) {
        size_t tot = 0;
        for (int i = 0; i < n; i++) tot += r[i].nlat[k];
        out->lat[k] = malloc((tot ? tot : 1) * sizeof *out->lat[k]);
        if (!out->lat[k]) {
            bench_slice_free(out);
            return -1;
        }
        for (int i = 0; i < n; i++) {
            if (r[i].nlat[k])
                memcpy(out->lat[k] + out->nlat[k], r[i].lat[k], r[i].nlat[k] * sizeof(uint64_t));
            out->nlat[k] += r[i].nlat[k];
        }
        bench_sort_u64(out->lat[k], out->nlat[k]);
    }
    return 0;
}

typedef struct team {
    void *eng;
    const bench_pt *pt;
    bench_worker_fn fn;
    bl_result *res;
    char (*err)[200];
} team;

static int team_worker(const worker_info *w, void *arg)
{
    team *t = arg;
    return t->fn(t->eng, t->pt, w->id, &t->res[w->id], t->err[w->id], sizeof t->err[w->id]) == 0
               ? 0
               : 1;
}

/* see bench.h */
int bench_team_slice(void *eng, const bench_pt *pt, bench_worker_fn fn, bench_slice *out, char *err,
                     size_t errlen)
{
    int n = pt->threads, rc = -1;
    team t = {eng, pt, fn, calloc((size_t)n, sizeof(bl_result)),
              calloc((size_t)n, sizeof(char[200]))};
    memset(out, 0, sizeof *out);
    if (!t.res || !t.err) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    workers_cfg wc = {n, pt->cpus, 0};
    if (workers_run(&wc, team_worker, &t, err, errlen) != 0) {
        for (int i = 0; i < n; i++)
            if (t.err[i][0]) {
                snprintf(err, errlen, "worker %d: %s", i, t.err[i]);
                break;
            }
        goto out;
    }
    if (slice_merge(t.res, n, pt->tsc_hz, out) < 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    rc = 0;
out:
    for (int i = 0; t.res && i < n; i++)
        bl_result_free(&t.res[i]);
    free(t.res);
    free(t.err);
    return rc;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* see bench.h */
void bench_sort_u64(uint64_t *v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof *v, cmp_u64);
}

/* see bench.h */
double bench_quantile(const uint64_t *sorted, size_t n, double q)
{
    if (!n) return 0;
    /* nearest rank: the smallest sample with at least q of the samples at or below it */
    double r = q * (double)n;
    size_t i = (size_t)r;
    if ((double)i < r) i++;
    if (i > 0) i--;
    if (i >= n) i = n - 1;
    return (double)sorted[i];
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* see bench.h */
double bench_median(const double *v, int n)
{
    if (n <= 0) return 0;
    double *c = malloc((size_t)n * sizeof *c);
    if (!c) return v[0];
    memcpy(c, v, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, cmp_d);
    double m = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return m;
}

/* see bench.h */
void bench_minmax(const double *v, int n, double *mn, double *mx)
{
    *mn = *mx = n > 0 ? v[0] : 0;
    for (int i = 1; i < n; i++) {
        if (v[i] < *mn) *mn = v[i];
        if (v[i] > *mx) *mx = v[i];
    }
}
