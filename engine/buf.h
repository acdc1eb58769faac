/* buf.h — the one bounds-checked reader and the one writer.
 *
 * Reader: sticky error (first failure wins). Parse straight down the wire format, then check
 * once with eng_rd_end(): every <lo..hi> vector opens a child reader that must be consumed
 * exactly, so trailing bytes are a decode_error (RFC 5246 §4.3 / §7.4 lengths).
 *
 * Writer: fixed-capacity, sticky overflow error. Length-prefixed blocks are opened with
 * eng_wr_open() and back-patched by eng_wr_close(): no code computes a length by hand. */
#ifndef MBSHAKE_BUF_H
#define MBSHAKE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct {
    const uint8_t *p, *end;
    int err; /* 0 or ENG_E_* (sticky) */
} eng_rd;

static inline eng_rd eng_rd_init(const uint8_t *p, size_t n)
{
    eng_rd r = {p, p + n, 0};
    return r;
}
static inline size_t eng_rd_left(const eng_rd *r) { return r->err ? 0 : (size_t)(r->end - r->p); }
/* Big-endian unsigned of 1..4 bytes; 0 and sticky ENG_E_DECODE on short read. */
uint32_t eng_rd_uint(eng_rd *r, unsigned nbytes);
/* Pointer to the next n bytes (and skip them); NULL + sticky error on short read. */
const uint8_t *eng_rd_bytes(eng_rd *r, size_t n);
/* Child reader over a vector with a `lenbytes`-byte length prefix whose length must lie in
 * [lo, hi]; otherwise the parent gets a sticky ENG_E_DECODE and the child is empty+errored. */
eng_rd eng_rd_vec(eng_rd *r, unsigned lenbytes, size_t lo, size_t hi);
/* 0 if no error and fully consumed; the sticky error, else ENG_E_DECODE. */
static inline int eng_rd_end(const eng_rd *r)
{
    return r->err ? r->err : (r->p == r->end ? 0 : ENG_E_DECODE);
}

typedef struct {
    uint8_t *p;
    size_t len, cap;
    int err;            /* sticky: ENG_E_INTERNAL on overflow */
    unsigned depth;
    size_t open_at[4];  /* offsets of open length prefixes */
    uint8_t open_len[4];
} eng_wr;

static inline void eng_wr_init(eng_wr *w, uint8_t *p, size_t cap)
{
    w->p = p; w->len = 0; w->cap = cap; w->err = 0; w->depth = 0;
}
void eng_wr_uint(eng_wr *w, uint32_t v, unsigned nbytes);
void eng_wr_bytes(eng_wr *w, const void *p, size_t n);
/* Reserve n bytes and return a pointer to fill (NULL + sticky error if no room). */
uint8_t *eng_wr_reserve(eng_wr *w, size_t n);
/* Open a block with a `lenbytes` length prefix (1..3); close back-patches it. Nesting <= 4. */
void eng_wr_open(eng_wr *w, unsigned lenbytes);
void eng_wr_close(eng_wr *w);

#define ENG_E_WR_OVERFLOW ENG_E_INTERNAL(4)

#endif
