/* ct.c — see ct.h */
#include "ct.h"

#include <string.h>

/* see ct.h */
uint32_t ct_memeq(const void *a, const void *b, size_t n)
{
    const volatile uint8_t *x = a, *y = b;
    uint32_t d = 0;
    for (size_t i = 0; i < n; i++) d |= (uint32_t)(x[i] ^ y[i]);
    return 1 ^ ct_nz32(d);
}

/* see ct.h */
void ct_memcpy_if(uint32_t c, void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    uint8_t m = (uint8_t)(0u - c);
    for (size_t i = 0; i < n; i++) d[i] = (uint8_t)(d[i] ^ (m & (d[i] ^ s[i])));
}

/* see ct.h */
void ct_wipe(void *p, size_t n)
{
    if (n) explicit_bzero(p, n);
}

/* see ct.h. Not inlined, so the buffer lies where the caller's callees had their frames. */
__attribute__((noinline)) void ct_wipe_stack(void)
{
    uint8_t buf[CT_STACK_WIPE];
    explicit_bzero(buf, sizeof buf);
}
