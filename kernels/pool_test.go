package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"twostage/tensor"
)

// slowAvgPool64 is the textbook average pool in float64:
// y[n,c,oh,ow] = 1/K² Σ_{i,j<K} x[n,c,oh·K+i,ow·K+j].
func slowAvgPool64(x []float64, s tensor.PoolShape) []float64 {
	y := make([]float64, s.N*s.C*s.OH*s.OW)
	for p := 0; p < s.N*s.C; p++ {
		for oh := 0; oh < s.OH; oh++ {
			for ow := 0; ow < s.OW; ow++ {
				var acc float64
				for i := 0; i < s.K; i++ {
					for j := 0; j < s.K; j++ {
						acc += x[(p*s.H+oh*s.K+i)*s.W+ow*s.K+j]
					}
				}
				y[(p*s.OH+oh)*s.OW+ow] = acc / float64(s.K*s.K)
			}
		}
	}
	return y
}

// slowAvgPoolBackward64 returns dx [N,C,H,W] with dy[n,c,oh,ow]/K² at every
// position of window (oh, ow) and 0 at the rows and columns no window covers.
func slowAvgPoolBackward64(dy []float64, s tensor.PoolShape) []float64 {
	dx := make([]float64, s.N*s.C*s.H*s.W)
	for p := 0; p < s.N*s.C; p++ {
		for oh := 0; oh < s.OH; oh++ {
			for ow := 0; ow < s.OW; ow++ {
				g := dy[(p*s.OH+oh)*s.OW+ow] / float64(s.K*s.K)
				for i := 0; i < s.K; i++ {
					for j := 0; j < s.K; j++ {
						dx[(p*s.H+oh*s.K+i)*s.W+ow*s.K+j] += g
					}
				}
			}
		}
	}
	return dx
}

// poolCases: floor sizes (7 with K = 2, 3), a window as large as the image,
// the encoder's final 4×4 pool, and K = 1.
func poolCases() []tensor.PoolShape {
	return []tensor.PoolShape{
		tensor.PoolShapeOf(tensor.Shape{3, 5, 7, 7}, 2),
		tensor.PoolShapeOf(tensor.Shape{3, 5, 7, 7}, 3),
		tensor.PoolShapeOf(tensor.Shape{1, 3, 7, 7}, 7),
		tensor.PoolShapeOf(tensor.Shape{2, 3, 6, 9}, 3),
		tensor.PoolShapeOf(tensor.Shape{4, 512, 4, 4}, 4),
		tensor.PoolShapeOf(tensor.Shape{2, 3, 5, 5}, 1),
	}
}

func poolName(s tensor.PoolShape) string {
	return fmt.Sprintf("N%d_C%d_H%dx%d_K%d", s.N, s.C, s.H, s.W, s.K)
}

// TestAvgPool2DReferenceGradient checks slowAvgPoolBackward64 against central
// differences of L(x) = Σ g·pool(x) (linear in x, so exact but for rounding).
func TestAvgPool2DReferenceGradient(t *testing.T) {
	for _, s := range []tensor.PoolShape{
		tensor.PoolShapeOf(tensor.Shape{2, 2, 5, 5}, 2),
		tensor.PoolShapeOf(tensor.Shape{1, 2, 4, 7}, 3),
	} {
		x := kt.DenseF64(kt.DenseRand(1, s.N*s.C*s.H*s.W, -1, 1))
		g := kt.DenseF64(kt.DenseRand(2, s.N*s.C*s.OH*s.OW, -1, 1))
		loss := func(x []float64) float64 {
			var l float64
			for i, v := range slowAvgPool64(x, s) {
				l += g[i] * v
			}
			return l
		}
		want := fd.Gradient(nil, loss, x, &fd.Settings{Formula: fd.Central, Step: 1e-3})
		kt.DenseClose64(t, poolName(s)+" dx", slowAvgPoolBackward64(g, s), want, 1e-9, 1e-6)
	}
}

// TestAvgPool2D compares both passes of every backend with the references;
// y starts as garbage (=), dx as random values (+=).
func TestAvgPool2D(t *testing.T) {
	for ci, s := range poolCases() {
		seed := uint64(10 * ci)
		x := kt.DenseRand(seed+1, s.N*s.C*s.H*s.W, -1, 1)
		dy := kt.DenseRand(seed+2, s.N*s.C*s.OH*s.OW, -1, 1)
		dx0 := kt.DenseRand(seed+3, len(x), -1, 1)
		wantY := slowAvgPool64(kt.DenseF64(x), s)
		wantDx := kt.DenseAdd(dx0, slowAvgPoolBackward64(kt.DenseF64(dy), s))
		for _, be := range kt.DenseThreaded() {
			t.Run(fmt.Sprintf("backend=%s/shape=%s", be.Name, poolName(s)), func(t *testing.T) {
				ys := tensor.Shape{s.N, s.C, s.OH, s.OW}
				y := kt.DenseTensor(be.BE, ys, kt.DenseRand(99, len(dy), -1e3, 1e3))
				be.BE.AvgPool2DForward(y, kt.DenseTensor(be.BE, tensor.Shape{s.N, s.C, s.H, s.W}, x), s)
				// At most 49 terms per window: plain teenygrad tolerances.
				kt.DenseClose(t, "y", y.Float32s(), wantY, 1e-5, 1e-4)
				dxt := kt.DenseTensor(be.BE, tensor.Shape{s.N, s.C, s.H, s.W}, dx0)
				be.BE.AvgPool2DBackward(dxt, kt.DenseTensor(be.BE, ys, dy), s)
				kt.DenseClose(t, "dx", dxt.Float32s(), wantDx, 1e-4, 1e-3)
			})
		}
	}
}

// TestAvgPool2DPanics checks that a PoolShape that does not fit panics.
func TestAvgPool2DPanics(t *testing.T) {
	s := tensor.PoolShapeOf(tensor.Shape{2, 3, 7, 7}, 2)
	for _, be := range kt.Backends() {
		x := be.BE.Empty(tensor.Float32, tensor.Shape{2, 3, 7, 7})
		y := be.BE.Empty(tensor.Float32, tensor.Shape{2, 3, 3, 3})
		if kt.DensePanics(func() { be.BE.AvgPool2DForward(y, x, s) }) {
			t.Fatalf("%s: valid pool panicked", be.Name)
		}
		if !kt.DensePanics(func() { be.BE.AvgPool2DForward(x, y, s) }) {
			t.Errorf("%s: pool with swapped tensors did not panic", be.Name)
		}
		bad := s
		bad.OH = 4
		if !kt.DensePanics(func() { be.BE.AvgPool2DBackward(x, y, bad) }) {
			t.Errorf("%s: pool backward with a wrong PoolShape did not panic", be.Name)
		}
	}
}
