package kernels

import (
	"math"

	"twostage/tensor"
)

// Batch normalisation over x viewed as [N, C, HW] (ChanShape), one set of
// statistics per channel c, reduced over the M = N·HW values of that channel:
//
//	mean[c] = 1/M Σ x,   var[c] = 1/M Σ (x − mean)²  (biased),
//	rstd    = 1/√(var + eps),   x̂ = (x − mean)·rstd,   y = x̂·gamma[c] + beta[c].
//
// Accuracy: the statistics are accumulated in float64 with two passes over
// the data (first the mean, then the centred squares), as PyTorch's CPU
// kernel does (batch_norm_cpu_collect_stats uses a double accumulator for
// float and sums (x − mean)² after the mean). The two-pass variance has no
// cancellation even when |mean| ≫ std, unlike E[x²] − mean². Per-element
// arithmetic is float32.
//
// Threads split the channels; every channel is reduced by one goroutine in a
// fixed order, so the bits do not depend on the thread count.

func checkBN(s tensor.ChanShape, x *tensor.Tensor, same []*tensor.Tensor, vec []*tensor.Tensor) {
	if s.N*s.HW == 0 {
		panic("kernels: batch norm over an empty batch")
	}
	checkChan(x, s, vec...)
	for _, t := range same {
		if t != nil && t.Numel() != x.Numel() {
			panic("kernels: batch norm tensors differ in size")
		}
	}
}

// BatchNormForward (training): for x [N,C,HW], writes mean [C] and
// variance [C] (biased) of each channel and y [N,C,HW] = (x − mean)·rstd·gamma
// + beta. gamma and beta are [C]; none of the tensors may be nil.
func (c *CPU) BatchNormForward(y, mean, variance, x, gamma, beta *tensor.Tensor, s tensor.ChanShape, eps float32) {
	if y == nil || mean == nil || variance == nil || gamma == nil || beta == nil {
		panic("kernels: BatchNormForward needs every tensor")
	}
	checkBN(s, x, []*tensor.Tensor{y}, []*tensor.Tensor{mean, variance, gamma, beta})
	ys, ms, vs, xs, gs, bs := F32(y), F32(mean), F32(variance), F32(x), F32(gamma), F32(beta)
	inv := 1 / float64(s.N*s.HW)
	parallelFor(c.threads(), s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			// Pass 1: the mean.
			var sum float64
			for n := 0; n < s.N; n++ {
				sum += sum64(xs[(n*s.C+ch)*s.HW : (n*s.C+ch+1)*s.HW])
			}
			m := sum * inv
			// Pass 2: the biased variance around it.
			var sq float64
			for n := 0; n < s.N; n++ {
				sq += sqDev64(xs[(n*s.C+ch)*s.HW:(n*s.C+ch+1)*s.HW], m)
			}
			v := sq * inv
			ms[ch], vs[ch] = float32(m), float32(v)
			// Pass 3: y = (x − mean)·(gamma·rstd) + beta.
			scale := float32(float64(gs[ch]) / math.Sqrt(v+float64(eps)))
			normalize(ys, xs, s, ch, float32(m), scale, bs[ch])
		}
	})
}

// BatchNormInference: y [N,C,HW] = (x − mean)·rstd·gamma + beta with the
// given (running) statistics mean and variance [C], rstd = 1/√(variance+eps).
func (c *CPU) BatchNormInference(y, x, gamma, beta, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32) {
	if y == nil || mean == nil || variance == nil || gamma == nil || beta == nil {
		panic("kernels: BatchNormInference needs every tensor")
	}
	checkBN(s, x, []*tensor.Tensor{y}, []*tensor.Tensor{mean, variance, gamma, beta})
	ys, ms, vs, xs, gs, bs := F32(y), F32(mean), F32(variance), F32(x), F32(gamma), F32(beta)
	parallelFor(c.threads(), s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			scale := float32(float64(gs[ch]) / math.Sqrt(float64(vs[ch])+float64(eps)))
			normalize(ys, xs, s, ch, ms[ch], scale, bs[ch])
		}
	})
}

// normalize writes channel ch of y = (x − m)·scale + shift.
func normalize(ys, xs []float32, s tensor.ChanShape, ch int, m, scale, shift float32) {
	for n := 0; n < s.N; n++ {
		off := (n*s.C + ch) * s.HW
		xr, yr := xs[off:off+s.HW], ys[off:off+s.HW]
		for i, v := range xr {
			yr[i] = (v-m)*scale + shift
		}
	}
}

