package kernels

import (
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// Dispatch between the AVX2 loops of simd_amd64.s and their Go twins. Each
// wrapper runs the loop over the longest multiple of 8 and the twin over the
// n%8 tail, so a given length always takes the same path and gives the same
// bits. simd is false on the go path (NoSIMD, the reference in tests, or a
// CPU without AVX2/FMA). The paths and what each runs are tabled in
// kernels/sgemm/path.go; the avx512 path runs the twins of
// simd_avx512_amd64.s where there are some (the dispatch below), these
// AVX2 loops elsewhere, and its own GEMM micro-kernel.

// path is the SIMD path c runs on (resolved: go, avx2 or avx512).
func (c *CPU) path() sgemm.Path {
	if c.NoSIMD {
		return sgemm.Go
	}
	return c.Path.Resolve()
}

// RunPath returns the SIMD path c's kernels run on.
func (c *CPU) RunPath() sgemm.Path { return c.path() }

// simd reports whether c runs the AVX2 loops (the avx2 and avx512 paths).
func (c *CPU) simd() bool { return c.path() >= sgemm.AVX2 }

// head returns the length the assembly loop takes: len rounded down to 8,
// or 0 without SIMD or without the assembly (a caller that asks for SIMD
// where there is none gets the Go twins).
func head(simd bool, n int) int {
	if !simd || !useAVX2 {
		return 0
	}
	return n &^ 7
}

// reluv writes dst = max(x, 0): on the avx512 path all of it in
// assembly (the tail under a mask), else the AVX2 loop over the head and
// the Go twin over the tail (the same bits either way).
func reluv(p sgemm.Path, dst, x []float32) {
	if p == sgemm.AVX512 && useAVX512 && len(dst) > 0 {
		_ = x[len(dst)-1]
		reluAVX512(&dst[0], &x[0], len(dst))
		return
	}
	n := head(p >= sgemm.AVX2, len(dst))
	if n > 0 {
		reluAVX2(&dst[0], &x[0], n)
	}
	Unary(tensor.ReLU, dst[n:], x[n:])
}

// reluGradAccv adds dst += y > 0 ? dy : 0, dispatched as reluv.
func reluGradAccv(p sgemm.Path, dst, dy, y []float32) {
	if p == sgemm.AVX512 && useAVX512 && len(dst) > 0 {
		_, _ = dy[len(dst)-1], y[len(dst)-1]
		reluGradAccAVX512(&dst[0], &dy[0], &y[0], len(dst))
		return
	}
	n := head(p >= sgemm.AVX2, len(dst))
	if n > 0 {
		reluGradAccAVX2(&dst[0], &dy[0], &y[0], n)
	}
	Binary(tensor.ReLUGradAcc, dst[n:], dy[n:], y[n:])
}
