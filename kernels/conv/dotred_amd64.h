// Shared by simd_amd64.s (dot34) and simd_avx512_amd64.s (dot38AVX512).

// DOTARGS loads the arguments (m, ldm, w, ldw, v, ldv, n) of dot34 and
// dot38AVX512: DI = m, R8 = ldm in bytes, SI = w, R9 = ldw in bytes,
// DX = v, R10 = ldv in bytes, CX = n, R11 = 3·ldv in bytes.
#define DOTARGS \
	MOVQ m+0(FP), DI        \
	MOVQ ldm+8(FP), R8      \
	SHLQ $2, R8             \
	MOVQ w+16(FP), SI       \
	MOVQ ldw+24(FP), R9     \
	SHLQ $2, R9             \
	MOVQ v+32(FP), DX       \
	MOVQ ldv+40(FP), R10    \
	SHLQ $2, R10            \
	MOVQ n+48(FP), CX       \
	LEAQ (R10)(R10*2), R11

// DOTRED4 reduces the four 8-lane sums a, b, c, d to their totals and adds
// them to the four floats at (ptr): ptr[j] += Σ lanes of the j-th.
#define DOTRED4(a, b, c, d, xa, xb, ptr) \
	VHADDPS      b, a, a  \
	VHADDPS      d, c, c  \
	VHADDPS      c, a, a  \
	VEXTRACTF128 $1, a, xb \
	VADDPS       xb, xa, xa \
	VADDPS       (ptr), xa, xa \
	VMOVUPS      xa, (ptr)

// DOTRED8 is DOTRED4 on the low halves of a, b, c, d into ptr[0:4] and on
// their high halves (moved to Y12-Y15 first, as DOTRED4 overwrites its
// inputs) into ptr[4:8]; R13 is clobbered.
#define DOTRED8(za, zb, zc, zd, a, b, c, d, xa, xb, ptr) \
	VEXTRACTF64X4 $1, za, Y12 \
	VEXTRACTF64X4 $1, zb, Y13 \
	VEXTRACTF64X4 $1, zc, Y14 \
	VEXTRACTF64X4 $1, zd, Y15 \
	DOTRED4(a, b, c, d, xa, xb, ptr) \
	LEAQ 16(ptr), R13 \
	DOTRED4(Y12, Y13, Y14, Y15, X12, X13, R13)
