/* p256_x4_avx2.c — cd_p256_avx2: P-256 ECDH (SEC 1 §3.3.1) and ECDSA (FIPS 186-4 §6.4, nonces
 * per RFC 6979) on four lanes. The point multiplications run four at a time in AVX2
 * (p256_x4_point_avx2.c); the per-lane work around them (range checks, RFC 6979, arithmetic
 * mod n, encodings) reuses the scalar code of p256_*.c through p256_internal.h.
 *
 * verify, for three or four signatures, computes u1 G and u2 Q with the four-lane
 * multiplications (u2 Q reading its table by index: the inputs are public) and finishes each
 * lane with the scalar code; one or two signatures go to p256_verify_mulx (see
 * X4_VERIFY_MIN). verify_tab (per-key combs) spreads the comb additions of any number of
 * signatures over the four lanes (verify_comb). s^-1 mod n comes from the variable-time gcd
 * there, and from a blinded variable-time inversion in sign (p256_fn_inv_blinded).
 *
 * Partial batches are padded with a fixed dummy lane (scalar 1, peer G) whose result is
 * discarded. Invalid inputs are replaced under a mask (private key -> 1) or, for a peer point,
 * whose validity is public, by G; the lane then reports failure, and costs the same.
 * Secrets are wiped and the ymm registers zeroed before returning. */
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "ct.h"
#include "p256_internal.h"
#include "p256_x4_avx2.h"

#define L P256X4_LANES

extern const cd_p256 cd_p256_scalar;

