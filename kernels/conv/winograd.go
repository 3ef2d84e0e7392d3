package conv

import (
	"sync"

	"twostage/kernels/batchnorm"
	"twostage/kernels/internal/host"
	sgemmpkg "twostage/kernels/sgemm"
	"twostage/tensor"
)

// Winograd F(2×2, 3×3) for the 3×3, stride-1, pad-1 convolutions (Lavin &
// Gray 2016, "Fast Algorithms for Convolutional Neural Networks"). Each 2×2
// output tile of a plane comes from the 4×4 input patch d at the same place
// (top-left corner at input row 2·ty − 1, column 2·tx − 1):
//
//	y = Aᵀ [ Σ_c (G g[k,c] Gᵀ) ⊙ (Bᵀ d[c] B) ] A
//
//	Bᵀ = | 1  0 −1  0 |   G = | 1    0    0  |   Aᵀ = | 1  1  1  0 |
//	     | 0  1  1  0 |       | ½    ½    ½  |        | 0  1 −1 −1 |
//	     | 0 −1  1  0 |       | ½   −½    ½  |
//	     | 0  1  0 −1 |       | 0    0    1  |
//
// so the sum over c becomes 16 independent GEMMs, one per point ξ of the
// 4×4 transformed tile: M[ξ] [K, T] = U[ξ] [K, C] · V[ξ] [C, T] over T
// tiles, 16·K·C·T multiply-adds for the 4·T outputs instead of 36·K·C·T:
// 2.25 times fewer. The transforms are additions only (Bᵀ, Aᵀ) or halves
// (G), so the rounding stays close to direct convolution's: the tests hold
// it to the same tolerances.
//
// This file lays the images of a group side by side in long rows (the
// "rows" layout), used for planes wider than 32; winolanes.go runs
// the same algorithm on 16 interleaved images for the narrower ones.
//
// Work is split over groups of images (convPlan with winoTiles tiles per
// group, so that V and M, 16·(C+K)·T floats, stay in L2/L3). A group
// copies its images into a zero-bordered buffer, transforms them into V,
// runs the 16 GEMMs on one goroutine (serial) and transforms M back into
// the output, = for the forward pass and += for the data gradient. Every
// output element is computed by the same operations in the same order
// whatever the thread count.
//
// Backward data of a 3×3 pad-1 stride-1 conv is the same conv of dy with
// the kernel flipped and transposed (padded.go), so it runs here too.
//
// Backward filter differentiates the tile formula with respect to g: with
// V = Bᵀ d B as above and the 2×2 output-gradient tile dy,
//
//	dw[k, c] += Gᵀ [ Σ_tiles (A dy[k] Aᵀ) ⊙ (Bᵀ d[c] B) ] G,   A = (Aᵀ)ᵀ (4×2),
//
// again 16 GEMMs, M[ξ] [K, C] += W[ξ] [K, T] · V[ξ]ᵀ, whose inner
// dimension is the tiles: the sum over the batch happens inside them.

// winoTiles is the number of 2×2 tiles a group aims for (T); 256 tiles at
// C = K = 64 make V and M 1 MiB each.
const winoTiles = 256

