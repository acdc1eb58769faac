#!/usr/bin/env python3
"""rsa_own_gen_avx2.py: writes engine/rsa_own_k28.h, the AVX2 almost-Montgomery product and
square of rsa_own_avx2.c as straight-line inline assembly (compilers reassociate the vector sums
of a C version and spill most of them). Regenerate with
    python3 engine/rsa_own_gen_avx2.py > engine/rsa_own_k28.h
Accumulator vector T[k] (digits 4k..4k+3) lives in ymm(k mod 12) while it is being summed: step
i adds into T[i/4 .. i/4+9] and, for p m_(i-2), into T[(i-2)/4 ..]. T[k] and T[k+12] share a
register: T[k] (k <= 6) is last used in step 4k+5 and T[k+12] first written in step 4k+12; the
result vectors T[9..18] never share one and are stored at the end.
ymm12 = b_i, ymm13 = m, ymm14 = product, ymm15 = scratch. p comes as four copies shifted by
0..3 digits (48 words each), so that its loads are aligned.
Square: step i multiplies a_i by the digits j >= i only, with 2 a_j for j > i (a doubled copy,
d2) and a_i for j = i; the vector holding j = i is assembled with lane masks (mk)."""

DG = 37


def gen(square):
    out = []
    init = set()

    def e(s):
        out.append('"' + s + '\\n\\t"')

    def treg(k):
        return f"%%ymm{k % 12}"

    def add_prod(k, src, breg):
        if k not in init:
            e(f"vpmuludq {src}, {breg}, {treg(k)}")
            init.add(k)
        else:
            e(f"vpmuludq {src}, {breg}, %%ymm14")
            e(f"vpaddq %%ymm14, {treg(k)}, {treg(k)}")

    def pm(i, reg):
        s1, q1 = i & 3, i >> 2
        e(f"vmovq %[{reg}], %%xmm13")
        e("vpbroadcastq %%xmm13, %%ymm13")
        for v in range(10):
            add_prod(q1 + v, f"{8*(48*s1 + 4 + 4*v)}(%[p])", "%%ymm13")

    for i in range(DG):
        s, q = i & 3, i >> 2
        e(f"vpbroadcastq {8*(4+i)}(%[b]), %%ymm12")
        for v in range(10):
            off = 8 * (4 + 4 * v - s)
            if not square:
                add_prod(q + v, f"{off}(%[a])", "%%ymm12")
                continue
            js = [4 * v + l - s for l in range(4)]
            if max(js) < i:
                continue  # below the diagonal: the mirror image is counted twice elsewhere
            if min(js) > i:
                add_prod(q + v, f"{off}(%[d2])", "%%ymm12")
                continue
            leq = i - js[0]  # lane of j = i
            e(f"vmovdqu {off}(%[d2]), %%ymm15")
            e(f"vpand {64*leq}(%[mk]), %%ymm15, %%ymm15")
            e(f"vmovdqu {off}(%[a]), %%ymm14")
            e(f"vpand {64*leq+32}(%[mk]), %%ymm14, %%ymm14")
            e("vpor %%ymm14, %%ymm15, %%ymm15")
            add_prod(q + v, "%%ymm15", "%%ymm12")
        x = f"%%xmm{q % 12}"
        if s == 0:
            e(f"vmovq {x}, %[t]")
        elif s == 1:
            e(f"vpextrq $1, {x}, %[t]")
        else:
            e(f"vextracti128 $1, {treg(q)}, %%xmm15")
            e("vmovq %%xmm15, %[t]" if s == 2 else "vpextrq $1, %%xmm15, %[t]")
        e("addq %[c], %[t]")
        e("movq %[mp], %[x]")
        e("imulq %[p1], %[x]")
        e("addq %[x], %[t]")
        e("movq %[mq], %[x]")
        e("imulq %[p2], %[x]")
        e("addq %[x], %[t]")
        e("movq %[t], %[m]")
        e("imulq %[k0], %[m]")
        e("andl $0xfffffff, %k[m]")
        e("movq %[m], %[c]")
        e("imulq %[p0], %[c]")
        e("addq %[t], %[c]")
        e("shrq $28, %[c]")
        if i > 1:
            pm(i - 2, "mq")
        e("movq %[mp], %[mq]")
        e("movq %[m], %[mp]")
    pm(DG - 2, "mq")
    pm(DG - 1, "mp")
    # result digit k = T digit 37 + k: X_j = lanes 1..3 of T[9+j] and lane 0 of T[10+j]
    # (T[19] = 0), written over T[9+j]; ymm7, ymm8 (T[7], T[8]) and ymm12..15 are free now
    for j in range(10):
        x = treg(9 + j)
        e(f"vpermq $0x39, {x}, {x}")
        if j < 9:
            e(f"vpermq $0x39, {treg(10 + j)}, %%ymm12")
            e(f"vpblendd $0xc0, %%ymm12, {x}, {x}")
        else:
            e("vpxor %%xmm12, %%xmm12, %%xmm12")
            e(f"vpblendd $0xc0, %%ymm12, {x}, {x}")
    e("vmovq %[c], %%xmm15")
    e(f"vpaddq %%ymm15, {treg(9)}, {treg(9)}")
    # one carry pass over three digits: y_k = (x_k mod 2^28) + (x_(k-1) >> 28 mod 2^28)
    # + (x_(k-2) >> 56), below 2^29 + 2^8 for x < 2^63.5 (the bound rsa_own_avx2.c allows)
    e("vpbroadcastq %[m28], %%ymm15")
    e("vpxor %%xmm13, %%xmm13, %%xmm13")  # previous vector's mid parts, rotated up one lane
    e("vpxor %%xmm7, %%xmm7, %%xmm7")  # previous vector's top parts
    for j in range(10):
        x = treg(9 + j)
        e(f"vpsrlq $56, {x}, %%ymm8")  # top
        e(f"vpsrlq $28, {x}, %%ymm12")
        e("vpand %%ymm15, %%ymm12, %%ymm12")  # mid
        e(f"vpand %%ymm15, {x}, {x}")  # lo
        e("vpermq $0x93, %%ymm12, %%ymm12")
        e("vpblendd $0x03, %%ymm13, %%ymm12, %%ymm14")  # mid of digits k-1
        e("vmovdqa %%ymm12, %%ymm13")
        e(f"vpaddq %%ymm14, {x}, {x}")
        e("vperm2i128 $0x03, %%ymm7, %%ymm8, %%ymm14")  # top of digits k-2
        e("vmovdqa %%ymm8, %%ymm7")
        e(f"vpaddq %%ymm14, {x}, {x}")
    e("vpxor %%xmm12, %%xmm12, %%xmm12")
    e("vmovdqu %%ymm12, 0(%[r])")
    for j in range(10):
        e(f"vmovdqu {treg(9 + j)}, {32*(j+1)}(%[r])")
    e("vmovdqu %%ymm12, 352(%[r])")
    return out


