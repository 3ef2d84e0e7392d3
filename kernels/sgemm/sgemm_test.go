package sgemm_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"twostage/kernels/sgemm"
)

// guard fills every element of C's backing array outside the m×n
// submatrix; it must survive every call unchanged.
const guard = float32(-12345.5)

// slowSgemm64 is the textbook triple loop in float64. It returns
// alpha*op(A)*op(B) + beta*C (beta == 0 ignores C, NaNs included) as an m×n
// row-major slice, and for each element the magnitude
//
//	bound[i,j] = |alpha| * Σ_p |op(A)[i,p]|·|op(B)[p,j]| + |beta·C[i,j]|
//
// used by tol.
func slowSgemm64(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, bound []float64) {
	want, bound = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s, abs float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				av, bv := float64(a[ai]), float64(b[bi])
				s += av * bv
				abs += math.Abs(av * bv)
			}
			w := float64(alpha) * s
			bd := math.Abs(float64(alpha)) * abs
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				w += cv
				bd += math.Abs(cv)
			}
			want[i*n+j], bound[i*n+j] = w, bd
		}
	}
	return want, bound
}

// tol is the allowed |got − want| for one element. A float32 sum of k
// products, in any order and with or without FMA, has error at most
// γ_{k+2}·bound with γ_j ≈ j·u and unit roundoff u = 2⁻²⁴ (Higham,
// Accuracy and Stability of Numerical Algorithms, §3.1; the +2 covers the
// alpha and beta terms). We allow 2u per step, twice that bound, plus a
// tiny absolute floor for exact zeros.
func tol(k int, bound float64) float64 {
	return float64(k+2)*0x1p-23*bound + 1e-30
}

// operand returns a rows×cols matrix with row stride ld, its entries
// uniform in [-1, 1) and the padding past cols filled with NaN, so a kernel
// that reads padding poisons its result.
func operand(rng *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, max(0, (rows-1)*ld+cols))
	for i := range s {
		if i%ld < cols {
			s[i] = 2*rng.Float32() - 1
		} else {
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// gemmCase is one call: shape, transposes, scalars and leading-dimension
// padding (ld = stored width + pad).
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	pad         int
}

func (tc gemmCase) String() string {
	return fmt.Sprintf("tA=%v/tB=%v/%dx%dx%d/alpha=%v/beta=%v/pad=%d", tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.alpha, tc.beta, tc.pad)
}

// check runs one case through cfg and compares with slowSgemm64, C's guard
// band, and the unchanged inputs.
func check(t *testing.T, cfg sgemm.Config, tc gemmCase, rng *rand.Rand) {
	t.Helper()
	m, n, k := tc.m, tc.n, tc.k
	ar, ac := m, k
	if tc.tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tc.tB {
		br, bc = n, k
	}
	lda, ldb, ldc := max(1, ac)+tc.pad, max(1, bc)+tc.pad, n+tc.pad
	a, b := operand(rng, ar, ac, lda), operand(rng, br, bc, ldb)
	a0, b0 := append([]float32(nil), a...), append([]float32(nil), b...)

	// C sits inside a guard band: one whole row of ldc before and after.
	buf := make([]float32, (m+2)*ldc)
	for i := range buf {
		buf[i] = guard
	}
	clen := 0 // an empty C when m == 0
	if m > 0 {
		clen = (m-1)*ldc + n
	}
	c := buf[ldc : ldc+clen]
	for i := range m {
		for j := range n {
			if tc.beta == 0 {
				c[i*ldc+j] = float32(math.NaN()) // must be overwritten, not read
			} else {
				c[i*ldc+j] = 2*rng.Float32() - 1
			}
		}
	}
	want, bound := slowSgemm64(tc.tA, tc.tB, m, n, k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)

	cfg.Sgemm(tc.tA, tc.tB, m, n, k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)

	bad := 0
	for i := range m {
		for j := range n {
			got, w := float64(c[i*ldc+j]), want[i*n+j]
			if d := math.Abs(got - w); !(d <= tol(k, bound[i*n+j])) {
				if bad++; bad <= 5 {
					t.Errorf("%v: C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", tc, i, j, got, w, d, tol(k, bound[i*n+j]))
				}
			}
		}
	}
	for idx, v := range buf {
		r, col := idx/ldc-1, idx%ldc
		if r >= 0 && r < m && col < n {
			continue
		}
		if v != guard {
			t.Fatalf("%v: guard at buf[%d] (row %d, col %d) overwritten with %v", tc, idx, r, col, v)
		}
	}
	if !sameBits(a, a0) || !sameBits(b, b0) {
		t.Fatalf("%v: A or B modified", tc)
	}
}

// sameBits reports whether x and y hold identical bit patterns (NaN-safe).
func sameBits(x, y []float32) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(y[i]) {
			return false
		}
	}
	return true
}

