package kernels

import (
	"twostage/kernels/batchnorm"
	"twostage/tensor"
)

// Batch normalisation: the tensor checks and the tensors' slices here, the
// algorithms (the float64 statistics, the fused residual and ReLU, their
// AVX2 and AVX-512 loops) in package kernels/batchnorm.

func checkBN(s tensor.ChanShape, x *tensor.Tensor, same []*tensor.Tensor, vec []*tensor.Tensor) {
	if s.N*s.HW == 0 {
		panic("kernels: batch norm over an empty batch")
	}
	checkChan(x, s, vec...)
	for _, t := range same {
		if t != nil && t.Numel() != x.Numel() {
			panic("kernels: batch norm tensors differ in size")
		}
	}
}

// checkAct checks a BNAct against x: every tensor it names has x's size,
// and a ReLU backward has the forward's output to gate with.
func checkAct(x *tensor.Tensor, act tensor.BNAct, backward bool) {
	for _, t := range []*tensor.Tensor{act.Res, act.Y, act.DRes} {
		if t != nil && t.Numel() != x.Numel() {
			panic("kernels: batch norm fused tensors differ in size")
		}
	}
	if backward && act.ReLU && act.Y == nil {
		panic("kernels: batch norm backward with ReLU needs the forward output")
	}
}

// optF32 is F32(t), or nil for a nil t.
func optF32(t *tensor.Tensor) []float32 {
	if t == nil {
		return nil
	}
	return F32(t)
}

// bnAct is act on its tensors' slices.
func bnAct(act tensor.BNAct) batchnorm.Act {
	return batchnorm.Act{Res: optF32(act.Res), Y: optF32(act.Y), DRes: optF32(act.DRes), ReLU: act.ReLU, SetDX: act.SetDX, SetDRes: act.SetDRes}
}

// BatchNormForward (training): for x [N,C,HW], writes mean [C] and
// variance [C] (biased) of each channel and y [N,C,HW] = act((x −
// mean)·rstd·gamma + beta), act fusing a residual add and a ReLU
// (tensor.BNAct). gamma and beta are [C]; none of them may be nil.
func (c *CPU) BatchNormForward(y, mean, variance, x, gamma, beta *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	if y == nil || mean == nil || variance == nil || gamma == nil || beta == nil {
		panic("kernels: BatchNormForward needs every tensor")
	}
	checkBN(s, x, []*tensor.Tensor{y}, []*tensor.Tensor{mean, variance, gamma, beta})
	checkAct(x, act, false)
	ctx := c.ctx()
	batchnorm.Forward(&ctx, F32(y), F32(mean), F32(variance), F32(x), F32(gamma), F32(beta), s, eps, bnAct(act))
}

// BatchNormInference: y [N,C,HW] = act((x − mean)·rstd·gamma + beta) with
// the given (running) statistics mean and variance [C], rstd =
// 1/√(variance+eps).
func (c *CPU) BatchNormInference(y, x, gamma, beta, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	if y == nil || mean == nil || variance == nil || gamma == nil || beta == nil {
		panic("kernels: BatchNormInference needs every tensor")
	}
	checkBN(s, x, []*tensor.Tensor{y}, []*tensor.Tensor{mean, variance, gamma, beta})
	checkAct(x, act, false)
	ctx := c.ctx()
	batchnorm.Inference(&ctx, F32(y), F32(x), F32(gamma), F32(beta), F32(mean), F32(variance), s, eps, bnAct(act))
}

// BatchNormBackward adds the gradients of y = act(x̂·gamma + beta) given dy
// [N,C,HW]; mean and variance [C] are the statistics the forward pass used.
// The gradient reaching the normalisation is g = dy, or under act.ReLU
// g = act.Y > 0 ? dy : 0 (act.Y the forward's output); act.DRes, the
// residual's gradient, gets += g. With Σ over the channel's M values,
//
//	dgamma[c] += Σ g·x̂,   dbeta[c] += Σ g,
//	train:  dx += gamma·rstd/M · (M·g − Σ g − x̂·Σ g·x̂)
//	        (the batch statistics depend on x, so their gradient flows back),
//	eval:   dx += gamma·rstd · g   (the statistics are constants).
//
// This is PyTorch's batch_norm_backward_cpu; per element it evaluates dx +=
// (g − Σg/M − (x − mean)·k)·gamma·rstd with k = rstd²·Σ g·(x − mean)/M.
// act.SetDX and act.SetDRes write dx and act.DRes (=) instead: the same
// arithmetic from +0, so the bits equal += into zeroed buffers.
// Any of dx, dgamma, dbeta may be nil and is then skipped; the sums are only
// computed when one of them needs them. Each channel makes at most two
// passes: the sums, then dx and DRes.
func (c *CPU) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, train bool, act tensor.BNAct) {
	if dy == nil || x == nil || gamma == nil || mean == nil || variance == nil {
		panic("kernels: BatchNormBackward needs dy, x, gamma, mean and variance")
	}
	checkBN(s, x, []*tensor.Tensor{dx, dy}, []*tensor.Tensor{dgamma, dbeta, gamma, mean, variance})
	checkAct(x, act, true)
	ctx := c.ctx()
	batchnorm.Backward(&ctx, optF32(dx), optF32(dgamma), optF32(dbeta), F32(dy), F32(x), F32(gamma), F32(mean), F32(variance), s, eps, train, bnAct(act))
}
