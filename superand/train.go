package superand

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"twostage/autograd"
	"twostage/data"
	"twostage/metrics"
	"twostage/nn"
	"twostage/tensor"
)

// Trainer runs stage 1. Its exported fields are the whole training state:
// what a checkpoint saves and a resume restores.
type Trainer struct {
	Cfg   Config
	BE    tensor.Backend
	Model *nn.Encoder
	Mem   *Memory
	Opt   *nn.SGD
	NB    *Neighbourhoods

	Round, Epoch int     // the next epoch to run: epoch Epoch of round Round
	Batch        int     // batches of that epoch already done (an interrupted epoch resumes here)
	LossSum      float64 // sum of the losses of those batches
	PartSums     Parts   // and of their parts
	BestKNN      float64 // best kNN top-1 so far (−1 before any evaluation)
	LastKNN      float64

	Train, Test *data.Dataset
	loader      *data.Loader
	names       []string  // parameter state names, in Opt.Params order
	pair        []float32 // host staging of a batch's two views, reused
}

// Parts are the terms of the stage-1 loss: AND, augmentation, and the
// unification entropy (before its weight w(t); 0 while w(t) = 0).
type Parts struct{ AND, Aug, UE float64 }

func (p Parts) add(q Parts) Parts   { return Parts{p.AND + q.AND, p.Aug + q.Aug, p.UE + q.UE} }
func (p Parts) div(n float64) Parts { return Parts{p.AND / n, p.Aug / n, p.UE / n} }

// EpochStats summarises one epoch.
type EpochStats struct {
	Round, Epoch int
	LR, UEWeight float64
	Loss         float64 // mean total loss over the batches
	Parts        Parts   // mean of each part of the loss
	Batches      int
	Images       int
	Seconds      float64
}

// NewTrainer builds the model, memory bank and optimiser for the training
// set train (test may be nil: no kNN evaluation), drawing initial weights
// from the seed.
func NewTrainer(be tensor.Backend, cfg Config, train, test *data.Dataset) *Trainer {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	size := min(train.H, train.W)
	model := nn.NewEncoder(be, rng, nn.EncoderConfig{Network: cfg.Network, Width: cfg.Width, LowDim: cfg.LowDim, InChannels: train.C, ImageSize: size})
	t := &Trainer{
		Cfg: cfg, BE: be, Model: model,
		Mem:     NewMemory(be, rng, train.N, cfg.LowDim, float32(cfg.NPCT), float32(cfg.NPCM)),
		Opt:     nn.NewSGD(nn.Params(model), float32(cfg.LR), float32(cfg.Momentum), float32(cfg.WD), true),
		NB:      NoNeighbourhoods(train.N),
		BestKNN: -1, LastKNN: -1,
		Train: train, Test: test,
		names: nn.ParamNames(model),
	}
	aug := data.DefaultAugment(train)
	aug.ScaleMin = cfg.CropMin
	t.loader = data.NewLoader(train, data.LoaderConfig{
		BatchSize: cfg.BatchSize, Workers: cfg.Workers, Prefetch: 2, Seed: cfg.Seed,
		TwoViews: true, Shuffle: true, DropLast: true, Aug: aug,
	})
	return t
}

// Augment is the training transform of the run's views (--crop_min sets
// its smallest crop).
func (t *Trainer) Augment() *data.Augment { return t.loader.Augment() }

// Schedule is the learning-rate schedule of every round.
func (t *Trainer) Schedule() nn.Schedule {
	return nn.Schedule{Base: t.Cfg.LR, DecayStart: t.Cfg.DecayStart, DecayEvery: t.Cfg.DecayEvery}
}

// UEWeight is w(t) = 0.2·(epoch div ue_every), restarting each round.
func (t *Trainer) UEWeight(epoch int) float64 { return 0.2 * float64(epoch/t.Cfg.UEEvery) }

// Done reports whether every round and epoch has run.
func (t *Trainer) Done() bool { return t.Round >= t.Cfg.Rounds }

// NaNError reports a non-finite loss; the caller keeps its last checkpoint.
type NaNError struct {
	Round, Epoch, Batch int
	Loss                float64
}

func (e *NaNError) Error() string {
	return fmt.Sprintf("loss is %v at round %d, epoch %d, batch %d; stopping without saving (the last good checkpoint is kept). HINT: lower --lr",
		e.Loss, e.Round, e.Epoch, e.Batch)
}

// Discover runs anchor-neighbourhood discovery for the current round (a
// no-op in round 0) and returns the anchor/neighbour label consistency
// (−1 when labels are unknown). The reference does this at the start of
// every round r > 0.
func (t *Trainer) Discover() (anchors int, consistency float64) {
	if t.Round == 0 {
		t.NB = NoNeighbourhoods(t.Train.N)
		return 0, -1
	}
	d := Discover(t.Mem, t.Round, t.Cfg.ANsRate, t.Cfg.ANsSize, 1000)
	t.NB = d.Neighbourhoods
	same, total := 0, 0
	for a, i := range d.Anchors {
		la := t.Train.Labels[i]
		for _, n := range d.Neighbours[a] {
			if la >= 0 && t.Train.Labels[n] >= 0 {
				total++
				if la == t.Train.Labels[n] {
					same++
				}
			}
		}
	}
	if total == 0 {
		return len(d.Anchors), -1
	}
	return len(d.Anchors), float64(same) / float64(total)
}

