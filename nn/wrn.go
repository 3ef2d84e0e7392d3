package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"twostage/autograd"
	"twostage/tensor"
)

// WideResNet-28-2, the network of the semi-supervised literature (Oliver et
// al. 2018, "Realistic Evaluation of Deep Semi-Supervised Learning
// Algorithms"; Mean Teacher, MixMatch, FixMatch) and of the paper's Table 4.
//
// The layout follows xternalz/WideResNet-pytorch's wideresnet.py (the
// PyTorch port of Zagoruyko & Komodakis's WRN that the SSL ports build on,
// e.g. microsoft/Semi-supervised-learning semilearn/nets/wrn/wrn.py) with
// the SSL literature's LeakyReLU(0.1) in place of ReLU and convolutions
// without bias, which gives the literature's 1,467,610 parameters with a
// 10-class fc:
//
//	conv1 3×3, 16                                   (the stem)
//	block1: 4 WRNBlocks to 16k = 32 channels,  stride 1
//	block2: 4 WRNBlocks to 32k = 64 channels,  stride 2 (first block)
//	block3: 4 WRNBlocks to 64k = 128 channels, stride 2 (first block)
//	bn1, LeakyReLU(0.1), global average pool → [N, 128]
//
// with depth 28 = 6·4 + 4 and widen factor k = 2. State names are that
// module's state_dict names (conv1.weight, block1.layer.0.bn1.weight,
// block2.layer.0.convShortcut.weight, bn1.running_var, ...).
//
// Two choices differ from some ports and are deliberate:
//   - The block of a channel change applies bn1 + LeakyReLU to its input and
//     feeds the result to both conv1 and the 1×1 shortcut, in every group
//     (xternalz's and semilearn's form). The MixMatch/FixMatch PyTorch ports'
//     activate_before_residual=False blocks instead feed conv1 the raw input
//     and leave that block's bn1 unused (no gradient), a known quirk of those
//     ports.
//   - BatchNorm keeps PyTorch's defaults (momentum 0.1, eps 1e-5), not the
//     ports' TF-derived momentum 0.001 (decay 0.999) and eps 0.001: the
//     reduced schedules here run a few hundred steps, after which running
//     statistics at momentum 0.001 would still be mostly their initial
//     values and evaluation-mode outputs meaningless.
//
// Initialisation is the references': convolutions kaiming-normal with
// fan_out (std √(2/(K·R·S))), BN γ=1 β=0.
type WideResNet struct {
	Conv1  *Conv2d
	Groups [3][]*WRNBlock // block1..block3
	BN1    *BatchNorm2d   // the final BN before the pool
	Slope  float32        // LeakyReLU negative slope (0.1)
}

// WRNBlock is one pre-activation basic block:
//
//	a   = lrelu(bn1(x))
//	out = conv2(lrelu(bn2(conv1(a))))
//	y   = out + x               (same channels: the identity shortcut)
//	y   = out + convShortcut(a) (a channel change: 1×1 conv, the block's stride)
type WRNBlock struct {
	BN1, BN2     *BatchNorm2d
	Conv1, Conv2 *Conv2d
	Shortcut     *Conv2d // nil for the identity shortcut
}

// WRN28_2Features is the length of WRN-28-2's pooled feature (64·k, k = 2).
const WRN28_2Features = 128

// NewWideResNet builds a WRN-depth-k for cin input channels.
// depth must be 6n+4 (n blocks per group).
func NewWideResNet(be tensor.Backend, rng *rand.Rand, cin, depth, k int) *WideResNet {
	if depth < 10 || (depth-4)%6 != 0 || k < 1 {
		panic("nn: wide resnet: depth must be 6n+4 (n ≥ 1) and k ≥ 1")
	}
	n := (depth - 4) / 6
	w := &WideResNet{Conv1: wrnConv(be, rng, cin, 16, 3, 1, 1), Slope: 0.1}
	c := 16
	for g, st := range []int{1, 2, 2} {
		cout := (16 << g) * k
		for i := 0; i < n; i++ {
			stride := 1
			if i == 0 {
				stride = st
			}
			w.Groups[g] = append(w.Groups[g], newWRNBlock(be, rng, c, cout, stride))
			c = cout
		}
	}
	w.BN1 = NewBatchNorm2d(be, c)
	return w
}

