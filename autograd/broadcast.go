package autograd

import "twostage/tensor"

// BroadcastScalar repeats a one-element x to shape s (gradient: the sum).
func BroadcastScalar(x *Var, s tensor.Shape) *Var {
	if x.Val.Numel() != 1 {
		panic("autograd: BroadcastScalar of a tensor with more than one element")
	}
	flat := Expand(Reshape(x, 1), 0, s.Numel())
	return Reshape(flat, s...)
}

// Transpose2D returns xᵀ of a 2-D x [M,N] (a copy). Values move, they are
// not multiplied, so NaN and infinities stay where they belong; the
// gradient flows back through the same permutation.
func Transpose2D(x *Var) *Var {
	if x.Val.Rank() != 2 {
		panic("autograd: Transpose2D needs a 2-D tensor")
	}
	m, n := x.Shape()[0], x.Shape()[1]
	perm := make([]int64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			perm[j*m+i] = int64(i*n + j) // out[j,i] = x[i,j]
		}
	}
	idx := tensor.FromInt64(x.Backend(), tensor.Shape{m * n}, perm)
	return Reshape(IndexSelect(Reshape(x, m*n, 1), idx), n, m)
}
