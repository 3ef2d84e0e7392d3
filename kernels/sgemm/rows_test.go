package sgemm_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/kernels/sgemm"
)

// Tests of SgemmRows, the implicit-GEMM entry whose B rows sit at offsets
// into one base slice.

// rowsLayout names how a case places the stored rows of b.
type rowsLayout int

const (
	rowsRandom  rowsLayout = iota // random starts anywhere in base: unsorted, overlapping
	rowsStep0                     // every row the same window
	rowsStep1                     // row i starts at i: windows overlap in all but one element
	rowsStrided                   // row i at i·(w+3): evenly spaced, disjoint
	rowsConv                      // im2col windows (c, r, q) of a zero-bordered 3×3 conv plane
)

func (l rowsLayout) String() string {
	return [...]string{"random", "step0", "step1", "strided", "conv"}[l]
}

// rowOffsets returns the starts of rows stored rows of width w and the base
// length they need. rowsConv reads rows as (c, r, q) of a 3×3 kernel over
// planes of 7 rows of stride 9 (a 5×7 image with its border), so the starts
// come in runs of three one apart, runs 9 apart, planes 63 apart, the
// pattern Conv2D's padded path makes.
func rowOffsets(rng *rand.Rand, l rowsLayout, rows, w int) (off []int, baseLen int) {
	off = make([]int, rows)
	switch l {
	case rowsRandom:
		baseLen = 2*w + 37
		for i := range off {
			off[i] = rng.IntN(baseLen - w + 1)
		}
		return off, baseLen
	case rowsStep0:
		return off, w
	case rowsStep1:
		for i := range off {
			off[i] = i
		}
	case rowsStrided:
		for i := range off {
			off[i] = i * (w + 3)
		}
	case rowsConv:
		for i := range off {
			c, rq := i/9, i%9
			off[i] = c*63 + rq/3*9 + rq%3
		}
	}
	for _, o := range off {
		baseLen = max(baseLen, o+w)
	}
	return off, baseLen
}

// checkRows runs one SgemmRows call and compares it with slowSgemm64 on B
// gathered into a dense matrix, C's guard band and the unchanged inputs.
func checkRows(t *testing.T, cfg sgemm.Config, tc gemmCase, l rowsLayout, rng *rand.Rand) {
	t.Helper()
	m, n, k := tc.m, tc.n, tc.k
	ar, ac := m, k
	if tc.tA {
		ar, ac = k, m
	}
	rows, w := k, n // stored rows of b and their width
	if tc.tB {
		rows, w = n, k
	}
	lda, ldc := max(1, ac)+tc.pad, n+tc.pad
	a := operand(rng, ar, ac, lda)
	off, baseLen := rowOffsets(rng, l, rows, w)
	base := operand(rng, 1, baseLen, baseLen)
	// dense[i*w+j] = base[off[i]+j]: the same B with leading dimension w.
	dense := make([]float32, rows*w)
	for i, o := range off {
		copy(dense[i*w:(i+1)*w], base[o:])
	}
	a0, base0 := append([]float32(nil), a...), append([]float32(nil), base...)

	buf := make([]float32, (m+2)*ldc)
	for i := range buf {
		buf[i] = guard
	}
	c := buf[ldc : ldc+(m-1)*ldc+n]
	for i := range m {
		for j := range n {
			if tc.beta == 0 {
				c[i*ldc+j] = float32(math.NaN())
			} else {
				c[i*ldc+j] = 2*rng.Float32() - 1
			}
		}
	}
	want, bound := slowSgemm64(tc.tA, tc.tB, m, n, k, tc.alpha, a, lda, dense, max(1, w), tc.beta, c, ldc)

	cfg.SgemmRows(tc.tA, tc.tB, m, n, k, tc.alpha, a, lda, base, off, tc.beta, c, ldc)

	bad := 0
	for i := range m {
		for j := range n {
			got, wv := float64(c[i*ldc+j]), want[i*n+j]
			if d := math.Abs(got - wv); !(d <= tol(k, bound[i*n+j])) {
				if bad++; bad <= 5 {
					t.Errorf("%v/%v: C[%d,%d] = %v, want %v (|diff| %.3g > tol %.3g)", tc, l, i, j, got, wv, d, tol(k, bound[i*n+j]))
				}
			}
		}
	}
	for idx, v := range buf {
		r, col := idx/ldc-1, idx%ldc
		if (r < 0 || r >= m || col >= n) && v != guard {
			t.Fatalf("%v/%v: guard at buf[%d] overwritten with %v", tc, l, idx, v)
		}
	}
	if !sameBits(a, a0) || !sameBits(base, base0) {
		t.Fatalf("%v/%v: A or b modified", tc, l)
	}
}

