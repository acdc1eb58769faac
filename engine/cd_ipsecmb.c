/* cd_ipsecmb.c — SHA-256/384, HMAC and AES-GCM through Intel ipsec-mb (the only file that
 * includes intel-ipsec-mb.h). Managers are per thread, created on first use and freed when the
 * thread exits, so no lock is ever taken on the hot path.
 *
 * Two managers per thread, when that is faster. AES-GCM runs on the manager init_mb_mgr_auto()
 * picks (VAES/AVX-512 GCM where the CPU has it). Hashing runs on the SSE manager when the CPU
 * has SHA-NI: in ipsec-mb 1.3 only the SSE tier uses SHA-NI, and this interface hashes one
 * message per call, where the AVX2/AVX-512 multi-lane hash code runs one lane of 8 or 16.
 * Measured here (Zen 5, AVX2 auto manager): one SHA-256 job of 64 bytes costs ~400 TSC cycles
 * on the SSE manager and ~2000 on the AVX2 one. MBSHAKE_IPSECMB_HASH=auto|sse overrides the
 * choice (tests use it to cover both paths, e.g. under valgrind, which has no SHA-NI).
 *
 * HMAC (RFC 2104) takes one of two routes, same result:
 *  - "concat" (hash manager is SSE, message <= CONCAT_MAX, SHA-256): two plain hash jobs,
 *    H(K0^opad || H(K0^ipad || m)). With SHA-NI that beats the route below, because the
 *    one-block functions that produce H(K0^ipad) states do not use SHA-NI in 1.3.
 *  - "job": the compression states of K0^ipad and K0^opad from the one-block functions, then
 *    one IMB_AUTH_HMAC_SHA_* job finishes (1..65534 bytes, the job API's limit), or the plain
 *    hash for other lengths.
 * Multi-buffer lanes may wait for more jobs (16 on AVX-512, 2 on SSE/AVX2); one message per
 * call means every call flushes. cd_hash_many / cd_hmac_key_mac_many (cd_hash_batch.h) are the
 * multi-buffer use: all jobs of a call are submitted before any is collected, then one flush
 * drains them (the batched key schedule, keysched_batch.c). Every job is tagged and checked on
 * the way back: the manager never holds a job of ours across calls, and a lost or repeated job
 * aborts loudly instead of returning a wrong digest. The generic burst API is not used (1.3
 * bug: jobs returned twice or lost after draining it, docs: platform facts). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "cd.h"
#include "cd_hash_batch.h"
#include "cd_hmac_key.h"
#include "ct.h"

_Static_assert(sizeof(struct gcm_key_data) <= CD_GCM_KEY_SIZE, "CD_GCM_KEY_SIZE too small");
_Static_assert(_Alignof(struct gcm_key_data) <= 64, "cd_gcm_key.opaque alignment too small");

/* SHA-256 has 64-byte blocks, SHA-384 128-byte blocks; the one-block functions write the raw
 * compression state, which is 32 bytes for SHA-256 and 64 (the SHA-512 state) for SHA-384. */
#define BLOCK_MAX 128
#define STATE_MAX 64
/* Job API message limits measured on 1.3: hash and HMAC jobs accept 0..65534 and 1..65534. */
#define JOB_MAX 65534
/* Longest message the concat route copies onto the stack (TLS PRF messages are < 130). */
#define CONCAT_MAX 1024

typedef struct imb_tls {
    IMB_MGR *gcm;  /* auto: AES-GCM */
    IMB_MGR *hash; /* SSE (SHA-NI) or the same as gcm */
    int concat;    /* HMAC-SHA256 by two plain hash jobs */
    char arch[32]; /* "avx2", or "avx2+sse" when hashing runs on the SSE manager */
} imb_tls;

static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static pthread_key_t tls_key;
static _Thread_local imb_tls *tl;

