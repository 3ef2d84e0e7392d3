package superand_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
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
	second, err := restored(t, first, cfg)
	if err != nil {
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
	cancelAt(t, a, 2)
	b, err := restored(t, a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	run(t, b, -1)
	sameBits(t, snapshot(straight), snapshot(b))
}

// cancelAt runs tr's current epoch and cancels it after batch `at`, as
// Ctrl-C would: the trainer then records where the epoch stopped.
func cancelAt(t *testing.T, tr *superand.Trainer, at int) {
	t.Helper()
	round := tr.Round
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := tr.RunEpoch(ctx, func(b, nb int, _ float64) {
		if b == at {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) || tr.Round != round || tr.Batch != at {
		t.Fatalf("err %v at round %d batch %d, want a cancel at round %d batch %d", err, tr.Round, tr.Batch, round, at)
	}
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

// restored saves tr's checkpoint to a file and restores it into a fresh
// trainer of cfg (the config of the continuing run).
func restored(t *testing.T, tr *superand.Trainer, cfg superand.Config) (*superand.Trainer, error) {
	t.Helper()
	ck, err := tr.Checkpoint()
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
	next := superand.NewTrainer(tr.BE, cfg, tr.Train, nil)
	return next, next.Restore(loaded)
}

// TestExtendSchedule: a finished run extended with more epochs per round
// (from the end of its only round) or with more rounds (at a round
// boundary) continues as the uninterrupted longer run, bit for bit.
func TestExtendSchedule(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 1)
	long := tinyConfig() // 2 rounds × 2 epochs
	straight := superand.NewTrainer(be, long, train, nil)
	run(t, straight, -1)
	for _, c := range []struct {
		name           string
		rounds, epochs int
		round, epoch   int // where the extended run resumes
	}{
		{"epochs 1 to 2", 1, 1, 0, 1},
		{"rounds 1 to 2", 1, 2, 1, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			short := long
			short.Rounds, short.Epochs = c.rounds, c.epochs
			first := superand.NewTrainer(be, short, train, nil)
			run(t, first, -1)
			if !first.Done() {
				t.Fatal("the short run did not finish")
			}
			next, err := restored(t, first, long)
			if err != nil {
				t.Fatal(err)
			}
			if next.Round != c.round || next.Epoch != c.epoch || next.Done() {
				t.Fatalf("extended run resumes at round %d epoch %d (done %v), want round %d epoch %d",
					next.Round, next.Epoch, next.Done(), c.round, c.epoch)
			}
			run(t, next, -1)
			sameBits(t, snapshot(straight), snapshot(next))
		})
	}
}

// TestInterruptLaterRound: a run cancelled mid-epoch in round 1, after
// anchor discovery, restores its anchors and neighbours and finishes as
// the uninterrupted run.
func TestInterruptLaterRound(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 3)
	cfg := tinyConfig()
	straight := superand.NewTrainer(be, cfg, train, nil)
	run(t, straight, -1)

	a := superand.NewTrainer(be, cfg, train, nil)
	run(t, a, 2) // round 1, epoch 0
	if n, _ := a.Discover(); n == 0 {
		t.Fatal("round 1 found no anchors: the test proves nothing")
	}
	cancelAt(t, a, 1)
	b, err := restored(t, a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.NB.Position, a.NB.Position) || fmt.Sprint(b.NB.Neighbours) != fmt.Sprint(a.NB.Neighbours) {
		t.Fatal("anchors and neighbours not restored")
	}
	run(t, b, -1)
	sameBits(t, snapshot(straight), snapshot(b))
}

// TestContinue: the position of a checkpoint in a schedule with other
// epochs per round, and the cases that cannot be an uninterrupted run.
func TestContinue(t *testing.T) {
	for _, c := range []struct {
		saved, round, epoch, batch, epochs int
		wantRound, wantEpoch               int
		err                                string
	}{
		{5, 0, 3, 7, 5, 0, 3, ""}, // same schedule: unchanged
		{5, 3, 0, 0, 5, 3, 0, ""}, // same schedule, later round
		{1, 1, 0, 0, 3, 0, 1, ""}, // end of round 0, longer rounds
		{2, 0, 1, 4, 4, 0, 1, ""}, // inside round 0
		{5, 0, 3, 0, 3, 1, 0, ""}, // exactly the new length: round 0 ends
		{5, 0, 3, 2, 3, 0, 0, "cannot be shortened"},
		{5, 0, 4, 0, 3, 0, 0, "cannot be shortened"},
		{2, 2, 0, 0, 4, 0, 0, "only a run still in its first round"},
		{2, 1, 1, 0, 4, 0, 0, "only a run still in its first round"},
	} {
		r, e, err := superand.Continue(c.saved, c.round, c.epoch, c.batch, c.epochs)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: err %v, want %q", c, err, c.err)
			}
			continue
		}
		if err != nil || r != c.wantRound || e != c.wantEpoch {
			t.Errorf("%+v: got round %d epoch %d err %v", c, r, e, err)
		}
	}
}

// TestCropMin: --crop_min sets the smallest crop of the views' transform
// (default the reference's 0.2); values outside (0,1] are refused by name.
func TestCropMin(t *testing.T) {
	cfg := tinyConfig()
	train := datatest.Bands(48, 1)
	if got := superand.NewTrainer(&kernels.CPU{}, cfg, train, nil).Augment().ScaleMin; got != 0.2 {
		t.Fatalf("default crop min %v, want 0.2", got)
	}
	cfg.CropMin = 0.5
	if got := superand.NewTrainer(&kernels.CPU{}, cfg, train, nil).Augment().ScaleMin; got != 0.5 {
		t.Fatalf("--crop_min 0.5: transform's crop min %v", got)
	}
	for _, bad := range []float64{0, -0.1, 1.5, math.NaN()} {
		cfg.CropMin = bad
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--crop_min") {
			t.Errorf("--crop_min %v: Validate %v, want an error naming --crop_min", bad, err)
		}
	}
}
