package kernels

import (
	"math"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// L2 normalisation along one dimension of a tensor viewed as
// [Outer, D, Inner], the reference's Normalize layer:
// norm = x.pow(2).sum(dim, keepdim=True).pow(1/2); y = x.div(norm), with no
// epsilon, so a zero line gives NaN exactly as there. Each (o, i) line is
// independent; lines run in parallel. Squared sums and the backward's dot
// product accumulate in float64 and round once.

// L2NormForward computes, per line,
//
//	norm[o,i] = sqrt(Σ_d x[o,d,i]²),  y[o,d,i] = x[o,d,i] / norm[o,i]
//
// rounding norm to float32 first, so y is what dividing by the stored norm
// gives. x, y: [Outer, D, Inner]; norm: [Outer, Inner]; y and norm are
// written (=).
func L2NormForward(y, norm, x []float32, s tensor.DimShape) {
	l2normLines(y, norm, x, s, 0, s.Outer*s.Inner)
}

// l2normLines runs L2NormForward over the lines [lo, hi), numbered o*Inner+i.
func l2normLines(y, norm, x []float32, s tensor.DimShape, lo, hi int) {
	st := s.Inner
	for l := lo; l < hi; l++ {
		base := (l/st)*s.D*st + l%st
		var ss float64
		for d := 0; d < s.D; d++ {
			v := float64(x[base+d*st])
			ss += v * v
		}
		n := float32(math.Sqrt(ss))
		norm[l] = n
		for d := 0; d < s.D; d++ {
			p := base + d*st
			y[p] = x[p] / n
		}
	}
}

// L2NormBackward adds the vector-Jacobian product of L2NormForward into dx,
// from its outputs y and norm:
//
//	dx[o,d,i] += (dy[o,d,i] - y[o,d,i]·⟨dy,y⟩[o,i]) / norm[o,i]
//
// where ⟨dy,y⟩ = Σ_d dy·y (the Jacobian of x/‖x‖ is (I - y yᵀ)/‖x‖).
// dx, dy, y: [Outer, D, Inner]; norm: [Outer, Inner].
func L2NormBackward(dx, dy, y, norm []float32, s tensor.DimShape) {
	l2normBackLines(dx, dy, y, norm, s, 0, s.Outer*s.Inner)
}

// l2normBackLines runs L2NormBackward over the lines [lo, hi).
func l2normBackLines(dx, dy, y, norm []float32, s tensor.DimShape, lo, hi int) {
	st := s.Inner
	for l := lo; l < hi; l++ {
		base := (l/st)*s.D*st + l%st
		var g float64
		for d := 0; d < s.D; d++ {
			p := base + d*st
			g += float64(dy[p]) * float64(y[p])
		}
		gf, n := float32(g), norm[l]
		for d := 0; d < s.D; d++ {
			p := base + d*st
			dx[p] += (dy[p] - y[p]*gf) / n
		}
	}
}

// L2NormForward: norm = ‖x‖ along D, y = x/norm.
func (c *CPU) L2NormForward(y, norm, x *tensor.Tensor, s tensor.DimShape) {
	ys, ns := f32Arg("l2norm", "y", y), f32Arg("l2norm", "norm", norm)
	xs := f32Arg("l2norm", "x", x)
	needDimShape("l2norm", s, len(xs))
	needLen("l2norm", "y", ys, len(xs))
	needLen("l2norm", "norm", ns, s.Outer*s.Inner)
	host.For(c.threads(), s.Outer*s.Inner, rowChunk(s.D), func(lo, hi int) {
		l2normLines(ys, ns, xs, s, lo, hi)
	})
}

// L2NormBackward: dx += (dy - y·⟨dy,y⟩)/norm.
func (c *CPU) L2NormBackward(dx, dy, y, norm *tensor.Tensor, s tensor.DimShape) {
	dxs := f32Arg("l2norm_backward", "dx", dx)
	dys, ys := f32Arg("l2norm_backward", "dy", dy), f32Arg("l2norm_backward", "y", y)
	ns := f32Arg("l2norm_backward", "norm", norm)
	needDimShape("l2norm_backward", s, len(dxs))
	needLen("l2norm_backward", "dy", dys, len(dxs))
	needLen("l2norm_backward", "y", ys, len(dxs))
	needLen("l2norm_backward", "norm", ns, s.Outer*s.Inner)
	host.For(c.threads(), s.Outer*s.Inner, rowChunk(s.D), func(lo, hi int) {
		l2normBackLines(dxs, dys, ys, ns, s, lo, hi)
	})
}
