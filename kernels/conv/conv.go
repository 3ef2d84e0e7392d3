package conv

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Convolution as GEMM (im2col). For one image n, unroll x[n] [C,H,W] into
//
//	col [C·R·S, OH·OW],  col[(c·R+r)·S+q, oh·OW+ow] = x[n, c, oh·st−pad+r, ow·st−pad+q]
//
// (0 outside the image). With the weights viewed as W [K, C·R·S]:
//
//	forward        y[n] [K, OH·OW]    = W · col
//	backward data  dcol [C·R·S, OH·OW] = Wᵀ · dy[n],   dx[n] += col2im(dcol)
//	backward filter dW [K, C·R·S]     += dy[n] · colᵀ
//
// Work is split over the batch. Images go in groups of nb side by side in one
// wider col [C·R·S, nb·OH·OW], so the deep layers with a tiny output plane
// (4×4, 8×8) still run GEMMs with at least minGemmCols columns instead of
// re-reading all of W for 16 output pixels. Groups are spread over the threads
// with parallelFor; each goroutine takes its col buffer from the scratch pool
// once per call. A 1×1, stride-1, unpadded conv with nb = 1 skips im2col: x[n]
// viewed as [C, H·W] already is col.
//
// Strided convs skip it on the SIMD backend for the forward and filter
// passes (strided.go: phase planes). Stride-1 convs (the 3×3 pad-1
// layers, most of the FLOPs) skip it too: winograd.go from 32
// channels, else padded.go on the padded-width grid, where
// every col row is a window of a zero-bordered copy of the images that the
// GEMM packs directly (useConvPadded decides per shape and pass). What
// follows is the im2col path for the rest: strided convs, the NoSIMD
// reference backend, and the shapes where the grid's garbage columns cost
// more than im2col.

// minGemmCols is the fewest GEMM columns (images × output pixels) a group
// aims for: a 256-wide panel keeps gonum's 64-wide blocks busy and amortises
// one read of W over 256 pixels, while a 512-channel 3×3 col panel stays
// under 5 MB per thread.
const minGemmCols = 256

// convPlan is how one call splits the batch: groups of nb images (the last
// one may be shorter), ng groups in all.
type convPlan struct{ nb, ng int }

func (c *Engine) convPlan(s tensor.ConvShape) convPlan {
	nb := ceilDiv(minGemmCols, s.OH*s.OW)
	// Leave at least one group per thread when the batch is small.
	nb = max(1, min(nb, ceilDiv(s.N, c.Threads)))
	return convPlan{nb: nb, ng: ceilDiv(s.N, nb)}
}

