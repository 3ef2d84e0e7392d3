package batchnorm_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"twostage/tensor"
)

// slowBatchNorm64 is training-mode batch norm in float64 over x viewed as
// [N,C,HW]: per channel mean = Σx/M, var = Σ(x−mean)²/M (biased, M = N·HW),
// y = (x−mean)/√(var+eps)·gamma + beta.
func slowBatchNorm64(x, gamma, beta []float64, s tensor.ChanShape, eps float64) (y, mean, variance []float64) {
	mean, variance = make([]float64, s.C), make([]float64, s.C)
	m := float64(s.N * s.HW)
	for c := 0; c < s.C; c++ {
		for n := 0; n < s.N; n++ {
			for i := 0; i < s.HW; i++ {
				mean[c] += x[(n*s.C+c)*s.HW+i] / m
			}
		}
		for n := 0; n < s.N; n++ {
			for i := 0; i < s.HW; i++ {
				d := x[(n*s.C+c)*s.HW+i] - mean[c]
				variance[c] += d * d / m
			}
		}
	}
	return kt.BatchNormInference64(x, gamma, beta, mean, variance, s, eps), mean, variance
}

// slowBatchNormBackward64 is the chain rule of Ioffe & Szegedy (2015,
// Algorithm 1's backward), step by step rather than the kernel's folded form:
//
//	dx̂ = dy·gamma
//	dvar = Σ dx̂·(x−mean) · (−½)(var+eps)^(−3/2)
//	dmean = −Σ dx̂·rstd + dvar·Σ −2(x−mean)/M
//	dx = dx̂·rstd + dvar·2(x−mean)/M + dmean/M          (train)
//	dx = dx̂·rstd                                        (eval: stats constant)
//	dgamma = Σ dy·x̂,  dbeta = Σ dy.
func slowBatchNormBackward64(dy, x, gamma, mean, variance []float64, s tensor.ChanShape, eps float64, train bool) (dx, dgamma, dbeta []float64) {
	dx, dgamma, dbeta = make([]float64, len(x)), make([]float64, s.C), make([]float64, s.C)
	m := float64(s.N * s.HW)
	for c := 0; c < s.C; c++ {
		rstd := 1 / math.Sqrt(variance[c]+eps)
		var dvar, dmean, sumDev float64
		for n := 0; n < s.N; n++ {
			for i := 0; i < s.HW; i++ {
				j := (n*s.C+c)*s.HW + i
				dxh := dy[j] * gamma[c]
				dvar += dxh * (x[j] - mean[c]) * -0.5 * rstd * rstd * rstd
				dmean -= dxh * rstd
				sumDev += -2 * (x[j] - mean[c])
				dgamma[c] += dy[j] * (x[j] - mean[c]) * rstd
				dbeta[c] += dy[j]
			}
		}
		dmean += dvar * sumDev / m
		for n := 0; n < s.N; n++ {
			for i := 0; i < s.HW; i++ {
				j := (n*s.C+c)*s.HW + i
				dx[j] = dy[j] * gamma[c] * rstd
				if train {
					dx[j] += dvar*2*(x[j]-mean[c])/m + dmean/m
				}
			}
		}
	}
	return dx, dgamma, dbeta
}

