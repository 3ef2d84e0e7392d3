package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"twostage/tensor"
)

// A Go model of the tile loop of kernels/gpu/conv.cu, run on the CPU in
// float64: every block of the plan's grid, every BK slice of its split,
// every thread's cp.async loads (the same index expressions, transliterated
// line by line), each warp's mma.sync through the PTX fragment layout of
// m16n8k8 (or the FP32 variant's FMA loop), and the epilogue's stores. The
// tests compare what the model stores with the textbook convolution and
// GEMM, and check that the loads fill every shared-memory slot of a stage
// exactly once, read only inside their tensors, and that every output element
// is stored exactly once per split. What the model cannot see: timing,
// cp.async's group accounting, barriers, TF32 rounding.

// modelConv is the problem (the kernel's Conv struct).
type modelConv struct {
	N, C, H, W, K, R, S, st, pad, OH, OW int
	Mg, Ng, Kg                           int
	lda, ldb, ldc                        int
	tA, tB                               bool
}

func modelFor(mode igemmMode, s tensor.ConvShape) modelConv {
	p := modelConv{N: s.N, C: s.C, H: s.H, W: s.W, K: s.K, R: s.R, S: s.S, st: s.Stride, pad: s.Pad, OH: s.OH, OW: s.OW}
	switch mode {
	case modeFwd:
		p.Mg, p.Ng, p.Kg = s.K, s.N*s.OH*s.OW, s.C*s.R*s.S
	case modeData:
		p.Mg, p.Ng, p.Kg = s.C, s.N*s.H*s.W, s.K*s.R*s.S
	case modeFilt:
		p.Mg, p.Ng, p.Kg = s.K, s.C*s.R*s.S, s.N*s.OH*s.OW
	}
	return p
}

// decodeRS is conv.cu's decodeRS: kg = outer·RS + r·S + s.
func decodeRS(ks int, kg int, p modelConv) (outer, r, s int) {
	if ks == 1 {
		return kg, 0, 0
	}
	S, RS := p.S, p.R*p.S
	if ks == 3 {
		S, RS = 3, 9
	}
	outer = kg / RS
	rs := kg - outer*RS
	r = rs / S
	return outer, r, rs - r*S
}

// modelThread is one thread's accumulators: [MI][NI][4], MI ≤ 4.
type modelThread struct{ acc [4][4][4]float64 }