// images returns the first image of group g and the group's size.
func (p convPlan) images(g, n int) (n0, cnt int) {
	n0 = g * p.nb
	return n0, min(p.nb, n-n0)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pointwise reports a 1×1, stride-1, unpadded conv, whose col is x itself.
func pointwise(s tensor.ConvShape) bool {
	return s.R == 1 && s.S == 1 && s.Stride == 1 && s.Pad == 0
}

// Forward: y [N,K,OH,OW] = x [N,C,H,W] ⋆ w [K,C,R,S] (cross-
// correlation with zero padding, PyTorch's conv2d without bias); y is written.
func (c *Engine) Forward(ys, xs, ws []float32, s tensor.ConvShape) {
	if s.N == 0 {
		return
	}
	crs, ohw, hw := s.C*s.R*s.S, s.OH*s.OW, s.H*s.W
	if c.useWinograd(s) {
		c.conv2DForwardWinograd(ys, xs, ws, s)
		return
	}
	if c.useConvLanes(s) {
		c.conv2DForwardLanes(ys, xs, ws, s, nil)
		return
	}
	p := c.convPlan(s)
	if c.useConvPadded(s, false) {
		c.conv2DForwardPadded(ys, xs, ws, s, p, nil)
		return
	}
	if c.useConvPhase(s) {
		c.conv2DForwardPhase(ys, xs, ws, s, p)
		return
	}
	host.For(c.Threads, p.ng, 1, func(lo, hi int) {
		var col, out []float32 // per-goroutine scratch
		if p.nb > 1 || !pointwise(s) {
			col = host.Scratch.Get(crs * p.nb * ohw)
			defer host.Scratch.Put(col)
		}
		if p.nb > 1 {
			out = host.Scratch.Get(s.K * p.nb * ohw)
			defer host.Scratch.Put(out)
		}
		for g := lo; g < hi; g++ {
			n0, cnt := p.images(g, s.N)
			if cnt == 1 {
				// y[n] [K, OH·OW] = W · col, straight into y.
				xn, yn := xs[n0*s.C*hw:(n0+1)*s.C*hw], ys[n0*s.K*ohw:(n0+1)*s.K*ohw]
				b := xn
				if !pointwise(s) {
					im2col(col, ohw, xn, s)
					b = col
				}
				c.GemmInner(false, false, s.K, ohw, crs, 1, ws, crs, b, ohw, 0, yn, ohw)
				continue
			}
			// out [K, cnt·OH·OW] = W · [col(x[n0]) … col(x[n0+cnt−1])],
			// then column block j of out is y[n0+j].
			ld := cnt * ohw
			for j := 0; j < cnt; j++ {
				im2col(col[j*ohw:], ld, xs[(n0+j)*s.C*hw:], s)
			}
			c.GemmInner(false, false, s.K, ld, crs, 1, ws, crs, col, ld, 0, out, ld)
			for j := 0; j < cnt; j++ {
				yn := ys[(n0+j)*s.K*ohw:]
				for k := 0; k < s.K; k++ {
					copy(yn[k*ohw:(k+1)*ohw], out[k*ld+j*ohw:])
				}
			}
		}
	})
}

// BackwardData: dx [N,C,H,W] += dy [N,K,OH,OW] ⋆ᵀ w [K,C,R,S], the
// gradient of Forward with respect to x:
//
//	dx[n,c,ih,iw] += Σ_{k,r,q} dy[n,k,oh,ow]·w[k,c,r,q]  over ih = oh·st−pad+r, iw = ow·st−pad+q.
//
// With acc false dx is written instead (its old contents may be garbage),
// with the bits of += into zeros: every path either adds its sum to +0 as
// it stores (an epilogue with a zero shift; −0 + 0 is +0, as in the
// zeroed buffer), or clears the image's dx while it is in cache and then
// accumulates as before (im2col).
//
// Each group writes only its own images of dx, so the result does not depend
// on the thread count.
func (c *Engine) BackwardData(dxs, dys, ws []float32, s tensor.ConvShape, acc bool) {
	if s.N == 0 {
		return
	}
	crs, ohw, hw := s.C*s.R*s.S, s.OH*s.OW, s.H*s.W
	if c.useWinograd(s) {
		c.conv2DBackwardDataWinograd(dxs, dys, ws, s, acc)
		return
	}
	if c.useConvLanes(s) {
		c.conv2DBackwardDataLanes(dxs, dys, ws, s, acc)
		return
	}
	p := c.convPlan(s)
	if c.useConvPadded(s, true) {
		c.conv2DBackwardDataPadded(dxs, dys, ws, s, p, acc)
		return
	}
	host.For(c.Threads, p.ng, 1, func(lo, hi int) {
		var dcol, dyg []float32 // per-goroutine scratch
		if p.nb > 1 || !pointwise(s) {
			dcol = host.Scratch.Get(crs * p.nb * ohw)
			defer host.Scratch.Put(dcol)
		}
		if p.nb > 1 {
			dyg = host.Scratch.Get(s.K * p.nb * ohw)
			defer host.Scratch.Put(dyg)
		}
		for g := lo; g < hi; g++ {
			n0, cnt := p.images(g, s.N)
			if cnt == 1 {
				dxn, dyn := dxs[n0*s.C*hw:(n0+1)*s.C*hw], dys[n0*s.K*ohw:(n0+1)*s.K*ohw]
				if !acc {
					clear(dxn) // in cache for the accumulation that follows
				}
				if pointwise(s) {
					// dx[n] [C, H·W] += Wᵀ · dy[n]: the GEMM accumulates.
					c.GemmInner(true, false, s.C, ohw, s.K, 1, ws, crs, dyn, ohw, 1, dxn, ohw)
					continue
				}
				c.GemmInner(true, false, crs, ohw, s.K, 1, ws, crs, dyn, ohw, 0, dcol, ohw)
				col2im(dxn, dcol, ohw, s)
				continue
			}
			// dyg [K, cnt·OH·OW] holds dy[n0+j] in column block j.
			ld := cnt * ohw
			for j := 0; j < cnt; j++ {
				dyn := dys[(n0+j)*s.K*ohw:]
				for k := 0; k < s.K; k++ {
					copy(dyg[k*ld+j*ohw:k*ld+(j+1)*ohw], dyn[k*ohw:])
				}
			}
			c.GemmInner(true, false, crs, ld, s.K, 1, ws, crs, dyg, ld, 0, dcol, ld)
			for j := 0; j < cnt; j++ {
				dxn := dxs[(n0+j)*s.C*hw : (n0+j+1)*s.C*hw]
				if !acc {
					clear(dxn)
				}
				col2im(dxn, dcol[j*ohw:], ld, s)
			}
		}
	})
}

// BackwardFilter: dw [K,C,R,S] += Σ_n dy[n] ⋆ x[n], the gradient of
// Forward with respect to w:
//
//	dw[k,c,r,q] += Σ_{n,oh,ow} dy[n,k,oh,ow]·x[n, c, oh·st−pad+r, ow·st−pad+q].
//
// The groups are cut into one fixed chunk per thread (chunks). Chunk 0
// accumulates straight into dw; chunk t > 0 into its own partial sum P_t,
// and then dw += P_1, dw += P_2, … in chunk order, so a given thread count
// always gives the same bits.
func (c *Engine) BackwardFilter(dws, dys, xs []float32, s tensor.ConvShape) {
	if s.N == 0 {
		return
	}
	crs, ohw, hw := s.C*s.R*s.S, s.OH*s.OW, s.H*s.W
	if c.useWinogradFilter(s) {
		c.conv2DBackwardFilterWinograd(dws, dys, xs, s)
		return
	}
	if c.useConvLanesFilter(s) {
		c.conv2DBackwardFilterLanes(dws, dys, xs, s)
		return
	}
	p := c.convPlan(s)
	if c.useConvPadded(s, false) {
		c.conv2DBackwardFilterPadded(dws, dys, xs, s, p)
		return
	}
	if c.useConvPhase(s) {
		c.conv2DBackwardFilterPhase(dws, dys, xs, s, p)
		return
	}
	cb := host.Chunks(c.Threads, p.ng, 1)
	nch := len(cb) - 1
	partial := make([][]float32, nch) // partial[0] is dw itself
	partial[0] = dws
	for t := 1; t < nch; t++ {
		partial[t] = host.Scratch.Get(s.K * crs)
	}
	host.For(nch, nch, 1, func(tlo, thi int) {
		for t := tlo; t < thi; t++ {
			beta := float32(1) // chunk 0 adds into dw
			if t > 0 {
				beta = 0 // a partial starts from its first group's product
			}
			var col, dyg []float32 // per-goroutine scratch
			if p.nb > 1 || !pointwise(s) {
				col = host.Scratch.Get(crs * p.nb * ohw)
			}
			if p.nb > 1 {
				dyg = host.Scratch.Get(s.K * p.nb * ohw)
			}
			for g := cb[t]; g < cb[t+1]; g++ {
				n0, cnt := p.images(g, s.N)
				ld := cnt * ohw
				a, b := dyg, col // A = dy of the group [K, ld], B = its col [C·R·S, ld]
				if cnt == 1 {
					a = dys[n0*s.K*ohw : (n0+1)*s.K*ohw]
				} else {
					for j := 0; j < cnt; j++ {
						dyn := dys[(n0+j)*s.K*ohw:]
						for k := 0; k < s.K; k++ {
							copy(dyg[k*ld+j*ohw:k*ld+(j+1)*ohw], dyn[k*ohw:])
						}
					}
				}
				if cnt == 1 && pointwise(s) {
					b = xs[n0*s.C*hw : (n0+1)*s.C*hw]
				} else {
					for j := 0; j < cnt; j++ {
						im2col(col[j*ohw:], ld, xs[(n0+j)*s.C*hw:], s)
					}
				}
				// P_t [K, C·R·S] (+)= A · Bᵀ, a reduction over the group's pixels.
				c.GemmInner(false, true, s.K, crs, ld, 1, a, ld, b, ld, beta, partial[t], crs)
				beta = 1
			}
			host.Scratch.Put(col)
			host.Scratch.Put(dyg)
		}
	})
	if nch == 1 {
		return
	}
	// dw += P_1 + … in chunk order; elements are independent, so this sum
	// may itself be split over threads without changing any bit.
	host.For(c.Threads, len(dws), 1<<14, func(lo, hi int) {
		for t := 1; t < nch; t++ {
			pt := partial[t][lo:hi]
			d := dws[lo:hi]
			for i := range d {
				d[i] += pt[i]
			}
		}
	})
	for t := 1; t < nch; t++ {
		host.Scratch.Put(partial[t])
	}
}

// owRange returns the output columns [lo, hi) whose input column
// iw = ow·st−pad+q falls inside [0, W); the others read zero padding.
func owRange(q int, s tensor.ConvShape) (lo, hi int) {
	if a := s.Pad - q; a > 0 {
		lo = ceilDiv(a, s.Stride)
	}
	if a := s.W - 1 + s.Pad - q; a >= 0 {
		hi = min(s.OW, a/s.Stride+1)
	}
	return min(lo, hi), hi
}

// im2col writes the unrolled image x [C,H,W] into col, an [C·R·S, OH·OW]
// matrix with row stride ld (ld > OH·OW when several images share col):
//
//	col[((c·R+r)·S+q)·ld + oh·OW+ow] = x[c, oh·st−pad+r, ow·st−pad+q], 0 outside the image.
//
// Every element of the OH·OW-wide block is written (=).
func im2col(col []float32, ld int, x []float32, s tensor.ConvShape) {
	hw := s.H * s.W
	for c := 0; c < s.C; c++ {
		xc := x[c*hw : (c+1)*hw]
		if skipsLines(s) && c+1 < s.C {
			prefetchRows(x[(c+1)*hw:(c+2)*hw], s)
		}
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				row := col[((c*s.R+r)*s.S+q)*ld:]
				lo, hi := owRange(q, s)
				iw0 := lo*s.Stride - s.Pad + q // input column of output column lo
				for oh := 0; oh < s.OH; oh++ {
					dst := row[oh*s.OW : (oh+1)*s.OW]
					ih := oh*s.Stride - s.Pad + r
					if ih < 0 || ih >= s.H || lo >= hi {
						clear(dst) // a padding row, or no column inside
						continue
					}
					clear(dst[:lo])
					clear(dst[hi:])
					src := xc[ih*s.W:]
					if s.Stride == 1 {
						copy(dst[lo:hi], src[iw0:])
						continue
					}
					if s.Stride == 2 {
						// The stride-2 entries and shortcuts: one bounds
						// check per row, then a plain gather.
						d := dst[lo:hi]
						sr := src[iw0 : iw0+2*len(d)-1]
						for i := range d {
							d[i] = sr[2*i]
						}
						continue
					}
					for ow, iw := lo, iw0; ow < hi; ow, iw = ow+1, iw+s.Stride {
						dst[ow] = src[iw]
					}
				}
			}
		}
	}
}

