/* fuzz_scen.h — real in-memory handshakes (our client <-> our server) for every suite x group x
 * certificate kind, recorded message by message, with snapshots of a receiving connection
 * taken just before a chosen message reaches it.
 *
 * A per-message fuzz target clones such a snapshot, delivers the fuzzed message body in its
 * place (framed as the record layer expects: plaintext records, or sealed with the peer's real
 * write key once the receiver reads protected records) and then the rest of what the peer sent
 * in the real handshake (the "tail"). The snapshot is a plain copy: eng_conn is one flat
 * allocation whose only outside reference is the server's public key (EVP_PKEY, reference
 * counted). With the deterministic randomness of fuzz_common.h, the seed corpus written by
 * mkseeds from the same scenarios fits the snapshots exactly: a seed runs the whole handshake,
 * and mutations start from real protocol states.
 *
 * Units: the runner splits each side's output into units: one per plaintext handshake message
 * (re-framed in records of its own, so that a snapshot can sit between two messages that shared
 * a record) and one per other record (ChangeCipherSpec, alerts, protected records). */
#ifndef MBSHAKE_FUZZ_SCEN_H
#define MBSHAKE_FUZZ_SCEN_H

#include "fuzz_common.h" /* first: it sets up the OpenSSL headers */

#include <openssl/evp.h>

/* ---- the scenarios ---------------------------------------------------------------------- */
typedef struct fz_scen_def {
    const char *name;
    const char *suite;  /* the client offers only this suite (server: defaults) */
    const char *groups; /* client's groups: the server (x25519 first) then picks the first */
    const char *kind;   /* server certificate, tests/gen-certs.sh name */
} fz_scen_def;

#define FZ_ECDHE_RSA(k)                                                                            \
    {"rsa128-x25519-" k, "ECDHE-RSA-AES128-GCM-SHA256", "x25519", k},                              \
        {"rsa128-p256-" k, "ECDHE-RSA-AES128-GCM-SHA256", "secp256r1", k},                         \
        {"rsa256-x25519-" k, "ECDHE-RSA-AES256-GCM-SHA384", "x25519", k},                          \
        {"rsa256-p256-" k, "ECDHE-RSA-AES256-GCM-SHA384", "secp256r1", k},                         \
        {"rsakx128-" k, "AES128-GCM-SHA256", NULL, k}, {"rsakx256-" k, "AES256-GCM-SHA384", NULL, k}

static const fz_scen_def fz_scen_defs[] = {
    /* a P-256 certificate needs secp256r1 offered (RFC 8422 §5.1), x25519 first picks x25519 */
    {"ecdsa128-x25519", "ECDHE-ECDSA-AES128-GCM-SHA256", "x25519,secp256r1", "ecdsa-p256"},
    {"ecdsa128-p256", "ECDHE-ECDSA-AES128-GCM-SHA256", "secp256r1", "ecdsa-p256"},
    {"ecdsa256-x25519", "ECDHE-ECDSA-AES256-GCM-SHA384", "x25519,secp256r1", "ecdsa-p256"},
    {"ecdsa256-p256", "ECDHE-ECDSA-AES256-GCM-SHA384", "secp256r1", "ecdsa-p256"},
    FZ_ECDHE_RSA("rsa2048"),
    FZ_ECDHE_RSA("rsa3072"),
    FZ_ECDHE_RSA("rsa4096"),
};
#define FZ_NSCEN (sizeof fz_scen_defs / sizeof *fz_scen_defs)

static const char *const fz_kinds[] = {"ecdsa-p256", "rsa2048", "rsa3072", "rsa4096"};
#define FZ_NKINDS 4

/* Randomness of scenario i: its own streams, so that every scenario's randoms differ. */
static uint64_t fz_seed_client(unsigned i) { return 0x6d627368616b6501ULL + 0x1000 * i; }
static uint64_t fz_seed_server(unsigned i) { return 0x6d627368616b6502ULL + 0x1000 * i; }