// modelRun executes plan pl on problem p: a and b are the kernel's a and b
// operands, out its output (+= or = as the mode stores), ws the split
// workspace (nil when splits == 1). It returns the number of stores per
// output element (of out, or of ws per split).
func modelRun(t *testing.T, pl igemmPlan, p modelConv, out, a, b, ws []float64, acc bool, alpha, beta float64) []int {
	t.Helper()
	const BN, BK, NTH = igemmBN, igemmBK, igemmThreads
	BM := pl.bm
	MI, NI := BM/32, 4
	AL, BL := BM*BK/NTH, BK*BN/NTH
	stores := make([]int, len(out))
	if ws != nil {
		stores = make([]int, len(ws))
	}
	aMFast := (pl.mode == modeGemm && p.tA) || (pl.mode == modeData && pl.ks == 1)
	bKFast := pl.mode == modeGemm && p.tB
	get := func(src []float64, i int, what string) float64 {
		if i < 0 || i >= len(src) {
			t.Fatalf("%s: load of %s[%d] outside its %d elements", pl.kernel, what, i, len(src))
		}
		return src[i]
	}
	for bz := 0; bz < pl.grid.z; bz++ {
		for by := 0; by < pl.grid.y; by++ {
			for bx := 0; bx < pl.grid.x; bx++ {
				m0, n0 := by*BM, bx*BN
				s0 := bz * pl.perSplit
				s1 := min(pl.slices, s0+pl.perSplit)
				var th [NTH]modelThread
				for sl := s0; sl < s1; sl++ {
					k0 := sl * BK
					As := make([]float64, BM*BK)
					Bs := make([]float64, BK*BN)
					seenA := make([]int, BM*BK)
					seenB := make([]int, BK*BN)
					for tid := 0; tid < NTH; tid++ {
						// The thread's fixed B column (conv modes).
						bcol := tid & (BN - 1)
						ng := n0 + bcol
						nok := ng < p.Ng
						var bImg, bc, bh, bw, br, bs int
						switch {
						case pl.mode == modeFwd && nok:
							ohw := p.OH * p.OW
							bImg = ng / ohw
							q := ng - bImg*ohw
							oh := q / p.OW
							bh = oh*p.st - p.pad
							bw = (q-oh*p.OW)*p.st - p.pad
						case pl.mode == modeData && nok:
							hw := p.H * p.W
							bImg = ng / hw
							q := ng - bImg*hw
							ih := q / p.W
							bh = ih + p.pad
							bw = q - ih*p.W + p.pad
						case pl.mode == modeFilt && nok:
							bc, br, bs = decodeRS(pl.ks, ng, p)
						}
						for i := 0; i < AL; i++ {
							e := tid + i*NTH
							var m, kk int
							if aMFast {
								m, kk = e%BM, e/BM
							} else {
								m, kk = e/BK, e%BK
							}
							mg, kg := m0+m, k0+kk
							ok := mg < p.Mg && kg < p.Kg
							v := 0.0
							if ok {
								switch pl.mode {
								case modeFwd:
									v = get(a, mg*p.Kg+kg, "w")
								case modeData:
									k, r, s := decodeRS(pl.ks, kg, p)
									v = get(a, ((k*p.C+mg)*p.R+r)*p.S+s, "w")
								case modeFilt:
									ohw := p.OH * p.OW
									n := kg / ohw
									v = get(a, (n*p.K+mg)*ohw+(kg-n*ohw), "dy")
								default:
									if p.tA {
										v = get(a, kg*p.lda+mg, "a")
									} else {
										v = get(a, mg*p.lda+kg, "a")
									}
								}
							}
							As[m*BK+kk] = v
							seenA[m*BK+kk]++
						}
						for i := 0; i < BL; i++ {
							e := tid + i*NTH
							var kk, n int
							if bKFast {
								kk, n = e%BK, e/BK
							} else {
								kk, n = e/BN, e%BN
							}
							kg := k0 + kk
							ok := kg < p.Kg
							v := 0.0
							switch pl.mode {
							case modeGemm:
								gn := n0 + n
								ok = ok && gn < p.Ng
								if ok && p.tB {
									v = get(b, gn*p.ldb+kg, "b")
								} else if ok {
									v = get(b, kg*p.ldb+gn, "b")
								}
							case modeFwd:
								if n != bcol {
									t.Fatalf("B column %d is not the thread's %d", n, bcol)
								}
								c, r, s := decodeRS(pl.ks, kg, p)
								ih, iw := bh+r, bw+s
								ok = ok && nok && ih >= 0 && ih < p.H && iw >= 0 && iw < p.W
								if ok {
									v = get(b, ((bImg*p.C+c)*p.H+ih)*p.W+iw, "x")
								}
							case modeData:
								k, r, s := decodeRS(pl.ks, kg, p)
								th, tw := bh-r, bw-s
								oh, ow := th/p.st, tw/p.st // C's truncation toward zero, as Go's
								ok = ok && nok && th >= 0 && tw >= 0 && oh*p.st == th && ow*p.st == tw && oh < p.OH && ow < p.OW
								if ok {
									v = get(b, ((bImg*p.K+k)*p.OH+oh)*p.OW+ow, "dy")
								}
							case modeFilt:
								ohw := p.OH * p.OW
								n2 := kg / ohw
								q := kg - n2*ohw
								oh := q / p.OW
								ow := q - oh*p.OW
								ih, iw := oh*p.st-p.pad+br, ow*p.st-p.pad+bs
								ok = ok && nok && ih >= 0 && ih < p.H && iw >= 0 && iw < p.W
								if ok {
									v = get(b, ((n2*p.C+bc)*p.H+ih)*p.W+iw, "x")
								}
							}
							Bs[kk*BN+n] = v
							seenB[kk*BN+n]++
						}
					}
					for i, c := range seenA {
						if c != 1 {
							t.Fatalf("%s: A stage slot %d written %d times", pl.kernel, i, c)
						}
					}
					for i, c := range seenB {
						if c != 1 {
							t.Fatalf("%s: B stage slot %d written %d times", pl.kernel, i, c)
						}
					}
					// The MMAs, warp by warp.
					for warp := 0; warp < NTH/32; warp++ {
						wm0, wn0 := (warp>>2)*(BM/2), (warp&3)*32
						if pl.exact {
							for lane := 0; lane < 32; lane++ {
								g, tq := lane>>2, lane&3
								tr := &th[warp*32+lane]
								for kk := 0; kk < BK; kk++ {
									for i := 0; i < MI; i++ {
										a0, a1 := As[(wm0+i*16+g)*BK+kk], As[(wm0+i*16+g+8)*BK+kk]
										for j := 0; j < NI; j++ {
											b0, b1 := Bs[kk*BN+wn0+j*8+tq*2], Bs[kk*BN+wn0+j*8+tq*2+1]
											tr.acc[i][j][0] += a0 * b0
											tr.acc[i][j][1] += a0 * b1
											tr.acc[i][j][2] += a1 * b0
											tr.acc[i][j][3] += a1 * b1
										}
									}
								}
							}
							continue
						}
						for kk := 0; kk < BK; kk += 8 {
							var af [32][4][4]float64
							var bf [32][4][2]float64
							for lane := 0; lane < 32; lane++ {
								g, tq := lane>>2, lane&3
								for i := 0; i < MI; i++ {
									r := wm0 + i*16 + g
									af[lane][i] = [4]float64{As[r*BK+kk+tq], As[(r+8)*BK+kk+tq], As[r*BK+kk+tq+4], As[(r+8)*BK+kk+tq+4]}
								}
								for j := 0; j < NI; j++ {
									c := wn0 + j*8 + g
									bf[lane][j] = [2]float64{Bs[(kk+tq)*BN+c], Bs[(kk+tq+4)*BN+c]}
								}
							}
							for i := 0; i < MI; i++ {
								for j := 0; j < NI; j++ {
									mmaModel(&th, warp, af, bf, i, j)
								}
							}
						}
					}
				}
				// Epilogue.
				for tid := 0; tid < NTH; tid++ {
					lane, warp := tid&31, tid>>5
					g, tq := lane>>2, lane&3
					wm0, wn0 := (warp>>2)*(BM/2), (warp&3)*32
					for i := 0; i < MI; i++ {
						for j := 0; j < NI; j++ {
							for q := 0; q < 4; q++ {
								mg := m0 + wm0 + i*16 + g + 8*(q>>1)
								gn := n0 + wn0 + j*8 + tq*2 + (q & 1)
								if mg >= p.Mg || gn >= p.Ng {
									continue
								}
								v := th[tid].acc[i][j][q]
								var o int
								switch pl.mode {
								case modeFwd:
									ohw := p.OH * p.OW
									n := gn / ohw
									o = (n*p.K+mg)*ohw + (gn - n*ohw)
									if acc {
										v += out[o]
									}
									out[o] = v
								case modeData:
									hw := p.H * p.W
									n := gn / hw
									o = (n*p.C+mg)*hw + (gn - n*hw)
									out[o] += v
								case modeFilt:
									o = mg*p.Ng + gn
									if ws != nil {
										o += bz * p.Mg * p.Ng
										ws[o] = v
									} else {
										out[o] += v
									}
								default:
									o = mg*p.ldc + gn
									r := alpha * v
									if beta != 0 {
										r += beta * out[o]
									}
									out[o] = r
								}
								stores[o]++
							}
						}
					}
				}
			}
		}
	}
	return stores
}

