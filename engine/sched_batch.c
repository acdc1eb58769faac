/* sched_batch.c — per-worker batch scheduler (see sched_batch.h). One lane set per op kind,
 * as wide as the selected kernel; a set runs when full, or from sched_flush() on its deadline
 * or when forced. The kernels take contiguous per-lane arrays, so each run copies the lanes'
 * inputs into the scheduler's own buffers, calls the kernel once, copies the outputs back and
 * wipes the secret rows (private scalars, shared secrets) before returning.
 * A partial set may run instead as one-lane calls of the scalar kernel (sched_partial): the
 * choice depends only on the set's size and on cost estimates, never on secret data.
 * ENG_OP_TLS_KEYS and ENG_OP_TLS_FINISHED (the key schedule, the server's Finished) run the
 * same way on ipsec-mb's job manager (keysched_batch.h), with no narrow path: a partial set is
 * just fewer jobs per step.
 * (Not named sched.h/sched.c: with -Iengine that would shadow the system <sched.h> that
 * pthread.h includes.) */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "ct.h"
#include "keysched_batch.h"
#include "sched_batch.h"

#define L SCHED_MAX_LANES

typedef const uint8_t (*c32)[32];

typedef struct lane_set {
    eng_op *lane_op[L];
    uintptr_t lane_tag[L];
    unsigned n;      /* lanes in use */
    unsigned lanes;  /* capacity: the kernel's width */
    uint64_t oldest; /* TSC when lane_op[0] was queued */
} lane_set;

typedef struct done_ent {
    eng_op *op;
    uint64_t tsc;
    uintptr_t tag;
} done_ent;

/* Per-lane argument rows for every kernel signature of cd.h. */
typedef struct lane_buf {
    uint8_t a32[L][32], b32[L][32], c32[L][32];
    uint8_t a65[L][65], b65[L][65];
    uint8_t c64[L][64];
    uint8_t o32[L][32], o64[L][64], o65[L][65];
} lane_buf;

struct sched {
    _Alignas(64) lane_buf buf;
    uint64_t max_wait;
    const cd_x25519 *x;
    const cd_p256 *p;
    /* narrow path: the one-lane kernels (NULL = none) and, under auto, the estimates */
    const cd_x25519 *xn;
    const cd_p256 *pn;
    sched_partial partial;
    uint64_t wide1[ENG_OP_KINDS], widef[ENG_OP_KINDS], narrow1[ENG_OP_KINDS];
    lane_set set[ENG_OP_KINDS];
    sched_kind_stats st[ENG_OP_KINDS];
    unsigned queued;
    done_ent *done; /* completed ops: done[head..len) */
    size_t head, len, cap;
};

enum why { RUN_FULL, RUN_DEADLINE, RUN_FORCED };

/* see sched_batch.h */
uint64_t sched_tsc(void)
{
    return __rdtsc();
}

static int is_x25519(eng_op_kind k)
{
    return k == ENG_OP_X25519_KEYGEN || k == ENG_OP_X25519_DERIVE;
}

static int is_p256(eng_op_kind k)
{
    return k >= ENG_OP_P256_KEYGEN && k <= ENG_OP_P256_VERIFY;
}

/* ---- partial-set cost estimates ---------------------------------------------------------
 * Measured once per process and kernel (schedulers of every worker share them): a few calls
 * on fixed valid public inputs, the minimum TSC of each (the least disturbed run). */
enum { CAL_ROUNDS = 2, CAL_CACHE = 8 };

typedef struct cal_ent {
    const void *kern;
    uint64_t one[ENG_OP_KINDS], full[ENG_OP_KINDS]; /* one call with 1 op / every lane */
} cal_ent;

/* Fixed inputs, the same in every lane; priv's top byte is small, so priv < n for P-256. */
typedef struct cal_buf {
    uint8_t priv[L][32], hash[L][32], extra[L][32], xpub[L][32], ppub[L][65], sig[L][64];
    uint8_t o32[L][32], o64[L][64], o65[L][65];
} cal_buf;

