package nn

import (
	"math"

	"twostage/autograd"
	"twostage/tensor"
)

// SGD is torch.optim.SGD with momentum, Nesterov and weight decay
// (dampening 0). For each parameter p with gradient g:
//
//	g   = g + weight_decay·p
//	buf = g                      (first step)
//	buf = momentum·buf + g       (later steps)
//	p  -= lr·(g + momentum·buf)  (nesterov) or lr·buf
type SGD struct {
	Params      []*autograd.Var
	LR          float32
	Momentum    float32
	WeightDecay float32
	Nesterov    bool

	// Buf holds the momentum buffers, one per parameter. They are
	// allocated up front (so a step inside a backend scope allocates
	// nothing that must outlive it) and start holding data at the
	// parameter's first step (Started), as PyTorch's optimizer state.
	Buf     []*tensor.Tensor
	Started []bool
}

// NewSGD makes an optimiser over params.
func NewSGD(params []*autograd.Var, lr, momentum, weightDecay float32, nesterov bool) *SGD {
	o := &SGD{Params: params, LR: lr, Momentum: momentum, WeightDecay: weightDecay, Nesterov: nesterov,
		Buf: make([]*tensor.Tensor, len(params)), Started: make([]bool, len(params))}
	for i, p := range params {
		o.Buf[i] = p.Backend().Zeros(tensor.Float32, p.Shape())
	}
	return o
}

// Step updates every parameter that has a gradient, as PyTorch skips
// parameters whose .grad is None.
func (o *SGD) Step() {
	for i, p := range o.Params {
		if !p.HasGrad() {
			continue
		}
		first := !o.Started[i]
		p.Backend().SGDStep(p.Val, p.Grad(), o.Buf[i], o.LR, o.Momentum, o.WeightDecay, o.Nesterov, first || o.Momentum == 0)
		o.Started[i] = true
	}
}

// ZeroGrad zeroes every parameter's gradient, allocating it if needed (so
// that backward passes inside a backend scope add into gradients that
// outlive the scope).
func (o *SGD) ZeroGrad() {
	for _, p := range o.Params {
		if p.HasGrad() {
			p.ZeroGrad()
		} else {
			p.Grad()
		}
	}
}

// Schedule is the reference's step schedule: the base rate until epoch
// DecayStart, then ×0.1 every DecayEvery epochs counted from DecayStart:
//
//	lr(epoch) = base                                      epoch < DecayStart
//	lr(epoch) = base · 0.1^⌊(epoch−DecayStart)/DecayEvery⌋ otherwise
//
// With the reference's 80 and 40 the first drop lands at epoch 120 (epochs
// 80..119 keep 0.1^0): the code, not the paper's prose.
type Schedule struct {
	Base       float64
	DecayStart int // 80 in the reference
	DecayEvery int // 40 in the reference
}

// At returns the learning rate of a (0-based) epoch.
func (s Schedule) At(epoch int) float64 {
	if epoch < s.DecayStart {
		return s.Base
	}
	every := s.DecayEvery
	if every < 1 {
		every = 1
	}
	return s.Base * math.Pow(0.1, float64((epoch-s.DecayStart)/every))
}
