package finetune

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/tensor"
)

// losses is finetune/testdata/losses.json, written by
// scripts/finetune_fixtures.py with PyTorch in float64 (the EMA in float32).
type losses struct {
	N, C                      int
	A, B                      []float32
	Y                         []int
	MSE                       float64
	PiGradA, PiGradB, MTGradA []float64
	CE                        float64
	CEGrad                    []float64
	EMATeacher0, EMAStudent   []float32
	EMA                       []struct {
		Step    int64
		Decay   float64
		Alpha   float64
		Teacher []float32
	}
	Ramps []struct {
		T      float64
		RampUp int
		WMax   float64
		W      float64
	}
}

func readLosses(t *testing.T) losses {
	t.Helper()
	b, err := os.ReadFile("testdata/losses.json")
	if err != nil {
		t.Fatal(err)
	}
	var l losses
	if err := json.Unmarshal(b, &l); err != nil {
		t.Fatal(err)
	}
	// The JSON keys are snake_case: map the ones encoding/json cannot match.
	var raw map[string]json.RawMessage
	json.Unmarshal(b, &raw)
	for key, dst := range map[string]any{"pi_grad_a": &l.PiGradA, "pi_grad_b": &l.PiGradB, "mt_grad_a": &l.MTGradA,
		"ce_grad": &l.CEGrad, "ema_teacher0": &l.EMATeacher0, "ema_student": &l.EMAStudent} {
		if err := json.Unmarshal(raw[key], dst); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	return l
}

// close reports |got − want| ≤ atol + rtol·|want|.
func close(got, want, atol, rtol float64) bool { return math.Abs(got-want) <= atol+rtol*math.Abs(want) }

// Tolerances of STYLE.md §5 for float32 against a float64 reference:
// 1e-5 / 1e-4 forward, 1e-4 / 1e-3 backward (teenygrad's).
const fwdAtol, fwdRtol, bwdAtol, bwdRtol = 1e-5, 1e-4, 1e-4, 1e-3

func checkGrad(t *testing.T, name string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if !close(float64(got[i]), want[i], bwdAtol, bwdRtol) {
			t.Errorf("%s[%d] = %v, PyTorch %v", name, i, got[i], want[i])
		}
	}
}

// TestConsistencyGolden: the consistency MSE and its gradients into both
// passes (the Π-model) and into the student alone (Mean Teacher) agree with
// PyTorch's.
func TestConsistencyGolden(t *testing.T) {
	l := readLosses(t)
	be := &kernels.CPU{}
	leaf := func(v []float32) *autograd.Var {
		return autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{l.N, l.C}, v), "z")
	}
	a, b := leaf(l.A), leaf(l.B)
	mse := ConsistencyMSE(a, b)
	if got := float64(mse.Val.Item()); !close(got, l.MSE, fwdAtol, fwdRtol) {
		t.Errorf("mse = %v, PyTorch %v", got, l.MSE)
	}
	mse.Backward()
	checkGrad(t, "pi grad a", a.Grad().Float32s(), l.PiGradA)
	checkGrad(t, "pi grad b", b.Grad().Float32s(), l.PiGradB)

	a = leaf(l.A)
	teacher := autograd.Const(tensor.FromFloat32(be, tensor.Shape{l.N, l.C}, l.B))
	ConsistencyMSE(a, teacher).Backward()
	checkGrad(t, "mean teacher grad a", a.Grad().Float32s(), l.MTGradA)
}

// TestCrossEntropyGolden: the cross-entropy and its gradient agree with
// F.cross_entropy's.
func TestCrossEntropyGolden(t *testing.T) {
	l := readLosses(t)
	a := autograd.Leaf(tensor.FromFloat32(&kernels.CPU{}, tensor.Shape{l.N, l.C}, l.A), "z")
	ce := CrossEntropy(a, l.Y)
	if got := float64(ce.Val.Item()); !close(got, l.CE, fwdAtol, fwdRtol) {
		t.Errorf("ce = %v, PyTorch %v", got, l.CE)
	}
	ce.Backward()
	checkGrad(t, "ce grad", a.Grad().Float32s(), l.CEGrad)
}

// TestEMAGolden: EMAAlpha is the Mean Teacher code's decay and EMAUpdate
// its float32 update; within 1 ulp-level rounding (2e-7 relative: PyTorch's
// mul_ then add_ round twice, as Scale then Axpy do, but the CPU kernels
// may fuse).
func TestEMAGolden(t *testing.T) {
	l := readLosses(t)
	be := &kernels.CPU{}
	if len(l.EMA) == 0 || len(l.EMATeacher0) == 0 {
		t.Fatal("no EMA cases in the fixture")
	}
	for _, e := range l.EMA {
		if got := EMAAlpha(e.Step, e.Decay); got != e.Alpha {
			t.Errorf("step %d decay %v: alpha %v, Mean Teacher %v", e.Step, e.Decay, got, e.Alpha)
		}
		n := len(l.EMATeacher0)
		tp := autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{n}, l.EMATeacher0), "t")
		sp := autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{n}, l.EMAStudent), "s")
		EMAUpdate([]*autograd.Var{tp}, []*autograd.Var{sp}, e.Alpha)
		for i, v := range tp.Val.Float32s() {
			if !close(float64(v), float64(e.Teacher[i]), 1e-7, 2e-7) {
				t.Errorf("step %d: teacher[%d] = %v, PyTorch %v", e.Step, i, v, e.Teacher[i])
			}
		}
	}
}

// TestRampWeightGolden: the ramp-up is the Mean Teacher code's
// sigmoid_rampup times w_max, the start and end included.
func TestRampWeightGolden(t *testing.T) {
	l := readLosses(t)
	if len(l.Ramps) == 0 {
		t.Fatal("no ramp cases in the fixture")
	}
	for _, r := range l.Ramps {
		if got := RampWeight(r.T, r.RampUp, r.WMax); !close(got, r.W, 1e-12, 1e-12) {
			t.Errorf("RampWeight(%v, %d, %v) = %v, want %v", r.T, r.RampUp, r.WMax, got, r.W)
		}
	}
}
