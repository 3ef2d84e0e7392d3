package conv_test

import (
	"twostage/kernels/conv"
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"twostage/kernels"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// slowConv2D64 is the textbook 7-loop cross-correlation in float64:
//
//	y[n,k,oh,ow] = Σ_{c,r,q} x[n, c, oh·st−pad+r, ow·st−pad+q]·w[k,c,r,q]
//
// with x read as 0 outside the image. x [N,C,H,W], w [K,C,R,S], y [N,K,OH,OW].
func slowConv2D64(x, w []float64, s tensor.ConvShape) []float64 {
	y := make([]float64, s.N*s.K*s.OH*s.OW)
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for oh := 0; oh < s.OH; oh++ {
				for ow := 0; ow < s.OW; ow++ {
					var acc float64
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := oh*s.Stride-s.Pad+r, ow*s.Stride-s.Pad+q
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								acc += x[((n*s.C+c)*s.H+ih)*s.W+iw] * w[((k*s.C+c)*s.R+r)*s.S+q]
							}
						}
					}
					y[((n*s.K+k)*s.OH+oh)*s.OW+ow] = acc
				}
			}
		}
	}
	return y
}

// slowConv2DBackwardData64 is ∂(Σ dy·y)/∂x for slowConv2D64: every product
// x[n,c,ih,iw]·w[k,c,r,q] of the forward sum sends dy[n,k,oh,ow]·w[k,c,r,q]
// back to x[n,c,ih,iw]. It returns dx [N,C,H,W].
func slowConv2DBackwardData64(dy, w []float64, s tensor.ConvShape) []float64 {
	dx := make([]float64, s.N*s.C*s.H*s.W)
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for oh := 0; oh < s.OH; oh++ {
				for ow := 0; ow < s.OW; ow++ {
					g := dy[((n*s.K+k)*s.OH+oh)*s.OW+ow]
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := oh*s.Stride-s.Pad+r, ow*s.Stride-s.Pad+q
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								dx[((n*s.C+c)*s.H+ih)*s.W+iw] += g * w[((k*s.C+c)*s.R+r)*s.S+q]
							}
						}
					}
				}
			}
		}
	}
	return dx
}

// slowConv2DBackwardFilter64 is ∂(Σ dy·y)/∂w for slowConv2D64:
// dw[k,c,r,q] = Σ_{n,oh,ow} dy[n,k,oh,ow]·x[n,c,ih,iw]. It returns dw [K,C,R,S].
func slowConv2DBackwardFilter64(dy, x []float64, s tensor.ConvShape) []float64 {
	dw := make([]float64, s.K*s.C*s.R*s.S)
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for oh := 0; oh < s.OH; oh++ {
				for ow := 0; ow < s.OW; ow++ {
					g := dy[((n*s.K+k)*s.OH+oh)*s.OW+ow]
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := oh*s.Stride-s.Pad+r, ow*s.Stride-s.Pad+q
								if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
									continue
								}
								dw[((k*s.C+c)*s.R+r)*s.S+q] += g * x[((n*s.C+c)*s.H+ih)*s.W+iw]
							}
						}
					}
				}
			}
		}
	}
	return dw
}

// convCase builds a ConvShape from x [n,c,h,h] and w [k,c,r,q].
func convCase(n, c, h, k, r, q, stride, pad int) tensor.ConvShape {
	return tensor.ConvShapeOf(tensor.Shape{n, c, h, h}, tensor.Shape{k, c, r, q}, stride, pad)
}

func convName(s tensor.ConvShape) string {
	return fmt.Sprintf("N%d_C%d_H%dx%d_K%d_R%dx%d_s%d_p%d", s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.Stride, s.Pad)
}

