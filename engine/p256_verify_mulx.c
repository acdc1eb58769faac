/* p256_verify_mulx.c — ECDSA P-256 verification (p256_verify_impl.h) over the BMI2/ADX field
 * code of p256_fe_mulx.h: p256_verify_mulx, which the AVX2 table runs for one or two
 * signatures (cd_select.c, p256_x4_avx2.c). */
#include "p256_fe_mulx.h"

#define P256_VERIFY_FN p256_verify_mulx
#include "p256_verify_impl.h"
