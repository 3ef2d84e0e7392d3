package autograd

import "twostage/tensor"

func checkSame(op string, a, b *Var) tensor.Backend {
	if !a.Val.Shape().Equal(b.Val.Shape()) {
		panic("autograd: " + op + ": operand shapes differ")
	}
	return sameBackend(op, a, b)
}

// Add returns a + b (same shapes).
func Add(a, b *Var) *Var {
	be := checkSame("add", a, b)
	y := empty(be, a.Shape())
	be.Binary(tensor.Add, y, a.Val, b.Val)
	out := newVar(y, a, b)
	out.backward = func() {
		if needs(a) {
			a.addGrad(1, out.grad)
		}
		if needs(b) {
			b.addGrad(1, out.grad)
		}
	}
	return out
}

// Sub returns a - b (same shapes).
func Sub(a, b *Var) *Var {
	be := checkSame("sub", a, b)
	y := empty(be, a.Shape())
	be.Binary(tensor.Sub, y, a.Val, b.Val)
	out := newVar(y, a, b)
	out.backward = func() {
		if needs(a) {
			a.addGrad(1, out.grad)
		}
		if needs(b) {
			b.addGrad(-1, out.grad)
		}
	}
	return out
}

// Mul returns a * b elementwise (same shapes).
func Mul(a, b *Var) *Var {
	be := checkSame("mul", a, b)
	y := empty(be, a.Shape())
	be.Binary(tensor.Mul, y, a.Val, b.Val)
	out := newVar(y, a, b)
	out.backward = func() {
		if needs(a) { // da += g*b
			be.Binary(tensor.MulAcc, a.Grad(), out.grad, b.Val)
		}
		if needs(b) { // db += g*a
			be.Binary(tensor.MulAcc, b.Grad(), out.grad, a.Val)
		}
	}
	return out
}

// Div returns a / b elementwise (same shapes).
func Div(a, b *Var) *Var {
	be := checkSame("div", a, b)
	y := empty(be, a.Shape())
	be.Binary(tensor.Div, y, a.Val, b.Val)
	out := newVar(y, a, b)
	out.backward = func() {
		if needs(a) { // da += g/b
			be.Binary(tensor.DivAcc, a.Grad(), out.grad, b.Val)
		}
		if needs(b) { // db += -g*y/b
			t := empty(be, a.Shape())
			be.Binary(tensor.Mul, t, out.grad, y)
			be.Scale(t, t, -1, 0)
			be.Binary(tensor.DivAcc, b.Grad(), t, b.Val)
			be.Release(t)
		}
	}
	return out
}

// Affine returns alpha*x + beta.
func Affine(x *Var, alpha, beta float32) *Var {
	be := x.Backend()
	y := empty(be, x.Shape())
	be.Scale(y, x.Val, alpha, beta)
	out := newVar(y, x)
	out.backward = func() { x.addGrad(alpha, out.grad) }
	return out
}

// Scale returns alpha*x.
func Scale(x *Var, alpha float32) *Var { return Affine(x, alpha, 0) }

// Exp returns e^x.
func Exp(x *Var) *Var {
	be := x.Backend()
	y := empty(be, x.Shape())
	be.Unary(tensor.Exp, y, x.Val)
	out := newVar(y, x)
	out.backward = func() { be.Binary(tensor.MulAcc, x.Grad(), out.grad, y) }
	return out
}

// Log returns ln x.
func Log(x *Var) *Var {
	be := x.Backend()
	y := empty(be, x.Shape())
	be.Unary(tensor.Log, y, x.Val)
	out := newVar(y, x)
	out.backward = func() { be.Binary(tensor.DivAcc, x.Grad(), out.grad, x.Val) }
	return out
}

// ReLU returns max(x, 0). The gradient at 0 is 0, as PyTorch.
func ReLU(x *Var) *Var {
	be := x.Backend()
	y := empty(be, x.Shape())
	be.Unary(tensor.ReLU, y, x.Val)
	out := newVar(y, x)
	out.backward = func() { be.Binary(tensor.ReLUGradAcc, x.Grad(), out.grad, y) }
	return out
}

// Square returns x*x.
func Square(x *Var) *Var { return Mul(x, x) }

// MaskedFill returns x with the elements where mask != 0 replaced by v; no
// gradient flows through the replaced elements. mask is a float32 tensor of
// x's shape (1 = fill).
func MaskedFill(x *Var, mask *tensor.Tensor, v float32) *Var {
	be := x.Backend()
	if !mask.Shape().Equal(x.Shape()) {
		panic("autograd: masked_fill: mask shape differs from x")
	}
	y := empty(be, x.Shape())
	be.MaskedFill(y, x.Val, mask, v)
	out := newVar(y, x)
	out.backward = func() { be.Binary(tensor.MaskAcc, x.Grad(), out.grad, mask) }
	return out
}
