package finetune

import (
	"math"

	"twostage/autograd"
	"twostage/tensor"
)

// CrossEntropy is torch.nn.functional.cross_entropy(z, y) with the mean over
// the batch: −(1/N) Σ_i log softmax(z_i)[y_i], z [N,C], y the N labels.
func CrossEntropy(z *autograd.Var, y []int) *autograd.Var {
	n := z.Shape()[0]
	if len(y) != n {
		panic("finetune: CrossEntropy: label count differs from the batch")
	}
	idx := make([]int64, n)
	for i, l := range y {
		idx[i] = int64(l)
	}
	t := tensor.FromInt64(z.Backend(), tensor.Shape{n, 1}, idx)
	picked := autograd.Gather(autograd.LogSoftmax(z, 1), t) // [N,1]
	return autograd.Scale(autograd.SumAll(picked), -1/float32(n))
}

// ConsistencyMSE is the consistency loss of both methods: the squared
// distance of the two softmax outputs, averaged over the N·C entries,
//
//	L = (1/(N·C)) Σ_i ‖softmax(a_i) − softmax(b_i)‖²
//
// (Laine & Aila's 1/(C|B|) Σ‖z_i − z̃_i‖²; the Mean Teacher code's
// softmax_mse_loss summed, then divided by C and by the batch). a and b are
// logits [N,C]; gradients flow into both (the Π-model's two passes; Mean
// Teacher passes its teacher's logits as a constant).
func ConsistencyMSE(a, b *autograd.Var) *autograd.Var {
	d := autograd.Sub(autograd.Softmax(a, 1), autograd.Softmax(b, 1))
	return autograd.MeanAll(autograd.Square(d))
}

// RampWeight is the consistency weight at training time t epochs (fractional:
// epoch + batch/batches): the Gaussian ramp-up of Laine & Aila,
//
//	w(t) = w_max · exp(−5 (1 − min(t/rampup, 1))²)
//
// and w_max from the start when rampup is 0.
func RampWeight(t float64, rampup int, wmax float64) float64 {
	if rampup <= 0 {
		return wmax
	}
	p := math.Min(math.Max(t/float64(rampup), 0), 1)
	return wmax * math.Exp(-5*(1-p)*(1-p))
}

// EMAAlpha is the teacher's decay at (0-based) global step: the Mean Teacher
// code's min(1 − 1/(step + 1), decay), so that the first step copies the
// student and the average then forgets its start.
func EMAAlpha(step int64, decay float64) float64 {
	return math.Min(1-1/float64(step+1), decay)
}

// EMAUpdate moves every teacher parameter towards the student's,
//
//	θ' = α·θ' + (1 − α)·θ
//
// (the Mean Teacher code's ema_param.mul_(α).add_(param, alpha=1−α)), over
// the two lists of parameters in the same order.
func EMAUpdate(teacher, student []*autograd.Var, alpha float64) {
	if len(teacher) != len(student) {
		panic("finetune: EMAUpdate: parameter lists differ in length")
	}
	for i, p := range teacher {
		be := p.Backend()
		be.Scale(p.Val, p.Val, float32(alpha), 0)
		be.Axpy(float32(1-alpha), student[i].Val, p.Val)
	}
}

func nan() float64 { return math.NaN() }
