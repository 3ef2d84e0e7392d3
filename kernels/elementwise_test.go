package kernels_test

import (
	kt "twostage/kernels/internal/ktest"

	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"twostage/kernels"
	"twostage/kernels/sgemm"
	"twostage/tensor"
)

// slowUnary64 is the textbook definition of each UnaryOp.
func slowUnary64(op tensor.UnaryOp, x float64) float64 {
	switch op {
	case tensor.Exp:
		return math.Exp(x)
	case tensor.Log:
		return math.Log(x)
	case tensor.ReLU:
		return math.Max(x, 0)
	case tensor.Neg:
		return -x
	case tensor.Square:
		return x * x
	case tensor.Sqrt:
		return math.Sqrt(x)
	case tensor.Recip:
		return 1 / x
	case tensor.Abs:
		return math.Abs(x)
	}
	panic("unknown op")
}

// slowBinary64 is the textbook definition of each BinaryOp: it returns the
// new dst given the old one.
func slowBinary64(op tensor.BinaryOp, dst, a, b float64) float64 {
	switch op {
	case tensor.Add:
		return a + b
	case tensor.Sub:
		return a - b
	case tensor.Mul:
		return a * b
	case tensor.Div:
		return a / b
	case tensor.MulAcc:
		return dst + a*b
	case tensor.DivAcc:
		return dst + a/b
	case tensor.ReLUGradAcc:
		if b > 0 {
			return dst + a
		}
		return dst
	case tensor.MaskAcc:
		if b == 0 {
			return dst + a
		}
		return dst
	}
	panic("unknown op")
}

// ewSizes adds a size that splits into several parallel chunks.
var ewSizes = append(append([]int(nil), kt.TailSizes...), 3*(1<<14)+5)

// unaryInput draws x in the op's domain, away from its poles: (0.1, 3) for
// Log, Sqrt and Recip, (-3, 3) otherwise.
func unaryInput(r *rand.Rand, op tensor.UnaryOp, n int) []float32 {
	if op == tensor.Log || op == tensor.Sqrt || op == tensor.Recip {
		return kt.Uniform(r, n, 0.1, 3)
	}
	return kt.Uniform(r, n, -3, 3)
}

func TestUnary(t *testing.T) {
	r := kt.NewRand(1)
	for _, b := range kt.Backends() {
		for op := tensor.Exp; op <= tensor.Abs; op++ {
			for _, n := range ewSizes {
				x := unaryInput(r, op, n)
				want := make([]float64, n)
				for i, v := range x {
					want[i] = slowUnary64(op, float64(v))
				}
				name := fmt.Sprintf("%s/op=%d/n=%d", b.Name, op, n)
				xt, dst := kt.Upload(b.BE, x, n), b.BE.Empty(tensor.Float32, tensor.Shape{n})
				b.BE.Unary(op, dst, xt)
				kt.AllClose(t, name, dst.Float32s(), want, kt.FwdAtol, kt.FwdRtol)
				b.BE.Unary(op, xt, xt) // in place: dst may alias x
				kt.AllClose(t, name+"/inplace", xt.Float32s(), want, kt.FwdAtol, kt.FwdRtol)
			}
		}
	}
}

// TestUnarySpecial pins the IEEE cases PyTorch defines: relu passes NaN and
// maps -0 to 0, log(0) = -inf, sqrt(-1) = NaN, 1/0 = +inf, |-0| = 0.
func TestUnarySpecial(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	negZero := float32(math.Copysign(0, -1))
	cases := []struct {
		op   tensor.UnaryOp
		x    float32
		want float32
	}{
		{tensor.ReLU, nan, nan}, {tensor.ReLU, negZero, 0}, {tensor.ReLU, -inf, 0},
		{tensor.Log, 0, -inf}, {tensor.Sqrt, -1, nan}, {tensor.Recip, 0, inf},
		{tensor.Abs, negZero, 0}, {tensor.Exp, -inf, 0}, {tensor.Exp, 100, inf},
	}
	for _, c := range cases {
		dst := []float32{1}
		kernels.Unary(c.op, dst, []float32{c.x})
		same := math.Float32bits(dst[0]) == math.Float32bits(c.want) ||
			(dst[0] != dst[0] && c.want != c.want)
		if !same {
			t.Errorf("op %d of %v = %v, want %v", c.op, c.x, dst[0], c.want)
		}
	}
}

