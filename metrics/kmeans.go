package metrics

import (
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// KMeans clusters n points x [n, d] (row-major) into k clusters with Lloyd's
// algorithm (S. P. Lloyd, "Least squares quantization in PCM", IEEE Trans.
// Inf. Theory 28, 1982) from greedy k-means++ seeds (D. Arthur and S.
// Vassilvitskii, "k-means++: the advantages of careful seeding", SODA 2007),
// minimising the inertia
//
//	J = Σ_i ‖x_i - centres[labels[i]]‖²
//
// It runs restarts independent seedings, each iterating
//
//	assign:  labels[i] = argmin_c ‖x_i - centre_c‖²   (first minimum)
//	update:  centre_c  = mean of the points labelled c
//
// until no label changes or maxIter updates were made (a final assign then
// makes labels match the centres), and keeps the run of lowest J (the
// first on ties). A cluster left empty by an assign takes over the point
// farthest from its own centre, as scikit-learn does.
//
// labels [n] in [0, k), centres [k, d] and inertia (J in float64) describe
// the kept run. All randomness comes from rng, in a fixed order; the assign
// step runs over the cores in fixed blocks of kmeansRows points, each
// using one blas32.Gemm for the dot products x·centreᵀ, and the updates
// and sums run in a fixed order, so a seed gives the same bits for any
// number of cores. It is the sequential baseline of the paper's tables,
// sized for n ≈ 60,000 points of d = 128 and k = 10..100.
//
// n ≥ k ≥ 1, restarts ≥ 1, maxIter ≥ 0 and len(x) = n·d; else it panics.
func KMeans(x []float32, n, d, k, restarts, maxIter int, rng *rand.Rand) (labels []int, centres []float32, inertia float64) {
	if d <= 0 || k <= 0 || restarts <= 0 || maxIter < 0 || len(x) != n*d {
		panic("metrics: kmeans: bad shape or parameters")
	}
	if n < k {
		panic("metrics: kmeans: fewer points than clusters")
	}
	km := newKMeansRun(x, n, d, k)
	inertia = math.Inf(1)
	for range restarts {
		km.seed(rng)
		km.lloyd(maxIter)
		if j := km.inertia(); j < inertia {
			inertia = j
			labels = slices.Clone(km.labels)
			centres = append([]float32(nil), km.centres...)
		}
	}
	return labels, centres, inertia
}

// kmeansRows is the block of points one GEMM of the assign step covers.
const kmeansRows = 256

// kmeansRun holds one k-means run's state and scratch.
type kmeansRun struct {
	x       []float32 // [n, d] the points
	n, d, k int
	xnorm   []float64   // [n] ‖x_i‖²
	centres []float32   // [k, d]
	cnorm   []float64   // [k] ‖centre_c‖²
	labels  []int       // [n]
	dist    []float64   // [n] ‖x_i - centre_{labels[i]}‖² after assign
	dots    [][]float32 // per worker: [kmeansRows, k] block of x·centreᵀ
	changed []int       // [blocks] labels changed per assign block
}

func newKMeansRun(x []float32, n, d, k int) *kmeansRun {
	km := &kmeansRun{x: x, n: n, d: d, k: k,
		xnorm: make([]float64, n), centres: make([]float32, k*d), cnorm: make([]float64, k),
		labels: make([]int, n), dist: make([]float64, n),
		changed: make([]int, numBlocks(n, kmeansRows))}
	km.dots = make([][]float32, numWorkers(len(km.changed)))
	parallelBlocks(n, kmeansRows, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			km.xnorm[i] = sqNorm(x[i*d : (i+1)*d])
		}
	})
	return km
}

// seed picks greedy k-means++ centres, as scikit-learn's KMeans does: the
// first uniformly; for each next one, kmeansTrials(k) candidates drawn with
// probability proportional to D(x)², the squared distance of x to the
// nearest centre chosen so far, of which the one leaving the smallest
// potential Σ min(D(x)², ‖x - candidate‖²) is kept (the first on ties).
// Arthur and Vassilvitskii's §6 suggests the trials; 2 + ⌊ln k⌋ is
// scikit-learn's number. dist holds D(x)².
func (km *kmeansRun) seed(rng *rand.Rand) {
	n, d := km.n, km.d
	first := rng.IntN(n)
	copy(km.centres[:d], km.x[first*d:(first+1)*d])
	cen := km.centres[:d]
	parallelBlocks(n, kmeansRows, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			km.dist[i] = sqDist(km.x[i*d:(i+1)*d], cen)
		}
	})
	trials := kmeansTrials(km.k)
	cand := make([]int, trials)
	// pot[t*blocks+b] is candidate t's potential over block b, summed in
	// block order so that any core count gives the same bits.
	blocks := numBlocks(n, kmeansRows)
	pot := make([]float64, trials*blocks)
	for c := 1; c < km.k; c++ {
		total := 0.0
		for _, v := range km.dist {
			total += v
		}
		for t := range cand {
			cand[t] = km.drawD2(rng, total)
		}
		parallelBlocks(n, kmeansRows, func(b, lo, hi int) {
			for t, ci := range cand {
				x := km.x[ci*d : (ci+1)*d]
				s := 0.0
				for i := lo; i < hi; i++ {
					s += min(km.dist[i], sqDist(km.x[i*d:(i+1)*d], x))
				}
				pot[t*blocks+b] = s
			}
		})
		best, bestPot := 0, math.Inf(1)
		for t := range cand {
			s := 0.0
			for _, v := range pot[t*blocks : (t+1)*blocks] {
				s += v
			}
			if s < bestPot {
				best, bestPot = t, s
			}
		}
		next := cand[best]
		cen := km.centres[c*d : (c+1)*d]
		copy(cen, km.x[next*d:(next+1)*d])
		// D² = min(D², ‖x - centre_c‖²), parallel and elementwise.
		parallelBlocks(n, kmeansRows, func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				km.dist[i] = min(km.dist[i], sqDist(km.x[i*d:(i+1)*d], cen))
			}
		})
	}
}