// TestSgemmRows sweeps every row layout over both transposes of A and B,
// sizes around the 6×16 tile and the 8-row transpose groups (7, 8, 9, 17,
// 33 rows of b), a k past one kc block, and all scalar pairs.
func TestSgemmRows(t *testing.T) {
	shapes := [][3]int{{1, 1, 1}, {5, 7, 9}, {6, 16, 8}, {7, 17, 27}, {13, 33, 18}, {11, 9, 45}, {19, 40, 33}, {8, sgemm.NR*3 + 5, sgemm.KC + 7}}
	for name, cfg := range configs(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(8, 1))
			for si, sh := range shapes {
				for _, tr := range [4][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
					for l := rowsRandom; l <= rowsConv; l++ {
						ab := scalars[(si+int(l))%len(scalars)]
						checkRows(t, cfg, gemmCase{tA: tr[0], tB: tr[1], m: sh[0], n: sh[1], k: sh[2],
							alpha: ab[0], beta: ab[1], pad: si % 2}, l, rng)
					}
				}
			}
		})
	}
}

// TestSgemmRowsMatchesSgemm checks that boff[i] = i·ldb reproduces Sgemm
// bit for bit (same packing, same order) for both layouts of B, and that
// the thread count changes nothing.
func TestSgemmRowsMatchesSgemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 1))
	const m, n, k = 37, 301, 350 // parallel path, ragged tiles, two k blocks
	for name, cfg := range configs(t) {
		for _, tB := range []bool{false, true} {
			rows, w := k, n
			if tB {
				rows, w = n, k
			}
			ldb := w + 5
			a, b := operand(rng, m, k, k), operand(rng, rows, w, ldb)
			off := make([]int, rows)
			for i := range off {
				off[i] = i * ldb
			}
			want, got := make([]float32, m*n), make([]float32, m*n)
			cfg.Sgemm(false, tB, m, n, k, 1, a, k, b, ldb, 0, want, n)
			cfg.SgemmRows(false, tB, m, n, k, 1, a, k, b, off, 0, got, n)
			if !sameBits(got, want) {
				t.Errorf("%s/tB=%v: SgemmRows with boff = i·ldb differs from Sgemm", name, tB)
			}
		}
	}
}

