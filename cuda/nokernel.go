//go:build cuda

package cuda

import "twostage/tensor"

// The tensor.Backend methods below have no CUDA kernel yet. Each checks that
// its tensors belong to this backend, then records the sticky error
// "cuda: <op>: no CUDA kernel yet (CPU only in this build)" (ErrNoKernel) and
// returns without touching its outputs: no panic, and no silent wrong result,
// since every later op is skipped, Download returns NaN and Sync/Err report
// the op. A launcher that gets a kernel moves out of this file into its own
// (one op per file, named as in package kernels).

// noKernel is the body of every method here. Nil tensors (optional outputs
// such as BatchNormBackward's) are allowed.
func (b *Backend) noKernel(op string, ts ...*tensor.Tensor) {
	for _, t := range ts {
		if t != nil {
			b.storage(t)
		}
	}
	b.setErr(op, ErrNoKernel)
}

func (b *Backend) Unary(op tensor.UnaryOp, dst, x *tensor.Tensor) {
	b.noKernel("Unary", dst, x)
}

func (b *Backend) Binary(op tensor.BinaryOp, dst, x, y *tensor.Tensor) {
	b.noKernel("Binary", dst, x, y)
}

func (b *Backend) MaskedFill(dst, x, mask *tensor.Tensor, v float32) {
	b.noKernel("MaskedFill", dst, x, mask)
}

func (b *Backend) Gemm(transA, transB bool, alpha float32, x, y *tensor.Tensor, beta float32, c *tensor.Tensor) {
	b.noKernel("Gemm", x, y, c)
}

func (b *Backend) Conv2DForward(y, x, w *tensor.Tensor, s tensor.ConvShape) {
	b.noKernel("Conv2DForward", y, x, w)
}

func (b *Backend) Conv2DForwardBN(y, x, w, gamma, beta, mean, variance *tensor.Tensor, s tensor.ConvShape, eps float32, act tensor.BNAct) {
	b.noKernel("Conv2DForwardBN", y, x, w, gamma, beta, mean, variance, act.Res)
}

func (b *Backend) Conv2DBackwardData(dx, dy, w *tensor.Tensor, s tensor.ConvShape) {
	b.noKernel("Conv2DBackwardData", dx, dy, w)
}

func (b *Backend) Conv2DBackwardFilter(dw, dy, x *tensor.Tensor, s tensor.ConvShape) {
	b.noKernel("Conv2DBackwardFilter", dw, dy, x)
}

func (b *Backend) AvgPool2DForward(y, x *tensor.Tensor, s tensor.PoolShape) {
	b.noKernel("AvgPool2DForward", y, x)
}

func (b *Backend) AvgPool2DBackward(dx, dy *tensor.Tensor, s tensor.PoolShape) {
	b.noKernel("AvgPool2DBackward", dx, dy)
}

func (b *Backend) BiasAdd(y, bias *tensor.Tensor, s tensor.ChanShape) {
	b.noKernel("BiasAdd", y, bias)
}

func (b *Backend) ChannelSum(dst, x *tensor.Tensor, s tensor.ChanShape) {
	b.noKernel("ChannelSum", dst, x)
}

func (b *Backend) BatchNormForward(y, mean, variance, x, gamma, beta *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	b.noKernel("BatchNormForward", y, mean, variance, x, gamma, beta, act.Res)
}

func (b *Backend) BatchNormInference(y, x, gamma, beta, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, act tensor.BNAct) {
	b.noKernel("BatchNormInference", y, x, gamma, beta, mean, variance, act.Res)
}

func (b *Backend) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, train bool, act tensor.BNAct) {
	b.noKernel("BatchNormBackward", dx, dgamma, dbeta, dy, x, gamma, mean, variance, act.Y, act.DRes)
}

func (b *Backend) Sum(dst, x *tensor.Tensor, s tensor.DimShape, acc bool) {
	b.noKernel("Sum", dst, x)
}

func (b *Backend) BroadcastAcc(dst, src *tensor.Tensor, s tensor.DimShape, alpha float32) {
	b.noKernel("BroadcastAcc", dst, src)
}

func (b *Backend) SoftmaxForward(y, x *tensor.Tensor, s tensor.DimShape, log bool) {
	b.noKernel("SoftmaxForward", y, x)
}

func (b *Backend) SoftmaxBackward(dx, dy, y *tensor.Tensor, s tensor.DimShape, log bool) {
	b.noKernel("SoftmaxBackward", dx, dy, y)
}

func (b *Backend) L2NormForward(y, norm, x *tensor.Tensor, s tensor.DimShape) {
	b.noKernel("L2NormForward", y, norm, x)
}

func (b *Backend) L2NormBackward(dx, dy, y, norm *tensor.Tensor, s tensor.DimShape) {
	b.noKernel("L2NormBackward", dx, dy, y, norm)
}

func (b *Backend) SliceCopy(dst *tensor.Tensor, dD, dOff int, src *tensor.Tensor, sD, sOff, n int, outer, inner int, acc bool) {
	b.noKernel("SliceCopy", dst, src)
}

func (b *Backend) IndexSelect(dst, src, idx *tensor.Tensor) {
	b.noKernel("IndexSelect", dst, src, idx)
}

func (b *Backend) IndexAdd(dst, idx, src *tensor.Tensor, alpha float32) {
	b.noKernel("IndexAdd", dst, idx, src)
}

func (b *Backend) IndexCopy(dst, idx, src *tensor.Tensor) {
	b.noKernel("IndexCopy", dst, idx, src)
}

func (b *Backend) Gather(dst, src, idx *tensor.Tensor) {
	b.noKernel("Gather", dst, src, idx)
}

func (b *Backend) ScatterAdd(dst, idx, src *tensor.Tensor) {
	b.noKernel("ScatterAdd", dst, idx, src)
}

func (b *Backend) TopK(vals, idx, x *tensor.Tensor, k int) {
	b.noKernel("TopK", vals, idx, x)
}

func (b *Backend) Argmax(idx, x *tensor.Tensor) {
	b.noKernel("Argmax", idx, x)
}

func (b *Backend) SGDStep(param, grad, buf *tensor.Tensor, lr, momentum, weightDecay float32, nesterov, first bool) {
	b.noKernel("SGDStep", param, grad, buf)
}
