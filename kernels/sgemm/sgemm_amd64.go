//go:build !noasm

package sgemm

// kernelAVX2 computes one mr×nr (6×16) tile of C from a packed A panel a
// (a[p*6+i] = op(A)[i, p]) and a packed B panel b (b[p*16+j] = op(B)[p, j]),
// k ≥ 1, writing the tile at c with row stride ldc (in elements):
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s = fma(a[p*6+i], b[p*16+j], s)
//			}
//			if beta == 0 { // ±0 by bit pattern: C is not read
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = fma(alpha, s, beta*c[i*ldc+j])
//			}
//		}
//	}
//
// All 6 rows × 16 columns of the tile must lie inside C's backing array.
// It is kernelBlockAVX2's one-tile grid.
func kernelAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32) {
	kernelBlockAVX2(k, a, b, c, ldc, alpha, beta, 1, 1)
}

// pack6 interleaves six rows of a row-major matrix (row stride ld) into a
// packed A panel, k ≥ 0, eight columns at a time through 8×8 register
// transposes (AVX); it runs only beside kernelAVX2, so that the NoSIMD path
// tests the Go packing:
//
//	for p := 0; p < k; p++ {
//		for i := 0; i < 6; i++ {
//			dst[p*6+i] = src[i*ld+p]
//		}
//	}
//
//go:noescape
func pack6(k int, src *float32, ld int, dst *float32)

// transpose8 transposes the 8×(k&^7) block of 8 rows at src (row stride
// ld) into dst with row stride stride, 8×8 blocks at a time in registers;
// the k%8 tail columns are the caller's:
//
//	for p := 0; p < k&^7; p++ {
//		for i := 0; i < 8; i++ {
//			dst[p*stride+i] = src[i*ld+p]
//		}
//	}
//
//go:noescape
func transpose8(k int, src *float32, ld int, dst *float32, stride int)

// kernelRowsAVX2 is kernelAVX2 with B read in place instead of from a packed
// panel: row p of the tile's k×16 B panel is the 16 floats at
// b[boff[p] : boff[p]+16] (b already offset to the tile's first column).
// Each k step runs the same FMAs in the same order as kernelAVX2 on the
// packed copy, so the two give the same bits.
//
//go:noescape
func kernelRowsAVX2(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32)

func packRow16(n int, src, dst *float32, stride int, pf *float32)

func packRow6(n int, src, dst *float32, stride int, pf *float32)

// kernelBlockAVX2 is kernelAVX2 over an mpan×npan grid of whole tiles: A
// panels one after another (6·k floats each), B panels likewise (16·k),
// tile (ir, jr) of C at c + 6·ir·ldc + 16·jr; columns outer, rows inner.
//
//go:noescape
func kernelBlockAVX2(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int)

// kernelBlockAVX512 is kernelBlockAVX2 with 16×16 tiles on ZMM registers
// (the avx512 path): A panels of 16·k floats (a[p*16+i] = op(A)[i, p]), B
// panels of 16·k, tile (ir, jr) of C at c + 16·ir·ldc + 16·jr, each tile
//
//	for i := 0; i < 16; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s = fma(a[p*16+i], b[p*16+j], s)
//			}
//			if beta == 0 { // ±0 by bit pattern: C is not read
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = fma(alpha, s, beta*c[i*ldc+j])
//			}
//		}
//	}
//
// k ≥ 1; columns outer, rows inner. Each element's FMAs are kernelAVX2's,
// in the same order.
//
//go:noescape
func kernelBlockAVX512(k int, a, b, c *float32, ldc int, alpha, beta float32, mpan, npan int)

// kernelRowsAVX512 is kernelRowsAVX2 on a 16×16 tile: row p of the tile's
// B panel is the 16 floats at b[boff[p] : boff[p]+16], A a packed 16-row
// panel; the same bits as kernelBlockAVX512 on the packed copy.
//
//go:noescape
func kernelRowsAVX512(k int, a, b *float32, boff *int, c *float32, ldc int, alpha, beta float32)

// fmaPeakAVX2 runs n iterations of 24 independent YMM FMAs (12
// accumulators, two FMAs each), the avx2 path's FMA peak loop.
//
//go:noescape
func fmaPeakAVX2(n int)

// fmaPeakAVX512 is fmaPeakAVX2 on ZMM registers (24 accumulators).
//
//go:noescape
func fmaPeakAVX512(n int)
