//go:build !noasm

package kernels

import "twostage/kernels/sgemm"

// useAVX512 reports whether the CPU can run simd_avx512_amd64.s (the
// hardware: CPU.path makes the choice, this only guards the callers).
var useAVX512 = sgemm.Hardware() >= sgemm.AVX512

// The avx512 path's loops; each is its AVX2 twin's reference loop (in
// simd_amd64.go) on one ZMM vector of 16 lanes instead of two YMM halves,
// with the same bits.

// winoInLanesAVX512 is winoInLanes.
//
//go:noescape
func winoInLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int)

// winoOutLanesAVX512 is winoOutLanes.
//
//go:noescape
func winoOutLanesAVX512(o *float32, orw int, m *float32, mxi int, n int)

// winoDyLanesAVX512 is winoDyLanes.
//
//go:noescape
func winoDyLanesAVX512(v *float32, vxi, vpos int, r *float32, rw int, n int)

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

// affineRowsAVX512 is affinev over rows rows of n floats each (any n,
// stride floats apart, as affineRows): per row, the n&^7 head as
// affineRows (one FMA) and the n%8 tail as the Go twin affine (a multiply
// and an add), the last n%16 under a mask: the bits of affineRows plus
// affine on the tail, in one call.
//
//go:noescape
func affineRowsAVX512(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)

// tr16 is tr8 on 16×16 blocks:
//
//	dst[q·dblk + r·drow + c] (=, +=) src[q·sblk + c·srow + r],  r, c < 16,
//
// then the same epilogue (tr8's flags), each element's bits those of tr8.
//
//go:noescape
func tr16(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32)

// addRows16AVX512 is addRows16, one vector a row.
//
//go:noescape
func addRows16AVX512(dst *float32, ds int, src *float32, n int)
