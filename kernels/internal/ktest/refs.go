package ktest

import (
	"math"

	"twostage/tensor"
)

// Float64 references shared by two op families' tests: batch norm's
// evaluation form is also the conv + batch norm fusion's (kernels/conv).

// BatchNormInference64 is y = (x−mean)/√(var+eps)·gamma + beta with given
// statistics.
func BatchNormInference64(x, gamma, beta, mean, variance []float64, s tensor.ChanShape, eps float64) []float64 {
	y := make([]float64, len(x))
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.C; c++ {
			rstd := 1 / math.Sqrt(variance[c]+eps)
			for i := 0; i < s.HW; i++ {
				j := (n*s.C+c)*s.HW + i
				y[j] = (x[j]-mean[c])*rstd*gamma[c] + beta[c]
			}
		}
	}
	return y
}

// WithTail is the float64 reference of a fused batch-norm tail: v + res
// (when withRes), then max(·, 0) (when relu).
func WithTail(v []float64, res []float32, withRes, relu bool) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if withRes {
			x += float64(res[i])
		}
		if relu {
			x = math.Max(x, 0)
		}
		out[i] = x
	}
	return out
}
