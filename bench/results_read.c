/* results_read.c — see results_read.h */
#include "results_read.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* see results_read.h */
const rr_metric rr_metrics[] = {
    {"handshakes_per_sec", "hs/s", 1},
    {"handshakes_per_sec_per_core", "hs/s", 1},
    {"server_cpu_us_per_hs", "us", 0},
    {"client_cpu_us_per_hs", "us", 0},
    {"cycles_per_hs", "cycles", 0},
    {"latency_us.handshake.p50", "us", 0},
    {"latency_us.handshake.p99", "us", 0},
    {"latency_us.handshake.p999", "us", 0},
    {"latency_us.server_hello_flight.p50", "us", 0},
    {"latency_us.server_hello_flight.p99", "us", 0},
    {"latency_us.server_hello_flight.p999", "us", 0},
    {"latency_us.client_kx_flight.p50", "us", 0},
    {"latency_us.client_kx_flight.p99", "us", 0},
    {"latency_us.client_kx_flight.p999", "us", 0},
    {"latency_us.server_finished_flight.p50", "us", 0},
    {"latency_us.server_finished_flight.p99", "us", 0},
    {"latency_us.server_finished_flight.p999", "us", 0},
    {"latency_us.client_finished.p50", "us", 0},
    {"latency_us.client_finished.p99", "us", 0},
    {"latency_us.client_finished.p999", "us", 0},
};
const size_t rr_nmetrics = sizeof rr_metrics / sizeof *rr_metrics;

/* see results_read.h */
const char *const rr_flights[] = {"server_hello_flight", "client_kx_flight",
                                  "server_finished_flight", "client_finished", "handshake"};
const size_t rr_nflights = sizeof rr_flights / sizeof *rr_flights;

/* see results_read.h */
const char *rr_str(const json_t *obj, const char *key, const char *dflt)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : dflt;
}

/* see results_read.h */
double rr_num(const json_t *obj, const char *key, double dflt)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static void set_name(rr_file *f, const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(f->name, sizeof f->name, "%s", b);
    size_t l = strlen(f->name);
    if (l > 5 && !strcmp(f->name + l - 5, ".json")) f->name[l - 5] = 0;
}

/* see results_read.h */
int rr_load(rr_file *f, const char *path, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->path = path;
    set_name(f, path);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t je;
    f->root = json_loadf(fp, JSON_REJECT_DUPLICATES, &je);
    fclose(fp);
    if (!f->root) {
        snprintf(err, errlen, "%s: not valid JSON (line %d, column %d: %s)", path, je.line,
                 je.column, je.text);
        return -1;
    }
    const char *schema = rr_str(f->root, "schema", NULL);
    if (!json_is_object(f->root) || !schema) {
        snprintf(err, errlen, "%s: not an mbshake results file (no \"schema\" field; want %s)",
                 path, RR_SCHEMA);
        goto fail;
    }
    if (strcmp(schema, RR_SCHEMA)) {
        snprintf(err, errlen, "%s: unsupported schema '%.60s' (this mbshake reads %s)", path,
                 schema, RR_SCHEMA);
        goto fail;
    }
    f->runs = json_object_get(f->root, "runs");
    if (!json_is_array(f->runs)) {
        snprintf(err, errlen, "%s: \"runs\" is missing or not an array", path);
        goto fail;
    }
    size_t i;
    json_t *run;
    json_array_foreach(f->runs, i, run)
    {
        rr_key k;
        if (!json_is_object(run) || rr_run_key(run, &k)) {
            snprintf(err, errlen,
                     "%s: runs[%zu] lacks part of its key (engine, suite, group, cert, verify: "
                     "strings; threads, inflight: integers)",
                     path, i);
            goto fail;
        }
    }
    f->machine = json_object_get(f->root, "machine");
    if (!json_is_object(f->machine)) {
        if (f->machine) {
            snprintf(err, errlen, "%s: \"machine\" is not an object", path);
            goto fail;
        }
        f->machine = json_object();
        json_object_set_new(f->root, "machine", f->machine);
    }
    f->config = json_object_get(f->root, "config");
    if (!json_is_object(f->config)) {
        f->config = json_object();
        json_object_set_new(f->root, "config", f->config);
    }
    return 0;
fail:
    json_decref(f->root);
    f->root = NULL;
    return -1;
}

