/* cd_ipsecmb.c — SHA-256/384, HMAC and AES-GCM through Intel ipsec-mb (the only file that
 * includes intel-ipsec-mb.h). One IMB_MGR per thread, created on first use and freed when the
 * thread exits, so no lock is ever taken on the hot path.
 *
 * HMAC (RFC 2104) is split the way ipsec-mb wants it: the key is turned into the two
 * compression-function states H(K0^ipad) and H(K0^opad) with the one-block functions, then one
 * job of the multi-buffer manager finishes the inner and outer hashes. Multi-buffer HMAC lanes
 * may wait for more jobs (16 on the AVX-512 manager, 2 on SSE/AVX2), and this interface is one
 * message per call, so every call flushes. Every job is tagged and checked on the way back: the
 * manager never holds a job of ours across calls, and a lost or duplicated job aborts loudly
 * instead of returning a wrong MAC. The generic burst API is not used (1.3 bug, see
 * docs/platform notes). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "cd.h"
#include "ct.h"

_Static_assert(sizeof(struct gcm_key_data) <= CD_GCM_KEY_SIZE, "CD_GCM_KEY_SIZE too small");
_Static_assert(_Alignof(struct gcm_key_data) <= 64, "cd_gcm_key.opaque alignment too small");

/* SHA-256 has 64-byte blocks, SHA-384 128-byte blocks; the one-block functions write the raw
 * compression state, which is 32 bytes for SHA-256 and 64 (the SHA-512 state) for SHA-384. */
#define BLOCK_MAX 128
#define STATE_MAX 64

static pthread_once_t mgr_once = PTHREAD_ONCE_INIT;
static pthread_key_t mgr_key;
static _Thread_local IMB_MGR *tl_mgr;
static _Thread_local const char *tl_arch;

static void mgr_free(void *p) { free_mb_mgr(p); }
static void mgr_key_init(void)
{
    if (pthread_key_create(&mgr_key, mgr_free) != 0) {
        fputs("mbshake: pthread_key_create failed (ipsec-mb manager)\n", stderr);
        abort();
    }
}

static const char *arch_name(IMB_ARCH a)
{
    switch (a) {
    case IMB_ARCH_NOAESNI: return "noaesni";
    case IMB_ARCH_SSE: return "sse";
    case IMB_ARCH_AVX: return "avx";
    case IMB_ARCH_AVX2: return "avx2";
    case IMB_ARCH_AVX512: return "avx512";
    default: return "unknown";
    }
}

static __attribute__((noreturn)) void die(const char *what, IMB_MGR *m)
{
    int e = m ? imb_get_errno(m) : 0;
    fprintf(stderr, "mbshake: ipsec-mb: %s (%s)\n", what, e ? imb_get_strerror(e) : "no errno");
    abort();
}

static IMB_MGR *mgr(void)
{
    if (__builtin_expect(tl_mgr != NULL, 1)) return tl_mgr;
    pthread_once(&mgr_once, mgr_key_init);
    IMB_MGR *m = alloc_mb_mgr(0);
    if (m == NULL) die("alloc_mb_mgr failed", NULL);
    IMB_ARCH arch = IMB_ARCH_NONE;
    init_mb_mgr_auto(m, &arch);
    if (arch == IMB_ARCH_NONE || imb_get_errno(m) != 0) die("init_mb_mgr_auto failed", m);
    if (pthread_setspecific(mgr_key, m) != 0) die("pthread_setspecific failed", m);
    tl_mgr = m;
    tl_arch = arch_name(arch);
    return m;
}

/* see cd.h */
const char *cd_sym_arch(void)
{
    mgr();
    return tl_arch;
}

/* ---- hashes ------------------------------------------------------------------------------ */

static size_t block_len(enum cd_hash h) { return h == CD_SHA384 ? 128 : 64; }

/* see cd.h */
void cd_hash(enum cd_hash h, const void *msg, size_t n, uint8_t *out)
{
    static const uint8_t empty[1];
    IMB_MGR *m = mgr();
    if (msg == NULL) msg = empty; /* ipsec-mb rejects NULL even for n == 0 */
    if (h == CD_SHA384)
        IMB_SHA384(m, msg, n, out);
    else
        IMB_SHA256(m, msg, n, out);
}

/* ---- HMAC (RFC 2104) --------------------------------------------------------------------- */

