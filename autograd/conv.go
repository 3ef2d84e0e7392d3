package autograd

import "twostage/tensor"

// Conv2D returns the cross-correlation x [N,C,H,W] ⋆ w [K,C,R,S] with the
// given stride and zero padding (PyTorch's conv2d, no bias; add one with
// BiasAdd).
func Conv2D(x, w *Var, stride, pad int) *Var {
	be := sameBackend("conv2d", x, w)
	s := tensor.ConvShapeOf(x.Shape(), w.Shape(), stride, pad)
	y := empty(be, s.YShape())
	be.Conv2DForward(y, x.Val, w.Val, s)
	out := newVar(y, x, w)
	out.backward = func() {
		if needs(x) {
			dx, fresh := x.gradSlot()
			be.Conv2DBackwardData(dx, out.grad, w.Val, s, !fresh)
		}
		if needs(w) {
			be.Conv2DBackwardFilter(w.Grad(), out.grad, x.Val, s)
		}
	}
	return out
}

// AvgPool2D averages k×k windows with stride k (PyTorch's avg_pool2d(x, k)).
func AvgPool2D(x *Var, k int) *Var {
	be := x.Backend()
	s := tensor.PoolShapeOf(x.Shape(), k)
	y := empty(be, tensor.Shape{s.N, s.C, s.OH, s.OW})
	be.AvgPool2DForward(y, x.Val, s)
	out := newVar(y, x)
	out.backward = func() { be.AvgPool2DBackward(x.Grad(), out.grad, s) }
	return out
}

// BatchNormStats are the batch statistics a training-mode BatchNorm computed:
// per-channel mean and biased variance, for the running-stat update.
type BatchNormStats struct {
	Mean, Var *tensor.Tensor // [C]
	Count     int            // values per channel (N*H*W)
}

// BatchNorm normalises x [N,C,H,W] (or [N,C]) per channel.
//
// Training (train=true): with the batch mean μ and biased variance σ²,
// y = (x-μ)/√(σ²+eps)·γ + β, and the statistics are returned for the
// running-stat update (nn.BatchNorm2d's explicit job). Evaluation: the given
// running mean and variance are used and returned unchanged.
func BatchNorm(x, gamma, beta *Var, runMean, runVar *tensor.Tensor, eps float32, train bool) (*Var, BatchNormStats) {
	return BatchNormAct(x, gamma, beta, nil, runMean, runVar, eps, train, false)
}

// BatchNormAct is BatchNorm followed by + res (when res is non-nil, x's
// shape) and ReLU (when relu is set): y = relu(bn(x) + res), the tail of a
// ResNet block as one op. The backend does it in one pass over the data
// each way instead of three (tensor.BNAct); the result equals the three ops
// up to the rounding of a fused multiply-add.
func BatchNormAct(x, gamma, beta, res *Var, runMean, runVar *tensor.Tensor, eps float32, train, relu bool) (*Var, BatchNormStats) {
	be := sameBackend("batchnorm", x, gamma, beta)
	s := tensor.ChanShapeOf(x.Shape())
	if gamma.Val.Numel() != s.C || beta.Val.Numel() != s.C {
		panic("autograd: batchnorm parameter length differs from the channel count")
	}
	act := tensor.BNAct{ReLU: relu}
	if res != nil {
		sameBackend("batchnorm", x, res)
		if !res.Shape().Equal(x.Shape()) {
			panic("autograd: batchnorm residual shape differs from the input's")
		}
		act.Res = res.Val
	}
	y := empty(be, x.Shape())
	st := BatchNormStats{Count: s.N * s.HW}
	if train {
		st.Mean, st.Var = empty(be, tensor.Shape{s.C}), empty(be, tensor.Shape{s.C})
		be.BatchNormForward(y, st.Mean, st.Var, x.Val, gamma.Val, beta.Val, s, eps, act)
	} else {
		st.Mean, st.Var = runMean, runVar
		be.BatchNormInference(y, x.Val, gamma.Val, beta.Val, runMean, runVar, s, eps, act)
	}
	out := newVar(y, x, gamma, beta, res)
	out.backward = func() {
		var dx, dg, db *tensor.Tensor
		bact := tensor.BNAct{ReLU: relu}
		// The first gradients of x and res are written (=); a res that is
		// x itself takes both contributions in one buffer, so it adds.
		first := func(v *Var) (*tensor.Tensor, bool) {
			if v == res && res == x {
				return v.Grad(), false
			}
			return v.gradSlot()
		}
		if needs(x) {
			dx, bact.SetDX = first(x)
		}
		if needs(gamma) {
			dg = gamma.Grad()
		}
		if needs(beta) {
			db = beta.Grad()
		}
		if relu {
			bact.Y = y
		}
		if needs(res) {
			bact.DRes, bact.SetDRes = first(res)
		}
		be.BatchNormBackward(dx, dg, db, out.grad, x.Val, gamma.Val, st.Mean, st.Var, s, eps, train, bact)
	}
	return out, st
}
