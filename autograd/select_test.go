package autograd_test

import (
	"math"
	"slices"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/tensor"
)

// The ops without a gradient (TopK, Argmax), the statistics BatchNorm
// returns, Transpose2D's exactness claim and the shape checks of the ops.

// refTopK returns the k largest of row by a stable sort on descending value:
// ties keep the lower index first, as TopK documents.
func refTopK(row []float32, k int) ([]float32, []int64) {
	idx := make([]int, len(row))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	vals, out := make([]float32, k), make([]int64, k)
	for j := range k {
		vals[j], out[j] = row[idx[j]], int64(idx[j])
	}
	return vals, out
}

func TestTopKArgmax(t *testing.T) {
	const rows, cols = 5, 9
	x := uniform(newRand(4), rows*cols, -1, 1)
	// Ties: row 1 repeats its maximum, row 3 is constant, row 4 repeats a
	// value that straddles the k boundary.
	for _, j := range []int{2, 5, 7} {
		x[1*cols+j] = 2
	}
	for j := range cols {
		x[3*cols+j] = 0.5
	}
	x[4*cols+1], x[4*cols+6], x[4*cols+8] = 3, 1.5, 1.5
	for _, b := range backends() {
		be := b.be
		xt := tensor.FromFloat32(be, tensor.Shape{rows, cols}, x)
		// k = 1 is Argmax's case, 2 and 4 cut through the tied runs of rows
		// 1 and 4, and k = cols is a full descending sort of each row.
		for _, k := range []int{1, 2, 4, cols} {
			vals, idx := autograd.TopK(xt, k)
			if !vals.Shape().Equal(tensor.Shape{rows, k}) || !idx.Shape().Equal(tensor.Shape{rows, k}) || idx.DType() != tensor.Int64 {
				t.Fatalf("%s: TopK k=%d: shapes %v %v dtype %v", b.name, k, vals.Shape(), idx.Shape(), idx.DType())
			}
			gv, gi := vals.Float32s(), idx.Int64s()
			for r := range rows {
				wv, wi := refTopK(x[r*cols:(r+1)*cols], k)
				if !slices.Equal(gv[r*k:(r+1)*k], wv) || !slices.Equal(gi[r*k:(r+1)*k], wi) {
					t.Errorf("%s: TopK k=%d row %d = %v %v, want %v %v", b.name, k, r, gv[r*k:(r+1)*k], gi[r*k:(r+1)*k], wv, wi)
				}
			}
		}
		// Argmax must agree with the first entry of the stable sort: the
		// lowest index among equal maxima (row 1: column 2; row 3: column 0).
		am := autograd.Argmax(xt)
		if !am.Shape().Equal(tensor.Shape{rows}) {
			t.Fatalf("%s: Argmax shape %v", b.name, am.Shape())
		}
		got := am.Int64s()
		for r := range rows {
			_, wi := refTopK(x[r*cols:(r+1)*cols], 1)
			if got[r] != wi[0] {
				t.Errorf("%s: Argmax row %d = %d, want %d (first of the largest)", b.name, r, got[r], wi[0])
			}
		}
		// Arguments out of range are bugs in the caller: constant-text panics.
		mustPanic(t, "TopK k=0", "autograd: ", func() { autograd.TopK(xt, 0) })
		mustPanic(t, "TopK k>cols", "autograd: ", func() { autograd.TopK(xt, cols+1) })
		mustPanic(t, "TopK of 1-D", "autograd: ", func() { autograd.TopK(xt.Reshape(-1), 1) })
		mustPanic(t, "Argmax of 3-D", "autograd: ", func() { autograd.Argmax(xt.Reshape(1, rows, cols)) })
	}
}

