package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"twostage/kernels"
	"twostage/kernels/sgemm"
)

// The avx512 path's twins of the memory-bound AVX2 loops (affineRows, tr8,
// addRows16) must give the avx2 path's bits, NaN payloads and signed zeros
// included: these tests run both paths (and go where it is defined) on the
// same inputs, over every tail length of the 8- and 16-lane loops, and
// compare the outputs bit for bit, inside guard bands.

// specialVals are the values the twins must treat as their AVX2 loops do:
// NaNs of both signs with distinct payloads (a signalling one among them),
// signed zeros and infinities, a subnormal and the largest float.
var specialVals = []float32{
	math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00123), math.Float32frombits(0x7f800001),
	float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(1), math.MaxFloat32,
}

// sprinkle replaces about one element in four of x by a special value.
func sprinkle(r *rand.Rand, x []float32) []float32 {
	for i := range x {
		if r.IntN(4) == 0 {
			x[i] = specialVals[r.IntN(len(specialVals))]
		}
	}
	return x
}

// sameBits reports the first index where a and b differ in their bits.
func sameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// simdPaths are the SIMD paths this process runs, avx2 first (the
// reference of the avx512 twins); the test is skipped without both.
func simdPaths(t *testing.T) {
	t.Helper()
	if !sgemm.AVX512.Available() || !kernels.HasAVX512() {
		t.Skip("no avx512 path here")
	}
}

// lengths are the row lengths tested: every tail of 8 and 16 lanes, and
// the planes of the encoders (7², 14², 28², 32²).
func lengths() []int {
	var ns []int
	for n := 0; n <= 40; n++ {
		ns = append(ns, n)
	}
	return append(ns, 47, 49, 63, 65, 196, 784, 1024)
}

