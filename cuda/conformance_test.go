//go:build cuda

package cuda_test

// A differential conformance test of every tensor.Backend op on the GPU
// against the CPU backend (itself checked against float64 references by
// package kernels' tests), with the tolerance tiers of issue 12:
//
//	exact      Fill, Copy, SliceCopy, the index ops, Argmax, TopK, AvgPool,
//	           SGDStep, IndexAdd/ScatterAdd (the same adds in the same order)
//	2 ulp      elementwise (Unary, Binary, MaskedFill, BiasAdd, BroadcastAcc)
//	1e-5       reductions, relative Frobenius (Sum, ChannelSum, softmax,
//	           L2 norm, batch norm)
//	1e-3       TF32 GEMM and convolution, relative Frobenius against float64
//	1e-5       the same in the exact FP32 mode
//
// Outputs start as NaN (cuda.NaNFillEnv), so an element a kernel does not
// write fails. The shared kernels tests run over the CUDA backend too once
// ktest.Backends() lists it (kernels/internal/ktest/backends_cuda.go); this file is the
// package's own check that does not depend on that hook.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"twostage/cuda"
	"twostage/kernels"
	"twostage/tensor"
)

// openNaN opens a backend of its own whose Empty fills with NaN.
func openNaN(t *testing.T) *cuda.Backend {
	t.Helper()
	open(t) // skip without a device
	os.Setenv(cuda.NaNFillEnv, "1")
	be, err := cuda.Open(0)
	os.Unsetenv(cuda.NaNFillEnv)
	if err != nil {
		t.Fatalf("Open(0): %v", err)
	}
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return be
}

// pair holds the same tensor on the GPU and on the CPU.
type pair struct{ g, c *tensor.Tensor }

type conf struct {
	t   *testing.T
	g   *cuda.Backend
	c   *kernels.CPU
	rng *rand.Rand
}

func (k *conf) rand(s tensor.Shape, lo, hi float64) pair {
	v := make([]float32, s.Numel())
	for i := range v {
		v[i] = float32(lo + (hi-lo)*k.rng.Float64())
	}
	return pair{tensor.FromFloat32(k.g, s, v), tensor.FromFloat32(k.c, s, v)}
}

func (k *conf) empty(s tensor.Shape) pair {
	return pair{k.g.Empty(tensor.Float32, s), k.c.Empty(tensor.Float32, s)}
}

func (k *conf) idx(s tensor.Shape, v []int64) pair {
	return pair{tensor.FromInt64(k.g, s, v), tensor.FromInt64(k.c, s, v)}
}

func (k *conf) sync(what string) {
	k.t.Helper()
	if err := k.g.Sync(); err != nil {
		k.t.Fatalf("%s: %v", what, err)
	}
}

// exact requires bit equality (NaN matches NaN).
func (k *conf) exact(what string, p pair) {
	k.t.Helper()
	k.sync(what)
	g, c := p.g.Float32s(), p.c.Float32s()
	for i := range c {
		if math.Float32bits(g[i]) != math.Float32bits(c[i]) && !(g[i] != g[i] && c[i] != c[i]) {
			k.t.Fatalf("%s: [%d] = %g, cpu %g (exact tier)", what, i, g[i], c[i])
		}
	}
}

func (k *conf) exactInt(what string, p pair) {
	k.t.Helper()
	k.sync(what)
	g, c := p.g.Int64s(), p.c.Int64s()
	for i := range c {
		if g[i] != c[i] {
			k.t.Fatalf("%s: [%d] = %d, cpu %d", what, i, g[i], c[i])
		}
	}
}

// ulps requires |g − c| ≤ n ulp of c (both finite), or equal specials.
func (k *conf) ulps(what string, p pair, n float64) {
	k.t.Helper()
	k.sync(what)
	g, c := p.g.Float32s(), p.c.Float32s()
	for i := range c {
		a, b := float64(g[i]), float64(c[i])
		if math.IsNaN(a) && math.IsNaN(b) || a == b {
			continue
		}
		ulp := float64(math.Nextafter32(float32(math.Abs(b)), float32(math.Inf(1)))) - math.Abs(b)
		if math.IsNaN(a) || math.IsInf(a, 0) || math.Abs(a-b) > n*ulp {
			k.t.Fatalf("%s: [%d] = %.9g, cpu %.9g (over %g ulp)", what, i, g[i], c[i], n)
		}
	}
}

