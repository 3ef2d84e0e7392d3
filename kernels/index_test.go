package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math/rand/v2"
	"testing"

	"twostage/kernels"
	"twostage/tensor"
)

// slowIndexSelect64 is dst[r,:] = src[idx[r],:] for src [M,D].
func slowIndexSelect64(src []float64, idx []int64, d int) []float64 {
	dst := make([]float64, len(idx)*d)
	for r, m := range idx {
		for j := 0; j < d; j++ {
			dst[r*d+j] = src[int(m)*d+j]
		}
	}
	return dst
}

// slowIndexAdd64 is dst[idx[r],:] += alpha·src[r,:], in place.
func slowIndexAdd64(dst []float64, idx []int64, src []float64, d int, alpha float64) {
	for r, m := range idx {
		for j := 0; j < d; j++ {
			dst[int(m)*d+j] += alpha * src[r*d+j]
		}
	}
}

// slowGather64 is dst[r,j] = src[r, idx[r,j]] for src [R,C], idx [R,J].
func slowGather64(src []float64, idx []int64, cols, j int) []float64 {
	dst := make([]float64, len(idx))
	for p, k := range idx {
		dst[p] = src[(p/j)*cols+int(k)]
	}
	return dst
}

// slowScatterAdd64 is dst[r, idx[r,j]] += src[r,j], in place.
func slowScatterAdd64(dst []float64, idx []int64, src []float64, cols, j int) {
	for p, k := range idx {
		dst[(p/j)*cols+int(k)] += src[p]
	}
}

// randIndexes draws n indexes in [0, m); with small m they repeat, which
// the scatter kernels must accumulate.
func randIndexes(r *rand.Rand, n, m int) []int64 {
	idx := make([]int64, n)
	for i := range idx {
		idx[i] = r.Int64N(int64(m))
	}
	return idx
}

// indexCases are (M or C, R, D or J): tail sizes, repeats (R > M), and the
// memory bank's shapes (M=5000 rows of D=128, a batch of 256 indexes).
var indexCases = [][3]int{{1, 1, 1}, {3, 17, 1}, {5, 33, 3}, {17, 4, 257}, {257, 33, 17}, {5000, 256, 128}, {7, 600, 64}}

