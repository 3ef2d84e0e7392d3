package kernels

import "twostage/tensor"

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
// Work is split over groups of images (convPlan with winoTiles tiles per
// group, so that V and M, 16·(C+K)·T floats, stay in L2/L3). A group
// copies its images into a zero-bordered buffer, transforms them into V,
// runs the 16 GEMMs on one goroutine (serial) and transforms M back into
// the output, = for the forward pass and += for the data gradient. Every
// output element is computed by the same operations in the same order
// whatever the thread count.
//
// Backward data of a 3×3 pad-1 stride-1 conv is the same conv of dy with
// the kernel flipped and transposed (conv2d_padded.go), so it runs here too.
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
// loops; NoSIMD keeps the im2col reference), with at least winoMinChannels
// input and output channels; filter selects the weight gradient, which
// also leaves the 32×32 planes with fewer than 128 channels to the
// padded-width grid.
//
// Measured with BenchmarkConv2DPath (batch 256, 2-core Zen 3, GFLOP/s of
// the direct conv's FLOPs, Winograd vs the padded grid): width 64 at
// 32×32 … 4×4 forward 158/114, 161/121, 179/105, 135/96, data 120/96,
// 135/100, 162/100, 134/78, filter 109/120, 145/131, 169/115, 146/95;
// width 16 (28×28 … 4×4) forward 54/84, 89/67, 89/64, 87/79, data
// 44/57, 79/61, 64/73, 72/76, filter 38/59, 85/70, 98/80, 91/76. With 16
// channels the 16 GEMMs are too small to pay for the transforms.
func (c *CPU) useWinograd(s tensor.ConvShape, filter bool) bool {
	if !c.simd() || winoMode == padNever || s.R != 3 || s.S != 3 || s.Stride != 1 || s.Pad != 1 {
		return false
	}
	if winoMode == padAlways {
		return true
	}
	ch := min(s.C, s.K)
	if filter && s.H >= 32 && ch < 128 {
		return false
	}
	return ch >= winoMinChannels
}

// winoMinChannels: see useWinograd.
const winoMinChannels = 32

// winoMode is padAuto in production; tests force the Winograd path
// (padAlways) or turn it off (padNever) to check every path.
var winoMode = padAuto

