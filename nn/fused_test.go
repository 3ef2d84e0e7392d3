package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/nn"
	"twostage/tensor"
)

// TestEncoderFusedEval checks that the evaluation-mode forward without a
// graph, which runs each conv + batch norm (+ residual + ReLU) as one
// fused backend op, gives the embedding of the layer-by-layer forward (an
// evaluation forward with gradients enabled), for the paper's two towers at
// a width where the fused op takes the Winograd path (32 channels and up).
func TestEncoderFusedEval(t *testing.T) {
	be := &kernels.CPU{}
	rng := rand.New(rand.NewPCG(5, 6))
	enc := nn.NewEncoder(be, rng, nn.EncoderConfig{Width: 32, LowDim: 16, InChannels: 3, ImageSize: 32})
	// Non-trivial running statistics, as after training.
	for _, e := range enc.State("") {
		if e.Buffer == nil {
			continue
		}
		v := e.Buffer.Float32s()
		for i := range v {
			v[i] = 0.5 + rng.Float32()
		}
		be.Copy(e.Buffer, tensor.FromFloat32(be, e.Buffer.Shape(), v))
	}
	x := make([]float32, 3*3*32*32)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	xt := tensor.FromFloat32(be, tensor.Shape{3, 3, 32, 32}, x)
	want := enc.Forward(autograd.Const(xt), false).Val.Float32s()
	var got []float32
	autograd.NoGrad(func() { got = enc.Forward(autograd.Const(xt), false).Val.Float32s() })
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-4+1e-3*math.Abs(float64(want[i])) {
			t.Fatalf("embedding[%d]: fused %v, layer by layer %v", i, got[i], want[i])
		}
	}
}
