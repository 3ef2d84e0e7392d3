package host

import (
	"slices"
	"sync"
	"testing"
)

// TestFor checks that every index of [0, n) is handed out exactly
// once, in pieces of at least minChunk items (but for work too small to
// split), by at most `threads` goroutines at a time, and that the pieces
// depend only on the arguments.
func TestFor(t *testing.T) {
	for _, tc := range []struct{ threads, n, minChunk int }{
		{1, 10, 1}, {2, 1, 1}, {2, 7, 1}, {2, 100, 1}, {3, 100, 7}, {4, 1000, 16},
		{2, 31, 16}, {8, 5, 1}, {2, 0, 1}, {5, 12345, 0},
	} {
		first := piecesOf(tc.threads, tc.n, tc.minChunk)
		if again := piecesOf(tc.threads, tc.n, tc.minChunk); !slices.Equal(first, again) {
			t.Errorf("%+v: pieces %v, then %v", tc, first, again)
		}
		var mu sync.Mutex
		count := make([]int, tc.n)
		var pieces [][2]int
		running, most := 0, 0
		For(tc.threads, tc.n, tc.minChunk, func(lo, hi int) {
			mu.Lock()
			running++
			most = max(most, running)
			pieces = append(pieces, [2]int{lo, hi})
			for i := lo; i < hi; i++ {
				count[i]++
			}
			mu.Unlock()
			mu.Lock()
			running--
			mu.Unlock()
		})
		for i, c := range count {
			if c != 1 {
				t.Fatalf("%+v: index %d handed out %d times", tc, i, c)
			}
		}
		if most > max(1, tc.threads) {
			t.Errorf("%+v: %d bodies at once", tc, most)
		}
		if len(pieces) > 1 {
			for _, p := range pieces {
				if p[1]-p[0] < max(1, tc.minChunk) {
					t.Errorf("%+v: piece %v under minChunk", tc, p)
				}
			}
		}
	}
}

// piecesOf returns For's pieces, sorted.
func piecesOf(threads, n, minChunk int) [][2]int {
	var mu sync.Mutex
	var ps [][2]int
	For(threads, n, minChunk, func(lo, hi int) {
		mu.Lock()
		ps = append(ps, [2]int{lo, hi})
		mu.Unlock()
	})
	slices.SortFunc(ps, func(a, b [2]int) int { return a[0] - b[0] })
	return ps
}
