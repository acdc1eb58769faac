/* test_x25519.c — X25519 kernels (engine/x25519_*.c) on every implementation this CPU runs:
 * RFC 7748 §5.2 and §6.1 known answers, the Wycheproof x25519 vectors, and cross-validation
 * against the scalar kernel and OpenSSL libcrypto for every batch size, with small-order peers
 * planted in random lanes. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "th.h"
#include "x25519_internal.h"

#define MAXL 16 /* more lanes than any implementation has */

static const cd_x25519 *im;       /* the implementation under test */
static const cd_x25519 *scalar;   /* the oracle (last in the table) */
static char case_name[64];


/* Runs derive on n lanes, checking that the lane after the batch is never written and that no
 * failure bit is reported at or above n. */
static uint32_t derive_n(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][32],
                         unsigned n)
{
    memset(out[n], 0xa5, 32);
    uint32_t bad = im->derive(out, priv, peer, n);
    for (unsigned i = 0; i < 32; i++) CHECKF(out[n][i] == 0xa5, "derive wrote past lane %u", n);
    CHECKF((bad >> n) == 0, "failure bits 0x%x beyond n=%u", bad, n);
    return bad;
}

/* RFC 7748 §5.2: two scalar-multiplication vectors, each run in every lane of a full batch. */
static void t_rfc7748_vectors(void)
{
    static const char *v[][3] = {
        {"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
         "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
         "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
        {"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
         "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
         "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
    };
    uint8_t priv[MAXL][32], peer[MAXL][32], out[MAXL + 1][32], want[32];
    for (size_t t = 0; t < 2; t++) {
        for (unsigned n = 1; n <= im->lanes; n++) {
            for (unsigned i = 0; i < n; i++) {
                th_unhex_n(v[t][0], priv[i], 32);
                th_unhex_n(v[t][1], peer[i], 32);
            }
            th_unhex_n(v[t][2], want, 32);
            CHECK_EQ(derive_n(out, priv, peer, n), 0);
            for (unsigned i = 0; i < n; i++) CHECK_MEM(out[i], want, 32);
        }
    }
}

/* RFC 7748 §5.2 iterated test: k = u = 9; repeat (k, u) = (X25519(k, u), k). Every lane runs
 * the same chain, so each lane is checked independently. */
static void t_rfc7748_iterated(void)
{
    uint8_t k[MAXL][32], u[MAXL][32], r[MAXL + 1][32], want1[32], want1000[32];
    unsigned n = im->lanes;
    th_unhex_n("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079", want1, 32);
    th_unhex_n("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51", want1000, 32);
    for (unsigned i = 0; i < n; i++) {
        memset(k[i], 0, 32);
        k[i][0] = 9;
        memcpy(u[i], k[i], 32);
    }
    for (int it = 1; it <= 1000; it++) {
        CHECK_EQ(derive_n(r, k, u, n), 0);
        for (unsigned i = 0; i < n; i++) {
            memcpy(u[i], k[i], 32);
            memcpy(k[i], r[i], 32);
        }
        if (it == 1)
            for (unsigned i = 0; i < n; i++) CHECK_MEM(k[i], want1, 32);
    }
    for (unsigned i = 0; i < n; i++) CHECK_MEM(k[i], want1000, 32);
}

/* RFC 7748 §6.1: Alice and Bob's key pairs and their shared secret, through keygen and
 * derive, in alternating lanes. */
static void t_rfc7748_dh(void)
{
    uint8_t priv[2][32], pub[2][32], shared[32];
    th_unhex_n("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv[0], 32);
    th_unhex_n("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", pub[0], 32);
    th_unhex_n("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", priv[1], 32);
    th_unhex_n("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pub[1], 32);
    th_unhex_n("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", shared, 32);
    uint8_t p[MAXL][32], q[MAXL][32], out[MAXL + 1][32];
    for (unsigned n = 1; n <= im->lanes; n++) {
        for (unsigned i = 0; i < n; i++) memcpy(p[i], priv[i & 1], 32);
        memset(out[n], 0xa5, 32);
        CHECK_EQ(im->keygen(out, p, n), 0);
        for (unsigned i = 0; i < 32; i++) CHECKF(out[n][i] == 0xa5, "keygen wrote past lane %u", n);
        for (unsigned i = 0; i < n; i++) CHECK_MEM(out[i], pub[i & 1], 32);
        /* lane i: own private key with the other party's public key */
        for (unsigned i = 0; i < n; i++) memcpy(q[i], pub[(i & 1) ^ 1], 32);
        CHECK_EQ(derive_n(out, p, q, n), 0);
        for (unsigned i = 0; i < n; i++) CHECK_MEM(out[i], shared, 32);
    }
}

/* Wycheproof x25519_test.json: "valid"/"acceptable" must give the listed shared secret (an
 * all-zero one must come back as a failed lane); "invalid" must fail or differ. Tests are run
 * in full batches, so every vector also lands in every lane position over the run. */
struct wp_test {
    uint8_t priv[32], pub[32], shared[32];
    int tcid;
    char result; /* 'v' valid, 'a' acceptable, 'i' invalid */
};

static void t_wycheproof(void)
{
    json_t *root = th_wycheproof("x25519_test.json");
    if (!root) return;
    size_t cap = 1024, cnt = 0, nzero = 0, nvalid = 0, nacc = 0, ninv = 0;
    struct wp_test *tv = calloc(cap, sizeof *tv);
    CHECK(tv != NULL);
    json_t *groups = json_object_get(root, "testGroups");
    CHECK(json_is_array(groups));
    size_t gi, ti;
    json_t *g, *t;
    json_array_foreach(groups, gi, g) {
        const char *curve = json_string_value(json_object_get(g, "curve"));
        if (!curve || strcmp(curve, "curve25519") != 0) continue;
        json_array_foreach(json_object_get(g, "tests"), ti, t) {
            if (cnt == cap) break;
            struct wp_test *w = &tv[cnt];
            const char *pub = json_string_value(json_object_get(t, "public"));
            const char *priv = json_string_value(json_object_get(t, "private"));
            const char *sh = json_string_value(json_object_get(t, "shared"));
            const char *res = json_string_value(json_object_get(t, "result"));
            w->tcid = (int)json_integer_value(json_object_get(t, "tcId"));
            if (!pub || !priv || !sh || !res || th_unhex(priv, w->priv, 32) != 32 ||
                th_unhex(pub, w->pub, 32) != 32 || th_unhex(sh, w->shared, 32) != 32) {
                /* x25519 vectors all have 32-byte fields; anything else would be "invalid" */
                CHECKF(res && !strcmp(res, "invalid"), "tcId %d: malformed but not invalid",
                       w->tcid);
                continue;
            }
            w->result = res[0];
            cnt++;
        }
    }
    json_decref(root);
    CHECK(cnt > 0);

    uint8_t priv[MAXL][32], peer[MAXL][32], out[MAXL + 1][32], zero[32] = {0};
    unsigned L = im->lanes;
    for (size_t base = 0; base < cnt; base += L) {
        unsigned n = (unsigned)(cnt - base < L ? cnt - base : L);
        for (unsigned i = 0; i < n; i++) {
            memcpy(priv[i], tv[base + i].priv, 32);
            memcpy(peer[i], tv[base + i].pub, 32);
        }
        uint32_t bad = derive_n(out, priv, peer, n);
        for (unsigned i = 0; i < n; i++) {
            const struct wp_test *w = &tv[base + i];
            uint32_t failed = (bad >> i) & 1;
            int is_zero = memcmp(w->shared, zero, 32) == 0;
            if (w->result == 'i') {
                ninv++;
                CHECKF(failed || memcmp(out[i], w->shared, 32) != 0,
                       "tcId %d (invalid) accepted with the listed secret", w->tcid);
            } else {
                w->result == 'v' ? nvalid++ : nacc++;
                if (is_zero) {
                    nzero++;
                    CHECKF(failed, "tcId %d: all-zero shared secret not reported as failed lane",
                           w->tcid);
                } else {
                    CHECKF(!failed, "tcId %d: lane %u failed", w->tcid, i);
                }
                if (memcmp(out[i], w->shared, 32) != 0) {
                    th_fail(__FILE__, __LINE__, "tcId %d: wrong shared secret (lane %u)",
                            w->tcid, i);
                    th_hexdump("  got ", out[i], 32);
                    th_hexdump("  want", w->shared, 32);
                }
            }
        }
    }
    th_note("x25519 %s: %zu Wycheproof vectors (%zu valid, %zu acceptable, %zu invalid; %zu with "
            "an all-zero secret)", im->name, cnt, nvalid, nacc, ninv, nzero);
    free(tv);
}

/* ---- OpenSSL libcrypto as an oracle ---- */
static int ossl_pub(const uint8_t priv[32], uint8_t pub[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    size_t len = 32;
    int ok = k && EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(k);
    return ok;
}

static int ossl_derive(const uint8_t priv[32], const uint8_t peer[32], uint8_t out[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, 32);
    EVP_PKEY_CTX *ctx = k ? EVP_PKEY_CTX_new(k, NULL) : NULL;
    size_t len = 32;
    int ok = ctx && p && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, p) == 1 &&
             EVP_PKEY_derive(ctx, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(p);
    EVP_PKEY_free(k);
    return ok;
}

/* Small-order u-coordinates (and non-canonical encodings of them): X25519 of any clamped
 * scalar with these is all zero (RFC 7748 §6.1 check). */
static const char *const small_order[] = {
    "0000000000000000000000000000000000000000000000000000000000000000", /* 0 */
    "0100000000000000000000000000000000000000000000000000000000000000", /* 1 */
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", /* order 8 */
    "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", /* order 8 */
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p - 1 */
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p (= 0) */
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", /* p + 1 (= 1) */
    "0000000000000000000000000000000000000000000000000000000000000080", /* 0, top bit set */
    "0100000000000000000000000000000000000000000000000000000000000080", /* 1, top bit set */
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", /* p + 1, top bit set */
};
#define N_SMALL (sizeof small_order / sizeof *small_order)

/* Random keys and peers, every batch size; results must equal scalar and OpenSSL bit for bit.
 * Every other batch gets one small-order peer in a random lane: exactly that bit must be set. */
static void t_xval(void)
{
    uint8_t priv[MAXL][32], peer[MAXL][32], out[MAXL + 1][32], ref[32], pub[MAXL + 1][32];
    unsigned rounds = 0, planted = 0;
    for (int round = 0; round < 48; round++) {
        for (unsigned n = 1; n <= im->lanes; n++) {
            th_rnd_bytes(&priv[0][0], sizeof priv);
            th_rnd_bytes(&peer[0][0], sizeof peer); /* random u: curve or twist, top bit random */
            int plant = (round & 1) != 0;
            unsigned bad_lane = (unsigned)(th_rnd64() % n);
            if (plant) th_unhex_n(small_order[th_rnd64() % N_SMALL], peer[bad_lane], 32);

            memset(pub[n], 0xa5, 32);
            CHECK_EQ(im->keygen(pub, priv, n), 0);
            for (unsigned i = 0; i < 32; i++) CHECKF(pub[n][i] == 0xa5, "keygen past lane %u", n);
            for (unsigned i = 0; i < n; i++) {
                CHECK(ossl_pub(priv[i], ref));
                CHECK_MEM(pub[i], ref, 32);
            }

            uint32_t bad = derive_n(out, priv, peer, n);
            CHECK_EQ(bad, plant ? 1u << bad_lane : 0u);
            for (unsigned i = 0; i < n; i++) {
                uint8_t one[2][32];
                CHECK_EQ(scalar->derive(one, &priv[i], &peer[i], 1), plant && i == bad_lane);
                CHECK_MEM(out[i], one[0], 32);
                if (plant && i == bad_lane) continue; /* OpenSSL refuses all-zero secrets */
                CHECK(ossl_derive(priv[i], peer[i], ref));
                CHECK_MEM(out[i], ref, 32);
            }
            rounds++;
            planted += plant;
        }
    }
    th_note("x25519 %s: %u random batches (sizes 1..%u), %u with a small-order lane", im->name,
            rounds, im->lanes, planted);
}

/* The planted small-order list itself: every entry in every lane position. */
static void t_small_order(void)
{
    uint8_t priv[MAXL][32], peer[MAXL][32], out[MAXL + 1][32], zero[32] = {0};
    for (size_t s = 0; s < N_SMALL; s++) {
        for (unsigned lane = 0; lane < im->lanes; lane++) {
            th_rnd_bytes(&priv[0][0], sizeof priv);
            th_rnd_bytes(&peer[0][0], sizeof peer);
            th_unhex_n(small_order[s], peer[lane], 32);
            uint32_t bad = derive_n(out, priv, peer, im->lanes);
            CHECKF(bad == (1u << lane), "small-order #%zu in lane %u: mask 0x%x", s, lane, bad);
            CHECK_MEM(out[lane], zero, 32);
        }
    }
}

/* The scalar kernel's keygen is the Edwards fixed-base comb; the ladder on u = 9 is its
 * reference. Scalars whose nibbles are all equal drive every signed digit value (-8..8) into
 * every table row, so together with the random ones every table entry and both signs are hit. */
static void t_comb_vs_ladder(void)
{
    uint8_t k[32], a[32], b[32], ref[32];
    unsigned cnt = 0;
    for (int v = 0; v < 16 + 200; v++) {
        if (v < 16)
            memset(k, v * 0x11, 32);
        else
            th_rnd_bytes(k, 32);
        x25519_base_comb(a, k);
        x25519_ladder_base(b, k);
        CHECK_MEM(a, b, 32);
        CHECK(ossl_pub(k, ref));
        CHECK_MEM(a, ref, 32);
        cnt++;
    }
    th_note("x25519 comb keygen: %u scalars equal to the ladder and to OpenSSL", cnt);
}

static void t_unavailable(void)
{
    printf("x25519 %s UNAVAILABLE\n", im->name);
    th_skip("this CPU lacks the features the %s kernel needs", im->name);
}

int main(void)
{
    uint64_t cpu = cd_cpu_features();
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {
        {"rfc7748_vectors", t_rfc7748_vectors}, {"rfc7748_iterated", t_rfc7748_iterated},
        {"rfc7748_dh", t_rfc7748_dh},           {"wycheproof", t_wycheproof},
        {"small_order", t_small_order},         {"xval_scalar_openssl", t_xval},
    };
    scalar = cd_x25519_impls[cd_x25519_nimpls - 1];
    if (strcmp(scalar->name, "scalar") != 0 || scalar->lanes != 1) {
        printf("x25519: the last table entry is not the scalar kernel\n");
        return 1;
    }
    th_case("x25519_comb_vs_ladder", t_comb_vs_ladder);
    for (unsigned k = 0; k < cd_x25519_nimpls; k++) {
        im = cd_x25519_impls[k];
        if (im->lanes < 1 || im->lanes > MAXL) {
            printf("x25519 %s: bad lane count %u\n", im->name, im->lanes);
            return 1;
        }
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            snprintf(case_name, sizeof case_name, "x25519_%s_%s", im->name, cases[c].name);
            th_case(case_name, (im->needs & ~cpu) ? t_unavailable : cases[c].fn);
        }
    }
    return th_done();
}