// TestBatchNormStats: training returns the batch mean and biased variance
// per channel and the count N·H·W; evaluation returns the running tensors it
// was given, untouched.
func TestBatchNormStats(t *testing.T) {
	be := &kernels.CPU{}
	s := tensor.Shape{3, 5, 4, 4}
	x := uniform(newRand(5), s.Numel(), -1, 3)
	xv := autograd.Leaf(tensor.FromFloat32(be, s, x), "x")
	gamma := autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{5}, []float32{1, 1, 1, 1, 1}), "gamma")
	beta := autograd.Leaf(tensor.Zeros(be, 5), "beta")
	rm := tensor.FromFloat32(be, tensor.Shape{5}, []float32{0.1, 0.2, 0.3, 0.4, 0.5})
	rv := tensor.FromFloat32(be, tensor.Shape{5}, []float32{1, 2, 3, 4, 5})

	// Training: fresh statistics tensors; the running ones are the caller's
	// (nn.BatchNorm2d) to update, so they must come back unchanged.
	_, st := autograd.BatchNorm(xv, gamma, beta, rm, rv, 1e-5, true)
	if st.Count != 3*4*4 {
		t.Errorf("Count = %d, want %d", st.Count, 3*4*4)
	}
	// Element i of x [3,5,4,4] is in channel (i/16)%5; each channel has
	// M = 3·16 = 48 values.
	wantMean, wantVar := make([]float64, 5), make([]float64, 5)
	for i, v := range x {
		wantMean[(i/16)%5] += float64(v) / 48
	}
	for i, v := range x {
		d := float64(v) - wantMean[(i/16)%5]
		wantVar[(i/16)%5] += d * d / 48 // biased: divided by M, not M−1
	}
	allClose(t, "mean", to64(st.Mean.Float32s()), wantMean, fwdAtol, fwdRtol)
	allClose(t, "var", to64(st.Var.Float32s()), wantVar, fwdAtol, fwdRtol)
	equal(t, "running mean after a training pass", rm, 0.1, 0.2, 0.3, 0.4, 0.5)

	_, st = autograd.BatchNorm(xv, gamma, beta, rm, rv, 1e-5, false)
	if st.Mean != rm || st.Var != rv {
		t.Error("evaluation BatchNorm did not return the running statistics it was given")
	}
	equal(t, "running var after evaluation", rv, 1, 2, 3, 4, 5)
}

// TestTranspose2DExact: Transpose2D's doc claims the GEMM by the identity is
// exact, so values that round badly in any sum must come back bit for bit.
func TestTranspose2DExact(t *testing.T) {
	// Tiny, huge, subnormal and full-mantissa values: any product other than
	// ·1 or any non-zero addend would change some of their bits. Non-finite
	// values are TestTranspose2DNonFinite's.
	x := []float32{1e-30, -3.4e38, 1.0000001, float32(math.Pi), -0.1, 7e-8, 123456.79, -1, 1e10, 5e-39}
	for _, b := range backends() {
		xv := autograd.Const(tensor.FromFloat32(b.be, tensor.Shape{2, 5}, x))
		y := autograd.Transpose2D(xv)
		want := make([]float32, 10)
		for i := range 2 {
			for j := range 5 {
				want[j*2+i] = x[i*5+j]
			}
		}
		equal(t, b.name+": Transpose2D", y.Val, want...)
	}
}

// TestTranspose2DNonFinite exposes a bug in Transpose2D (broadcast.go): it
// computes xᵀ as the GEMM xᵀ·I, so each output y[j,i] = Σ_k x[k,j]·I[k,i]
// multiplies every entry of column j of x by 0 or 1. A NaN or ±Inf at
// x[k,j] then turns the whole row j of y into NaN (∞·0 = NaN), where a
// transpose moves it to y[j,k] alone; its doc's "exact" holds for finite
// values only. The backward pass (I·gᵀ) has the same defect for a
// non-finite upstream gradient. Expected to fail until Transpose2D moves
// values instead of multiplying them (for example IndexSelect of the
// flattened x with the transposing permutation, IndexAdd backward).
func TestTranspose2DNonFinite(t *testing.T) {
	for _, b := range backends() {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			x := []float32{1, 2, 3, bad, 5, 6} // [2,3]; x[1,0] is non-finite
			y := autograd.Transpose2D(autograd.Const(tensor.FromFloat32(b.be, tensor.Shape{2, 3}, x))).Val.Float32s()
			want := []float32{1, bad, 2, 5, 3, 6}
			for i := range want {
				same := y[i] == want[i] || (y[i] != y[i] && want[i] != want[i])
				if !same {
					t.Errorf("%s: Transpose2D of %v = %v, want %v", b.name, x, y, want)
					break
				}
			}
		}
	}
}

