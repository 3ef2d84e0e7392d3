package ktest

// Helpers shared by the dense-kernel tests (gemm, conv2d, pool, bias,
// batchnorm): seeded inputs, float32 <-> float64 conversion and the
// atol + rtol·|want| comparison. The names carry a "dense" prefix so they
// cannot collide with the other kernel tests of this package.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// DenseRand returns n values Uniform in [lo, hi) from a PCG stream seeded by
// seed, so every test input is reproducible.
func DenseRand(seed uint64, n int, lo, hi float64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return v
}

// WithSignedZeros sets every fifth value from the second on to +0 and every
// fifth from the fourth on to −0, so that sums of signed zeros reach a
// kernel's stores, and returns v.
func WithSignedZeros(v []float32) []float32 {
	for i := range v {
		switch i % 5 {
		case 1:
			v[i] = 0
		case 3:
			v[i] = float32(math.Copysign(0, -1))
		}
	}
	return v
}

// DenseF64 widens float32 data for the float64 references.
func DenseF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// DenseTensor uploads a copy of data to be with shape s.
func DenseTensor(be tensor.Backend, s tensor.Shape, data []float32) *tensor.Tensor {
	return tensor.FromFloat32(be, s, append([]float32(nil), data...))
}

// DenseClose fails t unless |got[i] − want[i]| ≤ atol + rtol·|want[i]| for
// every i; it reports the first five mismatches and the count (as llm.c's
// validate_result does).
func DenseClose(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, w := range want {
		g := float64(got[i])
		if math.Abs(g-w) <= atol+rtol*math.Abs(w) {
			continue
		}
		if bad < 5 {
			t.Errorf("%s[%d] = %.7g, want %.7g (diff %.3g, tol %.3g)", what, i, g, w, math.Abs(g-w), atol+rtol*math.Abs(w))
		}
		bad++
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values out of tolerance", what, bad, len(want))
	}
}

// DenseClose64 is DenseClose for two float64 slices (the finite-difference
// checks of the references).
func DenseClose64(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	bad := 0
	for i, w := range want {
		if math.Abs(got[i]-w) <= atol+rtol*math.Abs(w) {
			continue
		}
		if bad < 5 {
			t.Errorf("%s[%d] = %.10g, want %.10g", what, i, got[i], w)
		}
		bad++
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d values out of tolerance", what, bad, len(want))
	}
}

// DenseAdd returns base + delta elementwise: the expected value of a +=
// kernel whose output started at base.
func DenseAdd(base []float32, delta []float64) []float64 {
	out := make([]float64, len(base))
	for i := range base {
		out[i] = float64(base[i]) + delta[i]
	}
	return out
}

// DenseThreaded adds CPU Backends with fixed thread counts to Backends(), for
// the kernels whose work split (image groups, reduction chunks) depends on
// the thread count.
func DenseThreaded() []struct {
	Name string
	BE   tensor.Backend
} {
	out := Backends()
	for _, n := range []int{1, 3} {
		out = append(out, struct {
			Name string
			BE   tensor.Backend
		}{fmt.Sprintf("cpu-threads%d", n), &kernels.CPU{Threads: n}})
	}
	return out
}

// DensePanics reports whether f panics.
func DensePanics(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

// DenseSameBits fails t unless got and want are equal bit for bit (−0 and
// +0 differ, NaNs compare by payload): the check for two ways of computing
// the same thing that must round identically.
func DenseSameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range want {
		if math.Float32bits(got[i]) == math.Float32bits(want[i]) {
			continue
		}
		if bad < 5 {
			t.Errorf("%s[%d] = %g (%#08x), want %g (%#08x)", what, i, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
		bad++
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements differ in their bits", what, bad, len(want))
	}
}