// frob requires ‖g − ref‖/‖ref‖ ≤ tol, ref the CPU's result or a float64
// reference, and every element finite where ref is.
func (k *conf) frob(what string, g *tensor.Tensor, ref []float64, tol float64) {
	k.t.Helper()
	k.sync(what)
	gv := g.Float32s()
	var num, den float64
	for i, r := range ref {
		if math.IsNaN(float64(gv[i])) && !math.IsNaN(r) {
			k.t.Fatalf("%s: [%d] is NaN (not written?), want %g", what, i, r)
		}
		d := float64(gv[i]) - r
		num += d * d
		den += r * r
	}
	if den == 0 {
		den = 1
	}
	if e := math.Sqrt(num / den); e > tol || math.IsNaN(e) {
		k.t.Fatalf("%s: relative Frobenius error %.3g > %g", what, e, tol)
	} else {
		k.t.Logf("%s: relative Frobenius error %.3g (tier %g)", what, e, tol)
	}
}

func chs(n, c, hw int) tensor.ChanShape { return tensor.ChanShape{N: n, C: c, HW: hw} }
func dms(o, d, i int) tensor.DimShape   { return tensor.DimShape{Outer: o, D: d, Inner: i} }

func f64(t *tensor.Tensor) []float64 {
	v := t.Float32s()
	w := make([]float64, len(v))
	for i, x := range v {
		w[i] = float64(x)
	}
	return w
}

func TestConformanceElementwise(t *testing.T) {
	k := &conf{t, openNaN(t), &kernels.CPU{}, rand.New(rand.NewPCG(21, 1))}
	for _, n := range []int{1, 257, 1<<16 + 3} {
		s := tensor.Shape{n}
		x, y := k.rand(s, -3, 3), k.rand(s, 0.1, 4)
		for op := tensor.Exp; op <= tensor.Abs; op++ {
			d := k.empty(s)
			src := x
			if op == tensor.Log || op == tensor.Sqrt {
				src = y
			}
			k.g.Unary(op, d.g, src.g)
			k.c.Unary(op, d.c, src.c)
			k.ulps(fmt.Sprintf("Unary %d n=%d", op, n), d, 2)
		}
		for op := tensor.Add; op <= tensor.MaskAcc; op++ {
			d := k.rand(s, -1, 1)
			k.g.Binary(op, d.g, x.g, y.g)
			k.c.Binary(op, d.c, x.c, y.c)
			k.ulps(fmt.Sprintf("Binary %d n=%d", op, n), d, 2)
		}
		mask := k.rand(s, 0, 1)
		k.g.Binary(tensor.Mul, mask.g, mask.g, mask.g) // values in [0,1): some exact zeros after Fill below
		k.c.Binary(tensor.Mul, mask.c, mask.c, mask.c)
		d := k.empty(s)
		k.g.MaskedFill(d.g, x.g, mask.g, -9)
		k.c.MaskedFill(d.c, x.c, mask.c, -9)
		k.exact(fmt.Sprintf("MaskedFill n=%d", n), d)
		f := k.empty(s)
		k.g.Fill(f.g, 2.5)
		k.c.Fill(f.c, 2.5)
		k.exact("Fill", f)
		k.g.Copy(f.g, x.g)
		k.c.Copy(f.c, x.c)
		k.exact("Copy", f)
		// SGD, with and without momentum, first and later steps.
		for _, c := range []struct {
			mom         float32
			nest, first bool
		}{{0.9, true, true}, {0.9, true, false}, {0.9, false, false}, {0, false, false}} {
			p, g, b := k.rand(s, -1, 1), k.rand(s, -1, 1), k.rand(s, -1, 1)
			k.g.SGDStep(p.g, g.g, b.g, 0.03, c.mom, 5e-4, c.nest, c.first)
			k.c.SGDStep(p.c, g.c, b.c, 0.03, c.mom, 5e-4, c.nest, c.first)
			k.exact(fmt.Sprintf("SGDStep %+v param", c), p)
			if c.mom != 0 {
				k.exact(fmt.Sprintf("SGDStep %+v buf", c), b)
			}
		}
	}
}

