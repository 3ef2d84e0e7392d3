package conv

import (
	"sync"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Convolutions as implicit GEMMs on 16 lane-interleaved images.
//
// A block of 16 images is copied once into a zero-bordered, interleaved
// buffer (the lanes of winolanes.go),
//
//	xi [c][hp][wp][16],  xi[c][pad+i][pad+j][l] = x[16b + l, c, i, j],
//
// so that at every input position the 16 images' values are one 64-byte
// row. The im2col matrix of the block, with its columns ordered (output
// position, image), then consists of such rows: for output position q =
// (oh, ow) and window element p = (c, r, s),
//
//	col[p][16q + l] = xi[c][st·oh + r][st·ow + s][l] = xi[pbase[q] + boff[p] + l],
//	boff[p] = ((c·hp + r)·wp + s)·16,  pbase[q] = (st·oh·wp + st·ow)·16,
//
// for any kernel, stride and padding, and every 16-column panel of col is
// one output position: the SGEMM's micro-kernel reads those rows where they
// lie (sgemm SgemmPanels), with no col matrix, no garbage columns and no
// phase planes. The GEMM's output, [K][16q + l], is one interleaved plane
// per channel, which 8×8 transposes turn back into images.
//
//	forward          Y [K, 16·P] = W [K, C·R·S] · col                      (SgemmPanels)
//	backward data    dcol [C·R·S, 16·P] = Wᵀ · dY,  then dxi += dcol scattered back (col2im on
//	                 64-byte rows), dx += the interior of dxi
//	backward filter  dW [K, C·R·S] += dY [K, 16·P] · colᵀ, a chunk of positions at a time,
//	                 colᵀ written from xi straight into the SGEMM's packed B (lanes_filter.go)
//
// Each output element's sum runs in a fixed order (over C·R·S; over K·R·S
// for dx, the window elements added in p order; over the blocks' positions
// then the chunks for dW), so a given thread count gives fixed bits.

// useConvLanes reports whether a pass of a conv takes the lanes path, on
// the SIMD backend: the strided convolutions with a window (convLanesMode
// forces it on or off for tests). Measured with BenchmarkConv2DPath (batch
// 256, 2-core Zen 3, GFLOP/s), forward / data / filter, lanes against the
// phase planes (forward, filter) and im2col (data):
//
//	w16 c16→32 28×28 s2   60/64/59  against 55/39/42
//	w16 c32→64 14×14 s2   79/73/64  against 47/46/55
//	w16 c64→128 7×7 s2    79/82/96  against 57/47/70
//	w64 c64→128 32×32 s2  90/83/95  against 73/84/92
//	w64 c128→256 16×16 s2 121/117/98 against 85/…/76
//
// The 1×1 stride-2 shortcuts win or lose by a few per cent either way, and
// the stems (1-3 input channels, stride 1) keep the padded grid for the
// forward (w64 c3: 79 against 63) but not for the filter gradient
// (useConvLanesFilter).
func (c *Engine) useConvLanes(s tensor.ConvShape) bool {
	switch {
	case !c.SIMD() || convLanesMode == padNever:
		return false
	case convLanesMode == padAlways:
		return true
	}
	return s.Stride > 1 && s.R*s.S > 1
}

// useConvLanesBN is useConvLanes for the evaluation conv + batch norm
// (Conv2DForwardBN), which also takes the 1×1 strided shortcuts with 32 or
// more input channels: on lanes the batch norm costs no pass of its own
// (ms at batch 256, fused against conv then batch norm: w16 c16→32 28×28
// 3.3-3.7 against 3.0-3.4, c32→64 14×14 1.2-1.7 against 2.1-2.4, c64→128
// 7×7 1.0-1.3 against 2.8-3.3).
func (c *Engine) useConvLanesBN(s tensor.ConvShape) bool {
	return c.useConvLanes(s) || convLanesMode == padAuto && c.SIMD() && s.Stride > 1 && s.C >= 32
}

// useConvLanesFilter is useConvLanes for the filter-gradient pass, which
// also takes the small products that dotNT sums without packing: the stems
// (w64 3→64 at 32×32: 58 GFLOP/s against 32 on the padded grid; w16 1→16
// and 2→16 at 28×28: 17 and 34 against 8 and 11).
func (c *Engine) useConvLanesFilter(s tensor.ConvShape) bool {
	if c.useConvLanes(s) {
		return true
	}
	crs := s.C * s.R * s.S
	return convLanesMode == padAuto && c.SIMD() && s.R*s.S > 1 && crs*s.K <= laneDotFilter && crs%3 == 0
}

// convLanesMode is padAuto in production.
var convLanesMode = padAuto

// laneConv is the geometry of a conv pass on lanes: the bordered input
// planes and the offset tables.
type laneConv struct {
	s        tensor.ConvShape
	hp, wp   int   // bordered input planes, big enough for every window
	P        int   // output positions OH·OW
	boff     []int // window element p's offset, ((c·hp + r)·wp + s)·16
	pbase    []int // output position q's offset, (st·oh·wp + st·ow)·16
	xiLen    int   // floats of xi: C·hp·wp·16
	planeLen int   // floats of one bordered plane: hp·wp·16
}

// laneConvs keeps one laneConv per layer geometry (the batch size left
// out: nothing in it depends on N), so that a training step builds no
// offset tables.
var laneConvs sync.Map // tensor.ConvShape with N = 0 → *laneConv

// laneConvFor returns the geometry of s's conv on lanes.
func laneConvFor(s tensor.ConvShape) *laneConv {
	s.N = 0
	if g, ok := laneConvs.Load(s); ok {
		return g.(*laneConv)
	}
	g, _ := laneConvs.LoadOrStore(s, newLaneConv(s))
	return g.(*laneConv)
}

func newLaneConv(s tensor.ConvShape) *laneConv {
	g := &laneConv{s: s, P: s.OH * s.OW}
	g.hp = max(s.H+2*s.Pad, (s.OH-1)*s.Stride+s.R)
	g.wp = max(s.W+2*s.Pad, (s.OW-1)*s.Stride+s.S)
	g.planeLen = g.hp * g.wp * wlanes
	g.xiLen = s.C * g.planeLen
	g.boff = make([]int, s.C*s.R*s.S)
	for c := 0; c < s.C; c++ {
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				g.boff[(c*s.R+r)*s.S+q] = ((c*g.hp+r)*g.wp + q) * wlanes
			}
		}
	}
	g.pbase = make([]int, g.P)
	for oh := 0; oh < s.OH; oh++ {
		for ow := 0; ow < s.OW; ow++ {
			g.pbase[oh*s.OW+ow] = (oh*s.Stride*g.wp + ow*s.Stride) * wlanes
		}
	}
	return g
}

