package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// slowSoftmax64 is softmax (or log_softmax) along D from the definition,
// with the max subtracted so large inputs stay finite.
func slowSoftmax64(x []float64, s tensor.DimShape, log bool) []float64 {
	y := make([]float64, len(x))
	for o := 0; o < s.Outer; o++ {
		for i := 0; i < s.Inner; i++ {
			at := func(d int) int { return (o*s.D+d)*s.Inner + i }
			m := math.Inf(-1)
			for d := 0; d < s.D; d++ {
				m = math.Max(m, x[at(d)])
			}
			var z float64
			for d := 0; d < s.D; d++ {
				z += math.Exp(x[at(d)] - m)
			}
			for d := 0; d < s.D; d++ {
				if log {
					y[at(d)] = x[at(d)] - m - math.Log(z)
				} else {
					y[at(d)] = math.Exp(x[at(d)]-m) / z
				}
			}
		}
	}
	return y
}

// slowSoftmaxGrad64 is the vector-Jacobian product dyᵀJ written out with
// the full Jacobian: ∂y_d/∂x_e = y_d(δ_de - y_e) for softmax and
// δ_de - p_e (p = exp(y)) for log_softmax.
func slowSoftmaxGrad64(dy, y []float64, s tensor.DimShape, log bool) []float64 {
	dx := make([]float64, len(y))
	for o := 0; o < s.Outer; o++ {
		for i := 0; i < s.Inner; i++ {
			at := func(d int) int { return (o*s.D+d)*s.Inner + i }
			for e := 0; e < s.D; e++ {
				for d := 0; d < s.D; d++ {
					var delta float64
					if d == e {
						delta = 1
					}
					var j float64
					if log {
						j = delta - math.Exp(y[at(e)])
					} else {
						j = y[at(d)] * (delta - y[at(e)])
					}
					dx[at(e)] += dy[at(d)] * j
				}
			}
		}
	}
	return dx
}

// softmaxShapes adds wide rows (the 10-class and memory-bank logits) and
// softmax over a middle dimension to the tail sweep.
var softmaxShapes = []tensor.DimShape{
	ds(1, 1, 1), ds(1, 3, 1), ds(3, 17, 1), ds(2, 33, 3), ds(1, 257, 1), ds(5, 2, 17),
	ds(3, 7, 65), ds(64, 10, 1), ds(3, 1000, 1), ds(400, 100, 1), ds(2, 70, 257),
}