// configs are the kernels under test: every path this process can run
// (sgemm.Paths: the portable Go kernel always, avx2 and avx512 where the
// CPU has them and TWOSTAGE_SIMD allows), each single- and multi-threaded.
func configs(t *testing.T) map[string]sgemm.Config {
	cs := map[string]sgemm.Config{
		"go/t1": {NoSIMD: true, Threads: 1},
		"go/t3": {Path: sgemm.Go, Threads: 3},
	}
	for _, p := range sgemm.Paths()[1:] {
		cs[p.String()+"/t1"] = sgemm.Config{Path: p, Threads: 1}
		cs[p.String()+"/t2"] = sgemm.Config{Path: p, Threads: 2}
	}
	if len(cs) == 2 {
		t.Log("no AVX2/FMA on this CPU (or TWOSTAGE_SIMD=go): testing the portable kernel only")
	}
	return cs
}

// scalars are the alpha/beta pairs every shape runs with: plain overwrite
// (beta 0 over a NaN-filled C), accumulate (beta 1) and a general blend.
var scalars = [][2]float32{{1, 0}, {1, 1}, {-0.75, 0.5}}

// TestSgemmSmall sweeps each of m, n, k over 1..40 (every tail of the 6×16
// tile and of an 8-wide vector) with the others at odd sizes, for all
// transposes, scalars and both padded and tight leading dimensions.
func TestSgemmSmall(t *testing.T) {
	var shapes [][3]int
	for s := 1; s <= 40; s++ {
		shapes = append(shapes, [3]int{s, 17, 9}, [3]int{5, s, 13}, [3]int{11, 19, s}, [3]int{s, s, s})
	}
	for name, cfg := range configs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			for si, sh := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
					for _, ab := range scalars {
						check(t, cfg, gemmCase{tA: tr[0], tB: tr[1], m: sh[0], n: sh[1], k: sh[2],
							alpha: ab[0], beta: ab[1], pad: si % 3 * 2}, rng)
					}
				}
			}
		})
	}
}

// TestSgemmBlockEdges probes sizes just below, at and above every blocking
// multiple (mr of both tile shapes, nr, kc, mc, nc), where packing changes
// panels or blocks and later k blocks switch from beta to accumulate.
func TestSgemmBlockEdges(t *testing.T) {
	MR, MR16, NR, KC, MC, NC := sgemm.MR, sgemm.MR512, sgemm.NR, sgemm.KC, sgemm.MC, sgemm.NC
	shapes := [][3]int{
		{MR16 + 1, NR + 1, KC + 1},
		{2*MR16 - 1, 2*NR - 1, KC - 1},
		{MR16, NR, 2*KC + 3},
		{3*MR16 + 5, 2*NR + 3, 9},
		{MR + 1, NR + 1, KC + 1},
		{2*MR - 1, 2*NR - 1, KC - 1},
		{MR, NR, 2*KC + 3},
		{MC - 1, NR + 3, 7},
		{MC + 1, 2*NR + 5, KC + 1},
		{2*MC + 5, NR - 1, 3},
		{MR + 1, NC - 1, 3},
		{3, NC + 1, KC + 2},
		{2*MR + 1, 2*NC + NR + 1, 2},
		{MR + 2, 4*NC + NR + 3, 5}, // column blocks from the shared counter at 2 threads
	}
	if testing.Short() {
		shapes = shapes[:7]
	}
	for name, cfg := range configs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, 1))
			for si, sh := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
					ab := scalars[si%len(scalars)]
					check(t, cfg, gemmCase{tA: tr[0], tB: tr[1], m: sh[0], n: sh[1], k: sh[2],
						alpha: ab[0], beta: ab[1], pad: 1 + si%2}, rng)
				}
			}
		})
	}
}

