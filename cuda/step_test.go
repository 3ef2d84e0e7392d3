//go:build cuda

package cuda_test

// GPU benchmarks for scripts/gpu-check.sh: the paper encoder's training
// step and evaluation forward at batch 256 (nn/bench_test.go's benchStep on
// the CUDA backend) and each convolution pass at the encoder's shapes. The
// keys match scripts/gpu_peer.py's PyTorch rows (train/model=paper,
// conv/fwd/w64_c64_k64_h32), which `gpu_peer.py table` sets side by side.

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"twostage/autograd"
	"twostage/nn"
	"twostage/tensor"
)

// gpuConvs are the distinct convolutions of the width-64 encoder on 32×32
// CIFAR images at batch 256 (kernels' encoderConvs("w64", 3, 64, 32) names).
var gpuConvs = []struct {
	name                string
	c, k, h, r, st, pad int
}{
	{"w64_c3_k64_h32", 3, 64, 32, 3, 1, 1},
	{"w64_c64_k64_h32", 64, 64, 32, 3, 1, 1},
	{"w64_c64_k128_h32_s2", 64, 128, 32, 3, 2, 1},
	{"w64_1x1_c64_k128_h32_s2", 64, 128, 32, 1, 2, 0},
	{"w64_c128_k128_h16", 128, 128, 16, 3, 1, 1},
	{"w64_c128_k256_h16_s2", 128, 256, 16, 3, 2, 1},
	{"w64_1x1_c128_k256_h16_s2", 128, 256, 16, 1, 2, 0},
	{"w64_c256_k256_h8", 256, 256, 8, 3, 1, 1},
	{"w64_c256_k512_h8_s2", 256, 512, 8, 3, 2, 1},
	{"w64_1x1_c256_k512_h8_s2", 256, 512, 8, 1, 2, 0},
	{"w64_c512_k512_h4", 512, 512, 4, 3, 1, 1},
}

// opsPerSync is how many passes a benchmark iteration queues before it
// waits for the device: the wait (a round trip to the worker) is then a few
// percent of a pass of ~100 µs.
const opsPerSync = 10

// BenchmarkGPUConv times each pass (fwd, bwd_data, bwd_filter) at the
// encoder's shapes; every pass counts the forward's 2·N·K·OH·OW·C·R·S FLOPs,
// as kernels' BenchmarkConv2D.
func BenchmarkGPUConv(b *testing.B) {
	be := open(b)
	for _, c := range gpuConvs {
		s := tensor.ConvShapeOf(tensor.Shape{256, c.c, c.h, c.h}, tensor.Shape{c.k, c.c, c.r, c.r}, c.st, c.pad)
		x := tensor.FromFloat32(be, s.XShape(), seeded(s.XShape().Numel(), 1))
		w := tensor.FromFloat32(be, s.WShape(), seeded(s.WShape().Numel(), 2))
		dy := tensor.FromFloat32(be, s.YShape(), seeded(s.YShape().Numel(), 3))
		y, dx, dw := be.Empty(tensor.Float32, s.YShape()), be.Zeros(tensor.Float32, s.XShape()), be.Zeros(tensor.Float32, s.WShape())
		for _, pass := range []struct {
			name string
			run  func()
		}{
			{"fwd", func() { be.Conv2DForward(y, x, w, s) }},
			{"bwd_data", func() { be.Conv2DBackwardData(dx, dy, w, s, true) }},
			{"bwd_filter", func() { be.Conv2DBackwardFilter(dw, dy, x, s) }},
		} {
			b.Run(fmt.Sprintf("pass=%s/shape=%s", pass.name, c.name), func(b *testing.B) {
				pass.run()
				checkSync(b, be)
				for b.Loop() {
					for range opsPerSync {
						pass.run()
					}
					be.Sync()
				}
				b.ReportMetric(s.FLOPs()*opsPerSync*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
		for _, t := range []*tensor.Tensor{x, w, dy, y, dx, dw} {
			be.Release(t)
		}
	}
	checkSync(b, be)
}

// BenchmarkGPUTrainStep is nn's BenchmarkTrainStep (model=paper) on the GPU:
// forward in training mode, loss ⟨y, g⟩, backward, SGD Nesterov with
// weight decay, then a Sync, reporting images per second.
func BenchmarkGPUTrainStep(b *testing.B) { benchGPUStep(b, true) }

// BenchmarkGPUForward is the evaluation forward (no graph).
func BenchmarkGPUForward(b *testing.B) { benchGPUStep(b, false) }

func benchGPUStep(b *testing.B, train bool) {
	be := open(b)
	const n, c, side, width = 256, 3, 32, 64
	b.Run("model=paper", func(b *testing.B) {
		rng := rand.New(rand.NewPCG(1, 2))
		enc := nn.NewEncoder(be, rng, nn.EncoderConfig{Width: width, LowDim: 128, InChannels: c, ImageSize: side})
		xt := tensor.FromFloat32(be, tensor.Shape{n, c, side, side}, seeded(n*c*side*side, 4))
		gt := tensor.FromFloat32(be, tensor.Shape{n, 128}, seeded(n*128, 5))
		opt := nn.NewSGD(nn.Params(enc), 0.03, 0.9, 5e-4, true)
		step := func() {
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
		step() // fills the allocator's cache and the driver's JIT cache
		checkSync(b, be)
		for b.Loop() {
			step()
			be.Sync()
		}
		if err := be.Err(); err != nil {
			fmt.Fprintln(os.Stderr, "GPU step:", err)
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "img/s")
	})
}
