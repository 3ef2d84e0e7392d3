//go:build cuda

package cuda

import "twostage/tensor"

// The elementwise, per-channel and along-a-dimension ops (kernels/gpu/
// elementwise.cu, sgd.cu, reduce.cu, softmax.cu, pool.cu). Each checks its
// arguments as the CPU backend does (a mismatch panics with "cuda: ..."
// text) and queues one kernel; the argument lists follow the .cu signatures
// (see kernels.go).

// lineGrid is the grid of the one-block-per-line kernels: a block for each
// of n lines up to maxGrid (grid-stride beyond).
func lineGrid(n int) dim3 { return dim3{max(1, min(n, maxGrid)), 1, 1} }

func needN(op, name string, s *devStorage, n int) {
	if s.n != n {
		panic("cuda: " + op + ": " + name + " has the wrong size")
	}
}

func needDimShape(op string, s tensor.DimShape, n int) {
	if s.Outer < 0 || s.D < 0 || s.Inner < 0 || s.Outer*s.D*s.Inner != n {
		panic("cuda: " + op + ": DimShape does not match the tensor size")
	}
}

// Unary: dst = op(x) (unary_f32).
func (b *Backend) Unary(op tensor.UnaryOp, dst, x *tensor.Tensor) {
	d, xs := b.f32("Unary", "dst", dst), b.f32("Unary", "x", x)
	needN("Unary", "x", xs, d.n)
	if op > tensor.Abs {
		panic("cuda: unary: unknown op")
	}
	b.launch("Unary", kUnary, d.n, d, xs, int64(op), d.n)
}

// Binary: dst = a op b, or += for the Acc ops (binary_f32).
func (b *Backend) Binary(op tensor.BinaryOp, dst, x, y *tensor.Tensor) {
	d, xs, ys := b.f32("Binary", "dst", dst), b.f32("Binary", "a", x), b.f32("Binary", "b", y)
	needN("Binary", "a", xs, d.n)
	needN("Binary", "b", ys, d.n)
	if op > tensor.MaskAcc {
		panic("cuda: binary: unknown op")
	}
	b.launch("Binary", kBinary, d.n, d, xs, ys, int64(op), d.n)
}

// MaskedFill: dst = mask != 0 ? v : x (masked_fill_f32).
func (b *Backend) MaskedFill(dst, x, mask *tensor.Tensor, v float32) {
	d, xs, ms := b.f32("MaskedFill", "dst", dst), b.f32("MaskedFill", "x", x), b.f32("MaskedFill", "mask", mask)
	needN("MaskedFill", "x", xs, d.n)
	needN("MaskedFill", "mask", ms, d.n)
	b.launch("MaskedFill", kMaskedFill, d.n, d, xs, ms, v, d.n)
}

// SGDStep: one torch.optim.SGD step for one parameter (sgd_f32); buf may
// be nil when momentum is 0.
func (b *Backend) SGDStep(param, grad, buf *tensor.Tensor, lr, momentum, weightDecay float32, nesterov, first bool) {
	ps, gs := b.f32("SGDStep", "param", param), b.f32("SGDStep", "grad", grad)
	needN("SGDStep", "grad", gs, ps.n)
	var bs *devStorage
	if momentum != 0 {
		bs = b.f32("SGDStep", "buf", buf)
		needN("SGDStep", "buf", bs, ps.n)
	}
	b.launch("SGDStep", kSGD, ps.n, ps, gs, bs, lr, momentum, weightDecay, nesterov, first, ps.n)
}

// BiasAdd: y[n,c,i] += bias[c] (bias_add_f32).
func (b *Backend) BiasAdd(y, bias *tensor.Tensor, s tensor.ChanShape) {
	ys, bs := b.f32("BiasAdd", "y", y), b.f32("BiasAdd", "b", bias)
	needN("BiasAdd", "y", ys, s.N*s.C*s.HW)
	needN("BiasAdd", "b", bs, s.C)
	b.launch("BiasAdd", kBiasAdd, ys.n, ys, bs, s.C, max(1, s.HW), ys.n)
}

