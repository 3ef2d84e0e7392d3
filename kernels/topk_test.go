package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"sort"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// slowTopK sorts one row's indexes by (value descending, NaN first, index
// ascending) with a stable sort and keeps the first k: torch.topk's order
// with sorted=True, ties resolved toward the lower index.
func slowTopK(x []float32, k int) (vals []float32, idx []int64) {
	order := make([]int, len(x))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		va, vb := x[order[a]], x[order[b]]
		if math.IsNaN(float64(va)) || math.IsNaN(float64(vb)) {
			return math.IsNaN(float64(va)) && !math.IsNaN(float64(vb))
		}
		return va > vb
	})
	for _, c := range order[:k] {
		vals, idx = append(vals, x[c]), append(idx, int64(c))
	}
	return vals, idx
}

// tiedRow draws values from a set of `levels` values, so ties are common.
func tiedRow(x []float32, r interface{ IntN(int) int }, levels int) {
	for i := range x {
		x[i] = float32(r.IntN(levels)) - float32(levels)/2
	}
}

func TestTopK(t *testing.T) {
	r := kt.NewRand(26)
	// (R, Cols, k): tail sizes, k = Cols and k = 0, and the kNN monitor's
	// shape (200 neighbours among 5000 memory rows).
	cases := [][3]int{{1, 1, 1}, {3, 17, 5}, {2, 33, 33}, {5, 257, 17}, {4, 3, 0}, {64, 5000, 200}, {2, 100, 1}}
	for _, b := range kt.Backends() {
		for _, c := range cases {
			rows, cols, k := c[0], c[1], c[2]
			for _, levels := range []int{0, 4} { // 0: continuous values
				name := fmt.Sprintf("%s/R=%d/C=%d/k=%d/levels=%d", b.Name, rows, cols, k, levels)
				x := kt.Uniform(r, rows*cols, -1, 1)
				if levels > 0 {
					tiedRow(x, r, levels)
				}
				if cols > 3 {
					x[cols/2] = float32(math.NaN()) // NaN ranks first
				}
				vals, idx := b.BE.Empty(tensor.Float32, tensor.Shape{rows, k}), b.BE.Empty(tensor.Int64, tensor.Shape{rows, k})
				b.BE.TopK(vals, idx, kt.Upload(b.BE, x, rows, cols), k)
				gv, gi := vals.Float32s(), idx.Int64s()
				for row := range rows {
					wv, wi := slowTopK(x[row*cols:(row+1)*cols], k)
					for j := range k {
						v, i := gv[row*k+j], gi[row*k+j]
						sameV := v == wv[j] || (v != v && wv[j] != wv[j])
						if !sameV || i != wi[j] {
							t.Fatalf("%s: row %d rank %d = (%v, %d), want (%v, %d)", name, row, j, v, i, wv[j], wi[j])
						}
					}
				}
			}
		}
	}
}

// TestTopKOrder pins the documented order on a hand-made row.
func TestTopKOrder(t *testing.T) {
	x := []float32{1, 3, 2, 3, -1, 2}
	vals, idx := make([]float32, 4), make([]int64, 4)
	kernels.TopK(vals, idx, x, make([]int, 4))
	if fmt.Sprint(vals, idx) != "[3 3 2 2] [1 3 2 5]" {
		t.Errorf("topk = %v %v, want [3 3 2 2] [1 3 2 5]", vals, idx)
	}
	nan := float32(math.NaN())
	x = []float32{1, nan, 5, nan, 5}
	kernels.TopK(vals, idx, x, make([]int, 4))
	if fmt.Sprint(vals, idx) != "[NaN NaN 5 5] [1 3 2 4]" {
		t.Errorf("topk with NaN = %v %v, want [NaN NaN 5 5] [1 3 2 4]", vals, idx)
	}
	if a := kernels.Argmax(x); a != 1 {
		t.Errorf("argmax with NaN = %d, want 1 (the first NaN)", a)
	}
}

func TestArgmax(t *testing.T) {
	r := kt.NewRand(27)
	for _, b := range kt.Backends() {
		for _, c := range [][2]int{{1, 1}, {3, 17}, {5, 33}, {2, 257}, {300, 100}} {
			rows, cols := c[0], c[1]
			x := kt.Uniform(r, rows*cols, -1, 1)
			tiedRow(x[:cols], r, 3) // ties in the first row: the first max wins
			if cols > 3 {
				x[cols+2] = float32(math.NaN()) // and a NaN in the second
			}
			idx := b.BE.Empty(tensor.Int64, tensor.Shape{rows})
			b.BE.Argmax(idx, kt.Upload(b.BE, x, rows, cols))
			got := idx.Int64s()
			for row := range rows {
				_, want := slowTopK(x[row*cols:(row+1)*cols], 1)
				if got[row] != want[0] {
					t.Fatalf("%s R=%d C=%d: row %d argmax %d, want %d", b.Name, rows, cols, row, got[row], want[0])
				}
			}
		}
	}
}

func TestTopKPanics(t *testing.T) {
	for _, b := range kt.Backends() {
		x := tensor.Zeros(b.BE, 2, 3)
		v, i := tensor.Zeros(b.BE, 2, 4), b.BE.Empty(tensor.Int64, tensor.Shape{2, 4})
		kt.MustPanic(t, "topk k > cols", func() { b.BE.TopK(v, i, x, 4) })
		kt.MustPanic(t, "topk vals shape", func() { b.BE.TopK(v, i, x, 2) })
		kt.MustPanic(t, "topk idx dtype", func() { b.BE.TopK(tensor.Zeros(b.BE, 2, 2), tensor.Zeros(b.BE, 2, 2), x, 2) })
		kt.MustPanic(t, "argmax idx size", func() { b.BE.Argmax(b.BE.Empty(tensor.Int64, tensor.Shape{3}), x) })
		kt.MustPanic(t, "argmax empty rows", func() {
			b.BE.Argmax(b.BE.Empty(tensor.Int64, tensor.Shape{2}), b.BE.Empty(tensor.Float32, tensor.Shape{2, 0}))
		})
	}
}

// BenchmarkTopK times the weighted-kNN monitor's neighbour search: 200 of
// 50000 similarities for each of 256 test images.
func BenchmarkTopK(b *testing.B) {
	const rows, cols, k = 256, 50000, 200
	x := kt.Uniform(kt.NewRand(1), rows*cols, -1, 1)
	for _, be := range kt.Backends() {
		b.Run("backend="+be.Name+"/shape=256x50000/k=200", func(b *testing.B) {
			xt := kt.Upload(be.BE, x, rows, cols)
			vals, idx := be.BE.Empty(tensor.Float32, tensor.Shape{rows, k}), be.BE.Empty(tensor.Int64, tensor.Shape{rows, k})
			b.SetBytes(4 * rows * cols)
			for b.Loop() {
				be.BE.TopK(vals, idx, xt, k)
			}
		})
	}
}