// pack interleaves cnt ≤ 16 images (src, stride apart) into xi, borders
// and absent lanes zero; tmp holds H·W·16 floats; zmm as interleave.
func (g *laneConv) pack(zmm bool, xi, tmp, src []float32, stride, cnt int) {
	s := g.s
	hw, rw := s.H*s.W, g.wp*wlanes
	for c := 0; c < s.C; c++ {
		interleave(zmm, tmp, src[c*hw:], stride, hw, cnt)
		plane := xi[c*g.planeLen:][:g.planeLen]
		clear(plane[:s.Pad*rw])
		for i := 0; i < s.H; i++ {
			row := plane[(s.Pad+i)*rw:][:rw]
			clear(row[:s.Pad*wlanes])
			copy(row[s.Pad*wlanes:], tmp[i*s.W*wlanes:(i+1)*s.W*wlanes])
			clear(row[(s.Pad+s.W)*wlanes:])
		}
		clear(plane[(s.Pad+s.H)*rw:])
	}
}

// unpackAdd adds the interior of dxi into cnt images (dst, stride apart),
// or with acc false writes it plus 0 (the bits of += into zeros); tmp
// holds H·W·16 floats; zmm as deinterleave.
func (g *laneConv) unpackAdd(zmm bool, dst, dxi, tmp []float32, stride, cnt int, acc bool) {
	s := g.s
	hw, rw := s.H*s.W, g.wp*wlanes
	for c := 0; c < s.C; c++ {
		plane := dxi[c*g.planeLen:][:g.planeLen]
		for i := 0; i < s.H; i++ {
			copy(tmp[i*s.W*wlanes:(i+1)*s.W*wlanes], plane[(s.Pad+i)*rw+s.Pad*wlanes:])
		}
		if acc {
			deinterleave(zmm, dst[c*hw:], stride, tmp, hw, cnt, true, nil)
		} else {
			deinterleave(zmm, dst[c*hw:], stride, tmp, hw, cnt, false, &rowEp{}) // v + 0
		}
	}
}

// lanesBlocks is the number of 16-image blocks of n images.
func lanesBlocks(n int) int { return ceilDiv(n, wlanes) }

// conv2DForwardLanes is Forward on lanes, with the epilogue ep (nil
// for none) applied as y is stored.
func (c *Engine) conv2DForwardLanes(ys, xs, ws []float32, s tensor.ConvShape, ep *convEpilogue) {
	g := laneConvFor(s)
	crs, chw, kp := s.C*s.R*s.S, s.C*s.H*s.W, s.K*g.P
	T := g.P * wlanes
	zmm := c.zmm()
	host.For(c.Threads, lanesBlocks(s.N), 1, func(lo, hi int) {
		xi, tmp, m := host.Scratch.Get(g.xiLen), host.Scratch.Get(s.H*s.W*wlanes), host.Scratch.Get(s.K*T)
		defer host.Scratch.Put(xi)
		defer host.Scratch.Put(tmp)
		defer host.Scratch.Put(m)
		for b := lo; b < hi; b++ {
			n0 := b * wlanes
			cnt := min(wlanes, s.N-n0)
			g.pack(zmm, xi, tmp, xs[n0*chw:], chw, cnt)
			c.Serial().SgemmPanels(s.K, T, crs, 1, ws, crs, xi, g.boff, g.pbase, 0, m, T)
			for k := 0; k < s.K; k++ {
				at := n0*kp + k*g.P
				deinterleave(zmm, ys[at:], kp, m[k*T:], g.P, cnt, false, ep.forChannel(k, at))
			}
		}
	})
}

