/* test_hmac_key.c — engine/cd_hmac_key.h (HMAC with the key's pads hashed once): equal to
 * cd_hmac and to libcrypto's HMAC (the oracle) for SHA-256 and SHA-384, keys shorter than,
 * equal to and longer than the block, messages of 0 bytes, block edges and longer than the
 * HMAC job's 65534-byte limit, one key reused for many messages, on both ipsec-mb hash
 * managers (MBSHAKE_IPSECMB_HASH=sse and auto, each in a fresh thread); and the PRF built on
 * it against an RFC 5246 §5 P_hash written here from libcrypto's HMAC. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cd.h"
#include "cd_hmac_key.h"
#include "keysched.h"
#include "th.h"

static const EVP_MD *md_of(enum cd_hash h) { return h == CD_SHA384 ? EVP_sha384() : EVP_sha256(); }

static void oracle(enum cd_hash h, const uint8_t *k, size_t kl, const uint8_t *m, size_t n,
                   uint8_t *out)
{
    unsigned int ol = 0;
    static const uint8_t z[1];
    HMAC(md_of(h), kl ? k : z, (int)kl, n ? m : z, n, out, &ol);
}

static const size_t klens[] = {0, 1, 16, 32, 48, 63, 64, 65, 127, 128, 129, 200};
static const size_t mlens[] = {0, 1, 31, 32, 55, 56, 63, 64, 65, 86, 118, 119, 128, 1000, 65534,
                               65535, 70000};

static int run_all(void)
{
    int bad = 0;
    const enum cd_hash hs[2] = {CD_SHA256, CD_SHA384};
    uint8_t *msg = malloc(70000), key[200];
    th_rnd_bytes(msg, 70000);
    for (unsigned hi = 0; hi < 2; hi++) {
        enum cd_hash h = hs[hi];
        size_t hl = cd_hash_len(h);
        for (size_t ki = 0; ki < sizeof klens / sizeof klens[0]; ki++) {
            th_rnd_bytes(key, sizeof key);
            cd_hmac_key k;
            cd_hmac_key_init(&k, h, key, klens[ki]);
            for (size_t mi = 0; mi < sizeof mlens / sizeof mlens[0]; mi++) {
                uint8_t a[64], b[64], c[64];
                size_t n = mlens[mi];
                cd_hmac_key_mac(&k, msg, n, a);
                cd_hmac(h, key, klens[ki], msg, n, b);
                oracle(h, key, klens[ki], msg, n, c);
                if (memcmp(a, c, hl) || memcmp(b, c, hl)) {
                    th_fail(__FILE__, __LINE__, "h=%d klen=%zu n=%zu: mismatch", (int)h,
                            klens[ki], n);
                    bad++;
                }
            }
            cd_hmac_key_wipe(&k);
            const uint8_t zero[sizeof k] = {0};
            if (memcmp(&k, zero, sizeof k)) {
                th_fail(__FILE__, __LINE__, "cd_hmac_key_wipe left bytes");
                bad++;
            }
        }
        /* one key, many random messages (the PRF's pattern), against the oracle */
        for (int r = 0; r < 200; r++) {
            size_t kl = th_rnd_below(100), n = th_rnd_below(300);
            th_rnd_bytes(key, kl);
            th_rnd_bytes(msg, n);
            cd_hmac_key k;
            cd_hmac_key_init(&k, h, key, kl);
            for (int j = 0; j < 3; j++) {
                uint8_t a[64], c[64];
                cd_hmac_key_mac(&k, msg + j, n > 3 ? n - (size_t)j : n, a);
                oracle(h, key, kl, msg + j, n > 3 ? n - (size_t)j : n, c);
                if (memcmp(a, c, hl)) {
                    th_fail(__FILE__, __LINE__, "random r=%d j=%d: mismatch", r, j);
                    bad++;
                }
            }
            cd_hmac_key_wipe(&k);
        }
    }
    free(msg);
    return bad;
}

static void *thread_run(void *arg)
{
    *(int *)arg = run_all();
    return NULL;
}

/* ipsec-mb managers are per thread and read MBSHAKE_IPSECMB_HASH when a thread first hashes */
static void on_manager(const char *which)
{
    setenv("MBSHAKE_IPSECMB_HASH", which, 1);
    pthread_t t;
    int bad = -1;
    CHECK(pthread_create(&t, NULL, thread_run, &bad) == 0);
    pthread_join(t, NULL);
    unsetenv("MBSHAKE_IPSECMB_HASH");
    CHECKF(bad == 0, "%d mismatches on the %s manager", bad, which);
}
static void t_sse(void) { on_manager("sse"); }
static void t_auto(void) { on_manager("auto"); }

/* RFC 5246 §5 P_hash from libcrypto's HMAC, independent of the code under test */
static void ref_prf(enum cd_hash h, const uint8_t *sec, size_t sl, const uint8_t *seed, size_t n,
                    uint8_t *out, size_t outlen)
{
    size_t hl = cd_hash_len(h);
    uint8_t a[64], buf[64 + 300], blk[64];
    oracle(h, sec, sl, seed, n, a);
    for (size_t done = 0; done < outlen; done += hl) {
        memcpy(buf, a, hl);
        memcpy(buf + hl, seed, n);
        oracle(h, sec, sl, buf, hl + n, blk);
        memcpy(out + done, blk, outlen - done < hl ? outlen - done : hl);
        oracle(h, sec, sl, a, hl, a);
    }
}

static void t_prf(void)
{
    const enum cd_hash hs[2] = {CD_SHA256, CD_SHA384};
    for (unsigned hi = 0; hi < 2; hi++) {
        for (int r = 0; r < 50; r++) {
            uint8_t sec[200], s1[64], s2[64], seed[300], out[200], ref[200];
            size_t sl = 1 + th_rnd_below(199), n1 = th_rnd_below(64), n2 = th_rnd_below(64);
            size_t ol = 1 + th_rnd_below(200);
            th_rnd_bytes(sec, sl);
            th_rnd_bytes(s1, n1);
            th_rnd_bytes(s2, n2);
            const char *label = "key expansion";
            size_t ll = strlen(label);
            memcpy(seed, label, ll);
            memcpy(seed + ll, s1, n1);
            memcpy(seed + ll + n1, s2, n2);
            CHECK(ks_prf(hs[hi], sec, sl, label, s1, n1, s2, n2, out, ol) == 0);
            ref_prf(hs[hi], sec, sl, seed, ll + n1 + n2, ref, ol);
            CHECKF(!memcmp(out, ref, ol), "PRF h=%d sl=%zu ol=%zu differs", (int)hs[hi], sl, ol);
        }
    }
}

int main(void)
{
    th_rnd_seed(0x4d4143ull);
    th_case("equal_on_sse_manager", t_sse);
    th_case("equal_on_auto_manager", t_auto);
    th_case("prf_vs_reference", t_prf);
    return th_done();
}
