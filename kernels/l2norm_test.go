package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// slowL2Norm64 is y = x/‖x‖ along D and the norms, in float64.
func slowL2Norm64(x []float64, s tensor.DimShape) (y, norm []float64) {
	y, norm = make([]float64, len(x)), make([]float64, s.Outer*s.Inner)
	for o := 0; o < s.Outer; o++ {
		for i := 0; i < s.Inner; i++ {
			at := func(d int) int { return (o*s.D+d)*s.Inner + i }
			var ss float64
			for d := 0; d < s.D; d++ {
				ss += x[at(d)] * x[at(d)]
			}
			n := math.Sqrt(ss)
			norm[o*s.Inner+i] = n
			for d := 0; d < s.D; d++ {
				y[at(d)] = x[at(d)] / n
			}
		}
	}
	return y, norm
}

// slowL2NormGrad64 is dyᵀJ with the full Jacobian of x/‖x‖:
// ∂y_d/∂x_e = (δ_de - y_d·y_e)/‖x‖.
func slowL2NormGrad64(dy, y, norm []float64, s tensor.DimShape) []float64 {
	dx := make([]float64, len(y))
	for o := 0; o < s.Outer; o++ {
		for i := 0; i < s.Inner; i++ {
			at := func(d int) int { return (o*s.D+d)*s.Inner + i }
			n := norm[o*s.Inner+i]
			for e := 0; e < s.D; e++ {
				for d := 0; d < s.D; d++ {
					var delta float64
					if d == e {
						delta = 1
					}
					dx[at(e)] += dy[at(d)] * (delta - y[at(d)]*y[at(e)]) / n
				}
			}
		}
	}
	return dx
}

// l2Shapes adds the engine's embeddings ([N,128] normalised along dim 1)
// to the tail sweep.
var l2Shapes = []tensor.DimShape{
	ds(1, 1, 1), ds(1, 3, 1), ds(3, 17, 1), ds(2, 33, 3), ds(1, 257, 1), ds(5, 2, 17),
	ds(256, 128, 1), ds(2, 64, 257),
}

func TestL2Norm(t *testing.T) {
	r := kt.NewRand(15)
	for _, b := range kt.Backends() {
		for _, s := range l2Shapes {
			n, m := s.Outer*s.D*s.Inner, s.Outer*s.Inner
			name := fmt.Sprintf("%s/shape=%v", b.Name, s)
			x := kt.Uniform(r, n, -2, 2)
			y, norm := b.BE.Empty(tensor.Float32, tensor.Shape{n}), b.BE.Empty(tensor.Float32, tensor.Shape{m})
			b.BE.L2NormForward(y, norm, kt.Upload(b.BE, x, n), s)
			y64, n64 := slowL2Norm64(kt.To64(x), s)
			kt.AllClose(t, name+"/y", y.Float32s(), y64, kt.FwdAtol, kt.FwdRtol)
			kt.AllClose(t, name+"/norm", norm.Float32s(), n64, kt.FwdAtol, kt.FwdRtol)

			dy, dx0 := kt.Uniform(r, n, -1, 1), kt.Uniform(r, n, -1, 1)
			dx := kt.Upload(b.BE, dx0, n)
			b.BE.L2NormBackward(dx, kt.Upload(b.BE, dy, n), y, norm, s)
			want := slowL2NormGrad64(kt.To64(dy), y64, n64, s)
			for k := range want {
				want[k] += float64(dx0[k])
			}
			kt.AllClose(t, name+"/backward", dx.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
		}
	}
}

// TestL2NormGrad checks the reference backward against finite differences.
func TestL2NormGrad(t *testing.T) {
	r := kt.NewRand(16)
	for _, s := range []tensor.DimShape{ds(1, 1, 1), ds(2, 3, 1), ds(3, 17, 1), ds(2, 5, 3)} {
		n := s.Outer * s.D * s.Inner
		x, w := kt.To64(kt.Uniform(r, n, 0.2, 2)), kt.To64(kt.Uniform(r, n, -1, 1))
		y, norm := slowL2Norm64(x, s)
		kt.FDCheck(t, fmt.Sprintf("l2norm %v", s), func(v []float64) float64 {
			yv, _ := slowL2Norm64(v, s)
			return kt.Dot64(w, yv)
		}, x, slowL2NormGrad64(w, y, norm, s))
	}
}

// TestL2NormZero pins the missing epsilon: a zero line gives norm 0 and
// y = 0/0 = NaN, as the reference's Normalize does.
func TestL2NormZero(t *testing.T) {
	y, norm := make([]float32, 2), make([]float32, 1)
	kernels.L2NormForward(y, norm, []float32{0, 0}, ds(1, 2, 1))
	if norm[0] != 0 || y[0] == y[0] {
		t.Errorf("zero line: norm %v y %v, want 0 and NaN", norm[0], y)
	}
}

func TestL2NormGuard(t *testing.T) {
	r := kt.NewRand(17)
	const g = 16
	for _, s := range l2Shapes[:6] {
		n, m := s.Outer*s.D*s.Inner, s.Outer*s.Inner
		x := kt.Uniform(r, n, 0.5, 2)
		ybuf, y := kt.Guarded(make([]float32, n), g)
		nbuf, norm := kt.Guarded(make([]float32, m), g)
		kernels.L2NormForward(y, norm, x, s)
		kt.CheckGuard(t, "l2norm y", ybuf, g)
		kt.CheckGuard(t, "l2norm norm", nbuf, g)
		buf, dx := kt.Guarded(make([]float32, n), g)
		kernels.L2NormBackward(dx, x, y, norm, s)
		kt.CheckGuard(t, "l2norm backward", buf, g)
	}
}

func TestL2NormPanics(t *testing.T) {
	for _, b := range kt.Backends() {
		x, n2, n3 := tensor.Zeros(b.BE, 2, 3), tensor.Zeros(b.BE, 2), tensor.Zeros(b.BE, 3)
		kt.MustPanic(t, "l2norm norm", func() { b.BE.L2NormForward(x, n3, x, ds(2, 3, 1)) })
		kt.MustPanic(t, "l2norm shape", func() { b.BE.L2NormForward(x, n2, x, ds(3, 3, 1)) })
		kt.MustPanic(t, "l2norm backward", func() { b.BE.L2NormBackward(x, x, x, n3, ds(2, 3, 1)) })
	}
}
