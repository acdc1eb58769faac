/* ct_keysched.c — ctgrind check of the key schedule and AES-GCM record protection: secrets
 * (pre-master/master secrets, the GCM key, plaintext) are marked undefined, so memcheck reports
 * any branch or memory index that depends on them, inside keysched.c, cd_ipsecmb.c and
 * ipsec-mb itself. Under valgrind CPUID hides AVX-512, so ipsec-mb runs its SSE/AVX2 code here
 * (cd_sym_arch() is printed). Outputs are declassified before they are compared. The batched
 * key schedule (keysched_batch.c: many handshakes' jobs per ipsec-mb flush) is covered too. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cd.h"
#include "ct.h" /* tests/ct/ct.h: CT_SECRET, CT_PUBLIC (same directory first) */
#include "keysched.h"
#include "keysched_batch.h"
#include "th.h"

/* Under valgrind, 1 when some byte of p[0..n) is still undefined, i.e. the secret marking
 * really flowed into this output (otherwise the check would be vacuous); 1 when not under
 * valgrind, where there is nothing to check. */
static int tainted(const void *p, size_t n)
{
    if (!RUNNING_ON_VALGRIND) return 1;
    uint8_t vbits[128];
    if (n > sizeof vbits) n = sizeof vbits;
    if (VALGRIND_GET_VBITS(p, vbits, n) != 1) return 0;
    uint8_t any = 0;
    for (size_t i = 0; i < n; i++) any |= vbits[i];
    return any != 0;
}

static void fill(uint8_t *p, size_t n, uint8_t x)
{
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(x + 37 * i);
}

static void t_prf(void)
{
    for (int hi = 0; hi < 2; hi++) {
        enum cd_hash h = hi ? CD_SHA384 : CD_SHA256;
        uint8_t pms[48], cr[32], sr[32], sh[48], ms[48], kb[72], vd[12], out[100], secret[200];
        fill(pms, sizeof pms, 1);
        fill(cr, sizeof cr, 2);
        fill(sr, sizeof sr, 3);
        fill(sh, sizeof sh, 4);
        fill(secret, sizeof secret, 5);

        /* a secret longer than the HMAC block is hashed first: cover that path too */
        CT_SECRET(secret, sizeof secret);
        CHECK(ks_prf(h, secret, sizeof secret, "test label", cr, 32, sr, 32, out, sizeof out) == 0);
        CHECK(tainted(out, sizeof out));
        CT_PUBLIC(out, sizeof out);

        CT_SECRET(pms, sizeof pms);
        ks_master_secret(h, pms, 32, cr, sr, ms);
        ks_extended_master_secret(h, pms, 48, sh, cd_hash_len(h), ms);
        ks_key_block(h, ms, sr, cr, kb, sizeof kb);
        ks_verify_data(h, ms, 1, sh, cd_hash_len(h), vd);
        CHECK(tainted(ms, sizeof ms) && tainted(kb, sizeof kb) && tainted(vd, sizeof vd));
        /* the declassified results must be real values, not left undefined */
        CT_PUBLIC(ms, sizeof ms);
        CT_PUBLIC(kb, sizeof kb);
        CT_PUBLIC(vd, sizeof vd);
        uint8_t ref[12];
        ks_verify_data(h, ms, 1, sh, cd_hash_len(h), ref);
        CHECK(memcmp(vd, ref, 12) == 0);
    }
}

/* The batched key schedule: several handshakes (EMS and not, both hashes, both key-block
 * lengths) with secret premasters in one call; then a batched PRF with secret secrets and the
 * batched Finished with secret master secrets. */
