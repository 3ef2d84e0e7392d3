package kernels

import "twostage/tensor"

// gemm is the engine's SGEMM as c runs it (host.Ctx.Gemm: package sgemm
// on c's path, or gonum's with NoSIMD).
func (c *CPU) gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, cc []float32, ldc int) {
	ctx := c.ctx()
	ctx.Gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc)
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