// ChannelSum: dst[c] += Σ_{n,i} x[n,c,i] (channel_sum_f32, a block per channel).
func (b *Backend) ChannelSum(dst, x *tensor.Tensor, s tensor.ChanShape) {
	ds, xs := b.f32("ChannelSum", "dst", dst), b.f32("ChannelSum", "x", x)
	needN("ChannelSum", "x", xs, s.N*s.C*s.HW)
	needN("ChannelSum", "dst", ds, s.C)
	if s.C > 0 {
		b.launchGrid("ChannelSum", kChannelSum, lineGrid(s.C), blockSize, ds, xs, s.N, s.C, s.HW)
	}
}

// Sum: dst[o,i] (+)= Σ_d x[o,d,i]: a block per row when Inner == 1
// (sum_rows_f32), a thread per column otherwise (sum_cols_f32).
func (b *Backend) Sum(dst, x *tensor.Tensor, s tensor.DimShape, acc bool) {
	ds, xs := b.f32("Sum", "dst", dst), b.f32("Sum", "x", x)
	needDimShape("sum", s, xs.n)
	needN("Sum", "dst", ds, s.Outer*s.Inner)
	if s.Outer*s.Inner == 0 {
		return
	}
	if s.Inner == 1 {
		b.launchGrid("Sum", kSumRows, lineGrid(s.Outer), blockSize, ds, xs, s.Outer, s.D, acc)
		return
	}
	b.launch("Sum", kSumCols, ds.n, ds, xs, s.Outer, s.D, s.Inner, acc)
}

// BroadcastAcc: dst[o,d,i] += alpha·src[o,i] (broadcast_acc_f32).
func (b *Backend) BroadcastAcc(dst, src *tensor.Tensor, s tensor.DimShape, alpha float32) {
	ds, ss := b.f32("BroadcastAcc", "dst", dst), b.f32("BroadcastAcc", "src", src)
	needDimShape("broadcast_acc", s, ds.n)
	needN("BroadcastAcc", "src", ss, s.Outer*s.Inner)
	b.launch("BroadcastAcc", kBroadcastAcc, ds.n, ds, ss, s.D, max(1, s.Inner), alpha, ds.n)
}

// SoftmaxForward: y = softmax(x) or log_softmax along D (softmax_fwd_f32).
func (b *Backend) SoftmaxForward(y, x *tensor.Tensor, s tensor.DimShape, log bool) {
	ys, xs := b.f32("SoftmaxForward", "y", y), b.f32("SoftmaxForward", "x", x)
	needDimShape("softmax", s, xs.n)
	needN("SoftmaxForward", "y", ys, xs.n)
	if lines := s.Outer * s.Inner; lines > 0 && s.D > 0 {
		b.launchGrid("SoftmaxForward", kSoftmaxFwd, lineGrid(lines), blockSize, ys, xs, s.Outer, s.D, s.Inner, log)
	}
}

// SoftmaxBackward: dx += the vector-Jacobian product (softmax_bwd_f32).
func (b *Backend) SoftmaxBackward(dx, dy, y *tensor.Tensor, s tensor.DimShape, log bool) {
	const op = "SoftmaxBackward"
	dxs, dys, ys := b.f32(op, "dx", dx), b.f32(op, "dy", dy), b.f32(op, "y", y)
	needDimShape("softmax_backward", s, dxs.n)
	needN(op, "dy", dys, dxs.n)
	needN(op, "y", ys, dxs.n)
	if lines := s.Outer * s.Inner; lines > 0 && s.D > 0 {
		b.launchGrid(op, kSoftmaxBwd, lineGrid(lines), blockSize, dxs, dys, ys, s.Outer, s.D, s.Inner, log)
	}
}