/* see results_read.h */
void rr_free(rr_file *f)
{
    json_decref(f->root);
    f->root = NULL;
}

/* see results_read.h */
int rr_run_key(const json_t *run, rr_key *k)
{
    const json_t *t = json_object_get(run, "threads"), *n = json_object_get(run, "inflight");
    k->engine = rr_str(run, "engine", NULL);
    k->suite = rr_str(run, "suite", NULL);
    k->group = rr_str(run, "group", NULL);
    k->cert = rr_str(run, "cert", NULL);
    k->verify = rr_str(run, "verify", NULL);
    if (!k->engine || !k->suite || !k->group || !k->cert || !k->verify || !json_is_integer(t) ||
        !json_is_integer(n))
        return -1;
    k->threads = (long)json_integer_value(t);
    k->inflight = (long)json_integer_value(n);
    return 0;
}

/* see results_read.h */
int rr_key_eq(const rr_key *a, const rr_key *b, unsigned ignore)
{
    return ((ignore & RR_IGN_ENGINE) || !strcmp(a->engine, b->engine)) &&
           !strcmp(a->suite, b->suite) && !strcmp(a->group, b->group) &&
           !strcmp(a->cert, b->cert) && !strcmp(a->verify, b->verify) &&
           ((ignore & RR_IGN_THREADS) || a->threads == b->threads) &&
           ((ignore & RR_IGN_INFLIGHT) || a->inflight == b->inflight);
}

/* see results_read.h */
void rr_key_str(const rr_key *k, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s %s %s threads=%ld inflight=%ld verify=%s", k->engine, k->suite,
             k->group, k->cert, k->threads, k->inflight, k->verify);
}

/* see results_read.h */
const char *rr_suite_short(const json_t *run, char *buf, size_t n)
{
    const char *o = rr_str(run, "suite_openssl", NULL);
    if (o) return o;
    const char *s = rr_str(run, "suite", "?");
    snprintf(buf, n, "%s", strncmp(s, "TLS_", 4) ? s : s + 4);
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* see results_read.h */
int rr_stat_at(const json_t *obj, const char *path, rr_stat *s)
{
    char seg[64];
    const json_t *o = obj;
    for (const char *p = path; o;) {
        const char *dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        if (l >= sizeof seg) return -1;
        memcpy(seg, p, l);
        seg[l] = 0;
        o = json_is_object(o) ? json_object_get(o, seg) : NULL;
        if (!dot) break;
        p = dot + 1;
    }
    if (!json_is_object(o)) return -1;
    memset(s, 0, offsetof(rr_stat, v));
    const json_t *vals = json_object_get(o, "values"), *x;
    size_t i;
    json_array_foreach(vals, i, x)
    {
        if (!json_is_number(x)) return -1;
        if (s->nv < RR_MAXREP) s->v[s->nv++] = json_number_value(x);
    }
    double sorted[RR_MAXREP], sum = 0, ss = 0;
    memcpy(sorted, s->v, s->nv * sizeof *sorted);
    qsort(sorted, s->nv, sizeof *sorted, cmp_double);
    for (i = 0; i < s->nv; i++) sum += s->v[i];
    double mean = s->nv ? sum / (double)s->nv : NAN;
    for (i = 0; i < s->nv; i++) ss += (s->v[i] - mean) * (s->v[i] - mean);
    double med = NAN;
    if (s->nv) med = s->nv & 1 ? sorted[s->nv / 2]
                               : (sorted[s->nv / 2 - 1] + sorted[s->nv / 2]) / 2;
    s->median = rr_num(o, "median", med);
    if (isnan(s->median)) return -1;
    s->mean = rr_num(o, "mean", s->nv ? mean : s->median);
    s->stdev = rr_num(o, "stdev", s->nv > 1 ? sqrt(ss / (double)(s->nv - 1)) : 0);
    s->min = rr_num(o, "min", s->nv ? sorted[0] : s->median);
    s->max = rr_num(o, "max", s->nv ? sorted[s->nv - 1] : s->median);
    double n = rr_num(o, "n", (double)s->nv);
    s->n = n >= 1 ? (size_t)n : 1;
    return 0;
}

/* see results_read.h */
void rr_stat_scale(rr_stat *s, double k)
{
    s->median *= k;
    s->mean *= k;
    s->stdev *= k;
    s->min *= k;
    s->max *= k;
    for (size_t i = 0; i < s->nv; i++) s->v[i] *= k;
}

/* A JSON value as text for the machine table ("(absent)" when missing). */
static void val_str(const json_t *v, char *buf, size_t n)
{
    if (!v) {
        snprintf(buf, n, "(absent)");
    } else if (json_is_string(v)) {
        snprintf(buf, n, "%s", json_string_value(v));
    } else if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        snprintf(buf, n, "%g", json_real_value(v));
    } else {
        char *d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(buf, n, "%s", d ? d : "?");
        free(d);
    }
}

