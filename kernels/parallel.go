package kernels

import "sync"

// parallelFor runs body(lo, hi) over [0, n) split into at most `threads`
// contiguous chunks of near-equal size, and returns when all are done. The
// split depends only on n and threads, so per-chunk partial results combined
// in chunk order are deterministic. Work smaller than minChunk per thread
// runs inline.
func parallelFor(threads, n, minChunk int, body func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if minChunk < 1 {
		minChunk = 1
	}
	t := threads
	if t > n/minChunk {
		t = n / minChunk
	}
	if t <= 1 {
		body(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Add(t - 1)
	for k := 1; k < t; k++ {
		lo, hi := k*n/t, (k+1)*n/t
		go func() {
			defer wg.Done()
			body(lo, hi)
		}()
	}
	body(0, n/t)
	wg.Wait()
}

// chunks returns the chunk boundaries parallelFor uses, for kernels that keep
// one partial result per chunk: chunk k is [b[k], b[k+1]).
func chunks(threads, n, minChunk int) []int {
	if minChunk < 1 {
		minChunk = 1
	}
	t := threads
	if t > n/minChunk {
		t = n / minChunk
	}
	if t < 1 {
		t = 1
	}
	b := make([]int, t+1)
	for k := 0; k <= t; k++ {
		b[k] = k * n / t
	}
	return b
}
