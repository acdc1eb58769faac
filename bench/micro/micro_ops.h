/* micro_ops.h — the C side of the Google Benchmark micro suite. The C++ driver (micro.cc) only
 * sees this header: it lists the rows, sets each one up, calls micro_run() in the timed loop and
 * frees it. The kernels, ipsec-mb and the OpenSSL reference calls all stay in C. Plain C types
 * only, because engine/cd.h is not C++ (_Alignas). */
#ifndef MBSHAKE_MICRO_OPS_H
#define MBSHAKE_MICRO_OPS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum micro_kind {
    MK_X25519_KEYGEN,
    MK_X25519_DERIVE,
    MK_P256_KEYGEN,
    MK_P256_ECDH,
    MK_ECDSA_SIGN,
    MK_ECDSA_VERIFY,
    MK_SHA256_64B,
    MK_HMAC_SHA256_64B,
    MK_AES128GCM_SEAL_1KIB,
    MK_AES128GCM_OPEN_1KIB,
    MK_PRF_SHA256_MS,    /* TLS 1.2 master secret: PRF-SHA256, 48 bytes */
    MK_ECDSA_VERIFY_TAB, /* verify with a per-key table (cd_p256.verify_tab), one key */
};

/* One benchmark row: "primitive/impl/lanes", where lanes is the batch size of one call. */
typedef struct micro_row {
    char name[64];
    enum micro_kind kind;
    unsigned n;       /* operations per micro_run() call (the batch size) */
    const void *impl; /* const cd_x25519 * or const cd_p256 *; NULL for ipsecmb / openssl rows */
    int openssl;      /* 1: the OpenSSL libcrypto reference */
} micro_row;

/* Fills up to cap rows (every implementation this CPU supports, every batch size 1..lanes, plus
 * ipsec-mb and OpenSSL rows) and returns how many there are in all. Implementations this CPU
 * cannot run are listed on stderr as UNAVAILABLE. */
size_t micro_rows(micro_row *rows, size_t cap);

/* Prepares inputs (valid keys, signatures) and checks the implementation once against the
 * scalar one or the expected result. NULL on failure, with a reason in err. */
void *micro_setup(const micro_row *r, char *err, size_t errcap);
/* One call: r->n operations. 0, or -1 when an operation failed (a lane reported failure). */
int micro_run(void *state);
void micro_free(void *state);

/* For the benchmark context: the ipsec-mb manager's arch, and the CPU features. */
const char *micro_ipsecmb_arch(void);
const char *micro_cpu_features(char *buf, size_t cap);
/* Time stamp counter (invariant TSC on the target machines), for cycles per operation. */
unsigned long long micro_tsc(void);

#ifdef __cplusplus
}
#endif
#endif
