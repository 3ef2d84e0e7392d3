package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/data/datatest"
)

// torchFixtures holds the checkpoints scripts/torch_fixtures.py saved with
// the authors' code (width 2, 16-d embedding, five heads over 10 classes).
const torchFixtures = "../../nn/testdata/torch"

// TestTorchTestOnly: --test_only --resume FILE.t7 scores the authors'
// stage-2 checkpoint (legacy, and zip with CUDA storages) with its own
// heads: each head's accuracy is the one the authors' test() printed, on
// all 40 images and, with --train_subset 20, on the first 20. A stage-1 .t7
// starts stage 2 (one epoch here).
func TestTorchTestOnly(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(torchFixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		All     []float64 `json:"head_acc_percent"`
		First20 []float64 `json:"head_acc_percent_first20"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	imgs := datatest.LCGImages(40, 2) // main.py scores the training images with the test transform
	if err := cmdtest.WriteCIFAR10(dir, imgs, imgs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file   string
		subset string
		want   []float64
	}{
		{"stage2_legacy.t7", "0", exp.All}, {"stage2_zip_cuda.t7", "0", exp.All}, {"stage2_legacy.t7", "20", exp.First20},
	} {
		r := cmdtest.Run(t, bin, "--dataset", "cifar10", "--data_dir", dir, "--model_dir", t.TempDir(), "--train_subset", c.subset,
			"--resume", filepath.Join(torchFixtures, c.file), "--test_only")
		cmdtest.MustSucceed(t, r)
		res := cmdtest.LastJSON(t, r, resultKeys...)
		heads, _ := res["heads"].([]any)
		if len(heads) != len(c.want) {
			t.Fatalf("%s: heads %v, want %d", c.file, res["heads"], len(c.want))
		}
		for h, w := range c.want {
			acc, _ := heads[h].(map[string]any)["acc"].(float64)
			if math.Abs(100*acc-w) > 1e-9 {
				t.Errorf("%s --train_subset %s: head %d accuracy %v%%, the authors' test() %v%%", c.file, c.subset, h, 100*acc, w)
			}
		}
	}
	r := cmdtest.Run(t, bin, "--dataset", "cifar10", "--data_dir", dir, "--model_dir", t.TempDir(), "--epochs", "1", "--batch_size", "8",
		"--resume", filepath.Join(torchFixtures, "stage1_legacy_cuda.t7"))
	cmdtest.MustSucceed(t, r)
	cmdtest.LastJSON(t, r, resultKeys...)
}
