/* cfg.c — eng_cfg: certificate, trust roots, suite and group preferences, EMS policy. A
 * configuration is read-only once connections use it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

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
    memset(cfg, 0, sizeof *cfg);
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
        seterr(err, errlen, "%s: no certificate", cert_file);
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
    return 0;
}

/* see eng.h */
int eng_cfg_set_ca(eng_cfg *cfg, const char *ca_file, char *err, size_t errlen)
{
    cd_trust *t = cd_trust_load(ca_file, err, errlen);
    if (!t) return -1;
    if (cfg->trust) cd_trust_free(cfg->trust);
    cfg->trust = t;
    return 0;
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
        seterr(err, errlen, "empty %s list", what);
        return -1;
    }
    while (*p) {
        size_t l = strcspn(p, ",:");
        if (l == 0 || l >= sizeof tok) {
            seterr(err, errlen, "bad %s list \"%s\"", what, list);
            return -1;
        }
        memcpy(tok, p, l);
        tok[l] = 0;
        int id = lookup(tok);
        if (id < 0) {
            seterr(err, errlen, "unknown or unsupported %s \"%s\"", what, tok);
            return -1;
        }
        int dup = 0;
        for (unsigned i = 0; i < cnt; i++) dup |= ids[i] == (uint16_t)id;
        if (!dup) {
            if (cnt == cap) {
                seterr(err, errlen, "too many %ss", what);
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