// winoFilter writes U[ξ][k][ci] = (G g Gᵀ)[ξ] for the kernels g = w[k, ci]
// (3×3 each), or with flip, g = w[ci, k] rotated by 180° (the data-gradient
// kernel w'[k, ci, r, q] = w[ci, k, 2−r, 2−q]); ko and ci count U's rows
// and columns, w is [ko, ci, 3, 3], or [ci, ko, 3, 3] with flip.
func winoFilter(u, w []float32, ko, ci int, flip bool) {
	kc := ko * ci
	for k := 0; k < ko; k++ {
		for c := 0; c < ci; c++ {
			var g [9]float32
			if flip {
				src := w[(c*ko+k)*9 : (c*ko+k+1)*9]
				for i, v := range src {
					g[8-i] = v
				}
			} else {
				copy(g[:], w[(k*ci+c)*9:(k*ci+c+1)*9])
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
			at := k*ci + c
			for i := 0; i < 4; i++ {
				t0, t1, t2 := t[i][0], t[i][1], t[i][2]
				u[(i*4+0)*kc+at] = t0
				u[(i*4+1)*kc+at] = 0.5 * (t0 + t1 + t2)
				u[(i*4+2)*kc+at] = 0.5 * (t0 - t1 + t2)
				u[(i*4+3)*kc+at] = t2
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
// The outputs go to a staging grid out [ko, 2·th, rw] the same way (tile u
// covers columns 2u, 2u+1) and are then unpacked into the images.
type winoGeom struct {
	h, w, th, tw, hp, wp int
	cnt, rw, U, T        int
}

func newWinoGeom(h, w, cnt int) winoGeom {
	th, tw := (h+1)/2, (w+1)/2
	g := winoGeom{h: h, w: w, th: th, tw: tw, hp: 2*th + 2, wp: 2*tw + 2, cnt: cnt}
	g.rw = cnt * g.wp
	g.U = cnt * (tw + 1)
	g.T = th * g.U
	return g
}

// winoSlack is the zero tail of xp past the last row: the 8-tile loop
// reads up to 2 columns past a row's end.
const winoSlack = 16

// xpLen is the length of the bordered copy of ci planes.
func (g winoGeom) xpLen(ci int) int { return ci*g.hp*g.rw + winoSlack }

// pack copies the group's images (stride apart, ci planes of h×w) into the
// interior of xp; the border must already be zero.
func (g winoGeom) pack(xp, src []float32, stride, ci int) {
	for c := 0; c < ci; c++ {
		for n := 0; n < g.cnt; n++ {
			plane := src[n*stride+c*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				d := xp[(c*g.hp+1+i)*g.rw+n*g.wp+1:][:g.w]
				for j, v := range plane[i*g.w : (i+1)*g.w] {
					d[j] = v
				}
			}
		}
	}
}

// unpack moves the valid outputs of the staging grid into the images:
//
//	dst[n·stride + (k·h + i)·w + j] (= or += with add) out[(k·2th + i)·rw + n·wp + j].
func (g winoGeom) unpack(dst []float32, stride int, out []float32, ko int, add bool) {
	for k := 0; k < ko; k++ {
		for n := 0; n < g.cnt; n++ {
			plane := dst[n*stride+k*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				s := out[(k*2*g.th+i)*g.rw+n*g.wp:][:g.w]
				d := plane[i*g.w : (i+1)*g.w]
				if add {
					for j, v := range s {
						d[j] += v
					}
				} else {
					for j, v := range s {
						d[j] = v
					}
				}
			}
		}
	}
}

// winoIn writes the input transform of tiles [u0, u1) of one tile row of
// one channel: with r0..r3 the four padded rows 2ty..2ty+3 and v[ξ·vst + u]
// the destination (v starting at tile u = 0 of the row in V[ξ = 0]),
//
//	v[ξ·vst + u] = (Bᵀ d B)[ξ],  d[i, j] = r_i[2u + j].
func winoIn(v []float32, vst int, r0, r1, r2, r3 []float32, u0, u1 int) {
	for u := u0; u < u1; u++ {
		x := 2 * u
		var d [4][4]float32 // Bᵀ applied down each of the 4 columns
		for j := 0; j < 4; j++ {
			a0, a1, a2, a3 := r0[x+j], r1[x+j], r2[x+j], r3[x+j]
			d[0][j], d[1][j], d[2][j], d[3][j] = a0-a2, a1+a2, a2-a1, a1-a3
		}
		for i := 0; i < 4; i++ {
			b0, b1, b2, b3 := d[i][0], d[i][1], d[i][2], d[i][3]
			p := i*4*vst + u
			v[p] = b0 - b2
			v[p+vst] = b1 + b2
			v[p+2*vst] = b2 - b1
			v[p+3*vst] = b1 - b3
		}
	}
}

// winoOut writes the output transform of tiles [u0, u1) of one tile row
// of one output channel: with m[ξ·mst + u] the transformed products and
// o0, o1 the staging rows 2ty, 2ty+1,
//
//	o_i[2u + j] = (Aᵀ m A)[i, j].
func winoOut(o0, o1, m []float32, mst, u0, u1 int) {
	for u := u0; u < u1; u++ {
		var s0, s1 [4]float32
		for j := 0; j < 4; j++ {
			m0, m1, m2, m3 := m[j*mst+u], m[(4+j)*mst+u], m[(8+j)*mst+u], m[(12+j)*mst+u]
			s0[j] = m0 + m1 + m2
			s1[j] = m1 - m2 - m3
		}
		x := 2 * u
		o0[x], o0[x+1] = s0[0]+s0[1]+s0[2], s0[1]-s0[2]-s0[3]
		o1[x], o1[x+1] = s1[0]+s1[1]+s1[2], s1[1]-s1[2]-s1[3]
	}
}

// input transforms the whole group: V[(ξ·ci + c)·T + ty·U + u] for every
// channel, tile row and tile, 8 tiles at a time in assembly.
func (g winoGeom) input(v, xp []float32, ci int) {
	n8 := g.U &^ 7
	vst := ci * g.T
	for c := 0; c < ci; c++ {
		for ty := 0; ty < g.th; ty++ {
			at := (c*g.hp + 2*ty) * g.rw
			vr := v[c*g.T+ty*g.U:]
			if n8 > 0 {
				_ = xp[at+3*g.rw+2*n8+2-1] // the loop's last read lies inside xp
				_ = vr[15*vst+n8-1]
				winoInAVX2(&vr[0], vst, &xp[at], g.rw, n8)
			}
			if n8 < g.U {
				r := xp[at:]
				winoIn(vr, vst, r, r[g.rw:], r[2*g.rw:], r[3*g.rw:], n8, g.U)
			}
		}
	}
}

// output transforms M [16, ko, T] into the staging grid out [ko, 2·th, rw].
func (g winoGeom) output(out, m []float32, ko int) {
	n8 := g.U &^ 7
	mst := ko * g.T
	for k := 0; k < ko; k++ {
		for ty := 0; ty < g.th; ty++ {
			mr := m[k*g.T+ty*g.U:]
			o := out[(k*2*g.th+2*ty)*g.rw:]
			if n8 > 0 {
				_ = mr[15*mst+n8-1]
				_ = o[g.rw+2*n8-1]
				winoOutAVX2(&o[0], g.rw, &mr[0], mst, n8)
			}
			if n8 < g.U {
				winoOut(o, o[g.rw:], mr, mst, n8, g.U)
			}
		}
	}
}

// conv2DWinograd computes dst (= or += with add) [N, ko, h, w] = the 3×3
// pad-1 conv of src [N, ci, h, w] whose transformed kernel is u
// [16, ko, ci] (winoFilter).
func (c *CPU) conv2DWinograd(dst, src, u []float32, n, ci, ko, h, w int, add bool) {
	tiles := (h + 1) / 2 * ((w+1)/2 + 1)
	nb := max(1, min(ceilDiv(winoTiles, tiles), ceilDiv(n, c.threads())))
	ng := ceilDiv(n, nb)
	sin, sout := ci*h*w, ko*h*w
	parallelFor(c.threads(), ng, 1, func(lo, hi int) {
		big := newWinoGeom(h, w, nb)
		xp := scratch.get(big.xpLen(ci))
		v := scratch.get(16 * ci * big.T)
		m := scratch.get(16 * ko * big.T)
		out := scratch.get(ko * 2 * big.th * big.rw)
		defer scratch.put(xp)
		defer scratch.put(v)
		defer scratch.put(m)
		defer scratch.put(out)
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
			for xi := 0; xi < 16; xi++ {
				serial.Sgemm(false, false, ko, g.T, ci, 1, u[xi*ko*ci:(xi+1)*ko*ci], ci,
					v[xi*ci*g.T:(xi+1)*ci*g.T], g.T, 0, m[xi*ko*g.T:(xi+1)*ko*g.T], g.T)
			}
			g.output(out, m, ko)
			g.unpack(dst[n0*sout:], sout, out, ko, add)
		}
	})
}

// conv2DForwardWinograd is Conv2DForward on the Winograd path.
func (c *CPU) conv2DForwardWinograd(ys, xs, ws []float32, s tensor.ConvShape) {
	u := scratch.get(16 * s.K * s.C)
	defer scratch.put(u)
	winoFilter(u, ws, s.K, s.C, false)
	c.conv2DWinograd(ys, xs, u, s.N, s.C, s.K, s.H, s.W, false)
}

// conv2DBackwardDataWinograd is Conv2DBackwardData on the Winograd path:
// dx += the conv of dy with w'[c, k] = w[k, c] rotated by 180°.
func (c *CPU) conv2DBackwardDataWinograd(dxs, dys, ws []float32, s tensor.ConvShape) {
	u := scratch.get(16 * s.C * s.K)
	defer scratch.put(u)
	winoFilter(u, ws, s.C, s.K, true)
	c.conv2DWinograd(dxs, dys, u, s.N, s.K, s.C, s.H, s.W, true)
}

// spread lays the group's output gradients (stride apart, ko planes of
// h×w) on the staging grid out [ko, 2·th, rw], the layout output writes;
// the positions of garbage tiles and of an odd h or w must already be
// zero (never written).
func (g winoGeom) spread(out, src []float32, stride, ko int) {
	for k := 0; k < ko; k++ {
		for n := 0; n < g.cnt; n++ {
			plane := src[n*stride+k*g.h*g.w:][:g.h*g.w]
			for i := 0; i < g.h; i++ {
				d := out[(k*2*g.th+i)*g.rw+n*g.wp:][:g.w]
				for j, v := range plane[i*g.w : (i+1)*g.w] {
					d[j] = v
				}
			}
		}
	}
}

// winoDy writes the gradient transform of tiles [u0, u1) of one tile row
// of one output channel: with r0, r1 the staging rows 2ty, 2ty+1,
//
//	w[ξ·wst + u] = (A e Aᵀ)[ξ],  e[i, j] = r_i[2u + j],  A = | 1  0 |
//	                                                      | 1  1 |
//	                                                      | 1 −1 |
//	                                                      | 0 −1 |
func winoDy(w []float32, wst int, r0, r1 []float32, u0, u1 int) {
	for u := u0; u < u1; u++ {
		x := 2 * u
		d00, d01, d10, d11 := r0[x], r0[x+1], r1[x], r1[x+1]
		rows := [4][2]float32{{d00, d01}, {d00 + d10, d01 + d11}, {d00 - d10, d01 - d11}, {-d10, -d11}}
		for i, e := range rows {
			p := i*4*wst + u
			w[p] = e[0]
			w[p+wst] = e[0] + e[1]
			w[p+2*wst] = e[0] - e[1]
			w[p+3*wst] = -e[1]
		}
	}
}

// gradInput transforms the staged gradients out [ko, 2·th, rw] into
// W[(ξ·ko + k)·T + ty·U + u].
func (g winoGeom) gradInput(w, out []float32, ko int) {
	n8 := g.U &^ 7
	wst := ko * g.T
	for k := 0; k < ko; k++ {
		for ty := 0; ty < g.th; ty++ {
			at := (k*2*g.th + 2*ty) * g.rw
			wr := w[k*g.T+ty*g.U:]
			if n8 > 0 {
				_ = out[at+g.rw+2*n8-1]
				_ = wr[15*wst+n8-1]
				winoDyAVX2(&wr[0], wst, &out[at], g.rw, n8)
			}
			if n8 < g.U {
				r := out[at:]
				winoDy(wr, wst, r, r[g.rw:], n8, g.U)
			}
		}
	}
}

// winoFilterGrad adds dw[k, c] += Gᵀ m G for m[ξ] = M[ξ·K·C + k·C + c],
// dw [K, C, 3, 3]:
//
//	Gᵀ = | 1  ½  ½  0 |
//	     | 0  ½ −½  0 |
//	     | 0  ½  ½  1 |
func winoFilterGrad(dw, m []float32, K, C int) {
	kc := K * C
	for at := 0; at < kc; at++ {
		var t [3][4]float32 // Gᵀ m
		for j := 0; j < 4; j++ {
			m0, m1, m2, m3 := m[j*kc+at], m[(4+j)*kc+at], m[(8+j)*kc+at], m[(12+j)*kc+at]
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

// conv2DBackwardFilterWinograd is Conv2DBackwardFilter on the Winograd
// path. The groups are cut into one fixed chunk per thread (chunks); chunk
// q sums its tiles into its own M_q [16, K, C] in group order, and then
// dw += Gᵀ (M_0 + M_1 + …) G in chunk order, so a given thread count
// always gives the same bits.
func (c *CPU) conv2DBackwardFilterWinograd(dws, dys, xs []float32, s tensor.ConvShape) {
	tiles := (s.H + 1) / 2 * ((s.W+1)/2 + 1)
	nb := max(1, min(ceilDiv(winoTiles, tiles), ceilDiv(s.N, c.threads())))
	ng := ceilDiv(s.N, nb)
	sin, sout := s.C*s.H*s.W, s.K*s.H*s.W
	kc := s.K * s.C
	bounds := chunks(c.threads(), ng, 1)
	nch := len(bounds) - 1
	ms := make([][]float32, nch)
	parallelFor(nch, nch, 1, func(qlo, qhi int) {
		for q := qlo; q < qhi; q++ {
			big := newWinoGeom(s.H, s.W, nb)
			xp := scratch.get(big.xpLen(s.C))
			v := scratch.get(16 * s.C * big.T)
			w := scratch.get(16 * s.K * big.T)
			dyg := scratch.get(s.K * 2 * big.th * big.rw)
			m := scratch.get(16 * kc)
			clear(m)
			cnt := 0
			for gi := bounds[q]; gi < bounds[q+1]; gi++ {
				n0 := gi * nb
				g := newWinoGeom(s.H, s.W, min(nb, s.N-n0))
				if g.cnt != cnt {
					cnt = g.cnt
					clear(xp[:g.xpLen(s.C)])
					clear(dyg[:s.K*2*g.th*g.rw])
				}
				g.pack(xp, xs[n0*sin:], sin, s.C)
				g.input(v, xp, s.C)
				g.spread(dyg, dys[n0*sout:], sout, s.K)
				g.gradInput(w, dyg, s.K)
				for xi := 0; xi < 16; xi++ {
					serial.Sgemm(false, true, s.K, s.C, g.T, 1, w[xi*s.K*g.T:(xi+1)*s.K*g.T], g.T,
						v[xi*s.C*g.T:(xi+1)*s.C*g.T], g.T, 1, m[xi*kc:(xi+1)*kc], s.C)
				}
			}
			scratch.put(xp)
			scratch.put(v)
			scratch.put(w)
			scratch.put(dyg)
			ms[q] = m
		}
	})
	for q := 1; q < nch; q++ {
		Axpy(1, ms[q], ms[0])
		scratch.put(ms[q])
	}
	winoFilterGrad(dws, ms[0], s.K, s.C)
	scratch.put(ms[0])
}