// TestConv2DReferenceGradients checks the float64 backward references
// against central finite differences of L(x, w) = Σ g·conv(x, w) for a fixed
// random g. L is linear in x and in w, so the central difference is exact but
// for rounding and the tolerance can be tight.
func TestConv2DReferenceGradients(t *testing.T) {
	for _, s := range []tensor.ConvShape{
		convCase(2, 2, 5, 3, 3, 3, 2, 1),
		convCase(1, 3, 4, 2, 3, 1, 1, 1),
		convCase(2, 2, 3, 2, 1, 1, 2, 0),
	} {
		t.Run(convName(s), func(t *testing.T) {
			x := kt.DenseF64(kt.DenseRand(1, s.N*s.C*s.H*s.W, -1, 1))
			w := kt.DenseF64(kt.DenseRand(2, s.K*s.C*s.R*s.S, -1, 1))
			g := kt.DenseF64(kt.DenseRand(3, s.N*s.K*s.OH*s.OW, -1, 1))
			loss := func(x, w []float64) float64 {
				var l float64
				for i, v := range slowConv2D64(x, w, s) {
					l += g[i] * v
				}
				return l
			}
			set := &fd.Settings{Formula: fd.Central, Step: 1e-3}
			dx := fd.Gradient(nil, func(v []float64) float64 { return loss(v, w) }, x, set)
			dw := fd.Gradient(nil, func(v []float64) float64 { return loss(x, v) }, w, set)
			kt.DenseClose64(t, "dx", slowConv2DBackwardData64(g, w, s), dx, 1e-9, 1e-6)
			kt.DenseClose64(t, "dw", slowConv2DBackwardFilter64(g, x, s), dw, 1e-9, 1e-6)
		})
	}
}

// convCases are the shapes every backend is checked on: odd sizes (C=3, K=5,
// 7×7 images, stride 2, pad 0/1, kernels 1 and 3, non-square kernels,
// windows that see only padding), batches that make several image groups,
// and the encoder's ResNet18 shapes at batch 2.
func convCases() []tensor.ConvShape {
	return []tensor.ConvShape{
		convCase(1, 3, 7, 5, 3, 3, 1, 1),
		convCase(3, 3, 7, 5, 3, 3, 2, 0),
		convCase(3, 3, 7, 5, 3, 3, 2, 1),
		convCase(1, 3, 7, 5, 1, 1, 1, 0), // pointwise: no im2col
		convCase(3, 3, 7, 5, 1, 1, 2, 0),
		convCase(3, 3, 7, 5, 5, 5, 1, 2),
		convCase(2, 3, 7, 5, 3, 1, 1, 1), // R ≠ S
		convCase(2, 3, 2, 4, 3, 3, 2, 1), // some windows see only padding
		convCase(2, 2, 1, 3, 3, 3, 1, 1), // 1×1 image, 3×3 kernel
		convCase(5, 3, 4, 5, 3, 3, 1, 1), // 16 output pixels: groups of images
		convCase(7, 3, 4, 5, 1, 1, 1, 0), // pointwise in groups
		convCase(2, 3, 6, 4, 3, 3, 1, 0), // unpadded 3×3: dx's grid has a 2-wide border
		convCase(3, 2, 6, 4, 1, 3, 1, 0), // 1×3 kernel: border only left and right
		convCase(2, 3, 5, 4, 3, 3, 1, 3), // pad > R−1: the padded path does not apply
		convCase(9, 5, 3, 6, 3, 3, 1, 1), // 3×3 images: groups of unequal size
		// Winograd F(2×2, 3×3) beyond the ResNet shapes: odd planes (a
		// last tile half outside), 1×1 planes, groups of unequal size.
		convCase(3, 9, 7, 10, 3, 3, 1, 1),
		convCase(2, 8, 5, 12, 3, 3, 1, 1),
		convCase(2, 16, 1, 8, 3, 3, 1, 1),
		convCase(37, 8, 3, 8, 3, 3, 1, 1),
		// Winograd on interleaved lanes (winolanes.go): 8×8
		// transposes need 8 images of a block and an even plane; 24×24
		// splits a block's tile rows over groups; 17 and 20 images leave
		// a last block partly empty.
		convCase(20, 8, 6, 12, 3, 3, 1, 1),
		convCase(17, 6, 24, 8, 3, 3, 1, 1),
		// 331 input channels: the packed V in two k blocks of 166 and 165.
		convCase(2, 331, 4, 7, 3, 3, 1, 1),
		// Phase planes beyond stride 2 and 3×3: stride 3 with a 5×5
		// kernel (three row and column phases), a 3×1 kernel (one column
		// phase), an odd plane whose last phase row is short.
		convCase(2, 4, 9, 6, 5, 5, 3, 2),
		convCase(3, 3, 8, 4, 3, 1, 2, 1),
		convCase(2, 5, 11, 7, 3, 3, 2, 1),
		// ResNet18 (CIFAR) at batch 2: stem (RGB and Sobel), the 3×3 convs
		// of each stage, their stride-2 entries and the 1×1 shortcuts.
		convCase(2, 3, 32, 64, 3, 3, 1, 1),
		convCase(2, 2, 32, 64, 3, 3, 1, 1),
		convCase(2, 64, 32, 64, 3, 3, 1, 1),
		convCase(2, 64, 32, 128, 3, 3, 2, 1),
		convCase(2, 128, 16, 128, 3, 3, 1, 1),
		convCase(2, 128, 16, 256, 3, 3, 2, 1),
		convCase(2, 256, 8, 256, 3, 3, 1, 1),
		convCase(2, 256, 8, 512, 3, 3, 2, 1),
		convCase(4, 512, 4, 512, 3, 3, 1, 1),
		convCase(2, 64, 32, 128, 1, 1, 2, 0),
		convCase(2, 128, 16, 256, 1, 1, 2, 0),
		convCase(2, 256, 8, 512, 1, 1, 2, 0),
	}
}

