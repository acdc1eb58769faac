/* test_sched_policy.c — the partial-set policy of the batch scheduler (sched_batch.h,
 * sched_cfg.partial): a partial set runs either as one padded wide call or as one-lane calls
 * of the scalar kernel. Whatever runs, outputs equal the scalar kernel's at n = 1 and exactly
 * the invalid op fails; under auto the choice agrees with the recorded estimates; full sets
 * always run wide; the narrow runs are counted. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cd.h"
#include "sched_batch.h"
#include "th.h"
#include "sched_ops.h"



static const eng_op_kind kinds[] = {ENG_OP_X25519_KEYGEN, ENG_OP_X25519_DERIVE, ENG_OP_P256_KEYGEN,
                                    ENG_OP_P256_DERIVE,   ENG_OP_P256_SIGN,     ENG_OP_P256_VERIFY};
#define NK (sizeof kinds / sizeof *kinds)

static sched *mk_sched(sched_partial pol, uint64_t max_wait)
{
    char err[200] = "";
    sched_cfg cfg = {.max_wait = max_wait};
    sched *s = sched_new(&cfg, err, sizeof err);
    CHECKF(s != NULL, "sched_new: %s", err);
    if (s) CHECK_EQ(sched_set_partial(s, pol), 0);
    return s;
}

/* Whether the default kernels have a narrow path at all (a wide table kernel on this CPU). */
static int have_narrow(void)
{
    sched *s = mk_sched(SCHED_PARTIAL_WIDE, UINT64_MAX);
    if (!s) return 0;
    int any = 0;
    for (size_t i = 0; i < NK; i++)
        any |= sched_partial_cost(s, kinds[i], NULL, NULL, NULL);
    sched_free(s);
    if (!any) th_skip("no kernel wider than one lane (this CPU or the forced ISA): no partial sets");
    return any;
}

/* A partial set of lanes - 1 ops (op 1 invalid) forced through; returns the kind's stats. */
static void partial_set(sched_partial pol, const char *what, int want_narrow)
{
    sched *s = mk_sched(pol, UINT64_MAX);
    if (!s) return;
    for (size_t ki = 0; ki < NK; ki++) {
        eng_op_kind k = kinds[ki];
        const sched_kind_stats *st = sched_stats(s, k);
        unsigned n = st->lanes - 1;
        if (!sched_partial_cost(s, k, NULL, NULL, NULL) || n == 0) continue;
        sop *o = calloc(n, sizeof *o);
        for (unsigned i = 0; i < n; i++) {
            mk_op(&o[i], k, i == 1, 1);
            CHECK_EQ(sched_submit(s, &o[i].op, (uintptr_t)i), 0);
        }
        CHECK_EQ(sched_flush(s, sched_tsc(), 1), (int)n);
        unsigned fails = 0;
        for (unsigned i = 0; i < n; i++) {
            uintptr_t tag = 99;
            uint64_t t = 0;
            eng_op *op = sched_next_done(s, &t, &tag);
            CHECKF(op == &o[i].op && tag == i, "%s %s: op %u out of order", what, eng_op_name(k), i);
            check_op(&o[i], what);
            fails += o[i].op.failed;
            CHECKF(o[i].op.failed == (i == 1 && k != ENG_OP_X25519_KEYGEN),
                   "%s %s: op %u failed=%d", what, eng_op_name(k), i, o[i].op.failed);
        }
        CHECK(sched_next_done(s, NULL, NULL) == NULL);
        CHECK_EQ(st->ops, n);
        CHECK_EQ(st->forced, 1);
        CHECK_EQ(st->full, 0);
        CHECK_EQ(st->failed, fails);
        CHECK_EQ(st->narrow, (uint64_t)want_narrow);
        CHECK_EQ(st->calls, 1); /* one lane-set run either way (header: a narrow run counts once) */
        free(o);
    }
    sched_free(s);
}

