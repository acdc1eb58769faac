/* test_p256_verify_comb.c — verify_tab (per-key combs) where the comb sums meet their
 * exceptional cases. p256_x4_avx2.c spreads the 66 comb additions of each signature (29
 * windows of u1 over G's comb, then 37 of u2 over the key's) over the four lanes, so a lane's
 * running sum can mix u1 G and u2 Q: an addition may then meet equal or opposite points, which
 * the kernel detects (Z = 0) and sends to the one-lane code. Wycheproof's vectors never get
 * there, so these are made to: with the private key d known, u2 picked at random and D its
 * lowest nonzero Booth-7 digit times its window weight, either u1 = +-D d (the sum of all of
 * u1's windows equals +-D Q, the first nonzero addend of u2: every layout where a lane runs
 * all G windows then Q's), or u1 = t 2^153 and d = +-u1 / D (also the layouts whose lane starts
 * inside u1's windows); then k = u1 + u2 d, r = x(kG) mod n, s = r / u2 and e = u1 s, a valid
 * signature. (An instrumented build saw the fallback taken for n = 1..4.) Each vector is
 * checked alone and in batches of 2..4 at every position beside valid signatures of another
 * key, unchanged (valid) and with s changed (invalid), against the expected result and
 * against verify. */
#include <string.h>

#include "cd.h"
#include "th.h"

static const struct {
    const char *pub, *e, *rs;
} vecs[] = {{"0461a3fb03b5d645cf2294481c41f334a670f1cf3815052e02c6ee5cf803692eeb83fbb33ed7582794600"
             "80e7ee37581644d0b6c4f5702311548520194d42f8c39",
             "184fdf63566e12e8faaefd87b615ec36b29f42bbed0b80a256b847cdfcc5adf0",
             "938ad91ff3e3f449169789230174051bf2946541b6b0f217485fa7f4310491808d75d714df337b03a616b"
             "851ed78c4c555bf0df432fda9937818db2ee0df4c8e"},
            {"04d63444ec057d043a19250dcda0125fe09bc1b4a35f4399de5be29fe9d234a56e7dc424b8194bf3c6cc6"
             "405a4e768dee756d92b73164ea675a54bdc2533bd0663",
             "98cd7f7f975d887858213f4bac355fe1c5c0004024027fa8897a7c7d74ca38f3",
             "0b38f9b91a0d9e35c6db11be7fc40b42b55f041b9ef07788351fba50ebe5446488df17c26819a8cc3ec7e"
             "e2c064e4f3816396db12694331fbe63ff0de54a19b3"},
            {"046ac246562440d4ff656948f1c112c72e1a1fda37edb8a348885413273bdf7308661c1ea1e927adf9e38"
             "ec7fddfda5f024f9dd81c727e7fa583c6f80a9ba43cb3",
             "6e66798cc4a429f8c0fbc204162fe37548926adf3a7589f31e1ed6cbc8e08a9c",
             "e11315279fa15355fe051c179d6759f3ee6287dd1915f5619364813ea19da1f8f473085037d34b2def150"
             "55db264e1048d75fff23c52aac22311a76b36f41b0c"},
            {"045eaf4cc8fa1d1df22c3a78ef01b3265437bd62f7a58259fb48c85eb36e7d40ffd3af8e659f2e99969d3"
             "078a049af0c946c4bf266aad5cf5c30ec25e8affc3c53",
             "c49f5ca4fe4152c061602fe1ca987a0ce7bf2d65a273f9b2f39efeeb4819865c",
             "76694d031faf36f25e519f2acd2c7f9d46a28deece7d76808517063a2fe3fee95ccee672c38feb828fff9"
             "81606212f59cb57e408559e1d1cc0d3555e44c24508"},
            {"046fe758ad4943950bde84038dc22bb12ac03b3e784ed6605b373c7dbf3f8b315ec5876f4ceab60caf469"
             "eb98ae3ab0296b0ce8a685d8825ce410b4fba45b13664",
             "3755232430808a7b26c67a7859395824641db91e8f4ada903ff1fefd3e852015",
             "047dcada85087950361d33b5efcad5c076bac6fba341f210e92b23fefb342a1b9c12e34b8cf8b1bde2d68"
             "7f14a7a94472bbce764113bca6343485c8cb7e231a9"},
            {"04b7b482fad6cd53362dc1727151745303864fa426ef669dd92d17adc57e7d2b0a801adc2f867141e09c3"
             "a6ac918df0901009343b38f0e7701dc0d2eed2382ba75",
             "66e6aba46864701f860cee0f8277dd0c63da5a7a5d5c59b4f85c5e3cda5d5ef8",
             "544537c27da6d2af59f33ace8480784f9b728d1fd9c3d78f232c278656f7c2a0b67160faa2abb944c94b1"
             "47949e03fd8994fb286cd460247a9240ad5816e1c91"},
            {"04ecdbabc4f2fbb627dd78d300a8e0e5dda4095756ee98da459d090c948157ba8faaa634fce63316cf85e"
             "04d6babae952298ceaf637fb1aac941a4bf8ee41e1bf6",
             "610fb2d76e147ccd22cf6a9543e9989317bca4b436335631cd4e0f6dbfb9114a",
             "f42da39eb872928c22d7c3f6a4a9c82dba40041b7108b08ad37e1aa8df0fae5bfdb6c7d54af4346619a3e"
             "053e50f02c8b300e72826820a9d0a2443de6ea50bb6"},
            {"048885709f7754db15332821a5cb0db2fde45e241d0244b20991e28f07c25793553b69fee47774da1673a"
             "e3ebfe841997b5ae9abc05a99a9bba9b004ab901f192e",
             "bd258920eaf1b4480cb8241e36c665f763dadf1103ee18f5a6d88b6204e1aba9",
             "5f4bf5b877d74a6b62d8fdb3683b488ab90e231beafc33ff5e07c7da4edda0dfe54c2d1ec4df7d0064515"
             "520e2976971f1f45c4d86fc9fafe3022a6dce856ca8"}};
