package batchnorm

import (
	"math"
	"sync"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// The training passes over big channels (more than bnByChannel's 256 KiB)
// in image order. A channel's rows lie C·HW floats apart, so reading one
// channel at a time jumps between rows of a few KB and restarts the
// hardware prefetchers at every row; read in image order, x is one
// sequential stream per thread. The arithmetic is the channel loops': each
// row's sums (forward, its sum and centred squares around its own mean;
// backward, Σg and Σg·(x − m)) are independent of the others, so they are
// computed image by image (any thread, any order) and kept, then combined
// per channel in row order exactly as Forward's and Backward's channel
// loops do; the affine map and the gradient are per element. The bits are
// the same.

// imageMajor is true in production (tests switch it off to compare).
var imageMajor = true

// rowStats is a pool of the per-row sums: three float64 per row forward,
// two backward.
var rowStats = sync.Pool{New: func() any { return new([]float64) }}

// scratch64 returns n float64s from rowStats (contents undefined) and the
// pointer to put back.
func scratch64(n int) ([]float64, *[]float64) {
	bp := rowStats.Get().(*[]float64)
	if cap(*bp) < n {
		*bp = make([]float64, n)
	}
	return (*bp)[:n], bp
}

// forwardByImage is Forward for !bnByChannel shapes.
func forwardByImage(c *host.Ctx, ys, ms, vs, xs, gs, bs []float32, s tensor.ChanShape, eps float32, act Act, inv float64) {
	p, rs := c.Path, act.Res
	simd := c.SIMD()
	rows := s.N * s.C
	st, bp := scratch64(3 * rows)
	defer rowStats.Put(bp)
	sums, sqs, rm := st[:rows], st[rows:2*rows], st[2*rows:]
	scale := host.Scratch.Get(s.C) // gamma·rstd per channel
	defer host.Scratch.Put(scale)
	// Pass 1: per row (n, c) its sum and its centred squares.
	host.For(c.Threads, s.N, 1, func(lo, hi int) {
		for i := lo * s.C; i < hi*s.C; i++ {
			r := xs[i*s.HW : (i+1)*s.HW]
			sums[i] = sum64v(simd, r)
			rm[i] = sums[i] / float64(s.HW)
			sqs[i] = sqDev64v(simd, r, rm[i])
		}
	})
	// The channels' statistics, each row added in order n as in Forward.
	for ch := 0; ch < s.C; ch++ {
		var sum, sq float64
		for n := 0; n < s.N; n++ {
			sum += sums[n*s.C+ch]
			sq += sqs[n*s.C+ch]
		}
		m := sum * inv
		for n := 0; n < s.N; n++ {
			d := rm[n*s.C+ch] - m
			sq += float64(s.HW) * d * d
		}
		v := sq * inv
		ms[ch], vs[ch] = float32(m), float32(v)
		scale[ch] = Scale(gs[ch], v, eps)
	}
	// Pass 2: y = act((x − mean)·(gamma·rstd) + beta), image by image.
	host.For(c.Threads, s.N, 1, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			for ch := 0; ch < s.C; ch++ {
				Affine(p, row(ys, s, n, ch), row(xs, s, n, ch), row(rs, s, n, ch), ms[ch], scale[ch], bs[ch], act.ReLU)
			}
		}
	})
}

// backwardByImage is Backward for !bnByChannel shapes: the per-row sums
// in image order, combined per channel in row order as Backward does, then
// the per-element gradient in image order.
func backwardByImage(c *host.Ctx, dxs, dgs, dbs, dys, xs, gs, ms, vs []float32, s tensor.ChanShape, eps float32, drs, gate []float32, flags int, needSums bool, invM float64) {
	simd := c.SIMD()
	rows := s.N * s.C
	st, bp := scratch64(2 * rows)
	defer rowStats.Put(bp)
	sdys, sdycs := st[:rows], st[rows:]
	coef := host.Scratch.Get(3 * s.C) // per channel gamma·rstd, the mean of g, k
	defer host.Scratch.Put(coef)
	if needSums {
		host.For(c.Threads, s.N, 1, func(lo, hi int) {
			for n := lo; n < hi; n++ {
				for ch := 0; ch < s.C; ch++ {
					sdys[n*s.C+ch], sdycs[n*s.C+ch] = sumDot64v(simd, row(dys, s, n, ch), row(xs, s, n, ch), row(gate, s, n, ch), float64(ms[ch]))
				}
			}
		})
	}
	for ch := 0; ch < s.C; ch++ {
		rstd := 1 / math.Sqrt(float64(vs[ch])+float64(eps))
		var sdy, sdyc float64
		if needSums {
			for n := 0; n < s.N; n++ {
				sdy += sdys[n*s.C+ch]
				sdyc += sdycs[n*s.C+ch]
			}
		}
		if dgs != nil {
			dgs[ch] += float32(sdyc * rstd)
		}
		if dbs != nil {
			dbs[ch] += float32(sdy)
		}
		// gamma·rstd, the mean of g and Σg·x̂/M · rstd, as Backward's float32s.
		coef[3*ch] = float32(float64(gs[ch]) * rstd)
		coef[3*ch+1] = float32(sdy * invM)
		coef[3*ch+2] = float32(sdyc * rstd * rstd * invM)
	}
	if dxs == nil && drs == nil {
		return
	}
	host.For(c.Threads, s.N, 1, func(lo, hi int) {
		for n := lo; n < hi; n++ {
			for ch := 0; ch < s.C; ch++ {
				a, mdy, k := coef[3*ch], coef[3*ch+1], coef[3*ch+2]
				bnGradv(c.Path, row(dxs, s, n, ch), row(dys, s, n, ch), row(xs, s, n, ch), row(gate, s, n, ch), row(drs, s, n, ch), mdy, ms[ch], k, a, flags)
			}
		}
	})
}
