/* eng_internal.h — types shared across the TLS engine's files (record layer, message codecs,
 * handshake table and handlers). Not part of the public API; tests may include it for
 * white-box checks.
 *
 * A connection is one flat, fixed-size struct: every buffer is inline, so eng_conn_new is the
 * only allocation and thousands of connections sit in plain memory. */
#ifndef MBSHAKE_ENG_INTERNAL_H
#define MBSHAKE_ENG_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "cd.h"
#include "cd_ossl.h"
#include "eng.h"
#include "err.h"
#include "tls12_const.h"

/* ---- sizes ----------------------------------------------------------------------------- */
/* Transcript of the handshake, which is also the reassembly buffer of the incoming message
 * (messages are reassembled in place at its end, then become transcript). 24 KiB holds an
 * RSA-4096 chain several times over; a message that does not fit is refused with
 * decode_error (see hs_in_next()). */
#define ENG_HS_CAP (24 * 1024)
/* One incoming record, header included (RFC 5246 §6.2.3 bound). Application data is decrypted
 * in place and read from here. */
#define ENG_REC_CAP (TLS_REC_HDR + TLS_MAX_CIPHER)
/* Output: a whole server flight or one full application-data record, plus room that is
 * always kept for a final alert. */
#define ENG_ALERT_RESERVE 64
#define ENG_OUT_CAP (ENG_HS_CAP + 1024)
#define ENG_MAX_SUITES 8
#define ENG_MAX_GROUPS 4
#define ENG_RSA_MAX 512 /* RSA-4096 signature / ciphertext */
#define ENG_NO_REC ((size_t)-1)
#define ENG_E_OUT_FULL ENG_E_INTERNAL(5) /* output buffer cannot take the record */

/* ---- suites and groups (suites.c) ---------------------------------------------------- */
enum tls_kx { KX_ECDHE_ECDSA = 1, KX_ECDHE_RSA = 2, KX_RSA = 3 };

typedef struct tls_suite {
    uint16_t id;
    uint8_t kx;       /* enum tls_kx */
    uint8_t keylen;   /* AES key bytes: 16 or 32 */
    enum cd_hash prf; /* PRF / Finished / session hash (RFC 5288 §3, RFC 5246 §5) */
    const char *ossl, *iana;
} tls_suite;

extern const tls_suite tls_suites[];
extern const unsigned tls_nsuites;
const tls_suite *tls_suite_by_id(uint16_t id);
/* Length of a group's public value on the wire (32 x25519, 65 P-256 uncompressed); 0 unknown. */
size_t tls_group_point_len(uint16_t group);
/* Hash of a SignatureScheme we handle, and whether it is one (0/1). */
int tls_sigalg_hash(uint16_t scheme, enum cd_hash *h);
/* The schemes the client offers, in preference order. */
extern const uint16_t tls_client_sigalgs[];
extern const unsigned tls_client_nsigalgs;

/* ---- verification cache (cfg.c; eng_cfg_set_verify_cache) ---------------------------- */
#define ENG_VCACHE_SLOTS 32
typedef struct eng_vcache_entry {
    uint8_t key[32]; /* vcache_key() of the chain and host name */
    cd_pubkey leaf;  /* the verified leaf key; pkey always NULL (RSA leaves are re-parsed) */
    const void *ptab; /* P-256 leaves: the key's verify table (cd_p256.key_table_new), or NULL */
} eng_vcache_entry;
typedef struct eng_vcache {
    pthread_mutex_t lock; /* insertions only */
    /* entries [0, n) are published and never change again: readers load n (acquire) and
     * scan without a lock; a writer fills e[n] before it stores n + 1 (release) */
    _Atomic unsigned n;
    eng_vcache_entry e[ENG_VCACHE_SLOTS];
    /* every key table ever made for an entry, freed only with the cache (an entry dropped by
     * eng_cfg_set_ca may still be in use by a parked op); at most ENG_VCACHE_TABS */
    void *tabs[2 * ENG_VCACHE_SLOTS];
    unsigned ntabs;
    void (*tab_free)(void *);
} eng_vcache;
#define ENG_VCACHE_TABS (2 * ENG_VCACHE_SLOTS)
void vcache_free(eng_vcache *vc);
/* SHA-256 over the SHA-256 of each certificate (in order) and the host name ("" for none). */
void vcache_key(const uint8_t *const der[], const size_t len[], unsigned n, const char *host,
                uint8_t key[32]);