static pthread_mutex_t cal_mu = PTHREAD_MUTEX_INITIALIZER;
static cal_ent cal_cache[CAL_CACHE];
static unsigned cal_n;
static cal_buf cal_in; /* under cal_mu */
static int cal_ready;  /* under cal_mu */

static void cal_inputs(cal_buf *b)
{
    const cd_x25519 *xs = cd_x25519_impls[cd_x25519_nimpls - 1];
    const cd_p256 *ps = cd_p256_impls[cd_p256_nimpls - 1];
    for (unsigned j = 0; j < 32; j++) {
        b->priv[0][j] = (uint8_t)(j + 1);
        b->hash[0][j] = (uint8_t)(0xa5 ^ j);
        b->extra[0][j] = (uint8_t)(7 * j);
    }
    xs->keygen(b->xpub, (c32)b->priv, 1);
    ps->keygen(b->ppub, (c32)b->priv, 1);
    ps->sign(b->sig, (c32)b->priv, (c32)b->hash, (c32)b->extra, 1);
    for (unsigned i = 1; i < L; i++) {
        memcpy(b->priv[i], b->priv[0], 32);
        memcpy(b->hash[i], b->hash[0], 32);
        memcpy(b->extra[i], b->extra[0], 32);
        memcpy(b->xpub[i], b->xpub[0], 32);
        memcpy(b->ppub[i], b->ppub[0], 65);
        memcpy(b->sig[i], b->sig[0], 64);
    }
}

/* Minimum TSC of one call of kind k with n lanes; 0 when a lane failed (no estimate). */
static uint64_t cal_call(const cd_x25519 *xk, const cd_p256 *pk, eng_op_kind k, cal_buf *b,
                         unsigned n)
{
    uint64_t best = UINT64_MAX;
    for (int r = 0; r < CAL_ROUNDS; r++) {
        uint32_t bad = 0;
        uint64_t t0 = sched_tsc();
        switch (k) {
        case ENG_OP_X25519_KEYGEN: bad = xk->keygen(b->o32, (c32)b->priv, n); break;
        case ENG_OP_X25519_DERIVE: bad = xk->derive(b->o32, (c32)b->priv, (c32)b->xpub, n); break;
        case ENG_OP_P256_KEYGEN: bad = pk->keygen(b->o65, (c32)b->priv, n); break;
        case ENG_OP_P256_DERIVE:
            bad = pk->derive(b->o32, (c32)b->priv, (const uint8_t(*)[65])b->ppub, n);
            break;
        case ENG_OP_P256_SIGN:
            bad = pk->sign(b->o64, (c32)b->priv, (c32)b->hash, (c32)b->extra, n);
            break;
        case ENG_OP_P256_VERIFY:
            bad = pk->verify((const uint8_t(*)[65])b->ppub, (c32)b->hash,
                             (const uint8_t(*)[64])b->sig, n);
            break;
        default: return 0;
        }
        uint64_t t = sched_tsc() - t0;
        if (bad) return 0;
        if (t < best) best = t;
    }
    return best ? best : 1;
}

/* The estimates of one kernel (xk or pk, the other NULL) into one[] / full[]. */
static void cal_get(const cd_x25519 *xk, const cd_p256 *pk, uint64_t *one, uint64_t *full)
{
    const void *kern = xk ? (const void *)xk : (const void *)pk;
    unsigned lanes = xk ? xk->lanes : pk->lanes;
    pthread_mutex_lock(&cal_mu);
    cal_ent *e = NULL;
    for (unsigned i = 0; i < cal_n && !e; i++)
        if (cal_cache[i].kern == kern) e = &cal_cache[i];
    if (!e) {
        static cal_ent tmp;
        e = cal_n < CAL_CACHE ? &cal_cache[cal_n] : &tmp;
        memset(e, 0, sizeof *e);
        if (!cal_ready) {
            cal_inputs(&cal_in);
            cal_ready = 1;
        }
        for (int k = 1; k < ENG_OP_KINDS; k++) {
            if (xk ? !is_x25519(k) : !is_p256(k)) continue;
            e->one[k] = cal_call(xk, pk, k, &cal_in, 1);
            e->full[k] = lanes > 1 ? cal_call(xk, pk, k, &cal_in, lanes) : e->one[k];
        }
        e->kern = kern;
        if (e != &tmp) cal_n++;
    }
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        if (xk ? !is_x25519(k) : !is_p256(k)) continue;
        one[k] = e->one[k];
        full[k] = e->full[k];
    }
    pthread_mutex_unlock(&cal_mu);
}