// TestSgemmScalarOnly covers the paths that never run the kernel: alpha 0
// and k 0 give C = beta*C (zeros, not NaN*0, when beta is 0), and empty m
// or n touch nothing.
func TestSgemmScalarOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	for _, tc := range []gemmCase{
		{m: 7, n: 9, k: 5, alpha: 0, beta: 0, pad: 2},
		{m: 7, n: 9, k: 5, alpha: 0, beta: 0.5, pad: 1},
		{m: 7, n: 9, k: 5, alpha: 0, beta: 1},
		{m: 7, n: 9, k: 0, alpha: 1, beta: 0, pad: 3},
		{m: 7, n: 9, k: 0, alpha: 2, beta: -1.5},
		{m: 0, n: 9, k: 5, alpha: 1, beta: 0, pad: 1},
		{m: 7, n: 0, k: 5, alpha: 1, beta: 0, pad: 1},
	} {
		check(t, sgemm.Config{}, tc, rng)
	}
}

// TestSgemmDeterministic checks that the thread count does not change a
// single bit: each element is summed by one goroutine in kc-block order.
func TestSgemmDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 1))
	for _, sh := range [][3]int{
		{97, 301, 600},           // big enough for the parallel path, ragged everywhere
		{13, 6*sgemm.NC + 5, 40}, // column blocks from the shared counter up to 3 threads
	} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, path := range sgemm.Paths() {
			a, b := operand(rng, m, k, k), operand(rng, n, k, k)
			var first []float32
			for threads := 1; threads <= 5; threads++ {
				c := make([]float32, m*n)
				sgemm.Config{Threads: threads, Path: path}.Sgemm(false, true, m, n, k, 1, a, k, b, k, 0, c, n)
				if first == nil {
					first = c
				} else if !sameBits(c, first) {
					t.Fatalf("%v path=%v: Threads=%d differs from Threads=1", sh, path, threads)
				}
			}
		}
	}
}