// useWinograd reports whether the call takes the Winograd path: a 3×3,
// stride-1, pad-1 conv on the SIMD backend (the transforms are AVX2
// loops; NoSIMD keeps the im2col reference), with at least
// winoLanesMinChannels input and output channels on planes the lane
// layout takes (winolanes.go), winoMinChannels on wider ones.
//
// Measured with BenchmarkConv2DPath (batch 256, 2-core Zen 3, GFLOP/s
// counting the direct conv's FLOPs), forward / data / filter:
//
//	                 lanes            rows             padded grid
//	w64 c64 32×32    223/192/157      168/174/146
//	w64 c128 16×16   219/233/169      195/190/165
//	w64 c256 8×8     272/219/247      187/174/168
//	w64 c512 4×4     194/179/216      149/136/142
//	w16 c16 28×28     85/108/84                        71/71/72
//	w16 c32 14×14    141/127/110      107/83/84        73/69/71
//	w16 c64 7×7      120/112/111       88/91/104       71/65/72
//	w16 c128 4×4     150/136/134       76/97/95        77/78/78
//	w8 c8 28×28       29/34/66                         28/41/24
//
// On that Zen 3 the 8-channel forward and data passes' GEMMs were too
// small to pay for the transforms. On the machines of today they are not,
// on either SIMD path, so the lanes start at 8 channels in every pass (the
// same choice on both paths keeps their bits equal): w8 c8 28×28, batch
// 256, 2 threads, ms forward / data, Winograd lanes against the padded
// grid, three runs each:
//
//	2-core AMD EPYC (Zen 5), avx512   2.07-2.12 / 2.36-2.47 against 2.53-2.54 / 2.72-2.77
//	                         avx2     2.15-2.34 / 2.29-2.62 against 2.81-3.01 / 3.16-3.24
//	2-core Xeon (Emerald Rapids), avx512  3.27-3.57 / 3.19-3.20 against 4.76-5.31 / 4.60-4.95
//	                              avx2    3.82 / 3.80 against 4.79 / 5.13
func (c *Engine) useWinograd(s tensor.ConvShape) bool {
	if !c.SIMD() || winoMode == padNever || s.R != 3 || s.S != 3 || s.Stride != 1 || s.Pad != 1 {
		return false
	}
	if winoMode == padAlways {
		return true
	}
	if c.useWinoLanes(s.W) {
		return min(s.C, s.K) >= winoLanesMinChannels
	}
	return min(s.C, s.K) >= winoMinChannels
}

// useWinogradFilter is useWinograd for the filter-gradient pass, which
// takes the lanes down to winoLanesMinFilterChannels.
func (c *Engine) useWinogradFilter(s tensor.ConvShape) bool {
	if c.useWinograd(s) {
		return true
	}
	return winoMode == padAuto && c.SIMD() && s.R == 3 && s.S == 3 && s.Stride == 1 && s.Pad == 1 &&
		c.useWinoLanes(s.W) && min(s.C, s.K) >= winoLanesMinFilterChannels
}

// winoMinChannels, winoLanesMinChannels and winoLanesMinFilterChannels: see
// useWinograd.
const (
	winoMinChannels            = 32
	winoLanesMinChannels       = 8
	winoLanesMinFilterChannels = 8
)

// winoMode is padAuto in production; tests force the Winograd path
// (padAlways) or turn it off (padNever) to check every path.
var winoMode = padAuto

// winoFilter writes U[ξ][k][ci] = (G g Gᵀ)[ξ] for the kernels g = w[k, ci]
// (3×3 each), or with flip, g = w[ci, k] rotated by 180° (the data-gradient
// kernel w'[k, ci, r, q] = w[ci, k, 2−r, 2−q]); ko and ci count U's rows
// and columns, w is [ko, ci, 3, 3], or [ci, ko, 3, 3] with flip.
func (c *Engine) winoFilter(u, w []float32, ko, ci int, flip bool) {
	// Rows k in parallel (each writes its own entries of U): serial, the
	// width-16 step spent 2 % of its time here with the other core idle.
	host.For(c.Threads, ko, max(1, 4096/(9*ci)), func(lo, hi int) { winoFilterRows(u, w, ko, ci, flip, lo, hi) })
}

