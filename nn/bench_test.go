package nn_test

import (
	"math/rand/v2"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/nn"
	"twostage/tensor"
)

// stepCase is one training-step benchmark: the two-tower encoder at a base
// width on batch images of side size with c channels.
type stepCase struct {
	name              string
	width, c, size, n int
}

var stepCases = []stepCase{
	{"model=paper", 64, 3, 32, 256}, // the paper's encoder, CIFAR-10 shape
	{"model=small", 16, 1, 28, 256}, // the small model of issue 13's goals, Fashion-MNIST shape
	{"model=cpu", 8, 1, 28, 256},    // the cpu preset's encoder: a stage-1 batch (128 images, two views)
}

// BenchmarkTrainStep times one full training step of the encoder (forward in
// training mode, a loss ⟨y, g⟩ with a fixed random g, backward, SGD Nesterov
// with weight decay), the part of a stage-1/2 step that depends on the
// model, and reports images per second. scripts/bench_peer.sh runs the same
// step in PyTorch.
func BenchmarkTrainStep(b *testing.B) {
	for _, sc := range stepCases {
		b.Run(sc.name, func(b *testing.B) { benchStep(b, sc, true) })
	}
}

// BenchmarkForward times the evaluation-mode forward pass (no graph).
func BenchmarkForward(b *testing.B) {
	for _, sc := range stepCases {
		b.Run(sc.name, func(b *testing.B) { benchStep(b, sc, false) })
	}
}

func benchStep(b *testing.B, sc stepCase, train bool) {
	step := stepFunc(&kernels.CPU{}, sc, train)
	// One untimed step fills the backend's buffer pool (b.Loop resets the
	// timer on its first call), so the figures are steady-state steps.
	step()
	b.ReportAllocs()
	for b.Loop() {
		step()
	}
	b.ReportMetric(float64(sc.n)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
}

// stepFunc builds sc's encoder, batch and optimiser on be and returns one
// step: with train, forward in training mode, a loss ⟨y, g⟩ with a fixed
// random g, backward and an SGD step; without, the evaluation forward.
func stepFunc(be tensor.Backend, sc stepCase, train bool) func() {
	rng := rand.New(rand.NewPCG(1, 2))
	enc := nn.NewEncoder(be, rng, nn.EncoderConfig{Width: sc.width, LowDim: 128, InChannels: sc.c, ImageSize: sc.size})
	x := make([]float32, sc.n*sc.c*sc.size*sc.size)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	xt := tensor.FromFloat32(be, tensor.Shape{sc.n, sc.c, sc.size, sc.size}, x)
	g := make([]float32, sc.n*128)
	for i := range g {
		g[i] = float32(rng.NormFloat64())
	}
	gt := tensor.FromFloat32(be, tensor.Shape{sc.n, 128}, g)
	opt := nn.NewSGD(nn.Params(enc), 0.03, 0.9, 5e-4, true)
	return func() {
		if !train {
			be.BeginScope()
			autograd.NoGrad(func() { enc.Forward(autograd.Const(xt), false) })
			be.EndScope()
			return
		}
		opt.ZeroGrad()
		be.BeginScope()
		y := enc.Forward(autograd.Const(xt), true)
		y.BackwardWith(gt)
		opt.Step()
		be.EndScope()
	}
}
