package kernels

import (
	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// SGDStep applies one torch.optim.SGD step (dampening 0) to one parameter,
// elementwise, in float32 with PyTorch's order of operations:
//
//	g     = grad + weightDecay*param           (d_p.add(p, alpha=wd))
//	buf   = first ? g : momentum*buf + g       (buf.mul_(m).add_(d_p))
//	step  = nesterov ? g + momentum*buf : buf  (d_p.add(buf, alpha=m))
//	param = param - lr*step                    (p.add_(d_p, alpha=-lr))
//
// first marks the step that creates the momentum buffer (PyTorch clones the
// gradient into it). With momentum == 0 PyTorch keeps no buffer and steps
// by g, which the formulas give too; buf is then ignored and may be nil.
// param, grad, buf: equal lengths; param and buf are updated in place.
func SGDStep(param, grad, buf []float32, lr, momentum, weightDecay float32, nesterov, first bool) {
	grad = grad[:len(param)]
	if buf == nil || momentum == 0 {
		for i, p := range param {
			param[i] = p - lr*(grad[i]+weightDecay*p)
		}
		return
	}
	buf = buf[:len(param)]
	for i, p := range param {
		g := grad[i] + weightDecay*p
		b := g
		if !first {
			b = momentum*buf[i] + g
		}
		buf[i] = b
		step := b
		if nesterov {
			step = g + momentum*b
		}
		param[i] = p - lr*step
	}
}

// SGDStep: one SGD step for param with its grad and momentum buffer.
func (c *CPU) SGDStep(param, grad, buf *tensor.Tensor, lr, momentum, weightDecay float32, nesterov, first bool) {
	ps, gs := f32Arg("sgd", "param", param), f32Arg("sgd", "grad", grad)
	needLen("sgd", "grad", gs, len(ps))
	var bs []float32
	if momentum != 0 {
		bs = f32Arg("sgd", "buf", buf)
		needLen("sgd", "buf", bs, len(ps))
	}
	host.For(c.threads(), len(ps), ewMinChunk, func(lo, hi int) {
		var b []float32
		if bs != nil {
			b = bs[lo:hi]
		}
		SGDStep(ps[lo:hi], gs[lo:hi], b, lr, momentum, weightDecay, nesterov, first)
	})
}
