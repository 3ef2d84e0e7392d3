package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Conv2DForwardBN: y [N,K,OH,OW] = act((x ⋆ w − mean)·rstd·gamma + beta),
// rstd = 1/√(variance+eps), the evaluation-mode conv + batch norm (+
// residual + ReLU, tensor.BNAct) of a ResNet block. gamma, beta, mean and
// variance are [K].
//
// On the Winograd path the per-channel scale rstd·gamma goes into the
// transformed kernel, U[ξ][k] ← U[ξ][k]·scale[k] (exact algebra: the
// transform is linear), and shift = beta − mean·scale, the residual and
// the ReLU are applied as the output transform's unpack stores y: one pass
// over y instead of two. On the padded grid and on lanes (the strided
// convs) the scale goes into w and the rest runs over each group's images
// just stored, still in cache. Elsewhere it is Conv2DForward then
// BatchNormInference in place. The paths differ from each other, and from
// the unfused ops, by the rounding of where the scale is applied.
func (c *CPU) Conv2DForwardBN(y, x, w, gamma, beta, mean, variance *tensor.Tensor, s tensor.ConvShape, eps float32, act tensor.BNAct) {
	checkConv(x, w, y, s)
	cs := tensor.ChanShapeOf(y.Shape())
	wino, padded, lanes := c.useWinograd(s), c.useConvPadded(s, false), c.useConvLanesBN(s)
	if !(wino || padded || lanes) || s.N == 0 {
		c.Conv2DForward(y, x, w, s)
		c.BatchNormInference(y, y, gamma, beta, mean, variance, cs, eps, act)
		return
	}
	checkBN(cs, y, nil, []*tensor.Tensor{gamma, beta, mean, variance})
	checkAct(y, act, false)
	gs, bs, ms, vs := F32(gamma), F32(beta), F32(mean), F32(variance)
	scale, shift := host.Scratch.Get(s.K), host.Scratch.Get(s.K)
	defer host.Scratch.Put(scale)
	defer host.Scratch.Put(shift)
	for k := range s.K {
		scale[k] = bnScale(gs[k], float64(vs[k]), eps)
		shift[k] = bs[k] - ms[k]*scale[k]
	}
	ep := &convEpilogue{shift: shift, res: optF32(act.Res), relu: act.ReLU, path: c.epiPath()}
	if !wino {
		// The padded grid or lanes: w scaled per output channel, the
		// epilogue per group of images.
		crs := s.C * s.R * s.S
		ws := host.Scratch.Get(s.K * crs)
		defer host.Scratch.Put(ws)
		for k, v := range scale {
			for i, wv := range F32(w)[k*crs : (k+1)*crs] {
				ws[k*crs+i] = wv * v
			}
		}
		if lanes {
			c.conv2DForwardLanes(F32(y), F32(x), ws, s, ep)
		} else {
			c.conv2DForwardPadded(F32(y), F32(x), ws, s, c.convPlan(s), ep)
		}
		return
	}
	u := host.Scratch.Get(16 * s.K * s.C)
	defer host.Scratch.Put(u)
	c.winoFilter(u, F32(w), s.K, s.C, false)
	kc := s.K * s.C
	for k, v := range scale {
		for xi := 0; xi < 16; xi++ {
			row := u[xi*kc+k*s.C : xi*kc+(k+1)*s.C]
			for i := range row {
				row[i] *= v
			}
		}
	}
	c.conv2DWinograd(F32(y), F32(x), u, s.N, s.C, s.K, s.H, s.W, false, ep)
}
