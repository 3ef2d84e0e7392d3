package conv

import (
	"twostage/kernels/internal/host"
	sgemmpkg "twostage/kernels/sgemm"
	"twostage/tensor"
)

// The filter gradient on lanes (lanes.go):
//
//	P_t [K, C·R·S] (+)= dY [K, 16·P] · colᵀ,
//
// a chunk of laneFilterChunk output positions (L = 16·nq columns of col)
// at a time. op(B) = colᵀ is L×C·R·S and the SGEMM would pack it panel by
// panel, 16 window elements × its k block of L, through 8×8 transposes of
// col's rows. With C a multiple of 16 the window elements are taken in
// (r, s, c) order instead: then the 16 of a panel are 16 channels at one
// tap, whose rows at an output position lie a bordered plane apart in xi,
// so one 16×16 transpose (two 8×8 ones per half on avx2) writes a
// position's 16 panel rows straight from xi, in SgemmPackedAB's layout: no
// col matrix, no packing of B. Each element of P_t is the same sum over
// the same k blocks of L as with col (a column permutation of the same
// product), and filterChunks' addPartials puts the columns back in (c, r,
// s) order, so the bits are those of the col gather.

// laneDotFilter bounds the filter products, C·R·S·K, that the lanes'
// filter pass sums with dotNT rather than the SGEMM.
const laneDotFilter = 2048

// laneFilterChunk is the number of output positions whose col columns the
// filter pass gathers at a time (16 images each).
const laneFilterChunk = 64

// lanesFilterPacked: tests switch the packed gather off to compare it with
// the col gather.
var lanesFilterPacked = true

// conv2DBackwardFilterLanes is BackwardFilter on lanes.
func (c *Engine) conv2DBackwardFilterLanes(dws, dys, xs []float32, s tensor.ConvShape) {
	g := laneConvFor(s)
	crs, chw, kp := s.C*s.R*s.S, s.C*s.H*s.W, s.K*g.P
	T := g.P * wlanes
	plan := convPlan{nb: wlanes, ng: lanesBlocks(s.N)}
	// A small product (the stems: C·R·S ≤ 27) is summed along the
	// positions without packing, dotNT into dWᵀ (its rows, C·R·S, a
	// multiple of 3 for a 3×3 kernel), then added in transposed.
	dot := crs*s.K <= laneDotFilter && crs%3 == 0
	packed := !dot && lanesFilterPacked && s.C%wlanes == 0
	zmm := c.zmm()
	c.filterChunks(dws, s, plan, packed, func() (filterGroup, func()) {
		xi, tmp := host.Scratch.Get(g.xiLen), host.Scratch.Get(s.H*s.W*wlanes)
		dyi, col := host.Scratch.Get(s.K*T), host.Scratch.Get(crs*laneFilterChunk*wlanes)
		var dwT []float32 // dot: dWᵀ [C·R·S, K] of the group
		if dot {
			dwT = host.Scratch.Get(crs * s.K)
		}
		var pas *[16]sgemmpkg.PackedA // packed: the chunk's dY, in pas[0]
		if packed {
			pas = packedUs.get()
		}
		return func(n0, cnt int, beta float32, pt []float32) {
				g.pack(zmm, xi, tmp, xs[n0*chw:], chw, cnt)
				for k := 0; k < s.K; k++ {
					interleave(zmm, dyi[k*T:], dys[n0*kp+k*g.P:], kp, g.P, cnt)
				}
				for q0 := 0; q0 < g.P; q0 += laneFilterChunk {
					nq := min(laneFilterChunk, g.P-q0)
					L := nq * wlanes
					if packed {
						// P_t [K, (r, s, c)] (+)= dY[:, chunk] · colᵀ.
						g.packWindows(zmm, col, xi, q0, nq)
						c.Serial().PackA(&pas[0], false, s.K, L, dyi[q0*wlanes:], T)
						c.Serial().SgemmPackedAB(&pas[0], crs, 1, col, beta, pt, crs)
						beta = 1
						continue
					}
					for p, o := range g.boff {
						row := col[p*L : (p+1)*L]
						for q := 0; q < nq; q++ {
							// Through a value: a direct array assignment
							// between slices compiles to a memmove call.
							v := *(*[wlanes]float32)(xi[g.pbase[q0+q]+o:])
							*(*[wlanes]float32)(row[q*wlanes:]) = v
						}
					}
					if dot {
						if q0 == 0 {
							clear(dwT)
						}
						dotNT(true, c.zmm(), dwT, s.K, col, L, dyi[q0*wlanes:], T, crs, s.K, L)
						continue
					}
					// P_t [K, C·R·S] (+)= dY[:, chunk] · colᵀ.
					c.Serial().Sgemm(false, true, s.K, crs, L, 1, dyi[q0*wlanes:], T, col, L, beta, pt, crs)
					beta = 1
				}
				if !dot {
					return
				}
				for k := 0; k < s.K; k++ {
					row := pt[k*crs : (k+1)*crs]
					for p := range row {
						if beta == 0 {
							row[p] = dwT[p*s.K+k]
						} else {
							row[p] += dwT[p*s.K+k]
						}
					}
				}
			}, func() {
				host.Scratch.Put(xi)
				host.Scratch.Put(tmp)
				host.Scratch.Put(dyi)
				host.Scratch.Put(col)
				if dwT != nil {
					host.Scratch.Put(dwT)
				}
				if pas != nil {
					packedUs.put(pas)
				}
			}
	})
}

