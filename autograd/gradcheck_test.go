package autograd_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/tensor"
)

// Gradient check of every differentiable op through the Var API (STYLE.md
// §2.5, levels 1 and 2 folded together). For each case the op runs on float32
// leaves; its output y is compared with a float64 reference forward
// (reference_test.go), and the backward pass seeded with a fixed random g
// (L = Σ g⊙y, so each leaf's gradient is the vector-Jacobian product gᵀ∂y/∂x)
// is compared with fd.Gradient's central differences of the float64 reference
// L at the same (widened) inputs.
//
// Every leaf's gradient is pre-loaded with random values before the
// backward pass, and the check subtracts them again: an op that overwrites a
// gradient (=) instead of adding to it (+=) fails, as fan-out requires.

// Tolerances. The float64 reference gradient from fd.Central is accurate to
// about 1e-9: its truncation error is O(h²·|∂³L|) ≈ 4e-11 at the default
// step h = 6e-6 and its rounding error ε64·|L|/h ≈ 1e-16·10/6e-6 ≈ 2e-10. What
// remains is the float32 rounding of the op under test: each output or
// gradient element sums at most a few hundred products, an error of order
// √n·ε32·Σ|terms| ≲ 1e-5 of the result's scale. teenygrad's
// helper_test_op tolerances (atol 1e-6 / rtol 1e-3 forward, grad_atol 1e-4 /
// grad_rtol 1e-3), with the forward atol loosened to our kernels' 1e-5, keep
// an order of magnitude above that, while any wrong term (an O(0.1..1)
// error) fails.
const (
	fwdAtol, fwdRtol = 1e-5, 1e-4
	bwdAtol, bwdRtol = 1e-4, 1e-3
)

// input describes one operand of a gradient-check case.
type input struct {
	shape  tensor.Shape
	lo, hi float64 // values uniform in [lo, hi)…
	signed bool    // …times a random sign: |x| ∈ [lo, hi), away from a kink or pole at 0
	frozen bool    // wrapped by Const: it must get no gradient
}

// in draws from [-1, 1): smooth ops.
func in(s ...int) input { return input{shape: s, lo: -1, hi: 1} }

// away draws |x| ∈ [0.2, 1.5) with a random sign: ReLU inputs and Div
// denominators stay 0.2 from the kink or pole, far beyond fd's 6e-6 step.
func away(s ...int) input { return input{shape: s, lo: 0.2, hi: 1.5, signed: true} }

// pos draws from [0.5, 2): Log's domain.
func pos(s ...int) input { return input{shape: s, lo: 0.5, hi: 2} }

// frozen returns in as a Const operand.
func frozen(in input) input { in.frozen = true; return in }

// gradCase is one op application: op builds it through the Var API, ref
// computes the same output in float64 from the widened inputs, and out is
// the output shape op must produce.
type gradCase struct {
	name string
	ins  []input
	out  tensor.Shape
	op   func(v []*autograd.Var) *autograd.Var
	ref  func(x [][]float64) []float64
}

// backends are the CPU backend with its SIMD kernels (where the processor
// has them) and its portable Go path, as in kernels' own tests.
func backends() []struct {
	name string
	be   tensor.Backend
} {
	return []struct {
		name string
		be   tensor.Backend
	}{{"cpu", &kernels.CPU{}}, {"cpu-nosimd", &kernels.CPU{NoSIMD: true}}}
}

// runGradCases runs every case on every backend as a subtest.
func runGradCases(t *testing.T, cases []gradCase) {
	t.Helper()
	for _, b := range backends() {
		for _, c := range cases {
			t.Run("backend="+b.name+"/"+c.name, func(t *testing.T) { checkGrad(t, b.be, c) })
		}
	}
}

