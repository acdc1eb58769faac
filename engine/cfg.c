/* cfg.c — eng_cfg: certificate, trust roots, suite and group preferences, EMS policy. A
 * configuration is read-only once connections use it. */
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "eng_internal.h"

/* see eng.h */
eng_cfg *eng_cfg_new(eng_role role)
{
    eng_cfg *cfg = calloc(1, sizeof *cfg);
    if (!cfg) return NULL;
    cfg->role = role;
    for (unsigned i = 0; i < tls_nsuites && i < ENG_MAX_SUITES; i++)
        cfg->suites[cfg->nsuites++] = tls_suites[i].id;
    /* x25519 first, then secp256r1: a server with a P-256 certificate needs the latter
     * offered (RFC 8422 §5.1.1; OpenSSL insists). */
    cfg->groups[cfg->ngroups++] = TLS_GROUP_X25519;
    cfg->groups[cfg->ngroups++] = TLS_GROUP_SECP256R1;
    cfg->offer_ems = 1;
    return cfg;
}

/* see eng.h */
void eng_cfg_free(eng_cfg *cfg)
{
    if (!cfg) return;
    if (cfg->have_cert) {
        cd_chain_free(&cfg->chain);
        cd_privkey_free(&cfg->key);
    }
    if (cfg->trust) cd_trust_free(cfg->trust);
    vcache_free(cfg->vcache);
    ct_wipe(cfg, sizeof *cfg); /* a plain memset before free may be dropped */
    free(cfg);
}

/* see eng.h */
int eng_cfg_set_cert(eng_cfg *cfg, const char *cert_file, const char *key_file,
                     const char *chain_file, char *err, size_t errlen)
{
    cd_chain ch;
    cd_privkey k;
    memset(&ch, 0, sizeof ch);
    memset(&k, 0, sizeof k);
    if (cd_chain_load(&ch, cert_file, chain_file, err, errlen) != 0) return -1;
    if (ch.n == 0) {
        eng_seterr(err, errlen, "%s: no certificate", cert_file);
        cd_chain_free(&ch);
        return -1;
    }
    if (cd_privkey_load(&k, key_file, err, errlen) != 0) {
        cd_chain_free(&ch);
        return -1;
    }
    if (cd_privkey_matches(&k, &ch, err, errlen) != 0) {
        cd_chain_free(&ch);
        cd_privkey_free(&k);
        return -1;
    }
    if (cfg->have_cert) {
        cd_chain_free(&cfg->chain);
        cd_privkey_free(&cfg->key);
    }
    cfg->chain = ch;
    cfg->key = k;
    cfg->have_cert = 1;
    ct_wipe(&k, sizeof k); /* the private scalar now lives in cfg only */
    return 0;
}

/* see eng.h */
int eng_cfg_set_ca(eng_cfg *cfg, const char *ca_file, char *err, size_t errlen)
{
    cd_trust *t = cd_trust_load(ca_file, err, errlen);
    if (!t) return -1;
    if (cfg->trust) cd_trust_free(cfg->trust);
    cfg->trust = t;
    if (cfg->vcache) { /* entries were verified against the old roots */
        pthread_mutex_lock(&cfg->vcache->lock);
        atomic_store_explicit(&cfg->vcache->n, 0, memory_order_release);
        pthread_mutex_unlock(&cfg->vcache->lock);
    }
    return 0;
}

/* see eng.h */
int eng_cfg_set_verify_cache(eng_cfg *cfg, int on)
{
    if (!on) {
        vcache_free(cfg->vcache);
        cfg->vcache = NULL;
        return 0;
    }
    if (cfg->vcache) return 0;
    eng_vcache *vc = calloc(1, sizeof *vc);
    if (!vc) return -1;
    if (pthread_mutex_init(&vc->lock, NULL) != 0) {
        free(vc);
        return -1;
    }
    atomic_init(&vc->n, 0);
    cfg->vcache = vc;
    return 0;
}

/* see eng_internal.h */
void vcache_key(const uint8_t *const der[], const size_t len[], unsigned n, const char *host,
                uint8_t key[32])
{
    /* hash of hashes: no buffer as large as the chain, and the certificate boundaries are
     * fixed (32 bytes each), so two different chains cannot concatenate to the same input */
    uint8_t buf[CD_CHAIN_MAX * 32 + 256];
    size_t off = 0;
    for (unsigned i = 0; i < n && i < CD_CHAIN_MAX; i++, off += 32)
        cd_hash(CD_SHA256, der[i], len[i], buf + off);
    size_t hl = host ? strlen(host) : 0;
    if (hl > sizeof buf - off - 1) hl = sizeof buf - off - 1; /* SNI names are <= 255 bytes */
    buf[off++] = (uint8_t)n;
    memcpy(buf + off, host ? host : "", hl);
    cd_hash(CD_SHA256, buf, off + hl, key);
}

/* see eng_internal.h */
int vcache_lookup(const eng_vcache *vc, const uint8_t key[32], cd_pubkey *leaf,
                  const void **ptab)
{
    unsigned n = atomic_load_explicit(&((eng_vcache *)vc)->n, memory_order_acquire);
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(vc->e[i].key, key, 32)) { /* public data: no constant-time compare needed */
            *leaf = vc->e[i].leaf;
            if (ptab) *ptab = vc->e[i].ptab;
            return 1;
        }
    return 0;
}

/* see eng_internal.h */
void vcache_free(eng_vcache *vc)
{
    if (!vc) return;
    for (unsigned i = 0; i < vc->ntabs; i++) vc->tab_free(vc->tabs[i]);
    pthread_mutex_destroy(&vc->lock);
    free(vc);
}