// kmeansTrials is the number of candidates greedy k-means++ draws per
// centre: 2 + ⌊ln k⌋, scikit-learn's n_local_trials.
func kmeansTrials(k int) int { return 2 + int(math.Log(float64(k))) }

// drawD2 draws a point with probability proportional to dist (D²), whose
// sum is total; uniformly when every point coincides with a centre.
func (km *kmeansRun) drawD2(rng *rand.Rand, total float64) int {
	if total == 0 {
		return rng.IntN(km.n)
	}
	// Inverse-CDF draw: the first point whose running sum passes r.
	r, acc, next := rng.Float64()*total, 0.0, 0
	for i, v := range km.dist {
		acc += v
		if v > 0 {
			next = i // the last point of positive weight, if r ≈ total
			if acc > r {
				break
			}
		}
	}
	return next
}

// lloyd iterates assign/update from the seeded centres.
func (km *kmeansRun) lloyd(maxIter int) {
	for i := range km.labels {
		km.labels[i] = -1
	}
	for it := 0; ; it++ {
		if km.assign() == 0 || it == maxIter {
			return
		}
		km.update()
	}
}

// assign sets labels to the nearest centre and dist to the squared
// distance, ‖x‖² - 2·x·c + ‖c‖² with x·c from the GEMM, and returns the
// number of labels that changed.
func (km *kmeansRun) assign() int {
	n, d, k := km.n, km.d, km.k
	for c := range k {
		km.cnorm[c] = sqNorm(km.centres[c*d : (c+1)*d])
	}
	cen := blas32.General{Rows: k, Cols: d, Stride: d, Data: km.centres}
	parallelItems(len(km.changed), len(km.dots), func(w, b int) {
		if km.dots[w] == nil {
			km.dots[w] = make([]float32, kmeansRows*k)
		}
		lo, hi := span(b, kmeansRows, n)
		xs := blas32.General{Rows: hi - lo, Cols: d, Stride: d, Data: km.x[lo*d : hi*d]}
		dot := blas32.General{Rows: hi - lo, Cols: k, Stride: k, Data: km.dots[w][:(hi-lo)*k]}
		blas32.Gemm(blas.NoTrans, blas.Trans, 1, xs, cen, 0, dot) // dot = xs·centresᵀ, [rows, k]
		changed := 0
		for i := lo; i < hi; i++ {
			row := dot.Data[(i-lo)*k : (i-lo+1)*k]
			best, bestD := 0, math.Inf(1)
			for c, v := range row {
				if dd := km.cnorm[c] - 2*float64(v); dd < bestD {
					best, bestD = c, dd
				}
			}
			if km.labels[i] != best {
				km.labels[i] = best
				changed++
			}
			km.dist[i] = max(0, km.xnorm[i]+bestD) // rounding can dip below 0
		}
		km.changed[b] = changed
	})
	total := 0
	for _, c := range km.changed {
		total += c
	}
	return total
}

// update moves each centre to the mean of its points (sums in float64, in
// point order), first giving every empty cluster the point farthest from
// its centre (largest dist; lower index on ties), one distinct point each.
func (km *kmeansRun) update() {
	d, k := km.d, km.k
	count := make([]int, k)
	for _, l := range km.labels {
		count[l]++
	}
	for c := range k {
		if count[c] > 0 {
			continue
		}
		// The farthest point whose cluster keeps at least one other point;
		// n ≥ k guarantees one exists while a cluster is empty.
		far := -1
		for i, v := range km.dist {
			if count[km.labels[i]] > 1 && (far < 0 || v > km.dist[far]) {
				far = i
			}
		}
		count[km.labels[far]]--
		km.labels[far], km.dist[far] = c, 0
		count[c] = 1
	}
	sum := make([]float64, k*d)
	for i, l := range km.labels {
		s, xi := sum[l*d:(l+1)*d], km.x[i*d:(i+1)*d]
		for j, v := range xi {
			s[j] += float64(v)
		}
	}
	for c := range k {
		if count[c] == 0 { // n ≥ k makes this unreachable; keep the centre
			continue
		}
		inv := 1 / float64(count[c])
		for j := range d {
			km.centres[c*d+j] = float32(sum[c*d+j] * inv)
		}
	}
}

// inertia is J = Σ_i ‖x_i - centre_{labels[i]}‖² computed directly in
// float64 (not from the GEMM expansion), summed per block and then over
// blocks in order.
func (km *kmeansRun) inertia() float64 {
	n, d := km.n, km.d
	part := make([]float64, numBlocks(n, kmeansRows))
	parallelBlocks(n, kmeansRows, func(b, lo, hi int) {
		s := 0.0
		for i := lo; i < hi; i++ {
			l := km.labels[i]
			s += sqDist(km.x[i*d:(i+1)*d], km.centres[l*d:(l+1)*d])
		}
		part[b] = s
	})
	j := 0.0
	for _, s := range part {
		j += s
	}
	return j
}

// sqNorm is ‖a‖² in float64.
func sqNorm(a []float32) float64 {
	s := 0.0
	for _, v := range a {
		s += float64(v) * float64(v)
	}
	return s
}

// sqDist is ‖a - b‖² in float64.
func sqDist(a, b []float32) float64 {
	s := 0.0
	for j, v := range a {
		t := float64(v) - float64(b[j])
		s += t * t
	}
	return s
}
