// Command finetune is the paper's semi-supervised experiment (Table 4): an
// encoder started from a stage-1 or stage-2 checkpoint (or from scratch),
// with a linear classifier on its pooled feature, fine-tuned as a whole on
// --labels labelled training images by --method supervised, pi (Π-model)
// or meanteacher (Mean Teacher), the test accuracy measured per epoch. It
// writes labels.csv (the labelled images), metrics.jsonl, finetune.png and
// finetune.safetensors to --model_dir and ends its standard output with one
// JSON line of results.
//
//	go run ./cmd/finetune --preset cpu --from runs/fmnist/stage2.safetensors --method meanteacher
//	go run ./cmd/finetune --preset cpu --from scratch --model_dir runs/ft-scratch
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"twostage/cmd/internal/cli"
	"twostage/finetune"
	"twostage/nn"
)

func main() {
	start := time.Now()
	cfg, from, resume := parseFlags(os.Args[1:])
	cli.Check(cfg.Validate())
	be, closeBE, err := cli.OpenBackend(cfg.Device, cfg.Threads)
	cli.Check(err)
	defer closeBE()
	// STL-10: the labelled images are chosen among its 5,000 training ones,
	// the 100,000 unlabelled join the unlabelled stream; the test split stays
	// out of training.
	train, test, err := cli.LoadData(cfg.Dataset, cfg.DataDir, cfg.Download, cfg.Subset, cfg.Dataset == "stl10")
	cli.Check(err)
	classes := len(train.Classes)
	for _, l := range train.Labels {
		classes = max(classes, l+1)
	}
	if classes < 2 {
		cli.Fatal(fmt.Errorf("--dataset %s: the training images have %d classes; fine-tuning needs labelled images of at least 2", cfg.Dataset, classes))
	}
	if u := cfg.BatchSize - cfg.LabeledBatch; u > train.N {
		cli.Fatal(fmt.Errorf("--batch_size %d: %d unlabelled images per step, more than the %d training images; HINT: lower --batch_size", cfg.BatchSize, u, train.N))
	}
	set, err := finetune.SelectLabels(train, cfg.Labels, cfg.Seed)
	cli.Check(err)
	cli.Check(os.MkdirAll(cfg.ModelDir, 0o755))
	fmt.Fprintf(os.Stderr, "data: %s, %d training images (%d labelled), %d test images, %d classes\n", cfg.Dataset, train.N, len(set), test.N, classes)

	tr := finetune.NewTrainer(be, cfg, classes, set, train, test)
	switch {
	case resume != nil:
		cli.Check(finetune.CheckLabels(cfg.ModelDir, set))
		cli.Check(tr.Restore(resume))
		fmt.Fprintf(os.Stderr, "resumed %s at epoch %d, batch %d\n", resume.Path, tr.Epoch, tr.Batch)
	case from != nil:
		cli.Check(tr.FromPretrained(from))
		fmt.Fprintf(os.Stderr, "encoder from %s (%s checkpoint)\n", from.Path, from.Kind())
		cli.Check(finetune.WriteLabels(cfg.ModelDir, set))
	default:
		fmt.Fprintln(os.Stderr, "encoder from scratch")
		cli.Check(finetune.WriteLabels(cfg.ModelDir, set))
	}
	res, err := run(cfg, tr)
	cli.Check(err)
	res["seconds"] = time.Since(start).Seconds()
	cli.Check(cli.FinalJSON(os.Stdout, res))
}

// parseFlags reads the command line. --resume continues a fine-tuning run
// under its saved config (flags given now override it: --epochs extends
// the run). Otherwise --from names the start: scratch, or a stage-1 or
// stage-2 checkpoint whose network, width, embedding size, data set and
// training subset are adopted unless given now.
func parseFlags(args []string) (cfg finetune.Config, from, resume *nn.Checkpoint) {
	cfg = finetune.DefaultConfig()
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	cli.ParseFlags(fs, args)
	if fs.NArg() > 0 {
		cli.Fatal(fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0)))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	switch {
	case cfg.Resume != "":
		resume = cli.Must(nn.LoadCheckpoint(cli.ResolveCheckpoint(cfg.Resume, cfg.ModelDir)))
		saved := cli.Must(finetune.ConfigOf(resume))
		fs = flag.NewFlagSet("finetune", flag.ContinueOnError)
		saved.RegisterFlags(fs)
		cli.ParseFlags(fs, args)
		cfg = saved
		for _, f := range []string{"from", "method", "labels", "network", "dataset", "train_subset"} {
			if given[f] {
				cli.Fatal(fmt.Errorf("--%s: a resumed run keeps the saved run's (%s); HINT: start a new run in another --model_dir instead", f, valueOf(fs, f)))
			}
		}
	case cfg.From == "":
		cli.Fatal(fmt.Errorf("--from is required: scratch, or a stage-1 or stage-2 checkpoint. HINT: --from %s/stage2.safetensors, or --from scratch", cfg.ModelDir))
	case cfg.From == "scratch":
		cli.Check(cli.ApplyPreset(fs, cfg.Preset, finetune.Presets))
	default:
		from = cli.Must(nn.LoadAny(cli.ResolveCheckpoint(cfg.From, cfg.ModelDir)))
		cli.Check(adoptArch(fs, given, &cfg, from))
	}
	cli.PrintFlags(os.Stdout, fs)
	return cfg, from, resume
}

// adoptArch applies the preset and then takes the encoder's shape and the
// data from the checkpoint ck unless given (a mismatch then fails to load,
// naming the tensor). The authors' .t7 files save no config: only width and
// embedding size come from them.
func adoptArch(fs *flag.FlagSet, given map[string]bool, cfg *finetune.Config, ck *nn.Checkpoint) error {
	if ck.IsTorch() {
		return cli.AdoptTorchArch(fs, cfg.Preset, finetune.Presets, ck, &cfg.Width, &cfg.LowDim)
	}
	if err := cli.ApplyPreset(fs, cfg.Preset, finetune.Presets); err != nil {
		return err
	}
	if ck.Kind() == finetune.Kind {
		return fmt.Errorf("%s: a fine-tuning checkpoint; HINT: continue it with --resume, or give --from its stage-1 or stage-2 checkpoint", ck.Path)
	}
	return cli.AdoptArch(given, ck, cli.Arch{Width: &cfg.Width, LowDim: &cfg.LowDim, Subset: &cfg.Subset, Dataset: &cfg.Dataset, Network: &cfg.Network})
}

// valueOf is flag name's value in fs.
func valueOf(fs *flag.FlagSet, name string) string { return fs.Lookup(name).Value.String() }
