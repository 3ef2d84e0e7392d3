package conv

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Strided convolutions (the stride-2 entries of ResNet stages and their 1×1
// shortcuts) as implicit GEMMs on phase planes, the strided counterpart of
// padded.go. Split the zero-bordered images into st×st phases,
//
//	xq [C, st, st, Hq, Wq, cnt],  xq[c, a, b, i, j, t] = x[n0+t, c, st·i + a − pad, st·j + b − pad]
//
// (0 outside the image), Hq = OH + ⌊(R−1)/st⌋, Wq = OW + ⌊(S−1)/st⌋. Tap
// (r, q) of channel c reads, for output (oh, ow), xq[c, r%st, q%st,
// oh + ⌊r/st⌋, ow + ⌊q/st⌋]: on the grid [OH, Wq] of output rows that is
// one contiguous window of phase plane (c, r%st, q%st) starting at
// (⌊r/st⌋·Wq + ⌊q/st⌋)·cnt, of length L = OH·Wq·cnt. So the im2col row
// (c, r, q) is a window again, SgemmRows packs straight from xq, and each
// image is copied once instead of R·S/st² times in a strided gather. The
// grid's last Wq − OW columns of each row are garbage (one for a 3×3
// stride-2 kernel, none for 1×1).
//
//	forward          grid [K, L] = W [K, C·R·S] · col,       y = the grid's valid columns
//	backward filter  dW [K, C·R·S] += dy' [K, L] · colᵀ,     dy' = dy spread on the grid, garbage 0
//
// Backward data stays on im2col/col2im. The reduction order of every output
// element is fixed by the shapes and the chunking, as on the padded path.

// phaseGeom is the phase layout of one strided pass. Only the phases some
// tap reads are stored: pa = min(st, R) row phases and pb = min(st, S)
// column phases per channel (a 1×1 kernel reads phase (0, 0) alone), plane
// (c, a, b) at index (c·pa + a)·pb + b.
type phaseGeom struct {
	c, h, w, pad, st, r, s int
	pa, pb                 int     // phases stored
	hq, wq                 int     // phase planes
	grid                   padGeom // the output grid, for unpack and spread
}

func newPhaseGeom(s tensor.ConvShape) phaseGeom {
	g := phaseGeom{c: s.C, h: s.H, w: s.W, pad: s.Pad, st: s.Stride, r: s.R, s: s.S}
	g.pa, g.pb = min(s.Stride, s.R), min(s.Stride, s.S)
	g.hq, g.wq = s.OH+(s.R-1)/s.Stride, s.OW+(s.S-1)/s.Stride
	// unpack and spread only read ho, wo and wp.
	g.grid = padGeom{ho: s.OH, wo: s.OW, wp: g.wq}
	return g
}

// xqLen is the length of xq for cnt images, plus ⌊(S−1)/st⌋ slack columns
// per image that the last window runs into at its garbage end.
func (g phaseGeom) xqLen(cnt int) int {
	return (g.c*g.pa*g.pb*g.hq*g.wq + (g.s-1)/g.st) * cnt
}

// useConvPhase reports whether a strided conv takes the phase path: the
// SIMD backend (NoSIMD keeps im2col as the reference), a stride of 2 or
// more and a kernel wider than 1×1. A 1×1 strided conv's im2col is a plain
// subsampling copy with nothing to save, and measured faster (the
// shortcuts of BenchmarkConv2DPath, batch 256, 2-core Zen 3: im2col 40-86
// GFLOP/s forward against 31-68 on phase planes at width 64), while the
// 3×3 stride-2 entries gain (forward 73/72, 89/85, 95/82 at width 64 and
// 37/29, 56/37, 59/48 at width 16; filter 83/74, 103/92, 80/92 and 35/32,
// 56/45, 56/50).
func (c *Engine) useConvPhase(s tensor.ConvShape) bool {
	return c.SIMD() && s.Stride >= 2 && s.R*s.S > 1 && convPhaseOn
}

// convPhaseOn turns the phase path off in tests, to compare it with im2col.
var convPhaseOn = true

// offsets writes the window starts of the C·R·S taps for cnt images, in
// (c, r, q) order, or in (r, q, c) order when rqc is set (see the padded
// filter pass):
//
//	off[tap] = (((c·pa + r%st)·pb + q%st)·Hq + ⌊r/st⌋)·Wq + ⌊q/st⌋)·cnt
func (g phaseGeom) offsets(off []int, cnt int, rqc bool) {
	for c := 0; c < g.c; c++ {
		for r := 0; r < g.r; r++ {
			for q := 0; q < g.s; q++ {
				plane := (c*g.pa+r%g.st)*g.pb + q%g.st
				o := ((plane*g.hq+r/g.st)*g.wq + q/g.st) * cnt
				if rqc {
					off[(r*g.s+q)*g.c+c] = o
				} else {
					off[(c*g.r+r)*g.s+q] = o
				}
			}
		}
	}
}

// pack writes all of xq (zeros included) for cnt images stride apart:
// per stored row, zeros left of the image, the strided gather, zeros
// right of it.
func (g phaseGeom) pack(xq, src []float32, stride, cnt int) {
	for c := 0; c < g.c; c++ {
		for a := 0; a < g.pa; a++ {
			for i := 0; i < g.hq; i++ {
				ih := g.st*i + a - g.pad
				for b := 0; b < g.pb; b++ {
					dst := xq[(((c*g.pa+a)*g.pb+b)*g.hq+i)*g.wq*cnt:][:g.wq*cnt]
					if ih < 0 || ih >= g.h {
						clear(dst)
						continue
					}
					// Columns j with 0 ≤ st·j + b − pad < w.
					jlo := min(g.wq, max(0, (g.pad-b+g.st-1)/g.st))
					jhi := max(jlo, min(g.wq, (g.w+g.pad-b+g.st-1)/g.st))
					clear(dst[:jlo*cnt])
					clear(dst[jhi*cnt:])
					if jlo == jhi {
						continue
					}
					off := g.st*jlo + b - g.pad // input column of j = jlo
					for t := 0; t < cnt; t++ {
						row := src[t*stride+(c*g.h+ih)*g.w:][:g.w]
						r := row[off : off+g.st*(jhi-jlo-1)+1]
						if cnt == 1 {
							d := dst[jlo:jhi]
							for k := range d {
								d[k] = r[g.st*k]
							}
							continue
						}
						for k := 0; k < jhi-jlo; k++ {
							dst[(jlo+k)*cnt+t] = r[g.st*k]
						}
					}
				}
			}
		}
	}
}

// bufs takes a goroutine's buffers for groups of up to nb images and ko
// grid rows: xp holds xq.
func (g phaseGeom) bufs(ko, nb int) *padBufs {
	b := new(padBufs)
	b.alloc(g.xqLen(nb), ko*g.grid.gridLen(nb), g.c*g.r*g.s)
	return b
}

// prepare readies b for a group of cnt images (see padBufs.prepare): the
// offsets, the slack of xq (pack writes the rest) and, with zeroGrid, the
// grid's garbage columns.
func (g phaseGeom) prepare(b *padBufs, ko, cnt int, zeroGrid, rqc bool) {
	if cnt == b.cnt {
		return
	}
	b.cnt = cnt
	clear(b.xp[g.xqLen(cnt)-(g.s-1)/g.st*cnt : g.xqLen(cnt)])
	g.offsets(b.off, cnt, rqc)
	if zeroGrid {
		clear(b.grid[:ko*g.grid.gridLen(cnt)])
	}
}

// conv2DForwardPhase is Forward on phase planes.
func (c *Engine) conv2DForwardPhase(ys, xs, ws []float32, s tensor.ConvShape, p convPlan) {
	g := newPhaseGeom(s)
	crs, chw, kohw := s.C*s.R*s.S, s.C*s.H*s.W, s.K*s.OH*s.OW
	host.For(c.Threads, p.ng, 1, func(lo, hi int) {
		b := g.bufs(s.K, p.nb)
		defer b.put()
		for gi := lo; gi < hi; gi++ {
			n0, cnt := p.images(gi, s.N)
			g.prepare(b, s.K, cnt, false, false)
			g.pack(b.xp, xs[n0*chw:], chw, cnt)
			L := g.grid.gridLen(cnt)
			c.Serial().SgemmRows(false, false, s.K, L, crs, 1, ws, crs, b.xp[:g.xqLen(cnt)], b.off, 0, b.grid, L)
			g.grid.unpack(ys[n0*kohw:], kohw, b.grid, s.K, cnt, storeSet)
		}
	})
}

// conv2DBackwardFilterPhase is BackwardFilter on phase planes, with
// one partial product per thread chunk as on the padded path.
func (c *Engine) conv2DBackwardFilterPhase(dws, dys, xs []float32, s tensor.ConvShape, p convPlan) {
	g := newPhaseGeom(s)
	crs, chw, kohw := s.C*s.R*s.S, s.C*s.H*s.W, s.K*s.OH*s.OW
	rqc := s.C%8 == 0
	c.filterChunks(dws, s, p, rqc, func() (filterGroup, func()) {
		b := g.bufs(s.K, p.nb)
		return func(n0, cnt int, beta float32, pt []float32) {
			g.prepare(b, s.K, cnt, true, rqc)
			g.pack(b.xp, xs[n0*chw:], chw, cnt)
			g.grid.spread(b.grid, dys[n0*kohw:], kohw, s.K, cnt)
			L := g.grid.gridLen(cnt)
			c.Serial().SgemmRows(false, true, s.K, crs, L, 1, b.grid, L, b.xp[:g.xqLen(cnt)], b.off, beta, pt, crs)
		}, b.put
	})
}
