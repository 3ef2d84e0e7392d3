package finetune

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

// Trainer runs the fine-tuning. Its exported fields are the whole training
// state (what a checkpoint holds).
type Trainer struct {
	Cfg     Config
	BE      tensor.Backend
	Student *Model
	Teacher *Model // meanteacher only (nil otherwise)
	Opt     *nn.SGD
	Classes int
	Set     []Labelled // the labelled images

	Epoch   int        // the next epoch to run
	Batch   int        // batches of that epoch already done (an interrupted epoch resumes here)
	Step    int64      // optimiser steps taken over the whole run
	Partial EpochStats // sums over the batches of the current epoch

	Train, Test *data.Dataset
	names       []string // the optimised parameters' state names
	unl         *data.Loader
	lab         *labelStream
	size        int
	x1, x2      []float32 // host staging of a step's two views, reused
}

// EpochStats summarises one epoch: means over its steps.
type EpochStats struct {
	Epoch       int
	LR          float64
	Loss        float64 // total: CE + w·consistency
	CE          float64 // cross-entropy on the labelled images
	Consistency float64 // the consistency MSE (0 for supervised)
	Weight      float64 // w(t) of the last step (0 for supervised)
	LabeledAcc  float64 // the student's accuracy on the labelled images it trained on
	Correct     int     // of them, right
	Seen        int     // labelled images trained on
	Batches     int
	Seconds     float64
}

// NewTrainer builds the student (and for meanteacher the teacher, a copy of
// it), the optimiser over the student's trained parameters, the loader of
// the unlabelled images and the labelled stream. The encoder's weights
// come from a checkpoint next (FromPretrained, Restore) unless the run
// starts from scratch. set is the labelled images (SelectLabels).
func NewTrainer(be tensor.Backend, cfg Config, classes int, set []Labelled, train, test *data.Dataset) *Trainer {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0xf1e7))
	size := min(train.H, train.W)
	ecfg := nn.EncoderConfig{Network: cfg.Network, Width: cfg.Width, LowDim: cfg.LowDim, InChannels: train.C, ImageSize: size}
	t := &Trainer{Cfg: cfg, BE: be, Classes: classes, Set: set, Train: train, Test: test, size: size,
		Student: NewModel(be, rng, ecfg, classes)}
	params, names := t.Student.Trained()
	t.names = names
	t.Opt = nn.NewSGD(params, float32(cfg.LR), float32(cfg.Momentum), float32(cfg.WD), true)
	if cfg.Method == MeanTeacher {
		t.Teacher = NewModel(be, rng, ecfg, classes)
		t.Teacher.CopyFrom(t.Student)
	}
	aug := data.DefaultAugment(train) // the main experiment's; SVHN's affine in place of the flip
	t.unl = data.NewLoader(train, data.LoaderConfig{
		BatchSize: cfg.BatchSize - cfg.LabeledBatch, Workers: cfg.Workers, Prefetch: 2, Seed: cfg.Seed ^ 0x3,
		TwoViews: true, Shuffle: true, DropLast: true, Aug: aug,
	})
	t.lab = newLabelStream(train, set, aug, cfg.Seed^0x4)
	return t
}

// SyncTeacher copies the student into the teacher (after the student's
// weights were loaded from a pretrained checkpoint): the teacher starts
// from the same network, BN statistics included.
func (t *Trainer) SyncTeacher() {
	if t.Teacher != nil {
		t.Teacher.CopyFrom(t.Student)
	}
}

// Schedule is the learning-rate schedule (the stages' formula).
func (t *Trainer) Schedule() nn.Schedule {
	return nn.Schedule{Base: t.Cfg.LR, DecayStart: t.Cfg.DecayStart, DecayEvery: t.Cfg.DecayEvery}
}

// Batches is the number of steps of one epoch: one pass over the training
// images, BatchSize−LabeledBatch of them per step (for every method, so the
// three train for as many steps; supervised skips the unlabelled images).
func (t *Trainer) Batches() int { return t.unl.Batches() }

// Done reports whether every epoch has run.
func (t *Trainer) Done() bool { return t.Epoch >= t.Cfg.Epochs }

// NaNError reports a non-finite loss.
type NaNError struct {
	Epoch, Batch int
	Loss         float64
}

func (e *NaNError) Error() string {
	return fmt.Sprintf("loss is %v at epoch %d, batch %d; stopping without saving (the last good checkpoint is kept). HINT: lower --lr or --consistency",
		e.Loss, e.Epoch, e.Batch)
}

// stepOut is what one step reports.
type stepOut struct {
	loss, ce, cons, w float64
	correct, n        int
}

