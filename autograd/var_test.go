package autograd_test

import (
	"strings"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/tensor"
)

// Graph semantics of the tape: fan-out, Detach, NoGrad, Const and frozen
// leaves, Custom, the seed checks of Backward/BackwardWith, accumulation
// across passes and the release of the graph. The values are small dyadic
// rationals, so every expected gradient is exact in float32 and the checks
// compare with ==.

// cpu is the one backend of these tests: ops compare backends by identity,
// so two &kernels.CPU{} values count as different backends.
var cpu tensor.Backend = &kernels.CPU{}

// vec returns a float32 tensor of shape s on the CPU holding vals.
func vec(s tensor.Shape, vals ...float32) *tensor.Tensor {
	return tensor.FromFloat32(cpu, s, vals)
}

// leaf returns a trainable 1-D leaf holding vals.
func leaf(name string, vals ...float32) *autograd.Var {
	return autograd.Leaf(vec(tensor.Shape{len(vals)}, vals...), name)
}

// equal fails unless got == want element by element.
func equal(t *testing.T, what string, got *tensor.Tensor, want ...float32) {
	t.Helper()
	g := got.Float32s()
	if len(g) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(g), len(want))
	}
	for i := range want {
		if g[i] != want[i] {
			t.Fatalf("%s = %v, want %v", what, g, want)
		}
	}
}

// mustPanic fails unless f panics with a string starting with prefix.
func mustPanic(t *testing.T, what, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("%s: no panic", what)
			return
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, prefix) {
			t.Errorf("%s: panic %v, want a %q... text", what, r, prefix)
		}
	}()
	f()
}

// TestFanOutAccumulates: y = x*x + x reads x three times (twice in Mul, once
// in Add); dL/dx = 2x + 1 only if every use adds into the same gradient.
func TestFanOutAccumulates(t *testing.T) {
	x := leaf("x", 0.5, -1, 2, 3)
	y := autograd.Add(autograd.Mul(x, x), x)
	autograd.SumAll(y).Backward()
	equal(t, "dx", x.Grad(), 2, -1, 5, 7)
}

// TestTopologicalOrder builds y_{k+1} = Affine(y_k) + y_k: every y_k feeds
// a node one level deeper and the sum directly, so its backward must wait
// until both consumers have added their share. A wrong order loses a
// share; the right one gives dy_n/dx = 2^n exactly.
func TestTopologicalOrder(t *testing.T) {
	const n = 20
	x := leaf("x", 1)
	y := x
	for range n {
		y = autograd.Add(autograd.Affine(y, 1, 0), y)
	}
	y.Backward()
	equal(t, "y", y.Val, 1<<n)
	equal(t, "dx", x.Grad(), 1<<n)
}

// TestLongChain runs 20000 ops in a row: the iterative graph walk must not
// depend on recursion depth, and the gradient is the product of the scales.
func TestLongChain(t *testing.T) {
	x := leaf("x", 3)
	y := x
	for i := range 20000 {
		if i%2 == 0 {
			y = autograd.Scale(y, 2)
		} else {
			y = autograd.Scale(y, 0.5)
		}
	}
	y.Backward()
	equal(t, "dx", x.Grad(), 1)
}

func TestDetachStopsGradient(t *testing.T) {
	x := leaf("x", 0.5, -1, 2)
	d := x.Detach()
	if d.RequiresGrad() || d.Val != x.Val || d.Name != "x" {
		t.Fatalf("Detach: RequiresGrad %v, shares value %v, name %q", d.RequiresGrad(), d.Val == x.Val, d.Name)
	}
	// y = x * stop(x): the detached factor is a constant, so dy/dx = x, not 2x.
	autograd.SumAll(autograd.Mul(x, d)).Backward()
	equal(t, "dx", x.Grad(), 0.5, -1, 2)
	if d.HasGrad() {
		t.Error("the detached Var got a gradient")
	}

	// Detaching an intermediate cuts the whole subgraph behind it:
	// L = Σ (stop(4x)·x + x) gives dL/dx = 4x + 1.
	w := leaf("w", 0.5, -1, 2)
	h := autograd.Scale(w, 4)
	autograd.SumAll(autograd.Add(autograd.Mul(h.Detach(), w), w)).Backward()
	equal(t, "dw", w.Grad(), 3, -3, 9)
}

