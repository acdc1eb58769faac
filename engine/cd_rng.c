/* cd_rng.c — randomness from the kernel CSPRNG via getrandom(2). No user-space pool: nothing to
 * reseed after fork and no state to protect. A failure here would mean predictable keys, so it
 * aborts rather than returning an error that a caller might ignore. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cd.h"

/* see cd.h */
void cd_random(void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n > 0) {
        /* getrandom(2) returns at most 33554431 bytes per call and may return fewer when a
         * signal arrives after 256 bytes; blocks only until the pool is first initialised. */
        ssize_t r = getrandom(p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            fprintf(stderr, "mbshake: getrandom(2) failed: %s; refusing to continue without a "
                            "secure random source\n", strerror(errno));
            abort();
        }
        p += r;
        n -= (size_t)r;
    }
}
