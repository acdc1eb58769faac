/* ct.h — constant-time helpers. Results are 0/1 or all-ones masks; never branch or index on
 * secret data. ct_wipe cannot be optimised away. */
#ifndef MBSHAKE_CT_H
#define MBSHAKE_CT_H

#include <stddef.h>
#include <stdint.h>

/* 1 if x == y else 0 */
static inline uint32_t ct_eq32(uint32_t x, uint32_t y)
{
    uint32_t q = x ^ y;
    return 1 ^ ((q | (0u - q)) >> 31);
}
/* 1 if x != 0 else 0 */
static inline uint32_t ct_nz32(uint32_t x) { return (x | (0u - x)) >> 31; }
/* 1 if x < y (unsigned) else 0 */
static inline uint32_t ct_lt32(uint32_t x, uint32_t y)
{
    return (uint32_t)(((uint64_t)x - (uint64_t)y) >> 63);
}
static inline uint64_t ct_nz64(uint64_t x) { return (x | (0u - x)) >> 63; }
/* c (0/1) ? x : y */
static inline uint32_t ct_mux32(uint32_t c, uint32_t x, uint32_t y) { return y ^ ((0u - c) & (x ^ y)); }
static inline uint64_t ct_mux64(uint64_t c, uint64_t x, uint64_t y) { return y ^ ((0u - c) & (x ^ y)); }

/* 1 if equal, 0 otherwise; time depends only on n. */
uint32_t ct_memeq(const void *a, const void *b, size_t n);
/* dst = c ? src : dst, byte-wise, c in {0,1}. */
void ct_memcpy_if(uint32_t c, void *dst, const void *src, size_t n);
/* Zeroes n bytes in a way the compiler cannot drop. */
void ct_wipe(void *p, size_t n);
/* Zeroes CT_STACK_WIPE bytes of stack below the caller's frame, where the frames of the
 * functions it called lay: their temporaries (point formulas, field arithmetic) are dead but
 * still in memory, and no ct_wipe can name them. Called at the end of secret scalar
 * multiplications. */
#define CT_STACK_WIPE 4096
void ct_wipe_stack(void);

#endif