// L2NormForward: norm = ‖x‖ along D, y = x/norm (l2norm_fwd_f32).
func (b *Backend) L2NormForward(y, norm, x *tensor.Tensor, s tensor.DimShape) {
	const op = "L2NormForward"
	ys, ns, xs := b.f32(op, "y", y), b.f32(op, "norm", norm), b.f32(op, "x", x)
	needDimShape("l2norm", s, xs.n)
	needN(op, "y", ys, xs.n)
	needN(op, "norm", ns, s.Outer*s.Inner)
	if lines := s.Outer * s.Inner; lines > 0 {
		b.launchGrid(op, kL2NormFwd, lineGrid(lines), blockSize, ys, ns, xs, s.Outer, s.D, s.Inner)
	}
}

// L2NormBackward: dx += (dy − y·⟨dy,y⟩)/norm (l2norm_bwd_f32).
func (b *Backend) L2NormBackward(dx, dy, y, norm *tensor.Tensor, s tensor.DimShape) {
	const op = "L2NormBackward"
	dxs, dys, ys, ns := b.f32(op, "dx", dx), b.f32(op, "dy", dy), b.f32(op, "y", y), b.f32(op, "norm", norm)
	needDimShape("l2norm_backward", s, dxs.n)
	needN(op, "dy", dys, dxs.n)
	needN(op, "y", ys, dxs.n)
	needN(op, "norm", ns, s.Outer*s.Inner)
	if lines := s.Outer * s.Inner; lines > 0 {
		b.launchGrid(op, kL2NormBwd, lineGrid(lines), blockSize, dxs, dys, ys, ns, s.Outer, s.D, s.Inner)
	}
}

func checkPool(x, y *tensor.Tensor, s tensor.PoolShape) {
	if !x.Shape().Equal(tensor.Shape{s.N, s.C, s.H, s.W}) || !y.Shape().Equal(tensor.Shape{s.N, s.C, s.OH, s.OW}) {
		panic("cuda: avg_pool2d tensor shapes do not match the PoolShape")
	}
	if s.K < 1 || s.OH != s.H/s.K || s.OW != s.W/s.K {
		panic("cuda: avg_pool2d PoolShape has a wrong output size")
	}
}

// AvgPool2DForward: y = the mean of each K×K window (avgpool_fwd_f32).
func (b *Backend) AvgPool2DForward(y, x *tensor.Tensor, s tensor.PoolShape) {
	checkPool(x, y, s)
	ys, xs := b.f32("AvgPool2DForward", "y", y), b.f32("AvgPool2DForward", "x", x)
	b.launch("AvgPool2DForward", kAvgPoolFwd, ys.n, ys, xs, s.H, s.W, s.K, s.OH, s.OW, ys.n)
}

// AvgPool2DBackward: dx += dy spread over each window (avgpool_bwd_f32,
// one thread per element of dx).
func (b *Backend) AvgPool2DBackward(dx, dy *tensor.Tensor, s tensor.PoolShape) {
	checkPool(dx, dy, s)
	dxs, dys := b.f32("AvgPool2DBackward", "dx", dx), b.f32("AvgPool2DBackward", "dy", dy)
	b.launch("AvgPool2DBackward", kAvgPoolBwd, dxs.n, dxs, dys, s.H, s.W, s.K, s.OH, s.OW, dxs.n)
}

// SliceCopy: dst[o, dOff+j, i] (+)= src[o, sOff+j, i] for j < n (slice_copy_f32).
func (b *Backend) SliceCopy(dst *tensor.Tensor, dD, dOff int, src *tensor.Tensor, sD, sOff, n int, outer, inner int, acc bool) {
	d, s := b.f32("SliceCopy", "dst", dst), b.f32("SliceCopy", "src", src)
	if outer < 0 || inner < 0 || n < 0 || dOff < 0 || sOff < 0 || dOff+n > dD || sOff+n > sD {
		panic("cuda: slice_copy: block out of range")
	}
	needN("SliceCopy", "dst", d, outer*dD*inner)
	needN("SliceCopy", "src", s, outer*sD*inner)
	total := outer * n * inner
	b.launch("SliceCopy", kSliceCopy, total, d, dD, dOff, s, sD, sOff, n, inner, acc, total)
}