/* Application data exchanged after the handshake (then the server closes). */
static const char fz_app_req[] = "GET /fuzz HTTP/1.0\r\nHost: localhost\r\n\r\n";
static const char fz_app_resp[] = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/* ---- snapshot points -------------------------------------------------------------------- */
enum fz_at {
    FZ_AT_CH,    /* server, before the ClientHello */
    FZ_AT_SH,    /* client, before the ServerHello */
    FZ_AT_CERT,  /* client, before the Certificate */
    FZ_AT_SKE,   /* client, before the ServerKeyExchange (ECDHE) */
    FZ_AT_SHD,   /* client, before the ServerHelloDone */
    FZ_AT_CKE,   /* server, before the ClientKeyExchange */
    FZ_AT_FIN_S, /* server, before the client's (protected) Finished */
    FZ_AT_FIN_C, /* client, before the server's (protected) Finished */
    FZ_AT_APP_S, /* server, handshake done, before the client's first application data */
    FZ_AT_APP_C, /* client, handshake done, before the server's first application data */
    FZ_AT_COUNT
};
static const struct {
    uint8_t to;  /* receiving role */
    uint8_t rec; /* record content type */
    int16_t hs;  /* handshake type (plaintext handshake units), -1: any */
    uint8_t enc; /* protected record */
} fz_at_def[FZ_AT_COUNT] = {
    [FZ_AT_CH] = {ENG_SERVER, 22, 1, 0},     [FZ_AT_SH] = {ENG_CLIENT, 22, 2, 0},
    [FZ_AT_CERT] = {ENG_CLIENT, 22, 11, 0},  [FZ_AT_SKE] = {ENG_CLIENT, 22, 12, 0},
    [FZ_AT_SHD] = {ENG_CLIENT, 22, 14, 0},   [FZ_AT_CKE] = {ENG_SERVER, 22, 16, 0},
    [FZ_AT_FIN_S] = {ENG_SERVER, 22, -1, 1}, [FZ_AT_FIN_C] = {ENG_CLIENT, 22, -1, 1},
    [FZ_AT_APP_S] = {ENG_SERVER, 23, -1, 1}, [FZ_AT_APP_C] = {ENG_CLIENT, 23, -1, 1},
};
#define FZ_AT_ALL ((1u << FZ_AT_COUNT) - 1)

typedef struct fz_point {
    int have;
    eng_conn *snap;   /* the receiver just before the unit */
    uint64_t rng[2];  /* randomness streams at that moment */
    fz_buf body;      /* handshake body (for a protected handshake record: decrypted, without
                         the 4-byte header); other records: the (decrypted) fragment */
    fz_buf wire;      /* the unit as delivered */
    fz_buf tail;      /* everything delivered to the receiver after the unit */
    cd_gcm_key *key;  /* the peer's write key and salt (for sealing records to the receiver) */
    uint8_t salt[TLS_GCM_SALT_LEN];
} fz_point;

typedef struct fz_scen {
    const fz_scen_def *def;
    unsigned idx;
    eng_cfg *ccfg, *scfg;
    int ok;                /* the whole handshake and the data exchange went through */
    fz_point at[FZ_AT_COUNT];
    fz_buf stream[2];      /* every byte delivered to [ENG_SERVER] / [ENG_CLIENT] */
} fz_scen;

/* ---- connection clones -------------------------------------------------------------------- */
/* see fuzz_scen.h header: a private, independently freeable copy of a connection */
static eng_conn *fz_conn_clone(const eng_conn *src)
{
    size_t sz = (sizeof(eng_conn) + 63) & ~(size_t)63;
    eng_conn *c = aligned_alloc(64, sz);
    if (!c) abort();
    memcpy(c, src, sizeof *c);
    c->op.conn = c;
    if (c->have_peer && c->peer.pkey) EVP_PKEY_up_ref((EVP_PKEY *)c->peer.pkey);
    return c;
}

/* ---- record protection for the fuzzers (RFC 5246 §6.2.3.3, RFC 5288 §3) ------------------ */
static void fz_put64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

/* Appends one AES-GCM record of content type `type` and header version `version` carrying
 * pt[0..n) sealed under key/salt with sequence number seq. */
