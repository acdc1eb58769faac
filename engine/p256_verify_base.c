/* p256_verify_base.c — ECDSA P-256 verification (p256_verify_impl.h) over the baseline x86-64
 * field code of p256_fe_mont64.h: p256_verify_base, the verify of cd_p256_scalar. */
#include "p256_fe_mont64.h"

#define P256_VERIFY_FN p256_verify_base
#include "p256_verify_impl.h"
