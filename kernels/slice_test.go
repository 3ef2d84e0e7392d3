package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"testing"

	"twostage/kernels"
)

// sliceCase is one SliceCopy: dst [Outer, dD, Inner], src [Outer, sD,
// Inner], n positions from sOff to dOff.
type sliceCase struct{ outer, inner, dD, dOff, sD, sOff, n int }

// slowSliceCopy64 is the definition: dst[o, dOff+j, i] (+)= src[o, sOff+j, i].
func slowSliceCopy64(dst, src []float64, c sliceCase, acc bool) {
	for o := 0; o < c.outer; o++ {
		for j := 0; j < c.n; j++ {
			for i := 0; i < c.inner; i++ {
				d := (o*c.dD+c.dOff+j)*c.inner + i
				s := (o*c.sD+c.sOff+j)*c.inner + i
				if acc {
					dst[d] += src[s]
				} else {
					dst[d] = src[s]
				}
			}
		}
	}
}

var sliceCases = []sliceCase{
	{1, 1, 1, 0, 1, 0, 1}, {3, 1, 5, 2, 3, 0, 3}, {2, 17, 4, 1, 6, 3, 2}, {5, 3, 9, 0, 9, 0, 9},
	{2, 33, 7, 4, 3, 1, 2}, {1, 257, 2, 1, 1, 0, 1}, {3, 5, 4, 2, 4, 1, 0},
	{256, 64, 6, 2, 2, 0, 2}, // concat of two [N,64,...] halves: parallel over Outer
}

// TestSliceCopy checks every element of dst exactly, so a write outside the
// block (which must keep its old value) fails as surely as a wrong copy.
func TestSliceCopy(t *testing.T) {
	r := kt.NewRand(18)
	for _, b := range kt.Backends() {
		for _, c := range sliceCases {
			for _, acc := range []bool{false, true} {
				name := fmt.Sprintf("%s/case=%v/acc=%v", b.Name, c, acc)
				nd, ns := c.outer*c.dD*c.inner, c.outer*c.sD*c.inner
				d0, src := kt.Uniform(r, nd, -1, 1), kt.Uniform(r, ns, -1, 1)
				want := kt.To64(d0)
				slowSliceCopy64(want, kt.To64(src), c, acc)
				for k, v := range want { // a float32 sum is the float64 one rounded once
					want[k] = float64(float32(v))
				}
				dst := kt.Upload(b.BE, d0, nd)
				b.BE.SliceCopy(dst, c.dD, c.dOff, kt.Upload(b.BE, src, ns), c.sD, c.sOff, c.n, c.outer, c.inner, acc)
				kt.AllClose(t, name, dst.Float32s(), want, 0, 0)
			}
		}
	}
}

// TestSliceGrad checks narrow's backward (SliceCopy with acc into a zero
// gradient of the source's shape) against finite differences of
// Σ w·narrow(x).
func TestSliceGrad(t *testing.T) {
	r := kt.NewRand(19)
	for _, c := range sliceCases[:6] {
		// forward: out [outer, n, inner] = x[:, sOff:sOff+n, :]
		fwd := sliceCase{outer: c.outer, inner: c.inner, dD: c.n, sD: c.sD, sOff: c.sOff, n: c.n}
		x := kt.To64(kt.Uniform(r, c.outer*c.sD*c.inner, -1, 1))
		w := kt.To64(kt.Uniform(r, c.outer*c.n*c.inner, -1, 1))
		narrow := func(v []float64) []float64 {
			out := make([]float64, len(w))
			slowSliceCopy64(out, v, fwd, false)
			return out
		}
		grad := make([]float64, len(x))
		back := sliceCase{outer: c.outer, inner: c.inner, dD: c.sD, dOff: c.sOff, sD: c.n, n: c.n}
		slowSliceCopy64(grad, w, back, true)
		kt.FDCheck(t, fmt.Sprintf("narrow %v", c), func(v []float64) float64 { return kt.Dot64(w, narrow(v)) }, x, grad)
	}
}

func TestSliceGuard(t *testing.T) {
	r := kt.NewRand(20)
	const g = 16
	for _, c := range sliceCases {
		buf, dst := kt.Guarded(kt.Uniform(r, c.outer*c.dD*c.inner, -1, 1), g)
		kernels.SliceCopy(dst, c.dD, c.dOff, kt.Uniform(r, c.outer*c.sD*c.inner, -1, 1), c.sD, c.sOff, c.n, c.outer, c.inner, true)
		kt.CheckGuard(t, fmt.Sprintf("slice %v", c), buf, g)
	}
}

func TestSlicePanics(t *testing.T) {
	for _, b := range kt.Backends() {
		d, s := kt.Upload(b.BE, make([]float32, 12), 2, 6), kt.Upload(b.BE, make([]float32, 8), 2, 4)
		kt.MustPanic(t, "slice past dst", func() { b.BE.SliceCopy(d, 6, 4, s, 4, 0, 3, 2, 1, false) })
		kt.MustPanic(t, "slice past src", func() { b.BE.SliceCopy(d, 6, 0, s, 4, 2, 3, 2, 1, false) })
		kt.MustPanic(t, "slice negative", func() { b.BE.SliceCopy(d, 6, -1, s, 4, 0, 1, 2, 1, false) })
		kt.MustPanic(t, "slice dst size", func() { b.BE.SliceCopy(d, 5, 0, s, 4, 0, 1, 2, 1, false) })
		kt.MustPanic(t, "slice src size", func() { b.BE.SliceCopy(d, 6, 0, s, 4, 0, 1, 2, 2, false) })
	}
}
