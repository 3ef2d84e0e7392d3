package sgemm_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"twostage/kernels/sgemm"
)

// benchShape is one GEMM as a convolution layer issues it (im2col, batch
// folded into the columns): forward C[Cout, N·H·W] = W[Cout, Cin·9] ·
// X[Cin·9, N·H·W] is "NN"; the data gradient Wᵀ·dY is "TN" and the weight
// gradient dY·Xᵀ is "NT".
type benchShape struct {
	tA, tB  bool
	m, n, k int
}

func (s benchShape) String() string {
	op := map[[2]bool]string{{false, false}: "NN", {true, false}: "TN", {false, true}: "NT", {true, true}: "TT"}[[2]bool{s.tA, s.tB}]
	return fmt.Sprintf("%s_%dx%dx%d", op, s.m, s.n, s.k)
}

// convShapes are ResNet-18-like layers on CIFAR batches: (Cout, N·H·W,
// Cin·9) forward, then the two backward products of the same layer. The
// first uses 16384 columns (a 16-image batch at 32×32) to keep runs short.
var convShapes = func() []benchShape {
	var s []benchShape
	for _, f := range [][3]int{{64, 16384, 576}, {128, 16384, 1152}, {256, 4096, 2304}, {512, 1024, 4608}} {
		m, n, k := f[0], f[1], f[2]
		s = append(s, benchShape{false, false, m, n, k}) // Y = W·X
		s = append(s, benchShape{true, false, k, n, m})  // dX = Wᵀ·dY
		s = append(s, benchShape{false, true, m, k, n})  // dW = dY·Xᵀ
	}
	return s
}()

// BenchmarkSgemm times the packed kernel on every SIMD path (2 goroutines
// and 1) against
// gonum's pure-Go Sgemm on convShapes, reporting GFLOP/s (2·m·n·k per call).
// Run with -benchtime=3x: each call is 1-5 GFLOP.
func BenchmarkSgemm(b *testing.B) {
	type impl struct {
		name string
		gemm func(s benchShape, a, bm, c []float32, lda, ldb int)
	}
	impls := []impl{
		{"gonum", func(s benchShape, a, bm, c []float32, lda, ldb int) {
			gonum.Implementation{}.Sgemm(trans(s.tA), trans(s.tB), s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
		}},
	}
	for _, path := range sgemm.Paths()[1:] { // every SIMD path: impl=avx2-t2, avx512-t2, …
		for _, threads := range []int{2, 1} {
			cfg := sgemm.Config{Threads: threads, Path: path}
			impls = append(impls, impl{fmt.Sprintf("%v-t%d", path, threads), func(s benchShape, a, bm, c []float32, lda, ldb int) {
				cfg.Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, bm, ldb, 0, c, s.n)
			}})
		}
	}
	for _, s := range convShapes {
		rng := rand.New(rand.NewPCG(7, 1))
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		a, bm := operand(rng, s.m*s.k/lda, lda, lda), operand(rng, s.k*s.n/ldb, ldb, ldb)
		c := make([]float32, s.m*s.n)
		for _, im := range impls {
			b.Run("impl="+im.name+"/shape="+s.String(), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					im.gemm(s, a, bm, c, lda, ldb)
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// trans maps a transposed flag to its blas.Transpose.
func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// BenchmarkFMAPeak measures each SIMD path's FMA peak on GOMAXPROCS
// goroutines (-test.cpu T): a loop of independent register FMAs with no
// memory traffic, the ceiling the GEMM and conv figures are fractions of.
func BenchmarkFMAPeak(b *testing.B) {
	for _, path := range sgemm.Paths()[1:] {
		b.Run("path="+path.String(), func(b *testing.B) {
			const iters = 1 << 16 // one task: ~25 µs at 4 GHz
			flops := float64(sgemm.FMAPeakFlops(path)) * iters
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					sgemm.FMAPeak(path, iters)
				}
			})
			b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