// skipsLines reports whether im2col and col2im of shape s read or write
// rows of an input plane and skip whole cache lines between them: a kernel
// shorter than the stride (the 1×1 stride-2 shortcuts) on planes at least
// 16 floats (one 64-byte line) wide. The hardware prefetcher does not follow
// that pattern (on the 2-core EPYC, 2 of every 4 lines cost 16 ns a line,
// every line in turn 2.7 ns), so those loops prefetch the next plane's rows
// (BenchmarkConv2D, batch 256, avx512 path, medians of three alternating
// runs, GFLOP/s before → after: w64 1×1 64→128 at 32×32 forward / data /
// filter 79 → 118 / 80 → 90 / 74 → 136, 128→256 at 16×16 95 → 144 /
// 89 → 152 / 91 → 157). On narrower planes the skipped stretches are parts of
// lines, every line is touched anyway, and the prefetches only cost time.
func skipsLines(s tensor.ConvShape) bool {
	return s.R < s.Stride && s.W >= 16
}

// prefetchRows prefetches the rows oh·Stride−Pad+r (r < R) of the input
// plane xc [H,W] that a conv of shape s reads.
func prefetchRows(xc []float32, s tensor.ConvShape) {
	for oh := 0; oh < s.OH; oh++ {
		for r := 0; r < s.R; r++ {
			if ih := oh*s.Stride - s.Pad + r; ih >= 0 && ih < s.H {
				prefetch(&xc[ih*s.W], s.W)
			}
		}
	}
}