func TestIndexSelectAdd(t *testing.T) {
	r := kt.NewRand(21)
	for _, b := range kt.Backends() {
		for _, c := range indexCases {
			m, rows, d := c[0], c[1], c[2]
			name := fmt.Sprintf("%s/M=%d/R=%d/D=%d", b.Name, m, rows, d)
			src, idx := kt.Uniform(r, m*d, -1, 1), randIndexes(r, rows, m)
			it := kt.UploadInt(b.BE, idx, rows)
			dst := b.BE.Empty(tensor.Float32, tensor.Shape{rows, d})
			b.BE.IndexSelect(dst, kt.Upload(b.BE, src, m, d), it)
			kt.AllClose(t, name+"/select", dst.Float32s(), slowIndexSelect64(kt.To64(src), idx, d), 0, 0)

			g, d0 := kt.Uniform(r, rows*d, -1, 1), kt.Uniform(r, m*d, -1, 1)
			want := kt.To64(d0)
			slowIndexAdd64(want, idx, kt.To64(g), d, 0.5)
			acc := kt.Upload(b.BE, d0, m, d)
			b.BE.IndexAdd(acc, it, kt.Upload(b.BE, g, rows, d), 0.5)
			// Untouched rows must keep their exact old values; the tolerance
			// is the backward one for rows that summed repeats.
			kt.AllClose(t, name+"/add", acc.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
			got := acc.Float32s()
			hit := make([]bool, m)
			for _, v := range idx {
				hit[v] = true
			}
			for k := range got {
				if !hit[k/d] && got[k] != d0[k] {
					t.Fatalf("%s/add: row %d not indexed but changed", name, k/d)
				}
			}
		}
	}
}

func TestGatherScatter(t *testing.T) {
	r := kt.NewRand(22)
	for _, b := range kt.Backends() {
		for _, c := range indexCases {
			cols, rows, j := c[0], c[2], c[1] // J may exceed C: repeats
			name := fmt.Sprintf("%s/R=%d/C=%d/J=%d", b.Name, rows, cols, j)
			src, idx := kt.Uniform(r, rows*cols, -1, 1), randIndexes(r, rows*j, cols)
			it := kt.UploadInt(b.BE, idx, rows, j)
			dst := b.BE.Empty(tensor.Float32, tensor.Shape{rows, j})
			b.BE.Gather(dst, kt.Upload(b.BE, src, rows, cols), it)
			kt.AllClose(t, name+"/gather", dst.Float32s(), slowGather64(kt.To64(src), idx, cols, j), 0, 0)

			g, d0 := kt.Uniform(r, rows*j, -1, 1), kt.Uniform(r, rows*cols, -1, 1)
			want := kt.To64(d0)
			slowScatterAdd64(want, idx, kt.To64(g), cols, j)
			acc := kt.Upload(b.BE, d0, rows, cols)
			b.BE.ScatterAdd(acc, it, kt.Upload(b.BE, g, rows, j))
			kt.AllClose(t, name+"/scatter_add", acc.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
		}
	}
}

// TestIndexGrad checks the reference backwards (IndexAdd for IndexSelect,
// ScatterAdd for Gather) against finite differences, with repeats.
func TestIndexGrad(t *testing.T) {
	r := kt.NewRand(23)
	for _, c := range indexCases[:4] {
		m, rows, d := c[0], c[1], c[2]
		x, idx := kt.To64(kt.Uniform(r, m*d, -1, 1)), randIndexes(r, rows, m)
		w := kt.To64(kt.Uniform(r, rows*d, -1, 1))
		grad := make([]float64, len(x))
		slowIndexAdd64(grad, idx, w, d, 1)
		kt.FDCheck(t, fmt.Sprintf("index_select %v", c),
			func(v []float64) float64 { return kt.Dot64(w, slowIndexSelect64(v, idx, d)) }, x, grad)

		cols, j := m, rows
		x, idx = kt.To64(kt.Uniform(r, d*cols, -1, 1)), randIndexes(r, d*j, cols)
		w = kt.To64(kt.Uniform(r, d*j, -1, 1))
		grad = make([]float64, len(x))
		slowScatterAdd64(grad, idx, w, cols, j)
		kt.FDCheck(t, fmt.Sprintf("gather %v", c),
			func(v []float64) float64 { return kt.Dot64(w, slowGather64(v, idx, cols, j)) }, x, grad)
	}
}

// TestIndexDeterministic checks that repeated indexes accumulate in the same
// order for any thread count.
func TestIndexDeterministic(t *testing.T) {
	r := kt.NewRand(24)
	const m, rows, d = 3, 4000, 64
	idx, src := randIndexes(r, rows, m), kt.Uniform(r, rows*d, -1, 1)
	var ref []float32
	for _, th := range []int{1, 2, 5} {
		c := &kernels.CPU{Threads: th}
		dst := tensor.Zeros(c, m, d)
		c.IndexAdd(dst, kt.UploadInt(c, idx, rows), kt.Upload(c, src, rows, d), 1)
		got := dst.Float32s()
		if ref == nil {
			ref = got
		}
		for k := range got {
			if got[k] != ref[k] {
				t.Fatalf("threads=%d: [%d] = %v, one thread gives %v", th, k, got[k], ref[k])
			}
		}
	}
}

// TestIndexGuard runs the plain kernels on kt.Guarded outputs.
func TestIndexGuard(t *testing.T) {
	r := kt.NewRand(28)
	const g = 16
	for _, c := range indexCases[:5] {
		m, rows, d := c[0], c[1], c[2]
		idx := randIndexes(r, rows, m)
		buf, dst := kt.Guarded(make([]float32, rows*d), g)
		kernels.IndexSelect(dst, kt.Uniform(r, m*d, -1, 1), idx, d)
		kt.CheckGuard(t, fmt.Sprintf("index_select %v", c), buf, g)
		buf, dst = kt.Guarded(make([]float32, m*d), g)
		kernels.IndexAdd(dst, idx, kt.Uniform(r, rows*d, -1, 1), d, 2)
		kt.CheckGuard(t, fmt.Sprintf("index_add %v", c), buf, g)

		cols, j := m, rows // rows of d
		gi := randIndexes(r, d*j, cols)
		buf, dst = kt.Guarded(make([]float32, d*j), g)
		kernels.Gather(dst, kt.Uniform(r, d*cols, -1, 1), gi, cols, j)
		kt.CheckGuard(t, fmt.Sprintf("gather %v", c), buf, g)
		buf, dst = kt.Guarded(make([]float32, d*cols), g)
		kernels.ScatterAdd(dst, gi, kt.Uniform(r, d*j, -1, 1), cols, j)
		kt.CheckGuard(t, fmt.Sprintf("scatter_add %v", c), buf, g)
	}
}

// TestIndexPanics checks shapes and index ranges, and that a bad index
// leaves the output untouched.
func TestIndexPanics(t *testing.T) {
	for _, b := range kt.Backends() {
		src, dst := tensor.Zeros(b.BE, 4, 3), tensor.Zeros(b.BE, 2, 3)
		good, bad := kt.UploadInt(b.BE, []int64{0, 3}, 2), kt.UploadInt(b.BE, []int64{1, 4}, 2)
		neg := kt.UploadInt(b.BE, []int64{-1, 0}, 2)
		kt.MustPanic(t, "index_select range", func() { b.BE.IndexSelect(dst, src, bad) })
		kt.MustPanic(t, "index_select negative", func() { b.BE.IndexSelect(dst, src, neg) })
		kt.MustPanic(t, "index_select cols", func() { b.BE.IndexSelect(tensor.Zeros(b.BE, 2, 2), src, good) })
		kt.MustPanic(t, "index_select 1-D src", func() { b.BE.IndexSelect(dst, tensor.Zeros(b.BE, 12), good) })
		kt.MustPanic(t, "index_select idx dtype", func() { b.BE.IndexSelect(dst, src, tensor.Zeros(b.BE, 2)) })
		b.BE.Fill(src, 1)
		kt.MustPanic(t, "index_add range", func() { b.BE.IndexAdd(src, bad, dst, 1) })
		for _, v := range src.Float32s() {
			if v != 1 {
				t.Fatal("index_add with a bad index wrote to dst")
			}
		}
		kt.MustPanic(t, "index_add rows", func() { b.BE.IndexAdd(src, good, tensor.Zeros(b.BE, 3, 3), 1) })

		gi := kt.UploadInt(b.BE, []int64{0, 2, 1, 3}, 2, 2)
		kt.MustPanic(t, "gather range", func() { b.BE.Gather(tensor.Zeros(b.BE, 2, 2), dst, gi) })
		kt.MustPanic(t, "gather dst", func() { b.BE.Gather(tensor.Zeros(b.BE, 2, 3), src, gi) })
		kt.MustPanic(t, "scatter_add range", func() { b.BE.ScatterAdd(dst, gi, tensor.Zeros(b.BE, 2, 2)) })
		kt.MustPanic(t, "scatter_add src", func() { b.BE.ScatterAdd(src, gi, tensor.Zeros(b.BE, 2, 3)) })
	}
}
