package kernels

import (
	"math"

	"twostage/kernels/internal/host"
	"twostage/tensor"
)

// Elementwise kernels over flat float32 slices. Every plain function is the
// serial kernel over whole slices; the CPU methods check their arguments and
// run the same function over fixed chunks of ewMinChunk or more elements in
// parallel. Elementwise results do not depend on the chunking, so they are
// bit-identical for any thread count. dst may alias an input.

// ewMinChunk is the fewest elements one goroutine gets: 16K float32s
// (64 KiB) take a few microseconds, about the cost of starting goroutines
// and joining them.
const ewMinChunk = 1 << 14

// Fill sets x[i] = v.
func Fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// Axpy computes y[i] += alpha*x[i]; len(x) == len(y).
func Axpy(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Scale computes dst[i] = alpha*x[i] + beta; len(x) == len(dst).
func Scale(dst, x []float32, alpha, beta float32) {
	x = x[:len(dst)]
	for i, v := range x {
		dst[i] = alpha*v + beta
	}
}

// Unary computes dst[i] = op(x[i]); len(x) == len(dst). Exp, Log and Sqrt go
// through float64 and round once, so they are correctly rounded or within
// one ulp. ReLU passes NaN through, as torch.relu does.
func Unary(op tensor.UnaryOp, dst, x []float32) {
	x = x[:len(dst)]
	switch op {
	case tensor.Exp:
		// exp overflows float32 above x ≈ 88.72 and gives +Inf, as PyTorch.
		for i, v := range x {
			dst[i] = float32(math.Exp(float64(v)))
		}
	case tensor.Log:
		// log(0) = -Inf, log(x<0) = NaN.
		for i, v := range x {
			dst[i] = float32(math.Log(float64(v)))
		}
	case tensor.ReLU:
		// Go's max is branch-free here (2.8× the branchy loop on random
		// signs) and has torch.relu's edge cases: max(NaN, 0) = NaN and
		// max(-0, 0) = +0.
		for i, v := range x {
			dst[i] = max(v, 0)
		}
	case tensor.Neg:
		for i, v := range x {
			dst[i] = -v
		}
	case tensor.Square:
		for i, v := range x {
			dst[i] = v * v
		}
	case tensor.Sqrt:
		for i, v := range x {
			// Rounding the float64 root to float32 is exact rounding:
			// float64 carries more than 2·24+2 bits.
			dst[i] = float32(math.Sqrt(float64(v)))
		}
	case tensor.Recip:
		// 1/±0 = ±Inf, as IEEE division gives.
		for i, v := range x {
			dst[i] = 1 / v
		}
	case tensor.Abs:
		// Clearing the sign bit maps -0 to 0 and keeps NaN a NaN.
		for i, v := range x {
			dst[i] = math.Float32frombits(math.Float32bits(v) &^ (1 << 31))
		}
	default:
		panic("kernels: unary: unknown op")
	}
}

// Binary computes dst[i] = a[i] op b[i], or dst[i] += ... for the Acc ops;
// a, b and dst have equal lengths. The gradient ops select rather than
// multiply (dst += b > 0 ? a : 0), as PyTorch's threshold_backward and
// masked_fill do, so an infinite a with a closed gate adds 0, not NaN.
func Binary(op tensor.BinaryOp, dst, a, b []float32) {
	// Reslicing to len(dst) lets the compiler drop the bounds checks on
	// a[i] and b[i] in the loops below (and panics early when too short).
	a, b = a[:len(dst)], b[:len(dst)]
	switch op {
	case tensor.Add:
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case tensor.Sub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case tensor.Mul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case tensor.Div:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	case tensor.MulAcc:
		// Product then sum: two roundings, or one where the compiler
		// fuses them into an FMA (GOAMD64=v3); every chunk runs the same
		// code, so the bits never depend on the thread count.
		for i := range dst {
			dst[i] += a[i] * b[i]
		}
	case tensor.DivAcc:
		for i := range dst {
			dst[i] += a[i] / b[i]
		}
	case tensor.ReLUGradAcc:
		// a = dy, b = y = relu(x): the gate is open where y > 0.
		for i := range dst {
			if b[i] > 0 {
				dst[i] += a[i]
			}
		}
	case tensor.MaskAcc:
		// a = dy, b = mask: filled positions pass no gradient.
		for i := range dst {
			if b[i] == 0 {
				dst[i] += a[i]
			}
		}
	default:
		panic("kernels: binary: unknown op")
	}
}

// MaskedFill computes dst[i] = mask[i] != 0 ? v : x[i] (a NaN mask counts
// as set); x, mask and dst have equal lengths.
func MaskedFill(dst, x, mask []float32, v float32) {
	x, mask = x[:len(dst)], mask[:len(dst)]
	for i := range dst {
		if mask[i] != 0 {
			dst[i] = v
		} else {
			dst[i] = x[i]
		}
	}
}

// ew runs body over [0, n) in fixed chunks of at least ewMinChunk.
func (c *CPU) ew(n int, body func(lo, hi int)) {
	host.For(c.threads(), n, ewMinChunk, body)
}

// Fill sets every element of t to v; an int64 tensor gets int64(v)
// (truncated toward zero).
func (c *CPU) Fill(t *tensor.Tensor, v float32) {
	if t != nil && t.DType() == tensor.Int64 {
		x, iv := i64Arg("fill", "t", t), int64(v)
		for i := range x {
			x[i] = iv
		}
		return
	}
	x := f32Arg("fill", "t", t)
	c.ew(len(x), func(lo, hi int) { Fill(x[lo:hi], v) })
}

// Copy: dst = src, float32 or int64, equal element counts (shapes may
// differ). Overlapping storage is handled as memmove does.
func (c *CPU) Copy(dst, src *tensor.Tensor) {
	if dst != nil && dst.DType() == tensor.Int64 {
		d, s := i64Arg("copy", "dst", dst), i64Arg("copy", "src", src)
		if len(d) != len(s) {
			panic("kernels: copy: dst and src sizes differ")
		}
		copy(d, s)
		return
	}
	d, s := f32Arg("copy", "dst", dst), f32Arg("copy", "src", src)
	needLen("copy", "src", s, len(d))
	c.ew(len(d), func(lo, hi int) { copy(d[lo:hi], s[lo:hi]) })
}

// Axpy: y += alpha*x, x and y of equal size (the gradient accumulation
// of the tape and the momentum-bank update).
func (c *CPU) Axpy(alpha float32, x, y *tensor.Tensor) {
	ys, xs := f32Arg("axpy", "y", y), f32Arg("axpy", "x", x)
	needLen("axpy", "x", xs, len(ys))
	c.ew(len(ys), func(lo, hi int) { Axpy(alpha, xs[lo:hi], ys[lo:hi]) })
}

// Scale: dst = alpha*x + beta (dst may be x).
func (c *CPU) Scale(dst, x *tensor.Tensor, alpha, beta float32) {
	d, xs := f32Arg("scale", "dst", dst), f32Arg("scale", "x", x)
	needLen("scale", "x", xs, len(d))
	c.ew(len(d), func(lo, hi int) { Scale(d[lo:hi], xs[lo:hi], alpha, beta) })
}

// Unary: dst = op(x) for one of the UnaryOps; an unknown op panics before
// anything is written.
func (c *CPU) Unary(op tensor.UnaryOp, dst, x *tensor.Tensor) {
	d, xs := f32Arg("unary", "dst", dst), f32Arg("unary", "x", x)
	needLen("unary", "x", xs, len(d))
	if op > tensor.Abs {
		panic("kernels: unary: unknown op")
	}
	if op == tensor.ReLU && c.simd() {
		p := c.path()
		c.ew(len(d), func(lo, hi int) { reluv(p, d[lo:hi], xs[lo:hi]) })
		return
	}
	c.ew(len(d), func(lo, hi int) { Unary(op, d[lo:hi], xs[lo:hi]) })
}

// Binary: dst = a op b (+= for the Acc ops); a, b and dst have equal
// element counts, shapes are not compared.
func (c *CPU) Binary(op tensor.BinaryOp, dst, a, b *tensor.Tensor) {
	d := f32Arg("binary", "dst", dst)
	as, bs := f32Arg("binary", "a", a), f32Arg("binary", "b", b)
	needLen("binary", "a", as, len(d))
	needLen("binary", "b", bs, len(d))
	if op > tensor.MaskAcc {
		panic("kernels: binary: unknown op")
	}
	if op == tensor.ReLUGradAcc && c.simd() {
		// Branch-free: the gate of a ReLU output is a coin flip per
		// element, which costs the branchy loop a misprediction in two.
		p := c.path()
		c.ew(len(d), func(lo, hi int) { reluGradAccv(p, d[lo:hi], as[lo:hi], bs[lo:hi]) })
		return
	}
	c.ew(len(d), func(lo, hi int) { Binary(op, d[lo:hi], as[lo:hi], bs[lo:hi]) })
}

// MaskedFill: dst = mask != 0 ? v : x, mask a float32 tensor of x's size
// (1 where filled).
func (c *CPU) MaskedFill(dst, x, mask *tensor.Tensor, v float32) {
	d := f32Arg("masked_fill", "dst", dst)
	xs, ms := f32Arg("masked_fill", "x", x), f32Arg("masked_fill", "mask", mask)
	needLen("masked_fill", "x", xs, len(d))
	needLen("masked_fill", "mask", ms, len(d))
	c.ew(len(d), func(lo, hi int) { MaskedFill(d[lo:hi], xs[lo:hi], ms[lo:hi], v) })
}