/* The one-lane kernel of the lowest tier (the tables' last entry) when `wide` is a table
 * kernel wider than one lane; NULL otherwise (a caller's own kernel runs as given). */
#define NARROW_OF(impls, nimpls, wide, have)                                                       \
    do {                                                                                           \
        const void *last_ = (impls)[(nimpls)-1];                                                   \
        for (unsigned i_ = 0; i_ + 1 < (nimpls); i_++)                                             \
            if ((impls)[i_] == (wide) && (wide)->lanes > 1 && (impls)[(nimpls)-1]->lanes == 1 &&   \
                ((impls)[(nimpls)-1]->needs & ~(have)) == 0)                                       \
                return last_;                                                                      \
        return NULL;                                                                               \
    } while (0)

static const cd_x25519 *x_narrow(const cd_x25519 *wide, uint64_t have)
{
    NARROW_OF(cd_x25519_impls, cd_x25519_nimpls, wide, have);
}

static const cd_p256 *p_narrow(const cd_p256 *wide, uint64_t have)
{
    NARROW_OF(cd_p256_impls, cd_p256_nimpls, wide, have);
}

/* Estimated ticks of one wide call with n ops: linear between 1 op and every lane (per-lane
 * work such as verify's scalar finish grows with n; the padded vector part does not). */
static uint64_t wide_at(const sched *s, eng_op_kind k, unsigned n)
{
    uint64_t a = s->wide1[k], b = s->widef[k];
    unsigned lanes = s->set[k].lanes;
    if (b <= a || lanes < 2) return a;
    return a + (b - a) * (n - 1) / (lanes - 1);
}

/* Verifications that all carry a key table (--verify cached) run on the wide kernel's
 * verify_tab whatever their number: the one-lane code has no tables and costs several times
 * more per signature than a padded table call. */
static int all_tables(const sched *s, const lane_set *ls)
{
    if (!s->p->verify_tab) return 0;
    for (unsigned i = 0; i < ls->n; i++)
        if (!ls->lane_op[i]->key) return 0;
    return 1;
}

/* Whether a partial set of n ops of kind k runs as n one-lane calls. */
static int go_narrow(const sched *s, eng_op_kind k, unsigned n)
{
    const void *nk = is_x25519(k) ? (const void *)s->xn : is_p256(k) ? (const void *)s->pn : NULL;
    if (!nk || n == 0 || n >= s->set[k].lanes) return 0;
    switch (s->partial) {
    case SCHED_PARTIAL_WIDE: return 0;
    case SCHED_PARTIAL_NARROW: return 1;
    default: return s->narrow1[k] && s->wide1[k] && (uint64_t)n * s->narrow1[k] < wide_at(s, k, n);
    }
}

