package nn_test

import (
	"encoding/json"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/autograd"
	"twostage/kernels"
	"twostage/nn"
	"twostage/tensor"
)

// wrnGolden is nn/testdata/wrn28_2.json, written by scripts/wrn_fixtures.py
// (PyTorch, float64).
type wrnGolden struct {
	N, Size, LowDim int `json:"-"`
	Names           []string
	ParamsFC10      int `json:"params_fc10"`
	ParamsEmbed128  int `json:"params_embed128"`
	ParamsGrey128   int `json:"params_embed128_grey"`
	Feat, Y, DX     []float64
	YEval           []float64 `json:"y_eval"`
	Grads, Running  map[string][]float64
}

func readWRNGolden(t *testing.T) wrnGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "wrn28_2.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g wrnGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	var sizes struct {
		N, Size int
		LowDim  int `json:"low_dim"`
	}
	if err := json.Unmarshal(b, &sizes); err != nil {
		t.Fatal(err)
	}
	g.N, g.Size, g.LowDim = sizes.N, sizes.Size, sizes.LowDim
	return g
}

// wrnFixtureValues reimplements the script's fill(name, n, base, scale):
// an LCG seeded by the CRC-32 of name, u = (s>>8)/2^23 − 1, base + scale·u
// in float64 rounded to float32 (the product converted first so that no
// fused multiply-add changes the rounding).
func wrnFixtureValues(name string, n int, base, scale float64) []float32 {
	s := crc32.ChecksumIEEE([]byte(name))
	out := make([]float32, n)
	for i := range out {
		s = 1664525*s + 1013904223
		u := float64(s>>8)/float64(1<<23) - 1
		out[i] = float32(base + float64(scale*u))
	}
	return out
}

// wrnBaseScale is the script's base_scale.
func wrnBaseScale(name string, shape tensor.Shape) (float64, float64) {
	switch {
	case strings.HasSuffix(name, "running_mean"):
		return 0, 0.1
	case strings.HasSuffix(name, "running_var"):
		return 1, 0.25
	case name == "linear.weight":
		return 0, math.Sqrt(6 / float64(shape[0]+shape[1]))
	case len(shape) == 4:
		return 0, math.Sqrt(6 / float64(shape[0]*shape[2]*shape[3]))
	case strings.HasSuffix(name, "weight"):
		return 1, 0.2
	}
	return 0, 0.1
}

// wrnCPU is the backend of these tests (operands must share one).
var wrnCPU = &kernels.CPU{}

func wrnEncoder(cin, lowDim, size int) *nn.Encoder {
	return nn.NewEncoder(wrnCPU, rand.New(rand.NewPCG(1, 2)),
		nn.EncoderConfig{Network: nn.NetworkWRN28_2, LowDim: lowDim, InChannels: cin, ImageSize: size})
}

// within reports the first index where |got − want| > atol + rtol·|want|.
func within(got []float32, want []float64, atol, rtol float64) (int, bool) {
	for i := range want {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= atol+rtol*math.Abs(want[i])) {
			return i, false
		}
	}
	return -1, true
}

