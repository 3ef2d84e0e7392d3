package kernels

import (
	"math"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Softmax and log-softmax along one dimension of a tensor viewed as
// [Outer, D, Inner]. Each (o, i) line of D elements, stride Inner, is one
// independent softmax, so the lines run in parallel and the result does not
// depend on the thread count.
//
// Numerics follow PyTorch CPU: subtract the line's maximum m before exp
// (exp(x-m) ≤ 1 cannot overflow), subtract in float32, store exp(x-m) in y
// and scale by 1/Σ. The sum of exponentials accumulates in float64 (PyTorch
// uses float32; the difference is below an ulp of the output). A NaN in a
// line makes the whole line NaN, as in PyTorch.

// SoftmaxForward computes, along D,
//
//	y[o,d,i] = exp(x[o,d,i]-m) / Σ_d' exp(x[o,d',i]-m)            (softmax)
//	y[o,d,i] = x[o,d,i] - m - log Σ_d' exp(x[o,d',i]-m)          (log)
//
// with m = max_d x[o,d,i]. x, y: [Outer, D, Inner]; y is written (=).
func SoftmaxForward(y, x []float32, s tensor.DimShape, log bool) {
	softmaxLines(y, x, s, log, 0, s.Outer*s.Inner)
}

// lineMax returns max_d x[base+d*stride], or NaN when a value is NaN.
func lineMax(x []float32, base, stride, n int) float32 {
	m := float32(math.Inf(-1))
	for d := 0; d < n; d++ {
		v := x[base+d*stride]
		if v > m || v != v {
			m = v
			if v != v {
				break
			}
		}
	}
	return m
}

// softmaxLines runs SoftmaxForward over the lines [lo, hi), numbered
// o*Inner+i.
func softmaxLines(y, x []float32, s tensor.DimShape, log bool, lo, hi int) {
	st := s.Inner
	for l := lo; l < hi; l++ {
		base := (l/st)*s.D*st + l%st
		m := lineMax(x, base, st, s.D)
		var sum float64
		if log {
			for d := 0; d < s.D; d++ {
				sum += math.Exp(float64(x[base+d*st] - m))
			}
			ls := math.Log(sum)
			for d := 0; d < s.D; d++ {
				p := base + d*st
				y[p] = float32(float64(x[p]-m) - ls)
			}
			continue
		}
		for d := 0; d < s.D; d++ {
			p := base + d*st
			e := float32(math.Exp(float64(x[p] - m)))
			y[p] = e
			sum += float64(e)
		}
		inv := 1 / sum
		for d := 0; d < s.D; d++ {
			p := base + d*st
			y[p] = float32(float64(y[p]) * inv)
		}
	}
}

// SoftmaxBackward adds the vector-Jacobian product of SoftmaxForward,
// computed from its output y, into dx:
//
//	dx += y ⊙ (dy - Σ_d dy·y)          (softmax: J = diag(y) - y yᵀ)
//	dx += dy - exp(y) · Σ_d dy         (log: J = I - 1·softmaxᵀ)
//
// per (o, i) line; the line sums accumulate in float64.
// dx, dy, y: [Outer, D, Inner].
func SoftmaxBackward(dx, dy, y []float32, s tensor.DimShape, log bool) {
	softmaxBackLines(dx, dy, y, s, log, 0, s.Outer*s.Inner)
}

// softmaxBackLines runs SoftmaxBackward over the lines [lo, hi).
func softmaxBackLines(dx, dy, y []float32, s tensor.DimShape, log bool, lo, hi int) {
	st := s.Inner
	for l := lo; l < hi; l++ {
		base := (l/st)*s.D*st + l%st
		var g float64
		if log {
			for d := 0; d < s.D; d++ {
				g += float64(dy[base+d*st])
			}
			for d := 0; d < s.D; d++ {
				p := base + d*st
				dx[p] += float32(float64(dy[p]) - math.Exp(float64(y[p]))*g)
			}
			continue
		}
		for d := 0; d < s.D; d++ {
			p := base + d*st
			g += float64(dy[p]) * float64(y[p])
		}
		gf := float32(g)
		for d := 0; d < s.D; d++ {
			p := base + d*st
			dx[p] += y[p] * (dy[p] - gf)
		}
	}
}

// SoftmaxForward: y = softmax(x) (or log_softmax) along D.
func (c *CPU) SoftmaxForward(y, x *tensor.Tensor, s tensor.DimShape, log bool) {
	ys, xs := f32Arg("softmax", "y", y), f32Arg("softmax", "x", x)
	needDimShape("softmax", s, len(xs))
	needLen("softmax", "y", ys, len(xs))
	host.For(c.threads(), s.Outer*s.Inner, rowChunk(s.D), func(lo, hi int) {
		softmaxLines(ys, xs, s, log, lo, hi)
	})
}

// SoftmaxBackward: dx += the vector-Jacobian product, from the output y.
func (c *CPU) SoftmaxBackward(dx, dy, y *tensor.Tensor, s tensor.DimShape, log bool) {
	dxs := f32Arg("softmax_backward", "dx", dx)
	dys, ys := f32Arg("softmax_backward", "dy", dy), f32Arg("softmax_backward", "y", y)
	needDimShape("softmax_backward", s, len(dxs))
	needLen("softmax_backward", "dy", dys, len(dxs))
	needLen("softmax_backward", "y", ys, len(dxs))
	host.For(c.threads(), s.Outer*s.Inner, rowChunk(s.D), func(lo, hi int) {
		softmaxBackLines(dxs, dys, ys, s, log, lo, hi)
	})
}