static void t_keys_batch(void)
{
    enum { N = 5 };
    uint8_t pms[N][48], cr[N][32], sr[N][32], tr[N][300], ms[N][48], kb[N][72], vd[N][12];
    ks_keys_req q[N];
    for (unsigned i = 0; i < N; i++) {
        fill(pms[i], 48, (uint8_t)(20 + i));
        fill(cr[i], 32, (uint8_t)(30 + i));
        fill(sr[i], 32, (uint8_t)(40 + i));
        fill(tr[i], sizeof tr[i], (uint8_t)(50 + i));
        enum cd_hash h = (i & 1) ? CD_SHA384 : CD_SHA256;
        q[i] = (ks_keys_req){h,     pms[i], i < 3 ? 32 : 48, tr[i], sizeof tr[i], (i % 3) != 0,
                             cr[i], sr[i],  ms[i],           kb[i], (i & 2) ? 72 : 40,
                             i == 4 ? NULL : vd[i]};
    }
    CT_SECRET(pms, sizeof pms);
    CHECK(ks_tls_keys_many(q, N) == 0);
    for (unsigned i = 0; i < N; i++)
        CHECK(tainted(ms[i], 48) && tainted(kb[i], q[i].kblen) &&
              (!q[i].cvd || tainted(vd[i], 12)));
    CT_PUBLIC(pms, sizeof pms);
    CT_PUBLIC(ms, sizeof ms);
    CT_PUBLIC(kb, sizeof kb);
    CT_PUBLIC(vd, sizeof vd);
    for (unsigned i = 0; i < N; i++) { /* the declassified results are the real ones */
        uint8_t rms[48], rkb[72], rvd[12], sh[CD_HASH_MAX];
        cd_hash(q[i].h, tr[i], sizeof tr[i], sh);
        if (q[i].ems)
            ks_extended_master_secret(q[i].h, pms[i], q[i].pmslen, sh, cd_hash_len(q[i].h), rms);
        else
            ks_master_secret(q[i].h, pms[i], q[i].pmslen, cr[i], sr[i], rms);
        ks_key_block(q[i].h, rms, sr[i], cr[i], rkb, q[i].kblen);
        ks_verify_data(q[i].h, rms, 1, sh, cd_hash_len(q[i].h), rvd);
        CHECK(memcmp(ms[i], rms, 48) == 0 && memcmp(kb[i], rkb, q[i].kblen) == 0);
        CHECK(!q[i].cvd || memcmp(vd[i], rvd, 12) == 0);
    }

    uint8_t secret[N][200], out[N][100];
    ks_prf_req pr[N];
    for (unsigned i = 0; i < N; i++) {
        fill(secret[i], sizeof secret[i], (uint8_t)(60 + i));
        pr[i] = (ks_prf_req){(i & 1) ? CD_SHA384 : CD_SHA256, secret[i], i == 2 ? 200 : 48,
                             "client finished", cr[i], NULL, 32, 0, out[i], i == 4 ? 100 : 12};
    }
    CT_SECRET(secret, sizeof secret);
    CHECK(ks_prf_many(pr, N) == 0);
    for (unsigned i = 0; i < N; i++)
        CHECK(tainted(out[i], pr[i].outlen));
    CT_PUBLIC(out, sizeof out);
    CT_PUBLIC(secret, sizeof secret);

    /* the Finished batch: secret master secrets */
    ks_fin_req fr[N];
    for (unsigned i = 0; i < N; i++)
        fr[i] = (ks_fin_req){(i & 1) ? CD_SHA384 : CD_SHA256, ms[i], (int)(i & 2), tr[i],
                             sizeof tr[i] - i, vd[i]};
    CT_SECRET(ms, sizeof ms);
    CHECK(ks_finished_many(fr, N) == 0);
    for (unsigned i = 0; i < N; i++)
        CHECK(tainted(vd[i], 12));
    CT_PUBLIC(ms, sizeof ms);
    CT_PUBLIC(vd, sizeof vd);
    for (unsigned i = 0; i < N; i++) {
        uint8_t rvd[12], sh[CD_HASH_MAX];
        cd_hash(fr[i].h, tr[i], fr[i].tlen, sh);
        ks_verify_data(fr[i].h, ms[i], fr[i].client, sh, cd_hash_len(fr[i].h), rvd);
        CHECK(memcmp(vd[i], rvd, 12) == 0);
    }
}

static void t_gcm(void)
{
    for (size_t kl = 16; kl <= 32; kl += 16) {
        static const size_t lens[] = {0, 1, 15, 16, 17, 64, 300, 1024};
        uint8_t key[32], iv[12], aad[13], pt[1024], ct[1024], back[1024], tag[16], tag2[16];
        fill(key, sizeof key, 9);
        fill(iv, sizeof iv, 10);
        fill(aad, sizeof aad, 11);
        for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
            size_t n = lens[li];
            fill(pt, sizeof pt, (uint8_t)(12 + li));
            cd_gcm_key k;
            CT_SECRET(key, sizeof key);
            CT_SECRET(pt, sizeof pt);
            CHECK(cd_gcm_init(&k, key, kl) == 0);
            cd_gcm_seal(&k, iv, aad, sizeof aad, pt, n, ct, tag);
            CHECK(tainted(tag, sizeof tag) && (n == 0 || tainted(ct, n)));
            /* ciphertext and tag go on the wire: public from here on */
            CT_PUBLIC(ct, n);
            CT_PUBLIC(tag, sizeof tag);
            int r = cd_gcm_open(&k, iv, aad, sizeof aad, ct, n, tag, back);
            CT_PUBLIC(&r, sizeof r); /* the verdict is public: the record is dropped or not */
            CHECK(r == 0);
            CHECK(n == 0 || tainted(back, n));
            CT_PUBLIC(back, n);
            CT_PUBLIC(pt, n);
            CHECK(memcmp(back, pt, n) == 0);
            /* a forged record: the failure path (tag compare, masked wipe) with a secret key */
            memcpy(tag2, tag, 16);
            tag2[n % 16] ^= 0x80;
            r = cd_gcm_open(&k, iv, aad, sizeof aad, ct, n, tag2, back);
            CT_PUBLIC(&r, sizeof r);
            CHECK(r == -1);
            CT_PUBLIC(back, n);
            int z = 1;
            for (size_t i = 0; i < n; i++) z &= back[i] == 0;
            CHECK(z);
            cd_gcm_wipe(&k);
        }
    }
}

/* The other hash route (SSE manager, HMAC as two plain hash jobs): a fresh thread picks its
 * managers from MBSHAKE_IPSECMB_HASH on first use. Under valgrind there is no SHA-NI, so the
 * default route here is the auto manager's one-block + HMAC-job route. */
static void *other_route(void *arg)
{
    (void)arg;
    printf("  ipsec-mb managers in this thread: %s\n", cd_sym_arch());
    t_prf();
    t_keys_batch();
    return NULL;
}
static void t_prf_sse_route(void)
{
    pthread_t th;
    setenv("MBSHAKE_IPSECMB_HASH", "sse", 1);
    CHECK(pthread_create(&th, NULL, other_route, NULL) == 0);
    CHECK(pthread_join(th, NULL) == 0);
    unsetenv("MBSHAKE_IPSECMB_HASH");
}

int main(void)
{
    printf("  ipsec-mb manager: %s%s\n", cd_sym_arch(), /* created before secrets exist */
           RUNNING_ON_VALGRIND ? " (under valgrind)" : " (not under valgrind: no ct evidence)");
    th_case("ct_prf_ms_keyblock_verify", t_prf);
    th_case("ct_keys_batch", t_keys_batch);
    th_case("ct_gcm_seal_open", t_gcm);
    th_case("ct_prf_sse_hash_route", t_prf_sse_route);
    return th_done();
}
