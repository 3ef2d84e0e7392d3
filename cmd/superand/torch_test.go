package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"twostage/cmd/internal/cmdtest"
	"twostage/data/datatest"
)

// torchFixtures holds the checkpoints scripts/torch_fixtures.py saved with
// the authors' code (width 2, 16-d embedding, a bank of 256 LCG images).
const torchFixtures = "../../nn/testdata/torch"

// TestTorchTestOnly: --test_only --resume FILE.t7 evaluates the authors'
// stage-1 checkpoint (legacy with CUDA storages, and zip) by kNN against
// its memory bank, adopting its width and embedding size, and prints the
// accuracy the authors' kNN computed.
func TestTorchTestOnly(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(torchFixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		KNN float64 `json:"knn_top1"`
	}
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := cmdtest.WriteCIFAR10(dir, datatest.LCGImages(256, 1), datatest.LCGImages(40, 2)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"stage1_legacy_cuda.t7", "stage1_zip.t7"} {
		r := cmdtest.Run(t, bin, "--dataset", "cifar10", "--data_dir", dir, "--model_dir", t.TempDir(),
			"--resume", filepath.Join(torchFixtures, f), "--test_only")
		cmdtest.MustSucceed(t, r)
		res := cmdtest.LastJSON(t, r, resultKeys...)
		if res["knn_top1"] != exp.KNN {
			t.Errorf("%s: knn_top1 %v, the authors' kNN gave %v", f, res["knn_top1"], exp.KNN)
		}
	}
	// A bank of 256 rows against 100 training images names the tensor.
	r := cmdtest.Run(t, bin, "--dataset", "cifar10", "--data_dir", dir, "--train_subset", "100", "--model_dir", t.TempDir(),
		"--resume", filepath.Join(torchFixtures, "stage1_zip.t7"), "--test_only")
	cmdtest.CleanError(t, r, "stage1_zip.t7", `"memory.bank" has shape [256 16]`)
}