// packWindows writes op(B) = colᵀ of output positions q0 … q0+nq−1 (L =
// 16·nq rows, t = 16·(q−q0) + lane) with its C·R·S columns in (r, s, c)
// order into pb in SgemmPackedAB's layout: for each k block of L (rows pc
// … pc+kcb−1, sgemm.PackedBBlock(L)), panel P's row t at
//
//	pb[pc·crs + P·kcb·16 + (t−pc)·16 + j] = xi[pbase[q] + boff(c0+j, r, s) + lane],
//
// panel P being the 16 channels c0 … c0+15 at tap (r, s), 16P = (r·S +
// s)·C + c0. C must be a multiple of 16. Whole positions of a k block go
// through the transposes, a run along each output row; a position that a
// k block boundary cuts is copied element by element.
func (g *laneConv) packWindows(zmm bool, pb, xi []float32, q0, nq int) {
	s := g.s
	crs, L := s.C*s.R*s.S, nq*wlanes
	kcs := sgemmpkg.PackedBBlock(L)
	step := s.Stride * wlanes // pbase between neighbours along a row
	for pc := 0; pc < L; pc += kcs {
		kcb := min(kcs, L-pc)
		blk := pb[pc*crs : pc*crs+kcb*crs]
		for P := 0; P < crs/wlanes; P++ {
			tap, c0 := P*wlanes/s.C, P*wlanes%s.C
			off := g.boff[(c0*s.R+tap/s.S)*s.S+tap%s.S]
			panel := blk[P*kcb*wlanes : (P+1)*kcb*wlanes]
			// Positions wholly inside the block: [qa, qb) of the chunk.
			qa, qb := ceilDiv(pc, wlanes), (pc+kcb)/wlanes
			for qq := qa; qq < qb; {
				q := q0 + qq
				run := min(qb-qq, s.OW-q%s.OW) // to the end of the output row
				dst := panel[(qq*wlanes-pc)*wlanes:]
				src := xi[g.pbase[q]+off:]
				if zmm {
					transpose16x16(dst, wlanes, wlanes*wlanes, src, g.planeLen, step, run, false, nil)
				} else {
					for jh := 0; jh < wlanes; jh += 8 {
						for lh := 0; lh < wlanes; lh += 8 {
							transpose8x8(true, dst[lh*wlanes+jh:], wlanes, wlanes*wlanes, src[jh*g.planeLen+lh:], g.planeLen, step, run, false, nil)
						}
					}
				}
				qq += run
			}
			// The cut positions' rows of this block, if any.
			hi := min(pc+kcb, qa*wlanes) // the rows before the whole positions
			for _, r := range [2][2]int{{pc, hi}, {max(hi, qb*wlanes), pc + kcb}} {
				for t := r[0]; t < r[1]; t++ {
					base := g.pbase[q0+t/wlanes] + off + t%wlanes
					row := (*[wlanes]float32)(panel[(t-pc)*wlanes:])
					for j := range row {
						row[j] = xi[base+j*g.planeLen]
					}
				}
			}
		}
	}
}