static const uint8_t scalar_one[32] = {[31] = 1};
static const uint64_t one_plain[4] = {1, 0, 0, 0};
/* the base point, 04 || X || Y, as the stand-in for an invalid or padding peer */
static const uint8_t g_point[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

/* k = ok ? priv : 1; returns ok (all-ones or 0) */
static uint64_t pick_scalar(uint8_t k[32], const uint8_t priv[32])
{
    uint64_t ok = p256_fn_in_range(priv); /* cd.h: lane fails if priv is 0 or >= n */
    memcpy(k, scalar_one, 32);
    ct_memcpy_if((uint32_t)(ok & 1), k, priv, 32);
    return ok;
}

/* a[l] = a[l]^-1 mod n for the four lanes (Montgomery form, all nonzero) with one inversion
 * (Montgomery's trick): 9 multiplications instead of three more inversions. Constant time when
 * inv is (p256_fn_inv_blinded for signing; verification passes p256_fn_inv_vartime). */
static void fn_inv4(p256_fn a[L], void (*inv_fn)(p256_fn, const p256_fn))
{
    p256_fn pre[L], inv, t;
    memcpy(pre[0], a[0], sizeof pre[0]);
    for (unsigned l = 1; l < L; l++)
        p256_fn_mul(pre[l], pre[l - 1], a[l]);
    inv_fn(inv, pre[L - 1]);
    for (unsigned l = L - 1; l > 0; l--) {
        p256_fn_mul(t, inv, pre[l - 1]); /* a[l]^-1 */
        p256_fn_mul(inv, inv, a[l]);     /* (a[0] .. a[l-1])^-1 */
        memcpy(a[l], t, sizeof t);
    }
    memcpy(a[0], inv, sizeof inv);
    ct_wipe(pre, sizeof pre);
    ct_wipe(inv, sizeof inv);
    ct_wipe(t, sizeof t);
}

struct keygen_state {
    uint8_t k[L][32];
    uint64_t x[L][4], y[L][4], ok[L];
    uint8_t out[65];
    p256x4_jac r;
};

static uint32_t avx2_keygen(uint8_t pub[][65], const uint8_t priv[][32], unsigned n)
{
    struct keygen_state s;
    uint32_t bad = 0;
    uint64_t ok[L];
    for (unsigned l = 0; l < L; l++) {
        if (l < n) /* n is public */
            ok[l] = pick_scalar(s.k[l], priv[l]);
        else
            memcpy(s.k[l], scalar_one, 32), ok[l] = 0;
    }
    p256x4_base_mul_ct(&s.r, (const uint8_t(*)[32])s.k);
    p256x4_to_affine(s.x, s.y, s.ok, &s.r);
    for (unsigned l = 0; l < n; l++) {
        uint64_t good = ok[l] & s.ok[l];
        s.out[0] = 0x04;
        p256_limbs_to_be(s.out + 1, s.x[l]);
        p256_limbs_to_be(s.out + 33, s.y[l]);
        memset(pub[l], 0, 65);
        ct_memcpy_if((uint32_t)(good & 1), pub[l], s.out, 65);
        bad |= (uint32_t)(~good & 1) << l;
    }
    ct_wipe(&s, sizeof s);
    ct_wipe(ok, sizeof ok);
    _mm256_zeroall();
    return bad;
}

struct derive_state {
    uint8_t k[L][32];
    uint64_t x[L][4], y[L][4], ok[L];
    uint8_t out[32];
    p256x4_jac r;
};

static uint32_t avx2_derive(uint8_t out[][32], const uint8_t priv[][32], const uint8_t peer[][65],
                            unsigned n)
{
    struct derive_state s;
    uint64_t qx[L][4], qy[L][4], ok[L];
    uint32_t bad = 0;
    p256x4_aff q;
    for (unsigned l = 0; l < L; l++) {
        const uint8_t *pt = g_point;
        p256_aff dummy;
        ok[l] = 0;
        memcpy(s.k[l], scalar_one, 32);
        /* RFC 8422 §5.11 / SEC 1 §3.2.2.1: only a valid uncompressed point (public) */
        if (l < n && p256_point_decode(&dummy, peer[l])) {
            pt = peer[l];
            ok[l] = pick_scalar(s.k[l], priv[l]);
        } else if (l < n) {
            pick_scalar(s.k[l], priv[l]); /* same work for a lane that fails */
        }
        p256_limbs_from_be(qx[l], pt + 1);
        p256_limbs_from_be(qy[l], pt + 33);
    }
    p256x4_from_plain(&q.x, (const uint64_t(*)[4])qx);
    p256x4_from_plain(&q.y, (const uint64_t(*)[4])qy);
    p256x4_mul_ct(&s.r, &q, (const uint8_t(*)[32])s.k);
    p256x4_to_affine(s.x, s.y, s.ok, &s.r); /* SEC 1 §3.3.1 step 2: infinity is an error */
    for (unsigned l = 0; l < n; l++) {
        uint64_t good = ok[l] & s.ok[l];
        p256_limbs_to_be(s.out, s.x[l]);
        memset(out[l], 0, 32);
        ct_memcpy_if((uint32_t)(good & 1), out[l], s.out, 32);
        bad |= (uint32_t)(~good & 1) << l;
    }
    ct_wipe(&s, sizeof s);
    ct_wipe(ok, sizeof ok);
    _mm256_zeroall();
    return bad;
}

struct sign_state {
    uint8_t d[L][32], k[L][32], sig[64];
    uint64_t x[L][4], y[L][4], ok[L], r[4], s[4], kk[4], dl[4], el[4];
    p256_fn dm, em, rm, kinv[L], t;
    p256_rfc6979 st;
    p256x4_jac pt;
};

static uint32_t avx2_sign(uint8_t sig[][64], const uint8_t priv[][32], const uint8_t hash[][32],
                          const uint8_t extra[][32], unsigned n)
{
    struct sign_state s;
    uint64_t ok[L];
    uint32_t bad = 0, redo = 0;
    for (unsigned l = 0; l < L; l++) {
        memcpy(s.k[l], scalar_one, 32);
        ok[l] = 0;
        if (l >= n) continue; /* public */
        ok[l] = pick_scalar(s.d[l], priv[l]);
        p256_rfc6979_init(&s.st, s.d[l], hash[l], extra ? extra[l] : NULL);
        for (;;) {
            p256_rfc6979_next(&s.st, s.k[l]);
            /* RFC 6979 §3.2 h.3: retry while k is not in [1, n-1]; a rejected candidate says
             * nothing about the one finally used */
            uint64_t usable = p256_fn_in_range(s.k[l]);
            P256_DECLASSIFY(&usable, sizeof usable);
            if (usable) break;
        }
    }
    p256x4_base_mul_ct(&s.pt, (const uint8_t(*)[32])s.k);
    p256x4_to_affine(s.x, s.y, s.ok, &s.pt); /* k in [1, n-1]: never infinity */
    for (unsigned l = 0; l < L; l++) {
        p256_limbs_from_be(s.kk, s.k[l]);
        p256_fn_to_mont(s.kinv[l], s.kk);
    }
    fn_inv4(s.kinv, p256_fn_inv_blinded); /* every k (padding: 1) is in [1, n-1] */
    for (unsigned l = 0; l < n; l++) {
        p256_fn_reduce_once(s.r, s.x[l]); /* r = x mod n; x < p < 2n */
        p256_fn_to_mont(s.rm, s.r);
        p256_limbs_from_be(s.dl, s.d[l]);
        p256_fn_to_mont(s.dm, s.dl);
        p256_limbs_from_be(s.el, hash[l]); /* e = bits2int(H) mod n; qlen = hlen = 256 */
        p256_fn_reduce_once(s.el, s.el);
        p256_fn_to_mont(s.em, s.el);
        p256_fn_mul(s.t, s.rm, s.dm);
        p256_fn_add(s.t, s.t, s.em);
        p256_fn_mul(s.t, s.t, s.kinv[l]); /* s = k^-1 (e + r d) */
        p256_fn_from_mont(s.s, s.t);
        p256_limbs_to_be(s.sig, s.r);
        p256_limbs_to_be(s.sig + 32, s.s);
        /* r = 0 or s = 0 (RFC 6979 §3.2 h.3: next candidate): practically never; that lane is
         * redone by the scalar code, which walks the same candidate sequence */
        uint64_t zero = p256_limbs_is_zero(s.r) | p256_limbs_is_zero(s.s);
        P256_DECLASSIFY(&zero, sizeof zero);
        if (zero) redo |= 1u << l;
        memset(sig[l], 0, 64);
        ct_memcpy_if((uint32_t)(ok[l] & 1), sig[l], s.sig, 64);
        bad |= (uint32_t)(~ok[l] & 1) << l;
    }
    ct_wipe(&s, sizeof s);
    ct_wipe(ok, sizeof ok);
    _mm256_zeroall();
    for (unsigned l = 0; l < n; l++)
        if (redo >> l & 1) /* declassified above */
            bad = (bad & ~(1u << l)) |
                  cd_p256_scalar.sign(&sig[l], &priv[l], &hash[l], extra ? &extra[l] : NULL, 1)
                      << l;
    return bad;
}

/* the four lanes of a as Jacobian points of the scalar code (its Montgomery form); zero[l]
 * all-ones where lane l's Z is 0 */
static void export_jac(p256_jac out[L], uint64_t zero[L], const p256x4_jac *a)
{
    uint64_t c[3][L][4], unused[L];
    p256x4_to_plain(c[0], unused, &a->x);
    p256x4_to_plain(c[1], unused, &a->y);
    p256x4_to_plain(c[2], zero, &a->z);
    for (unsigned l = 0; l < L; l++) {
        p256_fe_to_mont(out[l].x, c[0][l]);
        p256_fe_to_mont(out[l].y, c[1][l]);
        p256_fe_to_mont(out[l].z, c[2][l]);
    }
}

/* FIPS 186-4 §6.4.2 steps 1-5 for up to four lanes: good[l] = 1 when l < n and r, s are in
 * [1, n-1]; then r, u1 = e s^-1 and u2 = r s^-1 mod n (plain integers) for those lanes. The
 * four s share one inversion. */
static void verify_scalars(int good[L], uint64_t r[L][4], uint64_t u1[L][4], uint64_t u2[L][4],
                           const uint8_t hash[][32], const uint8_t sig[][64], unsigned n)
{
    p256_fn w[L];
    for (unsigned l = 0; l < L; l++) {
        uint64_t s[4];
        good[l] = l < n && p256_fn_in_range(sig[l]) && p256_fn_in_range(sig[l] + 32);
        memcpy(s, one_plain, sizeof s);
        if (good[l]) p256_limbs_from_be(s, sig[l] + 32);
        p256_fn_to_mont(w[l], s);
    }
    fn_inv4(w, p256_fn_inv_vartime); /* s in [1, n-1], or 1 */
    for (unsigned l = 0; l < L; l++) {
        uint64_t e[4];
        if (!good[l]) continue;
        p256_limbs_from_be(r[l], sig[l]);
        p256_limbs_from_be(e, hash[l]);
        p256_fn_reduce_once(e, e);
        /* a plain times w R (Montgomery form): the Montgomery product is the plain a w */
        p256_fn_mul(u1[l], e, w[l]);
        p256_fn_mul(u2[l], r[l], w[l]); /* r, w nonzero mod n: u2 in [1, n-1] */
    }
}

/* x(R) mod n == r for R = pt, without an inversion: X == r Z^2, or X == (r + n) Z^2 if
 * r + n < p; R at infinity fails */
static int check_x(const p256_jac *pt, const uint64_t r[4])
{
    p256_fe z2, rf, lhs;
    if (p256_fe_is_zero(pt->z)) return 0;
    p256_fe_sqr(z2, pt->z);
    p256_fe_to_mont(rf, r); /* r < n < p */
    p256_fe_mul(lhs, rf, z2);
    if (p256_fe_eq(lhs, pt->x)) return 1;
    uint64_t rn[4], c = 0;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 x = (unsigned __int128)r[i] + p256_n[i] + c;
        rn[i] = (uint64_t)x;
        c = (uint64_t)(x >> 64);
    }
    if (c || !p256_limbs_lt(rn, p256_p)) return 0;
    p256_fe_to_mont(rf, rn);
    p256_fe_mul(lhs, rf, z2);
    return p256_fe_eq(lhs, pt->x) != 0;
}

