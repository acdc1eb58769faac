/* test_buf.c — the bounds-checked reader and writer (engine/buf.c): exact boundaries (one byte
 * short, exactly enough, one byte over), vector bounds [lo, hi], exact consumption, sticky
 * errors, back-patched lengths and nesting. */
#include <string.h>

#include "buf.h"
#include "th.h"

static void t_rd_uint(void)
{
    const uint8_t b[] = {0x01, 0x02, 0x03, 0x04, 0x05};
    eng_rd r = eng_rd_init(b, sizeof b);
    CHECK_EQ(eng_rd_uint(&r, 1), 0x01);
    CHECK_EQ(eng_rd_uint(&r, 2), 0x0203);
    CHECK_EQ(eng_rd_left(&r), 2);
    CHECK_EQ(eng_rd_uint(&r, 2), 0x0405);
    CHECK_EQ(eng_rd_end(&r), 0);
    r = eng_rd_init(b, sizeof b);
    CHECK_EQ(eng_rd_uint(&r, 3), 0x010203);
    CHECK_EQ(eng_rd_end(&r), ENG_E_DECODE); /* two bytes left over */
    r = eng_rd_init(b, 4);
    CHECK_EQ(eng_rd_uint(&r, 4), 0x01020304);
    CHECK_EQ(eng_rd_end(&r), 0);
    /* one byte short */
    r = eng_rd_init(b, 3);
    CHECK_EQ(eng_rd_uint(&r, 4), 0);
    CHECK_EQ(r.err, ENG_E_DECODE);
    CHECK_EQ(eng_rd_left(&r), 0);
    /* sticky: later reads fail even when bytes would be there */
    CHECK_EQ(eng_rd_uint(&r, 1), 0);
    CHECK(eng_rd_bytes(&r, 0) == NULL);
    CHECK_EQ(eng_rd_end(&r), ENG_E_DECODE);
}

static void t_rd_bytes(void)
{
    const uint8_t b[] = {9, 8, 7};
    eng_rd r = eng_rd_init(b, 3);
    CHECK(eng_rd_bytes(&r, 0) == b);
    CHECK(eng_rd_bytes(&r, 3) == b); /* exactly the rest */
    CHECK_EQ(eng_rd_end(&r), 0);
    r = eng_rd_init(b, 3);
    CHECK(eng_rd_bytes(&r, 4) == NULL); /* one over */
    CHECK_EQ(r.err, ENG_E_DECODE);
    r = eng_rd_init(b, 0);
    CHECK_EQ(eng_rd_end(&r), 0);
    CHECK(eng_rd_bytes(&r, 1) == NULL);
}

static void t_rd_vec(void)
{
    /* 2-byte length 3, then 3 bytes, then a trailing byte */
    const uint8_t b[] = {0x00, 0x03, 'a', 'b', 'c', 0xee};
    eng_rd r = eng_rd_init(b, sizeof b);
    eng_rd v = eng_rd_vec(&r, 2, 3, 3); /* length exactly lo == hi */
    CHECK_EQ(v.err, 0);
    CHECK_EQ(eng_rd_left(&v), 3);
    CHECK(eng_rd_bytes(&v, 3) == b + 2);
    CHECK_EQ(eng_rd_end(&v), 0);
    CHECK_EQ(eng_rd_uint(&r, 1), 0xee);
    CHECK_EQ(eng_rd_end(&r), 0);

    /* child not fully consumed */
    r = eng_rd_init(b, sizeof b);
    v = eng_rd_vec(&r, 2, 0, 10);
    eng_rd_uint(&v, 1);
    CHECK_EQ(eng_rd_end(&v), ENG_E_DECODE);

    /* length below lo / above hi, by one */
    r = eng_rd_init(b, sizeof b);
    v = eng_rd_vec(&r, 2, 4, 10);
    CHECK_EQ(r.err, ENG_E_DECODE);
    CHECK(v.err != 0);
    CHECK_EQ(eng_rd_left(&v), 0);
    r = eng_rd_init(b, sizeof b);
    v = eng_rd_vec(&r, 2, 0, 2);
    CHECK_EQ(r.err, ENG_E_DECODE);
    CHECK(v.err != 0);

    /* declared length one byte beyond the data */
    const uint8_t s[] = {0x04, 'a', 'b', 'c'};
    r = eng_rd_init(s, sizeof s);
    v = eng_rd_vec(&r, 1, 0, 255);
    CHECK_EQ(r.err, ENG_E_DECODE);
    CHECK(v.err != 0);
    /* ... and exactly fitting */
    const uint8_t s3[] = {0x03, 'a', 'b', 'c'};
    r = eng_rd_init(s3, sizeof s3);
    v = eng_rd_vec(&r, 1, 1, 3);
    CHECK_EQ(v.err, 0);
    CHECK_EQ(eng_rd_left(&v), 3);
    CHECK_EQ(eng_rd_end(&r), 0);

    /* the length prefix itself truncated */
    const uint8_t t[] = {0x00};
    r = eng_rd_init(t, 1);
    v = eng_rd_vec(&r, 2, 0, 10);
    CHECK_EQ(r.err, ENG_E_DECODE);

    /* empty vector allowed when lo = 0 */
    const uint8_t z[] = {0x00, 0x00};
    r = eng_rd_init(z, 2);
    v = eng_rd_vec(&r, 2, 0, 0);
    CHECK_EQ(v.err, 0);
    CHECK_EQ(eng_rd_end(&v), 0);
    CHECK_EQ(eng_rd_end(&r), 0);

    /* 3-byte length (handshake-style) nested in a 2-byte one */
    const uint8_t n3[] = {0x00, 0x05, 0x00, 0x00, 0x02, 'h', 'i'};
    r = eng_rd_init(n3, sizeof n3);
    v = eng_rd_vec(&r, 2, 1, 100);
    eng_rd w = eng_rd_vec(&v, 3, 2, 2);
    CHECK(eng_rd_bytes(&w, 2) != NULL);
    CHECK_EQ(eng_rd_end(&w), 0);
    CHECK_EQ(eng_rd_end(&v), 0);
    CHECK_EQ(eng_rd_end(&r), 0);
}

