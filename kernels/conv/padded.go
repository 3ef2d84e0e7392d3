package conv

import (
	"sync"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Stride-1 convolutions on the padded-width grid (implicit GEMM).
//
// Copy a group of cnt images once into a zero-bordered buffer
//
//	xp [C, Hp, Wp, cnt],  Hp = H+2·pad, Wp = W+2·pad,  xp[c, pad+i, pad+j, t] = x[n0+t, c, i, j]
//
// (the image index innermost, so that several small images make one long
// GEMM row). Then compute the output on the grid [OH, Wp] instead of
// [OH, OW]: grid column (oh, j, t) with j < OW is y[n0+t, :, oh, j], and the
// last S−1 columns of each row (j ≥ OW) are garbage that is never stored.
// On that grid the im2col row (c, r, q) is one contiguous window of xp,
//
//	col[(c·R+r)·S+q, (oh·Wp + j)·cnt + t] = xp[c, oh+r, j+q, t]
//	                                      = xp[((c·Hp + r)·Wp + q)·cnt + (oh·Wp + j)·cnt + t],
//
// of length L = OH·Wp·cnt starting at off[(c·R+r)·S+q] = ((c·Hp + r)·Wp + q)·cnt.
// sgemm.Config.SgemmRows packs B straight from those windows, so no col
// matrix is built and each image is copied once instead of R·S times. The
// price is the garbage columns: the GEMMs are Wp/OW times wider (30/28 at
// 28×28, 6/4 at 4×4), which useConvPadded weighs per shape.
//
//	forward         grid [K, L] = W [K, C·R·S] · col,                 y[n0+t] = the grid's valid columns
//	backward data   the forward of dy with the kernel flipped and transposed (below)
//	backward filter dW [K, C·R·S] += dy' [K, L] · colᵀ,  dy' = dy[n0..] spread on the grid, garbage columns 0
//
// Backward data of a stride-1 conv is itself a stride-1 conv: substituting
// r' = R−1−r, q' = S−1−q in dx[c,i,j] = Σ dy[k, i+pad−r, j+pad−q]·w[k,c,r,q] gives
//
//	dx[c, i, j] += Σ_{k,r',q'} dyp[k, i+r', j+q']·w'[c, k, r', q'],  w'[c,k,r',q'] = w[k, c, R−1−r', S−1−q'],
//
// where dyp is dy bordered by R−1−pad rows and S−1−pad columns (needs
// pad ≤ R−1 and pad ≤ S−1). So it runs the forward machinery with w' as the
// weights and adds the valid columns into dx: no col2im.
//
// The reduction order of each output element (C·R·S for y, K·R·S for dx, the
// group's pixels then the groups for dW) is fixed by the shapes and the
// chunking alone, so a given thread count always gives the same bits.

// padGeom is the geometry of one stride-1 pass on the padded-width grid:
// input planes [Ci, Hi, Wi] bordered by ph zero rows above and below and pw
// zero columns left and right to [Ci, Hp, Wp], an R×S kernel, and the output
// plane [Ho, Wo] (Ho = Hp−R+1, Wo = Wp−S+1) stored on the grid [Ho, Wp].
type padGeom struct {
	ci, hi, wi int // input planes
	ph, pw     int // zero border
	r, s       int // kernel
	hp, wp     int // bordered planes: Hi+2·ph, Wi+2·pw
	ho, wo     int // output planes
}

func newPadGeom(ci, hi, wi, ph, pw, r, s int) padGeom {
	hp, wp := hi+2*ph, wi+2*pw
	return padGeom{ci: ci, hi: hi, wi: wi, ph: ph, pw: pw, r: r, s: s, hp: hp, wp: wp, ho: hp - r + 1, wo: wp - s + 1}
}

// xpLen is the length of xp for cnt images: the planes plus S−1 slack
// columns per image, which the last window (c = Ci−1, r = R−1, q = S−1) runs
// into at its garbage end.
func (g padGeom) xpLen(cnt int) int { return (g.ci*g.hp*g.wp + g.s - 1) * cnt }

// gridLen is L = Ho·Wp·cnt, the GEMM width for cnt images.
func (g padGeom) gridLen(cnt int) int { return g.ho * g.wp * cnt }

// offsets writes the window starts off[(c·R+r)·S+q] = ((c·Hp+r)·Wp+q)·cnt.
func (g padGeom) offsets(off []int, cnt int) {
	for c := 0; c < g.ci; c++ {
		for r := 0; r < g.r; r++ {
			base := (c*g.hp + r) * g.wp
			row := off[(c*g.r+r)*g.s : (c*g.r+r+1)*g.s]
			for q := range row {
				row[q] = (base + q) * cnt
			}
		}
	}
}

// offsetsRQC writes the same window starts in (r, q, c) order:
// off[(r·S+q)·Ci + c] = ((c·Hp+r)·Wp+q)·cnt.
func (g padGeom) offsetsRQC(off []int, cnt int) {
	for r := 0; r < g.r; r++ {
		for q := 0; q < g.s; q++ {
			row := off[(r*g.s+q)*g.ci : (r*g.s+q+1)*g.ci]
			for c := range row {
				row[c] = ((c*g.hp+r)*g.wp + q) * cnt
			}
		}
	}
}

// pack copies cnt images into the interior of xp:
//
//	xp[((c·Hp + ph+i)·Wp + pw+j)·cnt + t] = src[t·stride + (c·Hi + i)·Wi + j]   (=)
//
// The border is not written: it must already be zero.
func (g padGeom) pack(xp, src []float32, stride, cnt int) {
	for c := 0; c < g.ci; c++ {
		for i := 0; i < g.hi; i++ {
			at := ((c*g.hp+g.ph+i)*g.wp + g.pw) * cnt
			dst := xp[at : at+g.wi*cnt]
			for t := 0; t < cnt; t++ {
				sr := src[t*stride+(c*g.hi+i)*g.wi:][:g.wi]
				if cnt == 1 {
					copy(dst, sr)
					continue
				}
				for j, v := range sr {
					dst[j*cnt+t] = v
				}
			}
		}
	}
}

// storeMode is how unpack stores a value v into dst.
type storeMode uint8

const (
	storeSet  storeMode = iota // dst = v
	storeAdd                   // dst += v
	storePlus                  // dst = v + 0, the bits of += into a zeroed dst
)

// unpack moves the valid columns of the grid out [ko, L] into cnt images:
//
//	dst[t·stride + (k·Ho + i)·Wo + j] (=, += or = 0 + by mode) out[k·L + (i·Wp + j)·cnt + t],  j < Wo.
func (g padGeom) unpack(dst []float32, stride int, out []float32, ko, cnt int, mode storeMode) {
	L := g.gridLen(cnt)
	for k := 0; k < ko; k++ {
		for i := 0; i < g.ho; i++ {
			src := out[k*L+i*g.wp*cnt:][:g.wo*cnt]
			for t := 0; t < cnt; t++ {
				d := dst[t*stride+(k*g.ho+i)*g.wo:][:g.wo]
				switch {
				case cnt == 1 && mode == storeSet:
					copy(d, src)
				case cnt == 1 && mode == storeAdd:
					for j, v := range src {
						d[j] += v
					}
				case cnt == 1:
					for j, v := range src {
						d[j] = v + 0 // not folded: −0 + 0 is +0
					}
				case mode == storeAdd:
					for j := range d {
						d[j] += src[j*cnt+t]
					}
				case mode == storePlus:
					for j := range d {
						d[j] = src[j*cnt+t] + 0
					}
				default:
					for j := range d {
						d[j] = src[j*cnt+t]
					}
				}
			}
		}
	}
}

// spread is unpack's inverse for dy: it lays cnt images [ko, Ho, Wo] on
// the grid grid [ko, L],
//
//	grid[k·L + (i·Wp + j)·cnt + t] = src[t·stride + (k·Ho + i)·Wo + j],  j < Wo   (=)
//
// leaving the garbage columns (j ≥ Wo) as they are: they must be zero.
func (g padGeom) spread(grid, src []float32, stride, ko, cnt int) {
	L := g.gridLen(cnt)
	for k := 0; k < ko; k++ {
		for i := 0; i < g.ho; i++ {
			d := grid[k*L+i*g.wp*cnt:][:g.wo*cnt]
			for t := 0; t < cnt; t++ {
				sr := src[t*stride+(k*g.ho+i)*g.wo:][:g.wo]
				if cnt == 1 {
					copy(d, sr)
					continue
				}
				for j, v := range sr {
					d[j*cnt+t] = v
				}
			}
		}
	}
}

// padBufs are one goroutine's buffers for a padded pass (or a phase pass,
// xp holding the phase planes): xp, the grid
// (output, or dy' for the filter gradient) and the window offsets. They
// are sized for the plan's largest group; cnt is the group size that xp's
// border, the grid's garbage columns (zeroGrid) and off are set up for.
type padBufs struct {
	xp, grid []float32
	off      []int
	cnt      int
}

// get takes the buffers from the scratch pools for groups of up to nb
// images and ko grid rows.
func (b *padBufs) get(g padGeom, ko, nb int) {
	b.alloc(g.xpLen(nb), ko*g.gridLen(nb), g.ci*g.r*g.s)
}

// alloc takes buffers of the given lengths (the phase planes of
// strided.go use the same three).
func (b *padBufs) alloc(xLen, gridLen, offLen int) {
	b.xp = host.Scratch.Get(xLen)
	b.grid = host.Scratch.Get(gridLen)
	b.off = offScratch.get(offLen)
	b.cnt = 0
}

func (b *padBufs) put() {
	host.Scratch.Put(b.xp)
	host.Scratch.Put(b.grid)
	offScratch.put(b.off)
}

// prepare readies the buffers for a group of cnt images: when cnt differs
// from the last group's (always for the first), it zeroes xp (the border
// stays zero since pack writes only the interior), recomputes the offsets
// and, with zeroGrid, zeroes the grid (spread leaves the garbage columns).
func (b *padBufs) prepare(g padGeom, ko, cnt int, zeroGrid bool) (changed bool) {
	if cnt == b.cnt {
		return false
	}
	b.cnt = cnt
	clear(b.xp[:g.xpLen(cnt)])
	g.offsets(b.off, cnt)
	if zeroGrid {
		clear(b.grid[:ko*g.gridLen(cnt)])
	}
	return true
}

// Conv path selection: padAuto lets useConvPadded weigh the shape;
// padAlways and padNever are for tests and benchmarks (export_test.go).
const (
	padAuto = iota
	padAlways
	padNever
)

// convPadMode selects the stride-1 path; padAuto in production.
var convPadMode = padAuto

// canConvPadded reports whether the padded-width passes apply: stride 1, a
// border the flipped kernel can reproduce (pad ≤ R−1, S−1), the SIMD
// backend (NoSIMD keeps the im2col path through gonum as the reference),
// and not a pointwise conv, which needs no im2col at all.
func (c *Engine) canConvPadded(s tensor.ConvShape) bool {
	return !c.NoSIMD && s.Stride == 1 && !pointwise(s) && s.Pad <= s.R-1 && s.Pad <= s.S-1
}

// useConvPadded reports whether this call takes the padded-width path; data
// selects the backward-data pass, whose GEMM has m = C rows (else m = K).
//
// The grid makes every GEMM Wp/OW times wider, a cost of 2·m flops per
// garbage column (S−1 of them per grid row), while im2col and col2im cost
// a roughly fixed time per col element. Measured at batch 256 on the 2-core Zen 3 (BenchmarkConv2DPath,
// medians of noisy runs): the grid wins clearly at 28×28 to 7×7 for every
// width (e.g. w16 c32 14×14 filter 31 vs 72 ms, c64 32×32 filter 400 vs
// 630 ms) and at 4×4 with K = 64, 128 (w16 c128: 39 vs 56 ms forward, 36 vs
// 50 ms filter), and ties at 8×8 with K = 256 and 4×4 with K = 512; hence
// the bound m·(S−1) ≤ 64·OW. Backward data packs K·R·S windows of dy per
// column where im2col's col2im touches C·R·S: with C ≪ K (a stem, C = 1..3)
// it lost 5×, so it also needs 2·C ≥ K.
func (c *Engine) useConvPadded(s tensor.ConvShape, data bool) bool {
	if !c.canConvPadded(s) {
		return false
	}
	switch convPadMode {
	case padAlways:
		return true
	case padNever:
		return false
	}
	m := s.K
	if data {
		if 2*s.C < s.K {
			return false
		}
		m = s.C
	}
	return m*(s.S-1) <= 64*s.OW
}

// conv2DForwardPadded is Forward on the padded-width grid.
//
// With an epilogue ep (Conv2DForwardBN) each group's images get it right
// after they are stored, while they are in cache.
func (c *Engine) conv2DForwardPadded(ys, xs, ws []float32, s tensor.ConvShape, p convPlan, ep *convEpilogue) {
	g := newPadGeom(s.C, s.H, s.W, s.Pad, s.Pad, s.R, s.S)
	crs, chw, kohw := s.C*s.R*s.S, s.C*s.H*s.W, s.K*s.OH*s.OW
	host.For(c.Threads, p.ng, 1, func(lo, hi int) {
		var b padBufs
		b.get(g, s.K, p.nb)
		defer b.put()
		for gi := lo; gi < hi; gi++ {
			n0, cnt := p.images(gi, s.N)
			b.prepare(g, s.K, cnt, false)
			g.pack(b.xp, xs[n0*chw:], chw, cnt)
			// grid [K, L] = W [K, C·R·S] · col, col's rows being windows of xp.
			L := g.gridLen(cnt)
			c.Serial().SgemmRows(false, false, s.K, L, crs, 1, ws, crs, b.xp[:g.xpLen(cnt)], b.off, 0, b.grid, L)
			if cnt == 1 && ep == nil && s.N*kohw*4 >= streamMin {
				// One image's planes, row by row, straight to memory (the stem;
				// an epilogue wants them in cache).
				streamRows(c.Path, ys[n0*kohw:][:kohw], b.grid, g.wp, s.K*g.ho, g.wo)
			} else {
				g.unpack(ys[n0*kohw:], kohw, b.grid, s.K, cnt, storeSet)
			}
			if ep != nil {
				gep := convEpilogue{shift: ep.shift, res: host.From(ep.res, n0*kohw), relu: ep.relu, path: ep.path}
				gep.apply(ys[n0*kohw:], kohw, cnt, s.K, s.OH*s.OW)
			}
		}
	})
}

// conv2DBackwardDataPadded is BackwardData as the forward pass of dy
// with the flipped, transposed kernel w' [C, K, R, S] (see the top of the
// file); the valid grid columns are added into dx, or with acc false
// written plus 0 (the bits of += into zeros).
func (c *Engine) conv2DBackwardDataPadded(dxs, dys, ws []float32, s tensor.ConvShape, p convPlan, acc bool) {
	mode := storePlus
	if acc {
		mode = storeAdd
	}
	g := newPadGeom(s.K, s.OH, s.OW, s.R-1-s.Pad, s.S-1-s.Pad, s.R, s.S)
	if g.ho != s.H || g.wo != s.W {
		panic("kernels: conv2d padded backward grid does not match the input size")
	}
	krs, chw, kohw := s.K*s.R*s.S, s.C*s.H*s.W, s.K*s.OH*s.OW
	// w'[c, (k·R + r)·S + q] = w[k, c, R−1−r, S−1−q]
	wf := host.Scratch.Get(s.C * krs)
	defer host.Scratch.Put(wf)
	rs := s.R * s.S
	for k := 0; k < s.K; k++ {
		for ci := 0; ci < s.C; ci++ {
			src := ws[(k*s.C+ci)*rs : (k*s.C+ci+1)*rs]
			dst := wf[ci*krs+k*rs : ci*krs+(k+1)*rs]
			for i, v := range src {
				dst[rs-1-i] = v // (r, q) ↦ (R−1−r, S−1−q) reverses the R·S block
			}
		}
	}
	host.For(c.Threads, p.ng, 1, func(lo, hi int) {
		var b padBufs
		b.get(g, s.C, p.nb)
		defer b.put()
		for gi := lo; gi < hi; gi++ {
			n0, cnt := p.images(gi, s.N)
			b.prepare(g, s.C, cnt, false)
			g.pack(b.xp, dys[n0*kohw:], kohw, cnt)
			// grid [C, L] = W' [C, K·R·S] · col(dyp).
			L := g.gridLen(cnt)
			c.Serial().SgemmRows(false, false, s.C, L, krs, 1, wf, krs, b.xp[:g.xpLen(cnt)], b.off, 0, b.grid, L)
			g.unpack(dxs[n0*chw:], chw, b.grid, s.C, cnt, mode)
		}
	})
}

// conv2DBackwardFilterPadded is BackwardFilter on the padded-width
// grid. Per group it does
//
//	P_t (=, then +=) dy' [K, L] · colᵀ
//
// where dy' is the group's dy spread on the grid with zero garbage columns,
// so the garbage windows of col add nothing. The groups are cut into one
// fixed chunk per thread as in the im2col path, and dw += P_0 + P_1 + … in
// chunk order afterwards. When C is a multiple of 8 the columns of P_t are
// taken in (r, q, c) order instead of (c, r, q): eight consecutive rows of
// colᵀ's storage are then the same window in eight channels, evenly spaced
// by one plane, which SgemmRows packs with register transposes rather than
// element by element; the final sum puts the columns back in place.
func (c *Engine) conv2DBackwardFilterPadded(dws, dys, xs []float32, s tensor.ConvShape, p convPlan) {
	g := newPadGeom(s.C, s.H, s.W, s.Pad, s.Pad, s.R, s.S)
	crs, chw, kohw := s.C*s.R*s.S, s.C*s.H*s.W, s.K*s.OH*s.OW
	rqc := s.C%8 == 0
	c.filterChunks(dws, s, p, rqc, func() (filterGroup, func()) {
		var b padBufs
		b.get(g, s.K, p.nb)
		return func(n0, cnt int, beta float32, pt []float32) {
			if b.prepare(g, s.K, cnt, true) && rqc {
				g.offsetsRQC(b.off, cnt)
			}
			g.pack(b.xp, xs[n0*chw:], chw, cnt)
			g.spread(b.grid, dys[n0*kohw:], kohw, s.K, cnt)
			// P_t [K, C·R·S] (+)= dy' [K, L] · colᵀ: op(B) = colᵀ
			// [L, C·R·S], whose stored rows are col's rows, the
			// windows of xp.
			L := g.gridLen(cnt)
			c.Serial().SgemmRows(false, true, s.K, crs, L, 1, b.grid, L, b.xp[:g.xpLen(cnt)], b.off, beta, pt, crs)
		}, b.put
	})
}

// filterGroup adds one image group's weight-gradient product into a
// chunk's partial P_t (beta 0 for the chunk's first group: P_t is written).
type filterGroup func(n0, cnt int, beta float32, pt []float32)

// filterChunks runs a weight-gradient pass over the image groups of plan p
// cut into one fixed chunk per thread (chunks): each goroutine gets its
// group function and buffers from worker (release returns them), chunk t
// sums its groups into its own P_t [K, C·R·S] in group order, and then
// dw += P_0 + P_1 + … (addPartials), so a given thread count always gives
// the same bits.
func (c *Engine) filterChunks(dws []float32, s tensor.ConvShape, p convPlan, rqc bool, worker func() (group filterGroup, release func())) {
	cb := host.Chunks(c.Threads, p.ng, 1)
	nch := len(cb) - 1
	partial := make([][]float32, nch)
	for t := range nch {
		partial[t] = host.Scratch.Get(s.K * s.C * s.R * s.S)
	}
	host.For(nch, nch, 1, func(tlo, thi int) {
		group, release := worker()
		defer release()
		for t := tlo; t < thi; t++ {
			beta := float32(0) // P_t starts from its first group's product
			for gi := cb[t]; gi < cb[t+1]; gi++ {
				n0, cnt := p.images(gi, s.N)
				group(n0, cnt, beta, partial[t])
				beta = 1
			}
		}
	})
	addPartials(c, dws, partial, s, rqc)
	for t := range nch {
		host.Scratch.Put(partial[t])
	}
}

// addPartials does dw += P_0 + P_1 + … in chunk order, per element, for
// the filter passes' per-chunk products P_t [K, C·R·S], whose columns are in
// (r, q, c) order when rqc is set. Rows k are independent, so the sum is
// split over threads without changing any bit.
func addPartials(c *Engine, dws []float32, partial [][]float32, s tensor.ConvShape, rqc bool) {
	crs, rs := s.C*s.R*s.S, s.R*s.S
	host.For(c.Threads, s.K, max(1, (1<<14)/crs), func(lo, hi int) {
		for t := range partial {
			for k := lo; k < hi; k++ {
				d := dws[k*crs : (k+1)*crs]
				pt := partial[t][k*crs : (k+1)*crs]
				if !rqc {
					for i, v := range pt {
						d[i] += v
					}
					continue
				}
				// d[(c·R+r)·S+q] += pt[(r·S+q)·C + c]
				for ci := 0; ci < s.C; ci++ {
					dc := d[ci*rs : (ci+1)*rs]
					for j := range dc {
						dc[j] += pt[j*s.C+ci]
					}
				}
			}
		}
	})
}

// offScratch recycles the window-offset tables, like host.Scratch does the
// float32 buffers (a free list that survives garbage collections).
var offScratch intPool

type intPool struct {
	mu   sync.Mutex
	free [][]int
}

// get returns an []int of length n with undefined contents.
func (p *intPool) get(n int) []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, b := range p.free {
		if cap(b) >= n {
			last := len(p.free) - 1
			p.free[i] = p.free[last]
			p.free[last] = nil
			p.free = p.free[:last]
			return b[:n]
		}
	}
	return make([]int, n)
}

// put hands b back; beyond host.MaxFree buffers the list drops it.
func (p *intPool) put(b []int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cap(b) > 0 && len(p.free) < host.MaxFree {
		p.free = append(p.free, b)
	}
}
