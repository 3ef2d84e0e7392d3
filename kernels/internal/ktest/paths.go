package ktest

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/kernels/sgemm"
)

// The avx512 path's twins of the memory-bound AVX2 loops must give the
// avx2 path's bits, NaN payloads and signed zeros included: the families'
// path tests run both paths on the same inputs (Sprinkle), over every tail
// length (Lengths), and compare the outputs bit for bit (SameBits).

// The avx512 path's twins of the memory-bound AVX2 loops (affineRows, tr8,
// addRows16) must give the avx2 path's bits, NaN payloads and signed zeros
// included: these tests run both paths (and go where it is defined) on the
// same inputs, over every tail length of the 8- and 16-lane loops, and
// compare the outputs bit for bit, inside guard bands.

// SpecialVals are the values the twins must treat as their AVX2 loops do:
// NaNs of both signs with distinct payloads (a signalling one among them),
// signed zeros and infinities, a subnormal and the largest float.
var SpecialVals = []float32{
	math.Float32frombits(0x7fc00000), math.Float32frombits(0xffc00123), math.Float32frombits(0x7f800001),
	float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(1), math.MaxFloat32,
}

// Sprinkle replaces about one element in four of x by a special value.
func Sprinkle(r *rand.Rand, x []float32) []float32 {
	for i := range x {
		if r.IntN(4) == 0 {
			x[i] = SpecialVals[r.IntN(len(SpecialVals))]
		}
	}
	return x
}

// SameBits reports the first index where a and b differ in their bits.
func SameBits(a, b []float32) (int, bool) {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return -1, true
}

// SIMDPaths skips t unless this process runs both the avx2 and the
// avx512 path (the twins' tests compare them, avx2 the reference).
func SIMDPaths(t *testing.T) {
	t.Helper()
	if !sgemm.AVX512.Available() {
		t.Skip("no avx512 path here")
	}
}

// Lengths are the row Lengths tested: every tail of 8 and 16 lanes, and
// the planes of the encoders (7², 14², 28², 32²).
func Lengths() []int {
	var ns []int
	for n := 0; n <= 40; n++ {
		ns = append(ns, n)
	}
	return append(ns, 47, 49, 63, 65, 196, 784, 1024)
}

// BenchPaths runs body as sub-benchmarks path=avx2 and path=avx512 (where
// the processor has it), reporting GB/s for bytes moved per call.
func BenchPaths(b *testing.B, name string, bytes int, body func(p sgemm.Path)) {
	for _, p := range []sgemm.Path{sgemm.AVX2, sgemm.AVX512} {
		if !p.Available() {
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
