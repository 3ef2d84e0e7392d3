package autograd

import "twostage/tensor"

// MatMul returns op(a)·op(b) for 2-D a and b, op(m) = mᵀ when the flag is set.
//
//	y = op(a) op(b)            y: [M,N]
//	da += g op(b)ᵀ  (or its transpose when transA)
//	db += op(a)ᵀ g  (or its transpose when transB)
func MatMul(a, b *Var, transA, transB bool) *Var {
	be := sameBackend("matmul", a, b)
	as, bs := a.Shape(), b.Shape()
	if len(as) != 2 || len(bs) != 2 {
		panic("autograd: matmul needs 2-D operands")
	}
	m, k := as[0], as[1]
	if transA {
		m, k = k, m
	}
	k2, n := bs[0], bs[1]
	if transB {
		k2, n = n, k2
	}
	if k != k2 {
		panic("autograd: matmul inner dimensions differ")
	}
	y := empty(be, tensor.Shape{m, n})
	be.Gemm(transA, transB, 1, a.Val, b.Val, 0, y)
	out := newVar(y, a, b)
	out.backward = func() {
		g := out.grad
		if needs(a) {
			if transA { // a is [K,M]: da += op(b) gᵀ
				be.Gemm(transB, true, 1, b.Val, g, 1, a.Grad())
			} else { // a is [M,K]: da += g op(b)ᵀ
				be.Gemm(false, !transB, 1, g, b.Val, 1, a.Grad())
			}
		}
		if needs(b) {
			if transB { // b is [N,K]: db += gᵀ op(a)
				be.Gemm(true, transA, 1, g, a.Val, 1, b.Grad())
			} else { // b is [K,N]: db += op(a)ᵀ g
				be.Gemm(!transA, false, 1, a.Val, g, 1, b.Grad())
			}
		}
	}
	return out
}

// Linear returns x wᵀ + b (PyTorch's nn.Linear): x [N,in], w [out,in], b
// [out] or nil.
func Linear(x, w, b *Var) *Var {
	y := MatMul(x, w, false, true)
	if b == nil {
		return y
	}
	return BiasAdd(y, b)
}

// BiasAdd returns y + b broadcast over the channel axis: y [N,C] or
// [N,C,H,W], b [C].
func BiasAdd(y, b *Var) *Var {
	be := sameBackend("bias_add", y, b)
	s := tensor.ChanShapeOf(y.Shape())
	if b.Val.Numel() != s.C {
		panic("autograd: bias length differs from the channel count")
	}
	z := empty(be, y.Shape())
	be.Copy(z, y.Val)
	be.BiasAdd(z, b.Val, s)
	out := newVar(z, y, b)
	out.backward = func() {
		if needs(y) {
			y.addGrad(1, out.grad)
		}
		if needs(b) {
			be.ChannelSum(b.Grad(), out.grad, s)
		}
	}
	return out
}
