//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// useAVX2 selects the AVX2/FMA loops of simd_amd64.s for the memory-bound
// kernels (batch norm, ReLU); kernels/sgemm makes the same choice for GEMM.
var useAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)

// The loops below take n, a multiple of 8 (0 allowed); simd.go runs the
// n%8 tail with the Go twins. Each doc comment is the reference loop.

// sum64AVX2 returns Σ x[i] accumulated in float64 (eight partial sums).
//
//go:noescape
func sum64AVX2(x *float32, n int) float64

// sqDev64AVX2 returns Σ (x[i] − m)² accumulated in float64.
//
//go:noescape
func sqDev64AVX2(x *float32, n int, m float64) float64

// sumDot64AVX2 returns sdy = Σ g[i] and sdyc = Σ g[i]·(x[i] − m) in float64,
// where g[i] = dy[i], or with a gate y != nil, g[i] = y[i] > 0 ? dy[i] : 0.
//
//go:noescape
func sumDot64AVX2(dy, x, y *float32, n int, m float64) (sdy, sdyc float64)

// affineAVX2 writes y[i] = fma(x[i] − m, scale, shift) (+ r[i] when r !=
// nil), then max(·, 0) when relu != 0 (NaN passes, −0 becomes +0).
//
//go:noescape
func affineAVX2(y, x, r *float32, n int, m, scale, shift float32, relu int)

// bnGradAVX2 computes, with g[i] = dy[i] gated by y[i] > 0 when y != nil:
//
//	dr[i] += g[i]                                (when dr != nil)
//	dx[i] += (g[i] − mdy − (x[i] − m)·k)·a       (centre != 0)
//	dx[i] += g[i]·a                              (centre == 0)
//
//go:noescape
func bnGradAVX2(dx, dy, x, y, dr *float32, n int, mdy, m, k, a float32, centre int)

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
// + c·srow and writing (add = 0) or adding to (add ≠ 0) the eight rows dst
// + q·dblk + r·drow (all in floats, each row 8 contiguous floats):
//
//	dst[q·dblk + r·drow + c] (=, +=) src[q·sblk + c·srow + r],  r, c < 8.
//
//go:noescape
func tr8(dst *float32, drow, dblk int, src *float32, srow, sblk int, n int, add int)

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

// The batch-norm loops over rows rows of n floats (n a multiple of 8),
// stride floats apart, one channel of an [N, C, HW] tensor: sum64AVX2,
// sqDev64AVX2, sumDot64AVX2, affineAVX2 and bnGradAVX2 with a loop over
// the rows around them (their sums run on across the rows).

//go:noescape
func sum64Rows(x *float32, n, rows, stride int) float64

//go:noescape
func sqDev64Rows(x *float32, n, rows, stride int, m float64) float64

//go:noescape
func sumDot64Rows(dy, x, y *float32, n, rows, stride int, m float64) (sdy, sdyc float64)

//go:noescape
func affineRows(y, x, r *float32, n, rows, stride int, m, scale, shift float32, relu int)

//go:noescape
func bnGradRows(dx, dy, x, y, dr *float32, n, rows, stride int, mdy, m, k, a float32, centre int)
