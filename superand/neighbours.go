package superand

import (
	"sort"

	"twostage/autograd"
	"twostage/tensor"
)

// Discovery is the result of one round of anchor-neighbourhood discovery.
type Discovery struct {
	Entropy []float32 // [M] entropy of each bank row's softmax over the bank
	Anchors []int64   // the selected rows, in ascending entropy
	*Neighbourhoods
}

// Discover selects anchors for round r (r ≥ 1): the entropy of
// softmax(Bank·Bankᵀ/T) of every row (itself included), the
// ⌊M·selectRate·r⌋ lowest-entropy rows become anchors (ascending entropy),
// and each gets its ansSize most similar rows by cosine similarity, itself
// excluded. The similarity rows are processed in blocks of `block` rows to
// bound memory (M×block floats).
func Discover(mem *Memory, round int, selectRate float64, ansSize, block int) *Discovery {
	bank := mem.Bank
	be := bank.Backend()
	m := bank.Dim(0)
	if block <= 0 {
		block = 1000
	}
	ent := make([]float32, m)
	autograd.NoGrad(func() {
		for s := 0; s < m; s += block {
			be.BeginScope()
			n := min(block, m-s)
			rows := bankRows(bank, s, n)
			logits := be.Empty(tensor.Float32, tensor.Shape{n, m})
			be.Gemm(false, true, 1/mem.T, rows, bank, 0, logits)
			ds := tensor.DimShapeOf(logits.Shape(), 1)
			p := be.Empty(tensor.Float32, logits.Shape())
			lp := be.Empty(tensor.Float32, logits.Shape())
			be.SoftmaxForward(p, logits, ds, false)
			// entropy = −Σ p·log p with log p taken of the softmax, as the
			// reference's p.log() (an underflowed p gives 0·−inf = NaN there too).
			be.Unary(tensor.Log, lp, p)
			be.Binary(tensor.Mul, lp, p, lp)
			e := be.Empty(tensor.Float32, tensor.Shape{n})
			be.Sum(e, lp, ds, false)
			copy(ent[s:], e.Float32s())
			be.EndScope()
		}
	})
	for i := range ent {
		ent[i] = -ent[i]
	}
	nA := int(float64(m) * selectRate * float64(round))
	if nA > m {
		nA = m
	}
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	// torch.topk(largest=False) on the CPU returns ties in index order.
	sort.SliceStable(order, func(a, b int) bool { return lessNaN(ent[order[a]], ent[order[b]]) })
	d := &Discovery{Entropy: ent, Anchors: make([]int64, nA), Neighbourhoods: &Neighbourhoods{Position: make([]int64, m)}}
	isAnchor := make([]bool, m)
	for r := 0; r < nA; r++ {
		d.Anchors[r] = int64(order[r])
		isAnchor[order[r]] = true
		d.Position[order[r]] = int64(r)
	}
	inst := int64(0)
	for i := 0; i < m; i++ {
		if !isAnchor[i] {
			inst--
			d.Position[i] = inst
		}
	}
	d.Neighbours = make([][]int64, nA)
	if nA == 0 {
		return d
	}
	autograd.NoGrad(func() {
		for s := 0; s < nA; s += block {
			be.BeginScope()
			n := min(block, nA-s)
			idx := tensor.FromInt64(be, tensor.Shape{n}, d.Anchors[s:s+n])
			rows := be.Empty(tensor.Float32, tensor.Shape{n, bank.Dim(1)})
			be.IndexSelect(rows, bank, idx)
			sims := be.Empty(tensor.Float32, tensor.Shape{n, m})
			be.Gemm(false, true, 1, rows, bank, 0, sims)
			// sims[a, anchor a] = −1: the anchor is not its own neighbour.
			col := make([]int64, n)
			copy(col, d.Anchors[s:s+n])
			cols := tensor.FromInt64(be, tensor.Shape{n, 1}, col)
			self := be.Empty(tensor.Float32, tensor.Shape{n, 1})
			be.Gather(self, sims, cols)
			be.Scale(self, self, -1, -1) // −1 − s: adding it sets the entry to −1
			be.ScatterAdd(sims, cols, self)
			_, nidx := autograd.TopK(sims, ansSize)
			h := nidx.Int64s()
			for r := 0; r < n; r++ {
				d.Neighbours[s+r] = h[r*ansSize : (r+1)*ansSize]
			}
			be.EndScope()
		}
	})
	return d
}

// lessNaN orders floats ascending with NaN last, as torch.topk.
func lessNaN(a, b float32) bool {
	if a != a {
		return false
	}
	if b != b {
		return true
	}
	return a < b
}

// bankRows copies rows [s, s+n) of a 2-D tensor.
func bankRows(bank *tensor.Tensor, s, n int) *tensor.Tensor {
	be := bank.Backend()
	d := bank.Dim(1)
	out := be.Empty(tensor.Float32, tensor.Shape{n, d})
	be.SliceCopy(out, n, 0, bank, bank.Dim(0), s, n, 1, d, false)
	return out
}
