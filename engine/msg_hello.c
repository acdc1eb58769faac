/* msg_hello.c — ClientHello (RFC 5246 §7.4.1.2) and ServerHello (§7.4.1.3) with the
 * extensions mbshake speaks: server_name (RFC 6066 §3), supported_groups and ec_point_formats
 * (RFC 8422 §5.1), signature_algorithms (RFC 5246 §7.4.1.4.1), extended_master_secret
 * (RFC 7627 §5.1) and renegotiation_info (RFC 5746 §3.2). Parsers read straight down the wire
 * format through eng_rd; every vector must be consumed exactly. */
#include <arpa/inet.h>
#include <string.h>

#include "eng_internal.h"

static int offers_ecdhe(const eng_cfg *cfg)
{
    for (unsigned i = 0; i < cfg->nsuites; i++) {
        const tls_suite *s = tls_suite_by_id(cfg->suites[i]);
        if (s && s->kx != KX_RSA) return 1;
    }
    return 0;
}

/* RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted in HostName." */
static int sni_allowed(const char *name)
{
    uint8_t a[16];
    return name[0] && inet_pton(AF_INET, name, a) != 1 && inet_pton(AF_INET6, name, a) != 1;
}

/* ec_point_formats = { uncompressed }, the only format either side uses (RFC 8422 §5.1.2
 * in the ClientHello, §5.2 in the ServerHello). */
static void put_ec_point_formats(eng_wr *w)
{
    eng_wr_uint(w, TLS_EXT_EC_POINT_FORMATS, 2);
    eng_wr_open(w, 2);
    eng_wr_open(w, 1);
    eng_wr_uint(w, TLS_PF_UNCOMPRESSED, 1);
    eng_wr_close(w);
    eng_wr_close(w);
}

/* see eng_internal.h */
int msg_build_client_hello(eng_conn *c)
{
    const eng_cfg *cfg = c->cfg;
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_CLIENT_HELLO);
    eng_wr_uint(&w, TLS_V12, 2); /* client_version: the highest we speak (RFC 5246 E.1) */
    eng_wr_bytes(&w, c->cr, TLS_RANDOM_LEN);
    eng_wr_uint(&w, 0, 1); /* session_id: empty, no resumption */
    eng_wr_open(&w, 2);
    for (unsigned i = 0; i < cfg->nsuites; i++) eng_wr_uint(&w, cfg->suites[i], 2);
    if (cfg->fallback_scsv) eng_wr_uint(&w, TLS_FALLBACK_SCSV, 2); /* RFC 7507 §4 */
    eng_wr_close(&w);
    eng_wr_uint(&w, 1, 1); /* compression_methods: null only (RFC 5246 §7.4.1.2) */
    eng_wr_uint(&w, TLS_COMP_NULL, 1);

    eng_wr_open(&w, 2); /* extensions */
    if (sni_allowed(c->servername)) {
        eng_wr_uint(&w, TLS_EXT_SERVER_NAME, 2);
        eng_wr_open(&w, 2);
        eng_wr_open(&w, 2); /* ServerNameList */
        eng_wr_uint(&w, TLS_SNI_HOST_NAME, 1);
        eng_wr_open(&w, 2);
        eng_wr_bytes(&w, c->servername, strlen(c->servername));
        eng_wr_close(&w);
        eng_wr_close(&w);
        eng_wr_close(&w);
    }
    if (offers_ecdhe(cfg)) {
        /* RFC 8422 §4: a client offering ECC suites sends both extensions */
        eng_wr_uint(&w, TLS_EXT_SUPPORTED_GROUPS, 2);
        eng_wr_open(&w, 2);
        eng_wr_open(&w, 2);
        for (unsigned i = 0; i < cfg->ngroups; i++) eng_wr_uint(&w, cfg->groups[i], 2);
        eng_wr_close(&w);
        eng_wr_close(&w);
        put_ec_point_formats(&w);
    }
    eng_wr_uint(&w, TLS_EXT_SIGNATURE_ALGORITHMS, 2);
    eng_wr_open(&w, 2);
    eng_wr_open(&w, 2);
    for (unsigned i = 0; i < tls_client_nsigalgs; i++) eng_wr_uint(&w, tls_client_sigalgs[i], 2);
    eng_wr_close(&w);
    eng_wr_close(&w);
    if (cfg->offer_ems) {
        eng_wr_uint(&w, TLS_EXT_EXTENDED_MASTER_SECRET, 2);
        eng_wr_uint(&w, 0, 2);
    }
    /* RFC 5746 §3.4: the initial ClientHello carries an empty renegotiation_info (or the
     * SCSV); we send the extension. */
    eng_wr_uint(&w, TLS_EXT_RENEGOTIATION_INFO, 2);
    eng_wr_open(&w, 2);
    eng_wr_uint(&w, 0, 1);
    eng_wr_close(&w);
    eng_wr_close(&w);
    return hs_msg_end(c, &w);
}

