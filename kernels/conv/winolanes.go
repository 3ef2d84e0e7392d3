package conv

import (
	"twostage/kernels/internal/host"
	sgemmpkg "twostage/kernels/sgemm"
	"twostage/tensor"
)

// Winograd F(2×2, 3×3) on lane-interleaved images, for small planes.
//
// winograd.go lays the images of a group side by side in long rows
// and runs its 8-tile vectors along them; the tile that straddles two
// images is computed and dropped, which costs 1/tw of the work (half of it
// at 4×4, a fifth at 7×7), and the GEMMs pack their B operand, V, once
// more. Here 16 images are interleaved instead, element by element,
//
//	xi [block][c][row][col][16],  xi[b][c][1+i][1+j][l] = x[16b + l, c, i, j]  (zero border),
//
// so that one tile position holds the same tile of 16 images in two
// vectors and the transforms are plain vertical arithmetic over lanes. A
// group takes nlb such blocks and tile rows ty0 … ty0+nty−1 of them; its
// T = nlb·nty·tw·16 tiles are numbered (b, ty, tx, lane), so 16 consecutive
// tiles are one tile position: exactly one panel of the SGEMM's packed B.
// The input transform therefore writes V straight in the packed layout,
//
//	Vp[ξ][pos][c][16] (pos = (b·nty + ty)·tw + tx),
//
// and the 16 GEMMs take it as it is (sgemm SgemmPackedAB). Only images
// past N (a last partial block) and, for odd planes, the last row and
// column are computed for nothing.
//
// Images go in and out through 8×8 register transposes (interleave,
// deinterleave in lanes.go). The passes are those of
// winograd.go with the same formulas; each element is summed in an
// order fixed by the shapes and the chunking (over c for y, over k for dx;
// for dw over the groups' tiles, in 8 lanes and then across them when
// dotNT sums the products, and then over the chunks), so results are
// again fixed for a given thread count.

// wlanes is the number of images interleaved (two AVX2 vectors).
const wlanes = 16

// laneTiles is the number of tiles a group aims for.
const laneTiles = 256

// useWinoLanes reports whether a Winograd pass over planes w wide takes
// the lane-interleaved path: planes up to 32 wide (all of the encoders'),
// where the row layout's straddling tiles cost most.
func (c *Engine) useWinoLanes(w int) bool {
	return winoLanesOn && (w+1)/2 <= maxLaneTileCols
}

// winoLanesOn: tests switch the lane path off to run the row layout.
var winoLanesOn = true

const maxLaneTileCols = 16

// laneGeom is one group's tiling: nlb blocks of 16 images, tile rows ty0 …
// ty0+nty−1 of each.
type laneGeom struct {
	h, w, th, tw int
	wp           int // padded columns, 2·tw + 2
	ty0, nty     int
	nlb          int
	rows         int  // padded rows held per block and channel, 2·nty + 2
	orw          int  // floats per row of the output grid, 2·tw·16
	T            int  // tiles, nlb·nty·tw·16
	zmm          bool // the transforms' AVX-512 twins (the avx512 path)
}

func newLaneGeom(h, w, ty0, nty, nlb int) laneGeom {
	th, tw := (h+1)/2, (w+1)/2
	return laneGeom{h: h, w: w, th: th, tw: tw, wp: 2*tw + 2, ty0: ty0, nty: nty, nlb: nlb,
		rows: 2*nty + 2, orw: 2 * tw * wlanes, T: nlb * nty * tw * wlanes}
}

// xiLen is the length of the interleaved input of ci channels.
func (g laneGeom) xiLen(ci int) int { return g.nlb * ci * g.rows * g.wp * wlanes }

// plane is the distance between the ξ planes of V, M or W with ch channels
// (ch·T floats each): one cache line more, so that the sixteen planes a
// transform touches at once do not share cache sets when ch·T·4 bytes is a
// multiple of 4 KiB.
func (g laneGeom) plane(ch int) int { return ch*g.T + wlanes }

// gridLen is the length of the interleaved output grid of ko channels,
// [ko][nlb][2·nty][2·tw][16].
func (g laneGeom) gridLen(ko int) int { return ko * g.nlb * 2 * g.nty * g.orw }