/* see sched_batch.h */
sched *sched_new(const sched_cfg *cfg, char *err, size_t errlen)
{
    static const sched_cfg dflt;
    if (!cfg) cfg = &dflt;
    const uint64_t have = cd_cpu_features();
    const char *force = cd_isa_forced();
    const cd_x25519 *x = cfg->x25519 ? cfg->x25519 : cd_x25519_select(have, force);
    const cd_p256 *p = cfg->p256 ? cfg->p256 : cd_p256_select(have, force);
    const char *why = NULL;
    if (!x)
        why = "no X25519 kernel for the forced ISA on this CPU";
    else if (!p)
        why = "no P-256 kernel for the forced ISA on this CPU";
    else if (x->lanes < 1 || x->lanes > L || p->lanes < 1 || p->lanes > L)
        why = "kernel lane count outside 1..SCHED_MAX_LANES";
    if (why) {
        if (err && errlen) snprintf(err, errlen, "sched: %s (isa %s)", why, force ? force : "auto");
        return NULL;
    }
    size_t sz = (sizeof(sched) + 63) & ~(size_t)63;
    sched *s = aligned_alloc(64, sz);
    if (!s) {
        if (err && errlen) snprintf(err, errlen, "sched: out of memory");
        return NULL;
    }
    memset(s, 0, sizeof *s);
    s->max_wait = cfg->max_wait;
    s->x = x;
    s->p = p;
    s->partial = SCHED_PARTIAL_AUTO;
    s->xn = x_narrow(x, have);
    s->pn = p_narrow(p, have);
    uint64_t scratch[ENG_OP_KINDS];
    if (s->xn) {
        cal_get(x, NULL, s->wide1, s->widef);
        cal_get(s->xn, NULL, s->narrow1, scratch);
    }
    if (s->pn) {
        cal_get(NULL, p, s->wide1, s->widef);
        cal_get(NULL, s->pn, s->narrow1, scratch);
    }
    _Static_assert(SCHED_TLS_KEYS_LANES >= 1 && SCHED_TLS_KEYS_LANES <= L, "tls-keys lanes");
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const int tk = k == ENG_OP_TLS_KEYS || k == ENG_OP_TLS_FINISHED;
        unsigned lanes = is_x25519(k) ? x->lanes : is_p256(k) ? p->lanes
                                                 : tk ? SCHED_TLS_KEYS_LANES : 1;
        s->set[k].lanes = lanes;
        s->st[k].lanes = lanes;
        s->st[k].impl = is_x25519(k) ? x->name : is_p256(k) ? p->name
                                               : tk ? "ipsec-mb" : "libcrypto";
    }
    return s;
}

/* see sched_batch.h */
int sched_set_partial(sched *s, sched_partial pol)
{
    if (pol != SCHED_PARTIAL_AUTO && pol != SCHED_PARTIAL_WIDE && pol != SCHED_PARTIAL_NARROW)
        return ENG_E_STATE;
    s->partial = pol;
    return 0;
}

/* see sched_batch.h */
void sched_free(sched *s)
{
    if (!s) return;
    free(s->done);
    ct_wipe(s, sizeof *s);
    free(s);
}

/* Room for `more` completed ops; moves the live part to the front first. */
static int done_reserve(sched *s, size_t more)
{
    if (s->head == s->len) s->head = s->len = 0;
    if (s->len + more <= s->cap) return 0;
    if (s->head) {
        memmove(s->done, s->done + s->head, (s->len - s->head) * sizeof *s->done);
        s->len -= s->head;
        s->head = 0;
        if (s->len + more <= s->cap) return 0;
    }
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->len + more)
        cap *= 2;
    done_ent *d = realloc(s->done, cap * sizeof *d);
    if (!d) return ENG_E_NOMEM;
    s->done = d;
    s->cap = cap;
    return 0;
}


/* One kernel call over ops[0..m) (all of kind k; m <= the kernel's lanes). Returns the mask of
 * failed lanes. extra: SIGN only, whether these ops carry RFC 6979 §3.6 additional data. */