// Step trains on one batch of two views and updates the memory bank. It
// returns the loss value (and adds its parts to t.PartSums).
func (t *Trainer) Step(b *data.Batch, ueW float32) (float64, error) {
	be := t.BE
	t.Opt.ZeroGrad() // gradients outlive the step: allocate them outside the scope
	be.BeginScope()  // every tensor of the step is recycled at its end
	defer be.EndScope()
	c, s := t.Train.C, t.loader.Size()
	per := c * s * s
	x := be.Empty(tensor.Float32, tensor.Shape{2 * b.N, c, s, s})
	t.pair = b.Pair(t.pair, per)
	be.Upload(x, t.pair)
	y := make([]int64, b.N)
	for i, v := range b.Index[:b.N] {
		y[i] = int64(v)
	}
	f := t.Model.Forward(autograd.Const(x), true)
	logits := t.Mem.Logits(f)
	and, aug := SandLossParts(logits, y, t.NB, float32(t.Cfg.BatchM), float32(t.Cfg.BatchT))
	loss := autograd.Add(and, aug)
	parts := Parts{AND: float64(and.Val.Item()), Aug: float64(aug.Val.Item())}
	if ueW > 0 {
		ue := UELoss(logits, y)
		parts.UE = float64(ue.Val.Item())
		loss = autograd.Add(loss, autograd.Scale(ue, ueW))
	}
	v := float64(loss.Val.Item())
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return v, &NaNError{Round: t.Round, Epoch: t.Epoch, Loss: v}
	}
	loss.Backward()
	t.Opt.Step()
	yt := tensor.FromInt64(be, tensor.Shape{b.N}, y)
	t.Mem.Update(f.Val, yt)
	t.PartSums = t.PartSums.add(parts)
	return v, be.Err()
}

// RunEpoch trains one epoch (epoch t.Epoch of round t.Round) and advances
// the counters (to the next round after the last epoch; the caller then
// runs Discover). progress, if not nil, is called after every batch. A
// cancelled ctx stops between batches with ctx.Err(); t.Batch and t.LossSum
// then record how far the epoch got, so a checkpoint taken now resumes
// exactly there (the loader replays the same batches, and the done ones are
// skipped).
func (t *Trainer) RunEpoch(ctx context.Context, progress func(batch, batches int, loss float64)) (EpochStats, error) {
	st := EpochStats{Round: t.Round, Epoch: t.Epoch, LR: t.Schedule().At(t.Epoch), UEWeight: t.UEWeight(t.Epoch)}
	t.Opt.LR = float32(st.LR)
	start := time.Now()
	nb := t.loader.Batches()
	// The loader's epoch index runs over all rounds so every epoch of the
	// run sees its own shuffle and augmentations.
	global := t.Round*t.Cfg.Epochs + t.Epoch
	seen := 0
	for b := range t.loader.Epoch(global) {
		if seen < t.Batch { // done before an interruption
			seen++
			continue
		}
		seen++
		if err := ctx.Err(); err != nil {
			return st, err
		}
		loss, err := t.Step(b, float32(st.UEWeight))
		if err != nil {
			if ne, ok := err.(*NaNError); ok {
				ne.Batch = t.Batch
			}
			return st, err
		}
		t.LossSum += loss
		t.Batch++
		st.Images += b.N
		if progress != nil {
			progress(t.Batch, nb, t.LossSum/float64(t.Batch))
		}
	}
	st.Batches = t.Batch
	st.Loss = t.LossSum / math.Max(1, float64(t.Batch))
	st.Parts = t.PartSums.div(math.Max(1, float64(t.Batch)))
	st.Seconds = time.Since(start).Seconds()
	t.Batch, t.LossSum, t.PartSums = 0, 0, Parts{}
	t.Epoch++
	if t.Epoch >= t.Cfg.Epochs {
		t.Epoch = 0
		t.Round++
	}
	return st, nil
}

// Embed returns the L2-normalised embeddings [N, LowDim] of ds with the test
// transform, in order (the model in evaluation mode).
func (t *Trainer) Embed(ds *data.Dataset) []float32 {
	return EmbedDataset(t.BE, t.Model, ds, min(t.Train.H, t.Train.W), 100)
}

// EmbedDataset embeds every image of ds with model in evaluation mode.
func EmbedDataset(be tensor.Backend, model *nn.Encoder, ds *data.Dataset, size, batch int) []float32 {
	out := make([]float32, 0, ds.N*model.Cfg.LowDim)
	for b := range data.EvalBatches(ds, batch, size) {
		out = append(out, model.Embed(be, b.View1, b.N, size)...)
	}
	return out
}

// KNN evaluates the weighted kNN top-1 accuracy of the test set against the
// memory bank (K, σ from the config), as the reference's kNN: the bank rows
// of labelled training images vote with weight exp(sim/σ).
func (t *Trainer) KNN() float64 {
	if t.Test == nil {
		return -1
	}
	feats := t.Embed(t.Test)
	bank := t.Mem.Bank.Float32s()
	d := t.Cfg.LowDim
	var rows []float32
	var labels []int
	classes := 0
	for i, l := range t.Train.Labels {
		if l < 0 {
			continue
		}
		rows = append(rows, bank[i*d:(i+1)*d]...)
		labels = append(labels, l)
		classes = max(classes, l+1)
	}
	// Only labelled test images are scored: an unlabelled one would count
	// as a miss (-1 is never predicted).
	var queries []float32
	var truth []int
	for i, l := range t.Test.Labels {
		if l >= 0 {
			queries = append(queries, feats[i*d:(i+1)*d]...)
			truth = append(truth, l)
		}
	}
	if len(labels) == 0 || len(truth) == 0 {
		return -1
	}
	acc := metrics.KNNAccuracy(rows, labels, queries, truth, d, min(t.Cfg.KNNK, len(labels)), t.Cfg.KNNSigma, classes)
	t.LastKNN = acc
	if acc > t.BestKNN {
		t.BestKNN = acc
	}
	return acc
}
