package batchnorm_test

import (
	"fmt"
	"math"
	"testing"

	"twostage/kernels/batchnorm"
	kt "twostage/kernels/internal/ktest"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// TestAffinePaths runs Affine and affineChannel (batch norm's forward map)
// on the avx2 and avx512 paths with every flag combination.
func TestAffinePaths(t *testing.T) {
	kt.SIMDPaths(t)
	r := kt.NewRand(21)
	const g = 16
	params := [][3]float32{{0.3, 1.7, -0.2}, {0, 1, 0.5}, {-1.5, 0, float32(math.Copysign(0, -1))}, {2, float32(math.NaN()), 1}}
	for _, n := range kt.Lengths() {
		for _, withRes := range []bool{false, true} {
			for _, relu := range []bool{false, true} {
				for pi, pm := range params {
					x := kt.Sprinkle(r, kt.Uniform(r, n, -3, 3))
					var res []float32
					if withRes {
						res = kt.Sprinkle(r, kt.Uniform(r, n, -3, 3))
					}
					var outs [2][]float32
					for i, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
						buf, y := kt.Guarded(make([]float32, n), g)
						batchnorm.Affine(p, y, x, res, pm[0], pm[1], pm[2], relu)
						kt.CheckGuard(t, fmt.Sprintf("%v affine n=%d", p, n), buf, g)
						outs[i] = y
					}
					if i, ok := kt.SameBits(outs[1], outs[0]); !ok {
						t.Fatalf("affine n=%d res=%v relu=%v params %d: [%d] avx512 %#x, avx2 %#x (x %v)", n, withRes, relu, pi,
							i, math.Float32bits(outs[1][i]), math.Float32bits(outs[0][i]), x[i])
					}
				}
			}
		}
	}
	// Channels: rows of n floats, stride apart, the gaps left alone.
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 49, 196} {
		for _, rows := range []int{1, 2, 5} {
			for _, withRes := range []bool{false, true} {
				for _, relu := range []bool{false, true} {
					stride := n + 3
					size := (rows-1)*stride + n
					x := kt.Sprinkle(r, kt.Uniform(r, size, -3, 3))
					var res []float32
					if withRes {
						res = kt.Sprinkle(r, kt.Uniform(r, size, -3, 3))
					}
					y0 := kt.Uniform(r, size, -1, 1)
					var outs [2][]float32
					for i, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
						buf, y := kt.Guarded(y0, g)
						batchnorm.AffineChannel(p, y, x, res, n, rows, stride, 0.25, 1.5, -0.5, relu)
						kt.CheckGuard(t, fmt.Sprintf("%v channel n=%d rows=%d", p, n, rows), buf, g)
						outs[i] = y
					}
					if i, ok := kt.SameBits(outs[1], outs[0]); !ok {
						t.Fatalf("channel n=%d rows=%d res=%v relu=%v: [%d] avx512 %v, avx2 %v", n, rows, withRes, relu, i, outs[1][i], outs[0][i])
					}
					for i := range size {
						if i%stride >= n && outs[1][i] != y0[i] {
							t.Fatalf("channel n=%d rows=%d: gap [%d] written", n, rows, i)
						}
					}
				}
			}
		}
	}
}

// BenchmarkAffine times batch norm's forward map on the small model's
// shapes: one 28×28 plane (L1), a by-channel call over 256 planes of 14×14
// (200 KiB, L2), and every channel of a [256, 16, 28·28] tensor a row at a
// time, as BatchNormForward's large channels run (13 MB each way, DRAM),
// each with a residual and ReLU (12 bytes an element).
func BenchmarkAffine(b *testing.B) {
	r := kt.NewRand(31)
	{
		const n = 784
		x, res, y := kt.Uniform(r, n, -1, 1), kt.Uniform(r, n, -1, 1), make([]float32, n)
		kt.BenchPaths(b, "size=784", 12*n, func(p sgemm.Path) { batchnorm.Affine(p, y, x, res, 0.1, 1.2, 0.3, true) })
	}
	{
		const n, rows = 196, 256
		x, res, y := kt.Uniform(r, n*rows, -1, 1), kt.Uniform(r, n*rows, -1, 1), make([]float32, n*rows)
		kt.BenchPaths(b, "size=256x196", 12*n*rows, func(p sgemm.Path) {
			batchnorm.AffineChannel(p, y, x, res, n, rows, n, 0.1, 1.2, 0.3, true)
		})
	}
	{
		const n, c, rows = 784, 16, 256
		x, res, y := kt.Uniform(r, n*c*rows, -1, 1), kt.Uniform(r, n*c*rows, -1, 1), make([]float32, n*c*rows)
		kt.BenchPaths(b, "size=256x16x784", 12*n*c*rows, func(p sgemm.Path) {
			for ch := range c {
				for i := range rows {
					o := (i*c + ch) * n
					batchnorm.Affine(p, y[o:o+n], x[o:o+n], res[o:o+n], 0.1, 1.2, 0.3, true)
				}
			}
		})
	}
}