// mmaModel is mma.sync.m16n8k8.row.col for warp's tile (i, j), by the PTX
// ISA's fragment layout (groupID g = lane>>2, t = lane%4): A a0 (g, t), a1
// (g+8, t), a2 (g, t+4), a3 (g+8, t+4); B b0 (k t, n g), b1 (k t+4, n g);
// C/D c0 (g, 2t), c1 (g, 2t+1), c2 (g+8, 2t), c3 (g+8, 2t+1).
func mmaModel(th *[igemmThreads]modelThread, warp int, af [32][4][4]float64, bf [32][4][2]float64, i, j int) {
	var A [16][8]float64
	var B [8][8]float64
	for lane := 0; lane < 32; lane++ {
		g, t := lane>>2, lane&3
		A[g][t], A[g+8][t], A[g][t+4], A[g+8][t+4] = af[lane][i][0], af[lane][i][1], af[lane][i][2], af[lane][i][3]
		B[t][g], B[t+4][g] = bf[lane][j][0], bf[lane][j][1]
	}
	for lane := 0; lane < 32; lane++ {
		g, t := lane>>2, lane&3
		d := &th[warp*32+lane].acc[i][j]
		for q := 0; q < 4; q++ {
			r, c := g+8*(q>>1), 2*t+(q&1)
			for k := 0; k < 8; k++ {
				d[q] += A[r][k] * B[k][c]
			}
		}
	}
}

