package stage2

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"twostage/autograd"
	"twostage/data"
	"twostage/nn"
	"twostage/tensor"
)

// Trainer runs stage 2. Its exported fields are the whole training state.
type Trainer struct {
	Cfg     Config
	BE      tensor.Backend
	Model   *nn.Encoder
	Heads   *Heads
	Opt     *nn.SGD
	Classes int

	Epoch    int        // the next epoch to run
	Batch    int        // batches of that epoch already done (an interrupted epoch resumes here)
	Partial  EpochStats // sums over those batches
	BestLoss float64    // lowest epoch loss so far (+Inf before any)
	// LastHeadLoss is each head's mean loss in the last full epoch: it
	// picks the answer's head (nil before the first epoch).
	LastHeadLoss []float64

	Train, Test *data.Dataset
	loader      *data.Loader
	names       []string
	pair        []float32 // host staging of a batch's two views, reused
}

// EpochStats summarises one epoch.
type EpochStats struct {
	Epoch    int
	LR       float64
	Loss     float64   // mean total loss (λ·CP + mean IIC over heads)
	CP       float64   // mean consistency-preserving loss
	HeadLoss []float64 // mean IIC loss of each head
	Batches  int
	Images   int
	Seconds  float64
}

// NewTrainer builds the encoder (weights come from a checkpoint next), the
// fixed heads drawn from the seed, and the optimiser over the encoder only.
func NewTrainer(be tensor.Backend, cfg Config, classes int, train, test *data.Dataset) *Trainer {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x57a9e2))
	dim, err := HeadNormDim(cfg.HeadNorm)
	if err != nil { // Config.Validate rejects a bad --head_norm first
		panic("stage2: NewTrainer: " + err.Error())
	}
	size := min(train.H, train.W)
	model := nn.NewEncoder(be, rng, nn.EncoderConfig{Network: cfg.Network, Width: cfg.Width, LowDim: cfg.LowDim, InChannels: train.C, ImageSize: size})
	t := &Trainer{
		Cfg: cfg, BE: be, Model: model, Classes: classes,
		Heads:    NewHeads(be, rng, cfg.Heads, cfg.LowDim, classes, float32(cfg.TauC), dim),
		Opt:      nn.NewSGD(nn.Params(model), float32(cfg.LR), float32(cfg.Momentum), float32(cfg.WD), true),
		BestLoss: math.Inf(1),
		Train:    train, Test: test,
		names: nn.ParamNames(model),
	}
	aug := data.DefaultAugment(train)
	aug.ScaleMin = cfg.CropMin
	t.loader = data.NewLoader(train, data.LoaderConfig{
		BatchSize: cfg.BatchSize, Workers: cfg.Workers, Prefetch: 2, Seed: cfg.Seed ^ 0x2,
		TwoViews: true, Shuffle: true, DropLast: true, Aug: aug,
	})
	return t
}

// Augment is the training transform of the run's views (--crop_min sets
// its smallest crop).
func (t *Trainer) Augment() *data.Augment { return t.loader.Augment() }

// Schedule is the learning-rate schedule (the stage-1 formula).
func (t *Trainer) Schedule() nn.Schedule {
	return nn.Schedule{Base: t.Cfg.LR, DecayStart: t.Cfg.DecayStart, DecayEvery: t.Cfg.DecayEvery}
}

// Done reports whether every epoch has run.
func (t *Trainer) Done() bool { return t.Epoch >= t.Cfg.Epochs }

// NaNError reports a non-finite loss.
type NaNError struct {
	Epoch, Batch int
	Loss         float64
}

func (e *NaNError) Error() string {
	return fmt.Sprintf("loss is %v at epoch %d, batch %d; stopping without saving (the last good checkpoint is kept). HINT: lower --lr",
		e.Loss, e.Epoch, e.Batch)
}