// heldRows is the range of image rows [lo, hi) that the group's padded
// rows 2·ty0 … 2·ty0+rows−1 hold.
func (g laneGeom) heldRows() (lo, hi int) {
	return max(0, 2*g.ty0-1), min(g.h, 2*g.ty0+g.rows-1)
}

// tmpLen is the length of pack's staging buffer.
func (g laneGeom) tmpLen() int { return g.rows * g.w * wlanes }

// pack interleaves cnt images (src, stride apart; cnt ≤ 16·nlb) into xi,
// rows 2·ty0 … of the zero-bordered planes; lanes past cnt are zero. The
// held rows of a plane are contiguous in every image, so they go through
// interleave into tmp [positions][16] first, and then row by row into xi.
func (g laneGeom) pack(xi, tmp, src []float32, stride, cnt, ci int) {
	rw := g.wp * wlanes
	lo, hi := g.heldRows()
	np := (hi - lo) * g.w
	for b := 0; b < g.nlb; b++ {
		for c := 0; c < ci; c++ {
			interleave(g.zmm, tmp, src[b*wlanes*stride+(c*g.h+lo)*g.w:], stride, np, cnt-b*wlanes)
			for rr := 0; rr < g.rows; rr++ {
				row := xi[((b*ci+c)*g.rows+rr)*rw:][:rw]
				i := 2*g.ty0 + rr - 1 // the image row
				if i < lo || i >= hi {
					clear(row)
					continue
				}
				clear(row[:wlanes])
				copy(row[wlanes:], tmp[(i-lo)*g.w*wlanes:(i-lo+1)*g.w*wlanes])
				clear(row[(g.w+1)*wlanes:])
			}
		}
	}
}

// input transforms xi into V for all 16 ξ, in the SGEMM's packed-B layout
// (sgemm.SgemmPackedAB: channels cut into k blocks of kcs, a block holding
// the T/16 tile positions' panels of its kcb channels × 16 tiles) when
// packed, else in rows V[ξ][c][T] (the filter gradient's GEMMs take V as
// their transposed B).
func (g laneGeom) input(v, xi []float32, ci int, packed bool) {
	rw := g.wp * wlanes
	vxi := g.plane(ci)
	kcs := sgemmpkg.PackedBBlock(ci)
	_ = v[15*vxi+ci*g.T-1]
	_ = xi[g.xiLen(ci)-1]
	for c := 0; c < ci; c++ {
		// Channel c's 16 tiles of position pos sit at base + pos·vpos.
		base, vpos := c*g.T, wlanes
		if packed {
			pc := c / kcs * kcs
			base, vpos = pc*g.T+(c-pc)*wlanes, min(kcs, ci-pc)*wlanes
		}
		for b := 0; b < g.nlb; b++ {
			for ty := 0; ty < g.nty; ty++ {
				pos := (b*g.nty + ty) * g.tw
				if g.zmm {
					winoInLanesAVX512(&v[base+pos*vpos], vxi, vpos, &xi[((b*ci+c)*g.rows+2*ty)*rw], rw, g.tw)
				} else {
					winoInLanes(&v[base+pos*vpos], vxi, vpos, &xi[((b*ci+c)*g.rows+2*ty)*rw], rw, g.tw)
				}
			}
		}
	}
}

// output transforms M [16][ko][T] (the ξ planes mxi floats apart) into
// the output grid out.
func (g laneGeom) output(out, m []float32, ko, mxi int) {
	_ = m[15*mxi+ko*g.T-1]
	_ = out[g.gridLen(ko)-1]
	for k := 0; k < ko; k++ {
		for b := 0; b < g.nlb; b++ {
			for ty := 0; ty < g.nty; ty++ {
				pos := (b*g.nty + ty) * g.tw
				if g.zmm {
					winoOutLanesAVX512(&out[((k*g.nlb+b)*2*g.nty+2*ty)*g.orw], g.orw, &m[k*g.T+pos*wlanes], mxi, g.tw)
				} else {
					winoOutLanes(&out[((k*g.nlb+b)*2*g.nty+2*ty)*g.orw], g.orw, &m[k*g.T+pos*wlanes], mxi, g.tw)
				}
			}
		}
	}
}