// refConv is the textbook convolution in float64 and its two gradients
// (conv_test's slowConv2D64 and friends, restated: this package cannot
// import a test package).
func refConv(x, w []float64, s tensor.ConvShape) []float64 {
	y := make([]float64, s.N*s.K*s.OH*s.OW)
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for oh := 0; oh < s.OH; oh++ {
				for ow := 0; ow < s.OW; ow++ {
					var acc float64
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := oh*s.Stride-s.Pad+r, ow*s.Stride-s.Pad+q
								if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
									acc += x[((n*s.C+c)*s.H+ih)*s.W+iw] * w[((k*s.C+c)*s.R+r)*s.S+q]
								}
							}
						}
					}
					y[((n*s.K+k)*s.OH+oh)*s.OW+ow] = acc
				}
			}
		}
	}
	return y
}

func refConvGrads(x, w, dy []float64, s tensor.ConvShape) (dx, dw []float64) {
	dx, dw = make([]float64, len(x)), make([]float64, len(w))
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for oh := 0; oh < s.OH; oh++ {
				for ow := 0; ow < s.OW; ow++ {
					g := dy[((n*s.K+k)*s.OH+oh)*s.OW+ow]
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := oh*s.Stride-s.Pad+r, ow*s.Stride-s.Pad+q
								if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
									xi, wi := ((n*s.C+c)*s.H+ih)*s.W+iw, ((k*s.C+c)*s.R+r)*s.S+q
									dx[xi] += g * w[wi]
									dw[wi] += g * x[xi]
								}
							}
						}
					}
				}
			}
		}
	}
	return dx, dw
}

func randF64(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 2*r.Float64() - 1
	}
	return v
}

// close64 fails unless got equals want to 1e-12 relative (float64 sums in
// another order).
func close64(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12*(1+math.Abs(want[i])) {
			t.Fatalf("%s: [%d] = %g, want %g", what, i, got[i], want[i])
		}
	}
}

// withBM replans p with tile height bm (the model of a variant the planner
// would choose only for a large problem).
func withBM(p igemmPlan, bm int) igemmPlan {
	p.bm = bm
	p.grid.y = ceilDiv(p.mg, bm)
	return p
}

// modelShapes are small convolutions that reach every branch of the index
// math: 1×1, 3×3 and general filters (7×7, 2×3), strides 1 and 2, padding
// 0..3, channel counts that do not fill a tile, a ragged last pixel tile, and
// (the last two) a pixel reduction long enough for the filter gradient's
// split.
var modelShapes = []struct{ N, C, H, W, K, R, S, st, pad int }{
	{2, 3, 5, 5, 4, 3, 3, 1, 1},
	{1, 5, 7, 6, 3, 1, 1, 1, 0},
	{2, 4, 9, 9, 6, 1, 1, 2, 0},
	{1, 2, 11, 10, 5, 7, 7, 2, 3},
	{1, 3, 6, 7, 2, 2, 3, 1, 1},
	{3, 6, 8, 8, 70, 3, 3, 2, 1},
	{4, 3, 8, 8, 4, 3, 3, 1, 1},
	{5, 2, 12, 12, 3, 1, 1, 1, 0},
}