static void t_always_narrow(void)
{
    if (have_narrow()) partial_set(SCHED_PARTIAL_NARROW, "always-narrow", 1);
}

static void t_always_wide(void)
{
    if (have_narrow()) partial_set(SCHED_PARTIAL_WIDE, "always-wide", 0);
}

/* Signing ops with and without §3.6 data in one partial set, on the narrow path. */
static void t_narrow_sign_mixed_extra(void)
{
    if (!have_narrow()) return;
    sched *s = mk_sched(SCHED_PARTIAL_NARROW, UINT64_MAX);
    if (!s || sched_stats(s, ENG_OP_P256_SIGN)->lanes < 3) {
        if (s) th_skip("P-256 kernel narrower than 3 lanes");
        sched_free(s);
        return;
    }
    sop o[2];
    mk_op(&o[0], ENG_OP_P256_SIGN, 0, 1);
    mk_op(&o[1], ENG_OP_P256_SIGN, 0, 0);
    CHECK(memcmp(o[0].want, o[1].want, 64) != 0);
    for (int i = 0; i < 2; i++)
        CHECK_EQ(sched_submit(s, &o[i].op, 0), 0);
    CHECK_EQ(sched_flush(s, 0, 1), 2);
    for (int i = 0; i < 2; i++)
        check_op(&o[i], "narrow sign");
    CHECK_EQ(sched_stats(s, ENG_OP_P256_SIGN)->narrow, 1);
    sched_free(s);
}

/* Verifications that carry key tables (--verify cached) run on the wide kernel's verify_tab
 * even under the always-narrow policy (the one-lane code has no tables), with the right
 * results, one of them invalid; without tables the same set goes narrow. */
static void t_narrow_skips_tables(void)
{
    if (!have_narrow()) return;
    sched *s = mk_sched(SCHED_PARTIAL_NARROW, UINT64_MAX);
    const cd_p256 *p = cd_p256_select(cd_cpu_features(), cd_isa_forced());
    if (!s || !p || !p->key_table_new || sched_stats(s, ENG_OP_P256_VERIFY)->lanes < 3) {
        th_skip("the selected P-256 kernel makes no key tables or is narrower than 3 lanes");
        sched_free(s);
        return;
    }
    for (int with = 1; with >= 0; with--) {
        sop o[2];
        void *tab[2] = {NULL, NULL};
        uint64_t narrow0 = sched_stats(s, ENG_OP_P256_VERIFY)->narrow;
        for (int i = 0; i < 2; i++) {
            mk_op(&o[i], ENG_OP_P256_VERIFY, i == 1, 1);
            tab[i] = with ? p->key_table_new(o[i].a) : NULL;
            CHECK(!with || tab[i]);
            o[i].op.key = tab[i];
            CHECK_EQ(sched_submit(s, &o[i].op, (uintptr_t)i), 0);
        }
        CHECK_EQ(sched_flush(s, 0, 1), 2);
        for (int i = 0; i < 2; i++) check_op(&o[i], with ? "tables" : "no tables");
        CHECK_EQ(sched_stats(s, ENG_OP_P256_VERIFY)->narrow - narrow0, with ? 0u : 1u);
        for (int i = 0; i < 2; i++)
            if (tab[i]) p->key_table_free(tab[i]);
    }
    sched_free(s);
}

/* The expected auto choice from the recorded estimates (the header's rule). */
static int auto_choice(const sched *s, eng_op_kind k, unsigned n)
{
    uint64_t w1 = 0, wf = 0, nc = 0;
    sched_partial_cost(s, k, &w1, &wf, &nc);
    unsigned lanes = sched_stats(s, k)->lanes;
    uint64_t w = wf > w1 ? w1 + (wf - w1) * (n - 1) / (lanes - 1) : w1;
    return nc && w1 && (uint64_t)n * nc < w;
}

static double ms_since(const struct timespec *a)
{
    struct timespec b;
    clock_gettime(CLOCK_MONOTONIC, &b);
    return (double)(b.tv_sec - a->tv_sec) * 1e3 + (double)(b.tv_nsec - a->tv_nsec) / 1e6;
}