func TestConformanceChannelsAndDims(t *testing.T) {
	k := &conf{t, openNaN(t), &kernels.CPU{}, rand.New(rand.NewPCG(22, 1))}
	for _, cs := range []tensor.ChanShape{chs(3, 5, 7), chs(16, 64, 1), chs(8, 32, 33)} {
		s := tensor.Shape{cs.N, cs.C, cs.HW}
		y, b := k.rand(s, -1, 1), k.rand(tensor.Shape{cs.C}, -1, 1)
		k.g.BiasAdd(y.g, b.g, cs)
		k.c.BiasAdd(y.c, b.c, cs)
		k.ulps(fmt.Sprintf("BiasAdd %v", cs), y, 2)
		d := k.rand(tensor.Shape{cs.C}, -1, 1)
		k.g.ChannelSum(d.g, y.g, cs)
		k.c.ChannelSum(d.c, y.c, cs)
		k.frob(fmt.Sprintf("ChannelSum %v", cs), d.g, f64(d.c), 1e-5)
	}
	for _, ds := range []tensor.DimShape{dms(1, 10000, 1), dms(7, 33, 1), dms(3, 17, 5), dms(256, 10, 1), dms(4, 1, 9)} {
		s := tensor.Shape{ds.Outer, ds.D, ds.Inner}
		x := k.rand(s, -4, 4)
		for _, acc := range []bool{false, true} {
			d := k.rand(tensor.Shape{ds.Outer, ds.Inner}, -1, 1)
			k.g.Sum(d.g, x.g, ds, acc)
			k.c.Sum(d.c, x.c, ds, acc)
			k.frob(fmt.Sprintf("Sum %v acc=%v", ds, acc), d.g, f64(d.c), 1e-5)
		}
		src := k.rand(tensor.Shape{ds.Outer, ds.Inner}, -1, 1)
		dst := k.rand(s, -1, 1)
		k.g.BroadcastAcc(dst.g, src.g, ds, 0.5)
		k.c.BroadcastAcc(dst.c, src.c, ds, 0.5)
		k.ulps(fmt.Sprintf("BroadcastAcc %v", ds), dst, 2)
		for _, lg := range []bool{false, true} {
			y := k.empty(s)
			k.g.SoftmaxForward(y.g, x.g, ds, lg)
			k.c.SoftmaxForward(y.c, x.c, ds, lg)
			k.frob(fmt.Sprintf("SoftmaxForward %v log=%v", ds, lg), y.g, f64(y.c), 1e-5)
			dy, dx := k.rand(s, -1, 1), k.rand(s, -1, 1)
			k.g.SoftmaxBackward(dx.g, dy.g, y.c2g(k), ds, lg)
			k.c.SoftmaxBackward(dx.c, dy.c, y.c, ds, lg)
			k.frob(fmt.Sprintf("SoftmaxBackward %v log=%v", ds, lg), dx.g, f64(dx.c), 1e-5)
		}
		y, nrm := k.empty(s), k.empty(tensor.Shape{ds.Outer, ds.Inner})
		k.g.L2NormForward(y.g, nrm.g, x.g, ds)
		k.c.L2NormForward(y.c, nrm.c, x.c, ds)
		k.frob(fmt.Sprintf("L2NormForward y %v", ds), y.g, f64(y.c), 1e-5)
		k.frob(fmt.Sprintf("L2NormForward norm %v", ds), nrm.g, f64(nrm.c), 1e-5)
		dy, dx := k.rand(s, -1, 1), k.rand(s, -1, 1)
		k.g.L2NormBackward(dx.g, dy.g, y.c2g(k), nrm.c2g(k), ds)
		k.c.L2NormBackward(dx.c, dy.c, y.c, nrm.c, ds)
		k.frob(fmt.Sprintf("L2NormBackward %v", ds), dx.g, f64(dx.c), 1e-5)
	}
	// SliceCopy both ways, AvgPool.
	src, dst := k.rand(tensor.Shape{3, 7, 5}, -1, 1), k.rand(tensor.Shape{3, 9, 5}, -1, 1)
	for _, acc := range []bool{false, true} {
		k.g.SliceCopy(dst.g, 9, 2, src.g, 7, 1, 4, 3, 5, acc)
		k.c.SliceCopy(dst.c, 9, 2, src.c, 7, 1, 4, 3, 5, acc)
		k.exact(fmt.Sprintf("SliceCopy acc=%v", acc), dst)
	}
	for _, ps := range []tensor.PoolShape{tensor.PoolShapeOf(tensor.Shape{2, 3, 9, 8}, 4), tensor.PoolShapeOf(tensor.Shape{256, 64, 4, 4}, 4)} {
		x := k.rand(tensor.Shape{ps.N, ps.C, ps.H, ps.W}, -1, 1)
		y := k.empty(tensor.Shape{ps.N, ps.C, ps.OH, ps.OW})
		k.g.AvgPool2DForward(y.g, x.g, ps)
		k.c.AvgPool2DForward(y.c, x.c, ps)
		k.exact(fmt.Sprintf("AvgPool2DForward %v", ps), y)
		dx := k.rand(x.c.Shape(), -1, 1)
		k.g.AvgPool2DBackward(dx.g, y.g, ps)
		k.c.AvgPool2DBackward(dx.c, y.c, ps)
		k.exact(fmt.Sprintf("AvgPool2DBackward %v", ps), dx)
	}
}

