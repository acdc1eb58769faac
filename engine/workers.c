/* workers.c — OpenMP worker team pinned with hwloc (see workers.h).
 *
 * Placement is planned before the parallel region (hwloc objects are only read afterwards,
 * which hwloc allows from several threads). Inside the region every thread binds itself,
 * checks the binding took, meets the others at a barrier, and runs the worker function only if
 * the whole team is placed: a benchmark with one unpinned worker would report numbers that mean
 * something else. */
#include <errno.h>
#include <hwloc.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "workers.h"

typedef struct plan {
    int pu, core, numa;
    hwloc_bitmap_t set;
} plan;

/* One per worker, a cache line each: written only by its own thread. */
typedef struct slot {
    _Alignas(WORKERS_CACHELINE) int bound; /* 1 placed (or not asked to), 0 failed */
    int bind_errno;
    int ran;
    int rc;
} slot;

static int numa_of(hwloc_topology_t topo, unsigned pu_os)
{
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, node)) != NULL)
        if (node->cpuset && hwloc_bitmap_isset(node->cpuset, pu_os))
            return (int)node->logical_index;
    return -1;
}

static int plan_team(hwloc_topology_t topo, const workers_cfg *cfg, plan *pl, char *err,
                     size_t errlen)
{
    int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    hwloc_obj_type_t unit = ncores > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    int nunits = hwloc_get_nbobjs_by_type(topo, unit);
    for (int i = 0; i < cfg->n; i++) {
        hwloc_obj_t pu;
        if (cfg->cpus) {
            pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)cfg->cpus[i]);
            if (!pu) {
                snprintf(err, errlen, "workers: cpu %d (worker %d) is not a PU of this machine",
                         cfg->cpus[i], i);
                return -1;
            }
        } else {
            hwloc_obj_t u = hwloc_get_obj_by_type(topo, unit, (unsigned)i);
            if (!u) {
                snprintf(err, errlen,
                         "workers: %d workers but only %d %s (give a cpu list to place several "
                         "on one core's PUs)",
                         cfg->n, nunits, unit == HWLOC_OBJ_CORE ? "cores" : "PUs");
                return -1;
            }
            /* the core's first PU: a thread that may hop between SMT siblings measures less
             * reproducibly than one that stays put */
            pu = hwloc_get_obj_inside_cpuset_by_type(topo, u->cpuset, HWLOC_OBJ_PU, 0);
            if (!pu) {
                snprintf(err, errlen, "workers: core %d has no PU", i);
                return -1;
            }
        }
        hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
        pl[i].pu = (int)pu->os_index;
        pl[i].core = core ? (int)core->logical_index : -1;
        pl[i].numa = numa_of(topo, pu->os_index);
        pl[i].set = hwloc_bitmap_dup(pu->cpuset);
        if (!pl[i].set) {
            snprintf(err, errlen, "workers: out of memory");
            return -1;
        }
    }
    return 0;
}

/* see workers.h */
int workers_run(const workers_cfg *cfg, int (*fn)(const worker_info *w, void *arg), void *arg,
                char *err, size_t errlen)
{
    char dummy[8];
    if (!err || !errlen) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = 0;
    const int n = cfg->n, pin = !cfg->no_pin;
    if (n < 1 || n > WORKERS_MAX || !fn) {
        snprintf(err, errlen, "workers: team size %d outside 1..%d", n, WORKERS_MAX);
        return -1;
    }
    if (omp_in_parallel()) {
        snprintf(err, errlen, "workers: called inside a parallel region");
        return -1;
    }
    /* process-wide lazy state (CPU features, forced ISA from the environment) is settled here,
     * before any worker exists, so workers only ever read it */
    (void)cd_cpu_features();
    (void)cd_isa_forced();

    int rc = -1;
    hwloc_topology_t topo = NULL;
    plan *pl = calloc((size_t)n, sizeof *pl);
    slot *sl = aligned_alloc(WORKERS_CACHELINE, (size_t)n * sizeof *sl);
    if (!pl || !sl) {
        snprintf(err, errlen, "workers: out of memory");
        goto out;
    }
    memset(sl, 0, (size_t)n * sizeof *sl);
    if (pin) {
        if (hwloc_topology_init(&topo) != 0 || hwloc_topology_load(topo) != 0) {
            snprintf(err, errlen, "workers: hwloc topology: %s", strerror(errno));
            goto out;
        }
        if (plan_team(topo, cfg, pl, err, errlen) != 0) goto out;
    } else {
        for (int i = 0; i < n; i++)
            pl[i].pu = pl[i].core = pl[i].numa = -1;
    }

    int team = 0;
    omp_set_dynamic(0);
#pragma omp parallel num_threads(n)
    {
        const int id = omp_get_thread_num();
        const int full = omp_get_num_threads() == n;
        slot *me = &sl[id];
        me->bound = 1;
        if (full && pin) {
            hwloc_bitmap_t got = hwloc_bitmap_alloc();
            if (hwloc_set_cpubind(topo, pl[id].set, HWLOC_CPUBIND_THREAD) != 0) {
                me->bound = 0;
                me->bind_errno = errno;
            } else if (!got || hwloc_get_cpubind(topo, got, HWLOC_CPUBIND_THREAD) != 0 ||
                       !hwloc_bitmap_isequal(got, pl[id].set)) {
                me->bound = 0;
                me->bind_errno = got ? errno : ENOMEM;
            }
            hwloc_bitmap_free(got);
        }
#pragma omp barrier
        int all = full;
        for (int i = 0; i < n && all; i++)
            all = sl[i].bound;
        if (all) {
            worker_info w = {id, n, pl[id].pu, pl[id].core, pl[id].numa};
            me->rc = fn(&w, arg);
            me->ran = 1;
        }
        if (id == 0) team = omp_get_num_threads();
    }

    if (team != n) {
        snprintf(err, errlen,
                 "workers: OpenMP formed a team of %d threads, %d asked for "
                 "(OMP_THREAD_LIMIT?)",
                 team, n);
        goto out;
    }
    for (int i = 0; i < n; i++)
        if (!sl[i].bound) {
            snprintf(err, errlen, "workers: binding worker %d to PU %d failed: %s", i, pl[i].pu,
                     strerror(sl[i].bind_errno));
            goto out;
        }
    for (int i = 0; i < n; i++)
        if (!sl[i].ran || sl[i].rc != 0) {
            snprintf(err, errlen, "workers: worker %d %s %d", i,
                     sl[i].ran ? "returned" : "did not run, code", sl[i].rc);
            goto out;
        }
    rc = 0;
out:
    if (pl)
        for (int i = 0; i < n; i++)
            hwloc_bitmap_free(pl[i].set);
    free(pl);
    free(sl);
    if (topo) hwloc_topology_destroy(topo);
    return rc;
}

