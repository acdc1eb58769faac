/* th.c — see th.h */
#include "th.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int n_pass, n_fail, n_skip;
static int cur_fails, cur_skipped;
static const char *cur_name = "?";

void th_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (cur_fails < 20) {
        fprintf(stdout, "  FAIL [%s] %s:%d: ", cur_name, file, line);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
    }
    cur_fails++;
}

void th_skip(const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "  SKIPPED [%s]: ", cur_name);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    cur_skipped = 1;
}

void th_note(const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "  [%s] ", cur_name);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void th_case(const char *name, void (*fn)(void))
{
    cur_name = name;
    cur_fails = 0;
    cur_skipped = 0;
    fn();
    if (cur_fails) {
        n_fail++;
        printf("not ok %s (%d failed checks)\n", name, cur_fails);
    } else if (cur_skipped) {
        n_skip++;
    } else {
        n_pass++;
        printf("ok %s\n", name);
    }
    fflush(stdout);
}

int th_done(void)
{
    printf("RESULT: %d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
    return n_fail ? 1 : 0;
}

const char *th_vectors_dir(void)
{
    static char buf[4096];
    struct stat st;
    const char *env = getenv("MBSHAKE_VECTORS");
    const char *cands[] = {env, "../shared/vectors/wycheproof", "../../shared/vectors/wycheproof"};
    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++) {
        if (cands[i] && stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(buf, sizeof buf, "%s", cands[i]);
            return buf;
        }
    }
    return NULL;
}

char *th_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
    fclose(f);
    if (p) { p[n] = 0; if (len) *len = (size_t)n; }
    return p;
}

json_t *th_wycheproof(const char *file)
{
    const char *dir = th_vectors_dir();
    if (!dir) {
        th_skip("Wycheproof vectors not found (../shared/vectors/wycheproof or MBSHAKE_VECTORS)");
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) th_skip("%s: %s (line %d)", path, err.text, err.line);
    return root;
}

const char *th_jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long th_unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);
        if (h < 0 || l < 0) return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return (long)(n / 2);
}

void th_unhex_n(const char *hex, uint8_t *out, size_t n)
{
    if (th_unhex(hex, out, n) != (long)n) th_fail(__FILE__, __LINE__, "bad hex constant %s", hex);
}

void th_hexdump(const char *label, const uint8_t *p, size_t n)
{
    printf("%s ", label);
    for (size_t i = 0; i < n && i < 96; i++) printf("%02x", p[i]);
    printf(n > 96 ? "...\n" : "\n");
}

static uint64_t rnd_state = 0x6d627368616b6533ull;

void th_rnd_seed(uint64_t seed)
{
    rnd_state = seed;
}

uint64_t th_rnd64(void)
{
    uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void th_rnd_bytes(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(th_rnd64() >> 56);
}

size_t th_rnd_below(size_t n)
{
    return (size_t)(th_rnd64() % n);
}
