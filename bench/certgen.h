/* certgen.h — the benchmark's own throw-away PKI, made in-process with libcrypto: an EC P-256
 * root, an EC P-256 intermediate, and leaf certificates for "localhost" / 127.0.0.1 with EC
 * P-256 or RSA keys, written as PEM files into a private temporary directory (the engine's
 * configuration API takes file names). Same shape as tests/gen-certs.sh. */
#ifndef MBSHAKE_CERTGEN_H
#define MBSHAKE_CERTGEN_H

#include <stddef.h>

typedef struct certgen certgen;

/* Creates the directory and the root + intermediate. NULL + err on failure. */
certgen *certgen_new(char *err, size_t errlen);
/* Makes (once) the leaf of kind "ecdsa-p256", "rsa2048", "rsa3072" or "rsa4096" and returns
 * the paths of its chain file (leaf + intermediate) and key. 0, or -1 + err. */
int certgen_leaf(certgen *g, const char *kind, const char **chain_file, const char **key_file,
                 char *err, size_t errlen);
const char *certgen_ca_file(const certgen *g);
/* Removes every file and the directory. */
void certgen_free(certgen *g);

#endif
