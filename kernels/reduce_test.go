package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// slowSum64 is Σ_d x[o,d,i] in float64, x viewed as [Outer, D, Inner].
func slowSum64(x []float64, s tensor.DimShape) []float64 {
	y := make([]float64, s.Outer*s.Inner)
	for o := 0; o < s.Outer; o++ {
		for d := 0; d < s.D; d++ {
			for i := 0; i < s.Inner; i++ {
				y[o*s.Inner+i] += x[(o*s.D+d)*s.Inner+i]
			}
		}
	}
	return y
}

// slowBroadcast64 is Sum's vector-Jacobian product: dx[o,d,i] = alpha·dy[o,i].
func slowBroadcast64(dy []float64, s tensor.DimShape, alpha float64) []float64 {
	dx := make([]float64, s.Outer*s.D*s.Inner)
	for o := 0; o < s.Outer; o++ {
		for d := 0; d < s.D; d++ {
			for i := 0; i < s.Inner; i++ {
				dx[(o*s.D+d)*s.Inner+i] = alpha * dy[o*s.Inner+i]
			}
		}
	}
	return dx
}

// ds builds a DimShape (go vet wants keyed literals of imported structs).
func ds(outer, d, inner int) tensor.DimShape {
	return tensor.DimShape{Outer: outer, D: d, Inner: inner}
}

// dimShapes sweeps tail sizes in each position, the shapes of the engine
// (a loss mean over a batch, a sum over the batch of [N,D] features) and
// shapes large enough to run in parallel, including one long row that takes
// Sum's blocked parallel path.
var dimShapes = []tensor.DimShape{
	ds(1, 1, 1), ds(1, 3, 1), ds(3, 17, 1), ds(2, 33, 3), ds(1, 257, 1), ds(5, 1, 17),
	ds(3, 7, 65), ds(2, 3, 257), ds(1, 256, 128), ds(64, 10, 1), ds(128, 1000, 1),
	ds(1, 3*4096+17, 1), ds(2, 9000, 1), ds(1, 40, 700),
}

func TestSum(t *testing.T) {
	r := kt.NewRand(7)
	for _, b := range kt.Backends() {
		for _, s := range dimShapes {
			for _, acc := range []bool{false, true} {
				name := fmt.Sprintf("%s/shape=%v/acc=%v", b.Name, s, acc)
				x := kt.Uniform(r, s.Outer*s.D*s.Inner, -1, 1)
				d0 := kt.Uniform(r, s.Outer*s.Inner, -1, 1)
				want := slowSum64(kt.To64(x), s)
				if acc {
					for i := range want {
						want[i] += float64(d0[i])
					}
				}
				dst := kt.Upload(b.BE, d0, s.Outer, s.Inner)
				b.BE.Sum(dst, kt.Upload(b.BE, x, len(x)), s, acc)
				// A sum of D terms of size ≤ 1 carries D·ε₃₂ absolute error
				// at worst in float32; the float64 accumulator leaves only
				// the final rounding, so the forward tolerance holds.
				kt.AllClose(t, name, dst.Float32s(), want, kt.FwdAtol, kt.FwdRtol)
			}
		}
	}
}

// TestSumDeterministic checks the fixed chunking: one thread and several
// give the same bits, on both the blocked long-row path and the tiled path.
func TestSumDeterministic(t *testing.T) {
	r := kt.NewRand(8)
	for _, s := range []tensor.DimShape{ds(1, 5*4096+3, 1), ds(3, 9000, 1), ds(1, 300, 500)} {
		x := kt.Upload(&kernels.CPU{}, kt.Uniform(r, s.Outer*s.D*s.Inner, -1, 1), s.Outer*s.D*s.Inner)
		var ref []float32
		for _, th := range []int{1, 2, 3, 7} {
			c := &kernels.CPU{Threads: th}
			dst := c.Empty(tensor.Float32, tensor.Shape{s.Outer * s.Inner})
			c.Sum(dst, x, s, false)
			got := dst.Float32s()
			if ref == nil {
				ref = got
				continue
			}
			for i := range ref {
				if math.Float32bits(got[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("shape %v threads=%d: [%d] = %v, one thread gives %v", s, th, i, got[i], ref[i])
				}
			}
		}
	}
}

func TestBroadcastAcc(t *testing.T) {
	r := kt.NewRand(9)
	for _, b := range kt.Backends() {
		for _, s := range dimShapes {
			n := s.Outer * s.D * s.Inner
			src, d0 := kt.Uniform(r, s.Outer*s.Inner, -1, 1), kt.Uniform(r, n, -1, 1)
			const alpha = -0.5
			want := slowBroadcast64(kt.To64(src), s, alpha)
			for i := range want {
				want[i] += float64(d0[i])
			}
			dst := kt.Upload(b.BE, d0, n)
			b.BE.BroadcastAcc(dst, kt.Upload(b.BE, src, len(src)), s, alpha)
			kt.AllClose(t, fmt.Sprintf("%s/shape=%v", b.Name, s), dst.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
		}
	}
}

// TestSumGrad checks the reference backward of Sum (a broadcast) against
// finite differences of Σ w·sum(x).
func TestSumGrad(t *testing.T) {
	r := kt.NewRand(10)
	for _, s := range []tensor.DimShape{ds(1, 1, 1), ds(3, 17, 1), ds(2, 5, 3), ds(1, 4, 33)} {
		x := kt.To64(kt.Uniform(r, s.Outer*s.D*s.Inner, -1, 1))
		w := kt.To64(kt.Uniform(r, s.Outer*s.Inner, -1, 1))
		kt.FDCheck(t, fmt.Sprintf("sum %v", s), func(v []float64) float64 { return kt.Dot64(w, slowSum64(v, s)) },
			x, slowBroadcast64(w, s, 1))
	}
}

// TestReduceGuard runs the plain kernels on kt.Guarded outputs.
func TestReduceGuard(t *testing.T) {
	r := kt.NewRand(11)
	const g = 16
	for _, s := range dimShapes[:8] {
		x := kt.Uniform(r, s.Outer*s.D*s.Inner, -1, 1)
		buf, dst := kt.Guarded(kt.Uniform(r, s.Outer*s.Inner, -1, 1), g)
		kernels.Sum(dst, x, s, true)
		kt.CheckGuard(t, fmt.Sprintf("sum %v", s), buf, g)
		buf, dst = kt.Guarded(x, g)
		kernels.BroadcastAcc(dst, kt.Uniform(r, s.Outer*s.Inner, -1, 1), s, 2)
		kt.CheckGuard(t, fmt.Sprintf("broadcast %v", s), buf, g)
	}
}

func TestReducePanics(t *testing.T) {
	for _, b := range kt.Backends() {
		x, d := tensor.Zeros(b.BE, 2, 3), tensor.Zeros(b.BE, 2)
		kt.MustPanic(t, "sum shape", func() { b.BE.Sum(d, x, tensor.DimShape{Outer: 2, D: 2, Inner: 1}, false) })
		kt.MustPanic(t, "sum dst", func() { b.BE.Sum(x, x, tensor.DimShape{Outer: 2, D: 3, Inner: 1}, false) })
		kt.MustPanic(t, "broadcast src", func() { b.BE.BroadcastAcc(x, x, tensor.DimShape{Outer: 2, D: 3, Inner: 1}, 1) })
	}
}
