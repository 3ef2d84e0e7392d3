package batchnorm

import (
	"math"

	"twostage/kernels/internal/host"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// Batch normalisation over x viewed as [N, C, HW] (ChanShape), one set of
// statistics per channel c, reduced over the M = N·HW values of that channel:
//
//	mean[c] = 1/M Σ x,   var[c] = 1/M Σ (x − mean)²  (biased),
//	rstd    = 1/√(var + eps),   x̂ = (x − mean)·rstd,   y = x̂·gamma[c] + beta[c].
//
// Accuracy: the statistics are accumulated in float64 around the mean, as
// PyTorch's CPU kernel does (batch_norm_cpu_collect_stats uses a double
// accumulator for float and sums (x − mean)² after the mean), so there is
// no cancellation even when |mean| ≫ std, unlike E[x²] − mean². The
// training forward takes the centred squares of each row (one image's
// plane of a channel) around the row's mean while the row is in L1, and
// combines the rows exactly (Chan, Golub & LeVeque 1979): two-pass
// accuracy from one pass over memory. Per-element arithmetic is float32.
//
// Threads split the channels; every channel is reduced by one goroutine in a
// fixed order, so the bits do not depend on the thread count. Channels too
// big for the cache (byimage.go) are read in image order instead, with the
// threads splitting the images, and give the same bits.

// Act is tensor.BNAct on the tensors' slices, the fused tail of a batch
// norm: forward, Res (nil for none) is added before the ReLU; backward, Y
// (the forward's output) gates the gradient under ReLU, DRes (nil for
// none) gets += the gradient, and SetDX and SetDRes write dx and DRes (=)
// instead of adding.
type Act struct {
	Res, Y, DRes   []float32
	ReLU           bool
	SetDX, SetDRes bool
}

// row returns the slice of channel ch of image n, or nil for a nil t.
// bnByChannel reports whether the batch-norm passes run over a channel's N
// rows in one assembly call each (the *Rows loops, on each row's whole
// vectors; Go loops take the HW%8 tails) rather than a call per row: with
// SIMD, rows of at least a vector, and a channel small enough (at most 256
// KiB) to stay in cache between its passes, where the per-row calls cost
// more than the arithmetic (4×4 planes: 3 ns an element against 0.6 at
// 28×28).
func bnByChannel(simd bool, s tensor.ChanShape) bool {
	return simd && s.HW >= 8 && s.N > 0 && s.N*s.HW <= 1<<16
}

// bnChannelForward is BatchNormForward's work on channel ch by channel:
// exact two-pass statistics (the channel is in cache) and the affine map
// (affineChannel); it returns the mean and the biased variance.
func bnChannelForward(p sgemm.Path, ys, xs, rs []float32, s tensor.ChanShape, ch int, inv float64, gamma, beta, eps float32, relu bool) (m, v float64) {
	base, st, h := ch*s.HW, s.C*s.HW, s.HW&^7
	_ = xs[base+(s.N-1)*st+s.HW-1]
	_ = ys[base+(s.N-1)*st+s.HW-1]
	sum := sum64Rows(&xs[base], h, s.N, st)
	for n := 0; n < s.N; n++ {
		for _, x := range xs[base+n*st+h : base+n*st+s.HW] {
			sum += float64(x)
		}
	}
	m = sum * inv
	sq := sqDev64Rows(&xs[base], h, s.N, st, m)
	for n := 0; n < s.N; n++ {
		for _, x := range xs[base+n*st+h : base+n*st+s.HW] {
			sq += (float64(x) - m) * (float64(x) - m)
		}
	}
	v = sq * inv
	scale := Scale(gamma, v, eps)
	affineChannel(p, ys[base:], xs[base:], host.From(rs, base), s.HW, s.N, st, float32(m), scale, beta, relu)
	return m, v
}

// bnChannelSums is sumDot64 over channel ch's rows (gate as there).
func bnChannelSums(dys, xs, gate []float32, s tensor.ChanShape, ch int, m float64) (sdy, sdyc float64) {
	base, st, h := ch*s.HW, s.C*s.HW, s.HW&^7
	_ = dys[base+(s.N-1)*st+s.HW-1]
	_ = xs[base+(s.N-1)*st+s.HW-1]
	sdy, sdyc = sumDot64Rows(&dys[base], &xs[base], host.At(gate, base), h, s.N, st, m)
	for n := 0; n < s.N; n++ {
		lo, hi := base+n*st+h, base+n*st+s.HW
		a, b := sumDot64(dys[lo:hi], xs[lo:hi], sub(gate, lo, hi), m)
		sdy += a
		sdyc += b
	}
	return sdy, sdyc
}

// bnChannelGrad is bnGrad over channel ch's rows (dx not nil) on path p
// (avx2 or avx512): on avx512 in one call (bnGradRowsAVX512), else
// bnGradRows over the rows' HW&^7 heads and the Go twin over their tails.
func bnChannelGrad(p sgemm.Path, dxs, dys, xs, gate, drs []float32, s tensor.ChanShape, ch int, mdy, m, k, a float32, flags int) {
	base, st, h := ch*s.HW, s.C*s.HW, s.HW&^7
	last := base + (s.N-1)*st + s.HW - 1
	_, _, _ = dxs[last], dys[last], xs[last]
	if p == sgemm.AVX512 && useAVX512 {
		if gate != nil {
			_ = gate[last]
		}
		if drs != nil {
			_ = drs[last]
		}
		bnGradRowsAVX512(&dxs[base], &dys[base], &xs[base], host.At(gate, base), host.At(drs, base), s.HW, s.N, st, mdy, m, k, a, flags)
		return
	}
	bnGradRows(&dxs[base], &dys[base], &xs[base], host.At(gate, base), host.At(drs, base), h, s.N, st, mdy, m, k, a, flags)
	if h < s.HW {
		for n := 0; n < s.N; n++ {
			lo, hi := base+n*st+h, base+n*st+s.HW
			bnGrad(dxs[lo:hi], dys[lo:hi], xs[lo:hi], sub(gate, lo, hi), sub(drs, lo, hi), mdy, m, k, a, flags)
		}
	}
}

func row(t []float32, s tensor.ChanShape, n, ch int) []float32 {
	if t == nil {
		return nil
	}
	off := (n*s.C + ch) * s.HW
	return t[off : off+s.HW]
}

// Scale is gamma·rstd = gamma/√(variance+eps), the per-channel factor of
// the normalisation, in float64 and rounded once.
func Scale(gamma float32, variance float64, eps float32) float32 {
	return float32(float64(gamma) / math.Sqrt(variance+float64(eps)))
}

// Forward (training, kernels.CPU.BatchNormForward's work on its tensors' slices): for x [N,C,HW], writes mean [C] and
// variance [C] (biased) of each channel and y [N,C,HW] = act((x −
// mean)·rstd·gamma + beta), act fusing a residual add and a ReLU
// (tensor.BNAct). gamma and beta are [C]; none of them may be nil.
func Forward(c *host.Ctx, ys, ms, vs, xs, gs, bs []float32, s tensor.ChanShape, eps float32, act Act) {
	rs, p := act.Res, c.Path
	simd := p >= sgemm.AVX2
	inv := 1 / float64(s.N*s.HW)
	if !bnByChannel(simd, s) && imageMajor {
		forwardByImage(c, ys, ms, vs, xs, gs, bs, s, eps, act, inv)
		return
	}
	host.For(c.Threads, s.C, 1, func(lo, hi int) {
		var buf [512]float64 // each row's mean, on the stack for N ≤ 512
		rm := buf[:0]
		if s.N > len(buf) {
			rm = make([]float64, 0, s.N)
		}
		rm = rm[:s.N]
		for ch := lo; ch < hi; ch++ {
			if bnByChannel(simd, s) {
				m, v := bnChannelForward(p, ys, xs, rs, s, ch, inv, gs[ch], bs[ch], eps, act.ReLU)
				ms[ch], vs[ch] = float32(m), float32(v)
				continue
			}
			// Pass 1, one read of x from memory: per row (one image's
			// plane, in L1 after its sum) the sum and the centred squares
			// around the row's own mean.
			var sum, sq float64
			for n := 0; n < s.N; n++ {
				r := row(xs, s, n, ch)
				rs := sum64v(simd, r)
				rm[n] = rs / float64(s.HW)
				sum += rs
				sq += sqDev64v(simd, r, rm[n])
			}
			// Chan et al.'s combination: Σ(x − m)² = Σ_rows [Σ(x − m_n)²
			// + HW·(m_n − m)²], two-pass accuracy without a second pass.
			m := sum * inv
			for _, mn := range rm {
				sq += float64(s.HW) * (mn - m) * (mn - m)
			}
			v := sq * inv
			ms[ch], vs[ch] = float32(m), float32(v)
			// Pass 3: y = act((x − mean)·(gamma·rstd) + beta).
			scale := Scale(gs[ch], v, eps)
			for n := 0; n < s.N; n++ {
				Affine(p, row(ys, s, n, ch), row(xs, s, n, ch), row(rs, s, n, ch), float32(m), scale, bs[ch], act.ReLU)
			}
		}
	})
}

// Inference (kernels.CPU.BatchNormInference): y [N,C,HW] = act((x − mean)·rstd·gamma + beta) with
// the given (running) statistics mean and variance [C], rstd =
// 1/√(variance+eps).
func Inference(c *host.Ctx, ys, xs, gs, bs, ms, vs []float32, s tensor.ChanShape, eps float32, act Act) {
	rs, p := act.Res, c.Path
	host.For(c.Threads, s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			scale := Scale(gs[ch], float64(vs[ch]), eps)
			for n := 0; n < s.N; n++ {
				Affine(p, row(ys, s, n, ch), row(xs, s, n, ch), row(rs, s, n, ch), ms[ch], scale, bs[ch], act.ReLU)
			}
		}
	})
}