/* FIPS 186-4 §6.4.2 with u1 G and u2 Q computed four lanes at a time (u2 Q by the Booth-5
 * windows over a table built here), then added lane by lane with the scalar formulas, which
 * handle every case. Everything is public: ordinary branches. */
static uint32_t verify4(const uint8_t pub[][65], const uint8_t hash[][32], const uint8_t sig[][64],
                        unsigned n)
{
    uint8_t u1b[L][32], u2b[L][32];
    uint64_t r[L][4], u1[L][4], u2[L][4], qx[L][4], qy[L][4], z1[L], z2[L];
    int good[L];
    p256x4_aff q;
    p256x4_jac j1, j2;
    p256_jac a1[L], a2[L];
    uint32_t bad = 0;
    verify_scalars(good, r, u1, u2, hash, sig, n);
    for (unsigned l = 0; l < L; l++) {
        const uint8_t *pt = g_point;
        p256_aff dummy;
        memcpy(u1b[l], scalar_one, 32);
        memcpy(u2b[l], scalar_one, 32);
        good[l] = good[l] && p256_point_decode(&dummy, pub[l]); /* and r, s in [1, n-1] */
        if (good[l]) {
            pt = pub[l];
            p256_limbs_to_be(u1b[l], u1[l]); /* 0 when e = 0 mod n: R = u2 Q */
            p256_limbs_to_be(u2b[l], u2[l]);
        }
        p256_limbs_from_be(qx[l], pt + 1);
        p256_limbs_from_be(qy[l], pt + 33);
    }
    p256x4_from_plain(&q.x, (const uint64_t(*)[4])qx);
    p256x4_from_plain(&q.y, (const uint64_t(*)[4])qy);
    p256x4_base_mul_vartime(&j1, (const uint8_t(*)[32])u1b);
    p256x4_mul_vartime(&j2, &q, (const uint8_t(*)[32])u2b);
    export_jac(a1, z1, &j1);
    export_jac(a2, z2, &j2);
    _mm256_zeroall();
    for (unsigned l = 0; l < n; l++) {
        p256_jac pt;
        if (!good[l]) {
            bad |= 1u << l;
            continue;
        }
        if (z1[l]) /* u1 = 0 */
            pt = a2[l];
        else
            p256_point_add_vartime(&pt, &a1[l], &a2[l]);
        if (!check_x(&pt, r[l])) bad |= 1u << l;
    }
    return bad;
}