// TestConv2D compares the three conv passes of every backend (plus CPUs with
// 1 and 3 threads, which split the batch differently) with the float64
// references. The backward passes start from random dx, dw to check +=.
func TestConv2D(t *testing.T) {
	for ci, s := range convCases() {
		seed := uint64(10 * ci)
		x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
		w := kt.DenseRand(seed+2, s.K*s.C*s.R*s.S, -1, 1)
		dy := kt.DenseRand(seed+3, s.N*s.K*s.OH*s.OW, -1, 1)
		dx0 := kt.DenseRand(seed+4, len(x), -1, 1)
		dw0 := kt.DenseRand(seed+5, len(w), -1, 1)
		x64, w64, dy64 := kt.DenseF64(x), kt.DenseF64(w), kt.DenseF64(dy)
		wantY := slowConv2D64(x64, w64, s)
		wantDx := kt.DenseAdd(dx0, slowConv2DBackwardData64(dy64, w64, s))
		wantDw := kt.DenseAdd(dw0, slowConv2DBackwardFilter64(dy64, x64, s))
		// Outputs are sums of L products of values in [−1, 1] (L = C·R·S
		// forward, at most K·R·S for dx, N·OH·OW for dw), of typical size
		// √L; atol scales by √L to stay the same fraction of that scale.
		sq := func(l int) float64 { return math.Sqrt(float64(l)) }
		for _, be := range kt.DenseThreaded() {
			for _, path := range []string{"winograd", "winorows", "lanes", "padded", "im2col"} {
				t.Run(fmt.Sprintf("backend=%s/path=%s/shape=%s", be.Name, path, convName(s)), func(t *testing.T) {
					defer conv.SetConvPath(map[string]string{"winograd": "winograd", "winorows": "winorows", "lanes": "lanes", "padded": "always", "im2col": "never"}[path])()
					xt := kt.DenseTensor(be.BE, s.XShape(), x)
					wt := kt.DenseTensor(be.BE, s.WShape(), w)
					dyt := kt.DenseTensor(be.BE, s.YShape(), dy)
					y := kt.DenseTensor(be.BE, s.YShape(), kt.DenseRand(99, len(dy), -1e3, 1e3)) // garbage to overwrite
					be.BE.Conv2DForward(y, xt, wt, s)
					kt.DenseClose(t, "y", y.Float32s(), wantY, 1e-5*sq(s.C*s.R*s.S), 1e-4)
					dxt := kt.DenseTensor(be.BE, s.XShape(), dx0)
					be.BE.Conv2DBackwardData(dxt, dyt, wt, s, true)
					kt.DenseClose(t, "dx", dxt.Float32s(), wantDx, 1e-4*sq(s.K*s.R*s.S), 1e-3)
					dwt := kt.DenseTensor(be.BE, s.WShape(), dw0)
					be.BE.Conv2DBackwardFilter(dwt, dyt, xt, s)
					kt.DenseClose(t, "dw", dwt.Float32s(), wantDw, 1e-4*sq(s.N*s.OH*s.OW), 1e-3)
				})
			}
		}
	}
}