// TestWRNGolden runs the WRN-28-2 encoder forward and backward in training
// mode and forward in evaluation mode on the golden's weights and input,
// against PyTorch in float64.
//
// Tolerances: float32 against the float64 truth through 28 layers, twelve
// of them BN whose normalisation by a per-channel σ of as few as N·2·2 = 16
// values amplifies rounding. Measured worst errors (AVX2 path): 2.4e-6
// forward (feat, |want| ≤ 1.1) and 3e-6 of each tensor's largest gradient
// backward; the bounds leave a factor of 4–10 for other summation orders
// (other SIMD paths, thread counts).
func TestWRNGolden(t *testing.T) {
	g := readWRNGolden(t)
	e := wrnEncoder(3, g.LowDim, g.Size)
	var names []string
	for _, en := range e.State("") {
		names = append(names, en.Name)
		if en.Counter != nil {
			continue
		}
		base, scale := wrnBaseScale(en.Name, en.Tensor().Shape())
		en.Tensor().Backend().Upload(en.Tensor(), wrnFixtureValues(en.Name, en.Tensor().Numel(), base, scale))
	}
	if !slices.Equal(names, g.Names) {
		t.Fatalf("state names differ from PyTorch's state_dict:\n got %v\nwant %v", names, g.Names)
	}
	be := wrnCPU
	xv := autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{g.N, 3, g.Size, g.Size}, wrnFixtureValues("input", g.N*3*g.Size*g.Size, 0, 2)), "x")
	r := autograd.Const(tensor.FromFloat32(be, tensor.Shape{g.N, g.LowDim}, wrnFixtureValues("r", g.N*g.LowDim, 0, 1)))

	// Training mode, through the pieces of Encoder.Forward so that the
	// pooled features can be checked too (Encoder.Forward itself is
	// checked in evaluation mode below).
	feat := e.WRN.Forward(xv, true)
	y := autograd.L2Normalize(e.Linear.Forward(feat), 1)
	autograd.SumAll(autograd.Mul(y, r)).Backward()

	check := func(what string, got []float32, want []float64, atol, rtol float64) {
		t.Helper()
		if len(got) < len(want) {
			t.Fatalf("%s: %d values, golden has %d", what, len(got), len(want))
		}
		if i, ok := within(got, want, atol, rtol); !ok {
			t.Errorf("%s[%d] = %v, PyTorch %v (atol %g, rtol %g)", what, i, got[i], want[i], atol, rtol)
		}
	}
	check("feat", feat.Val.Float32s(), g.Feat, 1e-5, 1e-4)
	check("y", y.Val.Float32s(), g.Y, 1e-5, 1e-4)
	maxAbs := func(v []float64) float64 {
		m := 0.0
		for _, x := range v {
			m = max(m, math.Abs(x))
		}
		return m
	}
	check("dL/dx", xv.Grad().Float32s(), g.DX, 3e-5*maxAbs(g.DX), 1e-3)
	st := nn.StateMap(e)
	for name, want := range g.Grads {
		p := st[name].Param
		if p == nil {
			t.Fatalf("no parameter %s", name)
		}
		check("grad "+name, p.Grad().Float32s(), want, 3e-5*maxAbs(want), 1e-3)
	}
	for name, want := range g.Running {
		check(name, st[name].Tensor().Float32s(), want, 1e-5, 1e-4)
	}
	var yEval *autograd.Var
	autograd.NoGrad(func() { yEval = e.Forward(autograd.Const(xv.Val), false) })
	check("y_eval", yEval.Val.Float32s(), g.YEval, 1e-5, 1e-4)
}

// TestWRNShapesAndCount checks the embedding shape at the image sizes the
// data sets use and the parameter counts against PyTorch's: with a 10-class
// head the literature's 1,467,610; with the 128-d embedding head 1,482,832
// (1,482,544 for grey images).
func TestWRNShapesAndCount(t *testing.T) {
	g := readWRNGolden(t)
	if n := nn.CountParams(wrnEncoder(3, 10, 32)); n != g.ParamsFC10 || n != 1467610 {
		t.Errorf("WRN-28-2 with a 10-way head: %d parameters, PyTorch %d", n, g.ParamsFC10)
	}
	if n := nn.CountParams(wrnEncoder(3, 128, 32)); n != g.ParamsEmbed128 {
		t.Errorf("WRN-28-2 with the 128-d head: %d parameters, PyTorch %d", n, g.ParamsEmbed128)
	}
	if n := nn.CountParams(wrnEncoder(1, 128, 28)); n != g.ParamsGrey128 {
		t.Errorf("grey WRN-28-2 with the 128-d head: %d parameters, PyTorch %d", n, g.ParamsGrey128)
	}
	be := wrnCPU
	for _, c := range []struct{ cin, size int }{{3, 32}, {1, 28}, {3, 8}} {
		e := wrnEncoder(c.cin, 8, c.size)
		x := tensor.FromFloat32(be, tensor.Shape{2, c.cin, c.size, c.size}, wrnFixtureValues("x", 2*c.cin*c.size*c.size, 0, 1))
		var f, y *autograd.Var
		autograd.NoGrad(func() {
			f = e.WRN.Forward(autograd.Const(x), false)
			y = e.Forward(autograd.Const(x), false)
		})
		if !f.Shape().Equal(tensor.Shape{2, nn.WRN28_2Features}) || !y.Shape().Equal(tensor.Shape{2, 8}) {
			t.Errorf("%d×%d×%d: features %v, embedding %v", c.cin, c.size, c.size, f.Shape(), y.Shape())
		}
		v := y.Val.Float32s()
		for i := 0; i < 2; i++ {
			n := 0.0
			for _, a := range v[i*8 : (i+1)*8] {
				n += float64(a) * float64(a)
			}
			if math.Abs(n-1) > 1e-5 {
				t.Errorf("%d×%d: embedding row %d has squared norm %v", c.cin, c.size, i, n)
			}
		}
	}
}

