/* cmd_bench.c — `mbshake bench`: full TLS 1.2 handshakes in memory, client and server
 * eng_conn in one thread, bytes handed over directly from one side's output to the other's
 * eng_feed. Each side's work (conn_new, eng_feed, eng_op_run, conn_free) is timed separately
 * with the TSC, calibrated once against CLOCK_MONOTONIC. The client verifies the chain and the
 * name "localhost" like a real one. This is the simple single-connection loop; batching across
 * connections comes with the scheduler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "cd.h"
#include "cd_ossl.h"
#include "certgen.h"
#include "cli_opts.h"
#include "cmds.h"
#include "eng.h"
#include "netio.h"

/* The six suites, in the order the table prints them. */
static const uint16_t all_suites[] = {0xc02b, 0xc02c, 0xc02f, 0xc030, 0x009c, 0x009d};

enum auth { AUTH_ECDSA, AUTH_RSA };

typedef struct bcase {
    uint16_t suite;
    int kex_ecdhe;
    enum auth auth;
    uint16_t group; /* 0 for RSA key exchange */
    const char *cert_kind;
} bcase;

typedef struct bopts {
    const char *suite, *group, *cert, *cert_file, *key_file, *ca_file, *servername;
    double duration;
} bopts;

static double tsc_hz;

/* TSC ticks per second over ~50 ms of CLOCK_MONOTONIC (the TSC is invariant on the machines
 * this runs on; a single calibration per run is enough). */
static void calibrate_tsc(void)
{
    uint64_t n0 = net_now_ns(), t0 = __rdtsc(), n1;
    while ((n1 = net_now_ns()) - n0 < 50000000u) {
    }
    uint64_t t1 = __rdtsc();
    tsc_hz = (double)(t1 - t0) * 1e9 / (double)(n1 - n0);
}

/* Hands src's pending output to dst, running dst's parked crypto inline; adds dst's time. */
static int feed_from(eng_conn *dst, eng_conn *src, uint64_t *cycles)
{
    size_t len = 0, off = 0;
    const uint8_t *p = eng_out_peek(src, &len);
    if (!p) len = 0;
    uint64_t t0 = __rdtsc();
    int r;
    for (;;) {
        size_t n = len - off;
        r = eng_feed(dst, n ? p + off : NULL, &n);
        off += n;
        if (r == ENG_WANT_CRYPTO) {
            eng_op *op = eng_pending_op(dst);
            if (!op) {
                r = ENG_E_STATE;
                break;
            }
            eng_op_run(op);
            continue;
        }
        if (r >= 0 && n > 0 && off < len) continue;
        break;
    }
    *cycles += __rdtsc() - t0;
    if (off) eng_out_consume(src, off);
    return r;
}

typedef struct brun {
    eng_cfg *cs, *cc;
    uint64_t cyc_s, cyc_c;
} brun;

/* One complete handshake. 0, or -1 with a reason in err. On success *info (if not NULL) gets
 * the client's view. */
static int handshake(brun *b, eng_info *info, const char *servername, char *err, size_t errlen)
{
    uint64_t t0 = __rdtsc();
    eng_conn *c = eng_conn_new(b->cc, servername);
    uint64_t t1 = __rdtsc();
    eng_conn *s = eng_conn_new(b->cs, NULL);
    uint64_t t2 = __rdtsc();
    b->cyc_c += t1 - t0;
    b->cyc_s += t2 - t1;
    int rc = -1, r_c = 0, r_s = 0;
    if (!c || !s) {
        snprintf(err, errlen, "eng_conn_new failed");
        goto out;
    }
    /* RFC 5246 §7.3 has four flights; a few spare rounds catch a stuck state machine. */
    for (int round = 0; round < 12; round++) {
        r_c = feed_from(c, s, &b->cyc_c);
        if (r_c < 0) break;
        r_s = feed_from(s, c, &b->cyc_s);
        if (r_s < 0) break;
        size_t oc = 0, os = 0;
        eng_out_peek(c, &oc);
        eng_out_peek(s, &os);
        if (r_c == ENG_DONE && r_s == ENG_DONE && oc == 0 && os == 0) {
            if (info && eng_conn_info(c, info) != 0) {
                snprintf(err, errlen, "eng_conn_info failed");
                goto out;
            }
            rc = 0;
            goto out;
        }
    }
    if (r_c < 0)
        snprintf(err, errlen, "client: %s", eng_conn_errmsg(c));
    else if (r_s < 0)
        snprintf(err, errlen, "server: %s", eng_conn_errmsg(s));
    else
        snprintf(err, errlen, "handshake did not complete (client status %d, server %d)", r_c, r_s);
out:
    t0 = __rdtsc();
    if (c) eng_conn_free(c);
    t1 = __rdtsc();
    if (s) eng_conn_free(s);
    t2 = __rdtsc();
    b->cyc_c += t1 - t0;
    b->cyc_s += t2 - t1;
    return rc;
}

