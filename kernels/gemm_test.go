package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/tensor"
)

// slowGemm64 is the textbook product in float64:
//
//	c[i,j] = alpha·Σ_l opA[i,l]·opB[l,j] + beta·c0[i,j],
//
// with a stored [m,k] (or [k,m] when tA) and b stored [k,n] (or [n,k] when tB).
func slowGemm64(tA, tB bool, m, n, k int, alpha float64, a, b []float64, beta float64, c0 []float64) []float64 {
	c := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float64
			for l := 0; l < k; l++ {
				av := a[i*k+l]
				if tA {
					av = a[l*m+i]
				}
				bv := b[l*n+j]
				if tB {
					bv = b[j*k+l]
				}
				acc += av * bv
			}
			c[i*n+j] = alpha*acc + beta*c0[i*n+j]
		}
	}
	return c
}

// TestGemm checks all four transpose combinations, beta ∈ {0, 1, −0.5} and
// sizes around gonum's 64-wide blocks (and its parallel threshold of four
// blocks) against slowGemm64.
func TestGemm(t *testing.T) {
	sizes := [][3]int{{1, 1, 1}, {3, 5, 7}, {17, 33, 65}, {64, 64, 64}, {130, 129, 67}}
	for _, be := range kt.Backends() {
		for _, sz := range sizes {
			m, n, k := sz[0], sz[1], sz[2]
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, beta := range []float32{0, 1, -0.5} {
					name := fmt.Sprintf("backend=%s/m=%d,n=%d,k=%d,tA=%v,tB=%v,beta=%g", be.Name, m, n, k, tr[0], tr[1], beta)
					t.Run(name, func(t *testing.T) {
						a := kt.DenseRand(1, m*k, -1, 1)
						b := kt.DenseRand(2, k*n, -1, 1)
						c0 := kt.DenseRand(3, m*n, -1, 1)
						if beta == 0 {
							// beta = 0 ignores c, so old garbage must not leak.
							for i := range c0 {
								c0[i] = 1e30
							}
						}
						as, bs := tensor.Shape{m, k}, tensor.Shape{k, n}
						if tr[0] {
							as = tensor.Shape{k, m}
						}
						if tr[1] {
							bs = tensor.Shape{n, k}
						}
						ct := kt.DenseTensor(be.BE, tensor.Shape{m, n}, c0)
						be.BE.Gemm(tr[0], tr[1], 1.5, kt.DenseTensor(be.BE, as, a), kt.DenseTensor(be.BE, bs, b), beta, ct)
						c064 := kt.DenseF64(c0)
						if beta == 0 {
							clear(c064)
						}
						want := slowGemm64(tr[0], tr[1], m, n, k, 1.5, kt.DenseF64(a), kt.DenseF64(b), float64(beta), c064)
						// Entries are sums of k products of values in [−1, 1],
						// of typical size √k; atol grows with √k so that it
						// stays the same fraction of the output's scale
						// (float32 rounding of the running sum grows alike).
						kt.DenseClose(t, "c", ct.Float32s(), want, 1e-5*math.Sqrt(float64(k)), 1e-4)
					})
				}
			}
		}
	}
}

// TestGemmPanics checks that mismatched shapes and an aliased output panic.
func TestGemmPanics(t *testing.T) {
	for _, be := range kt.Backends() {
		a := kt.DenseTensor(be.BE, tensor.Shape{2, 3}, kt.DenseRand(1, 6, -1, 1))
		b := kt.DenseTensor(be.BE, tensor.Shape{3, 4}, kt.DenseRand(2, 12, -1, 1))
		c := kt.DenseTensor(be.BE, tensor.Shape{2, 4}, make([]float32, 8))
		if kt.DensePanics(func() { be.BE.Gemm(false, false, 1, a, b, 0, c) }) {
			t.Fatalf("%s: valid gemm panicked", be.Name)
		}
		if !kt.DensePanics(func() { be.BE.Gemm(true, false, 1, a, b, 0, c) }) {
			t.Errorf("%s: gemm with mismatched inner sizes did not panic", be.Name)
		}
		if !kt.DensePanics(func() { be.BE.Gemm(false, false, 1, a, b, 0, c.Reshape(4, 2)) }) {
			t.Errorf("%s: gemm with a wrong output shape did not panic", be.Name)
		}
		sq := kt.DenseTensor(be.BE, tensor.Shape{3, 3}, kt.DenseRand(3, 9, -1, 1))
		if !kt.DensePanics(func() { be.BE.Gemm(false, false, 1, sq, sq.Reshape(3, 3), 0, sq) }) {
			t.Errorf("%s: gemm into its own input did not panic", be.Name)
		}
	}
}

// BenchmarkGemm times c = a·b at the conv-shaped products of the encoder at
// batch 256, as one GEMM over the whole batch: [K, N·OH·OW] = W [K, C·9] ·
// col [C·9, N·OH·OW] for the four stages (each 4.8 GFLOP), plus the two
// transposed forms the conv backward passes use at stage 2.
func BenchmarkGemm(b *testing.B) {
	cases := []struct {
		m, n, k int
		tA, tB  bool
	}{
		{64, 65536, 576, false, false},
		{128, 16384, 1152, false, false},
		{256, 4096, 2304, false, false},
		{512, 1024, 4608, false, false},
		{1152, 16384, 128, true, false}, // backward data: Wᵀ·dy
		{128, 1152, 16384, false, true}, // backward filter: dy·colᵀ
	}
	for _, be := range kt.Backends() {
		for _, cs := range cases {
			name := fmt.Sprintf("backend=%s/shape=%dx%dx%d,tA=%v,tB=%v", be.Name, cs.m, cs.n, cs.k, cs.tA, cs.tB)
			b.Run(name, func(b *testing.B) {
				as, bs := tensor.Shape{cs.m, cs.k}, tensor.Shape{cs.k, cs.n}
				if cs.tA {
					as = tensor.Shape{cs.k, cs.m}
				}
				if cs.tB {
					bs = tensor.Shape{cs.n, cs.k}
				}
				x := kt.DenseTensor(be.BE, as, kt.DenseRand(1, cs.m*cs.k, -1, 1))
				y := kt.DenseTensor(be.BE, bs, kt.DenseRand(2, cs.k*cs.n, -1, 1))
				c := be.BE.Empty(tensor.Float32, tensor.Shape{cs.m, cs.n})
				b.ReportAllocs()
				for b.Loop() {
					be.BE.Gemm(cs.tA, cs.tB, 1, x, y, 0, c)
				}
				flops := 2 * float64(cs.m) * float64(cs.n) * float64(cs.k)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