static void fz_seal(const cd_gcm_key *key, const uint8_t salt[4], uint64_t seq, uint8_t type,
                    uint16_t version, const uint8_t *pt, size_t n, fz_buf *w)
{
    size_t clen = n + TLS_GCM_OVERHEAD;
    uint8_t hdr[TLS_REC_HDR + TLS_GCM_EXPLICIT_LEN], iv[12], aad[13];
    hdr[0] = type;
    hdr[1] = (uint8_t)(version >> 8);
    hdr[2] = (uint8_t)version;
    hdr[3] = (uint8_t)(clen >> 8);
    hdr[4] = (uint8_t)clen;
    fz_put64(hdr + TLS_REC_HDR, seq);
    memcpy(iv, salt, 4);
    fz_put64(iv + 4, seq);
    fz_put64(aad, seq);
    aad[8] = type;
    aad[9] = (uint8_t)(version >> 8);
    aad[10] = (uint8_t)version;
    aad[11] = (uint8_t)(n >> 8);
    aad[12] = (uint8_t)n;
    fz_buf_add(w, hdr, sizeof hdr);
    size_t at = w->n;
    fz_buf_add(w, pt, n); /* room for the ciphertext (sealed in place below) */
    static const uint8_t tag_room[TLS_GCM_TAG_LEN];
    fz_buf_add(w, tag_room, sizeof tag_room);
    cd_gcm_seal(key, iv, aad, sizeof aad, w->p + at, n, w->p + at, w->p + at + n);
}

/* Opens a protected record rec[0..n) (header included); -1 when it does not verify. */
static int fz_open(const cd_gcm_key *key, const uint8_t salt[4], uint64_t seq, const uint8_t *rec,
                   size_t n, fz_buf *out)
{
    if (n < TLS_REC_HDR + TLS_GCM_OVERHEAD) return -1;
    size_t pn = n - TLS_REC_HDR - TLS_GCM_OVERHEAD;
    uint8_t iv[12], aad[13];
    memcpy(iv, salt, 4);
    memcpy(iv + 4, rec + TLS_REC_HDR, 8);
    fz_put64(aad, seq);
    memcpy(aad + 8, rec, 3);
    aad[11] = (uint8_t)(pn >> 8);
    aad[12] = (uint8_t)pn;
    uint8_t *pt = malloc(pn + 1);
    const uint8_t *ct = rec + TLS_REC_HDR + TLS_GCM_EXPLICIT_LEN;
    int rc = cd_gcm_open(key, iv, aad, sizeof aad, ct, pn, ct + pn, pt);
    if (rc == 0) fz_buf_add(out, pt, pn);
    free(pt);
    return rc;
}

/* Appends data[0..n) as plaintext records of content type `type` (at most 2^14 bytes each,
 * RFC 5246 §6.2.1; one empty record when n == 0). */
static void fz_frame_plain(uint8_t type, const uint8_t *data, size_t n, fz_buf *w)
{
    size_t off = 0;
    do {
        size_t k = n - off < TLS_MAX_PLAIN ? n - off : TLS_MAX_PLAIN;
        uint8_t hdr[5] = {type, TLS_V12 >> 8, TLS_V12 & 0xff, (uint8_t)(k >> 8), (uint8_t)k};
        fz_buf_add(w, hdr, 5);
        fz_buf_add(w, data + off, k);
        off += k;
    } while (off < n);
}

/* A handshake message (type t, body b[0..n)) framed for the receiver `rcv` of point pt:
 * plaintext records, or records sealed with the peer's key from the receiver's read sequence
 * number on when the receiver reads protected records. */