/* The first scheduler of the process measures the estimates, the next ones reuse them. */
static void t_first_sched_new_calibrates(void)
{
    /* the kernels' own one-time set-up (base-point tables, built at first use) is not the
     * calibration's: run every kernel once first */
    uint8_t k[1][32] = {{1}}, o65[1][65];
    for (unsigned i = 0; i < cd_x25519_nimpls; i++)
        if ((cd_x25519_impls[i]->needs & ~cd_cpu_features()) == 0)
            cd_x25519_impls[i]->keygen((r32)o65, (c32)k, 1);
    for (unsigned i = 0; i < cd_p256_nimpls; i++)
        if ((cd_p256_impls[i]->needs & ~cd_cpu_features()) == 0)
            cd_p256_impls[i]->keygen(o65, (c32)k, 1);
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    sched *s = sched_new(NULL, NULL, 0);
    double first = ms_since(&t);
    clock_gettime(CLOCK_MONOTONIC, &t);
    sched *s2 = sched_new(NULL, NULL, 0);
    double second = ms_since(&t);
    CHECK(s && s2);
    th_note("sched_new: first %.3f ms (measures the estimates), second %.3f ms (reuses them)", first, second);
    sched_free(s);
    sched_free(s2);
}

static void t_auto_follows_estimates(void)
{
    if (!have_narrow()) return;
    sched *s = mk_sched(SCHED_PARTIAL_AUTO, 0); /* max_wait 0: every flush runs every set */
    if (!s) return;
    int narrowed = 0;
    for (size_t ki = 0; ki < NK; ki++) {
        eng_op_kind k = kinds[ki];
        uint64_t w1 = 0, wf = 0, nc = 0;
        if (!sched_partial_cost(s, k, &w1, &wf, &nc)) continue;
        const sched_kind_stats *st = sched_stats(s, k);
        CHECKF(w1 > 0 && wf > 0 && nc > 0, "%s: estimates %llu %llu %llu", eng_op_name(k),
               (unsigned long long)w1, (unsigned long long)wf, (unsigned long long)nc);
        th_note("%-13s %-6s x%u: wide 1 op %7llu, wide full %7llu, narrow %7llu ticks", eng_op_name(k),
                st->impl, st->lanes, (unsigned long long)w1, (unsigned long long)wf,
                (unsigned long long)nc);
        /* 1 op, through the deadline path; then lanes - 1 ops, forced */
        uint64_t want = (uint64_t)auto_choice(s, k, 1);
        sop o[SCHED_MAX_LANES];
        mk_op(&o[0], k, 0, 1);
        CHECK_EQ(sched_submit(s, &o[0].op, 0), 0);
        CHECK_EQ(sched_flush(s, sched_tsc(), 0), 1);
        CHECK(sched_next_done(s, NULL, NULL) == &o[0].op);
        check_op(&o[0], "auto 1 op");
        CHECK_EQ(st->deadline, 1);
        CHECKF(st->narrow == want, "%s: 1 op went %s, estimates say %s", eng_op_name(k),
               st->narrow ? "narrow" : "wide", want ? "narrow" : "wide");
        narrowed += (int)st->narrow;
        unsigned n = st->lanes - 1;
        want += (uint64_t)auto_choice(s, k, n);
        for (unsigned i = 0; i < n; i++) {
            mk_op(&o[i], k, 0, 1);
            CHECK_EQ(sched_submit(s, &o[i].op, 0), 0);
        }
        CHECK_EQ(sched_flush(s, 0, 1), (int)n);
        for (unsigned i = 0; i < n; i++) {
            CHECK(sched_next_done(s, NULL, NULL) == &o[i].op);
            check_op(&o[i], "auto partial");
        }
        CHECK_EQ(st->narrow, want);
        CHECK_EQ(st->forced, 1);
    }
    th_note("%d of %zu kinds ran a 1-op set narrow", narrowed, NK);
    /* the estimates are shared: a second scheduler of the same kernels has the same ones */
    sched *s2 = mk_sched(SCHED_PARTIAL_AUTO, 0);
    for (size_t ki = 0; s2 && ki < NK; ki++) {
        uint64_t e1[3], e2[3];
        sched_partial_cost(s, kinds[ki], &e1[0], &e1[1], &e1[2]);
        sched_partial_cost(s2, kinds[ki], &e2[0], &e2[1], &e2[2]);
        CHECK(memcmp(e1, e2, sizeof e1) == 0);
    }
    sched_free(s2);
    sched_free(s);
}