static void tls_free(void *p)
{
    imb_tls *t = p;
    if (t->hash != t->gcm) free_mb_mgr(t->hash);
    free_mb_mgr(t->gcm);
    free(t);
}
static void tls_key_init(void)
{
    if (pthread_key_create(&tls_key, tls_free) != 0) {
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

static imb_tls *tls_new(void)
{
    pthread_once(&tls_once, tls_key_init);
    imb_tls *t = calloc(1, sizeof *t);
    if (t == NULL) die("out of memory", NULL);
    IMB_ARCH arch = IMB_ARCH_NONE;
    if ((t->gcm = alloc_mb_mgr(0)) == NULL) die("alloc_mb_mgr failed", NULL);
    init_mb_mgr_auto(t->gcm, &arch);
    if (arch == IMB_ARCH_NONE || imb_get_errno(t->gcm) != 0) die("init_mb_mgr_auto failed", t->gcm);

    const char *force = getenv("MBSHAKE_IPSECMB_HASH");
    int want_sse = (cd_cpu_features() & CD_F_SHA) != 0;
    if (force && !strcmp(force, "sse")) want_sse = 1;
    else if (force && !strcmp(force, "auto")) want_sse = 0;
    else if (force && *force) {
        fprintf(stderr, "mbshake: MBSHAKE_IPSECMB_HASH=%s: use auto or sse\n", force);
        exit(2);
    }
    t->hash = t->gcm;
    if (want_sse && arch != IMB_ARCH_SSE) {
        if ((t->hash = alloc_mb_mgr(0)) == NULL) die("alloc_mb_mgr failed", NULL);
        init_mb_mgr_sse(t->hash);
        if (imb_get_errno(t->hash) != 0) die("init_mb_mgr_sse failed", t->hash);
    }
    t->concat = want_sse;
    snprintf(t->arch, sizeof t->arch, "%s%s", arch_name(arch), t->hash != t->gcm ? "+sse" : "");
    if (pthread_setspecific(tls_key, t) != 0) die("pthread_setspecific failed", NULL);
    return t;
}

static inline imb_tls *tls(void)
{
    if (__builtin_expect(tl == NULL, 0)) tl = tls_new();
    return tl;
}

/* see cd.h */
const char *cd_sym_arch(void) { return tls()->arch; }
/* see cd.h */
const char *cd_sym_version(void) { return imb_get_version_str(); }

/* ---- jobs ---------------------------------------------------------------------------------- */

static IMB_JOB *hash_job(IMB_MGR *m, IMB_HASH_ALG alg, const void *msg, size_t n, uint8_t *out,
                         size_t outlen)
{
    static const uint8_t empty[1];
    IMB_JOB *job = IMB_GET_NEXT_JOB(m);
    memset(job, 0, sizeof *job);
    job->cipher_mode = IMB_CIPHER_NULL;
    job->cipher_direction = IMB_DIR_ENCRYPT;
    job->chain_order = IMB_ORDER_HASH_CIPHER;
    job->hash_alg = alg;
    job->src = msg ? msg : empty; /* ipsec-mb rejects NULL even for n == 0 */
    job->msg_len_to_hash_in_bytes = n;
    job->auth_tag_output = out;
    job->auth_tag_output_len_in_bytes = outlen;
    return job; /* many_submit tags it */
}

/* ---- passes: jobs submitted together, then flushed (job_run; cd_hash_batch.h) ---------- */

/* Requests per submit-all-then-flush pass: well under the manager's job ring (IMB_MAX_JOBS), so
 * submit never has to force a job out to free a slot. */
#define MANY_CHUNK 64

/* One pass: token identifies this pass's jobs (user_data), user_data2 the request index. */
typedef struct many {
    IMB_MGR *m;
    unsigned n, got;
    uint8_t seen[MANY_CHUNK];
} many;

/* Takes `done` and every further completed job: each must be one of this pass's, once. */
static void many_take(many *b, IMB_JOB *done)
{
    while (done != NULL) {
        uintptr_t i = (uintptr_t)done->user_data2;
        if (done->user_data != (void *)b || i >= b->n || b->seen[i])
            die("job mismatch (foreign or repeated job)", b->m);
        if (done->status != IMB_STATUS_COMPLETED) die("job failed", b->m);
        b->seen[i] = 1;
        b->got++;
        done = b->m->get_completed_job(b->m);
    }
}

static void many_submit(many *b, IMB_JOB *job, unsigned i)
{
    job->user_data = b;
    job->user_data2 = (void *)(uintptr_t)i;
    IMB_JOB *done = IMB_SUBMIT_JOB(b->m);
    if (done == NULL) done = b->m->get_completed_job(b->m);
    many_take(b, done);
}

/* Flushes until every job of the pass is back; the manager must then be empty. */
static void many_finish(many *b)
{
    while (b->got < b->n) {
        IMB_JOB *done = IMB_FLUSH_JOB(b->m);
        if (done == NULL) die("job lost (flush returned nothing)", b->m);
        many_take(b, done);
    }
    if (b->m->queue_size(b->m) != 0) die("jobs left in the manager after a batch", b->m);
}

static void many_begin(many *b, IMB_MGR *m, unsigned n)
{
    b->m = m;
    b->n = n;
    b->got = 0;
    memset(b->seen, 0, n);
    if (m->queue_size(m) != 0) die("manager not empty before a batch", m);
}

/* Submits the one job just filled and returns once it is complete: a pass of one. */
static void job_run(IMB_MGR *m, IMB_JOB *job)
{
    many b;
    many_begin(&b, m, 1);
    many_submit(&b, job, 0);
    many_finish(&b);
}

/* ---- hashes ------------------------------------------------------------------------------ */

static size_t block_len(enum cd_hash h) { return h == CD_SHA384 ? 128 : 64; }

/* see cd.h */
void cd_hash(enum cd_hash h, const void *msg, size_t n, uint8_t *out)
{
    static const uint8_t empty[1];
    IMB_MGR *m = tls()->hash;
    if (msg == NULL) msg = empty;
    /* SHA-256 as a job reaches SHA-NI on the SSE manager; the direct function does not. For
     * SHA-384 (no SHA-NI) the direct function is the quicker one. */
    if (h == CD_SHA256 && n <= JOB_MAX) {
        job_run(m, hash_job(m, IMB_AUTH_SHA_256, msg, n, out, 32));
    } else if (h == CD_SHA384) {
        IMB_SHA384(m, msg, n, out);
    } else if (h == CD_SHA512) {
        IMB_SHA512(m, msg, n, out);
    } else {
        IMB_SHA256(m, msg, n, out);
    }
}

/* ---- HMAC (RFC 2104) --------------------------------------------------------------------- */

/* HMAC from the plain hash over one buffer: K0^ipad || m, then K0^opad || inner. buf holds
 * bl + n bytes (stack for the concat route, heap for the rare long message). */
static void hmac_concat(enum cd_hash h, const uint8_t *k0, const void *msg, size_t n, uint8_t *buf,
                        uint8_t *out)
{
    const size_t bl = block_len(h), hl = cd_hash_len(h);
    uint8_t outer[BLOCK_MAX + CD_HASH_MAX];
    for (size_t i = 0; i < bl; i++) buf[i] = (uint8_t)(k0[i] ^ 0x36);
    if (n) memcpy(buf + bl, msg, n);
    cd_hash(h, buf, bl + n, outer + bl);
    for (size_t i = 0; i < bl; i++) outer[i] = (uint8_t)(k0[i] ^ 0x5c);
    cd_hash(h, outer, bl + hl, out);
    ct_wipe(buf, bl + n);
    ct_wipe(outer, sizeof outer);
}

/* The compression states after K0^ipad and K0^opad, then one HMAC job continues from them. */
static void hmac_job(enum cd_hash h, const uint8_t *k0, const void *msg, size_t n, uint8_t *out)
{
    IMB_MGR *m = tls()->hash;
    const size_t bl = block_len(h), hl = cd_hash_len(h);
    _Alignas(16) uint8_t pad[BLOCK_MAX], ipad_st[STATE_MAX], opad_st[STATE_MAX], tag[CD_HASH_MAX];
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
    IMB_JOB *job = hash_job(m, h == CD_SHA384 ? IMB_AUTH_HMAC_SHA_384 : IMB_AUTH_HMAC_SHA_256, msg,
                            n, tag, hl);
    job->u.HMAC._hashed_auth_key_xor_ipad = ipad_st;
    job->u.HMAC._hashed_auth_key_xor_opad = opad_st;
    job_run(m, job);
    memcpy(out, tag, hl);
    ct_wipe(pad, sizeof pad);
    ct_wipe(ipad_st, sizeof ipad_st);
    ct_wipe(opad_st, sizeof opad_st);
    ct_wipe(tag, sizeof tag);
}

/* see cd.h */
void cd_hmac(enum cd_hash h, const uint8_t *key, size_t klen, const void *msg, size_t n,
             uint8_t *out)
{
    const size_t bl = block_len(h);
    _Alignas(16) uint8_t k0[BLOCK_MAX];
    _Alignas(16) uint8_t buf[BLOCK_MAX + CONCAT_MAX];
    if (h != CD_SHA256 && h != CD_SHA384) die("cd_hmac: only SHA-256 and SHA-384", tls()->hash);

    /* RFC 2104 §2: a key longer than the block is replaced by its hash; then zero-padded. */
    memset(k0, 0, sizeof k0);
    if (klen > bl)
        cd_hash(h, key, klen, k0);
    else if (klen)
        memcpy(k0, key, klen);

    if (h == CD_SHA256 && tls()->concat && n <= CONCAT_MAX) {
        hmac_concat(h, k0, msg, n, buf, out);
    } else if (n >= 1 && n <= JOB_MAX) {
        hmac_job(h, k0, msg, n, out);
    } else { /* lengths the HMAC job refuses: 0, or longer than 65534 */
        if (n > SIZE_MAX - bl) die("HMAC message too long", NULL);
        uint8_t *big = n <= CONCAT_MAX ? buf : malloc(bl + n);
        if (big == NULL) die("out of memory (HMAC of a long message)", NULL);
        hmac_concat(h, k0, msg, n, big, out);
        if (big != buf) free(big);
    }
    ct_wipe(k0, sizeof k0);
}

/* see cd_hmac_key.h */
void cd_hmac_key_init(cd_hmac_key *k, enum cd_hash h, const uint8_t *key, size_t klen)
{
    IMB_MGR *m = tls()->hash;
    if (h != CD_SHA256 && h != CD_SHA384) die("cd_hmac_key_init: only SHA-256 and SHA-384", m);
    const size_t bl = block_len(h);
    _Static_assert(sizeof k->k0 >= BLOCK_MAX && sizeof k->ist >= STATE_MAX, "cd_hmac_key sizes");
    k->h = h;
    /* RFC 2104 §2: a key longer than the block is replaced by its hash; then zero-padded. */
    memset(k->k0, 0, sizeof k->k0);
    if (klen > bl)
        cd_hash(h, key, klen, k->k0);
    else if (klen)
        memcpy(k->k0, key, klen);
    _Alignas(16) uint8_t pad[BLOCK_MAX];
    for (size_t i = 0; i < bl; i++) pad[i] = (uint8_t)(k->k0[i] ^ 0x36);
    if (h == CD_SHA384)
        IMB_SHA384_ONE_BLOCK(m, pad, k->ist);
    else
        IMB_SHA256_ONE_BLOCK(m, pad, k->ist);
    for (size_t i = 0; i < bl; i++) pad[i] = (uint8_t)(k->k0[i] ^ 0x5c);
    if (h == CD_SHA384)
        IMB_SHA384_ONE_BLOCK(m, pad, k->ost);
    else
        IMB_SHA256_ONE_BLOCK(m, pad, k->ost);
    ct_wipe(pad, sizeof pad);
}

/* see cd_hmac_key.h */
void cd_hmac_key_mac(const cd_hmac_key *k, const void *msg, size_t n, uint8_t *out)
{
    const enum cd_hash h = k->h;
    if (n >= 1 && n <= JOB_MAX) { /* one HMAC job from the kept states: no pad blocks */
        IMB_MGR *m = tls()->hash;
        const size_t hl = cd_hash_len(h);
        _Alignas(16) uint8_t tag[CD_HASH_MAX];
        IMB_JOB *job = hash_job(m, h == CD_SHA384 ? IMB_AUTH_HMAC_SHA_384 : IMB_AUTH_HMAC_SHA_256,
                                msg, n, tag, hl);
        job->u.HMAC._hashed_auth_key_xor_ipad = k->ist;
        job->u.HMAC._hashed_auth_key_xor_opad = k->ost;
        job_run(m, job);
        memcpy(out, tag, hl);
        ct_wipe(tag, sizeof tag);
        return;
    }
    /* lengths the HMAC job refuses: 0, or longer than 65534 */
    const size_t bl = block_len(h);
    _Alignas(16) uint8_t buf[BLOCK_MAX + 1];
    if (n > SIZE_MAX - bl) die("HMAC message too long", NULL);
    uint8_t *big = n == 0 ? buf : malloc(bl + n);
    if (big == NULL) die("out of memory (HMAC of a long message)", NULL);
    hmac_concat(h, k->k0, msg, n, big, out);
    if (big != buf) free(big);
}

/* see cd_hmac_key.h */
void cd_hmac_key_wipe(cd_hmac_key *k) { ct_wipe(k, sizeof *k); }

/* see cd_hash_batch.h */
void cd_hash_many(const cd_hash_req *r, unsigned n)
{
    IMB_MGR *m = tls()->hash;
    for (unsigned at = 0; at < n; at += MANY_CHUNK) {
        const unsigned cn = n - at < MANY_CHUNK ? n - at : MANY_CHUNK;
        many b;
        many_begin(&b, m, cn);
        for (unsigned i = 0; i < cn; i++) {
            const cd_hash_req *q = &r[at + i];
            if ((q->h != CD_SHA256 && q->h != CD_SHA384) || q->n > JOB_MAX)
                die("cd_hash_many: SHA-256/384 of at most 65534 bytes only", m);
            IMB_JOB *job = hash_job(m, q->h == CD_SHA384 ? IMB_AUTH_SHA_384 : IMB_AUTH_SHA_256,
                                    q->msg, q->n, q->out, cd_hash_len(q->h));
            many_submit(&b, job, i);
        }
        many_finish(&b);
    }
}

/* see cd_hash_batch.h */
void cd_hmac_key_mac_many(const cd_mac_req *r, unsigned n)
{
    IMB_MGR *m = tls()->hash;
    for (unsigned at = 0; at < n; at += MANY_CHUNK) {
        const unsigned cn = n - at < MANY_CHUNK ? n - at : MANY_CHUNK;
        many b;
        many_begin(&b, m, cn);
        for (unsigned i = 0; i < cn; i++) {
            const cd_mac_req *q = &r[at + i];
            const enum cd_hash h = q->key->h;
            if (q->n < 1 || q->n > JOB_MAX)
                die("cd_hmac_key_mac_many: messages of 1..65534 bytes only", m);
            /* the tag lands in the caller's buffer directly: it is wiped by the caller */
            const IMB_HASH_ALG alg = h == CD_SHA384 ? IMB_AUTH_HMAC_SHA_384 : IMB_AUTH_HMAC_SHA_256;
            IMB_JOB *job = hash_job(m, alg, q->msg, q->n, q->out, cd_hash_len(h));
            job->u.HMAC._hashed_auth_key_xor_ipad = q->key->ist;
            job->u.HMAC._hashed_auth_key_xor_opad = q->key->ost;
            many_submit(&b, job, i);
        }
        many_finish(&b);
    }
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
    IMB_MGR *m = tls()->gcm;
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
    IMB_MGR *m = tls()->gcm;
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
    IMB_MGR *m = tls()->gcm;
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
    const uint64_t keep = 0 - (uint64_t)ok;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) { /* word-wise: a byte loop costs as much as the decryption */
        uint64_t w;
        memcpy(&w, out + i, 8);
        w &= keep;
        memcpy(out + i, &w, 8);
    }
    for (; i < n; i++) out[i] &= (uint8_t)keep;
    return (int)ok - 1;
}