/* 1 and *leaf filled (pkey NULL) when key is cached, else 0. Lock-free. */
int vcache_lookup(const eng_vcache *vc, const uint8_t key[32], cd_pubkey *leaf,
                  const void **ptab);
/* Publishes a verified leaf (its pkey is not kept); no-op when present or full. A P-256 leaf
 * also gets a verify table when the selected P-256 implementation makes them. Returns the
 * table it stored (NULL if none). */
const void *vcache_insert(eng_vcache *vc, const uint8_t key[32], const cd_pubkey *leaf);

/* ---- configuration (cfg.c) ----------------------------------------------------------- */
struct eng_cfg {
    eng_role role;
    uint16_t suites[ENG_MAX_SUITES];
    unsigned nsuites;
    uint16_t groups[ENG_MAX_GROUPS];
    unsigned ngroups;
    int require_ems, offer_ems, fallback_scsv, insecure;
    int have_cert;
    cd_chain chain;
    cd_privkey key;
    cd_trust *trust;
    eng_vcache *vcache; /* client: NULL = verify every chain */
};

/* ---- connection ----------------------------------------------------------------------- */
/* Handshake steps (hs_table.c): one entry per message of RFC 5246 §7.3. */
enum hs_msg {
    HS_CH, HS_SH, HS_SCERT, HS_SKE, HS_CREQ, HS_SHD, HS_CCERT, HS_CKE, HS_CCCS, HS_CFIN, HS_SCCS,
    HS_SFIN, HS_APP, HS_MSG_COUNT
};

struct eng_conn {
    /* GCM key schedules first: they need 64-byte alignment. */
    cd_gcm_key wkey, rkey;
    const eng_cfg *cfg;
    eng_role role;

    /* errors: first fatal error wins (sticky) */
    int err;
    const char *ctx;      /* what was being processed (message or layer name) */
    char why[160];        /* reason given at the failing check */
    const char *why_file;
    int why_line;
    char errmsg[320];

    /* handshake position (hs_table.c) */
    const uint8_t *seq;   /* hs_seq_ecdhe or hs_seq_rsa */
    uint8_t idx;          /* index into seq */
    uint8_t sub;          /* step inside a handler that parks on crypto */
    uint8_t hs_done;
    uint8_t ccs_in;       /* ChangeCipherSpec received, not yet taken by the flow */
    uint8_t hello_seen;   /* peer's hello processed: record versions are now exact */
    uint8_t cert_requested; /* client: the server sent CertificateRequest (RFC 5246 §7.4.4) */
    uint8_t cur_hs_type;  /* type of the message being handled */
    size_t msg_len;       /* body length of the message being handled */

    /* record layer (record.c) */
    uint8_t wenc, renc;   /* write / read protection active */
    uint8_t close_sent, close_rcvd;
    uint8_t empty_recs;   /* consecutive empty application-data records */
    uint8_t warn_in;      /* last warning alert received (description), for tests and logs */
    uint8_t warn_count;
    uint64_t wseq, rseq;
    uint8_t wsalt[TLS_GCM_SALT_LEN], rsalt[TLS_GCM_SALT_LEN];
    size_t rlen;          /* bytes of the current incoming record in rbuf */
    size_t app_off, app_len; /* decrypted application data waiting in rbuf */
    size_t out_off, out_len;
    size_t hs_rec_at;     /* offset of an open plaintext handshake record to coalesce into */