// TestConv2DBackwardDataSet checks Conv2DBackwardData with acc false (=,
// autograd's first gradient of x) on every path and backend: over a
// garbage dx it must give the bits of += into a zeroed dx, −0 included.
// dy has exact zeros of both signs mixed in, so that sums of signed zeros
// reach the stores.
func TestConv2DBackwardDataSet(t *testing.T) {
	for ci, s := range convCases() {
		seed := uint64(10*ci + 7)
		w := kt.DenseRand(seed+2, s.K*s.C*s.R*s.S, -1, 1)
		dy := kt.WithSignedZeros(kt.DenseRand(seed+3, s.N*s.K*s.OH*s.OW, -1, 1))
		for _, be := range kt.DenseThreaded() {
			for _, path := range []string{"winograd", "winorows", "lanes", "padded", "im2col"} {
				t.Run(fmt.Sprintf("backend=%s/path=%s/shape=%s", be.Name, path, convName(s)), func(t *testing.T) {
					defer conv.SetConvPath(map[string]string{"winograd": "winograd", "winorows": "winorows", "lanes": "lanes", "padded": "always", "im2col": "never"}[path])()
					wt, dyt := kt.DenseTensor(be.BE, s.WShape(), w), kt.DenseTensor(be.BE, s.YShape(), dy)
					n := s.N * s.C * s.H * s.W
					acc := kt.DenseTensor(be.BE, s.XShape(), make([]float32, n))
					be.BE.Conv2DBackwardData(acc, dyt, wt, s, true)
					set := kt.DenseTensor(be.BE, s.XShape(), kt.DenseRand(98, n, -1e3, 1e3)) // garbage to overwrite
					be.BE.Conv2DBackwardData(set, dyt, wt, s, false)
					kt.DenseSameBits(t, "dx (=)", set.Float32s(), acc.Float32s())
				})
			}
		}
	}
}

// TestConv2DBackwardFilterDeterministic runs the batch-reducing pass twice
// per backend and requires identical bits (fixed chunks, fixed order).
func TestConv2DBackwardFilterDeterministic(t *testing.T) {
	s := convCase(9, 16, 8, 8, 3, 3, 1, 1)
	x := kt.DenseRand(1, s.N*s.C*s.H*s.W, -1, 1)
	dy := kt.DenseRand(2, s.N*s.K*s.OH*s.OW, -1, 1)
	for _, be := range kt.DenseThreaded() {
		var first []float32
		for run := 0; run < 3; run++ {
			dw := kt.DenseTensor(be.BE, s.WShape(), make([]float32, s.K*s.C*s.R*s.S))
			be.BE.Conv2DBackwardFilter(dw, kt.DenseTensor(be.BE, s.YShape(), dy), kt.DenseTensor(be.BE, s.XShape(), x), s)
			got := dw.Float32s()
			if first == nil {
				first = got
				continue
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
					t.Fatalf("%s: run %d: dw[%d] = %v, first run gave %v", be.Name, run, i, got[i], first[i])
				}
			}
		}
	}
}