func TestNoGradRecordsNothing(t *testing.T) {
	x := leaf("x", 1, 2)
	var y, c *autograd.Var
	autograd.NoGrad(func() {
		if autograd.GradEnabled() {
			t.Error("GradEnabled inside NoGrad")
		}
		autograd.NoGrad(func() {}) // nesting must not re-enable recording on return
		y = autograd.SumAll(autograd.Mul(x, x))
		c = autograd.Custom(vec(tensor.Shape{2}, 0, 0), []*autograd.Var{x}, func(*autograd.Var) {
			t.Error("Custom backward ran for an op recorded under NoGrad")
		})
	})
	if !autograd.GradEnabled() {
		t.Fatal("GradEnabled false after NoGrad returned")
	}
	if y.RequiresGrad() || c.RequiresGrad() {
		t.Fatalf("outputs under NoGrad: RequiresGrad %v (Mul/SumAll), %v (Custom)", y.RequiresGrad(), c.RequiresGrad())
	}
	equal(t, "y", y.Val, 5) // the forward still runs
	y.Backward()            // nothing recorded: a no-op
	c.BackwardWith(vec(tensor.Shape{2}, 1, 1))
	if x.HasGrad() {
		t.Error("a leaf got a gradient through ops run under NoGrad")
	}

	// A panic inside f must not leave recording off.
	func() {
		defer func() { _ = recover() }()
		autograd.NoGrad(func() { panic("boom") })
	}()
	if !autograd.GradEnabled() {
		t.Error("GradEnabled false after a panic inside NoGrad")
	}
}

func TestConstGetsNoGrad(t *testing.T) {
	be := cpu
	x := autograd.Leaf(vec(tensor.Shape{2, 2}, 1, 2, 3, 4), "x")
	c := autograd.Const(vec(tensor.Shape{2, 2}, 0.5, 0.25, 2, 1))
	if c.RequiresGrad() {
		t.Fatal("Const requires a gradient")
	}
	// Const operands of several kinds of op: elementwise, GEMM, concat.
	y := autograd.Add(autograd.Mul(x, c), autograd.MatMul(c, x, false, true))
	y = autograd.Concat(0, y, c)
	autograd.SumAll(y).Backward()
	if c.HasGrad() {
		t.Error("a Const operand got a gradient allocated")
	}
	// d/dx Σ(x⊙c) = c; d/dx Σ(c·xᵀ)[i,j] = Σ_i c[i,k] for x[j,k] (column sums of c).
	equal(t, "dx", x.Grad(), 0.5+2.5, 0.25+1.25, 2+2.5, 1+1.25)

	// An op over constants only records nothing.
	z := autograd.Exp(autograd.Add(c, c))
	if z.RequiresGrad() {
		t.Error("an op over constants requires a gradient")
	}
	z.BackwardWith(tensor.Zeros(be, 2, 2))
	if c.HasGrad() || z.HasGrad() {
		t.Error("BackwardWith over constants allocated a gradient")
	}
}

// TestCustomBackwardOnce: a Custom op used twice downstream still runs its
// backward once, after both uses have added to its output gradient.
func TestCustomBackwardOnce(t *testing.T) {
	x := leaf("x", 1, -2, 0.5)
	c := autograd.Const(vec(tensor.Shape{3}, 9, 9, 9))
	xs := x.Val.Float32s()
	sq := make([]float32, len(xs))
	for i, v := range xs {
		sq[i] = v * v
	}
	calls := 0
	var y *autograd.Var
	y = autograd.Custom(vec(tensor.Shape{3}, sq...), []*autograd.Var{x, c}, func(out *autograd.Var) {
		calls++
		if out != y {
			t.Error("Custom backward got another Var than the one Custom returned")
		}
		if c.RequiresGrad() {
			t.Error("Const parent reports RequiresGrad")
		}
		// dx += 2x·dy
		g := out.Grad().Float32s()
		d := make([]float32, len(g))
		for i := range g {
			d[i] = 2 * xs[i] * g[i]
		}
		x.Backend().Axpy(1, vec(tensor.Shape{3}, d...), x.Grad())
	})
	if !y.RequiresGrad() {
		t.Fatal("Custom over a leaf does not require a gradient")
	}
	// L = Σ (y + 3y): dL/dy = 4, dL/dx = 8x.
	autograd.SumAll(autograd.Add(y, autograd.Scale(y, 3))).Backward()
	if calls != 1 {
		t.Fatalf("Custom backward ran %d times, want 1", calls)
	}
	equal(t, "dx", x.Grad(), 8, -16, 4)
	if c.HasGrad() {
		t.Error("Const parent of a Custom op got a gradient")
	}

	// Over constants only, a Custom op records nothing.
	k := autograd.Custom(vec(tensor.Shape{1}, 2), []*autograd.Var{c}, func(*autograd.Var) {
		t.Error("Custom backward ran over constant parents")
	})
	if k.RequiresGrad() {
		t.Error("Custom over constants requires a gradient")
	}
	k.Backward()
}

