/* test_hs_table.c — walks the handshake table (engine/hs_table.c): every entry has a handler
 * for both roles, the record/handshake types match RFC 5246, each sequence starts with the
 * ClientHello and ends in application data, the RSA sequence is the ECDHE one without the
 * ServerKeyExchange, and client and server see mirror images (what one writes, the other
 * reads, in the same order). */
#include <string.h>

#include "eng_internal.h"
#include "th.h"

static void t_entries(void)
{
    for (int i = 0; i < HS_MSG_COUNT; i++) {
        const struct hs_action *a = &hs_actions[i];
        CHECKF(a->name && a->name[0], "entry %d has no name", i);
        CHECKF(a->fn[ENG_SERVER] && a->fn[ENG_CLIENT], "entry %s lacks a handler", a->name);
        CHECKF(a->writer == ENG_SERVER || a->writer == ENG_CLIENT || a->writer == HS_WRITER_BOTH,
               "entry %s: writer %d", a->name, a->writer);
        CHECKF(a->rec >= 20 && a->rec <= 23, "entry %s: record type %d", a->name, a->rec);
        if (a->rec == TLS_CT_HANDSHAKE)
            CHECKF(a->type != 0, "entry %s: handshake type 0 is HelloRequest", a->name);
        /* a writer's entry uses a different function for each role (send vs receive),
         * except the final shared step */
        if (a->writer != HS_WRITER_BOTH)
            CHECKF(a->fn[ENG_SERVER] != a->fn[ENG_CLIENT], "entry %s: same fn both roles",
                   a->name);
    }
    CHECK_EQ(hs_actions[HS_CH].type, TLS_HS_CLIENT_HELLO);
    CHECK_EQ(hs_actions[HS_SH].type, TLS_HS_SERVER_HELLO);
    CHECK_EQ(hs_actions[HS_SCERT].type, TLS_HS_CERTIFICATE);
    CHECK_EQ(hs_actions[HS_SKE].type, TLS_HS_SERVER_KEY_EXCHANGE);
    CHECK_EQ(hs_actions[HS_SHD].type, TLS_HS_SERVER_HELLO_DONE);
    CHECK_EQ(hs_actions[HS_CKE].type, TLS_HS_CLIENT_KEY_EXCHANGE);
    CHECK_EQ(hs_actions[HS_CFIN].type, TLS_HS_FINISHED);
    CHECK_EQ(hs_actions[HS_SFIN].type, TLS_HS_FINISHED);
    CHECK_EQ(hs_actions[HS_CCCS].rec, TLS_CT_CHANGE_CIPHER_SPEC);
    CHECK_EQ(hs_actions[HS_SCCS].rec, TLS_CT_CHANGE_CIPHER_SPEC);
    CHECK_EQ(hs_actions[HS_CCCS].writer, ENG_CLIENT);
    CHECK_EQ(hs_actions[HS_SCCS].writer, ENG_SERVER);
}

/* What role r does at each step: 'W' write, 'R' read, 'B' both (final). */
static void roles(const uint8_t *seq, unsigned n, eng_role r, char *out)
{
    for (unsigned i = 0; i < n; i++) {
        const struct hs_action *a = &hs_actions[seq[i]];
        out[i] = a->writer == HS_WRITER_BOTH ? 'B' : a->writer == (uint8_t)r ? 'W' : 'R';
    }
    out[n] = 0;
}