/* see eng_internal.h */
const void *vcache_insert(eng_vcache *vc, const uint8_t key[32], const cd_pubkey *leaf)
{
    const void *ret = NULL;
    unsigned n, at = ENG_VCACHE_SLOTS;
    pthread_mutex_lock(&vc->lock);
    n = atomic_load_explicit(&vc->n, memory_order_relaxed);
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(vc->e[i].key, key, 32)) at = i;
    int room = at == ENG_VCACHE_SLOTS && n < ENG_VCACHE_SLOTS;
    if (!room) ret = at < n ? vc->e[at].ptab : NULL; /* present (another thread), or full */
    int want_tab = room && vc->ntabs < ENG_VCACHE_TABS;
    pthread_mutex_unlock(&vc->lock);
    if (!room) return ret;

    /* the table (about a millisecond) is made outside the lock, only for an entry that will
     * be added; it is dropped if another thread got there first */
    const cd_p256 *p = want_tab && leaf->type == CD_KEY_EC_P256
                           ? cd_p256_select(cd_cpu_features(), cd_isa_forced())
                           : NULL;
    void *tab = p && p->key_table_new && p->verify_tab ? p->key_table_new(leaf->ec_pub) : NULL;
    pthread_mutex_lock(&vc->lock);
    n = atomic_load_explicit(&vc->n, memory_order_relaxed);
    int have = 0;
    for (unsigned i = 0; i < n; i++)
        if (!memcmp(vc->e[i].key, key, 32)) {
            have = 1;
            ret = vc->e[i].ptab; /* another thread added it meanwhile */
        }
    if (tab && (have || n >= ENG_VCACHE_SLOTS || vc->ntabs >= ENG_VCACHE_TABS ||
                (vc->tab_free && vc->tab_free != p->key_table_free))) {
        p->key_table_free(tab);
        tab = NULL;
    }
    if (!have && n < ENG_VCACHE_SLOTS) {
        memcpy(vc->e[n].key, key, 32);
        vc->e[n].leaf = *leaf;
        vc->e[n].leaf.pkey = NULL; /* owned by the connection that verified it */
        vc->e[n].ptab = tab;
        if (tab) {
            vc->tabs[vc->ntabs++] = tab;
            vc->tab_free = p->key_table_free;
        }
        ret = tab;
        atomic_store_explicit(&vc->n, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&vc->lock);
    return ret;
}

/* see eng.h */
void eng_cfg_set_insecure(eng_cfg *cfg, int on) { cfg->insecure = !!on; }
/* see eng.h */
void eng_cfg_set_require_ems(eng_cfg *cfg, int on) { cfg->require_ems = !!on; }
/* see eng.h */
void eng_cfg_set_offer_ems(eng_cfg *cfg, int on) { cfg->offer_ems = !!on; }
/* see eng.h */
void eng_cfg_set_fallback_scsv(eng_cfg *cfg, int on) { cfg->fallback_scsv = !!on; }

/* Splits list at ',' or ':' and maps each token with lookup(); duplicates are dropped.
 * -1 + err on a bad token. */
static int parse_list(const char *list, int (*lookup)(const char *), uint16_t *ids,
                      unsigned cap, unsigned *n, const char *what, char *err, size_t errlen)
{
    char tok[128];
    unsigned cnt = 0;
    const char *p = list;
    if (!list || !*list) {
        eng_seterr(err, errlen, "empty %s list", what);
        return -1;
    }
    while (*p) {
        size_t l = strcspn(p, ",:");
        if (l == 0 || l >= sizeof tok) {
            eng_seterr(err, errlen, "bad %s list \"%s\"", what, list);
            return -1;
        }
        memcpy(tok, p, l);
        tok[l] = 0;
        int id = lookup(tok);
        if (id < 0) {
            eng_seterr(err, errlen, "unknown or unsupported %s \"%s\"", what, tok);
            return -1;
        }
        int dup = 0;
        for (unsigned i = 0; i < cnt; i++) dup |= ids[i] == (uint16_t)id;
        if (!dup) {
            if (cnt == cap) {
                eng_seterr(err, errlen, "too many %ss", what);
                return -1;
            }
            ids[cnt++] = (uint16_t)id;
        }
        p += l;
        if (*p) p++;
    }
    *n = cnt;
    return 0;
}

/* see eng.h */
int eng_cfg_set_suites(eng_cfg *cfg, const char *list, char *err, size_t errlen)
{
    uint16_t ids[ENG_MAX_SUITES];
    unsigned n = 0;
    if (list && !strcmp(list, "all")) {
        for (unsigned i = 0; i < tls_nsuites && i < ENG_MAX_SUITES; i++) ids[n++] = tls_suites[i].id;
    } else if (parse_list(list, eng_suite_from_name, ids, ENG_MAX_SUITES, &n, "cipher suite", err,
                          errlen) != 0) {
        return -1;
    }
    memcpy(cfg->suites, ids, n * sizeof *ids);
    cfg->nsuites = n;
    return 0;
}

/* see eng.h */
int eng_cfg_set_groups(eng_cfg *cfg, const char *list, char *err, size_t errlen)
{
    uint16_t ids[ENG_MAX_GROUPS];
    unsigned n = 0;
    if (parse_list(list, eng_group_from_name, ids, ENG_MAX_GROUPS, &n, "group", err, errlen) != 0)
        return -1;
    memcpy(cfg->groups, ids, n * sizeof *ids);
    cfg->ngroups = n;
    return 0;
}
