//go:build cuda

package cuda

import (
	"twostage/tensor"
)

// The convolution passes and Gemm on the implicit-GEMM core
// (kernels/gpu/conv.cu); igemm.go chooses the variant and the grid. TF32
// tensor cores by default, FP32 when SetExactFP32(true) or
// TWOSTAGE_CUDA_FP32=1.

// checkConv panics unless x, w, y fit s (as kernels' checkConv).
func checkConv(x, w, y *tensor.Tensor, s tensor.ConvShape) {
	if !x.Shape().Equal(s.XShape()) || !w.Shape().Equal(s.WShape()) || !y.Shape().Equal(s.YShape()) {
		panic("cuda: conv2d tensor shapes do not match the ConvShape")
	}
	if s.OH != (s.H+2*s.Pad-s.R)/s.Stride+1 || s.OW != (s.W+2*s.Pad-s.S)/s.Stride+1 || s.OH < 1 || s.OW < 1 {
		panic("cuda: conv2d ConvShape has a wrong output size")
	}
}

// f32 returns t's storage, panicking unless it is float32.
func (b *Backend) f32(op, name string, t *tensor.Tensor) *devStorage {
	if t == nil {
		panic("cuda: " + op + ": " + name + " is nil")
	}
	s := b.storage(t)
	if s.dt != tensor.Float32 {
		panic("cuda: " + op + ": " + name + " is not float32")
	}
	return s
}

// opt is f32 for an optional operand: nil for a nil t.
func (b *Backend) opt(op, name string, t *tensor.Tensor) *devStorage {
	if t == nil {
		return nil
	}
	return b.f32(op, name, t)
}

// conv launches one conv_* kernel of plan p.
func (b *Backend) conv(op string, p igemmPlan, out, a, x *devStorage, ws *devStorage, s tensor.ConvShape,
	scale, shift any, res *devStorage, relu, acc bool) {
	k, ok := convKernels[p.kernel]
	if !ok {
		panic("cuda: no conv kernel " + p.kernel)
	}
	b.launchGrid(op, k, p.grid, igemmThreads, out, a, x, ws,
		s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.Stride, s.Pad, s.OH, s.OW, p.perSplit,
		scale, shift, res, relu, acc)
}

// Conv2DForward: y [N,K,OH,OW] = x [N,C,H,W] ⋆ w [K,C,R,S] (=).
func (b *Backend) Conv2DForward(y, x, w *tensor.Tensor, s tensor.ConvShape) {
	checkConv(x, w, y, s)
	ys, xs, ws := b.f32("Conv2DForward", "y", y), b.f32("Conv2DForward", "x", x), b.f32("Conv2DForward", "w", w)
	if s.N == 0 || s.K == 0 {
		return
	}
	p := planConv(modeFwd, s, b.exact.Load())
	var none *devStorage
	b.conv("Conv2DForward", p, ys, ws, xs, none, s, none, none, none, false, false)
}

// Conv2DForwardBN: y = act((x ⋆ w)·scale + shift (+ res), ReLU) with scale =
// gamma/√(var+eps), shift = beta − mean·scale from bn_scale_f32, applied in
// the conv's epilogue as it stores y: one pass over y.
func (b *Backend) Conv2DForwardBN(y, x, w, gamma, beta, mean, variance *tensor.Tensor, s tensor.ConvShape, eps float32, act tensor.BNAct) {
	const op = "Conv2DForwardBN"
	checkConv(x, w, y, s)
	ys, xs, ws := b.f32(op, "y", y), b.f32(op, "x", x), b.f32(op, "w", w)
	gs, bs, ms, vs := b.f32(op, "gamma", gamma), b.f32(op, "beta", beta), b.f32(op, "mean", mean), b.f32(op, "variance", variance)
	for _, v := range []*devStorage{gs, bs, ms, vs} {
		if v.n != s.K {
			panic("cuda: Conv2DForwardBN: a per-channel vector does not have K elements")
		}
	}
	rs := b.opt(op, "act.Res", act.Res)
	if rs != nil && rs.n != ys.n {
		panic("cuda: Conv2DForwardBN: act.Res differs in size from y")
	}
	if s.N == 0 || s.K == 0 {
		return
	}
	ss, free := b.scratch(2 * s.K)
	b.launch(op, kBNScale, s.K, ss, gs, bs, ms, vs, eps, s.K)
	p := planConv(modeFwd, s, b.exact.Load())
	var none *devStorage
	b.conv(op, p, ys, ws, xs, none, s, ss, devOffset{ss, 4 * int64(s.K)}, rs, act.ReLU, false)
	free()
}