// winoFilterRows is winoFilter for the rows k in [lo, hi). U's 16 planes
// lie ko·ci floats apart, a multiple of 4 KB for the wide layers, so
// writing each kernel's 16 values straight into them would put 16 store
// streams in the same L1 sets; blocks of 16 kernels are staged in blk and
// copied out a cache line per plane instead (2.5× faster at 128×128).
func winoFilterRows(u, w []float32, ko, ci int, flip bool, lo, hi int) {
	const cb = 16
	kc := ko * ci
	var blk [16][cb]float32 // U[ξ][k][c0 : c0+cb]
	for k := lo; k < hi; k++ {
		for c0 := 0; c0 < ci; c0 += cb {
			nc := min(cb, ci-c0)
			for cc := 0; cc < nc; cc++ {
				c := c0 + cc
				var g [9]float32
				if flip {
					src := w[(c*ko+k)*9 : (c*ko+k+1)*9]
					for i, v := range src {
						g[8-i] = v
					}
				} else {
					g = [9]float32(w[(k*ci+c)*9 : (k*ci+c+1)*9])
				}
				// t = G g (4×3), then U = t Gᵀ (4×4).
				var t [4][3]float32
				for j := 0; j < 3; j++ {
					g0, g1, g2 := g[j], g[3+j], g[6+j]
					t[0][j] = g0
					t[1][j] = 0.5 * (g0 + g1 + g2)
					t[2][j] = 0.5 * (g0 - g1 + g2)
					t[3][j] = g2
				}
				for i := 0; i < 4; i++ {
					t0, t1, t2 := t[i][0], t[i][1], t[i][2]
					blk[i*4+0][cc] = t0
					blk[i*4+1][cc] = 0.5 * (t0 + t1 + t2)
					blk[i*4+2][cc] = 0.5 * (t0 - t1 + t2)
					blk[i*4+3][cc] = t2
				}
			}
			at := k*ci + c0
			for x := range blk {
				copy(u[x*kc+at:x*kc+at+nc], blk[x][:nc])
			}
		}
	}
}

// winoGeom is the tiling of a group of cnt images. Their zero-bordered
// planes sit side by side in rows of rw = cnt·wp floats,
//
//	xp [ci, hp, rw],  xp[c, 1+i, n·wp + 1+j] = x[n0+n, c, i, j],  hp = 2·th+2, wp = 2·tw+2,
//
// (th×tw = ⌈h/2⌉×⌈w/2⌉ tiles per image; one zero row and column around
// each image, one more at the far side when h or w is odd). Tiles run
// across a whole row of xp every 2 columns: tile u of tile row ty reads
// xp[c, 2ty : 2ty+4, 2u : 2u+4], so each image has tw+1 tiles per tile
// row, the last straddling into the next image (garbage, computed and
// never stored), and tile t = ty·U + u with U = cnt·(tw+1) and T = th·U.
// The outputs go to a staging grid out [ko, 2·th, rwp] the same way (tile u
// covers columns 2u, 2u+1) and are then unpacked into the images.
type winoGeom struct {
	h, w, th, tw, hp, wp int
	cnt, rw, U, T        int
	rwp, tp              int // staging row stride rw+winoPad, plane stride T+8
}

func newWinoGeom(h, w, cnt int) winoGeom {
	th, tw := (h+1)/2, (w+1)/2
	g := winoGeom{h: h, w: w, th: th, tw: tw, hp: 2*th + 2, wp: 2*tw + 2, cnt: cnt}
	g.rw = cnt * g.wp
	g.U = cnt * (tw + 1)
	g.T = th * g.U
	g.rwp, g.tp = g.rw+winoPad, g.T+8
	return g
}

// u8 is U rounded up to whole 8-tile iterations of the assembly loops: the
// tiles past U are garbage too. Their reads stay inside the buffers (xp's
// next row or winoSlack, the staging rows' winoPad) and their writes land
// in the next tile row's slots, which are written after them, or in the 8
// spare slots at the end of each plane (tp) and staging row (winoPad).
func (g winoGeom) u8() int { return (g.U + 7) &^ 7 }

// winoSlack is the zero tail of xp past the last row, and winoPad the
// spare columns of each staging row: the last 8-tile iteration reads up to
// 2·7+2 columns past a row's end.
const (
	winoSlack = 32
	winoPad   = 16
)

// xpLen is the length of the bordered copy of ci planes.
func (g winoGeom) xpLen(ci int) int { return ci*g.hp*g.rw + winoSlack }