// TestLeakyReLU checks the composed op and its gradient on both sides of 0
// and at 0 (PyTorch: slope there).
func TestLeakyReLU(t *testing.T) {
	be := &kernels.CPU{}
	x := autograd.Leaf(tensor.FromFloat32(be, tensor.Shape{4}, []float32{-2, 0, 0.5, 3}), "x")
	y := nn.LeakyReLU(x, 0.1)
	autograd.SumAll(y).Backward()
	wantY, wantG := []float32{-0.2, 0, 0.5, 3}, []float32{0.1, 0.1, 1, 1}
	for i, v := range y.Val.Float32s() {
		if math.Abs(float64(v-wantY[i])) > 1e-7 || math.Abs(float64(x.Grad().Float32s()[i]-wantG[i])) > 1e-7 {
			t.Errorf("x=%v: y %v grad %v, want %v %v", x.Val.Float32s()[i], v, x.Grad().Float32s()[i], wantY[i], wantG[i])
		}
	}
}

// TestWRNCheckpoint saves a WRN encoder and loads it into a fresh one (every
// entry back bit for bit), and checks that a WRN checkpoint and a ResNet18
// one refuse to load into each other with an error naming both networks.
func TestWRNCheckpoint(t *testing.T) {
	a := wrnEncoder(1, 4, 8)
	b := nn.NewEncoder(wrnCPU, rand.New(rand.NewPCG(9, 9)),
		nn.EncoderConfig{Network: nn.NetworkWRN28_2, LowDim: 4, InChannels: 1, ImageSize: 8})
	a.WRN.BN1.NumBatchesTracked = 5
	dir := t.TempDir()
	path := filepath.Join(dir, "wrn.safetensors")
	ck := nn.NewCheckpoint("test")
	ck.PutEncoder(a)
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if nn.NetworkOf(got) != nn.NetworkWRN28_2 {
		t.Fatalf("network metadata %q", got.Meta["network"])
	}
	if err := got.GetEncoder(b); err != nil {
		t.Fatal(err)
	}
	mb := nn.StateMap(b)
	for _, ea := range a.State("") {
		eb := mb[ea.Name]
		if ea.Counter != nil {
			if *ea.Counter != *eb.Counter {
				t.Errorf("%s: %d, want %d", ea.Name, *eb.Counter, *ea.Counter)
			}
			continue
		}
		if !slices.Equal(ea.Tensor().Float32s(), eb.Tensor().Float32s()) {
			t.Errorf("%s differs after the round trip", ea.Name)
		}
	}

	res := smallEncoder(1)
	if err := got.GetEncoder(res); err == nil || !strings.Contains(err.Error(), "wrn28_2") || !strings.Contains(err.Error(), "resnet18") {
		t.Errorf("wrn checkpoint into a resnet18: %v", err)
	}
	rck := nn.NewCheckpoint("test")
	rck.PutEncoder(res)
	rck.Path = "res.safetensors"
	if err := rck.GetEncoder(b); err == nil || !strings.Contains(err.Error(), "wrn28_2") || !strings.Contains(err.Error(), "resnet18") {
		t.Errorf("resnet18 checkpoint into a wrn: %v", err)
	}
	delete(rck.Meta, "network") // a file from before --network: resnet18
	if err := rck.GetEncoder(b); err == nil || !strings.Contains(err.Error(), "resnet18") {
		t.Errorf("resnet18 checkpoint without metadata into a wrn: %v", err)
	}
	if err := nn.CheckNetwork("wrn28_10"); err == nil || !strings.Contains(err.Error(), "wrn28_10") || !strings.Contains(err.Error(), "resnet18, wrn28_2") {
		t.Errorf("CheckNetwork(wrn28_10) = %v", err)
	}
}
