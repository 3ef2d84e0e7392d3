package nn

import (
	"fmt"
	"math/rand/v2"

	"twostage/autograd"
	"twostage/tensor"
)

// BasicBlock is the CIFAR ResNet's two-conv residual block:
//
//	out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
//
// with a 1×1 strided conv + BN shortcut when the shape changes (state names
// shortcut.0 and shortcut.1, as PyTorch's nn.Sequential).
type BasicBlock struct {
	Conv1, Conv2 *Conv2d
	BN1, BN2     *BatchNorm2d
	ShortConv    *Conv2d      // nil for the identity shortcut
	ShortBN      *BatchNorm2d // nil for the identity shortcut
}

// NewBasicBlock makes a block from cin to cout channels with the given stride.
func NewBasicBlock(be tensor.Backend, rng *rand.Rand, cin, cout, stride int) *BasicBlock {
	b := &BasicBlock{
		Conv1: NewConv2d(be, rng, cin, cout, 3, stride, 1, false), BN1: NewBatchNorm2d(be, cout),
		Conv2: NewConv2d(be, rng, cout, cout, 3, 1, 1, false), BN2: NewBatchNorm2d(be, cout),
	}
	if stride != 1 || cin != cout {
		b.ShortConv = NewConv2d(be, rng, cin, cout, 1, stride, 0, false)
		b.ShortBN = NewBatchNorm2d(be, cout)
	}
	return b
}

func (b *BasicBlock) State(prefix string) []Entry {
	var es []Entry
	es = append(es, b.Conv1.State(join(prefix, "conv1"))...)
	es = append(es, b.BN1.State(join(prefix, "bn1"))...)
	es = append(es, b.Conv2.State(join(prefix, "conv2"))...)
	es = append(es, b.BN2.State(join(prefix, "bn2"))...)
	if b.ShortConv != nil {
		es = append(es, b.ShortConv.State(join(prefix, "shortcut.0"))...)
		es = append(es, b.ShortBN.State(join(prefix, "shortcut.1"))...)
	}
	return es
}

// Forward runs the block.
func (b *BasicBlock) Forward(x *autograd.Var, train bool) *autograd.Var {
	if fusedEval(b.Conv1, train) && fusedEval(b.Conv2, train) && (b.ShortConv == nil || fusedEval(b.ShortConv, train)) {
		out := convBNEval(b.Conv1, b.BN1, x, nil, true)
		sc := x
		if b.ShortConv != nil {
			sc = convBNEval(b.ShortConv, b.ShortBN, x, nil, false)
		}
		return convBNEval(b.Conv2, b.BN2, out, sc, true)
	}
	out := b.BN1.ForwardAct(b.Conv1.Forward(x), nil, true, train)
	sc := x
	if b.ShortConv != nil {
		sc = b.ShortBN.Forward(b.ShortConv.Forward(x), train)
	}
	return b.BN2.ForwardAct(b.Conv2.Forward(out), sc, true, train)
}

// Tower is one CIFAR ResNet18 trunk: a 3×3 stem conv + BN + ReLU, then four
// stages of two BasicBlocks with widths w·(1,2,4,8) and strides (1,2,2,2),
// then a 4×4 average pool, flattened. Its state names carry a suffix
// (“” or “_sobel”) after the top-level module names, as the reference's
// conv1_sobel / layer1_sobel.0.conv1.weight.
type Tower struct {
	Suffix string
	Conv1  *Conv2d
	BN1    *BatchNorm2d
	Layers [4][2]*BasicBlock
}

// NewTower makes a tower for cin input channels and base width w.
func NewTower(be tensor.Backend, rng *rand.Rand, cin, w int, suffix string) *Tower {
	t := &Tower{Suffix: suffix, Conv1: NewConv2d(be, rng, cin, w, 3, 1, 1, false), BN1: NewBatchNorm2d(be, w)}
	c := w
	for li, st := range []int{1, 2, 2, 2} {
		wout := w << li
		t.Layers[li][0] = NewBasicBlock(be, rng, c, wout, st)
		t.Layers[li][1] = NewBasicBlock(be, rng, wout, wout, 1)
		c = wout
	}
	return t
}

func (t *Tower) State(prefix string) []Entry {
	var es []Entry
	es = append(es, t.Conv1.State(join(prefix, "conv1"+t.Suffix))...)
	es = append(es, t.BN1.State(join(prefix, "bn1"+t.Suffix))...)
	for li := range t.Layers {
		for bi, b := range t.Layers[li] {
			es = append(es, b.State(join(prefix, fmt.Sprintf("layer%d%s.%d", li+1, t.Suffix, bi)))...)
		}
	}
	return es
}

// Forward returns the pooled features [N, 8w·(H/32)·(W/32)] (8w for 32×32
// and 28×28 inputs).
func (t *Tower) Forward(x *autograd.Var, train bool) *autograd.Var {
	var out *autograd.Var
	if fusedEval(t.Conv1, train) {
		out = convBNEval(t.Conv1, t.BN1, x, nil, true)
	} else {
		out = t.BN1.ForwardAct(t.Conv1.Forward(x), nil, true, train)
	}
	for li := range t.Layers {
		for _, b := range t.Layers[li] {
			out = b.Forward(out, train)
		}
	}
	out = autograd.AvgPool2D(out, 4)
	return autograd.Reshape(out, out.Shape()[0], -1)
}
