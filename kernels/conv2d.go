package kernels

import (
	"twostage/kernels/conv"
	"twostage/tensor"
)

// The convolutions: the tensor checks here, the algorithms (im2col, the
// padded-width grid, phase planes, interleaved lanes, Winograd on rows and
// on lanes, their AVX2 and AVX-512 loops) in package kernels/conv.

func checkConv(x, w, y *tensor.Tensor, s tensor.ConvShape) {
	if !x.Shape().Equal(s.XShape()) || !w.Shape().Equal(s.WShape()) || !y.Shape().Equal(s.YShape()) {
		panic("kernels: conv2d tensor shapes do not match the ConvShape")
	}
	if s.OH != (s.H+2*s.Pad-s.R)/s.Stride+1 || s.OW != (s.W+2*s.Pad-s.S)/s.Stride+1 || s.OH < 1 || s.OW < 1 {
		panic("kernels: conv2d ConvShape has a wrong output size")
	}
}

// convs is the convolution engine with c's context.
func (c *CPU) convs() *conv.Engine { return &conv.Engine{Ctx: c.ctx()} }

// Conv2DForward: y [N,K,OH,OW] = x [N,C,H,W] ⋆ w [K,C,R,S] (cross-
// correlation with zero padding, PyTorch's conv2d without bias); y is
// written (conv.Engine.Forward).
func (c *CPU) Conv2DForward(y, x, w *tensor.Tensor, s tensor.ConvShape) {
	checkConv(x, w, y, s)
	c.convs().Forward(F32(y), F32(x), F32(w), s)
}

// Conv2DBackwardData: dx [N,C,H,W] += dy [N,K,OH,OW] ⋆ᵀ w [K,C,R,S], the
// gradient of Conv2DForward with respect to x; with acc false dx is
// written instead, with the bits of += into zeros (conv.Engine.BackwardData).
func (c *CPU) Conv2DBackwardData(dx, dy, w *tensor.Tensor, s tensor.ConvShape, acc bool) {
	checkConv(dx, w, dy, s)
	c.convs().BackwardData(F32(dx), F32(dy), F32(w), s, acc)
}

// Conv2DBackwardFilter: dw [K,C,R,S] += Σ_n dy[n] ⋆ x[n], the gradient of
// Conv2DForward with respect to w (conv.Engine.BackwardFilter).
func (c *CPU) Conv2DBackwardFilter(dw, dy, x *tensor.Tensor, s tensor.ConvShape) {
	checkConv(x, dw, dy, s)
	c.convs().BackwardFilter(F32(dw), F32(dy), F32(x), s)
}

// Conv2DForwardBN: y [N,K,OH,OW] = act((x ⋆ w − mean)·rstd·gamma + beta),
// rstd = 1/√(variance+eps), the evaluation-mode conv + batch norm (+
// residual + ReLU, tensor.BNAct) of a ResNet block; gamma, beta, mean and
// variance are [K]. Fused where conv.Engine.FusesBN (conv.Engine.ForwardBN),
// else Conv2DForward then BatchNormInference in place.
func (c *CPU) Conv2DForwardBN(y, x, w, gamma, beta, mean, variance *tensor.Tensor, s tensor.ConvShape, eps float32, act tensor.BNAct) {
	checkConv(x, w, y, s)
	cs := tensor.ChanShapeOf(y.Shape())
	e := c.convs()
	if !e.FusesBN(s) {
		c.Conv2DForward(y, x, w, s)
		c.BatchNormInference(y, y, gamma, beta, mean, variance, cs, eps, act)
		return
	}
	checkBN(cs, y, nil, []*tensor.Tensor{gamma, beta, mean, variance})
	checkAct(y, act, false)
	e.ForwardBN(F32(y), F32(x), F32(w), F32(gamma), F32(beta), F32(mean), F32(variance), optF32(act.Res), act.ReLU, s, eps)
}
