package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"testing"

	"twostage/tensor"
)

// slowSGD64 is torch.optim.SGD's step (dampening 0) for one element in
// float64; buf is nil before the first step, as PyTorch's state is.
func slowSGD64(p, grad float64, buf *float64, lr, momentum, wd float64, nesterov bool) (float64, *float64) {
	g := grad + wd*p
	if momentum == 0 {
		return p - lr*g, nil
	}
	b := g
	if buf != nil {
		b = momentum**buf + g
	}
	step := b
	if nesterov {
		step = g + momentum*b
	}
	return p - lr*step, &b
}

// TestSGDHand runs three steps on one scalar (p₀ = 1, grads 0.5, -0.25, 1,
// lr 0.1, momentum 0.9, weight decay 0.1) against values worked out by hand:
//
//	plain:    g = 0.6, buf = 0.6, p = 1 - 0.06 = 0.94
//	          g = -0.25+0.094 = -0.156, buf = 0.54-0.156 = 0.384, p = 0.94-0.0384 = 0.9016
//	          g = 1.09016, buf = 0.3456+1.09016 = 1.43576, p = 0.9016-0.143576 = 0.758024
//	nesterov: g = 0.6, buf = 0.6, step = 0.6+0.54 = 1.14, p = 0.886
//	          g = -0.1614, buf = 0.3786, step = -0.1614+0.34074 = 0.17934, p = 0.868066
//	          g = 1.0868066, buf = 1.4275466, step = 2.37159854, p = 0.630906146
func TestSGDHand(t *testing.T) {
	grads := []float32{0.5, -0.25, 1}
	want := map[bool][3][2]float64{ // per step: p, buf
		false: {{0.94, 0.6}, {0.9016, 0.384}, {0.758024, 1.43576}},
		true:  {{0.886, 0.6}, {0.868066, 0.3786}, {0.630906146, 1.4275466}},
	}
	for _, b := range kt.Backends() {
		for _, nesterov := range []bool{false, true} {
			p, buf := kt.Upload(b.BE, []float32{1}, 1), b.BE.Empty(tensor.Float32, tensor.Shape{1})
			b.BE.Fill(buf, 1e6) // the first step must not read the buffer
			var p64, buf64 = 1.0, (*float64)(nil)
			for k, g := range grads {
				b.BE.SGDStep(p, kt.Upload(b.BE, []float32{g}, 1), buf, 0.1, 0.9, 0.1, nesterov, k == 0)
				name := fmt.Sprintf("%s/nesterov=%v/step=%d", b.Name, nesterov, k+1)
				w := want[nesterov][k]
				kt.AllClose(t, name+"/param", p.Float32s(), []float64{w[0]}, kt.FwdAtol, kt.FwdRtol)
				kt.AllClose(t, name+"/buf", buf.Float32s(), []float64{w[1]}, kt.FwdAtol, kt.FwdRtol)
				// The float64 reference must agree with the hand values too.
				p64, buf64 = slowSGD64(p64, float64(g), buf64, 0.1, 0.9, 0.1, nesterov)
				if d := p64 - w[0]; d > 1e-12 || d < -1e-12 || *buf64-w[1] > 1e-12 || *buf64-w[1] < -1e-12 {
					t.Fatalf("%s: reference gives p %v buf %v, hand %v", name, p64, *buf64, w)
				}
			}
		}
	}
}

// TestSGD runs three steps over vectors of tail and parallel sizes against
// the float64 reference, with and without momentum and weight decay.
func TestSGD(t *testing.T) {
	r := kt.NewRand(25)
	type hp struct {
		momentum, wd float64
		nesterov     bool
	}
	for _, b := range kt.Backends() {
		for _, h := range []hp{{0.9, 5e-4, true}, {0.9, 0, false}, {0, 1e-2, false}, {0.5, 1e-1, true}} {
			for _, n := range []int{1, 3, 17, 33, 257, 3*(1<<14) + 1} {
				name := fmt.Sprintf("%s/%+v/n=%d", b.Name, h, n)
				p0 := kt.Uniform(r, n, -1, 1)
				p, buf := kt.Upload(b.BE, p0, n), b.BE.Empty(tensor.Float32, tensor.Shape{n})
				if h.momentum == 0 {
					buf = nil // PyTorch keeps no buffer without momentum
				}
				want, bufs := kt.To64(p0), make([]*float64, n)
				for k := range 3 {
					g := kt.Uniform(r, n, -1, 1)
					b.BE.SGDStep(p, kt.Upload(b.BE, g, n), buf, 0.03, float32(h.momentum), float32(h.wd), h.nesterov, k == 0)
					for i := range want {
						want[i], bufs[i] = slowSGD64(want[i], float64(g[i]), bufs[i], 0.03, h.momentum, h.wd, h.nesterov)
					}
				}
				kt.AllClose(t, name, p.Float32s(), want, kt.FwdAtol, kt.FwdRtol)
			}
		}
	}
}

func TestSGDPanics(t *testing.T) {
	for _, b := range kt.Backends() {
		p, g := tensor.Zeros(b.BE, 3), tensor.Zeros(b.BE, 4)
		kt.MustPanic(t, "sgd grad size", func() { b.BE.SGDStep(p, g, p, 0.1, 0.9, 0, false, true) })
		kt.MustPanic(t, "sgd buf size", func() { b.BE.SGDStep(p, p, g, 0.1, 0.9, 0, false, true) })
		kt.MustPanic(t, "sgd nil buf with momentum", func() { b.BE.SGDStep(p, p, nil, 0.1, 0.9, 0, false, true) })
	}
}
