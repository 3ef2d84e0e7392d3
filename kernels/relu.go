package kernels

import (
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// ReLU and its gradient: the AVX2 loops of relu_amd64.s over the longest
// multiple of 8 and the Go twins (Unary, Binary) over the n%8 tail, or on
// the avx512 path the loops of relu_avx512_amd64.s over all of it, the
// same bits either way (TestReLUPaths). The paths and what each runs are
// tabled in kernels/sgemm/path.go.

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
