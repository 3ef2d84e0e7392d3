package nn_test

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"twostage/kernels"
	"twostage/nn"
)

func smallEncoder(seed uint64) *nn.Encoder {
	return nn.NewEncoder(&kernels.CPU{}, rand.New(rand.NewPCG(seed, 1)), nn.EncoderConfig{Width: 2, LowDim: 4, InChannels: 1, ImageSize: 28})
}

// TestCheckpointRoundTrip saves a model with optimiser state and loads it into
// a differently initialised one: every entry must come back bit-exactly.
func TestCheckpointRoundTrip(t *testing.T) {
	a, b := smallEncoder(1), smallEncoder(2)
	a.Image.BN1.NumBatchesTracked = 7
	opt := nn.NewSGD(nn.Params(a), 0.1, 0.9, 5e-4, true)
	for _, p := range nn.Params(a) {
		p.Grad() // allocate zero grads so the step creates buffers
	}
	opt.Step()
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	ck := nn.NewCheckpoint("test")
	ck.PutModule("", a)
	ck.PutSGD(opt, nn.ParamNames(a))
	ck.Meta["epoch"] = "3"
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meta["epoch"] != "3" || got.Kind() != "test" {
		t.Fatalf("metadata: %v", got.Meta)
	}
	if err := got.GetModule("", b, true); err != nil {
		t.Fatal(err)
	}
	optB := nn.NewSGD(nn.Params(b), 0.1, 0.9, 5e-4, true)
	if err := got.GetSGD(optB, nn.ParamNames(b)); err != nil {
		t.Fatal(err)
	}
	ma, mb := nn.StateMap(a), nn.StateMap(b)
	for name, ea := range ma {
		eb := mb[name]
		if ea.Counter != nil {
			if *ea.Counter != *eb.Counter {
				t.Errorf("%s: %d != %d", name, *ea.Counter, *eb.Counter)
			}
			continue
		}
		va, vb := ea.Tensor().Float32s(), eb.Tensor().Float32s()
		for i := range va {
			if va[i] != vb[i] {
				t.Fatalf("%s[%d]: %v != %v", name, i, va[i], vb[i])
			}
		}
	}
	for i := range opt.Buf {
		if opt.Started[i] != optB.Started[i] {
			t.Fatalf("buffer %d presence differs", i)
		}
		va, vb := opt.Buf[i].Float32s(), optB.Buf[i].Float32s()
		for j := range va {
			if va[j] != vb[j] {
				t.Fatalf("buffer %d[%d]: %v != %v", i, j, va[j], vb[j])
			}
		}
	}
}

// TestCheckpointErrors: truncated, corrupt and mismatched files give errors
// naming the file (and the tensor), never a panic.
func TestCheckpointErrors(t *testing.T) {
	a := smallEncoder(1)
	dir := t.TempDir()
	path := filepath.Join(dir, "ck.safetensors")
	ck := nn.NewCheckpoint("test")
	ck.PutModule("", a)
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	full, _ := os.ReadFile(path)

	trunc := filepath.Join(dir, "trunc.safetensors")
	os.WriteFile(trunc, full[:len(full)-100], 0o644)
	if _, err := nn.LoadCheckpoint(trunc); err == nil || !strings.Contains(err.Error(), "trunc.safetensors") {
		t.Errorf("truncated: %v", err)
	}
	corrupt := filepath.Join(dir, "corrupt.safetensors")
	bad := append([]byte{}, full...)
	copy(bad[8:], "{{{{")
	os.WriteFile(corrupt, bad, 0o644)
	if _, err := nn.LoadCheckpoint(corrupt); err == nil || !strings.Contains(err.Error(), "corrupt.safetensors") {
		t.Errorf("corrupt: %v", err)
	}
	// A wider model must not load, and the error names a tensor.
	wide := nn.NewEncoder(&kernels.CPU{}, rand.New(rand.NewPCG(1, 1)), nn.EncoderConfig{Width: 4, LowDim: 4, InChannels: 1, ImageSize: 28})
	got, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.GetModule("", wide, true); err == nil || !strings.Contains(err.Error(), "conv1.weight") {
		t.Errorf("mismatch: %v", err)
	}
	// A weights-only file is refused as a training checkpoint.
	plain := filepath.Join(dir, "plain.safetensors")
	ck2 := &nn.Checkpoint{Meta: map[string]string{}, Tensors: ck.Tensors}
	if err := ck2.Save(plain); err != nil {
		t.Fatal(err)
	}
	if _, err := nn.LoadCheckpoint(plain); err == nil || !strings.Contains(err.Error(), "not a") {
		t.Errorf("plain: %v", err)
	}
}

// TestCheckFinite finds a NaN in a parameter.
func TestCheckFinite(t *testing.T) {
	a := smallEncoder(1)
	if err := nn.CheckFinite(a); err != nil {
		t.Fatal(err)
	}
	w := a.Linear.Weight.Val
	h := w.Float32s()
	h[3] = float32(math.NaN())
	w.Backend().Upload(w, h)
	if err := nn.CheckFinite(a); err == nil || !strings.Contains(err.Error(), "linear.weight[3]") {
		t.Fatalf("got %v", err)
	}
}