// BatchNormBackward adds the gradients of y = x̂·gamma + beta given dy
// [N,C,HW]; mean and variance [C] are the statistics the forward pass used.
// With Σ over the channel's M values,
//
//	dgamma[c] += Σ dy·x̂,   dbeta[c] += Σ dy,
//	train:  dx += gamma·rstd/M · (M·dy − Σ dy − x̂·Σ dy·x̂)
//	        (the batch statistics depend on x, so their gradient flows back),
//	eval:   dx += gamma·rstd · dy   (the statistics are constants).
//
// This is PyTorch's batch_norm_backward_cpu; per element it evaluates dx +=
// (dy − Σdy/M − (x − mean)·k)·gamma·rstd with k = rstd²·Σ dy·(x − mean)/M.
// Any of dx, dgamma, dbeta may be nil and is then skipped; the sums are only
// computed when one of them needs them.
func (c *CPU) BatchNormBackward(dx, dgamma, dbeta, dy, x, gamma, mean, variance *tensor.Tensor, s tensor.ChanShape, eps float32, train bool) {
	if dy == nil || x == nil || gamma == nil || mean == nil || variance == nil {
		panic("kernels: BatchNormBackward needs dy, x, gamma, mean and variance")
	}
	checkBN(s, x, []*tensor.Tensor{dx, dy}, []*tensor.Tensor{dgamma, dbeta, gamma, mean, variance})
	dys, xs, gs, ms, vs := F32(dy), F32(x), F32(gamma), F32(mean), F32(variance)
	var dxs, dgs, dbs []float32
	if dx != nil {
		dxs = F32(dx)
	}
	if dgamma != nil {
		dgs = F32(dgamma)
	}
	if dbeta != nil {
		dbs = F32(dbeta)
	}
	needSums := dgamma != nil || dbeta != nil || (train && dx != nil)
	invM := 1 / float64(s.N*s.HW)
	parallelFor(c.threads(), s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m := float64(ms[ch])
			rstd := 1 / math.Sqrt(float64(vs[ch])+float64(eps))
			// sdy = Σ dy, sdyc = Σ dy·(x − mean); Σ dy·x̂ = rstd·sdyc.
			var sdy, sdyc float64
			if needSums {
				for n := 0; n < s.N; n++ {
					off := (n*s.C + ch) * s.HW
					sdy += sum64(dys[off : off+s.HW])
					sdyc += dotDev64(dys[off:off+s.HW], xs[off:off+s.HW], m)
				}
			}
			if dgs != nil {
				dgs[ch] += float32(sdyc * rstd)
			}
			if dbs != nil {
				dbs[ch] += float32(sdy)
			}
			if dxs == nil {
				continue
			}
			a := float32(float64(gs[ch]) * rstd) // gamma·rstd
			if !train {
				for n := 0; n < s.N; n++ {
					off := (n*s.C + ch) * s.HW
					dxr, dyr := dxs[off:off+s.HW], dys[off:off+s.HW]
					for i, g := range dyr {
						dxr[i] += g * a
					}
				}
				continue
			}
			mdy := float32(sdy * invM)              // mean of dy
			k := float32(sdyc * rstd * rstd * invM) // Σdy·x̂/M · rstd
			m32 := ms[ch]
			for n := 0; n < s.N; n++ {
				off := (n*s.C + ch) * s.HW
				dxr, dyr, xr := dxs[off:off+s.HW], dys[off:off+s.HW], xs[off:off+s.HW]
				for i, g := range dyr {
					dxr[i] += (g - mdy - (xr[i]-m32)*k) * a
				}
			}
		}
	})
}

// sqDev64 returns Σ (v − m)² accumulated in float64 (four interleaved
// partial sums, so the adds do not wait on each other).
func sqDev64(v []float32, m float64) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(v); i += 4 {
		d0, d1 := float64(v[i])-m, float64(v[i+1])-m
		d2, d3 := float64(v[i+2])-m, float64(v[i+3])-m
		a0 += d0 * d0
		a1 += d1 * d1
		a2 += d2 * d2
		a3 += d3 * d3
	}
	for ; i < len(v); i++ {
		d := float64(v[i]) - m
		a0 += d * d
	}
	return (a0 + a1) + (a2 + a3)
}

// dotDev64 returns Σ dy·(x − m) accumulated in float64; len(x) ≥ len(dy).
func dotDev64(dy, x []float32, m float64) float64 {
	x = x[:len(dy)]
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(dy); i += 4 {
		a0 += float64(dy[i]) * (float64(x[i]) - m)
		a1 += float64(dy[i+1]) * (float64(x[i+1]) - m)
		a2 += float64(dy[i+2]) * (float64(x[i+2]) - m)
		a3 += float64(dy[i+3]) * (float64(x[i+3]) - m)
	}
	for ; i < len(dy); i++ {
		a0 += float64(dy[i]) * (float64(x[i]) - m)
	}
	return (a0 + a1) + (a2 + a3)
}