/* A list of 16-bit values (<lo..hi> bytes, 2-byte length) must have even length. */
static int even_list(eng_conn *c, eng_rd *d, size_t lo, const char *what, const uint8_t **p,
                     size_t *n)
{
    eng_rd v = eng_rd_vec(d, 2, lo, 65534);
    *n = eng_rd_left(&v);
    *p = eng_rd_bytes(&v, *n);
    REQUIRE(c, !d->err && (*n & 1) == 0, ENG_E_DECODE, "malformed %s list", what);
    return 0;
}

static int has_u16(const uint8_t *p, size_t n, uint16_t v)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        if ((uint16_t)(p[i] << 8 | p[i + 1]) == v) return 1;
    return 0;
}

static int ch_extension(eng_conn *c, ch_info *ch, uint16_t type, eng_rd *d)
{
    const uint8_t *p;
    size_t n;
    switch (type) {
    case TLS_EXT_SERVER_NAME: {
        /* RFC 6066 §3: ServerNameList server_name_list<1..2^16-1>, each entry a name_type
         * and a HostName<1..2^16-1>; at most one name per name_type. */
        eng_rd l = eng_rd_vec(d, 2, 1, 65535);
        while (!l.err && l.p < l.end) {
            uint8_t nt = (uint8_t)eng_rd_uint(&l, 1);
            eng_rd h = eng_rd_vec(&l, 2, 1, 65535);
            if (l.err) break;
            if (nt != TLS_SNI_HOST_NAME) continue;
            REQUIRE(c, !ch->sni, ENG_E_ILLEGAL_PARAM, "server_name lists two host names");
            ch->sni_len = eng_rd_left(&h);
            ch->sni = eng_rd_bytes(&h, ch->sni_len);
        }
        REQUIRE(c, eng_rd_end(&l) == 0, ENG_E_DECODE, "malformed server_name extension");
        break;
    }
    case TLS_EXT_SUPPORTED_GROUPS:
        /* RFC 8422 §5.1.1: NamedGroupList named_group_list<2..2^16-1> */
        GUARD(even_list(c, d, 2, "supported_groups", &p, &n));
        ch->has_groups = 1;
        ch->x25519 = (uint8_t)has_u16(p, n, TLS_GROUP_X25519);
        ch->p256 = (uint8_t)has_u16(p, n, TLS_GROUP_SECP256R1);
        break;
    case TLS_EXT_EC_POINT_FORMATS: {
        /* RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1> */
        eng_rd l = eng_rd_vec(d, 1, 1, 255);
        ch->has_pf = 1;
        while (!l.err && l.p < l.end)
            if (eng_rd_uint(&l, 1) == TLS_PF_UNCOMPRESSED) ch->pf_uncompressed = 1;
        REQUIRE(c, !d->err, ENG_E_DECODE, "malformed ec_point_formats extension");
        break;
    }
    case TLS_EXT_SIGNATURE_ALGORITHMS:
        /* RFC 5246 §7.4.1.4.1: supported_signature_algorithms<2..2^16-2> */
        GUARD(even_list(c, d, 2, "signature_algorithms", &p, &n));
        ch->has_sigalgs = 1;
        ch->sigalgs = p;
        ch->sigalgs_len = n;
        break;
    case TLS_EXT_EXTENDED_MASTER_SECRET:
        /* RFC 7627 §5.1: "The extension_data field of this extension is empty." */
        REQUIRE(c, eng_rd_left(d) == 0, ENG_E_DECODE, "extended_master_secret is not empty");
        ch->ems = 1;
        break;
    case TLS_EXT_RENEGOTIATION_INFO: {
        /* RFC 5746 §3.2: opaque renegotiated_connection<0..255> */
        eng_rd v = eng_rd_vec(d, 1, 0, 255);
        REQUIRE(c, !d->err, ENG_E_DECODE, "malformed renegotiation_info extension");
        ch->reneg_ext = eng_rd_left(&v) ? 2 : 1;
        eng_rd_bytes(&v, eng_rd_left(&v));
        break;
    }
    default:
        /* RFC 5246 §7.4.1.4: a server ignores extensions it does not know */
        eng_rd_bytes(d, eng_rd_left(d));
        break;
    }
    REQUIRE(c, eng_rd_end(d) == 0, ENG_E_DECODE, "extension %u has trailing bytes", type);
    return 0;
}