// Step trains on one batch and returns the total loss, the CP loss and the
// IIC loss of each head.
func (t *Trainer) Step(b *data.Batch) (loss, cp float64, heads []float64, err error) {
	be := t.BE
	t.Opt.ZeroGrad() // gradients outlive the step: allocate them outside the scope
	be.BeginScope()  // every tensor of the step is recycled at its end
	defer be.EndScope()
	c, s := t.Train.C, t.loader.Size()
	per := c * s * s
	t.pair = b.Pair(t.pair, per)
	x := tensor.FromFloat32(be, tensor.Shape{2 * b.N, c, s, s}, t.pair)
	f := t.Model.Forward(autograd.Const(x), true)
	cpl := nn.AugLoss(f, float32(t.Cfg.BatchM), float32(t.Cfg.BatchT))
	var mi *autograd.Var
	heads = make([]float64, len(t.Heads.W))
	for h := range t.Heads.W {
		z := t.Heads.Probs(f, h)
		l := IICLoss(autograd.Narrow(z, 0, 0, b.N), autograd.Narrow(z, 0, b.N, b.N))
		heads[h] = float64(l.Val.Item())
		if mi == nil {
			mi = l
		} else {
			mi = autograd.Add(mi, l)
		}
	}
	total := autograd.Add(autograd.Scale(cpl, float32(t.Cfg.CPWeight)), autograd.Scale(mi, 1/float32(len(heads))))
	loss, cp = float64(total.Val.Item()), float64(cpl.Val.Item())
	if !isFinite(loss) {
		return loss, cp, heads, &NaNError{Epoch: t.Epoch, Loss: loss}
	}
	total.Backward()
	t.Opt.Step()
	return loss, cp, heads, be.Err()
}

// RunEpoch trains epoch t.Epoch and advances it. A cancelled ctx stops
// between batches with ctx.Err(); t.Batch and t.Partial then record how far
// the epoch got, so a checkpoint taken now resumes exactly there.
func (t *Trainer) RunEpoch(ctx context.Context, progress func(batch, batches int, loss float64)) (EpochStats, error) {
	st := &t.Partial
	if t.Batch == 0 {
		*st = EpochStats{HeadLoss: make([]float64, len(t.Heads.W))}
	}
	st.Epoch, st.LR = t.Epoch, t.Schedule().At(t.Epoch)
	t.Opt.LR = float32(st.LR)
	start := time.Now()
	nb := t.loader.Batches()
	seen := 0
	for b := range t.loader.Epoch(t.Epoch) {
		if seen < t.Batch { // done before an interruption
			seen++
			continue
		}
		seen++
		if err := ctx.Err(); err != nil {
			return *st, err
		}
		loss, cp, heads, err := t.Step(b)
		if err != nil {
			if ne, ok := err.(*NaNError); ok {
				ne.Batch = t.Batch
			}
			return *st, err
		}
		st.Loss += loss
		st.CP += cp
		for h, l := range heads {
			st.HeadLoss[h] += l
		}
		t.Batch++
		st.Images += b.N
		if progress != nil {
			progress(t.Batch, nb, st.Loss/float64(t.Batch))
		}
	}
	out := *st
	out.HeadLoss = append([]float64(nil), st.HeadLoss...)
	out.Batches = t.Batch
	n := math.Max(1, float64(t.Batch))
	out.Loss, out.CP = out.Loss/n, out.CP/n
	for h := range out.HeadLoss {
		out.HeadLoss[h] /= n
	}
	out.Seconds = time.Since(start).Seconds()
	t.Batch, t.Partial = 0, EpochStats{}
	t.LastHeadLoss = out.HeadLoss
	t.BestLoss = math.Min(t.BestLoss, out.Loss)
	t.Epoch++
	return out, nil
}

// BestHead is the head with the lowest mean training loss (the method's
// answer; the first one on ties).
func BestHead(headLoss []float64) int {
	best := 0
	for h, l := range headLoss {
		if l < headLoss[best] {
			best = h
		}
	}
	return best
}
