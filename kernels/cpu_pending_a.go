package kernels

// Temporary placeholders so the package builds while the elementwise,
// reduction, indexing and optimiser kernels are written. This file is deleted
// when they land.

import "twostage/tensor"

func (c *CPU) Fill(t *tensor.Tensor, v float32)                       { panic("kernels: pending") }
func (c *CPU) Copy(dst, src *tensor.Tensor)                           { panic("kernels: pending") }
func (c *CPU) Axpy(alpha float32, x, y *tensor.Tensor)                { panic("kernels: pending") }
func (c *CPU) Scale(dst, x *tensor.Tensor, alpha, beta float32)       { panic("kernels: pending") }
func (c *CPU) Unary(op tensor.UnaryOp, dst, x *tensor.Tensor)         { panic("kernels: pending") }
func (c *CPU) Binary(op tensor.BinaryOp, dst, a, b *tensor.Tensor)    { panic("kernels: pending") }
func (c *CPU) MaskedFill(dst, x, mask *tensor.Tensor, v float32)      { panic("kernels: pending") }
func (c *CPU) Sum(dst, x *tensor.Tensor, s tensor.DimShape, acc bool) { panic("kernels: pending") }
func (c *CPU) BroadcastAcc(dst, src *tensor.Tensor, s tensor.DimShape, alpha float32) {
	panic("kernels: pending")
}
func (c *CPU) SoftmaxForward(y, x *tensor.Tensor, s tensor.DimShape, log bool) {
	panic("kernels: pending")
}
func (c *CPU) SoftmaxBackward(dx, dy, y *tensor.Tensor, s tensor.DimShape, log bool) {
	panic("kernels: pending")
}
func (c *CPU) L2NormForward(y, norm, x *tensor.Tensor, s tensor.DimShape) { panic("kernels: pending") }
func (c *CPU) L2NormBackward(dx, dy, y, norm *tensor.Tensor, s tensor.DimShape) {
	panic("kernels: pending")
}
func (c *CPU) SliceCopy(dst *tensor.Tensor, dD, dOff int, src *tensor.Tensor, sD, sOff, n int, outer, inner int, acc bool) {
	panic("kernels: pending")
}
func (c *CPU) IndexSelect(dst, src, idx *tensor.Tensor)             { panic("kernels: pending") }
func (c *CPU) IndexAdd(dst, idx, src *tensor.Tensor, alpha float32) { panic("kernels: pending") }
func (c *CPU) Gather(dst, src, idx *tensor.Tensor)                  { panic("kernels: pending") }
func (c *CPU) ScatterAdd(dst, idx, src *tensor.Tensor)              { panic("kernels: pending") }
func (c *CPU) TopK(vals, idx, x *tensor.Tensor, k int)              { panic("kernels: pending") }
func (c *CPU) Argmax(idx, x *tensor.Tensor)                         { panic("kernels: pending") }
func (c *CPU) SGDStep(param, grad, buf *tensor.Tensor, lr, momentum, weightDecay float32, nesterov, first bool) {
	panic("kernels: pending")
}