static uint32_t kernel(sched *s, const cd_x25519 *xk, const cd_p256 *pk, eng_op_kind k,
                       eng_op *const *ops, unsigned m, int extra)
{
    lane_buf *b = &s->buf;
    uint32_t bad = ~0u;
    unsigned i;
    switch (k) {
    case ENG_OP_X25519_KEYGEN:
        for (i = 0; i < m; i++)
            memcpy(b->a32[i], ops[i]->a, 32);
        bad = xk->keygen(b->o32, (c32)b->a32, m);
        for (i = 0; i < m; i++)
            memcpy(ops[i]->out, b->o32[i], 32);
        break;
    case ENG_OP_X25519_DERIVE:
        for (i = 0; i < m; i++) {
            memcpy(b->a32[i], ops[i]->a, 32);
            memcpy(b->b32[i], ops[i]->b, 32);
        }
        bad = xk->derive(b->o32, (c32)b->a32, (c32)b->b32, m);
        for (i = 0; i < m; i++)
            memcpy(ops[i]->out, b->o32[i], 32);
        break;
    case ENG_OP_P256_KEYGEN:
        for (i = 0; i < m; i++)
            memcpy(b->a32[i], ops[i]->a, 32);
        bad = pk->keygen(b->o65, (c32)b->a32, m);
        for (i = 0; i < m; i++)
            memcpy(ops[i]->out, b->o65[i], 65);
        break;
    case ENG_OP_P256_DERIVE:
        for (i = 0; i < m; i++) {
            memcpy(b->a32[i], ops[i]->a, 32);
            memcpy(b->b65[i], ops[i]->b, 65);
        }
        bad = pk->derive(b->o32, (c32)b->a32, (const uint8_t(*)[65])b->b65, m);
        for (i = 0; i < m; i++)
            memcpy(ops[i]->out, b->o32[i], 32);
        break;
    case ENG_OP_P256_SIGN:
        for (i = 0; i < m; i++) {
            memcpy(b->a32[i], ops[i]->a, 32);
            memcpy(b->b32[i], ops[i]->b, 32);
            if (extra) memcpy(b->c32[i], ops[i]->c, 32);
        }
        bad = pk->sign(b->o64, (c32)b->a32, (c32)b->b32, extra ? (c32)b->c32 : NULL, m);
        for (i = 0; i < m; i++)
            memcpy(ops[i]->out, b->o64[i], 64);
        break;
    case ENG_OP_P256_VERIFY: {
        /* ops of clients that cached the server's key table (--verify cached) carry it */
        const void *tab[L];
        int all_tab = pk->verify_tab != NULL;
        for (i = 0; i < m; i++) {
            memcpy(b->a65[i], ops[i]->a, 65);
            memcpy(b->b32[i], ops[i]->b, 32);
            memcpy(b->c64[i], ops[i]->c, 64);
            tab[i] = ops[i]->key;
            all_tab &= tab[i] != NULL;
        }
        if (all_tab)
            bad = pk->verify_tab((const uint8_t(*)[65])b->a65, tab, (c32)b->b32,
                                 (const uint8_t(*)[64])b->c64, m);
        else
            bad = pk->verify((const uint8_t(*)[65])b->a65, (c32)b->b32,
                             (const uint8_t(*)[64])b->c64, m);
        break;
    }
    case ENG_OP_TLS_KEYS:
        /* no lane copies: the batch reads and writes each connection's own buffers */
        bad = ks_tls_keys_ops(ops, m);
        break;
    case ENG_OP_TLS_FINISHED: bad = ks_finished_ops(ops, m); break;
    default: break;
    }
    /* private scalars, shared secrets and hedging inputs must not outlive the call */
    ct_wipe(b->a32, (size_t)m * 32);
    ct_wipe(b->c32, (size_t)m * 32);
    ct_wipe(b->o32, (size_t)m * 32);
    return m >= 32 ? bad : bad & ((1u << m) - 1);
}

/* Marks ops[0..m) done with the failure bits of `bad`, appends them to the completed list
 * with their tags and their share of `tsc` (room reserved by the caller). */
static void complete(sched *s, eng_op_kind k, eng_op *const *ops, const uintptr_t *tags, unsigned m,
                     uint32_t bad, uint64_t tsc)
{
    uint64_t share = tsc / m, rest = tsc % m;
    for (unsigned i = 0; i < m; i++) {
        eng_op *op = ops[i];
        op->failed = (uint8_t)((bad >> i) & 1);
        op->done = 1;
        s->st[k].failed += op->failed;
        s->done[s->len].op = op;
        s->done[s->len].tsc = share + (i == 0 ? rest : 0);
        s->done[s->len].tag = tags[i];
        s->len++;
    }
}