// pack copies the group's images (stride apart, ci planes of h×w) into the
// interior of xp; the border must already be zero.
func (g winoGeom) pack(xp, src []float32, stride, ci int) {
	for c := 0; c < ci; c++ {
		for n := 0; n < g.cnt; n++ {
			plane := src[n*stride+c*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				copy(xp[(c*g.hp+1+i)*g.rw+n*g.wp+1:][:g.w], plane[i*g.w:(i+1)*g.w])
			}
		}
	}
}

// convEpilogue is what a convolution applies to the outputs of channel k
// as it stores them (Conv2DForwardBN): y = act(out + shift[k] + res), res
// (nil for none) laid out as y, act a ReLU when relu is set.
type convEpilogue struct {
	shift, res []float32
	relu       bool
	path       sgemmpkg.Path // the SIMD path of apply and unpack's affinev
}

// forChannel is the epilogue of output channel k for values stored from
// offset at of the output on (nil when ep is nil): ep's res, which starts
// where the output does, cut at the same offset.
func (ep *convEpilogue) forChannel(k, at int) *rowEp {
	if ep == nil {
		return nil
	}
	return (&rowEp{shift: ep.shift[k], res: ep.res, relu: ep.relu}).from(at)
}

// apply runs the epilogue in place over cnt stored images y (stride apart,
// ko planes of hw each); res starts at the same image as y.
func (ep *convEpilogue) apply(y []float32, stride, cnt, ko, hw int) {
	for t := 0; t < cnt; t++ {
		for k := 0; k < ko; k++ {
			row := y[t*stride+k*hw:][:hw]
			var r []float32
			if ep.res != nil {
				r = ep.res[t*stride+k*hw:][:hw]
			}
			batchnorm.Affine(ep.path, row, row, r, 0, 1, ep.shift[k], ep.relu)
		}
	}
}

// unpack moves the valid outputs of the staging grid into the images:
//
//	dst[n·stride + (k·h + i)·w + j] (= or += with add) out[(k·2th + i)·rwp + n·wp + j],
//
// or with an epilogue ep, = ep's function of it; ep.res starts at the
// group's first image, like dst.
func (g winoGeom) unpack(dst []float32, stride int, out []float32, ko int, add bool, ep *convEpilogue) {
	for k := 0; k < ko; k++ {
		for n := 0; n < g.cnt; n++ {
			plane := dst[n*stride+k*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				s := out[(k*2*g.th+i)*g.rwp+n*g.wp:][:g.w]
				d := plane[i*g.w : (i+1)*g.w]
				if ep != nil {
					var r []float32
					if ep.res != nil {
						r = ep.res[n*stride+(k*g.h+i)*g.w:][:g.w]
					}
					batchnorm.Affine(ep.path, d, s, r, 0, 1, ep.shift[k], ep.relu)
					continue
				}
				if add {
					for j, v := range s {
						d[j] += v
					}
				} else {
					copy(d, s)
				}
			}
		}
	}
}

// input transforms the whole group, 8 tiles at a time:
//
//	V[(ξ·ci + c)·tp + ty·U + u] = (Bᵀ d B)[ξ],  d = xp[c, 2ty : 2ty+4, 2u : 2u+4].
func (g winoGeom) input(v, xp []float32, ci int) {
	n8, vst := g.u8(), ci*g.tp
	_ = xp[(ci*g.hp-1)*g.rw+2*n8+2-1] // the last read lies inside xp
	_ = v[15*vst+(ci-1)*g.tp+g.T-g.U+n8-1]
	for c := 0; c < ci; c++ {
		for ty := 0; ty < g.th; ty++ {
			winoInAVX2(&v[c*g.tp+ty*g.U], vst, &xp[(c*g.hp+2*ty)*g.rw], g.rw, n8)
		}
	}
}

// output transforms M [16, ko, tp] into the staging grid out [ko, 2·th,
// rwp], 8 tiles at a time:
//
//	out[(k·2th + 2ty + i)·rwp + 2u + j] = (Aᵀ m A)[i, j],  m[ξ] = M[(ξ·ko + k)·tp + ty·U + u].
func (g winoGeom) output(out, m []float32, ko int) {
	n8, mst := g.u8(), ko*g.tp
	_ = m[15*mst+(ko-1)*g.tp+g.T-g.U+n8-1]
	_ = out[(ko*2*g.th-1)*g.rwp+2*n8-1]
	for k := 0; k < ko; k++ {
		for ty := 0; ty < g.th; ty++ {
			winoOutAVX2(&out[(k*2*g.th+2*ty)*g.rwp], g.rwp, &m[k*g.tp+ty*g.U], mst, n8)
		}
	}
}

