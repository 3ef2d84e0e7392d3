package metrics

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelItems runs body(worker, i) for every item i in [0, n) on
// min(workers, n) goroutines; worker in [0, workers) names the goroutine,
// so a caller can give each one its own scratch buffers (workers is
// normally numWorkers(n), read once by the caller). Items are handed out
// dynamically, so the caller must make item i's result depend on i alone,
// never on the worker or on the order items finish: that is what keeps
// every caller deterministic.
func parallelItems(n, workers int, body func(worker, i int)) {
	w := min(workers, n)
	if w <= 1 {
		for i := range n {
			body(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	wg.Add(w)
	for worker := range w {
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body(worker, i)
			}
		}()
	}
	wg.Wait()
}

// parallelBlocks cuts [0, n) into blocks of bs (the last shorter) and runs
// body(b, lo, hi) for each block b = [lo, hi) on numWorkers goroutines.
func parallelBlocks(n, bs int, body func(b, lo, hi int)) {
	nb := numBlocks(n, bs)
	parallelItems(nb, numWorkers(nb), func(_, b int) {
		lo, hi := span(b, bs, n)
		body(b, lo, hi)
	})
}

// numWorkers is the default goroutine count for n items: min(n,
// GOMAXPROCS), at least 1.
func numWorkers(n int) int {
	return max(1, min(n, runtime.GOMAXPROCS(0)))
}

// span returns the bounds [lo, hi) of block b when [0, n) is cut into
// blocks of size bs (the last one shorter).
func span(b, bs, n int) (lo, hi int) {
	lo = b * bs
	return lo, min(lo+bs, n)
}

// numBlocks is ceil(n / bs).
func numBlocks(n, bs int) int {
	return (n + bs - 1) / bs
}