func TestSoftmax(t *testing.T) {
	r := kt.NewRand(12)
	for _, b := range kt.Backends() {
		for _, s := range softmaxShapes {
			for _, log := range []bool{false, true} {
				for _, shift := range []float64{0, 1000} { // 1000: exp would overflow without the max
					n := s.Outer * s.D * s.Inner
					name := fmt.Sprintf("%s/shape=%v/log=%v/shift=%v", b.Name, s, log, shift)
					x := kt.Uniform(r, n, shift-8, shift+8)
					y := b.BE.Empty(tensor.Float32, tensor.Shape{n})
					b.BE.SoftmaxForward(y, kt.Upload(b.BE, x, n), s, log)
					y64 := slowSoftmax64(kt.To64(x), s, log)
					kt.AllClose(t, name, y.Float32s(), y64, kt.FwdAtol, kt.FwdRtol)

					// Backward from the kernel's own y, against the float64
					// reference taken at the float64 y.
					dy, dx0 := kt.Uniform(r, n, -1, 1), kt.Uniform(r, n, -1, 1)
					dx := kt.Upload(b.BE, dx0, n)
					b.BE.SoftmaxBackward(dx, kt.Upload(b.BE, dy, n), y, s, log)
					want := slowSoftmaxGrad64(kt.To64(dy), y64, s, log)
					for k := range want {
						want[k] += float64(dx0[k])
					}
					kt.AllClose(t, name+"/backward", dx.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
				}
			}
		}
	}
}

// TestSoftmaxGrad checks the reference backward against finite differences.
func TestSoftmaxGrad(t *testing.T) {
	r := kt.NewRand(13)
	for _, s := range []tensor.DimShape{ds(1, 1, 1), ds(2, 3, 1), ds(3, 17, 1), ds(2, 5, 3)} {
		for _, log := range []bool{false, true} {
			n := s.Outer * s.D * s.Inner
			x, w := kt.To64(kt.Uniform(r, n, -3, 3)), kt.To64(kt.Uniform(r, n, -1, 1))
			grad := slowSoftmaxGrad64(w, slowSoftmax64(x, s, log), s, log)
			kt.FDCheck(t, fmt.Sprintf("softmax %v log=%v", s, log),
				func(v []float64) float64 { return kt.Dot64(w, slowSoftmax64(v, s, log)) }, x, grad)
		}
	}
}

// TestSoftmaxSpecial pins PyTorch's behaviour: a NaN poisons its line only,
// -inf entries get probability 0 (log: -inf), a line of one element is 1.
func TestSoftmaxSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	x := []float32{1, nan, 2 /* line 0 */, -inf, 0, 0 /* line 1 */}
	y := make([]float32, 6)
	kernels.SoftmaxForward(y, x, ds(2, 3, 1), false)
	if y[0] == y[0] || y[2] == y[2] || y[3] != 0 || y[4] != 0.5 || y[5] != 0.5 {
		t.Errorf("softmax = %v, want [NaN NaN NaN 0 0.5 0.5]", y)
	}
	kernels.SoftmaxForward(y, x, ds(2, 3, 1), true)
	if !math.IsInf(float64(y[3]), -1) || math.Abs(float64(y[4])+math.Ln2) > 1e-7 {
		t.Errorf("log_softmax line 1 = %v, want [-inf -ln2 -ln2]", y[3:])
	}
	one := []float32{0}
	kernels.SoftmaxForward(one, []float32{-1e30}, ds(1, 1, 1), false)
	if one[0] != 1 {
		t.Errorf("softmax of one element = %v, want 1", one[0])
	}
}

func TestSoftmaxGuard(t *testing.T) {
	r := kt.NewRand(14)
	const g = 16
	for _, s := range softmaxShapes[:6] {
		n := s.Outer * s.D * s.Inner
		x := kt.Uniform(r, n, -3, 3)
		buf, y := kt.Guarded(make([]float32, n), g)
		kernels.SoftmaxForward(y, x, s, false)
		kt.CheckGuard(t, "softmax", buf, g)
		buf, dx := kt.Guarded(make([]float32, n), g)
		kernels.SoftmaxBackward(dx, x, y, s, true)
		kt.CheckGuard(t, "softmax backward", buf, g)
	}
}

func TestSoftmaxPanics(t *testing.T) {
	for _, b := range kt.Backends() {
		x, y := tensor.Zeros(b.BE, 2, 3), tensor.Zeros(b.BE, 2, 2)
		kt.MustPanic(t, "softmax y", func() { b.BE.SoftmaxForward(y, x, ds(2, 3, 1), false) })
		kt.MustPanic(t, "softmax shape", func() { b.BE.SoftmaxForward(x, x, ds(2, 2, 1), false) })
		kt.MustPanic(t, "softmax backward", func() { b.BE.SoftmaxBackward(x, x, y, ds(2, 3, 1), false) })
	}
}

// BenchmarkSoftmaxForward times the memory-bank logits of one CIFAR-10
// batch: [256, 50000] along the last dimension.
func BenchmarkSoftmaxForward(b *testing.B) {
	const rows, cols = 256, 50000
	x := kt.Uniform(kt.NewRand(1), rows*cols, -10, 10)
	for _, be := range kt.Backends() {
		b.Run("backend="+be.Name+"/shape=256x50000", func(b *testing.B) {
			xt, y := kt.Upload(be.BE, x, rows, cols), be.BE.Empty(tensor.Float32, tensor.Shape{rows, cols})
			b.SetBytes(2 * 4 * rows * cols)
			for b.Loop() {
				be.BE.SoftmaxForward(y, xt, ds(rows, cols, 1), false)
			}
		})
	}
}