/* see eng_internal.h */
int msg_parse_client_hello(eng_conn *c, const uint8_t *p, size_t n, ch_info *ch)
{
    memset(ch, 0, sizeof *ch);
    eng_rd r = eng_rd_init(p, n);
    /* RFC 5246 §7.4.1.2: client_version, random, SessionID session_id<0..32>, CipherSuite
     * cipher_suites<2..2^16-2>, CompressionMethod compression_methods<1..2^8-1> */
    ch->version = (uint16_t)eng_rd_uint(&r, 2);
    ch->random = eng_rd_bytes(&r, TLS_RANDOM_LEN);
    eng_rd sid = eng_rd_vec(&r, 1, 0, TLS_SESSION_ID_MAX);
    eng_rd_bytes(&sid, eng_rd_left(&sid));
    eng_rd cs = eng_rd_vec(&r, 2, 2, 65534);
    ch->suites_len = eng_rd_left(&cs);
    ch->suites = eng_rd_bytes(&cs, ch->suites_len);
    eng_rd cm = eng_rd_vec(&r, 1, 1, 255);
    int null_comp = 0;
    while (!cm.err && cm.p < cm.end) null_comp |= eng_rd_uint(&cm, 1) == TLS_COMP_NULL;
    REQUIRE(c, !r.err, ENG_E_DECODE, "truncated or malformed ClientHello");
    REQUIRE(c, (ch->suites_len & 1) == 0, ENG_E_DECODE, "odd cipher_suites length %zu",
            ch->suites_len);
    /* RFC 5246 §7.4.1.2: the list MUST contain the null method */
    REQUIRE(c, null_comp, ENG_E_ILLEGAL_PARAM, "compression_methods lacks null");

    /* RFC 5246 §7.4.1.2: extensions are present iff bytes follow compression_methods */
    if (eng_rd_left(&r) > 0) {
        eng_rd ex = eng_rd_vec(&r, 2, 0, 65535);
        REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "malformed extensions block");
        /* RFC 5246 §7.4.1.4: "There MUST NOT be more than one extension of the same type."
         * One bit per possible type: no quadratic scan, whatever the peer sends. */
        uint64_t seen[65536 / 64];
        memset(seen, 0, sizeof seen);
        while (!ex.err && ex.p < ex.end) {
            uint16_t type = (uint16_t)eng_rd_uint(&ex, 2);
            eng_rd d = eng_rd_vec(&ex, 2, 0, 65535);
            if (ex.err) break;
            REQUIRE(c, !(seen[type >> 6] >> (type & 63) & 1), ENG_E_DECODE,
                    "duplicate extension %u", type);
            seen[type >> 6] |= (uint64_t)1 << (type & 63);
            GUARD(ch_extension(c, ch, type, &d));
        }
        REQUIRE(c, eng_rd_end(&ex) == 0, ENG_E_DECODE, "malformed extension list");
    }
    REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "trailing bytes after ClientHello");

    ch->scsv_reneg = (uint8_t)has_u16(ch->suites, ch->suites_len, TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    ch->scsv_fallback = (uint8_t)has_u16(ch->suites, ch->suites_len, TLS_FALLBACK_SCSV);
    return 0;
}

