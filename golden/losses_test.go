package golden_test

// Checkers for the two stages' losses and the memory bank ops.

import (
	"fmt"

	"twostage/autograd"
	"twostage/golden"
	"twostage/nn"
	"twostage/stage2"
	"twostage/superand"
	"twostage/tensor"
)

func init() {
	register("npc", checkNPC)
	register("ans_discovery", checkANs)
	register("sand_loss", checkSand)
	register("ue_loss", checkUE)
	register("cp_loss", checkCP)
	register("iic_loss", checkIIC)
	register("normfc", checkNormFC)
}

func ints(c *golden.Case, name string) ([]int64, error) {
	t, err := c.Want("inputs", name)
	if err != nil {
		return nil, err
	}
	if t.DType != "int64" {
		return nil, fmt.Errorf("inputs.%s: want int64, file has %s", name, t.DType)
	}
	return t.I64, nil
}

func checkNPC(c *golden.Case) error {
	T, e1 := c.Float("T")
	m, e2 := c.Float("momentum")
	x, e3 := in(c, "x")
	y, e4 := in(c, "y")
	bank, e5 := in(c, "memory")
	if err := firstErr(e1, e2, e3, e4, e5); err != nil {
		return err
	}
	mem := &superand.Memory{Bank: bank, T: float32(T), Momentum: float32(m)}
	xv := autograd.Leaf(x, "x")
	out := mem.Logits(xv)
	if err := firstErr(c.CheckF32("outputs", "out", out.Val.Float32s()), backward(c, "out", out),
		checkGrads(c, map[string]*autograd.Var{"x": xv})); err != nil {
		return err
	}
	mem.Update(x, y)
	return c.CheckF32("after", "memory", bank.Float32s())
}

func checkANs(c *golden.Case) error {
	T, e1 := c.Float("T")
	round, e2 := c.Int("round")
	rate, e3 := c.Float("select_rate")
	size, e4 := c.Int("ans_size")
	bank, e5 := in(c, "memory")
	if err := firstErr(e1, e2, e3, e4, e5); err != nil {
		return err
	}
	// a block smaller than the bank exercises the blocked path
	d := superand.Discover(&superand.Memory{Bank: bank, T: float32(T)}, round, rate, size, 7)
	var neigh []int64
	for _, n := range d.Neighbours {
		neigh = append(neigh, n...)
	}
	return firstErr(c.CheckF32("outputs", "entropy", d.Entropy), c.CheckI64("outputs", "anchor_indexes", d.Anchors),
		c.CheckI64("outputs", "neighbours", neigh), c.CheckI64("outputs", "position", d.Position))
}

func checkSand(c *golden.Case) error {
	negM, e1 := c.Float("negM")
	T, e2 := c.Float("T")
	vs, e3 := leaves(c, "logits")
	y, e4 := ints(c, "y")
	pos, e5 := ints(c, "position")
	nt, e6 := c.Want("inputs", "neighbours")
	if err := firstErr(e1, e2, e3, e4, e5, e6); err != nil {
		return err
	}
	k := nt.Shape[1]
	nb := &superand.Neighbourhoods{Position: pos}
	for a := 0; a < nt.Shape[0]; a++ {
		nb.Neighbours = append(nb.Neighbours, nt.I64[a*k:(a+1)*k])
	}
	loss := superand.SandLoss(vs["logits"], y, nb, float32(negM), float32(T))
	return firstErr(c.CheckF32("outputs", "loss", loss.Val.Float32s()), backward(c, "loss", loss), checkGrads(c, vs))
}

func checkUE(c *golden.Case) error {
	vs, e1 := leaves(c, "logits")
	y, e2 := ints(c, "y")
	if err := firstErr(e1, e2); err != nil {
		return err
	}
	loss := superand.UELoss(vs["logits"], y)
	return firstErr(c.CheckF32("outputs", "loss", loss.Val.Float32s()), backward(c, "loss", loss), checkGrads(c, vs))
}

func checkCP(c *golden.Case) error {
	negM, e1 := c.Float("negM")
	T, e2 := c.Float("T")
	vs, e3 := leaves(c, "x")
	if err := firstErr(e1, e2, e3); err != nil {
		return err
	}
	loss := nn.AugLoss(vs["x"], float32(negM), float32(T))
	return firstErr(c.CheckF32("outputs", "loss", loss.Val.Float32s()), backward(c, "loss", loss), checkGrads(c, vs))
}

func checkIIC(c *golden.Case) error {
	vs, err := leaves(c, "z1", "z2")
	if err != nil {
		return err
	}
	loss := stage2.IICLoss(vs["z1"], vs["z2"])
	return firstErr(c.CheckF32("outputs", "loss", loss.Val.Float32s()), backward(c, "loss", loss), checkGrads(c, vs))
}

func checkNormFC(c *golden.Case) error {
	T, e1 := c.Float("T")
	heads, e2 := c.Int("heads")
	vs, e3 := leaves(c, "x")
	if err := firstErr(e1, e2, e3); err != nil {
		return err
	}
	// norm_dim is the weight dimension that is L2-normalised: 0 = each class
	// column (the paper's Eq. 13), 1 = each feature row (the authors' code).
	// Cases written before the attribute existed normalised columns.
	dim := stage2.NormCols
	if _, ok := c.Attrs["norm_dim"]; ok {
		d, err := c.Int("norm_dim")
		if err != nil {
			return err
		}
		if d != stage2.NormCols && d != stage2.NormRows {
			return fmt.Errorf("attrs.norm_dim: %d, want 0 or 1", d)
		}
		dim = d
	}
	h := &stage2.Heads{Tau: float32(T), Dim: dim}
	for i := 0; i < heads; i++ {
		w, err := in(c, fmt.Sprintf("weight_%d", i))
		if err != nil {
			return err
		}
		h.W = append(h.W, w)
	}
	h.Normalise()
	// One backward through Σ_h ⟨y_h, g_h⟩ gives the case's summed gradient.
	var total *autograd.Var
	for i := 0; i < heads; i++ {
		y := h.Probs(vs["x"], i)
		name := fmt.Sprintf("y_%d", i)
		if err := c.CheckF32("outputs", name, y.Val.Float32s()); err != nil {
			return err
		}
		gt, err := c.Want("grad_outputs", name)
		if err != nil {
			return err
		}
		dot := autograd.SumAll(autograd.Mul(y, autograd.Const(tensor.FromFloat32(cpu, tensor.Shape(gt.Shape), gt.F32))))
		if total == nil {
			total = dot
		} else {
			total = autograd.Add(total, dot)
		}
	}
	total.Backward()
	return checkGrads(c, vs)
}