static void check_seq(const char *name, const uint8_t *seq, unsigned n)
{
    CHECKF(n >= 2 && seq[0] == HS_CH && seq[n - 1] == HS_APP, "%s: bounds", name);
    for (unsigned i = 0; i < n; i++) {
        CHECKF(seq[i] < HS_MSG_COUNT, "%s[%u] out of range", name, i);
        for (unsigned j = 0; j < i; j++)
            CHECKF(seq[i] != seq[j], "%s: step %u repeated", name, seq[i]);
    }
    char s[32], c[32];
    roles(seq, n, ENG_SERVER, s);
    roles(seq, n, ENG_CLIENT, c);
    /* mirror: at every step exactly one side writes and the other reads */
    for (unsigned i = 0; i < n; i++) {
        if (s[i] == 'B') {
            CHECKF(c[i] == 'B' && i == n - 1, "%s: shared step not last", name);
            continue;
        }
        CHECKF((s[i] == 'W' && c[i] == 'R') || (s[i] == 'R' && c[i] == 'W'),
               "%s step %u (%s): server %c client %c", name, i, hs_actions[seq[i]].name, s[i],
               c[i]);
    }
    /* each side's ChangeCipherSpec comes right before its Finished (RFC 5246 §7.3) */
    for (unsigned i = 0; i + 1 < n; i++) {
        const struct hs_action *a = &hs_actions[seq[i]];
        if (a->rec == TLS_CT_CHANGE_CIPHER_SPEC) {
            const struct hs_action *b = &hs_actions[seq[i + 1]];
            CHECKF(b->type == TLS_HS_FINISHED && b->writer == a->writer,
                   "%s: CCS not followed by the same side's Finished", name);
        }
    }
    th_note("%s: server %s, client %s", name, s, c);
}

static void t_sequences(void)
{
    check_seq("ecdhe", hs_seq_ecdhe, hs_seq_ecdhe_len);
    check_seq("rsa", hs_seq_rsa, hs_seq_rsa_len);
    /* RSA = ECDHE minus ServerKeyExchange (RFC 5246 §7.4.3) */
    CHECK_EQ(hs_seq_ecdhe_len, hs_seq_rsa_len + 1);
    unsigned j = 0;
    for (unsigned i = 0; i < hs_seq_ecdhe_len; i++) {
        if (hs_seq_ecdhe[i] == HS_SKE) continue;
        CHECKF(j < hs_seq_rsa_len && hs_seq_rsa[j] == hs_seq_ecdhe[i], "rsa step %u", j);
        j++;
    }
    /* the two share their first steps, since the choice is made at ServerHello */
    for (unsigned i = 0; i <= 2; i++) CHECK_EQ(hs_seq_rsa[i], hs_seq_ecdhe[i]);
    /* RFC 5246 §7.3 order of the ECDHE flow */
    static const uint8_t want[] = {HS_CH,  HS_SH,   HS_SCERT, HS_SKE,  HS_CREQ, HS_SHD, HS_CCERT,
                                   HS_CKE, HS_CCCS, HS_CFIN,  HS_SCCS, HS_SFIN, HS_APP};
    CHECK_EQ(hs_seq_ecdhe_len, sizeof want);
    CHECK_MEM(hs_seq_ecdhe, want, sizeof want);
    /* the optional steps: CertificateRequest only if the server sends it (RFC 5246 §7.4.4; we
     * never do), the client's (empty) Certificate only after one (§7.4.6) */
    CHECK_EQ(hs_actions[HS_CREQ].opt, HS_OPT_IF_SENT);
    CHECK_EQ(hs_actions[HS_CREQ].writer, ENG_SERVER);
    CHECK_EQ(hs_actions[HS_CREQ].type, TLS_HS_CERTIFICATE_REQUEST);
    CHECK_EQ(hs_actions[HS_CCERT].opt, HS_OPT_IF_ASKED);
    CHECK_EQ(hs_actions[HS_CCERT].writer, ENG_CLIENT);
    CHECK_EQ(hs_actions[HS_CCERT].type, TLS_HS_CERTIFICATE);
    for (int i = 0; i < HS_MSG_COUNT; i++)
        if (i != HS_CREQ && i != HS_CCERT)
            CHECKF(hs_actions[i].opt == HS_OPT_NEVER, "%s is optional", hs_actions[i].name);
}

int main(void)
{
    th_case("table_entries", t_entries);
    th_case("sequences_mirror", t_sequences);
    return th_done();
}
