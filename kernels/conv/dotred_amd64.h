// Shared by simd_amd64.s (dot34) and simd_avx512_amd64.s (dot38AVX512).

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
