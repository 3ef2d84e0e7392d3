package superand

import (
	"math"
	"math/rand/v2"

	"twostage/autograd"
	"twostage/tensor"
)

// Memory is the non-parametric classifier's bank: one L2-normalised D-vector
// per training image, on the model's backend.
type Memory struct {
	Bank     *tensor.Tensor // [M,D]
	T        float32        // temperature (0.1)
	Momentum float32        // update momentum (0.5)
}

// NewMemory initialises the bank uniformly in ±1/√(D/3), as the reference
// (stdv = 1/sqrt(low_dim/3); rand*2*stdv - stdv).
func NewMemory(be tensor.Backend, rng *rand.Rand, m, d int, t, momentum float32) *Memory {
	stdv := 1 / math.Sqrt(float64(d)/3)
	h := make([]float32, m*d)
	for i := range h {
		h[i] = float32(rng.Float64()*2*stdv - stdv)
	}
	return &Memory{Bank: tensor.FromFloat32(be, tensor.Shape{m, d}, h), T: t, Momentum: momentum}
}

// Logits is the non-parametric classifier: out = x·Bankᵀ/T for the
// embeddings x [2B,D] of both views. Its backward is dx += (g/T)·Bank; the
// bank itself gets no gradient (it moves by Update, after the backward
// pass: an explicit step of the trainer, not a side effect of backward).
func (m *Memory) Logits(x *autograd.Var) *autograd.Var {
	be := x.Backend()
	s := x.Shape()
	out := be.Empty(tensor.Float32, tensor.Shape{s[0], m.Bank.Dim(0)})
	be.Gemm(false, true, 1/m.T, x.Val, m.Bank, 0, out)
	return autograd.Custom(out, []*autograd.Var{x}, func(o *autograd.Var) {
		be.Gemm(false, false, 1/m.T, o.Grad(), m.Bank, 1, x.Grad())
	})
}

// Update moves the rows of the batch toward the features of the second view
// and renormalises them:
//
//	Bank[y_i] ← normalise(momentum·Bank[y_i] + (1−momentum)·x[B+i])
//
// The reference writes the rows of view 1 and then those of view 2, both
// computed from the bank before the update, so view 2's write is the one that
// stays: this computes only that one. y is int64 [B] and x [2B,D].
func (m *Memory) Update(x *tensor.Tensor, y *tensor.Tensor) {
	be := x.Backend()
	b := y.Dim(0)
	d := x.Dim(1)
	rows := be.Empty(tensor.Float32, tensor.Shape{b, d})
	be.IndexSelect(rows, m.Bank, y)
	be.Scale(rows, rows, m.Momentum, 0)
	view2 := x.Reshape(2, b*d)
	v2 := be.Empty(tensor.Float32, tensor.Shape{1, b * d})
	be.SliceCopy(v2, 1, 0, view2, 2, 1, 1, 1, b*d, false)
	be.Axpy(1-m.Momentum, v2.Reshape(b, d), rows)
	norm := be.Empty(tensor.Float32, tensor.Shape{b, 1})
	normed := be.Empty(tensor.Float32, tensor.Shape{b, d})
	be.L2NormForward(normed, norm, rows, tensor.DimShapeOf(rows.Shape(), 1))
	be.IndexCopy(m.Bank, y, normed)
	for _, t := range []*tensor.Tensor{rows, v2, norm, normed} {
		be.Release(t)
	}
}