// unpack moves the grid's valid outputs into cnt images (dst, stride
// apart): =, += with add, or ep's function of them (ep.res starts at the
// group's first image, like dst). With an even plane width the grid's rows
// of one channel and block are the plane's rows, contiguous, and go
// through deinterleave; with an odd one the rows' valid columns are first
// copied together into tmp (tmpLen).
func (g laneGeom) unpack(dst []float32, stride int, out, tmp []float32, ko, cnt int, add bool, ep *convEpilogue) {
	i0 := 2 * g.ty0
	vr := min(2*g.nty, g.h-i0) // valid rows
	np := vr * g.w
	for k := 0; k < ko; k++ {
		for b := 0; b < g.nlb; b++ {
			gb := (k*g.nlb + b) * 2 * g.nty * g.orw
			at := b*wlanes*stride + (k*g.h+i0)*g.w // the block's first image, the group's first row
			nb := min(wlanes, cnt-b*wlanes)        // images in the block
			src := out[gb:]
			if g.w%2 != 0 {
				for ii := 0; ii < vr; ii++ {
					copy(tmp[ii*g.w*wlanes:(ii+1)*g.w*wlanes], out[gb+ii*g.orw:])
				}
				src = tmp
			}
			deinterleave(g.zmm, dst[at:], stride, src, np, nb, add, ep.forChannel(k, at))
		}
	}
}

// spread interleaves cnt images of output gradients (src, stride apart)
// into the grid out, zero where no output is (rows or columns past an odd
// plane, lanes past cnt) through interleave, as in unpack.
func (g laneGeom) spread(out, src, tmp []float32, stride, ko, cnt int) {
	i0 := 2 * g.ty0
	vr := min(2*g.nty, g.h-i0)
	np := vr * g.w
	for k := 0; k < ko; k++ {
		for b := 0; b < g.nlb; b++ {
			grid := out[(k*g.nlb+b)*2*g.nty*g.orw:][:2*g.nty*g.orw]
			at := b*wlanes*stride + (k*g.h+i0)*g.w
			nb := min(wlanes, cnt-b*wlanes)
			if g.w%2 == 0 {
				interleave(g.zmm, grid, src[at:], stride, np, nb)
				clear(grid[np*wlanes:])
				continue
			}
			interleave(g.zmm, tmp, src[at:], stride, np, nb)
			for ii := 0; ii < vr; ii++ {
				row := grid[ii*g.orw:][:g.orw]
				copy(row, tmp[ii*g.w*wlanes:(ii+1)*g.w*wlanes])
				clear(row[g.w*wlanes:])
			}
			clear(grid[vr*g.orw:])
		}
	}
}

// gradInput transforms the gradient grid into W[ξ][k][T] (rows; the ξ
// planes wxi floats apart).
func (g laneGeom) gradInput(w, out []float32, ko, wxi int) {
	_ = w[15*wxi+ko*g.T-1]
	_ = out[g.gridLen(ko)-1]
	for k := 0; k < ko; k++ {
		for b := 0; b < g.nlb; b++ {
			for ty := 0; ty < g.nty; ty++ {
				pos := (b*g.nty + ty) * g.tw
				if g.zmm {
					winoDyLanesAVX512(&w[k*g.T+pos*wlanes], wxi, wlanes, &out[((k*g.nlb+b)*2*g.nty+2*ty)*g.orw], g.orw, g.tw)
				} else {
					winoDyLanes(&w[k*g.T+pos*wlanes], wxi, wlanes, &out[((k*g.nlb+b)*2*g.nty+2*ty)*g.orw], g.orw, g.tw)
				}
			}
		}
	}
}

// lanePlan cuts n images of h×w into groups: nlb blocks of 16 images by
// nty tile rows each (about laneTiles tiles), at least one per thread.
type lanePlan struct {
	blocks, nlb, nty, th int
	gb, gt               int  // groups along the blocks and along the tile rows
	zmm                  bool // laneGeom.zmm of its groups
}

