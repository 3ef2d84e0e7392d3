package autograd

import "twostage/tensor"

// BroadcastScalar repeats a one-element x to shape s (gradient: the sum).
func BroadcastScalar(x *Var, s tensor.Shape) *Var {
	if x.Val.Numel() != 1 {
		panic("autograd: BroadcastScalar of a tensor with more than one element")
	}
	flat := Expand(Reshape(x, 1), 0, s.Numel())
	return Reshape(flat, s...)
}

// Transpose2D returns xᵀ of a 2-D x [M,N], computed as xᵀ·I_M with the
// backend's GEMM. That is exact (each output is one product by 1 plus
// zeros) and cheap for the small matrices it serves, such as IIC's k×k joint
// distribution; it is not meant for large tensors.
func Transpose2D(x *Var) *Var {
	if x.Val.Rank() != 2 {
		panic("autograd: Transpose2D needs a 2-D tensor")
	}
	be := x.Backend()
	n := x.Shape()[0]
	eye := make([]float32, n*n)
	for i := 0; i < n; i++ {
		eye[i*n+i] = 1
	}
	id := Const(tensor.FromFloat32(be, tensor.Shape{n, n}, eye))
	return MatMul(x, id, true, false)
}
