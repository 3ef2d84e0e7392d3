package finetune

import (
	"math/rand/v2"
	"strings"

	"twostage/autograd"
	"twostage/nn"
	"twostage/tensor"
)

// Model is the fine-tuned network: the encoder's trunk and a linear
// classifier on its pooled feature,
//
//	logits = fc(trunk(x))     trunk(x) [N,F], fc: F → classes
//
// where trunk is what the encoder feeds its embedding head: the two towers'
// pooled features concatenated for resnet18 (F = 2·8·width·side²), the
// WideResNet's 128 pooled features for wrn28_2, so that from scratch the
// wrn28_2 model is the semi-supervised literature's WRN-28-2 (Oliver et al.
// 2018), whose numbers are Table 4's from-scratch rows. The encoder's
// embedding head (Encoder.Linear, "linear.*") is kept in the state, so a
// checkpoint of this model still loads as an encoder, but not trained.
type Model struct {
	Enc *nn.Encoder
	FC  *nn.Linear // "fc.weight" [classes,F], "fc.bias" [classes]
}

// NewModel builds the encoder of cfg for images of c channels and side size
// and the classifier with PyTorch's default initialisation, from rng.
func NewModel(be tensor.Backend, rng *rand.Rand, ecfg nn.EncoderConfig, classes int) *Model {
	enc := nn.NewEncoder(be, rng, ecfg)
	f := enc.Linear.Weight.Shape()[1]
	return &Model{Enc: enc, FC: nn.NewLinear(be, rng, f, classes, true)}
}

// State lists the encoder's entries, then "fc.weight" and "fc.bias".
func (m *Model) State(prefix string) []nn.Entry {
	es := m.Enc.State(prefix)
	return append(es, m.FC.State(join(prefix, "fc"))...)
}

// Trained are the entries the optimiser updates: every parameter but the
// unused embedding head's, in state order.
func (m *Model) Trained() (params []*autograd.Var, names []string) {
	for _, e := range m.State("") {
		if e.Param != nil && !strings.HasPrefix(e.Name, "linear.") {
			params, names = append(params, e.Param), append(names, e.Name)
		}
	}
	return params, names
}

// Features is the trunk's pooled feature [N,F] of x [N,C,S,S].
func (m *Model) Features(x *autograd.Var, train bool) *autograd.Var {
	e := m.Enc
	if e.WRN != nil {
		return e.WRN.Forward(x, train)
	}
	return autograd.Concat(1, e.Image.Forward(x, train), e.Sobel.Forward(e.Sob.Forward(x), train))
}

// Forward returns the logits [N,classes] of x.
func (m *Model) Forward(x *autograd.Var, train bool) *autograd.Var {
	return m.FC.Forward(m.Features(x, train))
}

// CopyFrom sets every parameter, buffer and counter of m to src's (the
// same architecture): the teacher's start.
func (m *Model) CopyFrom(src *Model) {
	dst, from := m.State(""), src.State("")
	for i, e := range dst {
		if e.Counter != nil {
			*e.Counter = *from[i].Counter
			continue
		}
		e.Tensor().Backend().Copy(e.Tensor(), from[i].Tensor())
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