func TestIGEMMModelConv(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	for _, c := range modelShapes {
		x := tensor.Shape{c.N, c.C, c.H, c.W}
		w := tensor.Shape{c.K, c.C, c.R, c.S}
		s := tensor.ConvShapeOf(x, w, c.st, c.pad)
		xs, wv := randF64(r, x.Numel()), randF64(r, w.Numel())
		dy := randF64(r, s.YShape().Numel())
		y := refConv(xs, wv, s)
		dx, dw := refConvGrads(xs, wv, dy, s)
		for _, exact := range []bool{false, true} {
			for _, bm := range []int{64, 128} {
				if exact && bm == 128 {
					continue // the FP32 variant is 64 rows only
				}
				name := fmt.Sprintf("%v/exact=%v/bm=%d", s, exact, bm)
				t.Run(name, func(t *testing.T) {
					// Forward: y = x ⋆ w, stored (=) over NaN.
					pl := withBM(planConv(modeFwd, s, exact), bm)
					got := make([]float64, len(y))
					for i := range got {
						got[i] = math.NaN()
					}
					st := modelRun(t, pl, modelFor(modeFwd, s), got, wv, xs, nil, false, 1, 0)
					once(t, pl.kernel, st, 1)
					close64(t, pl.kernel, got, y)
					// Data: dx += dy ⋆ᵀ w, onto ones.
					pl = withBM(planConv(modeData, s, exact), bm)
					got = ones(len(dx))
					st = modelRun(t, pl, modelFor(modeData, s), got, wv, dy, nil, true, 1, 0)
					once(t, pl.kernel, st, 1)
					close64(t, pl.kernel, got, plus1(dx))
					// Filter: dw += Σ dy ⋆ x, with the split workspace.
					pl = withBM(planConv(modeFilt, s, exact), bm)
					got = ones(len(dw))
					var ws []float64
					if pl.splits() > 1 {
						ws = make([]float64, pl.splits()*len(dw))
					}
					st = modelRun(t, pl, modelFor(modeFilt, s), got, dy, xs, ws, true, 1, 0)
					if ws != nil {
						once(t, pl.kernel+" (workspace)", st, 1)
						for z := 0; z < pl.splits(); z++ { // splitk_reduce_f32
							for i := range got {
								got[i] += ws[z*len(dw)+i]
							}
						}
					} else {
						once(t, pl.kernel, st, 1)
					}
					close64(t, pl.kernel, got, plus1(dw))
				})
			}
		}
	}
}

// TestIGEMMSplits checks the filter gradient's split on the model shapes
// that have one, and that a split never gets an empty slice range.
func TestIGEMMSplits(t *testing.T) {
	split := 0
	for _, c := range modelShapes {
		s := tensor.ConvShapeOf(tensor.Shape{c.N, c.C, c.H, c.W}, tensor.Shape{c.K, c.C, c.R, c.S}, c.st, c.pad)
		p := planConv(modeFilt, s, false)
		if p.splits() > 1 {
			split++
		}
		if (p.splits()-1)*p.perSplit >= p.slices {
			t.Errorf("%v: %d splits of %d slices leave the last one empty", s, p.splits(), p.perSplit)
		}
	}
	if split < 2 {
		t.Errorf("only %d model shapes split the filter gradient: the split path is untested", split)
	}
}