func TestBackwardSeeds(t *testing.T) {
	// Backward seeds 1: L = 3·Σx gives 3 everywhere; a one-element [1,1]
	// output is a scalar too.
	x := leaf("x", 1, 2)
	autograd.Scale(autograd.SumAll(x), 3).Backward()
	equal(t, "dx", x.Grad(), 3, 3)
	w := leaf("w", 5)
	autograd.Reshape(autograd.Scale(w, 2), 1, 1).Backward()
	equal(t, "dw", w.Grad(), 2)

	// BackwardWith seeds g: d/dx Σ g⊙(2x) = 2g.
	v := autograd.Leaf(vec(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6), "v")
	autograd.Scale(v, 2).BackwardWith(vec(tensor.Shape{2, 3}, 1, 0, -1, 0.5, 2, 0.25))
	equal(t, "dv", v.Grad(), 2, 0, -2, 1, 4, 0.5)

	// Backward of a leaf itself adds the seed.
	s := leaf("s", 7)
	s.Backward()
	equal(t, "ds", s.Grad(), 1)
}

func TestBackwardNonScalarPanics(t *testing.T) {
	x := autograd.Leaf(vec(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6), "x")
	y := autograd.Scale(x, 2)
	mustPanic(t, "Backward of [2,3]", "autograd: ", func() { y.Backward() })
	mustPanic(t, "Backward of a [2] leaf", "autograd: ", func() { leaf("l", 1, 2).Backward() })
	if x.HasGrad() {
		t.Error("a refused Backward still wrote a gradient")
	}
}

func TestBackwardWithWrongShapePanics(t *testing.T) {
	x := autograd.Leaf(vec(tensor.Shape{2, 3}, 1, 2, 3, 4, 5, 6), "x")
	y := autograd.Scale(x, 2)
	six := []float32{1, 1, 1, 1, 1, 1}
	// Same element count, other shape: still refused (no implicit reshape).
	mustPanic(t, "seed [3,2] for [2,3]", "autograd: ", func() { y.BackwardWith(vec(tensor.Shape{3, 2}, six...)) })
	mustPanic(t, "seed [6] for [2,3]", "autograd: ", func() { y.BackwardWith(vec(tensor.Shape{6}, six...)) })
	mustPanic(t, "seed [2] for [2,3]", "autograd: ", func() { y.BackwardWith(vec(tensor.Shape{2}, 1, 1)) })
	// The check comes first, also where nothing would be recorded.
	c := autograd.Const(vec(tensor.Shape{2}, 1, 1))
	mustPanic(t, "seed [3] for a Const [2]", "autograd: ", func() { c.BackwardWith(vec(tensor.Shape{3}, 1, 1, 1)) })
	if x.HasGrad() {
		t.Error("a refused BackwardWith still wrote a gradient")
	}
	// The graph survives a refused seed: a correct one still works.
	y.BackwardWith(vec(tensor.Shape{2, 3}, six...))
	equal(t, "dx", x.Grad(), 2, 2, 2, 2, 2, 2)
}

