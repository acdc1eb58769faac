/* buf.c — see buf.h */
#include "buf.h"

#include <string.h>

/* see buf.h */
uint32_t eng_rd_uint(eng_rd *r, unsigned nbytes)
{
    const uint8_t *b = eng_rd_bytes(r, nbytes);
    uint32_t v = 0;
    if (!b) return 0;
    for (unsigned i = 0; i < nbytes; i++) v = v << 8 | b[i];
    return v;
}

/* see buf.h */
const uint8_t *eng_rd_bytes(eng_rd *r, size_t n)
{
    if (r->err) return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->err = ENG_E_DECODE;
        return NULL;
    }
    const uint8_t *b = r->p;
    r->p += n;
    return b;
}

/* see buf.h */
eng_rd eng_rd_vec(eng_rd *r, unsigned lenbytes, size_t lo, size_t hi)
{
    eng_rd c = {r->p, r->p, ENG_E_DECODE};
    size_t n = eng_rd_uint(r, lenbytes);
    if (r->err) return c;
    if (n < lo || n > hi) {
        r->err = ENG_E_DECODE;
        return c;
    }
    const uint8_t *b = eng_rd_bytes(r, n);
    if (!b) return c;
    c.p = b;
    c.end = b + n;
    c.err = 0;
    return c;
}

/* see buf.h */
uint8_t *eng_wr_reserve(eng_wr *w, size_t n)
{
    if (w->err) return NULL;
    if (w->cap - w->len < n) {
        w->err = ENG_E_WR_OVERFLOW;
        return NULL;
    }
    uint8_t *p = w->p + w->len;
    w->len += n;
    return p;
}

/* see buf.h */
void eng_wr_uint(eng_wr *w, uint32_t v, unsigned nbytes)
{
    uint8_t *p = eng_wr_reserve(w, nbytes);
    if (!p) return;
    for (unsigned i = 0; i < nbytes; i++) p[i] = (uint8_t)(v >> (8 * (nbytes - 1 - i)));
}

/* see buf.h */
void eng_wr_bytes(eng_wr *w, const void *src, size_t n)
{
    uint8_t *p = eng_wr_reserve(w, n);
    if (p && n) memcpy(p, src, n);
}

/* see buf.h */
void eng_wr_open(eng_wr *w, unsigned lenbytes)
{
    if (w->err) return;
    if (w->depth >= sizeof w->open_at / sizeof *w->open_at) {
        w->err = ENG_E_WR_OVERFLOW;
        return;
    }
    w->open_at[w->depth] = w->len;
    w->open_len[w->depth] = (uint8_t)lenbytes;
    w->depth++;
    eng_wr_reserve(w, lenbytes);
}

/* see buf.h */
void eng_wr_close(eng_wr *w)
{
    if (w->err) return;
    if (w->depth == 0) {
        w->err = ENG_E_WR_OVERFLOW;
        return;
    }
    w->depth--;
    size_t at = w->open_at[w->depth];
    unsigned lb = w->open_len[w->depth];
    size_t n = w->len - at - lb;
    if (lb < 4 && n >= ((size_t)1 << (8 * lb))) {
        w->err = ENG_E_WR_OVERFLOW;
        return;
    }
    for (unsigned i = 0; i < lb; i++) w->p[at + i] = (uint8_t)(n >> (8 * (lb - 1 - i)));
}