func newWRNBlock(be tensor.Backend, rng *rand.Rand, cin, cout, stride int) *WRNBlock {
	b := &WRNBlock{
		BN1: NewBatchNorm2d(be, cin), Conv1: wrnConv(be, rng, cin, cout, 3, stride, 1),
		BN2: NewBatchNorm2d(be, cout), Conv2: wrnConv(be, rng, cout, cout, 3, 1, 1),
	}
	if cin != cout {
		b.Shortcut = wrnConv(be, rng, cin, cout, 1, stride, 0)
	}
	return b
}

// wrnConv is a bias-free k×k conv initialised kaiming-normal with fan_out
// (nn.init.kaiming_normal_(w, mode='fan_out'), gain √2).
func wrnConv(be tensor.Backend, rng *rand.Rand, cin, cout, k, stride, pad int) *Conv2d {
	std := math.Sqrt(2 / float64(cout*k*k))
	h := make([]float32, cout*cin*k*k)
	for i := range h {
		h[i] = float32(rng.NormFloat64() * std)
	}
	w := tensor.FromFloat32(be, tensor.Shape{cout, cin, k, k}, h)
	return &Conv2d{Weight: autograd.Leaf(w, "weight"), Stride: stride, Pad: pad}
}

// Features is the length of the pooled output.
func (w *WideResNet) Features() int { return w.BN1.Weight.Shape()[0] }

func (w *WideResNet) State(prefix string) []Entry {
	var es []Entry
	es = append(es, w.Conv1.State(join(prefix, "conv1"))...)
	for g := range w.Groups {
		for i, b := range w.Groups[g] {
			es = append(es, b.State(join(prefix, fmt.Sprintf("block%d.layer.%d", g+1, i)))...)
		}
	}
	es = append(es, w.BN1.State(join(prefix, "bn1"))...)
	return es
}

// State lists the block's entries in the reference's registration order
// (bn1, conv1, bn2, conv2, convShortcut).
func (b *WRNBlock) State(prefix string) []Entry {
	var es []Entry
	es = append(es, b.BN1.State(join(prefix, "bn1"))...)
	es = append(es, b.Conv1.State(join(prefix, "conv1"))...)
	es = append(es, b.BN2.State(join(prefix, "bn2"))...)
	es = append(es, b.Conv2.State(join(prefix, "conv2"))...)
	if b.Shortcut != nil {
		es = append(es, b.Shortcut.State(join(prefix, "convShortcut"))...)
	}
	return es
}

// Forward runs the block on x [N,Cin,H,W].
func (b *WRNBlock) Forward(x *autograd.Var, slope float32, train bool) *autograd.Var {
	a := LeakyReLU(b.BN1.Forward(x, train), slope)
	out := b.Conv2.Forward(LeakyReLU(b.BN2.Forward(b.Conv1.Forward(a), train), slope))
	if b.Shortcut != nil {
		return autograd.Add(out, b.Shortcut.Forward(a))
	}
	return autograd.Add(out, x)
}

// Forward returns the pooled features [N, Features()] of x [N,C,S,S] (square
// images; any side: the pool covers the whole last map).
func (w *WideResNet) Forward(x *autograd.Var, train bool) *autograd.Var {
	out := w.Conv1.Forward(x)
	for g := range w.Groups {
		for _, b := range w.Groups[g] {
			out = b.Forward(out, w.Slope, train)
		}
	}
	out = LeakyReLU(w.BN1.Forward(out, train), w.Slope)
	s := out.Shape()
	if s[2] != s[3] {
		panic("nn: wide resnet: the global pool needs a square map")
	}
	out = autograd.AvgPool2D(out, s[2])
	return autograd.Reshape(out, s[0], s[1])
}

// LeakyReLU is max(x,0) + slope·min(x,0) (PyTorch's leaky_relu), composed
// as r + slope·(x − r) with r = relu(x): exact like PyTorch's (x for x > 0,
// slope·x otherwise, where (1−slope)·r + slope·x would round), with the
// gradient 1 for x > 0 and slope for x ≤ 0, as PyTorch's. Four elementwise
// passes instead of one fused op: the convolutions around it dominate.
func LeakyReLU(x *autograd.Var, slope float32) *autograd.Var {
	r := autograd.ReLU(x)
	return autograd.Add(r, autograd.Scale(autograd.Sub(x, r), slope))
}