/* Below X4_VERIFY_MIN signatures a padded four-lane call costs more per signature than the
 * one-lane code (p256_verify_mulx, BMI2/ADX): a four-lane call costs about 340k TSC ticks
 * whatever its fill, so 340k and 170k per signature for one and two, against 155k and 150k;
 * from three on the kernel wins (113k and 85k per signature for three and four against ~150k;
 * Zen 3, min over repeated calls). CD_NEEDS_AVX2 includes BMI2 and ADX. */
#define X4_VERIFY_MIN 3

static uint32_t avx2_verify_any(const uint8_t pub[][65], const uint8_t hash[][32],
                                const uint8_t sig[][64], unsigned n)
{
    if (n < X4_VERIFY_MIN) return p256_verify_mulx(pub, hash, sig, n);
    return verify4(pub, hash, sig, n);
}

/* ---- per-key tables (cd_p256.key_table_new, verify_tab) -----------------------------------
 * A client that meets the same server key again and again (a load generator, a benchmark
 * with --verify cached) can treat that key like G: u2 Q from a comb of Q's multiples, 37 mixed
 * additions and no doubling, instead of 256 doublings and ~50 additions. The table is public
 * data derived from a validated public key; it names its key, and verify_tab uses a table only
 * for the key it was built for. */
#define KEYTAB_MAGIC 0x62617434783636ULL /* marks a table made by avx2_key_table_new */
typedef struct keytab {
    p256x4_comb comb; /* first: 64-byte aligned with the allocation */
    uint64_t magic;
    uint8_t pub[65];
} keytab;

