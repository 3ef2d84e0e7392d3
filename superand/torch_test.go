package superand_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/superand"
)

// torchFixtures holds the checkpoints scripts/torch_fixtures.py saved with
// the authors' code, and what their code computed from them.
const torchFixtures = "../nn/testdata/torch"

type torchExpected struct {
	Width      int
	LowDim     int `json:"low_dim"`
	Train      struct{ N, Seed int }
	Test       struct{ N, Seed int }
	KNN        float64 `json:"knn_top1"`
	KNN5       float64 `json:"knn_top1_k5"`
	Anchors    []int64
	Neighbours []int64
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

// torchTrainer is a trainer shaped like the fixtures' run (width, low_dim,
// the LCG images as training and test sets, the authors' kNN K and σ).
func torchTrainer(e torchExpected) *superand.Trainer {
	cfg := superand.DefaultConfig()
	cfg.Width, cfg.LowDim, cfg.BatchSize, cfg.Workers = e.Width, e.LowDim, 32, 1
	cfg.Epochs, cfg.Rounds = 6, 3
	cfg.KNNK, cfg.KNNSigma = 200, 0.1
	return superand.NewTrainer(&kernels.CPU{}, cfg, datatest.LCGImages(e.Train.N, uint32(e.Train.Seed)), datatest.LCGImages(e.Test.N, uint32(e.Test.Seed)))
}

// TestRestoreTorch evaluates the authors' stage-1 checkpoints (legacy with
// CUDA storages, zip) by kNN against their memory bank: the accuracy is the
// one the authors' lib/protocols.py kNN computed, and the anchors, the
// neighbours and the position are theirs.
func TestRestoreTorch(t *testing.T) {
	e := readTorchExpected(t)
	for _, file := range []string{"stage1_legacy_cuda.t7", "stage1_zip.t7"} {
		t.Run(file, func(t *testing.T) {
			ck, err := nn.LoadAny(filepath.Join(torchFixtures, file))
			if err != nil {
				t.Fatal(err)
			}
			tr := torchTrainer(e)
			if err := tr.Restore(ck); err != nil {
				t.Fatal(err)
			}
			if tr.Round != 1 || tr.Epoch != 5 || tr.Batch != 0 {
				t.Errorf("position round %d epoch %d batch %d, want round 1 epoch 5 (after the saved epoch 4)", tr.Round, tr.Epoch, tr.Batch)
			}
			if acc := tr.KNN(); acc != e.KNN {
				t.Errorf("kNN top-1 %v, the authors' kNN gave %v", acc, e.KNN)
			}
			tr.Cfg.KNNK = 5
			if acc := tr.KNN(); acc != e.KNN5 {
				t.Errorf("kNN top-1 with K=5: %v, the authors' kNN gave %v", acc, e.KNN5)
			}
			if len(tr.NB.Neighbours) != len(e.Anchors) {
				t.Fatalf("%d anchors, want %d", len(tr.NB.Neighbours), len(e.Anchors))
			}
			for r, a := range e.Anchors {
				if tr.NB.Position[a] != int64(r) || !slices.Equal(tr.NB.Neighbours[r], e.Neighbours[r:r+1]) {
					t.Fatalf("anchor %d (image %d): position %d, neighbours %v; want %d, %v", r, a, tr.NB.Position[a], tr.NB.Neighbours[r], r, e.Neighbours[r:r+1])
				}
			}
		})
	}
}

// TestRestoreTorchTrains: a run continues from a .t7 (fresh optimiser).
func TestRestoreTorchTrains(t *testing.T) {
	e := readTorchExpected(t)
	ck, err := nn.LoadAny(filepath.Join(torchFixtures, "stage1_zip.t7"))
	if err != nil {
		t.Fatal(err)
	}
	tr := torchTrainer(e)
	if err := tr.Restore(ck); err != nil {
		t.Fatal(err)
	}
	st, err := tr.RunEpoch(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Round != 1 || st.Epoch != 5 || tr.Round != 2 || tr.Epoch != 0 {
		t.Errorf("ran round %d epoch %d, now at %d/%d; want epoch 5 of round 1, then round 2", st.Round, st.Epoch, tr.Round, tr.Epoch)
	}
}

// TestRestoreTorchErrors: a bank of another size, and a schedule shorter
// than the file's, are errors naming the file.
func TestRestoreTorchErrors(t *testing.T) {
	e := readTorchExpected(t)
	path := filepath.Join(torchFixtures, "stage1_zip.t7")
	ck, err := nn.LoadAny(path)
	if err != nil {
		t.Fatal(err)
	}
	small := e
	small.Train.N = 100
	if err := torchTrainer(small).Restore(ck); err == nil || !strings.Contains(err.Error(), `"memory.bank" has shape [256 16]`) {
		t.Errorf("bank of 256 rows into 100 images: err = %v", err)
	}
	tr := torchTrainer(e)
	tr.Cfg.Epochs = 4
	if err := tr.Restore(ck); err == nil || !strings.Contains(err.Error(), "--epochs 4 is shorter") || !strings.Contains(err.Error(), path) {
		t.Errorf("--epochs 4 after epoch 4: err = %v", err)
	}
}
