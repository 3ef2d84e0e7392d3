//go:build !noasm

package kernels

import "twostage/kernels/sgemm"

// useAVX2 reports whether the CPU can run the AVX2/FMA loops of
// relu_amd64.s (the hardware, whatever TWOSTAGE_SIMD says: CPU.simd makes
// the choice of path, this only guards the assembly's callers).
var useAVX2 = sgemm.Hardware() >= sgemm.AVX2

// The loops below take n, a multiple of 8 (0 allowed); relu.go runs the
// n%8 tail with the Go twins. Each doc comment is the reference loop.

// reluAVX2 writes dst[i] = max(x[i], 0) with torch.relu's NaN and −0.
//
//go:noescape
func reluAVX2(dst, x *float32, n int)

// reluGradAccAVX2 adds dst[i] += y[i] > 0 ? dy[i] : 0 (+0 where closed).
//
//go:noescape
func reluGradAccAVX2(dst, dy, y *float32, n int)
