package nn

import (
	"math/rand/v2"

	"twostage/autograd"
	"twostage/tensor"
)

// Conv2d is a 2-D convolution layer (PyTorch's nn.Conv2d, groups 1).
type Conv2d struct {
	Weight      *autograd.Var // [K,C,R,S]
	Bias        *autograd.Var // [K] or nil
	Stride, Pad int
}

// NewConv2d makes a k×k convolution with PyTorch's default initialisation.
func NewConv2d(be tensor.Backend, rng *rand.Rand, cin, cout, k, stride, pad int, bias bool) *Conv2d {
	bound := kaimingBound(cin * k * k)
	c := &Conv2d{Weight: autograd.Leaf(uniform(be, rng, bound, cout, cin, k, k), "weight"), Stride: stride, Pad: pad}
	if bias {
		c.Bias = autograd.Leaf(uniform(be, rng, bound, cout), "bias")
	}
	return c
}

func (c *Conv2d) State(prefix string) []Entry {
	es := []Entry{{Name: join(prefix, "weight"), Param: c.Weight}}
	if c.Bias != nil {
		es = append(es, Entry{Name: join(prefix, "bias"), Param: c.Bias})
	}
	return es
}

// Forward applies the convolution to x [N,C,H,W].
func (c *Conv2d) Forward(x *autograd.Var) *autograd.Var {
	y := autograd.Conv2D(x, c.Weight, c.Stride, c.Pad)
	if c.Bias != nil {
		y = autograd.BiasAdd(y, c.Bias)
	}
	return y
}

// BatchNorm2d is PyTorch's nn.BatchNorm2d (affine, tracking running stats).
type BatchNorm2d struct {
	Weight, Bias            *autograd.Var  // γ, β [C]
	RunningMean, RunningVar *tensor.Tensor // [C]
	NumBatchesTracked       int64
	Momentum, Eps           float32 // 0.1 and 1e-5, PyTorch's defaults
}

// NewBatchNorm2d makes a batch norm over c channels: γ=1, β=0, running
// mean 0 and variance 1.
func NewBatchNorm2d(be tensor.Backend, c int) *BatchNorm2d {
	ones := func() *tensor.Tensor { t := be.Empty(tensor.Float32, tensor.Shape{c}); be.Fill(t, 1); return t }
	zeros := func() *tensor.Tensor { t := be.Empty(tensor.Float32, tensor.Shape{c}); be.Fill(t, 0); return t }
	return &BatchNorm2d{
		Weight: autograd.Leaf(ones(), "weight"), Bias: autograd.Leaf(zeros(), "bias"),
		RunningMean: zeros(), RunningVar: ones(), Momentum: 0.1, Eps: 1e-5,
	}
}

func (b *BatchNorm2d) State(prefix string) []Entry {
	return []Entry{
		{Name: join(prefix, "weight"), Param: b.Weight},
		{Name: join(prefix, "bias"), Param: b.Bias},
		{Name: join(prefix, "running_mean"), Buffer: b.RunningMean},
		{Name: join(prefix, "running_var"), Buffer: b.RunningVar},
		{Name: join(prefix, "num_batches_tracked"), Counter: &b.NumBatchesTracked},
	}
}

// Forward normalises x [N,C,H,W] (or [N,C]). In training mode it uses the
// batch statistics and then updates the running ones:
//
//	running_mean = (1-m)·running_mean + m·mean
//	running_var  = (1-m)·running_var  + m·var·n/(n-1)   (unbiased, n = N·H·W)
func (b *BatchNorm2d) Forward(x *autograd.Var, train bool) *autograd.Var {
	return b.ForwardAct(x, nil, false, train)
}

// ForwardAct is relu(Forward(x) + res) as one fused op (res nil for none,
// relu off for none): the tail of a ResNet block.
func (b *BatchNorm2d) ForwardAct(x, res *autograd.Var, relu, train bool) *autograd.Var {
	y, st := autograd.BatchNormAct(x, b.Weight, b.Bias, res, b.RunningMean, b.RunningVar, b.Eps, train, relu)
	if train {
		be := x.Backend()
		m := b.Momentum
		be.Scale(b.RunningMean, b.RunningMean, 1-m, 0)
		be.Axpy(m, st.Mean, b.RunningMean)
		unbias := float32(1)
		if st.Count > 1 {
			unbias = float32(st.Count) / float32(st.Count-1)
		}
		be.Scale(b.RunningVar, b.RunningVar, 1-m, 0)
		be.Axpy(m*unbias, st.Var, b.RunningVar)
		b.NumBatchesTracked++
	}
	return y
}

// fusedEval reports whether a conv + batch norm pair may run as one
// backend op: evaluation mode without a graph (no gradient can be asked
// for) and a conv without bias.
func fusedEval(c *Conv2d, train bool) bool {
	return !train && !autograd.GradEnabled() && c.Bias == nil
}

// convBNEval is relu(bn(conv(x)) + res) (res nil for none, relu off for
// none) in evaluation mode, as one backend op (Conv2DForwardBN); only for
// fusedEval. It equals the layers run one by one up to rounding.
func convBNEval(c *Conv2d, b *BatchNorm2d, x, res *autograd.Var, relu bool) *autograd.Var {
	be := x.Backend()
	s := tensor.ConvShapeOf(x.Shape(), c.Weight.Shape(), c.Stride, c.Pad)
	y := be.Empty(tensor.Float32, s.YShape())
	act := tensor.BNAct{ReLU: relu}
	if res != nil {
		act.Res = res.Val
	}
	be.Conv2DForwardBN(y, x.Val, c.Weight.Val, b.Weight.Val, b.Bias.Val, b.RunningMean, b.RunningVar, s, b.Eps, act)
	return autograd.Const(y)
}

// Linear is PyTorch's nn.Linear: y = x Wᵀ + b.
type Linear struct {
	Weight *autograd.Var // [out,in]
	Bias   *autograd.Var // [out] or nil
}

// NewLinear makes a linear layer with PyTorch's default initialisation.
func NewLinear(be tensor.Backend, rng *rand.Rand, in, out int, bias bool) *Linear {
	bound := kaimingBound(in)
	l := &Linear{Weight: autograd.Leaf(uniform(be, rng, bound, out, in), "weight")}
	if bias {
		l.Bias = autograd.Leaf(uniform(be, rng, bound, out), "bias")
	}
	return l
}

func (l *Linear) State(prefix string) []Entry {
	es := []Entry{{Name: join(prefix, "weight"), Param: l.Weight}}
	if l.Bias != nil {
		es = append(es, Entry{Name: join(prefix, "bias"), Param: l.Bias})
	}
	return es
}

// Forward applies the layer to x [N,in].
func (l *Linear) Forward(x *autograd.Var) *autograd.Var {
	return autograd.Linear(x, l.Weight, l.Bias)
}