static void *avx2_key_table_new(const uint8_t pub[65])
{
    p256_aff q;
    if (!p256_point_decode(&q, pub)) return NULL;
    p256_aff(*bt)[P256_BASE_NENT] = malloc(sizeof(p256_aff[P256_BASE_NWIN][P256_BASE_NENT]));
    keytab *t = aligned_alloc(64, (sizeof(keytab) + 63) & ~(size_t)63);
    if (!bt || !t) {
        free(bt);
        free(t);
        return NULL;
    }
    p256_comb_build(bt, &q);
    p256x4_comb_from_affine(t->comb, (const p256_aff(*)[P256_BASE_NENT])bt);
    free(bt);
    t->magic = KEYTAB_MAGIC;
    memcpy(t->pub, pub, 65);
    return t;
}

static void avx2_key_table_free(void *t)
{
    free(t);
}

/* With every key's comb at hand, a signature is 66 mixed additions of comb entries (29 windows
 * of u1 over G's comb of width 9, 37 of u2 over Q's of width 7) and no doubling, so the work of
 * the n signatures (66 n additions) is spread evenly over the four lanes whatever n is: lane l
 * runs additions l T .. (l + 1) T - 1 of the concatenation (T = ceil(66 n / 4) <= 66), as at
 * most two sums (a lane crosses at most one signature boundary). One signature, for example,
 * is four sums of about 17 additions; the scalar code adds each signature's sums with the
 * complete formulas. A sum
 * that met an exceptional addition (equal or opposite points: possible for crafted
 * signatures, as a sum here mixes G and Q) sends its signature to p256_verify_mulx, which
 * handles every case. Everything is public. */