/* see cd.h */
void cd_hmac(enum cd_hash h, const uint8_t *key, size_t klen, const void *msg, size_t n,
             uint8_t *out)
{
    static const uint8_t empty[1];
    IMB_MGR *m = mgr();
    const size_t bl = block_len(h), hl = cd_hash_len(h);
    _Alignas(16) uint8_t k0[BLOCK_MAX], pad[BLOCK_MAX];
    _Alignas(16) uint8_t ipad_st[STATE_MAX], opad_st[STATE_MAX];
    _Alignas(16) uint8_t tag[CD_HASH_MAX];

    /* RFC 2104 §2: a key longer than the block is replaced by its hash; then zero-padded. */
    memset(k0, 0, sizeof k0);
    if (klen > bl)
        cd_hash(h, key, klen, k0);
    else if (klen)
        memcpy(k0, key, klen);
    for (size_t i = 0; i < bl; i++) pad[i] = (uint8_t)(k0[i] ^ 0x36);
    if (h == CD_SHA384)
        IMB_SHA384_ONE_BLOCK(m, pad, ipad_st);
    else
        IMB_SHA256_ONE_BLOCK(m, pad, ipad_st);
    for (size_t i = 0; i < bl; i++) pad[i] = (uint8_t)(k0[i] ^ 0x5c);
    if (h == CD_SHA384)
        IMB_SHA384_ONE_BLOCK(m, pad, opad_st);
    else
        IMB_SHA256_ONE_BLOCK(m, pad, opad_st);

    IMB_JOB *job = IMB_GET_NEXT_JOB(m);
    memset(job, 0, sizeof *job);
    job->cipher_mode = IMB_CIPHER_NULL;
    job->cipher_direction = IMB_DIR_ENCRYPT;
    job->chain_order = IMB_ORDER_HASH_CIPHER;
    job->hash_alg = h == CD_SHA384 ? IMB_AUTH_HMAC_SHA_384 : IMB_AUTH_HMAC_SHA_256;
    job->src = msg ? msg : empty;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = n;
    job->auth_tag_output = tag;
    job->auth_tag_output_len_in_bytes = hl;
    job->u.HMAC._hashed_auth_key_xor_ipad = ipad_st;
    job->u.HMAC._hashed_auth_key_xor_opad = opad_st;
    job->user_data = tag; /* our tag: the job that comes back must be this one */

    /* The manager held no job of ours before this call, so the only job that can come back is
     * this one: at most once from submit, otherwise from flush. */
    unsigned seen = 0;
    IMB_JOB *done = IMB_SUBMIT_JOB(m);
    for (;;) {
        if (done == NULL) {
            if (seen) break;
            done = IMB_FLUSH_JOB(m);
            if (done == NULL) die("HMAC job lost (flush returned nothing)", m);
        }
        if (done->user_data != tag || seen) die("HMAC job mismatch (foreign or repeated job)", m);
        if (done->status != IMB_STATUS_COMPLETED) die("HMAC job failed", m);
        seen = 1;
        done = m->get_completed_job(m);
    }
    memcpy(out, tag, hl);

    ct_wipe(k0, sizeof k0);
    ct_wipe(pad, sizeof pad);
    ct_wipe(ipad_st, sizeof ipad_st);
    ct_wipe(opad_st, sizeof opad_st);
    ct_wipe(tag, sizeof tag);
}

/* ---- AES-GCM (RFC 5288; NIST SP 800-38D) --------------------------------------------------- */

static struct gcm_key_data *kd(cd_gcm_key *k) { return (struct gcm_key_data *)(void *)k->opaque; }
static const struct gcm_key_data *ckd(const cd_gcm_key *k)
{
    return (const struct gcm_key_data *)(const void *)k->opaque;
}

/* see cd.h */
int cd_gcm_init(cd_gcm_key *k, const uint8_t *key, size_t keylen)
{
    IMB_MGR *m = mgr();
    if (keylen != 16 && keylen != 32) return -1;
    memset(k, 0, sizeof *k);
    if (keylen == 16)
        IMB_AES128_GCM_PRE(m, key, kd(k));
    else
        IMB_AES256_GCM_PRE(m, key, kd(k));
    k->keylen = (unsigned)keylen;
    return 0;
}

/* see cd.h */
void cd_gcm_wipe(cd_gcm_key *k) { ct_wipe(k, sizeof *k); }

/* see cd.h */
void cd_gcm_seal(const cd_gcm_key *k, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
                 const uint8_t *in, size_t n, uint8_t *out, uint8_t tag[16])
{
    static const uint8_t empty[1];
    IMB_MGR *m = mgr();
    struct gcm_context_data ctx;
    uint8_t sink[16];
    /* ipsec-mb's parameter checks reject NULL buffers even for zero lengths. */
    if (aad == NULL) aad = empty;
    if (in == NULL) in = empty;
    if (out == NULL) out = sink;
    if (k->keylen == 32)
        IMB_AES256_GCM_ENC(m, ckd(k), &ctx, out, in, n, iv, aad, aadlen, tag, 16);
    else
        IMB_AES128_GCM_ENC(m, ckd(k), &ctx, out, in, n, iv, aad, aadlen, tag, 16);
    ct_wipe(&ctx, sizeof ctx);
}

/* see cd.h */
int cd_gcm_open(const cd_gcm_key *k, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
                const uint8_t *in, size_t n, const uint8_t tag[16], uint8_t *out)
{
    static const uint8_t empty[1];
    IMB_MGR *m = mgr();
    struct gcm_context_data ctx;
    uint8_t want[16], sink[16];
    if (aad == NULL) aad = empty;
    if (in == NULL) in = empty;
    if (out == NULL) out = sink;
    if (k->keylen == 32)
        IMB_AES256_GCM_DEC(m, ckd(k), &ctx, out, in, n, iv, aad, aadlen, want, 16);
    else
        IMB_AES128_GCM_DEC(m, ckd(k), &ctx, out, in, n, iv, aad, aadlen, want, 16);
    ct_wipe(&ctx, sizeof ctx);
    /* Compare in constant time; a forged record must not release its plaintext (RFC 5116
     * §2.2). The wipe is a mask rather than a branch so that the only secret-derived value that
     * leaves this function is the returned verdict, which the caller acts on publicly. */
    uint32_t ok = ct_memeq(want, tag, 16);
    ct_wipe(want, sizeof want);
    uint8_t keep = (uint8_t)(0u - ok);
    for (size_t i = 0; i < n; i++) out[i] &= keep;
    return (int)ok - 1;
}
