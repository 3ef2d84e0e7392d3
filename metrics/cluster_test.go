package metrics_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/metrics"
)

// textbookNMI is the float64 definition, independent of scikit-learn's
// grouping of logarithms:
//
//	I = Σ_ij p_ij log(p_ij / (p_i q_j)),  H = -Σ p log p,  NMI = I / ((H_P + H_T)/2)
//
// (for labelings where both have at least two labels).
func textbookNMI(pred, target []int) float64 {
	n := float64(len(pred))
	joint := map[[2]int]float64{}
	pp, pt := map[int]float64{}, map[int]float64{}
	for s := range pred {
		joint[[2]int{pred[s], target[s]}] += 1 / n
		pp[pred[s]] += 1 / n
		pt[target[s]] += 1 / n
	}
	mi := 0.0
	for k, p := range joint {
		mi += p * math.Log(p/(pp[k[0]]*pt[k[1]]))
	}
	h := func(m map[int]float64) float64 {
		s := 0.0
		for _, p := range m {
			s -= p * math.Log(p)
		}
		return s
	}
	return mi / ((h(pp) + h(pt)) / 2)
}

// textbookARI is Hubert and Arabie's formula with binomial coefficients
// C(x, 2) in float64:
//
//	ARI = (Σ C(n_ij,2) - E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) - E),
//	E   = Σ C(a_i,2) · Σ C(b_j,2) / C(n,2)
func textbookARI(pred, target []int) float64 {
	c2 := func(x float64) float64 { return x * (x - 1) / 2 }
	joint := map[[2]int]float64{}
	a, b := map[int]float64{}, map[int]float64{}
	for s := range pred {
		joint[[2]int{pred[s], target[s]}]++
		a[pred[s]]++
		b[target[s]]++
	}
	var sij, sa, sb float64
	for _, v := range joint {
		sij += c2(v)
	}
	for _, v := range a {
		sa += c2(v)
	}
	for _, v := range b {
		sb += c2(v)
	}
	e := sa * sb / c2(float64(len(pred)))
	return (sij - e) / ((sa+sb)/2 - e)
}

// noisyLabels draws n targets in [0, classes) and predictions that are a
// permutation of them with a fraction flip replaced by random clusters in
// [0, k): the shape of the golden fixture's generator.
func noisyLabels(rng *rand.Rand, n, classes, k int, flip float64) (pred, target []int) {
	perm := rng.Perm(max(k, classes))
	pred, target = make([]int, n), make([]int, n)
	for s := range n {
		target[s] = rng.IntN(classes)
		pred[s] = perm[target[s]] % k
		if rng.Float64() < flip {
			pred[s] = rng.IntN(k)
		}
	}
	return pred, target
}

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

// TestNMIARIKnown: values worked out by hand (and scikit-learn's doc
// examples), and the special cases of scikit-learn.
func TestNMIARIKnown(t *testing.T) {
	for _, c := range []struct {
		pred, target []int
		nmi, ari     float64
	}{
		// pred is a function of target: I = H(P) = ln 2, H(T) = 1.5 ln 2, so
		// NMI = ln2 / (1.25 ln2) = 0.8; ordered pairs: tp 2, fp 2, fn 0,
		// tn 8, ARI = 2·(2·8 - 0) / ((2+0)(0+8) + (2+2)(2+8)) = 32/56 = 4/7.
		{[]int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 0.8, 4.0 / 7},
		{[]int{0, 1, 0, 1}, []int{0, 0, 1, 1}, 0, -0.5},    // independent halves
		{[]int{0, 1, 2, 3}, []int{0, 0, 0, 0}, 0, 0},       // one labeling constant
		{[]int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0, 0},       // the other way round
		{[]int{3, 3, 3}, []int{1, 1, 1}, 1, 1},             // both constant
		{[]int{}, []int{}, 1, 1},                           // empty
		{[]int{0, 1, 2}, []int{2, 0, 1}, 1, 1},             // all singletons
		{[]int{1, 1, 0, 0, 2}, []int{0, 0, 2, 2, 1}, 1, 1}, // permuted labels
		{[]int{0, 0, 1, 1, 2, 2}, []int{5, 5, 5, 7, 7, 7}, math.NaN(), math.NaN()},
	} {
		nmi, ari := metrics.NMI(c.pred, c.target), metrics.ARI(c.pred, c.target)
		wantNMI, wantARI := c.nmi, c.ari
		if math.IsNaN(wantNMI) { // no hand value: the textbook formulas
			wantNMI, wantARI = textbookNMI(c.pred, c.target), textbookARI(c.pred, c.target)
		}
		// Closed forms vs a few float64 logs: 1e-12 covers the rounding.
		if !near(nmi, wantNMI, 1e-12) || !near(ari, wantARI, 1e-12) {
			t.Errorf("pred %v target %v: NMI %v ARI %v, want %v %v", c.pred, c.target, nmi, ari, wantNMI, wantARI)
		}
	}
}

