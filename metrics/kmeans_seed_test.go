package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// refSeed is greedy k-means++ written plainly (one goroutine, sums in point
// order): the first centre uniform, then per centre kmeansTrials(k) D²
// draws and the candidate of lowest potential.
func refSeed(x []float32, n, d, k int, rng *rand.Rand) []int {
	dist := make([]float64, n)
	chosen := []int{rng.IntN(n)}
	for i := range n {
		dist[i] = sqDist(x[i*d:(i+1)*d], x[chosen[0]*d:(chosen[0]+1)*d])
	}
	for len(chosen) < k {
		total := 0.0
		for _, v := range dist {
			total += v
		}
		best, bestPot := -1, math.Inf(1)
		var cands []int
		for range kmeansTrials(k) {
			r, acc, next := rng.Float64()*total, 0.0, 0
			for i, v := range dist {
				acc += v
				if v > 0 {
					next = i
					if acc > r {
						break
					}
				}
			}
			cands = append(cands, next)
		}
		for _, c := range cands {
			p := 0.0
			for i := range n {
				p += min(dist[i], sqDist(x[i*d:(i+1)*d], x[c*d:(c+1)*d]))
			}
			if p < bestPot {
				best, bestPot = c, p
			}
		}
		chosen = append(chosen, best)
		for i := range n {
			dist[i] = min(dist[i], sqDist(x[i*d:(i+1)*d], x[best*d:(best+1)*d]))
		}
	}
	return chosen
}

// TestGreedySeed checks the parallel seeding against refSeed: the same
// points become centres, over several block counts and seeds.
func TestGreedySeed(t *testing.T) {
	for _, c := range []struct{ n, d, k int }{{50, 3, 4}, {700, 5, 10}, {1000, 2, 20}} {
		rng := rand.New(rand.NewPCG(3, uint64(c.n)))
		x := make([]float32, c.n*c.d)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		for s := range uint64(5) {
			km := newKMeansRun(x, c.n, c.d, c.k)
			km.seed(rand.New(rand.NewPCG(s, 9)))
			want := refSeed(x, c.n, c.d, c.k, rand.New(rand.NewPCG(s, 9)))
			for j, p := range want {
				if !slices.Equal(km.centres[j*c.d:(j+1)*c.d], x[p*c.d:(p+1)*c.d]) {
					t.Fatalf("n=%d k=%d seed %d: centre %d is not point %d", c.n, c.k, s, j, p)
				}
			}
			// seed leaves dist = D² to the nearest centre.
			for i := range c.n {
				m := math.Inf(1)
				for _, p := range want {
					m = min(m, sqDist(x[i*c.d:(i+1)*c.d], x[p*c.d:(p+1)*c.d]))
				}
				if km.dist[i] != m {
					t.Fatalf("n=%d k=%d: dist[%d] = %g, want %g", c.n, c.k, i, km.dist[i], m)
				}
			}
		}
	}
}
