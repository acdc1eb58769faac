/* cd_cpu.c — CPU feature detection (cpuid + xgetbv) and forced-ISA handling. cpuid bits alone
 * are not enough: the OS must have enabled YMM/ZMM state in XCR0 (crypto_mb, ipsec-mb). */
#include <cpuid.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"

static uint64_t xcr0(void)
{
    uint32_t a, d;
    __asm__ volatile("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
    return ((uint64_t)d << 32) | a;
}

static uint64_t detect(void)
{
    unsigned a, b, c, d;
    uint64_t f = 0;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d)) return 0;
    if (c & bit_AES) f |= CD_F_AES;
    if (c & bit_PCLMUL) f |= CD_F_PCLMUL;
    if (!(c & bit_OSXSAVE)) return f;
    uint64_t x = xcr0();
    if ((x & 0x06) == 0x06 && (c & bit_AVX)) f |= CD_F_OS_YMM;
    if ((x & 0xe6) == 0xe6) f |= CD_F_OS_ZMM;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return f;
    if (b & bit_AVX2) f |= CD_F_AVX2;
    if (b & bit_BMI2) f |= CD_F_BMI2;
    if (b & bit_ADX) f |= CD_F_ADX;
    if (b & bit_SHA) f |= CD_F_SHA;
    if (b & bit_AVX512F) f |= CD_F_AVX512F;
    if (b & bit_AVX512VL) f |= CD_F_AVX512VL;
    if (b & bit_AVX512BW) f |= CD_F_AVX512BW;
    if (b & bit_AVX512DQ) f |= CD_F_AVX512DQ;
    if (b & bit_AVX512IFMA) f |= CD_F_AVX512IFMA;
    if (c & bit_VAES) f |= CD_F_VAES;
    if (c & bit_VPCLMULQDQ) f |= CD_F_VPCLMUL;
    return f;
}

/* see cd.h */
uint64_t cd_cpu_features(void)
{
    static uint64_t cached;
    static int done;
    if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        cached = detect();
        __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    }
    return cached;
}

/* see cd.h */
const char *cd_cpu_feature_names(uint64_t f, char *buf, size_t cap)
{
    static const struct { uint64_t bit; const char *name; } names[] = {
        {CD_F_OS_YMM, "os_ymm"},   {CD_F_OS_ZMM, "os_zmm"},         {CD_F_AVX2, "avx2"},
        {CD_F_BMI2, "bmi2"},       {CD_F_ADX, "adx"},               {CD_F_AVX512F, "avx512f"},
        {CD_F_AVX512VL, "avx512vl"}, {CD_F_AVX512BW, "avx512bw"},   {CD_F_AVX512DQ, "avx512dq"},
        {CD_F_AVX512IFMA, "avx512ifma"}, {CD_F_AES, "aes"},         {CD_F_PCLMUL, "pclmul"},
        {CD_F_SHA, "sha"},         {CD_F_VAES, "vaes"},             {CD_F_VPCLMUL, "vpclmulqdq"},
    };
    size_t len = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        if (!(f & names[i].bit)) continue;
        int w = snprintf(buf + len, cap - len, "%s%s", len ? "," : "", names[i].name);
        if (w < 0 || (size_t)w >= cap - len) break;
        len += (size_t)w;
    }
    return buf;
}

static const char *forced;
static int forced_init;

static const struct {
    const char *name;
    uint64_t needs;
} isas[] = {{"scalar", 0}, {"avx2", CD_NEEDS_AVX2}, {"avx512ifma", CD_NEEDS_AVX512IFMA}};

/* see cd.h */
int cd_isa_needs(const char *name, uint64_t *needs)
{
    for (size_t i = 0; i < sizeof isas / sizeof *isas; i++) {
        if (strcmp(name, isas[i].name) == 0) {
            *needs = isas[i].needs;
            return 0;
        }
    }
    return -1;
}

/* see cd.h */
int cd_isa_force(const char *name, const char **why)
{
    forced_init = 1;
    if (!name || !*name || !strcmp(name, "auto")) {
        forced = NULL;
        return 0;
    }
    for (size_t i = 0; i < sizeof isas / sizeof *isas; i++) {
        if (strcmp(name, isas[i].name)) continue;
        if ((isas[i].needs & ~cd_cpu_features()) != 0) {
            if (why) *why = "this CPU (or the OS, per XCR0) lacks the features that ISA needs";
            return -1;
        }
        forced = isas[i].name;
        return 0;
    }
    if (why) *why = "unknown ISA name (use scalar, avx2, avx512ifma or auto)";
    return -1;
}

/* see cd.h */
const char *cd_isa_forced(void)
{
    if (!forced_init) {
        const char *env = getenv("MBSHAKE_ISA");
        const char *why = NULL;
        if (cd_isa_force(env, &why) != 0) {
            fprintf(stderr, "mbshake: MBSHAKE_ISA=%s: %s\n", env, why);
            exit(2);
        }
    }
    return forced;
}
