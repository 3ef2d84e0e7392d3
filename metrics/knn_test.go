package metrics_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"twostage/metrics"
)

// naiveKNN is the float64 textbook version of knn_acc: all similarities,
// a full sort (similarity descending, index ascending), votes
// exp(sim/σ) summed in that order, first maximal class. It also returns
// the gap between the two best class scores and the gap between the K-th
// and (K+1)-th similarity, which say how close a row is to a tie.
func naiveKNN(train []float32, labels []int, test []float32, d, k int, sigma float64, classes int) (pred []int, scoreGap, simGap []float64) {
	n, m := len(labels), len(test)/d
	k = min(k, n)
	for t := range m {
		sim := make([]float64, n)
		idx := make([]int, n)
		for s := range n {
			for j := range d {
				sim[s] += float64(test[t*d+j]) * float64(train[s*d+j])
			}
			idx[s] = s
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case sim[a] > sim[b]:
				return -1
			case sim[a] < sim[b]:
				return 1
			}
			return 0
		})
		score := make([]float64, classes)
		for _, s := range idx[:k] {
			score[labels[s]] += math.Exp(sim[s] / sigma)
		}
		best := 0
		for c := range score {
			if score[c] > score[best] {
				best = c
			}
		}
		second := math.Inf(-1)
		for c, v := range score {
			if c != best {
				second = max(second, v)
			}
		}
		pred = append(pred, best)
		scoreGap = append(scoreGap, (score[best]-second)/score[best])
		if k < n {
			simGap = append(simGap, sim[idx[k-1]]-sim[idx[k]])
		} else {
			simGap = append(simGap, math.Inf(1))
		}
	}
	return pred, scoreGap, simGap
}

// quantised fills a slice with multiples of 1/4 in [-1, 1]: with d ≤ 16
// every dot product is a multiple of 1/16 below 16 in magnitude, exact in
// float32 whatever the summation order, so the GEMM similarities equal
// the float64 ones bit for bit and ties are common.
func quantised(rng *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.IntN(9)-4) / 4
	}
	return x
}

// normalised fills n rows of d Gaussian values scaled to unit length.
func normalised(rng *rand.Rand, n, d int) []float32 {
	x := make([]float32, n*d)
	for i := range n {
		row := x[i*d : (i+1)*d]
		s := 0.0
		for j := range row {
			v := rng.NormFloat64()
			row[j] = float32(v)
			s += v * v
		}
		for j := range row {
			row[j] /= float32(math.Sqrt(s))
		}
	}
	return x
}

func randLabels(rng *rand.Rand, n, classes int) []int {
	l := make([]int, n)
	for i := range l {
		l[i] = rng.IntN(classes)
	}
	return l
}

// TestKNNExact: on quantised data the similarities are exact, so KNN must
// equal the naive float64 version on every row, ties included. Sizes cross
// the 64-row and 4096-column blocks, and K goes past the train count.
func TestKNNExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, c := range []struct {
		n, m, d, k, classes int
		sigma               float64
	}{
		{9000, 150, 8, 200, 10, 0.1}, // 3 column blocks, 3 row blocks
		{50, 70, 4, 200, 3, 0.1},     // K capped at 50
		{300, 10, 16, 1, 7, 0.1},     // K = 1: the most similar row's label
		{100, 64, 3, 20, 5, 0.1},     // one full row block
		// d = 2 has only 25 distinct similarity values, and σ = 100 makes
		// the vote nearly a plain count: which of the rows tied at the K-th
		// similarity enter the top-K (the lower indexes) decides many rows.
		{5000, 100, 2, 50, 4, 100},
	} {
		train, test := quantised(rng, c.n*c.d), quantised(rng, c.m*c.d)
		labels := randLabels(rng, c.n, c.classes)
		got := metrics.KNN(train, labels, test, c.d, c.k, c.sigma, c.classes)
		want, _, _ := naiveKNN(train, labels, test, c.d, c.k, c.sigma, c.classes)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: pred differs from the naive kNN\n got %v\nwant %v", c, got, want)
		}
	}
}

