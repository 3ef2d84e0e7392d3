package finetune

import (
	"flag"
	"fmt"

	"twostage/nn"
)

// The methods of --method.
const (
	Supervised  = "supervised"
	PiModel     = "pi"
	MeanTeacher = "meanteacher"
)

// Config holds every setting of a fine-tuning run. The data and encoder flags
// are the stages' names; the optimiser is the supplementary §B's.
type Config struct {
	Dataset  string // --dataset
	DataDir  string // --data_dir
	Download bool   // --download
	Subset   int    // --train_subset: first N training images (0 = all)
	Device   string // --device: cpu or cuda
	Workers  int    // --workers
	Threads  int    // --threads
	Width    int    // --width (a checkpoint's unless given)
	LowDim   int    // --low_dim: the encoder's embedding size (unused by the classifier, kept so checkpoints load)
	Network  string // --network: resnet18 or wrn28_2 (a checkpoint's unless given)

	From         string  // --from: "scratch", or a stage-1 / stage-2 checkpoint whose encoder starts the run
	Labels       int     // --labels: labelled training images, balanced per class
	Method       string  // --method: supervised, pi or meanteacher
	BatchSize    int     // --batch_size: images per step, labelled ones included
	LabeledBatch int     // --labeled_batch_size: labelled images per step
	LR           float64 // --lr (§B: 0.005 for CIFAR-10, 0.001 for SVHN)
	Momentum     float64 // --momentum (Nesterov, §B: 0.9)
	WD           float64 // --weight_decay
	Epochs       int     // --epochs (§B: 180)
	DecayStart   int     // --lr_decay_start
	DecayEvery   int     // --lr_decay_every
	Consistency  float64 // --consistency: the maximum weight w_max of the consistency loss
	RampUp       int     // --rampup: epochs of the Gaussian ramp-up of w(t) (and of the lower EMA decay)
	EMADecay     float64 // --ema_decay: the teacher's EMA decay after the ramp-up
	EMADecayRamp float64 // --ema_decay_rampup: the teacher's EMA decay during the ramp-up
	EvalEvery    int     // --eval_every
	ModelDir     string  // --model_dir
	Resume       string  // --resume: a fine-tuning checkpoint to continue
	Seed         uint64  // --seed: the labelled images, the classifier, the batches
	Preset       string  // --preset: paper or cpu
}

// DefaultConfig returns the supplementary §B's CIFAR-10 settings. The
// schedule "×0.1 every 40 epochs after the first 80" is, in nn.Schedule's
// formula, origin 40 and step 40: drops at epochs 80, 120 and 160. The
// consistency settings are the two papers': w_max 100 ramped up over 80
// epochs with exp(−5(1−t)²) (Laine & Aila), EMA decay 0.99 during the
// ramp-up and 0.999 after (Tarvainen & Valpola). 31 of 128 images labelled
// is the Mean Teacher code's CIFAR-10 proportion (62 of 256). The weight
// decay, which §B does not give, is the stages' 5e-4.
func DefaultConfig() Config {
	return Config{
		Dataset: "cifar10", Device: "cpu", Width: 64, LowDim: 128, Network: nn.NetworkResNet18,
		Labels: 4000, Method: Supervised, BatchSize: 128, LabeledBatch: 31,
		LR: 0.005, Momentum: 0.9, WD: 5e-4, Epochs: 180, DecayStart: 40, DecayEvery: 40,
		Consistency: 100, RampUp: 80, EMADecay: 0.999, EMADecayRamp: 0.99,
		EvalEvery: 1, ModelDir: "checkpoint", Seed: 1567010775, Preset: "paper",
	}
}

// Presets are bundles of flag values; flags given explicitly win.
var Presets = map[string]map[string]string{
	"paper": {},
	// cpu: minutes on two cores, the main job's data (the first 5,000
	// Fashion-MNIST images, width 8) with 100 labels; a higher rate and a
	// short ramp-up since the run is short. Not yet tuned by timed runs.
	"cpu": {
		"dataset": "fashion-mnist", "width": "8", "train_subset": "5000", "labels": "100",
		"epochs": "6", "lr": "0.05", "lr_decay_start": "6", "lr_decay_every": "2", "rampup": "2",
		"consistency": "10",
	},
}

