package kernels

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	sgemmpkg "twostage/kernels/sgemm"
	"twostage/tensor"
)

// fast is the SGEMM of the engine's one matrix-multiply entry point (gemm,
// used by Gemm and by every convolution pass):
//
//	c = alpha·op(a)·op(b) + beta·c,  op(a) [m,k], op(b) [k,n], c [m,n]
//
// with op(a) = aᵀ when tA is set (a is then stored [k,m]), the same for b,
// all row-major with leading dimensions lda, ldb, ldc. With beta == 0 the old
// contents of c are ignored (they may be garbage, as in BLAS). c must not
// overlap a or b. The implementation may run in parallel internally.
//
// It is package kernels/sgemm on c's path (on the go path its portable
// micro-kernel); NoSIMD uses gonumSgemm instead.
func (c *CPU) fast() sgemmpkg.Config { return sgemmpkg.Config{Path: c.path()} }

// serial is the same SGEMM on the calling goroutine only, for calls made
// from inside an already parallel loop (the convolutions split the batch
// over the cores, and small-M GEMMs gain little from a second thread).
func (c *CPU) serial() sgemmpkg.Config { return sgemmpkg.Config{Threads: 1, Path: c.path()} }

// gonumSgemm is sgemm through gonum's pure-Go BLAS (blas32.Implementation(),
// by default gonum.org/v1/gonum/blas/gonum). Its Sgemm computes 64×64 blocks
// of c concurrently on up to GOMAXPROCS goroutines once c has at least four
// such blocks, and each block sums over k in a fixed order, so the result does
// not depend on scheduling.
func gonumSgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	blas32.Implementation().Sgemm(blasTrans(tA), blasTrans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func blasTrans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// gemm is sgemm as this backend runs it: the portable gonum path when NoSIMD
// is set, the plugged-in sgemm otherwise. Every kernel of the package calls
// GEMM through here. CPU.Threads bounds the kernels' own goroutines, not
// gonum's: its Sgemm runs up to GOMAXPROCS workers per call, so a conv that
// already splits the batch over two goroutines may briefly have four
// runnable, which the Go scheduler multiplexes onto GOMAXPROCS threads.
func (c *CPU) gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	if c.NoSIMD {
		gonumSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
		return
	}
	c.fast().Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// gemmInner is gemm for calls inside a parallelFor body: one goroutine.
func (c *CPU) gemmInner(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	if c.NoSIMD {
		gonumSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
		return
	}
	c.serial().Sgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
}

// Gemm: c [M,N] = alpha·op(a)·op(b) + beta·c, where op(a) [M,K] is a or aᵀ
// (transA) and op(b) [K,N] is b or bᵀ (transB). All three are 2-D float32
// tensors; c must not share storage with a or b. With beta == 0, c's old
// contents are ignored.
func (c *CPU) Gemm(transA, transB bool, alpha float32, a, b *tensor.Tensor, beta float32, cc *tensor.Tensor) {
	if a.Rank() != 2 || b.Rank() != 2 || cc.Rank() != 2 {
		panic("kernels: gemm needs 2-D a, b and c")
	}
	if cc.Storage() == a.Storage() || cc.Storage() == b.Storage() {
		panic("kernels: gemm output aliases an input")
	}
	// Stored shapes: a is [M,K] or [K,M], b is [K,N] or [N,K].
	m, ka := a.Dim(0), a.Dim(1)
	if transA {
		m, ka = ka, m
	}
	kb, n := b.Dim(0), b.Dim(1)
	if transB {
		kb, n = n, kb
	}
	if ka != kb || cc.Dim(0) != m || cc.Dim(1) != n {
		panic("kernels: gemm shape mismatch")
	}
	if m == 0 || n == 0 {
		return
	}
	c.gemm(transA, transB, m, n, ka, alpha, F32(a), max(1, a.Dim(1)), F32(b), max(1, b.Dim(1)), beta, F32(cc), n)
}
