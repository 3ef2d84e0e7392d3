package metrics_test

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"twostage/metrics"
)

// blobs draws per points around each of k random centres in d dimensions:
// centres uniform in [-10, 10]^d, noise N(0, 0.1²), so clusters are
// separated by ~100 noise widths. target is the generating blob.
func blobs(rng *rand.Rand, k, per, d int) (x []float32, target []int) {
	centre := make([]float64, k*d)
	for i := range centre {
		centre[i] = 20*rng.Float64() - 10
	}
	for i := range k * per {
		c := i % k
		for j := range d {
			x = append(x, float32(centre[c*d+j]+0.1*rng.NormFloat64()))
		}
		target = append(target, c)
	}
	return x, target
}

// TestKMeansBlobs: well-separated blobs are recovered exactly, the centres
// are the means of their points and the inertia is Σ‖x - c‖² in float64.
func TestKMeansBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range []struct{ k, per, d int }{{5, 100, 16}, {12, 60, 3}, {30, 40, 128}} {
		x, target := blobs(rng, c.k, c.per, c.d)
		n := c.k * c.per
		labels, centres, inertia := metrics.KMeans(x, n, c.d, c.k, 4, 100, rand.New(rand.NewPCG(10, 10)))
		if acc, _ := metrics.ClusterAccuracy(labels, target, c.k); acc != 1 {
			t.Errorf("%+v: blobs recovered with accuracy %v, want 1", c, acc)
		}
		// Reference: means and inertia from the labels, in float64.
		sum, count := make([]float64, c.k*c.d), make([]int, c.k)
		for i, l := range labels {
			count[l]++
			for j := range c.d {
				sum[l*c.d+j] += float64(x[i*c.d+j])
			}
		}
		for i, v := range sum {
			mean := v / float64(count[i/c.d])
			// float32 storage of a mean of magnitude ≤ 10: 2e-6 abs.
			if math.Abs(float64(centres[i])-mean) > 2e-6 {
				t.Fatalf("%+v: centre value %d = %v, mean %v", c, i, centres[i], mean)
			}
		}
		want := 0.0
		for i, l := range labels {
			for j := range c.d {
				e := float64(x[i*c.d+j]) - float64(centres[l*c.d+j])
				want += e * e
			}
		}
		// Same float64 terms, summed in blocks instead of one run.
		if math.Abs(inertia-want) > 1e-9*want {
			t.Errorf("%+v: inertia %v, recomputed %v", c, inertia, want)
		}
	}
}

// TestKMeansDeterministic: a seed gives the same bits twice and on one
// core as on all.
func TestKMeansDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	x, _ := blobs(rng, 8, 200, 32)
	for i := range x { // blur the blobs so Lloyd needs several iterations
		x[i] += float32(5 * rng.NormFloat64())
	}
	n, d, k := 1600, 32, 8
	run := func() ([]int, []float32, float64) {
		return metrics.KMeans(x, n, d, k, 3, 50, rand.New(rand.NewPCG(12, 12)))
	}
	l1, c1, j1 := run()
	l2, c2, j2 := run()
	prev := runtime.GOMAXPROCS(1)
	l3, c3, j3 := run()
	runtime.GOMAXPROCS(prev)
	if !slices.Equal(l1, l2) || !slices.Equal(c1, c2) || j1 != j2 {
		t.Error("two runs with one seed differ")
	}
	if !slices.Equal(l1, l3) || !slices.Equal(c1, c3) || j1 != j3 {
		t.Error("GOMAXPROCS=1 differs from the default")
	}
	// The first of 6 restarts draws what the 1-restart run draws, so
	// keeping the best can only lower the inertia.
	_, _, one := metrics.KMeans(x, n, d, k, 1, 50, rand.New(rand.NewPCG(13, 13)))
	_, _, six := metrics.KMeans(x, n, d, k, 6, 50, rand.New(rand.NewPCG(13, 13)))
	if six > one {
		t.Errorf("6 restarts: inertia %v above 1 restart's %v", six, one)
	}
}

// TestKMeansDegenerate: only three distinct points for five clusters
// (seeding draws coinciding centres, Lloyd empties clusters); labels must
// stay valid and the inertia 0, as every point sits on a centre.
func TestKMeansDegenerate(t *testing.T) {
	x := []float32{0, 0, 1, 1, 0, 0, 5, 5, 1, 1, 0, 0, 5, 5, 0, 0, 1, 1, 5, 5}
	labels, _, inertia := metrics.KMeans(x, 10, 2, 5, 2, 20, rand.New(rand.NewPCG(14, 14)))
	for _, l := range labels {
		if l < 0 || l >= 5 {
			t.Fatalf("label %d outside [0, 5)", l)
		}
	}
	if inertia != 0 {
		t.Errorf("inertia %v, want 0", inertia)
	}
	defer func() {
		if recover() == nil {
			t.Error("k > n: no panic")
		}
	}()
	metrics.KMeans(x, 10, 2, 11, 1, 10, rand.New(rand.NewPCG(1, 1)))
}

// BenchmarkKMeans: 10,000 embeddings of D = 128 into 10 clusters, one
// restart of at most 20 iterations.
func BenchmarkKMeans(b *testing.B) {
	rng := rand.New(rand.NewPCG(15, 15))
	n, d, k := 10000, 128, 10
	x := normalised(rng, n, d)
	for b.Loop() {
		metrics.KMeans(x, n, d, k, 1, 20, rand.New(rand.NewPCG(16, 16)))
	}
}
