package autograd

import "twostage/tensor"

// IndexSelect returns the rows idx of a 2-D x: y[r,:] = x[idx[r],:]
// (torch.index_select(x, 0, idx)); idx is an int64 tensor [R].
func IndexSelect(x *Var, idx *tensor.Tensor) *Var {
	be := x.Backend()
	if x.Val.Rank() != 2 || idx.Rank() != 1 || idx.DType() != tensor.Int64 {
		panic("autograd: index_select needs x [M,D] and int64 idx [R]")
	}
	y := empty(be, tensor.Shape{idx.Dim(0), x.Shape()[1]})
	be.IndexSelect(y, x.Val, idx)
	out := newVar(y, x)
	out.backward = func() { be.IndexAdd(x.Grad(), idx, out.grad, 1) }
	return out
}

// Gather picks per-row columns of a 2-D x: y[r,j] = x[r, idx[r,j]]
// (torch.gather(x, 1, idx)); idx is int64 [R,J].
func Gather(x *Var, idx *tensor.Tensor) *Var {
	be := x.Backend()
	if x.Val.Rank() != 2 || idx.Rank() != 2 || idx.DType() != tensor.Int64 || idx.Dim(0) != x.Shape()[0] {
		panic("autograd: gather needs x [R,C] and int64 idx [R,J]")
	}
	y := empty(be, idx.Shape())
	be.Gather(y, x.Val, idx)
	out := newVar(y, x)
	out.backward = func() { be.ScatterAdd(x.Grad(), idx, out.grad) }
	return out
}

// TopK returns the k largest values of each row of a 2-D tensor and their
// column indexes, largest first (no gradient).
func TopK(x *tensor.Tensor, k int) (vals, idx *tensor.Tensor) {
	be := x.Backend()
	if x.Rank() != 2 || k < 1 || k > x.Dim(1) {
		panic("autograd: topk needs a 2-D tensor and 1 <= k <= columns")
	}
	vals = be.Empty(tensor.Float32, tensor.Shape{x.Dim(0), k})
	idx = be.Empty(tensor.Int64, tensor.Shape{x.Dim(0), k})
	be.TopK(vals, idx, x, k)
	return vals, idx
}

// Argmax returns the column of the largest value of each row (no gradient).
func Argmax(x *tensor.Tensor) *tensor.Tensor {
	if x.Rank() != 2 {
		panic("autograd: argmax needs a 2-D tensor")
	}
	be := x.Backend()
	idx := be.Empty(tensor.Int64, tensor.Shape{x.Dim(0)})
	be.Argmax(idx, x)
	return idx
}
