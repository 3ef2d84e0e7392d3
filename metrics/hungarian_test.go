package metrics_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/metrics"
)

// bruteAssign is the textbook definition: the largest Σ w[i][col(i)] over
// all matchings of exactly min(n, m) distinct (row, column) pairs, by
// enumerating them (n, m ≤ 7: at most 7! = 5040 matchings).
func bruteAssign(w [][]float64) float64 {
	n, m := len(w), len(w[0])
	pairs := min(n, m)
	best := math.Inf(-1)
	var rec func(i int, used uint, got int, sum float64)
	rec = func(i int, used uint, got int, sum float64) {
		if got == pairs {
			best = max(best, sum)
			return
		}
		if i == n || n-i < pairs-got { // not enough rows left
			return
		}
		for j := range m {
			if used&(1<<j) == 0 {
				rec(i+1, used|1<<j, got+1, sum+w[i][j])
			}
		}
		rec(i+1, used, got, sum) // row i unmatched (only possible when n > m)
	}
	rec(0, 0, 0, 0)
	return best
}

// checkAssign verifies that a is a matching of min(n, m) pairs and returns
// its total weight.
func checkAssign(t *testing.T, w [][]float64, a []int) float64 {
	t.Helper()
	n, m := len(w), len(w[0])
	if len(a) != n {
		t.Fatalf("assignment has %d entries, want %d", len(a), n)
	}
	used := make([]bool, m)
	sum, pairs := 0.0, 0
	for i, j := range a {
		if j == -1 {
			continue
		}
		if j < 0 || j >= m || used[j] {
			t.Fatalf("row %d: column %d out of range or used twice (%v)", i, j, a)
		}
		used[j] = true
		sum += w[i][j]
		pairs++
	}
	if pairs != min(n, m) {
		t.Fatalf("%d pairs matched, want %d (%v)", pairs, min(n, m), a)
	}
	return sum
}

func randMatrix(rng *rand.Rand, n, m int, integer bool) [][]float64 {
	w := make([][]float64, n)
	for i := range w {
		w[i] = make([]float64, m)
		for j := range w[i] {
			if integer { // small integers: many tied optima
				w[i][j] = float64(rng.IntN(5))
			} else {
				w[i][j] = rng.NormFloat64() * 10
			}
		}
	}
	return w
}

// TestHungarianBrute compares the optimum with brute force over all
// matchings for random square and rectangular matrices up to 7×7.
func TestHungarianBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for trial := range 600 {
		n, m := 1+rng.IntN(7), 1+rng.IntN(7)
		if trial%3 == 0 {
			m = n // a third square
		}
		w := randMatrix(rng, n, m, trial%2 == 0)
		got := checkAssign(t, w, metrics.Hungarian(w))
		want := bruteAssign(w)
		// Sums of ≤ 7 terms of size ~30: 1e-9 is far above their rounding.
		if math.Abs(got-want) > 1e-9 {
			t.Fatalf("trial %d (%d×%d): total %v, brute force %v\n%v", trial, n, m, got, want, w)
		}
	}
}

// TestHungarianKnown checks small cases by hand.
func TestHungarianKnown(t *testing.T) {
	for _, c := range []struct {
		w    [][]float64
		want []int
	}{
		{[][]float64{{1, 2}, {3, 1}}, []int{1, 0}},
		{[][]float64{{7, 1, 1}, {1, 1, 9}, {1, 8, 1}}, []int{0, 2, 1}},
		{[][]float64{{1, 5, 2}}, []int{1}},             // 1×3: the best column
		{[][]float64{{1}, {5}, {2}}, []int{-1, 0, -1}}, // 3×1: the best row
		{[][]float64{{-1, -5}, {-2, -1}}, []int{0, 1}}, // negative weights
		{[][]float64{{0, 0}, {0, 0}, {4, 0}}, nil},     // validity only
	} {
		a := metrics.Hungarian(c.w)
		checkAssign(t, c.w, a)
		if c.want == nil {
			continue
		}
		for i := range a {
			if a[i] != c.want[i] {
				t.Errorf("Hungarian(%v) = %v, want %v", c.w, a, c.want)
				break
			}
		}
	}
	if a := metrics.Hungarian(nil); len(a) != 0 {
		t.Errorf("Hungarian(nil) = %v, want empty", a)
	}
}

// TestHungarianPlanted hides a permutation of clearly larger weights in a
// 60×60 and a 40×70 matrix: the unique optimum is that permutation.
func TestHungarianPlanted(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, sz := range [][2]int{{60, 60}, {40, 70}, {70, 40}} {
		n, m := sz[0], sz[1]
		w := randMatrix(rng, n, m, false)
		for i := range w {
			for j := range w[i] {
				w[i][j] = rng.Float64() / 2 // background in [0, 0.5)
			}
		}
		planted := make([]int, n) // row -> column, -1 when n > m
		for i := range planted {
			planted[i] = -1
		}
		if n <= m {
			for i, j := range rng.Perm(m)[:n] {
				planted[i] = j
			}
		} else {
			for j, i := range rng.Perm(n)[:m] {
				planted[i] = j
			}
		}
		for i, j := range planted {
			if j >= 0 {
				// A matching that misses r planted pairs loses 10·r and
				// gains < 0.5·r from its r other pairs: the planted one wins.
				w[i][j] += 10
			}
		}
		a := metrics.Hungarian(w)
		checkAssign(t, w, a)
		for i := range a {
			if a[i] != planted[i] {
				t.Fatalf("%d×%d: row %d got column %d, planted %d", n, m, i, a[i], planted[i])
			}
		}
	}
}

func TestHungarianPanics(t *testing.T) {
	for name, w := range map[string][][]float64{
		"ragged": {{1, 2}, {3}},
		"nan":    {{1, math.NaN()}, {3, 4}},
		"inf":    {{1, math.Inf(1)}, {3, 4}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			metrics.Hungarian(w)
		}()
	}
}