func (c *Engine) lanePlan(n, h, w int) lanePlan {
	th, tw := (h+1)/2, (w+1)/2
	p := lanePlan{blocks: ceilDiv(n, wlanes), th: th, nlb: 1, nty: th, zmm: c.zmm()}
	perRow := tw * wlanes
	if th*perRow >= laneTiles {
		p.nty = max(1, min(th, (laneTiles+perRow/2)/perRow))
	} else {
		p.nlb = max(1, min(p.blocks, laneTiles/(th*perRow)))
	}
	p.gb, p.gt = ceilDiv(p.blocks, p.nlb), ceilDiv(th, p.nty)
	for p.gb*p.gt < c.Threads && (p.nlb > 1 || p.nty > 1) {
		if p.nlb > 1 {
			p.nlb = ceilDiv(p.nlb, 2)
		} else {
			p.nty = ceilDiv(p.nty, 2)
		}
		p.gb, p.gt = ceilDiv(p.blocks, p.nlb), ceilDiv(th, p.nty)
	}
	return p
}

// group returns group gi's geometry and its first image.
func (p lanePlan) group(gi, h, w int) (laneGeom, int) {
	bi, ti := gi/p.gt, gi%p.gt
	b0, ty0 := bi*p.nlb, ti*p.nty
	g := newLaneGeom(h, w, ty0, min(p.nty, p.th-ty0), min(p.nlb, p.blocks-b0))
	g.zmm = p.zmm
	return g, b0 * wlanes
}

// largest is the geometry of the plan's largest group (buffer sizes).
func (p lanePlan) largest(h, w int) laneGeom {
	g := newLaneGeom(h, w, 0, p.nty, p.nlb)
	g.zmm = p.zmm
	return g
}

// conv2DWinoLanes is conv2DWinograd on interleaved lanes: dst (= or +=
// with add) [N, ko, h, w] = the 3×3 pad-1 conv of src [N, ci, h, w] with
// the transformed kernel u [16, ko, ci], then ep (nil for none).
func (c *Engine) conv2DWinoLanes(dst, src, u []float32, n, ci, ko, h, w int, add bool, ep *convEpilogue) {
	// The GEMMs compute mp = ko rounded up to whole micro-panels (6 rows,
	// 16 on avx512; zero kernels past ko): a ragged last panel would go
	// through the SGEMM's staging tile and be merged row by row.
	tr := c.Serial().TileRows()
	mp := ceilDiv(ko, tr) * tr
	pas := packedUs.get()
	defer packedUs.put(pas)
	up := u
	if mp > ko {
		up = host.Scratch.Get(16 * mp * ci)
		defer host.Scratch.Put(up)
		clear(up)
		for xi := 0; xi < 16; xi++ {
			copy(up[xi*mp*ci:], u[xi*ko*ci:(xi+1)*ko*ci])
		}
	}
	for xi := range pas {
		c.Serial().PackA(&pas[xi], false, mp, ci, up[xi*mp*ci:(xi+1)*mp*ci], ci)
	}
	p := c.lanePlan(n, h, w)
	sin, sout := ci*h*w, ko*h*w
	host.For(c.Threads, p.gb*p.gt, 1, func(lo, hi int) {
		big := p.largest(h, w)
		xi := host.Scratch.Get(big.xiLen(ci))
		tmp := host.Scratch.Get(big.tmpLen())
		defer host.Scratch.Put(tmp)
		v := host.Scratch.Get(16 * big.plane(ci))
		m := host.Scratch.Get(16 * big.plane(mp))
		out := host.Scratch.Get(big.gridLen(ko))
		defer host.Scratch.Put(xi)
		defer host.Scratch.Put(v)
		defer host.Scratch.Put(m)
		defer host.Scratch.Put(out)
		for gi := lo; gi < hi; gi++ {
			g, n0 := p.group(gi, h, w)
			cnt := min(g.nlb*wlanes, n-n0)
			g.pack(xi, tmp, src[n0*sin:], sin, cnt, ci)
			g.input(v, xi, ci, true)
			for xi := range pas {
				c.Serial().SgemmPackedAB(&pas[xi], g.T, 1, v[xi*g.plane(ci):], 0, m[xi*g.plane(mp):], g.T)
			}
			g.output(out, m, ko, g.plane(mp))
			var gep *convEpilogue
			if ep != nil {
				gep = &convEpilogue{shift: ep.shift, res: host.From(ep.res, n0*sout), relu: ep.relu}
			}
			g.unpack(dst[n0*sout:], sout, out, tmp, ko, cnt, add, gep)
		}
	})
}

