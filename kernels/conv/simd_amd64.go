//go:build !noasm

package conv

import "twostage/kernels/sgemm"

// useAVX2 reports whether the CPU can run the AVX2/FMA loops of
// simd_amd64.s (the hardware, whatever TWOSTAGE_SIMD says: the caller's
// path makes the choice, this only guards the assembly's callers).
var useAVX2 = sgemm.Hardware() >= sgemm.AVX2

// winoInAVX2 is winoIn (winograd.go) over tiles 0..n−1 with r the
// start of padded row 2·ty (rows rw apart) and v the tile row's first
// element of V[ξ = 0] (the ξ planes vst apart).
//
//go:noescape
func winoInAVX2(v *float32, vst int, r *float32, rw int, n int)

// winoOutAVX2 is winoOut over tiles 0..n−1 with m the tile row's first
// element of M[ξ = 0] (planes mst apart) and o the start of output row 2·ty
// (rows orw apart).
//
//go:noescape
func winoOutAVX2(o *float32, orw int, m *float32, mst int, n int)

// winoDyAVX2 is winoDy over tiles 0..n−1 with r the start of the gradient
// row 2·ty (rows rw apart) and v the tile row's first element of W[ξ = 0]
// (planes vst apart).
//
//go:noescape
func winoDyAVX2(v *float32, vst int, r *float32, rw int, n int)

// winoInLanes transforms n tile positions of 16 lane-interleaved images
// (winolanes.go): r is the start of padded row 2·ty (rows rw floats
// apart, columns 16 floats apart, lanes innermost); tile position u reads
// columns 2u..2u+3 and writes its 16 lanes (two vectors) at v + ξ·vxi +
// u·vpos, ξ = 0..15:
//
//	v[ξ·vxi + u·vpos + l] = (Bᵀ d B)[ξ],  d[i][j] = r[i·rw + (2u+j)·16 + l].
//
//go:noescape
func winoInLanes(v *float32, vxi, vpos int, r *float32, rw int, n int)

// winoOutLanes is the output transform of n tile positions: m holds
// position u's 16 lanes at m + ξ·mxi + 16·u, and o is output row 2·ty of a
// lane-interleaved grid (rows orw floats apart, columns 16):
//
//	o[i·orw + (2u+j)·16 + l] = (Aᵀ m A)[i, j].
//
//go:noescape
func winoOutLanes(o *float32, orw int, m *float32, mxi int, n int)

// winoDyLanes transforms n 2×2 output-gradient tiles of a lane-interleaved
// grid (r = row 2·ty, rows rw apart, columns 16) for the filter gradient:
//
//	v[ξ·vxi + u·vpos + l] = (A e Aᵀ)[ξ],  e[i][j] = r[i·rw + (2u+j)·16 + l].
//
//go:noescape
func winoDyLanes(v *float32, vxi, vpos int, r *float32, rw int, n int)

// tr8 transposes n 8×8 blocks, block q reading the eight rows src + q·sblk
// + c·srow and writing (or with tr8Add adding to) the eight rows dst +
// q·dblk + r·drow (all in floats, each row 8 contiguous floats):
//
//	dst[q·dblk + r·drow + c] (=, +=) src[q·sblk + c·srow + r],  r, c < 8,
//
// then with tr8Shift the epilogue v + shift (+ res at dst's offset with
// tr8Res) and with tr8ReLU max(v, 0) (see rowEp).
//
//go:noescape
func tr8(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, flags int, shift float32, res *float32)

// addRows16 adds n rows of 16 floats, src's contiguous, into dst's rows ds
// floats apart: dst[i·ds + j] += src[i·16 + j].
//
//go:noescape
func addRows16(dst *float32, ds int, src *float32, n int)

// dot34 adds to a 3×4 block of m (rows ldm floats apart) the dot products
// of three rows of w (ldw apart) with four rows of v (ldv apart) over their
// first n&^7 elements, each summed in 8 lanes and then across them in a
// fixed order:
//
//	m[i·ldm + j] += Σ_{t < n&^7} w[i·ldw + t]·v[j·ldv + t],  i < 3, j < 4.
//
//go:noescape
func dot34(m *float32, ldm int, w *float32, ldw int, v *float32, ldv int, n int)

// copyRowsNT copies rows rows of 16·w16 floats, src's rows srow floats
// apart, to dst back to back with non-temporal stores, two YMM vectors a
// cache line, then SFENCE: dst must be 64-byte aligned.
//
//go:noescape
func copyRowsNT(dst, src *float32, srow, rows, w16 int)
