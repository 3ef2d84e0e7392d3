package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Row and element indexing with int64 indexes, and their backward passes.
// The CPU methods check every index before writing anything, so a bad index
// panics and leaves the output as it was. The plain functions assume valid
// indexes (Go's bounds checks still catch the worst).
//
// The scatter-type kernels (IndexAdd, ScatterAdd) add in index order, so a
// repeated index accumulates deterministically. IndexAdd runs in parallel
// over column ranges (each goroutine owns whole columns of dst, so repeated
// rows never race); ScatterAdd and the gathers run in parallel over rows.

// IndexSelect computes dst[r,:] = src[idx[r],:].
// src: [M, D], idx: [R], dst: [R, D].
func IndexSelect(dst, src []float32, idx []int64, d int) {
	for r, m := range idx {
		copy(dst[r*d:(r+1)*d], src[int(m)*d:(int(m)+1)*d])
	}
}

// IndexAdd computes dst[idx[r],:] += alpha*src[r,:] for r in order.
// dst: [M, D], idx: [R], src: [R, D].
func IndexAdd(dst []float32, idx []int64, src []float32, d int, alpha float32) {
	indexAddCols(dst, idx, src, d, alpha, 0, d)
}

// indexAddCols runs IndexAdd on the columns [lo, hi) only.
func indexAddCols(dst []float32, idx []int64, src []float32, d int, alpha float32, lo, hi int) {
	for r, m := range idx {
		Axpy(alpha, src[r*d+lo:r*d+hi], dst[int(m)*d+lo:int(m)*d+hi])
	}
}

// Gather computes dst[r,j] = src[r, idx[r,j]].
// src: [R, C], idx: [R, J], dst: [R, J].
func Gather(dst, src []float32, idx []int64, cols, j int) {
	for p, k := range idx {
		dst[p] = src[(p/j)*cols+int(k)]
	}
}

// ScatterAdd computes dst[r, idx[r,j]] += src[r,j], j in order.
// dst: [R, C], idx: [R, J], src: [R, J].
func ScatterAdd(dst []float32, idx []int64, src []float32, cols, j int) {
	for p, k := range idx {
		dst[(p/j)*cols+int(k)] += src[p]
	}
}

// IndexSelect: dst[r,:] = src[idx[r],:].
func (c *CPU) IndexSelect(dst, src, idx *tensor.Tensor) {
	d, s := f32Arg("index_select", "dst", dst), f32Arg("index_select", "src", src)
	ix := i64Arg("index_select", "idx", idx)
	m, cols := needMatrix("index_select", "src", src)
	r, dc := needMatrix("index_select", "dst", dst)
	if dc != cols || len(ix) != r {
		panic("kernels: index_select: shapes of dst, src and idx do not match")
	}
	needIndexes("index_select", ix, m)
	host.For(c.threads(), r, rowChunk(cols), func(lo, hi int) {
		IndexSelect(d[lo*cols:hi*cols], s, ix[lo:hi], cols)
	})
}

// IndexAdd: dst[idx[r],:] += alpha*src[r,:].
func (c *CPU) IndexAdd(dst, idx, src *tensor.Tensor, alpha float32) {
	d, s := f32Arg("index_add", "dst", dst), f32Arg("index_add", "src", src)
	ix := i64Arg("index_add", "idx", idx)
	m, cols := needMatrix("index_add", "dst", dst)
	r, sc := needMatrix("index_add", "src", src)
	if sc != cols || len(ix) != r {
		panic("kernels: index_add: shapes of dst, src and idx do not match")
	}
	needIndexes("index_add", ix, m)
	// Columns per goroutine: enough that R rows of them make ewMinChunk.
	host.For(c.threads(), cols, rowChunk(r), func(lo, hi int) {
		indexAddCols(d, ix, s, cols, alpha, lo, hi)
	})
}

// Gather: dst[r,j] = src[r, idx[r,j]].
func (c *CPU) Gather(dst, src, idx *tensor.Tensor) {
	d, s := f32Arg("gather", "dst", dst), f32Arg("gather", "src", src)
	ix := i64Arg("gather", "idx", idx)
	r, cols := needMatrix("gather", "src", src)
	ir, j := needMatrix("gather", "idx", idx)
	if dr, dj := needMatrix("gather", "dst", dst); ir != r || dr != r || dj != j {
		panic("kernels: gather: shapes of dst, src and idx do not match")
	}
	needIndexes("gather", ix, cols)
	host.For(c.threads(), r, rowChunk(j), func(lo, hi int) {
		Gather(d[lo*j:hi*j], s[lo*cols:hi*cols], ix[lo*j:hi*j], cols, j)
	})
}

// ScatterAdd: dst[r, idx[r,j]] += src[r,j].
func (c *CPU) ScatterAdd(dst, idx, src *tensor.Tensor) {
	d, s := f32Arg("scatter_add", "dst", dst), f32Arg("scatter_add", "src", src)
	ix := i64Arg("scatter_add", "idx", idx)
	r, cols := needMatrix("scatter_add", "dst", dst)
	ir, j := needMatrix("scatter_add", "idx", idx)
	if sr, sj := needMatrix("scatter_add", "src", src); ir != r || sr != r || sj != j {
		panic("kernels: scatter_add: shapes of dst, src and idx do not match")
	}
	needIndexes("scatter_add", ix, cols)
	host.For(c.threads(), r, rowChunk(j), func(lo, hi int) {
		ScatterAdd(d[lo*cols:hi*cols], ix[lo*j:hi*j], s[lo*j:hi*j], cols, j)
	})
}