// col2im is im2col's adjoint: it adds every element of col [C·R·S, OH·OW]
// (row stride ld) back into the input position it was read from,
//
//	dx[c, oh·st−pad+r, ow·st−pad+q] += col[((c·R+r)·S+q)·ld + oh·OW+ow],
//
// skipping the padding. dx is one image [C,H,W].
func col2im(dx, col []float32, ld int, s tensor.ConvShape) {
	hw := s.H * s.W
	for c := 0; c < s.C; c++ {
		dxc := dx[c*hw : (c+1)*hw]
		if skipsLines(s) && c+1 < s.C {
			prefetchRows(dx[(c+1)*hw:(c+2)*hw], s)
		}
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				row := col[((c*s.R+r)*s.S+q)*ld:]
				lo, hi := owRange(q, s)
				iw0 := lo*s.Stride - s.Pad + q
				for oh := 0; oh < s.OH; oh++ {
					ih := oh*s.Stride - s.Pad + r
					if ih < 0 || ih >= s.H || lo >= hi {
						continue
					}
					src := row[oh*s.OW+lo : oh*s.OW+hi]
					dst := dxc[ih*s.W:]
					if s.Stride == 1 {
						dst = dst[iw0 : iw0+len(src)]
						for i, v := range src {
							dst[i] += v
						}
						continue
					}
					if s.Stride == 2 {
						d := dst[iw0 : iw0+2*len(src)-1]
						for i, v := range src {
							d[2*i] += v
						}
						continue
					}
					for i, iw := 0, iw0; i < len(src); i, iw = i+1, iw+s.Stride {
						dst[iw] += src[i]
					}
				}
			}
		}
	}
}