/* Full sets run wide whatever the policy, in the submit that fills them. */
static void t_full_sets_wide(void)
{
    if (!have_narrow()) return;
    sched *s = mk_sched(SCHED_PARTIAL_NARROW, UINT64_MAX);
    if (!s) return;
    for (size_t ki = 0; ki < NK; ki++) {
        eng_op_kind k = kinds[ki];
        const sched_kind_stats *st = sched_stats(s, k);
        unsigned n = st->lanes;
        sop *o = calloc(n, sizeof *o);
        for (unsigned i = 0; i < n; i++) {
            mk_op(&o[i], k, i == 0, 1);
            CHECK_EQ(sched_submit(s, &o[i].op, 0), i + 1 == n ? (int)n : 0);
        }
        CHECK_EQ(sched_flush(s, 0, 1), 0);
        for (unsigned i = 0; i < n; i++) {
            CHECK(sched_next_done(s, NULL, NULL) == &o[i].op);
            check_op(&o[i], "full set");
        }
        CHECK_EQ(st->full, 1);
        CHECK_EQ(st->calls, 1);
        CHECK_EQ(st->narrow, 0);
        free(o);
    }
    sched_free(s);
}

/* A caller's own kernel (not in cd_*_impls) has no narrow path: it runs as given. */
static void t_own_kernel_runs_as_given(void)
{
    if (!have_narrow()) return;
    const cd_x25519 *xw = cd_x25519_select(cd_cpu_features(), NULL);
    cd_x25519 mine = *xw;
    sched_cfg cfg = {.max_wait = UINT64_MAX, .x25519 = &mine};
    char err[200] = "";
    sched *s = sched_new(&cfg, err, sizeof err);
    CHECKF(s != NULL, "sched_new: %s", err);
    if (!s) return;
    CHECK_EQ(sched_set_partial(s, SCHED_PARTIAL_NARROW), 0);
    CHECK_EQ(sched_partial_cost(s, ENG_OP_X25519_DERIVE, NULL, NULL, NULL), 0);
    if (mine.lanes > 1) {
        sop o;
        mk_op(&o, ENG_OP_X25519_DERIVE, 0, 1);
        CHECK_EQ(sched_submit(s, &o.op, 0), 0);
        CHECK_EQ(sched_flush(s, 0, 1), 1);
        check_op(&o, "own kernel");
        CHECK_EQ(sched_stats(s, ENG_OP_X25519_DERIVE)->narrow, 0);
    }
    sched_free(s);
}

static void t_bad_policy_refused(void)
{
    sched *s = mk_sched(SCHED_PARTIAL_WIDE, 0);
    if (!s) return;
    CHECK_EQ(sched_set_partial(s, (sched_partial)7), ENG_E_STATE);
    CHECK_EQ(sched_set_partial(s, (sched_partial)-1), ENG_E_STATE);
    /* the policy in force is unchanged: a 1-op set on a wide kernel still runs wide */
    sop o;
    mk_op(&o, ENG_OP_X25519_KEYGEN, 0, 1);
    CHECK_EQ(sched_submit(s, &o.op, 0), sched_stats(s, ENG_OP_X25519_KEYGEN)->lanes == 1);
    sched_flush(s, 0, 1);
    check_op(&o, "bad policy");
    CHECK_EQ(sched_stats(s, ENG_OP_X25519_KEYGEN)->narrow, 0);
    sched_free(s);
}