// winoGroups splits n images of h×w into ng groups of nb (the last may be
// shorter): about winoTiles tiles per group (garbage tiles included), and
// at least one group per thread.
func (c *Engine) winoGroups(n, h, w int) (nb, ng int) {
	tiles := (h + 1) / 2 * ((w+1)/2 + 1)
	nb = max(1, min(ceilDiv(winoTiles, tiles), ceilDiv(n, c.Threads)))
	return nb, ceilDiv(n, nb)
}

// conv2DWinograd computes dst (= or += with add) [N, ko, h, w] = the 3×3
// pad-1 conv of src [N, ci, h, w] whose transformed kernel is u
// [16, ko, ci] (winoFilter), then ep (nil for none) as it stores y. Each
// U[ξ] is packed for the GEMM once per call rather than once per group.
func (c *Engine) conv2DWinograd(dst, src, u []float32, n, ci, ko, h, w int, add bool, ep *convEpilogue) {
	if c.useWinoLanes(w) {
		c.conv2DWinoLanes(dst, src, u, n, ci, ko, h, w, add, ep)
		return
	}
	pas := packedUs.get()
	defer packedUs.put(pas)
	for xi := range pas {
		c.Serial().PackA(&pas[xi], false, ko, ci, u[xi*ko*ci:(xi+1)*ko*ci], ci)
	}
	nb, ng := c.winoGroups(n, h, w)
	sin, sout := ci*h*w, ko*h*w
	host.For(c.Threads, ng, 1, func(lo, hi int) {
		big := newWinoGeom(h, w, nb)
		xp := host.Scratch.Get(big.xpLen(ci))
		v := host.Scratch.Get(16 * ci * big.tp)
		m := host.Scratch.Get(16 * ko * big.tp)
		out := host.Scratch.Get(ko * 2 * big.th * big.rwp)
		defer host.Scratch.Put(xp)
		defer host.Scratch.Put(v)
		defer host.Scratch.Put(m)
		defer host.Scratch.Put(out)
		cnt := 0 // the group size xp's zero border is laid out for
		for gi := lo; gi < hi; gi++ {
			n0 := gi * nb
			g := newWinoGeom(h, w, min(nb, n-n0))
			if g.cnt != cnt {
				cnt = g.cnt
				clear(xp[:g.xpLen(ci)])
			}
			g.pack(xp, src[n0*sin:], sin, ci)
			g.input(v, xp, ci)
			for xi := range pas {
				c.Serial().SgemmPacked(&pas[xi], false, g.T, 1, v[xi*ci*g.tp:], g.tp, 0, m[xi*ko*g.tp:], g.tp)
			}
			g.output(out, m, ko)
			var gep *convEpilogue // ep with res moved to the group
			if ep != nil {
				gep = &convEpilogue{shift: ep.shift, res: host.From(ep.res, n0*sout), relu: ep.relu, path: ep.path}
			}
			g.unpack(dst[n0*sout:], sout, out, ko, add, gep)
		}
	})
}

// packedUs recycles the 16 packed transformed kernels of a call (up to
// 16·512·512 floats), as scratch does other buffers.
var packedUs packPool

type packPool struct {
	mu   sync.Mutex
	free []*[16]sgemmpkg.PackedA
}

func (p *packPool) get() *[16]sgemmpkg.PackedA {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		b := p.free[n-1]
		p.free = p.free[:n-1]
		return b
	}
	return new([16]sgemmpkg.PackedA)
}

func (p *packPool) put(b *[16]sgemmpkg.PackedA) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, b)
}