// TestShapeChecks: operands that do not fit panic with an "autograd: " (or,
// where the shape type checks first, "tensor: ") text, before any kernel runs.
func TestShapeChecks(t *testing.T) {
	be := &kernels.CPU{}
	// v is a zero leaf of shape s; values do not matter, only shapes.
	v := func(s ...int) *autograd.Var { return autograd.Leaf(tensor.Zeros(be, s...), "v") }
	idx := func(vals ...int64) *tensor.Tensor { return tensor.FromInt64(be, tensor.Shape{len(vals)}, vals) }
	cases := []struct {
		name, prefix string
		f            func()
	}{
		{"add shapes", "autograd: ", func() { autograd.Add(v(2, 3), v(3, 2)) }},
		{"mul shapes", "autograd: ", func() { autograd.Mul(v(6), v(2, 3)) }},
		{"matmul inner", "autograd: ", func() { autograd.MatMul(v(2, 3), v(2, 3), false, false) }},
		{"matmul rank", "autograd: ", func() { autograd.MatMul(v(2, 3, 1), v(3, 2), false, false) }},
		{"bias length", "autograd: ", func() { autograd.BiasAdd(v(2, 3), v(4)) }},
		{"batchnorm params", "autograd: ", func() {
			autograd.BatchNorm(v(2, 3), v(2), v(3), nil, nil, 1e-5, true)
		}},
		{"masked_fill mask", "autograd: ", func() { autograd.MaskedFill(v(2, 3), tensor.Zeros(be, 3, 2), 0) }},
		{"conv channels", "tensor: ", func() { autograd.Conv2D(v(1, 2, 4, 4), v(3, 3, 3, 3), 1, 1) }},
		{"concat nothing", "autograd: ", func() { autograd.Concat(0) }},
		{"concat sizes", "autograd: ", func() { autograd.Concat(0, v(2, 3), v(2, 4)) }},
		{"concat rank", "autograd: ", func() { autograd.Concat(0, v(2, 3), v(2, 3, 1)) }},
		{"concat dim", "autograd: ", func() { autograd.Concat(2, v(2, 3), v(2, 3)) }},
		{"narrow range", "autograd: ", func() { autograd.Narrow(v(2, 5), 1, 3, 3) }},
		{"narrow negative start", "autograd: ", func() { autograd.Narrow(v(2, 5), 1, -1, 2) }},
		{"expand dim", "autograd: ", func() { autograd.Expand(v(2, 3), 3, 2) }},
		{"mean dim", "autograd: ", func() { autograd.Mean(v(2, 3), 2) }},
		{"broadcast non-scalar", "autograd: ", func() { autograd.BroadcastScalar(v(2), tensor.Shape{3}) }},
		{"transpose rank", "autograd: ", func() { autograd.Transpose2D(v(2, 3, 4)) }},
		{"index_select rank", "autograd: ", func() { autograd.IndexSelect(v(6), idx(0)) }},
		{"index_select dtype", "autograd: ", func() { autograd.IndexSelect(v(3, 2), tensor.Zeros(be, 2)) }},
		{"gather rows", "autograd: ", func() {
			autograd.Gather(v(3, 2), tensor.FromInt64(be, tensor.Shape{2, 1}, []int64{0, 1}))
		}},
	}
	// Each case fits together except in the one way its name says.
	for _, c := range cases {
		mustPanic(t, c.name, c.prefix, c.f)
	}
}
