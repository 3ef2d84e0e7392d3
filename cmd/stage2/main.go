// Command stage2 runs stage 2 of the two-stage classifier: the stage-1
// encoder fine-tuned under fixed normalised-FC heads with the IIC and
// consistency-preserving losses, scored by Hungarian accuracy, NMI and ARI.
// It writes per-image predictions, a confusion matrix, a loss/accuracy plot
// and the embeddings to --model_dir, and ends its standard output with one
// JSON line of results.
//
//	go run ./cmd/stage2 --preset cpu --resume checkpoint/superand.safetensors
//	go run ./cmd/stage2 --assign kmeans --resume ...   # the sequential baseline
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"twostage/cmd/internal/cli"
	"twostage/nn"
	"twostage/stage2"
)

func main() {
	start := time.Now()
	cfg, ck := parseFlags(os.Args[1:])
	cli.Check(cfg.Validate())
	be, closeBE, err := cli.OpenBackend(cfg.Device, cfg.Threads)
	cli.Check(err)
	defer closeBE()
	train, test, err := cli.LoadData(cfg.Dataset, cfg.DataDir, cfg.Download, cfg.Subset, false)
	cli.Check(err)
	classes := clusterCount(cfg, train)
	if classes == 0 { // a flat folder: the heads need a number of clusters
		cli.Fatal(fmt.Errorf("--dataset %s: the training images have no classes, so stage 2 has no number of clusters; "+
			"HINT: give it with --clusters K, or put the images in one sub-folder per class (root/train/<class>/*.png)", cfg.Dataset))
	}
	if !cfg.TestOnly && cfg.Assign == "heads" && cfg.BatchSize > train.N { // DropLast would leave every epoch empty
		cli.Fatal(fmt.Errorf("--batch_size %d: more than the %d training images; HINT: lower --batch_size", cfg.BatchSize, train.N))
	}
	fmt.Fprintf(os.Stderr, "data: %s, %d training images, %d test images, %d classes, %d clusters\n", cfg.Dataset, train.N, test.N, len(train.Classes), classes)
	if !hasLabels(train) {
		fmt.Fprintln(os.Stderr, "the training images have no labels: accuracy, NMI and ARI are not computed, cluster sizes are")
	}
	cli.Check(os.MkdirAll(cfg.ModelDir, 0o755))
	if ck == nil { // k-means on raw pixels: no encoder
		res := kmeansBaseline(cfg, train, test, nil)
		res["seconds"] = time.Since(start).Seconds()
		cli.Check(cli.FinalJSON(os.Stdout, res))
		return
	}

	tr := stage2.NewTrainer(be, cfg, classes, train, test)
	var from *nn.Checkpoint // the stage-1 checkpoint when the run starts from one
	switch ck.Kind() {
	case stage2.Kind:
		cli.Check(tr.Restore(ck))
		fmt.Fprintf(os.Stderr, "resumed stage 2 from %s at epoch %d, batch %d\n", ck.Path, tr.Epoch, tr.Batch)
	default:
		cli.Check(tr.FromStage1(ck))
		from = ck
		fmt.Fprintf(os.Stderr, "stage-1 encoder from %s\n", ck.Path)
	}
	var res map[string]any
	switch {
	case cfg.Assign == "kmeans":
		res = kmeansBaseline(cfg, train, test, tr)
	case cfg.TestOnly:
		res, _, _ = evaluateAll(cfg, tr)
	default:
		res, err = train2(cfg, tr, from)
		cli.Check(err)
	}
	res["seconds"] = time.Since(start).Seconds()
	cli.Check(cli.FinalJSON(os.Stdout, res))
}

// parseFlags reads the command line. --resume is required: a stage-1
// checkpoint starts stage 2 (its network, width, embedding size and data set are
// adopted unless given now), a stage-2 checkpoint continues that run.
func parseFlags(args []string) (stage2.Config, *nn.Checkpoint) {
	cfg := stage2.DefaultConfig()
	fs := flag.NewFlagSet("stage2", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	cli.ParseFlags(fs, args)
	if fs.NArg() > 0 {
		cli.Fatal(fmt.Errorf("unexpected argument %q (flags start with --)", fs.Arg(0)))
	}
	if cfg.Resume == "" {
		if cfg.Assign == "kmeans" && cfg.Features == "pixels" { // the raw baseline needs no encoder
			cli.Check(cli.ApplyPreset(fs, cfg.Preset, stage2.Presets))
			cli.PrintFlags(os.Stdout, fs)
			return cfg, nil
		}
		cli.Fatal(fmt.Errorf("--resume is required: stage 2 starts from a stage-1 checkpoint. HINT: run go run ./cmd/superand first, then --resume %s/superand.safetensors", cfg.ModelDir))
	}
	ck := cli.Must(nn.LoadAny(cli.ResolveCheckpoint(cfg.Resume, cfg.ModelDir))) // ours, or a .t7 of the authors' code
	if ck.IsTorch() {
		cli.Check(adoptTorchArch(fs, &cfg, ck))
	} else if ck.Kind() == stage2.Kind {
		saved := cli.Must(stage2.ConfigOf(ck))
		fs = flag.NewFlagSet("stage2", flag.ContinueOnError)
		saved.RegisterFlags(fs)
		cli.ParseFlags(fs, args)
		cfg = saved
	} else {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		cli.Check(cli.ApplyPreset(fs, cfg.Preset, stage2.Presets))
		// The encoder's shape and the data come from the stage-1 run unless
		// given now (a mismatch then fails to load, naming the tensor).
		cli.Check(cli.AdoptArch(given, ck, cli.Arch{Width: &cfg.Width, LowDim: &cfg.LowDim, Subset: &cfg.Subset, Dataset: &cfg.Dataset, Network: &cfg.Network}))
	}
	cli.PrintFlags(os.Stdout, fs)
	return cfg, ck
}
