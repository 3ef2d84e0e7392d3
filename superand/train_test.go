package superand_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/superand"
)

func tinyConfig() superand.Config {
	cfg := superand.DefaultConfig()
	cfg.Width, cfg.LowDim, cfg.BatchSize = 2, 8, 16
	cfg.Rounds, cfg.Epochs = 2, 2
	cfg.DecayStart, cfg.DecayEvery, cfg.UEEvery = 1, 1, 1
	cfg.KNNK = 5
	cfg.Workers = 2
	cfg.Seed = 7
	return cfg
}

// run trains until done, starting with discovery at each round start.
func run(t *testing.T, tr *superand.Trainer, stopAfter int) {
	t.Helper()
	for n := 0; !tr.Done() && n != stopAfter; n++ {
		if tr.Epoch == 0 && tr.Batch == 0 {
			tr.Discover()
		}
		if _, err := tr.RunEpoch(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func snapshot(tr *superand.Trainer) map[string][]float32 {
	out := map[string][]float32{"memory": tr.Mem.Bank.Float32s()}
	for _, e := range tr.Model.State("") {
		if e.Counter == nil {
			out[e.Name] = e.Tensor().Float32s()
		}
	}
	return out
}

func sameBits(t *testing.T, a, b map[string][]float32) {
	t.Helper()
	for k, va := range a {
		vb := b[k]
		for i := range va {
			if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
				t.Fatalf("%s[%d]: %v != %v", k, i, va[i], vb[i])
			}
		}
	}
}

// TestResumeEquivalence: 4 epochs straight (2 rounds × 2) equal 2 epochs,
// a checkpoint, a fresh trainer restored from it, and 2 more — bit for bit,
// weights and memory bank.
func TestResumeEquivalence(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 1)
	cfg := tinyConfig()
	straight := superand.NewTrainer(be, cfg, train, nil)
	run(t, straight, -1)

	first := superand.NewTrainer(be, cfg, train, nil)
	run(t, first, 2) // stops at round 1, epoch 0
	ck, err := first.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	second := superand.NewTrainer(be, cfg, train, nil)
	if err := second.Restore(loaded); err != nil {
		t.Fatal(err)
	}
	if second.Round != 1 || second.Epoch != 0 {
		t.Fatalf("restored at round %d epoch %d", second.Round, second.Epoch)
	}
	run(t, second, -1)
	sameBits(t, snapshot(straight), snapshot(second))
}

// TestInterruptResume: cancelling mid-epoch and resuming from the
// checkpoint taken then gives the uninterrupted result.
func TestInterruptResume(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 2)
	cfg := tinyConfig()
	cfg.Rounds = 1
	straight := superand.NewTrainer(be, cfg, train, nil)
	run(t, straight, -1)

	a := superand.NewTrainer(be, cfg, train, nil)
	a.Discover()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := a.RunEpoch(ctx, func(b, nb int, _ float64) {
		if b == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || a.Batch != 2 {
		t.Fatalf("err %v, batch %d", err, a.Batch)
	}
	ck, err := a.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, _ := nn.LoadCheckpoint(path)
	b := superand.NewTrainer(be, cfg, train, nil)
	if err := b.Restore(loaded); err != nil {
		t.Fatal(err)
	}
	run(t, b, -1)
	sameBits(t, snapshot(straight), snapshot(b))
}

// TestNaNStops: a non-finite loss is an error naming the round, epoch and
// batch, and nothing is updated.
func TestNaNStops(t *testing.T) {
	be := &kernels.CPU{}
	tr := superand.NewTrainer(be, tinyConfig(), datatest.Bands(48, 3), nil)
	w := tr.Model.Linear.Weight.Val
	h := w.Float32s()
	h[0] = float32(math.NaN())
	be.Upload(w, h)
	_, err := tr.RunEpoch(context.Background(), nil)
	var ne *superand.NaNError
	if !errors.As(err, &ne) || ne.Epoch != 0 || ne.Batch != 0 {
		t.Fatalf("got %v", err)
	}
	if tr.Epoch != 0 || tr.Batch != 0 {
		t.Fatalf("counters moved: epoch %d batch %d", tr.Epoch, tr.Batch)
	}
}

// TestLearns: a few epochs on the blob set raise the kNN accuracy above
// chance (1/3), so the whole step (losses, backward, memory) does its job.
func TestLearns(t *testing.T) {
	be := &kernels.CPU{}
	cfg := tinyConfig()
	cfg.Rounds, cfg.Epochs = 1, 3
	train, test := datatest.Bands(96, 4), datatest.Bands(30, 5)
	tr := superand.NewTrainer(be, cfg, train, test)
	run(t, tr, -1)
	if acc := tr.KNN(); acc < 0.6 {
		t.Fatalf("kNN accuracy %.3f after 3 epochs, want >= 0.6", acc)
	}
}