// TestBatchNormReferenceGradients checks slowBatchNormBackward64 against
// central differences of L = Σ g·bn(x; gamma, beta), in training mode (the
// statistics follow x) and in eval mode (fixed statistics). L is smooth, and
// with step 1e-4 the O(h²) truncation error is far below the 1e-6 relative
// tolerance.
func TestBatchNormReferenceGradients(t *testing.T) {
	const eps = 1e-5
	for _, s := range []tensor.ChanShape{{N: 3, C: 2, HW: 5}, {N: 4, C: 3, HW: 1}} {
		for _, train := range []bool{true, false} {
			t.Run(fmt.Sprintf("shape=%d,%d,%d/train=%v", s.N, s.C, s.HW, train), func(t *testing.T) {
				x := kt.DenseF64(kt.DenseRand(1, s.N*s.C*s.HW, -1, 2))
				gamma := kt.DenseF64(kt.DenseRand(2, s.C, 0.5, 1.5))
				beta := kt.DenseF64(kt.DenseRand(3, s.C, -1, 1))
				g := kt.DenseF64(kt.DenseRand(4, len(x), -1, 1))
				// Eval mode uses unrelated running statistics.
				rMean := kt.DenseF64(kt.DenseRand(5, s.C, -0.5, 0.5))
				rVar := kt.DenseF64(kt.DenseRand(6, s.C, 0.5, 1.5))
				loss := func(x, gamma, beta []float64) float64 {
					var y []float64
					if train {
						y, _, _ = slowBatchNorm64(x, gamma, beta, s, eps)
					} else {
						y = kt.BatchNormInference64(x, gamma, beta, rMean, rVar, s, eps)
					}
					var l float64
					for i, v := range y {
						l += g[i] * v
					}
					return l
				}
				mean, variance := rMean, rVar
				if train {
					_, mean, variance = slowBatchNorm64(x, gamma, beta, s, eps)
				}
				dx, dgamma, dbeta := slowBatchNormBackward64(g, x, gamma, mean, variance, s, eps, train)
				set := &fd.Settings{Formula: fd.Central, Step: 1e-4}
				kt.DenseClose64(t, "dx", dx, fd.Gradient(nil, func(v []float64) float64 { return loss(v, gamma, beta) }, x, set), 1e-7, 1e-6)
				kt.DenseClose64(t, "dgamma", dgamma, fd.Gradient(nil, func(v []float64) float64 { return loss(x, v, beta) }, gamma, set), 1e-7, 1e-6)
				kt.DenseClose64(t, "dbeta", dbeta, fd.Gradient(nil, func(v []float64) float64 { return loss(x, gamma, v) }, beta, set), 1e-7, 1e-6)
			})
		}
	}
}

// bnCases: odd sizes, a 2-D [N,C] input, an input whose mean (3) is large
// next to its spread (the case the two-pass variance is for) and ResNet
// activations at batch 2.
var bnCases = []struct {
	s      tensor.ChanShape
	lo, hi float64 // range of x
}{
	{tensor.ChanShape{N: 3, C: 5, HW: 49}, -1, 1},
	{tensor.ChanShape{N: 8, C: 10, HW: 1}, -1, 1},
	{tensor.ChanShape{N: 3, C: 3, HW: 49}, 2.5, 3.5},
	{tensor.ChanShape{N: 2, C: 64, HW: 1024}, 0, 2},
	{tensor.ChanShape{N: 2, C: 512, HW: 16}, -1, 1},
	// Whole-vector rows run over a channel at once (bnByChannel) up to
	// 2^16 elements, row by row beyond; an offset mean again.
	{tensor.ChanShape{N: 24, C: 3, HW: 16}, 2.5, 3.5},
	{tensor.ChanShape{N: 65, C: 2, HW: 1024}, -1, 1},
}

