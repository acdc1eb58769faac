/* th.h — the test harness used by every tests/unit/test_*.c.
 *
 * A test binary registers cases with th_case(); a case passes when none of its CHECKs failed.
 * th_done() prints "RESULT: P passed, F failed, S skipped" (tests/run.sh adds these up) and
 * returns the exit status. Cases that cannot run (missing ISA, missing vectors) call th_skip()
 * with the reason, which is printed. */
#ifndef MBSHAKE_TH_H
#define MBSHAKE_TH_H

#include <stddef.h>
#include <stdint.h>

void th_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void th_case(const char *name, void (*fn)(void));
void th_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void th_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int th_done(void);

/* Vector files live in ../shared/vectors/wycheproof (relative to the repository root);
 * MBSHAKE_VECTORS overrides. Returns NULL (and the case should th_skip) when absent. */
const char *th_vectors_dir(void);
/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL on failure. */
char *th_read_file(const char *path, size_t *len);
/* Wycheproof: parses th_vectors_dir()/file with jansson. Returns the root (json_decref it), or
 * NULL after th_skip() with the reason when the directory or the file is missing or unreadable. */
struct json_t *th_wycheproof(const char *file);
/* The string member k of a JSON object, "" when absent or not a string. */
const char *th_jstr(const struct json_t *o, const char *k);
/* Hex helpers: returns decoded length, or -1 on bad hex / overflow. */
long th_unhex(const char *hex, uint8_t *out, size_t cap);
/* Decodes a hex constant of exactly n bytes; anything else fails the current case. */
void th_unhex_n(const char *hex, uint8_t *out, size_t n);
void th_hexdump(const char *label, const uint8_t *p, size_t n);

/* Deterministic randomness (splitmix64), one stream per test binary from a fixed seed, so that a
 * failure replays. Not thread-safe: one thread at a time. */
void th_rnd_seed(uint64_t seed);
uint64_t th_rnd64(void);
void th_rnd_bytes(uint8_t *p, size_t n);
size_t th_rnd_below(size_t n); /* n > 0; the modulo bias is irrelevant for tests */

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) th_fail(__FILE__, __LINE__, "%s", #c);                                           \
    } while (0)
#define CHECKF(c, ...)                                                                             \
    do {                                                                                           \
        if (!(c)) th_fail(__FILE__, __LINE__, __VA_ARGS__);                                        \
    } while (0)
#define CHECK_MEM(a, b, n)                                                                         \
    do {                                                                                           \
        if (memcmp((a), (b), (n)) != 0) {                                                          \
            th_fail(__FILE__, __LINE__, "memcmp(%s, %s, %zu) != 0", #a, #b, (size_t)(n));          \
            th_hexdump("  got ", (const uint8_t *)(a), (n));                                       \
            th_hexdump("  want", (const uint8_t *)(b), (n));                                       \
        }                                                                                          \
    } while (0)
#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long a_ = (long long)(a), b_ = (long long)(b);                                        \
        if (a_ != b_) th_fail(__FILE__, __LINE__, "%s == %lld, want %s == %lld", #a, a_, #b, b_);  \
    } while (0)

#endif