/* Runs kind k's lane set now, whatever its fill. Returns ops completed. */
static int run_set(sched *s, eng_op_kind k, enum why why)
{
    lane_set *ls = &s->set[k];
    sched_kind_stats *st = &s->st[k];
    unsigned n = ls->n;
    if (n == 0) return 0;
    uint64_t t0 = sched_tsc();
    if (why != RUN_FULL && !(k == ENG_OP_P256_VERIFY && all_tables(s, ls)) && go_narrow(s, k, n)) {
        /* one one-lane call per op: each op gets its own call's ticks */
        for (unsigned i = 0; i < n; i++) {
            eng_op **op = &ls->lane_op[i];
            uint32_t bad = kernel(s, s->xn, s->pn, k, op, 1, k == ENG_OP_P256_SIGN && (*op)->c);
            uint64_t t1 = sched_tsc();
            complete(s, k, op, &ls->lane_tag[i], 1, bad, t1 - t0);
            st->tsc += t1 - t0;
            t0 = t1;
        }
        st->calls++;
        st->narrow++;
    } else if (k == ENG_OP_P256_SIGN) {
        /* The kernel takes hedging data for all lanes or for none: ops with and without it
         * (the engine always supplies it; other drivers might not) go in separate calls. */
        eng_op *with[L], *without[L];
        uintptr_t wtag[L], wotag[L];
        unsigned nw = 0, nwo = 0;
        for (unsigned i = 0; i < n; i++) {
            if (ls->lane_op[i]->c) {
                wtag[nw] = ls->lane_tag[i];
                with[nw++] = ls->lane_op[i];
            } else {
                wotag[nwo] = ls->lane_tag[i];
                without[nwo++] = ls->lane_op[i];
            }
        }
        if (nw) {
            uint32_t bad = kernel(s, s->x, s->p, k, with, nw, 1);
            uint64_t t1 = sched_tsc();
            complete(s, k, with, wtag, nw, bad, t1 - t0);
            st->tsc += t1 - t0;
            st->calls++;
            t0 = t1;
        }
        if (nwo) {
            uint32_t bad = kernel(s, s->x, s->p, k, without, nwo, 0);
            uint64_t t1 = sched_tsc();
            complete(s, k, without, wotag, nwo, bad, t1 - t0);
            st->tsc += t1 - t0;
            st->calls++;
        }
        if (nw && nwo) why = why == RUN_FULL ? RUN_FORCED : why; /* both calls were partial */
    } else {
        uint32_t bad = kernel(s, s->x, s->p, k, ls->lane_op, n, 0);
        uint64_t t1 = sched_tsc();
        complete(s, k, ls->lane_op, ls->lane_tag, n, bad, t1 - t0);
        st->tsc += t1 - t0;
        st->calls++;
    }
    st->ops += n;
    if (why == RUN_FULL)
        st->full++;
    else if (why == RUN_DEADLINE)
        st->deadline++;
    else
        st->forced++;
    s->queued -= n;
    memset(ls->lane_op, 0, n * sizeof *ls->lane_op);
    ls->n = 0;
    return (int)n;
}

static int op_ok(const eng_op *op)
{
    switch (op->kind) {
    case ENG_OP_X25519_KEYGEN:
    case ENG_OP_P256_KEYGEN: return op->a && op->out;
    case ENG_OP_X25519_DERIVE:
    case ENG_OP_P256_DERIVE:
    case ENG_OP_P256_SIGN: return op->a && op->b && op->out;
    case ENG_OP_P256_VERIFY: return op->a && op->b && op->c;
    case ENG_OP_RSA: return 1;
    case ENG_OP_TLS_KEYS: return op->a && op->c && op->d && op->out && (op->kb || !op->kblen);
    case ENG_OP_TLS_FINISHED: return op->a && op->out && (op->b || !op->blen);
    default: return 0;
    }
}

