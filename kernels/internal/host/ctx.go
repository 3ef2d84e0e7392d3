package host

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"twostage/kernels/sgemm"
)

// Ctx is what a kernel call runs with, taken from the calling kernels.CPU:
// how many goroutines it may split work over and which SIMD path it runs.
type Ctx struct {
	Threads int        // goroutines a kernel may use, at least 1
	Path    sgemm.Path // the SIMD path, resolved: go, avx2 or avx512
	// NoSIMD is the portable reference backend: the Go loops (Path is then
	// sgemm.Go) and gonum's GEMM instead of package sgemm's.
	NoSIMD bool
}

// SIMD reports whether c runs the AVX2 loops (the avx2 and avx512 paths).
func (c *Ctx) SIMD() bool { return c.Path >= sgemm.AVX2 }

// Gemm is the engine's one matrix multiply (Gemm and every convolution
// pass):
//
//	cc = alpha·op(a)·op(b) + beta·cc,  op(a) [m,k], op(b) [k,n], cc [m,n]
//
// with op(a) = aᵀ when tA is set (a is then stored [k,m]), the same for b,
// all row-major with leading dimensions lda, ldb, ldc. With beta == 0 the
// old contents of cc are ignored (they may be garbage, as in BLAS). cc must
// not overlap a or b. It is package sgemm on c's path (on the go path its
// portable micro-kernel), or gonum's with NoSIMD, and may run in parallel
// internally. Threads bounds the kernels' own goroutines, not gonum's: its
// Sgemm runs up to GOMAXPROCS workers per call.
func (c *Ctx) Gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	if c.NoSIMD {
		GonumSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
		return
	}
	sgemm.Config{Path: c.Path}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// GemmInner is Gemm on the calling goroutine only, for calls made from
// inside an already parallel loop (the convolutions split the batch over
// the cores, and small-M GEMMs gain little from a second thread).
func (c *Ctx) GemmInner(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	if c.NoSIMD {
		GonumSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
		return
	}
	sgemm.Config{Threads: 1, Path: c.Path}.Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// GonumSgemm is sgemm through gonum's pure-Go BLAS (blas32.Implementation(),
// by default gonum.org/v1/gonum/blas/gonum). Its Sgemm computes 64×64
// blocks of c concurrently on up to GOMAXPROCS goroutines once c has at
// least four such blocks, and each block sums over k in a fixed order, so
// the result does not depend on scheduling.
func GonumSgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	blas32.Implementation().Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Serial is package sgemm's SGEMM on c's path on the calling goroutine
// (packing and the packed and row-gathered forms included), for the
// SIMD-only paths of the convolutions.
func (c *Ctx) Serial() sgemm.Config { return sgemm.Config{Threads: 1, Path: c.Path} }
