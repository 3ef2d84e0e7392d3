//go:build !noasm

package kernels

import "twostage/kernels/sgemm"

// useAVX2 reports whether the CPU can run the AVX2/FMA loops of
// simd_amd64.s (the hardware, whatever TWOSTAGE_SIMD says: CPU.simd makes
// the choice of path, this only guards the assembly's callers).
var useAVX2 = sgemm.Hardware() >= sgemm.AVX2

// The loops below take n, a multiple of 8 (0 allowed); simd.go runs the
// n%8 tail with the Go twins. Each doc comment is the reference loop.

// reluAVX2 writes dst[i] = max(x[i], 0) with torch.relu's NaN and −0.
//
//go:noescape
func reluAVX2(dst, x *float32, n int)

// reluGradAccAVX2 adds dst[i] += y[i] > 0 ? dy[i] : 0 (+0 where closed).
//
//go:noescape
func reluGradAccAVX2(dst, dy, y *float32, n int)

// winoInAVX2 is winoIn (conv2d_winograd.go) over tiles 0..n−1 with r the
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
// (conv2d_winolanes.go): r is the start of padded row 2·ty (rows rw floats
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

// The batch-norm loops run over rows rows of n floats (n a multiple of 8),
// stride floats apart: one channel of an [N, C, HW] tensor at once
// (batchnorm.go's bnByChannel), or with rows = 1 one contiguous run (the
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