// binaryInputs draws a, b and the old dst; b stays away from 0 for the
// divisions, has both signs for ReLUGradAcc and is half zeros for MaskAcc.
func binaryInputs(r *rand.Rand, op tensor.BinaryOp, n int) (a, b, dst []float32) {
	a, dst = kt.Uniform(r, n, -3, 3), kt.Uniform(r, n, -3, 3)
	switch op {
	case tensor.Div, tensor.DivAcc:
		b = kt.Uniform(r, n, 0.5, 3)
		for i := range b {
			if r.IntN(2) == 0 {
				b[i] = -b[i]
			}
		}
	case tensor.MaskAcc:
		b = make([]float32, n)
		for i := range b {
			b[i] = float32(r.IntN(2))
		}
	default:
		b = kt.Uniform(r, n, -3, 3)
	}
	return a, b, dst
}

func TestBinary(t *testing.T) {
	r := kt.NewRand(2)
	for _, be := range kt.Backends() {
		for op := tensor.Add; op <= tensor.MaskAcc; op++ {
			for _, n := range ewSizes {
				a, b, d := binaryInputs(r, op, n)
				want := make([]float64, n)
				for i := range want {
					want[i] = slowBinary64(op, float64(d[i]), float64(a[i]), float64(b[i]))
				}
				name := fmt.Sprintf("%s/op=%d/n=%d", be.Name, op, n)
				at, bt, dt := kt.Upload(be.BE, a, n), kt.Upload(be.BE, b, n), kt.Upload(be.BE, d, n)
				be.BE.Binary(op, dt, at, bt)
				kt.AllClose(t, name, dt.Float32s(), want, kt.FwdAtol, kt.FwdRtol)
			}
		}
	}
}

// TestAffine covers Fill, Copy, Axpy, Scale and MaskedFill.
func TestAffine(t *testing.T) {
	r := kt.NewRand(3)
	for _, b := range kt.Backends() {
		for _, n := range ewSizes {
			name := fmt.Sprintf("%s/n=%d", b.Name, n)
			x, y := kt.Uniform(r, n, -2, 2), kt.Uniform(r, n, -2, 2)
			mask := make([]float32, n)
			for i := range mask {
				mask[i] = float32(r.IntN(2))
			}
			xt, yt := kt.Upload(b.BE, x, n), kt.Upload(b.BE, y, n)
			const alpha, beta, v = 0.75, -1.5, 9.5
			wantAxpy, wantScale, wantMF := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range x {
				wantAxpy[i] = float64(y[i]) + alpha*float64(x[i])
				wantScale[i] = alpha*float64(x[i]) + beta
				wantMF[i] = float64(x[i])
				if mask[i] != 0 {
					wantMF[i] = v
				}
			}
			b.BE.Axpy(alpha, xt, yt)
			kt.AllClose(t, name+"/axpy", yt.Float32s(), wantAxpy, kt.FwdAtol, kt.FwdRtol)
			b.BE.Scale(yt, xt, alpha, beta)
			kt.AllClose(t, name+"/scale", yt.Float32s(), wantScale, kt.FwdAtol, kt.FwdRtol)
			b.BE.MaskedFill(yt, xt, kt.Upload(b.BE, mask, n), v)
			kt.AllClose(t, name+"/masked_fill", yt.Float32s(), wantMF, 0, 0)

			b.BE.Fill(yt, 2.5)
			for i, g := range yt.Float32s() {
				if g != 2.5 {
					t.Fatalf("%s/fill: [%d] = %v", name, i, g)
				}
			}
			c := b.BE.Empty(tensor.Float32, tensor.Shape{1, n}) // shapes may differ
			b.BE.Copy(c, xt)
			kt.AllClose(t, name+"/copy", c.Float32s(), kt.To64(x), 0, 0)

			ix := make([]int64, n)
			for i := range ix {
				ix[i] = r.Int64N(1000) - 500
			}
			it, ic := kt.UploadInt(b.BE, ix, n), b.BE.Empty(tensor.Int64, tensor.Shape{n})
			b.BE.Copy(ic, it)
			b.BE.Fill(it, -3)
			got, gotFill := ic.Int64s(), it.Int64s()
			for i := range ix {
				if got[i] != ix[i] || gotFill[i] != -3 {
					t.Fatalf("%s/int64: copy [%d] = %d want %d, fill = %d", name, i, got[i], ix[i], gotFill[i])
				}
			}
		}
	}
}