static int run_case(const bcase *bc, const char *chain, const char *key, const char *ca,
                    const char *servername, double duration)
{
    char err[512];
    const char *sname = eng_suite_name(bc->suite, 0);
    const char *gname = bc->group ? eng_group_name(bc->group) : "none";
    brun b = {0};
    int rc = 1;
    b.cs = eng_cfg_new(ENG_SERVER);
    b.cc = eng_cfg_new(ENG_CLIENT);
    if (!b.cs || !b.cc) {
        cli_error("bench", "out of memory");
        goto out;
    }
    /* The server decides the group (its list holds only the one measured); the client offers
     * what real clients offer, x25519 first (platform-facts: a P-256 certificate's curve
     * must be offered too). */
    if (eng_cfg_set_cert(b.cs, chain, key, NULL, err, sizeof err) < 0 ||
        eng_cfg_set_suites(b.cs, sname, err, sizeof err) < 0 ||
        (bc->group && eng_cfg_set_groups(b.cs, gname, err, sizeof err) < 0) ||
        eng_cfg_set_ca(b.cc, ca, err, sizeof err) < 0 ||
        eng_cfg_set_suites(b.cc, sname, err, sizeof err) < 0 ||
        eng_cfg_set_groups(b.cc, "x25519,secp256r1", err, sizeof err) < 0) {
        cli_error("bench", "%s: configuration: %s", sname, err);
        goto out;
    }
    /* warm-up, and proof that the measured handshake is the one we meant */
    eng_info in;
    memset(&in, 0, sizeof in);
    if (handshake(&b, &in, servername, err, sizeof err) < 0) {
        cli_error("bench", "%s %s %s: handshake failed: %s", sname, gname, bc->cert_kind, err);
        goto out;
    }
    if (in.suite != bc->suite || in.group != bc->group || !in.ems) {
        cli_error("bench", "%s %s: negotiated %s group %s ems %s instead", sname, gname,
                  eng_suite_name(in.suite, 0) ? eng_suite_name(in.suite, 0) : "?",
                  in.group ? eng_group_name(in.group) : "none", in.ems ? "yes" : "no");
        goto out;
    }
    b.cyc_c = b.cyc_s = 0;
    unsigned long n = 0;
    uint64_t start = net_now_ns(), end = start + (uint64_t)(duration * 1e9), now = start;
    while (now < end) {
        if (handshake(&b, NULL, servername, err, sizeof err) < 0) {
            cli_error("bench", "%s %s %s: handshake %lu failed: %s", sname, gname, bc->cert_kind,
                      n + 1, err);
            goto out;
        }
        n++;
        now = net_now_ns();
    }
    double secs = (double)(now - start) / 1e9;
    printf("%-32s %-10s %-11s %10lu %8.2f %10.1f %13.1f %13.1f\n", sname, gname, bc->cert_kind,
           n, secs, (double)n / secs, (double)b.cyc_s / tsc_hz * 1e6 / (double)n,
           (double)b.cyc_c / tsc_hz * 1e6 / (double)n);
    fflush(stdout);
    rc = 0;
out:
    if (b.cs) eng_cfg_free(b.cs);
    if (b.cc) eng_cfg_free(b.cc);
    return rc;
}