/* sched_stats_add sums the narrow runs (merging workers). */
static void t_stats_add_narrow(void)
{
    if (!have_narrow()) return;
    sched *s = mk_sched(SCHED_PARTIAL_NARROW, 0);
    if (!s) return;
    sop o;
    mk_op(&o, ENG_OP_X25519_KEYGEN, 0, 1);
    if (sched_stats(s, ENG_OP_X25519_KEYGEN)->lanes > 1) {
        CHECK_EQ(sched_submit(s, &o.op, 0), 0);
        CHECK_EQ(sched_flush(s, sched_tsc(), 0), 1);
        check_op(&o, "stats");
    }
    const sched_kind_stats *st = sched_stats(s, ENG_OP_X25519_KEYGEN);
    sched_kind_stats m = {0};
    sched_stats_add(&m, st);
    sched_stats_add(&m, st);
    CHECK_EQ(m.narrow, 2 * st->narrow);
    CHECK_EQ(m.deadline, 2 * st->deadline);
    sched_free(s);
}

/* A forced tier is a ceiling: under avx2 the scalar narrow path stays; under scalar every
 * kernel is one lane, so no set is ever partial and there is nothing to choose. */
static void t_forced_isa(void)
{
    const char *why = NULL;
    if (cd_isa_force("avx2", &why) == 0) {
        sched *s = mk_sched(SCHED_PARTIAL_AUTO, UINT64_MAX);
        if (s) {
            CHECK_EQ(sched_stats(s, ENG_OP_P256_DERIVE)->lanes, 4);
            CHECK_EQ(sched_partial_cost(s, ENG_OP_P256_DERIVE, NULL, NULL, NULL), 1);
            sched_free(s);
        }
    } else {
        th_note("no avx2 tier here: %s", why ? why : "?");
    }
    CHECK_EQ(cd_isa_force("scalar", &why), 0);
    sched *s = mk_sched(SCHED_PARTIAL_NARROW, UINT64_MAX);
    for (size_t ki = 0; s && ki < NK; ki++) {
        CHECK_EQ(sched_stats(s, kinds[ki])->lanes, 1);
        CHECK_EQ(sched_partial_cost(s, kinds[ki], NULL, NULL, NULL), 0);
        sop o;
        mk_op(&o, kinds[ki], 0, 1);
        CHECK_EQ(sched_submit(s, &o.op, 0), 1); /* one lane: full at once */
        CHECK(sched_next_done(s, NULL, NULL) == &o.op);
        check_op(&o, "isa scalar");
        CHECK_EQ(sched_stats(s, kinds[ki])->narrow, 0);
    }
    sched_free(s);
    CHECK_EQ(cd_isa_force(NULL, &why), 0);
}

int main(void)
{
    th_rnd_seed(0x5c4ed0115eedULL);
    xs = cd_x25519_impls[cd_x25519_nimpls - 1];
    ps = cd_p256_impls[cd_p256_nimpls - 1];
    th_case("first_sched_new_calibrates", t_first_sched_new_calibrates);
    th_case("auto_follows_estimates", t_auto_follows_estimates);
    th_case("always_narrow_matches_scalar", t_always_narrow);
    th_case("always_wide_matches_scalar", t_always_wide);
    th_case("narrow_sign_mixed_extra", t_narrow_sign_mixed_extra);
    th_case("narrow_skips_key_tables", t_narrow_skips_tables);
    th_case("full_sets_wide", t_full_sets_wide);
    th_case("own_kernel_runs_as_given", t_own_kernel_runs_as_given);
    th_case("bad_policy_refused", t_bad_policy_refused);
    th_case("stats_add_narrow", t_stats_add_narrow);
    th_case("forced_isa", t_forced_isa);
    return th_done();
}
