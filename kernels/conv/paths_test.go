package conv_test

import (
	"twostage/kernels/conv"
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/kernels/sgemm"
)

// TestTranspose16x16 checks tr16 against its definition, every flag
// combination, strided rows, special values.
func TestTranspose16x16(t *testing.T) {
	kt.SIMDPaths(t)
	r := kt.NewRand(22)
	const n, drow, dblk, srow, sblk, g = 3, 19, 330, 37, 16, 16
	for flags := range 16 { // add, ep, res, relu
		add, ep, withRes, relu := flags&1 != 0, flags&2 != 0, flags&4 != 0, flags&8 != 0
		if !ep && (withRes || relu) {
			continue
		}
		src := kt.Sprinkle(r, kt.Uniform(r, (n-1)*sblk+15*srow+16, -1, 1))
		dst0 := kt.Sprinkle(r, kt.Uniform(r, (n-1)*dblk+15*drow+16, -1, 1))
		var res []float32
		if withRes {
			res = kt.Sprinkle(r, kt.Uniform(r, len(dst0), -1, 1))
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
		conv.Transpose16x16(dst, drow, dblk, src, srow, sblk, n, add, ep, shift, res, relu)
		kt.CheckGuard(t, "tr16", buf, g)
		if i, ok := kt.SameBits(dst, want); !ok {
			t.Fatalf("add=%v ep=%v res=%v relu=%v: dst[%d] = %#x, want %#x", add, ep, withRes, relu, i, math.Float32bits(dst[i]), math.Float32bits(want[i]))
		}
	}
}

// TestInterleavePaths runs interleave and deinterleave (the lanes'
// 8×8 or 16×16 transposes and their Go tails) on every SIMD path with
// full and partial blocks of images and every epilogue.
func TestInterleavePaths(t *testing.T) {
	kt.SIMDPaths(t)
	r := kt.NewRand(23)
	paths := []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512}
	for _, np := range kt.Lengths()[1:] { // callers have positions
		for _, cnt := range []int{20, 16, 9, 8, 3} {
			stride := np + 5
			src := kt.Sprinkle(r, kt.Uniform(r, (cnt-1)*stride+np+1, -1, 1))
			var outs [3][]float32
			for i, p := range paths {
				buf, dst := kt.Guarded(kt.Uniform(r, np*16, -1, 1), 16)
				conv.Interleave(p, dst, src, stride, np, cnt)
				kt.CheckGuard(t, fmt.Sprintf("%v interleave", p), buf, 16)
				outs[i] = dst
			}
			for i := 1; i < 3; i++ {
				if j, ok := kt.SameBits(outs[i], outs[0]); !ok {
					t.Fatalf("interleave np=%d cnt=%d: %v [%d] = %v, go %v", np, cnt, paths[i], j, outs[i][j], outs[0][j])
				}
			}
			lanes := kt.Sprinkle(r, kt.Uniform(r, np*16, -1, 1))
			dst0 := kt.Sprinkle(r, kt.Uniform(r, (cnt-1)*stride+np, -1, 1))
			res := kt.Sprinkle(r, kt.Uniform(r, len(dst0), -1, 1))
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
					conv.Deinterleave(p, dst, stride, lanes, np, cnt, add, ep, 0.125, rs, relu)
					kt.CheckGuard(t, fmt.Sprintf("%v deinterleave", p), buf, 16)
					outs[i] = dst
				}
				for i := 1; i < 3; i++ {
					if j, ok := kt.SameBits(outs[i], outs[0]); !ok {
						t.Fatalf("deinterleave np=%d cnt=%d flags=%d: %v [%d] = %#x, go %#x", np, cnt, flags, paths[i], j,
							math.Float32bits(outs[i][j]), math.Float32bits(outs[0][j]))
					}
				}
			}
		}
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
		kt.BenchPaths(b, sh.name, 12*sh.n*kp, func(p sgemm.Path) {
			for b0 := 0; b0 < sh.n; b0 += 16 {
				for k := range sh.k {
					at := b0*kp + k*sh.np
					conv.Deinterleave(p, dst[at:], kp, lanes, sh.np, 16, false, true, 0.1, res[at:], true)
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
		kt.BenchPaths(b, sh.name, 8*sh.n*kp, func(p sgemm.Path) {
			for b0 := 0; b0 < sh.n; b0 += 16 {
				for k := range sh.k {
					conv.Interleave(p, lanes, src[b0*kp+k*sh.np:], kp, sh.np, 16)
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
		kt.BenchPaths(b, sh.name, 12*16*sh.n, func(p sgemm.Path) { conv.AddRows16(p, dst, 32, src, sh.n) })
	}
}

// TestTranspose8x8 checks the 8×8 block transposes (tr8) against their
// definition, with and without add, on strided rows.
func TestTranspose8x8(t *testing.T) {
	type epCase struct {
		on, res, relu bool
		shift         float32
	}
	for _, simd := range []bool{false, true} {
		for _, add := range []bool{false, true} {
			for _, ep := range []epCase{{}, {on: true, shift: 0.25}, {on: true, relu: true, shift: -0.3}, {on: true, res: true, relu: true, shift: 0.1}, {on: true, res: true, shift: -0.2}} {
				const n, drow, dblk, srow, sblk = 3, 11, 96, 29, 8
				src := kt.DenseRand(5, (n-1)*sblk+7*srow+8, -1, 1)
				dst := kt.DenseRand(6, (n-1)*dblk+7*drow+8, -1, 1)
				var res []float32
				if ep.res {
					res = kt.DenseRand(9, len(dst), -1, 1)
				}
				want := append([]float32(nil), dst...)
				for q := 0; q < n; q++ {
					for r := 0; r < 8; r++ {
						for c := 0; c < 8; c++ {
							o := q*dblk + r*drow + c
							v := src[q*sblk+c*srow+r]
							if add {
								v += want[o]
							}
							if ep.on {
								v += ep.shift
								if res != nil {
									v += res[o]
								}
								if ep.relu {
									v = max(v, 0)
								}
							}
							want[o] = v
						}
					}
				}
				conv.Transpose8x8(simd, dst, drow, dblk, src, srow, sblk, n, add, ep.on, ep.shift, res, ep.relu)
				for i := range want {
					if dst[i] != want[i] {
						t.Fatalf("simd=%v add=%v ep=%+v: dst[%d] = %v, want %v", simd, add, ep, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

// TestAddRows16 checks the strided row adds (addRows16 and its twins) on
// every path against their definition, and the SIMD paths bit for bit
// against each other with special values (two NaNs: the loops add src +
// dst, whose payload wins).
func TestAddRows16(t *testing.T) {
	r := kt.NewRand(24)
	for _, n := range []int{1, 5, 64} {
		const ds = 37
		src := kt.Sprinkle(r, kt.DenseRand(7, 16*n, -1, 1))
		dst0 := kt.Sprinkle(r, kt.DenseRand(8, (n-1)*ds+16, -1, 1))
		want := append([]float32(nil), dst0...)
		for i := 0; i < n; i++ {
			for j := 0; j < 16; j++ {
				want[i*ds+j] += src[i*16+j]
			}
		}
		var simd [][]float32
		for _, p := range sgemm.Paths() {
			buf, dst := kt.Guarded(dst0, 16)
			conv.AddRows16(p, dst, ds, src, n)
			kt.CheckGuard(t, fmt.Sprintf("%v addRows16", p), buf, 16)
			for i := range want {
				if dst[i] != want[i] && !(dst[i] != dst[i] && want[i] != want[i]) {
					t.Fatalf("%v n=%d: dst[%d] = %v, want %v", p, n, i, dst[i], want[i])
				}
			}
			if p >= sgemm.AVX2 {
				simd = append(simd, dst)
			}
		}
		for k := 1; k < len(simd); k++ {
			if i, ok := kt.SameBits(simd[k], simd[0]); !ok {
				t.Fatalf("n=%d: path %d [%d] = %#x, avx2 %#x", n, k, i, math.Float32bits(simd[k][i]), math.Float32bits(simd[0][i]))
			}
		}
	}
}

// TestDotNT checks the unpacked M += W·Vᵀ (dot34 blocks, dot38AVX512 pairs
// of them on avx512, Go remainders) against float64 sums on every path the
// CPU has, on shapes with every remainder (C = 20: two 8-column pairs and a
// single block), and the SIMD paths against each other bit for bit.
func TestDotNT(t *testing.T) {
	for _, sh := range [][3]int{{6, 8, 64}, {7, 9, 37}, {1, 1, 5}, {18, 16, 256}, {9, 20, 48}, {3, 24, 8}} {
		K, C, n := sh[0], sh[1], sh[2]
		ldm, ldw, ldv := C+1, n+3, n+5
		w := kt.DenseRand(9, K*ldw, -1, 1)
		v := kt.DenseRand(10, C*ldv, -1, 1)
		m0 := kt.DenseRand(11, K*ldm, -1, 1)
		want := kt.DenseF64(m0)
		for k := 0; k < K; k++ {
			for c := 0; c < C; c++ {
				for i := 0; i < n; i++ {
					want[k*ldm+c] += float64(w[k*ldw+i]) * float64(v[c*ldv+i])
				}
			}
		}
		var simd []float32 // the first SIMD path's result
		for _, p := range []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512} {
			if !p.Available() {
				continue
			}
			m := append([]float32(nil), m0...)
			conv.DotNT(p, m, ldm, w, ldw, v, ldv, K, C, n)
			for k := 0; k < K; k++ {
				kt.DenseClose(t, fmt.Sprintf("%v %v row %d", p, sh, k), m[k*ldm:k*ldm+C], want[k*ldm:k*ldm+C], 1e-5*math.Sqrt(float64(n)), 1e-4)
			}
			if p == sgemm.Go {
				continue
			}
			if simd == nil {
				simd = m
				continue
			}
			for i := range m {
				if math.Float32bits(m[i]) != math.Float32bits(simd[i]) {
					t.Fatalf("%v %v [%d] = %#x, avx2 %#x", p, sh, i, math.Float32bits(m[i]), math.Float32bits(simd[i]))
				}
			}
		}
	}
}

// TestStreamRows checks streamRows (the non-temporal row copies and Go's
// copy) against its definition on every path, with aligned and unaligned
// destinations, widths that are and are not multiples of 16, and a guard
// band around dst.
func TestStreamRows(t *testing.T) {
	r := kt.NewRand(24)
	for _, p := range []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512} {
		if !p.Available() {
			continue
		}
		for _, w := range []int{16, 32, 48, 28, 1} {
			for _, rows := range []int{1, 2, 7, 64} {
				for _, shift := range []int{0, 3} { // dst aligned, then not
					srow := w + 2
					src := kt.Sprinkle(r, kt.Uniform(r, (rows-1)*srow+w, -1, 1))
					n := rows * w
					buf := make([]float32, n+64)
					kt.Fill32(buf, kt.GuardVal)
					off := 16
					for !conv.Aligned64(buf[off:]) {
						off++
					}
					off += shift
					dst := buf[off : off+n]
					conv.StreamRows(p, dst, src, srow, rows, w)
					for i, v := range buf {
						if (i < off || i >= off+n) && v != kt.GuardVal {
							t.Fatalf("%v w=%d rows=%d shift=%d: write outside dst at %d", p, w, rows, shift, i-off)
						}
					}
					want := make([]float32, n)
					for i := 0; i < rows; i++ {
						for j := 0; j < w; j++ {
							want[i*w+j] = src[i*srow+j]
						}
					}
					kt.DenseSameBits(t, fmt.Sprintf("%v w=%d rows=%d shift=%d", p, w, rows, shift), dst, want)
				}
			}
		}
	}
}