static void add_diff(rr_mdiff *out, size_t max, size_t *cnt, const char *field, const char *a,
                     const char *b)
{
    if (*cnt < max) {
        snprintf(out[*cnt].field, sizeof out[*cnt].field, "%s", field);
        snprintf(out[*cnt].a, sizeof out[*cnt].a, "%s", a);
        snprintf(out[*cnt].b, sizeof out[*cnt].b, "%s", b);
    }
    (*cnt)++;
}

/* Compares one field; rel_tol > 0 treats numbers within that relative distance as equal. */
static void diff_field(const json_t *ma, const json_t *mb, const char *key, const char *label,
                       double rel_tol, rr_mdiff *out, size_t max, size_t *cnt)
{
    const json_t *a = json_object_get(ma, key), *b = json_object_get(mb, key);
    if (!a && !b) return;
    if (a && b && json_equal((json_t *)a, (json_t *)b)) return;
    if (rel_tol > 0 && json_is_number(a) && json_is_number(b)) {
        double x = json_number_value(a), y = json_number_value(b);
        if (fabs(x - y) <= rel_tol * fmax(fabs(x), fabs(y))) return;
    }
    char sa[160], sb[160];
    val_str(a, sa, sizeof sa);
    val_str(b, sb, sizeof sb);
    if (rel_tol > 0 && json_is_number(a) && json_is_number(b)) {
        snprintf(sa, sizeof sa, "%.3f GHz", json_number_value(a) / 1e9);
        snprintf(sb, sizeof sb, "%.3f GHz", json_number_value(b) / 1e9);
    }
    add_diff(out, max, cnt, label, sa, sb);
}

/* Every key of sub-object `key` in either machine, compared as "key.sub". */
static void diff_sub(const json_t *ma, const json_t *mb, const char *key, rr_mdiff *out, size_t max,
                     size_t *cnt)
{
    const json_t *a = json_object_get(ma, key), *b = json_object_get(mb, key), *v;
    const char *k;
    char label[48];
    if (!json_is_object(a) && !json_is_object(b)) return;
    json_object_foreach((json_t *)(json_is_object(a) ? a : b), k, v)
    {
        snprintf(label, sizeof label, "%s.%s", key, k);
        diff_field(a, b, k, label, 0, out, max, cnt);
    }
    if (json_is_object(a) && json_is_object(b)) json_object_foreach((json_t *)b, k, v)
        {
            if (json_object_get(a, k)) continue;
            snprintf(label, sizeof label, "%s.%s", key, k);
            diff_field(a, b, k, label, 0, out, max, cnt);
        }
}

static int in_array(const json_t *arr, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (json_is_string(x) && !strcmp(json_string_value(x), s)) return 1;
    return 0;
}

/* Flags in `from` that `other` lacks, as "a b c" (truncated with "..."). */
static void only_in(const json_t *from, const json_t *other, char *buf, size_t n)
{
    size_t i, used = 0;
    json_t *x;
    buf[0] = 0;
    json_array_foreach(from, i, x)
    {
        if (!json_is_string(x) || in_array(other, json_string_value(x))) continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? " " : "", json_string_value(x));
        if (w < 0 || (size_t)w >= n - used) {
            if (n > 4) strcpy(buf + n - 4, "...");
            return;
        }
        used += (size_t)w;
    }
}