static void fz_frame_hs(const fz_point *pt, const eng_conn *rcv, uint8_t t, const uint8_t *b,
                        size_t n, fz_buf *w)
{
    fz_buf m = {0};
    uint8_t h[4] = {t, (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    fz_buf_add(&m, h, 4);
    fz_buf_add(&m, b, n);
    if (!rcv->renc || !pt->key) {
        fz_frame_plain(TLS_CT_HANDSHAKE, m.p, m.n, w);
    } else {
        uint64_t seq = rcv->rseq;
        for (size_t off = 0; off < m.n; off += TLS_MAX_PLAIN) {
            size_t k = m.n - off < TLS_MAX_PLAIN ? m.n - off : TLS_MAX_PLAIN;
            fz_seal(pt->key, pt->salt, seq++, TLS_CT_HANDSHAKE, TLS_V12, m.p + off, k, w);
        }
    }
    fz_buf_free(&m);
}

/* ---- the runner --------------------------------------------------------------------------- */
typedef struct fz_unit {
    uint8_t rec, enc;
    int16_t hs;
    fz_buf wire, body;
} fz_unit;

typedef struct fz_dir { /* units travelling to one role */
    fz_unit *u;
    size_t n, cap, next;
    int enc;            /* the sender has sent ChangeCipherSpec */
    uint64_t seq;       /* the sender's write sequence number since then */
    fz_buf hs;          /* plaintext handshake bytes not yet a whole message */
    cd_gcm_key *key;    /* the sender's write key, copied at its first protected record (a
                           connection wipes its keys when it ends) */
    uint8_t salt[TLS_GCM_SALT_LEN];
} fz_dir;

static fz_unit *fz_dir_push(fz_dir *d)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? 2 * d->cap : 16;
        d->u = realloc(d->u, d->cap * sizeof *d->u);
        if (!d->u) abort();
    }
    fz_unit *u = &d->u[d->n++];
    memset(u, 0, sizeof *u);
    return u;
}

static void fz_dir_free(fz_dir *d)
{
    for (size_t i = 0; i < d->n; i++) {
        fz_buf_free(&d->u[i].wire);
        fz_buf_free(&d->u[i].body);
    }
    free(d->u);
    fz_buf_free(&d->hs);
    if (d->key) {
        cd_gcm_wipe(d->key);
        free(d->key);
    }
    memset(d, 0, sizeof *d);
}

/* Splits output of `from` (whole records) into units of d (the direction away from it). */
static void fz_split(fz_dir *d, const eng_conn *from, const uint8_t *o, size_t n)
{
    size_t off = 0;
    while (off + TLS_REC_HDR <= n) {
        size_t len = (size_t)o[off + 3] << 8 | o[off + 4];
        const uint8_t *rec = o + off;
        if (off + TLS_REC_HDR + len > n) break; /* our engine writes whole records */
        off += TLS_REC_HDR + len;
        if (d->enc) {
            if (!d->key) {
                d->key = aligned_alloc(64, sizeof *d->key);
                if (!d->key) abort();
                memcpy(d->key, &from->wkey, sizeof *d->key);
                memcpy(d->salt, from->wsalt, sizeof d->salt);
            }
            fz_unit *u = fz_dir_push(d);
            u->rec = rec[0];
            u->enc = 1;
            u->hs = -1;
            fz_buf_add(&u->wire, rec, TLS_REC_HDR + len);
            if (fz_open(d->key, d->salt, d->seq++, rec, TLS_REC_HDR + len, &u->body) == 0 &&
                u->rec == TLS_CT_HANDSHAKE && u->body.n >= TLS_HS_HDR) {
                u->hs = u->body.p[0];
                memmove(u->body.p, u->body.p + TLS_HS_HDR, u->body.n - TLS_HS_HDR);
                u->body.n -= TLS_HS_HDR;
            }
            continue;
        }
        if (rec[0] != TLS_CT_HANDSHAKE) {
            fz_unit *u = fz_dir_push(d);
            u->rec = rec[0];
            u->hs = -1;
            fz_buf_add(&u->wire, rec, TLS_REC_HDR + len);
            fz_buf_add(&u->body, rec + TLS_REC_HDR, len);
            if (rec[0] == TLS_CT_CHANGE_CIPHER_SPEC) {
                d->enc = 1;
                d->seq = 0;
            }
            continue;
        }
        fz_buf_add(&d->hs, rec + TLS_REC_HDR, len);
        for (;;) {
            if (d->hs.n < TLS_HS_HDR) break;
            size_t ml = (size_t)d->hs.p[1] << 16 | (size_t)d->hs.p[2] << 8 | d->hs.p[3];
            if (d->hs.n < TLS_HS_HDR + ml) break;
            fz_unit *u = fz_dir_push(d);
            u->rec = TLS_CT_HANDSHAKE;
            u->hs = d->hs.p[0];
            fz_frame_plain(TLS_CT_HANDSHAKE, d->hs.p, TLS_HS_HDR + ml, &u->wire);
            fz_buf_add(&u->body, d->hs.p + TLS_HS_HDR, ml);
            memmove(d->hs.p, d->hs.p + TLS_HS_HDR + ml, d->hs.n - TLS_HS_HDR - ml);
            d->hs.n -= TLS_HS_HDR + ml;
        }
    }
}

