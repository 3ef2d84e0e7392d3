package ktest

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats/scalar"

	"twostage/tensor"
)

// Shared helpers of the kernel tests: seeded inputs, float64 copies,
// tolerance checks, guard bands and the finite-difference check.

// Tolerances of a float32 backend against the float64 reference (STYLE.md
// §2.5, level 2): 1e-5 / 1e-4 forward and teenygrad's grad_atol 1e-4 /
// grad_rtol 1e-3 (test/test_ops.py helper_test_op) backward.
const (
	FwdAtol, FwdRtol = 1e-5, 1e-4
	BwdAtol, BwdRtol = 1e-4, 1e-3
)

// TailSizes are lengths that hit every remainder of 1, 4, 8 and 16-wide
// loops, plus one past a 256 block (the x/image acc_test.go sweep).
var TailSizes = []int{0, 1, 3, 17, 33, 257}

// NewRand returns the seeded PCG source every test draws from.
func NewRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// Uniform returns n float32 values Uniform in [lo, hi).
func Uniform(r *rand.Rand, n int, lo, hi float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return x
}

// To64 widens a float32 slice.
func To64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// Upload allocates a float32 tensor of shape s on be holding data.
func Upload(be tensor.Backend, data []float32, s ...int) *tensor.Tensor {
	return tensor.FromFloat32(be, tensor.Shape(s), data)
}

// UploadInt allocates an int64 tensor of shape s on be holding data.
func UploadInt(be tensor.Backend, data []int64, s ...int) *tensor.Tensor {
	return tensor.FromInt64(be, tensor.Shape(s), data)
}

// AllClose reports the first element where |got-want| > atol + rtol·|want|
// (NaN matches NaN, infinities match exactly), at most 5 of them.
func AllClose(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, w := range want {
		g := float64(got[i])
		ok := math.Abs(g-w) <= atol+rtol*math.Abs(w) ||
			(math.IsNaN(g) && math.IsNaN(w)) || (math.IsInf(w, 0) && g == w)
		if !ok {
			if bad < 5 {
				t.Errorf("%s[%d] = %.9g, want %.9g (diff %.3g)", what, i, g, w, g-w)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(want))
	}
}

// GuardVal fills the bands around an output; any write there shows.
const GuardVal = float32(-7777.25)

// Guarded returns buf of g+n+g elements with both guard bands set, and
// buf[g:g+n], whose capacity runs into the upper band on purpose: a kernel
// that reslices past len still has room to write there.
func Guarded(x []float32, g int) (buf, view []float32) {
	buf = make([]float32, g+len(x)+g)
	Fill32(buf, GuardVal)
	copy(buf[g:], x)
	return buf, buf[g : g+len(x)]
}

// Fill32 sets every element of x to v (test-local so the check does not
// depend on the kernel under test).
func Fill32(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// CheckGuard fails unless both guard bands of buf still hold GuardVal.
func CheckGuard(t *testing.T, what string, buf []float32, g int) {
	t.Helper()
	for i := range g {
		if buf[i] != GuardVal || buf[len(buf)-1-i] != GuardVal {
			t.Fatalf("%s: write outside the output (guard band changed)", what)
		}
	}
}

// FDCheck compares a float64 reference gradient of the scalar function f at
// x with fd.Gradient's central differences (STYLE.md §2.5, level 1): the
// central formula's error is O(h²) ≈ 4e-11 at its default step 6e-6, and
// rounding adds ≈ ε·|f|/h ≈ 1e-11, so 1e-6 relative leaves a wide margin
// while catching any wrong term. Entries near zero use a 1e-8 absolute floor.
func FDCheck(t *testing.T, what string, f func([]float64) float64, x, grad []float64) {
	t.Helper()
	num := fd.Gradient(nil, f, x, &fd.Settings{Formula: fd.Central})
	for i := range num {
		if !scalar.EqualWithinAbsOrRel(grad[i], num[i], 1e-8, 1e-6) {
			t.Fatalf("%s: d/dx[%d] = %.12g, finite differences give %.12g", what, i, grad[i], num[i])
		}
	}
}

// Dot64 is Σ w·y, the scalar loss every backward test differentiates.
func Dot64(w, y []float64) float64 {
	var s float64
	for i := range w {
		s += w[i] * y[i]
	}
	return s
}

// MustPanic fails unless f panics with a "kernels: " message.
func MustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		// The CUDA backend checks shapes on the host and panics "cuda: ...".
		if s, ok := r.(string); !ok || !(strings.HasPrefix(s, "kernels: ") || strings.HasPrefix(s, "cuda: ")) {
			t.Errorf("%s: panic %v, want a \"kernels: ...\" (or \"cuda: ...\") text", what, r)
		}
	}()
	f()
}