func TestIGEMMModelGemm(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	for _, c := range []struct{ m, n, k int }{{1, 1, 1}, {5, 7, 3}, {65, 130, 17}, {130, 9, 40}} {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, exact := range []bool{false, true} {
					a, b := randF64(r, c.m*c.k), randF64(r, c.k*c.n)
					lda, ldb := c.k, c.n
					if tA {
						lda = c.m
					}
					if tB {
						ldb = c.k
					}
					want := randF64(r, c.m*c.n)
					cOld := append([]float64(nil), want...)
					const alpha, beta = 0.75, -0.5
					for i := 0; i < c.m; i++ {
						for j := 0; j < c.n; j++ {
							var s float64
							for k := 0; k < c.k; k++ {
								var av, bv float64
								if tA {
									av = a[k*lda+i]
								} else {
									av = a[i*lda+k]
								}
								if tB {
									bv = b[j*ldb+k]
								} else {
									bv = b[k*ldb+j]
								}
								s += av * bv
							}
							want[i*c.n+j] = alpha*s + beta*cOld[i*c.n+j]
						}
					}
					for _, bm := range []int{64, 128} {
						pl := withBM(planIGEMM(modeGemm, c.m, c.n, c.k, 1, 1, exact), bm)
						got := append([]float64(nil), cOld...)
						p := modelConv{Mg: c.m, Ng: c.n, Kg: c.k, lda: lda, ldb: ldb, ldc: c.n, tA: tA, tB: tB}
						st := modelRun(t, pl, p, got, a, b, nil, false, alpha, beta)
						name := fmt.Sprintf("gemm %dx%dx%d tA=%v tB=%v bm=%d %s", c.m, c.n, c.k, tA, tB, bm, pl.kernel)
						once(t, name, st, 1)
						close64(t, name, got, want)
					}
				}
			}
		}
	}
}

// once fails unless every element was stored n times.
func once(t *testing.T, what string, stores []int, n int) {
	t.Helper()
	for i, c := range stores {
		if c != n {
			t.Fatalf("%s: output %d stored %d times, want %d", what, i, c, n)
		}
	}
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

func plus1(v []float64) []float64 {
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = x + 1
	}
	return w
}

// TestIGEMMPlan checks the planner's choices and the kernel's static shared
// memory (the figures ptxas reports for conv.cu: kernels/gpu/budget.txt).
func TestIGEMMPlan(t *testing.T) {
	if smemBytes(128) != 37888 || smemBytes(64) != 27648 {
		t.Errorf("smemBytes = %d, %d; ptxas reports 37888 and 27648", smemBytes(128), smemBytes(64))
	}
	if smemBytes(128) > maxStaticSmem {
		t.Errorf("the 128-row tiles need %d bytes of shared memory, over the static %d", smemBytes(128), maxStaticSmem)
	}
	// The paper encoder's layer1 conv at batch 256: 64 channels, 32×32.
	s := tensor.ConvShapeOf(tensor.Shape{256, 64, 32, 32}, tensor.Shape{64, 64, 3, 3}, 1, 1)
	if p := planConv(modeFwd, s, false); p.kernel != "conv_fwd_64_k3" || p.grid != (dim3{2048, 1, 1}) {
		t.Errorf("layer1 forward: %s grid %v", p.kernel, p.grid)
	}
	p := planConv(modeFilt, s, false)
	if p.kernel != "conv_filt_64_k3" || p.splits() < 2 || p.grid.x*p.grid.y*p.grid.z < igemmTargetBlocks/2 {
		t.Errorf("layer1 filter gradient: %s grid %v (%d slices a split)", p.kernel, p.grid, p.perSplit)
	}
	s = tensor.ConvShapeOf(tensor.Shape{256, 256, 8, 8}, tensor.Shape{512, 256, 3, 3}, 2, 1)
	if p := planConv(modeFwd, s, false); p.kernel != "conv_fwd_64_k3" {
		t.Errorf("layer4 forward (4096 pixels, 512 channels): %s", p.kernel)
	}
	if p := planConv(modeFwd, s, true); p.kernel != "conv_fwd_exact_k0" {
		t.Errorf("exact forward: %s", p.kernel)
	}
	if p := planIGEMM(modeGemm, 4096, 8192, 128, 1, 1, false); p.kernel != "gemm_128" {
		t.Errorf("large GEMM: %s", p.kernel)
	}
	for _, mode := range []igemmMode{modeFwd, modeData, modeFilt} {
		for _, c := range modelShapes {
			s := tensor.ConvShapeOf(tensor.Shape{c.N, c.C, c.H, c.W}, tensor.Shape{c.K, c.C, c.R, c.S}, c.st, c.pad)
			for _, exact := range []bool{false, true} {
				if _, ok := convKernels[planConv(mode, s, exact).kernel]; !ok {
					t.Errorf("plan names kernel %s, which the table lacks", planConv(mode, s, exact).kernel)
				}
			}
		}
	}
}
