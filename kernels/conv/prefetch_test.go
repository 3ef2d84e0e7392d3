package conv

import (
	"testing"

	"twostage/tensor"
)

// TestPrefetch: the hint reads nothing into values and writes nothing, at
// every length and misalignment up to a few lines, the empty range and a
// range that ends at the slice's end included.
func TestPrefetch(t *testing.T) {
	buf := make([]float32, 4096)
	for i := range buf {
		buf[i] = float32(i)
	}
	for off := 0; off < 17; off++ {
		for n := 0; n <= 70; n++ {
			prefetch(&buf[off], n)
		}
	}
	prefetch(&buf[len(buf)-1], 1)
	for i, v := range buf {
		if v != float32(i) {
			t.Fatalf("buf[%d] = %v after prefetch, want %d", i, v, i)
		}
	}
}

// TestSkipsLines pins which shapes prefetch: the 1×1 stride-2 shortcuts on
// planes of at least one cache line per row, nothing else.
func TestSkipsLines(t *testing.T) {
	for _, c := range []struct {
		h, r, stride int
		want         bool
	}{
		{32, 1, 2, true}, {16, 1, 2, true}, {28, 1, 2, true},
		{8, 1, 2, false}, {14, 1, 2, false}, // rows under a line: every line is touched anyway
		{32, 3, 2, false}, // a 3×3 window reads every row
		{32, 1, 1, false}, {32, 3, 1, false},
	} {
		s := tensor.ConvShape{N: 1, C: 4, H: c.h, W: c.h, K: 4, R: c.r, S: c.r, Stride: c.stride}
		if got := skipsLines(s); got != c.want {
			t.Errorf("skipsLines(%dx%d plane, %dx%d stride %d) = %v, want %v", c.h, c.h, c.r, c.r, c.stride, got, c.want)
		}
	}
}