// conv2DBackwardFilterWinoLanes is conv2DBackwardFilterWinograd on
// interleaved lanes.
func (c *Engine) conv2DBackwardFilterWinoLanes(dws, dys, xs []float32, s tensor.ConvShape) {
	p := c.lanePlan(s.N, s.H, s.W)
	sin, sout := s.C*s.H*s.W, s.K*s.H*s.W
	// With few channels the 16 products M[ξ] += W[ξ]·V[ξ]ᵀ are summed
	// without packing (dotNT): packing both operands along the tiles costs
	// more than the products. With more (both re-read from L2 by dotNT's
	// 3×4 blocks) the SGEMM's packed blocks win. Measured (filter pass,
	// GFLOP/s, dotNT against SGEMM): w16 c16 28×28 119/75, c32 14×14
	// 115/110, c64 7×7 118/141, c128 4×4 128/134; w64 c256 8×8 166/224.
	dot := s.K <= 32 && s.C <= 32
	// The products compute kp = K rounded up to whole blocks (3 rows for
	// dotNT, a micro-panel of TileRows for the SGEMM): the rows of W past K
	// stay zero (gradInput never writes them).
	tr := c.Serial().TileRows()
	kp := ceilDiv(s.K, tr) * tr
	if dot {
		kp = ceilDiv(s.K, 3) * 3
	}
	kc := kp * s.C
	bounds := host.Chunks(c.Threads, p.gb*p.gt, 1)
	nch := len(bounds) - 1
	ms := make([][]float32, nch)
	host.For(nch, nch, 1, func(qlo, qhi int) {
		for q := qlo; q < qhi; q++ {
			big := p.largest(s.H, s.W)
			xi := host.Scratch.Get(big.xiLen(s.C))
			tmp := host.Scratch.Get(big.tmpLen())
			v := host.Scratch.Get(16 * big.plane(s.C))
			w := host.Scratch.Get(16 * big.plane(kp))
			clear(w)
			dyg := host.Scratch.Get(big.gridLen(s.K))
			m := host.Scratch.Get(16 * kc)
			clear(m)
			for gi := bounds[q]; gi < bounds[q+1]; gi++ {
				g, n0 := p.group(gi, s.H, s.W)
				cnt := min(g.nlb*wlanes, s.N-n0)
				g.pack(xi, tmp, xs[n0*sin:], sin, cnt, s.C)
				g.input(v, xi, s.C, false)
				g.spread(dyg, dys[n0*sout:], tmp, sout, s.K, cnt)
				g.gradInput(w, dyg, s.K, g.plane(kp))
				// M[ξ] [kp, C] += W[ξ] [kp, T] · V[ξ]ᵀ.
				for xi := 0; xi < 16; xi++ {
					wx, vx, mx := w[xi*g.plane(kp):], v[xi*g.plane(s.C):], m[xi*kc:(xi+1)*kc]
					if dot {
						dotNT(true, c.zmm(), mx, s.C, wx, g.T, vx, g.T, kp, s.C, g.T)
					} else {
						c.Serial().Sgemm(false, true, kp, s.C, g.T, 1, wx, g.T, vx, g.T, 1, mx, s.C)
					}
				}
			}
			host.Scratch.Put(xi)
			host.Scratch.Put(tmp)
			host.Scratch.Put(v)
			host.Scratch.Put(w)
			host.Scratch.Put(dyg)
			ms[q] = m
		}
	})
	winoFilterFinish(dws, ms, s.K, s.C, kc)
}
