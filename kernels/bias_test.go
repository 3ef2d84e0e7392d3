package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"testing"

	"twostage/tensor"
)

// slowBiasAdd64 returns y[n,c,i] + b[c] for y viewed as [N,C,HW].
func slowBiasAdd64(y, b []float64, s tensor.ChanShape) []float64 {
	out := append([]float64(nil), y...)
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.C; c++ {
			for i := 0; i < s.HW; i++ {
				out[(n*s.C+c)*s.HW+i] += b[c]
			}
		}
	}
	return out
}

// slowChannelSum64 returns Σ_{n,i} x[n,c,i] for every channel c.
func slowChannelSum64(x []float64, s tensor.ChanShape) []float64 {
	out := make([]float64, s.C)
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.C; c++ {
			for i := 0; i < s.HW; i++ {
				out[c] += x[(n*s.C+c)*s.HW+i]
			}
		}
	}
	return out
}

// chanCases: odd sizes, a 2-D [N,C] tensor (HW = 1) and a ResNet activation.
var chanCases = []tensor.ChanShape{
	{N: 3, C: 5, HW: 49},
	{N: 4, C: 10, HW: 1},
	{N: 1, C: 1, HW: 7},
	{N: 2, C: 64, HW: 1024},
}

// TestBiasAdd checks y += b[c] (y starts random) on every backend.
func TestBiasAdd(t *testing.T) {
	for ci, s := range chanCases {
		y0 := kt.DenseRand(uint64(ci)+1, s.N*s.C*s.HW, -1, 1)
		b := kt.DenseRand(uint64(ci)+2, s.C, -1, 1)
		want := slowBiasAdd64(kt.DenseF64(y0), kt.DenseF64(b), s)
		for _, be := range kt.DenseThreaded() {
			t.Run(fmt.Sprintf("backend=%s/shape=%d,%d,%d", be.Name, s.N, s.C, s.HW), func(t *testing.T) {
				y := kt.DenseTensor(be.BE, tensor.Shape{s.N, s.C, s.HW}, y0)
				be.BE.BiasAdd(y, kt.DenseTensor(be.BE, tensor.Shape{s.C}, b), s)
				kt.DenseClose(t, "y", y.Float32s(), want, 1e-5, 1e-4)
			})
		}
	}
}

// TestChannelSum checks dst[c] += Σ x[n,c,i] (dst starts random).
func TestChannelSum(t *testing.T) {
	for ci, s := range chanCases {
		x := kt.DenseRand(uint64(ci)+1, s.N*s.C*s.HW, -1, 1)
		d0 := kt.DenseRand(uint64(ci)+2, s.C, -1, 1)
		want := kt.DenseAdd(d0, slowChannelSum64(kt.DenseF64(x), s))
		for _, be := range kt.DenseThreaded() {
			t.Run(fmt.Sprintf("backend=%s/shape=%d,%d,%d", be.Name, s.N, s.C, s.HW), func(t *testing.T) {
				d := kt.DenseTensor(be.BE, tensor.Shape{s.C}, d0)
				be.BE.ChannelSum(d, kt.DenseTensor(be.BE, tensor.Shape{s.N, s.C, s.HW}, x), s)
				// The kernel sums in float64 and rounds once: the result is
				// within float32 rounding of the exact sum.
				kt.DenseClose(t, "dst", d.Float32s(), want, 1e-5, 1e-4)
			})
		}
	}
}

// TestChannelPanics checks size mismatches.
func TestChannelPanics(t *testing.T) {
	s := tensor.ChanShape{N: 2, C: 3, HW: 4}
	for _, be := range kt.Backends() {
		x := be.BE.Empty(tensor.Float32, tensor.Shape{2, 3, 4})
		if !kt.DensePanics(func() { be.BE.BiasAdd(x, be.BE.Empty(tensor.Float32, tensor.Shape{4}), s) }) {
			t.Errorf("%s: BiasAdd with a [4] bias for C=3 did not panic", be.Name)
		}
		if !kt.DensePanics(func() {
			be.BE.ChannelSum(be.BE.Empty(tensor.Float32, tensor.Shape{3}), x, tensor.ChanShape{N: 3, C: 3, HW: 4})
		}) {
			t.Errorf("%s: ChannelSum with a wrong ChanShape did not panic", be.Name)
		}
	}
}