// conv2DForwardWinograd is Forward on the Winograd path.
func (c *Engine) conv2DForwardWinograd(ys, xs, ws []float32, s tensor.ConvShape) {
	u := host.Scratch.Get(16 * s.K * s.C)
	defer host.Scratch.Put(u)
	c.winoFilter(u, ws, s.K, s.C, false)
	c.conv2DWinograd(ys, xs, u, s.N, s.C, s.K, s.H, s.W, false, nil)
}

// conv2DBackwardDataWinograd is BackwardData on the Winograd path:
// dx += the conv of dy with w'[c, k] = w[k, c] rotated by 180°, or with
// acc false dx = that conv + 0 (a zero-shift epilogue: the bits of += into
// zeros, −0 included).
func (c *Engine) conv2DBackwardDataWinograd(dxs, dys, ws []float32, s tensor.ConvShape, acc bool) {
	u := host.Scratch.Get(16 * s.C * s.K)
	defer host.Scratch.Put(u)
	c.winoFilter(u, ws, s.C, s.K, true)
	var ep *convEpilogue
	if !acc {
		ep = &convEpilogue{shift: zeroShift(s.C)}
	}
	c.conv2DWinograd(dxs, dys, u, s.N, s.K, s.C, s.H, s.W, acc, ep)
}

// zeroShifts backs zeroShift; nothing writes it.
var zeroShifts [1024]float32

// zeroShift returns n zeros, a shift for an epilogue that adds +0 to each
// stored value (= then gives the bits of += into a zeroed buffer).
func zeroShift(n int) []float32 {
	if n <= len(zeroShifts) {
		return zeroShifts[:n:n]
	}
	return make([]float32, n)
}

// spread lays the group's output gradients (stride apart, ko planes of
// h×w) on the staging grid out [ko, 2·th, rwp], the layout output writes;
// the positions of garbage tiles and of an odd h or w must already be
// zero (never written).
func (g winoGeom) spread(out, src []float32, stride, ko int) {
	for k := 0; k < ko; k++ {
		for n := 0; n < g.cnt; n++ {
			plane := src[n*stride+k*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				copy(out[(k*2*g.th+i)*g.rwp+n*g.wp:][:g.w], plane[i*g.w:(i+1)*g.w])
			}
		}
	}
}

// gradInput transforms the staged gradients out [ko, 2·th, rwp], 8 tiles
// at a time:
//
//	W[(ξ·ko + k)·tp + ty·U + u] = (A e Aᵀ)[ξ],  e[i, j] = out[(k·2th + 2ty + i)·rwp + 2u + j],
//
// with A = (Aᵀ)ᵀ, the 4×2 matrix of rows (1, 0), (1, 1), (1, −1), (0, −1).
func (g winoGeom) gradInput(w, out []float32, ko int) {
	n8, wst := g.u8(), ko*g.tp
	_ = out[(ko*2*g.th-1)*g.rwp+2*n8-1]
	_ = w[15*wst+(ko-1)*g.tp+g.T-g.U+n8-1]
	for k := 0; k < ko; k++ {
		for ty := 0; ty < g.th; ty++ {
			winoDyAVX2(&w[k*g.tp+ty*g.U], wst, &out[(k*2*g.th+2*ty)*g.rwp], g.rwp, n8)
		}
	}
}

// winoFilterGrad adds dw[k, c] += Gᵀ m G for m[ξ] = M[ξ·K·C + k·C + c],
// dw [K, C, 3, 3]:
//
//	Gᵀ = | 1  ½  ½  0 |
//	     | 0  ½ −½  0 |
//	     | 0  ½  ½  1 |
func winoFilterGrad(dw, m []float32, K, C int) { winoFilterGradPlanes(dw, m, K, C, K*C) }