// TestKNNNormalised: on unit-norm Gaussian embeddings (the real use), KNN
// must agree with the naive version on every row that is not within
// float32 rounding of a tie, and almost every row is not.
func TestKNNNormalised(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	n, m, d, k, classes := 5000, 200, 32, 200, 10
	train, test := normalised(rng, n, d), normalised(rng, m, d)
	labels := randLabels(rng, n, classes)
	got := metrics.KNN(train, labels, test, d, k, 0.1, classes)
	want, scoreGap, simGap := naiveKNN(train, labels, test, d, k, 0.1, classes)
	skipped := 0
	for i := range got {
		// float32 dot products of unit vectors in d = 32 are off by
		// ≲ 32·2⁻²⁴ ≈ 2e-6; 1e-5 leaves a margin. A similarity error δ
		// moves a vote by δ/σ relatively, 1e-4 here.
		if simGap[i] < 1e-5 || scoreGap[i] < 1e-3 {
			skipped++
			continue
		}
		if got[i] != want[i] {
			t.Errorf("row %d: pred %d, naive %d (gaps %g %g)", i, got[i], want[i], scoreGap[i], simGap[i])
		}
	}
	if skipped > m/20 {
		t.Errorf("%d of %d rows too close to a tie to compare", skipped, m)
	}
	testLabels := randLabels(rng, m, classes)
	copy(testLabels, got[:m/2]) // half right by construction
	acc := metrics.KNNAccuracy(train, labels, test, testLabels, d, k, 0.1, classes)
	hit := 0
	for i := range got {
		if got[i] == testLabels[i] {
			hit++
		}
	}
	if acc != float64(hit)/float64(m) {
		t.Errorf("KNNAccuracy %v, want %v", acc, float64(hit)/float64(m))
	}
}

// TestKNNDeterministic: one core and all cores give the same predictions.
func TestKNNDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	n, m, d := 6000, 300, 24
	train, test := normalised(rng, n, d), normalised(rng, m, d)
	labels := randLabels(rng, n, 10)
	all := metrics.KNN(train, labels, test, d, 200, 0.1, 10)
	prev := runtime.GOMAXPROCS(1)
	one := metrics.KNN(train, labels, test, d, 200, 0.1, 10)
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(all, one) {
		t.Error("KNN differs between GOMAXPROCS=1 and the default")
	}
}

func TestKNNPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"label":  func() { metrics.KNN([]float32{1, 2}, []int{3}, []float32{1, 2}, 2, 1, 0.1, 3) },
		"shape":  func() { metrics.KNN([]float32{1, 2, 3}, []int{0}, []float32{1, 2}, 2, 1, 0.1, 3) },
		"d":      func() { metrics.KNN(nil, nil, nil, 0, 1, 0.1, 3) },
		"labels": func() { metrics.KNNAccuracy([]float32{1, 2}, []int{0}, []float32{1, 2}, nil, 2, 1, 0.1, 3) },
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

// BenchmarkKNN times the kNN monitor at the paper's sizes (K = 200,
// σ = 0.1, D = 128, a CIFAR-10-sized memory bank of 50,000 rows); the
// 10,000-query case takes several seconds on 2 cores, so run it with
// -benchtime=1x. GFLOP/s counts the 2·M·N·D of the similarity GEMM.
func BenchmarkKNN(b *testing.B) {
	for _, s := range []struct{ m, n, d int }{{1000, 50000, 128}, {10000, 50000, 128}} {
		b.Run(fmt.Sprintf("shape=%dx%dx%d", s.m, s.n, s.d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(8, 8))
			train, test := normalised(rng, s.n, s.d), normalised(rng, s.m, s.d)
			labels := randLabels(rng, s.n, 10)
			for b.Loop() {
				metrics.KNN(train, labels, test, s.d, 200, 0.1, 10)
			}
			sec := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(s.m)/sec, "queries/s")
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.d)/sec/1e9, "GFLOP/s")
		})
	}
}