// TestElementwiseGuard runs the plain kernels over views whose capacity runs
// into a guard band: nothing past len may change.
func TestElementwiseGuard(t *testing.T) {
	r := kt.NewRand(4)
	const g = 16
	for _, n := range kt.TailSizes {
		x, a, m := kt.Uniform(r, n, 0.5, 2), kt.Uniform(r, n, 0.5, 2), make([]float32, n)
		for op := tensor.Exp; op <= tensor.Abs; op++ {
			buf, dst := kt.Guarded(make([]float32, n), g)
			kernels.Unary(op, dst, x)
			kt.CheckGuard(t, fmt.Sprintf("unary %d n=%d", op, n), buf, g)
		}
		for op := tensor.Add; op <= tensor.MaskAcc; op++ {
			buf, dst := kt.Guarded(make([]float32, n), g)
			kernels.Binary(op, dst, x, a)
			kt.CheckGuard(t, fmt.Sprintf("binary %d n=%d", op, n), buf, g)
		}
		buf, dst := kt.Guarded(make([]float32, n), g)
		kernels.Axpy(2, x, dst)
		kernels.Scale(dst, x, 2, 1)
		kernels.MaskedFill(dst, x, m, 3)
		kernels.Fill(dst, 1)
		kernels.SGDStep(dst, x, a, 0.1, 0.9, 1e-4, true, false)
		kt.CheckGuard(t, fmt.Sprintf("axpy/scale/masked_fill/fill/sgd n=%d", n), buf, g)
	}
}

// slowReLU64 and slowReLUGrad64 are relu and its vector-Jacobian product
// dx = dy·(y > 0) in float64.
func slowReLU64(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = math.Max(v, 0)
	}
	return y
}

func slowReLUGrad64(dy, y []float64) []float64 {
	dx := make([]float64, len(dy))
	for i := range dy {
		if y[i] > 0 {
			dx[i] = dy[i]
		}
	}
	return dx
}

// slowMaskedFill64 and slowMaskedFillGrad64: y = mask ? v : x, and its
// vector-Jacobian product dx = dy·(mask == 0).
func slowMaskedFill64(x, mask []float64, v float64) []float64 {
	y := make([]float64, len(x))
	for i := range x {
		y[i] = x[i]
		if mask[i] != 0 {
			y[i] = v
		}
	}
	return y
}

func slowMaskedFillGrad64(dy, mask []float64) []float64 {
	dx := make([]float64, len(dy))
	for i := range dy {
		if mask[i] == 0 {
			dx[i] = dy[i]
		}
	}
	return dx
}