/* see results_read.h */
size_t rr_machine_diff(const json_t *ma, const json_t *mb, rr_mdiff *out, size_t max)
{
    static const char *const exact[] = {"cpu_model", "vendor", "family", "model", "stepping",
                                        "cores", "pus", "numa_nodes", "packages", "kernel",
                                        "compiler"};
    size_t cnt = 0;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        diff_field(ma, mb, exact[i], exact[i], 0, out, max, &cnt);
    /* The TSC rate is calibrated, the core clock measured: both carry noise, a different CPU
     * or power setting moves them by far more. */
    diff_field(ma, mb, "tsc_hz", "tsc_hz", 0.005, out, max, &cnt);
    diff_field(ma, mb, "core_hz_measured", "core_hz_measured", 0.03, out, max, &cnt);
    const json_t *fa = json_object_get(ma, "flags"), *fb = json_object_get(mb, "flags");
    if (json_is_array(fa) || json_is_array(fb)) {
        char a[160], b[160];
        only_in(fa, fb, a, sizeof a);
        only_in(fb, fa, b, sizeof b);
        if (a[0] || b[0])
            add_diff(out, max, &cnt, "flags (only here)", a[0] ? a : "-", b[0] ? b : "-");
    }
    diff_sub(ma, mb, "caches_kib", out, max, &cnt);
    diff_sub(ma, mb, "libraries", out, max, &cnt);
    return cnt;
}

/* see results_read.h */
double rr_core_ghz(const json_t *machine, const char **src)
{
    double hz = rr_num(machine, "core_hz_measured", 0);
    const char *s = "core_hz_measured";
    if (!(hz > 0)) {
        hz = rr_num(machine, "tsc_hz", 0);
        s = "tsc_hz";
    }
    if (!(hz > 0)) return 0;
    if (src) *src = s;
    return hz / 1e9;
}

/* see results_read.h */
void rr_machine_label(const json_t *machine, char *buf, size_t n)
{
    double cores = rr_num(machine, "cores", 0);
    if (cores > 0)
        snprintf(buf, n, "%s (%s, %.0f cores)", rr_str(machine, "hostname", "?"),
                 rr_str(machine, "cpu_model", "unknown CPU"), cores);
    else
        snprintf(buf, n, "%s (%s)", rr_str(machine, "hostname", "?"),
                 rr_str(machine, "cpu_model", "unknown CPU"));
}

/* Regularised incomplete beta I_x(a, b) by its continued fraction (Abramowitz & Stegun 26.5.8),
 * evaluated with the modified Lentz method; the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) keeps x
 * on the side where the fraction converges quickly. */
static double inc_beta(double x, double a, double b)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    if (x > (a + 1) / (a + b + 2)) return 1 - inc_beta(1 - x, b, a);
    const double tiny = 1e-300;
    double lfront = a * log(x) + b * log1p(-x) - (lgamma(a) + lgamma(b) - lgamma(a + b));
    double f = 1, c = 1, d = 0;
    for (int j = 1; j < 400; j++) {
        int m = j / 2;
        double coef = j & 1 ? -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
                            : m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
        d = 1 + coef * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + coef / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        f *= c * d;
        if (fabs(c * d - 1) < 1e-14) break;
    }
    return exp(lfront) / (a * f);
}

/* P(|T| <= t) for Student's t with df degrees of freedom. */
static double t_central(double t, double df)
{
    return 1 - inc_beta(df / (df + t * t), df / 2, 0.5);
}

/* see results_read.h */
double rr_t_quantile(double conf, double df)
{
    double lo = 0, hi = 1;
    while (t_central(hi, df) < conf && hi < 1e12) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (t_central(mid, df) < conf)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2;
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) s += v[i];
    *mean = s / (double)n;
    for (size_t i = 0; i < n; i++) ss += (v[i] - *mean) * (v[i] - *mean);
    *var = ss / (double)(n - 1);
}

/* see results_read.h */
int rr_welch_ci(const double *a, size_t na, const double *b, size_t nb, double conf, double *lo,
                double *hi)
{
    if (na < 2 || nb < 2) return -1;
    double ma, va, mb, vb;
    mean_var(a, na, &ma, &va);
    mean_var(b, nb, &mb, &vb);
    double qa = va / (double)na, qb = vb / (double)nb, se2 = qa + qb, d = mb - ma;
    if (!(se2 > 0)) { /* no spread on either side: the difference is exact */
        *lo = *hi = d;
        return 0;
    }
    /* Welch–Satterthwaite degrees of freedom */
    double df = se2 * se2 / (qa * qa / (double)(na - 1) + qb * qb / (double)(nb - 1));
    double h = rr_t_quantile(conf, df) * sqrt(se2);
    *lo = d - h;
    *hi = d + h;
    return 0;
}