// RegisterFlags binds the config to flags of fs.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "data set: cifar10, cifar100, cifar20, stl10, svhn, fashion-mnist, mnist, folder")
	fs.StringVar(&c.DataDir, "data_dir", c.DataDir, "data directory (default: the data set's usual place)")
	fs.BoolVar(&c.Download, "download", c.Download, "download the data set if it is missing")
	fs.IntVar(&c.Subset, "train_subset", c.Subset, "use the first N training images (0 = all)")
	fs.StringVar(&c.Device, "device", c.Device, "compute device: cpu or cuda")
	fs.IntVar(&c.Workers, "workers", c.Workers, "data loader goroutines (0 = all cores)")
	fs.IntVar(&c.Threads, "threads", c.Threads, "compute threads (0 = all cores)")
	fs.IntVar(&c.Width, "width", c.Width, "base width of the resnet18 towers (taken from --from's checkpoint unless given)")
	fs.IntVar(&c.LowDim, "low_dim", c.LowDim, "the encoder's embedding size (taken from --from's checkpoint unless given)")
	fs.StringVar(&c.Network, "network", c.Network, "encoder: resnet18 or wrn28_2 (taken from --from's checkpoint unless given)")
	fs.StringVar(&c.From, "from", c.From, "where the encoder starts: scratch, or a stage-1 or stage-2 checkpoint")
	fs.IntVar(&c.Labels, "labels", c.Labels, "labelled training images, balanced per class, chosen by --seed (written to labels.csv)")
	fs.StringVar(&c.Method, "method", c.Method, "supervised, pi (Π-model) or meanteacher (Mean Teacher)")
	fs.IntVar(&c.BatchSize, "batch_size", c.BatchSize, "images per step, the labelled ones included")
	fs.IntVar(&c.LabeledBatch, "labeled_batch_size", c.LabeledBatch, "labelled images per step")
	fs.Float64Var(&c.LR, "lr", c.LR, "base learning rate")
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "SGD momentum (Nesterov)")
	fs.Float64Var(&c.WD, "weight_decay", c.WD, "weight decay")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "epochs (one pass over the training images each)")
	fs.IntVar(&c.DecayStart, "lr_decay_start", c.DecayStart, "learning rate schedule: decay origin epoch (lr·0.1^⌊(epoch−start)/every⌋ from it on)")
	fs.IntVar(&c.DecayEvery, "lr_decay_every", c.DecayEvery, "learning rate schedule: epochs per ×0.1")
	fs.Float64Var(&c.Consistency, "consistency", c.Consistency, "maximum weight w_max of the consistency loss (pi, meanteacher)")
	fs.IntVar(&c.RampUp, "rampup", c.RampUp, "epochs of the ramp-up w(t) = w_max·exp(−5(1−t)²) (and of --ema_decay_rampup)")
	fs.Float64Var(&c.EMADecay, "ema_decay", c.EMADecay, "the teacher's EMA decay after the ramp-up (meanteacher)")
	fs.Float64Var(&c.EMADecayRamp, "ema_decay_rampup", c.EMADecayRamp, "the teacher's EMA decay during the ramp-up (meanteacher)")
	fs.IntVar(&c.EvalEvery, "eval_every", c.EvalEvery, "test accuracy every N epochs")
	fs.StringVar(&c.ModelDir, "model_dir", c.ModelDir, "directory for the checkpoint, labels.csv, metrics.jsonl and the plot")
	fs.StringVar(&c.Resume, "resume", c.Resume, "a fine-tuning checkpoint to continue")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed")
	fs.StringVar(&c.Preset, "preset", c.Preset, "settings bundle: paper or cpu (explicit flags override it)")
}

// Validate rejects settings that cannot run, naming the flag and value.
func (c *Config) Validate() error {
	var v nn.FlagChecks
	v.Check(c.Width < 1, "width", c.Width, "must be at least 1")
	v.Check(c.LowDim < 1, "low_dim", c.LowDim, "must be at least 1")
	v.Check(c.From == "", "from", `""`, "is required: scratch, or a stage-1 or stage-2 checkpoint")
	v.Check(c.Labels < 1, "labels", c.Labels, "must be at least 1")
	v.Check(c.Method != Supervised && c.Method != PiModel && c.Method != MeanTeacher, "method", c.Method, "must be supervised, pi or meanteacher")
	v.Check(c.LabeledBatch < 1, "labeled_batch_size", c.LabeledBatch, "must be at least 1")
	v.Check(c.BatchSize <= c.LabeledBatch, "batch_size", c.BatchSize, fmt.Sprintf("must exceed --labeled_batch_size %d (the rest are unlabelled images)", c.LabeledBatch))
	v.Check(!(c.LR > 0), "lr", c.LR, "must be positive")
	v.Check(!(c.Momentum >= 0 && c.Momentum < 1), "momentum", c.Momentum, "must be in [0, 1)")
	v.Check(!(c.WD >= 0), "weight_decay", c.WD, "must not be negative")
	v.Check(c.Epochs < 0, "epochs", c.Epochs, "must not be negative")
	v.Check(c.DecayEvery < 1, "lr_decay_every", c.DecayEvery, "must be at least 1")
	v.Check(!(c.Consistency >= 0), "consistency", c.Consistency, "must not be negative")
	v.Check(c.RampUp < 0, "rampup", c.RampUp, "must not be negative")
	v.Check(!(c.EMADecay >= 0 && c.EMADecay < 1), "ema_decay", c.EMADecay, "must be in [0, 1)")
	v.Check(!(c.EMADecayRamp >= 0 && c.EMADecayRamp < 1), "ema_decay_rampup", c.EMADecayRamp, "must be in [0, 1)")
	v.Check(c.EvalEvery < 1, "eval_every", c.EvalEvery, "must be at least 1")
	v.Check(c.Subset < 0, "train_subset", c.Subset, "must not be negative")
	v.Check(c.Device != "cpu" && c.Device != "cuda", "device", c.Device, "must be cpu or cuda")
	if err := v.Err(); err != nil {
		return err
	}
	return nn.CheckNetwork(c.Network)
}