// TestConv2DPanics checks that a ConvShape that does not fit the tensors panics.
func TestConv2DPanics(t *testing.T) {
	s := convCase(2, 3, 7, 5, 3, 3, 1, 1)
	for _, be := range kt.Backends() {
		x := be.BE.Empty(tensor.Float32, s.XShape())
		w := be.BE.Empty(tensor.Float32, s.WShape())
		y := be.BE.Empty(tensor.Float32, s.YShape())
		bad := s
		bad.Stride = 2 // OH, OW no longer match
		if !kt.DensePanics(func() { be.BE.Conv2DForward(y, x, w, bad) }) {
			t.Errorf("%s: forward with an inconsistent ConvShape did not panic", be.Name)
		}
		if !kt.DensePanics(func() { be.BE.Conv2DBackwardData(y, y, w, s, true) }) {
			t.Errorf("%s: backward data with a wrong dx shape did not panic", be.Name)
		}
		if !kt.DensePanics(func() { be.BE.Conv2DBackwardFilter(x, y, x, s) }) {
			t.Errorf("%s: backward filter with a wrong dw shape did not panic", be.Name)
		}
	}
}

// encoderConvs lists the distinct conv layers of one encoder tower at batch
// 256: a stem from c0 channels at width w on size×size images, the stride-1
// 3×3 convs of the four stages (widths w·(1,2,4,8)), their stride-2 entries
// and the 1×1 stride-2 shortcuts. Names carry the prefix and the shape, e.g.
// "w16_c16_k32_h28_s2".
func encoderConvs(prefix string, c0, w, size int) []struct {
	name string
	s    tensor.ConvShape
} {
	type named = struct {
		name string
		s    tensor.ConvShape
	}
	var out []named
	add := func(c, h, k, r, st, pad int) {
		name := fmt.Sprintf("%s_c%d_k%d_h%d", prefix, c, k, h)
		if r == 1 {
			name = fmt.Sprintf("%s_1x1_c%d_k%d_h%d", prefix, c, k, h)
		}
		if st == 2 {
			name += "_s2"
		}
		out = append(out, named{name, convCase(256, c, h, k, r, r, st, pad)})
	}
	add(c0, size, w, 3, 1, 1) // stem
	h := size
	for li := range 4 {
		cout := w << li
		if li > 0 {
			cin := cout / 2
			add(cin, h, cout, 3, 2, 1) // stage entry
			add(cin, h, cout, 1, 2, 0) // its shortcut
			h = (h-1)/2 + 1
		}
		add(cout, h, cout, 3, 1, 1)
	}
	return out
}

// resnetConvs are the conv layers of the encoders at batch 256: the paper's
// ResNet18 (width 64, CIFAR 32×32 RGB) and the cpu presets' narrow towers
// (widths 8 and 16 on Fashion-MNIST's 28×28 grey images, whose Sobel tower
// has a 2-channel stem).
var resnetConvs = func() []struct {
	name string
	s    tensor.ConvShape
} {
	all := encoderConvs("w64", 3, 64, 32)
	for _, w := range []int{8, 16} {
		p := fmt.Sprintf("w%d", w)
		all = append(all, encoderConvs(p, 1, w, 28)...)
		all = append(all, struct {
			name string
			s    tensor.ConvShape
		}{fmt.Sprintf("%s_c2_k%d_h28", p, w), convCase(256, 2, 28, w, 3, 3, 1, 1)})
	}
	return all
}()

