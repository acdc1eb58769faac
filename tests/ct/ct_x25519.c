/* ct_x25519.c — ctgrind check of the X25519 kernels: private keys and peer points are marked
 * undefined for memcheck, so any branch or memory index that depends on them is reported.
 * Runs keygen and derive on every implementation this CPU (as valgrind presents it) supports,
 * in full and partial batches, then declassifies the outputs and checks RFC 7748 §6.1 answers
 * so that a broken kernel also fails the run. */
#include <stdio.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "th.h"

#define MAXL 16

static const cd_x25519 *im;

static void t_ct(void)
{
    uint8_t priv[2][32], pub[2][32], shared[32];
    uint8_t p[MAXL][32], q[MAXL][32], out[MAXL][32];
    /* RFC 7748 §6.1 */
    th_unhex_n("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv[0], 32);
    th_unhex_n("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pub[0], 32);
    th_unhex_n("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", priv[1], 32);
    th_unhex_n("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pub[1], 32);
    th_unhex_n("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", shared, 32);
    /* a full batch and a partial one (the padded-lane path) */
    unsigned sizes[2] = {im->lanes, im->lanes > 1 ? im->lanes - 1 : 1};
    for (int s = 0; s < 2; s++) {
        unsigned n = sizes[s];
        for (unsigned i = 0; i < n; i++) {
            memcpy(p[i], priv[i & 1], 32);
            memcpy(q[i], pub[(i & 1) ^ 1], 32);
        }
        CT_SECRET(p, sizeof p);
        CT_SECRET(q, sizeof q);
        uint32_t bad = im->keygen(out, (const uint8_t(*)[32])p, n);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(out, sizeof out);
        CHECK_EQ(bad, 0);
        for (unsigned i = 0; i < n; i++) CHECK_MEM(out[i], pub[i & 1], 32);

        bad = im->derive(out, (const uint8_t(*)[32])p, (const uint8_t(*)[32])q, n);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(out, sizeof out);
        CHECK_EQ(bad, 0);
        for (unsigned i = 0; i < n; i++) CHECK_MEM(out[i], shared, 32);

        /* a small-order peer (u = 0) in lane 0: the all-zero check itself must be constant time */
        memset(q[0], 0, 32);
        CT_SECRET(q, sizeof q);
        bad = im->derive(out, (const uint8_t(*)[32])p, (const uint8_t(*)[32])q, n);
        CT_PUBLIC(&bad, sizeof bad);
        CT_PUBLIC(out, sizeof out);
        CHECK_EQ(bad, 1);
        for (unsigned i = 1; i < n; i++) CHECK_MEM(out[i], shared, 32);
        CT_PUBLIC(p, sizeof p);
        CT_PUBLIC(q, sizeof q);
    }
}

static void t_unavailable(void)
{
    printf("x25519 %s UNAVAILABLE\n", im->name);
    th_skip("this CPU lacks the features the %s kernel needs", im->name);
}

int main(void)
{
    uint64_t cpu = cd_cpu_features();
    char name[64];
    /* valgrind 3.19 hides ADX in CPUID (it cannot execute adcx/adox) although it runs AVX2 and
     * BMI2. The X25519 kernels never use ADX (CD_NEEDS_AVX2 lists it for the -madx flag the
     * Makefile gives every _avx2.c file); should one ever execute, valgrind stops with SIGILL
     * and this check fails, which is what we want. */
    if (RUNNING_ON_VALGRIND && (cpu & CD_F_AVX2)) {
        cpu |= CD_F_ADX;
        printf("x25519: under valgrind, ADX treated as present (not used by these kernels)\n");
    }
    for (unsigned k = 0; k < cd_x25519_nimpls; k++) {
        im = cd_x25519_impls[k];
        snprintf(name, sizeof name, "ct_x25519_%s", im->name);
        th_case(name, (im->needs & ~cpu) || im->lanes > MAXL ? t_unavailable : t_ct);
    }
    return th_done();
}