def emit(name, square):
    args = "uint64_t *r, const uint64_t *a, const uint64_t *p, uint64_t k0"
    if square:
        args += ",\n                               const uint64_t *d2, const uint64_t *mk"
    else:
        args = args.replace("const uint64_t *a,", "const uint64_t *a, const uint64_t *b,")
    print(f"static inline void {name}({args})")
    print("{")
    print("    uint64_t t, m, c = 0, mp = 0, mq = 0, x;")
    print("    const uint64_t m28 = (UINT64_C(1) << 28) - 1;")
    print("    const uint64_t p0 = p[4], p1 = p[5], p2 = p[6]; /* copy 0: unshifted */")
    if square:
        print("    const uint64_t *b = a;")
    print("    __asm__ volatile(")
    for l in gen(square):
        print("        " + l)
    print('        : [t] "=&r"(t), [m] "=&r"(m), [c] "+&r"(c), [mp] "+&r"(mp), [mq] "+&r"(mq), [x] "=&r"(x)')
    extra = ', [d2] "r"(d2), [mk] "r"(mk)' if square else ""
    print(f'        : [a] "r"(a), [b] "r"(b), [p] "r"(p), [r] "r"(r), [m28] "m"(m28), [k0] "m"(k0), [p0] "m"(p0), [p1] "m"(p1), [p2] "m"(p2){extra}')
    print('        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",')
    print('          "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");')
    print("}")
    print()


print("/* rsa_own_k28.h — generated by engine/rsa_own_gen_avx2.py; do not edit. Included by")
print(" * rsa_own_avx2.c only (AVX2). */")
print("/* r = (sum_i (a b_i + p m_i) 2^(28 i)) / 2^1036 = a b / 2^1036 mod p (< 2p), digits carried")
print(" * twice (below 2^28 + 2^8); a, b, p, r padded digit arrays (RSA_AVX2_PAD); r may alias a or b")
print(" * (every read of a and b precedes the stores). */")
emit("amm_core", False)
print("/* the same for b = a, with each cross product once (doubled): d2 = 2a, mk = lane masks */")
emit("ams_core", True)