// Conv2DBackwardData: dx [N,C,H,W] += dy [N,K,OH,OW] ⋆ᵀ w [K,C,R,S], or
// with acc false dx = that sum, done here as a fill with zeros and then
// the += (the kernel has no store-only epilogue yet): exactly += into zeros.
func (b *Backend) Conv2DBackwardData(dx, dy, w *tensor.Tensor, s tensor.ConvShape, acc bool) {
	const op = "Conv2DBackwardData"
	checkConv(dx, w, dy, s)
	dxs, dys, ws := b.f32(op, "dx", dx), b.f32(op, "dy", dy), b.f32(op, "w", w)
	if !acc {
		b.Fill(dx, 0)
	}
	if s.N == 0 || s.C == 0 {
		return
	}
	p := planConv(modeData, s, b.exact.Load())
	var none *devStorage
	b.conv(op, p, dxs, ws, dys, none, s, none, none, none, false, true)
}

// Conv2DBackwardFilter: dw [K,C,R,S] += Σ_n dy[n] ⋆ x[n]. The pixel
// reduction is split into plan.splits() contiguous ranges when the tiles
// alone do not fill the device; each split stores its partial dw into a
// workspace and splitk_reduce_f32 adds them into dw in split order.
func (b *Backend) Conv2DBackwardFilter(dw, dy, x *tensor.Tensor, s tensor.ConvShape) {
	const op = "Conv2DBackwardFilter"
	checkConv(x, dw, dy, s)
	dws, dys, xs := b.f32(op, "dw", dw), b.f32(op, "dy", dy), b.f32(op, "x", x)
	if s.N == 0 || dws.n == 0 {
		return
	}
	p := planConv(modeFilt, s, b.exact.Load())
	var none *devStorage
	if p.splits() == 1 {
		b.conv(op, p, dws, dys, xs, none, s, none, none, none, false, true)
		return
	}
	n := p.mg * p.ng
	ws, free := b.scratch(p.splits() * n)
	b.conv(op, p, dws, dys, xs, ws, s, none, none, none, false, true)
	b.launch(op, kSplitKReduce, n, dws, ws, p.splits(), n)
	free()
}

// Gemm: c [m,n] = alpha·op(a)·op(b) + beta·c, op(a) [m,k], op(b) [k,n];
// beta == 0 ignores c's old contents.
func (b *Backend) Gemm(transA, transB bool, alpha float32, a, bt *tensor.Tensor, beta float32, c *tensor.Tensor) {
	const op = "Gemm"
	as, bs, cs := b.f32(op, "a", a), b.f32(op, "b", bt), b.f32(op, "c", c)
	if a.Rank() != 2 || bt.Rank() != 2 || c.Rank() != 2 {
		panic("cuda: gemm needs 2-D tensors")
	}
	m, k := a.Dim(0), a.Dim(1)
	if transA {
		m, k = k, m
	}
	kb, n := bt.Dim(0), bt.Dim(1)
	if transB {
		kb, n = n, kb
	}
	if kb != k || c.Dim(0) != m || c.Dim(1) != n {
		panic("cuda: gemm shapes do not match")
	}
	if cs == as || cs == bs {
		panic("cuda: gemm: c aliases a or b")
	}
	if m == 0 || n == 0 {
		return
	}
	// k == 0 needs no special case: the kernel's loop then runs no slice
	// and its epilogue stores alpha·0 + beta·c.
	p := planIGEMM(modeGemm, m, n, k, 1, 1, b.exact.Load())
	b.launchGrid(op, gemmKernels[p.kernel], p.grid, igemmThreads, cs, as, bs, m, n, k,
		a.Dim(1), bt.Dim(1), n, transA, transB, alpha, beta)
}
