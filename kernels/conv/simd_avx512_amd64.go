//go:build !noasm

package conv

import "twostage/kernels/sgemm"

// useAVX512 reports whether the CPU can run simd_avx512_amd64.s (the
// hardware: the caller's path makes the choice, this only guards the
// callers).
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

// dot38AVX512 is two dot34 calls, on the 3×4 blocks at m and m+4 (v's
// rows 0-3 and 4-7), with their bits.
//
//go:noescape
func dot38AVX512(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int)

// copyRowsNTAVX512 is copyRowsNT, one ZMM vector a cache line.
//
//go:noescape
func copyRowsNTAVX512(dst, src *float32, srow, rows, w16 int)