// TestSgemmRowsPanics checks the offset table's own checks.
func TestSgemmRowsPanics(t *testing.T) {
	s := make([]float32, 100)
	for _, tc := range []struct {
		want string
		call func()
	}{
		{"sgemm: bad length of boff", func() { sgemm.Config{}.SgemmRows(false, false, 2, 3, 4, 1, s, 4, s, []int{0, 1, 2}, 0, s, 3) }},
		{"sgemm: bad length of boff", func() { sgemm.Config{}.SgemmRows(false, true, 2, 3, 4, 1, s, 4, s, []int{0, 1, 2, 3}, 0, s, 3) }},
		{"sgemm: offset of b out of range", func() { sgemm.Config{}.SgemmRows(false, false, 2, 3, 2, 1, s, 2, s, []int{0, 98}, 0, s, 3) }},
		{"sgemm: offset of b out of range", func() { sgemm.Config{}.SgemmRows(false, true, 2, 3, 2, 1, s, 2, s, []int{0, -1, 5}, 0, s, 3) }},
		{"sgemm: bad leading dimension of A", func() { sgemm.Config{}.SgemmRows(false, false, 2, 3, 4, 1, s, 3, s, []int{0, 1, 2, 3}, 0, s, 3) }},
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

// TestSgemmRowsAllocs checks the offset entry allocates nothing either.
func TestSgemmRowsAllocs(t *testing.T) {
	if raceOn {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rng := rand.New(rand.NewPCG(10, 1))
	const m, n, k = 16, 840, 144
	off, baseLen := rowOffsets(rng, rowsConv, k, n)
	a, base, c := operand(rng, m, k, k), operand(rng, 1, baseLen, baseLen), make([]float32, m*n)
	for _, threads := range []int{1, 2} {
		cfg := sgemm.Config{Threads: threads}
		allocs := testing.AllocsPerRun(20, func() {
			cfg.SgemmRows(false, false, m, n, k, 1, a, k, base, off, 0, c, n)
		})
		if allocs != 0 {
			t.Errorf("Threads=%d: %v allocations per call, want 0", threads, allocs)
		}
	}
}

// TestDirectMatchesPacked checks the in-place B path (few rows of C, B
// read where it lies) against the packed path, which it must equal bit for
// bit: the same FMAs in the same order. Shapes cover ragged row panels
// (m % 6, m % 16), a ragged last column panel (n % 16), k tails of the unrolled
// loop and two k blocks, for SgemmRows and Sgemm (both op(A); B's rows
// span under directSpan here), at 1 and 2 threads, on every SIMD path.
func TestDirectMatchesPacked(t *testing.T) {
	if !sgemm.HaveAVX2 {
		t.Skip("no AVX2/FMA: the in-place path needs the assembly kernel")
	}
	rng := rand.New(rand.NewPCG(4, 2))
	for _, path := range sgemm.Paths()[1:] {
		for _, m := range []int{1, 5, 6, 16, 30, 48, 100, 128} {
			for _, n := range []int{16, 37, 300} {
				for _, k := range []int{1, 3, 9, 144, 650} {
					for _, threads := range []int{1, 2} {
						cfg := sgemm.Config{Threads: threads, Path: path}
						ldb := n + 3
						a, b := operand(rng, m, k, k), operand(rng, k, n, ldb)
						at := operand(rng, k, m, m) // op(A) = atᵀ
						c0 := operand(rng, m, n, n)
						off, baseLen := rowOffsets(rng, rowsConv, k, n)
						base := operand(rng, 1, baseLen, baseLen)
						run := func(f func(c []float32)) []float32 {
							c := append([]float32(nil), c0...)
							f(c)
							return c
						}
						calls := map[string]func(c []float32){
							"NN": func(c []float32) { cfg.Sgemm(false, false, m, n, k, 1.5, a, k, b, ldb, 0.5, c, n) },
							"TN": func(c []float32) { cfg.Sgemm(true, false, m, n, k, 1, at, m, b, ldb, 0, c, n) },
							"rows": func(c []float32) {
								cfg.SgemmRows(false, false, m, n, k, 1, a, k, base, off, 1, c, n)
							},
						}
						for name, f := range calls {
							got := run(f)
							restore := sgemm.SetMaxDirectRows(0)
							want := run(f)
							restore()
							if !sameBits(got, want) {
								t.Errorf("%v %s m=%d n=%d k=%d threads=%d: in-place B differs from packed B", path, name, m, n, k, threads)
							}
						}
					}
				}
			}
		}
	}
}

// TestSgemmPacked checks that a product with A packed once by PackA equals
// Sgemm bit for bit (the same panels, the same order), for both layouts of
// A and B, shapes across the block edges (m past mc, k past kc: two k
// blocks) and every test config, reusing one PackedA across shapes.
func TestSgemmPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	var pa sgemm.PackedA
	for name, cfg := range configs(t) {
		for _, sh := range [][3]int{{1, 1, 1}, {7, 33, 5}, {150, 40, 330}, {48, 300, 700}, {16, 17, 16}} {
			m, n, k := sh[0], sh[1], sh[2]
			for _, tA := range []bool{false, true} {
				for _, tB := range []bool{false, true} {
					lda, ldb := k+2, n+1
					a := operand(rng, m, k, lda)
					if tA {
						lda = m + 2
						a = operand(rng, k, m, lda)
					}
					b := operand(rng, k, n, ldb)
					if tB {
						ldb = k + 3
						b = operand(rng, n, k, ldb)
					}
					c0 := operand(rng, m, n, n)
					want, got := append([]float32(nil), c0...), append([]float32(nil), c0...)
					cfg.Sgemm(tA, tB, m, n, k, 0.5, a, lda, b, ldb, 2, want, n)
					cfg.PackA(&pa, tA, m, k, a, lda)
					cfg.SgemmPacked(&pa, tB, n, 0.5, b, ldb, 2, got, n)
					if !sameBits(got, want) {
						t.Errorf("%s m=%d n=%d k=%d tA=%v tB=%v: SgemmPacked differs from Sgemm", name, m, n, k, tA, tB)
					}
				}
			}
		}
	}
}

// TestSgemmPackedAB checks SgemmPackedAB, B handed over in packB's layout,
// against Sgemm on the same B stored row by row (the same bits), and its
// refusals.
func TestSgemmPackedAB(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 4))
	var pa sgemm.PackedA
	for name, cfg := range configs(t) {
		for _, sh := range [][3]int{{1, 16, 1}, {7, 32, 5}, {150, 4096 + 64, 300}, {16, 48, 16}, {64, 256, sgemm.KC}, {13, 64, 2*sgemm.KC + 5}} {
			m, n, k := sh[0], sh[1], sh[2]
			a := operand(rng, m, k, k)
			b := operand(rng, k, n, n)
			pb := make([]float32, n*k)
			kcs := sgemm.PackedBBlock(k)
			for pc := 0; pc < k; pc += kcs {
				kcb := min(kcs, k-pc)
				for q := 0; q < n/sgemm.NR; q++ {
					for p := pc; p < pc+kcb; p++ {
						copy(pb[pc*n+(q*kcb+p-pc)*sgemm.NR:][:sgemm.NR], b[p*n+q*sgemm.NR:])
					}
				}
			}
			c0 := operand(rng, m, n, n)
			want, got := append([]float32(nil), c0...), append([]float32(nil), c0...)
			cfg.Sgemm(false, false, m, n, k, 0.5, a, k, b, n, 2, want, n)
			cfg.PackA(&pa, false, m, k, a, k)
			cfg.SgemmPackedAB(&pa, n, 0.5, pb, 2, got, n)
			if !sameBits(got, want) {
				t.Errorf("%s m=%d n=%d k=%d: SgemmPackedAB differs from Sgemm", name, m, n, k)
			}
		}
	}
	cfg := sgemm.Config{}
	for _, c := range []struct {
		n, k int
		want string
	}{{20, 8, "sgemm: n of a packed B not a multiple of 16"}, {-16, 8, "sgemm: n of a packed B not a multiple of 16"}} {
		cfg.PackA(&pa, false, 4, c.k, make([]float32, 4*c.k), c.k)
		got := func() (msg any) {
			defer func() { msg = recover() }()
			cfg.SgemmPackedAB(&pa, c.n, 1, make([]float32, max(0, c.n*c.k)), 0, make([]float32, max(0, 4*c.n)), max(1, c.n))
			return nil
		}()
		if got != c.want {
			t.Errorf("n=%d k=%d: panic %v, want %q", c.n, c.k, got, c.want)
		}
	}
}

