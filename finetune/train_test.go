package finetune

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"testing"

	"twostage/data"
	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
)

// tinyConfig is a run of a width-2 encoder on 24 images, 6 of them
// labelled: 4 steps of 2 labelled + 6 unlabelled images per epoch.
func tinyConfig(method string) Config {
	c := DefaultConfig()
	c.Width, c.LowDim, c.Labels, c.Method, c.From = 2, 8, 6, method, "scratch"
	c.BatchSize, c.LabeledBatch, c.Epochs, c.Workers, c.LR = 8, 2, 2, 1, 0.05
	c.RampUp, c.Consistency, c.DecayStart, c.DecayEvery = 2, 10, 2, 1
	return c
}

func newTiny(t *testing.T, cfg Config, train *data.Dataset) *Trainer {
	t.Helper()
	set, err := SelectLabels(train, cfg.Labels, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return NewTrainer(&kernels.CPU{}, cfg, 3, set, train, datatest.Bands(12, 9))
}

// epochs runs the trainer to its end (or n epochs when n ≥ 0).
func epochs(t *testing.T, tr *Trainer, n int) []EpochStats {
	t.Helper()
	var out []EpochStats
	for i := 0; !tr.Done() && (n < 0 || i < n); i++ {
		st, err := tr.RunEpoch(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// saveLoad writes tr's checkpoint to a file and reads it back.
func saveLoad(t *testing.T, tr *Trainer) *nn.Checkpoint {
	t.Helper()
	ck, err := tr.Checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ft.safetensors")
	if err := ck.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := nn.LoadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	return loaded
}

// sameState fails unless the two trainers' checkpoints hold the same
// tensors bit for bit (student, teacher, momentum buffers, labels).
func sameState(t *testing.T, a, b *Trainer) {
	t.Helper()
	ca, _ := a.Checkpoint()
	cb, _ := b.Checkpoint()
	if len(ca.Tensors) != len(cb.Tensors) {
		t.Fatalf("%d tensors vs %d", len(ca.Tensors), len(cb.Tensors))
	}
	for name, ta := range ca.Tensors {
		tb := cb.Tensors[name]
		for i := range ta.F32 {
			if math.Float32bits(ta.F32[i]) != math.Float32bits(tb.F32[i]) {
				t.Fatalf("%s[%d]: %v vs %v", name, i, ta.F32[i], tb.F32[i])
			}
		}
		for i := range ta.I64 {
			if ta.I64[i] != tb.I64[i] {
				t.Fatalf("%s[%d]: %v vs %v", name, i, ta.I64[i], tb.I64[i])
			}
		}
	}
}

// TestInterruptResume: for each method, a run cancelled in the middle of
// its second epoch and continued from its checkpoint by a fresh trainer
// ends bit for bit as the uninterrupted run, with the same statistics of
// the interrupted epoch.
func TestInterruptResume(t *testing.T) {
	for _, m := range []string{Supervised, PiModel, MeanTeacher} {
		t.Run(m, func(t *testing.T) {
			train := datatest.Bands(24, 3)
			cfg := tinyConfig(m)
			straight := newTiny(t, cfg, train)
			want := epochs(t, straight, -1)

			a := newTiny(t, cfg, train)
			epochs(t, a, 1)
			ctx, cancel := context.WithCancel(context.Background())
			_, err := a.RunEpoch(ctx, func(b, nb int, _ EpochStats) {
				if b == 2 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) || a.Epoch != 1 || a.Batch != 2 || a.Step != 6 {
				t.Fatalf("err %v, epoch %d batch %d step %d; want context.Canceled at epoch 1 batch 2 step 6", err, a.Epoch, a.Batch, a.Step)
			}
			b := newTiny(t, cfg, train)
			if err := b.Restore(saveLoad(t, a)); err != nil {
				t.Fatal(err)
			}
			got := epochs(t, b, -1)
			sameState(t, straight, b)
			if len(got) != 1 || got[0].Loss != want[1].Loss || got[0].Consistency != want[1].Consistency || got[0].Correct != want[1].Correct {
				t.Errorf("resumed epochs %+v, straight %+v", got, want[1:])
			}
			if m != Supervised && !(want[1].Consistency > 0) {
				t.Errorf("%s: consistency loss %v, want > 0", m, want[1].Consistency)
			}
		})
	}
}

// TestTeacherIsEMA: after one step the teacher equals the student (the
// first step's α is 0); after more it differs from it but stays finite.
func TestTeacherIsEMA(t *testing.T) {
	train := datatest.Bands(24, 3)
	tr := newTiny(t, tinyConfig(MeanTeacher), train)
	ctx, cancel := context.WithCancel(context.Background())
	tr.RunEpoch(ctx, func(b, _ int, _ EpochStats) { cancel() })
	tp, _ := tr.Teacher.Trained()
	sp, _ := tr.Student.Trained()
	for i := range tp {
		tv, sv := tp[i].Val.Float32s(), sp[i].Val.Float32s()
		for k := range tv {
			if tv[k] != sv[k] {
				t.Fatalf("after step 0: teacher param %d[%d] = %v, student %v", i, k, tv[k], sv[k])
			}
		}
	}
	epochs(t, tr, -1)
	differ := false
	tp, _ = tr.Teacher.Trained()
	sp, _ = tr.Student.Trained()
	for i := range tp {
		tv, sv := tp[i].Val.Float32s(), sp[i].Val.Float32s()
		for k := range tv {
			differ = differ || tv[k] != sv[k]
		}
	}
	if !differ {
		t.Error("after 8 steps the teacher still equals the student")
	}
	if err := nn.CheckFinite(tr.Teacher); err != nil {
		t.Error(err)
	}
}

// TestNaNStops: a poisoned weight makes the next loss NaN: a *NaNError
// naming the epoch and batch, and no optimiser step.
func TestNaNStops(t *testing.T) {
	train := datatest.Bands(24, 3)
	tr := newTiny(t, tinyConfig(PiModel), train)
	_, err := tr.RunEpoch(context.Background(), func(b, _ int, _ EpochStats) {
		if b == 2 {
			w := tr.Student.FC.Weight.Val
			v := w.Float32s()
			v[0] = float32(math.NaN())
			w.Backend().Upload(w, v)
		}
	})
	var ne *NaNError
	if !errors.As(err, &ne) || ne.Epoch != 0 || ne.Batch != 2 {
		t.Fatalf("got %v, want a NaNError at epoch 0, batch 2", err)
	}
	if tr.Step != 2 {
		t.Errorf("%d steps taken, want 2 (none for the NaN batch)", tr.Step)
	}
}

// TestFromPretrained: the encoder of a stage-1-kind checkpoint loads into
// the student and the teacher; the classifier is not in it; a fine-tuning
// checkpoint is refused with a hint to --resume.
func TestFromPretrained(t *testing.T) {
	train := datatest.Bands(24, 3)
	cfg := tinyConfig(MeanTeacher)
	src := newTiny(t, cfg, train)
	epochs(t, src, 1)
	ck := nn.NewCheckpoint("superand")
	ck.PutEncoder(src.Student.Enc)
	dst := newTiny(t, cfg, train)
	if err := dst.FromPretrained(ck); err != nil {
		t.Fatal(err)
	}
	want := src.Student.Enc.State("")
	for _, m := range []*Model{dst.Student, dst.Teacher} {
		for i, e := range m.Enc.State("") {
			if e.Counter != nil {
				continue
			}
			a, b := e.Tensor().Float32s(), want[i].Tensor().Float32s()
			for k := range a {
				if a[k] != b[k] {
					t.Fatalf("%s[%d] = %v, checkpoint %v", e.Name, k, a[k], b[k])
				}
			}
		}
	}
	fck, _ := src.Checkpoint()
	if err := dst.FromPretrained(fck); err == nil {
		t.Error("a fine-tuning checkpoint was taken as a pretrained encoder")
	}
}