// c2g uploads the CPU side's values to the GPU side (so that a backward is
// compared from identical forward outputs).
func (p pair) c2g(k *conf) *tensor.Tensor {
	k.g.Upload(p.g, p.c.Float32s())
	return p.g
}

func TestConformanceIndex(t *testing.T) {
	k := &conf{t, openNaN(t), &kernels.CPU{}, rand.New(rand.NewPCG(23, 1))}
	const m, d, r = 50, 33, 40
	src := k.rand(tensor.Shape{m, d}, -1, 1)
	iv := make([]int64, r)
	for i := range iv {
		iv[i] = int64(k.rng.IntN(m / 4)) // many duplicates
	}
	idx := k.idx(tensor.Shape{r}, iv)
	sel := k.empty(tensor.Shape{r, d})
	k.g.IndexSelect(sel.g, src.g, idx.g)
	k.c.IndexSelect(sel.c, src.c, idx.c)
	k.exact("IndexSelect", sel)
	rows := k.rand(tensor.Shape{r, d}, -1, 1)
	bank := k.rand(tensor.Shape{m, d}, -1, 1)
	k.g.IndexAdd(bank.g, idx.g, rows.g, 0.7)
	k.c.IndexAdd(bank.c, idx.c, rows.c, 0.7)
	k.exact("IndexAdd (duplicates add in order)", bank)
	k.g.IndexCopy(bank.g, idx.g, rows.g)
	k.c.IndexCopy(bank.c, idx.c, rows.c)
	k.exact("IndexCopy (a later duplicate wins)", bank)
	const cols, j = 17, 6
	gi := make([]int64, r*j)
	for i := range gi {
		gi[i] = int64(k.rng.IntN(cols))
	}
	gidx := k.idx(tensor.Shape{r, j}, gi)
	gsrc := k.rand(tensor.Shape{r, cols}, -1, 1)
	gd := k.empty(tensor.Shape{r, j})
	k.g.Gather(gd.g, gsrc.g, gidx.g)
	k.c.Gather(gd.c, gsrc.c, gidx.c)
	k.exact("Gather", gd)
	k.g.ScatterAdd(gsrc.g, gidx.g, gd.g)
	k.c.ScatterAdd(gsrc.c, gidx.c, gd.c)
	k.exact("ScatterAdd", gsrc)
	// Argmax and TopK with ties (values on a coarse grid), NaN and ±0.
	for _, sh := range [][2]int{{5, 1}, {9, 300}, {3, 50000}, {64, 2048}} {
		v := make([]float32, sh[0]*sh[1])
		for i := range v {
			v[i] = float32(k.rng.IntN(7)) - 3
		}
		v[0], v[len(v)-1] = float32(math.NaN()), float32(math.Copysign(0, -1))
		x := pair{tensor.FromFloat32(k.g, tensor.Shape{sh[0], sh[1]}, v), tensor.FromFloat32(k.c, tensor.Shape{sh[0], sh[1]}, v)}
		am := pair{k.g.Empty(tensor.Int64, tensor.Shape{sh[0]}), k.c.Empty(tensor.Int64, tensor.Shape{sh[0]})}
		k.g.Argmax(am.g, x.g)
		k.c.Argmax(am.c, x.c)
		k.exactInt(fmt.Sprintf("Argmax %v", sh), am)
		for _, kk := range []int{1, min(sh[1], 7), min(sh[1], 200), min(sh[1], 2048)} {
			vals := k.empty(tensor.Shape{sh[0], kk})
			ix := pair{k.g.Empty(tensor.Int64, tensor.Shape{sh[0], kk}), k.c.Empty(tensor.Int64, tensor.Shape{sh[0], kk})}
			k.g.TopK(vals.g, ix.g, x.g, kk)
			k.c.TopK(vals.c, ix.c, x.c, kk)
			k.exactInt(fmt.Sprintf("TopK %v k=%d idx", sh, kk), ix)
			k.exact(fmt.Sprintf("TopK %v k=%d vals", sh, kk), vals)
		}
	}
}

