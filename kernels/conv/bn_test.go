package conv_test

import (
	"twostage/kernels/conv"
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"twostage/tensor"
)

// TestConv2DForwardBN checks the fused evaluation-mode conv + batch norm (+
// residual + ReLU) against the float64 references composed (conv, then
// the affine map with the given statistics, then the tail) on every
// backend, on shapes that take the Winograd path (folded scale, epilogue
// in the output transform) and shapes that do not (the two ops in turn),
// with the Winograd path also forced onto a 16-channel shape.
func TestConv2DForwardBN(t *testing.T) {
	const eps = 1e-5
	shapes := []tensor.ConvShape{
		convCase(3, 32, 7, 40, 3, 3, 1, 1),  // Winograd, odd plane
		convCase(2, 64, 8, 32, 3, 3, 1, 1),  // Winograd
		convCase(18, 8, 6, 16, 3, 3, 1, 1),  // Winograd lanes with transposes (when forced)
		convCase(2, 16, 6, 16, 3, 3, 1, 1),  // padded grid (Winograd when forced)
		convCase(2, 8, 9, 16, 3, 3, 2, 1),   // strided: phase planes
		convCase(17, 32, 7, 24, 1, 1, 2, 0), // 1×1 strided shortcut, ≥ 32 channels: lanes (a ragged block of 16 images)
	}
	for si, s := range shapes {
		seed := uint64(300 + 10*si)
		x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
		w := kt.DenseRand(seed+2, s.K*s.C*s.R*s.S, -0.3, 0.3)
		gamma, beta := kt.DenseRand(seed+3, s.K, 0.5, 1.5), kt.DenseRand(seed+4, s.K, -0.5, 0.5)
		mean, variance := kt.DenseRand(seed+5, s.K, -0.5, 0.5), kt.DenseRand(seed+6, s.K, 0.5, 2)
		res := kt.DenseRand(seed+7, s.N*s.K*s.OH*s.OW, -1, 1)
		ref := slowConv2D64(kt.DenseF64(x), kt.DenseF64(w), s)
		cs := tensor.ChanShape{N: s.N, C: s.K, HW: s.OH * s.OW}
		bn := kt.BatchNormInference64(ref, kt.DenseF64(gamma), kt.DenseF64(beta), kt.DenseF64(mean), kt.DenseF64(variance), cs, eps)
		vec := tensor.Shape{s.K}
		for _, be := range kt.DenseThreaded() {
			for _, mode := range []string{"auto", "winograd", "winorows", "lanes"} {
				for _, withRes := range []bool{false, true} {
					for _, relu := range []bool{false, true} {
						name := fmt.Sprintf("backend=%s/mode=%s/%s/res=%v/relu=%v", be.Name, mode, convName(s), withRes, relu)
						t.Run(name, func(t *testing.T) {
							defer conv.SetConvPath(mode)()
							B := be.BE
							want := kt.WithTail(bn, res, withRes, relu)
							act := tensor.BNAct{ReLU: relu}
							if withRes {
								act.Res = kt.DenseTensor(B, s.YShape(), res)
							}
							y := kt.DenseTensor(B, s.YShape(), kt.DenseRand(99, len(res), -1e3, 1e3))
							B.Conv2DForwardBN(y, kt.DenseTensor(B, s.XShape(), x), kt.DenseTensor(B, s.WShape(), w),
								kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta), kt.DenseTensor(B, vec, mean), kt.DenseTensor(B, vec, variance),
								s, eps, act)
							// conv tolerance scaled by √(C·R·S), as TestConv2D.
							kt.DenseClose(t, "y", y.Float32s(), want, 2e-5*math.Sqrt(float64(s.C*s.R*s.S)), 1e-4)
						})
					}
				}
			}
		}
	}
}