/* Which certificate kind to use with a suite of this authentication, "" to skip the suite. */
static const char *cert_for(enum auth a, const char *want)
{
    if (!want) return a == AUTH_ECDSA ? "ecdsa-p256" : "rsa2048";
    int is_ec = !strcmp(want, "ecdsa-p256");
    return (a == AUTH_ECDSA) == is_ec ? want : "";
}

int cmd_bench(int argc, char **argv)
{
    bopts o = {.duration = 2, .servername = "localhost"};
    const char *isa = NULL;
    const cli_opt opts[] = {
        {"suite", OPT_STR, &o.suite, "NAME", "one suite (OpenSSL or IANA name) or 'all' (default all six)", 1, 0},
        {"group", OPT_STR, &o.group, "NAME", "ECDHE group: x25519, secp256r1 or 'all' (default x25519)", 1, 0},
        {"cert", OPT_STR, &o.cert, "KIND", "ecdsa-p256, rsa2048, rsa3072, rsa4096 (default: ecdsa-p256 for ECDSA suites, rsa2048 for RSA)", 1, 0},
        {"duration", OPT_NUM, &o.duration, "SEC", "seconds per suite (default 2)", 0.01, 3600},
        {"isa", OPT_STR, &isa, "NAME", "force kernels: scalar, avx2, avx512ifma (default: best)", 1, 0},
        {"cert-file", OPT_STR, &o.cert_file, "FILE", "use this server chain (PEM) instead of generated ones", 1, 0},
        {"key-file", OPT_STR, &o.key_file, "FILE", "its private key (with --cert-file)", 1, 0},
        {"ca-file", OPT_STR, &o.ca_file, "FILE", "CA roots for the client (with --cert-file)", 1, 0},
        {"servername", OPT_STR, &o.servername, "NAME", "name the client verifies (default localhost)", 1, 0},
        {NULL, OPT_FLAG, NULL, NULL, NULL, 0, 0},
    };
    const cli_cmd cmd = {"bench", "[--suite NAME|all] [--group NAME] [--cert KIND] [--duration SEC] [options]",
                         "Runs full TLS 1.2 handshakes in memory (client and server in one thread, "
                         "the client\nverifying chain and name) for each suite for SEC seconds "
                         "and prints handshakes/s\nand each side's CPU time per handshake. "
                         "Generates its own CA and certificates\nunless --cert-file, --key-file "
                         "and --ca-file are given.",
                         opts};
    const char *pos[1];
    int npos = 0, pr = cli_parse(&cmd, argc, argv, pos, 0, &npos);
    if (pr == CLI_HELP) return 0;
    if (pr) return pr;
    int own = o.cert_file || o.key_file || o.ca_file;
    if (own && !(o.cert_file && o.key_file && o.ca_file))
        return cli_usage_error(&cmd, "--cert-file, --key-file and --ca-file go together");
    if (own && o.cert) return cli_usage_error(&cmd, "--cert and --cert-file exclude each other");
    if (o.cert && strcmp(o.cert, "ecdsa-p256") && strcmp(o.cert, "rsa2048") &&
        strcmp(o.cert, "rsa3072") && strcmp(o.cert, "rsa4096"))
        return cli_usage_error(&cmd, "--cert %s: want ecdsa-p256, rsa2048, rsa3072 or rsa4096", o.cert);
    uint16_t groups[2] = {29, 0};
    unsigned ngroups = 1;
    if (o.group && !strcmp(o.group, "all")) {
        groups[0] = 29;
        groups[1] = 23;
        ngroups = 2;
    } else if (o.group) {
        int g = eng_group_from_name(o.group);
        if (g < 0) return cli_usage_error(&cmd, "--group %s: unknown group (x25519, secp256r1, all)", o.group);
        groups[0] = (uint16_t)g;
    }
    uint16_t suites[6];
    unsigned nsuites = 0;
    if (!o.suite || !strcmp(o.suite, "all")) {
        for (unsigned i = 0; i < 6; i++)
            if (eng_suite_name(all_suites[i], 0)) suites[nsuites++] = all_suites[i];
    } else {
        int s = eng_suite_from_name(o.suite);
        if (s < 0) return cli_usage_error(&cmd, "--suite %s: unknown or unsupported suite", o.suite);
        suites[nsuites++] = (uint16_t)s;
    }
    if (own && (cli_check_readable("bench", "cert-file", o.cert_file) < 0 ||
                cli_check_readable("bench", "key-file", o.key_file) < 0 ||
                cli_check_readable("bench", "ca-file", o.ca_file) < 0))
        return 1;
    if (cli_apply_isa("bench", isa) < 0) return 1;

    char err[512];
    const char *own_kind = NULL;
    if (own) { /* the key type decides which suites can use the given certificate */
        cd_privkey k;
        if (cd_privkey_load(&k, o.key_file, err, sizeof err) < 0) return cli_error("bench", "%s", err);
        own_kind = k.type == CD_KEY_EC_P256 ? "ecdsa-p256" : "rsa";
        cd_privkey_free(&k);
    }
    certgen *g = NULL;
    if (!own && !(g = certgen_new(err, sizeof err))) return cli_error("bench", "%s", err);

    calibrate_tsc();
    uint64_t feat = cd_cpu_features();
    const char *forced = cd_isa_forced();
    const cd_x25519 *xi = cd_x25519_select(feat, forced);
    const cd_p256 *pi = cd_p256_select(feat, forced);
    char fbuf[512];
    printf("mbshake bench: in-memory TLS 1.2 handshakes, 1 thread, client verifies chain + name \"%s\"\n",
           o.servername);
    printf("kernels: x25519=%s p256=%s sym=%s (ipsec-mb) rsa=libcrypto %s; isa=%s; TSC %.3f GHz\n",
           xi ? xi->name : "?", pi ? pi->name : "?", cd_sym_arch(), certgen_libcrypto_version(),
           forced ? forced : "auto", tsc_hz / 1e9);
    printf("cpu: %s\n", cd_cpu_feature_names(feat, fbuf, sizeof fbuf));
    printf("%-32s %-10s %-11s %10s %8s %10s %13s %13s\n", "suite", "group", "cert", "handshakes",
           "seconds", "hs/s", "server us/hs", "client us/hs");
    int rc = 0, ran = 0;
    for (unsigned i = 0; i < nsuites && rc == 0; i++) {
        const char *name = eng_suite_name(suites[i], 0);
        bcase bc = {.suite = suites[i]};
        bc.kex_ecdhe = name && !strncmp(name, "ECDHE-", 6);
        bc.auth = name && !strncmp(name, "ECDHE-ECDSA-", 12) ? AUTH_ECDSA : AUTH_RSA;
        const char *chain = o.cert_file, *key = o.key_file, *ca = o.ca_file;
        if (own) {
            if ((bc.auth == AUTH_ECDSA) != !strcmp(own_kind, "ecdsa-p256")) continue;
            bc.cert_kind = "(file)";
        } else {
            bc.cert_kind = cert_for(bc.auth, o.cert);
            if (!*bc.cert_kind) continue;
            if (certgen_leaf(g, bc.cert_kind, &chain, &key, err, sizeof err) < 0) {
                rc = cli_error("bench", "%s", err);
                break;
            }
            ca = certgen_ca_file(g);
        }
        for (unsigned j = 0; j < (bc.kex_ecdhe ? ngroups : 1) && rc == 0; j++) {
            bc.group = bc.kex_ecdhe ? groups[j] : 0;
            rc = run_case(&bc, chain, key, ca, o.servername, o.duration);
            ran++;
        }
    }
    if (rc == 0 && ran == 0)
        rc = cli_error("bench", "no suite matches the certificate (ECDSA suites need ecdsa-p256, "
                                "RSA suites an RSA key)");
    certgen_free(g);
    return rc;
}