static eng_cfg *fz_kind_cfgs[FZ_NKINDS];

/* Configurations of scenario i (loaded once, kept for the process). */
static void fz_scen_setup(fz_scen *s, unsigned i)
{
    memset(s, 0, sizeof *s);
    s->def = &fz_scen_defs[i];
    s->idx = i;
    for (unsigned k = 0; k < FZ_NKINDS; k++) {
        if (strcmp(fz_kinds[k], s->def->kind) != 0) continue;
        if (!fz_kind_cfgs[k]) fz_kind_cfgs[k] = fz_server_cfg(fz_kinds[k]);
        s->scfg = fz_kind_cfgs[k];
    }
    if (!s->scfg) abort();
    s->ccfg = fz_client_cfg(s->def->suite, s->def->groups);
}

typedef struct fz_run {
    fz_scen *s;
    unsigned want;
    eng_conn *c[2];
    int st[2];
    fz_dir d[2]; /* [role]: units travelling to role */
} fz_run;

/* Output of `from` still queued (after eng_write / eng_close) into units for the peer. */
static void fz_run_take_output(fz_run *r, int from)
{
    size_t n;
    const uint8_t *o = eng_out_peek(r->c[from], &n);
    fz_split(&r->d[!from], r->c[from], o, n);
    eng_out_consume(r->c[from], n);
}

/* Feeds `to` and turns what it sent into units for its peer. */
static void fz_run_feed(fz_run *r, int to, const uint8_t *p, size_t n)
{
    fz_buf out = {0};
    r->st[to] = fz_feed(r->c[to], p, n, 0, &out);
    fz_split(&r->d[!to], r->c[to], out.p, out.n);
    fz_buf_free(&out);
}

static int fz_unit_matches(const fz_unit *u, int to, unsigned at)
{
    return fz_at_def[at].to == to && fz_at_def[at].rec == u->rec && fz_at_def[at].enc == u->enc &&
           (fz_at_def[at].hs < 0 || fz_at_def[at].hs == u->hs);
}

/* Delivers every queued unit, both ways, until nothing moves or a side fails. */
static void fz_run_pump(fz_run *r)
{
    for (int moved = 1; moved;) {
        moved = 0;
        for (int to = 0; to < 2; to++) {
            fz_dir *d = &r->d[to];
            while (d->next < d->n && r->st[to] >= 0) {
                fz_unit *u = &d->u[d->next++];
                for (unsigned at = 0; at < FZ_AT_COUNT; at++) {
                    fz_point *pt = &r->s->at[at];
                    if (!(r->want >> at & 1)) continue;
                    if (pt->have) {
                        if (fz_at_def[at].to == to) fz_buf_add(&pt->tail, u->wire.p, u->wire.n);
                    } else if (fz_unit_matches(u, to, at)) {
                        pt->have = 1;
                        pt->snap = fz_conn_clone(r->c[to]);
                        memcpy(pt->rng, fz_rng, sizeof pt->rng);
                        fz_buf_add(&pt->body, u->body.p, u->body.n);
                        fz_buf_add(&pt->wire, u->wire.p, u->wire.n);
                    }
                }
                fz_buf_add(&r->s->stream[to], u->wire.p, u->wire.n);
                fz_run_feed(r, to, u->wire.p, u->wire.n);
                moved = 1;
            }
        }
    }
}

