package nn_test

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/nn/safetensors"
)

// torchFixtures is the folder scripts/torch_fixtures.py writes.
const torchFixtures = "testdata/torch"

// torchExpected is the part of expected.json these tests use.
type torchExpected struct {
	Width, LowDim int
	Test          struct{ N, Seed int }
	Embeddings    []float32 `json:"test_embeddings"`
}

func readExpected(t *testing.T) torchExpected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(torchFixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e torchExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	e.LowDim = 16
	var raw struct {
		LowDim int `json:"low_dim"`
	}
	if json.Unmarshal(b, &raw) == nil && raw.LowDim > 0 {
		e.LowDim = raw.LowDim
	}
	return e
}

// TestLoadTorchEmbeds loads each of the authors' checkpoints (both stages,
// legacy and zip, CUDA and host storages) into an encoder and embeds the
// fixture's test images: the embeddings must be those the authors' model
// computed in PyTorch.
func TestLoadTorchEmbeds(t *testing.T) {
	exp := readExpected(t)
	ds := datatest.LCGImages(exp.Test.N, uint32(exp.Test.Seed))
	x := make([]float32, len(ds.Pixels))
	hw := ds.H * ds.W
	for i, p := range ds.Pixels {
		c := i / hw % ds.C
		x[i] = (float32(p)/255 - ds.Mean[c]) / ds.Std[c] // as the script: (x/255 − mean)/std in float32
	}
	for _, c := range []struct{ file, kind string }{
		{"stage1_legacy_cuda.t7", "superand"}, {"stage1_zip.t7", "superand"},
		{"stage2_legacy.t7", "stage2"}, {"stage2_zip_cuda.t7", "stage2"},
	} {
		t.Run(c.file, func(t *testing.T) {
			ck, err := nn.LoadAny(filepath.Join(torchFixtures, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if !ck.IsTorch() || ck.Kind() != c.kind {
				t.Fatalf("format %q kind %q, want %q %q", ck.Meta["format"], ck.Kind(), nn.TorchFormat, c.kind)
			}
			w, d, ch, err := nn.TorchArch(ck)
			if err != nil || w != exp.Width || d != exp.LowDim || ch != 3 {
				t.Fatalf("arch %d %d %d (%v), want width %d, low_dim %d, 3 channels", w, d, ch, err, exp.Width, exp.LowDim)
			}
			be := &kernels.CPU{}
			enc := nn.NewEncoder(be, rand.New(rand.NewPCG(1, 1)), nn.EncoderConfig{Width: w, LowDim: d, InChannels: ch, ImageSize: 32})
			if err := ck.GetEncoder(enc); err != nil {
				t.Fatal(err)
			}
			if enc.Image.BN1.NumBatchesTracked != 7 {
				t.Errorf("bn1.num_batches_tracked = %d, want 7", enc.Image.BN1.NumBatchesTracked)
			}
			got := enc.Embed(be, x, ds.N, 32)
			// Both sides compute in float32 through ~20 layers with different
			// summation orders (1e-7 on unit vectors of 16 entries), and the
			// fixture's projection is centred (linear.bias cancels the mean
			// feature), which amplifies that rounding: 1.5e-5 measured.
			worst := 0.0
			for i, want := range exp.Embeddings {
				worst = max(worst, math.Abs(float64(got[i]-want)))
			}
			if worst > 5e-5 {
				t.Fatalf("embeddings differ from PyTorch's by up to %.3g", worst)
			}
			t.Logf("max |Go − PyTorch| over %d embedding entries: %.2g", len(got), worst)
		})
	}
}

// TestLoadTorchMapping checks the names LoadTorch gives the authors' state.
func TestLoadTorchMapping(t *testing.T) {
	ck, err := nn.LoadTorch(filepath.Join(torchFixtures, "stage1_legacy_cuda.t7"))
	if err != nil {
		t.Fatal(err)
	}
	for name, shape := range map[string][]int{
		"memory.bank": {256, 16}, "ans.position": {256}, "ans.neighbours": {64},
		"conv1_sobel.weight": {2, 2, 3, 3}, "sobel.1.weight": {2, 1, 3, 3}, "linear.weight": {16, 32},
	} {
		if got := ck.Tensors[name]; !slices.Equal(got.Shape, shape) {
			t.Errorf("%s: shape %v, want %v", name, got.Shape, shape)
		}
	}
	for k, v := range map[string]string{"round": "1", "epoch": "4", "ans_size": "1", "npc_t": "0.1", "npc_m": "0.5"} {
		if ck.Meta[k] != v {
			t.Errorf("meta %s = %q, want %q", k, ck.Meta[k], v)
		}
	}
	for name := range ck.Tensors {
		if strings.HasPrefix(name, "module.") {
			t.Fatalf("%s keeps DataParallel's prefix", name)
		}
	}
	if ck.Tensors["conv1.weight"].FileDType != "F32" {
		t.Errorf("FileDType %q, want F32", ck.Tensors["conv1.weight"].FileDType)
	}
}

// TestGetEncoderSobel: the fixed filters are checked, and any other
// mismatch names the key and both shapes.
func TestGetEncoderSobel(t *testing.T) {
	path := filepath.Join(torchFixtures, "stage1_zip.t7")
	newEnc := func(w int) *nn.Encoder { // w = −1: width 2 on grey images
		c := 3
		if w < 0 {
			w, c = 2, 1
		}
		return nn.NewEncoder(&kernels.CPU{}, rand.New(rand.NewPCG(1, 1)), nn.EncoderConfig{Width: w, LowDim: 16, InChannels: c, ImageSize: 32})
	}
	for _, c := range []struct {
		name string
		edit func(ck *nn.Checkpoint)
		w    int
		want string
	}{
		{"sobel value", func(ck *nn.Checkpoint) { ck.Tensors["sobel.1.weight"].F32[4] = 1 }, 2, `fixed filter "sobel.1.weight" differs`},
		{"grey value", func(ck *nn.Checkpoint) { ck.Tensors["sobel.0.weight"].F32[0] = 0.5 }, 2, `"sobel.0.weight" differs`},
		{"sobel missing", func(ck *nn.Checkpoint) { delete(ck.Tensors, "sobel.0.bias") }, 2, "sobel.0.bias missing"},
		{"grey shape", func(ck *nn.Checkpoint) {
			ck.Tensors["sobel.0.weight"] = safetensors.Tensor{DType: "F32", Shape: []int{1, 1, 1, 1}, F32: []float32{1}}
		}, 2, `"sobel.0.weight" has shape [1 1 1 1], the model needs [1 3 1 1]`},
		{"channels", func(*nn.Checkpoint) {}, -1, "3-channel images, this data set has 1"},
		{"width", func(*nn.Checkpoint) {}, 4, `"conv1.weight" has shape [2 3 3 3], the model needs [4,3,3,3]`},
		{"extra key", func(ck *nn.Checkpoint) {
			ck.Tensors["fc.weight"] = safetensors.Tensor{DType: "F32", Shape: []int{1}, F32: []float32{0}}
		}, 2, `"fc.weight"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			ck, err := nn.LoadTorch(path)
			if err != nil {
				t.Fatal(err)
			}
			c.edit(ck)
			err = ck.GetEncoder(newEnc(c.w))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and containing %s", err, path, c.want)
			}
		})
	}
}
