package stage2

import (
	"fmt"
	"math/rand/v2"

	"twostage/autograd"
	"twostage/nn"
	"twostage/tensor"
)

// Heads are the normalised-FC classifiers: each a fixed matrix Ŵ_h [D,C],
// y_h = softmax(v·Ŵ_h/τc). They are constants: not trained, not decayed.
//
// Which axis is normalised is Dim, the dimension of the [D,C] weight that
// is summed over:
//   - NormRows (1, the default): each of the D feature rows is a unit vector
//     across the C classes, as the authors' code computes it (_Head_fc in
//     models/resnet_cifar.py applies lib/normalize.py's Normalize(2), which
//     sums over dim 1). The class columns then have norm ≈ √(D/C).
//   - NormCols (0): each class column is a unit vector (a prototype), the
//     paper's Eq. 13.
type Heads struct {
	W   []*tensor.Tensor // raw weights [D,C], drawn N(0,1) (the state)
	Hat []*autograd.Var  // normalised along Dim, as constants
	Tau float32
	Dim int // NormRows or NormCols
}

// The two normalisation axes of the heads' [D,C] weights.
const (
	NormCols = 0 // the paper's Eq. 13: unit class columns
	NormRows = 1 // the authors' code: unit feature rows
)

// HeadNormDim maps --head_norm to a dimension: "rows" → NormRows, "cols" → NormCols.
func HeadNormDim(name string) (int, error) {
	switch name {
	case "rows":
		return NormRows, nil
	case "cols":
		return NormCols, nil
	}
	return 0, fmt.Errorf("--head_norm %q: must be rows (the authors' code) or cols (the paper's Eq. 13)", name)
}

// NewHeads draws n heads of D×C standard normal weights and normalises
// them along dim (NormRows or NormCols).
func NewHeads(be tensor.Backend, rng *rand.Rand, n, d, c int, tau float32, dim int) *Heads {
	h := &Heads{Tau: tau, Dim: dim}
	for i := 0; i < n; i++ {
		w := make([]float32, d*c)
		for j := range w {
			w[j] = float32(rng.NormFloat64())
		}
		h.W = append(h.W, tensor.FromFloat32(be, tensor.Shape{d, c}, w))
	}
	h.Normalise()
	return h
}

// Normalise recomputes Hat from W (after W is loaded from a checkpoint):
// Ŵ = W / ‖W‖ summed along dimension h.Dim, no epsilon.
func (h *Heads) Normalise() {
	h.Hat = h.Hat[:0]
	for _, w := range h.W {
		var hat *autograd.Var
		autograd.NoGrad(func() { hat = autograd.L2Normalize(autograd.Const(w), h.Dim) })
		h.Hat = append(h.Hat, autograd.Const(hat.Val))
	}
}

// State names the raw weights "heads.<h>.weight" for checkpoints.
func (h *Heads) State(prefix string) []nn.Entry {
	var es []nn.Entry
	for i, w := range h.W {
		es = append(es, nn.Entry{Name: prefix + "heads." + itoa(i) + ".weight", Buffer: w})
	}
	return es
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// Logits returns v·Ŵ_h (before the temperature) for head h: the scores whose
// argmax is the cluster.
func (h *Heads) Logits(v *autograd.Var, head int) *autograd.Var {
	return autograd.MatMul(v, h.Hat[head], false, false)
}

// Probs returns softmax(v·Ŵ_h/τc) [N,C] for head h.
func (h *Heads) Probs(v *autograd.Var, head int) *autograd.Var {
	return autograd.Softmax(autograd.Scale(h.Logits(v, head), 1/h.Tau), 1)
}