// TestBatchNorm compares forward (training and inference) and backward (both
// modes, with every combination of requested gradients) with the float64
// references on every backend. Outputs start as garbage, gradients as random
// values (+=).
func TestBatchNorm(t *testing.T) {
	const eps = 1e-5
	for ci, bc := range bnCases {
		s := bc.s
		seed := uint64(10 * ci)
		shape := tensor.Shape{s.N, s.C, s.HW}
		vec := tensor.Shape{s.C}
		x := kt.DenseRand(seed+1, s.N*s.C*s.HW, bc.lo, bc.hi)
		gamma := kt.DenseRand(seed+2, s.C, 0.5, 1.5)
		beta := kt.DenseRand(seed+3, s.C, -1, 1)
		dy := kt.DenseRand(seed+4, len(x), -1, 1)
		rMean := kt.DenseRand(seed+5, s.C, -0.5, 0.5)
		rVar := kt.DenseRand(seed+6, s.C, 0.5, 1.5)
		dx0 := kt.DenseRand(seed+7, len(x), -1, 1)
		dg0 := kt.DenseRand(seed+8, s.C, -1, 1)
		db0 := kt.DenseRand(seed+9, s.C, -1, 1)
		x64, g64, b64 := kt.DenseF64(x), kt.DenseF64(gamma), kt.DenseF64(beta)
		wantY, wantMean, wantVar := slowBatchNorm64(x64, g64, b64, s, eps)
		wantYInf := kt.BatchNormInference64(x64, g64, b64, kt.DenseF64(rMean), kt.DenseF64(rVar), s, eps)
		for _, be := range kt.DenseThreaded() {
			t.Run(fmt.Sprintf("backend=%s/shape=%d,%d,%d", be.Name, s.N, s.C, s.HW), func(t *testing.T) {
				B := be.BE
				xt, gt, bt, dyt := kt.DenseTensor(B, shape, x), kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta), kt.DenseTensor(B, shape, dy)
				garbage := kt.DenseRand(99, len(x), -1e3, 1e3)
				y := kt.DenseTensor(B, shape, garbage)
				mean, variance := kt.DenseTensor(B, vec, garbage[:s.C]), kt.DenseTensor(B, vec, garbage[:s.C])
				B.BatchNormForward(y, mean, variance, xt, gt, bt, s, eps, tensor.BNAct{})
				kt.DenseClose(t, "mean", mean.Float32s(), wantMean, 1e-5, 1e-4)
				kt.DenseClose(t, "var", variance.Float32s(), wantVar, 1e-5, 1e-4)
				kt.DenseClose(t, "y", y.Float32s(), wantY, 1e-5, 1e-4)

				yi := kt.DenseTensor(B, shape, garbage)
				B.BatchNormInference(yi, xt, gt, bt, kt.DenseTensor(B, vec, rMean), kt.DenseTensor(B, vec, rVar), s, eps, tensor.BNAct{})
				kt.DenseClose(t, "y(inference)", yi.Float32s(), wantYInf, 1e-5, 1e-4)

				for _, train := range []bool{true, false} {
					// Training backward uses the batch statistics the
					// forward returned; eval uses the running ones.
					mt, vt := mean, variance
					m64, v64 := kt.DenseF64(mean.Float32s()), kt.DenseF64(variance.Float32s())
					if !train {
						mt, vt = kt.DenseTensor(B, vec, rMean), kt.DenseTensor(B, vec, rVar)
						m64, v64 = kt.DenseF64(rMean), kt.DenseF64(rVar)
					}
					wdx, wdg, wdb := slowBatchNormBackward64(kt.DenseF64(dy), x64, g64, m64, v64, s, eps, train)
					for _, want := range [][3]bool{{true, true, true}, {true, false, false}, {false, true, true}, {false, false, true}} {
						var dx, dg, db *tensor.Tensor
						if want[0] {
							dx = kt.DenseTensor(B, shape, dx0)
						}
						if want[1] {
							dg = kt.DenseTensor(B, vec, dg0)
						}
						if want[2] {
							db = kt.DenseTensor(B, vec, db0)
						}
						B.BatchNormBackward(dx, dg, db, dyt, xt, gt, mt, vt, s, eps, train, tensor.BNAct{})
						tag := fmt.Sprintf("train=%v,grads=%v", train, want)
						if dx != nil {
							kt.DenseClose(t, tag+" dx", dx.Float32s(), kt.DenseAdd(dx0, wdx), 1e-4, 1e-3)
						}
						if dg != nil {
							kt.DenseClose(t, tag+" dgamma", dg.Float32s(), kt.DenseAdd(dg0, wdg), 1e-4, 1e-3)
						}
						if db != nil {
							kt.DenseClose(t, tag+" dbeta", db.Float32s(), kt.DenseAdd(db0, wdb), 1e-4, 1e-3)
						}
					}
				}
			})
		}
	}
}

