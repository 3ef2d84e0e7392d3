package superand

import (
	"twostage/autograd"
	"twostage/nn"
	"twostage/tensor"
)

// Neighbourhoods is the state of anchor-neighbourhood discovery, kept on
// the host (it changes once per round).
//
//	Position[i] ≥ 0: image i is anchor number Position[i];
//	Position[i] < 0: image i is an instance (−1 − its rank among instances).
//	Neighbours[a]: the ANsSize nearest neighbours of anchor a.
type Neighbourhoods struct {
	Position   []int64   // [M]
	Neighbours [][]int64 // [anchors][ANsSize]
}

// NoNeighbourhoods is round 0's state: every image an instance.
func NoNeighbourhoods(m int) *Neighbourhoods {
	p := make([]int64, m)
	for i := range p {
		p[i] = -int64(i) - 1
	}
	return &Neighbourhoods{Position: p}
}

// SandLoss is the Super-AND criterion on the NPC logits [2B,M] of both views
// of the images y (dataset indexes, [B]):
//
//	AND:  instances i: −log p(y_i);  anchors a: −log(p(y_a) + Σ_{n∈N(a)} p(n))
//	      for each view's softmax p over the bank, summed and divided by 2B;
//	+ AugLoss(normalise(logits), negM, T).
func SandLoss(logits *autograd.Var, y []int64, nb *Neighbourhoods, negM, T float32) *autograd.Var {
	and, aug := SandLossParts(logits, y, nb, negM, T)
	return autograd.Add(and, aug)
}

// SandLossParts returns the two terms of SandLoss: the AND loss and the
// augmentation loss.
func SandLossParts(logits *autograd.Var, y []int64, nb *Neighbourhoods, negM, T float32) (and, aug *autograd.Var) {
	be := logits.Backend()
	n := logits.Shape()[0]
	b := n / 2
	var insRows, insCols, ancRows []int64
	var ancCols []int64
	k := 0
	for i, yi := range y {
		pos := nb.Position[yi]
		if pos < 0 {
			insRows = append(insRows, int64(i))
			insCols = append(insCols, yi)
			continue
		}
		ancRows = append(ancRows, int64(i))
		ns := nb.Neighbours[pos]
		k = len(ns)
		ancCols = append(ancCols, yi)
		ancCols = append(ancCols, ns...)
	}
	var l *autograd.Var
	acc := func(t *autograd.Var) {
		if l == nil {
			l = t
		} else {
			l = autograd.Add(l, t)
		}
	}
	for v := 0; v < 2; v++ {
		p := autograd.Softmax(autograd.Narrow(logits, 0, v*b, b), 1)
		if len(insRows) > 0 {
			rows := tensor.FromInt64(be, tensor.Shape{len(insRows)}, insRows)
			cols := tensor.FromInt64(be, tensor.Shape{len(insRows), 1}, insCols)
			acc(autograd.SumAll(autograd.Log(autograd.Gather(autograd.IndexSelect(p, rows), cols))))
		}
		if len(ancRows) > 0 {
			rows := tensor.FromInt64(be, tensor.Shape{len(ancRows)}, ancRows)
			cols := tensor.FromInt64(be, tensor.Shape{len(ancRows), 1 + k}, ancCols)
			g := autograd.Gather(autograd.IndexSelect(p, rows), cols)
			acc(autograd.SumAll(autograd.Log(autograd.Sum(g, 1))))
		}
	}
	return autograd.Scale(l, -1/float32(n)), nn.AugLoss(autograd.L2Normalize(logits, 1), negM, T)
}

// UELoss is the unification-entropy term as the reference trains with it:
// the entries [i, y_i] and [B+i, y_i] are set to −10 (no gradient through
// them), then −Σ softmax·log_softmax / 2B over the rows of the logits [2B,M].
func UELoss(logits *autograd.Var, y []int64) *autograd.Var {
	be := logits.Backend()
	s := logits.Shape()
	n := s[0]
	b := n / 2
	// mask[r, y_r mod B] = 1, built on the backend (no n×m host buffer).
	cols := make([]int64, n)
	ones := make([]float32, n)
	for i, yi := range y {
		cols[i], cols[b+i] = yi, yi
		ones[i], ones[b+i] = 1, 1
	}
	mask := be.Zeros(tensor.Float32, s)
	be.ScatterAdd(mask, tensor.FromInt64(be, tensor.Shape{n, 1}, cols), tensor.FromFloat32(be, tensor.Shape{n, 1}, ones))
	x := autograd.MaskedFill(logits, mask, -10)
	ent := autograd.SumAll(autograd.Mul(autograd.Softmax(x, 1), autograd.LogSoftmax(x, 1)))
	return autograd.Scale(ent, -1/float32(n))
}