// TestAffinePaths runs affinev and affineChannel (batch norm's forward map)
// on the avx2 and avx512 paths with every flag combination.
func TestAffinePaths(t *testing.T) {
	simdPaths(t)
	r := kt.NewRand(21)
	const g = 16
	params := [][3]float32{{0.3, 1.7, -0.2}, {0, 1, 0.5}, {-1.5, 0, float32(math.Copysign(0, -1))}, {2, float32(math.NaN()), 1}}
	for _, n := range lengths() {
		for _, withRes := range []bool{false, true} {
			for _, relu := range []bool{false, true} {
				for pi, pm := range params {
					x := sprinkle(r, kt.Uniform(r, n, -3, 3))
					var res []float32
					if withRes {
						res = sprinkle(r, kt.Uniform(r, n, -3, 3))
					}
					var outs [2][]float32
					for i, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
						buf, y := kt.Guarded(make([]float32, n), g)
						kernels.Affinev(p, y, x, res, pm[0], pm[1], pm[2], relu)
						kt.CheckGuard(t, fmt.Sprintf("%v affine n=%d", p, n), buf, g)
						outs[i] = y
					}
					if i, ok := sameBits(outs[1], outs[0]); !ok {
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
					x := sprinkle(r, kt.Uniform(r, size, -3, 3))
					var res []float32
					if withRes {
						res = sprinkle(r, kt.Uniform(r, size, -3, 3))
					}
					y0 := kt.Uniform(r, size, -1, 1)
					var outs [2][]float32
					for i, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
						buf, y := kt.Guarded(y0, g)
						kernels.AffineChannel(p, y, x, res, n, rows, stride, 0.25, 1.5, -0.5, relu)
						kt.CheckGuard(t, fmt.Sprintf("%v channel n=%d rows=%d", p, n, rows), buf, g)
						outs[i] = y
					}
					if i, ok := sameBits(outs[1], outs[0]); !ok {
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

// TestTranspose16x16 checks tr16 against its definition, every flag
// combination, strided rows, special values.
func TestTranspose16x16(t *testing.T) {
	simdPaths(t)
	r := kt.NewRand(22)
	const n, drow, dblk, srow, sblk, g = 3, 19, 330, 37, 16, 16
	for flags := range 16 { // add, ep, res, relu
		add, ep, withRes, relu := flags&1 != 0, flags&2 != 0, flags&4 != 0, flags&8 != 0
		if !ep && (withRes || relu) {
			continue
		}
		src := sprinkle(r, kt.Uniform(r, (n-1)*sblk+15*srow+16, -1, 1))
		dst0 := sprinkle(r, kt.Uniform(r, (n-1)*dblk+15*drow+16, -1, 1))
		var res []float32
		if withRes {
			res = sprinkle(r, kt.Uniform(r, len(dst0), -1, 1))
		}
		shift := float32(-0.3)
		want := append([]float32(nil), dst0...)
		for q := 0; q < n; q++ {
			for i := 0; i < 16; i++ {
				for j := 0; j < 16; j++ {
					o := q*dblk + i*drow + j
					v := src[q*sblk+j*srow+i]
					if add {
						v += want[o]
					}
					if ep {
						v += shift
						if res != nil {
							v += res[o]
						}
						if relu && v == v { // VMAXPS keeps a NaN's sign, Go's max clears it
							v = max(v, 0)
						}
					}
					want[o] = v
				}
			}
		}
		buf, dst := kt.Guarded(dst0, g)
		kernels.Transpose16x16(dst, drow, dblk, src, srow, sblk, n, add, ep, shift, res, relu)
		kt.CheckGuard(t, "tr16", buf, g)
		if i, ok := sameBits(dst, want); !ok {
			t.Fatalf("add=%v ep=%v res=%v relu=%v: dst[%d] = %#x, want %#x", add, ep, withRes, relu, i, math.Float32bits(dst[i]), math.Float32bits(want[i]))
		}
	}
}

// TestInterleavePaths runs interleave and deinterleave (the lanes'
// 8×8 or 16×16 transposes and their Go tails) on every SIMD path with
// full and partial blocks of images and every epilogue.
func TestInterleavePaths(t *testing.T) {
	simdPaths(t)
	r := kt.NewRand(23)
	paths := []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512}
	for _, np := range lengths()[1:] { // callers have positions
		for _, cnt := range []int{20, 16, 9, 8, 3} {
			stride := np + 5
			src := sprinkle(r, kt.Uniform(r, (cnt-1)*stride+np+1, -1, 1))
			var outs [3][]float32
			for i, p := range paths {
				buf, dst := kt.Guarded(kt.Uniform(r, np*16, -1, 1), 16)
				kernels.Interleave(p, dst, src, stride, np, cnt)
				kt.CheckGuard(t, fmt.Sprintf("%v interleave", p), buf, 16)
				outs[i] = dst
			}
			for i := 1; i < 3; i++ {
				if j, ok := sameBits(outs[i], outs[0]); !ok {
					t.Fatalf("interleave np=%d cnt=%d: %v [%d] = %v, go %v", np, cnt, paths[i], j, outs[i][j], outs[0][j])
				}
			}
			lanes := sprinkle(r, kt.Uniform(r, np*16, -1, 1))
			dst0 := sprinkle(r, kt.Uniform(r, (cnt-1)*stride+np, -1, 1))
			res := sprinkle(r, kt.Uniform(r, len(dst0), -1, 1))
			for flags := range 16 {
				add, ep, withRes, relu := flags&1 != 0, flags&2 != 0, flags&4 != 0, flags&8 != 0
				if !ep && (withRes || relu) {
					continue
				}
				var rs []float32
				if withRes {
					rs = res
				}
				for i, p := range paths {
					buf, dst := kt.Guarded(dst0, 16)
					kernels.Deinterleave(p, dst, stride, lanes, np, cnt, add, ep, 0.125, rs, relu)
					kt.CheckGuard(t, fmt.Sprintf("%v deinterleave", p), buf, 16)
					outs[i] = dst
				}
				for i := 1; i < 3; i++ {
					if j, ok := sameBits(outs[i], outs[0]); !ok {
						t.Fatalf("deinterleave np=%d cnt=%d flags=%d: %v [%d] = %#x, go %#x", np, cnt, flags, paths[i], j,
							math.Float32bits(outs[i][j]), math.Float32bits(outs[0][j]))
					}
				}
			}
		}
	}
}

// benchPaths runs body as sub-benchmarks path=avx2 and path=avx512 (where
// the processor has it), reporting GB/s for bytes moved per call.
func benchPaths(b *testing.B, name string, bytes int, body func(p sgemm.Path)) {
	for _, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
		if !p.Available() || p == sgemm.AVX512 && !kernels.HasAVX512() {
			continue
		}
		b.Run("path="+p.String()+"/"+name, func(b *testing.B) {
			b.SetBytes(int64(bytes))
			body(p) // touch the buffers' pages first (b.Loop starts the clock)
			for b.Loop() {
				body(p)
			}
			b.ReportMetric(float64(bytes)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
		})
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
		benchPaths(b, "size=784", 12*n, func(p sgemm.Path) { kernels.Affinev(p, y, x, res, 0.1, 1.2, 0.3, true) })
	}
	{
		const n, rows = 196, 256
		x, res, y := kt.Uniform(r, n*rows, -1, 1), kt.Uniform(r, n*rows, -1, 1), make([]float32, n*rows)
		benchPaths(b, "size=256x196", 12*n*rows, func(p sgemm.Path) {
			kernels.AffineChannel(p, y, x, res, n, rows, n, 0.1, 1.2, 0.3, true)
		})
	}
	{
		const n, c, rows = 784, 16, 256
		x, res, y := kt.Uniform(r, n*c*rows, -1, 1), kt.Uniform(r, n*c*rows, -1, 1), make([]float32, n*c*rows)
		benchPaths(b, "size=256x16x784", 12*n*c*rows, func(p sgemm.Path) {
			for ch := range c {
				for i := range rows {
					o := (i*c + ch) * n
					kernels.Affinev(p, y[o:o+n], x[o:o+n], res[o:o+n], 0.1, 1.2, 0.3, true)
				}
			}
		})
	}
}

// BenchmarkDeinterleave times the lanes' output transposes (deinterleave
// with a shift, residual and ReLU, as a conv's fused epilogue, 12 bytes an
// element): a 7×7 and a 28×28 plane of 16 images (L1, L2) and 64 channels
// of 32×32 planes for 256 images (67 MB each way, DRAM).
func BenchmarkDeinterleave(b *testing.B) {
	r := kt.NewRand(32)
	for _, sh := range []struct {
		name     string
		np, k, n int
	}{{"size=16x49", 49, 1, 16}, {"size=16x784", 784, 1, 16}, {"size=256x64x1024", 1024, 64, 256}} {
		kp := sh.k * sh.np
		lanes := kt.Uniform(r, 16*sh.np, -1, 1)
		dst, res := make([]float32, sh.n*kp), kt.Uniform(r, sh.n*kp, -1, 1)
		benchPaths(b, sh.name, 12*sh.n*kp, func(p sgemm.Path) {
			for b0 := 0; b0 < sh.n; b0 += 16 {
				for k := range sh.k {
					at := b0*kp + k*sh.np
					kernels.Deinterleave(p, dst[at:], kp, lanes, sh.np, 16, false, true, 0.1, res[at:], true)
				}
			}
		})
	}
}

// BenchmarkInterleave times the lanes' input transposes on the same
// shapes (8 bytes an element).
func BenchmarkInterleave(b *testing.B) {
	r := kt.NewRand(33)
	for _, sh := range []struct {
		name     string
		np, k, n int
	}{{"size=16x49", 49, 1, 16}, {"size=16x784", 784, 1, 16}, {"size=256x64x1024", 1024, 64, 256}} {
		kp := sh.k * sh.np
		src, lanes := kt.Uniform(r, sh.n*kp, -1, 1), make([]float32, 16*sh.np)
		benchPaths(b, sh.name, 8*sh.n*kp, func(p sgemm.Path) {
			for b0 := 0; b0 < sh.n; b0 += 16 {
				for k := range sh.k {
					kernels.Interleave(p, lanes, src[b0*kp+k*sh.np:], kp, sh.np, 16)
				}
			}
		})
	}
}

// BenchmarkAddRows16 times col2im's row adds (12 bytes an element): one
// output row of a 14×14 stride-2 layer (L1), 4096 rows (L2) and 2^19 rows
// (32 MB of src, DRAM), dst rows two apart as at stride 2.
func BenchmarkAddRows16(b *testing.B) {
	r := kt.NewRand(34)
	for _, sh := range []struct {
		name string
		n    int
	}{{"size=14", 14}, {"size=4096", 4096}, {"size=524288", 1 << 19}} {
		src, dst := kt.Uniform(r, 16*sh.n, -1, 1), make([]float32, 32*sh.n)
		benchPaths(b, sh.name, 12*16*sh.n, func(p sgemm.Path) { kernels.AddRows16(p, dst, 32, src, sh.n) })
	}
}
