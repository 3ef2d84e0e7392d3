package batchnorm_test

import (
	"fmt"
	"testing"

	"twostage/kernels"
	"twostage/kernels/batchnorm"
	kt "twostage/kernels/internal/ktest"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// TestImageMajor checks that the image-order passes over big channels give
// the channel loop's bits, forward (y, mean, variance) and backward (dx,
// dgamma, dbeta, the residual's gradient), with and without a residual
// and ReLU, on every path the machine has and at 1 and 3 threads.
func TestImageMajor(t *testing.T) {
	const eps = 1e-5
	for si, s := range []tensor.ChanShape{{N: 5, C: 3, HW: 13200}, {N: 90, C: 2, HW: 784}, {N: 3, C: 4, HW: 30007}} {
		seed := uint64(300 + 10*si)
		n := s.N * s.C * s.HW
		shape, vec := tensor.Shape{s.N, s.C, s.HW}, tensor.Shape{s.C}
		x := kt.DenseRand(seed+1, n, -1, 3)
		res := kt.DenseRand(seed+2, n, -1, 1)
		dy := kt.DenseRand(seed+3, n, -1, 1)
		gamma := kt.DenseRand(seed+4, s.C, 0.5, 1.5)
		beta := kt.DenseRand(seed+5, s.C, -1, 1)
		for _, p := range []sgemm.Path{sgemm.Go, sgemm.AVX2, sgemm.AVX512} {
			if !p.Available() {
				continue
			}
			for _, threads := range []int{1, 3} {
				for _, fused := range []bool{false, true} {
					var got [2][][]float32
					for i, on := range []bool{false, true} {
						restore := batchnorm.SetImageMajor(on)
						B := &kernels.CPU{Path: p, Threads: threads}
						xt := kt.DenseTensor(B, shape, x)
						y, m, v := B.Empty(tensor.Float32, shape), B.Empty(tensor.Float32, vec), B.Empty(tensor.Float32, vec)
						g, b := kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta)
						act := tensor.BNAct{}
						if fused {
							act = tensor.BNAct{Res: kt.DenseTensor(B, shape, res), ReLU: true}
						}
						B.BatchNormForward(y, m, v, xt, g, b, s, eps, act)
						dx, dr := kt.DenseTensor(B, shape, res), kt.DenseTensor(B, shape, x)
						dg, db := kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta)
						bact := tensor.BNAct{}
						if fused {
							bact = tensor.BNAct{Y: y, ReLU: true, DRes: dr}
						}
						B.BatchNormBackward(dx, dg, db, kt.DenseTensor(B, shape, dy), xt, g, m, v, s, eps, true, bact)
						restore()
						got[i] = [][]float32{y.Float32s(), m.Float32s(), v.Float32s(), dx.Float32s(), dg.Float32s(), db.Float32s(), dr.Float32s()}
					}
					for k, name := range []string{"y", "mean", "variance", "dx", "dgamma", "dbeta", "dres"} {
						kt.DenseSameBits(t, fmt.Sprintf("%v threads=%d fused=%v %v %s", p, threads, fused, s, name), got[1][k], got[0][k])
					}
				}
			}
		}
	}
}
