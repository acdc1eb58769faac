/* rsa_pms_ct.c — see rsa_pms.h. Every byte of em is read at a fixed position and folded into
 * one 0/1 flag with ct.h masks; the only use of the flag is ct_memcpy_if, so timing and memory
 * accesses are the same for every em of a given length (Bleichenbacher 1998; RFC 5246
 * §7.4.7.1: "it is critical that ... the server not distinguish between these cases"). */
#include "rsa_pms.h"

#include <string.h>

#include "ct.h"

/* see rsa_pms.h */
void rsa_pms_select(const uint8_t *em, size_t k, uint16_t client_version, const uint8_t rnd[48],
                    uint8_t pms[48])
{
    memcpy(pms, rnd, 48);
    if (k < 11 + 48) return; /* public: no room for a 48-byte message with 8 bytes of PS */

    /* RFC 8017 §7.2.2 step 3: EM = 0x00 || 0x02 || PS || 0x00 || M. With |M| fixed at 48 by
     * RFC 5246 §7.4.7.1, the separator position is known in advance (k-49), so every PS byte
     * must be nonzero and |PS| = k-51 >= 8 holds by the length check above. */
    uint32_t good = ct_eq32(em[0], 0x00) & ct_eq32(em[1], 0x02);
    uint32_t zero_in_ps = 0;
    for (size_t i = 2; i < k - 49; i++) zero_in_ps |= ct_eq32(em[i], 0);
    good &= 1 ^ zero_in_ps;
    good &= ct_eq32(em[k - 49], 0x00);
    /* RFC 5246 §7.4.7.1: PreMasterSecret.client_version must be ClientHello.client_version
     * (version-rollback protection); a mismatch is treated exactly like bad padding. */
    good &= ct_eq32(em[k - 48], (uint32_t)(client_version >> 8));
    good &= ct_eq32(em[k - 47], (uint32_t)(client_version & 0xff));
    ct_memcpy_if(good, pms, em + k - 48, 48);
}
