/* test_cd_select.c — crypto dispatch: CPU feature detection and implementation selection
 * (engine/cd_cpu.c, engine/cd_select.c). Every table entry names a tier whose needs cover the
 * entry's own; auto selection takes the first entry the CPU can run; a forced tier is exact
 * where a kernel of that tier exists and a ceiling otherwise; unknown or unavailable tiers give
 * NULL so callers fail loudly. */
#include <string.h>

#include "cd.h"
#include "th.h"

static const char *const tiers[] = {"scalar", "avx2", "avx512ifma"};

static void check_table(const char *prim, const char *const *names, const uint64_t *needs,
                        unsigned n)
{
    CHECKF(n >= 1 && strcmp(names[n - 1], "scalar") == 0 && needs[n - 1] == 0,
           "%s: the last entry must be the scalar kernel with no needs", prim);
    for (unsigned i = 0; i < n; i++) {
        uint64_t tier = 0;
        CHECKF(cd_isa_needs(names[i], &tier) == 0, "%s: entry %s is not a tier name", prim,
               names[i]);
        CHECKF((needs[i] & ~tier) == 0, "%s %s needs features beyond its tier", prim, names[i]);
    }
}

static void t_tables(void)
{
    const char *names[8];
    uint64_t needs[8];
    for (unsigned i = 0; i < cd_x25519_nimpls && i < 8; i++) {
        names[i] = cd_x25519_impls[i]->name;
        needs[i] = cd_x25519_impls[i]->needs;
    }
    check_table("x25519", names, needs, cd_x25519_nimpls);
    for (unsigned i = 0; i < cd_p256_nimpls && i < 8; i++) {
        names[i] = cd_p256_impls[i]->name;
        needs[i] = cd_p256_impls[i]->needs;
    }
    check_table("p256", names, needs, cd_p256_nimpls);
}

static void t_auto(void)
{
    /* no features at all: scalar; every feature: the first entry */
    CHECK(strcmp(cd_x25519_select(0, NULL)->name, "scalar") == 0);
    CHECK(strcmp(cd_p256_select(0, NULL)->name, "scalar") == 0);
    CHECK(cd_x25519_select(~(uint64_t)0, NULL) == cd_x25519_impls[0]);
    CHECK(cd_p256_select(~(uint64_t)0, NULL) == cd_p256_impls[0]);
    /* this CPU: the first entry whose needs it meets */
    uint64_t have = cd_cpu_features();
    const cd_x25519 *x = cd_x25519_select(have, NULL);
    for (unsigned i = 0; i < cd_x25519_nimpls; i++) {
        if ((cd_x25519_impls[i]->needs & ~have) == 0) {
            CHECK(x == cd_x25519_impls[i]);
            break;
        }
    }
    char buf[256];
    th_note("cpu: %s; x25519=%s p256=%s", cd_cpu_feature_names(have, buf, sizeof buf), x->name,
            cd_p256_select(have, NULL)->name);
}

static void t_forced(void)
{
    uint64_t all = ~(uint64_t)0;
    for (unsigned t = 0; t < sizeof tiers / sizeof *tiers; t++) {
        const cd_x25519 *x = cd_x25519_select(all, tiers[t]);
        const cd_p256 *p = cd_p256_select(all, tiers[t]);
        uint64_t cap;
        CHECK(cd_isa_needs(tiers[t], &cap) == 0);
        CHECKF(x && (x->needs & ~cap) == 0, "x25519 forced %s exceeds the tier", tiers[t]);
        CHECKF(p && (p->needs & ~cap) == 0, "p256 forced %s exceeds the tier", tiers[t]);
        /* exact where the table has that tier */
        for (unsigned i = 0; i < cd_x25519_nimpls; i++)
            if (strcmp(cd_x25519_impls[i]->name, tiers[t]) == 0) CHECK(x == cd_x25519_impls[i]);
        for (unsigned i = 0; i < cd_p256_nimpls; i++)
            if (strcmp(cd_p256_impls[i]->name, tiers[t]) == 0) CHECK(p == cd_p256_impls[i]);
    }
    /* a tier the CPU lacks: NULL when a kernel of that tier exists (never a silent fallback) */
    for (unsigned i = 0; i < cd_x25519_nimpls; i++) {
        const cd_x25519 *im = cd_x25519_impls[i];
        if (im->needs) CHECK(cd_x25519_select(0, im->name) == NULL);
    }
    CHECK(cd_x25519_select(all, "bogus") == NULL);
    CHECK(cd_p256_select(all, "bogus") == NULL);
    const char *why = NULL;
    CHECK(cd_isa_force("bogus", &why) == -1 && why != NULL);
    CHECK(cd_isa_force("scalar", &why) == 0 && strcmp(cd_isa_forced(), "scalar") == 0);
    if ((cd_cpu_features() & CD_NEEDS_AVX512IFMA) != CD_NEEDS_AVX512IFMA) {
        why = NULL;
        CHECK(cd_isa_force("avx512ifma", &why) == -1 && why != NULL);
    }
    CHECK(cd_isa_force("auto", &why) == 0 && cd_isa_forced() == NULL);
}

/* P-256 verification is split by batch size inside the AVX2 entry: three or four signatures
 * run the four-lane kernel, one or two the one-lane BMI2/ADX code (p256_verify_mulx.c), which
 * the scheduler then reaches through the same entry (lanes = 4) for partial sets. So the entry
 * must need BMI2 and ADX, and what auto selection gives this CPU must verify correctly on both
 * sides of the split (and agree with the scalar kernel). */
static void t_p256_verify_split(void)
{
    for (unsigned i = 0; i < cd_p256_nimpls; i++)
        if (!strcmp(cd_p256_impls[i]->name, "avx2"))
            CHECK((cd_p256_impls[i]->needs & CD_NEEDS_MULX) == CD_NEEDS_MULX);
    const cd_p256 *p = cd_p256_select(cd_cpu_features(), NULL);
    const cd_p256 *sc = cd_p256_impls[cd_p256_nimpls - 1];
    uint8_t priv[8][32], pub[8][65], h[8][32], sig[8][64];
    CHECK(p && p->lanes <= 8);
    if (!p || p->lanes > 8) return;
    for (unsigned i = 0; i < 8; i++) {
        memset(priv[i], 0x11 * (i + 1), 32);
        memset(h[i], 0x5a ^ (int)i, 32);
    }
    for (unsigned i = 0; i < 8; i++) {
        CHECK_EQ(sc->keygen(pub + i, (const uint8_t(*)[32])priv + i, 1), 0);
        CHECK_EQ(
            sc->sign(sig + i, (const uint8_t(*)[32])priv + i, (const uint8_t(*)[32])h + i, NULL, 1),
            0);
    }
    for (unsigned n = 1; n <= p->lanes; n++) {
        CHECK_EQ(p->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                           (const uint8_t(*)[64])sig, n),
                 0);
        h[n - 1][7] ^= 1; /* the last lane now fails */
        CHECK_EQ(p->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                           (const uint8_t(*)[64])sig, n),
                 1u << (n - 1));
        CHECK_EQ(sc->verify((const uint8_t(*)[65])pub + n - 1, (const uint8_t(*)[32])h + n - 1,
                            (const uint8_t(*)[64])sig + n - 1, 1),
                 1);
        h[n - 1][7] ^= 1;
    }
    th_note("p256 %s: verify checked for batches of 1..%u", p->name, p->lanes);
}

int main(void)
{
    th_case("tables", t_tables);
    th_case("auto_select", t_auto);
    th_case("forced_tier", t_forced);
    th_case("p256_verify_split", t_p256_verify_split);
    return th_done();
}