// conv2DBackwardDataLanes is BackwardData on lanes.
func (c *Engine) conv2DBackwardDataLanes(dxs, dys, ws []float32, s tensor.ConvShape, acc bool) {
	g := laneConvFor(s)
	crs, chw, kp := s.C*s.R*s.S, s.C*s.H*s.W, s.K*g.P
	T := g.P * wlanes
	path, zmm := c.Path, c.zmm()
	host.For(c.Threads, lanesBlocks(s.N), 1, func(lo, hi int) {
		dyi, dcol := host.Scratch.Get(s.K*T), host.Scratch.Get(crs*T)
		dxi, tmp := host.Scratch.Get(g.xiLen), host.Scratch.Get(s.H*s.W*wlanes) // unpackAdd's staging
		defer host.Scratch.Put(dyi)
		defer host.Scratch.Put(dcol)
		defer host.Scratch.Put(dxi)
		defer host.Scratch.Put(tmp)
		for b := lo; b < hi; b++ {
			n0 := b * wlanes
			cnt := min(wlanes, s.N-n0)
			for k := 0; k < s.K; k++ {
				interleave(zmm, dyi[k*T:], dys[n0*kp+k*g.P:], kp, g.P, cnt)
			}
			// dcol [C·R·S, T] = Wᵀ · dY.
			c.Serial().Sgemm(true, false, crs, T, s.K, 1, ws, crs, dyi, T, 0, dcol, T)
			// dxi = Σ_p dcol[p] scattered to its window element's rows.
			clear(dxi[:g.xiLen])
			for p, o := range g.boff {
				src := dcol[p*T:]
				for oh := 0; oh < s.OH; oh++ {
					addRows16v(path, dxi[o+g.pbase[oh*s.OW]:], s.Stride*wlanes, src[oh*s.OW*wlanes:], s.OW)
				}
			}
			g.unpackAdd(zmm, dxs[n0*chw:], dxi, tmp, chw, cnt, acc)
		}
	})
}

// interleave writes np positions of the first 16 of cnt images (src,
// stride apart, each image's positions contiguous) into dst [np][16],
// lanes past cnt zero: eight images at a time through 8×8 transposes, or
// with zmm (the avx512 path) and 16 images 16 positions at a time through
// 16×16 ones, which write whole 64-byte rows of dst in one pass (the same
// values).
func interleave(zmm bool, dst, src []float32, stride, np, cnt int) {
	done := 0 // positions of all 16 lanes written by the 16×16 transposes
	if zmm && cnt >= wlanes {
		done = np &^ 15
		transpose16x16(dst, wlanes, 16*wlanes, src, stride, 16, done/16, false, nil)
	}
	for h := 0; h < wlanes; h += 8 {
		full := done // positions done by the transposes
		if h+8 <= cnt && np&^7 > done {
			full = np &^ 7
			transpose8x8(true, dst[done*wlanes+h:], wlanes, 8*wlanes, src[h*stride+done:], stride, 8, (full-done)/8, false, nil)
		}
		for l := h; l < h+8; l++ {
			d := dst[l:]
			if l >= cnt {
				for p := full; p < np; p++ {
					d[p*wlanes] = 0
				}
				continue
			}
			sp := src[l*stride:][:np]
			for p := full; p < np; p++ {
				d[p*wlanes] = sp[p]
			}
		}
	}
}

// deinterleave is interleave's inverse: dst (cnt images, stride apart)
// gets (=, or += with add) src [np][16]'s lanes, then ep's epilogue (nil
// for none; its res aligned with dst); zmm as in interleave. Each element
// sees the same operations whichever transpose or loop takes it.
func deinterleave(zmm bool, dst []float32, stride int, src []float32, np, cnt int, add bool, ep *rowEp) {
	done := 0
	if zmm && cnt >= wlanes {
		done = np &^ 15
		transpose16x16(dst, stride, 16, src, wlanes, 16*wlanes, done/16, add, ep)
	}
	for h := 0; h < min(wlanes, cnt); h += 8 {
		full := done
		if h+8 <= cnt && np&^7 > done {
			full = np &^ 7
			transpose8x8(true, dst[h*stride+done:], stride, 8, src[done*wlanes+h:], wlanes, 8*wlanes, (full-done)/8, add, ep.from(h*stride+done))
		}
		for l := h; l < min(h+8, cnt); l++ {
			d, s := dst[l*stride:][:np], src[l:]
			for p := full; p < np; p++ {
				v := s[p*wlanes]
				if add {
					v += d[p]
				}
				if ep != nil {
					v = ep.apply(v, l*stride+p)
				}
				d[p] = v
			}
		}
	}
}
