//go:build !noasm

package batchnorm

import "twostage/kernels/sgemm"

// useAVX2 reports whether the CPU can run the AVX2/FMA loops of
// simd_amd64.s (the hardware, whatever TWOSTAGE_SIMD says: the caller's
// path makes the choice, this only guards the assembly's callers).
var useAVX2 = sgemm.Hardware() >= sgemm.AVX2

// The batch-norm loops run over rows rows of n floats (n a multiple of 8),
// stride floats apart: one channel of an [N, C, HW] tensor at once
// (batchnorm.go's byChannel), or with rows = 1 one contiguous run (the
// wrappers in simd.go). Sums run on across the rows, in float64 (two
// 4-lane accumulators reduced in a fixed order). With x_i, dy_i … the
// elements of the rows in order:

// sum64Rows returns Σ x_i.
//
//go:noescape
func sum64Rows(x *float32, n, rows, stride int) float64

// sqDev64Rows returns Σ (x_i − m)².
//
//go:noescape
func sqDev64Rows(x *float32, n, rows, stride int, m float64) float64

// sumDot64Rows returns sdy = Σ g_i and sdyc = Σ g_i·(x_i − m), where g_i =
// dy_i, or with a gate y != nil, g_i = y_i > 0 ? dy_i : 0 (y, x laid out
// as dy).
//
//go:noescape
func sumDot64Rows(dy, x, y *float32, n, rows, stride int, m float64) (sdy, sdyc float64)

// affineRows writes y_i = fma(x_i − m, scale, shift) (+ r_i when r !=
// nil), then max(·, 0) when relu != 0 (NaN passes, −0 becomes +0).
//
//go:noescape
func affineRows(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)

// bnGradRows computes, with g_i = dy_i gated by y_i > 0 when y != nil:
//
//	dr_i += g_i                            (when dr != nil)
//	dx_i += (g_i − mdy − (x_i − m)·k)·a    (flags&bnCentre)
//	dx_i += g_i·a                          (otherwise)
//
// where flags&bnSetDX (bnSetDR) makes dx (dr) start from +0 instead of its
// old contents: the same instructions with the zero register in place of
// the load, so the bits are those of += into a zeroed buffer.
//
//go:noescape
func bnGradRows(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, flags int)