static void t_wr_basic(void)
{
    uint8_t b[8];
    eng_wr w;
    eng_wr_init(&w, b, sizeof b);
    eng_wr_uint(&w, 0xabcd, 2);
    eng_wr_uint(&w, 0x010203, 3);
    eng_wr_bytes(&w, "xyz", 3);
    CHECK_EQ(w.err, 0);
    CHECK_EQ(w.len, 8); /* exactly full */
    CHECK_MEM(b, "\xab\xcd\x01\x02\x03xyz", 8);
    eng_wr_uint(&w, 0, 1); /* one over */
    CHECK_EQ(w.err, ENG_E_WR_OVERFLOW);
    CHECK_EQ(w.len, 8);
    eng_wr_init(&w, b, 2);
    CHECK(eng_wr_reserve(&w, 3) == NULL);
    CHECK_EQ(w.err, ENG_E_WR_OVERFLOW);
    eng_wr_bytes(&w, "a", 1); /* sticky */
    CHECK_EQ(w.len, 0);
    eng_wr_init(&w, b, 2);
    CHECK(eng_wr_reserve(&w, 2) == b);
    CHECK_EQ(w.err, 0);
}

static void t_wr_blocks(void)
{
    uint8_t b[64];
    eng_wr w;
    eng_wr_init(&w, b, sizeof b);
    eng_wr_open(&w, 2);
    eng_wr_uint(&w, 7, 1);
    eng_wr_open(&w, 1);
    eng_wr_bytes(&w, "abc", 3);
    eng_wr_close(&w);
    eng_wr_open(&w, 3);
    eng_wr_close(&w); /* empty block */
    eng_wr_close(&w);
    CHECK_EQ(w.err, 0);
    CHECK_EQ(w.depth, 0);
    CHECK_EQ(w.len, 2 + 1 + 1 + 3 + 3);
    CHECK_MEM(b, "\x00\x08\x07\x03" "abc" "\x00\x00\x00", 10);

    /* the back-patched lengths read back with the reader */
    eng_rd r = eng_rd_init(b, w.len);
    eng_rd v = eng_rd_vec(&r, 2, 0, 65535);
    CHECK_EQ(eng_rd_uint(&v, 1), 7);
    eng_rd x = eng_rd_vec(&v, 1, 3, 3);
    eng_rd_bytes(&x, 3);
    eng_rd e = eng_rd_vec(&v, 3, 0, 0);
    CHECK_EQ(eng_rd_end(&x) | eng_rd_end(&e) | eng_rd_end(&v) | eng_rd_end(&r), 0);

    /* four levels nest; a fifth is refused */
    eng_wr_init(&w, b, sizeof b);
    for (int i = 0; i < 4; i++) eng_wr_open(&w, 1);
    CHECK_EQ(w.err, 0);
    eng_wr_open(&w, 1);
    CHECK_EQ(w.err, ENG_E_WR_OVERFLOW);

    /* close without open */
    eng_wr_init(&w, b, sizeof b);
    eng_wr_close(&w);
    CHECK_EQ(w.err, ENG_E_WR_OVERFLOW);

    /* a 1-byte length holds 255, not 256 */
    uint8_t big[300];
    eng_wr_init(&w, big, sizeof big);
    eng_wr_open(&w, 1);
    eng_wr_reserve(&w, 255);
    eng_wr_close(&w);
    CHECK_EQ(w.err, 0);
    CHECK_EQ(big[0], 255);
    eng_wr_init(&w, big, sizeof big);
    eng_wr_open(&w, 1);
    eng_wr_reserve(&w, 256);
    eng_wr_close(&w);
    CHECK_EQ(w.err, ENG_E_WR_OVERFLOW);

    /* the prefix itself does not fit */
    eng_wr_init(&w, b, 1);
    eng_wr_open(&w, 2);
    CHECK(w.err != 0);
}

int main(void)
{
    th_case("rd_uint", t_rd_uint);
    th_case("rd_bytes", t_rd_bytes);
    th_case("rd_vec_bounds", t_rd_vec);
    th_case("wr_basic", t_wr_basic);
    th_case("wr_blocks_backpatch_nesting", t_wr_blocks);
    return th_done();
}
