package sgemm

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// Implementation is gonum's pure-Go BLAS with Sgemm replaced by this
// package's, so that
//
//	blas32.Use(sgemm.Implementation{})
//
// routes blas32.Gemm (and everything built on it) through the packed
// AVX2/FMA kernel. Every other routine is gonum's. Config sets threads and
// kernel; the zero value is the package default.
type Implementation struct {
	gonum.Implementation
	Config Config
}

// Sgemm computes C = alpha * op(A) * op(B) + beta * C as blas.Float32
// specifies (row-major; ConjTrans is Trans for real matrices). It panics
// with "sgemm: illegal transpose" for any other tA or tB, and otherwise as
// the package-level Sgemm does.
func (impl Implementation) Sgemm(tA, tB blas.Transpose, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	impl.Config.Sgemm(trans(tA), trans(tB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// trans maps a blas.Transpose to the transposed flag.
func trans(t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic("sgemm: illegal transpose")
}

// Compile-time check that Implementation is a full float32 BLAS.
var _ blas.Float32 = Implementation{}