// TestNMIARITextbook compares with the textbook float64 formulas on random
// labelings, including k ≠ classes, unused label values and n = 100,000,
// where the pair-count products reach ~1e19, past int64, and ARI needs exact
// integers.
func TestNMIARITextbook(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	for trial := range 40 {
		n := 2 + rng.IntN(400)
		if trial == 0 {
			n = 100000
		}
		classes, k := 2+rng.IntN(9), 2+rng.IntN(12)
		pred, target := noisyLabels(rng, n, classes, k, rng.Float64())
		if trial%5 == 1 { // leave a gap: label values that never occur
			for s := range pred {
				pred[s] *= 3
			}
		}
		nmi, ari := metrics.NMI(pred, target), metrics.ARI(pred, target)
		wn, wa := textbookNMI(pred, target), textbookARI(pred, target)
		// Both are float64 sums of ≤ ~100 terms of size ≤ 1: 1e-10 is ample.
		if !near(nmi, wn, 1e-10) || !near(ari, wa, 1e-10) {
			t.Errorf("trial %d (n=%d): NMI %v ARI %v, textbook %v %v", trial, n, nmi, ari, wn, wa)
		}
		// Symmetry, as in scikit-learn.
		if !near(metrics.NMI(target, pred), nmi, 1e-12) || !near(metrics.ARI(target, pred), ari, 1e-12) {
			t.Errorf("trial %d: not symmetric", trial)
		}
	}
}

// bruteAccuracy tries every injective map from clusters to classes (or
// classes to clusters), the definition of the clustering accuracy.
func bruteAccuracy(pred, target []int, k, classes int) float64 {
	table := metrics.Contingency(pred, target)
	cell := func(c, j int) int {
		if c < len(table) && j < len(table[c]) {
			return table[c][j]
		}
		return 0
	}
	w := make([][]float64, k)
	for c := range w {
		w[c] = make([]float64, classes)
		for j := range w[c] {
			w[c][j] = float64(cell(c, j))
		}
	}
	return bruteAssign(w) / float64(len(pred))
}

func TestClusterAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for trial := range 200 {
		classes, k := 1+rng.IntN(6), 1+rng.IntN(7)
		pred, target := noisyLabels(rng, 1+rng.IntN(200), classes, k, rng.Float64())
		acc, mapping := metrics.ClusterAccuracy(pred, target, classes)
		kk := len(mapping)
		if want := bruteAccuracy(pred, target, kk, classes); !near(acc, want, 1e-12) {
			t.Fatalf("trial %d: acc %v, brute force %v", trial, acc, want)
		}
		// The mapping must realise acc.
		hit := 0
		for s := range pred {
			if mapping[pred[s]] == target[s] {
				hit++
			}
		}
		if !near(float64(hit)/float64(len(pred)), acc, 1e-12) {
			t.Fatalf("trial %d: mapping %v gives %d hits, acc %v", trial, mapping, hit, acc)
		}
	}
	// Permuted labels: accuracy 1 and the mapping is the inverse permutation.
	target := []int{0, 1, 2, 3, 0, 1, 2, 3, 3}
	perm := []int{2, 0, 3, 1}
	pred := make([]int, len(target))
	for s, c := range target {
		pred[s] = perm[c]
	}
	acc, mapping := metrics.ClusterAccuracy(pred, target, 4)
	if acc != 1 {
		t.Errorf("permuted labels: acc %v, want 1", acc)
	}
	for c, cl := range perm {
		if mapping[cl] != c {
			t.Errorf("permuted labels: mapping %v, want cluster %d -> class %d", mapping, cl, c)
		}
	}
	// More clusters than classes: cluster 2 splits class 0; one is unmapped.
	acc, mapping = metrics.ClusterAccuracy([]int{0, 0, 2, 1, 1}, []int{0, 0, 0, 1, 1}, 2)
	if acc != 0.8 || mapping[0] != 0 || mapping[1] != 1 || mapping[2] != -1 {
		t.Errorf("k > classes: acc %v mapping %v, want 0.8 [0 1 -1]", acc, mapping)
	}
}

func TestContingency(t *testing.T) {
	got := metrics.Contingency([]int{0, 2, 2, 1, 0}, []int{1, 1, 0, 1, 1})
	want := [][]int{{0, 2}, {0, 1}, {1, 1}}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("Contingency = %v, want %v", got, want)
			}
		}
	}
	for name, f := range map[string]func(){
		"length":   func() { metrics.Contingency([]int{0}, []int{0, 1}) },
		"negative": func() { metrics.NMI([]int{0, -1}, []int{0, 1}) },
		"classes":  func() { metrics.ClusterAccuracy([]int{0, 1}, []int{0, 2}, 2) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
