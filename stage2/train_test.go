package stage2_test

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"twostage/data"
	"twostage/data/datatest"
	"twostage/kernels"
	"twostage/nn"
	"twostage/stage2"
	"twostage/superand"
)

// tinyConfig is a stage-2 run small enough for a unit test: width 2, 8-d
// embedding, batches of 16 (three per epoch of 48 images), a schedule
// that decays within the run so resume must restore the learning rate too.
func tinyConfig() stage2.Config {
	cfg := stage2.DefaultConfig()
	cfg.Dataset = "tiny"
	cfg.Width, cfg.LowDim, cfg.BatchSize = 2, 8, 16
	cfg.Epochs, cfg.DecayStart, cfg.DecayEvery = 4, 1, 2
	cfg.Workers = 2
	cfg.Seed = 7
	return cfg
}

// stage1Config matches tinyConfig's encoder (width, embedding size).
func stage1Config() superand.Config {
	cfg := superand.DefaultConfig()
	cfg.Width, cfg.LowDim, cfg.BatchSize = 2, 8, 16
	cfg.Rounds, cfg.Epochs = 1, 3
	cfg.DecayStart, cfg.DecayEvery, cfg.UEEvery = 1, 1, 1
	cfg.KNNK = 5
	cfg.Workers = 2
	cfg.Seed = 7
	return cfg
}

// run trains up to stopAfter epochs (-1: until done).
func run(t *testing.T, tr *stage2.Trainer, stopAfter int) []stage2.EpochStats {
	t.Helper()
	var out []stage2.EpochStats
	for n := 0; !tr.Done() && n != stopAfter; n++ {
		st, err := tr.RunEpoch(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, st)
	}
	return out
}

// snapshot copies the trainer's float state: every encoder parameter and
// BN buffer, every optimiser momentum buffer and every head's weights.
func snapshot(tr *stage2.Trainer) map[string][]float32 {
	out := map[string][]float32{}
	for _, e := range tr.Model.State("") {
		if e.Counter == nil {
			out[e.Name] = e.Tensor().Float32s()
		}
	}
	for i, b := range tr.Opt.Buf {
		out["optim."+strconv.Itoa(i)] = b.Float32s()
	}
	for _, e := range tr.Heads.State("") {
		out[e.Name] = e.Buffer.Float32s()
	}
	return out
}

// sameBits fails unless a and b hold the same keys and bit-identical values.
func sameBits(t *testing.T, a, b map[string][]float32) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d entries vs %d", len(a), len(b))
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || len(va) != len(vb) {
			t.Fatalf("%s: missing or of another length", k)
		}
		for i := range va {
			if math.Float32bits(va[i]) != math.Float32bits(vb[i]) {
				t.Fatalf("%s[%d]: %v != %v", k, i, va[i], vb[i])
			}
		}
	}
}

// saveLoad writes a checkpoint to a temporary file and reads it back, as a resumed
// process would.
func saveLoad(t *testing.T, checkpoint func() (*nn.Checkpoint, error)) *nn.Checkpoint {
	t.Helper()
	ck, err := checkpoint()
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
	return loaded
}

