package stage2_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/stage2"
)

// torchFixtures holds the checkpoints scripts/torch_fixtures.py saved with
// the authors' code, and what their code computed from them.
const torchFixtures = "../nn/testdata/torch"

type torchExpected struct {
	Width      int
	LowDim     int `json:"low_dim"`
	Classes    int
	Test       struct{ N, Seed int }
	Embeddings []float32 `json:"test_embeddings"`
	Clusters   [][]int   `json:"head_clusters"`
}

func readTorchExpected(t *testing.T) torchExpected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(torchFixtures, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e torchExpected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// torchTrainer is a stage-2 trainer shaped like the fixtures' run, whose
// training and test sets are both the fixture's test images.
func torchTrainer(e torchExpected) *stage2.Trainer {
	cfg := stage2.DefaultConfig()
	cfg.Width, cfg.LowDim, cfg.BatchSize, cfg.Workers = e.Width, e.LowDim, 8, 1
	ds := datatest.LCGImages(e.Test.N, uint32(e.Test.Seed))
	return stage2.NewTrainer(&kernels.CPU{}, cfg, e.Classes, ds, ds)
}

// TestRestoreTorchHeads evaluates the authors' stage-2 checkpoints (legacy,
// and zip with CUDA storages) with their heads: every head puts every test
// image in the cluster the authors' Multi_head_fc chose in PyTorch.
func TestRestoreTorchHeads(t *testing.T) {
	e := readTorchExpected(t)
	for _, file := range []string{"stage2_legacy.t7", "stage2_zip_cuda.t7"} {
		t.Run(file, func(t *testing.T) {
			ck, err := nn.LoadAny(filepath.Join(torchFixtures, file))
			if err != nil {
				t.Fatal(err)
			}
			tr := torchTrainer(e)
			if err := tr.Restore(ck); err != nil {
				t.Fatal(err)
			}
			ev := tr.Evaluate(tr.Test)
			for h, want := range e.Clusters {
				if !slices.Equal(ev.Preds[h], want) {
					t.Errorf("head %d clusters %v, the authors' %v", h, ev.Preds[h], want)
				}
			}
			if tr.Epoch != 0 || tr.LastHeadLoss != nil || !math.IsInf(tr.BestLoss, 1) {
				t.Errorf("epoch %d, head losses %v, best loss %v: want a fresh run's", tr.Epoch, tr.LastHeadLoss, tr.BestLoss)
			}
		})
	}
}

// TestFromTorchStage1: stage 2 starts from the authors' stage-1 .t7 with
// their encoder (the embeddings are PyTorch's).
func TestFromTorchStage1(t *testing.T) {
	e := readTorchExpected(t)
	ck, err := nn.LoadAny(filepath.Join(torchFixtures, "stage1_legacy_cuda.t7"))
	if err != nil {
		t.Fatal(err)
	}
	tr := torchTrainer(e)
	if err := tr.FromStage1(ck); err != nil {
		t.Fatal(err)
	}
	ev := tr.Evaluate(tr.Test)
	worst := 0.0
	for i, w := range e.Embeddings {
		worst = max(worst, math.Abs(float64(ev.Embeddings[i]-w)))
	}
	// The loader scales pixels by ·(1/255) where the script divides by 255
	// (1 ulp per input), and the fixture's projection is centred (its bias
	// cancels the mean feature), which amplifies that: 1.4e-5 measured.
	if worst > 5e-5 {
		t.Fatalf("embeddings differ from PyTorch's by up to %.3g", worst)
	}
}

// TestRestoreTorchMismatch: other heads, classes or normalisation are
// errors naming the file.
func TestRestoreTorchMismatch(t *testing.T) {
	e := readTorchExpected(t)
	path := filepath.Join(torchFixtures, "stage2_legacy.t7")
	ck, err := nn.LoadAny(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*torchExpected, *stage2.Config)
		want string
	}{
		{"classes", func(x *torchExpected, _ *stage2.Config) { x.Classes = 3 }, `"heads.0.weight" has shape [16 10], the model needs [16,3]`},
		{"heads", func(_ *torchExpected, c *stage2.Config) { c.Heads = 4 }, "5 heads saved, this run has --heads 4"},
		{"norm", func(_ *torchExpected, c *stage2.Config) { c.HeadNorm = "cols" }, "--head_norm cols"},
	} {
		t.Run(c.name, func(t *testing.T) {
			x := e
			cfg := stage2.DefaultConfig()
			cfg.Width, cfg.LowDim, cfg.Workers = e.Width, e.LowDim, 1
			c.edit(&x, &cfg)
			ds := datatest.LCGImages(e.Test.N, uint32(e.Test.Seed))
			err := stage2.NewTrainer(&kernels.CPU{}, cfg, x.Classes, ds, ds).Restore(ck)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and containing %s", err, path, c.want)
			}
		})
	}
}