func TestConformanceBatchNorm(t *testing.T) {
	k := &conf{t, openNaN(t), &kernels.CPU{}, rand.New(rand.NewPCG(24, 1))}
	for _, cs := range []tensor.ChanShape{chs(4, 3, 25), chs(256, 64, 16), chs(2, 5, 1)} {
		s := tensor.Shape{cs.N, cs.C, cs.HW}
		x := k.rand(s, 2, 6) // |mean| > std: the centring matters
		gm, bt := k.rand(tensor.Shape{cs.C}, 0.5, 1.5), k.rand(tensor.Shape{cs.C}, -1, 1)
		res := k.rand(s, -1, 1)
		for _, act := range []int{0, 1, 2} { // plain, ReLU, residual+ReLU
			mk := func(r *tensor.Tensor) tensor.BNAct {
				switch act {
				case 1:
					return tensor.BNAct{ReLU: true}
				case 2:
					return tensor.BNAct{ReLU: true, Res: r}
				}
				return tensor.BNAct{}
			}
			y, mean, vr := k.empty(s), k.empty(tensor.Shape{cs.C}), k.empty(tensor.Shape{cs.C})
			k.g.BatchNormForward(y.g, mean.g, vr.g, x.g, gm.g, bt.g, cs, 1e-5, mk(res.g))
			k.c.BatchNormForward(y.c, mean.c, vr.c, x.c, gm.c, bt.c, cs, 1e-5, mk(res.c))
			name := fmt.Sprintf("BatchNormForward %v act=%d", cs, act)
			k.frob(name+" mean", mean.g, f64(mean.c), 1e-5)
			k.frob(name+" var", vr.g, f64(vr.c), 1e-5)
			k.frob(name+" y", y.g, f64(y.c), 1e-5)
			yi := k.empty(s)
			k.g.BatchNormInference(yi.g, x.g, gm.g, bt.g, mean.c2g(k), vr.c2g(k), cs, 1e-5, mk(res.g))
			k.c.BatchNormInference(yi.c, x.c, gm.c, bt.c, mean.c, vr.c, cs, 1e-5, mk(res.c))
			k.frob(fmt.Sprintf("BatchNormInference %v act=%d", cs, act), yi.g, f64(yi.c), 1e-5)
			for _, train := range []bool{true, false} {
				dy := k.rand(s, -1, 1)
				dx, dg, db, dr := k.rand(s, -1, 1), k.rand(tensor.Shape{cs.C}, -1, 1), k.rand(tensor.Shape{cs.C}, -1, 1), k.rand(s, -1, 1)
				ga, ca := mk(nil), mk(nil)
				if act > 0 {
					ga.Y, ca.Y = y.c2g(k), y.c
				}
				if act == 2 {
					ga.DRes, ca.DRes = dr.g, dr.c
				}
				k.g.BatchNormBackward(dx.g, dg.g, db.g, dy.g, x.g, gm.g, mean.g, vr.g, cs, 1e-5, train, ga)
				k.c.BatchNormBackward(dx.c, dg.c, db.c, dy.c, x.c, gm.c, mean.c, vr.c, cs, 1e-5, train, ca)
				bn := fmt.Sprintf("BatchNormBackward %v act=%d train=%v", cs, act, train)
				k.frob(bn+" dx", dx.g, f64(dx.c), 1e-5)
				k.frob(bn+" dgamma", dg.g, f64(dg.c), 1e-5)
				k.frob(bn+" dbeta", db.g, f64(db.c), 1e-5)
				if act == 2 {
					k.frob(bn+" dres", dr.g, f64(dr.c), 1e-5)
				}
			}
		}
	}
}