#define WPS (P256X4_GNWIN + P256_BASE_NWIN) /* additions per signature */
static uint32_t verify_comb(const uint8_t pub[][65],
                            const uint64_t (*const qc[])[P256_BASE_NENT][8],
                            const uint8_t hash[][32], const uint8_t sig[][64], unsigned n)
{
    uint64_t r[L][4], u1[L][4], u2[L][4], zero[P256X4_NOUT][L];
    int good[L], have[L] = {0}, exc[L] = {0};
    unsigned idx[L], m = 0, nseg = 0, nout = 0, inf[P256X4_NOUT];
    uint32_t bad = 0;
    struct {
        unsigned sig, out, lane;
    } seg[2 * L];
    p256x4_prog pg;
    p256x4_jac out[P256X4_NOUT];
    p256_jac pts[P256X4_NOUT][L], acc[L];
    verify_scalars(good, r, u1, u2, hash, sig, n);
    for (unsigned l = 0; l < n; l++) {
        if (good[l])
            idx[m++] = l;
        else
            bad |= 1u << l;
    }
    if (m == 0) return bad;
    const uint64_t *g = p256x4_comb_g();
    unsigned total = WPS * m, steps = (total + L - 1) / L;
    /* only the steps that run: e (which lanes never reach stays NULL), neg, start, end */
    memset(pg.e, 0, steps * sizeof pg.e[0]);
    memset(pg.neg, 0, steps);
    memset(pg.start, 0, steps);
    memset(pg.end, 0, steps * sizeof pg.end[0]);
    pg.nsteps = steps;
    for (unsigned l = 0; l < L; l++) {
        unsigned a = l * steps, b = a + steps < total ? a + steps : total, pos = 0, o = 0;
        while (a < b) {
            unsigned j = a / WPS, w = a % WPS, w1 = w + (b - a) < WPS ? w + (b - a) : WPS;
            unsigned sg = idx[j];
            pg.start[pos] |= (uint8_t)(1u << l);
            if (w < P256X4_GNWIN) /* windows of u1 over G's comb, then of u2 over Q's */
                p256x4_prog_windows(&pg, l, &pos, u1[sg], g, P256X4_GW, w,
                                    w1 < P256X4_GNWIN ? w1 : P256X4_GNWIN);
            if (w1 > P256X4_GNWIN)
                p256x4_prog_windows(&pg, l, &pos, u2[sg], &qc[sg][0][0][0], 7,
                                    (w > P256X4_GNWIN ? w : P256X4_GNWIN) - P256X4_GNWIN,
                                    w1 - P256X4_GNWIN);
            pg.end[pos - 1][o] |= (uint8_t)(1u << l);
            seg[nseg].sig = sg, seg[nseg].out = o, seg[nseg].lane = l, nseg++;
            o++;
            a += w1 - w;
        }
        if (o > nout) nout = o;
    }
    p256x4_prog_run(out, inf, &pg);
    for (unsigned o = 0; o < nout; o++)
        export_jac(pts[o], zero[o], &out[o]);
    _mm256_zeroall();
    for (unsigned i = 0; i < nseg; i++) {
        unsigned sg = seg[i].sig, o = seg[i].out, l = seg[i].lane;
        if (inf[o] >> l & 1) continue; /* no nonzero digit: nothing to add */
        if (zero[o][l]) {
            exc[sg] = 1;
        } else if (!have[sg]) {
            acc[sg] = pts[o][l];
            have[sg] = 1;
        } else {
            p256_point_add_vartime(&acc[sg], &acc[sg], &pts[o][l]);
        }
    }
    for (unsigned j = 0; j < m; j++) {
        unsigned sg = idx[j];
        if (exc[sg])
            bad |= p256_verify_mulx(&pub[sg], &hash[sg], &sig[sg], 1) << sg;
        else if (!have[sg] || !check_x(&acc[sg], r[sg]))
            bad |= 1u << sg;
    }
    return bad;
}

static uint32_t avx2_verify_tab(const uint8_t pub[][65], const void *const tab[],
                                const uint8_t hash[][32], const uint8_t sig[][64], unsigned n)
{
    const uint64_t(*qc[L])[P256_BASE_NENT][8];
    if (n == 0 || n > L) return avx2_verify_any(pub, hash, sig, n);
    for (unsigned l = 0; l < n; l++) {
        const keytab *t = tab[l];
        /* a missing or foreign table: the plain path, same result */
        if (!t || t->magic != KEYTAB_MAGIC || memcmp(t->pub, pub[l], 65))
            return avx2_verify_any(pub, hash, sig, n);
        qc[l] = (const uint64_t(*)[P256_BASE_NENT][8])t->comb;
    }
    return verify_comb(pub, qc, hash, sig, n);
}

const cd_p256 cd_p256_avx2 = {
    .name = "avx2",
    .lanes = L,
    .needs = CD_NEEDS_AVX2,
    .keygen = avx2_keygen,
    .derive = avx2_derive,
    .sign = avx2_sign,
    .verify = avx2_verify_any,
    .key_table_new = avx2_key_table_new,
    .key_table_free = avx2_key_table_free,
    .verify_tab = avx2_verify_tab,
};
