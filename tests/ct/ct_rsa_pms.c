/* ct_rsa_pms.c — the RFC 5246 §7.4.7.1 premaster selection (engine/rsa_pms_ct.c) with the
 * decrypted block marked secret: memcheck reports any branch or index that depends on it, i.e.
 * a Bleichenbacher-style padding oracle in our own code. The raw RSA operation itself is
 * libcrypto's (blinded, constant-time modexp) and is not run here. */
#include <string.h>

#include "ct.h"
#include "rsa_pms.h"
#include "th.h"

#define K 256

/* builds a well-formed block, then applies one defect (0 = none) */
static void make_em(uint8_t em[K], int defect)
{
    em[0] = 0;
    em[1] = 2;
    for (size_t i = 2; i < K - 49; i++) em[i] = (uint8_t)(0x5a + i % 100);
    em[K - 49] = 0;
    for (size_t i = 0; i < 48; i++) em[K - 48 + i] = (uint8_t)(0xa0 + i);
    em[K - 48] = 3;
    em[K - 47] = 3;
    switch (defect) {
    case 1: em[1] = 1; break;          /* block type 1 */
    case 2: em[5] = 0; break;          /* zero inside PS */
    case 3: em[K - 49] = 7; break;     /* no separator where a 48-byte M needs it */
    case 4: em[K - 47] = 1; break;     /* client_version 0x0301 */
    case 5: em[0] = 1; break;
    }
}

static void t_select(void)
{
    uint8_t rnd[48], pms[48], em[K];
    memset(rnd, 0xee, sizeof rnd);
    for (int defect = 0; defect <= 5; defect++) {
        make_em(em, defect);
        CT_SECRET(em, sizeof em);
        rsa_pms_select(em, K, 0x0303, rnd, pms);
        CT_PUBLIC(pms, sizeof pms);
        CT_PUBLIC(em, sizeof em);
        if (defect == 0)
            CHECK_MEM(pms, em + K - 48, 48);
        else
            CHECKF(memcmp(pms, rnd, 48) == 0, "defect %d: premaster is not R", defect);
    }
}

int main(void)
{
    th_case("rsa_pms_select_secret_block", t_select);
    return th_done();
}
