/* bench_json.c — the results-file pieces (docs/RESULTS.md) that `bench` and `load` both write:
 * a STAT object over repetitions or windows, and the batch counters of one op kind. */
#include <math.h>
#include <stdio.h>

#include "bench.h"

/* see bench.h */
json_t *bench_stat_json(const double *v, int n)
{
    double mn = 0, mx = 0, mean = 0, var = 0;
    if (n) bench_minmax(v, n, &mn, &mx);
    for (int i = 0; i < n; i++) mean += v[i];
    mean = n ? mean / n : 0;
    for (int i = 0; i < n; i++) var += (v[i] - mean) * (v[i] - mean);
    json_t *vals = json_array();
    for (int i = 0; i < n; i++) json_array_append_new(vals, json_real(v[i]));
    return json_pack("{s:f,s:f,s:f,s:f,s:f,s:i,s:o}", "median", n ? bench_median(v, n) : 0.0,
                     "min", mn, "max", mx, "mean", mean, "stdev",
                     n > 1 ? sqrt(var / (n - 1)) : 0.0, "n", n, "values", vals);
}

/* see bench.h */
void bench_op_key(eng_op_kind k, char *out, size_t cap)
{
    snprintf(out, cap, "%s", eng_op_name(k));
    for (char *p = out; *p; p++)
        if (*p == '-') *p = '_';
}

/* see bench.h */
json_t *bench_batch_json(const sched_kind_stats *t)
{
    return json_pack("{s:s,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "impl", t->impl ? t->impl : "?",
                     "lanes", (int)t->lanes, "calls", (json_int_t)t->calls, "ops",
                     (json_int_t)t->ops, "full", (json_int_t)t->full, "deadline",
                     (json_int_t)t->deadline, "forced", (json_int_t)t->forced, "narrow",
                     (json_int_t)t->narrow, "failed", (json_int_t)t->failed);
}