// TestResumeEquivalence: 4 epochs straight equal 2 epochs, a checkpoint
// through a file, a fresh trainer restored from it and 2 more, bit for bit
// (weights, BN statistics, momentum buffers, heads), with the same
// per-epoch losses and the same loss bookkeeping.
func TestResumeEquivalence(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 1)
	cfg := tinyConfig()
	straight := stage2.NewTrainer(be, cfg, 3, train, nil)
	want := run(t, straight, -1)

	first := stage2.NewTrainer(be, cfg, 3, train, nil)
	run(t, first, 2)
	ck := saveLoad(t, first.Checkpoint)
	second := stage2.NewTrainer(be, cfg, 3, train, nil)
	if err := second.Restore(ck); err != nil {
		t.Fatal(err)
	}
	if second.Epoch != 2 || second.Batch != 0 {
		t.Fatalf("restored at epoch %d batch %d, want 2, 0", second.Epoch, second.Batch)
	}
	got := run(t, second, -1)
	sameBits(t, snapshot(straight), snapshot(second))
	for i, st := range got {
		if w := want[2+i]; st.Loss != w.Loss || st.LR != w.LR || st.Epoch != w.Epoch {
			t.Errorf("epoch %d: loss %v lr %v, straight run %v %v", st.Epoch, st.Loss, st.LR, w.Loss, w.LR)
		}
	}
	if second.BestLoss != straight.BestLoss {
		t.Errorf("best loss %v, straight %v", second.BestLoss, straight.BestLoss)
	}
	for h := range straight.LastHeadLoss {
		if second.LastHeadLoss[h] != straight.LastHeadLoss[h] {
			t.Errorf("head %d loss %v, straight %v", h, second.LastHeadLoss[h], straight.LastHeadLoss[h])
		}
	}
}

