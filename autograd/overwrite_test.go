package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/kernels/sgemm"
	"twostage/nn"
	"twostage/tensor"
)

// TestOverwriteSameBits is the proof that writing first gradients (=, into
// uninitialised buffers: gradSlot) changes no bit against the old
// zero-then-accumulate path: a few full training steps of the encoders
// (forward in training mode, the stage-1 augmentation loss, backward, SGD
// Nesterov with weight decay) run twice from the same initialisation, with
// the write mode on and off, on every SIMD path this machine has and the
// NoSIMD reference, and every parameter, its gradient and every BN running
// statistic must agree bit for bit after each step (−0 and +0 differ
// here). The steps run in backend scopes, so from the second step on the
// Empty buffers are recycled ones holding the previous step's values: an
// element a write mode failed to write would show up as a difference. The
// counter of fresh gradients checks that the write mode really ran (and
// that it was off in the reference run).
func TestOverwriteSameBits(t *testing.T) {
	type netCase struct {
		name string
		cfg  nn.EncoderConfig
		n    int // batch (2B: two views of B images)
	}
	nets := []netCase{
		// The cpu preset's network at width 8: every conv path of the
		// 28×28 shapes (Winograd lanes, strided lanes, padded grid,
		// im2col for the stems' backward data) and the fused BN tails.
		{"resnet18-w8", nn.EncoderConfig{Width: 8, LowDim: 32, InChannels: 1, ImageSize: 28}, 32},
		// WRN-28-2 adds the unfused Add, ReLU, Sub and Scale of its leaky
		// ReLU and residuals (SIMD paths only: the Go ones take minutes).
		{"wrn28_2", nn.EncoderConfig{Network: nn.NetworkWRN28_2, LowDim: 32, InChannels: 3, ImageSize: 32}, 8},
	}
	type beCase struct {
		name string
		new  func() *kernels.CPU
	}
	bes := []beCase{{"nosimd", func() *kernels.CPU { return &kernels.CPU{NoSIMD: true} }}}
	for _, p := range sgemm.Paths() {
		bes = append(bes, beCase{p.String(), func() *kernels.CPU { return &kernels.CPU{Path: p} }})
	}
	const steps = 2
	for _, nc := range nets {
		for _, bc := range bes {
			t.Run(fmt.Sprintf("net=%s/path=%s", nc.name, bc.name), func(t *testing.T) {
				if nc.cfg.Network == nn.NetworkWRN28_2 && (testing.Short() || bc.name == "nosimd" || bc.name == "go") {
					t.Skip("WRN-28-2 steps are slow without SIMD (and under -short)")
				}
				run := func(on bool) [][]*state {
					defer autograd.SetOverwrite(on)()
					before := autograd.FreshGrads()
					states := trainSteps(bc.new(), nc.cfg, nc.n, steps)
					fresh := autograd.FreshGrads() - before
					if on && fresh == 0 {
						t.Fatal("write mode on, but no gradient was written fresh")
					}
					if !on && fresh != 0 {
						t.Fatalf("write mode off, but %d gradients were written fresh", fresh)
					}
					return states
				}
				want, got := run(false), run(true)
				for step := range want {
					for i, w := range want[step] {
						g := got[step][i]
						sameBits(t, fmt.Sprintf("step %d %s", step+1, w.name), g.val, w.val)
					}
				}
			})
		}
	}
}

// state is one tensor of the model after a step, by name.
type state struct {
	name string
	val  []float32
}

// trainSteps builds the encoder from a fixed seed on be and runs steps
// training steps on fixed data, returning after each step every parameter
// (".val"), its gradient (".grad") and every other state tensor (running
// statistics).
func trainSteps(be *kernels.CPU, cfg nn.EncoderConfig, n, steps int) [][]*state {
	rng := rand.New(rand.NewPCG(3, 4))
	enc := nn.NewEncoder(be, rng, cfg)
	x := make([]float32, n*cfg.InChannels*cfg.ImageSize*cfg.ImageSize)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	xt := tensor.FromFloat32(be, tensor.Shape{n, cfg.InChannels, cfg.ImageSize, cfg.ImageSize}, x)
	params := nn.Params(enc)
	opt := nn.NewSGD(params, 0.03, 0.9, 5e-4, true)
	var out [][]*state
	for s := 0; s < steps; s++ {
		opt.ZeroGrad()
		be.BeginScope()
		loss := nn.AugLoss(enc.Forward(autograd.Const(xt), true), 0.5, 0.1)
		loss.Backward()
		var st []*state
		for i, p := range params {
			st = append(st, &state{fmt.Sprintf("param %d %s.grad", i, p.Name), p.Grad().Float32s()})
		}
		opt.Step()
		be.EndScope()
		for _, e := range enc.State("") {
			switch {
			case e.Param != nil:
				st = append(st, &state{e.Name, e.Param.Val.Float32s()})
			case e.Buffer != nil:
				st = append(st, &state{e.Name, e.Buffer.Float32s()})
			}
		}
		out = append(out, st)
	}
	return out
}

// sameBits fails t unless got and want are equal bit for bit.
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: length %d, want %d", what, len(got), len(want))
	}
	bad, first := 0, -1
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements differ in their bits; first [%d] = %g (%#08x), want %g (%#08x)",
			what, bad, len(want), first, got[first], math.Float32bits(got[first]), want[first], math.Float32bits(want[first]))
	}
}