/* see sched_batch.h */
int sched_submit(sched *s, eng_op *op, uintptr_t tag)
{
    if (!op || op->done || !op_ok(op)) return ENG_E_STATE;
    eng_op_kind k = op->kind;
    lane_set *ls = &s->set[k];
    for (unsigned i = 0; i < ls->n; i++)
        if (ls->lane_op[i] == op) return ENG_E_STATE;
    int r = done_reserve(s, L);
    if (r < 0) return r;
    if (k == ENG_OP_RSA) {
        /* no batch kernel: libcrypto, one op per call */
        uint64_t t0 = sched_tsc();
        eng_op_run(op);
        uint64_t t = sched_tsc() - t0;
        eng_op *one[1] = {op};
        complete(s, k, one, &tag, 1, op->failed, t);
        s->st[k].calls++;
        s->st[k].ops++;
        s->st[k].full++;
        s->st[k].tsc += t;
        return 1;
    }
    if (ls->n == 0) ls->oldest = sched_tsc();
    ls->lane_tag[ls->n] = tag;
    ls->lane_op[ls->n++] = op;
    s->queued++;
    if (ls->n < ls->lanes) return 0;
    return run_set(s, k, RUN_FULL);
}

static int expired(const sched *s, const lane_set *ls, uint64_t now)
{
    if (s->max_wait == 0) return 1;
    return now >= ls->oldest && now - ls->oldest >= s->max_wait;
}

/* see sched_batch.h */
int sched_flush(sched *s, uint64_t now_tsc, int force)
{
    if (s->queued == 0) return 0;
    int r = done_reserve(s, s->queued);
    if (r < 0) return r;
    int n = 0;
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        lane_set *ls = &s->set[k];
        if (ls->n == 0) continue;
        if (force)
            n += run_set(s, k, RUN_FORCED);
        else if (expired(s, ls, now_tsc))
            n += run_set(s, k, RUN_DEADLINE);
    }
    return n;
}

/* see sched_batch.h */
eng_op *sched_next_done(sched *s, uint64_t *tsc, uintptr_t *tag)
{
    if (s->head == s->len) return NULL;
    done_ent *d = &s->done[s->head++];
    if (tsc) *tsc = d->tsc;
    if (tag) *tag = d->tag;
    return d->op;
}

/* see sched_batch.h */
unsigned sched_queued(const sched *s)
{
    return s->queued;
}

/* see sched_batch.h */
uint64_t sched_deadline(const sched *s)
{
    uint64_t best = UINT64_MAX;
    for (int k = 1; k < ENG_OP_KINDS; k++) {
        const lane_set *ls = &s->set[k];
        if (ls->n == 0) continue;
        uint64_t d = ls->oldest + s->max_wait;
        if (d < ls->oldest) d = UINT64_MAX; /* saturate */
        if (d < best) best = d;
    }
    return best;
}

/* see sched_batch.h */
const sched_kind_stats *sched_stats(const sched *s, eng_op_kind kind)
{
    if (kind <= ENG_OP_NONE || kind >= ENG_OP_KINDS) return NULL;
    return &s->st[kind];
}

/* see sched_batch.h */
void sched_stats_add(sched_kind_stats *dst, const sched_kind_stats *src)
{
    if (!dst->impl) {
        dst->impl = src->impl;
        dst->lanes = src->lanes;
    }
    dst->calls += src->calls;
    dst->ops += src->ops;
    dst->full += src->full;
    dst->deadline += src->deadline;
    dst->forced += src->forced;
    dst->narrow += src->narrow;
    dst->failed += src->failed;
    dst->tsc += src->tsc;
}

/* see sched_batch.h */
int sched_partial_cost(const sched *s, eng_op_kind kind, uint64_t *wide1, uint64_t *wide_full,
                       uint64_t *narrow)
{
    int ok = kind > ENG_OP_NONE && kind < ENG_OP_KINDS;
    const void *nk = !ok ? NULL : is_x25519(kind) ? (const void *)s->xn
                                : is_p256(kind) ? (const void *)s->pn : NULL;
    if (wide1) *wide1 = nk ? s->wide1[kind] : 0;
    if (wide_full) *wide_full = nk ? s->widef[kind] : 0;
    if (narrow) *narrow = nk ? s->narrow1[kind] : 0;
    return nk != NULL;
}

/* see sched_batch.h */
double sched_occupancy(const sched_kind_stats *st)
{
    return st->calls ? (double)st->ops / (double)st->calls : 0.0;
}