func TestGradAccumulatesUntilZeroGrad(t *testing.T) {
	x := leaf("x", 1, -2, 3)
	pass := func() { autograd.SumAll(autograd.Mul(x, x)).Backward() } // dL/dx = 2x
	pass()
	equal(t, "dx after one pass", x.Grad(), 2, -4, 6)
	pass()
	equal(t, "dx after two passes", x.Grad(), 4, -8, 12)
	x.ZeroGrad()
	if !x.HasGrad() {
		t.Error("ZeroGrad dropped the gradient tensor (it should keep it for reuse)")
	}
	equal(t, "dx after ZeroGrad", x.Grad(), 0, 0, 0)
	pass()
	equal(t, "dx after ZeroGrad and a pass", x.Grad(), 2, -4, 6)

	// ZeroGrad before any gradient exists allocates nothing.
	w := leaf("w", 1)
	w.ZeroGrad()
	if w.HasGrad() {
		t.Error("ZeroGrad allocated a gradient")
	}
}

// TestGraphReleasedAfterBackward: BackwardWith drops the recorded graph
// (closures, parents, intermediate gradients); leaves keep theirs. Running it
// again on the same output then reaches no leaf: the leaves' gradients stay
// as they were rather than growing or failing.
func TestGraphReleasedAfterBackward(t *testing.T) {
	x := leaf("x", 1, -2, 3)
	h := autograd.Mul(x, x)
	l := autograd.SumAll(h)
	l.Backward()
	equal(t, "dx", x.Grad(), 2, -4, 6)
	if h.HasGrad() || l.HasGrad() {
		t.Errorf("intermediate gradients kept after Backward: h %v, l %v", h.HasGrad(), l.HasGrad())
	}
	// A second pass over the released graph is an error, as in PyTorch
	// (it would otherwise see h as a leaf and silently give nothing to x).
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("second Backward over a released graph did not panic")
			}
		}()
		autograd.SumAll(autograd.Scale(h, 2)).Backward()
	}()
	equal(t, "dx unchanged by the refused pass", x.Grad(), 2, -4, 6)
	equal(t, "h (values survive the release)", h.Val, 1, 4, 9)
}

func TestSetRequiresGradFalse(t *testing.T) {
	x := leaf("x", 1, 2)
	w := leaf("w", 3, 4)
	w.SetRequiresGrad(false) // a frozen parameter
	if w.RequiresGrad() {
		t.Fatal("RequiresGrad still true")
	}
	autograd.SumAll(autograd.Mul(x, w)).Backward()
	if w.HasGrad() {
		t.Error("a frozen leaf got a gradient")
	}
	equal(t, "dx", x.Grad(), 3, 4)

	// Only frozen operands: nothing is recorded.
	y := autograd.Mul(w, w)
	if y.RequiresGrad() {
		t.Error("an op over frozen leaves requires a gradient")
	}

	// Unfreezing makes it trainable again for graphs built afterwards.
	w.SetRequiresGrad(true)
	autograd.SumAll(autograd.Mul(x, w)).Backward()
	equal(t, "dw after unfreezing", w.Grad(), 1, 2)

	mustPanic(t, "SetRequiresGrad on an op output", "autograd: ", func() {
		autograd.Mul(x, x).SetRequiresGrad(false)
	})
}

func TestVarAccessors(t *testing.T) {
	be := cpu
	x := autograd.Leaf(tensor.Zeros(be, 2, 3), "conv1.weight")
	if x.Name != "conv1.weight" || !x.Shape().Equal(tensor.Shape{2, 3}) || x.Backend() != be || !x.RequiresGrad() {
		t.Fatalf("Leaf: name %q shape %v backend %v RequiresGrad %v", x.Name, x.Shape(), x.Backend(), x.RequiresGrad())
	}
	if x.HasGrad() {
		t.Fatal("a fresh leaf has a gradient")
	}
	g := x.Grad() // lazily allocated zeros of the value's shape
	if !x.HasGrad() || !g.Shape().Equal(x.Shape()) {
		t.Fatalf("Grad: HasGrad %v, shape %v", x.HasGrad(), g.Shape())
	}
	equal(t, "fresh grad", g, 0, 0, 0, 0, 0, 0)
	if x.Grad() != g {
		t.Error("Grad allocated a second tensor")
	}
}