    /* handshake buffer: [0, hs_len) transcript, [hs_len, hs_len + hs_in) incoming bytes */
    size_t hs_len, hs_in;

    /* negotiated parameters */
    const tls_suite *suite;
    uint16_t group, sigalg, client_version;
    uint8_t ems, secure_reneg;
    uint8_t echo_pf;      /* server: client sent ec_point_formats (echo it, RFC 8422 §5.2) */
    uint8_t keys_ready;   /* record keys derived (hs_keys.c), waiting for ChangeCipherSpec */
    uint8_t cr[TLS_RANDOM_LEN], sr[TLS_RANDOM_LEN];
    char servername[256];

    /* key exchange state; secrets are wiped as soon as they are used */
    uint8_t eph_priv[32];
    uint8_t eph_pub[65];
    uint8_t peer_pub[65];
    uint8_t pms[TLS_RSA_PMS_LEN];
    uint8_t ms[TLS_MASTER_LEN];
    uint8_t kb[2 * 32 + 2 * TLS_GCM_SALT_LEN]; /* key block while ENG_OP_TLS_KEYS is parked */
    /* verify_data: the client Finished's from the key schedule (fin_ready), or the output of
     * a parked ENG_OP_TLS_FINISHED; wiped once used */
    uint8_t fin[TLS_VERIFY_DATA_LEN];
    uint8_t fin_ready;
    uint8_t digest[CD_HASH_MAX];
    uint8_t extra[32];
    uint8_t rs[64];
    uint8_t ske_params[4 + 65];
    size_t ske_params_len;
    uint8_t sig[ENG_RSA_MAX];
    size_t sig_len;
    cd_pubkey peer;       /* client: server leaf key */
    const void *peer_tab; /* client, --verify cached, P-256 leaf: its verify table or NULL */
    uint8_t have_peer;
    /* How far each big buffer below has ever been written (eng_conn_free wipes that much, so a
     * connection touches only the pages it used: 10,000 idle connections stay small). */
    size_t rbuf_hw, out_hw, hs_hw;

    eng_op op;

    uint8_t rbuf[ENG_REC_CAP];
    uint8_t out[ENG_OUT_CAP];
    uint8_t hs[ENG_HS_CAP];
};

/* Raises a buffer's high-water mark (eng_conn's rbuf_hw, out_hw, hs_hw) to end. */
#define CONN_HW(hw, end)                                                                           \
    do {                                                                                           \
        if ((end) > (hw)) (hw) = (end);                                                            \
    } while (0)

