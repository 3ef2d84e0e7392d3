package autograd

import (
	"sync/atomic"

	"twostage/tensor"
)

// Var is a node of the computation graph.
type Var struct {
	Val  *tensor.Tensor // the value; never replaced by ops
	Name string         // optional, for error messages and parameter tables

	grad         *tensor.Tensor // same shape as Val, allocated on first use
	requiresGrad bool
	freed        bool // an op output whose graph a backward pass released
	parents      []*Var
	backward     func() // adds this node's gradient into its parents' (= for a first one: gradSlot)
}

// Leaf wraps a tensor as a trainable value (gradients are kept).
func Leaf(t *tensor.Tensor, name string) *Var {
	return &Var{Val: t, Name: name, requiresGrad: true}
}

// Const wraps a tensor that needs no gradient.
func Const(t *tensor.Tensor) *Var { return &Var{Val: t} }

// RequiresGrad reports whether gradients flow into v.
func (v *Var) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad turns gradient tracking of a leaf on or off (frozen
// parameters, such as the fixed heads of stage 2, are leaves with it off).
func (v *Var) SetRequiresGrad(on bool) {
	if v.backward != nil {
		panic("autograd: SetRequiresGrad on a non-leaf")
	}
	v.requiresGrad = on
}

// Shape is the value's shape.
func (v *Var) Shape() tensor.Shape { return v.Val.Shape() }

// Backend is the value's backend.
func (v *Var) Backend() tensor.Backend { return v.Val.Backend() }

// Grad returns the gradient tensor, allocating zeros on first use.
func (v *Var) Grad() *tensor.Tensor {
	if v.grad == nil {
		v.grad = v.Val.Backend().Zeros(tensor.Float32, v.Val.Shape())
	}
	return v.grad
}

// overwrite turns on gradSlot's write mode for first gradients; tests turn
// it off (export_test.go) to compare with the zeroing path bit for bit.
var overwrite = true

// gradSlot returns the buffer an op's backward puts v's gradient
// contribution in. A v with no gradient yet gets one with undefined
// contents (Empty, not Zeros) and fresh = true: the caller must then write
// (=) every element, with the bits that += into zeros would give (the
// backends' write modes: Conv2DBackwardData with acc false, BNAct.SetDX,
// Scale with beta 0). Otherwise it is Grad() and the caller adds (+=), as
// every later contribution (fan-out, such as a residual branch) does.
// This is "activation grads =, parameter grads +=" (llm.c, PyTorch): a
// parameter's gradient is allocated by the optimiser before the step and
// always accumulates. It saves each activation gradient a zeroing pass
// and the read of the zeros.
func (v *Var) gradSlot() (g *tensor.Tensor, fresh bool) {
	if v.grad != nil || !overwrite {
		return v.Grad(), false
	}
	freshGrads.Add(1)
	v.grad = v.Val.Backend().Empty(tensor.Float32, v.Val.Shape())
	return v.grad, true
}

// freshGrads counts gradSlot's fresh buffers, so that a test can tell the
// write mode ran (export_test.go).
var freshGrads atomic.Int64

// addGrad adds alpha·g into v's gradient: g itself scaled into a fresh
// buffer (alpha·g + 0, the bits of 0 + alpha·g), else Axpy.
func (v *Var) addGrad(alpha float32, g *tensor.Tensor) {
	dst, fresh := v.gradSlot()
	be := v.Val.Backend()
	if fresh {
		be.Scale(dst, g, alpha, 0)
		return
	}
	be.Axpy(alpha, g, dst)
}

// HasGrad reports whether a gradient has been allocated (some op added to it).
func (v *Var) HasGrad() bool { return v.grad != nil }

// ZeroGrad sets an allocated gradient to zero (kept for reuse).
func (v *Var) ZeroGrad() {
	if v.grad != nil {
		v.Val.Backend().Fill(v.grad, 0)
	}
}

// Detach returns a constant sharing v's value: gradients stop here.
func (v *Var) Detach() *Var { return &Var{Val: v.Val, Name: v.Name} }

var noGrad atomic.Int32

// NoGrad runs f without recording the graph (evaluation, memory updates).
// It affects all goroutines: do not train concurrently with it.
func NoGrad(f func()) {
	noGrad.Add(1)
	defer noGrad.Add(-1)
	f()
}

// GradEnabled reports whether ops record the graph right now.
func GradEnabled() bool { return noGrad.Load() == 0 }

// newVar makes an op's output. It records parents only when some parent
// needs a gradient and recording is on; backward is then set by the op.
func newVar(val *tensor.Tensor, parents ...*Var) *Var {
	out := &Var{Val: val}
	if !GradEnabled() {
		return out
	}
	for _, p := range parents {
		if p != nil && p.requiresGrad {
			out.requiresGrad = true
			break
		}
	}
	if out.requiresGrad {
		out.parents = parents
	}
	return out
}

// Custom defines an op from outside the package: out holds the forward
// result computed by the caller, and backward (called once, with the output
// Var whose Grad is ready) must add into the parents' gradients (p.Grad())
// for those with RequiresGrad.
func Custom(out *tensor.Tensor, parents []*Var, backward func(out *Var)) *Var {
	v := newVar(out, parents...)
	if v.requiresGrad {
		v.backward = func() { backward(v) }
	}
	return v
}

// Backward computes d(v)/d(leaves) for a one-element v (seeded with 1).
func (v *Var) Backward() {
	if v.Val.Numel() != 1 {
		panic("autograd: Backward of a non-scalar needs BackwardWith")
	}
	be := v.Val.Backend()
	g := be.Empty(tensor.Float32, v.Val.Shape())
	be.Fill(g, 1)
	v.BackwardWith(g)
}

// BackwardWith runs the backward pass seeded with gradient g (same shape as
// v), accumulating into every leaf's Grad, then releases the graph so
// intermediate values can be reclaimed.
func (v *Var) BackwardWith(g *tensor.Tensor) {
	if !g.Shape().Equal(v.Val.Shape()) {
		panic("autograd: seed gradient shape differs from the value's")
	}
	if !v.requiresGrad {
		return
	}
	order := topo(v)
	for _, n := range order {
		if n.freed {
			panic("autograd: backward through a graph that an earlier backward pass released (recompute the forward)")
		}
	}
	v.addGrad(1, g)
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		if n.backward != nil && n.grad != nil {
			n.backward()
		}
	}
	// Drop the graph: intermediate grads and closures (leaves keep grads).
	for _, n := range order {
		if n.backward != nil {
			n.backward, n.parents = nil, nil
			n.grad = nil
			n.freed = true
		}
	}
}

// topo returns the nodes reachable from v that need gradients, parents first.
func topo(v *Var) []*Var {
	var order []*Var
	seen := map[*Var]bool{}
	// iterative DFS (deep ResNets would be fine recursively, but losses over
	// long op chains need not be)
	type frame struct {
		n *Var
		i int
	}
	stack := []frame{{v, 0}}
	seen[v] = true
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.n.parents) {
			p := f.n.parents[f.i]
			f.i++
			if p != nil && p.requiresGrad && !seen[p] {
				seen[p] = true
				stack = append(stack, frame{p, 0})
			}
			continue
		}
		order = append(order, f.n)
		stack = stack[:len(stack)-1]
	}
	return order
}

// needs reports whether gradient must be computed for parent p.
func needs(p *Var) bool { return p != nil && p.requiresGrad }

func sameBackend(op string, vs ...*Var) tensor.Backend {
	be := vs[0].Val.Backend()
	for _, v := range vs[1:] {
		if v != nil && v.Val.Backend() != be {
			panic("autograd: " + op + ": operands on different backends")
		}
	}
	return be
}

func empty(be tensor.Backend, s tensor.Shape) *tensor.Tensor { return be.Empty(tensor.Float32, s) }
