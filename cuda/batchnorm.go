//go:build cuda

package cuda

import "twostage/tensor"

// Batch norm (kernels/gpu/batchnorm.cu): the training forward as partial
// statistics per slice of images, their exact combination per channel and
// the affine map; inference as the per-channel scale and the affine map;
// the backward as partial sums, their combination (dgamma, dbeta and the
// per-channel coefficients) and the elementwise gradient.

// bnSlices is how many slices of images each channel's reduction is cut
// into: enough blocks for igemmTargetBlocks, at most one image a slice. It
// depends on the shape alone, so the bits do too.
func bnSlices(s tensor.ChanShape) int {
	return max(1, min(s.N, ceilDiv(igemmTargetBlocks, max(1, s.C))))
}

// checkBN panics unless x is [N,C,HW] with a nonempty batch, the same-size
// tensors have x's size and the per-channel ones C elements.
func (b *Backend) checkBN(op string, s tensor.ChanShape, x *devStorage, same []*devStorage, vec []*devStorage) {
	if s.N*s.HW == 0 {
		panic("cuda: batch norm over an empty batch")
	}
	if x.n != s.N*s.C*s.HW {
		panic("cuda: " + op + ": tensor size does not match the ChanShape")
	}
	for _, t := range same {
		if t != nil && t.n != x.n {
			panic("cuda: " + op + ": tensors differ in size")
		}
	}
	for _, t := range vec {
		if t != nil && t.n != s.C {
			panic("cuda: " + op + ": a per-channel vector does not have C elements")
		}
	}
}

// BatchNormForward (training): mean, variance [C] of x over N and HW, and
// y = act((x − mean)·gamma/√(var+eps) + beta).
func (b *Backend) BatchNormForward(y, mean, variance, x, gamma, beta *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	const op = "BatchNormForward"
	ys, ms, vs, xs := b.f32(op, "y", y), b.f32(op, "mean", mean), b.f32(op, "variance", variance), b.f32(op, "x", x)
	gs, bs, rs := b.f32(op, "gamma", gamma), b.f32(op, "beta", beta), b.opt(op, "act.Res", act.Res)
	b.checkBN(op, s, xs, []*devStorage{ys, rs}, []*devStorage{ms, vs, gs, bs})
	p := bnSlices(s)
	part, freePart := b.scratch(4 * s.C * p) // [C][P] pairs of float64
	scale, freeScale := b.scratch(s.C)
	b.launchGrid(op, kBNPartial, dim3{p, s.C, 1}, blockSize, part, xs, s.N, s.C, s.HW, p)
	b.launch(op, kBNFinish, s.C, ms, vs, scale, part, gs, s.N, s.C, s.HW, p, eps)
	b.launch(op, kBNAffine, xs.n, ys, xs, ms, scale, bs, rs, act.ReLU, s.C, s.HW, xs.n)
	freePart()
	freeScale()
}

// BatchNormInference: y = act((x − mean)·gamma/√(var+eps) + beta) with the
// given statistics.
func (b *Backend) BatchNormInference(y, x, gamma, beta, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	const op = "BatchNormInference"
	ys, xs, ms, vs := b.f32(op, "y", y), b.f32(op, "x", x), b.f32(op, "mean", mean), b.f32(op, "variance", variance)
	gs, bs, rs := b.f32(op, "gamma", gamma), b.f32(op, "beta", beta), b.opt(op, "act.Res", act.Res)
	b.checkBN(op, s, xs, []*devStorage{ys, rs}, []*devStorage{ms, vs, gs, bs})
	ss, free := b.scratch(2 * s.C)
	b.launch(op, kBNScale, s.C, ss, gs, bs, ms, vs, eps, s.C)
	b.launch(op, kBNAffine, xs.n, ys, xs, ms, ss, bs, rs, act.ReLU, s.C, s.HW, xs.n)
	free()
}

// BatchNormBackward: dx += ∂L/∂x, dgamma += Σ g·x̂, dbeta += Σ g, g = dy
// gated by act.Y > 0 under act.ReLU, act.DRes += g (= for dx and act.DRes
// under act.SetDX, act.SetDRes); any of dx, dgamma, dbeta may be nil.
func (b *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, train bool, act tensor.BNAct) {
	const op = "BatchNormBackward"
	if dy == nil || x == nil || gamma == nil || mean == nil || variance == nil {
		panic("cuda: BatchNormBackward needs dy, x, gamma, mean and variance")
	}
	dys, xs, gs, ms, vs := b.f32(op, "dy", dy), b.f32(op, "x", x), b.f32(op, "gamma", gamma), b.f32(op, "mean", mean), b.f32(op, "variance", variance)
	dxs, dgs, dbs := b.opt(op, "dx", dx), b.opt(op, "dgamma", dgamma), b.opt(op, "dbeta", dbeta)
	drs := b.opt(op, "act.DRes", act.DRes)
	var gate *devStorage
	if act.ReLU {
		if act.Y == nil {
			panic("cuda: batch norm backward with ReLU needs the forward output")
		}
		gate = b.f32(op, "act.Y", act.Y)
	}
	b.checkBN(op, s, xs, []*devStorage{dxs, dys, drs, gate}, []*devStorage{dgs, dbs, gs, ms, vs})
	// act.SetDX, act.SetDRes: = as zeros then += (the kernel adds).
	if act.SetDX && dx != nil {
		b.Fill(dx, 0)
	}
	if act.SetDRes && act.DRes != nil {
		b.Fill(act.DRes, 0)
	}
	needSums := dgs != nil || dbs != nil || (train && dxs != nil)
	p := 0
	var part *devStorage
	freePart := func() {}
	if needSums {
		p = bnSlices(s)
		part, freePart = b.scratch(4 * s.C * p)
		b.launchGrid(op, kBNBwdPartial, dim3{p, s.C, 1}, blockSize, part, dys, xs, gate, ms, s.N, s.C, s.HW, p)
	}
	coef, freeCoef := b.scratch(3 * s.C)
	b.launch(op, kBNBwdFinish, s.C, coef, dgs, dbs, part, gs, vs, s.N*s.HW, p, eps, s.C)
	if dxs != nil || drs != nil {
		b.launch(op, kBNBwdElem, xs.n, dxs, drs, dys, xs, gate, ms, coef, train, s.C, s.HW, xs.n)
	}
	freePart()
	freeCoef()
}
