package sgemm

// PackedA is op(A) packed once for many products with it (the transformed
// kernels of a Winograd convolution meet a new B for every group of tiles):
// SgemmPacked then skips the packing of A that Sgemm does on every call.
// The layout is packA's for the path it was packed on (mr its tile rows;
// SgemmPacked must run on the same path), k cut into the blocks run uses:
// for k block q
// (rows q·kcs … of op(A)ᵀ, kcb of them), ⌈m/mr⌉ panels of kcb×mr,
//
//	data[off(q) + (i/mr)·kcb·mr + p·mr + i%mr] = op(A)[i, q·kcs + p]  (0 past m),
//
// so the A block of rows ic… is the slice starting at panel ic/mr.
type PackedA struct {
	m, k, kcs int
	path      Path
	data      []float32
}

// PackA packs op(A) (m×k: a with row stride lda, or its transpose when tA)
// into dst, reusing dst's storage when it is large enough. It panics as
// Sgemm does on bad dimensions or lengths.
func (cfg Config) PackA(dst *PackedA, tA bool, m, k int, a []float32, lda int) {
	checkSizes(tA, m, 1, k, a, lda, make([]float32, max(m, 1)), 1)
	nk := max(1, (k+kc-1)/kc)
	kcs := (k + nk - 1) / nk
	path := cfg.path()
	mr := tileRows(path)
	mp := (m + mr - 1) / mr * mr
	dst.m, dst.k, dst.kcs, dst.path = m, k, kcs, path
	dst.data = grow(dst.data, mp*k)
	for pc := 0; pc < k; pc += kcs {
		kcb := min(kcs, k-pc)
		packA(dst.data[pc*mp:], a, lda, tA, 0, m, pc, kcb, path)
	}
}

// block returns the packed A block for rows ic… and k block pc (kcb rows).
func (pa *PackedA) block(ic, pc, kcb int) []float32 {
	mr := tileRows(pa.path)
	mp := (pa.m + mr - 1) / mr * mr
	return pa.data[pc*mp+ic*kcb:]
}

// SgemmPacked is Sgemm(false, tB, m, n, k, alpha, A, …) with A packed by
// PackA (m and k are pa's): C = alpha·op(A)·op(B) + beta·C, the same bits
// as Sgemm, which packs the same way.
func (cfg Config) SgemmPacked(pa *PackedA, tB bool, n int, alpha float32, b []float32, ldb int, beta float32, c []float32, ldc int) {
	m, k := pa.m, pa.k
	if n < 0 {
		panic("sgemm: n < 0")
	}
	if ldc < max(1, n) {
		panic("sgemm: bad leading dimension of C")
	}
	if m > 0 && n > 0 && len(c) < (m-1)*ldc+n {
		panic("sgemm: insufficient length of c")
	}
	checkB(tB, m, n, k, b, ldb)
	cfg.run(gemm{
		tB: tB, k: k, alpha: alpha, beta: beta,
		pa: pa, b: b, ldb: ldb, c: c, ldc: ldc,
	}, m, n)
}

// PackedBBlock is the number of k rows per block of a packed B for
// SgemmPackedAB: k is cut into ⌈k/kc⌉ blocks of kcs rows, the last one
// shorter, the blocking the driver uses.
func PackedBBlock(k int) (kcs int) {
	nk := max(1, (k+kc-1)/kc)
	return (k + nk - 1) / nk
}

// SgemmPackedAB is SgemmPacked with B packed by the caller too, in packB's
// layout: for each k block (rows pc … pc+kcb−1 of op(B), PackedBBlock),
// n/nr panels of kcb×nr, panel q first,
//
//	pb[pc·n + q·kcb·nr + (p−pc)·nr + j] = op(B)[p, q·nr + j],
//
// (a Winograd transform writes its tiles straight into it). n must be a
// multiple of nr (16). The result has the same bits as SgemmPacked on the
// unpacked B.
func (cfg Config) SgemmPackedAB(pa *PackedA, n int, alpha float32, pb []float32, beta float32, c []float32, ldc int) {
	m, k := pa.m, pa.k
	switch {
	case n < 0 || n%nr != 0:
		panic("sgemm: n of a packed B not a multiple of 16")
	case ldc < max(1, n):
		panic("sgemm: bad leading dimension of C")
	case m > 0 && n > 0 && len(c) < (m-1)*ldc+n:
		panic("sgemm: insufficient length of c")
	case len(pb) < n*k:
		panic("sgemm: insufficient length of packed b")
	}
	cfg.run(gemm{k: k, alpha: alpha, beta: beta, pa: pa, pb: pb, pbn: n, c: c, ldc: ldc}, m, n)
}
