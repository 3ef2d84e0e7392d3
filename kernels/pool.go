package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Average pooling with a square K×K window and stride K, no padding, floor
// output size (PyTorch's avg_pool2d(x, K)): the last H mod K rows and W mod K
// columns of x fall in no window. Both passes split the N·C planes over the
// threads; every plane is independent, so the bits do not depend on the
// thread count.

func checkPool(x, y *tensor.Tensor, s tensor.PoolShape) {
	if !x.Shape().Equal(tensor.Shape{s.N, s.C, s.H, s.W}) || !y.Shape().Equal(tensor.Shape{s.N, s.C, s.OH, s.OW}) {
		panic("kernels: avg_pool2d tensor shapes do not match the PoolShape")
	}
	if s.K < 1 || s.OH != s.H/s.K || s.OW != s.W/s.K {
		panic("kernels: avg_pool2d PoolShape has a wrong output size")
	}
}

// AvgPool2DForward: y [N,C,OH,OW] = the mean of each K×K window of
// x [N,C,H,W],
//
//	y[n,c,oh,ow] = 1/K² · Σ_{i,j<K} x[n, c, oh·K+i, ow·K+j]   (=).
func (c *CPU) AvgPool2DForward(y, x *tensor.Tensor, s tensor.PoolShape) {
	checkPool(x, y, s)
	xs, ys := F32(x), F32(y)
	hw, ohw := s.H*s.W, s.OH*s.OW
	inv := 1 / float32(s.K*s.K)
	host.For(c.threads(), s.N*s.C, 16, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			xp, yp := xs[p*hw:(p+1)*hw], ys[p*ohw:(p+1)*ohw]
			for oh := 0; oh < s.OH; oh++ {
				yr := yp[oh*s.OW : (oh+1)*s.OW]
				clear(yr)
				// Sum the window's K rows into yr column block by block.
				for i := 0; i < s.K; i++ {
					xr := xp[(oh*s.K+i)*s.W:]
					for ow := range yr {
						var acc float32
						for _, v := range xr[ow*s.K : (ow+1)*s.K] {
							acc += v
						}
						yr[ow] += acc
					}
				}
				for ow := range yr {
					yr[ow] *= inv
				}
			}
		}
	})
}

// AvgPool2DBackward: dx [N,C,H,W] += dy [N,C,OH,OW] spread evenly over each
// window,
//
//	dx[n, c, oh·K+i, ow·K+j] += dy[n,c,oh,ow] / K²   (i, j < K);
//
// the rows and columns outside every window get nothing.
func (c *CPU) AvgPool2DBackward(dx, dy *tensor.Tensor, s tensor.PoolShape) {
	checkPool(dx, dy, s)
	dxs, dys := F32(dx), F32(dy)
	hw, ohw := s.H*s.W, s.OH*s.OW
	inv := 1 / float32(s.K*s.K)
	host.For(c.threads(), s.N*s.C, 16, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			dxp, dyp := dxs[p*hw:(p+1)*hw], dys[p*ohw:(p+1)*ohw]
			for oh := 0; oh < s.OH; oh++ {
				dyr := dyp[oh*s.OW : (oh+1)*s.OW]
				for i := 0; i < s.K; i++ {
					dxr := dxp[(oh*s.K+i)*s.W:]
					for ow, g := range dyr {
						g *= inv
						for j := range dxr[ow*s.K : (ow+1)*s.K] {
							dxr[ow*s.K+j] += g
						}
					}
				}
			}
		}
	})
}
