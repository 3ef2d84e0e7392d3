package conv

import (
	"twostage/kernels/batchnorm"
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// FusesBN reports whether ForwardBN runs for s: on the Winograd path, the
// padded grid and lanes, and for a non-empty batch. Elsewhere the caller
// runs Forward and then the batch norm in place.
func (c *Engine) FusesBN(s tensor.ConvShape) bool {
	return s.N > 0 && (c.useWinograd(s) || c.useConvPadded(s, false) || c.useConvLanesBN(s))
}

// ForwardBN: y [N,K,OH,OW] = act((x ⋆ w − mean)·rstd·gamma + beta),
// rstd = 1/√(variance+eps), the evaluation-mode conv + batch norm (+
// residual res, nil for none, + ReLU) of a ResNet block, where FusesBN(s).
// gs, bs, ms and vs (gamma, beta, mean and variance) are [K].
//
// On the Winograd path the per-channel scale rstd·gamma goes into the
// transformed kernel, U[ξ][k] ← U[ξ][k]·scale[k] (exact algebra: the
// transform is linear), and shift = beta − mean·scale, the residual and
// the ReLU are applied as the output transform's unpack stores y: one pass
// over y instead of two. On the padded grid and on lanes (the strided
// convs) the scale goes into w and the rest runs over each group's images
// just stored, still in cache. The paths differ from each other, and from
// the unfused ops, by the rounding of where the scale is applied.
func (c *Engine) ForwardBN(ys, xs, ws, gs, bs, ms, vs, res []float32, relu bool, s tensor.ConvShape, eps float32) {
	wino, lanes := c.useWinograd(s), c.useConvLanesBN(s)
	scale, shift := host.Scratch.Get(s.K), host.Scratch.Get(s.K)
	defer host.Scratch.Put(scale)
	defer host.Scratch.Put(shift)
	for k := range s.K {
		scale[k] = batchnorm.Scale(gs[k], float64(vs[k]), eps)
		shift[k] = bs[k] - ms[k]*scale[k]
	}
	ep := &convEpilogue{shift: shift, res: res, relu: relu, path: c.epiPath()}
	if !wino {
		// The padded grid or lanes: w scaled per output channel, the
		// epilogue per group of images.
		crs := s.C * s.R * s.S
		scaled := host.Scratch.Get(s.K * crs)
		defer host.Scratch.Put(scaled)
		for k, v := range scale {
			for i, wv := range ws[k*crs : (k+1)*crs] {
				scaled[k*crs+i] = wv * v
			}
		}
		if lanes {
			c.conv2DForwardLanes(ys, xs, scaled, s, ep)
		} else {
			c.conv2DForwardPadded(ys, xs, scaled, s, c.convPlan(s), ep)
		}
		return
	}
	u := host.Scratch.Get(16 * s.K * s.C)
	defer host.Scratch.Put(u)
	c.winoFilter(u, ws, s.K, s.C, false)
	kc := s.K * s.C
	for k, v := range scale {
		for xi := 0; xi < 16; xi++ {
			row := u[xi*kc+k*s.C : xi*kc+(k+1)*s.C]
			for i := range row {
				row[i] *= v
			}
		}
	}
	c.conv2DWinograd(ys, xs, u, s.N, s.C, s.K, s.H, s.W, false, ep)
}