// BenchmarkConv2D times each pass at the encoder's real shapes; every pass
// does the forward's FLOPs (2·N·K·OH·OW·C·R·S). Select with e.g.
// -bench 'Conv2D/backend=cpu$/dir=fwd/shape=c64_k64' -benchtime=1x.
func BenchmarkConv2D(b *testing.B) {
	for _, be := range kt.Backends() {
		for _, dir := range []string{"fwd", "bwd_data", "bwd_filter"} {
			for _, cs := range resnetConvs {
				b.Run(fmt.Sprintf("backend=%s/dir=%s/shape=%s", be.Name, dir, cs.name), func(b *testing.B) {
					s := cs.s
					x := kt.DenseTensor(be.BE, s.XShape(), kt.DenseRand(1, s.N*s.C*s.H*s.W, -1, 1))
					w := kt.DenseTensor(be.BE, s.WShape(), kt.DenseRand(2, s.K*s.C*s.R*s.S, -1, 1))
					y := kt.DenseTensor(be.BE, s.YShape(), kt.DenseRand(3, s.N*s.K*s.OH*s.OW, -1, 1))
					b.ReportAllocs()
					for b.Loop() {
						switch dir {
						case "fwd":
							be.BE.Conv2DForward(y, x, w, s)
						case "bwd_data":
							be.BE.Conv2DBackwardData(x, y, w, s, true)
						case "bwd_filter":
							be.BE.Conv2DBackwardFilter(w, y, x, s)
						}
					}
					b.ReportMetric(s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// BenchmarkConv2DPath times the paths of the SIMD CPU backend against each
// other on resnetConvs: Winograd, the padded-width grid and im2col on the
// stride-1 3×3 shapes (useWinograd, useConvPadded), phase planes and
// im2col on the strided ones (useConvPhase). Select with e.g.
// -bench 'Conv2DPath/dir=fwd/shape=w16_' -benchtime=3x.
func BenchmarkConv2DPath(b *testing.B) {
	be := &kernels.CPU{}
	for _, dir := range []string{"fwd", "bwd_data", "bwd_filter"} {
		for _, cs := range resnetConvs {
			s := cs.s
			paths := []string{"winograd", "winorows", "lanes", "padded", "im2col"}
			switch {
			case s.Stride != 1 && dir != "bwd_data":
				paths = []string{"lanes", "phase", "im2col"}
			case s.Stride != 1:
				paths = []string{"lanes", "im2col"}
			case s.R == 1:
				continue
			case s.Pad != 1:
				paths = paths[2:]
			}
			for _, path := range paths {
				b.Run(fmt.Sprintf("dir=%s/shape=%s/path=%s", dir, cs.name, path), func(b *testing.B) {
					mode := map[string]string{"winograd": "winograd", "winorows": "winorows", "lanes": "lanes", "padded": "always", "phase": "auto", "im2col": "never"}[path]
					defer conv.SetConvPath(mode)()
					x := kt.DenseTensor(be, s.XShape(), kt.DenseRand(1, s.N*s.C*s.H*s.W, -1, 1))
					w := kt.DenseTensor(be, s.WShape(), kt.DenseRand(2, s.K*s.C*s.R*s.S, -1, 1))
					y := kt.DenseTensor(be, s.YShape(), kt.DenseRand(3, s.N*s.K*s.OH*s.OW, -1, 1))
					for b.Loop() {
						switch dir {
						case "fwd":
							be.Conv2DForward(y, x, w, s)
						case "bwd_data":
							be.Conv2DBackwardData(x, y, w, s, true)
						case "bwd_filter":
							be.Conv2DBackwardFilter(w, y, x, s)
						}
					}
					b.ReportMetric(s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestConv2DPathsAgree checks that the avx512 path gives the avx2 path's
// bits in every conv algorithm and pass: its GEMM tiles run each element's
// FMAs in the same order (alpha 1, beta 0 or 1 throughout the convs) and
// its lane transforms do the same adds per lane, so any difference is a
// bug in an AVX-512 twin. Shapes: a ragged output-channel count for the
// 16-row tiles (24), partial blocks of 16 interleaved images, odd planes.
func TestConv2DPathsAgree(t *testing.T) {
	if !sgemm.AVX512.Available() {
		t.Skip("no avx512 path here")
	}
	avx2, avx512 := &kernels.CPU{Path: sgemm.AVX2}, &kernels.CPU{Path: sgemm.AVX512}
	for ci, s := range []tensor.ConvShape{
		convCase(20, 16, 8, 24, 3, 3, 1, 1),
		convCase(17, 8, 7, 16, 3, 3, 1, 1),
		convCase(33, 32, 4, 40, 3, 3, 1, 1),
		convCase(18, 32, 8, 48, 3, 3, 2, 1),
		convCase(16, 32, 8, 64, 1, 1, 2, 0),
	} {
		seed := uint64(100 + 10*ci)
		x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
		w := kt.DenseRand(seed+2, s.K*s.C*s.R*s.S, -1, 1)
		dy := kt.DenseRand(seed+3, s.N*s.K*s.OH*s.OW, -1, 1)
		dx0 := kt.DenseRand(seed+4, len(x), -1, 1)
		dw0 := kt.DenseRand(seed+5, len(w), -1, 1)
		for _, mode := range []string{"auto", "winograd", "lanes", "always", "never"} {
			t.Run(fmt.Sprintf("path=%s/shape=%s", mode, convName(s)), func(t *testing.T) {
				defer conv.SetConvPath(mode)()
				var got [2][3][]float32
				for i, be := range []tensor.Backend{avx2, avx512} {
					xt, wt, dyt := kt.DenseTensor(be, s.XShape(), x), kt.DenseTensor(be, s.WShape(), w), kt.DenseTensor(be, s.YShape(), dy)
					y := kt.DenseTensor(be, s.YShape(), make([]float32, len(dy)))
					be.Conv2DForward(y, xt, wt, s)
					dxt, dwt := kt.DenseTensor(be, s.XShape(), dx0), kt.DenseTensor(be, s.WShape(), dw0)
					be.Conv2DBackwardData(dxt, dyt, wt, s, true)
					be.Conv2DBackwardFilter(dwt, dyt, xt, s)
					got[i] = [3][]float32{y.Float32s(), dxt.Float32s(), dwt.Float32s()}
				}
				for p, name := range []string{"y", "dx", "dw"} {
					a, b := got[0][p], got[1][p]
					for i := range a {
						if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
							t.Fatalf("%s[%d]: avx512 %v, avx2 %v", name, i, b[i], a[i])
						}
					}
				}
			})
		}
	}
}

// TestConv2DStreamedStores checks that the padded grid's forward gives the
// same bits when it stores its output with streamRows (the stem, whose
// output is past the caches) as with its usual row copies, on every path,
// at widths of 32 and 16 (non-temporal stores) and 12 (Go's copy).
func TestConv2DStreamedStores(t *testing.T) {
	defer conv.SetConvPath("always")()
	for ci, s := range []tensor.ConvShape{
		convCase(3, 3, 32, 16, 3, 3, 1, 1),
		convCase(2, 2, 16, 24, 3, 3, 1, 1),
		convCase(2, 3, 12, 16, 3, 3, 1, 1),
	} {
		seed := uint64(200 + 10*ci)
		x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
		w := kt.DenseRand(seed+2, s.K*s.C*s.R*s.S, -1, 1)
		for _, p := range []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512} {
			if !p.Available() {
				continue
			}
			be := &kernels.CPU{Path: p}
			var got [2][]float32
			for i, min := range []int{1 << 62, 0} {
				restore := conv.SetStreamMin(min)
				y := kt.DenseTensor(be, s.YShape(), kt.DenseRand(seed+3, s.N*s.K*s.OH*s.OW, -1, 1))
				be.Conv2DForward(y, kt.DenseTensor(be, s.XShape(), x), kt.DenseTensor(be, s.WShape(), w), s)
				restore()
				got[i] = y.Float32s()
			}
			kt.DenseSameBits(t, fmt.Sprintf("%v %s streamed", p, convName(s)), got[1], got[0])
		}
	}
}