// TestInterruptResume: cancelling in the middle of the second epoch and
// resuming from the checkpoint taken then gives the uninterrupted result,
// including the statistics of the interrupted epoch.
func TestInterruptResume(t *testing.T) {
	be := &kernels.CPU{}
	train := datatest.Bands(48, 2)
	cfg := tinyConfig()
	cfg.Epochs = 2
	straight := stage2.NewTrainer(be, cfg, 3, train, nil)
	want := run(t, straight, -1)

	a := stage2.NewTrainer(be, cfg, 3, train, nil)
	run(t, a, 1)
	ctx, cancel := context.WithCancel(context.Background())
	_, err := a.RunEpoch(ctx, func(b, nb int, _ float64) {
		if b == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || a.Epoch != 1 || a.Batch != 2 {
		t.Fatalf("err %v, epoch %d batch %d; want context.Canceled at epoch 1 batch 2", err, a.Epoch, a.Batch)
	}
	ck := saveLoad(t, a.Checkpoint)
	b := stage2.NewTrainer(be, cfg, 3, train, nil)
	if err := b.Restore(ck); err != nil {
		t.Fatal(err)
	}
	if b.Epoch != 1 || b.Batch != 2 {
		t.Fatalf("restored at epoch %d batch %d, want 1, 2", b.Epoch, b.Batch)
	}
	got := run(t, b, -1)
	sameBits(t, snapshot(straight), snapshot(b))
	if len(got) != 1 || got[0].Loss != want[1].Loss || got[0].CP != want[1].CP || got[0].Batches != want[1].Batches {
		t.Fatalf("resumed epoch %+v, straight %+v", got, want[1])
	}
}

// TestNaNStops: a non-finite loss is a *NaNError naming the epoch and the
// batch; the failing batch changes nothing (no update, no counter moves),
// so the state is still the last good one.
func TestNaNStops(t *testing.T) {
	be := &kernels.CPU{}
	tr := stage2.NewTrainer(be, tinyConfig(), 3, datatest.Bands(48, 3), nil)
	run(t, tr, 1)
	best, last := tr.BestLoss, append([]float64(nil), tr.LastHeadLoss...)
	var before map[string][]float32
	_, err := tr.RunEpoch(context.Background(), func(b, nb int, _ float64) {
		if b == 2 { // poison one weight: the next batch's loss is NaN
			w := tr.Model.Linear.Weight.Val
			h := w.Float32s()
			h[0] = float32(math.NaN())
			be.Upload(w, h)
			before = snapshot(tr)
		}
	})
	var ne *stage2.NaNError
	if !errors.As(err, &ne) || ne.Epoch != 1 || ne.Batch != 2 || !math.IsNaN(ne.Loss) {
		t.Fatalf("got %v, want a NaNError at epoch 1, batch 2", err)
	}
	for _, w := range []string{"epoch 1", "batch 2", "NaN"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if tr.Epoch != 1 || tr.Batch != 2 || tr.Partial.Images != 2*16 {
		t.Errorf("counters moved: epoch %d batch %d images %d", tr.Epoch, tr.Batch, tr.Partial.Images)
	}
	if tr.BestLoss != best || len(tr.LastHeadLoss) != len(last) || tr.LastHeadLoss[0] != last[0] {
		t.Errorf("epoch bookkeeping moved: best %v (was %v), head losses %v (were %v)", tr.BestLoss, best, tr.LastHeadLoss, last)
	}
	// BN running statistics do move: the forward pass in training mode
	// updates them before the loss is known, as PyTorch's does; the command
	// then exits without saving, so the last checkpoint keeps good ones.
	after := snapshot(tr)
	for k := range after {
		if strings.Contains(k, "running_") {
			delete(after, k)
			delete(before, k)
		}
	}
	sameBits(t, before, after)
}

// TestHeadsFixed: the heads are constants. Their weights are bit-identical
// after training, none of them is (or shares storage with) an optimiser
// parameter, and every feature row of Ŵ is a unit vector (the default form).
func TestHeadsFixed(t *testing.T) {
	be := &kernels.CPU{}
	cfg := tinyConfig()
	cfg.Epochs = 1
	tr := stage2.NewTrainer(be, cfg, 3, datatest.Bands(48, 4), nil)
	if len(tr.Heads.W) != cfg.Heads || len(tr.Heads.Hat) != cfg.Heads {
		t.Fatalf("%d heads (%d normalised), want %d", len(tr.Heads.W), len(tr.Heads.Hat), cfg.Heads)
	}
	if got, want := len(tr.Opt.Params), len(nn.Params(tr.Model)); got != want {
		t.Fatalf("optimiser has %d parameters, the encoder %d", got, want)
	}
	for _, p := range tr.Opt.Params {
		for h := range tr.Heads.W {
			if p.Val == tr.Heads.W[h] || p.Val == tr.Heads.Hat[h].Val || p == tr.Heads.Hat[h] {
				t.Fatalf("head %d is in the optimiser", h)
			}
		}
	}
	w0, hat0 := headValues(tr), hatValues(tr)
	enc0 := tr.Model.Linear.Weight.Val.Float32s()
	run(t, tr, -1)
	sameBits(t, w0, headValues(tr))
	sameBits(t, hat0, hatValues(tr))
	if sameFloats(enc0, tr.Model.Linear.Weight.Val.Float32s()) {
		t.Fatal("the encoder did not change either: the test proves nothing")
	}
	checkHeadNorm(t, tr, cfg.LowDim, 3, stage2.NormRows)
}

// TestHeadNormCols: --head_norm cols (the paper's Eq. 13) gives unit class
// columns; the default (the authors' code) unit feature rows.
func TestHeadNormCols(t *testing.T) {
	cfg := tinyConfig()
	cfg.HeadNorm = "cols"
	checkHeadNorm(t, stage2.NewTrainer(&kernels.CPU{}, cfg, 3, datatest.Bands(48, 4), nil), cfg.LowDim, 3, stage2.NormCols)
	if _, err := stage2.HeadNormDim("columns"); err == nil {
		t.Fatal("--head_norm columns accepted")
	}
	cfg.HeadNorm = "row"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--head_norm row") {
		t.Fatalf("Validate: %v, want an error naming --head_norm row", err)
	}
}

// checkHeadNorm asserts that every normalised head [d,c] has unit vectors
// along dim (NormRows: each of the d rows; NormCols: each of the c columns).
func checkHeadNorm(t *testing.T, tr *stage2.Trainer, d, c, dim int) {
	t.Helper()
	if dim != stage2.NormRows && dim != stage2.NormCols {
		t.Fatalf("dim %d", dim)
	}
	outer, inner := c, d // NormCols: for each column j, sum over rows i
	if dim == stage2.NormRows {
		outer, inner = d, c
	}
	for h, hat := range tr.Heads.Hat {
		v := hat.Val.Float32s()
		for a := 0; a < outer; a++ {
			var s float64
			for b := 0; b < inner; b++ {
				x := v[b*c+a] // column a, row b
				if dim == stage2.NormRows {
					x = v[a*c+b] // row a, column b
				}
				s += float64(x) * float64(x)
			}
			if math.Abs(math.Sqrt(s)-1) > 1e-6 { // float32 rounding of ≤ 8 squares
				t.Errorf("head %d vector %d along dim %d has norm %v", h, a, dim, math.Sqrt(s))
			}
		}
	}
}

func headValues(tr *stage2.Trainer) map[string][]float32 {
	out := map[string][]float32{}
	for _, e := range tr.Heads.State("") {
		out[e.Name] = e.Buffer.Float32s()
	}
	return out
}

func hatValues(tr *stage2.Trainer) map[string][]float32 {
	out := map[string][]float32{}
	for h, v := range tr.Heads.Hat {
		out[strconv.Itoa(h)] = v.Val.Float32s()
	}
	return out
}

func sameFloats(a, b []float32) bool {
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return len(a) == len(b)
}

// stage1Checkpoint trains a stage-1 trainer for epochs epochs on train and
// returns it and its checkpoint read back from a file.
func stage1Checkpoint(t *testing.T, train *data.Dataset, epochs int) (*superand.Trainer, *nn.Checkpoint) {
	t.Helper()
	cfg := stage1Config()
	cfg.Epochs = max(epochs, 1)
	s1 := superand.NewTrainer(&kernels.CPU{}, cfg, train, nil)
	for n := 0; n < epochs; n++ {
		if _, err := s1.RunEpoch(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	return s1, saveLoad(t, s1.Checkpoint)
}

// TestFromStage1 loads the encoder of a stage-1 checkpoint: every
// parameter, BN statistic and counter equals the stage-1 model's, and the
// optimiser starts fresh.
func TestFromStage1(t *testing.T) {
	train := datatest.Bands(48, 5)
	s1, ck := stage1Checkpoint(t, train, 1)
	tr := stage2.NewTrainer(&kernels.CPU{}, tinyConfig(), 3, train, nil)
	if err := tr.FromStage1(ck); err != nil {
		t.Fatal(err)
	}
	want, got := s1.Model.State(""), tr.Model.State("")
	if len(want) != len(got) {
		t.Fatalf("%d state entries, stage 1 has %d", len(got), len(want))
	}
	for i, e := range want {
		if e.Counter != nil {
			if *got[i].Counter != *e.Counter {
				t.Errorf("%s: %d, stage 1 %d", e.Name, *got[i].Counter, *e.Counter)
			}
			continue
		}
		if !sameFloats(e.Tensor().Float32s(), got[i].Tensor().Float32s()) {
			t.Errorf("%s differs from the stage-1 model", e.Name)
		}
	}
	for i, s := range tr.Opt.Started {
		if s {
			t.Fatalf("optimiser buffer %d is started: stage 2 must begin with a fresh SGD", i)
		}
	}
	if tr.Epoch != 0 || tr.Batch != 0 {
		t.Errorf("counters %d/%d after loading stage 1", tr.Epoch, tr.Batch)
	}
}

// TestCheckpointKinds: FromStage1 refuses a stage-2 (or any other)
// checkpoint and Restore a stage-1 one, each naming the file and the kind;
// an encoder of another width is refused, naming a tensor.
func TestCheckpointKinds(t *testing.T) {
	train := datatest.Bands(48, 6)
	_, ck1 := stage1Checkpoint(t, train, 0)
	tr := stage2.NewTrainer(&kernels.CPU{}, tinyConfig(), 3, train, nil)
	ck2 := saveLoad(t, tr.Checkpoint)
	other := nn.NewCheckpoint("embeddings")
	other.Path = "emb.safetensors"
	for _, c := range []struct {
		name string
		err  error
		want []string
	}{
		{"FromStage1(stage2)", tr.FromStage1(ck2), []string{ck2.Path, `"stage2"`, "stage-1"}},
		{"FromStage1(embeddings)", tr.FromStage1(other), []string{"emb.safetensors", `"embeddings"`}},
		{"Restore(superand)", tr.Restore(ck1), []string{ck1.Path, `"superand"`}},
	} {
		if c.err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(c.err.Error(), w) {
				t.Errorf("%s: %q does not mention %s", c.name, c.err, w)
			}
		}
	}
	wide := tinyConfig()
	wide.Width = 4
	tw := stage2.NewTrainer(&kernels.CPU{}, wide, 3, train, nil)
	if err := tw.FromStage1(ck1); err == nil || !strings.Contains(err.Error(), ck1.Path) {
		t.Errorf("a width-4 encoder loaded a width-2 checkpoint: %v", err)
	}
}

// TestLearns: a few stage-2 epochs on the blob set give clusters whose
// accuracy (the head with the lowest training loss, on held-out images) is
// well above chance (1/3). It starts from scratch at width 4, 32-d: the
// eval-mode embeddings of a fresh or briefly (stage-1) trained width-2
// encoder lie in a narrow cone (mean pairwise cosine > 0.99), where every
// image falls in the same cluster of the τc = 0.1 heads and the IIC gradient
// vanishes; at width 4 the CP loss opens the cone (cosine ≈ 0.85) within
// about five epochs and the heads then split the classes (0.67 from epoch 6
// on for seeds 7 and 8 at lr 0.03 and 0.1, 1.0 at times).
func TestLearns(t *testing.T) {
	train, test := datatest.Bands(96, 7), datatest.Bands(30, 8)
	cfg := tinyConfig()
	cfg.Width, cfg.LowDim, cfg.LR = 4, 32, 0.03
	cfg.Epochs, cfg.DecayStart, cfg.DecayEvery = 8, 100, 1
	tr := stage2.NewTrainer(&kernels.CPU{}, cfg, 3, train, test)
	run(t, tr, -1)
	ev := tr.Evaluate(test)
	if len(ev.Embeddings) != test.N*cfg.LowDim || len(ev.Preds) != cfg.Heads || len(ev.Scores) != cfg.Heads ||
		len(ev.Preds[0]) != test.N || len(ev.Labels) != test.N {
		t.Fatalf("evaluation shapes: %d embeddings, %d heads' predictions, %d scores", len(ev.Embeddings), len(ev.Preds), len(ev.Scores))
	}
	h := stage2.BestHead(tr.LastHeadLoss)
	s := ev.Scores[h]
	t.Logf("head %d: acc %.3f nmi %.3f ari %.3f (head losses %.3g)", h, s.Acc, s.NMI, s.ARI, tr.LastHeadLoss)
	if s.Acc < 0.55 {
		t.Fatalf("accuracy %.3f of the lowest-loss head after %d epochs, want >= 0.55 (chance 1/3)", s.Acc, cfg.Epochs)
	}
}

// TestScore: Hungarian accuracy, mapping, NMI and ARI on hand cases;
// unlabelled images (-1) are left out, and no labels at all give NaN.
func TestScore(t *testing.T) {
	// A perfect clustering under renamed clusters: 2→0, 0→1, 1→2.
	s := stage2.Score([]int{2, 2, 0, 0, 1, 1, 0}, []int{0, 0, 1, 1, 2, 2, -1}, 3)
	if s.Acc != 1 || math.Abs(s.NMI-1) > 1e-12 || math.Abs(s.ARI-1) > 1e-12 {
		t.Errorf("perfect clustering scored %+v", s)
	}
	if len(s.Mapping) != 3 || s.Mapping[2] != 0 || s.Mapping[0] != 1 || s.Mapping[1] != 2 {
		t.Errorf("mapping %v, want [1 2 0]", s.Mapping)
	}
	// One of six images in the wrong cluster: accuracy 5/6. ARI by hand:
	// contingency rows {2,0,0},{0,2,0},{0,1,1}: Σ C(n_ij,2) = 2, rows
	// Σ C(a_i,2) = 3, columns Σ C(b_j,2) = 1+3+0 = 4, C(6,2) = 15, so
	// ARI = (2 − 3·4/15) / ((3+4)/2 − 3·4/15) = 1.2/2.7.
	s = stage2.Score([]int{0, 0, 1, 1, 1, 2}, []int{0, 0, 1, 1, 2, 2}, 3)
	if math.Abs(s.Acc-5.0/6) > 1e-12 || math.Abs(s.ARI-1.2/2.7) > 1e-12 {
		t.Errorf("acc %v ari %v, want %v %v", s.Acc, s.ARI, 5.0/6, 1.2/2.7)
	}
	if !(s.NMI > 0 && s.NMI < 1) {
		t.Errorf("nmi %v, want in (0,1)", s.NMI)
	}
	s = stage2.Score([]int{0, 1}, []int{-1, -1}, 2)
	if !math.IsNaN(s.Acc) || !math.IsNaN(s.NMI) || !math.IsNaN(s.ARI) || s.Mapping != nil {
		t.Errorf("no labels scored %+v, want NaN", s)
	}
}

// TestConfusion: rows are true classes, columns the classes the clusters
// map to; unlabelled images and unmapped clusters are not counted.
func TestConfusion(t *testing.T) {
	pred := []int{2, 2, 0, 0, 1, 0, 1, 3}
	labels := []int{0, 0, 1, 1, 2, 2, -1, 0}
	mapping := []int{1, 2, 0, -1} // cluster 3 matched no class
	got := stage2.Confusion(pred, mapping, labels, 3)
	want := [][]int{
		{2, 0, 0}, // class 0: two in cluster 2 (→0); the cluster-3 image is dropped
		{0, 2, 0}, // class 1: two in cluster 0 (→1)
		{0, 1, 1}, // class 2: cluster 1 (→2) and cluster 0 (→1)
	}
	for i := range want {
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Fatalf("confusion %v, want %v", got, want)
			}
		}
	}
}

// TestWritePredictions writes a hand case and reads the exact CSV back.
func TestWritePredictions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pred.csv")
	if err := stage2.WritePredictions(path, []int{1, 0, 2}, []int{2, 0}, []int{0, -1, 1}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := "index,cluster,mapped_class,label\n0,1,0,0\n1,0,2,-1\n2,2,-1,1\n"
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d files beside the CSV: a temporary file was left", len(entries)-1)
	}
	if err := stage2.WritePredictions(filepath.Join(t.TempDir(), "no", "such", "dir.csv"), []int{0}, nil, []int{0}); err == nil ||
		!strings.Contains(err.Error(), "dir.csv") {
		t.Errorf("writing into a missing directory: %v", err)
	}
}

// TestCropMin: --crop_min sets the smallest crop of the views' transform
// (default the paper's 0.2); values outside (0,1] are refused by name.
func TestCropMin(t *testing.T) {
	cfg := tinyConfig()
	ds := datatest.Bands(48, 4)
	if got := stage2.NewTrainer(&kernels.CPU{}, cfg, 3, ds, nil).Augment().ScaleMin; got != 0.2 {
		t.Fatalf("default crop min %v, want 0.2", got)
	}
	cfg.CropMin = 0.5
	if got := stage2.NewTrainer(&kernels.CPU{}, cfg, 3, ds, nil).Augment().ScaleMin; got != 0.5 {
		t.Fatalf("--crop_min 0.5: transform's crop min %v", got)
	}
	for _, bad := range []float64{0, -0.1, 1.5, math.NaN()} {
		cfg.CropMin = bad
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "--crop_min") {
			t.Errorf("--crop_min %v: Validate %v, want an error naming --crop_min", bad, err)
		}
	}
}