// TestBNGradPaths runs bnGradv and bnChannelGrad (batch norm's backward
// map) on the avx2 and avx512 paths with every flag combination, with and
// without the ReLU gate and the residual's gradient, and compares dx and
// dr bit for bit (special values sprinkled into every input, old dx and dr
// included), inside guard bands.
func TestBNGradPaths(t *testing.T) {
	kt.SIMDPaths(t)
	r := kt.NewRand(23)
	const g = 16
	const mdy, m, k, a = 0.125, -0.3, 0.7, 1.9
	type out struct{ dx, dr []float32 }
	run := func(what string, size int, body func(p sgemm.Path, dx, dr, y []float32, flags int)) {
		for flags := range 8 {
			for _, gated := range []bool{false, true} {
				for _, withDR := range []bool{false, true} {
					var y []float32
					if gated {
						y = kt.Sprinkle(r, kt.Uniform(r, size, -1, 1))
					}
					dx0, dr0 := kt.Sprinkle(r, kt.Uniform(r, size, -1, 1)), kt.Sprinkle(r, kt.Uniform(r, size, -1, 1))
					var outs [2]out
					for i, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
						bx, dx := kt.Guarded(dx0, g)
						br, dr := kt.Guarded(dr0, g)
						if !withDR {
							dr = nil
						}
						body(p, dx, dr, y, flags)
						kt.CheckGuard(t, fmt.Sprintf("%v %s dx", p, what), bx, g)
						kt.CheckGuard(t, fmt.Sprintf("%v %s dr", p, what), br, g)
						outs[i] = out{dx, dr}
					}
					ctx := fmt.Sprintf("%s flags=%d gated=%v dr=%v", what, flags, gated, withDR)
					if i, ok := kt.SameBits(outs[1].dx, outs[0].dx); !ok {
						t.Fatalf("%s: dx[%d] avx512 %#x, avx2 %#x", ctx, i, math.Float32bits(outs[1].dx[i]), math.Float32bits(outs[0].dx[i]))
					}
					if i, ok := kt.SameBits(outs[1].dr, outs[0].dr); withDR && !ok {
						t.Fatalf("%s: dr[%d] avx512 %#x, avx2 %#x", ctx, i, math.Float32bits(outs[1].dr[i]), math.Float32bits(outs[0].dr[i]))
					}
				}
			}
		}
	}
	for _, n := range kt.Lengths() {
		dy, x := kt.Sprinkle(r, kt.Uniform(r, n, -3, 3)), kt.Sprinkle(r, kt.Uniform(r, n, -3, 3))
		run(fmt.Sprintf("row n=%d", n), n, func(p sgemm.Path, dx, dr, y []float32, flags int) {
			batchnorm.BNGradv(p, dx, dy, x, y, dr, mdy, m, k, a, flags)
		})
	}
	// Channels: channel 1 of [N, 3, HW] (the whole buffers compared: the
	// other channels must be left alone on both paths).
	for _, hw := range []int{1, 7, 8, 9, 15, 16, 17, 31, 49, 196} {
		for _, nimg := range []int{1, 2, 5} {
			s := tensor.ChanShape{N: nimg, C: 3, HW: hw}
			size := s.N * s.C * s.HW
			dy, x := kt.Sprinkle(r, kt.Uniform(r, size, -3, 3)), kt.Sprinkle(r, kt.Uniform(r, size, -3, 3))
			run(fmt.Sprintf("channel hw=%d n=%d", hw, nimg), size, func(p sgemm.Path, dx, dr, y []float32, flags int) {
				batchnorm.BNChannelGrad(p, dx, dy, x, y, dr, s, 1, mdy, m, k, a, flags)
			})
		}
	}
}
