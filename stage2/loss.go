package stage2

import (
	"math"

	"twostage/autograd"
	"twostage/tensor"
)

// iicEps is the clamp of the IIC loss: the float64 machine epsilon
// (sys.float_info.epsilon), stored in float32 as the reference does.
const iicEps = float32(2.220446049250313e-16)

// IICLoss is the IIC mutual-information loss between the cluster
// distributions of two views, z1 and z2 [B,C] (rows are probabilities):
//
//	P    = sym(z1ᵀ z2) / Σ,  sym(A) = (A + Aᵀ)/2
//	Pi   = row sums of P (broadcast), Pj = column sums (broadcast)
//	loss = −Σ P·(log P − log Pj − log Pi)
//
// with P, Pi and Pj each clamped below at iicEps (no gradient through a
// clamped entry).
func IICLoss(z1, z2 *autograd.Var) *autograd.Var {
	k := z1.Shape()[1]
	p := autograd.MatMul(z1, z2, true, false) // [k,k]
	p = autograd.Scale(autograd.Add(p, autograd.Transpose2D(p)), 0.5)
	p = autograd.Div(p, autograd.BroadcastScalar(autograd.SumAll(p), p.Shape()))
	pi := autograd.Expand(autograd.Sum(p, 1), 1, k) // pi[i,j] = Σ_j' p[i,j']
	pj := autograd.Expand(autograd.Sum(p, 0), 0, k) // pj[i,j] = Σ_i' p[i',j]
	p, pi, pj = clampMin(p, iicEps), clampMin(pi, iicEps), clampMin(pj, iicEps)
	mi := autograd.Sub(autograd.Sub(autograd.Log(p), autograd.Log(pj)), autograd.Log(pi))
	return autograd.Scale(autograd.SumAll(autograd.Mul(p, mi)), -1)
}

// clampMin replaces entries below lo by lo (torch.where(x < lo, lo, x)). The
// matrices here are k×k, so the mask is built on the host.
func clampMin(x *autograd.Var, lo float32) *autograd.Var {
	v := x.Val.Float32s()
	mask := make([]float32, len(v))
	any := false
	for i, f := range v {
		if f < lo {
			mask[i] = 1
			any = true
		}
	}
	if !any {
		return x
	}
	return autograd.MaskedFill(x, tensor.FromFloat32(x.Backend(), x.Shape(), mask), lo)
}

// isFinite reports whether a loss value can be trusted.
func isFinite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
