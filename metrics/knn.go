package metrics

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// KNN classifies each test embedding by a similarity-weighted vote of its
// nearest training embeddings, the reference's knn_acc (the kNN monitor of
// Wu et al., "Unsupervised feature learning via non-parametric instance
// discrimination", CVPR 2018):
//
//	sim[t][s]   = test[t] · train[s]                 (float32, as the GEMM)
//	N_t         = the K = min(k, N) training rows with the largest sim[t][·];
//	              equal similarities rank the lower training index first
//	score[t][c] = Σ_{s ∈ N_t, trainLabels[s] = c} exp(sim[t][s] / sigma)
//	pred[t]     = argmax_c score[t][c]               (the first maximum)
//
// Shapes: train [N, d] row-major with N = len(trainLabels), test [M, d],
// pred [M]. Labels lie in [0, classes). The embeddings are normally
// L2-normalised, so sim is a cosine; the votes are formed and summed in
// float64 in descending-similarity order, where PyTorch uses float32, so
// the two can differ only where two class scores agree to ~1e-7. With no
// training rows every score is 0 and pred is 0, as torch.argmax of zeros.
//
// Cost: 2·M·N·d flops for sim, computed by blas32.Gemm on blocks of
// knnRows test rows × knnCols training rows, and a streaming top-K per test
// row (a bounded heap whose root is the current K-th best). Test blocks run
// in parallel; each row's result depends on its data alone, so the output
// is the same for any number of cores. Bad shapes or labels panic.
func KNN(train []float32, trainLabels []int, test []float32, d, k int, sigma float64, classes int) (pred []int) {
	if d <= 0 || k <= 0 || classes <= 0 {
		panic("metrics: knn: d, k and classes must be positive")
	}
	n := len(trainLabels)
	if len(train) != n*d || len(test)%d != 0 {
		panic("metrics: knn: feature lengths do not match d and the label count")
	}
	for _, l := range trainLabels {
		if l < 0 || l >= classes {
			panic("metrics: knn: train label outside [0, classes)")
		}
	}
	m := len(test) / d
	pred = make([]int, m)
	kk := min(k, n)
	if kk == 0 {
		return pred
	}
	// One scratch set per worker: the similarity block, the heaps of the
	// block's rows and the class scores.
	type scratch struct {
		sim   []float32
		heaps []topK
		score []float64
	}
	blocks := numBlocks(m, knnRows)
	work := make([]*scratch, numWorkers(blocks))
	parallelItems(blocks, len(work), func(worker, blk int) {
		sc := work[worker]
		if sc == nil {
			sc = &scratch{sim: make([]float32, knnRows*knnCols), heaps: make([]topK, knnRows),
				score: make([]float64, classes)}
			for r := range sc.heaps {
				sc.heaps[r] = newTopK(kk)
			}
			work[worker] = sc
		}
		lo, hi := span(blk, knnRows, m)
		rows := hi - lo
		for r := range rows {
			sc.heaps[r].reset()
		}
		a := blas32.General{Rows: rows, Cols: d, Stride: d, Data: test[lo*d : hi*d]}
		for c0 := 0; c0 < n; c0 += knnCols {
			c1 := min(c0+knnCols, n)
			cols := c1 - c0
			b := blas32.General{Rows: cols, Cols: d, Stride: d, Data: train[c0*d : c1*d]}
			s := blas32.General{Rows: rows, Cols: cols, Stride: cols, Data: sc.sim[:rows*cols]}
			blas32.Gemm(blas.NoTrans, blas.Trans, 1, a, b, 0, s) // s = a·bᵀ, [rows, cols]
			for r := range rows {
				// Columns arrive in increasing training index, so a tie
				// with the current K-th best never displaces it.
				sc.heaps[r].pushRow(s.Data[r*cols:(r+1)*cols], c0)
			}
		}
		for r := range rows {
			pred[lo+r] = vote(&sc.heaps[r], trainLabels, sigma, sc.score)
		}
	})
	return pred
}

// KNNAccuracy is the fraction of test rows whose KNN prediction equals
// testLabels (len(testLabels) = len(test)/d), the number knn_acc returns;
// NaN with no test rows.
func KNNAccuracy(train []float32, trainLabels []int, test []float32, testLabels []int, d, k int, sigma float64, classes int) float64 {
	if len(testLabels)*d != len(test) {
		panic("metrics: knn: test labels do not match the test features")
	}
	pred := KNN(train, trainLabels, test, d, k, sigma, classes)
	hit := 0
	for t, p := range pred {
		if p == testLabels[t] {
			hit++
		}
	}
	if len(pred) == 0 {
		return math.NaN()
	}
	return float64(hit) / float64(len(pred))
}

// Block sizes of KNN: a knnRows×knnCols float32 similarity block is 1 MiB
// and stays in L2 while it is scanned; knnCols training rows of d = 128
// (2 MiB) are shared by the knnRows test rows of the block. knnRows is a
// multiple of gonum's 64-row GEMM tile.
const (
	knnRows = 64
	knnCols = 4096
)

// vote turns a row's top-K into the class scores (accumulated into score,
// which it clears first) and returns the first class of maximal score.
func vote(h *topK, labels []int, sigma float64, score []float64) int {
	clear(score)
	for _, e := range h.sorted() {
		score[labels[e.idx]] += math.Exp(float64(e.sim) / sigma)
	}
	best := 0
	for c, v := range score {
		if v > score[best] {
			best = c
		}
	}
	return best
}

// neighbour is one training row in a top-K: its similarity and index.
type neighbour struct {
	sim float32
	idx int
}

// worse orders neighbours by rank: lower similarity is worse, and among
// equal similarities the higher index is worse.
func worse(a, b neighbour) bool {
	return a.sim < b.sim || (a.sim == b.sim && a.idx > b.idx)
}

// topK keeps the k best neighbours seen so far in a min-heap under worse:
// e[0] is the k-th best, the bar a new candidate must beat.
type topK struct {
	k int
	e []neighbour
}

func newTopK(k int) topK { return topK{k: k, e: make([]neighbour, 0, k)} }

func (h *topK) reset() { h.e = h.e[:0] }

// pushRow offers sim[j] as training row base+j for every j, in increasing
// index order.
func (h *topK) pushRow(sim []float32, base int) {
	j := 0
	for ; j < len(sim) && len(h.e) < h.k; j++ { // fill up to k
		h.e = append(h.e, neighbour{sim[j], base + j})
		h.up(len(h.e) - 1)
	}
	for ; j < len(sim); j++ {
		// Strictly greater: an equal similarity has a higher index than
		// the root, hence ranks below it.
		if sim[j] > h.e[0].sim {
			h.e[0] = neighbour{sim[j], base + j}
			h.down(0)
		}
	}
}

func (h *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !worse(h.e[i], h.e[p]) {
			return
		}
		h.e[i], h.e[p] = h.e[p], h.e[i]
		i = p
	}
}

func (h *topK) down(i int) {
	n := len(h.e)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		c := l
		if r := l + 1; r < n && worse(h.e[r], h.e[l]) {
			c = r
		}
		if !worse(h.e[c], h.e[i]) {
			return
		}
		h.e[i], h.e[c] = h.e[c], h.e[i]
		i = c
	}
}

// sorted returns the heap's neighbours best first (the order of
// torch.topk(sorted=True) with ties by index); it reorders h.e in place.
func (h *topK) sorted() []neighbour {
	slices.SortFunc(h.e, func(a, b neighbour) int {
		switch {
		case worse(b, a):
			return -1
		case worse(a, b):
			return 1
		}
		return 0
	})
	return h.e
}