// TestSgemmPanels checks SgemmPanels, every 16-column panel of op(B)
// gathered through its own base, against Sgemm on the gathered B (the same
// bits), on every config (the NoSIMD one packs the panels), and its
// refusals.
func TestSgemmPanels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 5))
	for name, cfg := range configs(t) {
		for _, sh := range [][3]int{{1, 16, 1}, {7, 32, 5}, {50, 4096 + 64, 300}, {130, 48, sgemm.KC + 7}} {
			m, n, k := sh[0], sh[1], sh[2]
			a := operand(rng, m, k, k)
			src := operand(rng, 1, 3*k+n+64, 3*k+n+64)
			boff, pbase := make([]int, k), make([]int, n/sgemm.NR)
			for p := range boff {
				boff[p] = rng.IntN(3 * k)
			}
			for q := range pbase {
				pbase[q] = rng.IntN(n + 48)
			}
			b := make([]float32, k*n) // the gathered op(B)
			for p := 0; p < k; p++ {
				for q, base := range pbase {
					copy(b[p*n+q*sgemm.NR:][:sgemm.NR], src[base+boff[p]:])
				}
			}
			c0 := operand(rng, m, n, n)
			want, got := append([]float32(nil), c0...), append([]float32(nil), c0...)
			cfg.Sgemm(false, false, m, n, k, 0.5, a, k, b, n, 2, want, n)
			cfg.SgemmPanels(m, n, k, 0.5, a, k, src, boff, pbase, 2, got, n)
			if !sameBits(got, want) {
				t.Errorf("%s m=%d n=%d k=%d: SgemmPanels differs from Sgemm", name, m, n, k)
			}
		}
	}
	cfg := sgemm.Config{}
	for _, c := range []struct {
		n     int
		boff  []int
		pbase []int
		want  string
	}{
		{20, []int{0}, []int{0}, "sgemm: n of a panel gather not a multiple of 16"},
		{16, []int{0, 0}, []int{0}, "sgemm: bad length of boff"},
		{16, []int{0}, []int{0, 0}, "sgemm: bad length of pbase"},
		{16, []int{20}, []int{0}, "sgemm: offset of b out of range"},
		{16, []int{0}, []int{-1}, "sgemm: offset of b out of range"},
	} {
		got := func() (msg any) {
			defer func() { msg = recover() }()
			cfg.SgemmPanels(2, c.n, 1, 1, make([]float32, 2), 1, make([]float32, 32), c.boff, c.pbase, 0, make([]float32, 2*c.n), c.n)
			return nil
		}()
		if got != c.want {
			t.Errorf("n=%d boff=%v pbase=%v: panic %v, want %q", c.n, c.boff, c.pbase, got, c.want)
		}
	}
}