// checkGrad runs one case: forward against the reference, then every
// operand's gradient against central differences of the reference.
func checkGrad(t *testing.T, be tensor.Backend, c gradCase) {
	r := newRand(1)
	x64 := make([][]float64, len(c.ins))
	vars := make([]*autograd.Var, len(c.ins))
	pre := make([][]float32, len(c.ins))
	for i, in := range c.ins {
		x32 := draw(r, in)
		x64[i] = to64(x32)
		val := tensor.FromFloat32(be, in.shape, x32)
		if in.frozen {
			vars[i] = autograd.Const(val)
			continue
		}
		vars[i] = autograd.Leaf(val, fmt.Sprint("x", i))
		pre[i] = uniform(r, len(x32), -1, 1)
		be.Upload(vars[i].Grad(), pre[i])
	}

	y := c.op(vars)
	if !y.Shape().Equal(c.out) {
		t.Fatalf("output shape %v, want %v", y.Shape(), c.out)
	}
	want := c.ref(x64)
	allClose(t, "y", to64(y.Val.Float32s()), want, fwdAtol, fwdRtol)

	g := uniform(r, y.Val.Numel(), -1, 1)
	g64 := to64(g)
	y.BackwardWith(tensor.FromFloat32(be, y.Shape(), g))

	for i, in := range c.ins {
		what := fmt.Sprintf("dL/dx%d", i)
		if in.frozen {
			if vars[i].HasGrad() {
				t.Errorf("%s: a Const operand got a gradient", what)
			}
			continue
		}
		// L as a function of operand i alone; fd passes its own copy of p.
		xs := append([][]float64(nil), x64...)
		loss := func(p []float64) float64 {
			xs[i] = p
			return dot64(g64, c.ref(xs))
		}
		num := fd.Gradient(nil, loss, x64[i], &fd.Settings{Formula: fd.Central})
		got := to64(vars[i].Grad().Float32s())
		for j := range got {
			got[j] -= float64(pre[i][j]) // exact up to one float32 rounding of pre+grad
		}
		allClose(t, what, got, num, bwdAtol, bwdRtol)
	}
}

// draw returns the values of one operand.
func draw(r *rand.Rand, in input) []float32 {
	x := make([]float32, in.shape.Numel())
	for i := range x {
		v := in.lo + (in.hi-in.lo)*r.Float64()
		if in.signed && r.IntN(2) == 0 {
			v = -v
		}
		x[i] = float32(v)
	}
	return x
}

// newRand returns the seeded PCG source every test draws from.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// uniform returns n float32 values uniform in [lo, hi).
func uniform(r *rand.Rand, n int, lo, hi float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return x
}

// to64 widens a float32 slice.
func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// dot64 is Σ g·y.
func dot64(g, y []float64) float64 {
	var s float64
	for i := range g {
		s += g[i] * y[i]
	}
	return s
}