/* Runs scenario s (configured by fz_scen_setup), taking the snapshots whose bits are in want. */
static int fz_scen_run(fz_scen *s, unsigned want)
{
    fz_run r;
    memset(&r, 0, sizeof r);
    r.s = s;
    r.want = want;
    fz_rng_seed(fz_seed_client(s->idx), fz_seed_server(s->idx));
    r.c[ENG_CLIENT] = eng_conn_new(s->ccfg, "localhost");
    r.c[ENG_SERVER] = eng_conn_new(s->scfg, NULL);
    if (!r.c[0] || !r.c[1]) abort();
    r.st[ENG_SERVER] = ENG_WANT_READ;
    fz_run_feed(&r, ENG_CLIENT, NULL, 0); /* ClientHello */
    fz_run_pump(&r);
    if (r.st[0] == ENG_DONE && r.st[1] == ENG_DONE) {
        /* application data both ways, then the server closes (RFC 5246 §7.2.1) */
        eng_write(r.c[ENG_CLIENT], (const uint8_t *)fz_app_req, sizeof fz_app_req - 1);
        fz_run_take_output(&r, ENG_CLIENT);
        fz_run_pump(&r);
        eng_write(r.c[ENG_SERVER], (const uint8_t *)fz_app_resp, sizeof fz_app_resp - 1);
        eng_close(r.c[ENG_SERVER]);
        fz_run_take_output(&r, ENG_SERVER);
        fz_run_pump(&r);
        s->ok = r.st[ENG_CLIENT] == ENG_E_CLOSED;
    }
    if (!s->ok)
        fprintf(stderr, "fuzz: scenario %s did not complete: client %d (%s), server %d (%s)\n",
                s->def->name, r.st[ENG_CLIENT], eng_conn_errmsg(r.c[ENG_CLIENT]),
                r.st[ENG_SERVER], eng_conn_errmsg(r.c[ENG_SERVER]));
    for (unsigned at = 0; at < FZ_AT_COUNT; at++) {
        fz_point *pt = &s->at[at];
        const fz_dir *d = &r.d[fz_at_def[at].to];
        if (!pt->have || !d->key) continue;
        pt->key = aligned_alloc(64, sizeof *pt->key);
        if (!pt->key) abort();
        memcpy(pt->key, d->key, sizeof *pt->key);
        memcpy(pt->salt, d->salt, sizeof pt->salt);
    }
    eng_conn_free(r.c[0]);
    eng_conn_free(r.c[1]);
    fz_dir_free(&r.d[0]);
    fz_dir_free(&r.d[1]);
    return s->ok ? 0 : -1;
}

static void fz_scen_free(fz_scen *s)
{
    for (unsigned at = 0; at < FZ_AT_COUNT; at++) {
        fz_point *pt = &s->at[at];
        if (pt->snap) eng_conn_free(pt->snap);
        if (pt->key) {
            cd_gcm_wipe(pt->key);
            free(pt->key);
        }
        fz_buf_free(&pt->body);
        fz_buf_free(&pt->wire);
        fz_buf_free(&pt->tail);
    }
    fz_buf_free(&s->stream[0]);
    fz_buf_free(&s->stream[1]);
    eng_cfg_free(s->ccfg);
    s->ccfg = NULL;
}

/* ---- the scenario set of a fuzz target ---------------------------------------------------- */
static fz_scen fz_scens[FZ_NSCEN];

/* Sets up every scenario and, when want != 0, runs it for those snapshots (once per process). */
static void fz_init(unsigned want)
{
    static int done;
    if (done) return;
    done = 1;
    unsigned have = 0;
    for (unsigned i = 0; i < FZ_NSCEN; i++) {
        fz_scen_setup(&fz_scens[i], i);
        if (!want) continue;
        fz_scen_run(&fz_scens[i], want);
        for (unsigned at = 0; at < FZ_AT_COUNT; at++)
            if (fz_scens[i].at[at].have) have |= 1u << at;
    }
    if ((have & want) != want) {
        fprintf(stderr, "fuzz: no scenario reached snapshot points 0x%x: is the handshake "
                        "broken? (test_handshake)\n", want & ~have);
        exit(2);
    }
}

