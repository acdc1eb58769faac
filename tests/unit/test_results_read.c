/* test_results_read.c — the statistics and parsing behind `mbshake compare`/`report`
 * (bench/results_read.c, compiled into this test: the Makefile links unit tests against the
 * engine library only): Student-t quantiles against tabulated values, Welch intervals against a
 * hand computation, stat objects with and without derived fields, run keys, machine
 * differences with the noise tolerance of measured clocks. */
#include <math.h>
#include <string.h>

#include "../../bench/results_read.c"
#include "th.h"

static int near(double x, double want, double rel)
{
    return fabs(x - want) <= rel * fabs(want);
}

static void t_t_quantile(void)
{
    /* two-sided 95% and 99% critical values, from standard t tables */
    static const struct { double conf, df, t; } tab[] = {
        {0.95, 1, 12.7062}, {0.95, 2, 4.3027}, {0.95, 4, 2.7764}, {0.95, 8, 2.3060},
        {0.95, 10, 2.2281}, {0.95, 30, 2.0423}, {0.99, 5, 4.0321}, {0.95, 1e6, 1.9600},
    };
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++) {
        double q = rr_t_quantile(tab[i].conf, tab[i].df);
        CHECKF(near(q, tab[i].t, 2e-4), "t(%.2f, df=%g) = %.5f, want %.4f", tab[i].conf,
               tab[i].df, q, tab[i].t);
    }
    /* fractional degrees of freedom (Welch) lie between their neighbours */
    double q = rr_t_quantile(0.95, 4.5);
    CHECK(q < 2.7764 && q > 2.5706);
}

static void t_welch(void)
{
    const double a[] = {10, 11, 9, 10, 10}, b[] = {12, 13, 12, 11, 12};
    double lo, hi;
    CHECK_EQ(rr_welch_ci(a, 5, b, 5, 0.95, &lo, &hi), 0);
    /* means 10 and 12, variances 0.5 and 0.5: se = sqrt(0.2), df = 8, t = 2.3060 */
    double h = 2.3060 * sqrt(0.2);
    CHECKF(near(lo, 2 - h, 1e-3) && near(hi, 2 + h, 1e-3), "[%g, %g]", lo, hi);
    /* no spread at all: an exact difference */
    const double c[] = {5, 5, 5}, d[] = {7, 7};
    CHECK_EQ(rr_welch_ci(c, 3, d, 2, 0.95, &lo, &hi), 0);
    CHECK(lo == 2 && hi == 2);
    /* one repetition: undefined */
    CHECK_EQ(rr_welch_ci(c, 1, d, 2, 0.95, &lo, &hi), -1);
}

static void t_stat(void)
{
    json_error_t e;
    json_t *run = json_loads("{\"a\": {\"median\": 5, \"n\": 3, \"values\": [4, 5, 9]},"
                             " \"b\": {\"values\": [3, 1, 2, 4]},"
                             " \"lat\": {\"handshake\": {\"p99\": {\"median\": 7}}},"
                             " \"bad\": {\"values\": [1, \"x\"]}, \"none\": {\"n\": 2}}",
                             0, &e);
    CHECK(run != NULL);
    rr_stat s;
    CHECK_EQ(rr_stat_at(run, "a", &s), 0);
    CHECK(s.median == 5 && s.nv == 3 && s.n == 3 && s.min == 4 && s.max == 9 && s.mean == 6);
    CHECK_EQ(rr_stat_at(run, "b", &s), 0); /* everything derived from the values */
    CHECK(s.median == 2.5 && s.min == 1 && s.max == 4 && s.n == 4 && near(s.stdev, 1.29099, 1e-4));
    CHECK_EQ(rr_stat_at(run, "lat.handshake.p99", &s), 0);
    CHECK(s.median == 7 && s.nv == 0);
    CHECK_EQ(rr_stat_at(run, "lat.handshake.p50", &s), -1);
    CHECK_EQ(rr_stat_at(run, "bad", &s), -1);
    CHECK_EQ(rr_stat_at(run, "none", &s), -1);
    CHECK_EQ(rr_stat_at(run, "a.median", &s), -1);
    rr_stat_at(run, "a", &s);
    rr_stat_scale(&s, 0.5);
    CHECK(s.median == 2.5 && s.v[2] == 4.5 && s.max == 4.5);
    json_decref(run);
}

static void t_key(void)
{
    json_t *r1 = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i}", "engine", "mbshake", "suite", "S",
                           "group", "x25519", "cert", "c", "verify", "full", "threads", 1,
                           "inflight", 64);
    json_t *r2 = json_deep_copy(r1);
    rr_key a, b;
    CHECK_EQ(rr_run_key(r1, &a), 0);
    json_object_set_new(r2, "threads", json_integer(2));
    json_object_set_new(r2, "engine", json_string("openssl"));
    CHECK_EQ(rr_run_key(r2, &b), 0);
    CHECK(!rr_key_eq(&a, &b, 0));
    CHECK(!rr_key_eq(&a, &b, RR_IGN_THREADS));
    CHECK(rr_key_eq(&a, &b, RR_IGN_THREADS | RR_IGN_ENGINE));
    json_object_set_new(r2, "threads", json_real(2.0)); /* not an integer */
    CHECK_EQ(rr_run_key(r2, &b), -1);
    json_decref(r1);
    json_decref(r2);
}

static void t_machine(void)
{
    json_t *a = json_pack("{s:s,s:s,s:i,s:f,s:f,s:[s,s],s:{s:s}}", "hostname", "h1",
                          "cpu_model", "X", "cores", 2, "tsc_hz", 2.1e9, "core_hz_measured", 3.2e9,
                          "flags", "avx2", "sha", "libraries", "openssl", "3.0");
    json_t *b = json_deep_copy(a);
    rr_mdiff d[8];
    json_object_set_new(b, "hostname", json_string("h2"));
    json_object_set_new(b, "core_hz_measured", json_real(3.25e9)); /* within 3%: noise */
    CHECK_EQ(rr_machine_diff(a, b, d, 8), 0);
    json_object_set_new(b, "core_hz_measured", json_real(3.6e9));
    json_object_set_new(b, "flags", json_pack("[s,s]", "avx2", "avx512f"));
    json_object_set_new(json_object_get(b, "libraries"), "openssl", json_string("3.1"));
    size_t n = rr_machine_diff(a, b, d, 8);
    CHECK_EQ(n, 3);
    CHECK(!strcmp(d[0].field, "core_hz_measured"));
    CHECK(!strcmp(d[1].field, "flags (only here)") && !strcmp(d[1].a, "sha") &&
          !strcmp(d[1].b, "avx512f"));
    CHECK(!strcmp(d[2].field, "libraries.openssl") && !strcmp(d[2].b, "3.1"));
    const char *src = NULL;
    CHECK(near(rr_core_ghz(b, &src), 3.6, 1e-9) && !strcmp(src, "core_hz_measured"));
    json_object_del(b, "core_hz_measured");
    CHECK(near(rr_core_ghz(b, &src), 2.1, 1e-9) && !strcmp(src, "tsc_hz"));
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    th_case("t_quantile", t_t_quantile);
    th_case("welch_ci", t_welch);
    th_case("stat_at", t_stat);
    th_case("run_key", t_key);
    th_case("machine_diff", t_machine);
    return th_done();
}