// TestReLUGrad checks relu's reference backward against finite differences
// (inputs kept 0.05 away from the kink), then ReLUGradAcc against it.
func TestReLUGrad(t *testing.T) {
	r := kt.NewRand(5)
	for _, n := range []int{1, 3, 17, 33} {
		x := kt.Uniform(r, n, 0.05, 2)
		for i := range x {
			if r.IntN(2) == 0 {
				x[i] = -x[i]
			}
		}
		x64, w := kt.To64(x), kt.To64(kt.Uniform(r, n, -1, 1))
		y64 := slowReLU64(x64)
		want := slowReLUGrad64(w, y64)
		kt.FDCheck(t, fmt.Sprintf("relu n=%d", n), func(v []float64) float64 { return kt.Dot64(w, slowReLU64(v)) }, x64, want)
		for _, b := range kt.Backends() {
			dx0 := kt.Uniform(r, n, -1, 1)
			y := make([]float32, n)
			kernels.Unary(tensor.ReLU, y, x)
			dxt := kt.Upload(b.BE, dx0, n)
			wt := make([]float32, n)
			for i := range w {
				wt[i] = float32(w[i])
			}
			b.BE.Binary(tensor.ReLUGradAcc, dxt, kt.Upload(b.BE, wt, n), kt.Upload(b.BE, y, n))
			for i := range want {
				want[i] += float64(dx0[i])
			}
			kt.AllClose(t, b.Name+"/relu_grad", dxt.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
			for i := range want {
				want[i] -= float64(dx0[i])
			}
		}
	}
}

// TestMaskedFillGrad checks masked_fill's reference backward against finite
// differences, then MaskAcc against it.
func TestMaskedFillGrad(t *testing.T) {
	r := kt.NewRand(6)
	for _, n := range []int{1, 3, 17, 33} {
		x, w := kt.Uniform(r, n, -2, 2), kt.Uniform(r, n, -1, 1)
		mask := make([]float32, n)
		for i := range mask {
			mask[i] = float32(r.IntN(2))
		}
		m64, w64 := kt.To64(mask), kt.To64(w)
		want := slowMaskedFillGrad64(w64, m64)
		kt.FDCheck(t, fmt.Sprintf("masked_fill n=%d", n),
			func(v []float64) float64 { return kt.Dot64(w64, slowMaskedFill64(v, m64, 4)) }, kt.To64(x), want)
		for _, b := range kt.Backends() {
			dx := b.BE.Empty(tensor.Float32, tensor.Shape{n})
			b.BE.Fill(dx, 0)
			b.BE.Binary(tensor.MaskAcc, dx, kt.Upload(b.BE, w, n), kt.Upload(b.BE, mask, n))
			kt.AllClose(t, b.Name+"/masked_fill_grad", dx.Float32s(), want, kt.BwdAtol, kt.BwdRtol)
		}
	}
}

// TestElementwisePanics checks that size and dtype mismatches are caught.
func TestElementwisePanics(t *testing.T) {
	for _, b := range kt.Backends() {
		x3, x4 := tensor.Zeros(b.BE, 3), tensor.Zeros(b.BE, 4)
		i3 := b.BE.Empty(tensor.Int64, tensor.Shape{3})
		kt.MustPanic(t, "axpy size", func() { b.BE.Axpy(1, x3, x4) })
		kt.MustPanic(t, "scale size", func() { b.BE.Scale(x3, x4, 1, 0) })
		kt.MustPanic(t, "unary size", func() { b.BE.Unary(tensor.Exp, x3, x4) })
		kt.MustPanic(t, "unary op", func() { b.BE.Unary(tensor.Abs+1, x3, x3) })
		kt.MustPanic(t, "binary size", func() { b.BE.Binary(tensor.Add, x3, x3, x4) })
		kt.MustPanic(t, "binary op", func() { b.BE.Binary(tensor.MaskAcc+1, x3, x3, x3) })
		kt.MustPanic(t, "binary dtype", func() { b.BE.Binary(tensor.Add, x3, x3, i3) })
		kt.MustPanic(t, "masked_fill size", func() { b.BE.MaskedFill(x3, x3, x4, 0) })
		kt.MustPanic(t, "copy dtype", func() { b.BE.Copy(x3, i3) })
		kt.MustPanic(t, "copy size", func() { b.BE.Copy(x3, x4) })
	}
}

// BenchmarkBinary times one large elementwise op (a ResNet18 activation
// gradient of a 256-image CIFAR batch, [256,64,32,32]).
func BenchmarkBinary(b *testing.B) {
	const n = 256 * 64 * 32 * 32
	r := kt.NewRand(1)
	x, y := kt.Uniform(r, n, -1, 1), kt.Uniform(r, n, -1, 1)
	for _, be := range kt.Backends() {
		b.Run("backend="+be.Name+"/n=16M", func(b *testing.B) {
			xt, yt, d := kt.Upload(be.BE, x, n), kt.Upload(be.BE, y, n), tensor.Zeros(be.BE, n)
			b.SetBytes(3 * 4 * n)
			for b.Loop() {
				be.BE.Binary(tensor.ReLUGradAcc, d, xt, yt)
			}
		})
	}
}

// TestReLUPaths runs relu and its gradient on every SIMD path over every
// tail length of the 8- and 16-lane loops (the avx512 path masks its
// tail), with NaNs of both signs, −0 and ±∞ among the inputs, inside a
// guard band that a masked store must not touch, against the Go twins:
// bit for bit but for NaN payloads, and except that the avx2 gradient loop
// adds +0 to closed lanes (a −0 there becomes +0, equal in value); the
// avx512 one leaves them alone under its mask. The avx512 relu must give
// the avx2 path's bits exactly, NaNs' signs and payloads included.
func TestReLUPaths(t *testing.T) {
	r := kt.NewRand(6)
	nan, inf, negZero := float32(math.NaN()), float32(math.Inf(1)), float32(math.Copysign(0, -1))
	const g = 16
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b }
	for n := 0; n <= 70; n++ {
		x, dy, d0 := kt.Uniform(r, n, -2, 2), kt.Uniform(r, n, -2, 2), kt.Uniform(r, n, -2, 2)
		for i := range x {
			switch r.IntN(8) {
			case 0:
				x[i] = nan
			case 1:
				x[i] = negZero
			case 2:
				x[i] = -inf
			case 3:
				d0[i] = negZero
			case 4:
				x[i] = -nan
			}
		}
		want := make([]float32, n)
		kernels.Unary(tensor.ReLU, want, x)
		wantG := append([]float32(nil), d0...)
		kernels.Binary(tensor.ReLUGradAcc, wantG, dy, x)
		outs := map[sgemm.Path][]float32{}
		for _, p := range sgemm.Paths() {
			buf, dst := kt.Guarded(make([]float32, n), g)
			kernels.ReLUv(p, dst, x)
			outs[p] = dst
			kt.CheckGuard(t, fmt.Sprintf("%v relu n=%d", p, n), buf, g)
			bufG, dstG := kt.Guarded(d0, g)
			kernels.ReLUGradAccv(p, dstG, dy, x)
			kt.CheckGuard(t, fmt.Sprintf("%v relu grad n=%d", p, n), bufG, g)
			for i := range n {
				if !same(dst[i], want[i]) {
					t.Fatalf("%v relu n=%d: [%d] = %v, want %v (x %v)", p, n, i, dst[i], want[i], x[i])
				}
				if !same(dstG[i], wantG[i]) && (p != sgemm.AVX2 || dstG[i] != wantG[i]) {
					t.Fatalf("%v relu grad n=%d: [%d] = %v, want %v (dst %v, dy %v, y %v)", p, n, i, dstG[i], wantG[i], d0[i], dy[i], x[i])
				}
			}
		}
		if a, b := outs[sgemm.AVX512], outs[sgemm.AVX2]; a != nil && b != nil {
			if i, ok := kt.SameBits(a, b); !ok {
				t.Fatalf("relu n=%d: [%d] avx512 %#x, avx2 %#x (x %#x)", n, i, math.Float32bits(a[i]), math.Float32bits(b[i]), math.Float32bits(x[i]))
			}
		}
	}
}