// Backward (kernels.CPU.BatchNormBackward) adds the gradients of y = act(x̂·gamma + beta) given dy
// [N,C,HW]; mean and variance [C] are the statistics the forward pass used.
// The gradient reaching the normalisation is g = dy, or under act.ReLU
// g = act.Y > 0 ? dy : 0 (act.Y the forward's output); act.DRes, the
// residual's gradient, gets += g. With Σ over the channel's M values,
//
//	dgamma[c] += Σ g·x̂,   dbeta[c] += Σ g,
//	train:  dx += gamma·rstd/M · (M·g − Σ g − x̂·Σ g·x̂)
//	        (the batch statistics depend on x, so their gradient flows back),
//	eval:   dx += gamma·rstd · g   (the statistics are constants).
//
// This is PyTorch's batch_norm_backward_cpu; per element it evaluates dx +=
// (g − Σg/M − (x − mean)·k)·gamma·rstd with k = rstd²·Σ g·(x − mean)/M.
// act.SetDX and act.SetDRes write dx and act.DRes (=) instead: the same
// arithmetic from +0, so the bits equal += into zeroed buffers.
// Any of dx, dgamma, dbeta may be nil and is then skipped; the sums are only
// computed when one of them needs them. Each channel makes at most two
// passes: the sums, then dx and DRes.
func Backward(c *host.Ctx, dxs, dgs, dbs, dys, xs, gs, ms, vs []float32, s tensor.ChanShape, eps float32, train bool, act Act) {
	drs := act.DRes
	var gate []float32
	if act.ReLU {
		gate = act.Y
	}
	simd := c.SIMD()
	flags := 0
	if train {
		flags |= bnCentre
	}
	if act.SetDX {
		flags |= bnSetDX
	}
	if act.SetDRes {
		flags |= bnSetDR
	}
	needSums := dgs != nil || dbs != nil || (train && dxs != nil)
	invM := 1 / float64(s.N*s.HW)
	if !bnByChannel(simd, s) && imageMajor {
		backwardByImage(c, dxs, dgs, dbs, dys, xs, gs, ms, vs, s, eps, drs, gate, flags, needSums, invM)
		return
	}
	host.For(c.Threads, s.C, 1, func(lo, hi int) {
		for ch := lo; ch < hi; ch++ {
			m := float64(ms[ch])
			rstd := 1 / math.Sqrt(float64(vs[ch])+float64(eps))
			// sdy = Σ g, sdyc = Σ g·(x − mean); Σ g·x̂ = rstd·sdyc.
			var sdy, sdyc float64
			byCh := bnByChannel(simd, s)
			if needSums && byCh {
				sdy, sdyc = bnChannelSums(dys, xs, gate, s, ch, m)
			} else if needSums {
				for n := 0; n < s.N; n++ {
					a, b := sumDot64v(simd, row(dys, s, n, ch), row(xs, s, n, ch), row(gate, s, n, ch), m)
					sdy += a
					sdyc += b
				}
			}
			if dgs != nil {
				dgs[ch] += float32(sdyc * rstd)
			}
			if dbs != nil {
				dbs[ch] += float32(sdy)
			}
			if dxs == nil && drs == nil {
				continue
			}
			a := float32(float64(gs[ch]) * rstd)    // gamma·rstd
			mdy := float32(sdy * invM)              // mean of g
			k := float32(sdyc * rstd * rstd * invM) // Σg·x̂/M · rstd
			if byCh && dxs != nil {
				bnChannelGrad(c.Path, dxs, dys, xs, gate, drs, s, ch, mdy, ms[ch], k, a, flags)
				continue
			}
			for n := 0; n < s.N; n++ {
				bnGradv(c.Path, row(dxs, s, n, ch), row(dys, s, n, ch), row(xs, s, n, ch), row(gate, s, n, ch), row(drs, s, n, ch), mdy, ms[ch], k, a, flags)
			}
		}
	})
}