/* ---- errors (conn.c) -------------------------------------------------------------------- */
/* Records the reason of a failing check (first one wins) and returns e. */
int conn_why(eng_conn *c, int e, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define FAIL(c, e, ...) conn_why((c), (e), __FILE__, __LINE__, __VA_ARGS__)
/* Protocol check with a reason: returns e from the current function when cond is false. */
#define REQUIRE(c, cond, e, ...)                                                                   \
    do {                                                                                           \
        if (!(cond)) return FAIL((c), (e), __VA_ARGS__);                                           \
    } while (0)
/* Sticky fatal error: records it, builds errmsg, queues the alert. Returns the first error. */
int conn_fail(eng_conn *c, int e);

/* ---- record layer (record.c) ------------------------------------------------------------ */
/* Appends one record (n <= 2^14), protected when the write state is active. */
int rec_write(eng_conn *c, uint8_t type, const uint8_t *p, size_t n);
/* Handshake bytes: coalesced into the open plaintext handshake record of this feed call when
 * possible, fragmented at 2^14 (RFC 5246 §6.2.1). */
int rec_write_hs(eng_conn *c, const uint8_t *p, size_t n);
int rec_send_alert(eng_conn *c, uint8_t level, uint8_t desc);
/* Reads at most one record from in[0..avail) (*used += bytes taken) and processes it.
 * Returns 1 when a record was processed, 0 when more input is needed, or an error. */
int rec_read(eng_conn *c, const uint8_t *in, size_t avail, size_t *used);
/* Free output space for a new record (excluding the alert reserve). */
size_t rec_out_room(eng_conn *c);
/* Activate protection with the prepared keys (ChangeCipherSpec sent / received). */
void rec_activate_write(eng_conn *c);
void rec_activate_read(eng_conn *c);

/* ---- handshake table and driver (hs_table.c) -------------------------------------------- */
typedef int (*hs_fn)(eng_conn *c);
struct hs_action {
    const char *name;
    uint8_t rec;    /* record content type carrying it */
    uint8_t type;   /* HandshakeType when rec == handshake */
    uint8_t writer; /* ENG_SERVER or ENG_CLIENT; HS_WRITER_BOTH for the final APP step */
    hs_fn fn[2];    /* [ENG_SERVER], [ENG_CLIENT]: the writer's send, the other's receive */
    uint8_t opt;    /* HS_OPT_*: when an entry may be absent from a handshake */
};
#define HS_WRITER_BOTH 2
#define HS_OPT_NEVER 0     /* always part of the handshake */
#define HS_OPT_IF_SENT 1   /* present only when the peer sends it (we never send it) */
#define HS_OPT_IF_ASKED 2  /* client Certificate: present only after CertificateRequest */
extern const struct hs_action hs_actions[HS_MSG_COUNT];
extern const uint8_t hs_seq_ecdhe[];
extern const uint8_t hs_seq_rsa[];
extern const unsigned hs_seq_ecdhe_len, hs_seq_rsa_len;
/* Advances the handshake as far as possible. ENG_WANT_READ when input is needed,
 * ENG_WANT_CRYPTO when parked, ENG_DONE when complete, or an error. */
int hs_drive(eng_conn *c);
/* After the handshake: handles one complete post-handshake message if buffered (1), or 0. */
int hs_post_handshake(eng_conn *c);
/* Incoming handshake bytes (record.c): appended after the transcript. */
int hs_in_append(eng_conn *c, const uint8_t *p, size_t n);
/* Start / finish an outgoing handshake message written at the transcript's end. */
void hs_msg_begin(eng_conn *c, eng_wr *w, uint8_t type);
int hs_msg_end(eng_conn *c, eng_wr *w);
/* The body of the incoming message being handled. */
static inline const uint8_t *hs_msg_body(const eng_conn *c)
{
    return c->hs + c->hs_len + TLS_HS_HDR;
}

/* ---- parked crypto (op_run.c) ------------------------------------------------------------ */
/* Parks the connection on op kind with arguments; returns ENG_WANT_CRYPTO. */
int op_park(eng_conn *c, eng_op_kind kind, const uint8_t *a, const uint8_t *b, const uint8_t *cc,
            uint8_t *out);
int op_park_rsa(eng_conn *c, eng_rsa_mode mode, const void *key, uint16_t scheme,
                const uint8_t *a, size_t alen, const uint8_t *cc, size_t clen, uint8_t *out,
                size_t *outlen);
/* Takes the finished op's result: 0, or `fail` with the reason `what` when the op failed
 * (reported at the caller's file:line). */
int op_take_at(eng_conn *c, int fail, const char *what, const char *file, int line);
#define op_take(c, fail, what) op_take_at((c), (fail), (what), __FILE__, __LINE__)
/* Random P-256 scalar in [1, n-1] (rejection sampling, constant-time comparison). */
void op_p256_random_scalar(uint8_t k[32]);
/* Parks the ephemeral key generation for c->group (RFC 8422 §2.1: fresh for every handshake);
 * the public key lands in c->eph_pub. A P-256 c->eph_priv is drawn here; an x25519 one (any 32
 * random bytes) must already be in c->eph_priv, so that the server can draw it together with
 * its random. */
int op_park_eph_keygen(eng_conn *c);

/* ---- messages ---------------------------------------------------------------------------- */
/* msg_hello.c */
typedef struct ch_info {
    uint16_t version;
    const uint8_t *random;
    const uint8_t *suites; /* cipher_suites bytes (2 per suite) */
    size_t suites_len;
    const uint8_t *sigalgs; /* supported_signature_algorithms bytes, client order */
    size_t sigalgs_len;
    uint8_t has_groups, has_sigalgs, has_pf, pf_uncompressed;
    uint8_t x25519, p256;   /* offered in supported_groups */
    uint8_t ems, reneg_ext, scsv_reneg, scsv_fallback;
    const uint8_t *sni;
    size_t sni_len;
} ch_info;
int msg_build_client_hello(eng_conn *c);
int msg_parse_client_hello(eng_conn *c, const uint8_t *p, size_t n, ch_info *ch);
int msg_build_server_hello(eng_conn *c, int echo_pf, int echo_sni);
int msg_parse_server_hello(eng_conn *c, const uint8_t *p, size_t n);

/* msg_cert.c */
int msg_build_certificate(eng_conn *c);
int msg_parse_certificate(eng_conn *c, const uint8_t *p, size_t n, const uint8_t *der[],
                          size_t len[], unsigned *count);

/* msg_ske.c */
typedef struct ske_info {
    const uint8_t *params; /* ServerECDHParams as received: signed as-is */
    size_t params_len;
    uint16_t group;
    const uint8_t *point;
    size_t point_len;
    uint16_t sigalg;
    const uint8_t *sig;
    size_t sig_len;
} ske_info;
size_t msg_ecdh_params(uint16_t group, const uint8_t *pub, uint8_t *out);
int msg_build_ske(eng_conn *c, const uint8_t *sig, size_t sig_len);
int msg_parse_ske(eng_conn *c, const uint8_t *p, size_t n, ske_info *ske);
/* Digest of client_random || server_random || params with hash h (RFC 8422 §5.4). */
void msg_ske_digest(const eng_conn *c, enum cd_hash h, const uint8_t *params, size_t n,
                    uint8_t *out);

/* msg_cke.c */
int msg_build_cke_ecdhe(eng_conn *c);
int msg_build_cke_rsa(eng_conn *c);
int msg_parse_cke_ecdhe(eng_conn *c, const uint8_t *p, size_t n);
int msg_parse_cke_rsa(eng_conn *c, const uint8_t *p, size_t n, const uint8_t **ct, size_t *ctlen);

/* msg_finished.c: shared by both roles */
int hs_send_ccs(eng_conn *c);
int hs_recv_ccs(eng_conn *c);
int hs_send_finished(eng_conn *c);
int hs_recv_finished(eng_conn *c);
int hs_enter_app(eng_conn *c);

/* hs_keys.c: master secret (RFC 5246 §8.1 / RFC 7627 §4) and record keys (§6.3) from c->pms;
 * transcript_len covers the messages up to and including ClientKeyExchange. The first call
 * parks on ENG_OP_TLS_KEYS (returns ENG_WANT_CRYPTO); the caller must call it again when
 * resumed (same arguments, nothing else in between), which installs the keys, wipes pms and
 * returns 0 or an error. */
int hs_derive_keys(eng_conn *c, size_t transcript_len, size_t pms_len);

/* hs_server.c / hs_client.c handlers */
int srv_recv_client_hello(eng_conn *c);
int srv_send_server_hello(eng_conn *c);
int srv_send_certificate(eng_conn *c);
int srv_send_ske(eng_conn *c);
int srv_send_hello_done(eng_conn *c);
int srv_recv_cke(eng_conn *c);
int cli_send_client_hello(eng_conn *c);
int cli_recv_server_hello(eng_conn *c);
int cli_recv_certificate(eng_conn *c);
int cli_recv_ske(eng_conn *c);
int cli_recv_hello_done(eng_conn *c);
int cli_send_cke(eng_conn *c);
int cli_recv_cert_request(eng_conn *c);
int cli_send_empty_certificate(eng_conn *c);
/* Table slots for messages this side never handles (the driver skips them first). */
int hs_never(eng_conn *c);

#endif
