package autograd

import "twostage/tensor"

// dropDim returns s without dimension dim (keepdim=False).
func dropDim(s tensor.Shape, dim int) tensor.Shape {
	if dim < 0 {
		dim += len(s)
	}
	out := append(tensor.Shape{}, s[:dim]...)
	return append(out, s[dim+1:]...)
}

// Sum sums x along dim (which disappears from the shape).
func Sum(x *Var, dim int) *Var {
	be := x.Backend()
	ds := tensor.DimShapeOf(x.Shape(), dim)
	y := empty(be, dropDim(x.Shape(), dim))
	be.Sum(y, x.Val, ds, false)
	out := newVar(y, x)
	out.backward = func() { be.BroadcastAcc(x.Grad(), out.grad, ds, 1) }
	return out
}

// Mean averages x along dim.
func Mean(x *Var, dim int) *Var {
	n := x.Shape()[normDim(x.Shape(), dim)]
	return Scale(Sum(x, dim), 1/float32(n))
}

// SumAll sums every element into a scalar (shape []).
func SumAll(x *Var) *Var {
	flat := Reshape(x, 1, x.Val.Numel())
	return Reshape(Sum(flat, 1))
}

// MeanAll averages every element into a scalar.
func MeanAll(x *Var) *Var { return Scale(SumAll(x), 1/float32(x.Val.Numel())) }

// Expand inserts a new dimension of size n at dim and repeats x along it:
// y[o,d,i] = x[o,i]. Its backward is a sum along dim.
func Expand(x *Var, dim, n int) *Var {
	be := x.Backend()
	xs := x.Shape()
	if dim < 0 {
		dim += len(xs) + 1
	}
	if dim < 0 || dim > len(xs) {
		panic("autograd: expand dimension out of range")
	}
	ys := append(tensor.Shape{}, xs[:dim]...)
	ys = append(ys, n)
	ys = append(ys, xs[dim:]...)
	ds := tensor.DimShapeOf(ys, dim)
	y := empty(be, ys)
	be.Fill(y, 0)
	be.BroadcastAcc(y, x.Val, ds, 1)
	out := newVar(y, x)
	out.backward = func() { be.Sum(x.Grad(), out.grad, ds, true) }
	return out
}

func normDim(s tensor.Shape, dim int) int {
	if dim < 0 {
		dim += len(s)
	}
	if dim < 0 || dim >= len(s) {
		panic("autograd: dimension out of range")
	}
	return dim
}
