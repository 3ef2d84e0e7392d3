package autograd

import "twostage/tensor"

// Reshape returns a view of x with another shape (one size may be -1).
func Reshape(x *Var, s ...int) *Var {
	y := x.Val.Reshape(s...)
	out := newVar(y, x)
	out.backward = func() { x.addGrad(1, out.grad.Reshape(x.Shape()...)) }
	return out
}

// Concat joins xs along dim; all other sizes must agree.
func Concat(dim int, xs ...*Var) *Var {
	if len(xs) == 0 {
		panic("autograd: concat of nothing")
	}
	be := sameBackend("concat", xs...)
	s0 := xs[0].Shape()
	dim = normDim(s0, dim)
	total := 0
	for _, x := range xs {
		s := x.Shape()
		if len(s) != len(s0) {
			panic("autograd: concat operands differ in rank")
		}
		for i := range s {
			if i != dim && s[i] != s0[i] {
				panic("autograd: concat operands differ outside the concat dimension")
			}
		}
		total += s[dim]
	}
	ys := s0.Clone()
	ys[dim] = total
	ds := tensor.DimShapeOf(ys, dim)
	y := empty(be, ys)
	off := 0
	offs := make([]int, len(xs))
	for i, x := range xs {
		n := x.Shape()[dim]
		offs[i] = off
		be.SliceCopy(y, total, off, x.Val, n, 0, n, ds.Outer, ds.Inner, false)
		off += n
	}
	out := newVar(y, xs...)
	out.backward = func() {
		for i, x := range xs {
			if needs(x) {
				n := x.Shape()[dim]
				be.SliceCopy(x.Grad(), n, 0, out.grad, total, offs[i], n, ds.Outer, ds.Inner, true)
			}
		}
	}
	return out
}

// Narrow returns x[..., start:start+n, ...] along dim (a copy).
func Narrow(x *Var, dim, start, n int) *Var {
	be := x.Backend()
	xs := x.Shape()
	dim = normDim(xs, dim)
	if start < 0 || n < 0 || start+n > xs[dim] {
		panic("autograd: narrow range out of bounds")
	}
	ds := tensor.DimShapeOf(xs, dim)
	ys := xs.Clone()
	ys[dim] = n
	y := empty(be, ys)
	be.SliceCopy(y, n, 0, x.Val, ds.D, start, n, ds.Outer, ds.Inner, false)
	out := newVar(y, x)
	out.backward = func() {
		be.SliceCopy(x.Grad(), ds.D, start, out.grad, n, 0, n, ds.Outer, ds.Inner, true)
	}
	return out
}
