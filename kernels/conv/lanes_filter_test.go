package conv_test

import (
	"fmt"
	"testing"

	"twostage/kernels"
	"twostage/kernels/conv"
	kt "twostage/kernels/internal/ktest"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// TestLanesFilterPacked checks that the lanes filter pass's packed gather
// (windows written from xi straight into the SGEMM's packed B, columns in
// (r, s, c) order) gives the bits of the col gather, on every SIMD path the
// machine has and at 1 and 2 threads: k blocks of L that cut a position
// (7×7 outputs: L = 784, blocks of 262), runs that end with the output
// rows, a partial block of 16 images, a ragged K, 1×1 and stride 1.
func TestLanesFilterPacked(t *testing.T) {
	defer conv.SetConvPath("lanes")()
	shapes := []tensor.ConvShape{
		convCase(18, 16, 14, 24, 3, 3, 2, 1), // 7×7 out
		convCase(16, 32, 16, 64, 3, 3, 2, 1), // 8×8 out: L = 1024
		convCase(20, 16, 13, 16, 3, 3, 1, 1), // stride 1, 13×13 out: chunks of 64 and 41
		convCase(16, 32, 8, 48, 1, 1, 2, 0),  // 1×1 shortcut
		convCase(3, 48, 9, 40, 3, 3, 2, 0),   // no padding, 4×4 out
	}
	for _, path := range sgemm.Paths()[1:] {
		for _, threads := range []int{1, 2} {
			be := &kernels.CPU{Path: path, Threads: threads}
			for ci, s := range shapes {
				t.Run(fmt.Sprintf("path=%v/t%d/%s", path, threads, convName(s)), func(t *testing.T) {
					seed := uint64(300 + 10*ci)
					x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
					dy := kt.DenseRand(seed+2, s.N*s.K*s.OH*s.OW, -1, 1)
					dw0 := kt.DenseRand(seed+3, s.K*s.C*s.R*s.S, -1, 1)
					var got [2][]float32
					for i, on := range []bool{false, true} {
						restore := conv.SetLanesFilterPacked(on)
						dwt := kt.DenseTensor(be, s.WShape(), dw0)
						be.Conv2DBackwardFilter(dwt, kt.DenseTensor(be, s.YShape(), dy), kt.DenseTensor(be, s.XShape(), x), s)
						got[i] = dwt.Float32s()
						restore()
					}
					kt.DenseSameBits(t, "dw packed against the col gather", got[1], got[0])
				})
			}
		}
	}
}