// TestSgemmPanics checks each bad argument panics with its constant text.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		want string
		call func()
	}{
		{"sgemm: m < 0", func() { sgemm.Sgemm(false, false, -1, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"sgemm: n < 0", func() { sgemm.Sgemm(false, false, 2, -1, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"sgemm: k < 0", func() { sgemm.Sgemm(false, false, 2, 2, -1, 1, s, 2, s, 2, 0, s, 2) }},
		{"sgemm: bad leading dimension of A", func() { sgemm.Sgemm(false, false, 2, 2, 3, 1, s, 2, s, 2, 0, s, 2) }},
		{"sgemm: bad leading dimension of A", func() { sgemm.Sgemm(true, false, 3, 2, 2, 1, s, 2, s, 2, 0, s, 2) }},
		{"sgemm: bad leading dimension of B", func() { sgemm.Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 2, 0, s, 3) }},
		{"sgemm: bad leading dimension of B", func() { sgemm.Sgemm(false, true, 2, 2, 3, 1, s, 3, s, 2, 0, s, 2) }},
		{"sgemm: bad leading dimension of C", func() { sgemm.Sgemm(false, false, 2, 3, 2, 1, s, 2, s, 3, 0, s, 2) }},
		{"sgemm: insufficient length of a", func() { sgemm.Sgemm(false, false, 11, 2, 10, 1, s, 10, s, 2, 0, s, 2) }},
		{"sgemm: insufficient length of b", func() { sgemm.Sgemm(false, false, 2, 10, 11, 1, s, 11, s, 10, 0, s, 10) }},
		{"sgemm: insufficient length of c", func() { sgemm.Sgemm(false, false, 11, 10, 2, 1, s, 2, s, 10, 0, s, 10) }},
		{"sgemm: illegal transpose", func() {
			sgemm.Implementation{}.Sgemm('x', blas.NoTrans, 2, 2, 2, 1, s, 2, s, 2, 0, s, 2)
		}},
	} {
		func() {
			defer func() {
				r := recover()
				if msg, _ := r.(string); msg != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.call()
		}()
	}
}

// TestImplementation runs blas32.Gemm through sgemm.Implementation for every
// transpose pair and compares it with the package-level Sgemm bit for bit.
func TestImplementation(t *testing.T) {
	old := blas32.Implementation()
	blas32.Use(sgemm.Implementation{})
	defer blas32.Use(old)
	rng := rand.New(rand.NewPCG(5, 1))
	const m, n, k = 23, 41, 37
	for _, tA := range []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans} {
		for _, tB := range []blas.Transpose{blas.NoTrans, blas.Trans, blas.ConjTrans} {
			ta, tb := tA != blas.NoTrans, tB != blas.NoTrans
			ar, ac := m, k
			if ta {
				ar, ac = k, m
			}
			br, bc := k, n
			if tb {
				br, bc = n, k
			}
			a := blas32.General{Rows: ar, Cols: ac, Stride: ac, Data: operand(rng, ar, ac, ac)}
			b := blas32.General{Rows: br, Cols: bc, Stride: bc, Data: operand(rng, br, bc, bc)}
			c := blas32.General{Rows: m, Cols: n, Stride: n, Data: operand(rng, m, n, n)}
			want := append([]float32(nil), c.Data...)
			sgemm.Sgemm(ta, tb, m, n, k, 0.5, a.Data, a.Stride, b.Data, b.Stride, 2, want, n)
			blas32.Gemm(tA, tB, 0.5, a, b, 2, c)
			if !sameBits(c.Data, want) {
				t.Errorf("tA=%c tB=%c: blas32.Gemm differs from sgemm.Sgemm", tA, tB)
			}
		}
	}
}

// TestSgemmAllocs checks the steady state allocates nothing: packing
// buffers come from a pool and the worker goroutines are long-lived.
func TestSgemmAllocs(t *testing.T) {
	if raceOn {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rng := rand.New(rand.NewPCG(6, 1))
	for _, n := range []int{512, 4 * sgemm.NC} { // a grid, and column blocks from a counter
		const m, k = 64, 288
		a, b, c := operand(rng, m, k, k), operand(rng, k, n, n), make([]float32, m*n)
		for _, threads := range []int{1, 2} {
			cfg := sgemm.Config{Threads: threads}
			allocs := testing.AllocsPerRun(20, func() {
				cfg.Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
			})
			if allocs != 0 {
				t.Errorf("n=%d Threads=%d: %v allocations per call, want 0", n, threads, allocs)
			}
		}
	}
}

// TestSgemmPathsAgree checks that the SIMD paths give the same bits as
// avx2 where they should: each element's FMAs run in the same order on
// every tile shape (6×16 and 16×16), so with alpha = 1 and beta ∈ {0, 1}
// (the ragged tiles' Go merge is then exact too) avx512 equals avx2, for
// every transpose, ragged edges of both tile heights, two k blocks, the
// in-place B path (few rows) and the packed one.
func TestSgemmPathsAgree(t *testing.T) {
	paths := sgemm.Paths()
	if len(paths) < 3 {
		t.Skip("one SIMD path only: nothing to compare")
	}
	rng := rand.New(rand.NewPCG(4, 7))
	for _, sh := range [][3]int{{1, 16, 1}, {5, 37, 9}, {16, 16, 16}, {17, 33, 31}, {40, 300, 144}, {64, 257, 650}, {150, 100, 330}, {33, 2*sgemm.NC + 17, 20}} {
		m, n, k := sh[0], sh[1], sh[2]
		for _, tr := range [4][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			for _, beta := range []float32{0, 1} {
				a := operand(rng, m*k, 1, 1)
				b := operand(rng, k*n, 1, 1)
				lda, ldb := k, n
				if tr[0] {
					lda = m
				}
				if tr[1] {
					ldb = k
				}
				c0 := operand(rng, m, n, n)
				var want []float32
				for _, p := range paths[1:] {
					for _, threads := range []int{1, 2} {
						c := append([]float32(nil), c0...)
						sgemm.Config{Path: p, Threads: threads}.Sgemm(tr[0], tr[1], m, n, k, 1, a, lda, b, ldb, beta, c, n)
						if want == nil {
							want = c
						} else if !sameBits(c, want) {
							t.Errorf("%v tA=%v tB=%v beta=%v: %v at %d threads differs from avx2", sh, tr[0], tr[1], beta, p, threads)
						}
					}
				}
			}
		}
	}
}