// TestBatchNormPanics checks size mismatches and missing required tensors.
func TestBatchNormPanics(t *testing.T) {
	s := tensor.ChanShape{N: 2, C: 3, HW: 4}
	for _, be := range kt.Backends() {
		B := be.BE
		x, v := B.Empty(tensor.Float32, tensor.Shape{2, 3, 4}), B.Empty(tensor.Float32, tensor.Shape{3})
		w := B.Empty(tensor.Float32, tensor.Shape{4})
		if !kt.DensePanics(func() { B.BatchNormForward(x, v, v, x, w, v, s, 1e-5, tensor.BNAct{}) }) {
			t.Errorf("%s: forward with a [4] gamma for C=3 did not panic", be.Name)
		}
		if !kt.DensePanics(func() { B.BatchNormInference(x, x, v, v, v, nil, s, 1e-5, tensor.BNAct{}) }) {
			t.Errorf("%s: inference without variance did not panic", be.Name)
		}
		if !kt.DensePanics(func() { B.BatchNormBackward(x, nil, nil, x.Reshape(2, 12), x, v, v, w, s, 1e-5, true, tensor.BNAct{}) }) {
			t.Errorf("%s: backward with a [4] variance did not panic", be.Name)
		}
	}
}

// BenchmarkBatchNorm times training forward and backward (all gradients) at
// the encoder's activation shapes, batch 256. GB/s counts the compulsory
// traffic: forward reads x and writes y (8 bytes per element), backward
// reads x and dy and updates dx (16 bytes per element); the kernels make
// extra passes (two for the statistics), so this is a lower bound.
func BenchmarkBatchNorm(b *testing.B) {
	shapes := []tensor.ChanShape{
		{N: 256, C: 64, HW: 32 * 32},
		{N: 256, C: 128, HW: 16 * 16},
		{N: 256, C: 256, HW: 8 * 8},
		{N: 256, C: 512, HW: 4 * 4},
		// The width-16 encoder on 28×28 images.
		{N: 256, C: 16, HW: 28 * 28},
		{N: 256, C: 32, HW: 14 * 14},
		{N: 256, C: 64, HW: 7 * 7},
		{N: 256, C: 128, HW: 4 * 4},
	}
	for _, be := range kt.Backends() {
		for _, dir := range []string{"fwd", "bwd"} {
			for _, s := range shapes {
				b.Run(fmt.Sprintf("backend=%s/dir=%s/shape=%d,%d,%d", be.Name, dir, s.N, s.C, s.HW), func(b *testing.B) {
					B := be.BE
					shape, vec := tensor.Shape{s.N, s.C, s.HW}, tensor.Shape{s.C}
					n := s.N * s.C * s.HW
					x := kt.DenseTensor(B, shape, kt.DenseRand(1, n, -1, 1))
					y := kt.DenseTensor(B, shape, kt.DenseRand(2, n, -1, 1))
					dx := B.Empty(tensor.Float32, shape)
					gamma, beta := kt.DenseTensor(B, vec, kt.DenseRand(3, s.C, 0.5, 1.5)), B.Empty(tensor.Float32, vec)
					mean, variance := B.Empty(tensor.Float32, vec), B.Empty(tensor.Float32, vec)
					dg, db := B.Empty(tensor.Float32, vec), B.Empty(tensor.Float32, vec)
					B.BatchNormForward(dx, mean, variance, x, gamma, beta, s, 1e-5, tensor.BNAct{})
					bytes := 8.0
					if dir == "bwd" {
						bytes = 16
					}
					b.ReportAllocs()
					for b.Loop() {
						if dir == "fwd" {
							B.BatchNormForward(y, mean, variance, x, gamma, beta, s, 1e-5, tensor.BNAct{})
						} else {
							B.BatchNormBackward(dx, dg, db, y, x, gamma, mean, variance, s, 1e-5, true, tensor.BNAct{})
						}
					}
					b.ReportMetric(bytes*float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			}
		}
	}
}

// TestBatchNormAct checks the fused tail y = relu(bn(x) + res) forward and
// backward (dx, dgamma, dbeta and the residual's gradient) against the
// float64 references on every backend, for each combination of residual and
// ReLU, over row kt.Lengths that leave every SIMD tail (HW = 1, 7, 8, 13, 17,
// 49). The backward gate is the backend's own forward output (y > 0), the
// op's definition, so values rounding to either side of 0 cannot disagree.
func TestBatchNormAct(t *testing.T) {
	const eps = 1e-5
	shapes := []tensor.ChanShape{{N: 3, C: 4, HW: 1}, {N: 2, C: 3, HW: 7}, {N: 2, C: 3, HW: 8},
		{N: 3, C: 2, HW: 13}, {N: 2, C: 5, HW: 17}, {N: 4, C: 6, HW: 49}}
	for si, s := range shapes {
		seed := uint64(100 + 10*si)
		shape, vec := tensor.Shape{s.N, s.C, s.HW}, tensor.Shape{s.C}
		x := kt.DenseRand(seed+1, s.N*s.C*s.HW, -1, 1)
		res := kt.DenseRand(seed+2, len(x), -1, 1)
		gamma, beta := kt.DenseRand(seed+3, s.C, 0.5, 1.5), kt.DenseRand(seed+4, s.C, -0.5, 0.5)
		dy := kt.DenseRand(seed+5, len(x), -1, 1)
		dx0, dr0 := kt.DenseRand(seed+6, len(x), -1, 1), kt.DenseRand(seed+7, len(x), -1, 1)
		dg0, db0 := kt.DenseRand(seed+8, s.C, -1, 1), kt.DenseRand(seed+9, s.C, -1, 1)
		x64, g64, b64 := kt.DenseF64(x), kt.DenseF64(gamma), kt.DenseF64(beta)
		bn64, _, _ := slowBatchNorm64(x64, g64, b64, s, eps)
		for _, be := range kt.DenseThreaded() {
			for _, withRes := range []bool{false, true} {
				for _, relu := range []bool{false, true} {
					name := fmt.Sprintf("backend=%s/shape=%d,%d,%d/res=%v/relu=%v", be.Name, s.N, s.C, s.HW, withRes, relu)
					t.Run(name, func(t *testing.T) {
						B := be.BE
						xt, gt, bt := kt.DenseTensor(B, shape, x), kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta)
						want := kt.WithTail(bn64, res, withRes, relu)
						act := tensor.BNAct{ReLU: relu}
						if withRes {
							act.Res = kt.DenseTensor(B, shape, res)
						}
						y := kt.DenseTensor(B, shape, kt.DenseRand(99, len(x), -1e3, 1e3))
						mean, variance := kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, gamma)
						B.BatchNormForward(y, mean, variance, xt, gt, bt, s, eps, act)
						kt.DenseClose(t, "y", y.Float32s(), want, 1e-5, 1e-4)

						// g = dy gated by the forward output.
						yv, g := y.Float32s(), make([]float64, len(dy))
						for i := range g {
							if !relu || yv[i] > 0 {
								g[i] = float64(dy[i])
							}
						}
						wdx, wdg, wdb := slowBatchNormBackward64(g, x64, g64, kt.DenseF64(mean.Float32s()), kt.DenseF64(variance.Float32s()), s, eps, true)
						bact := tensor.BNAct{ReLU: relu}
						if relu {
							bact.Y = y
						}
						var dr *tensor.Tensor
						if withRes {
							dr = kt.DenseTensor(B, shape, dr0)
							bact.DRes = dr
						}
						dx, dg, db := kt.DenseTensor(B, shape, dx0), kt.DenseTensor(B, vec, dg0), kt.DenseTensor(B, vec, db0)
						B.BatchNormBackward(dx, dg, db, kt.DenseTensor(B, shape, dy), xt, gt, mean, variance, s, eps, true, bact)
						kt.DenseClose(t, "dx", dx.Float32s(), kt.DenseAdd(dx0, wdx), 1e-4, 1e-3)
						kt.DenseClose(t, "dgamma", dg.Float32s(), kt.DenseAdd(dg0, wdg), 1e-4, 1e-3)
						kt.DenseClose(t, "dbeta", db.Float32s(), kt.DenseAdd(db0, wdb), 1e-4, 1e-3)
						if withRes {
							kt.DenseClose(t, "dres", dr.Float32s(), kt.DenseAdd(dr0, g), 1e-6, 1e-6)
						}
						// Only the residual needs a gradient: dr alone is written.
						if withRes {
							dr2 := kt.DenseTensor(B, shape, dr0)
							bact.DRes = dr2
							B.BatchNormBackward(nil, nil, nil, kt.DenseTensor(B, shape, dy), xt, gt, mean, variance, s, eps, true, bact)
							kt.DenseClose(t, "dres alone", dr2.Float32s(), kt.DenseAdd(dr0, g), 1e-6, 1e-6)
						}
					})
				}
			}
		}
	}
}

// TestBatchNormBackwardSet checks the write mode of BatchNormBackward
// (act.SetDX, act.SetDRes: autograd's first gradients of x and of the
// residual) on every backend: over garbage dx and DRes it must give the
// bits of += into zeroed ones, for both statistics modes, with and without
// the ReLU gate, dx present or not, on shapes that take the per-channel
// loops, the per-row loops (N·HW above bnByChannel's bound) and every
// SIMD tail. dy has exact zeros of both signs mixed in.
func TestBatchNormBackwardSet(t *testing.T) {
	const eps = 1e-5
	shapes := []tensor.ChanShape{{N: 3, C: 4, HW: 1}, {N: 2, C: 3, HW: 7}, {N: 2, C: 3, HW: 8},
		{N: 2, C: 5, HW: 17}, {N: 4, C: 6, HW: 49}, {N: 3, C: 2, HW: 21851}}
	for si, s := range shapes {
		seed := uint64(300 + 10*si)
		shape, vec := tensor.Shape{s.N, s.C, s.HW}, tensor.Shape{s.C}
		n := s.N * s.C * s.HW
		x := kt.DenseRand(seed+1, n, -1, 1)
		gamma, beta := kt.DenseRand(seed+3, s.C, 0.5, 1.5), kt.DenseRand(seed+4, s.C, -0.5, 0.5)
		dy := kt.WithSignedZeros(kt.DenseRand(seed+5, n, -1, 1))
		for _, be := range kt.DenseThreaded() {
			for _, train := range []bool{true, false} {
				for _, relu := range []bool{false, true} {
					for _, withDX := range []bool{true, false} {
						name := fmt.Sprintf("backend=%s/shape=%d,%d,%d/train=%v/relu=%v/dx=%v", be.Name, s.N, s.C, s.HW, train, relu, withDX)
						t.Run(name, func(t *testing.T) {
							B := be.BE
							xt, gt, bt := kt.DenseTensor(B, shape, x), kt.DenseTensor(B, vec, gamma), kt.DenseTensor(B, vec, beta)
							y := B.Empty(tensor.Float32, shape)
							mean, variance := B.Empty(tensor.Float32, vec), B.Empty(tensor.Float32, vec)
							B.BatchNormForward(y, mean, variance, xt, gt, bt, s, eps, tensor.BNAct{ReLU: relu})
							run := func(set bool, dx0 []float32) (dx, dr, dg, db []float32) {
								act := tensor.BNAct{ReLU: relu, SetDX: set, SetDRes: set}
								if relu {
									act.Y = y
								}
								var dxt *tensor.Tensor
								if withDX {
									dxt = kt.DenseTensor(B, shape, dx0)
								}
								act.DRes = kt.DenseTensor(B, shape, dx0)
								dgt, dbt := kt.DenseTensor(B, vec, make([]float32, s.C)), kt.DenseTensor(B, vec, make([]float32, s.C))
								B.BatchNormBackward(dxt, dgt, dbt, kt.DenseTensor(B, shape, dy), xt, gt, mean, variance, s, eps, train, act)
								if withDX {
									dx = dxt.Float32s()
								}
								return dx, act.DRes.Float32s(), dgt.Float32s(), dbt.Float32s()
							}
							dxA, drA, dgA, dbA := run(false, make([]float32, n))
							dxS, drS, dgS, dbS := run(true, kt.DenseRand(98, n, -1e3, 1e3)) // garbage to overwrite
							kt.DenseSameBits(t, "dx (=)", dxS, dxA)
							kt.DenseSameBits(t, "dres (=)", drS, drA)
							kt.DenseSameBits(t, "dgamma", dgS, dgA)
							kt.DenseSameBits(t, "dbeta", dbS, dbA)
						})
					}
				}
			}
		}
	}
}