// winoFilterGradPlanes is winoFilterGrad with the ξ planes of m plane
// floats apart (at least K·C).
func winoFilterGradPlanes(dw, m []float32, K, C, plane int) {
	kc := K * C
	for at := 0; at < kc; at++ {
		var t [3][4]float32 // Gᵀ m
		for j := 0; j < 4; j++ {
			m0, m1, m2, m3 := m[j*plane+at], m[(4+j)*plane+at], m[(8+j)*plane+at], m[(12+j)*plane+at]
			t[0][j] = m0 + 0.5*(m1+m2)
			t[1][j] = 0.5 * (m1 - m2)
			t[2][j] = 0.5*(m1+m2) + m3
		}
		d := dw[at*9 : at*9+9]
		for i := 0; i < 3; i++ {
			t0, t1, t2, t3 := t[i][0], t[i][1], t[i][2], t[i][3]
			d[i*3] += t0 + 0.5*(t1+t2)
			d[i*3+1] += 0.5 * (t1 - t2)
			d[i*3+2] += 0.5*(t1+t2) + t3
		}
	}
}

// conv2DBackwardFilterWinograd is BackwardFilter on the Winograd
// path. The groups are cut into one fixed chunk per thread (chunks); chunk
// q sums its tiles into its own M_q [16, K, C] in group order, and then
// dw += Gᵀ (M_0 + M_1 + …) G in chunk order, so a given thread count
// always gives the same bits.
func (c *Engine) conv2DBackwardFilterWinograd(dws, dys, xs []float32, s tensor.ConvShape) {
	if c.useWinoLanes(s.W) {
		c.conv2DBackwardFilterWinoLanes(dws, dys, xs, s)
		return
	}
	nb, ng := c.winoGroups(s.N, s.H, s.W)
	sin, sout := s.C*s.H*s.W, s.K*s.H*s.W
	kc := s.K * s.C
	bounds := host.Chunks(c.Threads, ng, 1)
	nch := len(bounds) - 1
	ms := make([][]float32, nch)
	host.For(nch, nch, 1, func(qlo, qhi int) {
		for q := qlo; q < qhi; q++ {
			big := newWinoGeom(s.H, s.W, nb)
			xp := host.Scratch.Get(big.xpLen(s.C))
			v := host.Scratch.Get(16 * s.C * big.tp)
			w := host.Scratch.Get(16 * s.K * big.tp)
			dyg := host.Scratch.Get(s.K * 2 * big.th * big.rwp)
			m := host.Scratch.Get(16 * kc)
			clear(m)
			cnt := 0
			for gi := bounds[q]; gi < bounds[q+1]; gi++ {
				n0 := gi * nb
				g := newWinoGeom(s.H, s.W, min(nb, s.N-n0))
				if g.cnt != cnt {
					cnt = g.cnt
					clear(xp[:g.xpLen(s.C)])
					clear(dyg[:s.K*2*g.th*g.rwp])
				}
				g.pack(xp, xs[n0*sin:], sin, s.C)
				g.input(v, xp, s.C)
				g.spread(dyg, dys[n0*sout:], sout, s.K)
				g.gradInput(w, dyg, s.K)
				for xi := 0; xi < 16; xi++ {
					c.Serial().Sgemm(false, true, s.K, s.C, g.T, 1, w[xi*s.K*g.tp:], g.tp,
						v[xi*s.C*g.tp:], g.tp, 1, m[xi*kc:(xi+1)*kc], s.C)
				}
			}
			host.Scratch.Put(xp)
			host.Scratch.Put(v)
			host.Scratch.Put(w)
			host.Scratch.Put(dyg)
			ms[q] = m
		}
	})
	winoFilterFinish(dws, ms, s.K, s.C, kc)
}

// winoFilterFinish sums the chunks' M_q [16][·][C] (ξ planes plane floats
// apart) in chunk order into ms[0], adds Gᵀ M G into dw [K, C, 3, 3] and
// hands the buffers back to scratch.
func winoFilterFinish(dws []float32, ms [][]float32, K, C, plane int) {
	for q := 1; q < len(ms); q++ {
		for i, v := range ms[q][:len(ms[0])] {
			ms[0][i] += v
		}
		host.Scratch.Put(ms[q])
	}
	winoFilterGradPlanes(dws, ms[0], K, C, plane)
	host.Scratch.Put(ms[0])
}