/* see eng_internal.h */
int msg_build_server_hello(eng_conn *c, int echo_pf, int echo_sni)
{
    eng_wr w;
    hs_msg_begin(c, &w, TLS_HS_SERVER_HELLO);
    eng_wr_uint(&w, TLS_V12, 2);
    eng_wr_bytes(&w, c->sr, TLS_RANDOM_LEN);
    eng_wr_uint(&w, 0, 1); /* empty session_id: this session cannot be resumed (§7.4.1.3) */
    eng_wr_uint(&w, c->suite->id, 2);
    eng_wr_uint(&w, TLS_COMP_NULL, 1);
    size_t before = w.len;
    eng_wr_open(&w, 2);
    if (c->secure_reneg) { /* RFC 5746 §3.6: empty renegotiation_info in the initial hello */
        eng_wr_uint(&w, TLS_EXT_RENEGOTIATION_INFO, 2);
        eng_wr_open(&w, 2);
        eng_wr_uint(&w, 0, 1);
        eng_wr_close(&w);
    }
    if (c->ems) { /* RFC 7627 §5.2: echo the empty extension */
        eng_wr_uint(&w, TLS_EXT_EXTENDED_MASTER_SECRET, 2);
        eng_wr_uint(&w, 0, 2);
    }
    if (echo_pf && c->suite->kx != KX_RSA) { /* RFC 8422 §5.2 */
        put_ec_point_formats(&w);
    }
    if (echo_sni) { /* RFC 6066 §3: the name was used; the extension_data is empty */
        eng_wr_uint(&w, TLS_EXT_SERVER_NAME, 2);
        eng_wr_uint(&w, 0, 2);
    }
    eng_wr_close(&w);
    if (!w.err && w.len == before + 2) w.len = before; /* no extensions: omit the block */
    return hs_msg_end(c, &w);
}

/* Bit per extension type we may have sent, for the ServerHello checks. */
enum { SX_SNI = 1, SX_PF = 2, SX_EMS = 4, SX_RENEG = 8, SX_GROUPS = 16 };

static unsigned sx_bit(uint16_t type)
{
    switch (type) {
    case TLS_EXT_SERVER_NAME: return SX_SNI;
    case TLS_EXT_EC_POINT_FORMATS: return SX_PF;
    case TLS_EXT_EXTENDED_MASTER_SECRET: return SX_EMS;
    case TLS_EXT_RENEGOTIATION_INFO: return SX_RENEG;
    case TLS_EXT_SUPPORTED_GROUPS: return SX_GROUPS;
    default: return 0;
    }
}

