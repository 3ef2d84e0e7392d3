package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Row-wise selection: the k largest values of each row (TopK) and the index
// of the largest (Argmax), for x: [R, Cols]. Both use one total order:
//
//	a ranks before b  ⇔  a > b, or a == b and index(a) < index(b),
//
// with NaN above every number (torch.topk and torch.argmax treat NaN as the
// largest value). The order is total, so the output is unique: descending
// values, ties broken toward the lower index. Rows run in parallel.

// ranksBefore reports whether value a at index ia ranks before b at ib.
func ranksBefore(a float32, ia int, b float32, ib int) bool {
	an, bn := a != a, b != b
	switch {
	case an && bn:
		return ia < ib
	case an || bn:
		return an
	case a != b:
		return a > b
	}
	return ia < ib
}

// topkHeap is a binary heap of column indexes of one row whose root is the
// entry that ranks last: the one a better candidate replaces.
type topkHeap struct {
	x   []float32 // the row
	idx []int     // heap of column indexes, len ≤ k
}

// worse reports whether heap entry a ranks after heap entry b.
func (h *topkHeap) worse(a, b int) bool {
	return ranksBefore(h.x[h.idx[b]], h.idx[b], h.x[h.idx[a]], h.idx[a])
}

// up moves entry j toward the root while it ranks after its parent,
// restoring the heap after an append.
func (h *topkHeap) up(j int) {
	for j > 0 {
		p := (j - 1) / 2
		if !h.worse(j, p) {
			return
		}
		h.idx[j], h.idx[p] = h.idx[p], h.idx[j]
		j = p
	}
}

// down moves entry j toward the leaves while a child ranks after it,
// restoring the heap after the root is replaced. Invariant: every parent
// ranks after (is worse than) both its children.
func (h *topkHeap) down(j int) {
	n := len(h.idx)
	for {
		w, l := j, 2*j+1
		if l < n && h.worse(l, w) {
			w = l
		}
		if l+1 < n && h.worse(l+1, w) {
			w = l + 1
		}
		if w == j {
			return
		}
		h.idx[j], h.idx[w] = h.idx[w], h.idx[j]
		j = w
	}
}

// TopK writes the k best entries of one row x (k ≤ len(x)) to vals and idx
// in rank order, using heap (capacity ≥ k) as scratch: O(Cols·log k).
func TopK(vals []float32, idx []int64, x []float32, heap []int) {
	k := len(vals)
	if k == 0 {
		return
	}
	h := topkHeap{x: x, idx: heap[:0]}
	// Scan the row once: the first k columns fill the heap; after that a
	// column enters only by beating the worst of the current k.
	for c := range x {
		if len(h.idx) < k {
			h.idx = append(h.idx, c)
			h.up(len(h.idx) - 1)
			continue
		}
		// c is the highest index so far, so it only beats the root
		// with a strictly better value.
		if ranksBefore(x[c], c, x[h.idx[0]], h.idx[0]) {
			h.idx[0] = c
			h.down(0)
		}
	}
	// Pop the worst first, filling the outputs from the back.
	for p := k - 1; p >= 0; p-- {
		c := h.idx[0]
		vals[p], idx[p] = x[c], int64(c)
		last := len(h.idx) - 1
		h.idx[0] = h.idx[last]
		h.idx = h.idx[:last]
		h.down(0)
	}
}

// Argmax returns the index of the first largest value of x (the first NaN
// if there is one), or -1 for an empty row.
func Argmax(x []float32) int {
	best := -1
	for c, v := range x {
		if best < 0 || ranksBefore(v, c, x[best], best) {
			best = c
		}
	}
	return best
}

// TopK: vals [R,k], idx [R,k] = the k largest of each row of x [R,Cols].
func (c *CPU) TopK(vals, idx, x *tensor.Tensor, k int) {
	vs, xs := f32Arg("topk", "vals", vals), f32Arg("topk", "x", x)
	is := i64Arg("topk", "idx", idx)
	r, cols := needMatrix("topk", "x", x)
	if k < 0 || k > cols {
		panic("kernels: topk: k out of range [0, cols]")
	}
	vr, vk := needMatrix("topk", "vals", vals)
	ir, ik := needMatrix("topk", "idx", idx)
	if vr != r || ir != r || vk != k || ik != k {
		panic("kernels: topk: vals and idx must be [R, k]")
	}
	host.For(c.threads(), r, rowChunk(cols), func(lo, hi int) {
		heap := make([]int, k) // one scratch heap per goroutine, reused per row
		for row := lo; row < hi; row++ {
			TopK(vs[row*k:(row+1)*k], is[row*k:(row+1)*k], xs[row*cols:(row+1)*cols], heap)
		}
	})
}

// Argmax: idx[r] = the first index of the largest value of row r.
func (c *CPU) Argmax(idx, x *tensor.Tensor) {
	is, xs := i64Arg("argmax", "idx", idx), f32Arg("argmax", "x", x)
	r, cols := needMatrix("argmax", "x", x)
	if cols == 0 || len(is) != r {
		panic("kernels: argmax: need x [R, Cols>0] and idx [R]")
	}
	host.For(c.threads(), r, rowChunk(cols), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			is[row] = int64(Argmax(xs[row*cols : (row+1)*cols]))
		}
	})
}