/* The scenario whose recorded body at point `at` shares the longest prefix with p[0..n) (ties
 * rotate with n, so unrelated inputs spread over the scenarios); -1 if none has the point. */
static int fz_pick(unsigned at, const uint8_t *p, size_t n)
{
    int best = -1;
    size_t best_l = 0;
    for (unsigned k = 0; k < FZ_NSCEN; k++) {
        unsigned i = (unsigned)((k + n) % FZ_NSCEN);
        const fz_point *pt = &fz_scens[i].at[at];
        if (!pt->have) continue;
        size_t l = 0, m = pt->body.n < n ? pt->body.n : n;
        while (l < m && pt->body.p[l] == p[l]) l++;
        if (best < 0 || l > best_l) {
            best = (int)i;
            best_l = l;
        }
    }
    return best;
}

/* Client configuration variants of scenario i (same suite and groups):
 *   FZ_CFG_INSECURE: skips chain and host-name verification (eng_cfg_set_insecure: the leaf key
 *     is still used), so arbitrary leaf certificates reach the key checks and the signature
 *     verification;
 *   FZ_CFG_VCACHE: with the verified-chain cache on (eng_cfg_set_verify_cache). The cache
 *     lives as long as the process: a target that uses it fills it with the real chains at
 *     start, so that inputs meet the same cache (only a chain that verifies is ever added). */
enum { FZ_CFG_OWN = 0, FZ_CFG_INSECURE = 1, FZ_CFG_VCACHE = 2 };
static const eng_cfg *fz_variant_cfg(unsigned i, int variant)
{
    static eng_cfg *cfg[2][FZ_NSCEN];
    if (variant == FZ_CFG_OWN) return fz_scens[i].ccfg;
    eng_cfg **v = &cfg[variant - 1][i];
    if (!*v) {
        *v = fz_client_cfg(fz_scen_defs[i].suite, fz_scen_defs[i].groups);
        if (variant == FZ_CFG_INSECURE) eng_cfg_set_insecure(*v, 1);
        if (variant == FZ_CFG_VCACHE && eng_cfg_set_verify_cache(*v, 1) != 0) abort();
    }
    return *v;
}

/* What follows the fuzzed message: nothing, the rest of the real peer's bytes (the fuzzed
 * message took the real one's place), or the real message and the rest (it was inserted). */
enum { FZ_NO_TAIL = 0, FZ_TAIL = 1, FZ_UNIT_TAIL = 2 };

/* The per-message target: message `type` with body p[0..n) delivered to a clone of scenario
 * i's snapshot at `at` (i < 0: the best matching scenario, fz_pick), then `tail`. variant: a
 * client clone runs with that configuration variant (fz_variant_cfg) instead of its own. */
static void fz_run_message_ex(unsigned at, uint8_t type, const uint8_t *p, size_t n, int tail,
                              int variant, int i)
{
    if (i < 0) i = fz_pick(at, p, n);
    if (i < 0 || !fz_scens[i].at[at].have) return;
    const fz_point *pt = &fz_scens[i].at[at];
    eng_conn *c = fz_conn_clone(pt->snap);
    if (variant && c->role == ENG_CLIENT) c->cfg = fz_variant_cfg((unsigned)i, variant);
    memcpy(fz_rng, pt->rng, sizeof fz_rng);
    fz_buf w = {0};
    fz_frame_hs(pt, c, type, p, n, &w);
    int st = fz_feed(c, w.p, w.n, 0, NULL);
    if (st >= 0 && tail == FZ_UNIT_TAIL) st = fz_feed(c, pt->wire.p, pt->wire.n, 0, NULL);
    if (st >= 0 && tail) fz_feed(c, pt->tail.p, pt->tail.n, 0, NULL);
    fz_buf_free(&w);
    eng_conn_free(c);
}

static void fz_run_message(unsigned at, uint8_t type, const uint8_t *p, size_t n, int tail)
{
    fz_run_message_ex(at, type, p, n, tail, 0, -1);
}

#endif
