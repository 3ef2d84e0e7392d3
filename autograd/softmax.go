package autograd

import "twostage/tensor"

// Softmax returns exp(x)/Σexp(x) along dim.
func Softmax(x *Var, dim int) *Var { return softmax(x, dim, false) }

// LogSoftmax returns x - log Σexp(x) along dim.
func LogSoftmax(x *Var, dim int) *Var { return softmax(x, dim, true) }

func softmax(x *Var, dim int, log bool) *Var {
	be := x.Backend()
	ds := tensor.DimShapeOf(x.Shape(), dim)
	y := empty(be, x.Shape())
	be.SoftmaxForward(y, x.Val, ds, log)
	out := newVar(y, x)
	out.backward = func() { be.SoftmaxBackward(x.Grad(), out.grad, y, ds, log) }
	return out
}

// L2Normalize returns x/‖x‖₂ along dim, with no epsilon (the reference's
// Normalize: x / x.pow(2).sum(dim, keepdim=True).pow(0.5)).
func L2Normalize(x *Var, dim int) *Var {
	be := x.Backend()
	ds := tensor.DimShapeOf(x.Shape(), dim)
	y := empty(be, x.Shape())
	norm := empty(be, tensor.Shape{ds.Outer, ds.Inner})
	be.L2NormForward(y, norm, x.Val, ds)
	out := newVar(y, x)
	out.backward = func() { be.L2NormBackward(x.Grad(), out.grad, y, norm, ds) }
	return out
}