// TestConformanceConvGemm checks the GEMM core in both modes against a
// float64 reference: the CPU's float32 result is within ~1e-6 of it, far
// inside both tiers, so it stands in for the reference here.
func TestConformanceConvGemm(t *testing.T) {
	k := &conf{t, openNaN(t), &kernels.CPU{}, rand.New(rand.NewPCG(25, 1))}
	for _, exact := range []bool{false, true} {
		k.g.SetExactFP32(exact)
		tol := 1e-3
		if exact {
			tol = 1e-5
		}
		for _, c := range []struct{ n, c, h, kk, r, st, pad int }{
			{2, 3, 9, 5, 3, 1, 1}, {8, 64, 16, 64, 3, 1, 1}, {8, 64, 16, 128, 3, 2, 1}, {8, 64, 16, 128, 1, 2, 0},
			{4, 130, 8, 200, 3, 1, 1}, {2, 3, 11, 4, 7, 2, 3}, {32, 256, 4, 256, 3, 1, 1},
		} {
			s := tensor.ConvShapeOf(tensor.Shape{c.n, c.c, c.h, c.h}, tensor.Shape{c.kk, c.c, c.r, c.r}, c.st, c.pad)
			x, w, dy := k.rand(s.XShape(), -1, 1), k.rand(s.WShape(), -1, 1), k.rand(s.YShape(), -1, 1)
			name := fmt.Sprintf("%v exact=%v", s, exact)
			y := k.empty(s.YShape())
			k.g.Conv2DForward(y.g, x.g, w.g, s)
			k.c.Conv2DForward(y.c, x.c, w.c, s)
			k.frob("Conv2DForward "+name, y.g, f64(y.c), tol)
			dx, dw := k.rand(s.XShape(), -1, 1), k.rand(s.WShape(), -1, 1)
			k.g.Conv2DBackwardData(dx.g, dy.g, w.g, s, true)
			k.c.Conv2DBackwardData(dx.c, dy.c, w.c, s, true)
			k.frob("Conv2DBackwardData "+name, dx.g, f64(dx.c), tol)
			k.g.Conv2DBackwardFilter(dw.g, dy.g, x.g, s)
			k.c.Conv2DBackwardFilter(dw.c, dy.c, x.c, s)
			k.frob("Conv2DBackwardFilter "+name, dw.g, f64(dw.c), tol)
			// Conv + evaluation BN + residual + ReLU.
			gm, bt := k.rand(tensor.Shape{s.K}, 0.5, 1.5), k.rand(tensor.Shape{s.K}, -1, 1)
			mu, vr := k.rand(tensor.Shape{s.K}, -1, 1), k.rand(tensor.Shape{s.K}, 0.5, 2)
			res := k.rand(s.YShape(), -1, 1)
			yb := k.empty(s.YShape())
			k.g.Conv2DForwardBN(yb.g, x.g, w.g, gm.g, bt.g, mu.g, vr.g, s, 1e-5, tensor.BNAct{ReLU: true, Res: res.g})
			k.c.Conv2DForwardBN(yb.c, x.c, w.c, gm.c, bt.c, mu.c, vr.c, s, 1e-5, tensor.BNAct{ReLU: true, Res: res.c})
			k.frob("Conv2DForwardBN "+name, yb.g, f64(yb.c), tol)
		}
		for _, c := range []struct {
			m, n, kk int
			ta, tb   bool
		}{{1, 1, 1, false, false}, {37, 45, 19, true, false}, {256, 128, 512, false, true}, {300, 500, 128, true, true}, {256, 10000, 128, false, true}} {
			as, bs := tensor.Shape{c.m, c.kk}, tensor.Shape{c.kk, c.n}
			if c.ta {
				as = tensor.Shape{c.kk, c.m}
			}
			if c.tb {
				bs = tensor.Shape{c.n, c.kk}
			}
			a, b, cc := k.rand(as, -1, 1), k.rand(bs, -1, 1), k.rand(tensor.Shape{c.m, c.n}, -1, 1)
			for _, beta := range []float32{0, 0.5} {
				k.g.Gemm(c.ta, c.tb, 1.5, a.g, b.g, beta, cc.g)
				k.c.Gemm(c.ta, c.tb, 1.5, a.c, b.c, beta, cc.c)
				k.frob(fmt.Sprintf("Gemm %+v beta=%g exact=%v", c, beta, exact), cc.g, f64(cc.c), tol)
				cc.c2g(k)
			}
		}
	}
}
