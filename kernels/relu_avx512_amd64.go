//go:build !noasm

package kernels

import "twostage/kernels/sgemm"

// useAVX512 reports whether the CPU can run relu_avx512_amd64.s (the
// hardware: CPU.path makes the choice, this only guards the callers).
var useAVX512 = sgemm.Hardware() >= sgemm.AVX512

// reluAVX512 is reluAVX2 over all n elements, the n%16 tail under a mask.
//
//go:noescape
func reluAVX512(dst, x *float32, n int)

// reluGradAccAVX512 adds dst[i] += dy[i] where y[i] > 0 over all n
// elements, the tail under a mask, leaving closed lanes untouched: the Go
// twin's bits (reluGradAccAVX2 adds +0 there, turning a −0 into +0).
//
//go:noescape
func reluGradAccAVX512(dst, dy, y *float32, n int)