/* see eng_internal.h */
int msg_parse_server_hello(eng_conn *c, const uint8_t *p, size_t n)
{
    const eng_cfg *cfg = c->cfg;
    eng_rd r = eng_rd_init(p, n);
    /* RFC 5246 §7.4.1.3 */
    uint16_t version = (uint16_t)eng_rd_uint(&r, 2);
    const uint8_t *random = eng_rd_bytes(&r, TLS_RANDOM_LEN);
    eng_rd sid = eng_rd_vec(&r, 1, 0, TLS_SESSION_ID_MAX);
    eng_rd_bytes(&sid, eng_rd_left(&sid));
    uint16_t suite = (uint16_t)eng_rd_uint(&r, 2);
    uint8_t comp = (uint8_t)eng_rd_uint(&r, 1);
    eng_rd ex = eng_rd_init(p, 0);
    if (eng_rd_left(&r) > 0) ex = eng_rd_vec(&r, 2, 0, 65535);
    REQUIRE(c, eng_rd_end(&r) == 0, ENG_E_DECODE, "truncated or malformed ServerHello");

    /* RFC 5246 Appendix E.1: we offered only TLS 1.2 */
    REQUIRE(c, version == TLS_V12, ENG_E_VERSION, "server chose version 0x%04x", version);
    /* RFC 5246 §7.4.1.3: the suite must come from our list */
    int offered = 0;
    for (unsigned i = 0; i < cfg->nsuites; i++) offered |= cfg->suites[i] == suite;
    REQUIRE(c, offered, ENG_E_ILLEGAL_PARAM, "server chose suite 0x%04x, which we did not offer",
            suite);
    REQUIRE(c, comp == TLS_COMP_NULL, ENG_E_ILLEGAL_PARAM, "server chose compression %u", comp);
    c->suite = tls_suite_by_id(suite);

    unsigned sent = SX_RENEG | (cfg->offer_ems ? SX_EMS : 0) |
                    (sni_allowed(c->servername) ? SX_SNI : 0) |
                    (offers_ecdhe(cfg) ? SX_PF | SX_GROUPS : 0);
    unsigned seen = 0;
    int ems = 0, reneg = 0;
    while (!ex.err && ex.p < ex.end) {
        uint16_t type = (uint16_t)eng_rd_uint(&ex, 2);
        eng_rd d = eng_rd_vec(&ex, 2, 0, 65535);
        if (ex.err) break;
        unsigned bit = sx_bit(type);
        /* RFC 5246 §7.4.1.4: only extensions we sent may come back; RFC 5246 §7.4.1.4.1:
         * servers MUST NOT send signature_algorithms. */
        REQUIRE(c, bit & sent, ENG_E_ALERT(ALERT_UNSUPPORTED_EXTENSION),
                "server sent extension %u, which we did not offer", type);
        REQUIRE(c, !(seen & bit), ENG_E_DECODE, "duplicate extension %u", type);
        seen |= bit;
        switch (type) {
        case TLS_EXT_SERVER_NAME: /* RFC 6066 §3: empty in the ServerHello */
        case TLS_EXT_EXTENDED_MASTER_SECRET: /* RFC 7627 §5.1: empty */
            REQUIRE(c, eng_rd_left(&d) == 0, ENG_E_DECODE, "extension %u is not empty", type);
            ems |= type == TLS_EXT_EXTENDED_MASTER_SECRET;
            break;
        case TLS_EXT_EC_POINT_FORMATS: {
            /* RFC 8422 §5.2: the server's list; it must let us use uncompressed points */
            eng_rd l = eng_rd_vec(&d, 1, 1, 255);
            int unc = 0;
            while (!l.err && l.p < l.end) unc |= eng_rd_uint(&l, 1) == TLS_PF_UNCOMPRESSED;
            REQUIRE(c, !d.err, ENG_E_DECODE, "malformed ec_point_formats");
            REQUIRE(c, unc, ENG_E_ILLEGAL_PARAM, "server's ec_point_formats lacks uncompressed");
            break;
        }
        case TLS_EXT_RENEGOTIATION_INFO: {
            /* RFC 5746 §3.4: renegotiated_connection must be empty, else handshake_failure */
            eng_rd v = eng_rd_vec(&d, 1, 0, 255);
            REQUIRE(c, !d.err, ENG_E_DECODE, "malformed renegotiation_info");
            REQUIRE(c, eng_rd_left(&v) == 0, ENG_E_HS_FAILURE,
                    "non-empty renegotiation_info in the initial ServerHello");
            reneg = 1;
            break;
        }
        default: /* supported_groups: not defined for servers in TLS 1.2; tolerated, ignored */
            eng_rd_bytes(&d, eng_rd_left(&d));
            break;
        }
        REQUIRE(c, eng_rd_end(&d) == 0, ENG_E_DECODE, "extension %u has trailing bytes", type);
    }
    REQUIRE(c, eng_rd_end(&ex) == 0, ENG_E_DECODE, "malformed ServerHello extensions");

    memcpy(c->sr, random, TLS_RANDOM_LEN);
    c->ems = (uint8_t)ems;
    c->secure_reneg = (uint8_t)reneg;
    /* RFC 7627 §5.2: a client MAY abort when the server does not negotiate EMS; we do when
     * configured to require it (eng_cfg_set_require_ems), else fall back to the RFC 5246
     * master secret. */
    REQUIRE(c, ems || !cfg->require_ems, ENG_E_HS_FAILURE,
            "server did not negotiate extended_master_secret");
    return 0;
}
