package nn_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"twostage/kernels"
	"twostage/nn"
	"twostage/nn/safetensors"
)

// authorsGit is the authors' repository, which scripts/to_torch.py builds
// their model from.
const authorsGit = "/work/.mirror/dscig+TwoStageUC/repo/.git"

// TestToTorchRoundTrip saves a stage-1 checkpoint of ours, converts it with
// scripts/to_torch.py (strict load_state_dict into the authors'
// ResNet18withSobel, saved as their super_and.py state, both formats) and
// reads the .t7 back: every tensor is the one we saved. It needs Debian's
// python3-torch and the authors' repository, and skips without them.
func TestToTorchRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the PyTorch round trip takes ~20 s (two python3 runs)")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch").Run(); err != nil {
		t.Skip("no /usr/bin/python3 with torch (apt-get install python3-torch): skipping the PyTorch round trip")
	}
	if _, err := os.Stat(authorsGit); err != nil {
		t.Skipf("the authors' repository is not at %s: skipping the PyTorch round trip", authorsGit)
	}
	be := &kernels.CPU{}
	rng := rand.New(rand.NewPCG(3, 4))
	enc := nn.NewEncoder(be, rng, nn.EncoderConfig{Width: 2, LowDim: 16, InChannels: 3, ImageSize: 32})
	enc.Image.BN1.NumBatchesTracked = 11
	ck := nn.NewCheckpoint("superand")
	ck.PutModule("", enc)
	bank := make([]float32, 20*16)
	for i := range bank {
		bank[i] = float32(rng.NormFloat64())
	}
	ck.PutFloats("memory.bank", bank)
	b := ck.Tensors["memory.bank"]
	b.Shape = []int{20, 16}
	ck.Tensors["memory.bank"] = b
	pos := make([]int64, 20) // anchors 3 (position 0) and 7 (position 1), the rest instances
	inst := int64(0)
	for i := range pos {
		switch i {
		case 3:
			pos[i] = 0
		case 7:
			pos[i] = 1
		default:
			inst--
			pos[i] = inst
		}
	}
	ck.PutInts("ans.position", pos)
	ck.PutInts("ans.neighbours", []int64{5, 9})
	for k, v := range map[string]string{"ans_size": "1", "round": "1", "epoch": "3", "last_knn": "0.25", "config": `{"NPCT":0.1,"NPCM":0.5,"Epochs":6}`} {
		ck.Meta[k] = v
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "superand.safetensors")
	if err := ck.Save(src); err != nil {
		t.Fatal(err)
	}
	// Stage 1 in the legacy format (the authors' PyTorch 1.1 writes it).
	dst := filepath.Join(dir, "ckpt_embed.t7")
	got := toTorch(t, src, dst, "--legacy")
	for name, want := range ck.Tensors {
		g, ok := got.Tensors[name]
		if !ok || !slices.Equal(g.Shape, want.Shape) || !slices.Equal(g.F32, want.F32) || !slices.Equal(g.I64, want.I64) {
			t.Fatalf("%s came back as %v, saved %v", name, brief(g), brief(want))
		}
	}
	// Ours is at (round 1, epoch 3) to run next; theirs records the last
	// epoch run, (1, 2), which LoadTorch's reader turns back into ours.
	if got.Meta["round"] != "1" || got.Meta["epoch"] != "2" || got.Meta["acc"] != "0.25" {
		t.Errorf("round %s epoch %s acc %s, want 1, 2, 0.25", got.Meta["round"], got.Meta["epoch"], got.Meta["acc"])
	}
	back := nn.NewEncoder(be, rand.New(rand.NewPCG(9, 9)), nn.EncoderConfig{Width: 2, LowDim: 16, InChannels: 3, ImageSize: 32})
	if err := got.GetEncoder(back); err != nil { // the authors' sobel.* checked against ours
		t.Fatal(err)
	}

	// Stage 2 in the zip format: the encoder and the heads.
	ck2 := nn.NewCheckpoint("stage2")
	ck2.PutModule("", enc)
	for h := 0; h < 2; h++ {
		w := make([]float32, 16*3)
		for i := range w {
			w[i] = float32(rng.NormFloat64())
		}
		ck2.Tensors[fmt.Sprintf("heads.%d.weight", h)] = safetensors.Tensor{DType: "F32", Shape: []int{16, 3}, F32: w}
	}
	ck2.Meta["config"] = `{"HeadNorm":"rows"}`
	src2 := filepath.Join(dir, "stage2.safetensors")
	if err := ck2.Save(src2); err != nil {
		t.Fatal(err)
	}
	got2 := toTorch(t, src2, filepath.Join(dir, "ckpt_ul.t7"))
	if got2.Kind() != "stage2" {
		t.Fatalf("kind %q, want stage2", got2.Kind())
	}
	for name, want := range ck2.Tensors {
		if g := got2.Tensors[name]; !slices.Equal(g.Shape, want.Shape) || !slices.Equal(g.F32, want.F32) || !slices.Equal(g.I64, want.I64) {
			t.Fatalf("stage 2: %s came back as %v, saved %v", name, brief(g), brief(want))
		}
	}
}

// toTorch runs scripts/to_torch.py src dst and reads dst back.
func toTorch(t *testing.T, src, dst string, more ...string) *nn.Checkpoint {
	t.Helper()
	args := append([]string{"../scripts/to_torch.py", src, dst, "--authors_git", authorsGit}, more...)
	out, err := exec.Command("/usr/bin/python3", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("to_torch.py: %v\n%s", err, out)
	}
	t.Logf("%s", out)
	ck, err := nn.LoadTorch(dst)
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

// brief describes a tensor for a failure message.
func brief(t safetensors.Tensor) string {
	return fmt.Sprintf("%s %v (%d values)", t.DType, t.Shape, len(t.F32)+len(t.I64))
}