// allClose reports elements where |got−want| > atol + rtol·|want| (at most
// five, then a count).
func allClose(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, w := range want {
		if !(math.Abs(got[i]-w) <= atol+rtol*math.Abs(w)) { // NaN fails
			if bad < 5 {
				t.Errorf("%s[%d] = %.9g, want %.9g (diff %.3g)", what, i, got[i], w, got[i]-w)
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d values differ", what, bad, len(want))
	}
}

// unary makes a case of a one-operand op.
func unary(name string, x input, out tensor.Shape, op func(*autograd.Var) *autograd.Var, ref func([]float64) []float64) gradCase {
	return gradCase{name, []input{x}, out,
		func(v []*autograd.Var) *autograd.Var { return op(v[0]) },
		func(x [][]float64) []float64 { return ref(x[0]) }}
}

// binary makes a case of a two-operand op.
func binary(name string, a, b input, out tensor.Shape, op func(a, b *autograd.Var) *autograd.Var, ref func(a, b []float64) []float64) gradCase {
	return gradCase{name, []input{a, b}, out,
		func(v []*autograd.Var) *autograd.Var { return op(v[0], v[1]) },
		func(x [][]float64) []float64 { return ref(x[0], x[1]) }}
}

// mapRef lifts a scalar function to a reference.
func mapRef(f func(float64) float64) func([]float64) []float64 {
	return func(x []float64) []float64 { return refMap(x, f) }
}

// zipRef lifts a scalar function of two operands to a reference.
func zipRef(f func(a, b float64) float64) func(a, b []float64) []float64 {
	return func(a, b []float64) []float64 { return refZip(a, b, f) }
}

func TestGradElementwise(t *testing.T) {
	s := tensor.Shape{3, 5, 7} // odd sizes: 105 elements, every SIMD tail
	add := zipRef(func(a, b float64) float64 { return a + b })
	sub := zipRef(func(a, b float64) float64 { return a - b })
	mul := zipRef(func(a, b float64) float64 { return a * b })
	div := zipRef(func(a, b float64) float64 { return a / b })
	mask := make([]float32, s.Numel()) // fixed 0/1 pattern, about a third filled
	for i := range mask {
		if i%3 == 1 {
			mask[i] = 1
		}
	}
	// Each binary op also runs with one operand constant, which takes the
	// needs() branches of its backward; Square is Mul(x, x), fan-out inside
	// one op.
	cases := []gradCase{
		binary("add", in(s...), in(s...), s, autograd.Add, add),
		binary("add/b-const", in(s...), frozen(in(s...)), s, autograd.Add, add),
		binary("sub", in(s...), in(s...), s, autograd.Sub, sub),
		binary("sub/a-const", frozen(in(s...)), in(s...), s, autograd.Sub, sub),
		binary("mul", in(s...), in(s...), s, autograd.Mul, mul),
		binary("mul/a-const", frozen(in(s...)), in(s...), s, autograd.Mul, mul),
		binary("div", in(s...), away(s...), s, autograd.Div, div),
		binary("div/a-const", frozen(in(s...)), away(s...), s, autograd.Div, div),
		binary("div/b-const", in(s...), frozen(away(s...)), s, autograd.Div, div),
		unary("square", in(s...), s, autograd.Square, mapRef(func(x float64) float64 { return x * x })),
		unary("affine", in(s...), s, func(x *autograd.Var) *autograd.Var { return autograd.Affine(x, -1.5, 0.25) },
			mapRef(func(x float64) float64 { return -1.5*x + 0.25 })),
		unary("scale", in(s...), s, func(x *autograd.Var) *autograd.Var { return autograd.Scale(x, 2.5) },
			mapRef(func(x float64) float64 { return 2.5 * x })),
		unary("exp", input{shape: s, lo: -2, hi: 2}, s, autograd.Exp, mapRef(math.Exp)),
		unary("log", pos(s...), s, autograd.Log, mapRef(math.Log)),
		unary("relu", away(s...), s, autograd.ReLU, mapRef(func(x float64) float64 { return math.Max(x, 0) })),
		unary("masked_fill", in(s...), s,
			func(x *autograd.Var) *autograd.Var {
				return autograd.MaskedFill(x, tensor.FromFloat32(x.Backend(), s, mask), -3.5)
			},
			func(x []float64) []float64 {
				y := append([]float64(nil), x...)
				for i, m := range mask {
					if m != 0 {
						y[i] = -3.5
					}
				}
				return y
			}),
	}
	runGradCases(t, cases)
}

func TestGradMatMul(t *testing.T) {
	const m, k, n = 3, 5, 7 // odd and distinct, so a swapped dimension cannot pass
	// All four transpose combinations, each with both operands trainable and
	// with either one constant (MatMul's backward has four GEMM branches).
	var cases []gradCase
	for _, tt := range []struct{ ta, tb bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		as, bs := tensor.Shape{m, k}, tensor.Shape{k, n}
		if tt.ta {
			as = tensor.Shape{k, m}
		}
		if tt.tb {
			bs = tensor.Shape{n, k}
		}
		op := func(a, b *autograd.Var) *autograd.Var { return autograd.MatMul(a, b, tt.ta, tt.tb) }
		ref := func(a, b []float64) []float64 { return refMatMul(a, b, as, bs, tt.ta, tt.tb) }
		name := fmt.Sprintf("matmul/ta=%v/tb=%v", tt.ta, tt.tb)
		cases = append(cases,
			binary(name, in(as...), in(bs...), tensor.Shape{m, n}, op, ref),
			binary(name+"/a-const", frozen(in(as...)), in(bs...), tensor.Shape{m, n}, op, ref),
			binary(name+"/b-const", in(as...), frozen(in(bs...)), tensor.Shape{m, n}, op, ref))
	}
	// Linear: x [N,in] wᵀ + b with w [out,in].
	xs, ws := tensor.Shape{4, 5}, tensor.Shape{3, 5}
	cases = append(cases,
		gradCase{"linear", []input{in(xs...), in(ws...), in(3)}, tensor.Shape{4, 3},
			func(v []*autograd.Var) *autograd.Var { return autograd.Linear(v[0], v[1], v[2]) },
			func(x [][]float64) []float64 {
				return refBiasAdd(refMatMul(x[0], x[1], xs, ws, false, true), x[2], []int{4, 3})
			}},
		binary("linear/no-bias", in(xs...), in(ws...), tensor.Shape{4, 3},
			func(x, w *autograd.Var) *autograd.Var { return autograd.Linear(x, w, nil) },
			func(x, w []float64) []float64 { return refMatMul(x, w, xs, ws, false, true) }),
		binary("bias_add/2d", in(5, 3), in(3), tensor.Shape{5, 3}, autograd.BiasAdd,
			func(y, b []float64) []float64 { return refBiasAdd(y, b, []int{5, 3}) }),
		binary("bias_add/4d", in(2, 3, 3, 5), in(3), tensor.Shape{2, 3, 3, 5}, autograd.BiasAdd,
			func(y, b []float64) []float64 { return refBiasAdd(y, b, []int{2, 3, 3, 5}) }),
		unary("transpose2d/3x5", in(3, 5), tensor.Shape{5, 3}, autograd.Transpose2D,
			func(x []float64) []float64 { return refTranspose(x, 3, 5) }),
		unary("transpose2d/4x1", in(4, 1), tensor.Shape{1, 4}, autograd.Transpose2D,
			func(x []float64) []float64 { return refTranspose(x, 4, 1) }),
	)
	runGradCases(t, cases)
}

func TestGradConvPool(t *testing.T) {
	conv := func(name string, xs, ws tensor.Shape, stride, pad int, out tensor.Shape) []gradCase {
		op := func(x, w *autograd.Var) *autograd.Var { return autograd.Conv2D(x, w, stride, pad) }
		ref := func(x, w []float64) []float64 { return refConv2D(x, w, xs, ws, stride, pad) }
		return []gradCase{
			binary(name, in(xs...), in(ws...), out, op, ref),
			binary(name+"/x-const", frozen(in(xs...)), in(ws...), out, op, ref),
			binary(name+"/w-const", in(xs...), frozen(in(ws...)), out, op, ref),
		}
	}
	var cases []gradCase
	// stride 2, pad 1, 3×3 on an odd 7×7 image: OH = (7+2−3)/2+1 = 4.
	cases = append(cases, conv("conv/s2p1", tensor.Shape{2, 3, 7, 7}, tensor.Shape{4, 3, 3, 3}, 2, 1, tensor.Shape{2, 4, 4, 4})...)
	// stride 2, pad 1 on 8×6, where the last padded row is never read:
	// OH = (8+2−3)/2+1 = 4, OW = (6+2−3)/2+1 = 3.
	cases = append(cases, conv("conv/s2p1-even", tensor.Shape{1, 2, 8, 6}, tensor.Shape{3, 2, 3, 3}, 2, 1, tensor.Shape{1, 3, 4, 3})...)
	// a non-square 2×3 kernel, stride 1, no padding.
	cases = append(cases, conv("conv/s1p0-2x3", tensor.Shape{2, 2, 5, 6}, tensor.Shape{3, 2, 2, 3}, 1, 0, tensor.Shape{2, 3, 4, 4})...)
	// 1×1 kernel with stride 2 (a ResNet shortcut).
	cases = append(cases, conv("conv/1x1s2", tensor.Shape{2, 3, 5, 5}, tensor.Shape{5, 3, 1, 1}, 2, 0, tensor.Shape{2, 5, 3, 3})...)
	pool := func(name string, xs tensor.Shape, k int, out tensor.Shape) gradCase {
		return unary(name, in(xs...), out, func(x *autograd.Var) *autograd.Var { return autograd.AvgPool2D(x, k) },
			func(x []float64) []float64 { return refAvgPool2D(x, xs, k) })
	}
	cases = append(cases,
		pool("avgpool/k2-floor", tensor.Shape{2, 3, 5, 7}, 2, tensor.Shape{2, 3, 2, 3}), // last row and column unused
		pool("avgpool/k3", tensor.Shape{1, 2, 6, 6}, 3, tensor.Shape{1, 2, 2, 2}),
		pool("avgpool/k4-global", tensor.Shape{3, 5, 4, 4}, 4, tensor.Shape{3, 5, 1, 1}),
	)
	runGradCases(t, cases)
}

func TestGradBatchNorm(t *testing.T) {
	const eps = 1e-5
	bn := func(name string, xs tensor.Shape, train bool, x, g, b input) gradCase {
		c := xs[1]
		// Running statistics for evaluation mode: fixed, variance positive.
		rm := uniform(newRand(2), c, -0.5, 0.5)
		rv := uniform(newRand(3), c, 0.3, 1.5)
		return gradCase{name, []input{x, g, b}, xs,
			func(v []*autograd.Var) *autograd.Var {
				be := v[0].Backend()
				y, _ := autograd.BatchNorm(v[0], v[1], v[2],
					tensor.FromFloat32(be, tensor.Shape{c}, rm), tensor.FromFloat32(be, tensor.Shape{c}, rv), eps, train)
				return y
			},
			func(x [][]float64) []float64 {
				if train {
					return refBatchNorm(x[0], x[1], x[2], nil, nil, xs, eps)
				}
				return refBatchNorm(x[0], x[1], x[2], to64(rm), to64(rv), xs, eps)
			}}
	}
	// [3,5,4,4] is the brief's odd-channel case (M = 48 values per channel);
	// [7,3] is BatchNorm1d's [N,C] layout with HW = 1.
	s4, s2 := tensor.Shape{3, 5, 4, 4}, tensor.Shape{7, 3}
	// gamma around 1 with either sign, beta anywhere.
	gamma := func(c int) input { return input{shape: tensor.Shape{c}, lo: 0.5, hi: 1.5, signed: true} }
	cases := []gradCase{
		bn("train/3x5x4x4", s4, true, in(s4...), gamma(5), in(5)),
		bn("train/7x3", s2, true, in(s2...), gamma(3), in(3)),
		bn("train/x-const", s4, true, frozen(in(s4...)), gamma(5), in(5)),
		bn("train/params-const", s4, true, in(s4...), frozen(gamma(5)), frozen(in(5))),
		bn("eval/3x5x4x4", s4, false, in(s4...), gamma(5), in(5)),
		bn("eval/7x3", s2, false, in(s2...), gamma(3), in(3)),
		bn("eval/x-const", s4, false, frozen(in(s4...)), gamma(5), in(5)),
	}
	// The fused block tail relu(bn(x) + res), against the three ops'
	// reference composed in float64.
	act := func(name string, train bool, x, g, b, r input) gradCase {
		rm, rv := uniform(newRand(2), 5, -0.5, 0.5), uniform(newRand(3), 5, 0.3, 1.5)
		return gradCase{name, []input{x, g, b, r}, s4,
			func(v []*autograd.Var) *autograd.Var {
				be := v[0].Backend()
				y, _ := autograd.BatchNormAct(v[0], v[1], v[2], v[3],
					tensor.FromFloat32(be, tensor.Shape{5}, rm), tensor.FromFloat32(be, tensor.Shape{5}, rv), eps, train, true)
				return y
			},
			func(x [][]float64) []float64 {
				y := refBatchNorm(x[0], x[1], x[2], nil, nil, s4, eps)
				if !train {
					y = refBatchNorm(x[0], x[1], x[2], to64(rm), to64(rv), s4, eps)
				}
				for i := range y {
					y[i] = math.Max(y[i]+x[3][i], 0)
				}
				return y
			}}
	}
	cases = append(cases,
		act("act/train", true, in(s4...), gamma(5), in(5), in(s4...)),
		act("act/eval", false, in(s4...), gamma(5), in(5), in(s4...)),
		act("act/res-only", true, frozen(in(s4...)), frozen(gamma(5)), frozen(in(5)), in(s4...)),
	)
	runGradCases(t, cases)
}

func TestGradReduce(t *testing.T) {
	// Sum and Mean over the first, a middle and the last dim of [3,4,5]
	// (negative dims too); Expand inserts at 0, 1 and the end of [3,5].
	s := []int{3, 4, 5}
	sum := func(dim int, out tensor.Shape) gradCase {
		return unary(fmt.Sprintf("sum/dim=%d", dim), in(s...), out,
			func(x *autograd.Var) *autograd.Var { return autograd.Sum(x, dim) },
			func(x []float64) []float64 { return refSum(x, s, dim) })
	}
	mean := func(dim int, out tensor.Shape) gradCase {
		_, d, _ := along(s, dim)
		return unary(fmt.Sprintf("mean/dim=%d", dim), in(s...), out,
			func(x *autograd.Var) *autograd.Var { return autograd.Mean(x, dim) },
			func(x []float64) []float64 {
				return refMap(refSum(x, s, dim), func(v float64) float64 { return v / float64(d) })
			})
	}
	expand := func(dim, n int, out tensor.Shape) gradCase {
		xs := []int{3, 5}
		return unary(fmt.Sprintf("expand/dim=%d", dim), in(xs...), out,
			func(x *autograd.Var) *autograd.Var { return autograd.Expand(x, dim, n) },
			func(x []float64) []float64 { return refExpand(x, xs, dim, n) })
	}
	total := func(x []float64) []float64 { return refSum(x, []int{len(x)}, 0) }
	cases := []gradCase{
		sum(0, tensor.Shape{4, 5}), sum(1, tensor.Shape{3, 5}), sum(2, tensor.Shape{3, 4}), sum(-1, tensor.Shape{3, 4}),
		mean(0, tensor.Shape{4, 5}), mean(1, tensor.Shape{3, 5}), mean(-1, tensor.Shape{3, 4}),
		unary("sum_all", in(s...), tensor.Shape{}, autograd.SumAll, total),
		unary("mean_all", in(s...), tensor.Shape{}, autograd.MeanAll,
			func(x []float64) []float64 { return []float64{total(x)[0] / float64(len(x))} }),
		expand(0, 2, tensor.Shape{2, 3, 5}), expand(1, 4, tensor.Shape{3, 4, 5}),
		expand(2, 3, tensor.Shape{3, 5, 3}), expand(-1, 3, tensor.Shape{3, 5, 3}),
		unary("broadcast_scalar/[]", in(), tensor.Shape{3, 4},
			func(x *autograd.Var) *autograd.Var { return autograd.BroadcastScalar(x, tensor.Shape{3, 4}) },
			func(x []float64) []float64 { return refExpand(x, []int{1}, 0, 12) }),
		unary("broadcast_scalar/[1,1]", in(1, 1), tensor.Shape{2, 3, 1},
			func(x *autograd.Var) *autograd.Var { return autograd.BroadcastScalar(x, tensor.Shape{2, 3, 1}) },
			func(x []float64) []float64 { return refExpand(x, []int{1}, 0, 6) }),
	}
	runGradCases(t, cases)
}

func TestGradSoftmax(t *testing.T) {
	// Rows ([4,7] dim 1 or −1), columns (dim 0, Inner = 7) and a middle
	// dim of a 3-D tensor (Outer 3, D 5, Inner 4).
	var cases []gradCase
	for _, sh := range []struct {
		s   []int
		dim int
	}{{[]int{4, 7}, 1}, {[]int{4, 7}, -1}, {[]int{4, 7}, 0}, {[]int{3, 5, 4}, 1}} {
		s, dim := sh.s, sh.dim
		wide := input{shape: s, lo: -3, hi: 3} // logits spread enough to make softmax non-uniform
		cases = append(cases,
			unary(fmt.Sprintf("softmax/%v/dim=%d", s, dim), wide, s,
				func(x *autograd.Var) *autograd.Var { return autograd.Softmax(x, dim) },
				func(x []float64) []float64 { return refSoftmax(x, s, dim, false) }),
			unary(fmt.Sprintf("log_softmax/%v/dim=%d", s, dim), wide, s,
				func(x *autograd.Var) *autograd.Var { return autograd.LogSoftmax(x, dim) },
				func(x []float64) []float64 { return refSoftmax(x, s, dim, true) }),
			unary(fmt.Sprintf("l2_normalize/%v/dim=%d", s, dim), in(s...), s,
				func(x *autograd.Var) *autograd.Var { return autograd.L2Normalize(x, dim) },
				func(x []float64) []float64 { return refL2Normalize(x, s, dim) }),
		)
	}
	runGradCases(t, cases)
}

func TestGradShape(t *testing.T) {
	identity := func(x []float64) []float64 { return x }
	concat := func(dim int, ss [][]int, out tensor.Shape, frozenMiddle bool) gradCase {
		ins := []input{in(ss[0]...), in(ss[1]...), in(ss[2]...)}
		name := fmt.Sprintf("concat/dim=%d", dim)
		if frozenMiddle {
			ins[1] = frozen(ins[1])
			name += "/middle-const"
		}
		return gradCase{name, ins, out,
			func(v []*autograd.Var) *autograd.Var { return autograd.Concat(dim, v...) },
			func(x [][]float64) []float64 { return refConcat(x, ss, dim) }}
	}
	// Narrow on [3,5,4,2]: the outer, both middle and the last dim, each
	// window starting past 0 so the source offset matters.
	narrow := func(dim, start, n int, out tensor.Shape) gradCase {
		s := []int{3, 5, 4, 2}
		return unary(fmt.Sprintf("narrow/dim=%d/%d+%d", dim, start, n), in(s...), out,
			func(x *autograd.Var) *autograd.Var { return autograd.Narrow(x, dim, start, n) },
			func(x []float64) []float64 { return refNarrow(x, s, dim, start, n) })
	}
	cases := []gradCase{
		unary("reshape", in(3, 4, 5), tensor.Shape{12, 5},
			func(x *autograd.Var) *autograd.Var { return autograd.Reshape(x, -1, 5) }, identity),
		unary("reshape/scalar", in(1, 1), tensor.Shape{},
			func(x *autograd.Var) *autograd.Var { return autograd.Reshape(x) }, identity),
		concat(0, [][]int{{1, 3, 4}, {2, 3, 4}, {3, 3, 4}}, tensor.Shape{6, 3, 4}, false),
		concat(1, [][]int{{2, 1, 4}, {2, 3, 4}, {2, 2, 4}}, tensor.Shape{2, 6, 4}, false),
		concat(-1, [][]int{{2, 3, 1}, {2, 3, 5}, {2, 3, 2}}, tensor.Shape{2, 3, 8}, false),
		concat(1, [][]int{{2, 1, 4}, {2, 3, 4}, {2, 2, 4}}, tensor.Shape{2, 6, 4}, true),
		narrow(0, 1, 2, tensor.Shape{2, 5, 4, 2}),
		narrow(1, 1, 3, tensor.Shape{3, 3, 4, 2}),
		narrow(2, 2, 2, tensor.Shape{3, 5, 2, 2}),
		narrow(-1, 1, 1, tensor.Shape{3, 5, 4, 1}),
		// concat of one tensor with itself: fan-out through one op.
		unary("concat/self", in(2, 3), tensor.Shape{2, 6},
			func(x *autograd.Var) *autograd.Var { return autograd.Concat(1, x, x) },
			func(x []float64) []float64 {
				return refConcat([][]float64{x, x}, [][]int{{2, 3}, {2, 3}}, 1)
			}),
	}
	runGradCases(t, cases)
}

func TestGradIndex(t *testing.T) {
	// Repeated indexes: their gradients must add up (IndexAdd, ScatterAdd).
	sel := []int64{0, 4, 2, 4, 4, 1, 0}
	gat := []int64{ // x [4,6] -> y [4,3]
		5, 0, 5,
		1, 1, 1,
		2, 3, 4,
		0, 5, 2,
	}
	cases := []gradCase{
		unary("index_select", in(5, 3), tensor.Shape{7, 3},
			func(x *autograd.Var) *autograd.Var {
				return autograd.IndexSelect(x, tensor.FromInt64(x.Backend(), tensor.Shape{7}, sel))
			},
			func(x []float64) []float64 { return refIndexSelect(x, 3, sel) }),
		unary("gather", in(4, 6), tensor.Shape{4, 3},
			func(x *autograd.Var) *autograd.Var {
				return autograd.Gather(x, tensor.FromInt64(x.Backend(), tensor.Shape{4, 3}, gat))
			},
			func(x []float64) []float64 { return refGather(x, 6, gat, 3) }),
	}
	runGradCases(t, cases)
}

// TestGradComposite chains several ops (a small classifier head with a
// cross-entropy-like loss) so the tape's ordering and accumulation across
// op boundaries meet the same check as the single ops.
func TestGradComposite(t *testing.T) {
	xs, ws := []int{4, 6}, []int{5, 6}
	labels := []int64{2, 0, 4, 2}
	cases := []gradCase{{"linear-relu-l2norm-logsoftmax-gather-mean",
		[]input{in(xs...), in(ws...), in(5)}, tensor.Shape{},
		func(v []*autograd.Var) *autograd.Var {
			be := v[0].Backend()
			h := autograd.Linear(v[0], v[1], v[2])
			h = autograd.Add(autograd.ReLU(h), autograd.Scale(h, 0.1)) // leaky ReLU by fan-out
			z := autograd.Scale(autograd.L2Normalize(h, 1), 5)
			lp := autograd.LogSoftmax(z, 1)
			pick := autograd.Gather(lp, tensor.FromInt64(be, tensor.Shape{4, 1}, labels))
			return autograd.Scale(autograd.MeanAll(pick), -1)
		},
		func(x [][]float64) []float64 {
			h := refBiasAdd(refMatMul(x[0], x[1], xs, ws, false, true), x[2], []int{4, 5})
			h = refMap(h, func(v float64) float64 { return math.Max(v, 0) + 0.1*v })
			z := refMap(refL2Normalize(h, []int{4, 5}, 1), func(v float64) float64 { return 5 * v })
			lp := refSoftmax(z, []int{4, 5}, 1, true)
			var s float64
			for _, p := range refGather(lp, 5, labels, 1) {
				s += p
			}
			return []float64{-s / 4}
		}}}
	runGradCases(t, cases)
}
