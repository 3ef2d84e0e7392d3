package host

import (
	"sync"
	"sync/atomic"
)

// For runs body(lo, hi) over [0, n) and returns when all of it is
// done. [0, n) is cut into pieces of near-equal size, at most piecesPer per
// goroutine and none under minChunk items, which up to `threads` goroutines
// take in turn from a shared counter: a goroutine whose core is slowed (a
// busy or shared machine) takes fewer pieces instead of holding the others
// at the barrier. The pieces depend only on n, threads and minChunk, and
// which goroutine runs a piece does not change what it computes: per-piece
// (or per-item) results combined in order are deterministic. Work smaller
// than minChunk per thread runs inline.
func For(threads, n, minChunk int, body func(lo, hi int)) {
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
	pieces := min(n/minChunk, piecesPer*t)
	var next atomic.Int64
	run := func() {
		for {
			i := int(next.Add(1)) - 1
			if i >= pieces {
				return
			}
			body(i*n/pieces, (i+1)*n/pieces)
		}
	}
	var wg sync.WaitGroup
	wg.Add(t - 1)
	for k := 1; k < t; k++ {
		go func() {
			defer wg.Done()
			run()
		}()
	}
	run()
	wg.Wait()
}

// piecesPer is how many pieces For cuts per goroutine.
const piecesPer = 4

// Chunks cuts [0, n) into at most `threads` contiguous chunks of near-equal
// size, none under minChunk items, for kernels that keep one partial result
// per chunk and combine them in chunk order: chunk k is [b[k], b[k+1]). The
// chunks depend only on the arguments (run them with For over the
// chunk indices).
func Chunks(threads, n, minChunk int) []int {
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
