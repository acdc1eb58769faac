/* cd_select.c — implementation tables (best first) and selection. Adding a kernel = one line
 * here plus its file; the Makefile gives engine/..._avx2.c and ..._avx512ifma.c their -m flags. */
#include <string.h>

#include "cd.h"

extern const cd_x25519 cd_x25519_scalar, cd_x25519_avx2;
extern const cd_p256 cd_p256_scalar, cd_p256_avx2;

const cd_x25519 *const cd_x25519_impls[] = {
    &cd_x25519_avx2, &cd_x25519_scalar,
};
const unsigned cd_x25519_nimpls = sizeof cd_x25519_impls / sizeof *cd_x25519_impls;

const cd_p256 *const cd_p256_impls[] = {
    &cd_p256_avx2, /* keygen, derive, sign: 4 lanes; verify: 4 lanes for 3-4 signatures, the
                    * one-lane BMI2/ADX code (p256_verify_mulx.c) for 1-2 (needs within AVX2's) */
    &cd_p256_scalar,
};
const unsigned cd_p256_nimpls = sizeof cd_p256_impls / sizeof *cd_p256_impls;

/* Exact tier first; else the best kernel whose needs fit inside the forced tier's. */
#define SELECT(impls, nimpls)                                                                      \
    uint64_t cap = ~(uint64_t)0;                                                                   \
    if (force) {                                                                                   \
        if (cd_isa_needs(force, &cap) != 0) return NULL;                                           \
        for (unsigned i = 0; i < (nimpls); i++)                                                    \
            if (strcmp(force, (impls)[i]->name) == 0)                                              \
                return ((impls)[i]->needs & ~have) == 0 ? (impls)[i] : NULL;                       \
    }                                                                                              \
    for (unsigned i = 0; i < (nimpls); i++)                                                        \
        if (((impls)[i]->needs & ~(have & cap)) == 0) return (impls)[i];                           \
    return NULL

/* see cd.h */
const cd_x25519 *cd_x25519_select(uint64_t have, const char *force)
{
    SELECT(cd_x25519_impls, cd_x25519_nimpls);
}

/* see cd.h */
const cd_p256 *cd_p256_select(uint64_t have, const char *force)
{
    SELECT(cd_p256_impls, cd_p256_nimpls);
}
