package nn

import (
	"twostage/autograd"
	"twostage/tensor"
)

// AugLoss is the reference's instance-spreading augmentation criterion, used
// by stage 1 (on the L2-normalised NPC logits) and, as the
// consistency-preserving loss of stage 2 (Eq. 11), on the features. Rows i
// and B+i of x [2B,D] are two views of one image; the second operand of each
// similarity is detached, as in the reference:
//
//	pos_i   = exp(⟨x_i, sg(x_{i±B})⟩/T)
//	allp_ij = exp(⟨x_i, sg(x_j)⟩/T)·[i≠j]
//	div_i   = Σ_j allp_ij                       (negM = 1)
//	        = (Σ_j allp_ij − pos_i)·negM + pos_i
//	Pmt_i   = pos_i/div_i
//	Pon_i   = Σ_j log(1 − allp_ij/div_i) − log(1 − Pmt_i)
//	loss    = −(Σ_i log Pmt_i + negM·Σ_i Pon_i) / 2B
func AugLoss(x *autograd.Var, negM, T float32) *autograd.Var {
	s := x.Shape()
	if len(s) != 2 || s[0]%2 != 0 {
		panic("nn: AugLoss needs x [2B,D]")
	}
	n, b := s[0], s[0]/2
	be := x.Backend()
	reordered := autograd.Concat(0, autograd.Narrow(x, 0, b, b), autograd.Narrow(x, 0, 0, b)).Detach()
	pos := autograd.Exp(autograd.Scale(autograd.Sum(autograd.Mul(x, reordered), 1), 1/T)) // [n]
	sim := autograd.MatMul(x, x.Detach(), false, true)                                    // [n,n]
	allp := autograd.MaskedFill(autograd.Exp(autograd.Scale(sim, 1/T)), eye(be, n), 0)
	div := autograd.Sum(allp, 1) // [n]
	if negM != 1 {
		div = autograd.Add(autograd.Scale(autograd.Sub(div, pos), negM), pos)
	}
	pmt := autograd.Div(pos, div)
	ratio := autograd.Div(allp, autograd.Expand(div, 1, n))
	pon := autograd.Sub(autograd.Sum(autograd.Log(autograd.Affine(ratio, -1, 1)), 1),
		autograd.Log(autograd.Affine(pmt, -1, 1)))
	total := autograd.Add(autograd.SumAll(autograd.Log(pmt)), autograd.Scale(autograd.SumAll(pon), negM))
	return autograd.Scale(total, -1/float32(n))
}

// eye returns an n×n float32 identity, used as a diagonal mask.
func eye(be tensor.Backend, n int) *tensor.Tensor {
	h := make([]float32, n*n)
	for i := 0; i < n; i++ {
		h[i*n+i] = 1
	}
	return tensor.FromFloat32(be, tensor.Shape{n, n}, h)
}
