//go:build cuda

package cuda

import "twostage/tensor"

// The index ops, TopK and Argmax (kernels/gpu/index.cu, topk.cu), with the
// CPU's duplicate and tie rules. The CPU checks every index before writing
// and panics on a bad one; here that check would cost a download (a sync)
// per op, so the kernels skip an out-of-range index and raise the fault word
// instead, which the next sync point turns into the sticky error
// "cuda: <op>: index out of range" (errIndexRange).

func (b *Backend) i64(op, name string, t *tensor.Tensor) *devStorage {
	if t == nil {
		panic("cuda: " + op + ": " + name + " is nil")
	}
	s := b.storage(t)
	if s.dt != tensor.Int64 {
		panic("cuda: " + op + ": " + name + " is not int64")
	}
	return s
}

// matrix returns t's two dimensions, panicking unless t is 2-D.
func matrix(op, name string, t *tensor.Tensor) (int, int) {
	if t.Rank() != 2 {
		panic("cuda: " + op + ": " + name + " must be 2-D")
	}
	return t.Dim(0), t.Dim(1)
}

// IndexSelect: dst[r,:] = src[idx[r],:] (index_select_f32).
func (b *Backend) IndexSelect(dst, src, idx *tensor.Tensor) {
	const op = "IndexSelect"
	d, s, ix := b.f32(op, "dst", dst), b.f32(op, "src", src), b.i64(op, "idx", idx)
	m, cols := matrix(op, "src", src)
	r, dc := matrix(op, "dst", dst)
	if dc != cols || ix.n != r {
		panic("cuda: index_select: shapes of dst, src and idx do not match")
	}
	b.launch(op, kIndexSelect, d.n, d, s, ix, m, cols, d.n, b.fault)
}

// IndexAdd: dst[idx[r],:] += alpha·src[r,:], r in order (index_add_f32, a
// thread per column: duplicates add in the CPU's order).
func (b *Backend) IndexAdd(dst, idx, src *tensor.Tensor, alpha float32) {
	const op = "IndexAdd"
	d, s, ix := b.f32(op, "dst", dst), b.f32(op, "src", src), b.i64(op, "idx", idx)
	m, cols := matrix(op, "dst", dst)
	r, sc := matrix(op, "src", src)
	if sc != cols || ix.n != r {
		panic("cuda: index_add: shapes of dst, src and idx do not match")
	}
	if r > 0 {
		b.launch(op, kIndexAdd, cols, d, ix, s, m, r, cols, alpha, b.fault)
	}
}

// IndexCopy: dst[idx[r],:] = src[r,:], a later duplicate winning
// (index_copy_f32).
func (b *Backend) IndexCopy(dst, idx, src *tensor.Tensor) {
	const op = "IndexCopy"
	if dst.Rank() != 2 || src.Rank() != 2 || idx.Rank() != 1 || dst.Dim(1) != src.Dim(1) || idx.Dim(0) != src.Dim(0) {
		panic("cuda: index_copy needs dst [M,D], idx [R], src [R,D]")
	}
	d, s, ix := b.f32(op, "dst", dst), b.f32(op, "src", src), b.i64(op, "idx", idx)
	b.launch(op, kIndexCopy, s.n, d, ix, s, dst.Dim(0), src.Dim(0), dst.Dim(1), b.fault)
}

// Gather: dst[r,j] = src[r, idx[r,j]] (gather_f32).
func (b *Backend) Gather(dst, src, idx *tensor.Tensor) {
	const op = "Gather"
	d, s, ix := b.f32(op, "dst", dst), b.f32(op, "src", src), b.i64(op, "idx", idx)
	r, cols := matrix(op, "src", src)
	ir, j := matrix(op, "idx", idx)
	if dr, dj := matrix(op, "dst", dst); ir != r || dr != r || dj != j {
		panic("cuda: gather: shapes of dst, src and idx do not match")
	}
	b.launch(op, kGather, d.n, d, s, ix, cols, max(1, j), d.n, b.fault)
}

// ScatterAdd: dst[r, idx[r,j]] += src[r,j], j in order (scatter_add_f32, a
// thread per row).
func (b *Backend) ScatterAdd(dst, idx, src *tensor.Tensor) {
	const op = "ScatterAdd"
	d, s, ix := b.f32(op, "dst", dst), b.f32(op, "src", src), b.i64(op, "idx", idx)
	r, cols := matrix(op, "dst", dst)
	ir, j := matrix(op, "idx", idx)
	if sr, sj := matrix(op, "src", src); ir != r || sr != r || sj != j {
		panic("cuda: scatter_add: shapes of dst, src and idx do not match")
	}
	b.launch(op, kScatterAdd, r, d, ix, s, r, cols, j, b.fault)
}

// topkMax is the largest k topk_f32 handles (its candidates sit in shared
// memory: TOPK_MAX in topk.cu).
const topkMax = 2048

// TopK: vals, idx [R,k] = the k best of each row of x [R,Cols], descending,
// ties toward the lower index (topk_f32, a block per row). k > topkMax has
// no kernel and becomes the sticky error.
func (b *Backend) TopK(vals, idx, x *tensor.Tensor, k int) {
	const op = "TopK"
	vs, is, xs := b.f32(op, "vals", vals), b.i64(op, "idx", idx), b.f32(op, "x", x)
	r, cols := matrix(op, "x", x)
	if k < 0 || k > cols {
		panic("cuda: topk: k out of range [0, cols]")
	}
	vr, vk := matrix(op, "vals", vals)
	ir, ik := matrix(op, "idx", idx)
	if vr != r || ir != r || vk != k || ik != k {
		panic("cuda: topk: vals and idx must be [R, k]")
	}
	if k > topkMax {
		b.setErr(op, errTopKTooLarge)
		return
	}
	if r > 0 && k > 0 {
		b.launchGrid(op, kTopK, lineGrid(r), blockSize, vs, is, xs, r, cols, k)
	}
}

// Argmax: idx[r] = the first index of the largest value of row r
// (argmax_f32, a block per row).
func (b *Backend) Argmax(idx, x *tensor.Tensor) {
	const op = "Argmax"
	is, xs := b.i64(op, "idx", idx), b.f32(op, "x", x)
	r, cols := matrix(op, "x", x)
	if cols == 0 || is.n != r {
		panic("cuda: argmax: need x [R, Cols>0] and idx [R]")
	}
	if r > 0 {
		b.launchGrid(op, kArgmax, lineGrid(r), blockSize, is, xs, r, cols)
	}
}
