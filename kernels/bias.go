package kernels

import (
	"twostage/kernels/batchnorm"
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Per-channel bias: a tensor viewed as [N, C, HW] (ChanShape) gets b[c] added
// to every element of channel c, and the bias gradient is the matching
// channel sum. A 2-D [N, C] tensor (a linear layer's output) is HW = 1.

func checkChan(x *tensor.Tensor, s tensor.ChanShape, vec ...*tensor.Tensor) {
	if x.Numel() != s.N*s.C*s.HW {
		panic("kernels: per-channel op: tensor size does not match the ChanShape")
	}
	for _, v := range vec {
		if v != nil && v.Numel() != s.C {
			panic("kernels: per-channel op: a per-channel vector does not have C elements")
		}
	}
}

// BiasAdd: y[n,c,i] += b[c] for y [N,C,HW] and b [C]. The N·C rows are split
// over the threads.
func (c *CPU) BiasAdd(y, b *tensor.Tensor, s tensor.ChanShape) {
	checkChan(y, s, b)
	ys, bs := F32(y), F32(b)
	host.For(c.threads(), s.N*s.C, max(1, 4096/max(1, s.HW)), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			v := bs[row%s.C]
			yr := ys[row*s.HW : (row+1)*s.HW]
			for i := range yr {
				yr[i] += v
			}
		}
	})
}

// ChannelSum: dst[c] += Σ_{n,i} x[n,c,i] for x [N,C,HW] and dst [C] (the bias
// gradient). Each channel is summed by one goroutine in float64, n and i in
// increasing order, so the result does not depend on the thread count.
func (c *CPU) ChannelSum(dst, x *tensor.Tensor, s tensor.ChanShape) {
	if dst == nil {
		panic("kernels: ChannelSum needs dst")
	}
	checkChan(x, s, dst)
	ds, xs := F32(dst), F32(x)
	host.For(c.threads(), s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			var acc float64
			for n := 0; n < s.N; n++ {
				acc += batchnorm.Sum64(xs[(n*s.C+ch)*s.HW : (n*s.C+ch+1)*s.HW])
			}
			ds[ch] += float32(acc)
		}
	})
}