static void cache_of(hwloc_topology_t topo, hwloc_obj_type_t type, unsigned long long *bytes,
                     int *count)
{
    *count = hwloc_get_nbobjs_by_type(topo, type);
    if (*count < 0) *count = 0;
    hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, 0);
    *bytes = o && o->attr ? (unsigned long long)o->attr->cache.size : 0;
}

/* see workers.h */
int workers_topo_get(workers_topo *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    hwloc_topology_t topo;
    if (hwloc_topology_init(&topo) != 0) goto fail;
    if (hwloc_topology_load(topo) != 0) {
        hwloc_topology_destroy(topo);
        goto fail;
    }
    t->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    t->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    cache_of(topo, HWLOC_OBJ_L1CACHE, &t->l1d_bytes, &t->l1d_count);
    cache_of(topo, HWLOC_OBJ_L2CACHE, &t->l2_bytes, &t->l2_count);
    cache_of(topo, HWLOC_OBJ_L3CACHE, &t->l3_bytes, &t->l3_count);
    /* CPUModel/CPUVendor live on the package objects (x86 backend), sometimes on the root */
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    hwloc_obj_t root = hwloc_get_root_obj(topo);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (!model) model = hwloc_obj_get_info_by_name(root, "CPUModel");
    const char *vendor = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUVendor") : NULL;
    if (!vendor) vendor = hwloc_obj_get_info_by_name(root, "CPUVendor");
    snprintf(t->cpu_model, sizeof t->cpu_model, "%s", model ? model : "");
    snprintf(t->cpu_vendor, sizeof t->cpu_vendor, "%s", vendor ? vendor : "");
    unsigned v = hwloc_get_api_version();
    snprintf(t->hwloc_api, sizeof t->hwloc_api, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
    hwloc_topology_destroy(topo);
    return 0;
fail:
    if (err && errlen) snprintf(err, errlen, "hwloc topology: %s", strerror(errno));
    return -1;
}

static const char *human(unsigned long long b, char *buf, size_t cap)
{
    if (b >= (1ull << 20) && b % (1ull << 20) == 0)
        snprintf(buf, cap, "%lluM", b >> 20);
    else
        snprintf(buf, cap, "%lluK", b >> 10);
    return buf;
}

/* see workers.h */
const char *workers_topo_str(const workers_topo *t, char *buf, size_t cap)
{
    char a[24], b[24], c[24];
    snprintf(buf, cap,
             "%s: %d package%s, %d NUMA node%s, %d cores, %d PUs, L1d %s x%d, L2 %s x%d, "
             "L3 %s x%d (hwloc API %s)",
             t->cpu_model[0] ? t->cpu_model : "unknown CPU", t->packages,
             t->packages == 1 ? "" : "s", t->numa_nodes, t->numa_nodes == 1 ? "" : "s", t->cores,
             t->pus, human(t->l1d_bytes, a, sizeof a), t->l1d_count,
             human(t->l2_bytes, b, sizeof b), t->l2_count, human(t->l3_bytes, c, sizeof c),
             t->l3_count, t->hwloc_api);
    return buf;
}
