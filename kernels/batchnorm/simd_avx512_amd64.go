//go:build !noasm

package batchnorm

import "twostage/kernels/sgemm"

// useAVX512 reports whether the CPU can run simd_avx512_amd64.s (the
// hardware: the caller's path makes the choice, this only guards the
// callers).
var useAVX512 = sgemm.Hardware() >= sgemm.AVX512

// affineRowsAVX512 is affinev over rows rows of n floats each (any n,
// stride floats apart, as affineRows): per row, the n&^7 head as
// affineRows (one FMA) and the n%8 tail as the Go twin affine (a multiply
// and an add), the last n%16 under a mask: the bits of affineRows plus
// affine on the tail, in one call.
//
//go:noescape
func affineRowsAVX512(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)

// bnGradRowsAVX512 is bnGradv over rows rows of n floats each (any n,
// stride floats apart, as bnGradRows, dx not nil): per row, the n&^7 head
// as bnGradRows and the n%8 tail as the Go twin bnGrad, the last n%16
// under a mask: the bits of bnGradRows plus bnGrad on the tail, in one
// call.
//
//go:noescape
func bnGradRowsAVX512(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int)