// trainStep trains on one step's images: the labelled stream's L images
// and, for pi and meanteacher, the unlabelled batch u (two views each).
// The batch of the consistency loss is [labelled; unlabelled].
func (t *Trainer) trainStep(u *data.Batch, progress float64) (stepOut, error) {
	be, cfg := t.BE, t.Cfg
	t.Opt.ZeroGrad() // gradients outlive the step: allocate them outside the scope
	be.BeginScope()
	defer be.EndScope()
	c, s, l := t.Train.C, t.size, cfg.LabeledBatch
	per := c * s * s
	semi := cfg.Method != Supervised
	n := l
	if semi {
		n += u.N
	}
	t.x1 = grow(t.x1, n*per)
	var v2 []float32
	if semi {
		t.x2 = grow(t.x2, n*per)
		v2 = t.x2[:l*per]
	}
	y := t.lab.batch(t.Step, l, t.x1[:l*per], v2)
	if semi {
		copy(t.x1[l*per:], u.View1[:u.N*per])
		copy(t.x2[l*per:], u.View2[:u.N*per])
	}
	x1 := autograd.Const(tensor.FromFloat32(be, tensor.Shape{n, c, s, s}, t.x1))
	z1 := t.Student.Forward(x1, true)
	ce := CrossEntropy(autograd.Narrow(z1, 0, 0, l), y)
	out := stepOut{n: l}
	total := ce
	if semi {
		out.w = RampWeight(progress, cfg.RampUp, cfg.Consistency)
		x2 := autograd.Const(tensor.FromFloat32(be, tensor.Shape{n, c, s, s}, t.x2))
		var z2 *autograd.Var
		if cfg.Method == PiModel {
			z2 = t.Student.Forward(x2, true) // the second stochastic pass
		} else {
			// The teacher runs in training mode (batch statistics, its
			// running statistics updated by its own passes), as the Mean
			// Teacher code runs ema_model.train(); no graph.
			autograd.NoGrad(func() { z2 = autograd.Const(t.Teacher.Forward(x2, true).Val) })
		}
		cons := ConsistencyMSE(z1, z2)
		out.cons = float64(cons.Val.Item())
		total = autograd.Add(ce, autograd.Scale(cons, float32(out.w)))
	}
	out.loss, out.ce = float64(total.Val.Item()), float64(ce.Val.Item())
	if math.IsNaN(out.loss) || math.IsInf(out.loss, 0) {
		return out, &NaNError{Epoch: t.Epoch, Loss: out.loss}
	}
	pred := autograd.Argmax(autograd.Narrow(z1, 0, 0, l).Val).Int64s()
	for i, p := range pred {
		if int(p) == y[i] {
			out.correct++
		}
	}
	total.Backward()
	t.Opt.Step()
	if t.Teacher != nil {
		decay := cfg.EMADecay
		if float64(t.Epoch) < float64(cfg.RampUp) {
			decay = cfg.EMADecayRamp
		}
		tp, _ := t.Teacher.Trained()
		sp, _ := t.Student.Trained()
		EMAUpdate(tp, sp, EMAAlpha(t.Step, decay))
	}
	t.Step++
	return out, be.Err()
}

// grow returns buf with length n, reallocating only when it is too short.
func grow(buf []float32, n int) []float32 {
	if cap(buf) < n {
		return make([]float32, n)
	}
	return buf[:n]
}

// RunEpoch trains epoch t.Epoch and advances it. A cancelled ctx stops
// between batches with ctx.Err(); t.Batch, t.Step and t.Partial then record
// how far the epoch got, so a checkpoint taken now resumes exactly there.
func (t *Trainer) RunEpoch(ctx context.Context, progress func(batch, batches int, st EpochStats)) (EpochStats, error) {
	st := &t.Partial
	if t.Batch == 0 {
		*st = EpochStats{}
	}
	st.Epoch, st.LR = t.Epoch, t.Schedule().At(t.Epoch)
	t.Opt.LR = float32(st.LR)
	start := time.Now()
	nb := t.Batches()
	one := func(u *data.Batch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		o, err := t.trainStep(u, float64(t.Epoch)+float64(t.Batch)/float64(nb))
		if err != nil {
			if ne, ok := err.(*NaNError); ok {
				ne.Batch = t.Batch
			}
			return err
		}
		k := float64(t.Batch)
		st.Loss, st.CE, st.Consistency = (st.Loss*k+o.loss)/(k+1), (st.CE*k+o.ce)/(k+1), (st.Consistency*k+o.cons)/(k+1)
		st.Correct, st.Seen = st.Correct+o.correct, st.Seen+o.n
		st.LabeledAcc, st.Weight = float64(st.Correct)/float64(st.Seen), o.w
		t.Batch++
		if progress != nil {
			progress(t.Batch, nb, *st)
		}
		return nil
	}
	if t.Cfg.Method == Supervised { // the unlabelled images are not needed
		for t.Batch < nb {
			if err := one(nil); err != nil {
				return *st, err
			}
		}
	} else {
		b := 0
		for u := range t.unl.Epoch(t.Epoch) {
			if b++; b <= t.Batch { // done before an interruption
				continue
			}
			if err := one(u); err != nil {
				return *st, err
			}
		}
	}
	out := *st
	out.Batches, out.Seconds = t.Batch, time.Since(start).Seconds()
	t.Batch, t.Partial = 0, EpochStats{}
	t.Epoch++
	return out, nil
}