#define NV (sizeof vecs / sizeof vecs[0])

static void run_impl(const cd_p256 *p)
{
    const cd_p256 *ref = cd_p256_impls[cd_p256_nimpls - 1];
    uint8_t fpriv[4][32], fpub[4][65], fh[4][32], fs[4][64];
    th_rnd_bytes(&fpriv[0][0], sizeof fpriv);
    th_rnd_bytes(&fh[0][0], sizeof fh);
    for (int l = 0; l < 4; l++) {
        memcpy(fpriv[l], fpriv[0], 32); /* one other key, four signatures */
        fpriv[l][0] &= 0x7f;
    }
    CHECK(ref->keygen(fpub, (const uint8_t(*)[32])fpriv, 4) == 0);
    CHECK(ref->sign(fs, (const uint8_t(*)[32])fpriv, (const uint8_t(*)[32])fh, NULL, 4) == 0);
    void *ft = p->key_table_new(fpub[0]);
    CHECK(ft != NULL);
    int runs = 0;
    for (size_t v = 0; v < NV && ft; v++) {
        uint8_t vpub[1][65], vh[1][32], vs[1][64];
        th_unhex_n(vecs[v].pub, vpub[0], 65);
        th_unhex_n(vecs[v].e, vh[0], 32);
        th_unhex_n(vecs[v].rs, vs[0], 64);
        CHECKF(ref->verify((const uint8_t(*)[65])vpub, (const uint8_t(*)[32])vh,
                           (const uint8_t(*)[64])vs, 1) == 0,
               "vector %zu: the scalar verify rejects it", v);
        void *vt = p->key_table_new(vpub[0]);
        CHECK(vt != NULL);
        if (!vt) continue;
        for (int corrupt = 0; corrupt < 2; corrupt++)
            for (unsigned n = 1; n <= p->lanes && n <= 4; n++)
                for (unsigned pos = 0; pos < n; pos++) {
                    uint8_t pub[4][65], h[4][32], s[4][64];
                    const void *tab[4];
                    for (unsigned l = 0; l < n; l++) {
                        int mine = l == pos;
                        memcpy(pub[l], mine ? vpub[0] : fpub[l], 65);
                        memcpy(h[l], mine ? vh[0] : fh[l], 32);
                        memcpy(s[l], mine ? vs[0] : fs[l], 64);
                        tab[l] = mine ? vt : ft;
                    }
                    if (corrupt) s[pos][63] ^= 4;
                    uint32_t want = corrupt ? 1u << pos : 0;
                    uint32_t plain = p->verify((const uint8_t(*)[65])pub, (const uint8_t(*)[32])h,
                                               (const uint8_t(*)[64])s, n);
                    uint32_t got =
                        p->verify_tab((const uint8_t(*)[65])pub, tab, (const uint8_t(*)[32])h,
                                      (const uint8_t(*)[64])s, n);
                    CHECKF(
                        got == want && plain == want,
                        "%s vector %zu, n %u, position %u, %s: verify_tab %#x verify %#x want %#x",
                        p->name, v, n, pos, corrupt ? "changed s" : "valid", got, plain, want);
                    runs++;
                }
        p->key_table_free(vt);
    }
    if (ft) p->key_table_free(ft);
    th_note("%s: %zu crafted vectors, %d batches", p->name, NV, runs);
}

static void test_crafted(void)
{
    uint64_t have = cd_cpu_features();
    int ran = 0;
    for (unsigned i = 0; i < cd_p256_nimpls; i++) {
        const cd_p256 *p = cd_p256_impls[i];
        if (!p->verify_tab) continue;
        if ((p->needs & ~have) != 0) {
            th_note("p256 %s UNAVAILABLE", p->name);
            continue;
        }
        run_impl(p);
        ran++;
    }
    if (!ran) th_skip("no runnable P-256 implementation has key tables");
}

int main(void)
{
    th_rnd_seed(0x7665726966790001ULL);
    th_case("p256_verify_tab_exceptional_sums", test_crafted);
    return th_done();
}
