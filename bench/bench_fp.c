/* bench_fp.c — the machine fingerprint written at the top of a results file (see bench.h),
 * and the TSC calibration the commands that time with the TSC share. */
#include <cpuid.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include <hwloc.h>
#include <openssl/crypto.h>

#include "bench.h"
#include "cd.h"

/* see bench.h */
uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void cpu_id(bench_fp *fp)
{
    unsigned a, b, c, d;
    if (__get_cpuid(0, &a, &b, &c, &d)) {
        memcpy(fp->vendor, &b, 4);
        memcpy(fp->vendor + 4, &d, 4);
        memcpy(fp->vendor + 8, &c, 4);
        fp->vendor[12] = 0;
    }
    if (__get_cpuid(1, &a, &b, &c, &d)) {
        /* Intel SDM vol. 2 CPUID leaf 01H: displayed family/model add the extended fields */
        unsigned fam = (a >> 8) & 0xf, model = (a >> 4) & 0xf;
        if (fam == 0xf) fam += (a >> 20) & 0xff;
        if (fam == 0x6 || fam >= 0xf) model |= ((a >> 16) & 0xf) << 4;
        fp->family = (int)fam;
        fp->model = (int)model;
        fp->stepping = (int)(a & 0xf);
    }
    unsigned max = __get_cpuid_max(0x80000000u, NULL);
    if (max >= 0x80000004u) {
        unsigned r[12];
        for (unsigned i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &r[4 * i], &r[4 * i + 1], &r[4 * i + 2], &r[4 * i + 3]);
        memcpy(fp->brand, r, 48);
        fp->brand[48] = 0;
        /* trim the padding some CPUs put around the name */
        char *s = fp->brand;
        while (*s == ' ') s++;
        memmove(fp->brand, s, strlen(s) + 1);
        for (size_t n = strlen(fp->brand); n && fp->brand[n - 1] == ' '; n--) fp->brand[n - 1] = 0;
    }
}

/* see bench.h */
double bench_tsc_hz(unsigned ms)
{
    uint64_t n0 = bench_now_ns(), t0 = __rdtsc(), n1;
    while ((n1 = bench_now_ns()) - n0 < (uint64_t)ms * 1000000u) {
    }
    uint64_t t1 = __rdtsc();
    return (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
}

/* Core clock: a chain of dependent register adds retires one per cycle on every x86 core of
 * the last twenty years (latency 1), so adds / seconds = cycles / second, whatever the TSC
 * rate. Best of several tries (an interruption only lowers the estimate). */
static double core_hz(double tsc)
{
    double best = 0;
    for (int k = 0; k < 7; k++) {
        uint64_t x = 0;
        const long iters = 200000; /* x 100 adds = 2e7 cycles, ~5 ms */
        uint64_t t0 = __rdtsc();
        for (long i = 0; i < iters; i++) {
#define A10 "add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t" \
            "add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t add $1, %0\n\t"
            __asm__ volatile(A10 A10 A10 A10 A10 A10 A10 A10 A10 A10 : "+r"(x));
#undef A10
        }
        uint64_t t1 = __rdtsc();
        double hz = (double)x / ((double)(t1 - t0) / tsc);
        if (hz > best) best = hz;
    }
    return best;
}

/* see bench.h */
void bench_fp_get(bench_fp *fp)
{
    memset(fp, 0, sizeof *fp);
    if (gethostname(fp->hostname, sizeof fp->hostname - 1) != 0)
        snprintf(fp->hostname, sizeof fp->hostname, "unknown");
    cpu_id(fp);
    cd_cpu_feature_names(cd_cpu_features(), fp->flags, sizeof fp->flags);
    struct utsname u;
    if (uname(&u) == 0)
        snprintf(fp->kernel, sizeof fp->kernel, "%.64s %.64s %.64s", u.sysname, u.release,
                 u.machine);
#ifdef __clang__
    snprintf(fp->compiler, sizeof fp->compiler, "clang %d.%d.%d", __clang_major__, __clang_minor__,
             __clang_patchlevel__);
#else
    snprintf(fp->compiler, sizeof fp->compiler, "gcc %s", __VERSION__);
#endif
    snprintf(fp->openssl, sizeof fp->openssl, "%s", OpenSSL_version(OPENSSL_VERSION_STRING));
    snprintf(fp->ipsec_mb, sizeof fp->ipsec_mb, "%s", cd_sym_version());
    unsigned v = hwloc_get_api_version();
    snprintf(fp->hwloc, sizeof fp->hwloc, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
    fp->tsc_hz = bench_tsc_hz(100);
    fp->core_hz = core_hz(fp->tsc_hz);
}

/* see bench.h */
json_t *bench_machine_json(const bench_fp *fp, const workers_topo *t)
{
    json_t *flags = json_array();
    char buf[sizeof fp->flags];
    snprintf(buf, sizeof buf, "%s", fp->flags);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
        json_array_append_new(flags, json_string(tok));
    json_t *m = json_object();
    json_object_set_new(m, "hostname", json_string(fp->hostname));
    json_object_set_new(m, "cpu_model", json_string(fp->brand[0] ? fp->brand : t->cpu_model));
    json_object_set_new(m, "vendor", json_string(fp->vendor));
    json_object_set_new(m, "family", json_integer(fp->family));
    json_object_set_new(m, "model", json_integer(fp->model));
    json_object_set_new(m, "stepping", json_integer(fp->stepping));
    json_object_set_new(m, "flags", flags);
    json_object_set_new(m, "cores", json_integer(t->cores));
    json_object_set_new(m, "pus", json_integer(t->pus));
    json_object_set_new(m, "numa_nodes", json_integer(t->numa_nodes));
    json_object_set_new(m, "packages", json_integer(t->packages));
    json_object_set_new(m, "caches_kib",
                        json_pack("{s:I,s:I,s:I}", "l1d", (json_int_t)(t->l1d_bytes / 1024), "l2",
                                  (json_int_t)(t->l2_bytes / 1024), "l3",
                                  (json_int_t)(t->l3_bytes / 1024)));
    json_object_set_new(m, "tsc_hz", json_real(fp->tsc_hz));
    json_object_set_new(m, "core_hz_measured", json_real(fp->core_hz));
    json_object_set_new(m, "kernel", json_string(fp->kernel));
    json_object_set_new(m, "compiler", json_string(fp->compiler));
    json_object_set_new(m, "libraries", json_pack("{s:s,s:s,s:s}", "openssl", fp->openssl,
                                                  "ipsec_mb", fp->ipsec_mb, "hwloc", fp->hwloc));
    return m;
}
