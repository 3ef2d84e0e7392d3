package kernels

// Temporary placeholders so the package builds while the dense kernels (GEMM,
// convolution, pooling, batch norm, per-channel ops) are written. This file is
// deleted when they land.

import "twostage/tensor"

func (c *CPU) Gemm(transA, transB bool, alpha float32, a, b *tensor.Tensor, beta float32, cc *tensor.Tensor) {
	panic("kernels: pending")
}
func (c *CPU) Conv2DForward(y, x, w *tensor.Tensor, s tensor.ConvShape) { panic("kernels: pending") }
func (c *CPU) Conv2DBackwardData(dx, dy, w *tensor.Tensor, s tensor.ConvShape) {
	panic("kernels: pending")
}
func (c *CPU) Conv2DBackwardFilter(dw, dy, x *tensor.Tensor, s tensor.ConvShape) {
	panic("kernels: pending")
}
func (c *CPU) AvgPool2DForward(y, x *tensor.Tensor, s tensor.PoolShape)    { panic("kernels: pending") }
func (c *CPU) AvgPool2DBackward(dx, dy *tensor.Tensor, s tensor.PoolShape) { panic("kernels: pending") }
func (c *CPU) BiasAdd(y, b *tensor.Tensor, s tensor.ChanShape)             { panic("kernels: pending") }
func (c *CPU) ChannelSum(dst, x *tensor.Tensor, s tensor.ChanShape)        { panic("kernels: pending") }
func (c *CPU) BatchNormForward(y, mean, variance, x, gamma, beta *tensor.Tensor, s tensor.ChanShape, eps float32) {
	panic("kernels: pending")
}
func (c *CPU) BatchNormInference(y, x, gamma, beta, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32) {
	panic("kernels: pending")
}
func (c *CPU) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, train bool) {
	panic("kernels: pending")
}
